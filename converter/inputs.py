"""Paths, directories and stdin → raw records with their provenance (file, position).

A file may hold one article object, a JSON array, JSON Lines, the API envelope, or the CMS debug
dump (a header line such as ``All Article Properties:``, then the JSON). UTF-8 with or without
BOM, LF or CRLF. JSON Lines files are read line by line, never loaded whole.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from .cms import records_of
from .errors import InputError

__all__ = ["INPUT_SUFFIXES", "Record", "expand_paths", "read_records"]

INPUT_SUFFIXES = (".json", ".jsonl", ".txt")


@dataclass(frozen=True, slots=True)
class Record:
    source: str  # the file (as given on the command line), or "<stdin>"
    position: str  # "record 1", "item 3", "line 7", "data[2]"
    value: Any


def expand_paths(paths: Iterable[str]) -> Iterator[str]:
    """Files as given; directories → every *.json, *.jsonl and input *.txt below, in sorted
    order. Hidden files and folders (``.git``, ``.cache``, editors' ``.#x.json``) are not
    inputs: walking them would read version-control objects and lock files as articles."""
    for raw in paths:
        if raw == "-":
            yield raw
            continue
        path = Path(raw)
        if path.is_dir():
            yield from (str(p) for p in _walk(path))
        else:
            yield raw


def _walk(root: Path) -> list[Path]:
    found: list[tuple[str, Path]] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]  # pruned: never entered
        for name in files:
            if name.startswith(".") or Path(name).suffix.lower() not in INPUT_SUFFIXES:
                continue
            file = Path(folder, name)
            if not file.is_file():
                continue
            if file.suffix.lower() == ".txt" and not _looks_like_input(file):
                continue  # notes, READMEs, licences: a .txt is an input only if it holds JSON
            found.append((file.relative_to(root).as_posix(), file))
    return [file for _, file in sorted(found)]


_PEEK = 64 * 1024  # enough for a BOM, blank lines and a CMS header line


def _looks_like_input(file: Path) -> bool:
    """A *.txt found in a folder is an input when it is JSON (its first character is ``{`` or
    ``[``) or a CMS debug dump (one header line such as ``All Article Properties:``, then JSON).
    Given by name on the command line, any file is read (and its errors reported)."""
    try:
        with open(file, "rb") as handle:
            head = handle.read(_PEEK)
    except OSError:
        return True  # unreadable: read_records reports why, rather than skip it silently
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if text[:1] in (b"{", b"["):
        return True
    header, newline, rest = text.partition(b"\n")
    return bool(newline) and b"{" not in header and rest.lstrip()[:1] in (b"{", b"[")


def _decode(data: bytes, source: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(source, f"byte {exc.start}", "not valid UTF-8") from None


def _json_problem(text: str) -> json.JSONDecodeError | None:
    """The stdlib's account of why ``text`` is not JSON (it names line and column)."""
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        return exc
    except RecursionError:
        return json.JSONDecodeError("nested too deeply", text, 0)
    return None


def _json_error(text: str, source: str, first_line: int = 1) -> InputError:
    """InputError at "line L column C" of the file; ``text`` starts at line ``first_line``."""
    exc = _json_problem(text)
    if exc is None:
        return InputError(source, f"line {first_line}", "invalid JSON")
    where = f"line {exc.lineno + first_line - 1} column {exc.colno}"
    return InputError(source, where, f"invalid JSON: {exc.msg}")


def _lines(
    stream: Iterable[bytes], source: str, first_line: int = 1
) -> Iterator[Record | InputError]:
    seen = False
    for number, raw in enumerate(stream, first_line):
        line = raw.strip()
        if number == first_line and line.startswith(b"\xef\xbb\xbf"):
            line = line[3:]
        if not line:
            continue
        seen = True
        value = _line_value(line, source, number)
        if isinstance(value, InputError):
            yield value
            continue
        for pos, item in records_of(value, f"line {number}"):
            yield Record(source, pos, item)
    if not seen:
        yield InputError(source, "", "empty file: no article")


def _line_value(line: bytes, source: str, number: int) -> Any:
    """The JSON value of one line, or the InputError that says why it has none."""
    try:
        return orjson.loads(line)  # the bytes as they are: orjson checks the UTF-8 itself
    except orjson.JSONDecodeError:
        pass  # not UTF-8, a BOM, or not JSON: the text path below says which
    try:
        text = _decode(line, source)
        return orjson.loads(text)
    except InputError as exc:
        return InputError(source, f"line {number}", exc.reason)
    except orjson.JSONDecodeError:
        return _json_error(text, source, number)


def _whole(data: bytes, source: str) -> Iterator[Record | InputError]:
    try:
        text = _decode(data, source)
    except InputError as exc:
        yield exc
        return
    body = text.lstrip()
    skipped = text[: len(text) - len(body)].count("\n")
    if not body:
        yield InputError(source, "", "empty file: no article")
        return
    if body[0] not in "{[":  # the CMS debug dump: a header line, then the JSON
        header, _, body = body.partition("\n")
        skipped += 1
        if not body.strip():
            yield InputError(
                source, "line 1", f"only a header line ({header.strip()[:40]!r}), no JSON"
            )
            return
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError:
        problem = _json_problem(body)
        if problem is not None and problem.msg == "Extra data" and "\n" in body.strip():
            # several JSON values, one per line: JSON Lines in a .json (or .txt) file
            yield from _lines(body.encode("utf-8").splitlines(), source, skipped + 1)
            return
        yield _json_error(body, source, skipped + 1)
        return
    for position, item in records_of(value, ""):
        yield Record(source, position, item)


def _read(source: str, stream: BinaryIO | None = None) -> Iterator[Record | InputError]:
    if stream is None and source.lower().endswith(".jsonl"):
        try:
            with open(source, "rb") as handle:
                yield from _lines(handle, source)
        except OSError as exc:
            yield InputError(source, "", f"cannot read: {exc.strerror or exc}")
        return
    try:
        if stream is not None:
            data = stream.read()
        else:
            with open(source, "rb") as handle:
                data = handle.read()
    except OSError as exc:
        yield InputError(source, "", f"cannot read: {exc.strerror or exc}")
        return
    yield from _whole(data, source)


def read_records(
    paths: Iterable[str], stdin: BinaryIO | None = None, *, allow_empty: bool = False
) -> Iterator[Record | InputError]:
    """Every raw record of every input, in order; unreadable input yields an InputError.
    Inputs that hold no record at all and no error either (an empty folder, ``[]``) end
    with an InputError too, unless ``allow_empty``: such a run has most likely read the
    wrong place, and must not pass for a successful one."""
    paths = list(paths)
    found = False
    for path in expand_paths(paths):
        if path == "-":
            items = _read("<stdin>", stdin or sys.stdin.buffer)
        elif not Path(path).exists():
            items = iter([InputError(path, "", "no such file or directory")])
        else:
            items = _read(path)
        for item in items:
            found = True
            yield item
    if not found and not allow_empty:
        where = ", ".join(paths) or "(no inputs)"
        yield InputError(
            where,
            "",
            "no articles found (no *.json, *.jsonl or CMS dump *.txt with a record);"
            " pass --allow-empty (API: Options(allow_empty=True)) if that is expected",
        )
