"""A study of the review: bibliographic data and its coding."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, ItemsView, Iterator, Mapping
from sys import intern
from typing import Any

from .named_tuple import NamedTuple


class Author(NamedTuple):
    """One author of a study, as the study file names them."""

    family: str  # a person's family name, or the whole name of an organisation (corporate)
    given: str = ""
    corporate: bool = False  # an organisation as author, such as the World Health Organization


class Evidence(NamedTuple):
    """Why a field is coded as it is: a note, where it comes from (a key of the codebook's provenance
    vocabulary; "" for its default) and where it was read."""

    note: str
    source: str = ""
    where: str = ""


class Disagreement(NamedTuple):
    """A value another source gives for a field, beside the value the study is coded with."""

    value: Any
    note: str
    source: str = ""
    where: str = ""


class SecondCoding(NamedTuple):
    """A second coder's values for some fields, and how disagreements were resolved."""

    coder: str
    codes: Mapping[str, Any]
    resolved: Mapping[str, str] = {}


class Study(NamedTuple):
    """One study file of studies/, validated: its bibliographic data and its codes, by field."""

    id: str
    title: str
    authors: tuple[Author, ...]
    year: int
    codes: Mapping[str, Any]
    path: str = ""
    journal: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str = ""
    url: str = ""
    no_doi_reason: str = ""
    in_baseline: bool = False
    coded_by: str = ""
    evidence: Mapping[str, Evidence] = {}
    notes: str = ""
    second_coding: SecondCoding | None = None
    disagreements: Mapping[str, Disagreement] = {}
    suffix: str = ""  # a, b, ...: set per edition when two studies would be cited alike (not part of the file)

    @property
    def short_citation(self) -> str:
        """Author–year text as a review cites it: Nelson et al. (2016), Byrne et al. (2021a)."""
        return f"{self._who} ({self.year}{self.suffix})"

    @property
    def _who(self) -> str:
        authors = self.authors  # a large team's study is cited by its first author's name alone
        if len(authors) == 1:
            return authors[0].family
        if len(authors) == 2:
            return f"{authors[0].family} & {authors[1].family}"
        return f"{authors[0].family} et al."

    @property
    def doi_url(self) -> str:
        return f"https://doi.org/{self.doi}" if self.doi else ""


def distinguished(studies: tuple[Study, ...]) -> tuple[Study, ...]:
    """The studies, those that would be cited alike (same authors' citation and year) lettered a, b, ... by title,
    as APA letters works of the same authors and year."""
    return lettered(studies).studies


class Lettering(NamedTuple):
    """Studies as `distinguished` letters them (`studies`), the studies it was given, and the positions of each
    group of studies that would be cited alike: what a later lettering of much the same studies needs to
    letter again only the groups that changed."""

    given: tuple[Study, ...]
    studies: tuple[Study, ...]
    groups: dict[str, list[int]]


def lettered(studies: tuple[Study, ...], earlier: Lettering | None = None) -> Lettering:
    """`distinguished(studies)`, as a Lettering. With `earlier` (a lettering of as many studies, most of them
    the very same objects, as serve holds them between builds), only the groups of the studies that are not the
    same objects are lettered again: a title edit letters one group, not 10,000 studies."""
    if earlier is None or len(earlier.given) != len(studies):
        groups: dict[str, list[int]] = {}
        for index, study in enumerate(studies):
            groups.setdefault(_group(study), []).append(index)
        letters = {index: letter for members in groups.values() for index, letter in _letters(studies, members)}
        if not letters:
            return Lettering(studies, studies, groups)
        return Lettering(studies, tuple(_lettered(s, letters[i]) if i in letters else s
                                        for i, s in enumerate(studies)), groups)
    changed = [index for index, (before, now) in enumerate(zip(earlier.given, studies, strict=True))
               if before is not now]
    if not changed:
        return earlier
    groups = dict(earlier.groups)  # the lists of the groups that change are made anew: `earlier` stays whole
    affected = set()
    for index in changed:
        before, now = _group(earlier.given[index]), _group(studies[index])
        if before != now:
            groups[before] = [member for member in groups[before] if member != index]
            if not groups[before]:
                del groups[before]
            groups[now] = [*groups.get(now, ()), index]
        affected |= {before, now}
    made = list(earlier.studies)
    for index in changed:
        made[index] = studies[index]
    for group in affected:
        members = groups.get(group, [])
        letters = dict(_letters(studies, members))
        for index in members:
            if made[index] is studies[index] or made[index].suffix != letters.get(index, ""):
                made[index] = _lettered(studies[index], letters[index]) if index in letters else studies[index]
    return Lettering(studies, tuple(made), groups)


def _group(study: Study) -> str:
    return f"{study._who} ({study.year})"


def _letters(studies: tuple[Study, ...], members: list[int]) -> list[tuple[int, str]]:
    """The letter of each study of a group cited alike, by position: none for a group of one."""
    if len(members) < 2:
        return []
    order = sorted(members, key=lambda index: (studies[index].title.casefold(), studies[index].id))
    return [(index, "abcdefghijklmnopqrstuvwxyz"[rank] if rank < 26 else f"-{rank + 1}")
            for rank, index in enumerate(order)]


def _lettered(study: Study, suffix: str) -> Study:
    """The study with its letter (its last field)."""
    return Study(*study[:-1], suffix)  # every field but the suffix, in order


def study_from_data(data: Mapping[str, Any], path: str, evidence: Mapping[str, Evidence] | None = None,
                    codes: Mapping[str, Any] | None = None) -> Study:
    """Build a Study from a schema-valid mapping (`evidence`, `codes`: its evidence notes and codes, if not in
    `data`)."""
    second = data.get("second_coding")
    return Study(
        id=data["id"],
        title=data["title"],
        authors=tuple(Author(a["family"], a.get("given", ""), a.get("corporate", False)) for a in data["authors"]),
        year=data["year"],
        codes=_shared(data["codes"]) if codes is None else codes,
        path=path,
        journal=data.get("journal", ""),
        volume=str(data.get("volume", "")),
        issue=str(data.get("issue", "")),
        pages=str(data.get("pages", "")),
        doi=data.get("doi", ""),
        url=data.get("url", ""),
        no_doi_reason=data.get("no_doi_reason", ""),
        in_baseline=data.get("in_baseline", False),
        coded_by=data.get("coded_by", ""),
        evidence=_notes(data.get("evidence", {})) if evidence is None else evidence,
        notes=data.get("notes", ""),
        second_coding=SecondCoding(second["coder"], _shared(second["codes"]), dict(second.get("resolved", {})))
        if second else None,
        disagreements={key: Disagreement(item["value"], item["note"], item.get("source", ""), item.get("where", ""))
                       for key, item in data.get("disagreements", {}).items()},
    )


def _notes(data: Mapping[str, Any]) -> dict[str, Evidence]:
    return {intern(key): _evidence(item) for key, item in data.items()}


def _evidence(item: str | Mapping[str, str]) -> Evidence:
    if isinstance(item, str):
        return Evidence(item)
    return Evidence(item["note"], item.get("source", ""), item.get("where", ""))


def _shared(codes: Mapping[str, Any]) -> dict[str, Any]:
    """Codes whose field names and values are interned: every study repeats the codebook's few words,
    and a large review otherwise holds each of them once per study (a fifth of its memory)."""
    return {intern(key): [intern(v) if isinstance(v, str) else v for v in value] if isinstance(value, list)
            else intern(value) if isinstance(value, str) else value for key, value in codes.items()}


def study_to_data(study: Study) -> dict[str, Any]:
    """The inverse of study_from_data: plain data in the file's key order."""
    data: dict[str, Any] = {"id": study.id, "title": study.title,
                            "authors": [_author(a) for a in study.authors], "year": study.year}
    for key in ("journal", "volume", "issue", "pages", "doi", "url", "no_doi_reason"):
        if getattr(study, key):
            data[key] = getattr(study, key)
    if study.in_baseline:
        data["in_baseline"] = True
    if study.coded_by:
        data["coded_by"] = study.coded_by
    data["codes"] = dict(study.codes)
    if study.evidence:
        data["evidence"] = {key: _evidence_data(e) for key, e in study.evidence.items()}
    if study.notes:
        data["notes"] = study.notes
    if study.second_coding:
        second: dict[str, Any] = {"coder": study.second_coding.coder, "codes": dict(study.second_coding.codes)}
        if study.second_coding.resolved:
            second["resolved"] = dict(study.second_coding.resolved)
        data["second_coding"] = second
    if study.disagreements:
        data["disagreements"] = {key: {"value": d.value, "note": d.note, **({"source": d.source} if d.source else {}),
                                       **({"where": d.where} if d.where else {})}
                                 for key, d in study.disagreements.items()}
    return data


def coding_digest(data: Any) -> str:
    """A digest of what a study file, as parsed, says that figures read (its id, year, codes and whether
    it is in the baseline); "" if it is not a mapping of such values. A file edited with the same digest
    draws the same figures."""
    if not isinstance(data, dict):
        return ""
    read = [data.get(key) for key in ("id", "year", "codes", "in_baseline")]
    try:
        text = json.dumps(read, ensure_ascii=False, sort_keys=True, default=str)
    except (TypeError, ValueError):  # keys that do not sort, a mapping that holds itself
        return ""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def study_json(study: Study) -> str:
    """A study's record in data/studies.json (and in the record of valid studies the cache keeps)."""
    return _json(study_to_data(study))


_LAZY = ("codes", "evidence")  # the members of a record decoded only when first asked for, in their order


def study_record(study: Study) -> tuple[str, str]:
    """The study's record (`study_json`), and where its codes and evidence notes are in it ("codes=start:end",
    and " evidence=start:end" if it has notes): the parts `study_from_record` decodes only when first asked
    for. The record is put together from the JSON of these parts and of the runs of members between them,
    each made once (JSON's object is its members joined), not made whole and then measured in parts."""
    members: list[str | tuple[str, str]] = []
    run: dict[str, Any] = {}
    for key, value in study_to_data(study).items():
        if key in _LAZY:
            if run:
                members.append(_json(run)[1:-1])
                run = {}
            members.append((key, _json(value)))
        else:
            run[key] = value
    if run:
        members.append(_json(run)[1:-1])
    text, where = "{", []
    for member in members:
        text += "," if len(text) > 1 else ""
        if isinstance(member, tuple):
            key, part = member
            text += f'"{key}":'
            where.append(f"{key}={len(text)}:{len(text) + len(part)}")
            text += part
        else:
            text += member
    return text + "}", " ".join(where)


def _json(data: Any) -> str:
    return _ENCODER.encode(data)


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # json.dumps makes one per call


def study_from_record(text: str, where: str, path: str) -> Study:
    """The study of a record that `study_record` made; ValueError if it is not one. Its codes and evidence
    notes, most of its text, are decoded only when first asked for: a rebuild shows those of a few studies
    (its tallies are kept counted, `cache.KnownAggregates`)."""
    parts: dict[str, _RecordPart] = {}
    kept, last = [], 0
    for span in where.split():
        key, _, bounds = span.partition("=")
        start, end = (int(bound) for bound in bounds.split(":"))
        cut = start - len(key) - 4  # the comma before the member and its name: ,"key":
        if not (key in _LAZY and key not in parts and last <= cut and start <= end <= len(text)
                and text[cut:start] == f',"{key}":' and text[start:start + 1] == "{" and text[end - 1:end] == "}"):
            raise ValueError("the record's parts are not where it says")
        parts[key] = _RecordPart(text, start, end, path, _DECODERS[key])
        kept.append(text[last:cut])
        last = end
    kept.append(text[last:])
    return study_from_data(json.loads("".join(kept)), path, parts.get("evidence"), parts.get("codes"))


class _RecordPart(Mapping[str, Any]):
    """A study's codes or evidence notes, kept as the part of its record that holds them, decoded on first use."""

    __slots__ = ("_text", "_start", "_end", "_path", "_decode", "_found")

    def __init__(self, text: str, start: int, end: int, path: str, decode: Callable[[Any], dict[str, Any]]):
        self._text, self._start, self._end, self._path, self._decode = text, start, end, path, decode
        self._found: dict[str, Any] | None = None

    def _decoded(self) -> dict[str, Any]:
        if self._found is None:
            try:
                self._found = self._decode(json.loads(self._text[self._start:self._end]))
            except (ValueError, TypeError, KeyError, AttributeError):
                from .diagnostics import BuildError, Diagnostic

                raise BuildError([Diagnostic(self._path, 1, 1, "the record .cache/ keeps of this study is damaged; "
                                             "delete the folder .cache/ and build again")]) from None
        return self._found

    def __getitem__(self, key: str) -> Any:
        return self._decoded()[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self._decoded().get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self._decoded()

    def __iter__(self) -> Iterator[str]:
        return iter(self._decoded())

    def __len__(self) -> int:
        return len(self._decoded())

    def items(self) -> ItemsView[str, Any]:
        return self._decoded().items()

    def __eq__(self, other: object) -> bool:
        return self._decoded() == (other._decoded() if isinstance(other, _RecordPart) else other)

    __hash__ = None  # type: ignore[assignment]  # a mapping, as a dict is not hashable

    def __repr__(self) -> str:
        return repr(self._decoded())

    def __reduce__(self) -> tuple[type, tuple[Any, ...]]:
        return dict, (self._decoded(),)


_DECODERS: dict[str, Callable[[Any], dict[str, Any]]] = {"codes": _shared, "evidence": _notes}


def _evidence_data(evidence: Evidence) -> str | dict[str, str]:
    if not evidence.source and not evidence.where:
        return evidence.note
    return {"note": evidence.note, **({"source": evidence.source} if evidence.source else {}),
            **({"where": evidence.where} if evidence.where else {})}


def _author(author: Author) -> dict[str, Any]:
    data: dict[str, Any] = {"family": author.family}
    if author.given:
        data["given"] = author.given
    if author.corporate:
        data["corporate"] = True
    return data
