"""Work on both cores: the one place the engine starts a second process."""

from __future__ import annotations

import contextlib
import os
import signal
import struct
import sys
import threading
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from typing import Any, Generic, NoReturn, TypeVar, cast

PARALLEL_FROM = 1000  # below this many items a second process costs more than it saves
STREAMED = 500  # items of a chunk whose second half the forked process sends back at once (map_in_parallel)
WORKER_ITEMS = 4000  # items one helper of `Shared` takes before it ends and the next is forked
HELPER_NICENESS = 5  # a helper of `Shared` yields a core to the process that forked it (see `Shared`)
CHEAP_FORK_UP_TO = 512 * 2**20  # bytes resident: see `forks_cheaply`
Item = TypeVar("Item")
Result = TypeVar("Result")
Task = TypeVar("Task")


def map_in_parallel(function: Callable[[Item], Result], items: Sequence[Item],
                    threshold: int = PARALLEL_FROM, chunk: int = STREAMED) -> list[Result]:
    """`function(item)` for every item, in order. From `threshold` items on, the items are taken in chunks
    of `chunk`, and the second half of every chunk runs in one forked process (which inherits `function`:
    nothing is pickled but the results it sends back).

    The forked process sends each chunk's results as soon as it has made them: had it sent its whole half at
    the end, it would have held all of them meanwhile, and this process, done with its own half, would have
    waited for them to be sent and read (a fresh check of 100,000 studies: 29.3 -> 27.6 s, and 45 MiB less).
    One process serves for all the chunks: it reads only its items and what `function` holds, so the memory
    it shares with this one is not copied as this one grows."""
    if len(items) < threshold or not _may_fork():
        return [function(item) for item in items]
    results: list[Result] = []
    for made in _with_worker(function, [items[start:start + chunk] for start in range(0, len(items), chunk)]):
        results.extend(made)
    return results


def _with_worker(function: Callable[[Item], Result],
                 chunks: Sequence[Sequence[Item]]) -> Generator[list[Result], None, None]:
    """Each chunk's results, the second half of every chunk from one forked process (which inherits
    `function`: nothing is pickled but the results it sends back)."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)

    def second_halves() -> None:
        _ended_quietly()
        try:
            for chunk in chunks:  # each answer waits in the pipe until the parent takes it
                sender.send([function(item) for item in chunk[len(chunk) // 2:]])
        except BaseException:  # noqa: BLE001 - the parent does the rest itself and meets the error
            sender.send(None)

    worker = context.Process(target=second_halves, daemon=True)
    worker.start()
    sender.close()
    helped = True
    try:
        for chunk in chunks:
            half = len(chunk) // 2
            first = [function(item) for item in chunk[:half]]
            rest = None
            if helped:
                try:
                    rest = receiver.recv()
                except EOFError:  # the worker died
                    pass
                helped = rest is not None  # after a failure or its end, this process does every half
            yield first + (rest if rest is not None else [function(item) for item in chunk[half:]])
    finally:  # also when the caller stops early: no process outlives the work
        receiver.close()
        worker.terminate()
        worker.join()


@contextlib.contextmanager
def aside(task: Callable[[], object]) -> Generator[None, None, None]:
    """Run `task` in a forked process while the block runs here, and wait for it when the block ends (or
    stop it, if the block fails). For work whose effect is a file (a drawing kept in the cache), which the
    caller checks for afterwards and makes itself if the task did not: nothing comes back but that. Where no
    process may be forked, `task` runs here first.

    A plain `os.fork`: this may run in a multiprocessing worker, which multiprocessing lets have no children
    (a Standby's, the companion)."""
    if not _may_fork():
        task()
        yield
        return
    pid = os.fork()
    if pid == 0:  # the forked process
        status = 1
        try:
            _ended_quietly()
            task()
            status = 0
        finally:
            os._exit(status)  # no cleanup of what the parent holds: its files and pipes are the parent's
    try:
        yield
    except BaseException:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        raise
    finally:
        os.waitpid(pid, 0)


class Beside(Generic[Result]):
    """The values `work()` yields, made in a forked process while this one does other work: each is sent back
    as soon as it is made (through a pipe between this process and its own child only, never through a file)
    and taken with `next`. Where no process may be forked, or `fork` is false, or the forked process fails (a
    problem in the data), `work()` runs here when a value is asked for, and meets the same error itself.

    Used as a context manager: on leaving the block, a forked process still at work is stopped, and waited for."""

    def __init__(self, work: Callable[[], Iterator[Result]], fork: bool = True):
        self.work, self.taken = work, 0
        self.here: Iterator[Result] | None = None
        self.pid: int | None = None
        self.pipe: Any = None
        if not (fork and _may_fork()):
            return
        import fcntl  # where a process may fork
        from multiprocessing.connection import Pipe

        self.pipe, sending = Pipe(duplex=False)
        with contextlib.suppress(AttributeError, OSError):  # a larger pipe (Linux): the first value seldom waits
            fcntl.fcntl(sending.fileno(), fcntl.F_SETPIPE_SZ, _PIPE_BYTES)  # type: ignore[attr-defined]
        pid = os.fork()
        if pid == 0:  # the forked process
            self.pipe.close()
            _send_all(work, sending)
        sending.close()
        self.pid = pid

    def __enter__(self) -> Beside[Result]:
        return self

    def __exit__(self, *exception: object) -> None:
        self.cancel()

    def __iter__(self) -> Beside[Result]:
        return self

    def __next__(self) -> Result:
        if self.pipe is not None:
            try:
                made, value = self.pipe.recv()
            except (EOFError, OSError):  # gone
                made, value = False, None
            if made:
                self.taken += 1
                return cast(Result, value)
            self.cancel()  # failed, or gone: the rest is done here
        if self.here is None:
            self.here = self.work()
            for _ in range(self.taken):  # the values the other process gave are made again, and passed over
                next(self.here)
        return next(self.here)

    def cancel(self) -> None:
        _end(self.pipe, self.pid)
        self.pipe, self.pid = None, None


_PIPE_BYTES = 1 << 20  # the most a pipe may hold without privileges, by default


def _end(pipe: Any, pid: int | None) -> None:
    """Close this end of a forked process's pipe, stop the process (if it still runs) and reap it."""
    if pipe is not None:
        pipe.close()
    if pid is not None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)


class Shared(Generic[Item, Result]):
    """`[function(item) for item in chunk]` for every chunk, shared out between this process and helpers it
    forks: each takes the next chunk nobody has taken, so that neither waits for the other while chunks are
    left. For work whose effect is elsewhere (a file written) and whose results are small: a helper sends its
    results back as it goes, and `results` gives every chunk's, in order.

    The first helper is forked at once. Each takes chunks until it has done `per_helper` items, then ends,
    and the next is forked when this process, between the items of its own chunks, finds it ended (it looks
    at most every TEND_EVERY seconds). A helper copies whatever memory it shares with this process that either of them
    writes to (reading a Python object writes its reference count): one helper for a large review's every
    page, beside this process, would end up with a copy of much of it (100,000 studies, one helper started
    before the records and the table: 2.2 GB in all, against 1.4). A chunk a helper failed at (a problem in
    the data) or did not finish is done here, and meets the same error; no helper is forked after that.
    A helper runs at a niceness HELPER_NICENESS above this process's: where the two compete for a core (a
    third process at work, or this one at work of its own that no helper shares), this one goes first.
    Below `threshold` items, or where no process may fork, every chunk is done here. Used as a context
    manager: leaving the block stops the helper.

    With `press` (a Press and what it is to do: chunk `number`'s results, the same as this process's), the
    press is the helper, and none is forked."""

    def __init__(self, function: Callable[[Item], Result], chunks: Sequence[Sequence[Item]],
                 threshold: int = PARALLEL_FROM, per_helper: int = WORKER_ITEMS,
                 press: tuple[Press, Callable[[int], list[Result]]] | None = None):
        self.function, self.chunks, self.per_helper = function, chunks, per_helper
        self.done: dict[int, list[Result]] = {}
        self.pid: int | None = None
        self.pipe: Any = None
        self.helping = sum(map(len, chunks)) >= threshold and _may_fork()
        self.look = 0.0
        self.pressed = False
        if self.helping and press is not None and (given := press[0].give(press[1], len(chunks))) is not None:
            self.tickets, self.pipe, self.pid = given
            self.pressed = True
            return
        self.tickets = _tickets(len(chunks)) if self.helping else -1
        self._fork()

    def __enter__(self) -> Shared[Item, Result]:
        return self

    def __exit__(self, *exception: object) -> None:
        self.cancel()

    def _tend(self) -> None:
        """Take what the helper has sent; if it has ended and chunks are left, fork the next."""
        if self.pid is None or time.monotonic() < self.look:
            return
        self.look = time.monotonic() + TEND_EVERY
        self._take(wait=False)
        if self.pid is None:
            self._fork()

    def results(self) -> list[list[Result]]:
        """Every chunk's results, in the order of the chunks."""
        while (number := self._ticket()) is not None:
            self.done[number] = self._do(number, tending=True)
        self._take(wait=True)
        self.cancel()
        return [self.done[number] if number in self.done else self._do(number) for number in range(len(self.chunks))]

    def cancel(self) -> None:
        """Stop the helper, and take no more tickets."""
        self.helping = False
        self._stop()
        if self.tickets >= 0:
            os.close(self.tickets)
            self.tickets = -1

    def _fork(self) -> None:
        if not self.helping or self.pressed or not _tickets_left(self.tickets):
            return
        from multiprocessing.connection import Pipe

        self.pipe, sending = Pipe(duplex=False)
        with contextlib.suppress(AttributeError, OSError):  # a larger pipe (Linux): the helper seldom waits
            import fcntl

            fcntl.fcntl(sending.fileno(), fcntl.F_SETPIPE_SZ, _PIPE_BYTES)  # type: ignore[attr-defined]
        pid = os.fork()
        if pid == 0:
            self.pipe.close()
            with contextlib.suppress(OSError):
                os.nice(HELPER_NICENESS)
            self._help(sending)
        sending.close()
        self.pid = pid

    def _help(self, sending: Any) -> NoReturn:
        """In a helper: chunks until `per_helper` items are done or none is left, each chunk's results sent as
        they are made, then None. A chunk that fails ends the helper, unsent."""
        status = 1
        try:
            _ended_quietly()
            items = 0
            while items < self.per_helper and (number := self._ticket()) is not None:
                sending.send((number, self._do(number)))
                items += len(self.chunks[number])
            sending.send(None)
            status = 0
        finally:
            os._exit(status)

    def _take(self, wait: bool) -> None:
        """Take the helper's results sent so far (with `wait`, all of them); once it has ended, reap it, and
        if it failed, fork no other."""
        if self.pipe is None:
            return
        try:
            while wait or self.pipe.poll():
                answer = self.pipe.recv()
                if answer is None:
                    break
                number, results = answer
                self.done[number] = results
            else:
                return  # still at work
        except (EOFError, OSError):  # failed, or gone: what it did not give back is done here
            self.helping = False
        self._stop()

    def _stop(self) -> None:
        _end(self.pipe, self.pid)
        self.pipe, self.pid = None, None

    def _ticket(self) -> int | None:
        """The number of the next chunk nobody has taken, taking it; None once every ticket is taken (at once
        without a helper: `results` then does every chunk)."""
        try:
            ticket = os.read(self.tickets, _TICKET.size) if self.tickets >= 0 else b""
        except BlockingIOError:  # none left in a press's tickets (see `Press.give`)
            return None
        return _TICKET.unpack(ticket)[0] if ticket else None

    def _do(self, number: int, tending: bool = False) -> list[Result]:
        """A chunk's results; `tending` (here, while a helper may be at work): a helper that has ended is
        followed by the next as soon as this process has done an item, not a chunk."""
        results = []
        for item in self.chunks[number]:
            results.append(self.function(item))
            if tending:
                self._tend()
        return results


class Press:
    """A process forked at once, while this one is small, to share chunks of work with it later (`Shared`):
    forked then from a large process, a helper would make both copy every page of memory either writes to
    (reading a Python object writes its reference count), and this process, at work on its own while the
    helper lives, writes to most of its pages. The press shares nothing made after the fork: its work comes
    as a picklable callable (`work(number)`: chunk `number`'s results), and it takes the chunks' numbers
    from the same tickets as this process. It waits, blocked, until given its work; `cancel` stops it if it
    is never given any. Where no process may fork, there is none."""

    def __init__(self) -> None:
        self.pid: int | None = None
        self.orders: Any = None
        self.results: Any = None
        self.tickets, self.tickets_in = -1, -1
        if not _may_fork():
            return
        from multiprocessing.connection import Pipe

        tickets, tickets_in = os.pipe()
        orders, ordering = Pipe(duplex=False)
        self.results, sending = Pipe(duplex=False)
        with contextlib.suppress(AttributeError, OSError):  # a larger pipe (Linux): the press seldom waits
            import fcntl

            fcntl.fcntl(sending.fileno(), fcntl.F_SETPIPE_SZ, _PIPE_BYTES)  # type: ignore[attr-defined]
        pid = os.fork()
        if pid == 0:
            os.close(tickets_in)
            ordering.close()
            self.results.close()
            _press(tickets, orders, sending)
        orders.close()
        sending.close()
        self.pid, self.orders, self.tickets, self.tickets_in = pid, ordering, tickets, tickets_in

    def give(self, work: Callable[[int], list[Result]], count: int) -> tuple[int, Any, int] | None:
        """Hand the press its work, the tickets of `count` chunks with it; for `Shared`, this process's end of
        the tickets, the pipe the press sends its results through, and the press (whose end is then
        `Shared`'s to see to). None if the press is gone or was given work before."""
        if self.pid is None:
            return None
        _put_tickets(self.tickets_in, count)
        try:
            self.orders.send(work)
        except OSError:  # the press is gone
            self.cancel()
            return None
        self.orders.close()
        os.set_blocking(self.tickets, False)  # a ticket not there now never comes: the tickets are all in
        given = (self.tickets, self.results, self.pid)
        self.pid, self.orders, self.results, self.tickets, self.tickets_in = None, None, None, -1, -1
        return given

    def cancel(self) -> None:
        """Stop the press if it was never given its work, and wait for it: no process outlives the build."""
        if self.pid is not None:
            self.orders.close()
            os.close(self.tickets_in)
            os.close(self.tickets)
            _end(self.results, self.pid)
            self.pid = None


def _press(tickets: int, orders: Any, sending: Any) -> NoReturn:
    """In the press: wait for the work, then take tickets until none is left, sending each chunk's results
    as (its number, them), then None. They are sent by a thread of the press's own, so that the press goes on
    while the process that gave it the work, busy with its own, does not take them (the pipe is full after
    a few chunks); meanwhile they wait encoded, as they would be sent, not as the many objects they are made
    of. A chunk that fails ends the press, unsent."""
    import queue
    from multiprocessing.reduction import ForkingPickler

    status = 1
    try:
        _ended_quietly()
        with contextlib.suppress(OSError):
            os.nice(HELPER_NICENESS)
        try:
            work = orders.recv()
        except EOFError:  # never given work
            os._exit(0)
        made: queue.SimpleQueue[Any] = queue.SimpleQueue()
        sender = threading.Thread(target=_send_queued, args=(made, sending))
        sender.start()
        try:
            while (number := _next_ticket(tickets)) is not None:
                made.put(ForkingPickler.dumps((number, work(number))))
            made.put(ForkingPickler.dumps(None))
            status = 0
        finally:
            made.put(_STOP)
            sender.join()
    finally:
        os._exit(status)


def _next_ticket(tickets: int) -> int | None:
    """The next chunk's number from a pipe of tickets all put there already (non-blocking); None once it is empty."""
    try:
        ticket = os.read(tickets, _TICKET.size)
    except BlockingIOError:
        return None
    return _TICKET.unpack(ticket)[0] if ticket else None


_STOP = object()  # the press's sender ends here: what came after a failure is not sent


def _send_queued(made: Any, sending: Any) -> None:
    """Send what is queued, each encoded already as `Connection.send` would encode it before `send_bytes`."""
    with contextlib.suppress(OSError):
        while (value := made.get()) is not _STOP:
            sending.send_bytes(value)


TEND_EVERY = 0.02  # seconds: how often `Shared` looks at its helper between its own items
_TICKET = struct.Struct("=I")


def _tickets(count: int) -> int:
    """A pipe holding the numbers of `count` chunks, as tickets: a process takes the next chunk by reading its
    ticket (a read of a few bytes from a pipe is never split), and finds none at the pipe's end. Tickets the
    pipe has no room for are never taken: those chunks are done by the process that asks for the results.
    (Where processes may fork: on Unix.)"""
    tickets, tickets_in = os.pipe()
    _put_tickets(tickets_in, count)
    return tickets


def _put_tickets(tickets_in: int, count: int) -> None:
    """Put the tickets of `count` chunks in a pipe (see `_tickets`), and close its end."""
    import fcntl

    try:
        with contextlib.suppress(AttributeError, OSError):  # a larger pipe (Linux): room for more tickets
            fcntl.fcntl(tickets_in, fcntl.F_SETPIPE_SZ, _PIPE_BYTES)  # type: ignore[attr-defined]
        os.set_blocking(tickets_in, False)
        with contextlib.suppress(BlockingIOError):
            data = b"".join(_TICKET.pack(number) for number in range(count))
            while data:
                data = data[os.write(tickets_in, data):]
    finally:
        os.close(tickets_in)


def _tickets_left(tickets: int) -> bool:
    """Whether a ticket is in the pipe (another process may take it first: a helper that finds none ends)."""
    import fcntl
    import termios

    buffer = bytearray(4)
    fcntl.ioctl(tickets, termios.FIONREAD, buffer)
    return int.from_bytes(buffer, sys.byteorder) > 0


def _send_all(work: Callable[[], Iterator[Any]], sending: Any) -> NoReturn:
    """In the forked process: send what `work()` yields, each value as (True, value); (False, None) says that
    the work failed."""
    status = 1
    try:
        _ended_quietly()
        try:
            for value in work():
                sending.send((True, value))
        except Exception:  # noqa: BLE001 - the parent does the work itself and meets the error
            sending.send((False, None))
        status = 0
    finally:
        os._exit(status)  # no cleanup of what the parent holds: its files and pipes are the parent's


def _ended_quietly() -> None:
    """In a forked worker: Ctrl-C and the parent's `terminate()` end it at once and without a word. It inherits
    the parent's handlers, and `serve`'s turn both signals into KeyboardInterrupt, whose traceback the worker
    would print when stopped as it finished."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def forks_cheaply() -> bool:
    """Whether this process is small enough (resident in memory: under CHEAP_FORK_UP_TO) for a helper to live
    beside its own work, not only beside its share of the helper's: every page of memory either of them then
    writes to (reading a Python object writes its reference count) is copied, and the more this process
    holds, the more that costs. A cold build's study pages begun beside its table and downloads: 10,000
    studies (a process of 190 MB), 6.09 -> 5.63 s (medians of 5), and one helper for all its pages 5.40 ->
    4.93 s; 100,000 studies (1.2 GB), one helper for all its pages: 1871 MiB at the peak, over the 1.5 GB
    the build may take, and helpers of 4,000 pages each gave no gain (2 quiet runs each)."""
    return _resident_bytes() < CHEAP_FORK_UP_TO


def _resident_bytes() -> int:
    """This process's resident size, or 0 where the system does not say (no helper is forked there)."""
    try:
        with open("/proc/self/statm", "rb") as statm:  # Linux
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        pass
    try:
        import resource
    except ImportError:
        return 0
    # the largest so far: bytes on macOS, kilobytes elsewhere
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == "darwin" else 1024)


def _may_fork() -> bool:
    """Whether a second process can help, and is safe to fork: a process with other threads (serve) does
    not fork, since a fork copies only the calling thread and a lock another thread held would never be
    released in the child."""
    return (os.cpu_count() or 1) >= 2 and hasattr(os, "fork") and threading.active_count() == 1


class Standby(Generic[Task, Result]):
    """A forked process started at once that gets ready (`prepare()`: an import that takes a while) while
    this one works, then waits for its task: `give(task)` hands it over, `result()` waits for `work(task)`.
    A task of None sends it away. Where no process may be forked, `work(task)` runs in `result()`.

    Not `prepare_now`: the process gets ready only once it has a task (none: it never does), or once told to
    (`get_ready`). It is forked now all the same, while this process is small: a fork shares this process's
    memory, and every page this process then writes while the other lives is copied."""

    def __init__(self, prepare: Callable[[], None], work: Callable[[Task], Result], prepare_now: bool = True):
        self.work = work
        self.task: Task | None = None
        self.worker: Any = None
        if not _may_fork():
            return
        import multiprocessing

        context = multiprocessing.get_context("fork")
        task_end, self.tasks = context.Pipe(duplex=False)
        # A larger pipe (Linux): a task is handed over at once while the process still gets ready. The
        # repository's figures are some 55-72 KB pickled; past the 64 KiB a pipe holds by default, `give` waited
        # for matplotlib's import in the other process (0.39 s more, in every other cold build of the benchmark).
        with contextlib.suppress(AttributeError, OSError):
            import fcntl

            fcntl.fcntl(self.tasks.fileno(), fcntl.F_SETPIPE_SZ, _PIPE_BYTES)  # type: ignore[attr-defined]
        self.receiver, result_end = context.Pipe(duplex=False)

        def run() -> None:
            _ended_quietly()
            try:
                ready = prepare_now
                if ready:
                    prepare()
                while isinstance(task := task_end.recv(), _GetReady):
                    if not ready:
                        prepare()
                        ready = True
                if task is not None:
                    if not ready:
                        prepare()
                    result_end.send(work(task))
            except BaseException:  # noqa: BLE001 - the parent does the work itself and meets the error
                result_end.send(None)

        self.worker = context.Process(target=run, daemon=True)
        self.worker.start()
        task_end.close()
        result_end.close()

    def get_ready(self) -> None:
        """Have a process that was to get ready only with its task get ready now (this one has a while of work
        that no other process shares, and a core is free)."""
        if self.worker is not None:
            try:
                self.tasks.send(_GetReady())
            except OSError:  # the worker is gone: `result()` does the work here
                self.cancel()

    def give(self, task: Task | None) -> None:
        self.task = task
        if self.worker is not None:
            try:
                self.tasks.send(task)
            except OSError:  # the worker is gone: `result()` does the work here
                self.cancel()

    def done(self) -> bool:
        """Whether `result()` would not wait (the worker has answered, or there is none)."""
        if self.worker is None:
            return True
        try:
            return bool(self.receiver.poll())
        except OSError:
            return True

    def result(self) -> Result:
        assert self.task is not None
        if self.worker is None:
            return self.work(self.task)
        try:
            value = self.receiver.recv()
        except EOFError:
            value = None
        self.cancel()
        return value if value is not None else self.work(self.task)

    def cancel(self) -> None:
        """Stop the worker (if it still runs) and wait for it: no process outlives the build."""
        if self.worker is not None:
            self.tasks.close()
            self.receiver.close()
            self.worker.terminate()
            self.worker.join()
            self.worker = None


class _GetReady:
    """Sent to a Standby's process before its task: get ready now."""


class Companion(Generic[Task, Result]):
    """A process that lives as long as its owner, for an owner that has threads (serve) and so may not fork:
    spawned once (a fresh interpreter, which imports `prepare` and `work` by name), it gets ready, then does
    the tasks it is given, one after another, on the other core. Tasks and answers are pickled, between this
    process and its own child only (never through a file). One build at a time uses it: see `turn`."""

    def __init__(self, prepare: Callable[[], None], work: Callable[[Task], Result]):
        import multiprocessing

        self.work = work
        context = multiprocessing.get_context("spawn")
        self.connection, other_end = context.Pipe()
        self.process = context.Process(target=_companion, args=(prepare, work, other_end), daemon=True)
        self.process.start()
        other_end.close()
        self.given = 0
        self.answers: dict[int, Result | None] = {}

    def turn(self) -> Turn[Task, Result]:
        """One build's use of the companion, as a Standby is used (give, done, result, cancel)."""
        return Turn(self)

    def send(self, task: Task) -> int | None:
        """Hand a task over; its number, or None if the companion is gone."""
        self.given += 1
        try:
            self.connection.send((self.given, task))
        except (OSError, ValueError):  # gone, or closed by `stop`
            return None
        return self.given

    def answered(self, number: int, wait: bool = False) -> bool:
        """Whether task `number` is answered (with `wait`, once it is). Answers to earlier tasks, whose builds
        stopped waiting for them, are dropped; a companion that died answers None."""
        try:
            while number not in self.answers and (wait or self.connection.poll()):
                got, value = self.connection.recv()
                if got == number:
                    self.answers[got] = value
        except (EOFError, OSError, ValueError):
            self.answers[number] = None
        return number in self.answers

    def stop(self) -> None:
        self.connection.close()
        self.process.terminate()
        self.process.join()


class Turn(Generic[Task, Result]):
    """A build's one task for a Companion. Cancelled or not, the companion's answer is not waited for: a
    later turn skips it."""

    def __init__(self, companion: Companion[Task, Result]):
        self.companion = companion
        self.task: Task | None = None
        self.number: int | None = None

    def get_ready(self) -> None:
        """The companion got ready when it started."""

    def give(self, task: Task | None) -> None:
        self.task = task
        if task is not None:
            self.number = self.companion.send(task)

    def done(self) -> bool:
        return self.number is None or self.companion.answered(self.number)

    def result(self) -> Result:
        """The companion's answer, or, if it failed or is gone, `work(task)` done here."""
        assert self.task is not None
        answer = None
        if self.number is not None and self.companion.answered(self.number, wait=True):
            answer = self.companion.answers.pop(self.number)
        return answer if answer is not None else self.companion.work(self.task)

    def cancel(self) -> None:
        if self.number is not None:
            self.companion.answers.pop(self.number, None)
        self.number = None


def _companion(prepare: Callable[[], None], work: Callable[[Any], Any], connection: Any) -> None:
    """The companion's life: get ready, then answer each task (None for one it failed at) until its owner
    is gone. Ctrl-C, which a terminal sends to the owner and its children alike, ends it without a word."""
    _ended_quietly()
    try:
        prepare()
    except Exception:  # noqa: BLE001 - not ready: the work then fails, and the owner does it itself
        pass
    while True:
        try:
            number, task = connection.recv()
        except (EOFError, OSError):
            return
        try:
            value = work(task)
        except Exception:  # noqa: BLE001 - the owner does this task itself and meets the error
            value = None
        connection.send((number, value))
