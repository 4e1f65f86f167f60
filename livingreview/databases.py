"""The bibliographic databases a search can be run against, as a registry: OpenAlex, PubMed (NCBI E-utilities) and
Crossref. Each one turns a query into request addresses and the answers into a count of hits and candidate records.

Nothing here opens a connection: every database is given a `fetch` function (an address in, the answer's bytes
out), so `livingreview search` passes one that uses the network and the tests pass recorded answers.
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .crossref import record_from_work
from .named_tuple import NamedTuple
from .records import Draft
from .study import Author

Fetch = Callable[[str], bytes]
PAGE = 100  # records asked for per request (each API allows at least this many)
TIMEOUT = 30.0  # seconds for one answer
MAX_ANSWER_BYTES = 32 * 1024 * 1024
PAUSE = 0.4  # seconds between requests: NCBI asks for at most 3 a second without a key, the others for restraint
SECRET_PARAMETERS = ("api_key", "mailto", "email", "tool")  # never recorded with a search


class SearchFailed(Exception):
    """A database could not be asked, or gave an answer that is not what its documentation describes."""


@dataclass(frozen=True)
class Options:
    """What a search asks for besides its query."""

    since: str = ""  # YYYY-MM-DD: records published on or after this day only
    cap: int = 1000  # the most records a search may fetch; more hits than this and nothing is fetched
    contact: str = ""  # an e-mail address for the APIs' polite pools
    keys: Mapping[str, str] = field(default_factory=dict)  # API keys by database, from the environment
    page: int = PAGE  # records per request


@dataclass
class Hits:
    """What a search found: the API's count, the request that asked it, and the records fetched."""

    count: int
    url: str  # the first request, without keys or contact addresses: the search as it can be repeated
    found: list[tuple[Draft, str]] = field(default_factory=list)  # each record, with its PubMed id if known


class Database(NamedTuple):
    key: str
    label: str
    documentation: str
    run: Callable[[str, Options, Fetch], Hits]


def http_fetch(agent: str) -> Fetch:
    """A fetch function that asks over HTTPS, politely: one request at a time, a pause between them, a timeout,
    a User-Agent naming the tool and how to reach its user; every failure becomes SearchFailed."""
    last = [0.0]

    def fetch(url: str) -> bytes:
        time.sleep(max(0.0, last[0] + PAUSE - time.monotonic()))
        host = urllib.parse.urlsplit(url).hostname or url
        request = urllib.request.Request(url, headers={"User-Agent": agent, "Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                data: bytes = response.read(MAX_ANSWER_BYTES + 1)
        except urllib.error.HTTPError as error:
            raise SearchFailed(f"{host} answered HTTP {error.code} {error.reason} to {recorded(url)}") from None
        except urllib.error.URLError as error:
            raise SearchFailed(f"cannot reach {host} ({error.reason}); are you online?") from None
        except (TimeoutError, OSError) as error:
            raise SearchFailed(f"cannot reach {host} ({error or type(error).__name__}); are you online?") from None
        finally:
            last[0] = time.monotonic()
        if len(data) > MAX_ANSWER_BYTES:
            raise SearchFailed(f"{host} answered with more than {MAX_ANSWER_BYTES // 2**20} MiB to one request")
        return data

    return fetch


def recorded(url: str) -> str:
    """A request address as a search file records it: keys and contact addresses removed."""
    parts = urllib.parse.urlsplit(url)
    query = [(k, v) for k, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
             if k not in SECRET_PARAMETERS]
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def _json(fetch: Fetch, url: str, name: str) -> Any:
    try:
        return json.loads(fetch(url).decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise SearchFailed(f"{name} did not answer with JSON ({recorded(url)})") from None


def _address(base: str, parameters: Mapping[str, str | int]) -> str:
    return base + "?" + urllib.parse.urlencode([(k, v) for k, v in parameters.items() if v != ""])


def _too_many(count: int, options: Options, name: str) -> None:
    if count > options.cap:
        raise SearchFailed(f"{name} found {count:,} records, more than the cap of {options.cap:,}; narrow the "
                           f"query (or add --since), or raise the cap with --max {count}")


def _count(value: Any, name: str) -> int:
    try:
        count = int(value)
    except (TypeError, ValueError):
        raise SearchFailed(f"{name}'s answer holds no count of records") from None
    if count < 0:
        raise SearchFailed(f"{name}'s answer holds no count of records")
    return count


# --- OpenAlex: https://developers.openalex.org/ -------------------------------------------------------------

OPENALEX = "https://api.openalex.org/works"
_OPENALEX_FIELDS = "id,doi,title,display_name,publication_year,authorships,primary_location,ids"


def openalex(query: str, options: Options, fetch: Fetch) -> Hits:
    """Basic paging (page, per_page) over /works?search=; a cap below 10,000 keeps within what it allows."""
    hits: Hits | None = None
    page = 1
    while hits is None or len(hits.found) < hits.count:
        url = _address(OPENALEX, {"search": query, "filter": f"from_publication_date:{options.since}"
                                  if options.since else "", "select": _OPENALEX_FIELDS, "per_page": options.page,
                                  "page": page, "mailto": options.contact, "api_key": options.keys.get("openalex", "")})
        answer = _json(fetch, url, "OpenAlex")
        if not (isinstance(answer, dict) and isinstance(answer.get("meta"), dict)
                and isinstance(answer.get("results"), list)):
            raise SearchFailed("OpenAlex's answer has no `meta` and `results`")
        if hits is None:
            hits = Hits(_count(answer["meta"].get("count"), "OpenAlex"), recorded(url))
            _too_many(hits.count, options, "OpenAlex")
        page_found = [_openalex_work(work, f"OpenAlex page {page}") for work in answer["results"]
                      if isinstance(work, dict)]
        if not page_found:  # past the last page (or an answer that would never end)
            break
        hits.found += page_found
        page += 1
    assert hits is not None
    return hits


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _openalex_work(work: Mapping[str, Any], where: str) -> tuple[Draft, str]:
    authors = []
    for authorship in _list(work.get("authorships")):
        name = _dict(_dict(authorship).get("author")).get("display_name")
        if isinstance(name, str) and name.strip():
            given, _, family = name.strip().rpartition(" ")
            authors.append(Author(family, given))
    source = _dict(_dict(work.get("primary_location")).get("source"))
    ids = _dict(work.get("ids"))
    pmid = re.search(r"(\d+)/?$", str(ids.get("pmid") or ""))
    return Draft(where, title=str(work.get("title") or work.get("display_name") or ""), authors=authors,
                 year=str(work.get("publication_year") or ""), journal=str(source.get("display_name") or ""),
                 doi=str(work.get("doi") or ""), url=str(work.get("id") or "")), pmid.group(1) if pmid else ""


# --- PubMed: the E-utilities, https://www.ncbi.nlm.nih.gov/books/NBK25499/ ----------------------------------

EUTILS = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"


def pubmed(query: str, options: Options, fetch: Fetch) -> Hits:
    """ESearch for the PubMed ids (paged with retstart), then ESummary for their document summaries."""
    ids: list[str] = []
    hits: Hits | None = None
    while hits is None or len(ids) < hits.count:
        url = _address(EUTILS + "esearch.fcgi", {
            "db": "pubmed", "term": query, "retmode": "json", "retmax": options.page, "retstart": len(ids),
            **({"datetype": "pdat", "mindate": options.since.replace("-", "/"), "maxdate": "3000"}
               if options.since else {}),
            "tool": "livingreview", "email": options.contact, "api_key": options.keys.get("pubmed", "")})
        answer = _json(fetch, url, "PubMed")
        result = answer.get("esearchresult") if isinstance(answer, dict) else None
        if not (isinstance(result, dict) and isinstance(result.get("idlist"), list)):
            raise SearchFailed("PubMed's ESearch answer has no `esearchresult` with an `idlist`"
                               + (f": {result['ERROR']}" if isinstance(result, dict) and "ERROR" in result else ""))
        if hits is None:
            hits = Hits(_count(result.get("count"), "PubMed"), recorded(url))
            _too_many(hits.count, options, "PubMed")
        page_ids = [str(i) for i in result["idlist"] if str(i).isdigit()]
        if not page_ids:  # past the last page (or an answer that would never end)
            break
        ids += page_ids
    assert hits is not None
    for start in range(0, len(ids), options.page):
        hits.found += [(draft, pmid) for pmid, draft in _summaries(ids[start:start + options.page], options, fetch)]
    return hits


def _summaries(ids: list[str], options: Options, fetch: Fetch) -> Iterator[tuple[str, Draft]]:
    url = _address(EUTILS + "esummary.fcgi", {"db": "pubmed", "id": ",".join(ids), "retmode": "json",
                                              "tool": "livingreview", "email": options.contact,
                                              "api_key": options.keys.get("pubmed", "")})
    answer = _json(fetch, url, "PubMed")
    result = answer.get("result") if isinstance(answer, dict) else None
    if not isinstance(result, dict):
        raise SearchFailed("PubMed's ESummary answer has no `result`")
    for pmid in ids:
        summary = result.get(pmid)
        if isinstance(summary, dict) and "error" not in summary:
            yield pmid, _pubmed_summary(summary, f"PubMed {pmid}")


def _pubmed_summary(summary: Mapping[str, Any], where: str) -> Draft:
    authors = []
    for author in _list(summary.get("authors")):
        name = _dict(author).get("name")
        if isinstance(name, str) and name.strip() and _dict(author).get("authtype", "Author") == "Author":
            family, _, initials = name.strip().rpartition(" ")  # "Smith JA": the family name, then initials
            authors.append(Author(family, initials) if family and initials.isupper() else Author(name.strip()))
    doi = next((str(i.get("value", "")) for i in _list(summary.get("articleids"))
                if isinstance(i, dict) and i.get("idtype") == "doi"), "")
    year = re.search(r"\b(\d{4})\b", str(summary.get("pubdate") or summary.get("sortpubdate") or ""))
    return Draft(where, title=str(summary.get("title") or ""), authors=authors, year=year.group(1) if year else "",
                 journal=str(summary.get("fulljournalname") or summary.get("source") or ""), doi=doi,
                 url=f"https://pubmed.ncbi.nlm.nih.gov/{summary.get('uid')}/" if str(summary.get("uid", "")).isdigit()
                 else "")


# --- Crossref: https://api.crossref.org/swagger-ui/index.html ----------------------------------------------

CROSSREF = "https://api.crossref.org/works"
_CROSSREF_FIELDS = "DOI,title,author,container-title,issued,published-print,published-online,journal-issue"


def crossref(query: str, options: Options, fetch: Fetch) -> Hits:
    """Offset paging (rows, offset) over /works?query=; Crossref allows offsets up to 10,000."""
    hits: Hits | None = None
    while hits is None or len(hits.found) < hits.count:
        offset = len(hits.found) if hits else 0
        url = _address(CROSSREF, {"query": query, "filter": f"from-pub-date:{options.since}" if options.since
                                  else "", "select": _CROSSREF_FIELDS, "rows": options.page, "offset": offset,
                                  "mailto": options.contact})
        answer = _json(fetch, url, "Crossref")
        message = answer.get("message") if isinstance(answer, dict) else None
        if not (isinstance(message, dict) and isinstance(message.get("items"), list)):
            raise SearchFailed("Crossref's answer has no `message` with `items`")
        if hits is None:
            hits = Hits(_count(message.get("total-results"), "Crossref"), recorded(url))
            _too_many(hits.count, options, "Crossref")
        page_found = [(_crossref_work(work, f"Crossref offset {offset + n}"), "")
                      for n, work in enumerate(message["items"]) if isinstance(work, dict)]
        if not page_found:  # past the last page (or an answer that would never end)
            break
        hits.found += page_found
    assert hits is not None
    return hits


def _crossref_work(work: Mapping[str, Any], where: str) -> Draft:
    people = [person for person in _list(work.get("author")) if isinstance(person, dict)]
    draft = record_from_work({**work, "author": people}, where)
    draft.volume = draft.issue = draft.pages = ""
    return draft


DATABASES: dict[str, Database] = {database.key: database for database in (
    Database("openalex", "OpenAlex", "https://developers.openalex.org/", openalex),
    Database("pubmed", "PubMed", "https://www.ncbi.nlm.nih.gov/books/NBK25499/", pubmed),
    Database("crossref", "Crossref", "https://api.crossref.org/swagger-ui/index.html", crossref),
)}


def database_named(text: str) -> Database | None:
    """The database a search file's `source:` names (its key or label, in any case), if any."""
    name = text.strip().casefold()
    return next((d for d in DATABASES.values() if name in (d.key, d.label.casefold())), None)
