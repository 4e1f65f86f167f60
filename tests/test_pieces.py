"""Files written in pieces hold the same text as the whole-text forms they replace, whatever the batch sizes."""

from __future__ import annotations

import json
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from livingreview import downloads, render
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
