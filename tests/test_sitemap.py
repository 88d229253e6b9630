"""Sitemaps (issue 12, item 6): sitemaps.org 0.9 with Google's image and News extensions.

The core documents are validated against the sitemaps.org XSDs (../shared/schemas/sitemap/)
with the extension elements set aside, as ../shared/schemas/README.md says (the XSDs process
``##other`` elements strictly and Google publishes no schema for them); the extensions are
checked against Google's documented rules with explicit assertions. What a sitemap must list is
computed here from the selection rules (published, not future-dated, not noindex; paywalled
pages are public), not read from the output.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

import pytest
from lxml import etree

from converter import Article, Options
from converter.adapters import ADAPTERS, sitemap
from converter.cms import parse_article
from converter.model import Image, Rendition
from converter.urls import web_url

from .conftest import sample_articles
from .test_realworld import corpus

SCHEMAS = Path(__file__).resolve().parents[2] / "shared" / "schemas" / "sitemap"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
IMG = "{http://www.google.com/schemas/sitemap-image/1.1}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
NOW = datetime(2026, 1, 1, tzinfo=UTC)
# W3C datetime (https://www.w3.org/TR/NOTE-datetime) to the second, with a zone.
W3C = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})")
# news:language: an ISO 639 code, or zh-cn / zh-tw (Google's two exceptions).
NEWS_LANGUAGE = re.compile(r"[a-z]{2,3}|zh-cn|zh-tw")
PAYWALLED_ID = "2401177"  # samples/07-paywalled.json
DRAFT_ID = "2630015"  # samples/08-draft.json


@cache
def schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / name)))


def core(data: bytes) -> etree._Element:
    """The document without its image:/news: extension elements (checked apart)."""
    root = etree.fromstring(data)
    for el in list(root.iter(f"{IMG}image", f"{NEWS}news")):
        parent = el.getparent()
        assert parent is not None and parent.tag == f"{SM}url"
        parent.remove(el)
    return root


def assert_valid(data: bytes, xsd: str) -> None:
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n')
    data.decode("utf-8")  # UTF-8, as the protocol requires
    checker = schema(xsd)
    assert checker.validate(core(data)), checker.error_log


def assert_images(url: etree._Element) -> list[str]:
    """Google's image rules for one <url>; returns its image locs."""
    locs = []
    for image in url.iter(f"{IMG}image"):
        assert [c.tag for c in image] == [f"{IMG}loc"]  # the deprecated tags are not written
        loc = image[0].text or ""
        assert loc.startswith(("http://", "https://")) and web_url(loc)[0] == loc
        locs.append(loc)
    assert len(locs) <= 1000
    assert len(set(locs)) == len(locs)
    return locs


def urls_of(data: bytes) -> dict[str, etree._Element]:
    root = etree.fromstring(data)
    assert root.tag == f"{SM}urlset"
    out: dict[str, etree._Element] = {}
    for url in root.iter(f"{SM}url"):
        loc = url.findtext(f"{SM}loc") or ""
        assert loc not in out, f"{loc} listed twice"
        assert 12 <= len(loc) <= 2048 and web_url(loc)[0] == loc
        out[loc] = url
    return out


def check_files(files: Sequence[tuple[str, bytes]], options: Options) -> dict[str, etree._Element]:
    """Every file valid and every rule kept; returns the sitemap's <url> elements by loc."""
    names = [name for name, _ in files]
    parts = names[:-2]
    assert names[-2:] == ["sitemap-index.xml", "news-sitemap.xml"]
    assert parts == [f"sitemap-{n}.xml" for n in range(1, len(parts) + 1)]
    data = dict(files)
    base = options.sitemap_base_url or options.site_url
    index = etree.fromstring(data["sitemap-index.xml"])
    assert_valid(data["sitemap-index.xml"], "siteindex.xsd")
    entries = [
        (s.findtext(f"{SM}loc"), s.findtext(f"{SM}lastmod")) for s in index.iter(f"{SM}sitemap")
    ]
    assert [loc for loc, _ in entries] == [base.rstrip("/") + "/" + n for n in parts]
    everything: dict[str, etree._Element] = {}
    for name, (_, lastmod) in zip(parts, entries, strict=True):
        urls = urls_of(data[name])
        if urls:
            assert_valid(data[name], "sitemap.xsd")
        assert not everything.keys() & urls.keys()  # no URL in two files
        everything.update(urls)
        dates = [datetime.fromisoformat(u.findtext(f"{SM}lastmod") or "") for u in urls.values()]
        assert lastmod == (max(dates).isoformat() if dates else None)
        for url in urls.values():
            assert W3C.fullmatch(url.findtext(f"{SM}lastmod") or "")
            assert_images(url)
    check_news(data["news-sitemap.xml"], options)
    return everything


def check_news(data: bytes, options: Options) -> list[str]:
    """Google's News sitemap rules; returns the locs in order."""
    urls = urls_of(data)
    if urls:
        assert_valid(data, "sitemap.xsd")
    assert len(urls) <= 1000
    dates = []
    for url in urls.values():
        (news,) = url.findall(f"{NEWS}news")
        assert [c.tag for c in news] == [
            f"{NEWS}publication",
            f"{NEWS}publication_date",
            f"{NEWS}title",
        ]
        publication = news[0]
        assert [c.tag for c in publication] == [f"{NEWS}name", f"{NEWS}language"]
        assert publication[0].text == options.site_title
        assert NEWS_LANGUAGE.fullmatch(publication[1].text or "")
        assert W3C.fullmatch(news[1].text or "")
        assert (news[2].text or "").strip()
        dates.append(datetime.fromisoformat(news[1].text or ""))
    assert dates == sorted(dates, reverse=True)  # newest first
    if dates:
        assert dates[0] - dates[-1] <= timedelta(days=2)
    return list(urls)


def expected_locs(articles: Sequence[Article], now: datetime) -> set[str]:
    """What the selection rules say the sitemap lists."""
    return {
        a.url
        for a in articles
        if a.status == "publish"
        and a.published is not None
        and a.published <= now
        and not a.noindex
    }


def make(n: int, published: datetime, **kw: object) -> Article:
    fields: dict[str, object] = {
        "id": str(n),
        "title": f"Article {n}",
        "url": f"https://www.example.org/article/{n}/",
        "body": "<p>Text.</p>",
        "published": published,
        "updated": published,
    }
    fields.update(kw)
    return Article(**fields)  # type: ignore[arg-type]


def all_urls(files: Sequence[tuple[str, bytes]]) -> list[str]:
    return [
        loc.text or ""
        for name, data in files
        if name.startswith("sitemap-") and name != "sitemap-index.xml"
        for loc in etree.fromstring(data).iter(f"{SM}loc")
    ]


# ---------------------------------------------------------------------------------------------
# Every sample and every real-world article


def test_every_sample_is_in_a_valid_sitemap() -> None:
    articles = sample_articles()  # raw: the duplicate id is there twice, one URL
    options = Options()
    urls = check_files(sitemap.render_files(articles, options), options)
    assert set(urls) == expected_locs(articles, datetime.now(UTC))
    # the draft, and sample 14 (its unparseable date leaves it without one: no lastmod)
    assert len(urls) == len({a.url for a in articles}) - 2
    by_url = {a.url: a for a in articles}
    for loc, url in urls.items():
        article = by_url[loc]
        lastmod = datetime.fromisoformat(url.findtext(f"{SM}lastmod") or "")
        assert lastmod == max(d for d in (article.updated, article.modified) if d)
    # The duplicate id: the newer copy's lastUpdate is the page's.
    explainer = next(u for loc, u in urls.items() if "two-pot" in loc)
    assert explainer.findtext(f"{SM}lastmod") == "2023-03-01T09:15:42+02:00"


def test_every_realworld_article_is_in_a_valid_sitemap() -> None:
    options = Options()
    articles = [parse_article(r, "realworld", "line", options) for r in corpus()]
    assert len(articles) > 300
    files = sitemap.render_files(articles, options)
    urls = check_files(files, options)
    assert set(urls) == expected_locs(articles, datetime.now(UTC))
    with_images = 0
    for article in articles:
        if article.url in urls:
            locs = assert_images(urls[article.url])
            assert locs == sitemap.image_urls(article)
            with_images += bool(locs)
    assert with_images > 10  # the corpus has pictures: the extension is exercised


# ---------------------------------------------------------------------------------------------
# Selection


def test_drafts_future_and_noindex_are_out_paywalled_is_in(by_id: dict[str, Article]) -> None:
    paywalled = by_id[PAYWALLED_ID]
    assert paywalled.paywalled
    base = by_id["1723406"]
    noindex = replace(base, id="n1", url="https://www.example.org/noindex/", noindex=True)
    future = replace(
        base, id="f1", url="https://www.example.org/future/", published=NOW + timedelta(seconds=1)
    )
    articles = [paywalled, by_id[DRAFT_ID], noindex, future, base]
    options = Options(now=NOW)
    urls = check_files(sitemap.render_files(articles, options), options)
    assert set(urls) == {paywalled.url, base.url}
    chosen, skipped = sitemap.select(articles, options)
    assert {s.article.id for s in skipped} == {DRAFT_ID, "n1", "f1"}
    assert all(s.rule for s in skipped)
    # The feeds' own flags do not reach the sitemap: it lists public, indexable pages.
    flags = replace(options, feed=replace(options.feed, paywall="exclude", include_noindex=True))
    assert sitemap.select(articles, flags)[0] == chosen


def test_one_url_is_one_entry_the_newer_article_wins() -> None:
    old = make(1, NOW - timedelta(days=9), url="https://www.example.org/same/")
    new = make(
        2,
        NOW - timedelta(days=9),
        url="https://www.example.org/same/",
        updated=NOW - timedelta(days=1),
    )
    for articles in ([old, new], [new, old]):
        chosen, skipped = sitemap.select(articles, Options(now=NOW))
        assert [a.id for a in chosen] == ["2"] and [s.article.id for s in skipped] == ["1"]


def test_unusable_urls_are_left_out_with_a_rule() -> None:
    long = make(1, NOW - timedelta(days=1), url="https://www.example.org/" + "a" * 2030)
    ok = make(2, NOW - timedelta(days=1), url="https://www.example.org/" + "a" * 2024)
    chosen, skipped = sitemap.select([long, ok], Options(now=NOW))
    assert [a.id for a in chosen] == ["2"] and len(ok.url) == 2048
    assert "2048" in skipped[0].rule


def test_lastmod_is_the_later_of_publication_and_last_update() -> None:
    published = datetime(2018, 8, 17, 21, 4, 37, tzinfo=UTC)
    scheduled = make(1, published, modified=published - timedelta(hours=4), updated=published)
    edited = make(
        2, published, modified=published + timedelta(days=3), updated=published + timedelta(days=3)
    )
    urls = urls_of(sitemap.render([scheduled, edited], Options(now=NOW)))
    assert urls[scheduled.url].findtext(f"{SM}lastmod") == "2018-08-17T21:04:37+00:00"
    assert urls[edited.url].findtext(f"{SM}lastmod") == "2018-08-20T21:04:37+00:00"


def test_the_samples_lastmod_keeps_their_offset(by_id: dict[str, Article]) -> None:
    urls = urls_of(sitemap.render([by_id["97518"]], Options(now=NOW)))
    (url,) = urls.values()
    assert url.findtext(f"{SM}lastmod") == "2018-08-17T21:04:37+02:00"  # the scheduled post


# ---------------------------------------------------------------------------------------------
# Images


def test_images_lead_first_then_the_body_each_picture_once() -> None:
    up = "https://www.example.org/wp-content/uploads/2025/01/"
    cdn = "https://cdn.example.org/i/SIG=/{}x0/file/wp-content/uploads/2025/01/lead.jpg"
    lead = Image(
        url=up + "lead.jpg",
        renditions=tuple(Rendition(cdn.format(w), w) for w in (450, 800, 1200, 1600)),
    )
    body = (
        f'<figure><img src="{up}lead-1024x576.jpg" alt=""></figure>'  # the lead, another size
        f'<p><img src="{up}a.jpg" alt=""> <img src="{up}a.jpg" alt=""></p>'  # twice
        '<p><img src="data:image/png;base64,AAAA" alt=""><img src="ftp://example.org/b.jpg" alt="">'
        '<img src="/relative.jpg" alt=""><img src="" alt=""></p>'
        f'<p><img src="{up}b.jpg?w=1&amp;h=2" alt=""></p>'
    )
    article = make(1, NOW - timedelta(days=1), image=lead, body=body)
    assert sitemap.image_urls(article) == [cdn.format(1200), up + "a.jpg", up + "b.jpg?w=1&h=2"]
    data = sitemap.render([article], Options(now=NOW))
    assert b"b.jpg?w=1&amp;h=2</image:loc>" in data  # entity-escaped
    (url,) = urls_of(data).values()
    assert assert_images(url) == sitemap.image_urls(article)


def test_without_renditions_the_original_is_the_lead() -> None:
    lead = Image(url="https://www.example.org/wp-content/uploads/old-1600x875.jpg")
    assert sitemap.image_urls(make(1, NOW, image=lead)) == [lead.url]


def test_at_most_1000_images_per_url() -> None:
    body = "".join(
        f'<p><img src="https://img.example.org/{i}.jpg" alt=""></p>' for i in range(1005)
    )
    article = make(
        1, NOW - timedelta(days=1), body=body, image=Image(url="https://img.example.org/lead.jpg")
    )
    urls = sitemap.image_urls(article)
    assert len(urls) == 1000
    assert urls[:2] == ["https://img.example.org/lead.jpg", "https://img.example.org/0.jpg"]
    data = sitemap.render([article], Options(now=NOW))
    assert data.count(b"<image:image>") == 1000
    assert_valid(data, "sitemap.xsd")


# ---------------------------------------------------------------------------------------------
# Escaping and URLs


def test_locs_are_escaped_and_valid() -> None:
    url = "https://www.example.org/search/?q=a&b='c'"
    article = make(1, NOW - timedelta(days=1), url=url, title='Tom & "Jerry" <3')
    files = dict(sitemap.render_files([article], Options(now=NOW)))
    part = files["sitemap-1.xml"]
    assert b"?q=a&amp;b=&apos;c&apos;</loc>" in part
    assert list(urls_of(part)) == [url]
    news = files["news-sitemap.xml"]
    assert b"<news:title>Tom &amp; &quot;Jerry&quot; &lt;3</news:title>" in news
    assert etree.fromstring(news).findtext(f".//{NEWS}title") == 'Tom & "Jerry" <3'


def test_base_url_rewriting_shows_in_the_locs() -> None:
    options = Options(base_url="https://www.example.org")
    articles = sample_articles(options)
    files = sitemap.render_files(articles, options)
    urls = check_files(files, options)
    assert urls and all(loc.startswith("https://www.example.org/") for loc in urls)
    assert set(urls) == expected_locs(articles, datetime.now(UTC))
    news = check_news(dict(files)["news-sitemap.xml"], options)
    assert news and all(loc.startswith("https://www.example.org/") for loc in news)


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        ("", "https://www.dailymaverick.co.za/sitemap-1.xml"),
        ("https://static.example.org/maps", "https://static.example.org/maps/sitemap-1.xml"),
        ("https://static.example.org/maps/", "https://static.example.org/maps/sitemap-1.xml"),
    ],
)
def test_sitemap_base_url(base: str, expected: str) -> None:
    options = Options(now=NOW, sitemap_base_url=base)
    files = dict(sitemap.render_files([make(1, NOW)], options))
    index = etree.fromstring(files["sitemap-index.xml"])
    assert [loc.text for loc in index.iter(f"{SM}loc")] == [expected]


def test_a_sitemap_base_url_that_is_no_url_is_refused() -> None:
    # Refused when the options are made (options.check), before anything is rendered.
    with pytest.raises(ValueError, match="sitemap_base_url must be an absolute http"):
        sitemap.render_files([make(1, NOW)], Options(now=NOW, sitemap_base_url="maps/"))


# ---------------------------------------------------------------------------------------------
# Splitting


def spread(count: int) -> list[Article]:
    """``count`` articles an hour apart, some with body images, in a shuffled order."""
    articles = [
        make(
            n,
            NOW - timedelta(hours=n),
            # edited later, some after newer ones: a file's newest lastmod is not its last line's
            updated=NOW - timedelta(hours=n) + timedelta(minutes=97 * (n % 5)),
            body=f'<p><img src="https://img.example.org/{n}.jpg" alt=""></p>' * (n % 3),
        )
        for n in range(count)
    ]
    random.Random(12).shuffle(articles)
    return articles


@pytest.mark.parametrize(("max_urls", "max_bytes"), [(5, 100_000), (1_000, 1_200), (4, 1_000)])
def test_split_by_urls_and_bytes(max_urls: int, max_bytes: int) -> None:
    articles = spread(23)
    options = Options(now=NOW, sitemap_base_url="https://maps.example.org/")
    files = sitemap.render_files(articles, options, max_urls=max_urls, max_bytes=max_bytes)
    parts = [(n, d) for n, d in files if n.startswith("sitemap-") and n != "sitemap-index.xml"]
    assert len(parts) > 1
    for _, data in parts:
        assert len(data) <= max_bytes
        assert 1 <= len(urls_of(data)) <= max_urls
    urls = check_files(files, options)
    assert set(urls) == {a.url for a in articles}  # nothing lost, nothing repeated
    # Oldest first across the files: new articles only ever change the last files.
    order = all_urls(files)
    published = {a.url: a.published for a in articles}
    assert order == sorted(order, key=lambda u: published[u])  # type: ignore[arg-type, return-value]
    # Without the limits, one file: the registry's one-document form.
    assert (
        sitemap.render(articles, options)
        == dict(sitemap.render_files(articles, options))["sitemap-1.xml"]
    )
    with pytest.raises(ValueError, match="render_files"):
        sitemap.render(articles, options, max_urls=max_urls, max_bytes=max_bytes)


@pytest.mark.parametrize("spare", [0, -1, +1])
def test_parts_are_filled_to_the_byte(spare: int) -> None:
    """Lines of one length L: with max_bytes = frame + 3L, three a file, exactly max_bytes; one
    byte less, two; one more, three (the fourth would pass the limit)."""
    articles = [make(n, NOW - timedelta(hours=n)) for n in range(10, 19)]
    empty = len(dict(sitemap.render_files([], Options(now=NOW)))["sitemap-1.xml"])
    (line,) = {len(sitemap.render([a], Options(now=NOW))) - empty for a in articles}
    max_bytes = empty + 3 * line + spare
    files = sitemap.render_files(articles, Options(now=NOW), max_bytes=max_bytes)
    sizes = [len(d) for n, d in files if n not in ("sitemap-index.xml", "news-sitemap.xml")]
    per_file = 2 if spare < 0 else 3
    assert sizes == [empty + per_file * line] * (9 // per_file) + (
        [empty + (9 % per_file) * line] if 9 % per_file else []
    )
    assert all(size <= max_bytes for size in sizes)


def test_a_url_that_cannot_fit_is_an_error_not_a_silent_loss() -> None:
    with pytest.raises(ValueError, match="alone is over 300 bytes"):
        sitemap.render_files(spread(3), Options(now=NOW), max_bytes=300)


def test_the_protocol_limits_are_the_defaults() -> None:
    """50,001 URLs: two files of 50,000 and 1; about 55 MB: two files under 52,428,800 bytes."""
    many = [make(n, NOW - timedelta(seconds=n)) for n in range(50_001)]
    files = sitemap.render_files(many, Options(now=NOW))
    assert [n for n, _ in files] == [
        "sitemap-1.xml",
        "sitemap-2.xml",
        "sitemap-index.xml",
        "news-sitemap.xml",
    ]
    assert [d.count(b"<url>") for _, d in files[:2]] == [50_000, 1]
    assert files[-1][1].count(b"<url>") == 1000  # the News sitemap's cap
    # 1,000 images of ~2,000-character URLs per page: ~2 MB a <url>, 27 of them.
    body = "".join(
        f'<p><img src="https://img.example.org/{i:04}{"x" * 1980}.jpg" alt=""></p>'
        for i in range(1000)
    )
    heavy = [make(n, NOW - timedelta(hours=n), body=body) for n in range(27)]
    files = sitemap.render_files(heavy, Options(now=NOW))
    sizes = [len(d) for n, d in files if n in ("sitemap-1.xml", "sitemap-2.xml")]
    assert len(files) == 4 and sum(sizes) > sitemap.MAX_BYTES
    assert all(size <= 52_428_800 for size in sizes)
    assert sizes[0] > 52_428_800 - 2_100_000  # filled, not cut early


# ---------------------------------------------------------------------------------------------
# The News sitemap


def test_news_window_is_two_days_before_the_newest_article() -> None:
    newest = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)
    inside = make(2, newest - timedelta(days=2) + timedelta(seconds=1))
    edge = make(3, newest - timedelta(days=2))
    outside = make(4, newest - timedelta(days=2, seconds=1))
    articles = [outside, edge, inside, make(1, newest)]
    options = Options()  # no "now": the reference is the newest article, not the clock
    locs = check_news(sitemap.render_news(articles, options), options)
    assert locs == [make(1, newest).url, inside.url, edge.url]
    # The whole sitemap still lists all four.
    assert set(urls_of(sitemap.render(articles, options))) == {a.url for a in articles}


def test_now_overrides_the_reference() -> None:
    newest = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)
    articles = [
        make(1, newest),
        make(2, newest - timedelta(days=1)),
        make(3, newest - timedelta(days=3)),
    ]
    later = Options(now=newest + timedelta(days=1, hours=1))
    assert check_news(sitemap.render_news(articles, later), later) == [articles[0].url]
    earlier = Options(now=newest - timedelta(hours=1))  # the newest is future-dated then
    assert check_news(sitemap.render_news(articles, earlier), earlier) == [articles[1].url]
    assert articles[0].url not in urls_of(sitemap.render(articles, earlier))
    past = Options(now=newest + timedelta(days=30))
    assert sitemap.render_news(articles, past).count(b"<url>") == 0


def test_news_has_at_most_1000_urls_newest_first() -> None:
    newest = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)
    articles = [make(n, newest - timedelta(minutes=2 * n)) for n in range(1001)]
    random.Random(7).shuffle(articles)
    options = Options()
    locs = check_news(sitemap.render_news(articles, options), options)
    assert locs == [make(n, newest).url for n in range(1000)]  # article 1000, the oldest, is out


def test_news_selection_rules(by_id: dict[str, Article]) -> None:
    paywalled = by_id[PAYWALLED_ID]
    noindex = replace(paywalled, id="n", url="https://www.example.org/n/", noindex=True)
    draft = replace(paywalled, id="d", url="https://www.example.org/d/", status="draft")
    options = Options()
    locs = check_news(sitemap.render_news([paywalled, noindex, draft], options), options)
    assert locs == [paywalled.url]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "en"),
        ("en-ZA", "en"),
        ("EN-gb", "en"),
        ("af", "af"),
        ("nso", "nso"),
        ("zh", "zh-cn"),
        ("zh-CN", "zh-cn"),
        ("zh-Hans-SG", "zh-cn"),
        ("zh-TW", "zh-tw"),
        ("zh-Hant", "zh-tw"),
        ("zh-HK", "zh-tw"),
    ],
)
def test_news_language(language: str, expected: str) -> None:
    assert sitemap.news_language(language) == expected
    options = Options(language=language, site_title="The Daily Example")
    data = sitemap.render_news([make(1, NOW)], options)
    assert etree.fromstring(data).findtext(f".//{NEWS}language") == expected
    assert check_news(data, options)


@pytest.mark.parametrize("language", ["english", "x-klingon", "i-klingon"])
def test_news_language_without_an_iso_code_is_refused(language: str) -> None:
    # Well-formed BCP 47 tags (Options takes them) without an ISO 639 language for Google News;
    # ill-formed ones ("", "1", "en_GB") are refused by Options itself (tests/test_validation.py).
    with pytest.raises(ValueError, match="ISO 639"):
        sitemap.render_news([make(1, NOW)], Options(language=language))


# ---------------------------------------------------------------------------------------------
# Determinism, empty input, the registry


def test_same_input_same_bytes_whatever_the_order() -> None:
    articles = sample_articles()
    options = Options()
    first = sitemap.render_files(articles, options)
    assert sitemap.render_files(articles, options) == first
    assert sitemap.render_files(list(reversed(articles)), options) == first


def test_nothing_to_list() -> None:
    files = dict(sitemap.render_files([], Options()))
    assert list(files) == ["sitemap-1.xml", "sitemap-index.xml", "news-sitemap.xml"]
    assert urls_of(files["sitemap-1.xml"]) == {} and urls_of(files["news-sitemap.xml"]) == {}
    assert_valid(files["sitemap-index.xml"], "siteindex.xsd")
    assert b"<lastmod>" not in files["sitemap-index.xml"]


def test_registry() -> None:
    articles = sample_articles()
    options = Options()
    files = dict(sitemap.render_files(articles, options))
    assert files["news-sitemap.xml"].count(b"<url>") == 1
    assert ADAPTERS["sitemap"].render(articles, options) == files["sitemap-1.xml"]
    assert ADAPTERS["news-sitemap"].render(articles, options) == files["news-sitemap.xml"]
    assert not ADAPTERS["sitemap"].per_article and ADAPTERS["sitemap"].extension == ".xml"
