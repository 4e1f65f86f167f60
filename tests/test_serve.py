"""`livingreview serve`: the site on localhost, rebuilt when a study changes, still served when one breaks."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from conftest import REPO, wait_for
from scratch import make_review, study, write_study

from livingreview.cli import main
from livingreview.project import Project
from livingreview.serve import Server, site_snapshot, snapshot


def fetch(url: str) -> tuple[int, str, dict]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read().decode("utf-8"), dict(response.headers)


ALPHA = study("alpha-2019", 2019, involvement="leading", stages=["planning"], location=["US"])


@pytest.fixture
def served(tmp_path):
    root = make_review(tmp_path / "review", [ALPHA, study("beta-2020", 2020, involvement="consulted")])
    log: list[str] = []
    server = Server(Project(root), port=0, interval=0.1, log=log.append).start()
    yield root, server, log
    server.stop()


def test_serve_rebuilds_on_change_and_keeps_the_old_site_when_a_study_breaks(served):
    root, server, log = served
    assert server.httpd.server_address[0] == "127.0.0.1"
    status, home, headers = fetch(server.url + "index.html")
    assert status == 200 and "This edition holds 2 studies" in home
    assert headers["Cache-Control"] == "no-store"

    page = server.url + "studies/alpha-2019.html"
    changed = {**ALPHA, "title": "A renamed study of a garden"}
    write_study(root, changed)
    assert wait_for(lambda: "A renamed study of a garden" in fetch(page)[1]), log
    assert any(line.startswith("serve: studies/alpha-2019.yaml changed; rebuilding") for line in log)
    assert any(re.fullmatch(r"build: 2 studies, .* \(\d+ written, \d+ unchanged\) in \d+\.\d\d s", line)
               for line in log), log  # each rebuild says how long it took

    failures = server.failures
    (root / "studies" / "alpha-2019.yaml").write_text(
        (root / "studies" / "alpha-2019.yaml").read_text().replace("year: 2019", "year: twenty nineteen"))
    assert wait_for(lambda: server.failures > failures), log
    assert any(line.startswith("studies/alpha-2019.yaml:") and "year must be a whole number" in line
               for line in log), log
    assert "serve: 1 problem; still serving the previous site" in log
    assert "A renamed study of a garden" in fetch(page)[1]  # the last good site is still served

    write_study(root, study("gamma-2021", 2021, involvement="leading", stages=["building"]))  # still watching
    write_study(root, changed)
    assert wait_for(lambda: "This edition holds 3 studies" in fetch(server.url + "index.html")[1]), log


RECODED = study("alpha-2019", 2019, involvement="consulted", stages=["planning"], location=["US"])


def test_serve_draws_a_coding_edit_s_figures_in_its_drawing_process(tmp_path, monkeypatch):
    import livingreview.figures
    import livingreview.pipeline

    def refused(figure):
        raise AssertionError("serve drew a figure in its own process")

    root = make_review(tmp_path / "review", [ALPHA, study("beta-2020", 2020, involvement="consulted")])
    log: list[str] = []
    server = Server(Project(root), port=0, interval=0.1, log=log.append).start()
    try:
        monkeypatch.setattr(livingreview.figures, "figure_svg", refused)
        monkeypatch.setattr(livingreview.pipeline, "figure_svg", refused)
        builds = server.builds
        write_study(root, RECODED)  # the figures of involvement change
        assert wait_for(lambda: server.builds > builds), log
        assert server.failures == 0, log
        monkeypatch.undo()
    finally:
        server.stop()
    # what serve drew is what a build of the same review in another folder draws
    other = make_review(tmp_path / "other", [RECODED, study("beta-2020", 2020, involvement="consulted")])
    assert main(["--root", str(other), "build"]) == 0
    figures = sorted(path.relative_to(other / "site") for path in (other / "site").rglob("*.svg"))
    assert figures
    assert all((root / "site" / path).read_bytes() == (other / "site" / path).read_bytes() for path in figures)


def test_serve_draws_in_its_own_process_when_no_drawing_process_can_start(tmp_path, monkeypatch):
    import livingreview.drawer

    def refused(cache_folder):
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(livingreview.drawer, "start_companion", refused)
    root = make_review(tmp_path / "review", [ALPHA, study("beta-2020", 2020, involvement="consulted")])
    log: list[str] = []
    server = Server(Project(root), port=0, interval=0.1, log=log.append).start()
    try:
        assert server.drawing is None and server.failures == 0, log
        builds = server.builds
        write_study(root, RECODED)
        assert wait_for(lambda: server.builds > builds), log
        assert server.failures == 0, log
    finally:
        server.stop()
    assert list((root / "site" / "figures").glob("*.svg"))


def test_a_serve_rebuild_leaves_nothing_frozen_whether_it_succeeds_or_fails(tmp_path):
    # What a build made must be collectable once it is over: serve runs for hours, building again and again.
    import gc

    root = make_review(tmp_path / "review", [ALPHA])
    server = Server(Project(root), port=0, log=lambda line: None)
    try:
        assert server.rebuild() and gc.get_freeze_count() == 0
        (root / "studies" / "alpha-2019.yaml").write_text("id: alpha-2019\ntitle: [unclosed\n")
        assert not server.rebuild() and gc.get_freeze_count() == 0
    finally:
        server.stop()


def test_a_serve_rebuild_runs_without_the_cycle_collector_and_leaves_it_on_whether_it_succeeds_or_fails(
        tmp_path, monkeypatch):
    # The rebuild is not slowed by collections; what it made is collected once it is reported, and serve,
    # which runs for hours, keeps collecting between rebuilds.
    import gc

    from livingreview import pipeline

    root = make_review(tmp_path / "review", [ALPHA])
    building, during = pipeline.build, []

    def build(*args, **kwargs):
        during.append(gc.isenabled())
        return building(*args, **kwargs)

    monkeypatch.setattr(pipeline, "build", build)
    server = Server(Project(root), port=0, log=lambda line: None)
    try:
        assert server.rebuild() and gc.isenabled()
        (root / "studies" / "alpha-2019.yaml").write_text("id: alpha-2019\ntitle: [unclosed\n")
        assert not server.rebuild() and gc.isenabled()
    finally:
        server.stop()
        gc.enable()
    assert during == [False, False]


def test_a_stopped_server_no_longer_answers(tmp_path):
    root = make_review(tmp_path / "review", [study("alpha-2019", 2019)])
    server = Server(Project(root), port=0, interval=0.1, log=lambda line: None).start()
    url = server.url
    assert fetch(url + "index.html")[0] == 200
    server.stop()
    with pytest.raises(urllib.error.URLError):
        fetch(url + "index.html")


def test_serve_on_a_port_in_use_says_so(tmp_path, capsys):
    root = make_review(tmp_path / "review", [study("alpha-2019", 2019)])
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["--root", str(root), "serve", "--port", str(port)]) == 1
    assert f"serve: cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def assert_stopped_cleanly(process: subprocess.Popen) -> None:
    """The server ends within 30 s, says so, exits 0 without a traceback; killed if it hangs."""
    try:
        _, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err
    assert "serve: stopped" in err and "Traceback" not in err


def test_serve_stops_on_ctrl_c(tmp_path):
    root = make_review(tmp_path / "review", [study("alpha-2019", 2019)])
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    # Started as a user starts it, in a process of its own; SIGINT is what Ctrl-C sends.
    process = subprocess.Popen([sys.executable, str(REPO / "build.py"), "--root", str(root), "serve",
                                "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=env)
    try:
        assert process.stdout is not None
        assert process.stdout.readline().startswith(f"serve: http://127.0.0.1:{port}/")  # built and serving
        assert fetch(f"http://127.0.0.1:{port}/index.html")[0] == 200
        process.send_signal(signal.SIGINT)
    finally:
        assert_stopped_cleanly(process)
    with pytest.raises(urllib.error.URLError):
        fetch(f"http://127.0.0.1:{port}/index.html")
    assert (root / "site" / "index.html").is_file()


def test_the_watcher_of_a_review_whose_snapshot_is_slow_polls_less_often(tmp_path, monkeypatch):
    # A snapshot of 100,000 study files takes about half a second: polled twice a second, serve would keep a
    # core busy while nothing changes. Here a snapshot takes 0.05 s and the interval asked for is 0.01 s.
    import livingreview.serve

    taken: list[float] = []

    def slow(project):
        taken.append(time.monotonic())
        time.sleep(0.05)
        return snapshot(project)

    root = make_review(tmp_path / "review", [ALPHA])
    server = Server(Project(root), port=0, interval=0.01, log=lambda line: None).start()
    try:
        monkeypatch.setattr(livingreview.serve, "snapshot", slow)
        time.sleep(1.6)
    finally:
        server.stop()
    # at least ten times a snapshot's time between two (0.5 s): at most 4 in 1.6 s, where 0.01 s would give 25
    assert 1 <= len(taken) <= 4, taken


def test_the_watcher_sees_every_input_file_and_follows_no_linked_folder(tmp_path):
    root = make_review(tmp_path / "review", [ALPHA])
    project = Project(root)
    (root / "templates" / "partials").mkdir(parents=True)
    (root / "templates" / "partials" / "note.html").write_text("<p>note</p>\n", encoding="utf-8")
    for folder, name in (("searches", "2026-01-pubmed.ris"), ("screening", "2026-01.csv")):
        (root / folder).mkdir(exist_ok=True)
        (root / folder / name).write_text("recorded\n", encoding="utf-8")
    (root / "studies" / "loop").symlink_to(root)  # a link back to the root: walked into, it never ends
    (root / "studies" / ".#alpha-2019.yaml").symlink_to("user@host.1234:1700000000")  # an editor's lock file
    (root / "notes.txt").write_text("not an input\n", encoding="utf-8")
    seen = snapshot(project)
    inputs = ("studies", "content", "templates", "releases", "searches", "screening")
    expected = {str(path) for name in inputs if (root / name).is_dir()
                for path in (root / name).rglob("*") if path.is_file() and "loop" not in path.parts}
    assert set(seen) == expected | {str(root / "studies" / "loop")}  # the link itself, as an entry not a file
    assert seen[str(root / "studies" / "loop")][2] is False and seen[str(root / "studies" / "alpha-2019.yaml")][2]
    for shown in ("templates/partials/note.html", "searches/2026-01-pubmed.ris", "screening/2026-01.csv"):
        assert str(root / shown) in seen
    assert not any("/loop/" in path for path in seen)
    assert str(root / "studies" / ".#alpha-2019.yaml") not in seen  # made and removed as a file is edited
    before = seen[str(root / "studies" / "alpha-2019.yaml")]
    _, modified, _ = before
    os.utime(root / "studies" / "alpha-2019.yaml", ns=(modified + 10**9, modified + 10**9))
    assert snapshot(project)[str(root / "studies" / "alpha-2019.yaml")] != before


def test_a_rebuild_takes_the_files_times_the_watcher_just_took(tmp_path, monkeypatch):
    """The watcher has just looked at every input file to find the change: the build it starts (10,000 stat
    calls in a large review) does not look again."""
    import livingreview.cache

    root = make_review(tmp_path / "review", [ALPHA])
    project = Project(root)
    server = Server(project, port=0, log=lambda line: None)  # not started: this test calls rebuild itself
    try:
        write_study(root, {**ALPHA, "title": "A renamed study of a garden"})
        seen = snapshot(project)

        def refused(roots):
            raise AssertionError("the build looked at the input files again")

        monkeypatch.setattr(livingreview.cache, "stats_under", refused)
        assert server.rebuild(seen)
    finally:
        server.stop()
    assert "A renamed study of a garden" in (root / "site" / "studies" / "alpha-2019.html").read_text()


def test_a_rebuild_takes_the_site_s_times_the_watcher_just_took(tmp_path, monkeypatch):
    """The watcher looks at the site's files too: the build it starts (10,000 pages: 10,000 stat calls) takes
    from what it saw which files are as the last build left them, and makes the others again."""
    import livingreview.cache

    root = make_review(tmp_path / "review", [ALPHA])
    project = Project(root)
    server = Server(project, port=0, log=lambda line: None)  # not started: this test calls rebuild itself
    try:
        assert server.rebuild(snapshot(project), force=True)
        made = (root / "site" / "about.html").read_bytes()
        (root / "site" / "about.html").write_bytes(b"changed by hand")
        write_study(root, {**ALPHA, "title": "A renamed study of a garden"})
        seen, site_seen = snapshot(project), site_snapshot(project)

        def refused(roots):
            raise AssertionError("the build looked at the files again")

        monkeypatch.setattr(livingreview.cache, "stats_under", refused)
        assert server.rebuild(seen, site_seen=site_seen)
    finally:
        server.stop()
    assert "A renamed study of a garden" in (root / "site" / "studies" / "alpha-2019.html").read_text()
    assert (root / "site" / "about.html").read_bytes() == made  # seen changed: made again, not linked


def test_serve_makes_again_a_file_of_the_site_changed_by_hand(served):
    root, server, log = served
    page = root / "site" / "about.html"
    made, builds = page.read_bytes(), server.builds
    time.sleep(0.3)  # the watcher has looked at the site as the first build left it
    assert server.builds == builds  # what a build writes is no change to build again for
    page.write_bytes(b"changed by hand")
    assert wait_for(lambda: page.read_bytes() == made), log
    assert any(line.startswith("serve: site/about.html changed; rebuilding") for line in log), log


_INTERRUPT_THE_WATCHER = """
import signal, sys, threading, time, urllib.request
from pathlib import Path
from livingreview.project import Project
from livingreview.serve import serve_command

root, port = Path(sys.argv[1]), int(sys.argv[2])

def interrupt_the_watcher():
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/index.html", timeout=5).close()
            break
        except OSError:
            time.sleep(0.1)
    watcher = next(thread for thread in threading.enumerate() if thread.name == "serve-watch")
    signal.pthread_kill(watcher.ident, signal.SIGINT)

threading.Thread(target=interrupt_the_watcher, daemon=True).start()
sys.exit(serve_command(Project(root), port))
"""


def test_serve_stops_when_ctrl_c_reaches_a_background_thread(tmp_path):
    # The kernel may deliver a process's SIGINT to any of its threads; the server must stop all the same.
    root = make_review(tmp_path / "review", [study("alpha-2019", 2019)])
    process = subprocess.Popen([sys.executable, "-c", _INTERRUPT_THE_WATCHER, str(root), str(free_port())],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)
    assert_stopped_cleanly(process)


_CTRL_C_DURING_START = """
import sys
from pathlib import Path
from livingreview.project import Project
from livingreview import serve

root, port, when = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
start = serve.Server.start

def interrupted_start(self):
    if when == "after":
        start(self)  # serving already: Ctrl-C comes before the server has said where
    raise KeyboardInterrupt

serve.Server.start = interrupted_start
sys.exit(serve.serve_command(Project(root), port))
"""


@pytest.mark.parametrize("when", ["before", "after"])
def test_serve_stops_cleanly_on_ctrl_c_while_it_starts(tmp_path, when):
    root = make_review(tmp_path / "review", [study("alpha-2019", 2019)])
    process = subprocess.Popen([sys.executable, "-c", _CTRL_C_DURING_START, str(root), str(free_port()), when],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)
    assert_stopped_cleanly(process)


def test_serve_started_on_a_site_up_to_date_holds_the_review_for_the_first_edit(tmp_path):
    """The first edit after serve starts reads only the edited study file, as later edits do."""
    root = make_review(tmp_path / "review", [ALPHA, study("beta-2020", 2020, involvement="consulted")])
    assert main(["--root", str(root), "build"]) == 0
    server = Server(Project(root), port=0, interval=0.1, log=lambda line: None).start()
    try:
        assert server.cache.held_studies is not None
        assert (root / "site" / "studies" / "alpha-2019.html").is_file()
    finally:
        server.stop()
