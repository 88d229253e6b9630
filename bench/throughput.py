"""Articles per second for `html` and `markdown`, JSON parsing and normalisation included.

    python bench/throughput.py            # samples/ (all valid records) and the 12-14 KB ones
    python bench/throughput.py --n 3000   # more repetitions

Each measured article goes the whole way: the record's JSON text → orjson → cms.parse_article
(which normalises the body) → the adapter's render → bytes. Files are not written (disk speed is
not ours to measure here). The lxml parse-and-serialise floor and nh3 alone are measured on the
same bodies, in the same run, so the ratios are comparable across machines. One core: run it
with nothing else busy, or pin it (taskset -c 0).
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from pathlib import Path

import nh3
import orjson
from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from converter import Options, render  # noqa: E402
from converter.cms import parse_article  # noqa: E402
from converter.inputs import Record, read_records  # noqa: E402


def records() -> list[bytes]:
    out = []
    for rec in read_records([str(ROOT / "samples")]):
        if isinstance(rec, Record) and "14-invalid" not in rec.source:
            out.append(orjson.dumps(rec.value))
    return out


def rate(fn, items: list[bytes], n: int) -> float:  # type: ignore[no-untyped-def]
    """Articles per second over n articles (best of 3 runs)."""
    work = (items * (n // len(items) + 1))[:n]
    best = float("inf")
    for _ in range(3):
        gc.collect()
        start = time.perf_counter()
        for raw in work:
            fn(raw)
        best = min(best, time.perf_counter() - start)
    return n / best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2000)
    args = parser.parse_args()
    options = Options()
    everything = records()
    big = [r for r in everything if len(orjson.loads(r).get("contents") or "") >= 11_000]
    parser_ = etree.HTMLParser()

    def pipeline(fmt: str):  # type: ignore[no-untyped-def]
        def run(raw: bytes) -> bytes:
            article = parse_article(orjson.loads(raw), "bench", "", options)
            return render(fmt, [article], options)

        return run

    def floor(raw: bytes) -> bytes:
        body = orjson.loads(raw).get("contents") or ""
        doc = etree.fromstring("<html><body>" + body + "</body></html>", parser_)
        return etree.tostring(doc, method="html")

    def sanitiser(raw: bytes) -> str:
        return nh3.clean(orjson.loads(raw).get("contents") or "")

    results = {}
    for label, items in (("all samples", everything), ("12-14 KB bodies", big)):
        sizes = [len(orjson.loads(r).get("contents") or "") for r in items]
        row = {
            "articles": len(items),
            "median body bytes": int(statistics.median(sizes)),
            "html /s": round(rate(pipeline("html"), items, args.n)),
            "markdown /s": round(rate(pipeline("markdown"), items, args.n)),
            "lxml parse+serialise floor /s": round(rate(floor, items, args.n)),
            "nh3 alone /s": round(rate(sanitiser, items, args.n)),
        }
        floor_rate = row["lxml parse+serialise floor /s"]
        row["floor / markdown"] = round(floor_rate / row["markdown /s"], 2)
        results[label] = row
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
