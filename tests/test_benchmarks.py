"""The benchmark script (benchmarks/): its report's notes from hand-made measurements, the coding edit
it times, and the synthetic studies it builds, which follow whatever codebook the review they copy has.

The synthetic corpora here are built from the fixture review (tests/fixtures/review), so what the tests
expect is worked out from its codebook, figures, site settings and baseline.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import FIXTURE, make_scratch_review, write_yaml
from scratch import make_review, study

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

import launcher  # noqa: E402
import synthetic  # noqa: E402
from run import (  # noqa: E402
    Corpus,
    Reading,
    Sample,
    Series,
    SetAside,
    coding_edit,
    corpus_table,
    field_to_edit,
    measure,
    page_weight,
    redraw_note,
    report,
    sampler_note,
    serial_coding_edits,
    stop_launcher,
    targets,
)


def series(*walls: float) -> Series:
    return Series([Sample(wall, 50.0, wall, "", "", 50.0, 1) for wall in walls])


def corpus(**medians: float) -> Corpus:
    """The repository's review with three runs per operation around the given medians."""
    return Corpus("The repository's review (3 studies)", Path("."), 3, synthetic=False,
                  series={name: series(value, value + 0.2, value - 0.1) for name, value in medians.items()})


# --- the report --------------------------------------------------------------------------------

def measured_corpus(studies: int, cold: float, probes: list[float]) -> Corpus:
    return Corpus(f"{studies:,} synthetic studies", Path("."), studies, synthetic=True,
                  series={"cold": series(cold, cold + 0.5, cold - 0.5)}, probes=probes)


def test_the_growth_target_gives_the_speed_of_the_machine_as_each_corpus_began():
    growth = targets([measured_corpus(10000, 6.0, [0.40, 0.41]), measured_corpus(100000, 75.0, [0.46, 0.45])])[-1]
    assert growth.measured == "0.60 → 0.75 ms per study (1.25×; speed probe as each began: 0.400 and 0.460 s)"
    assert growth.met is False
    unprobed = targets([measured_corpus(10000, 6.0, []), measured_corpus(100000, 66.0, [])])[-1]
    assert unprobed.measured == "0.60 → 0.66 ms per study (1.10×)" and unprobed.met is True


def test_the_comparison_with_hugo_gives_each_run_s_ratio():
    close = Corpus("10,000 synthetic studies", Path("."), 10000, synthetic=True,
                   series={"cold": series(6.0, 6.5, 5.5), "hugo": series(6.2, 6.1, 5.8)})
    row = next(t for t in targets([close]) if t.text.startswith("10,000 synthetic studies: cold full build"))
    # medians 6.0 and 6.1; each run's ratio: 6.0/6.2, 6.5/6.1, 5.5/5.8
    assert row.measured == "6.00 s vs Hugo 6.10 s (ratio 0.98×; run by run 0.95–1.07×, ours no slower in 2 of 3)"
    assert row.met is True
    once = Corpus("10,000 synthetic studies", Path("."), 10000, synthetic=True,
                  series={"cold": series(6.0), "hugo": series(6.2)})
    row = next(t for t in targets([once]) if t.text.startswith("10,000 synthetic studies: cold full build"))
    assert row.measured == "6.00 s vs Hugo 6.20 s (ratio 0.97×)"


def test_a_corpus_says_how_fast_the_machine_ran_as_its_runs_began_and_ended():
    assert "Speed probe (see Machine) when these runs started: 0.432 s; when they ended: 0.478 s." \
        in corpus_table(measured_corpus(1000, 1.6, [0.432, 0.478]))
    assert "Speed probe" not in corpus_table(measured_corpus(1000, 1.6, []))


def test_the_note_gives_the_redraw_the_matplotlib_import_and_the_edit_in_serve():
    repo = corpus(edit=0.42, matplotlib=0.46)
    repo.serve["edit"] = [0.3, 0.2, 0.25]
    note = redraw_note([repo])
    assert "imports matplotlib and draws them: 0.420 s (median)" in note
    assert "that import alone took 0.460 s" in note
    assert "the edit took 0.250 s" in note


def test_the_note_leaves_out_what_was_not_measured():
    note = redraw_note([corpus(edit=0.42)])
    assert note.endswith("draws them: 0.420 s (median).")
    assert "import alone" not in note and "`serve`" not in note
    assert "verdict" not in note


def test_the_note_says_a_check_of_unchanged_files_gives_its_verdict_and_what_a_check_after_an_edit_costs():
    note = redraw_note([corpus(edit=0.42, check=0.12, edit_check=0.71)])
    assert "gives that verdict again: 0.120 s (median)" in note
    assert "after a one-study title edit it checks again, reusing what it can: 0.710 s" in note


def test_no_note_without_the_repository_s_review_or_its_coding_edit():
    assert redraw_note([Corpus("10 synthetic studies", Path("."), 10, synthetic=True)]) == ""
    assert redraw_note([corpus(text_edit=0.3)]) == ""


def test_the_corpus_notes_name_the_coding_edit_once_it_was_measured():
    edited = corpus(edit=0.42)
    edited.edited = "`role` in studies/nelson-2016.yaml"
    assert "The coding edit gives `role` in studies/nelson-2016.yaml another allowed value" in corpus_table(edited)
    unmeasured = corpus(text_edit=0.3)
    unmeasured.edited = "`role` in studies/nelson-2016.yaml"
    assert "coding edit" not in corpus_table(unmeasured)


def test_the_report_has_no_drawing_server():
    # The drawing server is gone from the engine: no measurement, column or note of it is left.
    repo = corpus(fresh_check=0.2, check=0.2, cold=1.0, unchanged=0.1, text_edit=0.3, edit=0.5, matplotlib=0.4)
    big = Corpus("1,000 synthetic studies", Path("."), 1000, synthetic=True,
                 series={name: series(2.0) for name in ("fresh_check", "check", "cold", "unchanged", "text_edit",
                                                        "edit")})
    text = report([repo, big], "benchmarks/run.py --quick", {"CPU": "test"}, "not installed", 3,
                  "2026-01-01 00:00 UTC", ("0", "0"), 60.0, "0123456789ab")
    assert "rebuild, coding edit (s)" in text
    assert "drawing server" not in text.lower() and "drawing-server" not in text.lower()


# --- the coding edit -----------------------------------------------------------------------------

def test_the_coding_edit_changes_a_field_a_figure_shows_to_values_no_rule_constrains(tmp_path):
    # The fixture's study table lists involvement first, and figures show it (the gap map and the ladder), but a
    # rule makes it follow from the stages (a community that shares the harvest does not lead the garden): an edit
    # of it could break that rule, so the edit takes the next single field a figure shows, the design.
    root = make_scratch_review(tmp_path / "review")
    assert field_to_edit(root) == ("design", ["trial", "survey", "qualitative", "case-study"])
    # Without that rule, involvement comes first; the other rule makes `leading` need early stages, so only
    # consulted and collaborating are safe.
    codebook = yaml.safe_load((root / "content" / "codebook.yaml").read_text(encoding="utf-8"))
    codebook["rules"] = [r for r in codebook["rules"] if r["then"]["field"] != "involvement"]
    assert len(codebook["rules"]) == 1
    write_yaml(root / "content" / "codebook.yaml", codebook)
    assert field_to_edit(root) == ("involvement", ["consulted", "collaborating"])


def test_the_coding_edit_rewrites_only_the_coded_value_and_the_study_stays_valid(tmp_path, run_check):
    evidence = {"evidence": {"design": "A case study (methods)."}}
    root = make_scratch_review(tmp_path / "review", {
        "adams-2018": {}, "baker-2020": {"codes": {"design": "case-study", "stages": ["planning"]}, **evidence},
        "chen-2021": {}})
    edit = coding_edit(root)  # the design (see above)
    assert edit.path == root / "studies" / "baker-2020.yaml"  # the middle study file by name
    before = yaml.safe_load(edit.path.read_text(encoding="utf-8"))
    # each run takes another value than the study has: from case-study to trial, then (of the others) qualitative
    assert edit.apply(0) == "trial" and edit.apply(1) == "qualitative"
    after = yaml.safe_load(edit.path.read_text(encoding="utf-8"))
    assert after["codes"]["design"] == "qualitative"
    assert after["evidence"] == before["evidence"]
    del before["codes"]["design"], after["codes"]["design"]
    assert after == before
    assert run_check(root).code == 0


def test_serve_s_coding_edits_each_leave_counts_no_earlier_build_had(tmp_path, run_check):
    # In one running serve, an edit back to an earlier state would find its figures drawn already: each edit
    # moves another study from the commonest value to another, so the counts never repeat.
    root = synthetic.generate(40, seed=3, out=tmp_path / "synthetic", source=FIXTURE)
    key, _ = field_to_edit(root)

    def counts() -> dict[str, int]:
        found: dict[str, int] = {}
        for path in (root / "studies").glob("*.yaml"):
            value = str(yaml.safe_load(path.read_text(encoding="utf-8"))["codes"].get(key))
            found[value] = found.get(value, 0) + 1
        return found

    edits = serial_coding_edits(root, 3)
    assert len({edit.path for edit in edits}) == 3
    states = [counts()]
    for run, edit in enumerate(edits):
        edit.apply(run)
        states.append(counts())
    assert all(states[i] != states[j] for i in range(4) for j in range(i))
    assert run_check(root).code == 0


# --- synthetic studies ---------------------------------------------------------------------------

def test_synthetic_studies_follow_the_copied_review_s_codebook_and_pass_check(tmp_path, run_check):
    root = synthetic.generate(40, seed=3, out=tmp_path / "synthetic", source=FIXTURE)
    result = run_check(root)
    assert result.code == 0, result.err
    codebook = yaml.safe_load((FIXTURE / "content" / "codebook.yaml").read_text(encoding="utf-8"))
    fields = {f["key"]: f for f in codebook["fields"]}
    required = {key for key, f in fields.items() if f.get("required")}
    studies = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((root / "studies").glob("*.yaml"))]
    assert len(studies) == 40 and all(s["title"].startswith("[synthetic] ") for s in studies)
    for data in studies:
        assert required <= set(data["codes"]) <= set(fields)
    # the fixture's baseline included 5 studies: the first 5 synthetic ones
    assert [s["in_baseline"] for s in studies] == [True] * 5 + [False] * 35


def test_synthetic_studies_of_a_review_without_a_baseline_have_no_in_baseline(tmp_path, run_check):
    source = make_scratch_review(tmp_path / "source")  # no baseline.yaml
    root = synthetic.generate(12, out=tmp_path / "synthetic", source=source)
    assert not any("in_baseline" in p.read_text(encoding="utf-8") for p in (root / "studies").glob("*.yaml"))
    result = run_check(root)
    assert result.code == 0, result.err


def test_synthetic_study_i_is_the_same_whatever_the_size(tmp_path):
    small = synthetic.generate(6, out=tmp_path / "small", source=FIXTURE)
    large = synthetic.generate(30, out=tmp_path / "large", source=FIXTURE)
    for path in sorted((small / "studies").glob("*.yaml")):
        assert path.read_bytes() == (large / "studies" / path.name).read_bytes()


def test_synthetic_studies_are_never_written_into_the_repository(tmp_path):
    target = REPO / "benchmarks" / "synthetic-test-output"
    with pytest.raises(SystemExit, match="refusing to write synthetic studies"):
        synthetic.generate(3, out=target, source=FIXTURE)
    assert not target.exists()


def test_the_hugo_site_has_the_columns_of_the_review_s_study_table(tmp_path):
    # The fixture's site.yaml lists the columns involvement, design, stages and region.
    root = make_review(tmp_path / "review", [study("alpha-2019", 2019, location=["CA", "GB"], involvement="leading",
                                                   stages=["planning"], design="trial")])
    out = synthetic.write_hugo_site(root, tmp_path / "hugo")
    config = (out / "hugo.toml").read_text(encoding="utf-8")
    assert 'columns = ["Community involvement", "Design", "Garden stages", "Region"]' in config
    front = front_matter(out / "content" / "studies" / "alpha-2019.md")
    assert front["show"] == ["Leading", "Trial", "Planning", "Europe, Americas"]  # regions in codebook order
    assert sorted(p.name for p in (out / "static" / "assets").iterdir()) == ["site.js", "style.css"]


def front_matter(path: Path) -> dict[str, Any]:
    """The JSON front matter Hugo reads from a page of the benchmark's Hugo site."""
    data, _ = json.JSONDecoder().raw_decode(path.read_text(encoding="utf-8"))
    return data


def test_the_benchmark_copies_a_review_s_templates_only_when_it_has_them(tmp_path):
    # The fixture review has no templates/ (the engine's theme is in the package): none is made up.
    root = synthetic.generate(2, out=tmp_path / "synthetic", source=FIXTURE)
    assert not (root / "templates").exists()
    source = make_scratch_review(tmp_path / "source")
    (source / "templates").mkdir()
    (source / "templates" / "README.md").write_text("Our own templates.\n", encoding="utf-8")
    shutil.rmtree(root)
    root = synthetic.generate(2, out=tmp_path / "synthetic", source=source)
    assert (root / "templates" / "README.md").read_text(encoding="utf-8") == "Our own templates.\n"



# --- reading the site in a browser (--browser) ---------------------------------------------------

def _big(reading: Reading | None) -> Corpus:
    return Corpus("10,000 synthetic studies", Path("."), 10000, synthetic=True, browser=reading,
                  series={name: series(20.0) for name in ("fresh_check", "check", "cold", "unchanged", "text_edit",
                                                          "edit")})


def _targets(text: str) -> dict[str, str]:
    return {line.split(" | ")[0].strip("| "): line.rsplit(" | ", 1)[1].strip(" |")
            for line in text.splitlines() if line.startswith("| 10,000 synthetic studies:")}


def test_the_browser_targets_are_checked_against_the_reading_of_10000_studies():
    reading = Reading(table_first_view=250_000, table_after=600_000, home=210_000, home_raw=500_000,
                      ready_ms=2000.0, keystrokes=[40.0, 60.0, 150.0], clicks=[90.0, 120.0, 130.0])
    text = report([_big(reading)], "benchmarks/run.py --browser", {"CPU": "test"}, "not installed", 1,
                  "2026-01-01 00:00 UTC", ("0", "0"), 60.0, "0123456789ab")
    found = _targets(text)
    first = next(k for k in found if "first view" in k)
    keystroke = next(k for k in found if "keystroke" in k)
    click = next(k for k in found if "filter click" in k)
    home = next(k for k in found if "home page" in k)
    assert (found[first], found[keystroke], found[click], found[home]) == ("**met**", "**met**", "**not met**",
                                                                           "**not met**")
    assert "250.0 KB gz (then 600 KB gz of rows)" in text and "60.0 ms (median of 3; max 150 ms)" in text
    assert "## Reading the site in Chromium (4× CPU throttling)" in text


def test_without_a_browser_the_browser_targets_are_not_measured():
    text = report([_big(None)], "benchmarks/run.py", {"CPU": "test"}, "not installed", 1,
                  "2026-01-01 00:00 UTC", ("0", "0"), 60.0, "0123456789ab")
    browser = {k: v for k, v in _targets(text).items() if "Chromium" in k or "first view" in k or "home" in k}
    assert len(browser) == 4 and set(browser.values()) == {"not measured"}
    assert "Reading the site in Chromium" not in text


def test_a_page_weighs_what_it_needs_for_its_first_view(tmp_path):
    import gzip

    site = tmp_path / "site"
    (site / "assets").mkdir(parents=True)
    (site / "studies").mkdir()
    (site / "assets" / "style.css").write_text("body { margin: 0 }\n" * 50)
    (site / "assets" / "site.js").write_text("var x = 1;\n" * 50)
    (site / "studies" / "rows.js").write_text("window.rows = [];\n" * 500)
    (site / "studies" / "index.html").write_text(
        '<link rel="stylesheet" href="../assets/style.css"><script src="../assets/site.js" defer></script>'
        '<table data-rows="rows.js?v=1"></table><img src="../figure.svg">')
    first, raw, after = page_weight(site, "studies/index.html", images=False)
    sizes = {name: len(gzip.compress((site / name).read_bytes(), 6, mtime=0))
             for name in ("studies/index.html", "assets/style.css", "assets/site.js", "studies/rows.js")}
    assert first == sizes["studies/index.html"] + sizes["assets/style.css"] + sizes["assets/site.js"]
    assert after == sizes["studies/rows.js"]
    assert raw == sum((site / name).stat().st_size for name in ("studies/index.html", "assets/style.css",
                                                                 "assets/site.js"))


def test_what_a_measurement_starts_without_is_moved_aside_and_deleted_at_the_end(tmp_path):
    root = tmp_path / "corpus"
    (root / "site" / "studies").mkdir(parents=True)
    (root / "site" / "studies" / "a.html").write_text("a", encoding="utf-8")
    (root / ".cache").mkdir()
    set_aside = SetAside(tmp_path / "set-aside")
    for folder in ("site", ".site-spare", ".cache"):  # one that is not there is passed over
        set_aside(root / folder)
    assert not (root / "site").exists() and not (root / ".cache").exists()
    assert sorted(p.relative_to(tmp_path).as_posix() for p in (tmp_path / "set-aside").rglob("*.html")) == [
        "set-aside/1/studies/a.html"]
    (root / "site").mkdir()  # the next build makes it again; it is moved aside beside the first
    set_aside(root / "site")
    assert len(list((tmp_path / "set-aside").iterdir())) == 3
    set_aside.empty()
    assert not (tmp_path / "set-aside").exists() and root.is_dir()


def test_a_measurement_finds_the_memory_a_process_held_and_what_sampling_it_cost(tmp_path):
    held = "import time; block = bytearray(300 * 2**20); block[::4096] = b'x' * len(block[::4096]); time.sleep(1)"
    try:
        sample = measure([sys.executable, "-c", held], tmp_path)
    finally:
        stop_launcher()
    assert sample.peak_mib >= 300 and sample.processes == 1
    assert 0 < sample.sampler_cpu < sample.wall


class _Waits:
    """A stand-in for the sampler's `done` event: records each wait, and is set after `readings` of them."""

    def __init__(self, readings: int):
        self.readings, self.waits = readings, []

    def is_set(self) -> bool:
        return len(self.waits) >= self.readings

    def wait(self, seconds: float) -> bool:
        self.waits.append(seconds)
        return self.is_set()


def test_the_memory_sampler_waits_in_proportion_to_what_its_readings_cost():
    costs = [0.0001, 0.001, 0.0066, 0.02]  # CPU seconds of each reading: a small process, then ever larger ones
    ticks = iter([t for cost in costs for t in (10.0, 10.0 + cost)])  # the clock before and after each reading
    read_pids, peak = [], {"pss_kib": 0, "processes": 0, "sampler_cpu": 0.0}
    waits = _Waits(len(costs))
    launcher.sample(4242, waits, peak, read=lambda pid, found: read_pids.append(pid), clock=lambda: next(ticks))
    assert read_pids == [4242] * 4
    assert waits.waits == pytest.approx([0.05, 0.05, 0.33, 1.0])  # never less than 50 ms, else 50 x the cost
    assert peak["sampler_cpu"] == pytest.approx(sum(costs))
    assert all(cost / (cost + wait) <= 1 / 51 + 1e-12 for cost, wait in zip(costs, waits.waits, strict=True))


def test_the_launcher_reads_the_memory_of_a_process_and_its_children():
    # The child says when it runs Python: until it has, a forked child shares its pages with this process.
    child = subprocess.Popen([sys.executable, "-c", "import time; print('ready', flush=True); time.sleep(30)"],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline() == "ready\n"
        peak = {"pss_kib": 0, "processes": 0, "sampler_cpu": 0.0}
        launcher.read_tree(os.getpid(), peak)
        assert peak["processes"] >= 2 and child.pid in launcher.tree(os.getpid())
        assert peak["pss_kib"] > launcher.pss_kib(os.getpid()) > 0  # this process's PSS and its child's, summed
    finally:
        child.kill()
        child.wait()


def test_the_method_says_what_the_memory_sampler_cost_in_the_run():
    measured = Series([Sample(1.0, 50.0, 3.0, "", "", 50.0, 1, 0.02), Sample(1.0, 50.0, 5.0, "", "", 50.0, 1, 0.06)])
    big = Corpus("10,000 synthetic studies", Path("."), 10000, synthetic=True, series={"cold": measured})
    # 0.08 s of sampling against 8.7 s of commands: 3 + 5 here, 0.2 + 0.4 + 0.1 in the review's checks
    assert sampler_note([corpus(check=0.2), big]) == (
        "- **Sampling in this run.** The memory sampler used 0.1 s of CPU in all (0.9 % of the CPU time of the "
        "commands measured).\n")
