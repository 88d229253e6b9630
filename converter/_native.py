"""Which modules are compiled, and the switch back to their pure-Python sources (issue 13).

``setup.py`` compiles ``MODULES`` with mypyc when the machine has a C compiler; without one, or
with ``CONVERTER_PURE_PYTHON=1`` at build time, the same modules install as plain Python. The
``.py`` sources are always installed beside the compiled ones, and this module chooses at start-up:

* ``CONVERTER_PURE_PYTHON=1`` at run time imports the sources (the differential test runs the
  two paths side by side: tests/test_compiled.py);
* a build stamp (``_compiled.json``, sha256 of each source the build compiled) that no longer
  matches the sources (a module edited after ``pip install -e .``) imports the sources too, with
  one warning, so an edit never goes unseen behind a stale compiled module.

Standard library only: ``setup.py`` reads ``MODULES`` from here before anything is installed.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
from collections.abc import Sequence
from importlib.machinery import EXTENSION_SUFFIXES, ModuleSpec
from pathlib import Path
from types import ModuleType

__all__ = ["ENV", "MODULES", "STAMP", "install", "source_paths", "status"]

ENV = "CONVERTER_PURE_PYTHON"  # "1": import the pure-Python sources even where compiled
STAMP = "_compiled.json"  # written by setup.py's build_ext beside the compiled modules

# The per-article hot path: the CMS reader, the body pipeline, the Markdown writer and the page.
# They are plain typed Python (strict mypy) that mypyc compiles as they are.
MODULES: tuple[str, ...] = (
    "converter.urls",
    "converter.cms",
    "converter.content",
    "converter.content.crowded",
    "converter.content.embeds",
    "converter.content.html5",
    "converter.content.sanitiser",
    "converter.content.shortcodes",
    "converter.content.structure",
    "converter.content.styles",
    "converter.content.transforms",
    "converter.content.tree",
    "converter.content.vocabulary",
    "converter.content.word",
    "converter.adapters.markdown.body",
    "converter.adapters.markdown.text",
    "converter.adapters.common",
    "converter.adapters.html",
    "converter.images",
)

_HERE = Path(__file__).resolve().parent  # the installed package: converter/
_PACKAGES = frozenset({"converter.content"})  # compiled from an __init__.py


def source_paths(root: Path = _HERE.parent) -> list[str]:
    """The sources of ``MODULES``, relative to ``root`` (the project, for setup.py)."""
    return [str(_source(name, root).relative_to(root)) for name in MODULES]


def _source(name: str, root: Path = _HERE.parent) -> Path:
    path = root.joinpath(*name.split("."))
    return path / "__init__.py" if name in _PACKAGES else path.with_suffix(".py")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _stale(package: Path = _HERE) -> bool:
    """The build stamp names a source whose bytes changed since it was compiled."""
    try:
        recorded = json.loads((package / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):  # no stamp: nothing was compiled here
        return False
    for rel, sha in recorded.items():
        try:
            if _digest(package.parent / rel) != sha:
                return True
        except OSError:  # a source gone: what is compiled cannot be checked against it
            return True
    return False


class _Sources:
    """A meta path finder that loads ``MODULES`` from their ``.py`` files."""

    def find_spec(
        self, name: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if name not in MODULES:
            return None
        file = _source(name)
        places = [str(file.parent)] if name in _PACKAGES else None
        return importlib.util.spec_from_file_location(name, file, submodule_search_locations=places)


_REASON: list[str] = []  # why the sources are imported, once decided


def install() -> None:
    """At start-up (converter/__init__.py): import the sources where the switch or a stale
    build says so. Nothing of ``MODULES`` is imported yet at that point."""
    if _REASON or any(isinstance(f, _Sources) for f in sys.meta_path):
        return
    if os.environ.get(ENV, "") not in ("", "0"):
        _REASON.append(f"{ENV} is set")
    elif _stale():
        _REASON.append("the sources changed since they were compiled")
        print(
            "converter: warning: the compiled modules are older than their sources; running the"
            " pure-Python sources (rebuild with: pip install -e .)",
            file=sys.stderr,
        )
    if _REASON:
        sys.meta_path.insert(0, _Sources())


def status() -> str:
    """'compiled' or 'pure Python: why': what ``converter --version`` prints."""
    if _REASON:
        return f"pure Python: {_REASON[0]}"
    if all(_is_compiled(name) for name in MODULES):
        return "compiled"
    return "pure Python: installed without a C compiler"


def _is_compiled(name: str) -> bool:
    """An extension module stands beside the source (and is what the import system loads
    first). Looked up by file, not imported: ``converter --version`` stays fast."""
    source = _source(name)
    stem = source.with_name(source.name.removesuffix(".py"))
    return any(stem.with_name(stem.name + suffix).is_file() for suffix in EXTENSION_SUFFIXES)
