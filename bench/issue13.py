"""Issue 13's targets, measured in ONE run, in time and in instructions, on three corpora.

    python bench/issue13.py --quick                         # a few minutes: every part, small
    python bench/issue13.py --markdown /tmp/issue13.md --json /tmp/issue13.json   # the full run

What one run measures, side by side:

* **in-process, per core** (the process pinned to one CPU with ``taskset``): the full path per
  article of ``markdown`` and ``html`` (standalone page): record JSON → orjson → cms.parse_article
  → render; the peers ``markdownify`` and ``html2text`` and the lxml parse + serialise floor on
  the raw ``contents`` (bench/peers.py's rows, timed in ~20 ms chunks round-robin, each chunk's
  best of ``--repeat``); and the same rows under callgrind (instructions per article, mean over
  the first ``--callgrind`` articles, one valgrind run per corpus: bench/instructions.py's
  ``marked``).
* **whole process, per core**: ``converter markdown DIR -o OUT`` and ``converter html DIR -o OUT``
  as subprocesses pinned with ``taskset``, over N and 2N articles (one ``.json`` file per article,
  as the CMS gives them); net articles/s = N / (time(2N) - time(N)), so start-up and the
  per-run fixed costs cancel. The peers the same way: a script that does what a user would
  write (read every file of DIR, ``json.loads``, ``markdownify(contents)`` or
  ``html2text.html2text(contents)``, write ``OUT/<id>.md``; this file's ``--peer-cli`` mode).
  Wall time is the best of ``--repeat``; CPU time (``wait4``) is shown beside it. With
  ``--callgrind-cli K`` the same commands run under callgrind over K and 2K articles: net
  instructions per article.
* **three corpora**: ``bench`` (bench/corpus.py --seed 1 --median-kb 12), ``seed``
  (bench/corpus.py --like the seed record in /work/shared/seed: its Reuters markup, CRLF and
  metadata, median 12 KB) and ``realworld`` (/work/shared/realworld/corpus/*.jsonl, read from
  there, the files' records interleaved so that N and 2N are alike).
* **feeds**: peak RSS (``ru_maxrss`` of the whole process, through GNU time) of
  ``converter rss|atom|json-feed --limit 0`` over 1,000 and 10,000 bench-corpus articles, and
  the ratio (run under GNU time: see run_timed for why not our own ``wait4``).
* **export**: bench/scale.py's ``converter export`` of 10,000 articles, all formats, ``--jobs 2``
  (not pinned: it uses both cores): wall time and the peak RSS of any process.

It prints the measurements and a table of issue 13's targets, each with whether it is met;
``--markdown FILE`` writes the same tables as Markdown (for docs/performance.md), ``--json FILE``
every number. ``--quick`` shrinks every count (and measures one feed format) so that the run
takes a few minutes; its ratios are indicative, and the targets defined on 10,000 articles are
then compared at the smaller size (the table says so). On a loaded machine trust the
instruction counts: no one else's load moves them.
"""

from __future__ import annotations

import argparse
import glob
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHARED = ROOT.parent / "shared" if (ROOT.parent / "shared").is_dir() else Path("/work/shared")
MIB = 1024 * 1024

# The rows measured in-process (names of bench/peers.py's rows) and their labels.
INPROC = ("markdown", "html", "lxml floor", "markdownify", "html2text")
CLI = ("converter markdown", "converter html", "markdownify script", "html2text script")


# ---------------------------------------------------------------------------------------------
# Workers (subprocesses). They import only what they measure.


def peer_cli(tool: str, src: str, out: str) -> None:
    """A user's whole-process peer: every article file of ``src`` → one Markdown file."""
    if tool == "markdownify":
        from markdownify import markdownify as convert
    else:
        from html2text import html2text as convert
    os.makedirs(out, exist_ok=True)
    for name in sorted(os.listdir(src)):
        with open(os.path.join(src, name), encoding="utf-8") as fh:
            record = json.load(fh)
        text = convert(record.get("contents") or "")
        with open(os.path.join(out, f"{record['id']}.md"), "w", encoding="utf-8") as fh:
            fh.write(text)


def _rows(records: list[bytes]) -> list[Any]:
    sys.path.insert(0, str(HERE))
    import peers

    ns = argparse.Namespace(epub_count=0, pandoc_count=0)
    return [peers.make_rows(records, ns, only=name)[0] for name in INPROC]


def _records(path: str, count: int) -> list[bytes]:
    """The first ``count`` records of a JSON Lines file (peers' reader, no generation)."""
    import peers

    return peers.load_records(path, count, 0, 0)


def inproc_worker(path: str, count: int, repeat: int, chunk_ms: float) -> None:
    """Articles/s of every INPROC row over the first ``count`` records of ``path``: each row cut
    into chunks of ~``chunk_ms``, ``repeat`` passes round-robin over all rows' chunks (a burst of
    someone else's load hits every row alike), a row's time = sum of its chunks' best times."""
    import gc

    records = _records(path, count)
    rows = _rows(records)
    warm = _rows(records[:2])
    for w in warm:
        w.each(0, len(records[:2]))
    clock = time.perf_counter
    for row in rows:
        probe = min(row.articles, 3)
        t0 = clock()
        row.each(0, probe)
        per = max((clock() - t0) / probe, 1e-6)
        size = max(1, min(row.articles, round(chunk_ms / 1000 / per)))
        row.chunk = size
        row.chunk_times = [[] for _ in row.chunks]
    rounds = max(len(r.chunks) for r in rows)
    order: list[list[tuple[Any, int]]] = [[] for _ in range(rounds)]
    for row in rows:
        c = len(row.chunks)
        for j in range(c):
            order[j * rounds // c].append((row, j))
    gc.collect()
    gc.freeze()
    for _ in range(repeat):
        for work in order:
            for row, j in work:
                lo, hi = row.chunks[j]
                gc.collect()
                t0 = clock()
                row.each(lo, hi)
                row.chunk_times[j].append(clock() - t0)
    print(json.dumps({r.name: {"articles": r.articles, "seconds": r.best} for r in rows}))


def cg_worker(path: str, count: int) -> None:
    """Under callgrind: warm every row up, then run each row over the records, with a mark
    (``math.gcd``) before the first and after each, so each row's instructions are one dump."""
    import gc
    import math

    records = _records(path, count)
    rows = _rows(records)
    for w in _rows(records[:2]):
        w.each(0, len(records[:2]))
    # As in the timed worker: the modules and the records out of the collector's way, so that a
    # full collection of them does not land, by chance, in one row's count.
    gc.collect()
    gc.freeze()
    math.gcd(1, 1)
    for row in rows:
        row.each(0, row.articles)
        math.gcd(1, 1)
    print(json.dumps({"rows": [r.name for r in rows], "articles": len(records)}))


# ---------------------------------------------------------------------------------------------
# Corpora


@dataclass
class Corpus:
    name: str
    source: str
    jsonl: Path  # the records, one per line
    records: int
    median_kb: float = 0.0
    dirs: dict[int, Path] = field(default_factory=dict)  # N → a directory of N article files


def _generate(path: Path, count: int, like: str | None) -> None:
    sys.path.insert(0, str(HERE))
    import corpus

    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        for line in corpus.lines(count, seed=1, median_kb=12.0, like=like):
            fh.write(line + "\n")


def _interleave(files: list[str], path: Path) -> int:
    """The files' records, round-robin (so the first half holds some of every file)."""
    lists = [_records(f, 10**9) for f in files]
    n = 0
    with open(path, "wb") as fh:
        for i in range(max(len(x) for x in lists)):
            for recs in lists:
                if i < len(recs):
                    fh.write(recs[i] + b"\n")
                    n += 1
    return n


def make_corpus(name: str, need: int, work: Path, seed_file: str, realworld: str) -> Corpus:
    path = work / f"{name}.jsonl"
    if name == "bench":
        _generate(path, need, None)
        source = "bench/corpus.py --seed 1 --median-kb 12"
    elif name == "seed":
        _generate(path, need, seed_file)
        source = f"bench/corpus.py --like {seed_file} --seed 1 --median-kb 12"
    elif name == "realworld":
        files = sorted(glob.glob(realworld))
        if not files:
            raise SystemExit(f"no realworld corpus at {realworld}")
        _interleave(files, path)
        source = realworld
    else:
        raise SystemExit(f"unknown corpus {name!r}")
    records = _records(str(path), need)
    sizes = sorted(len(json.loads(r).get("contents") or "") for r in records)
    return Corpus(name, source, path, len(records), sizes[len(sizes) // 2] / 1024)


def article_dir(c: Corpus, n: int, work: Path) -> Path:
    """A directory of the first ``n`` records, one ``NNNNN.json`` file each (made once)."""
    if n not in c.dirs:
        d = work / f"{c.name}-{n}"
        d.mkdir()
        for i, raw in enumerate(_records(str(c.jsonl), n)):
            (d / f"{i:06d}.json").write_bytes(raw)
        c.dirs[n] = d
    return c.dirs[n]


# ---------------------------------------------------------------------------------------------
# Running things


_OUTS = itertools.count()


def fresh_out(work: Path) -> Path:
    """A new output directory for each run; none is deleted until the whole run is over.

    On ext4 a new file's inode is looked for past every inode of its group freed in the last
    60 s (300 s while the inode table block is dirty: ``recently_deleted`` in
    fs/ext4/ialloc.c), one by one. On this project's VM, creating a file right after a
    ``rmtree`` of the previous run's 600 outputs cost ~800 µs instead of ~20 µs (perf: the
    time in ``recently_deleted``), and that charged the deletions of the benchmark itself to
    whichever tool ran next."""
    return work / f"out-{next(_OUTS):04d}"


def create_probe(work: Path, files: int = 200) -> float:
    """Microseconds to create (and write 12 KB to) one file in a new directory: the state of
    the disk when the whole processes are timed (see ``fresh_out``)."""
    d = fresh_out(work)
    d.mkdir()
    data = b"x" * 12_288
    t0 = time.perf_counter()
    for i in range(files):
        fd = os.open(d / f"{i:05d}", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.write(fd, data)
        os.close(fd)
    return (time.perf_counter() - t0) / files * 1e6


def _env() -> dict[str, str]:
    """The worktree's code first (the venv's editable install may point elsewhere)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return env


def pinned(cpu: int | None, argv: list[str]) -> list[str]:
    if cpu is None or not shutil.which("taskset"):
        return argv
    return ["taskset", "-c", str(cpu), *argv]


def run_timed(argv: list[str], peak: bool = False) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user + system, ``wait4``) and, with ``peak``, the peak RSS
    (KiB) of one process.

    The peak comes from GNU time (``/usr/bin/time -f %M``), not from our own ``wait4``: Linux
    folds the RSS high-water mark of the process that forks into the child's ``ru_maxrss`` at
    exec, so a child of this (~90 MiB) Python process never reports less than ~90 MiB. Through
    ``time`` (a few MiB) the floor is ``time``'s own."""
    fd, path = tempfile.mkstemp(suffix=".rss")
    os.close(fd)
    if peak:
        argv = ["/usr/bin/time", "-f", "%M", "-o", path, *argv]
    try:
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            argv, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT
        )
        assert proc.stderr is not None
        err = proc.stderr.read()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            raise RuntimeError(f"{' '.join(argv)} exited {code}: {err[-800:]!r}")
        rss = int(Path(path).read_text().split()[-1]) if peak else 0
    finally:
        os.unlink(path)
    return wall, usage.ru_utime + usage.ru_stime, rss


def cli_argv(tool: str, src: Path, out: Path) -> list[str]:
    py = sys.executable
    if tool.startswith("converter "):
        fmt = tool.split()[1]
        return [py, "-m", "converter", fmt, str(src), "-o", str(out), "--quiet"]
    return [py, str(Path(__file__).resolve()), "--peer-cli", tool.split()[0], str(src), str(out)]


def least_loaded_cpu(cpu: int | None) -> int | None:
    if cpu is not None or not hasattr(os, "sched_getaffinity"):
        return cpu
    sys.path.insert(0, str(HERE))
    import peers

    return peers.idlest_cpu(os.sched_getaffinity(0))


# ---------------------------------------------------------------------------------------------
# The measurements


def measure_inproc(c: Corpus, args: argparse.Namespace, cpu: int | None) -> dict[str, Any]:
    count = min(args.count, c.records)
    argv = [sys.executable, str(Path(__file__).resolve()), "--inproc-worker", str(c.jsonl)]
    argv += ["--count", str(count), "--repeat", str(args.repeat)]
    proc = subprocess.run(pinned(cpu, argv), env=_env(), capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        raise RuntimeError(f"in-process worker failed: {proc.stderr[-800:]}")
    rows = json.loads(proc.stdout.strip().splitlines()[-1])
    return {name: {**v, "rate": v["articles"] / v["seconds"]} for name, v in rows.items()}


def measure_inproc_instructions(c: Corpus, count: int) -> dict[str, float]:
    import instructions

    count = min(count, c.records)
    argv = [sys.executable, str(Path(__file__).resolve()), "--cg-worker", str(c.jsonl)]
    totals = instructions.marked([*argv, "--count", str(count)])
    # piece 0: start-up and warm-up; then one piece per row (each ends with the next mark).
    if len(totals) != len(INPROC) + 1:
        raise RuntimeError(f"callgrind: {len(totals)} dumps, expected {len(INPROC) + 1}")
    return {name: totals[1 + i] / count for i, name in enumerate(INPROC)}


def measure_cli(c: Corpus, n: int, args: argparse.Namespace, cpu: int | None) -> dict[str, Any]:
    """Each whole-process tool over N and 2N articles, best of ``--repeat`` wall times (the
    sizes and tools interleaved, so a burst of load hits them alike)."""
    work = Path(args.workdir)
    dirs = {k: article_dir(c, k, work) for k in (n, 2 * n)}
    probe_before = create_probe(work)
    best: dict[tuple[str, int], list[float]] = {}
    for _ in range(args.repeat):
        for tool in CLI:
            for k, src in dirs.items():
                out = fresh_out(work)
                wall, cpu_s, _ = run_timed(pinned(cpu, cli_argv(tool, src, out)))
                if not any(out.iterdir()):
                    raise RuntimeError(f"{tool} wrote nothing")
                prev = best.setdefault((tool, k), [wall, cpu_s])
                best[(tool, k)] = [min(prev[0], wall), min(prev[1], cpu_s)]
    result: dict[str, Any] = {"n": n, "create_us": [probe_before, create_probe(work)]}
    for tool in CLI:
        (w1, c1), (w2, c2) = best[(tool, n)], best[(tool, 2 * n)]
        result[tool] = {
            "wall_n": w1,
            "wall_2n": w2,
            "rate": n / (w2 - w1) if w2 > w1 else float("nan"),
            "cpu_rate": n / (c2 - c1) if c2 > c1 else float("nan"),
            "startup_s": max(0.0, 2 * w1 - w2),  # the fixed part: time(N) - net time of N
        }
    return result


def measure_cli_instructions(c: Corpus, k: int, work: Path) -> dict[str, float]:
    import instructions

    out: dict[str, float] = {}
    for tool in CLI:
        counts = []
        for size in (k, 2 * k):
            dest = fresh_out(work)
            counts.append(instructions.collected(cli_argv(tool, article_dir(c, size, work), dest)))
        out[tool] = (counts[1] - counts[0]) / k
    return out


def measure_feeds(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """Peak RSS of ``converter FMT CORPUS --limit 0`` (whole process) at each count."""
    small, large = args.feed_counts
    big = work / "feeds.jsonl"
    _generate(big, large, None)
    files = {large: big, small: work / f"feeds-{small}.jsonl"}
    files[small].write_bytes(b"".join(r + b"\n" for r in _records(str(big), small)))
    result: dict[str, Any] = {"counts": [small, large], "formats": {}}
    for fmt in args.feeds:
        entry = {}
        for n in (small, large):
            argv = [sys.executable, "-m", "converter", fmt, str(files[n]), "--limit", "0"]
            argv += ["-o", str(work / f"feed-{fmt}"), "--quiet"]
            wall, cpu_s, rss_kib = run_timed(argv, peak=True)
            entry[str(n)] = {"wall_s": wall, "cpu_s": cpu_s, "peak_mib": rss_kib / 1024}
        entry["ratio"] = entry[str(large)]["peak_mib"] / entry[str(small)]["peak_mib"]
        result["formats"][fmt] = entry
    return result


def measure_export(count: int, work: Path) -> dict[str, Any]:
    """bench/scale.py's run (corpus, image mirror, ``converter export --jobs 2``), unpinned."""
    out = work / "scale.json"
    argv = [sys.executable, str(HERE / "scale.py"), "--count", str(count), "--json", str(out)]
    argv += ["--workdir", str(work / "scale")]
    proc = subprocess.run(argv, env=_env(), capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0 or not out.exists():
        raise RuntimeError(f"scale.py failed: {proc.stderr[-800:]}")
    r = json.loads(out.read_text())
    peaks = [p.get("hwm_kib", 0) for p in r.get("processes", [])]
    return {
        "articles": count,
        "wall_s": r["wall_s"],
        "cpu_s": r["cpu_s"],
        # VmHWM polled per process (scale.py): wait4's ru_maxrss would include scale.py's own
        # RSS at fork time (see run_timed), which is larger than a worker's.
        "wait4_maxrss_mib": r["wait4_maxrss_mib"],
        "max_process_peak_mib": max(peaks, default=0) / 1024,
        "exit_status": r["exit_status"],
        "processes": [
            {"role": p.get("role"), "peak_mib": p.get("hwm_kib", 0) / 1024}
            for p in r.get("processes", [])
        ],
    }


# ---------------------------------------------------------------------------------------------
# Targets (issue 13, "Targets")


@dataclass
class Target:
    label: str
    corpus: str
    target: float
    at_least: bool
    unit: str  # "x", "/s", "MiB", "s"
    time: float | None = None  # measured in time (or memory)
    instructions: float | None = None  # the same ratio from instruction counts
    note: str = ""
    cpu: float | None = None  # whole processes: the same from CPU time (wait4), less load-bound

    def met(self, value: float | None) -> str:
        if value is None or value != value:  # None or NaN
            return "–"
        ok = value >= self.target if self.at_least else value <= self.target
        return "yes" if ok else "**no**"


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a and b else None


def corpus_targets(name: str, r: dict[str, Any]) -> list[Target]:
    rate = {k: v["rate"] for k, v in r["inproc"].items()}
    ins = r.get("inproc_instructions") or {}
    cli = r.get("cli") or {}
    cli_ins = r.get("cli_instructions") or {}
    crate = {k: cli[k]["rate"] for k in CLI if k in cli}
    ccpu = {k: cli[k]["cpu_rate"] for k in CLI if k in cli}
    out = [
        Target("markdown / markdownify", name, 5.0, True, "x",
               _ratio(rate["markdown"], rate["markdownify"]),
               _ratio(ins.get("markdownify"), ins.get("markdown"))),
        Target("markdown / lxml floor (time per article)", name, 4.0, False, "x",
               _ratio(rate["lxml floor"], rate["markdown"]),
               _ratio(ins.get("markdown"), ins.get("lxml floor"))),
        Target("html page / markdownify", name, 4.5, True, "x",
               _ratio(rate["html"], rate["markdownify"]),
               _ratio(ins.get("markdownify"), ins.get("html"))),
        Target("markdown articles/s per core, in-process", name, 1000, True, "/s",
               rate["markdown"]),
        Target("html articles/s per core, in-process", name, 900, True, "/s", rate["html"]),
        Target("`converter markdown DIR -o OUT` articles/s, net of start-up", name, 1000, True,
               "/s", crate.get("converter markdown"), cpu=ccpu.get("converter markdown")),
        Target("`converter html DIR -o OUT` articles/s, net of start-up", name, 900, True, "/s",
               crate.get("converter html"), cpu=ccpu.get("converter html")),
        Target("whole process: markdown / markdownify", name, 2.0, True, "x",
               _ratio(crate.get("converter markdown"), crate.get("markdownify script")),
               _ratio(cli_ins.get("markdownify script"), cli_ins.get("converter markdown")),
               cpu=_ratio(ccpu.get("converter markdown"), ccpu.get("markdownify script"))),
        Target("whole process: markdown / html2text", name, 1.2, True, "x",
               _ratio(crate.get("converter markdown"), crate.get("html2text script")),
               _ratio(cli_ins.get("html2text script"), cli_ins.get("converter markdown")),
               cpu=_ratio(ccpu.get("converter markdown"), ccpu.get("html2text script"))),
    ]  # fmt: skip
    return out


def global_targets(result: dict[str, Any], full: tuple[int, int]) -> list[Target]:
    out = []
    feeds = result.get("feeds")
    if feeds:
        small, large = feeds["counts"]
        scaled = "" if (small, large) == full else f" (measured at {small:,} / {large:,})"
        for fmt, e in feeds["formats"].items():
            out.append(
                Target(
                    f"`{fmt} --limit 0` peak RSS at {large:,} articles",
                    "bench",
                    300,
                    False,
                    "MiB",
                    e[str(large)]["peak_mib"],
                    note=scaled,
                )
            )
            out.append(Target(f"`{fmt} --limit 0` peak RSS, {large:,} / {small:,}", "bench",
                              1.3, False, "x", e["ratio"], note=scaled))  # fmt: skip
    exp = result.get("export")
    if exp:
        note = "" if exp["articles"] == 10_000 else f" (measured at {exp['articles']:,})"
        out.append(
            Target(
                f"export {exp['articles']:,} articles, all formats, --jobs 2: wall",
                "bench",
                15.4,
                False,
                "s",
                exp["wall_s"],
                note=note,
            )
        )
        out.append(Target("export: peak RSS of any process (today's 212 MiB + 10%)", "bench",
                          233, False, "MiB", exp["max_process_peak_mib"], note=note))  # fmt: skip
    return out


# ---------------------------------------------------------------------------------------------
# Report (Markdown: readable in a terminal, pasted into docs/performance.md as it is)


def _num(x: float | None, unit: str = "") -> str:
    if x is None or x != x:
        return "–"
    if unit == "x":
        return f"{x:.2f}x"
    if unit in ("MiB", "s"):
        return f"{x:,.1f} {unit}"
    return f"{x:,.0f}" if abs(x) >= 10 else f"{x:.2f}"


def report(result: dict[str, Any], targets: list[Target]) -> str:
    m = result["meta"]
    lines = [
        f"{m['date']} · {m['cpu_model']} · nproc {m['nproc']} · pinned to cpu {m['cpu']} · "
        f"load {m['load_before']:.2f} → {m['load_after']:.2f}"
        + (" · --quick" if m["quick"] else ""),
        "",
    ]
    names = list(result["corpora"])
    if names:
        lines += corpus_tables(result, names)
    lines += extra_tables(result)
    lines += ["", "Issue 13's targets (measured: wall time, or memory; CPU time: whole processes'"
              " net from wait4; instructions: the same ratio from callgrind):", ""]  # fmt: skip
    lines += [
        "| target | corpus | goal | measured | met? | in CPU time | met? "
        "| in instructions | met? |",
        "|---|---|---:|---:|---|---:|---|---:|---|",
    ]
    for t in targets:
        goal = ("≥ " if t.at_least else "≤ ") + _num(t.target, t.unit)
        ins = _num(t.instructions, t.unit) if t.instructions else "–"
        cpu = _num(t.cpu, t.unit) if t.cpu else "–"
        lines.append(
            f"| {t.label}{t.note} | {t.corpus} | {goal} | {_num(t.time, t.unit)} | "
            f"{t.met(t.time)} | {cpu} | {t.met(t.cpu) if t.cpu else '–'} | {ins} | "
            f"{t.met(t.instructions) if t.instructions else '–'} |"
        )
    return "\n".join(lines) + "\n"


def corpus_tables(result: dict[str, Any], names: list[str]) -> list[str]:
    lines = ["| corpus | source | articles | body median |", "|---|---|---:|---:|"]
    for name in names:
        c = result["corpora"][name]
        lines.append(f"| {name} | {c['source']} | {c['records']:,} | {c['median_kb']:.1f} KB |")
    lines += ["", "In-process, per core (articles/s; instructions per article):", ""]
    head = "| what | " + " | ".join(f"{n} /s | {n} instr." for n in names) + " |"
    lines += [head, "|---|" + "---:|---:|" * len(names)]
    for row in INPROC:
        cells = []
        for n in names:
            c = result["corpora"][n]
            ins = (c.get("inproc_instructions") or {}).get(row)
            cells += [_num(c["inproc"][row]["rate"]), f"{ins / 1e6:.2f} M" if ins else "–"]
        lines.append(f"| {row} | " + " | ".join(cells) + " |")
    lines += ["", "Whole process, pinned, net of start-up (articles/s over N and 2N files; "
              "net instructions per article):", ""]  # fmt: skip
    head = "| what | " + " | ".join(f"{n}: N | {n} /s | {n} instr." for n in names) + " |"
    lines += [head, "|---|" + "---:|---:|---:|" * len(names)]
    for tool in CLI:
        cells = []
        for n in names:
            cli = result["corpora"][n].get("cli") or {}
            ins = (result["corpora"][n].get("cli_instructions") or {}).get(tool)
            e = cli.get(tool)
            cells += [
                str(cli.get("n", "–")),
                f"{_num(e['rate'])} (CPU {_num(e['cpu_rate'])})" if e else "–",
                f"{ins / 1e6:.2f} M" if ins else "–",
            ]
        lines.append(f"| {tool} | " + " | ".join(cells) + " |")
    probes = []
    for n in names:
        created = (result["corpora"][n].get("cli") or {}).get("create_us")
        if created:
            probes.append(f"{n} {created[0]:.0f} / {created[1]:.0f} µs")
    if probes:
        lines += [
            "",
            "Creating a 12 KB file in a new directory, before / after those runs "
            "(`create_probe`: the disk's state; see `fresh_out`): " + ", ".join(probes),
        ]
    return lines


def extra_tables(result: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    feeds = result.get("feeds")
    if feeds:
        small, large = feeds["counts"]
        lines += ["", "Feeds over the bench corpus, `--limit 0`, whole process "
                  "(peak RSS via GNU time):",
                  "", f"| format | {small:,}: peak | {small:,}: wall | {large:,}: peak | "
                  f"{large:,}: wall | ratio |", "|---|---:|---:|---:|---:|---:|"]  # fmt: skip
        for fmt, e in feeds["formats"].items():
            a, b = e[str(small)], e[str(large)]
            lines.append(
                f"| {fmt} | {_num(a['peak_mib'], 'MiB')} | {_num(a['wall_s'], 's')} | "
                f"{_num(b['peak_mib'], 'MiB')} | {_num(b['wall_s'], 's')} | "
                f"{_num(e['ratio'], 'x')} |"
            )
    exp = result.get("export")
    if exp:
        lines += ["", f"Export (bench/scale.py --count {exp['articles']}: all formats, "
                  f"--jobs 2, not pinned): wall {exp['wall_s']:.1f} s, CPU {exp['cpu_s']:.1f} s, "
                  f"peak RSS {exp['max_process_peak_mib']:.0f} MiB (largest VmHWM of any process), "
                  f"exit status {exp['exit_status']}."]  # fmt: skip
    return lines


# ---------------------------------------------------------------------------------------------
# Main


QUICK = {"count": 100, "cli_count": 100, "callgrind": 5, "callgrind_cli": 5, "repeat": 2}
FULL = {"count": 1000, "cli_count": 1000, "callgrind": 50, "callgrind_cli": 50, "repeat": 3}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--quick", action="store_true", help="small counts: a few minutes")
    p.add_argument("--count", type=int, help="in-process articles per corpus (1000; quick 100)")
    p.add_argument("--cli-count", type=int, help="whole process: N (and 2N) (1000; quick 100)")
    p.add_argument("--callgrind", type=int, help="in-process instructions: articles (50; 5)")
    p.add_argument("--callgrind-cli", type=int, help="whole-process instructions: K and 2K")
    p.add_argument("--callgrind-cli-corpora", help="corpora for --callgrind-cli (all; quick seed)")
    p.add_argument("--repeat", type=int, help="timed passes, the best counts (3; quick 2)")
    p.add_argument("--corpora", default="bench,seed,realworld", help="or none: feeds/export only")
    seeds = sorted(glob.glob(str(SHARED / "seed" / "*")))
    p.add_argument("--seed-file", default=seeds[0] if seeds else None)
    p.add_argument("--realworld", default=str(SHARED / "realworld" / "corpus" / "*.jsonl"))
    p.add_argument("--feeds", help="feed formats (rss,atom,json-feed; quick rss); none: skip")
    p.add_argument("--feed-counts", help="small,large (1000,10000; quick 300,3000)")
    p.add_argument("--export-count", type=int, help="export articles (10000; quick 1000; 0: skip)")
    p.add_argument("--cpu", type=int, help="pin to this CPU (default: the idlest)")
    p.add_argument("--workdir", help="default: a new directory in /tmp, removed afterwards")
    p.add_argument("--markdown", help="write the tables as Markdown here")
    p.add_argument("--json", help="write every number here")
    p.add_argument("--from-json", help="print (and --markdown) the tables of a saved --json run")
    p.add_argument("--peer-cli", nargs=3, metavar=("TOOL", "DIR", "OUT"), help=argparse.SUPPRESS)
    p.add_argument("--inproc-worker", help=argparse.SUPPRESS)
    p.add_argument("--cg-worker", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    for key, value in (QUICK if args.quick else FULL).items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    if args.callgrind_cli_corpora is None:
        args.callgrind_cli_corpora = "seed" if args.quick else args.corpora
    if args.feeds is None:
        args.feeds = "rss" if args.quick else "rss,atom,json-feed"
    args.feeds = [f for f in args.feeds.split(",") if f and f != "none"]
    counts = args.feed_counts or ("300,3000" if args.quick else "1000,10000")
    args.feed_counts = tuple(int(x) for x in counts.split(","))
    if args.export_count is None:
        args.export_count = 1000 if args.quick else 10_000
    return args


def run_corpus(c: Corpus, args: argparse.Namespace, cpu: int | None) -> dict[str, Any]:
    import instructions

    work = Path(args.workdir)
    r: dict[str, Any] = {"source": c.source, "records": c.records, "median_kb": c.median_kb}
    say(f"{c.name}: in-process, {min(args.count, c.records)} articles x {args.repeat} passes")
    r["inproc"] = measure_inproc(c, args, cpu)
    if args.callgrind and instructions.have_valgrind():
        say(f"{c.name}: in-process under callgrind, {min(args.callgrind, c.records)} articles")
        r["inproc_instructions"] = measure_inproc_instructions(c, args.callgrind)
    n = min(args.cli_count, c.records // 2)
    say(f"{c.name}: whole processes over {n} and {2 * n} files x {args.repeat}")
    r["cli"] = measure_cli(c, n, args, cpu)
    k = min(args.callgrind_cli, c.records // 2)
    if k and c.name in args.callgrind_cli_corpora.split(",") and instructions.have_valgrind():
        say(f"{c.name}: whole processes under callgrind over {k} and {2 * k} files")
        r["cli_instructions"] = measure_cli_instructions(c, k, work)
    return r


def say(text: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {text}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.peer_cli:
        peer_cli(*args.peer_cli)
        return
    if args.inproc_worker:
        inproc_worker(args.inproc_worker, args.count, args.repeat, 20.0)
        return
    if args.cg_worker:
        cg_worker(args.cg_worker, args.count)
        return
    if args.from_json:
        result = json.loads(Path(args.from_json).read_text(encoding="utf-8"))
        finish(result, args)
        return
    sys.path.insert(0, str(HERE))
    import instructions
    import peers

    if not instructions.have_valgrind():
        say("valgrind not found: no instruction counts (apt-get install -y valgrind)")
    own_tmp = args.workdir is None
    args.workdir = args.workdir or tempfile.mkdtemp(prefix="issue13-")
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    cpu = least_loaded_cpu(args.cpu)
    started, load_before = datetime.now(), os.getloadavg()[0]
    result: dict[str, Any] = {"corpora": {}}
    try:
        need = max(args.count, 2 * args.cli_count, args.callgrind, 2 * args.callgrind_cli)
        for name in [n for n in args.corpora.split(",") if n and n != "none"]:
            say(f"{name}: making the corpus ({need} records)")
            c = make_corpus(name, need, work, args.seed_file, args.realworld)
            result["corpora"][name] = run_corpus(c, args, cpu)
        if args.feeds:
            say(f"feeds {','.join(args.feeds)} over {args.feed_counts}")
            result["feeds"] = measure_feeds(args, work)
        if args.export_count:
            say(f"export of {args.export_count} articles (bench/scale.py)")
            result["export"] = measure_export(args.export_count, work)
    finally:
        if own_tmp:
            shutil.rmtree(work, ignore_errors=True)
    result["meta"] = {
        "date": started.isoformat(timespec="seconds"),
        "command": " ".join(["python", "bench/issue13.py", *(argv or sys.argv[1:])]),
        "cpu_model": peers.cpu_model(),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
        "quick": args.quick,
        "versions": peers.versions(),
        "seconds": (datetime.now() - started).total_seconds(),
    }
    finish(result, args)


def finish(result: dict[str, Any], args: argparse.Namespace) -> None:
    """The targets from the measurements, the tables printed and written."""
    targets = [t for n, r in result["corpora"].items() for t in corpus_targets(n, r)]
    targets += global_targets(result, (1000, 10_000))
    result["targets"] = [asdict(t) for t in targets]
    text = report(result, targets)
    print(text)
    if args.markdown:
        Path(args.markdown).write_text(text, encoding="utf-8")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
