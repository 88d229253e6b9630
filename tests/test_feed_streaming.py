"""Feeds written one item at a time (issue 13 item 4): the same bytes as the whole document.

RSS and Atom items are serialised one by one and spliced between the channel's head and tail;
the reference here is what feedgen writes for the whole tree at once (every entry added, one
``rss_str``/``atom_str``), so a splice that loses a namespace declaration, an indentation or a
separator fails. JSON Feed is written by json's pure-Python encoder with lazily made items;
its reference is ``json.dumps`` of the same document. A feed run keeps its articles on disk
(``Spool``) and parses each selected body once.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from converter import Article, Options
from converter.adapters import feeds
from converter.api import feeds as build_feeds
from converter.api import latest, read_articles
from converter.output import Report

from .conftest import SAMPLES

NOW = datetime(2026, 1, 1, tzinfo=UTC)

OPTION_SETS: dict[str, dict[str, Any]] = {
    "plain": {"limit": 0},
    "pretty": {"limit": 0, "pretty": True},
    "channel": {
        "limit": 0,
        "feed_url": "https://feeds.example.org/feed",
        "hub": "https://hub.example.org/",
        "image": "https://example.org/logo.png",
        "title": "T & <t>",
    },
    "xsl": {"limit": 0, "xsl": "/style.xsl?a=1&b=2"},
    "xsl-pretty": {"limit": 3, "xsl": "/style.xsl", "pretty": True, "hub": "https://h/"},
    "paywall-full": {"limit": 0, "paywall": "full", "include_noindex": True},
    "one": {"limit": 1},
}


def options(**feed: Any) -> Options:
    base = Options(now=NOW)
    return replace(base, feed=replace(base.feed, **feed))


def articles() -> list[Article]:
    return latest(read_articles([str(SAMPLES)], Options(now=NOW)), Report())


def whole_tree(fmt: str, items: list[Article], opts: Options) -> bytes:
    """The feed as one feedgen document: every entry added, then one serialisation."""
    fg = feeds._channel(items, opts, fmt)
    for article in items:
        feeds._entry(fg.add_entry(order="append"), article, opts, fmt)
    pretty = opts.feed.pretty
    if fmt == "atom":
        data: bytes = fg.atom_str(pretty=pretty, encoding="UTF-8", xml_declaration=True)
    else:
        data = fg.rss_str(pretty=pretty, encoding="UTF-8", xml_declaration=True)
    return feeds._with_stylesheet(data, opts.feed.xsl, pretty) if opts.feed.xsl else data


@pytest.mark.parametrize("label", list(OPTION_SETS))
@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_items_written_one_by_one_are_the_bytes_of_the_whole_feedgen_document(
    fmt: str, label: str
) -> None:
    opts = options(**OPTION_SETS[label])
    every = articles()
    items = feeds.select(every, opts)[0]
    assert items, "the samples select items"
    render = feeds.render_rss if fmt == "rss" else feeds.render_atom
    assert render(every, opts) == whole_tree(fmt, items, opts)


@pytest.mark.parametrize("fmt", ["rss", "atom", "json-feed"])
def test_a_feed_of_no_items_is_still_the_whole_document(fmt: str) -> None:
    opts = options(category="no-such-section")
    out = feeds._rendered(fmt, articles(), opts)
    if fmt == "json-feed":
        assert json.loads(out)["items"] == []
    else:
        assert out == whole_tree(fmt, [], opts)


@pytest.mark.parametrize("label", list(OPTION_SETS))
def test_json_feed_written_item_by_item_is_what_json_dumps_writes(label: str) -> None:
    opts = options(**OPTION_SETS[label])
    out = feeds.render_json_feed(articles(), opts)
    doc = json.loads(out)
    assert doc["items"]
    indent = 2 if opts.feed.pretty else None
    assert out == (json.dumps(doc, ensure_ascii=False, indent=indent) + "\n").encode()


def test_the_spool_keeps_stubs_without_bodies_and_gives_back_the_whole_article() -> None:
    spool = feeds.Spool()
    try:
        every = articles()
        stubs = [spool.keep(a) for a in every]
        assert all(s.body == "" and s.image is None and s.title == "" for s in stubs)
        for stub, article in zip(stubs, every, strict=True):
            assert (stub.id, stub.published, stub.categories) == (
                article.id,
                article.published,
                article.categories,
            )
            assert spool.load(stub) == article
        opts = options(limit=0)
        assert [a.id for a in feeds.select(stubs, opts)[0]] == [
            a.id for a in feeds.select(every, opts)[0]
        ]
    finally:
        spool.close()


@pytest.mark.parametrize("fmt", ["rss", "atom", "json-feed"])
def test_a_feed_run_parses_each_selected_body_once(
    fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The summary and the content come from one parse (the read stage's parse is not this)."""
    parsed: list[str] = []
    original = feeds.parse

    def counting(body: str) -> Any:
        parsed.append(body)
        return original(body)

    monkeypatch.setattr(feeds, "parse", counting)
    opts = options(limit=0, paywall="full")
    outputs, report = build_feeds(fmt, [str(SAMPLES)], opts)
    assert outputs[""] and report.converted
    assert len(parsed) == len(report.converted)  # every item full: one parse each, no more
    assert all(parsed), "bodies come back from the spool, not the empty stubs"
