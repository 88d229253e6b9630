"""IPTC ninjs (News in JSON) adapter: one JSON document per article, for partners and wire
customers. ninjs 3.1 by default (camelCase names); ``Options.ninjs_version = "2.1"`` writes the
same document with the 2.x branch's lower-case names.

Valid against the official schemas (``shared/schemas/ninjs/``, JSON Schema 2020-12; checked in
tests/test_ninjs.py for every sample and real-world article). Only what the article has is
written: an optional property the CMS does not give is left out, never an empty string or a null.

    Article                         ninjs 3.1 (2.1)
    url (canonical, --base-url)     uri
    -                               standard {name "ninjs", version, schema: the schema's $id}
    -                               type "text"
    access_allowed                  representationType: "partial" when the CMS gave the
                                    exporter a cut body (paywall, access not granted), else "full"
    lastUpdate (else firstPublished) version: its wall-clock digits, YYYYMMDDhhmmss
    published (firstPublished)      firstCreated
    updated (max of both dates)     versionCreated
    published, when scheduled       embargoedUntil (embargoed)
    status                          pubStatus: publish → usable, trash → canceled, else withheld
    Options.copyright_* / usage_terms  copyrightHolder, copyrightNotice, usageTerms
    Options.language                language
    id                              altIds [{role "internal"}]
    slug                            slugline
    title / teaser / description    headlines: roles "main", "teaser" (if it differs), "subhead"
    summary / short_summary         descriptions: roles "summary", "short"
    body (canonical clean HTML)     bodies [{role "main", contentType "text/html"}]
    authors                         by ("A, B and C") and people [{name, rel "author", uri}]
    categories / keywords           subjects [{name, rel "section" | "keyword", uri}]
    image and body <img>            associations [{name, uri, type "picture", descriptions,
                                    renditions}]

Decisions (ninjs's own definitions, from the schema's descriptions):

* ``version`` identifies "the version of the news object": the CMS's ``lastUpdate`` changes with
  every edit, so its digits (as the CMS wrote them, whatever ``--timezone``) name the version;
  they only grow, and are a positive integer as NewsML-G2's version must be. It is the field
  ``export --incremental`` compares, too.
* ``firstCreated`` is when the first version was created: the first publication. A scheduled
  post's ``lastUpdate`` is earlier than its publication, so ``versionCreated`` is the later of
  the two (as Atom's ``updated``): a version is never older than the first one.
* ``contentCreated`` ("when the content was originally created", e.g. an old photo) is left out:
  the CMS records no creation date, and the publication date is not one.
* ``embargoedUntil``: the CMS has no embargo field, but it records a scheduled post as a
  ``lastUpdate`` earlier than ``firstPublished`` (shared/docs/source-format.md §3): that version
  was saved to appear at ``firstPublished``, so it is embargoed until then (a past embargo is
  simply over). No clock is read: same input, same bytes.
* ``rightsInfo`` needs a rights-expression document or link, which the CMS does not have: left
  out. A paywalled article is, as in the other per-article formats (the HTML page, Markdown),
  written with the body the CMS gave: ninjs goes to partners, not to the public (the public
  feeds carry no paywalled bodies: ``--paywall``). Drafts are written too, ``withheld``.
* ``bodies`` is the canonical body exactly (converter/content): no lead figure is added, since
  the lead image is an association; embeds stay canonical figures.
* Images: one association per picture (the lead image first; a body image that shows the lead
  picture is not repeated). The lead has one rendition per CDN transform (and per named
  ``url_*`` rendition); the original upload is its ``uri``, and a rendition only when there is
  no transform. Width and height only where known: a Thumbor ``Wx0`` transform is
  proportional, its height unknown, so it has none; a body image has the box its ``width`` and
  ``height`` attributes give (ninjs: "the display area"). ``contentType`` from Thumbor's
  ``format()`` filter or the file extension (a fixed table: same bytes on every machine), left
  out when neither says.
* Subjects use the publisher's own vocabulary: Daily Maverick's sections and keywords, each
  identified by its page on the site (``uri``) where the CMS gives one; ``rel`` says which.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

import orjson
from lxml import etree

from .. import images
from ..content import body_tree
from ..content.tree import text_of
from ..errors import UsageError
from ..model import Article, Image, Rendition, Term
from ..options import Options
from .common import byline

__all__ = ["document", "render"]

# The schema's own "$id", as each schema file gives it.
SCHEMAS = {
    "3.1": "http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json#",
    "2.1": "http://www.iptc.org/std/ninjs/ninjs-schema_2.1.json#",
}
# 2.x names: the 3.x camelCase name lower-cased, but for these.
_V2_NAMES = {"embargoedUntil": "embargoed"}
# Media types of image files, by extension or Thumbor format() (fixed: no system mime table).
MEDIA_TYPES = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "jpe": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "avif": "image/avif",
    "svg": "image/svg+xml",
    "tif": "image/tiff",
    "tiff": "image/tiff",
    "bmp": "image/bmp",
    "heic": "image/heic",
    "heif": "image/heif",
}
_THUMBOR_FORMAT = re.compile(r"/filters:(?:[^/]*:)?format\(([a-z]+)\)", re.IGNORECASE)
MAX_PIXELS = 2**31 - 1  # a larger "width" is no image's (and no 64-bit JSON reader's) number
STATUSES = {"publish": "usable", "trash": "canceled"}  # every other CMS status: withheld
PLAIN = "text/plain"


def render(articles: Sequence[Article], options: Options) -> bytes:
    """UTF-8 JSON, two-space indentation, properties in a fixed order, a newline at the end
    (orjson: the bytes of ``json.dumps(doc, ensure_ascii=False, indent=2)``, 70 times faster)."""
    (article,) = articles
    return orjson.dumps(document(article, options), option=orjson.OPT_INDENT_2) + b"\n"


def document(article: Article, options: Options) -> dict[str, Any]:
    """The ninjs object of ``article``, in the version ``options.ninjs_version`` names."""
    version = options.ninjs_version
    if version not in SCHEMAS:
        raise UsageError(f"ninjs version {version!r} is not supported (use one of 3.1, 2.1)")
    doc = _item(article, options, version)
    return _lower_case(doc) if version == "2.1" else doc


def _item(article: Article, options: Options, version: str) -> dict[str, Any]:
    """The 3.x object, its properties in a fixed order (the schema's)."""
    doc: dict[str, Any] = {
        "uri": article.url,
        "standard": {"name": "ninjs", "version": version, "schema": SCHEMAS[version]},
        "type": "text",
    }
    doc["representationType"] = "full" if article.access_allowed else "partial"
    stamp = article.modified or article.published
    if stamp is not None:
        doc["version"] = stamp.strftime("%Y%m%d%H%M%S")
    if article.published is not None:
        doc["firstCreated"] = article.published.isoformat()
    if article.updated is not None:
        doc["versionCreated"] = article.updated.isoformat()
    if article.published and article.modified and article.modified < article.published:
        doc["embargoedUntil"] = article.published.isoformat()  # a scheduled post
    doc["pubStatus"] = STATUSES.get(article.status, "withheld")
    for key, value in (
        ("copyrightHolder", options.copyright_holder),
        ("copyrightNotice", options.copyright_notice),
        ("usageTerms", options.usage_terms),
        ("language", options.language),
    ):
        if value.strip():
            doc[key] = value.strip()
    doc["altIds"] = [{"role": "internal", "value": article.id}]
    if article.slug:
        doc["slugline"] = article.slug
    doc["headlines"] = _texts(
        ("main", article.title),
        ("teaser", article.teaser if article.teaser != article.title else ""),
        ("subhead", article.description),
    )
    doc["descriptions"] = _texts(("summary", article.summary), ("short", article.short_summary))
    if article.body.strip():
        doc["bodies"] = [{"role": "main", "contentType": "text/html", "value": article.body}]
    _people(doc, article)
    doc["subjects"] = [
        *(_subject(term, "section") for term in article.categories),
        *(_subject(term, "keyword") for term in article.keywords),
    ]
    doc["associations"] = _associations(article)
    return {key: value for key, value in doc.items() if value != []}


def _texts(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    """Headline or description objects of the plain-text values there are."""
    return [{"role": role, "contentType": PLAIN, "value": text} for role, text in pairs if text]


def _people(doc: dict[str, Any], article: Article) -> None:
    names = [a.name for a in article.authors if a.name]
    if not names:
        return
    doc["by"] = byline(names)
    doc["people"] = [
        {"name": a.name, "rel": "author", **({"uri": a.url} if a.url else {})}
        for a in article.authors
        if a.name
    ]


def _subject(term: Term, rel: str) -> dict[str, str]:
    return {"name": term.name, "rel": rel, **({"uri": term.url} if term.url else {})}


# ---------------------------------------------------------------------------------------------
# Images


def media_type(url: str) -> str:
    """The image's media type from Thumbor's ``format()`` filter or the file extension; ""."""
    try:
        path = urlsplit(url).path
    except ValueError:
        return ""
    forced = _THUMBOR_FORMAT.search(path)
    if forced:
        return MEDIA_TYPES.get(forced.group(1).lower(), "")
    name = path.rpartition("/")[2]
    return MEDIA_TYPES.get(name.rpartition(".")[2].lower(), "") if "." in name else ""


def _rendition(name: str, url: str, width: int = 0, height: int = 0) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name, "href": url}
    kind = media_type(url)
    if kind:
        out["contentType"] = kind
    if 0 < width <= MAX_PIXELS:
        out["width"] = width
    if 0 < height <= MAX_PIXELS:
        out["height"] = height
    return out


def _box(rendition: Rendition) -> str:
    """A rendition's name: its box, "200x100" (a crop) or "800w" (proportional, as in srcset)."""
    if rendition.cropped:
        return f"{rendition.width}x{rendition.height}"
    return f"{rendition.width}w"


def _lead(image: Image) -> dict[str, Any]:
    renditions = [_rendition(_box(r), r.url, r.width, r.height) for r in image.renditions]
    renditions += [_rendition(key.removeprefix("url_"), url) for key, url in image.named]
    if not renditions:  # the upload itself is all there is
        renditions = [_rendition("original", image.url, image.width, image.height)]
    return _picture("lead-image", image.url, image.caption, image.credit, renditions)


def _picture(
    name: str, uri: str, caption: str, credit: str, renditions: list[dict[str, Any]]
) -> dict[str, Any]:
    picture: dict[str, Any] = {"name": name, "uri": uri, "type": "picture"}
    descriptions = _texts(("caption", caption), ("credit", credit))
    if descriptions:
        picture["descriptions"] = descriptions
    picture["renditions"] = renditions
    return picture


def _associations(article: Article) -> list[dict[str, Any]]:
    """The lead image, then each other picture of the body, once, in reading order."""
    out: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()  # the pictures already associated (images.picture_key)
    count = 0  # body pictures
    if article.image is not None:
        out.append(_lead(article.image))
        urls = [article.image.url, *(r.url for r in article.image.renditions)]
        seen.update(images.picture_key(url) for url in urls)
        seen.update(images.picture_key(url) for _, url in article.image.named)
    pictures = body_tree(article.body).iter("img") if "<img" in article.body else ()
    for img in pictures:
        src = img.get("src") or ""
        if not src.startswith(("https://", "http://")) or _in_embed(img):
            continue
        key = images.picture_key(src)
        if key in seen:  # same_picture is equality of keys
            continue
        seen.add(key)
        count += 1
        caption = _caption(img)
        alt = " ".join((img.get("alt") or "").split())
        rendition = _rendition("inline", src, _dimension(img, "width"), _dimension(img, "height"))
        picture = _picture(f"body-image-{count}", src, caption, "", [rendition])
        if alt and alt != caption:
            picture.setdefault("descriptions", []).extend(_texts(("alt", alt)))
        out.append(picture)
    return out


def _in_embed(img: etree._Element) -> bool:
    return any(el.tag == "figure" and el.get("class") == "embed" for el in img.iterancestors())


def _caption(img: etree._Element) -> str:
    """Plain text of the caption of the figure that holds ``img`` ("" when none)."""
    figure = next((el for el in img.iterancestors() if el.tag == "figure"), None)
    caption = figure.find("figcaption") if figure is not None else None
    return text_of(caption) if caption is not None else ""


def _dimension(img: etree._Element, name: str) -> int:
    value = (img.get(name) or "").strip()
    return int(value) if value.isascii() and value.isdigit() else 0


def _lower_case(value: Any) -> Any:
    """A 3.x document with the 2.x names: lower case (``embargoedUntil`` is ``embargoed``)."""
    if isinstance(value, dict):
        return {_V2_NAMES.get(k, k.lower()): _lower_case(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_lower_case(v) for v in value]
    return value
