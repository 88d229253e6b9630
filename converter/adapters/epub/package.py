"""The package and its container: ebooklib's writer with what it cannot do, then the zip
rewritten with fixed timestamps and order, so the same articles give the same bytes."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

from ebooklib import epub
from lxml import etree

from .collection import FLOOR
from .xhtml import EPUB_NS, XHTML_NS, XML_LANG

CEILING = datetime(2107, 12, 31, 23, 59, 58, tzinfo=UTC)  # ... nor newer than 2107
STORED_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif")  # already compressed: deflate gains nothing


class Writer(epub.EpubWriter):  # type: ignore[misc]  # ebooklib has no type information
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


def repack(data: bytes, modified: datetime) -> bytes:
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


def write_book(book: epub.EpubBook, language: str, modified: datetime) -> bytes:
    """The EPUB file of ``book``: ebooklib's writer, then ``repack``."""
    raw = io.BytesIO()
    writer = Writer(
        raw,
        book,
        language,
        {
            "epub3_pages": False,  # §2.2.4: the page-list scan crashes on the cover
            "landmark_title": "Landmarks",
            "mtime": modified.astimezone(UTC),  # dcterms:modified (§2.2.8)
            "raise_exceptions": True,
            "compresslevel": 0,  # repack compresses once, and only what is worth it
        },
    )
    writer.process()
    writer.write()  # called directly: errors propagate, never a silent False (§2.2.8)
    return repack(raw.getvalue(), modified)
