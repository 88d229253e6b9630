"""Build hook: the hot-path modules compiled with mypyc where the machine can (issue 13).

Everything else about the project is in pyproject.toml. The modules are listed once, in
``converter/_native.py``. Without a C compiler (or Python's headers), or with
``CONVERTER_PURE_PYTHON=1``, the same modules install as pure Python and work the same: the
differential test (tests/test_compiled.py) holds the two paths to byte-identical output.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("_native", ROOT / "converter" / "_native.py")
assert _spec is not None and _spec.loader is not None
native = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(native)


def _say(message: str) -> None:
    print(f"converter build: {message}", file=sys.stderr)


def extensions() -> list[object]:
    """mypyc's extensions for ``native.MODULES``, or none (then: pure Python)."""
    if os.environ.get(native.ENV, "") not in ("", "0"):
        _say(f"{native.ENV} is set: installing the pure-Python modules")
        return []
    try:
        from mypyc.build import mypycify
    except ImportError as error:  # a build without the declared build requirements
        _say(f"mypyc is not available ({error}): installing the pure-Python modules")
        return []
    # Its own mypy settings, not pyproject's strict ones (CI runs those): the build environment
    # has the stubs mypyc needs (types-lxml) but not every runtime dependency.
    flags = ["--config-file=", "--ignore-missing-imports"]
    paths = native.source_paths(ROOT)
    try:
        return list(mypycify([*flags, *paths], opt_level="3", group_name="converter"))
    except (Exception, SystemExit) as error:  # mypyc exits on what it cannot compile
        _say(f"mypyc could not translate the modules ({error!r}): installing the pure-Python ones")
        return []


class OptionalBuildExt(build_ext):
    """Compiles where it can: a missing compiler or header leaves the pure-Python modules."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as error:  # CompileError, DistutilsExecError, …: no usable compiler
            for path in self.get_outputs():
                Path(path).unlink(missing_ok=True)
            _say(f"could not compile ({error}): installing the pure-Python modules")
            return
        self._stamp()

    def _stamp(self) -> None:
        """Beside the compiled modules: the sha256 of each source they were built from."""
        package = Path(self.get_ext_fullpath(native.MODULES[0])).parent
        digests = {
            rel: hashlib.sha256((ROOT / rel).read_bytes()).hexdigest()
            for rel in native.source_paths(ROOT)
        }
        (package / native.STAMP).write_text(json.dumps(digests, indent=1), encoding="utf-8")


setup(ext_modules=extensions(), cmdclass={"build_ext": OptionalBuildExt})
