"""The compiled hot path and its pure-Python sources give the same bytes (issue 13, decision 2).

``setup.py`` compiles ``converter._native.MODULES`` with mypyc; ``CONVERTER_PURE_PYTHON=1``
imports their ``.py`` sources instead. Each test runs both paths, each in a process of its own,
over the whole test corpus (samples/, tests/data, fuzz/corpus, the sanitiser bank) and
``../shared/realworld/``, and requires byte-identical output.

This suite expects to run on the compiled build (``pip install -e ".[test]"`` on a machine with
a C compiler, as the README and CI do), or on the sources when ``CONVERTER_PURE_PYTHON`` says so
(CI runs the suite that way too): ``test_the_suite_runs_the_path_it_was_asked_to`` fails
otherwise, rather than letting both sides of the comparison be the same code.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from converter import _native

from .conftest import ROOT, SAMPLES

REALWORLD = Path(os.environ.get("CONVERTER_REALWORLD", ROOT.parent / "shared" / "realworld"))
PURE = {**os.environ, _native.ENV: "1"}
COMPILED = {k: v for k, v in os.environ.items() if k != _native.ENV}

# The child: every body of the test corpus through the pipeline and the per-article writers,
# one sha256 per (item, output). Run once compiled and once pure.
_CHILD = r"""
import hashlib, json, sys
from dataclasses import replace
from pathlib import Path
from converter import Options, _native
from converter.api import render
from converter.cms import parse_article
from converter.content import Context, normalise
from converter.adapters.markdown.body import to_markdown
from converter.errors import InputError
from converter.inputs import Record, read_records
from tests.test_sanitiser_bank import VECTORS

paths, raw = json.loads(sys.argv[1])
options = Options()
out = {"status": _native.status()}
def put(key, value):
    out[key] = hashlib.sha256(value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")).hexdigest()
for r in read_records(paths):
    if not isinstance(r, Record):
        continue
    key = f"{r.source}:{r.position}"
    try:
        article = parse_article(r.value, key, "", options)
    except InputError as error:
        put(key + " error", str(error))
        continue
    put(key + " body", article.body)
    for fmt, opts in (("markdown", options), ("html", options), ("html fragment", replace(options, fragment=True)), ("ninjs", options)):
        put(f"{key} {fmt}", render(fmt.split()[0], [article], opts))
bodies = [(p, Path(p).read_bytes().decode("utf-8", "replace")) for p in raw]
bodies += [(v.id, v.payload) for v in VECTORS]
for key, text in bodies:
    html = normalise(text, Context(base="https://example.org/a/")).html
    put(key + " normalise", html)
    put(key + " markdown", to_markdown(html))
json.dump(out, sys.stdout)
"""


def _corpus() -> tuple[list[str], list[str]]:
    realworld = sorted(str(p) for p in (REALWORLD / "corpus").glob("*.jsonl"))
    assert realworld, f"the real-world corpus is missing: {REALWORLD} (set CONVERTER_REALWORLD)"
    fuzz = sorted(str(p) for p in (ROOT / "fuzz" / "corpus").iterdir() if p.is_file())
    findings = sorted(str(p) for p in (ROOT / "tests" / "data" / "fuzz").glob("*.bin"))
    return [str(SAMPLES), *realworld], fuzz + findings


def _child(env: dict[str, str]) -> dict[str, str]:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, json.dumps(_corpus())],
        cwd=ROOT,
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, str] = json.loads(done.stdout)
    return result


def test_the_suite_runs_the_path_it_was_asked_to() -> None:
    expected = "compiled" if _native.ENV not in os.environ else "pure Python"
    assert _native.status().startswith(expected), (
        f"this suite runs on {_native.status()!r}: build the compiled modules with "
        '`pip install -e ".[test]"` on a machine with a C compiler, or set '
        f"{_native.ENV}=1 to test the pure-Python sources"
    )


def test_the_two_paths_are_the_modules_they_claim() -> None:
    code = "import converter.content.transforms as t; print(t.__file__)"
    files = {
        name: subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
        ).stdout.strip()
        for name, env in (("compiled", COMPILED), ("pure", PURE))
    }
    assert files["pure"].endswith("transforms.py")
    assert not files["compiled"].endswith(".py"), files  # an extension module (.so / .pyd)


def test_every_body_and_writer_is_byte_identical() -> None:
    compiled, pure = _child(COMPILED), _child(PURE)
    assert compiled.pop("status") == "compiled"
    assert pure.pop("status").startswith("pure Python")
    assert len(compiled) > 2000  # samples, the real-world corpus, fuzz and the bank were all read
    differ = sorted(
        key for key in compiled.keys() | pure.keys() if compiled.get(key) != pure.get(key)
    )
    assert differ == [], f"{len(differ)} outputs differ, first: {differ[:10]}"


def _tree(root: Path) -> dict[str, str]:
    """Every file's digest; an EPUB's by its members (names, order, bytes)."""
    found = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = str(path.relative_to(root))
        if path.suffix == ".epub":
            with zipfile.ZipFile(path) as book:
                for info in book.infolist():
                    found[f"{rel}!{info.filename}"] = hashlib.sha256(book.read(info)).hexdigest()
        else:
            found[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_export_writes_the_same_files(tmp_path: Path, jobs: str) -> None:
    """The whole CLI, every format (pages, Markdown, feeds, the book, ninjs, sitemaps)."""
    inputs, _ = _corpus()
    trees = {}
    for name, env in (("compiled", COMPILED), ("pure", PURE)):
        out = tmp_path / name
        done = subprocess.run(
            [sys.executable, "-m", "converter", "export", *inputs, "-o", str(out), "--offline",
             "--image-root", str(SAMPLES / "uploads"), "--jobs", jobs, "--quiet"],
            cwd=tmp_path,
            env={**env, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(tmp_path / "cache")},
            capture_output=True,
            text=True,
        )  # fmt: skip
        assert done.returncode in (0, 1), done.stderr[-3000:]
        trees[name] = _tree(out)
    assert len(trees["compiled"]) > 1000
    differ = sorted(k for k in trees["compiled"].keys() | trees["pure"].keys()
                    if trees["compiled"].get(k) != trees["pure"].get(k))  # fmt: skip
    assert differ == [], f"{len(differ)} files differ, first: {differ[:10]}"


def test_a_source_edited_after_the_build_is_seen(tmp_path: Path) -> None:
    """The build stamp: a compiled module whose source changed since is not run (the sources
    are, with a warning), nor one whose source is gone; no stamp means nothing was compiled."""
    package = tmp_path / "converter"
    package.mkdir()
    source = package / "urls.py"
    source.write_text("x = 1\n")
    assert not _native._stale(package)  # no stamp
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    (package / _native.STAMP).write_text(json.dumps({"converter/urls.py": digest}))
    assert not _native._stale(package)
    source.write_text("x = 2\n")
    assert _native._stale(package)
    source.unlink()
    assert _native._stale(package)


def test_version_says_which_path_runs() -> None:
    for env, expected in ((COMPILED, "(compiled)"), (PURE, f"(pure Python: {_native.ENV} is set)")):
        done = subprocess.run(
            [sys.executable, "-m", "converter", "--version"],
            cwd=ROOT,
            env={**env, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0 and done.stdout.rstrip().endswith(expected), done.stdout
