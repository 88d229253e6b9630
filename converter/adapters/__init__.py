"""One adapter per output format, behind one signature, in one registry.

An adapter renders (articles, options) to bytes. Per-article formats are called with one
article at a time; collection formats (feeds, books) with all selected articles at once.
Adding a format is one module and one line in ``ADAPTERS``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import import_module

from ..model import Article
from ..options import Options

__all__ = ["ADAPTERS", "Adapter", "Render", "get"]

Render = Callable[[Sequence[Article], Options], bytes]


@dataclass(frozen=True, slots=True)
class Adapter:
    name: str  # the CLI command and --formats value
    module: str  # converter.adapters.<module>, imported on first use (fast start-up)
    extension: str  # file suffix of each output
    per_article: bool  # one document per article, or one for the whole selection

    @property
    def render(self) -> Render:
        render: Render = import_module(f"{__name__}.{self.module}").render
        return render


ADAPTERS: dict[str, Adapter] = {
    a.name: a
    for a in (
        Adapter("html", "html", ".html", per_article=True),
        Adapter("markdown", "markdown", ".md", per_article=True),
    )
}


def get(name: str) -> Adapter:
    return ADAPTERS[name]
