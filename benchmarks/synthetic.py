#!/usr/bin/env python3
"""Synthetic review folders for benchmarking: N valid, clearly synthetic studies.

    python benchmarks/synthetic.py 1000 [--seed 0] [--out DIR] [--hugo DIR] [--source REVIEW]

writes a scratch review folder (by default a new folder in the system's temporary
directory, never inside the repository) with a copy of a review's content/ (and
templates/, if it has one) and N study files in studies/. The review copied is the
repository's own by default; `--source` names another. Every study is marked as
synthetic: its id is `synthetic-00042`, its title starts with "[synthetic]", its
DOI uses the test prefix 10.5555, and each file starts with a comment saying so.

The studies are shaped like real ones (author lists, years 2010-2024, journals,
volumes and pages, evidence notes, notes) and coded by the copied review's own
codebook, whatever its fields: every field's values are drawn from the values the
codebook allows, skewed as in real reviews, with a share of "not yet coded" that
differs from field to field; the field a flow figure routes by is always coded.
They pass `livingreview check`: DOIs are unique, titles of the same year are kept
well below the near-duplicate threshold, the codebook's cross-field rules hold,
and `in_baseline` is written only for a review with a published baseline (the
first studies, as many as the baseline's included studies, are in it).

The output depends only on N and the seed (and on the copied review): study i is
the same whatever N, so the 1,000-study corpus starts with the 172-study one.

`write_hugo_site` turns any review folder into a Hugo site with the same study
pages (one per study, with title, authors, year, journal and coded values with
their evidence), the list of all studies and a home page, for the comparison
in benchmarks/run.py.
"""

from __future__ import annotations

import argparse
import bisect
import json
import random
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
MARKER = "[synthetic]"
YEARS = range(2010, 2025)
# Titles of the same year must stay below the check's near-duplicate threshold (rapidfuzz ratio 95);
# the generator keeps a wide margin.
TITLE_MARGIN = 85

# Share of studies not yet coded on a field, drawn per field from this range. A review coded from
# published text leaves many fields open; a living review fills them in over time. The range sits in
# between, so that pages, filters and figures all have real work to do.
NOT_CODED_SHARES = (0.2, 0.7)
# Optional fields (required: false): how often a study has them at all.
OPTIONAL_PRESENT_SHARE = 0.2
# A list field is an empty list (the study says none of the values applies) this often.
NONE_SHARE = 0.1
# The value a flow figure counts as the main route (the database search) holds this share of studies.
MAIN_ROUTE_SHARE = 0.9
AUTHOR_COUNTS = {1: 4, 2: 11, 3: 26, 4: 23, 5: 15, 6: 7, 7: 20, 8: 6, 9: 3, 10: 2, 12: 1, 15: 1}

FAMILY_NAMES = """
Ahmed Akinyemi Almeida Andersen Anderson Baker Barrenger Barros Becker Bennett Berg Bianchi Blanch
Bouchard Brennan Brown Campbell Carvalho Chan Chen Chinman Clarke Cohen Costa Cruz Davidson Davies
Dubois Eriksson Evans Fernandes Fischer Fortuna Fraser Gagnon Garcia Gillard Gomez Gonzalez Gray
Hansen Harris Hayashi Hernandez Hoffmann Holm Hughes Ibrahim Ito Jackson Jensen Johansson Johnson
Jones Kaplan Kato Kelly Khan Kim Koskinen Kowalski Kumar Lam Larsen Lee Lehtonen Lewis Li Lindqvist
Lopez Lund MacDonald Martin Martinez Meyer Miller Mitchell Moore Moreno Morris Murphy Nakamura Nelson
Ness Nguyen Nielsen Novak O'Brien O'Connor Okafor Olsen Ortiz Park Patel Pereira Perez Petersen
Phillips Quinn Ramirez Reid Repper Ribeiro Richter Rivera Roberts Robinson Rossi Russo Salzer Santos
Sato Schmidt Schneider Scott Shah Silva Singh Smith Solomon Stewart Suzuki Svensson Tanaka Taylor
Thomas Thompson Tremblay Turner van_Dijk van_der_Berg Virtanen Wagner Walker Wang Watson Weber White
Williams Wilson Wong Wright Yamamoto Yang Young Zhang Zimmermann Åkerblom Øster Müller Núñez Çelik
""".split()
FAMILY_NAMES = [name.replace("_", " ") for name in FAMILY_NAMES]
JOURNALS = (
    "Community Mental Health Journal", "Psychiatric Rehabilitation Journal", "Psychiatric Services",
    "Journal of Mental Health", "Harm Reduction Journal", "BMC Psychiatry", "Psychological Services",
    "International Journal of Mental Health Nursing", "Health & Social Care in the Community",
    "Administration and Policy in Mental Health and Mental Health Services Research",
    "Journal of Substance Abuse Treatment", "Social Psychiatry and Psychiatric Epidemiology",
    "Frontiers in Psychiatry", "BMJ Open", "Qualitative Health Research", "Journal of Dual Diagnosis",
    "Drug and Alcohol Review", "Journal of Participatory Medicine", "Mental Health Review Journal",
    "Journal of Psychiatric and Mental Health Nursing", "International Journal of Social Psychiatry",
)

# Title parts: several independent slots, so that titles differ in many words, not one.
WORKERS = ("peer support workers", "peer specialists", "lived experience practitioners", "peer navigators",
           "recovery coaches", "experts by experience", "peer mentors", "peer providers",
           "consumer providers", "peer recovery specialists", "certified peer specialists",
           "community health workers with lived experience", "forensic peer specialists",
           "peer outreach workers", "peer family advocates", "lived experience researchers")
SETTINGS = ("acute inpatient psychiatry", "emergency departments", "community mental health teams",
            "primary care", "harm-reduction services", "supported housing", "prison re-entry programmes",
            "veterans' health care", "vocational rehabilitation", "crisis resolution teams",
            "opioid treatment programmes", "early intervention in psychosis", "perinatal substance use services",
            "street outreach", "forensic mental health services", "assertive community treatment",
            "integrated care for co-occurring disorders", "university counselling services",
            "child and youth mental health services", "homeless shelters")
PLACES = ("in rural Australia", "in Ontario", "in Finland", "in New Zealand", "in the Netherlands",
          "in England", "in Scotland", "in Ireland", "in Norway", "in Sweden", "in Denmark",
          "in the United States", "in New York City", "in California", "in Texas", "in British Columbia",
          "in Hong Kong", "in Singapore", "in South Africa", "in Brazil", "in a Veterans Affairs network",
          "in urban Canada", "across three European countries", "in a statewide programme")
METHODS = ("a qualitative study", "a randomised controlled trial", "a mixed-methods evaluation",
           "a Delphi study", "a realist evaluation", "a cohort study", "a multiple case study",
           "a cross-sectional survey", "a pilot study", "a process evaluation", "an ethnographic study",
           "participatory action research", "a feasibility trial", "a stepped-wedge trial",
           "an interpretative phenomenological analysis", "a secondary analysis of registry data")
OUTCOMES = ("readmission", "engagement in care", "personal recovery", "hope and empowerment", "self-stigma",
            "role clarity", "workforce wellbeing", "service user satisfaction", "treatment retention",
            "quality of life", "housing stability", "overdose deaths", "emergency department use",
            "employment outcomes", "social inclusion", "shared decision making", "burnout",
            "therapeutic alliance")
VERBS = ("Integrating", "Implementing", "Evaluating", "Sustaining", "Co-designing", "Scaling up",
         "Training", "Supervising", "Embedding", "Funding", "Recruiting", "Retaining", "Involving",
         "Supporting", "Rethinking")
QUOTES = ("They treat me like an equal", "I have been there too", "Walking alongside", "Nothing about us without us",
          "More than a helper", "A foot in both worlds", "Somebody who gets it", "Bridging the gap",
          "From patient to colleague", "It is not just a job", "Opening doors", "We are the evidence",
          "Holding the hope", "Lost in translation", "Finding my voice", "A seat at the table")
ASPECTS = ("Barriers and facilitators", "Role conflict", "Organisational readiness", "Fidelity",
           "Costs and benefits", "Experiences", "Perspectives", "Challenges", "Outcomes",
           "Mechanisms of change", "Supervision needs", "Training needs", "Career pathways",
           "Boundary work", "Power and participation", "Workplace culture")
TITLE_PATTERNS = (
    "{verb} {workers} in {setting} {place}: {method}",
    "Effects of {workers} on {outcome} in {setting}: {method}",
    "\u201c{quote}\u201d: experiences of {workers} in {setting} {place}",
    "{aspect} of involving {workers} in {setting}: {method} {place}",
    "{outcome_cap} and {outcome2} among service users supported by {workers} {place}",
    "Do {workers} improve {outcome} in {setting}? {method_cap} {place}",
    "{aspect} in co-producing {setting} with {workers}: {method}",
    "{verb} {workers} for {outcome}: lessons from {setting} {place}",
)
SECTIONS = ("Findings, \"Outcomes When Peer Workers are Providers of Peer Support\"",
            "Findings, \"Peer Worker Involvement in Co-production and Co-creation\"",
            "Findings, \"Peer Workers' Boundary Spanner Position\"",
            "Findings, \"Characteristics of the Studies\"",
            "Methods, \"Articles Included from Reference Lists and Through Experts\"",
            "Discussion, \"Peer Workers as Partners in Co-creation\"",
            "Table 2, \"Characteristics of included studies\"")
SENTENCES = ("the study reports that peer workers {verb} with {what}",
             "described as {what} in the study's setting",
             "the authors state that peer workers {verb} with {what}; coded from this statement",
             "listed among studies that {verb} with {what}",
             "deduced from the study's description of {what}")
NOTE_SENTENCES = (
    "Synthetic study generated for benchmarking; not a real publication.",
    "The coding of the role rests on the description of daily tasks.",
    "A second reading may change the study design, which the authors describe only briefly.",
    "The study is also cited in the Discussion among studies on role clarity.",
    "Country coded from the affiliation of the service, not of the authors.",
    "The design is called a pilot in the title but reported as a cohort study in the methods.",
    "The intermediary position is implicit: the authors describe linking work without naming it.",
)


@dataclass(frozen=True)
class Shape:
    """How the synthetic studies of one review are coded: its codebook and what follows from it."""

    codebook: dict[str, Any]
    not_coded: dict[str, float]  # field -> share of studies not yet coded on it
    weights: dict[str, dict[str, float]]  # field -> value -> weight (real reviews are skewed)
    baseline_size: int | None  # None: the review has no published baseline, so no in_baseline


def shape_of(review: Path) -> Shape:
    """The coding of synthetic studies for a review, from its codebook, figures and baseline."""
    content = review / "content"
    codebook = yaml.safe_load((content / "codebook.yaml").read_text(encoding="utf-8"))
    figures = _yaml_or_empty(content / "figures.yaml").get("figures") or []
    # A field the review's flow figure routes studies by is always coded (older flow settings named it).
    routes = {f["route"]: f.get("main_route") for f in figures if f.get("kind") == "flow" and f.get("route")}
    not_coded: dict[str, float] = {}
    weights: dict[str, dict[str, float]] = {}
    for field in codebook["fields"]:
        key = field["key"]
        # Fixed per field (not per seed): the same field is as open in every corpus.
        not_coded[key] = 0.0 if key in routes else random.Random(f"not-coded/{key}").uniform(*NOT_CODED_SHARES)
        allowed = _allowed(field, codebook)
        if not allowed:
            continue
        # Zipf-like: a few values are common, most are rare, in an order shuffled per field.
        order = list(allowed)
        random.Random(f"weights/{key}").shuffle(order)
        weights[key] = {value: 1 / (rank + 1) for rank, value in enumerate(order)}
        main = routes.get(key)
        if main in weights[key] and len(allowed) > 1:
            rest = sum(w for value, w in weights[key].items() if value != main)
            weights[key][main] = rest * MAIN_ROUTE_SHARE / (1 - MAIN_ROUTE_SHARE)
    return Shape(codebook, not_coded, weights, _baseline_size(content / "baseline.yaml"))


def _yaml_or_empty(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else None
    return data if isinstance(data, dict) else {}


def _baseline_size(path: Path) -> int | None:
    """How many studies the published baseline included (its `included` figure); None without a baseline."""
    if not path.is_file():
        return None
    baseline = _yaml_or_empty(path)
    key = baseline.get("included", "included")
    return next((int(f["value"]) for f in baseline.get("figures") or [] if f.get("key") == key), 0)


def generate(n: int, seed: int = 0, out: Path | None = None, source: Path = REPO) -> Path:
    """Write a scratch review folder with n synthetic studies coded by `source`'s codebook; return its path."""
    root = Path(out) if out else Path(tempfile.mkdtemp(prefix=f"livingreview-synthetic-{n}-"))
    root = root.resolve()
    source = Path(source).resolve()
    _refuse_inside(root, REPO)
    _refuse_inside(root, source)
    shape = shape_of(source)
    root.mkdir(parents=True, exist_ok=True)
    for folder in ("content", "templates"):
        if (root / folder).exists():
            shutil.rmtree(root / folder)
        if (source / folder).is_dir():
            shutil.copytree(source / folder, root / folder, ignore=shutil.ignore_patterns("study.schema.json"))
    _relink_pages(root / "content" / "pages", n)
    studies_dir = root / "studies"
    if studies_dir.exists():
        shutil.rmtree(studies_dir)
    studies_dir.mkdir()
    (root / "SYNTHETIC.md").write_text(
        f"# Synthetic review folder\n\nGenerated by benchmarks/synthetic.py with {n} synthetic studies "
        f"(seed {seed}) for benchmarking. The studies are not real publications; content/ (and "
        f"templates/, if any) are copies of {source}, except that the content pages' study links point to "
        f"synthetic studies. Delete this folder when done.\n", encoding="utf-8")
    studies = [_study(i, seed, shape) for i in range(1, n + 1)]
    _separate_titles(studies, seed)
    for study in studies:
        (studies_dir / f"{study['id']}.yaml").write_text(_to_yaml(study, seed), encoding="utf-8")
    if shape.baseline_size is not None:
        _list_baseline_studies(root / "content" / "baseline.yaml", [s["id"] for s in studies if s["in_baseline"]])
    return root


def _list_baseline_studies(path: Path, ids: list[str]) -> None:
    """The baseline names the synthetic studies that say in_baseline: true (the copied list names real ones)."""
    text = re.sub(r"(?ms)^studies:.*?(?=^\S|\Z)", "", path.read_text(encoding="utf-8"))
    path.write_text(text.rstrip("\n") + f"\nstudies: [{', '.join(ids)}]\n", encoding="utf-8")


_STUDY_LINK = re.compile(r"""(study_link\(\s*)(["'])([^"']+)\2""")


def _relink_pages(pages: Path, n: int) -> None:
    """Point the content pages' links to real studies at synthetic ones (the real ids do not exist here)."""
    if not pages.is_dir() or n < 1:
        return
    mapping: dict[str, str] = {}

    def swap(match: re.Match) -> str:
        study_id = match.group(3)
        if study_id not in mapping:
            mapping[study_id] = f"synthetic-{len(mapping) % n + 1:05d}"
        return f"{match.group(1)}{match.group(2)}{mapping[study_id]}{match.group(2)}"

    for page in sorted(pages.glob("*.md")):
        text = page.read_text(encoding="utf-8")
        changed = _STUDY_LINK.sub(swap, text)
        if changed != text:
            page.write_text(changed, encoding="utf-8")


def _refuse_inside(root: Path, source: Path) -> None:
    source = source.resolve()
    if root == source or source in root.parents:
        raise SystemExit(f"refusing to write synthetic studies into {source} ({root}); "
                         f"use a folder outside it")


def _rng(seed: int, index: int, attempt: int = 0) -> random.Random:
    return random.Random(f"livingreview-synthetic/{seed}/{index}/{attempt}")


def _weighted(rng: random.Random, choices: list[str], weights: dict[str, float] | None) -> Any:
    if not weights:
        return rng.choice(choices)
    return rng.choices(choices, [weights.get(c, 1) for c in choices])[0]


def _subset(rng: random.Random, choices: list[str], weights: dict[str, float] | None, low: int, high: int) -> list[Any]:
    count = min(rng.randint(low, high), len(choices))
    picked: list[str] = []
    while len(picked) < count:
        value = _weighted(rng, choices, weights)
        if value not in picked:
            picked.append(value)
    return sorted(picked, key=choices.index)


def _allowed(field: dict, codebook: dict) -> list[Any]:
    if field["kind"] == "country":
        return list(codebook.get("countries", {}))
    return [v["key"] for v in field.get("values") or []]


def _title(seed: int, index: int, attempt: int) -> str:
    rng = _rng(seed, index, 1000 + attempt)
    method = rng.choice(METHODS)
    outcome, outcome2 = rng.sample(OUTCOMES, 2)
    text = rng.choice(TITLE_PATTERNS).format(
        verb=rng.choice(VERBS), workers=rng.choice(WORKERS), setting=rng.choice(SETTINGS),
        place=rng.choice(PLACES), method=method, method_cap=method[0].upper() + method[1:],
        outcome=outcome, outcome2=outcome2, outcome_cap=outcome[0].upper() + outcome[1:],
        quote=rng.choice(QUOTES), aspect=rng.choice(ASPECTS))
    return f"{MARKER} {text}"


def _study(index: int, seed: int, shape: Shape) -> dict[str, Any]:
    rng = _rng(seed, index)
    study_id = f"synthetic-{index:05d}"
    authors = []
    for _ in range(rng.choices(list(AUTHOR_COUNTS), list(AUTHOR_COUNTS.values()))[0]):
        initials = " ".join(f"{chr(rng.randint(65, 90))}." for _ in range(rng.choice((1, 1, 2))))
        authors.append({"family": rng.choice(FAMILY_NAMES), "given": initials})
    year = rng.choices(list(YEARS), [1 + (y - YEARS.start) / 3 for y in YEARS])[0]  # more recent years weigh more
    study: dict[str, Any] = {"id": study_id, "title": _title(seed, index, 0), "authors": authors, "year": year,
                             "journal": rng.choice(JOURNALS), "volume": str(rng.randint(5, 75))}
    if rng.random() < 0.85:
        study["issue"] = str(rng.randint(1, 12))
    if rng.random() < 0.2:
        study["pages"] = f"e{rng.randint(10000, 99999)}"
    else:
        first = rng.randint(1, 1200)
        study["pages"] = f"{first}\u2013{first + rng.randint(4, 20)}"
    if rng.random() < 0.05:
        study["no_doi_reason"] = "Synthetic study without a DOI (the generator leaves one in twenty without)"
    else:
        study["doi"] = f"10.5555/synthetic.{seed}.{index:05d}"
    if shape.baseline_size is not None:
        study["in_baseline"] = index <= shape.baseline_size
    codebook = shape.codebook
    study["codes"] = codes = _codes(rng, shape)
    _apply_rules(codes, codebook, rng)
    evidence = {}
    for key, value in codes.items():
        # a codebook may require a note for every coded value; otherwise some values go without
        if value != codebook["not_coded"] and (codebook.get("evidence") == "required" or rng.random() < 0.6):
            evidence[key] = _evidence(rng)
    study["evidence"] = evidence
    if rng.random() < 0.78:
        study["notes"] = " ".join(rng.sample(NOTE_SENTENCES[1:], rng.randint(1, 3)) + [NOTE_SENTENCES[0]])
    if rng.random() < 0.02:
        coded = [k for k, v in codes.items() if v != codebook["not_coded"]][:2]
        study["second_coding"] = {"coder": rng.choice(("AB", "CD", "EF")), "codes": {k: codes[k] for k in coded},
                                  "resolved": {k: "agreed after discussion (synthetic)" for k in coded[:1]}}
    return study


def _codes(rng: random.Random, shape: Shape) -> dict[str, Any]:
    codebook = shape.codebook
    marker = codebook["not_coded"]
    codes: dict[str, Any] = {}
    for field in codebook["fields"]:
        key, kind = field["key"], field["kind"]
        if not field.get("required", False) and rng.random() >= OPTIONAL_PRESENT_SHARE:
            continue
        if rng.random() < shape.not_coded[key] and kind != "text":
            codes[key] = marker
            continue
        weights = shape.weights.get(key)
        allowed = _allowed(field, codebook)
        if kind == "single":
            codes[key] = _weighted(rng, allowed, weights)
        elif kind == "multiple":
            none = rng.random() < NONE_SHARE
            codes[key] = [] if none else _subset(rng, allowed, weights, 1, min(3, len(allowed)))
        elif kind == "country":
            codes[key] = _subset(rng, allowed, weights, 1, 1 if rng.random() < 0.9 else 3)
        elif kind == "boolean":
            codes[key] = rng.random() < 0.5
        elif kind == "number":
            codes[key] = max(field.get("minimum", 1) or 1, int(rng.lognormvariate(3.5, 1.0)))
        else:
            codes[key] = (f"Synthetic summary: {rng.choice(WORKERS)} in {rng.choice(SETTINGS)} "
                          f"{rng.choice(PLACES)}, with a focus on {rng.choice(OUTCOMES)}.")
    return codes


def _holds(condition: dict, value: Any) -> bool:
    if condition.get("equals") is not None:
        return value == condition["equals"]
    items = value if isinstance(value, list) else [value]
    if condition.get("includes_any"):
        return any(item in condition["includes_any"] for item in items)
    return bool(value) if condition.get("not_empty") else True


def _apply_rules(codes: dict[str, Any], codebook: dict, rng: random.Random) -> None:
    """Make the codebook's cross-field rules hold, by changing the `then` field."""
    marker = codebook["not_coded"]
    for _ in range(3):  # a fix may trigger another rule; the codebook's rules settle at once
        for rule in codebook.get("rules", []):
            when, then = rule["when"], rule["then"]
            have, need = codes.get(when["field"]), codes.get(then["field"])
            if have in (None, marker) or need in (None, marker) or not _holds(when, have) or _holds(then, need):
                continue
            if then.get("equals") is not None:
                codes[then["field"]] = then["equals"]
            elif isinstance(need, list):
                field = next(f for f in codebook["fields"] if f["key"] == then["field"])
                add = rng.choice(list(then.get("includes_any") or _allowed(field, codebook)))
                allowed = _allowed(field, codebook)
                codes[then["field"]] = sorted(set(need) | {add}, key=allowed.index)
            else:
                codes[then["field"]] = (then.get("includes_any") or [need])[0]


def _evidence(rng: random.Random) -> str:
    sentence = rng.choice(SENTENCES).format(verb=rng.choice(("work", "collaborate", "engage", "liaise")),
                                            what=f"{rng.choice(WORKERS)} in {rng.choice(SETTINGS)}")
    page = rng.randint(2, 30)
    return f"{rng.choice(SECTIONS)}: {sentence} (synthetic evidence, p. {page})"


def _separate_titles(studies: list[dict[str, Any]], seed: int) -> None:
    """Redraw titles until no two of the same year are near-identical (well below the check's threshold)."""
    from rapidfuzz import fuzz, process

    def normal(title: str) -> str:
        return re.sub(r"[^0-9a-z]+", " ", title.casefold()).strip()

    by_year: dict[int, list[dict[str, Any]]] = {}
    for study in studies:
        by_year.setdefault(study["year"], []).append(study)
    for group in by_year.values():
        titles = [normal(s["title"]) for s in group]
        asked = list(range(len(group)))  # first every title; then only those redrawn, against all (linear, not square)
        for attempt in range(1, 50):
            clashes = sorted({max(i, j) for i, j in _close_pairs(titles, asked, process.cdist, fuzz.ratio)})
            if not clashes:
                break
            for index in clashes:
                study = group[index]
                study["title"] = _title(seed, int(study["id"].rsplit("-", 1)[1]), attempt)
                titles[index] = normal(study["title"])
            asked = clashes
        else:
            raise RuntimeError("could not make synthetic titles distinct; widen the title vocabulary")


def _close_pairs(titles: list[str], asked: list[int], cdist: Any, ratio: Any) -> Iterator[tuple[int, int]]:
    """(i, j), i in `asked`, i != j, whose titles score at least TITLE_MARGIN. A ratio of m implies lengths within
    m / (200 - m) of each other, so each block of asked titles (by length) is compared only with titles of a
    length it could match (fewer comparisons, though still growing with the square of a year's titles)."""
    order = sorted(range(len(titles)), key=lambda k: len(titles[k]))
    lengths = [len(titles[k]) for k in order]
    factor = TITLE_MARGIN / (200 - TITLE_MARGIN)
    by_length = sorted(asked, key=lambda k: len(titles[k]))
    for start in range(0, len(by_length), 512):
        block = by_length[start:start + 512]
        low = bisect.bisect_left(lengths, int(len(titles[block[0]]) * factor))
        high = bisect.bisect_right(lengths, int(len(titles[block[-1]]) / factor) + 1)
        window = order[low:high]
        scores = cdist([titles[k] for k in block], [titles[k] for k in window], scorer=ratio,
                       score_cutoff=TITLE_MARGIN, workers=-1)
        for a, b in zip(*scores.nonzero(), strict=True):
            if block[a] != window[b]:
                yield block[a], window[b]


_PLAIN = re.compile(r"[a-z][a-z0-9-]*( [a-z]+)*")
_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if _PLAIN.fullmatch(value) and value not in _YAML_WORDS:
        return value
    return json.dumps(value, ensure_ascii=False)


def _value(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    return _scalar(value)


def _to_yaml(study: dict[str, Any], seed: int) -> str:
    """The study in the layout of the real study files."""
    q = lambda s: json.dumps(s, ensure_ascii=False)  # noqa: E731 - JSON strings are YAML double-quoted scalars
    lines = [f"# SYNTHETIC study generated by benchmarks/synthetic.py (seed {seed}) for benchmarking;",
             "# not a real publication.",
             f"id: {study['id']}", f"title: {q(study['title'])}", "authors:"]
    lines += [f"  - {{family: {q(a['family'])}, given: {q(a['given'])}}}" for a in study["authors"]]
    lines.append(f"year: {study['year']}")
    for key in ("journal", "volume", "issue", "pages", "no_doi_reason"):
        if key in study:
            lines.append(f"{key}: {q(study[key])}")
    if "doi" in study:
        lines.append(f"doi: {study['doi']}")
    if "in_baseline" in study:
        lines.append(f"in_baseline: {_scalar(study['in_baseline'])}")
    lines += ["", "codes:"]
    lines += [f"  {key}: {_value(value)}" for key, value in study["codes"].items()]
    if study["evidence"]:
        lines += ["", "evidence:"] + [f"  {key}: {q(text)}" for key, text in study["evidence"].items()]
    if "notes" in study:
        lines.append(f"notes: {q(study['notes'])}")
    if "second_coding" in study:
        second = study["second_coding"]
        lines += ["second_coding:", f"  coder: {q(second['coder'])}", "  codes:"]
        lines += [f"    {key}: {_value(value)}" for key, value in second["codes"].items()]
        if second["resolved"]:
            lines.append("  resolved:")
            lines += [f"    {key}: {q(text)}" for key, text in second["resolved"].items()]
    return "\n".join(lines) + "\n"


# --- the same pages as a Hugo site ---------------------------------------------------------------

_HUGO_CONFIG = """\
baseURL = "https://example.org/"
title = {title}
disableKinds = ["taxonomy", "term", "rss", "sitemap", "robotstxt", "404"]
enableRobotsTXT = false
[params]
columns = {columns}
[markup.goldmark.renderer]
unsafe = false
"""
_HUGO_BASEOF = """\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ block "title" . }}{{ site.Title }}{{ end }}</title>
<meta name="description" content="{{ with .Params.description }}{{ . }}{{ else }}{{ site.Title }}{{ end }}">
<link rel="stylesheet" href="{{ "assets/style.css" | relURL }}">
<script src="{{ "assets/site.js" | relURL }}" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="site-header"><div class="wrap header-row">
<a class="site-title" href="{{ "/" | relURL }}">{{ site.Title }}</a>
<nav aria-label="Main"><ul class="nav"><li><a href="{{ "studies/" | relURL }}">Studies</a></li></ul></nav>
</div></header>
<main id="main" class="wrap">
{{ block "main" . }}{{ end }}
</main>
<footer class="site-footer"><div class="wrap"><p>{{ site.Title }}. Synthetic benchmark site.</p></div></footer>
</body>
</html>
"""
_HUGO_HOME = """\
{{ define "main" }}
<h1>{{ site.Title }}</h1>
{{ .Content }}
{{ with site.GetPage "/studies" }}<p>{{ len .Pages }} studies: <a href="{{ .RelPermalink }}">all studies</a>.</p>{{ end }}
{{ end }}
"""  # noqa: E501 - Go templates, kept on the lines Hugo reads them
_HUGO_SECTION = """\
{{ define "title" }}Studies · {{ site.Title }}{{ end }}
{{ define "main" }}
<h1>Included studies</h1>
<p>{{ len .Pages }} studies in this edition.</p>
<div class="table-scroll">
<table class="studies" data-study-table>
<thead><tr><th scope="col">Study</th><th scope="col">Year</th><th scope="col">Title</th>
{{ range site.Params.columns }}<th scope="col">{{ . }}</th>{{ end }}</tr></thead>
<tbody>
{{ range .Pages.ByParam "sortkey" }}
<tr id="row-{{ .Params.id }}" data-id="{{ .Params.id }}" data-text="{{ lower (printf "%s %s %s" .Title (delimit .Params.families " ") .Params.journal) }}"{{ range .Params.data }} {{ printf "data-%s=%q" .key .value | safeHTMLAttr }}{{ end }}>
<td><a href="{{ .RelPermalink }}">{{ .Params.citation }}</a></td><td>{{ .Params.year }}</td><td>{{ .Title }}</td>
{{ range .Params.show }}<td>{{ . }}</td>{{ end }}
</tr>
{{ end }}
</tbody>
</table>
</div>
{{ end }}
"""  # noqa: E501 - Go templates, kept on the lines Hugo reads them
_HUGO_PAGE = """\
{{ define "title" }}{{ .Params.citation }} · {{ site.Title }}{{ end }}
{{ define "main" }}
<p class="breadcrumb"><a href="{{ "studies/" | relURL }}">Studies</a></p>
<h1 class="study-title">{{ .Title }}</h1>
<p class="reference">{{ range $i, $a := .Params.authors }}{{ if $i }}, {{ end }}{{ $a.family }}{{ with $a.given }}, {{ . }}{{ end }}{{ end }} ({{ .Params.year }}). {{ .Title }}. <em>{{ .Params.journal }}</em>{{ with .Params.volume }}, <em>{{ . }}</em>{{ end }}{{ with .Params.issue }}({{ . }}){{ end }}{{ with .Params.pages }}, {{ . }}{{ end }}.{{ with .Params.doi }} <a href="https://doi.org/{{ . }}">https://doi.org/{{ . }}</a>{{ end }}</p>
{{ if .Params.in_baseline }}<p class="badge">Included in the published review (2022)</p>{{ end }}
<h2>Coding</h2>
<div class="table-scroll">
<table class="coding">
<thead><tr><th scope="col">Field</th><th scope="col">Value</th><th scope="col">Evidence</th></tr></thead>
<tbody>
{{ range .Params.coded }}
<tr{{ if not .coded }} class="not-coded"{{ end }}><th scope="row">{{ .label }}</th>
<td>{{ if .coded }}{{ if .values }}{{ $key := .key }}{{ range $i, $v := .values }}{{ if $i }}, {{ end }}<a href="{{ "studies/" | relURL }}?{{ $key }}={{ $v.raw }}">{{ $v.label }}</a>{{ end }}{{ else }}none{{ end }}{{ else }}<span class="muted">not yet coded</span>{{ end }}</td>
<td>{{ .evidence }}</td></tr>
{{ end }}
</tbody>
</table>
</div>
{{ with .Content }}<h2>Notes</h2>{{ . }}{{ end }}
<p class="muted">Source file: <code>{{ .Params.path }}</code></p>
{{ end }}
"""  # noqa: E501 - Go templates, kept on the lines Hugo reads them


def write_hugo_site(review: Path, out: Path) -> Path:
    """A Hugo site with the review's study pages, the list of studies (with the columns of the review's
    study table) and a home page, with the review's CSS and JavaScript."""
    from livingreview.project import Project

    review, out = Path(review), Path(out)
    codebook = yaml.safe_load((review / "content" / "codebook.yaml").read_text(encoding="utf-8"))
    marker = codebook["not_coded"]
    fields = {f["key"]: f for f in codebook["fields"]}
    countries = codebook.get("countries", {})
    regions = {r["key"]: r["label"] for r in codebook.get("regions", [])}
    region_order = list(regions)
    country_field = next((key for key, f in fields.items() if f["kind"] == "country"), None)
    site = yaml.safe_load((review / "content" / "site.yaml").read_text(encoding="utf-8"))
    # The study table's columns, as site.yaml lists them: codebook fields and the region.
    columns = [key for key in (site.get("table") or {}).get("columns") or []
               if key in fields or (key == "region" and country_field)]
    headers = [fields[key]["label"] if key in fields else "Region" for key in columns]
    if out.exists():
        shutil.rmtree(out)
    (out / "layouts").mkdir(parents=True)
    (out / "content" / "studies").mkdir(parents=True)
    (out / "hugo.toml").write_text(_HUGO_CONFIG.format(title=json.dumps(site.get("short_title", "Review")),
                                                       columns=json.dumps(headers)), encoding="utf-8")
    for name, text in (("baseof.html", _HUGO_BASEOF), ("home.html", _HUGO_HOME),
                       ("section.html", _HUGO_SECTION), ("page.html", _HUGO_PAGE)):
        (out / "layouts" / name).write_text(text, encoding="utf-8")
    (out / "static" / "assets").mkdir(parents=True)
    for name, path in Project(review).assets().items():  # the engine's theme, as the review overrides it
        shutil.copy(path, out / "static" / "assets" / name)
    (out / "content" / "_index.md").write_text(
        "---\ntitle: Home\n---\nThe same study pages as the living review's site, built by Hugo for comparison.\n",
        encoding="utf-8")
    (out / "content" / "studies" / "_index.md").write_text("---\ntitle: Studies\n---\n", encoding="utf-8")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    def label(key: str, value: Any) -> str:
        if fields[key]["kind"] == "country":
            return countries.get(value, {}).get("name", str(value))
        return next((v["label"] for v in fields[key].get("values") or [] if v["key"] == value), str(value))

    def show(codes: dict[str, Any], key: str) -> str:
        value = codes.get(key, marker)
        if value == marker:
            return "not yet coded"
        values = value if isinstance(value, list) else [value]
        return ", ".join(label(key, v) for v in values) or "none"

    for path in sorted((review / "studies").glob("*.yaml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
        codes = data.get("codes", {})
        coded = []
        for key, field in fields.items():
            value = codes.get(key, marker)
            values = value if isinstance(value, list) else [value]
            coded.append({"key": key, "label": field["label"], "coded": value != marker,
                          "values": [{"raw": str(v), "label": label(key, v)} for v in values]
                          if value != marker else [],
                          "evidence": data.get("evidence", {}).get(key, "")})
        country = codes.get(country_field, marker) if country_field else marker
        region = "not yet coded" if country == marker else ", ".join(
            regions[r] for r in sorted({countries[c]["region"] for c in country}, key=region_order.index)) or "none"
        families = [a["family"] for a in data["authors"]]
        who = families[0] if len(families) == 1 else (
            f"{families[0]} & {families[1]}" if len(families) == 2 else f"{families[0]} et al.")
        front = {
            "title": data["title"], "id": data["id"], "path": f"studies/{path.name}", "year": data["year"],
            "authors": data["authors"], "families": families, "journal": data.get("journal", ""),
            "volume": str(data.get("volume", "")), "issue": str(data.get("issue", "")),
            "pages": str(data.get("pages", "")), "doi": data.get("doi", ""),
            "in_baseline": data.get("in_baseline", False), "citation": f"{who} ({data['year']})",
            "sortkey": f"{families[0].casefold()}|{data['year']}|{data['id']}", "coded": coded,
            "data": [{"key": k.replace("_", "-"), "value": "not-coded" if codes.get(k, marker) == marker else
                      " ".join(map(str, codes[k] if isinstance(codes[k], list) else [codes[k]]))} for k in fields
                     if fields[k]["kind"] in ("single", "multiple", "country", "boolean")],
            "show": [region if key == "region" else show(codes, key) for key in columns],
            "description": data["title"],
        }
        body = data.get("notes", "")
        (out / "content" / "studies" / f"{data['id']}.md").write_text(
            json.dumps(front, ensure_ascii=False, indent=1) + "\n\n" + body + "\n", encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="how many synthetic studies")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, help="the scratch folder (default: a new temporary folder)")
    parser.add_argument("--hugo", type=Path, help="also write the same pages as a Hugo site into this folder")
    parser.add_argument("--source", type=Path, default=REPO,
                        help="the review whose content/ and codebook to copy (default: the repository's)")
    args = parser.parse_args(argv)
    root = generate(args.n, args.seed, args.out, args.source)
    print(root)
    if args.hugo:
        _refuse_inside(args.hugo.resolve(), REPO)
        print(write_hugo_site(root, args.hugo))
    return 0


if __name__ == "__main__":
    sys.exit(main())
