"""The drawing server: matplotlib kept imported between builds, for rebuilds that redraw a figure.

Importing matplotlib takes about half a second, more than all the rest of a small rebuild. So the first
build that draws a figure leaves its drawing process running, detached, listening on a Unix socket in
`.cache/`: the next builds send it the figures to draw instead of importing matplotlib again. It stops
by itself once idle for IDLE_SECONDS, when its socket is removed (deleting `.cache/` stops it), or when a
build finds it stale (the engine, Python or matplotlib changed since it started). Builds in CI, in
`serve` (which keeps matplotlib imported itself) and with `--no-drawing-server` neither use nor start
one; a build that cannot reach it draws as if there were none.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import signal
import socket
import sys
import time
from pathlib import Path
from typing import Any, BinaryIO, Callable, Sequence

IDLE_SECONDS = 600.0
POLL_SECONDS = 1.0  # how soon a removed socket or the idle limit is noticed
HANDSHAKE_SECONDS = 1.0  # a build waits this long for a busy server to greet it before drawing itself
FIGURES_SECONDS = 60.0  # a server waits this long for a greeted build's figures before serving the next
SOCKET_PATH_LIMIT = 100  # a Unix socket's path must fit in 108 bytes; deeper folders go without a server
ENVIRONMENT = "LIVINGREVIEW_DRAWING_SERVER"  # "0" turns the server off, "1" on even in CI


def wanted() -> bool:
    """Whether builds here may use and start a server: not in CI unless asked, never when turned off."""
    setting = os.environ.get(ENVIRONMENT, "").strip().lower()
    if setting in ("0", "false", "no", "off"):
        return False
    if setting in ("1", "true", "yes", "on"):
        return True
    return os.environ.get("CI", "").strip().lower() in ("", "0", "false", "no")


def signature(matplotlib_version: str) -> str:
    """What a server must share with a build to draw for it: Python, matplotlib and the engine's files."""
    engine = Path(__file__).resolve().parent
    files = sorted((entry.name, entry.stat().st_size, entry.stat().st_mtime_ns)
                   for entry in os.scandir(engine) if entry.name.endswith(".py"))
    text = repr((sys.executable, sys.version, matplotlib_version, files))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Client:
    """A build's connection to a running server: greeted at once, sent figures later."""

    def __init__(self, connection: socket.socket):
        self.connection = connection
        self.reader: BinaryIO = connection.makefile("rb")
        self.writer: BinaryIO = connection.makefile("wb")
        self.sent = False
        self.pid = 0  # the server's process, once it has answered

    @classmethod
    def connect(cls, address: Path, expected: str) -> Client | None:
        """The running server at `address` if it answers and matches `expected`; otherwise None."""
        if len(os.fsencode(address)) > SOCKET_PATH_LIMIT or not address.exists():
            return None
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        connection.settimeout(HANDSHAKE_SECONDS)
        try:
            connection.connect(os.fspath(address))
            client = cls(connection)
            answer, client.pid = client._ask(("hello", expected))
            if answer == "ready":
                connection.settimeout(None)  # drawing may take long; the server stops a drawing that fails
                return client
        except (OSError, EOFError, ValueError, TypeError, pickle.UnpicklingError):
            pass  # no server (a socket left by one that stopped), a busy one or a stale one: draw without
        connection.close()
        return None

    def send(self, figures: Sequence[Any]) -> None:
        """Have the server draw `figures` into its cache, while the build goes on."""
        self.sent = bool(figures)
        if not self.sent:
            return  # closing tells the server there is nothing to draw
        try:
            pickle.dump(("draw", list(figures)), self.writer)
            self.writer.flush()
        except OSError:
            pass  # the server went away: `wait` says so

    def wait(self) -> bool:
        """Wait for the drawings sent; False if the server did not finish them."""
        try:
            return self.sent and pickle.load(self.reader) == "drawn"
        except (OSError, EOFError, ValueError, pickle.UnpicklingError):
            return False
        finally:
            self.close()

    def close(self) -> None:
        for stream in (self.reader, self.writer, self.connection):
            stream.close()

    def _ask(self, message: Any) -> Any:
        pickle.dump(message, self.writer)
        self.writer.flush()
        return pickle.load(self.reader)


def detach(address: Path, expected: str, draw: Callable[[Sequence[Any]], None]) -> None:
    """Leave a server running at `address` in a new session, and return at once.

    Called by a drawing process once it has imported matplotlib: the server is its fork, so it starts
    ready. A first fork detaches; the second makes sure the server can never own a terminal.
    """
    if len(os.fsencode(address)) > SOCKET_PATH_LIMIT:
        return
    first = os.fork()
    if first:
        os.waitpid(first, 0)
        return
    try:
        os.setsid()
        if os.fork():
            os._exit(0)
        _forget_the_build()
        Server(address, expected, draw).run()
    finally:
        os._exit(0)


def _forget_the_build() -> None:
    # Whoever reads the build's output (a terminal, a CI log, a pipe) waits until every process holding
    # it has closed it: a server must hold nothing of the build's.
    null = os.open(os.devnull, os.O_RDWR)
    for stream in (0, 1, 2):
        os.dup2(null, stream)
    os.closerange(3, 65536)
    os.chdir("/")
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class Server:
    """Draws for one build at a time (others wait, or draw themselves after HANDSHAKE_SECONDS)."""

    def __init__(self, address: Path, expected: str, draw: Callable[[Sequence[Any]], None]):
        self.address, self.expected, self.draw = address, expected, draw
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        # Bound under a private name, then renamed over any socket left behind: a build never finds a
        # half-made server, and only this user may connect (the socket is created 0600).
        partial = address.with_name(f"{address.name}.{os.getpid()}")
        old_mask = os.umask(0o177)
        try:
            self.listener.bind(os.fspath(partial))
        finally:
            os.umask(old_mask)
        self.listener.listen(8)
        os.replace(partial, address)
        self.identity = os.stat(address).st_ino
        self.listener.settimeout(POLL_SECONDS)

    def run(self) -> None:
        last_used = time.monotonic()
        try:
            while self._still_ours() and time.monotonic() - last_used < IDLE_SECONDS:
                try:
                    connection, _ = self.listener.accept()
                except TimeoutError:
                    continue
                last_used = time.monotonic()
                if not self._serve(connection):
                    break
        finally:
            self.listener.close()
            if self._still_ours():
                os.unlink(self.address)

    def _serve(self, connection: socket.socket) -> bool:
        """Greet a build, then draw what it sends; False once this server should stop."""
        reader, writer = connection.makefile("rb"), connection.makefile("wb")
        try:
            return self._converse(connection, reader, writer)
        finally:
            for stream in (writer, reader, connection):
                with contextlib.suppress(OSError):  # a build that went away: its answer is lost, not the server
                    stream.close()

    def _converse(self, connection: socket.socket, reader: BinaryIO, writer: BinaryIO) -> bool:
        connection.settimeout(HANDSHAKE_SECONDS)
        try:
            kind, sent = pickle.load(reader)
            current = kind == "hello" and sent == self.expected
            pickle.dump(("ready" if current else "stale", os.getpid()), writer)
            writer.flush()
            if not current:
                return False
            connection.settimeout(FIGURES_SECONDS)
            kind, figures = pickle.load(reader)
        except (OSError, EOFError, ValueError, TypeError, pickle.UnpicklingError):
            return True  # a build that went away or had nothing to draw: serve the next
        if kind != "draw":
            return True
        try:
            self.draw(figures)  # here, not in a fork: a fork's first drawing was about a sixth slower
        except Exception:
            return False  # the build draws the figures itself; a server that failed once stops
        with contextlib.suppress(OSError):
            pickle.dump("drawn", writer)
            writer.flush()
        return True

    def _still_ours(self) -> bool:
        try:
            return os.stat(self.address).st_ino == self.identity
        except OSError:
            return False
