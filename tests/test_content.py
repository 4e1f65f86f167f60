"""The narrative in content/: no hand-typed numbers, and every page renders from the data."""

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PAGES = sorted((REPO / "content" / "pages").glob("*.md"))
EXPRESSION = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)
LINK_TARGET = re.compile(r"\]\([^)]*\)")
YEAR = re.compile(r"(?<!\d)(19|20)\d\d[a-z]?(?!\d)")


def bare_numbers(text: str) -> list[str]:
    """Digits in prose, outside template expressions, link targets and publication years."""
    body = text.split("---", 2)[2] if text.startswith("---") else text
    prose = LINK_TARGET.sub("](link)", EXPRESSION.sub(" ", body))
    prose = YEAR.sub(" ", prose)
    return re.findall(r"\d[\d,.]*", prose)


def test_the_scanner_finds_hand_typed_counts():
    assert bare_numbers("---\ntitle: x\n---\nThe review included 172 studies (12.2 %).") == ["172", "12.2"]
    assert bare_numbers("---\ntitle: x\n---\nIn 2022 it found {{ n }} studies.") == []


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_pages_have_no_hand_typed_numbers(page):
    assert bare_numbers(page.read_text(encoding="utf-8")) == []


def test_every_page_has_a_title_and_the_site_has_the_required_pages():
    names = {p.stem for p in PAGES}
    assert {"home", "methods", "findings", "discussion", "limitations", "updating", "about"} <= names
    for page in PAGES:
        assert re.search(r"^title: .+$", page.read_text(encoding="utf-8"), re.MULTILINE), page.name


def test_the_about_page_credits_the_sources_and_states_the_licences():
    about = (REPO / "content" / "pages" / "about.md").read_text(encoding="utf-8")
    assert 'cite("akerblom-ness-2022"' in about and 'cite("akerblom-ness-2021"' in about
    assert "CC BY" in about and "CC0" in about
