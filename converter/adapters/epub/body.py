"""An article body made fit for a book: images we do not have become their text, embeds a quote
and a link, links to articles in the book point inside it, and attribute values EPUBCheck
rejects are repaired or dropped."""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

from lxml import etree

from ...content.tree import remove, replace, text_of
from .xhtml import node

# Parents that only take phrasing content: a missing image there becomes a <span>, not a <p>.
_INLINE_PARENTS = frozenset(
    {
        "p", "a", "span", "em", "strong", "small", "sub", "sup", "s", "u", "mark", "abbr",
        "cite", "q", "code", "kbd", "var", "samp", "dfn", "time", "bdi", "bdo", "h2", "h3",
        "h4", "h5", "h6", "dt", "caption", "figcaption", "pre",
    }
)  # fmt: skip
_INTEGER = re.compile(r"^-?\d{1,9}$")
_DATETIME = re.compile(
    r"^\d{4}(-\d{2}(-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?)?)?)?$"
    r"|^\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$"
)
_URL_UNSAFE = re.compile(r"[\s<>\"{}|\\^`\x00-\x1f\x7f]")


def _missing_marker(parent: etree._Element, text: str) -> etree._Element:
    """``<p class="missing-image">`` in block context, ``<span …>`` where only phrasing fits."""
    tag = "span" if parent.tag in _INLINE_PARENTS else "p"
    return node(None, tag, {"class": "missing-image"}, text)


def _spaced(marker: etree._Element) -> None:
    """A space between an inline marker and the words beside it, which it would otherwise run
    into ("Comments<img>" became "CommentsImage not included.": realworld-extra 4200059)."""
    previous, parent = marker.getprevious(), marker.getparent()
    if previous is not None:
        before = previous.tail or "".join(previous.itertext())
        if before[-1:].isalnum():
            previous.tail = (previous.tail or "") + " "
    elif parent is not None and parent.text and parent.text[-1].isalnum():
        parent.text += " "
    following = marker.getnext()
    after = marker.tail or ("".join(following.itertext()) if following is not None else "")
    if after[:1].isalnum():
        marker.tail = " " + (marker.tail or "")


def without_image(img: etree._Element) -> None:
    """Replace an image we do not have with its text: alt, else nothing if a caption says it.
    A linked image's link and a figure's caption always stay (the link then says so)."""
    alt = " ".join((img.get("alt") or "").split())
    figure = next((a for a in img.iterancestors("figure")), None)
    caption = figure.find("figcaption") if figure is not None else None
    caption_text = " ".join(text_of(caption).split()) if caption is not None else ""
    if alt and alt != caption_text:
        text = f"Image: {alt}"
    elif caption_text:
        text = ""  # the caption below already says what the picture was
    else:
        text = "Image not included."
    parent = img.getparent()
    assert parent is not None
    if not text and next(img.iterancestors("a"), None) is not None:
        text = "Image not included."  # a linked image keeps its link, which needs text
    if text:
        marker = _missing_marker(parent, text)
        replace(img, marker)
        if marker.tag == "span":
            _spaced(marker)
        return
    remove(img)
    if figure is not None and not len(figure) and not (figure.text or "").strip():
        remove(figure)


def embeds(body: etree._Element) -> None:
    """Canonical embeds → quoted text and a link: no frames, scripts or media elements (§2.3)."""
    for figure in list(body.iter("figure")):
        if figure.get("class") != "embed":
            continue
        kind = re.sub(r"[^a-z0-9-]", "", (figure.get("data-embed") or "").lower())
        for name in [n for n in figure.attrib if n.startswith("data-")]:
            del figure.attrib[name]
        figure.set("class", f"embed embed-{kind}" if kind else "embed")


def valid_attributes(body: etree._Element) -> None:
    """Drop or repair attribute values XHTML5 forbids (RSC-005): the clean body is HTML-safe,
    but EPUBCheck also checks value syntax (integers, enumerations, datetimes, URLs)."""
    for el in body.iter():
        tag = el.tag
        if not isinstance(tag, str):
            continue
        for name in ("width", "height") if tag == "img" else ():
            el.attrib.pop(name, None)  # CSS sizes images; pixel sizes fight small screens
        for name in ("start", "value", "span", "colspan", "rowspan"):
            value = el.get(name)
            if value is not None and (not _INTEGER.match(value) or _out_of_range(name, value)):
                del el.attrib[name]
        if tag == "ol" and el.get("type") not in (None, "1", "a", "A", "i", "I"):
            del el.attrib["type"]
        if el.get("scope") not in (None, "row", "col", "rowgroup", "colgroup"):
            del el.attrib["scope"]
        datetime_value = el.get("datetime") if tag == "time" else None
        if datetime_value is not None and not _DATETIME.match(datetime_value):
            del el.attrib["datetime"]
        if tag == "bdo" and el.get("dir") not in ("ltr", "rtl"):
            el.set("dir", "ltr")  # dir is required on bdo
        for name in ("href", "cite"):
            value = el.get(name)
            if value is not None:
                fixed = clean_url(value)
                if fixed:
                    el.set(name, fixed)
                else:
                    del el.attrib[name]


def _out_of_range(name: str, value: str) -> bool:
    number = int(value)
    if name in ("span", "colspan"):
        return not 1 <= number <= 1000
    if name == "rowspan":
        return not 0 <= number <= 65534
    return False


def clean_url(value: str) -> str:
    """A URL EPUBCheck accepts (RSC-020): unsafe characters percent-encoded, bad ones dropped."""
    value = value.strip()
    if not value:
        return ""
    if _URL_UNSAFE.search(value):
        value = quote(value, safe="/:?#[]@!$&'()*+,;=%~.-_")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018  (raises ValueError on a bad port)
    except ValueError:
        return ""
    return value


def link_key(url: str, hosts: frozenset[str]) -> str | None:
    """Path of a link to one of the site's hosts (www., staging, shorturl host all equal)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    host = (parts.hostname or "").removeprefix("www.")
    if parts.scheme not in ("http", "https") or host not in hosts:
        return None
    return parts.path.rstrip("/") or "/"
