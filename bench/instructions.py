"""Noise-free cost of one article: run under callgrind, twice, and take the difference.

    for n in 0 20; do valgrind --tool=callgrind --callgrind-out-file=/dev/null \
        python bench/instructions.py markdown $n samples/01-seed.txt 2>&1 | grep Collected; done
    # instructions per article = (second - first) / 20

Each iteration is the full per-article path: JSON text → orjson → cms.parse_article (which
normalises the body) → the adapter's render. One warm-up iteration always runs, so imports and
first-call costs cancel out. Instruction counts do not move with the machine's load, which
makes them the right measure for comparing two versions of the code on a shared machine.

Other scripts import ``collected`` and ``marked`` from here to run any command under callgrind
(bench/issue13.py: whole processes, and several rows in one run).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from converter import Options, render
from converter.cms import parse_article


def have_valgrind() -> bool:
    return shutil.which("valgrind") is not None


def _env() -> dict[str, str]:
    # A fixed hash seed: set and dict iteration orders, hence the instructions, repeat exactly.
    return {**os.environ, "PYTHONHASHSEED": "0"}


def collected(argv: list[str], cwd: str | None = None) -> int:
    """Instructions of the whole process ``argv`` (start-up and exit included), as callgrind's
    "Collected" line reports them. Children are not followed: the commands measured here do
    their work in the one process."""
    proc = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *argv],
        capture_output=True,
        text=True,
        env=_env(),
        cwd=cwd,
    )
    m = re.search(r"Collected : (\d+)", proc.stderr)
    if proc.returncode != 0 or not m:
        raise RuntimeError(f"callgrind failed ({proc.returncode}): {proc.stderr[-800:]}")
    return int(m.group(1))


def marked(argv: list[str], marker: str = "math_gcd") -> list[int]:
    """Run ``argv`` under callgrind with a dump before every call of ``marker``: the
    instructions of each piece, in order, one per mark: piece 0 runs from start-up to the first
    mark, piece i from mark i to mark i+1 (what runs after the last mark, up to exit, goes to
    the final dump, not returned). A Python program marks with ``math.gcd(1, 1)``; a piece's
    count includes one mark (~1,500 instructions)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "cg.out"
        proc = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={out}",
                f"--dump-before={marker}",
                *argv,
            ],
            capture_output=True,
            text=True,
            env=_env(),
        )
        if proc.returncode != 0:
            raise RuntimeError(f"callgrind failed ({proc.returncode}): {proc.stderr[-800:]}")
        dumps = sorted(Path(tmp).glob("cg.out.*"), key=lambda f: int(f.suffix[1:]))
        totals = []
        for f in dumps:
            m = re.search(r"^totals: (\d+)", f.read_text(errors="replace"), re.M)
            totals.append(int(m.group(1)) if m else 0)
    return totals


def main() -> None:
    fmt, count = sys.argv[1], int(sys.argv[2])
    path = Path(sys.argv[3] if len(sys.argv) > 3 else "samples/01-seed.txt")
    text = path.read_text(encoding="utf-8")
    if not text.lstrip().startswith(("{", "[")):
        text = text.partition("\n")[2]  # the CMS debug dump's header line
    raw = text.encode("utf-8")
    options = Options()
    for _ in range(count + 1):
        render(fmt, [parse_article(orjson.loads(raw), str(path), "", options)], options)


if __name__ == "__main__":
    main()
