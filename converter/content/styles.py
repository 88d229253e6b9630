"""Emphasis written as CSS, kept as the tag it means.

Pastes from Google Docs, Word and web pages carry their emphasis in ``style`` attributes:
``<span style="font-weight:700">`` is bold, ``text-decoration: line-through`` strikes a word
out (realworld 3000148, 3200038), and Google Docs wraps a whole paste in
``<b style="font-weight:normal">``, which is not bold. The vocabulary drops every ``style``
(it is mostly paste junk: fonts, colours, margins); this step runs before it and keeps what a
reader saw: the emphasis, as the element it means (CSS 2.1 §15.6 font-weight, §15.7
font-style, §16.3.1 text-decoration; §10.8.1 vertical-align).

Left alone: code (highlighters colour and embolden tokens, which is not the author's
emphasis), and what a tag already shows (a heading is bold, a caption set apart, a link
underlined). An element holding blocks gets no inline element around them.
"""

from __future__ import annotations

from lxml import etree

from . import vocabulary as V

__all__ = ["emphasis", "meant"]

# Every style attribute's value, in one XPath call. Whether one names a property read here is
# then a few substring tests each: the XPath gate before, contains(translate(., A-Z, a-z), …),
# cost ~1,700 instructions per 100 characters of style (libxml2's translate looks each
# character up in the 26 of its table), 860k on a bench/corpus.py body with pasted styles.
_STYLE_VALUES = etree.XPath(".//@style", smart_strings=False)
_PROPERTIES = ("font-weight", "font-style", "text-decoration", "vertical-align")


def _names_one(root: etree._Element) -> bool:
    """Whether a style attribute in ``root`` names a property that ``meant`` reads."""
    for value in _STYLE_VALUES(root):
        low = value if value.islower() else value.lower()
        if "-" in low and any(name in low for name in _PROPERTIES):
            return True
    return False


# The emphasis each tag shows by itself, as the canonical tag (before the vocabulary renames).
_OWN: dict[str, str] = {
    "b": "strong", "strong": "strong", "i": "em", "em": "em", "u": "u", "ins": "u",
    "s": "s", "strike": "s", "del": "s", "sup": "sup", "sub": "sub",
}  # fmt: skip
# What a tag's default style already shows: the same emphasis inside it adds nothing.
_SHOWN: dict[str, tuple[str, ...]] = {
    "h1": ("strong",), "h2": ("strong",), "h3": ("strong",), "h4": ("strong",),
    "h5": ("strong",), "h6": ("strong",), "th": ("strong",), "dt": ("strong",),
    "figcaption": ("em",), "caption": ("em",), "cite": ("em",), "dfn": ("em",),
    "var": ("em",), "address": ("em",), "a": ("u",),
}  # fmt: skip
_CODE = frozenset({"pre", "code", "kbd", "samp", "tt", "xmp", "listing"})
# Tags that mean nothing by themselves: they become the emphasis their style gives.
_CARRIERS = frozenset({"span", "font"})


def meant(style: str) -> dict[str, bool]:
    """The emphasis a style attribute gives (True) or takes away (False), by canonical tag."""
    out: dict[str, bool] = {}
    for declaration in style.lower().split(";"):
        name, _, value = declaration.partition(":")
        name = name.strip()
        value = value.replace("!important", "").strip()
        if name == "font-weight":
            weight = {"bold": 700, "bolder": 700, "normal": 400, "lighter": 400}.get(value)
            if weight is None and value.isascii() and value.isdigit() and len(value) <= 4:
                weight = int(value)
            if weight is not None:
                out["strong"] = weight >= 600  # 600 and more: "bold" faces (CSS Fonts §2.2)
        elif name == "font-style":
            if value == "normal" or value.startswith(("italic", "oblique")):
                out["em"] = value != "normal"
        elif name in ("text-decoration", "text-decoration-line"):
            words = value.split()
            if "none" in words:
                out["u"] = out["s"] = False
            if "underline" in words:
                out["u"] = True
            if "line-through" in words:
                out["s"] = True
        elif name == "vertical-align" and value in ("super", "sub"):
            out["sup" if value == "super" else "sub"] = True
    return out


def emphasis(root: etree._Element) -> None:
    """Each styled element's emphasis as elements; a tag its style takes back is unwrapped."""
    if not _names_one(root):
        return
    for el in [el for el in root.iter() if el.get("style") and isinstance(el.tag, str)]:
        wanted = meant(el.get("style") or "")
        if not wanted or _in_code(el):
            continue
        name = _tag(el)
        own = _OWN.get(name)
        if own is not None and wanted.get(own) is False:
            el.tag = name = "span"  # <b style="font-weight:normal">: not bold; unwrapped later
        elif name in _CARRIERS:
            _taken_back(el, wanted)
        shown = _SHOWN.get(name, ())
        added = [
            tag
            for tag, on in wanted.items()
            if on and tag != _OWN.get(name) and tag not in shown and not _inside(el, tag)
        ]
        if not added or any(child.tag in V.BLOCK_TAGS for child in el):
            continue
        if name in _CARRIERS:
            el.tag = added.pop(0)
        for tag in added:
            _wrap_content(el, tag)


def _taken_back(el: etree._Element, wanted: dict[str, bool]) -> None:
    """A span whose style takes back the emphasis of the element right around it (Word:
    <b>Bold start <span style="font-weight:normal">then normal text</span></b>, ckeditor4's
    Word fixtures) leaves it: that element is split in two around the span, which then stands
    between them without the emphasis (the halves left empty go with the empty elements)."""
    parent = el.getparent()
    if parent is None or wanted.get(_OWN.get(_tag(parent), "")) is not False:
        return
    after = parent.makeelement(parent.tag)  # (its attributes were read already)
    after.text, el.tail = el.tail, None
    for sibling in list(el.itersiblings()):
        after.append(sibling)  # (its tail moves with it)
    after.tail, parent.tail = parent.tail, None
    parent.addnext(el)
    el.addnext(after)


def _tag(el: etree._Element) -> str:
    tag = el.tag
    return tag if isinstance(tag, str) else ""


def _in_code(el: etree._Element) -> bool:
    return el.tag in _CODE or any(a.tag in _CODE for a in el.iterancestors())


def _inside(el: etree._Element, tag: str) -> bool:
    """Whether an ancestor already shows ``tag``'s emphasis (no <strong> in a <strong>)."""
    return any(
        _OWN.get(_tag(a)) == tag or tag in _SHOWN.get(_tag(a), ()) for a in el.iterancestors()
    )


def _wrap_content(el: etree._Element, tag: str) -> None:
    """``el``'s content, moved into a new ``tag`` child (the only one)."""
    inner = el.makeelement(tag, {})
    inner.text, el.text = el.text, None
    for child in list(el):
        inner.append(child)  # (its tail moves with it)
    el.append(inner)
