"""Characters XML cannot carry, looked for in the parse's UTF-8 document (issue 13).

``normalise`` no longer runs ``xml_safe`` over every body before anything else: the parse
encodes the document as UTF-8 for libxml2 anyway, and finds them there (``_utf8_document``).
When it finds one, or lxml refused one while ``expand`` built an element, the whole body is
normalised again from ``xml_safe(contents)``. So the body must be exactly the one of removing
them first, wherever they stand: that is what these tables hold. (A warning that quotes a
shortcode attribute expand dropped quotes it as the source wrote it.)
"""

from __future__ import annotations

import pytest
from lxml import etree

from converter.content import Context, _has_reference, _utf8_document, normalise, parse, xml_safe

BASE = "https://www.dailymaverick.co.za/article/2025-01-27-x/"

CAPTION = '[caption id="attachment_1" align="alignnone" width="300"]'
IMG = '<img src="https://x.org/a.jpg" alt="a">'

# Bodies with a character XML 1.0 cannot carry (§2.2) in each place the steps before the
# parse read: text, attributes, shortcode names and attributes, caption text, a Gutenberg embed
# comment's JSON (which json refuses a control character in), a [gallery] that warns.
ILLEGAL_BODIES = [
    "<p>a\x01b’ c</p>",
    "<p>a\x00b</p>\n\n<p>second\x1f</p>",
    "<p title='x\x02y'>q’</p>",
    "<p>lone \ud800 surrogate ’</p>",
    "<p>non-character \ufffe and \uffff ’</p>",
    "[cap\x01tion]" + IMG + " words[/caption]",
    CAPTION + IMG + " cap\x02tion ’[/caption]",
    '[caption id="attachment_1" align="align\x03none" width="3\x0400"]' + IMG + " c[/caption]",
    '<!-- wp:embed {"url":"https://youtu.be/abc\x01"} /-->',
    '<!-- wp:embed {"url":"https://youtu.be/abc\ud800"} /-->',
    '<!-- wp:em\x05bed {"url":"https://youtu.be/abc"} /-->',
    '[gallery ids="1,\x062"]\n\nafter ’',
    "[embed]https://youtu.be/ab\x07c[/embed]",
    "line one\x0b\nline two\r\n\r\nthird\x0c",
    "&#1;&#x1F;<p>refs \x08 ’</p>",
    "[caption]0\x000 [/caption]",  # NUL: expand's own hidden bracket (property test finding)
    "<p>a</p>[caption]\x00[/caption]",
]


@pytest.mark.parametrize("body", ILLEGAL_BODIES)
def test_illegal_characters_give_what_removing_them_first_gives(body: str) -> None:
    got = normalise(body, Context(base=BASE))
    first = normalise(xml_safe(body), Context(base=BASE))
    assert got.html == first.html
    # The same warnings; one that quotes what expand dropped quotes it as written (repr):
    # [gallery ids='1,\x062'], where removing first gave '1,2'.
    assert [xml_safe(w.replace("\\x06", "")) for w in got.warnings] == list(first.warnings)
    assert _utf8_document(got.html) is not None  # none left in the output


def test_warnings_of_the_first_attempt_are_not_kept_twice() -> None:
    body = '[gallery ids="1,2"]\n\n<p>x\x01</p>'
    ctx = Context(base=BASE, warnings=["before"])
    normalise(body, ctx)
    assert ctx.warnings.count("before") == 1
    assert len([w for w in ctx.warnings if "[gallery" in w]) == 1


# (document, found: None when it holds a character XML cannot carry)
UTF8_DOCUMENT = [
    ("<p>plain</p>", True),
    ("<p>tab\tnewline\ncarriage\r</p>", True),  # the three C0 controls XML allows
    ("<p>café ’ \u2028 \x85 \xa0 \U0001f600</p>", True),  # non-ASCII, NEL, LS, astral
    ("<p>\x00</p>", False),
    ("<p>\x1f</p>", False),
    ("<p>\ud83d</p>", False),  # half of a pair, alone
    ("<p>\ufffe</p>", False),
    ("<p>\uffff</p>", False),
    ("<p>\u01ff \u1fff \u20ff</p>", True),  # bytes in UTF-8 that a control's are not
]


@pytest.mark.parametrize(("html", "found"), UTF8_DOCUMENT)
def test_utf8_document(html: str, found: bool) -> None:
    data = _utf8_document(html)
    assert (data is not None) is found
    if data is not None:
        assert data.decode("utf-8") == "<html><body>" + html + "</body></html>"


# libxml2 reads the UTF-8 bytes with the encoding it was told: a declaration in the content
# does not switch it (as it does not when given the str).
DECLARATIONS = [
    '<meta charset="iso-8859-1"><p>café ’ x</p>',
    '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252"><p>café ’</p>',
    '<?xml version="1.0" encoding="latin-1"?><p>café ’</p>',
    "\ufeff<p>byte order mark ’</p>",
]


@pytest.mark.parametrize("html", DECLARATIONS)
def test_a_declared_encoding_in_the_content_does_not_switch_the_parser(html: str) -> None:
    body = parse(html)
    text = "".join(body.itertext())
    assert "café ’" in text or "byte order mark ’" in text
    assert "Ã" not in text and "â€" not in text  # no UTF-8 read as Latin-1 or cp1252


def test_parse_removes_what_xml_cannot_carry() -> None:
    body = parse("<p>a\x01b\ud800c\ufffe’</p>")
    assert etree.tostring(body[0], encoding="unicode") == "<p>abc’</p>"


# References to characters XML cannot carry are looked for only where "&#" stands
# (_has_reference, found by the "#": a one-character search).
REFERENCES = [
    ("&#1;", True),
    ("#top &#x1F;", True),  # a "#" first, at the start
    ("a#b #c", False),
    ("&amp;#1", False),
    ("&#", True),
    ("#", False),
    ("", False),
]


@pytest.mark.parametrize(("text", "expected"), REFERENCES)
def test_has_reference(text: str, expected: bool) -> None:
    assert _has_reference(text) is expected
    assert ("&#" in text) is expected


@pytest.mark.parametrize("body", ["<p>#top &#1;x</p>", "<p>#a</p><p>&#x1F;b &#0;c</p>"])
def test_references_after_a_hash_are_removed(body: str) -> None:
    assert (
        normalise(body, Context(base=BASE)).html
        == normalise(
            body.replace("&#1;", "").replace("&#x1F;", "").replace("&#0;", "\ufffd"),
            Context(base=BASE),
        ).html
    )
