"""The body's sanitiser: the vocabulary's allow-list, enforced on the tree (issue 13, item 1).

The transforms build the canonical body out of the vocabulary (``vocabulary.py``): the
``vocabulary`` transform removes, renames and unwraps tags, keeps the allowed attributes and
the allowed URL schemes, and no later transform adds anything else. ``allow_list`` is the last
step before serialisation, so whatever a transform does (or a future one gets wrong), only the
vocabulary is written: the output is safe by construction, without a second HTML parser on the
per-article path. On a correct pipeline it changes nothing; it is a gate, not a transform.

nh3 (html5ever + ammonia) is no longer on the path. It is the oracle of the tests (every body
is a fixed point of ``cleaner()``), and a final pass for users who ask for defence in depth
(``Options.sanitiser = "nh3"``, ``--sanitiser nh3``).
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

from lxml import etree

from . import vocabulary as V
from .tree import remove, unwrap

if TYPE_CHECKING:
    import nh3

__all__ = ["allow_list", "cleaner", "safe_url"]

# As a browser reads a URL: tabs and newlines are ignored, leading C0 controls and spaces too.
_IGNORED_IN_URL = re.compile(r"[\t\n\r]")
_SCHEME = re.compile(r"[\x00-\x20]*([a-zA-Z][a-zA-Z0-9+.\-]*):")
# Attributes every tag may carry: a kept id (``transforms._kept_id`` decides which survive).
_ANY_TAG = frozenset({"id"})
# Keyed by object: a comment's or processing instruction's "tag" is a function, found in none.
_ALLOWED: dict[object, frozenset[str]] = {
    tag: V.ALLOWED_ATTRIBUTES.get(tag, frozenset()) | _ANY_TAG for tag in V.ALLOWED_TAGS
}
# Any figure may carry the embed's attributes (the transforms keep them on the embed only).
_ALLOWED["figure"] = V.EMBED_ATTRIBUTES | _ANY_TAG


def safe_url(value: str) -> bool:
    """Whether a URL attribute's value is relative or of an allowed scheme, as a browser
    would read it (a "java\\tscript:" is a javascript: URL to a browser)."""
    m = _SCHEME.match(_IGNORED_IN_URL.sub("", value))
    return m is None or m.group(1).lower() in V.URL_SCHEMES


def allow_list(body: etree._Element) -> None:
    """Remove from ``body``'s descendants whatever is outside the vocabulary.

    Comments, processing instructions and the tags of ``REMOVE_WITH_CONTENT`` go with their
    content; any other tag outside ``ALLOWED_TAGS`` is unwrapped (its text kept, as the
    ``vocabulary`` transform does); attributes outside the tag's allow-list and URL
    attributes of other schemes are dropped. One walk over the tree that, on a correct
    pipeline, only reads (it is on every article's path: names first, values only of URLs).
    """
    doomed: list[etree._Element] = []
    strays: list[etree._Element] = []
    bad: list[etree._Element] = []
    for el in body.iterdescendants():
        tag = el.tag
        allowed = _ALLOWED.get(tag)
        if allowed is None:
            if not isinstance(tag, str) or tag in V.REMOVE_WITH_CONTENT:
                doomed.append(el)
                continue
            strays.append(el)
            allowed = _NONE
        for name in el.keys():  # noqa: SIM118 (an element: iterating it gives its children)
            if name not in allowed:
                bad.append(el)
                break
            if name in V.URL_ATTRIBUTES:
                value = el.get(name, "")
                if not value.startswith(_SAFE_STARTS) and not safe_url(value):
                    bad.append(el)
                    break
    for el in bad:
        _attributes(el, _ALLOWED.get(el.tag, _NONE))
    # Removed first, then unwrapped innermost first: an element inside a removed subtree is
    # worked on where it no longer matters (the detached subtree), never twice in the body.
    for el in doomed:
        remove(el)
    for el in reversed(strays):
        unwrap(el)


_NONE: frozenset[str] = frozenset()
_SAFE_STARTS = ("https://", "http://", "#")  # what the transforms write: nothing to parse


def _attributes(el: etree._Element, allowed: frozenset[str]) -> None:
    """Drop the attributes outside ``allowed`` and the URLs of other schemes."""
    keep = [
        (name, value)
        for name, value in el.items()
        if name in allowed
        and (name not in V.URL_ATTRIBUTES or safe_url(value))
        and (name != "class" or V.class_kept(str(el.tag), value))
    ]
    # Rebuilt, not deleted by name: a pasted name such as "{" is not one lxml can address.
    el.attrib.clear()
    for name, value in keep:
        el.set(name, value)


@cache
def cleaner() -> nh3.Cleaner:
    """nh3 with the project's allow-list: the tests' oracle and the ``nh3`` final pass.

    Imported here, on first use: the default path never loads it.
    """
    import nh3

    return nh3.Cleaner(
        tags=set(V.ALLOWED_TAGS),
        attributes={
            **{
                tag: set(attrs) - {"class"} if tag == "code" else set(attrs)
                for tag, attrs in V.ALLOWED_ATTRIBUTES.items()
                if tag != "figure"
            },
            "figure": set(V.EMBED_ATTRIBUTES),
            # ids survive only where a link of the article points (transforms._kept_id decides)
            "*": set(_ANY_TAG),
        },
        url_schemes=set(V.URL_SCHEMES),
        allowed_classes={"code": set(V.CODE_CLASSES)},  # a code block's language only
        link_rel=None,
        strip_comments=True,
        clean_content_tags={"script", "style"},
    )
