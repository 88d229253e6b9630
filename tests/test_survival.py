"""Nothing the reporter wrote is lost: every paragraph, heading, list item, quote, link and image
of every sample survives into HTML and into Markdown, and nothing executable survives.

The source is read the way a browser reads it (html5lib, the HTML5 parsing algorithm), with
shortcode brackets taken out and script/style/noscript/template content ignored (never shown).
The outputs are read the same way; the Markdown is first rendered with markdown-it-py.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

import html5lib
import pytest
from lxml import etree
from markdown_it import MarkdownIt

from converter import Article, Options, render
from converter.content import xml_safe
from converter.content.transforms import Context, resolve_url
from converter.inputs import read_records

from .conftest import SAMPLES

HIDDEN = {
    "script",
    "style",
    "noscript",
    "template",
    "title",
    "head",
    "iframe",
    "object",
    "textarea",
}
SHORTCODE_TAGS = re.compile(
    r"(?<!\[)\[/?(?:caption|wp_caption|gallery|playlist|embed|video|audio)\b[^\]]*\](?!\])"
    # unknown (plugin) shortcodes with attributes are not text either (issue 11)
    r"|(?<!\[)\[[A-Za-z][\w-]*\s+[\w-]+\s*=[^\]\[]*\](?!\])"
)
ESCAPED_SHORTCODE = re.compile(r"\[(\[[^\[\]]+\])\]")
MD = MarkdownIt("commonmark").enable("table").enable("strikethrough")


def _tree(html: str) -> etree._Element:
    # html5lib's lxml builder refuses XML-illegal characters; they are never visible text.
    doc = html5lib.parse(xml_safe(html), treebuilder="lxml", namespaceHTMLElements=False)
    root: etree._Element = doc.getroot()
    return root


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


INLINE = {
    "a",
    "strong",
    "em",
    "b",
    "i",
    "span",
    "code",
    "sub",
    "sup",
    "s",
    "small",
    "mark",
    "abbr",
    "cite",
    "q",
    "kbd",
    "var",
    "samp",
    "dfn",
    "time",
    "bdi",
    "bdo",
    "u",
    "font",
    "del",
    "ins",
}


def visible_words(html: str) -> list[str]:
    """Words a reader sees, in order (hidden elements skipped; inline tags do not split words),
    in NFKC."""
    root = _tree(html)
    parts: list[str] = []

    def walk(el: etree._Element) -> None:
        tag = _local(el.tag)
        if tag in HIDDEN:
            return
        block = tag not in INLINE
        if block:
            parts.append(" ")
        parts.append(el.text or "")
        for child in el:
            walk(child)
            parts.append(child.tail or "")
        if block:
            parts.append(" ")

    walk(root)
    # in NFKC, as the real-world checker reads words: Markdown's "m³" is the page's m<sup>3</sup>
    return unicodedata.normalize("NFKC", "".join(parts)).split()


def hrefs(html: str, base: str) -> set[str]:
    ctx = Context(base=base)
    out = set()
    for a in _tree(html).iter():
        if _local(a.tag) == "a" and a.get("href"):
            url = resolve_url(a.get("href"), ctx)
            if url:
                out.add(url)
    return out


def img_srcs(html: str, base: str) -> set[str]:
    ctx = Context(base=base)
    return {
        url
        for el in _tree(html).iter()
        if _local(el.tag) == "img" and el.get("src") and (url := resolve_url(el.get("src"), ctx))
    }


def is_subsequence(needle: list[str], haystack: list[str]) -> tuple[bool, str]:
    """All of needle, in order, in haystack; on failure, the word that went missing."""
    it: Iterator[str] = iter(haystack)
    for i, word in enumerate(needle):
        if not any(word == h for h in it):
            return False, " ".join(needle[max(0, i - 8) : i + 3])
    return True, ""


def source_records() -> list[tuple[str, dict[str, object]]]:
    out = []
    for rec in read_records([str(SAMPLES)]):
        if hasattr(rec, "value") and isinstance(rec.value, dict) and "14-invalid" not in rec.source:
            out.append((f"{rec.source}:{rec.position}", rec.value))
    return out


RECORDS = source_records()


def _article(record: dict[str, object], where: str) -> Article:
    from converter.cms import parse_article

    return parse_article(record, where, "", Options())


@pytest.mark.parametrize(("where", "record"), RECORDS, ids=[w for w, _ in RECORDS])
@pytest.mark.parametrize("fmt", ["html", "markdown"])
def test_text_links_and_images_survive(where: str, record: dict[str, object], fmt: str) -> None:
    article = _article(record, where)
    contents = SHORTCODE_TAGS.sub(" ", str(record.get("contents") or ""))
    contents = ESCAPED_SHORTCODE.sub(r"\1", contents)  # [[caption]] reads as [caption]
    data = render(fmt, [article], Options(fragment=True)).decode("utf-8")
    if fmt == "markdown":
        data = MD.render(data.split("\n---\n", 1)[1])
    # A bare URL alone in a paragraph becomes an embed or link: its text lives on as the href.
    out_links = hrefs(data, article.url)
    source_words = [w for w in visible_words(contents) if w not in out_links]
    ok, missing = is_subsequence(source_words, visible_words(data))
    assert ok, f"lost text near: {missing!r}"
    assert hrefs(contents, article.url) <= hrefs(data, article.url)
    assert img_srcs(contents, article.url) <= img_srcs(data, article.url)


STRUCTURE = [
    "p",
    "h2",
    "h3",
    "h4",
    "li",
    "blockquote",
    "table",
    "td",
    "th",
    "pre",
    "figure",
    "img",
    "a",
]


@pytest.mark.parametrize(("where", "record"), RECORDS, ids=[w for w, _ in RECORDS])
def test_markdown_keeps_the_structure_of_the_clean_body(
    where: str, record: dict[str, object]
) -> None:
    """Render the Markdown back (CommonMark + GFM tables) and compare element counts."""
    article = _article(record, where)
    md = render("markdown", [article], Options()).decode("utf-8").split("\n---\n", 1)[1]
    back = _tree(MD.render(md))
    body = _tree(article.body)

    def count(root: etree._Element, tag: str) -> int:
        return sum(1 for el in root.iter() if _local(el.tag) == tag)

    for tag in ("h2", "h3", "h4", "li", "table", "pre", "img"):
        assert count(back, tag) == count(body, tag), tag
    # blockquotes: the body's own, plus one per embedded post (its quote is kept)
    assert count(back, "blockquote") == count(body, "blockquote")


EXECUTABLE = re.compile(
    r"<script|\son\w+\s*=|javascript:|vbscript:|data:text/html|srcdoc|<iframe[^>]*srcdoc", re.I
)


@pytest.mark.parametrize("fmt", ["html", "markdown"])
def test_nothing_executable_survives_the_hostile_sample(fmt: str) -> None:
    (record,) = [r for w, r in RECORDS if "13-hostile" in w]
    article = _article(record, "13-hostile")
    data = render(fmt, [article], Options()).decode("utf-8")
    rendered = MD.render(data) if fmt == "markdown" else data
    json_ld = re.compile(r'<script type="application/ld\+json">.*?</script>', re.S)
    for text in (data, rendered):
        found = EXECUTABLE.search(json_ld.sub("", text))
        assert found is None, text[max(0, found.start() - 80) : found.end() + 80]
    tree = _tree(rendered)
    for el in tree.iter():
        tag = _local(el.tag)
        assert tag not in {
            "script",
            "style",
            "iframe",
            "object",
            "embed",
            "form",
            "base",
            "meta",
            "svg",
            "math",
        } or (
            fmt == "html"
            and tag in {"meta", "style", "script"}
            and el.getparent() is not None
            and _local(el.getparent().tag) == "head"
        ), tag
        for name, value in el.attrib.items():
            assert not name.lower().startswith("on"), (tag, name)
            assert "javascript:" not in value.lower().replace("\t", ""), (tag, name, value)
    assert "\x01" not in data and "\x08" not in data and "\x0b" not in data and "\x1f" not in data
    assert "https://www.tshwane.gov.za/" in data  # the legitimate link survives
