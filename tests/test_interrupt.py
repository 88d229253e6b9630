"""Ctrl-C and SIGTERM with real signals on a real CLI in its own process group: sent to the
whole group (as a terminal does: main process and workers) or to the main process alone,
serial or with --jobs 2. The run stops, prints one line, leaves no partial file and no worker
process, and exits 130 (SIGINT) or 143 (SIGTERM)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import ROOT, write_archive

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_archive(tmp_path_factory.mktemp("archive") / "archive.jsonl", 3000, 11)


def group_members(pgid: int) -> set[int]:
    """The processes of a process group (from /proc: no pgrep needed)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2 :].split()
            if int(fields[2]) == pgid:  # after state and ppid: the process group
                found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


CASES = [
    (signal.SIGINT, 130, "interrupted (SIGINT)", True, "2"),
    (signal.SIGTERM, 143, "terminated (SIGTERM)", True, "2"),
    (signal.SIGINT, 130, "interrupted (SIGINT)", False, "2"),
    (signal.SIGTERM, 143, "terminated (SIGTERM)", False, "2"),
    (signal.SIGINT, 130, "interrupted (SIGINT)", True, "1"),
]


@pytest.mark.parametrize(("sig", "code", "words", "group", "jobs"), CASES)
def test_a_signal_stops_the_run_cleanly(
    archive: Path, tmp_path: Path, sig: int, code: int, words: str, group: bool, jobs: str
) -> None:
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-m", "converter", "export", str(archive), "-o", str(out),
         "--jobs", jobs, "--formats", "html,markdown,rss"],
        cwd=ROOT, env=ENV, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            if len(list((out / "markdown").glob("*.md"))) >= 30:
                break
            time.sleep(0.05)
        assert proc.poll() is None, "the run ended before it could be interrupted"
        members = group_members(proc.pid)
        assert len(members) == (1 if jobs == "1" else 3), members  # main (+ 2 workers)
        if group:
            os.killpg(proc.pid, sig)  # what a terminal's Ctrl-C does
        else:
            os.kill(proc.pid, sig)
        _, stderr = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == code, stderr
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr  # one line, no traceback from any worker
    assert "Traceback" not in stderr
    (line,) = lines
    assert line.startswith(f"export: {words}: ") and line.endswith("; no partial files"), line
    done = int(line.split(": ")[2].split()[0])
    written = len(list((out / "markdown").glob("*.md")))
    assert 30 <= written < 3000
    assert written <= done + 1  # finished articles (+ one whose files were written when the
    # signal came, before it was counted)
    leftovers = [p.name for p in out.rglob("*") if p.name.startswith(".tmp") or
                 p.name.endswith((".part", ".tmp"))]  # fmt: skip
    assert leftovers == []
    for page in (out / "html").glob("*.html"):
        assert page.read_text(encoding="utf-8").rstrip().endswith("</html>"), page
    assert not (out / "report.json").exists()  # not an incomplete report passed off as whole
    assert not [pid for pid in members if alive(pid)]  # no worker left behind
