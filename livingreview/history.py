"""The evidence as it was at a release or a git revision, for `livingreview diff`."""

from __future__ import annotations

import json
import re
import subprocess

from .codebook import Codebook, codebook_from
from .diagnostics import BuildError, Diagnostic
from .load import parse_yaml_text
from .project import Project
from .release import load_release, release_files
from .schema import fast_validator, study_schema
from .screening import Screening, load_screening
from .sources import DATA_FOLDERS, Frozen
from .sources import Folder as ContentFolder
from .study import Study, study_from_data


def edition_at(project: Project, base: str | None) -> tuple[str, tuple[Study, ...], Codebook, Screening | None]:
    """The studies, codebook and searches and screening of the latest release (default), a named release, or a
    git revision."""
    releases, _ = release_files(project)
    site_file = ContentFolder(project.content, project.display(project.content)).yaml("site.yaml")
    if base is None:
        if not releases:
            raise BuildError([Diagnostic(project.display(project.releases), 1, 1,
                                         "no release to compare with; name a git revision, e.g. diff main")])
        base = releases[-1].stem
    named = [path for path in releases if path.stem == base]
    if named:
        release = load_release(project, named[0], site_file)
        return f"release {base}", release.studies, release.codebook, release.screening
    return f"revision {base}", *_at_revision(project, base)


def _at_revision(project: Project, revision: str) -> tuple[tuple[Study, ...], Codebook, Screening | None]:
    if revision.startswith("-") or not re.fullmatch(r"[\w./@^~{}:+-]+", revision):
        raise BuildError([Diagnostic(".", 1, 1, f"'{revision}' is not a release or a git revision "
                                                f"(such as main, origin/main or a commit)")])

    def git(*args: str) -> str:
        done = subprocess.run(["git", "-C", str(project.root), *args], capture_output=True, text=True, check=False)
        if done.returncode:
            raise BuildError([Diagnostic(".", 1, 1, f"git {args[0]}: {done.stderr.strip()}")])
        return done.stdout

    commit = git("rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}").strip()
    codebook, problems = codebook_from(parse_yaml_text(git("show", f"{commit}:content/codebook.yaml"),
                                                       f"{revision}:content/codebook.yaml"))
    if codebook is None:
        raise BuildError(problems)
    valid = fast_validator(json.dumps(study_schema(codebook, True), sort_keys=True))
    studies = []
    for name in git("ls-tree", "-r", "--name-only", commit, "--", "studies/").splitlines():
        if name.endswith((".yaml", ".yml")):
            loaded = parse_yaml_text(git("show", f"{commit}:{name}"), name)
            if loaded.ok and valid(loaded.data):  # a file invalid at that revision has no place in the comparison
                studies.append(study_from_data(loaded.data, name))
    listing = git("ls-tree", "-r", "--name-only", commit, "--", *(f"{folder}/" for folder in DATA_FOLDERS))
    files = {name: git("show", f"{commit}:{name}") for name in listing.splitlines()
             if name.count("/") == 1 and name.endswith(".yaml")}
    listed = git("ls-tree", "--name-only", commit, "--", "content/screening.yaml").strip()
    if listed:
        files["screening.yaml"] = git("show", f"{commit}:content/screening.yaml")
    frozen = Frozen(files, f"{revision}:")
    screening, _ = load_screening(frozen, frozen, {s.id for s in studies})  # as for studies: invalid, not compared
    return tuple(studies), codebook, screening
