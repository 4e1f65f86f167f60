"""`livingreview import`: RIS, BibTeX and Rayyan CSV exports become new study files.

The fixtures in tests/fixtures/import/ are shaped like real exports (EndNote RIS
with a byte-order mark and CRLF line ends, Zotero RIS and BibTeX, Rayyan CSV with
a multi-line abstract); their new records are invented, with DOIs under 10.5555,
Crossref's prefix for examples. Each file also holds duplicates of the studies
of EXISTING (written into the scratch review here) and malformed records, at
known lines.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import VALID_CODES
from conftest import write_study as write_coded_study
from scratch import make_review

from livingreview.cli import main
from livingreview.importing.cleaning import extract_doi
from livingreview.importing.study_files import slug, study_id
from livingreview.records import Record
from livingreview.study import Author

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "import"

# The studies a review already holds, with the bibliographic data the exports repeat (their codes
# are conftest's VALID_CODES): the exports' duplicates match them by DOI or by year and title, and
# their ids make the import add a letter (byrne-2021c, van-vugt-2012a, balkova-2022a).
EXISTING: dict[str, dict[str, Any]] = {
    "nelson-2016": {
        "title": "Collaboration and involvement of persons with lived experience in planning Canada's "
                 "At Home/Chez Soi project",
        "authors": [{"family": "Nelson", "given": "G."}, {"family": "Macnaughton", "given": "E."}],
        "year": 2016, "doi": "10.1111/hsc.12197"},
    "balkova-2022": {
        "title": "A qualitative study of the experience of peer workers in the Czech Republic",
        "authors": [{"family": "Balková", "given": "M."}], "year": 2022, "doi": "10.1007/s10597-021-00832-7"},
    "byrne-2021a": {
        "title": "To disclose or not to disclose? Peer workers impact on a culture of safe disclosure for "
                 "mental health professionals with lived experience",
        "authors": [{"family": "Byrne", "given": "L."}], "year": 2021, "doi": "10.1037/ser0000555"},
    "byrne-2021b": {
        "title": "Effective peer employment within multidisciplinary organizations: Model for best practice",
        "authors": [{"family": "Byrne", "given": "L."}], "year": 2021, "doi": "10.1007/s10488-021-01162-2"},
    "van-vugt-2012": {
        "title": "Consumer-providers in assertive community treatment programs: Associations with client outcomes",
        "authors": [{"family": "van Vugt", "given": "M. D."}], "year": 2012, "doi": "10.1176/appi.ps.201000549"},
    "oconnell-2018": {
        "title": "Outcomes of a peer mentor intervention for persons with recurrent psychiatric hospitalization",
        "authors": [{"family": "O'Connell", "given": "M. J."}], "year": 2018, "doi": "10.1176/appi.ps.201600478"},
}


@pytest.fixture
def review(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scratch review (the fixture's codebook and baseline) holding EXISTING; inputs are named from the
    fixture folder."""
    root = make_review(tmp_path / "review", [])
    for name, data in EXISTING.items():
        write_coded_study(root, name, **data)
    monkeypatch.chdir(FIXTURES)
    return root


def run(root: Path, *args: str) -> int:
    return main(["--root", str(root), *args])


def files(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / "studies").iterdir())}


def new_files(root: Path) -> set[str]:
    return set(files(root)) - {f"{name}.yaml" for name in EXISTING}


def fill_codes(path: Path) -> None:
    """Code every required field with a valid value, line by line, as a contributor would."""
    text = path.read_text(encoding="utf-8")
    for key, value in VALID_CODES.items():
        text = text.replace(f"\n  {key}: not yet coded\n", f"\n  {key}: {json.dumps(value)}\n")
    assert "not yet coded" not in text.split("codes:")[1].split("#")[0]
    path.write_text(text, encoding="utf-8")


def test_endnote_ris_writes_new_records_skips_duplicates_and_reports_broken_ones(review, capsys):
    before = files(review)
    assert run(review, "import", "endnote.ris") == 1  # some records were rejected
    out, err = capsys.readouterr()

    assert new_files(review) == {"pietila-2023.yaml", "byrne-2021c.yaml", "van-vugt-2012a.yaml"}
    for name, data in before.items():  # nothing in studies/ was changed
        assert files(review)[name] == data
    assert "skipped endnote.ris:20 " in out and "already in studies/balkova-2022.yaml (same DOI " \
        "10.1007/s10597-021-00832-7)" in out
    assert "skipped endnote.ris:31 " in out and "already in studies/nelson-2016.yaml (same year, title " in out
    assert err.splitlines() == [
        "endnote.ris:42: record (Kowalczyk 2020): no title; skipped",
        "endnote.ris:50: record “Peer workers on acute psychiatric wards: an ethnography” has no ER line "
        "(end of record) before the next TY at line 57; skipped",
        "endnote.ris:69: record “Service users' views of peer workers in Norwegian assertive…” has no TY line "
        "(type of reference) before its tags; skipped",
    ]
    assert "endnote.ris (RIS): 8 records read: 3 written, 2 skipped as duplicates, 0 skipped by screening decision, " \
        "3 rejected" in out
    assert "then run `livingreview check`" in out


def test_a_written_study_has_the_layout_of_the_review_and_every_required_field_not_yet_coded(review):
    run(review, "import", "endnote.ris")
    text = (review / "studies" / "pietila-2023.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert list(data) == ["id", "title", "authors", "year", "journal", "volume", "issue", "pages", "doi",
                          "in_baseline", "codes"]
    assert data["authors"] == [{"family": "Pietilä", "given": "Sari"}, {"family": "Korhonen", "given": "Aino"},
                               {"family": "Åkerblom", "given": "Linnea"}]
    assert data["pages"] == "112–121" and data["volume"] == "77" and data["year"] == 2023
    assert data["in_baseline"] is False
    # the fixture codebook's required fields, in its order; the optional ones are named, not set
    assert data["codes"] == {key: "not yet coded" for key in
                             ("location", "design", "method", "setting", "aim", "stages", "involvement", "source")}
    assert "  # optional fields: funded, participants, summary\n" in text
    assert ('title: "Peer support workers as boundary spanners in Finnish community mental health teams: '
            'a qualitative interview study"\n') in text
    assert '  - {family: "Pietilä", given: "Sari"}\n' in text
    assert "doi: 10.5555/lr.fixture.2023.112\n" in text
    # the example evidence note names a field this review's codebook has
    example = text.split("# evidence:")[1].splitlines()[1]
    assert example.startswith("#   ") and example[4:].split(":")[0] in VALID_CODES
    # the DOI written as "DOI: 10.5555/LR..." in the export is stored bare
    assert yaml.safe_load((review / "studies" / "van-vugt-2012a.yaml").read_text())["doi"] == \
        "10.5555/LR.FIXTURE.2012.301"


def test_the_coded_fields_come_from_the_codebook(review):
    codebook = review / "content" / "codebook.yaml"
    text = codebook.read_text(encoding="utf-8")
    codebook.write_text(text.replace("fields:\n", "fields:\n  - key: organic\n    label: Organic\n"
                                                  "    kind: boolean\n    required: true\n", 1), encoding="utf-8")
    run(review, "import", "zotero.ris")
    codes = yaml.safe_load((review / "studies" / "oconnell-2024.yaml").read_text())["codes"]
    assert list(codes)[0] == "organic" and codes["organic"] == "not yet coded"


def test_written_files_pass_check_once_their_codes_are_filled(review, capsys):
    assert run(review, "import", "endnote.ris", "zotero.bib", "rayyan.csv") == 1
    capsys.readouterr()
    assert len(new_files(review)) == 8
    assert run(review, "check") == 0  # "not yet coded" is valid: a fresh import passes too
    for name in new_files(review):
        fill_codes(review / "studies" / name)
    assert run(review, "check") == 0, capsys.readouterr().err


def test_a_review_without_a_baseline_gets_studies_without_in_baseline_that_pass_check(review, capsys):
    # in_baseline is allowed only in a review that has a published baseline (content/baseline.yaml)
    (review / "content" / "baseline.yaml").unlink()
    figures = review / "content" / "figures.yaml"  # the flow figure then names no published figure
    figures.write_text(re.sub(r"(?m)^    previous_\w+: \S+\n", "", figures.read_text(encoding="utf-8")),
                       encoding="utf-8")
    run(review, "import", "zotero.bib")  # two records, both with a DOI
    data = yaml.safe_load((review / "studies" / "korhonen-2022.yaml").read_text(encoding="utf-8"))
    assert "in_baseline" not in data
    capsys.readouterr()
    assert run(review, "check") == 0, capsys.readouterr().err


def test_a_record_without_doi_is_written_with_a_prompt_that_check_enforces(review, capsys):
    run(review, "import", "zotero.ris")
    path = review / "studies" / "gudmundsdottir-2021.yaml"
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert "doi" not in data and data["url"] == "https://example.org/reports/peer-workers-2021"
    assert "# no DOI in the import: add doi: 10.xxxx/... or, if the study has none, no_doi_reason: why\n" in text
    fill_codes(path)
    capsys.readouterr()
    assert run(review, "check") == 1
    assert "studies/gudmundsdottir-2021.yaml:5:1: no DOI" in capsys.readouterr().err
    path.write_text(text.replace("in_baseline:", 'no_doi_reason: "A report without a DOI"\nin_baseline:'))
    assert run(review, "check") == 0


def test_zotero_ris_reads_start_and_end_pages_and_the_doi_link(review, capsys):
    assert run(review, "import", "zotero.ris") == 0
    data = yaml.safe_load((review / "studies" / "oconnell-2024.yaml").read_text())
    assert data["pages"] == "210–219"
    assert data["doi"] == "10.5555/lr.fixture.2024.301" and "url" not in data  # the doi.org link is the DOI
    assert data["authors"][0] == {"family": "O'Connell", "given": "Siobhán"}
    assert "zotero.ris (RIS): 2 records read: 2 written, 0 skipped as duplicates, 0 skipped by screening " \
        "decision, 0 rejected" in capsys.readouterr().out


def test_bibtex_decodes_accents_and_strings_and_reports_a_malformed_entry_by_key_and_line(review, capsys):
    assert run(review, "import", "zotero.bib") == 1
    out, err = capsys.readouterr()
    assert new_files(review) == {"korhonen-2022.yaml", "van-der-meer-2020.yaml"}
    korhonen = yaml.safe_load((review / "studies" / "korhonen-2022.yaml").read_text())
    assert [a["family"] for a in korhonen["authors"]] == ["Korhonen", "Pietilä", "Balková"]
    assert korhonen["title"] == "Peer workers in Finnish psychiatric outpatient care: A register-based cohort study"
    assert korhonen["pages"] == "301–309" and korhonen["issue"] == "4"
    meer = yaml.safe_load((review / "studies" / "van-der-meer-2020.yaml").read_text())
    assert meer["journal"] == "Psychiatric Rehabilitation Journal"  # from @string
    assert meer["authors"][0] == {"family": "van der Meer", "given": "Lotte"}
    assert meer["doi"] == "10.5555/lr.fixture.2020.115"
    assert err.splitlines() == [
        "zotero.bib:16: entry novak_broken_2021: BibTeX syntax error at line 19: '}' expected; skipped",
        "zotero.bib:34: record “Peer work in Danish psychiatry: a discussion paper”: no year of publication; skipped",
    ]
    assert "zotero.bib (BibTeX): 4 records read: 2 written, 0 skipped as duplicates, 0 skipped by screening " \
        "decision, 2 rejected" in out


def test_rayyan_csv_counts_lines_across_multi_line_abstracts_and_suffixes_taken_ids(review, capsys):
    assert run(review, "import", "rayyan.csv") == 1
    out, err = capsys.readouterr()
    assert new_files(review) == {"akerblom-2021.yaml", "pietila-2023.yaml", "balkova-2022a.yaml", "svensson-2019.yaml"}
    assert err.splitlines() == ["rayyan.csv:5: record (Holm 2021): no title; skipped"]
    akerblom = yaml.safe_load((review / "studies" / "akerblom-2021.yaml").read_text())
    assert akerblom["authors"] == [{"family": "Åkerblom", "given": "Linnea"}, {"family": "Eriksson", "given": "Johan"}]
    assert akerblom["pages"] == "640–648" and akerblom["journal"] == "Scandinavian Journal of Public Health"
    assert "rayyan.csv (Rayyan CSV): 9 records read: 4 written, 0 skipped as duplicates, 4 skipped by screening " \
        "decision, 1 rejected" in out


def test_rayyan_decisions_are_respected_and_only_included_records_become_studies(review, capsys):
    run(review, "import", "rayyan.csv")
    out = capsys.readouterr().out
    # rows 8-11: excluded (wrong population), maybe, no decision yet, and screeners who disagree
    assert ("skipped 4 records of rayyan.csv by screening decision: 1 excluded, 1 marked maybe, 1 not yet decided, "
            "1 decided differently by its screeners; only records included in screening become studies") in out
    written = " ".join(path.read_text(encoding="utf-8") for path in (review / "studies").iterdir())
    for doi in ("10.5555/lr.fixture.2019.150", "10.5555/lr.fixture.2019.033", "10.5555/lr.fixture.2019.801",
                "10.5555/lr.fixture.2019.301"):
        assert doi not in written


def test_rayyans_doi_column_holding_the_rest_of_the_record_gives_the_doi_alone(review):
    run(review, "import", "rayyan.csv")
    data = yaml.safe_load((review / "studies" / "svensson-2019.yaml").read_text(encoding="utf-8"))
    assert data["doi"] == "10.5555/lr.fixture.2019.077"
    # an organisation among the authors is kept whole and marked, not split into family and given names
    assert data["authors"] == [{"family": "Svensson", "given": "Ida"},
                               {"family": "World Health Organization", "corporate": True}]


def test_duplicates_within_one_import_are_skipped_and_a_second_import_writes_nothing(review, capsys):
    run(review, "import", "endnote.ris", "rayyan.csv")
    out = capsys.readouterr().out
    # the Rayyan row repeats the EndNote record (DOI with another case and a doi.org prefix)
    assert ("skipped rayyan.csv:6 “Peer support workers as boundary spanners in Finnish commun…”: already in "
            "studies/pietila-2023.yaml, written by this import (same DOI 10.5555/LR.FIXTURE.2023.112)") in out
    written = files(review)
    assert run(review, "import", "endnote.ris", "rayyan.csv") == 1
    out = capsys.readouterr().out
    assert files(review) == written
    assert "import: 17 records read from 2 files: 0 written, 9 skipped as duplicates, 4 skipped by screening " \
        "decision, 4 rejected" in out


def test_an_id_taken_by_another_study_gets_a_letter_and_the_file_is_never_overwritten(review):
    other = write_coded_study(review, "pietila-2023", title="Another study of a community garden", year=2023,
                              doi="10.5555/another.study")
    before = other.read_bytes()
    run(review, "import", "endnote.ris")
    assert other.read_bytes() == before
    assert yaml.safe_load((review / "studies" / "pietila-2023a.yaml").read_text())["id"] == "pietila-2023a"


def test_an_unreadable_or_unknown_input_is_rejected(review, tmp_path, capsys):
    latin1 = tmp_path / "export.ris"
    latin1.write_bytes("TY  - JOUR\nAU  - Pietilä, S.\nER  - \n".encode("latin-1"))
    unknown = tmp_path / "notes.docx"
    unknown.write_text("some notes", encoding="utf-8")
    assert run(review, "import", str(latin1), str(unknown), "missing.ris") == 1
    err = capsys.readouterr().err
    assert f"{latin1}:2: file is not UTF-8" in err
    assert f"{unknown}:1: not an export this command reads" in err
    assert "missing.ris:1: cannot read file" in err
    assert new_files(review) == set()


@pytest.mark.parametrize("family, expected", [
    ("Pietilä", "pietila"), ("O'Connell", "oconnell"), ("van Vugt", "van-vugt"), ("Åkerblom", "akerblom"),
    ("Balková", "balkova"), ("Guðmundsdóttir", "gudmundsdottir"), ("Fallin\u2010Bennett", "fallin-bennett"),
    ("Søndergaard", "sondergaard"), ("O’Hagan", "ohagan"),
])
def test_ids_are_ascii_slugs_of_the_family_name(family, expected):
    assert slug(family) == expected


def test_id_collisions_take_the_next_free_letter():
    record = Record("x:1", "A title", (Author("Byrne", "L."),), 2021)
    assert study_id(record, set()) == "byrne-2021"
    assert study_id(record, {"byrne-2021"}) == "byrne-2021a"
    assert study_id(record, {"byrne-2021a", "byrne-2021b"}) == "byrne-2021c"  # as in EXISTING
    assert study_id(record, {"byrne-2021", "byrne-2021a"}) == "byrne-2021b"


@pytest.mark.parametrize("raw, expected", [
    ("https://doi.org/10.1111/hsc.12197", "10.1111/hsc.12197"), ("http://dx.doi.org/10.1111/hsc.12197",
                                                                  "10.1111/hsc.12197"),
    ("doi: 10.1111/hsc.12197.", "10.1111/hsc.12197"), ("10.1002/%28SICI%291097", "10.1002/(SICI)1097"),
    # Rayyan's doi column carries the rest of the record after the DOI: the DOI ends at the space
    ("10.1111/cla.12583     LK  - https://onlinelibrary.wiley.com/doi/10.1111/cla.12583", "10.1111/cla.12583"),
    ("10.1016/j.ejmg.2019.03.004 [doi]", "10.1016/j.ejmg.2019.03.004"),
])
def test_dois_are_stored_bare(raw, expected):
    assert extract_doi(raw) == expected
