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


def test_a_drawing_is_cropped_to_no_less_than_what_matplotlib_draws(codebook):
    """The crop is measured before the figure is drawn (matplotlib's "tight" crop draws it once more to
    measure): for every figure of the fixture review, of every kind, it holds all that is then drawn."""
    from livingreview.figures import KINDS
    from livingreview.figures.drawing import laid_out
    from livingreview.pipeline import plan
    from livingreview.project import Project

    figures = plan(Project(FIXTURE)).figures[-1]
    assert {figure.kind for figure in figures} == {"flow", "bar", "stacked-by-year", "gap-map", "ladder"}
    for figure in figures:
        kind = KINDS[figure.kind]
        canvas = laid_out(figure, kind.draw, kind.size(figure))
        crop = canvas.get_tightbbox()
        canvas.draw_without_rendering()
        drawn = canvas.get_tightbbox()
        point = 1 / 72  # inches
        assert (crop.x0 <= drawn.x0 + point and crop.y0 <= drawn.y0 + point and crop.x1 >= drawn.x1 - point
                and crop.y1 >= drawn.y1 - point), (figure.key, crop, drawn)
