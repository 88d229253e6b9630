"""The string side of the Markdown writer (body.py walks the tree and calls these): the
markers that stand for breaks, emphasis and code spans until a block is complete, CommonMark's
escaping of text, link destinations and titles, and the resolution of emphasis markers by the
flanking rules. Each rule is described in body.py's docstring; no lxml here."""

from __future__ import annotations

import re
import unicodedata

# Markers: lone surrogates, which a parsed lxml tree can never hold in its text or attributes
# (lxml stops at one in its input, and libxml2 turns references to one into U+FFFD), and which
# are cheap to look for in both 1- and 2-byte strings.
# Emphasis markers are two characters: an opening or closing mark, then the kind (e: em,
# t: strong, s: strikethrough; E and T: an em inside a strong, a strong inside an em), so that
# finding them all takes two searches.
MARK_O, MARK_C = chr(0xDB01), chr(0xDB02)  # chr(): mypyc takes no surrogate literal
EM_O, EM_C, ST_O, ST_C, S_O, S_C = (m + k for k in "ets" for m in (MARK_O, MARK_C))
EMN_O, EMN_C, STN_O, STN_C = (m + k for k in "ET" for m in (MARK_O, MARK_C))
CODE_O, CODE_C = chr(0xDB07), chr(0xDB08)  # a code span's content: its fence is chosen in _finish
BR = chr(0xDB09)  # a hard break: "\\" + newline in a paragraph, a space in a cell or heading
_DELIMITERS = ("*", "**", "~~", "*", "**")  # of the kinds e, t, s, E, T
_MD = {m + k: d for k, d in zip("etsET", _DELIMITERS, strict=True) for m in (MARK_O, MARK_C)}
# B: an em and a strong that start and end together, one "***" run each side (_twins).
_MD[MARK_O + "B"] = _MD[MARK_C + "B"] = "***"
_ASTERISK_CLOSERS = frozenset({EM_C, ST_C, EMN_C, STN_C, MARK_C + "B"})
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

# Character classes for the flanking rules, as markdown-it / CommonMark define them.
_WHITESPACE = frozenset(
    "\t\n\x0b\x0c\r \xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u202f\u205f\u3000"
)
_ASCII_PUNCT = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
# Moved out of an emphasis span's inner edges: every character CommonMark counts as whitespace
# next to a delimiter (a closer after "&nbsp;" cannot close), not only the collapsible ones
# ("<strong><em>Theresia Bauer,&nbsp;</em></strong>Ministerin" lost its bold: news 6000038).
_SPAN_EDGE = _EDGE + "".join(sorted(_WHITESPACE - frozenset(_EDGE)))
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


# character → class, filled as characters are met (a code span's markers are its backticks)
_CLASSES: dict[str, int] = {CODE_O: _PUNCT, CODE_C: _PUNCT}


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


def _side(parts: list[str], on: list[bool], i: int, before: bool, para: bool) -> tuple[int, str]:
    """Class of the character written on one side of a marker (``parts[i]`` is the text there)
    and the delimiter run it touches: the marker beyond an empty text when that marker is
    still written (a delimiter is punctuation), "*" or "~" for a text that ends in one not
    escaped (a delimiter written by _span: never glue to it), else "". Dropped markers write
    nothing: the walk goes on past them."""
    last = len(parts) - 1
    while True:
        text = parts[i]
        if text:
            ch = text[-1] if before else text[0]
            if ch in "*~":
                if before and (len(text[:-1]) - len(text[:-1].rstrip("\\"))) % 2:
                    return _PUNCT, ""  # "\\*": a literal asterisk
                return _PUNCT, ch
            cls = _CLASSES.get(ch)
            if cls is None:
                if ch == BR:  # "\\" + newline in a paragraph (a line start before it), else " "
                    return (_SPACE if before or not para else _PUNCT), ""
                cls = _char_class(ch)
            return cls, ""
        if i == 0 or i == last:
            return _SPACE, ""  # start or end of the line
        mark = i - 1 if before else i + 1
        if on[mark]:
            return _PUNCT, parts[mark]
        i = mark - 1 if before else mark + 1


def _asterisk_run(
    parts: list[str], on: list[bool], i: int, para: bool
) -> tuple[int, int, list[str]]:
    """The classes of the characters on each side of the delimiter run that marker i is
    written in, and that run: written closers (openers) with asterisk delimiters, between
    which only empty texts and dropped markers stand, are one run for CommonMark
    (``*x **y?***``: the strong's closer and the em's make "***", between "?" and the end of
    the line). A closer glued to an opener is refused by _valid (it is ambiguous), so the
    run stops there."""
    first = last = i
    mark = parts[i][0]
    k = i
    while k > 2 and not parts[k - 1]:
        k -= 2
        if on[k]:
            if parts[k][0] != mark or _MD[parts[k]][0] != "*":
                break
            first = k
    k = i
    while k + 2 < len(parts) and not parts[k + 1]:
        k += 2
        if on[k]:
            if parts[k][0] != mark or _MD[parts[k]][0] != "*":
                break
            last = k
    run = [parts[m] for m in range(first, last + 1, 2) if on[m]]
    before = _side(parts, on, first - 1, True, para)[0]
    return before, _side(parts, on, last + 1, False, para)[0], run


def _opens(prev: int, nxt: int) -> bool:
    """A delimiter run between characters of these classes is left-flanking (can open)."""
    return nxt != _SPACE and (nxt != _PUNCT or prev != _OTHER)


def _closes(prev: int, nxt: int) -> bool:
    """... is right-flanking (can close)."""
    return prev != _SPACE and (prev != _PUNCT or nxt != _OTHER)


def _valid(parts: list[str], on: list[bool], j: int, i: int, para: bool) -> bool:
    """Whether the delimiters of the pair of markers j (opener) and i (closer), written with
    the pairs still ``on``, make exactly this span under CommonMark's rules.

    The opener must be left-flanking and the closer right-flanking, each as the whole run it
    is written in (_asterisk_run). A delimiter that is both (intraword: ``a*b*c``, or between
    punctuation: ``*x **y?***,``) is first tried as a closer. With nested spans of the same
    kind flattened (see _em), a both-flanking closer pairs with its own opener, the nearest,
    when the "multiple of 3" rule lets it (_rule_of_3). A both-flanking opener could pair with
    an enclosing ``*`` run whose length that rule does not keep apart (``***a*b*c***``: a
    strong and an em opening together), so inside an em or strong (kinds E, T) it is not used;
    elsewhere no opener of its kind is open before it. A delimiter touching another run must
    not merge with it into an ambiguous one.
    """
    kind = parts[i][1]
    o_prev, o_prev_run = _side(parts, on, j - 1, True, para)
    o_next, o_next_run = _side(parts, on, j + 1, False, para)
    c_prev, c_prev_run = _side(parts, on, i - 1, True, para)
    c_next, c_next_run = _side(parts, on, i + 1, False, para)
    o_run: list[str] = []
    c_run: list[str] = []
    if kind == "s":  # "~~" never joins an asterisk run
        o_run, c_run = [parts[j]], [parts[i]]
    elif o_prev_run or o_next_run or c_prev_run or c_next_run:
        # an asterisk delimiter flanks as the whole run it is written in
        o_prev, o_next, o_run = _asterisk_run(parts, on, j, para)
        c_prev, c_next, c_run = _asterisk_run(parts, on, i, para)
    if not (_opens(o_prev, o_next) and _closes(c_prev, c_next)):
        return False
    if _closes(o_prev, o_next) and (
        (kind in "ET" and not _shut_out(parts, on, j, o_run or [parts[j]], para))
        or ((o_prev_run or o_next_run) and not _rule_of_3(o_run, c_run))
    ):
        return False
    if (c_prev_run or c_next_run) and _opens(c_prev, c_next) and not _rule_of_3(o_run, c_run):
        return False
    runs = (o_prev_run, o_next_run, c_prev_run, c_next_run)
    return (
        # a delimiter run touching one of the same kind would merge with it
        kind.lower() not in [run[1:].lower() for run in runs]
        # "*a***b**": a closer run glued to an opener run is ambiguous
        and not (kind != "s" and o_prev_run in _ASTERISK_CLOSERS)
        and "*" not in runs
        and "~" not in runs
    )


def _shut_out(parts: list[str], on: list[bool], j: int, run: list[str], para: bool) -> bool:
    """Whether an opener that could also close (its ``run``) is kept from closing every
    enclosing ``*`` span by the "multiple of 3" rule (``**~~*“q”*~~**``: 2 + 1), so that it
    opens. An enclosing opener is one before j whose closer is not, outside j's own run."""
    depth = 0
    joined = True  # k is in j's own run: no text between them
    for k in range(j - 2, 0, -2):
        joined = joined and not parts[k + 1]
        if not parts[k]:  # an em of _twins, written by its strong's "***" (and so its pair)
            continue
        if parts[k][0] == MARK_C:
            depth += 1
        elif depth:
            depth -= 1
        elif (
            on[k]
            and _MD[parts[k]][0] == "*"
            and not joined
            and _rule_of_3(_asterisk_run(parts, on, k, para)[2], run)
        ):
            return False
    return True


def _rule_of_3(o_run: list[str], c_run: list[str]) -> bool:
    """CommonMark 6.2, rule 9: where a delimiter run could both open and close, the lengths of
    the opener's run and the closer's must not add up to a multiple of 3, unless both are
    (for asterisk runs as for "~~" in markdown-it)."""
    a = sum(len(_MD[mark]) for mark in o_run)
    b = sum(len(_MD[mark]) for mark in c_run)
    return (a + b) % 3 != 0 or (a % 3 == 0 and b % 3 == 0)


# May be markup (the ")" ending a link or an image), an escape or a marker: never moved (and
# never classed: _CLASSES must not learn a class for BR, which depends on where it is). "(" is
# markup only inside a link's "](…)", never at the edge of a text: it moves ("**x (**y)").
_UNMOVABLE = frozenset("\\[])!<>*~_&|`#" + _MARKS + CODE_O + CODE_C + BR)


def _movable(ch: str) -> bool:
    """Unicode whitespace or punctuation that is plain text wherever it stands."""
    return ch not in _UNMOVABLE and _char_class(ch) != _OTHER


def _movable_end(text: str, k: int, after: str) -> bool:
    """Whether ``text[k - 1]``, at the end of a span's text, moves out of it, before the text
    ``after``: a ")" too when the text holds no link, whose destination it could end
    ("**(b)**w" lost its bold), and a "!" that no link follows, which would make it an image
    ("**é!**w")."""
    ch = text[k - 1]
    if ch == ")":
        return "](" not in text
    if ch == "!":
        return after[:1] != "["
    return _movable(ch)


def _shrink(parts: list[str], on: list[bool], j: int, i: int, para: bool) -> bool:
    """A span that fails only because it starts (ends) with punctuation glued to a word
    outside (``x<em>“q”</em>s``): move that punctuation out of it (``x“*q*”s``), when what
    stays inside starts (ends) with a character of its own or with a span still written
    (``x <strong>y <em>q,</em></strong>z``: the "," left the em, then the strong). The
    punctuation may be that of a span inside that starts (ends) with this one: it leaves
    both (``<strong><s>a?</s></strong>w`` is ``**~~a~~**?w``). True when anything moved."""
    moved = False
    o_prev, o_next = _flanks(parts, on, j, para)
    at = _first_text(parts, on, j + 1, 2)
    inner = parts[at]
    if not _opens(o_prev, o_next) and inner:
        k = 0
        while k < len(inner) and _movable(inner[k]):
            k += 1
        if k and (k < len(inner) or _writes_more(parts, on, at, 1) or _unwrite(on, at)):
            parts[j - 1] += inner[:k]
            parts[at] = inner[k:]
            moved = True
    c_prev, c_next = _flanks(parts, on, i, para)
    at = _first_text(parts, on, i - 1, -2)
    inner = parts[at]
    if not _closes(c_prev, c_next) and inner:
        k = len(inner)
        while k > 0 and _movable_end(inner, k, parts[i + 1]):
            k -= 1
        if k < len(inner) and (k or _writes_more(parts, on, at, -1) or _unwrite(on, at)):
            parts[i + 1] = inner[k:] + parts[i + 1]
            parts[at] = inner[:k]
            moved = True
    return moved


def _writes_more(parts: list[str], on: list[bool], at: int, step: int) -> bool:
    """Whether the innermost span written around text ``at`` holds more after it (``step``
    1; before it: -1) than that text: a text, or a span written inside. Then all of the text
    can move out without leaving a span empty."""
    x = at + step
    while 0 < x < len(parts) - 1:
        if x % 2 == 0:  # texts and markers alternate: text, marker, ..., text
            if parts[x]:
                return True
        elif on[x]:  # a span written inside (its near marker), or the innermost one's end
            return parts[x][0] == (MARK_O if step > 0 else MARK_C)
        x += step
    return False


def _unwrite(on: list[bool], at: int) -> bool:
    """Stop writing the span whose whole content is text ``at``, punctuation that is about to
    move out of it and of the span around (``<em>a <strong>—</strong></em>w`` is ``*a* —w``:
    the em is kept, the strong of a dash is not): the nearest markers still written on each
    side (past empty texts and markers no longer written) are its own. Always True."""
    for step in (-1, 1):
        x = at + step
        while not on[x]:
            x += 2 * step
        on[x] = False
    return True


def _flanks(parts: list[str], on: list[bool], m: int, para: bool) -> tuple[int, int]:
    """The classes of the characters on each side of marker m's delimiter, as _valid sees
    them: those of the whole asterisk run it is written in, if it touches one."""
    prev, prev_run = _side(parts, on, m - 1, True, para)
    nxt, next_run = _side(parts, on, m + 1, False, para)
    if parts[m][1] != "s" and (prev_run or next_run):
        prev, nxt, _ = _asterisk_run(parts, on, m, para)
    return prev, nxt


def _first_text(parts: list[str], on: list[bool], k: int, step: int) -> int:
    """The text next to a span's delimiter on its inside, from ``parts[k]`` on (``step``: 2
    from an opener, -2 from a closer): past empty texts, the markers of spans no longer
    written (an em merged into its strong by _twins, ``<strong><em>x,</em></strong>y``),
    which write nothing, and those of spans inside that start (end) here too."""
    inward = MARK_O if step > 0 else MARK_C
    m = k + step // 2
    while not parts[k] and 0 < m < len(parts) - 1 and (not on[m] or parts[m][0] == inward):
        k += step
        m += step
    return k


def _twins(
    parts: list[str], on: list[bool], pairs: list[tuple[int, int]], para: bool
) -> list[tuple[int, int]]:
    """An em and a strong that start and end together (``<strong><em>x</em></strong>``) as one
    span of kind B, written ``***x***``, which CommonMark reads as both (spec example 413), when
    that is valid where it stands. Written as two, the delimiters of the outer one touch the
    inner one's, which _valid refuses: "<strong><em>x</em></strong>." lost its bold."""
    closer_of = dict(pairs)
    inner: set[int] = set()
    for j, i in pairs:
        kind, outer = parts[i][1], closer_of.get(j - 2)
        if kind not in "ET" or outer != i + 2 or parts[j - 1] or parts[i + 1]:
            continue
        if parts[i + 2][1] == "s":  # "<strong><s><em>x</em></s></strong>": the s is between
            continue
        saved = parts[j - 2], parts[i + 2], parts[j], parts[i]
        parts[j - 2], parts[i + 2] = MARK_O + "B", MARK_C + "B"
        parts[j] = parts[i] = ""
        on[j] = on[i] = False
        if _valid(parts, on, j - 2, i + 2, para):
            inner.add(j)
        else:  # as two spans, as before
            parts[j - 2], parts[i + 2], parts[j], parts[i] = saved
            on[j] = on[i] = True
    return [(j, i) for j, i in pairs if j not in inner] if inner else pairs


_ROUNDS = 4  # rounds of _resolve before giving up on a paragraph's emphasis (never seen)


def _resolve(s: str, para: bool) -> str:
    """Turn emphasis markers into Markdown delimiters, or drop them where those would fail.

    Never inline HTML (renderers with raw HTML off, such as Hugo's default, drop it with its
    text): a span whose delimiters CommonMark would read otherwise, in the exact context they
    end up in (_valid), first has punctuation at its edges moved out of it (_shrink), and else
    is written as its plain text. Dropping a span's markers changes what its neighbours touch,
    so the check runs again over all the spans until nothing changes.
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
    pairs: list[tuple[int, int]] = []  # (opener, closer), innermost first
    stack: list[int] = []
    for i in range(1, len(parts), 2):
        if parts[i][0] == MARK_O:
            stack.append(i)
        else:
            pairs.append((stack.pop(), i))
    on = [True] * len(parts)
    if len(pairs) > 1:
        pairs = _twins(parts, on, pairs, para)
    for _ in range(_ROUNDS):
        changed = False
        for j, i in pairs:
            if on[i] and not _valid(parts, on, j, i, para):
                changed = True
                while _shrink(parts, on, j, i, para):  # (each round moves a character out)
                    if _valid(parts, on, j, i, para):
                        break
                else:
                    on[j] = on[i] = False
        if not changed:
            break
    else:
        on = [False] * len(parts)  # did not settle: plain text
    for j, i in pairs:
        if on[i]:
            parts[j] = parts[i] = _MD[parts[i]]
        else:
            parts[j] = parts[i] = ""
    written = [part for part in parts if part]
    for k in range(1, len(written)):  # "!" + a dropped span's "[link](url)": not an image
        if written[k][0] == "[" and _bang(written[k - 1]):
            written[k - 1] = written[k - 1][:-1] + "\\!"
    return "".join(written)


# A span, then a span of the other kind whose whole content is one of the first kind (or the
# other way round): as the first kind holding the other, which CommonMark can write where the
# glued runs ("**a*****b***") cannot. "<strong>Keynote „</strong><em><strong>Neuland?!“
# </strong></em>" lost both (news 6000038). Emphasis does not nest in its own kind (see _em),
# so the first closer of the inner kind after its opener is its own.
# (glued: closer + opener + inner opener, inner closer, outer closer, written as: opener, closer)
_ACROSS = (
    (ST_C + EM_O + STN_O, STN_C, EM_C, EMN_O, EMN_C + ST_C),
    (EM_C + ST_O + EMN_O, EMN_C, ST_C, STN_O, STN_C + EM_C),
)
# the same the other way round: (outer opener + inner opener, inner closer + outer closer + opener,
# written as: opener, closer)
_ACROSS_BACK = (
    (EM_O + STN_O, STN_C + EM_C + ST_O, ST_O + EMN_O, EMN_C),
    (ST_O + EMN_O, EMN_C + ST_C + EM_O, EM_O + STN_O, STN_C),
)


def _join_across(s: str) -> str:
    """``s`` with the spans described at _ACROSS joined, each where its inner span is all of
    the wrapper's content."""
    for glued, inner_c, outer_c, new_o, new_c in _ACROSS:
        i = s.find(glued)
        while i >= 0:
            k = s.find(inner_c, i + len(glued))
            if k >= 0 and s.startswith(outer_c, k + len(inner_c)):
                s = s[:i] + new_o + s[i + len(glued) : k] + new_c + s[k + len(inner_c) + 2 :]
            i = s.find(glued, i + 1)
    for opener, glued, new_o, new_c in _ACROSS_BACK:
        i = s.find(glued)
        while i >= 0:
            o = s.rfind(opener[:2], 0, i)  # the wrapper's opener: it does not nest
            if o >= 0 and s.startswith(opener, o) and s.find(glued[:2], o, i) < 0:
                s = s[:o] + new_o + s[o + 4 : i] + new_c + s[i + 6 :]
            i = s.find(glued, i + 1)
    return s


def _bang(text: str) -> bool:
    """``text`` ends with a "!" that is not escaped (it would make an image of a link after)."""
    return text[-1] == "!" and (len(text) - 1 - len(text[:-1].rstrip("\\"))) % 2 == 0
