"""The per-record work, serially or in worker processes (``--jobs``): outcomes come back in
input order either way, so the writer sees the same sequence and writes the same bytes.

This is the seam for the pool (``workers.Workers``): the engine only calls ``outcomes``."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ..inputs import Record
from ..model import Article
from ..options import Options
from ..workers import Workers
from .results import Outcome
from .stages import parse_and_render, render_article

__all__ = ["CHUNK", "WINDOW", "Item", "outcomes"]

CHUNK = 16  # records a worker process converts per message
WINDOW = 8  # chunks per worker out or waiting to be written, at most

# What the reader hands on, in input order: a record to convert, an article parsed already
# (the per-article commands deduplicate before rendering), or what is already known of a
# record (its rendering, made as it was read; it could not be read; --incremental leaves it
# alone), so that every outcome reaches the report in input order whatever the number of
# workers.
Item = Record | Article | Outcome

_OPTIONS: Options | None = None
_FORMATS: tuple[str, ...] = ()


def _init(options: Options, formats: tuple[str, ...]) -> None:
    global _OPTIONS, _FORMATS
    _OPTIONS, _FORMATS = options, formats


def _work(item: Item) -> Outcome:
    """Parse, normalise and render one record (or render one article). Any exception is this
    record's failure."""
    assert _OPTIONS is not None
    if isinstance(item, Article):
        return render_article(item, _FORMATS, _OPTIONS)
    if not isinstance(item, Record):
        return item
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
    # Small chunks, so that the work spreads evenly; a bounded window of them, so the input
    # is never held whole while this process writes the results in input order.
    outcome: Outcome
    with Workers(jobs, _work, _init, (options, formats)) as workers:
        for _, outcome in workers.map(items, CHUNK, WINDOW * jobs):
            yield outcome
