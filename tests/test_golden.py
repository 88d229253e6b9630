"""Golden files: every sample's HTML page and Markdown file, byte for byte.

A change in output shows up as a diff of tests/golden/ in review. After an intended change:
    CONVERTER_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py
then read the diff before committing it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from converter import Options, latest, read_articles, render
from converter.output import Names, Report

from .conftest import SAMPLES

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("CONVERTER_UPDATE_GOLDEN") == "1"
FORMATS = {"html": ".html", "markdown": ".md"}


def _outputs() -> list[tuple[str, str, str]]:
    report = Report()
    articles = latest(read_articles([str(SAMPLES)], Options()), report)
    names = Names()
    claimed = [(names.claim(a.slug, a.id), a.id) for a in articles]
    return [(name, fmt, article_id) for name, article_id in claimed for fmt in FORMATS]


CASES = _outputs()
_BY_ID = {a.id: a for a in latest(read_articles([str(SAMPLES)], Options()), Report())}


@pytest.mark.parametrize(
    ("name", "fmt", "article_id"), CASES, ids=[f"{f}:{n}" for n, f, _ in CASES]
)
def test_output_matches_the_golden_file(name: str, fmt: str, article_id: str) -> None:
    data = render(fmt, [_BY_ID[article_id]], Options())
    path = GOLDEN / fmt / (name + FORMATS[fmt])
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    assert path.exists(), f"no golden file {path}: run with CONVERTER_UPDATE_GOLDEN=1"
    assert data == path.read_bytes()


def test_every_golden_file_belongs_to_a_sample() -> None:
    expected = {f"{fmt}/{name}{FORMATS[fmt]}" for name, fmt, _ in CASES}
    present = {p.relative_to(GOLDEN).as_posix() for p in GOLDEN.rglob("*") if p.is_file()}
    assert present == expected
