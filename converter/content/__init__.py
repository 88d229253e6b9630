"""The body pipeline: CMS ``contents`` → one canonical, clean, safe HTML fragment.

    contents ─ thin ─ shortcodes.expand ─ parse ─ PIPELINE transforms ─ allow_list ─ serialise

(``xml_safe`` first, and all of it again, only when the parse finds a character that XML
cannot carry: see ``_expanded``.)

``parse`` is libxml2 (lxml), fast; the few inputs where its HTML4 tree differs from the tree
a browser builds (foreign content, raw-text elements, content moved out of hidden containers)
are parsed again with an HTML5 tree builder (``html5.py``).

The tree transforms are listed, in order, in ``transforms.PIPELINE``. The allow-list sanitiser
(``sanitiser.allow_list``, from the vocabulary tables) is the last step on the tree, so whatever
a transform does, only the vocabulary leaves this module. One pass: the result is a fixed point
by design (of normalise, of nh3 with the same allow-list, of an HTML5 re-parse), which the
tests check (tests/test_oracle.py) and the per-article path does not. nh3 runs only when asked
(``Context.sanitiser == "nh3"``, ``--sanitiser nh3``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from html import escape, unescape

from lxml import etree

from . import html5
from .crowded import thin
from .sanitiser import allow_list, cleaner
from .shortcodes import expand, protect
from .transforms import PIPELINE, Context

__all__ = ["Body", "Context", "body_tree", "normalise", "parse", "scan", "serialise", "xml_safe"]

# Characters XML 1.0 forbids (§2.2): C0 controls but tab/LF/CR, lone surrogates, U+FFFE/U+FFFF.
# (The surrogates as chr(): mypyc compiles this module and takes no surrogate in a literal.)
_XML_ILLEGAL = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f{chr(0xD800)}-{chr(0xDFFF)}\ufffe\uffff]")
# libxml2's messages for an end tag of the body where the body had already ended (or another
# element was open): "Unexpected end tag : body", "Opening and ending tag mismatch: body and b";
# and for a start tag of the document, its head or body inside the content, which a browser
# ignores and libxml2 ends the paragraph at.
_ENDED = (
    " end tag : body",
    " end tag : html",
    "mismatch: body and",
    "mismatch: html and",
    "misplaced <html> tag",
    "misplaced <head> tag",
    "misplaced <body> tag",
)
_PARSER = etree.HTMLParser(
    huge_tree=True,  # libxml2 otherwise drops whatever is nested deeper than 256, silently
    remove_comments=True,
    remove_pis=True,
    no_network=True,
    recover=True,
    default_doctype=False,
    # The document is given as UTF-8 bytes (``_utf8_document``): libxml2 reads them as they
    # are, where from a str it converts the UCS-2 (or Latin-1) buffer first. A <meta charset>
    # in the content does not switch it (tests/test_content_parse.py).
    encoding="utf-8",
)


@dataclass(frozen=True, slots=True)
class Body:
    html: str  # the canonical fragment: vocabulary tags only, absolute URLs, no scripts
    warnings: tuple[str, ...] = ()


_ILLEGAL_REFERENCE = re.compile(  # to C0 controls XML cannot carry: dropped
    r"&#(?:[xX]0*(?:[1-8bBcCeEfF]|1[0-9a-fA-F])(?![0-9a-fA-F])"
    r"|0*(?:[1-8]|1[124-9]|2[0-9]|3[01])(?![0-9]));?"
)
_REPLACED_REFERENCE = re.compile(  # to NUL, surrogates, U+FFFE/U+FFFF: U+FFFD, as browsers show
    r"&#(?:[xX](?:0+|0*[dD][89a-fA-F][0-9a-fA-F]{2}|0*[fF]{3}[eEfF])(?![0-9a-fA-F])"
    r"|(?:0+|0*5[5-7][0-9]{3}|0*6553[45])(?![0-9]));?"
)
_C0_BYTES = (*range(0, 9), 11, 12, *range(14, 32))  # XML 1.0 §2.2, as UTF-8 bytes
_C0_CHARS = tuple(map(chr, _C0_BYTES))


def xml_safe(text: str) -> str:
    """Remove characters that XML 1.0 cannot carry (feeds and EPUB are XML).

    Short strings (every CMS field) are checked with the regex; long ones (bodies) with a
    UTF-16 encode (lone surrogates) and a one-character search for each control character
    (~280k instructions for a 12 KB body, against ~360k for the UTF-8 encode and
    bytes.translate of before, and ~100 µs for the regex: the re engine walks a character
    class one code point at a time).
    """
    if text.isprintable():  # C-fast; printable excludes controls, surrogates, U+FFFE/FFFF
        return text
    if len(text) < 2048:
        return _XML_ILLEGAL.sub("", text) if _XML_ILLEGAL.search(text) else text
    try:
        text.encode("utf-16-le")  # a copy, as UTF-8 was, at half its cost (callgrind)
    except UnicodeEncodeError:  # lone surrogates from JSON "\ud800" escapes
        return _XML_ILLEGAL.sub("", text)
    for c in _C0_CHARS:  # one memchr each: less than a bytes.translate of the UTF-8
        if c in text:
            return _XML_ILLEGAL.sub("", text)
    if "\ufffe" in text or "\uffff" in text:
        return _XML_ILLEGAL.sub("", text)
    return text


def parse(html: str) -> etree._Element:
    """Parse an HTML fragment as a browser would; the returned <body> element holds it.

    libxml2 first (and always: it is the nesting guard, see below); then, only where its tree
    holds a construct that the HTML5 rules build differently (``html5.needs_html5``), the
    HTML5 tree builder.

    RecursionError when libxml2 gave up on the nesting (it stops at 2048 levels, even with
    huge_tree, and would silently drop the rest): the caller reports the article.
    """
    data = _utf8_document(html)
    if data is None:  # a character XML cannot carry: removed, as xml_safe does
        html = xml_safe(html)
        data = _utf8_document(html)
        assert data is not None  # xml_safe leaves none of them
    return _parsed(html, data)


def _utf8_document(html: str) -> bytes | None:
    """The document that ``_parsed`` gives libxml2, as UTF-8; None when ``html`` holds a
    character that XML 1.0 cannot carry (§2.2: C0 controls but tab, LF and CR, lone
    surrogates, U+FFFE and U+FFFF), which the caller removes first (``xml_safe``).

    The check rides on the encoding that libxml2 needs anyway: a lone surrogate fails it,
    and a control character is one byte in UTF-8 that no other character's bytes hold, found
    with one memchr each (callgrind, 12 KB seed-shaped bodies: encode, checks and parse
    ~840k instructions, where xml_safe and a parse from the str took ~1,055k).
    """
    try:  # (bytes joined: str concatenation copied the body twice, ~50k instructions)
        data = b"".join((b"<html><body>", html.encode("utf-8"), b"</body></html>"))
    except UnicodeEncodeError:  # lone surrogates, from JSON "\ud800" escapes
        return None
    for c in _C0_BYTES:
        if c in data:
            return None
    if "\ufffe" in html or "\uffff" in html:
        return None
    return data


def _parsed(html: str, data: bytes) -> etree._Element:
    """``parse`` of ``html``, whose UTF-8 document ``data`` is (from ``_utf8_document``)."""
    doc = etree.fromstring(data, _PARSER)
    ended = False  # a "</body>", "</html>" or "<body>" in the fragment (see _ENDED)
    log = _PARSER.error_log
    if log:
        for e in log:
            if e.type_name == "ERR_RESOURCE_LIMIT":
                raise RecursionError("markup nested deeper than the parser's 2048 levels")
            # (or formatting to reopen after the block that closed it: html5.reopened)
            ended = ended or e.message.endswith(_ENDED) or html5.reopened(e.message)
    body = doc.find("body")
    if body is None:  # the fragment opened with head-only content; keep what was parsed
        body = etree.SubElement(doc, "body")
    # A browser ignores an end tag of the body or the document inside the content; libxml2
    # ends the body there (what follows went beside it, or was dropped after "</html>": the
    # "</body>" appended above was then one too many). Sample: realworld-extra 4100170,
    # "insert the code before the tag <strong></body></strong>".
    if ended or body.tail or body.getnext() is not None or html5.needs_html5(html, body):
        return html5.parse(html)
    return body


def serialise(body: etree._Element) -> str:
    """The children of ``body`` as an HTML string, one block per line.

    No-break spaces are written as ``&nbsp;``, as html5ever (nh3) writes them, so that a body
    the sanitiser had nothing to remove comes back from it unchanged (see ``normalise``).
    """
    for child in body:
        tail = child.tail
        if not tail or not tail.strip():
            child.tail = "\n"
    if len(body) and body[-1].tail == "\n":
        body[-1].tail = None  # as the stripped string parses back: the cached tree must match
    body.attrib.clear()
    empty = _as_html5_builds(body)
    # One C call for the whole body, then drop its own tags: "<body>" … "</body>".
    html = etree.tostring(body, method="html", encoding="unicode", with_tail=False)
    for li in empty:
        li.text = None  # as "<li></li>" parses back: the cached tree must match
    html = html[6:-7].strip()
    return html.replace("\xa0", "&nbsp;") if "\xa0" in html else html


def _as_html5_builds(body: etree._Element) -> list[etree._Element]:
    """Where libxml2 (HTML4) and the sanitiser's HTML5 parser build or write the same content
    differently, the tree is made as the HTML5 parser builds it, so that the sanitiser gives
    our string back unchanged in the first round (a second round did it, or, for an empty
    item, none of the 16):

    * rows and cells standing directly in a <table> go into a <tbody> (and a <tr>), cells
      directly in a row group into a <tr>;
    * the newlines that start a <pre> go: the HTML5 parser drops the first, and html5ever
      then writes the text without it, so every round dropped one more;
    * libxml2 writes an empty <li> without its end tag, html5ever with it: an empty text node
      makes libxml2 write "<li></li>" too. Those items are returned, to be emptied again
      once written (as "<li></li>" parses back: the cached tree must match).
    """
    empty: list[etree._Element] = []
    for el in list(body.iter("li", "pre", "table")):
        if el.tag == "li":
            if not el.text and not len(el):
                el.text = ""
                empty.append(el)
        elif el.tag == "pre":
            if el.text and el.text[0] == "\n":
                el.text = el.text.lstrip("\n") or None
        else:
            _row_group(el)
    return empty


def _cells_into_rows(group: etree._Element) -> None:
    """Each run of cells directly in a row group (<thead><td>) into a <tr> (fuzz X)."""
    tr = None
    for child in list(group):
        if child.tag not in ("td", "th"):
            tr = None
            continue
        if tr is None:
            tr = group.makeelement("tr")
            child.addprevious(tr)
        tr.append(child)


def _row_group(table: etree._Element) -> None:
    """Each run of <tr>, <td>, <th> directly in ``table`` into a <tbody>; cells into a <tr>."""
    tbody = tr = None
    for child in list(table):
        if child.tag not in ("tr", "td", "th"):
            tbody = tr = None
            if child.tag in ("thead", "tbody", "tfoot"):
                _cells_into_rows(child)
            continue
        if tbody is None:
            tbody = table.makeelement("tbody")
            child.addprevious(tbody)
        if child.tag == "tr":
            tr = None
            tbody.append(child)
            continue
        if tr is None:
            tr = etree.SubElement(tbody, "tr")
        tr.append(child)


# In libxml2's HTML output every "<" starts a tag and every ">" ends one (text and attribute
# values have them escaped; no comments, scripts or styles are left), and attributes are
# written ' name="value"', ' name' or, for a value holding '"' but no "'", " name='value'".
_TAG = re.compile(r"<[^<>]*='[^<>]*>")
_ATTRIBUTE = re.compile(r"""( [^\s=>]+=)(?:"[^"]*"|'([^']*)')""")


def _double_quoted(tag: re.Match[str]) -> str:
    """The tag with its '…' attribute values written "…" with &quot;, as html5ever (nh3)
    writes them: else a body with a '"' in an alt text never came back from the sanitiser
    unchanged, and took all the rounds. (Done where the two differ: the tree is the same.)"""

    def quoted(m: re.Match[str]) -> str:
        if m.group(2) is None:
            return m.group(0)
        return m.group(1) + '"' + m.group(2).replace('"', "&quot;") + '"'

    return _ATTRIBUTE.sub(quoted, tag.group(0))


# The trees of the last few bodies, by the identity of their HTML string (kept in the entry,
# so the id is not reused while it is there): an adapter rendering an article right after it
# was parsed (the html/markdown hot path) gets the very string normalise returned, and reuses
# the tree instead of parsing the body again. Keyed by the string itself, each insert hashed
# the whole body (~55k instructions on 12 KB; callgrind). Only trees written exactly as the
# body are kept.
_TREES: dict[int, tuple[str, etree._Element]] = {}
_TREES_MAX = 8


# nh3 (html5ever) takes time quadratic in the number of "&" and no-break spaces in one text:
# 400,000 took 2 s, 25,000 (the most 100 KB can hold) 9 ms. In bodies of _SET_ASIDE_FROM
# characters or more, a text holding _ESCAPES_IN_TEXT is set aside while the rest is sanitised.
_SET_ASIDE_FROM = 100_000
_ESCAPES_IN_TEXT = 1000
_TEXTS = re.compile(r"(<[^>]*>)")  # libxml2's output: every "<" starts a tag, ">" ends it


def _sanitise(html: str) -> str:
    """``cleaner().clean(html)`` (the ``nh3`` final pass), in linear time.

    Each text of our serialisation (between two tags) holding ``_ESCAPES_IN_TEXT`` "&" or
    more (no-break spaces are written ``&nbsp;``) is replaced by a marker for nh3 and put back
    in its place afterwards, written as html5ever writes text (``&amp; &lt; &gt; &nbsp;``).
    The marker is text too, so nh3 keeps it where it would have kept the text.
    """
    if len(html) < _SET_ASIDE_FROM or html.count("&") < _ESCAPES_IN_TEXT:
        return str(cleaner().clean(html))
    parts = _TEXTS.split(html)  # text, tag, text, ..., text
    long = [i for i in range(0, len(parts), 2) if parts[i].count("&") >= _ESCAPES_IN_TEXT]
    mark = next((c for c in map(chr, range(0xE000, 0xF900)) if c not in html), None)
    if not long or mark is None:
        return str(cleaner().clean(html))
    texts: list[str] = []
    for i in long:
        text = escape(unescape(parts[i]), quote=False)
        texts.append(text.replace("\xa0", "&nbsp;") if "\xa0" in text else text)
        parts[i] = f"{mark}{len(texts) - 1}{mark}"
    clean = str(cleaner().clean("".join(parts)))
    return re.sub(f"{mark}([0-9]+){mark}", lambda m: texts[int(m.group(1))], clean)


def body_tree(html: str) -> etree._Element:
    """The parsed <body> of a canonical body. SHARED: callers must not change it (deepcopy)."""
    entry = _TREES.get(id(html))
    if entry is not None and entry[0] is html:
        return entry[1]
    return parse(html)


# Gutenberg blocks saved as their comment alone, which WordPress renders from the block's
# attributes: <!-- wp:embed {"url":"https://youtu.be/x"} /--> (also the deprecated
# wp:core-embed/NAME), <!-- wp:social-link {"service":"mastodon","url":"…"} /-->,
# <!-- wp:navigation-link {"label":"WordPress","url":"…"} /--> (gutenberg 5900068, 5900052).
# The name is read without "core/" and, for core-embed/NAME, without "/NAME".
_SELF_CLOSING_BLOCK = re.compile(
    r"<!--\s*wp:(?:core/)?(core-embed|[a-z][a-z0-9-]*(?:/[a-z0-9-]+)?)(?:/[a-z0-9-]+)?"
    r"\s+(\{[^>]*?\})\s*/-->"
)
# A social link's text where the block gives no label: its service's name as WordPress shows
# it (gutenberg's social-link variations); any other service is its name capitalised.
_SOCIAL_SERVICES = {
    "chain": "Link",
    "codepen": "CodePen",
    "deviantart": "DeviantArt",
    "feed": "RSS Feed",
    "fivehundredpx": "500px",
    "github": "GitHub",
    "lastfm": "Last.fm",
    "linkedin": "LinkedIn",
    "soundcloud": "SoundCloud",
    "tiktok": "TikTok",
    "vk": "VK",
    "whatsapp": "WhatsApp",
    "wordpress": "WordPress",
    "youtube": "YouTube",
}


def _embed_markup(attributes: dict[str, object]) -> etree._Element | None:
    """An embed block's markup, which the embeds transform reads."""
    url = attributes.get("url")
    if not isinstance(url, str) or not url.strip():
        return None
    figure = etree.Element("figure", {"class": "wp-block-embed"})
    etree.SubElement(figure, "div", {"class": "wp-block-embed__wrapper"}).text = url.strip()
    return figure


def _link_markup(attributes: dict[str, object], item: bool) -> etree._Element | None:
    """A link block's link (in an <li> when ``item``: a social link is one of its list's),
    its text the label, else the service's name, else the URL."""
    url = attributes.get("url")
    if not isinstance(url, str) or not url.strip():
        return None
    label, service = attributes.get("label"), attributes.get("service")
    text = label.strip() if isinstance(label, str) else ""
    if not text and isinstance(service, str) and service.strip():
        text = _SOCIAL_SERVICES.get(service.strip(), service.strip().capitalize())
    a = etree.Element("a", {"href": url.strip()})
    a.text = text or url.strip()
    if not item:
        return a
    li = etree.Element("li")
    li.append(a)
    return li


# Block name → the markup its attributes make (None: the comment stays, and goes as one).
_BLOCK_MARKUP: dict[str, Callable[[dict[str, object]], etree._Element | None]] = {
    "embed": _embed_markup,
    "core-embed": _embed_markup,
    "social-link": lambda attributes: _link_markup(attributes, item=True),
    "navigation-link": lambda attributes: _link_markup(attributes, item=False),
    "navigation-submenu": lambda attributes: _link_markup(attributes, item=False),
    "home-link": lambda attributes: _link_markup({"label": "Home", **attributes}, item=False),
}


def _self_closing_block(m: re.Match[str]) -> str:
    """The comment → the block's markup, made of its attributes (``_BLOCK_MARKUP``), built
    as a tree and written by lxml: its values escaped by construction."""
    make = _BLOCK_MARKUP.get(m.group(1))
    if make is None:
        return m.group(0)
    try:
        attributes = json.loads(m.group(2))
    except ValueError:
        if _XML_ILLEGAL.search(m.group(0)):  # JSON refuses a control character: normalise
            raise ValueError("a character XML cannot carry") from None  # removes it first
        return m.group(0)
    markup = make(attributes) if isinstance(attributes, dict) else None
    if markup is None:
        return m.group(0)
    html = etree.tostring(markup, encoding="unicode", method="html")
    # (a blank line each side: the block is a paragraph of its own, as the embed's figure is)
    return html if markup.tag == "li" else "\n\n" + html + "\n\n"


def _has_reference(text: str) -> bool:
    """Whether "&#" is in ``text``, found by its "#": a one-character search is a memchr, but
    CPython looks for two characters one by one, ~50k instructions on a 12 KB body that has a
    "#" and no reference (callgrind, bench corpus)."""
    i = text.find("#", 1)
    while i >= 0:
        if text[i - 1] == "&":
            return True
        i = text.find("#", i + 1)
    return False


def _expanded(contents: str, ctx: Context) -> str:
    """The steps on the text before the parse: ``contents`` with its shortcodes expanded.

    Characters XML cannot carry are removed by ``normalise`` first only when the parse finds
    one (``_utf8_document``) or lxml refused one here (ValueError); then this runs again on
    the cleaned text, so the result is the one of removing them first, at no cost on every
    other body (~210k instructions fewer on a 12 KB body: callgrind, docs/performance.md).
    """
    text = thin(contents)  # at most MAX_ATTRIBUTES on an element: parsing is n²
    # (A one-character test first, each time: it is a memchr, ~15 times cheaper on a body than
    # looking for two or three characters, which CPython does one character at a time.)
    if _has_reference(text):  # character references to what XML cannot carry
        text = _REPLACED_REFERENCE.sub("\ufffd", _ILLEGAL_REFERENCE.sub("", text))
    if "\r" in text:  # (split and join: ~20% fewer instructions than a two-character replace)
        text = "\n".join(text.split("\r\n"))
        if "\r" in text:  # a lone CR too (a second pass over the body only then)
            text = text.replace("\r", "\n")
    if "!" in text and "wp:" in text and "/-->" in text:  # "<!-- wp:embed … /-->"
        text = _SELF_CLOSING_BLOCK.sub(_self_closing_block, text)
    expanded = expand(text)
    ctx.warnings.extend(expanded.warnings)
    scan(expanded.html, ctx)
    return expanded.html


def scan(html: str, ctx: Context) -> None:
    """What the transforms are told about the body before the parse, so that those with
    nothing to do skip their walk of the tree. Each is a search of the text, ~2 µs on 5 KB;
    an XPath walk of the tree costs ~8 µs (timeit, bench/corpus.py bodies)."""
    ctx.brackets = "[" in html  # shortcodes_left
    ctx.word = "mso-list" in html  # styles: Word's list paragraphs
    aria = "aria-" in html  # (one search for the two below, in most bodies)
    ctx.icons = aria and "aria-label" in html and "<svg" in html  # vocabulary: icons' names
    ctx.hidden = aria and "aria-hidden" in html  # decoration
    ctx.citations = "<blockquote" in html and ("<footer" in html or "quote__citation" in html)


def normalise(contents: str, ctx: Context | None = None) -> Body:
    """Turn raw WordPress ``post_content`` into the canonical clean body, in one pass.

    The pipeline builds a tree out of the vocabulary; ``sanitiser.allow_list`` enforces the
    vocabulary on it (safe by construction); the serialisation is written as an HTML5 parser
    reads it back (``serialise``, ``_double_quoted``). So the body is a fixed point: of
    ``normalise`` itself, of nh3 with the same allow-list and of an HTML5 re-parse. The tests
    hold it to that (tests/test_oracle.py); nothing here checks it again.
    """
    ctx = ctx or Context()
    if not contents or not contents.strip():
        return Body("", tuple(ctx.warnings))
    warned = len(ctx.warnings)
    try:
        html = _expanded(contents, ctx)
        data = _utf8_document(html)  # None: a character XML cannot carry (rare)
    except ValueError:  # lxml refuses such a character in an element that expand makes
        data = None
    if data is None:  # removed before anything reads the text, then all of it again
        del ctx.warnings[warned:]
        html = _expanded(xml_safe(contents), ctx)
        body = parse(html)
    else:
        body = _parsed(html, data)
    for transform in PIPELINE:
        transform(body, ctx)
    allow_list(body)
    html = serialise(body)
    if "'" in html and "='" in html:  # libxml2 writes '…' for a value holding '"'; HTML5 "…"
        html = _TAG.sub(_double_quoted, html)
    if ctx.sanitiser == "nh3":  # defence in depth, asked for: nh3 has the last word
        clean = _sanitise(html)
        if clean != html:  # (never, by the oracle tests): the tree is no longer the body's
            return Body(protect(clean), tuple(ctx.warnings))
    html = protect(html)
    if len(_TREES) >= _TREES_MAX:
        _TREES.pop(next(iter(_TREES)))
    _TREES[id(html)] = (html, body)
    return Body(html, tuple(ctx.warnings))
