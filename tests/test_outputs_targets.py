"""Outputs never destroy what the converter did not make, and ``-o -`` is stdout wherever the
output is one file (issue 14, item 1). Every case runs the real CLI in a subprocess, onto
real devices, FIFOs, sockets, directories and files, as a user's shell would hand them over."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import threading
import zipfile
from io import BytesIO
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
ONE = str(SAMPLES / "02-legacy-2016-span-style.json")  # one published article
TWO = [ONE, str(SAMPLES / "06-embeds.json")]


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    """The real CLI, stdout kept as bytes (books are binary)."""
    return subprocess.run(
        [sys.executable, "-m", "converter", *args],
        cwd=cwd or ROOT,
        capture_output=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )


def offline(command: str) -> tuple[str, ...]:
    """No image downloads, for the commands that fetch images."""
    return ("--offline",) if command in ("epub", "export") else ()


# ---------------------------------------------------------------------------------------------
# Non-regular -o targets: written in place, never replaced


def test_a_feed_into_a_fifo_reaches_its_reader_and_the_fifo_stays(tmp_path: Path) -> None:
    fifo = tmp_path / "feed.pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def reader() -> None:  # another program reading the named pipe
        with open(fifo, "rb") as handle:
            received.append(handle.read())

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    proc = cli("rss", *TWO, "-o", str(fifo), "--limit", "0")
    thread.join(timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)  # not replaced by a regular file
    assert received and received[0].startswith(b"<?xml") and b"</rss>" in received[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["feed.pipe"]  # no temporary file


@pytest.mark.parametrize("command", ["rss", "atom", "json-feed", "epub"])
def test_dev_null_is_written_in_place_never_replaced(command: str) -> None:
    before = os.stat("/dev/null")
    proc = cli(command, *TWO, "-o", "/dev/null", *offline(command))
    assert proc.returncode == 0, proc.stderr
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode)
    assert (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)


def test_dev_stdout_is_the_process_stdout() -> None:
    """/dev/stdout is a link to the process's own stdout (here a pipe): written through it."""
    proc = cli("atom", *TWO, "-o", "/dev/stdout")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(b"<?xml") and b"</feed>" in proc.stdout


def test_a_socket_is_left_alone_with_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "s.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind(str(path))
        proc = cli("rss", *TWO, "-o", str(path))
        assert stat.S_ISSOCK(os.lstat(path).st_mode)
    finally:
        server.close()
    assert proc.returncode == 1
    assert str(path) in proc.stderr.decode()
    assert b"Traceback" not in proc.stderr


def test_a_directory_where_the_file_goes_is_an_error_naming_it(tmp_path: Path) -> None:
    folder = tmp_path / "feed.xml"
    folder.mkdir()
    (folder / "mine.txt").write_text("keep")
    proc = cli("rss", *TWO, "-o", str(folder))
    assert proc.returncode == 1
    message = proc.stderr.decode()
    assert str(folder) in message and "is a directory" in message
    assert [p.name for p in folder.iterdir()] == ["mine.txt"]


@pytest.mark.parametrize("command", ["html", "markdown", "ninjs", "export"])
def test_a_file_where_the_folder_goes_is_an_error_naming_it(tmp_path: Path, command: str) -> None:
    target = tmp_path / "out"
    target.write_bytes(b"not a folder")
    proc = cli(command, *TWO, "-o", str(target), *offline(command))
    assert proc.returncode == 1, proc.stderr
    message = proc.stderr.decode()
    assert str(target) in message and "not a directory" in message
    assert target.read_bytes() == b"not a folder"


def test_an_article_name_taken_by_a_directory_is_that_article_failure(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = cli("html", ONE, "-o", str(out))
    assert first.returncode == 0, first.stderr
    (page,) = out.iterdir()
    page.unlink()
    page.mkdir()  # someone else's folder where the page goes
    (page / "theirs.txt").write_text("keep")
    proc = cli("html", *TWO, "-o", str(out))
    assert proc.returncode == 1
    assert f"cannot write {page}: Is a directory (left alone" in proc.stderr.decode()
    assert (page / "theirs.txt").read_text() == "keep"
    assert len([p for p in out.glob("*.html") if p.is_file()]) == 1  # the other one is written


# ---------------------------------------------------------------------------------------------
# -o -: stdout for one file, a usage error for a folder


@pytest.mark.parametrize(
    ("command", "check"),
    [
        ("html", lambda out: out.startswith(b"<!DOCTYPE html>")),
        ("markdown", lambda out: out.startswith(b"---\n")),
        ("ninjs", lambda out: "uri" in json.loads(out)),
    ],
)
def test_one_article_to_stdout(tmp_path: Path, command: str, check: object) -> None:
    proc = cli(command, ONE, "-o", "-", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert callable(check) and check(proc.stdout)
    assert list(tmp_path.iterdir()) == []  # no file or folder named "-"


def test_one_book_to_stdout(tmp_path: Path) -> None:
    proc = cli("epub", *TWO, "-o", "-", "--offline", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    with zipfile.ZipFile(BytesIO(proc.stdout)) as book:
        assert book.read("mimetype") == b"application/epub+zip"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "args",
    [
        ("html", *TWO),  # several articles: several files
        ("markdown", *TWO),
        ("export", ONE),
        ("export", "--merge", str(SAMPLES)),
        ("sitemap", ONE),
        ("epub", ONE, "--per-article"),
        ("rss", ONE, "--split-by", "category"),
    ],
    ids=["html-two", "markdown-two", "export", "merge", "sitemap", "epub-per-article", "split"],
)
def test_dash_where_the_output_is_a_folder_is_a_usage_error(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    proc = cli(*args, "-o", "-", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert b"-o" in proc.stderr and b"Traceback" not in proc.stderr
    assert proc.stdout == b""
    assert list(tmp_path.iterdir()) == []  # never a folder named "-"


# ---------------------------------------------------------------------------------------------
# Durability once per run, one lstat per output (issue 13, item 3)


def counting(monkeypatch: pytest.MonkeyPatch, name: str) -> list[object]:
    """Every call of ``os.<name>`` from now on, recorded (and still made)."""
    calls: list[object] = []
    real = getattr(os, name)

    def spy(*args: object, **kwargs: object) -> object:
        calls.append(args[0] if args else None)
        return real(*args, **kwargs)

    monkeypatch.setattr(os, name, spy)
    return calls


@pytest.mark.parametrize("each", [False, True], ids=["once-per-run", "fsync-each"])
def test_fsync_once_per_folder_at_the_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, each: bool
) -> None:
    from converter.output import Sync, write_atomic

    fsyncs, syncs = counting(monkeypatch, "fsync"), counting(monkeypatch, "sync")
    sync = Sync(each)
    for folder in ("html", "markdown"):
        for n in range(5):
            write_atomic(tmp_path / folder, f"a{n}.x", b"data", sync=sync)
    assert len(fsyncs) == (10 if each else 0)  # per file only with --fsync-each
    sync.flush()
    assert len(fsyncs) == (10 if each else 0) + 2  # then each folder once
    assert len(syncs) == (0 if each else 1)  # the files' data, once
    sync.flush()  # nothing written since: nothing to do
    assert len(fsyncs) == (10 if each else 0) + 2
    assert sorted(p.name for p in (tmp_path / "html").iterdir()) == [f"a{n}.x" for n in range(5)]


def test_one_lstat_and_no_stat_per_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from converter.output import Sync, write_atomic

    sync = Sync()
    sync.root(tmp_path / "out")  # the folder is resolved and made once per run
    lstats, stats = counting(monkeypatch, "lstat"), counting(monkeypatch, "stat")
    mkdirs = counting(monkeypatch, "mkdir")
    for n in range(50):
        write_atomic(tmp_path / "out", f"a{n}.md", b"x", sync=sync)
    assert len(lstats) == 50 and stats == [] and mkdirs == []


def test_fsync_each_through_the_cli(tmp_path: Path) -> None:
    proc = cli("markdown", *TWO, "-o", str(tmp_path / "md"), "--fsync-each")
    assert proc.returncode == 0, proc.stderr
    assert len(list((tmp_path / "md").glob("*.md"))) == 2
