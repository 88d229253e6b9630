"""URLs from article metadata are RFC 3986-valid in every output (issue 11, item 3).

cms.py makes each metadata URL safe once (converter/urls.py, shared with the body pipeline's
resolve_url); every adapter then carries it as it is. The end-to-end tests read each output
with the parser its consumers use: the Nu checker and html5lib, feedparser, the JSON Feed
schema, EPUBCheck.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import feedparser
import html5lib
import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree
from PIL import Image

from converter import Options, render, urls
from converter.api import convert
from converter.cms import parse_article
from converter.model import Article
from converter.options import FetchOptions
from converter.urls import encode, web_url

from .conftest import nu_check
from .test_epub import NS as EPUB_NS
from .test_epub import build, run_epubcheck
from .test_feeds import json_feed_errors

# RFC 3986 appendix A, as one expression: what a valid URI (or relative reference) may hold.
RFC3986 = re.compile(r"(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*")
UPLOADS = "https://dmcdn.whitebeard.net/dailymaverick/wp-content/uploads"


# ---------------------------------------------------------------------------------------------
# The table


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.org/a/b?c=d#e", "https://example.org/a/b?c=d#e"),
        ('https://example.org/a>b "c"/ü', "https://example.org/a%3Eb%20%22c%22/%C3%BC"),
        (f"{UPLOADS}/2025/01/AI china.jpg", f"{UPLOADS}/2025/01/AI%20china.jpg"),
        ("https://example.org/<x>\\^`{|}", "https://example.org/%3Cx%3E%5C%5E%60%7B%7C%7D"),
        ("https://example.org/%41%2f%E2%82%AC", "https://example.org/%41%2f%E2%82%AC"),
        ("https://example.org/100%/%zz/%4", "https://example.org/100%25/%25zz/%254"),
        ("https://example.org/a\x01b\x7fc", "https://example.org/a%01b%7Fc"),
        ("https://example.org/€?q=ü#ä", "https://example.org/%E2%82%AC?q=%C3%BC#%C3%A4"),
        ("https://example.org/p?a=b c&d=é", "https://example.org/p?a=b%20c&d=%C3%A9"),
        ("https://example.org/a#b#c", "https://example.org/a#b%23c"),
        ("https://example.org/a[1]?b[2]=3", "https://example.org/a%5B1%5D?b%5B2%5D=3"),
        ("https://[2001:db8::1]:8080/a b", "https://[2001:db8::1]:8080/a%20b"),
        ("https://bücher.example/ü", "https://xn--bcher-kva.example/%C3%BC"),
        ("https://BÜCHER.example/", "https://xn--bcher-kva.example/"),
        ("https://例え.テスト/", "https://xn--r8jz45g.xn--zckzah/"),
        ("https://☃.example/", "https://xn--n3h.example/"),  # IDNA 2008 refuses; IDNA 2003 not
        ("https://a..ü.example/", "https://a..%C3%BC.example/"),  # no punycode: kept, escaped
        ("https://us er:pa ss@example.org/", "https://us%20er:pa%20ss@example.org/"),
        ("https://example.org/a:b@c!$&'()*+,;=", "https://example.org/a:b@c!$&'()*+,;="),
        ("HTTPS://Example.org/A", "https://Example.org/A"),
        ("//example.org/a b", "https://example.org/a%20b"),
        ("  https://example.org/a\tb\nc  ", "https://example.org/abc"),
        ("https://example.org:443/", "https://example.org:443/"),
    ],
    ids=[
        "valid-unchanged",
        "author-url-of-the-issue",
        "space",
        "every-excluded-ascii",
        "valid-escapes-kept",
        "bad-percent-escaped",
        "controls",
        "non-ascii-everywhere",
        "query",
        "second-hash",
        "brackets-outside-host",
        "ipv6-host-kept",
        "idn-host",
        "idn-host-upper-case",
        "idn-host-cjk",
        "idn-host-symbol",
        "idn-conversion-fails",
        "userinfo",
        "reserved-kept",
        "scheme-lower-cased",
        "scheme-relative",
        "tabs-and-newlines-dropped",
        "port",
    ],
)
def test_metadata_url_is_made_valid(url: str, expected: str) -> None:
    assert web_url(url) == (expected, "")
    assert RFC3986.fullmatch(expected)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("javascript:alert(1)", "scheme 'javascript' is not allowed"),
        ("JavaScript:alert(1)", "scheme 'javascript' is not allowed"),
        ("data:image/png;base64,AAAA", "scheme 'data' is not allowed"),
        ("mailto:desk@example.org", "scheme 'mailto' is not allowed"),
        ("/author/staff-reporter/", "not an absolute URL"),
        ("author/staff-reporter/", "not an absolute URL"),
        ("https:example.org", "no host"),
        ("https:///path", "no host"),
        ("https://[x]/", "cannot be parsed"),
        ("https://[::1/", "cannot be parsed"),
        ("https://example.org:http/", "cannot be parsed (bad port)"),
        ("https://example.org:99999/", "cannot be parsed (bad port)"),
        ("", "empty"),
    ],
)
def test_metadata_url_that_cannot_be_made_valid_is_refused(url: str, reason: str) -> None:
    got, why = web_url(url)
    assert got == ""
    assert why.startswith(reason)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/a b/ü?x=<y>#z#w", "/a%20b/%C3%BC?x=%3Cy%3E#z%23w"),
        ("mailto:a b@example.org", "mailto:a%20b@example.org"),
        ("#fn1", "#fn1"),
        ("https://[x]/", None),
        ("https://example.org/\ud800", None),
        # UTS 46 keeps "{" in a label; the Punycode host is encoded as an ASCII one is (fuzz AM)
        ("http://{\u201d/", "http://xn--%7B-rhn/"),
        ("http://xn--{-rhn/", "http://xn--%7B-rhn/"),
        # a label that begins with a combining mark is no host to a browser (UTS 46 V5), though
        # IDNA 2003 encoded it (fuzz AU); one in the middle of a label is fine
        ("http://\u0488.example/", None),
        ("http://a\u0488b.example/", "http://xn--ab-rsc.example/"),
    ],
)
def test_encode_works_on_any_reference(url: str, expected: str | None) -> None:
    """The body pipeline's resolve_url uses the same encoder for its links (any safe scheme)."""
    assert encode(url) == expected


# ---------------------------------------------------------------------------------------------
# Every metadata field, with a warning for what is left out


def record(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "900001",
        "title": "URLs that need encoding",
        "slug": "urls-that-need-encoding",
        "firstPublished": "2025-01-27 10:00:00",
        "url": "https://www.dailymaverick.co.za/article/2025-01-27-ü test/",
        "shorturl": "https://www.dailymaverick.co.za/article/900001 x",
        "contents": "<p>A body that opens with text.</p>",
        "summary": "A summary.",
        "authors": [{"id": "7", "name": "Ada Author", "url": 'https://example.org/a>b "c"/ü'}],
        "categories": [
            {"id": "1", "name": "News", "slug": "news", "url": "https://ex.org/sec{tion}/"}
        ],
        "keywords": [{"data": {"name": "Energy", "slug": "energy", "url": "https://ex.org/k|w"}}],
        "attachments": [
            {"type": "image", "name": "A caption", "url": f"{UPLOADS}/2025/01/AI china.jpg"}
        ],
    }
    base.update(fields)
    return base


def parse(rec: dict[str, Any], options: Options | None = None) -> Article:
    return parse_article(rec, "in.json", "item 1", options or Options())


def test_every_metadata_url_is_encoded_once_at_parse_time() -> None:
    article = parse(
        record(
            externalUrl="https://ex.org/out side",
            attachments=[
                {
                    "type": "image",
                    "url": f"{UPLOADS}/2025/01/AI china.jpg",
                    "transforms": [{"x": "800", "y": "0", "url": f"{UPLOADS}/800/AI china.jpg"}],
                    "url_large": f"{UPLOADS}/large/AI china.jpg",
                    "url_highres": f"{UPLOADS}/high/AI china.jpg",
                }
            ],
        )
    )
    assert article.url == "https://www.dailymaverick.co.za/article/2025-01-27-%C3%BC%20test/"
    assert article.shorturl == "https://www.dailymaverick.co.za/article/900001%20x"
    assert article.external_url == "https://ex.org/out%20side"
    assert article.authors[0].url == "https://example.org/a%3Eb%20%22c%22/%C3%BC"
    assert article.categories[0].url == "https://ex.org/sec%7Btion%7D/"
    assert article.keywords[0].url == "https://ex.org/k%7Cw"
    image = article.image
    assert image is not None
    assert image.url == f"{UPLOADS}/2025/01/AI%20china.jpg"
    assert [r.url for r in image.renditions] == [
        f"{UPLOADS}/800/AI%20china.jpg",
        f"{UPLOADS}/large/AI%20china.jpg",
    ]
    assert image.named == (("url_highres", f"{UPLOADS}/high/AI%20china.jpg"),)
    assert article.warnings == ()


def test_base_url_rebases_the_encoded_urls() -> None:
    article = parse(
        record(
            url="https://staging.dailymaverick.co.za/article/ü/",
            authors=[{"name": "A", "url": "https://staging.dailymaverick.co.za/author/a b/"}],
        ),
        Options(base_url="https://www.dailymaverick.co.za"),
    )
    assert article.url == "https://www.dailymaverick.co.za/article/%C3%BC/"
    assert article.authors[0].url == "https://www.dailymaverick.co.za/author/a%20b/"


def test_slug_from_the_url_is_the_readable_segment() -> None:
    article = parse(record(slug=""))
    assert article.slug == "2025-01-27-ü test"


def test_fallback_url_of_an_odd_id_is_valid() -> None:
    article = parse(record(id="a b/c", url="", shorturl=""))
    assert article.url == "https://www.dailymaverick.co.za/article/a%20b%2Fc"


@pytest.mark.parametrize(
    ("fields", "field", "reason"),
    [
        ({"url": "javascript:alert(1)"}, "url", "scheme 'javascript' is not allowed"),
        ({"shorturl": "/article/1"}, "shorturl", "not an absolute URL"),
        ({"externalUrl": "https://[x]/"}, "externalUrl", "cannot be parsed"),
        (
            {"authors": [{"name": "A"}, {"name": "B", "url": "javascript:x()"}]},
            "authors[2].url",
            "scheme 'javascript' is not allowed",
        ),
        ({"categories": [{"name": "C", "url": "cat/"}]}, "categories[1].url", "not an absolute"),
        ({"keywords": [{"data": {"name": "K", "url": "x:y"}}]}, "keywords[1].data.url", "scheme"),
        (
            {"keywords": [{"name": "K", "replacedWith": {"name": "L", "url": "/l"}}]},
            "keywords[1].replacedWith.url",
            "not an absolute URL",
        ),
        ({"attachments": [{"url": "data:image/png,x"}]}, "attachments[1].url", "scheme 'data'"),
        (
            {"attachments": [{"url": f"{UPLOADS}/a.jpg", "transforms": [{"x": 1, "url": "/r"}]}]},
            "attachments[1].transforms[1].url",
            "not an absolute URL",
        ),
        (
            {"attachments": [{"url": f"{UPLOADS}/a.jpg", "url_large": "https://h:x/"}]},
            "attachments[1].url_large",
            "cannot be parsed (bad port)",
        ),
    ],
)
def test_a_url_that_cannot_be_made_valid_is_dropped_with_a_warning(
    fields: dict[str, Any], field: str, reason: str
) -> None:
    article = parse(record(**fields))
    assert [w for w in article.warnings if w.startswith(f"{field}: URL left out, {reason}")]
    assert all("javascript" not in u and "data:" not in u for u in _all_urls(article))


def _all_urls(article: Article) -> list[str]:
    urls = [article.url, article.shorturl, article.external_url]
    urls += [x.url for x in (*article.authors, *article.categories, *article.keywords)]
    if article.image is not None:
        urls += [article.image.url, *(r.url for r in article.image.renditions)]
        urls += [u for _, u in article.image.named]
    return urls


def test_the_warning_names_the_article_and_the_field(tmp_path: Path) -> None:
    source = tmp_path / "in.json"
    bad = record(authors=[{"name": "A", "url": "javascript:alert(1)"}])
    source.write_text(json.dumps(bad), encoding="utf-8")
    report = convert("html", [str(source)], tmp_path / "out", Options())
    assert report.converted == ["900001"]
    assert report.warnings == [
        f"{source}: record 1: article 900001: authors[1].url: URL left out, "
        "scheme 'javascript' is not allowed (http and https only): 'javascript:alert(1)'"
    ]
    strict = convert("html", [str(source)], tmp_path / "strict", Options(strict=True))
    assert strict.converted == [] and len(strict.failed) == 1


# ---------------------------------------------------------------------------------------------
# Every output carries the encoded URLs, and its real parser agrees

AUTHOR = "https://example.org/a%3Eb%20%22c%22/%C3%BC"
IMAGE = f"{UPLOADS}/2025/01/AI%20china.jpg"
ARTICLE = "https://www.dailymaverick.co.za/article/2025-01-27-%C3%BC%20test/"
SECTION = "https://ex.org/sec%7Btion%7D/"
H = {"h": "http://www.w3.org/1999/xhtml"}


@pytest.fixture(scope="module")
def article() -> Article:
    return parse(record())


def test_html_page_is_valid_and_carries_the_encoded_urls(article: Article, tmp_path: Path) -> None:
    data = render("html", [article], Options())
    page = tmp_path / "page.html"
    page.write_bytes(data)
    assert nu_check([page]) == []
    tree = html5lib.parse(data, treebuilder="lxml", namespaceHTMLElements=True)
    assert tree.xpath("//h:a[@rel='author']/@href", namespaces=H) == [AUTHOR]
    assert tree.xpath("//h:p[@class='section']/h:a/@href", namespaces=H) == [SECTION]
    assert tree.xpath("//h:figure[@class='lead-image']/h:img/@src", namespaces=H) == [IMAGE]
    assert tree.xpath("//h:link[@rel='canonical']/@href", namespaces=H) == [ARTICLE]
    og = tree.xpath("//h:meta[@property='og:url' or @property='og:image']/@content", namespaces=H)
    assert og == [ARTICLE, IMAGE]
    (ld,) = tree.xpath("//h:script[@type='application/ld+json']/text()", namespaces=H)
    data_ld = json.loads(ld)
    assert data_ld["author"][0]["url"] == AUTHOR
    assert data_ld["image"] == [IMAGE]
    assert data_ld["url"] == ARTICLE


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_xml_feeds_are_well_formed_and_carry_the_encoded_urls(article: Article, fmt: str) -> None:
    data = render(fmt, [article], Options())
    parsed = feedparser.parse(data)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    (entry,) = parsed.entries
    assert entry.link == ARTICLE
    assert entry.id == ARTICLE
    assert [e.href for e in entry.enclosures] == [IMAGE]
    if fmt == "atom":
        assert entry.author_detail.href == AUTHOR
    else:
        assert entry.media_content[0]["url"] == IMAGE
        assert entry.media_thumbnail[0]["url"] == IMAGE
    content = etree.fromstring(f"<div>{entry.content[0].value}</div>", etree.HTMLParser())
    assert content.xpath("//img/@src") == [IMAGE]
    root = etree.fromstring(data)
    for value in root.xpath("//@href | //@url | //*[local-name()='uri']/text()"):
        assert RFC3986.fullmatch(value), value


def test_json_feed_is_valid_and_carries_the_encoded_urls(article: Article) -> None:
    doc = json.loads(render("json-feed", [article], Options()))
    assert json_feed_errors(doc) == []
    (item,) = doc["items"]
    assert (item["id"], item["url"]) == (ARTICLE, ARTICLE)
    assert item["authors"] == [{"name": "Ada Author", "url": AUTHOR}]
    assert item["image"] == IMAGE == item["banner_image"]
    content = etree.fromstring(f"<div>{item['content_html']}</div>", etree.HTMLParser())
    assert content.xpath("//img/@src") == [IMAGE]


def test_markdown_front_matter_carries_the_encoded_urls(article: Article) -> None:
    text = render("markdown", [article], Options()).decode()
    assert f'canonical_url: "{ARTICLE}"' in text
    assert f'image: "{IMAGE}"' in text


def test_epub_is_valid_and_carries_the_encoded_urls(article: Article, tmp_path: Path) -> None:
    mirror = tmp_path / "uploads"
    (mirror / "2025" / "01").mkdir(parents=True)
    Image.new("RGB", (64, 32), (200, 120, 40)).save(mirror / "2025/01/AI china.jpg", "JPEG")
    options = Options(fetch=FetchOptions(image_root=mirror, offline=True, cache_dir=tmp_path))
    book = build([article], options)
    assert book.warnings == []
    path = tmp_path / "book.epub"
    path.write_bytes(book.data)
    report = run_epubcheck(path)
    checker = report["checker"]
    assert isinstance(checker, dict)
    assert {k: checker[k] for k in ("nFatal", "nError", "nWarning")} == {
        "nFatal": 0,
        "nError": 0,
        "nWarning": 0,
    }, report["messages"]
    doc = book.documents["EPUB/article-900001.xhtml"]
    assert doc.xpath("//h:footer//h:a/@href", namespaces=EPUB_NS) == [ARTICLE]
    (lead,) = doc.xpath("//h:figure[@class='lead-image']/h:img/@src", namespaces=EPUB_NS)
    assert lead.startswith("images/")
    assert book.dc("source") == [ARTICLE]


# The one-match shortcut (urls._CANONICAL_WEB) must give exactly what the full rules give.
_URL_ALPHABET = "azAZ09-._~:/?#@!$&'()*+,;=%[]\"<> \t\n^`{|}\\é\u200b" + "0123456789abcdefABCDEF"
_PREFIXES = ["https://", "http://", "HTTPS://", "https:", "//", "ftp://", "https://u@", ""]


@given(st.sampled_from(_PREFIXES), st.text(alphabet=_URL_ALPHABET, max_size=40))
def test_the_shortcut_agrees_with_the_full_rules(prefix: str, rest: str) -> None:
    url = prefix + rest
    full = urls._web_url(url.strip())
    assert web_url(url) == full
    if urls._CANONICAL_WEB.fullmatch(url.strip()) and not urls._BAD_PERCENT.search(url):
        assert full == (url.strip(), "")  # the shortcut only takes what the rules keep as is


def test_the_shortcut_takes_the_samples_urls(articles: list[Article]) -> None:
    """The common case is the shortcut's: every image rendition URL of the samples."""
    found = [r.url for a in articles if a.image for r in a.image.renditions]
    assert len(found) > 20
    assert all(urls._CANONICAL_WEB.fullmatch(u) for u in found)
    assert all(urls._web_url(u) == (u, "") for u in found)


@given(st.sampled_from(_PREFIXES), st.text(alphabet=_URL_ALPHABET, max_size=40))
def test_the_body_shortcut_agrees_with_the_full_rules(prefix: str, rest: str) -> None:
    """The same shortcut for links and images in bodies (transforms.resolve_url)."""
    from converter.content.transforms import Context, _resolve, resolve_url

    url = prefix + rest
    ctx = Context(base="https://www.dailymaverick.co.za/article/x/")
    assert resolve_url(url, ctx) == _resolve(url.strip(), ctx)
