"""The typed values that pass between the engine's stages (and between worker processes and
the writer): what one record became. All are picklable, so that ``--jobs N`` sends them
through the pool exactly as the serial mode hands them on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..isolation import Failure
from ..model import Article, quick_pickle

__all__ = ["Failed", "Outcome", "Rendered", "Unchanged"]


@quick_pickle
@dataclass(frozen=True, slots=True)
class Rendered:
    """A parsed article and its per-article documents ({format: bytes}); ``raw_updated`` is
    the record's ``lastUpdate`` as given (``--incremental`` compares it as a string);
    ``images``: the article's sitemap images (``sitemap.image_urls``), found where it was
    parsed, so that the writer (export's busiest process with ``--jobs``) does not parse its
    body once more for them; None: not found there (the writer finds them)."""

    article: Article
    outputs: dict[str, bytes]
    raw_updated: object = None
    images: tuple[str, ...] | None = None


@quick_pickle
@dataclass(frozen=True, slots=True)
class Failed:
    """A record that could not become an article, or an article that could not be rendered:
    the stage and the reason are in ``failure``."""

    failure: Failure


@quick_pickle
@dataclass(frozen=True, slots=True)
class Unchanged:
    """A record ``--incremental`` leaves alone: same raw ``lastUpdate`` as the last export,
    whose outputs still exist; ``entry`` is its manifest entry from then."""

    article_id: str
    entry: dict[str, Any]
    source: str
    position: str


Outcome = Rendered | Failed | Unchanged
