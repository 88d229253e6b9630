"""One options record for every command. Derive variants with ``dataclasses.replace``.

The nested records group what only one family of adapters reads; every field says why it is
there. Defaults are what a demanding user would want without flags.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass, field, fields
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from .errors import UsageError

__all__ = [
    "EpubOptions",
    "FeedOptions",
    "FetchOptions",
    "GroupBy",
    "NinjsVersion",
    "OptionError",
    "Options",
    "Paywall",
    "check",
]

Paywall = Literal["summary", "full", "exclude"]
GroupBy = Literal["section", "date", "none"]
NinjsVersion = Literal["3.1", "2.1"]
Sanitiser = Literal["own", "nh3"]  # the body's: see converter/content/sanitiser.py
# Numbers that must not be negative (0 means "all" for limits); others must be positive.
_AT_LEAST_ZERO = frozenset({"limit", "ttl", "retries", "max_redirects"})


class OptionError(UsageError):
    """An option value outside what its field allows (exit status 2 from the CLI)."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name} {message}")
        self.name, self.detail = name, message


def check(record: Any, prefix: str = "") -> None:
    """Validate ``record``'s fields against their declared types, once, at construction:
    Literal values, non-negative or positive numbers. Raises OptionError naming the field
    (``prefix`` + name) and the allowed values."""
    hints = typing.get_type_hints(type(record))
    for f in fields(record):
        value, kind = getattr(record, f.name), hints[f.name]
        name = prefix + f.name
        if typing.get_origin(kind) is Literal:
            allowed = typing.get_args(kind)
            if value not in allowed:
                choices = ", ".join(str(a) for a in allowed)
                raise OptionError(name, f"must be one of {choices}, not {value!r}")
        elif kind in (int, float) and not isinstance(value, bool):
            if not isinstance(value, int | float):
                raise OptionError(name, f"must be a number, not {value!r}")
            if f.name in _AT_LEAST_ZERO and value < 0:
                raise OptionError(name, f"must be 0 or more, not {value!r}")
            if f.name not in _AT_LEAST_ZERO and value <= 0:
                raise OptionError(name, f"must be more than 0, not {value!r}")


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
    paywall: Paywall = "summary"  # paywalled articles: summary (no body) | full | exclude
    include_noindex: bool = False  # keep articles flagged excludedFromGoogleSearchEngine
    category: str = ""  # only articles in this section (slug)
    keyword: str = ""  # only articles with this keyword (slug)
    author: str = ""  # only articles by this author (name, case-insensitive)
    pretty: bool = False  # indented XML / JSON

    def __post_init__(self) -> None:
        check(self, "feed.")


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

    def __post_init__(self) -> None:
        check(self, "fetch.")


@dataclass(frozen=True, slots=True)
class EpubOptions:
    """EPUB 3 books (docs: shared/docs/epub.md)."""

    title: str = ""  # book title; empty → "<site> – <date of the newest article>"
    author: str = ""  # dc:creator of a bundle; empty → the site title
    publisher: str = ""  # dc:publisher; empty → the site title
    cover: Path | None = None  # cover image file; None → generated from the newest lead image
    group_by: GroupBy = "section"  # section | date | none: the first level of the contents
    image_width: int = 800  # CSS px asked of the image resolver (e-readers: 800; hi-res 1200)
    images: bool = True  # False (--no-images): captions/alt text instead of pictures
    per_article: bool = False  # one book per article instead of one bundle

    def __post_init__(self) -> None:
        check(self, "epub.")


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
    ninjs_version: NinjsVersion = "3.1"

    # Output switches.
    fragment: bool = False  # html: write only the clean body, for partner CMS ingestion
    # html: the pages' stylesheet (the text of `--css FILE`); empty → the built-in one
    # (converter/adapters/html.py STYLESHEET). Put in the page's <style>, never fetched.
    css: str = ""
    strict: bool = False  # warnings (degraded embeds, dropped galleries) become failures
    # Body sanitiser: "own" = the vocabulary's allow-list (safe by construction, the default);
    # "nh3" = nh3 as a final pass after it, for defence in depth (converter/content/sanitiser.py).
    sanitiser: Sanitiser = "own"

    # "The present": future-dated articles are left out of feeds. None = the clock at run time;
    # tests and reproducible builds pin it.
    now: datetime | None = None

    feed: FeedOptions = field(default_factory=FeedOptions)  # rss, atom, json-feed
    epub: EpubOptions = field(default_factory=EpubOptions)  # epub
    fetch: FetchOptions = field(default_factory=FetchOptions)  # image bytes for epub

    def __post_init__(self) -> None:
        check(self, "")
