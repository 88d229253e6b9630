"""Files: atomic writes, interrupted runs leave nothing partial, a full disk or an unwritable
directory is a clear error naming the path, concurrent runs never corrupt a file."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import ROOT, run_cli, write_archive

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_archive(tmp_path_factory.mktemp("archive") / "archive.jsonl", 4000, 7)


def leftovers(root: Path) -> list[str]:
    return [
        p.name for p in root.rglob("*") if p.name.startswith(".tmp-") or p.name.endswith(".part")
    ]


def assert_complete(root: Path) -> None:
    for page in root.rglob("*.html"):
        assert page.read_text(encoding="utf-8").rstrip().endswith("</html>"), page


@pytest.mark.parametrize(
    ("sig", "code", "word"),
    [(signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "terminated")],
)
def test_an_interrupted_run_leaves_no_partial_files(
    archive: Path, tmp_path: Path, sig: int, code: int, word: str
) -> None:
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "converter",
            "export",
            str(archive),
            "-o",
            str(out),
            "--jobs",
            "1",
            "--formats",
            "html,markdown,rss",
        ],
        cwd=ROOT,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while (
        time.monotonic() < deadline and len(list((out / "html").glob("*.html"))) < 20
        if (out / "html").exists()
        else time.monotonic() < deadline
    ):
        time.sleep(0.05)
    proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == code, stderr
    assert word in stderr and "no partial files" in stderr
    assert "Traceback" not in stderr
    assert leftovers(out) == []
    assert_complete(out)
    written = len(list((out / "html").glob("*.html")))
    assert 20 <= written < 4000


def _limit_file_size() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (8_000, 8_000))  # like a nearly full disk


def test_a_full_disk_is_a_clear_error_naming_the_path(tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "converter", "html", "samples/01-seed.txt", "-o", str(out)],
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_limit_file_size,
    )
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "how-china-can-keep-pace-in-the-global-ai-race.html" in proc.stderr
    assert "File too large" in proc.stderr or "No space" in proc.stderr
    assert leftovers(out) == [] and not list(out.glob("*.html"))


def test_an_unwritable_output_directory_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory", encoding="utf-8")
    for command in (
        ("html", "samples/01-seed.txt"),
        ("export", "samples/01-seed.txt"),
        ("rss", "samples/01-seed.txt"),
    ):
        target = blocker / "out" / ("feed.xml" if command[0] == "rss" else "")
        proc = run_cli(*command, "-o", str(target))
        assert proc.returncode == 1, (command, proc.stderr)
        assert str(blocker) in proc.stderr and "Traceback" not in proc.stderr


def test_two_runs_into_one_directory_at_once_never_corrupt_a_file(tmp_path: Path) -> None:
    out = tmp_path / "shared"
    args = [
        sys.executable,
        "-m",
        "converter",
        "export",
        "samples",
        "-o",
        str(out),
        "--jobs",
        "1",
        "--image-root",
        "samples/uploads",
        "--offline",
    ]
    first = subprocess.Popen(
        args, cwd=ROOT, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    second = subprocess.Popen(
        args, cwd=ROOT, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert first.wait(timeout=300) == 0 and second.wait(timeout=300) == 0
    alone = tmp_path / "alone"
    assert (
        run_cli(
            "export",
            "samples",
            "-o",
            str(alone),
            "--jobs",
            "1",
            "--image-root",
            "samples/uploads",
            "--offline",
        ).returncode
        == 0
    )
    shared = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    single = {
        p.relative_to(alone).as_posix(): p.read_bytes() for p in alone.rglob("*") if p.is_file()
    }
    assert leftovers(out) == []
    assert shared == single
