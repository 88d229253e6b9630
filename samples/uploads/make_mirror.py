"""Generate the local uploads mirror for samples/: one small JPEG per image path the samples use.

Why: `converter epub samples --image-root samples/uploads` must build a complete illustrated book
with no network. The sample articles are fictional, so the pictures are too: a colour gradient
with the file name on it, 640 px wide, in the aspect ratio the name or the attachment states.

Re-runnable from the repository root (it reads the samples to find the paths; files that are
no longer used are removed):

    python samples/uploads/make_mirror.py
"""

from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path

from lxml import html as lxml_html
from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent
SAMPLES = HERE.parent
sys.path.insert(0, str(SAMPLES.parent))

from converter import InputError, Options, read_articles  # noqa: E402
from converter.adapters.epub.fetch import mirror_path  # noqa: E402

WIDTH = 640
QUALITY = 70
_SIZE_IN_NAME = re.compile(r"-(\d{2,5})x(\d{2,5})(?:-\d+)?\.\w+$")  # WordPress -WxH (§5)


def image_urls() -> dict[str, tuple[int, int]]:
    """Every image URL of every sample, with the size the record states (0, 0 = unknown)."""
    found: dict[str, tuple[int, int]] = {}
    for item in read_articles([str(SAMPLES)], Options()):
        if isinstance(item, InputError):
            continue
        if item.image is not None:
            known = (item.image.width, item.image.height)
            urls = [item.image.url, *(r.url for r in item.image.renditions)]
            urls += [url for _key, url in item.image.named]
            for url in urls:
                found.setdefault(url, known)
        if item.body.strip():
            for img in lxml_html.fragment_fromstring(item.body, create_parent="div").iter("img"):
                src = img.get("src", "")
                if src:
                    found.setdefault(src, (0, 0))
    return found


def size_for(relative: str, known: tuple[int, int]) -> tuple[int, int]:
    match = _SIZE_IN_NAME.search(relative)
    w, h = (int(match[1]), int(match[2])) if match else known
    if not (w and h):
        w, h = 16, 9
    return WIDTH, max(1, round(WIDTH * h / w))


def picture(relative: str, size: tuple[int, int]) -> bytes:
    digest = hashlib.sha256(relative.encode("utf-8")).digest()
    top = (40 + digest[0] % 160, 40 + digest[1] % 160, 40 + digest[2] % 160)
    bottom = (digest[3] % 120, digest[4] % 120, digest[5] % 120)
    width, height = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        t = y / max(1, height - 1)
        colour = tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        draw.line([(0, y), (width, y)], fill=colour)
    font = ImageFont.load_default(size=max(14, height // 12))
    small = ImageFont.load_default(size=max(12, height // 20))
    name = relative.rsplit("/", 1)[-1]
    draw.text((24, height - 24), name, font=font, fill=(255, 255, 255), anchor="ls")
    draw.text((24, 24), "sample image", font=small, fill=(255, 255, 255), anchor="lt")
    from io import BytesIO

    out = BytesIO()
    image.save(out, "JPEG", quality=QUALITY, optimize=True)
    return out.getvalue()


def main() -> None:
    wanted: dict[Path, tuple[int, int]] = {}
    for url, known in image_urls().items():
        try:
            path = mirror_path(url, HERE)
        except ValueError:
            continue
        if path is not None:
            wanted.setdefault(path, known)
    for path, known in sorted(wanted.items()):
        relative = path.relative_to(HERE).as_posix()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(picture(relative, size_for(relative, known)))
    for old in HERE.rglob("*"):
        if old.is_file() and old.suffix.lower() in (".jpg", ".jpeg") and old not in wanted:
            old.unlink()
    total = sum(p.stat().st_size for p in wanted)
    print(f"{len(wanted)} images, {total / 1024:.0f} KB in {HERE}")


if __name__ == "__main__":
    main()
