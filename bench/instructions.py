"""Noise-free cost of one article: run under callgrind, twice, and take the difference.

    for n in 0 20; do valgrind --tool=callgrind --callgrind-out-file=/dev/null \
        python bench/instructions.py markdown $n samples/01-seed.txt 2>&1 | grep Collected; done
    # instructions per article = (second - first) / 20

Each iteration is the full per-article path: JSON text → orjson → cms.parse_article (which
normalises the body) → the adapter's render. One warm-up iteration always runs, so imports and
first-call costs cancel out. Instruction counts do not move with the machine's load, which
makes them the right measure for comparing two versions of the code on a shared machine.
"""

from __future__ import annotations

import sys
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from converter import Options, render
from converter.cms import parse_article


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
