"""One options record for every command. Derive variants with ``dataclasses.replace``.

The nested records group what only one family of adapters reads; every field says why it is
there. Defaults are what a demanding user would want without flags.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

__all__ = ["EpubOptions", "FeedOptions", "FetchOptions", "Options"]


@dataclass(frozen=True, slots=True)
class FeedOptions:
    """RSS 2.0 / Atom 1.0 / JSON Feed 1.1 (docs: shared/docs/feeds.md)."""

    title: str = ""  # channel title; empty → the site title (plus the section for split feeds)
    description: str = ""  # channel description; empty → "Latest articles from <site>"
    feed_url: str = ""  # the feed's own URL: atom:link rel="self", Atom id, JSON feed_url
    hub: str = ""  # WebSub hub URL (rel="hub" in RSS and Atom, "hubs" in JSON Feed)
    xsl: str = ""  # XSL stylesheet URL for a human-readable RSS/Atom view (<?xml-stylesheet?>)
    image: str = ""  # channel image / Atom logo / JSON icon URL
    icon: str = ""  # small square icon (Atom icon, JSON favicon)
    ttl: int = 60  # RSS <ttl>, minutes: readers should not poll more often (Ghost uses 60)
    limit: int = 50  # newest N items; 0 = all (Google News reads <= 60 new items per fetch)
    paywall: str = "summary"  # paywalled articles: summary (no body) | full | exclude
    include_noindex: bool = False  # keep articles flagged excludedFromGoogleSearchEngine
    category: str = ""  # only articles in this section (slug)
    keyword: str = ""  # only articles with this keyword (slug)
    author: str = ""  # only articles by this author (name, case-insensitive)
    pretty: bool = False  # indented XML / JSON


@dataclass(frozen=True, slots=True)
class FetchOptions:
    """Image fetching for e-books (and anything else that must embed image bytes)."""

    image_root: Path | None = None  # local uploads mirror: .../wp-content/uploads/<p> → root/<p>
    cache_dir: Path | None = None  # persistent cache keyed by URL; None → the user cache dir
    allow_private_hosts: bool = False  # permit private/loopback/link-local hosts (intranets, tests)
    image_hosts: tuple[str, ...] = ()  # optional allow-list of hosts; empty = any public host
    timeout: float = 10.0  # seconds: total deadline per image (connect + every read)
    retries: int = 2  # extra attempts after a connection error or 5xx
    max_bytes: int = 15 * 1024 * 1024  # per image; MSN's own cap is 15 MB
    max_total_bytes: int = 500 * 1024 * 1024  # per run, across all images
    max_redirects: int = 5
    concurrency: int = 8  # downloads at once
    max_side: int = 1600  # px: longer side of stored images (scaled down with Pillow)
    offline: bool = False  # no HTTP at all: the mirror and the cache only (reproducible exports)


@dataclass(frozen=True, slots=True)
class EpubOptions:
    """EPUB 3 books (docs: shared/docs/epub.md)."""

    title: str = ""  # book title; empty → "<site> – <date of the newest article>"
    author: str = ""  # dc:creator of a bundle; empty → the site title
    publisher: str = ""  # dc:publisher; empty → the site title
    cover: Path | None = None  # cover image file; None → generated from the newest lead image
    group_by: str = "section"  # section | date | none: the first level of the contents
    image_width: int = 800  # CSS px asked of the image resolver (e-readers: 800; hi-res 1200)
    images: bool = True  # False (--no-images): captions/alt text instead of pictures
    per_article: bool = False  # one book per article instead of one bundle


@dataclass(frozen=True, slots=True)
class Options:
    # Site settings (also from converter.toml; flags override the file).
    site_title: str = "Daily Maverick"  # feed / page site name (og:site_name, JSON-LD publisher)
    site_url: str = "https://www.dailymaverick.co.za/"  # home page, used where a site link is due
    base_url: str | None = None  # replaces scheme+host of article URLs (the seed lives on staging)
    sitemap_base_url: str = ""  # public URL of the sitemaps' folder (index <loc>s); "" → site_url
    language: str = "en"  # BCP 47 tag for lang attributes and feeds
    timezone: str = "Africa/Johannesburg"  # zone of the CMS's naive timestamps (source-format §3)
    # Inline body images keep their src; these (old prefix, new prefix) pairs rewrite it.
    host_map: tuple[tuple[str, str], ...] = ()

    # Rights statements for partners (ninjs copyrightHolder / copyrightNotice / usageTerms).
    # The CMS records none: empty (the default) leaves the property out, never an empty value.
    copyright_holder: str = ""  # who claims the rights, e.g. "Daily Maverick"
    copyright_notice: str = ""  # e.g. "© 2025 Daily Maverick. All rights reserved."
    usage_terms: str = ""  # natural-language terms of use for the receiver
    # IPTC ninjs schema written: "3.1" (camelCase, the current branch) or "2.1" (lower case).
    ninjs_version: Literal["3.1", "2.1"] = "3.1"

    # Output switches.
    fragment: bool = False  # html: write only the clean body, for partner CMS ingestion
    # html: the pages' stylesheet (the text of `--css FILE`); empty → the built-in one
    # (converter/adapters/html.py STYLESHEET). Put in the page's <style>, never fetched.
    css: str = ""
    strict: bool = False  # warnings (degraded embeds, dropped galleries) become failures

    # "The present": future-dated articles are left out of feeds. None = the clock at run time;
    # tests and reproducible builds pin it.
    now: datetime | None = None

    # Image widths (CSS px) asked of the image resolver; see converter/images.py.
    html_image_width: int = 800  # lead image `src` in standalone pages; srcset covers the rest

    feed: FeedOptions = field(default_factory=FeedOptions)  # rss, atom, json-feed
    epub: EpubOptions = field(default_factory=EpubOptions)  # epub
    fetch: FetchOptions = field(default_factory=FetchOptions)  # image bytes for epub
