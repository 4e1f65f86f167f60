"""The command line: exit codes, the summary, GitHub annotations, --help, and the real review."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import REPO, parse_diagnostic, run_build_py, write_study
from livingreview.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "invalid"


def add_fixture(root: Path, name: str) -> None:
    shutil.copy(FIXTURES / f"{name}.yaml", root / "studies" / f"{name}.yaml")


def test_check_exits_0_with_a_one_line_summary_when_all_is_well(scratch_review, run_check):
    result = run_check(scratch_review)
    assert result.code == 0
    assert result.err == ""
    assert result.out == "check: 3 studies valid against content/codebook.yaml (17 fields); no problems\n"


def test_check_exits_1_and_counts_problems_and_files(scratch_review, run_check):
    add_fixture(scratch_review, "wrong-type")
    add_fixture(scratch_review, "malformed-doi")
    result = run_check(scratch_review)
    assert result.code == 1
    assert result.out == ""
    assert len(result.lines) == 3
    assert result.summary == "check: 3 problems in 2 files"


def test_check_of_a_folder_that_is_no_review_reports_instead_of_crashing(tmp_path, run_check):
    result = run_check(tmp_path)
    assert result.code == 1
    assert result.lines == ["content/codebook.yaml:1:1: cannot read file: No such file or directory"]


def test_github_annotations_are_printed_on_github_actions(scratch_review, run_check, monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    add_fixture(scratch_review, "unknown-field")
    add_fixture(scratch_review, "wrong-type")
    result = run_check(scratch_review)
    assert result.code == 1
    annotations = result.out.splitlines()
    assert len(annotations) == len(result.lines) == 3
    for line, annotation in zip(result.lines, annotations):
        d = parse_diagnostic(line)
        # Only properties escape ':' and ','; the message keeps them.
        assert annotation == f"::error file={d.path},line={d.line},col={d.column}::{d.message}"
    assert annotations[0].startswith("::error file=studies/unknown-field.yaml,line=7,col=1::unknown field 'jounral'")


def test_github_annotations_escape_what_a_workflow_command_cannot_hold():
    from livingreview.diagnostics import Diagnostic

    annotation = Diagnostic("studies/a,b:c.yaml", 2, 3, "100% wrong\nreally").github_annotation()
    assert annotation == "::error file=studies/a%2Cb%3Ac.yaml,line=2,col=3::100%25 wrong%0Areally"


@pytest.mark.parametrize("value", [None, "false", "1"])
def test_no_annotations_off_github_actions(scratch_review, run_check, monkeypatch, value):
    if value is None:
        monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    else:
        monkeypatch.setenv("GITHUB_ACTIONS", value)
    add_fixture(scratch_review, "unknown-field")
    result = run_check(scratch_review)
    assert result.code == 1
    assert "::error" not in result.out + result.err
    assert len(result.lines) == 1


def test_help_lists_the_commands(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    listed = re.findall(r"^  (\w+) {2,}\S", out, flags=re.MULTILINE)
    assert {"build", "check", "schema"} <= set(listed)


def test_an_unknown_command_is_refused_with_usage(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["chek"])
    assert stop.value.code == 2
    assert "invalid choice: 'chek'" in capsys.readouterr().err


def test_the_real_review_passes_check(run_check):
    result = run_check(REPO)
    assert result.code == 0, result.err
    studies = len(list((REPO / "studies").glob("*.yaml")))
    assert re.fullmatch(rf"check: {studies} studies valid against content/codebook\.yaml \(\d+ fields\); "
                        r"no problems\n", result.out)


def test_check_as_a_process_reports_bad_files_without_a_traceback(scratch_review):
    for name in ("yaml-syntax-error", "not-utf8", "billion-laughs", "top-level-list", "five-problems"):
        add_fixture(scratch_review, name)
    (scratch_review / "studies" / "binary.yaml").write_bytes(bytes(range(256)))
    write_study(scratch_review, "doyle-2019", doi="10.5555/adams-2018")  # a duplicate of adams-2018
    done = run_build_py(scratch_review, "check")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr + done.stdout
    *lines, summary = done.stderr.splitlines()
    assert summary == "check: 12 problems in 8 files"
    paths = {parse_diagnostic(line).path for line in lines}
    assert paths == {"studies/yaml-syntax-error.yaml", "studies/not-utf8.yaml", "studies/billion-laughs.yaml",
                     "studies/top-level-list.yaml", "studies/five-problems.yaml", "studies/binary.yaml",
                     "studies/doyle-2019.yaml", "studies/adams-2018.yaml"}
