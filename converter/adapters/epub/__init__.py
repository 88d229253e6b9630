"""EPUB 3 adapter: one offline book of the given articles, valid for EPUBCheck 5.3 and readable.

Why it is built this way (docs: shared/docs/epub.md):

* Structure of a periodical, after Calibre's news recipes (§3): cover → contents (the nav
  document) → per group (section, day) a section page listing its articles → one XHTML
  document per article. Two-level navigation (group → article) in both the EPUB 3 nav and
  the NCX; each article exactly once (an article's first category decides its section).
  A one-article book has no group level.
* ebooklib with the settings of §2.2, each marked where it is applied. Article, section and
  nav documents are written by us as well-formed XHTML (``xhtml.Document``): ebooklib's own path
  re-parses content with an HTML parser and pretty-prints it, which re-indents ``<pre>``
  (measured) and silently drops leading text (§2.3).
* Every image is inside the book (§0.4): lead and inline images come from ``fetch``
  (mirror, cache or guarded HTTP); one that cannot be had becomes its alt/caption text plus a
  warning, never a remote reference. Embeds become their quoted text and a link (§2.3).
* Deterministic: same articles and options → same bytes. The identifier is a UUID5 of the
  sorted article ids, ``dcterms:modified`` and every zip entry's timestamp come from the
  newest article update, and the entry order is fixed (``package.repack``).

Modules, by role: ``collection`` (the plan: order, groups, file names, subjects), ``build``
(one book from the plan: images, documents, cover, metadata), ``body`` (an article body made fit
for a book), ``xhtml`` (documents and the stylesheet), ``package`` (ebooklib's writer and the
deterministic zip), ``fetch`` (images: mirror, cache, guarded HTTP) and ``cover``.
"""

from __future__ import annotations

from collections.abc import Sequence

from ...errors import UsageError
from ...model import Article
from ...options import Options
from .build import Build
from .collection import GROUPINGS, KEYWORD_SUBJECTS
from .xhtml import CSS

__all__ = ["CSS", "KEYWORD_SUBJECTS", "Build", "render", "render_with_report"]


def render(articles: Sequence[Article], options: Options) -> bytes:
    """One EPUB of ``articles`` (warnings about images left out are dropped)."""
    return render_with_report(articles, options)[0]


def render_with_report(articles: Sequence[Article], options: Options) -> tuple[bytes, list[str]]:
    """One EPUB of ``articles`` and the warnings: images that could not be had, a bad cover."""
    if not articles:
        raise UsageError("an e-book needs at least one article")
    if options.epub.group_by not in GROUPINGS:
        raise UsageError(
            f"unknown group_by {options.epub.group_by!r} (known: {', '.join(GROUPINGS)})"
        )
    return Build(articles, options).run()
