"""The per-record work, serially or in worker processes (``--jobs``): outcomes come back in
input order either way, so the writer sees the same sequence and writes the same bytes.

This is the seam for the pool: the engine only calls ``outcomes``."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterable, Iterator
from typing import Any

from ..inputs import Record
from ..options import Options
from .results import Failed, Outcome, Unchanged
from .stages import parse_and_render

__all__ = ["BATCH", "Item", "outcomes"]

BATCH = 256  # records per worker in one batch handed to the pool

# What the reader hands on, in input order: a record to convert, or what is already known of
# it (it could not be read; --incremental leaves it alone), so that every outcome reaches the
# report in input order whatever the number of workers.
Item = Record | Failed | Unchanged

_OPTIONS: Options | None = None
_FORMATS: tuple[str, ...] = ()


def _init(options: Options, formats: tuple[str, ...]) -> None:
    global _OPTIONS, _FORMATS
    _OPTIONS, _FORMATS = options, formats


def _work(item: Item) -> Outcome:
    """Parse, normalise and render one record. Any exception is this record's failure."""
    if not isinstance(item, Record):
        return item
    assert _OPTIONS is not None
    return parse_and_render(item, _FORMATS, _OPTIONS)


def outcomes(
    items: Iterable[Item], options: Options, formats: tuple[str, ...], jobs: int
) -> Iterator[Outcome]:
    """Outcomes in input order, whatever the number of worker processes."""
    if jobs <= 1:
        _init(options, formats)
        for item in items:
            yield _work(item)
        return
    context = multiprocessing.get_context("fork")
    batch: list[Item] = []
    pool = context.Pool(jobs, initializer=_init, initargs=(options, formats))
    # Bounded batches, so the input is never held whole; the next batch is already with the
    # workers while this process writes the results of the previous one (at most two batches
    # in flight, plus the one being read).
    in_flight: Any = None
    try:

        def submit(batch: list[Item]) -> Iterator[Outcome]:
            nonlocal in_flight
            previous = in_flight
            chunk = max(1, len(batch) // (jobs * 4))
            in_flight = pool.map_async(_work, batch, chunksize=chunk) if batch else None
            if previous is not None:
                yield from previous.get()

        for item in items:
            batch.append(item)
            if len(batch) >= BATCH * jobs:
                yield from submit(batch)
                batch = []
        yield from submit(batch)
        yield from submit([])
        # close + join, not terminate: killing idle workers can leave the task queue's lock
        # held by a dead process, and then join() waits for ever (seen here).
        pool.close()
        pool.join()
    except BaseException:
        pool.terminate()
        raise
