"""Paths, directories and stdin → raw records with their provenance (file, position).

A file may hold one article object, a JSON array, JSON Lines, the API envelope, or the CMS debug
dump (a header line such as ``All Article Properties:``, then the JSON). UTF-8 with or without
BOM, LF or CRLF. JSON Lines files are read line by line, never loaded whole.
"""

from __future__ import annotations

import json
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
    """Files as given; directories → every *.json, *.jsonl, *.txt below, in sorted order."""
    for raw in paths:
        if raw == "-":
            yield raw
            continue
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                (p for p in path.rglob("*") if p.suffix.lower() in INPUT_SUFFIXES and p.is_file()),
                key=lambda p: p.relative_to(path).as_posix(),
            )
            yield from (str(p) for p in found)
        else:
            yield raw


def _decode(data: bytes, source: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(source, f"byte {exc.start}", "not valid UTF-8") from None


def _json_error(text: str, source: str, position: str, offset_line: int = 0) -> InputError:
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno + offset_line} column {exc.colno}"
        return InputError(source, f"{position} {where}".strip(), f"invalid JSON: {exc.msg}")
    except RecursionError:
        return InputError(source, position, "invalid JSON: nested too deeply")
    return InputError(source, position, "invalid JSON")


def _lines(stream: Iterable[bytes], source: str) -> Iterator[Record | InputError]:
    for number, raw in enumerate(stream, 1):
        line = raw.strip()
        if number == 1 and line.startswith(b"\xef\xbb\xbf"):
            line = line[3:]
        if not line:
            continue
        position = f"line {number}"
        try:
            text = _decode(line, source)
            value = orjson.loads(text)
        except InputError as exc:
            yield InputError(source, position, exc.reason)
            continue
        except orjson.JSONDecodeError:
            yield _json_error(text, source, position)
            continue
        for pos, item in records_of(value, position):
            yield Record(source, pos, item)


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
            yield InputError(source, "line 1", f"only a header line ({header.strip()[:40]!r}), no JSON")
            return
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError:
        if body.count("\n") > 1:  # several JSON values, one per line: JSON Lines
            yield from _lines(body.encode("utf-8").splitlines(), source)
            return
        yield _json_error(body, source, "", skipped)
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


def read_records(paths: Iterable[str], stdin: BinaryIO | None = None) -> Iterator[Record | InputError]:
    """Every raw record of every input, in order; unreadable input yields an InputError."""
    for path in expand_paths(paths):
        if path == "-":
            yield from _read("<stdin>", stdin or sys.stdin.buffer)
        elif not Path(path).exists():
            yield InputError(path, "", "no such file or directory")
        else:
            yield from _read(path)
