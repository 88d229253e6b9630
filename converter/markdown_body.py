"""The canonical clean body (an HTML fragment, see content/vocabulary.py) → CommonMark + GFM.

This is the hot path of the Markdown output, so it is written for speed: one lxml parse, then
plain recursive functions over the tree that append strings to lists, joined once per block.
No general-purpose HTML→Markdown library is used.

Blocks: paragraphs, ATX headings, lists (tight when every item is a line of text, maybe followed
by lists), block quotes, fenced code, thematic breaks, GFM pipe tables (raw HTML for tables a
pipe table cannot carry), figures (the image, then its caption as an italic paragraph), the
canonical embeds (their link; a quoted post as a block quote ending in "— link"), definition
lists (the term in bold). One blank line between blocks; the result ends with one newline.

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
resolved with CommonMark's flanking rules: ``*x*``, ``**x**``, ``~~x~~`` where each delimiter can
only open or only close, in that exact context, else the inline HTML tags (``<em>“q”</em>s``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from lxml import etree

from .content import body_tree

__all__ = ["to_markdown"]


# Markers: lone surrogates, which a parsed lxml tree can never hold in its text or attributes
# (lxml stops at one in its input, and libxml2 turns references to one into U+FFFD), and which
# are cheap to look for in both 1- and 2-byte strings.
# Emphasis markers are two characters: an opening or closing mark, then the kind (e: em,
# t: strong, s: strikethrough), so that finding them all takes two searches.
MARK_O, MARK_C = "\udb01", "\udb02"
EM_O, EM_C, ST_O, ST_C, S_O, S_C = (m + k for k in "ets" for m in (MARK_O, MARK_C))
CODE_O, CODE_C = "\udb07", "\udb08"  # a code span's content: its fence is chosen in _finish
BR = "\udb09"  # a hard break: "\\" + newline in a paragraph, <br> in a cell or heading
_MD = {EM_O: "*", EM_C: "*", ST_O: "**", ST_C: "**", S_O: "~~", S_C: "~~"}
_HTML = {EM_O: "<em>", EM_C: "</em>", ST_O: "<strong>", ST_C: "</strong>", S_O: "<s>", S_C: "</s>"}
_ASTERISK_CLOSERS = frozenset({EM_C, ST_C})
_MARKS = MARK_O + MARK_C

_EDGE = " \t\n\r\f" + BR  # stripped from the inner edges of emphasis and link text

# Escaping ------------------------------------------------------------------------------------

# Escaping uses str.find/replace, not regular expressions: re scans a character class at
# ~20 ns per character, which over whole paragraphs is most of the time budget.
_ESC_ALWAYS = "`*[]<~|"  # (and the backslash itself, first)
# '&' followed by this could start an entity or character reference
_AMP_TAIL = re.compile(r"#|[A-Za-z0-9]+;")
_AMP_URL = re.compile(r"&(?=#|[A-Za-z0-9]+;)")
_LINE_START = re.compile(
    r"(#{1,6}(?=[ \t]|$)|>|[-+](?=[ \t]|$)|[-:][-: \t]*$|=+[ \t]*$)|(\d{1,9})([.)])(?=[ \t]|$)"
)
_LINE_TRIGGERS = frozenset("#>-+=:0123456789")
_URL_UNSAFE = re.compile(r"[\x00-\x20<>\\|`\x7f]")
_BACKTICKS = re.compile(r"`+")
_BLANK_LINE = re.compile(r"\n(?=[ \t]*\n)")

# Character classes for the flanking rules, as markdown-it / CommonMark define them.
_WHITESPACE = frozenset(
    "\t\n\x0b\x0c\r \xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u202f\u205f\u3000"
)
_ASCII_PUNCT = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_SPACE, _PUNCT, _OTHER = 0, 1, 2


def _esc_underscores(s: str) -> str:
    """Escape runs of '_' that touch a non-alphanumeric character (or an end of the text):
    they could delimit emphasis. Intraword runs (snake_case_name) never do in CommonMark."""
    parts: list[str] = []
    start = 0
    end = len(s)
    i = s.find("_")
    while i >= 0:
        j = i + 1
        while j < end and s[j] == "_":
            j += 1
        if not (i > 0 and s[i - 1].isalnum() and j < end and s[j].isalnum()):
            parts.append(s[start:i])
            parts.append("\\_" * (j - i))
            start = j
        i = s.find("_", j)
    parts.append(s[start:])
    return "".join(parts)


def _esc_amps(s: str) -> str:
    parts: list[str] = []
    start = 0
    i = s.find("&")
    while i >= 0:
        if _AMP_TAIL.match(s, i + 1):
            parts.append(s[start:i])
            parts.append("\\")
            start = i
        i = s.find("&", i + 1)
    parts.append(s[start:])
    return "".join(parts)


def _amps_across_nodes(s: str) -> str:
    """Escape an entity-like '&' that only formed when texts were joined ("&amp" + "<u>;</u>"):
    one not already escaped (an odd run of backslashes before it) nor inside a code span."""
    i = s.find("&")
    while i >= 0:
        if _AMP_TAIL.match(s, i + 1):
            slashes = i - len(s[:i].rstrip("\\"))
            if slashes % 2 == 0 and s.rfind(CODE_O, 0, i) <= s.rfind(CODE_C, 0, i):
                s = s[:i] + "\\" + s[i:]
                i += 1
        i = s.find("&", i + 1)
    return s


def _esc_slow(s: str) -> str:
    if "\\" in s:
        s = s.replace("\\", "\\\\")
    for ch in _ESC_ALWAYS:
        if ch in s:
            s = s.replace(ch, "\\" + ch)
    if "_" in s:
        s = _esc_underscores(s)
    if "&" in s:
        s = _esc_amps(s)
    return s


def _esc(s: str) -> str:
    """Escape literal text so no CommonMark/GFM parser reads it as markup (mid-line rules)."""
    if (
        "\\" in s
        or "*" in s
        or "_" in s
        or "[" in s
        or "]" in s
        or "<" in s
        or "`" in s
        or "~" in s
        or "|" in s
        or "&" in s
    ):
        return _esc_slow(s)
    return s


def _collapse(s: str) -> str:
    """HTML whitespace collapsing: runs of space/tab/newline/CR/FF become one space."""
    if "\n" in s:
        s = s.replace("\n", " ")
    if "\t" in s or "\r" in s or "\f" in s:
        s = s.replace("\t", " ").replace("\r", " ").replace("\f", " ")
    while "  " in s:
        s = s.replace("  ", " ")
    return s


def _line_start(line: str) -> str:
    if not line or line[0] not in _LINE_TRIGGERS:
        return line
    m = _LINE_START.match(line)
    if m is None:
        return line
    if m.group(1) is not None:
        return "\\" + line
    end = m.end(2)
    return line[:end] + "\\" + line[end:]


def _dest(url: str) -> str:
    """A link destination that round-trips: unsafe characters percent-encoded (as markdown-it
    would), entity-like '&' escaped, and the <...> form when parentheses are present. (Other
    control characters are not looked for: the pipeline's URLs never hold any, and checking
    costs more than all the rest.)"""
    if (
        " " in url
        or "<" in url
        or ">" in url
        or "\\" in url
        or "|" in url
        or "`" in url
        or "\n" in url
        or "\t" in url
        or "\r" in url
    ):
        url = _URL_UNSAFE.sub(lambda m: f"%{ord(m.group()):02X}", url)
    if "&" in url and _AMP_URL.search(url):
        url = _AMP_URL.sub(r"\\&", url)
    if not url or "(" in url or ")" in url:
        return "<" + url + ">"
    return url


def _title(title: str | None) -> str:
    if not title:
        return ""
    t = _collapse(title).strip(" ")
    if not t:
        return ""
    t = t.replace("\\", "\\\\").replace('"', '\\"').replace("|", "\\|")
    if "&" in t:
        t = _AMP_URL.sub(r"\\&", t)
    return ' "' + t + '"'


# Emphasis resolution -------------------------------------------------------------------------


_CLASSES: dict[str, int] = {}  # character → class, filled as characters are met


def _char_class(ch: str) -> int:
    cls = _CLASSES.get(ch)
    if cls is None:
        if ch in _WHITESPACE:
            cls = _SPACE
        elif ch < "\x80":
            cls = _PUNCT if ch in _ASCII_PUNCT else _OTHER
        else:
            cls = _PUNCT if unicodedata.category(ch)[0] in "PS" else _OTHER
        _CLASSES[ch] = cls
    return cls


def _side(parts: list[str], i: int, before: bool, para: bool) -> tuple[int, str]:
    """Class of the character on one side of a marker (``parts[i]`` is the text there) and
    the marker beyond it when that text is empty (markers render as punctuation: * ~ < >)."""
    text = parts[i]
    if text:
        ch = text[-1] if before else text[0]
        if ch in "*~":  # maybe a delimiter written by _span: never glue to it
            return _PUNCT, ch
        cls = _CLASSES.get(ch)
        if cls is None:
            if ch == BR:  # "\\" + newline in a paragraph, "<br>" in a cell or heading
                return (_SPACE if para and before else _PUNCT), ""
            cls = _char_class(ch)
        return cls, ""
    if i == 0 or i == len(parts) - 1:
        return _SPACE, ""  # start or end of the line
    return _PUNCT, parts[i - 1 if before else i + 1]


def _resolve(s: str, para: bool) -> str:
    """Turn emphasis markers into Markdown delimiters, or inline HTML where those would fail.

    Markdown is used only where CommonMark's flanking rules give each delimiter run a single
    role: the opener only left-flanking, the closer only right-flanking. A run that could both
    open and close may pair with another span's delimiter or fall foul of the "multiple of 3"
    rule, so intraword cases (a<em>b</em>c) get the HTML tags, as do runs that would merge
    with a neighbouring delimiter run.
    """
    positions: list[int] = []
    for mark in (MARK_O, MARK_C):
        i = s.find(mark)
        while i >= 0:
            positions.append(i)
            i = s.find(mark, i + 2)
    positions.sort()
    parts: list[str] = []  # text, marker, text, marker, ..., text
    start = 0
    for i in positions:
        parts.append(s[start:i])
        parts.append(s[i : i + 2])
        start = i + 2
    parts.append(s[start:])
    out = parts[:]
    stack: list[int] = []
    for i in range(1, len(parts), 2):
        mark = parts[i]
        if mark[0] == MARK_O:
            stack.append(i)
            continue
        j = stack.pop()
        kind = mark[1]
        o_prev, o_prev_mark = _side(parts, j - 1, True, para)
        o_next, o_next_mark = _side(parts, j + 1, False, para)
        c_prev, c_prev_mark = _side(parts, i - 1, True, para)
        c_next, c_next_mark = _side(parts, i + 1, False, para)
        ok = (
            ((o_prev == _SPACE and o_next != _SPACE) or (o_prev == _PUNCT and o_next == _OTHER))
            and ((c_next == _SPACE and c_prev != _SPACE) or (c_next == _PUNCT and c_prev == _OTHER))
            # a delimiter run touching one of the same kind would merge with it
            and kind != o_prev_mark[1:]
            and kind != o_next_mark[1:]
            and kind != c_prev_mark[1:]
            and kind != c_next_mark[1:]
            # "*a***b**": a closer run glued to an opener run is ambiguous
            and not (kind != "s" and o_prev_mark in _ASTERISK_CLOSERS)
            and "*" not in (o_prev_mark, o_next_mark, c_prev_mark, c_next_mark)
            and "~" not in (o_prev_mark, o_next_mark, c_prev_mark, c_next_mark)
        )
        table = _MD if ok else _HTML
        out[j] = table[parts[j]]
        out[i] = table[mark]
    return "".join(out)


# Inline content ------------------------------------------------------------------------------

_PARA, _CELL, _HEADING = 0, 1, 2
# Rendering flags: NO_EMPHASIS inside captions and terms (emphasised as a whole), IN_LINK inside
# link text (links cannot nest), CLEAN when the whole body has no character to escape but "<",
# WHOLE_BLOCK while the pieces being appended to are a whole block's (so the first piece starts a
# line and an element with nothing after it ends the block).
NO_EMPHASIS, IN_LINK, CLEAN, WHOLE_BLOCK = 1, 2, 4, 8


def _finish(pieces: list[str], mode: int = _PARA) -> str:
    """Join a block's inline pieces: collapse whitespace, resolve emphasis, place breaks."""
    s = "".join(pieces)
    if "\n" in s:
        s = s.replace("\n", " ")
    if "\t" in s or "\r" in s or "\f" in s:
        s = s.replace("\t", " ").replace("\r", " ").replace("\f", " ")
    while "  " in s:
        s = s.replace("  ", " ")
    if "&" in s and ";" in s:
        s = _amps_across_nodes(s)
    br = BR in s
    s = s.replace(" " + BR, BR).replace(BR + " ", BR).strip(" " + BR) if br else s.strip(" ")
    if not s:
        return ""
    if MARK_O in s:
        for pair in (EM_C + EM_O, ST_C + ST_O, S_C + S_O):  # <em>a</em><em>b</em>: one span
            if pair in s and "!" + pair + "[" not in s:
                s = s.replace(pair, "")
        if CODE_O in s:
            s = _code_spans(s.replace(CODE_C + CODE_O, ""))
        s = _resolve(s, mode == _PARA)
    elif CODE_O in s:
        # adjacent code spans would merge their fences into one backtick run: join them
        s = _code_spans(s.replace(CODE_C + CODE_O, ""))
    if mode != _PARA:
        return s.replace(BR, "<br>") if br else s
    if br:
        lines = s.split(BR)
        # a break before/after a line of only Unicode spaces (nbsp): parsers that strip those
        # from the paragraph's ends would leave a stray backslash
        while len(lines) > 1 and lines[-1].isspace():
            lines.pop()
        while len(lines) > 1 and lines[0].isspace():
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


def _split_edges(s: str) -> tuple[str, str, str]:
    """(leading whitespace/breaks, core, trailing whitespace/breaks)."""
    if s and s[0] not in _EDGE and s[-1] not in _EDGE:  # the common case: nothing to split
        return "", s, ""
    rest = s.lstrip(_EDGE)
    core = rest.rstrip(_EDGE)
    return s[: len(s) - len(rest)], core, rest[len(core) :]


def _inline(el: etree._Element, out: list[str], flags: int) -> None:
    """Append the Markdown of ``el``'s content (text, children and their tails) to ``out``.
    ``flags``: NO_EMPHASIS drops em/strong markers (inside captions and terms, which are
    emphasised as a whole); IN_LINK renders nested links as their text (links cannot nest)."""
    text = el.text
    if text:
        out.append(text if flags & CLEAN and "<" not in text else _esc(text))
    if not len(el):  # iterating an element without children costs more than asking
        return
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
    """em (kind "e"), strong ("t") or s ("s"). The delimiters are chosen right here when both
    sides of both of them are plain characters already known (the common case: a span between
    words, or at the start or end of its block); otherwise markers, resolved in _finish."""
    sub: list[str] = []
    _inline(el, sub, flags & ~WHOLE_BLOCK)
    inner = "".join(sub)
    lead, core, trail = _split_edges(inner)
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
    if before < 0 or after < 0 or first < 0 or final < 0:
        out.append(lead + MARK_O + kind + core + MARK_C + kind + trail)
        return
    if ((before == _SPACE and first != _SPACE) or (before == _PUNCT and first == _OTHER)) and (
        (after == _SPACE and final != _SPACE) or (after == _PUNCT and final == _OTHER)
    ):
        delimiter = _MD[MARK_O + kind]
        out.append(lead + delimiter + core + delimiter + trail)
    else:
        tags = _HTML[MARK_O + kind], _HTML[MARK_C + kind]
        out.append(lead + tags[0] + core + tags[1] + trail)


def _em(el: etree._Element, out: list[str], flags: int) -> None:
    if flags & NO_EMPHASIS:
        _inline(el, out, flags & ~WHOLE_BLOCK)
    else:
        _span(el, out, flags, "e")


def _strong(el: etree._Element, out: list[str], flags: int) -> None:
    if flags & NO_EMPHASIS:
        _inline(el, out, flags & ~WHOLE_BLOCK)
    else:
        _span(el, out, flags, "t")


def _strike(el: etree._Element, out: list[str], flags: int) -> None:
    _span(el, out, flags, "s")


def _raw_tag(el: etree._Element, out: list[str], flags: int) -> None:
    """sub/sup: GFM allows inline HTML and has no syntax of its own for them."""
    sub: list[str] = []
    _inline(el, sub, flags & ~WHOLE_BLOCK)
    inner = "".join(sub)
    if inner.strip(_EDGE):
        tag = str(el.tag)
        out.append("<" + tag + ">" + inner + "</" + tag + ">")
    elif inner:
        out.append(inner)


def _br(el: etree._Element, out: list[str], flags: int) -> None:
    out.append(BR)


def _code(el: etree._Element, out: list[str], flags: int) -> None:
    text = "".join(el.itertext()) if len(el) else (el.text or "")
    text = _collapse(text)
    lead, core, trail = _split_edges(text)
    if not core:
        if text:
            out.append(" ")
    elif flags & IN_LINK and "]" in core:
        # "[`]:x`](url)" at the start of a paragraph would be read as a link reference
        # definition (its label ends at the first "]", code span or not): use the HTML tag
        out.append(lead + "<code>" + _esc(core) + "</code>" + trail)
    else:
        out.append(lead + CODE_O + core + CODE_C + trail)  # the fence is chosen in _finish


def _code_spans(s: str) -> str:
    """Write each CODE_O content CODE_C as a code span, its fence longer than any backtick run
    inside (padded with a space when the content starts or ends with a backtick)."""
    parts: list[str] = []
    start = 0
    i = s.find(CODE_O)
    while i >= 0:
        j = s.find(CODE_C, i)
        core = s[i + 1 : j]
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


def _link(el: etree._Element, out: list[str], flags: int) -> None:
    href = el.get("href")
    if href is None or flags & IN_LINK:
        _inline(el, out, flags & ~WHOLE_BLOCK)
        return
    if len(el):
        sub: list[str] = []
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
    "sub": _raw_tag,
    "sup": _raw_tag,
    "s": _strike,
    "del": _strike,
    "strike": _strike,
    # libxml2 does not know <wbr> is void: what follows it becomes its content
    "wbr": _plain,
    **{
        tag: _plain
        for tag in (
            "small", "mark", "abbr", "cite", "q", "kbd", "var", "samp", "dfn", "time", "bdi",
            "bdo", "u", "ins", "span", "font", "big",
        )
    },
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


def _emphasised(
    el: etree._Element, out: list[str], flags: int, delimiter: str, tags: tuple[str, str]
) -> None:
    """A paragraph emphasised as a whole (em/strong inside dropped, links kept). Its delimiters
    sit at the paragraph's edges, where they always work unless the text itself starts or ends
    with a Unicode space (a no-break space): then the HTML tags."""
    pieces: list[str] = []
    _inline(el, pieces, flags | NO_EMPHASIS | WHOLE_BLOCK)
    s = _finish(pieces)
    if s:
        if _char_class(s[0]) == _SPACE or _char_class(s[-1]) == _SPACE:
            out.append(tags[0] + s + tags[1])
        else:
            out.append(delimiter + s + delimiter)


def _caption(el: etree._Element, out: list[str], flags: int) -> None:
    """A figure caption: an italic paragraph."""
    _emphasised(el, out, flags, "*", ("<em>", "</em>"))


def _term(el: etree._Element, out: list[str], flags: int) -> None:
    """A definition list term: a bold paragraph."""
    _emphasised(el, out, flags, "**", ("<strong>", "</strong>"))


def _hr(el: etree._Element, out: list[str], flags: int) -> None:
    out.append("---")


def _pre_text(el: etree._Element) -> str:
    if next(el.iter("br"), None) is None:
        return "".join(el.itertext())
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        if node.text:
            parts.append(node.text)
        for child in node:
            if child.tag == "br":
                parts.append("\n")
            else:
                walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(el)
    return "".join(parts)


def _pre(el: etree._Element, out: list[str], flags: int) -> None:
    text = _pre_text(el)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("\n"):  # HTML ignores a newline right after <pre>
        text = text[1:]
    if text and not text.endswith("\n"):
        text += "\n"
    fence = "```"
    if "`" in text:
        fence = "`" * max(3, max(len(run) for run in _BACKTICKS.findall(text)) + 1)
    out.append(fence + "\n" + text + fence)


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


def _simple_table(table: etree._Element) -> bool:
    """No nested table, no block inside a cell (but <td><p>x</p></td>), no col/row spans."""
    for node in table.iter():
        tag = node.tag
        if tag == "td" or tag == "th":
            if node.keys():
                if (node.get("colspan") or "1").strip() != "1":
                    return False
                if (node.get("rowspan") or "1").strip() != "1":
                    return False
        elif tag in _BLOCK:
            if tag in _TABLE_PARTS:
                if tag == "table" and node is not table:
                    return False
                continue
            if tag != "p":
                return False
            cell = node.getparent()
            if cell is None or cell.tag not in _CELLS or len(cell) != 1:
                return False
            if _has_text(cell.text) or _has_text(node.tail):
                return False
        elif tag == "code" and "|" in "".join(node.itertext()):
            return False  # "\\|" inside a code span is read differently by parsers
    return True


def _gfm_rows(table: etree._Element, flags: int) -> list[list[str]] | None:
    """The rendered cells of a table a GFM pipe table can carry, or None."""
    if _has_text(table.text) or not _simple_table(table):
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
    if len(groups[0]) > 1:
        return None
    rows: list[list[str]] = []
    width = -1
    for tr in groups[0] + groups[1] + groups[2]:
        if _has_text(tr.text):
            return None
        cells: list[str] = []
        for cell in tr[:]:
            tail = cell.tail
            if cell.tag not in _CELLS or (tail and tail.strip(" \t\n\r\f")):
                return None
            if not len(cell):  # text only
                cells.append(_text_block(cell.text, flags))
                continue
            pieces: list[str] = []
            if len(cell) == 1 and cell[0].tag == "p":
                _inline(cell[0], pieces, flags | WHOLE_BLOCK)  # <td><p>x</p></td>: inline content
            else:
                _inline(cell, pieces, flags | WHOLE_BLOCK)
            cells.append(_finish(pieces, _CELL))
        if width < 0:
            width = len(cells)
        elif len(cells) != width:
            return None  # ragged rows: GFM would pad or drop cells
        rows.append(cells)
    if width <= 0:
        return None
    return rows


def _raw_html(el: etree._Element) -> str:
    """The element as an HTML block; blank lines (which would end it) become &#10;."""
    html = etree.tostring(el, method="html", encoding="unicode", with_tail=False).strip()
    if "\n" in html:
        html = _BLANK_LINE.sub("&#10;", html)
    return html


def _table(el: etree._Element, out: list[str], flags: int) -> None:
    rows = _gfm_rows(el, flags)
    if rows is None:
        out.append(_raw_html(el))
        return
    for child in el[:]:
        if child.tag == "caption":
            _paragraph(child, out, flags)
            break
    lines: list[str] = []
    for cells in rows:
        lines.append("| " + " | ".join(cells) + " |")
        if len(lines) == 1:
            lines.append("|" + " --- |" * len(cells))
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


def _has_block(el: etree._Element) -> bool:
    return any(isinstance(node.tag, str) and node.tag in _BLOCK for node in el.iterdescendants())


def _one(el: etree._Element, out: list[str], flags: int) -> None:
    """Render a single element as block(s)."""
    handler = _BLOCK.get(str(el.tag))
    if handler is not None:
        handler(el, out, flags)
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
