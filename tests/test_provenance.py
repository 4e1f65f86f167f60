"""Where each coded value comes from: the codebook's provenance vocabulary, evidence notes that name their
source and where they were read, the rule that every coded value has a note, and disagreements."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURE, check_quietly, parse_diagnostic, write_study

from livingreview.cli import main


def require_evidence(root: Path) -> None:
    path = root / "content" / "codebook.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("not_coded: not yet coded\n",
                                                             "not_coded: not yet coded\nevidence: required\n"),
                    encoding="utf-8")


def test_with_evidence_required_a_coded_value_without_a_note_is_refused_at_its_line(scratch_review):
    require_evidence(scratch_review)
    path = write_study(scratch_review, "noted-2020", codes={"method": "not yet coded"},
                       evidence={"location": "Abstract.", "design": "Methods.", "setting": "Methods.",
                                 "aim": "Aims.", "stages": "Results.", "involvement": "Methods."})
    result = check_quietly(scratch_review)
    assert result.code == 1
    lines = [parse_diagnostic(line) for line in result.lines if "noted-2020" in line]
    # `source` is coded and has no note; `method` is not yet coded and needs none.
    assert [(d.line, d.message.split(";")[0]) for d in lines] == [
        (path.read_text(encoding="utf-8").splitlines().index("  source: database") + 1,
         "'source' is coded but has no evidence note")]


def test_without_the_setting_evidence_is_optional(scratch_review):
    write_study(scratch_review, "unnoted-2020")
    assert check_quietly(scratch_review).code == 0


@pytest.mark.parametrize("evidence, message", [
    ({"design": ""}, "evidence.design"),
    ({"design": {"note": "A trial.", "source": "rumour"}}, "rumour"),
    ({"design": {"note": "A trial.", "source": "own-text"}}, "must say where it was read"),
    ({"design": {"source": "own-text", "where": "Abstract"}}, "note"),
    ({"design": {"note": "A trial.", "source": ["own-text"]}}, "source"),  # not a name: refused, no traceback
    ({"design": {"note": "A trial.", "source": None}}, "source"),
])
def test_a_malformed_evidence_note_is_refused(scratch_review, evidence, message):
    write_study(scratch_review, "noted-2020", evidence=evidence)
    result = check_quietly(scratch_review)
    assert result.code == 1
    assert any(message in line and "noted-2020" in line for line in result.lines), result.lines


def test_a_disagreement_that_repeats_the_coded_value_is_refused(scratch_review):
    write_study(scratch_review, "same-2020", disagreements={"design": {"value": "qualitative", "note": "The same."}})
    result = check_quietly(scratch_review)
    assert result.code == 1 and any("gives the value the study is coded with" in line for line in result.lines)


def test_a_disagreement_must_be_a_value_of_its_field(scratch_review):
    write_study(scratch_review, "other-2020", disagreements={"design": {"value": "poem", "note": "Odd."}})
    assert check_quietly(scratch_review).code == 1


def test_a_codebook_whose_default_source_is_not_declared_is_refused(scratch_review):
    path = scratch_review / "content" / "codebook.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("default: earlier-review", "default: hearsay"),
                    encoding="utf-8")
    result = check_quietly(scratch_review)
    assert result.code == 1 and result.lines[0].startswith("content/codebook.yaml:")
    assert "hearsay" in result.lines[0]


def test_a_study_page_says_where_each_value_comes_from(tmp_path):
    root = tmp_path / "review"
    shutil.copytree(FIXTURE, root)
    assert main(["--root", str(root), "build"]) == 0
    baker = (root / "site" / "studies" / "baker-2020.html").read_text(encoding="utf-8")
    design = baker.split('<th scope="row">Design</th>')[1].split("</tr>")[0]
    assert "A randomised controlled trial of a hospital garden" in design
    assert '<span class="provenance">(Stated in the study: Abstract)</span>' in design
    location = baker.split('<th scope="row">Location</th>')[1].split("</tr>")[0]
    assert "(Stated in the earlier review)" in location  # a plain note: the codebook's default source
    diaz = (root / "site" / "studies" / "diaz-2022.html").read_text(encoding="utf-8")
    assert '<span class="provenance deduced">(Deduced)</span>' in diaz
    chen = (root / "site" / "studies" / "chen-2021.html").read_text(encoding="utf-8")
    aim = chen.split('<th scope="row">Aim</th>')[1].split("</tr>")[0]
    assert re.search(r"Stated in the earlier review: Experiences\. The earlier review lists it among studies of "
                     r"experiences\.", aim)
    assert "Effects" in aim  # the coded value stays the one shown first
