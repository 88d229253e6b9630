"""Small lxml helpers shared by the transforms: unwrap, replace, text appends."""

from __future__ import annotations

from collections import Counter

from lxml import etree

__all__ = [
    "JOINED_FROM",
    "Marks",
    "add_before",
    "append_text",
    "first_child",
    "join_texts",
    "last_child",
    "remove",
    "replace",
    "replace_by",
    "text_before",
    "text_of",
    "unwrap",
]


def append_text(parent: etree._Element, text: str) -> None:
    """Append text at the end of ``parent``'s content (its text, or its last child's tail)."""
    if not text:
        return
    last = last_child(parent)
    if last is not None:
        last.tail = (last.tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def first_child(el: etree._Element) -> etree._Element | None:
    """``el[0]``, or None. (lxml's ``len()`` counts every child: a test of it in a loop over
    the children is quadratic; ``el[0]`` and ``el[-1]`` are found at once.)"""
    try:
        return el[0]
    except IndexError:
        return None


def last_child(el: etree._Element) -> etree._Element | None:
    """``el[-1]``, or None (see ``first_child``)."""
    try:
        return el[-1]
    except IndexError:
        return None


def text_before(el: etree._Element) -> str:
    """The text right before ``el``: the previous sibling's tail, or the parent's text."""
    prev = el.getprevious()
    if prev is not None:
        return prev.tail or ""
    parent = el.getparent()
    return (parent.text or "") if parent is not None else ""


def add_before(el: etree._Element, text: str) -> None:
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
    add_before(el, el.tail or "")
    parent.remove(el)


def unwrap(el: etree._Element) -> None:
    """Replace ``el`` by its content (text and children), keeping its tail."""
    parent = el.getparent()
    if parent is None:
        return
    add_before(el, el.text or "")
    children = list(el)
    tail = el.tail or ""
    for child in children:  # next to el, not at an index (lxml walks to an index: n² for n)
        el.addprevious(child)  # moves the child (and its tail) out of el
    if children:
        last = children[-1]
        last.tail = (last.tail or "") + tail
    else:
        add_before(el, tail)
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
    previous = old.getprevious()  # each item goes after the one before (see unwrap)
    tail = old.tail
    parent.remove(old)
    for item in items:  # ``old`` itself may be one of them
        if previous is None:
            parent.insert(0, item)
        else:
            previous.addnext(item)
        previous = item
    items[-1].tail = tail


def text_of(el: etree._Element) -> str:
    """All text inside ``el`` (not its tail), whitespace collapsed; a block or a line break in
    it separates the words on either side, as a browser shows them (a caption of two
    paragraphs, "Cap one" and "Cap two", was the alt text "Cap oneCap two")."""
    if not any(d.tag in _SEPARATING for d in el.iterdescendants()):
        return " ".join("".join(el.itertext()).split())
    parts: list[str] = []
    for event, node in etree.iterwalk(el, events=("start", "end")):  # (no recursion: any depth)
        if event == "start":
            if node is not el and node.tag in _SEPARATING:
                parts.append(" ")
            if node.text and isinstance(node.tag, str):
                parts.append(node.text)
        elif node is not el:
            if node.tag in _SEPARATING:
                parts.append(" ")
            if node.tail:
                parts.append(node.tail)
    return " ".join("".join(parts).split())


# What a browser lays out on a line (or lines) of its own: the vocabulary's blocks, <br>.
_SEPARATING = frozenset(
    {
        "p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "pre", "hr",
        "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td", "figure",
        "figcaption", "dl", "dt", "dd", "div", "br",
    }
)  # fmt: skip


class Marks:
    """``remove`` and ``unwrap`` for many elements, in linear time.

    One by one, each moves its text onto the text before it, which grows: quadratic in the
    elements that go from one parent (``<em></em>word`` × 12,500 took 1.3 s, links without an
    href 8 s for 40,000). Here each element is marked (renamed) instead, and the marked
    children of a parent are taken out later all at once, in C (``strip_elements`` keeping
    the tails, ``strip_tags``), their texts joined. Until then they are still in the tree.
    """

    REMOVED = "convertRemoved"  # the parsers give lower-case names only
    UNWRAPPED = "convertUnwrapped"

    def __init__(self) -> None:
        self.by_parent: dict[etree._Element, list[etree._Element]] = {}

    def __bool__(self) -> bool:
        return bool(self.by_parent)

    def __contains__(self, parent: object) -> bool:
        return parent in self.by_parent

    def remove(self, el: etree._Element) -> None:
        self._mark(el, self.REMOVED)

    def unwrap(self, el: etree._Element) -> None:
        self._mark(el, self.UNWRAPPED)

    def _mark(self, el: etree._Element, mark: str) -> None:
        parent = el.getparent()
        if parent is None:
            return
        if not isinstance(el.tag, str):  # a comment or processing instruction: no name
            if mark == self.REMOVED:
                remove(el)
            else:
                unwrap(el)
            return
        el.tag = mark
        self.by_parent.setdefault(parent, []).append(el)

    def take_out(self, parent: etree._Element) -> bool:
        """Take out the marked children of ``parent``; True if one of them was removed."""
        children = self.by_parent.pop(parent, [])
        marks = {el.tag for el in children}
        if self.REMOVED in marks:
            etree.strip_elements(parent, self.REMOVED, with_tail=False)
        if self.UNWRAPPED in marks:
            etree.strip_tags(parent, self.UNWRAPPED)
        join_texts([parent] * len(children))
        return self.REMOVED in marks

    def take_out_all(self, root: etree._Element) -> None:
        """Take out every mark under ``root``, in one walk of the tree."""
        if not self.by_parent:
            return
        parents = [parent for parent, els in self.by_parent.items() for _ in els]
        etree.strip_elements(root, self.REMOVED, with_tail=False)
        etree.strip_tags(root, self.UNWRAPPED)
        join_texts(parents)
        self.by_parent.clear()


JOINED_FROM = 16  # children taken out of one parent in C: from this many on, its texts are joined


def join_texts(parents: list[etree._Element], least: int = JOINED_FROM) -> None:
    """Make each text of these elements (their own text, their children's tails) one text
    node again, for the elements listed ``least`` times or more (once per child that an
    ``etree.strip_tags`` or ``strip_elements`` took out of it).

    Those leave the texts around each child they took as separate, adjacent text nodes, and
    lxml reads a text of k nodes by adding them up one by one (and an XPath text() result
    finds its owner by walking back over them): quadratic in k (80,000 <span>s unwrapped in
    one paragraph: 0.4 s for each read of its text). libxml2 writes them out in one pass
    (``method="text"``), which is linear. Below ``least`` a read costs nothing, and the
    common case stays one Counter.
    """
    if len(parents) < least:  # the common case: no parent can have enough
        return
    for parent, count in Counter(parents).items():
        if count < least:
            continue
        tails: list[str] = []
        inner = 0  # the text inside the children
        for child in parent:
            without = len(_text(child, with_tail=False))
            tails.append(_text(child, with_tail=True)[without:])
            inner += without
        inside = _text(parent, with_tail=False)
        parent.text = inside[: len(inside) - inner - sum(map(len, tails))] or None
        for child, tail in zip(parent, tails, strict=True):
            child.tail = tail or None


def _text(el: etree._Element, with_tail: bool) -> str:
    return etree.tostring(el, method="text", encoding="unicode", with_tail=with_tail)
