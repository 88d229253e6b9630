"""One book from its plan: images fetched once and packaged once each, the article and section
documents, the cover, the metadata (accessibility claims included), then the package."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from ebooklib import epub
from lxml import etree

from ... import images
from ...content import parse, xml_safe
from ...model import Article, Image
from ...options import Options
from ..common import byline, dateline, time_element
from . import cover, fetch
from .body import clean_url, embeds, link_key, valid_attributes, without_image
from .collection import (
    FLOOR,
    Entry,
    Group,
    author_names,
    groups,
    newest_update,
    reading_order,
    safe_key,
    shorten,
    subjects,
    when,
)
from .package import write_book
from .xhtml import CSS, STYLE_FILE, Document, node, xhtml_document

COVER_PURPOSE = images.Purpose("cover", cover.COVER_SIZE[0])


@dataclass(slots=True)
class _Picture:
    file_name: str
    fetched: fetch.Fetched


class Build:
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
        unique.sort(key=reading_order)
        self.entries = [Entry(a, safe_key(a.id, taken), parse(a.body)) for a in unique]
        self.bundle = len(self.entries) > 1
        self.grouped = self.bundle and options.epub.group_by != "none"
        self.groups = groups(self.entries, options.epub.group_by if self.grouped else "none")
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

    def _body_images(self, entry: Entry) -> None:
        for img in list(entry.body.iter("img")):
            picture = (
                self._picture(img.get("src", ""), entry.article)
                if self.options.epub.images
                else None
            )
            if picture is None:
                without_image(img)
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
                key = link_key(url, self.hosts) if url else None
                if key and key != "/":
                    self.targets.setdefault(key, entry.file_name)

    def _internal_links(self, body: etree._Element) -> None:
        """Links to articles that are in this book point into the book (compared by path on
        any of the site's hosts, so www/staging and the shorturl all match)."""
        for a in body.iter("a"):
            key = link_key(a.get("href", ""), self.hosts)
            target = self.targets.get(key) if key else None
            if target:
                a.set("href", target)

    # -- documents ------------------------------------------------------------------------

    def _header(self, parent: etree._Element, entry: Entry) -> None:
        article = entry.article
        header = node(parent, "header")
        if article.section is not None:
            kicker = node(header, "p", {"class": "kicker"})
            group = self.group_of.get(id(entry))
            if self.grouped and group is not None and self.options.epub.group_by == "section":
                node(kicker, "a", {"href": group.file_name}, article.section.name)
            else:
                kicker.text = xml_safe(article.section.name)
        node(header, "h1", text=article.title or "Untitled")
        if article.standfirst:
            node(header, "p", {"class": "standfirst"}, article.standfirst)
        names = author_names(article)
        if names:
            node(header, "p", {"class": "byline"}, "By " + byline(names))
        dateline(header, article)

    def _lead(self, parent: etree._Element, entry: Entry) -> None:
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
                node(parent, "p", {"class": "missing-image"}, f"Image: {caption}")
            return
        figure = node(parent, "figure", {"class": "lead-image"})
        node(figure, "img", {"src": picture.file_name, "alt": caption})
        if not caption:
            self.all_alt = False
        if caption or credit:
            figcaption = node(figure, "figcaption", text=caption or None)
            if credit:
                small = node(figcaption, "small", {"class": "credit"}, credit)
                if caption:
                    figcaption.text = (figcaption.text or "") + " "
                small.tail = None

    def _article_document(self, entry: Entry) -> Document:
        article = entry.article
        body = node(None, "body")
        main = node(body, "article", {"class": "article"})
        self._header(main, entry)
        self._lead(main, entry)
        content = entry.body
        embeds(content)
        self._body_images(entry)
        self._internal_links(content)
        valid_attributes(content)
        content.tag = "div"
        content.set("class", "article-body")
        main.append(content)
        if article.paywalled:
            note = node(
                main,
                "p",
                {"class": "paywall-note"},
                "This is the part of the article open to all; the full text is at ",
            )
            node(
                note,
                "a",
                {"href": clean_url(article.url) or self.options.site_url},
                self.options.site_title,
            )
            note[-1].tail = "."
        url = clean_url(article.url)
        if url:
            source = node(main, "footer", {"class": "source"})
            line = node(source, "p", text="Originally published by ")
            node(line, "a", {"href": url}, self.options.site_title)
            line[-1].tail = "."
        title = xml_safe(article.title) or "Untitled"
        return Document(
            entry.uid,
            entry.file_name,
            title,
            self.language,
            xhtml_document(title, self.language, body),
        )

    def _section_document(self, group: Group) -> Document:
        """The section opener, a contents page of its own: the section's name, how many
        articles it holds, and per article its linked title, standfirst, byline and date."""
        body = node(None, "body")
        section = node(body, "section", {"class": "section-page"})
        node(section, "h1", text=group.label)
        count = len(group.entries)
        node(
            section, "p", {"class": "section-count"}, f"{count} article{'s' if count != 1 else ''}"
        )
        listing = node(section, "ol", {"class": "toc-articles"})
        for entry in group.entries:
            self._section_item(node(listing, "li"), entry)
        return Document(
            group.uid,
            group.file_name,
            group.label,
            self.language,
            xhtml_document(group.label, self.language, body),
        )

    def _section_item(self, item: etree._Element, entry: Entry) -> None:
        article = entry.article
        title = node(item, "h2", {"class": "toc-title"})
        node(title, "a", {"href": entry.file_name}, article.title or "Untitled")
        if article.standfirst:
            node(item, "p", {"class": "toc-summary"}, shorten(article.standfirst))
        meta = node(item, "p", {"class": "toc-meta"})
        parts: list[str] = []
        if article.section is not None and self.options.epub.group_by != "section":
            parts.append(xml_safe(article.section.name))  # the group does not say it
        if article.authors:
            parts.append(f"By {byline(author_names(article))}")
        meta.text = " · ".join(parts) or None
        if article.published:
            if parts:
                meta.text = f"{meta.text} · "
            time_element(meta, article.published)
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
            names = author_names(self.entries[0].article)
            return f"By {byline(names)}" if names else ""
        labels = [g.label for g in self.groups] if self.grouped else []
        count = f"{len(self.entries)} articles"
        return f"{count} · {', '.join(labels[:4])}" if labels else count

    # -- metadata -------------------------------------------------------------------------

    def _title(self) -> str:
        if self.options.epub.title:
            return xml_safe(self.options.epub.title)
        if not self.bundle:
            return xml_safe(self.entries[0].article.title) or self.options.site_title
        newest = max((when(e.article) for e in self.entries), default=FLOOR)
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
            creators = author_names(self.entries[0].article) or [fallback]
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
        for name in subjects(self._articles()):
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
        modified = newest_update(self._articles())
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

        self._reading_order(book, articles, sections, cover_file is not None)
        return write_book(book, self.language, modified), self.warnings

    def _reading_order(
        self,
        book: epub.EpubBook,
        articles: dict[int, Document],
        sections: dict[str, Document],
        has_cover: bool,
    ) -> None:
        """Spine, contents (nav and NCX, two levels when grouped) and guide of the book."""
        spine: list[object] = ["cover"] if has_cover else []
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
        first = spine[2] if has_cover else spine[1]
        assert isinstance(first, epub.EpubHtml)
        guide = [
            {"type": "toc", "href": "nav.xhtml", "title": "Contents"},
            {"type": "text", "href": first.file_name, "title": "Begin reading"},
        ]
        if has_cover:  # OPF-096: the non-linear cover must be reachable (§2.2.5)
            guide.insert(0, {"type": "cover", "href": "cover.xhtml", "title": "Cover"})
        book.guide = guide


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
