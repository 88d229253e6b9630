"""The linear-time pieces behind issue 11 item 7, each against the slow code it replaces.

tests/test_worst_case.py times whole bodies; these check that each faster piece gives what
the straightforward (quadratic) code gave, on hand-written cases and generated ones.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from converter import content
from converter.content import crowded, normalise, tree
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


# ---------------------------------------------------------------------------------------------
# Tree edits: by neighbour (not by index) and in batches (not one by one)


def _unwrap_by_index(el: etree._Element) -> None:
    """tree.unwrap as it was (parent.index + insert at an index)."""
    parent = el.getparent()
    assert parent is not None
    tree.add_before(el, el.text or "")
    index = parent.index(el)
    children = list(el)
    tail = el.tail or ""
    for offset, child in enumerate(children):
        parent.insert(index + offset, child)
    if children:
        children[-1].tail = (children[-1].tail or "") + tail
    else:
        tree.add_before(el, tail)
    parent.remove(el)


MARKUP = st.lists(
    st.sampled_from(["<em>", "</em>", "<b>", "</b>", "<a>", "</a>", "<br>", "x", " y ", "<i></i>"]),
    max_size=30,
).map(lambda parts: "<p>" + "".join(parts) + "</p>")


def _html(root: etree._Element) -> str:
    return etree.tostring(root, encoding="unicode", method="html")


@settings(max_examples=500, deadline=None)
@given(MARKUP, st.sampled_from(["em", "b", "a", "i"]))
def test_unwrap_and_marks_give_what_unwrapping_one_by_one_gave(markup: str, tag: str) -> None:
    one, batch, marked = (etree.fromstring(markup, etree.HTMLParser()) for _ in range(3))
    for el in reversed(list(one.iter(tag))):
        _unwrap_by_index(el)
    for el in reversed(list(batch.iter(tag))):
        tree.unwrap(el)
    marks = tree.Marks()
    for el in reversed(list(marked.iter(tag))):
        marks.unwrap(el)
    marks.take_out_all(marked)
    assert _html(batch) == _html(one)
    assert _html(marked) == _html(one)


@settings(max_examples=500, deadline=None)
@given(MARKUP, st.sampled_from(["em", "b", "a", "i", "br"]))
def test_removing_with_marks_keeps_the_tails_as_remove_did(markup: str, tag: str) -> None:
    one, marked = (etree.fromstring(markup, etree.HTMLParser()) for _ in range(2))
    for el in reversed(list(one.iter(tag))):
        tree.remove(el)
    marks = tree.Marks()
    for el in reversed(list(marked.iter(tag))):
        marks.remove(el)
    for el in reversed(list(marked.iter())):  # as empties: each parent once its children went
        if el in marks:
            marks.take_out(el)
    assert _html(marked) == _html(one)


def _replace_by_index(old: etree._Element, items: list[etree._Element]) -> None:
    """tree.replace_by as it was."""
    parent = old.getparent()
    assert parent is not None
    index = parent.index(old)
    tail = old.tail
    parent.remove(old)
    for offset, item in enumerate(items):
        parent.insert(index + offset, item)
    items[-1].tail = tail


def test_replace_by_gives_what_it_gave_by_index() -> None:
    """Items in order, the old element among them or not (image_figures puts it last)."""
    markup = "<div>t<p>a</p>u<h2>b</h2>v<p>c</p>w</div>"
    for position, with_old in [(0, False), (1, True), (1, False), (2, True), (0, True)]:
        results = []
        for replace_by in (tree.replace_by, _replace_by_index):
            root = etree.fromstring(markup, etree.HTMLParser()).find(".//div")
            assert root is not None
            old = root[position]
            items = [etree.Element("hr"), etree.Element("figure")]
            if with_old:
                items.insert(1, old)
            replace_by(old, items)
            results.append(_html(root))
        assert results[0] == results[1]


def test_join_texts_makes_one_text_node_of_many() -> None:
    root = etree.fromstring(
        "<p>a" + "<span>s</span>b" * 40 + "<em>e</em>" + "<span>t</span>c" * 40 + "</p>",
        etree.HTMLParser(),
    )
    p = root.find(".//p")
    assert p is not None
    etree.strip_tags(p, "span")
    before = _html(p)
    assert len(p.xpath("text()")) > 80  # strip_tags left the pieces
    tree.join_texts([p] * 80)
    assert _html(p) == before
    assert len(p.xpath("text()")) == 2  # p's text and the tail of <em>
    assert p.text == "a" + "sb" * 40 and p[0].tail == "tc" * 40


def test_few_stripped_children_are_not_worth_joining() -> None:
    root = etree.fromstring("<p>a<span>s</span>b</p>", etree.HTMLParser())
    p = root.find(".//p")
    assert p is not None
    etree.strip_tags(p, "span")
    tree.join_texts([p])
    assert len(p.xpath("text()")) == 3


# Bodies where each element that went moved a growing text: the output they had before
# (trailing spaces and all; only the time changed).
GROWING = [
    ("<p>" + "<em></em>word " * 3 + "</p>", "<p>word word word</p>"),
    ("<p>" + "<em> </em>word " * 3 + "</p>", "<p>word  word  word</p>"),
    ("<p>" + "<a>x</a>y " * 3 + "</p>", "<p>xy xy xy </p>"),
    ("<p>" + '<a href="javascript:x">x</a>y ' * 3 + "</p>", "<p>xy xy xy </p>"),
    ("<p>" + "<span>x</span>y " * 20 + "</p>", "<p>" + "xy " * 20 + "</p>"),
    ("<p>" + "<input>y " * 20 + "</p>", "<p>" + "y " * 20 + "</p>"),
    ("<p>" + '<img alt="z">y ' * 3 + "</p>", "<p>zy zy zy </p>"),
    ('<p><a href="https://e.org/x"><script>1</script><img></a> and</p>', '<p><a href="https://e.org/x">https://e.org/x</a> and</p>'),
    ('<p><a href="https://e.org/x"><img><script>1</script></a> and</p>', "<p>and</p>"),
    ("<p>" + "<br>" * 5 + "x" + "<br>" * 5 + "</p>", "<p>x</p>"),
    ("<p>a<em></em> <em></em> </p>", "<p>a</p>"),
]  # fmt: skip


def test_bodies_of_many_empty_or_unwrapped_elements_read_as_before() -> None:
    for body, expected in GROWING:
        assert normalise(body).html == expected, body


# ---------------------------------------------------------------------------------------------
# The nh3 final pass (--sanitiser nh3): texts holding many "&" or no-break spaces set aside
# (nh3 is quadratic there)

SANITISED_PIECES = [
    "<p>", "</p>", "<table>", "<tr>", "<td>", "</td>", "</table>", "<pre>", "</pre>", "<ul>",
    "<li>", "</ul>", "&amp;", "&nbsp;", "\u00a0", "&lt;", "x", " ", "\n", "<b>", "</b>", "</a>",
    '<a href="https://e.org/?a=1&amp;b=2" title="&quot;">', "<br>", "é", "&gt;",
]  # fmt: skip
SANITISED = st.lists(st.sampled_from(SANITISED_PIECES), max_size=40).map("".join)


class _Spy:
    """content.cleaner(), recording what nh3 was given."""

    def __init__(self, cleaner: object) -> None:
        self.cleaner, self.given = cleaner, []

    def clean(self, html: str) -> str:
        self.given.append(html)
        return self.cleaner.clean(html)  # type: ignore[attr-defined,no-any-return]


@settings(max_examples=1500, deadline=None)
@given(SANITISED)
def test_texts_set_aside_come_back_as_nh3_writes_them(markup: str) -> None:
    ours = content.serialise(content.parse(markup))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(content, "_SET_ASIDE_FROM", 0)  # every body,
        patch.setattr(content, "_ESCAPES_IN_TEXT", 1)  # every text with an "&" set aside
        assert content._sanitise(ours) == content.cleaner().clean(ours)


def test_long_runs_of_no_break_spaces_and_ampersands_are_sanitised_alike() -> None:
    for markup in [
        "<p>a" + "&nbsp;" * 30_000 + "b</p><p>" + "R&amp;D " * 1500 + "</p>",
        "<table><tr><td>" + "&amp;" * 20_000 + "</td></tr></table>",
        "<pre>" + "x &amp; y\n" * 11_000 + "</pre>",
    ]:
        ours = content.serialise(content.parse(markup))
        assert len(ours) >= content._SET_ASIDE_FROM
        spy = _Spy(content.cleaner())
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(content, "cleaner", lambda spy=spy: spy)
            assert content._sanitise(ours) == spy.cleaner.clean(ours)  # type: ignore[attr-defined]
        assert len(spy.given) == 1 and len(spy.given[0]) < 20_000  # the long texts went round
