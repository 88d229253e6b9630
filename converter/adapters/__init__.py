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
    function: str = "render"  # the module's render function for this format

    @property
    def render(self) -> Render:
        render = _LOADED.get(self.name)
        if render is None:
            render = getattr(import_module(f"{__name__}.{self.module}"), self.function)
            _LOADED[self.name] = render
        return render


_LOADED: dict[str, Render] = {}  # format name → its render function, once imported


ADAPTERS: dict[str, Adapter] = {
    a.name: a
    for a in (
        Adapter("html", "html", ".html", per_article=True),
        Adapter("markdown", "markdown", ".md", per_article=True),
        Adapter("rss", "feeds", ".xml", per_article=False, function="render_rss"),
        Adapter("atom", "feeds", ".atom", per_article=False, function="render_atom"),
        Adapter("json-feed", "feeds", ".json", per_article=False, function="render_json_feed"),
        Adapter("epub", "epub", ".epub", per_article=False),
        Adapter("ninjs", "ninjs", ".json", per_article=True),
        Adapter("sitemap", "sitemap", ".xml", per_article=False),
        Adapter("news-sitemap", "sitemap", ".xml", per_article=False, function="render_news"),
    )
}


def get(name: str) -> Adapter:
    return ADAPTERS[name]
