"""The cache's records: what is read is what was written, by this process or another."""

from __future__ import annotations

import datetime
import json
import os
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scratch import make_review, study, write_study

from livingreview import cache as cache_module
from livingreview.cache import Cache, CheckVerdict, Inputs, KnownReleases, LastBuild, ParsedTexts, StudyCodings
from livingreview.cli import main
from livingreview.load import parse_yaml_text, parsed_earlier
from livingreview.project import Project
from livingreview.study import coding_digest


def _shard_files(folder: Path) -> dict[str, int]:
    """Each shard file of a record, by name, with its inode (a shard written again is a new file)."""
    return {path.name: path.stat().st_ino for path in folder.iterdir()}


def _rewritten(before: dict[str, int], after: dict[str, int]) -> int:
    return sum(after[name] != inode for name, inode in before.items())


@pytest.fixture
def sharded(monkeypatch):
    """Records of any number of entries kept in shards, as those of a large review are."""
    monkeypatch.setattr(cache_module, "_ONE_FILE_MOST", 0)


@pytest.mark.parametrize("hold", [False, True])
def test_a_record_reads_back_as_written_and_as_another_writer_left_it(tmp_path, hold):
    cache = Cache(tmp_path / ".cache", hold)
    key = cache.key("test")
    cache.write("record", key, {"a": [1, 2]})
    assert cache.read("record", key) == {"a": [1, 2]}
    assert cache.read("record", cache.key("other")) is None
    (tmp_path / ".cache" / "record.json").write_text(json.dumps({"key": key, "data": {"b": 3}}))  # another writer
    assert cache.read("record", key) == {"b": 3}
    assert Cache(tmp_path / ".cache").read("record", key) == {"b": 3}


@pytest.mark.parametrize("hold", [False, True])
def test_what_a_reader_changes_is_not_what_the_next_reader_gets(tmp_path, hold):
    cache = Cache(tmp_path / ".cache", hold)
    key = cache.key("test")
    cache.write("record", key, {"a": 1})
    first = cache.read("record", key)
    first["b"] = 2
    del first["a"]
    assert cache.read("record", key) == {"a": 1}


def test_entries_in_shards_read_back_whole_and_a_changed_entry_rewrites_one_shard(tmp_path, sharded):
    cache = Cache(tmp_path / ".cache")
    key = cache.key("test")
    entries = {f"study-{i}": [i, "x" * i] for i in range(100)}
    cache.write_entries("memo", key, entries, {})
    shards = _shard_files(tmp_path / ".cache" / "memo")
    assert len(shards) > 1
    fresh = Cache(tmp_path / ".cache")
    assert fresh.read_entries("memo", key) == entries
    changed = {**entries, "study-7": [7, "changed"]}
    fresh.write_entries("memo", key, changed, entries)
    assert _rewritten(shards, _shard_files(tmp_path / ".cache" / "memo")) == 1
    assert Cache(tmp_path / ".cache").read_entries("memo", key) == changed


def test_entries_given_as_made_are_kept_encoded_and_only_a_changed_shard_is_encoded_again(tmp_path, sharded):
    cache = Cache(tmp_path / ".cache")
    key = cache.key("test")
    encoded: list[str] = []

    def encode(entry):
        encoded.append(entry[0])
        return [entry[0], entry[1].upper()]

    made = {f"study-{i}": [f"d{i}", f"text {i}"] for i in range(100)}
    cache.write_entries("memo", key, made, {}, encode)
    kept = Cache(tmp_path / ".cache").read_entries("memo", key)
    assert kept == {name: [digest, text.upper()] for name, (digest, text) in made.items()}
    assert sorted(encoded) == sorted(digest for digest, _ in made.values())
    encoded.clear()
    changed = {**kept, "study-7": ["d7-new", "text 7 retitled"]}
    cache.write_entries("memo", key, changed, kept, encode)
    assert Cache(tmp_path / ".cache").read_entries("memo", key)["study-7"] == ["d7-new", "TEXT 7 RETITLED"]
    assert "d7-new" in encoded and len(encoded) < len(made) // 4  # the changed entry's shard alone


@pytest.mark.parametrize("hold", [False, True])
@pytest.mark.parametrize("count", [50, 6000])  # 6,000: every shard's entries are written in several batches
def test_texts_in_shards_read_back_as_written_not_decoded(tmp_path, hold, count):
    cache = Cache(tmp_path / ".cache", hold)
    key = cache.key("test")
    texts = {f"study-{i}.yaml": [f"d{i}", json.dumps({"title": f"Ünïcode {i}"}), f"TY  - JOUR\nTI  - \t{i}\n"]
             for i in range(count)}
    cache.write_texts("studies", key, texts, {})
    assert Cache(tmp_path / ".cache").read_texts("studies", key) == texts
    assert cache.read_texts("studies", key) == texts
    assert cache.read_texts("studies", cache.key("other")) == {}
    shards = _shard_files(tmp_path / ".cache" / "studies")
    assert sum(path.read_bytes().count(b"\x1e") for path in (tmp_path / ".cache" / "studies").iterdir()) \
        == count + len(shards)  # each entry once, after its shard's key
    changed = {**texts, "study-7.yaml": ["d7-new", '{"title": "retitled"}']}
    cache.write_texts("studies", key, changed, texts)
    assert _rewritten(shards, _shard_files(tmp_path / ".cache" / "studies")) == 1
    assert Cache(tmp_path / ".cache").read_texts("studies", key) == changed


def test_a_text_that_would_not_read_back_as_written_is_not_kept(tmp_path):
    cache = Cache(tmp_path / ".cache")
    key = cache.key("test")
    texts = {"a.yaml": ["d1", "{}"], "b.yaml": ["d2", "a \x1e separator"], "c\x1f.yaml": ["d3", "{}"],
             "d.yaml": ["d\x1f4", "{}"], "e.yaml": ["d5", "lines\nand\ttabs"], "f.yaml": ["d6", None],
             "g.yaml": []}
    cache.write_texts("studies", key, texts, {})
    assert Cache(tmp_path / ".cache").read_texts("studies", key) == {"a.yaml": ["d1", "{}"],
                                                                     "e.yaml": ["d5", "lines\nand\ttabs"]}


def test_a_text_record_cut_short_or_damaged_is_not_believed(tmp_path, sharded):
    cache = Cache(tmp_path / ".cache")
    key = cache.key("test")
    cache.write_texts("studies", key, {f"s{i}.yaml": [f"d{i}", "{}"] for i in range(40)}, {})
    shards = sorted((tmp_path / ".cache" / "studies").iterdir())
    lost = sum(shard.read_bytes().count(b"\x1e") - 1 for shard in shards[:2])  # the entries of two shards
    shards[0].write_bytes(shards[0].read_bytes()[:-3])  # a write cut short
    shards[1].write_bytes(b"\xff\xfe not UTF-8\x1e")
    read = Cache(tmp_path / ".cache").read_texts("studies", key)
    assert lost > 0 and len(read) == 40 - lost and all(value[1] == "{}" for value in read.values())


def test_a_record_of_few_entries_is_one_file_and_one_of_many_is_kept_in_shards_either_way_it_goes(tmp_path):
    cache = Cache(tmp_path / ".cache")
    key = cache.key("test")
    folder = tmp_path / ".cache" / "memo"
    few = {f"study-{i}": [i] for i in range(cache_module._ONE_FILE_MOST)}
    many = {f"study-{i}": [i] for i in range(cache_module._ONE_FILE_MOST + 1)}
    before: dict[str, Any] = {}
    for entries, files in ((few, {"all.json"}), (many, {f"{n:02d}.json" for n in range(16)}), (few, {"all.json"})):
        cache.write_entries("memo", key, entries, before)
        assert {path.name for path in folder.iterdir()} == files
        assert Cache(tmp_path / ".cache").read_entries("memo", key) == entries
        before = cache.read_entries("memo", key)
        assert before == entries
    # a change of one entry of a record in one file rewrites that file; so does one that makes it many
    cache.replace_entries("memo", key, {"study-0": [-1]})
    assert {path.name for path in folder.iterdir()} == {"all.json"}
    assert Cache(tmp_path / ".cache").read_entries("memo", key) == {**few, "study-0": [-1]}
    cache.replace_entries("memo", key, {"study-x": [0], "study-y": [1]})
    assert {path.name for path in folder.iterdir()} == {f"{n:02d}.json" for n in range(16)}
    assert Cache(tmp_path / ".cache").read_entries("memo", key) == {**few, "study-0": [-1], "study-x": [0],
                                                                     "study-y": [1]}


class _Unmade(NamedTuple):
    """Stands for a study not yet made into its record's texts."""

    title: str


@pytest.mark.parametrize("count, files", [(100, {"all.txt"}), (400, {f"{n:02d}.txt" for n in range(16)})])
def test_entries_not_yet_made_count_as_a_study_record_whatever_they_hold(tmp_path, count, files):
    """Whether a record of studies is kept in one file or in shards is judged before their records are made: each
    as a study's record takes (about 3 KB), neither walked through nor taken for nothing."""
    cache = Cache(tmp_path / ".cache")
    key = cache.key("test")
    entries = {f"study-{i}.yaml": ["digest", _Unmade("x" * (cache_module._ONE_FILE_BYTES if i == 0 else 1))]
               for i in range(count)}
    cache.write_texts("studies", key, entries, {}, lambda entry: [entry[0], entry[1].title[:10]])
    assert {path.name for path in (tmp_path / ".cache" / "studies").iterdir()} == files
    assert len(Cache(tmp_path / ".cache").read_texts("studies", key)) == count


@pytest.mark.parametrize("texts", [False, True])
def test_a_record_of_few_entries_holding_much_text_is_kept_in_shards(tmp_path, texts):
    """The table's pages are few, but each holds a page of rows: kept in one file, a large review's would be
    rewritten whole after each edit."""
    cache = Cache(tmp_path / ".cache")
    key = cache.key("test")
    page = "<tr>row</tr>" * (cache_module._ONE_FILE_BYTES // 12 // 8)
    pages = {f"page/{i}.html": ["digest", [page]] for i in range(10)}
    assert (cache.read_texts if texts else cache.read_entries)("memo", key) == {}  # as a build does, first
    if texts:
        cache.replace_texts("memo", key, pages, lambda made: [made[0], *made[1]])
    else:
        cache.replace_entries("memo", key, pages)
    assert len(list((tmp_path / ".cache" / "memo").iterdir())) > 1
    fresh = Cache(tmp_path / ".cache")
    found = fresh.read_texts("memo", key) if texts else fresh.read_entries("memo", key)
    assert found == ({name: ["digest", page] for name in pages} if texts else pages)
    short = {name: ["digest", "<tr>row</tr>"] for name in pages}  # the same entries, little text: one file
    (fresh.write_texts if texts else fresh.write_entries)("memo", key, short, found)
    assert [path.name for path in (tmp_path / ".cache" / "memo").iterdir()] == ["all.txt" if texts else "all.json"]
    assert (Cache(tmp_path / ".cache").read_texts if texts else Cache(tmp_path / ".cache").read_entries)(
        "memo", key) == short


def test_a_record_leaving_its_one_file_for_shards_is_read_whole_as_it_was_until_every_shard_is_written(
        tmp_path, monkeypatch):
    cache = Cache(tmp_path / ".cache")
    key = cache.key("test")
    few = {f"study-{i}": [i] for i in range(10)}
    cache.write_entries("memo", key, few, {})
    writes = []

    def interrupted(folder, relative, pieces):
        writes.append(relative)
        if len(writes) == 5:
            raise KeyboardInterrupt
        return write_pieces(folder, relative, pieces)

    write_pieces = cache_module.Folder.write_pieces
    monkeypatch.setattr(cache_module.Folder, "write_pieces", interrupted)
    many = {f"study-{i}": [-i] for i in range(cache_module._ONE_FILE_MOST + 1)}
    with pytest.raises(KeyboardInterrupt):
        cache.write_entries("memo", key, many, few)
    assert Cache(tmp_path / ".cache").read_entries("memo", key) == few
    monkeypatch.setattr(cache_module.Folder, "write_pieces", write_pieces)
    cache.write_entries("memo", key, many, few)
    assert Cache(tmp_path / ".cache").read_entries("memo", key) == many


@pytest.mark.parametrize("kept", ["nothing", "one file"])
def test_many_entries_given_to_a_record_are_encoded_a_shard_at_a_time(tmp_path, monkeypatch, kept):
    """A first build of a large review gives each record every entry at once: encoded whole before the first
    shard is written, a record of 100,000 studies would be in memory whole."""
    cache = Cache(tmp_path / ".cache")
    key = cache.key("test")
    if kept == "one file":
        cache.write_texts("memo", key, {"study-x": ["x"]}, {})
        assert [path.name for path in (tmp_path / ".cache" / "memo").iterdir()] == ["all.txt"]
    assert cache.read_texts("memo", key) == ({"study-x": ["x"]} if kept == "one file" else {})  # as a build does
    encoded, at_first_write = [], []

    def encode(made):
        encoded.append(made)
        return [made]

    def write_pieces(folder, relative, pieces):
        at_first_write.append(len(encoded))
        return written(folder, relative, pieces)

    written = cache_module.Folder.write_pieces
    monkeypatch.setattr(cache_module.Folder, "write_pieces", write_pieces)
    count = 16 * (cache_module._ONE_FILE_MOST + 1)
    cache.replace_texts("memo", key, {f"study-{i}": f"text {i}" for i in range(count)}, encode)
    assert len(encoded) == count and at_first_write[0] < count // 8
    expected = {f"study-{i}": [f"text {i}"] for i in range(count)} | ({"study-x": ["x"]} if kept == "one file" else {})
    assert Cache(tmp_path / ".cache").read_texts("memo", key) == expected


_SIZES = st.lists(st.tuples(st.booleans(), st.dictionaries(st.sampled_from("abcdefgh"), st.integers(0, 3),
                                                           max_size=8)), min_size=1, max_size=6)


@settings(max_examples=80, deadline=None)
@given(writes=_SIZES, texts=st.booleans(), defer=st.booleans())
def test_a_record_growing_past_one_file_and_shrinking_back_reads_as_written_after_any_writes(
        tmp_path_factory, writes, texts, defer):
    """Whole records and changes of a few entries (a value of 0: the entry removed), such that the record
    goes from one file to shards and back: each reads back as a model of it holds it, in this process and
    in another, with `defer` once flushed."""
    folder = tmp_path_factory.mktemp("layouts") / ".cache"
    cache = Cache(folder, hold=defer, defer=defer)
    key = "k"
    model: dict[str, Any] = {}

    def read(reader: Cache) -> dict[str, Any]:
        return reader.read_texts("memo", key) if texts else reader.read_entries("memo", key)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cache_module, "_ONE_FILE_MOST", 3)
        for whole, entries in writes:
            if whole:
                now = {name: [str(value)] if texts else value for name, value in entries.items()}
                before = read(cache)
                (cache.write_texts if texts else cache.write_entries)("memo", key, now, before)
                model = now
            else:
                changed = {name: (value or None) for name, value in entries.items()}
                if texts:
                    cache.replace_texts("memo", key, {n: None if v is None else [str(v)] for n, v in changed.items()})
                else:
                    cache.replace_entries("memo", key, changed)
                for name, value in changed.items():
                    model.pop(name, None)
                    if value is not None:
                        model[name] = [str(value)] if texts else value
            assert read(cache) == model
            cache.flush()
            assert read(Cache(folder)) == model


def test_a_check_of_unchanged_files_gives_its_verdict_again_and_any_change_is_checked(scratch_review, run_check,
                                                                                     monkeypatch):
    from livingreview import pipeline

    checks = []
    real = pipeline.check
    monkeypatch.setattr(pipeline, "check", lambda *args: checks.append(1) or real(*args))
    first = run_check(scratch_review)
    assert first.code == 0 and len(checks) == 1
    again = run_check(scratch_review)
    assert again.code == 0 and again.summary == first.summary and len(checks) == 1  # the verdict, not a check
    study = next((scratch_review / "studies").glob("*.yaml"))
    text = study.read_text(encoding="utf-8")
    study.write_text(text.replace("year:", "year: not a year #", 1), encoding="utf-8")
    for _ in range(2):  # a check that finds problems leaves no verdict: they are shown every time
        broken = run_check(scratch_review)
        assert broken.code == 1 and any(line.startswith(f"studies/{study.name}:") for line in broken.lines)
    assert len(checks) == 3
    study.write_text(text, encoding="utf-8")  # the files as they were when checked: the same verdict
    assert run_check(scratch_review).summary == first.summary and len(checks) == 3
    (scratch_review / "content" / "notes.md").write_text("any new input file\n", encoding="utf-8")
    assert run_check(scratch_review).summary == first.summary and len(checks) == 4


@pytest.mark.parametrize("make", ["link", "pipe"])
def test_an_entry_that_is_not_a_file_added_after_a_check_or_build_is_reported_not_passed(scratch_review, run_check,
                                                                                        capsys, make):
    from livingreview.cli import main

    assert run_check(scratch_review).code == 0
    assert main(["--root", str(scratch_review), "build"]) == 0
    added = scratch_review / "studies" / "added.yaml"
    if make == "link":
        added.symlink_to(next((scratch_review / "studies").glob("*.yaml")))  # a valid study, were it followed
    else:
        os.mkfifo(added)  # read, it would wait for ever
    for _ in range(2):
        result = run_check(scratch_review)
        assert result.code == 1 and any(line.startswith("studies/added.yaml:1:1:") for line in result.lines)
    capsys.readouterr()
    assert main(["--root", str(scratch_review), "build"]) == 1
    assert "studies/added.yaml:1:1:" in capsys.readouterr().err
    added.unlink()
    assert run_check(scratch_review).code == 0


def test_a_damaged_or_foreign_verdict_is_not_believed(scratch_review, run_check):
    assert run_check(scratch_review).code == 0
    record = scratch_review / ".cache" / "checked.json"
    kept = json.loads(record.read_text(encoding="utf-8"))
    study = next((scratch_review / "studies").glob("*.yaml"))
    study.write_text(study.read_text(encoding="utf-8").replace("year:", "year: not a year #", 1), encoding="utf-8")
    for data in (["not the inputs' digest", 3, 17], [kept["data"][0], "3", 17], "garbage"):
        record.write_text(json.dumps({"key": kept["key"], "data": data}), encoding="utf-8")
        assert run_check(scratch_review).code == 1


def test_a_held_cache_hands_each_build_what_the_last_one_made_and_a_fresh_cache_hands_nothing(tmp_path):
    handed: list[Any] = []

    def make(n: int) -> Callable[[Any], list[int]]:
        def made(earlier: Any) -> list[int]:
            handed.append(earlier)
            return [n]
        return made

    held = Cache(tmp_path / ".cache", hold=True)
    first = held.again("figures", make(1))
    assert held.again("figures", make(2)) == [2] and handed == [None, first]
    assert held.again("letters", make(3)) == [3] and handed[-1] is None  # another kind holds its own
    fresh = Cache(tmp_path / ".cache")  # a build's own cache holds nothing from one call to the next
    assert [fresh.again("figures", make(n)) for n in (4, 5)] == [[4], [5]] and handed[-2:] == [None, None]


_NAMES = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=6)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=st.dictionaries(_NAMES, st.integers(0, 3), max_size=40),
       after=st.dictionaries(_NAMES, st.integers(0, 3), max_size=40), texts=st.booleans())
def test_after_any_change_the_record_reads_back_and_only_shards_whose_entries_changed_are_written(
        tmp_path_factory, before, after, texts):
    folder = tmp_path_factory.mktemp("cache") / ".cache"
    cache = Cache(folder)
    key = cache.key("test")
    if texts:
        before, after = ({name: [str(value)] for name, value in entries.items()} for entries in (before, after))
        cache.write_texts("memo", key, before, {})
    else:
        cache.write_entries("memo", key, before, {})
    shards = {path.name: (path.stat().st_ino, path.read_bytes()) for path in (folder / "memo").glob("*")}
    if texts:
        cache.write_texts("memo", key, after, before)
        assert Cache(folder).read_texts("memo", key) == after
    else:
        cache.write_entries("memo", key, after, before)
        assert Cache(folder).read_entries("memo", key) == after
    for path in (folder / "memo").glob("*"):
        if path.name in shards and path.read_bytes() == shards[path.name][1]:
            assert path.stat().st_ino == shards[path.name][0], f"{path.name} was written again unchanged"


_WRITES = st.lists(st.tuples(st.sampled_from(["record", "memo", "batch", "texts"]), st.sampled_from(["k1", "k2"]),
                             st.dictionaries(_NAMES, st.integers(0, 3), max_size=6)), max_size=8)


def _apply(cache: Cache, writes: list[tuple[str, str, dict[str, int]]]) -> None:
    """Each write as the build makes it: a whole record, a few entries of a sharded one, a batch's bytes, a
    few entries of a record of texts (a removed entry given as None)."""
    for kind, key, entries in writes:
        changed = {name: (value or None) for name, value in entries.items()}
        if kind == "record":
            cache.write("record", key, entries)
        elif kind == "memo":
            cache.replace_entries("memo", key, changed)
        elif kind == "batch":
            cache._write_record(f"batch/{key}.txt", "", json.dumps(entries).encode(), json.dumps(entries).encode())
        else:
            cache.replace_texts("texts", key, {name: None if value is None else [str(value), "a\ttext"]
                                               for name, value in changed.items()})


def _everything(cache: Cache) -> list[Any]:
    return [(cache.read("record", key), cache.read_entries("memo", key), cache.read_texts("texts", key),
             cache._record(f"batch/{key}.txt", "", lambda raw: ("", raw))) for key in ("k1", "k2")]


@settings(max_examples=60, deadline=None)
@given(first=_WRITES, then=_WRITES)
def test_records_put_off_read_as_written_meanwhile_and_once_flushed_as_written_at_once(tmp_path_factory, first,
                                                                                        then):
    """serve's cache writes its records once the site is published (`flush`): until then the build reads
    them as written, and nothing is written; flushed, they are on disk as a cache that writes at once
    leaves them, in the order they were written, and read back so by this process and another."""
    at_once = Cache(tmp_path_factory.mktemp("at-once") / ".cache", hold=True)
    folder = tmp_path_factory.mktemp("deferred") / ".cache"
    deferred = Cache(folder, hold=True, defer=True)
    for writes in (first, then):
        _apply(at_once, writes)
        on_disk = sorted(path.relative_to(folder) for path in folder.rglob("*")) if folder.exists() else []
        _apply(deferred, writes)
        assert _everything(deferred) == _everything(at_once)
        assert (sorted(path.relative_to(folder) for path in folder.rglob("*")) if folder.exists() else []) \
            == on_disk  # nothing written yet
        deferred.flush()
        assert _everything(deferred) == _everything(at_once)
        assert _everything(Cache(folder)) == _everything(Cache(at_once.folder.root))


def test_a_process_forked_from_a_cache_that_puts_off_its_records_writes_its_own_at_once(tmp_path):
    """A build's forked processes (the one that keeps the studies found valid, for one) never flush: what they
    write is written before they end."""
    cache = Cache(tmp_path / ".cache", hold=True, defer=True)
    key = cache.key("test")
    cache.write("parent", key, ["put off"])
    pid = os.fork()
    if pid == 0:  # the forked process
        try:
            cache.write("child", key, ["written"])
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    assert Cache(tmp_path / ".cache").read("child", key) == ["written"]
    assert Cache(tmp_path / ".cache").read("parent", key) is None
    cache.flush()
    assert Cache(tmp_path / ".cache").read("parent", key) == ["put off"]


# Values YAML gives: text (with what JSON escapes), whole and decimal numbers, true/false, null, dates and times,
# and keys that are numbers or true/false, which JSON would turn into text.
_SCALARS = (st.text(alphabet=st.sampled_from(list("ab \"\\\n\tü漢")), max_size=6) | st.integers() | st.booleans()
            | st.none() | st.floats(allow_nan=True) | st.dates()
            | st.datetimes(timezones=st.none() | st.just(datetime.UTC)))
_YAML_DATA = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
    st.text(alphabet="abk", min_size=1, max_size=3) | st.integers(0, 3) | st.booleans(), inner, max_size=4),
    max_leaves=12)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=_YAML_DATA)
def test_a_text_parsed_earlier_gives_exactly_what_parsing_it_gives(tmp_path, data):
    """Read again in a later run, a YAML text's data is the data parsing gives, to its types (a date stays a
    date, a key that is a number stays a number, true is not 1), or the text is parsed again."""
    text = yaml.safe_dump({"value": data}, allow_unicode=True)
    parsed = parse_yaml_text(text, "content/x.yaml")
    assert parsed.ok
    cache = Cache(tmp_path / f".cache-{uuid.uuid4().hex}")
    first = ParsedTexts(cache)
    with parsed_earlier(first):
        assert repr(parse_yaml_text(text, "content/x.yaml").data) == repr(parsed.data)
    first.save()
    later = ParsedTexts(Cache(cache.folder.root))
    given_back = later.get(text)
    if _json_holds(parsed.data):
        assert repr(given_back) == repr(parsed.data), "a text JSON can hold was not kept, or not as parsed"
    else:
        assert given_back is None, "a text JSON cannot hold exactly was kept"
    with parsed_earlier(later):
        assert repr(parse_yaml_text(text, "content/x.yaml").data) == repr(parsed.data)


def test_parsed_texts_are_written_again_only_when_a_text_was_parsed_anew_since(tmp_path, monkeypatch):
    """A build saves them once the other process's are in (while it ends), and again at the end only if more
    texts were parsed meanwhile."""
    cache = Cache(tmp_path / ".cache")
    written = []
    write_texts = Cache.write_texts
    monkeypatch.setattr(Cache, "write_texts", lambda self, name, *rest, **options: (
        written.append(name), write_texts(self, name, *rest, **options))[1])
    memory = ParsedTexts(cache)
    with parsed_earlier(memory):
        parse_yaml_text("a: 1\n", "content/a.yaml")
        memory.save()
        memory.save()
        assert written == ["parsed"]
        parse_yaml_text("b: 2\n", "content/b.yaml")
        memory.save()
    assert written == ["parsed", "parsed"]
    later = ParsedTexts(Cache(cache.folder.root))
    assert later.get("a: 1\n") == {"a": 1} and later.get("b: 2\n") == {"b": 2}


def test_records_a_fresh_folder_cannot_hold_are_looked_for_without_digesting_the_engine(tmp_path, monkeypatch):
    """A check of a fresh clone looks for its verdict, the texts parsed before and the releases found valid
    before it forks; the first key digests the engine's files, which it need not do for records that are not
    there. Once written, each is found again under the key made then."""
    digested: list[int] = []
    engine_digest = cache_module.engine_digest
    monkeypatch.setattr(cache_module, "engine_digest", lambda: digested.append(1) or engine_digest())
    cache, studies = Cache(tmp_path / ".cache"), tmp_path / "studies"
    studies.mkdir()
    (studies / "a.yaml").write_text("id: a\n", encoding="utf-8")
    inputs = Inputs([studies], cache, when_asked=True)
    verdict, memory, known = CheckVerdict(cache, inputs), ParsedTexts(cache), KnownReleases(cache)
    assert verdict.counts() is None and memory.get("a: 1\n") is None and not known.known("r/1.0.json", "d1")
    assert digested == []
    verdict.keep(3, 4)
    with parsed_earlier(memory):
        parse_yaml_text("a: 1\n", "content/a.yaml")
    memory.save()
    known.save({"r/1.0.json": "d1"})  # as a forked process found them
    assert digested
    again = Cache(cache.folder.root)
    assert CheckVerdict(again, Inputs([studies], again, when_asked=True)).counts() == (3, 4)
    assert ParsedTexts(again).get("a: 1\n") == {"a": 1}
    assert KnownReleases(again).known("r/1.0.json", "d1") and not KnownReleases(again).known("r/1.0.json", "d2")


def test_parsed_texts_keep_the_data_as_parsed_whatever_a_reader_does_with_what_it_was_given(tmp_path):
    cache = Cache(tmp_path / ".cache")
    memory = ParsedTexts(cache)
    text = "title: A\nlist: [1, 2]\n"
    with parsed_earlier(memory):
        given = parse_yaml_text(text, "content/a.yaml").data
        given["title"] = "changed"
        given["list"].append(3)
        again = parse_yaml_text(text, "content/a.yaml").data  # read again in this run
        again["added"] = True
    memory.save()
    assert ParsedTexts(Cache(cache.folder.root)).get(text) == {"title": "A", "list": [1, 2]}


def _json_holds(data: object) -> bool:
    """Whether JSON (with dates tagged) gives back exactly this: no key but text, no NaN (not equal to itself)."""
    if isinstance(data, dict):
        return all(isinstance(key, str) and _json_holds(value) for key, value in data.items())
    if isinstance(data, list):
        return all(_json_holds(item) for item in data)
    return not (isinstance(data, float) and data != data)


def _may_change_figures(root: Path) -> bool:
    project = Project(root)
    cache = Cache(project.cache)
    return StudyCodings(cache, project.studies).may_change_figures(Inputs(project.inputs, cache))


def _edited(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


CODINGS_START = [study("alpha-2019", 2019, involvement="leading"), study("beta-2020", 2020, involvement="consulted")]


def test_only_an_edit_of_what_figures_read_may_change_them_after_a_build(tmp_path):
    """Known before the review is loaded: after a build, a title edit cannot change a figure; an edit of a
    study's codes, year or id, of any other input, or a study added or removed may."""
    root = make_review(tmp_path / "review", CODINGS_START)
    beta = root / "studies" / "beta-2020.yaml"
    assert _may_change_figures(root)  # never built: no record
    assert main(["--root", str(root), "build"]) == 0
    assert not _may_change_figures(root)
    _edited(beta, "title: ", "title: Retitled ")
    _edited(beta, "journal: Journal of Tests", "journal: Another Journal")
    assert not _may_change_figures(root)
    for old, new in [("involvement: consulted", "involvement: leading"), ("year: 2020", "year: 2021"),
                     ("id: beta-2020", "id: beta-2021"), ("codes:", "in_baseline: true\ncodes:"),
                     ("id: beta-2020", "id: [beta")]:  # the last: a file that no longer parses
        _edited(beta, old, new)
        assert _may_change_figures(root), new
        _edited(beta, new, old)
        assert not _may_change_figures(root)
    write_study(root, study("gamma-2021", 2021))
    assert _may_change_figures(root)
    (root / "studies" / "gamma-2021.yaml").unlink()
    assert not _may_change_figures(root)
    (root / "studies" / "alpha-2019.yaml").unlink()
    assert _may_change_figures(root)
    write_study(root, CODINGS_START[0])
    assert not _may_change_figures(root)
    saved = beta.read_bytes()
    beta.unlink()
    os.mkfifo(beta)  # never opened to be read: reading a pipe would wait for ever
    assert _may_change_figures(root)
    beta.unlink()
    beta.write_bytes(saved)
    assert not _may_change_figures(root)
    _edited(root / "content" / "site.yaml", "title:", "title: Edited")
    assert _may_change_figures(root)


def test_a_build_records_the_codings_of_what_it_read_and_keeps_those_of_unchanged_files(tmp_path):
    """The next build's verdict follows the last build, not a check meanwhile; a file the last build did
    not read keeps the coding recorded when it was read."""
    root = make_review(tmp_path / "review", CODINGS_START)
    beta = root / "studies" / "beta-2020.yaml"
    assert main(["--root", str(root), "build"]) == 0
    _edited(beta, "involvement: consulted", "involvement: leading")
    assert main(["--root", str(root), "check"]) == 0
    assert _may_change_figures(root)  # the figures the last build drew are of the code before
    assert main(["--root", str(root), "build"]) == 0
    assert not _may_change_figures(root)
    _edited(root / "studies" / "alpha-2019.yaml", "title: ", "title: Retitled ")
    assert main(["--root", str(root), "build"]) == 0  # reads alpha again; beta's coding is kept
    _edited(beta, "title: ", "title: Retitled ")
    assert not _may_change_figures(root)


@given(codes=st.dictionaries(st.text(max_size=8), st.one_of(st.text(max_size=8), st.integers(),
                                                          st.lists(st.text(max_size=8), max_size=3)), max_size=5),
       title=st.text(max_size=20), other=st.text(max_size=20))
def test_a_coding_digest_reads_only_what_figures_read_and_all_of_it(codes, title, other):
    data = {"id": "a-2020", "title": title, "year": 2020, "codes": codes}
    digest = coding_digest(data)
    assert digest and digest == coding_digest({**data, "title": other, "journal": other})
    assert digest == coding_digest({**data, "codes": dict(reversed(list(codes.items())))})  # order is not read
    assert digest != coding_digest({**data, "codes": {**codes, "added-field": "a value"}})
    assert digest != coding_digest({**data, "year": 2021})
    assert digest != coding_digest({**data, "in_baseline": True})


@given(data=st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5) | st.dates(),
                         lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(
                             st.one_of(st.text(max_size=3), st.integers()), inner, max_size=3)),
                         max_leaves=12))
def test_a_coding_digest_of_any_parsed_yaml_is_text_and_empty_only_for_what_it_cannot_read(data):
    digest = coding_digest(data)
    assert isinstance(digest, str)
    if not isinstance(data, dict):
        assert digest == ""


def _tallies(root: Path) -> dict:
    data = json.loads((root / "site" / "data" / "aggregates.json").read_text(encoding="utf-8"))
    return {key: tally["counts"] for key, tally in data["tallies"].items()}


def test_a_build_reads_the_tallies_back_and_counts_again_only_the_studies_that_changed(tmp_path, monkeypatch):
    """After a title edit the tallies are read back; after a coding edit only the changed study's values
    are found again; a damaged record is counted from nothing. The site's tallies are those of the studies."""
    from livingreview import aggregate

    # the dimensions on which every study's values were found (not those of the empty edition the changelog
    # compares the first edition with)
    counted_all: list[str] = []
    whole = aggregate._values

    def values(dimensions: list[str], studies: list, *args: object) -> dict:
        if studies:
            counted_all.extend(dimensions)
        return whole(dimensions, studies, *args)

    monkeypatch.setattr(aggregate, "_values", values)
    root = make_review(tmp_path / "review", CODINGS_START)
    beta = root / "studies" / "beta-2020.yaml"
    assert main(["--root", str(root), "build"]) == 0
    assert "involvement" in counted_all
    counts = _tallies(root)
    assert dict(map(tuple, counts["involvement"]))["consulted"] == 1

    counted_all.clear()
    _edited(beta, "title: ", "title: Retitled ")
    assert main(["--root", str(root), "build"]) == 0
    assert counted_all == [] and _tallies(root) == counts

    _edited(beta, "involvement: consulted", "involvement: leading")
    assert main(["--root", str(root), "build"]) == 0
    assert counted_all == []
    involvement = dict(map(tuple, _tallies(root)["involvement"]))
    assert (involvement["consulted"], involvement["leading"]) == (0, 2)

    record = root / ".cache" / "aggregates.json"
    damaged = json.loads(record.read_text(encoding="utf-8"))
    damaged["data"]["aggregates"]["values"]["involvement"][1] = [0]  # one index for two studies
    record.write_text(json.dumps(damaged), encoding="utf-8")
    _edited(beta, "title: ", "title: Again ")
    assert main(["--root", str(root), "build"]) == 0
    assert "involvement" in counted_all
    assert dict(map(tuple, _tallies(root)["involvement"]))["leading"] == 2


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(count=st.integers(0, 800), values=st.lists(st.one_of(st.text(), st.integers(), st.lists(st.text(), max_size=3),
                                                           st.none()), min_size=1, max_size=5))
def test_a_large_record_written_in_batches_is_one_compact_json_document_that_reads_back(tmp_path_factory, count,
                                                                                        values):
    folder = tmp_path_factory.mktemp("cache") / ".cache"
    cache = Cache(folder)
    key = cache.key("test")
    data = {f"study-{i}": values[i % len(values)] for i in range(count)}
    cache.write("memo", key, data)
    written = (folder / "memo.json").read_bytes()
    assert json.loads(written) == {"key": key, "data": data}
    assert written == json.dumps({"key": key, "data": data}, ensure_ascii=False, separators=(",", ":")).encode()
    assert Cache(folder).read("memo", key) == data


_TEXT = st.text(st.characters(blacklist_characters="\x1e\x1f", blacklist_categories=("Cs",)), max_size=40)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.dictionaries(st.from_regex(r"[a-z0-9-]{1,12}\.yaml", fullmatch=True),
                             st.lists(_TEXT, min_size=1, max_size=3), max_size=40))
def test_each_text_placed_as_written_is_read_back_from_its_shard_alone(tmp_path_factory, texts):
    # Any text but the separators, ASCII or not: where each entry is counts bytes, not characters.
    folder = tmp_path_factory.mktemp("placed") / ".cache"
    cache = Cache(folder)
    key = cache.key("test")
    placed: dict[str, Any] = {}
    cache.write_texts("studies", key, texts, {}, placed=placed)
    assert placed.keys() == texts.keys()
    assert {name: cache.placed_texts(name, where) for name, where in placed.items()} == texts


def test_a_text_placed_in_a_shard_written_again_since_is_not_read_back_as_another(tmp_path):
    cache = Cache(tmp_path / ".cache")
    key = cache.key("test")
    texts = {f"study-{i}.yaml": [f"d{i}", f"text {i}"] for i in range(40)}
    placed: dict[str, Any] = {}
    cache.write_texts("studies", key, texts, {}, placed=placed)
    # every entry of every shard written again, each longer: what was placed is no longer where it was
    longer = {name: [digest, "a much longer text " + text] for name, (digest, text) in texts.items()}
    cache.write_texts("studies", key, longer, texts)
    found = {name: cache.placed_texts(name, where) for name, where in placed.items()}
    assert all(texts_read in (None, longer[name]) for name, texts_read in found.items())
    assert None in found.values()


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(st.sampled_from(["studies", "studies0", "studies-a", "studie", "content", "s", "studies.yaml"]),
                      min_size=1, max_size=6),
       inner=st.lists(st.sampled_from(["a.yaml", "b/c.yaml", ".keep", "z"]), min_size=1, max_size=3))
def test_the_inputs_within_and_outside_a_folder_are_those_paths_in_order(tmp_path_factory, names, inner):
    root = tmp_path_factory.mktemp("review")
    for name in names:
        for leaf in inner:
            where = root / name / leaf
            where.parent.mkdir(parents=True, exist_ok=True)
            where.write_text("x")
    inputs = Inputs([root])
    folder = os.path.join(root / "studies", "")
    assert inputs.outside(folder) == [path for path in inputs.paths if not path.startswith(folder)]
    assert inputs.within(folder) == [path for path in inputs.paths if path.startswith(folder)]


def test_the_folders_of_the_last_build_are_the_sites_folders_that_hold_files(tmp_path):
    root = make_review(tmp_path / "review", CODINGS_START)
    site = root / "site"
    assert LastBuild(Cache(root / ".cache"), site).folders() is None  # nothing built: not looked at
    assert main(["--root", str(root), "build"]) == 0
    (site / "deep" / "er").mkdir(parents=True)
    (site / "deep" / "er" / "page.html").write_text("added by hand")
    walked = {"/".join(Path(folder).relative_to(site).parts) for folder, _, files in os.walk(site)}
    assert LastBuild(Cache(root / ".cache"), site).folders() == walked


_ENTRIES = st.lists(st.tuples(
    st.lists(st.sampled_from(["a", ".hidden", "__pycache__", "linked"]), max_size=2),  # the folders on its way
    st.sampled_from(["x.json", ".y.json", "z"]),
    st.sampled_from(["file", "link to a file", "link to a folder", "folder"])), min_size=1, max_size=8)


@settings(max_examples=80, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entries=_ENTRIES, asked=_ENTRIES)
def test_one_inputs_digest_is_what_digesting_them_all_gives(tmp_path_factory, entries, asked):
    """A check's second process asks for the release files' digests before the inputs are digested: what
    `digest_of` gives one path, alone, is what digesting every input gives it, for any path asked (a folder,
    a link, a hidden file, one under __pycache__ or a linked folder, outside the roots, not there)."""
    base = tmp_path_factory.mktemp("inputs")
    roots = [base / "releases", base / "content"]
    (base / "elsewhere").mkdir()
    (base / "elsewhere" / "target.json").write_text("{}")
    for root in roots:
        root.mkdir()
        (root / "linked").symlink_to(base / "elsewhere")
    for index, (folders, name, kind) in enumerate(entries):
        where = roots[index % 2].joinpath(*folders)
        if not where.exists():
            where.mkdir(parents=True)
        path = where / name
        if path.exists() or path.is_symlink():
            continue
        if kind == "file":
            path.write_text(f"{index}")
        elif kind == "folder":
            path.mkdir()
        else:
            path.symlink_to(base / "elsewhere" / ("target.json" if kind == "link to a file" else ""))
    candidates = [root.joinpath(*folders, name) for root in [*roots, base / "elsewhere", base]
                  for folders, name, _ in asked] + [base / "elsewhere" / "target.json", roots[0]]
    everything = Inputs(roots).files
    assert [Inputs(roots, when_asked=True).digest_of(path) for path in candidates] == \
        [everything.get(str(path), "") for path in candidates]
    inputs = Inputs(roots, when_asked=True)
    assert inputs.digest_of(candidates[0]) == everything.get(str(candidates[0]), "")
    assert "files" not in vars(inputs)  # one asked for: the others are not digested yet
    assert inputs.files == everything  # asking for one first changes nothing of the rest
    assert [inputs.digest_of(path) for path in candidates] == [everything.get(str(path), "") for path in candidates]


def test_inputs_once_digested_hold_their_digests_and_paths_not_their_sizes_and_times(tmp_path):
    """A build holds its Inputs to its end: what was only needed to digest them (each file's size, time and
    kind: tens of MB at 100,000 studies) is not held with them."""
    import gc

    folder = tmp_path / "inputs"
    folder.mkdir()
    for n in range(5):
        (folder / f"s{n}.yaml").write_text(f"n: {n}\n")
    for inputs in (Inputs([folder], Cache(tmp_path / ".cache")), Inputs([folder], None, when_asked=True)):
        assert len(inputs.files) == 5 and inputs.digest
        reached, pending = [], [value for name, value in vars(inputs).items() if name not in ("cache", "stats")]
        for _ in range(4):  # what it holds, and what that holds, four steps deep
            reached += pending
            pending = [found for value in pending for found in gc.get_referents(value)]
        sizes_and_times = [value for value in reached if isinstance(value, tuple) and len(value) == 3
                           and [type(part) for part in value] == [int, int, bool]]
        assert not sizes_and_times
