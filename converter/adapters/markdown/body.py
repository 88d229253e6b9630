"""The canonical clean body (an HTML fragment, see content/vocabulary.py) → CommonMark + GFM.

This is the hot path of the Markdown output, so it is written for speed: one lxml parse, then
plain recursive functions over the tree that append strings to lists, joined once per block.
No general-purpose HTML→Markdown library is used. The recursion is bounded whatever the depth
of the markup (see "Deep nesting" below): past 64 levels inline content is first made shallow,
past 32 levels of block containers the rest is written flat.

Nothing is written as raw HTML: renderers with raw HTML off (Hugo's default, goldmark with
``unsafe = false``) drop it, text and all. What Markdown has no syntax for is written as its text.

Blocks: paragraphs, ATX headings, lists (tight when every item is a line of text, maybe followed
by lists), block quotes, fenced code, thematic breaks, GFM pipe tables, figures (the image, then
its caption as an italic paragraph), the canonical embeds (their link; a quoted post as a block
quote ending in "— link"), definition lists (the term in bold). A table whose cells hold only
inline content (and paragraphs, joined by a space) is a pipe table, its first row the header; a
cell spanning columns or rows is written once and the places it covers are empty cells. A table
with other blocks in its cells (lists, figures, preformatted text, a nested table) cannot be a
pipe table: its content is written in reading order, the caption and then each cell's blocks,
row by row. One blank line between blocks; the result ends with one newline.

Inline: sub and sup are Unicode's superscript and subscript characters where each of theirs
has one (``m<sup>3</sup>`` is ``m³``, ``CO<sub>2</sub>`` ``CO₂``), else their plain text; the other
inline tags without Markdown syntax (u, mark, small, abbr, kbd, q, ...) are their plain text,
every character kept; a hard break is a space in a table cell or a heading, which are one line.

Text stays literal (the escaping rules):

* in every text node ``\\ ` * [ ] < ~ |`` are backslash-escaped, ``_`` only where it could
  delimit emphasis (not inside a word: ``snake_case`` stays as it is), ``&`` only before
  something entity-like (``&copy;``, ``&#1;``) — also when two nodes' texts form one;
* at the start of every line (a paragraph's, and after each hard break): ``#`` before a space,
  ``>``, ``-``/``+`` before a space, ``1.``/``1)`` before a space, and lines of only ``-``/``:``
  (setext underline, table delimiter row) or ``=``; leading spaces are removed;
* a ``!`` right before a link is escaped (it would make an image). Nothing else is: ``>``,
  ``#``, ``-``, ``.``, ``(`` mid-line cannot be misread.

Hard breaks, emphasis and code spans are first written as markers (``BR``, ``EM_O`` …: lone
surrogates, which parsed text cannot hold). An em/strong/s between known plain characters (the
common case) gets its delimiters at once; otherwise, when the block is complete, each pair is
resolved with CommonMark's flanking rules: ``*x*``, ``**x**``, ``~~x~~`` where the opener can
open and the closer can close in that exact context, each as the whole delimiter run it is
written in (``*x **y?***,``: the two closers are one run), a run that could both open and close
only where it still pairs with its own partner (intraword ``a*b*c``, or between punctuation;
CommonMark's "multiple of 3" rule; for an opener inside another em or strong: see _valid), after
moving punctuation at the span's edges out of it if that is what stops it (``x“*q*”s``); where
no delimiters would work (a span glued to a link, or to another delimiter run ambiguously), the
span is its plain text. A span inside one of the same kind adds nothing and is written as its
content.

This module walks the tree; the string rules (markers, escaping, emphasis resolution) are in
text.py.
"""

from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy

from lxml import etree

from ...content import body_tree
from ...content.tree import text_of, unwrap
from .text import (
    _BACKTICKS,
    _EDGE,
    _LINE_TRIGGERS,
    _MARKS,
    _MD,
    _OTHER,
    _PUNCT,
    _SPACE,
    _SPAN_EDGE,
    BR,
    CODE_C,
    CODE_O,
    EM_C,
    EM_O,
    EMN_C,
    EMN_O,
    MARK_C,
    MARK_O,
    S_C,
    S_O,
    ST_C,
    ST_O,
    STN_C,
    STN_O,
    _amps_across_nodes,
    _bang,
    _char_class,
    _closes,
    _collapse,
    _dest,
    _esc,
    _join_across,
    _line_start,
    _movable,
    _movable_end,
    _opens,
    _resolve,
    _title,
)

__all__ = ["to_markdown"]


# Inline content ------------------------------------------------------------------------------

_PARA, _CELL, _HEADING = 0, 1, 2
# Rendering flags: NO_EMPHASIS inside captions and terms (emphasised as a whole), IN_LINK inside
# link text (links cannot nest), CLEAN when the whole body has no character to escape but "<",
# WHOLE_BLOCK while the pieces being appended to are a whole block's (so the first piece starts a
# line and an element with nothing after it ends the block), IN_EM / IN_STRONG / IN_S inside a
# span of that kind (a nested one of the same kind shows nothing more: it is written as its
# content, which also keeps a delimiter from pairing with an enclosing one of its kind).
# CODE_LINK: a link that is all of a <code>, written with its text as a code span.
NO_EMPHASIS, IN_LINK, CLEAN, WHOLE_BLOCK, IN_EM, IN_STRONG, IN_S = 1, 2, 4, 8, 16, 32, 64
CODE_LINK = 128


_JOINED = (EM_C + EM_O, ST_C + ST_O, S_C + S_O, EMN_C + EMN_O, STN_C + STN_O)


def _finish(pieces: list[str], mode: int = _PARA) -> str:
    """Join a block's inline pieces: collapse whitespace, resolve emphasis, place breaks."""
    s = _collapse("".join(pieces))
    if "&" in s and ";" in s:
        s = _amps_across_nodes(s)
    br = BR in s
    s = s.replace(" " + BR, BR).replace(BR + " ", BR).strip(" " + BR) if br else s.strip(" ")
    if not s:
        return ""
    if MARK_O in s:
        for pair in _JOINED:  # <em>a</em><em>b</em>: one span
            if pair in s and "!" + pair + "[" not in s:
                s = s.replace(pair, "")
        if EM_O in s and ST_O in s:  # (a span inside another has its own kind: E, T)
            s = _join_across(s)
        s = _resolve(s, mode == _PARA)
    if CODE_O in s:
        # adjacent code spans (also once a span between them is dropped) would merge their
        # fences into one backtick run: join them
        s = _code_spans(s.replace(CODE_C + CODE_O, ""), mode == _CELL)
    if mode != _PARA:  # a cell or a heading is one line: a break is a space there
        return " ".join([line for line in s.split(BR) if line]) if br else s
    if br:
        lines = s.split(BR)
        # a break before/after a line of only Unicode spaces (nbsp), or of nothing (between two
        # breaks): parsers that strip those from the paragraph's ends would leave a stray
        # backslash
        while len(lines) > 1 and (not lines[-1] or lines[-1].isspace()):
            lines.pop()
        while len(lines) > 1 and (not lines[0] or lines[0].isspace()):
            del lines[0]
        return "\\\n".join([_line_start(line) for line in lines])
    return _line_start(s) if s[0] in _LINE_TRIGGERS else s


def _text_block(text: str | None, flags: int) -> str:
    """_finish for a block that is one text node (a list item, a table cell), without its
    line-start escapes: whitespace collapsed and trimmed, text escaped."""
    if not text:
        return ""
    text = text.strip(" \t\n\r\f")
    if "\n" in text or "\t" in text or "\r" in text or "\f" in text or "  " in text:
        text = _collapse(text)
    if flags & CLEAN and "<" not in text:
        return text
    return _esc(text)


def _split_edges(s: str, edge: str = _EDGE) -> tuple[str, str, str]:
    """(leading whitespace/breaks, core, trailing whitespace/breaks)."""
    if s and s[0] not in edge and s[-1] not in edge:  # the common case: nothing to split
        return "", s, ""
    rest = s.lstrip(edge)
    core = rest.rstrip(edge)
    return s[: len(s) - len(rest)], core, rest[len(core) :]


def _inline(el: etree._Element, out: list[str], flags: int) -> None:
    """Append the Markdown of ``el``'s content (text, children and their tails) to ``out``.
    ``flags``: NO_EMPHASIS drops em/strong markers (inside captions and terms, which are
    emphasised as a whole); IN_LINK renders nested links as their text (links cannot nest)."""
    if flags >= _INLINE_DEEP and len(el):
        el, flags = _shallow(el, flags), flags & (_LEVEL - 1)
    text = el.text
    if text:
        out.append(text if flags & CLEAN and "<" not in text else _esc(text))
    if not len(el):  # iterating an element without children costs more than asking
        return
    flags += _LEVEL
    for child in el[:]:  # (a slice is the cheapest way through lxml's children)
        handler = _INLINE.get(child.tag)  # type: ignore[arg-type]
        if handler is not None:
            handler(child, out, flags)
        else:  # a block inside inline content (the parser removes comments and PIs)
            out.append(" ")
            _inline(child, out, flags & ~WHOLE_BLOCK)
            out.append(" ")
        tail = child.tail
        if tail:
            out.append(tail if flags & CLEAN and "<" not in tail else _esc(tail))


def _plain(el: etree._Element, out: list[str], flags: int) -> None:
    _inline(el, out, flags & ~WHOLE_BLOCK)


_UNDECIDED = frozenset((MARK_O, MARK_C, BR, "*", "~"))


def _class_here(ch: str) -> int:
    """The class of a character next to a delimiter, or -1 when it cannot be told yet (another
    span's marker or delimiter, or a hard break)."""
    if ch in _UNDECIDED:
        return -1
    if ch in (CODE_O, CODE_C):
        return _PUNCT  # a backtick
    return _char_class(ch)


def _span(el: etree._Element, out: list[str], flags: int, kind: str) -> None:
    """em (kind "e", "E" inside a strong), strong ("t", "T" inside an em) or s ("s"). The
    delimiters are chosen right here when both sides of both of them are plain characters
    already known (the common case: a span between words, or at the start or end of its
    block); otherwise markers, resolved in _finish."""
    sub: list[str] = []
    _inline(el, sub, flags & ~WHOLE_BLOCK)
    inner = "".join(sub)
    lead, core, trail = _split_edges(inner, _SPAN_EDGE)
    if not core:
        if inner:
            out.append(inner)
        return
    # Before the opener and after the closer. Whitespace at a span's edges is moved out of it,
    # so an enclosing span (or link) starting or ending at the same place moves this span's
    # edge whitespace further out: a neighbour is known only next to content that stays.
    block = flags & WHOLE_BLOCK
    if out and (block or out[-1].strip(_EDGE)):
        last = out[-1]
        if lead:
            before = _SPACE
        elif len(last) > 1 and last[-2] in _MARKS:
            before = -1
        else:
            before = _class_here(last[-1])
    else:
        before = _SPACE if block else -1
    tail = el.tail
    if tail and (block or tail.strip(_EDGE)):
        after = _SPACE if trail or tail[0] in " \t\n\r\f" else _char_class(tail[0])
    elif block and not tail and el.getnext() is None:
        after = _SPACE  # the end of the block
    else:
        after = -1
    first = _class_here(core[0])
    final = -1 if len(core) > 1 and core[-2] in _MARKS else _class_here(core[-1])
    if (  # both sides known and plain, the opener can open and the closer can close
        before >= 0
        and after >= 0
        and first != _SPACE
        and (first != _PUNCT or before != _OTHER)
        and final != _SPACE
        and (final != _PUNCT or after != _OTHER)
        and first >= 0
        and final >= 0
        and not (kind in "ET" and before != _SPACE and (before != _PUNCT or first != _OTHER))
    ):
        # (a delimiter that can also close, or open, touches no other delimiter run here, and
        # pairs with its partner only: see _valid)
        delimiter = _MD[MARK_O + kind]
        out.append(lead + delimiter + core + delimiter + trail)
    else:
        written = _span_edges(lead, core, trail, kind, (before, first, final, after))
        if written[0] == "[" and out and out[-1] and _bang(out[-1]):  # dropped: "!" + "[link]"
            out[-1] = out[-1][:-1] + "\\!"
        out.append(written)


def _span_edges(lead: str, core: str, trail: str, kind: str, classes: tuple[int, ...]) -> str:
    """_span when the delimiters cannot be chosen at once: the span with its edge punctuation
    moved out if that is what stops it (as _shrink in _resolve), its plain text if it cannot
    be emphasised, or markers when a neighbour is not known yet."""
    before, first, final, after = classes
    if before >= 0 and first >= 0 and not _opens(before, first):
        k = 0
        while k < len(core) and _movable(core[k]):
            k += 1
        if 0 < k < len(core):
            lead, core = lead + core[:k], core[k:]
            before, first = _char_class(lead[-1]), _class_here(core[0])
    if after >= 0 and final >= 0 and not _closes(final, after):
        k = len(core)
        while k > 0 and _movable_end(core, k, trail):
            k -= 1
        if 0 < k < len(core):
            core, trail = core[:k], core[k:] + trail
            after = _char_class(trail[0])
            final = -1 if len(core) > 1 and core[-2] in _MARKS else _class_here(core[-1])
    if before < 0 or after < 0 or first < 0 or final < 0:
        return lead + MARK_O + kind + core + MARK_C + kind + trail
    if (
        _opens(before, first)
        and _closes(final, after)
        and not (kind in "ET" and _closes(before, first))  # see _valid
    ):
        delimiter = _MD[MARK_O + kind]
        return lead + delimiter + core + delimiter + trail
    return lead + core + trail  # CommonMark cannot emphasise this: its plain text


def _em(el: etree._Element, out: list[str], flags: int) -> None:
    if flags & (NO_EMPHASIS | IN_EM):
        _inline(el, out, flags & ~WHOLE_BLOCK)
    else:
        _span(el, out, flags | IN_EM, "E" if flags & IN_STRONG else "e")


def _strong(el: etree._Element, out: list[str], flags: int) -> None:
    if flags & (NO_EMPHASIS | IN_STRONG):
        _inline(el, out, flags & ~WHOLE_BLOCK)
    else:
        _span(el, out, flags | IN_STRONG, "T" if flags & IN_EM else "t")


def _strike(el: etree._Element, out: list[str], flags: int) -> None:
    if flags & IN_S:
        _inline(el, out, flags & ~WHOLE_BLOCK)
    else:
        _span(el, out, flags | IN_S, "s")


# Unicode's superscript and subscript forms (NFKC folds them back): "15 m<sup>3</sup>" is
# "15 m³" and "CO<sub>2</sub>" "CO₂", not "m3" and "CO2" (news 6000074), where every
# character has one; else the plain text, as other inline tags without Markdown syntax.
_SUPERSCRIPTS = str.maketrans("0123456789+-\u2212=()ni", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ⁿⁱ")
_SUBSCRIPTS = str.maketrans("0123456789+-\u2212=()aeoxhklmnpst", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₒₓₕₖₗₘₙₚₛₜ")


def _script(el: etree._Element, out: list[str], flags: int, forms: dict[int, int]) -> None:
    text = el.text
    if text and not len(el) and all(ord(ch) in forms for ch in text):
        out.append(text.translate(forms))
    else:
        _plain(el, out, flags)


def _br(el: etree._Element, out: list[str], flags: int) -> None:
    out.append(BR)


def _code(el: etree._Element, out: list[str], flags: int) -> None:
    # a code span is one line: a <br> (or a block) inside is a space, as a newline in it is
    text, links = _pre_text(el) if len(el) else (el.text or "", [])
    text = _collapse(text)
    lead, core, trail = _split_edges(text)
    if links and core and not flags & IN_LINK:  # a code span cannot hold a link
        if len(links) == 1 and _collapse("".join(links[0].itertext())).strip(_EDGE) == core:
            _link(links[0], out, flags | CODE_LINK)  # <code><a>x</a></code>: [`x`](url)
        else:  # the links matter more than the monospace: the text with its links
            _inline(el, out, flags & ~WHOLE_BLOCK)
    elif not core:
        if text:
            out.append(" ")
    elif flags & IN_LINK and "]" in core:
        # "[`]:x`](url)" at the start of a paragraph would be read as a link reference
        # definition (its label ends at the first "]", code span or not): plain text
        out.append(lead + _esc(core) + trail)
    else:
        out.append(lead + CODE_O + core + CODE_C + trail)  # the fence is chosen in _finish


def _code_spans(s: str, cell: bool = False) -> str:
    """Write each CODE_O content CODE_C as a code span, its fence longer than any backtick run
    inside (padded with a space when the content starts or ends with a backtick). In a table
    cell a "|" is escaped inside code spans too (GFM splits the row before reading them)."""
    parts: list[str] = []
    start = 0
    i = s.find(CODE_O)
    while i >= 0:
        j = s.find(CODE_C, i)
        core = s[i + 1 : j]
        if cell and "|" in core:
            core = core.replace("|", "\\|")
        fence = "`"
        if "`" in core:
            fence = "`" * (max(len(run) for run in _BACKTICKS.findall(core)) + 1)
        pad = " " if core[0] == "`" or core[-1] == "`" else ""
        parts.append(s[start:i])
        parts.append(fence + pad + core + pad + fence)
        start = j + 1
        i = s.find(CODE_O, start)
    parts.append(s[start:])
    return "".join(parts)


def _target(el: etree._Element) -> str | None:
    """A link's destination in Markdown: None for a place in the article (``#id``), since
    Markdown carries no ids (raw HTML is dropped): the link would lead nowhere, so its text
    stands alone."""
    href = el.get("href")
    return None if href is None or href.startswith("#") else href


def _link(el: etree._Element, out: list[str], flags: int) -> None:
    href = _target(el)
    if href is None or flags & IN_LINK:
        _inline(el, out, flags & ~WHOLE_BLOCK)
        return
    sub: list[str] = []
    if flags & CODE_LINK:  # the only content of a <code>: its text is the code span
        _code(el, sub, (flags | IN_LINK) & ~(WHOLE_BLOCK | CODE_LINK))
        inner = "".join(sub)
    elif len(el):
        _inline(el, sub, (flags | IN_LINK) & ~WHOLE_BLOCK)
        inner = "".join(sub)
    else:
        inner = el.text or ""
        if inner and not (flags & CLEAN and "<" not in inner):
            inner = _esc(inner)
    lead, core, trail = _split_edges(inner)
    if not core:
        core = _esc(_collapse(href))
    if not lead and out and out[-1].endswith("!"):
        out[-1] = out[-1][:-1] + "\\!"  # "!" + "[text](url)" would be an image
    title = el.get("title")
    out.append(
        lead + "[" + core + "](" + _dest(href) + (_title(title) if title else "") + ")" + trail
    )


def _image(el: etree._Element, out: list[str], flags: int) -> None:
    src = el.get("src")
    if not src:
        return
    alt = el.get("alt") or ""
    if alt:
        alt = _collapse(alt).strip(" ")
        if not (flags & CLEAN and "<" not in alt):
            alt = _esc(alt)
    out.append("![" + alt + "](" + _dest(src) + _title(el.get("title")) + ")")


_Inline = Callable[[etree._Element, list[str], int], None]
_INLINE: dict[str, _Inline] = {
    "a": _link,
    "strong": _strong,
    "b": _strong,
    "em": _em,
    "i": _em,
    "code": _code,
    "tt": _code,
    "br": _br,
    "img": _image,
    "s": _strike,
    "del": _strike,
    "strike": _strike,
    # libxml2 does not know <wbr> is void: what follows it becomes its content
    "wbr": _plain,
    **{
        tag: _plain
        for tag in (
            "small", "mark", "abbr", "q", "kbd", "var", "samp", "time", "bdi",
            "bdo", "u", "ins", "span", "font", "big",
        )
    },
    # a title, a quote's source, a term defined: italic as browsers show them (HTML §15.3.4)
    "cite": _em,
    "dfn": _em,
    "sup": lambda el, out, flags: _script(el, out, flags, _SUPERSCRIPTS),
    "sub": lambda el, out, flags: _script(el, out, flags, _SUBSCRIPTS),
}  # fmt: skip


# Blocks --------------------------------------------------------------------------------------

_Block = Callable[[etree._Element, list[str], int], None]


def _paragraph(el: etree._Element, out: list[str], flags: int) -> None:
    pieces: list[str] = []
    _inline(el, pieces, flags | WHOLE_BLOCK)
    s = _finish(pieces)
    if s:
        out.append(s)


def _heading(el: etree._Element, out: list[str], flags: int) -> None:
    pieces: list[str] = []
    _inline(el, pieces, flags | WHOLE_BLOCK)
    s = _finish(pieces, _HEADING)
    hashes = "#" * int(str(el.tag)[1])
    if not s:
        out.append(hashes)
        return
    if s.endswith("#"):  # a closing sequence of '#'s would be dropped
        core = s.rstrip("#")
        s = core + "\\" + s[len(core) :]
    out.append(hashes + " " + s)


def _emphasised(el: etree._Element, out: list[str], flags: int, delimiter: str) -> None:
    """A paragraph emphasised as a whole (em/strong inside dropped, links kept). Its delimiters
    sit at the paragraph's edges, where they always work, inside any Unicode space (a no-break
    space) the text itself starts or ends with."""
    pieces: list[str] = []
    _inline(el, pieces, flags | NO_EMPHASIS | WHOLE_BLOCK)
    s = _finish(pieces)
    if not s:
        return
    start, end = 0, len(s)
    while start < end and _char_class(s[start]) == _SPACE:
        start += 1
    while end > start and _char_class(s[end - 1]) == _SPACE:
        end -= 1
    if start == end:
        out.append(s)
    else:
        out.append(s[:start] + delimiter + s[start:end] + delimiter + s[end:])


def _caption(el: etree._Element, out: list[str], flags: int) -> None:
    """A figure caption: an italic paragraph."""
    _emphasised(el, out, flags, "*")


def _term(el: etree._Element, out: list[str], flags: int) -> None:
    """A definition list term: a bold paragraph."""
    _emphasised(el, out, flags, "**")


def _hr(el: etree._Element, out: list[str], flags: int) -> None:
    out.append("---")


def _pre_text(el: etree._Element) -> tuple[str, list[etree._Element]]:
    """The text of a <pre> as a browser lays it out, and its links.

    Text is kept as it is, line breaks and all; a <br> is a line break. A block inside (the
    <p>s of a <pre><code> pasted from elsewhere) starts on a line of its own and ends its line,
    a paragraph with an empty line around it, as innerText has them (a line break the text
    already ends with counts). Iterative: a <pre> may hold markup nested to any depth."""
    special = next(el.iter(_PRE_SPECIAL), None)
    if special is None:
        return "".join(el.itertext()), []
    parts: list[str] = []
    links: list[etree._Element] = []
    breaks = 0  # line breaks the layout needs before the next text
    for event, node in etree.iterwalk(el, events=("start", "end")):
        tag = node.tag
        if node is not el:
            if tag == "br":
                if event == "start":
                    parts.append("\n")
            elif tag in _BLOCK:
                breaks = max(breaks, 2 if tag == "p" else 1)
            elif tag == "a" and event == "start" and _target(node) is not None:
                links.append(node)
        text = node.text if event == "start" else node.tail if node is not el else None
        if text:
            if breaks and parts:
                have = len(parts[-1]) - len(parts[-1].rstrip("\n"))
                if have < breaks:
                    parts.append("\n" * (breaks - have))
            breaks = 0
            parts.append(text)
    return "".join(parts), links


def _language(pre: etree._Element) -> str:
    """The info string of a code block: its language, where the body names one (the class of
    its <code>, one of the vocabulary's: lower-case letters only)."""
    if len(pre) == 1 and pre[0].tag == "code":
        given = pre[0].get("class")
        if given is not None and given.startswith("language-"):
            return given[9:]
    return ""


def _pre(el: etree._Element, out: list[str], flags: int) -> None:
    """A fenced code block. A fenced block shows its content verbatim and can hold no link, and
    writing the <pre> as a paragraph instead would lose its layout (the line breaks, leading
    spaces, alignment): so its links follow it, as a list of links in the order they appear
    (each once), with their text — reachable, and the block unchanged."""
    text, links = _pre_text(el)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("\n"):  # HTML ignores a newline right after <pre>
        text = text[1:]
    if text and not text.endswith("\n"):
        text += "\n"
    fence = "```"
    if "`" in text:
        fence = "`" * max(3, max(len(run) for run in _BACKTICKS.findall(text)) + 1)
    out.append(fence + _language(el) + "\n" + text + fence)
    if links:
        items: dict[str, None] = {}
        for a in links:
            href = a.get("href") or ""
            label = _esc(text_of(a)) or _esc(_collapse(href))
            items["* [" + label + "](" + _dest(href) + _title(a.get("title")) + ")"] = None
        out.append("\n".join(items))


def _quote_lines(text: str) -> str:
    return "\n".join(["> " + line if line else ">" for line in text.split("\n")])


def _blockquote(el: etree._Element, out: list[str], flags: int) -> None:
    inner: list[str] = []
    _blocks(el, inner, flags)
    out.append(_quote_lines("\n\n".join(inner)) if inner else ">")


_THEMATIC_CHARS = "-*_ "


def _item(marker: str, content: str) -> str:
    if not content:
        return marker
    if "\n" not in content and content[0] not in _THEMATIC_CHARS:
        return marker + " " + content
    lines = content.split("\n")
    indent = " " * (len(marker) + 1)
    first = lines[0]
    if first[0] in _THEMATIC_CHARS and not first.strip("-*_ "):
        # "- ---" or "- - -" would be a thematic break: start the item with a blank line
        head, body = marker, lines
    else:
        head, body = marker + " " + first, lines[1:]
    return "\n".join([head, *[indent + line if line else "" for line in body]])


def _list(
    el: etree._Element, out: list[str], flags: int, ordered: bool, alternate: bool = False
) -> None:
    """ul/ol. ``alternate`` switches the marker (``-`` → ``*``, ``1.`` → ``1)``) so that a
    list right after a list of the same kind is not merged into it by the Markdown parser."""
    number = 1
    if ordered:
        try:
            number = min(max(int((el.get("start") or "1").strip()), 0), 999_999_000)
        except ValueError:
            number = 1
    items: list[list[str]] = []
    tight = True
    stray = el.text  # text outside the items (invalid, but kept: as an item of its own)
    for child in el[:]:
        blocks: list[str] = []
        kinds: list[str] = []
        if stray and stray.strip(" \t\n\r\f"):
            blocks.append(_finish([_esc(stray)]))
            kinds.append("x")
        if child.tag == "li":
            if len(child):
                _blocks(child, blocks, flags, kinds)
            else:  # the common case, an item of text only: straight to its paragraph
                text = _text_block(child.text, flags)
                if text:
                    blocks.append(_line_start(text))
                    kinds.append("p")
        else:  # invalid, but keep the content: as an item of its own
            _one(child, blocks, flags)
            kinds.extend(["x"] * len(blocks))
        stray = child.tail
        if tight and len(kinds) > 1:
            for kind in kinds[1:] if kinds[0] in ("p", "L", "l") else kinds:
                if kind != "L":
                    tight = False
        elif tight and kinds and kinds[0] not in ("p", "L", "l"):
            tight = False
        items.append(blocks)
    if stray and stray.strip(" \t\n\r\f"):
        items.append([_finish([_esc(stray)])])
    if not items:
        return
    joiner = "\n" if tight else "\n\n"
    rendered: list[str] = []
    if ordered:
        delim = ")" if alternate else "."
        for offset, blocks in enumerate(items):
            rendered.append(_item(f"{number + offset}{delim}", joiner.join(blocks)))
    else:
        bullet = "*" if alternate else "-"
        for blocks in items:
            rendered.append(_item(bullet, joiner.join(blocks)))
    out.append(joiner.join(rendered))


def _ul(el: etree._Element, out: list[str], flags: int) -> None:
    _list(el, out, flags, False)


def _ol(el: etree._Element, out: list[str], flags: int) -> None:
    _list(el, out, flags, True)


def _figure(el: etree._Element, out: list[str], flags: int) -> None:
    cls = el.get("class")
    if cls is not None and "embed" in cls.split():
        _embed(el, out, flags)
    else:
        _blocks(el, out, flags)  # images become image paragraphs, the figcaption an italic one


def _embed(el: etree._Element, out: list[str], flags: int) -> None:
    """The canonical embed: its link (the figcaption), inside the quoted post if there is one."""
    quote: etree._Element | None = None
    link = ""
    for child in el:
        tag = child.tag
        if tag == "figcaption":
            pieces: list[str] = []
            _inline(child, pieces, flags | WHOLE_BLOCK)
            link = link or _finish(pieces)
        elif tag == "blockquote" and quote is None:
            quote = child
        elif isinstance(tag, str):
            _one(child, out, flags)
    if not link:
        src = el.get("data-src")
        if src:
            label = el.get("data-embed") or src
            link = "[" + _esc(_collapse(label)) + "](" + _dest(src) + ")"
    if quote is not None:
        inner: list[str] = []
        _blocks(quote, inner, flags)
        if link:
            inner.append("— " + link)
        out.append(_quote_lines("\n\n".join(inner)) if inner else ">")
    elif link:
        out.append(link)


def _has_text(text: str | None) -> bool:
    return text is not None and text.strip(" \t\n\r\f") != ""


_SECTIONS = {"thead": 0, "tbody": 1, "tfoot": 2}


_TABLE_PARTS = frozenset(
    {"table", "caption", "thead", "tbody", "tfoot", "tr", "td", "th", "colgroup", "col"}
)
_CELLS = ("td", "th")


def _inline_cells(table: etree._Element) -> bool:
    """No nested table, no block in a cell but paragraphs (which a cell's line shows joined)."""
    for node in table.iterdescendants():
        tag = node.tag
        if tag in _BLOCK and tag != "p" and (tag not in _TABLE_PARTS or tag == "table"):
            return False
    return True


def _table_rows(table: etree._Element) -> list[list[etree._Element]] | None:
    """The cells of each row (the header row first) of a table that a GFM pipe table can show,
    or None: a nested table, a block in a cell (but <p>), or text outside the cells."""
    if _has_text(table.text) or not _inline_cells(table):
        return None
    groups: tuple[list[etree._Element], ...] = ([], [], [])
    for child in table[:]:
        tag = child.tag
        if _has_text(child.tail):
            return None
        if tag == "tr":
            groups[1].append(child)
        elif tag in _SECTIONS:
            if _has_text(child.text):
                return None
            for tr in child[:]:
                if tr.tag != "tr" or _has_text(tr.tail):
                    return None
                groups[_SECTIONS[str(tag)]].append(tr)
        elif tag not in ("caption", "colgroup", "col"):
            return None
    rows: list[list[etree._Element]] = []
    for tr in groups[0] + groups[1] + groups[2]:
        cells = tr[:]
        if _has_text(tr.text):
            return None
        for cell in cells:
            tail = cell.tail
            if cell.tag not in _CELLS or (tail and tail.strip(" \t\n\r\f")):
                return None
        rows.append(cells)
    return rows


def _span_of(value: str | None, limit: int) -> int:
    """A colspan or rowspan: 1 when missing or not a number, 0 kept (rowspan: to the end)."""
    if value is None:
        return 1
    try:
        return min(max(int(value.strip()), 0), limit)
    except ValueError:
        return 1


def _cell(cell: etree._Element, flags: int) -> str:
    """A cell's content on one line (a cell of text only: _text_block)."""
    pieces: list[str] = []
    if len(cell) == 1 and cell[0].tag == "p" and not _has_text(cell.text):
        _inline(cell[0], pieces, flags | WHOLE_BLOCK)  # <td><p>x</p></td>: inline content
    else:
        _inline(cell, pieces, flags | WHOLE_BLOCK)  # paragraphs are joined by a space
    return _finish(pieces, _CELL)


def _spans(
    cell: etree._Element, line: list[str], covered: dict[int, int], base: int, left: int
) -> None:
    """The empty cells after ``cell`` (just added to ``line``) for its colspan, and the columns
    its rowspan covers in the ``left`` - 1 rows below."""
    col = len(line) - 1
    across = min(max(_span_of(cell.get("colspan"), 1000), 1), max(1, base - col))
    down = min(_span_of(cell.get("rowspan"), 65534) or left, left)
    line.extend([""] * (across - 1))
    for c in range(col + 1, col + across):  # overlapping a cell from above (invalid)
        if covered.get(c):
            covered[c] -= 1
    if down > 1:
        for c in range(col, col + across):
            covered[c] = down - 1


def _grid(rows: list[list[etree._Element]], flags: int) -> list[list[str]]:
    """The rendered cells on a grid: a cell spanning columns or rows is written once, in its
    first row and column, and the places it covers are empty cells. Spans are clamped to the
    table (a colspan to the widest row's cell count, a rowspan to the rows left)."""
    base = max(map(len, rows))
    covered: dict[int, int] = {}  # column → rows below still covered by a rowspan
    grid: list[list[str]] = []
    for r, cells in enumerate(rows):
        line: list[str] = []
        for cell in cells:
            while covered and covered.get(len(line)):
                covered[len(line)] -= 1
                line.append("")
            line.append(_cell(cell, flags) if len(cell) else _text_block(cell.text, flags))
            if cell.keys() and (cell.get("colspan") or cell.get("rowspan")):
                _spans(cell, line, covered, base, len(rows) - r)
        if covered:
            end = max([c + 1 for c, n in covered.items() if n] or [0])
            while len(line) < end:
                if covered.get(len(line)):
                    covered[len(line)] -= 1
                line.append("")
        grid.append(line)
    return grid


# What a table is made of: one that holds nothing else, and no text but spaces, shows nothing.
# (The body keeps it, as the page's structure: only the Markdown has nothing to write.)
_TABLE_SHELL = frozenset(
    {"table", "caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "td", "th", "br"}
)


def _blank_table(table: etree._Element) -> bool:
    """Whether ``table`` holds no text but spaces (no-break ones too) and nothing but its own
    parts."""
    for el in table.iter():
        if el.tag not in _TABLE_SHELL or (el.text and not el.text.isspace()):
            return False
        if el is not table and el.tail and not el.tail.isspace():
            return False
    return True


def _table(el: etree._Element, out: list[str], flags: int) -> None:
    """A GFM pipe table when the cells hold inline content (the first row is the header row);
    else, as a pipe table cannot hold blocks (and Markdown renderers with raw HTML off drop an
    HTML table), the table's content in reading order: its caption, then each cell's blocks,
    row by row."""
    if _blank_table(el):
        return  # a layout table of empty cells: a pipe table of blanks (realworld-extra 5500047)
    rows = _table_rows(el)
    grid = _grid(rows, flags) if rows else []
    width = max([len(line) for line in grid] or [0])
    if not width:
        _blocks(el, out, flags)
        return
    for child in el[:]:
        if child.tag == "caption":
            _paragraph(child, out, flags)
            break
    lines: list[str] = []
    for cells in grid:
        cells.extend([""] * (width - len(cells)))
        lines.append("| " + " | ".join(cells) + " |")
        if len(lines) == 1:
            lines.append("|" + " --- |" * width)
    out.append("\n".join(lines))


def _container(el: etree._Element, out: list[str], flags: int) -> None:
    _blocks(el, out, flags)


_BLOCK: dict[str, _Block] = {
    "p": _paragraph,
    "h1": _heading,
    "h2": _heading,
    "h3": _heading,
    "h4": _heading,
    "h5": _heading,
    "h6": _heading,
    "ul": _ul,
    "ol": _ol,
    "blockquote": _blockquote,
    "pre": _pre,
    "hr": _hr,
    "table": _table,
    "figure": _figure,
    "figcaption": _caption,
    "caption": _paragraph,
    "dt": _term,
    "address": _paragraph,
    "summary": _paragraph,
    "legend": _paragraph,
    **{
        tag: _container
        for tag in (
            "li", "dl", "dd", "div", "section", "article", "aside", "header", "footer", "nav",
            "main", "details", "center", "fieldset", "menu", "hgroup", "thead", "tbody", "tfoot",
            "tr", "td", "th", "colgroup", "col", "body",
        )
    },
}  # fmt: skip


# What makes a <pre>'s text more than its text nodes joined: breaks, blocks, links.
_PRE_SPECIAL = ("br", "a", *_BLOCK)


def _has_block(el: etree._Element) -> bool:
    return any(isinstance(node.tag, str) and node.tag in _BLOCK for node in el.iterdescendants())


def _one(el: etree._Element, out: list[str], flags: int) -> None:
    """Render a single element as block(s)."""
    handler = _BLOCK.get(str(el.tag))
    if handler is not None:
        if flags >= _BLOCK_DEEP and el.tag not in _LEAVES:
            _flat_blocks(el, out, flags)
        else:
            handler(el, out, flags + _LEVEL)
        return
    pieces: list[str] = []
    inline = _INLINE.get(str(el.tag))
    if inline is not None:
        inline(el, pieces, flags)
    elif _has_block(el):
        _blocks(el, out, flags)
        return
    else:
        _inline(el, pieces, flags)
    s = _finish(pieces)
    if s:
        out.append(s)


_INTERRUPTING = ("- ", "* ", "1. ", "1) ")


def _blocks(
    container: etree._Element, out: list[str], flags: int, kinds: list[str] | None = None
) -> None:
    """Append the blocks of a flow container. Loose inline content between blocks becomes
    paragraphs. ``kinds`` (for list items) records each block's kind: "p" paragraph, "L" a
    list that may interrupt a paragraph, "l" another list, "x" anything else."""
    if flags >= _BLOCK_DEEP:
        _flat_blocks(container, out, flags, kinds)
        return
    flags += _LEVEL
    run: list[str] = []
    text = container.text
    if text and text.strip(" \t\n\r\f"):
        run.append(text if flags & CLEAN and "<" not in text else _esc(text))
    if len(container):
        last_list = ""  # the list just emitted (with its normal marker): alternate markers
        for child in container[:]:
            tag = child.tag
            handler = _BLOCK.get(tag)  # type: ignore[arg-type]
            if handler is None:
                inline = _INLINE.get(tag)  # type: ignore[arg-type]
                if inline is not None:
                    inline(child, run, flags)
                elif _has_block(child):
                    handler = _container
                else:
                    _inline(child, run, flags)
            if handler is not None:
                if run:
                    s = _finish(run)
                    run = []
                    if s:
                        out.append(s)
                        last_list = ""
                        if kinds is not None:
                            kinds.append("p")
                before = len(out)
                if tag == "ul" or tag == "ol":
                    alternate = last_list == tag
                    _list(child, out, flags, tag == "ol", alternate)
                    if len(out) > before:
                        last_list = "" if alternate else str(tag)
                        if kinds is not None:
                            kinds.append("L" if out[-1].startswith(_INTERRUPTING) else "l")
                else:
                    handler(child, out, flags)
                    if len(out) > before:
                        last_list = ""
                        if kinds is not None:
                            kinds.extend(["p" if tag == "p" else "x"] * (len(out) - before))
            tail = child.tail
            if tail and (run or tail.strip(" \t\n\r\f")):
                run.append(tail if flags & CLEAN and "<" not in tail else _esc(tail))
    if run:
        s = _finish(run)
        if s:
            out.append(s)
            if kinds is not None:
                kinds.append("p")


# Deep nesting -------------------------------------------------------------------------------
#
# The walk is recursive (a few frames a level), and markup may nest up to the parser's 2048
# levels. ``flags`` counts the levels gone through (_blocks, _one and _inline add one each), and
# past a limit the rest of the subtree is made shallow first, without recursion:
#
# * inline content past _INLINE_DEEP levels: a copy of it with every element that shows nothing
#   of its own in Markdown unwrapped (the plain tags; an em, strong or s inside one of its kind; a
#   link inside a link or without href; a block inside inline content, as spaces), which leaves
#   at most one em, strong, s and link on any path: written exactly as the deep tree would be;
# * block content past _BLOCK_DEEP levels (lists, quotes, tables... inside each other): written
#   flat, every container there as its content, in reading order, each leaf block (paragraph,
#   heading, preformatted text, rule, caption) as it is and the loose text between them as
#   paragraphs. That many levels of nesting are already more than Markdown renderers show (the
#   markdown-it "commonmark" preset stops reading at 20 levels), and no word is lost.

_LEVEL = 256  # one level in ``flags`` (above every flag bit)
_BLOCK_DEEP = 32 * _LEVEL
_INLINE_DEEP = 64 * _LEVEL
_KIND_FLAGS = {
    "em": IN_EM, "i": IN_EM, "strong": IN_STRONG, "b": IN_STRONG, "s": IN_S, "del": IN_S,
    "strike": IN_S,
}  # fmt: skip
_LEAVES = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "hr", "figcaption", "caption", "dt",
     "address", "summary", "legend"}
)  # fmt: skip


def _shallow(el: etree._Element, flags: int) -> etree._Element:
    """A copy of ``el`` (its content: not its tail) with what shows nothing of its own in
    Markdown unwrapped, given the spans and link ``flags`` says it is inside."""
    root = deepcopy(el)
    root.tail = None
    context = flags
    added: list[int] = []  # the flag each open element added (0: none)
    drop: list[etree._Element] = []
    walker = etree.iterwalk(root, events=("start", "end"))
    for event, node in walker:
        if node is root:
            continue
        if event == "end":
            context &= ~added.pop()
            continue
        tag = node.tag
        flag = 0
        if tag in ("code", "tt", "br", "img"):
            walker.skip_subtree()
        elif tag in _KIND_FLAGS:
            flag = _KIND_FLAGS[str(tag)]
            if context & flag or (context & NO_EMPHASIS and flag != IN_S):
                flag = 0
                drop.append(node)
        elif tag == "a" and _target(node) is not None and not context & IN_LINK:
            flag = IN_LINK
        else:
            if tag not in _INLINE:  # a block inside inline content: words stay apart
                node.text = " " + (node.text or "")
                node.tail = " " + (node.tail or "")
            drop.append(node)
        context |= flag
        added.append(flag)
    for node in reversed(drop):  # the innermost first
        unwrap(node)
    return root


def _flat_blocks(
    container: etree._Element, out: list[str], flags: int, kinds: list[str] | None = None
) -> None:
    """_blocks past _BLOCK_DEEP levels: the container's content with every container inside
    written as its content (see above), without recursion."""
    run: list[str] = []

    def flush() -> None:
        if run:
            s = _finish(run)
            run.clear()
            if s:
                out.append(s)
                if kinds is not None:
                    kinds.append("p")

    walker = etree.iterwalk(container, events=("start", "end"))
    for event, node in walker:
        if node is container:
            if event == "start" and _has_text(node.text):
                run.append(_esc(node.text or ""))
            continue
        tag = node.tag
        leaf = tag in _LEAVES
        inline = not leaf and (tag in _INLINE or (tag not in _BLOCK and not _has_block(node)))
        if event == "start":
            if leaf or inline:
                walker.skip_subtree()
                if leaf:
                    flush()
                    before = len(out)
                    _BLOCK[str(tag)](node, out, flags)
                    if kinds is not None:
                        kinds.extend(["p" if tag == "p" else "x"] * (len(out) - before))
                else:
                    _INLINE.get(str(tag), _plain)(node, run, flags)
            else:
                flush()
                if _has_text(node.text):
                    run.append(_esc(node.text or ""))
        else:
            if not (leaf or inline):
                flush()
            tail = node.tail
            if tail and (run or _has_text(tail)):
                run.append(_esc(tail))
    flush()


def to_markdown(html: str) -> str:
    """Convert a canonical clean body (HTML fragment) to CommonMark + GFM Markdown.

    Blocks are separated by one blank line; the result ends with one newline, or is "" for an
    empty body.
    """
    if not html or html.isspace():
        return ""
    # The tree normalise built when it is still cached (read-only here), else a fresh parse.
    body = body_tree(html)
    # Text can hold a character to escape only if the source has it raw or has a character
    # reference (&...): most bodies have neither, and then only a stray "<" (which the parser
    # keeps as text in "a < b") needs looking for.
    flags = 0
    if not (
        "&" in html
        or "\\" in html
        or "*" in html
        or "_" in html
        or "[" in html
        or "]" in html
        or "`" in html
        or "~" in html
        or "|" in html
    ):
        flags = CLEAN
    out: list[str] = []
    _blocks(body, out, flags)
    return "\n\n".join(out) + "\n" if out else ""
