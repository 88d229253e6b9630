"""A small pool of worker processes that can be stopped: results in input order, bounded
memory, and no hang or traceback storm when the run is interrupted.

Why not ``multiprocessing.Pool``: a terminal's Ctrl-C sends SIGINT to the whole process group.
Pool workers then raise KeyboardInterrupt wherever they are (dozens of tracebacks), and a worker
killed while holding the shared task queue's lock leaves ``terminate()``/``join()`` waiting for
ever. Here every worker has its own pipe (no shared lock), ignores SIGINT and SIGTERM (the main
process decides what an interrupt means), and is stopped by the main process: its pipe closed
(an idle worker then exits), and after a short grace period a SIGKILL for one still busy.
Workers only compute; the main process writes every file, so killing a worker loses nothing.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import pickle
import queue
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any, Generic, TypeVar

from .errors import ConverterError

__all__ = ["Ahead", "WorkerDied", "Workers"]

T = TypeVar("T")
R = TypeVar("R")

GRACE = 1.0  # seconds a finished pool gives its workers to exit before SIGKILL
DEPTH = 2  # chunks a worker holds: the one it works on and the next (no idle gap between)
_STOP = {signal.SIGINT, signal.SIGTERM}


class WorkerDied(ConverterError):
    """A worker process ended without sending its results (killed from outside, or crashed)."""


def _serve(
    conn: Connection,
    inherited: Sequence[Connection],
    initializer: Callable[..., None],
    initargs: Sequence[Any],
    work: Callable[[Any], Any],
) -> None:
    """A worker: chunks of items in, lists of results out, until the pipe closes.
    ``inherited``: the main process's ends of the pipes (this worker's and those of the
    workers forked before it), copied by the fork and closed here at once: while any process
    holds a pipe's other end, its worker never sees the pipe close, and every run waited the
    whole GRACE and then killed its workers (issue 13)."""
    for end in inherited:
        end.close()
    # The main process decides what SIGINT and SIGTERM mean; a worker that took them itself
    # would die mid-chunk with a traceback while the main process still waits for it.
    # They were blocked across the fork (see Workers), so none arrived before this point.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP)
    initializer(*initargs)
    # A thread takes the chunks off the pipe as they come, so the main process can queue the
    # next chunk while this one is worked on and never blocks sending it (nor this process
    # sending its results meanwhile: no deadlock on two full pipes).
    chunks: queue.SimpleQueue[list[Any] | None] = queue.SimpleQueue()

    def receive() -> None:
        try:
            while True:
                chunks.put(conn.recv())
        except (EOFError, OSError):  # the main process closed the pipe (done or interrupted)
            chunks.put(None)

    threading.Thread(target=receive, daemon=True).start()
    try:
        while (chunk := chunks.get()) is not None:
            conn.send([work(item) for item in chunk])
    except OSError:  # the pipe closed while sending: the main process has stopped
        pass


@dataclass
class _Slot:
    process: BaseProcess
    conn: Connection
    chunks: list[int] = field(default_factory=list)  # sequence numbers handed out, in order


@dataclass
class _Chunks(Generic[T, R]):
    """The chunks handed out and the results not yet yielded, by sequence number."""

    items: dict[int, list[T]] = field(default_factory=dict)
    results: dict[int, list[R]] = field(default_factory=dict)
    next_out: int = 0
    next_in: int = 0


class Workers:
    """``jobs`` forked worker processes, each running ``initializer(*initargs)`` once and then
    ``work(item)`` for the items the main process sends (``work`` must not raise: it reports
    failures in its result). Use as a context manager: leaving it stops the workers, at once
    when an exception (KeyboardInterrupt, SIGTERM's) is on its way."""

    def __init__(
        self,
        jobs: int,
        work: Callable[[Any], Any],
        initializer: Callable[..., None],
        initargs: Sequence[Any] = (),
    ) -> None:
        context = multiprocessing.get_context("fork")
        self._slots: list[_Slot] = []
        # Blocked while forking: a child that got SIGINT before ignoring it would run the
        # parent's handlers (KeyboardInterrupt, a traceback). The parent gets them on unblock.
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP)
        try:
            for _ in range(jobs):
                parent, child = context.Pipe()
                inherited = [parent, *(slot.conn for slot in self._slots)]
                process = context.Process(
                    target=_serve,
                    args=(child, inherited, initializer, initargs, work),
                    daemon=True,
                )
                process.start()
                child.close()
                self._slots.append(_Slot(process, parent))
        except BaseException:
            self.stop(0.0)
            raise
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, kind: object, value: object, traceback: object) -> None:
        self.stop(GRACE if kind is None else 0.0)

    def map(self, items: Iterable[T], chunk: int, window: int) -> Iterator[tuple[T, R]]:
        """(item, work(item)) in the order of ``items``, read lazily: at most ``window`` chunks
        of ``chunk`` items are out or waiting to be yielded at any time (bounded memory)."""
        source = iter(items)
        state: _Chunks[T, R] = _Chunks()
        exhausted = False
        while True:
            exhausted = self._hand_out(source, state, chunk, window, exhausted)
            if state.next_out in state.results:
                done = state.results.pop(state.next_out)
                yield from zip(state.items.pop(state.next_out), done, strict=True)
                state.next_out += 1
                continue
            if exhausted and state.next_out == state.next_in:
                return
            self._collect(state, None)

    def _hand_out(
        self, source: Iterator[T], state: _Chunks[T, R], chunk: int, window: int, exhausted: bool
    ) -> bool:
        """Top every worker up to DEPTH chunks (while the window has room); True: input ended."""
        self._collect(state, 0)  # results already back free their workers first
        for _ in range(DEPTH):
            for slot in self._slots:
                if exhausted or state.next_in - state.next_out >= window:
                    return exhausted
                if len(slot.chunks) >= DEPTH:
                    continue
                batch = list(islice(source, chunk))
                if not batch:
                    return True
                state.items[state.next_in] = batch
                slot.conn.send(batch)  # the worker's receiving thread drains the pipe
                slot.chunks.append(state.next_in)
                state.next_in += 1
        return exhausted

    def _collect(self, state: _Chunks[T, R], timeout: float | None) -> None:
        """Results from the workers that have finished (waiting up to ``timeout``)."""
        busy = {slot.conn: slot for slot in self._slots if slot.chunks}
        if not busy:
            return
        for conn in wait(list(busy), timeout):
            slot = busy[conn]  # type: ignore[index]
            try:
                results = slot.conn.recv()
            except (EOFError, OSError):
                raise WorkerDied(
                    f"a worker process ended unexpectedly (exit status {slot.process.exitcode})"
                ) from None
            state.results[slot.chunks.pop(0)] = results  # a worker answers in order

    def stop(self, grace: float) -> None:
        """Close every pipe (an idle worker exits), give busy ones ``grace`` seconds, then
        SIGKILL what is left and reap every process: none outlives the run."""
        # A second Ctrl-C must not cut this short: a worker left running ignores the SIGTERM
        # that multiprocessing's exit handler sends, and the exit would wait for it.
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP)
        try:
            self._stop(grace)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)

    def _stop(self, grace: float) -> None:
        for slot in self._slots:
            slot.conn.close()
        deadline = time.monotonic() + grace
        for slot in self._slots:
            slot.process.join(max(0.0, deadline - time.monotonic()))
        for slot in self._slots:
            if slot.process.is_alive():
                with contextlib.suppress(OSError):
                    slot.process.kill()
            slot.process.join(5)
        self._slots = []


# ---------------------------------------------------------------------------------------------
# One call made ahead, in a process of its own


@dataclass(frozen=True)
class _Raised:
    """What ``Ahead`` sends back when its call raised: the caller makes the call itself (and
    sees the exception there, with the state it expects)."""


_AHEAD: list[Callable[[], Any]] = []  # the forked child's call (set by its initializer)


def _keep_call(call: Callable[[], Any]) -> None:
    _AHEAD[:] = [call]


def _make_call(_: object) -> bytes | _Raised:
    """The call's value, pickled here: a value that cannot be pickled is a _Raised too (the
    pool's own send would end the child with a traceback on stderr)."""
    try:
        return pickle.dumps(_AHEAD[0](), pickle.HIGHEST_PROTOCOL)
    except BaseException:  # the caller makes it again and sees the exception itself
        return _Raised()


class Ahead(Generic[R]):
    """``call()`` made in a forked process while this one goes on with other work; ``value()``
    waits for it. The child sees this process's memory as it was at the fork (nothing is
    pickled to it); only the value comes back, pickled. It is an optimisation and nothing
    more: a call that raised, a value that cannot be pickled, a child that died all give
    None, and the caller then makes the call itself (so the call must not return None).
    Use as a context manager: the child never outlives it (stopped at once on an exception,
    as the pool's workers are)."""

    def __init__(self, call: Callable[[], R]) -> None:
        self._pool = Workers(1, _make_call, _keep_call, (call,))
        self._slot = self._pool._slots[0]
        self._slot.conn.send([None])  # one chunk of one item: the call

    def value(self) -> R | None:
        """The call's value, or None when it did not come back (see the class)."""
        try:
            (made,) = self._slot.conn.recv()
        except (EOFError, OSError):  # the child died (killed from outside, say)
            return None
        if isinstance(made, _Raised):
            return None
        value: R = pickle.loads(made)
        return value

    def close(self) -> None:
        """Let the child go (it is idle once its value is sent; closing twice is fine)."""
        self._pool.stop(GRACE)

    def cancel(self) -> None:
        """Stop the child at once, its value unwanted."""
        self._pool.stop(0.0)

    def __enter__(self) -> Ahead[R]:
        return self

    def __exit__(self, kind: object, value: object, traceback: object) -> None:
        self._pool.stop(GRACE if kind is None else 0.0)
