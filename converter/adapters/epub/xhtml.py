"""XHTML documents of the book, written by us (ebooklib only lists them): its re-parse with an
HTML parser pretty-prints content, which re-indents ``<pre>`` and drops leading text (§2.3)."""

from __future__ import annotations

from ebooklib import epub
from lxml import etree

from ...content import xml_safe

XHTML_NS = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
STYLE_FILE = "style/book.css"

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


def node(
    parent: etree._Element | None,
    tag: str,
    attrs: dict[str, str] | None = None,
    text: str | None = None,
) -> etree._Element:
    """A no-namespace element (namespaced in ``xhtml_document`` at the end), text made XML-safe."""
    el = (
        etree.Element(tag, attrs or {})
        if parent is None
        else etree.SubElement(parent, tag, attrs or {})
    )
    if text:
        el.text = xml_safe(text)
    return el


def xhtml_document(title: str, language: str, body: etree._Element, css: bool = True) -> bytes:
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


class Document(epub.EpubHtml):  # type: ignore[misc]  # ebooklib has no type information
    """An XHTML item whose bytes we made: ebooklib only lists it (manifest, spine, nav, NCX)."""

    def __init__(self, uid: str, file_name: str, title: str, language: str, data: bytes) -> None:
        super().__init__(uid=uid, file_name=file_name, title=title, lang=language)
        self.data = data

    def get_content(self, default: object = None) -> bytes:
        return self.data
