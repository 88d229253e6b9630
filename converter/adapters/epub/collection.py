"""The book's plan: which articles, in what order, in which groups, under which file names,
and the subjects and summaries drawn from them. No XHTML here: only decisions."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from lxml import etree

from ...content import xml_safe
from ...model import Article
from ..common import Descending

SUMMARY_LIMIT = 500  # characters of standfirst on section pages (Calibre's summary_length)
KEYWORD_SUBJECTS = 10  # dc:subject keywords at most (the book's most frequent), after sections
FLOOR = datetime(1980, 1, 1, tzinfo=UTC)  # zip timestamps cannot be older than 1980
GROUPINGS = ("section", "date", "none")


@dataclass(slots=True)
class Entry:
    article: Article
    key: str  # XML-name-safe form of the CMS id
    body: etree._Element  # parsed clean body (a <body> element, no namespace)

    @property
    def uid(self) -> str:
        return f"art-{self.key}"  # CMS ids are digits: not XML names on their own (§2.2.3)

    @property
    def file_name(self) -> str:
        return f"article-{self.key}.xhtml"  # at the package root: relative paths stay simple


@dataclass(slots=True)
class Group:
    label: str
    entries: list[Entry] = field(default_factory=list)
    file_name: str = ""

    @property
    def uid(self) -> str:
        return self.file_name.removesuffix(".xhtml")


def when(article: Article) -> datetime:
    return article.published or article.updated or article.modified or FLOOR


def reading_order(article: Article) -> tuple[Descending, str]:
    """The book's order (an ascending sort key): newest first, as a front page reads; ties by
    id so that input order cannot change bytes. The registry declares it (``Adapter.order``):
    the build and the engine's bounded book candidates (engine/collectors.py) both use it."""
    return (Descending(when(article)), article.id)


def newest_update(articles: Iterable[Article]) -> datetime:
    stamps = [s for a in articles for s in (a.updated, a.modified, a.published) if s is not None]
    return max(stamps, default=FLOOR)


def safe_key(article_id: str, taken: set[str]) -> str:
    key = article_id if re.fullmatch(r"[A-Za-z0-9_-]{1,64}", article_id) else ""
    if not key:
        key = "x" + hashlib.sha256(article_id.encode("utf-8")).hexdigest()[:12]
    base, n = key, 1
    while key in taken:
        n += 1
        key = f"{base}-{n}"
    taken.add(key)
    return key


def date_label(day: date) -> str:
    return f"{day:%A}, {day.day} {day:%B %Y}"


def groups(entries: list[Entry], group_by: str) -> list[Group]:
    """Groups in reading order; each entry in exactly one group."""
    groups: dict[object, Group] = {}
    for entry in entries:
        article = entry.article
        if group_by == "date":
            stamp = article.published or article.updated
            key: object = stamp.date() if stamp else None
            label = date_label(stamp.date()) if stamp else "Undated"
        elif group_by == "section" and article.section is not None:
            key = article.section.slug or article.section.name
            label = article.section.name
        else:
            key, label = None, "Other articles" if group_by == "section" else "Articles"
        groups.setdefault(key, Group(xml_safe(label) or "Articles")).entries.append(entry)
    ordered = list(groups.values())
    if None in groups:  # undated / unsectioned last
        ordered.remove(groups[None])
        ordered.append(groups[None])
    for n, group in enumerate(ordered, 1):
        group.file_name = f"section-{n:02d}.xhtml"
    return ordered


def author_names(article: Article) -> list[str]:
    return list(
        dict.fromkeys(xml_safe(" ".join(a.name.split())) for a in article.authors if a.name.strip())
    )


def subjects(articles: Sequence[Article]) -> list[str]:
    """dc:subject: the sections (each article's first category), then at most
    ``KEYWORD_SUBJECTS`` keywords, the most frequent first (an article counts a keyword once),
    ties by first appearance in reading order; each name once, compared case-folded."""
    sections: dict[str, str] = {}  # casefolded → first spelling seen
    keywords: dict[str, str] = {}
    counts: Counter[str] = Counter()
    for article in articles:
        for term in article.categories[:1]:
            name = xml_safe(" ".join(term.name.split()))
            if name:
                sections.setdefault(name.casefold(), name)
        seen: set[str] = set()
        for term in article.keywords:
            name = xml_safe(" ".join(term.name.split()))
            if name and name.casefold() not in seen:
                seen.add(name.casefold())
                keywords.setdefault(name.casefold(), name)
                counts[name.casefold()] += 1
    ranked = sorted((key for key in keywords if key not in sections), key=lambda k: -counts[k])
    return [*sections.values(), *(keywords[key] for key in ranked[:KEYWORD_SUBJECTS])]


def shorten(text: str, limit: int = SUMMARY_LIMIT) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"
