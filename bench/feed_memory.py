"""Peak memory of whole feed runs: ``converter rss|atom|json-feed CORPUS --limit 0 -o FILE``.

    python bench/feed_memory.py                         # 1,000 and 10,000 articles, 3 formats
    python bench/feed_memory.py --counts 1000 --formats rss --repo /path/to/other/checkout

Each run is its own process (``python -m converter`` with PYTHONPATH=REPO), started by a small
parent that waits for it and reads ``getrusage(RUSAGE_CHILDREN).ru_maxrss``: the peak resident
set of that one converter process, start-up included. The corpora are bench/corpus.py's
(seed 1, median body 12 KB), made once into --work and reused. The target (issue 13): every
10,000-article run under 300 MiB and under 1.3 times the 1,000-article run of its format.
Memory is not a timing: one run per point is enough (it varies by well under 1%).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
FORMATS = {"rss": ".xml", "atom": ".atom", "json-feed": ".json"}
LIMIT_MIB, RATIO = 300.0, 1.3

# The parent: runs argv, prints the child's peak RSS in KiB (Linux ru_maxrss unit).
_PARENT = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)\n"
)


def corpus(work: Path, count: int) -> Path:
    path = work / f"feed-corpus-{count}.jsonl"
    if not path.exists():
        subprocess.run(
            [sys.executable, str(HERE / "corpus.py"), "--count", str(count), "--out", str(path)],
            check=True,
        )
    return path


def peak_mib(repo: Path, fmt: str, source: Path, out: Path) -> tuple[float, float]:
    # cwd: the output's folder, never a checkout (``-m`` imports from the working directory)
    """(peak RSS in MiB, wall seconds) of one whole converter run."""
    env = {**os.environ, "PYTHONPATH": str(repo)}
    command = [sys.executable, "-m", "converter", fmt, str(source), "--limit", "0", "-o", str(out)]
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", _PARENT, *command],
        cwd=out.parent,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - start
    kib, code = proc.stdout.split()
    if code not in ("0", "1"):  # 1: some articles skipped/failed is still a whole feed
        raise SystemExit(f"{fmt} on {source} exited {code}")
    return int(kib) / 1024, seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--formats", nargs="+", default=list(FORMATS), choices=list(FORMATS))
    parser.add_argument("--repo", type=Path, default=ROOT, help="checkout to measure")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()))
    args = parser.parse_args()
    repo = args.repo.resolve()
    print(f"repo {repo}")
    print(f"{'format':10} {'articles':>8} {'peak MiB':>9} {'seconds':>8}")
    peaks: dict[tuple[str, int], float] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for fmt in args.formats:
            for count in args.counts:
                source = corpus(args.work, count)
                out = Path(scratch) / f"feed{FORMATS[fmt]}"
                mib, seconds = peak_mib(repo, fmt, source, out)
                peaks[fmt, count] = mib
                print(f"{fmt:10} {count:8} {mib:9.1f} {seconds:8.1f}", flush=True)
                out.unlink(missing_ok=True)
    low, high = min(args.counts), max(args.counts)
    ok = True
    if low != high:
        for fmt in args.formats:
            ratio = peaks[fmt, high] / peaks[fmt, low]
            good = peaks[fmt, high] < LIMIT_MIB and ratio < RATIO
            ok = ok and good
            print(
                f"{fmt:10} {high} / {low}: {ratio:.2f}x, {peaks[fmt, high]:.0f} MiB"
                f" ({'meets' if good else 'misses'} < {LIMIT_MIB:.0f} MiB and < {RATIO}x)"
            )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
