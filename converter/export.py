"""``converter export``: every format in one pass over an archive, streaming and in parallel.

    DIR/html/<name>.html          DIR/feeds/rss.xml, atom.xml, feed.json
    DIR/markdown/<name>.md        DIR/feeds/sections/<section>.xml|.atom|.json
    DIR/ninjs/<name>.json         DIR/sitemaps/sitemap-N.xml, sitemap-index.xml, news-sitemap.xml
    DIR/epub/book.epub            DIR/epub/articles/<name>.epub   (--per-article-epub)
    DIR/report.json               every input article: converted / skipped (rule) / failed
                                  (stage: read, render, write or strict; and the reason)
    DIR/manifest.json             id → lastUpdate and output name (for --incremental and
                                  --prune; kept for articles that left the input until pruned)
    DIR/state/feed-articles.jsonl the feed candidates (for --merge and --incremental)
    DIR/state/sitemap-articles.jsonl  every article the sitemaps list, without its body

The folders, file names and kinds come from the adapter registry (adapters/__init__.py).

Memory: records are read lazily (JSON Lines line by line); per-article outputs are written as
they are made; feeds keep only their newest N candidates and the book its newest
``book_limit`` (500) articles; the per-id state (duplicates, names, the manifest) is in a
temporary SQLite table on disk and the report is streamed to disk and assembled at the end.
So memory does not grow with the archive (measured: bench/scale.py, docs/performance.md);
what still does: warnings (kept for the report), the previous export's manifest, and a
book with ``book_limit=0``.

The export is a mode of the one run engine (``converter/engine/``: run.py writes, pool.py runs
the per-record work, collectors.py keeps the collections' candidates); this module is its
public name.

Parallel: worker processes parse, normalise and render html/markdown (the per-article work);
the main process writes in input order, so the output is byte-identical for any --jobs. It
writes the per-article files without an fsync each and flushes them all once (``output.Sync``:
one ``os.sync``, then an fsync per folder; ``--fsync-each``: also each file) before the
manifest that names them is written.
"""

from __future__ import annotations

from .engine.collectors import (
    BookCollector,
    FeedCollector,
    SitemapCollector,
    article_from_json,
    article_to_json,
    book_order,
)
from .engine.run import BOOK_LIMIT, FORMATS, ExportResult, export, merge, shard_of

__all__ = [
    "BOOK_LIMIT",
    "FORMATS",
    "BookCollector",
    "ExportResult",
    "FeedCollector",
    "SitemapCollector",
    "article_from_json",
    "article_to_json",
    "book_order",
    "export",
    "merge",
    "shard_of",
]
