"""Data files from strangers (a pull request's studies, releases, pages, cache entries) can write nothing
outside site/ and .cache/, run no code, and inject no script or forged record. Each test here fails when
its guard is removed; SECURITY.md states what is guaranteed."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
import rispy
from conftest import check_quietly, parse_diagnostic, run_build_py, valid_study, write_study, write_yaml
from pybtex.database import parse_string

from livingreview.cli import main

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "review"


def run(root: Path, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    import contextlib

    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--root", str(root), *args])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def review(tmp_path: Path) -> Path:
    root = tmp_path / "review"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("README.md"))
    return root


def released(review: Path) -> Path:
    code, out, err = run(review, "release", "1.0.0", "--date", "2024-02-01")
    assert code == 0, err
    return review / "releases" / "1.0.0.json"


def edit_release(path: Path, change) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data), encoding="utf-8")


# --- releases ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["../../../../build.py", "../outside.yaml", "/tmp/abs.yaml", "pages/../../x.md",
                                  "site.yaml", "codebook.yaml\n"])
def test_a_release_file_naming_any_other_file_is_refused_and_nothing_is_written(review, name):
    release = released(review)
    planted = review / "build.py"
    planted.write_text("# the checkout's own file\n", encoding="utf-8")

    def plant(data):
        data["content"][name] = "import os  # planted\n"

    edit_release(release, plant)
    before = {p: p.read_bytes() for p in review.parent.rglob("*") if p.is_file()}
    for command in ("check", "build", "diff"):
        code, _, err = run(review, command, *(["1.0.0"] if command == "diff" else []))
        assert code == 1, (command, err)
        assert "releases/1.0.0.json" in err and "Traceback" not in err
    after = {p: p.read_bytes() for p in review.parent.rglob("*") if p.is_file() and ".cache" not in p.parts}
    assert {p: b for p, b in before.items() if ".cache" not in p.parts} == after


@pytest.mark.parametrize("change, pointer", [
    (lambda d: d["studies"][0].update(id="../../../../tmp/x"), "/studies/0"),
    (lambda d: d["studies"][0].update(doi='10.1/x"><script>alert(1)</script>'), "/studies/0"),
    (lambda d: d.update(version="../1"), "/version"),
    (lambda d: d.update(version="2.0.0"), "/version"),
    (lambda d: d.pop("studies"), "/"),
    (lambda d: d.update(studies={"a": 1}), "/studies"),
    (lambda d: d.update(content=[]), "/content"),
    (lambda d: d.update(date="yesterday"), "/date"),
    (lambda d: d["content"].update({"figures.yaml": "figures: [{key: x, kind: nothing}]"}), "figures.yaml"),
    (lambda d: d["content"].update({"codebook.yaml": "not_coded: [unclosed"}), "codebook.yaml"),
    (lambda d: d.update(notes="a bell \u0007"), "/notes"),
    (lambda d: d["studies"].append(dict(d["studies"][0])), "/studies/5"),
])
def test_a_malformed_release_is_refused_at_the_release_file_without_a_traceback(review, change, pointer):
    release = released(review)
    edit_release(release, change)
    code, _, err = run(review, "check")
    assert code == 1
    assert "Traceback" not in err
    problems = [line for line in err.splitlines() if line.startswith("releases/1.0.0.json")]
    assert problems and any(pointer in line for line in problems), err


@pytest.mark.parametrize("change, pointer", [
    (lambda d: d["studies"][0].update(id="../../../../tmp/x"), "/studies/0"),
    (lambda d: d["studies"][0].update(doi='10.1/x"><script>alert(1)</script>'), "/studies/0"),
    (lambda d: d.update(notes={"a": 1}), "/notes"),
])
def test_a_release_changed_after_a_build_found_it_valid_is_checked_again(review, change, pointer):
    release = released(review)
    assert run(review, "build")[0] == 0  # found valid: its bytes are not checked against the schemas again
    edit_release(release, change)
    code, _, err = run(review, "build")
    assert code == 1
    assert any(line.startswith("releases/1.0.0.json") and pointer in line for line in err.splitlines()), err


def test_a_release_that_is_not_json_is_refused(review):
    (review / "releases").mkdir()
    (review / "releases" / "1.0.0.json").write_text("{not json", encoding="utf-8")
    code, _, err = run(review, "check")
    assert code == 1 and err.startswith("releases/1.0.0.json:1:1: not valid JSON")


# --- links and values that could break out of HTML, or into other formats --------------------------

@pytest.mark.parametrize("field, value", [
    ("doi", '10.1111/x"onmouseover="alert(1)"><script>alert(1)</script>'),
    ("doi", "10.1111/hsc.12197\n"),
    ("doi", "10.1111/a b"),
    ("url", "javascript:alert(1)"),
    ("url", 'https://example.org/"><script>alert(1)</script>'),
    ("url", "https://example.org/\n"),
])
def test_a_study_link_that_could_break_out_of_its_attribute_is_refused(scratch_review, field, value):
    overrides = {field: value} if field == "doi" else {"url": value}
    write_study(scratch_review, "mallory-2020", **overrides)
    result = check_quietly(scratch_review)
    assert result.code == 1
    assert any(parse_diagnostic(line).path == "studies/mallory-2020.yaml" for line in result.lines)


def test_a_reference_with_a_script_link_is_refused(review):
    bib = review / "content" / "references.bib"
    bib.write_text(bib.read_text(encoding="utf-8") + "@misc{evil, title = {x}, url = {javascript:alert(1)}}\n",
                   encoding="utf-8")
    code, _, err = run(review, "check")
    assert code == 1 and "content/references.bib" in err and "evil" in err


def test_a_reference_problem_names_the_line_its_entry_begins_on(review):
    bib = review / "content" / "references.bib"
    before = bib.read_text(encoding="utf-8").rstrip("\n") + "\n"
    first = before.count("\n") + 2  # after a blank line
    bib.write_text(before + "\n@misc{bad-link,\n  title = {x},\n  url = {ftp://example.org/x}\n}\n"
                   "@article{ bad-doi ,\n  title = {y},\n  doi = {doi:10.5555/y}\n}\n", encoding="utf-8")
    code, _, err = run(review, "check")
    found = {d.message.split(":")[0]: d.line
             for d in (parse_diagnostic(line) for line in err.splitlines() if line.startswith("content/"))}
    assert code == 1 and found == {"bad-link": first, "bad-doi": first + 4}


FORGING_TITLE = 'A title}} @misc{injected, title = {forged}} {"\nER  - \nTY  - JOUR\nTI  - forged record\n'


def test_titles_cannot_forge_records_in_the_downloads(review):
    study = review / "studies" / "adams-2018.yaml"
    text = study.read_text(encoding="utf-8")
    study.write_text(text.replace("title: A school garden and the pupils who tended it",
                                  "title: " + json.dumps(FORGING_TITLE) + "\njournal: '=HYPERLINK(\"x\")'")
                     .replace("journal: Journal of Test Fixtures\n", "", 1), encoding="utf-8")
    code, _, err = run(review, "build")
    assert code == 0, err
    data = review / "site" / "data"
    bibliography = parse_string((data / "references.bib").read_text(encoding="utf-8"), "bibtex")
    assert sorted(bibliography.entries) == ["adams-2018", "baker-2020", "chen-2021", "diaz-2022", "evans-2019"]
    assert "injected" not in bibliography.entries
    records = rispy.loads((data / "references.ris").read_text(encoding="utf-8"))
    assert len(records) == 5 and not any(r.get("title") == "forged record" for r in records)
    rows = (data / "studies.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK" in rows and ',=HYPERLINK' not in rows


def test_a_study_page_escapes_every_value(review):
    study = review / "studies" / "adams-2018.yaml"
    study.write_text(study.read_text(encoding="utf-8").replace(
        "title: A school garden and the pupils who tended it", 'title: "<script>alert(1)</script> & <b>"'),
        encoding="utf-8")
    assert run(review, "build")[0] == 0
    page = (review / "site" / "studies" / "adams-2018.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;" in page


def test_the_study_table_and_its_data_escape_every_value(review):
    """The table's rows, its compact data and its download records are scripts or HTML: a title can close
    neither a <script> element nor the JavaScript string it is in."""
    study = review / "studies" / "adams-2018.yaml"
    title = "</script><script>alert(1)</script> & <b>\u2028\"'"
    study.write_text(study.read_text(encoding="utf-8").replace(
        "title: A school garden and the pupils who tended it", "title: " + json.dumps(title)), encoding="utf-8")
    assert run(review, "build")[0] == 0
    folder = review / "site" / "studies"
    table = (folder / "index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in table
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;" in table
    for name, variable in (("table-data.js", "livingreviewTable"), ("table-exports.js", "livingreviewExports")):
        script = (folder / name).read_text(encoding="utf-8")
        assert not any(c in script for c in "<>&\u2028\u2029"), f"{name} holds a character a <script> must not"
        prefix = f"window.{variable} = "
        assert script.startswith(prefix) and script.endswith(";\n") and script.count("\n") == 1
        data = json.loads(script[len(prefix):-2])
        if name == "table-data.js":
            assert [row[3] for row in data["rows"] if row[0] == "adams-2018"] == [title]
        else:
            assert any("alert(1)" in record for record in data["bib"])


def test_the_feed_stays_valid_xml_whatever_the_titles_and_notes(review):
    study = review / "studies" / "chen-2021.yaml"
    study.write_text(study.read_text(encoding="utf-8").replace(
        "title: Neighbourhood and school gardens built together", "title: \"A <b>&</b> ]]> 'quoted' title\""),
        encoding="utf-8")
    notes = review / "notes.txt"
    notes.write_text("Notes with <tags> & ampersands ]]>", encoding="utf-8")
    assert run(review, "release", "1.0.0", "--date", "2024-02-01", "--notes", str(notes))[0] == 0
    assert run(review, "build")[0] == 0
    ElementTree.parse(review / "site" / "feed.xml")  # raises on invalid XML


def test_release_notes_with_a_control_character_are_refused(review):
    notes = review / "notes.txt"
    notes.write_text("a form feed \f here", encoding="utf-8")
    code, _, err = run(review, "release", "1.0.0", "--notes", str(notes))
    assert code == 1 and not (review / "releases").exists()


def test_diff_output_is_inert_markdown(review):
    released(review)
    study = review / "studies" / "adams-2018.yaml"
    title = 'title: "**bold** [link](https://x.org) @octocat <img>"'
    study.write_text(study.read_text(encoding="utf-8").replace(
        "title: A school garden and the pupils who tended it", title), encoding="utf-8")
    code, out, _ = run(review, "diff")
    assert code == 0
    assert "@octocat" not in out and "**bold**" not in out and "<img>" not in out and "](https" not in out


@pytest.mark.parametrize("base", ["--output=OUT", "-p", "HEAD;touch OUT"])
def test_diff_never_passes_a_base_to_git_as_an_option(review, base):
    subprocess.run(["git", "init", "-q", str(review)], check=True)
    base = base.replace("OUT", str(review / "written-by-git"))
    code, _, err = run(review, "diff", "--", base)  # after --, argparse takes even --output=... as the base
    assert code == 1 and "Traceback" not in err and "is not a release or a git revision" in err
    assert not (review / "written-by-git").exists()


# --- what check must refuse before build can trip on it ---------------------------------------------

def test_a_study_with_the_reserved_id_index_is_refused(scratch_review):
    write_study(scratch_review, "index", year=2020)
    result = check_quietly(scratch_review)
    assert result.code == 1 and any("reserved" in line for line in result.lines)


def test_two_files_with_one_id_are_refused(scratch_review):
    (scratch_review / "studies" / "adams-2018.yml").write_bytes(
        (scratch_review / "studies" / "adams-2018.yaml").read_bytes())
    result = check_quietly(scratch_review)
    assert result.code == 1 and any("adams-2018.yml" in line for line in result.lines)


def test_a_title_with_an_unclosed_brace_builds(scratch_review):
    write_study(scratch_review, "brace-2020", title="An unclosed { brace and a } closing one }", journal="J {")
    code, _, err = run(scratch_review, "build")
    assert code == 0, err
    bib = (scratch_review / "site" / "data" / "references.bib").read_text(encoding="utf-8")
    assert "brace-2020" in parse_string(bib, "bibtex").entries


@pytest.mark.parametrize("name, text", [
    ("studies", "---\ntitle: Studies\n---\nA page named like the study table.\n"),
    ("marks", "---\ntitle: Marks\n---\nText with an internal mark \x02 0 \x03 in it.\n"),
    ("menu", "---\ntitle: Menu\nnav: first\n---\nA page whose menu place is text.\n"),
])
def test_a_page_that_would_break_the_build_is_refused_by_check(scratch_review, name, text):
    (scratch_review / "content" / "pages" / f"{name}.md").write_text(text, encoding="utf-8")
    result = check_quietly(scratch_review)
    assert result.code == 1
    assert all(parse_diagnostic(line).path == f"content/pages/{name}.md" for line in result.lines)


@pytest.mark.parametrize("field, raw, number", [("volume", "010", 8), ("issue", "1:30", 90), ("pages", "0123", 83)])
def test_numbers_yaml_reads_differently_from_how_they_are_written_are_refused(scratch_review, field, raw, number):
    path = write_study(scratch_review, "octal-2020")
    path.write_text(path.read_text(encoding="utf-8").replace("journal:", f"{field}: {raw}\njournal:"),
                    encoding="utf-8")
    result = check_quietly(scratch_review)
    assert result.code == 1
    assert any(f"{field} {raw}" in line and str(number) in line for line in result.lines)


def test_non_latin_titles_of_one_year_are_not_near_duplicates(scratch_review):
    write_study(scratch_review, "ivanov-2020", title="Общественные сады и благополучие", doi="10.5555/ru-1")
    write_study(scratch_review, "petrov-2020", title="Школьные сады в городе", doi="10.5555/ru-2")
    assert check_quietly(scratch_review).code == 0


# --- files that are not study files ------------------------------------------------------------------

def test_a_pipe_in_studies_is_reported_and_never_read(scratch_review):
    os.mkfifo(scratch_review / "studies" / "waiting.yaml")
    done = run_build_py(scratch_review, "check", timeout=60)  # a read would wait for ever
    assert done.returncode == 1 and "studies/waiting.yaml:1:1:" in done.stderr


def test_a_link_in_studies_is_reported_and_never_followed(scratch_review):
    (scratch_review / "studies" / "zero.yaml").symlink_to("/dev/zero")
    result = check_quietly(scratch_review)
    assert result.code == 1 and any(line.startswith("studies/zero.yaml:1:1: this is a symbolic link")
                                    for line in result.lines)


@pytest.mark.parametrize("name", ["nelson-2016", "nelson-2016.txt", "sub"])
def test_anything_in_studies_that_is_not_a_study_file_is_reported(scratch_review, name):
    path = scratch_review / "studies" / name
    if name == "sub":
        path.mkdir()
    else:
        write_yaml(path, valid_study("nelson-2016"))
    result = check_quietly(scratch_review)
    assert result.code == 1 and any(line.startswith(f"studies/{name}:1:1:") for line in result.lines)


def test_an_editor_lock_file_is_passed_over(scratch_review):
    (scratch_review / "studies" / ".#adams-2018.yaml").symlink_to("user@host.1234:1700000000")
    assert check_quietly(scratch_review).code == 0


def test_check_without_a_studies_folder_says_so(scratch_review):
    shutil.rmtree(scratch_review / "studies")
    result = check_quietly(scratch_review)
    assert result.code == 1 and result.lines[0].startswith("studies:1:1: there is no studies/ folder")


def test_terminal_escapes_in_values_never_reach_the_terminal(scratch_review):
    path = write_study(scratch_review, "escape-2020")
    path.write_text(path.read_text(encoding="utf-8").replace("design: qualitative", 'design: "\\e[31mred\\e[0m"'),
                    encoding="utf-8")
    result = check_quietly(scratch_review)
    assert result.code == 1 and "\x1b" not in result.err and "U+001B" in result.err


def test_a_line_separator_quoted_in_a_message_does_not_break_its_line(scratch_review):
    """U+2028 ends a line for Python's splitlines and for many log viewers: one problem stays one line."""
    (scratch_review / "studies" / "separator.yaml").write_text("0:\n0:0\u20280", encoding="utf-8")
    result = check_quietly(scratch_review)
    assert result.code == 1 and "\u2028" not in result.err and "U+2028" in result.err
    assert all(re.match(r"studies/separator\.yaml:\d+:\d+: ", line) for line in result.err.splitlines()
               if "separator" in line or not line.startswith("check:"))


def test_the_places_of_a_files_problems_are_found_by_reading_it_once(scratch_review, monkeypatch):
    from livingreview import yaml_exact

    calls = []
    original = yaml_exact.compose
    monkeypatch.setattr(yaml_exact, "compose", lambda text: calls.append(1) or original(text))
    items = "".join(f"  - {{family: '', given: A{i}}}\n" for i in range(300))  # 300 empty family names
    path = write_study(scratch_review, "many-2020")
    text = path.read_text(encoding="utf-8")
    start = text.index("authors:")
    end = text.index("year:")
    path.write_text(text[:start] + "authors:\n" + items + text[end:], encoding="utf-8")
    result = check_quietly(scratch_review)
    assert result.code == 1 and len(result.lines) == 300
    assert len(calls) == 1


def test_a_cache_folder_that_cannot_be_written_only_makes_builds_slower(scratch_review):
    (scratch_review / ".cache").write_text("not a folder", encoding="utf-8")
    code, _, err = run(scratch_review, "build")
    assert code == 0, err
    assert (scratch_review / ".cache").read_text(encoding="utf-8") == "not a folder"
    assert (scratch_review / "site" / "index.html").is_file()


def test_a_planted_cache_folder_link_is_never_written_through(scratch_review, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (scratch_review / ".cache").symlink_to(outside)
    assert run(scratch_review, "build")[0] == 0
    assert list(outside.iterdir()) == []


def test_git_is_never_asked_for_an_option_by_diff(review, monkeypatch):
    calls = []
    real = subprocess.run

    def record(command, *args, **kwargs):
        calls.append(command)
        return real(command, *args, **kwargs)

    monkeypatch.setattr(subprocess, "run", record)
    subprocess.run(["git", "init", "-q", str(review)], check=True)
    run(review, "diff", "main")
    for command in calls:
        if command[:1] == ["git"] and "rev-parse" in command:
            assert "--end-of-options" in command
        assert not any(re.match(r"--output", str(part)) for part in command)
