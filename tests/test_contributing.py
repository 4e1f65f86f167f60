"""CONTRIBUTING.md cannot drift: its walk-through runs as written, and the commands and page names
it documents are the ones that exist.

The walk-through is the sequence of blocks after HTML comments in CONTRIBUTING.md:
  <!-- walkthrough -->                 a ```bash block: every line is run, in order
  <!-- walkthrough-output -->          a ```text block: every line is in the previous command's output
  <!-- walkthrough-file: PATH -->      a ```yaml block: the file's content, exactly
  <!-- walkthrough-edit: PATH -->      a ```yaml block that replaces the file from its `codes:` line on
  <!-- walkthrough-problem: LINE -->   a ```text block: what `check` prints once LINE is put in the file
                                       in place of the same key's line
They run on a scratch copy of the repository (the package, content, templates, the studies the pages
link to, and the walk-through's export), as a contributor would after `pip install -e ".[test]"`.
"""

from __future__ import annotations

import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from scratch import make_review, study

from livingreview import render
from livingreview.cli import _parser, main

# This test is about the repository's own review and its CONTRIBUTING.md, not about the engine alone.
REPO = Path(__file__).resolve().parent.parent
DOC = REPO / "CONTRIBUTING.md"
_STEP = re.compile(r"<!-- (walkthrough(?:-[a-z]+)?)(?::\s*(.*?))? -->\n```(\w+)\n(.*?)```", re.DOTALL)
# The page the walk-through opens: the draft's, for the repository has releases (the root shows the latest one).
STUDY_PAGE = "draft/studies/pietila-2023.html"
_PAGE_EXAMPLE = re.compile(r"^\| `([a-z_]+)[^`]*` \| .* \| `(\{\{.*\}\})` \|$", re.MULTILINE)


def steps() -> list[tuple[str, str, str]]:
    """(kind, argument, block text) of each walk-through block, in document order."""
    return [(kind, argument or "", body) for kind, argument, _, body in _STEP.findall(DOC.read_text(encoding="utf-8"))]


def scratch_repository(root: Path) -> Path:
    for name in ("build.py", "pyproject.toml"):
        shutil.copy(REPO / name, root / name)
    for name in ("livingreview", "content", "templates", "releases"):  # as the repository is: with releases
        shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns("__pycache__", "study.schema.json"))
    (root / "studies").mkdir()
    pages = "".join(p.read_text(encoding="utf-8") for p in (REPO / "content" / "pages").glob("*.md"))
    linked = set(re.findall(r"study_link\(\s*[\"']([a-z0-9-]+)[\"']", pages)) | {"nelson-2016", "balkova-2022"}
    for study_id in linked:
        shutil.copy(REPO / "studies" / f"{study_id}.yaml", root / "studies")
    (root / "tests" / "fixtures" / "import").mkdir(parents=True)
    shutil.copy(REPO / "tests" / "fixtures" / "import" / "walkthrough.ris", root / "tests" / "fixtures" / "import")
    return root


def command(line: str) -> list[str]:
    words = shlex.split(line)
    assert words[:2] == ["python", "build.py"], f"the walk-through runs only `python build.py ...`: {line}"
    return [sys.executable, *words[1:]]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode("utf-8")


def test_the_walkthrough_runs_as_written(tmp_path):
    root = scratch_repository(tmp_path)
    # every example of the table of page names goes on one page, which the served build must render
    examples = _PAGE_EXAMPLE.findall(DOC.read_text(encoding="utf-8"))
    (root / "content" / "pages" / "doc-examples.md").write_text(
        "---\ntitle: Examples\n---\n" + "\n\n".join(example for _, example in examples) + "\n", encoding="utf-8")
    output = ""
    ran: list[str] = []
    for kind, argument, body in steps():
        if kind == "walkthrough":
            for line in (text for text in body.splitlines() if text.strip() and not text.startswith("#")):
                ran.append(line)
                if line.split()[-1] == "serve":
                    serve_and_look(root, command(line))
                    continue
                done = subprocess.run(command(line), cwd=root, capture_output=True, text=True, timeout=120)
                output = done.stdout + done.stderr
                assert done.returncode == 0, f"`{line}` failed:\n{output}"
        elif kind == "walkthrough-output":
            for line in body.splitlines():
                assert line in output, f"CONTRIBUTING.md says the command prints {line!r}; it printed:\n{output}"
        elif kind == "walkthrough-file":
            assert (root / argument).read_text(encoding="utf-8") == body, f"{argument} differs from CONTRIBUTING.md"
        elif kind == "walkthrough-edit":
            path = root / argument
            text = path.read_text(encoding="utf-8")
            path.write_text(text[: text.index("\ncodes:\n") + 1] + body, encoding="utf-8")
        elif kind == "walkthrough-problem":
            path = root / "studies" / "pietila-2023.yaml"
            key = argument.split(":")[0]
            text = path.read_text(encoding="utf-8")
            path.write_text(re.sub(rf"(?m)^  {key}: .*$", "  " + argument, text, count=1), encoding="utf-8")
            done = subprocess.run(command("python build.py check"), cwd=root, capture_output=True, text=True,
                                  timeout=120)
            assert done.returncode == 1
            for line in body.splitlines():
                assert line in done.stderr, f"CONTRIBUTING.md shows {line!r}; check printed:\n{done.stderr}"
            path.write_text(text, encoding="utf-8")
        else:
            pytest.fail(f"unknown walk-through step {kind}")
    assert ran == ["python build.py import tests/fixtures/import/walkthrough.ris", "python build.py check",
                   "python build.py serve"]


def serve_and_look(root: Path, argv: list[str]) -> None:
    """`python build.py serve` (on a free port instead of 8000), then the pages the walk-through opens."""
    port = free_port()
    server = subprocess.Popen([*argv, "--port", str(port)], cwd=root, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    try:
        page, deadline = None, time.monotonic() + 120
        while page is None and time.monotonic() < deadline and server.poll() is None:
            try:
                page = get(f"http://127.0.0.1:{port}/{STUDY_PAGE}")
            except urllib.error.HTTPError as error:  # serving, but the first build failed
                server.send_signal(signal.SIGINT)
                pytest.fail(f"serve answered {error.code} for the study's page:\n{server.communicate(timeout=30)[0]}")
            except (urllib.error.URLError, ConnectionError, TimeoutError):  # not serving yet: the first build runs
                time.sleep(0.2)
        assert page is not None, "serve did not answer"
        assert "Peer support workers as boundary spanners" in page
        assert "Finland" in page and "Qualitative study" in page
        assert "three community mental health teams in southern Finland" in page  # the evidence note
        examples = get(f"http://127.0.0.1:{port}/draft/doc-examples.html")
        assert "{{" not in examples and "Provider of peer support" in examples
    finally:
        if server.returncode is None:
            server.send_signal(signal.SIGINT)  # Ctrl-C, as the walk-through says
    out, _ = server.communicate(timeout=30)
    assert server.returncode == 0, out
    assert "serve: stopped" in out
    assert f"the draft: http://127.0.0.1:{port}/draft/" in out  # serve names the draft's address


def test_the_walkthrough_opens_the_page_serve_names():
    text = DOC.read_text(encoding="utf-8")
    walkthrough = text[text.index("## Walk-through"):text.index("## The study format")]
    assert f"<http://127.0.0.1:8000/{STUDY_PAGE}>" in walkthrough
    assert (REPO / "releases").is_dir() and any((REPO / "releases").glob("*.json"))


def test_every_command_in_the_document_is_a_command_of_build_py():
    text = DOC.read_text(encoding="utf-8")
    mentioned = [m.strip() for m in re.findall(r"python build\.py((?: [-\w.=/\[\]]+)*)", text)]
    assert len(mentioned) > 10
    parser = _parser()
    for arguments in mentioned:
        try:
            parser.parse_args(shlex.split(arguments))
        except SystemExit:
            pytest.fail(f"CONTRIBUTING.md names `python build.py {arguments}`, which build.py does not accept")
    commands = {arguments.split()[0] for arguments in mentioned if arguments}
    assert {"import", "new", "check", "serve", "schema", "build"} <= commands


def test_the_set_up_installs_extras_that_exist():
    text = DOC.read_text(encoding="utf-8")
    extras = set(re.findall(r'pip install -e "\.\[(\w+)\]"', text))
    declared = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    assert extras and extras <= set(declared)


def test_every_name_a_page_may_use_is_documented_and_no_other(tmp_path, monkeypatch):
    seen: set[str] = set()
    original = render.page_functions

    def spy(*args, **kwargs):
        functions = original(*args, **kwargs)
        seen.update(functions)
        return functions
    monkeypatch.setattr(render, "page_functions", spy)
    # The names are the engine's, the same for any review: the fixture review's codebook is enough.
    root = make_review(tmp_path / "review", [study("alpha-2019", 2019, involvement="consulted")])
    assert main(["--root", str(root), "build"]) == 0
    documented = {name for name, _ in _PAGE_EXAMPLE.findall(DOC.read_text(encoding="utf-8"))}
    assert seen and documented == seen


def test_the_study_format_table_lists_every_key_of_a_study_file():
    from livingreview.codebook import load_codebook
    from livingreview.schema import study_schema

    text = DOC.read_text(encoding="utf-8")
    table = text[text.index("## The study format"):text.index("### Codes")]
    documented = {key for row in re.findall(r"^\| (`.*?`) \|", table, re.MULTILINE)
                  for key in re.findall(r"`([a-z_]+)`", row)}
    codebook, _ = load_codebook(REPO / "content" / "codebook.yaml")
    # this review has a published baseline, so its studies may say `in_baseline`
    assert (REPO / "content" / "baseline.yaml").is_file()
    assert documented == set(study_schema(codebook, baseline=True)["properties"])
