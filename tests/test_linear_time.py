"""The linear-time pieces behind issue 11 item 7, each against the slow code it replaces.

tests/test_worst_case.py times whole bodies; these check that each faster piece gives what
the straightforward (quadratic) code gave, on hand-written cases and generated ones.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from converter.content import crowded, normalise
from converter.content import shortcodes as S

# ---------------------------------------------------------------------------------------------
# Shortcodes: one pass of the shortcode regex, without its quadratic searches


def _groups(m: re.Match[str]) -> str:
    return "{" + "|".join(repr(g) for g in m.groups()) + "}"


PIECES = [
    "[", "]", "/", "[[", "]]", "caption", "embed", "gallery", " ", "x", 'a="1"', "<", ">",
    "[/caption]", "[/embed]", "[caption]", "[embed]", "[caption ", "[/", "-", "\u00a0",
]  # fmt: skip
SHORTCODE_TEXT = st.lists(st.sampled_from(PIECES), max_size=24).map("".join)


@settings(max_examples=3000, deadline=None)
@given(SHORTCODE_TEXT)
def test_substitute_finds_what_the_shortcode_regex_finds(text: str) -> None:
    assert S._substitute(text, _groups) == S._SHORTCODE.sub(_groups, text)


def test_substitute_on_the_quadratic_shapes() -> None:
    for text in [
        "[caption]" * 50 + "[/caption]",
        "[caption " * 50 + "]",
        "[embed]" * 20 + "x[/embed]" + "[caption]" * 20,
        "[caption [/caption]" + "[caption]" * 30,
        "[[caption]]" * 10 + "[caption]a[/caption]",
    ]:
        assert S._substitute(text, _groups) == S._SHORTCODE.sub(_groups, text)


def _next_to_markup(text: str, start: int, end: int) -> bool:
    """The check _Angles replaced (two searches of the whole text before and after)."""
    if text.rfind("<", 0, start) > text.rfind(">", 0, start):
        return True
    close = text.find(">", end)
    return close >= 0 and not 0 <= text.find("<", end, close) < close


@settings(max_examples=2000, deadline=None)
@given(st.text("<>ab", max_size=16), st.lists(st.integers(0, 16), min_size=2, max_size=8))
def test_angles_answer_as_the_whole_text_searches(text: str, positions: list[int]) -> None:
    """Positions that only grow, as the matches of one pass give them."""
    points = sorted(min(p, len(text)) for p in positions)
    angles = S._Angles(text)
    for start, end in zip(points[::2], points[1::2], strict=False):
        assert angles.next_to_markup(start, end) == _next_to_markup(text, start, end)


# ---------------------------------------------------------------------------------------------
# Crowded tags: at most MAX_ATTRIBUTES attributes reach a parser


def _padded(tag: str) -> str:
    """``tag`` in a body long enough to be scanned."""
    return "x" * crowded.SCAN_FROM + tag + "y"


def test_a_crowded_tag_keeps_its_first_distinct_attributes() -> None:
    names = [f"a{i}" for i in range(crowded.MAX_ATTRIBUTES + 50)]
    tag = '<img src="https://e.org/i.jpg" A1=dup ' + " ".join(f"{n}=1" for n in names) + ' alt="z">'
    thinned = crowded.thin(_padded(tag))
    out = thinned[crowded.SCAN_FROM : -1]
    assert out.startswith('<img src="https://e.org/i.jpg" A1=dup a0=1 a2=1 a3=1')  # a1: a repeat
    assert out.endswith(">")
    attributes = etree.fromstring(out + "</img>", etree.HTMLParser()).find(".//img").attrib  # type: ignore[union-attr]
    assert len(attributes) == crowded.MAX_ATTRIBUTES
    assert attributes["src"] == "https://e.org/i.jpg" and attributes["a1"] == "dup"
    assert "alt" not in attributes  # past the limit


def test_a_crowded_tag_is_found_as_the_tokenizer_finds_it() -> None:
    """Quoted values may hold ">" and "<"; a self-closing slash and an unclosed tag stay."""
    many = " ".join(f"b{i}=\">\" c{i}='<x>'" for i in range(crowded.MAX_ATTRIBUTES))
    thinned = crowded.thin(_padded(f"<p {many} />text"))
    assert thinned.endswith(" />texty")
    assert thinned.count('=">"') + thinned.count("='<x>'") == crowded.MAX_ATTRIBUTES
    unclosed = crowded.thin("x" * crowded.SCAN_FROM + "<p " + "a b " * crowded.MAX_ATTRIBUTES)
    assert unclosed.endswith("<p a b ")  # each name kept once; the end of input stays


def test_tags_below_the_limit_and_short_bodies_are_left_alone() -> None:
    fine = _padded("<p " + " ".join(f"a{i}" for i in range(crowded.MAX_ATTRIBUTES)) + ">")
    assert crowded.thin(fine) is fine
    short = "<p " + " ".join(f"a{i}" for i in range(1000)) + ">x</p>"
    assert len(short) < crowded.SCAN_FROM and crowded.thin(short) is short


def test_a_body_with_80000_attributes_on_one_element_converts() -> None:
    body = "<p " + " ".join(f"data-a{i}=1" for i in range(80_000)) + ' title="t">kept</p>'
    assert normalise(body).html == "<p>kept</p>"
