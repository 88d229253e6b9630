"""The stages every command and ``export`` share, each in one place:

    read (inputs.read_records) → parse (``parse``) → select/dedupe (``supersedes``, ``latest``)
      → strict (``checked``) → render (``render_article`` for per-article formats; the
      collections in commands.py and collectors.py) → write (output.write_atomic) → report

``supersedes`` is the one rule for "newest": the API's ``latest``, export's id table, the
book's candidates and ``--merge`` all ask it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import BinaryIO

from ..adapters import ADAPTERS, BOOK
from ..cms import parse_article
from ..errors import InputError
from ..inputs import Record, read_records
from ..isolation import RENDER, Failure, ReadFailure, failure, from_input_error
from ..model import Article
from ..options import Options
from ..output import Note, Report
from .results import Failed, Rendered

__all__ = [
    "age",
    "checked",
    "latest",
    "parse",
    "raw_id",
    "read_articles",
    "render_article",
    "strict_failure",
    "supersedes",
]

STRICT = "strict"  # the stage of a failure that --strict makes of warnings
_FLOOR = datetime.min.replace(tzinfo=UTC)  # an article with no dates at all is the oldest


def read_articles(
    inputs: Iterable[str],
    options: Options,
    stdin: BinaryIO | None = None,
    progress: Callable[[int], None] | None = None,
) -> Iterator[Article | InputError]:
    """Parse every record of every input: an Article, or an InputError naming what is wrong
    (for an unexpected exception, a ``ReadFailure``: one record's failure, never the run's).
    ``progress(n)``: after each record (the collections' progress bar)."""
    records = read_records(inputs, stdin, allow_empty=options.allow_empty)
    for done, item in enumerate(records, 1):
        parsed = item if isinstance(item, InputError) else parse(item, options)
        if progress is not None:
            progress(done)
        yield parsed


def parse(record: Record, options: Options) -> Article | InputError:
    """One record to an Article; whatever goes wrong is this record's InputError."""
    try:
        return parse_article(record.value, record.source, record.position, options)
    except InputError as exc:
        return exc
    except RecursionError:
        return InputError(
            record.source,
            record.position,
            "markup nested too deeply to convert",
            "contents",
            raw_id(record.value),
        )
    except Exception as exc:  # a bug in the reader or the pipeline: this record only
        return ReadFailure.of(exc, record.source, record.position, raw_id(record.value))


def raw_id(value: object) -> str:
    """The id a raw record gives itself (for reports and shards, before it is parsed)."""
    raw = value.get("id") if isinstance(value, dict) else None
    return str(raw).strip() if isinstance(raw, str | int) and not isinstance(raw, bool) else ""


def age(article: Article) -> tuple[datetime, datetime]:
    """How new a copy of an article is: its lastUpdate (or, without one, its publication
    date), then the later of the two. Dates are tz-aware (cms.py), so any two compare."""
    return (article.modified or article.published or _FLOOR, article.updated or _FLOOR)


def supersedes(new: Article, old: Article) -> bool:
    """The one rule for duplicate ids: a later copy replaces an earlier one only when it is
    strictly newer (``age``); on a tie the first read stays."""
    return age(new) > age(old)


def latest(
    items: Iterable[Article | InputError], report: Report, *, verbose: bool = False
) -> list[Article]:
    """Duplicate ids across inputs: the newest copy wins, once (``supersedes``).

    Failures and superseded duplicates are recorded in ``report``; order is first-seen order.
    ``verbose``: an internal error's line is followed by its traceback.
    """
    chosen: dict[str, Article] = {}
    for item in items:
        if isinstance(item, InputError):
            traceback = item.traceback if isinstance(item, ReadFailure) and verbose else ""
            report.failed.append(f"{item}\n{traceback.rstrip()}" if traceback else str(item))
            continue
        previous = chosen.get(item.id)
        if previous is None:
            chosen[item.id] = item
            continue
        newer = supersedes(item, previous)
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


def where(article: Article) -> str:
    """The place an article's warnings and strict failures name."""
    return f"{article.source}: {article.position}: article {article.id}"


def checked(article: Article, options: Options, report: Report) -> bool:
    """The strict stage: an article's warnings are reported; with ``--strict`` they are its
    failure (False: it is left out)."""
    if options.strict and article.warnings:
        report.failed.extend(f"{where(article)}: {w} (--strict)" for w in article.warnings)
        return False
    report.warnings.extend(Note(where(article), w) for w in article.warnings)
    return True


def strict_failure(article: Article, options: Options) -> Failure | None:
    """The strict stage as export reports it: with ``--strict`` an article with warnings is
    one failure (stage ``strict``) that names them all; None: it goes on."""
    if not (options.strict and article.warnings):
        return None
    reason = "; ".join(article.warnings) + " (--strict)"
    return Failure(article.id, article.source, article.position, STRICT, reason)


def render_article(article: Article, formats: Sequence[str], options: Options) -> Rendered | Failed:
    """Every per-article document of one article (``epub``: its own book, published articles
    only, whose image warnings become the article's). Any exception is its failure."""
    outputs: dict[str, bytes] = {}
    for fmt in formats:
        try:
            if fmt == BOOK:
                if article.status != "publish":
                    continue
                outputs[fmt], found = ADAPTERS[fmt].with_report([article], options)
                if found:
                    article = replace(article, warnings=(*article.warnings, *found))
                continue
            outputs[fmt] = ADAPTERS[fmt].render([article], options)
        except Exception as exc:  # reported per article; never sinks the batch
            return Failed(failure(exc, RENDER, fmt, article=article))
    return Rendered(article, outputs)


def parse_and_render(record: Record, formats: Sequence[str], options: Options) -> Rendered | Failed:
    """The per-record work of export (in a worker process with ``--jobs``)."""
    parsed = parse(record, options)
    if isinstance(parsed, InputError):
        return Failed(from_input_error(parsed))
    done = render_article(parsed, formats, options)
    if isinstance(done, Failed):
        return done
    raw = record.value.get("lastUpdate") if isinstance(record.value, dict) else None
    return replace(done, raw_updated=raw, images=_sitemap_images(done.article))


def _sitemap_images(article: Article) -> tuple[str, ...] | None:
    """The sitemap's images of ``article`` (see ``Rendered.images``). An exception leaves
    them to the writer, whose own call raises it again as this article's failure, at the
    stage and with the reason it always had."""
    from ..adapters.sitemap import image_urls  # lxml's parser: only where bodies are parsed

    try:
        return tuple(image_urls(article))
    except Exception:
        return None
