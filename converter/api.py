"""The small public Python API that the CLI is a thin layer over."""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from .adapters import ADAPTERS
from .cms import parse_article
from .errors import InputError, UsageError
from .inputs import read_records
from .model import Article
from .options import Options
from .output import Names, Report, write_atomic

__all__ = ["convert", "latest", "read_articles", "render"]

Progress = Callable[[int], None]


def read_articles(
    inputs: Iterable[str], options: Options, stdin: BinaryIO | None = None
) -> Iterator[Article | InputError]:
    """Parse every record of every input: an Article, or an InputError naming what is wrong."""
    for item in read_records(inputs, stdin):
        if isinstance(item, InputError):
            yield item
            continue
        try:
            yield parse_article(item.value, item.source, item.position, options)
        except InputError as exc:
            yield exc
        except RecursionError:
            yield InputError(item.source, item.position, "nested too deeply to read")


def _age(article: Article) -> tuple[datetime, datetime]:
    floor = datetime.min.replace(tzinfo=article.published.tzinfo if article.published else None)
    modified = article.modified or article.updated or floor
    return (modified, article.updated or floor)


def latest(items: Iterable[Article | InputError], report: Report) -> list[Article]:
    """Duplicate ids across inputs: the newest lastUpdate wins, once (ties: the first read).

    Failures and superseded duplicates are recorded in ``report``; order is first-seen order.
    """
    chosen: dict[str, Article] = {}
    for item in items:
        if isinstance(item, InputError):
            report.failed.append(str(item))
            continue
        previous = chosen.get(item.id)
        if previous is None:
            chosen[item.id] = item
            continue
        try:
            newer = _age(item) > _age(previous)
        except TypeError:  # one side has no dates at all
            newer = item.modified is not None
        loser, winner = (previous, item) if newer else (item, previous)
        if newer:
            chosen[item.id] = item  # keeps the first-seen slot: output order stays stable
        report.skipped.append(
            (
                loser.id,
                f"duplicate: superseded by {winner.source} {winner.position} (newer lastUpdate)",
            )
        )
    return list(chosen.values())


def render(fmt: str, articles: Sequence[Article], options: Options) -> bytes:
    """Render ``articles`` in format ``fmt`` (a name in ADAPTERS)."""
    try:
        adapter = ADAPTERS[fmt]
    except KeyError:
        raise UsageError(f"unknown format {fmt!r} (known: {', '.join(ADAPTERS)})") from None
    return adapter.render(articles, options)


def convert(
    fmt: str,
    inputs: Sequence[str],
    output: Path,
    options: Options,
    *,
    stdin: BinaryIO | None = None,
    progress: Progress | None = None,
    verbose: bool = False,
) -> Report:
    """Convert every article of ``inputs`` to per-article files of ``fmt`` in ``output``.

    One bad article never sinks the batch: it is reported and the rest are written.
    """
    adapter = ADAPTERS.get(fmt)
    if adapter is None or not adapter.per_article:
        raise UsageError(f"{fmt!r} is not a per-article format")
    report = Report()
    articles = latest(read_articles(inputs, options, stdin), report)
    names = Names()
    render_fn = adapter.render
    for done, article in enumerate(articles, 1):
        where = f"{article.source}: {article.position}: article {article.id}"
        warnings = [f"{where}: {w}" for w in article.warnings]
        if options.strict and warnings:
            report.failed.extend(f"{w} (--strict)" for w in warnings)
            continue
        report.warnings.extend(warnings)
        try:
            data = render_fn([article], options)
        except Exception as exc:  # a bug must not sink the batch; it is reported per article
            detail = traceback.format_exc() if verbose else f"{type(exc).__name__}: {exc}"
            report.failed.append(f"{where}: internal error while rendering {fmt}: {detail}")
            continue
        name = names.claim(article.slug, article.id) + adapter.extension
        report.written.append(write_atomic(output, name, data))
        report.converted.append(article.id)
        if progress is not None:
            progress(done)
    return report
