"""The progress bar of long runs on a terminal: count/total, percent, rate and time left.

One line on stderr, redrawn in place with ``\\r`` at most ``HZ`` times a second (a faster
redraw costs more than it tells), and erased when the run ends so that the summary line that
follows stands alone. The CLI makes one only when stderr is a terminal and ``--quiet`` is not
given: a pipe or a log file never gets carriage-return frames.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from typing import TextIO

__all__ = ["HZ", "Bar", "count_records"]

HZ = 10.0
_CLEAR = "\r\x1b[K"  # back to the start of the line, erase to its end


def _clock_text(seconds: float) -> str:
    whole = int(seconds + 0.5)
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


class Bar:
    """``update(done)`` as articles finish (any order of calls is fine: the count is what the
    caller says); ``total`` may be set late or stay None (then no bar, percent or time left)."""

    def __init__(
        self,
        label: str,
        stream: TextIO,
        total: int | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label, self.stream, self.total = label, stream, total
        self.done = 0
        self._clock = clock
        self._start = clock()
        self._drawn = -1.0  # when the last frame was drawn; < 0: never
        self._closed = False

    def begin(self, total: int | None) -> None:
        """The total is known (counting it took time that is not the run's rate): from now."""
        self.total = total
        self._start = self._clock()

    def update(self, done: int) -> None:
        self.done = done
        now = self._clock()
        if self._drawn < 0 or now - self._drawn >= 1 / HZ:
            self._draw(now)

    def close(self) -> None:
        """The last frame (the final count), then the line erased. Idempotent."""
        if self._closed:
            return
        self._closed = True
        if self._drawn >= 0 or self.done:
            self._draw(self._clock())
            self.stream.write(_CLEAR)
            self.stream.flush()

    def line(self, now: float, columns: int) -> str:
        """One frame: label, bar, N/M, percent, rate and time left, at most ``columns``-1 wide
        (the last column would wrap on some terminals)."""
        elapsed = max(now - self._start, 1e-9)
        rate = self.done / elapsed
        total = self.total
        parts = [f"{self.done}/{total}" if total is not None else str(self.done)]
        if total:
            parts.append(f"{min(100, self.done * 100 // total):3d}%")
        parts.append(f"{rate:.1f}/s" if rate < 100 else f"{rate:.0f}/s")
        if total and rate > 0 and self.done < total:
            parts.append(f"{_clock_text((total - self.done) / rate)} left")
        elif total and self.done >= total:
            parts.append(f"{_clock_text(elapsed)} total")
        tail = "  ".join(parts)
        room = columns - 1 - len(self.label) - len(tail) - 5
        if total and room >= 10:
            width = min(room, 40)
            filled = min(width, width * self.done // total)
            bar = f" [{'#' * filled}{'-' * (width - filled)}] "
        else:
            bar = "  "
        return f"{self.label}{bar}{tail}"[: columns - 1]

    def _draw(self, now: float) -> None:
        try:  # the width of the terminal this bar is on (stdout may be a pipe meanwhile)
            columns = os.get_terminal_size(self.stream.fileno()).columns
        except (OSError, ValueError, AttributeError):
            columns = 0
        columns = columns or 80  # 0: a terminal that never said (a fresh pty)
        self.stream.write("\r" + self.line(now, columns) + "\x1b[K")
        self.stream.flush()
        self._drawn = now


def count_records(
    inputs: Sequence[str], keep: Callable[[str], bool] | None = None, *, allow_empty: bool = False
) -> int | None:
    """How many records (articles, or inputs that cannot be one) ``inputs`` hold: the total of
    a bar. A second, parse-only pass (a few percent of a conversion's time); None when an
    input is stdin, which cannot be read twice. ``keep(key)``: only the records whose key (the
    article id, or "source:position" without one) it accepts (export --shard);
    ``allow_empty``: as the run reads (no "no articles found" record)."""
    if "-" in inputs:
        return None
    from .errors import InputError
    from .inputs import read_records

    count = 0
    for item in read_records(inputs, allow_empty=allow_empty):
        if keep is not None:
            if isinstance(item, InputError):
                key = f"{item.source}:{item.position}"
            else:
                raw = item.value.get("id") if isinstance(item.value, dict) else None
                ok = isinstance(raw, str | int) and not isinstance(raw, bool)
                key = (str(raw).strip() if ok else "") or f"{item.source}:{item.position}"
            if not keep(key):
                continue
        count += 1
    return count
