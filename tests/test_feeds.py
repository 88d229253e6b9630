"""Feeds for aggregators (issue 3): RSS 2.0, Atom 1.0 and JSON Feed 1.1 built from samples/.

Each test states one rule and checks it on real output: the specifications (RSS 2.0 + RSS
Profile, RFC 4287, JSON Feed 1.1), what the aggregators ask for (shared/docs/feeds.md §2-§3)
and the selection rules of issue 3. What a feed must carry is computed from the samples and the
rules (published, not future-dated, not noindex, newest first), not copied from the output.
Feeds are built with a fixed "now", so the same input always gives the same feed.
"""

from __future__ import annotations

import copy
import html
import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import feedparser
import jsonschema
import lxml.html
import pytest
from lxml import etree

from converter import Article, Options
from converter.api import feeds, latest, read_articles
from converter.images import same_picture
from converter.output import Report

from .conftest import SAMPLES, run_cli

NOW = datetime(2026, 1, 1, tzinfo=UTC)
SITE = Options().site_url
FORMATS = ("rss", "atom", "json-feed")
XML_FORMATS = ("rss", "atom")
FEED_URL = {
    "rss": "https://feeds.example.org/dm/rss.xml",
    "atom": "https://feeds.example.org/dm/atom.xml",
    "json-feed": "https://feeds.example.org/dm/feed.json",
}
HUB = "https://websub.example.org/hub"
XSL = "https://feeds.example.org/style.xsl"

NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "media": "http://search.yahoo.com/mrss/",
}
A = "{http://www.w3.org/2005/Atom}"

DRAFT_ID = "2630015"  # samples/08-draft.json
PAYWALLED_ID = "2401177"  # samples/07-paywalled.json
EMBEDS_ID = "2563512"  # samples/06-embeds.json
DUPLICATE_ID = "1560201"  # in 10-array.json and (newer) 11-lines.jsonl
HOSTILE = SAMPLES / "13-hostile.json"
# Sentences from the body of the paywalled sample: no feed may carry them by default.
PAYWALLED_BODY = (
    "On Monday it published the shortlist: 19 companies",
    "Several bidders have proposed penalty clauses",
    "The gap between those two positions is likely to",
)

# RFC 822 (as updated by RFC 1123) with a numeric zone, as the RSS Profile recommends.
RFC822 = re.compile(
    r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"\d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}"
)
# RFC 3339 date-time: a full date, a full time and a zone (Z or a numeric offset).
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")
# Characters XML 1.0 forbids (and that JSON readers choke on as raw text).
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Elements that run code or pull in other documents: never inside feed content.
ACTIVE_TAGS = {
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "form", "input",
    "button", "style", "link", "meta", "base", "noscript", "svg", "math", "template",
}  # fmt: skip
URL_ATTRS = (
    "href",
    "src",
    "srcset",
    "poster",
    "action",
    "formaction",
    "data",
    "cite",
    "background",
)


# ---------------------------------------------------------------------------------------------
# Building feeds and reading them back


def options(now: datetime = NOW, **feed: Any) -> Options:
    base = Options(now=now)
    return replace(base, feed=replace(base.feed, **feed))


def build(fmt: str, inputs: Sequence[Path] = (SAMPLES,), now: datetime = NOW, **feed: Any) -> bytes:
    outputs, _ = feeds(fmt, [str(p) for p in inputs], options(now, **feed))
    assert list(outputs) == [""]
    return outputs[""]


@cache
def sample_feed(fmt: str) -> bytes:
    """The feed of all of samples/ (limit 0), with its own URL: the feed most tests read."""
    return build(fmt, limit=0, feed_url=FEED_URL[fmt])


@cache
def sample_articles() -> tuple[Article, ...]:
    """Every valid sample once (the newest copy of a duplicate), as a run reads them."""
    return tuple(latest(read_articles([str(SAMPLES)], Options(now=NOW)), Report()))


def by_id(article_id: str) -> Article:
    return next(a for a in sample_articles() if a.id == article_id)


def expected(now: datetime = NOW, articles: Sequence[Article] | None = None) -> list[Article]:
    """The selection rules: published, not future-dated, not noindex; newest first."""
    chosen = [
        a
        for a in (sample_articles() if articles is None else articles)
        if a.status == "publish"
        and a.published is not None
        and a.published <= now
        and not a.noindex
    ]
    return sorted(chosen, key=lambda a: a.published or NOW, reverse=True)


def link_of(article: Article) -> str:
    return article.external_url or article.url


def categories_of(article: Article) -> list[str]:
    """Sections first, then keywords, each name once (case-insensitively)."""
    seen: set[str] = set()
    out = []
    for term in (*article.categories, *article.keywords):
        if term.name.casefold() not in seen:
            seen.add(term.name.casefold())
            out.append(term.name)
    return out


@dataclass(frozen=True)
class Item:
    """One feed item, whatever the format."""

    id: str
    link: str
    title: str
    summary: str
    content: str | None  # HTML
    image: str | None  # the lead image URL
    published: str  # as written in the feed


def items(fmt: str, data: bytes) -> list[Item]:
    if fmt == "json-feed":
        return [
            Item(
                i["id"],
                i.get("external_url") or i["url"],
                i.get("title", ""),
                i.get("summary", ""),
                i.get("content_html"),
                i.get("image"),
                i.get("date_published", ""),
            )
            for i in json.loads(data)["items"]
        ]
    root = etree.fromstring(data)
    if fmt == "rss":
        return [
            Item(
                it.findtext("guid") or "",
                it.findtext("link") or "",
                it.findtext("title") or "",
                it.findtext("description") or "",
                it.findtext("content:encoded", namespaces=NS),
                next(iter(it.xpath("media:content/@url", namespaces=NS)), None),
                it.findtext("pubDate") or "",
            )
            for it in root.iterfind("channel/item")
        ]
    return [
        Item(
            e.findtext(f"{A}id") or "",
            next(
                iter(e.xpath("atom:link[not(@rel) or @rel='alternate']/@href", namespaces=NS)), ""
            ),
            e.findtext(f"{A}title") or "",
            e.findtext(f"{A}summary") or "",
            e.findtext(f"{A}content"),
            next(iter(e.xpath("atom:link[@rel='enclosure']/@href", namespaces=NS)), None),
            e.findtext(f"{A}published") or "",
        )
        for e in root.iterfind(f"{A}entry")
    ]


def ids(fmt: str, data: bytes) -> list[str]:
    return [i.id for i in items(fmt, data)]


def feed_date(fmt: str, text: str) -> datetime:
    """A date as the format requires it: RFC 822 in RSS, RFC 3339 in Atom and JSON Feed."""
    if fmt == "rss":
        assert RFC822.fullmatch(text), f"not RFC 822 with a numeric zone: {text!r}"
        return parsedate_to_datetime(text)
    assert RFC3339.fullmatch(text), f"not RFC 3339 with a zone: {text!r}"
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def same_instant_and_zone(got: datetime, want: datetime | None) -> bool:
    assert want is not None
    return got == want and got.utcoffset() == want.utcoffset()


def fragment(markup: str) -> lxml.html.HtmlElement:
    return lxml.html.fragment_fromstring(markup, create_parent="div")


def text_of(markup: str) -> str:
    """The visible text of an HTML fragment, whitespace collapsed."""
    return " ".join(fragment(markup).text_content().split())


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


def searchable(fmt: str, data: bytes) -> str:
    """Every piece of text and every attribute value, entities (XML, then HTML) decoded."""
    if fmt == "json-feed":
        parts = list(strings(json.loads(data)))
    else:
        parts = []
        for el in etree.fromstring(data).iter():
            parts += [el.text or "", el.tail or "", *el.attrib.values()]
    return html.unescape("\n".join(parts))


def image_width(url: str, article: Article) -> int:
    """The width of the image at ``url``: known from the model, else from the CDN transform."""
    image = article.image
    assert image is not None
    for rendition in image.renditions:
        if rendition.url == url:
            return rendition.width
    if url == image.url and image.width:
        return image.width
    transform = re.search(r"/(\d+)x(\d+)/", url)
    assert transform, f"width of {url} unknown"
    return int(transform[1])


TEMPLATE = json.loads((SAMPLES / "12-api-envelope.json").read_text(encoding="utf-8"))["data"]


def record(article_id: str, **fields: Any) -> dict[str, Any]:
    """A valid source record (sample 12's shape) with its own id, URL and title."""
    rec = copy.deepcopy(TEMPLATE)
    rec.update(
        id=article_id,
        slug=f"test-article-{article_id}",
        url=f"https://staging.dailymaverick.co.za/article/2024-05-08-test-article-{article_id}/",
        shorturl=f"https://staging.dailymaverick.co.za/article/{article_id}",
        title=f"Test article {article_id} for the feed test suite",
    )
    rec.update(fields)
    return rec


def url_of(rec: dict[str, Any]) -> str:
    return str(rec["url"])


def write(directory: Path, *records: dict[str, Any]) -> Path:
    path = directory / "records.json"
    path.write_text(json.dumps(list(records)), encoding="utf-8")
    return path


def assert_no_sample_failed(proc: Any) -> None:
    """Every sample is read; the one with an unparseable date (INVALID_SAMPLE) is kept by the
    per-article formats and only skipped by the feeds, which need a valid date."""
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert errors == [] and proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr


# ---------------------------------------------------------------------------------------------
# JSON Feed 1.1 schema (tests/jsonfeed-1.1.schema.json) with RFC 3339 and URI format checks


def _is_rfc3339(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not RFC3339.fullmatch(value):
        return False
    datetime.fromisoformat(value.replace("Z", "+00:00"))  # a real date: raises ValueError if not
    return True


def _is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return (
        bool(parts.scheme)
        and not re.search(r"\s", value)
        and (parts.scheme not in ("http", "https") or bool(parts.netloc))
    )


FORMAT_CHECKER = jsonschema.FormatChecker(formats=())
FORMAT_CHECKER.checks("date-time", raises=ValueError)(_is_rfc3339)
FORMAT_CHECKER.checks("uri")(_is_uri)
JSON_FEED_SCHEMA = json.loads(
    (Path(__file__).with_name("jsonfeed-1.1.schema.json")).read_text(encoding="utf-8")
)


def json_feed_errors(doc: Any) -> list[str]:
    validator = jsonschema.Draft202012Validator(JSON_FEED_SCHEMA, format_checker=FORMAT_CHECKER)
    return sorted(
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(doc)
    )


ATOM_SCHEMA = etree.RelaxNG(etree.parse(str(Path(__file__).with_name("data") / "atom.rng")))


def atom_schema_errors(data: bytes) -> str:
    ok = ATOM_SCHEMA.validate(etree.fromstring(data).getroottree())
    return "" if ok else str(ATOM_SCHEMA.error_log)


# =============================================================================================
# 1. Validators: every selected sample, read back by feedparser / checked against the schemas


def test_the_samples_give_eighteen_feed_items() -> None:
    """samples/README.md: 21 records − 1 with a bad date − 1 older duplicate − 1 draft = 18."""
    chosen = expected()
    assert len(chosen) == 18
    assert DRAFT_ID not in {a.id for a in chosen}
    assert PAYWALLED_ID in {a.id for a in chosen}


@pytest.mark.parametrize("fmt", XML_FORMATS)
def test_feedparser_reads_every_selected_item_without_error(fmt: str) -> None:
    parsed = feedparser.parse(sample_feed(fmt))
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == {"rss": "rss20", "atom": "atom10"}[fmt]
    want = expected()
    assert [e.id for e in parsed.entries] == [a.url for a in want]
    assert [e.link for e in parsed.entries] == [link_of(a) for a in want]
    assert [e.title for e in parsed.entries] == [a.title for a in want]
    assert all(e.published_parsed for e in parsed.entries)


def test_json_feed_is_valid_against_the_json_feed_1_1_schema() -> None:
    doc = json.loads(sample_feed("json-feed"))
    assert json_feed_errors(doc) == []
    assert [i["id"] for i in doc["items"]] == [a.url for a in expected()]


def test_atom_is_valid_against_the_relax_ng_schema_of_rfc_4287() -> None:
    assert atom_schema_errors(sample_feed("atom")) == ""
    assert atom_schema_errors(build("atom", pretty=True, hub=HUB, xsl=XSL, image=XSL)) == ""


def test_the_json_feed_schema_is_valid_and_accepts_extensions() -> None:
    jsonschema.Draft202012Validator.check_schema(JSON_FEED_SCHEMA)
    doc = json.loads(sample_feed("json-feed"))
    doc["_converter"] = {"about": "extension objects start with an underscore"}
    doc["items"][0]["_dm"] = {"id": 1}
    assert json_feed_errors(doc) == []


def _drop(key: str) -> Callable[[dict[str, Any]], None]:
    return lambda doc: doc.pop(key)


def _item(change: Callable[[dict[str, Any]], Any]) -> Callable[[dict[str, Any]], None]:
    return lambda doc: change(doc["items"][0])


BROKEN_JSON_FEEDS: list[tuple[str, Callable[[dict[str, Any]], Any]]] = [
    ("no version", _drop("version")),
    ("version 1.0", lambda d: d.update(version="https://jsonfeed.org/version/1")),
    ("no title", _drop("title")),
    ("no items", _drop("items")),
    ("relative home_page_url", lambda d: d.update(home_page_url="/")),
    ("empty authors", lambda d: d.update(authors=[])),
    ("author without name, url or avatar", lambda d: d.update(authors=[{}])),
    ("hub without url", lambda d: d.update(hubs=[{"type": "WebSub"}])),
    ("unknown top-level key", lambda d: d.update(favourite_colour="blue")),
    ("item without id", _item(lambda i: i.pop("id"))),
    ("numeric item id", _item(lambda i: i.update(id=2563086))),
    ("item without content", _item(lambda i: (i.pop("content_html", None), i.pop("content_text", None)))),
    ("date without a zone", _item(lambda i: i.update(date_published="2025-03-10T17:53:14"))),
    ("RFC 822 date", _item(lambda i: i.update(date_modified="Mon, 10 Mar 2025 18:02:51 +0200"))),
    ("impossible date", _item(lambda i: i.update(date_published="2025-02-30T10:00:00+02:00"))),
    ("tags not strings", _item(lambda i: i.update(tags=[1]))),
    ("attachment without mime_type", _item(lambda i: i.update(attachments=[{"url": "https://e.org/a.mp3"}]))),
    ("unknown item key", _item(lambda i: i.update(body="<p>x</p>"))),
]  # fmt: skip


@pytest.mark.parametrize(
    "change", [c[1] for c in BROKEN_JSON_FEEDS], ids=[c[0] for c in BROKEN_JSON_FEEDS]
)
def test_the_json_feed_schema_rejects_what_the_spec_forbids(
    change: Callable[[dict[str, Any]], Any],
) -> None:
    doc = json.loads(sample_feed("json-feed"))
    change(doc)
    assert json_feed_errors(doc) != []


# =============================================================================================
# 2. RSS 2.0 (+ RSS Profile, Media RSS, content, dc) as XPath assertions


def rss_channel(data: bytes) -> etree._Element:
    root = etree.fromstring(data)
    assert root.tag == "rss" and root.get("version") == "2.0"
    channels = root.findall("channel")
    assert len(channels) == 1
    return channels[0]


def test_rss_channel_has_title_link_description_once_and_link_is_the_site() -> None:
    channel = rss_channel(sample_feed("rss"))
    for name in ("title", "link", "description"):
        assert len(channel.findall(name)) == 1, name
        assert (channel.findtext(name) or "").strip(), name
    assert channel.findtext("title") == "Daily Maverick"
    # feedgen pitfall 2: <link> is the site, never the feed itself (ChannelLinkIsFeed)
    assert channel.findtext("link") == SITE
    assert channel.findtext("link") != FEED_URL["rss"]
    self_links = channel.xpath("atom:link[@rel='self']", namespaces=NS)
    assert [(x.get("href"), x.get("type")) for x in self_links] == [
        (FEED_URL["rss"], "application/rss+xml")
    ]


def test_rss_without_feed_url_has_no_self_link_and_still_links_the_site() -> None:
    channel = rss_channel(build("rss"))
    assert channel.findtext("link") == SITE
    assert channel.xpath("atom:link[@rel='self']", namespaces=NS) == []


def test_rss_channel_language_ttl_and_generator() -> None:
    channel = rss_channel(sample_feed("rss"))
    assert channel.findtext("language") == "en"
    assert channel.findtext("ttl") == "60"
    generators = channel.findall("generator")
    assert len(generators) == 1
    assert generators[0].text and "feedgen" not in generators[0].text  # pitfall 13


def test_rss_last_build_date_is_the_newest_update_of_the_items() -> None:
    text = rss_channel(sample_feed("rss")).findtext("lastBuildDate") or ""
    newest = max(a.updated or a.published or NOW for a in expected())
    assert same_instant_and_zone(feed_date("rss", text), newest)
    # of the feed's own items: a one-section feed is as new as its newest article
    opinion = [a for a in expected() if any(c.slug == "opinionista" for c in a.categories)]
    assert len(opinion) == 1
    text = rss_channel(build("rss", category="opinionista")).findtext("lastBuildDate") or ""
    assert same_instant_and_zone(feed_date("rss", text), opinion[0].updated)


def test_rss_items_are_newest_first_with_title_link_guid_and_zoned_pubdate() -> None:
    channel = rss_channel(sample_feed("rss"))
    entries = channel.findall("item")
    want = expected()
    assert [i.findtext("guid") for i in entries] == [a.url for a in want]
    dates = []
    for item, article in zip(entries, want, strict=True):
        for name in ("title", "link", "guid", "pubDate", "description"):
            assert len(item.findall(name)) == 1, (article.id, name)
        assert item.findtext("title") == article.title
        assert item.findtext("link") == link_of(article)
        guid = item.find("guid")
        assert guid is not None
        if guid.get("isPermaLink", "true") == "true":  # the default is true (RSS 2.0)
            assert guid.text == item.findtext("link"), article.id
            assert (guid.text or "").startswith("https://")
        else:
            assert guid.get("isPermaLink") == "false", article.id
        published = feed_date("rss", item.findtext("pubDate") or "")
        assert same_instant_and_zone(published, article.published), article.id
        dates.append(published)
    assert dates == sorted(dates, reverse=True)
    assert len(set(i.findtext("guid") for i in entries)) == len(entries)


def test_rss_one_dc_creator_per_author_and_no_author_without_an_email() -> None:
    root = etree.fromstring(sample_feed("rss"))
    for item, article in zip(root.iterfind("channel/item"), expected(), strict=True):
        creators = [c.text for c in item.findall("dc:creator", NS)]
        assert creators == [x.name for x in article.authors if x.name], article.id
    # RSS 2.0: <author>, managingEditor and webMaster are e-mail addresses, never bare names
    for el in root.xpath("//author | //managingEditor | //webMaster"):
        assert re.search(r"[^@\s]+@[^@\s]+", el.text or ""), etree.tostring(el)


def test_rss_categories_are_sections_then_keywords_without_duplicates() -> None:
    root = etree.fromstring(sample_feed("rss"))
    for item, article in zip(root.iterfind("channel/item"), expected(), strict=True):
        got = [c.text or "" for c in item.findall("category")]
        assert got == categories_of(article), article.id
        assert len({c.casefold() for c in got}) == len(got), article.id
        assert got[: len(article.categories)] == [c.name for c in article.categories]


def test_rss_description_is_plain_text() -> None:
    root = etree.fromstring(sample_feed("rss"))
    for item, article in zip(root.iterfind("channel/item"), expected(), strict=True):
        description = item.findtext("description") or ""
        assert description.strip(), article.id
        assert len(fragment(description)) == 0, f"{article.id}: markup in {description!r}"
        if article.standfirst:  # RSS descriptions are read as HTML: "<" and "&" come escaped
            assert html.unescape(description) == article.standfirst
        else:  # the opening sentences of the body, cut at a sentence or word, never mid-tag
            assert len(description) <= 301
            assert description.rstrip("…").split(". ")[0] in text_of(article.body)


def test_rss_full_content_for_every_item_except_the_paywalled_one() -> None:
    root = etree.fromstring(sample_feed("rss"))
    for item, article in zip(root.iterfind("channel/item"), expected(), strict=True):
        content = item.findall("content:encoded", NS)
        assert len(content) == (0 if article.paywalled else 1), article.id
        if content:
            assert text_of(content[0].text or ""), article.id


def test_rss_lead_image_as_enclosure_media_content_and_thumbnail() -> None:
    root = etree.fromstring(sample_feed("rss"))
    for item, article in zip(root.iterfind("channel/item"), expected(), strict=True):
        enclosures = item.findall("enclosure")
        media = item.findall("media:content", NS)
        thumbnails = item.findall("media:thumbnail", NS)
        if article.image is None:
            assert (enclosures, media, thumbnails) == ([], [], []), article.id
            continue
        assert len(enclosures) == 1, article.id  # RSS Profile: one enclosure per item
        enclosure = enclosures[0]
        assert {"url", "length", "type"} <= set(enclosure.attrib), article.id
        assert (enclosure.get("length") or "").isdigit(), article.id  # pitfall 5: never "None"
        assert (enclosure.get("type") or "").startswith("image/"), article.id
        assert (enclosure.get("url") or "").startswith("https://"), article.id
        assert len(media) == 1, article.id
        content = media[0]
        assert content.get("url") == enclosure.get("url")
        assert content.get("medium") == "image"
        assert content.get("type") == enclosure.get("type")
        width = content.get("width") or ""
        assert width.isdigit() and int(width) >= 800, (article.id, width)
        assert int(width) == image_width(content.get("url") or "", article)
        if article.image.credit:
            assert content.findtext("media:credit", namespaces=NS) == article.image.credit
        if article.image.caption:
            assert content.findtext("media:description", namespaces=NS) == article.image.caption
        assert len(thumbnails) == 1, article.id
        assert (thumbnails[0].get("url") or "").startswith("https://")
    assert root.xpath("//media:group", namespaces=NS) == []  # pitfall 10


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_value_is_the_string_none(fmt: str) -> None:
    """feedgen writes "None" for unset values (pitfalls 5 and 6)."""
    data = sample_feed(fmt)
    if fmt == "json-feed":
        assert "None" not in set(strings(json.loads(data)))
        return
    for el in etree.fromstring(data).iter():
        assert (el.text or "").strip() != "None", etree.tostring(el)[:200]
        assert "None" not in el.attrib.values(), etree.tostring(el)[:200]


# =============================================================================================
# 3. Atom 1.0: RFC 4287 rules as XPath assertions


def atom_root(data: bytes) -> etree._Element:
    root = etree.fromstring(data)
    assert root.tag == f"{A}feed"
    return root


def test_atom_feed_has_one_id_title_updated_and_its_links() -> None:
    root = atom_root(sample_feed("atom"))
    for name in ("id", "title", "updated"):
        assert len(root.findall(f"{A}{name}")) == 1, name
        assert (root.findtext(f"{A}{name}") or "").strip(), name
    updated = feed_date("atom", root.findtext(f"{A}updated") or "")
    assert same_instant_and_zone(updated, max(a.updated or NOW for a in expected()))
    links = root.findall(f"{A}link")
    self_links = [x for x in links if x.get("rel") == "self"]
    assert [(x.get("href"), x.get("type")) for x in self_links] == [
        (FEED_URL["atom"], "application/atom+xml")
    ]
    alternates = [
        (x.get("type"), x.get("hreflang"))
        for x in links
        if x.get("rel", "alternate") == "alternate"
    ]
    assert len(alternates) == len(set(alternates))  # at most one per type and hreflang
    assert [x.get("href") for x in links if x.get("rel", "alternate") == "alternate"] == [SITE]
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"


def test_atom_entries_have_id_title_updated_once_with_zoned_dates_newest_first() -> None:
    root = atom_root(sample_feed("atom"))
    entries = root.findall(f"{A}entry")
    want = expected()
    assert [e.findtext(f"{A}id") for e in entries] == [a.url for a in want]
    for entry, article in zip(entries, want, strict=True):
        for name in ("id", "title", "updated", "published", "summary"):
            assert len(entry.findall(f"{A}{name}")) == 1, (article.id, name)
        assert entry.findtext(f"{A}title") == article.title
        updated = feed_date("atom", entry.findtext(f"{A}updated") or "")
        published = feed_date("atom", entry.findtext(f"{A}published") or "")
        assert same_instant_and_zone(updated, article.updated), article.id
        assert same_instant_and_zone(published, article.published), article.id
        assert (entry.findtext(f"{A}summary") or "").strip(), article.id
    published_dates = [feed_date("atom", e.findtext(f"{A}published") or "") for e in entries]
    assert published_dates == sorted(published_dates, reverse=True)


def test_atom_every_entry_has_its_authors() -> None:
    root = atom_root(sample_feed("atom"))
    feed_authors = root.findall(f"{A}author")
    for entry, article in zip(root.iterfind(f"{A}entry"), expected(), strict=True):
        names = [a.findtext(f"{A}name") for a in entry.findall(f"{A}author")]
        assert names or feed_authors, article.id  # RFC 4287 §4.1.1: an author at some level
        assert names == [x.name for x in article.authors if x.name], article.id
        assert all((n or "").strip() for n in names)


def test_atom_content_is_html_never_cdata_and_withheld_when_paywalled() -> None:
    root = atom_root(sample_feed("atom"))
    for entry, article in zip(root.iterfind(f"{A}entry"), expected(), strict=True):
        contents = entry.findall(f"{A}content")
        if article.paywalled:
            assert contents == [], article.id
        else:
            assert [c.get("type") for c in contents] == ["html"], article.id  # pitfall 4
            assert text_of(contents[0].text or ""), article.id
        # without content an alternate link is required; we always give exactly one
        alternates = entry.xpath("atom:link[not(@rel) or @rel='alternate']", namespaces=NS)
        assert [x.get("href") for x in alternates] == [link_of(article)], article.id
    assert root.xpath("//atom:content[@type='CDATA']", namespaces=NS) == []


def test_atom_lead_image_is_an_enclosure_link_with_type_and_length() -> None:
    root = atom_root(sample_feed("atom"))
    for entry, article in zip(root.iterfind(f"{A}entry"), expected(), strict=True):
        enclosures = entry.xpath("atom:link[@rel='enclosure']", namespaces=NS)
        if article.image is None:
            assert enclosures == [], article.id
            continue
        assert len(enclosures) == 1, article.id  # pitfall 3: rel/type/length survive
        link = enclosures[0]
        assert (link.get("href") or "").startswith("https://")
        assert (link.get("type") or "").startswith("image/")
        assert (link.get("length") or "").isdigit()
        assert image_width(link.get("href") or "", article) >= 800


# =============================================================================================
# 4. JSON Feed 1.1: beyond the schema


def test_json_feed_top_level() -> None:
    doc = json.loads(sample_feed("json-feed"))
    assert doc["version"] == "https://jsonfeed.org/version/1.1"
    assert doc["title"] == "Daily Maverick"
    assert doc["home_page_url"] == SITE
    assert doc["feed_url"] == FEED_URL["json-feed"]
    assert doc["language"] == "en"
    assert "hubs" not in doc


def test_json_feed_items_carry_the_article() -> None:
    doc = json.loads(sample_feed("json-feed"))
    for item, article in zip(doc["items"], expected(), strict=True):
        assert item["id"] == item["url"] == article.url
        assert item["title"] == article.title
        assert same_instant_and_zone(
            feed_date("json-feed", item["date_published"]), article.published
        )
        assert same_instant_and_zone(feed_date("json-feed", item["date_modified"]), article.updated)
        assert item["summary"].strip(), article.id
        if article.standfirst:
            assert item["summary"] == article.standfirst
        if article.paywalled:
            assert "content_html" not in item, article.id
            assert item["content_text"] == item["summary"]
        else:
            assert text_of(item["content_html"]), article.id
        assert [x["name"] for x in item["authors"]] == [x.name for x in article.authors]
        assert item["tags"] == categories_of(article)
        if article.image is None:
            assert "image" not in item and "banner_image" not in item
        else:
            assert image_width(item["image"], article) >= 800
            assert image_width(item["banner_image"], article) >= image_width(item["image"], article)


# =============================================================================================
# 5. What the aggregators ask for (feeds.md §3), in every format


@pytest.mark.parametrize("fmt", FORMATS)
def test_full_body_is_present_for_every_item_that_is_not_paywalled(fmt: str) -> None:
    for item, article in zip(items(fmt, sample_feed(fmt)), expected(), strict=True):
        if article.paywalled:
            continue
        assert item.content, article.id
        text = text_of(item.content)
        assert len(text) > len(item.summary), article.id
        body = fragment(article.body)
        paragraphs = [" ".join(p.text_content().split()) for p in body.iter("p")]
        paragraphs = [p for p in paragraphs if p]
        assert paragraphs[0] in text and paragraphs[-1] in text, article.id


def _urls_in(markup: str) -> Iterator[tuple[str, str, str]]:
    for el in fragment(markup).iter():
        for attr in URL_ATTRS:
            value = el.get(attr)
            if value is None:
                continue
            candidates = (
                [c.strip().split(" ")[0] for c in value.split(",")] if attr == "srcset" else [value]
            )
            for url in candidates:
                yield str(el.tag), attr, url


@pytest.mark.parametrize("fmt", FORMATS)
def test_urls_are_absolute_https_everywhere_including_inside_the_body(fmt: str) -> None:
    data = sample_feed(fmt)
    for item in items(fmt, data):
        for url in (item.id, item.link, item.image or "https://"):
            assert url.startswith("https://"), url
        for tag, attr, url in _urls_in(item.content or ""):
            assert url.startswith(("https://", "mailto:")), f"{item.id}: <{tag} {attr}={url!r}>"
    if fmt == "json-feed":
        doc = json.loads(data)
        for key in ("home_page_url", "feed_url"):
            assert doc[key].startswith("https://")
        for item in doc["items"]:
            for author in item.get("authors", []):
                assert author.get("url", "https://").startswith("https://")
        return
    for el in etree.fromstring(data).iter():
        for attr in ("href", "url", "src", "uri"):
            value = el.get(attr)
            assert value is None or value.startswith("https://"), etree.tostring(el)[:200]
        if etree.QName(el).localname in ("link", "uri", "logo", "icon") and (el.text or "").strip():
            assert (el.text or "").startswith("https://"), etree.tostring(el)[:200]


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_article_with_an_image_has_a_lead_image_of_at_least_800_px_first(fmt: str) -> None:
    for item, article in zip(items(fmt, sample_feed(fmt)), expected(), strict=True):
        if article.image is None:
            assert item.image is None, article.id
            continue
        assert item.image, article.id
        assert image_width(item.image, article) >= 800, (article.id, item.image)
        if item.content:  # the lead image figure comes first in the body (readers without MRSS)
            first = fragment(item.content)[0]  # (the body's own, when it opens with that picture)
            assert first.tag == "figure", article.id
            assert same_picture(first.xpath("string(.//img/@src)"), item.image), article.id


@pytest.mark.parametrize("fmt", FORMATS)
def test_titles_are_plain_text(fmt: str) -> None:
    for item, article in zip(items(fmt, sample_feed(fmt)), expected(), strict=True):
        assert item.title == article.title
        assert item.title.strip()
        assert len(fragment(item.title)) == 0, item.title
        assert not re.search(r"&(amp|lt|gt|quot|#\d+);", item.title), item.title


@pytest.mark.parametrize("fmt", FORMATS)
def test_dates_carry_a_zone(fmt: str) -> None:
    for item, article in zip(items(fmt, sample_feed(fmt)), expected(), strict=True):
        when = feed_date(fmt, item.published)
        assert when.tzinfo is not None
        assert same_instant_and_zone(when, article.published)


@pytest.mark.parametrize("fmt", FORMATS)
def test_ids_are_stable_across_runs(fmt: str) -> None:
    first = ids(fmt, sample_feed(fmt))
    later = ids(fmt, build(fmt, limit=0, pretty=True, now=datetime(2027, 6, 1, tzinfo=UTC)))
    assert first == later == [a.url for a in expected()]
    assert len(set(first)) == len(first)


def test_ids_are_the_same_in_every_format() -> None:
    assert ids("rss", sample_feed("rss")) == ids("atom", sample_feed("atom"))
    assert ids("atom", sample_feed("atom")) == ids("json-feed", sample_feed("json-feed"))


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_iframes_scripts_or_event_handlers_inside_content(fmt: str) -> None:
    for item in items(fmt, sample_feed(fmt)):
        for el in fragment(item.content or "").iter():
            assert el.tag not in ACTIVE_TAGS, f"{item.id}: <{el.tag}>"
            assert not [a for a in el.attrib if a.lower().startswith("on")], item.id


@pytest.mark.parametrize("fmt", FORMATS)
def test_embeds_are_degraded_to_links(fmt: str) -> None:
    embeds = by_id(EMBEDS_ID)
    item = next(i for i in items(fmt, sample_feed(fmt)) if i.id == embeds.url)
    assert item.content
    hrefs = fragment(item.content).xpath("//a/@href")
    for url in (
        "https://www.youtube.com/watch?v=jNQXAC9IVRw",  # bare watch URL in its paragraph
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",  # the YouTube <iframe>
        "https://vimeo.com/76979871",  # [embed]
        "https://example-widgets.com/poll/9",  # iframe from an unknown host
    ):
        assert url in hrefs, url
    assert fragment(item.content).xpath("//iframe | //script") == []
    assert "Day 5 in Brixton" in text_of(item.content)  # the tweet's words stay


# =============================================================================================
# 6. Selection: status, paywall, dates, noindex, limit, filters, splits, duplicates


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_draft_is_in_no_feed(fmt: str) -> None:
    draft = by_id(DRAFT_ID)
    assert draft.status == "draft"
    data = sample_feed(fmt)
    assert draft.url not in ids(fmt, data)
    assert "Proteas name uncapped Free State seamer" not in searchable(fmt, data)


@pytest.mark.parametrize("fmt", FORMATS)
def test_paywalled_article_has_title_link_and_summary_but_none_of_its_body(fmt: str) -> None:
    paywalled = by_id(PAYWALLED_ID)
    assert paywalled.paywalled
    for sentence in PAYWALLED_BODY:  # the sentences really are in the source body
        assert sentence in text_of(paywalled.body)
    data = sample_feed(fmt)
    item = next(i for i in items(fmt, data) if i.id == paywalled.url)
    assert item.title == paywalled.title
    assert item.link == paywalled.url
    assert item.summary == paywalled.standfirst
    assert item.content is None
    text = searchable(fmt, data)
    for sentence in PAYWALLED_BODY:
        assert sentence not in text, sentence


@pytest.mark.parametrize("fmt", FORMATS)
def test_paywall_exclude_leaves_the_paywalled_article_out(fmt: str) -> None:
    data = build(fmt, limit=0, paywall="exclude")
    assert ids(fmt, data) == [a.url for a in expected() if a.id != PAYWALLED_ID]


@pytest.mark.parametrize("fmt", FORMATS)
def test_paywall_full_includes_the_body(fmt: str) -> None:
    data = build(fmt, limit=0, paywall="full")
    paywalled = by_id(PAYWALLED_ID)
    item = next(i for i in items(fmt, data) if i.id == paywalled.url)
    assert item.content
    for sentence in PAYWALLED_BODY:
        assert sentence in text_of(item.content)


PAYWALL_SIGNALS = [
    ("access_control", {"access_control": True}),
    ("access not allowed", {"access_allowed": False}),
    ("paid section", {"categories": [{"id": "5", "name": "Premium", "slug": "premium", "paid": "1", "accessType": "paid"}]}),
]  # fmt: skip


@pytest.mark.parametrize(
    "fields", [s[1] for s in PAYWALL_SIGNALS], ids=[s[0] for s in PAYWALL_SIGNALS]
)
@pytest.mark.parametrize("fmt", FORMATS)
def test_every_paywall_signal_withholds_the_body(
    fmt: str, fields: dict[str, Any], tmp_path: Path
) -> None:
    secret = "Only subscribers may read this sentence about the tender."
    rec = record("9100001", contents=f"{secret}\r\n\r\nAnd this one too.", **fields)
    data = build(fmt, [write(tmp_path, rec)])
    assert ids(fmt, data) == [url_of(rec)]
    assert items(fmt, data)[0].content is None
    assert secret not in searchable(fmt, data)


@pytest.mark.parametrize("fmt", FORMATS)
def test_future_dated_articles_are_left_out(fmt: str, tmp_path: Path) -> None:
    future = record(
        "9100002", firstPublished="2030-01-01 08:00:00", lastUpdate="2030-01-01 08:00:00"
    )
    present = record("9100003")
    data = build(fmt, [write(tmp_path, future, present)])
    assert ids(fmt, data) == [url_of(present)]
    assert "2030" not in searchable(fmt, data)  # not even as the feed's update date


@pytest.mark.parametrize("fmt", FORMATS)
def test_now_decides_what_is_in_the_future(fmt: str) -> None:
    now = datetime(2025, 1, 1, tzinfo=UTC)
    want = expected(now=now)
    assert 0 < len(want) < len(expected())
    assert ids(fmt, build(fmt, limit=0, now=now)) == [a.url for a in want]


@pytest.mark.parametrize("flag", [1, "1", True])
@pytest.mark.parametrize("fmt", FORMATS)
def test_noindex_articles_are_left_out_unless_asked_for(
    fmt: str, flag: Any, tmp_path: Path
) -> None:
    hidden = record("9100004", excludedFromGoogleSearchEngine=flag)
    shown = record(
        "9100005", excludedFromGoogleSearchEngine=0, firstPublished="2024-05-07 10:00:00"
    )
    path = write(tmp_path, hidden, shown)
    assert ids(fmt, build(fmt, [path])) == [url_of(shown)]
    assert ids(fmt, build(fmt, [path], include_noindex=True)) == [url_of(hidden), url_of(shown)]


@pytest.mark.parametrize("fmt", FORMATS)
def test_limit_keeps_the_newest_items(fmt: str) -> None:
    every = [a.url for a in expected()]
    assert ids(fmt, build(fmt, limit=3)) == every[:3]
    assert ids(fmt, build(fmt, limit=0)) == every
    assert ids(fmt, build(fmt)) == every  # the default (50) is more than the samples


def test_the_default_limit_is_fifty(tmp_path: Path) -> None:
    records = [
        record(str(9200000 + n), firstPublished=f"2024-04-{1 + n // 24:02d} {n % 24:02d}:00:00",
               lastUpdate=f"2024-04-{1 + n // 24:02d} {n % 24:02d}:30:00")
        for n in range(60)
    ]  # fmt: skip
    got = ids("rss", build("rss", [write(tmp_path, *records)]))
    assert got == [url_of(r) for r in reversed(records)][:50]


FILTERS: list[tuple[str, str, Callable[[Article], bool]]] = [
    ("category", "south-africa", lambda a: any(c.slug == "south-africa" for c in a.categories)),
    ("keyword", "water-crisis", lambda a: any(k.slug == "water-crisis" for k in a.keywords)),
    ("author", "zanele KHOZA", lambda a: any(x.name == "Zanele Khoza" for x in a.authors)),
]


@pytest.mark.parametrize(("flag", "value", "match"), FILTERS, ids=[f[0] for f in FILTERS])
@pytest.mark.parametrize("fmt", FORMATS)
def test_filters_select_exactly_the_matching_articles(
    fmt: str, flag: str, value: str, match: Callable[[Article], bool]
) -> None:
    want = [a.url for a in expected() if match(a)]
    assert 1 < len(want) < len(expected())  # the filter really filters
    assert ids(fmt, build(fmt, limit=0, **{flag: value})) == want


@pytest.mark.parametrize(("flag", "value", "match"), FILTERS, ids=[f[0] for f in FILTERS])
def test_filters_through_the_cli(flag: str, value: str, match: Callable[[Article], bool]) -> None:
    proc = run_cli("atom", "samples", f"--{flag}", value, "--limit", "0", "-o", "-")
    assert_no_sample_failed(proc)
    assert ids("atom", proc.stdout.encode("utf-8")) == [a.url for a in expected() if match(a)]


SAFE_NAME = re.compile(r"[a-z0-9][a-z0-9._-]*")


@pytest.mark.parametrize("fmt", FORMATS)
def test_split_by_category_writes_one_valid_feed_per_section(fmt: str, tmp_path: Path) -> None:
    out = tmp_path / "feeds"
    proc = run_cli(fmt, "samples", "--split-by", "category", "--limit", "0", "-o", str(out))
    assert_no_sample_failed(proc)
    extension = {"rss": ".xml", "atom": ".atom", "json-feed": ".json"}[fmt]
    sections = sorted({c.slug for a in expected() for c in a.categories})
    assert sorted(p.name for p in out.iterdir()) == [s + extension for s in sections]
    for slug in sections:
        data = (out / f"{slug}{extension}").read_bytes()
        if fmt == "json-feed":
            assert json_feed_errors(json.loads(data)) == []
        else:
            assert not feedparser.parse(data).bozo, slug
        want = [a.url for a in expected() if any(c.slug == slug for c in a.categories)]
        assert ids(fmt, data) == want, slug


def test_split_by_category_names_are_safe(tmp_path: Path) -> None:
    hostile = [
        {"id": "91", "name": "Escape", "slug": "../../escape"},
        {"id": "92", "name": "Nested", "slug": "a/b\\c"},
        {"id": "93", "name": "Dots", "slug": ".."},
    ]
    source = write(tmp_path, record("9100006", categories=hostile))
    out = tmp_path / "out" / "feeds"
    proc = run_cli("rss", str(source), "--split-by", "category", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    written = sorted(out.iterdir())
    assert len(written) == 3
    for path in written:
        assert path.parent == out
        assert SAFE_NAME.fullmatch(path.name), path.name
        assert ids("rss", path.read_bytes()) == [url_of(record("9100006"))]
    everything = {p.relative_to(tmp_path).parts[0] for p in tmp_path.rglob("*")}
    assert everything == {"records.json", "out"}


def test_split_by_category_includes_a_section_without_a_slug(tmp_path: Path) -> None:
    """A section named but without a slug is still a section: its article is in a feed."""
    rec = record("9100007", categories=[{"id": "94", "name": "Letters to the Editor"}])
    outputs, report = feeds("rss", [str(write(tmp_path, rec))], options(), split_by="category")
    assert len(outputs) == 1, list(outputs)
    [data] = outputs.values()
    assert ids("rss", data) == [url_of(rec)]
    assert report.converted == ["9100007"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_duplicate_id_appears_once_newest_copy_wins(fmt: str) -> None:
    winner = by_id(DUPLICATE_ID)
    data = sample_feed(fmt)
    matches = [i for i in items(fmt, data) if i.id == winner.url]
    assert len(matches) == 1
    assert "updated with Treasury" in matches[0].title
    assert "(older version)" not in searchable(fmt, data)


@pytest.mark.parametrize("fmt", FORMATS)
def test_selection_flags_through_the_cli(fmt: str, tmp_path: Path) -> None:
    hidden = record("9100009", excludedFromGoogleSearchEngine=1)
    paywalled = record(
        "9100010",
        access_control=True,
        firstPublished="2024-05-07 09:00:00",
        contents="A paragraph for subscribers only.",
    )
    source = str(write(tmp_path, hidden, paywalled))

    def run(*flags: str) -> bytes:
        proc = run_cli(fmt, source, *flags, "-o", "-")
        assert proc.returncode == 0, proc.stderr
        return proc.stdout.encode("utf-8")

    assert ids(fmt, run()) == [url_of(paywalled)]
    assert ids(fmt, run("--include-noindex")) == [url_of(hidden), url_of(paywalled)]
    assert ids(fmt, run("--paywall", "exclude")) == []
    assert "A paragraph for subscribers only." not in searchable(fmt, run())
    full = items(fmt, run("--paywall", "full"))
    assert "A paragraph for subscribers only." in text_of(full[0].content or "")


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_base_url_applies_to_item_links_and_ids(fmt: str) -> None:
    opts = replace(options(limit=0), base_url="https://www.dailymaverick.co.za")
    outputs, _ = feeds(fmt, [str(SAMPLES)], opts)
    got = items(fmt, outputs[""])
    assert len(got) == len(expected())
    for item in got:
        for url in (item.id, item.link):
            assert url.startswith("https://www.dailymaverick.co.za/"), url
    staging = [i.id for i in items(fmt, sample_feed(fmt))]
    assert [i.id.replace("://www.", "://staging.") for i in got] == staging


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_link_out_item_links_to_its_external_url_and_keeps_its_id(
    fmt: str, tmp_path: Path
) -> None:
    """source-format.md: a non-empty externalUrl is the item link; the id stays the canonical URL."""
    external = "https://www.reuters.com/world/africa/zambia-power-cuts-2024-05-12/"
    rec = record("9100011", externalUrl=external)
    data = build(fmt, [write(tmp_path, rec)])
    [item] = items(fmt, data)
    assert item.link == external
    assert item.id == url_of(rec)
    if fmt == "json-feed":
        [doc_item] = json.loads(data)["items"]
        assert (doc_item["url"], doc_item["external_url"]) == (url_of(rec), external)
        assert json_feed_errors(json.loads(data)) == []
    elif fmt == "atom":
        assert atom_schema_errors(data) == ""


# =============================================================================================
# 7. The hostile sample: a valid feed with nothing executable and no control characters


def _executable_urls(value: str) -> bool:
    squeezed = re.sub(r"[\s\x00-\x1f]+", "", html.unescape(value)).lower()
    return squeezed.startswith(("javascript:", "vbscript:", "data:", "livescript:"))


@pytest.mark.parametrize("fmt", FORMATS)
def test_hostile_sample_gives_a_valid_feed_with_nothing_executable(fmt: str) -> None:
    data = build(fmt, [HOSTILE])
    if fmt == "json-feed":
        assert json_feed_errors(json.loads(data)) == []
    else:
        etree.fromstring(data)  # well-formed XML
        assert not feedparser.parse(data).bozo
        if fmt == "atom":
            assert atom_schema_errors(data) == ""
    [item] = items(fmt, data)
    assert item.title == "Council approves R2.1bn water budget & new tariffs"
    assert item.content
    for markup in (item.content, item.summary, item.title):
        for el in fragment(markup).iter():
            assert el.tag not in ACTIVE_TAGS, f"<{el.tag}>"
            for name, value in el.attrib.items():
                assert not name.lower().startswith("on"), f"<{el.tag} {name}>"
                assert name.lower() not in ("style", "srcdoc", "formaction")
                assert not _executable_urls(value), f"<{el.tag} {name}={value!r}>"
    text = searchable(fmt, data).lower()
    for needle in ("<script", "javascript:", "vbscript:", "data:text/html", "alert("):
        assert needle not in text, needle
    if fmt != "json-feed":
        for el in etree.fromstring(data).iter():
            assert not [a for a in el.attrib if a.lower().startswith("on")]
    # the legitimate parts survive
    assert "https://www.tshwane.gov.za/" in fragment(item.content).xpath("//a/@href")
    assert "Opposition councillors voted against the tariff increase" in text_of(item.content)


@pytest.mark.parametrize("fmt", FORMATS)
def test_hostile_sample_control_characters_are_removed(fmt: str) -> None:
    data = build(fmt, [HOSTILE])
    assert not CONTROL.search(data.decode("utf-8"))
    assert not CONTROL.search(searchable(fmt, data))  # nor as \u escapes or character references
    assert not re.search(rb"\\u00(0[0-8bcef]|1[0-9a-f])", data, re.IGNORECASE)


# =============================================================================================
# 8. Determinism and output options


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_same_command_twice_gives_byte_identical_files(fmt: str, tmp_path: Path) -> None:
    outputs = []
    for n in (1, 2):
        target = tmp_path / f"run-{n}" / "feed"
        proc = run_cli(fmt, "samples", "--feed-url", FEED_URL[fmt], "-o", str(target))
        assert_no_sample_failed(proc)
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1]
    assert ids(fmt, outputs[0]) == [a.url for a in expected()]


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_feed_does_not_depend_on_the_clock(fmt: str) -> None:
    later = build(fmt, limit=0, feed_url=FEED_URL[fmt], now=datetime(2031, 7, 4, 12, tzinfo=UTC))
    assert later == sample_feed(fmt)
    assert build(fmt, limit=0, feed_url=FEED_URL[fmt]) == sample_feed(fmt)


@pytest.mark.parametrize("fmt", FORMATS)
def test_dash_o_writes_the_same_feed_to_stdout(fmt: str, tmp_path: Path) -> None:
    target = tmp_path / "feed"
    assert_no_sample_failed(run_cli(fmt, "samples", "-o", str(target)))
    proc = run_cli(fmt, "samples", "-o", "-")
    assert_no_sample_failed(proc)
    assert proc.stdout.encode("utf-8") == target.read_bytes()


@pytest.mark.parametrize("fmt", FORMATS)
def test_pretty_output_is_indented_and_carries_the_same_items(fmt: str) -> None:
    compact = build(fmt, limit=0)
    pretty = build(fmt, limit=0, pretty=True)
    assert pretty != compact
    indented = b'\n  "' if fmt == "json-feed" else b"\n  <"
    assert indented in pretty and indented not in compact
    assert items(fmt, pretty) == items(fmt, compact)
    proc = run_cli(fmt, "samples", "--pretty", "-o", "-")
    assert_no_sample_failed(proc)
    assert items(fmt, proc.stdout.encode("utf-8")) == items(fmt, compact)


# =============================================================================================
# 9. "]]>" in a body cannot end the CDATA section early


@pytest.mark.parametrize("fmt", FORMATS)
def test_cdata_terminator_in_a_body_round_trips(fmt: str, tmp_path: Path) -> None:
    rec = record(
        "9100008",
        contents=(
            "In XML, the sequence ]]> ends a CDATA section.\r\n\r\n"
            'See <a href="https://example.org/cdata?q=]]>" title="a ]]> b">what ]]> means</a>.'
        ),
    )
    rec["attachments"][0]["name"] = "A caption with ]]> in it"
    data = build(fmt, [write(tmp_path, rec)])
    if fmt == "json-feed":
        assert json_feed_errors(json.loads(data)) == []
    else:
        assert not feedparser.parse(data).bozo
    [item] = items(fmt, data)
    assert item.content
    text = text_of(item.content)
    assert "In XML, the sequence ]]> ends a CDATA section." in text
    assert "what ]]> means" in text
    assert "A caption with ]]> in it" in text
    assert fragment(item.content).xpath("//a[@title]/@title") == ["a ]]> b"]


# =============================================================================================
# 10. WebSub hub, XSL stylesheet, channel image; an empty feed


@pytest.mark.parametrize("fmt", FORMATS)
def test_websub_hub_is_advertised_with_the_self_link(fmt: str) -> None:
    data = build(fmt, feed_url=FEED_URL[fmt], hub=HUB)
    if fmt == "json-feed":
        doc = json.loads(data)
        assert doc["hubs"] == [{"type": "WebSub", "url": HUB}]
        assert doc["feed_url"] == FEED_URL[fmt]
        assert json_feed_errors(doc) == []
        return
    root = etree.fromstring(data)
    parent = root.find("channel") if fmt == "rss" else root
    assert parent is not None
    links = parent.findall(f"{A}link")
    assert [x.get("href") for x in links if x.get("rel") == "hub"] == [HUB]
    assert [x.get("href") for x in links if x.get("rel") == "self"] == [FEED_URL[fmt]]
    assert not feedparser.parse(data).bozo
    if fmt == "atom":
        assert atom_schema_errors(data) == ""
    # and none without --hub
    assert etree.fromstring(sample_feed(fmt)).xpath("//atom:link[@rel='hub']", namespaces=NS) == []


def test_no_hubs_in_json_feed_without_hub() -> None:
    assert "hubs" not in json.loads(sample_feed("json-feed"))


@pytest.mark.parametrize("fmt", XML_FORMATS)
def test_xsl_adds_an_xml_stylesheet_processing_instruction(fmt: str) -> None:
    href = "https://feeds.example.org/style.xsl?v=2&theme=dark"
    data = build(fmt, limit=0, xsl=href)
    assert data.startswith(b"<?xml")
    root = etree.fromstring(data)
    pi = root.getprevious()
    assert isinstance(pi, etree._ProcessingInstruction)
    assert pi.target == "xml-stylesheet"
    # pseudo-attributes take entity references like attributes (xml-stylesheet §2)
    assert (pi.get("type"), html.unescape(pi.get("href") or "")) == ("text/xsl", href)
    assert not feedparser.parse(data).bozo
    assert ids(fmt, data) == [a.url for a in expected()]
    assert items(fmt, data) == items(fmt, build(fmt, limit=0))
    assert b"xml-stylesheet" not in sample_feed(fmt)


@pytest.mark.parametrize("fmt", FORMATS)
def test_channel_image(fmt: str) -> None:
    logo = "https://feeds.example.org/logo.png"
    data = build(fmt, image=logo)
    if fmt == "json-feed":
        assert json.loads(data)["icon"] == logo
        return
    root = etree.fromstring(data)
    if fmt == "rss":
        image = root.find("channel/image")
        assert image is not None
        assert (image.findtext("url"), image.findtext("link")) == (logo, SITE)
        assert image.findtext("title") == root.findtext("channel/title")
    else:
        assert root.findtext(f"{A}logo") == logo
        assert atom_schema_errors(data) == ""


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_empty_feed_is_valid_and_does_not_depend_on_the_clock(fmt: str) -> None:
    data = build(fmt, category="no-such-section")
    assert ids(fmt, data) == []
    assert data == build(fmt, category="no-such-section", now=datetime(2030, 1, 1, tzinfo=UTC))
    if fmt == "json-feed":
        assert json_feed_errors(json.loads(data)) == []
        return
    assert not feedparser.parse(data).bozo
    if fmt == "rss":
        channel = rss_channel(data)
        for name in ("title", "link", "description"):
            assert len(channel.findall(name)) == 1
    else:
        assert atom_schema_errors(data) == ""
        root = atom_root(data)
        assert root.findall(f"{A}author")  # RFC 4287: no entries, so the feed needs an author
