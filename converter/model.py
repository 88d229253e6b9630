"""The typed article model every adapter reads. Frozen and picklable (no parsed trees inside)."""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, TypeVar

__all__ = ["Article", "Author", "Image", "Rendition", "Term", "quick_pickle"]

T = TypeVar("T")


def quick_pickle(cls: type[T]) -> type[T]:
    """A frozen slots dataclass pickled by its field values in order, from names fixed once.

    dataclasses' own state functions for such a class call ``fields()`` for every object they
    pickle or unpickle: ~35 calls an article (its authors, terms, renditions) each time one
    crosses between the processes of ``export --jobs`` or goes through the feed spool, a
    tenth of export's main process (issue 13). Pickles live only within one run.
    """
    names = tuple(f.name for f in fields(cls))  # type: ignore[arg-type]
    values: Callable[[Any], Any] = operator.attrgetter(*names)
    one = len(names) == 1

    def getstate(self: Any) -> tuple[Any, ...]:
        return (values(self),) if one else values(self)

    def setstate(self: Any, state: Sequence[Any]) -> None:
        for name, value in zip(names, state, strict=True):
            object.__setattr__(self, name, value)

    setattr(cls, "__getstate__", getstate)  # noqa: B010  (replaces dataclasses' own)
    setattr(cls, "__setstate__", setstate)  # noqa: B010
    return cls


@quick_pickle
@dataclass(frozen=True, slots=True)
class Rendition:
    """One transform of an image on the CDN: a URL and what is known of its box.

    ``height`` 0 means "proportional" (Thumbor ``Wx0``: no crop); a positive height is a crop.
    """

    url: str
    width: int
    height: int = 0

    @property
    def cropped(self) -> bool:
        return self.height > 0


@quick_pickle
@dataclass(frozen=True, slots=True)
class Image:
    """The lead image (``attachments[0]``) with its transforms and named ``url_*`` renditions."""

    url: str  # the original upload, size unknown unless width/height say
    caption: str = ""  # attachment ``name`` (plain text)
    credit: str = ""  # attachment ``description`` (plain text)
    focal: str = ""  # CSS object-position syntax, e.g. "50% 50%"
    width: int = 0  # 0 = unknown
    height: int = 0
    renditions: tuple[Rendition, ...] = ()  # from ``transforms``, in source order
    named: tuple[tuple[str, str], ...] = ()  # ("url_large", url) pairs, installation-specific

    @property
    def alt(self) -> str:
        """Alt text: the caption when there is one, else empty (decorative)."""
        return self.caption


@quick_pickle
@dataclass(frozen=True, slots=True)
class Author:
    name: str
    url: str = ""
    id: str = ""


@quick_pickle
@dataclass(frozen=True, slots=True)
class Term:
    """A section (category) or a keyword."""

    name: str
    slug: str = ""
    url: str = ""
    id: str = ""
    paid: bool = False  # categories only: a paid-only section


@quick_pickle
@dataclass(frozen=True, slots=True)
class Article:
    id: str
    title: str  # plain text
    url: str  # canonical, base URL applied
    body: str  # the canonical clean body (safe HTML fragment), see converter/content
    published: datetime | None  # tz-aware
    updated: datetime | None  # tz-aware: the later of firstPublished and lastUpdate
    modified: datetime | None = None  # lastUpdate as given (may be earlier than published)
    slug: str = ""
    shorturl: str = ""
    external_url: str = ""
    teaser: str = ""
    summary: str = ""  # plain text
    description: str = ""  # plain text standfirst
    short_summary: str = ""
    authors: tuple[Author, ...] = ()
    categories: tuple[Term, ...] = ()  # the first is the primary section
    keywords: tuple[Term, ...] = ()
    image: Image | None = None
    status: str = "publish"
    access_control: bool = False
    access_allowed: bool = True
    noindex: bool = False  # excludedFromGoogleSearchEngine
    source: str = ""  # file the record came from
    position: str = ""  # where in that file ("record 3", "line 7")
    # CMS date fields that could not be parsed: the article is kept without them (a warning
    # names the field) and left out of feeds, which need a trustworthy date.
    unparsed_dates: tuple[str, ...] = ()
    warnings: tuple[str, ...] = field(default=(), compare=False)

    @property
    def section(self) -> Term | None:
        return self.categories[0] if self.categories else None

    @property
    def paywalled(self) -> bool:
        """Restricted: access control on, access not granted to the exporter, or a paid section."""
        return (
            self.access_control or not self.access_allowed or any(c.paid for c in self.categories)
        )

    @property
    def standfirst(self) -> str:
        """The best plain-text summary the CMS gave (never the truncated seo.* fields)."""
        return self.summary or self.description or self.short_summary
