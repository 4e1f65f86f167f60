"""The benchmark report's note on rebuilds that redraw figures, from hand-made measurements."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from run import Corpus, Sample, Series, redraw_note  # noqa: E402


def series(*walls: float) -> Series:
    return Series([Sample(wall, 50.0, wall, "", "", 50.0, 1) for wall in walls])


def corpus(**medians: float) -> Corpus:
    """The repository's review with three runs per operation around the given medians."""
    return Corpus("The repository's review (3 studies)", Path("."), 3, synthetic=False,
                  series={name: series(value, value + 0.2, value - 0.1) for name, value in medians.items()})


def test_the_note_gives_the_redraw_with_and_without_the_server_the_import_and_serve():
    repo = corpus(edit=0.42, edit_no_server=0.71, matplotlib=0.46)
    repo.serve["edit"] = [0.3, 0.2, 0.25]
    note = redraw_note([repo])
    assert "drew them: 0.420 s" in note
    assert "imports matplotlib itself: 0.710 s; that import alone took 0.460 s" in note
    assert "the edit took 0.250 s" in note


def test_the_note_leaves_out_what_was_not_measured():
    note = redraw_note([corpus(edit=0.42)])
    assert "drew them: 0.420 s" in note
    assert "no-drawing-server" not in note and "`serve`" not in note
    assert redraw_note([corpus(edit=0.42, edit_no_server=0.7)]).endswith("itself: 0.700 s.")


def test_no_note_without_the_repository_s_review():
    assert redraw_note([Corpus("10 synthetic studies", Path("."), 10, synthetic=True)]) == ""
    assert redraw_note([corpus(text_edit=0.3)]) == ""


def test_the_corpus_notes_say_who_drew_the_role_edit_s_figures():
    from run import corpus_table

    served = corpus(edit=0.42)
    served.server_mib = [50.0, 58.0, 56.0]
    assert "drawn by the drawing server the cold build left; it held 56 MiB" in corpus_table(served)
    alone = Corpus("1,000 synthetic studies", Path("."), 1000, synthetic=True,
                   series={"edit": series(1.5, 1.6, 1.4)})
    assert "left no drawing server" in corpus_table(alone)
    assert "drawing server" not in corpus_table(corpus(text_edit=0.3))
