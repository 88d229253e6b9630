"""Issue 11 item 6: an article whose date cannot be parsed is kept without that date (a warning
names it and the field) and left out of the feeds; a paywalled article without a summary never
gets its body as a feed summary; in the book, a figure whose image cannot be had keeps its link
and its caption. Real CLI runs; feeds read back with feedparser, books checked by EPUBCheck."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import feedparser
import pytest
from lxml import etree

from .conftest import SAMPLES, run_cli
from .test_epub import NS, run_epubcheck
from .test_feeds import json_feed_errors, record

BAD_FIRST = json.loads((SAMPLES / "14-invalid-bad-date.json").read_text(encoding="utf-8"))
BAD_FIRST_ID = "2563201"  # firstPublished "27/01/2025 around 5am", lastUpdate valid
BAD_LAST = record("9300001", lastUpdate="yesterday")  # firstPublished valid
GOOD = record("9300002")
FORMATS = ("rss", "atom", "json-feed")
ATOM = "http://www.w3.org/2005/Atom"


def write(path: Path, *records: dict[str, Any]) -> Path:
    path.write_text(json.dumps(list(records)), encoding="utf-8")
    return path


def feed_ids(fmt: str, data: bytes) -> list[str]:
    if fmt == "json-feed":
        doc = json.loads(data)
        assert json_feed_errors(doc) == []
        return [item["id"] for item in doc["items"]]
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.bozo_exception
    return [entry.id for entry in parsed.entries]


# ---------------------------------------------------------------------------------------------
# (a) unparseable dates


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unparseable_date_leaves_the_article_out_of_the_feed_with_the_rule(
    fmt: str, tmp_path: Path
) -> None:
    source = write(tmp_path / "in.json", BAD_FIRST, BAD_LAST, GOOD)
    proc = run_cli(fmt, str(source), "--limit", "0", "-o", "-", "--verbose")
    assert proc.returncode == 0, proc.stderr
    assert feed_ids(fmt, proc.stdout.encode("utf-8")) == [GOOD["url"]]
    lines = proc.stderr.splitlines()
    for article_id, field in ((BAD_FIRST_ID, "firstPublished"), ("9300001", "lastUpdate")):
        rule = f"skipped: article {article_id}: unparseable date ({field}): feeds need valid dates"
        assert rule in lines, proc.stderr
    assert "converted 1, skipped 2, failed 0" in lines[-1]
    strict = run_cli(fmt, str(source), "--limit", "0", "-o", "-", "--strict")
    assert strict.returncode == 1
    errors = [line for line in strict.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 2 and "field firstPublished: cannot parse date" in errors[0]
    assert "article 9300001: field lastUpdate: cannot parse date 'yesterday'" in errors[1]


def test_export_writes_the_article_without_the_date_and_keeps_it_out_of_the_feeds(
    tmp_path: Path,
) -> None:
    source = write(tmp_path / "in.json", BAD_FIRST, BAD_LAST, GOOD)
    out = tmp_path / "out"
    flags = ("--offline", "--no-images", "--per-article-epub")
    for jobs in ("1", "2"):
        proc = run_cli("export", str(source), "-o", str(out / jobs), "--jobs", jobs, *flags)
        assert proc.returncode == 0, proc.stderr
    report = json.loads((out / "1" / "report.json").read_text(encoding="utf-8"))
    assert report["summary"] == {"converted": 3, "skipped": 0, "failed": 0}
    assert len(report["warnings"]) == 2
    assert (
        f"article {BAD_FIRST_ID}: field firstPublished: cannot parse date" in report["warnings"][0]
    )
    assert "article 9300001: field lastUpdate: cannot parse date" in report["warnings"][1]
    for jobs in ("1", "2"):
        assert len(list((out / jobs / "html").glob("*.html"))) == 3
        assert len(list((out / jobs / "markdown").glob("*.md"))) == 3
        assert len(list((out / jobs / "epub" / "articles").glob("*.epub"))) == 3
        for name in ("rss.xml", "atom.xml", "feed.json"):
            data = (out / jobs / "feeds" / name).read_bytes()
            fmt = {"rss.xml": "rss", "atom.xml": "atom", "feed.json": "json-feed"}[name]
            assert feed_ids(fmt, data) == [GOOD["url"]], (jobs, name)
        state = (out / jobs / "state" / "feed-articles.jsonl").read_text(encoding="utf-8")
        assert [json.loads(line)["id"] for line in state.splitlines()] == ["9300002"]
    page = next((out / "1" / "html").glob("gauteng-*.html")).read_text(encoding="utf-8")
    assert "<time" not in page and "datePublished" not in page
    text = next((out / "1" / "markdown").glob("gauteng-*.md")).read_text(encoding="utf-8")
    assert "\ndate:" not in text and "\nupdated: 2025-01-27T05:40:12+02:00\n" in text
    with zipfile.ZipFile(out / "1" / "epub" / "book.epub") as book:
        opf = etree.fromstring(book.read("EPUB/content.opf"))
        document = etree.fromstring(book.read(f"EPUB/article-{BAD_FIRST_ID}.xhtml"))
    # dc:date is the newest firstPublished the book knows: GOOD's, never from the bad one
    assert opf.xpath("//dc:date/text()", namespaces=NS) == ["2024-05-08T10:10:33Z"]
    assert document.xpath("//h:time", namespaces=NS) == []


# ---------------------------------------------------------------------------------------------
# (b) paywalled articles without a summary

SECRET = "Only subscribers may read this sentence about the tender."
BARE = {"summary": None, "description": None, "short_summary": None}
PAYWALLED = record(
    "9300010", contents=f"{SECRET}\r\n\r\nAnd the rest of it.", access_control=True, **BARE
)
OPEN = record("9300011", contents=f"{SECRET}\r\n\r\nAnd the rest of it.", **BARE)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_paywalled_article_without_a_summary_gets_none_from_its_body(
    fmt: str, tmp_path: Path
) -> None:
    proc = run_cli(fmt, str(write(tmp_path / "in.json", PAYWALLED)), "-o", "-")
    assert proc.returncode == 0, proc.stderr
    data = proc.stdout.encode("utf-8")
    assert feed_ids(fmt, data) == [PAYWALLED["url"]]
    assert b"Only subscribers" not in data and b"the rest of it" not in data
    if fmt == "json-feed":
        (item,) = json.loads(data)["items"]
        assert "summary" not in item and "content_html" not in item
        assert item["content_text"] == PAYWALLED["title"]  # required, and public
    else:
        (entry,) = feedparser.parse(data).entries
        assert entry.title == PAYWALLED["title"] and "content" not in entry
        assert SECRET not in entry.get("summary", "")  # feedparser reads media:description
        root = etree.fromstring(data)
        if fmt == "rss":
            assert root.xpath("channel/item/description") == []
        else:
            assert root.xpath("a:entry/a:summary", namespaces={"a": ATOM}) == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_without_the_paywall_or_with_paywall_full_the_body_makes_the_summary(
    fmt: str, tmp_path: Path
) -> None:
    """The same body does become the summary where the feed carries the body anyway: so the
    test above would see a leak if there were one."""
    for records, flags in (((OPEN,), ()), ((PAYWALLED,), ("--paywall", "full"))):
        proc = run_cli(fmt, str(write(tmp_path / "in.json", *records)), "-o", "-", *flags)
        assert proc.returncode == 0, proc.stderr
        data = proc.stdout.encode("utf-8")
        if fmt == "json-feed":
            summary = json.loads(data)["items"][0]["summary"]
        else:
            summary = feedparser.parse(data).entries[0].summary
        assert summary.startswith(SECRET), (flags, summary)


# ---------------------------------------------------------------------------------------------
# (c) the book: a figure whose image cannot be had keeps its link and caption; no bad date

FULL = "https://www.dailymaverick.co.za/wp-content/uploads/2025/03/pier-full.jpg"
CAPTION = "The pier at Kalk Bay at low tide"
FIGURES = record(
    "9300020",
    contents=(
        "Before the pictures.\r\n\r\n"
        f'[caption id="attachment_1" align="alignnone" width="800"]<a href="{FULL}">'
        '<img src="https://www.dailymaverick.co.za/wp-content/uploads/2025/03/pier.jpg" '
        f'alt="" width="800" height="533" /></a> {CAPTION}[/caption]\r\n\r\n'
        '<figure><a href="https://www.dailymaverick.co.za/section/photos/">'
        '<img src="https://www.dailymaverick.co.za/wp-content/uploads/2025/03/harbour.jpg" '
        'alt=""></a><figcaption>Fishing boats in the harbour</figcaption></figure>\r\n\r\n'
        "After the pictures."
    ),
    attachments=[],
)


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    tmp = tmp_path_factory.mktemp("book")
    source = write(tmp / "in.json", BAD_FIRST, FIGURES)
    path = tmp / "book.epub"
    flags = ("--offline", "--cache-dir", str(tmp / "cache"))  # no mirror: no image can be had
    proc = run_cli("epub", str(source), "-o", str(path), *flags)
    assert proc.returncode == 0, proc.stderr
    return path, proc.stderr


def test_the_book_keeps_a_linked_figure_s_link_and_caption(book: tuple[Path, str]) -> None:
    path, stderr = book
    assert stderr.count("image not included") == 3, stderr  # two figures and a lead image
    with zipfile.ZipFile(path) as epub:
        document = etree.fromstring(epub.read("EPUB/article-9300020.xhtml"))
    figures = document.xpath("//h:div[@class='article-body']//h:figure", namespaces=NS)
    assert len(figures) == 2
    links = {
        "".join(f.xpath("h:a/@href", namespaces=NS)): " ".join(
            f.xpath("string(h:figcaption)", namespaces=NS).split()
        )
        for f in figures
    }
    assert links == {
        FULL: CAPTION,
        "https://www.dailymaverick.co.za/section/photos/": "Fishing boats in the harbour",
    }
    for figure in figures:
        assert figure.xpath("string(h:a)", namespaces=NS) == "Image not included."
        assert not figure.xpath(".//h:img", namespaces=NS)


def test_the_book_has_the_undated_article_without_a_date(book: tuple[Path, str]) -> None:
    path, stderr = book
    warning = (
        f"warning: {path.parent / 'in.json'}: item 1: article {BAD_FIRST_ID}: field firstPublished: "
        "cannot parse date '27/01/2025 around 5am'"
    )
    assert any(line.startswith(warning) for line in stderr.splitlines()), stderr
    with zipfile.ZipFile(path) as epub:
        opf = etree.fromstring(epub.read("EPUB/content.opf"))
        document = etree.fromstring(epub.read(f"EPUB/article-{BAD_FIRST_ID}.xhtml"))
    assert document.xpath("//h:time", namespaces=NS) == []
    assert document.xpath("//h:h1/text()", namespaces=NS) == [BAD_FIRST["title"]]
    assert opf.xpath("//dc:date/text()", namespaces=NS) == ["2024-05-08T10:10:33Z"]  # FIGURES'


def test_the_book_passes_epubcheck(book: tuple[Path, str]) -> None:
    report = run_epubcheck(book[0])
    checker = report["checker"]
    assert isinstance(checker, dict)
    messages = [f"{m['severity']} {m['ID']}: {m['message']}" for m in report["messages"]]  # type: ignore[attr-defined]
    counts = {k: checker[k] for k in ("nFatal", "nError", "nWarning")}
    assert counts == {"nFatal": 0, "nError": 0, "nWarning": 0}, "\n".join(messages)


def test_a_book_of_only_the_undated_article_has_no_dc_date(tmp_path: Path) -> None:
    path = tmp_path / "book.epub"
    proc = run_cli(
        "epub", str(write(tmp_path / "in.json", BAD_FIRST)), "-o", str(path), "--no-images"
    )
    assert proc.returncode == 0, proc.stderr
    with zipfile.ZipFile(path) as epub:
        opf = etree.fromstring(epub.read("EPUB/content.opf"))
    assert opf.xpath("//dc:date", namespaces=NS) == []
    strict = run_cli(
        "epub", str(tmp_path / "in.json"), "-o", str(tmp_path / "strict.epub"), "--no-images",
        "--strict",
    )  # fmt: skip
    assert strict.returncode == 1 and not (tmp_path / "strict.epub").exists()
    assert "field firstPublished: cannot parse date" in strict.stderr
