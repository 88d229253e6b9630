"""The progress bar: on a terminal (a real pty) it shows N/M and ends at the total, for
serial runs, per-article commands and --jobs; never on a pipe, never with --quiet."""

from __future__ import annotations

import io
import os
import pty
import re
import subprocess
import sys
from dataclasses import astuple
from pathlib import Path

from converter.progress import Bar, count_records

from .conftest import ROOT, SAMPLES

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
ENV.pop("COLUMNS", None)
OFFLINE = ("--offline", "--image-root", str(SAMPLES / "uploads"))
FRAME = re.compile(r"(\d+)/(\d+)")


def on_pty(*args: str) -> tuple[int, str]:
    """The CLI with stderr on a real terminal (a pty); its exit status and what the terminal
    got."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "converter", *args],
        cwd=ROOT,
        env=ENV,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=slave,
    )
    os.close(slave)
    seen = bytearray()
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: every writer of the terminal has closed it
            break
        if not chunk:
            break
        seen += chunk
    os.close(master)
    return proc.wait(timeout=120), seen.decode("utf-8", "replace")


def frames(text: str, label: str) -> list[tuple[int, int]]:
    """(count, total) of every frame of the bar of ``label`` (each drawn after a \\r)."""
    found = []
    for segment in re.split(r"\r\n|\r|\n", text):
        match = FRAME.search(segment) if segment.startswith((label + " [", label + "  ")) else None
        if match:
            found.append((int(match[1]), int(match[2])))
    return found


def test_export_on_a_terminal_shows_count_of_total_and_ends_at_the_total(tmp_path: Path) -> None:
    for jobs in ("1", "2"):
        code, seen = on_pty("export", str(SAMPLES), "-o", str(tmp_path / jobs), "-j", jobs,
                            "--formats", "html,markdown,rss", *OFFLINE)  # fmt: skip
        assert code in (0, 1), seen  # 1: an invalid sample (other work may move it)
        found = frames(seen, "export")
        assert found, seen
        summary = re.search(r"converted (\d+), skipped (\d+), failed (\d+)", seen)
        assert summary, seen
        total = sum(int(n) for n in summary.groups())
        assert {m for _, m in found} == {total}, seen  # every frame knows the total
        assert found[-1] == (total, total), seen
        assert "%" in seen and "/s" in seen
        # The bar is erased before the summary, which then has a line of its own.
        assert "\r\x1b[K" in seen[: summary.start()]
        assert not frames(seen[seen.rindex("\x1b[K") :], "export")


def test_per_article_command_on_a_terminal_ends_at_the_total(tmp_path: Path) -> None:
    code, seen = on_pty("markdown", str(SAMPLES), "-o", str(tmp_path))
    assert code in (0, 1), seen
    found = frames(seen, "markdown")
    assert found, seen
    total = found[-1][1]
    written = len(list(tmp_path.glob("*.md")))
    assert written > 10
    assert found[-1] == (total, total)
    assert total >= written  # every article counts, written or failed


def test_feed_and_book_on_a_terminal_count_the_articles_read(tmp_path: Path) -> None:
    total = count_records([str(SAMPLES)])
    for command, target, more in (("rss", "feed.xml", ()), ("epub", "book.epub", OFFLINE)):
        code, seen = on_pty(command, str(SAMPLES), "-o", str(tmp_path / target), *more)
        assert code in (0, 1), seen
        found = frames(seen, command)
        assert found and found[-1] == (total, total), seen
        assert (tmp_path / target).stat().st_size > 0


def test_no_bar_with_quiet_on_a_terminal(tmp_path: Path) -> None:
    code, seen = on_pty("export", str(SAMPLES), "-o", str(tmp_path), "-q", "-j", "2",
                        "--formats", "html", *OFFLINE)  # fmt: skip
    assert code in (0, 1)
    assert "\r" not in seen.replace("\r\n", "\n")
    assert not frames(seen, "export") and "\x1b[K" not in seen, seen


def test_no_bar_on_a_pipe(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "converter", "html", str(SAMPLES), "-o", str(tmp_path)],
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode in (0, 1), proc.stderr
    assert "\r" not in proc.stderr and "\x1b" not in proc.stderr
    assert "converted" in proc.stderr


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_bar_is_throttled_and_shows_rate_and_time_left() -> None:
    stream, clock = io.StringIO(), Clock()
    bar = Bar("export", stream, 100, clock=clock)
    bar.update(1)  # the first frame at once
    clock.now += 0.01
    bar.update(2)  # 10 ms later: not redrawn
    assert stream.getvalue().count("\r") == 1
    clock.now = 110.0
    bar.update(50)  # 50 in 10 s: 5/s, 50 left: 10 s
    frame = stream.getvalue().split("\r")[-1]
    assert "50/100" in frame and " 50%" in frame and "5.0/s" in frame and "0:10 left" in frame
    assert "[" + "#" * 10 in frame
    bar.close()
    text = stream.getvalue()
    assert text.endswith("\r\x1b[K")  # erased at the end
    assert "50/100" in text.split("\r")[-2]  # the last frame has the final count
    bar.close()
    assert stream.getvalue() == text  # idempotent


def test_bar_fits_the_line_and_knows_no_total() -> None:
    bar = Bar("markdown", io.StringIO(), None, clock=Clock())
    bar.update(7)
    line = bar.line(101.0, 30)
    assert len(line) <= 29
    assert "7" in line and "/s" in line and "%" not in line and "left" not in line


def test_count_records_counts_what_export_reads_in_each_shard(tmp_path: Path) -> None:
    from converter.export import export, shard_of
    from converter.options import Options

    total = count_records([str(SAMPLES)])
    assert total is not None and total > 15
    shards = [count_records([str(SAMPLES)], lambda k, i=i: shard_of(k, 2) == i) for i in (0, 1)]
    assert shards[0] and shards[1] and shards[0] + shards[1] == total
    result = export([str(SAMPLES)], tmp_path, Options(), formats=("html",), shard=(1, 2))
    assert sum(astuple(result.counts)) == shards[1]
    assert count_records(["-"]) is None  # stdin cannot be read twice
