"""Markdown adapter: YAML front matter that Hugo, Jekyll and Astro read, then a CommonMark/GFM body.

Front matter values are written as JSON scalars and flow sequences, which YAML 1.2 (and the
1.1 parsers of Hugo/Jekyll) read as the same strings and lists: the json library does the
quoting, never string formatting. Dates are unquoted RFC 3339 timestamps.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence

from ... import images
from ...model import Article
from ...options import Options
from ...output import safe_slug
from .body import to_markdown

__all__ = ["front_matter", "render"]


# YAML allows neither DEL nor the C1 controls raw (YAML 1.2 §5.1; U+0085 is a line break
# there); JSON leaves them raw. Written as \u escapes, both read the same string.
_string: Callable[[str], str] = json.encoder.encode_basestring
_YAML_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff]")


def _yaml(value: str | list[str]) -> str:
    # json.dumps(value, ensure_ascii=False), without its per-call set-up (10 calls an article)
    text = _string(value) if isinstance(value, str) else "[" + ", ".join(map(_string, value)) + "]"
    if text.isascii() and "\x7f" not in text:  # (two C scans, where the search took ~2k)
        return text
    return (
        _YAML_UNSAFE.sub(lambda m: f"\\u{ord(m[0]):04x}", text)
        if _YAML_UNSAFE.search(text)
        else text
    )


def front_matter(article: Article) -> list[tuple[str, str]]:
    """(key, YAML value) pairs, in a stable order."""
    fields: list[tuple[str, str]] = [("title", _yaml(article.title))]
    if article.published:
        fields.append(("date", article.published.isoformat()))
    if article.updated:
        updated = article.updated.isoformat()
        fields.append(("updated", updated))
        fields.append(("lastmod", updated))  # Hugo's name for it
    if article.status != "publish":
        fields.append(("draft", "true"))
    fields.append(("id", _yaml(article.id)))
    if article.slug:  # the file's own name: a site generator makes a path of it
        fields.append(("slug", _yaml(safe_slug(article.slug, article.id))))
    fields.append(("authors", _yaml([a.name for a in article.authors])))
    fields.append(("categories", _yaml([c.name for c in article.categories])))
    fields.append(("tags", _yaml([k.name for k in article.keywords])))
    if article.standfirst:
        fields.append(("summary", _yaml(article.standfirst)))
    fields.append(("canonical_url", _yaml(article.url)))
    lead = images.pick(article.image, images.SOCIAL)
    if lead is not None and article.image is not None:
        fields.append(("image", _yaml(lead.url)))
        if article.image.alt:
            fields.append(("image_alt", _yaml(article.image.alt)))
        if article.image.credit:
            fields.append(("image_credit", _yaml(article.image.credit)))
    if article.paywalled:
        fields.append(("paywalled", "true"))
    return fields


def render(articles: Sequence[Article], options: Options) -> bytes:
    (article,) = articles
    lines = ["---", *(f"{key}: {value}" for key, value in front_matter(article)), "---", ""]
    body = to_markdown(article.body)
    return ("\n".join(lines) + body).encode("utf-8")
