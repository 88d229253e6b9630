"""The CLI end to end, in a subprocess, as users run it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from .conftest import ROOT, run_cli

SEED_FILE = ROOT / "samples" / "01-seed.txt"


BAD_DATE = "samples/14-invalid-bad-date.json"
BAD_DATE_REASON = (
    "samples/14-invalid-bad-date.json: record 1: article 2563201: field firstPublished: "
    "cannot parse date '27/01/2025 around 5am' (expected YYYY-MM-DD HH:MM:SS)"
)


@pytest.mark.parametrize("fmt", ["html", "markdown"])
def test_samples_convert_and_the_bad_date_is_a_warning(fmt: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = run_cli(fmt, "samples", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert not [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    warning = f"warning: {BAD_DATE_REASON}; kept without this date (left out of feeds)"
    assert warning in proc.stderr.splitlines()
    assert "converted 20, skipped 1, failed 0" in proc.stderr.splitlines()[-1]
    suffix = ".html" if fmt == "html" else ".md"
    assert len(list(out.glob(f"*{suffix}"))) == 20
    text = (out / f"gauteng-e-toll-gantries-to-be-dismantled-from-march{suffix}").read_text("utf-8")
    assert "Gauteng e-toll gantries" in text and "2025-01-27T05:40:12+02:00" in text  # lastUpdate
    if fmt == "html":
        assert "<time" not in text and "datePublished" not in text
        assert "article:published_time" not in text
    else:
        assert "\ndate:" not in text and "\nlastmod: 2025-01-27T05:40:12+02:00\n" in text
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("fmt", ["html", "markdown"])
def test_with_strict_the_bad_date_fails_as_before(fmt: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = run_cli(fmt, BAD_DATE, str(SEED_FILE), "-o", str(out), "--strict")
    assert proc.returncode == 1
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert errors == [f"error: {BAD_DATE_REASON}"]
    assert "converted 1, skipped 0, failed 1" in proc.stderr.splitlines()[-1]
    assert [p.name for p in out.iterdir()] == [
        "how-china-can-keep-pace-in-the-global-ai-race" + (".html" if fmt == "html" else ".md")
    ]


def test_a_hostile_slug_writes_inside_the_output_directory(tmp_path: Path) -> None:
    out = tmp_path / "a" / "b"
    proc = run_cli("html", "samples/13-hostile.json", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert [p.name for p in out.iterdir()] == ["etc-passwd.html"]
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == [
        "a",
        "a/b",
        "a/b/etc-passwd.html",
    ]


def test_duplicates_newest_last_update_wins_once(tmp_path: Path) -> None:
    proc = run_cli(
        "markdown", "samples/10-array.json", "samples/11-lines.jsonl", "-o", str(tmp_path)
    )
    assert proc.returncode == 0, proc.stderr
    texts = [p.read_text(encoding="utf-8") for p in tmp_path.glob("*.md")]
    winners = [t for t in texts if 'id: "1560201"' in t]
    assert len(winners) == 1
    assert "updated with Treasury" in winners[0]
    assert "converted 5, skipped 1, failed 0" in proc.stderr


def test_stdin_is_an_input(tmp_path: Path) -> None:
    record = json.loads(SEED_FILE.read_text(encoding="utf-8").partition("\n")[2])
    proc = run_cli("html", "-", "-o", str(tmp_path), stdin=json.dumps({"data": [record]}).encode())
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "how-china-can-keep-pace-in-the-global-ai-race.html").exists()


BAD_INPUTS = [
    ("not an object", b"[1]", "item 1: expected an article object, got int"),
    ("no id", b'{"title": "t", "contents": "c"}', "record 1: field id: missing"),
    ("neither title nor contents", b'{"id": "9"}', "record 1: article 9: field title: neither title nor contents"),
    ("invalid JSON", b'{"id": "9",\n "title": }', "line 2 column 11: invalid JSON: Expecting value"),
    ("undecodable bytes", b'{"id": "9", "title": "\xff"}', "byte 22: not valid UTF-8"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("data", "message"), [c[1:] for c in BAD_INPUTS], ids=[c[0] for c in BAD_INPUTS]
)
def test_bad_input_is_one_clear_line_and_the_rest_still_converts(
    data: bytes, message: str, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(data)
    out = tmp_path / "out"
    proc = run_cli("html", str(bad), str(SEED_FILE), "-o", str(out))
    assert proc.returncode == 1
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and str(bad) in errors[0] and message in errors[0], proc.stderr
    assert "Traceback" not in proc.stderr
    assert (out / "how-china-can-keep-pace-in-the-global-ai-race.html").exists()
    assert "converted 1, skipped 0, failed 1" in proc.stderr


@pytest.mark.parametrize("command", ["html", "markdown"])
def test_every_command_has_help_with_an_example(command: str) -> None:
    proc = run_cli(command, "--help")
    assert proc.returncode == 0
    assert "Example: converter " + command in proc.stdout
    assert "--output" in proc.stdout


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run_cli("html", "samples", "--no-such-flag").returncode == 2
    proc = run_cli("html", "samples", "-o", str(tmp_path), "--timezone", "Mars/Olympus")
    assert proc.returncode == 2 and "unknown time zone" in proc.stderr
    assert run_cli("rss-nope", "samples").returncode == 2


def test_config_file_settings_and_flag_override(tmp_path: Path) -> None:
    (tmp_path / "converter.toml").write_text(
        '[site]\ntitle = "Partner Feed"\nbase_url = "https://www.dailymaverick.co.za"\ntimezone = "UTC"\n',
        encoding="utf-8",
    )
    out = tmp_path / "out"
    proc = run_cli("html", str(SEED_FILE), "-o", str(out), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    page = (out / "how-china-can-keep-pace-in-the-global-ai-race.html").read_text(encoding="utf-8")
    assert "| Partner Feed</title>" in page
    assert 'href="https://www.dailymaverick.co.za/article/2025-01-27-how-china' in page
    assert 'datetime="2025-01-27T05:21:59+00:00"' in page
    proc = run_cli(
        "html", str(SEED_FILE), "-o", str(out), "--timezone", "Africa/Johannesburg", cwd=tmp_path
    )
    page = (out / "how-china-can-keep-pace-in-the-global-ai-race.html").read_text(encoding="utf-8")
    assert 'datetime="2025-01-27T05:21:59+02:00"' in page
    (tmp_path / "converter.toml").write_text("[site]\ncolour = 'red'\n", encoding="utf-8")
    proc = run_cli("html", str(SEED_FILE), "-o", str(out), cwd=tmp_path)
    assert proc.returncode == 2 and "unknown setting site.colour" in proc.stderr


def test_strict_turns_warnings_into_failures(tmp_path: Path) -> None:
    sample = "samples/05-caption-shortcodes.json"
    assert run_cli("html", sample, "-o", str(tmp_path)).returncode == 0
    proc = run_cli("html", sample, "-o", str(tmp_path / "strict"), "--strict")
    assert proc.returncode == 1 and "gallery" in proc.stderr


def test_quiet_prints_only_errors(tmp_path: Path) -> None:
    proc = run_cli("html", "samples", "-o", str(tmp_path), "--quiet")
    assert proc.returncode == 0 and proc.stderr == ""  # warnings and the summary are not shown
    proc = run_cli("html", "samples", "-o", str(tmp_path), "--quiet", "--strict")
    assert proc.returncode == 1 and proc.stderr
    assert all(line.startswith("error:") for line in proc.stderr.splitlines())


def test_python_dash_m_and_version() -> None:
    proc = run_cli("--version")
    assert proc.returncode == 0 and proc.stdout.startswith("converter ")


def test_version_is_one_value_for_the_api_and_the_command() -> None:
    import converter
    from converter import _native

    proc = run_cli("--version")
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"converter {converter.__version__} ({_native.status()})"
    assert re.fullmatch(r"\d+\.\d+\.\d+", converter.__version__)


def test_css_flag_replaces_the_default_stylesheet(tmp_path: Path) -> None:
    css = tmp_path / "house.css"
    css.write_text("body{font-family:Georgia}</style><script>x</script>", "utf-8")
    proc = run_cli("html", "samples/01-seed.txt", "-o", str(tmp_path / "out"), "--css", str(css))
    assert proc.returncode == 0, proc.stderr
    (page,) = (tmp_path / "out").glob("*.html")
    import html5lib

    tree = html5lib.parse(page.read_bytes(), namespaceHTMLElements=False)
    (style,) = tree.iter("style")
    assert style.text is not None and style.text.startswith("body{font-family:Georgia}")
    assert not list(tree.iter("script"))[1:]  # the JSON-LD only: the CSS could not end <style>
    missing = run_cli(
        "html", "samples/01-seed.txt", "-o", str(tmp_path / "o2"), "--css", "nope.css"
    )
    assert missing.returncode == 2 and "--css" in missing.stderr
