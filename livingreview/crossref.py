"""Crossref: the bibliographic record of a DOI, from the Crossref REST API.

Only `build.py new --doi` uses the network, and only here: one GET of
https://api.crossref.org/works/{doi} with a 10-second timeout and a User-Agent
that names the tool (Crossref asks clients to identify themselves; set
CROSSREF_MAILTO to an e-mail address to be in its "polite" pool). Tests pass a
recorded answer instead of fetching.
"""

from __future__ import annotations

import html
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import Any

from . import __version__
from .records import Draft
from .study import Author

API = "https://api.crossref.org/works/"
TIMEOUT = 10.0  # seconds


class CrossrefError(Exception):
    """Crossref could not be reached or gave no usable record."""


def user_agent(contact: str = "") -> str:
    """The User-Agent Crossref's etiquette asks for: tool/version (where to reach its users)."""
    parts = [p for p in (contact, f"mailto:{os.environ['CROSSREF_MAILTO']}"
                         if os.environ.get("CROSSREF_MAILTO") else "") if p]
    reach = f" ({'; '.join(parts)})" if parts else " (living scoping review tool)"
    return f"livingreview/{__version__}{reach}"


def work_url(doi: str) -> str:
    return API + urllib.parse.quote(doi, safe="/")


def fetch_work(doi: str, timeout: float = TIMEOUT, agent: str | None = None) -> dict[str, Any]:
    """The `message` of Crossref's answer for one DOI; raises CrossrefError on any failure."""
    request = urllib.request.Request(work_url(doi), headers={"User-Agent": agent or user_agent(),
                                                             "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            payload = json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as error:
        if error.code == 404:
            raise CrossrefError("Crossref has no record of this DOI (HTTP 404)") from None
        raise CrossrefError(f"Crossref answered HTTP {error.code} {error.reason}") from None
    except urllib.error.URLError as error:
        raise CrossrefError(f"cannot reach api.crossref.org ({error.reason})") from None
    except (TimeoutError, OSError) as error:
        raise CrossrefError(f"cannot reach api.crossref.org ({error})") from None
    except (ValueError, UnicodeDecodeError):
        raise CrossrefError("Crossref's answer is not JSON") from None
    message = payload.get("message") if isinstance(payload, dict) else None
    if not isinstance(message, dict):
        raise CrossrefError("Crossref's answer holds no record")
    return message


def record_from_work(work: Mapping[str, Any], where: str) -> Draft:
    """A Crossref work as a draft record (checked by importer.finish like an imported one).

    The year is the year of the printed issue when Crossref knows it, as reference lists
    cite it; else the year the work was issued (often its online-first date).
    """
    authors = []
    for person in work.get("author") or []:
        if person.get("family"):
            authors.append(Author(person["family"], person.get("given", "")))
        elif person.get("name"):
            authors.append(Author(person["name"], corporate=True))  # Crossref's name: an organisation
    return Draft(
        where=where,
        title=_first(work.get("title")),
        authors=authors,
        year=str(_year(work) or ""),
        journal=html.unescape(_first(work.get("container-title"))),
        volume=str(work.get("volume", "")),
        issue=str(work.get("issue", "")),
        pages=str(work.get("page", "")),
        doi=str(work.get("DOI", "")),
    )


def _first(value: Any) -> str:
    if isinstance(value, list):
        return str(value[0]) if value else ""
    return str(value or "")


def _year(work: Mapping[str, Any]) -> int | None:
    issue: Mapping[str, Any] = work["journal-issue"] if isinstance(work.get("journal-issue"), dict) else {}
    for date in (work.get("published-print"), issue.get("published-print"), work.get("issued"),
                 work.get("published-online"), work.get("published")):
        try:
            year = date["date-parts"][0][0]  # type: ignore[index]
        except (TypeError, KeyError, IndexError):
            continue
        if isinstance(year, int):
            return year
    return None
