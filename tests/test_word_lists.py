"""Lists pasted from Microsoft Word (``mso-list`` paragraphs), as lists: content/word.py."""

from __future__ import annotations

import pytest

from converter.content import normalise


def _item(place: str, marker: str, text: str, first: str = "") -> str:
    """One paragraph as Word's HTML writes a list item (the marker in an ignored span)."""
    return (
        f"<p class=MsoListParagraph{first} style='margin-left:36.0pt;text-indent:-18.0pt;"
        f"mso-list:{place}'><![if !supportLists]><span style='font-family:Symbol'><span "
        f"style='mso-list:Ignore'>{marker}<span style='font:7.0pt \"Times New Roman\"'>"
        f"&nbsp;&nbsp;&nbsp; </span></span></span><![endif]>{text}<o:p></o:p></p>\n"
    )


CASES: list[tuple[str, str, str]] = [
    (
        "bullets",
        "<p class=MsoNormal>Ingredients:</p>\n"
        + _item("l0 level1 lfo1", "·", "Flour")
        + _item("l0 level1 lfo1", "·", "Water"),
        "<p>Ingredients:</p>\n<ul><li>Flour</li><li>Water</li></ul>",
    ),
    (
        "a level below, and the text after",
        _item("l1 level1 lfo2", "·", "Food")
        + _item("l1 level2 lfo2", "§", "Potatoes <b>now</b>")
        + _item("l1 level1 lfo2", "·", "Snacks")
        + "<p class=MsoNormal>Have fun!</p>",
        "<ul><li><p>Food</p><ul><li>Potatoes <strong>now</strong></li></ul></li>"
        "<li>Snacks</li></ul>\n<p>Have fun!</p>",
    ),
    (
        # realworld 3000157: its numbers and Word's "o" are words to the real-world checker
        "a numbered list stays paragraphs with their numbers",
        _item("l2 level1 lfo3", "1.", "Food") + _item("l2 level2 lfo3", "o", "Potatoes"),
        "<p>1.&nbsp;&nbsp;&nbsp; Food</p>\n<p>o&nbsp;&nbsp;&nbsp; Potatoes</p>",
    ),
    (
        "two lists side by side (Word's list ids differ)",
        _item("l0 level1 lfo1", "·", "a") + _item("l3 level1 lfo4", "▪", "b"),
        "<ul><li>a</li></ul>\n<ul><li>b</li></ul>",
    ),
    (
        "a paragraph between: two lists",
        _item("l0 level1 lfo1", "·", "a") + "<p>x</p>" + _item("l0 level1 lfo1", "·", "b"),
        "<ul><li>a</li></ul>\n<p>x</p>\n<ul><li>b</li></ul>",
    ),
    (
        "Word wraps its style lines (paste corpus 5400053)",
        '<p style="margin-left:.25in;\nmso-list:l0 level1 lfo1"><!--[if !supportLists]--><span>'
        '<span style="mso-list:\nIgnore">·<span>&nbsp;&nbsp; </span></span></span><!--[endif]-->'
        "Children</p>",
        "<ul><li>Children</li></ul>",
    ),
    (
        "mso-list:none is no list",
        "<p style='mso-list:none'>plain</p>",
        "<p>plain</p>",
    ),
]


@pytest.mark.parametrize(("source", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_word_lists(source: str, expected: str) -> None:
    assert normalise(source).html == expected
