"""The small public Python API that the CLI is a thin layer over."""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from .adapters import ADAPTERS
from .cms import parse_article
from .errors import ConverterError, InputError, UsageError
from .inputs import read_records
from .model import Article
from .options import Options
from .output import Names, Report, write_atomic

__all__ = ["books", "convert", "feeds", "latest", "read_articles", "render"]

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
            yield InputError(
                item.source,
                item.position,
                "markup nested too deeply to convert",
                "contents",
                _raw_id(item.value),
            )


def _raw_id(value: object) -> str:
    raw = value.get("id") if isinstance(value, dict) else None
    return str(raw).strip() if isinstance(raw, str | int) and not isinstance(raw, bool) else ""


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


def feeds(
    fmt: str,
    inputs: Sequence[str],
    options: Options,
    *,
    split_by: str | None = None,
    stdin: BinaryIO | None = None,
) -> tuple[dict[str, bytes], Report]:
    """Build one feed (name "") or, with ``split_by="category"``, one feed per section.

    Returns {file stem: bytes} and the report: converted = items in the (main) feed, skipped =
    duplicates and articles the selection left out (with the rule), failed = bad input.
    """
    from dataclasses import replace

    from .adapters.feeds import select

    adapter = ADAPTERS.get(fmt)
    if adapter is None or adapter.per_article:
        raise UsageError(f"{fmt!r} is not a feed format")
    report = Report()
    articles = latest(read_articles(inputs, options, stdin), report)
    now = options.now or datetime.now(tz=UTC)
    options = replace(options, now=now)  # one "now" for the whole run
    outputs: dict[str, bytes] = {}
    if split_by is None:
        chosen, skipped = select(articles, options)
        report.converted.extend(a.id for a in chosen)
        report.skipped.extend((s.article.id, s.rule) for s in skipped)
        outputs[""] = adapter.render(articles, options)
        return outputs, report
    if split_by != "category":
        raise UsageError(f"--split-by {split_by!r}: only 'category' is supported")
    sections = sorted({c.slug or c.name for a in articles for c in a.categories})
    included: set[str] = set()
    names = Names()
    for slug in sections:
        section = replace(options, feed=replace(options.feed, category=slug))
        chosen, _ = select(articles, section)
        if not chosen:
            continue
        included.update(a.id for a in chosen)
        outputs[names.claim(slug, slug)] = adapter.render(articles, section)
    report.converted.extend(a.id for a in articles if a.id in included)
    report.skipped.extend(
        (a.id, "in no section feed (selection rules or no section)")
        for a in articles
        if a.id not in included
    )
    return outputs, report


def books(
    inputs: Sequence[str], options: Options, *, stdin: BinaryIO | None = None
) -> tuple[dict[str, bytes], Report]:
    """EPUB: one book of every published article (name ""), or with ``options.epub.per_article``
    one book per article (named from its slug). Drafts and other unpublished articles are left
    out. Images that could not be had are warnings (``--strict``: failures)."""
    from .adapters.epub import render_with_report

    report = Report()
    articles = latest(read_articles(inputs, options, stdin), report)
    chosen = []
    for article in articles:
        if article.status != "publish":
            report.skipped.append(
                (article.id, f"status {article.status!r} (books hold published articles)")
            )
            continue
        where = f"{article.source}: {article.position}: article {article.id}"
        notes = [f"{where}: {w}" for w in article.warnings]  # e.g. a date left out
        if options.strict and notes:
            report.failed.extend(f"{w} (--strict)" for w in notes)
            continue
        report.warnings.extend(notes)
        chosen.append(article)
    groups: list[tuple[str, list[Article]]]
    if options.epub.per_article:
        names = Names()
        groups = [(names.claim(a.slug, a.id), [a]) for a in chosen]
    else:
        groups = [("", chosen)] if chosen else []
    outputs: dict[str, bytes] = {}
    for name, group in groups:
        where = group[0].source if len(group) == 1 else "book"
        try:
            data, warnings = render_with_report(group, options)
        except ConverterError:
            raise
        except Exception as exc:  # a bug must not lose the other books
            report.failed.append(
                f"{where}: internal error while building the book: {type(exc).__name__}: {exc}"
            )
            continue
        if options.strict and warnings:
            report.failed.extend(f"{where}: {w} (--strict)" for w in warnings)
            continue
        report.warnings.extend(f"{where}: {w}" for w in warnings)
        outputs[name] = data
        report.converted.extend(a.id for a in group)
    return outputs, report
