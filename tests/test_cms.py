"""CMS record → Article (converter/cms.py), table by table after source-format.md §2–§3."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from converter.cms import parse_article
from converter.errors import InputError
from converter.model import Article, Author, Image, Rendition, Term
from converter.options import Options

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
STAGING = "https://staging.dailymaverick.co.za"
WWW = "https://www.dailymaverick.co.za"
CDN = "https://dmcdn.whitebeard.net"
SIG = "pbF9sX5mxOIJQit2gfXQVW9dL18="


def parse(options: Options | None = None, /, **fields: Any) -> Article:
    """A minimal valid record (id + title) with ``fields`` on top."""
    record: dict[str, Any] = {"id": "42", "title": "A title"}
    record.update(fields)
    record = {k: v for k, v in record.items() if v is not _DROP}
    return parse_article(record, "in.json", "item 2", options or Options())


def error_of(options: Options | None = None, /, **fields: Any) -> InputError:
    with pytest.raises(InputError) as info:
        parse(options, **fields)
    return info.value


_DROP = object()  # parse(title=_DROP) removes the key


def seed() -> dict[str, Any]:
    text = (SAMPLES / "01-seed.txt").read_text(encoding="utf-8")
    return json.loads(text.partition("\n")[2])


def transform(x: str, y: str) -> dict[str, str]:
    return {"x": x, "y": y, "url": f"{CDN}/i/{SIG}/{x}x{y}/smart/file/a.jpg"}


def t_url(x: int, y: int) -> str:
    return f"{CDN}/i/{SIG}/{x}x{y}/smart/file/a.jpg"


# ---------------------------------------------------------------------------------------------
# Identity


@pytest.mark.parametrize(
    ("raw_id", "expected"),
    [
        ("2563086", "2563086"),
        (2563086, "2563086"),
        (" 71834 ", "71834"),
        (0, "0"),
    ],
    ids=["string", "int", "padded-string", "int-zero"],
)
def test_id_is_a_string(raw_id: Any, expected: str) -> None:
    assert parse(id=raw_id).id == expected


@pytest.mark.parametrize(
    "raw_id",
    [_DROP, None, "", "   ", True, [1], {"id": 1}],
    ids=["missing", "null", "empty", "blank", "bool", "list", "dict"],
)
def test_unusable_id_is_an_error_on_field_id(raw_id: Any) -> None:
    err = error_of(id=raw_id)
    assert err.field == "id"
    assert err.source == "in.json"
    assert err.position == "item 2"
    assert "field id" in str(err)


@pytest.mark.parametrize(
    "record",
    [[{"id": "1"}], "text", 42, None],
    ids=["array", "string", "number", "null"],
)
def test_record_that_is_not_an_object_is_an_error(record: Any) -> None:
    with pytest.raises(InputError) as info:
        parse_article(record, "in.json", "line 3", Options())
    assert info.value.source == "in.json"
    assert info.value.position == "line 3"


@pytest.mark.parametrize(
    "fields",
    [
        {"title": _DROP},
        {"title": "", "contents": ""},
        {"title": None, "contents": None},
        {"title": "   ", "contents": " \r\n "},
        {"title": "<b></b>", "contents": ""},
    ],
    ids=["no-keys", "both-empty", "both-null", "both-blank", "title-only-markup"],
)
def test_neither_title_nor_contents_is_an_error_on_title(fields: dict[str, Any]) -> None:
    err = error_of(**fields)
    assert err.field == "title"
    assert err.article_id == "42"


@pytest.mark.parametrize(
    "contents",
    [["<p>x</p>"], {"html": "<p>x</p>"}, 12, True],
    ids=["list", "dict", "int", "bool"],
)
def test_contents_that_is_not_a_string_is_an_error(contents: Any) -> None:
    err = error_of(contents=contents)
    assert err.field == "contents"
    assert "article 42" in str(err)


def test_contents_without_title_is_fine() -> None:
    article = parse(title=_DROP, contents="<p>Body only</p>")
    assert article.id == "42"
    assert article.title  # something to show; never empty
    assert "Body only" in article.body


def test_title_falls_back_to_teaser() -> None:
    assert parse(title="", teaser="The teaser").title == "The teaser"


# ---------------------------------------------------------------------------------------------
# Text fields


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("How China can keep pace", "How China can keep pace"),
        ("<b>x</b> &amp; y", "x & y"),
        (
            "Council\u0001 <b>approves</b> budget &amp; tariffs\u0008\u000b\u001f",
            "Council approves budget & tariffs",
        ),
        ("Tab\tand\nnewline", "Tab and newline"),
        ("Q&A: AT&T", "Q&A: AT&T"),
        ("2 &lt; 3", "2 < 3"),
        ("<script>alert(1)</script>Safe", "Safe"),
        ("Transnet’s “shortlist”", "Transnet’s “shortlist”"),
        ("Line one<br>Line two", "Line one Line two"),
    ],
    ids=[
        "plain",
        "markup-and-entity",
        "control-characters",
        "whitespace-collapsed",
        "bare-ampersands",
        "escaped-lt",
        "script-dropped",
        "curly-quotes-kept",
        "br-is-a-space",
    ],
)
def test_title_is_plain_text(title: str, expected: str) -> None:
    assert parse(title=title).title == expected


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1f", "\ufffe"])
def test_control_characters_never_reach_the_title(char: str) -> None:
    assert parse(title=f"Water{char} budget").title == "Water budget"


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"summary": "The summary.", "description": "The standfirst."}, "The summary."),
        ({"summary": None, "description": "The standfirst."}, "The standfirst."),
        ({"summary": "", "description": "", "short_summary": "Short."}, "Short."),
        ({"summary": "<p>Marked <em>up</em></p>"}, "Marked up"),
        (
            {
                "summary": None,
                "description": "",
                "seo": {
                    "search_description": 'Seo search text <a class="tex',
                    "social_description": "Seo social text",
                },
            },
            "",
        ),
    ],
    ids=[
        "summary-first",
        "description-when-summary-null",
        "short-summary-last",
        "plain-text",
        "seo-never",
    ],
)
def test_standfirst(fields: dict[str, Any], expected: str) -> None:
    assert parse(**fields).standfirst == expected


def test_seo_descriptions_are_never_used_anywhere() -> None:
    seo_text = "SEO-ONLY-TEXT"
    article = parse(
        summary=None,
        description="",
        contents="<p>Body</p>",
        seo={"search_description": seo_text, "social_description": seo_text, "search_title": "T"},
    )
    assert seo_text not in repr(article)


def test_unknown_keys_are_ignored() -> None:
    base = {"contents": "<p>Body</p>", "status": "publish"}
    extra = {
        "dm-key-theme": [{"weird": 1}],
        "dm-user-need": "x",
        "elements": [{"type": "mystery", "data": [1, 2]}],
        "related": "not a list",
        "options": {"a": None},
        "inline_attachments": [None, 3],
        "access_groups": [],
        "time_to_read": "7",
        "sponsor": {"name": "S"},
    }
    assert parse(**base, **extra) == parse(**base)


@pytest.mark.parametrize(
    ("status", "expected"),
    [("publish", "publish"), ("Publish", "publish"), ("DRAFT", "draft"), (" future ", "future")],
    ids=["publish", "capitalised", "upper", "padded"],
)
def test_status_is_lowercased(status: str, expected: str) -> None:
    assert parse(status=status).status == expected


# ---------------------------------------------------------------------------------------------
# Flags: integers may be strings (§1.1: "all integer or numeric values are provided inside strings")


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, False), (1, True), ("0", False), ("1", True), (None, False), ("", False), (True, True)],
    ids=["int-0", "int-1", "str-0", "str-1", "null", "empty", "bool"],
)
def test_noindex_from_excluded_from_google(value: Any, expected: bool) -> None:
    assert parse(excludedFromGoogleSearchEngine=value).noindex is expected


@pytest.mark.parametrize(
    ("fields", "access_control", "access_allowed", "paywalled"),
    [
        ({"access_control": False, "access_allowed": True}, False, True, False),
        ({}, False, True, False),
        ({"access_control": True, "access_allowed": True}, True, True, True),
        ({"access_control": False, "access_allowed": False}, False, False, True),
        ({"access_control": "1", "access_allowed": "0"}, True, False, True),
        ({"access_control": "0", "access_allowed": "1"}, False, True, False),
    ],
    ids=["open", "absent", "access-control", "not-allowed", "strings-restricted", "strings-open"],
)
def test_access_flags(
    fields: dict[str, Any], access_control: bool, access_allowed: bool, paywalled: bool
) -> None:
    article = parse(**fields)
    assert article.access_control is access_control
    assert article.access_allowed is access_allowed
    assert article.paywalled is paywalled


# ---------------------------------------------------------------------------------------------
# Dates (§3): naive = Africa/Johannesburg by default, configurable


@pytest.mark.parametrize(
    ("value", "options", "expected"),
    [
        ("2025-01-27 05:21:59", Options(), "2025-01-27T05:21:59+02:00"),
        ("2025-01-27 23:40:00", Options(), "2025-01-27T23:40:00+02:00"),
        ("2025-01-27 05:21:59", Options(timezone="UTC"), "2025-01-27T05:21:59+00:00"),
        ("2025-01-27T05:21:59+01:00", Options(), "2025-01-27T05:21:59+01:00"),
        ("2025-01-27T05:21:59Z", Options(), "2025-01-27T05:21:59+00:00"),
        ("2025-01-27 05:21:59+00:00", Options(timezone="UTC"), "2025-01-27T05:21:59+00:00"),
        (" 2025-01-27 05:21:59 ", Options(), "2025-01-27T05:21:59+02:00"),
    ],
    ids=[
        "naive-sast",
        "late-evening",
        "naive-utc-option",
        "offset-kept",
        "z-kept",
        "offset-utc",
        "padded",
    ],
)
def test_published_date(value: str, options: Options, expected: str) -> None:
    published = parse(options, firstPublished=value).published
    assert published is not None
    assert published.tzinfo is not None
    assert published.isoformat() == expected


def test_naive_dates_are_johannesburg_local_time() -> None:
    published = parse(firstPublished="2025-06-01 12:00:00").published
    assert published is not None
    assert published.utcoffset() == timedelta(hours=2)


@pytest.mark.parametrize(
    "value",
    ["0000-00-00 00:00:00", "0000-00-00", "", None],
    ids=["zero-datetime", "zero-date", "empty", "null"],
)
def test_no_date(value: Any) -> None:
    article = parse(firstPublished=value, lastUpdate=value)
    assert article.published is None
    assert article.updated is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("firstPublished", "27/01/2025 around 5am"),
        ("firstPublished", "2025-13-01 00:00:00"),
        ("firstPublished", "2025-02-30 10:00:00"),
        ("firstPublished", 1737948119),
        ("lastUpdate", "yesterday"),
        ("lastUpdate", "2025-01-27 25:00:00"),
    ],
    ids=["words", "month-13", "feb-30", "epoch-number", "last-update-words", "hour-25"],
)
def test_unparseable_date_is_kept_without_it_and_a_warning_names_the_field(
    field: str, value: Any
) -> None:
    good = "2025-01-27 06:00:00"
    other = "lastUpdate" if field == "firstPublished" else "firstPublished"
    article = parse(**{field: value, other: good})
    assert article.unparsed_dates == (field,)
    (warning,) = article.warnings
    assert warning.startswith(f"field {field}: ") and "kept without this date" in warning
    stamp = datetime(2025, 1, 27, 6, tzinfo=ZoneInfo("Africa/Johannesburg"))
    if field == "firstPublished":  # unknown, not guessed from lastUpdate
        assert article.published is None
        assert article.modified == article.updated == stamp
    else:
        assert article.published == article.updated == stamp
        assert article.modified is None


@pytest.mark.parametrize(
    ("field", "value"),
    [("firstPublished", "27/01/2025 around 5am"), ("firstPublished", 1737948119),
     ("lastUpdate", "yesterday"), ("lastUpdate", "2025-01-27 25:00:00")],
    ids=["words", "epoch-number", "last-update-words", "hour-25"],
)  # fmt: skip
def test_unparseable_date_is_an_error_naming_everything_with_strict(field: str, value: Any) -> None:
    err = error_of(Options(strict=True), **{field: value})
    assert err.field == field
    assert err.article_id == "42"
    text = str(err)
    for part in ("in.json", "item 2", "article 42", f"field {field}"):
        assert part in text


def test_sample_14_bad_date_is_kept_without_its_date() -> None:
    record = json.loads((SAMPLES / "14-invalid-bad-date.json").read_text(encoding="utf-8"))
    article = parse_article(record, "samples/14-invalid-bad-date.json", "record 1", Options())
    assert article.published is None and article.unparsed_dates == ("firstPublished",)
    assert article.warnings == (
        "field firstPublished: cannot parse date '27/01/2025 around 5am' (expected YYYY-MM-DD "
        "HH:MM:SS); kept without this date (left out of feeds)",
    )


def test_sample_14_bad_date_is_an_article_error_with_strict() -> None:
    record = json.loads((SAMPLES / "14-invalid-bad-date.json").read_text(encoding="utf-8"))
    with pytest.raises(InputError) as info:
        parse_article(record, "samples/14-invalid-bad-date.json", "record 1", Options(strict=True))
    assert info.value.field == "firstPublished"
    assert "14-invalid-bad-date.json" in str(info.value)
    assert "article 2563201" in str(info.value)


@pytest.mark.parametrize(
    ("first", "last", "published", "updated"),
    [
        (
            "2025-01-27 05:21:59",
            "2025-01-27 05:22:00",
            "2025-01-27T05:21:59",
            "2025-01-27T05:22:00",
        ),
        # scheduled post: lastUpdate earlier than firstPublished (§1.2, sample 03)
        (
            "2018-08-17 21:04:37",
            "2018-08-17 17:05:13",
            "2018-08-17T21:04:37",
            "2018-08-17T21:04:37",
        ),
        (
            "2023-11-13 07:15:00",
            "2023-11-13 07:15:00",
            "2023-11-13T07:15:00",
            "2023-11-13T07:15:00",
        ),
        (_DROP, "2024-05-08 12:44:02", "2024-05-08T12:44:02", "2024-05-08T12:44:02"),
        (
            "0000-00-00 00:00:00",
            "2024-05-08 12:44:02",
            "2024-05-08T12:44:02",
            "2024-05-08T12:44:02",
        ),
        ("2024-05-08 12:10:33", _DROP, "2024-05-08T12:10:33", "2024-05-08T12:10:33"),
    ],
    ids=[
        "edited",
        "scheduled",
        "equal",
        "no-first-published",
        "zero-first-published",
        "no-last-update",
    ],
)
def test_published_and_updated(first: Any, last: Any, published: str, updated: str) -> None:
    article = parse(firstPublished=first, lastUpdate=last)
    assert article.published is not None and article.updated is not None
    assert article.published.replace(tzinfo=None).isoformat() == published
    assert article.updated.replace(tzinfo=None).isoformat() == updated
    assert article.updated >= article.published


def test_modified_keeps_last_update_as_given() -> None:
    article = parse(firstPublished="2018-08-17 21:04:37", lastUpdate="2018-08-17 17:05:13")
    assert article.modified is not None
    assert article.modified.replace(tzinfo=None) == datetime(2018, 8, 17, 17, 5, 13)


def test_updated_with_mixed_offsets_compares_instants() -> None:
    # 05:00+00:00 is 07:00 SAST: later than the naive (SAST) 06:00
    article = parse(firstPublished="2025-01-27 06:00:00", lastUpdate="2025-01-27T05:00:00+00:00")
    assert article.updated is not None
    assert article.updated.isoformat() == "2025-01-27T05:00:00+00:00"


# ---------------------------------------------------------------------------------------------
# URLs: base_url rewrites the staging host (§2.1)


def test_base_url_rewrites_every_staging_url() -> None:
    article = parse(
        Options(base_url=WWW),
        url=f"{STAGING}/article/2025-01-27-how-china/",
        shorturl=f"{STAGING}/article/2563086",
        categories=[
            {"id": "9", "name": "Business Maverick", "url": f"{STAGING}/section/business-maverick/"}
        ],
        authors=[{"id": "1", "name": "Reuters", "url": f"{STAGING}/author/reuters/"}],
        keywords=[
            {"type": "Keyword", "data": {"name": "China", "url": f"{STAGING}/keyword/china/"}}
        ],
    )
    assert article.url == f"{WWW}/article/2025-01-27-how-china/"
    assert article.shorturl == f"{WWW}/article/2563086"
    assert article.categories[0].url == f"{WWW}/section/business-maverick/"
    assert article.authors[0].url == f"{WWW}/author/reuters/"
    assert article.keywords[0].url == f"{WWW}/keyword/china/"


@pytest.mark.parametrize(
    ("base_url", "expected"),
    [
        (WWW, f"{WWW}/article/x/"),
        (WWW + "/", f"{WWW}/article/x/"),
        ("https://internal.dailymaverick.co.za", "https://internal.dailymaverick.co.za/article/x/"),
    ],
    ids=["www", "trailing-slash", "internal"],
)
def test_base_url_forms(base_url: str, expected: str) -> None:
    assert parse(Options(base_url=base_url), url=f"{STAGING}/article/x/").url == expected


def test_without_base_url_urls_are_kept() -> None:
    article = parse(url=f"{STAGING}/article/x/", shorturl=f"{STAGING}/article/42")
    assert article.url == f"{STAGING}/article/x/"
    assert article.shorturl == f"{STAGING}/article/42"


def test_base_url_leaves_other_hosts_alone() -> None:
    article = parse(
        Options(base_url=WWW),
        url=f"{STAGING}/article/x/",
        authors=[
            {"name": "A", "url": "https://example.com/author/a/"},
            {"name": "B", "url": "https://staging.dailymaverick.co.za.example.net/author/b/"},
        ],
        categories=[{"name": "World", "url": "https://other.example.org/section/world/"}],
    )
    assert article.authors[0].url == "https://example.com/author/a/"
    assert article.authors[1].url == "https://staging.dailymaverick.co.za.example.net/author/b/"
    assert article.categories[0].url == "https://other.example.org/section/world/"


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        (f"{STAGING}/article/other/", f"{WWW}/article/other/"),
        ("/article/relative/", f"{WWW}/article/relative/"),
        ("https://www.reuters.com/world/", "https://www.reuters.com/world/"),
        (
            "https://staging.dailymaverick.co.za.evil.example/phish",
            "https://staging.dailymaverick.co.za.evil.example/phish",
        ),
    ],
    ids=["staging-link", "relative-link", "other-host", "lookalike-host-untouched"],
)
def test_base_url_rewrites_body_links_to_the_staging_host(href: str, expected: str) -> None:
    article = parse(
        Options(base_url=WWW),
        url=f"{STAGING}/article/x/",
        contents=f'<p>See <a href="{href}">this</a>.</p>',
    )
    assert f'href="{expected}"' in article.body


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"slug": "kept-slug", "url": f"{STAGING}/article/2025-01-27-other/"}, "kept-slug"),
        ({"slug": "", "url": f"{STAGING}/opinionista/my-slug/"}, "my-slug"),
        ({"url": f"{STAGING}/article/my-slug"}, "my-slug"),
        ({"slug": None, "url": f"{STAGING}/article/my-slug/"}, "my-slug"),
    ],
    ids=["slug-wins", "empty-slug-from-url", "missing-slug-no-trailing-slash", "null-slug"],
)
def test_slug(fields: dict[str, Any], expected: str) -> None:
    assert parse(**fields).slug == expected


def test_url_falls_back_to_shorturl() -> None:
    assert parse(url="", shorturl=f"{STAGING}/article/42").url == f"{STAGING}/article/42"


# ---------------------------------------------------------------------------------------------
# Authors, categories, keywords (§2.3)


@pytest.mark.parametrize(
    ("authors", "expected"),
    [
        (
            [{"id": "7", "name": "Reuters", "url": f"{WWW}/author/reuters/"}],
            (Author("Reuters", f"{WWW}/author/reuters/", "7"),),
        ),
        ([{"id": 7, "name": "Reuters"}], (Author("Reuters", "", "7"),)),
        (["Staff Reporter"], (Author("Staff Reporter"),)),
        ([{"id": "1", "name": ""}, {"id": "2"}, {"name": None}], ()),
        (
            [
                {"name": "Mapula Dlamini &amp; DM Data Desk"},
                {"name": "<b>Staff</b> <i>Reporter</i>"},
            ],
            (Author("Mapula Dlamini & DM Data Desk"), Author("Staff Reporter")),
        ),
        ([None, 3, ["x"], "", {"name": "Ok"}], (Author("Ok"),)),
        ("Reuters", ()),
        (None, ()),
    ],
    ids=[
        "dict",
        "int-id",
        "name-only-string",
        "missing-names-skipped",
        "markup-stripped",
        "junk-skipped",
        "not-a-list",
        "null",
    ],
)
def test_authors(authors: Any, expected: tuple[Author, ...]) -> None:
    assert parse(authors=authors).authors == expected


@pytest.mark.parametrize(
    ("categories", "names", "paid"),
    [
        (
            [{"name": "Business Maverick", "paid": "0", "accessType": "freecount"}],
            ["Business Maverick"],
            [False],
        ),
        ([{"name": "Premium", "paid": "1"}], ["Premium"], [True]),
        ([{"name": "Premium", "paid": 1}], ["Premium"], [True]),
        ([{"name": "Premium", "paid": "0", "accessType": "paid"}], ["Premium"], [True]),
        ([{"name": "Premium", "accessType": "PAID"}], ["Premium"], [True]),
        ([{"name": "A"}, {"name": ""}, "junk", None, {"name": "B"}], ["A", "B"], [False, False]),
    ],
    ids=[
        "free",
        "paid-string",
        "paid-int",
        "access-type-paid",
        "access-type-upper",
        "junk-skipped",
    ],
)
def test_categories(categories: Any, names: list[str], paid: list[bool]) -> None:
    article = parse(categories=categories)
    assert [c.name for c in article.categories] == names
    assert [c.paid for c in article.categories] == paid
    assert article.paywalled is any(paid)


def test_first_category_is_the_section() -> None:
    article = parse(
        categories=[
            {"id": "9", "name": "Business Maverick", "slug": "business-maverick"},
            {"id": "3", "name": "Sci-Tech", "slug": "sci-tech"},
        ]
    )
    assert article.section == Term("Business Maverick", "business-maverick", "", "9")


def test_no_categories_no_section() -> None:
    assert parse(categories=[]).section is None


def kw(name: str, display_name: str | None = None, **data: Any) -> dict[str, Any]:
    inner: dict[str, Any] = {
        "keywordId": "1",
        "name": name,
        "display_name": display_name,
        "slug": "",
    }
    inner.update(data)
    return {"type": "Keyword", "data": inner}


@pytest.mark.parametrize(
    ("keywords", "expected"),
    [
        ([kw("china", "China")], ["China"]),
        ([kw("eskom", None)], ["eskom"]),
        ([kw("eskom", "")], ["eskom"]),
        (
            [
                kw(
                    "Eskom Holdings",
                    "Eskom Holdings",
                    replacedWith={"name": "Eskom", "display_name": "Eskom"},
                )
            ],
            ["Eskom"],
        ),
        ([kw("Eskom", "Eskom", replacedWith=None)], ["Eskom"]),
        ([kw("AI", "AI"), kw("ai", "ai"), kw("Ai", None)], ["AI"]),
        (
            [kw("Eskom", "Eskom"), kw("Eskom Holdings", None, replacedWith={"name": "ESKOM"})],
            ["Eskom"],
        ),
        ([{"name": "Water", "display_name": "Water crisis"}], ["Water crisis"]),
        ([{"name": "Water"}, {"data": {"name": "water"}}], ["Water"]),
        ([kw("<b>Water</b> &amp; sanitation")], ["Water & sanitation"]),
        ([None, "x", {"data": "x"}, {"data": {}}, kw("Ok")], ["Ok"]),
    ],
    ids=[
        "display-name-over-name",
        "name-when-display-null",
        "name-when-display-empty",
        "replaced-with-dict",
        "replaced-with-null",
        "duplicates-case-insensitive",
        "replacement-deduplicated",
        "bare-dict",
        "bare-dict-duplicate",
        "markup-stripped",
        "junk-skipped",
    ],
)
def test_keywords(keywords: Any, expected: list[str]) -> None:
    assert [k.name for k in parse(keywords=keywords).keywords] == expected


# ---------------------------------------------------------------------------------------------
# Lead image (§2.5)


SEED_URL = f"{CDN}/dailymaverick/wp-content/uploads/2025/01/AI-china.jpg"


def test_seed_lead_image() -> None:
    article = parse_article(seed(), "01-seed.txt", "record 1", Options())
    image = article.image
    assert image is not None
    assert image.url == SEED_URL
    assert [(r.width, r.height) for r in image.renditions] == [
        (200, 100),
        (450, 0),
        (800, 0),
        (1200, 0),
        (1600, 0),
    ]
    assert all(r.url.startswith(f"{CDN}/i/") for r in image.renditions)
    assert image.named == ()  # every url_* key of the seed is one of the transforms
    assert (image.width, image.height) == (0, 0)
    assert image.focal == "50% 50%"
    assert (image.caption, image.credit) == ("", "")


def attachment(**fields: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": "118057",
        "name": "",
        "description": "",
        "focal": "50% 50%",
        "width": 0,
        "height": 0,
        "url": "https://dmcdn.whitebeard.net/o.jpg",
        "type": "image",
    }
    item.update(fields)
    return {k: v for k, v in item.items() if v is not _DROP}


def image_of(*items: Any) -> Image | None:
    return parse(attachments=list(items)).image


@pytest.mark.parametrize(
    ("transforms", "expected"),
    [
        (
            [transform("200", "100"), transform("800", "0")],
            (Rendition(t_url(200, 100), 200, 100), Rendition(t_url(800, 0), 800, 0)),
        ),
        ([{"x": 450, "y": 0, "url": t_url(450, 0)}], (Rendition(t_url(450, 0), 450, 0),)),
        ([{"x": " 450 ", "y": "0", "url": t_url(450, 0)}], (Rendition(t_url(450, 0), 450, 0),)),
        (
            [{"x": "abc", "y": "0", "url": t_url(1, 0)}, transform("800", "0")],
            (Rendition(t_url(800, 0), 800, 0),),
        ),
        ([{"x": "0", "y": "0", "url": t_url(0, 0)}], ()),
        ([{"x": "-450", "y": "0", "url": t_url(450, 0)}], ()),
        ([{"x": "450", "y": "-1", "url": t_url(450, 0)}], ()),
        ([{"x": "450", "y": "0"}], ()),
        ([{"x": "450", "y": "0", "url": "javascript:alert(1)"}], ()),
        ([{"x": "450", "y": "0", "url": "/relative.jpg"}], ()),
        (["junk", None, 5, transform("800", "0")], (Rendition(t_url(800, 0), 800, 0),)),
        (None, ()),
    ],
    ids=[
        "string-sizes",
        "int-sizes",
        "padded-strings",
        "non-numeric-skipped",
        "zero-width-skipped",
        "negative-width-skipped",
        "negative-height-skipped",
        "no-url-skipped",
        "javascript-url-skipped",
        "relative-url-skipped",
        "junk-items-skipped",
        "null-transforms",
    ],
)
def test_transforms_become_renditions(transforms: Any, expected: tuple[Rendition, ...]) -> None:
    image = image_of(attachment(transforms=transforms))
    assert image is not None
    assert image.renditions == expected
    assert all(isinstance(r.width, int) and isinstance(r.height, int) for r in image.renditions)


def test_named_keys_of_known_size_become_renditions() -> None:
    image = image_of(
        attachment(
            url_thumbnail=t_url(200, 100),
            url_medium=t_url(450, 0),
            url_large=t_url(800, 0),
            url_xl=t_url(1200, 0),
            url_xxl=t_url(1600, 0),
        )
    )
    assert image is not None
    assert sorted((r.width, r.height, r.url) for r in image.renditions) == [
        (200, 100, t_url(200, 100)),
        (450, 0, t_url(450, 0)),
        (800, 0, t_url(800, 0)),
        (1200, 0, t_url(1200, 0)),
        (1600, 0, t_url(1600, 0)),
    ]
    assert image.named == ()


def test_named_keys_are_deduplicated_against_transforms() -> None:
    image = image_of(
        attachment(
            transforms=[transform("200", "100"), transform("800", "0")],
            url_thumbnail=t_url(200, 100),
            url_large=t_url(800, 0),
            url_xl=t_url(1200, 0),
        )
    )
    assert image is not None
    urls = [r.url for r in image.renditions]
    assert len(urls) == len(set(urls)) == 3
    assert Rendition(t_url(1200, 0), 1200, 0) in image.renditions


def test_unknown_named_keys_are_kept_as_named() -> None:
    image = image_of(
        attachment(
            url_highres="https://cdn.example/highres.jpg",
            url_home_slideshow="https://cdn.example/slide.jpg",
            url_broken="not a url",
        )
    )
    assert image is not None
    assert dict(image.named) == {
        "url_highres": "https://cdn.example/highres.jpg",
        "url_home_slideshow": "https://cdn.example/slide.jpg",
    }
    assert image.renditions == ()


def test_no_transforms_keeps_the_original_url() -> None:
    image = image_of(
        attachment(url="https://www.dailymaverick.co.za/wp-content/uploads/openletter-1600x875.jpg")
    )
    assert image is not None
    assert image.url == "https://www.dailymaverick.co.za/wp-content/uploads/openletter-1600x875.jpg"
    assert image.renditions == ()


@pytest.mark.parametrize(
    "attachments",
    [
        [],
        ["junk", None, 3],
        None,
        "https://e/x.jpg",
        {"url": "https://e/x.jpg"},
        [attachment(url="")],
        _DROP,
    ],
    ids=["empty", "non-dict-items", "null", "string", "dict", "no-url-at-all", "missing"],
)
def test_no_lead_image(attachments: Any) -> None:
    assert parse(attachments=attachments).image is None


def test_first_image_attachment_is_the_lead() -> None:
    image = image_of(
        "junk",
        attachment(type="video", url="https://e/video.mp4"),
        attachment(url="https://e/first.jpg"),
        attachment(url="https://e/second.jpg"),
    )
    assert image is not None
    assert image.url == "https://e/first.jpg"


@pytest.mark.parametrize(
    ("width", "height", "expected"),
    [
        (0, 0, (0, 0)),
        ("0", "0", (0, 0)),
        ("2560", "1447", (2560, 1447)),
        (720, 480, (720, 480)),
        (None, "", (0, 0)),
        ("-1", "x", (0, 0)),
        # str.isdigit() is true of these and int() refuses them (hypothesis found "²")
        ("²", "\u2461", (0, 0)),
        ("\u0663\u0660\u0660", "\uff12\uff10", (300, 20)),  # decimal digits int() reads
    ],
    ids=[
        "int-zero",
        "string-zero",
        "strings",
        "ints",
        "null-and-empty",
        "junk",
        "superscript-and-circled",
        "other-scripts-decimal",
    ],
)
def test_original_size(width: Any, height: Any, expected: tuple[int, int]) -> None:
    image = image_of(attachment(width=width, height=height))
    assert image is not None
    assert (image.width, image.height) == expected


@pytest.mark.parametrize(
    ("name", "description", "caption", "credit"),
    [
        (
            "Riders on Bree Street",
            "Photo: Gallo Images",
            "Riders on Bree Street",
            "Photo: Gallo Images",
        ),
        ("", "Photo: Gallo Images", "", "Photo: Gallo Images"),
        (
            "<em>Tshwane</em> council &amp; chamber",
            "<b>Photo</b>: X",
            "Tshwane council & chamber",
            "Photo: X",
        ),
        ('Caption<img src=x onerror="alert(1)">', "", "Caption", ""),
        (None, None, "", ""),
        ("Line one<br />Line two", "", "Line one Line two", ""),
    ],
    ids=["both", "credit-only", "markup-stripped", "hostile-markup", "null", "br-is-a-space"],
)
def test_caption_and_credit(name: Any, description: Any, caption: str, credit: str) -> None:
    image = image_of(attachment(name=name, description=description))
    assert image is not None
    assert (image.caption, image.credit) == (caption, credit)
    assert image.alt == caption


# ---------------------------------------------------------------------------------------------
# The real seed, end to end through parse_article


def test_seed_article() -> None:
    article = parse_article(seed(), "01-seed.txt", "record 1", Options(base_url=WWW))
    assert article.id == "2563086"
    assert article.title == "How China can keep pace in the global AI race"
    assert article.url == f"{WWW}/article/2025-01-27-how-china-can-keep-pace-in-the-global-ai-race/"
    assert article.slug == "how-china-can-keep-pace-in-the-global-ai-race"
    assert article.published is not None
    assert article.published.isoformat() == "2025-01-27T05:21:59+02:00"
    assert article.updated is not None
    assert article.updated.isoformat() == "2025-01-27T05:22:00+02:00"
    assert article.section is not None and article.section.name == "Business Maverick"
    assert [a.name for a in article.authors] == ["Reuters"]
    assert article.status == "publish"
    assert not article.noindex
    assert not article.paywalled
    assert article.standfirst.startswith("China")
    assert '<a class="tex' not in article.standfirst
    assert STAGING not in article.body
