"""Work on both cores for large reviews: the one place the engine starts a second process."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import TypeVar

PARALLEL_FROM = 1000  # below this many items a second process costs more than it saves
Item = TypeVar("Item")
Result = TypeVar("Result")


def map_in_parallel(function: Callable[[Item], Result], items: Sequence[Item],
                    threshold: int = PARALLEL_FROM) -> list[Result]:
    """`function(item)` for every item, in order. From `threshold` items on, the second half runs in a
    forked process (which inherits `function`: nothing is pickled but the results it sends back)."""
    if len(items) < threshold or (os.cpu_count() or 1) < 2 or not hasattr(os, "fork"):
        return [function(item) for item in items]
    import multiprocessing

    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    half = len(items) // 2

    def second_half() -> None:
        try:
            sender.send([function(item) for item in items[half:]])
        except BaseException:  # noqa: BLE001 - the parent does this half again and meets the error itself
            sender.send(None)

    worker = context.Process(target=second_half, daemon=True)
    worker.start()
    sender.close()
    try:
        first = [function(item) for item in items[:half]]
        try:
            rest = receiver.recv()
        except EOFError:  # the worker died: do its half here
            rest = None
    finally:
        receiver.close()
        worker.join()
    return first + (rest if rest is not None else [function(item) for item in items[half:]])
