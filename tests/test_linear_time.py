"""The linear-time pieces behind issue 11 item 7, each against the slow code it replaces.

tests/test_worst_case.py times whole bodies; these check that each faster piece gives what
the straightforward (quadratic) code gave, on hand-written cases and generated ones.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

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
