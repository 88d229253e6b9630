"""A lead image that is also the body's opening picture is shown once (issue 11, item 4).

Decided once (images.shown_in_body, on images.same_picture) for the HTML page, the EPUB article
document and the feeds' content; the body's figure stays (it may have a caption), the separate
lead figure goes. Metadata that is not shown as content (og:image, enclosures, Media RSS, the
JSON Feed image) keeps the lead image.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import feedparser
import html5lib
import pytest
from lxml import etree

from converter import Options, render
from converter.cms import parse_article
from converter.content import parse
from converter.images import same_picture, shown_in_body
from converter.model import Article, Image, Rendition

from .test_epub import MIRROR, build, offline

WWW = "https://www.dailymaverick.co.za/wp-content/uploads"
CDN = "https://dmcdn.whitebeard.net"
ORIGINAL = f"{CDN}/dailymaverick/wp-content/uploads/2025/01/AI-china.jpg"
SIG = "pbF9sX5mxOIJQit2gfXQVW9dL18="


def thumbor(size: str, path: str = "2025/01/AI-china.jpg") -> str:
    return f"{CDN}/i/{SIG}/{size}/filters:strip_exif()/file/dailymaverick/wp-content/uploads/{path}"


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        (thumbor("800x0"), f"{WWW}/2025/01/AI-china.jpg", True),
        (thumbor("800x0"), f"{WWW}/2025/01/AI-china-1024x576.jpg", True),
        (thumbor("800x0"), f"{WWW}/2025/01/AI-china-scaled.jpg", True),
        (thumbor("800x0"), f"{WWW}/2025/01/AI-china-rotated.jpg", True),
        (ORIGINAL, f"{WWW}/2025/01/ai-china-300x169.JPG", True),
        (
            ORIGINAL,
            "https://i0.wp.com/www.dailymaverick.co.za/wp-content/uploads/2025/01/AI-china.jpg?resize=800,450",
            True,
        ),
        (thumbor("200x100"), thumbor("1600x0"), True),
        (
            f"{WWW}/2023/02/Op-Ed-1600x901-1.jpeg",
            f"{WWW}/2023/02/Op-Ed-1600x901-1-1024x576.jpeg",
            True,
        ),
        (f"{WWW}/2023/02/Op-Ed-1600x901.jpeg", f"{WWW}/2023/02/Op-Ed-1600x901-1024x576.jpeg", True),
        (f"{WWW}/2025/01/AI%20china.jpg", f"{WWW}/2025/01/AI china-1024x576.jpg", True),
        (f"{WWW}/2025/01/%C3%BC.jpg", f"{WWW}/2025/01/%c3%9c-scaled.jpg", True),
        (thumbor("800x0"), f"{WWW}/2025/01/china-AI-480x273.jpg", False),
        (thumbor("800x0"), f"{WWW}/2024/01/AI-china.jpg", False),
        (thumbor("800x0"), f"{WWW}/2025/01/AI-china.png", False),
        (thumbor("800x0"), f"{WWW}/2025/01/AI-china-1.jpg", False),
        (thumbor("800x0"), f"{WWW}/2025/01/AI-china-e1700000000000.jpg", False),
        (thumbor("800x0"), "https://example.org/AI-china.jpg", False),
        ("https://example.org/a.jpg", "https://example.org/a.jpg", True),
        ("https://example.org/a.jpg", "https://example.org/A.jpg", False),
        ("https://example.org/a.jpg", "https://example.org/a-1024x576.jpg", False),
        ("https://example.org/a.jpg", "https://example.org/a.jpg?w=800", False),
        ("https://example.org/a.jpg", "https://cdn.example.org/a.jpg", False),
        (f"{WWW}/", f"{WWW}/", True),
    ],
    ids=[
        "thumbor-vs-body-original",
        "thumbor-vs-size-copy",
        "thumbor-vs-scaled",
        "thumbor-vs-rotated",
        "case-insensitive",
        "photon-with-query",
        "two-transforms",
        "dedup-suffix-kept-size-removed",
        "size-in-the-original-name",
        "percent-encoding-aside",
        "non-ascii-case-aside",
        "other-file",
        "other-month",
        "other-extension",
        "dedup-copy-is-another-upload",
        "edited-copy-is-another-picture",
        "not-an-upload",
        "other-urls-exact",
        "other-urls-case-sensitive",
        "other-urls-keep-suffixes",
        "other-urls-query",
        "other-urls-host",
        "no-file-name",
    ],
)
def test_same_picture(a: str, b: str, same: bool) -> None:
    assert same_picture(a, b) is same
    assert same_picture(b, a) is same


LEAD = Image(
    ORIGINAL,
    caption="Huawei's Mate 60 Pro",
    renditions=(Rendition(thumbor("800x0"), 800), Rendition(thumbor("1600x0"), 1600)),
)
BODY_SRC = f"{WWW}/2025/01/AI-china-1024x576.jpg"


@pytest.mark.parametrize(
    ("body", "shown"),
    [
        (f'<figure><img src="{BODY_SRC}" alt=""><figcaption>C</figcaption></figure><p>x</p>', True),
        (f'<figure><figcaption>C</figcaption><img src="{BODY_SRC}" alt=""></figure>', True),
        (f'<figure><a href="{WWW}/x/"><img src="{BODY_SRC}" alt=""></a></figure>', True),
        (f'<p><img src="{BODY_SRC}" alt=""></p><p>Text.</p>', True),
        (f'<p> \u00a0<a href="{BODY_SRC}"><img src="{BODY_SRC}" alt=""></a> </p>', True),
        (f'<p><img src="{BODY_SRC}" alt=""> Riders make their way.</p>', False),
        (f'<p>Text <img src="{BODY_SRC}" alt=""></p>', False),
        (f'<p><img src="{BODY_SRC}" alt=""><img src="{BODY_SRC}" alt=""></p>', False),
        (f'<p><a href="/x">link <img src="{BODY_SRC}" alt=""></a></p>', False),
        (f'<p>Text.</p><figure><img src="{BODY_SRC}" alt=""></figure>', False),
        (f'<h2>Title</h2><p><img src="{BODY_SRC}" alt=""></p>', False),
        (f'<figure><img src="{WWW}/2025/01/huawei-480x229.jpg" alt=""></figure>', False),
        (
            '<figure class="embed" data-embed="youtube"><figcaption><a href="https://youtu.be/x">V</a></figcaption></figure>',
            False,
        ),
        ("", False),
    ],
    ids=[
        "figure-with-caption",
        "figure-caption-first",
        "linked-figure",
        "paragraph-of-just-the-image",
        "linked-image-and-spaces",
        "image-then-text",
        "text-then-image",
        "two-images",
        "link-with-text",
        "not-the-first-block",
        "heading-first",
        "another-picture",
        "embed",
        "empty-body",
    ],
)
def test_shown_in_body(body: str, shown: bool) -> None:
    assert shown_in_body(LEAD, parse(body)) is shown


def test_no_lead_image_is_never_in_the_body() -> None:
    assert shown_in_body(None, parse(f'<figure><img src="{BODY_SRC}" alt=""></figure>')) is False


# ---------------------------------------------------------------------------------------------
# Rendered: the picture shows once in every output's content, and metadata keeps the lead

# The sample mirror has this upload, so the EPUB can package the body's image offline.
MIRRORED = f"{WWW}/2025/01/AI-china.jpg"
assert (MIRROR / "2025/01/AI-china.jpg").is_file()
MRSS = {"m": "http://search.yahoo.com/mrss/"}
CAPTION = "Huawei quietly released its flagship Mate 60 Pro handset."


def record(contents: str, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "900003",
        "title": "Lead image in the body",
        "slug": "lead-image-in-the-body",
        "firstPublished": "2025-01-27 10:00:00",
        "summary": "Summary.",
        "contents": contents,
        "attachments": [
            {
                "type": "image",
                "name": "Huawei's Mate 60 Pro",
                "url": ORIGINAL,
                "transforms": [
                    {"x": "200", "y": "100", "url": thumbor("200x100")},
                    {"x": "800", "y": "0", "url": thumbor("800x0")},
                    {"x": "1600", "y": "0", "url": thumbor("1600x0")},
                ],
            }
        ],
    }
    base.update(fields)
    return base


def article_of(contents: str) -> Article:
    return parse_article(record(contents), "in.json", "item 1", Options())


IN_BODY = (
    f'[caption id="" align="alignnone" width="1024"]<img src="{MIRRORED}" alt="The phone" '
    f'width="1024" height="576" /> {CAPTION}[/caption]\n\nThe body text.'
)
NOT_IN_BODY = f'<p>The body text.</p><p><img src="{WWW}/2025/01/huawei-480x229.jpg" alt="x"></p>'


def _pictures(fragment: str) -> list[str]:
    """src of every <img> of the lead's picture in an HTML fragment or page."""
    tree = html5lib.parse(fragment, treebuilder="lxml", namespaceHTMLElements=False)
    return [src for src in tree.xpath("//img/@src") if same_picture(src, ORIGINAL)]


@pytest.mark.parametrize(("contents", "count"), [(IN_BODY, 1), (NOT_IN_BODY, 1)])
def test_html_page_shows_the_picture_once(contents: str, count: int) -> None:
    article = article_of(contents)
    data = render("html", [article], Options())
    assert len(_pictures(data.decode())) == count
    page = html5lib.parse(data, treebuilder="lxml", namespaceHTMLElements=False)
    lead = page.xpath("//figure[@class='lead-image']")
    body_figure = page.xpath("//div[@class='article-body']/*[1][self::figure]")
    if contents is IN_BODY:
        assert lead == []
        assert "".join(body_figure[0].xpath(".//figcaption//text()")).strip() == CAPTION
    else:
        assert len(lead) == 1 and body_figure == []
    # Metadata is not content: the social image stays the lead's.
    assert page.xpath("//meta[@property='og:image']/@content") == [thumbor("1600x0")]
    (ld,) = page.xpath("//script[@type='application/ld+json']/text()")
    assert json.loads(ld)["image"] == [thumbor("1600x0"), thumbor("800x0")]


def test_fragment_and_markdown_are_unchanged_by_the_rule() -> None:
    """Neither puts a lead figure before the body: the body's figure is there once already."""
    article = article_of(IN_BODY)
    assert len(_pictures(render("html", [article], Options(fragment=True)).decode())) == 1
    text = render("markdown", [article], Options()).decode()
    assert text.count("AI-china") == 2  # the front matter's image, and the body's figure
    assert f'image: "{thumbor("1600x0")}"' in text


@pytest.mark.parametrize("contents", [IN_BODY, NOT_IN_BODY])
def test_feeds_show_the_picture_once_and_keep_the_lead_as_metadata(contents: str) -> None:
    article = article_of(contents)
    rss = render("rss", [article], Options())
    assert feedparser.parse(rss).bozo == 0
    item = etree.fromstring(rss).find("channel/item")
    assert item is not None
    encoded = item.findtext("{http://purl.org/rss/1.0/modules/content/}encoded") or ""
    assert len(_pictures(encoded)) == 1
    assert item.xpath("enclosure/@url") == [thumbor("800x0")]
    assert item.xpath("m:content/@url", namespaces=MRSS) == [thumbor("800x0")]
    atom = feedparser.parse(render("atom", [article], Options()))
    assert atom.bozo == 0
    assert len(_pictures(atom.entries[0].content[0].value)) == 1
    doc = json.loads(render("json-feed", [article], Options()))
    (json_item,) = doc["items"]
    assert len(_pictures(json_item["content_html"])) == 1
    assert json_item["image"] == thumbor("800x0")
    assert json_item["banner_image"] == thumbor("1600x0")
    first = etree.fromstring(f"<div>{json_item['content_html']}</div>", etree.HTMLParser())
    opening = first.find("body/div/*")
    assert opening is not None and opening.tag == "figure"
    if contents is IN_BODY:  # the body's own figure, with its caption
        assert opening.xpath("string(.//img/@src)") == MIRRORED
        assert opening.xpath("string(figcaption)").strip() == CAPTION


@pytest.mark.parametrize(("contents", "images"), [(IN_BODY, 1), (NOT_IN_BODY, 2)])
def test_epub_article_document_shows_the_picture_once(
    contents: str, images: int, tmp_path: Path
) -> None:
    book = build([article_of(contents)], offline(tmp_path))
    doc = book.documents["EPUB/article-900003.xhtml"]
    x = {"h": "http://www.w3.org/1999/xhtml"}
    # Packaged images are named by content hash; the mirror has one file for each picture.
    assert len(doc.xpath("//h:img", namespaces=x)) == images
    lead = doc.xpath("//h:figure[@class='lead-image']", namespaces=x)
    assert len(lead) == (0 if contents is IN_BODY else 1)
    if contents is IN_BODY:
        (figure,) = doc.xpath("//h:div[@class='article-body']/h:figure", namespaces=x)
        assert figure.xpath("string(h:figcaption)", namespaces=x).strip() == CAPTION
