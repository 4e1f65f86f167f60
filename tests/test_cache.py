"""The cache's records: what is read is what was written, by this process or another."""

from __future__ import annotations

import json

import pytest

from livingreview.cache import Cache


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


def test_entries_in_shards_read_back_whole_and_a_changed_entry_rewrites_one_shard(tmp_path):
    cache = Cache(tmp_path / ".cache")
    key = cache.key("test")
    entries = {f"study-{i}": [i, "x" * i] for i in range(100)}
    cache.write_entries("memo", key, entries, {})
    shards = {p.name: p.stat().st_ino for p in (tmp_path / ".cache" / "memo").iterdir()}
    assert len(shards) > 1
    fresh = Cache(tmp_path / ".cache")
    assert fresh.read_entries("memo", key) == entries
    changed = {**entries, "study-7": [7, "changed"]}
    fresh.write_entries("memo", key, changed, entries)
    after = {p.name: p.stat().st_ino for p in (tmp_path / ".cache" / "memo").iterdir()}
    assert sum(after[name] != shards[name] for name in shards) == 1
    assert Cache(tmp_path / ".cache").read_entries("memo", key) == changed
