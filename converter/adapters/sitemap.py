"""Sitemaps for search engines: sitemaps.org 0.9 with Google's image and News extensions.

* The sitemap lists every public, indexable article once, by its canonical URL, with
  ``<lastmod>`` and its images (``image:image/image:loc``: the lead image's large rendition,
  then the body's ``<img>`` sources, absolute http(s), de-duplicated, at most 1,000 per URL).
  The selection is the feeds' (``feeds.excluded``): drafts, future-dated and noindex
  (``excludedFromGoogleSearchEngine``) articles are left out; paywalled ones are in, their
  pages are public. URLs are listed oldest first, so that the first files of a large archive
  keep their contents as new articles arrive.
* The protocol allows at most 50,000 URLs and 50 MB (52,428,800 bytes, uncompressed) per file:
  the list is split into ``sitemap-1.xml``, ``sitemap-2.xml``, … and ``sitemap-index.xml``
  names them (``<loc>`` = the base URL the files are served from + the name, ``<lastmod>`` =
  the newest lastmod in the file). The index is written even for one part, so that what a site
  submits never changes name.
* The Google News sitemap (``news-sitemap.xml``) lists the articles published in the two days
  before a reference time, newest first, at most 1,000: ``news:publication`` (``news:name``,
  ``news:language``), ``news:publication_date`` and ``news:title``, nothing else (Google
  retired ``news:access``, ``news:genres``, ``news:keywords`` and ``news:stock_tickers``).
  The reference is ``options.now`` or the newest publication date, never the clock, so the
  same input gives the same bytes. It is not listed in the index: it is submitted on its own.

Google's rules are those of its Search Central pages on image and News sitemaps, written from
what was known of them when this module was written (not re-read here: no network).

The documents are written directly (not through a tree): each ``<url>`` is one line whose size
is known, which is what splitting by bytes needs, and every value is entity-escaped as the
protocol asks (``& ' " < >``). An empty selection gives an empty ``<urlset>`` (crawlers read it
as "nothing to list"; the XSD, which wants at least one ``<url>``, rejects only that case).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .. import images
from ..content import body_tree, xml_safe
from ..model import Article
from ..options import FeedOptions, Options
from ..urls import web_url
from .feeds import EPOCH, Skipped, excluded, feed_now

__all__ = [
    "INDEX_NAME",
    "MAX_BYTES",
    "MAX_IMAGES",
    "MAX_NEWS",
    "MAX_URLS",
    "NEWS_NAME",
    "NEWS_WINDOW",
    "image_urls",
    "news_articles",
    "news_language",
    "part_name",
    "render",
    "render_files",
    "render_news",
    "select",
]

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
IMAGE_NS = "http://www.google.com/schemas/sitemap-image/1.1"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"

MAX_URLS = 50_000  # sitemaps.org: URLs per sitemap (and sitemaps per index)
MAX_BYTES = 52_428_800  # sitemaps.org: 50 MB per file, uncompressed
MAX_IMAGES = 1_000  # Google: image:image elements per <url>
MAX_NEWS = 1_000  # Google News: URLs per News sitemap
NEWS_WINDOW = timedelta(days=2)  # Google News: articles of the last two days only
MIN_LOC, MAX_LOC = 12, 2048  # sitemap.xsd tLoc (the protocol: "less than 2,048 characters")

INDEX_NAME = "sitemap-index.xml"
NEWS_NAME = "news-sitemap.xml"
DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'

# The feeds' rules with every public page kept: paywalled pages are public (only their body is
# restricted), noindex pages are not for search engines whatever the feed flags say.
_SELECTION = FeedOptions(paywall="full", include_noindex=False)
_ESCAPES = str.maketrans({"&": "&amp;", "'": "&apos;", '"': "&quot;", ">": "&gt;", "<": "&lt;"})
_LANGUAGE = re.compile(r"[a-z]{2,3}")
# Chinese is the one language Google wants with a region: zh-cn (Simplified), zh-tw (Traditional).
_CHINESE = {
    "hans": "zh-cn",
    "cn": "zh-cn",
    "sg": "zh-cn",
    "hant": "zh-tw",
    "tw": "zh-tw",
    "hk": "zh-tw",
    "mo": "zh-tw",
}


def part_name(number: int) -> str:
    """The file name of the ``number``-th part (1-based)."""
    return f"sitemap-{number}.xml"


def _escape(text: str) -> str:
    return text.translate(_ESCAPES)


def _w3c(moment: datetime) -> str:
    """W3C datetime with its offset (``2025-01-27T05:21:59+02:00``); model dates are tz-aware."""
    return moment.isoformat(timespec="seconds")


def _lastmod(article: Article) -> datetime:
    """The page's last change: the later of first publication and lastUpdate (a scheduled post's
    lastUpdate can be earlier than its publication, source-format.md §3)."""
    return article.updated or article.published or EPOCH


def _loc_problem(url: str) -> str:
    """Why ``url`` cannot be a sitemap ``<loc>`` ("" = it can)."""
    if not MIN_LOC <= len(url) <= MAX_LOC:
        return f"URL of {len(url)} characters (a sitemap <loc> has {MIN_LOC} to {MAX_LOC})"
    if web_url(url)[0] != url:
        return "URL is not an absolute RFC 3986 http(s) URL"
    return ""


# ---------------------------------------------------------------------------------------------
# Selection


def select(
    articles: Sequence[Article], options: Options, now: datetime | None = None
) -> tuple[list[Article], list[Skipped]]:
    """Every public, indexable page once, oldest first, and what was left out and why.

    "Future-dated" is judged against ``options.now`` or the clock, as in the feeds. Two
    articles with one URL (distinct ids) are one page: the newer is listed.
    """
    now = now or feed_now(options)
    by_url: dict[str, Article] = {}
    skipped: list[Skipped] = []
    for a in articles:
        rule = excluded(a, _SELECTION, now) or _loc_problem(a.url)
        if rule:
            skipped.append(Skipped(a, rule))
            continue
        other = by_url.get(a.url)
        if other is not None:
            newer, older = sorted((a, other), key=lambda x: (_lastmod(x), x.id), reverse=True)
            skipped.append(Skipped(older, f"same URL as article {newer.id} (the newer is listed)"))
            a = newer
        by_url[a.url] = a
    chosen = sorted(by_url.values(), key=lambda a: (a.published or EPOCH, a.id))
    return chosen, skipped


def news_articles(
    chosen: Sequence[Article], options: Options, limit: int = MAX_NEWS
) -> list[Article]:
    """The News sitemap's articles among ``chosen`` (the sitemap's selection): published in the
    two days up to the reference time (``options.now``, else the newest publication date),
    newest first, at most ``limit``."""
    reference = options.now or max((a.published or EPOCH for a in chosen), default=None)
    if reference is None:
        return []
    start = reference - NEWS_WINDOW
    recent = [a for a in chosen if a.published is not None and start <= a.published <= reference]
    recent.sort(key=lambda a: (a.published or EPOCH, a.id), reverse=True)
    return recent[:limit]


def news_language(tag: str) -> str:
    """``news:language`` for a BCP 47 tag, as Google wants it: the ISO 639 code (``en-ZA`` →
    ``en``), except Chinese: ``zh-cn`` (Simplified) or ``zh-tw`` (Traditional)."""
    subtags = tag.strip().replace("_", "-").lower().split("-")
    if not _LANGUAGE.fullmatch(subtags[0]):
        raise ValueError(f"language {tag!r} has no ISO 639 code for the News sitemap")
    if subtags[0] != "zh":
        return subtags[0]
    return next((_CHINESE[s] for s in subtags[1:] if s in _CHINESE), "zh-cn")


# ---------------------------------------------------------------------------------------------
# Images


def _image_url(url: str) -> str:
    """``url`` if it can be an ``image:loc`` (absolute http(s), RFC 3986, not too long), else ""."""
    valid = web_url(url)[0] if url else ""
    return valid if len(valid) <= MAX_LOC else ""


def image_urls(article: Article, limit: int = MAX_IMAGES) -> list[str]:
    """The article's images for ``image:image``: the lead image's large rendition (the share
    card's, ``images.SOCIAL``), then the body's ``<img>`` sources in order; each picture once
    (a body image showing the lead picture at another size is the lead), at most ``limit``."""
    urls: list[str] = []
    lead = images.pick(article.image, images.SOCIAL)
    lead_url = _image_url(lead.url) if lead is not None else ""
    if lead_url:
        urls.append(lead_url)
    if "<img" not in article.body:  # no parse for the many bodies without images
        return urls[:limit]
    seen = set(urls)
    for img in body_tree(article.body).iter("img"):
        if len(urls) >= limit:
            break
        src = _image_url(img.get("src", ""))
        if not src or src in seen or (lead_url and images.same_picture(src, lead_url)):
            continue
        seen.add(src)
        urls.append(src)
    return urls[:limit]


# ---------------------------------------------------------------------------------------------
# Documents


@dataclass(slots=True)
class _Part:
    """One sitemap file being filled: its ``<url>`` lines, size in bytes and newest lastmod."""

    lines: list[bytes] = field(default_factory=list)
    size: int = 0
    newest: datetime | None = None


def _url_line(article: Article) -> bytes:
    out = [f"<url><loc>{_escape(article.url)}</loc><lastmod>{_w3c(_lastmod(article))}</lastmod>"]
    out += (
        f"<image:image><image:loc>{_escape(u)}</image:loc></image:image>"
        for u in image_urls(article)
    )
    out.append("</url>\n")
    return "".join(out).encode("utf-8")


def _urlset(lines: Iterable[bytes], namespaces: str) -> bytes:
    head = f'{DECLARATION}<urlset xmlns="{SITEMAP_NS}"{namespaces}>\n'.encode()
    return head + b"".join(lines) + b"</urlset>\n"


_IMAGE_URLSET = f' xmlns:image="{IMAGE_NS}"'
_NEWS_URLSET = f' xmlns:news="{NEWS_NS}"'


def _split(chosen: Sequence[Article], max_urls: int, max_bytes: int) -> list[_Part]:
    """The ``<url>`` lines of ``chosen`` in order, cut into parts of at most ``max_urls`` lines
    and ``max_bytes`` bytes each (declaration, root element and lines); always one part."""
    frame = len(_urlset((), _IMAGE_URLSET))
    parts = [_Part(size=frame)]
    for article in chosen:
        line = _url_line(article)
        if frame + len(line) > max_bytes:
            raise ValueError(f"the <url> of {article.url} alone is over {max_bytes} bytes")
        part = parts[-1]
        if len(part.lines) >= max_urls or part.size + len(line) > max_bytes:
            part = _Part(size=frame)
            parts.append(part)
        part.lines.append(line)
        part.size += len(line)
        lastmod = _lastmod(article)
        part.newest = lastmod if part.newest is None else max(part.newest, lastmod)
    return parts


def _base_url(options: Options) -> str:
    """The public URL of the folder the files are served from, ending in "/"."""
    given = options.sitemap_base_url or options.site_url
    base, why = web_url(given)
    if not base:
        raise ValueError(f"sitemap base URL {given!r}: {why}")
    return base if base.endswith("/") else base + "/"


def _index(parts: Sequence[_Part], options: Options) -> bytes:
    if len(parts) > MAX_URLS:
        raise ValueError(f"{len(parts)} sitemap files: an index names at most {MAX_URLS}")
    base = _base_url(options)
    out = [f'{DECLARATION}<sitemapindex xmlns="{SITEMAP_NS}">\n']
    for number, part in enumerate(parts, 1):
        loc = base + part_name(number)
        if len(loc) > MAX_LOC:
            raise ValueError(f"sitemap URL {loc!r} is over {MAX_LOC} characters")
        lastmod = f"<lastmod>{_w3c(part.newest)}</lastmod>" if part.newest else ""
        out.append(f"<sitemap><loc>{_escape(loc)}</loc>{lastmod}</sitemap>\n")
    out.append("</sitemapindex>\n")
    return "".join(out).encode("utf-8")


def _news(recent: Sequence[Article], options: Options) -> bytes:
    name = " ".join(xml_safe(options.site_title).split())
    if not name:
        raise ValueError("the News sitemap needs the publication's name (the site title)")
    publication = (
        f"<news:publication><news:name>{_escape(name)}</news:name>"
        f"<news:language>{news_language(options.language)}</news:language></news:publication>"
    )
    lines = []
    for a in recent:
        title = _escape(" ".join(xml_safe(a.title).split()))
        date = _w3c(a.published or EPOCH)
        lines.append(
            f"<url><loc>{_escape(a.url)}</loc><news:news>{publication}"
            f"<news:publication_date>{date}</news:publication_date>"
            f"<news:title>{title}</news:title></news:news></url>\n".encode()
        )
    return _urlset(lines, _NEWS_URLSET)


# ---------------------------------------------------------------------------------------------
# Entry points


def render(
    articles: Sequence[Article],
    options: Options,
    *,
    max_urls: int = MAX_URLS,
    max_bytes: int = MAX_BYTES,
) -> bytes:
    """The sitemap as one ``urlset`` (the registry's one-document form). When the selection
    needs several files, ValueError: ``render_files`` (``converter sitemap``) writes them."""
    chosen, _ = select(articles, options)
    parts = _split(chosen, max_urls, max_bytes)
    if len(parts) > 1:
        raise ValueError(
            f"the sitemap needs {len(parts)} files (over {max_urls} URLs or {max_bytes} bytes):"
            " write them with render_files (converter sitemap -o DIR)"
        )
    return _urlset(parts[0].lines, _IMAGE_URLSET)


def render_news(
    articles: Sequence[Article], options: Options, *, max_news: int = MAX_NEWS
) -> bytes:
    """The Google News sitemap (``news-sitemap.xml``)."""
    chosen, _ = select(articles, options)
    return _news(news_articles(chosen, options, max_news), options)


def render_files(
    articles: Sequence[Article],
    options: Options,
    *,
    max_urls: int = MAX_URLS,
    max_bytes: int = MAX_BYTES,
    max_news: int = MAX_NEWS,
) -> list[tuple[str, bytes]]:
    """Every file, (name, bytes), in a safe writing order: the parts (``sitemap-1.xml`` …),
    then ``sitemap-index.xml`` that names them, then ``news-sitemap.xml``. One selection (one
    "now") serves them all."""
    chosen, _ = select(articles, options)
    parts = _split(chosen, max_urls, max_bytes)
    files = [(part_name(n), _urlset(p.lines, _IMAGE_URLSET)) for n, p in enumerate(parts, 1)]
    files.append((INDEX_NAME, _index(parts, options)))
    files.append((NEWS_NAME, _news(news_articles(chosen, options, max_news), options)))
    return files
