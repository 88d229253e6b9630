"""The page's own markup is text from templates: every value escaped, and escaped exactly as the
lxml tree the page used to be was serialised (so the pages stay byte-identical)."""

from __future__ import annotations

import random
import re
from dataclasses import replace
from pathlib import Path

import html5lib
import pytest
from lxml import etree

from converter import Article, Options, render
from converter.adapters.html import attribute, text
from converter.model import Author, Image, Term

from .conftest import nu_check

SEED_ID = "2563086"
NS = {"h": "http://www.w3.org/1999/xhtml"}
HOSTILE = [
    "",
    " ",
    "</title><script>alert(1)</script>",
    'say "hi"',
    "it's",
    "both \" and ' quotes",
    "a & b &amp; c &#13; <i>",
    " \t\n leading blanks",
    "trailing  \t",
    "\r\ncarriage\rreturn",
    "non-ASCII: é ü ø — “quotes” \u00a0nbsp \u2028 😀",
    'https://example.org/a b?q=1&r="2"#frag',
    "%20 already %zz escaped",
    "{} braces {0} {title}",
    "\x7f delete",
]
# Every character class the rules treat differently, to build random values from.
ALPHABET = " \t\n\r\"'&<>#%;=/?:{}\x7f\u00a0\u00e9\u2028\U0001f600aZ09-_.~"


def values() -> list[str]:
    rng = random.Random(13)
    generated = ["".join(rng.choices(ALPHABET, k=rng.randint(0, 12))) for _ in range(3000)]
    return HOSTILE + generated


def lxml_attribute(tag: str, name: str, value: str) -> str:
    root = etree.Element("html")
    etree.SubElement(root, tag).set(name, value)
    markup = etree.tostring(root, method="html", encoding="unicode")
    match = re.fullmatch(rf"<html><{tag}( .*?)>(?:</{tag}>)?</html>", markup, re.S)
    assert match, markup
    return match.group(1)


def lxml_text(value: str) -> str:
    root = etree.Element("html")
    etree.SubElement(root, "p").text = value
    return etree.tostring(root, method="html", encoding="unicode")[
        len("<html><p>") : -len("</p></html>")
    ]


@pytest.mark.parametrize(
    ("tag", "name"),
    [
        ("a", "href"),
        ("link", "href"),
        ("img", "src"),
        ("meta", "content"),
        ("img", "srcset"),
        ("img", "alt"),
        ("html", "lang"),
        ("time", "datetime"),
    ],
)
def test_attributes_are_escaped_as_lxml_wrote_them(tag: str, name: str) -> None:
    for value in values():
        assert attribute(name, value) == lxml_attribute(tag, name, value), repr(value)


def test_text_is_escaped_as_lxml_wrote_it() -> None:
    for value in values():
        assert text(value) == lxml_text(value), repr(value)


def test_characters_xml_cannot_carry_are_dropped_not_written() -> None:
    assert text("a\x00b\x0bc\ud800d") == "abcd"
    assert attribute("content", "a\x01b") == ' content="ab"'


@pytest.fixture(scope="module")
def hostile(by_id: dict[str, Article]) -> Article:
    title = "</title><script>alert(1)</script> & \"q\" 'a'"
    url = "https://example.org/x\"onmouseover='alert(2)' y"
    image = Image(
        url='https://example.org/i.jpg"><script>alert(3)</script>',
        caption="</figcaption><script>alert(4)</script>",
        credit="\"'<b>credit</b>",
    )
    return replace(
        by_id[SEED_ID],
        title=title,
        url=url,
        summary="</p><script>alert(5)</script>\"'",
        authors=(Author(name="<i>A</i>", url='https://example.org/"a"'), Author(name="B'\"")),
        categories=(Term(name="</a><script>", url="https://example.org/s?a=1&b='2'"),),
        keywords=(Term(name='"><script>alert(6)</script>'),),
        image=image,
        access_control=True,
    )


def test_hostile_values_come_out_as_text_and_attribute_values(hostile: Article) -> None:
    options = Options(site_title="</title><script>alert(7)</script>'\"")
    data = render("html", [hostile], options)
    page = html5lib.parse(data, treebuilder="lxml", namespaceHTMLElements=True)
    # the only script is the JSON-LD, which carries the values as JSON strings
    assert page.xpath("//h:script/@type", namespaces=NS) == ["application/ld+json"]
    assert b"<script>alert" not in data
    assert page.xpath("//h:title/text()", namespaces=NS) == [
        f"{hostile.title} | {options.site_title}"
    ]
    assert page.xpath("//h:h1/text()", namespaces=NS) == [hostile.title]
    assert page.xpath("//h:meta[@property='og:title']/@content", namespaces=NS) == [hostile.title]
    assert page.xpath("//h:meta[@name='description']/@content", namespaces=NS) == [hostile.summary]
    assert page.xpath("//h:meta[@property='article:tag']/@content", namespaces=NS) == [
        hostile.keywords[0].name
    ]
    # URL attributes: %-escaped spaces as lxml wrote them, the quotes still inside the value
    assert page.xpath("//h:link[@rel='canonical']/@href", namespaces=NS) == [
        "https://example.org/x\"onmouseover='alert(2)'%20y"
    ]
    assert page.xpath("//h:a[@rel='author']/@href", namespaces=NS) == ['https://example.org/"a"']
    assert page.xpath("//h:span[@class='author']/text()", namespaces=NS) == ["B'\""]
    assert page.xpath("//h:p[@class='section']/h:a/text()", namespaces=NS) == ["</a><script>"]
    assert page.xpath("//h:figure[@class='lead-image']//h:small/text()", namespaces=NS) == [
        "\"'<b>credit</b>"
    ]
    assert page.xpath("//h:footer/h:a/text()", namespaces=NS) == [options.site_title]
    assert page.xpath("//h:p[@class='paywall-note']/h:a/@href", namespaces=NS) == [
        "https://example.org/x\"onmouseover='alert(2)'%20y"
    ]


def test_a_page_of_hostile_values_passes_the_nu_html_checker(
    hostile: Article, tmp_path: Path
) -> None:
    # The URLs as the pipeline lets them through (RFC 3986-valid: cms._url): a URL with a
    # quote is no valid URL whatever the escaping, which Nu would report; "&" and "'" are valid.
    url = "https://example.org/a?b=1&c='2'"
    assert hostile.image
    article = replace(
        hostile,
        url=url,
        authors=(replace(hostile.authors[0], url=url), hostile.authors[1]),
        image=replace(hostile.image, url=url),
    )
    path = tmp_path / "hostile.html"
    path.write_bytes(render("html", [article], Options(site_title="Q'\"<>&")))
    assert nu_check([path]) == []


def per_block(body: etree._Element) -> str:
    """--fragment as it was written before: the text before the blocks, then each block."""
    blocks = [etree.tostring(child, method="html", encoding="unicode") for child in body]
    return (body.text or "") + "".join(blocks)


def test_a_fragment_is_the_blocks_serialised_one_by_one(by_id: dict[str, Article]) -> None:
    from converter.adapters.html import _fragment, render_body

    assert len(by_id) >= 15
    for article in by_id.values():
        body = render_body(article)
        assert _fragment(body) == per_block(body), article.id
    odd = etree.Element("div")  # text before the first block, which the pipeline never leaves
    odd.set("class", "article-body")
    odd.text = "a & b"
    etree.SubElement(odd, "p").text = "c"
    assert _fragment(odd) == per_block(odd) == "a & b<p>c</p>"
