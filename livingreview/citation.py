"""How to cite a release: the citation shown on its pages, and CITATION.cff and .zenodo.json.

Everything here comes from the review's site settings (`content/site.yaml`: authors, keywords,
licence, and the published work it continues, if any)."""

from __future__ import annotations

import json
from typing import Any

from .content import SiteInfo
from .project import Project
from .references import bibtex_value
from .write import Folder


def citation(site: SiteInfo, version: str, date: str, doi: str) -> dict[str, str]:
    """How to cite one release, as text and as BibTeX."""
    url = f"{site.url}v/{version}/"
    year = date[:4]
    locator = f"https://doi.org/{doi}" if doi else url
    text = f"{', '.join(site.authors)} ({year}). {site.title} (Version {version}, {date}). {locator}"
    key = f"livingreview{version.replace('.', '_')}"
    fields = [("author", " and ".join("{" + bibtex_value(name) + "}" for name in site.authors)),
              ("title", bibtex_value(site.title)), ("version", version), ("year", year), ("date", date),
              ("url", url)] + ([("doi", doi)] if doi else [])
    entry = "@misc{" + key + ",\n" + ",\n".join(f"  {name} = {{{value}}}" for name, value in fields) + "\n}\n"
    return {"text": text, "bibtex": entry, "url": url}


def write_citation_files(project: Project, site: SiteInfo, version: str, date: str, doi: str, studies: int) -> None:
    """CITATION.cff and .zenodo.json describe the latest release, so an archived GitHub release gets its DOI."""
    import yaml  # PyYAML writes CITATION.cff; a run that writes none does not import it (see yaml_exact)

    url = f"{site.url}v/{version}/"
    cff: dict[str, Any] = {
        "cff-version": "1.2.0",
        "message": "If you use this living review, please cite the version you read, as below.",
        "type": "dataset",
        "title": site.title,
        "version": version,
        "date-released": date,
        "url": url,
        "authors": [{"name": name} for name in site.authors],
        "abstract": site.description,
    }
    if site.repository:
        cff["repository-code"] = site.repository
    if site.licence:
        cff["license"] = site.licence
    if site.keywords:
        cff["keywords"] = list(site.keywords)
    if site.continues:
        work = site.continues
        cff["references"] = [{"type": "article", "title": work.title, "doi": work.doi, "year": work.year,
                              "authors": [{"family-names": family, **({"given-names": given} if given else {})}
                                          for family, given in work.authors]}]
    if doi:
        cff["doi"] = doi
    zenodo: dict[str, Any] = {
        "title": f"{site.title} (version {version})",
        "upload_type": "dataset",
        "version": version,
        "publication_date": date,
        "description": f"{site.description} This version holds {studies} studies.",
        "creators": [{"name": name} for name in site.authors],
        "related_identifiers": [{"identifier": url, "relation": "isIdenticalTo", "scheme": "url"}],
    }
    if site.licence:
        zenodo["license"] = site.licence.lower()
    if site.keywords:
        zenodo["keywords"] = list(site.keywords)
    if site.continues:
        zenodo["related_identifiers"].insert(0, {"identifier": site.continues.doi, "relation": "isDerivedFrom",
                                                 "scheme": "doi"})
    root = Folder(project.root)
    root.write("CITATION.cff", ("# Kept in step with the latest release by `livingreview release`.\n"
                                + yaml.safe_dump(cff, sort_keys=False, allow_unicode=True)).encode("utf-8"))
    root.write(".zenodo.json", (json.dumps(zenodo, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
