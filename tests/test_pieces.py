"""Files written in pieces hold the same text as the whole-text forms they replace, whatever the batch sizes."""

from __future__ import annotations

import json
from typing import Any
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from livingreview import downloads, render
from livingreview.cache import Cache, StudyMemo
from livingreview.downloads import Records

# Text with what the script form escapes (<, >, &, the two line separators), quotes, and other scripts.
TEXTS = st.lists(st.text(alphabet=st.sampled_from(list("ab <>&\"\\\n\u2028\u2029é漢")), max_size=12), max_size=12)


@settings(max_examples=200, deadline=None)
@given(texts=TEXTS, separator=st.sampled_from(["", ",", "\n"]), piece=st.integers(1, 8))
def test_joined_in_pieces_is_the_joined_text(texts, separator, piece):
    with mock.patch.object(downloads, "_PIECE", piece):
        assert b"".join(downloads._joined(texts, separator)) == separator.join(texts).encode("utf-8")


@settings(max_examples=200, deadline=None)
@given(csv=TEXTS, ris=TEXTS, bib=TEXTS, header=st.text(max_size=8), batch=st.integers(1, 5))
def test_the_exports_script_in_pieces_is_one_script_data_of_them_all(csv, ris, bib, header, batch):
    records = Records((), header, tuple(csv), tuple(ris), tuple(bib))
    whole = {"csv_header": header, "csv": csv, "ris": ris, "bib": bib}
    with mock.patch.object(render, "_SCRIPT_BATCH", batch):
        made = b"".join(render._exports(records)).decode("utf-8")
    assert made == f"window.livingreviewExports = {render._script_data(whole)};\n"
    assert json.loads(made.removeprefix("window.livingreviewExports = ").removesuffix(";\n")) == whole


def _exports_text(records: Records, memo: StudyMemo | None) -> str:
    return b"".join(render._exports(records, memo)).decode("utf-8")


@settings(max_examples=100, deadline=None)
@given(texts=st.lists(st.tuples(*[st.text(alphabet=st.sampled_from(list("ab<&\"\\\n\u2028é")), max_size=6)] * 3),
                      max_size=7),
       batch=st.integers(1, 3), changed=st.data())
def test_exports_kept_by_batch_are_the_exports_made_anew_after_any_change_of_records(tmp_path_factory, texts, batch,
                                                                                   changed):
    """A batch of records encoded by an earlier build is given back only while each of its records has the same
    key (and a changed record has a new key): whatever changed, the script is the one made without a memo."""
    cache = Cache(tmp_path_factory.mktemp("cache"))

    def records(rows: list[tuple[str, str, str]], keys: list[str]) -> Records:
        csv, ris, bib = (tuple(row[i] for row in rows) for i in range(3))
        return Records((), "h", csv, ris, bib, keys=keys)

    def memo() -> StudyMemo:
        return StudyMemo(cache, "table-exports", "key", None, texts=True)

    keys = [f"k{i}:{row}" for i, row in enumerate(texts)]  # as the memo of records keys them: by what they hold
    with mock.patch.object(render, "_SCRIPT_BATCH", batch):
        first = memo()
        assert _exports_text(records(texts, keys), first) == _exports_text(records(texts, keys), None)
        first.save()
        edited = list(texts)
        for index in changed.draw(st.sets(st.sampled_from(range(len(texts))))) if texts else ():
            edited[index] = (edited[index][0] + "x", edited[index][1], "<" + edited[index][2])
        new_keys = [f"k{i}:{row}" for i, row in enumerate(edited)]
        again = memo()
        assert _exports_text(records(edited, new_keys), again) == _exports_text(records(edited, new_keys), None)


def test_only_the_batch_of_a_changed_record_is_encoded_again(tmp_path):
    cache = Cache(tmp_path)
    rows = [(f"csv{i}", f"ris{i}", f"bib{i}") for i in range(10)]
    keys = [f"k{i}" for i in range(10)]

    def records(rows: list[tuple[str, str, str]], keys: list[str]) -> Records:
        return Records((), "h", *(tuple(row[i] for row in rows) for i in range(3)), keys=keys)

    def encoded_batches(rows: list[tuple[str, str, str]], keys: list[str]) -> list[Any]:
        memo = StudyMemo(cache, "table-exports", "key", None, texts=True)
        with mock.patch.object(render, "_SCRIPT_BATCH", 4), \
                mock.patch.object(render, "_script_data", wraps=render._script_data) as encode:
            _exports_text(records(rows, keys), memo)
        memo.save()
        return [call.args[0] for call in encode.call_args_list if isinstance(call.args[0], list)]

    assert len(encoded_batches(rows, keys)) == 9  # three batches (4, 4, 2 records) of each of three formats
    edited = list(rows)
    edited[5] = ("csv5!", "ris5", "bib5")
    assert encoded_batches(edited, [*keys[:5], "k5 edited", *keys[6:]]) == [
        ["bib4", "bib5", "bib6", "bib7"], ["csv4", "csv5!", "csv6", "csv7"], ["ris4", "ris5", "ris6", "ris7"]]
    # a record with no key (a study with no known file) is never taken for its batch's kept text
    assert encoded_batches(edited, [*keys[:5], "k5 edited", *keys[6:9], ""]) == [
        ["bib8", "bib9"], ["csv8", "csv9"], ["ris8", "ris9"]]
