"""converter/adapters/epub/fetch.py against a real HTTP server on 127.0.0.1 (loopback only).

The server runs in a background thread (ThreadingHTTPServer, random port) and counts the
requests per path, so "served from the cache" means "the server saw nothing".
"""

from __future__ import annotations

import io
import signal
import socket
import struct
import threading
import time
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PIL import Image

from converter.adapters.epub import fetch
from converter.options import FetchOptions


def _image(fmt: str, size: tuple[int, int] = (64, 48), mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (200, 40, 40) if mode == "RGB" else 128).save(out, fmt)
    return out.getvalue()


def _png_claiming(width: int, height: int) -> bytes:
    """A tiny valid PNG whose header declares ``width`` x ``height`` (a decompression bomb)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0"))
        + chunk(b"IEND", b"")
    )


JPEG = _image("JPEG")
PNG = _image("PNG")
WEBP = _image("WEBP")
BIG_JPEG = _image("JPEG", (3000, 1000))
HTML = b"<!doctype html><title>not an image</title><p>hello</p>"
SLOW_SECONDS = 3.0


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, host: str, handler: type[BaseHTTPRequestHandler]) -> None:
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        super().__init__((host, 0), handler)

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients hanging up early is what several tests are about


class Server:
    def __init__(self, host: str = "127.0.0.1") -> None:
        self.hits: Counter[str] = Counter()
        self.oversized_sent = 0
        self.lock = threading.Lock()
        self.flaky_failures = 2
        handler = self._handler()
        self.httpd = _QuietServer(host, handler)  # loopback only: 127.0.0.1 or ::1
        self.port = self.httpd.server_address[1]
        self.base = f"http://{f'[{host}]' if ':' in host else host}:{self.port}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def url(self, path: str) -> str:
        return self.base + path

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # keep pytest output clean
                pass

            def send(
                self, status: int, body: bytes, ctype: str = "image/jpeg", **headers: str
            ) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers.items():
                    self.send_header(name.replace("_", "-"), value)
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                with server.lock:
                    server.hits[path] += 1
                    server.hits["*"] += 1
                    server.last_accept = self.headers.get("Accept", "")
                routes = {
                    "/a.jpg": lambda: self.send(200, JPEG),
                    "/b.png": lambda: self.send(200, PNG, "image/png"),
                    "/c.webp": lambda: self.send(200, WEBP, "image/webp"),
                    "/big.jpg": lambda: self.send(200, BIG_JPEG),
                    "/missing.jpg": lambda: self.send(404, b"not found", "text/plain"),
                    "/page.jpg": lambda: self.send(200, HTML, "image/jpeg"),
                    "/bomb.png": lambda: self.send(
                        200, _png_claiming(100_000, 100_000), "image/png"
                    ),
                    "/warn.png": lambda: self.send(200, _image("PNG", (40, 40)), "image/png"),
                    "/redirect": lambda: self.send(302, b"", "text/plain", Location="/a.jpg"),
                    "/loop": lambda: self.send(302, b"", "text/plain", Location="/loop"),
                    "/to-private": lambda: self.send(
                        302, b"", "text/plain", Location=f"http://127.0.0.2:{server.port}/a.jpg"
                    ),
                    "/to-metadata": lambda: self.send(
                        302, b"", "text/plain", Location="http://169.254.169.254/latest/meta-data/"
                    ),
                    "/slow.jpg": self.slow,
                    "/declared-huge.jpg": lambda: self.send_headers_only(200, 10**9),
                    "/declared-odd.jpg": lambda: self.send_headers_only(200, "\u00b2"),
                    "/endless.jpg": self.endless,
                    "/drip.jpg": self.drip,
                    "/flaky.jpg": self.flaky,
                    "/always-500.jpg": lambda: self.send(500, b"oops", "text/plain"),
                }
                if path.startswith("/pause/"):
                    time.sleep(0.5)
                    return self.send(200, JPEG)
                routes.get(path, lambda: self.send(404, b"", "text/plain"))()

            def send_headers_only(self, status: int, length: int | str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "image/jpeg")
                self.send_header("Content-Length", str(length))
                self.end_headers()
                self.wfile.write(b"\xff\xd8" + b"\0" * 1000)  # then hang up

            def slow(self) -> None:
                time.sleep(SLOW_SECONDS)
                self.send(200, JPEG)

            def drip(self) -> None:
                """One byte every 0.2 s: every single read is quick, the whole is not."""
                self.send_response(200)
                self.send_header("Content-Type", "image/jpeg")
                self.send_header("Content-Length", str(len(JPEG)))
                self.end_headers()
                try:
                    for byte in JPEG:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(0.2)
                except OSError:
                    pass

            def endless(self) -> None:
                """Chunked, no Content-Length: only counting bytes can stop it."""
                self.send_response(200)
                self.send_header("Content-Type", "image/jpeg")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                block = b"\xff" * 65536
                try:
                    for _ in range(2000):  # 128 MB if nobody stops reading
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(block), block))
                        server.oversized_sent += len(block)
                    self.wfile.write(b"0\r\n\r\n")
                except OSError:
                    pass  # the client hung up: what we want

            def flaky(self) -> None:
                with server.lock:
                    fail = server.flaky_failures > 0
                    server.flaky_failures -= 1
                if fail:
                    self.send(503, b"busy", "text/plain")
                else:
                    self.send(200, JPEG)

        return Handler


TEST_TIME_LIMIT = 20  # seconds; the slowest test needs ~1.5


@pytest.fixture(autouse=True)
def bounded_time() -> Iterator[None]:
    """Fail (not hang) any test that runs past TEST_TIME_LIMIT: a fetch must never block."""

    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"test ran longer than {TEST_TIME_LIMIT} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, TEST_TIME_LIMIT)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def server() -> Iterator[Server]:
    srv = Server()
    srv.thread.start()
    try:
        yield srv
    finally:
        srv.httpd.shutdown()
        srv.httpd.server_close()


@pytest.fixture
def options(tmp_path: Path) -> FetchOptions:
    return FetchOptions(
        cache_dir=tmp_path / "cache",
        allow_private_hosts=True,
        timeout=1.5,
        retries=2,
        max_side=1600,
    )


def one(url: str, options: FetchOptions) -> fetch.Fetched | str:
    report = fetch.fetch_images([url], options)
    assert set(report.images) | set(report.failures) == {url}
    return report.images.get(url) or report.failures[url]


# --- success -----------------------------------------------------------------------------------


def test_jpeg_is_kept_byte_for_byte_and_accept_header_sent(
    server: Server, options: FetchOptions
) -> None:
    got = one(server.url("/a.jpg"), options)
    assert isinstance(got, fetch.Fetched)
    assert (got.data, got.media_type, got.width, got.height) == (JPEG, "image/jpeg", 64, 48)
    assert server.last_accept == "image/jpeg,image/png,image/gif"


def test_png_is_kept(server: Server, options: FetchOptions) -> None:
    got = one(server.url("/b.png"), options)
    assert isinstance(got, fetch.Fetched) and got.media_type == "image/png" and got.data == PNG


def test_webp_is_reencoded_to_jpeg(server: Server, options: FetchOptions) -> None:
    got = one(server.url("/c.webp"), options)
    assert isinstance(got, fetch.Fetched) and got.media_type == "image/jpeg"
    with Image.open(io.BytesIO(got.data)) as image:
        assert (image.format, image.mode, image.size) == ("JPEG", "RGB", (64, 48))


def test_large_image_is_scaled_to_max_side(server: Server, options: FetchOptions) -> None:
    got = one(server.url("/big.jpg"), replace(options, max_side=600))
    assert isinstance(got, fetch.Fetched) and (got.width, got.height) == (600, 200)


def test_redirect_is_followed(server: Server, options: FetchOptions) -> None:
    got = one(server.url("/redirect"), options)
    assert isinstance(got, fetch.Fetched) and got.data == JPEG
    assert server.hits["/redirect"] == 1 and server.hits["/a.jpg"] == 1


def test_second_run_is_served_from_the_cache_without_a_request(
    server: Server, options: FetchOptions
) -> None:
    urls = [server.url("/a.jpg"), server.url("/c.webp")]
    first = fetch.fetch_images(urls, options)
    assert first.downloaded == 2 and not first.failures
    seen = server.hits["*"]
    second = fetch.fetch_images(urls, options)
    assert server.hits["*"] == seen, "the second run made a request"
    assert second.cached == 2 and second.downloaded == 0
    assert second.images == first.images


def test_retries_after_5xx(server: Server, options: FetchOptions) -> None:
    got = one(server.url("/flaky.jpg"), options)
    assert isinstance(got, fetch.Fetched)
    assert server.hits["/flaky.jpg"] == 3  # two 503s, then the image


def test_retries_are_limited(server: Server, options: FetchOptions) -> None:
    got = one(server.url("/always-500.jpg"), replace(options, retries=1))
    assert got == "HTTP 500" and server.hits["/always-500.jpg"] == 2


def test_downloads_run_concurrently(server: Server, options: FetchOptions) -> None:
    urls = [server.url(f"/pause/{i}.jpg") for i in range(6)]
    started = time.monotonic()
    report = fetch.fetch_images(urls, replace(options, concurrency=6, timeout=5))
    elapsed = time.monotonic() - started
    assert len(report.images) == 6
    assert elapsed < 2.0, f"6 × 0.5 s downloads took {elapsed:.1f} s: not concurrent"


def test_report_keeps_the_order_asked_even_from_a_generator(
    server: Server, options: FetchOptions
) -> None:
    urls = [server.url(f"/pause/{i}.jpg") for i in range(4)] + [server.url("/missing.jpg")]
    report = fetch.fetch_images((u for u in [*urls, urls[0]]), replace(options, concurrency=4))
    assert list(report.images) == urls[:4] and list(report.failures) == urls[4:]
    assert server.hits[urlsplit_path(urls[0])] == 1  # duplicates are fetched once


def urlsplit_path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


# --- failures are values -----------------------------------------------------------------------


def test_404(server: Server, options: FetchOptions) -> None:
    assert one(server.url("/missing.jpg"), options) == "HTTP 404"


def test_slow_response_hits_the_total_deadline(server: Server, options: FetchOptions) -> None:
    started = time.monotonic()
    got = one(server.url("/slow.jpg"), replace(options, timeout=1.0))
    elapsed = time.monotonic() - started
    assert isinstance(got, str) and "deadline" in got
    assert 0.9 <= elapsed < 1.8, f"took {elapsed:.2f} s for a 1 s deadline"


def test_dripping_response_hits_the_total_deadline(server: Server, options: FetchOptions) -> None:
    """A per-read timeout alone would wait for ever; the deadline is a total."""
    started = time.monotonic()
    got = one(server.url("/drip.jpg"), replace(options, timeout=1.0))
    elapsed = time.monotonic() - started
    assert isinstance(got, str) and "deadline" in got
    assert elapsed < 1.6, f"took {elapsed:.2f} s for a 1 s deadline"


def test_html_served_as_jpeg_is_rejected(server: Server, options: FetchOptions) -> None:
    got = one(server.url("/page.jpg"), options)
    assert isinstance(got, str) and got.startswith("not an image")


def test_declared_oversized_body_is_rejected_before_reading(
    server: Server, options: FetchOptions
) -> None:
    got = one(server.url("/declared-huge.jpg"), replace(options, max_bytes=100_000))
    assert isinstance(got, str) and "too large" in got and "declared" in got


def test_odd_declared_length_is_a_failure_not_a_crash(
    server: Server, options: FetchOptions
) -> None:
    """A Content-Length of "²" (latin-1 on the wire): str.isdigit() is true of it, int() is
    not. h11 refuses the response before _read_body sees it (which checks isascii() too, in
    case another transport does not); either way the fetch fails with a message."""
    got = one(server.url("/declared-odd.jpg"), options)
    assert isinstance(got, str) and got


def test_endless_body_is_cut_at_max_bytes(server: Server, options: FetchOptions) -> None:
    started = time.monotonic()
    got = one(server.url("/endless.jpg"), replace(options, max_bytes=200_000, timeout=10))
    assert isinstance(got, str) and "too large" in got
    assert time.monotonic() - started < 5
    # The server could only push what fits in socket buffers beyond our cap, not the 128 MB.
    assert server.oversized_sent < 32 * 1024 * 1024


def test_run_byte_cap(server: Server, options: FetchOptions) -> None:
    report = fetch.fetch_images(
        [server.url("/a.jpg"), server.url("/big.jpg")],
        replace(options, max_total_bytes=len(JPEG) + 10, concurrency=1),
    )
    assert server.url("/a.jpg") in report.images
    assert "run byte cap" in report.failures[server.url("/big.jpg")]


def test_redirect_loop_is_capped(server: Server, options: FetchOptions) -> None:
    got = one(server.url("/loop"), replace(options, max_redirects=3))
    assert got == "too many redirects (more than 3)"
    assert server.hits["/loop"] == 4


def test_decompression_bomb_is_refused(server: Server, options: FetchOptions) -> None:
    got = one(server.url("/bomb.png"), options)
    assert isinstance(got, str) and "decompression bomb" in got


def test_decompression_bomb_warning_is_an_error(
    server: Server, options: FetchOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 1600 pixels against a limit of 1000: Pillow only *warns* below twice the limit.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    got = one(server.url("/warn.png"), options)
    assert isinstance(got, str) and "decompression bomb" in got


def test_failures_are_not_cached(server: Server, options: FetchOptions) -> None:
    one(server.url("/missing.jpg"), options)
    one(server.url("/missing.jpg"), options)
    assert server.hits["/missing.jpg"] == 2


# --- address policy ----------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]"])
def test_loopback_refused_without_the_flag(
    server: Server, options: FetchOptions, host: str
) -> None:
    got = one(f"http://{host}:{server.port}/a.jpg", replace(options, allow_private_hosts=False))
    assert isinstance(got, str) and got.startswith("refused") and "loopback" in got
    assert server.hits["*"] == 0


def test_ipv4_mapped_loopback_is_judged_as_loopback(server: Server, options: FetchOptions) -> None:
    url = f"http://[::ffff:127.0.0.1]:{server.port}/a.jpg"
    got = one(url, replace(options, allow_private_hosts=False))
    assert isinstance(got, str) and got.startswith("refused ::ffff:127.0.0.1: ")
    assert "IPv4-mapped address for 127.0.0.1, a loopback address" in got
    assert server.hits["*"] == 0
    # Why it matters: with the flag, the same URL reaches the server listening on 127.0.0.1.
    assert isinstance(one(url, options), fetch.Fetched)
    assert server.hits["/a.jpg"] == 1


def test_ipv6_loopback_server(options: FetchOptions) -> None:
    """A real server on ::1: refused without the flag (never contacted), fetched with it."""
    srv = Server("::1")
    srv.thread.start()
    try:
        url = srv.url("/a.jpg")
        got = one(url, replace(options, allow_private_hosts=False))
        assert got == "refused ::1: ::1 is a loopback address (allow_private_hosts permits it)"
        assert srv.hits["*"] == 0
        assert isinstance(one(url, options), fetch.Fetched)
        assert srv.hits["/a.jpg"] == 1
    finally:
        srv.httpd.shutdown()
        srv.httpd.server_close()


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://127.0.0.1/a.jpg",
        "gopher://x/",
        "javascript:alert(1)",
        "data:image/png;base64,AAAA",
    ],
)
def test_other_schemes_refused(url: str, options: FetchOptions) -> None:
    got = one(url, options)
    assert isinstance(got, str) and "only http and https" in got


def test_credentials_and_host_allow_list(server: Server, options: FetchOptions) -> None:
    assert (
        one(f"http://user:pw@127.0.0.1:{server.port}/a.jpg", options)
        == "credentials in URLs are not sent"
    )
    only_cdn = replace(options, image_hosts=("cdn.example",))
    assert one(server.url("/a.jpg"), only_cdn) == "host 127.0.0.1 is not in image_hosts"
    assert isinstance(
        one(server.url("/a.jpg"), replace(options, image_hosts=("127.0.0.1",))), fetch.Fetched
    )
    assert server.hits["*"] == 1


# (address, expected, why): "public" is fetched; "private" is refused unless allow_private, with
# ``why`` in the reason; "never" is refused even with allow_private (``why`` in both reasons).
ADDRESSES = [
    # IPv4
    ("8.8.8.8", "public", ""),
    ("127.0.0.1", "private", "loopback"),
    ("10.1.2.3", "private", "private"),
    ("172.16.0.1", "private", "private"),
    ("192.168.1.1", "private", "private"),
    ("169.254.1.1", "private", "link-local"),
    ("100.64.0.1", "private", "non-public"),
    ("169.254.169.254", "never", "metadata"),
    ("100.100.100.200", "never", "metadata"),
    ("0.0.0.0", "never", "unspecified"),
    ("224.0.0.1", "never", "multicast"),
    ("240.0.0.1", "never", "reserved"),
    # plain IPv6
    ("2606:4700:4700::1111", "public", ""),
    ("::1", "private", "loopback"),
    ("fe80::1", "private", "link-local"),
    ("fe80::1%eth0", "private", "link-local"),
    ("fd00::1", "private", "unique-local"),
    ("fc00::1", "private", "unique-local"),
    ("fec0::1", "private", "site-local"),  # ipaddress (3.11) calls it global
    ("2001:db8::1", "private", "documentation"),
    ("3fff::1", "private", "documentation"),  # RFC 9637; ipaddress (3.11) calls it global
    ("2001:2::1", "private", "IETF protocol assignment"),  # benchmarking
    ("fd00:ec2::254", "never", "metadata"),
    ("::", "never", "unspecified"),
    ("ff02::1", "never", "multicast"),
    ("4000::1", "never", "reserved"),
    ("100::1", "never", "reserved"),  # discard-only
    # IPv4-mapped ::ffff:a.b.c.d: what a dual-stack socket connects to
    ("::ffff:8.8.8.8", "public", ""),
    ("::ffff:127.0.0.1", "private", "IPv4-mapped address for 127.0.0.1, a loopback"),
    ("::ffff:10.0.0.1", "private", "IPv4-mapped address for 10.0.0.1, a private"),
    ("::ffff:169.254.169.254", "never", "metadata"),
    ("::ffff:0.0.0.0", "never", "unspecified"),
    # NAT64 64:ff9b::/96: the IPv4 address in the low 32 bits
    ("64:ff9b::8.8.8.8", "public", ""),
    ("64:ff9b::10.0.0.1", "private", "NAT64 address for 10.0.0.1, a private"),
    ("64:ff9b::7f00:1", "private", "NAT64 address for 127.0.0.1, a loopback"),
    ("64:ff9b::a9fe:a9fe", "never", "NAT64 address for 169.254.169.254, a cloud metadata"),
    ("64:ff9b::224.0.0.1", "never", "multicast"),
    # local-use NAT64 64:ff9b:1::/48: never global; metadata found at every RFC 6052 position
    ("64:ff9b:1::8.8.8.8", "private", "local-use NAT64"),
    ("64:ff9b:1::10.0.0.1", "private", "local-use NAT64"),
    ("64:ff9b:1::169.254.169.254", "never", "metadata"),  # /96
    ("64:ff9b:1:0:a9:fea9:fe00:0", "never", "metadata"),  # /64
    ("64:ff9b:1:a9:fe:a9fe::", "never", "metadata"),  # /56
    ("64:ff9b:1:a9fe:a9:fe00::", "never", "metadata"),  # /48
    # IPv4-compatible ::a.b.c.d (deprecated): never global
    ("::8.8.8.8", "private", "IPv4-compatible address for 8.8.8.8"),
    ("::127.0.0.1", "private", "IPv4-compatible address for 127.0.0.1"),
    ("::169.254.169.254", "never", "metadata"),
    # IPv4-translated ::ffff:0:a.b.c.d (SIIT): never global
    ("::ffff:0:8.8.8.8", "private", "IPv4-translated address for 8.8.8.8"),
    ("::ffff:0:10.0.0.1", "private", "IPv4-translated address for 10.0.0.1"),
    ("::ffff:0:169.254.169.254", "never", "metadata"),
    # 6to4 2002::/16: the IPv4 address in bits 16-47
    ("2002:808:808::1", "public", ""),
    ("2002:7f00:0001::", "private", "6to4 address for 127.0.0.1, a loopback"),
    ("2002:a00:1::1", "private", "6to4 address for 10.0.0.1, a private"),
    ("2002:c0a8:101::1", "private", "6to4 address for 192.168.1.1, a private"),
    ("2002:a9fe:a9fe::1", "never", "6to4 address for 169.254.169.254, a cloud metadata"),
    # Teredo 2001::/32: server (bits 32-63) and client (low 32 bits inverted) are IPv4
    ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "private", "Teredo"),  # RFC 4380's example
    ("2001:0:a9fe:a9fe::1", "never", "Teredo address for 169.254.169.254"),  # as server
    ("2001:0:4136:e378:8000:63bf:5601:5601", "never", "Teredo address for 169.254.169.254"),
]


@pytest.mark.parametrize(("address", "expected", "why"), ADDRESSES, ids=[a[0] for a in ADDRESSES])
def test_address_policy(address: str, expected: str, why: str) -> None:
    without, with_flag = fetch.refusal(address, False), fetch.refusal(address, True)
    if expected == "public":
        assert without is None and with_flag is None
    elif expected == "private":
        assert without is not None and why in without and "allow_private_hosts" in without
        assert with_flag is None
    else:
        assert expected == "never"
        assert without is not None and why in without
        assert with_flag is not None and why in with_flag


def test_allow_private_opens_private_ranges_but_never_metadata_or_multicast() -> None:
    assert fetch.refusal("10.0.0.1", allow_private=True) is None
    assert fetch.refusal("127.0.0.1", allow_private=True) is None
    assert fetch.refusal("169.254.169.254", allow_private=True) is not None
    assert fetch.refusal("fd00:ec2::254", allow_private=True) is not None
    assert fetch.refusal("224.0.0.1", allow_private=True) is not None


@pytest.mark.parametrize(("address", "expected", "why"), ADDRESSES, ids=[a[0] for a in ADDRESSES])
def test_every_resolved_address_is_judged_alike(
    monkeypatch: pytest.MonkeyPatch, address: str, expected: str, why: str
) -> None:
    """What DNS answers goes through the same policy: alone, or after a public address."""
    for answer in ([address], ["8.8.8.8", address]):
        monkeypatch.setattr(fetch, "resolve", lambda host, port, a=answer: a)
        for allow in (False, True):
            reason = fetch.refusal(address, allow)
            if reason is None:
                assert fetch._checked_addresses("localhost", 80, allow) == answer
            else:
                with pytest.raises(fetch._Refused) as caught:
                    fetch._checked_addresses("localhost", 80, allow)
                assert str(caught.value) == f"refused localhost: {reason}"


# (host, the IPv4 address it spells or None): inet_aton's and the URL standard's readings.
SPELLINGS = [
    ("169.254.169.254", "169.254.169.254"),
    ("2852039166", "169.254.169.254"),
    ("0xA9FEA9FE", "169.254.169.254"),
    ("0xa9fea9fe", "169.254.169.254"),
    ("0251.0376.0251.0376", "169.254.169.254"),
    ("0xa9.0xfe.0xa9.0xfe", "169.254.169.254"),
    ("169.254.43518", "169.254.169.254"),
    ("169.16689662", "169.254.169.254"),
    ("169.254.169.254.", "169.254.169.254"),
    ("127.1", "127.0.0.1"),
    ("0x7f.1", "127.0.0.1"),
    ("017700000001", "127.0.0.1"),
    ("10.0.0.01", "10.0.0.1"),
    ("0", "0.0.0.0"),
    ("0x", "0.0.0.0"),
    ("4294967295", "255.255.255.255"),
    ("4294967296", None),
    ("256.1.1.1", None),
    ("1.2.3.256", None),
    ("1.2.65536", None),
    ("08.1.1.1", None),
    ("1..2", None),
    ("1.2.3.4.5", None),
    ("", None),
    ("example.com", None),
    ("1.2.3.example", None),
    ("cafe.0x1", None),
]


@pytest.mark.parametrize(("host", "expected"), SPELLINGS, ids=[h or "empty" for h, _ in SPELLINGS])
def test_ipv4_spellings(host: str, expected: str | None) -> None:
    got = fetch._ipv4_spelling(host)
    assert (None if got is None else str(got)) == expected


@pytest.mark.parametrize(
    "host", ["2852039166", "0xA9FEA9FE", "0251.0376.0251.0376", "169.254.43518", "169.254.169.254."]
)
def test_other_ipv4_spellings_are_refused_before_any_lookup(
    monkeypatch: pytest.MonkeyPatch, options: FetchOptions, host: str
) -> None:
    def no_lookup(host: str, port: int) -> list[str]:
        raise AssertionError(f"looked up {host}")

    monkeypatch.setattr(fetch, "resolve", no_lookup)
    got = one(f"http://{host}/latest/meta-data/", options)  # allow_private_hosts is on
    why = "is 169.254.169.254 in another spelling (only a.b.c.d is fetched)"
    assert got == f"host {host.lower()} {why}"


@pytest.fixture
def public_world(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pretend 127.0.0.1 is a public host named public.example; every other rule stays real.

    That is the only way to test a public → private redirect with no network beyond loopback.
    """
    real_resolve, real_refusal = fetch.resolve, fetch.refusal

    def fake_resolve(host: str, port: int) -> list[str]:
        return ["127.0.0.1"] if host == "public.example" else real_resolve(host, port)

    def fake_refusal(address: str, allow_private: bool) -> str | None:
        return None if address == "127.0.0.1" else real_refusal(address, allow_private)

    monkeypatch.setattr(fetch, "resolve", fake_resolve)
    monkeypatch.setattr(fetch, "refusal", fake_refusal)


@pytest.mark.usefixtures("public_world")
def test_public_host_works_in_the_pretend_world(server: Server, options: FetchOptions) -> None:
    got = one(
        f"http://public.example:{server.port}/redirect", replace(options, allow_private_hosts=False)
    )
    assert isinstance(got, fetch.Fetched)


@pytest.mark.usefixtures("public_world")
@pytest.mark.parametrize(
    ("path", "why"), [("/to-private", "loopback"), ("/to-metadata", "metadata")]
)
def test_redirect_to_a_private_address_is_refused(
    server: Server, options: FetchOptions, path: str, why: str
) -> None:
    got = one(
        f"http://public.example:{server.port}{path}", replace(options, allow_private_hosts=False)
    )
    assert isinstance(got, str) and got.startswith("refused") and why in got
    assert server.hits["*"] == 1  # the first hop only; the private target was never contacted


def test_name_with_any_private_address_is_refused(
    monkeypatch: pytest.MonkeyPatch, options: FetchOptions
) -> None:
    monkeypatch.setattr(fetch, "resolve", lambda host, port: ["93.184.215.14", "10.0.0.7"])
    got = one("http://mixed.example/a.jpg", replace(options, allow_private_hosts=False))
    assert isinstance(got, str) and "10.0.0.7" in got and "private" in got


def test_offline_makes_no_request(server: Server, options: FetchOptions) -> None:
    got = one(server.url("/a.jpg"), replace(options, offline=True))
    assert isinstance(got, str) and got.startswith("offline")
    assert server.hits["*"] == 0


# --- local mirror ------------------------------------------------------------------------------


@pytest.fixture
def mirror(tmp_path: Path) -> Path:
    root = tmp_path / "uploads"
    (root / "2025" / "01").mkdir(parents=True)
    (root / "2025" / "01" / "AI-china.jpg").write_bytes(JPEG)
    (root / "old file.jpg").write_bytes(PNG)
    (tmp_path / "secret.jpg").write_bytes(JPEG)
    return root


@pytest.mark.parametrize(
    ("url", "relative"),
    [
        (
            "https://www.dailymaverick.co.za/wp-content/uploads/2025/01/AI-china.jpg",
            "2025/01/AI-china.jpg",
        ),
        (
            "https://dmcdn.whitebeard.net/dailymaverick/wp-content/uploads/2025/01/AI-china.jpg",
            "2025/01/AI-china.jpg",
        ),
        (
            "https://dmcdn.whitebeard.net/i/pbF9sX5mxOIJQit2gfXQVW9dL18=/800x0/filters:strip_exif()/file/dailymaverick/wp-content/uploads/2025/01/AI-china.jpg",
            "2025/01/AI-china.jpg",
        ),
        ("https://cdn.dailymaverick.co.za/wp-content/uploads/old%20file.jpg", "old file.jpg"),
        ("https://example.com/images/x.jpg", None),
    ],
)
def test_mirror_path_mapping(mirror: Path, url: str, relative: str | None) -> None:
    expected = None if relative is None else (mirror / relative).resolve()
    assert fetch.mirror_path(url, mirror) == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://x.example/wp-content/uploads/../secret.jpg",
        "https://x.example/wp-content/uploads/%2e%2e/secret.jpg",
        "https://x.example/wp-content/uploads/2025/..%2F..%2F..%2Fsecret.jpg",
        "https://x.example/wp-content/uploads//etc/passwd",
        "https://x.example/wp-content/uploads/",
    ],
)
def test_mirror_traversal_refused(mirror: Path, url: str, options: FetchOptions) -> None:
    with pytest.raises(ValueError):
        fetch.mirror_path(url, mirror)
    got = one(url, replace(options, image_root=mirror, offline=True))
    assert isinstance(got, str) and got.startswith("refused mirror path")


def test_mirror_symlink_out_of_the_root_refused(mirror: Path, tmp_path: Path) -> None:
    (mirror / "link.jpg").symlink_to(tmp_path / "secret.jpg")
    with pytest.raises(ValueError):
        fetch.mirror_path("https://x.example/wp-content/uploads/link.jpg", mirror)


def test_mirror_is_read_without_network(mirror: Path, options: FetchOptions) -> None:
    opts = replace(options, image_root=mirror, offline=True, allow_private_hosts=False)
    url = "https://dmcdn.whitebeard.net/i/sig=/800x0/smart/filters:strip_exif()/file/dailymaverick/wp-content/uploads/2025/01/AI-china.jpg"
    report = fetch.fetch_images([url, url], opts)
    assert report.mirrored == 1 and report.images[url].data == JPEG
    missing = "https://www.dailymaverick.co.za/wp-content/uploads/2025/01/nope.jpg"
    assert (
        one(missing, opts) == f"not in the image mirror ({(mirror / '2025/01/nope.jpg').resolve()})"
    )


def test_mirror_file_is_content_checked(mirror: Path, options: FetchOptions) -> None:
    (mirror / "fake.jpg").write_bytes(HTML)
    got = one("https://x.example/wp-content/uploads/fake.jpg", replace(options, image_root=mirror))
    assert isinstance(got, str) and got.startswith("not an image")


# --- content check -----------------------------------------------------------------------------


def test_normalise_flattens_cmyk_and_transparency() -> None:
    cmyk = io.BytesIO()
    Image.new("CMYK", (10, 10)).save(cmyk, "JPEG")
    assert Image.open(io.BytesIO(fetch.normalise(cmyk.getvalue(), 100).data)).mode == "RGB"
    rgba = io.BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 0, 0)).save(rgba, "WEBP")
    got = fetch.normalise(rgba.getvalue(), 100)
    assert got.media_type == "image/jpeg"
    assert Image.open(io.BytesIO(got.data)).getpixel((5, 5)) == (255, 255, 255)


def test_normalise_rejects_eps_without_running_ghostscript() -> None:
    with pytest.raises(fetch.ImageRejected):
        fetch.normalise(b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n", 100)
