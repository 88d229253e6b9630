"""The one run engine (converter/engine/, issue 12 item 1): one rule for "newest" that the
commands, export, its book and --merge all follow; typed outcomes through the worker pool in
input order; one Report for commands and export."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

from converter import Article, Options, api
from converter.engine.pool import outcomes
from converter.engine.results import Failed, Rendered, Unchanged
from converter.engine.stages import read_articles, supersedes
from converter.errors import InputError
from converter.export import export, merge
from converter.inputs import Record
from converter.isolation import Failure
from converter.options import EpubOptions
from converter.output import Report

from .test_feeds import record

# Two ids, each read twice, where the four old rules disagreed:
# X: the same lastUpdate, the second copy published later (export kept the first; the API
#    took the second). Y: the first copy's lastUpdate is before its publication date, the
#    second's is later (export wrote the second; its book kept the first).
COPIES = (
    ("9500001", "X first copy", "2024-05-01 10:00:00", "2024-05-03 12:00:00"),
    ("9500002", "Y first copy", "2024-05-10 10:00:00", "2024-05-05 12:00:00"),
    ("9500001", "X second copy", "2024-05-04 10:00:00", "2024-05-03 12:00:00"),
    ("9500002", "Y second copy", "2024-05-01 10:00:00", "2024-05-07 12:00:00"),
)
WINNERS = {"9500001": "X second copy", "9500002": "Y second copy"}
OPTIONS = Options(epub=EpubOptions(images=False))


def records() -> list[dict[str, Any]]:
    return [
        record(i, title=title, firstPublished=published, lastUpdate=updated)
        for i, title, published, updated in COPIES
    ]


def source(tmp: Path) -> Path:
    path = tmp / "in.json"
    path.write_text(json.dumps(records()), encoding="utf-8")
    return path


def test_a_tie_keeps_the_first_copy_and_a_later_copy_replaces_it(tmp_path: Path) -> None:
    first, second = parsed(tmp_path / "tie.json", records()[:1] * 2)
    assert not supersedes(second, first) and not supersedes(first, second)
    older, newer = parsed(tmp_path / "y.json", [records()[1], records()[3]])
    assert supersedes(newer, older) and not supersedes(older, newer)


def parsed(path: Path, recs: list[dict[str, Any]]) -> list[Article]:
    path.write_text(json.dumps(recs), encoding="utf-8")
    found = list(read_articles([str(path)], Options()))
    articles = [a for a in found if not isinstance(a, InputError)]
    assert len(articles) == len(recs)
    return articles


def titles(data: bytes) -> set[str]:
    text = data.decode("utf-8")
    return {t for t in (c[1] for c in COPIES) if t in text}


def test_the_commands_export_and_its_book_keep_the_same_copy(tmp_path: Path) -> None:
    path = source(tmp_path)
    chosen = api.latest(api.read_articles([str(path)], OPTIONS), Report())
    assert {a.id: a.title for a in chosen} == WINNERS

    converted = api.convert("html", [str(path)], tmp_path / "html", OPTIONS)
    assert sorted(converted.converted) == sorted(WINNERS) and len(converted.skipped) == 2
    for article_id, title in WINNERS.items():
        page = (tmp_path / "html" / f"test-article-{article_id}.html").read_bytes()
        assert titles(page) == {title}

    out = tmp_path / "export"
    result = export([str(path)], out, OPTIONS, formats=["html", "epub", "rss"])
    assert (result.counts.converted, result.counts.skipped, result.failed) == (2, 2, [])
    for article_id, title in WINNERS.items():
        page = (out / "html" / f"test-article-{article_id}.html").read_bytes()
        assert titles(page) == {title}
    with zipfile.ZipFile(out / "epub" / "book.epub") as book:
        text = b"".join(book.read(n) for n in book.namelist() if n.endswith(".xhtml"))
    assert titles(text) == set(WINNERS.values())
    assert titles((out / "feeds" / "rss.xml").read_bytes()) == set(WINNERS.values())


def test_merge_keeps_the_same_copy_as_one_export(tmp_path: Path) -> None:
    """Each copy in a shard of its own (two exports of one file each), merged: the feed holds
    the copy one export of both files would keep."""
    recs = records()
    shards = []
    for n, part in enumerate((recs[:2], recs[2:])):
        path = tmp_path / f"in{n}.json"
        path.write_text(json.dumps(part), encoding="utf-8")
        shards.append(tmp_path / f"shard{n}")
        export([str(path)], shards[-1], OPTIONS, formats=["rss"])
    merged = merge(shards, tmp_path / "merged", OPTIONS, ["rss"])
    assert merged.ok
    assert titles((tmp_path / "merged" / "feeds" / "rss.xml").read_bytes()) == set(WINNERS.values())


def test_outcomes_are_typed_and_in_input_order_with_worker_processes() -> None:
    good, bad = record("9500010"), {"id": "9500011"}  # no title, no body: a read failure
    known = Failed(Failure("9500012", "in.json", "item 3", "read", "not JSON"))
    unchanged = Unchanged("9500013", {"name": "x"}, "in.json", "item 4")
    items = [Record("in.json", "item 1", good), Record("in.json", "item 2", bad), known]
    items.append(unchanged)
    for jobs in (1, 2):
        found = list(outcomes(items * 3, Options(), ("html",), jobs))
        assert [type(o) for o in found] == [Rendered, Failed, Failed, Unchanged] * 3
        first = found[0]
        assert isinstance(first, Rendered) and first.article.id == "9500010"
        assert first.outputs["html"].startswith(b"<!DOCTYPE html>")
        second = found[1]
        assert isinstance(second, Failed) and second.failure.stage == "read"
        assert second.failure.position == "item 2"
        assert found[2] == known and found[3] == unchanged


def test_commands_and_export_share_the_report_summary(tmp_path: Path) -> None:
    path = source(tmp_path)
    command = api.convert("html", [str(path)], tmp_path / "html", OPTIONS)
    result = export([str(path)], tmp_path / "out", OPTIONS, formats=["html"])
    assert type(command) is type(result)
    assert command.summary() == result.summary() == "converted 2, skipped 2, failed 0"
    summary = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert summary["summary"] == {"converted": 2, "skipped": 2, "failed": 0}


def _seeded(count: int) -> list[Article]:
    """``count`` published articles from one sample, with ids that are prefixes of each other
    ("1", "10", "100") and shared timestamps: the ties an order has to settle."""
    from dataclasses import replace
    from datetime import timedelta

    from .conftest import SAMPLES

    (seed,) = list(read_articles([str(SAMPLES / "01-seed.txt")], Options()))
    assert isinstance(seed, Article) and seed.published
    return [
        replace(
            seed,
            id=str(1 + n % 4) * (1 + n // 4),
            published=seed.published + timedelta(hours=n % 4),
        )
        for n in range(count)
    ]


def test_the_registry_declares_each_collection_order_once() -> None:
    from converter.adapters import ADAPTERS, BOOK
    from converter.adapters.epub.collection import reading_order
    from converter.adapters.feeds import newest_first

    feeds = [a for a in ADAPTERS.values() if a.sections]
    assert feeds and all(a.sort_key is newest_first for a in feeds)
    assert ADAPTERS[BOOK].sort_key is reading_order
    assert ADAPTERS["html"].sort_key is None  # a per-article format has no order


def test_feed_candidates_are_the_newest_the_feed_itself_selects() -> None:
    """The export's bounded per-feed candidates (FeedCollector) and the feed's own selection
    agree on which newest N and in which order, ties on the same second included."""
    from dataclasses import replace
    from datetime import timedelta

    from converter.adapters.feeds import select
    from converter.engine.collectors import FeedCollector
    from converter.options import FeedOptions

    articles = _seeded(12)
    latest = max(a.published for a in articles if a.published)
    options = Options(feed=FeedOptions(limit=4), now=latest + timedelta(days=1))
    options = replace(options, feed=replace(options.feed, include_noindex=True))
    collector = FeedCollector(options)
    for article in articles:
        collector.add(article)
    chosen, _ = select(articles, options)
    assert [a.id for a in collector.articles()] == [a.id for a in chosen]
    assert len(chosen) == 4 and len({a.published for a in chosen}) < 4  # a tie was settled


def test_book_candidates_keep_the_books_reading_order() -> None:
    """The book's entries come in the order the engine's bounded book candidates use."""
    from converter.adapters.epub import Build
    from converter.engine.collectors import BookCollector, book_order

    articles = _seeded(12)
    book = Build(articles, Options())
    expected = sorted(articles, key=book_order)
    assert [e.article.id for e in book.entries] == [a.id for a in expected]
    bounded = BookCollector(3)
    for article in articles:
        bounded.add(article)
    assert sorted(bounded.articles(), key=book_order) == expected[:3]


def test_parsed_articles_go_through_the_pool_in_input_order() -> None:
    """The per-article commands hand parsed articles to pool.outcomes: rendered in worker
    processes with jobs=2, the same outcomes in the same order as serially."""
    articles = _seeded(9)
    serial = list(outcomes(articles, Options(), ("markdown",), 1))
    pooled = list(outcomes(articles, Options(), ("markdown",), 2))
    assert all(isinstance(o, Rendered) for o in serial)
    assert [o.article.id for o in pooled if isinstance(o, Rendered)] == [a.id for a in articles]
    assert pooled == serial


def test_state_files_are_streamed_and_an_unchanged_one_is_left_alone(tmp_path: Path) -> None:
    """write_state streams its lines through a temporary file (the sitemap state of a whole
    archive is never built in memory): the same bytes as one JSON line per article, a lone
    newline for none, and a file with the same bytes is not replaced (incremental runs)."""
    from dataclasses import replace

    from converter.engine.collectors import article_to_json, load_state, write_state

    articles = _seeded(5)
    write_state(tmp_path, iter(articles), "state/s.jsonl")  # any iterable, read once
    target = tmp_path / "state" / "s.jsonl"
    lines = [json.dumps(article_to_json(a), ensure_ascii=False, sort_keys=True) for a in articles]
    assert target.read_bytes() == ("\n".join(lines) + "\n").encode("utf-8")
    assert list(load_state([tmp_path], "state/s.jsonl")) == articles
    inode = target.stat().st_ino
    write_state(tmp_path, articles, "state/s.jsonl")
    assert target.stat().st_ino == inode  # same bytes: not rewritten
    changed = [replace(articles[0], title=articles[0].title[::-1]), *articles[1:]]
    write_state(tmp_path, changed, "state/s.jsonl")  # same size, other bytes
    assert target.stat().st_ino != inode
    assert next(load_state([tmp_path], "state/s.jsonl")).title == changed[0].title
    write_state(tmp_path, [], "state/s.jsonl")
    assert target.read_bytes() == b"\n"


def test_sitemap_records_share_equal_terms_and_bylines() -> None:
    """Two articles with equal (not identical) sections, keywords and authors: the sitemap
    collector keeps one object of each, and the records still compare equal to their own."""
    from dataclasses import replace

    from converter.engine.collectors import SitemapCollector

    first, second = _seeded(2)
    assert first.categories and first.authors

    def fresh(article: Article) -> Article:  # new objects with the same values
        return replace(
            article,
            authors=tuple(replace(x) for x in article.authors),
            categories=tuple(replace(x) for x in article.categories),
            keywords=tuple(replace(x) for x in article.keywords),
        )

    first, second = fresh(first), fresh(second)
    assert first.categories[0] is not second.categories[0]
    collector = SitemapCollector()
    collector.add(first)
    collector.add(second)
    kept = {a.id: a for a in collector.articles()}
    one, two = kept[first.id], kept[second.id]
    assert one.categories[0] is two.categories[0] and one.authors[0] is two.authors[0]
    assert (one.categories, one.authors, one.keywords) == (
        first.categories,
        first.authors,
        first.keywords,
    )


def test_rendered_outcomes_carry_the_sitemap_images_the_writer_would_find() -> None:
    """The workers find each article's sitemap images (the writer, export's busiest process,
    no longer parses every body again for them): the same list, in the same order, and the
    sitemap collector keeps the same record from them as from its own parse."""
    from converter.adapters.sitemap import image_urls
    from converter.engine.collectors import SitemapCollector

    body = (
        '<p>x</p><img src="https://www.dailymaverick.co.za/wp-content/uploads/b.jpg">'
        '<img src="https://www.dailymaverick.co.za/wp-content/uploads/a.jpg"><img src="rel.jpg">'
    )
    items = [Record("in.json", "item 1", record("9500020", contents=body))]
    for jobs in (1, 2):
        (done,) = list(outcomes(items, Options(), ("html",), jobs))
        assert isinstance(done, Rendered)
        expected = tuple(image_urls(done.article))
        assert len(expected) >= 2 and done.images == expected
        given, found = SitemapCollector(), SitemapCollector()
        given.add(done.article, done.images)
        found.add(done.article)
        assert given.articles() == found.articles()


def test_workers_exit_when_their_pipes_close_and_are_not_killed() -> None:
    """Each worker exits by itself once the pool closes its pipe (exit status 0): before, a
    worker held the main process's end of its own pipe (a copy from the fork), never saw it
    close, and every run waited out the grace period and then SIGKILLed its workers."""
    from converter.workers import Workers

    with Workers(2, abs, _nothing, ()) as workers:
        assert [r for _, r in workers.map(range(-40, 0), 4, 8)] == list(range(40, 0, -1))
        processes = [slot.process for slot in workers._slots]
    assert [p.exitcode for p in processes] == [0, 0]


def _nothing() -> None:
    return None


def test_state_lines_are_the_dicts_asdict_made() -> None:
    """``article_to_json`` no longer goes through ``dataclasses.asdict`` (its deep copies were
    most of the state files' time): the same dicts, keys in the same order, tuples still
    tuples, for every sample article (lead images with renditions too)."""
    from dataclasses import asdict

    from converter.engine.collectors import article_from_json, article_to_json

    from .conftest import SAMPLES

    found = [a for a in read_articles([str(SAMPLES)], Options()) if isinstance(a, Article)]
    assert any(a.image and a.image.renditions for a in found) and any(a.authors for a in found)
    for article in found:
        expected = asdict(article)
        for key in ("published", "updated", "modified"):
            value = getattr(article, key)
            expected[key] = value.isoformat() if value else None
        expected.pop("warnings")
        made = article_to_json(article)
        assert repr(made) == repr(expected)
        assert article_from_json(json.loads(json.dumps(made))) == article


# ---------------------------------------------------------------------------------------------
# workers.Ahead: one call made in a forked process (the export's book, with --jobs)


def _killed() -> int:
    import os
    import signal

    os.kill(os.getpid(), signal.SIGKILL)
    return 1


def _raises() -> int:
    raise KeyError("made to fail")


def _unpicklable() -> Any:
    return lambda: None  # a lambda cannot be pickled


def test_ahead_gives_the_value_made_in_another_process() -> None:
    import multiprocessing
    import os

    from converter.workers import Ahead

    with Ahead(os.getpid) as ahead:
        pid = ahead.value()
    assert pid is not None and pid != os.getpid()  # made in the child
    assert multiprocessing.active_children() == []  # and the child is gone


def test_ahead_gives_none_when_the_value_did_not_come_back() -> None:
    """None means "make it yourself": a call that raised, a value that cannot be pickled, a
    child that was killed. Nothing is printed, and no child is left."""
    import multiprocessing

    from converter.workers import Ahead

    for call in (_raises, _unpicklable, _killed):
        with Ahead(call) as ahead:
            assert ahead.value() is None, call.__name__
        assert multiprocessing.active_children() == []
