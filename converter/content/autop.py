"""WordPress paragraph rules for classic-editor ``post_content``.

Written from the documented rules (docs/source-format.md §6.2), not from WordPress's GPL code:
blank lines make paragraphs, single newlines make ``<br />``, block tags are never wrapped in
``<p>``, ``<pre>`` is left untouched, and newlines inside tags are not touched.
"""

from __future__ import annotations

import re

__all__ = ["autop"]

# §6.2 rule 4: the block list. img, iframe, script, span and a are not blocks.
BLOCKS = (
    r"(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form"
    r"|map|area|blockquote|address|style|p|h[1-6]|hr|fieldset|legend|section|article|aside"
    r"|hgroup|header|footer|nav|figure|figcaption|details|menu|summary)"
)
_PRE = re.compile(r"<pre(?=[\s>]).*?</pre\s*>", re.S)
_PRE_SLOT = re.compile(r"<pre wp-pre-tag-(\d+)></pre>")
_DOUBLE_BR = re.compile(r"<br\s*/?>\s*<br\s*/?>")
_OPEN_BLOCK = re.compile(rf"(<{BLOCKS}[\s/>])")
_CLOSE_BLOCK = re.compile(rf"(</{BLOCKS}>)")
_HR = re.compile(r"(<hr\s*?/?>)")
_TAG_WITH_NL = re.compile(r"<[^<>\n]*\n[^<>]*>")  # no backtracking: [^\n] first
_UPPER_TAG = re.compile(r"</?[A-Z][A-Za-z0-9]*")
_NL_SLOT = "\ue000"  # private-use placeholder for a newline inside a tag (rule 6)
_KEEP_NL = re.compile(r"<(script|style|svg)[\s>].*?</\1>", re.S)
_KEEP_SLOT = "\ue001"
_AROUND_FIGCAPTION = re.compile(r"\s*(</?figcaption[^>]*>)\s*")
_AROUND_SOURCE = re.compile(r"\s*(<(?:source|track|option)[^>]*>)\s*")
_MANY_NL = re.compile(r"\n\n+")
_SPLIT = re.compile(r"\n\s*\n")
_EMPTY_P = re.compile(r"<p>\s*</p>")
_P_BEFORE_CLOSE = re.compile(r"<p>([^<]+)</(div|address|form)>")
_P_AROUND_BLOCK = re.compile(rf"<p>\s*(</?{BLOCKS}[^>]*>)\s*</p>")
_P_AROUND_LI = re.compile(r"<p>(<li.+?)</p>", re.S)
_P_BQ_OPEN = re.compile(r"<p><blockquote([^>]*)>")
_P_BQ_CLOSE = re.compile(r"</blockquote></p>")
_P_BEFORE_BLOCK = re.compile(rf"<p>\s*(</?{BLOCKS}[^>]*>)")
_P_AFTER_BLOCK = re.compile(rf"(</?{BLOCKS}[^>]*>)\s*</p>")
_BR_FORMS = re.compile(r"<br>|<br/>")
_BR_AFTER_BLOCK = re.compile(rf"(</?{BLOCKS}[^>]*>)\s*<br />")
_BR_BEFORE_BLOCK = re.compile(r"<br />(\s*</?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)[^>]*>)")


def _group1(m: re.Match[str]) -> str:
    # A function, not the r"\1" template: 3.11 expands templates in Python, per match.
    return m[1]


def _then_blank_line(m: re.Match[str]) -> str:
    return m[0] + "\n\n"


def autop(text: str) -> str:
    """Turn WordPress classic-editor text into HTML paragraphs (§6.2 rules 1-11)."""
    if not text.strip():  # rule 1
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n") + "\n"
    # The rules below match lower-case tag names only; legacy imports have <P> and <BR>.
    if _UPPER_TAG.search(text):
        text = _UPPER_TAG.sub(lambda m: m.group(0).lower(), text)

    pres: list[str] = []  # rule 2: <pre> blocks are set aside and restored untouched

    def stash(m: re.Match[str]) -> str:
        pres.append(m.group(0))
        return f"<pre wp-pre-tag-{len(pres) - 1}></pre>"

    if "<pre" in text or "<PRE" in text:
        text = _PRE.sub(stash, text)

    if "<br" in text:
        text = _DOUBLE_BR.sub("\n\n", text)  # rule 3
    text = _OPEN_BLOCK.sub(lambda m: "\n\n" + m[1], text)  # rule 5
    text = _CLOSE_BLOCK.sub(_then_blank_line, text)
    if "<hr" in text:
        text = _HR.sub(_then_blank_line, text)
    # rule 6: newlines inside tags are not paragraph breaks
    text = _TAG_WITH_NL.sub(lambda m: m.group(0).replace("\n", _NL_SLOT), text)
    # rule 7: whitespace around figcaption, source, track and option is not text
    if "<figcaption" in text or "</figcaption" in text:
        text = _AROUND_FIGCAPTION.sub(_group1, text)
    if "<source" in text or "<track" in text or "<option" in text:
        text = _AROUND_SOURCE.sub(_group1, text)

    text = _MANY_NL.sub("\n\n", text)  # rule 8
    out = [f"<p>{piece.strip(chr(10))}</p>\n" for piece in _SPLIT.split(text) if piece.strip()]
    text = "".join(out)

    # rule 9: clean-ups around block tags
    text = _EMPTY_P.sub("", text)
    text = _P_BEFORE_CLOSE.sub(r"<p>\1</p></\2>", text)
    text = _P_AROUND_BLOCK.sub(_group1, text)
    if "<li" in text:
        text = _P_AROUND_LI.sub(_group1, text)
    if "<blockquote" in text:
        text = _P_BQ_OPEN.sub(r"<blockquote\1><p>", text)
        text = _P_BQ_CLOSE.sub("</p></blockquote>", text)
    text = _P_BEFORE_BLOCK.sub(_group1, text)
    text = _P_AFTER_BLOCK.sub(_group1, text)

    # rule 10: remaining single newlines are line breaks, except inside script/style/svg
    kept = text
    if "<script" in kept or "<style" in kept or "<svg" in kept:
        kept = _KEEP_NL.sub(lambda m: m.group(0).replace("\n", _KEEP_SLOT), kept)
    if "<br>" in kept or "<br/>" in kept:
        kept = _BR_FORMS.sub("<br />", kept)
    kept = _newlines_to_br(kept)
    text = kept.replace(_KEEP_SLOT, "\n")

    # rule 11: no <br /> right after a block tag or right before a closing/opening one
    text = _BR_AFTER_BLOCK.sub(_group1, text)
    text = _BR_BEFORE_BLOCK.sub(_group1, text)
    text = re.sub(r"\n</p>$", "</p>", text)

    if pres:
        text = _PRE_SLOT.sub(lambda m: pres[int(m.group(1))], text)
    return text.replace(_NL_SLOT, "\n")


def _newlines_to_br(text: str) -> str:
    """Rule 10: a newline not already after ``<br />`` becomes ``<br />`` + newline.

    Line by line rather than the ``(?<!<br />)\\s*\\n`` regex, which backtracks at every space.
    """
    lines = text.split("\n")
    last = len(lines) - 1
    out = []
    for i, line in enumerate(lines):
        if i < last:
            line = line.rstrip()
            if not line.endswith("<br />"):
                line += "<br />"
        out.append(line)
    return "\n".join(out)
