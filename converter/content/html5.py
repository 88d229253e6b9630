"""The HTML5 tree builder, for the few inputs where libxml2 (an HTML4 parser) and a browser
build different trees.

libxml2 is fast and builds the tree the pipeline works on. It does not know the HTML5 tree
construction rules, and where they matter, text a browser shows was lost:

* foreign content: inside ``<svg>``/``<math>``, ``<style>`` and ``<script>`` are not raw text,
  ``<![CDATA[...]]>`` is text, and HTML tags such as ``<b>``, ``<p>`` or ``<center>`` close
  the foreign element ("break out");
* ``<xmp>``, ``<plaintext>`` and (scripting on, as browsers run) ``<noscript>`` are raw text
  (``<xmp/>`` too: the "/" is ignored);
* a ``</`` at the very end of the input is text;
* formatting that spans a paragraph or item break (``<p><strong>a</p><p>b</strong></p>``): a
  browser reopens the formatting elements still open in the next paragraph ("reconstruct the
  active formatting elements"), where libxml2 closes them at the ``</p>`` and ignores their
  end tag later: "b" lost its bold (feedjira2 6100075);
* the adoption agency (misnested formatting elements, a link inside a link) and ignored stray
  table parts move content OUT of a container a browser does not show (``<canvas>``,
  ``<video>``, ``<audio>``, ``<object>``), where libxml2 keeps it inside and the pipeline then
  removes it with the container.

``needs_html5`` decides from libxml2's tree (svg, math, xmp, plaintext or noscript elements;
a hidden container holding text) and from the end of the string (``</``); ``content._parsed``
also sends a body there when libxml2 reported the end tag of a formatting element it had
closed already (``reopened``). ``parse`` builds the same kind of tree as ``content.parse`` (an
lxml ``<body>`` element holding the fragment, no namespaces, no comments) with lexbor's HTML5
parser (selectolax, a C implementation of the WHATWG algorithm), scripting on as in a browser
(``<noscript>`` is raw text).
"""

from __future__ import annotations

from lxml import etree
from selectolax.lexbor import LexborHTMLParser, LexborNode

from .tree import append_text

__all__ = [
    "FOREIGN_OR_RAW",
    "FORMATTING",
    "HIDDEN_CONTAINERS",
    "MAX_DEPTH",
    "needs_html5",
    "parse",
    "reopened",
]

# As libxml2 (content.parse): deeper markup is reported, not half converted.
MAX_DEPTH = 2048

# Elements whose tree only the HTML5 rules get right: foreign content, and raw-text elements
# libxml2 does not treat as such (<noscript> is raw text in a browser with scripting on: a
# "</noscript>" inside what libxml2 reads as an attribute value ends it, and what follows is
# markup a browser shows).
FOREIGN_OR_RAW = frozenset({"svg", "math", "xmp", "plaintext", "noscript"})
# Containers a browser does not show, whose content the HTML5 rules may move out.
HIDDEN_CONTAINERS = frozenset({"canvas", "video", "audio", "object"})
_CHECKED = tuple(sorted(FOREIGN_OR_RAW | HIDDEN_CONTAINERS))
# The formatting elements (HTML §13.2.4.3), which a browser reopens after a block ended them.
FORMATTING = frozenset(
    {"a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong"}
) | {"tt", "u"}
# libxml2's message for an end tag whose element is not open: "Unexpected end tag : strong".
_UNEXPECTED_END = "Unexpected end tag : "


def needs_html5(html: str, body: etree._Element) -> bool:
    """True when libxml2's tree ``body`` of ``html`` may differ from a browser's, in a way that
    loses text: a trailing ``</``, foreign content or a raw-text element libxml2 does not know,
    or a hidden container holding text (which the HTML5 rules may have put outside it).

    Decided on the tree, not the string: lxml finds these few tag names among the elements in
    C, for much less than a regex scan of every "<" in the body costs.
    """
    if html.endswith("</") or html.rfind("<") > html.rfind(">"):
        # a "</" at the very end is text; a tag the input ends inside is no tag to a browser,
        # where libxml2 read the "</body></html>" appended to it as its attribute value
        # (fuzz AC: '<img src=' gave src="…/%3C/body")
        return True
    for el in body.iter(*_CHECKED):
        if el.tag in FOREIGN_OR_RAW or "".join(el.itertext()).strip():
            return True
    return False


def reopened(message: str) -> bool:
    """Whether libxml2's parse ``message`` is the end tag of a formatting element that is not
    open (``FORMATTING``): mostly one the ``</p>`` or ``</li>`` before it had closed, its
    formatting meant to go on in the next block, as a browser shows it (feedjira2 6100075:
    ``<p>A:<br><strong>Bold one.</p><p>Bold two.</strong></p>``, a paragraph in bold lost).

    Read from the error log that libxml2 writes anyway: nothing to scan on a well-formed
    body. (A stray end tag with nothing to close is one too; the HTML5 parse of it is the
    same tree, and costs only that parse.)
    """
    if not message.startswith(_UNEXPECTED_END):
        return False
    return message[len(_UNEXPECTED_END) :].strip() in FORMATTING


def _element(parent: etree._Element, node: LexborNode) -> etree._Element | None:
    """A child element of ``parent`` for ``node``; None for a name lxml cannot hold (``o:p``,
    ``a"b``): the node is then unwrapped, as the pipeline unwraps every unknown tag."""
    try:
        el = etree.SubElement(parent, (node.tag or "").lower())
    except ValueError:
        return None
    for name, value in node.attributes.items():
        try:
            el.set(name, value or "")
        except ValueError:  # a name XML cannot carry; no such attribute is in the vocabulary
            continue
    return el


def parse(html: str) -> etree._Element:
    """Parse an HTML fragment as a browser does (innerHTML of a ``<div>``); the returned
    ``<body>`` element holds it. Comments, processing instructions and doctypes are dropped.

    RecursionError when the tree is deeper than ``MAX_DEPTH``, as ``content.parse``.
    """
    root = etree.Element("html")
    body = etree.SubElement(root, "body")
    parser = LexborHTMLParser(html, is_fragment=True, scripting=True)
    # Depth-first, iteratively: (next node to visit, the lxml element it goes into, depth).
    stack: list[tuple[LexborNode | None, etree._Element, int]] = [(parser.root, body, 0)]
    while stack:
        node, parent, depth = stack.pop()
        while node is not None:
            tag = node.tag
            if tag == "-text":
                append_text(parent, node.text_content or "")
            elif tag and not tag.startswith("-"):  # an element (not a comment or doctype)
                el = _element(parent, node)
                child = node.first_child
                if child is not None:
                    if el is not None:
                        if depth >= MAX_DEPTH:
                            raise RecursionError("markup nested deeper than 2048 levels")
                        stack.append((node.next, parent, depth))
                        node, parent, depth = child, el, depth + 1
                        continue
                    stack.append((node.next, parent, depth))  # unwrapped: same parent
                    node = child
                    continue
            node = node.next
    return body
