"""Safe file names, atomic writes inside the output directory, and the run report."""

from __future__ import annotations

import contextlib
import errno
import itertools
import os
import random
import re
import signal
import stat
import threading
import unicodedata
from pathlib import Path
from typing import BinaryIO, Protocol

from .engine.report import Report
from .errors import OutputError

__all__ = [
    "Names",
    "Note",
    "Report",
    "Sync",
    "collapse",
    "make_directory",
    "safe_name",
    "safe_slug",
    "write_atomic",
    "write_target",
]

_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def _MAIN() -> bool:
    return threading.current_thread() is threading.main_thread()


MAX_NAME_BYTES = 120  # well under every file system's 255-byte limit, leaving room for suffixes
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")
_SPACES = re.compile(r"[\s\-]+")
# Bidirectional controls and zero-width characters: invisible in a listing, they make one name
# look like another (U+202E shows "photo\u202egpj.exe" as "photoexe.jpg"). Dropped.
_INVISIBLE = re.compile("[\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]")
# Device names Windows refuses as file names, in any case, whatever the extension (the part
# before the first dot counts): the COM and LPT ports also with a superscript digit.
_RESERVED = frozenset(
    {
        "con",
        "prn",
        "aux",
        "nul",
        "conin$",
        "conout$",
        "clock$",
        *(f"{port}{digit}" for port in ("com", "lpt") for digit in "0123456789¹²³"),
    }
)


def safe_name(stem: str, fallback: str = "article") -> str:
    """A file stem from a slug: no separators, no "..", no control characters, no invisible
    (bidirectional or zero-width) characters, unicode kept, at most MAX_NAME_BYTES of UTF-8,
    never empty, never a reserved device name."""
    if (  # the usual slug ("a-b-1"), which every rule below gives back: ~10k instructions
        stem.isascii()
        and len(stem) <= MAX_NAME_BYTES
        and stem.replace("-", "").isalnum()
        and stem[0] != "-"
        and stem[-1] != "-"
        and "--" not in stem
        and stem.casefold() not in _RESERVED
    ):
        return stem
    return _safe_name(stem, fallback)


def _safe_name(stem: str, fallback: str) -> str:
    name = unicodedata.normalize("NFC", stem)
    name = _INVISIBLE.sub("", name)
    name = _UNSAFE.sub("-", name)
    name = _SPACES.sub("-", name)
    name = name.strip(".- ")
    while ".." in name:
        name = name.replace("..", ".")
    encoded = name.encode("utf-8")
    if len(encoded) > MAX_NAME_BYTES:
        name = encoded[:MAX_NAME_BYTES].decode("utf-8", "ignore").rstrip(".- ")
    if not name or name.split(".")[0].casefold() in _RESERVED:
        name = f"{fallback}-{name}" if name else fallback
        name = _UNSAFE.sub("-", name)
    return name


def safe_slug(slug: str, article_id: str) -> str:
    """The name an article's files take from its slug (``Names`` adds a suffix only when two
    articles would share it): also the slug Markdown front matter gives site generators, so
    that the path they build is the file's own, never ``../../etc/passwd``."""
    return safe_name(slug or article_id, fallback=safe_name(article_id, "article"))


class NameSet(Protocol):
    """Where ``Names`` keeps the names it gave (a set; export keeps them on disk)."""

    def __contains__(self, name: object, /) -> bool: ...

    def add(self, name: str, /) -> None: ...


class Names:
    """Deterministic collision resolution: the first article keeps the slug, the next gets
    ``slug-<id>``, then ``slug-<id>-2``... Compared case-insensitively (macOS, Windows)."""

    def __init__(self, used: NameSet | None = None) -> None:
        self._used: NameSet = set() if used is None else used

    def claim(self, stem: str, article_id: str) -> str:
        base = safe_slug(stem, article_id)
        second = safe_name(f"{base}-{article_id}")
        # Made one at a time: building all 10,000 up front cost ~3 ms per article.
        candidates = itertools.chain((base, second), (f"{second}-{n}" for n in range(2, 10_000)))
        for name in candidates:
            if name.casefold() not in self._used:
                self._used.add(name.casefold())
                return name
        raise OutputError(f"too many articles named {base!r}")

    @staticmethod
    def fits(name: str, stem: str, article_id: str) -> bool:
        """Whether ``name`` is one that ``claim(stem, article_id)`` gives: a newer copy of an
        article keeps the name of the copy it replaces only while its slug gives that name
        (every command names an article by the slug of the copy it keeps)."""
        base = safe_slug(stem, article_id)
        second = safe_name(f"{base}-{article_id}")
        number = name[len(second) + 1 :] if name.startswith(second + "-") else ""
        return name in (base, second) or number.isdigit()


class Sync:
    """Durability once per run: the outputs are written (temporary file + rename) without an
    fsync each, and ``flush`` at the end of the run makes them all durable at once: one
    ``os.sync`` for the files' data, then one fsync per output directory for the renames.
    An fsync per file cost 17% of a whole ``converter markdown DIR -o OUT`` run (issue 13).
    ``each`` (``--fsync-each``): every file is also fsynced before its rename, for users who
    want each file on disk as soon as it is named. Also remembers each directory once
    (resolved and made), so that a run never stats the same directory again per output."""

    def __init__(self, each: bool = False) -> None:
        self.each = each
        self._roots: dict[Path, Path] = {}  # directory as given → resolved, made
        self._written = False

    def root(self, directory: Path) -> Path:
        """``directory`` resolved and made (once per run)."""
        root = self._roots.get(directory)
        if root is None:
            root = make_directory(directory).resolve()
            self._roots[directory] = root
        return root

    def wrote(self) -> None:
        """A file was written, replaced or removed: ``flush`` has work to do."""
        self._written = True

    def flush(self) -> None:
        """Make every output of the run durable (a no-op when nothing was written)."""
        if not self._written:
            return
        if not self.each:
            os.sync()  # the data of files written without their own fsync
        for root in sorted(set(self._roots.values())):
            with contextlib.suppress(OSError):  # a directory that cannot be opened (Windows)
                fd = os.open(root, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
        self._written = False


def make_directory(directory: Path) -> Path:
    """``directory``, made with its parents; an existing file there (or a file where one of
    its parents should be) is an OutputError naming it, never replaced."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise OutputError(
            f"{directory} is not a directory (a file is in the way): -o names a folder here"
        ) from None
    except OSError as exc:
        raise OutputError(f"cannot write to {directory}: {exc.strerror or exc}") from None
    return directory


def write_atomic(
    directory: Path,
    name: str,
    data: bytes | BinaryIO,
    *,
    only_if_changed: bool = False,
    sync: Sync | None = None,
) -> Path:
    """Write ``directory/name`` through a temporary file in the same directory and a rename,
    so readers never see half a file. Refuses any name that would land outside ``directory``,
    and never replaces what the converter does not make there (a directory, a device, a FIFO,
    a socket): one lstat of the target decides. ``only_if_changed``: leave an existing file
    with the same bytes untouched (incremental runs keep its timestamp, so downstream sync
    tools see no change). ``sync``: the run's ``Sync`` (no fsync here unless ``sync.each``;
    the run flushes once at its end); without one, the file is fsynced before the rename
    (~2 ms a file here). ``data`` may be a file, copied from where it stands (a feed
    written item by item: never whole in memory)."""
    if not name or name in (".", "..") or "/" in name or "\0" in name:
        raise OutputError(f"{name!r} would be written outside {directory}")
    root = (sync or Sync()).root(directory)
    target = root / name
    try:
        found: os.stat_result | None = os.lstat(target)
    except FileNotFoundError:
        found = None
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
    if found is not None and stat.S_ISLNK(found.st_mode):
        target = target.resolve()
        if target.parent != root:
            raise OutputError(f"{name!r} would be written outside {directory}")
        found = _stat_or_none(target)
    if found is not None and not stat.S_ISREG(found.st_mode):
        kind = "Is a directory" if stat.S_ISDIR(found.st_mode) else "Not a regular file"
        raise OutputError(f"cannot write {target}: {kind} (left alone, not replaced)")
    if (
        only_if_changed
        and isinstance(data, bytes)
        and found is not None
        and found.st_size == len(data)
    ):
        with contextlib.suppress(OSError):
            if target.read_bytes() == data:
                return target
    _replace(root, target, data, sync is None or sync.each)
    if sync is not None:
        sync.wrote()
    return target


def _stat_or_none(path: Path) -> os.stat_result | None:
    try:
        return os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None


def _replace(root: Path, target: Path, data: bytes | BinaryIO, durable: bool) -> None:
    """``data`` into a temporary file in ``root``, then renamed to ``target``."""
    # SIGINT/SIGTERM wait until the file is whole or gone: a signal between creating the
    # temporary file and the try that removes it would otherwise leave it behind.
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS) if _MAIN() else None
    try:
        try:
            fd, tmp = _temporary(root)
        except OSError as exc:
            raise OutputError(f"cannot write to {root}: {exc.strerror or exc}") from None
        try:
            try:
                _write(fd, data)
                os.fchmod(fd, 0o644)  # on the open file: no second path lookup
                if durable:
                    os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, target)
        except BaseException as exc:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            if isinstance(exc, OSError):
                raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
            raise
    finally:
        if blocked is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


# Temporary names: random, and new ones in a forked child (two processes must not try the same
# names in turn). tempfile.mkstemp does the same, at the cost of a getpid() per name; and its
# file object (fdopen) costs an fstat, an ioctl and an lseek more per file (issue 13: every
# system call counts, ~30,000 files an export).
_NAMES = random.Random()
os.register_at_fork(after_in_child=_NAMES.seed)
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


def _temporary(root: Path) -> tuple[int, str]:
    """A new file ".tmp-<random>.part" in ``root``, open for writing, mode 0600 (mkstemp's)."""
    for _ in range(100):
        name = os.path.join(root, f".tmp-{_NAMES.getrandbits(64):016x}.part")
        try:
            return os.open(name, _CREATE, 0o600), name
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no unused temporary file name", str(root))


def _write(fd: int, data: bytes | BinaryIO) -> None:
    if isinstance(data, bytes):
        view = memoryview(data)
        while view:  # os.write may write less than asked
            view = view[os.write(fd, view) :]
    else:  # a file (a feed written item by item): copied in chunks
        while block := data.read(1 << 20):
            _write(fd, block)


def write_target(path: Path, data: bytes | BinaryIO, sync: Sync | None = None) -> Path:
    """The one file of ``-o FILE``. One stat (following links: ``/dev/stdout`` is one)
    decides: a character device, FIFO or socket is opened and written in place (``/dev/null``,
    a named pipe feeding another program), never replaced by a rename; a directory is an
    OutputError naming it; a regular file or nothing is written atomically (``write_atomic``)."""
    found = _stat_or_none(path)
    if found is not None and stat.S_ISDIR(found.st_mode):
        raise OutputError(f"{path} is a directory: -o names the file to write (or - for stdout)")
    if found is None or stat.S_ISREG(found.st_mode):
        return write_atomic(path.parent, path.name, data, sync=sync)
    try:  # no O_CREAT, no O_TRUNC: it is not ours to make or to cut
        fd = os.open(path, os.O_WRONLY)
        try:
            _write(fd, data)
        finally:
            os.close(fd)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path


class Note(str):
    """A warning line ("where: text") that knows its text without the place, so that the same
    warning of many articles can be printed once (``collapse``); it is the whole line as str."""

    text: str

    def __new__(cls, where: str, text: str) -> Note:
        note = super().__new__(cls, f"{where}: {text}" if where else text)
        note.text = text
        return note


def collapse(lines: list[str]) -> list[str]:
    """Warnings for stderr: each distinct text once, at its first place, with how many more
    articles had it ("... (and 499 more)"). Lines that are not ``Note``s are kept as they are."""
    first: dict[str, int] = {}
    counts: list[int] = []
    shown: list[str] = []
    for line in lines:
        key = line.text if isinstance(line, Note) else None
        if key is not None and key in first:
            counts[first[key]] += 1
            continue
        if key is not None:
            first[key] = len(shown)
        shown.append(line)
        counts.append(0)
    return [f"{line} (and {n} more)" if n else line for line, n in zip(shown, counts, strict=True)]
