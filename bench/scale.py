"""Whole-archive export at scale: wall time and peak memory of `converter export` and its workers.

    python bench/scale.py --count 10000                       # corpus + mirror + export, a table
    python bench/scale.py --count 100000 --json /tmp/s.json   # the same at 100k, also as JSON
    python bench/scale.py --corpus big.jsonl --mirror DIR     # your corpus / an existing mirror
    python bench/scale.py --count 10000 --formats epub -- --no-images   # extra export flags

One run, issue #5's setting: the corpus (``bench/corpus.py --count N --seed S --median-kb M``,
or ``--corpus FILE``), a local uploads mirror that holds a picture for every image URL of the
corpus, then ``converter export CORPUS -o OUT --jobs 2 --image-root MIRROR --offline`` (all
formats unless ``--formats``) as a subprocess, and the report:

* wall time of the export process (spawn to exit);
* peak RSS of every process of its tree: the /proc tree below the export's pid is polled
  (``--interval``, 50 ms) for ``VmHWM`` (the kernel's high-water mark, so a peak between two
  polls is not missed while the process lives) and cross-checked with ``wait4``'s ``ru_maxrss``
  of the export, which is the maximum over the export and every descendant it waited for;
* per-format output: file count and bytes; the report's summary counts.

The mirror: the corpus's image URLs all carry ``/wp-content/uploads/<path>``, which is what
``--image-root`` maps to ``MIRROR/<path>`` (``mirror_path`` in converter/adapters/epub/fetch.py),
so the script scans the corpus for those paths and writes one small distinct JPEG per path (96 px
wide, in the aspect ratio of a ``-WxH`` name, colour and pattern from a hash of the path: ~1 KB
each; ~4.5 distinct paths per article). Paths that the corpus cuts short (paywall teasers) are not
made: those images are reported missing by the export, as they would be in a real mirror.

Safety: ``--max-rss-mib`` (default 6144) kills the export's process group when the tree's
total RSS passes it, and the run is reported as stopped. Corpus, mirror and output go under
``--workdir`` (default a new directory in /tmp), removed at the end unless ``--keep``.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
UPLOADS_PATH = re.compile(r"/wp-content/uploads/([A-Za-z0-9_./-]+?\.jpe?g)(?=[\"'\s<>?#\\])")
SIZE_IN_NAME = re.compile(r"-(\d{2,5})x(\d{2,5})\.\w+$")
TICKS = os.sysconf("SC_CLK_TCK")
MIB = 1024 * 1024


# ---------------------------------------------------------------------------------------------
# Corpus and mirror


def make_corpus(path: Path, count: int, seed: int, median_kb: float) -> None:
    command = [sys.executable, str(HERE / "corpus.py"), "--count", str(count)]
    command += ["--out", str(path), "--seed", str(seed), "--median-kb", str(median_kb)]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


def image_paths(corpus: Path) -> set[str]:
    """Every ``wp-content/uploads/<path>.jpg`` of the corpus (lead images, transforms, inline)."""
    found: set[str] = set()
    with corpus.open(encoding="utf-8") as handle:
        for line in handle:
            found.update(UPLOADS_PATH.findall(line))
    return {p for p in found if ".." not in p.split("/")}


def picture(relative: str) -> bytes:
    from PIL import Image, ImageDraw

    digest = hashlib.sha256(relative.encode("utf-8")).digest()
    match = SIZE_IN_NAME.search(relative)
    w, h = (int(match[1]), int(match[2])) if match else (16, 9)
    size = (96, max(8, round(96 * h / w)))
    image = Image.new("RGB", size, (digest[0], digest[1], digest[2]))
    draw = ImageDraw.Draw(image)
    for k in range(8):  # a pattern from the hash: distinct paths, distinct bytes
        b = digest[3 + k]
        box = [(k * 12, 0), (k * 12 + 11, size[1] // 2)]
        draw.rectangle(box, fill=(b, 255 - b, digest[20 + k]))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=60)
    return out.getvalue()


def make_mirror(corpus: Path, root: Path) -> tuple[int, int]:
    paths = sorted(image_paths(corpus))
    total = 0
    for relative in paths:
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        data = picture(relative)
        target.write_bytes(data)
        total += len(data)
    return len(paths), total


# ---------------------------------------------------------------------------------------------
# Watching the process tree


@dataclass
class Proc:
    pid: int
    ppid: int
    name: str
    hwm_kib: int = 0  # VmHWM: peak resident set
    rss_kib: int = 0  # largest VmRSS seen by a poll
    cpu_s: float = 0.0  # user + system CPU at the last poll
    first: float = 0.0
    last: float = 0.0


@dataclass
class Watch:
    procs: dict[int, Proc] = field(default_factory=dict)
    total_kib: int = 0  # largest sum of VmRSS over the tree in one poll
    polls: int = 0


def _status(pid: int) -> dict[str, str] | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as handle:
            return dict(line.rstrip("\n").split(":\t", 1) for line in handle if ":\t" in line)
    except OSError:
        return None


def _children(pid: int) -> list[int]:
    """Child pids (CONFIG_PROC_CHILDREN: one small read instead of a scan of /proc)."""
    kids: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as handle:
                kids.extend(int(k) for k in handle.read().split())
    except OSError:
        pass
    return kids


def _cpu(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def poll(root: int, watch: Watch, started: float) -> None:
    pending, total = [root], 0
    now = time.monotonic() - started
    while pending:
        pid = pending.pop()
        pending.extend(_children(pid))
        status = _status(pid)
        if status is None or "VmHWM" not in status:
            continue
        hwm = int(status["VmHWM"].split()[0])
        rss = int(status["VmRSS"].split()[0])
        proc = watch.procs.get(pid)
        if proc is None:
            proc = Proc(pid, int(status["PPid"]), status["Name"], first=now)
            watch.procs[pid] = proc
        proc.hwm_kib, proc.rss_kib, proc.last = max(proc.hwm_kib, hwm), max(proc.rss_kib, rss), now
        proc.cpu_s = max(proc.cpu_s, _cpu(pid))
        total += rss
    watch.total_kib = max(watch.total_kib, total)
    watch.polls += 1


def run_export(
    command: list[str], log: Path, interval: float, cap_mib: int
) -> tuple[int, float, Any, Watch, bool]:
    """(exit status, wall s, wait4 rusage, watch, stopped by the cap)."""
    watch = Watch()
    with log.open("wb") as err:
        started = time.monotonic()
        proc = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=err, start_new_session=True
        )
        stopped = False
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            poll(proc.pid, watch, started)
            if not stopped and watch.total_kib > cap_mib * 1024:
                stopped = True
                os.killpg(proc.pid, signal.SIGKILL)
            time.sleep(interval)
        wall = time.monotonic() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, wall, usage, watch, stopped


# ---------------------------------------------------------------------------------------------
# Outputs


def tree_size(path: Path) -> tuple[int, int]:
    files = size = 0
    for dirpath, _dirs, names in os.walk(path):
        for name in names:
            files += 1
            size += os.stat(os.path.join(dirpath, name)).st_size
    return files, size


def outputs(out: Path) -> dict[str, dict[str, int]]:
    found: dict[str, dict[str, int]] = {}
    for what in ("html", "markdown", "feeds", "epub", "state"):
        files, size = tree_size(out / what)
        if files:
            found[what] = {"files": files, "bytes": size}
    for name in ("report.json", "manifest.json"):
        if (out / name).exists():
            found[name] = {"files": 1, "bytes": (out / name).stat().st_size}
    return found


def report_counts(out: Path) -> dict[str, Any]:
    """The summary and the skip/fail reasons of report.json (read without holding the list)."""
    path = out / "report.json"
    if not path.exists():
        return {}
    with path.open(encoding="utf-8") as handle:
        head = handle.readline()
        summary = json.loads(head.split(": ", 1)[1].rstrip(",\n"))
        warnings = json.loads(handle.readline().split(": ", 1)[1].rstrip(",\n"))
        rules: dict[str, int] = {}
        for line in handle:
            line = line.strip().rstrip(",")
            if not line.startswith("{"):
                continue
            item = json.loads(line)
            if item["status"] != "converted":
                reason = item.get("rule") or item.get("reason") or ""
                key = f"{item['status']}: {re.sub(r'[0-9]+', 'N', reason)[:70]}"
                rules[key] = rules.get(key, 0) + 1
    return {"summary": summary, "warnings": len(warnings), "not converted": rules}


# ---------------------------------------------------------------------------------------------
# Main


def mib(kib: int) -> str:
    return f"{kib / 1024:,.0f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000, help="records to generate")
    parser.add_argument("--corpus", type=Path, help="use this JSON Lines corpus (no generating)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--median-kb", type=float, default=12.0)
    parser.add_argument("--mirror", type=Path, help="an existing uploads mirror (else built)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--formats", default="", help="export --formats (default: all)")
    parser.add_argument("--workdir", type=Path, help="default: a new directory in /tmp")
    parser.add_argument("--keep", action="store_true", help="keep corpus, mirror and output")
    parser.add_argument("--interval", type=float, default=0.05, help="poll interval (s)")
    parser.add_argument("--max-rss-mib", type=int, default=6144, help="kill the export above")
    parser.add_argument("--json", type=Path, help="also write the results as JSON")
    parser.add_argument("extra", nargs="*", help="more export flags, after --")
    args = parser.parse_args(argv)

    work = args.workdir or Path(tempfile.mkdtemp(prefix="converter-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    meta: dict[str, Any] = {"jobs": args.jobs, "formats": args.formats or "all"}
    try:
        corpus = args.corpus
        t = time.monotonic()
        if corpus is None:
            corpus = work / "corpus.jsonl"
            make_corpus(corpus, args.count, args.seed, args.median_kb)
            meta["corpus"] = f"corpus.py --count {args.count} --seed {args.seed} " + (
                f"--median-kb {args.median_kb:g}"
            )
        else:
            meta["corpus"] = str(corpus)
        meta["corpus_bytes"] = corpus.stat().st_size
        meta["corpus_s"] = round(time.monotonic() - t, 1)
        mirror = args.mirror
        if mirror is None:
            t = time.monotonic()
            mirror = work / "uploads"
            images, size = make_mirror(corpus, mirror)
            meta["mirror"] = {"images": images, "bytes": size, "s": round(time.monotonic() - t, 1)}
        out = work / "out"
        shutil.rmtree(out, ignore_errors=True)
        command = ["converter", "export", str(corpus), "-o", str(out), "--jobs", str(args.jobs)]
        command += ["--image-root", str(mirror), "--offline", "--quiet"]
        if args.formats:
            command += ["--formats", args.formats]
        command += args.extra
        meta["command"] = " ".join(command)
        print(f"running: {meta['command']}", file=sys.stderr)
        load_before = round(os.getloadavg()[0], 2)
        status, wall, usage, watch, stopped = run_export(
            command, work / "export.stderr", args.interval, args.max_rss_mib
        )
        errors = (work / "export.stderr").read_text(encoding="utf-8", errors="replace")
        result: dict[str, Any] = {
            "meta": meta,
            "exit_status": status,
            "stopped_at_cap": stopped,
            "wall_s": round(wall, 2),
            "wait4_maxrss_mib": round(usage.ru_maxrss / 1024, 1),
            "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),  # the export and its workers
            "load_before": load_before,
            "load_after": round(os.getloadavg()[0], 2),
            "tree_rss_max_mib": round(watch.total_kib / 1024, 1),
            "polls": watch.polls,
            "processes": [],
            "outputs": outputs(out),
            "report": report_counts(out),
            "stderr_lines": errors.count("\n"),
        }
        root = min(watch.procs, default=0)
        for proc in sorted(watch.procs.values(), key=lambda p: p.first):
            role = "main" if proc.pid == root else "worker"
            result["processes"].append({"role": role, **asdict(proc)})
        print_table(result)
        if args.json:
            args.json.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
        return 0 if status in (0, 1) and not stopped else 1
    finally:
        if not args.keep and args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
        elif not args.keep:
            for name in ("corpus.jsonl", "uploads", "out"):
                path = work / name
                if path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)
                elif path != args.corpus:
                    path.unlink(missing_ok=True)


def print_table(r: dict[str, Any]) -> None:
    meta = r["meta"]
    print(f"corpus: {meta['corpus']} ({meta['corpus_bytes'] / MIB:,.0f} MiB)")
    if "mirror" in meta:
        m = meta["mirror"]
        print(f"mirror: {m['images']:,} images, {m['bytes'] / MIB:,.1f} MiB, built in {m['s']} s")
    print(f"command: {meta['command']}")
    state = " (STOPPED: over --max-rss-mib)" if r["stopped_at_cap"] else ""
    print(
        f"exit status {r['exit_status']}{state}; wall {r['wall_s']:.1f} s; CPU (user+sys, "
        f"all processes) {r['cpu_s']:.1f} s; load average {r['load_before']} → {r['load_after']}\n"
    )
    print("| process | pid | peak RSS (VmHWM, MiB) | CPU (s) | alive (s) |")
    print("|---|---:|---:|---:|---|")
    for p in r["processes"]:
        print(
            f"| {p['role']} ({p['name']}) | {p['pid']} | {mib(p['hwm_kib'])} | "
            f"{p['cpu_s']:.1f} | {p['first']:.1f}–{p['last']:.1f} |"
        )
    print(f"| any process (wait4 ru_maxrss) | | **{r['wait4_maxrss_mib']:,.0f}** | | |")
    print(f"| whole tree at once (sum of VmRSS) | | {r['tree_rss_max_mib']:,.0f} | | |\n")
    print("| output | files | MiB |")
    print("|---|---:|---:|")
    for name, o in r["outputs"].items():
        print(f"| {name} | {o['files']:,} | {o['bytes'] / MIB:,.1f} |")
    rep = r["report"]
    if rep:
        print(f"\nreport: {rep['summary']}, warnings {rep['warnings']:,}")
        for rule, n in sorted(rep["not converted"].items(), key=lambda x: -x[1]):
            print(f"  {n:>7,}  {rule}")


if __name__ == "__main__":
    sys.exit(main())
