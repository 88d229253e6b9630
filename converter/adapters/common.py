"""What several adapters say the same way, said once: a byline's names joined ("A, B and C")
and an article's dates as readers see them (``<time>`` elements with the machine form in
``datetime``). The page, the book and the ninjs ``by`` field must agree, so one rule each."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lxml import etree

from ..model import Article

__all__ = ["Descending", "byline", "date_text", "dateline", "name_separators", "time_element"]


def name_separators(count: int) -> list[str]:
    """What goes before each of ``count`` names in a byline: nothing, ", " ..., " and " last."""
    return ["" if n == 0 else " and " if n == count - 1 else ", " for n in range(count)]


def byline(names: Sequence[str]) -> str:
    """``names`` joined as a byline says them: "A", "A and B", "A, B and C"."""
    return "".join(sep + name for sep, name in zip(name_separators(len(names)), names, strict=True))


def date_text(value: datetime) -> str:
    """A date and time as a reader sees it on a page or in a book: "27 January 2025, 05:21"."""
    return f"{value.day} {value:%B %Y, %H:%M}"


def time_element(parent: etree._Element, value: datetime) -> etree._Element:
    """``<time datetime="ISO 8601">date_text</time>`` appended to ``parent``."""
    # SubElement and set(): the cheap lxml path (adapters/html.py's _sub says why)
    el = etree.SubElement(parent, "time")
    el.set("datetime", value.isoformat())
    el.text = date_text(value)
    return el


def dateline(parent: etree._Element, article: Article) -> None:
    """``<p class="dateline">`` with the publication time and, when the article was updated
    after it, " · Updated " and that time; nothing for an undated article."""
    if not article.published:
        return
    line = etree.SubElement(parent, "p")
    line.set("class", "dateline")
    time_element(line, article.published)
    if article.updated and article.updated > article.published:
        line[-1].tail = " · Updated "
        time_element(line, article.updated)


@dataclass(frozen=True, slots=True)
class Descending:
    """A sort key part in reverse order within an ascending sort: what is larger comes first.

    An order is then one key function (the registry's ``Adapter.order``) that a render and the
    engine's bounded collectors can both hand to ``sorted``; ``reverse=True`` would be a second
    fact each caller has to remember, and a string id cannot be negated."""

    value: Any

    def __lt__(self, other: Descending) -> bool:
        return bool(other.value < self.value)
