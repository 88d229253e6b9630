"""Options from the config file and the flags: one validation (``options.check``), one message.

``converter.toml`` tables map onto the option records: ``[site]`` holds the top-level settings
(``title`` is ``site_title``, ``url`` is ``site_url``), ``[images]`` the ``host_map``, and
``[feed]``, ``[epub]`` and ``[fetch]`` the fields of their records. The keys and the types are
read from the dataclass fields, never copied. Flags override the file.
"""

from __future__ import annotations

import tomllib
import typing
from dataclasses import fields, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from .errors import UsageError
from .options import EpubOptions, FeedOptions, FetchOptions, OptionError, Options

__all__ = ["SETTINGS", "build", "load_config"]

_GROUPS = {"feed": FeedOptions, "epub": EpubOptions, "fetch": FetchOptions}
# Per run: flags (or API arguments), never the config file.
_RUN_ONLY = frozenset({"fragment", "strict", "now", "allow_empty"})
_ELSEWHERE = {"host_map": "images"}  # top-level fields kept in a table of their own


def _settings() -> dict[tuple[str, str], tuple[str, Any]]:
    """(table, key) → (option path, type), from the option records' fields."""
    found: dict[tuple[str, str], tuple[str, Any]] = {}
    hints = typing.get_type_hints(Options)
    for f in fields(Options):
        if f.name in _GROUPS or f.name in _RUN_ONLY:
            continue
        table = _ELSEWHERE.get(f.name, "site")
        found[table, f.name.removeprefix("site_")] = (f.name, hints[f.name])
    for group, record in _GROUPS.items():
        hints = typing.get_type_hints(record)
        for f in fields(record):
            found[group, f.name] = (f"{group}.{f.name}", hints[f.name])
    return found


SETTINGS = _settings()
_TABLES: dict[str, list[str]] = {}  # table → its keys, in field order (for messages)
for _table, _key in SETTINGS:
    _TABLES.setdefault(_table, []).append(_key)


def _value(kind: Any, value: Any, base: Path) -> Any:
    """``value`` as the field's type, or TypeError saying what it must be."""
    args = [a for a in typing.get_args(kind) if a is not type(None)]
    if typing.get_origin(kind) is typing.Literal:
        return value  # options.check names the allowed values
    if kind is bool:
        if not isinstance(value, bool):
            raise TypeError("must be true or false")
        return value
    if kind in (int, float):
        if isinstance(value, bool) or not isinstance(
            value, int | (float if kind is float else int)
        ):
            raise TypeError(f"must be {kind.__name__}")
        return value
    if Path in args:
        if not isinstance(value, str):
            raise TypeError("must be a path string")
        return (base / value).resolve()
    if datetime in args:
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        if not isinstance(value, datetime):
            raise TypeError("must be a date and time")
        return value
    if typing.get_origin(kind) is tuple and args and typing.get_origin(args[0]) is tuple:
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise TypeError("must map URL prefixes to URL prefixes")
        return tuple(value.items())
    if typing.get_origin(kind) is tuple:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise TypeError("must be a list of strings")
        return tuple(value)
    if not isinstance(value, str):
        raise TypeError("must be str")
    return value


def load_config(path: Path | None) -> tuple[dict[str, Any], dict[str, str]]:
    """Settings from the config file as {option path: value}, and {option path: "file: table.key"}
    (for messages). No file at the default path: no settings."""
    explicit = path is not None
    path = path or Path("converter.toml")
    if not path.exists():
        if explicit:
            raise UsageError(f"config file {path} does not exist")
        return {}, {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"{path}: cannot read config: {exc}") from None
    settings: dict[str, Any] = {}
    where: dict[str, str] = {}
    for table, values in data.items():
        if table not in _TABLES:
            raise UsageError(f"{path}: unknown table [{table}] (known: {', '.join(_TABLES)})")
        if not isinstance(values, dict):
            raise UsageError(f"{path}: [{table}] must be a table")
        for key, value in values.items():
            spec = SETTINGS.get((table, key))
            if spec is None:
                known = ", ".join(_TABLES[table])
                raise UsageError(
                    f"{path}: unknown setting {table}.{key} (known in [{table}]: {known})"
                )
            name, kind = spec
            try:
                settings[name] = _value(kind, value, path.parent)
            except (TypeError, ValueError) as exc:
                raise UsageError(f"{path}: {table}.{key} {exc}") from None
            where[name] = f"{path}: {table}.{key}"
    return settings, where


def _apply(options: Options, settings: dict[str, Any]) -> Options:
    top = {k: v for k, v in settings.items() if "." not in k}
    options = replace(options, **top)
    for group in _GROUPS:
        nested = {k.split(".", 1)[1]: v for k, v in settings.items() if k.startswith(group + ".")}
        if nested:
            options = replace(options, **{group: replace(getattr(options, group), **nested)})
    return options


def build(config: Path | None, flags: dict[str, Any], names: dict[str, str]) -> Options:
    """The options record: defaults, then the config file, then the flags that were given
    (``flags``: {option path: value}; ``names``: {option path: "--flag"} for messages). An
    invalid value is a UsageError naming the file and key, or the flag, and what is allowed."""
    from .cms import _zone

    settings, where = load_config(config)
    try:
        options = _apply(Options(), settings)
    except OptionError as exc:
        raise UsageError(f"{where.get(exc.name, exc.name)} {exc.detail}") from None
    try:
        options = _apply(options, {k: v for k, v in flags.items() if v is not None})
    except OptionError as exc:
        raise UsageError(f"{names.get(exc.name, exc.name)} {exc.detail}") from None
    zone = _zone(options.timezone)  # checked once, up front: a usage error, not 100 failures
    if options.now is not None and options.now.tzinfo is None:
        options = replace(options, now=options.now.replace(tzinfo=zone))
    return options
