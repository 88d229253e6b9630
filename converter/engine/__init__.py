"""The one run engine: every command and ``export`` run through it.

    read → parse → select/dedupe → strict → render → write → report

* stages.py: the stages themselves (``read_articles``, ``parse``, ``supersedes``: the one
  rule for "newest", ``latest``, ``checked``: --strict, ``render_article``)
* results.py: the typed values between them (``Rendered``, ``Failed``, ``Unchanged``)
* pool.py: the per-record work, serial or in worker processes (``--jobs``), in input order
* commands.py: the commands (per-article files, feeds, books, several-file formats)
* collectors.py: export's bounded candidates for the feeds, the book and the sitemaps
* run.py: export, its ``--shard``, ``--incremental`` and ``--merge`` modes
* report.py: ``Report``, the one report of every run (summary line, exit status, report.json)
"""
