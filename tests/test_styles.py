"""Emphasis written as CSS is kept as the tag it means (converter/content/styles.py)."""

from __future__ import annotations

import pytest

from converter.content import normalise
from converter.content.styles import meant

# (style attribute, the emphasis it gives (True) or takes away (False))
MEANT = [
    ("font-weight:700", {"strong": True}),
    ("font-weight: bold !important", {"strong": True}),
    ("FONT-WEIGHT:BOLDER", {"strong": True}),
    ("font-weight:600", {"strong": True}),
    ("font-weight:500", {"strong": False}),
    ("font-weight:normal", {"strong": False}),
    ("font-weight:inherit", {}),
    ("font-weight:²", {}),  # isdigit() but not a number int() reads
    ("font-style:italic", {"em": True}),
    ("font-style: oblique 10deg", {"em": True}),
    ("font-style:normal", {"em": False}),
    ("text-decoration: underline", {"u": True}),
    ("text-decoration: line-through", {"s": True}),
    ("text-decoration-line: underline line-through", {"u": True, "s": True}),
    ("text-decoration: none", {"u": False, "s": False}),
    ("vertical-align: super", {"sup": True}),
    ("vertical-align: sub", {"sub": True}),
    ("vertical-align: top", {}),
    ("font-size:11pt;font-family:Arial;color:#000000;background-color:transparent", {}),
    ("mso-bidi-font-weight:normal", {}),  # Word's, for right-to-left text only
    ("font-weight:400;font-style:italic", {"strong": False, "em": True}),
]


@pytest.mark.parametrize(("style", "expected"), MEANT)
def test_what_a_style_means(style: str, expected: dict[str, bool]) -> None:
    assert meant(style) == expected


# (body, clean body): realworld 3000148 (Google Docs), 3200038 (a strikethrough joke: "my
# research random stab in the dark" read as one phrase without it), 3200001 (a bold div)
BODIES = [
    ('<p>my <span style="text-decoration: line-through;">research</span> random stab</p>',
     "<p>my <s>research</s> random stab</p>"),
    ('<b style="font-weight:normal;" id="docs-internal-guid-1"><span style="font-weight:400">Plain</span> '
     '<span style="font-weight:700">Bold</span> <span style="font-weight:700;font-style:italic">Both</span></b>',
     "<p>Plain <strong>Bold</strong> <strong><em>Both</em></strong></p>"),
    ('<p><span style="FONT-WEIGHT: BOLD">Loud</span> words</p>', "<p><strong>Loud</strong> words</p>"),
    ('<p>E=mc<span style="vertical-align: super;">2</span>, H<span style="vertical-align:sub">2</span>O</p>',
     "<p>E=mc<sup>2</sup>, H<sub>2</sub>O</p>"),
    ('<div style="text-align:center;font-weight:bold;">Software Architect</div>',
     "<p><strong>Software Architect</strong></p>"),
    ('<p><a href="https://e.org/" style="font-weight:bold">link</a></p>',
     '<p><a href="https://e.org/"><strong>link</strong></a></p>'),
    # what the tag already shows adds nothing; no emphasis in an emphasis of its kind
    ('<h3 style="font-weight:bold">Heading</h3>', "<h3>Heading</h3>"),
    ('<p><strong><span style="font-weight:bold">x</span></strong></p>', "<p><strong>x</strong></p>"),
    ('<p><a href="https://e.org/" style="text-decoration:underline">link</a></p>',
     '<p><a href="https://e.org/">link</a></p>'),
    # a tag its style takes back is not that emphasis
    ('<p><strong style="font-weight:normal">x</strong> <i style="font-style:normal">y</i></p>',
     "<p>x y</p>"),
    # a span that takes back the emphasis around it splits it (Word, ckeditor4's fixtures)
    ('<p><strong><span>Bold start </span></strong><strong><span style="font-weight:normal">then '
     "normal text</span></strong></p>",
     "<p><strong>Bold start </strong>then normal text</p>"),
    ('<p><b>a <span style="font-weight:normal">b</span> c</b></p>',
     "<p><strong>a </strong>b<strong> c</strong></p>"),
    ('<p><i>a<span style="font-style:normal">b</span></i> c</p>', "<p><em>a</em>b c</p>"),
    # code is left alone: a highlighter's bold tokens are not the author's emphasis
    ('<pre><span style="font-weight: bold">def</span> f</pre>', "<pre>def f</pre>"),
    ('<p><code><span style="font-style:italic">x</span></code></p>', "<p><code>x</code></p>"),
    # no inline element around blocks
    ('<div style="font-weight:bold"><p>a</p><p>b</p></div>', "<p>a</p>\n<p>b</p>"),
]  # fmt: skip


@pytest.mark.parametrize(("body", "expected"), BODIES)
def test_emphasis_written_as_css_is_kept(body: str, expected: str) -> None:
    html = normalise(body).html
    assert html == expected
    assert normalise(html).html == html
