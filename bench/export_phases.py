"""Where a whole export's time goes: ``converter export`` run in this process, timed as a whole
and in its two serial parts at the end (``_Run.collections``: feeds, sitemaps, book; and
``_Run.finish``: state files, report, manifest), with the main process's user and system CPU
and its children's (the workers, and the process that makes the book with ``--jobs`` > 1).

    python bench/export_phases.py CORPUS.jsonl MIRROR [--jobs 2] [--repeat 3]

CORPUS and MIRROR as bench/scale.py makes them (``--keep --workdir DIR``: DIR/corpus.jsonl and
DIR/uploads). Which converter runs is the one Python imports: ``PYTHONPATH=/some/site`` runs
another build (the A/B of docs/performance.md, "Issue 13: the export's end on both cores").
Each run writes into a new directory, removed afterwards (after a ``sync``, so that the next run
does not meet the last one's writeback).
"""

from __future__ import annotations

import argparse
import os
import resource
import runpy
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any


def _timed(owner: Any, name: str, seen: dict[str, float]) -> None:
    real: Callable[..., Any] = getattr(owner, name)

    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            seen[name] = time.perf_counter() - start

    setattr(owner, name, timed)


def one(corpus: str, mirror: str, jobs: int, seen: dict[str, float]) -> dict[str, float]:
    seen.clear()
    out = tempfile.mkdtemp(prefix="export-phases-")
    argv = ["converter", "export", corpus, "-o", out, "--jobs", str(jobs), "--offline"]
    sys.argv = [*argv, "--image-root", mirror, "--quiet"]
    before, children = os.times(), resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    try:
        runpy.run_module("converter", run_name="__main__")
    except SystemExit as exc:
        if exc.code:
            raise
    wall = time.perf_counter() - start
    after, done = os.times(), resource.getrusage(resource.RUSAGE_CHILDREN)
    shutil.rmtree(out)
    os.sync()
    return {
        "wall": wall,
        "collections": seen.get("collections", 0.0),
        "finish": seen.get("finish", 0.0),
        "main user": after.user - before.user,
        "main sys": after.system - before.system,
        "children": done.ru_utime + done.ru_stime - children.ru_utime - children.ru_stime,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus")
    parser.add_argument("mirror")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    from converter.engine import run  # the converter on sys.path (PYTHONPATH decides)

    seen: dict[str, float] = {}
    for name in ("collections", "finish"):
        _timed(run._Run, name, seen)
    for _ in range(args.repeat):
        found = one(args.corpus, args.mirror, args.jobs, seen)
        print("  ".join(f"{k} {v:.2f} s" for k, v in found.items()), flush=True)


if __name__ == "__main__":
    main()
