"""The body transforms: small named functions over one parsed tree, applied in ``PIPELINE`` order.

Each takes the body root (a ``<body>`` element) and the context, and changes the tree in place.
Rules that drop markup say whether they *unwrap* (keep the content) or *remove* (drop the
subtree); the tables live in vocabulary.py.
"""

from __future__ import annotations

import ipaddress
import itertools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import unquote, urljoin, urlsplit

from lxml import etree

from ..options import Sanitiser
from ..urls import PLAIN_HOST, canonical_web, encode, numeric_host_ok
from . import html5
from . import vocabulary as V
from .embeds import Embed, as_written, embed_figure, match_url, unlabel, video_details
from .embeds import label as embed_label
from .shortcodes import NAMES as _SHORTCODE_NAMES
from .structure import (
    attribute_value,
    definition_lists,
    figcaptions,
    fragment_links,
    list_items,
    pictureless,
    srcset_candidates,
    table_parts,
    tables,
    title_breaks,
    unknown_shortcodes,
    valid_datetime,
)
from .styles import emphasis
from .tree import (
    JOINED_FROM,
    Marks,
    first_child,
    join_texts,
    last_child,
    remove,
    replace,
    replace_by,
    text_before,
    text_of,
    unwrap,
)
from .word import word_lists

__all__ = ["PIPELINE", "Context", "resolve_url"]


@dataclass
class Context:
    """What the transforms need to know about the article, and where warnings go."""

    base: str = ""  # the article URL: relative links resolve against it
    origins: tuple[tuple[str, str], ...] = ()  # (old origin, new origin): staging → production
    host_map: tuple[tuple[str, str], ...] = ()  # inline image src prefix rewrites
    id_prefix: str = ""  # kept ids get it ("a123-"), so they are unique across a feed or book
    warnings: list[str] = field(default_factory=list)
    # The ids that links of the body point to (href="#x"), found by ``vocabulary``: only
    # these ids are kept, prefixed; every other id is paste junk.
    targets: frozenset[str] = frozenset()
    brackets: bool = True  # whether the body holds a "[" (normalise knows; skips a tree walk)
    emoji: bool = False  # whether it holds an emoji's picture (``vocabulary`` finds them)
    sanitiser: Sanitiser = "own"  # "nh3": nh3 as a final pass too (defence in depth)
    word: bool = True  # whether it may hold Word's list paragraphs (normalise knows: "mso-list")
    icons: bool = True  # … an <svg> and an aria-label (which may name an icon)
    citations: bool = True  # … a <footer> or a "quote__citation" (a quote's citation)
    hidden: bool = True  # … an aria-hidden attribute (decoration looks at those elements)


Transform = Callable[[etree._Element, Context], None]

# A blank line, or a run of them: one paragraph break, or where no paragraph can start one
# line break (two in a row would be a paragraph break on a second pass: fuzz BA).
_BLANK_LINES = re.compile(r"\n(?:[ \t\f\v\u00a0]*\n)+")
_URL_ONLY = re.compile(r"^\s*(https?://[^\s<>\"]+)\s*$")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_URL_WHITESPACE = re.compile(r"[\t\n\r]")
_PARAGRAPH_LIKE = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "figcaption", "caption", "legend", "summary",
     "address"}
)  # fmt: skip
_LEAVE_ALONE = frozenset({"pre", "script", "style", "textarea", "svg", "math", "xmp"})
_EMBED_BLOCKQUOTE = {
    "twitter-tweet": "twitter",
    "instagram-media": "instagram",
    "tiktok-embed": "tiktok",
}


def _has_text(s: str | None) -> bool:
    """Whether ``s`` holds more than whitespace (isspace stops at the first letter; strip
    would copy the whole paragraph)."""
    return bool(s) and not s.isspace()  # type: ignore[union-attr]


# ---------------------------------------------------------------------------------------------
# URLs


def resolve_url(url: str, ctx: Context) -> str | None:
    """An absolute URL with an allowed scheme, or None. Browsers ignore tabs and newlines."""
    u = url.strip()
    if not ctx.origins and canonical_web(u):  # the usual link or image: the rules keep it
        return u
    return _resolve(u, ctx)


def _resolve(u: str, ctx: Context) -> str | None:
    """``resolve_url`` of a stripped URL, every rule applied."""
    if "[" in u or "]" in u:  # only IPv6 hosts may hold brackets; others make urllib raise
        try:
            urlsplit(u)
        except ValueError:
            return None
    if "\t" in u or "\n" in u or "\r" in u:
        u = _URL_WHITESPACE.sub("", u)
    if not u:
        return None
    if u.startswith("#"):  # a place in this article: stays relative (see structure.anchors)
        return encode(u)
    m = _SCHEME.match(u)
    if "\\" in u and (m.group(1).lower() in _WEB if m else ctx.base.startswith(_WEB_PREFIXES)):
        u = _backslashes(u)
    if u.startswith("//"):
        u = "https:" + u
        m = _SCHEME.match(u)
    if m:
        scheme = m.group(1).lower()
        if scheme not in V.URL_SCHEMES:
            return None
        if scheme in _WEB and not _TWO_SLASHES.match(u):
            # "http:x.org", "HTTPS:/x.org", "https:///x.org": what a browser reads (fuzz W)
            u = scheme + "://" + u[m.end() :].lstrip("/")
    elif ctx.base:
        try:
            u = urljoin(ctx.base, u)
        except ValueError:
            return None
    for old, new in ctx.origins:
        if u.startswith(old) and (len(u) == len(old) or u[len(old)] in "/?#"):
            u = new + u[len(old) :]
            break
    if u.startswith(_WEB_PREFIXES) and not _PLAIN_HOST.match(u) and not _host_ok(u):
        return None
    return encode(u)  # percent-encoded where RFC 3986 requires it (converter/urls.py)


_WEB = ("http", "https")
_WEB_PREFIXES = ("https://", "http://")
_TWO_SLASHES = re.compile(r"https?://(?!/)")  # the usual form, the scheme in lower case


def _backslashes(u: str) -> str:
    """An http(s) URL (or one relative to an http(s) page) as a browser's URL parser reads
    it: a backslash before the query or fragment is a slash ("http:\\\\x.org\\a" is
    http://x.org/a; WHATWG URL, the states of special schemes)."""
    end = len(u)
    for c in "?#":
        i = u.find(c)
        if 0 <= i < end:
            end = i
    return u[:end].replace("\\", "/") + u[end:]


# The usual web URL's host: nothing to check. Others are checked by _host_ok.
_PLAIN_HOST = re.compile(rf"https?://{PLAIN_HOST}(?::[0-9]{{1,4}})?(?:[/?#]|\Z)")
# WHATWG URL "forbidden domain code points", looked for after percent-decoding the host.
_FORBIDDEN_IN_HOST = re.compile(r"[\x00-\x20#%/:<>?@\[\\\]^|\x7f]")


def _host_ok(url: str) -> bool:
    """Whether a browser's URL parser accepts the host (and port) of an http(s) URL.

    A URL it rejects is no link to a browser, and an HTML5 sanitiser (nh3) drops it: it is
    dropped here, so the body is already what such a sanitiser lets through (one pass).
    """
    try:
        netloc = urlsplit(url).netloc
    except ValueError:  # a bracketed host that is no IP address
        return False
    host = netloc.rpartition("@")[2]
    if host.startswith("["):  # an IPv6 address, then nothing but a port (no IPvFuture)
        m = _BRACKETED.fullmatch(host)
        return m is not None and _port_ok(m.group(2)) and _ipv6(m.group(1))
    host, _, port = host.partition(":")
    if not _port_ok(port):
        return False
    host = unquote(host)
    if not host or _FORBIDDEN_IN_HOST.search(host):
        return False
    try:
        if not host.isascii():
            if _ACE_NOT_ASCII.search(host):  # "xn--0ß": an ACE label is ASCII (UTS 46)
                return False
            host = host.encode("idna").decode("ascii")  # U+FFFD and others fail
        if "xn--" in host.lower() and not _punycode_ok(host.lower()):
            return False
    except UnicodeError:
        return False
    return numeric_host_ok(host)


# A label that starts "xn--" and holds a non-ASCII character (labels end at the dots that
# UTS 46 maps to ".").
_ACE_NOT_ASCII = re.compile(
    r"(?:\A|[.\u3002\uff0e\uff61])[xX][nN]--[^.\u3002\uff0e\uff61]*[^\x00-\x7f]"
)


def _punycode_ok(host: str) -> bool:
    """Each "xn--" label is Punycode of a label that UTS 46 (as browsers apply it) takes as
    it is: "xn--", "xn--a", "xn--0x0x" (U+4CCBF, unassigned) or "xn--xn--0x0x0x" (a format
    control, then "xn-") is no host. UnicodeError if not Punycode at all."""
    for label in host.encode("ascii").decode("idna").split("."):
        if label.startswith("xn--"):
            return False
        if not label.isascii() and (
            label != unicodedata.normalize("NFC", label)
            or label != label.lower()
            or any(unicodedata.category(c) in _NOT_IN_LABELS for c in label)
        ):
            return False
    return True


# Unassigned, format, control, private-use, surrogate and space characters: UTS 46
# disallows them (or maps them away, which a decoded label must not need).
_NOT_IN_LABELS = frozenset(("Cn", "Cf", "Cc", "Co", "Cs", "Zs", "Zl", "Zp"))


_BRACKETED = re.compile(r"\[([0-9A-Fa-f:.]+)\](?::([0-9]*))?")


def _port_ok(port: str | None) -> bool:
    return not port or (port.isascii() and port.isdigit() and int(port) <= 65535)


def _ipv6(address: str) -> bool:
    try:
        ipaddress.IPv6Address(address)
    except ValueError:
        return False
    return True


# ---------------------------------------------------------------------------------------------
# 1. Embeds, before anything removes iframes and scripts


def _quoted(blockquote: etree._Element) -> etree._Element:
    quoted = blockquote.makeelement("blockquote")
    quoted.text = blockquote.text
    for child in list(blockquote):
        quoted.append(child)
    return quoted


def _embed_candidates(root: etree._Element) -> list[etree._Element]:
    """The elements ``embeds`` looks at; on the same walk, each image or frame whose source a
    lazy-loading script sets gets that source first (``_lazy_source``): the embeds and the
    vocabulary see the sources a reader sees."""
    found: list[etree._Element] = []
    for el in root.iter(*_EMBED_TAGS, "img", "noscript", "section"):
        tag = el.tag
        if tag == "noscript" or tag == "section":
            if tag == "noscript" or _cover(el):
                found.append(el)
            continue
        if tag == "script":
            if _SCRIPT_EMBED.match(el.get("src") or ""):
                found.append(el)
            continue
        if tag == "img" or tag == "iframe":
            _lazy_source(el)
            if tag == "img":
                continue
        if tag in _MEDIA or el.get("class") or el.get("data-src"):
            found.append(el)
    return found


def _lazy_source(el: etree._Element) -> None:
    """An image or frame gets the source a reader sees. A lazy-loading script copies the URL
    of its lazy attribute (``_LAZY_SRC``, else the largest candidate of a lazy srcset) over
    src, whatever src held: a data: URL, or a placeholder on the site itself (a3 Lazy Load's
    lazy_placeholder.gif, news 6000049; lazy-load's 1x1.trans.gif, 6000051; lazysizes'
    placeholder.png, 6000045), so that URL wins when it differs from src. Without one, a real
    src stays; a placeholder src (a data: URL, about:blank, a spacer file: ``_placeholder``)
    or none gets the largest candidate of the srcset or of the <picture>'s first <source>,
    else none (the vocabulary leaves the alt text)."""
    src = el.get("src")
    found = _lazy_url(el)
    if not found:
        if src and src[0] not in _MAYBE_PLACEHOLDER and not _spacer(src):
            return  # the usual "https://…" or "/…" of an image not lazy-loaded: at once
        if not _placeholder(src or ""):
            return
        found = _from_srcset(el) if el.tag == "img" else ""
        if not found:
            if src and _real(src.strip()):  # a spacer file shows nothing: no source
                del el.attrib["src"]
            return
    if found == src:
        return
    rest = [(name, value) for name, value in el.items() if name != "src"]
    el.attrib.clear()
    el.set("src", found)  # src first, where it stands in every other image
    for name, value in rest:
        # (a pasted name such as "{" is none lxml can set, and none the vocabulary keeps:
        # fuzz AN, <img {=">…" data-src=…> raised ValueError)
        if _PLAIN_NAME.match(name):
            el.set(name, value)


def _lazy_url(el: etree._Element) -> str:
    """The URL a lazy-loading script gives ``el``: its first lazy attribute holding a real
    URL, else the largest candidate of its lazy srcset; "" when it has none."""
    if not any(name.startswith("data-") for name in el.attrib):
        return ""  # (most images: one call for the names, not eleven lookups)
    for name in _LAZY_SRC:
        value = el.get(name)
        if value and _real(value.strip()):
            return value.strip()
    for name in _LAZY_SRCSET:
        best = max(srcset_candidates(el.get(name) or ""), key=lambda c: c[1], default=None)
        if best is not None and _real(best[0]):
            return best[0]
    return ""


def _placeholder(src: str) -> bool:
    """Whether an image's ``src`` shows nothing a reader looks at: none, a data: or about:
    URL, or a spacer file that lazy-loading plugins put there (``_SPACER_NAME``)."""
    src = src.strip()
    return not _real(src) or _spacer(src)


# The attributes lazy-loading scripts take the real source from (lazysizes, a3 Lazy Load,
# WP Rocket, Jetpack, jQuery Lazy, Echo, Lozad, Layzr), in the order they are looked at, and
# the srcsets they set (news 6000015: data-lazy-srcset; 6000045: data-srcset).
_LAZY_SRC = (
    "data-lazy-src", "data-src", "data-original", "data-lazy", "data-echo", "data-layzr",
    "data-lazyload", "data-original-src", "data-hi-res-src",
)  # fmt: skip
_LAZY_SRCSET = ("data-lazy-srcset", "data-srcset")
_SRCSETS = (*_LAZY_SRCSET, "srcset")
_PLACEHOLDER_SCHEMES = ("data:", "about:", "javascript:")
_MAYBE_PLACEHOLDER = frozenset("daDAjJ \t\n\r\f")  # how a placeholder src may begin
# The file names of the spacers lazy-loading plugins show until their script runs:
# lazy_placeholder.gif (a3 Lazy Load, news 6000049), 1x1.trans.gif (lazy-load, 6000051),
# placeholder.png (lazysizes setups), blank.gif, spacer.gif, transparent.png, grey-pixel.gif,
# ajax-loader.gif: a name made only of these words, one of the first kind among them.
_SPACER_WORDS = "lazy|lazyload|placeholder|blank|spacer|pixel|1x1|trans|transparent|empty|loader"
_SPACER_NAME = re.compile(
    rf"(?=.*(?:{_SPACER_WORDS}))(?:(?:{_SPACER_WORDS}|px|clear|grey|gray|white|loading|ajax"
    r"|img|image)[-_.]?)+\.(?:gif|png|svg|webp)",
    re.IGNORECASE,
)


def _spacer(src: str) -> bool:
    if "?" not in src and "#" not in src and not src[-5:].lower().endswith(_SPACER_TYPES):
        return False  # (a photo's URL: no pattern to try, the usual case)
    name = src.partition("?")[0].partition("#")[0].rpartition("/")[2]
    return _SPACER_NAME.fullmatch(name) is not None


_SPACER_TYPES = (".gif", ".png", ".svg", "webp")


def _real(url: str) -> bool:
    return bool(url) and not url.lower().startswith(_PLACEHOLDER_SCHEMES)


def _from_srcset(img: etree._Element) -> str:
    """The largest candidate of the image's srcset, else of its <picture>'s first <source>:
    what a wide screen loads."""
    sets = [img.get(name, "") for name in _SRCSETS]
    picture = next(img.iterancestors("picture"), None)  # libxml2 nests <img> in <source>
    if picture is not None:
        sets += [s.get(name, "") for s in picture.iter("source") for name in _SRCSETS]
    for srcset in sets:
        best = max(srcset_candidates(srcset), key=lambda c: c[1], default=None)
        if best is not None and _real(best[0]):
            return best[0]
    return ""


def embeds(root: etree._Element, ctx: Context) -> None:
    """Iframes, tweet/Instagram/TikTok blockquotes, Flourish divs, video/audio → embed figures
    (lazy-loaded images and frames get their real source first: ``_embed_candidates``)."""
    noscripts: list[etree._Element] = []
    for el in _embed_candidates(root):
        if el.getparent() is None:
            continue
        tag = el.tag
        embed: Embed | None = None
        quoted: etree._Element | None = None
        if tag == "noscript":
            noscripts.append(el)  # once every image the page shows has its source
            continue
        elif (tag == "div" or tag == "section") and _cover(el):
            _cover_image(el)
            continue
        elif tag in ("object", "embed"):
            _plugin_embed(el, ctx)
            continue
        elif tag == "script":  # an embed script: what it showed is at the URL it names
            _script_link(el)
            continue
        elif tag == "iframe":
            src = resolve_url(el.get("src", ""), ctx)
            if src is None or not src.startswith(("https://", "http://")):
                remove(el)  # srcdoc, javascript:, data: frames have nothing to link to
                continue
            embed = match_url(src) or Embed("generic", src)
            title = " ".join((el.get("title") or el.get("aria-label") or "").split())
            if title:
                embed = Embed(embed.provider, embed.url, embed.player, title)
        elif tag == "blockquote":
            classes = (el.get("class") or "").split()
            kind = next((_EMBED_BLOCKQUOTE[c] for c in classes if c in _EMBED_BLOCKQUOTE), None)
            if kind is None:
                continue
            candidates = [el.get("data-instgrm-permalink", ""), el.get("cite", "")]
            candidates += [a.get("href", "") for a in reversed(list(el.iter("a")))]
            for candidate in candidates:
                embed = match_url(candidate)
                if embed and embed.provider == kind:
                    break
                embed = None
            if embed is None:
                el.attrib.pop("class", None)  # no post URL: keep it as an ordinary quote
                continue
            quoted = _quoted(el)
        elif tag == "div":
            named = el.get("class") or ""
            if "flourish-embed" not in named:
                # a provider's placeholder says so in its class ("fb-post", "infogram-embed")
                embed = _placeholder_embed(el, ctx) if "fb-" in named or "embed" in named else None
                if embed is None:
                    continue
            else:
                embed = match_url(el.get("data-src", ""))
                if embed is None:
                    remove(el)
                    continue
        elif tag == "figure" and "wp-block-embed" in (el.get("class") or ""):
            embed = _block_embed(el, ctx)  # Gutenberg's embed block, current or core-embed/*
            if embed is None:
                continue
        elif tag == "figure":
            if el.get("class") != "embed":
                continue
            embed = _canonical_embed(el, ctx)
            if embed is None:
                el.attrib.clear()
                continue
            quoted = el.find("blockquote")
        else:  # video, audio
            _media_embed(el, ctx)
            continue
        replace(el, embed_figure(embed, quoted))
    if noscripts:
        _noscript_images(root, noscripts)


def _cover(el: etree._Element) -> bool:
    return not _COVER_CLASSES.isdisjoint((el.get("class") or "").split())


def _cover_image(el: etree._Element) -> None:
    """A Gutenberg cover block whose picture is a CSS background → that picture as an image
    of the body (gutenberg 5900016: the parallax cover's body was empty; 5900017, the old
    <section class="wp-block-cover-image">). The image's own box (role="img", its alt in
    aria-label) becomes the image; a block with the background on itself gets it before its
    content. Only cover blocks: a background on any other box is decoration."""
    m = _BACKGROUND_URL.search(el.get("style") or "")
    if m is None or not m.group(2).strip():
        return
    img = el.makeelement("img", {"src": m.group(2).strip(), "alt": el.get("aria-label") or ""})
    if _COVER_BACKGROUND in (el.get("class") or "").split():
        el.addprevious(img)
        img.tail, el.tail = el.tail, None
        unwrap(el)  # (a box Gutenberg leaves empty)
        return
    for d in el.iterdescendants("img", "div"):
        if d.tag == "img" or _COVER_BACKGROUND in (d.get("class") or "").split():
            return  # the block's picture is an element of its own
    img.tail, el.text = el.text, None
    el.insert(0, img)


# Gutenberg's cover blocks (current, and the deprecated cover-image) and the box of a cover's
# background picture; the first url() of a background or background-image declaration.
_COVER_BACKGROUND = "wp-block-cover__image-background"
_COVER_CLASSES = frozenset({"wp-block-cover", "wp-block-cover-image", _COVER_BACKGROUND})
_BACKGROUND_URL = re.compile(
    r"background(?:-image)?\s*:[^;]*?url\(\s*(['\"]?)(.*?)\1\s*\)", re.IGNORECASE
)


def _noscript_images(root: etree._Element, noscripts: list[etree._Element]) -> None:
    """A <noscript> is what a browser does not show (scripts run: the vocabulary removes it),
    but the pictures it holds stay, in its place, where the page shows them nowhere else: its
    visible image is a custom element a script fills (heise's <a-img>, news 6000039), a
    script's gallery of one (computerbase, 6000019) or nothing (NDR, 6000058). Out stay the
    twin of an image the page shows (a lazy image's fallback, compared once ``_lazy_source``
    gave it its URL: 6000049, 6000134), tracking pixels and ads (``_tracker``: 6000052,
    6000057), and all that is not an image (ad frames, "enable JavaScript"). A noscript is
    raw text to the HTML5 parser (scripting on): it is read as a browser without scripts
    reads it; libxml2 and foreign content give elements. What comes out is images and links,
    for the vocabulary to clean as any other."""
    held: list[etree._Element | None] = []  # the elements a noscript holds, out of the page
    for noscript in noscripts:
        box = noscript.makeelement("div") if len(noscript) else None
        if box is not None:
            box.extend(list(noscript))
        held.append(box)
    shown = {_picture_name(url) for img in root.iter("img") for url in _image_urls(img)}
    for noscript, box in zip(noscripts, held, strict=True):
        content = box if box is not None else html5.parse(noscript.text or "")
        kept: list[etree._Element] = []
        for img in list(content.iter("img")):
            _lazy_source(img)
            src = (img.get("src") or "").strip()
            if _placeholder(src) or _tracker(img, src) or _picture_name(src) in shown:
                continue
            shown.add(_picture_name(src))
            kept.append(_with_link(img))
        if kept:
            for twin in (noscript.getprevious(), noscript.getnext()):
                if twin is not None and twin.tag == "img" and _placeholder(twin.get("src", "")):
                    remove(twin)  # the image a script was to fill, showing nothing
            replace_by(noscript, kept)


def _with_link(img: etree._Element) -> etree._Element:
    """The link around ``img`` when it holds the picture alone (to its full size: news
    6000019), else ``img``; without the source's line breaks around it."""
    link = img.getparent()
    img.tail = None
    if link is None or link.tag != "a" or not link.get("href") or len(link) != 1:
        return img
    if "".join(link.itertext()).strip():
        return img
    link.text = link.tail = None
    return link


def _image_urls(img: etree._Element) -> list[str]:
    """Every URL an image names: its source, its lazy sources, its srcsets' candidates."""
    urls = [img.get(name) or "" for name in ("src", *_LAZY_SRC)]
    for name in _SRCSETS:
        urls += [url for url, _ in srcset_candidates(img.get(name) or "")]
    return [url for url in urls if url]


def _picture_name(url: str) -> str:
    """The name of the picture behind ``url``, to know it in another rendition: the file name,
    case-folded, without the suffixes of WordPress's copies ("-300x200", "-scaled") and
    the query (a CDN's resize: news 6000057 names one file at lw800 and lw100)."""
    name = unquote(url.partition("?")[0].partition("#")[0].rpartition("/")[2]).casefold()
    return _WP_COPY.sub("", name)


def _tracker(img: etree._Element, src: str) -> bool:
    """A tracking pixel or an ad: 1×1 (or 0) in a size attribute, or an ad or analytics
    host (``_AD_HOSTS``)."""
    if any((img.get(name) or "").strip() in ("0", "1") for name in ("width", "height")):
        return True
    try:
        host = urlsplit(src).hostname or ""
    except ValueError:  # a host a URL cannot have: no ad server's either
        return False
    return any(host == h or host.endswith("." + h) for h in _AD_HOSTS)


_WP_COPY = re.compile(r"(?:-(?:\d+x\d+|scaled|rotated))+(?=\.[^./]+$)")
# Ad servers and analytics whose pictures a <noscript> holds for browsers without scripts
# (news 6000052 smartadserver, 6000057 doubleclick; the counting pixels of German sites).
_AD_HOSTS = (
    "doubleclick.net", "googlesyndication.com", "google-analytics.com", "googletagmanager.com",
    "googleadservices.com", "smartadserver.com", "adnxs.com", "amazon-adsystem.com",
    "scorecardresearch.com", "quantserve.com", "facebook.com", "facebook.net", "criteo.com",
    "criteo.net", "outbrain.com", "taboola.com", "adform.net", "yieldlab.net", "ioam.de",
    "ivwbox.de", "vgwort.de", "chartbeat.net", "bat.bing.com", "ads.linkedin.com",
    "pixel.wp.com", "stats.wp.com", "analytics.twitter.com", "t.co", "mc.yandex.ru",
)  # fmt: skip


def _media_embed(el: etree._Element, ctx: Context) -> None:
    """A <video> or <audio> → its embed figure, then the links of its fallback. Its source is
    the first that every browser plays (``_PLAYED_EVERYWHERE``, by type or by extension),
    else the first: a news player lists an HLS playlist first, which only Safari plays, then
    the mp4s (news 6000036). The figure carries one source: the vocabulary's video is one
    URL (its link in Markdown, feeds and books)."""
    sources = [(el.get("src", ""), "")]
    sources += [(s.get("src", ""), s.get("type") or "") for s in el.iter("source")]
    found: list[tuple[str, str]] = []
    for given, kind in sources:
        url = resolve_url(given, ctx) if given else None
        if url and not url.startswith("#"):  # fuzz AF
            found.append((url, kind))
    if not found:
        remove(el)
        return
    src = next((url for url, kind in found if _played_everywhere(url, kind)), found[0][0])
    embed = Embed(str(el.tag), src, src if src.startswith(("https://", "http://")) else "")
    poster = resolve_url(el.get("poster", ""), ctx)
    embed = video_details(embed, poster, el.get("width"), el.get("height"))
    replace_by(el, [embed_figure(embed, None), *_fallback_links(el)])


def _played_everywhere(url: str, kind: str) -> bool:
    """Whether a media source plays in every browser: its type says so, or, without one,
    the extension of its path."""
    kind = kind.partition(";")[0].strip().lower()
    if kind:
        return kind in _PLAYED_EVERYWHERE
    path = url.partition("?")[0].partition("#")[0].lower()
    return path.rpartition(".")[2] in _PLAYED_EVERYWHERE


# The media types and file extensions every browser plays natively (an HLS .m3u8 or a DASH
# .mpd plays only in Safari or through a script; QuickTime, Flash and Windows Media in none).
_PLAYED_EVERYWHERE = frozenset(
    {
        "video/mp4", "video/webm", "video/ogg", "audio/mpeg", "audio/mp4", "audio/ogg",
        "audio/webm", "audio/wav", "audio/aac", "audio/flac",
        "mp4", "m4v", "webm", "ogv", "ogg", "mp3", "m4a", "oga", "opus", "wav", "aac", "flac",
    }
)  # fmt: skip


def _placeholder_embed(div: etree._Element, ctx: Context) -> Embed | None:
    """What an empty <div> that a provider's script fills points to, or None: Facebook's
    <div class="fb-post" data-href="…"> (fb-video, fb-page…: ``data-href``, or ``data-url``),
    Infogram's <div class="infogram-embed" data-id="…"> (the caller looks at the class). The
    script is gone, and with it everything but this URL, which stays a link (it was lost). A
    placeholder holding a fallback (text, a picture) is left to it."""
    given = div.get("data-href") or div.get("data-url")
    graphic = div.get("data-id", "")
    infogram = bool(graphic) and "infogram-embed" in (div.get("class") or "").split()
    if not given and not infogram:
        return None
    if _has_text("".join(div.itertext())) or any(
        d.tag in _MEDIA or d.tag == "img" for d in div.iterdescendants()
    ):
        return None
    if infogram and _INFOGRAM_ID.fullmatch(graphic):
        target: str | None = "https://infogram.com/" + graphic
    else:
        target = resolve_url(given or "", ctx)
    if not target or not target.startswith(("https://", "http://")):
        return None
    title = " ".join((div.get("data-title") or "").split())
    embed = match_url(target) or Embed("generic", target)
    return Embed(embed.provider, embed.url, embed.player, title) if title else embed


def _plugin_embed(el: etree._Element, ctx: Context) -> None:
    """An <object> or <embed> with a URL → an embed figure; one without is left to the
    vocabulary, which unwraps it (its fallback stays)."""
    if any(a.tag == "object" for a in el.iterancestors()):
        return  # the <embed> fallback of an <object>: the object speaks for both
    embed = _plugin(el, ctx)
    if embed is not None:
        _plugin_figure(el, embed_figure(embed, None))


def _script_link(script: etree._Element) -> None:
    """A script that writes a provider's content into the page (a GitHub gist: Medium, Ghost
    and WordPress posts paste ``<script src="https://gist.github.com/USER/ID.js">``) → a link
    to that content's page, where it was lost with the script (realworld-extra 5800047)."""
    m = _SCRIPT_EMBED.match(script.get("src") or "")
    assert m is not None  # (_embed_candidates chose it for this)
    url = "https://gist.github.com/" + m.group(1)
    a = script.makeelement("a", {"href": url})
    a.text = url
    replace(script, a)


# A gist's script: https://gist.github.com/[USER/]ID.js[?file=NAME] (its page: the same, no .js)
_SCRIPT_EMBED = re.compile(
    r"\s*(?:https?:)?//gist\.github\.com/((?:[\w-]+/)?[0-9A-Fa-f]+)\.js(?:[?#]|\s*$)"
)
_INFOGRAM_ID = re.compile(r"[\w-]{1,100}")
_EMBED_TAGS = (
    "iframe", "blockquote", "div", "figure", "video", "audio", "object", "embed", "script"
)  # fmt: skip
_MEDIA = frozenset({"iframe", "video", "audio", "object", "embed"})


def _block_embed(figure: etree._Element, ctx: Context) -> Embed | None:
    """<figure class="wp-block-embed …"><div class="wp-block-embed__wrapper">URL</div>
    <figcaption>…</figcaption></figure>: the URL as an embed, the caption as its title. The
    oldest blocks have the URL right in the figure, no wrapper (Gutenberg's fixture
    core__embed__deprecated-1.html, realworld-extra 4100035)."""
    wrapper = next(
        (d for d in figure.iter("div") if "wp-block-embed__wrapper" in (d.get("class") or "")),
        None,
    )
    m = _URL_ONLY.match("".join(wrapper.itertext()) if wrapper is not None else figure.text or "")
    url = resolve_url(m.group(1), ctx) if m else None
    if m is None or url is None:
        return None  # an iframe or a blockquote inside: found as such
    caption = figure.find("figcaption")
    title = " ".join(text_of(caption).split()) if caption is not None else ""
    embed = match_url(url)
    if embed is None:  # no provider we know: the link a reader saw (WordPress shows the URL)
        p = figure.makeelement("p")
        a = etree.SubElement(p, "a", {"href": url})
        a.text = m.group(1)
        if caption is None:
            replace(figure, p)
        else:  # a captioned link: the figure stays, the link its content
            figure.text = None
            for child in [child for child in figure if child is not caption]:
                figure.remove(child)
            figure.insert(0, p)
            figure.attrib.clear()
        return None
    if title.casefold() == embed_label(embed).casefold():
        title = ""  # a caption that only names the provider: "YouTube: YouTube" said nothing
    return as_written(embed, title or m.group(1))


def _plugin_figure(el: etree._Element, figure: etree._Element) -> None:
    """The figure in place of a plugin ``el``, and after it the fallback that a browser shows
    (no plugin runs any more); its <param> and <embed> were the plugin's, they go. An <embed>
    is a void element to a browser: what libxml2 put in it follows it."""
    el.addprevious(figure)
    for child in list(el.iter("param", "embed")):
        if child is not el:
            remove(child)
    unwrap(el)


def _plugin(el: etree._Element, ctx: Context) -> Embed | None:
    """A plugin object (Flash video, PDF) → a link to what it played, or its provider's."""
    candidates = [el.get("data", ""), el.get("src", "")]
    for param in el.iter("param", "embed"):
        if param.tag == "embed":
            candidates.append(param.get("src", ""))
        elif (param.get("name") or "").lower() in ("movie", "src", "url", "filename"):
            candidates.append(param.get("value", ""))
    for candidate in candidates:
        url = resolve_url(candidate, ctx) if candidate.strip() else None
        if url and url.startswith(("https://", "http://")):
            return match_url(url) or Embed("generic", url)
    return None


def _canonical_embed(figure: etree._Element, ctx: Context) -> Embed | None:
    """Re-derive an existing canonical embed figure (idempotence; never trust its data-src)."""
    kind = figure.get("data-embed", "")
    link = figure.find("figcaption/a")
    href = resolve_url(link.get("href", ""), ctx) if link is not None else None
    if href is None or href.startswith("#"):  # a place in the article is no embed (fuzz AF)
        return None
    if kind in ("video", "audio"):
        embed = Embed(kind, href, href if href.startswith(("https://", "http://")) else "")
        poster = resolve_url(figure.get("data-poster", ""), ctx)
        width, height = figure.get("data-video-width"), figure.get("data-video-height")
        return video_details(embed, poster, width, height)
    embed = match_url(href) or Embed("generic", href)
    title = text_of(link) if link is not None else ""
    return embed if not title else Embed(embed.provider, embed.url, embed.player, _title_of(title))


def _fallback_links(media: etree._Element) -> list[etree._Element]:
    """The links of a <video>'s or <audio>'s fallback content, which the figure does not
    replace: WordPress's [audio] links the file as the reader wrote it, without the "?_=1" of
    the player (realworld-extra 4900015). The rest of a fallback ("your browser does not
    support…") is about the player, not the article: it goes with it."""
    links = [a for a in media.iter("a") if a.get("href")]
    for a in links:
        a.tail = " "
    return links


def _title_of(link_text: str) -> str:
    return unlabel(link_text)[1]


# ---------------------------------------------------------------------------------------------
# 2. Tag vocabulary: remove subtrees, rename, unwrap unknown tags


def vocabulary(root: etree._Element, ctx: Context) -> None:
    """Tags and attributes to the vocabulary, in one pass over the tree (it is the hot path).

    Removes executable/interactive subtrees; renames b→strong etc.; unwraps unknown tags;
    keeps only allow-listed attributes; makes URLs absolute and drops unsafe schemes.
    """
    doomed: list[etree._Element] = []
    unknown: set[str] = set()  # tag names to unwrap
    anchors: list[etree._Element] = []  # links without href, to unwrap
    strays: list[etree._Element] = []  # elements of the unknown names
    checked: list[etree._Element] = []  # <time> without datetime, <bdo> without dir
    targets: list[etree._Element] = []  # elements of the unknown names holding an id
    ctx.targets = _fragment_targets(root)
    _strip_junk(root, ctx)
    for el in root.iter():
        if el is root:
            continue
        tag = el.tag
        if not isinstance(tag, str):  # comments, processing instructions, entities
            doomed.append(el)
            continue
        if tag in V.REMOVE_WITH_CONTENT:
            doomed.append(el)
            continue
        new = V.RENAME.get(tag)
        if new is not None:
            el.tag = tag = new
        if tag not in V.ALLOWED_TAGS and tag != "div":
            unknown.add(tag)  # span, font, o:p, custom elements: keep the content
            strays.append(el)
            if ctx.targets and el.get("id") is not None:
                targets.append(el)
            continue
        names = el.keys()
        if names:
            _attributes(el, tag, names, ctx)
        if tag == "img":
            src = el.get("src")
            if src is None:
                doomed.append(el)
                continue
            if el.get("alt") is None:
                el.set("alt", "")
            if _is_emoji(src):
                _text_sized(el)
                ctx.emoji = True
        elif tag == "a" and el.get("href") is None:
            anchors.append(el)
        elif (tag == "time" and el.get("datetime") is None) or (
            tag == "bdo" and el.get("dir") is None
        ):
            checked.append(el)
    marks = Marks()  # removed and unwrapped below in C, at once (one by one: quadratic)
    for el in doomed:
        if el.tag == "svg":
            _svg_as_text(el, marks)
        elif el.tag == "img":
            # Its link's content is looked at: what went before it is taken out first, as
            # one by one (only where it can matter: the image ends the link).
            parent = el.getparent()
            last_in_link = el.getnext() is None and parent is not None and parent.tag == "a"
            if last_in_link and parent is not None and parent in marks:
                marks.take_out(parent)
            _without_source(el, marks)
        else:
            marks.remove(el)
    # Links without a (safe) href are unwrapped here, before the paragraph rules see the
    # content (fuzz: <li><a>n<p>C left "n" loose beside the block until a second pass).
    for el in reversed(anchors):
        if el.getparent() is not None:
            _id_to_parent(el, el.get("id"))
            marks.unwrap(el)
    marks.take_out_all(root)
    _targets_kept(root, targets, ctx)
    for el in checked:  # <time>: its text must then be a valid date; <bdo> needs its dir
        if el.tag == "bdo" or not valid_datetime("".join(el.itertext()).strip()):
            unwrap(el)
    if unknown:
        _unwrap_unknown(root, unknown, strays)


def _unwrap_unknown(root: etree._Element, unknown: set[str], strays: list[etree._Element]) -> None:
    """Unwrapped in one C call by name: the rule is by tag, so every element of these names
    goes. A name lxml cannot address (pasted "{", "a{b") is unwrapped one by one."""
    plain = [name for name in unknown if _PLAIN_NAME.match(name)]
    parents = [el.getparent() for el in strays] if len(strays) >= JOINED_FROM else []
    try:
        etree.strip_tags(root, *plain)
    except ValueError:  # not expected (the pattern is what lxml accepts); be safe
        plain = []
    join_texts([p for p in parents if p is not None])  # strip_tags left them in pieces
    odd = unknown.difference(plain)
    if odd:
        for el in reversed([el for el in root.iter() if el.tag in odd]):
            unwrap(el)


_PLAIN_NAME = re.compile(r"[A-Za-z_][\w.:-]*\Z")


def _fragment_targets(root: etree._Element) -> frozenset[str]:
    """The ids that links of this body point to (``href="#x"``, percent-decoded)."""
    found = set()
    for a in root.iter("a"):
        href = a.get("href")
        if href and href.startswith("#") and len(href) > 1:
            found.add(unquote(href[1:]))
    return frozenset(found)


def _kept_id(value: str, ctx: Context) -> str | None:
    """A referenced id, prefixed once (unique per article); None for any other id."""
    if value not in ctx.targets or not value or any(c.isspace() for c in value):
        return None
    return value if value.startswith(ctx.id_prefix) else ctx.id_prefix + value


def _targets_kept(root: etree._Element, targets: list[etree._Element], ctx: Context) -> None:
    """The ids that links point to, of unknown elements about to be unwrapped (not in a
    subtree removed already): to the element around them (``_id_to_parent``)."""
    for el in targets:
        if any(up is root for up in el.iterancestors()):
            _id_to_parent(el, _kept_id(el.get("id") or "", ctx))


def _strip_junk(root: etree._Element, ctx: Context) -> None:
    """The paste junk that every element may carry goes first, in one C call (the per-element
    allow-list then sees only what is left; it is the rule, this is the shortcut)."""
    found = _KEEPS_CLASS(root)  # (one walk for the two classes kept)
    embeds = [(f, f.items()) for f in found if f.tag == "figure"]  # class="embed"
    languages = _code_languages([pre for pre in found if pre.tag == "pre"])
    for el in _CITATIONS(root) if ctx.citations else ():
        _citation(el)
    for el in _NAMED_ICONS(root) if ctx.icons else ():
        if el.get("title") is None and (  # an icon or its link named by aria-label only:
            el.tag == "svg" or el.find(".//svg") is not None
        ):
            el.set("title", el.get("aria-label") or "")  # a title, read by _icon_link_name
    etree.strip_attributes(root, *(_COMMON_JUNK_BUT_ID if ctx.targets else _COMMON_JUNK))
    for code, language in languages:  # the other class kept: a code block's language
        code.set("class", language)
    for figure, items in embeds:  # its class again, where it was among the others (the
        figure.attrib.clear()  # rest as before: the allow-list drops what it drops)
        for name, value in items:
            if _PLAIN_ATTRIBUTE.match(name):  # (made by embeds.embed_figure: plain names)
                figure.set(name, value)


def _citation(el: etree._Element) -> None:
    """A quote's citation written as a footer (Gutenberg's quote block before 5.x) or as a
    paragraph of class wp-block-quote__citation (the block since 6.x), as the <cite> that the
    block writes between those (gutenberg5 fixtures): the vocabulary keeps no class, and a
    plain paragraph read as one more line of the quote."""
    if el.find(".//cite") is not None or not "".join(el.itertext()).strip():
        return
    if any(child.tag in V.BLOCK_TAGS for child in el.iterdescendants()):
        return  # (a <cite> holds phrasing content only)
    cite = el.makeelement("cite")
    cite.text, el.text = el.text, None
    cite.extend(list(el))
    el.append(cite)
    el.tag = "p"


def _code_languages(pres: list[etree._Element]) -> list[tuple[etree._Element, str]]:
    """Each code block whose language its markup names (``V.code_class``), with the class it
    gets: ``<pre><code class="language-x">`` (Prism, highlight.js), ``<pre class="brush: x">``
    (SyntaxHighlighter), ``<pre class="lang:x …">`` (Crayon), ``<pre lang="x">`` (WP-Syntax),
    ``<pre data-code-block-lang="x">`` (Medium: realworld-extra 5800059). A <pre> of text and
    inline markup only gets a <code> around its content to carry it."""
    found: list[tuple[etree._Element, str]] = []
    for pre in pres:
        whole = len(pre) == 1 and not _has_text(pre.text) and not _has_text(pre[0].tail)
        code = pre[0] if whole and pre[0].tag == "code" else None
        hints = [pre.get("data-code-block-lang") or "", pre.get("lang") or ""]
        hints += (pre.get("class") or "").replace(";", " ").split()
        if code is not None:
            hints += [code.get("lang") or "", *(code.get("class") or "").split()]
        language = next((c for c in map(_code_hint, hints) if c is not None), None)
        if language is None:
            continue
        if code is None:
            if any(_not_in_code(el.tag) for el in pre.iterdescendants()):
                continue  # boxes of lines (code_lines makes them lines), or code in part
            code = pre.makeelement("code")
            text = pre.text
            if text and text[0] == "\n":  # HTML drops the newline that opens a <pre>, not
                text = text[1:]  # one that opens its <code>
            code.text, pre.text = text, None
            code.extend(list(pre))
            pre.append(code)
        found.append((code, language))
    return found


def _code_hint(hint: str) -> str | None:
    """The class of the language one token of a code block's markup names, if any."""
    hint = hint.strip().lower()
    if hint.startswith(("brush:", "lang:")):
        hint = hint.partition(":")[2]
    if not hint or hint in _NATURAL_LANGUAGES:
        return None
    return V.code_class(hint)


def _not_in_code(tag: object) -> bool:
    """What a <code> made around a <pre>'s content may not hold."""
    return tag == "code" or tag in _LINE_BOXES or tag in V.BLOCK_TAGS


# Two-letter names that are a language's name (a lang="cs" on a <pre> is Czech prose) before
# they are a highlighter's (C#, Perl, PowerShell, TypeScript, shell).
_NATURAL_LANGUAGES = frozenset({"cs", "pl", "ps", "ts", "sh"})


def _id_to_parent(el: etree._Element, kept: str | None) -> None:
    """A named anchor (<a name=x>, no href) or an unknown element (<span id=x>) goes, but the
    id a link points to (``kept``) moves to the element around it; where that cannot take it
    (the body, before the paragraph rules; an element that has an id), an empty <a id> keeps
    its place, which ``empties`` gives to the paragraph made around it. Footnotes written
    "<a name=n1></a>* The note." lost their link (realworld-extra 5600040)."""
    parent = el.getparent()
    if not kept or parent is None:
        return
    if parent.get("id") is None and parent.tag in V.ALLOWED_TAGS:
        parent.set("id", kept)
    else:
        el.addprevious(el.makeelement("a", {"id": kept}))


def _svg_as_text(svg: etree._Element, marks: Marks) -> None:
    """An inline <svg> is a picture a browser draws as one box; its shapes are not the
    vocabulary's. It leaves its words: its <title>, its name as an image's alt is (SVG 2
    §5.9), and the text it draws, set off from the words around it as the box sets it off.
    So an icon link keeps words and stays a link (realworld-extra 4900001: <a href=…><svg>
    <title>Share on Twitter</title>…). An icon without words that is all a link holds leaves
    the link's title or URL (``_icon_link_name``)."""
    title = next((child for child in svg if child.tag == "title"), None)
    parts = [" ".join("".join(title.itertext()).split())] if title is not None else []
    parts.append(" ".join(_svg_words(svg)))
    text = " ".join(part for part in parts if part)
    if not text:
        svg.tail = _icon_link_name(svg) + (svg.tail or "")  # (the link's words: no spaces)
    else:
        before = text_before(svg)
        first = svg.getprevious() is None
        if (before and not before[-1].isspace()) or (first and _inline(svg.getparent())):
            text = " " + text
        if svg.tail and not svg.tail[0].isspace():
            text += " "
        svg.tail = text + (svg.tail or "")
    marks.remove(svg)


def _icon_link_name(svg: etree._Element) -> str:
    """The words of a link that is only an <svg> without words (an icon): its name (title or
    aria-label, the link's else the icon's), else its URL, as a reader who cannot see the icon
    still needs the link (realworld-extra 5100165: <a title="GitHub" href=…><svg
    aria-hidden=true><path …/></svg></a> lost the link; news 6000091, share buttons named by
    aria-label only showed their 250-character URLs)."""
    link = next(svg.iterancestors("a"), None)
    href = link.get("href") if link is not None else None
    if link is None or not href or (link.text or "").strip():
        return ""
    walk = etree.iterwalk(link, events=("start",))
    for _, el in walk:
        if el is link:
            continue
        if el.tag in ("img", "svg") and el is not svg:
            return ""  # (another picture: the link is that one's)
        if (el.tail or "").strip() or (el is not svg and (el.text or "").strip()):
            return ""
        if el is svg:
            walk.skip_subtree()
    for named in (link, svg):  # (an aria-label is a title by now: _strip_junk)
        words = " ".join((named.get("title") or "").split())
        if words:
            return words
    return href


_NOT_DRAWN = frozenset({"title", "desc", "metadata", "style", "script"})


def _svg_words(svg: etree._Element) -> list[str]:
    """The words an <svg> holds but its name and notes: what <text>, a <foreignObject>'s
    HTML and stray text in it say (before, the element was unwrapped and all of it stayed).
    Each <text> is set off from the next; a <tspan> or a link runs on in its line."""
    out: list[str] = [svg.text or ""]
    hidden = 0  # how many not-drawn elements the walk is in
    for event, el in etree.iterwalk(svg, events=("start", "end")):
        if el is svg:
            continue
        drawn = isinstance(el.tag, str) and el.tag not in _NOT_DRAWN
        apart = "" if el.tag in ("tspan", "a", "span", "em", "strong", "b", "i") else " "
        if event == "start":
            if not drawn:
                hidden += 1
            elif not hidden:
                out += (apart, el.text or "")
            continue
        if not drawn:
            hidden -= 1
        if not hidden:
            out += (apart, el.tail or "")
    return "".join(out).split()


def _inline(el: etree._Element | None) -> bool:
    return el is not None and el.tag not in V.BLOCK_TAGS and el.tag != "body"


def _without_source(img: etree._Element, marks: Marks) -> None:
    """An image without a usable src shows its alt text, as a browser shows a broken image;
    the only content of a link, it leaves the link's URL as text so the link stays."""
    text = " ".join((img.get("alt") or "").split())
    parent = img.getparent()
    if (
        not text
        and parent is not None
        and parent.tag == "a"
        and parent.get("href")
        and img.getprevious() is None  # its only child (len() counts them all: n² for n)
        and img.getnext() is None
        and not _has_text(parent.text)
        and not _has_text(img.tail)
    ):
        text = parent.get("href", "")
    if text:
        img.tail = text + (img.tail or "")
    marks.remove(img)


# The pictures WordPress puts in place of an emoji or a smiley in feeds and e-mail
# (wp_staticize_emoji: <img class="emoji" alt="👉" src="https://s.w.org/images/core/emoji/…">;
# <img class="wp-smiley" alt=":)" src="…/wp-includes/images/smilies/…">), Twemoji's, and
# Facebook's: a character of the text that happens to be drawn. They stay inline (never a
# figure: "👉 Read more" was a figure and a paragraph), sized as WordPress styles them, 1em.
_EMOJI_IMAGE = re.compile(
    r"https?://(?:s\.w\.org/images/core/emoji/|[^/?#]+/(?:[^?#]*/)?wp-includes/images/smilies/"
    r"|twemoji\.maxcdn\.com/|cdn\.jsdelivr\.net/gh/(?:twitter|jdecked)/twemoji"
    r"|abs\.twimg\.com/emoji/|static\.xx\.fbcdn\.net/images/emoji\.php/)"
)


def _is_emoji(src: str) -> bool:
    """``_EMOJI_IMAGE``, after a substring test that every such URL passes: the pattern costs
    ~1.5k instructions a URL (it backtracks over the path), the test ~100 (issue 13)."""
    return ("emoji" in src or "smilies" in src) and _EMOJI_IMAGE.match(src) is not None


def _text_sized(img: etree._Element) -> None:
    """An emoji's picture as big as the text around it (WordPress: height 1em; an SVG emoji
    without a size is drawn 150 px and more). 20 CSS px: the pages' and books' text size."""
    img.set("width", "20")
    img.set("height", "20")


_COMMON_JUNK = (
    "class", "style", "data-testid", "target", "rel", "loading", "decoding", "id", "dir", "lang",
    "align", "border", "frameborder", "aria-label", "aria-hidden", "role", "tabindex",
    "srcset", "sizes", "data-id", "data-width", "data-height",  # not data-src: embeds keep it
)  # fmt: skip
_COMMON_JUNK_BUT_ID = tuple(name for name in _COMMON_JUNK if name != "id")
# The canonical embed figures that ``embeds`` made, whose class="embed" the vocabulary keeps,
# and the code blocks, whose language it keeps (every other class is paste junk, stripped in
# C with the rest: an element that held only a class then needs no look at its attributes,
# ~6k instructions each on bench/corpus.py bodies).
_KEEPS_CLASS = etree.XPath(".//figure[@class='embed'] | .//pre")
# Read before the junk goes too, each only in a body that holds its words (a walk of the tree
# per "//": ~8 µs each on bench/corpus.py bodies): icons and their links named by aria-label,
# quotes' citations.
_NAMED_ICONS = etree.XPath(".//a[@aria-label] | .//svg[@aria-label]")
_CITATIONS = etree.XPath(
    ".//blockquote/footer | .//blockquote/p[contains(@class, 'quote__citation')]"
)


def _attributes(el: etree._Element, tag: str, names: list[str], ctx: Context) -> None:
    """Keep the allowed attributes (URLs resolved), then rebuild the element's attributes.

    Rebuilt, not deleted one by one: a pasted name such as "{" is not a name lxml can address
    (it reads "{...}" as a namespace), but clear() removes it all the same. Where the rules
    only drop attributes of plain names (a pasted class: nearly every change), those are
    deleted instead: the same attributes are left, in the same order, for a third of the
    cost (setting an attribute is ~3k instructions in lxml).
    """
    attrib = el.attrib
    if tag == "figure" and attrib.get("class") == "embed":
        allowed = V.EMBED_ATTRIBUTES
    else:
        allowed = V.ALLOWED_ATTRIBUTES.get(tag, _NOTHING)
    keep: list[tuple[str, str]] = []
    dropped: list[str] = []
    rebuild = False  # a value changed, or an id moved: the attributes are made again
    for name, value in el.items():
        if name == "id" or (name == "name" and tag == "a"):
            kept = _kept_id(value, ctx) if ctx.targets else None
            rebuild = True
            if kept is not None and all(n != "id" for n, _ in keep):
                keep.append(("id", kept))
            continue
        if name not in allowed or (name == "class" and not V.class_kept(tag, value)):
            dropped.append(name)
            continue
        if name in V.URL_ATTRIBUTES:
            url = resolve_url(value, ctx)
            if url is None:
                dropped.append(name)
                continue
            if tag == "img":
                url = _map_host(url, ctx)
            elif url.startswith("#") and len(url) > 1:
                url = "#" + (_kept_id(unquote(url[1:]), ctx) or url[1:])
            if url != value:
                rebuild = True
                value = url
        else:
            fixed = attribute_value(name, value)
            if fixed != value:
                if fixed is None:
                    dropped.append(name)
                    continue
                rebuild = True
                value = fixed
        keep.append((name, value))
    if not rebuild and all(_PLAIN_ATTRIBUTE.match(name) for name in dropped):
        for name in dropped:  # none: the common case, already what the vocabulary allows
            del attrib[name]
        return
    attrib.clear()
    for name, value in keep:
        attrib[name] = value


_NOTHING: frozenset[str] = frozenset()


_PLAIN_ATTRIBUTE = re.compile(r"[A-Za-z_][\w.-]*\Z")  # lxml deletes it by name (no "{", no ":")


# ---------------------------------------------------------------------------------------------
# 2a. A link inside a link is taken apart


def nested_links(root: etree._Element, ctx: Context) -> None:
    """A link inside a link (pasted markup: ``<a href=x><span><a href=y>…``) is none to an
    HTML5 parser, which closes the outer link at the inner one: such a page is not what a
    browser (or the sanitiser's parser) builds from it, and not valid HTML. The outer link is
    taken apart around the inner one: its own text stays linked to its URL, the inner link
    keeps its own, and an element between the two gets the outer link inside it, around what
    it holds (fuzz V: ``<a href=a><d><a href=\\>D``)."""
    if not _LINK_IN_LINK(root):  # one XPath in C: a third of a walk's cost (the usual case)
        return
    work = [a for a in root.iter("a") if _holds_link(a)]
    for a in reversed(work):  # the inner ones first
        pending = [a] if a.getparent() is not None else []
        while pending:
            pending.extend(_split_link(pending.pop()))


_LINK_IN_LINK = etree.XPath("boolean(.//a//a)")


def _holds_link(el: etree._Element) -> bool:
    return next(el.iterdescendants("a"), None) is not None


def _split_link(a: etree._Element) -> list[etree._Element]:
    """Replace the link ``a`` by its content: a copy of it around each run without a link,
    the links it holds as they are, and a copy inside each other element that holds one.
    Returns those inner copies (they hold a link: taken apart in turn)."""
    out: list[etree._Element] = []
    again: list[etree._Element] = []
    run: list[Item] = [a.text] if a.text else []
    for child in list(a):
        tail, child.tail = child.tail, None
        if child.tag != "a" and not _holds_link(child):
            run.append(child)
        else:
            if run:
                out.append(_copy_of(a))
                _fill(out[-1], run)
                run = []
            out.append(child)
            if child.tag != "a":
                inner = _copy_of(a)
                inner.text, child.text = child.text, None
                for grandchild in list(child):
                    inner.append(grandchild)
                child.append(inner)
                again.append(inner)
        if tail:
            run.append(tail)
    if run:
        out.append(_copy_of(a))
        _fill(out[-1], run)
    replace_by(a, out)  # out holds at least the link inside
    return again


# ---------------------------------------------------------------------------------------------
# 2b. Inline elements around blocks are pushed into them


def inline_around_blocks(root: etree._Element, ctx: Context) -> None:
    """A link or formatting element holding blocks is pushed into them, as a browser shows it:
    ``<a><p>x</p>y<h3>z</h3></a>`` → ``<p><a>x</a></p><a>y</a><h3><a>z</a></h3>``.

    Left in place, the paragraph rules would wrap the inline element in a <p> (a <p> holding a
    <p>), which the sanitiser's HTML5 parser then took apart one block per round (fuzz: a link
    around 31 paragraphs needed 16 rounds). Containers (lists, tables, quotes) get the element
    pushed further down, into their items and cells.
    """
    work = [el for el in root.iter(*_INLINE_PARENTS) if len(el) and _holds_block(el)]
    while work:
        el = work.pop()  # the last found first: inner elements before the ones around them
        parent = el.getparent()
        if parent is not None and _holds_block(el):
            work.extend(_push_down(el))
            if parent.tag in _INLINE_PARENTS:  # it holds the blocks now (fuzz: <b><b><p>x)
                work.append(parent)


def _holds_block(el: etree._Element) -> bool:
    return any(child.tag in V.BLOCK_TAGS for child in el)


def _copy_of(el: etree._Element) -> etree._Element:
    """A new empty element with ``el``'s tag and attributes."""
    new = el.makeelement(el.tag)
    for name, value in el.items():
        new.set(name, value)
    return new


def _push_down(el: etree._Element) -> list[etree._Element]:
    """Replace ``el`` by its content, with a copy of it around each inline run and inside each
    block. Returns the copies that now hold blocks (put inside containers), to push further."""
    out: list[etree._Element] = []
    again: list[etree._Element] = []
    for seg in _runs(el):
        if isinstance(seg, list):
            if all(isinstance(item, str) and not _has_text(item) for item in seg):
                continue  # whitespace between blocks
            wrapper = _copy_of(el)
            _fill(wrapper, seg)
            out.append(wrapper)
            continue
        out.append(seg)
        if seg.tag == "figure" and el.tag == "a":
            _link_picture(seg, el)
        if seg.tag in _LEAVE_ALONE or seg.tag in V.VOID_TAGS or seg.tag == "figure":
            continue  # preformatted text, <hr>, and figures (images, embeds) keep their own
        inner = _copy_of(el)
        inner.text, seg.text = seg.text, None
        for child in list(seg):
            inner.append(child)
        seg.append(inner)
        if _holds_block(inner):
            again.append(inner)
    replace_by(el, out)  # out holds at least the blocks
    return again


def _link_picture(figure: etree._Element, link: etree._Element) -> None:
    """A link around a figure (``<a href><div><figure><img><figcaption>``: news 6000010, a
    book cover linking to its shop) goes around each of the figure's pictures that is not in
    a link of its own, where the vocabulary has a figure's link (``figure > a > img``): else
    the figure kept its pictures and lost the link."""
    for img in [img for img in figure.iter("img") if not _linked_in(img, figure)]:
        around = _copy_of(link)
        img.addprevious(around)
        around.tail, img.tail = img.tail, None
        around.append(img)


def _linked_in(el: etree._Element, top: etree._Element) -> bool:
    """Whether ``el`` is in a link inside ``top``."""
    for above in el.iterancestors():
        if above is top:
            return False
        if above.tag == "a":
            return True
    return False


# ---------------------------------------------------------------------------------------------
# 3. WordPress paragraphs, on the tree (rules of docs/source-format.md §6.2)


def paragraphs(root: etree._Element, ctx: Context) -> None:
    """Blank lines make paragraphs, single newlines make <br>, blocks are never wrapped.

    The same rules as WordPress's wpautop (§6.2), applied to parsed content: loose text at the
    top level always becomes paragraphs; inside a block container (div, li, td, blockquote...)
    only when a blank line or a sibling block splits it; ``<pre>`` is left untouched. Two
    steps: the structure (paragraphs), then every remaining newline (line breaks).
    """
    _flow(root, always=True)
    _line_breaks(root)


def _is_block(el: etree._Element) -> bool:
    return el.tag in V.BLOCK_TAGS


def _splits_here(el: etree._Element) -> bool:
    """Whether ``el``'s own text or its children's tails hold a newline (a blank line splits;
    a single one becomes a <br>), or it has a <br> (which may be half of a <br><br> paragraph
    break). A newline counts as the <br> it becomes, so that the content is grouped (and its
    edges trimmed) on the first pass as it would be on a second (fuzz: <li>,\n% )."""
    text = el.text
    if text and "\n" in text:
        return True
    for child in el:
        if child.tag == "br":
            return True
        tail = child.tail
        if tail and "\n" in tail:
            return True
    return False


def _flow(container: etree._Element, always: bool) -> None:
    has_block = False
    text = container.text
    loose = bool(text and not text.isspace())  # inline content or text outside the blocks
    for child in container:
        tag = child.tag
        if tag in V.BLOCK_TAGS:
            has_block = True
            if tag == "p":
                if _splits_here(child):
                    _split_paragraph(child)
            elif tag == "figure":
                _figure_lists(child)
            elif tag not in _PARAGRAPH_LIKE and tag not in _LEAVE_ALONE:
                _flow(child, always=tag == "blockquote")
        else:
            loose = True
        if not loose:
            tail = child.tail
            loose = bool(tail and not tail.isspace())
    if always or has_block or _splits_here(container):
        if loose:
            # Loose text in a list is an item of its own (as empties does), never a <p> in <ul>.
            wrapper = "li" if container.tag in ("ul", "ol") else "p"
            _group(container, always or has_block, wrapper)
        else:  # blocks and whitespace only (lists, tables): what _group would leave of it
            container.text = None
            for child in container:
                child.tail = None
    if container.tag in ("ul", "ol"):
        _blocks_into_items(container)


def _figure_lists(figure: etree._Element) -> None:
    """A figure's content stays as it is, but a list in it keeps the blocks standing between
    its items in them, as lists elsewhere do (fuzz AJ: <figure><ul><li></li><pre>; AK: a
    figure lifted out of a <pre>, its caption's list holding a <p> before its items)."""
    for lst in figure.iter("ul", "ol"):
        _blocks_into_items(lst)


def _blocks_into_items(container: etree._Element) -> None:
    """A block standing in a list between its items goes into the item before it (or a new
    one): the HTML4 parser ends the list at some of them (fuzz: <ul><l>n<pre>R → the <pre>
    moved out of the list on a second pass)."""
    previous: etree._Element | None = None
    grown: list[etree._Element] = []
    for child in list(container):
        if child.tag == "li":
            previous = child
            continue
        if child.tag not in V.BLOCK_TAGS:
            continue
        if previous is None:
            if container.tag in ("ul", "ol") and child.tag in ("ul", "ol") and not child.tail:
                # a list opening a list (pasted from Word, LibreOffice, Google Docs: <ol><ol>
                # <li>) shows no marker of the outer one: a list of its own before it, not an
                # item with a marker of its own ("1. 1. 111")
                container.addprevious(child)
                continue
            previous = container.makeelement("li")
            container.replace(child, previous)
        previous.append(child)
        if not grown or grown[-1] is not previous:
            grown.append(previous)
    for item in grown:  # it holds a block now: its loose text becomes paragraphs
        _flow(item, always=False)


_NO_BREAKS = frozenset({"pre", "code", "script", "style", "textarea", "xmp"})


def _line_breaks(root: etree._Element) -> None:
    """Every newline left in inline content becomes a <br> (not inside pre/code)."""
    # The text nodes holding a newline: (owner, is_tail). A walk in Python is cheaper than an
    # XPath text() query here, which builds a result object per node.
    found: list[tuple[etree._Element, bool]] = []
    for el in root.iter():
        text = el.text
        if text and "\n" in text and isinstance(el.tag, str):
            found.append((el, False))
        tail = el.tail
        if tail and "\n" in tail and el is not root:
            found.append((el, True))
    for owner, is_tail in found:
        start = owner.getparent() if is_tail else owner
        if start is None or any(el.tag in _NO_BREAKS for el in start.iterancestors()):
            continue
        if start.tag in _NO_BREAKS:
            continue
        value = (owner.tail if is_tail else owner.text) or ""
        if is_tail and owner.tag == "br":  # "<br>\n": the newline after a <br> is not another
            value = value.lstrip(" \t")
            if value.startswith("\n"):
                value = value[1:]
        following = owner.getnext() if is_tail else (owner[0] if len(owner) else None)
        if following is not None and following.tag == "br":  # nor is "\n<br>" two breaks
            value = value.rstrip(" \t")
            if value.endswith("\n"):
                value = value[:-1]
        # A blank line here (inside inline content, where no paragraph can start) is one break,
        # and so are several: two breaks in a row would be a paragraph break on a second pass.
        first, *rest = _BLANK_LINES.sub("\n", value).split("\n")
        # Each <br> goes right after the text it ends (after ``previous``, None: first in
        # ``parent``): by index, lxml walks the children, quadratic for many lines.
        previous: etree._Element | None
        if is_tail:
            owner.tail = first
            parent, previous = owner.getparent(), owner
            assert parent is not None
        else:
            owner.text = first
            parent, previous = owner, None
        for line in rest:
            br = parent.makeelement("br", {})
            br.tail = line
            if previous is None:
                parent.insert(0, br)
            else:
                previous.addnext(br)
            previous = br


Item = etree._Element | str


def _runs(container: etree._Element) -> list[list[Item] | etree._Element]:
    """The container's content as blocks and runs of inline items (strings and elements).

    Tails are detached from the children (blocks keep none: whitespace between blocks is not
    content); the children stay where they are.
    """
    segments: list[list[Item] | etree._Element] = []
    run: list[Item] = []
    if container.text:
        run.append(container.text)
    for child in container:
        tail = child.tail
        if tail is not None:
            child.tail = None
        if child.tag in V.BLOCK_TAGS:
            if run:
                segments.append(run)
                run = []
            segments.append(child)
        else:
            run.append(child)
        if tail:
            run.append(tail)
    if run:
        segments.append(run)
    return segments


def _split_run(run: list[Item]) -> list[list[Item]]:
    """Split a run at blank lines and at <br><br>; trim each paragraph's outer whitespace."""
    paras: list[list[Item]] = [[]]
    pending_br: etree._Element | None = None
    for item in run:
        if isinstance(item, str):
            parts = _BLANK_LINES.split(item) if "\n" in item else (item,)
            for i, part in enumerate(parts):
                if i:
                    paras.append([])
                    pending_br = None
                if part:
                    if pending_br is not None and _has_text(part):
                        pending_br = None
                    paras[-1].append(part)
        elif item.tag == "br":
            if pending_br is not None:  # <br><br>: a paragraph break (rule 3)
                paras[-1].remove(pending_br)
                paras.append([])
                pending_br = None
                continue
            pending_br = item
            paras[-1].append(item)
        else:
            pending_br = None
            paras[-1].append(item)
    out = []
    for para in paras:
        while para and isinstance(para[0], str) and not _has_text(para[0]):
            para.pop(0)
        while para and isinstance(para[-1], str) and not _has_text(para[-1]):
            para.pop()
        while para and not isinstance(para[0], str) and para[0].tag == "br":
            para.pop(0)
        while para and not isinstance(para[-1], str) and para[-1].tag == "br":
            para.pop()
        if para and not all(map(_shows_nothing, para)):
            if isinstance(para[0], str):
                para[0] = para[0].lstrip()
            if isinstance(para[-1], str):
                para[-1] = para[-1].rstrip()
            out.append(para)
    return out


def _shows_nothing(item: Item) -> bool:
    """Whitespace, or an element of only whitespace without attributes (<strong>\n</strong>):
    a paragraph of these alone is none. A browser reopens bold or italic still open after a
    paragraph in the newline between two (HTML5 parse, feedjira2 6100075), which made an
    empty paragraph <p><strong><br></strong></p>."""
    if isinstance(item, str):
        return not _has_text(item)
    return not len(item) and not item.attrib and item.tag != "br" and not _has_text(item.text)


def _fill(parent: etree._Element, items: list[Item]) -> None:
    """Append the items (strings and elements) at the end of ``parent``'s content."""
    last = parent[-1] if len(parent) else None
    for item in items:
        if isinstance(item, str):
            if not item:
                continue
            if last is None:
                text = parent.text
                parent.text = text + item if text else item
            else:
                tail = last.tail
                last.tail = tail + item if tail else item
        else:
            parent.append(item)  # moves it from where it was
            last = item


def _group(container: etree._Element, wrap: bool, wrapper: str = "p") -> None:
    segments = _runs(container)
    container.text = None
    if all(not isinstance(seg, list) or _blank(seg) for seg in segments):
        return  # blocks separated by whitespace only (_runs already dropped the whitespace)
    # Rebuild in place: blocks stay, runs become paragraphs (or inline content). What is
    # placed goes right after the last element placed (``previous``, None: at the start), not
    # at an index: lxml finds an index by walking the children, which made this quadratic.
    previous: etree._Element | None = None
    for seg in segments:
        if not isinstance(seg, list):
            previous = seg  # earlier runs were replaced in place, so the block follows them
            continue
        paras = _split_run(seg)
        if wrap or len(paras) > 1:
            # New paragraphs go in before the run; filling them moves the run's elements in.
            for para in paras:
                p = container.makeelement(wrapper)
                if previous is None:
                    container.insert(0, p)
                else:
                    previous.addnext(p)  # after it and its tail
                previous = p
                _fill(p, para)
            for item in seg:  # what the split dropped (<br><br>, edge <br>s) is still here
                if not isinstance(item, str) and item.getparent() is container:
                    container.remove(item)
            continue
        for item in seg:  # detach the run's elements; what remains is put back below
            if not isinstance(item, str) and item.getparent() is container:
                container.remove(item)
        if paras:
            for item in paras[0]:
                if isinstance(item, str):
                    if previous is None:
                        container.text = (container.text or "") + item
                    else:
                        previous.tail = (previous.tail or "") + item
                elif previous is None:
                    container.insert(0, item)
                    previous = item
                else:
                    previous.addnext(item)
                    previous = item


def _blank(run: list[Item]) -> bool:
    return all(isinstance(item, str) and not _has_text(item) for item in run)


def _split_paragraph(p: etree._Element) -> None:
    """A <p> holding blank lines becomes several paragraphs."""
    parent = p.getparent()
    segments = _runs(p)
    p.text = None
    for child in list(p):
        p.remove(child)
    paras: list[list[Item]] = []
    for seg in segments:
        paras.extend(_split_run(seg) if isinstance(seg, list) else [[seg]])
    if not paras:
        return
    _fill(p, paras[0])
    if parent is None:
        return
    tail, p.tail = p.tail, None
    new = p
    for para in paras[1:]:
        previous, new = new, parent.makeelement("p", {})
        previous.addnext(new)  # not by index: lxml walks the children to find one
        _fill(new, para)
    new.tail = tail


# ---------------------------------------------------------------------------------------------
# 4. Divs: empty ones removed; inline-only ones become paragraphs; others unwrapped


def divs(root: etree._Element, ctx: Context) -> None:
    """Empty divs (mceTemp, paste junk) removed; inline-only divs → <p>; others unwrapped."""
    for div in reversed(list(root.iter("div"))):
        if not len(div) and not _has_text(div.text):
            remove(div)
        elif any(_is_block(child) for child in div):
            unwrap(div)
        else:
            div.tag = "p"
            div.attrib.clear()


# ---------------------------------------------------------------------------------------------
# 5. Blocks inside paragraphs are lifted out (libxml2 keeps <p><figure> nested)


# Paragraph-like elements, and <pre>: the HTML4 parser ends a <pre> at a block start tag, so a
# block left inside one (it was inside an unknown element, since unwrapped) would move out of
# it when the output is parsed again (fuzz: <pre><t><ul><li>x).
_LIFTED_FROM = tuple((_PARAGRAPH_LIKE - {"caption", "figcaption", "dt"}) | {"pre"})


def lift_blocks(root: etree._Element, ctx: Context) -> None:
    """A block inside a paragraph or heading splits it.

    <p>a<figure/>b</p> → <p>a</p><figure/><p>b</p>
    """
    for p in [el for el in root.iter(*_LIFTED_FROM)]:
        _lift(p, ctx)


def _lift(p: etree._Element, ctx: Context) -> None:
    """``lift_blocks`` for one paragraph (or heading, caption, pre)."""
    for child in p:
        if child.tag in V.BLOCK_TAGS:
            break
    else:
        return
    if p.getparent() is None:
        return
    segments = _runs(p)
    p.text = None
    for child in list(p):
        p.remove(child)
    out: list[etree._Element] = []
    lifted: list[etree._Element] = []  # paragraphs that were in the paragraph, and its pieces
    for seg in segments:
        if isinstance(seg, list):
            para = p.makeelement(p.tag, {})
            _fill(para, seg)
            # a piece of line breaks only is no paragraph (fuzz AI: left as "<p></p>" when
            # empties split a paragraph after its own loop)
            if _has_text(para.text) or any(c.tag != "br" or _has_text(c.tail) for c in para):
                out.append(para)
                if p.tag == "p":  # (fuzz AB: <p><x><div> a\nb<p> kept " a<br>b" a pass)
                    lifted.append(para)
        else:
            out.append(seg)
            tag = seg.tag
            if tag == "p":
                lifted.append(seg)
            elif tag == "figure":
                _figure_lists(seg)
            elif tag not in _PARAGRAPH_LIKE and tag not in _LEAVE_ALONE:
                # The paragraph rules did not reach inside it while it stood in a <p>
                # (fuzz: <p>x<u><ol><li>i<ul>… left "i" unwrapped until a second pass).
                _flow(seg, always=tag == "blockquote")
                # and the paragraphs they made there may hold a block (fuzz Y: <p><ul><p>\n>
                # <ol>… left a list in a paragraph): lifted out now, as at the top level
                for q in [q for q in seg.iter("p") if any(c.tag in _LIFTED_AGAIN for c in q)]:
                    _lift(q, ctx)
            if p.tag == "pre":  # its newlines were preformatted text; now they are breaks
                _line_breaks(seg)
                if ctx.brackets:  # and its shortcodes are no longer code (fuzz U: <pre><ol>[e d])
                    unknown_shortcodes(seg, _KNOWN_SHORTCODES, ctx.warnings)
    replace_by(p, out)  # out holds at least the block that was inside
    for seg in lifted:  # a paragraph in a paragraph, or a piece: a top-level one's rules
        if _splits_here(seg):  # (fuzz: <p><l><p>a\n. kept its trailing space a pass)
            after = seg.getnext()
            _split_paragraph(seg)
            # The paragraphs it was split into are new: a block in one is lifted out now
            # (hypothesis: a caption's figure in a <p> in a <pre> took a second pass). Not
            # for list items: ``list_items`` unwraps the items a paragraph holds.
            new: etree._Element | None = seg
            while new is not None and new is not after:
                following = new.getnext()
                if new.tag == "p" and any(c.tag in _LIFTED_AGAIN for c in new):
                    _lift(new, ctx)
                new = following


_LIFTED_AGAIN = V.BLOCK_TAGS - {"li"}


# ---------------------------------------------------------------------------------------------
# 6. Images: paragraphs of images (with inline captions) become figures


def _image_of(el: etree._Element, emoji: bool) -> etree._Element | None:
    """The <img> of an image item: the element itself or a link holding only an image. An
    emoji's picture is a character of the text, not an item (``_EMOJI_IMAGE``)."""
    if el.tag == "img":
        return None if emoji and _is_emoji(el.get("src", "")) else el
    if (
        el.tag == "a"
        and len(el) == 1
        and el[0].tag == "img"
        and not _has_text(el.text)
        and not _has_text(el[0].tail)
    ):
        return el[0]
    return None


def image_figures(root: etree._Element, ctx: Context) -> None:
    """Images that open a paragraph become figures; the rest stays a paragraph.

    <p><img><br><a><img></a> Text</p> → <figure><img></figure><figure><a><img></a></figure>
    <p>Text</p>. A caption is only what the source marks as one ([caption], <figcaption>):
    the text after an image may be a whole paragraph (feeds, pasted pages), so it is never
    taken for one. An image inside the text stays where it is, inline.
    """
    for p in list(root.iter("p")):
        _image_paragraph(p, ctx.emoji)


def _image_paragraph(p: etree._Element, emoji: bool) -> None:
    """``image_figures`` for one paragraph."""
    if not len(p) or _has_text(p.text) or _image_of(p[0], emoji) is None or p.getparent() is None:
        return
    leading: list[etree._Element] = []  # the images (and <br>s between them) that open it
    for child in p:
        if child.tag != "br" and _image_of(child, emoji) is None:
            break
        leading.append(child)
        if _has_text(child.tail):
            break
    rest = leading[-1].tail
    figures: list[etree._Element] = []
    for child in leading:
        child.tail = None
        p.remove(child)
        if child.tag != "br":
            figure = p.makeelement("figure")
            figure.append(child)
            figures.append(figure)
    p.text = rest.lstrip() if rest else None
    while len(p) and p[0].tag == "br" and not _has_text(p.text):
        p.text = (p[0].tail or "").lstrip() or None
        p.remove(p[0])
    if len(p) or _has_text(p.text):
        figures.append(p)
    replace_by(p, figures)


def _strip_edges(el: etree._Element) -> None:
    if el.text:
        el.text = el.text.lstrip()
    if len(el):
        last = el[-1]
        if last.tail:
            last.tail = last.tail.rstrip()
    elif el.text:
        el.text = el.text.rstrip()


# ---------------------------------------------------------------------------------------------
# 7. A bare URL alone in a paragraph is an embed (WordPress autoembed) or becomes a link


def bare_urls(root: etree._Element, ctx: Context) -> None:
    """<p>https://youtu.be/x</p> → embed figure for known providers, else a link."""
    for p in list(root.iter("p")):
        if len(p):
            if len(p) == 1 and p[0].tag == "a" and not _has_text(p.text):
                a = p[0]
                if _has_text(a.tail) or len(a):
                    continue
                url = a.get("href", "")
                if (a.text or "").strip() != url.strip():
                    continue
            else:
                continue
        else:
            url = p.text or ""
        m = _URL_ONLY.match(url)
        if not m:
            continue
        embed = match_url(m.group(1))
        if embed is not None:
            replace(p, embed_figure(as_written(embed, m.group(1))))
        elif not len(p):
            href = resolve_url(m.group(1), ctx)
            if href is None:  # no URL a browser would open ("http://]"): it stays text
                continue
            p.text = None
            a = etree.SubElement(p, "a")
            a.set("href", href)
            a.text = m.group(1)


# ---------------------------------------------------------------------------------------------
# 8. Inline image hosts


def _map_host(url: str, ctx: Context) -> str:
    for old, new in ctx.host_map:
        if url.startswith(old):
            return new + url[len(old) :]
    return url


# ---------------------------------------------------------------------------------------------
# 9. Empties: inline elements with nothing in them, empty paragraphs, edge <br>s


# Elements that are meaningful while empty.
_KEEP_EMPTY = frozenset({"br", "hr", "img", "td", "th", "col", "colgroup", "wbr", "tr", "li"})
_TRIM_BR = frozenset(
    {"p", "h2", "h3", "h4", "h5", "h6", "li", "figcaption", "td", "th", "dd", "dt"}
)


_NO_LOOSE_BR = frozenset(
    {"ul", "ol", "dl", "table", "thead", "tbody", "tfoot", "tr", "colgroup", "blockquote", "figure"}
)


_INLINE_PARENTS = frozenset(V.ALLOWED_TAGS - V.BLOCK_TAGS)
_NO_STRAY_ITEMS = _PARAGRAPH_LIKE | _INLINE_PARENTS | {"pre"}


def empties(root: etree._Element, ctx: Context) -> None:
    """Remove what holds nothing: empty paragraphs, lists, tables, formatting; links without href.

    Trims <br> at the edges of paragraphs. Inline elements holding only a space are unwrapped
    (the space is kept); links whose href was unsafe are unwrapped (their text is kept).
    """
    unwrapped_in: list[etree._Element] = []  # paragraphs whose edges an unwrap may have moved
    # What holds nothing is marked, and taken out in C when the loop reaches its parent (the
    # children come first in this order): one by one was quadratic (tree.Marks).
    marks = Marks()
    pending = marks.by_parent  # (a dict test per element: the common case is that it is empty)
    for el in reversed(list(root.iter())):
        emptied = bool(pending) and el in pending and marks.take_out(el)  # a child removed
        if emptied and el.tag in _PARAGRAPH_LIKE:
            _trim_end(el)
        if el is root:
            continue
        tag = el.tag
        if tag == "a" and el.get("href") is None:
            parent = el.getparent()
            kept = el.get("id")  # where vocabulary kept a target's place (_id_to_parent)
            if kept is not None and parent is not None:
                if parent is root or parent.get("id") is not None:
                    continue  # stays an empty <a id>: the target of a link
                parent.set("id", kept)
            if parent is not None and parent.tag in _PARAGRAPH_LIKE:
                unwrapped_in.append(parent)
            unwrap(el)
            continue
        if tag == "li":
            parent = el.getparent()
            if parent is not None and parent.tag in _NO_STRAY_ITEMS:
                _stray_item(el, parent, unwrapped_in)
                continue
        if tag == "br":
            parent = el.getparent()
            if parent is not None and parent.tag in _NO_LOOSE_BR:
                remove(el)  # a line break between list items or table rows breaks nothing
            continue
        if tag in _TRIM_BR and len(el) and (el[0].tag == "br" or el[-1].tag == "br"):
            _trim_breaks(el)
        if tag in _KEEP_EMPTY:
            continue
        if emptied and tag == "figure" and pictureless(el) and _holds_paragraphs(el.getparent()):
            # What made it a figure was empty and went just now: it is the paragraph that
            # captions makes of such a figure (else a second pass did: <figure>0 <p></p>).
            el.tag = tag = "p"
            for item in [child for child in el if child.tag == "li"]:
                _stray_item(item, el, unwrapped_in)  # stray now (fuzz AT: <figure><p><li>)
        if tag in ("ul", "ol") and len(el) and any(child.tag == "li" for child in el):
            _group(el, True, "li")  # loose text in a list: an item of its own, not a paragraph
            continue
        if len(el) or _has_text(el.text):
            if (tag in ("ul", "ol") and not any(child.tag == "li" for child in el)) or (
                tag == "table" and not any(True for _ in el.iter("td", "th"))
            ):
                made = _loose_text_holder(el)
                if made is not None:  # a paragraph now: its rules at once (fuzz AP)
                    unwrapped_in.append(made)
            continue
        if el.text and tag not in V.BLOCK_TAGS:
            parent = el.getparent()
            if parent is not None and parent.tag in _PARAGRAPH_LIKE:
                unwrapped_in.append(parent)
            _as_space(el)
            marks.unwrap(el)  # <em> </em>: keep the space (but not at a paragraph's edge)
        else:
            parent = el.getparent()
            marks.remove(el)
            # (an item or a cell too: the space before what went now ends it, and the
            # paragraph rules trim that edge on the next pass; fuzz AO: <li>c\nd <a href=e>)
            if parent is not None and parent.tag in _TRIM_BR:
                unwrapped_in.append(parent)
    marks.take_out_all(root)  # of parents taken out of the tree before the loop reached them
    _edge_breaks(root)
    _settle(unwrapped_in, ctx)


def _edge_breaks(root: etree._Element) -> None:
    """A thematic break that opens or closes the body separates nothing: it goes (Medium
    opens every post with its first section's divider, which it hides: realworld-extra
    5800001 and every Medium body of that corpus). A body of rules only keeps them: they
    are all it says (Gutenberg's separator block fixtures, realworld 3000121)."""
    if not len(root) or (root[0].tag != "hr" and root[-1].tag != "hr"):
        return  # (the usual body: no walk over its blocks)
    if all(child.tag == "hr" for child in root):
        return
    while root[0].tag == "hr" and not _has_text(root.text):
        remove(root[0])
    while root[-1].tag == "hr":
        remove(root[-1])


def _as_space(el: etree._Element) -> None:
    """The whitespace of an inline element ``empties`` unwraps, as a space where it holds a
    newline the paragraph rules did not see (in <code>): out of it, they would make it a
    break on the next pass (fuzz AS: <figure><code><b>\n). In <pre> it is the text."""
    if "\n" in (el.text or "") and not any(True for _ in el.iterancestors("pre")):
        el.text = " "


def _settle(paragraphs: list[etree._Element], ctx: Context) -> None:
    """The paragraphs whose content ``empties`` took from: the rules they missed, at once.
    Their edges are trimmed, as the paragraph rules trim them (fuzz: ",\ne <a "), each once
    however many of its children went; a double break is a paragraph break; one that an
    image now opens is made figures, as ``image_figures`` would (fuzz AC: <a href=p><a><img>,
    the empty link before the image went only after image_figures had looked)."""
    for p in dict.fromkeys(paragraphs):
        if p.getparent() is None:
            continue
        if p.tag in _LIFTED_FROM and any(child.tag in _LIFTED_AGAIN for child in p):
            _lift(p, ctx)  # a stray item's list, left in it (a caption may hold blocks: fuzz AH)
            continue
        _strip_edges(p)
        if p.tag != "p":
            continue
        after = p.getnext()
        if _double_break(p):  # "a<br><a></a><br>b": a paragraph break now
            _split_paragraph(p)
        new: etree._Element | None = p
        while new is not None and new is not after:
            following = new.getnext()
            if new.tag == "p":
                _image_paragraph(new, ctx.emoji)
            new = following


def _stray_item(li: etree._Element, parent: etree._Element, settle: list[etree._Element]) -> None:
    """A list item in preformatted, paragraph or inline content: the HTML4 parser ends the
    <pre> at it when the output is parsed again (fuzz: <pre><r><li>x → <pre><li>x</li></pre>
    → <li>x</li>). Its text stays, the item goes, and so do the items right in it, stray in
    turn (fuzz AG: <p><li><li></li></li></p>)."""
    for item in _items_in_item(li):
        unwrap(item)
    # An item is a box of its own: its words stay apart from the words around it ("xy" was
    # two items; a space, which the paragraph rules trim at an edge).
    before = text_before(li)
    if before and not before[-1].isspace():
        li.text = " " + (li.text or "")
    if (li.tail and not li.tail[0].isspace()) or (not li.tail and li.getnext() is not None):
        li.tail = " " + (li.tail or "")
    if parent.tag in _PARAGRAPH_LIKE or any(c.tag in _LIFTED_AGAIN for c in li):
        # its blocks go out of it there (fuzz AG), and a paragraph's rules see its content
        # (fuzz AL: <pre><p><li>o\n\n\nx kept "o<br><br>x" a pass)
        settle.append(parent)
    unwrap(li)


def _items_in_item(li: etree._Element) -> list[etree._Element]:
    """The list items standing right in ``li`` (no list between), and those in them."""
    found: list[etree._Element] = []
    stack = [li]
    while stack:
        for child in stack.pop():
            if child.tag == "li":
                found.append(child)
                stack.append(child)
    return found


def _loose_text_holder(el: etree._Element) -> etree._Element | None:
    """A list without items or a table without cells holds loose text: where that text stands
    among blocks it becomes a paragraph (as a second pass would make it; returned: it gets
    the paragraph rules, fuzz AP: <ul><a><img> kept an image paragraph a pass), inside inline
    content it is simply unwrapped."""
    for col in list(el.iter("col")):
        remove(col)  # it only styles the cells there are none of (fuzz AQ: <table><col>)
    for child in list(el.iter("tr", "tbody", "thead", "tfoot", "caption", "colgroup")):
        if child is not el:  # (out of their table, a caption in a caption: fuzz BB)
            unwrap(child)
    if not _holds_paragraphs(el.getparent()):
        unwrap(el)
        return None
    if el.tag in ("ul", "ol") and any(child.tag in V.BLOCK_TAGS for child in el):
        # blocks in it (a list in a list without items, made a paragraph just now): its loose
        # text becomes paragraphs beside them, and it goes (fuzz AD: <figure><ol><ul>a gave
        # <p><p>a</p></p>, which an HTML5 parser takes apart)
        _group(el, True)
        unwrap(el)
        return None
    el.tag = "p"
    el.attrib.clear()
    if not len(el) and not (el.text or "").strip():
        remove(el)  # it held only empty table parts: <ul><tr></tr></ul>
        return None
    return el


def _holds_paragraphs(parent: etree._Element | None) -> bool:
    if parent is not None and parent.tag == "li":  # a stray item is unwrapped (empties): its
        grand = parent.getparent()  # content goes where it stands (fuzz AG: <p><li><ul>o)
        if grand is not None and grand.tag in _NO_STRAY_ITEMS:
            return False
    return parent is not None and parent.tag not in _PARAGRAPH_LIKE | _INLINE_PARENTS


def _trim_end(p: etree._Element) -> None:
    """As removing an element from a paragraph always did: "b <em></em>" → "b"."""
    last = last_child(p)  # not len(p): it counts them all, every time
    if last is None:
        p.text = (p.text or "").rstrip() or None
    elif last.tail:
        last.tail = last.tail.rstrip() or None


def _trim_breaks(el: etree._Element) -> None:
    """<br>s at the edges of ``el`` go; the text after a leading one stays. (Its children
    are looked at from the ends: testing ``len(el)`` made this quadratic in the <br>s.)"""
    if not len(el):  # once (cheap), not per <br>
        return
    first: etree._Element | None = el[0]
    if first is not None and first.tag == "br" and not _has_text(el.text):
        text = [el.text or ""]
        while first is not None and first.tag == "br":
            tail = first.tail or ""
            text.append(tail)
            el.remove(first)
            if _has_text(tail):
                break
            first = first_child(el)
        el.text = "".join(text)
    last = last_child(el)
    while last is not None and last.tag == "br" and not _has_text(last.tail):
        el.remove(last)
        last = last_child(el)


def _double_break(p: etree._Element) -> bool:
    return any(
        br.tag == "br" and nxt is not None and nxt.tag == "br" and not _has_text(br.tail)
        for br, nxt in itertools.pairwise(p)
    )


# The order is the design: embeds must be found before their iframes and scripts are removed;
# paragraphs need the final tag names; figures need paragraphs; a bare URL is alone in its
# paragraph only once empties has removed what held nothing (fuzz: <p><a><br>URL<br></a></p>
# with an href the sanitiser refused was linked only on a second pass); the sanitiser follows.
def shortcodes_left(root: etree._Element, ctx: Context) -> None:
    """Shortcodes of plugins we do not know ([related_article id="1"]) are not text."""
    if ctx.brackets:
        unknown_shortcodes(root, _KNOWN_SHORTCODES, ctx.warnings)


_KNOWN_SHORTCODES = frozenset(_SHORTCODE_NAMES)


def captions(root: etree._Element, ctx: Context) -> None:
    """``structure.figcaptions``; the paragraphs it made of captions or figures holding blocks
    are split around them (``lift_blocks`` again, only then: in one pass, no block is left in
    a paragraph, where a browser's parser would close the paragraph), and the others get the
    paragraph rules (fuzz AE: "<figure>a\nb " kept "a<br>b " with its trailing space a pass).
    A paragraph made of a caption may open with an image: it is made a figure now, as
    ``image_figures``, which ran before, would on a second pass (fuzz AV: a stray
    <figcaption><img>, which only figures hold as a picture)."""
    made: list[etree._Element] = []
    lifted = figcaptions(root, ctx, made)
    if lifted:
        lift_blocks(root, ctx)  # (its pieces are new paragraphs, not in ``made``)
    for p in made:
        if p.tag == "p" and p.getparent() is not None and _splits_here(p):
            _split_paragraph(p)
    if lifted or any(True for p in made for _ in p.iter("img")):
        image_figures(root, ctx)  # (rare: over the whole body, for the pieces lifted or split)


def code_lines(root: etree._Element, ctx: Context) -> None:
    """Code written a line a box: <pre><div>line</div><div>  line</div></pre>, as editors and
    highlighters paste it (GitHub, CodeMirror; prettify's <ol class=linenums>). A browser
    shows each box as a line of the preformatted text; the boxes become those lines, so the
    code stays one code block (realworld-extra 5100105: the lines became paragraphs, their
    indentation lost). The blank between boxes is the source's layout, not a line."""
    for pre in root.iter("pre"):
        boxes: list[etree._Element] = []
        walk = etree.iterwalk(pre, events=("start",))
        for _, el in walk:
            if el.tag in _LINE_BOXES:
                boxes.append(el)
            elif el.tag in V.BLOCK_TAGS and el is not pre:
                walk.skip_subtree()  # a figure or a table in it is lifted out of it, whole
        for box in reversed(boxes):  # the innermost first: its parent is a box still
            _as_line(box)


_LINE_BOXES = frozenset({"div", "p", "ul", "ol", "li", "dl", "dt", "dd"})


def _as_line(box: etree._Element) -> None:
    """One box of ``code_lines``: its content, set off by newlines from the content before
    and after it in its parent. A <br> that ends it only ends its line (an empty line when
    it is all there is, as <div><br></div> is); an empty box is no line at all."""
    if len(box) and box[-1].tag == "br" and not (box[-1].tail or "").strip():
        remove(box[-1])
        box.text = box.text or ""  # (a line, though empty)
    if box.text is None and not len(box):
        remove(box)  # <div></div>: no height, no line
        return
    parent = box.getparent()
    previous = box.getprevious()
    if previous is None:
        if parent is not None and parent.text is not None and not parent.text.strip():
            parent.text = None
        before = parent is not None and parent.text is not None
    else:
        if previous.tag in _LINE_BOXES and previous.tail is not None and not previous.tail.strip():
            previous.tail = None
        before = True
    if before and not text_before(box).endswith("\n"):
        box.text = "\n" + (box.text or "")
    after = box.getnext()
    if (
        box.tail is not None
        and not box.tail.strip()
        and (after is None or after.tag in _LINE_BOXES)
    ):
        box.tail = None
    if (box.tail or (after is not None and after.tag not in _LINE_BOXES)) and not (
        box.tail or ""
    ).startswith("\n"):
        box.tail = "\n" + (box.tail or "")
    unwrap(box)


def anchors(root: etree._Element, ctx: Context) -> None:
    """``structure.fragment_links``; where an unwrapped link held only a break at an edge of
    its paragraph, item or cell, the rules ``empties`` applies to those edges apply at once,
    and a paragraph or heading left with nothing goes (fuzz AW: <a href=#>\n was
    "<p><br></p>" until a second pass removed it); a break it leaves loose in a figure, list
    or table goes (fuzz AX); an image it leaves opening a paragraph is made a figure, as
    ``image_figures`` would (fuzz AY: <p><a href=#><img src=x>r)."""
    for parent in dict.fromkeys(fragment_links(root)):
        if parent.tag in _NO_LOOSE_BR:  # (fuzz AX: <figure><p>t</p><a href=#>\n)
            for br in [child for child in parent if child.tag == "br"]:
                remove(br)  # a break between blocks breaks nothing, as empties says
            continue
        if parent.tag not in _TRIM_BR or parent.getparent() is None:
            continue
        _trim_breaks(parent)
        _strip_edges(parent)
        if parent.tag in _GONE_EMPTY and not len(parent) and not _has_text(parent.text):
            remove(parent)
        elif parent.tag == "p":
            _image_paragraph(parent, ctx.emoji)  # an image the link held opens it now (AY)


_GONE_EMPTY = frozenset({"p", "h2", "h3", "h4", "h5", "h6", "figcaption"})  # (not dd, dt: a dl)


# Chrome of the markup, which attributes mark that the vocabulary then drops: an element
# hidden from assistive technology (aria-hidden="true").
_DECORATION = etree.XPath(".//*[@aria-hidden='true']")
# What shows without letters: an aria-hidden element holding one is not decoration.
_PICTURES = ("img", "svg", "picture", "video", "audio", "iframe", "object", "embed", "canvas")


def decoration(root: etree._Element, ctx: Context) -> None:
    """Decoration out of the text: an aria-hidden element of symbols only (no letter, digit or
    picture) is an icon glyph, "+" or "›" (Gutenberg's accordion heading: "Opening hours+",
    gutenberg 5900001-03)."""
    for el in _DECORATION(root) if ctx.hidden else ():
        if next(el.iter(*_PICTURES), None) is None and not any(
            c.isalnum() for c in "".join(el.itertext())
        ):
            _as_nothing(el)


def _as_nothing(el: etree._Element) -> None:
    """``el`` removed; where it showed a symbol between two words, a space keeps them apart
    ("Home<span aria-hidden>›</span>News")."""
    before, tail = text_before(el), el.tail or ""
    between = (el.getprevious() is not None or _has_text(before)) and (
        el.getnext() is not None or _has_text(tail)
    )
    shown = "".join(el.itertext())  # (a space of its own too: "a<span> </span>b")
    if shown and between and not before[-1:].isspace() and not tail[:1].isspace():
        el.tail = " " + tail
    remove(el)


def styles(root: etree._Element, ctx: Context) -> None:
    """Emphasis written as CSS (<span style="font-weight:700">), as the tag it means; lists
    pasted from Word (paragraphs with ``mso-list`` styles), as lists."""
    if ctx.word:
        word_lists(root)
    emphasis(root)


PIPELINE: tuple[Transform, ...] = (
    embeds,  # first: lazy-loaded sources, then embeds; the rest sees what a reader sees
    decoration,  # before vocabulary, which drops the attributes that mark it
    styles,  # before vocabulary, which drops every style attribute
    vocabulary,
    nested_links,  # after vocabulary: only links with an href are links by then
    code_lines,  # after vocabulary: the boxes in a <pre> are divs and lists by then
    shortcodes_left,
    inline_around_blocks,
    table_parts,  # before paragraphs: what a table may not hold goes out, into paragraphs
    definition_lists,  # before paragraphs: a list of details without terms becomes divs
    paragraphs,
    divs,
    lift_blocks,
    image_figures,
    title_breaks,
    captions,  # after image_figures: a caption right after an image joins its figure
    tables,
    empties,
    list_items,  # after empties: items loose only once what held them is gone
    bare_urls,
    anchors,  # last: links to ids that the steps above removed are unwrapped
)
