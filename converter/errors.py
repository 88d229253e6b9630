"""Errors the converter reports to users. Each knows its exit code (see README, "Exit codes")."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ConverterError", "InputError", "OutputError", "UsageError"]


class ConverterError(Exception):
    """Base of every error the converter raises on purpose; never shown with a traceback."""

    exit_code = 1


@dataclass
class InputError(ConverterError):
    """A record that cannot be an article: names the file, the position, the id, the field."""

    source: str
    position: str
    reason: str
    field: str = ""
    article_id: str = ""

    def __str__(self) -> str:
        parts = [self.source]
        if self.position:
            parts.append(self.position)
        if self.article_id:
            parts.append(f"article {self.article_id}")
        if self.field:
            parts.append(f"field {self.field}")
        parts.append(self.reason)
        return ": ".join(parts)


class OutputError(ConverterError):
    """An output could not be written (unwritable directory, full disk): names the path."""


class UsageError(ConverterError):
    """Bad command-line or configuration usage."""

    exit_code = 2
