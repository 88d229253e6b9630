"""``converter export`` as a mode of the engine: every format in one streaming pass over an
archive, serial or with worker processes (``--jobs``), one shard of it (``--shard``), only
what changed (``--incremental``), or the shards merged (``merge``). The layout it writes is
described in converter/export.py.

The stages are stages.py's; this module is the writer: it takes the outcomes in input order
(pool.outcomes), deduplicates by id (``stages.supersedes``, through a private SQLite table so
memory stays flat), applies --strict, writes the per-article files, feeds the collections'
candidates (collectors.py), then renders the collections and streams report.json.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import tempfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from ..adapters import ADAPTERS, BOOK
from ..errors import InputError, OutputError, UsageError
from ..inputs import Record, read_records
from ..isolation import RENDER, WRITE, Failure, Plan, failure, from_input_error, render_all
from ..model import Article
from ..options import Options
from ..output import Names, Note, Sync, make_directory, safe_name, write_atomic
from .collectors import (
    SITEMAP_STATE,
    STATE,
    BookCollector,
    FeedCollector,
    SitemapCollector,
    feed_plans,
    file_plans,
    load_state,
    write_state,
)
from .pool import Item, outcomes
from .report import Counts, Report
from .results import Failed, Outcome, Rendered, Unchanged
from .stages import age, parse, raw_id, strict_failure, supersedes, where

__all__ = ["BOOK_LIMIT", "FORMATS", "ExportResult", "export", "merge", "shard_of"]

FORMATS = tuple(a.name for a in ADAPTERS.values() if a.folder and a.command)
BOOK_LIMIT = 500  # the bundle book: the newest 500 published articles (0 = all)


ExportResult = Report  # the name export's callers know; the one report type of every run


def shard_of(key: str, count: int) -> int:
    """The shard (0-based) of an article id: stable across machines, runs and Python versions."""
    return zlib.crc32(key.encode("utf-8")) % count


# ---------------------------------------------------------------------------------------------
# The export


@dataclass
class _Seen:
    """The copy of an id this export has written: how new it is (``stages.age`` as
    timestamps, which order as the datetimes do), its report entry and its file name."""

    newest: float
    later: float
    seq: int
    name: str

    def older_than(self, article: Article) -> bool:
        """``stages.supersedes`` against the stored copy."""
        return tuple(t.timestamp() for t in age(article)) > (self.newest, self.later)


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
            "seen (id BLOB PRIMARY KEY, newest REAL, later REAL, seq INTEGER, name TEXT)",
            "manifest (id BLOB PRIMARY KEY, entry TEXT)",
            "names (name BLOB PRIMARY KEY)",
        ):
            self.db.execute(f"CREATE TABLE {table} WITHOUT ROWID")

    def seen(self, article_id: str) -> _Seen | None:
        row = self.db.execute(
            "SELECT newest, later, seq, name FROM seen WHERE id = ?", (_key(article_id),)
        ).fetchone()
        return _Seen(*row) if row else None

    def see(self, article_id: str, seen: _Seen) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO seen VALUES (?, ?, ?, ?, ?)",
            (_key(article_id), seen.newest, seen.later, seen.seq, seen.name),
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
    are removed (``_Run.carry``).
    """
    _check(formats, book_limit)
    options = replace(options, now=options.now or datetime.now(UTC))  # one "now" per run
    make_directory(out)
    previous = _previous(out)  # the last export's manifest: what it wrote, and when
    per_article = tuple(f for f in formats if ADAPTERS[f].per_article)
    if per_article_epub and BOOK in formats:
        per_article += (BOOK,)  # one book per published article, made by the workers
    run = _Run(inputs, out, options, formats, per_article, book_limit, verbose)
    if incremental:
        run.resume()
    try:
        try:
            report = run.part.open("w", encoding="utf-8")
        except OSError as exc:
            raise OutputError(f"cannot write to {out}: {exc.strerror or exc}") from None
        with report:
            run.report = report
            records = run.records(shard, previous if incremental else None)
            for done, outcome in enumerate(outcomes(records, options, per_article, jobs), 1):
                run.handle(outcome, incremental)
                if progress is not None:  # after: an interrupt's count is of finished ones
                    progress(done)
            run.collections(incremental, jobs)
        run.finish(previous, prune)
    finally:  # interrupted (SIGINT, SIGTERM) or failed: no partial files are left behind
        run.part.unlink(missing_ok=True)
        run.table.close()
    return run.result


def _check(formats: Sequence[str], book_limit: int) -> None:
    if book_limit < 0:
        raise UsageError("the book limit must be 0 (all) or more")
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise UsageError(f"unknown format(s) {', '.join(unknown)} (known: {', '.join(FORMATS)})")


def _previous(out: Path) -> dict[str, Any]:
    """The last export's manifest entries by id (--incremental); none if it cannot be read."""
    manifest_path = out / "manifest.json"
    previous: dict[str, Any] = {}
    if manifest_path.exists():
        with contextlib.suppress(ValueError, OSError):
            previous = json.loads(manifest_path.read_text(encoding="utf-8")).get("articles", {})
    return previous


UNCHANGED_RULE = "unchanged since the last export (--incremental)"


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
        self.counts = Counts()  # converted and skipped (their entries are in report.json)
        self.result = Report(streamed=self.counts)
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

    def resume(self) -> None:
        """--incremental: the feeds' and the sitemaps' candidates of the last export."""
        if (self.out / STATE).exists():
            for article in load_state([self.out]):
                self.collector.add(article)
        for article in load_state([self.out], SITEMAP_STATE):
            self.sitemap.add(article)

    def finish(self, previous: dict[str, Any], prune: bool) -> None:
        """The state files, report.json, what the last export wrote (``carry``) and, last,
        the manifest."""
        write_state(self.out, self.collector.candidates())
        write_state(self.out, self.sitemap.articles(), SITEMAP_STATE)
        _assemble_report(self.out, self.part, self.superseded, self.result, self.late, self.errors)
        self.carry(previous, prune)
        self.sync.flush()  # the per-article files, written without fsync, reach the disk
        _write_manifest(self.out, self.table)  # before the manifest that names them

    def records(
        self, shard: tuple[int, int] | None, previous: dict[str, Any] | None
    ) -> Iterator[Item]:
        """The input records of this shard; failures and unchanged ones as typed values, so that
        every outcome reaches the report in input order whatever the number of workers.
        ``previous``: the last manifest (--incremental)."""
        for item in read_records(self.inputs, allow_empty=self.options.allow_empty):
            if isinstance(item, InputError):
                key = f"{item.source}:{item.position}"
                if shard is None or shard_of(key, shard[1]) == shard[0]:
                    yield Failed(from_input_error(item))
                continue
            article_id = raw_id(item.value)
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
                yield Unchanged(article_id, prior, item.source, item.position)
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
            self.counts.converted += 1
        else:
            self.counts.skipped += 1
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
        self.result.failed.append(failure.line(self.verbose))
        self.failed_at.add((failure.source, failure.position))

    # -- per-article outcomes -------------------------------------------------------------

    def handle(self, outcome: Outcome, incremental: bool) -> None:
        if isinstance(outcome, Failed):
            self.fail(outcome.failure)
        elif isinstance(outcome, Unchanged):
            article_id = outcome.article_id
            self.table.record(article_id, outcome.entry)
            self.names.claim(outcome.entry["name"], article_id)
            self.entry(article_id, outcome.source, outcome.position, "skipped", UNCHANGED_RULE)
        else:
            self.converted(outcome, incremental)

    def converted(self, outcome: Rendered, incremental: bool) -> None:
        """A parsed and rendered article: deduplicated, then written (or failed)."""
        article, extra = outcome.article, outcome.outputs
        modified = article.modified or article.updated or article.published
        stamp = modified.isoformat() if modified else ""  # the manifest's lastUpdate
        prior_seen = self.table.seen(article.id)
        if prior_seen is not None and not prior_seen.older_than(article):
            rule = f"duplicate: not newer than the copy at seq {prior_seen.seq}"
            self.entry(article.id, article.source, article.position, "skipped", rule)
            return
        strict = strict_failure(article, self.options)
        if strict is not None:
            self.fail(strict)
            return
        warnings = [Note(where(article), w) for w in article.warnings]
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
            self.counts.converted -= 1
            self.counts.skipped += 1
        if old_name is not None and old_name != name:
            self.remove_files(old_name)
        try:
            self.write(article, name, extra, incremental, outcome.images)
        except _Failed as failed:
            self.remove(article.id, name)
            self.fail(failed.failure)
            return
        self.result.warnings.extend(warnings)
        number = self.entry(article.id, article.source, article.position, "converted")
        newest, later = (t.timestamp() for t in age(article))
        self.table.see(article.id, _Seen(newest, later, number, name))
        self.changed = True
        manifest_entry = {"name": name, "lastUpdate": stamp, "raw_lastUpdate": outcome.raw_updated}
        if BOOK in self.per_article:  # whether it has a book of its own (drafts do not)
            manifest_entry[BOOK] = BOOK in extra
        self.table.record(article.id, manifest_entry)

    def write(
        self,
        article: Article,
        name: str,
        extra: dict[str, bytes],
        incremental: bool,
        images: Sequence[str] | None = None,
    ) -> None:
        """The article into the feeds' and the book's candidates, then its files. Any
        exception is this article's failure (_Failed), at the stage it happened."""
        stage, what = RENDER, "feeds and book"
        try:
            self.collector.add(article)
            self.sitemap.add(article, images)
            if BOOK in self.formats and article.status == "publish":
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
            if BOOK in self.per_article and BOOK not in extra:  # a draft now: no book
                book = name + ADAPTERS[BOOK].extension
                (_per_article_path(self.out, BOOK) / book).unlink(missing_ok=True)
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

    def collections(self, incremental: bool, jobs: int) -> None:
        """The feeds and the book; an article whose own part raises is left out of all of
        them and of every other output, and reported as failed (render stage). With
        ``jobs`` > 1 the book is made in a process of its own meanwhile (``Plan.apart``)."""
        plans: list[Plan[Any]] = feed_plans(self.out, self.formats, self.collector, self.options)
        plans += file_plans(self.out, self.formats, self.sitemap, self.options)
        book_warnings: list[str] = []
        book = self._book_plan(incremental, book_warnings)
        if book is not None:
            plans.append(book)
        failed, errors = render_all(plans, jobs)
        self.result.warnings.extend(book_warnings)
        for item in failed.values():
            self._failed_late(item)
        self.collector.discard(list(failed))
        self.sitemap.discard(list(failed))
        self.errors = errors
        self.result.errors.extend(e.line(self.verbose) for e in errors)

    def _book_plan(self, incremental: bool, warnings: list[str]) -> Plan[Any] | None:
        if BOOK not in self.formats:
            return None
        adapter = ADAPTERS[BOOK]
        folder = self.out / adapter.folder
        target = folder / adapter.file
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
                a = parse(r, self.options)  # failed ones were reported as such
                if isinstance(a, Article) and a.status == "publish":
                    book.add(a)
        if not book.articles():
            return None

        def render(items: Sequence[Article]) -> tuple[bytes, list[str]]:
            return adapter.with_report(items, self.options)

        def emit(made: tuple[bytes, list[str]] | None) -> None:
            if made is None:  # not made (reported): no stale book is left
                warnings.clear()
                target.unlink(missing_ok=True)
                return
            data, found = made
            warnings[:] = [Note("book", w) for w in found]
            write_atomic(folder, adapter.file, data, only_if_changed=True)

        where = f"{adapter.folder}/{adapter.file}"
        return Plan(where, book.articles, render, emit, empty_ok=False, apart=True)

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
            self.counts.converted -= 1
        else:
            self.counts.skipped -= 1
        self.result.failed.append(item.line(self.verbose))
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
        if fmt == BOOK:
            has_book = prior.get(BOOK)
            if has_book is None:  # the last export made no per-article books
                return False
            if not has_book:  # a draft: no book of its own
                continue
        if not (_per_article_path(out, fmt) / (prior["name"] + ADAPTERS[fmt].extension)).exists():
            return False
    return True


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
        target.write('{"summary": ' + json.dumps(result.counts.as_json()) + ',\n "warnings": ')
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
    for article in load_state(shards):
        old = latest.get(article.id)
        if old is None or supersedes(article, old):
            latest[article.id] = article
    sitemap = SitemapCollector()
    for article in latest.values():
        collector.add(article)
    for article in load_state(shards, SITEMAP_STATE):
        sitemap.add(article)  # shards partition the ids: each article once
    plans = feed_plans(out, formats, collector, options) + file_plans(
        out, formats, sitemap, options
    )
    failed, errors = render_all(plans)
    counts = Counts()
    result = Report(streamed=counts)
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
        counts.converted += status == "converted"
        counts.skipped += status == "skipped"
        if status == "failed":  # the stderr line, from the entry's keys
            got = {k: str(item.get(k, "")) for k in ("id", "source", "position", "stage")}
            line = Failure(got["id"], got["source"], got["position"], got["stage"],
                           item.get("reason", ""), field=item.get("field", ""))  # fmt: skip
            result.failed.append(line.message)
    data: dict[str, Any] = {
        "summary": result.counts.as_json(),
        "shards": [str(s) for s in shards],
        "warnings": result.warnings,
    }
    if result.errors:
        data["errors"] = result.errors
    data["articles"] = entries
    write_atomic(out, "report.json", json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))
    return result
