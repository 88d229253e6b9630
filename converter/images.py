"""Pure image-rendition choice: for a purpose an adapter names, the right CDN transform.

The CDN is Thumbor with signed URLs (docs/source-format.md §4): we cannot make new sizes, only
choose among the transforms (the model also carries the named ``url_*`` keys of known size as
renditions; see cms.py). Rules (§4.2, after WordPress's srcset rules §4.3):
the smallest proportional (``Wx0``) transform at least as wide as needed, else the largest;
cropped transforms only where a fixed aspect is wanted, never mixed into a srcset; then the named
``url_*`` keys; then the original URL (size unknown).

``shown_in_body`` decides, once for every adapter, whether the lead image is the picture the
body opens with (``same_picture``: one upload, whatever CDN host, transform or WordPress size).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from lxml import etree

from .model import Image, Rendition

__all__ = [
    "EPUB",
    "FEED",
    "HTML",
    "SOCIAL",
    "THUMBNAIL",
    "Purpose",
    "caption_from_lead",
    "pick",
    "picture_key",
    "same_picture",
    "shown_in_body",
    "srcset",
]

UPLOADS = "wp-content/uploads/"
# What WordPress appends to an upload's name for its copies (source-format.md §5): sizes
# ("-1024x576"), the big-image copy ("-scaled"), the EXIF-rotated copy ("-rotated").
_WP_COPY_SUFFIX = re.compile(r"(?:-(?:\d+x\d+|scaled|rotated))+(?=\.[^./]+$)")


@dataclass(frozen=True, slots=True)
class Purpose:
    name: str
    width: int  # CSS px × density: the rendition must be at least this wide
    aspect: float | None = None  # width / height of a fixed slot (cropped renditions allowed)


FEED = Purpose("feed", 800)  # aggregators ask for >= 800 px (feeds.md §3)
THUMBNAIL = Purpose("thumbnail", 200, aspect=2.0)  # media:thumbnail, cards: the 200x100 crop
HTML = Purpose("html", 800)  # the <img src> of a standalone page; srcset() gives the rest
EPUB = Purpose("epub", 800)  # reflowable e-book images (epub.md §7)
SOCIAL = Purpose("social", 1200)  # og:image / twitter:image


def _proportional(image: Image) -> list[Rendition]:
    return sorted((r for r in image.renditions if not r.cropped), key=lambda r: r.width)


def pick(image: Image | None, purpose: Purpose) -> Rendition | None:
    """The rendition for ``purpose``; None only when there is no image at all."""
    if image is None:
        return None
    if purpose.aspect is not None:
        crops = sorted(
            (
                r
                for r in image.renditions
                if r.cropped and abs(r.width / r.height - purpose.aspect) < 0.01
            ),
            key=lambda r: r.width,
        )
        fit = next((r for r in crops if r.width >= purpose.width), crops[-1] if crops else None)
        if fit is not None:
            return fit
    proportional = _proportional(image)
    if proportional:
        return next((r for r in proportional if r.width >= purpose.width), proportional[-1])
    for _key, url in image.named:  # an installation's own url_* keys, size unknown
        return Rendition(url, 0)
    return Rendition(image.url, image.width, 0)


def srcset(image: Image | None) -> list[Rendition]:
    """Proportional renditions for an HTML ``srcset`` (never crops), narrowest first.

    Fewer than two candidates → empty: a one-entry srcset says nothing (WordPress does the same).
    """
    if image is None:
        return []
    proportional = _proportional(image)
    return proportional if len(proportional) >= 2 else []


def picture_key(url: str) -> tuple[str, str]:
    """What names the picture behind ``url``: for a WordPress upload (also inside a Thumbor
    transform URL) the path after ``wp-content/uploads/``, case-folded, without the suffixes of
    WordPress's copies; any other URL is itself."""
    try:
        path = unquote(urlsplit(url).path).casefold()
    except ValueError:
        return ("url", url)
    index = path.rfind(UPLOADS)
    name = path[index + len(UPLOADS) :] if index >= 0 else ""
    return ("upload", _WP_COPY_SUFFIX.sub("", name)) if name else ("url", url)


def same_picture(a: str, b: str) -> bool:
    """Whether two image URLs show the same picture: the same upload (the CDN original, a
    Thumbor transform, ``-1024x576``/``-scaled``/``-rotated`` copies, on any host), or, for other
    URLs, the same URL (both are RFC 3986-encoded by then: cms.py and resolve_url)."""
    return picture_key(a) == picture_key(b)


def _only_image(p: etree._Element) -> etree._Element | None:
    """The one image a paragraph holds and nothing else (it may be linked), or None."""
    if (p.text or "").strip() or len(p) != 1 or (p[0].tail or "").strip():
        return None
    child = p[0]
    if child.tag == "a":
        if (child.text or "").strip() or len(child) != 1 or (child[0].tail or "").strip():
            return None
        child = child[0]
    return child if child.tag == "img" else None


def _opening_image(body: etree._Element) -> str:
    """``src`` of the picture the body opens with: its first block is an image figure (not an
    embed) or a paragraph holding just one image; "" otherwise."""
    if (body.text or "").strip() or not len(body):
        return ""
    first = body[0]
    img: etree._Element | None = None
    if first.tag == "figure" and first.get("class") != "embed":
        img = next(first.iter("img"), None)
    elif first.tag == "p":
        img = _only_image(first)
    return img.get("src", "") if img is not None else ""


def shown_in_body(image: Image | None, body: etree._Element) -> bool:
    """Whether the lead ``image`` is the picture the clean ``body`` (its root element) opens
    with. Adapters then show it once: the body's figure, which may have a caption, and no lead
    figure of their own (metadata such as og:image, enclosures and feed images stay)."""
    src = _opening_image(body) if image is not None else ""
    if not src or image is None:
        return False
    urls = (image.url, *(r.url for r in image.renditions), *(url for _, url in image.named))
    key = picture_key(src)
    return any(picture_key(url) == key for url in urls)


def caption_from_lead(image: Image | None, body: etree._Element) -> None:
    """Where the body opens with the lead picture in an uncaptioned figure (and the adapter
    drops its own lead figure), that figure takes the lead's caption and credit: showing the
    picture once loses no text (a photo credit least of all). Pages, books and feeds call it;
    Markdown and fragments, which show no lead figure, keep the body as it is."""
    if image is None or not (image.caption.strip() or image.credit.strip()):
        return
    if not len(body) or body[0].tag != "figure" or body[0].find("figcaption") is not None:
        return
    if not shown_in_body(image, body):
        return
    figure = body[0]
    caption = etree.SubElement(figure, "figcaption")
    caption.text = image.caption.strip() or None
    if image.credit.strip():
        if caption.text:
            caption.text += " "
        small = etree.SubElement(caption, "small", {"class": "credit"})
        small.text = image.credit.strip()
