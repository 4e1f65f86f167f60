"""The drawing server: left by a build that imported matplotlib, used by the next builds, never in the way."""

import hashlib
import os
import shutil
import socket
import stat
import sys
import tempfile
import time
from pathlib import Path

import pytest

import livingreview.draw
from livingreview import drawing_server
from livingreview.cli import main
from livingreview.drawing_server import Client, detach, wanted
from livingreview.pipeline import build as pipeline_build
from livingreview.project import Project
from conftest import run_build_py, wait_for
from scratch import make_review, study, write_study

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the server is forked; checked via /proc")

STUDIES = [
    study("alpha-2019", 2019, role="peer-support", phases=["delivery"], country=["US"]),
    study("beta-2020", 2020, role="pre-determined", phases=["delivery"], country=["GB"]),
]


def build(root: Path) -> int:
    return main(["--root", str(root), "build"])


def address(review: Path) -> Path:
    return review / ".cache" / "drawing-server.sock"


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")  # a zombie has stopped: only its parent's wait is left




def server_pid(review: Path, signature: str | None = None) -> int | None:
    """The pid of the server answering at the review's socket with this engine's signature, if any."""
    client = Client.connect(address(review), signature or livingreview.draw.server_signature())
    if client is None:
        return None
    client.close()
    return client.pid


def detached(review: Path, signature: str, draw) -> int:
    """Start a server for the review as a drawing process would; its pid, once it answers."""
    detach(address(review), signature, draw)
    assert wait_for(lambda: server_pid(review, signature) is not None), "the server did not start"
    return server_pid(review, signature)


def snapshot(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(site.rglob("*")) if p.is_file()}


@pytest.fixture
def reviews(monkeypatch):
    """Makes reviews in a short temporary folder (a socket's path is limited); stops their servers after."""
    monkeypatch.setenv(drawing_server.ENVIRONMENT, "1")
    folder = Path(tempfile.mkdtemp(prefix="lr-"))
    made = []

    def make(name: str = "r") -> Path:
        made.append(make_review(folder / name, STUDIES))
        return made[-1]

    yield make
    for review in made:
        pid = server_pid(review)
        address(review).unlink(missing_ok=True)  # how a user stops it: the server sees its socket gone
        assert pid is None or wait_for(lambda: not alive(pid)), "a server outlived its socket"
    shutil.rmtree(folder)


def test_a_build_that_draws_leaves_a_server_that_draws_the_next_build_s_changed_figures(reviews, monkeypatch):
    review = reviews()
    assert build(review) == 0
    assert wait_for(lambda: server_pid(review) is not None)
    pid = server_pid(review)
    assert pid != os.getpid() and alive(pid)
    assert stat.S_IMODE(os.stat(address(review)).st_mode) == 0o600  # only its user may connect
    before = (review / "site/figures/roles.svg").read_bytes()

    started = []
    monkeypatch.setattr(livingreview.draw.Drawer, "_start", lambda self: started.append(self))
    write_study(review, study("beta-2020", 2020, role="peer-support", phases=["delivery"], country=["GB"]))
    assert build(review) == 0
    assert not started  # no drawing process of its own: the server drew
    assert (review / "site/figures/roles.svg").read_bytes() != before
    gap_map = (review / "site/figures/gap-map.svg").read_bytes()
    write_study(review, study("beta-2020", 2020, role="pre-determined", phases=["commissioning"], country=["GB"]))
    assert build(review) == 0  # a second drawing in the same process: nothing of the first may leak into it
    assert not started
    assert (review / "site/figures/gap-map.svg").read_bytes() != gap_map
    assert server_pid(review) == pid  # the same server, still there for the next build

    monkeypatch.undo()
    other = reviews("other")
    monkeypatch.setenv(drawing_server.ENVIRONMENT, "0")
    for path in (review / "studies").iterdir():
        (other / "studies" / path.name).write_bytes(path.read_bytes())
    assert build(other) == 0  # every figure drawn by the build itself
    assert snapshot(other / "site") == snapshot(review / "site")


def test_a_stale_server_stops_and_the_build_draws_and_leaves_a_current_one(reviews):
    review = reviews()
    (review / ".cache").mkdir()
    stale = detached(review, "an older engine", lambda figures: None)
    assert alive(stale)
    assert build(review) == 0
    assert (review / "site/figures/roles.svg").read_bytes().startswith(b"<?xml")
    assert wait_for(lambda: not alive(stale))
    assert wait_for(lambda: server_pid(review) is not None)
    assert server_pid(review) != stale


def test_a_server_that_fails_to_draw_leaves_the_figures_to_the_build(reviews, monkeypatch):
    review = reviews()
    (review / ".cache").mkdir()
    detached(review, livingreview.draw.server_signature(), lambda figures: os._exit(1))
    started = []
    monkeypatch.setattr(livingreview.draw.Drawer, "_start", lambda self: started.append(self))
    assert build(review) == 0
    assert not started  # it relied on the server, which failed: the build drew in its own process
    other = reviews("other")
    monkeypatch.setenv(drawing_server.ENVIRONMENT, "0")
    assert build(other) == 0
    assert snapshot(other / "site") == snapshot(review / "site")


def test_removing_its_socket_stops_the_server(reviews):
    review = reviews()
    assert build(review) == 0
    assert wait_for(lambda: server_pid(review) is not None)
    pid = server_pid(review)
    shutil.rmtree(review / ".cache")
    assert wait_for(lambda: not alive(pid), seconds=5 * drawing_server.POLL_SECONDS + 2)


def test_an_idle_server_stops_by_itself(reviews, monkeypatch):
    review = reviews()
    (review / ".cache").mkdir()
    monkeypatch.setattr(drawing_server, "IDLE_SECONDS", 0.5)
    pid = detached(review, "any", lambda figures: None)
    assert alive(pid)
    assert wait_for(lambda: not alive(pid), seconds=0.5 + 3 * drawing_server.POLL_SECONDS)
    assert not address(review).exists()


def test_a_build_waits_at_most_a_second_for_a_server_busy_with_another_build(reviews):
    review = reviews()
    (review / ".cache").mkdir()
    detached(review, "any", lambda figures: None)
    first = Client.connect(address(review), "any")  # greeted: the server now waits for its figures
    assert first is not None
    started = time.monotonic()
    assert Client.connect(address(review), "any") is None  # so this build draws for itself
    assert time.monotonic() - started < drawing_server.HANDSHAKE_SECONDS + 0.5
    first.send([])
    assert first.wait() is False  # nothing was sent: nothing to wait for
    assert wait_for(lambda: server_pid(review, "any") is not None)  # and the server serves the next build


def test_a_socket_left_by_a_server_that_died_is_ignored_and_replaced(reviews):
    review = reviews()
    (review / ".cache").mkdir()
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dead.bind(str(address(review)))
    dead.close()  # the file stays; nothing listens
    assert build(review) == 0
    assert wait_for(lambda: server_pid(review) is not None)


def test_a_build_run_from_a_pipe_returns_while_its_server_stays(reviews):
    review = reviews()
    result = run_build_py(review, "build", timeout=60)  # would time out if the server held the pipe
    assert result.returncode == 0, result.stderr
    assert wait_for(lambda: server_pid(review) is not None)


def test_builds_without_a_server_when_turned_off_in_ci_or_in_serve(reviews, monkeypatch):
    review = reviews()
    assert main(["--root", str(review), "build", "--no-drawing-server"]) == 0
    assert not address(review).exists()
    monkeypatch.setenv(drawing_server.ENVIRONMENT, "0")
    shutil.rmtree(review / ".cache")
    assert main(["--root", str(review), "build", "--force"]) == 0
    assert not address(review).exists()
    monkeypatch.delenv(drawing_server.ENVIRONMENT)
    monkeypatch.setenv("CI", "true")
    shutil.rmtree(review / ".cache")  # every build here draws every figure
    assert main(["--root", str(review), "build", "--force"]) == 0
    assert not address(review).exists()
    monkeypatch.delenv("CI")
    shutil.rmtree(review / ".cache")
    pipeline_build(Project(review), force=True, drawing_server=False)  # how `serve` builds
    assert not address(review).exists()


def test_no_server_where_the_socket_path_would_be_too_long(tmp_path):
    deep = tmp_path / ("d" * drawing_server.SOCKET_PATH_LIMIT)
    deep.mkdir()
    target = deep / "drawing-server.sock"
    detach(target, "any", lambda figures: None)  # returns without forking a server
    assert not target.exists()
    assert Client.connect(target, "any") is None


@pytest.mark.parametrize("setting, ci, expected", [
    (None, None, True), (None, "true", False), (None, "false", True), ("0", None, False),
    ("off", None, False), ("1", "true", True), ("yes", None, True), ("", "1", False),
])
def test_wanted_follows_the_setting_and_otherwise_stays_out_of_ci(monkeypatch, setting, ci, expected):
    for name, value in ((drawing_server.ENVIRONMENT, setting), ("CI", ci)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    assert wanted() is expected
