"""The registry's commands (issue 12): ninjs and sitemap as commands and in export, run as a
user runs them (subprocesses); typed options with one validation; identical warnings printed
once; no function in converter/ longer than 80 lines."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from dataclasses import fields, replace
from datetime import datetime
from pathlib import Path

import pytest

from converter import Options
from converter.adapters import ADAPTERS, Kind
from converter.export import FORMATS
from converter.options import EpubOptions, FeedOptions, FetchOptions, OptionError
from converter.output import Note, collapse
from converter.settings import SETTINGS

from .conftest import ROOT, run_cli, sample_articles
from .test_isolation import BAD, errors_of, run_faulty
from .test_ninjs import errors as ninjs_errors
from .test_sitemap import check_files

NOW = "2025-03-01T00:00:00+00:00"


def faulty_input(tmp_path: Path) -> tuple[Path, list[dict[str, object]]]:
    """The JSON Lines sample with its first article renamed BAD (the one the faults hit)."""
    source = tmp_path / "in.jsonl"
    lines = (ROOT / "samples" / "11-lines.jsonl").read_text("utf-8").splitlines()
    records = [json.loads(line) for line in lines if line.strip()]
    records[0]["id"] = BAD
    source.write_text("\n".join(json.dumps(r) for r in records) + "\n", "utf-8")
    return source, records


# ---------------------------------------------------------------------------------------------
# ninjs


def test_ninjs_command_writes_one_valid_document_per_article(tmp_path: Path) -> None:
    proc = run_cli("ninjs", "samples", "-o", str(tmp_path), "--copyright-holder", "DM")
    assert proc.returncode == 0, proc.stderr
    docs = [json.loads(p.read_bytes()) for p in sorted(tmp_path.glob("*.json"))]
    assert len(docs) == len({a.id for a in sample_articles()}) == 20
    for doc in docs:
        assert ninjs_errors(doc, "3.1") == [], doc["uri"]
        assert doc["copyrightHolder"] == "DM"
    assert "converted 20, skipped 1, failed 0" in proc.stderr


def test_ninjs_version_flag_and_stdout_for_one_article(tmp_path: Path) -> None:
    proc = run_cli("ninjs", "samples/01-seed.txt", "-o", "-", "--ninjs-version", "2.1")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert ninjs_errors(doc, "2.1") == [] and doc["standard"]["version"] == "2.1"


def test_ninjs_stdout_with_many_articles_is_a_usage_error(tmp_path: Path) -> None:
    proc = run_cli("ninjs", "samples", "-o", "-")
    assert proc.returncode == 2 and proc.stdout == ""
    assert "-o - writes one article's ninjs document; the inputs hold 20" in proc.stderr
    proc = run_cli("ninjs", "samples", "-o", str(tmp_path), "--ninjs-version", "3")
    assert proc.returncode == 2 and "--ninjs-version must be one of 3.1, 2.1" in proc.stderr


def test_ninjs_failure_isolation(tmp_path: Path) -> None:
    source, records = faulty_input(tmp_path)
    # the ninjs adapter's document for BAD raises: that article fails, the rest are written
    code = (
        "import sys\n"
        "from converter.adapters import ninjs\n"
        "original = ninjs.document\n"
        "def faulty(article, options):\n"
        f"    if article.id == {BAD!r}: raise ZeroDivisionError('injected')\n"
        "    return original(article, options)\n"
        "ninjs.document = faulty\n"
        f"sys.argv = ['converter', 'ninjs', {str(source)!r}, '-o', {str(tmp_path / 'out')!r}]\n"
        "from converter.cli import main\n"
        "main()\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, env=env, check=False)  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    (error,) = errors_of(proc)
    assert BAD in error and "render" in error and "ZeroDivisionError" in error
    assert len(list((tmp_path / "out").glob("*.json"))) == len(records) - 1


# ---------------------------------------------------------------------------------------------
# sitemap


def test_sitemap_command_writes_valid_sitemaps(tmp_path: Path) -> None:
    base = "https://example.org/maps/"
    proc = run_cli("sitemap", "samples", "-o", str(tmp_path), "--now", NOW,
                   "--sitemap-base-url", base)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    names = ["sitemap-1.xml", "sitemap-index.xml", "news-sitemap.xml"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names)
    options = Options(now=datetime.fromisoformat(NOW), sitemap_base_url=base)
    urls = check_files([(n, (tmp_path / n).read_bytes()) for n in names], options)
    assert len(urls) == 17 and "converted 17, skipped 4, failed 0" in proc.stderr


def test_sitemap_needs_a_directory_and_a_valid_now(tmp_path: Path) -> None:
    proc = run_cli("sitemap", "samples", "-o", "-")
    assert proc.returncode == 2 and "-o DIRECTORY" in proc.stderr
    proc = run_cli("sitemap", "samples", "-o", str(tmp_path), "--now", "yesterday")
    assert proc.returncode == 2 and "--now" in proc.stderr


# ---------------------------------------------------------------------------------------------
# export: both new formats, with any --jobs, and failure isolation


def tree(root: Path) -> dict[str, bytes]:
    skip = ("report.json", "manifest.json", "state/")
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not str(p.relative_to(root)).startswith(skip)
    }


def test_export_writes_ninjs_and_sitemaps_identically_for_any_jobs(tmp_path: Path) -> None:
    outs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"j{jobs}"
        proc = run_cli("export", "samples", "-o", str(out), "--formats", "ninjs,sitemap",
                       "--jobs", jobs, "--now", NOW)  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        outs.append(tree(out))
    assert outs[0] == outs[1]
    files = outs[0]
    ninjs = [n for n in files if n.startswith("ninjs/")]
    assert len(ninjs) == 20
    assert all(ninjs_errors(json.loads(files[n])) == [] for n in ninjs)
    single = tmp_path / "single"
    assert run_cli("sitemap", "samples", "-o", str(single), "--now", NOW).returncode == 0
    assert {n: files["sitemaps/" + n] for n in tree(single)} == tree(single)
    report = json.loads((tmp_path / "j1" / "report.json").read_text("utf-8"))
    assert report["summary"] == {"converted": 20, "skipped": 1, "failed": 0}


def test_export_ninjs_and_sitemap_leave_a_failed_article_out(tmp_path: Path) -> None:
    source, records = faulty_input(tmp_path)
    out = tmp_path / "out"
    proc = run_faulty("render", ("html",), "export", str(source), "-o", str(out),
                      "--formats", "html,ninjs,sitemap", "--jobs", "2", "--now", NOW)  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    assert len(errors_of(proc)) == 1
    assert not list((out / "ninjs").glob(f"*{BAD}*"))
    assert len(list((out / "ninjs").glob("*.json"))) == len(records) - 1
    assert BAD not in (out / "sitemaps" / "sitemap-1.xml").read_text("utf-8")
    report = json.loads((out / "report.json").read_text("utf-8"))
    (failed,) = [a for a in report["articles"] if a["status"] == "failed"]
    assert failed["id"] == BAD and failed["stage"] == "render"


# ---------------------------------------------------------------------------------------------
# The registry is the one place a format is described


def test_export_formats_and_commands_come_from_the_registry() -> None:
    assert FORMATS == ("html", "markdown", "rss", "atom", "json-feed", "epub", "ninjs", "sitemap")
    proc = run_cli("--help")
    for adapter in ADAPTERS.values():
        assert (f"  {adapter.name} " in proc.stdout) == adapter.command, adapter.name
    kinds = {a.name: a.kind for a in ADAPTERS.values()}
    assert kinds["ninjs"] is Kind.ARTICLE and kinds["sitemap"] is Kind.FILES
    for name in ("ninjs", "sitemap"):
        help_text = run_cli(name, "--help").stdout
        assert f"Example: converter {name}" in help_text
        for flag in ADAPTERS[name].flags:
            assert f"--{flag.name}" in help_text


def test_section_feeds_are_named_alike_in_the_command_and_in_export(tmp_path: Path) -> None:
    assert (
        run_cli("atom", "samples", "--split-by", "category", "-o", str(tmp_path / "a")).returncode
        == 0
    )
    proc = run_cli("export", "samples", "-o", str(tmp_path / "e"), "--formats", "atom")
    assert proc.returncode == 0, proc.stderr
    command = sorted(p.name for p in (tmp_path / "a").iterdir())
    exported = sorted(p.name for p in (tmp_path / "e" / "feeds" / "sections").iterdir())
    assert command == exported and all(n.endswith(".atom") for n in command) and command


# ---------------------------------------------------------------------------------------------
# Options: validated once, at construction, with one message


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: FeedOptions(paywall="Full"), "feed.paywall must be one of summary, full, exclude"),
        (lambda: FeedOptions(limit=-3), "feed.limit must be 0 or more"),
        (lambda: EpubOptions(group_by="week"), "epub.group_by must be one of section, date, none"),
        (lambda: FetchOptions(timeout=0), "fetch.timeout must be more than 0"),
        (lambda: replace(Options(), ninjs_version="3"), "ninjs_version must be one of 3.1, 2.1"),
    ],
)
def test_invalid_options_are_refused_at_construction(make: object, message: str) -> None:
    with pytest.raises(OptionError, match=message):
        make()  # type: ignore[operator]


def test_config_errors_name_the_file_the_key_and_the_allowed_values(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    for text, message in (
        ('[feed]\npaywall = "sometimes"\n', "feed.paywall must be one of summary, full, exclude"),
        ("[feed]\nlimit = -3\n", "feed.limit must be 0 or more, not -3"),
        ('[feed]\nlimit = "3"\n', "feed.limit must be int"),
        ('[epub]\ngroup_by = "week"\n', "epub.group_by must be one of section, date, none"),
    ):
        config.write_text(text, "utf-8")
        proc = run_cli("rss", "samples", "--config", str(config))
        assert proc.returncode == 2, text
        assert f"{config}: {message}" in proc.stderr, proc.stderr
    proc = run_cli("rss", "samples", "--paywall", "Full")
    assert proc.returncode == 2 and "--paywall must be one of summary, full, exclude" in proc.stderr


def test_config_keys_are_the_option_fields() -> None:
    nested = {f"{g}.{f.name}" for g, r in (("feed", FeedOptions), ("epub", EpubOptions),
              ("fetch", FetchOptions)) for f in fields(r)}  # fmt: skip
    paths = {path for path, _ in SETTINGS.values()}
    assert nested <= paths
    assert {"site_title", "site_url", "base_url", "ninjs_version", "sitemap_base_url"} <= paths
    assert SETTINGS["site", "title"][0] == "site_title"
    assert SETTINGS["images", "host_map"][0] == "host_map"
    assert "html_image_width" not in {f.name for f in fields(Options)}  # dead, removed


def test_config_file_sets_the_new_formats_options(tmp_path: Path) -> None:
    (tmp_path / "converter.toml").write_text(
        '[site]\ncopyright_holder = "Daily Maverick"\nninjs_version = "2.1"\n', "utf-8"
    )
    proc = run_cli("ninjs", str(ROOT / "samples" / "01-seed.txt"), "-o", "-", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["copyrightholder"] == "Daily Maverick" and ninjs_errors(doc, "2.1") == []


# ---------------------------------------------------------------------------------------------
# Identical warnings once per run


def test_collapse_keeps_the_first_place_and_counts_the_rest() -> None:
    lines: list[str] = [Note(f"f: record {n}: article {n}", "unknown shortcode [x] removed")
                        for n in range(1, 501)]  # fmt: skip
    lines.append("a plain line")
    assert collapse(lines) == [
        "f: record 1: article 1: unknown shortcode [x] removed (and 499 more)",
        "a plain line",
    ]


@pytest.mark.parametrize(
    "command", [("html",), ("markdown",), ("export", "--jobs", "2", "--formats", "html,ninjs")]
)
def test_identical_warnings_are_printed_once_and_reported_in_full(
    command: tuple[str, ...], tmp_path: Path
) -> None:
    record = json.loads((ROOT / "samples" / "01-seed.txt").read_text("utf-8").split("\n", 1)[1])
    source = tmp_path / "many.jsonl"
    rows = []
    for n in range(30):
        rows.append({**record, "id": str(9000 + n), "slug": f"s{n}",
                     "contents": "<p>x [related_article id=\"1\"] y</p>"})  # fmt: skip
    source.write_text("\n".join(json.dumps(r) for r in rows) + "\n", "utf-8")
    out = tmp_path / "out"
    proc = run_cli(command[0], str(source), "-o", str(out), *command[1:])
    assert proc.returncode == 0, proc.stderr
    shown = [line for line in proc.stderr.splitlines() if "related_article" in line]
    assert len(shown) == 1 and shown[0].endswith("(and 29 more)"), shown
    assert "article 9000" in shown[0]
    assert "warnings 30" in proc.stderr
    if command[0] == "export":
        report = json.loads((out / "report.json").read_text("utf-8"))
        assert len([w for w in report["warnings"] if "related_article" in w]) == 30
    strict = run_cli(command[0], str(source), "-o", str(tmp_path / "s"), "--strict", *command[1:])
    assert strict.returncode == 1 and strict.stderr.count("related_article") == 30


# ---------------------------------------------------------------------------------------------
# Short functions


MAX_LINES = 80
ELSEWHERE: set[tuple[str, str]] = set()  # (file, function) allowed to be longer: none


def test_no_function_in_converter_is_longer_than_80_lines() -> None:
    long = []
    for path in sorted((ROOT / "converter").rglob("*.py")):
        name = str(path.relative_to(ROOT))
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                size = (node.end_lineno or node.lineno) - node.lineno + 1
                if size > MAX_LINES and (name, node.name) not in ELSEWHERE:
                    long.append(f"{name}: {node.name} ({size} lines)")
    assert long == []
    # the checker sees long functions: a synthetic one is caught
    body = "\n".join(f"    x{n} = {n}" for n in range(MAX_LINES))
    (node,) = ast.parse(f"def f():\n{body}\n").body
    assert isinstance(node, ast.FunctionDef) and node.end_lineno == MAX_LINES + 1


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.mark.parametrize("fmt", [a.name for a in ADAPTERS.values() if a.per_article])
def test_per_article_commands_write_the_same_bytes_for_any_jobs(fmt: str, tmp_path: Path) -> None:
    """--jobs N renders in worker processes (engine/pool.py); the files, the report on stderr
    and the exit status are those of the serial run (the default)."""
    runs = {}
    for label, extra in (("serial", ()), ("j1", ("--jobs", "1")), ("j2", ("-j", "2"))):
        out = tmp_path / label
        proc = run_cli(fmt, "samples", "-o", str(out), "-v", *extra)
        stderr = proc.stderr.replace(str(out), "OUT")
        runs[label] = (proc.returncode, stderr, _tree(out))
    _code, stderr, files = runs["serial"]
    assert len(files) > 5 and "OUT" in stderr, stderr  # every sample article, each named
    assert runs["j1"] == runs["serial"]
    assert runs["j2"] == runs["serial"]


def test_per_article_jobs_must_be_one_or_more(tmp_path: Path) -> None:
    proc = run_cli("markdown", "samples", "-o", str(tmp_path), "--jobs", "0")
    assert proc.returncode != 0 and "--jobs must be 1 or more" in proc.stderr
    assert not list(tmp_path.iterdir())
