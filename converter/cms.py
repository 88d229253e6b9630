"""Whitebeard (Daily Maverick) CMS records → ``Article``. The ONLY module that knows CMS keys.

Field notes: docs/source-format.md §2 (shared/docs). Integers may come as strings; unknown keys
are ignored; missing optional fields are fine; ``seo.*_description`` is ``contents[:200]`` with a
broken tag at the end, so it is never used as text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import datetime, tzinfo
from functools import lru_cache
from typing import Any
from urllib.parse import quote, unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from lxml import etree

from .content import Context, normalise, xml_safe
from .content.vocabulary import BLOCK_TAGS
from .errors import InputError, UsageError
from .model import Article, Author, Image, Rendition, Term
from .options import Options
from .urls import canonical_web, encode, web_url

__all__ = ["parse_article", "records_of"]

# The API envelope: {"error": false, "data": {...}} or {"data": [...], "total": N, ...} (§1.1).
ENVELOPE_KEY = "data"
# Named renditions whose widths are known on DM's installation (§2.5). Others are kept as
# "width unknown" fallbacks; the OLJ installation has url_highres, url_home_slideshow.
NAMED_WIDTHS: dict[str, tuple[int, int]] = {
    "url_thumbnail": (200, 100),
    "url_medium": (450, 0),
    "url_large": (800, 0),
    "url_xl": (1200, 0),
    "url_xxl": (1600, 0),
}
_DATE = re.compile(
    r"^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?$"
)
_NO_DATE = {"", "0000-00-00 00:00:00", "0000-00-00"}
_TEXT_PARSER = etree.HTMLParser(
    huge_tree=True,  # libxml2 otherwise drops whatever is nested deeper than 256, silently
    remove_comments=True,
    no_network=True,
)


def records_of(value: Any, position: str) -> Iterator[tuple[str, Any]]:
    """Unwrap the API envelope and arrays: (position, record) pairs."""
    if isinstance(value, dict) and ENVELOPE_KEY in value and "id" not in value:
        data = value[ENVELOPE_KEY]
        if isinstance(data, list):
            for i, item in enumerate(data, 1):
                yield f"{position} data[{i}]".strip(), item
        else:
            yield f"{position} data".strip(), data
    elif isinstance(value, list):
        for i, item in enumerate(value, 1):
            yield f"{position} item {i}".strip(), item
    else:
        yield position or "record 1", value


@lru_cache(maxsize=16)
def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise UsageError(
            f"unknown time zone {name!r} (use an IANA name such as Africa/Johannesburg)"
        ) from exc


def _text(value: Any) -> str:
    """Plain text of a CMS text field: tags dropped, entities decoded, whitespace collapsed."""
    if value is None:
        return ""
    if not isinstance(value, str):
        value = str(value) if isinstance(value, int | float) else ""
    value = xml_safe(value)
    if "<" in value or "&" in value:
        doc = etree.fromstring("<html><body><div>" + value + "</div></body></html>", _TEXT_PARSER)
        body = doc.find("body")
        if body is not None:
            for el in body.iter():
                if el.tag in ("script", "style", "noscript", "template"):
                    el.text = None
                    for child in list(el):
                        el.remove(child)
                elif el.tag == "br" or el.tag in BLOCK_TAGS:  # a line or block break is a space
                    el.tail = " " + (el.tail or "")
                    el.text = " " + (el.text or "")
            value = "".join(body.itertext())
    return " ".join(value.split())


def _str(value: Any) -> str:
    if type(value) is str:  # the common case, inlined: this runs ~60 times per article
        value = value.strip()
        return value if value.isprintable() else xml_safe(value)
    if isinstance(value, str):
        return xml_safe(value.strip())
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return ""


def _url(value: Any, field: str = "", warnings: list[str] | None = None) -> str:
    """An absolute http(s) URL, RFC 3986-valid (urls.web_url), from a CMS URL field, or "".

    javascript:, data:, relative and unparseable URLs never reach a link, a feed or JSON-LD;
    when ``warnings`` is given, dropping one is a warning naming ``field``.
    """
    if type(value) is str:  # the usual CMS URL: the one match says it all (~26 an article)
        plain = value.strip()
        if canonical_web(plain):  # printable ASCII only: what _str would give, checked
            return plain
    text = _str(value)
    if not text:
        return ""
    url, problem = web_url(text)
    if problem and warnings is not None:
        warnings.append(f"{field}: URL left out, {problem}: {text[:100]!r}")
    return url


def _int(value: Any, default: int = 0) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdecimal():
        return int(value.strip())
    return default


def _bool(value: Any, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return default


class _Fields:
    """Field access with errors that name the record, the article and the field."""

    def __init__(self, record: Mapping[str, Any], source: str, position: str) -> None:
        self.record = record
        self.source = source
        self.position = position
        self.id = ""
        self.unparsed: list[str] = []  # date fields left out (see lenient_date)
        self.warnings: list[str] = []

    def error(self, field: str, reason: str) -> InputError:
        return InputError(self.source, self.position, reason, field, self.id)

    def date(self, key: str, zone: tzinfo) -> datetime | None:
        value = self.record.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.error(key, f"expected a date string, got {type(value).__name__}")
        text = value.strip()
        if text in _NO_DATE:
            return None
        if not _DATE.match(text):
            raise self.error(key, f"cannot parse date {text[:40]!r} (expected YYYY-MM-DD HH:MM:SS)")
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError as exc:
            raise self.error(key, f"invalid date {text!r}: {exc}") from None
        if not 1800 <= parsed.year <= 2200:  # time-zone arithmetic and zip stamps overflow
            raise self.error(key, f"date {text!r} is out of range (years 1800 to 2200)")
        return parsed.replace(tzinfo=zone) if parsed.tzinfo is None else parsed

    def lenient_date(self, key: str, zone: tzinfo, strict: bool) -> datetime | None:
        """``date``, but a value that cannot be parsed leaves the article without that date,
        with a warning naming the field (``--strict``: the InputError, as for any bad field)."""
        try:
            return self.date(key, zone)
        except InputError as exc:
            if strict:
                raise
            self.unparsed.append(key)
            self.warnings.append(
                f"field {key}: {exc.reason}; kept without this date (left out of feeds)"
            )
            return None


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def _rebase(url: str, origins: tuple[tuple[str, str], ...]) -> str:
    for old, new in origins:
        if url.startswith(old + "/") or url == old:
            return new + url[len(old) :]
    return url


def _authors(
    value: Any, origins: tuple[tuple[str, str], ...], warnings: list[str]
) -> tuple[Author, ...]:
    out = []
    for i, item in enumerate(value if isinstance(value, list) else [], 1):
        if isinstance(item, dict):
            name = _text(item.get("name"))
            if name:
                url = _url(item.get("url"), f"authors[{i}].url", warnings)
                out.append(Author(name, _rebase(url, origins), _str(item.get("id"))))
        elif isinstance(item, str) and _text(item):
            out.append(Author(_text(item)))
    return _one_byline_each(out)


def _one_byline_each(authors: list[Author]) -> tuple[Author, ...]:
    """Each person once ("Staff Reporter and Staff Reporter" is one byline): a later author
    with the same name (case aside; _text has collapsed the spacing) or the same id ("0" is no
    id) is the same person. The first is kept, with a URL or id that only the repeat had."""
    out: list[Author] = []
    for author in authors:
        name, has_id = author.name.casefold(), author.id not in ("", "0")
        for i, kept in enumerate(out):
            if kept.name.casefold() == name or (has_id and kept.id == author.id):
                out[i] = Author(kept.name, kept.url or author.url, kept.id or author.id)
                break
        else:
            out.append(author)
    return tuple(out)


def _categories(
    value: Any, origins: tuple[tuple[str, str], ...], warnings: list[str]
) -> tuple[Term, ...]:
    out = []
    for i, item in enumerate(value if isinstance(value, list) else [], 1):
        if not isinstance(item, dict):
            continue
        name = _text(item.get("name"))
        if not name:
            continue
        paid = _bool(item.get("paid")) or _str(item.get("accessType")).lower() == "paid"
        url = _rebase(_url(item.get("url"), f"categories[{i}].url", warnings), origins)
        out.append(Term(name, _str(item.get("slug")), url, _str(item.get("id")), paid))
    return tuple(out)


def _keyword(
    data: Mapping[str, Any],
    origins: tuple[tuple[str, str], ...],
    field: str = "",
    warnings: list[str] | None = None,
) -> Term | None:
    name = _text(data.get("display_name")) or _text(data.get("name"))
    if not name:
        return None
    url = _rebase(_url(data.get("url"), field, warnings), origins)
    return Term(name, _str(data.get("slug")), url, _str(data.get("keywordId") or data.get("id")))


def _keywords(
    value: Any, origins: tuple[tuple[str, str], ...], warnings: list[str]
) -> tuple[Term, ...]:
    out: list[Term] = []
    seen: set[str] = set()
    for i, item in enumerate(value if isinstance(value, list) else [], 1):
        if not isinstance(item, dict):
            continue
        data = item.get("data", item)
        if not isinstance(data, dict):
            continue
        field = f"keywords[{i}]" + (".data" if data is not item else "")
        replaced = data.get("replacedWith")
        if isinstance(replaced, dict):  # the keyword was merged into another one
            term = _keyword(replaced, origins, f"{field}.replacedWith.url", warnings)
            term = term or _keyword(data, origins, f"{field}.url", warnings)
        else:
            term = _keyword(data, origins, f"{field}.url", warnings)
        if isinstance(replaced, str) and _text(replaced) and not replaced.strip().isdigit():
            term = Term(_text(replaced))
        if term is not None and term.name.casefold() not in seen:
            seen.add(term.name.casefold())
            out.append(term)
    return tuple(out)


def _image(value: Any, warnings: list[str]) -> Image | None:
    """The lead image: the first image attachment (§2.5). Tolerates any missing piece."""
    for i, item in enumerate(value if isinstance(value, list) else [], 1):
        if not isinstance(item, dict):
            continue
        kind = _str(item.get("type")).lower()
        if kind and kind != "image":
            continue
        where = f"attachments[{i}]"
        url = _url(item.get("url"), f"{where}.url", warnings)
        renditions = []
        # A transform's URL as given → as checked: the url_* keys repeat them (the seed's five)
        checked: dict[str, str] = {}
        transforms = item.get("transforms")
        for j, t in enumerate(transforms if isinstance(transforms, list) else [], 1):
            if not isinstance(t, dict):
                continue
            width, height = _int(t.get("x"), -1), _int(t.get("y"), 0)
            given = t.get("url")
            t_url = _url(given, f"{where}.transforms[{j}].url", warnings)
            if t_url and type(given) is str:  # (a URL left out, "", warns again for its key)
                checked[given] = t_url
            if width > 0 and height >= 0 and t_url.startswith(("https://", "http://")):
                renditions.append(Rendition(t_url, width, height))
        seen = {r.url for r in renditions}
        named = []
        for key, v in item.items():
            if not key.startswith("url_"):
                continue
            v_url = checked.get(v, "") if type(v) is str else ""
            v_url = v_url or _url(v, f"{where}.{key}", warnings)
            if not v_url.startswith(("https://", "http://")):
                continue
            if key in NAMED_WIDTHS:  # a rendition of known size (usually a transform again)
                if v_url not in seen:
                    seen.add(v_url)
                    renditions.append(Rendition(v_url, *NAMED_WIDTHS[key]))
            else:  # installation-specific key, size unknown: a last-resort fallback
                named.append((key, v_url))
        if not url.startswith(("https://", "http://")):
            url = max(renditions, key=lambda r: r.width).url if renditions else ""
            url = url or (named[0][1] if named else "")
        if not url:
            continue
        return Image(
            url=url,
            caption=_text(item.get("name")),
            credit=_text(item.get("description")),
            focal=_str(item.get("focal")),
            width=max(_int(item.get("width")), 0),
            height=max(_int(item.get("height")), 0),
            renditions=tuple(renditions),
            named=tuple(named),
        )
    return None


def parse_article(record: Any, source: str, position: str, options: Options) -> Article:
    """One CMS record → an Article, or InputError (file, position, id, field, reason)."""
    if not isinstance(record, dict):
        kind = "an array" if isinstance(record, list) else type(record).__name__
        raise InputError(source, position, f"expected an article object, got {kind}")
    f = _Fields(record, source, position)
    raw_id = record.get("id")
    article_id = _str(raw_id)
    if not article_id:
        raise f.error("id", "missing" if raw_id is None else f"not a usable id: {raw_id!r}")
    f.id = article_id
    title = _text(record.get("title")) or _text(record.get("teaser"))
    contents = record.get("contents")
    if contents is not None and not isinstance(contents, str):
        raise f.error("contents", f"expected a string, got {type(contents).__name__}")
    if not title and not (contents or "").strip():
        raise f.error("title", "neither title nor contents")

    zone = _zone(options.timezone)
    published = f.lenient_date("firstPublished", zone, options.strict)
    modified = f.lenient_date("lastUpdate", zone, options.strict)
    updated = max(d for d in (published, modified) if d) if (published or modified) else None
    if "firstPublished" not in f.unparsed:  # a missing one is lastUpdate; a bad one stays unknown
        published = published or modified

    warnings: list[str] = []
    shorturl = _url(record.get("shorturl"), "shorturl", warnings)
    url = _url(record.get("url"), "url", warnings) or shorturl
    origins: tuple[tuple[str, str], ...] = ()
    if options.base_url and _origin(url):
        new = options.base_url.rstrip("/")
        origins = ((_origin(url), _origin(new) or new),)
    url = _rebase(url, origins)
    if not url:
        url = options.site_url.rstrip("/") + "/article/" + quote(article_id, safe="")
        url = encode(url) or url
    slug = _str(record.get("slug")) or _str(
        unquote(urlsplit(url).path.rstrip("/").rpartition("/")[2])
    )

    # Kept ids are prefixed with the article id: unique in a feed or a book of many articles.
    prefix = "a" + re.sub(r"[^A-Za-z0-9_-]", "", article_id) + "-"
    ctx = Context(
        base=url,
        origins=origins,
        host_map=options.host_map,
        id_prefix=prefix,
        sanitiser=options.sanitiser,
    )
    body = normalise(contents or "", ctx)
    image = _image(record.get("attachments"), warnings)
    return Article(
        id=article_id,
        title=title or f"Article {article_id}",
        url=url,
        body=body.html,
        published=published,
        updated=updated,
        modified=modified,
        slug=slug,
        shorturl=_rebase(shorturl, origins),
        external_url=_url(record.get("externalUrl"), "externalUrl", warnings),
        teaser=_text(record.get("teaser")),
        summary=_text(record.get("summary")),
        description=_text(record.get("description")),
        short_summary=_text(record.get("short_summary")),
        authors=_authors(record.get("authors"), origins, warnings),
        categories=_categories(record.get("categories"), origins, warnings),
        keywords=_keywords(record.get("keywords"), origins, warnings),
        image=image,
        status=_str(record.get("status")).lower() or "publish",
        access_control=_bool(record.get("access_control")),
        access_allowed=_bool(record.get("access_allowed"), default=True),
        noindex=_bool(record.get("excludedFromGoogleSearchEngine")),
        source=source,
        position=position,
        unparsed_dates=tuple(f.unparsed),
        warnings=(*warnings, *f.warnings, *body.warnings),
    )
