"""URLs made valid for every output (RFC 3986): the one place that percent-encodes them.

Used where URLs enter the model: ``cms.py`` for article metadata (``web_url``) and
``content/transforms.resolve_url`` for body links (``encode``). Pure and stdlib-only but for
``idna`` (already a dependency of httpx), so both can import it without a cycle.

``encode`` keeps what RFC 3986 allows in each component (unreserved and reserved characters,
valid ``%XX`` escapes) and percent-encodes the rest as UTF-8: space, ``"<>\\^`{|}``, controls,
non-ASCII, a ``%`` that starts no escape, ``[``/``]`` outside an IPv6 host, a second ``#``.
An internationalised host becomes punycode (UTS 46 as browsers do, else IDNA 2003); a host
neither accepts is kept, percent-encoded (RFC 3986 §3.2.2 allows UTF-8 escapes in a reg-name).
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import SplitResult, quote, unquote, urlsplit, urlunsplit

import idna

__all__ = ["PLAIN_HOST", "canonical_web", "encode", "numeric_host_ok", "web_url"]

# Anything outside unreserved / reserved / "%", or brackets (valid only around an IPv6 host),
# or a "%" that starts no escape: the URL needs the slow path. Otherwise it is valid as it is.
# (One character class, and the "%" check apart: an alternation costs three times as much.)
_NEEDS_WORK = re.compile(r"[^A-Za-z0-9\-._~:/?#@!$&'()*+,;=%]")
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
# An authority urlsplit need not check: a plain host name, no user, no port.
_PLAIN_WEB = re.compile(r"https?://[A-Za-z0-9\-.]+(?=[/?#]|\Z)")
_SUB_DELIMS = "!$&'()*+,;="
_SAFE = {  # what each component may hold besides unreserved characters (RFC 3986 §3)
    "userinfo": _SUB_DELIMS + ":%",
    "host": _SUB_DELIMS + "%",
    "path": _SUB_DELIMS + ":@/%",
    "query": _SUB_DELIMS + ":@/?%",
}
# A URL that web_url would give back unchanged, in one match (the common case: CMS image URLs,
# ~25 an article): lowercase http(s), a plain host (no user, no port), then only characters
# RFC 3986 allows unencoded, at most one "#" (and "%" only before two hex digits: checked
# apart, as a character class repeats in C and an alternation does not). Anything else takes
# the full rules, which give such a URL back unchanged too (tests/test_urls.py).
_URL_CHARS = r"[A-Za-z0-9\-._~:/?@!$&'()*+,;=%]*"
# A host name that is no number to a browser: its last label ends in a letter or "-" and does
# not start with "0x" (WHATWG URL, "ends in a number checker"). A host that ends in a number
# ("1.2.3.4", "e.4", "a.0x1f", or a trailing ".") takes the full rules (``numeric_host_ok``),
# and so does one with an "xn--" label (which must be Punycode).
# Label by label, possessively: ~70 ns a URL more than the plain character class, where a
# look-ahead over the whole host for "xn--" cost ~230 ns (timeit; ~26 URLs an article).
PLAIN_HOST = r"(?:(?![xX][nN]--)[A-Za-z0-9\-]*+\.)*+(?![xX][nN]--|0[xX])[A-Za-z0-9\-]*[A-Za-z\-]"
_CANONICAL_WEB = re.compile(rf"https?://{PLAIN_HOST}(?:[/?]{_URL_CHARS})?(?:#{_URL_CHARS})?")
_WHITESPACE = re.compile(r"[\t\n\r]")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*")
_WEB_SCHEMES = ("http", "https")


def _quote(text: str, component: str) -> str:
    if "%" in text:
        text = _BAD_PERCENT.sub("%25", text)
    return quote(text, safe=_SAFE[component])


def _host(host: str) -> str:
    """Punycode for an internationalised host; otherwise the host, percent-encoded if need be."""
    if host.startswith("[") and host.endswith("]"):  # an IP literal urlsplit has checked
        return host
    if not host.isascii():
        if "%" in host:  # a browser decodes the host first ("é%41" is "éA", not "xn--%41-…")
            host = unquote(host)
        host = _punycode(host)
    # (the Punycode too: UTS 46 keeps "{" in a label, which an ASCII host has encoded; fuzz
    # AM: "http://{”" gave "xn--{-…" a pass, then "xn--%7B-…")
    return _quote(host, "host")


def _punycode(host: str) -> str:
    """IDNA 2008 (UTS 46), else IDNA 2003, else the host as it is (percent-encoded after).
    ValueError for a host no browser reads (the URL then is none: ``encode``)."""
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError):
        pass
    if any(
        label[:1] and unicodedata.category(label[0]).startswith("M") for label in host.split(".")
    ):
        # A label may not begin with a combining mark (UTS 46 §4.1, V5), which IDNA 2003
        # allowed: a browser's URL parser finds no host, nor does nh3 (fuzz AU: "http:\u0488")
        raise ValueError(f"no host a browser reads: {host!r}")
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def _netloc(netloc: str) -> str:
    userinfo, at, hostport = netloc.rpartition("@")
    if hostport.startswith("["):
        host, bracket, port = hostport.partition("]")
        host, port = host + bracket, port.removeprefix(":")
        colon = ":" if hostport.endswith(":") or port else ""
    else:
        host, colon, port = hostport.partition(":")
    return (
        (_quote(userinfo, "userinfo") + at if at else "")
        + _host(host)
        + colon
        + _quote(port, "host")
    )


def encode(url: str) -> str | None:
    """``url`` (absolute or relative) with what RFC 3986 does not allow percent-encoded, or None
    when it cannot be parsed (a bracketed host that is no IP address, a lone surrogate)."""
    if (
        not _NEEDS_WORK.search(url)
        and ("%" not in url or not _BAD_PERCENT.search(url))
        and url.count("#") < 2
    ):
        return url  # the common case: nothing to do
    try:
        parts = urlsplit(url)
        return urlunsplit(
            SplitResult(
                parts.scheme,
                _netloc(parts.netloc),
                _quote(parts.path, "path"),
                _quote(parts.query, "query"),
                _quote(parts.fragment, "query"),
            )
        )
    except (ValueError, UnicodeError):
        return None


def web_url(url: str) -> tuple[str, str]:
    """An absolute http(s) URL, RFC 3986-valid: (url, "") or ("", why it cannot be one).

    Browsers ignore tabs and newlines in URLs; a scheme-relative ``//host/…`` gets https.
    """
    url = url.strip()
    if canonical_web(url):
        return url, ""
    return _web_url(url)


def canonical_web(url: str) -> bool:
    """Whether ``url`` (stripped) is an http(s) URL that every rule here gives back unchanged:
    ``web_url`` and ``encode`` would return it as it is (one match instead of the rules)."""
    return _CANONICAL_WEB.fullmatch(url) is not None and (
        "%" not in url or _BAD_PERCENT.search(url) is None
    )


# WHATWG URL §3.3 host parsing: a host whose last label is a number is an IPv4 address.
_ENDS_IN_NUMBER = re.compile(r"(?:\A|\.)(?:[0-9]+|0[xX][0-9A-Fa-f]*)\.?\Z")
_IPV4_DIGITS = {
    10: re.compile(r"[0-9]+"),
    16: re.compile(r"[0-9A-Fa-f]+"),
    8: re.compile(r"[0-7]+"),
}


def numeric_host_ok(host: str) -> bool:
    """False for an (ASCII, lower-case or not) host that a browser's URL parser takes for an
    IPv4 address and rejects ("e.4", "1.2.3.256", "09.1", "1.2.3.4.5"): no URL to a browser,
    and one that nh3 drops (fuzz Z). True for every other host.

    WHATWG URL, "ends in a number checker" and "IPv4 parser": up to four parts, each decimal,
    0x-hex or 0-octal; all but the last at most 255, the last below 256 ** (5 - parts)."""
    if _ENDS_IN_NUMBER.search(host) is None:
        return True
    parts = host.split(".")
    if parts[-1] == "":
        parts.pop()
    if len(parts) > 4:
        return False
    numbers = [_ipv4_number(part) for part in parts]
    if any(n is None for n in numbers):
        return False
    last = numbers.pop()
    return all(n is not None and n <= 255 for n in numbers) and (
        last is not None and last < 256 ** (4 - len(numbers))
    )


def _ipv4_number(part: str) -> int | None:
    """WHATWG URL "IPv4 number parser": None for failure."""
    if not part:
        return None
    radix = 10
    if part[:2] in ("0x", "0X"):
        part, radix = part[2:], 16
    elif len(part) > 1 and part[0] == "0":
        part, radix = part[1:], 8
    if not part:
        return 0
    if _IPV4_DIGITS[radix].fullmatch(part) is None:
        return None
    return int(part, radix)


def _web_url(url: str) -> tuple[str, str]:
    """``web_url`` of a stripped URL, every rule applied."""
    if not url:
        return "", "empty"
    if "\t" in url or "\n" in url or "\r" in url:
        url = _WHITESPACE.sub("", url)
    if url.startswith("//"):
        url = "https:" + url
    scheme, colon, _ = url.partition(":")
    if not colon or not _SCHEME.fullmatch(scheme):
        return "", "not an absolute URL"
    if scheme.lower() not in _WEB_SCHEMES:
        return "", f"scheme {scheme.lower()!r} is not allowed (http and https only)"
    encoded = encode(scheme.lower() + url[len(scheme) :])
    if encoded is None:
        return "", "cannot be parsed"
    if _PLAIN_WEB.match(encoded):
        return encoded, ""  # the common case
    try:
        parts = urlsplit(encoded)
        parts.port  # noqa: B018  (raises ValueError for a port that is no number 0-65535)
    except ValueError:
        return "", "cannot be parsed (bad port)"
    if not parts.hostname:
        return "", "no host"
    return encoded, ""
