"""Repeated bylines are not repeated (issue 11, item 4): decided once, where authors are parsed.

"Staff Reporter and Staff Reporter" is one byline: authors with the same name (case and
spacing aside) or the same id are one person, in every output.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import feedparser
import html5lib
import pytest
import yaml
from lxml import etree

from converter import Options, render
from converter.cms import parse_article
from converter.model import Article, Author

from .test_epub import NS as EPUB_NS
from .test_epub import build

WWW = "https://www.dailymaverick.co.za"
H = {"h": "http://www.w3.org/1999/xhtml"}
DC = {"dc": "http://purl.org/dc/elements/1.1/"}
ATOM = {"a": "http://www.w3.org/2005/Atom"}


def parse(authors: Any) -> Article:
    record = {
        "id": "900002",
        "title": "Bylines",
        "firstPublished": "2025-01-27 10:00:00",
        "contents": "<p>Text.</p>",
        "authors": authors,
    }
    return parse_article(record, "in.json", "item 1", Options())


@pytest.mark.parametrize(
    ("authors", "expected"),
    [
        (
            [{"id": "1", "name": "Staff Reporter"}, {"id": "1", "name": "Staff Reporter"}],
            (Author("Staff Reporter", "", "1"),),
        ),
        (
            [
                {"id": "1", "name": "Staff Reporter", "url": f"{WWW}/author/staff-reporter/"},
                {"id": "666", "name": "Staff Reporter <script>alert(3)</script>"},
            ],
            (Author("Staff Reporter", f"{WWW}/author/staff-reporter/", "1"),),
        ),
        (
            [{"name": "Staff Reporter"}, {"name": "  STAFF\u00a0 reporter "}, "staff reporter"],
            (Author("Staff Reporter"),),
        ),
        (
            [{"name": "Straße Desk"}, {"name": "STRASSE DESK"}],
            (Author("Straße Desk"),),
        ),
        (
            [{"id": "9", "name": "Jane Doe"}, {"id": "9", "name": "J. Doe"}],
            (Author("Jane Doe", "", "9"),),
        ),
        (
            [{"name": "Reuters"}, {"id": "4", "name": "Reuters", "url": f"{WWW}/author/reuters/"}],
            (Author("Reuters", f"{WWW}/author/reuters/", "4"),),
        ),
        (
            [{"id": "0", "name": "Reuters"}, {"id": "0", "name": "AFP"}],
            (Author("Reuters", "", "0"), Author("AFP", "", "0")),
        ),
        (
            [{"id": "1", "name": "Ada"}, {"id": "2", "name": "Bo"}, {"id": "3", "name": "ada"}],
            (Author("Ada", "", "1"), Author("Bo", "", "2")),
        ),
        (
            [{"id": "1", "name": "Staff Reporter"}, {"id": "2", "name": "Staff Reporters"}],
            (Author("Staff Reporter", "", "1"), Author("Staff Reporters", "", "2")),
        ),
    ],
    ids=[
        "same-name-same-id",
        "same-name-after-markup-is-stripped",
        "case-and-spacing-aside",
        "casefolded",
        "same-id-other-spelling",
        "repeat-lends-its-url-and-id",
        "id-0-is-no-id",
        "order-kept",
        "different-people-kept",
    ],
)
def test_each_person_once(authors: Any, expected: tuple[Author, ...]) -> None:
    assert parse(authors).authors == expected


@pytest.fixture(scope="module")
def article() -> Article:
    return parse(
        [
            {"id": "1", "name": "Staff Reporter", "url": f"{WWW}/author/staff-reporter/"},
            {"id": "2", "name": "staff  reporter", "url": f"{WWW}/author/staff-reporter-2/"},
            {"id": "3", "name": "Ada Author"},
            {"id": "3", "name": "Ada Author"},
        ]
    )


NAMES = ["Staff Reporter", "Ada Author"]


def test_html_byline_and_json_ld_name_each_person_once(article: Article) -> None:
    page = html5lib.parse(
        render("html", [article], Options()), treebuilder="lxml", namespaceHTMLElements=True
    )
    (byline,) = page.xpath("//h:p[@class='byline']", namespaces=H)
    assert "".join(byline.itertext()) == "By Staff Reporter and Ada Author"
    (ld,) = page.xpath("//h:script[@type='application/ld+json']/text()", namespaces=H)
    assert [a["name"] for a in json.loads(ld)["author"]] == NAMES


def test_markdown_front_matter_names_each_person_once(article: Article) -> None:
    text = render("markdown", [article], Options()).decode()
    front = yaml.safe_load(text.split("---\n")[1])
    assert front["authors"] == NAMES


def test_feeds_name_each_person_once(article: Article) -> None:
    data = render("rss", [article], Options())
    assert feedparser.parse(data).bozo == 0
    creators = etree.fromstring(data).xpath("//item/dc:creator/text()", namespaces=DC)
    assert creators == NAMES
    data = render("atom", [article], Options())
    assert feedparser.parse(data).bozo == 0
    entry = etree.fromstring(data).find("{http://www.w3.org/2005/Atom}entry")
    assert entry is not None
    assert entry.xpath("a:author/a:name/text()", namespaces=ATOM) == NAMES
    assert entry.xpath("dc:creator/text()", namespaces=DC) == NAMES
    doc = json.loads(render("json-feed", [article], Options()))
    assert [a["name"] for a in doc["items"][0]["authors"]] == NAMES


def test_epub_creators_and_byline_name_each_person_once(article: Article, tmp_path: Path) -> None:
    from converter.options import EpubOptions, FetchOptions

    options = Options(
        fetch=FetchOptions(offline=True, cache_dir=tmp_path), epub=EpubOptions(images=False)
    )
    book = build([article], options)
    assert book.dc("creator") == NAMES
    doc = book.documents["EPUB/article-900002.xhtml"]
    (byline,) = doc.xpath("//h:p[@class='byline']", namespaces=EPUB_NS)
    assert "".join(byline.itertext()) == "By Staff Reporter and Ada Author"
