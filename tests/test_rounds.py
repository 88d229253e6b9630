"""Normalisation reaches its fixed point in at most 2 rounds (issue 11, item 7).

``content.normalise`` runs the pipeline and the nh3 sanitiser in rounds until the sanitiser
gives our serialisation back unchanged. A round more than needed costs a whole pipeline run;
a body whose serialisation libxml2 and html5ever (nh3) always write differently took all 16.
Counted through the real path (``cms.parse_article``, with the contexts it builds) on every
record of the shared real-world corpus (read from ../shared/realworld, never copied here) and
of samples/, and on the shapes that took more rounds before.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

import converter.cms
from converter import Options
from converter.cms import parse_article
from converter.content import Body, Context, _normalise, normalise
from converter.errors import InputError
from converter.inputs import Record, read_records

from .conftest import ROOT, SAMPLES

REALWORLD = Path(os.environ.get("CONVERTER_REALWORLD", ROOT.parent / "shared" / "realworld"))
MAX_ROUNDS = 2


@pytest.fixture
def rounds(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The rounds of every body that cms.parse_article normalises while it is in use."""
    counted: list[int] = []

    def counting(contents: str, ctx: Context | None = None) -> Body:
        body, n = _normalise(contents, ctx)
        counted.append(n)
        return body

    monkeypatch.setattr(converter.cms, "normalise", counting)
    yield counted


def _realworld() -> list[tuple[str, object]]:
    files = sorted((REALWORLD / "corpus").glob("*.jsonl"))
    assert files, f"the real-world corpus is missing: {REALWORLD} (set CONVERTER_REALWORLD)"
    return [
        (f"{f.name}:{n}", json.loads(line))
        for f in files
        for n, line in enumerate(f.read_text("utf-8").splitlines(), 1)
        if line.strip()
    ]


def _samples() -> list[tuple[str, object]]:
    return [
        (f"{Path(r.source).name} {r.position}", r.value)
        for r in read_records([str(SAMPLES)])
        if isinstance(r, Record)
    ]


def _count(records: list[tuple[str, object]], counted: list[int]) -> dict[str, int]:
    """Rounds per record (records the CMS parser refuses are left out)."""
    out: dict[str, int] = {}
    for where, record in records:
        counted.clear()
        try:
            parse_article(record, where, "", Options())
        except InputError:
            continue
        assert len(counted) == 1, where  # one body normalised per article
        out[where] = counted[0]
    return out


def test_realworld_bodies_settle_in_at_most_two_rounds(rounds: list[int]) -> None:
    per_record = _count(_realworld(), rounds)
    assert len(per_record) > 300  # the whole corpus was read (326 records today)
    slow = {where: n for where, n in per_record.items() if n > MAX_ROUNDS}
    assert slow == {}


def test_sample_bodies_settle_in_at_most_two_rounds(rounds: list[int]) -> None:
    per_record = _count(_samples(), rounds)
    assert len(per_record) >= 15
    assert max(per_record.values()) >= 1  # bodies were normalised, not skipped as empty
    slow = {where: n for where, n in per_record.items() if n > MAX_ROUNDS}
    assert slow == {}


# Where libxml2 (our parse and serialisation) and html5ever (nh3) disagreed, the shape took
# 2 rounds or all 16; each now settles in one, with the body the extra rounds gave.
ONE_ROUND = [
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
]  # fmt: skip


@pytest.mark.parametrize(
    ("contents", "expected"), [c[1:] for c in ONE_ROUND], ids=[c[0] for c in ONE_ROUND]
)
def test_shapes_libxml2_and_html5ever_wrote_differently_settle_in_one_round(
    contents: str, expected: str
) -> None:
    body, n = _normalise(contents, Context(base="https://e.org/a/"))
    assert body.html == expected
    assert n == 1
    assert normalise(body.html, Context(base="https://e.org/a/")).html == expected  # idempotent


def test_an_empty_body_takes_no_round_and_plain_text_one() -> None:
    assert _normalise("")[1] == 0
    assert _normalise("   \n")[1] == 0
    assert _normalise("x")[1] == 1
