"""The HTML adapter: the seed as the issue describes it, the Nu checker on every page, fragments."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import html5lib
import pytest
from lxml import etree

from converter import Article, Options, render
from converter.adapters.html import STYLE, STYLESHEET, minify_css
from converter.content import Context, normalise

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
        # a frame is named by its provider and title, never by a URL (the bare YouTube and
        # Vimeo URLs of the sample are "YouTube: https://…" in their links)
        assert "://" not in frame.get("title", "")
    titles = page.xpath("//h:iframe/@title", namespaces=NS)
    assert "YouTube" in titles and "Vimeo" in titles
    assert page.xpath("//h:blockquote[@class='twitter-tweet']", namespaces=NS)
    assert not page.xpath("//h:script[not(@type='application/ld+json')]", namespaces=NS)
    links = page.xpath("//h:a/@href", namespaces=NS)
    assert "https://example-widgets.com/poll/9" in links  # the unknown iframe left a link
    assert page.xpath("//h:video/@src", namespaces=NS) and page.xpath(
        "//h:audio/@src", namespaces=NS
    )


# --- the page as a publication (issue 14 item 8) ------------------------------------------------

PAYWALLED_ID = "2401177"
DRAFT_ID = "2630015"
EMBEDS_ID = "2563512"
TABLE_ID = "1560201"


def styles(page: etree._Element) -> list[str]:
    return [s.text or "" for s in page.xpath("//h:style", namespaces=NS)]


def test_the_default_stylesheet_is_in_the_page_and_asks_for_nothing(
    seed_page: etree._Element,
) -> None:
    assert styles(seed_page) == [STYLE]
    assert len(STYLE) < len(STYLESHEET) * 0.8  # minified: no comments, no indentation
    for needed in (
        "@media (prefers-color-scheme:dark){",
        "@media print{",
        "@media (max-width:30em){",
        ".table-scroll{max-width:100%;overflow-x:auto}",
        "pre{overflow-x:auto;",
        "img{max-width:100%;height:auto}",
        "figure.embed iframe{display:block;width:100%;height:auto;aspect-ratio:16 / 9;",
        'content:" (" attr(href) ")"',
        "font:700 clamp(1.75rem,1.2rem + 2.4vw,2.6rem)/1.15 var(--serif)",
    ):
        assert needed in STYLE
    for external in ("@import", "url(", "@font-face", "http:", "https:"):  # no request of its own
        assert external not in STYLE.lower()
    assert not seed_page.xpath(
        "//h:link[@rel='stylesheet'] | //h:script[not(@type='application/ld+json')]", namespaces=NS
    )


@pytest.mark.parametrize(
    ("css", "minified"),
    [
        ("a  {\n  color:  red ;\n}\n", "a{color:red}"),
        ("/* c ' */ p > a , b { margin: 0 }", "p>a,b{margin:0}"),
        ('a::after { content: "  /* kept */  " }', 'a::after{content:"  /* kept */  "}'),
        (
            "@media screen and (max-width: 30em) { p { width: calc(1px + 2%) } }",
            "@media screen and (max-width:30em){p{width:calc(1px + 2%)}}",
        ),
        ("p :first-child { x: y }", "p :first-child{x:y}"),  # a descendant, not p:first-child
    ],
)
def test_minify_css_keeps_meaning(css: str, minified: str) -> None:
    assert minify_css(css) == minified


def test_css_option_replaces_the_stylesheet(by_id: dict[str, Article]) -> None:
    css = "body { font-family: serif; }\n.x::after { content: 'a  b'; }\n"
    page = html5(render("html", [by_id[SEED_ID]], Options(css=css)))
    assert styles(page) == [css]  # as given: not minified, not merged with the default
    assert styles(html5(render("html", [by_id[SEED_ID]], Options(css="  \n")))) == [STYLE]


@pytest.mark.parametrize("end", ["</style>", "</STYLE >", "</style/", "</Style\t"])
def test_css_option_cannot_end_the_style_element(by_id: dict[str, Article], end: str) -> None:
    css = (
        f"p {{ color: red }}\n{end}<script>alert(1)</script><style>\nh1 {{ content: '{end}' }}\x01"
    )
    data = render("html", [by_id[SEED_ID]], Options(css=css))
    page = html5(data)
    (style,) = styles(page)
    assert style == css.replace(end, "<\\/" + end[2:]).replace("\x01", "")  # the same CSS
    assert not page.xpath("//h:script[not(@type='application/ld+json')]", namespaces=NS)
    assert page.xpath("string(//h:h1)", namespaces=NS) == by_id[SEED_ID].title
    assert data.count(b"</style>") == 1


def test_a_paywalled_page_ends_with_a_notice_and_a_link(by_id: dict[str, Article]) -> None:
    article = by_id[PAYWALLED_ID]
    assert article.paywalled
    page = html5(render("html", [article], Options()))
    (main,) = page.xpath("//h:body/h:article", namespaces=NS)
    tags = [etree.QName(child).localname for child in main]
    assert tags[-3:] == ["div", "p", "footer"]
    note = main[-2]
    assert note.get("class") == "paywall-note"
    assert " ".join("".join(note.itertext()).split()) == (
        "This is the part of the article open to all. Read the full article on Daily Maverick."
    )
    assert note.xpath("h:a/@href", namespaces=NS) == [article.url]
    for free in (SEED_ID, DRAFT_ID, TABLE_ID):
        assert not html5(render("html", [by_id[free]], Options())).xpath(
            "//*[@class='paywall-note']", namespaces=NS
        )
    without_url = html5(render("html", [replace(article, url="")], Options()))
    assert without_url.xpath("//h:p[@class='paywall-note']/h:a/@href", namespaces=NS) == [
        "https://www.dailymaverick.co.za/"
    ]


def robots(article: Article) -> list[str]:
    page = html5(render("html", [article], Options()))
    return page.xpath("//h:meta[@name='robots']/@content", namespaces=NS)  # type: ignore[no-any-return]


def test_drafts_and_noindex_articles_are_noindex(by_id: dict[str, Article]) -> None:
    assert by_id[DRAFT_ID].status == "draft"
    assert robots(by_id[DRAFT_ID]) == ["noindex"]
    seed = by_id[SEED_ID]
    assert robots(seed) == []
    assert robots(replace(seed, noindex=True)) == ["noindex"]  # excludedFromGoogleSearchEngine
    for status in ("future", "pending", "private"):
        assert robots(replace(seed, status=status)) == ["noindex"]
    assert robots(replace(seed, noindex=True, status="draft")) == ["noindex"]  # once


def test_a_video_has_its_poster_and_size(by_id: dict[str, Article]) -> None:
    page = html5(render("html", [by_id[EMBEDS_ID]], Options()))
    (video,) = page.xpath("//h:figure[@class='embed'][@data-embed='video']/h:video", namespaces=NS)
    assert dict(video.attrib) == {
        "src": "https://www.dailymaverick.co.za/wp-content/uploads/2025/01/brixton-tanker-queue-clip.mp4",
        "controls": "",
        "preload": "none",
        "poster": "https://www.dailymaverick.co.za/wp-content/uploads/2025/01/brixton-tanker-queue-poster.jpg",
    }
    contents = '[video mp4="/v/clip.mp4" poster="/v/still.jpg" width="640" height="360"]'
    body = normalise(contents, Context(base="https://www.dailymaverick.co.za/a/")).html
    page = html5(render("html", [replace(by_id[SEED_ID], body=body)], Options()))
    (figure,) = page.xpath("//h:figure[@class='embed']", namespaces=NS)
    assert dict(figure.attrib) == {
        "class": "embed",
        "data-embed": "video",
    }  # all moved onto the video
    (video,) = figure.xpath("h:video", namespaces=NS)
    assert video.get("poster") == "https://www.dailymaverick.co.za/v/still.jpg"
    assert (video.get("width"), video.get("height")) == ("640", "360")


def test_a_forged_poster_or_size_is_never_shown(by_id: dict[str, Article]) -> None:
    """The adapter checks again what the pipeline made valid (a body given straight to it)."""
    body = (
        '<figure class="embed" data-embed="video" data-src="https://a.org/v.mp4" data-poster="javascript:alert(1)" '
        'data-video-width="100%" data-video-height="9"><figcaption><a href="https://a.org/v.mp4">v</a></figcaption></figure>'
    )
    page = html5(render("html", [replace(by_id[SEED_ID], body=body)], Options()))
    (video,) = page.xpath("//h:video", namespaces=NS)
    assert set(video.attrib) == {"src", "controls", "preload"}


def test_tables_and_pre_scroll_in_their_own_focusable_box(by_id: dict[str, Article]) -> None:
    page = html5(render("html", [by_id[TABLE_ID]], Options()))
    (table,) = page.xpath("//h:table", namespaces=NS)
    box = table.getparent()
    assert dict(box.attrib) == {
        "class": "table-scroll",
        "tabindex": "0",
        "role": "region",
        "aria-label": "Table",
    }
    assert (
        etree.QName(box.getparent()).localname == "div"
        and box.getparent().get("class") == "article-body"
    )
    assert len(box) == 1 and not (box.text or "").strip()
    captioned = normalise(
        "<table><caption>Seats  by <em>party</em></caption><tr><td>1</td></tr></table><p>after</p>"
    ).html
    page = html5(render("html", [replace(by_id[SEED_ID], body=captioned)], Options()))
    assert page.xpath("//h:div[@class='table-scroll']/@aria-label", namespaces=NS) == [
        "Seats by party"
    ]
    assert page.xpath("string(//h:div[@class='article-body']/h:p)", namespaces=NS) == "after"
    code = html5(render("html", [by_id["1560412"]], Options()))
    assert code.xpath("//h:pre/@tabindex", namespaces=NS) == ["0"]
    fragment = render("html", [by_id[TABLE_ID]], Options(fragment=True)).decode()
    assert "table-scroll" not in fragment and "tabindex" not in fragment  # the body as it is


def test_new_page_parts_pass_the_nu_html_checker(by_id: dict[str, Article], tmp_path: Path) -> None:
    seed = by_id[SEED_ID]
    captioned = normalise(
        "<table><caption>Seats</caption><tr><th>a</th></tr><tr><td>1</td></tr></table><pre>x</pre>"
    ).html
    pages = {
        "video.html": render(
            "html",
            [
                replace(
                    seed,
                    body=normalise(
                        '[video src="https://a.org/v.mp4" poster="https://a.org/p.jpg" width="640" height="360"]'
                    ).html,
                )
            ],
            Options(),
        ),
        "css.html": render(
            "html", [seed], Options(css='p::after { content: "</style>" } /* </style> */')
        ),
        "paywalled-draft.html": render(
            "html", [replace(by_id[PAYWALLED_ID], status="draft")], Options()
        ),
        "table.html": render("html", [replace(seed, body=captioned)], Options()),
    }
    for name, data in pages.items():
        (tmp_path / name).write_bytes(data)
    assert nu_check(sorted(tmp_path.glob("*.html"))) == []
