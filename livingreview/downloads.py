"""The data an edition publishes under `data/`: its studies (JSON, CSV), every count (JSON), its
references (BibTeX, RIS) and the schema of a study file. Values are escaped for each format, so no
title can add a record to a download or a formula to a spreadsheet."""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import partial
from typing import Any, cast

from .aggregate import Aggregates
from .codebook import Codebook
from .memory import Batches, Memo, batch_key, is_strings
from .named_tuple import NamedTuple
from .references import bibtex, ris
from .schema import schema_json
from .study import Study, study_json
from .write import Pieces

# A spreadsheet reads a cell that starts with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def csv_cell(value: Any) -> str:
    """A value for a CSV cell, with a formula's first character neutralised (a number stays a number)."""
    text = str(value)
    if text.startswith(_FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


class Records(NamedTuple):
    """Each study's record in the download formats, made once per edition: the downloads join them, and the
    study table offers them for "download the studies shown". Each study's JSON, the largest, is made only
    when data/studies.json asks for it (`StudyTexts`)."""

    studies: Sequence[Study]
    csv_header: str
    csv: tuple[str, ...]  # one CSV record per study (a quoted value may span lines)
    ris: tuple[str, ...]
    bib: tuple[str, ...]
    json: Sequence[str] = ()
    keys: Sequence[str] = ()  # each study's key in the memo of its records ("" if none): the same key, the same texts


def study_records(studies: Sequence[Study], codebook: Codebook, baseline: bool, memo: Memo | None = None,
                  texts: Mapping[str, str] | None = None) -> Records:
    """The studies' records; a study's records made by an earlier build are taken from `memo` while the
    study and what its records show of the codebook are unchanged, and its JSON from `texts` (by id)."""
    header = studies_csv([], codebook, baseline).decode("utf-8")
    key = hashlib.blake2b(repr((header, codebook.not_coded)).encode("utf-8"), digest_size=12).hexdigest()
    csv_record = _CsvRecords(codebook, baseline)

    held_key = (key, memo.key if memo else "")

    def made_anew(earlier: _Made | None) -> _Made:
        # In serve, a study that is the very object the last build made records of, at the same place, under the
        # same key, has those records (after a one-study edit of 10,000, one is looked up: 0.02 s less).
        before = earlier if earlier is not None and earlier.key == held_key \
            and len(earlier.studies) == len(studies) else None
        places: Sequence[int]
        if before is None:
            places = range(len(studies))
            csv_records, ris_records, bib_records, keys = ([""] * len(studies) for _ in range(4))
        else:
            places = [index for index, (old, study) in enumerate(zip(before.studies, studies, strict=True))
                      if old is not study]
            csv_records, ris_records, bib_records, keys = \
                list(before.csv), list(before.ris), list(before.bib), list(before.keys)
        for index in places:
            study = studies[index]
            full = memo.full_key(study.id, f"{key}:{study.suffix}") if memo else ""
            found = memo.under(study.id, full) if memo else None
            if not is_strings(found, 3):
                found = [csv_record(study), ris([study]), bibtex([study])]
                if memo:
                    memo.keep(study.id, f"{key}:{study.suffix}", found)
            csv_records[index], ris_records[index], bib_records[index] = cast(list[str], found)
            keys[index] = full
        return _Made(held_key, tuple(studies), tuple(csv_records), tuple(ris_records), tuple(bib_records), keys)

    done = memo.again("records", made_anew) if memo else made_anew(None)
    return Records(studies, header, done.csv, done.ris, done.bib, StudyTexts(studies, texts or {}), done.keys)


class _Made(NamedTuple):
    """The records `study_records` made (or took from its memo) for these studies, in order, under `key` (what
    they show of the codebook, and the memo's key), with each study's full key."""

    key: tuple[str, str]
    studies: tuple[Study, ...]
    csv: tuple[str, ...]
    ris: tuple[str, ...]
    bib: tuple[str, ...]
    keys: list[str]


class StudyTexts(Sequence[str]):
    """Each study's record in data/studies.json, made when asked for: the text the loader already had (from the
    cache's record of valid studies), else made from the study. A batch of records kept from an earlier build
    (serve) asks for none of its own; a large review's are never all in memory at once."""

    def __init__(self, studies: Sequence[Study], texts: Mapping[str, str]):
        self.studies, self.texts = studies, texts

    def __len__(self) -> int:
        return len(self.studies)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self._text(study) for study in self.studies[index]]
        return self._text(self.studies[index])

    def __iter__(self) -> Iterator[str]:
        return map(self._text, self.studies)

    def _text(self, study: Study) -> str:
        return self.texts.get(study.id) or study_json(study)


def edition_downloads(label: str, date: str, codebook: Codebook, aggregates: Aggregates, baseline: bool,
                      records: Records, kept: Batches | None = None) -> Iterator[tuple[str, bytes | Pieces]]:
    """The files of data/; `records` are those of the edition's studies, in the order they are listed. The
    files of every study's records are written a record at a time (at 100,000 studies each is hundreds of MB).
    With `kept`, a batch of records whose keys are unchanged is taken as an earlier build encoded it."""
    def joined(texts: Sequence[str], separator: str, name: str) -> Iterator[bytes]:
        return _joined(texts, separator, name, records.keys, kept)

    yield "data/studies.json", Pieces(partial(_studies_json, label, date, codebook, records, kept))
    yield "data/studies.csv", Pieces(lambda: itertools.chain([records.csv_header.encode("utf-8")],
                                                             joined(records.csv, "", "csv")))
    yield "data/aggregates.json", _json(_aggregates_data(aggregates))
    yield "data/references.bib", Pieces(partial(joined, records.bib, "\n", "bib"))
    yield "data/references.ris", Pieces(partial(joined, records.ris, "\n", "ris"))
    yield "data/study.schema.json", schema_json(codebook, baseline).encode("utf-8")


def _studies_json(label: str, date: str, codebook: Codebook, records: Records,
                  kept: Batches | None = None) -> Iterator[bytes]:
    """The dataset with its codebook, one study at a time."""
    head = json.dumps({"edition": label, "date": date}, ensure_ascii=False)[:-1]
    yield f'{head},"studies":['.encode()
    yield from _joined(records.json, ",", "json", records.keys, kept)
    codebook_text = json.dumps(_codebook_data(codebook), ensure_ascii=False, separators=(",", ":"))
    yield f'],"codebook":{codebook_text}}}\n'.encode()


def _joined(texts: Iterable[str], separator: str, name: str = "", keys: Sequence[str] = (),
            kept: Batches | None = None) -> Iterator[bytes]:
    """separator.join(texts), encoded, a batch of texts at a time: one join and one encoding per batch (joining
    each text to its separator first copied every text once more, and took 8 times as long). With `kept` and
    a key for each text, a batch whose texts' keys are unchanged is taken as an earlier build encoded it."""
    if kept is not None and isinstance(texts, Sequence) and len(keys) == len(texts):
        for start in range(0, len(texts), _BATCH):
            if start and separator:
                yield separator.encode("utf-8")
            key = batch_key(name, start, keys[start:start + _BATCH])
            encoded = kept.get(key) if key else None
            if encoded is None:
                encoded = separator.join(texts[start:start + _BATCH]).encode("utf-8")
                if key:
                    kept.keep(key, encoded)
            yield encoded
        return
    remaining = iter(texts)
    for index, batch in enumerate(iter(lambda: list(itertools.islice(remaining, _BATCH)), [])):
        if index and separator:
            yield separator.encode("utf-8")
        yield separator.join(batch).encode("utf-8")


_BATCH = 256  # texts a piece holds: a quarter to a whole megabyte of records


def _json(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, default=str, indent=1) + "\n").encode("utf-8")


def _codebook_data(codebook: Codebook) -> dict[str, Any]:
    return {"not_coded": codebook.not_coded,
            "fields": [{"key": f.key, "label": f.label, "kind": f.kind, "required": f.required,
                        "description": f.description,
                        "values": [{"key": v.key, "label": v.label, "definition": v.definition} for v in f.values]}
                       for f in codebook.fields],
            "derived": [{"key": d.key, "label": d.label, "description": d.description} for d in codebook.derived]}


def _aggregates_data(aggregates: Aggregates) -> dict[str, Any]:
    return {
        "total": aggregates.total,
        "tallies": {key: {"label": t.label, "multiple": t.multiple, "coded": t.coded, "not_coded": t.not_coded,
                          "none": t.none, "counts": [[v, c] for v, c in t.counts]}
                    for key, t in aggregates.tallies.items()},
        "crosstabs": {key: {"rows": t.rows, "columns": t.columns, "coded": t.coded,
                            "cells": [[r, c, t.cell_count(r, c)] for r in t.row_values for c in t.column_values]}
                      for key, t in aggregates.crosstabs.items()},
    }


def studies_csv(studies: Sequence[Study], codebook: Codebook, baseline: bool) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    keys = codebook.field_keys()
    header = ["id", "authors", "year", "title", "journal", "volume", "issue", "pages", "doi"]
    writer.writerow(header + (["in_baseline"] if baseline else []) + keys)
    writer.writerows(_csv_cells(s, codebook, keys, baseline) for s in studies)
    return out.getvalue().encode("utf-8")


class _CsvRecords:
    """One study's CSV record at a time, as `studies_csv` writes it, by one writer."""

    def __init__(self, codebook: Codebook, baseline: bool):
        self.codebook, self.baseline, self.keys = codebook, baseline, codebook.field_keys()
        self.out = io.StringIO()
        self.writer = csv.writer(self.out, lineterminator="\n")

    def __call__(self, study: Study) -> str:
        self.out.seek(0)
        self.out.truncate()
        self.writer.writerow(_csv_cells(study, self.codebook, self.keys, self.baseline))
        return self.out.getvalue()


def _csv_cells(s: Study, codebook: Codebook, keys: Sequence[str], baseline: bool) -> list[str]:
    codes = [("; ".join(map(str, v)) if isinstance(v, list) else str(v))
             for v in (s.codes.get(k, codebook.not_coded) for k in keys)]
    row = [s.id, "; ".join(f"{a.family}, {a.given}".rstrip(", ") for a in s.authors), s.year,
           s.title, s.journal, s.volume, s.issue, s.pages, s.doi] + ([s.in_baseline] if baseline else []) + codes
    return [csv_cell(value) for value in row]
