"""The one report of a run: every command, the API, ``export`` and ``--merge`` fill one
``Report``; the summary line, the exit status and report.json's ``summary`` all come from it.

Kept free of the rest of the engine (output.py re-exports it), so importing it is cheap."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Counts", "Report"]


@dataclass
class Counts:
    """How many input articles were converted, skipped and failed."""

    converted: int = 0
    skipped: int = 0
    failed: int = 0

    def as_json(self) -> dict[str, int]:
        """report.json's ``summary`` object (the key order is the file's)."""
        return {"converted": self.converted, "skipped": self.skipped, "failed": self.failed}


@dataclass
class Report:
    """What happened to every input article.

    The commands keep the ids (``converted``, ``skipped`` with the rule). ``export`` streams
    one entry per article to report.json instead, so that memory does not grow with the
    archive, and only counts them here (``streamed``); its failure lines, warnings and
    ``errors`` are kept as the commands' are."""

    converted: list[str] = field(default_factory=list)  # article ids
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (id, rule that skipped it)
    failed: list[str] = field(default_factory=list)  # one line each: file: position: id: reason
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # collections (a feed, a book) not made
    written: list[Path] = field(default_factory=list)
    document: bytes | None = None  # the one document asked for on stdout (-o -), once made
    streamed: Counts | None = None  # export: converted and skipped, counted not listed

    @property
    def counts(self) -> Counts:
        if self.streamed is not None:
            return Counts(self.streamed.converted, self.streamed.skipped, len(self.failed))
        return Counts(len(self.converted), len(self.skipped), len(self.failed))

    @property
    def ok(self) -> bool:
        return not self.failed and not self.errors

    def summary(self) -> str:
        counts = self.counts
        text = f"converted {counts.converted}, skipped {counts.skipped}, failed {counts.failed}"
        text += f", outputs not made {len(self.errors)}" if self.errors else ""
        return text + (f", warnings {len(self.warnings)}" if self.warnings else "")
