"""The commands as modes of the engine: per-article files (``convert``), one feed or one per
section (``feeds``), books (``books``), the several files of a ``FILES`` format (``files``),
and what a collection command writes (``collection``). Each reads, parses and deduplicates
through stages.py, applies the strict stage there, renders, writes and returns an
``output.Report``. ``api.py`` is their public face.

Seams: feeds are rendered through ``_render_feeds`` (the feed pieces), books through
``_book``, every file through ``output.write_atomic``."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from ..adapters import ADAPTERS, BOOK
from ..errors import InputError, UsageError
from ..isolation import WRITE, Plan, failure, isolate, render_all
from ..model import Article
from ..options import Options
from ..output import Names, Note, Report, Sync, write_atomic, write_target
from .pool import outcomes
from .results import Failed, Outcome, Rendered
from .stages import checked, latest, read_articles, render_article

if TYPE_CHECKING:
    from ..adapters.feeds import Spool

__all__ = ["books", "collection", "convert", "feeds", "files"]

Progress = Callable[[int], None]


def convert(
    fmt: str,
    inputs: Sequence[str],
    output: Path | None,
    options: Options,
    *,
    stdin: BinaryIO | None = None,
    progress: Progress | None = None,
    total: Progress | None = None,
    verbose: bool = False,
    stdout: BinaryIO | None = None,
    jobs: int = 1,
) -> Report:
    """Convert every article of ``inputs`` to per-article files of ``fmt`` in ``output``.
    ``total(n)``: told how many articles there are before the first; ``progress(done)``: after
    each (written or failed).
    ``output`` None: the inputs must hold one article, whose document is ``report.document``
    (and written to ``stdout`` when given); more or fewer is a UsageError.
    ``jobs``: worker processes that render (pool.outcomes, as export's); the files and the
    report are the same bytes for any number, as they are written here in input order.

    One bad article never sinks the batch: it is reported and the rest are written.
    """
    adapter = ADAPTERS.get(fmt)
    if adapter is None or not adapter.per_article:
        raise UsageError(f"{fmt!r} is not a per-article format")
    report = Report()
    read = read_articles(inputs, options, stdin)
    if output is None:
        return _one(fmt, latest(read, report, verbose=verbose), options, report, stdout, verbose)
    ahead: dict[int, Outcome] = {}
    if jobs <= 1:
        read = _rendered_as_read(read, fmt, options, ahead)
    articles = latest(read, report, verbose=verbose)
    sync = Sync(options.fsync_each)
    sync.root(output)  # a directory that cannot be made fails the run once, not every article
    names = Names()
    if total is not None:
        total(len(articles))
    # Every article is rendered, --strict ones too: the strict stage (``checked``) reports in
    # input order here, as the written files are, whatever the workers finish first.
    work = [ahead.pop(id(a)) for a in articles] if jobs <= 1 else articles
    ahead.clear()  # superseded copies' renderings
    made = outcomes(work, options, (fmt,), jobs)
    for done, (article, outcome) in enumerate(zip(articles, made, strict=True), 1):
        if checked(article, options, report):
            _convert_one(fmt, article, outcome, output, names, sync, report, verbose)
        if progress is not None:  # every article, written or failed: the count reaches total
            progress(done)
    sync.flush()
    return report


def _rendered_as_read(
    read: Iterator[Article | InputError], fmt: str, options: Options, ahead: dict[int, Outcome]
) -> Iterator[Article | InputError]:
    """Each article rendered as soon as it is read (serially), while the tree ``normalise``
    built of its body is still cached (``content.body_tree``): rendering it after the whole
    input is read and deduplicated parsed every body a second time (~6% of a run). The
    outcome goes into ``ahead`` by the identity of the article handed on, which is a copy
    without the body: the rendering replaces it in memory, so a run holds no more than before.
    A superseded copy's rendering is simply not used. (An id is reused only after its object
    is gone, and each entry is written when its article is made: a kept article's entry is
    always its own.)"""
    for item in read:
        if isinstance(item, Article):
            made = render_article(item, (fmt,), options)
            item = replace(item, body="")
            ahead[id(item)] = replace(made, article=item) if isinstance(made, Rendered) else made
        yield item


def _convert_one(
    fmt: str,
    article: Article,
    made: Outcome,
    output: Path,
    names: Names,
    sync: Sync,
    report: Report,
    verbose: bool,
) -> None:
    """One article of ``convert``: its rendering (stages.render_article) written, reported."""
    if isinstance(made, Failed):
        report.failed.append(made.failure.line(verbose))
        return
    assert isinstance(made, Rendered)  # an article is rendered or failed, never unchanged
    what = "file name"
    try:  # an unwritable file must not sink the batch: reported per article
        what = names.claim(article.slug, article.id) + ADAPTERS[fmt].extension
        report.written.append(write_atomic(output, what, made.outputs[fmt], sync=sync))
    except Exception as exc:
        report.failed.append(failure(exc, WRITE, what, article=article).line(verbose))
        return
    report.converted.append(article.id)


def _one(
    fmt: str,
    articles: list[Article],
    options: Options,
    report: Report,
    stdout: BinaryIO | None,
    verbose: bool,
) -> Report:
    """The one article's document (``-o -``)."""
    if len(articles) != 1:
        raise UsageError(
            f"-o - writes one article's {fmt} document; the inputs hold {len(articles)}:"
            " use -o DIRECTORY"
        )
    (article,) = articles
    if not checked(article, options, report):
        return report
    made = render_article(article, (fmt,), options)
    if isinstance(made, Failed):
        report.failed.append(made.failure.line(verbose))
        return report
    report.document = made.outputs[fmt]
    if stdout is not None:
        stdout.write(report.document)
        stdout.flush()
    report.converted.append(article.id)
    return report


def feeds(
    fmt: str,
    inputs: Sequence[str],
    options: Options,
    *,
    split_by: str | None = None,
    stdin: BinaryIO | None = None,
    verbose: bool = False,
    progress: Progress | None = None,
) -> tuple[dict[str, bytes], Report]:
    """Build one feed (name "") or, with ``split_by="category"``, one feed per section.

    Returns {file stem: bytes} and the report: converted = items in the (main) feed, skipped =
    duplicates and articles the selection left out (with the rule), failed = bad input and
    articles whose own part of a feed raised (left out of every feed; see isolation.py).
    """
    found, report = _feed_files(fmt, inputs, options, split_by, stdin, verbose, progress)
    outputs = {}
    for stem, file in found.items():
        with file:
            outputs[stem] = file.read()
    return outputs, report


def _feed_files(
    fmt: str,
    inputs: Sequence[str],
    options: Options,
    split_by: str | None,
    stdin: BinaryIO | None,
    verbose: bool,
    progress: Progress | None = None,
) -> tuple[dict[str, BinaryIO], Report]:
    """``feeds``, each feed in a temporary file (rewound) rather than in memory: the articles
    wait in a ``Spool`` (metadata in memory) and each feed is written item by item."""
    from ..adapters.feeds import Spool, select

    adapter = ADAPTERS.get(fmt)
    if adapter is None or adapter.per_article:
        raise UsageError(f"{fmt!r} is not a feed format")
    if split_by not in (None, "category"):
        raise UsageError(f"--split-by {split_by!r}: only 'category' is supported")
    report = Report()
    spool = Spool()
    try:
        read = read_articles(inputs, options, stdin, progress)
        stubs = (a if isinstance(a, InputError) else spool.keep(a) for a in read)
        articles = latest(stubs, report, verbose=verbose)
        now = options.now or datetime.now(tz=UTC)
        options = replace(options, now=now)  # one "now" for the whole run
        variants: dict[str, Options] = {"": options}  # file stem → options
        if split_by is not None:
            variants, names = {}, Names()
            for slug in sorted({c.slug or c.name for a in articles for c in a.categories}):
                section = replace(options, feed=replace(options.feed, category=slug))
                if select(articles, section)[0]:
                    variants[names.claim(slug, slug)] = section
        outputs, failed = _render_feeds(fmt, articles, variants, report, verbose, spool)
    finally:
        spool.close()
    kept = [a for a in articles if a.id not in failed]
    if split_by is None:
        chosen, skipped = select(kept, options)
        if "" in outputs:
            report.converted.extend(a.id for a in chosen)
        report.skipped.extend((s.article.id, s.rule) for s in skipped)
        return outputs, report
    included = {a.id for stem in outputs for a in select(kept, variants[stem])[0]}
    report.converted.extend(a.id for a in kept if a.id in included)
    report.skipped.extend(
        (a.id, "in no section feed (selection rules or no section)")
        for a in kept
        if a.id not in included
    )
    return outputs, report


def _render_feeds(
    fmt: str,
    articles: Sequence[Article],
    variants: dict[str, Options],
    report: Report,
    verbose: bool,
    spool: Spool,
) -> tuple[dict[str, BinaryIO], set[str]]:
    """Every feed of ``variants`` (file stem → its options), through ``isolation.render_all``:
    an article whose own part raises is left out of all of them and reported."""
    from ..adapters.feeds import select, write_feed

    outputs: dict[str, BinaryIO] = {}

    def plan(stem: str, options: Options) -> Plan[BinaryIO]:
        def render(items: Sequence[Article]) -> BinaryIO:
            out = tempfile.TemporaryFile()  # noqa: SIM115 (handed on: the writer closes it)
            try:
                write_feed(fmt, items, options, out, spool.load)
            except BaseException:
                out.close()
                raise
            out.seek(0)
            return out

        def emit(data: BinaryIO | None) -> None:
            previous = outputs.pop(stem, None)  # an attempt made again without an article
            if previous is not None:
                previous.close()
            if data is not None:
                outputs[stem] = data

        return Plan(
            f"{fmt} feed {stem}".rstrip(),
            lambda excluded: select([a for a in articles if a.id not in excluded], options)[0],
            render,
            emit,
            empty_ok=not stem,  # a section feed left with nothing is not written
        )

    failed, errors = render_all([plan(stem, options) for stem, options in variants.items()])
    report.failed.extend(f.line(verbose) for f in (*failed.values(), *errors))
    return outputs, set(failed)


def books(
    inputs: Sequence[str],
    options: Options,
    *,
    stdin: BinaryIO | None = None,
    verbose: bool = False,
    progress: Progress | None = None,
    write: Callable[[str, bytes], Path] | None = None,
) -> tuple[dict[str, bytes], Report]:
    """EPUB: one book of every published article (name ""), or with ``options.epub.per_article``
    one book per article (named from its slug). Drafts and other unpublished articles are left
    out. Images that could not be had are warnings (``--strict``: failures). An article whose
    own part of the book raises is left out and reported. ``write(name, data)``: each book is
    written as soon as it is made (not returned), and one that cannot be written is its
    articles' failure, not the run's."""
    report = Report()
    articles = latest(read_articles(inputs, options, stdin, progress), report, verbose=verbose)
    chosen = []
    for article in articles:
        if article.status != "publish":
            report.skipped.append(
                (article.id, f"status {article.status!r} (books hold published articles)")
            )
            continue
        if checked(article, options, report):  # e.g. a date left out
            chosen.append(article)
    groups: list[tuple[str, list[Article]]]
    if options.epub.per_article:
        names = Names()
        groups = [(names.claim(a.slug, a.id), [a]) for a in chosen]
    else:
        groups = [("", chosen)] if chosen else []
    outputs: dict[str, bytes] = {}
    for name, group in groups:
        book = _book(group, options, report, verbose)
        if book is None:
            continue
        data, kept = book
        if write is None:
            outputs[name] = data
        else:
            try:
                report.written.append(write(name, data))
            except Exception as exc:  # this book only: the others are still written
                only = group[0] if len(group) == 1 else None
                report.failed.append(failure(exc, WRITE, BOOK, article=only).line(verbose))
                continue
        report.converted.extend(a.id for a in kept)
    return outputs, report


def _book(
    group: list[Article], options: Options, report: Report, verbose: bool
) -> tuple[bytes, list[Article]] | None:
    """One book of ``group`` (without the articles whose own part raises) and what it holds;
    None when there is no book (every article failed, or ``--strict`` and a warning)."""

    def render(items: Sequence[Article]) -> tuple[bytes, list[str]]:
        return ADAPTERS[BOOK].with_report(items, options)

    outcome = isolate(render, group, BOOK, empty_ok=False)
    report.failed.extend(f.line(verbose) for f in outcome.failed)
    if outcome.error is not None:
        report.failed.append(outcome.error.line(verbose))
    if outcome.value is None:
        return None
    data, warnings = outcome.value
    where = group[0].source if len(group) == 1 else "book"
    if options.strict and warnings:
        report.failed.extend(f"{where}: {w} (--strict)" for w in warnings)
        return None
    report.warnings.extend(Note(where, w) for w in warnings)
    failed = {f.article_id for f in outcome.failed}
    return data, [a for a in group if a.id not in failed]


def files(
    fmt: str,
    inputs: Sequence[str],
    options: Options,
    *,
    stdin: BinaryIO | None = None,
    verbose: bool = False,
    progress: Progress | None = None,
) -> tuple[list[tuple[str, bytes]], Report]:
    """Every file of a collection format (``Adapter.render_files``: the sitemaps), (name,
    bytes) in writing order, and the report: converted = the articles its selection keeps,
    skipped = duplicates and what the selection left out (with the rule)."""
    adapter = ADAPTERS.get(fmt)
    if adapter is None or adapter.per_article:
        raise UsageError(f"{fmt!r} is not a collection format")
    report = Report()
    articles = latest(read_articles(inputs, options, stdin, progress), report, verbose=verbose)
    options = replace(options, now=options.now or datetime.now(tz=UTC))  # one "now" per run
    articles = [a for a in articles if checked(a, options, report)]
    outcome = isolate(lambda items: adapter.render_files(items, options), articles, fmt)
    report.failed.extend(f.line(verbose) for f in outcome.failed)
    if outcome.error is not None:
        report.failed.append(outcome.error.line(verbose))
    failed = {f.article_id for f in outcome.failed}
    kept = [a for a in articles if a.id not in failed]
    select = adapter.selector
    chosen, skipped = select(kept, options) if select is not None else (kept, [])
    if outcome.value is not None:
        report.converted.extend(a.id for a in chosen)
    report.skipped.extend((s.article.id, s.rule) for s in skipped)
    return outcome.value or [], report


def collection(
    fmt: str,
    inputs: Sequence[str],
    options: Options,
    directory: Path | None,
    *,
    split_by: str | None = None,
    file: Path | None = None,
    verbose: bool = False,
    progress: Progress | None = None,
) -> Report:
    """A collection format's command: into ``directory`` (per section, per article, or the
    format's several files), into ``file``, or (neither) as ``report.document``.
    ``progress(n)``: after each input record is read."""
    adapter = ADAPTERS[fmt]
    written: list[tuple[str, bytes | BinaryIO]]
    sync = Sync(options.fsync_each)

    def write_book(stem: str, data: bytes) -> Path:  # one book per article, as each is made
        assert directory is not None
        return write_atomic(directory, stem + adapter.extension, data, sync=sync)

    if adapter.images:
        per_article = directory is not None
        outputs, report = books(inputs, options, verbose=verbose, progress=progress,
                                write=write_book if per_article else None)  # fmt: skip
        written = [("", d) for d in outputs.values()]
    elif adapter.sections:
        found, report = _feed_files(fmt, inputs, options, split_by, None, verbose, progress)
        written = [(s + adapter.extension if s else "", d) for s, d in found.items()]
    else:
        made, report = files(fmt, inputs, options, verbose=verbose, progress=progress)
        written = list(made)
    try:
        for name, data in written:
            if directory is not None:
                report.written.append(write_atomic(directory, name, data, sync=sync))
            elif file is not None and not name:
                report.written.append(write_target(file, data, sync))
            elif not name:
                report.document = data if isinstance(data, bytes) else data.read()
    finally:
        for _, data in written:
            if not isinstance(data, bytes):
                data.close()  # a feed's temporary file
    sync.flush()
    return report
