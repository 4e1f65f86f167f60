"""The benchmark's launcher: a small process that starts each measured command and reports what it cost.

On Linux a child's `ru_maxrss` starts from the high-water mark of the process that forked it, so a command
started from the (large) benchmark process would report at least that process's own peak. `run.py` starts
this one once (`python -I -S launcher.py`), which does nothing else and stays small; each line on its
standard input is a job (JSON: command, cwd, env, out, err), and each line it prints is what the job cost
(JSON: wall, status, maxrss_kib, cpu, pss_kib, processes, sampler_cpu). Standard library only.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

MIN_WAIT = 0.05  # seconds between readings at least, however cheap they are
WAIT_RATIO = 50  # the wait after a reading, in multiples of what the reading cost: at most 1/51 of a core


def tree(pid: int) -> list[int]:
    """The process and all its descendants."""
    found, index = [pid], 0
    while index < len(found):
        parent, index = found[index], index + 1
        try:
            for task in os.listdir(f"/proc/{parent}/task"):
                with open(f"/proc/{parent}/task/{task}/children") as handle:
                    found += [int(child) for child in handle.read().split()]
        except OSError:
            pass
    return found


def pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def read_tree(pid: int, peak: dict[str, Any]) -> None:
    """One reading: the sum of PSS over the process and its descendants, and how many there are."""
    pids = tree(pid)
    peak["pss_kib"] = max(peak["pss_kib"], sum(pss_kib(p) for p in pids))
    peak["processes"] = max(peak["processes"], len(pids))


def next_wait(cost: float) -> float:
    """How long to wait after a reading that cost `cost` seconds of CPU. Reading smaps_rollup costs more
    the larger a process is (6.6 ms for one of 1.3 GB), and the sampler shares the machine with what it
    measures: it waits in proportion, so that it never takes more than a small share of a core."""
    return max(MIN_WAIT, WAIT_RATIO * cost)


def sample(pid: int, done: threading.Event, peak: dict[str, Any],
           read: Callable[[int, dict[str, Any]], None] = read_tree,
           clock: Callable[[], float] = time.thread_time) -> None:
    """Read the process tree's memory until `done`, adding what the readings cost to peak["sampler_cpu"]."""
    while not done.is_set():
        began = clock()
        read(pid, peak)
        cost = clock() - began
        peak["sampler_cpu"] += cost
        done.wait(next_wait(cost))


def run_job(job: dict[str, Any]) -> dict[str, Any]:
    peak: dict[str, Any] = {"pss_kib": 0, "processes": 0, "sampler_cpu": 0.0}
    done = threading.Event()
    with open(job["out"], "wb") as out, open(job["err"], "wb") as err:
        start = time.perf_counter()
        process = subprocess.Popen(job["command"], cwd=job["cwd"], env=job["env"], stdout=out, stderr=err)
        sampler = threading.Thread(target=sample, args=(process.pid, done, peak), daemon=True)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        done.set()
        sampler.join()
    return {"wall": wall, "status": os.waitstatus_to_exitcode(status), "maxrss_kib": usage.ru_maxrss,
            "cpu": usage.ru_utime + usage.ru_stime, **peak}


def main() -> None:
    for line in sys.stdin:
        print(json.dumps(run_job(json.loads(line))), flush=True)


if __name__ == "__main__":
    main()
