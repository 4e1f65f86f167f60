"""The command line: exit codes, the summary, GitHub annotations, --help, --port and `init`."""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, parse_diagnostic, run_build_py, write_study
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from livingreview import cli
from livingreview.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "invalid"


def add_fixture(root: Path, name: str) -> None:
    shutil.copy(FIXTURES / f"{name}.yaml", root / "studies" / f"{name}.yaml")


def test_check_exits_0_with_a_one_line_summary_when_all_is_well(scratch_review, run_check):
    result = run_check(scratch_review)
    assert result.code == 0
    assert result.err == ""
    # The fixture's codebook has eleven fields (eight required, three not).
    assert result.out == ("check: 3 studies valid against content/codebook.yaml (11 fields); "
                          "content, figures and releases checked; no problems\n")


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
    for line, annotation in zip(result.lines, annotations, strict=True):
        d = parse_diagnostic(line)
        # Only properties escape ':' and ','; the message keeps them.
        assert annotation == f"::error file={d.path},line={d.line},col={d.column}::{d.message}"
    assert annotations[0].startswith("::error file=studies/unknown-field.yaml,line=7,col=1::unknown field 'jounral'")


def test_github_annotations_escape_what_a_workflow_command_cannot_hold():
    from livingreview.diagnostics import Diagnostic

    annotation = Diagnostic("studies/a,b:c.yaml", 2, 3, "100% wrong\nreally").github_annotation()
    # A line break in a message (a value quoted from a file) is shown, never ends the command.
    assert annotation == "::error file=studies/a%2Cb%3Ac.yaml,line=2,col=3::100%25 wrongU+000Areally"
    assert "\n" not in annotation


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
    assert {"init", "build", "check", "schema", "release", "diff", "serve"} <= set(listed)


def test_an_unknown_command_is_refused_with_usage(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["chek"])
    assert stop.value.code == 2
    assert "invalid choice: 'chek'" in capsys.readouterr().err


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


def test_a_build_as_a_process_prints_its_summary_on_a_pipe_and_exits_with_its_code(scratch_review):
    """The command exits without Python's teardown: what it printed (block-buffered on a pipe, unless
    PYTHONUNBUFFERED is set) is flushed first."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONUNBUFFERED", "GITHUB_ACTIONS")}

    def build() -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, str(REPO / "build.py"), "--root", str(scratch_review), "build"],
                              capture_output=True, text=True, timeout=120, env=env)

    done = build()
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1].startswith("build: ")
    assert (scratch_review / "site" / "index.html").is_file()
    done = build()
    assert done.returncode == 0, done.stderr
    assert "up to date" in done.stdout


@pytest.mark.parametrize("port", ["70000", "0", "eighty"])
def test_a_port_that_is_no_port_is_refused_with_usage_not_a_traceback(scratch_review, port):
    done = run_build_py(scratch_review, "serve", "--port", port)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("usage:")
    assert f"'{port}' is not a port: give a number from 1 to 65535" in done.stderr
    assert not (scratch_review / "site").exists()  # refused before anything was built


def test_init_writes_a_review_that_checks_and_builds(tmp_path, capsys):
    folder = tmp_path / "new-review"
    assert main(["init", str(folder)]) == 0
    assert main(["--root", str(folder), "check"]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("check: 2 studies valid")  # the two examples
    assert main(["--root", str(folder), "build"]) == 0
    assert (folder / "site" / "index.html").is_file()
    assert (folder / "site" / "studies" / "example-2021.html").is_file()


def test_init_into_an_empty_folder_is_allowed(tmp_path):
    folder = tmp_path / "empty"
    folder.mkdir()
    assert main(["init", str(folder)]) == 0
    assert (folder / "content" / "codebook.yaml").is_file()


def test_init_refuses_a_folder_that_is_not_empty(tmp_path, capsys):
    folder = tmp_path / "taken"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["init", str(folder)]) == 1
    assert "this folder exists and is not empty" in capsys.readouterr().err
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "mine\n"


@pytest.mark.parametrize(("command", "alone", "collects"), [
    ("build", True, False), ("check", True, False),  # a process of their own, which ends with them
    ("check", False, True),  # in a process that goes on (a test, a script calling main)
    ("serve", True, True),  # builds again and again in one process
])
def test_build_and_check_run_without_the_cycle_collector_only_in_a_process_of_their_own(
        tmp_path, monkeypatch, command, alone, collects):
    import gc

    from livingreview import cli

    seen = []
    monkeypatch.setitem(cli._COMMANDS, command, lambda project, args: seen.append(gc.isenabled()) or 0)
    try:
        assert main(["--root", str(tmp_path), command], alone=alone) == 0
    finally:
        gc.enable()
    assert seen == [collects]


# Words a command line may hold: every command, options of each and of none, values, help and junk.
_WORDS = ["init", "build", "check", "schema", "release", "diff", "import", "new", "include", "search",
          "decisions", "serve", "chek", "--root", ".", "x", "--verbose", "--force", "--port", "8000", "0", "--doi",
          "10.1/x", "--bibtex", "-", "--date", "2026-01-02", "--notes", "--source", "pubmed", "--max", "--tool",
          "rayyan", "--reason", "a=b", "--no-reason", "1.0.0", "-h", "--help", "--he", "--version", "--vers",
          "--", "--unknown", "-x"]


def _outcome(parse, argv, capsys):
    try:
        result = ("parsed", vars(parse(argv)))
    except SystemExit as stop:
        result = ("exit", stop.code)
    captured = capsys.readouterr()
    return result, captured.out, captured.err


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(_WORDS), max_size=6))
def test_a_command_line_is_parsed_as_the_parser_of_every_command_parses_it(capsys, argv):
    """Only the commands a line names are declared (see `_arguments`): whatever the line, the values, the exit
    code and every word printed (usage, help, errors) are those of the parser of every command."""
    assert _outcome(cli._arguments, argv, capsys) == _outcome(lambda a: cli._parser().parse_args(a), argv, capsys)


def test_a_command_line_naming_one_command_declares_that_command_alone(monkeypatch):
    declared = []
    add_parser = argparse._SubParsersAction.add_parser

    def counted(self, name, **options):
        declared.append(name)
        return add_parser(self, name, **options)

    monkeypatch.setattr(argparse._SubParsersAction, "add_parser", counted)
    assert cli._arguments(["--root", "review", "check"]).command == "check"
    assert declared == ["check"]
    declared.clear()
    assert cli._arguments(["serve", "--port", "8001"]).port == 8001
    assert declared == ["serve"]
