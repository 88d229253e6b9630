"""The HTML adapter: the seed as the issue describes it, the Nu checker on every page, fragments."""

from __future__ import annotations

import json
from pathlib import Path

import html5lib
import pytest
from lxml import etree

from converter import Article, Options, render

from .conftest import nu_check, run_cli

SEED_ID = "2563086"
NS = {"h": "http://www.w3.org/1999/xhtml"}


def html5(data: bytes) -> etree._Element:
    """Parse with a real HTML5 parser (the browser algorithm), into an lxml tree."""
    tree: etree._Element = html5lib.parse(data, treebuilder="lxml", namespaceHTMLElements=True)
    return tree


@pytest.fixture(scope="module")
def html_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("html")
    proc = run_cli("html", "samples", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture(scope="module")
def seed_page(by_id: dict[str, Article]) -> etree._Element:
    return html5(render("html", [by_id[SEED_ID]], Options()))


def test_seed_bare_text_paragraphs_are_separate_paragraphs(seed_page: etree._Element) -> None:
    paras = seed_page.xpath("//h:div[@class='article-body']/h:p", namespaces=NS)
    texts = [" ".join("".join(p.itertext()).split()) for p in paras]
    assert texts[0].startswith("In 2023, smartphones-to-silicon conglomerate Huawei")
    assert texts[1].startswith("Those accomplishments underscore")
    assert texts[2].startswith("Consecutive US administrations")
    assert texts[-1] == "Editing by Liam Proud and Oliver Taslic"
    assert len(paras) == 15  # 4 bare-text paragraphs, 10 Reuters <div>s, the sign-off


def test_seed_inline_images_are_figures(seed_page: etree._Element) -> None:
    srcs = seed_page.xpath("//h:div[@class='article-body']//h:figure/h:img/@src", namespaces=NS)
    assert srcs == [
        "https://www.dailymaverick.co.za/wp-content/uploads/2025/01/huawei-480x229.jpg",
        "https://www.dailymaverick.co.za/wp-content/uploads/2025/01/china-AI-480x273.jpg",
    ]


def test_seed_lead_image_has_the_proportional_srcset(seed_page: etree._Element) -> None:
    (img,) = seed_page.xpath("//h:figure[@class='lead-image']/h:img", namespaces=NS)
    widths = [c.rsplit(" ", 1)[1] for c in img.get("srcset").split(", ")]
    assert widths == ["450w", "800w", "1200w", "1600w"]
    assert "/800x0/" in img.get("src")
    assert "200x100" not in img.get("srcset")  # the crop is never mixed in
    assert img.get("sizes")


def test_seed_dates_are_in_plus_two(seed_page: etree._Element) -> None:
    times = seed_page.xpath("//h:time/@datetime", namespaces=NS)
    assert times[0] == "2025-01-27T05:21:59+02:00"
    ld = json.loads(
        seed_page.xpath("//h:script[@type='application/ld+json']", namespaces=NS)[0].text
    )
    assert ld["datePublished"] == "2025-01-27T05:21:59+02:00"
    assert ld["dateModified"] == "2025-01-27T05:22:00+02:00"


def test_seed_links_are_absolute_and_clean(seed_page: etree._Element) -> None:
    links = seed_page.xpath("//h:div[@class='article-body']//h:a", namespaces=NS)
    assert len(links) == 11  # every <a href> of the source
    for a in links:
        assert a.get("href").startswith("https://")
        assert set(a.attrib) == {"href"}
    body = seed_page.xpath("//h:div[@class='article-body']", namespaces=NS)[0]
    for el in body.iter():
        assert not any(k == "class" or k.startswith("data-") for k in el.attrib if el is not body)


def test_seed_head_has_what_partners_and_crawlers_read(seed_page: etree._Element) -> None:
    def meta(attr: str, value: str) -> list[str]:
        return seed_page.xpath(f"//h:meta[@{attr}='{value}']/@content", namespaces=NS)  # type: ignore[no-any-return]

    assert seed_page.xpath("/h:html/@lang", namespaces=NS) == ["en"]
    assert seed_page.xpath("//h:meta/@charset", namespaces=NS) == ["utf-8"]
    assert seed_page.xpath("//h:link[@rel='canonical']/@href", namespaces=NS) == [
        "https://staging.dailymaverick.co.za/article/2025-01-27-how-china-can-keep-pace-in-the-global-ai-race/"
    ]
    assert meta("name", "description")[0].startswith("China's tech advancements")
    assert meta("property", "og:title") == ["How China can keep pace in the global AI race"]
    assert "/1200x0/" in meta("property", "og:image")[0]
    assert meta("name", "twitter:card") == ["summary_large_image"]
    ld = json.loads(
        seed_page.xpath("//h:script[@type='application/ld+json']", namespaces=NS)[0].text
    )
    assert ld["@type"] == "NewsArticle" and ld["author"][0]["name"] == "Reuters"
    assert ld["articleSection"] == "Business Maverick"
    header = seed_page.xpath("//h:article/h:header", namespaces=NS)[0]
    assert "By Reuters" in " ".join("".join(header.itertext()).split())


def test_base_url_rewrites_the_staging_host(by_id: dict[str, Article]) -> None:
    from converter import read_articles

    (article,) = [
        a
        for a in read_articles(
            ["samples/01-seed.txt"], Options(base_url="https://www.dailymaverick.co.za")
        )
    ]
    assert isinstance(article, Article)
    page = html5(render("html", [article], Options()))
    assert page.xpath("//h:link[@rel='canonical']/@href", namespaces=NS) == [
        "https://www.dailymaverick.co.za/article/2025-01-27-how-china-can-keep-pace-in-the-global-ai-race/"
    ]


def test_every_standalone_page_passes_the_nu_html_checker(html_dir: Path) -> None:
    pages = sorted(html_dir.glob("*.html"))
    assert len(pages) == 20
    assert nu_check(pages) == []


def test_fragment_is_only_the_body(by_id: dict[str, Article]) -> None:
    data = render("html", [by_id[SEED_ID]], Options(fragment=True)).decode()
    assert "<html" not in data and "<head" not in data and "<h1" not in data
    assert data.startswith("<p>In 2023, smartphones-to-silicon")


def test_embeds_are_framed_only_for_allow_listed_hosts(by_id: dict[str, Article]) -> None:
    page = html5(render("html", [by_id["2563512"]], Options()))
    frames = page.xpath("//h:iframe/@src", namespaces=NS)
    hosts = {src.split("/")[2] for src in frames}
    assert hosts == {
        "www.youtube-nocookie.com",
        "datawrapper.dwcdn.net",
        "flo.uri.sh",
        "player.vimeo.com",
    }
    for frame in page.xpath("//h:iframe", namespaces=NS):
        assert frame.get("sandbox") and frame.get("title") and frame.get("loading") == "lazy"
    assert page.xpath("//h:blockquote[@class='twitter-tweet']", namespaces=NS)
    assert not page.xpath("//h:script[not(@type='application/ld+json')]", namespaces=NS)
    links = page.xpath("//h:a/@href", namespaces=NS)
    assert "https://example-widgets.com/poll/9" in links  # the unknown iframe left a link
    assert page.xpath("//h:video/@src", namespaces=NS) and page.xpath(
        "//h:audio/@src", namespaces=NS
    )
