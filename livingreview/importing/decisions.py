"""Screening decisions that exports carry: Rayyan writes each screener's decision into a record's notes
(`RAYYAN-INCLUSION: {"Kristina"=>"Included", "Ottar"=>"Maybe"}`, with `RAYYAN-EXCLUSION-REASONS: ...`);
Covidence exports one list at a time (included, excluded, irrelevant), named in the file's name, and writes a
full text's exclusion reason into Notes."""

from __future__ import annotations

import re

_RAYYAN = re.compile(r"RAYYAN-INCLUSION:\s*\{(.*?)\}", re.DOTALL)
_RAYYAN_REASONS = re.compile(r"RAYYAN-EXCLUSION-REASONS:\s*(.*?)\s*(?:\|\s*[A-Z][A-Z-]+:|$)", re.DOTALL)
_COVIDENCE_LISTS = (("irrelevant", "excluded", "irrelevant at title and abstract screening"),
                    ("excluded", "excluded", ""), ("included", "included", ""), ("select", "undecided", ""),
                    ("screen", "undecided", ""))


def rayyan_decision(notes: str) -> tuple[str, str]:
    """(decision, reason) from Rayyan's notes; ("", "") when they carry none. Included only when every
    screener included the record; screeners who disagree are a conflict."""
    found = _RAYYAN.search(notes)
    if not found:
        return "", ""
    decided = {value.strip().casefold() for _, value in re.findall(r'"([^"]*)"\s*=>\s*"([^"]*)"', found.group(1))}
    reasons = _RAYYAN_REASONS.search(notes)
    reason = reasons.group(1).strip(" |,") if reasons else ""
    if not decided:
        return "undecided", ""
    if len(decided) > 1:
        return "conflict", reason
    decision = decided.pop()
    return ({"included": "included", "excluded": "excluded", "maybe": "maybe"}.get(decision, "undecided"),
            reason if decision == "excluded" else "")


def covidence_decision(file_name: str, notes: str) -> tuple[str, str]:
    """(decision, reason) of a row of a Covidence export: the list its file was exported from (Covidence names
    the file after it), or an exclusion reason in Notes; "undecided" when neither says."""
    reason = re.search(r"Exclusion reason:\s*([^;]+)", notes)
    if reason:
        return "excluded", reason.group(1).strip()
    lowered = file_name.casefold()
    for word, decision, why in _COVIDENCE_LISTS:
        if word in lowered:
            return decision, why
    return "undecided", ""
