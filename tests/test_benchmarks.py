"""The benchmark report's note on rebuilds that redraw figures, from hand-made measurements."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from run import Corpus, Sample, Series, redraw_note  # noqa: E402


def corpus(edit: float, matplotlib: float, serve: list[float] | None = None) -> Corpus:
    def series(*walls: float) -> Series:
        return Series([Sample(wall, 50.0, wall, "", "", 50.0, 1) for wall in walls])

    repo = Corpus("The repository's review (3 studies)", Path("."), 3, synthetic=False,
                  series={"edit": series(edit, edit + 0.2, edit - 0.1), "matplotlib": series(matplotlib)})
    if serve:
        repo.serve["edit"] = serve
    return repo


def test_a_slow_redraw_is_explained_by_the_import_it_cannot_avoid_and_the_serve_time():
    note = redraw_note([corpus(0.8, 0.52, serve=[0.3, 0.2, 0.25])])
    assert "took 0.520 s" in note and "more than the 0.5 s target" in note
    assert "same edit took 0.250 s" in note


def test_the_note_says_most_of_when_the_import_alone_fits_the_target():
    note = redraw_note([corpus(0.7, 0.45)])
    assert "took 0.450 s" in note and "most of the 0.5 s target" in note
    assert "serve" not in note


def test_no_note_when_the_redraw_meets_the_target_or_was_not_measured():
    assert redraw_note([corpus(0.45, 0.52)]) == ""
    assert redraw_note([Corpus("10 synthetic studies", Path("."), 10, synthetic=True)]) == ""
