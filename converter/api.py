"""The small public Python API that the CLI is a thin layer over.

Every function here is a mode of the one run engine (``converter/engine/``): the stages and
the one "newest" rule are in engine/stages.py, the commands in engine/commands.py, ``export``
in engine/run.py."""

from __future__ import annotations

from collections.abc import Sequence

from .adapters import ADAPTERS
from .engine.commands import books, collection, convert, feeds, files
from .engine.stages import latest, read_articles
from .errors import UsageError
from .model import Article
from .options import Options

__all__ = ["books", "collection", "convert", "feeds", "files", "latest", "read_articles", "render"]


def render(fmt: str, articles: Sequence[Article], options: Options) -> bytes:
    """Render ``articles`` in format ``fmt`` (a name in ADAPTERS)."""
    try:
        adapter = ADAPTERS[fmt]
    except KeyError:
        raise UsageError(f"unknown format {fmt!r} (known: {', '.join(ADAPTERS)})") from None
    return adapter.render(articles, options)
