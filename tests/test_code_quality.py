"""The engine lints and type-checks clean, knows nothing of this repository's review, and has no import circles."""

from __future__ import annotations

import ast
import graphlib
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
ENGINE = REPO / "livingreview"


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *command], cwd=REPO, capture_output=True, text=True, timeout=600,
                          check=False)


def test_ruff_finds_nothing():
    done = run("ruff", "check", "livingreview", "tests", "benchmarks", "build.py")
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_finds_nothing():
    done = run("mypy", "--no-error-summary")
    assert done.returncode == 0, done.stdout + done.stderr


def this_reviews_words() -> set[str]:
    """The identifiers of this review's codebook that no other review would share (keys with _ or -),
    and the names of the review it continues."""
    codebook = yaml.safe_load((REPO / "content" / "codebook.yaml").read_text(encoding="utf-8"))
    words = {f["key"] for f in codebook["fields"]} | {d["key"] for d in codebook.get("derived", [])}
    words |= {v["key"] for f in codebook["fields"] for v in f.get("values", [])}
    return {w for w in words if "_" in w or "-" in w} | {"Åkerblom", "Akerblom", "peer worker", "peer-worker"}


def engine_files() -> list[Path]:
    return [p for p in ENGINE.rglob("*") if p.is_file() and "__pycache__" not in p.parts]


def test_the_engine_and_its_theme_name_nothing_of_this_review():
    words = this_reviews_words()
    assert {"research_focus", "co_creation", "co-creation-partner", "Åkerblom"} <= words  # the list is real
    found = []
    for path in engine_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        for word in words:
            if re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text, re.IGNORECASE):
                found.append(f"{path.relative_to(REPO)}: {word}")
    assert found == []


def imports_of(path: Path) -> set[str]:
    """The engine modules a module imports at run time (imports under `if TYPE_CHECKING:` included)."""
    package = ".".join(path.relative_to(REPO).with_suffix("").parts[:-1])
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package.split(".")[: len(package.split(".")) - node.level + 1]
            module = ".".join(base + ([node.module] if node.module else []))
            for alias in node.names:
                candidate = f"{module}.{alias.name}"
                found.add(candidate if (REPO / (candidate.replace(".", "/") + ".py")).exists()
                          or (REPO / candidate.replace(".", "/")).is_dir() else module)
    return {m.removesuffix(".__init__") for m in found}


def test_the_engine_has_no_import_circles():
    modules = {".".join(p.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__"): p
               for p in ENGINE.rglob("*.py") if "starter" not in p.parts}
    graph = {name: {m for m in imports_of(path) if m in modules and m != name} for name, path in modules.items()}
    try:
        graphlib.TopologicalSorter(graph).static_order()
    except graphlib.CycleError as error:
        pytest.fail(f"import circle: {' -> '.join(error.args[1])}")


@pytest.mark.parametrize("path", sorted(p for p in ENGINE.rglob("*.py") if "__pycache__" not in p.parts),
                         ids=lambda p: str(p.relative_to(ENGINE)))
def test_nothing_read_from_the_cache_is_executed(path):
    """No module of the engine deserialises code: no pickle, marshal, exec of stored text, or bytecode caches."""
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"\b(pickle|marshal|BytecodeCache|bytecode_cache)\b", text)
    assert not re.search(r"\bexec\(|\beval\(", text)
