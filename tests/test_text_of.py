"""Plain text of an element as a reader sees it: blocks and line breaks separate words
(converter/content/tree.text_of: image alt text from captions, feed summaries, labels)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from lxml import etree

from converter import Article
from converter.adapters.feeds import plain_summary
from converter.content import normalise
from converter.content.tree import text_of

TEXTS = [
    ("<div>plain <em>text</em></div>", "plain text"),
    ("<div><p>Cap one</p><p>Cap two</p></div>", "Cap one Cap two"),
    ("<div>Line one<br/>Line two</div>", "Line one Line two"),
    ("<div>a<b>b</b>c</div>", "abc"),  # inline: no space added
    ("<div> x <ul><li>one</li><li>two</li></ul>tail </div>", "x one two tail"),
    ("<div><table><tr><td>a</td><td>b</td></tr></table></div>", "a b"),
]


@pytest.mark.parametrize(("markup", "expected"), TEXTS)
def test_text_of_separates_blocks_and_breaks(markup: str, expected: str) -> None:
    assert text_of(etree.fromstring(markup)) == expected


def test_text_of_takes_any_depth() -> None:
    deep = "<div>" + "<div>" * 1500 + "deep" + "</div>" * 1500 + "<p>a</p>b</div>"
    assert text_of(etree.fromstring(deep, etree.XMLParser(huge_tree=True))) == "deep a b"


def test_a_caption_of_paragraphs_is_alt_text_with_spaces() -> None:
    html = normalise(
        '<figure><img src="https://e.org/i.jpg"><figcaption><p>Cap one</p><p>Cap two</p>'
        "</figcaption></figure>"
    ).html
    assert 'alt="Cap one Cap two"' in html


def test_a_summary_from_a_body_keeps_words_apart_at_line_breaks() -> None:
    body = normalise("Roses are red,\nviolets are blue.\n\nSecond paragraph.").html
    assert "<br>" in body
    when = datetime(2025, 1, 1, tzinfo=UTC)
    article = Article(
        id="1", title="T", url="https://e.org/1", body=body, published=when, updated=when
    )
    assert plain_summary(article) == "Roses are red, violets are blue. Second paragraph."
