"""`converter export`: every format in one pass; same bytes for any --jobs; shards that together
equal the whole; incremental runs that rebuild only what changed. Real CLI runs."""

from __future__ import annotations

import json
import shutil
from dataclasses import astuple
from datetime import UTC, datetime
from pathlib import Path

import pytest

from converter.inputs import Record, read_records
from converter.model import Article

from .conftest import ROOT, SAMPLES, run_cli

OFFLINE = ("--image-root", str(SAMPLES / "uploads"), "--offline")


def tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def whole(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("export") / "out"
    proc = run_cli("export", "samples", "-o", str(out), "--jobs", "1", *OFFLINE)
    assert proc.returncode == 0, proc.stderr  # samples/14 has a bad date: kept, with a warning
    assert "Traceback" not in proc.stderr
    return out


def test_every_format_is_written(whole: Path) -> None:
    files = tree(whole)
    assert len([f for f in files if f.startswith("html/")]) == 20
    assert len([f for f in files if f.startswith("markdown/")]) == 20
    for name in (
        "feeds/rss.xml",
        "feeds/atom.xml",
        "feeds/feed.json",
        "epub/book.epub",
        "report.json",
    ):
        assert name in files, name
    sections = [f for f in files if f.startswith("feeds/sections/")]
    assert "feeds/sections/south-africa.xml" in sections and len(sections) % 3 == 0
    assert not [f for f in files if f.endswith(".part") or "/.tmp-" in f]


def test_report_accounts_for_every_input_article(whole: Path) -> None:
    report = json.loads((whole / "report.json").read_text(encoding="utf-8"))
    records = list(read_records(["samples"]))  # relative, as the CLI was given it
    assert len(report["articles"]) == len(records) == 21
    by_status: dict[str, list[dict[str, str]]] = {}
    for item in report["articles"]:
        by_status.setdefault(item["status"], []).append(item)
    assert len(by_status["converted"]) == 20
    (skipped,) = by_status["skipped"]
    assert skipped["id"] == "1560201" and skipped["source"].endswith("10-array.json")
    assert "superseded" in skipped["rule"]
    assert "failed" not in by_status
    (bad_date,) = [w for w in report["warnings"] if "14-invalid-bad-date.json" in w]
    assert "article 2563201: field firstPublished: cannot parse date" in bad_date
    assert report["summary"] == {"converted": 20, "skipped": 1, "failed": 0}
    positions = {(i["source"], i["position"]) for i in report["articles"]}
    assert positions == {(r.source, r.position) for r in records}


def test_jobs_do_not_change_a_byte(whole: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = run_cli("export", "samples", "-o", str(out), "--jobs", "2", *OFFLINE)
    assert proc.returncode == 0
    assert tree(out) == tree(whole)


def test_shards_together_equal_the_whole(whole: Path, tmp_path: Path) -> None:
    shards = [tmp_path / f"shard-{i}" for i in (1, 2, 3)]
    for i, out in enumerate(shards, 1):
        proc = run_cli("export", "samples", "-o", str(out), "--shard", f"{i}/3", *OFFLINE)
        assert proc.returncode in (0, 1), proc.stderr
    union: dict[str, bytes] = {}
    for out in shards:
        for name, data in tree(out).items():
            if name.startswith(("html/", "markdown/")):
                assert name not in union  # each article in exactly one shard
                union[name] = data
    expected = {k: v for k, v in tree(whole).items() if k.startswith(("html/", "markdown/"))}
    assert union == expected
    merged = tmp_path / "merged"
    proc = run_cli("export", "--merge", *map(str, shards), "-o", str(merged))
    assert proc.returncode == 0
    for name in ("feeds/rss.xml", "feeds/atom.xml", "feeds/feed.json"):
        assert (merged / name).read_bytes() == (whole / name).read_bytes(), name
    report = json.loads((merged / "report.json").read_text(encoding="utf-8"))
    whole_report = json.loads((whole / "report.json").read_text(encoding="utf-8"))
    assert report["summary"] == whole_report["summary"]
    key = lambda i: (i["source"], i["position"], i["status"])  # noqa: E731
    assert sorted(map(key, report["articles"])) == sorted(map(key, whole_report["articles"]))


def test_incremental_rebuilds_only_what_changed(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    shutil.copytree(SAMPLES, inputs, ignore=shutil.ignore_patterns("uploads", "README.md"))
    out = tmp_path / "out"
    assert run_cli("export", str(inputs), "-o", str(out), *OFFLINE).returncode == 0
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    proc = run_cli("export", str(inputs), "-o", str(out), "--incremental", *OFFLINE)
    assert "converted 0, skipped 21, failed 0" in proc.stderr
    after = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    untouched = {p for p in before if before[p] == after[p]}
    assert {p.name for p in before} - {p.name for p in untouched} <= {
        "report.json",
        "manifest.json",
        "feed-articles.jsonl",
    }
    # edit one article: a new lastUpdate and title
    seed = inputs / "12-api-envelope.json"
    data = json.loads(seed.read_text(encoding="utf-8"))
    data["data"]["lastUpdate"] = "2024-05-09 08:00:00"
    data["data"]["title"] = "IEC adds 12 voting stations in Mangaung (corrected)"
    seed.write_text(json.dumps(data), encoding="utf-8")
    proc = run_cli("export", str(inputs), "-o", str(out), "--incremental", *OFFLINE)
    assert "converted 1, skipped 20, failed 0" in proc.stderr, proc.stderr
    changed = {
        p.relative_to(out).as_posix()
        for p in out.rglob("*")
        if p.is_file() and p.stat().st_mtime_ns != after.get(p)
    }
    assert "html/iec-adds-11-voting-stations-in-mangaung-after-boundary-changes.html" in changed
    assert "feeds/rss.xml" in changed and "epub/book.epub" in changed
    assert not [c for c in changed if c.startswith("html/") and "iec-adds" not in c]
    page = (
        out / "html/iec-adds-11-voting-stations-in-mangaung-after-boundary-changes.html"
    ).read_text(encoding="utf-8")
    assert "(corrected)" in page
    assert "(corrected)" in (out / "feeds/rss.xml").read_text(encoding="utf-8")
    # a full export of the edited inputs gives the same feeds as the incremental one
    fresh = tmp_path / "fresh"
    run_cli("export", str(inputs), "-o", str(fresh), *OFFLINE)
    for name in ("feeds/rss.xml", "feeds/atom.xml", "feeds/feed.json"):
        assert (fresh / name).read_bytes() == (out / name).read_bytes(), name


def test_formats_subset(tmp_path: Path) -> None:
    proc = run_cli(
        "export", "samples/01-seed.txt", "-o", str(tmp_path), "--formats", "markdown,rss"
    )
    assert proc.returncode == 0, proc.stderr
    names = set(tree(tmp_path))
    assert "markdown/how-china-can-keep-pace-in-the-global-ai-race.md" in names
    assert "feeds/rss.xml" in names
    assert not [
        n
        for n in names
        if n.startswith(("html/", "epub/"))
        or (n.endswith(("atom.xml", ".json")) and n.startswith("feeds/"))
    ]


@pytest.mark.parametrize(
    "args",
    [
        ("--formats", "html,pdf"),
        ("--shard", "0/2"),
        ("--shard", "3/2"),
        ("--shard", "x"),
        ("--jobs", "0"),
    ],
)
def test_bad_export_flags_are_usage_errors(args: tuple[str, ...], tmp_path: Path) -> None:
    proc = run_cli("export", "samples", "-o", str(tmp_path), *args)
    assert proc.returncode == 2, proc.stderr


def test_jsonl_records_are_read_lazily(tmp_path: Path) -> None:
    """Reading a JSON Lines file yields the first record before the file is complete."""
    path = tmp_path / "big.jsonl"
    line = json.dumps({"id": "1", "title": "t", "contents": "x"}) + "\n"
    path.write_text(line + "{broken\n", encoding="utf-8")
    items = read_records([str(path)])
    first = next(iter(items))
    assert isinstance(first, Record) and first.value["id"] == "1"


def test_readme_documents_sharding() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "--shard" in readme and "--merge" in readme


def test_batches_overlap_without_changing_a_byte(
    whole: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Many one-record chunks (the next ones with the workers while the last one is
    written, arriving out of order): the same bytes as one process."""
    from converter import export
    from converter.engine import pool
    from converter.options import FetchOptions, Options

    monkeypatch.chdir(ROOT)
    monkeypatch.setattr(pool, "CHUNK", 1)
    out = tmp_path / "out"
    options = Options(fetch=FetchOptions(image_root=SAMPLES / "uploads", offline=True))
    result = export.export(["samples"], out, options, jobs=2)
    assert astuple(result.counts) == (20, 1, 0)
    assert tree(out) == tree(whole)


def test_book_limit_keeps_the_newest_published_articles(tmp_path: Path) -> None:
    import re
    import zipfile

    from converter import Options, read_articles
    from converter.errors import InputError

    proc = run_cli(
        "export", "samples", "-o", str(tmp_path), "--formats", "epub", "--book-limit", "3",
        *OFFLINE,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    with zipfile.ZipFile(tmp_path / "epub" / "book.epub") as book:
        opf = book.read("EPUB/content.opf").decode("utf-8")
    in_book = set(re.findall(r'id="art-([^"]+)"', opf))
    published: dict[str, float] = {}
    for a in read_articles(["samples"], Options()):
        if not isinstance(a, InputError) and a.status == "publish" and a.published:
            published[a.id] = max(published.get(a.id, 0.0), a.published.timestamp())
    newest = sorted(published, key=lambda i: (-published[i], i))[:3]
    assert in_book == set(newest)


def test_book_collector_prunes_to_what_an_unbounded_one_would_keep() -> None:
    from dataclasses import replace
    from datetime import timedelta

    from converter import Options, read_articles
    from converter.export import BookCollector, book_order

    (seed,) = list(read_articles([str(SAMPLES / "01-seed.txt")], Options()))
    assert not isinstance(seed, Exception) and seed.published
    articles = [
        replace(seed, id=str(n), published=seed.published + timedelta(hours=(n * 7) % 23))
        for n in range(40)
    ]
    bounded, unbounded = BookCollector(4), BookCollector(0)
    for article in articles:
        bounded.add(article)
        unbounded.add(article)
        assert len(bounded.chosen) <= 8
    expected = sorted(unbounded.articles(), key=book_order)[:4]
    assert sorted(bounded.articles(), key=book_order) == expected


def test_per_article_books_one_per_published_article(tmp_path: Path) -> None:
    """--per-article-epub: a book for every published article (the bundle's --book-limit does
    not apply), named as its html file, the same bytes as the epub adapter makes alone, the
    same for any --jobs; an article that becomes a draft loses its book on the next run."""
    from converter import Options, read_articles, render
    from converter.errors import InputError
    from converter.options import FetchOptions

    def _stamp(a: Article) -> datetime:
        return a.modified or a.updated or a.published or datetime.min.replace(tzinfo=UTC)

    inputs = tmp_path / "in"
    shutil.copytree(SAMPLES, inputs, ignore=shutil.ignore_patterns("uploads", "README.md"))
    flags = ("--formats", "html,epub", "--per-article-epub", "--book-limit", "3", *OFFLINE)
    outs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"out-{jobs}"
        proc = run_cli("export", str(inputs), "-o", str(out), "--jobs", jobs, *flags)
        assert proc.returncode == 0, proc.stderr
        outs.append(out)
    assert tree(outs[0]) == tree(outs[1])
    out = outs[0]
    books = sorted(p.stem for p in (out / "epub" / "articles").glob("*.epub"))
    pages = sorted(p.stem for p in (out / "html").glob("*.html"))
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["articles"]
    with_book = sorted(e["name"] for e in manifest.values() if e["epub"])
    assert books == with_book and set(books) < set(pages)
    assert len(books) > 3  # more than the bundle's limit
    options = Options(fetch=FetchOptions(image_root=SAMPLES / "uploads", offline=True))
    newest: dict[str, Article] = {}
    for a in read_articles([str(inputs)], options):
        if isinstance(a, InputError):
            continue
        old = newest.get(a.id)
        if old is None or _stamp(a) > _stamp(old):
            newest[a.id] = a
    published = [a for a in newest.values() if a.status == "publish"]
    assert len(published) == len(books)
    for a in published:
        name = manifest[a.id]["name"]
        data = (out / "epub" / "articles" / f"{name}.epub").read_bytes()
        assert data == render("epub", [a], options), name

    # one article becomes a draft: an incremental run removes its book and leaves the others
    seed = inputs / "12-api-envelope.json"
    data = json.loads(seed.read_text(encoding="utf-8"))
    data["data"]["lastUpdate"] = "2024-05-09 08:00:00"
    data["data"]["status"] = "draft"
    seed.write_text(json.dumps(data), encoding="utf-8")
    name = manifest[str(data["data"]["id"])]["name"]
    before = {p.name: p.stat().st_mtime_ns for p in (out / "epub" / "articles").iterdir()}
    proc = run_cli("export", str(inputs), "-o", str(out), "--incremental", *flags)
    assert proc.returncode == 0, proc.stderr
    after = {p.name: p.stat().st_mtime_ns for p in (out / "epub" / "articles").iterdir()}
    assert f"{name}.epub" in before and f"{name}.epub" not in after
    assert {k: v for k, v in before.items() if k != f"{name}.epub"} == after
