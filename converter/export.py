"""``converter export``: every format in one pass over an archive, streaming and in parallel.

    DIR/html/<name>.html          DIR/feeds/rss.xml, atom.xml, feed.json
    DIR/markdown/<name>.md        DIR/feeds/sections/<section>.xml|.atom|.json
    DIR/ninjs/<name>.json         DIR/sitemaps/sitemap-N.xml, sitemap-index.xml, news-sitemap.xml
    DIR/epub/book.epub            DIR/epub/articles/<name>.epub   (--per-article-epub)
    DIR/report.json               every input article: converted / skipped (rule) / failed
                                  (stage: read, render, write or strict; and the reason)
    DIR/manifest.json             id → lastUpdate and output name (for --incremental and
                                  --prune; kept for articles that left the input until pruned)
    DIR/state/feed-articles.jsonl the feed candidates (for --merge and --incremental)
    DIR/state/sitemap-articles.jsonl  every article the sitemaps list, without its body

The folders, file names and kinds come from the adapter registry (adapters/__init__.py).

Memory: records are read lazily (JSON Lines line by line); per-article outputs are written as
they are made; feeds keep only their newest N candidates and the book its newest
``book_limit`` (500) articles; the per-id state (duplicates, names, the manifest) is in a
temporary SQLite table on disk and the report is streamed to disk and assembled at the end.
So memory does not grow with the archive (measured: bench/scale.py, docs/performance.md);
what still does: warnings (kept for the report), the previous export's manifest, and a
book with ``book_limit=0``.

Parallel: worker processes parse, normalise and render html/markdown (the per-article work);
the main process writes in input order, so the output is byte-identical for any --jobs. It
writes the per-article files without an fsync each and flushes them all once (``output.Sync``:
one ``os.sync``, then an fsync per folder; ``--fsync-each``: also each file) before the
manifest that names them is written.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sqlite3
import tempfile
import zlib
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any, TextIO

from .adapters import ADAPTERS, Kind
from .adapters.feeds import Spool, excluded, write_feed
from .cms import parse_article
from .errors import InputError, OutputError, UsageError
from .inputs import Record, read_records
from .isolation import (
    READ,
    RENDER,
    WRITE,
    Failure,
    Plan,
    failure,
    from_input_error,
    render_all,
)
from .model import Article, Author, Image, Rendition, Term
from .options import Options
from .output import Names, Note, Sync, make_directory, safe_name, write_atomic
from .workers import Workers

__all__ = ["BOOK_LIMIT", "FORMATS", "ExportResult", "export", "merge", "shard_of"]

FORMATS = tuple(a.name for a in ADAPTERS.values() if a.folder and a.command)
STATE = "state/feed-articles.jsonl"
SITEMAP_STATE = "state/sitemap-articles.jsonl"
CHUNK = 16  # records a worker process converts per message
WINDOW = 8  # chunks per worker out or waiting to be written, at most
BOOK_LIMIT = 500  # the bundle book: the newest 500 published articles (0 = all)


@dataclass
class ExportResult:
    converted: int = 0
    skipped: int = 0
    failed: int = 0
    warnings: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # feeds or books that could not be made

    @property
    def ok(self) -> bool:
        return self.failed == 0 and not self.errors

    def summary(self) -> str:
        text = f"converted {self.converted}, skipped {self.skipped}, failed {self.failed}"
        text += f", outputs not made {len(self.errors)}" if self.errors else ""
        return text + (f", warnings {len(self.warnings)}" if self.warnings else "")


def shard_of(key: str, count: int) -> int:
    """The shard (0-based) of an article id: stable across machines, runs and Python versions."""
    return zlib.crc32(key.encode("utf-8")) % count


# ---------------------------------------------------------------------------------------------
# Articles to and from JSON (the feed state shared by shards and incremental runs)


def article_to_json(article: Article) -> dict[str, Any]:
    data = asdict(article)
    for key in ("published", "updated", "modified"):
        value = getattr(article, key)
        data[key] = value.isoformat() if value else None
    data.pop("warnings", None)
    return data


def article_from_json(data: dict[str, Any]) -> Article:
    def when(value: str | None) -> datetime | None:
        return datetime.fromisoformat(value) if value else None

    image = data.get("image")
    return Article(
        **{
            **data,
            "published": when(data.get("published")),
            "updated": when(data.get("updated")),
            "modified": when(data.get("modified")),
            "authors": tuple(Author(**a) for a in data.get("authors", ())),
            "categories": tuple(Term(**t) for t in data.get("categories", ())),
            "keywords": tuple(Term(**t) for t in data.get("keywords", ())),
            "unparsed_dates": tuple(data.get("unparsed_dates", ())),
            "image": Image(
                **{
                    **image,
                    "renditions": tuple(Rendition(**r) for r in image["renditions"]),
                    "named": tuple(tuple(n) for n in image["named"]),
                }
            )
            if image
            else None,
        }
    )


# ---------------------------------------------------------------------------------------------
# Feeds: the newest N candidates per feed (the whole archive, and one feed per section)


class FeedCollector:
    """Keeps, per feed, only the articles that can still be among its newest ``limit``: as
    stubs without bodies (``feeds.Spool``; ``load`` gives the whole article back)."""

    def __init__(self, options: Options) -> None:
        self.options = options
        self.limit = options.feed.limit
        self.feeds: dict[str, dict[str, Article]] = {"": {}}
        self.spool = Spool()  # an unnamed temporary file: gone with the collector
        self.load = self.spool.load

    def add(self, article: Article) -> None:
        now = self.options.now or datetime.now(UTC)
        stub: Article | None = None
        for key in ("", *{c.slug or c.name for c in article.categories}):
            feed = replace(self.options.feed, category=key)
            bucket = self.feeds.setdefault(key, {})
            if excluded(article, feed, now):
                bucket.pop(article.id, None)
                continue
            if stub is None:
                stub = self.spool.keep(article)
            bucket[article.id] = stub
            if self.limit and len(bucket) > 2 * self.limit:
                self._prune(bucket)

    def _prune(self, bucket: dict[str, Article]) -> None:
        keep = sorted(bucket.values(), key=_newest_first)[: self.limit]
        bucket.clear()
        bucket.update((a.id, a) for a in keep)

    def articles(self, key: str = "", exclude: Collection[str] = ()) -> list[Article]:
        bucket = self.feeds.get(key, {})
        ordered = sorted((a for a in bucket.values() if a.id not in exclude), key=_newest_first)
        return ordered[: self.limit] if self.limit else ordered

    def discard(self, ids: Collection[str]) -> None:
        """Leave these articles out of every feed (they failed)."""
        for bucket in self.feeds.values():
            for article_id in ids:
                bucket.pop(article_id, None)

    def candidates(self) -> list[Article]:
        """Every article any feed may still show, each once (for the state file)."""
        seen: dict[str, Article] = {}
        for key in self.feeds:
            for a in self.articles(key):
                seen.setdefault(a.id, a)
        return [self.load(a) for a in sorted(seen.values(), key=_newest_first)]


def _newest_first(a: Article) -> tuple[float, tuple[int, ...]]:
    """The order of feeds.select (newest published first; ties by id, descending)."""
    return (-(a.published.timestamp() if a.published else 0.0), tuple(-ord(c) for c in a.id))


class BookCollector:
    """The bundle book's articles: published, one copy per id (the newest update), and only
    the newest ``limit`` by the book's own order (0 = all). What it holds is bounded by
    ``2 * limit`` articles, however large the archive."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.chosen: dict[str, Article] = {}

    def add(self, article: Article) -> None:
        old = self.chosen.get(article.id)
        if old is None or _book_stamp(article) > _book_stamp(old):
            self.chosen[article.id] = article  # a replaced id keeps its place (names)
        if self.limit and len(self.chosen) > 2 * self.limit:
            self._keep(self.limit)

    def _keep(self, count: int) -> None:
        newest = sorted(self.chosen.values(), key=_book_order)[:count]
        keep = {a.id for a in newest}
        self.chosen = {k: a for k, a in self.chosen.items() if k in keep}

    def articles(self, exclude: Collection[str] = ()) -> list[Article]:
        """In the order they came (the book sorts them itself; per-article names use it),
        without ``exclude`` (articles that failed: the next newest take their places)."""
        items = [a for a in self.chosen.values() if a.id not in exclude]
        if self.limit and len(items) > self.limit:
            keep = {a.id for a in sorted(items, key=_book_order)[: self.limit]}
            items = [a for a in items if a.id in keep]
        return items

    def discard(self, article_id: str) -> None:
        self.chosen.pop(article_id, None)


def _book_stamp(a: Article) -> datetime:
    return a.updated or a.published or datetime.min.replace(tzinfo=UTC)


def _book_order(a: Article) -> tuple[float, str]:
    """The book's reading order (adapters/epub.py: newest first, ties by id ascending)."""
    when = a.published or a.updated or a.modified or _UNDATED
    return (-when.timestamp(), a.id)


_UNDATED = datetime(1980, 1, 1, tzinfo=UTC)  # adapters/epub.py FLOOR: undated articles last


class SitemapCollector:
    """The sitemaps' candidates: every published article, by id (the newest copy), without
    its body: only its images are kept (as ``<img>``s), which is all a sitemap reads of it.
    Memory grows with the archive by one small record an article."""

    def __init__(self) -> None:
        self.chosen: dict[str, Article] = {}

    def add(self, article: Article) -> None:
        if article.status != "publish":  # no longer published: out of the sitemaps
            self.chosen.pop(article.id, None)
            return
        from .adapters.sitemap import image_urls

        body = "".join(f'<img src="{escape(u)}">' for u in image_urls(article))
        self.chosen[article.id] = replace(article, body=body, warnings=())

    def articles(self, exclude: Collection[str] = ()) -> list[Article]:
        return [a for a in self.chosen.values() if a.id not in exclude]

    def discard(self, ids: Collection[str]) -> None:
        for article_id in ids:
            self.chosen.pop(article_id, None)


def file_plans(
    out: Path, formats: Sequence[str], sitemap: SitemapCollector, options: Options
) -> list[Plan[Any]]:
    """DIR/<folder>/<files> of each several-file format (the sitemaps)."""
    plans: list[Plan[Any]] = []
    for fmt in formats:
        adapter = ADAPTERS[fmt]
        if adapter.kind is not Kind.FILES:
            continue
        folder = out / adapter.folder

        def emit(made: list[tuple[str, bytes]] | None, folder: Path = folder) -> None:
            for name, data in made or ():
                write_atomic(folder, name, data, only_if_changed=True)

        def render(items: Sequence[Article], adapter: Any = adapter) -> list[tuple[str, bytes]]:
            return adapter.render_files(items, options)  # type: ignore[no-any-return]

        plans.append(Plan(adapter.folder, sitemap.articles, render, emit))
    return plans


def write_feeds(
    out: Path, formats: Sequence[str], collector: FeedCollector, options: Options
) -> tuple[dict[str, Failure], list[Failure]]:
    """Every feed (main and per section) of ``formats``; an article whose own part raises is
    left out of all of them. Returns those articles by id and the feeds not made at all."""
    return render_all(feed_plans(out, formats, collector, options))


def feed_plans(
    out: Path, formats: Sequence[str], collector: FeedCollector, options: Options
) -> list[Plan[bytes]]:
    """DIR/feeds/<main> and DIR/feeds/sections/<section><suffix> for each feed format."""
    plans = []
    for fmt in formats:
        adapter = ADAPTERS[fmt]
        if not adapter.sections:
            continue
        folder = out / adapter.folder
        plans.append(_feed_plan(folder, adapter.file, "", collector, options, fmt))
        names = Names()
        for key in sorted(k for k in collector.feeds if k):
            if not collector.articles(key):
                continue
            section = replace(options, feed=replace(options.feed, category=key))
            name = names.claim(key, key) + adapter.extension
            directory = folder / "sections"
            plans.append(_feed_plan(directory, name, key, collector, section, fmt))
    return plans


def _feed_plan(
    directory: Path,
    name: str,
    key: str,
    collector: FeedCollector,
    options: Options,
    fmt: str,
) -> Plan[bytes]:
    def render(items: Sequence[Article]) -> bytes:
        out = io.BytesIO()  # one body at a time from the spool; the feed's bytes in memory
        write_feed(fmt, items, options, out, collector.load)
        return out.getvalue()

    def emit(data: bytes | None) -> None:
        if data is None:  # not made (reported), or a section feed left with nothing
            (directory / name).unlink(missing_ok=True)
        else:
            write_atomic(directory, name, data, only_if_changed=True)

    return Plan(
        f"feeds/sections/{name}" if key else f"feeds/{name}",
        lambda excluded: collector.articles(key, excluded),
        render,
        emit,
        empty_ok=not key,  # the main feed is written even when empty; a section is not
    )


# ---------------------------------------------------------------------------------------------
# The per-article work (runs in worker processes)

_OPTIONS: Options | None = None
_FORMATS: tuple[str, ...] = ()


def _init(options: Options, formats: tuple[str, ...]) -> None:
    global _OPTIONS, _FORMATS
    _OPTIONS, _FORMATS = options, formats


ERROR, UNCHANGED = (
    "\0error",
    "\0unchanged",
)  # record values the reader marked, passed along in order


def _work(record: Record) -> tuple[str, Any, Any]:
    """Parse, normalise and render one record. Any exception is this record's failure.

    ("ok", article, {fmt: bytes}) | ("error", Failure, None) | ("unchanged", id, prior entry)
    """
    assert _OPTIONS is not None
    value = record.value
    if isinstance(value, tuple) and value and value[0] == ERROR:
        return ("error", value[1], None)
    if isinstance(value, tuple) and value and value[0] == UNCHANGED:
        return ("unchanged", value[1], value[2])
    try:
        article = parse_article(record.value, record.source, record.position, _OPTIONS)
    except InputError as exc:
        return ("error", from_input_error(exc), None)
    except RecursionError:
        error = InputError(
            record.source,
            record.position,
            "markup nested too deeply to convert",
            "contents",
            _raw_id(record.value),
        )
        return ("error", from_input_error(error), None)
    except Exception as exc:  # a bug in the reader or the pipeline: this record only
        crash = failure(
            exc,
            READ,
            source=record.source,
            position=record.position,
            article_id=_raw_id(record.value),
        )
        return ("error", crash, None)
    outputs: dict[str, bytes] = {}
    for fmt in _FORMATS:
        try:
            if fmt == "epub":  # --per-article-epub: published articles only, as the book
                if article.status != "publish":
                    continue
                from .adapters.epub import render_with_report

                outputs[fmt], found = render_with_report([article], _OPTIONS)
                if found:
                    article = replace(article, warnings=(*article.warnings, *found))
                continue
            outputs[fmt] = ADAPTERS[fmt].render([article], _OPTIONS)
        except Exception as exc:  # reported per article; never sinks the batch
            return ("error", failure(exc, RENDER, fmt, article=article), None)
    return ("ok", article, outputs)


def _results(
    records: Iterable[Record], options: Options, formats: tuple[str, ...], jobs: int
) -> Iterator[tuple[Record, tuple[str, Any, Any]]]:
    """Results in input order, whatever the number of worker processes."""
    if jobs <= 1:
        _init(options, formats)
        for record in records:
            yield record, _work(record)
        return
    # Small chunks, so that the work spreads evenly; a bounded window of them, so the input
    # is never held whole while this process writes the results in input order.
    with Workers(jobs, _work, _init, (options, formats)) as workers:
        yield from workers.map(records, CHUNK, WINDOW * jobs)


# ---------------------------------------------------------------------------------------------
# The export


@dataclass
class _Seen:
    modified: str
    seq: int
    name: str


def _key(text: str) -> bytes:
    """A table key whose byte order is the code point order of ``text`` (as sort_keys)."""
    return text.encode("utf-8", "surrogatepass")


class _IdTable:
    """The per-id state of one export (the copy seen, the names given, the manifest) in a
    private temporary SQLite database: memory stays flat however many ids the archive has
    (as Python dicts it was ~900 bytes an id, 90 MB at 100,000)."""

    def __init__(self) -> None:
        self.db = sqlite3.connect("")  # "": on disk, private, removed when closed
        self.db.execute("PRAGMA journal_mode=OFF")
        self.db.execute("PRAGMA synchronous=OFF")
        for table in (
            "seen (id BLOB PRIMARY KEY, modified TEXT, seq INTEGER, name TEXT)",
            "manifest (id BLOB PRIMARY KEY, entry TEXT)",
            "names (name BLOB PRIMARY KEY)",
        ):
            self.db.execute(f"CREATE TABLE {table} WITHOUT ROWID")

    def seen(self, article_id: str) -> _Seen | None:
        row = self.db.execute(
            "SELECT modified, seq, name FROM seen WHERE id = ?", (_key(article_id),)
        ).fetchone()
        return _Seen(*row) if row else None

    def see(self, article_id: str, seen: _Seen) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO seen VALUES (?, ?, ?, ?)",
            (_key(article_id), seen.modified, seen.seq, seen.name),
        )

    def record(self, article_id: str, entry: dict[str, Any]) -> None:
        """``entry`` is this id's manifest entry."""
        self.db.execute(
            "INSERT OR REPLACE INTO manifest VALUES (?, ?)",
            (_key(article_id), json.dumps(entry, sort_keys=True)),
        )

    def entry(self, article_id: str) -> dict[str, Any] | None:
        """This id's manifest entry, if it has one."""
        row = self.db.execute(
            "SELECT entry FROM manifest WHERE id = ?", (_key(article_id),)
        ).fetchone()
        return json.loads(row[0]) if row else None

    def forget(self, article_id: str) -> None:
        """No manifest entry for this id (its outputs were removed: it failed)."""
        self.db.execute("DELETE FROM manifest WHERE id = ?", (_key(article_id),))

    def manifest(self) -> Iterator[tuple[str, str]]:
        """(id, entry as JSON), ordered as ``json.dumps(..., sort_keys=True)`` orders keys."""
        for key, entry in self.db.execute("SELECT id, entry FROM manifest ORDER BY id"):
            yield key.decode("utf-8", "surrogatepass"), entry

    def __contains__(self, name: object) -> bool:  # the names given (output.NameSet)
        assert isinstance(name, str)
        query = "SELECT 1 FROM names WHERE name = ?"
        return self.db.execute(query, (_key(name),)).fetchone() is not None

    def add(self, name: str) -> None:
        self.db.execute("INSERT OR IGNORE INTO names VALUES (?)", (_key(name),))

    def close(self) -> None:
        self.db.close()


def _write_manifest(out: Path, table: _IdTable) -> None:
    """manifest.json, streamed from the table: the bytes of
    ``json.dumps({"articles": manifest}, sort_keys=True)``, written atomically."""
    fd, name = tempfile.mkstemp(dir=out, prefix=".tmp-manifest-", suffix=".json.part")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as target:
            target.write('{"articles": {')
            for n, (article_id, entry) in enumerate(table.manifest()):
                target.write((", " if n else "") + json.dumps(article_id) + ": " + entry)
            target.write("}}")
            target.flush()
            os.fsync(target.fileno())
        os.chmod(name, 0o644)
        os.replace(name, out / "manifest.json")
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


def _raw_id(value: Any) -> str:
    raw = value.get("id") if isinstance(value, dict) else None
    return str(raw).strip() if isinstance(raw, str | int) and not isinstance(raw, bool) else ""


def export(
    inputs: Sequence[str],
    out: Path,
    options: Options,
    *,
    formats: Sequence[str] = FORMATS,
    jobs: int = 1,
    shard: tuple[int, int] | None = None,
    incremental: bool = False,
    per_article_epub: bool = False,
    book_limit: int = BOOK_LIMIT,
    progress: Callable[[int], None] | None = None,
    verbose: bool = False,
    prune: bool = False,
) -> ExportResult:
    """Export ``inputs`` into ``out``: see the module docstring for the layout.

    ``book_limit``: the bundle book holds the newest ``book_limit`` published articles; 0 = all
    of them (memory then grows with the archive). ``per_article_epub``: also one book per
    published article, ``epub/articles/<name>.epub`` (the name of its html and markdown
    files), made by the workers as the article is converted. An article that fails at any
    stage is left out of every output and listed as failed with the stage (isolation.py);
    ``verbose``: the failure lines of internal errors carry their tracebacks. ``prune``:
    the files of articles the last export's manifest names and this input no longer has
    are removed (``_Run.prune``).
    """
    if book_limit < 0:
        raise UsageError("the book limit must be 0 (all) or more")
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise UsageError(f"unknown format(s) {', '.join(unknown)} (known: {', '.join(FORMATS)})")
    options = replace(options, now=options.now or datetime.now(UTC))  # one "now" per run
    make_directory(out)
    manifest_path = out / "manifest.json"
    previous: dict[str, Any] = {}  # the last export's manifest: what it wrote, and when
    if manifest_path.exists():
        with contextlib.suppress(ValueError, OSError):
            previous = json.loads(manifest_path.read_text(encoding="utf-8")).get("articles", {})
    per_article = tuple(f for f in formats if ADAPTERS[f].per_article)
    if per_article_epub and "epub" in formats:
        per_article += ("epub",)  # one book per published article, made by the workers
    run = _Run(inputs, out, options, formats, per_article, book_limit, verbose)
    if incremental and (out / STATE).exists():
        for article in _load_state([out]):
            run.collector.add(article)
    if incremental:
        for article in _load_state([out], SITEMAP_STATE):
            run.sitemap.add(article)
    try:
        try:
            report = run.part.open("w", encoding="utf-8")
        except OSError as exc:
            raise OutputError(f"cannot write to {out}: {exc.strerror or exc}") from None
        with report:
            run.report = report
            records = run.records(shard, previous if incremental else None)
            for done, (record, outcome) in enumerate(
                _results(records, options, per_article, jobs), 1
            ):
                run.handle(record, outcome, incremental)
                if progress is not None:  # after: an interrupt's count is of finished ones
                    progress(done)
            run.collections(incremental)
        _write_state(out, run.collector.candidates())
        _write_state(out, run.sitemap.articles(), SITEMAP_STATE)
        _assemble_report(out, run.part, run.superseded, run.result, run.late, run.errors)
        run.carry(previous, prune)
        run.sync.flush()  # the per-article files, written without fsync, reach the disk
        _write_manifest(out, run.table)  # before the manifest that names them
    finally:  # interrupted (SIGINT, SIGTERM) or failed: no partial files are left behind
        run.part.unlink(missing_ok=True)
        run.table.close()
    return run.result


UNCHANGED_RULE = "unchanged since the last export (--incremental)"
STRICT = "strict"  # the stage of a failure that --strict makes of warnings


class _Run:
    """One export's state, and what it does with each outcome, in input order."""

    def __init__(
        self,
        inputs: Sequence[str],
        out: Path,
        options: Options,
        formats: Sequence[str],
        per_article: tuple[str, ...],
        book_limit: int,
        verbose: bool,
    ) -> None:
        self.inputs, self.out, self.options, self.formats = inputs, out, options, formats
        self.per_article, self.verbose = per_article, verbose
        self.result = ExportResult()
        self.collector = FeedCollector(options)
        self.book = BookCollector(book_limit)
        self.sitemap = SitemapCollector()
        self.superseded: dict[int, str] = {}  # report seq → the rule that replaces "converted"
        self.late: dict[str, Failure] = {}  # converted, then failed in a feed or the book
        self.errors: list[Failure] = []  # feeds or books not made at all
        self.failed_at: set[tuple[str, str]] = set()  # (source, position) of failed records
        self.changed = False
        self.sync = Sync(options.fsync_each)
        self.seq = 0
        # Unique names: two exports into one directory at once must not share a temporary file.
        fd, part_name = tempfile.mkstemp(dir=out, prefix=".tmp-report-", suffix=".jsonl.part")
        os.close(fd)
        self.part = Path(part_name)
        self.report: TextIO | None = None  # the streamed report (the part file), once open
        self.table = _IdTable()
        self.names = Names(self.table)

    def records(
        self, shard: tuple[int, int] | None, previous: dict[str, Any] | None
    ) -> Iterator[Record]:
        """The input records of this shard; failures and unchanged ones as markers, so that
        every outcome reaches the report in input order whatever the number of workers.
        ``previous``: the last manifest (--incremental)."""
        for item in read_records(self.inputs, allow_empty=self.options.allow_empty):
            if isinstance(item, InputError):
                key = f"{item.source}:{item.position}"
                if shard is None or shard_of(key, shard[1]) == shard[0]:
                    yield Record(item.source, item.position, (ERROR, from_input_error(item)))
                continue
            article_id = _raw_id(item.value)
            key = article_id or f"{item.source}:{item.position}"
            if shard is not None and shard_of(key, shard[1]) != shard[0]:
                continue
            prior = previous.get(article_id) if previous is not None else None
            raw_updated = item.value.get("lastUpdate") if isinstance(item.value, dict) else None
            if (
                prior
                and isinstance(raw_updated, str)
                and isinstance(prior.get("raw_lastUpdate"), str)
                and raw_updated <= prior["raw_lastUpdate"]  # same format: the string order
                and _outputs_exist(self.out, prior, self.per_article)
            ):
                yield Record(item.source, item.position, (UNCHANGED, article_id, prior))
                continue
            yield item

    # -- the report -----------------------------------------------------------------------

    def entry(
        self, article_id: str, source: str, position: str, status: str, reason: str = ""
    ) -> int:
        """One converted or skipped article in the streamed report; its sequence number."""
        assert self.report is not None
        self.seq += 1
        line: dict[str, Any] = {
            "seq": self.seq,
            "id": article_id,
            "source": source,
            "position": position,
            "status": status,
        }
        if reason:
            line["rule"] = reason
        self.report.write(json.dumps(line, ensure_ascii=False) + "\n")
        if status == "converted":
            self.result.converted += 1
        else:
            self.result.skipped += 1
        return self.seq

    def fail(self, failure: Failure) -> None:
        """One failed article in the streamed report, with the stage it failed at."""
        assert self.report is not None
        self.seq += 1
        line = {
            "seq": self.seq,
            "id": failure.article_id,
            "source": failure.source,
            "position": failure.position,
            "status": "failed",
            "stage": failure.stage,
            **({"field": failure.field} if failure.field else {}),  # apart from the reason
            "reason": failure.reason,  # the place is in the keys above
        }
        self.report.write(json.dumps(line, ensure_ascii=False) + "\n")
        self.result.failed += 1
        self.result.failures.append(failure.line(self.verbose))
        self.failed_at.add((failure.source, failure.position))

    # -- per-article outcomes -------------------------------------------------------------

    def handle(self, record: Record, outcome: tuple[str, Any, Any], incremental: bool) -> None:
        status, payload, extra = outcome
        if status == "error":
            self.fail(payload)
        elif status == "unchanged":
            self.table.record(payload, extra)
            self.names.claim(extra["name"], payload)
            self.entry(payload, record.source, record.position, "skipped", UNCHANGED_RULE)
        else:
            self.converted(record, payload, extra, incremental)

    def converted(
        self, record: Record, article: Article, extra: dict[str, bytes], incremental: bool
    ) -> None:
        """A parsed and rendered article: deduplicated, then written (or failed)."""
        modified = article.modified or article.updated or article.published
        stamp = modified.isoformat() if modified else ""
        prior_seen = self.table.seen(article.id)
        if prior_seen is not None and stamp <= prior_seen.modified:
            rule = f"duplicate: not newer than the copy at seq {prior_seen.seq}"
            self.entry(article.id, article.source, article.position, "skipped", rule)
            return
        where = f"{article.source}: {article.position}: article {article.id}"
        warnings = [Note(where, w) for w in article.warnings]
        if self.options.strict and warnings:
            reason = "; ".join(article.warnings) + " (--strict)"
            self.fail(Failure(article.id, article.source, article.position, STRICT, reason))
            return
        # The name comes from the slug of the copy kept (as in `converter html`): a newer
        # copy whose slug changed takes a new name and the older copy's files go.
        old_name = prior_seen.name if prior_seen else None
        try:
            if old_name is not None and Names.fits(old_name, article.slug, article.id):
                name = old_name
            else:
                name = self.names.claim(article.slug, article.id)
        except Exception as exc:  # e.g. too many articles of one name
            self.fail(failure(exc, WRITE, "file name", article=article))
            return
        if prior_seen is not None:  # this copy replaces the earlier one (its files too)
            self.superseded[prior_seen.seq] = (
                f"duplicate: superseded by {article.source} {article.position}"
            )
            self.result.converted -= 1
            self.result.skipped += 1
        if old_name is not None and old_name != name:
            self.remove_files(old_name)
        try:
            self.write(article, name, extra, incremental)
        except _Failed as failed:
            self.remove(article.id, name)
            self.fail(failed.failure)
            return
        self.result.warnings.extend(warnings)
        number = self.entry(article.id, article.source, article.position, "converted")
        self.table.see(article.id, _Seen(stamp, number, name))
        self.changed = True
        raw_updated = record.value.get("lastUpdate") if isinstance(record.value, dict) else None
        manifest_entry = {"name": name, "lastUpdate": stamp, "raw_lastUpdate": raw_updated}
        if "epub" in self.per_article:  # whether it has a book of its own (drafts do not)
            manifest_entry["epub"] = "epub" in extra
        self.table.record(article.id, manifest_entry)

    def write(
        self, article: Article, name: str, extra: dict[str, bytes], incremental: bool
    ) -> None:
        """The article into the feeds' and the book's candidates, then its files. Any
        exception is this article's failure (_Failed), at the stage it happened."""
        stage, what = RENDER, "feeds and book"
        try:
            self.collector.add(article)
            self.sitemap.add(article)
            if "epub" in self.formats and article.status == "publish":
                self.book.add(article)
            stage = WRITE
            for fmt, data in extra.items():
                what = fmt
                write_atomic(
                    _per_article_path(self.out, fmt),
                    name + ADAPTERS[fmt].extension,
                    data,
                    only_if_changed=incremental,
                    sync=self.sync,  # flushed all at once before the manifest names them
                )
            if "epub" in self.per_article and "epub" not in extra:  # a draft now: no book
                (_per_article_path(self.out, "epub") / (name + ".epub")).unlink(missing_ok=True)
        except Exception as exc:
            raise _Failed(failure(exc, stage, what, article=article)) from exc

    def remove(self, article_id: str, name: str | None) -> None:
        """Leave a failed article out of every output: its files, feeds, book, manifest."""
        if name:
            self.remove_files(name)
        self.collector.discard((article_id,))
        self.sitemap.discard((article_id,))
        self.book.discard(article_id)
        self.table.forget(article_id)

    def remove_files(self, name: str) -> None:
        """The per-article files of ``name`` (only ever a name this converter gave)."""
        for fmt in self.per_article:
            path = _per_article_path(self.out, fmt) / (f"{name}{ADAPTERS[fmt].extension}")
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)
                self.sync.wrote()

    def carry(self, previous: dict[str, Any], prune: bool) -> None:
        """The last export's manifest entries (``previous``) of articles this input no longer
        has. ``prune`` (``--prune``): their per-article files are removed, and so are the
        files of an old name an article no longer has. Otherwise those articles stay in the
        manifest, so that a later ``--prune`` still knows the files are the converter's. A
        name this run gave to an article is left to it; only names the converter could have
        given are touched (a hand-edited manifest cannot point outside the folders)."""
        for article_id, entry in previous.items():
            old = entry.get("name") if isinstance(entry, dict) else None
            if not isinstance(old, str) or not old or safe_name(old) != old:
                continue
            if old.casefold() in self.table:  # this run's name (of this or another article)
                continue
            if prune:
                self.remove_files(old)
            elif self.table.entry(article_id) is None:  # gone, or failed this time
                self.table.record(article_id, entry)

    # -- feeds and the book ---------------------------------------------------------------

    def collections(self, incremental: bool) -> None:
        """The feeds and the book; an article whose own part raises is left out of all of
        them and of every other output, and reported as failed (render stage)."""
        plans: list[Plan[Any]] = feed_plans(self.out, self.formats, self.collector, self.options)
        plans += file_plans(self.out, self.formats, self.sitemap, self.options)
        book_warnings: list[str] = []
        book = self._book_plan(incremental, book_warnings)
        if book is not None:
            plans.append(book)
        failed, errors = render_all(plans)
        self.result.warnings.extend(book_warnings)
        for item in failed.values():
            self._failed_late(item)
        self.collector.discard(list(failed))
        self.sitemap.discard(list(failed))
        self.errors = errors
        self.result.errors.extend(e.line(self.verbose) for e in errors)

    def _book_plan(self, incremental: bool, warnings: list[str]) -> Plan[Any] | None:
        if "epub" not in self.formats:
            return None
        target = self.out / "epub" / "book.epub"
        if incremental and not self.changed and target.exists():
            return None
        book = self.book
        if incremental:  # unchanged articles were not parsed this time: read the published ones
            book = BookCollector(book.limit)
            for r in read_records(self.inputs):
                if not isinstance(r, Record) or not isinstance(r.value, dict):
                    continue
                if (r.source, r.position) in self.failed_at:
                    continue
                with contextlib.suppress(Exception):  # failed ones were reported as such
                    a = parse_article(r.value, r.source, r.position, self.options)
                    if a.status == "publish":
                        book.add(a)
        if not book.articles():
            return None
        from .adapters.epub import render_with_report

        def render(items: Sequence[Article]) -> tuple[bytes, list[str]]:
            return render_with_report(items, self.options)

        def emit(made: tuple[bytes, list[str]] | None) -> None:
            if made is None:  # not made (reported): no stale book is left
                warnings.clear()
                target.unlink(missing_ok=True)
                return
            data, found = made
            warnings[:] = [Note("book", w) for w in found]
            write_atomic(self.out / "epub", "book.epub", data, only_if_changed=True)

        return Plan("epub/book.epub", book.articles, render, emit, empty_ok=False)

    def _failed_late(self, item: Failure) -> None:
        """An article written already, then failed in a feed or the book: its files go, and
        its report entry becomes "failed" (a new entry if it has none in this run)."""
        seen = self.table.seen(item.article_id)
        prior = self.table.entry(item.article_id)  # unchanged since the last export
        name = seen.name if seen is not None else (prior or {}).get("name")
        self.remove(item.article_id, name)
        if seen is None and prior is None:
            self.fail(item)
            return
        if seen is not None:
            self.result.converted -= 1
        else:
            self.result.skipped -= 1
        self.result.failed += 1
        self.result.failures.append(item.line(self.verbose))
        self.late[item.article_id] = item


class _Failed(Exception):
    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.message)
        self.failure = failure


def _per_article_path(out: Path, fmt: str) -> Path:
    """Where a per-article format's files go: DIR/<folder>/ (DIR/html/, DIR/ninjs/...); the
    books of --per-article-epub in DIR/epub/articles/."""
    adapter = ADAPTERS[fmt]
    return out / adapter.folder / ("" if adapter.per_article else "articles")


def _outputs_exist(out: Path, prior: dict[str, Any], formats: Sequence[str]) -> bool:
    for fmt in formats:
        if fmt == "epub":
            has_book = prior.get("epub")
            if has_book is None:  # the last export made no per-article books
                return False
            if not has_book:  # a draft: no book of its own
                continue
        if not (_per_article_path(out, fmt) / (prior["name"] + ADAPTERS[fmt].extension)).exists():
            return False
    return True


def _write_state(out: Path, articles: Iterable[Article], name: str = STATE) -> None:
    lines = [json.dumps(article_to_json(a), ensure_ascii=False, sort_keys=True) for a in articles]
    path = out / name
    data = ("\n".join(lines) + "\n").encode("utf-8")
    write_atomic(path.parent, path.name, data, only_if_changed=True)


def _load_state(dirs: Iterable[Path], name: str = STATE) -> Iterator[Article]:
    for directory in dirs:
        path = directory / name
        if not path.exists():
            continue
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    yield article_from_json(json.loads(line))


def _assemble_report(
    out: Path,
    part: Path,
    superseded: dict[int, str],
    result: ExportResult,
    late: dict[str, Failure] | None = None,
    errors: Sequence[Failure] = (),
) -> None:
    """report.json from the streamed entries: a summary, then one object per input article.
    ``late``: articles that failed in a feed or the book after their entry was written;
    ``errors``: feeds or books not made at all (listed only when there are some)."""
    fd, name = tempfile.mkstemp(dir=out, prefix=".tmp-report-", suffix=".json.part")
    tmp = Path(name)
    try:
        _write_report(fd, part, superseded, result, late or {}, errors)
        os.replace(tmp, out / "report.json")
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    part.unlink()


def _write_report(
    fd: int,
    part: Path,
    superseded: dict[int, str],
    result: ExportResult,
    late: dict[str, Failure],
    errors: Sequence[Failure],
) -> None:
    with os.fdopen(fd, "w", encoding="utf-8") as target, part.open(encoding="utf-8") as source:
        summary = {
            "converted": result.converted,
            "skipped": result.skipped,
            "failed": result.failed,
        }
        target.write('{"summary": ' + json.dumps(summary) + ',\n "warnings": ')
        target.write(json.dumps(result.warnings, ensure_ascii=False))
        if errors:
            target.write(',\n "errors": ')
            target.write(json.dumps([e.message for e in errors], ensure_ascii=False))
        target.write(',\n "articles": [\n')
        first = True
        for line in source:
            item = json.loads(line)
            if item["seq"] in superseded:
                item["status"] = "skipped"
                item["rule"] = superseded[item["seq"]]
            _fail_late(item, late)
            del item["seq"]
            target.write(("" if first else ",\n") + "  " + json.dumps(item, ensure_ascii=False))
            first = False
        target.write("\n ]}\n")


def _fail_late(item: dict[str, Any], late: dict[str, Failure]) -> None:
    """A report entry of an article that failed later (in a feed or the book) says so."""
    failed = late.get(item["id"])
    if failed is None:
        return
    if item["status"] == "converted" or item.get("rule") == UNCHANGED_RULE:
        item.pop("rule", None)
        item.update(status="failed", stage=failed.stage)
        if failed.field:
            item["field"] = failed.field
        item["reason"] = failed.reason


# ---------------------------------------------------------------------------------------------
# Merging shards


def merge(
    shards: Sequence[Path], out: Path, options: Options, formats: Sequence[str] = FORMATS
) -> ExportResult:
    """Feeds and one report for the whole archive, from the shards' outputs (state + reports)."""
    options = replace(options, now=options.now or datetime.now(UTC))
    collector = FeedCollector(options)
    latest: dict[str, Article] = {}
    for shard in shards:
        if not (shard / "report.json").exists():
            raise UsageError(f"{shard} is not an export directory (no report.json)")
    for article in _load_state(shards):
        old = latest.get(article.id)
        if old is None or (article.modified or article.updated or article.published) > (  # type: ignore[operator]
            old.modified or old.updated or old.published
        ):
            latest[article.id] = article
    sitemap = SitemapCollector()
    for article in latest.values():
        collector.add(article)
    for article in _load_state(shards, SITEMAP_STATE):
        sitemap.add(article)  # shards partition the ids: each article once
    plans = feed_plans(out, formats, collector, options) + file_plans(
        out, formats, sitemap, options
    )
    failed, errors = render_all(plans)
    result = ExportResult()
    entries = []
    for shard in shards:
        report = json.loads((shard / "report.json").read_text(encoding="utf-8"))
        entries.extend(report["articles"])
        result.warnings.extend(report["warnings"])
        result.errors.extend(report.get("errors", ()))
    result.errors.extend(e.message for e in errors)
    for item in entries:
        _fail_late(item, failed)  # failed in a merged feed: its shard's outputs still exist
        status = item["status"]
        result.converted += status == "converted"
        result.skipped += status == "skipped"
        result.failed += status == "failed"
        if status == "failed":  # the stderr line, from the entry's keys
            got = {k: str(item.get(k, "")) for k in ("id", "source", "position", "stage")}
            line = Failure(got["id"], got["source"], got["position"], got["stage"],
                           item.get("reason", ""), field=item.get("field", ""))  # fmt: skip
            result.failures.append(line.message)
    summary = {"converted": result.converted, "skipped": result.skipped, "failed": result.failed}
    data: dict[str, Any] = {
        "summary": summary,
        "shards": [str(s) for s in shards],
        "warnings": result.warnings,
    }
    if result.errors:
        data["errors"] = result.errors
    data["articles"] = entries
    write_atomic(out, "report.json", json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))
    return result
