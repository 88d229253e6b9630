"""Byte-identity harness for refactors (not shipped, not a test by itself).

    python tests/tools/identity.py run --repo /work/main OUT_DIR     # every command, every input set
    python tests/tools/identity.py compare OLD_DIR NEW_DIR           # byte by byte

``run`` spawns ``python -m converter`` with PYTHONPATH=REPO over samples/ and the shared
real-world corpus (read in place), for html (page and --fragment), markdown, rss/atom/json-feed
(one feed and --split-by category), epub (bundle and --per-article) and export (--jobs 1 and 2),
with a pinned clock-free setup (--offline, an empty private image cache) so that two runs of the
same code give the same bytes. stderr (with the output path replaced) and the exit status of each
command are kept too. ``compare`` walks both trees: EPUBs are compared member by member (names,
order and bytes); every other file byte for byte. Exit status 0 only when nothing differs.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parents[2]
REALWORLD = Path("/work/shared/realworld/corpus")


def input_sets() -> dict[str, list[str]]:
    sets = {"samples": [str(HERE / "samples")]}
    corpus = sorted(str(p) for p in REALWORLD.glob("*.jsonl"))
    if corpus:
        sets["realworld"] = corpus
    return sets


def commands(inputs: list[str], out: Path, images: list[str]) -> dict[str, list[str]]:
    feeds = {}
    for fmt, ext in (("rss", "xml"), ("atom", "atom"), ("json-feed", "json")):
        feeds[fmt] = [fmt, *inputs, "-o", str(out / f"{fmt}.{ext}"), "--limit", "0"]
        feeds[f"{fmt}-50"] = [fmt, *inputs, "-o", str(out / f"{fmt}-50.{ext}")]
        feeds[f"{fmt}-split"] = [
            fmt,
            *inputs,
            "-o",
            str(out / f"{fmt}-split"),
            "--split-by",
            "category",
        ]
    export = ["export", *inputs, "--offline", *images]
    return {
        "html": ["html", *inputs, "-o", str(out / "html")],
        "html-fragment": ["html", *inputs, "-o", str(out / "html-fragment"), "--fragment"],
        "markdown": ["markdown", *inputs, "-o", str(out / "markdown")],
        **feeds,
        "epub": ["epub", *inputs, "-o", str(out / "book.epub"), "--offline", *images],
        "epub-per-article": [
            "epub",
            *inputs,
            "-o",
            str(out / "epub-articles"),
            "--per-article",
            "--offline",
            *images,
        ],
        "export-j1": [*export, "-o", str(out / "export-j1"), "--jobs", "1"],
        "export-j2": [*export, "-o", str(out / "export-j2"), "--jobs", "2"],
        "export-j2-epubs": [
            *export,
            "-o",
            str(out / "export-j2-epubs"),
            "--jobs",
            "2",
            "--per-article-epub",
        ],
    }


def run(repo: Path, out: Path, only: str | None) -> int:
    out.mkdir(parents=True, exist_ok=True)
    cache = Path(tempfile.mkdtemp(prefix="identity-cache-"))
    env = {**os.environ, "PYTHONPATH": str(repo), "XDG_CACHE_HOME": str(cache), "TZ": "UTC"}
    env.pop("COLUMNS", None)
    for name, inputs in input_sets().items():
        images = ["--image-root", str(HERE / "samples" / "uploads")] if name == "samples" else []
        target = out / name
        target.mkdir(exist_ok=True)
        for label, args in commands(inputs, target, images).items():
            if only and only not in label:
                continue
            proc = subprocess.run(
                [sys.executable, "-m", "converter", *args],
                cwd=target,
                env=env,
                capture_output=True,
                check=False,
            )
            log = proc.stderr.replace(str(target).encode(), b"OUT").replace(
                str(HERE).encode(), b"REPO"
            )
            (target / f"{label}.log").write_bytes(log + f"\nexit {proc.returncode}\n".encode())
            print(f"{name:9} {label:18} exit {proc.returncode}", flush=True)
    return 0


def files(root: Path) -> dict[str, Path]:
    return {str(p.relative_to(root)): p for p in sorted(root.rglob("*")) if p.is_file()}


def same_epub(a: Path, b: Path) -> str:
    with zipfile.ZipFile(a) as za, zipfile.ZipFile(b) as zb:
        na, nb = za.namelist(), zb.namelist()
        if na != nb:
            return f"members differ: {sorted(set(na) ^ set(nb)) or 'order'}"
        for member in na:
            if za.read(member) != zb.read(member):
                return f"member {member} differs"
    return ""


def compare(old: Path, new: Path, ignore: list[str]) -> int:
    a, b = files(old), files(new)
    problems = []
    for name in sorted(set(a) | set(b)):
        if any(part in name for part in ignore):
            continue
        if name not in b:
            problems.append(f"only in {old}: {name}")
        elif name not in a:
            problems.append(f"only in {new}: {name}")
        elif name.endswith(".epub"):
            why = same_epub(a[name], b[name])
            if why:
                problems.append(f"{name}: {why}")
        elif a[name].read_bytes() != b[name].read_bytes():
            problems.append(f"{name}: bytes differ")
    compared = len([n for n in set(a) & set(b) if not any(p in n for p in ignore)])
    epubs = len([n for n in set(a) & set(b) if n.endswith(".epub")])
    for line in problems:
        print(line)
    print(f"compared {compared} files ({epubs} EPUBs by member); {len(problems)} differ")
    return 1 if problems else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run")
    r.add_argument("out", type=Path)
    r.add_argument("--repo", type=Path, default=HERE)
    r.add_argument("--only", help="only the commands whose label contains this")
    c = sub.add_parser("compare")
    c.add_argument("old", type=Path)
    c.add_argument("new", type=Path)
    c.add_argument("--ignore", action="append", default=[], help="skip paths containing this")
    args = parser.parse_args()
    if args.command == "run":
        return run(args.repo, args.out, args.only)
    return compare(args.old, args.new, args.ignore)


if __name__ == "__main__":
    sys.exit(main())
