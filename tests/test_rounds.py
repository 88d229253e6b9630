"""Normalisation reaches its fixed point in ONE pass, by design (issue 13, item 1).

``content.normalise`` used to run the pipeline and the nh3 sanitiser in rounds until nh3 gave
our serialisation back unchanged (issue 11 counted them: at most 2 on real bodies). nh3 is now
off the path: the pipeline runs once, the allow-list gate (``content/sanitiser.py``) enforces
the vocabulary, and the result is written as an HTML5 parser reads it. Here: the pipeline runs
exactly once per body and nh3 never; the shapes that took more rounds come out right in the
one pass, normalising them again changes nothing (the second pass is only this test), and the
oracle (tests/oracle.py: nh3 fixed point, html5lib re-parse) agrees. The corpora are judged
the same way in tests/test_oracle.py.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from lxml import etree

import converter.content
from converter import Options
from converter.cms import parse_article
from converter.content import Context, normalise, sanitiser, transforms
from converter.errors import InputError
from converter.inputs import Record, read_records

from . import oracle
from .conftest import SAMPLES

BASE = "https://e.org/a/"


@pytest.fixture
def passes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of every transform normalise runs while in use; nh3 may not be called."""
    ran: list[str] = []

    def counted(step: transforms.Transform) -> transforms.Transform:
        def run(root: etree._Element, ctx: Context) -> None:
            ran.append(step.__name__)
            step(root, ctx)

        return run

    def no_nh3() -> None:
        raise AssertionError("nh3 on the default path")

    pipeline = tuple(counted(step) for step in transforms.PIPELINE)
    monkeypatch.setattr(converter.content, "PIPELINE", pipeline)
    monkeypatch.setattr(converter.content, "cleaner", no_nh3)
    return ran


def test_every_sample_takes_one_pass_and_no_nh3(passes: list[str]) -> None:
    records = [r for r in read_records([str(SAMPLES)]) if isinstance(r, Record)]
    bodies = 0
    for record in records:
        passes.clear()
        try:
            article = parse_article(record.value, record.source, record.position, Options())
        except InputError:
            continue
        if article.body:
            bodies += 1
            assert passes == [step.__name__ for step in transforms.PIPELINE], record.position
    assert bodies >= 15


# Where libxml2 (our parse and serialisation) and an HTML5 parser (nh3's html5ever) disagreed,
# the shape took 2 rounds or all 16 of the old loop; each is now right in the one pass, with
# the body the extra rounds gave, and the oracle agrees.
ONE_PASS = [
    ("empty list items", "<ul><li></li><li></li><li>x</li></ul>", "<ul><li></li><li></li><li>x</li></ul>"),
    ("items of a space, a break, a no-break space", "<ul><li> </li><li><br></li><li>&nbsp;</li></ul>", "<ul><li> </li><li></li><li>&nbsp;</li></ul>"),
    ("100,000 empty items", "<ul>" + "<li></li>" * 100_000 + "</ul>", "<ul>" + "<li></li>" * 100_000 + "</ul>"),
    ('an alt text holding "', '<p><img src="https://e.org/a.jpg" alt=\'"Because Magic" by E\'></p>', '<figure><img src="https://e.org/a.jpg" alt="&quot;Because Magic&quot; by E"></figure>'),
    ("a title holding \" and '", '<a href="https://e.org/" title="a &quot;b&quot; c\'s">x</a>', '<p><a href="https://e.org/" title="a &quot;b&quot; c\'s">x</a></p>'),
    ("a title holding =' inside \"", '<a href="https://e.org/" title="x=\'1\'">y</a> z=\'2\'', '<p><a href="https://e.org/" title="x=\'1\'">y</a> z=\'2\'</p>'),
    ("a <pre> opening with a newline", "<pre>\nline 1\nline 2</pre>", "<pre>line 1\nline 2</pre>"),
    ("a <pre> opening with newlines", "<pre>\n\n\nx</pre>", "<pre>x</pre>"),
    ("rows without a row group", "<table><tr><td>a</td></tr></table>", "<table><tbody><tr><td>a</td></tr></tbody></table>"),
    ("cells without a row", "<table><td>a</td><td>b</td></table>", "<table><tbody><tr><td>a</td><td>b</td></tr></tbody></table>"),
    ("rows around a row group", "<table><tr><td>a</td></tr><tbody><tr><td>b</td></tr></tbody><tr><td>c</td></tr></table>", "<table><tbody><tr><td>a</td></tr></tbody><tbody><tr><td>b</td></tr></tbody><tbody><tr><td>c</td></tr></tbody></table>"),
    ("rows after a caption and a head", "<table><caption>c</caption><thead><tr><th>h</th></tr></thead><tr><td>a</td></tr></table>", "<table><caption>c</caption><thead><tr><th>h</th></tr></thead><tbody><tr><td>a</td></tr></tbody></table>"),
    # Shapes that took a second round while nh3 was on the path (fuzz findings, hypothesis)
    ("a URL a browser rejects is not linked", "http://]", "<p>http://]</p>"),
    ("a cell outside a table", "<td>S", "<p>S</p>"),
    ("text in a table goes before it", "<table>x<tr><td>a</td>y</tr></table>", "<p>xy</p>\n<table><tbody><tr><td>a</td></tr></tbody></table>"),
    ("an embed in a stray caption", '<figcaption>G [video src="https://ok.example/v.mp4"]a</figcaption>', '<p>G </p>\n<figure class="embed" data-embed="video" data-src="https://ok.example/v.mp4"><figcaption><a href="https://ok.example/v.mp4">Video: v.mp4</a></figcaption></figure>\n<p>a</p>'),
    ("a caption figure in a paragraph in a pre", "<PRE><P>0 [caption caption='a caption']<P>[caption][/caption]&NewLine;</P>[/caption]", "<pre>0 </pre>\n<figure><p>&#91;caption]</p><figcaption>a caption</figcaption></figure>\n<pre>[/caption]</pre>"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("contents", "expected"), [c[1:] for c in ONE_PASS], ids=[c[0] for c in ONE_PASS]
)
def test_shapes_that_took_more_rounds_are_right_in_one_pass(
    contents: str, expected: str, passes: list[str]
) -> None:
    body = normalise(contents, Context(base=BASE))
    assert body.html == expected
    assert len(passes) == len(transforms.PIPELINE)  # one pass
    assert normalise(body.html, Context(base=BASE)).html == expected  # a second: nothing moves
    assert oracle.verdict(expected) == []


def test_an_empty_body_takes_no_pass_and_plain_text_one(passes: list[str]) -> None:
    assert normalise("").html == normalise("   \n").html == ""
    assert passes == []
    assert normalise("x").html == "<p>x</p>"
    assert len(passes) == len(transforms.PIPELINE)


def test_nh3_runs_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    given: list[str] = []
    real: Callable[[], object] = sanitiser.cleaner

    class Spy:
        def clean(self, html: str) -> str:
            given.append(html)
            return str(real().clean(html))  # type: ignore[attr-defined]

    monkeypatch.setattr(converter.content, "cleaner", Spy)
    assert normalise("<p>a</p>", Context(sanitiser="nh3")).html == "<p>a</p>"
    assert given == ["<p>a</p>"]
