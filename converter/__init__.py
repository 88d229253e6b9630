"""converter: Whitebeard (Daily Maverick) article JSON → clean HTML, Markdown, feeds and EPUB.

The public API::

    from converter import Options, read_articles, latest, render
    from converter.output import Report

    articles = latest(read_articles(["samples"], Options()), Report())
    page: bytes = render("html", [articles[0]], Options())

Names are imported on first use (PEP 562), so that ``converter --help`` does not pay for lxml,
nh3 and the pipeline.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from . import _native
from ._version import __version__

_native.install()  # before any hot-path module is imported: compiled, or their sources

if TYPE_CHECKING:
    from .api import books, convert, feeds, latest, read_articles, render
    from .errors import ConverterError, InputError
    from .model import Article
    from .options import Options

__all__ = [
    "Article",
    "ConverterError",
    "InputError",
    "Options",
    "__version__",
    "books",
    "convert",
    "feeds",
    "latest",
    "read_articles",
    "render",
]

_WHERE = {
    "Article": ".model",
    "ConverterError": ".errors",
    "InputError": ".errors",
    "Options": ".options",
    "books": ".api",
    "convert": ".api",
    "feeds": ".api",
    "latest": ".api",
    "read_articles": ".api",
    "render": ".api",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        value = getattr(import_module(_WHERE[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
