"""`check` imports only what it uses: never matplotlib (figures are drawn only by build) or markdown-it (no
page's Markdown is rendered), and the title comparison (rapidfuzz) only when some title is new since the last
run and near enough to another to be compared. `build` imports nothing when the site is up to date, and
otherwise starts its drawing process before it imports the pipeline."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import REPO, write_study

PROBE = """
import json, sys
from livingreview.cli import main
code = main(["--root", sys.argv[1], "check"])
print(json.dumps({"code": code, "modules": sorted(m.split(".")[0] for m in sys.modules)}))
"""


def _check_imports(review: Path) -> tuple[int, set[str]]:
    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", PROBE, str(review)], capture_output=True, text=True,
                          env=environment, check=False)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return result["code"], set(result["modules"])


def test_check_never_imports_matplotlib(scratch_review):
    assert not (scratch_review / ".cache").exists()
    code, modules = _check_imports(scratch_review)
    assert code == 0
    assert "matplotlib" not in modules
    assert "markdown_it" not in modules  # a page's problems are all found before its Markdown is rendered
    code, modules = _check_imports(scratch_review)  # now with .cache/ from the first run
    assert code == 0
    assert "matplotlib" not in modules


def test_titles_are_compared_by_rapidfuzz_only_when_new_and_near_enough_to_be_alike(scratch_review):
    code, modules = _check_imports(scratch_review)
    assert code == 0 and "rapidfuzz" not in modules  # no two titles of a year have characters near enough
    # the same letters as another study's title of the same year: near enough to be compared, yet not alike
    write_study(scratch_review, "gardner-2020", title="community its with garden hospital a Planning")
    code, modules = _check_imports(scratch_review)
    assert code == 0 and "rapidfuzz" in modules
    code, modules = _check_imports(scratch_review)
    assert code == 0 and "rapidfuzz" not in modules  # no title is new: nothing to compare


BUILD_PROBE = """
import json, sys
from livingreview.cli import main
code = main(["--root", sys.argv[1], "build"])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def test_a_build_with_nothing_to_do_imports_no_stage(scratch_review):
    """An unchanged review is found up to date before anything that renders, draws or makes studies is imported."""
    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    runs = [subprocess.run([sys.executable, "-c", BUILD_PROBE, str(scratch_review)], capture_output=True, text=True,
                           env=environment, check=False) for _ in range(2)]
    first, second = (json.loads(run.stdout.strip().splitlines()[-1]) for run in runs)
    assert first["code"] == second["code"] == 0
    assert "livingreview.pipeline" in first["modules"]  # the first build did the work
    assert "up to date" in runs[1].stdout
    for module in ("livingreview.pipeline", "livingreview.study", "jinja2", "matplotlib", "ctypes"):
        assert module not in second["modules"]


DRAWER_PROBE = """
import json, sys
import livingreview.parallel as parallel
started = []
ready = parallel.Standby.__init__
def recorded(self, *args, **kwargs):
    started.append("livingreview.pipeline" in sys.modules)
    ready(self, *args, **kwargs)
parallel.Standby.__init__ = recorded
from livingreview.cli import main
code = main(["--root", sys.argv[1], "build"])
print(json.dumps({"code": code, "pipeline_imported_first": started}))
"""


def test_a_build_starts_its_drawing_process_before_it_imports_the_pipeline(scratch_review):
    """So that the drawing process's import of matplotlib overlaps with the pipeline's (one process a build)."""
    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", DRAWER_PROBE, str(scratch_review)], capture_output=True,
                          text=True, env=environment, check=False)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["code"] == 0
    assert result["pipeline_imported_first"] == [False]
