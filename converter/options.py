"""One options record for every command. Derive variants with ``dataclasses.replace``."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Options"]


@dataclass(frozen=True, slots=True)
class Options:
    # Site settings (also from converter.toml; flags override the file).
    site_title: str = "Daily Maverick"  # feed / page site name (og:site_name, JSON-LD publisher)
    site_url: str = "https://www.dailymaverick.co.za/"  # home page, used where a site link is due
    base_url: str | None = None  # replaces scheme+host of article URLs (the seed lives on staging)
    language: str = "en"  # BCP 47 tag for lang attributes and feeds
    timezone: str = "Africa/Johannesburg"  # zone of the CMS's naive timestamps (source-format §3)
    # Inline body images keep their src; these (old prefix, new prefix) pairs rewrite it.
    host_map: tuple[tuple[str, str], ...] = ()

    # Output switches.
    fragment: bool = False  # html: write only the clean body, for partner CMS ingestion
    strict: bool = False  # warnings (degraded embeds, dropped galleries) become failures

    # Image widths (CSS px) asked of the image resolver; see converter/images.py.
    html_image_width: int = 800  # lead image `src` in standalone pages; srcset covers the rest
