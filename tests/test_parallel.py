"""The second process: what it gives back is what the work gives here, whatever becomes of it."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from livingreview import parallel
from livingreview.parallel import Companion, Standby


def _run(script: str, *args: str, timeout: float | None = None) -> list[str]:
    """A script's printed words, run in a fresh interpreter: a process with other threads (as a test run may
    have) does not fork. `timeout`: for a script that would hang if what it tests broke."""
    return subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, check=True,
                          timeout=timeout).stdout.split()


# The end of a script run by `_run`: whether the process it ran in was left with a child process.
NONE_LEFT = ("try:\n    os.waitpid(-1, os.WNOHANG)\n    print('a child is left')\n"
             "except ChildProcessError:\n    print('none left')\n")


def _square_all(numbers: list[int]) -> list[int]:
    return [n * n for n in numbers]


def test_the_standby_worker_gives_back_what_the_work_gives_and_leaves_no_process():
    standby: Standby[list[int], list[int]] = Standby(lambda: None, _square_all)
    standby.give([1, 2, 3])
    assert standby.result() == [1, 4, 9]
    assert standby.worker is None
    assert multiprocessing.active_children() == []


def test_a_worker_that_fails_to_get_ready_leaves_the_work_to_this_process():
    def fail() -> None:
        raise RuntimeError("no matplotlib here")

    standby: Standby[list[int], list[int]] = Standby(fail, _square_all)
    standby.give([4])
    assert standby.result() == [16]


def test_a_worker_with_nothing_to_do_is_sent_away():
    standby: Standby[list[int], list[int]] = Standby(lambda: None, _square_all)
    standby.give(None)
    standby.cancel()
    assert multiprocessing.active_children() == []


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: the work is done here")
def test_the_work_is_done_in_the_worker():
    # In a fresh interpreter: a process with other threads (as a test run may have) does not fork.
    script = ("import os\nfrom livingreview.parallel import Standby\n"
              "standby = Standby(lambda: None, lambda task: os.getpid())\n"
              "standby.give(1)\nprint(os.getpid(), standby.result())\n")
    here, worker = _run(script)
    assert here != worker


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a pipe's size is set on Linux only")
def test_a_task_larger_than_a_pipe_holds_by_default_is_handed_over_while_the_worker_gets_ready():
    # In a fresh interpreter, as above. The worker gets ready only once this process has handed its task over
    # (256 KiB, four times what a pipe holds by default): had `give` waited for the worker to read it, the
    # script would wait for ever (and be stopped).
    script = ("import os\nfrom livingreview.parallel import Standby\n"
              "ready, go = os.pipe()\n"
              "standby = Standby(lambda: os.read(ready, 1), len)\n"
              "assert standby.worker is not None\n"
              "standby.give('x' * (1 << 18))\n"
              "os.write(go, b'!')\n"
              "print(standby.result())\n")
    assert _run(script, timeout=60) == [str(1 << 18)]


def test_done_says_when_the_result_would_not_wait():
    # In a fresh interpreter, as above: the worker answers only after this process says it may.
    script = ("import time\nfrom livingreview.parallel import Standby\n"
              "standby = Standby(lambda: None, lambda task: task * 2)\n"
              "before = standby.done() if standby.worker is not None else False\n"
              "standby.give(21)\n"
              "deadline = time.monotonic() + 20\n"
              "while not standby.done() and time.monotonic() < deadline:\n    time.sleep(0.01)\n"
              "print(before, standby.done(), standby.result(), standby.worker is None)\n")
    out = _run(script)
    assert out == ["False", "True", "42", "True"]


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: the work is done here")
def test_a_worker_that_gets_ready_with_its_task_gets_ready_when_told_and_only_once(tmp_path):
    # The worker is told to get ready, and has no task yet: it gets ready all the same (else the script waits
    # for the mark until it is stopped). Told twice, then given its task, it got ready once.
    marks = tmp_path / "marks"
    script = ("import sys, time\nfrom pathlib import Path\nfrom livingreview.parallel import Standby\n"
              "marks = Path(sys.argv[1])\n"
              "def prepare():\n    with marks.open('a') as out:\n        out.write('ready\\n')\n"
              "standby = Standby(prepare, lambda task: task * 2, prepare_now=False)\n"
              "standby.get_ready()\nstandby.get_ready()\n"
              "while not marks.exists():\n    time.sleep(0.01)\n"
              "standby.give(21)\nprint(standby.result())\n")
    assert _run(script, str(marks), timeout=60) == ["42"]
    assert marks.read_text().split() == ["ready"]


def test_a_worker_that_gets_ready_with_its_task_does_not_get_ready_before_it(tmp_path):
    marks = tmp_path / "marks"

    def prepare() -> None:
        with marks.open("a") as out:
            out.write("ready\n")

    standby: Standby[int, int] = Standby(prepare, lambda task: task * 2, prepare_now=False)
    standby.give(None)  # sent away without a task
    standby.cancel()
    assert not marks.exists()


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: nothing is forked")
def test_a_worker_is_stopped_by_a_signal_without_a_traceback_whatever_handlers_its_parent_set():
    # serve turns SIGINT and SIGTERM into KeyboardInterrupt; a worker that inherited that would print a
    # traceback when `cancel()` terminates it as it finishes. Its handlers are the default ones.
    script = ("import os, signal\nfrom livingreview.parallel import Standby, map_in_parallel\n"
              "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
              "signal.signal(signal.SIGTERM, signal.default_int_handler)\n"
              "def defaults(_):\n"
              "    return (os.getpid(), signal.getsignal(signal.SIGINT) is signal.SIG_DFL,\n"
              "            signal.getsignal(signal.SIGTERM) is signal.SIG_DFL)\n"
              "standby = Standby(lambda: None, defaults)\nstandby.give(1)\n"
              "pid, sigint, sigterm = standby.result()\nprint(pid != os.getpid(), sigint, sigterm)\n"
              "last = map_in_parallel(defaults, [1, 2], 2)[-1]\nprint(last[0] != os.getpid(), last[1], last[2])\n")
    assert _run(script) == ["True", "True", "True", "True", "True", "True"]


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: nothing is forked")
def test_the_worker_does_the_second_half_of_each_chunk_and_one_worker_serves_for_all():
    out = _run("import os\nfrom livingreview.parallel import map_in_parallel\nhere = os.getpid()\n"
               "results = map_in_parallel(lambda n: (n, os.getpid()), list(range(25)), 2, chunk=10)\n"
               "print(''.join('.' if pid == here else 'w' for _, pid in results),\n"
               "      [n for n, _ in results] == list(range(25)), len({pid for _, pid in results} - {here}))\n")
    # chunks of 10, 10 and 5: the first half of each here, the rest in one other process; every result in order
    assert out == [".....wwwww.....wwwww..www", "True", "1"]


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: nothing is forked")
def test_the_worker_sends_each_chunks_results_before_it_does_the_next_chunk():
    # The worker waits, in the second chunk, for a sign that this process has taken the first chunk's
    # results (it makes the sign when it works on the second chunk, which it does only once it has them). A
    # worker that sent its results only at the end would wait in vain, until its patience ran out.
    script = ("import os, sys, time\nfrom pathlib import Path\nfrom livingreview.parallel import map_in_parallel\n"
              "sign, here = Path(sys.argv[1]), os.getpid()\n"
              "def work(n):\n"
              "    if os.getpid() == here and n >= 4:\n        sign.touch()\n"
              "    if os.getpid() != here and n >= 4:\n"
              "        deadline = time.monotonic() + 20\n"
              "        while not sign.exists() and time.monotonic() < deadline:\n            time.sleep(0.01)\n"
              "        return sign.exists()\n"
              "    return True\n"
              "print(map_in_parallel(work, list(range(8)), 2, chunk=4))\n")
    with tempfile.TemporaryDirectory() as folder:
        out = _run(script, str(Path(folder) / "sign"), timeout=120)
    assert out == ["[True,", "True,", "True,", "True,", "True,", "True,", "True,", "True]"]


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: nothing is forked")
def test_what_the_worker_fails_at_this_process_does_itself_and_meets_the_error():
    out = _run("import os\nfrom livingreview.parallel import map_in_parallel\nparent = os.getpid()\n"
               "def square(n):\n"
               "    if n == 7 and os.getpid() != parent:\n        raise ValueError('only in the worker')\n"
               "    return n * n\n"
               "print(map_in_parallel(square, list(range(10)), 2, chunk=4) == [n * n for n in range(10)])\n"
               "def fail(n):\n    if n == 7:\n        raise ValueError('everywhere')\n    return n\n"
               "try:\n    map_in_parallel(fail, list(range(10)), 2, chunk=4)\nexcept ValueError as error:\n"
               "    print(error)\n")
    assert out == ["True", "everywhere"]


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: nothing is forked")
def test_an_error_here_leaves_no_worker_running():
    # Chunks [1, 2], [3, 4], [5, 6]: the worker is still busy with 4 (for an hour) when this process meets an
    # error at 3: it is stopped, not waited for (were it waited for, the script would not end before the timeout).
    script = ("import multiprocessing, os, time\nfrom livingreview.parallel import map_in_parallel\n"
              "parent = os.getpid()\n"
              "def slow(n):\n"
              "    if n >= 4 and os.getpid() != parent:\n        time.sleep(3600)\n"
              "    if n == 3 and os.getpid() == parent:\n"
              "        print(len(multiprocessing.active_children()))\n        raise ValueError('stop')\n"
              "    return n\n"
              "try:\n    map_in_parallel(slow, [1, 2, 3, 4, 5, 6], 2, chunk=2)\nexcept ValueError as error:\n"
              "    print(error)\n"
              "print(len(multiprocessing.active_children()))\n")
    assert _run(script, timeout=120) == ["1", "stop", "0"]


# --- aside: a task with an effect (a file), in a forked process, beside the caller's own work ------------

ASIDE_TASK = """
import os, sys, time
from pathlib import Path
from livingreview.parallel import aside
out = Path(sys.argv[1])
here = os.getpid()

def task():
    time.sleep(0.3)  # the block below finishes first: it waits for this
    out.write_text(str(os.getpid()))

with aside(task):
    print(out.exists())
print(out.read_text() != str(here), out.read_text() != "")
""" + NONE_LEFT  # the forked process was waited for: nothing is left of it


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: the task runs here")
def test_a_task_aside_runs_in_another_process_and_is_waited_for(tmp_path):
    assert _run(ASIDE_TASK, str(tmp_path / "made"), timeout=60) == ["False", "True", "True", "none", "left"]


def test_a_task_aside_runs_here_first_where_no_process_may_fork(monkeypatch):
    from livingreview import parallel

    monkeypatch.setattr(parallel, "_may_fork", lambda: False)
    done: list[int] = []
    with parallel.aside(lambda: done.append(os.getpid())):
        assert done == [os.getpid()]


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: the task runs here")
def test_a_block_that_fails_stops_its_task_aside_and_leaves_no_process():
    # The task would run for an hour: it is stopped when the block fails (or the script would time out).
    script = ("import os, time\nfrom livingreview.parallel import aside\n"
              "try:\n    with aside(lambda: time.sleep(3600)):\n        raise ValueError('stop')\n"
              "except ValueError:\n    print('stopped')\n"
              + NONE_LEFT)
    assert _run(script, timeout=60) == ["stopped", "none", "left"]


# --- values made beside: a forked process that sends each value back as it is made ------------------

BESIDE_VALUES = """
import os, sys
from livingreview.parallel import Beside

def work():
    yield os.getpid()
    if sys.argv[1] == "fail" and os.getpid() != here:
        raise ValueError("a problem in the data")
    if sys.argv[1] == "unpicklable" and os.getpid() != here:
        yield lambda: "a value that cannot be sent"
    yield [n * n for n in range(4)]

here = os.getpid()
with Beside(work) as made:
    first, second = next(made), next(made)
print(first != here, second)
""" + NONE_LEFT


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: the work is done here")
def test_values_made_beside_come_back_in_order_from_another_process_which_is_then_gone():
    assert _run(BESIDE_VALUES, "succeed", timeout=60) == ["True", "[0,", "1,", "4,", "9]", "none", "left"]


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: the work is done here")
def test_what_the_process_beside_fails_at_is_done_here_after_the_values_it_gave():
    # The first value came from the other process; the work failed there, so this process made the rest.
    assert _run(BESIDE_VALUES, "fail", timeout=60) == ["True", "[0,", "1,", "4,", "9]", "none", "left"]


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: the work is done here")
def test_a_value_the_process_beside_cannot_send_is_made_here_and_the_rest_too():
    assert _run(BESIDE_VALUES, "unpicklable", timeout=60) == ["True", "[0,", "1,", "4,", "9]", "none", "left"]


def test_values_are_made_here_where_no_process_may_fork_and_the_error_is_met_here(monkeypatch):
    from livingreview import parallel

    monkeypatch.setattr(parallel, "_may_fork", lambda: False)

    def work():
        yield os.getpid()
        raise ValueError("a problem in the data")

    with parallel.Beside(work) as made:
        assert next(made) == os.getpid()
        with pytest.raises(ValueError, match="a problem in the data"):
            next(made)


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: the work is done here")
def test_leaving_the_block_early_stops_the_process_beside_and_leaves_none():
    # The work would run for an hour: it is stopped when the block is left (or the script would time out).
    script = ("import os, time\nfrom livingreview.parallel import Beside\n"
              "def work():\n    yield 1\n    time.sleep(3600)\n    yield 2\n"
              "with Beside(work) as made:\n    print(next(made))\n"
              + NONE_LEFT)
    assert _run(script, timeout=60) == ["1", "none", "left"]


# --- serve's companion: a spawned process that does one build's task after another --------------------

def _pid_after(seconds: float) -> tuple[int, float]:
    time.sleep(seconds)
    return os.getpid(), seconds


def _ready_here() -> None:
    pass


@pytest.fixture
def companion():
    started: Companion[float, tuple[int, float]] = Companion(_ready_here, _pid_after)
    yield started
    started.stop()


def test_the_companion_does_every_task_in_one_other_process(companion):
    answers = []
    for _ in range(2):
        turn = companion.turn()
        turn.give(0.0)
        answers.append(turn.result())
    assert answers[0] == answers[1] == (companion.process.pid, 0.0)
    assert companion.process.pid != os.getpid()


def test_an_answer_a_cancelled_turn_left_is_not_taken_by_the_next_turn(companion):
    first = companion.turn()
    first.give(0.3)
    first.cancel()  # the build that gave it failed before it asked for the drawings
    second = companion.turn()
    second.give(0.0)
    deadline = time.monotonic() + 20
    while not second.done() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert second.done() and list(companion.answers) == [second.number]  # the first answer came, and was dropped
    assert second.result() == (companion.process.pid, 0.0)


def test_a_turn_whose_companion_is_gone_does_the_work_here(companion):
    companion.stop()
    turn = companion.turn()
    turn.give(0.0)
    assert turn.result() == (os.getpid(), 0.0)


def test_a_task_the_companion_fails_at_is_done_here(companion):
    turn = companion.turn()
    turn.give(-1.0)  # time.sleep refuses a negative time: so does the work here, and the caller meets it
    with pytest.raises(ValueError):
        turn.result()
    turn = companion.turn()
    turn.give(0.0)
    assert turn.result() == (companion.process.pid, 0.0)  # the companion goes on


def test_a_turn_with_nothing_to_do_sends_nothing(companion):
    turn = companion.turn()
    turn.give(None)
    assert turn.done() and companion.given == 0


# In a fresh interpreter: a process with threads (as a test run may be) forks no drawing process.
ASIDE = """
import os, sys, time
from pathlib import Path
from livingreview.cache import Cache
from livingreview.drawer import start_drawer

drawer = start_drawer(Cache(Path(sys.argv[1])))
assert drawer.worker is not None
deadline = time.monotonic() + 10
while os.getpriority(os.PRIO_PROCESS, drawer.worker.pid) <= os.getpriority(os.PRIO_PROCESS, 0):
    assert time.monotonic() < deadline, "the drawing process kept the build's priority"
    time.sleep(0.01)
drawer.cancel()
"""


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: the drawings are made in the building process")
def test_a_drawing_process_that_gets_ready_before_it_has_work_yields_the_cores_to_the_build(tmp_path):
    done = subprocess.run([sys.executable, "-c", ASIDE, str(tmp_path / ".cache")], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr


# --- Shared: chunks taken by whichever process is free, this one or a helper it forks -------------------

SHARED_WORK = """
import os, sys, time
from livingreview.parallel import Shared
here = os.getpid()
how = sys.argv[1]

def square(n):
    if how == "fail" and n == 7 and os.getpid() != here:
        raise ValueError("only in a helper")
    time.sleep(0.02)
    return n * n, os.getpid()

chunks = [[n] for n in range(24)]
with Shared(square, chunks, threshold=1, per_helper=3) as shared:
    results = shared.results()
print([[square for square, _ in chunk] for chunk in results] == [[n * n] for n in range(24)])
by = [pid for chunk in results for _, pid in chunk]
helpers = set(by) - {here}
print(len(helpers) >= 2, max(by.count(pid) for pid in helpers) <= 3, here in by, by[7] == here)
""" + NONE_LEFT


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: the work is done here")
def test_shared_chunks_are_done_here_and_by_helpers_forked_one_after_another():
    # every result in order; two helpers or more, each of at most three items; some done here
    out = _run(SHARED_WORK, "succeed", timeout=60)
    assert out[:4] == ["True", "True", "True", "True"] and out[5:] == ["none", "left"]


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: the work is done here")
def test_a_chunk_a_helper_fails_at_is_done_here():
    # item 7 fails in any helper: it is done here, and every result is in order
    out = _run(SHARED_WORK, "fail", timeout=60)
    assert out[0] == "True" and out[4:] == ["True", "none", "left"]


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: the work is done here")
def test_a_helper_yields_the_core_to_the_process_that_forked_it():
    # Where the two compete for a core (a third process at work), the one that forked the helper, whose own
    # work no helper shares, should not wait: the helper runs at a greater niceness.
    script = ("import os, time\nfrom livingreview import parallel\nhere = os.getpid()\n"
              "def niceness(n):\n    time.sleep(0.02)\n    return os.getpid(), os.nice(0)\n"
              "with parallel.Shared(niceness, [[n] for n in range(12)], threshold=1) as shared:\n"
              "    results = [result for chunk in shared.results() for result in chunk]\n"
              "print(os.nice(0), sorted({nice for pid, nice in results if pid != here}),\n"
              "      parallel.HELPER_NICENESS > 0)\n")
    mine, helpers, positive = _run(script, timeout=60)
    assert positive == "True" and helpers == f"[{min(19, int(mine) + parallel.HELPER_NICENESS)}]"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the resident size as Linux gives it")
def test_a_process_forks_cheaply_while_it_holds_less_memory_than_the_limit():
    # In a fresh interpreter, which holds far less than 200 MB until it makes a 200 MB string.
    script = ("from livingreview import parallel\nparallel.CHEAP_FORK_UP_TO = 100 * 2**20\n"
              "print(parallel.forks_cheaply())\nheld = 'x' * (200 * 2**20)\n"
              "print(parallel.forks_cheaply())\ndel held\nprint(parallel.forks_cheaply())\n")
    assert _run(script, timeout=60) == ["True", "False", "True"]


def test_every_chunk_is_done_here_where_no_process_may_fork_and_the_error_is_met_here(monkeypatch):
    from livingreview import parallel

    monkeypatch.setattr(parallel, "_may_fork", lambda: False)
    # as on a system without fork (Windows): no Unix-only module or call is needed then
    monkeypatch.setitem(sys.modules, "fcntl", None)
    monkeypatch.setitem(sys.modules, "termios", None)
    monkeypatch.delattr(os, "set_blocking")

    def check(n: int) -> tuple[int, int]:
        if n == 5:
            raise ValueError("a problem in the data")
        return n, os.getpid()

    with parallel.Shared(check, [[1, 2], [3, 4]], threshold=1) as shared:
        assert shared.results() == [[(1, os.getpid()), (2, os.getpid())], [(3, os.getpid()), (4, os.getpid())]]
    with parallel.Shared(check, [[4], [5], [6]], threshold=1) as shared, \
            pytest.raises(ValueError, match="a problem in the data"):
        shared.results()


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: the work is done here")
def test_leaving_the_block_stops_a_busy_helper_and_leaves_none():
    # The helper would work for an hour: it is stopped when the block is left (or the script would time out).
    script = ("import os, time\nfrom livingreview.parallel import Shared\nhere = os.getpid()\n"
              "def slow(n):\n    if os.getpid() != here:\n        time.sleep(3600)\n    return n\n"
              "with Shared(slow, [[1], [2], [3]], threshold=1) as shared:\n    time.sleep(0.2)\n"
              "print('left')\n" + NONE_LEFT)
    assert _run(script, timeout=60) == ["left", "none", "left"]


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: the work is done here")
def test_a_helper_that_ended_is_followed_at_once_while_this_process_is_inside_a_chunk():
    # Each helper does one chunk (six items, 20 ms each) and ends; this process's first chunk takes 360 ms:
    # meanwhile the next helpers are forked, one after another, and take every other chunk.
    script = ("import os, time\nfrom livingreview.parallel import Shared\nhere = os.getpid()\n"
              "def item(n):\n    time.sleep(0.06 if os.getpid() == here else 0.02)\n    return os.getpid()\n"
              "chunks = [list(range(start, start + 6)) for start in range(0, 24, 6)]\n"
              "with Shared(item, chunks, threshold=1, per_helper=6) as shared:\n"
              "    time.sleep(0.01)  # the first helper takes the first chunk\n"
              "    results = shared.results()\n"
              "firsts = [chunk[0] for chunk in results]\n"
              "print(*(len(set(chunk)) == 1 for chunk in results), firsts.count(here), len(set(firsts) - {here}))\n"
              + NONE_LEFT)
    # every chunk done by one process; one here, three by three helpers
    assert _run(script, timeout=60) == ["True", "True", "True", "True", "1", "3", "none", "left"]


# --- Press: a process forked early, while this one is small, that shares chunks of work later ------------

PRESS_WORK = """
import os, sys, time
from livingreview.parallel import Press, Shared
here = os.getpid()
how = sys.argv[1]


class Work:  # given to the press pickled (by reference to this class): it holds what the chunks need
    def __init__(self, size):
        self.size = size

    def __call__(self, number):
        return [self.item(number)]

    def item(self, n):
        if how == "fail" and n == 7 and os.getpid() != here:
            raise ValueError("only in the press")
        if os.getpid() == here and how != "busy":
            time.sleep(0.05)  # the press takes most chunks
        return n * n, os.getpid(), "late" in globals(), time.monotonic(), "x" * self.size


press = Press()
late = "made after the press was forked"
work = Work(200_000 if how == "busy" else 10)
with Shared(work.item, [[n] for n in range(24)], threshold=1, press=(press, work)) as shared:
    if how == "busy":  # this process takes no results for a while: the press is not held up meanwhile
        time.sleep(1.5)
    asked = time.monotonic()
    results = [result for chunk in shared.results() for result in chunk]
press.cancel()
print([square for square, *_ in results] == [n * n for n in range(24)])
by_press = [result for result in results if result[1] != here]
print(len(by_press) > 0, here in [pid for _, pid, *_ in results], not any(late for _, _, late, *_ in by_press))
print(results[7][1] == here, all(done < asked for _, _, _, done, _ in by_press), len(by_press) == 24)
""" + NONE_LEFT


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: no press is forked")
def test_a_press_shares_the_chunks_and_holds_nothing_made_after_it_was_forked():
    # every result in order; chunks done in the press (which has no `late`) and here
    out = _run(PRESS_WORK, "succeed", timeout=60)
    assert out[:4] == ["True"] * 4 and out[7:] == ["none", "left"]


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: no press is forked")
def test_a_chunk_the_press_fails_at_is_done_here():
    out = _run(PRESS_WORK, "fail", timeout=60)
    assert out[:5] == ["True"] * 5 and out[7:] == ["none", "left"]


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: no press is forked")
def test_the_press_goes_on_while_this_process_takes_none_of_its_results():
    # Its results (200 kB a chunk) fill the pipe between the two after a few chunks; it does every chunk all
    # the same before this process, asleep, asks for them.
    out = _run(PRESS_WORK, "busy", timeout=60)
    assert out[0] == "True" and out[4:] == ["False", "True", "True", "none", "left"]


def test_a_press_given_no_work_is_stopped_and_a_press_is_given_work_once():
    script = ("import os\nfrom livingreview.parallel import Press\npress = Press()\n"
              "forked = press.pid is not None\npress.cancel()\n"
              "print(forked or (os.cpu_count() or 1) < 2, press.give(abs, 3) is None)\n" + NONE_LEFT)
    assert _run(script, timeout=60) == ["True", "True", "none", "left"]


def test_no_press_is_forked_where_no_process_may_fork(monkeypatch):
    monkeypatch.setattr(parallel, "_may_fork", lambda: False)
    press = parallel.Press()
    assert press.pid is None and press.give(abs, 3) is None
    with parallel.Shared(abs, [[-1], [-2]], threshold=1, press=(press, abs)) as shared:
        assert shared.results() == [[1], [2]]
