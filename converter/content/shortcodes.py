"""WordPress shortcodes, written from the documented grammar (docs/source-format.md §7).

Only registered names are matched (caption, wp_caption, gallery, playlist, audio, video, embed,
and WordPress.com's youtube, vimeo, tweet);
``[[tag]]`` is the escape for a literal ``[tag]``; unknown ``[foo]`` text stays as it is.
As WordPress, shortcodes are expanded in text only: not inside HTML comments (WordPress leaves
them alone) nor inside a tag (its attribute values: there the replacement's markup and quotes
would end the attribute and split the element). A tokenizer-level split of the raw string finds
the comments and tags (``_MARKUP``) and hides their "[" from the shortcode regex.
Each handler builds its replacement with lxml and serialises it, so attribute values are escaped
by the library, never by string formatting.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html import unescape

from lxml import etree

from . import vocabulary as V
from .embeds import Embed, as_written, embed_figure, match_url, video_details

__all__ = ["ShortcodeResult", "expand", "protect"]

# WordPress's own, and the embed shortcodes of WordPress.com and Jetpack ([youtube=URL],
# [vimeo 123], [tweet URL]): common in blogs moved from WordPress.com (realworld-extra 4700019).
NAMES = (
    "caption", "wp_caption", "gallery", "playlist", "audio", "video", "embed",
    "youtube", "vimeo", "tweet",
)  # fmt: skip
# §7.1 tag regex: 1 escape "[", 2 name, 3 attributes, 4 self-closing "/", 5 content, 6 escape "]".
_OPENING = r"\[(\[?)(" + "|".join(NAMES) + r")(?![\w-])([^\]\/]*(?:\/(?!\])[^\]\/]*)*?)"
_SHORTCODE = re.compile(
    _OPENING + r"(?:(\/)\]|\](?:([^\[]*+(?:\[(?!\/\2\])[^\[]*+)*+)\[\/\2\])?)(\]?)"
)
_SHORTCODE_TAG = re.compile(_OPENING + r"(?:\/?\])")  # where _SHORTCODE matches, without content
# §7.1 attribute regex (WordPress 4.4+).
_ATTRS = re.compile(
    r"""([\w-]+)\s*=\s*"([^"]*)"(?:\s|$)|([\w-]+)\s*=\s*'([^']*)'(?:\s|$)"""
    r"""|([\w-]+)\s*=\s*([^\s'"]+)(?:\s|$)|"([^"]*)"(?:\s|$)|'([^']*)'(?:\s|$)|(\S+)(?:\s|$)"""
)


def _markup(no: str) -> str:
    """Comments and tags as the HTML5 tokenizer delimits them (quoted attribute values may hold
    ">"; the end of input ends any of them). ``no``: characters none of them may contain."""
    space = r"\t\n\f\r "
    value = (  # quoted (to the quote or the end), unquoted, or empty right before ">"
        rf""""[^"{no}]*+(?:"|\Z)|'[^'{no}]*+(?:'|\Z)"""
        rf"""|[^{space}>"'{no}][^{space}>{no}]*+|(?=>|\Z)"""
    )
    # After a name, "=" always starts its value: if no value matches, no attribute does.
    attribute = (
        rf"[^{space}/>{no}][^{space}/=>{no}]*+"
        rf"(?:[{space}]*+=[{space}]*+(?:{value}))?(?![{space}]*+=)"
    )
    return (
        rf"<!--(?:-?>|(?:[^-{no}]++|-(?!-!?>))*+(?:--!?>|\Z))"  # comment (<!--> is one too)
        rf"|</?[A-Za-z][^{space}/>{no}]*+(?:[{space}/]++|{attribute})*+(?:>|\Z)"  # tag
        rf"|<(?:!|\?|/(?![A-Za-z]))[^>{no}]*+(?:>|\Z)"  # bogus comment: <!x>, <?x>, </1>
    )


_MARKUP = re.compile(_markup(""))
# Text and bracket-free markup, possessively: stops at the first comment or tag holding "[".
_TO_BRACKETED_MARKUP = re.compile(r"(?:[^<]++|" + _markup(r"\[") + r"|<(?![A-Za-z!?/]))*+")
_HIDDEN_BRACKET = "\x00"  # XML cannot carry it: expand refuses a text holding one (ValueError)


class _NextToMarkup(Exception):
    """A shortcode tag may stand inside a tag: expand again, finding the markup exactly."""


class _Angles:
    """The nearest angle brackets around the shortcode tags of one pass over ``text``.

    ``next_to_markup(start, end)`` is True unless the shortcode tag ``text[start:end]`` clearly
    stands in text: the nearest angle bracket before it is a ">" (or none), the nearest after
    it a "<" (or none). The positions only grow during a pass, so each part of the text is
    searched once (``str.find``: memory speed), not once per tag: thousands of tags after
    the last "<" (or before the first) stay linear. The exact tokenizer scan
    (``_hide_brackets_in_markup``) costs ~10 ns a character and runs only when this is True.
    Not exact: a quoted attribute value holding ">", then a shortcode, then "<" passes as text
    and is expanded, as before this rule; the sanitiser still has the last word.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.searched = 0  # text[:searched] was searched backwards; ...
        self.before = ""  # ... its last angle bracket ("" for none)
        self.next_lt = self.next_gt = -1  # the first "<" / ">" at or after a position asked

    def next_to_markup(self, start: int, end: int) -> bool:
        text = self.text
        if start > self.searched:
            lt, gt = text.rfind("<", self.searched, start), text.rfind(">", self.searched, start)
            if lt >= 0 or gt >= 0:
                self.before = "<" if lt > gt else ">"
            self.searched = start
        if self.before == "<":
            return True
        if self.next_lt < end:  # none found (len), or found before ``end``: search on
            self.next_lt = text.find("<", end) % (len(text) + 1)  # -1 → len(text)
        if self.next_gt < end:
            self.next_gt = text.find(">", end) % (len(text) + 1)
        return self.next_gt < self.next_lt


def _has_comment(text: str) -> bool:
    """``"<!--" in text``, for a tenth of the cost on a body held as UCS-2 (curly quotes): a
    "!" is rare in prose, and finding one character is much faster than finding four."""
    position = text.find("!")
    while position >= 0:
        if text.startswith("<!--", position - 1):
            return True
        position = text.find("!", position + 1)
    return False


def _hide_brackets_in_markup(text: str) -> str:
    """``text`` with every "[" inside a comment or a tag replaced by ``_HIDDEN_BRACKET``."""
    out: list[str] = []
    position = 0
    while True:
        m = _TO_BRACKETED_MARKUP.match(text, position)  # always matches (maybe nothing)
        end = m.end() if m else position
        out.append(text[position:end])
        if end >= len(text):
            return "".join(out)
        markup = _MARKUP.match(text, end)
        stop = markup.end() if markup else end + 1
        out.append(text[end:stop].replace("[", _HIDDEN_BRACKET))
        position = stop


# §6.3 / §7.2: the image part of a caption (optionally inside a link), then the caption text.
_CAPTION_SPLIT = re.compile(r"^\s*((?:<a [^>]+>\s*)?<img [^>]+>(?:\s*</a>)?)(.*)$", re.S | re.I)
_FRAGMENT_PARSER = etree.HTMLParser(
    huge_tree=True,  # libxml2 otherwise drops whatever is nested deeper than 256, silently
    remove_comments=True,
    remove_pis=True,
    no_network=True,
)


@dataclass
class ShortcodeResult:
    html: str
    warnings: list[str] = field(default_factory=list)


def parse_attributes(text: str) -> dict[str, str]:
    """Shortcode attributes: names lower-cased, positional values numbered "0", "1", ..."""
    text = text.replace("\u00a0", " ").replace("\u200b", " ")
    out: dict[str, str] = {}
    position = 0
    for m in _ATTRS.finditer(text):
        if m.group(1):
            out[m.group(1).lower()] = m.group(2)
        elif m.group(3):
            out[m.group(3).lower()] = m.group(4)
        elif m.group(5):
            out[m.group(5).lower()] = m.group(6)
        else:
            value = m.group(7) if m.group(7) is not None else m.group(8)
            if value is None:
                value = m.group(9)
            out[str(position)] = value
            position += 1
    return out


def _fragment(html: str) -> list[etree._Element | str]:
    """Parse an HTML snippet into a list of leading text and elements (with tails)."""
    doc = etree.fromstring("<html><body>" + html + "</body></html>", _FRAGMENT_PARSER)
    body = doc.find("body")
    if body is None:
        return [html]
    items: list[etree._Element | str] = []
    if body.text:
        items.append(body.text)
    items.extend(body)
    return items


def _serialise(element: etree._Element) -> str:
    element.tail = None
    return etree.tostring(element, method="html", encoding="unicode")


def _fill(parent: etree._Element, items: list[etree._Element | str]) -> None:
    for item in items:
        if isinstance(item, str):
            if len(parent):
                parent[-1].tail = (parent[-1].tail or "") + item
            else:
                parent.text = (parent.text or "") + item
        else:
            parent.append(item)


def _caption(attrs: dict[str, str], content: str, warnings: list[str]) -> str:
    """[caption] -> <figure> image <figcaption>text</figcaption></figure> (§7.2)."""
    caption_html = attrs.get("caption", "")
    image_html = content
    if not caption_html:
        m = _CAPTION_SPLIT.match(content)
        if m:  # as WordPress: from here on the content is the image alone
            image_html, caption_html = m.group(1), m.group(2)
            content = image_html
    try:
        width = int(attrs.get("width", "1") or "0")
    except ValueError:
        width = 1
    if width < 1 or not caption_html.strip():
        return content  # WordPress returns the content unchanged
    figure = etree.Element("figure")
    _fill(figure, _fragment(image_html))
    figcaption = etree.SubElement(figure, "figcaption")
    _fill(figcaption, _fragment(caption_html.strip()))
    return _serialise(figure)


def _embed(attrs: dict[str, str], content: str, warnings: list[str]) -> str:
    url = (content or attrs.get("src", "") or attrs.get("0", "")).strip()
    embed = match_url(url)
    if embed is None:
        if not re.match(r"^https?://\S+$", url):
            warnings.append(f"[embed] without a usable URL: {url[:80]!r}")
            return ""
        embed = Embed("generic", url)
    return _serialise(embed_figure(as_written(embed, url)))


# A shortcode's replacement from its attributes and content (warnings appended to the list);
# None: the shortcode is left as it was written.
Handler = Callable[[dict[str, str], str, list[str]], str | None]

# Where a WordPress.com embed shortcode names its video or post: "[youtube=URL]" (Jetpack
# strips the "="), "[youtube URL]", "[vimeo 123]", "[vimeo id=123]", "[tweet 20]", or the content.
_POINTS_WITH = ("0", "url", "id", "clip_id", "tweet")
_BY_NUMBER = {"vimeo": "https://vimeo.com/{}", "tweet": "https://twitter.com/i/status/{}"}


def _provider_shortcode(name: str) -> Handler:
    """The embed a WordPress.com shortcode names; None (the text stays as written) when it
    names none: "[tweet deleted]" or "[Video]" is an editor's note, not a broken embed."""

    def handle(attrs: dict[str, str], content: str, warnings: list[str]) -> str | None:
        given = next((attrs[k] for k in _POINTS_WITH if attrs.get(k)), content)
        url = written = unescape(given.strip().lstrip("=").strip())
        if url.isdecimal() and name in _BY_NUMBER:
            url, written = _BY_NUMBER[name].format(url), ""  # (a number says nothing to a reader)
        embed = match_url(url)
        if embed is None:
            if not re.match(r"^https?://\S+$", url):
                return None
            embed = Embed("generic", url)
        return _serialise(embed_figure(as_written(embed, written)))

    return handle


def _media(kind: str) -> Handler:
    extensions = {
        "video": ("src", "mp4", "m4v", "webm", "ogv", "wmv", "flv"),
        "audio": ("src", "mp3", "m4a", "ogg", "wav", "wma", "flac"),
    }[kind]

    def handle(attrs: dict[str, str], content: str, warnings: list[str]) -> str:
        src = next((attrs[k] for k in extensions if attrs.get(k)), "").strip()
        # WordPress.com's own form names the file first: "[audio https://…/a.mp3|titles=…]"
        # (the Theme Unit Test data's audio post). Core ignores it; it is the only source.
        written = unescape(attrs.get("0", "").split("|")[0].strip())
        if not src and re.match(r"^https?://\S+$", written):
            src = written
        if not src:
            warnings.append(f"[{kind}] without a source was dropped")
            return ""
        embed = match_url(src) or Embed(kind, src, player=src)
        embed = video_details(embed, attrs.get("poster"), attrs.get("width"), attrs.get("height"))
        return _serialise(embed_figure(embed))

    return handle


def _gallery(attrs: dict[str, str], content: str, warnings: list[str]) -> str:
    # The ids refer to WordPress attachments the export does not carry (§7.3).
    warnings.append(f"[gallery ids={attrs.get('ids', '')!r}] refers to images not in the export")
    return ""


HANDLERS: dict[str, Handler] = {
    "caption": _caption,
    "wp_caption": _caption,
    "embed": _embed,
    "video": _media("video"),
    "audio": _media("audio"),
    "gallery": _gallery,
    "playlist": _gallery,
    "youtube": _provider_shortcode("youtube"),
    "vimeo": _provider_shortcode("vimeo"),
    "tweet": _provider_shortcode("tweet"),
}


_LITERAL = re.compile(r"\[(?=(?:" + "|".join(NAMES) + r")(?![\w-]))")


def protect(html: str) -> str:
    """Write a literal "[" before a registered name as ``&#91;`` in the final HTML.

    The text reads the same, but normalising the output again cannot turn what was an escaped
    ``[[gallery ids="1"]]`` into a gallery: the pipeline is idempotent.
    """
    return _LITERAL.sub("&#91;", html) if "[" in html else html


# Code blocks of the syntax-highlighting plugins (SyntaxHighlighter Evolved and its kind:
# [sourcecode language="java"]…[/sourcecode], [code]…[/code], [php]…[/php] and the other
# brush names). Only a pair is one: "[c]" or "[text]" alone is prose. Its content is code, as
# the author typed it: blank lines, indentation and "<" kept (realworld-extra 4300041).
CODE_NAMES = (
    "sourcecode", "source", "code", "as3", "actionscript3", "bash", "shell", "sh", "cf",
    "coldfusion", "clojure", "clj", "cpp", "c", "c-sharp", "csharp", "css", "delphi", "pas",
    "pascal", "diff", "patch", "erl", "erlang", "fsharp", "go", "golang", "groovy", "haskell",
    "html", "xml", "xhtml", "xslt", "java", "jfx", "javafx", "js", "jscript", "javascript",
    "json", "latex", "tex", "matlab", "objc", "obj-c", "perl", "pl", "php", "plain", "text",
    "powershell", "ps", "posh", "python", "py", "r", "ruby", "rails", "ror", "rb", "sass",
    "scss", "scala", "sql", "swift", "tsql", "typescript", "ts", "vb", "vbnet", "yaml", "yml",
)  # fmt: skip
# CodeColorer's family: [cc lang="php"], [cc_php], and its modes before the language
# ([cce] escaped, [ccn] without line numbers, [ccnLe_php], …; [cci…] is inline code), each
# closed by its own name (wordpress.org/plugins/codecolorer; realworld-extra 5600043/44).
_CODECOLORER = re.compile(r"cc[a-z]*(?:_[\w+#.]+)?", re.I)
_CODE_BLOCK = re.compile(
    r"(?<!\[)\[("
    + "|".join(re.escape(n) for n in CODE_NAMES)
    + "|"
    + _CODECOLORER.pattern
    + r")(?![\w-])([^\]]*)\](.*?)\[/\1\](?!\])",
    re.S | re.I,
)
_CODE_NAME_SET = frozenset(CODE_NAMES)


def code_shortcode(name: str) -> bool:
    """Whether ``name`` (lower case) names a code highlighter's shortcode: a brush name of
    CODE_NAMES or one of CodeColorer's family."""
    return name in _CODE_NAME_SET or _CODECOLORER.fullmatch(name) is not None


# An element that carries a resource, written as markup (not as "&lt;img") with what it
# points to: the visual editor stores code typed into it escaped, so such markup is the
# author's own. A tag only named ("// the <a> clicked": realworld-extra 5700050) is code.
_RAW_TAG = re.compile(
    r"<(?:(?:img|iframe|video|audio|embed|source)\s[^>]*?\bsrc|a\s[^>]*?\bhref|object\s[^>]*?\bdata)"
    r"\s*=",
    re.I,
)


def _closes_code(text: str) -> bool:
    """Whether a closing tag of a code shortcode is in ``text``: a look at each "[/" (a few
    closing [/caption] tags in most bodies) instead of the regex over the whole body."""
    start = text.find("[/")
    while start >= 0:
        end = text.find("]", start, start + 20)
        if end > 0 and code_shortcode(text[start + 2 : end].lower()):
            return True
        start = text.find("[/", start + 2)
    return False


def _code_language(name: str, attributes: str) -> str | None:
    """The class of a code shortcode's language: its ``language``/``lang`` attribute
    (SyntaxHighlighter, CodeColorer), else its name ([php], CodeColorer's [cc_php])."""
    attrs = parse_attributes(attributes) if "lang" in attributes.lower() else {}
    given = attrs.get("language") or attrs.get("lang")
    if given:
        return V.code_class(given)
    return V.code_class(name.rpartition("_")[2] if name.lower().startswith("cc") else name)


def _code_blocks(text: str) -> str:
    """Each code shortcode pair as ``<pre><code>`` holding its content as text."""
    if not _closes_code(text):
        return text

    def block(m: re.Match[str]) -> str:
        head = m.string[: m.start()].lower()
        if any(head.rfind(f"<{t}") > head.rfind(f"</{t}") for t in ("pre", "code")):
            return m.group(0)  # written inside code: the shortcode is what it shows
        if _RAW_TAG.search(m.group(3)):
            # Images, links, media as markup in it: the author's own, shown as a browser
            # without the plugin shows them; the HTML rules take it (realworld-extra 4100175).
            return m.group(0)
        code = etree.Element("code")
        code.text = unescape(m.group(3).strip("\n"))  # as the plugins show "&lt;" and "<"
        if m.group(1).lower().startswith("cci"):  # CodeColorer's inline code
            return _serialise(code)
        language = _code_language(m.group(1), m.group(2))
        if language is not None:
            code.set("class", language)
        pre = etree.Element("pre")
        pre.append(code)
        return _serialise(pre)

    return _CODE_BLOCK.sub(block, text)


def expand(text: str) -> ShortcodeResult:
    """Replace registered shortcodes in text (not inside comments or tags); leave escaped
    ``[[tag]]`` as literal ``[tag]``. Code shortcode pairs become code blocks first.

    Usually no shortcode stands next to markup and the body has no comment: one pass, each
    match's surroundings checked with ``_next_to_markup``. Otherwise the "[" inside comments and
    tags are hidden first (``_hide_brackets_in_markup``) and the pass runs on that.
    """
    result = ShortcodeResult(text)
    if "[" not in text:
        return result
    if _HIDDEN_BRACKET in text:  # (content.normalise then removes it, xml_safe, and again)
        raise ValueError("a NUL character, which this module uses as its hidden bracket")
    if "[/" in text:
        text = result.html = _code_blocks(text)
    exact = "<" in text
    if exact and not _has_comment(text):
        try:
            result.html = _expand(text, result.warnings, check=True)
            return result
        except _NextToMarkup:
            result.warnings.clear()
    if exact:
        hidden = _hide_brackets_in_markup(text)
        result.html = _expand(hidden, result.warnings).replace(_HIDDEN_BRACKET, "[")
    else:
        result.html = _expand(text, result.warnings)
    return result


def _expand(text: str, warnings: list[str], check: bool = False) -> str:
    """One pass of the shortcode regex; ``check``: raise _NextToMarkup for a shortcode whose
    opening or closing tag may stand inside a tag."""

    def shown(part: str) -> str:
        return part.replace(_HIDDEN_BRACKET, "[") if _HIDDEN_BRACKET in part else part

    angles = _Angles(text)

    def replace(m: re.Match[str]) -> str:
        if check:
            opened = m.start(5) if m.group(5) is not None else m.end()
            if angles.next_to_markup(m.start(), opened) or (
                m.group(5) is not None and angles.next_to_markup(m.end(5), m.end())
            ):
                raise _NextToMarkup
        if m.group(1) == "[" and m.group(6) == "]":
            return m.group(0)[1:-1]
        handler = HANDLERS[m.group(2)]
        out = handler(parse_attributes(shown(m.group(3))), shown(m.group(5) or ""), warnings)
        return m.group(0) if out is None else m.group(1) + out + m.group(6)

    return _substitute(text, replace)


def _substitute(text: str, replace: Callable[[re.Match[str]], str]) -> str:
    """``_SHORTCODE.sub(replace, text)`` in linear time.

    The regex alone is quadratic on tags that cannot match: an opening tag looks for its
    closing tag (``[caption]`` for ``[/caption]``) and a "[name" for its "]" up to the end of
    the text, again for each of thousands of such tags. Here the search stops at the last "]",
    and the content is looked for only when a closing tag of that name follows; the matches
    are those of ``_SHORTCODE.sub`` (at the same places, the same groups).
    """
    stop = text.rfind("]") + 1  # every match ends with a "]"
    closing: dict[str, int] = {}  # name → where its last closing tag starts (-1: none)
    out: list[str] = []
    position = 0
    while True:
        tag = _SHORTCODE_TAG.search(text, position, stop)
        if tag is None:
            break
        start, name = tag.start(), tag.group(2)
        if name not in closing:
            closing[name] = text.rfind(f"[/{name}]", 0, stop)
        m = _SHORTCODE.match(text, start, stop if closing[name] > start else tag.end() + 1)
        assert m is not None  # its opening tag matched
        out.append(text[position:start])
        out.append(replace(m))
        position = m.end()
    if not position:
        return text
    out.append(text[position:])
    return "".join(out)
