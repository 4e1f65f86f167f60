"""Agreement between coders: percent agreement and Cohen's kappa, checked against hand arithmetic.

Cohen's kappa = (p_o - p_e) / (1 - p_e), where p_o is the share of decisions on
which the coders agree and p_e = sum over answers k of (share of coder 1 giving
k) x (share of coder 2 giving k).
"""

from __future__ import annotations

from fractions import Fraction

import yaml
from scratch import make_review, study, write_study

from livingreview.agreement import agreement, cohen_kappa
from livingreview.cli import main
from livingreview.codebook import Codebook, Country, Region
from livingreview.field_kinds import Field, Value
from livingreview.study import Author, SecondCoding, Study

NOT_CODED = "not yet coded"
# A smaller codebook than the fixture review's (fewer values and countries), in its words: each
# allowed value of a list field is a decision per study, so fewer values keep the arithmetic short.
CODEBOOK = Codebook(
    not_coded=NOT_CODED,
    fields=(
        Field("design", "Design", "single", True,
              values=(Value("trial", "Trial"), Value("qualitative", "Qualitative"))),
        Field("stages", "Garden stages", "multiple", True,
              values=(Value("planning", "Planning"), Value("tending", "Tending"), Value("harvest", "Harvest"))),
        Field("funded", "Funded", "boolean", True),
        Field("location", "Location", "country", True),
        Field("summary", "Summary", "text", False),
    ),
    derived=(), rules=(),
    regions=(Region("europe", "Europe"), Region("americas", "Americas")),
    countries={"GB": Country("GB", "United Kingdom", "europe"), "NO": Country("NO", "Norway", "europe"),
               "US": Country("US", "United States", "americas")},
)


def coded(study_id: str, first: dict, second: dict | None, resolved: dict | None = None) -> Study:
    codes = {"design": NOT_CODED, "stages": NOT_CODED, "funded": NOT_CODED, "location": NOT_CODED, **first}
    return Study(study_id, f"Study {study_id}", (Author(study_id.capitalize()),), 2020, codes,
                 second_coding=SecondCoding("Second Coder", second, resolved or {}) if second is not None else None)


def field(report, key):
    return next(row for row in report.fields if row.field.key == key)


def test_single_field_kappa():
    # 10 studies double-coded on design:
    #   both trial 4, both qualitative 3, coder 1 trial / coder 2 qualitative 1,
    #   coder 1 qualitative / coder 2 trial 2
    # p_o = (4 + 3) / 10 = 7/10
    # coder 1: trial 5, qualitative 5; coder 2: trial 6, qualitative 4
    # p_e = (5*6 + 5*4) / 100 = 50/100 = 1/2
    # kappa = (7/10 - 1/2) / (1 - 1/2) = (2/10) / (1/2) = 2/5
    pairs = ([("trial", "trial")] * 4 + [("qualitative", "qualitative")] * 3 + [("trial", "qualitative")]
             + [("qualitative", "trial")] * 2)
    studies = [coded(f"s{i}", {"design": a}, {"design": b}) for i, (a, b) in enumerate(pairs)]
    row = field(agreement(studies, CODEBOOK), "design")
    assert (row.studies, row.agreeing) == (10, 7)
    assert row.kappa.observed == Fraction(7, 10) and row.kappa.expected == Fraction(1, 2)
    assert row.kappa.kappa == Fraction(2, 5)
    assert row.percent_text == "70.0\u202f%" and row.kappa.text == "0.40"


def test_multiple_field_kappa_is_over_study_by_value_decisions():
    # stages allows planning, tending, harvest: 3 yes/no decisions per study.
    #   s1: coder 1 [tending], coder 2 [tending]
    #       planning (no, no), tending (yes, yes), harvest (no, no)      -> 3 agree
    #   s2: coder 1 [planning, tending], coder 2 [tending]
    #       planning (yes, no), tending (yes, yes), harvest (no, no)     -> 2 agree
    # p_o = 5/6; coder 1 says yes 3 times of 6, coder 2 twice
    # p_e = (3/6)(2/6) + (3/6)(4/6) = 6/36 + 12/36 = 1/2
    # kappa = (5/6 - 1/2) / (1/2) = (1/3) / (1/2) = 2/3
    # percent agreement is per study: s1 agrees, s2 does not -> 50 %
    studies = [coded("s1", {"stages": ["tending"]}, {"stages": ["tending"]}),
               coded("s2", {"stages": ["planning", "tending"]}, {"stages": ["tending"]})]
    row = field(agreement(studies, CODEBOOK), "stages")
    assert row.kappa.decisions == 6 and row.kappa.observed == Fraction(5, 6)
    assert row.kappa.kappa == Fraction(2, 3) and row.kappa.text == "0.67"
    assert (row.studies, row.agreeing, row.percent) == (2, 1, 50.0)
    assert row.unit == "6 study × value decisions"


def test_country_kappa_uses_every_country_of_the_codebook():
    # countries GB, NO, US: 3 decisions per study.
    #   s1: [NO] / [NO]  -> GB (no, no), NO (yes, yes), US (no, no)   3 agree
    #   s2: [GB] / [US]  -> GB (yes, no), NO (no, no), US (no, yes)   1 agrees
    # p_o = 4/6 = 2/3; each coder says yes 2 times of 6
    # p_e = (2/6)^2 + (4/6)^2 = 4/36 + 16/36 = 5/9
    # kappa = (2/3 - 5/9) / (1 - 5/9) = (1/9) / (4/9) = 1/4
    studies = [coded("s1", {"location": ["NO"]}, {"location": ["NO"]}),
               coded("s2", {"location": ["GB"]}, {"location": ["US"]})]
    row = field(agreement(studies, CODEBOOK), "location")
    assert row.kappa.observed == Fraction(2, 3) and row.kappa.expected == Fraction(5, 9)
    assert row.kappa.kappa == Fraction(1, 4)


def test_kappa_is_undefined_when_chance_agreement_is_one():
    # Both coders answer true for all 3 studies: p_o = 1, p_e = (3*3)/9 = 1, so 0/0: shown as "–".
    studies = [coded(f"s{i}", {"funded": True}, {"funded": True}) for i in range(3)]
    row = field(agreement(studies, CODEBOOK), "funded")
    assert row.kappa.expected == 1 and row.kappa.kappa is None and row.kappa.text == "–"
    assert row.percent_text == "100.0\u202f%"


def test_kappa_below_chance_is_negative():
    # s1 trial/qualitative, s2 qualitative/trial: p_o = 0, p_e = (1*1 + 1*1)/4 = 1/2, kappa = (0 - 1/2)/(1/2) = -1
    assert cohen_kappa([("trial", "qualitative"), ("qualitative", "trial")]).kappa == -1
    assert cohen_kappa([("trial", "qualitative"), ("qualitative", "trial")]).text == "−1.00"


def test_only_studies_both_coders_coded_count():
    studies = [
        coded("s1", {"design": "trial"}, {"design": "trial"}),
        coded("s2", {"design": NOT_CODED}, {"design": "qualitative"}),   # first coder has not coded it
        coded("s3", {"design": "qualitative"}, {"design": NOT_CODED}),   # second coder has not
        coded("s4", {"design": "qualitative"}, {"stages": ["tending"]}),  # second coder left the field out
        coded("s5", {"design": "qualitative"}, None),                    # no second coding at all
    ]
    report = agreement(studies, CODEBOOK)
    assert field(report, "design").studies == 1
    assert report.double_coded == 4 and report.total == 5
    assert [row.field.key for row in report.fields] == ["design", "stages", "funded", "location"]  # not text
    assert field(report, "location").kappa.text == "–" and field(report, "location").percent_text == "–"


def test_disagreements_without_a_resolution_note_are_listed():
    studies = [
        coded("b", {"design": "trial", "stages": ["planning"]}, {"design": "qualitative", "stages": ["planning"]}),
        coded("a", {"design": "trial", "stages": ["tending", "planning"]},
              {"design": "qualitative", "stages": ["planning", "tending"]},  # same set in another order: agreement
              {"design": "Discussed: the pilot was not randomised; coded qualitative."}),
        coded("c", {"funded": False}, {"funded": True}, {"funded": "  "}),  # an empty note resolves nothing
    ]
    report = agreement(studies, CODEBOOK)
    assert [(d.study.id, d.field.key, d.first, d.second) for d in report.unresolved] == [
        ("b", "design", "Trial", "Qualitative"), ("c", "funded", "No", "Yes")]
    assert [(d.study.id, d.field.key, d.resolution) for d in report.resolved] == [
        ("a", "design", "Discussed: the pilot was not randomised; coded qualitative.")]
    assert field(report, "stages").agreeing == 2


def test_the_agreement_page_of_the_built_site(tmp_path):
    second = {"coder": "O. N.", "codes": {"involvement": "consulted", "stages": ["tending"], "location": ["US"]},
              "resolved": {"involvement": "Agreed on collaborating after re-reading the Methods."}}
    disputed = study("beta-2020", 2020, involvement="collaborating", stages=["tending"], location=["GB"])
    disputed["second_coding"] = {"coder": "O. N.", "codes": {"involvement": "collaborating", "location": ["NO"]}}
    alpha = study("alpha-2019", 2019, involvement="collaborating", stages=["tending"], location=["US"])
    root = make_review(tmp_path / "review", [
        {**alpha, "second_coding": second},
        disputed,
        study("gamma-2021", 2021, involvement="collaborating"),
    ])
    assert yaml.safe_load((root / "studies" / "beta-2020.yaml").read_text())["second_coding"]["coder"] == "O. N."
    assert main(["--root", str(root), "build"]) == 0
    page = (root / "site" / "agreement.html").read_text(encoding="utf-8")
    assert "2 of 3 studies (66.7\u202f%) have a second coding" in page
    assert '<a href="studies/beta-2020.html">Beta (2020)</a>' in page  # the unresolved location disagreement
    assert "United Kingdom" in page and "Norway" in page
    assert "Agreed on collaborating after re-reading the Methods." in page
    assert (root / "site" / "studies" / "beta-2020.html").exists()
    write_study(root, {**disputed, "second_coding": {**disputed["second_coding"],
                                                      "resolved": {"location": "The team was in Norway."}}})
    assert main(["--root", str(root), "build"]) == 0
    assert "None: every disagreement between the coders has a resolution note." in \
        (root / "site" / "agreement.html").read_text(encoding="utf-8")
