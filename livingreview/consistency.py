"""Checks of a published review against itself: do its figures add up, do its printed percentages follow from
its counts, does its text agree with its own lists, and which citations do not match its reference list.

Each kind of check is declared once in KINDS (the settings it needs, what a failure of it means, how it is
computed), as the figure kinds are; a review's own checks are data in its content/baseline.yaml. The engine
computes every result from the numbers and lists in that data and never takes a result as given; the
published sentences a check concerns are kept beside it, so a reader can weigh them side by side.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from .citations import CITATION_KINDS, MAX_QUOTE_WORDS, CitationProblem, citation_year, read_citations
from .named_tuple import NamedTuple

# Most serious first; each level in words, for a reader who cannot tell the colours apart.
LEVELS = ("contradiction", "arithmetic", "rounding")
LEVEL_WORDS = {"contradiction": ("contradiction", "contradictions"),
               "arithmetic": ("arithmetic error", "arithmetic errors"),
               "rounding": ("rounding difference", "rounding differences")}
LEVEL_HELP = {"contradiction": "the text against its own lists or against itself",
              "arithmetic": "counts or totals that do not add up, or a percentage further from its count than "
                            "rounding explains",
              "rounding": "a printed percentage no further from the computed one than one unit of its last printed "
                          "digit"}
Problem = Callable[[str, Sequence[Any], bool], None]  # message, where in the file, whether at the key itself


class PublishedFigure(Protocol):
    """A figure as the published review printed it (content/baseline.yaml's `figures:`)."""

    @property
    def key(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def value(self) -> int: ...
    @property
    def percent(self) -> float | None: ...
    @property
    def of(self) -> str | None: ...
    @property
    def percent_decimals(self) -> int | None: ...


class Statement(NamedTuple):
    """A published sentence a check concerns: a short quotation and where it stands."""

    quote: str
    where: str
    about: str = ""  # what the sentence states, when a check holds several (a category, a study)


class Check(NamedTuple):
    """One check as content/baseline.yaml declares it, its settings validated against its kind."""

    kind: str
    label: str
    settings: Mapping[str, Any]
    statements: tuple[Statement, ...] = ()
    note: str = ""


class Outcome(NamedTuple):
    """What the engine computed for one check."""

    label: str
    kind: str
    level: str | None  # None when the check holds
    working: tuple[str, ...]  # how it was computed, step by step
    computed: str
    stated: str
    statements: tuple[Statement, ...] = ()
    note: str = ""

    @property
    def level_words(self) -> str:
        return LEVEL_WORDS[self.level][0].capitalize() if self.level else "Holds"


@dataclass(frozen=True)
class Level:
    """One level of seriousness of a failed check, with how many checks failed at it."""

    key: str
    words: str
    count: int
    help: str


class ConsistencyReport(NamedTuple):
    """Every check of a published baseline: what does not agree (most serious first), what holds, and the
    citation errors recorded."""

    findings: tuple[Outcome, ...]
    holding: tuple[Outcome, ...]
    citations: tuple[CitationProblem, ...] = ()
    levels: tuple[Level, ...] = ()


# --- the settings a kind of check may declare ---------------------------------------------------------------

class Setting(NamedTuple):
    """A setting a kind of check declares: its name, how it is read, and what it holds."""

    name: str
    role: str  # how it is read: see _READERS
    help: str  # what it holds, with an example


class Computed(NamedTuple):
    """The outcome of one check: whether the published figure holds, and the working shown to readers."""

    holds: bool
    working: tuple[str, ...]
    computed: str
    stated: str
    statements: tuple[Statement, ...] = ()  # more published sentences, from the check's lists


class CheckKind(NamedTuple):
    """A kind of check of a published review against itself (KINDS): its settings and how it is computed."""

    name: str
    summary: str
    level: str  # what a failure of this kind of check is
    settings: tuple[Setting, ...]
    compute: Callable[[Check, Mapping[str, PublishedFigure]], Computed]
    needs_statements: bool = True
    agree: Callable[[Mapping[str, Any]], str] | None = None  # what is wrong with settings that disagree, or ""


_INVALID = object()


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _read_figure(value: Any, where: list, problem: Problem, figures: Collection[str]) -> Any:
    if isinstance(value, str) and value in figures:
        return value
    problem(f"'{value}' is not a key of a published figure; keys: {', '.join(sorted(figures)) or 'none'}",
           where, False)
    return _INVALID


def _read_figures(value: Any, where: list, problem: Problem, figures: Collection[str]) -> Any:
    if not isinstance(value, list) or not value:
        problem("must be a list of published figures' keys, such as [included, excluded]", where, False)
        return _INVALID
    read = [_read_figure(item, [*where, index], problem, figures) for index, item in enumerate(value)]
    return _INVALID if _INVALID in read else tuple(read)


def _read_citations(value: Any, where: list, problem: Problem, figures: Collection[str]) -> Any:
    if not isinstance(value, list) or not value:
        problem("must be a list of citations as printed, such as ['Doe et al., 2019', 'Roe & Poe, 2020']", where,
               False)
        return _INVALID
    seen: set[str] = set()
    good = True
    for index, item in enumerate(value):
        if not _text(item) or citation_year(item) is None:
            problem(f"'{item}' is not a citation with one year, such as 'Doe et al., 2019'", [*where, index], False)
            good = False
        elif item in seen:
            problem(f"'{item}' is named twice; name each study once", [*where, index], False)
            good = False
        seen.add(str(item))
    return tuple(value) if good else _INVALID


def _read_year(value: Any, where: list, problem: Problem, figures: Collection[str]) -> Any:
    if isinstance(value, int) and not isinstance(value, bool) and 1000 <= value <= 2999:
        return value
    problem(f"'{value}' is not a year; write it as a whole number, such as 2010", where, False)
    return _INVALID


def _read_date(value: Any, where: list, problem: Problem, figures: Collection[str]) -> Any:
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    problem(f"'{value}' is not a date; write it as YYYY-MM-DD, such as 2021-01-04", where, False)
    return _INVALID


_STEPS = {"start": "the number the chain starts from", "less": "a number taken away", "plus": "a number added",
          "gives": "a number the text states the steps so far give"}


def _read_steps(value: Any, where: list, problem: Problem, figures: Collection[str]) -> Any:
    example = "[{start: assessed}, {less: excluded}, {gives: included}]"
    if not isinstance(value, list) or len(value) < 2:
        problem(f"must be a list of at least two steps, such as {example}", where, False)
        return _INVALID
    steps = []
    for index, step in enumerate(value):
        if not (isinstance(step, dict) and len(step) == 1 and next(iter(step)) in _STEPS):
            problem(f"each step is one of {', '.join(f'{k} ({v})' for k, v in _STEPS.items())}, naming a "
                   f"published figure, such as '- less: excluded'", [*where, index], False)
            return _INVALID
        (name, key), = step.items()
        if (name == "start") != (index == 0):
            problem("the first step, and only the first, is `start:`", [*where, index], True)
            return _INVALID
        if _read_figure(key, [*where, index, name], problem, figures) is _INVALID:
            return _INVALID
        steps.append((name, key))
    if not any(name == "gives" for name, _ in steps):
        problem(f"the steps need at least one `gives:`, the number the text states they give; such as {example}",
               where, False)
        return _INVALID
    return tuple(steps)


def _read_statement(item: Any, where: list, problem: Problem, about: str = "") -> Statement | None:
    if not isinstance(item, dict) or not _text(item.get("quote")) or not _text(item.get("where")):
        problem("a statement needs `quote:` (the published words) and `where:` (the section), such as "
               "{quote: 'the rest were published from 2010 to 2016', where: 'Findings, Characteristics'}",
               where, False)
        return None
    for extra in sorted(set(item) - {"quote", "where"}, key=str):
        problem(f"a statement has no setting '{extra}'; it has quote and where", [*where, extra], True)
        return None
    words = len(item["quote"].split())
    if words > MAX_QUOTE_WORDS:
        problem(f"the quotation has {words} words; quote at most {MAX_QUOTE_WORDS}, the words the check concerns",
               [*where, "quote"], False)
        return None
    return Statement(item["quote"].strip(), item["where"].strip(), about)


def _read_categories(value: Any, where: list, problem: Problem, figures: Collection[str]) -> Any:
    if not isinstance(value, list) or len(value) < 2:
        problem("must be a list of at least two categories, such as [{figure: trials}, {figure: surveys}]", where,
               False)
        return _INVALID
    categories = []
    for index, item in enumerate(value):
        at = [*where, index]
        if not isinstance(item, dict) or "figure" not in item:
            problem("a category needs `figure:` (its published count), and may add `named:` (the studies the text "
                   "names in it) with `quote:` and `where:`", at, False)
            return _INVALID
        for extra in sorted(set(item) - {"figure", "named", "quote", "where"}, key=str):
            problem(f"a category has no setting '{extra}'; it has figure, named, quote and where", [*at, extra], True)
            return _INVALID
        key = _read_figure(item["figure"], [*at, "figure"], problem, figures)
        named = _read_citations(item["named"], [*at, "named"], problem, figures) if "named" in item else ()
        statement = None
        if "quote" in item or "where" in item:
            statement = _read_statement({k: item.get(k) for k in ("quote", "where")}, at, problem)
            if statement is None:
                return _INVALID
        if _INVALID in (key, named):
            return _INVALID
        categories.append((key, named, statement))
    return tuple(categories)


def _read_cited(value: Any, where: list, problem: Problem, figures: Collection[str]) -> Any:
    if not isinstance(value, list) or not value:
        problem("must be a list of studies as cited, each with its quotation: [{cite: 'Doe et al., 2019', "
               "quote: '...', where: 'Findings'}]", where, False)
        return _INVALID
    cited = []
    for index, item in enumerate(value):
        at = [*where, index]
        cite = item.get("cite") if isinstance(item, dict) else None
        if not isinstance(cite, str) or not cite.strip() or citation_year(cite) is None:
            problem("each entry needs `cite:`, the citation as printed with its year (such as 'Doe et al., 2019'), "
                   "with `quote:` and `where:`", at, False)
            return _INVALID
        statement = _read_statement({k: v for k, v in item.items() if k != "cite"}, at, problem, cite)
        if statement is None:
            return _INVALID
        if cite not in statement.quote:
            problem("the quotation must contain the citation exactly as `cite:` gives it", [*at, "quote"], False)
            return _INVALID
        cited.append(statement)
    return tuple(cited)


_READERS: dict[str, Callable[[Any, list, Problem, Collection[str]], Any]] = {
    "figure": _read_figure, "figures": _read_figures, "citations": _read_citations, "year": _read_year,
    "date": _read_date, "steps": _read_steps, "categories": _read_categories, "cited": _read_cited}


# --- computing each kind ------------------------------------------------------------------------------------

def _figure_text(figure: PublishedFigure) -> str:
    return f"{figure.value:,} ({figure.label})"


def _sum(check: Check, figures: Mapping[str, PublishedFigure]) -> Computed:
    parts = [figures[key] for key in check.settings["sum"]]
    total = sum(part.value for part in parts)
    equals = figures[check.settings["equals"]]
    working = " + ".join(f"{part.label} {part.value:,}" for part in parts) + f" = {total:,}"
    return Computed(total == equals.value, (working,), f"{total:,}", _figure_text(equals))


def _named(check: Check, figures: Mapping[str, PublishedFigure]) -> Computed:
    named = check.settings["named"]
    count = figures[check.settings["count"]]
    return Computed(len(named) == count.value, (f"Named: {'; '.join(named)}.",),
                    f"{len(named):,} {'study' if len(named) == 1 else 'studies'} named", _figure_text(count))


def _selection(check: Check, figures: Mapping[str, PublishedFigure]) -> Computed:
    running, working, computed, stated, holds = 0, [], [], [], True
    signs = {"start": "", "less": "− ", "plus": "+ "}
    for name, key in check.settings["steps"]:
        figure = figures[key]
        if name == "gives":
            follows = running == figure.value
            holds = holds and follows
            working.append(f"gives {figure.label}: computed {running:,}, stated {figure.value:,}"
                           + ("" if follows else " (does not follow)"))
            if not follows:
                computed.append(f"{running:,}")
                stated.append(_figure_text(figure))
            running = figure.value  # each later step follows from the number as stated
            continue
        running = figure.value if name == "start" else running + (figure.value if name == "plus" else -figure.value)
        working.append(f"{signs[name]}{figure.label} {figure.value:,}" + ("" if name == "start" else
                                                                            f" → {running:,}"))
    return Computed(holds, tuple(working), "; ".join(computed) or "every step follows",
                    "; ".join(stated) or "as stated")


def _overlap(check: Check, figures: Mapping[str, PublishedFigure]) -> Computed:
    categories = check.settings["categories"]
    total = figures[check.settings["total"]]
    counted = sum(figures[key].value for key, _, _ in categories)
    working = [" + ".join(f"{figures[key].label} {figures[key].value:,}" for key, _, _ in categories)
               + f" = {counted:,}, of a total of {total.value:,}"]
    where_named: dict[str, list[str]] = {}
    for key, named, _ in categories:
        for cite in named:
            where_named.setdefault(cite, []).append(figures[key].label)
    shared = {cite: labels for cite, labels in where_named.items() if len(labels) > 1}
    working += [f"{cite}: named under {' and '.join(labels)}" for cite, labels in shared.items()]
    computed = [f"categories sum to {counted:,}"] if counted > total.value else []
    if shared:
        computed.append(f"{len(shared)} {'study' if len(shared) == 1 else 'studies'} named in more than one")
    statements = tuple(statement._replace(about=figures[key].label) for key, _, statement in categories
                       if statement is not None)
    return Computed(counted <= total.value and not shared, tuple(working),
                    "; ".join(computed) or f"categories sum to {counted:,}, none named twice",
                    f"{_figure_text(total)}, in categories the text presents as exclusive", statements)


def _window(check: Check, figures: Mapping[str, PublishedFigure]) -> Computed:
    start, end, until = check.settings["from"], check.settings["to"], check.settings["searched_until"]
    working = [f"Stated window: {start}–{end}; database search ended {until.isoformat()}."]
    if end > until.year:
        working.append(f"The window runs to {end}, after the year the search ended.")
    outside = 0
    for statement in check.settings["cited"]:
        year = citation_year(statement.about)
        assert year is not None  # validated when read
        problems = ([f"outside {start}–{end}"] if not start <= year <= end else []) + (
            [f"after the search ended ({until.year})"] if year > until.year else [])
        outside += bool(problems)
        working.append(f"{statement.about}: {'; '.join(problems) if problems else 'within the window'}.")
    cited = len(check.settings["cited"])
    return Computed(not outside and end <= until.year, tuple(working),
                    f"{outside} of {cited} named {'study' if cited == 1 else 'studies'} outside the window or "
                    f"after the search",
                    f"{start}–{end}, searched until {until.isoformat()}", check.settings["cited"])


def _window_agrees(settings: Mapping[str, Any]) -> str:
    if settings["from"] <= settings["to"]:
        return ""
    return (f"the window runs from {settings['from']} to {settings['to']}; its first year comes first, such as "
            f"from: 2010, to: 2021")


KINDS: dict[str, CheckKind] = {kind.name: kind for kind in (
    CheckKind("sum", "published counts add up to a published total", "arithmetic",
              (Setting("sum", "figures", "the published figures that add up, such as [included, excluded]"),
               Setting("equals", "figure", "the published figure they add up to, such as assessed")),
              _sum, needs_statements=False),
    CheckKind("named", "the studies the text names are as many as the count it states", "contradiction",
              (Setting("count", "figure", "the published figure stating how many, such as trials"),
               Setting("named", "citations", "the studies the text names, as printed, such as "
                                             "['Doe et al., 2019', 'Roe, 2020']")),
              _named),
    CheckKind("selection", "each step of the selection follows from the one before", "arithmetic",
              (Setting("steps", "steps", "start, less, plus and gives steps naming published figures, such as "
                                         "[{start: assessed}, {less: excluded}, {gives: included}]"),),
              _selection),
    CheckKind("overlap", "categories the text presents as exclusive neither exceed their total nor share a study",
              "contradiction",
              (Setting("total", "figure", "the published total, such as included"),
               Setting("categories", "categories", "the categories, each `figure:` with its optional `named:` "
                                                   "studies, `quote:` and `where:`")),
              _overlap),
    CheckKind("window", "the studies named fall inside the stated publication window, and the window inside the "
                        "search dates", "contradiction",
              (Setting("from", "year", "the first year of the stated window, such as 2010"),
               Setting("to", "year", "the last year of the stated window, such as 2021"),
               Setting("searched_until", "date", "the date the search ended, such as 2021-01-04"),
               Setting("cited", "cited", "the included studies to test, each `cite:` with `quote:` and `where:`")),
              _window, agree=_window_agrees),
)}


# --- reading a baseline's checks ----------------------------------------------------------------------------

def read_checks(items: Any, figures: Collection[str], problem: Problem) -> tuple[Check, ...]:
    """The checks of content/baseline.yaml's `checks:`, each validated against its kind; every problem reported."""
    if items is None:
        return ()
    if not isinstance(items, list):
        problem("`checks:` must be a list of checks, each starting with '- kind: ...'", ["checks"], False)
        return ()
    checks = []
    for index, item in enumerate(items):
        check = _read_check(item, ["checks", index], figures, problem)
        if check is not None:
            checks.append(check)
    return tuple(checks)


def _read_check(item: Any, where: list, figures: Collection[str], problem: Problem) -> Check | None:
    if not isinstance(item, dict):
        problem("each check must be a mapping, such as '- {kind: sum, label: ..., sum: [a, b], equals: c}'", where,
               False)
        return None
    kind = KINDS.get(item.get("kind", "sum")) if isinstance(item.get("kind", "sum"), str) else None
    if kind is None:
        listed = "; ".join(f"{name} ({k.summary})" for name, k in KINDS.items())
        problem(f"unknown kind of check '{item.get('kind')}'. Kinds: {listed}", [*where, "kind"], False)
        return None
    good = _text(item.get("label"))
    if not good:
        problem("a check needs `label:`, what it checks in words, such as 'Regions add up to the included studies'",
               where, False)
    declared = {setting.name: setting for setting in kind.settings}
    for extra in sorted(set(item) - {"kind", "label", "statements", "note"} - set(declared), key=str):
        problem(f"a check of kind {kind.name} has no setting '{extra}'; its settings: "
               f"{', '.join(declared)}, with label, statements and note", [*where, extra], True)
        good = False
    settings = {}
    for setting in kind.settings:
        if setting.name not in item:
            problem(f"a check of kind {kind.name} needs `{setting.name}:` ({setting.help})", where, False)
            good = False
            continue
        settings[setting.name] = _READERS[setting.role](item[setting.name], [*where, setting.name], problem, figures)
        good = good and settings[setting.name] is not _INVALID
    if good and kind.agree is not None and (message := kind.agree(settings)):
        problem(message, where, False)
        good = False
    statements = _read_statements(item.get("statements"), [*where, "statements"], kind, problem)
    if item.get("note") is not None and not isinstance(item.get("note"), str):
        problem("`note:` must be text", [*where, "note"], False)
        good = False
    if not good or statements is None:
        return None
    return Check(kind.name, item["label"].strip(), settings, statements, (item.get("note") or "").strip())


def _read_statements(value: Any, where: list, kind: CheckKind, problem: Problem) -> tuple[Statement, ...] | None:
    if value is None and not kind.needs_statements:
        return ()
    if not isinstance(value, list) or not value:
        problem(f"a check of kind {kind.name} needs `statements:`, the published sentences it concerns, such as "
               f"[{{quote: 'of which 172 were included', where: 'Methods, Selecting Studies'}}]",
               where if value is not None else where[:-1], False)
        return None
    statements = [_read_statement(item, [*where, index], problem) for index, item in enumerate(value)]
    return None if None in statements else tuple(s for s in statements if s is not None)


# --- the problem ---------------------------------------------------------------------------------------------

def evaluate(figures: Sequence[PublishedFigure], checks: Sequence[Check],
           citations: Sequence[CitationProblem] = ()) -> ConsistencyReport:
    """Every check computed: what does not agree, most serious first (in the order declared within a level)."""
    by_key = {figure.key: figure for figure in figures}
    outcomes = [_outcome(check, by_key) for check in checks]
    outcomes += [outcome for figure in figures if (outcome := _printed_percent(figure, by_key)) is not None]
    findings = sorted((o for o in outcomes if o.level), key=lambda o: LEVELS.index(o.level or ""))
    counts = {level: sum(o.level == level for o in findings) for level in LEVELS}
    levels = tuple(Level(level, LEVEL_WORDS[level][counts[level] != 1], counts[level], LEVEL_HELP[level])
                   for level in LEVELS)
    return ConsistencyReport(tuple(findings), tuple(o for o in outcomes if not o.level), tuple(citations), levels)


def _outcome(check: Check, figures: Mapping[str, PublishedFigure]) -> Outcome:
    kind = KINDS[check.kind]
    computed = kind.compute(check, figures)
    return Outcome(check.label, kind.name, None if computed.holds else kind.level, computed.working, computed.computed,
                   computed.stated, check.statements + computed.statements, check.note)


def _decimals(percent: float, written: int | None) -> int:
    if written is not None:
        return written
    text = repr(percent)
    return len(text.split(".")[1]) if "." in text and "e" not in text else 0


def _printed_percent(figure: PublishedFigure, figures: Mapping[str, PublishedFigure]) -> Outcome | None:
    """A printed percentage against its count and denominator: as printed, within rounding, or an error.

    A percentage printed with d decimals holds when the computed one rounds to it; it differs by rounding when
    it is at most one unit of its last digit (10^-d) away, as when an intermediate was rounded first or the
    digits were cut instead of rounded; further away, the percentage does not follow from its count."""
    if figure.percent is None or not figure.of or not figures[figure.of].value:
        return None
    denominator = figures[figure.of].value
    computed = 100 * figure.value / denominator
    decimals = _decimals(figure.percent, figure.percent_decimals)
    printed = f"{figure.percent:.{decimals}f}"
    difference = abs(computed - figure.percent)
    unit = 10.0 ** -decimals
    if f"{computed:.{decimals}f}" == printed:
        level = None
    else:
        level = "rounding" if difference <= unit + 1e-9 else "arithmetic"
    working = [f"{figure.value:,} / {denominator:,} = {computed:.{decimals + 2}f} %"]
    if level:
        working.append(f"The printed {printed} % is {difference:.{decimals + 2}f} points away; one unit of its last "
                       f"printed digit is {unit:.{decimals}f}.")
    return Outcome(f"Printed percentage of “{figure.label}”", "percent", level, tuple(working),
                   f"{computed:.{decimals}f} %", f"{printed} % (printed)")


__all__ = ["CITATION_KINDS", "KINDS", "LEVELS", "Check", "CheckKind", "CitationProblem", "ConsistencyReport",
           "Outcome", "Statement", "evaluate", "read_checks", "read_citations"]
