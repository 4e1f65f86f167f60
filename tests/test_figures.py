"""Figures beside the published review: shares of each, which one leads, and what each rests on."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from livingreview.aggregate import aggregate
from livingreview.codebook import Codebook, load_codebook
from livingreview.figures import FigureInputs, FigureSpec, figure_data, figure_svg
from livingreview.study import Author, Study

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "review"
NOT_CODED = "not yet coded"


@pytest.fixture(scope="module")
def codebook() -> Codebook:
    codebook, problems = load_codebook(FIXTURE / "content" / "codebook.yaml")
    assert problems == []
    return codebook


def make(study_id: str, design: str) -> Study:
    return Study(id=study_id, title=study_id, authors=(Author("X"),), year=2020, codes={"design": design})


# Four studies, two coded: one trial, one survey. The published review counted 3 trials and 1 survey of 10.
STUDIES = [make("a", "trial"), make("b", "survey"), make("c", NOT_CODED), make("d", NOT_CODED)]
PUBLISHED = {("design", "trial"): 3, ("design", "survey"): 1}


def designs(codebook: Codebook, threshold: float | None = None, published=PUBLISHED, total=10):
    settings = {"dimension": "design"} | ({"coverage_threshold": threshold} if threshold is not None else {})
    inputs = FigureInputs(aggregate(STUDIES, codebook), codebook, {}, published=published,
                          published_label="published 2020", published_total=total)
    return figure_data(FigureSpec("designs", "bar", "Designs", "By design.", settings), inputs)


def test_a_bar_figure_shows_the_published_share_beside_its_own(codebook):
    figure = designs(codebook)
    table = {row[0].text: [cell.text for cell in row[1:]] for row in figure.rows}
    assert figure.header[3:] == ("Studies, published 2020", "% of 10, published 2020")
    assert table["Trial"] == ["1", "50.0\u202f%", "3", "30.0\u202f%"]
    assert table["Survey"] == ["1", "50.0\u202f%", "1", "10.0\u202f%"]
    assert table["Qualitative"] == ["0", "0.0\u202f%", "", ""]  # the published review gave no count for it
    assert table["Not yet coded"][0] == "2"
    assert figure.plot["published_percents"][:2] == [30.0, 10.0]


def test_below_the_coverage_threshold_the_published_distribution_leads(codebook):
    # 2 of 4 studies coded is 50 %: below a threshold of 60 the published counts lead; at 50 they do not.
    leading = designs(codebook, threshold=60)
    assert leading.plot["leads"] == "published"
    assert "coded so far" in leading.plot["edition_label"]
    following = designs(codebook, threshold=50)
    assert following.plot["leads"] == "edition"
    assert "coded so far" not in following.plot["edition_label"]


def test_a_figure_says_on_the_image_how_many_studies_it_rests_on(codebook):
    svg = figure_svg(designs(codebook)).decode("utf-8")
    assert "Coded for 2 of 4 studies" in svg
    assert "Published 2020 (10 studies)" in svg


def test_without_a_published_count_the_figure_counts_studies_on_whole_numbers(codebook):
    figure = designs(codebook, published={})
    assert len(figure.header) == 3 and figure.plot["orientation"] == "horizontal"
    svg = figure_svg(figure).decode("utf-8")
    ticks = re.findall(r'<g id="xtick_\d+">.*?<text[^>]*>([^<]*)</text>', svg, re.DOTALL)
    assert ticks and all("." not in tick for tick in ticks), ticks  # no 0.25 of a study on the count axis


@pytest.mark.parametrize("threshold", ["half", 150, -1, True])
def test_check_refuses_a_coverage_threshold_that_is_not_a_percentage(scratch_review, run_check, threshold):
    figures = scratch_review / "content" / "figures.yaml"
    text = figures.read_text(encoding="utf-8")
    figures.write_text(text.replace("    dimension: design\n", f"    dimension: design\n"
                                    f"    coverage_threshold: {threshold}\n", 1), encoding="utf-8")
    line = 1 + figures.read_text(encoding="utf-8").split("\n").index(f"    coverage_threshold: {threshold}")
    result = run_check(scratch_review)
    assert result.code == 1
    assert f"content/figures.yaml:{line}:" in result.err and "percentage from 0 to 100" in result.err


def test_check_accepts_a_coverage_threshold(scratch_review, run_check):
    figures = scratch_review / "content" / "figures.yaml"
    text = figures.read_text(encoding="utf-8")
    declared = text.replace("    dimension: design\n", "    dimension: design\n    coverage_threshold: 75\n", 1)
    figures.write_text(declared, encoding="utf-8")
    assert run_check(scratch_review).code == 0


def _texts(svg: str) -> dict[str, tuple[float, float]]:
    """Each text of an SVG drawn by matplotlib (its content, first of a kind) at its anchor point."""
    found: dict[str, tuple[float, float]] = {}
    for x, y, text in re.findall(r'<text [^>]*?x="([-\d.]+)" y="([-\d.]+)"[^>]*>([^<]*)<', svg):
        found.setdefault(text, (float(x), float(y)))
    return found


def _view(svg: str) -> tuple[float, float, float, float]:
    found = re.search(r'<svg [^>]*?width="([\d.]+)pt" height="([\d.]+)pt" viewBox="([-\d. ]+)"', svg)
    assert found, svg[:400]
    x, y, width, height = map(float, found.group(3).split())
    assert (width, height) == (float(found.group(1)), float(found.group(2)))  # a point is a user unit
    return x, y, width, height


def test_a_drawing_is_cropped_as_matplotlib_crops_it_and_shows_a_white_background(codebook):
    """The image is cut to what is drawn, with the margin matplotlib's own crop (`bbox_inches="tight"`)
    leaves: for every figure of the fixture review, of every kind, each text sits where it sits in
    matplotlib's cropped image, and the image is as large; the background fills all of it."""
    import io

    from livingreview.figures import KINDS
    from livingreview.figures.drawing import laid_out
    from livingreview.pipeline import plan
    from livingreview.project import Project

    figures = plan(Project(FIXTURE)).figures[-1]
    assert {figure.kind for figure in figures} == {"flow", "bar", "stacked-by-year", "gap-map", "ladder"}
    point = 1.0
    for figure in figures:
        ours = figure_svg(figure).decode("utf-8")
        kind = KINDS[figure.kind]
        out = io.StringIO()
        laid_out(figure, kind.draw, kind.size(figure)).savefig(out, format="svg", bbox_inches="tight",
                                                               pad_inches=0.12)
        theirs = out.getvalue()
        x0, y0, width, height = _view(ours)
        _, _, their_width, their_height = _view(theirs)
        assert abs(width - their_width) <= point and abs(height - their_height) <= point, figure.key
        placed, expected = _texts(ours), _texts(theirs)
        assert placed.keys() == expected.keys() and len(placed) >= 2, figure.key
        for text, (x, y) in placed.items():
            assert abs(x - x0 - expected[text][0]) <= point and abs(y - y0 - expected[text][1]) <= point, (
                figure.key, text)
        background = re.search(r'<g id="patch_1">\s*<path d="([^"]*)" style="fill: #ffffff"', ours)
        assert background, figure.key
        corners = [tuple(map(float, pair)) for pair in re.findall(r"([-\d.]+) ([-\d.]+)", background.group(1))]
        xs, ys = [c[0] for c in corners], [c[1] for c in corners]
        assert min(xs) <= x0 + 0.01 and max(xs) >= x0 + width - 0.01, figure.key
        assert min(ys) <= y0 + 0.01 and max(ys) >= y0 + height - 0.01, figure.key


def _fixture_figure(key: str):
    from livingreview.pipeline import plan
    from livingreview.project import Project

    return next(figure for figure in plan(Project(FIXTURE)).figures[-1] if figure.key == key)


def test_a_stacked_bar_figure_draws_each_series_on_the_ones_below_it():
    from livingreview.figures import KINDS
    from livingreview.figures.drawing import laid_out

    figure = _fixture_figure("settings-by-year")
    series = figure.plot["series"]
    assert len(series) >= 2 and any(sum(s["values"]) for s in series[1:])
    canvas = laid_out(figure, KINDS[figure.kind].draw, KINDS[figure.kind].size(figure))
    ax = canvas.axes[0]
    bottom = [0] * len(figure.plot["years"])
    for drawn, expected in zip(ax.collections, series, strict=True):
        bars = sorted((round(box.x0, 6), round(box.y0, 6), round(box.y1, 6))
                      for box in (path.get_extents() for path in drawn.get_paths()))
        wanted = [(round(x - 0.4, 6), low, low + value)
                  for x, (low, value) in enumerate(zip(bottom, expected["values"], strict=True)) if value]
        assert bars == wanted, expected["label"]
        bottom = [b + v for b, v in zip(bottom, expected["values"], strict=True)]
    low, high = ax.get_ylim()
    assert low == 0 and high >= max(bottom)  # the count axis starts at 0 and holds the tallest stack
    assert [text.get_text() for text in ax.get_legend().get_texts()] == [s["label"] for s in series]


def test_the_footnote_of_a_figure_of_several_values_per_study_reads_as_one_sentence():
    svg = figure_svg(_fixture_figure("settings-by-year")).decode("utf-8")
    assert "All 5 studies coded; a study may count under several values<" in svg
