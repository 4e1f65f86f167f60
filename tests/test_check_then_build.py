"""Whatever `check` accepts, `build` builds: studies and pages generated from the fixture's codebook,
with text that is hard on every output format (quotes, braces, brackets, HTML, Markdown, any script)."""

from __future__ import annotations

import contextlib
import io
import shutil
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from livingreview.cli import main
from livingreview.schema import DOI_PATTERN

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "review"
CODEBOOK = yaml.safe_load((FIXTURE / "content" / "codebook.yaml").read_text(encoding="utf-8"))
MARKER = CODEBOOK["not_coded"]

# Text a contributor could type: any letters of any script, digits, punctuation, and the characters
# that mean something in HTML, Markdown, BibTeX, RIS, CSV and YAML (no control characters: refused).
text = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"),
               min_size=1, max_size=40).filter(lambda t: t.strip())
tricky = st.one_of(text, st.sampled_from([
    '<script>alert(1)</script>', '"}} @misc{x, title={y}}', "=SUM(A1)", "-1+1", "@here", "ER  - ", "[a](javascript:x)",
    "{{ n }}", "{% raw %}", "\\", "{", "}", "# heading", "**bold**", "| a | b |", "&amp;", "]]>", "ünïcödé", "李白",
])).filter(lambda t: t.strip())


def coded(field: dict[str, Any]) -> st.SearchStrategy[Any]:
    keys = [v["key"] for v in field.get("values", [])]
    kind = field["kind"]
    if kind == "single":
        choice: st.SearchStrategy[Any] = st.sampled_from(keys)
    elif kind == "multiple":
        choice = st.lists(st.sampled_from(keys), unique=True, max_size=len(keys))
    elif kind == "country":
        choice = st.lists(st.sampled_from(sorted(CODEBOOK["countries"])), unique=True, min_size=1, max_size=3)
    elif kind == "boolean":
        choice = st.booleans()
    elif kind == "number":
        choice = st.integers(min_value=field.get("minimum", 0), max_value=10**6)
    else:
        choice = tricky
    return st.one_of(st.just(MARKER), choice)


@st.composite
def a_study(draw: st.DrawFn, study_id: str) -> dict[str, Any]:
    codes = {f["key"]: draw(coded(f)) for f in CODEBOOK["fields"] if f.get("required") or draw(st.booleans())}
    data: dict[str, Any] = {
        "id": study_id, "title": draw(tricky),
        "authors": draw(st.lists(st.fixed_dictionaries({"family": tricky}, optional={"given": tricky}),
                                 min_size=1, max_size=3)),
        "year": draw(st.integers(1900, 2026)), "codes": codes,
    }
    for key in ("journal", "volume", "issue", "pages"):
        if draw(st.booleans()):
            data[key] = draw(tricky)
    if draw(st.booleans()):
        data["doi"] = draw(st.from_regex(DOI_PATTERN.replace("$(?!\\n)", r"\Z"), fullmatch=False))
    else:
        data["no_doi_reason"] = draw(tricky)
    coded_keys = [k for k, v in codes.items() if v != MARKER]
    data["evidence"] = {k: draw(tricky) for k in coded_keys if draw(st.booleans())}
    return data


@st.composite
def a_review(draw: st.DrawFn) -> tuple[list[dict[str, Any]], str]:
    ids = draw(st.lists(st.from_regex(r"[a-z]{1,6}-(19[0-9]{2}|20[0-2][0-9])", fullmatch=True), unique=True,
                        min_size=1, max_size=4))
    studies = [draw(a_study(study_id)) for study_id in ids]
    page = "---\ntitle: " + yaml.safe_dump(draw(tricky)).splitlines()[0] + "\n---\n"
    page += "\n\n".join(draw(st.lists(st.one_of(
        tricky.map(lambda t: t.replace("{", "(").replace("}", ")").replace("%", " ")),
        st.sampled_from(['{{ n }}', '{{ count("design", "trial") }}', '{{ figure("map") }}',
                         '{{ percent("involvement", "leading") }}', '{{ codebook_manual() }}',
                         '{{ search_terms() }}'])), max_size=5)))
    return studies, page + "\n"


def run(root: Path, command: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--root", str(root), command])
    return code, err.getvalue()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(review=a_review())
def test_whatever_check_accepts_build_builds(tmp_path_factory, review):
    studies, page = review
    root = tmp_path_factory.mktemp("review")
    shutil.copytree(FIXTURE / "content", root / "content")
    (root / "content" / "pages" / "methods.md").unlink()  # it links to a study of the fixture by name
    (root / "studies").mkdir()
    for study in studies:
        (root / "studies" / f"{study['id']}.yaml").write_text(yaml.safe_dump(study, allow_unicode=True),
                                                              encoding="utf-8")
    (root / "content" / "pages" / "extra.md").write_text(page, encoding="utf-8")
    checked, problems = run(root, "check")
    assert checked in (0, 1) and "Traceback" not in problems and "internal error" not in problems
    if checked == 0:
        built, problems = run(root, "build")
        assert built == 0, problems
        assert (root / "site" / "studies" / f"{studies[0]['id']}.html").is_file()
