"""One adapter per output format, behind one signature, in one registry: every format fact.

An adapter renders (articles, options) to bytes. What the rest of the program needs to know
about a format is declared here and nowhere else: its name (the command and the ``export
--formats`` value), its kind (one file per article, one per collection, or several files per
collection), its file naming (extension, the file ``export`` writes, the folder it writes into,
whether it is also written per section), the rule that selects and orders its articles, whether
it needs image bytes, and the command-line flags it adds. ``cli.py``, the engine
(``api.py``/``export.py``), the report and the help text derive from these records.

Adding a format: one module with a ``render(articles, options) -> bytes`` (or a
``render_files(articles, options) -> [(name, bytes)]`` for several files), one ``Adapter``
line in ``ADAPTERS``, and its tests.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from importlib import import_module
from pathlib import Path
from typing import Any

from ..model import Article
from ..options import Options

__all__ = [
    "ADAPTERS",
    "BOOK",
    "SITE",
    "Adapter",
    "Flag",
    "Kind",
    "Order",
    "Render",
    "RenderFiles",
    "get",
]

Render = Callable[[Sequence[Article], Options], bytes]
RenderFiles = Callable[[Sequence[Article], Options], list[tuple[str, bytes]]]
Select = Callable[[Sequence[Article], Options], tuple[list[Article], list[Any]]]
Order = Callable[[Article], Any]  # an ascending sort key: the first article is the first shown


class Kind(Enum):
    ARTICLE = "article"  # one document per article: DIR/<name><extension>
    COLLECTION = "collection"  # one document for the selection (a feed, a book)
    FILES = "files"  # several documents for the selection (``render_files``: sitemaps)


@dataclass(frozen=True, slots=True)
class Flag:
    """A command-line flag an adapter adds: ``--<name>`` sets the option ``field``."""

    name: str  # the flag without "--", e.g. "feed-url"
    field: str  # the Options path it sets, e.g. "feed.feed_url"; "" = a command switch
    type: type  # str, int, float, bool or Path; tuple = repeatable (list of str)
    help: str
    short: str = ""  # e.g. "-j"
    negative: bool = False  # a bool flag that sets the option to False (--no-images)
    text: bool = False  # a Path flag whose option holds the file's text (UTF-8), not the path


SITE = (  # every command has these (cli.COMMON)
    Flag("base-url", "base_url", str, "Replace the scheme and host of article URLs."),
    Flag("timezone", "timezone", str, "IANA zone of the CMS's naive timestamps."),
    Flag("language", "language", str, "Language tag for lang attributes."),
)
_FEED = (
    Flag("title", "feed.title", str, "Channel title."),
    Flag("description", "feed.description", str, "Channel description."),
    Flag("feed-url", "feed.feed_url", str, "The feed's own URL (rel=self)."),
    Flag("hub", "feed.hub", str, "WebSub hub URL."),
    Flag("xsl", "feed.xsl", str, "XSL stylesheet URL (RSS/Atom)."),
    Flag("image", "feed.image", str, "Channel image / logo / icon URL."),
    Flag("limit", "feed.limit", int, "Newest N items; 0 = all. [default: 50]"),
    Flag("paywall", "feed.paywall", str, "Paywalled articles: summary | full | exclude."),
    Flag("include-noindex", "feed.include_noindex", bool, "Keep noindex articles."),
    Flag("category", "feed.category", str, "Only this section (slug)."),
    Flag("keyword", "feed.keyword", str, "Only this keyword (slug)."),
    Flag("author", "feed.author", str, "Only this author (name)."),
    Flag("split-by", "", str, "'category': one feed per section into the -o directory."),
    Flag("pretty", "feed.pretty", bool, "Indent the output."),
)
_FETCH = (
    Flag("image-root", "fetch.image_root", Path, "Local uploads mirror: …/uploads/<p> → DIR/<p>."),
    Flag("cache-dir", "fetch.cache_dir", Path, "Image cache (default: user cache dir)."),
    Flag("allow-private-hosts", "fetch.allow_private_hosts", bool, "Allow private hosts."),
    Flag("image-host", "fetch.image_hosts", tuple, "Only fetch images from these hosts."),
    Flag("offline", "fetch.offline", bool, "No downloads: the mirror and the cache only."),
)
_EPUB = (
    Flag("title", "epub.title", str, "Book title."),
    Flag("author", "epub.author", str, "Book author (default: the site)."),
    Flag("cover", "epub.cover", Path, "Cover image (default: generated)."),
    Flag("group-by", "epub.group_by", str, "Contents grouped by section | date | none."),
    Flag("image-width", "epub.image_width", int, "Image width asked of the CDN. [default: 800]"),
    Flag("no-images", "epub.images", bool, "Captions instead of pictures.", negative=True),
    Flag("per-article", "epub.per_article", bool, "One book per article into the -o directory."),
    *_FETCH,
)
_NINJS = (
    Flag("ninjs-version", "ninjs_version", str, "ninjs schema: 3.1 | 2.1. [default: 3.1]"),
    Flag("copyright-holder", "copyright_holder", str, "copyrightHolder of every item."),
    Flag("copyright-notice", "copyright_notice", str, "copyrightNotice of every item."),
    Flag("usage-terms", "usage_terms", str, "usageTerms of every item."),
)
_SITEMAP = (
    Flag("sitemap-base-url", "sitemap_base_url", str, "Public URL of the sitemaps' folder."),
    Flag("now", "now", datetime, "Reference time (ISO 8601) for 'future' and the News window."),
)


@dataclass(frozen=True, slots=True)
class Adapter:
    name: str  # the CLI command and --formats value
    module: str  # converter.adapters.<module>, imported on first use (fast start-up)
    extension: str  # file suffix of each output (and of per-section files: <section><ext>)
    kind: Kind = Kind.COLLECTION
    function: str = "render"  # the module's render function (one document)
    title: str = ""  # what one output is, for the help text
    example: str = ""  # the help text's example (after "converter ")
    folder: str = ""  # export: the folder under -o DIR ("" = not in export)
    file: str = ""  # export: the collection's file in its folder ("" = per-article names)
    sections: bool = False  # also one document per section (--split-by category; export)
    select: str = ""  # "module.function": the selection and order of a collection
    order: str = ""  # "module.function": its order (Order), for the render and the engine
    images: bool = False  # needs image bytes (fetch): the render returns (bytes, warnings)
    flags: tuple[Flag, ...] = ()  # the command-line flags it adds (besides SITE's)
    # export takes all of ``flags`` too (they collide with no other format's: the feeds' and
    # the book's --title/--author do, so export lists what it takes of those in cli.EXPORT)
    export_flags: bool = False
    about: str = ""  # the help text's paragraph on what is selected
    files: str = ""  # Kind.FILES: the module's render_files function (every file, named)
    command: bool = True  # a command of its own (news-sitemap is written by sitemap's files)

    @property
    def per_article(self) -> bool:
        return self.kind is Kind.ARTICLE

    @property
    def render(self) -> Render:
        return _load(self.module, self.function)  # type: ignore[no-any-return]

    @property
    def render_files(self) -> RenderFiles:
        """Every file of the collection, (name, bytes); a one-document format gives one."""
        if self.kind is Kind.FILES:
            return _load(self.module, self.files)  # type: ignore[no-any-return]
        render, name = self.render, self.file or self.name + self.extension

        def one(articles: Sequence[Article], options: Options) -> list[tuple[str, bytes]]:
            return [(name, render(articles, options))]

        return one

    @property
    def selector(self) -> Select | None:
        """The selection and order rule of a collection (None: every article, as read)."""
        if not self.select:
            return None
        module, function = self.select.rsplit(".", 1)
        return _load(module, function)  # type: ignore[no-any-return]

    @property
    def sort_key(self) -> Order | None:
        """The order of a collection's articles, the one key its render sorts by and the
        engine's bounded collectors keep the newest N by (None: no order of its own)."""
        if not self.order:
            return None
        module, function = self.order.rsplit(".", 1)
        return _load(module, function)  # type: ignore[no-any-return]

    @property
    def with_report(self) -> Callable[[Sequence[Article], Options], tuple[bytes, list[str]]]:
        """``images`` formats: the render that also returns the images not included."""
        return _load(self.module, "render_with_report")  # type: ignore[no-any-return]


_LOADED: dict[tuple[str, str], Any] = {}  # (module, function) → the function, once imported


def _load(module: str, function: str) -> Any:
    found = _LOADED.get((module, function))
    if found is None:
        found = getattr(import_module(f"{__name__}.{module}"), function)
        _LOADED[module, function] = found
    return found


_FEED_EXAMPLE = "{} samples -o out/{} --limit 20"
_FEED_ABOUT = (
    "Drafts, future-dated, noindex and (with --paywall exclude) paywalled articles are left"
    " out; paywalled articles otherwise get title, link and summary only."
)

_FEED_FACTS: dict[str, Any] = dict(
    kind=Kind.COLLECTION,
    folder="feeds",
    sections=True,
    select="feeds.select",
    order="feeds.newest_first",
    flags=_FEED,
    about=_FEED_ABOUT,
)
_NEWEST = " of the newest published articles"

ADAPTERS: dict[str, Adapter] = {
    a.name: a
    for a in (
        Adapter(
            "html", "html", ".html", Kind.ARTICLE, folder="html",
            title="one standalone HTML5 page (or --fragment) per article",
            example="html samples -o out/html --base-url https://www.dailymaverick.co.za",
            flags=(
                Flag("fragment", "fragment", bool, "Write only the clean body."),
                Flag("css", "css", Path, "A stylesheet to use instead of the default.", text=True),
            ),
        ),
        Adapter(
            "markdown", "markdown", ".md", Kind.ARTICLE, folder="markdown",
            title="one Markdown file (YAML front matter + CommonMark/GFM) per article",
            example="markdown samples -o out/markdown",
        ),
        Adapter(
            "rss", "feeds", ".xml", function="render_rss", file="rss.xml",
            title="one RSS 2.0 feed" + _NEWEST, example=_FEED_EXAMPLE.format("rss", "feed.xml"),
            **_FEED_FACTS,
        ),
        Adapter(
            "atom", "feeds", ".atom", function="render_atom", file="atom.xml",
            title="one Atom 1.0 feed" + _NEWEST,
            example=_FEED_EXAMPLE.format("atom", "feed.atom"), **_FEED_FACTS,
        ),
        Adapter(
            "json-feed", "feeds", ".json", function="render_json_feed", file="feed.json",
            title="one JSON Feed 1.1" + _NEWEST,
            example=_FEED_EXAMPLE.format("json-feed", "feed.json"), **_FEED_FACTS,
        ),
        Adapter(
            "epub", "epub", ".epub", Kind.COLLECTION, folder="epub", file="book.epub",
            title="an EPUB 3 book of all published articles (or one per article), images inside",
            example="epub samples -o out/samples.epub --image-root samples/uploads",
            images=True, order="epub.collection.reading_order", flags=_EPUB,
        ),
        Adapter(
            "ninjs", "ninjs", ".json", Kind.ARTICLE, folder="ninjs",
            title="one IPTC ninjs document per article", example="ninjs samples -o out/ninjs",
            flags=_NINJS, export_flags=True,
        ),
        Adapter(
            "sitemap", "sitemap", ".xml", Kind.FILES, files="render_files", folder="sitemaps",
            title="the sitemaps (sitemap-N.xml, sitemap-index.xml) and the Google News sitemap",
            example="sitemap samples -o out/sitemaps --sitemap-base-url https://example.org/",
            select="sitemap.select", flags=_SITEMAP, export_flags=True,
        ),
        Adapter(
            "news-sitemap", "sitemap", ".xml", Kind.COLLECTION, "render_news",
            select="sitemap.select", command=False,
        ),
    )
}  # fmt: skip


BOOK = "epub"  # the collection export bounds with --book-limit and --per-article-epub writes


def get(name: str) -> Adapter:
    return ADAPTERS[name]
