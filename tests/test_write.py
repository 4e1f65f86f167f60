"""Every write goes through write.Folder: nothing can leave its folder, and the site is swapped in one step."""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from livingreview.diagnostics import BuildError
from livingreview.parallel import _may_fork as may_fork
from livingreview.write import (
    Folder,
    LinkedOldSite,
    Pieces,
    RefusedPath,
    Staged,
    Stager,
    Unchanged,
    UnchangedFiles,
    file_digest,
    link_old_site,
    remove_leftovers,
    staging_folder,
    write_site,
)

HOSTILE = ["../x", "../../etc/passwd", "/etc/passwd", "a/../../b", "a/./b", "", "a//b", ".", "..", "a/..",
           "x\x00y", "x\ny", "a\\..\\b", " a", "a b", "%2e%2e/x", "ü.html", "a/", "/", "~/x", "$HOME/x"]


def files_under(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_name_is_refused_and_nothing_is_written(tmp_path, name):
    inside = tmp_path / "inside"
    with pytest.raises(RefusedPath):
        Folder(inside).write(name, b"x")
    assert files_under(tmp_path) == set()


@settings(max_examples=400, deadline=None)
@given(name=st.text(st.sampled_from(list("ab./\\-_~ \x00\n%")), max_size=12))
def test_whatever_the_name_a_write_lands_inside_its_folder_or_is_refused(tmp_path_factory, name):
    root = tmp_path_factory.mktemp("w")
    inside = root / "inside"
    inside.mkdir()
    try:
        written = Folder(inside).write(name, b"x")
    except (RefusedPath, OSError):
        assert files_under(root) == set()
        return
    assert written.resolve().is_relative_to(inside.resolve())
    assert files_under(root) == {"inside/" + written.relative_to(inside).as_posix()}


def test_a_symbolic_link_on_the_way_is_refused_not_followed(tmp_path):
    outside, inside = tmp_path / "outside", tmp_path / "inside"
    outside.mkdir()
    inside.mkdir()
    (inside / "figures").symlink_to(outside)
    with pytest.raises(RefusedPath):
        Folder(inside).write("figures/x.svg", b"<svg/>")
    (tmp_path / "link").symlink_to(outside)
    with pytest.raises(RefusedPath):
        Folder(tmp_path / "link").write("x", b"x")  # the folder itself a link
    assert list(outside.iterdir()) == []


def test_create_never_replaces_a_file_or_follows_a_link(tmp_path):
    folder = Folder(tmp_path)
    folder.create("study.yaml", b"first")
    with pytest.raises(FileExistsError):
        folder.create("study.yaml", b"second")
    assert (tmp_path / "study.yaml").read_bytes() == b"first"
    target = tmp_path / "elsewhere"
    (tmp_path / "link.yaml").symlink_to(target)
    with pytest.raises(OSError):
        folder.create("link.yaml", b"x")
    assert not target.exists()


def test_a_new_file_is_written_whole_when_the_system_takes_its_bytes_a_few_at_a_time(tmp_path, monkeypatch):
    data = bytes(range(256)) * 40  # 10,240 bytes
    real_write = os.write

    def write_a_little(descriptor: int, given: bytes) -> int:  # as a write may: fewer bytes than it was given
        return real_write(descriptor, bytes(given[:1000]))

    monkeypatch.setattr(os, "write", write_a_little)
    _, stat = Folder(tmp_path).made("page.html", data)
    monkeypatch.undo()
    assert (tmp_path / "page.html").read_bytes() == data
    assert stat.st_size == len(data)


def test_the_site_is_replaced_whole_and_unchanged_files_keep_their_time(tmp_path):
    site = tmp_path / "site"
    write_site([("index.html", b"old"), ("a/page.html", b"same")], site)
    kept = (site / "a" / "page.html").stat().st_mtime_ns
    report = write_site([("index.html", b"new"), ("a/page.html", b"same")], site)
    assert (report.written, report.unchanged) == (1, 1)
    assert (site / "index.html").read_bytes() == b"new"
    assert (site / "a" / "page.html").stat().st_mtime_ns == kept
    # no staging folder left; the site it replaced is kept as the spare, its unchanged file the site's own
    spare = tmp_path / ".site-spare"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site-spare", "site"]
    assert (spare / "index.html").read_bytes() == b"old"
    assert (spare / "a" / "page.html").stat().st_ino == (site / "a" / "page.html").stat().st_ino


@pytest.mark.parametrize("forked", [True, False])
def test_a_site_staged_from_the_old_one_linked_beforehand_is_the_site_of_the_outputs(tmp_path, monkeypatch, forked):
    """The old site's intact files, linked into the staging folder before the outputs are made: a file made
    again with the same bytes stays the old file, a changed file is written anew (the old site's file is not
    touched through the link), and a file no longer made is gone, with the folder it leaves empty."""
    if not forked:
        monkeypatch.setattr("livingreview.parallel._may_fork", lambda: False)
    elif not may_fork():
        pytest.skip("this process has other threads (an earlier test's), and a process with threads does not fork")
    site = tmp_path / "site"
    first = write_site([("index.html", b"old"), ("a/same.html", b"same"), ("a/gone.html", b"gone"),
                        ("b/c/gone.html", b"gone"), ("data/big.json", b"big"), ("kept.html", b"kept")], site)
    inodes = {path: (site / path).stat().st_ino for path in first.digests}
    before = {path: (site / path).read_bytes() for path in first.digests}
    old_site = LinkedOldSite(site, first.digests)
    assert (old_site.worker is not None and old_site.worker.worker is not None) == forked
    held = (site / "index.html").open("rb")  # the old site's file, as a reader holding it open sees it
    outputs = [("index.html", b"new"), ("a/same.html", b"same"), ("data/big.json", Pieces(lambda: [b"b", b"ig"])),
               ("kept.html", Unchanged(first.digests["kept.html"])), ("new/page.html", b"page")]
    report = write_site(outputs, site, first.digests.get, old_site.linked)
    old_site.cancel()
    assert held.read() == before["index.html"]
    held.close()
    assert {path: (site / path).read_bytes() for path in files_under(site)} == {
        "index.html": b"new", "a/same.html": b"same", "data/big.json": b"big", "kept.html": b"kept",
        "new/page.html": b"page"}
    assert not (site / "b").exists()
    assert all((site / path).stat().st_ino == inodes[path] for path in ("a/same.html", "data/big.json", "kept.html"))
    assert (report.written, report.unchanged) == (2, 3) and report.kept == {"a/same.html", "data/big.json", "kept.html"}
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site-spare", "site"]


def test_linking_the_old_site_reports_what_it_could_not_link_and_starts_from_an_empty_folder(tmp_path):
    site, staged = tmp_path / "site", tmp_path / "staged"
    write_site([("a.html", b"a"), ("b/c.html", b"c")], site)
    (staged / "leftover").mkdir(parents=True)
    assert link_old_site(site, staged, ["a.html", "vanished.html", "b/c.html", "../x"]) == ["vanished.html", "../x"]
    assert files_under(staged) == {"a.html", "b/c.html"} and not (staged / "leftover").exists()


def test_the_spare_is_staged_from_keeping_the_old_sites_own_files_and_nothing_else(tmp_path):
    """The spare (the site before the last build) shares the unchanged files with the site: those stay, a
    file that differs is linked again, and what the site no longer has, or has changed since, is removed."""
    site, staged = tmp_path / "site", tmp_path / "staged"
    write_site([("same.html", b"same"), ("changed.html", b"1"), ("gone/x.html", b"x"), ("edited.html", b"e")], site)
    write_site([("same.html", b"same"), ("changed.html", b"2"), ("edited.html", b"e"), ("new/y.html", b"y")], site)
    spare = tmp_path / ".site-spare"
    assert (spare / "gone" / "x.html").exists() and (spare / "changed.html").read_bytes() == b"1"
    kept = (spare / "same.html").stat().st_ino
    intact = ["same.html", "changed.html", "new/y.html"]  # edited.html: changed by hand since, so not intact
    assert link_old_site(site, staged, intact) == []
    assert not spare.exists()  # taken: a staging folder is no one else's
    assert files_under(staged) == set(intact) and not (staged / "gone").exists()
    assert all((staged / path).stat().st_ino == (site / path).stat().st_ino for path in intact)
    assert (staged / "same.html").stat().st_ino == kept  # left in place, not linked again


@settings(max_examples=60, deadline=None)
@given(site_files=st.sets(st.sampled_from(["a.html", "b/c.html", "b/d.html", "e/f/g.html", "h"]), max_size=5),
       spare_files=st.sets(st.sampled_from(["a.html", "b/c.html", "b", "e/f", "h/i.html", "x/y/z.html"]), max_size=5),
       shared=st.booleans(), links=st.booleans(), intact=st.data())
def test_whatever_the_spare_holds_the_staging_folder_holds_exactly_the_old_sites_intact_files(
        tmp_path_factory, site_files, spare_files, shared, links, intact):
    root = tmp_path_factory.mktemp("spare")
    site, staged, spare = root / "site", root / "staged", root / ".site-spare"
    write_site([(path, path.encode()) for path in sorted(site_files)], site)
    for path in sorted(spare_files):  # a spare left as anything: other files, folders where files were
        with contextlib.suppress(OSError):
            if shared and path in site_files:
                (spare / path).parent.mkdir(parents=True, exist_ok=True)
                os.link(site / path, spare / path)
            else:
                Folder(spare).write(path, b"stale")
    if links and spare.is_dir():
        (spare / "outside").symlink_to(root)  # a link in the spare is removed, never followed
    wanted = sorted(intact.draw(st.sets(st.sampled_from(sorted(site_files))))) if site_files else []
    assert link_old_site(site, staged, wanted) == []
    assert files_under(staged) == set(wanted) and not (staged / "outside").is_symlink()
    assert all((staged / path).stat().st_ino == (site / path).stat().st_ino for path in wanted)
    assert {path: (site / path).read_bytes() for path in files_under(site)} == {p: p.encode() for p in site_files}
    assert not any(folder.is_dir() and not any(folder.iterdir()) for folder in staged.rglob("*"))


def test_a_spare_that_is_a_link_is_removed_and_what_it_points_to_is_left_alone(tmp_path):
    """A link in the spare's place (a pull request can commit one beside site/) is never followed."""
    site, staged, elsewhere = tmp_path / "site", tmp_path / "staged", tmp_path / "elsewhere"
    write_site([("a.html", b"a")], site)
    (elsewhere / "deep").mkdir(parents=True)
    (elsewhere / "notes.txt").write_bytes(b"mine")
    (elsewhere / "deep" / "a.html").write_bytes(b"mine too")
    (tmp_path / ".site-spare").symlink_to(elsewhere)
    assert link_old_site(site, staged, ["a.html"]) == []
    assert files_under(staged) == {"a.html"} and not staged.is_symlink()
    assert files_under(elsewhere) == {"notes.txt", "deep/a.html"} and (elsewhere / "notes.txt").read_bytes() == b"mine"
    assert not (tmp_path / ".site-spare").exists()


def test_a_build_stopped_before_it_writes_leaves_no_staging_folder(tmp_path):
    site = tmp_path / "site"
    first = write_site([("a.html", b"a"), ("b/c.html", b"c")], site)
    old_site = LinkedOldSite(site, first.digests)
    assert old_site.linked() == {"a.html", "b/c.html"}
    old_site.cancel()  # as the pipeline does when loading the review failed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"] and files_under(site) == {"a.html", "b/c.html"}


@settings(max_examples=50, deadline=None)
@given(pieces=st.lists(st.binary(max_size=50), max_size=8), known=st.booleans())
def test_a_file_written_in_pieces_is_the_file_of_its_bytes_and_kept_when_they_are_unchanged(tmp_path_factory,
                                                                                             pieces, known):
    site = tmp_path_factory.mktemp("pieces") / "site"
    whole = b"".join(pieces)
    first = write_site([("data/big.json", Pieces(lambda: iter(pieces)))], site)
    assert (site / "data" / "big.json").read_bytes() == whole
    assert first.digests["data/big.json"] == file_digest(whole)
    made = (site / "data" / "big.json").stat().st_ino
    # the same bytes again, whether the old file's digest is known or its bytes are compared: the old file stays
    again = write_site([("data/big.json", Pieces(lambda: iter(pieces)))], site,
                       (lambda path: first.digests.get(path)) if known else (lambda path: None))
    assert (again.written, again.unchanged) == (0, 1) and (site / "data" / "big.json").stat().st_ino == made
    changed = write_site([("data/big.json", Pieces(lambda: iter([*pieces, b"more"])))], site)
    assert changed.written == 1 and (site / "data" / "big.json").read_bytes() == whole + b"more"


def test_a_file_whose_pieces_fail_midway_leaves_the_old_site(tmp_path):
    site = tmp_path / "site"
    write_site([("data/big.json", b"old")], site)

    def pieces():
        yield b"new, half"
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_site([("data/big.json", Pieces(pieces))], site)
    assert (site / "data" / "big.json").read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_build_that_fails_midway_leaves_the_old_site_and_no_staging_folder(tmp_path):
    site = tmp_path / "site"
    write_site([("index.html", b"old")], site)

    def outputs():
        yield "index.html", b"new"
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_site(outputs(), site)
    assert (site / "index.html").read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_two_outputs_for_one_path_are_refused_before_anything_is_published(tmp_path):
    site = tmp_path / "site"
    write_site([("index.html", b"old")], site)
    with pytest.raises(BuildError) as error:
        write_site([("x.html", b"1"), ("x.html", b"2")], site)
    assert error.value.diagnostics[0].path == "x.html"
    assert files_under(site) == {"index.html"}


def test_files_kept_together_are_the_old_sites_files_and_repeat_no_other_output(tmp_path):
    """Many files of the old site passed on at once (the pages of studies not rendered again) are its very
    files, linked whether or not they were linked beforehand, and counted as unchanged; a path among them that
    another output also names is refused, before anything is published."""
    site = tmp_path / "site"
    first = write_site([("index.html", b"old"), ("studies/a.html", b"a"), ("studies/b.html", b"b")], site)
    inodes = {path: (site / path).stat().st_ino for path in first.digests}
    old_site = LinkedOldSite(site, ["studies/a.html"])  # b is not linked beforehand
    kept = UnchangedFiles({path: first.digests[path] for path in ("studies/a.html", "studies/b.html")})
    report = write_site([("index.html", b"new"), kept], site, first.digests.get, old_site.linked)
    old_site.cancel()
    assert {path: (site / path).read_bytes() for path in files_under(site)} == {
        "index.html": b"new", "studies/a.html": b"a", "studies/b.html": b"b"}
    assert all((site / path).stat().st_ino == inodes[path] for path in ("studies/a.html", "studies/b.html"))
    assert (report.written, report.unchanged) == (1, 2) and report.kept == {"studies/a.html", "studies/b.html"}
    assert report.digests == {**first.digests, "index.html": file_digest(b"new")}
    for outputs, repeated in (([("studies/a.html", b"a"), kept], "studies/a.html"),
                              ([kept, ("studies/b.html", b"b")], "studies/b.html")):
        with pytest.raises(BuildError) as error:
            write_site(outputs, site, report.digests.get)
        assert [d.path for d in error.value.diagnostics] == [repeated]
        assert (site / "index.html").read_bytes() == b"new"


def test_files_staged_by_a_process_of_the_build_replace_the_old_sites_and_are_recorded_as_written(tmp_path):
    """A process that renders pages beside the build's own stages them itself (a Stager, forked after the
    old site's files were linked in): a changed page replaces the link (the old site's file is untouched), an
    unchanged one stays the old file, a file a failed process left is made again; the report counts them as
    if written here."""
    site = tmp_path / "site"
    first = write_site([("index.html", b"old"), ("studies/a.html", b"a"), ("studies/b.html", b"b")], site)
    inodes = {path: (site / path).stat().st_ino for path in first.digests}
    old_site = LinkedOldSite(site, list(first.digests))
    stager = Stager()
    pids: list[int] = []

    def outputs():
        yield "index.html", b"new"
        leftover = staging_folder(site) / "studies" / "c.html"  # as a helper that failed would leave it
        leftover.write_bytes(b"half")
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # a helper: stages, and sends back only how
            staged = [stager(path, data) for path, data in
                      (("studies/a.html", b"A"), ("studies/b.html", b"b"), ("studies/c.html", b"c"))]
            os.write(write, json.dumps([(s.written, s.digest, s.stat) for s in staged]).encode())
            os._exit(0)
        pids.append(pid)
        os.close(write)
        told = json.loads(os.read(read, 1 << 16))
        os.close(read)
        os.waitpid(pid, 0)
        for path, (written, digest, stat) in zip(("studies/a.html", "studies/b.html", "studies/c.html"), told,
                                                 strict=True):
            yield path, Staged(written, digest, tuple(stat) if stat else None)

    report = write_site(outputs(), site, first.digests.get, old_site.linked, stager)
    old_site.cancel()
    assert pids
    assert {path: (site / path).read_bytes() for path in files_under(site)} == {
        "index.html": b"new", "studies/a.html": b"A", "studies/b.html": b"b", "studies/c.html": b"c"}
    assert (tmp_path / ".site-spare" / "studies" / "a.html").read_bytes() == b"a"  # the old site's, untouched
    assert (site / "studies" / "b.html").stat().st_ino == inodes["studies/b.html"]
    assert (report.written, report.unchanged) == (3, 1) and report.kept == {"studies/b.html"}
    assert report.digests["studies/a.html"] == file_digest(b"A")
    assert report.stats["studies/c.html"][0] == 1 == (site / "studies" / "c.html").stat().st_size


def test_a_stager_is_bound_by_write_site():
    with pytest.raises(RuntimeError):
        Stager()("index.html", b"x")


def test_a_staging_folder_of_a_killed_build_is_removed_by_the_next(tmp_path):
    site = tmp_path / "site"
    dead = tmp_path / ".site-staging-999999999"  # no such process
    (dead / "x").mkdir(parents=True)
    live = tmp_path / f".site-staging-{os.getppid()}"  # a running process: another build, left alone
    live.mkdir()
    remove_leftovers(site)
    assert not dead.exists() and live.exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into read-only folders")
def test_a_read_only_site_is_reported_before_anything_is_swapped(tmp_path):
    site = tmp_path / "site"
    write_site([("a/index.html", b"old")], site)
    (site / "a").chmod(0o555)
    try:
        with pytest.raises(BuildError) as error:
            write_site([("a/index.html", b"new")], site)
        assert "read-only" in error.value.diagnostics[0].message
        assert (site / "a" / "index.html").read_bytes() == b"old"
    finally:
        (site / "a").chmod(0o755)


@pytest.mark.parametrize("folders", [None, {"", "a", "a/b"}], ids=["looked-for", "known"])
def test_a_folder_the_build_may_not_write_is_reported_before_anything_is_swapped(tmp_path, monkeypatch, folders):
    # As root every folder is writable, so the refusal is shown by the check it rests on (os.access).
    site = tmp_path / "site"
    write_site([("a/index.html", b"old"), ("a/b/c.html", b"old")], site)
    monkeypatch.setattr("livingreview.write.os.access", lambda path, mode: Path(path) != site / "a" / "b")
    with pytest.raises(BuildError) as error:
        write_site([("a/index.html", b"new")], site, folders=folders)
    assert "read-only" in error.value.diagnostics[0].message
    assert (site / "a" / "index.html").read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


@settings(max_examples=40, deadline=None)
@given(pieces=st.lists(st.binary(max_size=3000), max_size=6), chunk=st.integers(1, 5000))
def test_a_file_written_in_pieces_is_given_with_its_digest_and_its_size_and_time_as_written(tmp_path_factory, pieces,
                                                                                            chunk):
    """The site's record trusts both: a wrong digest would keep a changed download, a wrong time rewrite it.
    The pieces are written and digested a chunk at a time (`chunk` bytes here, instead of a megabyte)."""
    from unittest import mock

    from livingreview import write

    folder = Folder(tmp_path_factory.mktemp("pieces"))
    with mock.patch.object(write, "_CHUNK_BYTES", chunk):
        digest, stat = folder.create_pieces("data/studies.json", iter(pieces))
    written = folder.path("data/studies.json")
    assert written.read_bytes() == b"".join(pieces)
    assert digest == file_digest(b"".join(pieces))
    now = os.stat(written)
    assert (stat.st_size, stat.st_mtime_ns) == (now.st_size, now.st_mtime_ns)


def test_a_first_site_looks_for_no_old_file_and_a_site_without_a_record_keeps_each_file_it_makes_again(
        tmp_path, monkeypatch):
    """Without a record of the old site's files, a file made again is compared with the old site's, byte for
    byte, and kept if the same; where there is no old site (a first build), nothing is looked for there."""
    from livingreview import write

    compared: list[str] = []
    same_bytes, same_file = write._same_bytes, write._same_file

    def bytes_compared(path: Path, data: bytes) -> bool:
        compared.append(path.name)
        return same_bytes(path, data)

    def files_compared(old: Path, new: Path) -> bool:
        compared.append(old.name)
        return same_file(old, new)

    monkeypatch.setattr(write, "_same_bytes", bytes_compared)
    monkeypatch.setattr(write, "_same_file", files_compared)
    site = tmp_path / "site"
    outputs = [("same.html", b"same"), ("data/big.json", Pieces(lambda: [b"b", b"ig"]))]
    write_site([*outputs, ("other.html", b"one")], site)
    assert compared == []
    inodes = {path: (site / path).stat().st_ino for path in ("same.html", "data/big.json")}
    report = write_site([*outputs, ("other.html", b"two")], site, lambda path: None)
    assert sorted(compared) == ["big.json", "other.html", "same.html"]
    assert report.kept == {"same.html", "data/big.json"}
    assert all((site / path).stat().st_ino == inode for path, inode in inodes.items())
    assert (site / "other.html").read_bytes() == b"two"
