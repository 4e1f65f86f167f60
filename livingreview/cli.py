"""Command line: `livingreview [init|build|check|schema|release|diff|import|new|include|search|decisions|serve]`."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from . import __version__
from .diagnostics import BuildError, Diagnostic, printable
from .project import Project

DESCRIPTION = """\
Build, check and release a living review.

commands:
  init      start a new review in a folder: settings, a codebook, figures, pages and two example studies
  build     check the review, then write the site into site/ (the default)
  check     check every study, the codebook, the content and the releases; exit 1 on any problem
  schema    write the JSON Schema of a study file (for editors) to content/study.schema.json
  release   freeze the checked review as releases/VERSION.json (a citable version)
  diff      print what the working tree changes in the evidence, as Markdown
  import    write a new study file for each record of exports (RIS, BibTeX, CSV, PubMed, Web of Science)
  new       write a new study file from a DOI (looked up on Crossref) or a BibTeX entry
  include   write the study file of a screening record included at full text
  search    run searches against OpenAlex, PubMed or Crossref; record the hits as records to screen
  decisions record the screening decisions of a Rayyan, Covidence or ASReview export
  serve     build, serve the site on http://127.0.0.1:8000/ and rebuild when a file changes
"""


def run() -> NoReturn:
    """The command line (the `livingreview` command and build.py): `main`, then an exit at once. Python's
    own exit would first free, one by one, every object the command made (a fresh build after a title edit
    of 10,000 studies: 0.13 s of its 2.5-3 s, against 0.06 s; the output is flushed, every file written is
    closed and every process the command started is stopped before `main` returns)."""
    code = main(alone=True)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a closed pipe (`livingreview check | head`): as Python's exit says of it
        code = code or 120
    os._exit(code)


def main(argv: Sequence[str] | None = None, alone: bool = False) -> int:
    """Run one command; return the process exit code. `alone`: the process runs this command only, and ends
    with it (see ONCE)."""
    args = _arguments(sys.argv[1:] if argv is None else argv)
    project = Project(Path(args.root).resolve())
    command = args.command or "build"
    if alone and command in ONCE:
        gc.disable()
    try:
        return _COMMANDS[command](project, args)
    except BuildError as error:
        report(error.diagnostics)
        outcome = "" if command in ("check", "diff") else "; nothing was written"
        print(f"{command}: {_problems(error.diagnostics)}{outcome}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{command}: interrupted; nothing was written", file=sys.stderr)
        return 130
    except Exception as error:  # a bug: say so in one line rather than a traceback, unless asked for it
        if os.environ.get("LIVINGREVIEW_DEBUG"):
            raise
        print(printable(f"{command}: internal error ({type(error).__name__}: {error}); this is a bug in "
                        f"livingreview, not in your review: please report it, with LIVINGREVIEW_DEBUG=1 "
                        f"set to see where it happened"), file=sys.stderr)
        return 2


# Commands that, in a process of their own, run without Python's cycle collector. What they make is freed by
# reference counting or lives until they end, and the process then exits at once (`run`): the collector would
# walk every object again and again for the little it could free. The cycles a build leaves are the review it
# built, unreachable only once it is done; a build of 10,000 studies peaks at the same memory without the
# collector (189 MiB) and took 4.61 s against 4.77 s (alternated, medians of 8); a check of this repository's
# review, 0.283 s against 0.295 s. serve, which builds again and again in one process, collects after each build.
ONCE = frozenset({"build", "check"})


def _port(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port: give a number from 1 to 65535, such as 8000")
    return int(text)


def _arguments(argv: Sequence[str]) -> argparse.Namespace:
    """The command line parsed. Declaring every command's arguments took 8 ms of each run (the check of a review
    whose .cache/ knows its files takes 70): only the commands the line names are declared, unless it asks for
    help or the version, which list them all, or names none. A line that parser refuses is parsed again by the
    whole one, which says what is wrong as it always did."""
    named = frozenset(_COMMANDS).intersection(argv)
    if named and not any(_asks_for_help(word) for word in argv):
        try:
            return _parser(named, _Refusing).parse_args(argv)
        except _Unparsed:
            pass
    return _parser().parse_args(argv)


def _asks_for_help(word: str) -> bool:
    """-h, --help or --version, or what argparse takes for them (--he, --vers)."""
    return word.startswith("-h") or len(word) > 2 and ("--help".startswith(word) or "--version".startswith(word))


class _Unparsed(Exception):
    """A command line the parser of its commands alone refused."""


class _Refusing(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _Unparsed(message)


def _parser(only: frozenset[str] | None = None,
            kind: type[argparse.ArgumentParser] = argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The parser of the command line; with `only`, of the commands in it alone."""
    parser = kind(description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--root", default=".", help="the review's folder (default: the current folder)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    parser.add_argument("--verbose", action="store_true", help="build: print how long each stage took")
    parser.add_argument("--force", action="store_true", help="build: rebuild even if no input changed")

    def command(name: str, text: str) -> argparse.ArgumentParser | None:
        return commands.add_parser(name, help=text) if only is None or name in only else None

    if init := command("init", "start a new review in a folder"):
        init.add_argument("folder", help="the new review's folder (created; must be empty if it exists)")
    if build := command("build", "check, then write the site"):
        # Also after the command; SUPPRESS: a flag given before it (build.py --force build) is not reset to False.
        build.add_argument("--verbose", action="store_true", default=argparse.SUPPRESS,
                           help="print how long each stage took")
        build.add_argument("--force", action="store_true", default=argparse.SUPPRESS,
                           help="rebuild even if no input changed")
    command("check", "check studies, codebook, content and releases")
    command("schema", "write content/study.schema.json for editors")
    if release := command("release", "freeze a citable version under releases/"):
        release.add_argument("version", help="the new version, e.g. 1.0.0; must sort after the latest release")
        release.add_argument("--date", help="release date YYYY-MM-DD (default: today)")
        release.add_argument("--notes", type=Path, help="a text file of release notes")
        release.add_argument("--doi", default="", help="the version's DOI, once archived (e.g. on Zenodo)")
    if diff := command("diff", "changes in the evidence against a release or git revision"):
        diff.add_argument("base", nargs="?", help="a release version or git revision (default: the latest release)")
    if importer := command("import", "new study files from reference-manager and database exports"):
        importer.add_argument("files", nargs="+", metavar="FILE",
                              help="an export: RIS, BibTeX, CSV (Rayyan, Covidence, Zotero), PubMed MEDLINE or "
                                   "Web of Science tagged text, told by its content")
    if new := command("new", "a new study file from a DOI or a BibTeX entry"):
        source = new.add_mutually_exclusive_group(required=True)
        source.add_argument("--doi", help="look the study up on Crossref by its DOI")
        source.add_argument("--bibtex", metavar="FILE_OR_-", help="a .bib file with one entry, or - to paste it")
    if include := command("include", "the study file of a screening record included at full text"):
        include.add_argument("record", help="the record's id in screening/*.yaml")
    if search := command("search", "run searches against a bibliographic database; record the hits"):
        search.add_argument("files", nargs="+", metavar="SEARCH_FILE",
                            help="a YAML file with `query:` and `source:` (a recorded search, to run it again)")
        search.add_argument("--source", choices=("openalex", "pubmed", "crossref"),
                            help="the database to ask (default: the file's `source:`)")
        search.add_argument("--since", metavar="YYYY-MM-DD", help="only records published on or after this day")
        search.add_argument("--max", type=_count, default=1000, metavar="N",
                            help="the most records a search may fetch (default: 1000); more, and nothing is "
                                 "fetched")
        search.add_argument("--date", metavar="YYYY-MM-DD", help="the date to record (default: today)")
    if decisions := command("decisions", "record the screening decisions of a screening tool's export"):
        decisions.add_argument("files", nargs="+", metavar="FILE", help="a Rayyan, Covidence or ASReview CSV export")
        decisions.add_argument("--tool", choices=("rayyan", "covidence", "asreview"),
                               help="the tool that wrote the export (default: told from its columns)")
        decisions.add_argument("--stage", help="the stage the decisions were made at (default: the first of "
                                               "content/screening.yaml; Covidence's file names say it)")
        decisions.add_argument("--screener", help="the screener, for tools that do not name one (Covidence, "
                                                  "ASReview)")
        decisions.add_argument("--date", metavar="YYYY-MM-DD", help="the date of the decisions (default: today)")
        decisions.add_argument("--reason", action="append", default=[], metavar="TEXT=KEY",
                               help="map the tool's exclusion reason TEXT to a reason KEY of "
                                    "content/screening.yaml (repeat for each)")
        decisions.add_argument("--no-reason", metavar="KEY",
                               help="the reason KEY to record for an exclusion the export gives no reason for")
        decisions.add_argument("--search", metavar="ID",
                               help="list records the export holds but screening/ does not as records of this "
                                    "search")
    if serve := command("serve", "build, serve on localhost and rebuild on change"):
        serve.add_argument("--port", type=_port, default=8000, help="the port on 127.0.0.1 (default: 8000)")
    return parser


def _count(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of records: give a whole number, such as 500")
    return int(text)


def report(diagnostics: Sequence[Diagnostic]) -> None:
    """Print problems as path:line:column: message (and as annotations on GitHub Actions)."""
    ordered = sorted(set(diagnostics))
    for diagnostic in ordered:
        print(diagnostic, file=sys.stderr)
    if os.environ.get("GITHUB_ACTIONS") == "true":
        for diagnostic in ordered:
            print(diagnostic.github_annotation())


def _problems(diagnostics: Sequence[Diagnostic]) -> str:
    count, files = len(set(diagnostics)), len({d.path for d in diagnostics})
    return f"{count} problem{'s' * (count != 1)} in {files} file{'s' * (files != 1)}"


def _init(project: Project, args: argparse.Namespace) -> int:
    from .starter import init_review

    target = init_review(Path(args.folder))
    print(f"init: a new review in {target}/. Next: cd {args.folder} && livingreview check && livingreview serve "
          f"(its README.md says what to edit first)")
    return 0


def _check(project: Project, args: argparse.Namespace) -> int:
    from .cache import Cache, CheckVerdict, Inputs

    cache = Cache(project.cache)
    verdict = CheckVerdict(cache, Inputs(project.inputs, cache, when_asked=True))
    counts = verdict.counts()  # found no problem in these very files before: the import of the rest is spared
    if counts is None:
        from .pipeline import check

        plan = check(project, cache, verdict.inputs)
        counts = verdict.keep(len(plan.review.studies), len(plan.review.codebook.fields))
    count, fields = counts
    print(f"check: {count} stud{'y' if count == 1 else 'ies'} valid against {project.display(project.codebook)} "
          f"({fields} fields); content, figures and releases checked; no problems")
    return 0


def _build(project: Project, args: argparse.Namespace) -> int:
    from .cache import UP_TO_DATE, Previous
    from .press import start_press

    press = start_press(project.studies)  # before anything is read: see press.py
    try:
        # Before the pipeline and its libraries are imported: a build with nothing to do is done at once.
        previous = Previous(project.cache, project.inputs, project.site)
        if not args.force and previous.is_current():
            print(UP_TO_DATE.format(site=project.display(project.site)))
            return 0
        from .drawer import start_drawer

        # its import of matplotlib overlaps with the pipeline's imports
        drawer = start_drawer(previous.cache, previous.inputs, project.studies)
        try:
            from .pipeline import build

            print(build(project, verbose=args.verbose, force=args.force, previous=previous, drawer=drawer,
                        press=press))
        finally:
            drawer.cancel()
    finally:
        if press is not None:
            press.cancel()
    return 0


def _schema(project: Project, args: argparse.Namespace) -> int:
    from .pipeline import load_review
    from .schema import schema_json
    from .write import Folder

    review = load_review(project)
    text = schema_json(review.codebook, review.content.baseline is not None)
    target = Folder(project.content).write("study.schema.json", text.encode("utf-8"))
    print(f"schema: wrote {project.display(target)}")
    return 0


def _release(project: Project, args: argparse.Namespace) -> int:
    from .pipeline import check
    from .release import make_release

    notes = ""
    if args.notes:
        try:
            notes = args.notes.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as error:
            raise BuildError([Diagnostic(str(args.notes), 1, 1, f"cannot read release notes: {error}")]) from None
    target = make_release(project, check(project).review, args.version, args.date, notes, args.doi)
    print(f"release: froze version {args.version} in {project.display(target)}; "
          f"updated CITATION.cff and .zenodo.json. Commit them in a release pull request.")
    return 0


def _diff(project: Project, args: argparse.Namespace) -> int:
    from .aggregate import aggregate
    from .changelog import compare, markdown
    from .history import edition_at
    from .pipeline import load_review

    review = load_review(project)
    label, studies, codebook, screening = edition_at(project, args.base)
    changes = compare(studies, aggregate(studies, codebook), codebook,
                      review.studies, aggregate(review.studies, review.codebook), review.codebook,
                      screening, review.screening)
    print(markdown(changes, label, "working tree"))
    return 0


def _import(project: Project, args: argparse.Namespace) -> int:
    from .importer import import_command

    return import_command(project, args.files)


def _new(project: Project, args: argparse.Namespace) -> int:
    from .importer import new_command

    return new_command(project, doi=args.doi, bibtex=args.bibtex)


def _include(project: Project, args: argparse.Namespace) -> int:
    from .importer import include_command

    return include_command(project, args.record)


def _search(project: Project, args: argparse.Namespace) -> int:
    from .searching import search_command

    return search_command(project, args.files, source=args.source, since=args.since, cap=args.max, date=args.date)


def _decisions(project: Project, args: argparse.Namespace) -> int:
    from .decisions import decisions_command

    return decisions_command(project, args.files, tool=args.tool, stage=args.stage, screener=args.screener,
                             date=args.date, reasons=args.reason, no_reason=args.no_reason, search=args.search)


def _serve(project: Project, args: argparse.Namespace) -> int:
    from .serve import serve_command

    return serve_command(project, args.port)


_COMMANDS: dict[str, Callable[[Project, argparse.Namespace], int]] = {
    "init": _init, "check": _check, "build": _build, "schema": _schema, "release": _release, "diff": _diff,
    "import": _import, "new": _new, "include": _include, "search": _search, "decisions": _decisions,
    "serve": _serve}
