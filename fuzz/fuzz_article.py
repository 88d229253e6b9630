#!/usr/bin/env python3
"""atheris target: read and normalise one article (fuzz/harness.py says what is checked).

    python fuzz/fuzz_article.py CORPUS_DIR [libFuzzer flags]

Run it with fuzz/run.sh; fuzz/README.md has the details and the results of the runs.

libFuzzer stops at the first finding. Two switches let a run go on past findings that already
have a regression input in tests/data/fuzz/ (the default, both off, stops at every finding):

* FUZZ_SKIP_KNOWN=1: an exception whose signature (type, and file and function of the innermost
  converter/ frame) is in KNOWN below counts as "no finding";
* FUZZ_IDEMPOTENCY=converge: instead of normalise(out) == out, only require that normalise,
  applied to its own output, reaches a fixed point (no cycle, within CONVERGE_PASSES passes).
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
import traceback
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent))
logging.disable(logging.CRITICAL)  # warnings about odd shortcodes etc. are not findings

with atheris.instrument_imports(include=["converter", "harness"]):
    import converter  # noqa: F401  (installs its finder: see below)

    # With CONVERTER_PURE_PYTHON=1 (or a stale build) converter puts its own finder for the
    # hot-path sources first in sys.meta_path (converter/_native.py), ahead of atheris's,
    # which then never saw those modules: the whole body pipeline ran uninstrumented (the
    # runs reported ~146 edges). Atheris's finder goes first again; it asks the finders after
    # it, converter's among them, and instruments what they load.
    _atheris = [f for f in sys.meta_path if type(f).__name__ == "AtherisMetaPathFinder"]
    for _finder in _atheris:
        sys.meta_path.remove(_finder)
        sys.meta_path.insert(0, _finder)
    import harness

    # converter.render imports the adapters lazily: import them here so they are instrumented.
    for _adapter in ("converter.adapters.html", "converter.adapters.markdown"):
        importlib.import_module(_adapter)

# Open findings, by signature; each has a minimised input in tests/data/fuzz/ and a line in
# fuzz/README.md. Remove an entry once the bug is fixed, so that a regression stops the run.
KNOWN: frozenset[tuple[str, str, str]] = frozenset(
    {
        ("ValueError", "embeds.py", "label"),  # embed-url-bracket-*.bin: urlsplit("//[")
    }
)

SKIP_KNOWN = os.environ.get("FUZZ_SKIP_KNOWN", "0") not in ("", "0")
_MODE = os.environ.get("FUZZ_IDEMPOTENCY", "strict")
if _MODE not in ("strict", "converge"):
    sys.exit(f"FUZZ_IDEMPOTENCY must be strict or converge, not {_MODE!r}")
STRICT = _MODE == "strict"


def signature(exc: BaseException) -> tuple[str, str, str]:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/converter/" in f.filename]
    where = frames[-1] if frames else None
    return (
        type(exc).__name__,
        where.filename.rsplit("/", 1)[-1] if where else "",
        where.name if where else "",
    )


def test_one_input(data: bytes) -> None:
    try:
        harness.check(data, STRICT)
    except Exception as exc:
        if not (SKIP_KNOWN and signature(exc) in KNOWN):
            raise


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
