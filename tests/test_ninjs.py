"""IPTC ninjs adapter (converter/adapters/ninjs.py): one JSON document per article.

* every sample and every article of the shared real-world corpus is valid against the official
  ninjs 3.1 schema (and 2.1, the option), with the formats it uses (uri, date-time) checked;
* tables of (article field → ninjs property), on a record made for each row;
* images: one rendition per CDN transform, width/height only where known; body pictures once;
* the body round-trips; drafts are withheld; nothing empty or null is written; same bytes.

The schemas and the corpus are read from where they live (CONVERTER_SCHEMAS,
CONVERTER_REALWORLD; else ../shared next to the repository), never copied into the project.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import html5lib
import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from converter import Options, render
from converter.adapters import ADAPTERS
from converter.adapters.ninjs import document, media_type
from converter.api import convert
from converter.cms import parse_article
from converter.content import parse
from converter.errors import InputError, UsageError
from converter.model import Article

from .conftest import ROOT, SAMPLES, sample_articles

SCHEMAS = Path(os.environ.get("CONVERTER_SCHEMAS", ROOT.parent / "shared" / "schemas")) / "ninjs"
REALWORLD = Path(os.environ.get("CONVERTER_REALWORLD", ROOT.parent / "shared" / "realworld"))
STAGING = "https://staging.dailymaverick.co.za"
WWW = "https://www.dailymaverick.co.za"
SEED_ID, PAYWALLED_ID, DRAFT_ID, SCHEDULED_ID = "2563086", "2401177", "2630015", "97518"
OLD_IMAGE_ID, GALLERY_ID, CAPTIONS_ID, NO_IMAGE_ID = "71834", "2627702", "1847219", "1723406"


# =============================================================================================
# The validators: the official schemas, with format checking (RFC 3986 URIs, RFC 3339 dates)

_UNRESERVED, _PCT, _SUB = r"A-Za-z0-9\-._~", r"%[0-9A-Fa-f]{2}", r"!$&'()*+,;="
_PCHAR = rf"(?:[{_UNRESERVED}{_SUB}:@]|{_PCT})"
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_HOST = rf"(?:\[(?P<ip6>[0-9A-Fa-f:.]+)\]|{_OCTET}(?:\.{_OCTET}){{3}}|(?:[{_UNRESERVED}{_SUB}]|{_PCT})*)"
_AUTHORITY = rf"(?:(?:[{_UNRESERVED}{_SUB}:]|{_PCT})*@)?{_HOST}(?::\d*)?"
_PATH = (
    rf"(?://{_AUTHORITY}(?:/{_PCHAR}*)*|/(?:{_PCHAR}+(?:/{_PCHAR}*)*)?|{_PCHAR}+(?:/{_PCHAR}*)*|)"
)
URI = re.compile(
    rf"[A-Za-z][A-Za-z0-9+\-.]*:{_PATH}(?:\?(?:{_PCHAR}|[/?])*)?(?:#(?:{_PCHAR}|[/?])*)?"
)  # RFC 3986 §3 (appendix A): URI = scheme ":" hier-part [ "?" query ] [ "#" fragment ]
DATE_TIME = re.compile(  # RFC 3339 §5.6 date-time: full date, full time, an offset
    r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})"
)


def is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    match = URI.fullmatch(value)
    if match is None:
        return False
    if match.group("ip6"):
        ipaddress.IPv6Address(match.group("ip6"))  # raises ValueError if it is none
    return True


def is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not DATE_TIME.fullmatch(value):
        return False
    datetime.fromisoformat(value.upper().replace("Z", "+00:00"))  # a real date, or ValueError
    return True


FORMATS = jsonschema.FormatChecker(formats=())
FORMATS.checks("uri", raises=ValueError)(is_uri)
FORMATS.checks("date-time", raises=ValueError)(is_date_time)


@cache
def validator(version: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((SCHEMAS / f"ninjs-schema_{version}.json").read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=FORMATS)


def errors(doc: Any, version: str = "3.1") -> list[str]:
    return sorted(
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator(version).iter_errors(doc)
    )


def ninjs(article: Article, options: Options | None = None) -> dict[str, Any]:
    """The document as a receiver reads it: the rendered bytes, decoded."""
    data = render("ninjs", [article], options or Options())
    assert data.endswith(b"\n") and not data.endswith(b"\n\n")
    doc: dict[str, Any] = json.loads(data.decode("utf-8"))
    return doc


def walk(value: Any, path: str = "") -> list[tuple[str, Any]]:
    """Every (path, value) of a JSON document, containers included."""
    out = [(path, value)]
    if isinstance(value, dict):
        for key, item in value.items():
            out += walk(item, f"{path}/{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            out += walk(item, f"{path}/{i}")
    return out


def empties(doc: Any) -> list[str]:
    """Paths of what ninjs must never be given: nulls, empty strings, empty arrays/objects."""
    return [path for path, value in walk(doc) if value in (None, "", [], {})]


def realworld() -> list[Article]:
    files = sorted((REALWORLD / "corpus").glob("*.jsonl"))
    assert files, f"the real-world corpus is missing: {REALWORLD} (set CONVERTER_REALWORLD)"
    return [
        parse_article(json.loads(line), str(f), f"line {n}", Options())
        for f in files
        for n, line in enumerate(f.read_text("utf-8").splitlines(), 1)
        if line.strip()
    ]


@pytest.fixture(scope="module")
def samples() -> dict[str, Article]:
    out: dict[str, Article] = {}
    for a in sample_articles():  # the newer copy of the duplicate wins, as in a run
        if a.id not in out or (a.modified or a.updated) > (out[a.id].modified or out[a.id].updated):  # type: ignore[operator]
            out[a.id] = a
    return out


# --- the validators themselves can fail -----------------------------------------------------


@pytest.mark.parametrize("version", ["3.1", "2.1"])
def test_the_schemas_are_valid_json_schema_2020_12(version: str) -> None:
    assert validator(version).schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"uri": "https://example.com/a b"}, "uri: 'https://example.com/a b' is not a 'uri'"),
        ({"uri": "/relative/path"}, "uri: '/relative/path' is not a 'uri'"),
        ({"uri": "https://[not-ip6]/"}, "uri: 'https://[not-ip6]/' is not a 'uri'"),
        (
            {"firstCreated": "2025-01-27 10:00:00"},
            "firstCreated: '2025-01-27 10:00:00' is not a 'date-time'",
        ),
        (
            {"firstCreated": "2025-01-27T10:00:00"},
            "firstCreated: '2025-01-27T10:00:00' is not a 'date-time'",
        ),
        (
            {"firstCreated": "2025-02-30T10:00:00+02:00"},
            "firstCreated: '2025-02-30T10:00:00+02:00' is not a 'date-time'",
        ),
        (
            {"pubStatus": "draft"},
            "pubStatus: 'draft' is not one of ['usable', 'withheld', 'canceled']",
        ),
        ({"headline": "x"}, ": Unevaluated properties are not allowed ('headline' was unexpected)"),
        (
            {"people": [{"name": "A", "role": "author"}]},
            "people/0: Additional properties are not allowed ('role' was unexpected)",
        ),
        (
            {"associations": [{"uri": "https://example.com/a.jpg"}]},
            "associations/0: 'name' is a required property",
        ),
    ],
)
def test_the_validator_rejects_what_the_schema_forbids(
    change: dict[str, Any], expected: str
) -> None:
    doc = {"uri": "https://example.com/article/1", "firstCreated": "2025-01-27T10:00:00+02:00"}
    assert errors(doc) == []
    assert errors({**doc, **change}) == [expected]


# =============================================================================================
# Every sample and every real-world article is valid


@pytest.mark.parametrize("version", ["3.1", "2.1"])
def test_every_sample_is_valid_ninjs(samples: dict[str, Article], version: str) -> None:
    options = Options(ninjs_version=version)  # type: ignore[arg-type]
    found = [(a.source, a.id, errors(ninjs(a, options), version)) for a in sample_articles()]
    assert len(found) == 21  # 21 records, both copies of the duplicate (14's bad date: a warning)
    assert [f for f in found if f[2]] == []


def test_every_sample_is_valid_with_every_option_set() -> None:
    options = Options(
        base_url=WWW,
        language="af-ZA",
        copyright_holder="Daily Maverick",
        copyright_notice="© 2025 Daily Maverick",
        usage_terms="Republish with credit and a link.",
    )
    for a in sample_articles(options):
        assert errors(ninjs(a, options)) == [], a.id


@pytest.mark.parametrize("version", ["3.1", "2.1"])
def test_every_realworld_article_is_valid_ninjs(version: str) -> None:
    options = Options(ninjs_version=version)  # type: ignore[arg-type]
    articles = realworld()
    assert len(articles) > 300
    found = {f"{a.source}: {a.position}": errors(ninjs(a, options), version) for a in articles}
    assert {k: v[:3] for k, v in found.items() if v} == {}


def test_nothing_empty_or_null_is_ever_written(samples: dict[str, Article]) -> None:
    for a in [*samples.values(), *realworld()]:
        assert empties(ninjs(a)) == [], a.id


# =============================================================================================
# (article field → ninjs property)

RECORD: dict[str, Any] = {
    "id": "900100",
    "status": "publish",
    "url": f"{STAGING}/article/2025-01-27-ninjs-mapping/",
    "slug": "ninjs-mapping",
    "title": "The headline",
    "firstPublished": "2025-01-27 10:00:00",
    "lastUpdate": "2025-01-27 11:30:05",
    "contents": "<p>First paragraph.</p>",
}


def build(changes: dict[str, Any] | None = None, options: Options | None = None) -> dict[str, Any]:
    record = {k: v for k, v in {**RECORD, **(changes or {})}.items() if v is not None}
    options = options or Options()
    doc = ninjs(parse_article(record, "mapping.json", "record 1", options), options)
    assert errors(doc) == []
    return doc


@pytest.mark.parametrize(
    ("changes", "prop", "expected"),
    [
        # identity and the standard
        ({}, "uri", f"{STAGING}/article/2025-01-27-ninjs-mapping/"),
        (
            {},
            "standard",
            {
                "name": "ninjs",
                "version": "3.1",
                "schema": "http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json#",
            },
        ),
        ({}, "type", "text"),
        ({}, "altIds", [{"role": "internal", "value": "900100"}]),
        ({}, "slugline", "ninjs-mapping"),
        (
            {"url": None, "shorturl": f"{STAGING}/article/900100"},
            "uri",
            f"{STAGING}/article/900100",
        ),
        # dates: RFC 3339 with the offset of --timezone (Africa/Johannesburg by default)
        ({}, "version", "20250127113005"),
        ({"lastUpdate": None}, "version", "20250127100000"),
        ({}, "firstCreated", "2025-01-27T10:00:00+02:00"),
        ({}, "versionCreated", "2025-01-27T11:30:05+02:00"),
        ({"lastUpdate": "2025-01-27 08:00:00"}, "versionCreated", "2025-01-27T10:00:00+02:00"),
        ({"lastUpdate": "2025-01-27 08:00:00"}, "embargoedUntil", "2025-01-27T10:00:00+02:00"),
        ({"lastUpdate": "2025-01-27 08:00:00"}, "version", "20250127080000"),
        # status
        ({}, "pubStatus", "usable"),
        ({"status": "draft"}, "pubStatus", "withheld"),
        ({"status": "pending"}, "pubStatus", "withheld"),
        ({"status": "private"}, "pubStatus", "withheld"),
        ({"status": "future"}, "pubStatus", "withheld"),
        ({"status": "trash"}, "pubStatus", "canceled"),
        ({}, "representationType", "full"),
        ({"access_control": True}, "representationType", "full"),
        ({"access_allowed": False}, "representationType", "partial"),
        # text
        ({}, "language", "en"),
        ({}, "headlines", [{"role": "main", "contentType": "text/plain", "value": "The headline"}]),
        (
            {"title": "A <b>bold</b> &amp; headline"},
            "headlines",
            [{"role": "main", "contentType": "text/plain", "value": "A bold & headline"}],
        ),
        (
            {"teaser": "The headline"},
            "headlines",
            [{"role": "main", "contentType": "text/plain", "value": "The headline"}],
        ),
        (
            {"teaser": "Short one", "description": "The standfirst."},
            "headlines",
            [
                {"role": "main", "contentType": "text/plain", "value": "The headline"},
                {"role": "teaser", "contentType": "text/plain", "value": "Short one"},
                {"role": "subhead", "contentType": "text/plain", "value": "The standfirst."},
            ],
        ),
        (
            {"summary": "In short."},
            "descriptions",
            [{"role": "summary", "contentType": "text/plain", "value": "In short."}],
        ),
        (
            {"summary": "In short.", "short_summary": "Shorter."},
            "descriptions",
            [
                {"role": "summary", "contentType": "text/plain", "value": "In short."},
                {"role": "short", "contentType": "text/plain", "value": "Shorter."},
            ],
        ),
        (
            {},
            "bodies",
            [{"role": "main", "contentType": "text/html", "value": "<p>First paragraph.</p>"}],
        ),
        # people
        ({"authors": [{"name": "Ann Ndlovu"}]}, "by", "Ann Ndlovu"),
        ({"authors": [{"name": "Ann"}, {"name": "Ben"}]}, "by", "Ann and Ben"),
        (
            {"authors": [{"name": "Ann"}, {"name": "Ben"}, {"name": "Cas"}]},
            "by",
            "Ann, Ben and Cas",
        ),
        (
            {"authors": [{"name": "Ann", "url": f"{STAGING}/author/ann/"}, {"name": "Reuters"}]},
            "people",
            [
                {"name": "Ann", "rel": "author", "uri": f"{STAGING}/author/ann/"},
                {"name": "Reuters", "rel": "author"},
            ],
        ),
        # subjects: the publisher's sections, then its keywords
        (
            {
                "categories": [
                    {
                        "name": "Business Maverick",
                        "slug": "business-maverick",
                        "url": f"{STAGING}/section/business-maverick/",
                    },
                    {"name": "South Africa"},
                ],
                "keywords": [
                    {
                        "type": "Keyword",
                        "data": {"name": "Eskom", "url": f"{STAGING}/keyword/eskom/"},
                    }
                ],
            },
            "subjects",
            [
                {
                    "name": "Business Maverick",
                    "rel": "section",
                    "uri": f"{STAGING}/section/business-maverick/",
                },
                {"name": "South Africa", "rel": "section"},
                {"name": "Eskom", "rel": "keyword", "uri": f"{STAGING}/keyword/eskom/"},
            ],
        ),
    ],
)
def test_article_field_to_ninjs_property(changes: dict[str, Any], prop: str, expected: Any) -> None:
    assert build(changes)[prop] == expected


@pytest.mark.parametrize(
    ("changes", "absent"),
    [
        (
            {},
            {
                "descriptions",
                "embargoedUntil",
                "contentCreated",
                "by",
                "people",
                "subjects",
                "associations",
                "copyrightHolder",
                "copyrightNotice",
                "usageTerms",
                "rightsInfo",
            },
        ),
        ({"summary": "", "short_summary": None, "description": ""}, {"descriptions"}),
        ({"contents": "", "title": "Title only"}, {"bodies"}),
        (
            {"firstPublished": None, "lastUpdate": None},
            {"version", "firstCreated", "versionCreated", "embargoedUntil"},
        ),
        ({"lastUpdate": "2025-01-27 10:00:00"}, {"embargoedUntil"}),  # not scheduled: same time
        ({"slug": "", "url": f"{STAGING}/"}, {"slugline"}),
        ({"teaser": "The headline"}, {"teaser"}),
    ],
)
def test_unknown_properties_are_left_out(changes: dict[str, Any], absent: set[str]) -> None:
    doc = build(changes)
    roles = {h.get("role") for h in doc.get("headlines", [])}
    assert absent.isdisjoint({*doc, *roles})


def test_options_give_the_rights_statements_and_the_language() -> None:
    options = Options(
        language="af-ZA",
        copyright_holder="Daily Maverick",
        copyright_notice=" © 2025 Daily Maverick ",
        usage_terms="Republish with credit.",
    )
    doc = build(options=options)
    assert (doc["language"], doc["copyrightHolder"], doc["copyrightNotice"], doc["usageTerms"]) == (
        "af-ZA",
        "Daily Maverick",
        "© 2025 Daily Maverick",
        "Republish with credit.",
    )
    assert not {"copyrightHolder", "copyrightNotice", "usageTerms"} & set(
        build(options=Options(copyright_holder="  "))
    )


def test_dates_follow_the_time_zone_option() -> None:
    doc = build(options=Options(timezone="UTC"))
    assert (doc["firstCreated"], doc["versionCreated"]) == (
        "2025-01-27T10:00:00+00:00",
        "2025-01-27T11:30:05+00:00",
    )
    assert doc["version"] == "20250127113005"  # the CMS's own digits, whatever the zone


TEXT = st.text(st.characters(codec="utf-8"), max_size=30)
URLS = st.one_of(
    TEXT,
    st.builds(lambda path: f"https://www.dailymaverick.co.za/{path}", TEXT),
    st.sampled_from(
        [
            "",
            "javascript:alert(1)",
            "//cdn.example.com/a b.jpg",
            "https://[::1]/x",
            "https://ex ample.com/",
            "http://xn--n3h.example/☃.png?q=a b#f#g",
        ]
    ),
)
DATES = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "",
            "0000-00-00 00:00:00",
            "2025-01-27",
            "2025-01-27T10:00:00Z",
            "2024-02-29 23:59:59+05:30",
        ]
    ),
    st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2199, 12, 30)).map(str),
)
RECORDS = st.fixed_dictionaries(
    {
        "id": st.one_of(st.integers(1, 10**12), TEXT.filter(str.strip)),
        "title": TEXT.filter(str.strip),
        "contents": st.lists(
            st.one_of(
                TEXT,
                st.builds(
                    lambda u, w, h, a: (
                        f'<figure><img src="{u}" width="{w}" height="{h}" alt="{a}"><figcaption>{a}</figcaption></figure>'
                    ),
                    URLS,
                    TEXT,
                    TEXT,
                    TEXT,
                ),
            ),
            max_size=4,
        ).map("".join),
    },
    optional={
        "status": st.sampled_from(
            ["publish", "draft", "future", "trash", "pending", "PUBLISH", ""]
        ),
        "url": URLS,
        "teaser": TEXT,
        "summary": st.one_of(st.none(), TEXT),
        "description": TEXT,
        "short_summary": st.one_of(st.none(), TEXT),
        "firstPublished": DATES,
        "lastUpdate": DATES,
        "access_allowed": st.sampled_from([True, False, "0", "1", None]),
        "authors": st.lists(st.fixed_dictionaries({"name": TEXT, "url": URLS}), max_size=3),
        "categories": st.lists(
            st.fixed_dictionaries({"name": TEXT, "url": URLS, "slug": TEXT}), max_size=3
        ),
        "keywords": st.lists(
            st.fixed_dictionaries({"data": st.fixed_dictionaries({"name": TEXT, "url": URLS})}),
            max_size=3,
        ),
        "attachments": st.lists(
            st.fixed_dictionaries(
                {
                    "url": URLS,
                    "name": TEXT,
                    "description": TEXT,
                    "width": st.one_of(st.integers(-5, 10**25), TEXT),
                },
                optional={
                    "transforms": st.lists(
                        st.fixed_dictionaries(
                            {
                                "x": st.one_of(st.integers(-1, 5000).map(str), TEXT),
                                "y": st.integers(-1, 5000).map(str),
                                "url": URLS,
                            }
                        ),
                        max_size=3,
                    ),
                    "url_highres": URLS,
                },
            ),
            max_size=2,
        ),
    },
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record=RECORDS, version=st.sampled_from(["3.1", "2.1"]))
def test_any_record_gives_a_valid_document(record: dict[str, Any], version: str) -> None:
    options = Options(ninjs_version=version)  # type: ignore[arg-type]
    try:
        article = parse_article(record, "generated.json", "record 1", options)
    except InputError:
        return  # reported as a bad record, never rendered
    doc = ninjs(article, options)
    assert errors(doc, version) == []
    assert empties(doc) == []


# =============================================================================================
# The samples: status, paywall, scheduled posts, --base-url


def test_a_draft_is_withheld_and_published_articles_are_usable(samples: dict[str, Article]) -> None:
    statuses = {a.id: ninjs(a)["pubStatus"] for a in samples.values()}
    assert statuses.pop(DRAFT_ID) == "withheld"
    assert set(statuses.values()) == {"usable"}


def test_a_paywalled_article_keeps_the_body_it_has_as_the_html_page_does(
    samples: dict[str, Article],
) -> None:
    """Per-article formats (html, markdown, ninjs) carry the body the CMS gave; the public feeds
    are where --paywall applies. The CMS cut this body (access not granted): "partial"."""
    article = samples[PAYWALLED_ID]
    doc = ninjs(article)
    assert doc["bodies"][0]["value"] == article.body
    assert doc["representationType"] == "partial"
    assert article.body.split("</p>")[0] in render("html", [article], Options()).decode()
    assert {ninjs(a)["representationType"] for a in samples.values() if a.id != PAYWALLED_ID} == {
        "full"
    }


def test_only_the_scheduled_posts_are_embargoed_until_their_publication(
    samples: dict[str, Article],
) -> None:
    embargoed = {a.id: ninjs(a).get("embargoedUntil") for a in samples.values()}
    assert {k: v for k, v in embargoed.items() if v} == {
        SCHEDULED_ID: "2018-08-17T21:04:37+02:00",
        "2205601": "2024-05-11T09:00:00+02:00",
    }


def test_base_url_rewrites_every_staging_url(samples: dict[str, Article]) -> None:
    options = Options(base_url=WWW)
    staging = [
        (a.id, path)
        for a in sample_articles(options)
        for path, value in walk(ninjs(a, options))
        if isinstance(value, str) and "staging.dailymaverick" in value
    ]
    assert staging == []
    assert any("staging.dailymaverick" in json.dumps(ninjs(a)) for a in samples.values())
    hostile = next(a for a in sample_articles(options) if a.id == "2599013")
    assert ninjs(hostile, options)["associations"][1]["uri"].startswith(WWW + "/article/")


# =============================================================================================
# Images


def raw_record(article_id: str) -> dict[str, Any]:
    """A sample's record as written (not through the model)."""
    for path in sorted(SAMPLES.iterdir()):
        if path.suffix not in (".json", ".jsonl", ".txt") or "14-invalid" in path.name:
            continue
        text = path.read_text("utf-8-sig")
        text = text.split("\n", 1)[1] if text.startswith("All Article Properties") else text
        values = (
            [json.loads(x) for x in text.splitlines() if x.strip()]
            if path.suffix == ".jsonl"
            else [json.loads(text)]
        )
        for value in values:
            value = value.get("data", value) if isinstance(value, dict) else value
            for record in value if isinstance(value, list) else [value]:
                if record["id"] == article_id:
                    return dict(record)
    raise KeyError(article_id)


@pytest.mark.parametrize("article_id", [SEED_ID, PAYWALLED_ID, DRAFT_ID, CAPTIONS_ID, GALLERY_ID])
def test_the_lead_image_has_one_rendition_per_transform(
    samples: dict[str, Article], article_id: str
) -> None:
    attachment = raw_record(article_id)["attachments"][0]
    lead = ninjs(samples[article_id])["associations"][0]
    assert (lead["name"], lead["type"], lead["uri"]) == ("lead-image", "picture", attachment["url"])
    expected = [
        {
            "href": t["url"],
            "width": int(t["x"]),
            **({"height": int(t["y"])} if int(t["y"]) else {}),  # Wx0: proportional, height unknown
            "contentType": "image/jpeg",
        }
        for t in attachment["transforms"]
    ]
    assert [{k: v for k, v in r.items() if k != "name"} for r in lead["renditions"]] == expected
    assert [r["name"] for r in lead["renditions"]] == ["200x100", "450w", "800w", "1200w", "1600w"]


def test_without_transforms_the_upload_is_the_one_rendition(samples: dict[str, Article]) -> None:
    attachment = raw_record(OLD_IMAGE_ID)["attachments"][0]
    assert "transforms" not in attachment
    lead = ninjs(samples[OLD_IMAGE_ID])["associations"][0]
    assert lead["renditions"] == [
        {
            "name": "original",
            "href": attachment["url"],
            "contentType": "image/jpeg",
            "width": attachment["width"],
            "height": attachment["height"],
        }
    ]


def test_caption_and_credit_describe_the_picture(samples: dict[str, Article]) -> None:
    attachment = raw_record(CAPTIONS_ID)["attachments"][0]
    assert ninjs(samples[CAPTIONS_ID])["associations"][0]["descriptions"] == [
        {"role": "caption", "contentType": "text/plain", "value": attachment["name"]},
        {"role": "credit", "contentType": "text/plain", "value": attachment["description"]},
    ]
    draft = ninjs(samples[DRAFT_ID])["associations"][0]  # name empty, credit set
    assert [d["role"] for d in draft["descriptions"]] == ["credit"]
    assert "descriptions" not in ninjs(samples["2205601"])["associations"][0]  # both empty


def test_body_pictures_are_associated_once_with_their_box_and_caption(
    samples: dict[str, Article],
) -> None:
    doc = ninjs(samples[CAPTIONS_ID])
    body = [a for a in doc["associations"] if a["name"] != "lead-image"]
    assert [a["name"] for a in body] == [
        "body-image-1",
        "body-image-2",
        "body-image-3",
        "body-image-4",
    ]
    assert body[0]["renditions"] == [
        {
            "name": "inline",
            "href": f"{WWW}/wp-content/uploads/2023/09/knysna-seahorse-300x200.jpg",
            "contentType": "image/jpeg",
            "width": 300,
            "height": 200,
        }
    ]
    assert body[0]["descriptions"] == [  # the alt text repeats the caption: once
        {
            "role": "caption",
            "contentType": "text/plain",
            "value": "A Knysna seahorse (Hippocampus capensis) photographed during the September survey. (Photo: Knysna Basin Project / Ruan Pretorius)",
        }
    ]
    assert body[1]["descriptions"][1] == {
        "role": "alt",
        "contentType": "text/plain",
        "value": "Volunteer divers prepare for a survey dive",
    }
    assert "descriptions" not in body[3]  # no caption, empty alt


def test_the_lead_picture_opening_the_body_is_not_repeated(samples: dict[str, Article]) -> None:
    article = samples[GALLERY_ID]
    assert article.image is not None and "ED_549540-1-scaled.jpg" in article.image.url
    assert "ED_549540-1-scaled.jpg" in article.body
    uris = [a["uri"] for a in ninjs(article)["associations"]]
    assert sum("ED_549540-1-scaled" in u for u in uris) == 1
    assert len(uris) == len(set(uris)) == 1 + article.body.count("<img") - 1


def test_an_article_without_pictures_has_no_associations(samples: dict[str, Article]) -> None:
    article = samples[NO_IMAGE_ID]
    assert article.image is None and "<img" not in article.body
    assert "associations" not in ninjs(article)


def test_body_images_without_a_web_url_or_inside_embeds_are_not_pictures() -> None:
    contents = (
        '<p><img src="https://example.com/a.png" width="20px" height="auto"></p>'
        '<p><img src="https://example.com/a.png"></p>'  # the same picture again
        '[video src="https://example.com/v.mp4" poster="https://example.com/poster.jpg"]'
        '<p><img src="mailto:x@example.com"></p>'
    )
    doc = build({"contents": contents})
    assert doc["associations"] == [
        {
            "name": "body-image-1",
            "uri": "https://example.com/a.png",
            "type": "picture",
            "renditions": [
                {
                    "name": "inline",
                    "href": "https://example.com/a.png",
                    "contentType": "image/png",
                    "width": 20,
                }
            ],
        }
    ]


def test_a_size_no_image_has_is_left_out() -> None:
    huge = "99999999999999999999999"
    attachment = {
        "url": "https://example.com/b.jpg",
        "width": huge,
        "height": 10,
        "transforms": [{"x": huge, "y": "0", "url": "https://example.com/c.jpg"}],
    }
    lead = build({"attachments": [attachment]})["associations"][0]
    assert lead["renditions"] == [
        {"name": f"{huge}w", "href": "https://example.com/c.jpg", "contentType": "image/jpeg"}
    ]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://dmcdn.whitebeard.net/i/sig=/800x0/smart/filters:strip_exif()/file/dm/wp-content/uploads/2025/01/a.jpg",
            "image/jpeg",
        ),
        (
            "https://dmcdn.whitebeard.net/i/sig=/800x0/filters:strip_exif():format(webp)/file/dm/wp-content/uploads/a.jpg",
            "image/webp",
        ),
        ("https://dmcdn.whitebeard.net/i/sig=/800x0/filters:format(AVIF)/file/a.png", "image/avif"),
        ("https://example.com/a.JPEG?w=800", "image/jpeg"),
        ("https://example.com/a.png#x", "image/png"),
        ("https://example.com/a.gif", "image/gif"),
        ("https://example.com/a.svg", "image/svg+xml"),
        ("https://example.com/photo", ""),
        ("https://example.com/a.jpg/", ""),
        ("https://example.com/dir.v2/photo", ""),
        ("https://example.com/a.xyz", ""),
    ],
)
def test_content_type_comes_from_the_format_filter_or_the_extension(
    url: str, expected: str
) -> None:
    assert media_type(url) == expected


# =============================================================================================
# The body, ninjs 2.1, determinism, the registry


def visible_text(tree: Any) -> str:
    return "".join(tree.itertext())


def test_the_body_round_trips(samples: dict[str, Article]) -> None:
    for a in [*samples.values(), *realworld()[:120]]:
        doc = ninjs(a)
        if not a.body.strip():
            assert "bodies" not in doc
            continue
        (body,) = doc["bodies"]
        assert (body["role"], body["contentType"]) == ("main", "text/html")
        fragment = html5lib.parseFragment(
            body["value"], treebuilder="etree", namespaceHTMLElements=False
        )
        html5_text = visible_text(fragment)
        assert html5_text == visible_text(parse(a.body)), a.id
        assert html5_text.strip(), a.id


def test_ninjs_2_1_uses_the_lower_case_names(samples: dict[str, Article]) -> None:
    options = Options(ninjs_version="2.1", copyright_notice="© DM")
    doc = ninjs(samples[SCHEDULED_ID], options)
    assert doc["standard"] == {
        "name": "ninjs",
        "version": "2.1",
        "schema": "http://www.iptc.org/std/ninjs/ninjs-schema_2.1.json#",
    }
    assert {
        "firstcreated",
        "versioncreated",
        "pubstatus",
        "embargoed",
        "representationtype",
        "altids",
        "copyrightnotice",
    } <= set(doc)
    assert doc["headlines"][0]["contenttype"] == "text/plain"
    assert doc["associations"][0]["renditions"][1]["contenttype"] == "image/jpeg"
    keys = {
        path.rsplit("/", 1)[1]
        for path, _ in walk(doc)
        if path and not path.rsplit("/", 1)[1].isdigit()
    }
    assert all(k == k.lower() for k in keys)
    same = document(samples[SCHEDULED_ID], Options(copyright_notice="© DM"))
    assert doc["embargoed"] == same["embargoedUntil"] and doc["headlines"] == [
        {k.lower(): v for k, v in h.items()} for h in same["headlines"]
    ]


def test_an_unknown_ninjs_version_is_a_usage_error(samples: dict[str, Article]) -> None:
    # refused where the options are made (options.check), before anything is rendered
    with pytest.raises(UsageError, match=r"ninjs_version must be one of 3\.1, 2\.1, not '1\.0'"):
        Options(ninjs_version="1.0")  # type: ignore[arg-type]


def test_same_input_same_bytes_and_no_clock(samples: dict[str, Article]) -> None:
    for a in samples.values():
        first = render("ninjs", [a], Options())
        assert render("ninjs", [a], Options(now=datetime(2100, 1, 1).astimezone())) == first
        assert first == render("ninjs", [a], Options())
        text = first.decode("utf-8")  # UTF-8, not \u escapes, two-space indentation
        assert "\\u20" not in text and text.startswith('{\n  "uri": ')
    seed = render("ninjs", [samples[SEED_ID]], Options())
    assert list(json.loads(seed))[:6] == [
        "uri",
        "standard",
        "type",
        "representationType",
        "version",
        "firstCreated",
    ]


def test_the_registry_has_ninjs_as_a_per_article_json_format(tmp_path: Path) -> None:
    adapter = ADAPTERS["ninjs"]
    assert (adapter.name, adapter.extension, adapter.per_article) == ("ninjs", ".json", True)
    report = convert("ninjs", [str(SAMPLES)], tmp_path, Options())
    assert len(report.converted) == 20 and not report.failed  # samples/README.md
    files = sorted(tmp_path.glob("*.json"))
    assert len(files) == 20
    docs = [json.loads(f.read_text("utf-8")) for f in files]
    assert all(errors(d) == [] for d in docs)
    assert {d["altIds"][0]["value"] for d in docs} == set(report.converted)
