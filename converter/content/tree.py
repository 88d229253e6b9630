"""Small lxml helpers shared by the transforms: unwrap, replace, text appends."""

from __future__ import annotations

from lxml import etree

__all__ = ["append_text", "remove", "replace", "replace_by", "text_of", "unwrap"]


def append_text(parent: etree._Element, text: str) -> None:
    """Append text at the end of ``parent``'s content (its text, or its last child's tail)."""
    if not text:
        return
    if len(parent):
        last = parent[-1]
        last.tail = (last.tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def _add_before(el: etree._Element, text: str) -> None:
    """Add text right before ``el`` (to the previous sibling's tail or the parent's text)."""
    if not text:
        return
    prev = el.getprevious()
    if prev is not None:
        prev.tail = (prev.tail or "") + text
    else:
        parent = el.getparent()
        if parent is not None:
            parent.text = (parent.text or "") + text


def remove(el: etree._Element) -> None:
    """Remove ``el`` and its subtree, keeping its tail text in place."""
    parent = el.getparent()
    if parent is None:
        return
    _add_before(el, el.tail or "")
    parent.remove(el)


def unwrap(el: etree._Element) -> None:
    """Replace ``el`` by its content (text and children), keeping its tail."""
    parent = el.getparent()
    if parent is None:
        return
    _add_before(el, el.text or "")
    index = parent.index(el)
    children = list(el)
    tail = el.tail or ""
    for offset, child in enumerate(children):
        parent.insert(index + offset, child)  # moves the child out of el
    if children:
        last = children[-1]
        last.tail = (last.tail or "") + tail
    else:
        _add_before(el, tail)
    parent.remove(el)


def replace(old: etree._Element, new: etree._Element) -> None:
    """Put ``new`` where ``old`` is; ``old``'s tail stays after ``new``."""
    new.tail = old.tail
    parent = old.getparent()
    if parent is not None:
        parent.replace(old, new)


def replace_by(old: etree._Element, items: list[etree._Element]) -> None:
    """Put ``items`` (at least one) where ``old`` is; ``old``'s tail follows the last of them."""
    parent = old.getparent()
    assert parent is not None and items
    index = parent.index(old)
    tail = old.tail
    parent.remove(old)
    for offset, item in enumerate(items):
        parent.insert(index + offset, item)
    items[-1].tail = tail


def text_of(el: etree._Element) -> str:
    """All text inside ``el`` (not its tail), whitespace collapsed."""
    return " ".join("".join(el.itertext()).split())
