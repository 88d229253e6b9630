"""HTML adapter: a standalone HTML5 page per article, or (``fragment``) only the clean body.

The page carries what partner sites and crawlers read: lang, charset, title, canonical link,
meta description, OpenGraph and Twitter card tags, schema.org NewsArticle JSON-LD, a header
with title, byline, date and section, the lead image with srcset/sizes, and the body.
The body is the clean lxml tree, serialised by lxml. The page around it is text from fixed
templates that accept only ``Html``: values escaped by ``text()`` / ``attribute()`` (below).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import cache
from typing import Any, NewType

from lxml import etree

from .. import images
from ..content import body_tree, xml_safe
from ..content.embeds import provider as embed_provider
from ..content.embeds import unlabel
from ..content.tree import text_of
from ..model import Article
from ..options import Options
from .common import date_text, name_separators

__all__ = [
    "STYLE",
    "STYLESHEET",
    "Html",
    "attribute",
    "minify_css",
    "page",
    "render",
    "render_body",
    "stylesheet",
    "text",
]

# Embeds framed in HTML output (docs/source-format.md §8): hosts whose player URL the pipeline
# derived from a known provider. Everything else shows its link fallback.
IFRAME_PROVIDERS = frozenset(
    {"youtube", "vimeo", "datawrapper", "flourish", "spotify", "soundcloud"}
)
QUOTE_CLASSES = {
    "twitter": "twitter-tweet",
    "instagram": "instagram-media",
    "tiktok": "tiktok-embed",
}
IFRAME_ALLOW = "autoplay; clipboard-write; encrypted-media; fullscreen; picture-in-picture"
IFRAME_SANDBOX = "allow-scripts allow-same-origin allow-popups allow-presentation"
_FOCAL = re.compile(r"^\d{1,3}(?:\.\d+)?% \d{1,3}(?:\.\d+)?%$")  # CMS value, used in a style
SIZES = "(max-width: 800px) 100vw, 800px"  # WordPress's default for an 800 px slot (§4.3)
# The default stylesheet (``Options.css`` replaces it). Readable here, minified once at import.
# No web fonts, images or imports: the page makes no request of its own. System font stacks:
# a text serif, an interface sans for the furniture (kicker, byline, captions, tables), a mono.
STYLESHEET = """
:root {
  color-scheme: light dark;
  --text: #1b1b1b;
  --muted: #555049;
  --background: #fffefb;
  --rule: #d8d3ca;
  --accent: #a3141c;
  --link: #0b55a3;
  --visited: #5a3d8a;
  --tint: #f3f0ea;
  --zebra: #f8f6f1;
  --serif: Charter, "Bitstream Charter", "Sitka Text", Cambria, Georgia, "Iowan Old Style",
    "Palatino Linotype", "Noto Serif", "DejaVu Serif", serif;
  --sans: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans",
    "Liberation Sans", "DejaVu Sans", sans-serif;
  --mono: ui-monospace, "SFMono-Regular", "Cascadia Mono", Menlo, Consolas, "Liberation Mono",
    "DejaVu Sans Mono", monospace;
}
@media (prefers-color-scheme: dark) {
  :root {
    --text: #e6e3de;
    --muted: #aaa398;
    --background: #161514;
    --rule: #3f3b36;
    --accent: #ff8f85;
    --link: #8fbcff;
    --visited: #c6a8f5;
    --tint: #23211e;
    --zebra: #1d1c1a;
  }
}
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body {
  margin: 0;
  padding: 2rem 1.25rem 3rem;
  background: var(--background);
  color: var(--text);
  font: 1.125rem/1.65 var(--serif);
  overflow-wrap: break-word;
}
article { max-width: 36em; margin: 0 auto; }  /* 65 to 75 characters a line of text */

/* Header: kicker, title, standfirst, byline, dateline */
header { margin: 0 0 2rem; padding: 0 0 1.25rem; border-bottom: 1px solid var(--rule); }
.section {
  margin: 0 0 .75rem;
  font: 700 .8rem/1.3 var(--sans);
  letter-spacing: .08em;
  text-transform: uppercase;
  color: var(--accent);
}
.section a { color: inherit; text-decoration: none; }
.section a:hover { text-decoration: underline; }
h1 {
  margin: 0 0 .75rem;
  font: 700 clamp(1.75rem, 1.2rem + 2.4vw, 2.6rem)/1.15 var(--serif);
  letter-spacing: -.01em;
}
.standfirst { margin: 0 0 1.25rem; font-size: 1.22rem; line-height: 1.45; color: var(--muted); }
.byline, .dateline { margin: 0; font: .9rem/1.5 var(--sans); color: var(--muted); }
.byline a { color: var(--text); font-weight: 600; text-decoration: none; }
.byline a:hover { text-decoration: underline; }
.byline .author { color: var(--text); font-weight: 600; }

/* Body text */
p, ul, ol, dl, pre, blockquote, .table-scroll { margin: 0 0 1.2em; }
h2, h3, h4, h5, h6 { margin: 2em 0 .6em; line-height: 1.25; }
h2 { font: 700 1.45rem/1.25 var(--serif); }
h3 { font: 700 1.15rem/1.3 var(--sans); }
h4, h5, h6 { font: 700 1rem/1.35 var(--sans); }
ul, ol { padding-left: 1.6em; }
li + li { margin-top: .35em; }
li > ul, li > ol { margin: .35em 0 0; }
li > p { margin: 0; }
li > p + p { margin-top: .6em; }
dt { font-weight: 700; }
dd { margin: 0 0 .6em 1.5em; }
hr { width: 40%; margin: 2.5em auto; border: 0; border-top: 1px solid var(--rule); }
a { color: var(--link); text-decoration-thickness: 1px; text-underline-offset: .15em; }
a:visited { color: var(--visited); }
a:hover { text-decoration-thickness: 2px; }
a:focus-visible, .table-scroll:focus-visible, pre:focus-visible {
  outline: 2px solid var(--link);
  outline-offset: 2px;
}
sub, sup { line-height: 0; }
mark { background: #fff3a3; color: #1b1b1b; }
abbr[title] { text-decoration: underline dotted; }
blockquote { padding: .1em 0 .1em 1.1em; border-left: 3px solid var(--accent); }
blockquote p:last-child { margin-bottom: 0; }

/* Code: inline on a tint, blocks scroll sideways in their own box */
code, kbd, samp { font-family: var(--mono); font-size: .86em; }
:not(pre) > code { padding: .1em .3em; border-radius: 3px; background: var(--tint); }
pre {
  overflow-x: auto;
  padding: .9em 1em;
  border-radius: 4px;
  background: var(--tint);
  font: .85rem/1.55 var(--mono);
  tab-size: 4;
}
pre code { font-size: inherit; }

/* Figures and images: scaled to the column, centred, caption and credit below */
img { max-width: 100%; height: auto; }
figure { margin: 2em 0; }
figure img { display: block; margin: 0 auto; }
.lead-image { margin-top: 0; }
.lead-image img { width: 100%; object-fit: cover; }
figcaption { margin-top: .55em; font: .85rem/1.45 var(--sans); color: var(--muted); }
/* A body figure is as wide as its picture (at least 15rem, at most the column); the caption
   wraps to that width (it does not widen the figure: contain) */
.article-body figure:not(.embed) {
  width: fit-content;
  min-width: min(100%, 15rem);
  max-width: 100%;
  margin-left: auto;
  margin-right: auto;
}
.article-body figure:not(.embed) figcaption { contain: inline-size; }
figcaption p { margin: 0; }
.credit {
  font-size: .72rem;
  letter-spacing: .05em;
  text-transform: uppercase;
  white-space: nowrap;
}

/* Tables: scroll sideways in their wrapper, header rule, zebra rows */
.table-scroll { max-width: 100%; overflow-x: auto; }
table { min-width: 60%; border-collapse: collapse; font: .9rem/1.45 var(--sans); }
caption { padding: 0 0 .5em; font-weight: 700; text-align: left; }
th, td {
  padding: .5em .75em;
  border-bottom: 1px solid var(--rule);
  text-align: left;
  vertical-align: top;
}
thead th, thead td { border-bottom: 2px solid var(--text); }
tbody tr:nth-child(even) { background: var(--zebra); }
tfoot td, tfoot th { font-weight: 700; border-top: 2px solid var(--rule); }

/* Embeds: 16:9 players, media at the column's width, quoted posts as cards */
figure.embed iframe {
  display: block;
  width: 100%;
  height: auto;
  aspect-ratio: 16 / 9;
  border: 0;
  background: var(--tint);
}
figure.embed[data-embed="datawrapper"] iframe, figure.embed[data-embed="flourish"] iframe {
  aspect-ratio: 4 / 3;
}
figure.embed[data-embed="spotify"] iframe, figure.embed[data-embed="soundcloud"] iframe {
  aspect-ratio: auto;
  height: 166px;
}
figure.embed video { display: block; width: 100%; height: auto; background: #000; }
figure.embed video:not([width]) { aspect-ratio: 16 / 9; }
figure.embed audio { display: block; width: 100%; }
figure.embed blockquote {
  padding: 1em 1.1em;
  border: 1px solid var(--rule);
  border-radius: 8px;
  font: .95rem/1.5 var(--sans);
}

/* The paywall notice and the source line */
.paywall-note {
  margin: 2em 0;
  padding: 1em 1.2em;
  border-left: 4px solid var(--accent);
  background: var(--tint);
  font: .95rem/1.5 var(--sans);
}
footer {
  margin-top: 2.5rem;
  padding-top: 1rem;
  border-top: 1px solid var(--rule);
  font: .85rem/1.5 var(--sans);
  color: var(--muted);
}

@media (max-width: 30em) {
  body { padding: 1.25rem 1rem 2.5rem; font-size: 1.0625rem; }
  .standfirst { font-size: 1.12rem; }
  th, td { padding: .45em .5em; }
}

/* Paper: black on white, no players, nothing cut across pages */
@media print {
  :root {
    --text: #000;
    --muted: #333;
    --background: #fff;
    --rule: #888;
    --accent: #000;
    --link: #000;
    --visited: #000;
    --tint: #fff;
    --zebra: #fff;
  }
  @page { margin: 2cm; }
  body { padding: 0; font-size: 11pt; }
  article { max-width: none; }
  a { text-decoration: underline; }
  pre { overflow: visible; white-space: pre-wrap; border: 1px solid var(--rule); }
  .table-scroll { overflow: visible; }
  figure.embed iframe, figure.embed video, figure.embed audio { display: none; }
  figure.embed figcaption a::after, .paywall-note a::after, footer a::after {
    content: " (" attr(href) ")";
    overflow-wrap: anywhere;
  }
  figure, pre, blockquote, tr, .paywall-note { break-inside: avoid; }
  h2, h3, h4, h5, h6 { break-after: avoid; }
  thead { display: table-header-group; }
}
"""
# Strings and comments (found together, so that neither is looked for inside the other).
_CSS_STRINGS_AND_COMMENTS = re.compile(
    r"""("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|/\*.*?\*/)""", re.S
)
_CSS_SPACE = re.compile(r"\s*([{};,>])\s*|(:)\s+|\s+")


def minify_css(css: str) -> str:
    """``css`` without comments and needless whitespace; strings are kept as written.

    Only whitespace around ``{ } ; , >`` and after ``:`` goes; elsewhere a run becomes one
    space (``and (`` in a media query and ``+`` in ``calc()`` need theirs).
    """
    uncommented = _CSS_STRINGS_AND_COMMENTS.sub(
        lambda m: "" if m.group(0).startswith("/*") else m.group(0), css
    )
    parts = _CSS_STRINGS_AND_COMMENTS.split(uncommented)
    for n in range(0, len(parts), 2):  # the odd parts are strings
        parts[n] = _CSS_SPACE.sub(lambda m: m.group(1) or m.group(2) or " ", parts[n])
    return "".join(parts).replace(";}", "}").strip()


STYLE = minify_css(STYLESHEET)
_STYLE_END = re.compile(r"</(?=style)", re.I)


def stylesheet(options: Options) -> str:
    """The page's CSS: ``options.css`` (the user's) or the default.

    It is the text of a ``<style>`` element, which ends at the first ``</style``: in the
    user's CSS that becomes ``<\\/style``, the same characters to CSS (a backslash escapes the
    slash in strings, comments and URLs alike) but not an end tag to HTML.
    """
    if not options.css.strip():
        return STYLE
    return _STYLE_END.sub(r"<\\/", xml_safe(options.css))


def _sub(
    parent: etree._Element, tag: str, attrs: dict[str, str] | None = None, text: str | None = None
) -> etree._Element:
    # SubElement, not Element + append: a detached Element costs a new libxml2 document (~3 µs).
    # Attributes set one by one: SubElement's attribute-dict path costs ~2 µs per attribute,
    # set() ~0.4 µs (lxml 6.1, measured).
    el = etree.SubElement(parent, tag)
    if attrs:
        for name, value in attrs.items():
            el.set(name, value)
    if text:
        el.text = text
    return el


def _embeds(container: etree._Element) -> None:
    """Show canonical embeds: allow-listed players framed, posts as their blockquote, media."""
    for figure in list(container.iter("figure")):
        if figure.get("class") != "embed":
            continue
        kind = figure.get("data-embed", "")
        src = figure.attrib.pop("data-src", None)
        caption = figure.find("figcaption")
        index = figure.index(caption) if caption is not None else len(figure)
        link = figure.find("figcaption/a")
        title = (link.text or "") if link is not None else ""
        name, rest = unlabel(title)
        if rest.startswith(("https://", "http://")):
            title = name  # "YouTube: https://…" (the URL the source showed): a frame's name
        if kind in IFRAME_PROVIDERS and src and embed_provider(kind) is not None:
            frame = _sub(
                figure,
                "iframe",
                {
                    "src": src,
                    "title": title or kind,
                    "loading": "lazy",
                    "allow": IFRAME_ALLOW,
                    "sandbox": IFRAME_SANDBOX,
                    "referrerpolicy": "strict-origin-when-cross-origin",
                    "allowfullscreen": "",
                },
            )
            figure.insert(index, frame)
        elif kind in ("video", "audio") and src:
            media = _sub(figure, kind, {"src": src, "controls": "", "preload": "none"})
            if kind == "video":
                _video_details(figure, media)
            figure.insert(index, media)
        elif kind in QUOTE_CLASSES:
            quote = figure.find("blockquote")
            if quote is not None:
                quote.set("class", QUOTE_CLASSES[kind])


def _video_details(figure: etree._Element, video: etree._Element) -> None:
    """The poster and size the canonical figure carries, moved onto the <video>. The pipeline
    resolved and checked them (content/embeds.py); a page shows only an absolute http(s)
    poster and a size of two whole numbers, whatever body it is given."""
    poster = figure.attrib.pop("data-poster", None)
    width = figure.attrib.pop("data-video-width", None)
    height = figure.attrib.pop("data-video-height", None)
    if poster and poster.startswith(("https://", "http://")):
        video.set("poster", poster)
    if width and height and width.isdigit() and height.isdigit():
        video.set("width", width)
        video.set("height", height)


def render_body(article: Article) -> etree._Element:
    """The clean body as a <div>, embeds shown the HTML way."""
    body = copy.deepcopy(body_tree(article.body))  # the shared tree is read-only
    body.tag = "div"
    body.set("class", "article-body")
    _embeds(body)
    return body


def _json_ld(article: Article, options: Options) -> str:
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "url": article.url,
        "mainEntityOfPage": article.url,
    }
    if article.standfirst:
        data["description"] = article.standfirst
    if article.published:
        data["datePublished"] = article.published.isoformat()
    if article.updated:
        data["dateModified"] = article.updated.isoformat()
    if article.authors:
        data["author"] = [
            {"@type": "Person", "name": a.name, **({"url": a.url} if a.url else {})}
            for a in article.authors
        ]
    data["publisher"] = {
        "@type": "Organization",
        "name": options.site_title,
        "url": options.site_url,
    }
    if article.image:
        urls = [
            r.url
            for r in (images.pick(article.image, p) for p in (images.SOCIAL, images.HTML))
            if r
        ]
        data["image"] = list(dict.fromkeys(urls))
    if article.section:
        data["articleSection"] = article.section.name
    if article.keywords:
        data["keywords"] = [k.name for k in article.keywords]
    data["isAccessibleForFree"] = not article.paywalled
    # "</" must not appear inside a <script>: escape "<" (JSON allows \u003c).
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")


# The page's own markup (everything but the body) is text, not an lxml tree: its fixed parts
# are templates and every value reaches them through one of the escaping functions below, which
# return ``Html``; a template takes only ``Html`` (mypy refuses a plain str), so nothing gets in
# unescaped. The functions write the bytes lxml's HTML serialiser wrote for the same tree
# (libxml2 2.14), so the pages stay byte-identical (tests/test_html_template.py checks them
# against lxml). The ~45 elements built and serialised per page cost ~0.7M instructions of ~9M.
Html = NewType("Html", str)
_URL_ATTRIBUTES = frozenset({"href", "src"})  # libxml2 %-escapes these (and action, a@name)
# What libxml2 %-escapes in them: tab, newline, space, DEL and all non-ASCII. Written as the
# complement of the rest of ASCII: a class up to U+10FFFF took ~57M instructions to compile.
_URL_UNSAFE = re.compile("[^\\x00-\\x08\\x0b-\\x1f!-~]")


def text(value: str) -> Html:
    """``value`` as element text: ``&``, ``<``, ``>`` and CR as references."""
    if not value.isprintable():  # (xml_safe's own first test, inlined: ~70 values a page)
        value = xml_safe(value)  # lxml refused what XML cannot carry; the page drops it
    if "&" in value or "<" in value or ">" in value or "\r" in value:
        value = (
            value.replace("&", "&amp;")
            .replace("<", "&lt;")
            .replace(">", "&gt;")
            .replace("\r", "&#13;")
        )
    return Html(value)


def _percent(match: re.Match[str]) -> str:
    return "".join(f"%{byte:02X}" for byte in match.group(0).encode("utf-8"))


def attribute(name: str, value: str) -> Html:
    """`` name="value"``, quoted and escaped as lxml wrote it: in single quotes when the value
    has ``"`` but no ``'``; a URL attribute loses its leading blanks and has whitespace, DEL
    and non-ASCII characters %-escaped (UTF-8)."""
    escaped = text(value)
    if name in _URL_ATTRIBUTES:
        escaped = Html(_URL_UNSAFE.sub(_percent, escaped.lstrip(" \t\n")))
    if '"' not in escaped:
        return Html(f' {name}="{escaped}"')
    if "'" not in escaped:
        return Html(f" {name}='{escaped}'")
    quoted = escaped.replace('"', "&quot;")
    return Html(f' {name}="{quoted}"')


def element(tag: str, attrs: dict[str, str] | None = None, content: Html | None = None) -> Html:
    """``<tag attrs>content</tag>``; a void element (meta, link, img) when content is None."""
    opening = "".join(attribute(name, value) for name, value in (attrs or {}).items())
    if content is None:
        return Html(f"<{tag}{opening}>")
    return Html(f"<{tag}{opening}>{content}</{tag}>")


def join(parts: Iterable[Html]) -> Html:
    return Html("".join(parts))


@cache
def _meta_start(kind: str, name: str) -> Html:
    """``<meta kind="name"``: the same few names on every page, escaped once."""
    return Html("<meta" + attribute(kind, name))


def _meta(kind: str, name: str, content: str) -> Html:
    """``<meta kind="name" content="…">``, as element() writes it."""
    return Html(_meta_start(kind, name) + attribute("content", content) + ">")


def _head(article: Article, options: Options) -> Html:
    description = article.standfirst
    parts = [
        _HEAD_START,
        element("title", content=text(f"{article.title} | {options.site_title}")),
        element("link", {"rel": "canonical", "href": article.url}),
    ]
    if description:
        parts.append(_meta("name", "description", description))
    if article.noindex or article.status != "publish":  # excluded from search, or a draft
        parts.append(_NOINDEX)
    meta: list[tuple[str, str]] = [
        ("og:type", "article"),
        ("og:title", article.title),
        ("og:url", article.url),
        ("og:site_name", options.site_title),
        ("og:locale", options.language.replace("-", "_")),
    ]
    if description:
        meta.append(("og:description", description))
    social = images.pick(article.image, images.SOCIAL)
    if social and article.image:
        meta.append(("og:image", social.url))
        if social.width:
            meta.append(("og:image:width", str(social.width)))
        if article.image.alt:
            meta.append(("og:image:alt", article.image.alt))
    if article.published:
        meta.append(("article:published_time", article.published.isoformat()))
    if article.updated:
        meta.append(("article:modified_time", article.updated.isoformat()))
    if article.section:
        meta.append(("article:section", article.section.name))
    meta.extend(("article:tag", k.name) for k in article.keywords)
    parts += (_meta("property", prop, value) for prop, value in meta)
    twitter = [
        ("twitter:card", "summary_large_image" if social else "summary"),
        ("twitter:title", article.title),
    ]
    if description:
        twitter.append(("twitter:description", description))
    if social:
        twitter.append(("twitter:image", social.url))
    parts += (_meta("name", name, value) for name, value in twitter)
    # Raw text: the JSON has no "<" (_json_ld) and the CSS no "</style" (stylesheet()), so
    # neither can end its element; HTML does not decode references inside them.
    parts.append(_JSON_LD(Html(_json_ld(article, options))))
    parts.append(_STYLE(Html(stylesheet(options))))
    return _HEAD(join(parts))


def _lead_figure(article: Article) -> Html:
    image = article.image
    chosen = images.pick(image, images.HTML)
    if image is None or chosen is None:
        return Html("")
    attrs = {"src": chosen.url, "alt": image.alt, "decoding": "async"}
    candidates = images.srcset(image)
    if candidates:
        attrs["srcset"] = ", ".join(f"{r.url} {r.width}w" for r in candidates)
        attrs["sizes"] = SIZES
    if image.width and image.height and chosen.url == image.url:
        attrs["width"], attrs["height"] = str(image.width), str(image.height)
    if _FOCAL.match(image.focal) and image.focal != "50% 50%":
        attrs["style"] = f"object-position: {image.focal}"
    parts = [element("img", attrs)]
    if image.caption or image.credit:
        credit = (
            element("small", {"class": "credit"}, text(image.credit)) if image.credit else Html("")
        )
        space = Html(" " if image.caption and image.credit else "")
        parts.append(_FIGCAPTION(text(image.caption), space, credit))
    return _LEAD_FIGURE(join(parts))


def _time(value: datetime) -> Html:
    return element("time", {"datetime": value.isoformat()}, text(date_text(value)))


def _dateline(article: Article) -> Html:
    """The page's copy of common.dateline (the book's): the publication time and, when the
    article was updated after it, " · Updated " and that time."""
    if not article.published:
        return Html("")
    times = _time(article.published)
    if article.updated and article.updated > article.published:
        times = _UPDATED(times, _time(article.updated))
    return _DATELINE(times)


def _byline(article: Article) -> Html:
    parts = [Html("By ")]
    for sep, author in zip(name_separators(len(article.authors)), article.authors, strict=True):
        parts.append(text(sep))
        if author.url:
            parts.append(element("a", {"href": author.url, "rel": "author"}, text(author.name)))
        else:
            parts.append(element("span", {"class": "author"}, text(author.name)))
    return element("p", {"class": "byline"}, join(parts))


def _header(article: Article) -> Html:
    parts: list[Html] = []
    if article.section:
        name = text(article.section.name)
        if article.section.url:
            name = element("a", {"href": article.section.url}, name)
        parts.append(element("p", {"class": "section"}, name))
    parts.append(element("h1", content=text(article.title)))
    if article.standfirst:
        parts.append(element("p", {"class": "standfirst"}, text(article.standfirst)))
    if article.authors:
        parts.append(_byline(article))
    parts.append(_dateline(article))
    return element("header", content=join(parts))


def _scroll_boxes(content: etree._Element) -> None:
    """Wide blocks scroll sideways in their own box on a small screen, not the page.

    A table goes into a ``<div class="table-scroll">`` (the table keeps its table semantics,
    which ``display: block`` on the table itself would take away in some browsers); the box,
    like a ``<pre>``, takes the keyboard focus so that it can be scrolled without a pointer.
    """
    for table in list(content.iter("table")):
        parent = table.getparent()
        if parent is None:
            continue
        box = etree.Element("div")
        box.set("class", "table-scroll")
        box.set("tabindex", "0")
        box.set("role", "region")
        caption = table.find("caption")
        label = text_of(caption) if caption is not None else ""
        box.set("aria-label", label or "Table")
        box.tail, table.tail = table.tail, None
        parent.replace(table, box)
        box.append(table)
    for pre in content.iter("pre"):
        pre.set("tabindex", "0")


def _paywall_note(article: Article, options: Options) -> Html:
    """The end of a paywalled page: what the reader has is the open part (as in the book)."""
    link = text(f"Read the full article on {options.site_title}")
    return _PAYWALL_NOTE(element("a", {"href": article.url or options.site_url}, link))


def _body_markup(article: Article) -> tuple[Html, bool]:
    """The body (lxml's serialisation of the clean tree, which is escaped as it is written)
    and whether it shows the lead picture itself."""
    content = render_body(article)
    shown = images.shown_in_body(article.image, content)
    if shown:  # the body's figure shows the lead picture: it takes the lead's caption
        images.caption_from_lead(article.image, content)
    _scroll_boxes(content)
    return Html(etree.tostring(content, method="html", encoding="unicode")), shown


def page(article: Article, options: Options) -> Html:
    """The standalone page's markup, doctype to ``</html>``."""
    body, shown = _body_markup(article)
    parts = [_header(article), Html("") if shown else _lead_figure(article), body]
    if article.paywalled:
        parts.append(_paywall_note(article, options))
    parts.append(_FOOTER(element("a", {"href": article.url}, text(options.site_title))))
    return _PAGE(attribute("lang", options.language), _head(article, options), join(parts))


class _Template:
    """Fixed markup with ``{}`` slots, filled only with ``Html`` (escaped) values."""

    __slots__ = ("markup",)  # a plain class: @dataclass costs ~1M instructions at import

    def __init__(self, markup: Html) -> None:
        self.markup = markup

    def __call__(self, *values: Html) -> Html:
        return Html(self.markup.format(*values))


# The fixed parts, serialised once through the same functions.
_HEAD_START = join(
    [
        element("meta", {"charset": "utf-8"}),
        element("meta", {"name": "viewport", "content": "width=device-width, initial-scale=1"}),
    ]
)
_FRAGMENT_START = element("div", {"class": "article-body"}, Html("")).removesuffix("</div>")
_NOINDEX = element("meta", {"name": "robots", "content": "noindex"})
_JSON_LD = _Template(element("script", {"type": "application/ld+json"}, Html("{}")))
_STYLE = _Template(element("style", content=Html("{}")))
_HEAD = _Template(element("head", content=Html("{}")))
_LEAD_FIGURE = _Template(element("figure", {"class": "lead-image"}, Html("{}")))
_FIGCAPTION = _Template(element("figcaption", content=Html("{}{}{}")))
_DATELINE = _Template(element("p", {"class": "dateline"}, Html("{}")))
_UPDATED = _Template(Html("{}" + text(" · Updated ") + "{}"))
_PAYWALL_NOTE = _Template(
    element(
        "p",
        {"class": "paywall-note"},
        Html(text("This is the part of the article open to all. ") + "{}."),
    )
)
_FOOTER = _Template(element("footer", content=Html(text("Originally published by ") + "{}.")))
_PAGE = _Template(Html("<!DOCTYPE html>\n<html{}>{}<body><article>{}</article></body></html>"))


def _fragment(body: etree._Element) -> str:
    """The body's blocks without the div around them."""
    # The div's serialisation less its tags: one call, not one per block (each of which copies
    # the block into a document of its own: ~4x the cost). The text before the first block
    # (none: the body opens with a block) was written raw; such a body keeps that way.
    whole = etree.tostring(body, method="html", encoding="unicode", with_tail=False)
    if whole.startswith(_FRAGMENT_START) and text(body.text or "") == (body.text or ""):
        return whole[len(_FRAGMENT_START) : -len("</div>")]
    parts = [body.text or ""]
    parts += [etree.tostring(child, method="html", encoding="unicode") for child in body]
    return "".join(parts)


def render(articles: Sequence[Article], options: Options) -> bytes:
    (article,) = articles
    if options.fragment:
        return (_fragment(render_body(article)).strip() + "\n").encode("utf-8")
    return (page(article, options) + "\n").encode("utf-8")
