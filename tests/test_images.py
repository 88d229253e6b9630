"""Choosing a CDN rendition for a purpose (converter/images.py), after source-format.md §4.2–§4.3.

The CDN URLs are signed Thumbor URLs: the converter can only choose among the transforms it was
given (proportional ``Wx0`` ones, and crops such as ``200x100``), then the named ``url_*`` keys,
then the original upload.
"""

from __future__ import annotations

import pytest

from converter.images import EPUB, FEED, HTML, SOCIAL, THUMBNAIL, Purpose, pick, srcset
from converter.model import Image, Rendition

ORIGINAL = "https://dmcdn.whitebeard.net/dailymaverick/wp-content/uploads/2025/01/AI-china.jpg"


def cdn(width: int, height: int) -> str:
    return f"https://dmcdn.whitebeard.net/i/sig=/{width}x{height}/smart/file/AI-china.jpg"


CROP = Rendition(cdn(200, 100), 200, 100)
W450 = Rendition(cdn(450, 0), 450)
W800 = Rendition(cdn(800, 0), 800)
W1200 = Rendition(cdn(1200, 0), 1200)
W1600 = Rendition(cdn(1600, 0), 1600)

# The seed's attachment: transforms 200x100 (crop), 450x0, 800x0, 1200x0, 1600x0, in that order.
SEED = Image(ORIGINAL, renditions=(CROP, W450, W800, W1200, W1600))
# The same renditions in a shuffled source order: the choice must not depend on it.
SHUFFLED = Image(ORIGINAL, renditions=(W1600, W450, CROP, W1200, W800))
NO_CROP = Image(ORIGINAL, renditions=(W1600, W800, W450, Rendition(cdn(150, 0), 150)))


@pytest.mark.parametrize(
    ("image", "purpose", "expected"),
    [
        (SEED, FEED, W800),
        (SEED, HTML, W800),
        (SEED, EPUB, W800),
        (SEED, SOCIAL, W1200),
        (SEED, Purpose("x", 900), W1200),
        (SEED, Purpose("x", 800), W800),
        (SEED, Purpose("x", 801), W1200),
        (SEED, Purpose("x", 5000), W1600),
        (SEED, Purpose("x", 1), W450),
        (SEED, THUMBNAIL, CROP),
        (SHUFFLED, FEED, W800),
        (SHUFFLED, SOCIAL, W1200),
        (SHUFFLED, THUMBNAIL, CROP),
        (SHUFFLED, Purpose("x", 5000), W1600),
        (NO_CROP, THUMBNAIL, W450),
        (NO_CROP, Purpose("card", 100, aspect=2.0), Rendition(cdn(150, 0), 150)),
        (SEED, Purpose("square", 200, aspect=1.0), W450),
        (SEED, Purpose("wide-card", 400, aspect=2.0), CROP),
    ],
    ids=[
        "feed-800",
        "html-800",
        "epub-800",
        "social-1200",
        "900-gets-1200",
        "exact-width",
        "one-over-gets-next",
        "too-wide-gets-largest",
        "tiny-gets-smallest-proportional",
        "thumbnail-gets-crop",
        "order-independent-feed",
        "order-independent-social",
        "order-independent-thumbnail",
        "order-independent-largest",
        "thumbnail-without-crop-smallest-proportional-at-least-200",
        "fixed-aspect-without-crop-smallest-proportional-fit",
        "crop-of-other-aspect-not-used",
        "only-crop-of-that-aspect-even-if-narrow",
    ],
)
def test_pick(image: Image, purpose: Purpose, expected: Rendition) -> None:
    assert pick(image, purpose) == expected


@pytest.mark.parametrize("purpose", [FEED, HTML, EPUB, SOCIAL, Purpose("x", 5000)])
def test_crops_are_only_for_fixed_aspect_purposes(purpose: Purpose) -> None:
    only_crop = Image(ORIGINAL, renditions=(CROP,))
    chosen = pick(only_crop, purpose)
    assert chosen is not None
    assert not chosen.cropped
    assert chosen.url == ORIGINAL


@pytest.mark.parametrize(
    ("image", "purpose", "expected_url"),
    [
        (Image(ORIGINAL), FEED, ORIGINAL),
        (Image(ORIGINAL), THUMBNAIL, ORIGINAL),
        (
            Image(ORIGINAL, named=(("url_highres", "https://cdn.example/hi.jpg"),)),
            FEED,
            "https://cdn.example/hi.jpg",
        ),
        (
            Image(
                ORIGINAL,
                named=(
                    ("url_home_slideshow", "https://cdn.example/slide.jpg"),
                    ("url_highres", "https://cdn.example/hi.jpg"),
                ),
            ),
            SOCIAL,
            "https://cdn.example/slide.jpg",
        ),
        (
            Image(
                ORIGINAL, renditions=(W800,), named=(("url_highres", "https://cdn.example/hi.jpg"),)
            ),
            SOCIAL,
            W800.url,
        ),
    ],
    ids=[
        "no-renditions-original",
        "thumbnail-no-renditions-original",
        "named-before-original",
        "first-named-key",
        "proportional-before-named",
    ],
)
def test_fallbacks(image: Image, purpose: Purpose, expected_url: str) -> None:
    chosen = pick(image, purpose)
    assert chosen is not None
    assert chosen.url == expected_url


def test_original_keeps_a_known_size() -> None:
    chosen = pick(Image(ORIGINAL, width=2560, height=1447), FEED)
    assert chosen is not None
    assert (chosen.url, chosen.width) == (ORIGINAL, 2560)
    assert not chosen.cropped


@pytest.mark.parametrize("purpose", [FEED, HTML, EPUB, SOCIAL, THUMBNAIL])
def test_no_image_no_rendition(purpose: Purpose) -> None:
    assert pick(None, purpose) is None


# ---------------------------------------------------------------------------------------------
# srcset (§4.3): proportional renditions only, narrowest first, at least two


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        (SEED, [W450, W800, W1200, W1600]),
        (SHUFFLED, [W450, W800, W1200, W1600]),
        (Image(ORIGINAL, renditions=(W800, CROP, W450)), [W450, W800]),
        (Image(ORIGINAL, renditions=(CROP, W450)), []),
        (Image(ORIGINAL, renditions=(W800,)), []),
        (Image(ORIGINAL, renditions=(CROP, Rendition(cdn(400, 200), 400, 200))), []),
        (Image(ORIGINAL), []),
        (Image(ORIGINAL, named=(("url_highres", "https://cdn.example/hi.jpg"),)), []),
        (None, []),
    ],
    ids=[
        "seed",
        "shuffled-sorted",
        "two-proportional",
        "one-proportional-plus-crop",
        "one-proportional",
        "crops-only",
        "no-renditions",
        "named-only",
        "no-image",
    ],
)
def test_srcset(image: Image | None, expected: list[Rendition]) -> None:
    assert srcset(image) == expected


@pytest.mark.parametrize("image", [SEED, SHUFFLED], ids=["seed", "shuffled"])
def test_srcset_never_holds_a_crop(image: Image) -> None:
    candidates = srcset(image)
    assert candidates
    assert all(not r.cropped for r in candidates)
    assert CROP not in candidates
    widths = [r.width for r in candidates]
    assert widths == sorted(widths)


def test_picked_html_src_is_in_the_srcset() -> None:
    chosen = pick(SEED, HTML)
    assert chosen in srcset(SEED)
