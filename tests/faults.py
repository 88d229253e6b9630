"""Faults injected into one article, for the failure-isolation tests (issue 11 item 1).

Production code has no test hooks: these patch real functions of the converter, from a test
(pytest's monkeypatch) or from a subprocess that then runs the real CLI (``python -c``, see
tests/test_isolation.py), so that every code path but the one injected fault is the real one.
Worker processes of ``export --jobs N`` are forked, so they inherit the fault.

* ``read``: a transform appended to the body pipeline raises for a body that holds ``MARK``
  (cms.parse_article → content.normalise, as a real pipeline bug would).
* ``render``: each adapter's part for one article raises for ``article_id``: html's page, the
  Markdown front matter, a feed item's categories (RSS, Atom, JSON Feed), a book's article
  header. Other articles are rendered by the unpatched code.
* ``collection``: every feed fails whatever its articles (its title raises): no one article
  is at fault, so none is blamed and the feed alone is not made.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

MARK = "FAULT-INJECTED-HERE"
PARTS = ("html", "markdown", "feeds", "epub")

Patch = Callable[[Any, str, Any], None]  # setattr, or pytest's monkeypatch.setattr


class InjectedFault(ZeroDivisionError):
    """What the injected faults raise: an unexpected exception, not a ConverterError."""


def install(
    stage: str, article_id: str = "", parts: tuple[str, ...] = PARTS, patch: Patch = setattr
) -> None:
    if stage == "read":
        _read(patch)
    elif stage == "render":
        _render(article_id, parts, patch)
    elif stage == "collection":
        from converter.adapters import feeds

        def title(*args: Any) -> str:
            raise InjectedFault("injected fault in every feed")

        patch(feeds, "_feed_title", title)
    else:
        raise ValueError(stage)


def _read(patch: Patch) -> None:
    from lxml import etree

    from converter import content
    from converter.content import transforms

    def explode(body: etree._Element, ctx: object) -> None:
        if MARK in "".join(body.itertext()):
            raise InjectedFault("injected fault in the body pipeline")

    pipeline = (*transforms.PIPELINE, explode)
    patch(transforms, "PIPELINE", pipeline)
    if hasattr(content, "PIPELINE"):  # imported by name into converter.content
        patch(content, "PIPELINE", pipeline)


def _render(article_id: str, parts: tuple[str, ...], patch: Patch) -> None:
    from converter import adapters
    from converter.adapters import epub, feeds, html, markdown

    def check(article: Any) -> None:
        if article.id == article_id:
            raise InjectedFault(f"injected fault for article {article_id}")

    def wrap(original: Callable[..., Any], pick: Callable[..., Any]) -> Callable[..., Any]:
        def faulty(*args: Any, **kwargs: Any) -> Any:
            check(pick(*args))
            return original(*args, **kwargs)

        return faulty

    if "html" in parts:  # the module's entry, which the registry looks up on each use (the
        # page's own functions are compiled: they call each other directly, past any patch)
        faulty = wrap(html.render, lambda articles, options: articles[0])
        patch(html, "render", faulty)
        patch(adapters, "_LOADED", {**adapters._LOADED, ("html", "render"): faulty})  # its cache
    if "markdown" in parts:
        patch(markdown, "front_matter", wrap(markdown.front_matter, lambda article: article))
    if "feeds" in parts:
        patch(feeds, "categories", wrap(feeds.categories, lambda article: article))
    if "epub" in parts:
        header = epub.Build._header
        patch(epub.Build, "_header", wrap(header, lambda build, parent, entry: entry.article))
