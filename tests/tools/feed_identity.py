"""Byte-identity harness for the feed writers (not shipped, not a test by itself).

    python tests/tools/feed_identity.py run --repo OLD_CHECKOUT OLD_OUT [--corpus X.jsonl]
    python tests/tools/feed_identity.py run --repo . NEW_OUT [--corpus X.jsonl]
    python tests/tools/identity.py compare OLD_OUT NEW_OUT

Runs ``rss``, ``atom`` and ``json-feed`` over samples/, the shared real-world corpus (read in
place) and any ``--corpus`` files (bench/corpus.py output), each with several option sets
(limits, a section split, the paywall modes, --base-url with the channel links, an XSL
stylesheet, pretty output, filters), so that a change to how feeds are written can be shown to
keep every byte. ``--now`` is not a feed flag: both runs must be made within the same day or
so (future-dated articles are the only clock-dependent input).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parents[2]
REALWORLD = Path("/work/shared/realworld/corpus")

OPTION_SETS: dict[str, list[str]] = {
    "all": ["--limit", "0"],
    "default": [],
    "limit5-pretty": ["--limit", "5", "--pretty"],
    "paywall-full": ["--limit", "0", "--paywall", "full"],
    "paywall-exclude": ["--limit", "0", "--paywall", "exclude", "--include-noindex"],
    "channel": [
        "--limit", "0", "--base-url", "https://example.org", "--feed-url",
        "https://example.org/feed", "--hub", "https://hub.example.org/",
        "--image", "https://example.org/logo.png", "--title", "T & <t>",
        "--description", "D",
    ],
    "xsl-pretty": ["--limit", "0", "--xsl", "/feed.xsl?a=1&b=2", "--pretty"],
    "xsl": ["--limit", "3", "--xsl", "/feed.xsl"],
    "section": ["--limit", "0", "--category", "south-africa"],
    "keyword": ["--limit", "0", "--keyword", "nonexistent-keyword"],
}  # fmt: skip


def run(repo: Path, out: Path, corpora: list[str]) -> int:
    sets = {"samples": [str(HERE / "samples")]}
    realworld = sorted(str(p) for p in REALWORLD.glob("*.jsonl"))
    if realworld:
        sets["realworld"] = realworld
    for corpus in corpora:
        sets[Path(corpus).stem] = [corpus]
    env = {**os.environ, "PYTHONPATH": str(repo), "TZ": "UTC"}
    for name, inputs in sets.items():
        target = out / name
        target.mkdir(parents=True, exist_ok=True)
        for fmt in ("rss", "atom", "json-feed"):
            runs = {label: [*opts, "-o", str(target / f"{fmt}-{label}")]
                    for label, opts in OPTION_SETS.items()}  # fmt: skip
            runs["split"] = ["--split-by", "category", "-o", str(target / f"{fmt}-split")]
            runs["split-pretty-all"] = ["--split-by", "category", "--pretty", "--limit", "0",
                                        "-o", str(target / f"{fmt}-split-pretty-all")]  # fmt: skip
            for label, args in runs.items():
                proc = subprocess.run(
                    [sys.executable, "-m", "converter", fmt, *inputs, *args],
                    cwd=target,  # not the checkout: ``-m`` would import the code found there
                    env=env,
                    capture_output=True,
                    check=False,
                )
                log = proc.stderr.replace(str(target).encode(), b"OUT")
                log = log.replace(str(HERE).encode(), b"REPO").replace(str(repo).encode(), b"REPO")
                (target / f"{fmt}-{label}.log").write_bytes(
                    log + f"\nexit {proc.returncode}\n".encode()
                )
                print(f"{name:12} {fmt:9} {label:18} exit {proc.returncode}", flush=True)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["run"])
    parser.add_argument("out", type=Path)
    parser.add_argument("--repo", type=Path, default=HERE)
    parser.add_argument("--corpus", action="append", default=[])
    args = parser.parse_args()
    return run(args.repo.resolve(), args.out, args.corpus)


if __name__ == "__main__":
    sys.exit(main())
