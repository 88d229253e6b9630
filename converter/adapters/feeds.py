"""Feeds for aggregators: RSS 2.0 and Atom 1.0 through feedgen, JSON Feed 1.1 by the project.

What the aggregators ask for and feedgen 1.0's pitfalls are in shared/docs/feeds.md; each
pitfall is handled where it bites, marked "pitfall N". Selection (status, future dates,
paywall, noindex, filters, limit) is shared by the three formats, so the same input gives the
same items in every feed, newest first.
"""

from __future__ import annotations

import html
import io
import json
import mimetypes
import os
import pickle
import re
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, BinaryIO, TypeVar

from lxml import etree

from .. import images
from ..content import parse, xml_safe
from ..content.tree import text_of
from ..model import Article, Author, Term
from ..options import FeedOptions, Options
from .common import Descending

__all__ = [
    "ItemText",
    "Skipped",
    "Spool",
    "excluded",
    "feed_body",
    "item_text",
    "newest_first",
    "render_atom",
    "render_json_feed",
    "render_rss",
    "select",
    "write_feed",
]

MRSS = "http://search.yahoo.com/mrss/"  # Media RSS 1.5.1 (feeds.md §2), trailing slash
ATOM = "http://www.w3.org/2005/Atom"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # "updated" of an empty feed: never the clock
SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)]*\s+")


@dataclass(frozen=True, slots=True)
class Skipped:
    article: Article
    rule: str  # why it is not in the feed


def _generator() -> tuple[str, str]:
    from .._version import __version__

    return "converter", __version__


# ---------------------------------------------------------------------------------------------
# Selection


def select(
    articles: Sequence[Article], options: Options, now: datetime | None = None
) -> tuple[list[Article], list[Skipped]]:
    """The feed's items, newest first by published date, and what was left out and why."""
    feed = options.feed
    now = now or feed_now(options)
    chosen: list[Article] = []
    skipped: list[Skipped] = []
    for a in articles:
        rule = excluded(a, feed, now)
        if rule:
            skipped.append(Skipped(a, rule))
        else:
            chosen.append(a)
    chosen.sort(key=newest_first)
    if feed.limit and len(chosen) > feed.limit:
        skipped.extend(Skipped(a, f"beyond --limit {feed.limit}") for a in chosen[feed.limit :])
        chosen = chosen[: feed.limit]
    return chosen, skipped


def newest_first(article: Article) -> Descending:
    """The feeds' order (an ascending sort key): newest published first, ties by id descending.
    The registry declares it (``Adapter.order``): ``select`` and the engine's per-feed
    candidates (engine/collectors.py) must keep the same newest N."""
    return Descending((article.published or EPOCH, article.id))


def feed_now(options: Options) -> datetime:
    return options.now or datetime.now(UTC)


def excluded(a: Article, feed: FeedOptions, now: datetime) -> str:
    """Why ``a`` is not in a feed with these settings ("" = it is)."""
    if a.status != "publish":
        return f"status {a.status!r} (only published articles go into feeds)"
    if a.unparsed_dates:
        return f"unparseable date ({', '.join(a.unparsed_dates)}): feeds need valid dates"
    if a.published is None:
        return "no publication date"
    if a.published > now:
        return f"future-dated ({a.published.isoformat()})"
    if a.noindex and not feed.include_noindex:
        return "excludedFromGoogleSearchEngine (use --include-noindex)"
    if a.paywalled and feed.paywall == "exclude":
        return "paywalled (--paywall exclude)"
    if feed.category and not any((c.slug or c.name) == feed.category for c in a.categories):
        return f"not in section {feed.category!r}"
    if feed.keyword and not any(k.slug == feed.keyword for k in a.keywords):
        return f"no keyword {feed.keyword!r}"
    if feed.author and not any(x.name.casefold() == feed.author.casefold() for x in a.authors):
        return f"not by {feed.author!r}"
    return ""


# ---------------------------------------------------------------------------------------------
# A feed run's articles on disk

# What selection, ordering, the feed's title and the report never read: emptied in the copy a
# feed run keeps in memory (the body alone is ~12 KB an article; 10,000 of them were ~1 GiB
# with the copies made on the way).
_RENDER_ONLY: dict[str, Any] = dict(
    title="", body="", slug="", shorturl="", external_url="", teaser="", summary="",
    description="", short_summary="", image=None, warnings=(),
)  # fmt: skip


_Value = TypeVar("_Value", Term, Author)
_Place = tuple[str, str, str, datetime | None]


def _place(article: Article) -> _Place:
    """A record's key: where it was read, its id and its lastUpdate (an export's incremental
    run may hold an older and a newer copy of one article, read from the same place)."""
    return article.source, article.position, article.id, article.modified


class Spool:
    """The articles of a feed run in an unnamed temporary file; in memory, for each, only a
    stub that selects and sorts like it (``keep``), and where its pickle is (``load``).

    Bodies are read from the inputs once (the inputs may be stdin: they cannot be read again)
    and parsed once more, when their item is written; a feed of the whole archive needs the
    memory of its metadata, not of its bodies.
    """

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as the run: close())
        self._where: dict[_Place, tuple[int, int]] = {}  # → offset, length
        self._values: dict[Term | Author, Term | Author] = {}

    def keep(self, article: Article) -> Article:
        """Store ``article``; its stub (same id, dates, status, flags, terms, authors, place)."""
        data = pickle.dumps(article, pickle.HIGHEST_PROTOCOL)
        offset = self._file.seek(0, os.SEEK_END)
        self._file.write(data)
        self._where[_place(article)] = (offset, len(data))
        return replace(
            article,
            authors=tuple(self._shared(x) for x in article.authors),
            categories=tuple(self._shared(x) for x in article.categories),
            keywords=tuple(self._shared(x) for x in article.keywords),
            **_RENDER_ONLY,
        )

    def _shared(self, value: _Value) -> _Value:
        """One object for equal terms and authors: sections, keywords and bylines repeat across
        an archive, and each copy (five strings) was most of a stub's memory."""
        return self._values.setdefault(value, value)  # type: ignore[return-value]

    def load(self, stub: Article) -> Article:
        """The whole article of a stub ``keep`` returned."""
        offset, length = self._where[_place(stub)]
        self._file.seek(offset)
        article: Article = pickle.loads(self._file.read(length))  # our own file, this run
        return article

    def close(self) -> None:
        self._file.close()


# ---------------------------------------------------------------------------------------------
# Item content


def _media_type(url: str) -> str:
    path = url.split("?", 1)[0]
    guessed = mimetypes.guess_type(path)[0]
    return guessed if guessed and guessed.startswith("image/") else "image/jpeg"


def full_content(article: Article, options: Options) -> bool:
    return not article.paywalled or options.feed.paywall == "full"


def feed_body(article: Article, options: Options) -> str:
    """The clean body for feed readers: lead image figure first (unless the body opens with
    that picture), embeds degraded to links.

    Readers strip iframes and scripts; a tweet's quote reads well as a blockquote and every
    other embed becomes a paragraph with its link (source-format.md §8).
    """
    return _feed_html(article, parse(article.body))


def _feed_html(article: Article, body: etree._Element) -> str:
    """``feed_body`` of an already parsed body (changed in place)."""
    lead_in_body = images.shown_in_body(article.image, body)  # then the body's figure shows it
    if lead_in_body:
        images.caption_from_lead(article.image, body)
    for figure in list(body.iter("figure")):
        if figure.get("class") != "embed":
            continue
        replacement: list[etree._Element] = []
        quote = figure.find("blockquote")
        if quote is not None:
            replacement.append(quote)
        link = figure.find("figcaption/a")
        if link is not None:
            p = etree.Element("p")
            etree.SubElement(p, "a", {"href": link.get("href", "")}).text = link.text
            replacement.append(p)
        parent = figure.getparent()
        assert parent is not None
        for el in replacement:  # before the figure, not at an index (lxml walks to one: n²)
            figure.addprevious(el)
            el.tail = "\n"
        parent.remove(figure)
    lead = images.pick(article.image, images.FEED)
    if lead is not None and article.image is not None and not lead_in_body:
        figure = etree.Element("figure")
        etree.SubElement(figure, "img", {"src": lead.url, "alt": article.image.alt})
        caption = " ".join(x for x in (article.image.caption, article.image.credit) if x)
        if caption:
            etree.SubElement(figure, "figcaption").text = caption
        body.insert(0, figure)
        figure.tail = "\n" + (body.text or "")
        body.text = None
    parts = [body.text or ""]
    parts += [etree.tostring(child, method="html", encoding="unicode") for child in body]
    return xml_safe("".join(parts).strip())


def feed_summary(article: Article, options: Options) -> str:
    """The item's summary: ``plain_summary``, but never made from a body the feed withholds
    (a paywalled article without a summary or description gets none: "" = leave it out)."""
    if article.standfirst or full_content(article, options):
        return plain_summary(article)
    return ""


def plain_summary(article: Article, limit: int = 300, body: etree._Element | None = None) -> str:
    """Plain text: the CMS summary, else the description, else the body's opening sentences.
    ``body``: the article's body already parsed (and not yet changed by ``_feed_html``)."""
    if article.standfirst:
        return article.standfirst
    if body is None:
        body = parse(article.body)
    text = ""
    for p in body.iter("p"):
        chunk = text_of(p)  # (a <br> separates words: "Line one<br>Line two")
        if chunk:
            text = f"{text} {chunk}".strip()
        if len(text) >= limit:
            break
    if len(text) <= limit:
        return text
    cut = ""
    for sentence in SENTENCE_END.split(text):
        if cut and len(cut) + len(sentence) + 1 > limit:
            break
        cut = f"{cut} {sentence}".strip()
    if len(cut) > limit or not cut:  # one long sentence: cut at a word boundary
        cut = text[:limit].rsplit(" ", 1)[0] + "…"
    return cut


def categories(article: Article) -> list[str]:
    """Sections, then keywords, deduplicated case-insensitively (WordPress does the same)."""
    seen: set[str] = set()
    out = []
    for term in (*article.categories, *article.keywords):
        if term.name.casefold() not in seen:
            seen.add(term.name.casefold())
            out.append(term.name)
    return out


# ---------------------------------------------------------------------------------------------
# RSS and Atom through feedgen


def _feedgen_extension() -> tuple[type, type]:
    """A feedgen extension for what feedgen 1.0 lacks or gets wrong (pitfalls 3, 10, 11)."""
    from feedgen.ext.base import BaseEntryExtension, BaseExtension

    class Channel(BaseExtension):  # type: ignore[misc]
        hub = ""

        def extend_ns(self) -> dict[str, str]:
            return {"media": MRSS}

        def extend_rss(self, rss: etree._Element) -> etree._Element:
            if self.hub:  # pitfall 11: feedgen writes only the first rel=self atom:link
                channel = rss.find("channel")
                assert channel is not None
                etree.SubElement(channel, f"{{{ATOM}}}link", {"rel": "hub", "href": self.hub})
            return rss

        def extend_atom(self, feed: etree._Element) -> etree._Element:
            if self.hub:
                link = etree.Element(f"{{{ATOM}}}link", {"rel": "hub", "href": self.hub})
                first_entry = feed.find(f"{{{ATOM}}}entry")
                if first_entry is not None:
                    first_entry.addprevious(link)
                else:
                    feed.append(link)
            return feed

    class Item(BaseEntryExtension):  # type: ignore[misc]
        image: dict[str, str] | None = None  # url, type, width, thumbnail, credit, description

        def extend_ns(self) -> dict[str, str]:
            return {"media": MRSS}

        def extend_rss(self, item: etree._Element) -> etree._Element:
            image = self.image
            if not image:
                return item
            # pitfall 10: no <media:group> wrapper; credit and description exist in MRSS.
            attrs = {"url": image["url"], "medium": "image", "type": image["type"]}
            if image.get("width"):
                attrs["width"] = image["width"]
            content = etree.SubElement(item, f"{{{MRSS}}}content", attrs)
            if image.get("credit"):
                etree.SubElement(
                    content, f"{{{MRSS}}}credit", {"role": "photographer"}
                ).text = image["credit"]
            if image.get("description"):
                etree.SubElement(content, f"{{{MRSS}}}description", {"type": "plain"}).text = image[
                    "description"
                ]
            etree.SubElement(item, f"{{{MRSS}}}thumbnail", {"url": image["thumbnail"]})
            return item

        def extend_atom(self, entry: etree._Element) -> etree._Element:
            image = self.image
            if image:  # pitfall 3: feedgen drops rel/type/length from Atom entry links
                attrs = {
                    "rel": "enclosure",
                    "href": image["url"],
                    "type": image["type"],
                    "length": "0",
                }
                # feedgen writes Atom elements without a namespace under the feed's default
                # xmlns; a namespaced link here would be serialised with an "ns0:" prefix.
                etree.SubElement(entry, "link", attrs)
            return entry

    return Channel, Item


def _feed_title(options: Options, articles: Sequence[Article]) -> str:
    feed = options.feed
    if feed.title:
        return feed.title
    if feed.category:
        names = {
            c.name for a in articles for c in a.categories if (c.slug or c.name) == feed.category
        }
        if names:
            return f"{options.site_title}: {sorted(names)[0]}"
    return options.site_title


def _channel(articles: Sequence[Article], options: Options, fmt: str) -> Any:
    """A FeedGenerator with the feed's own elements (no entries yet): they depend only on the
    items' metadata, never on their bodies."""
    from feedgen.feed import FeedGenerator

    feed = options.feed
    fg = FeedGenerator()
    channel_ext, item_ext = _feedgen_extension()
    fg.load_extension("dc")  # pitfall 7: name-only authors as dc:creator
    fg.register_extension("converter", channel_ext, item_ext)
    fg.converter.hub = feed.hub
    site = options.site_url
    title = xml_safe(_feed_title(options, articles))
    fg.title(title)
    fg.id(feed.feed_url or site)
    if feed.feed_url:  # pitfall 2: rel=self first, rel=alternate last (RSS <link> = last)
        media = "application/atom+xml" if fmt == "atom" else "application/rss+xml"
        fg.link(href=feed.feed_url, rel="self", type=media)
    fg.link(href=site, rel="alternate", type="text/html")
    fg.description(xml_safe(feed.description or f"Latest articles from {options.site_title}"))
    fg.language(options.language)
    name, ver = _generator()
    fg.generator(name, version=ver)  # pitfall 13: no python-feedgen default
    fg.ttl(feed.ttl)
    if feed.image:
        fg.image(url=feed.image, title=title, link=site)
        fg.logo(feed.image)
    if feed.icon:
        fg.icon(feed.icon)
    newest = max((a.updated or a.published or EPOCH for a in articles), default=EPOCH)
    fg.lastBuildDate(newest)  # pitfall 8: never now()
    fg.updated(newest)
    if fmt == "atom" and not articles:
        fg.author({"name": options.site_title})  # RFC 4287: author required at some level
    return fg


@dataclass(frozen=True, slots=True)
class ItemText:
    """An item's summary ("" = none) and body (None = withheld by the paywall rule)."""

    summary: str
    content: str | None


def item_text(article: Article, options: Options) -> ItemText:
    """``feed_summary`` and ``feed_body`` from one parse of the body: the summary is read
    from the tree before ``_feed_html`` changes it."""
    if not full_content(article, options):
        return ItemText(article.standfirst, None)
    body = parse(article.body)
    return ItemText(plain_summary(article, body=body), _feed_html(article, body))


def _same(article: Article) -> Article:
    return article


@dataclass
class _Splice:
    """Where each item's bytes go in the document feedgen would have written.

    The feed is serialised once without items (``head`` + ``tail``); each item is serialised
    alone in the same root and container (same namespaces, same depth, so the same
    indentation) and cut out of that small document between ``prefix`` and ``suffix``, which
    a placeholder child measured. libxml2 writes an element the same wherever its siblings
    are, so head + (sep + item)… + tail is byte for byte what one ``tostring`` of the whole
    tree gives, without ever holding more than one item.
    """

    doc: Any  # the feed's ElementTree, emptied of the container's children
    container: etree._Element  # <channel> (RSS) or <feed> (Atom): where items go
    options: Options
    head: bytes = b""
    tail: bytes = b""
    prefix: bytes = b""
    suffix: bytes = b""
    sep: bytes = b""

    def measure(self) -> None:
        whole = self.serialise()
        for child in list(self.container):
            self.container.remove(child)
        etree.SubElement(self.container, "x")
        one = self.serialise()
        at = one.index(b"<x/>")
        self.prefix, self.suffix = one[:at], one[at + 4 :]
        etree.SubElement(self.container, "y")
        two = self.serialise()
        self.sep = two[len(self.prefix) + 4 : two.index(b"<y/>")]
        for child in list(self.container):
            self.container.remove(child)
        if not whole.endswith(self.suffix):
            raise AssertionError("feed layout not as measured")  # a libxml2 change: caught
        self.head, self.tail = whole[: len(whole) - len(self.suffix)], self.suffix

    def serialise(self) -> bytes:
        feed = self.options.feed
        data: bytes = etree.tostring(
            self.doc, pretty_print=feed.pretty, encoding="UTF-8", xml_declaration=True
        )
        return _with_stylesheet(data, feed.xsl, feed.pretty) if feed.xsl else data

    def item(self, element: etree._Element) -> bytes:
        self.container.append(element)
        try:
            data = self.serialise()
        finally:
            self.container.remove(element)
        if not (data.startswith(self.prefix) and data.endswith(self.suffix)):
            raise AssertionError("item layout not as measured")
        return self.sep + data[len(self.prefix) : len(data) - len(self.suffix)]


def _write_xml(
    articles: Sequence[Article],
    options: Options,
    fmt: str,
    out: BinaryIO,
    load: Callable[[Article], Article],
) -> None:
    """The RSS or Atom document of ``articles`` (selected, in order) into ``out``, one item at
    a time: only the current item's body, tree and bytes are in memory."""
    fg = _channel(articles, options, fmt)
    root, doc = fg._create_atom() if fmt == "atom" else fg._create_rss()
    container = root if fmt == "atom" else root.find("channel")
    splice = _Splice(doc, container, options)
    if not articles:  # the whole document as it is (an empty Atom feed has its own author)
        out.write(splice.serialise())
        return
    splice.measure()
    out.write(splice.head)
    for stub in articles:
        article = load(stub)
        fe = fg.add_entry(order="append")
        _entry(fe, article, options, fmt)
        element = fe.atom_entry() if fmt == "atom" else fe.rss_entry()
        fg.remove_entry(fe)  # feedgen keeps its entries: drop each once written
        out.write(splice.item(element))
    out.write(splice.tail)


def _entry(fe: Any, article: Article, options: Options, fmt: str) -> None:
    fe.guid(article.url, permalink=True)  # the canonical URL: stable, and a real permalink
    fe.title(xml_safe(article.title))
    fe.link(href=article.external_url or article.url, rel="alternate", type="text/html")
    if article.published:
        fe.published(article.published)
    fe.updated(article.updated or article.published or EPOCH)
    authors = [a for a in article.authors if a.name]
    for author in authors:
        fe.dc.dc_creator(xml_safe(author.name))
        if fmt == "atom":
            fe.author(
                {"name": xml_safe(author.name), **({"uri": author.url} if author.url else {})}
            )
    if fmt == "atom" and not authors:
        fe.author({"name": options.site_title})  # RFC 4287 §4.1.2: every entry needs an author
    for term in categories(article):
        fe.category(term=xml_safe(term))
    text = item_text(article, options)  # the body parsed once, for both
    summary = xml_safe(text.summary)
    # pitfall 12: summary, not description(). RSS <description> is read as (escaped) HTML by
    # readers, so plain text that looks like markup ("a <b>", pasted tags) is escaped once
    # more; Atom's summary is type="text" and stays as it is.
    if summary:
        fe.summary(html.escape(summary, quote=False) if fmt == "rss" else summary)
    if text.content:  # pitfall 4: CDATA is an RSS device; Atom gets type="html"
        fe.content(text.content, type="CDATA" if fmt == "rss" else "html")
    lead = images.pick(article.image, images.FEED)
    if lead is not None and article.image is not None:
        thumb = images.pick(article.image, images.THUMBNAIL) or lead
        media_type = _media_type(lead.url)
        if fmt == "rss":
            fe.enclosure(lead.url, "0", media_type)  # pitfall 5: length "0" when unknown
        fe.converter.image = {
            "url": lead.url,
            "type": media_type,
            "width": str(lead.width) if lead.width else "",
            "thumbnail": thumb.url,
            "credit": xml_safe(article.image.credit),
            "description": xml_safe(article.image.caption),
        }


def _with_stylesheet(data: bytes, href: str, pretty: bool) -> bytes:
    root = etree.fromstring(data)
    pi = etree.ProcessingInstruction("xml-stylesheet", f'type="text/xsl" href="{_attr(href)}"')
    root.addprevious(pi)
    return etree.tostring(
        root.getroottree(), encoding="UTF-8", xml_declaration=True, pretty_print=pretty
    )


def _attr(value: str) -> str:
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def write_feed(
    fmt: str,
    articles: Sequence[Article],
    options: Options,
    out: BinaryIO,
    load: Callable[[Article], Article] = _same,
) -> None:
    """Select and order ``articles`` for a feed of ``fmt`` ("rss", "atom", "json-feed") and
    write it into ``out``, item by item. ``load``: the whole article of one that selection
    saw (``Spool.load``: only metadata stays in memory; by default the article itself)."""
    items, _ = select(articles, options)
    if fmt == "json-feed":
        _write_json(items, options, out, load)
    else:
        _write_xml(items, options, fmt, out, load)


def _rendered(fmt: str, articles: Sequence[Article], options: Options) -> bytes:
    out = io.BytesIO()
    write_feed(fmt, articles, options, out)
    return out.getvalue()


def render_rss(articles: Sequence[Article], options: Options) -> bytes:
    """RSS 2.0 with content:encoded, dc:creator, Media RSS and enclosures."""
    return _rendered("rss", articles, options)


def render_atom(articles: Sequence[Article], options: Options) -> bytes:
    """Atom 1.0 (RFC 4287) with html content and enclosure links."""
    return _rendered("atom", articles, options)


# ---------------------------------------------------------------------------------------------
# JSON Feed 1.1 (https://jsonfeed.org/version/1.1), written by the project: feedgen has none


def render_json_feed(articles: Sequence[Article], options: Options) -> bytes:
    return _rendered("json-feed", articles, options)


class _LazyItems(list):  # type: ignore[type-arg]
    """The "items" array for json's pure-Python encoder: each item made as the encoder reaches
    it, so one item's dict is in memory at a time. The encoder asks only ``not lst`` (the
    length) and iterates."""

    def __init__(self, items: Sequence[Article], render: Callable[[Article], Any]) -> None:
        super().__init__()
        self.items, self.render = items, render

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[Any]:
        return (self.render(a) for a in self.items)


def _write_json(
    items: Sequence[Article],
    options: Options,
    out: BinaryIO,
    load: Callable[[Article], Article],
) -> None:
    feed = options.feed
    doc: dict[str, Any] = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": _feed_title(options, items),
        "home_page_url": options.site_url,
    }
    if feed.feed_url:
        doc["feed_url"] = feed.feed_url
    doc["description"] = feed.description or f"Latest articles from {options.site_title}"
    if feed.image:
        doc["icon"] = feed.image
    if feed.icon:
        doc["favicon"] = feed.icon
    doc["authors"] = [{"name": options.site_title, "url": options.site_url}]
    doc["language"] = options.language
    if feed.hub:
        doc["hubs"] = [{"type": "WebSub", "url": feed.hub}]
    doc["items"] = _LazyItems(items, lambda a: _json_item(load(a), options))
    # The pure-Python encoder (iterencode without _one_shot) writes what json.dumps writes;
    # xml_safe drops single characters, so it gives the same text chunk by chunk.
    encoder = json.JSONEncoder(ensure_ascii=False, indent=2 if feed.pretty else None)
    chunks: list[str] = []
    size = 0
    for chunk in encoder.iterencode(doc):
        chunks.append(chunk)
        size += len(chunk)
        if size > 1 << 16:
            out.write(xml_safe("".join(chunks)).encode("utf-8"))
            chunks, size = [], 0
    chunks.append("\n")
    out.write(xml_safe("".join(chunks)).encode("utf-8"))


def _json_item(article: Article, options: Options) -> dict[str, Any]:
    text = item_text(article, options)  # the body parsed once, for both
    item: dict[str, Any] = {"id": article.url, "url": article.url}
    if article.external_url:
        item["external_url"] = article.external_url
    item["title"] = article.title
    if text.content is not None:
        item["content_html"] = text.content
    if text.summary:
        item["summary"] = text.summary
    if "content_html" not in item:  # §1.1: content_html or content_text is required
        item["content_text"] = text.summary or article.title  # never the withheld body
    lead = images.pick(article.image, images.FEED)
    if lead is not None:
        item["image"] = lead.url
        banner = images.pick(article.image, images.SOCIAL)
        item["banner_image"] = banner.url if banner else lead.url
    if article.published:
        item["date_published"] = article.published.isoformat()
    if article.updated:
        item["date_modified"] = article.updated.isoformat()
    if article.authors:
        item["authors"] = [
            {"name": a.name, **({"url": a.url} if a.url else {})} for a in article.authors
        ]
    tags = categories(article)
    if tags:
        item["tags"] = tags
    item["language"] = options.language
    return item
