"""`livingreview search`: the fixture review's searches run against recorded answers of OpenAlex, PubMed and
Crossref (tests/fixtures/search/, hand-made in each API's documented format). The database is never asked:
every test passes a fetch function that answers from those files and records what it was asked."""

from __future__ import annotations

import contextlib
import http.server
import io
import shutil
import threading
import urllib.parse
from pathlib import Path

import pytest
import yaml
from conftest import FIXTURE, parse_diagnostic
from hypothesis import given, settings
from hypothesis import strategies as st

from livingreview.candidates import Candidate, screening_texts
from livingreview.cli import main
from livingreview.databases import SearchFailed, http_fetch, recorded
from livingreview.diagnostics import BuildError
from livingreview.load import parse_yaml_text
from livingreview.project import Project
from livingreview.screening import Term, Vocabulary, records_from
from livingreview.searching import search_command

ANSWERS = Path(__file__).resolve().parent / "fixtures" / "search"


class Recorded:
    """A fetch function answering from the recorded files; it keeps every address it was asked."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def __call__(self, url: str) -> bytes:
        self.asked.append(url)
        parts = urllib.parse.urlsplit(url)
        query = dict(urllib.parse.parse_qsl(parts.query))
        if parts.hostname == "api.openalex.org":
            name = "openalex-works.json"
        elif parts.hostname == "api.crossref.org":
            name = "crossref-works.json"
        elif parts.path.endswith("esearch.fcgi"):
            name = f"pubmed-esearch-{query['retstart']}.json"
        else:
            name = f"pubmed-esummary-{query['id'].replace(',', '-')}.json"
        return (ANSWERS / name).read_bytes()


@pytest.fixture
def review(tmp_path: Path) -> Path:
    root = tmp_path / "review"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("README.md"))
    return root


def plan(root: Path, text: str, name: str = "plan.yaml") -> str:
    path = root / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def search(root: Path, files: list[str], fetch=None, **options) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    options.setdefault("date", "2024-07-01")
    code = search_command(Project(root), files, fetch=fetch or Recorded(), environ={}, out=out, err=err,
                          **options)
    return code, out.getvalue(), err.getvalue()


def check(root: Path) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = main(["--root", str(root), "check"])
    return code, err.getvalue()


def records(root: Path, search_id: str) -> dict[str, dict]:
    data = yaml.safe_load((root / "screening" / f"{search_id}.yaml").read_text(encoding="utf-8"))
    assert data["search"] == search_id
    return {r["id"]: r for r in data["records"]}


def test_an_openalex_search_is_recorded_with_its_records_and_duplicates(review):
    code, out, err = search(review, [plan(review, "source: openalex\nquery: garden* AND ward*\n")])
    assert code == 0, err
    found = yaml.safe_load((review / "searches" / "2024-07-01-01-openalex.yaml").read_text(encoding="utf-8"))
    assert found["id"] == "2024-07-01-01-openalex" and str(found["date"]) == "2024-07-01"
    assert found["source"] == "OpenAlex" and found["query"] == "garden* AND ward*" and found["route"] == "database"
    assert found["found"] == 4  # meta.count of the answer
    asked = urllib.parse.parse_qs(urllib.parse.urlsplit(found["url"]).query)
    assert asked["search"] == ["garden* AND ward*"] and found["url"].startswith("https://api.openalex.org/works?")
    listed = records(review, "2024-07-01-01-openalex")
    # Four works: one new, one the study baker-2020 (same DOI in other case), one the record fox-2023 (same
    # title and year, no DOI), one without a title (not listed).
    assert list(listed) == ["oneill-2024", "baker-2020a", "anon-2023"]
    new = listed["oneill-2024"]
    assert new == {"id": "oneill-2024", "title": "Therapeutic gardens on psychiatric wards: a qualitative study",
                   "authors": "O'Neill, Gráinne; Ruiz, Tomás", "year": 2024, "journal": "Journal of Test Fixtures",
                   "doi": "10.5555/oneill-2024", "pmid": "39000001", "url": "https://openalex.org/W5550000001"}
    assert listed["baker-2020a"]["duplicate_of"] == "baker-2020"
    assert listed["anon-2023"]["duplicate_of"] == "fox-2023"
    assert "1 with no title" in found["notes"]
    assert "1 new candidate records (and 2 duplicates" in out
    assert check(review) == (0, "")


def test_pubmed_is_searched_page_by_page_then_summarised(review):
    fetch = Recorded()
    code, _, err = search(review, [plan(review, "source: PubMed\nquery: allotment*\n")], fetch=fetch, page=2)
    assert code == 0, err
    paths = [(urllib.parse.urlsplit(u).path.rsplit("/", 1)[1], dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(u)
              .query))) for u in fetch.asked]
    assert [(p, q.get("retstart"), q.get("id")) for p, q in paths] == [
        ("esearch.fcgi", "0", None), ("esearch.fcgi", "2", None),
        ("esummary.fcgi", None, "39000001,39000002"), ("esummary.fcgi", None, "39000003")]
    listed = records(review, "2024-07-01-01-pubmed")
    assert listed["oneill-2024"]["authors"] == "O'Neill, G; Ruiz, T" and listed["oneill-2024"]["pmid"] == "39000001"
    assert listed["oneill-2024"]["url"] == "https://pubmed.ncbi.nlm.nih.gov/39000001/"
    # A collective name is no person; the title keeps its quotation marks.
    assert listed["van-der-berg-2025"]["authors"] == "van der Berg, AB"
    assert listed["van-der-berg-2025"]["title"] == 'Allotments "for all": a survey of waiting lists'
    assert listed["jay-2023a"]["duplicate_of"] == "jay-2023"  # the record of the hand search, same title and year
    assert check(review) == (0, "")


def test_a_crossref_search_and_a_second_run_see_what_the_first_wrote(review):
    query = plan(review, "source: crossref\nquery: hospital garden\n")
    assert search(review, [query])[0] == 0
    listed = records(review, "2024-07-01-01-crossref")
    assert listed["kim-2025"]["title"] == "Gardens on hospital grounds: a trial" and "url" not in listed["kim-2025"]
    assert listed["adams-2018a"]["duplicate_of"] == "adams-2018"  # the study, by DOI (its id is taken)
    # The same search again the same day: a file of its own, every record now a duplicate of the first run's.
    assert search(review, [query])[0] == 0
    again = records(review, "2024-07-01-02-crossref")
    assert {r["duplicate_of"] for r in again.values()} == {"kim-2025", "adams-2018"}
    assert check(review) == (0, "")


def test_a_recorded_search_runs_again_with_its_own_query_and_a_date_limit(review):
    recorded_search = review / "searches" / "2024-06-01-db.yaml"
    fetch = Recorded()
    code, _, err = search(review, [str(recorded_search)], fetch=fetch, source="openalex", since="2024-06-01")
    assert code == 0, err
    asked = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(fetch.asked[0]).query))
    assert asked["search"] == "garden* AND wellbeing" and asked["filter"] == "from_publication_date:2024-06-01"
    found = yaml.safe_load((review / "searches" / "2024-07-01-01-openalex.yaml").read_text(encoding="utf-8"))
    assert "2024-06-01" in found["limits"]


def test_keys_and_contact_addresses_are_sent_but_never_recorded(review):
    fetch = Recorded()
    (review / "content" / "site.yaml").write_text((review / "content" / "site.yaml").read_text(encoding="utf-8")
                                                  + "contact: team@example.org\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = search_command(Project(review), [plan(review, "source: openalex\nquery: garden\n")], date="2024-07-01",
                          fetch=fetch, environ={"OPENALEX_API_KEY": "s3cret"}, out=out, err=err)
    assert code == 0, err.getvalue()
    sent = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(fetch.asked[0]).query))
    assert sent["api_key"] == "s3cret" and sent["mailto"] == "team@example.org"
    written = (review / "searches" / "2024-07-01-01-openalex.yaml").read_text(encoding="utf-8")
    assert "s3cret" not in written and "team@example.org" not in written
    assert recorded("https://x.org/a?q=1&api_key=k&email=e&tool=t&mailto=m") == "https://x.org/a?q=1"
    assert check(review) == (0, "")


def test_offline_the_command_says_so_and_writes_nothing(review):
    def offline(url: str) -> bytes:
        raise SearchFailed("cannot reach api.openalex.org ([Errno -3] Temporary failure in name resolution); "
                           "are you online?")

    before = sorted(p.name for p in (review / "searches").iterdir())
    code, _, err = search(review, [plan(review, "source: openalex\nquery: garden\n")], fetch=offline)
    assert code == 1 and "are you online?" in err and "Nothing was written" in err and "Traceback" not in err
    assert sorted(p.name for p in (review / "searches").iterdir()) == before


def test_the_real_fetcher_turns_a_refused_connection_into_a_message():
    with pytest.raises(SearchFailed, match="cannot reach 127.0.0.1"):
        http_fetch("livingreview-tests")("http://127.0.0.1:9/works?search=x")


class _Answer(http.server.BaseHTTPRequestHandler):
    agents: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        _Answer.agents.append(self.headers.get("User-Agent", ""))
        if "busy" in self.path:
            self.send_error(429, "Too Many Requests")
            return
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b'{"ok": true}')

    def log_message(self, *args: object) -> None:
        pass


def test_the_real_fetcher_names_itself_and_reports_an_http_error():
    server = http.server.HTTPServer(("127.0.0.1", 0), _Answer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        fetch = http_fetch("livingreview/0 (mailto:team@example.org)")
        assert fetch(f"http://127.0.0.1:{server.server_port}/works") == b'{"ok": true}'
        assert _Answer.agents[-1] == "livingreview/0 (mailto:team@example.org)"
        with pytest.raises(SearchFailed, match="HTTP 429"):
            fetch(f"http://127.0.0.1:{server.server_port}/busy?api_key=secret")
    finally:
        server.shutdown()
        server.server_close()


def test_more_hits_than_the_cap_fetch_nothing_more_and_write_nothing(review):
    fetch = Recorded()
    code, _, err = search(review, [plan(review, "source: openalex\nquery: garden\n")], fetch=fetch, cap=3)
    assert code == 1 and "found 4 records, more than the cap of 3" in err and "--max 4" in err
    assert len(fetch.asked) == 1 and not (review / "searches" / "2024-07-01-01-openalex.yaml").exists()


def test_an_answer_not_in_the_documented_format_is_reported(review):
    code, _, err = search(review, [plan(review, "source: crossref\nquery: garden\n")],
                          fetch=lambda url: b'{"status": "ok", "message": {"total-results": 1}}')
    assert code == 1 and "Crossref" in err and "items" in err
    code, _, err = search(review, [plan(review, "source: pubmed\nquery: garden\n")], fetch=lambda url: b"<html>")
    assert code == 1 and "did not answer with JSON" in err


@pytest.mark.parametrize("text, message", [
    ("query: garden\n", "no database to search"),
    ("source: scopus\nquery: garden\n", "'scopus' is not a database"),
    ("source: openalex\n", "`query:` is the search to run"),
    ("source: openalex\nquery: garden\nroute: rumour\n", "'rumour' is not a route"),
    ("source: openalex\nquery: garden\nsince: June\n", "not a date"),
    ("source: openalex\nquery: garden\nfilter: x\n", "unknown key 'filter'"),
    ("- a list\n", "a search to run is a mapping"),
])
def test_a_search_file_that_cannot_run_is_reported_at_its_line(review, text, message):
    path = plan(review, text)
    with pytest.raises(BuildError) as raised:
        search(review, [path])
    assert any(message in d.message for d in raised.value.diagnostics), raised.value.diagnostics
    for diagnostic in raised.value.diagnostics:
        parse_diagnostic(str(diagnostic))


def test_the_command_line_runs_search_and_reports_bad_options(review):
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["--root", str(review), "search", plan(review, "query: garden\n"), "--since", "soon"])
    assert code == 1 and "'soon' is not a date" in err.getvalue() and "Traceback" not in err.getvalue()


VOCABULARY = Vocabulary((Term("screen", "Screen"),), (Term("database", "Database"),), (Term("off", "Off"),))


@settings(max_examples=200, deadline=None)
@given(title=st.text(min_size=1).filter(lambda t: t.strip()), authors=st.text(), journal=st.text())
def test_whatever_text_a_record_holds_the_file_reads_back_as_written(title, authors, journal):
    """The writer and the validator agree: any text, once made plain, survives the YAML and passes the checks."""
    from livingreview.candidates import plain_text

    title, authors, journal = plain_text(title), plain_text(authors), plain_text(journal)
    if not title:
        return
    candidate = Candidate("some-2024", title, 2024, authors, journal)
    text = screening_texts("s-1", [candidate], "header")[0]
    loaded = parse_yaml_text(text, "screening/s-1.yaml")
    assert loaded.ok, loaded.diagnostics
    problems: list = []
    [record] = records_from(loaded, VOCABULARY, problems)
    assert not problems
    assert (record.title, record.authors, record.journal) == (title, authors, journal)


def test_a_long_result_is_split_into_files_that_stay_readable():
    many = [Candidate(f"r-{n}", "A title of some length " * 20, 2024, "Family, Given; " * 10) for n in range(400)]
    texts = screening_texts("s-1", many, "header")
    assert len(texts) > 1 and all(len(t.encode()) < 256 * 1024 for t in texts)
    problems: list = []
    read = [r for t in texts for r in records_from(parse_yaml_text(t, "x.yaml"), VOCABULARY, problems)]
    assert not problems and [r.id for r in read] == [c.id for c in many]


_JSON = st.recursive(st.none() | st.booleans() | st.integers(-5, 60) | st.text(max_size=20),
                     lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
                         st.sampled_from(["meta", "count", "results", "esearchresult", "idlist", "result", "uids",
                                          "message", "items", "total-results", "title", "author", "authors",
                                          "authorships", "ids", "pmid", "doi", "DOI", "name", "1", "articleids",
                                          "primary_location", "source", "display_name", "issued", "date-parts"]),
                         inner, max_size=5), max_leaves=25)


@settings(max_examples=150, deadline=None)
@given(answer=_JSON, database=st.sampled_from(["openalex", "pubmed", "crossref"]))
def test_any_answer_gives_records_or_a_message_never_a_crash(answer, database):
    """Whatever an API answers, a database reads it or raises SearchFailed (which the command reports)."""
    import json

    from livingreview.databases import DATABASES, Options

    try:
        hits = DATABASES[database].run("garden", Options(cap=50, page=5), lambda url: json.dumps(answer).encode())
    except SearchFailed:
        return
    assert hits.count >= 0 and all(isinstance(draft.title, str) for draft, _ in hits.found)
