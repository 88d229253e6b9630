"""converter: Whitebeard (Daily Maverick) article JSON → clean HTML, Markdown, feeds and EPUB.

The public API::

    from converter import Options, read_articles, render
    for article in read_articles(["samples"], Options()):
        ...
"""

from __future__ import annotations

from .api import convert, latest, read_articles, render
from .errors import ConverterError, InputError
from .model import Article
from .options import Options

__all__ = [
    "Article",
    "ConverterError",
    "InputError",
    "Options",
    "convert",
    "latest",
    "read_articles",
    "render",
]
