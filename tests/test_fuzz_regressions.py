"""Replay the fuzzer's findings and handcrafted seeds through the fuzz target's entry points.

Every input in tests/data/fuzz/ is a (minimised) input that made the atheris target
(fuzz/fuzz_article.py) fail; the handcrafted seeds in fuzz/corpus/hand-* always run too, so
this test checks something even when there are no findings. Each input goes through exactly
what the fuzzer runs (fuzz/harness.py, imported from its file: atheris is not needed here):
reading (``inputs._whole`` / ``inputs._lines`` → ``cms.parse_article`` → html and markdown
renderers) and the body path (``content.normalise`` → ``adapters.markdown.body.to_markdown`` →
renderers), with the invariants: only the body vocabulary, no event handlers or unsafe URL
schemes, ``normalise`` idempotent. Allowed outcomes: success or ``InputError``.

See fuzz/README.md for how to run the fuzzer and what each finding was.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
FINDINGS = Path(__file__).resolve().parent / "data" / "fuzz"
SEEDS = ROOT / "fuzz" / "corpus"


def _load_harness() -> ModuleType:
    name = "converter_fuzz_harness"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "fuzz" / "harness.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


harness = _load_harness()

INPUTS = sorted(FINDINGS.glob("*.bin")) + sorted(SEEDS.glob("hand-*"))


def test_there_is_something_to_replay() -> None:
    assert any(p.name.startswith("hand-") for p in INPUTS), "handcrafted seeds are missing"


@pytest.mark.parametrize("path", INPUTS, ids=[f"{p.parent.name}/{p.name}" for p in INPUTS])
def test_replay(path: Path) -> None:
    # harness.check raises on a finding only; InputError is swallowed there (allowed outcome).
    harness.check(path.read_bytes())
