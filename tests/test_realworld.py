"""Real content beats self-written tests: the shared real-world corpus, checked by its own
checker (../shared/realworld/check.py: every command on ~330 real bodies, with feedparser,
the Nu HTML checker and EPUBCheck), run against this checkout's CLI in a subprocess.

The corpus is read from where it lives (CONVERTER_REALWORLD, else ../shared/realworld next to
the repository); it is never copied into the project. Without it this test fails: CI has it.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from converter import Options
from converter.cms import parse_article
from converter.content import normalise
from converter.content.transforms import Context

from .conftest import ROOT

REALWORLD = Path(os.environ.get("CONVERTER_REALWORLD", ROOT.parent / "shared" / "realworld"))


def corpus() -> list[dict[str, object]]:
    files = sorted((REALWORLD / "corpus").glob("*.jsonl"))
    assert files, f"the real-world corpus is missing: {REALWORLD} (set CONVERTER_REALWORLD)"
    return [json.loads(line) for f in files for line in f.read_text("utf-8").splitlines() if line]


def test_the_realworld_checker_finds_nothing(tmp_path: Path) -> None:
    checker = REALWORLD / "check.py"
    assert checker.is_file(), f"no checker at {checker}"
    command = shlex.join([sys.executable, "-m", "converter"])
    proc = subprocess.run(
        [sys.executable, str(checker), "--converter", command, "--work", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=1800,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
    )
    failures = [line for line in proc.stdout.splitlines() if line.startswith("FAIL")]
    last = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else proc.stderr[-2000:]
    assert re.fullmatch(r"\d+ passed, 0 failed", last), "\n".join([last, *failures[:40]])
    assert proc.returncode == 0, proc.stderr[-2000:]


@pytest.fixture(scope="module")
def records() -> list[dict[str, object]]:
    return corpus()


def test_every_realworld_body_is_a_fixed_point(records: list[dict[str, object]]) -> None:
    """Normalising the canonical body again changes nothing (idempotence on real content)."""
    moved = []
    for record in records:
        article = parse_article(record, "realworld", "line", Options())
        ctx = Context(base=article.url, id_prefix=f"a{article.id}-")
        if normalise(article.body, ctx).html != article.body:
            moved.append(article.id)
    assert moved == []
