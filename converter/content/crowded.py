"""Elements with thousands of attributes, thinned in the string before any parser sees them.

libxml2, lexbor and html5ever each compare a new attribute with those the element already
has, and lxml finds an attribute's value by its name: one element with n attributes costs n²
(80,000 took minutes). No real element has more than a few dozen, so a start tag with more
than ``MAX_ATTRIBUTES`` keeps its first ``MAX_ATTRIBUTES`` distinct names (the rest is paste
junk or an attack); every parser after this sees at most that many on any element.

The tags are found as the HTML5 tokenizer (and libxml2 2.14, which follows it) delimits them:
a quoted value may hold ">" and "<", a quote may stand in a name. That scan costs a few ns a
character (~50 µs for an 18 KB body, 2% of its normalising), so it runs only on bodies of
``SCAN_FROM`` characters or more, longer than any ordinary article: a shorter body cannot hold
an element with more than ``SCAN_FROM // 2`` attributes (each takes a name and a separator),
and holds at most ~8,400 distinct ones in 32 KB, which take 0.24 s.
"""

from __future__ import annotations

import re

__all__ = ["MAX_ATTRIBUTES", "SCAN_FROM", "thin"]

MAX_ATTRIBUTES = 256
SCAN_FROM = 32_768

_S = "\t\n\f\r "  # HTML whitespace
# An attribute: a name (a first "=" is part of it), then maybe "=" and a value (quoted to the
# quote or the end, unquoted to whitespace or ">"); a name followed by "=" always takes a value.
_VALUE = rf""""[^"]*+(?:"|\Z)|'[^']*+(?:'|\Z)|[^{_S}>"'][^{_S}>]*+|(?=>|\Z)"""
_NAME = rf"[^{_S}/>][^{_S}/=>]*+"
_ATTRIBUTE = rf"(?:[{_S}]*+=[{_S}]*+(?:{_VALUE}))?(?![{_S}]*+=)"  # after its name
_CROWDED = re.compile(
    rf"<[A-Za-z][^{_S}/>]*+(?:[{_S}/]*+{_NAME}{_ATTRIBUTE}){{{MAX_ATTRIBUTES + 1}}}"
)
_TAG_NAME = re.compile(rf"<[A-Za-z][^{_S}/>]*+")
_ONE = re.compile(rf"[{_S}/]*+(({_NAME}){_ATTRIBUTE})")
_END = re.compile(rf"[{_S}/]*+(?:>|\Z)")


def thin(html: str) -> str:
    """``html`` with every start tag of more than MAX_ATTRIBUTES attributes cut to its first
    MAX_ATTRIBUTES distinct names (as a parser reads them: a repeated name is ignored)."""
    if len(html) < SCAN_FROM:
        return html
    found = _CROWDED.search(html)
    if found is None:
        return html
    out: list[str] = []
    position = 0
    while found is not None:
        name = _TAG_NAME.match(html, found.start())
        assert name is not None  # the start of what _CROWDED found
        kept, end = _attributes(html, name.end())
        ending = _END.match(html, end)
        assert ending is not None  # separators, then ">" or the end: always matches
        out.append(html[position : name.end()])
        out.append("".join(" " + attribute for attribute in kept))
        out.append(ending.group(0))
        position = ending.end()
        found = _CROWDED.search(html, position)
    out.append(html[position:])
    return "".join(out)


def _attributes(html: str, position: int) -> tuple[list[str], int]:
    """The first MAX_ATTRIBUTES distinct attributes (their source text) of the tag whose
    attributes start at ``position``, and where its attributes end."""
    kept: list[str] = []
    names: set[str] = set()
    while (m := _ONE.match(html, position)) is not None:
        position = m.end()
        name = m.group(2).lower()
        if len(kept) < MAX_ATTRIBUTES and name not in names:
            names.add(name)
            kept.append(m.group(1))
    return kept, position
