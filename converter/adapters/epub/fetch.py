"""Image bytes for e-books: a local uploads mirror, a persistent cache, then guarded HTTP.

Why this module exists: an EPUB may not point at the web (epub.md §0.4: remote images are
RSC-006/OPF-014), so every image has to be *inside* the book. Image URLs come from article
bodies that anyone in the newsroom may have pasted into, so fetching them is treated like
fetching on behalf of a stranger (SSRF):

* only ``http``/``https``; no credentials in URLs; an optional host allow-list;
* every connection is checked **after** DNS resolution, on **every** redirect hop (redirects
  are followed here, not by httpx), and the socket connects to the very address that was
  checked, so a second lookup cannot answer differently (DNS rebinding);
* private, loopback, link-local, CGNAT, multicast, reserved and unspecified addresses are
  refused unless ``allow_private_hosts``; cloud metadata addresses are refused always; an IPv6
  address is judged by the IPv4 address it carries too (IPv4-mapped, NAT64, 6to4...), and
  IPv4 hosts spelled other than a.b.c.d (``http://2852039166/``) are not fetched;
* a total deadline per image (not only a per-read timeout), a byte cap per image and per run,
  a few retries on connection errors and 5xx;
* the bytes are checked with Pillow whatever the Content-Type claims (CDNs lie: epub.md §6),
  within Pillow's decompression-bomb limit, scaled down to ``max_side`` and re-encoded when the
  format is not one e-readers take (epub.md §2.2.9, §7).

Failures are values (URL → reason), never exceptions: one bad image must not sink a book.
"""

from __future__ import annotations

import functools
import hashlib
import io
import ipaddress
import json
import re
import socket
import threading
import time
import warnings
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import httpcore
import httpx
from PIL import Image, ImageOps, UnidentifiedImageError

from ...errors import OutputError
from ...options import FetchOptions
from ...output import Sync, write_atomic

__all__ = [
    "FetchReport",
    "Fetched",
    "ImageRejected",
    "cache_directory",
    "fetch_images",
    "mirror_path",
    "normalise",
    "refusal",
    "resolve",
]

ACCEPT = "image/jpeg,image/png,image/gif"  # no WebP/AVIF: Thumbor negotiates on Accept (§4.1)
USER_AGENT = "converter/0.1 (offline e-book export)"
UPLOADS = "/wp-content/uploads/"
REDIRECTS = frozenset({301, 302, 303, 307, 308})
RETRY_STATUSES = frozenset({500, 502, 503, 504})
# Formats we let Pillow open. Deliberately not "everything Pillow reads": EPS would run
# Ghostscript on untrusted bytes, and PDF/PSD/ICNS/etc. are not images an article embeds.
READABLE = ("JPEG", "PNG", "GIF", "WEBP", "BMP", "TIFF", "AVIF", "JPEG2000")
# Kept byte for byte when small enough and already in a form every e-reader takes.
KEPT: dict[str, tuple[str, str]] = {
    "JPEG": ("image/jpeg", ".jpg"),
    "PNG": ("image/png", ".png"),
    "GIF": ("image/gif", ".gif"),
}
JPEG_QUALITY = 85
# Cloud instance-metadata endpoints: never an image host, even with allow_private_hosts.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254")
)
_FALLBACK_MAX_PIXELS = 89_478_485  # Pillow's default, used if someone set the limit to None
_CACHE_VERSION = 1


@dataclass(frozen=True, slots=True)
class Fetched:
    """One image, ready to package: checked bytes and what they are (sniffed, not claimed)."""

    data: bytes
    media_type: str  # image/jpeg | image/png | image/gif
    width: int
    height: int

    @property
    def extension(self) -> str:
        return {"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif"}[self.media_type]


@dataclass(slots=True)
class FetchReport:
    """What a run got: images by URL, reasons by URL, and where the bytes came from."""

    images: dict[str, Fetched] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    mirrored: int = 0  # read from options.image_root
    cached: int = 0  # served from the on-disk cache (no request)
    downloaded: int = 0  # fetched over HTTP
    bytes_downloaded: int = 0


class ImageRejected(ValueError):
    """The bytes are not an image we accept (the message says why)."""


class _Failure(Exception):
    """Internal: a download failed for a reason worth reporting (never leaves this module)."""

    retry = False


class _Retryable(_Failure):
    retry = True


class _Refused(_Failure):
    """An address or URL the policy refuses; raised from inside the connection layer."""


# ---------------------------------------------------------------------------------------------
# Address policy


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (module-level so tests can stand in a resolver)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise _Failure(f"cannot resolve {host}: {exc}") from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def refusal(address: str, allow_private: bool) -> str | None:
    """Why we will not connect to ``address``, or None when it is fine.

    Public (globally routable) unicast addresses are fine. ``allow_private`` opens private,
    loopback, link-local, shared (CGNAT) and other non-global ranges for intranets and tests;
    multicast, unspecified, reserved and cloud-metadata addresses stay refused: no image lives
    there. An IPv6 address that carries an IPv4 address (IPv4-mapped, NAT64, 6to4...) is judged
    by the IPv4 address it stands for as well (see ``_V6_EMBEDDING``).
    """
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return f"not an IP address: {address!r}"
    verdict = _v6_verdict(ip) if isinstance(ip, ipaddress.IPv6Address) else _v4_verdict(ip)
    if verdict is None:
        return None
    kind, always = verdict
    if always:
        return f"{ip} is {kind}"
    if allow_private:
        return None
    return f"{ip} is {kind} (allow_private_hosts permits it)"


# A verdict: (what the address is, refused even with allow_private), or None for "public".
_Verdict = tuple[str, bool] | None
_METADATA = ("a cloud metadata address", True)


def _v4_verdict(ip: ipaddress.IPv4Address) -> _Verdict:
    if ip in METADATA_ADDRESSES:
        return _METADATA
    if ip.is_multicast or ip.is_unspecified:
        return "a multicast or unspecified address", True
    if ip.is_global:
        return None
    if ip.is_loopback:
        return "a loopback address", False
    if ip.is_reserved:
        return "a reserved address", True
    if ip.is_link_local:
        return "a link-local address", False
    return ("a private address" if ip.is_private else "a non-public address"), False


_MASK32 = 0xFFFF_FFFF


def _low32(n: int) -> tuple[int, ...]:
    return (n & _MASK32,)


def _sixtofour(n: int) -> tuple[int, ...]:
    return ((n >> 80) & _MASK32,)  # 2002:AABB:CCDD::/48, bits 16-47


def _teredo(n: int) -> tuple[int, ...]:
    return ((n >> 64) & _MASK32, ~n & _MASK32)  # the server, and the client (bits inverted)


def _rfc6052(n: int) -> tuple[int, ...]:
    """Where RFC 6052 §2.2 puts the IPv4 address under a /48, /56, /64 or /96 prefix (the
    local-use 64:ff9b:1::/48 may be split into any of them; bits 64-71 are always skipped)."""
    return (
        (((n >> 64) & 0xFFFF) << 16) | ((n >> 40) & 0xFFFF),  # /48
        (((n >> 64) & 0xFF) << 24) | ((n >> 32) & 0xFF_FFFF),  # /56
        (n >> 24) & _MASK32,  # /64
        n & _MASK32,  # /96
    )


_net = ipaddress.IPv6Network
# IPv6 forms that carry IPv4 addresses: (prefix, what it is, where the IPv4 is, judged).
# judged: the address is as public as the IPv4 inside (a dual-stack socket or a NAT64/6to4
# gateway takes it there). Not judged: not globally routable in itself, so private (open
# with allow_private) unless the IPv4 inside is a metadata address, which is refused always.
_V6_EMBEDDING = (
    (_net("::ffff:0:0/96"), "an IPv4-mapped address", _low32, True),
    (_net("64:ff9b::/96"), "a NAT64 address", _low32, True),
    (_net("2002::/16"), "a 6to4 address", _sixtofour, True),
    (_net("::ffff:0:0:0/96"), "an IPv4-translated address", _low32, False),
    (_net("::/96"), "an IPv4-compatible address", _low32, False),  # after :: and ::1
    (_net("64:ff9b:1::/48"), "a local-use NAT64 address", _rfc6052, False),
    (_net("2001::/32"), "a Teredo address", _teredo, False),  # before 2001::/23 below
)
# Not globally reachable (IANA IPv6 special-purpose registry), private with allow_private.
# Written out rather than taken from ipaddress, whose tables change between Python versions
# (3.11 calls fec0::1 and 3fff::1 global).
_V6_NOT_GLOBAL = (
    (_net("fe80::/10"), "a link-local address"),
    (_net("fc00::/7"), "a unique-local address"),
    (_net("fec0::/10"), "a site-local address"),
    (_net("2001:db8::/32"), "a documentation address"),
    (_net("3fff::/20"), "a documentation address"),
    (_net("2001::/23"), "an IETF protocol assignment"),  # benchmarking, ORCHID, ...
)
_V6_GLOBAL_UNICAST = _net("2000::/3")


def _v6_verdict(ip: ipaddress.IPv6Address) -> _Verdict:
    if ip in METADATA_ADDRESSES:
        return _METADATA
    if ip.is_multicast or ip.is_unspecified:
        return "a multicast or unspecified address", True
    if ip.is_loopback:
        return "a loopback address", False
    for network, kind, inner, judged in _V6_EMBEDDING:
        if ip in network:
            return _embedding_verdict(kind, inner(int(ip)), judged)
    for network, kind in _V6_NOT_GLOBAL:
        if ip in network:
            return kind, False
    if ip not in _V6_GLOBAL_UNICAST:
        return "a reserved address", True
    return None


def _embedding_verdict(kind: str, inner: tuple[int, ...], judged: bool) -> _Verdict:
    embedded = [ipaddress.IPv4Address(n) for n in inner]
    for v4 in embedded:
        if v4 in METADATA_ADDRESSES:
            return f"{kind} for {v4}, {_METADATA[0]}", True
    if not judged:
        where = f" for {embedded[0]}" if len(embedded) == 1 else ""
        return f"{kind}{where}, not globally routable", False
    (v4,) = embedded
    verdict = _v4_verdict(v4)
    return None if verdict is None else (f"{kind} for {v4}, {verdict[0]}", verdict[1])


def _checked_addresses(host: str, port: int, allow_private: bool) -> list[str]:
    """Resolve once and refuse the host if ANY of its addresses is refused.

    Refusing on any (not all) closes the trick of a name with one public and one internal
    address, where the connection could land on either.
    """
    addresses = resolve(host, port)
    if not addresses:
        raise _Failure(f"{host} has no address")
    for address in addresses:
        reason = refusal(address, allow_private)
        if reason:
            raise _Refused(f"refused {host}: {reason}")
    return addresses


def _url_refusal(url: str, options: FetchOptions) -> str | None:
    """Checks that need no network: scheme, credentials, host allow-list."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError on a bad port)
    except ValueError:
        return "not a valid URL"
    if parts.scheme.lower() not in ("http", "https"):
        return f"scheme {parts.scheme or '(none)'!r} is not fetched (only http and https)"
    if not parts.hostname:
        return "no host in URL"
    if parts.username is not None or parts.password is not None:
        return "credentials in URLs are not sent"
    if options.image_hosts and not _host_allowed(parts.hostname, options.image_hosts):
        return f"host {parts.hostname} is not in image_hosts"
    spelled = _ipv4_spelling(parts.hostname)
    if spelled is not None and str(spelled) != parts.hostname:
        return f"host {parts.hostname} is {spelled} in another spelling (only a.b.c.d is fetched)"
    return None


_INET_NUMBER = re.compile(r"0[xX][0-9a-fA-F]{0,8}|0[0-7]{1,11}|[1-9][0-9]{0,9}|0")


def _ipv4_spelling(host: str) -> ipaddress.IPv4Address | None:
    """The IPv4 address ``host`` spells as inet_aton and browsers read it, or None.

    Besides a.b.c.d they take one to four parts, each decimal, octal (leading 0) or hex (0x),
    the last filling the remaining bytes, and a trailing dot: ``2852039166``, ``0xA9FEA9FE``,
    ``0251.0376.0251.0376``, ``169.254.43518`` are all 169.254.169.254. URL parsers and
    resolvers disagree on these, so anything but the plain form is refused, never resolved.
    """
    parts = host[:-1].split(".") if host.endswith(".") else host.split(".")
    if not 1 <= len(parts) <= 4 or not all(_INET_NUMBER.fullmatch(p) for p in parts):
        return None
    numbers = [
        int(p[2:] or "0", 16) if p[:2] in ("0x", "0X") else int(p, 8 if p[0] == "0" else 10)
        for p in parts
    ]
    *head, last = numbers
    if any(n > 0xFF for n in head) or last >= 1 << (8 * (5 - len(numbers))):
        return None
    value = last
    for index, number in enumerate(head):
        value |= number << (8 * (3 - index))
    return ipaddress.IPv4Address(value)


def _host_allowed(host: str, allowed: Iterable[str]) -> bool:
    """Exact host names; an entry starting with a dot also admits its subdomains."""
    host = host.lower().rstrip(".")
    for entry in allowed:
        entry = entry.lower().rstrip(".")
        if host == entry.lstrip(".") or (entry.startswith(".") and host.endswith(entry)):
            return True
    return False


# ---------------------------------------------------------------------------------------------
# The guarded connection layer: httpx → our transport → httpcore pool → our network backend.
# httpx's own HTTPTransport does not take a network backend, so the transport is ours (public
# httpx/httpcore interfaces only).

_local = threading.local()  # .deadline: time.monotonic() value for the current download


def _clamp(timeout: float | None) -> float:
    """A socket timeout that never runs past the current download's total deadline."""
    deadline: float | None = getattr(_local, "deadline", None)
    if deadline is None:
        return timeout if timeout is not None else 30.0
    remaining = max(deadline - time.monotonic(), 0.001)  # 1 ms: the socket op times out itself
    return remaining if timeout is None else min(timeout, remaining)


class _DeadlineStream(httpcore.NetworkStream):
    """Every read, write and TLS handshake is bounded by the download's deadline.

    A server that drips one byte a second would satisfy any per-read timeout forever; clamping
    each socket operation to the time left makes the deadline a real total.
    """

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _clamp(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _clamp(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        # server_hostname is the URL's host name: certificates are checked against it even
        # though the socket was opened to the resolved (and checked) IP address.
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, _clamp(timeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _GuardedBackend(httpcore.NetworkBackend):
    """Resolve, check every address, then connect to a checked address (never re-resolve)."""

    def __init__(self, allow_private: bool) -> None:
        self._allow_private = allow_private
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = _checked_addresses(host, port, self._allow_private)
        last: Exception | None = None
        for address in addresses:
            try:
                stream = self._inner.connect_tcp(
                    address, port, _clamp(timeout), local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
                continue
            return _DeadlineStream(stream)
        assert last is not None
        raise last

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise _Refused("unix sockets are never used for images")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class _ResponseStream(httpx.SyncByteStream):
    def __init__(self, stream: Iterable[bytes]) -> None:
        self._stream = stream

    def __iter__(self) -> Iterator[bytes]:
        yield from self._stream

    def close(self) -> None:
        close = getattr(self._stream, "close", None)
        if close is not None:
            close()


class _GuardedTransport(httpx.BaseTransport):
    """An httpx transport over an httpcore pool that uses the guarded backend."""

    def __init__(self, allow_private: bool, connections: int) -> None:
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=connections,
            max_keepalive_connections=connections,
            keepalive_expiry=5.0,
            network_backend=_GuardedBackend(allow_private),
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        core = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,  # a SyncByteStream: an iterable of bytes
            extensions=request.extensions,
        )
        response = self._pool.handle_request(core)
        assert isinstance(response.stream, Iterable)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_ResponseStream(response.stream),
            extensions=response.extensions,
        )

    def close(self) -> None:
        self._pool.close()


# httpcore errors reach us unmapped (the transport is ours): the families worth naming.
_CONNECT_ERRORS = (httpcore.ConnectError, httpcore.ConnectTimeout, httpx.ConnectError)
_NETWORK_ERRORS = (
    httpcore.TimeoutException,
    httpcore.NetworkError,
    httpcore.ProtocolError,
    httpcore.UnsupportedProtocol,
    httpx.HTTPError,
    httpx.InvalidURL,
    OSError,
)


# ---------------------------------------------------------------------------------------------
# Downloading


class _Budget:
    """The per-run byte cap, shared by the download threads."""

    def __init__(self, limit: int) -> None:
        self._left = limit
        self._lock = threading.Lock()
        self.used = 0

    def take(self, n: int) -> bool:
        with self._lock:
            if n > self._left:
                self._left = 0
                return False
            self._left -= n
            self.used += n
            return True


def _download(client: httpx.Client, url: str, options: FetchOptions, budget: _Budget) -> bytes:
    """The body of ``url`` within the deadline, retrying connection errors and 5xx."""
    deadline = time.monotonic() + options.timeout
    _local.deadline = deadline
    try:
        attempt = 0
        while True:
            try:
                return _follow(client, url, options, budget, deadline)
            except _Failure as exc:
                failure: _Failure = exc
            except _CONNECT_ERRORS as exc:
                failure = _Retryable(f"cannot connect: {_describe(exc)}")
            except _NETWORK_ERRORS as exc:
                failure = _Failure(_network_reason(exc, deadline))
            attempt += 1
            pause = 0.2 * 2 ** (attempt - 1)
            if not failure.retry or attempt > options.retries:
                raise failure
            if time.monotonic() + pause >= deadline:
                raise _Failure(f"{failure} (no time left to retry within {options.timeout:g} s)")
            time.sleep(pause)
    finally:
        _local.deadline = None


def _describe(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


def _network_reason(exc: BaseException, deadline: float) -> str:
    if time.monotonic() >= deadline - 0.01 or isinstance(
        exc, httpcore.TimeoutException | httpx.TimeoutException
    ):
        return "deadline exceeded (timeout)"
    return f"network error: {_describe(exc)}"


def _follow(
    client: httpx.Client, url: str, options: FetchOptions, budget: _Budget, deadline: float
) -> bytes:
    """GET ``url``, following redirects ourselves so that every hop is checked again."""
    current = url
    for _hop in range(options.max_redirects + 1):
        reason = _url_refusal(current, options)
        if reason:
            raise _Refused(f"refused {current}: {reason}" if current != url else reason)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise _Failure("deadline exceeded (timeout)")
        with client.stream("GET", current, timeout=httpx.Timeout(remaining)) as response:
            status = response.status_code
            if status in REDIRECTS:
                location = response.headers.get("location")
                if not location:
                    raise _Failure(f"HTTP {status} without a Location header")
                current = urljoin(current, location.strip())
                continue
            if status in RETRY_STATUSES:
                raise _Retryable(f"HTTP {status}")
            if status != 200:
                raise _Failure(f"HTTP {status}")
            return _read_body(response, options, budget, deadline)
    raise _Failure(f"too many redirects (more than {options.max_redirects})")


def _read_body(
    response: httpx.Response, options: FetchOptions, budget: _Budget, deadline: float
) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > options.max_bytes:
        raise _Failure(f"too large: {declared} bytes declared (max_bytes {options.max_bytes})")
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > options.max_bytes:
            raise _Failure(f"too large: more than max_bytes ({options.max_bytes}) bytes")
        if not budget.take(len(chunk)):
            raise _Failure(f"run byte cap reached (max_total_bytes {options.max_total_bytes})")
        if time.monotonic() > deadline:
            raise _Failure("deadline exceeded (timeout)")
        chunks.append(chunk)
    return b"".join(chunks)


# ---------------------------------------------------------------------------------------------
# Content check


def normalise(data: bytes, max_side: int) -> Fetched:
    """Check that ``data`` is an image and make it packageable; raise ImageRejected if not.

    JPEG (RGB or grey, upright), PNG and GIF within ``max_side`` are kept byte for byte; the
    rest is decoded and re-encoded: other formats (WebP, TIFF, …) and CMYK JPEGs to RGB JPEG,
    rotated JPEGs upright, oversized images scaled down (PNG/GIF to PNG, to keep transparency).
    Must run in one thread at a time: the bomb warning is made an error with catch_warnings,
    which is process-wide state.
    """
    limit = Image.MAX_IMAGE_PIXELS or _FALLBACK_MAX_PIXELS
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=_readable_formats())
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
            raise ImageRejected(f"decompression bomb refused: {exc}") from None
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as exc:
            raise ImageRejected(f"not an image ({type(exc).__name__})") from None
        with image:
            width, height = image.size
            if width <= 0 or height <= 0:
                raise ImageRejected("image has no pixels")
            if width * height > limit:
                raise ImageRejected(
                    f"decompression bomb refused: {width}x{height} exceeds {limit} pixels"
                )
            try:
                image.load()
            except Exception as exc:  # any decoder failure means "not a usable image"
                raise ImageRejected(f"unreadable image data ({type(exc).__name__})") from None
            return _packageable(data, image, max_side)


def _readable_formats() -> list[str]:
    Image.init()
    return [f for f in READABLE if f in Image.OPEN]


def _packageable(data: bytes, image: Image.Image, max_side: int) -> Fetched:
    fmt = image.format or ""
    width, height = image.size
    too_big = max(width, height) > max_side
    rotated = fmt == "JPEG" and image.getexif().get(0x0112, 1) not in (0, 1)
    plain_jpeg = fmt != "JPEG" or image.mode in ("RGB", "L")
    if fmt in KEPT and not too_big and not rotated and plain_jpeg:
        return Fetched(data, KEPT[fmt][0], width, height)
    frame = ImageOps.exif_transpose(image) if rotated else image.copy()
    if too_big:
        frame.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if fmt in ("PNG", "GIF"):
        if frame.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
            frame = frame.convert("RGBA")
        frame.save(out, "PNG", optimize=True)
        media_type = "image/png"
    else:
        frame = _flatten(frame)
        frame.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
        media_type = "image/jpeg"
    return Fetched(out.getvalue(), media_type, frame.width, frame.height)


def _flatten(image: Image.Image) -> Image.Image:
    """RGB for JPEG: transparency composited on white (JPEG has no alpha), CMYK converted."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image if image.mode == "RGB" else image.convert("RGB")


# ---------------------------------------------------------------------------------------------
# Local mirror and cache


def mirror_path(url: str, root: Path) -> Path | None:
    """The mirror file for an uploads URL, or None when the URL is not an uploads URL.

    ``…/wp-content/uploads/<p>`` (also inside Thumbor transform URLs, source-format.md §4.1)
    maps to ``root/<p>``. Raises ValueError when ``<p>`` would leave ``root`` (``..``,
    absolute parts, symlinks pointing out): the path is resolved and checked, not pattern-matched.
    """
    path = unquote(urlsplit(url).path)
    index = path.find(UPLOADS)
    if index < 0:
        return None
    relative = path[index + len(UPLOADS) :]
    if not relative or "\x00" in relative or "\\" in relative:
        raise ValueError("not a usable uploads path")
    base = _resolved(root)
    candidate = (base / relative).resolve()
    if not candidate.is_relative_to(base) or candidate == base:
        raise ValueError("path escapes the image root")
    return candidate


@functools.lru_cache(maxsize=16)
def _resolved(root: Path) -> Path:
    """The image root resolved, once a run (a book asks for every picture of every article:
    resolving it each time was 5 lstat calls an image in export's main process)."""
    return root.resolve()


def cache_directory(options: FetchOptions) -> Path:
    """``options.cache_dir``, else ``<user cache dir>/converter/images`` (platformdirs)."""
    if options.cache_dir is not None:
        return options.cache_dir
    import platformdirs  # only needed when the default is used

    return Path(platformdirs.user_cache_dir("converter")) / "images"


def _cache_files(directory: Path, url: str) -> tuple[Path, Path]:
    key = hashlib.sha256(url.encode("utf-8")).hexdigest()
    folder = directory / key[:2]
    return folder / f"{key}.img", folder / f"{key}.json"


def _cache_get(directory: Path, url: str, max_side: int) -> Fetched | None:
    """A cached image, or None (missing, for another URL or max_side, or damaged)."""
    data_file, meta_file = _cache_files(directory, url)
    try:
        meta = json.loads(meta_file.read_text("utf-8"))
        if (
            meta.get("version") != _CACHE_VERSION
            or meta.get("url") != url
            or meta.get("max_side") != max_side
            or meta.get("media_type") not in ("image/jpeg", "image/png", "image/gif")
        ):
            return None
        data = data_file.read_bytes()
        if len(data) != meta.get("size") or hashlib.sha256(data).hexdigest() != meta.get("sha256"):
            return None
        return Fetched(data, meta["media_type"], int(meta["width"]), int(meta["height"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _cache_put(directory: Path, url: str, max_side: int, image: Fetched) -> None:
    """Store atomically (temp file + rename); a cache that cannot be written is not an error."""
    data_file, meta_file = _cache_files(directory, url)
    meta = {
        "version": _CACHE_VERSION,
        "url": url,
        "max_side": max_side,
        "media_type": image.media_type,
        "width": image.width,
        "height": image.height,
        "size": len(image.data),
        "sha256": hashlib.sha256(image.data).hexdigest(),
    }
    # The outputs' writer (temp file + rename): readers of a shared cache never see half an
    # entry. No fsync (a Sync of its own, never flushed): a cache entry lost to a crash is
    # fetched again.
    no_fsync = Sync()
    try:
        write_atomic(data_file.parent, data_file.name, image.data, sync=no_fsync)
        meta_bytes = json.dumps(meta, sort_keys=True).encode("utf-8")
        write_atomic(meta_file.parent, meta_file.name, meta_bytes, sync=no_fsync)
    except (OSError, OutputError):
        pass


def _read_mirror(path: Path, options: FetchOptions) -> bytes:
    try:
        size = path.stat().st_size
        if size > options.max_bytes:
            raise _Failure(f"too large: {size} bytes (max_bytes {options.max_bytes})")
        return path.read_bytes()
    except FileNotFoundError:
        raise _Failure(f"not in the image mirror ({path})") from None
    except OSError as exc:
        raise _Failure(f"cannot read {path}: {exc.strerror or exc}") from None


# ---------------------------------------------------------------------------------------------
# The entry point


def fetch_images(urls: Iterable[str], options: FetchOptions) -> FetchReport:
    """Images for ``urls`` (duplicates fetched once): each URL in ``images`` or ``failures``.

    Order of sources: the local mirror (``image_root``) for uploads URLs; then the on-disk
    cache; then HTTP (unless ``offline``), several downloads at once. A file missing from the
    mirror falls through to the cache and HTTP, so a partial mirror still works; with
    ``offline`` it is a failure instead. Never raises for a bad URL, host or image.
    """
    report = FetchReport()
    pending: list[str] = []
    cache = cache_directory(options)
    wanted = list(dict.fromkeys(urls))  # once each, in order (urls may be a generator)
    for url in wanted:
        try:
            if _from_mirror(url, options, report):
                continue
            cached = _cache_get(cache, url, options.max_side)
            if cached is not None:
                report.images[url] = cached
                report.cached += 1
                continue
            reason = _url_refusal(url, options)
            if reason:
                report.failures[url] = reason
            elif options.offline:
                report.failures[url] = "offline: not in the image mirror or the cache"
            else:
                pending.append(url)
        except Exception as exc:  # a bug must not sink the book: report it for this URL
            report.failures[url] = f"internal error: {type(exc).__name__}: {exc}"
    if pending:
        _download_all(pending, options, report, cache)
        # Downloads finish in any order; report in the order asked (same input, same report).
        report.images = {u: report.images[u] for u in wanted if u in report.images}
        report.failures = {u: report.failures[u] for u in wanted if u in report.failures}
    return report


def _from_mirror(url: str, options: FetchOptions, report: FetchReport) -> bool:
    """Handle ``url`` from the mirror when it maps there; False when it does not map."""
    if options.image_root is None:
        return False
    try:
        path = mirror_path(url, options.image_root)
    except ValueError as exc:
        report.failures[url] = f"refused mirror path: {exc}"
        return True
    if path is None:
        return False
    if not path.is_file() and not options.offline:
        return False  # a partial mirror: let the cache or HTTP have it
    try:
        report.images[url] = normalise(_read_mirror(path, options), options.max_side)
        report.mirrored += 1
    except (_Failure, ImageRejected) as exc:
        report.failures[url] = str(exc)
    return True


def _download_all(urls: list[str], options: FetchOptions, report: FetchReport, cache: Path) -> None:
    budget = _Budget(options.max_total_bytes)
    workers = max(1, min(options.concurrency, len(urls)))
    transport = _GuardedTransport(options.allow_private_hosts, connections=workers * 2)
    headers = {"Accept": ACCEPT, "Accept-Encoding": "identity", "User-Agent": USER_AGENT}
    with (
        httpx.Client(
            transport=transport, headers=headers, follow_redirects=False, trust_env=False
        ) as client,
        ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fetch") as pool,
    ):
        futures = {pool.submit(_download, client, url, options, budget): url for url in urls}
        # Decoding happens here, in this one thread (see normalise): downloads overlap with it.
        for future in as_completed(futures):
            url = futures[future]
            try:
                data = future.result()
                report.downloaded += 1
                image = normalise(data, options.max_side)
            except (_Failure, ImageRejected) as exc:
                report.failures[url] = str(exc)
                continue
            except Exception as exc:  # a bug must not sink the book: report it for this URL
                report.failures[url] = f"internal error: {type(exc).__name__}: {exc}"
                continue
            report.images[url] = image
            _cache_put(cache, url, options.max_side, image)
    report.bytes_downloaded = budget.used
