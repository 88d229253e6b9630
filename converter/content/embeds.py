"""Embeds (tweets, Instagram, YouTube, Vimeo, Flourish, Datawrapper, other iframes).

Every embed becomes one canonical figure (see vocabulary.py) with a plain link fallback;
adapters decide how to show it. The provider table is data: URL patterns (named groups) and
the templates of the canonical page URL and of the player URL (only for hosts we allow to be
framed). Markup notes: docs/source-format.md §8.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from urllib.parse import parse_qs, quote, urlsplit

from lxml import etree

__all__ = [
    "PROVIDERS",
    "Embed",
    "Provider",
    "embed_figure",
    "label",
    "match_url",
    "provider",
    "video_details",
]


@dataclass(frozen=True, slots=True)
class Provider:
    name: str  # value of data-embed
    label: str  # shown in the fallback link, "YouTube: title"
    patterns: tuple[re.Pattern[str], ...]  # named groups feed the templates
    page: str  # canonical page URL template (str.format with the named groups)
    player: str = ""  # player URL template; empty = never framed (blockquote or link only)
    # Query parameters of the source URL carried to both URLs ("*": all of them): Vimeo's
    # "h" is what lets an unlisted video play; a Spotify embed code's own parameters are
    # kept so that the URL the author pasted is still the one a reader reaches.
    query: tuple[str, ...] = ()
    # The link is the URL as the author gave it (player or page form), not the page template:
    # what was pasted stays reachable from every format (realworld-extra 4400061, Spotify).
    link_as_given: bool = False


def _p(*patterns: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.I) for p in patterns)


PROVIDERS: tuple[Provider, ...] = (
    Provider(
        "youtube",
        "YouTube",
        _p(
            r"^https?://(?:www\.|m\.)?youtube(?:-nocookie)?\.com/(?:embed/|shorts/|live/|v/|watch\?(?:[^#]*&)?v=)(?P<id>[\w-]{6,})",
            r"^https?://youtu\.be/(?P<id>[\w-]{6,})",
        ),
        "https://www.youtube.com/watch?v={id}",
        "https://www.youtube-nocookie.com/embed/{id}",
    ),
    Provider(
        "vimeo",
        "Vimeo",
        _p(
            r"^https?://(?:www\.)?vimeo\.com/(?:video/)?(?P<id>\d+)",
            r"^https?://player\.vimeo\.com/video/(?P<id>\d+)",
        ),
        "https://vimeo.com/{id}",
        "https://player.vimeo.com/video/{id}",
        query=("h",),
    ),
    Provider(
        "datawrapper",
        "Datawrapper",
        _p(
            r"^https?://datawrapper\.dwcdn\.net/(?P<id>\w{5})(?:/(?P<v>\d+))?",
            r"^https?://(?:www\.)?datawrapper\.de/_/(?P<id>\w{5})",
        ),
        "https://datawrapper.dwcdn.net/{id}/",
        "https://datawrapper.dwcdn.net/{id}/",
    ),
    Provider(
        "flourish",
        "Flourish",
        _p(
            r"^https?://flo\.uri\.sh/(?P<kind>visualisation|story)/(?P<id>\d+)",
            r"^https?://public\.flourish\.studio/(?P<kind>visualisation|story)/(?P<id>\d+)",
            r"^(?P<kind>visualisation|story)/(?P<id>\d+)$",  # the data-src of a Flourish div
        ),
        "https://public.flourish.studio/{kind}/{id}/",
        "https://flo.uri.sh/{kind}/{id}/embed",
    ),
    Provider(
        "twitter",
        "X (Twitter)",
        _p(
            r"^https?://(?:www\.|mobile\.)?(?:twitter|x)\.com/(?P<user>\w+)/status(?:es)?/(?P<id>\d+)"
        ),
        "https://twitter.com/{user}/status/{id}",
    ),
    Provider(
        "instagram",
        "Instagram",
        _p(r"^https?://(?:www\.)?instagram\.com/(?:[\w.]+/)?(?P<kind>p|reel|tv)/(?P<id>[\w-]+)"),
        "https://www.instagram.com/{kind}/{id}/",
    ),
    Provider(
        "tiktok",
        "TikTok",
        _p(r"^https?://(?:www\.)?tiktok\.com/@(?P<user>[\w.-]+)/video/(?P<id>\d+)"),
        "https://www.tiktok.com/@{user}/video/{id}",
    ),
    Provider(
        "facebook",
        "Facebook",
        _p(r"^https?://(?:www\.)?facebook\.com/(?P<path>[\w.-]+/(?:posts|videos)/[\w.-]+)"),
        "https://www.facebook.com/{path}",
    ),
    Provider(
        "spotify",
        "Spotify",
        _p(
            r"^https?://open\.spotify\.com/(?:embed/)?(?:embed-podcast/)?(?P<kind>episode|show|track|playlist|album)/(?P<id>\w+)"
        ),
        "https://open.spotify.com/{kind}/{id}",
        "https://open.spotify.com/embed/{kind}/{id}",
        query=("*",),
        link_as_given=True,
    ),
    Provider(
        "soundcloud",
        "SoundCloud",
        _p(r"^https?://(?:www\.)?soundcloud\.com/(?P<path>[\w-]+/[\w-]+)"),
        "https://soundcloud.com/{path}",
        "https://w.soundcloud.com/player/?url=https%3A//soundcloud.com/{path}",
    ),
)
_BY_NAME = {p.name: p for p in PROVIDERS}


@dataclass(frozen=True, slots=True)
class Embed:
    provider: str  # a Provider name, or "generic" / "video" / "audio"
    url: str  # the canonical page (or media) URL, for the fallback link
    player: str = ""  # the frame URL, only for allow-listed providers
    title: str = ""
    poster: str = ""  # video: the picture shown before it plays (absolute http(s) URL)
    width: int = 0  # video: its size in CSS px when the source gives both (0 = unknown)
    height: int = 0


# Facebook's plugin frames name the post or video they show in their "href" parameter (the
# frame is then labelled a Facebook embed, not "Embedded content (www.facebook.com)"):
# https://www.facebook.com/plugins/video.php?href=https%3A%2F%2Fwww.facebook.com%2Fx%2Fvideos%2F1%2F
_FACEBOOK_PLUGIN = re.compile(
    r"^https?://(?:www\.|web\.)?facebook\.com/plugins/(?:post|video|comment_embed)\.php\?", re.I
)


_FACEBOOK_PAGE = re.compile(r"^https?://(?:www\.|web\.|m\.)?facebook\.com/\S+$", re.I)


def match_url(url: str) -> Embed | None:
    """The embed for a URL of a known provider, or None."""
    url = url.strip()
    if _FACEBOOK_PLUGIN.match(url):
        # a Facebook post or video: the link is the frame as given (it shows the post in a
        # browser; the real-world checker requires every frame's URL to stay reachable)
        shown = parse_qs(url.partition("#")[0].partition("?")[2]).get("href", [""])[0].strip()
        if _FACEBOOK_PAGE.match(shown):
            return Embed("facebook", url.partition("#")[0])
    return _match(url)


def _match(url: str) -> Embed | None:
    for provider in PROVIDERS:
        for pattern in provider.patterns:
            m = pattern.match(url)
            if m:
                # (a path group keeps its "/": SoundCloud's and Facebook's links were
                # written ".../user%2Ftrack", a page that does not exist)
                groups = {k: quote(v, safe="/") for k, v in m.groupdict().items() if v}
                page = provider.page.format(**groups)
                player = provider.player.format(**groups) if provider.player else ""
                kept = _kept_query(url, provider.query) if provider.query else ""
                if kept:
                    page, player = page + "?" + kept, player + "?" + kept if player else ""
                if provider.link_as_given:
                    page = url.partition("#")[0]
                return Embed(provider.name, page, player)
    return None


def _kept_query(url: str, names: tuple[str, ...]) -> str:
    """The parameters of ``url``'s query named in ``names`` ("*": all), as written."""
    query = url.partition("#")[0].partition("?")[2]
    return "&".join(
        part
        for part in query.split("&")
        if part and ("*" in names or part.partition("=")[0] in names)
    )


def _split(url: str) -> tuple[str, str]:
    """(host, path) of a URL; urllib raises on some malformed ones ("https://[x")."""
    try:
        parts = urlsplit(url)
        return parts.hostname or "", parts.path
    except ValueError:
        return "", ""


def as_written(embed: Embed, text: str) -> Embed:
    """The embed of a URL the source shows as text (alone on its line, in ``[embed]``, in a
    block's wrapper): without a title of its own, that text is its title, so the link still
    says what the author wrote ("YouTube: https://youtu.be/…"; realworld-extra 4300066 lost
    the URL of a tweet to "X (Twitter)")."""
    text = text.strip()
    return embed if embed.title or not text else replace(embed, title=text)


def unlabel(text: str) -> tuple[str, str]:
    """The provider's name and the title in a link text ``label`` wrote ("YouTube: title")."""
    name, said, title = text.partition(": ")
    return (name, title) if said else (text, "")


def label(embed: Embed) -> str:
    """Text of the fallback link: "YouTube: title", or the provider and host."""
    provider = _BY_NAME.get(embed.provider)
    if embed.provider in ("video", "audio") and not embed.title:
        filename = _split(embed.url)[1].rpartition("/")[2]
        return (
            f"{embed.provider.capitalize()}: {filename}"
            if filename
            else embed.provider.capitalize()
        )
    if embed.provider in ("video", "audio"):
        name = embed.provider.capitalize()
    elif provider is not None:
        name = provider.label
    else:
        name = "Embedded content"
    if embed.title:
        return f"{name}: {embed.title}"
    host = _split(embed.url)[0]
    return f"{name} ({host})" if provider is None and host else name


_OTHER_SCHEME = re.compile(r"^\s*(?!https?:)[a-z][a-z0-9+.-]*:", re.I)


def video_details(embed: Embed, poster: str | None, width: str | None, height: str | None) -> Embed:
    """A video embed with its poster and size; other embeds as they are.

    The poster is dropped if its scheme is not http(s); a relative one is kept for the embeds
    transform to resolve (it re-derives every canonical figure). The size is kept when both
    are positive integers (up to 5 digits), else neither is.
    """
    if embed.provider != "video":
        return embed
    sizes = [int(v) for v in (width, height) if v and v.strip().isdecimal() and len(v.strip()) < 6]
    w, h = sizes if len(sizes) == 2 and all(sizes) else (0, 0)
    poster = "" if not poster or _OTHER_SCHEME.match(poster) else poster.strip()
    return replace(embed, poster=poster, width=w, height=h)


def embed_figure(embed: Embed, quoted: etree._Element | None = None) -> etree._Element:
    """The canonical embed figure; ``quoted`` is a blockquote kept for tweets and posts."""
    figure = etree.Element("figure")
    figure.set("class", "embed")
    figure.set("data-embed", embed.provider)
    if embed.player:
        figure.set("data-src", embed.player)
    if embed.poster:
        figure.set("data-poster", embed.poster)
    if embed.width and embed.height:
        figure.set("data-video-width", str(embed.width))
        figure.set("data-video-height", str(embed.height))
    if quoted is not None:
        figure.append(quoted)
    caption = etree.SubElement(figure, "figcaption")
    link = etree.SubElement(caption, "a")
    link.set("href", embed.url)
    link.text = label(embed)
    return figure


def provider(name: str) -> Provider | None:
    return _BY_NAME.get(name)
