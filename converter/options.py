"""One options record for every command. Derive variants with ``dataclasses.replace``.

The nested records group what only one family of adapters reads; every field says why it is
there. Defaults are what a demanding user would want without flags.
"""

from __future__ import annotations

import re
import typing
from dataclasses import dataclass, field, fields
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import UsageError

__all__ = [
    "EpubOptions",
    "FeedOptions",
    "FetchOptions",
    "GroupBy",
    "LanguageTag",
    "NinjsVersion",
    "OptionError",
    "Options",
    "Paywall",
    "Shard",
    "TimeZoneName",
    "Url",
    "check",
    "field_type",
    "language_problem",
    "parse_shard",
    "url_problem",
]

Paywall = Literal["summary", "full", "exclude"]
GroupBy = Literal["section", "date", "none"]
NinjsVersion = Literal["3.1", "2.1"]
Sanitiser = Literal["own", "nh3"]  # the body's: see converter/content/sanitiser.py
# Numbers that must not be negative (0 means "all" for limits); others must be positive.
_AT_LEAST_ZERO = frozenset({"limit", "ttl", "retries", "max_redirects"})


class Text(Enum):
    """What a text field holds, beyond ``str``: the check ``check`` applies to it."""

    URL = "url"
    URL_REFERENCE = "url reference"
    LANGUAGE = "language"
    TIME_ZONE = "time zone"


# Annotated, so that mypy and callers see plain ``str`` while ``check`` sees what it must be.
Url = Annotated[str, Text.URL]  # an absolute http(s) URL; "" (where allowed) = not set
# An absolute http(s) URL or a relative reference (RFC 3986 §4.2) resolved against the document
# that holds it: an <?xml-stylesheet href?> is usually "/rss.xsl" on the feed's own host.
UrlReference = Annotated[str, Text.URL_REFERENCE]
LanguageTag = Annotated[str, Text.LANGUAGE]  # a well-formed BCP 47 tag (RFC 5646)
TimeZoneName = Annotated[str, Text.TIME_ZONE]  # an IANA zone name (zoneinfo)

# RFC 5646 §2.1 well-formedness, written from the ABNF (case-insensitive): language with up to
# three extlangs, script, region, variants, extensions (singleton other than x), private use;
# or private use alone; or one of the grandfathered tags (§2.2.8).
_ALNUM = "[a-z0-9]"
_LANGTAG = (
    r"(?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4}|[a-z]{5,8})"  # language (and extlang)
    r"(?:-[a-z]{4})?"  # script
    r"(?:-(?:[a-z]{2}|[0-9]{3}))?"  # region
    rf"(?:-(?:{_ALNUM}{{5,8}}|[0-9]{_ALNUM}{{3}}))*"  # variants
    rf"(?:-[0-9a-wy-z](?:-{_ALNUM}{{2,8}})+)*"  # extensions
    rf"(?:-x(?:-{_ALNUM}{{1,8}})+)?"  # private use
)
_PRIVATE = rf"x(?:-{_ALNUM}{{1,8}})+"
_GRANDFATHERED = frozenset(
    {
        *("en-gb-oed", "i-ami", "i-bnn", "i-default", "i-enochian", "i-hak", "i-klingon"),
        *("i-lux", "i-mingo", "i-navajo", "i-pwn", "i-tao", "i-tay", "i-tsu", "sgn-be-fr"),
        *("sgn-be-nl", "sgn-ch-de", "art-lojban", "cel-gaulish", "no-bok", "no-nyn"),
        *("zh-guoyu", "zh-hakka", "zh-min", "zh-min-nan", "zh-xiang"),
    }
)
_LANGUAGE_TAG = re.compile(rf"(?:{_LANGTAG}|{_PRIVATE})", re.IGNORECASE | re.ASCII)


def language_problem(tag: str) -> str:
    """Why ``tag`` is not a well-formed BCP 47 language tag ("" when it is one)."""
    if _LANGUAGE_TAG.fullmatch(tag) or tag.lower() in _GRANDFATHERED:
        singletons = [s.lower() for s in tag.split("-")[1:] if len(s) == 1]
        if "x" in singletons:  # after "x" anything goes: the rest is private use
            singletons = singletons[: singletons.index("x")]
        if len(singletons) == len(set(singletons)) or tag.lower() in _GRANDFATHERED:
            return ""
        return f"must be a BCP 47 language tag, not {tag!r} (an extension repeats)"
    hint = ""
    dashed = tag.strip().replace("_", "-")
    if dashed != tag and _LANGUAGE_TAG.fullmatch(dashed):
        hint = f"; did you mean {_conventional_case(dashed)!r}?"
    return f"must be a BCP 47 language tag such as en or en-ZA, not {tag!r}{hint}"


def _conventional_case(tag: str) -> str:
    """RFC 5646 §2.1.1's case conventions: language lower, Script title, REGION upper."""
    parts = tag.lower().split("-")
    for n, part in enumerate(parts[1:], 1):
        if len(parts[n - 1]) == 1:  # after a singleton: extension or private use, as is
            break
        if len(part) == 2 or (len(part) == 3 and part.isdigit()):
            parts[n] = part.upper()
        elif len(part) == 4 and part.isalpha():
            parts[n] = part.title()
    return "-".join(parts)


_SCHEME_GIVEN = re.compile(r"[a-z][a-z0-9+.-]*:(?![0-9])", re.IGNORECASE)


def url_problem(value: str) -> str:
    """Why ``value`` is not an absolute http(s) URL ("" when it is one). Stricter than
    ``urls.web_url``, which repairs what it is given: an option is what the user typed, so
    a missing scheme or host, or stray whitespace, is a mistake to report, not to guess at."""
    from .urls import web_url  # here: idna is imported only when a URL option is set

    if value != value.strip() or any(c.isspace() for c in value):
        return f"must be an absolute http(s) URL without spaces, not {value!r}"
    if value.startswith("//"):
        return f"must be an absolute http(s) URL with its scheme (https:{value}), not {value!r}"
    url, why = web_url(value)
    if url:
        return ""
    hint = ""
    # No scheme given (a host, or host:port): suggest the https URL. With another scheme
    # (mailto:, ftp://) prefixing would not fix it.
    looks_like_host = "." in value.split("/", 1)[0] or value.startswith("localhost")
    if looks_like_host and not _SCHEME_GIVEN.match(value) and web_url("https://" + value)[0]:
        hint = f"; did you mean 'https://{value}'?"
    example = "such as https://example.org/"
    return f"must be an absolute http(s) URL {example}, not {value!r} ({why}){hint}"


def url_reference_problem(value: str) -> str:
    """Why ``value`` is neither an absolute http(s) URL nor a relative reference ("" when it
    is one). A reference with a scheme must be http(s): javascript: and data: never pass."""
    if _SCHEME_GIVEN.match(value) or value.startswith("//"):
        return url_problem(value)
    if not value or any(c.isspace() or ord(c) < 32 for c in value):
        return f"must be a URL or a relative reference without spaces, not {value!r}"
    return ""


def _zone_problem(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return (
            "must be an IANA time zone name such as Africa/Johannesburg,"
            f" not {name!r} (unknown time zone)"
        )
    return ""


_TEXT_CHECKS = {
    Text.URL: url_problem,
    Text.URL_REFERENCE: url_reference_problem,
    Text.LANGUAGE: language_problem,
    Text.TIME_ZONE: _zone_problem,
}


_HINTS: dict[Any, dict[str, Any]] = {}  # record class → its fields' types (with markers)


def _hints(record: Any) -> dict[str, Any]:
    """Resolved once per class: every ``replace`` of an options record runs ``check``."""
    found = _HINTS.get(record)
    if found is None:
        found = _HINTS[record] = typing.get_type_hints(record, include_extras=True)
    return found


def _text_check(kind: Any) -> Text | None:
    """The ``Text`` marker of ``Url``, ``Url | None`` and the like (None: plain)."""
    for candidate in (kind, *typing.get_args(kind)):
        if typing.get_origin(candidate) is Annotated:
            marks = [m for m in candidate.__metadata__ if isinstance(m, Text)]
            if marks:
                return marks[0]
    return None


class OptionError(UsageError, ValueError):
    """An option value outside what its field allows (exit status 2 from the CLI; for API
    callers also the ValueError a bad argument conventionally is)."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name} {message}")
        self.name, self.detail = name, message


def check(record: Any, prefix: str = "") -> None:
    """Validate ``record``'s fields against their declared types, once, at construction:
    Literal values, non-negative or positive numbers, absolute http(s) URLs, BCP 47 language
    tags and IANA time zones (the ``Url``, ``LanguageTag``, ``TimeZoneName`` fields). Raises
    OptionError naming the field (``prefix`` + name) and the allowed values."""
    hints = _hints(type(record))
    for f in fields(record):
        value, kind = getattr(record, f.name), hints[f.name]
        name = prefix + f.name
        text = _text_check(kind)
        if text is not None:
            if (value is None and type(None) in typing.get_args(kind)) or (
                value == "" and text in (Text.URL, Text.URL_REFERENCE)
            ):
                continue  # not set: the documented default applies
            problem = (
                _TEXT_CHECKS[text](value)
                if isinstance(value, str)
                else f"must be a string, not {value!r}"
            )
            if problem:
                raise OptionError(name, problem)
        elif typing.get_origin(kind) is Literal:
            allowed = typing.get_args(kind)
            if value not in allowed:
                choices = ", ".join(str(a) for a in allowed)
                raise OptionError(name, f"must be one of {choices}, not {value!r}")
        elif kind in (int, float) and not isinstance(value, bool):
            if not isinstance(value, int | float):
                raise OptionError(name, f"must be a number, not {value!r}")
            if f.name in _AT_LEAST_ZERO and value < 0:
                raise OptionError(name, f"must be 0 or more, not {value!r}")
            if f.name not in _AT_LEAST_ZERO and value <= 0:
                raise OptionError(name, f"must be more than 0, not {value!r}")


@dataclass(frozen=True, slots=True)
class FeedOptions:
    """RSS 2.0 / Atom 1.0 / JSON Feed 1.1 (docs: shared/docs/feeds.md)."""

    title: str = ""  # channel title; empty → the site title (plus the section for split feeds)
    description: str = ""  # channel description; empty → "Latest articles from <site>"
    feed_url: Url = ""  # the feed's own URL: atom:link rel="self", Atom id, JSON feed_url
    hub: Url = ""  # WebSub hub URL (rel="hub" in RSS and Atom, "hubs" in JSON Feed)
    xsl: UrlReference = ""  # XSL stylesheet for a human-readable view (<?xml-stylesheet?>)
    image: Url = ""  # channel image / Atom logo / JSON icon URL
    icon: Url = ""  # small square icon (Atom icon, JSON favicon)
    ttl: int = 60  # RSS <ttl>, minutes: readers should not poll more often (Ghost uses 60)
    limit: int = 50  # newest N items; 0 = all (Google News reads <= 60 new items per fetch)
    paywall: Paywall = "summary"  # paywalled articles: summary (no body) | full | exclude
    include_noindex: bool = False  # keep articles flagged excludedFromGoogleSearchEngine
    category: str = ""  # only articles in this section (slug)
    keyword: str = ""  # only articles with this keyword (slug)
    author: str = ""  # only articles by this author (name, case-insensitive)
    pretty: bool = False  # indented XML / JSON

    def __post_init__(self) -> None:
        check(self, "feed.")


@dataclass(frozen=True, slots=True)
class FetchOptions:
    """Image fetching for e-books (and anything else that must embed image bytes)."""

    image_root: Path | None = None  # local uploads mirror: .../wp-content/uploads/<p> → root/<p>
    cache_dir: Path | None = None  # persistent cache keyed by URL; None → the user cache dir
    allow_private_hosts: bool = False  # permit private/loopback/link-local hosts (intranets, tests)
    image_hosts: tuple[str, ...] = ()  # optional allow-list of hosts; empty = any public host
    timeout: float = 10.0  # seconds: total deadline per image (connect + every read)
    retries: int = 2  # extra attempts after a connection error or 5xx
    max_bytes: int = 15 * 1024 * 1024  # per image; MSN's own cap is 15 MB
    max_total_bytes: int = 500 * 1024 * 1024  # per run, across all images
    max_redirects: int = 5
    concurrency: int = 8  # downloads at once
    max_side: int = 1600  # px: longer side of stored images (scaled down with Pillow)
    offline: bool = False  # no HTTP at all: the mirror and the cache only (reproducible exports)

    def __post_init__(self) -> None:
        check(self, "fetch.")


@dataclass(frozen=True, slots=True)
class EpubOptions:
    """EPUB 3 books (docs: shared/docs/epub.md)."""

    title: str = ""  # book title; empty → "<site> – <date of the newest article>"
    author: str = ""  # dc:creator of a bundle; empty → the site title
    publisher: str = ""  # dc:publisher; empty → the site title
    cover: Path | None = None  # cover image file; None → generated from the newest lead image
    group_by: GroupBy = "section"  # section | date | none: the first level of the contents
    image_width: int = 800  # CSS px asked of the image resolver (e-readers: 800; hi-res 1200)
    images: bool = True  # False (--no-images): captions/alt text instead of pictures
    per_article: bool = False  # one book per article instead of one bundle

    def __post_init__(self) -> None:
        check(self, "epub.")


@dataclass(frozen=True, slots=True)
class Options:
    # Site settings (also from converter.toml; flags override the file).
    site_title: str = "Daily Maverick"  # feed / page site name (og:site_name, JSON-LD publisher)
    site_url: Url = "https://www.dailymaverick.co.za/"  # home page, used where a site link is due
    base_url: Url | None = None  # replaces scheme+host of article URLs (the seed lives on staging)
    sitemap_base_url: Url = ""  # public URL of the sitemaps' folder (index <loc>s); "" → site_url
    language: LanguageTag = "en"  # BCP 47 tag for lang attributes and feeds
    # Zone of the CMS's naive timestamps (source-format §3).
    timezone: TimeZoneName = "Africa/Johannesburg"
    # Inline body images keep their src; these (old prefix, new prefix) pairs rewrite it.
    host_map: tuple[tuple[str, str], ...] = ()

    # Rights statements for partners (ninjs copyrightHolder / copyrightNotice / usageTerms).
    # The CMS records none: empty (the default) leaves the property out, never an empty value.
    copyright_holder: str = ""  # who claims the rights, e.g. "Daily Maverick"
    copyright_notice: str = ""  # e.g. "© 2025 Daily Maverick. All rights reserved."
    usage_terms: str = ""  # natural-language terms of use for the receiver
    # IPTC ninjs schema written: "3.1" (camelCase, the current branch) or "2.1" (lower case).
    ninjs_version: NinjsVersion = "3.1"

    # Output switches.
    fragment: bool = False  # html: write only the clean body, for partner CMS ingestion
    # html: the pages' stylesheet (the text of `--css FILE`); empty → the built-in one
    # (converter/adapters/html.py STYLESHEET). Put in the page's <style>, never fetched.
    css: str = ""
    strict: bool = False  # warnings (degraded embeds, dropped galleries) become failures
    # Body sanitiser: "own" = the vocabulary's allow-list (safe by construction, the default);
    # "nh3" = nh3 as a final pass after it, for defence in depth (converter/content/sanitiser.py).
    sanitiser: Sanitiser = "own"
    # Durability: outputs are made durable once at the end of a run (output.Sync: one sync,
    # then an fsync per output folder); True (--fsync-each) also fsyncs every file before its
    # rename, which costs ~2 ms a file, for users who need each file on disk as it is named.
    fsync_each: bool = False
    # Inputs that hold no article at all (an empty folder, "[]") are an error unless this is
    # set: a typo in a path or an empty dump should not pass as a successful run.
    allow_empty: bool = False

    # "The present": future-dated articles are left out of feeds. None = the clock at run time;
    # tests and reproducible builds pin it.
    now: datetime | None = None

    feed: FeedOptions = field(default_factory=FeedOptions)  # rss, atom, json-feed
    epub: EpubOptions = field(default_factory=EpubOptions)  # epub
    fetch: FetchOptions = field(default_factory=FetchOptions)  # image bytes for epub

    def __post_init__(self) -> None:
        check(self, "")


def field_type(path: str) -> Any:
    """The declared type of the option at ``path`` ("language", "feed.paywall"), with its
    ``Url``/``LanguageTag``/``TimeZoneName`` marker: what the help shows and ``check`` applies."""
    record: type = Options
    *groups, name = path.split(".")
    for group in groups:
        record = _hints(record)[group]
    return _hints(record)[name]


@dataclass(frozen=True, slots=True)
class Shard:
    """One part of a partitioned run: ``index`` (0-based) of ``count``."""

    index: int
    count: int


_SHARD_FORMS = "I/N (1-based, e.g. 2/8), auto or auto/N"


def parse_shard(spec: str, environ: typing.Mapping[str, str]) -> Shard:
    """``--shard``: ``I/N`` as given, or ``auto``/``auto/N`` from the job-array runner's
    environment (``environ``): a Kubernetes indexed Job's ``JOB_COMPLETION_INDEX`` (0-based;
    the Job does not tell its completions count, so ``auto/N`` gives it), or a Slurm array's
    ``SLURM_ARRAY_TASK_ID`` counted from ``SLURM_ARRAY_TASK_MIN`` in steps of
    ``SLURM_ARRAY_TASK_STEP``, of ``SLURM_ARRAY_TASK_COUNT`` tasks. UsageError otherwise."""
    head, slash, tail = spec.strip().partition("/")
    count = _shard_number(tail, "N") if slash else None
    if head.lower() != "auto":
        if count is None:
            raise UsageError(f"--shard must be {_SHARD_FORMS}, not {spec!r}")
        index = _shard_number(head, "I")
        if not 1 <= index <= count:
            raise UsageError(f"--shard {spec}: I/N needs 1 <= I <= N")
        return Shard(index - 1, count)
    kubernetes, slurm = "JOB_COMPLETION_INDEX" in environ, "SLURM_ARRAY_TASK_ID" in environ
    if kubernetes and slurm:
        raise UsageError(
            "--shard auto: both JOB_COMPLETION_INDEX (Kubernetes) and SLURM_ARRAY_TASK_ID"
            " (Slurm) are set; give --shard I/N"
        )
    if kubernetes:
        if count is None:
            raise UsageError(
                "--shard auto: a Kubernetes indexed Job gives JOB_COMPLETION_INDEX but not the"
                " count; use --shard auto/N with N = the Job's spec.completions"
            )
        index = _environ_number(environ, "JOB_COMPLETION_INDEX")
    elif slurm:
        index, count = _slurm_shard(environ, count)
    else:
        raise UsageError(
            "--shard auto: not in a job array (neither JOB_COMPLETION_INDEX of a Kubernetes"
            " indexed Job nor SLURM_ARRAY_TASK_ID of a Slurm array is set); give --shard I/N"
        )
    if not 0 <= index < count:
        raise UsageError(f"--shard auto: task index {index} is outside 0..{count - 1}")
    return Shard(index, count)


def _slurm_shard(environ: typing.Mapping[str, str], given: int | None) -> tuple[int, int]:
    """(0-based index, count) of a Slurm array task. ``--array=1-8`` and ``--array=0-30:2``
    number tasks densely from MIN by STEP; a list such as ``--array=1,5,9`` does not, and then
    the index is refused rather than guessed (two tasks could take the same shard)."""
    task = _environ_number(environ, "SLURM_ARRAY_TASK_ID")
    low = _environ_number(environ, "SLURM_ARRAY_TASK_MIN", 0)
    step = _environ_number(environ, "SLURM_ARRAY_TASK_STEP", 1) or 1
    if (task - low) % step:
        raise UsageError(
            f"--shard auto: SLURM_ARRAY_TASK_ID {task} is not MIN {low} plus a multiple of"
            f" STEP {step}; use an array range such as --array=0-7, or --shard I/N"
        )
    count = _environ_number(environ, "SLURM_ARRAY_TASK_COUNT", given)
    if given is not None and count != given:
        raise UsageError(f"--shard auto/{given}: SLURM_ARRAY_TASK_COUNT is {count}")
    return (task - low) // step, count


def _environ_number(
    environ: typing.Mapping[str, str], name: str, default: int | None = None
) -> int:
    raw = environ.get(name)
    if raw is None:
        if default is None:
            raise UsageError(f"--shard auto: {name} is not set (give --shard auto/N or I/N)")
        return default
    return _whole(raw, f"auto: {name}", least=0)


def _shard_number(text: str, what: str) -> int:
    return _whole(text, what, least=1)


def _whole(text: str, what: str, least: int) -> int:
    """``text`` as a whole number of at least ``least``, or a usage error naming ``what``."""
    try:
        value = int(text.strip())
    except ValueError:
        raise UsageError(f"--shard {what} must be a whole number, not {text!r}") from None
    if value < least:
        raise UsageError(f"--shard {what} must be {least} or more, not {value}")
    return value
