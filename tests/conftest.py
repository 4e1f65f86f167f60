"""Shared test helpers: a tiny review in a temporary folder, and running `check` on it.

    def test_something(scratch_review, run_check):
        write_study(scratch_review, "doe-2021", codes={"involvement": "collaborating"})
        result = run_check(scratch_review)
        assert result.code == 0

`scratch_review` is a complete review (the fixture review's codebook, site.yaml and figures.yaml,
the default theme, no pages) holding the three valid studies of DEFAULT_STUDIES.
"""

from __future__ import annotations

import contextlib
import copy
import io
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from livingreview.cli import main

REPO = Path(__file__).resolve().parent.parent
# The engine's tests run on a small made-up review with a codebook of its own (tests/fixtures/review/),
# never on the repository's review: they pass for any review, not just this one.
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "review"
CONTENT_FILES = ("codebook.yaml", "site.yaml", "figures.yaml")
MISSING: Any = object()  # an override that leaves the key out of the study

# A complete coding that every rule of the fixture's codebook accepts.
VALID_CODES: dict[str, Any] = {
    "location": ["GB"],
    "design": "qualitative",
    "method": "words",
    "setting": ["school"],
    "aim": "experiences",
    "stages": ["tending"],
    "involvement": "consulted",
    "source": "database",
}

# The studies of `scratch_review`: id -> overrides for valid_study.
DEFAULT_STUDIES: dict[str, dict[str, Any]] = {
    "adams-2018": {"title": "Pupils who tended a school garden"},
    "baker-2020": {"title": "Planning a hospital garden with its community",
                   "codes": {"involvement": "leading", "stages": ["planning", "tending"], "location": ["NO"]}},
    "chen-2021": {"title": "Harvest in a neighbourhood garden",
                  "codes": {"setting": ["neighbourhood"], "stages": ["harvest"], "aim": "effects"}},
}


def valid_study(study_id: str, **overrides: Any) -> dict[str, Any]:
    """A valid study as plain data.

    Top-level keys in `overrides` replace the defaults; `codes` is merged into
    VALID_CODES. An override of MISSING leaves that key out (in `codes` too).
    The year defaults to the id's last part when that is a number.
    """
    tail = study_id.rsplit("-", 1)[-1]
    data: dict[str, Any] = {
        "id": study_id,
        "title": f"A study of a garden ({study_id})",
        "authors": [{"family": study_id.split("-")[0].capitalize(), "given": "A."}],
        "year": int(tail) if tail.isdigit() else 2020,
        "journal": "Journal of Tests",
        "doi": f"10.5555/{study_id}",
        "codes": copy.deepcopy(VALID_CODES),
    }
    codes = overrides.pop("codes", {})
    data.update(overrides)
    if isinstance(codes, dict):
        data["codes"].update(codes)
    else:  # MISSING, or a value of the wrong kind
        data["codes"] = codes
    return _without_missing(data)


def _without_missing(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_missing(v) for k, v in value.items() if v is not MISSING}
    return value


def write_study(root: Path, study_id: str, **overrides: Any) -> Path:
    """Write valid_study(study_id, **overrides) as studies/<id>.yaml; return its path."""
    return write_yaml(root / "studies" / f"{study_id}.yaml", valid_study(study_id, **overrides))


def write_yaml(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Lists of plain values in flow style ([GB]), as contributors write them.
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=None),
                    encoding="utf-8")
    return path


def make_scratch_review(root: Path, studies: dict[str, dict[str, Any]] | None = None) -> Path:
    """A review in `root` with the fixture's codebook, site and figures, no pages, and `studies`."""
    (root / "content" / "pages").mkdir(parents=True)
    (root / "studies").mkdir()
    for name in CONTENT_FILES:
        shutil.copy(FIXTURE / "content" / name, root / "content" / name)
    # No content/baseline.yaml here: the flow figure names none of its figures.
    figures = root / "content" / "figures.yaml"
    figures.write_text(re.sub(r"(?m)^    previous_\w+: \S+\n", "", figures.read_text(encoding="utf-8")),
                       encoding="utf-8")
    for study_id, overrides in (DEFAULT_STUDIES if studies is None else studies).items():
        write_study(root, study_id, **overrides)
    return root


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="write the fixture review's built site to tests/golden/ (see tests/test_golden.py)")


@pytest.fixture
def scratch_review(tmp_path: Path) -> Path:
    """A tiny valid review (three studies) in a temporary folder."""
    return make_scratch_review(tmp_path / "review")


@dataclass
class CheckResult:
    code: int
    out: str
    err: str

    @property
    def lines(self) -> list[str]:
        """Everything printed to stderr except the closing summary line."""
        return [line for line in self.err.splitlines() if not line.startswith("check: ")]

    @property
    def summary(self) -> str:
        return (self.out + self.err).strip().splitlines()[-1]


@pytest.fixture
def run_check(capsys: pytest.CaptureFixture[str]) -> Callable[[Path], CheckResult]:
    """Run `build.py --root ROOT check` in-process and capture what it prints."""

    def run(root: Path) -> CheckResult:
        capsys.readouterr()
        code = main(["--root", str(root), "check"])
        captured = capsys.readouterr()
        return CheckResult(code, captured.out, captured.err)

    return run


def wait_for(condition: Callable[[], bool], seconds: float = 20.0) -> bool:
    """Poll `condition` until it holds or `seconds` pass; whether it held (for work in other processes)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def run_build_py(root: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run `python build.py --root ROOT ARGS` in a process of its own, its memory capped at 1 GiB.

    For inputs that could exhaust memory or the stack if a guard broke (an alias bomb, deep
    nesting): the regression then fails the test instead of the machine.
    """
    def cap_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    return subprocess.run([sys.executable, str(REPO / "build.py"), "--root", str(root), *args],
                          capture_output=True, text=True, timeout=timeout, preexec_fn=cap_memory, env=env)


def check_quietly(root: Path) -> CheckResult:
    """run_check without capsys, for hypothesis tests (which may not use function-scoped fixtures)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--root", str(root), "check"])
    return CheckResult(code, out.getvalue(), err.getvalue())


DIAGNOSTIC = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<column>\d+): (?P<message>\S.*)$")


@dataclass(frozen=True)
class Located:
    path: str
    line: int
    column: int
    message: str


def parse_diagnostic(text: str) -> Located:
    """One `path:line:column: message` line; fails the test if the line has another form."""
    match = DIAGNOSTIC.match(text)
    assert match, f"not a path:line:column: message line: {text!r}"
    return Located(match["path"], int(match["line"]), int(match["column"]), match["message"])


def assert_points_into_file(root: Path, diagnostic: Located) -> None:
    """The diagnostic's line exists in its file and its column is on that line (or just after its end)."""
    raw = (root / diagnostic.path).read_bytes()
    try:
        lines: list[str] | list[bytes] = raw.decode("utf-8-sig").split("\n")
    except UnicodeDecodeError:
        lines = raw.split(b"\n")
    assert 1 <= diagnostic.line <= len(lines), f"{diagnostic} is past the last line ({len(lines)})"
    width = len(lines[diagnostic.line - 1])
    assert 1 <= diagnostic.column <= width + 1, f"{diagnostic} is past the end of its line ({width})"
