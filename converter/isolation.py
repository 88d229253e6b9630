"""Failure isolation: an unexpected exception while converting one article is that article's
failure, never the run's.

Stages: ``read`` (the record to an Article: cms.parse_article, content.normalise), ``render``
(an adapter), ``write`` (its output file). The failed article is reported with its id, input
file and position, the stage and the exception (the traceback is kept for ``--verbose``), and
left out of every output.

Collections (a feed, a book) are rendered whole, as they always are. Only when that raises does
``isolate`` look for the articles whose own part raises: it renders the two halves of a failing
set, and the halves of a half that fails, down to single articles (group testing: about
3·n article renders for one bad article, O(n log n) at worst, never quadratic), then renders
the collection without them. ``render_all`` keeps several collections that share articles
(a feed per section, the book) consistent: an article that fails in one is left out of all.
"""

from __future__ import annotations

import contextlib
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Generic, TypeVar

from .errors import ConverterError, InputError
from .model import Article, quick_pickle
from .workers import Ahead

__all__ = [
    "READ",
    "RENDER",
    "WRITE",
    "Failure",
    "Outcome",
    "Plan",
    "ReadFailure",
    "failure",
    "from_input_error",
    "isolate",
    "render_all",
]

READ, RENDER, WRITE = "read", "render", "write"
T = TypeVar("T")


@quick_pickle
@dataclass(frozen=True, slots=True)
class Failure:
    """One article that could not be converted (picklable: workers send it to the writer)."""

    article_id: str
    source: str
    position: str
    stage: str  # READ | RENDER | WRITE
    reason: str  # one line: what failed and the exception
    traceback: str = ""  # shown with --verbose
    field: str = ""  # the input field at fault (stage read), kept apart for report.json

    @property
    def message(self) -> str:
        """The stderr line: file: position: article id: field: reason (report.json has each
        under a key of its own)."""
        article = f"article {self.article_id}" if self.article_id else ""
        field = f"field {self.field}" if self.field else ""
        places = (self.source, self.position, article, field)
        return ": ".join([*(w for w in places if w), self.reason])

    def line(self, verbose: bool) -> str:
        """The stderr line; with ``verbose`` the traceback follows it."""
        if verbose and self.traceback:
            return f"{self.message}\n{self.traceback.rstrip()}"
        return self.message


def failure(
    exc: BaseException,
    stage: str,
    what: str = "",
    *,
    article: Article | None = None,
    source: str = "",
    position: str = "",
    article_id: str = "",
) -> Failure:
    """A Failure for ``exc``, raised at ``stage`` (``what``: the format or output)."""
    if article is not None:
        source, position, article_id = article.source, article.position, article.id
    at = f"{stage} ({what})" if what else stage
    if isinstance(exc, ConverterError):  # a known condition (an unwritable file...): its message
        reason = f"error at stage {at}: {exc}"
        trace = ""
    else:
        message = " ".join(str(exc).split())[:500]
        reason = f"internal error at stage {at}: {type(exc).__name__}: {message}".rstrip(": ")
        trace = "".join(traceback.format_exception(exc))
    return Failure(article_id, source, position, stage, reason, trace)


def from_input_error(error: InputError) -> Failure:
    """The Failure of a record that cannot be an article (its message is ``str(error)``)."""
    return Failure(
        error.article_id,
        error.source,
        error.position,
        READ,
        error.reason,
        error.traceback if isinstance(error, ReadFailure) else "",
        error.field,
    )


@dataclass
class ReadFailure(InputError):
    """An unexpected exception while reading one record (stage read), as the InputError that
    ``api.read_articles`` yields for it; the traceback is kept for ``--verbose``."""

    traceback: str = ""

    @classmethod
    def of(cls, exc: Exception, source: str, position: str, article_id: str) -> ReadFailure:
        found = failure(exc, READ, source=source, position=position, article_id=article_id)
        return cls(source, position, found.reason, "", article_id, found.traceback)


# ---------------------------------------------------------------------------------------------
# Collections


@dataclass
class Outcome(Generic[T]):
    """A collection's result: the value (None if it could not be made), the articles left out
    because their own part raised, and the error of the collection as a whole, if any."""

    value: T | None
    failed: list[Failure] = field(default_factory=list)
    error: Failure | None = None


class _Universal(Exception):
    """Every render fails, whatever the articles: the fault is not in any one of them."""


@dataclass
class _Search(Generic[T]):
    render: Callable[[Sequence[Article]], T]
    what: str
    ok_seen: bool = False  # some non-empty render succeeded: the renderer itself works
    probed: bool = False

    def attempt(self, items: Sequence[Article]) -> BaseException | None:
        try:
            self.render(items)
        except ConverterError:
            raise
        except Exception as exc:  # the point: any bug in one article's part
            return exc
        self.ok_seen = True
        return None

    def culprits(self, items: Sequence[Article], everything: Sequence[Article]) -> list[Failure]:
        """The articles of ``items`` (a set known to fail) that fail alone."""
        found: list[Failure] = []
        middle = len(items) // 2
        for half in (items[:middle], items[middle:]):
            exc = self.attempt(half)
            if exc is None:
                continue
            if len(half) > 1:
                found += self.culprits(half, everything)
                continue
            if not self.ok_seen and not self.probed:  # is it this article, or everything?
                self.probed = True
                other = next((a for a in reversed(everything) if a is not half[0]), None)
                if other is not None and self.attempt([other]) is not None:
                    raise _Universal()
            found.append(failure(exc, RENDER, self.what, article=half[0]))
        return found


def isolate(
    render: Callable[[Sequence[Article]], T],
    articles: Sequence[Article],
    what: str,
    *,
    empty_ok: bool = True,
) -> Outcome[T]:
    """``render(articles)``; if it raises, render without the articles whose own part raises.

    ``ConverterError`` (a usage error, say) propagates: it is about the run, not an article.
    ``empty_ok=False``: a collection that loses every article is not rendered empty (a book).
    """
    search = _Search(render, what)
    items = list(articles)
    outcome: Outcome[T] = Outcome(None)
    while items or empty_ok:
        try:
            outcome.value = render(items)
            return outcome
        except ConverterError:
            raise
        except Exception as exc:  # the point: any bug in one article's part
            error = exc  # searched below, outside the handler: no chained tracebacks
        whole = failure(error, RENDER, what)
        if len(items) == 1:
            found = [failure(error, RENDER, what, article=items[0])]
        else:
            try:
                found = search.culprits(items, items) if items else []
            except _Universal:
                found = []
        if not found:  # no one article is at fault (or every one is): the collection fails
            outcome.error = whole
            return outcome
        outcome.failed += found
        bad = {f.article_id for f in found}
        items = [a for a in items if a.id not in bad]
    return outcome


@dataclass
class Plan(Generic[T]):
    """One collection to make: ``articles(excluded ids)`` gives what it holds (a collector can
    let the next article in); ``render`` makes it; ``emit`` receives each value made, or None
    when the collection could not be made (or would hold nothing and ``empty_ok`` is False)."""

    what: str
    articles: Callable[[set[str]], Sequence[Article]]
    render: Callable[[Sequence[Article]], T]
    emit: Callable[[T | None], None]
    empty_ok: bool = True
    # A heavy collection (the book) whose render does nothing but return its value (never
    # None): with ``render_all(jobs > 1)`` its first render is made in a forked process while
    # this one makes the others (issue 13: the end of an export ran on one core).
    apart: bool = False


def render_all(
    plans: Sequence[Plan[Any]], jobs: int = 1
) -> tuple[dict[str, Failure], list[Failure]]:
    """Make every collection; an article that fails in one is left out of all of them (the
    collections that held it are made again, and only those). Returns the failed articles by
    id and the collections that could not be made at all. ``jobs``: processes that may work
    at once (the plans made ``apart`` take the others, one each)."""
    failed: dict[str, Failure] = {}
    errors: dict[int, Failure] = {}
    held: dict[int, set[str]] = {}
    todo = list(range(len(plans)))
    with contextlib.ExitStack() as stack:
        early = _started(plans, jobs - 1, stack)
        while todo:
            new: dict[str, Failure] = {}
            for index in todo:
                plan = plans[index]
                items = [a for a in plan.articles(set(failed)) if a.id not in failed]
                held[index] = {a.id for a in items}
                outcome = _made_early(early.pop(index, None), items)
                if outcome is None:
                    outcome = isolate(plan.render, items, plan.what, empty_ok=plan.empty_ok)
                for item in outcome.failed:
                    new.setdefault(item.article_id, item)
                errors.pop(index, None)
                if outcome.error is not None:
                    errors[index] = outcome.error
                plan.emit(outcome.value)
            failed.update(new)
            todo = [i for i in range(len(plans)) if held[i] & new.keys()]
    return failed, [errors[i] for i in sorted(errors)]


def _started(
    plans: Sequence[Plan[Any]], processes: int, stack: contextlib.ExitStack
) -> dict[int, tuple[list[Article], Ahead[Any]]]:
    """The first render of up to ``processes`` plans made ``apart``, started in forked
    processes (with the articles each holds now: nothing has failed yet)."""
    early: dict[int, tuple[list[Article], Ahead[Any]]] = {}
    for index, plan in enumerate(plans):
        if len(early) >= processes or not plan.apart:
            continue
        items = list(plan.articles(set()))
        if items or plan.empty_ok:
            early[index] = (items, stack.enter_context(Ahead(partial(plan.render, items))))
    return early


def _made_early(
    early: tuple[list[Article], Ahead[Any]] | None, items: Sequence[Article]
) -> Outcome[Any] | None:
    """The value made ahead for these very ``items``, as ``isolate`` gives it when the render
    raises nothing; None (make it here) when there is none or it did not come back."""
    if early is None:
        return None
    made_for, ahead = early
    if not _same(made_for, items):  # not expected (nothing fails before the first round)
        ahead.cancel()
        return None
    value = ahead.value()
    ahead.close()  # its memory goes now, not at the end of the run
    return None if value is None else Outcome(value)


def _same(a: Sequence[Article], b: Sequence[Article]) -> bool:
    return len(a) == len(b) and all(x is y for x, y in zip(a, b, strict=True))
