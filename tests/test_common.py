"""converter/adapters/common.py: the one byline rule and the one date rule that the page, the
book and ninjs share."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from lxml import etree

from converter.adapters.common import byline, date_text, dateline, name_separators
from converter.model import Article


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        ([], ""),
        (["Ann"], "Ann"),
        (["Ann", "Bo"], "Ann and Bo"),
        (["Ann", "Bo", "Cy"], "Ann, Bo and Cy"),
        (["Ann", "Bo", "Cy", "Di"], "Ann, Bo, Cy and Di"),
    ],
)
def test_byline_joins_names_as_a_byline_says_them(names: list[str], expected: str) -> None:
    assert byline(names) == expected
    assert len(name_separators(len(names))) == len(names)


def test_date_text_is_the_local_wall_clock_of_the_value() -> None:
    sast = timezone(timedelta(hours=2))
    assert date_text(datetime(2025, 1, 7, 5, 9, tzinfo=sast)) == "7 January 2025, 05:09"


def _line(published: datetime | None, updated: datetime | None) -> str:
    parent = etree.Element("header")
    dateline(
        parent, Article(id="1", title="T", url="", body="", published=published, updated=updated)
    )
    return etree.tostring(parent, encoding="unicode")


def test_dateline_says_updated_only_when_later() -> None:
    first = datetime(2025, 1, 27, 5, 21, tzinfo=UTC)
    assert _line(None, first) == "<header/>"
    same = _line(first, first)
    assert same == (
        '<header><p class="dateline"><time datetime="2025-01-27T05:21:00+00:00">'
        "27 January 2025, 05:21</time></p></header>"
    )
    later = _line(first, first + timedelta(days=1))
    assert later.count("<time") == 2
    assert ' · Updated <time datetime="2025-01-28T05:21:00+00:00">28 January 2025' in later
