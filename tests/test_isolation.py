"""Issue 11 item 1: an unexpected exception while converting one article, at any stage (read,
render, write), never stops the others, in every command, with and without --jobs.

In-process through the API with pytest's monkeypatch, and in subprocesses that run the real
CLI with one fault injected first (tests/faults.py: no test hook in production code). Write
faults are real: a directory stands where the article's file must go."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Sequence
from dataclasses import astuple
from pathlib import Path
from typing import Any

import feedparser
import pytest

from converter import Article, Options, api
from converter.export import export
from converter.isolation import Failure, Plan, isolate, render_all
from converter.options import EpubOptions

from . import faults
from .conftest import ROOT
from .test_feeds import record

IDS = ("9400001", "9400002", "9400003", "9400004")
BAD = "9400002"  # the article every test makes fail (item 2 of the input)
SECTIONS = ("politics", "sport")


def records(read_fault: bool = False) -> list[dict[str, Any]]:
    out = []
    for n, article_id in enumerate(IDS):
        section = SECTIONS[n % 2]
        rec = record(
            article_id,
            categories=[{"id": str(n), "name": section.title(), "slug": section}],
            firstPublished=f"2024-05-0{n + 1} 10:00:00",
            lastUpdate=f"2024-05-0{n + 1} 11:00:00",
        )
        if read_fault and article_id == BAD:
            rec["contents"] = f"<p>{faults.MARK}</p>\r\n\r\n" + str(rec["contents"])
        out.append(rec)
    return out


def source(tmp: Path, read_fault: bool = False) -> Path:
    path = tmp / "in.json"
    path.write_text(json.dumps(records(read_fault)), encoding="utf-8")
    return path


def slug(article_id: str) -> str:
    return f"test-article-{article_id}"


def assert_reported(line: str, path: Path, stage: str, what: str) -> None:
    """The article id, its input file and position, the stage and the exception."""
    assert line.startswith(f"{path}: item 2: article {BAD}: "), line
    assert f"internal error at stage {stage} ({what}): InjectedFault: " in line, line


# ---------------------------------------------------------------------------------------------
# In-process: the API, with monkeypatch


@pytest.mark.parametrize("stage", ["read", "render"])
@pytest.mark.parametrize("fmt", ["html", "markdown"])
def test_convert_writes_the_others(
    fmt: str, stage: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = source(tmp_path, read_fault=stage == "read")
    faults.install(stage, BAD, patch=monkeypatch.setattr)
    out = tmp_path / "out"
    report = api.convert(fmt, [str(path)], out, Options())
    suffix = ".html" if fmt == "html" else ".md"
    assert sorted(p.name for p in out.iterdir()) == [slug(i) + suffix for i in IDS if i != BAD]
    assert report.converted == [i for i in IDS if i != BAD]
    (line,) = report.failed
    if stage == "read":
        assert line.startswith(f"{path}: item 2: article {BAD}: internal error at stage read: ")
        assert "InjectedFault: injected fault in the body pipeline" in line
    else:
        assert_reported(line, path, "render", fmt)
    assert "Traceback" not in line
    verbose = api.convert(fmt, [str(path)], tmp_path / "v", Options(), verbose=True)
    assert "Traceback (most recent call last)" in verbose.failed[0]


@pytest.mark.parametrize("fmt", ["rss", "atom", "json-feed"])
def test_a_feed_is_made_without_the_article_whose_item_raises(
    fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = source(tmp_path)
    faults.install("render", BAD, parts=("feeds",), patch=monkeypatch.setattr)
    outputs, report = api.feeds(fmt, [str(path)], Options())
    assert item_ids(fmt, outputs[""]) == [url(i) for i in reversed(IDS) if i != BAD]
    assert report.converted == [i for i in reversed(IDS) if i != BAD]  # the feed's order
    (line,) = report.failed
    assert_reported(line, path, "render", f"{fmt} feed")
    split, report = api.feeds(fmt, [str(path)], Options(), split_by="category")
    assert sorted(split) == list(SECTIONS)
    assert item_ids(fmt, split["politics"]) == [url("9400003"), url("9400001")]
    assert item_ids(fmt, split["sport"]) == [url("9400004")]  # 9400002 left out
    assert len(report.failed) == 1 and BAD in report.failed[0]
    assert sorted(report.converted) == [i for i in IDS if i != BAD]


def test_a_section_left_empty_by_a_failure_is_not_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    recs = records()[:2]  # 9400001 in politics, 9400002 alone in sport
    path = tmp_path / "in.json"
    path.write_text(json.dumps(recs), encoding="utf-8")
    faults.install("render", BAD, parts=("feeds",), patch=monkeypatch.setattr)
    outputs, report = api.feeds("rss", [str(path)], Options(), split_by="category")
    assert list(outputs) == ["politics"]
    assert report.converted == ["9400001"] and len(report.failed) == 1


@pytest.mark.parametrize("per_article", [False, True])
def test_a_book_is_made_without_the_article_whose_part_raises(
    per_article: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = source(tmp_path)
    faults.install("render", BAD, parts=("epub",), patch=monkeypatch.setattr)
    options = Options(epub=EpubOptions(images=False, per_article=per_article))
    outputs, report = api.books([str(path)], options)
    if per_article:
        assert sorted(outputs) == [slug(i) for i in IDS if i != BAD]
    else:
        assert book_ids(outputs[""]) == {i for i in IDS if i != BAD}
    assert sorted(report.converted) == [i for i in IDS if i != BAD]
    (line,) = report.failed
    assert_reported(line, path, "render", "epub")


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize(
    ("stage", "parts", "what"),
    [
        ("read", (), ""),
        ("render", ("markdown",), "markdown"),
        ("render", ("feeds",), "feeds/rss.xml"),  # after its html and markdown were written
        ("render", ("epub",), "epub/book.epub"),
    ],
    ids=["read", "render-markdown", "render-feed", "render-book"],
)
def test_export_leaves_the_article_out_of_every_output(
    stage: str,
    parts: tuple[str, ...],
    what: str,
    jobs: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = source(tmp_path, read_fault=stage == "read")
    faults.install(stage, BAD, parts, patch=monkeypatch.setattr)
    out = tmp_path / "out"
    options = Options(epub=EpubOptions(images=False))
    result = export([str(path)], out, options, jobs=jobs)
    assert astuple(result.counts) == (3, 0, 1)
    assert not result.ok and len(result.failed) == 1
    if stage == "render":
        assert_reported(result.failed[0], path, "render", what)
    assert_left_out_of_every_output(out, path, stage)


def assert_left_out_of_every_output(
    out: Path, path: Path, stage: str, reason: str = "InjectedFault"
) -> None:
    kept = [i for i in IDS if i != BAD]
    assert sorted(p.stem for p in (out / "html").iterdir()) == [slug(i) for i in kept]
    assert sorted(p.stem for p in (out / "markdown").iterdir()) == [slug(i) for i in kept]
    for name, fmt in (("rss.xml", "rss"), ("atom.xml", "atom"), ("feed.json", "json-feed")):
        data = (out / "feeds" / name).read_bytes()
        assert item_ids(fmt, data) == [url(i) for i in reversed(kept)], name
    sport = item_ids("rss", (out / "feeds" / "sections" / "sport.xml").read_bytes())
    assert sport == [url("9400004")]
    assert book_ids((out / "epub" / "book.epub").read_bytes()) == set(kept)
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["summary"] == {"converted": 3, "skipped": 0, "failed": 1}
    (failed,) = [a for a in report["articles"] if a["status"] == "failed"]
    assert failed["id"] == BAD and failed["stage"] == stage
    assert failed["source"] == str(path) and failed["position"] == "item 2"
    assert reason in failed["reason"]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["articles"]
    assert sorted(manifest) == kept  # the next --incremental run converts it again
    state = (out / "state" / "feed-articles.jsonl").read_text(encoding="utf-8")
    assert BAD not in {json.loads(line)["id"] for line in state.splitlines()}


def test_after_a_late_failure_the_next_incremental_export_converts_the_article(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = source(tmp_path)
    out = tmp_path / "out"
    options = Options(epub=EpubOptions(images=False))
    faults.install("render", BAD, ("feeds",), patch=monkeypatch.setattr)
    assert export([str(path)], out, options).counts.failed == 1
    monkeypatch.undo()  # the bug is fixed
    result = export([str(path)], out, options, incremental=True)
    assert astuple(result.counts) == (1, 3, 0)
    assert (out / "html" / f"{slug(BAD)}.html").exists()
    rss = item_ids("rss", (out / "feeds" / "rss.xml").read_bytes())
    assert rss == [url(i) for i in reversed(IDS)]


def test_merge_leaves_out_an_article_whose_merged_feed_item_raises(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from converter.export import merge

    path = source(tmp_path)
    shards = [tmp_path / "shard-1", tmp_path / "shard-2"]
    for index, shard in enumerate(shards):
        assert export([str(path)], shard, Options(), formats=["rss"], shard=(index, 2)).ok
    faults.install("render", BAD, ("feeds",), patch=monkeypatch.setattr)
    result = merge(shards, tmp_path / "all", Options(), ["rss"])
    assert (result.counts.converted, result.counts.failed) == (3, 1)
    assert_reported(result.failed[0], path, "render", "feeds/rss.xml")
    rss = item_ids("rss", (tmp_path / "all" / "feeds" / "rss.xml").read_bytes())
    assert rss == [url(i) for i in reversed(IDS) if i != BAD]
    report = json.loads((tmp_path / "all" / "report.json").read_text(encoding="utf-8"))
    (failed,) = [a for a in report["articles"] if a["status"] == "failed"]
    assert failed["id"] == BAD and failed["stage"] == "render"


def test_a_fault_no_article_explains_fails_only_the_feeds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = source(tmp_path)
    faults.install("collection", patch=monkeypatch.setattr)
    outputs, report = api.feeds("atom", [str(path)], Options())
    assert outputs == {} and report.converted == []
    (line,) = report.failed
    assert line.startswith("internal error at stage render (atom feed): InjectedFault: ")
    out = tmp_path / "out"
    result = export([str(path)], out, Options(epub=EpubOptions(images=False)))
    assert (result.counts.converted, result.counts.failed) == (4, 0) and not result.ok
    assert len(result.errors) == 3 * 3  # three formats: the main feed and two sections each
    assert not (out / "feeds" / "rss.xml").exists()
    assert len(list((out / "html").iterdir())) == 4
    assert book_ids((out / "epub" / "book.epub").read_bytes()) == set(IDS)
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["errors"][0].startswith("internal error at stage render (feeds/rss.xml): ")
    assert report["summary"] == {"converted": 4, "skipped": 0, "failed": 0}
    cli = ("export", str(path), "-o", str(tmp_path / "cli"), "--no-images")
    proc = run_faulty("collection", (), *cli)
    assert proc.returncode == 1, proc.stderr
    assert len(errors_of(proc)) == 9 and "outputs not made 9" in proc.stderr.splitlines()[-1]


def test_report_stages_of_input_errors_and_strict_failures(tmp_path: Path) -> None:
    from .conftest import SAMPLES

    bad = tmp_path / "bad.json"
    bad.write_text('{"id": "9", "title": "t", "firstPublished": "soon"}', encoding="utf-8")
    inputs = [str(bad), str(SAMPLES / "05-caption-shortcodes.json")]
    result = export(inputs, tmp_path / "out", Options(strict=True), formats=["html"])
    assert (result.counts.converted, result.counts.failed) == (0, 2)
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    stages = [(a["id"], a["stage"]) for a in report["articles"]]
    assert stages == [("9", "read"), ("1847219", "strict")]
    first = report["articles"][0]  # the field and the reason apart (issue 14, item 5)
    assert first["field"] == "firstPublished"
    assert first["reason"].startswith("cannot parse date 'soon'")
    assert "[gallery" in report["articles"][1]["reason"]
    assert report["articles"][1]["reason"].endswith("(--strict)")


def test_export_with_a_real_write_failure(tmp_path: Path) -> None:
    """A directory where one article's Markdown file must go: its html (written first) is
    removed again, the article is left out of the feeds and the book, the rest are written."""
    path = source(tmp_path)
    out = tmp_path / "out"
    (out / "markdown" / f"{slug(BAD)}.md").mkdir(parents=True)
    result = export([str(path)], out, Options(epub=EpubOptions(images=False)))
    assert (result.counts.converted, result.counts.failed) == (3, 1)
    (line,) = result.failed
    assert line.startswith(f"{path}: item 2: article {BAD}: error at stage write (markdown): ")
    assert f"cannot write {out / 'markdown' / slug(BAD)}.md" in line
    (out / "markdown" / f"{slug(BAD)}.md").rmdir()
    assert_left_out_of_every_output(out, path, "write", "Is a directory")


# ---------------------------------------------------------------------------------------------
# The search: linear in practice, never quadratic; a fault of the whole is not an article's


class Counting:
    """A render that raises for some articles (or for every call) and counts its work."""

    def __init__(self, bad: set[str], everything: bool = False) -> None:
        self.bad, self.everything = bad, everything
        self.calls = self.rendered = 0

    def __call__(self, items: Sequence[Article]) -> list[str]:
        self.calls += 1
        self.rendered += len(items)
        if self.everything and items:
            raise RuntimeError("broken whatever the articles")
        for a in items:
            if a.id in self.bad:
                raise KeyError(a.id)
        return [a.id for a in items]


def fake(n: int) -> list[Article]:
    return [
        Article(
            id=f"a{i:04d}",
            title="t",
            url=f"https://x.org/{i}",
            body="",
            published=None,
            updated=None,
        )
        for i in range(n)
    ]


@pytest.mark.parametrize("bad", [0, 1, 3, 20])
def test_isolate_finds_every_bad_article_with_little_work(bad: int) -> None:
    articles = fake(1024)
    wrong = {articles[(i * 397) % 1024].id for i in range(bad)}
    render = Counting(wrong)
    outcome = isolate(render, articles, "test")
    assert outcome.value == [a.id for a in articles if a.id not in wrong]
    assert {f.article_id for f in outcome.failed} == wrong and outcome.error is None
    assert all(f.stage == "render" and "KeyError" in f.reason for f in outcome.failed)
    # one render when nothing fails; a few times the collection for a few bad ones
    assert render.rendered <= 1024 * (1 + 3 * len(wrong).bit_length() + (2 if wrong else 0))
    if bad == 1:
        assert render.rendered <= 4 * 1024 and render.calls <= 2 * 10 + 3


def test_isolate_blames_no_article_when_everything_fails() -> None:
    render = Counting(set(), everything=True)
    outcome = isolate(render, fake(1024), "test")
    assert outcome.value is None and outcome.failed == []
    assert outcome.error is not None and "broken whatever the articles" in outcome.error.reason
    assert render.calls <= 14  # a path down to one article, then one other alone


def test_isolate_a_fault_of_the_combination_fails_the_collection() -> None:
    def render(items: Sequence[Article]) -> int:
        if len(items) == 4:
            raise RuntimeError("only all four together")
        return len(items)

    outcome = isolate(render, fake(4), "test")
    assert outcome.value is None and outcome.failed == []
    assert outcome.error is not None and outcome.error.message.startswith("internal error at")


def test_render_all_leaves_an_article_out_of_every_collection() -> None:
    articles = fake(6)
    made: dict[str, list[str]] = {}
    wrong = {articles[4].id}

    def plan(name: str, members: list[Article]) -> Plan[list[str]]:
        def emit(value: list[str] | None) -> None:
            made[name] = value or []

        return Plan(
            name, lambda excluded: members, Counting(wrong if name == "odd" else set()), emit
        )

    failed, errors = render_all(
        [plan("all", articles), plan("odd", articles[::2]), plan("even", articles[1::2])]
    )
    assert set(failed) == wrong and errors == []
    assert made == {
        "all": ["a0000", "a0001", "a0002", "a0003", "a0005"],  # made again without it
        "odd": ["a0000", "a0002"],
        "even": ["a0001", "a0003", "a0005"],
    }
    assert isinstance(failed[articles[4].id], Failure)


class WhereMade(Counting):
    """A Counting render whose value also says which process made it."""

    def __call__(self, items: Sequence[Article]) -> list[str]:
        return [str(os.getpid()), *super().__call__(items)]


@pytest.mark.parametrize("bad", [set(), {"a0004"}, {"a0001", "a0004"}])
def test_a_plan_made_apart_gives_what_it_gives_at_home(bad: set[str]) -> None:
    """``Plan.apart`` with jobs > 1: the first render of the book is made in a forked process
    while the others are made here. What comes out (values, failed articles, errors) is what
    jobs=1 gives; a render that raised there is made again here and searched as usual."""
    articles = fake(6)

    def run(jobs: int) -> tuple[dict[str, list[str]], set[str], list[Failure]]:
        made: dict[str, list[str]] = {}

        def plan(name: str, members: list[Article], apart: bool) -> Plan[list[str]]:
            def emit(value: list[str] | None) -> None:
                made[name] = value or []

            render = WhereMade(bad if name == "book" else set())
            return Plan(name, lambda excluded: members, render, emit, apart=apart)

        failed, errors = render_all(
            [plan("feed", articles[1::2], False), plan("book", articles, True)], jobs
        )
        return made, set(failed), errors

    home, apart = run(1), run(2)
    here = str(os.getpid())
    assert home[0]["book"][0] == here
    assert [v[1:] for v in home[0].values()] == [v[1:] for v in apart[0].values()]
    assert home[1:] == apart[1:] and home[1] == bad
    # Made apart only when its first render could stand (no article of it failed)
    assert (apart[0]["book"][0] != here) == (not bad)
    assert apart[0]["feed"][0] == here


def test_the_book_of_an_export_is_made_apart_with_jobs(tmp_path: Path) -> None:
    """The real export: with --jobs 2 the book is rendered in a process of its own (seen by
    the pid its render ran in), and the book is the same bytes as with --jobs 1."""
    code = (
        "import os, sys\n"
        "from converter.adapters import epub\n"
        "real = epub.render_with_report\n"
        "def spy(articles, options):\n"
        "    print('book made in', 'main' if os.getpid() == MAIN else 'child', file=sys.stderr)\n"
        "    return real(articles, options)\n"
        "MAIN = os.getpid()\n"
        "epub.render_with_report = spy\n"
        "from converter.cli import main\n"
        "sys.argv = ['converter', *sys.argv[1:]]\n"
        "main()\n"
    )
    books = {}
    for jobs in ("1", "2"):
        out = tmp_path / jobs
        proc = subprocess.run(
            [sys.executable, "-c", code, "export", "samples", "-o", str(out), "--jobs", jobs,
             "--offline", "--image-root", "samples/uploads", "--quiet"],
            capture_output=True, text=True, cwd=ROOT, check=False,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        where = "child" if jobs == "2" else "main"
        assert f"book made in {where}" in proc.stderr, proc.stderr
        books[jobs] = zipfile.ZipFile(out / "epub" / "book.epub")
        names = books[jobs].namelist()
    assert names == books["1"].namelist()
    assert all(books["1"].read(n) == books["2"].read(n) for n in names)


# ---------------------------------------------------------------------------------------------
# The real CLI in a subprocess, with one fault injected first


def run_faulty(
    stage: str, parts: tuple[str, ...], *args: str, cwd: Path = ROOT
) -> subprocess.CompletedProcess[str]:
    code = (
        "import sys\n"
        "from tests import faults\n"
        f"faults.install({stage!r}, {BAD!r}, {parts!r})\n"
        f"sys.argv = ['converter', *{list(args)!r}]\n"
        "from converter.cli import main\n"
        "main()\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def errors_of(proc: subprocess.CompletedProcess[str]) -> list[str]:
    return [
        line.removeprefix("error: ")
        for line in proc.stderr.splitlines()
        if line.startswith("error: ")
    ]


COMMANDS = [
    ("html", ("html",), "html", ("-o", "{out}")),
    ("markdown", ("markdown",), "markdown", ("-o", "{out}")),
    ("rss", ("feeds",), "rss feed", ("-o", "{out}/feed.xml")),
    ("atom", ("feeds",), "atom feed", ("-o", "{out}/feed.atom")),
    ("json-feed", ("feeds",), "json-feed feed", ("-o", "{out}/feed.json")),
    ("epub", ("epub",), "epub", ("-o", "{out}/book.epub", "--no-images")),
    ("epub", ("epub",), "epub", ("-o", "{out}", "--no-images", "--per-article")),
]


@pytest.mark.parametrize(
    ("command", "parts", "what", "flags"),
    COMMANDS,
    ids=[c[0] + ("-per-article" if "--per-article" in c[3] else "") for c in COMMANDS],
)
def test_every_command_survives_a_fault_in_one_article(
    command: str, parts: tuple[str, ...], what: str, flags: tuple[str, ...], tmp_path: Path
) -> None:
    path = source(tmp_path)
    out = tmp_path / "out"
    args = [command, str(path), *(f.format(out=out) for f in flags)]
    proc = run_faulty("render", parts, *args)
    assert proc.returncode == 1, proc.stderr
    (line,) = errors_of(proc)
    assert_reported(line, path, "render", what)
    assert "Traceback" not in proc.stderr
    assert "converted 3, skipped 0, failed 1" in proc.stderr.splitlines()[-1]
    kept = [i for i in IDS if i != BAD]
    written = sorted(p.name for p in out.iterdir())
    if command in ("html", "markdown"):
        assert written == [slug(i) + (".html" if command == "html" else ".md") for i in kept]
    elif command == "epub" and "--per-article" in flags:
        assert written == [slug(i) + ".epub" for i in kept]
    elif command == "epub":
        assert book_ids((out / "book.epub").read_bytes()) == set(kept)
    else:
        (name,) = written
        assert item_ids(command, (out / name).read_bytes()) == [url(i) for i in reversed(kept)]
    verbose = run_faulty("render", parts, *args, "--verbose")
    assert verbose.returncode == 1
    assert "Traceback (most recent call last)" in verbose.stderr
    assert f"InjectedFault: injected fault for article {BAD}" in verbose.stderr


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("stage", ["read", "render"])
def test_export_cli_survives_a_fault_in_one_article(stage: str, jobs: str, tmp_path: Path) -> None:
    """--jobs 2: the fault happens in a worker process (read, html) or in the main one (a
    feed, the book, after the article's files were written)."""
    path = source(tmp_path, read_fault=stage == "read")
    out = tmp_path / "out"
    parts = ("html",) if stage == "read" else ("feeds", "epub")
    proc = run_faulty(
        stage, parts, "export", str(path), "-o", str(out), "--jobs", jobs, "--no-images"
    )
    assert proc.returncode == 1, proc.stderr
    (line,) = errors_of(proc)
    assert line.startswith(f"{path}: item 2: article {BAD}: internal error at stage {stage}")
    assert "Traceback" not in proc.stderr
    assert "converted 3, skipped 0, failed 1" in proc.stderr.splitlines()[-1]
    assert_left_out_of_every_output(out, path, stage)


def test_cli_real_write_failure_of_one_file(tmp_path: Path) -> None:
    """No injection at all: a directory stands where one page must be written."""
    path = source(tmp_path)
    out = tmp_path / "out"
    (out / f"{slug(BAD)}.html").mkdir(parents=True)
    proc = run_faulty("render", (), "html", str(path), "-o", str(out))  # no part: no fault
    assert proc.returncode == 1, proc.stderr
    (line,) = errors_of(proc)
    assert line.startswith(
        f"{path}: item 2: article {BAD}: error at stage write ({slug(BAD)}.html): "
    )
    assert "converted 3, skipped 0, failed 1" in proc.stderr.splitlines()[-1]
    assert sorted(p.name for p in out.iterdir() if p.is_file()) == [
        slug(i) + ".html" for i in IDS if i != BAD
    ]
    books = tmp_path / "books"
    (books / f"{slug(BAD)}.epub").mkdir(parents=True)
    proc = run_faulty(
        "render", (), "epub", str(path), "-o", str(books), "--per-article", "--no-images"
    )
    assert proc.returncode == 1, proc.stderr
    (line,) = errors_of(proc)
    assert line.startswith(f"{path}: item 2: article {BAD}: error at stage write (epub): ")
    assert sorted(p.name for p in books.iterdir() if p.is_file()) == [
        slug(i) + ".epub" for i in IDS if i != BAD
    ]


# ---------------------------------------------------------------------------------------------
# Reading outputs back


def url(article_id: str) -> str:
    return f"https://staging.dailymaverick.co.za/article/2024-05-08-test-article-{article_id}/"


def item_ids(fmt: str, data: bytes) -> list[str]:
    if fmt == "json-feed":
        return [item["id"] for item in json.loads(data)["items"]]
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.bozo_exception
    return [entry.id for entry in parsed.entries]


def book_ids(data: bytes) -> set[str]:
    import io

    with zipfile.ZipFile(io.BytesIO(data)) as book:
        names = book.namelist()
    return {
        n.removeprefix("EPUB/article-").removesuffix(".xhtml")
        for n in names
        if n.startswith("EPUB/article-")
    }
