"""Files written in pieces hold the same text as the whole-text forms they replace, whatever the batch sizes."""

from __future__ import annotations

import json
from typing import Any
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from livingreview import downloads, render
from livingreview.cache import Cache, HeldBatches, KeptBatches
from livingreview.downloads import Records

# Text with what the script form escapes (<, >, &, the two line separators), quotes, and other scripts.
TEXTS = st.lists(st.text(alphabet=st.sampled_from(list("ab <>&\"\\\n\u2028\u2029é漢")), max_size=12), max_size=12)


@settings(max_examples=200, deadline=None)
@given(texts=TEXTS, separator=st.sampled_from(["", ",", "\n"]), batch=st.integers(1, 8), streamed=st.booleans())
def test_joined_in_pieces_is_the_joined_text(texts, separator, batch, streamed):
    """A tuple of records, or records made as they are written (a generator), give the same bytes."""
    with mock.patch.object(downloads, "_BATCH", batch):
        made = downloads._joined((text for text in texts) if streamed else tuple(texts), separator)
        assert b"".join(made) == separator.join(texts).encode("utf-8")


@settings(max_examples=200, deadline=None)
@given(csv=TEXTS, ris=TEXTS, bib=TEXTS, header=st.text(max_size=8), batch=st.integers(1, 5))
def test_the_exports_script_in_pieces_is_one_script_data_of_them_all(csv, ris, bib, header, batch):
    records = Records((), header, tuple(csv), tuple(ris), tuple(bib))
    whole = {"csv_header": header, "csv": csv, "ris": ris, "bib": bib}
    with mock.patch.object(render, "_SCRIPT_BATCH", batch):
        made = b"".join(render._exports(records)).decode("utf-8")
    assert made == f"window.livingreviewExports = {render._script_data(whole)};\n"
    assert json.loads(made.removeprefix("window.livingreviewExports = ").removesuffix(";\n")) == whole


def _records(rows: list[tuple[str, str, str]], keys: list[str]) -> Records:
    return Records((), "h", *(tuple(row[i] for row in rows) for i in range(3)), keys=keys)


def _exports_text(records: Records, kept: KeptBatches | None) -> str:
    return b"".join(render._exports(records, kept)).decode("utf-8")


def _kept(cache: Cache) -> KeptBatches:
    return KeptBatches(cache, "table-exports", "memory key")


ROWS = st.lists(st.tuples(*[st.text(alphabet=st.sampled_from(list("ab<&\"\\\n\u2028é")), max_size=6)] * 3), max_size=7)


@settings(max_examples=100, deadline=None)
@given(rows=ROWS, batch=st.integers(1, 3), changed=st.data())
def test_exports_kept_by_batch_are_the_exports_made_anew_after_any_change_of_records(tmp_path_factory, rows, batch,
                                                                                   changed):
    """A batch an earlier build encoded is taken again only while each of its records has the same key (a changed
    record has a new key, as in the memo of records): whatever changed, the script is the one made without it."""
    cache = Cache(tmp_path_factory.mktemp("review") / ".cache")
    keys = [f"k{i}:{row}" for i, row in enumerate(rows)]
    with mock.patch.object(render, "_SCRIPT_BATCH", batch):
        assert _exports_text(_records(rows, keys), _kept(cache)) == _exports_text(_records(rows, keys), None)
        edited = list(rows)
        for index in changed.draw(st.sets(st.sampled_from(range(len(rows))))) if rows else ():
            edited[index] = (edited[index][0] + "x", edited[index][1], "<" + edited[index][2])
        del edited[changed.draw(st.integers(0, len(edited))):]  # and studies removed from the end
        new_keys = [f"k{i}:{row}" for i, row in enumerate(edited)]
        edited_records = _records(edited, new_keys)
        assert _exports_text(edited_records, _kept(cache)) == _exports_text(edited_records, None)
    # what is kept is this build's batches, no more: three formats, each in batches of `batch` records
    folder = cache.folder.root / "table-exports"
    assert len(list(folder.iterdir()) if folder.is_dir() else []) == 3 * -(-len(edited) // batch)


def test_only_the_batch_of_a_changed_record_is_encoded_again(tmp_path):
    cache = Cache(tmp_path / ".cache")
    rows = [(f"csv{i}", f"ris{i}", f"bib{i}") for i in range(10)]
    keys = [f"k{i}" for i in range(10)]

    def encoded_batches(rows: list[tuple[str, str, str]], keys: list[str]) -> list[Any]:
        with mock.patch.object(render, "_SCRIPT_BATCH", 4), \
                mock.patch.object(render, "_script_data", wraps=render._script_data) as encode:
            _exports_text(_records(rows, keys), _kept(cache))
        return [call.args[0] for call in encode.call_args_list if isinstance(call.args[0], list)]

    assert len(encoded_batches(rows, keys)) == 9  # three batches (4, 4, 2 records) of each of three formats
    edited = list(rows)
    edited[5] = ("csv5!", "ris5", "bib5")
    assert encoded_batches(edited, [*keys[:5], "k5 edited", *keys[6:]]) == [
        ["bib4", "bib5", "bib6", "bib7"], ["csv4", "csv5!", "csv6", "csv7"], ["ris4", "ris5", "ris6", "ris7"]]
    # a record with no key (a study with no known file) is never taken for its batch's kept text
    assert encoded_batches(edited, [*keys[:5], "k5 edited", *keys[6:9], ""]) == [
        ["bib8", "bib9"], ["csv8", "csv9"], ["ris8", "ris9"]]


def test_a_damaged_batch_is_encoded_again(tmp_path):
    cache = Cache(tmp_path / ".cache")
    rows, keys = [("c", "r", "b"), ("c2", "r2", "b2")], ["k1", "k2"]
    whole = _exports_text(_records(rows, keys), None)
    assert _exports_text(_records(rows, keys), _kept(cache)) == whole
    batches = list((cache.folder.root / "table-exports").iterdir())
    assert len(batches) == 3
    for batch in batches:
        batch.write_bytes(b"\xff\xfe not UTF-8")
    assert _exports_text(_records(rows, keys), _kept(cache)) == whole


def test_a_batch_under_another_memory_key_is_not_taken(tmp_path):
    """The memory's key covers the codebook, settings and engine: a record key alone does not name a text."""
    cache = Cache(tmp_path / ".cache")
    rows, keys = [("c", "r", "b")], ["k1"]
    _exports_text(_records(rows, keys), _kept(cache))
    other = [("c!", "r!", "b!")]
    assert _exports_text(_records(other, keys), KeptBatches(cache, "table-exports", "another key")) == \
        _exports_text(_records(other, keys), None)


class _Rows(list):
    """Rows that note which of them were asked for (as `_CompactRows` makes a row only when asked)."""

    def __init__(self, rows: list[list[Any]]):
        super().__init__(rows)
        self.asked: set[int] = set()

    def __getitem__(self, index):
        found = super().__getitem__(index)
        self.asked.update(range(*index.indices(len(self))) if isinstance(index, slice) else [index])
        return found


_DIMENSIONS = [render.TableDimension("role", ["a", "none"], ["A <b>", "none"], {"a": 0, "none": 1}),
               render.TableDimension("year", ["2020"], ["2020"], {"2020": 0})]
_COLUMNS = [("year", "Year"), ("role", "Role & kind")]
_ROW = st.lists(st.one_of(st.integers(-3, 3), st.text(alphabet=st.sampled_from(list("a<&\"\\\n\u2028é")), max_size=5),
                          st.lists(st.integers(0, 2), max_size=2)), max_size=4)


def _table_text(rows: list[list[Any]], keys: list[str], kept: KeptBatches | None) -> str:
    return render._table_data(_Rows(rows), keys, _DIMENSIONS, _COLUMNS, kept).decode("utf-8")


@settings(max_examples=100, deadline=None)
@given(rows=st.lists(_ROW, max_size=7), batch=st.integers(1, 3), changed=st.data())
def test_the_table_data_kept_by_batch_is_one_script_data_of_it_all_after_any_change_of_rows(
        tmp_path_factory, rows, batch, changed):
    cache = Cache(tmp_path_factory.mktemp("review") / ".cache")
    kept = lambda: KeptBatches(cache, "table-data", "memory key")  # noqa: E731
    whole = lambda rows: "window.livingreviewTable = " + render._script_data(  # noqa: E731
        {"dimensions": [{"key": d.key, "values": d.values, "labels": d.labels} for d in _DIMENSIONS],
         "columns": [1, 0], "rows": rows}) + ";\n"
    with mock.patch.object(render, "_SCRIPT_BATCH", batch):
        keys = [f"k{i}:{json.dumps(row)}" for i, row in enumerate(rows)]
        assert _table_text(rows, keys, kept()) == _table_text(rows, keys, None) == whole(rows)
        edited = [list(row) for row in rows]
        for index in changed.draw(st.sets(st.sampled_from(range(len(rows))))) if rows else ():
            edited[index].append("<changed>")
        del edited[changed.draw(st.integers(0, len(edited))):]
        new_keys = [f"k{i}:{json.dumps(row)}" for i, row in enumerate(edited)]
        assert _table_text(edited, new_keys, kept()) == whole(edited)
    folder = cache.folder.root / "table-data"
    assert len(list(folder.iterdir()) if folder.is_dir() else []) == -(-len(edited) // batch)


def test_the_rows_of_a_kept_batch_are_not_made(tmp_path):
    cache = Cache(tmp_path / ".cache")
    rows, keys = [[f"s{i}", i] for i in range(10)], [f"k{i}" for i in range(10)]
    with mock.patch.object(render, "_SCRIPT_BATCH", 4):
        render._table_data(_Rows(rows), keys, _DIMENSIONS, _COLUMNS, KeptBatches(cache, "table-data", "m"))
        new_keys = [*keys[:5], "k5 edited", *keys[6:]]
        edited = _Rows([*rows[:5], ["s5", "retitled"], *rows[6:]])
        render._table_data(edited, new_keys, _DIMENSIONS, _COLUMNS, KeptBatches(cache, "table-data", "m"))
    assert edited.asked == {4, 5, 6, 7}  # the second batch alone: its rows, and no other


def _held(cache: Cache, key: str = "memory key") -> HeldBatches:
    held = cache.held_batches("downloads", key)
    assert held is not None
    return held


@settings(max_examples=100, deadline=None)
@given(rows=st.lists(TEXTS.filter(bool).map(lambda texts: texts[0]), max_size=9), separator=st.sampled_from(["", "\n"]),
       batch=st.integers(1, 3), builds=st.lists(st.tuples(st.sets(st.integers(0, 8)), st.integers(0, 9)), max_size=4))
def test_downloads_joined_from_held_batches_are_those_joined_anew_after_any_edits(tmp_path_factory, rows, separator,
                                                                                   batch, builds):
    """serve holds each batch of records it joined; after records are edited (each edit gives its record a new
    key, as the memo of records does) or removed from the end, each build's file is the one joined anew."""
    cache = Cache(tmp_path_factory.mktemp("review") / ".cache", hold=True)
    texts, keys, edits = list(rows), [f"k{i}" for i in range(len(rows))], 0
    with mock.patch.object(downloads, "_BATCH", batch):
        for changed, kept in [(set(), len(rows)), *builds]:
            for index in sorted(changed):
                if index < len(texts):
                    edits += 1
                    texts[index], keys[index] = texts[index] + "!", f"{keys[index]} edit {edits}"
            del texts[kept:], keys[kept:]
            held = _held(cache)
            assert b"".join(downloads._joined(texts, separator, "bib", keys, held)) == \
                separator.join(texts).encode("utf-8")
            held.prune()


def test_only_the_batch_of_a_changed_record_is_joined_again(tmp_path):
    cache = Cache(tmp_path / ".cache", hold=True)
    texts, keys = [f"record {i}" for i in range(10)], [f"k{i}" for i in range(10)]

    def joined_again(texts: list[str], keys: list[str], name: str = "bib", key: str = "memory key") -> set[int]:
        """The records asked for: those of the batches joined again."""
        held, records = _held(cache, key), _Rows(texts)
        with mock.patch.object(downloads, "_BATCH", 4):
            assert b"".join(downloads._joined(records, "\n", name, keys, held)) == "\n".join(texts).encode("utf-8")
        held.prune()
        return records.asked

    assert joined_again(texts, keys) == set(range(10))
    assert joined_again(texts, keys) == set()  # the next build joins nothing again
    edited = [*texts[:5], "record 5, edited", *texts[6:]]
    assert joined_again(edited, [*keys[:5], "k5 edited", *keys[6:]]) == {4, 5, 6, 7}
    # a record with no key is never taken for its batch's joined text
    assert joined_again(edited, [*keys[:5], "k5 edited", *keys[6:9], ""]) == {8, 9}
    # nor is a batch taken for another download, or under another memory key (another codebook, other settings)
    assert joined_again(edited, [*keys[:5], "k5 edited", *keys[6:]], name="ris") == set(range(10))
    assert joined_again(texts, keys) == set(range(10))
    assert joined_again(texts, keys, key="another key") == set(range(10))


def test_batches_are_held_only_by_a_cache_that_holds_and_only_those_of_the_last_build(tmp_path):
    assert Cache(tmp_path / ".cache").held_batches("downloads", "memory key") is None
    cache = Cache(tmp_path / ".cache", hold=True)
    assert cache.held_batches("downloads", "") is None  # no memory key: nothing can be named
    first = _held(cache)
    first.keep("a", b"A")
    first.keep("b", b"B")
    first.prune()
    second = _held(cache)
    assert second.get("a") == b"A"
    second.prune()
    assert _held(cache).get("a") == b"A" and _held(cache).get("b") is None  # b was not asked for: let go


def test_a_batch_held_in_serve_is_read_again_once_its_file_changed(tmp_path):
    """serve holds the table's batches it read or wrote, while their files are as it left them."""
    cache = Cache(tmp_path / ".cache", hold=True)
    rows, keys = [("c", "r", "b"), ("c2", "r2", "b2")], ["k1", "k2"]
    whole = _exports_text(_records(rows, keys), None)
    assert _exports_text(_records(rows, keys), _kept(cache)) == whole
    for batch in (cache.folder.root / "table-exports").iterdir():
        batch.write_bytes(b"\xff\xfe not UTF-8, and longer than the batch was")
    with mock.patch.object(render, "_script_data", wraps=render._script_data) as encode:
        assert _exports_text(_records(rows, keys), _kept(cache)) == whole
    assert encode.call_count == 4  # the header, and each batch again
