"""One naming rule for every command, ``export --prune``, and report.json's field apart from
its reason (issue 14, item 5). Through the real CLI, on real files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "02-legacy-2016-span-style.json"
OTHER = ROOT / "samples" / "06-embeds.json"


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "converter", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )


def copy(slug: str, updated: str, source: Path = SAMPLE) -> dict[str, Any]:
    record: dict[str, Any] = json.loads(source.read_text(encoding="utf-8"))
    return {**record, "slug": slug, "lastUpdate": updated}


def jsonl(path: Path, *records: dict[str, Any]) -> str:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return str(path)


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize("newer_first", [False, True], ids=["newer-last", "newer-first"])
def test_html_markdown_and_export_name_an_updated_slug_alike(
    tmp_path: Path, newer_first: bool
) -> None:
    old = copy("old-slug", "2020-01-01 10:00:00")
    new = copy("new-slug", "2021-01-01 10:00:00")
    inputs = jsonl(tmp_path / "in.jsonl", *((new, old) if newer_first else (old, new)))
    for command in ("html", "markdown"):
        proc = cli(command, inputs, "-o", str(tmp_path / command))
        assert proc.returncode == 0, proc.stderr
    proc = cli("export", inputs, "-o", str(tmp_path / "e"), "--formats", "html,markdown")
    assert proc.returncode == 0, proc.stderr
    # The slug of the copy kept (the newer one) names the files, whatever the command.
    assert names(tmp_path / "html") == names(tmp_path / "e" / "html") == ["new-slug.html"]
    assert names(tmp_path / "markdown") == names(tmp_path / "e" / "markdown") == ["new-slug.md"]
    manifest = json.loads((tmp_path / "e" / "manifest.json").read_text(encoding="utf-8"))
    assert [e["name"] for e in manifest["articles"].values()] == ["new-slug"]


def export(inputs: str, out: Path, *more: str) -> None:
    proc = cli("export", inputs, "-o", str(out), "--formats", "html,markdown,ninjs", *more)
    assert proc.returncode == 0, proc.stderr


def test_prune_removes_only_the_files_of_articles_that_left(tmp_path: Path) -> None:
    out = tmp_path / "out"
    kept, gone = copy("kept", "2021-01-01 10:00:00"), copy("gone", "2021-01-01 10:00:00", OTHER)
    export(jsonl(tmp_path / "both.jsonl", kept, gone), out)
    assert names(out / "html") == ["gone.html", "kept.html"]
    (out / "html" / "notes.html").write_text("the user's own file")
    (out / "markdown" / "gone-draft.md").write_text("the user's own file")
    only = jsonl(tmp_path / "one.jsonl", kept)
    export(only, out)  # without --prune nothing is removed
    assert names(out / "html") == ["gone.html", "kept.html", "notes.html"]
    export(only, out, "--prune")
    assert names(out / "html") == ["kept.html", "notes.html"]
    assert names(out / "markdown") == ["gone-draft.md", "kept.md"]
    assert names(out / "ninjs") == ["kept.json"]


def test_prune_removes_the_old_name_of_a_renamed_article(tmp_path: Path) -> None:
    out = tmp_path / "out"
    export(jsonl(tmp_path / "a.jsonl", copy("before", "2021-01-01 10:00:00")), out)
    export(jsonl(tmp_path / "b.jsonl", copy("after", "2022-01-01 10:00:00")), out, "--prune")
    assert names(out / "html") == ["after.html"]
    assert names(out / "markdown") == ["after.md"]


def test_prune_keeps_a_name_another_article_now_has(tmp_path: Path) -> None:
    out = tmp_path / "out"
    export(jsonl(tmp_path / "a.jsonl", copy("shared", "2021-01-01 10:00:00")), out)
    other = copy("shared", "2021-01-01 10:00:00", OTHER)  # another id, the same slug
    export(jsonl(tmp_path / "b.jsonl", other), out, "--prune")
    assert names(out / "html") == ["shared.html"]
    assert str(other["id"]) in (out / "ninjs" / "shared.json").read_text(encoding="utf-8")


def test_prune_never_follows_a_hand_edited_manifest_out(tmp_path: Path) -> None:
    out = tmp_path / "out"
    export(jsonl(tmp_path / "a.jsonl", copy("kept", "2021-01-01 10:00:00")), out)
    victim = tmp_path / "victim.html"
    victim.write_text("not the converter's")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    manifest["articles"]["999"] = {"name": "../../victim", "lastUpdate": ""}
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    export(jsonl(tmp_path / "a.jsonl", copy("kept", "2021-01-01 10:00:00")), out, "--prune")
    assert victim.read_text() == "not the converter's"
    assert names(out / "html") == ["kept.html"]


def test_report_keeps_the_field_apart_from_the_reason(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"id": "9", "title": "t", "firstPublished": "soon"}', encoding="utf-8")
    proc = cli("export", str(bad), "-o", str(tmp_path / "out"), "--formats", "html", "--strict")
    assert proc.returncode == 1
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    (entry,) = report["articles"]
    assert entry["field"] == "firstPublished"
    assert entry["reason"].startswith("cannot parse date 'soon'")
    assert "firstPublished" not in entry["reason"] and str(bad) not in entry["reason"]
    # stderr keeps its one line with every part in place
    assert f"{bad}: record 1: article 9: field firstPublished: cannot parse date" in proc.stderr
