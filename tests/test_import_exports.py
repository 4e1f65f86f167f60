"""`livingreview import` on real exports (tests/fixtures/import/real/, each named with its origin and licence
in the README there) and on small exports shaped like Covidence's and Zotero's CSV. The expected outcomes were
written by hand from reading each file: how many records it holds, which become studies, and the exact DOI and
author names of some of them."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from scratch import make_review

from livingreview.cli import main
from livingreview.importing.cleaning import valid_doi

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "import"
REAL = FIXTURES / "real"

# file: (format as named in the summary, records in the file, {study id: (DOI, first authors as written)})
EXPECTED: dict[str, tuple[str, int, dict[str, tuple[str, list[dict]]]]] = {
    "embase.ris": ("RIS", 2, {  # Embase writes "Family I." names
        "liu-2014": ("10.4103/2303-9027.138783",
                     [{"family": "Liu", "given": "R."}, {"family": "Adler", "given": "D. G."}]),
        "eloubeidi-2004": ("10.1002/cncr.20369", [{"family": "Eloubeidi", "given": "M. A."}]),
    }),
    "ovid-psycinfo.ris": ("RIS", 2, {  # numbered records, NL lines and link text after ER, DOIs as dx.doi.org links
        "trindade-2019": ("10.1002/cpp.2398",
                          [{"family": "Trindade", "given": "Ines A."}, {"family": "Irons", "given": "Chris"}]),
        "trindade-2019a": ("10.1177/1359105317742958", [{"family": "Trindade", "given": "Ines A."}]),
    }),
    "pubmed-medline.txt": ("PubMed (MEDLINE)", 2, {
        "griffin-2020": ("10.1016/j.ejmg.2019.03.004", [{"family": "Griffin", "given": "Darren K."},
                                                        {"family": "Larkin", "given": "Denis M."},
                                                        {"family": "O'Connor", "given": "Rebecca E."}]),
        "penalver-2023": ("10.1073/pnas.2217872120", [{"family": "Peñalver", "given": "Enrique"}]),
    }),
    "wos-tagged.txt": ("Web of Science (tagged text)", 2, {
        "parkes-loach-2004": ("10.1021/bi049798f", [{"family": "Parkes-Loach", "given": "P. S."},
                                                    {"family": "Majeed", "given": "A. P."}]),
        "cao-2004": ("10.1021/bi0497291", [{"family": "Cao", "given": "W. X."}]),
    }),
    "wos-ris.txt": ("RIS", 2, {  # Web of Science's RIS, saved as .txt
        "alceste-2018": ("10.1016/j.jarmac.2018.03.001", [{"family": "Alceste", "given": "F."}]),
        "appleby-2016": ("10.1037/law0000080", [{"family": "Appleby", "given": "S. C."}]),
    }),
    "zotero-pubmed.ris": ("RIS", 2, {
        "rudnik-2019": ("10.5114/pg.2018.81081", [{"family": "Rudnik", "given": "Agata"}]),
        "hicks-2019": ("10.1007/s10151-019-02080-0",
                       [{"family": "Hicks", "given": "G."}, {"family": "Abdulaal", "given": "A."},
                        {"family": "Slesser", "given": "A. A. P."}]),
    }),
    "endnote-pubmed.txt": ("RIS", 2, {  # EndNote's RIS, with untagged continuation lines
        "abdel-tawab-2011": ("10.2165/11586800-000000000-00000", [{"family": "Abdel-Tawab", "given": "M."}]),
        "abe-2018": ("10.5650/jos.ess17184", [{"family": "Abe", "given": "H."}]),
    }),
    "scopus.ris": ("RIS", 1, {
        "labanski-2020": ("10.1016/j.psyneuen.2019.104501", [{"family": "Labanski", "given": "A."}]),
    }),
    "embase.csv": ("CSV", 2, {  # no year or DOI column: both in Source and in the Open URL link
        "quintanilla-dieck-2018": ("10.1016/j.clp.2018.07.012", [{"family": "Quintanilla-Dieck", "given": "L."},
                                                                {"family": "Penn", "given": "E. B."}]),
        "khoury-2011": ("10.3748/wjg.v17.i1.130", [{"family": "Khoury", "given": "T."},
                                                  {"family": "Rivera", "given": "L."}]),
    }),
    "wos-bibtex.bib": ("BibTeX", 2, {  # Web of Science's BibTeX writes _ in a DOI as \_
        "writerone-2017": ("10.1007/999-9-999-99999-9_3", [{"family": "Writerone", "given": "Julia"},
                                                          {"family": "Writertwo", "given": "Paul"}]),
        "articlewriter-2022": ("10.1111/artjul.2021.0011", [{"family": "Articlewriter", "given": "Julian"}]),
    }),
    "pubmed.csv": ("CSV", 3, {  # PubMed's CSV ends its author list with a full stop
        "hajj-boutros-2022": ("10.1080/17461391.2021.2023656", [{"family": "Hajj-Boutros", "given": "G."},
                                                                {"family": "Landry-Duval", "given": "M. A."},
                                                                {"family": "Comtois", "given": "A. S."},
                                                                {"family": "Gouspillou", "given": "G."},
                                                                {"family": "Karelis", "given": "A. D."}]),
        "garza-2022": ("10.1093/annweh/wxab065", [{"family": "Garza", "given": "J. L."},
                                                  {"family": "Wu", "given": "Z. H."},
                                                  {"family": "Singh", "given": "M."},
                                                  {"family": "Cherniack", "given": "M. G."}]),
        "humphreys-2022": ("10.1016/S0140-6736(21)02252-2", [{"family": "Humphreys", "given": "K."}]),
    }),
    "lens-zotero.ris": ("RIS", 2, {  # written through pandas: "nan" where a value is missing
        "veldkamp-2020": ("10.1016/j.edurev.2020.100364", [{"family": "Veldkamp", "given": "Alice"},
                                                           {"family": "van de Grint", "given": "Liesbeth"},
                                                           {"family": "Knippels", "given": "Marie-Christine P. J."}]),
        "schalken-2017": ("10.3389/fpsyg.2017.01395", [{"family": "Schalken", "given": "Naomi"}]),
    }),
    "trid.ris": ("RIS", 2, {  # TRID: "pp 278-298", the DOI as a doi.org link
        "author-one-2019": ("10.1333/hello.2019.12.012", [{"family": "Author-One", "given": "A."},
                                                          {"family": "Author-Two", "given": "B."}]),
        "author-one-2018": ("10.1444/j.hello.2018.05.005", [{"family": "Author-One", "given": "A."}]),
    }),
}


@pytest.fixture
def review(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = make_review(tmp_path / "review", [])
    monkeypatch.chdir(FIXTURES)
    return root


def run(root: Path, *args: str) -> int:
    return main(["--root", str(root), *args])


def study(root: Path, name: str) -> dict:
    return yaml.safe_load((root / "studies" / f"{name}.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_real_export_gives_its_records_with_exact_dois_and_names(review, capsys, name):
    label, count, studies = EXPECTED[name]
    assert run(review, "import", f"real/{name}") == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert f"real/{name} ({label}): {count} record{'s' * (count != 1)} read: {count} written, 0 skipped as " \
           f"duplicates, 0 skipped by screening decision, 0 rejected" in out
    assert {p.stem for p in (review / "studies").iterdir()} == set(studies)
    for study_id, (doi, first_authors) in studies.items():
        data = study(review, study_id)
        assert data["doi"] == doi
        assert data["authors"][:len(first_authors)] == first_authors


def test_the_real_exports_together_pass_check_and_hold_no_broken_value(review, capsys):
    assert run(review, "import", *(f"real/{name}" for name in sorted(EXPECTED))) == 0
    out = capsys.readouterr().out
    total = sum(count for _, count, _ in EXPECTED.values())
    assert f"import: {total} records read from {len(EXPECTED)} files: {total} written, 0 skipped as duplicates, " \
           f"0 skipped by screening decision, 0 rejected" in out
    for path in (review / "studies").iterdir():
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert valid_doi(data["doi"]), path
        assert not re.search(r"<[a-z/]|\\|[{}]", data["title"]), path  # no markup left in a title
        for author in data["authors"]:
            assert author["family"].strip() and not re.fullmatch(r"(?:[A-Z]\.? ?){1,4}", author["family"]), path
    assert run(review, "check") == 0  # "not yet coded" everywhere is valid


def test_the_fields_embase_pubmed_and_trid_give_only_inside_other_columns_are_read_whole(review):
    assert run(review, "import", "real/embase.csv", "real/pubmed.csv", "real/trid.ris") == 0
    khoury = study(review, "khoury-2011")  # Source: "World Journal of Gastroenterology (2011) 17:1 (130-134). ..."
    assert (khoury["journal"], khoury["volume"], khoury["issue"], khoury["pages"], khoury["year"]) == \
        ("World Journal of Gastroenterology", "17", "1", "130–134", 2011)
    humphreys = study(review, "humphreys-2022")
    assert humphreys["authors"][3] == {"family": "Bohnert", "given": "A. S. B."}
    assert humphreys["authors"][14] == {"family": "Larrimore Ouellette", "given": "L."}
    assert humphreys["authors"][-1] == {"family": "Timko", "given": "C."} and humphreys["journal"] == "Lancet"
    assert study(review, "author-one-2019")["pages"] == "278–298"


def test_nan_written_for_a_missing_value_is_no_issue_nor_page(review):
    assert run(review, "import", "real/lens-zotero.ris") == 0
    veldkamp = study(review, "veldkamp-2020")  # IS - nan, SP - 100364, EP - nan
    assert "issue" not in veldkamp and veldkamp["pages"] == "100364" and veldkamp["volume"] == "31"
    assert "issue" not in study(review, "schalken-2017")


def test_ovids_own_tagged_export_is_read_not_taken_for_html(review, capsys):
    assert run(review, "import", "ovid.cgi") == 0
    out = capsys.readouterr().out
    assert "ovid.cgi (Ovid (tagged text)): 2 records read: 2 written" in out
    okafor = study(review, "okafor-2019")
    assert okafor["title"] == "School gardens and the children who tend them: a qualitative study"
    assert okafor["authors"] == [{"family": "Okafor", "given": "A. N."}, {"family": "van der Berg", "given": "J."}]
    assert okafor["doi"] == "10.5555/ovid.fixture.2019.1" and okafor["year"] == 2019
    lindqvist = study(review, "lindqvist-2020")
    assert lindqvist["authors"][1] == {"family": "World Health Organization", "corporate": True}
    assert lindqvist["doi"] == "10.5555/ovid.fixture.2020.2"
    assert run(review, "check") == 0


def test_a_table_with_rispys_column_names_and_python_lists_of_authors(review, tmp_path, capsys):
    table = tmp_path / "records.csv"  # as ASReview's test data writes rispy's fields: a list as Python prints it
    table.write_text("primary_title;first_authors;publication_year;secondary_title;doi\n"
                     "Gardens at school;['Marx, Karl', \"O'Brien, Astrid\"];2014//;Lorem;10.5555/lr.rispy.1\n",
                     encoding="utf-8")
    assert run(review, "import", str(table)) == 0
    data = study(review, "marx-2014")
    assert data["authors"] == [{"family": "Marx", "given": "Karl"}, {"family": "O'Brien", "given": "Astrid"}]
    assert (data["title"], data["journal"], data["doi"]) == ("Gardens at school", "Lorem", "10.5555/lr.rispy.1")


def test_an_author_column_in_apa_style_gives_each_author_whole(review, tmp_path):
    table = tmp_path / "references.csv"  # authors as a reference list writes them: "A, B. B., C, D., & E, F."
    table.write_text('"author","year","title","doi"\n'
                     '"Doleac, J. L., Okafor, A., & Stein, L. C. D.",2013,"The visible hand",10.5555/lr.apa.1\n'
                     '"Johnson & Johnson",2014,"A report by a company",10.5555/lr.apa.2\n', encoding="utf-8")
    assert run(review, "import", str(table)) == 0
    assert study(review, "doleac-2013")["authors"] == [{"family": "Doleac", "given": "J. L."},
                                                       {"family": "Okafor", "given": "A."},
                                                       {"family": "Stein", "given": "L. C. D."}]
    assert study(review, "johnson-johnson-2014")["authors"] == [{"family": "Johnson & Johnson", "corporate": True}]


@pytest.mark.parametrize("kind, text", [
    ("ris", "TY  - JOUR\nTI  - Gardens in Seoul\nAU  - Na, Hyun\nAU  - NA\nPY  - 2020\nDO  - 10.5555/lr.na.1\n"
            "ER  - \n"),
    ("bib", "@article{na2020,\n  title = {Gardens in Seoul},\n  author = {Na, Hyun and NA},\n  year = {2020},\n"
            "  doi = {10.5555/lr.na.1}\n}\n"),
])
def test_the_family_name_na_with_a_given_name_is_an_author_and_na_alone_a_placeholder(review, tmp_path, kind, text):
    export = tmp_path / f"export.{kind}"
    export.write_text(text, encoding="utf-8")
    assert run(review, "import", str(export)) == 0
    assert study(review, "na-2020")["authors"] == [{"family": "Na", "given": "Hyun"}]


def test_pubmed_nbib_is_read_by_its_content_and_its_records_found_again(review, tmp_path, capsys):
    nbib = tmp_path / "citations.nbib"
    shutil.copy(REAL / "pubmed-medline.txt", nbib)
    run(review, "import", "real/pubmed-medline.txt", str(nbib))
    out = capsys.readouterr().out
    assert f"{nbib} (PubMed (MEDLINE)): 2 records read: 0 written, 2 skipped as duplicates" in out
    assert "already in studies/griffin-2020.yaml, written by this import (same DOI 10.1016/j.ejmg.2019.03.004)" in out
    study_data = study(review, "penalver-2023")
    assert study_data["journal"] == "Proceedings of the National Academy of Sciences of the United States of America"
    assert study_data["authors"][4] == {"family": "Pérez-de la Fuente", "given": "Ricardo"}


def test_a_covidence_export_of_the_included_list_becomes_studies(review, capsys):
    assert run(review, "import", "covidence_review_123_included_csv_20240102.csv") == 0
    out = capsys.readouterr().out
    assert "(Covidence CSV): 2 records read: 2 written" in out
    hughes = study(review, "hughes-2021")
    # the placeholder author is dropped; the markup is taken out of the title
    assert hughes["authors"] == [{"family": "Hughes", "given": "Tom"}]
    assert hughes["title"] == "Peer work and the Recovery Star: a mixed-methods evaluation"
    assert hughes["doi"] == "10.5555/lr.fixture.2021.010"


def test_a_covidence_export_that_does_not_say_its_list_writes_nothing_and_says_why(review, capsys):
    assert run(review, "import", "covidence.csv") == 0
    out = capsys.readouterr().out
    assert list((review / "studies").iterdir()) == []
    assert "skipped 2 records of covidence.csv by screening decision: 1 not yet decided, 1 excluded" in out
    assert "export the Included list" in out


def test_a_zotero_csv_with_a_byte_order_mark_an_organisation_and_cyrillic_names(review, capsys):
    assert run(review, "import", "zotero.csv") == 0
    assert "zotero.csv (Zotero CSV): 2 records read: 2 written" in capsys.readouterr().out
    petrov = study(review, "petrov-2022")  # the id transliterated from Петров
    assert petrov["authors"] == [{"family": "Петров", "given": "Иван"}, {"family": "Smith", "given": "J."}]
    assert petrov["title"] == "Peer workers in Russian psychiatric hospitals" and petrov["pages"] == "500–507"
    who = study(review, "world-health-organization-2021")
    assert who["authors"] == [{"family": "World Health Organization", "corporate": True}]
    assert "doi" not in who and who["url"] == "https://www.who.int/publications/i/item/9789240025707"


@pytest.mark.parametrize("content, looks_like", [
    (b'<?xml version="1.0" encoding="UTF-8"?><xml><records><record><ref-type name="Journal Article">17</ref-type>',
     "EndNote XML; in EndNote choose File › Export"),
    (b'<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle">\n<PubmedArticleSet>',
     "PubMed XML; in PubMed choose Save › Format: PubMed"),
    (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00", "a zip archive (an Excel workbook"),
    (b"PT\tAU\tBA\tBE\tGP\tAF\tBF\tCA\tTI\tSO\nJ\tSmith, J\t\t\t\t\t\t\tA title\tA JOURNAL\n",
     "Web of Science tab-delimited text; export as 'Plain text file' or 'RIS' instead"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "a PDF document"),
])
def test_a_file_no_reader_reads_is_named_as_what_it_looks_like_with_how_to_export(review, tmp_path, capsys,
                                                                                  content, looks_like):
    path = tmp_path / "export.ris"  # the name says RIS; the content decides
    path.write_bytes(content)
    assert run(review, "import", str(path)) == 1
    out, err = capsys.readouterr()
    assert f"{path}:1: not an export this command reads: it looks like {looks_like}" in err
    assert f"{path}: not read (1 problem)" in out
