"""The build end to end, on a tiny review in a temporary folder."""

import gc
import hashlib
import re
from pathlib import Path

import pytest

from livingreview.cli import main
from scratch import make_review, study, write_study


def build(root: Path) -> int:
    return main(["--root", str(root), "build"])


def snapshot(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(site.rglob("*")) if p.is_file()}


@pytest.fixture
def review(tmp_path):
    return make_review(tmp_path / "review", [
        study("alpha-2019", 2019, role="peer-support", phases=["delivery"], country=["US"]),
        study("beta-2020", 2020, role="pre-determined", phases=["delivery"], country=["GB"]),
        study("gamma-2021", 2021, role="peer-support", phases=["commissioning", "delivery"], country=["AU"]),
    ])


def test_recoding_one_study_changes_the_home_number_the_figure_data_and_the_filtered_list(review):
    assert build(review) == 0
    home = (review / "site" / "index.html").read_text()
    assert "2 describe peer support" in home
    assert "Provider of peer support,2,66.7" in (review / "site/figures/roles.csv").read_text()
    table = (review / "site/studies/index.html").read_text()
    assert re.search(r'id="row-beta-2020"[^>]*data-role="pre-determined"', table)

    write_study(review, study("beta-2020", 2020, role="peer-support", phases=["delivery"], country=["GB"]))
    assert build(review) == 0
    home = (review / "site" / "index.html").read_text()
    assert "3 describe peer support" in home
    assert "(100.0\u202f% of 3 coded)" in home
    assert "Provider of peer support,3,100.0" in (review / "site/figures/roles.csv").read_text()
    table = (review / "site/studies/index.html").read_text()
    assert re.search(r'id="row-beta-2020"[^>]*data-role="peer-support"', table)
    gap_map = (review / "site/figures/gap-map.html").read_text()
    cell = gap_map.split('id="cell-peer-support-delivery"')[1].split("</section>")[0]
    assert "beta-2020.html" in cell


def test_two_builds_of_the_same_input_are_byte_identical(review, tmp_path):
    assert build(review) == 0
    first = snapshot(review / "site")
    other = make_review(tmp_path / "other", [])
    for path in (review / "studies").iterdir():
        (other / "studies" / path.name).write_bytes(path.read_bytes())
    assert build(other) == 0  # a fresh folder: no figure cache, every figure drawn again
    assert snapshot(other / "site") == first
    assert any(name.endswith(".svg") for name in first)


def test_unchanged_rebuild_rewrites_nothing(review, capsys):
    assert build(review) == 0
    mtimes = {p: p.stat().st_mtime_ns for p in (review / "site").rglob("*") if p.is_file()}
    capsys.readouterr()
    assert main(["--root", str(review), "build", "--force"]) == 0  # render everything again
    assert "(0 written, " in capsys.readouterr().out
    assert {p: p.stat().st_mtime_ns for p in mtimes} == mtimes


def test_a_build_with_no_changed_input_is_skipped_and_any_change_builds_again(review, capsys):
    assert build(review) == 0
    capsys.readouterr()
    assert build(review) == 0
    assert "site/ is up to date" in capsys.readouterr().out
    template = review / "templates" / "page.html"
    template.write_text(template.read_text().replace("<h1>{{ page.title }}</h1>", "<h1>About: {{ page.title }}</h1>"))
    assert build(review) == 0
    assert "1 written" in capsys.readouterr().out
    assert "<h1>About: About</h1>" in (review / "site" / "about.html").read_text()
    (review / "site" / "about.html").unlink()  # output damaged by hand: built again
    assert build(review) == 0
    assert "up to date" not in capsys.readouterr().out
    assert (review / "site" / "about.html").exists()


def test_an_invalid_study_stops_the_build_and_leaves_the_previous_site(review, capsys):
    assert build(review) == 0
    before = snapshot(review / "site")
    (review / "studies" / "beta-2020.yaml").write_text("id: beta-2020\ntitle: [unclosed\n")
    assert build(review) == 1
    err = capsys.readouterr().err
    assert "studies/beta-2020.yaml:3:1: YAML syntax error" in err
    assert "Traceback" not in err
    assert snapshot(review / "site") == before


def test_builds_leave_the_garbage_collector_as_they_found_it(review):
    # A build pauses collection while reading and keeps the review out of it while rendering;
    # a long-running `serve` must get both back, whether the build succeeded or failed.
    assert gc.isenabled() and gc.get_freeze_count() == 0
    assert build(review) == 0
    assert gc.isenabled() and gc.get_freeze_count() == 0
    (review / "studies" / "beta-2020.yaml").write_text("id: beta-2020\ntitle: [unclosed\n")
    assert build(review) == 1  # fails while reading
    assert gc.isenabled() and gc.get_freeze_count() == 0
    write_study(review, study("beta-2020", 2020, role="pre-determined", phases=["delivery"], country=["GB"]))
    (review / "content" / "pages" / "about.md").write_text("---\ntitle: About\nnav: 9\n---\n{{ nonsense }}\n")
    assert build(review) == 1  # fails while rendering
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_a_build_that_fails_while_rendering_leaves_the_previous_site(review, capsys):
    assert build(review) == 0
    before = snapshot(review / "site")
    page = review / "content" / "pages" / "about.md"
    page.write_text("---\ntitle: About\nnav: 9\n---\nFine line.\n\nThere are {{ count('role', 'nonsense') }}.\n")
    assert build(review) == 1
    err = capsys.readouterr().err
    assert "content/pages/about.md:7:1: 'nonsense' is not a value of role" in err
    assert snapshot(review / "site") == before
    assert not list(review.glob(".site-*"))  # no staging folder left behind


def test_an_unknown_name_in_a_page_fails_with_its_line(review, capsys):
    page = review / "content" / "pages" / "about.md"
    page.write_text("---\ntitle: About\n---\n\nOne.\n\n{{ studies_total }}\n")
    assert build(review) == 1
    assert "content/pages/about.md:7:1: 'studies_total' is undefined" in capsys.readouterr().err


def test_markdown_from_contributors_renders_without_raw_html_or_unsafe_links(review):
    page = review / "content" / "pages" / "about.md"
    page.write_text("---\ntitle: About\n---\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) "
                    "[doi](https://doi.org/10.1/x)\n")
    assert build(review) == 0
    html = (review / "site" / "about.html").read_text()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html
    assert 'href="javascript:' not in html
    assert 'href="https://doi.org/10.1/x"' in html


def test_a_study_page_shows_each_field_as_coded_with_links_evidence_and_the_second_coding(tmp_path):
    coded = study("gamma-2021", 2021, role="peer-support", phases=["commissioning", "delivery"], country=["AU"])
    coded["evidence"] = {"role": "Methods: peers ran the groups."}
    coded["second_coding"] = {"coder": "O. N.", "codes": {"role": "pre-determined", "phases": ["delivery"]},
                              "resolved": {"role": "Agreed after re-reading."}}
    root = make_review(tmp_path / "review", [coded])
    assert build(root) == 0
    page = (root / "site" / "studies" / "gamma-2021.html").read_text(encoding="utf-8")
    rows = {re.search(r'<th scope="row">([^<]*)</th>', row).group(1): row
            for row in re.findall(r"<tr(?: class=\"not-coded\")?>.*?</tr>", page, re.S) if 'scope="row"' in row}
    role = rows["Peer-worker role"]
    assert '<a href="index.html?role=peer-support">Provider of peer support</a>' in role
    assert "<td>Methods: peers ran the groups.</td>" in role
    assert "Second coder (O. N.): pre-determined; resolved: Agreed after re-reading." in role
    assert ('<a href="index.html?phases=commissioning">Commissioning</a>, '
            '<a href="index.html?phases=delivery">Delivery</a>') in rows["Service-cycle phases"]
    assert "Second coder (O. N.): delivery<" in rows["Service-cycle phases"]
    assert '<a href="index.html?country=AU">Australia</a>' in rows["Country"]
    assert 'class="not-coded"' in rows["Study design"] and "not yet coded" in rows["Study design"]
    assert 'class="not-coded"' not in role
    derived = rows["Co-creation"]  # commissioning and delivery: a derived fact that holds
    assert '<a href="index.html?co_creation=true">Yes</a>' in derived and "<td>Derived: " in derived


def test_study_values_are_escaped(review):
    data = study("delta-2022", 2022)
    data["title"] = "A <b>bold</b> & risky title"
    write_study(review, data)
    assert build(review) == 0
    html = (review / "site" / "studies" / "delta-2022.html").read_text()
    assert "<b>bold</b>" not in html
    assert "A &lt;b&gt;bold&lt;/b&gt; &amp; risky title" in html


def test_a_cached_figure_is_redrawn_when_its_data_changes(review):
    assert build(review) == 0
    cache = review / ".cache" / "figures"
    before = {p.name for p in cache.glob("roles-*.svg")}
    svg_before = (review / "site/figures/roles.svg").read_bytes()
    write_study(review, study("beta-2020", 2020, role="peer-support", phases=["delivery"], country=["GB"]))
    assert build(review) == 0
    after = {p.name for p in cache.glob("roles-*.svg")}
    assert len(after) == 1 and after != before
    assert (review / "site/figures/roles.svg").read_bytes() != svg_before
    assert (review / "site/figures/per-year.svg").exists()


def test_matplotlib_is_started_early_when_a_figure_may_change_and_otherwise_only_once_one_is_missing(
        review, monkeypatch):
    import livingreview.draw

    early, started = [], []
    real_init, real_start = livingreview.draw.Drawer.__init__, livingreview.draw.Drawer._start

    def init(self, cache, start_now=True, **others):
        early.append(start_now)
        real_init(self, cache, start_now, **others)

    def start(self):
        started.append(True)
        real_start(self)

    monkeypatch.setattr(livingreview.draw.Drawer, "__init__", init)
    monkeypatch.setattr(livingreview.draw.Drawer, "_start", start)
    assert build(review) == 0
    assert early == [True] and started  # nothing drawn yet: matplotlib is imported while pages render
    early.clear(), started.clear()
    data = study("beta-2020", 2020, role="pre-determined", phases=["delivery"], country=["GB"])
    write_study(review, {**data, "title": "A retitled study"})
    assert build(review) == 0
    assert early == [False] and not started  # no figure changed: no drawing process at all
    early.clear()
    write_study(review, {**data, "title": "A study retitled again", "notes": "A note."})
    assert build(review) == 0
    assert early == [False] and not started
    early.clear()
    recoded = study("beta-2020", 2020, role="peer-support", phases=["delivery"], country=["GB"])
    write_study(review, recoded)
    assert build(review) == 0
    assert early == [True] and started  # a value a figure shows changed: matplotlib is imported at once
    early.clear(), started.clear()
    (review / ".cache" / "figure-inputs.json").write_text("{not json", encoding="utf-8")
    write_study(review, data)
    assert build(review) == 0
    assert early == [False] and started  # nothing to compare with: drawn once the figure is found missing
    early.clear(), started.clear()
    write_study(review, study("delta-2022", 2022, role="peer-support", phases=["delivery"], country=["GB"]))
    assert build(review) == 0
    assert early == [True] and started  # a study added: the counts change


def test_downloads_hold_every_study(review):
    assert build(review) == 0
    site = review / "site" / "data"
    assert (site / "studies.csv").read_text().count("\n") == 4  # header and three studies
    bib = (site / "references.bib").read_text()
    assert all(f"@article{{{i}," in bib for i in ("alpha-2019", "beta-2020", "gamma-2021"))
    assert (site / "references.ris").read_text().count("TY  - JOUR") == 3


def test_parsing_and_study_pages_on_two_processes_give_the_same_site(review, tmp_path, monkeypatch):
    """Large reviews parse, validate and render study pages on two processes (which stage the pages
    themselves) and build the study table a few rows at a time: the site is the same."""
    import livingreview.project
    import livingreview.render

    assert build(review) == 0
    serial = snapshot(review / "site")
    other = make_review(tmp_path / "parallel", [])
    for path in (review / "studies").iterdir():
        (other / "studies" / path.name).write_bytes(path.read_bytes())
    monkeypatch.setattr(livingreview.project, "PARALLEL_FROM", 1)
    monkeypatch.setattr(livingreview.render, "PARALLEL_FROM", 1)
    monkeypatch.setattr(livingreview.render, "TABLE_ROWS_AT_ONCE", 2)  # three studies: two pieces
    assert build(other) == 0
    assert snapshot(other / "site") == serial


def test_a_build_that_reuses_kept_studies_gives_the_site_a_fresh_build_gives(review, tmp_path, monkeypatch):
    import livingreview.checked

    monkeypatch.setattr(livingreview.checked, "REWRITE_FROM", 0)  # keep even three studies
    assert build(review) == 0
    assert (review / ".cache" / "studies-checked.pickle").is_file()
    write_study(review, study("beta-2020", 2020, role="peer-support", phases=["delivery"], country=["GB"]))
    assert build(review) == 0  # alpha and gamma come from .cache/, beta is read again
    reused = snapshot(review / "site")
    other = make_review(tmp_path / "other", [])
    for path in (review / "studies").iterdir():
        (other / "studies" / path.name).write_bytes(path.read_bytes())
    assert build(other) == 0
    assert snapshot(other / "site") == reused
