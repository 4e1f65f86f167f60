"""`livingreview new`: one study from a DOI (Crossref) or a pasted BibTeX entry. Never the network.

tests/fixtures/import/crossref-nelson-2016.json is Crossref's answer for
10.1111/hsc.12197 written by hand in the shape of https://api.crossref.org/works/
(trimmed; the bibliographic values are those of the published article, with
full given names; the online-first date is illustrative). NELSON is that article
as a review cites it, written out by hand from the same publication.
"""

from __future__ import annotations

import io
import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml
from conftest import write_study
from scratch import make_review

from livingreview import crossref
from livingreview.cli import main
from livingreview.crossref import CrossrefError, fetch_work, record_from_work
from livingreview.importing.cleaning import finish
from livingreview.validate import normalise_title

ANSWER = Path(__file__).resolve().parent / "fixtures" / "import" / "crossref-nelson-2016.json"
NELSON = {
    "title": "Collaboration and involvement of persons with lived experience in planning Canada's "
             "At Home/Chez Soi project",
    "authors": [{"family": family, "given": given} for family, given in (
        ("Nelson", "G."), ("Macnaughton", "E."), ("Curwood", "S. E."), ("Egalité", "N."), ("Voronka", "J."),
        ("Fleury", "M.-J."), ("Goering", "P."))],
    "year": 2016, "journal": "Health & Social Care in the Community", "volume": "24", "issue": "2",
    "pages": "184–193", "doi": "10.1111/hsc.12197",
}


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any attempt to open a URL fails the test."""
    def refuse(*args, **kwargs):
        raise AssertionError("a test tried to use the network")
    monkeypatch.setattr(urllib.request, "urlopen", refuse)


@pytest.fixture
def recorded(monkeypatch):
    """fetch_work answers with the recorded Crossref work and notes the DOIs asked for."""
    asked = []

    def fetch(doi, timeout=crossref.TIMEOUT, agent=None):
        asked.append(doi)
        return json.loads(ANSWER.read_text(encoding="utf-8"))["message"]
    monkeypatch.setattr(crossref, "fetch_work", fetch)
    return asked


@pytest.fixture
def review(tmp_path):
    """A scratch review (the fixture's codebook and baseline) holding one study, adams-2018."""
    root = make_review(tmp_path / "review", [])
    write_study(root, "adams-2018")
    return root


def run(root, *args):
    return main(["--root", str(root), *args])


def test_a_crossref_work_becomes_the_record_the_review_cites():
    record = finish(record_from_work(json.loads(ANSWER.read_text())["message"], "Crossref 10.1111/hsc.12197"))
    ours = NELSON
    assert normalise_title(record.title) == normalise_title(ours["title"])
    assert "<i>" not in record.title
    assert record.year == 2016  # the printed issue, not the online-first date Crossref calls "issued"
    assert [a.family for a in record.authors] == [a["family"] for a in ours["authors"]]
    assert record.authors[2].given == "Susan Eckerle"
    assert (record.journal, record.volume, record.issue, record.pages, record.doi) == (
        ours["journal"], ours["volume"], ours["issue"], ours["pages"], ours["doi"])  # &amp; and 184-193 cleaned


class _Answer(io.BytesIO):
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_fetch_asks_crossref_politely_with_a_timeout(monkeypatch):
    seen = {}

    def urlopen(request, timeout=None):
        seen["url"], seen["agent"], seen["timeout"] = request.full_url, request.get_header("User-agent"), timeout
        return _Answer(ANSWER.read_bytes())
    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    monkeypatch.setenv("CROSSREF_MAILTO", "team@example.org")
    work = fetch_work("10.1111/hsc.12197", agent=crossref.user_agent("https://github.com/example/review"))
    assert work["DOI"] == "10.1111/hsc.12197"
    assert seen["url"] == "https://api.crossref.org/works/10.1111/hsc.12197"
    assert seen["timeout"] == 10
    assert seen["agent"].startswith("livingreview/") and "mailto:team@example.org" in seen["agent"]
    assert "https://github.com/example/review" in seen["agent"]


@pytest.mark.parametrize("failure, message", [
    (urllib.error.HTTPError("u", 404, "Not Found", {}, None), "Crossref has no record of this DOI (HTTP 404)"),
    (urllib.error.HTTPError("u", 503, "Service Unavailable", {}, None), "Crossref answered HTTP 503"),
    (urllib.error.URLError("[Errno -3] Temporary failure in name resolution"), "cannot reach api.crossref.org"),
    (TimeoutError("timed out"), "cannot reach api.crossref.org (timed out)"),
])
def test_fetch_failures_are_crossref_errors(monkeypatch, failure, message):
    def urlopen(request, timeout=None):
        raise failure
    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    with pytest.raises(CrossrefError, match=message.replace("(", r"\(").replace(")", r"\)")):
        fetch_work("10.1111/hsc.12197")


def test_new_doi_writes_one_study_that_passes_check_once_coded(review, recorded, capsys):
    assert run(review, "new", "--doi", "https://doi.org/10.1111/hsc.12197") == 0
    assert recorded == ["10.1111/hsc.12197"]
    path = review / "studies" / "nelson-2016.yaml"
    out = capsys.readouterr().out
    assert "new: wrote studies/nelson-2016.yaml" in out and "then run `livingreview check`" in out
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["doi"] == "10.1111/hsc.12197" and data["in_baseline"] is False
    assert data["authors"][0] == {"family": "Nelson", "given": "Geoffrey"}
    text = path.read_text(encoding="utf-8")
    # every required field of the fixture codebook; a leading community with planning keeps its rule
    coded = {"location": '["CA"]', "design": "case-study", "method": "words", "setting": "[neighbourhood]",
             "aim": "organisation", "stages": "[planning, tending]", "involvement": "leading",
             "source": "database"}
    for key, value in coded.items():
        text = text.replace(f"  {key}: not yet coded\n", f"  {key}: {value}\n")
    assert yaml.safe_load(text)["codes"]["involvement"] == "leading"
    assert "not yet coded" not in yaml.safe_load(text)["codes"].values()
    path.write_text(text, encoding="utf-8")
    assert run(review, "check") == 0, capsys.readouterr().err


def test_new_doi_refuses_a_study_already_in_the_review_without_asking_crossref(review, monkeypatch, capsys):
    write_study(review, "nelson-2016", **NELSON)
    before = sorted(p.name for p in (review / "studies").iterdir())
    monkeypatch.setattr(urllib.request, "urlopen", lambda *args, **kwargs: pytest.fail("Crossref was asked"))
    assert run(review, "new", "--doi", "https://doi.org/10.1111/HSC.12197") == 1
    assert "DOI 10.1111/HSC.12197 is already in studies/nelson-2016.yaml; nothing written" in capsys.readouterr().err
    assert sorted(p.name for p in (review / "studies").iterdir()) == before


def test_new_doi_offline_suggests_bibtex_and_writes_nothing(review, monkeypatch, capsys):
    def urlopen(request, timeout=None):
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")
    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    assert run(review, "new", "--doi", "10.1111/hsc.12197") == 1
    err = capsys.readouterr().err
    assert "could not get DOI 10.1111/hsc.12197 from Crossref: cannot reach api.crossref.org" in err
    assert "livingreview new --bibtex FILE" in err and "livingreview new --bibtex -" in err
    assert [p.name for p in (review / "studies").iterdir()] == ["adams-2018.yaml"]


def test_new_doi_refuses_what_is_not_a_doi(review, recorded, capsys):
    assert run(review, "new", "--doi", "hsc.12197") == 1
    assert "'hsc.12197' is not a DOI" in capsys.readouterr().err
    assert recorded == []


ENTRY = """@article{pietila_peer_2023,
  title = {Peer support workers as boundary spanners},
  author = {Pietil{\\"a}, Sari and Korhonen, Aino},
  journal = {Nordic Journal of Psychiatry},
  year = {2023},
  doi = {10.5555/lr.fixture.2023.112},
}
"""


def test_new_bibtex_from_standard_input(review, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(ENTRY))
    assert run(review, "new", "--bibtex", "-") == 0
    data = yaml.safe_load((review / "studies" / "pietila-2023.yaml").read_text(encoding="utf-8"))
    assert data["authors"][0] == {"family": "Pietilä", "given": "Sari"}
    assert data["doi"] == "10.5555/lr.fixture.2023.112"


def test_new_bibtex_file_with_a_broken_or_second_entry_writes_nothing(review, tmp_path, capsys):
    broken = tmp_path / "broken.bib"
    broken.write_text(ENTRY.replace("journal = {Nordic Journal of Psychiatry},", "journal = {Nordic"))
    assert run(review, "new", "--bibtex", str(broken)) == 1
    assert "broken.bib:1: entry pietila_peer_2023: BibTeX syntax error" in capsys.readouterr().err
    two = tmp_path / "two.bib"
    two.write_text(ENTRY + ENTRY.replace("pietila_peer_2023", "other"))
    assert run(review, "new", "--bibtex", str(two)) == 1
    assert "holds 2 entries" in capsys.readouterr().err
    assert [p.name for p in (review / "studies").iterdir()] == ["adams-2018.yaml"]
