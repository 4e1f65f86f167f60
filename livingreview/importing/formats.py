"""Which reader a file needs, told from its content (never its name): a registry of the formats read, and
the advice for files that are none of them, naming what the file looks like and how to export instead."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..named_tuple import NamedTuple
from ..records import Draft, Rejection
from .bibtex import looks_like_bibtex, read_bibtex
from .ris import looks_like_ris, read_ris
from .tables import looks_like_table, read_table, table_kind
from .tagged import looks_like_medline, looks_like_ovid, looks_like_wos, read_medline, read_ovid, read_wos

MAX_EXPORT_BYTES = 64 * 1024 * 1024


class Format(NamedTuple):
    label: str
    looks_like: Callable[[str], bool]
    read: Callable[[str, str], Iterator[Draft | Rejection]]


# In the order they are tried: the tagged formats before RIS (a MEDLINE record has no TY line, but a title may
# hold one), BibTeX before CSV.
FORMATS = (
    Format("PubMed (MEDLINE)", looks_like_medline, read_medline),
    Format("Web of Science (tagged text)", looks_like_wos, read_wos),
    Format("RIS", looks_like_ris, read_ris),
    Format("Ovid (tagged text)", looks_like_ovid, read_ovid),
    Format("BibTeX", looks_like_bibtex, read_bibtex),
    Format("CSV", looks_like_table, read_table),
)

# What a file that no reader reads looks like, and how to export instead.
_HOW = "export as RIS (any reference manager or database can), BibTeX or CSV"
_UNREADABLE: tuple[tuple[str, str], ...] = (
    (r"^PK\x03\x04", f"a zip archive (an Excel workbook, a Word document or a compressed library); {_HOW}"),
    (r"^%PDF", f"a PDF document; {_HOW}"),
    (r"^\s*<\?xml[\s\S]{0,500}<(xml>\s*<records|records)",
     "EndNote XML; in EndNote choose File › Export with the output style 'RefMan (RIS) Export', or export as RIS"),
    (r"^\s*(<\?xml[\s\S]{0,500})?<!DOCTYPE PubmedArticleSet|<PubmedArticleSet",
     "PubMed XML; in PubMed choose Save › Format: PubMed (a .txt file this command reads)"),
    (r"^\s*\[\s*\{\s*\"(id|type|title)\"", f"CSL JSON; {_HOW}"),
    (r"^PT\tAU\t", "Web of Science tab-delimited text; export as 'Plain text file' or 'RIS' instead"),
    (r"^\s*<", f"HTML or XML; {_HOW}"),
)


@dataclass
class Export:
    """One input file read: its format in words ("" when it could not be read) and what it holds."""

    name: str
    label: str = ""
    items: list[Draft | Rejection] = field(default_factory=list)


def read_export(path: Path, name: str) -> Export:
    try:
        if path.stat().st_size > MAX_EXPORT_BYTES:
            raise ValueError(f"the file is larger than {MAX_EXPORT_BYTES // 2**20} MiB; export fewer records at a time")
        raw = path.read_bytes()
    except (OSError, ValueError) as error:
        why = getattr(error, "strerror", None) or str(error)
        return Export(name, items=[Rejection(f"{name}:1", f"cannot read file: {why}", record=False)])
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = raw.decode("utf-16")
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            if raw.startswith((b"PK\x03\x04", b"%PDF")):
                text = raw[:8].decode("latin-1")
            else:
                line = raw[: error.start].count(b"\n") + 1
                return Export(name, items=[Rejection(
                    f"{name}:{line}", "file is not UTF-8; export it again with UTF-8 (Unicode) encoding "
                                      "(in EndNote: Preferences › Export, in Zotero: Character Encoding)",
                    record=False)])
    return read_text(text.replace("\r\n", "\n").replace("\r", "\n"), name)


def read_text(text: str, name: str) -> Export:
    for export_format in FORMATS:
        if export_format.looks_like(text):
            items = list(export_format.read(text, name))
            _undecided(items)
            if not items:
                items = [Rejection(f"{name}:1", f"looks like {export_format.label} but holds no record; export "
                                                f"the records again", record=False)]
            label = f"{table_kind(text)} CSV".lstrip() if export_format.label == "CSV" else export_format.label
            return Export(name, label, items)
    return Export(name, items=[Rejection(f"{name}:1", _advice(text), record=False)])


def _undecided(items: list[Draft | Rejection]) -> None:
    """In an export that carries screening decisions, a record without one has not been decided."""
    drafts = [item for item in items if isinstance(item, Draft)]
    if any(draft.decision for draft in drafts):
        for draft in drafts:
            draft.decision = draft.decision or "undecided"


def _advice(text: str) -> str:
    for pattern, looks in _UNREADABLE:
        if re.search(pattern, text[:4000], re.IGNORECASE):
            return f"not an export this command reads: it looks like {looks}"
    if not text.strip():
        return "the file is empty; export the records again"
    return (f"not an export this command reads (RIS, BibTeX, CSV with a title, author and year column, PubMed "
            f"MEDLINE, Web of Science or Ovid tagged text); {_HOW}")
