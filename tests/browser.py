"""Headless Chromium driven over the Chrome DevTools Protocol, for the page layout tests.

Why this way: ``chromium --headless --window-size=390,…`` gives a 500 px window (the browser's
minimum window width), so the viewport is set with ``Emulation.setDeviceMetricsOverride``
instead, which needs the protocol. The protocol runs over ``--remote-debugging-pipe`` (file
descriptors 3 and 4, JSON messages ending in NUL, as Playwright and Puppeteer use it): no port
is opened, not even on loopback, and no websocket client is needed.

Nothing leaves the machine: every request the page makes is paused (``Fetch``) and answered
here, images from the sample uploads mirror (``fetch.mirror_path``), everything else refused;
the host resolver maps every name to nothing as a second guard. Each request is recorded, so
a test can say what a page asked for.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from converter.adapters.epub.fetch import mirror_path

__all__ = ["Browser", "Request", "chromium"]

FLAGS = (
    "--headless",
    "--no-sandbox",  # the tests may run as root (CI containers)
    "--disable-gpu",
    "--hide-scrollbars",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-extensions",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--mute-audio",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--remote-debugging-pipe",
)
TRAMPOLINE = """
import os, sys
reads, writes = int(sys.argv[1]), int(sys.argv[2])
os.dup2(reads, 3)
os.dup2(writes, 4)
os.close(reads)
os.close(writes)
os.execv(sys.argv[3], sys.argv[3:])
"""
TIMEOUT = 60.0  # seconds for any one protocol answer


def chromium() -> str | None:
    """The Chromium (or Chrome) executable: $CONVERTER_CHROMIUM, else the usual names."""
    given = os.environ.get("CONVERTER_CHROMIUM")
    if given:
        return shutil.which(given)
    names = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
    return next((found for found in map(shutil.which, names) if found), None)


def _above_four(fd: int) -> int:
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 5)
    os.close(fd)
    return moved


@dataclass(frozen=True, slots=True)
class Request:
    url: str
    resource_type: str  # the protocol's ResourceType: Document, Image, Stylesheet, Font…


@dataclass
class Browser:
    """One Chromium and one tab. Use as a context manager."""

    executable: str
    image_root: Path | None = None  # answers image requests for uploads URLs from here
    requests: list[Request] = field(default_factory=list)
    _process: subprocess.Popen[bytes] | None = None
    _profile: tempfile.TemporaryDirectory[str] | None = None
    _to_browser: int = -1
    _from_browser: int = -1
    _buffer: bytes = b""
    _next_id: int = 0
    _session: str = ""
    _events: list[dict[str, Any]] = field(default_factory=list)
    _replies: dict[int, dict[str, Any]] = field(default_factory=dict)

    def __enter__(self) -> Browser:
        self._profile = tempfile.TemporaryDirectory(prefix="converter-chromium-")
        browser_reads, self._to_browser = os.pipe()
        self._from_browser, browser_writes = os.pipe()
        # Above 4, so that moving one onto 3 or 4 can never overwrite the other.
        browser_reads = _above_four(browser_reads)
        browser_writes = _above_four(browser_writes)
        # The browser expects the pipe on fds 3 (it reads) and 4 (it writes): a small Python
        # trampoline puts them there and execs it (no preexec_fn, which is unsafe with threads;
        # no shell, as dash cannot redirect file descriptors above 9).
        self._process = subprocess.Popen(
            [sys.executable, "-c", TRAMPOLINE, str(browser_reads), str(browser_writes),
             self.executable, *FLAGS, f"--user-data-dir={self._profile.name}", "about:blank"],
            pass_fds=(browser_reads, browser_writes),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        os.close(browser_reads)
        os.close(browser_writes)
        try:
            target = self.call("Target.createTarget", url="about:blank")["targetId"]
            attached = self.call("Target.attachToTarget", targetId=target, flatten=True)
            self._session = attached["sessionId"]
            self.call("Page.enable")
            self.call("Fetch.enable", patterns=[{"urlPattern": "*"}])
        except BaseException:
            self.__exit__()  # no browser or profile left behind when it cannot start
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self._process is not None and self._process.poll() is None:
                self.call("Browser.close", session=False)
                self._process.wait(timeout=20)
        except (OSError, TimeoutError, subprocess.TimeoutExpired):
            if self._process is not None:
                self._process.kill()
                self._process.wait()
        finally:
            os.close(self._to_browser)
            os.close(self._from_browser)
            if self._profile is not None:
                self._profile.cleanup()

    # -- protocol -------------------------------------------------------------------------

    def _send(self, method: str, session: bool = True, **params: Any) -> int:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session and self._session:
            message["sessionId"] = self._session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        return self._next_id

    def call(self, method: str, session: bool = True, **params: Any) -> dict[str, Any]:
        """Send one command and wait for its answer, serving paused requests meanwhile."""
        wanted = self._send(method, session, **params)
        deadline = time.monotonic() + TIMEOUT
        while wanted not in self._replies:
            self._pump(deadline)
        reply = self._replies.pop(wanted)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        result: dict[str, Any] = reply.get("result", {})
        return result

    def _pump(self, deadline: float) -> None:
        """Read one message: keep a reply, answer a paused request, or keep an event."""
        message = self._receive(deadline)
        if "id" in message:
            self._replies[message["id"]] = message
        elif message.get("method") == "Fetch.requestPaused":
            self._serve(message["params"])
        else:
            self._events.append(message)

    def _receive(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from_browser], [], [], left)[0]:
                raise TimeoutError("Chromium did not answer in time")
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                raise OSError("Chromium closed the debugging pipe")
            self._buffer += chunk
        raw, _, self._buffer = self._buffer.partition(b"\0")
        message: dict[str, Any] = json.loads(raw)
        return message

    def _serve(self, params: dict[str, Any]) -> None:
        """Answer a paused request: the page itself, a mirrored image, or a refusal.

        Sent without waiting for the answer (it may come after other messages)."""
        url, kind = params["request"]["url"], params.get("resourceType", "")
        self.requests.append(Request(url, kind))
        request_id = params["requestId"]
        path = self._mirrored(url)
        if url.startswith("file:"):
            self._send("Fetch.continueRequest", requestId=request_id)
        elif path is None:
            self._send("Fetch.failRequest", requestId=request_id, errorReason="BlockedByClient")
        else:
            self._send(
                "Fetch.fulfillRequest",
                requestId=request_id,
                responseCode=200,
                responseHeaders=[{"name": "Content-Type", "value": "image/jpeg"}],
                body=base64.b64encode(path.read_bytes()).decode("ascii"),
            )

    def _mirrored(self, url: str) -> Path | None:
        if self.image_root is None:
            return None
        try:
            path = mirror_path(url, self.image_root)
        except ValueError:
            return None
        return path if path is not None and path.is_file() else None

    # -- pages ----------------------------------------------------------------------------

    def open(self, path: Path, width: int, dark: bool = False, print_media: bool = False) -> None:
        """Load a local page in a viewport ``width`` CSS px wide, light or dark, screen or print."""
        self.call(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=900,
            deviceScaleFactor=1,
            mobile=False,  # no shrink-to-fit: content wider than the screen stays wider
        )
        self.call(
            "Emulation.setEmulatedMedia",
            media="print" if print_media else "screen",
            features=[{"name": "prefers-color-scheme", "value": "dark" if dark else "light"}],
        )
        self._events.clear()
        self.call("Page.navigate", url=path.resolve().as_uri())
        deadline = time.monotonic() + TIMEOUT
        while not any(e["method"] == "Page.loadEventFired" for e in self._events):
            self._pump(deadline)

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (run by the test, not the page)."""
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def screenshot(self, path: Path) -> None:
        """A PNG of the whole page (the viewport is stretched to the page's height)."""
        width = self.evaluate("document.documentElement.clientWidth")
        height = self.evaluate("Math.ceil(document.documentElement.scrollHeight)")
        self.call(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=min(height, 16000),
            deviceScaleFactor=1,
            mobile=False,
        )
        data = self.call("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))
