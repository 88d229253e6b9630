"""Limits (issue #6, item 4): huge and deeply nested articles, through the real CLI.

Each case is one article in a JSON file, converted by ``python -m converter {html, markdown,
rss}`` in a child process with a wall-clock timeout and an address-space limit (so a runaway
shows as a failure here, not as a stuck or swapping CI machine). Every run must finish, exit
0 or 1, print no traceback (no RecursionError, no MemoryError), and either convert with the
text preserved (sentinels at the start, in the deepest element and at the end) or say so: a
warning or an error on stderr naming the article.

The runs are independent, so they start together on two workers when the first test asks for
them; each test then waits for its own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 60  # seconds per run
MEMORY = 2 * 1024**3  # bytes of address space per run
START, DEEP, END = "SENTINELSTART", "SENTINELDEEP", "SENTINELEND"
LEVELS = 10_000


def _nested(open_tags: str, close_tags: str) -> str:
    return f"<p>{START}</p>" + open_tags * LEVELS + DEEP + close_tags * LEVELS + f"<p>{END}</p>"


def _twenty_megabytes() -> str:
    paragraph = (
        "<p>" + "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 20 + "</p>\n\n"
    )
    return f"<p>{START}</p>\n\n" + paragraph * (20_000_000 // len(paragraph) + 1) + f"<p>{END}</p>"


def _links() -> str:
    links = " ".join(f'<a href="https://example.org/{i}">link{i}</a>' for i in range(100_000))
    return f"<p>{START} {links} {END}</p>"


@dataclass(frozen=True)
class Case:
    name: str
    body: Callable[[], str]
    must_keep: tuple[str, ...]  # text the output must hold, unless a warning names the article


CASES = [
    Case("nested-div", lambda: _nested("<div>", "</div>"), (START, DEEP, END)),
    Case("nested-b", lambda: _nested("<b>", "</b>"), (START, DEEP, END)),
    Case("nested-ul-li", lambda: _nested("<ul><li>", "</li></ul>"), (START, DEEP, END)),
    Case("nested-blockquote", lambda: _nested("<blockquote>", "</blockquote>"), (START, DEEP, END)),
    # The realistic shape of deep nesting: a Word paste with unclosed inline tags.
    Case("unclosed-span-300", lambda: "<p>" + f"<span>{START} " + "<span>word " * 300 + f"{DEEP}</p><p>{END}</p>", (START, DEEP, END)),
    Case("body-20mb", _twenty_megabytes, (START, END)),
    Case("line-1m-chars", lambda: f"{START} " + ("lorem ipsum " * 90_000)[:1_000_000] + f" {END}", (START, END)),
    Case("token-1m-chars", lambda: f"<p>{START}</p><p>" + "x" * 1_000_000 + f"</p><p>{END}</p>", (START, "x" * 1000, END)),
    Case("bare-url-1m-chars", lambda: f"<p>{START}</p>\n\nhttps://example.org/" + "a" * 1_000_000 + f"\n\n<p>{END}</p>", (START, END)),
    Case("links-100000", _links, (START, "link0", "link99999", END)),
]  # fmt: skip
FORMATS = ("html", "markdown", "rss")


@dataclass
class Run:
    case: Case
    fmt: str
    article_id: str
    returncode: int | None  # None: timed out
    stdout: str
    stderr: str
    output: str  # every file written, concatenated


def _command(fmt: str, source: Path, out: Path) -> list[str]:
    """The CLI in a child that first limits its own address space (no preexec_fn: threads)."""
    argv = ["converter", fmt, str(source), "-o", str(out)]
    code = (
        "import resource, runpy, sys\n"
        f"resource.setrlimit(resource.RLIMIT_AS, ({MEMORY}, {MEMORY}))\n"
        f"sys.argv = {argv!r}\n"
        "runpy.run_module('converter', run_name='__main__', alter_sys=True)\n"
    )
    return [sys.executable, "-c", code]


def _run(case: Case, fmt: str, work: Path, article_id: str) -> Run:
    source = work / f"{case.name}.json"
    out = work / f"{case.name}-{fmt}" / ("feed.xml" if fmt == "rss" else "")
    try:
        proc = subprocess.run(
            _command(fmt, source, out),
            cwd=work,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
    except subprocess.TimeoutExpired as exc:
        return Run(case, fmt, article_id, None, str(exc.stdout or ""), str(exc.stderr or ""), "")
    files = [out] if fmt == "rss" else sorted(out.glob("*")) if out.is_dir() else []
    text = "".join(f.read_text("utf-8", errors="replace") for f in files if f.is_file())
    return Run(case, fmt, article_id, proc.returncode, proc.stdout, proc.stderr, text)


@pytest.fixture(scope="session")
def runs(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[tuple[str, str], Future[Run]]:
    """Start every SELECTED run at once, two at a time; each test waits for its own."""
    selected = {
        (item.callspec.params["case"].name, item.callspec.params["fmt"])
        for item in request.session.items
        if item.originalname == "test_huge_or_deep_article_is_converted_or_reported"
    }
    work = tmp_path_factory.mktemp("limits")
    pool = ThreadPoolExecutor(max_workers=2)
    futures: dict[tuple[str, str], Future[Run]] = {}
    for n, case in enumerate(CASES, 1):
        formats = [fmt for fmt in FORMATS if (case.name, fmt) in selected]
        if not formats:
            continue
        article_id = str(9_300_000 + n)
        record = {
            "id": article_id,
            "title": f"Limits: {case.name}",
            "status": "publish",
            "firstPublished": "2025-01-01 10:00:00",
            "url": f"https://www.dailymaverick.co.za/article/2025-01-01-limits-{case.name}/",
            "contents": case.body(),
        }
        (work / f"{case.name}.json").write_text(json.dumps(record), "utf-8")
        for fmt in formats:
            futures[(case.name, fmt)] = pool.submit(_run, case, fmt, work, article_id)
    pool.shutdown(wait=False)
    return futures


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_huge_or_deep_article_is_converted_or_reported(
    case: Case, fmt: str, runs: dict[tuple[str, str], Future[Run]]
) -> None:
    run = runs[(case.name, fmt)].result(timeout=TIMEOUT * len(runs))
    where = f"{case.name} [{fmt}]"
    assert run.returncode is not None, f"{where}: did not finish in {TIMEOUT} s"
    both = run.stdout + run.stderr
    assert "Traceback" not in both, f"{where}: traceback:\n{both[-3000:]}"
    for crash in ("RecursionError", "MemoryError", "Segmentation fault"):
        assert crash not in both, f"{where}: {crash}:\n{both[-2000:]}"
    assert run.returncode in (0, 1), f"{where}: exit {run.returncode}:\n{both[-2000:]}"
    named = f"article {run.article_id}" in run.stderr
    if run.returncode == 1:
        assert named, f"{where}: exit 1 without naming the article:\n{run.stderr[-2000:]}"
        return
    lost = [t[:40] for t in case.must_keep if t not in run.output]
    assert not lost or named, (
        f"{where}: converted (exit 0) but lost {lost} with no warning naming the article "
        f"{run.article_id}; output {len(run.output)} chars; stderr: {run.stderr[-500:]!r}"
    )
