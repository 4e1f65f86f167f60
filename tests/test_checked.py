"""Studies kept in .cache/ by an earlier run: reused only while nothing they depend on changed."""

from __future__ import annotations

from pathlib import Path

import pytest

import livingreview.checked
import livingreview.validate
from livingreview.cli import main
from scratch import make_review, study, write_study

KEPT = Path(".cache") / "studies-checked.pickle"


@pytest.fixture
def review(tmp_path: Path) -> Path:
    return make_review(tmp_path / "review", [
        study("alpha-2019", 2019, role="peer-support"),
        study("beta-2020", 2020, role="pre-determined"),
        study("gamma-2021", 2021, role="peer-support"),
    ])


@pytest.fixture(autouse=True)
def kept_from_the_first_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """A review this small is not worth a cache (it is written from 20 files read afresh): here it is."""
    monkeypatch.setattr(livingreview.checked, "REWRITE_FROM", 0)


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the study files each `check` reads and checks (rather than reusing)."""
    names: list[str] = []
    checked = livingreview.validate._checked

    def counting(loaded, codebook, fast):
        names.append(loaded.path.name)
        return checked(loaded, codebook, fast)

    monkeypatch.setattr(livingreview.validate, "_checked", counting)
    return names


def check(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["--root", str(root), "check"])
    return code, capsys.readouterr().err


def test_unchanged_files_are_reused_and_an_edited_one_is_read_again(review, parsed, capsys):
    assert check(review, capsys) == (0, "")
    assert parsed == ["alpha-2019.yaml", "beta-2020.yaml", "gamma-2021.yaml"]
    assert (review / KEPT).is_file()
    parsed.clear()
    assert check(review, capsys) == (0, "")
    assert parsed == []
    write_study(review, study("beta-2020", 2020, role="peer-support"))
    assert check(review, capsys) == (0, "")
    assert parsed == ["beta-2020.yaml"]


def test_a_kept_study_whose_file_now_has_a_problem_is_reported_at_its_line(review, parsed, capsys):
    assert check(review, capsys)[0] == 0
    path = review / "studies" / "beta-2020.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("role: pre-determined", "role: peer-mentor"),
                    encoding="utf-8")
    code, err = check(review, capsys)
    line = next(n for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if "peer-mentor" in text)
    assert code == 1
    assert err.startswith(f"studies/beta-2020.yaml:{line}:")
    assert "'peer-mentor' is not an allowed value of role" in err
    code, again = check(review, capsys)  # a file with a problem is never kept: reported on every run
    assert (code, again) == (1, err)


def test_a_changed_codebook_checks_every_study_again(review, parsed, capsys):
    assert check(review, capsys)[0] == 0
    parsed.clear()
    codebook = review / "content" / "codebook.yaml"
    text = codebook.read_text(encoding="utf-8")
    assert text.count("key: pre-determined") == 1
    codebook.write_text(text.replace("key: pre-determined", "key: predetermined"), encoding="utf-8")
    code, err = check(review, capsys)
    assert sorted(parsed) == ["alpha-2019.yaml", "beta-2020.yaml", "gamma-2021.yaml"]
    assert code == 1
    assert "studies/beta-2020.yaml:" in err and "'pre-determined' is not an allowed value of role" in err


def test_a_new_rule_in_the_codebook_applies_to_kept_studies(review, capsys):
    """Rules are not part of the JSON Schema: the codebook itself decides whether a kept study is reused."""
    write_study(review, study("beta-2020", 2020, role="pre-determined", phases=["delivery"]))
    assert check(review, capsys)[0] == 0
    codebook = review / "content" / "codebook.yaml"
    codebook.write_text(codebook.read_text(encoding="utf-8").replace("rules:\n", """rules:
  - when:
      field: role
      equals: pre-determined
    then:
      field: phases
      includes_any: [commissioning]
    message: a test rule
""", 1), encoding="utf-8")
    code, err = check(review, capsys)
    assert code == 1
    assert "studies/beta-2020.yaml:" in err and "a test rule" in err


def test_a_damaged_cache_file_is_ignored_and_written_again(review, parsed, capsys):
    assert check(review, capsys)[0] == 0
    (review / KEPT).write_bytes(b"\x80\x05 not a pickle")
    parsed.clear()
    assert check(review, capsys) == (0, "")
    assert len(parsed) == 3
    parsed.clear()
    assert check(review, capsys) == (0, "")
    assert parsed == []


def test_a_deleted_or_added_study_file_is_seen(review, parsed, capsys):
    assert check(review, capsys)[0] == 0
    (review / "studies" / "alpha-2019.yaml").unlink()
    write_study(review, study("delta-2022", 2022))
    parsed.clear()
    assert main(["--root", str(review), "check"]) == 0
    assert "check: 3 studies valid" in capsys.readouterr().out
    assert parsed == ["delta-2022.yaml"]


def test_a_duplicate_doi_is_found_between_a_kept_study_and_a_new_one(review, capsys):
    assert check(review, capsys)[0] == 0
    copy = study("delta-2022", 2022)
    copy["doi"] = "10.1234/alpha-2019"
    write_study(review, copy)
    code, err = check(review, capsys)
    assert code == 1
    assert "studies/alpha-2019.yaml:" in err and "is also in studies/delta-2022.yaml" in err


def test_after_a_few_edits_the_cache_is_kept_as_it_is_and_the_edited_files_are_read_again(
        review, parsed, capsys, monkeypatch):
    monkeypatch.setattr(livingreview.checked, "REWRITE_FROM", 1)
    assert check(review, capsys)[0] == 0  # three files read: written
    written = (review / KEPT).read_bytes()
    write_study(review, study("beta-2020", 2020, role="peer-support"))
    parsed.clear()
    assert check(review, capsys) == (0, "")
    assert parsed == ["beta-2020.yaml"]
    assert (review / KEPT).read_bytes() == written  # one file read afresh: not worth writing the cache
    parsed.clear()
    assert check(review, capsys) == (0, "")
    assert parsed == ["beta-2020.yaml"]  # read again, as it will be until the cache is next written
    write_study(review, study("alpha-2019", 2019, role="pre-determined"))
    parsed.clear()
    assert check(review, capsys) == (0, "")
    assert parsed == ["alpha-2019.yaml", "beta-2020.yaml"]  # two read afresh: written
    parsed.clear()
    assert check(review, capsys) == (0, "")
    assert parsed == []
