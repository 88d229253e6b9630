"""What the collections of one export are made of: the newest N candidates per feed, the
bundle book's articles, the sitemaps' articles (all bounded or small per article), their
state files (for ``--merge`` and ``--incremental``), and the plans that render them through
``isolation.render_all`` (an article whose own part raises is left out of all of them).

Seams: the feeds' candidates (``FeedCollector``) and their plans (``feed_plans``) are the
feed pieces; ``write_atomic`` is the only writer."""

from __future__ import annotations

import copy
import io
import json
import os
import stat
import tempfile
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import fields, is_dataclass, replace
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from ..adapters import ADAPTERS, BOOK, Kind, Order
from ..adapters.feeds import Spool, excluded, write_feed
from ..isolation import Failure, Plan, render_all
from ..model import Article, Author, Image, Rendition, Term
from ..options import FeedOptions, Options
from ..output import Names, write_atomic
from .stages import supersedes

__all__ = [
    "SITEMAP_STATE",
    "STATE",
    "BookCollector",
    "FeedCollector",
    "SitemapCollector",
    "article_from_json",
    "article_to_json",
    "book_order",
    "feed_order",
    "feed_plans",
    "file_plans",
    "load_state",
    "write_feeds",
    "write_state",
]

_Value = TypeVar("_Value", Term, Author)

STATE = "state/feed-articles.jsonl"
SITEMAP_STATE = "state/sitemap-articles.jsonl"

# ---------------------------------------------------------------------------------------------
# Articles to and from JSON (the feed state shared by shards and incremental runs)


def article_to_json(article: Article) -> dict[str, Any]:
    data: dict[str, Any] = _plain(article)
    for key in ("published", "updated", "modified"):
        value = getattr(article, key)
        data[key] = value.isoformat() if value else None
    data.pop("warnings", None)
    return data


def _plain(value: Any) -> Any:
    """``dataclasses.asdict`` for the model's values (the same dict, equal and in the same
    order): asdict deep-copies every string of every article on its way to the state files,
    and that was most of the time the main process spent writing them (issue 13)."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value  # immutable: asdict's deepcopy of them is themselves
    names = _FIELD_NAMES.get(kind)
    if names is None and is_dataclass(value):
        names = _FIELD_NAMES[kind] = tuple(f.name for f in fields(value))
    if names is not None:
        return {name: _plain(getattr(value, name)) for name in names}
    if kind is tuple or kind is list:
        return kind(_plain(v) for v in value)
    if kind is dict:
        return {_plain(k): _plain(v) for k, v in value.items()}
    return copy.deepcopy(value)  # anything else: as asdict does


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


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
        self.order = feed_order()
        self.feeds: dict[str, dict[str, Article]] = {"": {}}
        self.spool = Spool()  # an unnamed temporary file: gone with the collector
        self.load = self.spool.load
        # Each feed's options, made once: a ``replace`` re-runs FeedOptions' validation, and
        # one per feed per article was a sixth of the export's main process (issue 13).
        self._feed_options: dict[str, FeedOptions] = {}

    def add(self, article: Article) -> None:
        now = self.options.now or datetime.now(UTC)
        stub: Article | None = None
        for key in ("", *{c.slug or c.name for c in article.categories}):
            feed = self._feed_options.get(key)
            if feed is None:
                feed = self._feed_options[key] = replace(self.options.feed, category=key)
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
        keep = sorted(bucket.values(), key=self.order)[: self.limit]
        bucket.clear()
        bucket.update((a.id, a) for a in keep)

    def articles(self, key: str = "", exclude: Collection[str] = ()) -> list[Article]:
        bucket = self.feeds.get(key, {})
        ordered = sorted((a for a in bucket.values() if a.id not in exclude), key=self.order)
        return ordered[: self.limit] if self.limit else ordered

    def discard(self, ids: Collection[str]) -> None:
        """Leave these articles out of every feed (they failed)."""
        for bucket in self.feeds.values():
            for article_id in ids:
                bucket.pop(article_id, None)

    def candidates(self) -> Iterator[Article]:
        """Every article any feed may still show, each once (for the state file)."""
        seen: dict[str, Article] = {}
        for key in self.feeds:
            for a in self.articles(key):
                seen.setdefault(a.id, a)
        # Loaded one at a time as the state file is written: with --limit 0 every article
        # is a candidate, and a list of them was every body of the archive in memory.
        return (self.load(a) for a in sorted(seen.values(), key=self.order))


def feed_order() -> Order:
    """The feeds' order, as the registry declares it. One collector serves every feed format,
    so they must all declare the same one (ValueError otherwise)."""
    (order,) = {a.sort_key for a in ADAPTERS.values() if a.sections}
    if order is None:
        raise ValueError("the feed formats declare no order")
    return order


class BookCollector:
    """The bundle book's articles: published, one copy per id (the newest update), and only
    the newest ``limit`` by the book's own order (0 = all). What it holds is bounded by
    ``2 * limit`` articles, however large the archive."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.chosen: dict[str, Article] = {}

    def add(self, article: Article) -> None:
        old = self.chosen.get(article.id)
        if old is None or supersedes(article, old):
            self.chosen[article.id] = article  # a replaced id keeps its place (names)
        if self.limit and len(self.chosen) > 2 * self.limit:
            self._keep(self.limit)

    def _keep(self, count: int) -> None:
        newest = sorted(self.chosen.values(), key=book_order)[:count]
        keep = {a.id for a in newest}
        self.chosen = {k: a for k, a in self.chosen.items() if k in keep}

    def articles(self, exclude: Collection[str] = ()) -> list[Article]:
        """In the order they came (the book sorts them itself; per-article names use it),
        without ``exclude`` (articles that failed: the next newest take their places)."""
        items = [a for a in self.chosen.values() if a.id not in exclude]
        if self.limit and len(items) > self.limit:
            keep = {a.id for a in sorted(items, key=book_order)[: self.limit]}
            items = [a for a in items if a.id in keep]
        return items

    def discard(self, article_id: str) -> None:
        self.chosen.pop(article_id, None)


def book_order(a: Article) -> Any:
    """The book's reading order, as the registry declares it (imported on first use)."""
    order = ADAPTERS[BOOK].sort_key
    assert order is not None, "the book format declares its order"
    return order(a)


class SitemapCollector:
    """The sitemaps' candidates: every published article, by id (the newest copy), without
    its body: only its images are kept (as ``<img>``s), which is all a sitemap reads of it.
    Memory grows with the archive by one small record an article (~4 KB)."""

    def __init__(self) -> None:
        self.chosen: dict[str, Article] = {}
        self._values: dict[Term | Author, Term | Author] = {}  # one object for equal ones

    def add(self, article: Article, images: Sequence[str] | None = None) -> None:
        """``images``: the article's ``sitemap.image_urls`` when already known (found in the
        worker that parsed it: ``Rendered.images``); None: found here."""
        if article.status != "publish":  # no longer published: out of the sitemaps
            self.chosen.pop(article.id, None)
            return
        if images is None:
            from ..adapters.sitemap import image_urls

            images = image_urls(article)
        body = "".join(f'<img src="{escape(u)}">' for u in images)
        # Sections, keywords and bylines repeat across an archive: shared, they are a third
        # less of what a record here holds (6.4 KB to 4.1 KB an article on bench's corpus).
        self.chosen[article.id] = replace(
            article,
            body=body,
            warnings=(),
            authors=tuple(self._shared(x) for x in article.authors),
            categories=tuple(self._shared(x) for x in article.categories),
            keywords=tuple(self._shared(x) for x in article.keywords),
        )

    def _shared(self, value: _Value) -> _Value:
        return self._values.setdefault(value, value)  # type: ignore[return-value]

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


def write_state(out: Path, articles: Iterable[Article], name: str = STATE) -> None:
    """One JSON line per article (a lone newline when there are none), streamed through an
    unnamed temporary file: the sitemap state of a whole archive is ~3.5 KB an article, and
    built as lines, their join and its bytes it was three copies of that in memory at the
    end of an export. A file with the same bytes is left untouched (``only_if_changed``)."""
    path = out / name
    with tempfile.TemporaryFile() as spool:
        empty = True
        for a in articles:
            line = json.dumps(article_to_json(a), ensure_ascii=False, sort_keys=True)
            spool.write(line.encode("utf-8") + b"\n")
            empty = False
        if empty:
            spool.write(b"\n")
        if _same_bytes(path, spool):
            return
        spool.seek(0)
        write_atomic(path.parent, path.name, spool)


def _same_bytes(path: Path, spool: BinaryIO) -> bool:
    """Whether the regular file ``path`` (not a link: write_atomic decides those) holds the
    bytes of ``spool``, compared a block at a time."""
    try:
        found = os.lstat(path)
        if not stat.S_ISREG(found.st_mode) or found.st_size != spool.tell():
            return False
        spool.seek(0)
        with path.open("rb") as held:
            while block := spool.read(1 << 20):
                if held.read(len(block)) != block:
                    return False
    except OSError:
        return False
    return True


def load_state(dirs: Iterable[Path], name: str = STATE) -> Iterator[Article]:
    for directory in dirs:
        path = directory / name
        if not path.exists():
            continue
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    yield article_from_json(json.loads(line))
