"""The sanitiser's oracle (issue 13, item 1): nh3 and an HTML5 parser judge every output body.

nh3 is no longer on the per-article path (``converter/content/sanitiser.py``): the pipeline's
allow-list is the sanitiser, and its output is meant to be safe and stable by construction.
These checks say whether it is. A body passes when

(a) it is a fixed point of nh3 with the project's allow-list (``sanitiser.cleaner()``): nh3,
    an independent sanitiser on a browser's parser (html5ever), finds nothing to remove and
    nothing to rebuild. (``shortcodes.protect`` is applied to nh3's output, as ``normalise``
    applies it to its own: nh3 writes the ``&#91;`` it wrote as "[".)
(b) an HTML5 re-parse (html5lib, the WHATWG algorithm in pure Python, independent of both
    libxml2 and html5ever) and a re-serialisation (the WHATWG fragment serialisation, below;
    ``protect`` again) give it back unchanged: a browser builds the tree we built, so there is no parser
    differential to smuggle markup through (mutation XSS).

``check(html)`` raises ``OracleError`` saying which failed and where; ``verdict(html)`` returns
the failures as text (empty when the body passes).
"""

from __future__ import annotations

from xml.etree import ElementTree

import html5lib

from converter.content.sanitiser import cleaner
from converter.content.shortcodes import protect

__all__ = ["OracleError", "check", "html5_roundtrip", "nh3_clean", "verdict"]

# WHATWG "serialising HTML fragments": elements written without an end tag.
_VOID = frozenset(
    {
        "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "img",
        "input", "keygen", "link", "meta", "param", "source", "track", "wbr",
    }
)  # fmt: skip
_RAW = frozenset({"style", "script", "xmp", "iframe", "noembed", "noframes", "plaintext"})


class OracleError(AssertionError):
    pass


def nh3_clean(html: str) -> str:
    """nh3 with the project's allow-list, as ``normalise`` writes the result."""
    return protect(str(cleaner().clean(html)))


def html5_roundtrip(html: str) -> str:
    """``html`` parsed as a fragment in <body> by html5lib and serialised again."""
    fragment = html5lib.parseFragment(html, treebuilder="etree", namespaceHTMLElements=False)
    out: list[str] = [_text(fragment.text or "")]
    for child in fragment:
        _element(child, out)
    return "".join(out)


def _text(text: str, raw: bool = False) -> str:
    if raw:
        return text
    return (
        text.replace("&", "&amp;")
        .replace("\xa0", "&nbsp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
    )


def _attribute(value: str) -> str:
    # "<" and ">" too: the WHATWG serialisation escapes them in attribute values since 2025
    # (html5ever, so nh3, does), against markup re-parsed from an attribute (mutation XSS).
    return _text(value).replace('"', "&quot;")


def _element(el: ElementTree.Element, out: list[str]) -> None:
    tag = el.tag
    if not isinstance(tag, str) or tag is ElementTree.Comment:  # type: ignore[comparison-overlap]
        out.append(f"<!--{el.text or ''}-->")
    else:
        attributes = "".join(f' {k}="{_attribute(v)}"' for k, v in el.attrib.items())
        out.append(f"<{tag}{attributes}>")
        if tag not in _VOID:
            out.append(_text(el.text or "", tag in _RAW))
            for child in el:
                _element(child, out)
            out.append(f"</{tag}>")
    out.append(_text(el.tail or ""))


def _where(a: str, b: str, width: int = 60) -> str:
    i = next((k for k, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    lo, hi = max(0, i - width), i + width
    return f"at {i}: ours {a[lo:hi]!r}, theirs {b[lo:hi]!r}"


def verdict(html: str) -> list[str]:
    """What the oracle finds wrong with an output body (nothing: [])."""
    found = []
    cleaned = nh3_clean(html)
    if cleaned != html:
        found.append("not a fixed point of nh3 " + _where(html, cleaned))
    again = protect(html5_roundtrip(html))
    if again != html:
        found.append("changed by an HTML5 re-parse " + _where(html, again))
    return found


def check(html: str) -> None:
    found = verdict(html)
    if found:
        raise OracleError("; ".join(found))
