"""EPUB 3 adapter: one offline book of the given articles, valid for EPUBCheck 5.3 and readable.

Why it is built this way (docs: shared/docs/epub.md):

* Structure of a periodical, after Calibre's news recipes (§3): cover → contents (the nav
  document) → per group (section, day) a section page listing its articles → one XHTML
  document per article. Two-level navigation (group → article) in both the EPUB 3 nav and
  the NCX; each article exactly once (an article's first category decides its section).
  A one-article book has no group level.
* ebooklib with the settings of §2.2, each marked where it is applied. Article, section and
  nav documents are written by us as well-formed XHTML (``_Document``): ebooklib's own path
  re-parses content with an HTML parser and pretty-prints it, which re-indents ``<pre>``
  (measured) and silently drops leading text (§2.3).
* Every image is inside the book (§0.4): lead and inline images come from fetch.py here
  (mirror, cache or guarded HTTP); one that cannot be had becomes its alt/caption text plus a
  warning, never a remote reference. Embeds become their quoted text and a link (§2.3).
* Deterministic: same articles and options → same bytes. The identifier is a UUID5 of the
  sorted article ids, ``dcterms:modified`` and every zip entry's timestamp come from the
  newest article update, and the entry order is fixed (``_repack``).
"""

from __future__ import annotations

import hashlib
import io
import re
import uuid
import zipfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from urllib.parse import quote, urlsplit

from ebooklib import epub
from lxml import etree

from ... import images
from ...content import parse, xml_safe
from ...content.tree import remove, replace, text_of
from ...errors import UsageError
from ...model import Article, Image
from ...options import Options
from . import cover, fetch

__all__ = ["CSS", "render", "render_with_report"]

XHTML_NS = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
STYLE_FILE = "style/book.css"
COVER_PURPOSE = images.Purpose("cover", cover.COVER_SIZE[0])
SUMMARY_LIMIT = 500  # characters of standfirst on section pages (Calibre's summary_length)
KEYWORD_SUBJECTS = 10  # dc:subject keywords at most (the book's most frequent), after sections
FLOOR = datetime(1980, 1, 1, tzinfo=UTC)  # zip timestamps cannot be older than 1980
CEILING = datetime(2107, 12, 31, 23, 59, 58, tzinfo=UTC)  # ... nor newer than 2107
GROUPINGS = ("section", "date", "none")
STORED_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif")  # already compressed: deflate gains nothing

# No text or background colours anywhere: e-readers' night modes and dark themes must win
# (epub.md §6 "Dark mode"); currentColor for rules and borders; sizes relative.
CSS = """\
:root { color-scheme: light dark; }
body { margin: 0 1em; line-height: 1.5; }
h1 { font-size: 1.6em; line-height: 1.2; margin: 0.4em 0 0.5em; }
h2 { font-size: 1.3em; line-height: 1.25; margin: 1.4em 0 0.5em; }
h3, h4, h5, h6 { font-size: 1.1em; margin: 1.2em 0 0.4em; }
p { margin: 0 0 0.8em; }
.kicker, .byline, .dateline, .toc-meta { font-size: 0.9em; margin: 0 0 0.3em; }
.kicker { text-transform: uppercase; letter-spacing: 0.05em; }
.standfirst { font-size: 1.1em; font-style: italic; }
figure { margin: 1.2em 0; break-inside: avoid; page-break-inside: avoid; }
img { max-width: 100%; height: auto; }
.lead-image img { display: block; margin: 0 auto; }
figcaption { font-size: 0.85em; margin-top: 0.3em; }
.credit { font-size: 1em; font-style: italic; }
blockquote { margin: 1em 0 1em 1em; padding-left: 0.8em; border-left: 2px solid currentColor; }
figure.embed blockquote { margin-left: 0; }
pre { white-space: pre-wrap; font-size: 0.85em; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid currentColor; padding: 0.2em 0.4em; vertical-align: top; }
.missing-image { font-size: 0.9em; font-style: italic; }
.source, .paywall-note { font-size: 0.85em; margin-top: 2em; }
.section-count { font-size: 0.9em; margin: 0 0 1.5em; padding-bottom: 0.8em;
  border-bottom: 1px solid currentColor; }
.toc-articles { list-style: none; padding: 0; margin: 0; }
.toc-articles li { margin: 0 0 1.4em; }
.toc-title { font-size: 1.15em; line-height: 1.3; margin: 0 0 0.3em; }
.toc-summary { margin: 0 0 0.3em; }
"""


# ---------------------------------------------------------------------------------------------
# Public entry points


def render(articles: Sequence[Article], options: Options) -> bytes:
    """One EPUB of ``articles`` (warnings about images left out are dropped)."""
    return render_with_report(articles, options)[0]


def render_with_report(articles: Sequence[Article], options: Options) -> tuple[bytes, list[str]]:
    """One EPUB of ``articles`` and the warnings: images that could not be had, a bad cover."""
    if not articles:
        raise UsageError("an e-book needs at least one article")
    if options.epub.group_by not in GROUPINGS:
        raise UsageError(
            f"unknown group_by {options.epub.group_by!r} (known: {', '.join(GROUPINGS)})"
        )
    return _Build(articles, options).run()


# ---------------------------------------------------------------------------------------------
# Plan: order, groups, file names


@dataclass(slots=True)
class _Entry:
    article: Article
    key: str  # XML-name-safe form of the CMS id
    body: etree._Element  # parsed clean body (a <body> element, no namespace)

    @property
    def uid(self) -> str:
        return f"art-{self.key}"  # CMS ids are digits: not XML names on their own (§2.2.3)

    @property
    def file_name(self) -> str:
        return f"article-{self.key}.xhtml"  # at the package root: relative paths stay simple


@dataclass(slots=True)
class _Group:
    label: str
    entries: list[_Entry] = field(default_factory=list)
    file_name: str = ""

    @property
    def uid(self) -> str:
        return self.file_name.removesuffix(".xhtml")


def _when(article: Article) -> datetime:
    return article.published or article.updated or article.modified or FLOOR


def _newest_update(articles: Iterable[Article]) -> datetime:
    stamps = [s for a in articles for s in (a.updated, a.modified, a.published) if s is not None]
    return max(stamps, default=FLOOR)


def _safe_key(article_id: str, taken: set[str]) -> str:
    key = article_id if re.fullmatch(r"[A-Za-z0-9_-]{1,64}", article_id) else ""
    if not key:
        key = "x" + hashlib.sha256(article_id.encode("utf-8")).hexdigest()[:12]
    base, n = key, 1
    while key in taken:
        n += 1
        key = f"{base}-{n}"
    taken.add(key)
    return key


def _date_label(day: date) -> str:
    return f"{day:%A}, {day.day} {day:%B %Y}"


def _groups(entries: list[_Entry], group_by: str) -> list[_Group]:
    """Groups in reading order; each entry in exactly one group."""
    groups: dict[object, _Group] = {}
    for entry in entries:
        article = entry.article
        if group_by == "date":
            stamp = article.published or article.updated
            key: object = stamp.date() if stamp else None
            label = _date_label(stamp.date()) if stamp else "Undated"
        elif group_by == "section" and article.section is not None:
            key = article.section.slug or article.section.name
            label = article.section.name
        else:
            key, label = None, "Other articles" if group_by == "section" else "Articles"
        groups.setdefault(key, _Group(xml_safe(label) or "Articles")).entries.append(entry)
    ordered = list(groups.values())
    if None in groups:  # undated / unsectioned last
        ordered.remove(groups[None])
        ordered.append(groups[None])
    for n, group in enumerate(ordered, 1):
        group.file_name = f"section-{n:02d}.xhtml"
    return ordered


# ---------------------------------------------------------------------------------------------
# XHTML documents


def _el(
    parent: etree._Element | None,
    tag: str,
    attrs: dict[str, str] | None = None,
    text: str | None = None,
) -> etree._Element:
    """A no-namespace element (namespaced in ``_xhtml`` at the end), text made XML-safe."""
    el = (
        etree.Element(tag, attrs or {})
        if parent is None
        else etree.SubElement(parent, tag, attrs or {})
    )
    if text:
        el.text = xml_safe(text)
    return el


def _xhtml(title: str, language: str, body: etree._Element, css: bool = True) -> bytes:
    """A complete, well-formed XHTML5 document around ``body`` (a no-namespace <body>)."""
    html = etree.Element(f"{{{XHTML_NS}}}html", nsmap={None: XHTML_NS, "epub": EPUB_NS})
    html.set("lang", language)
    html.set(XML_LANG, language)  # Ace wants lang and xml:lang on every document (§5)
    head = etree.SubElement(html, f"{{{XHTML_NS}}}head")
    etree.SubElement(head, f"{{{XHTML_NS}}}meta", {"charset": "utf-8"})
    etree.SubElement(head, f"{{{XHTML_NS}}}title").text = xml_safe(title)  # RSC-017 if empty
    if css:
        etree.SubElement(
            head,
            f"{{{XHTML_NS}}}link",
            {"rel": "stylesheet", "type": "text/css", "href": STYLE_FILE},
        )
    for el in body.iter():
        if isinstance(el.tag, str) and not el.tag.startswith("{"):
            el.tag = f"{{{XHTML_NS}}}{el.tag}"
    html.append(body)
    return etree.tostring(html, xml_declaration=True, encoding="utf-8", doctype="<!DOCTYPE html>")


class _Document(epub.EpubHtml):  # type: ignore[misc]  # ebooklib has no type information
    """An XHTML item whose bytes we made: ebooklib only lists it (manifest, spine, nav, NCX)."""

    def __init__(self, uid: str, file_name: str, title: str, language: str, data: bytes) -> None:
        super().__init__(uid=uid, file_name=file_name, title=title, lang=language)
        self.data = data

    def get_content(self, default: object = None) -> bytes:
        return self.data


# ---------------------------------------------------------------------------------------------
# Body: images, embeds, links, attribute validity


# Parents that only take phrasing content: a missing image there becomes a <span>, not a <p>.
_INLINE_PARENTS = frozenset(
    {
        "p", "a", "span", "em", "strong", "small", "sub", "sup", "s", "u", "mark", "abbr",
        "cite", "q", "code", "kbd", "var", "samp", "dfn", "time", "bdi", "bdo", "h2", "h3",
        "h4", "h5", "h6", "dt", "caption", "figcaption", "pre",
    }
)  # fmt: skip
_INTEGER = re.compile(r"^-?\d{1,9}$")
_DATETIME = re.compile(
    r"^\d{4}(-\d{2}(-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?)?)?)?$"
    r"|^\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$"
)
_URL_UNSAFE = re.compile(r"[\s<>\"{}|\\^`\x00-\x1f\x7f]")


def _missing_marker(parent: etree._Element, text: str) -> etree._Element:
    """``<p class="missing-image">`` in block context, ``<span …>`` where only phrasing fits."""
    tag = "span" if parent.tag in _INLINE_PARENTS else "p"
    return _el(None, tag, {"class": "missing-image"}, text)


def _without_image(img: etree._Element) -> None:
    """Replace an image we do not have with its text: alt, else nothing if a caption says it.
    A linked image's link and a figure's caption always stay (the link then says so)."""
    alt = " ".join((img.get("alt") or "").split())
    figure = next((a for a in img.iterancestors("figure")), None)
    caption = figure.find("figcaption") if figure is not None else None
    caption_text = " ".join(text_of(caption).split()) if caption is not None else ""
    if alt and alt != caption_text:
        text = f"Image: {alt}"
    elif caption_text:
        text = ""  # the caption below already says what the picture was
    else:
        text = "Image not included."
    parent = img.getparent()
    assert parent is not None
    if not text and next(img.iterancestors("a"), None) is not None:
        text = "Image not included."  # a linked image keeps its link, which needs text
    if text:
        replace(img, _missing_marker(parent, text))
        return
    remove(img)
    if figure is not None and not len(figure) and not (figure.text or "").strip():
        remove(figure)


def _embeds(body: etree._Element) -> None:
    """Canonical embeds → quoted text and a link: no frames, scripts or media elements (§2.3)."""
    for figure in list(body.iter("figure")):
        if figure.get("class") != "embed":
            continue
        kind = re.sub(r"[^a-z0-9-]", "", (figure.get("data-embed") or "").lower())
        for name in [n for n in figure.attrib if n.startswith("data-")]:
            del figure.attrib[name]
        figure.set("class", f"embed embed-{kind}" if kind else "embed")


def _valid_attributes(body: etree._Element) -> None:
    """Drop or repair attribute values XHTML5 forbids (RSC-005): the clean body is HTML-safe,
    but EPUBCheck also checks value syntax (integers, enumerations, datetimes, URLs)."""
    for el in body.iter():
        tag = el.tag
        if not isinstance(tag, str):
            continue
        for name in ("width", "height") if tag == "img" else ():
            el.attrib.pop(name, None)  # CSS sizes images; pixel sizes fight small screens
        for name in ("start", "value", "span", "colspan", "rowspan"):
            value = el.get(name)
            if value is not None and (not _INTEGER.match(value) or _out_of_range(name, value)):
                del el.attrib[name]
        if tag == "ol" and el.get("type") not in (None, "1", "a", "A", "i", "I"):
            del el.attrib["type"]
        if el.get("scope") not in (None, "row", "col", "rowgroup", "colgroup"):
            del el.attrib["scope"]
        datetime_value = el.get("datetime") if tag == "time" else None
        if datetime_value is not None and not _DATETIME.match(datetime_value):
            del el.attrib["datetime"]
        if tag == "bdo" and el.get("dir") not in ("ltr", "rtl"):
            el.set("dir", "ltr")  # dir is required on bdo
        for name in ("href", "cite"):
            value = el.get(name)
            if value is not None:
                fixed = _clean_url(value)
                if fixed:
                    el.set(name, fixed)
                else:
                    del el.attrib[name]


def _out_of_range(name: str, value: str) -> bool:
    number = int(value)
    if name in ("span", "colspan"):
        return not 1 <= number <= 1000
    if name == "rowspan":
        return not 0 <= number <= 65534
    return False


def _clean_url(value: str) -> str:
    """A URL EPUBCheck accepts (RSC-020): unsafe characters percent-encoded, bad ones dropped."""
    value = value.strip()
    if not value:
        return ""
    if _URL_UNSAFE.search(value):
        value = quote(value, safe="/:?#[]@!$&'()*+,;=%~.-_")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018  (raises ValueError on a bad port)
    except ValueError:
        return ""
    return value


def _link_key(url: str, hosts: frozenset[str]) -> str | None:
    """Path of a link to one of the site's hosts (www., staging, shorturl host all equal)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    host = (parts.hostname or "").removeprefix("www.")
    if parts.scheme not in ("http", "https") or host not in hosts:
        return None
    return parts.path.rstrip("/") or "/"


# ---------------------------------------------------------------------------------------------
# The build


@dataclass(slots=True)
class _Picture:
    file_name: str
    fetched: fetch.Fetched


class _Build:
    """One book: everything a render needs, so the steps stay small functions of state."""

    def __init__(self, articles: Sequence[Article], options: Options) -> None:
        self.options = options
        self.language = options.language or "en"
        self.warnings: list[str] = []
        self.width_purpose = images.Purpose("epub", options.epub.image_width)
        taken: set[str] = set()
        seen: set[str] = set()
        unique: list[Article] = []
        for article in articles:
            if article.id in seen:
                self.warnings.append(f"article {article.id}: listed twice; the book has it once")
                continue
            seen.add(article.id)
            unique.append(article)
        # Newest first, as a front page reads; ties by id so input order cannot change bytes.
        unique.sort(key=lambda a: a.id)
        unique.sort(key=_when, reverse=True)
        self.entries = [_Entry(a, _safe_key(a.id, taken), parse(a.body)) for a in unique]
        self.bundle = len(self.entries) > 1
        self.grouped = self.bundle and options.epub.group_by != "none"
        self.groups = _groups(self.entries, options.epub.group_by if self.grouped else "none")
        self.group_of = {id(e): g for g in self.groups for e in g.entries}
        self.pictures: dict[str, _Picture] = {}  # by content hash: one file per distinct image
        self.items: list[epub.EpubImage] = []
        self.fetched: fetch.FetchReport = fetch.FetchReport()
        self.all_alt = True  # every image in the book has non-empty alt text
        self.any_image = False
        self.has_cover = False
        self._link_targets()

    # -- images ---------------------------------------------------------------------------

    def _lead_url(self, image: Image | None) -> str:
        chosen = images.pick(image, self.width_purpose)
        return chosen.url if chosen else ""

    def _fetch_all(self) -> None:
        """Every image of the book in one fetch run (mirror, cache, then parallel HTTP)."""
        if not self.options.epub.images:
            return
        urls: list[str] = []
        for entry in self.entries:
            if not images.shown_in_body(entry.article.image, entry.body):
                urls.append(self._lead_url(entry.article.image))
            urls.extend(img.get("src", "") for img in entry.body.iter("img"))
        if self.options.epub.cover is None:
            photo = self._cover_article()
            if photo is not None:
                chosen = images.pick(photo.image, COVER_PURPOSE)
                urls.append(chosen.url if chosen else "")
        self.fetched = fetch.fetch_images([u for u in urls if u], self.options.fetch)

    def _picture(self, url: str, where: Article) -> _Picture | None:
        """The packaged file for ``url``, or None (with a warning) when we could not get it."""
        got = self.fetched.images.get(url)
        if got is None:
            reason = self.fetched.failures.get(url, "no image URL")
            self.warnings.append(f"article {where.id}: image not included: {url}: {reason}")
            return None
        digest = hashlib.sha256(got.data).hexdigest()[:16]
        picture = self.pictures.get(digest)
        if picture is None:
            picture = _Picture(f"images/{digest}{got.extension}", got)
            self.pictures[digest] = picture
            # media type from the sniffed bytes, never the URL (§2.2.9: OPF-029, PKG-022)
            self.items.append(
                epub.EpubImage(
                    uid=f"img-{digest}",
                    file_name=picture.file_name,
                    media_type=got.media_type,
                    content=got.data,
                )
            )
        self.any_image = True
        return picture

    def _body_images(self, entry: _Entry) -> None:
        for img in list(entry.body.iter("img")):
            picture = (
                self._picture(img.get("src", ""), entry.article)
                if self.options.epub.images
                else None
            )
            if picture is None:
                _without_image(img)
                continue
            img.set("src", picture.file_name)
            alt = xml_safe(" ".join((img.get("alt") or "").split()))
            img.set("alt", alt)  # alt is required; empty = decorative (§5)
            if not alt:
                self.all_alt = False

    # -- links ----------------------------------------------------------------------------

    def _link_targets(self) -> None:
        hosts = {urlsplit(self.options.site_url).hostname or ""}
        for entry in self.entries:
            for url in (entry.article.url, entry.article.shorturl):
                hosts.add(urlsplit(url).hostname or "")
        self.hosts = frozenset(h.removeprefix("www.") for h in hosts if h)
        self.targets: dict[str, str] = {}
        for entry in self.entries:
            for url in (entry.article.url, entry.article.shorturl):
                key = _link_key(url, self.hosts) if url else None
                if key and key != "/":
                    self.targets.setdefault(key, entry.file_name)

    def _internal_links(self, body: etree._Element) -> None:
        """Links to articles that are in this book point into the book (compared by path on
        any of the site's hosts, so www/staging and the shorturl all match)."""
        for a in body.iter("a"):
            key = _link_key(a.get("href", ""), self.hosts)
            target = self.targets.get(key) if key else None
            if target:
                a.set("href", target)

    # -- documents ------------------------------------------------------------------------

    def _header(self, parent: etree._Element, entry: _Entry) -> None:
        article = entry.article
        header = _el(parent, "header")
        if article.section is not None:
            kicker = _el(header, "p", {"class": "kicker"})
            group = self.group_of.get(id(entry))
            if self.grouped and group is not None and self.options.epub.group_by == "section":
                _el(kicker, "a", {"href": group.file_name}, article.section.name)
            else:
                kicker.text = xml_safe(article.section.name)
        _el(header, "h1", text=article.title or "Untitled")
        if article.standfirst:
            _el(header, "p", {"class": "standfirst"}, article.standfirst)
        names = _authors(article)
        if names:
            _el(header, "p", {"class": "byline"}, "By " + _and(names))
        if article.published:
            line = _el(header, "p", {"class": "dateline"})
            _el(
                line,
                "time",
                {"datetime": article.published.isoformat()},
                _date_text(article.published),
            )
            if article.updated and article.updated > article.published:
                line[-1].tail = " · Updated "
                _el(
                    line,
                    "time",
                    {"datetime": article.updated.isoformat()},
                    _date_text(article.updated),
                )

    def _lead(self, parent: etree._Element, entry: _Entry) -> None:
        image = entry.article.image
        if image is None:
            return
        if images.shown_in_body(image, entry.body):  # the body's figure shows it
            images.caption_from_lead(image, entry.body)
            return
        url = self._lead_url(image)
        picture = self._picture(url, entry.article) if self.options.epub.images and url else None
        caption = xml_safe(image.caption.strip())
        credit = xml_safe(image.credit.strip())
        if picture is None:
            if caption:
                _el(parent, "p", {"class": "missing-image"}, f"Image: {caption}")
            return
        figure = _el(parent, "figure", {"class": "lead-image"})
        _el(figure, "img", {"src": picture.file_name, "alt": caption})
        if not caption:
            self.all_alt = False
        if caption or credit:
            figcaption = _el(figure, "figcaption", text=caption or None)
            if credit:
                small = _el(figcaption, "small", {"class": "credit"}, credit)
                if caption:
                    figcaption.text = (figcaption.text or "") + " "
                small.tail = None

    def _article_document(self, entry: _Entry) -> _Document:
        article = entry.article
        body = _el(None, "body")
        main = _el(body, "article", {"class": "article"})
        self._header(main, entry)
        self._lead(main, entry)
        content = entry.body
        _embeds(content)
        self._body_images(entry)
        self._internal_links(content)
        _valid_attributes(content)
        content.tag = "div"
        content.set("class", "article-body")
        main.append(content)
        if article.paywalled:
            note = _el(
                main,
                "p",
                {"class": "paywall-note"},
                "This is the part of the article open to all; the full text is at ",
            )
            _el(
                note,
                "a",
                {"href": _clean_url(article.url) or self.options.site_url},
                self.options.site_title,
            )
            note[-1].tail = "."
        url = _clean_url(article.url)
        if url:
            source = _el(main, "footer", {"class": "source"})
            line = _el(source, "p", text="Originally published by ")
            _el(line, "a", {"href": url}, self.options.site_title)
            line[-1].tail = "."
        title = xml_safe(article.title) or "Untitled"
        return _Document(
            entry.uid, entry.file_name, title, self.language, _xhtml(title, self.language, body)
        )

    def _section_document(self, group: _Group) -> _Document:
        """The section opener, a contents page of its own: the section's name, how many
        articles it holds, and per article its linked title, standfirst, byline and date."""
        body = _el(None, "body")
        section = _el(body, "section", {"class": "section-page"})
        _el(section, "h1", text=group.label)
        count = len(group.entries)
        _el(section, "p", {"class": "section-count"}, f"{count} article{'s' if count != 1 else ''}")
        listing = _el(section, "ol", {"class": "toc-articles"})
        for entry in group.entries:
            self._section_item(_el(listing, "li"), entry)
        return _Document(
            group.uid,
            group.file_name,
            group.label,
            self.language,
            _xhtml(group.label, self.language, body),
        )

    def _section_item(self, item: etree._Element, entry: _Entry) -> None:
        article = entry.article
        title = _el(item, "h2", {"class": "toc-title"})
        _el(title, "a", {"href": entry.file_name}, article.title or "Untitled")
        if article.standfirst:
            _el(item, "p", {"class": "toc-summary"}, _shorten(article.standfirst))
        meta = _el(item, "p", {"class": "toc-meta"})
        parts: list[str] = []
        if article.section is not None and self.options.epub.group_by != "section":
            parts.append(xml_safe(article.section.name))  # the group does not say it
        if article.authors:
            parts.append(f"By {_and(_authors(article))}")
        meta.text = " · ".join(parts) or None
        if article.published:
            if parts:
                meta.text = f"{meta.text} · "
            _el(
                meta,
                "time",
                {"datetime": article.published.isoformat()},
                _date_text(article.published),
            )
        if meta.text is None and not len(meta):
            item.remove(meta)

    # -- cover ----------------------------------------------------------------------------

    def _cover_article(self) -> Article | None:
        """The newest article with a lead image (entries are newest first)."""
        return next((e.article for e in self.entries if e.article.image is not None), None)

    def _cover(self, title: str) -> tuple[bytes, str] | None:
        """(bytes, extension) of the cover: the given file, else a generated one.

        ``--no-images`` means no pictures at all: no generated cover (a given one is kept,
        since the user asked for it by name).
        """
        given = self.options.epub.cover
        if given is not None:
            try:
                got = fetch.normalise(given.read_bytes(), max(self.options.fetch.max_side, 1600))
                return got.data, got.extension
            except (OSError, fetch.ImageRejected) as exc:
                self.warnings.append(f"cover {given}: not used ({exc})")
        if not self.options.epub.images:
            return None
        photo_bytes: bytes | None = None
        focal = ""
        article = self._cover_article()
        if article is not None and article.image is not None:
            focal = article.image.focal
            for purpose in (COVER_PURPOSE, self.width_purpose):
                chosen = images.pick(article.image, purpose)
                got_photo = self.fetched.images.get(chosen.url) if chosen else None
                if got_photo is not None:
                    photo_bytes = got_photo.data
                    break
        subtitle = self._cover_subtitle()
        return cover.generate(title, self.options.site_title, subtitle, photo_bytes, focal), ".jpg"

    def _cover_subtitle(self) -> str:
        if not self.bundle:
            names = _authors(self.entries[0].article)
            return f"By {_and(names)}" if names else ""
        labels = [g.label for g in self.groups] if self.grouped else []
        count = f"{len(self.entries)} articles"
        return f"{count} · {', '.join(labels[:4])}" if labels else count

    # -- metadata -------------------------------------------------------------------------

    def _title(self) -> str:
        if self.options.epub.title:
            return xml_safe(self.options.epub.title)
        if not self.bundle:
            return xml_safe(self.entries[0].article.title) or self.options.site_title
        newest = max((_when(e.article) for e in self.entries), default=FLOOR)
        return f"{self.options.site_title} – {newest.day} {newest:%B %Y}"

    def _identifier(self) -> str:
        """urn:uuid of the sorted article ids: the same set gives the same id (§2.2.1)."""
        namespace = uuid.uuid5(uuid.NAMESPACE_URL, self.options.site_url)
        ids = " ".join(sorted(e.article.id for e in self.entries))
        return f"urn:uuid:{uuid.uuid5(namespace, ids)}"

    def _metadata(self, book: epub.EpubBook, title: str) -> None:
        options = self.options
        book.set_identifier(self._identifier())
        book.set_title(title)
        book.set_language(self.language)  # only this writes dc:language (§2.2.1)
        if self.bundle:
            creators = [options.epub.author or options.site_title]
        else:
            fallback = options.epub.author or options.site_title
            creators = _authors(self.entries[0].article) or [fallback]
        for n, name in enumerate(creators, 1):
            book.add_author(xml_safe(name), uid=f"creator-{n}")
        book.add_metadata("DC", "publisher", xml_safe(options.epub.publisher or options.site_title))
        published = max((a.published for a in self._articles() if a.published), default=None)
        if published is not None:
            book.add_metadata("DC", "date", _utc(published))
        if not self.bundle:
            article = self.entries[0].article
            if article.standfirst:
                book.add_metadata("DC", "description", xml_safe(article.standfirst))
            if article.url:
                book.add_metadata("DC", "source", xml_safe(article.url))
        else:
            sections = ", ".join(g.label for g in self.groups) if self.grouped else ""
            text = f"{len(self.entries)} articles from {options.site_title}"
            book.add_metadata(
                "DC", "description", f"{text}: {sections}." if sections else f"{text}."
            )
        for name in _subjects(self._articles()):
            book.add_metadata("DC", "subject", name)

    def _accessibility(self, book: epub.EpubBook) -> None:
        """schema.org accessibility metadata (§5); claims only what the book really does."""
        images_in_book = self.any_image or self.has_cover
        entries: list[tuple[str, str]] = [("schema:accessMode", "textual")]
        if images_in_book:
            entries.append(("schema:accessMode", "visual"))
        if not images_in_book or self.all_alt:
            entries.append(("schema:accessModeSufficient", "textual"))
        if images_in_book:
            entries.append(("schema:accessModeSufficient", "textual,visual"))
        features = [
            "structuralNavigation",
            "tableOfContents",
            "readingOrder",
            "displayTransformability",
        ]
        if images_in_book and self.all_alt:
            features.insert(0, "alternativeText")
        entries += [("schema:accessibilityFeature", f) for f in features]
        entries.append(("schema:accessibilityHazard", "none"))
        summary = (
            "Reflowable text with a contents list and section-by-section navigation; "
            "no colours or sizes are fixed, so reading systems can change them."
        )
        if images_in_book:
            summary += (
                " Every image has a text alternative."
                if self.all_alt
                else " Some images have no text alternative (the source gave none)."
            )
        entries.append(("schema:accessibilitySummary", summary))
        for prop, value in entries:
            book.add_metadata(None, "meta", value, {"property": prop})

    def _articles(self) -> list[Article]:
        return [e.article for e in self.entries]

    # -- assembly -------------------------------------------------------------------------

    def run(self) -> tuple[bytes, list[str]]:
        self._fetch_all()
        title = self._title()
        modified = _newest_update(self._articles())
        book = epub.EpubBook()

        articles = {id(e): self._article_document(e) for e in self.entries}
        sections = {g.file_name: self._section_document(g) for g in self.groups if self.grouped}

        cover_file = self._cover(title)
        self.has_cover = cover_file is not None
        self._metadata(book, title)  # dcterms:modified comes from the writer's mtime
        self._accessibility(book)
        if cover_file is not None:
            data, extension = cover_file
            # Before the nav is added (§2.2.4); cover.xhtml is non-linear, the guide links it.
            book.set_cover(f"images/cover{extension}", data)
            cover_page = book.get_item_with_id("cover")
            cover_page.title = xml_safe(f"Cover: {title}")  # also the cover image's alt text

        css = epub.EpubItem(
            uid="style", file_name=STYLE_FILE, media_type="text/css", content=CSS.encode("utf-8")
        )
        book.add_item(css)
        for item in self.items:
            book.add_item(item)

        spine: list[object] = ["cover"] if cover_file is not None else []
        spine.append("nav")
        toc: list[object] = []
        for group in self.groups:
            docs = [articles[id(e)] for e in group.entries]
            if self.grouped:
                page = sections[group.file_name]
                book.add_item(page)
                spine.append(page)
                toc.append((epub.Section(group.label, group.file_name), docs))
            else:
                toc.extend(docs)
            for doc in docs:
                book.add_item(doc)
                spine.append(doc)
        book.toc = toc  # never empty: at least one article (§2.2.2)

        nav = epub.EpubNav(title="Contents")
        nav.add_link(href=STYLE_FILE, rel="stylesheet", type="text/css")
        book.add_item(nav)  # after set_cover (§2.2.4)
        book.add_item(epub.EpubNcx())  # nav AND ncx (§2.2.2); Kobo/ADE read the NCX (§5)
        book.spine = spine
        first = spine[2] if cover_file is not None else spine[1]
        assert isinstance(first, epub.EpubHtml)
        guide = [
            {"type": "toc", "href": "nav.xhtml", "title": "Contents"},
            {"type": "text", "href": first.file_name, "title": "Begin reading"},
        ]
        if cover_file is not None:  # OPF-096: the non-linear cover must be reachable (§2.2.5)
            guide.insert(0, {"type": "cover", "href": "cover.xhtml", "title": "Cover"})
        book.guide = guide

        raw = io.BytesIO()
        writer = _Writer(
            raw,
            book,
            self.language,
            {
                "epub3_pages": False,  # §2.2.4: the page-list scan crashes on the cover
                "landmark_title": "Landmarks",
                "mtime": modified.astimezone(UTC),  # dcterms:modified (§2.2.8)
                "raise_exceptions": True,
                "compresslevel": 0,  # _repack compresses once, and only what is worth it
            },
        )
        writer.process()
        writer.write()  # called directly: errors propagate, never a silent False (§2.2.8)
        return _repack(raw.getvalue(), modified), self.warnings


class _Writer(epub.EpubWriter):  # type: ignore[misc]  # ebooklib has no type information
    """ebooklib's writer plus what it cannot do: ``xml:lang`` on <package> (§2.2.7, Ace rates
    its absence serious) and a hidden landmarks nav (pandoc hides it too, §4: it is for
    reading systems, not a list for readers to page through)."""

    def __init__(
        self, out: io.BytesIO, book: epub.EpubBook, language: str, options: dict[str, object]
    ) -> None:
        super().__init__(out, book, options)
        self._language = language

    def _write_opf_file(self, root: etree._Element) -> None:
        root.set(XML_LANG, self._language)
        super()._write_opf_file(root)

    def _get_nav(self, item: epub.EpubNav) -> bytes:
        data: bytes = super()._get_nav(item)
        tree = etree.fromstring(data)
        for nav in tree.iter(f"{{{XHTML_NS}}}nav"):
            if nav.get(f"{{{EPUB_NS}}}type") == "landmarks":
                nav.set("hidden", "hidden")
        result: bytes = etree.tostring(
            tree, xml_declaration=True, encoding="utf-8", doctype="<!DOCTYPE html>"
        )
        return result


def _repack(data: bytes, modified: datetime) -> bytes:
    """The same entries in the same order with a fixed timestamp (zipfile stamps "now"),
    ``mimetype`` first and stored (OCF), images stored, text deflated: same input, same bytes."""
    stamp = min(max(modified.astimezone(UTC), FLOOR), CEILING).timetuple()[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        names = source.namelist()
        order = ["mimetype", *(n for n in names if n != "mimetype")]
        for name in order:
            info = zipfile.ZipInfo(name, date_time=stamp)
            stored = name == "mimetype" or name.lower().endswith(STORED_SUFFIXES)
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            info.create_system = 3  # ZipInfo guesses from the platform: fix it
            info.external_attr = 0o100644 << 16
            target.writestr(info, source.read(name), compresslevel=None if stored else 9)
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# Small text helpers


def _authors(article: Article) -> list[str]:
    return list(
        dict.fromkeys(xml_safe(" ".join(a.name.split())) for a in article.authors if a.name.strip())
    )


def _and(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _date_text(value: datetime) -> str:
    return f"{value.day} {value:%B %Y, %H:%M}"


def _subjects(articles: Sequence[Article]) -> list[str]:
    """dc:subject: the sections (each article's first category), then at most
    ``KEYWORD_SUBJECTS`` keywords, the most frequent first (an article counts a keyword once),
    ties by first appearance in reading order; each name once, compared case-folded."""
    sections: dict[str, str] = {}  # casefolded → first spelling seen
    keywords: dict[str, str] = {}
    counts: Counter[str] = Counter()
    for article in articles:
        for term in article.categories[:1]:
            name = xml_safe(" ".join(term.name.split()))
            if name:
                sections.setdefault(name.casefold(), name)
        seen: set[str] = set()
        for term in article.keywords:
            name = xml_safe(" ".join(term.name.split()))
            if name and name.casefold() not in seen:
                seen.add(name.casefold())
                keywords.setdefault(name.casefold(), name)
                counts[name.casefold()] += 1
    ranked = sorted((key for key in keywords if key not in sections), key=lambda k: -counts[k])
    return [*sections.values(), *(keywords[key] for key in ranked[:KEYWORD_SUBJECTS])]


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _shorten(text: str, limit: int = SUMMARY_LIMIT) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"
