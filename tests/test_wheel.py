"""The engine as another review team gets it: a wheel, installed into a fresh virtual environment, used
in a folder that holds no engine code; `init`, then a second review with a codebook of its own.

Offline: the wheel is built without build isolation (setuptools comes from the test environment), and
the fresh environment takes the engine's dependencies from the test environment's site-packages.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "review"


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300, env=env, check=False)
    assert done.returncode == 0, f"{' '.join(map(str, command))} failed:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with only the wheel installed (and the engine's dependencies visible)."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"  # a clean copy: no site/, .cache/ or egg-info of the checkout goes into the wheel
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(".git", ".venv", "node_modules", "site", ".cache",
                                                                 "*.egg-info", "build", "__pycache__", ".site-*"))
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(work / "dist"),
         str(source)], cwd=work)
    wheel = next((work / "dist").glob("livingreview-*.whl"))
    fresh = work / "fresh"
    venv.create(fresh, with_pip=True)
    packages = Path(subprocess.check_output([str(fresh / "bin" / "python"), "-c",
                                             "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                            text=True).strip())
    # The dependencies from the test environment: a path line, so its .pth files (our editable install's
    # finder among them) are not run and the engine can only come from the wheel.
    (packages / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    run([str(fresh / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)], cwd=work)
    return fresh


def livingreview(fresh: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "GITHUB_ACTIONS")}
    return run([str(fresh / "bin" / "livingreview"), *args], cwd=cwd, env=env)


def test_the_wheel_holds_the_theme_and_the_starter(installed):
    where = run([str(installed / "bin" / "python"), "-c", "import livingreview, pathlib; "
                 "print(pathlib.Path(livingreview.__file__).parent)"], cwd=installed).stdout.strip()
    package = Path(where)
    assert package.is_relative_to(installed)  # the wheel's copy, not the checkout
    assert (package / "theme" / "templates" / "base.html").is_file()
    assert (package / "theme" / "assets" / "style.css").is_file()
    assert (package / "starter" / "content" / "codebook.yaml").is_file()
    assert (package / "starter" / "dot-github" / "workflows" / "livingreview.yml").is_file()


def test_init_check_and_build_from_the_wheel_in_an_empty_folder(installed, tmp_path):
    livingreview(installed, "init", "myreview", cwd=tmp_path)
    review = tmp_path / "myreview"
    assert (review / ".github" / "workflows" / "livingreview.yml").is_file()
    assert (review / ".pre-commit-config.yaml").is_file() and (review / "README.md").is_file()
    assert not any(review.rglob("*.py"))  # no engine code in the review's folder
    assert "no problems" in livingreview(installed, "check", cwd=review).stdout
    livingreview(installed, "build", cwd=review)
    pages = [p for p in (review / "site").rglob("*") if p.is_file()]
    assert (review / "site" / "index.html").is_file() and (review / "site" / "figures" / "designs.svg").is_file()
    text = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in pages).casefold()
    for word in ("peer worker", "peer-worker", "co-creation", "åkerblom", "akerblom", "mental health"):
        assert word not in text, word


def test_a_second_review_with_its_own_codebook_builds_from_the_wheel(installed, tmp_path):
    livingreview(installed, "init", "other", cwd=tmp_path)
    review = tmp_path / "other"
    shutil.rmtree(review / "content")
    shutil.rmtree(review / "studies")
    shutil.copytree(FIXTURE / "content", review / "content")
    shutil.copytree(FIXTURE / "studies", review / "studies")
    livingreview(installed, "check", cwd=review)
    livingreview(installed, "build", cwd=review)
    table = (review / "site" / "studies" / "index.html").read_text(encoding="utf-8")
    assert "Community involvement" in table and '<input type="checkbox" name="involvement" value="leading">' in table
    data = (review / "site" / "studies" / "table-data.js").read_text(encoding="utf-8")
    assert '"key":"involvement"' in data and '"leading"' in data
    assert (review / "site" / "figures" / "map.svg").is_file()
