"""A tiny review written into a temporary folder, for tests that build or release."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "review"
CONTENT_FILES = ("codebook.yaml", "site.yaml", "figures.yaml", "baseline.yaml", "search.yaml", "references.bib")

HOME_PAGE = """---
title: Home
---
This edition holds {{ n }} studies; {{ count("involvement", "leading") }} are led by their community
({{ percent("involvement", "leading") }} of {{ coded("involvement") }} coded).
"""


def study(study_id: str, year: int = 2020, **codes: Any) -> dict[str, Any]:
    """A valid study whose codes default to 'not yet coded'."""
    codebook = yaml.safe_load((FIXTURE / "content" / "codebook.yaml").read_text(encoding="utf-8"))
    all_codes = {f["key"]: "not yet coded" for f in codebook["fields"] if f.get("required")}
    all_codes.update(codes)
    return {
        "id": study_id,
        "title": f"A study of a garden, number {study_id}",
        "authors": [{"family": study_id.split("-")[0].capitalize(), "given": "A."}],
        "year": year,
        "journal": "Journal of Tests",
        "doi": f"10.5555/{study_id}",
        "codes": all_codes,
    }


def write_study(root: Path, data: dict[str, Any]) -> Path:
    path = root / "studies" / f"{data['id']}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def make_review(root: Path, studies: list[dict[str, Any]], home: str = HOME_PAGE) -> Path:
    """A review with the fixture's codebook and content data, small pages and the given studies."""
    (root / "content" / "pages").mkdir(parents=True)
    (root / "studies").mkdir()
    for name in CONTENT_FILES:
        shutil.copy(FIXTURE / "content" / name, root / "content" / name)
    (root / "content" / "pages" / "home.md").write_text(home, encoding="utf-8")
    (root / "content" / "pages" / "about.md").write_text("---\ntitle: About\nnav: 9\n---\nAbout this review.\n",
                                                          encoding="utf-8")
    for data in studies:
        write_study(root, data)
    return root
