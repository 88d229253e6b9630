"""A generated e-book cover: a photograph (or a plain ground) with the title set on it.

Why generate one: a book without a cover shows as a grey tile in every e-reader library, and
the CMS has no cover art. Calibre's news recipes do the same (epub.md §3 "default_cover").
Portrait 1200x1600 (3:4, Kobo's cover guidance, epub.md §6-§7), RGB JPEG well under 1 MB.

Deterministic: the same inputs give the same bytes (same Pillow). The only font is the one
Pillow ships (``ImageFont.load_default(size=…)``, Pillow >= 10.1), so no machine's font
collection can change the output; characters it lacks are folded to ones it has.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Sequence
from functools import cache

from PIL import Image, ImageDraw, ImageFont, ImageOps

__all__ = ["COVER_SIZE", "generate"]

COVER_SIZE = (1200, 1600)
MARGIN = 80
GROUND = (28, 36, 48)  # plain cover when there is no photograph: dark slate
SHADE = (0, 0, 0, 170)  # panels behind text on a photograph, for contrast
WHITE = (255, 255, 255, 255)
_FOCAL = re.compile(r"^(\d{1,3}(?:\.\d+)?)% (\d{1,3}(?:\.\d+)?)%$")
_FOLD = {"–": "-", "—": "-", "‒": "-", "−": "-", "‘": "'", "…": "...", "•": "-", "\u00a0": " "}

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


def generate(
    title: str,
    masthead: str,
    subtitle: str = "",
    photo: bytes | None = None,
    focal: str = "",
) -> bytes:
    """The cover as JPEG bytes.

    ``photo`` (any format Pillow reads, already checked by fetch.normalise) is cropped to
    portrait around ``focal`` (the CMS's CSS object-position, "50% 50%" when unknown);
    ``masthead`` goes in a band at the top, ``title`` and ``subtitle`` in a panel at the foot.
    """
    canvas = _ground(photo, focal)
    overlay = Image.new("RGBA", COVER_SIZE, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    width, height = COVER_SIZE
    text_width = width - 2 * MARGIN

    mast_font = _font(72)
    mast_lines = _wrap(_drawable(masthead, mast_font), mast_font, text_width)[:2]
    mast_height = MARGIN + len(mast_lines) * 86 + 40
    draw.rectangle((0, 0, width, mast_height), fill=SHADE)
    y = MARGIN
    for line in mast_lines:
        draw.text((MARGIN, y), line, font=mast_font, fill=WHITE)
        y += 86

    size, lines = _fit_title(title, text_width)
    title_font = _font(size)
    sub_font = _font(40)
    sub_lines = _wrap(_drawable(subtitle, sub_font), sub_font, text_width)[:3] if subtitle else []
    step = round(size * 1.2)
    panel = len(lines) * step + (len(sub_lines) * 52 + 30 if sub_lines else 0) + 2 * MARGIN
    top = height - panel
    draw.rectangle((0, top, width, height), fill=SHADE)
    y = top + MARGIN
    for line in lines:
        draw.text((MARGIN, y), line, font=title_font, fill=WHITE)
        y += step
    y += 30
    for line in sub_lines:
        draw.text((MARGIN, y), line, font=sub_font, fill=WHITE)
        y += 52

    result = Image.alpha_composite(canvas.convert("RGBA"), overlay).convert("RGB")
    out = io.BytesIO()
    result.save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue()


def _ground(photo: bytes | None, focal: str) -> Image.Image:
    if photo:
        try:
            with Image.open(io.BytesIO(photo)) as image:
                return ImageOps.fit(
                    image.convert("RGB"),
                    COVER_SIZE,
                    Image.Resampling.LANCZOS,
                    centering=_centering(focal),
                )
        except (OSError, ValueError):
            pass  # a plain cover is better than none
    return Image.new("RGB", COVER_SIZE, GROUND)


def _centering(focal: str) -> tuple[float, float]:
    match = _FOCAL.match(focal.strip())
    if not match:
        return (0.5, 0.5)
    return (min(float(match[1]), 100.0) / 100, min(float(match[2]), 100.0) / 100)


@cache
def _font(size: int) -> Font:
    return ImageFont.load_default(size=size)


@cache
def _missing_glyph(font: Font) -> bytes:
    return bytes(font.getmask("\uffff"))


def _has_glyph(font: Font, char: str) -> bool:
    return char.isspace() or bytes(font.getmask(char)) != _missing_glyph(font)


def _drawable(text: str, font: Font) -> str:
    """``text`` with characters the font lacks folded (é → e, – → -) or dropped."""
    out = []
    for char in " ".join(text.split()):
        if _has_glyph(font, char):
            out.append(char)
            continue
        folded = _FOLD.get(char) or "".join(
            c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
        )
        out.append("".join(c for c in folded if _has_glyph(font, c)))
    return "".join(out)


def _wrap(text: str, font: Font, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and font.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def _fit_title(
    title: str, width: int, sizes: Sequence[int] = (96, 84, 72, 62, 54)
) -> tuple[int, list[str]]:
    """The largest size at which the title fits in six lines (cut with … past that)."""
    for size in sizes:
        font = _font(size)
        lines = _wrap(_drawable(title, font), font, width)
        if len(lines) <= 6 and all(font.getlength(line) <= width for line in lines):
            return size, lines
    font = _font(sizes[-1])
    lines = _wrap(_drawable(title, font), font, width)
    if len(lines) > 6:
        lines = [*lines[:5], lines[5] + " ..."]
    return sizes[-1], lines
