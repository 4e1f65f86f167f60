"""A golden snapshot of the fixture review's whole built site: any change to what readers get shows as a diff.

The expected site is committed in tests/golden/ (every page, table and download; not the theme's assets,
which are copied as they are, nor the SVG drawings, which matplotlib's own releases may redraw). After an
intended change, write it again and read the diff before committing:

    .venv/bin/python -m pytest tests/test_golden.py --update-golden && git diff tests/golden
"""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest

from livingreview.cli import main

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "review"
GOLDEN = Path(__file__).resolve().parent / "golden"


def snapshot(site: Path) -> dict[str, str]:
    return {path.relative_to(site).as_posix(): path.read_text(encoding="utf-8")
            for path in sorted(site.rglob("*"))
            if path.is_file() and path.suffix != ".svg" and not path.relative_to(site).as_posix().startswith("assets/")}


def built_fixture(root: Path) -> dict[str, str]:
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("README.md"))
    assert main(["--root", str(root), "build"]) == 0
    return snapshot(root / "site")


def test_the_fixture_review_builds_to_the_golden_site(tmp_path, request):
    site = built_fixture(tmp_path / "review")
    if request.config.getoption("--update-golden"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for name, text in site.items():
            (GOLDEN / name).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / name).write_text(text, encoding="utf-8")
        pytest.skip("tests/golden/ written again: read `git diff tests/golden` before committing")
    expected = snapshot(GOLDEN)
    missing, extra = sorted(expected.keys() - site.keys()), sorted(site.keys() - expected.keys())
    changed = [name for name in sorted(expected.keys() & site.keys()) if expected[name] != site[name]]
    report = [f"missing: {name}" for name in missing] + [f"new: {name}" for name in extra]
    for name in changed[:3]:
        report += difflib.unified_diff(expected[name].splitlines(), site[name].splitlines(),
                                       f"golden/{name}", f"built/{name}", lineterm="", n=1)
    if len(changed) > 3:
        report.append(f"... and {len(changed) - 3} more changed files: {', '.join(changed[3:])}")
    assert not report, ("the built site differs from tests/golden/ (if intended, run pytest tests/test_golden.py "
                        "--update-golden and read the diff):\n" + "\n".join(report))


def test_the_golden_site_holds_every_kind_of_page():
    # A snapshot of nothing would always match: the golden site must hold the pages a review has.
    names = set(snapshot(GOLDEN))
    assert {"index.html", "methods.html", "studies/index.html", "studies/adams-2018.html", "figures/map.html",
            "figures/map.csv", "data/studies.csv", "data/references.bib", "data/references.ris",
            "consistency.html", "agreement.html", "references.html", "changelog.html"} <= names
    assert len([n for n in names if n.startswith("studies/")]) == 8  # the table, its two scripts, five studies
    assert {"studies/table-data.js", "studies/table-exports.js"} <= names
