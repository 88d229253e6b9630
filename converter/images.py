"""Pure image-rendition choice: for a purpose an adapter names, the right CDN transform.

The CDN is Thumbor with signed URLs (docs/source-format.md §4): we cannot make new sizes, only
choose among the transforms (the model also carries the named ``url_*`` keys of known size as
renditions; see cms.py). Rules (§4.2, after WordPress's srcset rules §4.3):
the smallest proportional (``Wx0``) transform at least as wide as needed, else the largest;
cropped transforms only where a fixed aspect is wanted, never mixed into a srcset; then the named
``url_*`` keys; then the original URL (size unknown).
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import Image, Rendition

__all__ = [
    "EPUB",
    "FEED",
    "HTML",
    "SOCIAL",
    "THUMBNAIL",
    "Purpose",
    "pick",
    "srcset",
]


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
