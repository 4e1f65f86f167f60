"""One record made clean: names in every convention, DOIs cut out of noisy fields and checked strictly,
titles as plain text, placeholders treated as missing; `finish` checks a draft and makes it a record."""

from __future__ import annotations

import codecs
import html
import re
import urllib.parse
from datetime import date
from typing import Any

import latexcodec  # noqa: F401  (registers the "ulatex" codec used to read LaTeX accents)
from pybtex.database import Person
from pybtex.scanner import PybtexError

from ..records import Draft, Record, Rejection
from ..schema import DOI_PATTERN, MIN_YEAR, URL_PATTERN
from ..study import Author

# What exports write where no author is known; such a name is no author.
_PLACEHOLDERS = {"unknown", "unknown author", "unknown authors", "unknown author(s)", "author unknown", "anonymous",
                 "anon", "n/a", "na", "none", "not available", "no author", "no author name available",
                 "no authorship indicated", "et al", "others", "and others"}
# Words that make a name without a comma an organisation's (Scopus, Zotero and RIS write them as one name).
_CORPORATE = re.compile(
    r"\b(organi[sz]ation|association|institut[e]?|council|society|committee|group|agency|department|ministry|"
    r"university|collaborat\w*|consortium|network|foundation|cent(?:re|er)|commission|board|services?|trust|"
    r"office|team|project|initiative|alliance|federation|college|authority|programme|program|task force|"
    r"investigators|coalition|panel|nhs|who)\b", re.IGNORECASE)
_DOI = re.compile(r"10\.[0-9]{4,9}/[^\s\"]+")
_LATEX_STYLE = re.compile(r"\\(?:emph|textit|textbf|textsc|textrm|textup|textsl|mathrm|mathit|mathbf|it|em|bf|sc|rm|"
                          r"sl|ensuremath|mbox|text)\b\s*")


def is_placeholder(name: str) -> bool:
    return re.sub(r"[\[\]().]", "", " ".join(name.split())).casefold().strip() in _PLACEHOLDERS


def person(raw: str, corporate: bool = False) -> Author | None:
    """One author from a name as an export writes it: "Family, Given", "Family G." (Embase, MEDLINE), "Given
    Family" with particles (van, de), or an organisation kept whole. None for a placeholder (a name with a given
    name is none: "Na, Hyun" is a Korean family name, not "n/a")."""
    name = " ".join(raw.replace("{", "").replace("}", "").split()).strip(" ,;")
    if not name or is_placeholder(name):
        return None
    if corporate or ("," not in name and (_CORPORATE.search(name) or "&" in name)):  # no person's name has a &
        return Author(name, "", True)
    if "," in name:
        family, _, given = name.partition(",")
        family, given = family.strip(), given.strip(" ,")
        if not family:
            return person(given) if given else None
        return Author(family, initials(given))
    words = name.split()
    if len(words) >= 2 and is_initials(words[-1]) and not is_initials(words[0]):
        return Author(" ".join(words[:-1]), initials(words[-1]))
    try:
        parsed = Person(name)
    except PybtexError:
        return Author(name)
    family = " ".join(parsed.prelast_names + parsed.last_names)
    given = " ".join(parsed.first_names + parsed.middle_names)
    return Author(family, initials(given)) if family else Author(name)


def is_initials(word: str) -> bool:
    """A run of initials as databases write them after the family name, in any script: R., D.G., DK, M.-J., Ф.М."""
    letters = word.replace(".", "").replace("-", "")
    return 1 <= len(letters) <= 4 and letters.isalpha() and letters.isupper() and ("." in word or len(letters) <= 3)


def initials(given: str) -> str:
    """Given names as the study files write them: initials with a full stop and a space (DK → D. K.,
    D.G. → D. G., Ines A → Ines A.); written-out names are kept."""
    words: list[str] = []
    for word in given.split():
        letters = word.replace(".", "")
        if not (letters.isalpha() and letters.isupper()):
            words.append(word)
        elif len(word) == 1:
            words.append(f"{word}.")
        elif len(word) <= 3 and "." not in word:  # MEDLINE and Web of Science: DK, PS
            words.extend(f"{letter}." for letter in word)
        elif re.fullmatch(r"[^\W\d_]{2,3}\.", word):  # the last of PubMed's "Wang C, Hachen DS." list
            words.extend(f"{letter}." for letter in word[:-1])
        elif re.fullmatch(r"(?:[^\W\d_]\.){2,4}", word):  # Embase: D.G.
            words.extend(f"{letter}." for letter in word[::2])
        else:
            words.append(word)
    return " ".join(words)


def extract_doi(text: str) -> str:
    """The DOI in a field, cut at its end: a doi.org link, "doi: 10...", or a DOI followed by the rest of the
    record (as Rayyan writes it); percent-escapes decoded. "" when there is none."""
    if not text:
        return ""
    match = _DOI.search(urllib.parse.unquote(text))
    # < and > (in old Wiley DOIs) are written percent-encoded, as the study format asks
    return _trim(match.group()).replace("<", "%3C").replace(">", "%3E") if match else ""


def _trim(doi: str) -> str:
    """A DOI without the punctuation that ends the sentence around it, nor an unbalanced closing bracket."""
    while doi and doi[-1] in ".,;:'" or (doi.endswith(")") and doi.count("(") < doi.count(")")) \
            or (doi.endswith("]") and doi.count("[") < doi.count("]")):
        doi = doi[:-1]
    return doi


def valid_doi(doi: str) -> bool:
    """A bare DOI and nothing else: the study format's pattern, and no web address glued to it."""
    return bool(re.match(DOI_PATTERN, doi)) and "://" not in doi and "http" not in doi.split("/", 1)[1].lower()


def plain_title(text: str) -> str:
    """A title as plain text: HTML markup (Zotero's <i>, Crossref's <scp>) and LaTeX markup (\\emph{...},
    accents, protective braces) removed, entities decoded, spaces collapsed, no full stop at the end."""
    text = html.unescape(html.unescape(str(text)))
    text = re.sub(r"</?[a-zA-Z][^<>]*>", "", text)
    if "\\" in text or "{" in text or "$" in text:
        text = latex_text(text)
    text = " ".join(text.split())
    return text[:-1] if text.endswith(".") and not text.endswith("..") else text


def latex_text(text: str) -> str:
    """LaTeX text as plain Unicode: accents such as {\\"a} decoded, style commands and braces dropped."""
    try:
        decode: Any = codecs.decode  # latexcodec's codec, which the type stubs do not know
        text = decode(text, "ulatex")
    except (ValueError, UnicodeError):
        pass
    text = _LATEX_STYLE.sub("", text)
    text = re.sub(r"\\([&%$#_])", r"\1", text)
    text = re.sub(r"(?<!\\)\$", "", text)
    return text.replace("{", "").replace("}", "").replace("~", " ")


def finish(draft: Draft) -> Record | Rejection:
    """Check one draft; a record needs a title, at least one author and a year, and a DOI (if it has one) that is
    a DOI."""
    problems = []
    title = plain_title(draft.title)
    if not title:
        problems.append("no title")
    authors = tuple(Author(" ".join(a.family.split()), " ".join(a.given.split()), a.corporate)
                    for a in draft.authors if a.family.strip() and (a.given.strip() or not is_placeholder(a.family)))
    if not authors:
        problems.append("no authors" + (" (only a placeholder such as 'Unknown author(s)')" if draft.authors else ""))
    year = _year(draft.year)
    last_year = date.today().year + 1
    if year is None:
        problems.append(f"no year of publication{f' in {draft.year!r}' if draft.year.strip() else ''}")
    elif not MIN_YEAR <= year <= last_year:
        problems.append(f"year {year} is out of range ({MIN_YEAR} to {last_year})")
    url = draft.url.strip()
    raw_doi = "" if is_missing(draft.doi) else draft.doi
    doi = extract_doi(raw_doi) if raw_doi.strip() else doi_from_url(url)
    if raw_doi.strip() and not doi:
        problems.append(f"'{shorten(draft.doi)}' holds no DOI (a DOI looks like 10.1111/hsc.12197)")
    elif doi and not valid_doi(doi):
        problems.append(f"'{shorten(doi)}' is not a DOI (a DOI looks like 10.1111/hsc.12197)")
    if problems:
        if title:
            what = f" “{shorten(title)}”"
        else:
            who = " ".join(p for p in (authors[0].family if authors else "", draft.year.strip()[:4]) if p)
            what = f" ({who})" if who else ""
        return Rejection(draft.where, f"record{what}: {'; '.join(problems)}; skipped")
    if not re.match(URL_PATTERN, url) or doi_from_url(url):
        url = ""
    journal, volume, issue = ("" if is_missing(v) else v for v in (draft.journal, draft.volume, draft.issue))
    return Record(draft.where, title, authors, year or 0, clean(plain_title(journal)), clean(volume),
                  clean(issue), page_range(draft.pages), doi, url, draft.decision, clean(draft.reason))


# What a table written by pandas or R, and exports made from one (ASReview's, Lens'), hold where a value is missing.
_MISSING = {"nan", "none", "null", "na", "n/a"}


def is_missing(text: str) -> bool:
    return clean(text).casefold() in _MISSING


def doi_from_url(url: str) -> str:
    """The DOI of a doi.org link (any other address holds none)."""
    match = re.match(r"^\s*(https?://)?(dx\.)?doi\.org/(10\..+)$", url, re.IGNORECASE)
    return extract_doi(match.group(3)) if match else ""


def clean(text: str) -> str:
    return " ".join(str(text).split())


def _year(text: str) -> int | None:
    match = re.search(r"(?<!\d)(\d{4})(?!\d)", text or "")
    return int(match.group(1)) if match else None


def page_range(text: str) -> str:
    """Page ranges with an en dash, as the study files write them: 184–193; none when no page is given
    (Ovid writes "No Pagination Specified")."""
    text = clean(text)
    if not re.search(r"\d", text):
        return ""
    text = re.sub(r"^pp?(?:\.\s*|\s+)(?=[A-Za-z]?\d)", "", text, flags=re.IGNORECASE)  # TRID: "pp 278-298"
    pages = [page for page in re.split(r"\s*(?:--?|–|—)\s*", text) if not is_missing(page)]  # "100364-nan"
    return "–".join(pages)


def shorten(text: str, width: int = 60) -> str:
    text = clean(text)
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"

