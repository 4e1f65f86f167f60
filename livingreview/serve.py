"""`livingreview serve`: build, serve site/ on localhost, and rebuild when an input changes.

The server binds 127.0.0.1 only. A watcher polls the modification times of the files under every folder
the site is built from (studies/, content/, templates/, releases/, searches/ and screening/) and of the
site's own files twice a second, without a dependency (for a review so large that a poll takes more than a
twentieth of a second, less often: polling takes at most a tenth of a core), and rebuilds after a change: a
file of site/ changed by hand is made again. The build it starts takes the times it just read. A drawing
process started with the server keeps matplotlib imported and draws a rebuild's changed figures on the other
core, and what the cache holds stays in memory, so a rebuild reads from .cache/ only what changed there; it
writes the records of .cache/ once the new site is in place and the build is reported. A build that finds
problems prints them, path:line:column, and writes nothing (the pipeline validates before it writes), so the
previous site stays online until the problem is fixed.
"""

from __future__ import annotations

import gc
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING

from .cache import Cache, Stats, stats_under
from .diagnostics import BuildError
from .project import Project

if TYPE_CHECKING:
    from .figures import FigureData
    from .parallel import Companion

HOST = "127.0.0.1"
_POLL_RATIO = 10  # the watcher waits at least this many times as long as its last snapshot took

def snapshot(project: Project) -> Stats:
    """Size and modification time of every entry but folders under what the site is built from (a link or pipe
    too, never followed): the watcher compares one with the last, and the build it starts takes its files'
    times from it instead of looking again."""
    return stats_under(project.inputs)


def site_snapshot(project: Project) -> Stats:
    """The same of the site: the build takes from it which files of the site are as the last build left them
    (10,000 pages: 0.07 s of each rebuild, when the build looked itself)."""
    return stats_under([project.site])


class _Handler(SimpleHTTPRequestHandler):
    """Static files from site/, never cached by the browser, without a log line per request."""

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


class Server:
    """The site on http://127.0.0.1:PORT/, rebuilt on change; `stop()` ends it (for tests)."""

    def __init__(self, project: Project, port: int = 8000, interval: float = 0.5,
                 log: Callable[[str], None] | None = None):
        self.project, self.interval = project, interval
        self.log = log or (lambda line: print(line, file=sys.stderr, flush=True))
        self.builds = 0    # finished build attempts, successful or not
        self.failures = 0  # of which found problems
        self._stopping = threading.Event()
        self._build_lock = threading.Lock()
        self.project.site.mkdir(parents=True, exist_ok=True)
        handler = partial(_Handler, directory=str(project.site))
        self.httpd = ThreadingHTTPServer((HOST, port), handler)
        self.httpd.daemon_threads = True
        self._threads: list[threading.Thread] = []
        # kept between builds: the records stay in memory, and are written once a build's site is published and
        # reported (at 10,000 studies, 0.05 s of a one-study edit)
        self.cache = Cache(project.cache, hold=True, defer=True)
        self.drawing: Companion[dict[str, FigureData], dict[str, bytes]] | None = None  # started by `start`
        self._seen: Stats = {}  # the inputs' and the site's files when the watcher last looked (`start`)
        self._site_seen: Stats = {}

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/"

    def rebuild(self, seen: Stats | None = None, force: bool = False, site_seen: Stats | None = None) -> bool:
        """Build once; print the problems instead of raising. True if the site was written. `seen`, `site_seen`:
        the input files' and the site's sizes and times, if just taken; `force`: build even a site that is up to
        date."""
        from .cache import Previous
        from .pipeline import build

        with self._build_lock:
            started = time.perf_counter()
            gc.disable()  # as a build does (and the input files' digests before it); collected once it is reported
            try:
                project = self.project
                previous = Previous(project.cache, project.inputs, project.site, self.cache, seen, site_seen)
                summary = build(project, force=force, previous=previous,
                                drawer=self.drawing.turn() if self.drawing else None)
                self.log(f"{summary} in {time.perf_counter() - started:.2f} s")
                ok = True
            except BuildError as error:
                for diagnostic in sorted(set(error.diagnostics)):
                    self.log(str(diagnostic))
                count = len(set(error.diagnostics))
                self.log(f"serve: {count} problem{'s' * (count != 1)}; still serving the previous site")
                ok = False
            except Exception:  # a bug or an unreadable file must not stop the server
                self.log(traceback.format_exc().rstrip())
                self.log("serve: the build failed; still serving the previous site")
                ok = False
            finally:
                self.cache.flush()
                # What the build made may be collected now that the site is published and the build reported:
                # the full collection this calls for is done here, not within the build (10,000 studies, alternated
                # sessions of 6 edits: a coding edit 0.47 -> 0.45 s, a title edit 0.41 -> 0.39 s, medians).
                gc.enable()
                gc.collect()
            self.builds += 1
            self.failures += not ok
            return ok

    def start(self) -> Server:
        """Start the drawing process; build, then serve and watch in background threads."""
        from .drawer import start_companion

        try:
            self.drawing = start_companion(self.project.cache)
        except OSError:  # no process may be started (a limit on processes): rebuilds draw in this one
            self.drawing = None
        self._seen = snapshot(self.project)
        # Built even when the site is up to date: the build loads the review, which this process then holds,
        # so that the first edit costs what later ones do (at 10,000 studies, 0.5 s instead of 1.3 s).
        self.rebuild(self._seen, force=True)
        self._site_seen = site_snapshot(self.project)
        for target, name in ((self.httpd.serve_forever, "serve-http"), (self._watch, "serve-watch")):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def _watch(self) -> None:
        wait = self.interval
        while not self._stopping.wait(wait):
            started = time.perf_counter()
            current, site = snapshot(self.project), site_snapshot(self.project)
            # Polling takes at most a tenth of a core: a large review's snapshot (100,000 study files, half a
            # second) is taken less often than twice a second.
            wait = max(self.interval, _POLL_RATIO * (time.perf_counter() - started))
            if current != self._seen or site != self._site_seen:
                changed = _changed(self._seen, current) + _changed(self._site_seen, site)
                self._seen = current
                shown = ", ".join(self.project.display(Path(p)) for p in changed[:3])
                more = f" and {len(changed) - 3} more" if len(changed) > 3 else ""
                self.log(f"serve: {shown}{more} changed; rebuilding")
                self.rebuild(current, site_seen=site)
                # the site as this build left it: what it wrote is no change to build again for
                self._site_seen = site_snapshot(self.project)

    def stop(self) -> None:
        self._stopping.set()
        if self._threads:  # shutdown() waits for serve_forever(), which runs only once started
            self.httpd.shutdown()
        self.httpd.server_close()
        for thread in self._threads:
            thread.join(timeout=10)
        if self.drawing:
            self.drawing.stop()


def _changed(before: Stats, now: Stats) -> list[str]:
    """The paths added, removed or changed, sorted."""
    return sorted(before.keys() ^ now.keys() | {path for path in now if path in before and now[path] != before[path]})


def serve_command(project: Project, port: int = 8000) -> int:
    """Run until Ctrl-C."""
    try:
        server = Server(project, port)
    except OSError as error:
        print(f"serve: cannot listen on {HOST}:{port} ({error.strerror or error}); "
              f"try another port with --port", file=sys.stderr)
        return 1
    # Ctrl-C and a polite kill both stop the server, even when it was started where SIGINT is
    # ignored (in the background of a non-interactive shell).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:  # from here on, Ctrl-C stops the server whenever it comes (it may come before the first nap)
        server.start()
        watched = ", ".join(project.display(folder) + "/" for folder in project.inputs)
        print(f"serve: {server.url} (watching {watched}; Ctrl-C stops)", flush=True)
        if (project.site / "draft").is_dir():  # with releases, the site's root shows the latest release
            print(f"serve: your changes, not yet released, are in the draft: {server.url}draft/", flush=True)
        # Short naps, not one long wait: the kernel may hand Ctrl-C to a background thread, and
        # Python then runs the handler only when this thread next wakes.
        while True:
            time.sleep(0.2)
    except KeyboardInterrupt:
        print("serve: stopped", file=sys.stderr)
    finally:
        server.stop()
    return 0
