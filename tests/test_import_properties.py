"""Property: any RIS or BibTeX record with a title, an author, a year and a valid DOI imports to exactly one
study file that `check` accepts as it is (every field "not yet coded"), with the DOI and the title kept."""

from __future__ import annotations

import datetime
import shutil

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scratch import make_review

from livingreview.cli import main

LETTERS = st.characters(categories=("Lu", "Ll"), max_codepoint=0x4FFF)
WORD = st.text(LETTERS, min_size=1, max_size=12)
# Titles with the punctuation that YAML, RIS and BibTeX treat specially (quotes, colons, #, &, %).
TITLE = st.lists(st.one_of(WORD, st.sampled_from([":", "-", "'", '"', "#", "&", "%", "?", "(", ")", ",", "–"])),
                 min_size=1, max_size=12).map(" ".join).filter(lambda t: any(c.isalpha() for c in t))
DOI = st.builds(lambda prefix, suffix: f"10.{prefix}/{suffix}", st.integers(1000, 99999999),
                st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._;()/-"),
                        min_size=1, max_size=30).filter(lambda s: s[-1] not in ".;/" and s.count("(") == s.count(")")))
YEAR = st.integers(1900, datetime.date.today().year)


def _ris(title: str, family: str, given_name: str, year: int, doi: str) -> str:
    return f"TY  - JOUR\nTI  - {title}\nAU  - {family}, {given_name}\nPY  - {year}\nDO  - {doi}\nER  - \n"


def _bibtex(title: str, family: str, given_name: str, year: int, doi: str) -> str:
    escaped = "".join(f"\\{c}" if c in "&%#" else c for c in title)  # a " is plain text inside braces
    return f"@article{{key1,\n  title = {{{escaped}}},\n  author = {{{family}, {given_name}}},\n" \
           f"  year = {{{year}}},\n  doi = {{{doi}}}\n}}\n"


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(["ris", "bib"]), title=TITLE, family=WORD, given_name=WORD, year=YEAR, doi=DOI)
def test_a_well_formed_record_imports_to_a_study_that_check_accepts(tmp_path_factory, kind, title, family,
                                                                    given_name, year, doi):
    root = make_review(tmp_path_factory.mktemp("review"), [])
    export = root / f"export.{kind}"
    write = _ris if kind == "ris" else _bibtex
    export.write_text(write(title, family, given_name, year, doi), encoding="utf-8")
    try:
        assert main(["--root", str(root), "import", str(export)]) == 0
        written = list((root / "studies").iterdir())
        assert len(written) == 1
        data = yaml.safe_load(written[0].read_text(encoding="utf-8"))
        assert data["doi"] == doi and data["year"] == year
        assert data["title"] == " ".join(title.split()).removesuffix(".")
        assert main(["--root", str(root), "check"]) == 0
    finally:
        shutil.rmtree(root)
