"""Agreement between coders: percent agreement and Cohen's kappa per codebook field.

A pure function of the studies and the codebook. A study may carry a
`second_coding` (another coder's values for some fields, and `resolved` notes
on how disagreements were settled). For each field of kind single, multiple,
boolean or country, the studies that count are those where both coders coded
the field (neither value is the "not yet coded" marker).

- Percent agreement is the share of those studies on which both coders gave the
  same value (for a list field: the same set of values).
- Cohen's kappa is (p_o - p_e) / (1 - p_e), with p_o the observed and p_e the
  chance agreement from each coder's own marginal distribution. For a single or
  boolean field each study is one decision. For a multiple or country field,
  each allowed value of the codebook is a yes/no decision per study ("does the
  study have this value?"), and kappa is computed over all study × value
  decisions. Kappa is undefined, and shown as "–", when p_e is 1 (both coders
  gave one and the same answer to every decision) or no study is double-coded.

Arithmetic is exact (fractions), so hand-computed examples can be compared for
equality.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from fractions import Fraction
from typing import Any

from .aggregate import format_percent, value_label
from .codebook import Codebook, Field
from .named_tuple import NamedTuple
from .study import Study


class Kappa(NamedTuple):
    """Cohen's kappa over a list of decisions, each a pair (first coder, second coder)."""

    decisions: int
    observed: Fraction | None  # p_o
    expected: Fraction | None  # p_e
    kappa: Fraction | None     # None when undefined

    @property
    def text(self) -> str:
        return "–" if self.kappa is None else f"{float(self.kappa):.2f}".replace("-", "−")


def cohen_kappa(pairs: Sequence[tuple[Hashable, Hashable]]) -> Kappa:
    """Kappa of two coders' answers to the same decisions."""
    n = len(pairs)
    if n == 0:
        return Kappa(0, None, None, None)
    observed = Fraction(sum(first == second for first, second in pairs), n)
    firsts, seconds = Counter(p[0] for p in pairs), Counter(p[1] for p in pairs)
    expected = sum((Fraction(firsts[k] * seconds[k], n * n) for k in firsts), Fraction(0))
    kappa = None if expected == 1 else (observed - expected) / (1 - expected)
    return Kappa(n, observed, expected, kappa)


class FieldAgreement(NamedTuple):
    """Agreement between two coders on one field: the studies both coded, how many agree, and kappa."""

    field: Field
    studies: int   # double-coded on this field
    agreeing: int  # of them, studies on which both coders gave the same value
    kappa: Kappa

    @property
    def percent(self) -> float | None:
        return 100 * self.agreeing / self.studies if self.studies else None

    @property
    def percent_text(self) -> str:
        return format_percent(self.percent)

    @property
    def unit(self) -> str:
        """What kappa was computed over, in words."""
        if self.field.is_list:
            return f"{self.kappa.decisions} study × value decisions"
        return f"{self.kappa.decisions} stud{'y' if self.kappa.decisions == 1 else 'ies'}"


class Disagreement(NamedTuple):
    """One study on which two coders gave a field different values, and how it was resolved, if it was."""

    study: Study
    field: Field
    first: str   # the first coder's value, as a reader sees it
    second: str  # the second coder's
    resolution: str = ""  # the `resolved` note; empty while unresolved


class AgreementReport(NamedTuple):
    """Agreement between coders over an edition: per field, and the disagreements open and resolved."""

    total: int                          # studies in the edition
    double_coded: int                   # studies with a second coding
    fields: tuple[FieldAgreement, ...]
    unresolved: tuple[Disagreement, ...]
    resolved: tuple[Disagreement, ...]

    @property
    def share_text(self) -> str:
        return format_percent(100 * self.double_coded / self.total if self.total else None)


def agreement(studies: Sequence[Study], codebook: Codebook) -> AgreementReport:
    """Agreement per field and the disagreements, over every study with a second coding."""
    ordered = sorted((s for s in studies if s.second_coding is not None), key=lambda s: s.id)
    fields: list[FieldAgreement] = []
    unresolved: list[Disagreement] = []
    resolved: list[Disagreement] = []
    for field in codebook.fields:
        if not field.tallied:
            continue
        pairs = [(study, first, second) for study in ordered
                 for first, second in [_both_coded(study, field, codebook)] if first is not None]
        agreeing = sum(_same(first, second) for _, first, second in pairs)
        fields.append(FieldAgreement(field, len(pairs), agreeing, cohen_kappa(_decisions(field, codebook, pairs))))
        for study, first, second in pairs:
            if _same(first, second):
                continue
            note = study.second_coding.resolved.get(field.key, "") if study.second_coding else ""
            found = Disagreement(study, field, _shown(field, first, codebook), _shown(field, second, codebook), note)
            (resolved if note.strip() else unresolved).append(found)
    return AgreementReport(len(studies), len(ordered), tuple(fields), tuple(unresolved), tuple(resolved))


def _both_coded(study: Study, field: Field, codebook: Codebook) -> tuple[Any, Any]:
    """The two coders' values of a field, or (None, None) unless both coded it."""
    second_codes = study.second_coding.codes if study.second_coding else {}
    if field.key not in second_codes or field.key not in study.codes:
        return None, None
    first, second = study.codes[field.key], second_codes[field.key]
    if not codebook.is_coded(first) or not codebook.is_coded(second):
        return None, None
    return first, second


def _same(first: Any, second: Any) -> bool:
    if isinstance(first, list) and isinstance(second, list):
        return set(first) == set(second)
    return first == second and type(first) is type(second)


def _decisions(field: Field, codebook: Codebook,
               pairs: Sequence[tuple[Study, Any, Any]]) -> list[tuple[Hashable, Hashable]]:
    if not field.is_list:
        return [(first, second) for _, first, second in pairs]
    values = list(codebook.allowed_values(field))
    extra = sorted({v for _, first, second in pairs for v in [*first, *second]} - set(values), key=str)
    return [(value in first, value in second) for _, first, second in pairs for value in values + extra]


def _shown(field: Field, value: Any, codebook: Codebook) -> str:
    if isinstance(value, list):
        return ", ".join(value_label(field.key, v, codebook) for v in value) or "none"
    return value_label(field.key, value, codebook)
