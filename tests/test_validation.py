"""One validation for the API, the flags and the config file (converter/options.py ``check``),
directory inputs (hidden files, ``*.txt``, no articles and ``--allow-empty``) and ``--shard
auto`` from a job array's environment. Each table is (input, expected)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from converter.cli import app
from converter.errors import InputError, UsageError
from converter.inputs import expand_paths, read_records
from converter.options import (
    EpubOptions,
    FeedOptions,
    FetchOptions,
    OptionError,
    Options,
    Shard,
    language_problem,
    parse_shard,
    url_problem,
)
from converter.settings import build, load_config

from .conftest import ROOT, run_cli

SEED = ROOT / "samples" / "01-seed.txt"

# ---------------------------------------------------------------------------------------------
# URLs and language tags: the two checks on their own


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://www.dailymaverick.co.za", ""),
        ("http://localhost:8080/feeds/rss.xml", ""),
        ("https://example.org/a?b=c&d=e#f", ""),
        ("https://bücher.example/", ""),
        ("www.dailymaverick.co.za", "did you mean 'https://www.dailymaverick.co.za'?"),
        ("notaurl", "(not an absolute URL)"),
        ("//cdn.example.org/x", "with its scheme (https://cdn.example.org/x)"),
        ("https://", "(no host)"),
        ("ftp://example.org/", "scheme 'ftp' is not allowed"),
        ("mailto:news@example.org", "scheme 'mailto' is not allowed"),
        ("https://example.org:99999/", "bad port"),
        (" https://example.org/", "without spaces"),
        ("https://example.org/a b", "without spaces"),
    ],
)
def test_url_problem(value: str, expected: str) -> None:
    problem = url_problem(value)
    if not expected:
        assert problem == ""
    else:
        assert problem.startswith("must be an absolute http(s) URL") and expected in problem
    if "did you mean" not in expected:
        assert "did you mean" not in problem


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("en", ""),
        ("en-ZA", ""),
        ("EN-za", ""),  # tags are case-insensitive
        ("nso", ""),
        ("zh-Hans-SG", ""),
        ("sr-Latn-RS", ""),
        ("es-419", ""),
        ("de-CH-1901", ""),
        ("sl-rozaj-biske", ""),
        ("zh-yue-HK", ""),  # extlang
        ("en-a-bbb-x-a-ccc", ""),  # after x- anything repeats
        ("x-whatever", ""),  # private use only
        ("i-klingon", ""),  # grandfathered
        ("en-GB-oed", ""),
        ("en_US", "did you mean 'en-US'?"),
        ("zh_hant_tw", "did you mean 'zh-Hant-TW'?"),
        ("pt_br", "did you mean 'pt-BR'?"),
        ("", "not ''"),
        ("1", "not '1'"),
        ("e", "not 'e'"),
        ("en-", "not 'en-'"),
        ("en--US", "not 'en--US'"),
        ("english language", "not 'english language'"),
        ("toolongtag", "not 'toolongtag'"),  # languages are at most 8 letters
        ("en-a-bbb-a-ccc", "an extension repeats"),
        ("en-US-x", "not 'en-US-x'"),  # a private-use singleton needs a subtag
    ],
)
def test_language_problem(tag: str, expected: str) -> None:
    problem = language_problem(tag)
    if not expected:
        assert problem == ""
    else:
        assert problem.startswith("must be a BCP 47 language tag") and expected in problem


# ---------------------------------------------------------------------------------------------
# The API: refused at construction (and by dataclasses.replace), with the field's name


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda: Options(base_url="www.dailymaverick.co.za"), "base_url must be an absolute"),
        (lambda: Options(site_url="dailymaverick.co.za"), "site_url must be an absolute"),
        (lambda: Options(sitemap_base_url="maps/"), "sitemap_base_url must be an absolute"),
        (lambda: Options(language="en_US"), "language must be a BCP 47 language tag"),
        (lambda: Options(timezone="Mars/Olympus_Mons"), "timezone must be an IANA time zone"),
        (lambda: Options(timezone=""), "timezone must be an IANA time zone"),
        (lambda: FeedOptions(feed_url="notaurl"), "feed.feed_url must be an absolute"),
        (lambda: FeedOptions(hub="hub.example.org"), "feed.hub must be an absolute"),
        (lambda: FeedOptions(xsl="ftp://x.org/a.xsl"), "feed.xsl must be an absolute"),
        (lambda: FeedOptions(xsl="javascript:alert(1)"), "feed.xsl must be an absolute"),
        (lambda: FeedOptions(xsl="/rss style.xsl"), "feed.xsl must be a URL or a relative"),
        (lambda: FeedOptions(image="/logo.png"), "feed.image must be an absolute"),
        (lambda: FeedOptions(icon="//x.org/i.png"), "feed.icon must be an absolute"),
        (lambda: FeedOptions(limit=-1), "feed.limit must be 0 or more"),
        (lambda: FeedOptions(ttl=-5), "feed.ttl must be 0 or more"),
        (lambda: FeedOptions(paywall="Full"), "feed.paywall must be one of summary, full, exclude"),
        (lambda: EpubOptions(image_width=0), "epub.image_width must be more than 0"),
        (lambda: FetchOptions(concurrency=0), "fetch.concurrency must be more than 0"),
        (lambda: FetchOptions(timeout=-1.5), "fetch.timeout must be more than 0"),
        (lambda: replace(Options(), language="en_GB"), "did you mean 'en-GB'?"),
        (lambda: Options(language=None), "language must be a string"),  # type: ignore[arg-type]
    ],
)
def test_the_api_refuses_bad_values(make: Callable[[], object], expected: str) -> None:
    with pytest.raises(OptionError, match=re.escape(expected)):
        make()


def test_option_errors_are_usage_errors_and_value_errors() -> None:
    with pytest.raises(UsageError) as caught:
        Options(language="en_US")
    assert isinstance(caught.value, ValueError) and caught.value.exit_code == 2


@pytest.mark.parametrize(
    "make",
    [
        lambda: Options(base_url=None, sitemap_base_url=""),  # not set: the defaults apply
        lambda: Options(base_url="https://www.dailymaverick.co.za", language="af-ZA"),
        lambda: Options(timezone="UTC"),
        lambda: FeedOptions(feed_url="", hub="", xsl="", image="", icon="", limit=0, ttl=0),
        lambda: FeedOptions(xsl="/rss.xsl"),  # relative to the feed: the usual form
        lambda: FeedOptions(xsl="feed.xsl"),
        lambda: FeedOptions(xsl="https://example.org/rss.xsl"),
        lambda: FeedOptions(feed_url="https://www.dailymaverick.co.za/feeds/rss.xml"),
    ],
)
def test_the_api_takes_good_values(make: Callable[[], object]) -> None:
    make()


# ---------------------------------------------------------------------------------------------
# The flags: the same messages, exit status 2, nothing written


FLAG_CASES = [
    (("rss", "--base-url", "www.dailymaverick.co.za"), "--base-url must be an absolute http(s)"),
    (("rss", "--feed-url", "notaurl"), "--feed-url must be an absolute http(s) URL"),
    (("atom", "--hub", "hub.example.org"), "did you mean 'https://hub.example.org'?"),
    (("html", "--language", "en_US"), "--language must be a BCP 47 language tag"),
    (("html", "--language", "en_US"), "did you mean 'en-US'?"),
    (("markdown", "--timezone", "Mars/Base"), "--timezone must be an IANA time zone name"),
    (("rss", "--limit", "-3"), "--limit must be 0 or more, not -3"),
    (("rss", "--paywall", "Full"), "--paywall must be one of summary, full, exclude"),
    (("epub", "--group-by", "week"), "--group-by must be one of section, date, none"),
    (("epub", "--image-width", "0"), "--image-width must be more than 0"),
    (("ninjs", "--ninjs-version", "3"), "--ninjs-version must be one of 3.1, 2.1"),
    (("sitemap", "--sitemap-base-url", "maps/"), "--sitemap-base-url must be an absolute"),
    (("export", "--feed-url", "feeds/rss.xml"), "--feed-url must be an absolute http(s) URL"),
    (("export", "--shard", "3/2"), "--shard 3/2: I/N needs 1 <= I <= N"),
    (("export", "--jobs", "0"), "--jobs must be 1 or more"),
]


@pytest.mark.parametrize(("args", "expected"), FLAG_CASES)
def test_bad_flags_are_usage_errors(args: tuple[str, ...], expected: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(app, [args[0], str(SEED), "-o", str(out), *args[1:]])
    assert result.exit_code == 2, result.output
    assert expected in result.stderr, result.stderr
    assert not out.exists()


def test_a_bad_flag_in_a_real_process_exits_2() -> None:
    proc = run_cli("rss", str(SEED), "--language", "en_US")
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == (
        "converter: --language must be a BCP 47 language tag such as en or en-ZA, not 'en_US';"
        " did you mean 'en-US'?\n"
    )


# ---------------------------------------------------------------------------------------------
# The config file: the same checks, naming the file, the key and what is allowed


CONFIG_CASES = [
    ('[site]\nbase_url = "www.dailymaverick.co.za"\n', "site.base_url must be an absolute http"),
    ('[site]\nurl = "dailymaverick.co.za"\n', "site.url must be an absolute http(s) URL"),
    ('[site]\nlanguage = "en_US"\n', "site.language must be a BCP 47 language tag"),
    ('[site]\nlanguage = "en_US"\n', "did you mean 'en-US'?"),
    ('[site]\ntimezone = "Africa/Joburg"\n', "site.timezone must be an IANA time zone name"),
    ('[feed]\nfeed_url = "rss.xml"\n', "feed.feed_url must be an absolute http(s) URL"),
    ('[feed]\nhub = "//hub.example.org/"\n', "feed.hub must be an absolute http(s) URL with"),
    ('[feed]\npaywall = "sometimes"\n', "feed.paywall must be one of summary, full, exclude"),
    ("[feed]\nlimit = -3\n", "feed.limit must be 0 or more, not -3"),
    ('[feed]\nlimit = "3"\n', "feed.limit must be int"),
    ("[fetch]\ntimeout = 0\n", "fetch.timeout must be more than 0, not 0"),
    ('[epub]\ngroup_by = "week"\n', "epub.group_by must be one of section, date, none"),
    ("[feed]\nlimmit = 3\n", "unknown setting feed.limmit (known in [feed]: title, description"),
    ("[site]\nstrict = true\n", "unknown setting site.strict (known in [site]: title, url"),
    ("[site]\nallow_empty = true\n", "unknown setting site.allow_empty"),
    ("[sites]\ntitle = 'x'\n", "unknown table [sites] (known: site, images, feed, epub, fetch)"),
    ("[site]\ntitle = \n", "cannot read config"),
]


@pytest.mark.parametrize(("text", "expected"), CONFIG_CASES)
def test_config_errors_name_the_file_and_the_key(text: str, expected: str, tmp_path: Path) -> None:
    config = tmp_path / "site.toml"
    config.write_text(text, "utf-8")
    with pytest.raises(UsageError) as caught:
        build(config, {}, {})
    message = str(caught.value)
    assert message.startswith(f"{config}: "), message
    if expected.startswith(("site.", "feed.", "fetch.", "epub.")):
        # right after the file: its table and key as written there ("site.url", not site_url)
        assert message.startswith(f"{config}: {expected}"), message
    else:
        assert expected in message, message


def test_config_errors_exit_2_from_the_cli(tmp_path: Path) -> None:
    config = tmp_path / "converter.toml"
    config.write_text('[site]\nlanguage = "en_US"\n', "utf-8")
    result = CliRunner().invoke(app, ["html", str(SEED), "-o", str(tmp_path / "o"),
                                      "--config", str(config)])  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr == (
        f"converter: {config}: site.language must be a BCP 47 language tag such as en or en-ZA,"
        " not 'en_US'; did you mean 'en-US'?\n"
    )


def test_a_flag_overrides_a_bad_config_value_only_after_the_file_is_checked(
    tmp_path: Path,
) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[site]\nlanguage = "af-ZA"\n[feed]\nfeed_url = "https://a.example/f"\n')
    settings, where = load_config(config)
    assert settings == {"language": "af-ZA", "feed.feed_url": "https://a.example/f"}
    assert where["language"] == f"{config}: site.language"
    options = build(config, {"language": "en-ZA"}, {"language": "--language"})
    assert (options.language, options.feed.feed_url) == ("en-ZA", "https://a.example/f")


# ---------------------------------------------------------------------------------------------
# Directory inputs


def test_a_directory_skips_hidden_files_and_folders(tmp_path: Path) -> None:
    record = SEED.read_text("utf-8").split("\n", 1)[1]
    (tmp_path / "a.json").write_text(record, "utf-8")
    for hidden in (".git/objects/x.json", ".cache/b.json", "sub/.hidden.json", ".c.jsonl"):
        (tmp_path / hidden).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / hidden).write_text("not json", "utf-8")
    (tmp_path / "sub" / "z.jsonl").write_text(record.replace("\n", " ") + "\n", "utf-8")
    assert [Path(p).relative_to(tmp_path).as_posix() for p in expand_paths([str(tmp_path)])] == [
        "a.json",
        "sub/z.jsonl",
    ]
    # Named on the command line, a hidden file is read like any other.
    assert list(expand_paths([str(tmp_path / ".cache" / "b.json")])) == [
        str(tmp_path / ".cache" / "b.json")
    ]


TXT_CASES = [
    ("dump.txt", SEED.read_bytes(), True),  # the CMS debug dump: header line, then JSON
    ("bom-dump.txt", b"\xef\xbb\xbf\r\nAll Article Properties:\r\n\r\n{}", True),
    ("object.txt", b'  {"id": 1}', True),
    ("array.txt", b"\n[]", True),
    ("lines.txt", b'{"id": 1}\n{"id": 2}\n', True),
    ("notes.txt", b"Remember to export the archive on Friday.\nThanks!\n", False),
    ("README.txt", b"Samples\n=======\n\nSee README.md.\n", False),
    ("LICENSE.txt", b"MIT License\n\nCopyright (c) ...\n", False),
    ("header-only.txt", b"All Article Properties:\n", False),
    ("empty.txt", b"", False),
    ("data.json", b"Not JSON at all", True),  # a *.json is always read (and its error shown)
]


@pytest.mark.parametrize(("name", "data", "taken"), TXT_CASES)
def test_a_txt_in_a_directory_is_an_input_only_when_json_or_a_cms_dump(
    name: str, data: bytes, taken: bool, tmp_path: Path
) -> None:
    (tmp_path / name).write_bytes(data)
    assert list(expand_paths([str(tmp_path)])) == ([str(tmp_path / name)] if taken else [])
    # Given by name, any file is read.
    assert list(expand_paths([str(tmp_path / name)])) == [str(tmp_path / name)]


@pytest.mark.parametrize(
    ("files", "allow_empty", "expected"),
    [
        ({}, False, ["no articles found"]),
        ({}, True, []),
        ({"notes.txt": b"hello\n"}, False, ["no articles found"]),
        ({"a.json": b"[]"}, False, ["no articles found"]),
        ({"a.json": b'{"data": []}'}, True, []),
        ({"a.json": b""}, False, ["empty file: no article"]),  # already an error of its own
        ({"a.json": b""}, True, ["empty file: no article"]),
        ({"a.json": b"{}"}, False, ["record"]),
    ],
)
def test_no_articles_found_is_an_error_unless_allowed(
    files: dict[str, bytes], allow_empty: bool, expected: list[str], tmp_path: Path
) -> None:
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    got = list(read_records([str(tmp_path)], allow_empty=allow_empty))
    seen = [r.reason if isinstance(r, InputError) else "record" for r in got]
    assert [s for s in seen if not any(e in s for e in expected)] == []
    assert len(seen) == len(expected)
    for item in got:
        if isinstance(item, InputError) and "no articles" in item.reason:
            assert item.source == str(tmp_path) and "--allow-empty" in item.reason


@pytest.mark.parametrize("command", ["html", "rss", "epub", "ninjs", "sitemap", "export"])
def test_an_empty_directory_exits_1_unless_allow_empty(command: str, tmp_path: Path) -> None:
    empty = tmp_path / "in"
    (empty / ".git").mkdir(parents=True)
    (empty / ".git" / "HEAD.json").write_text('{"id": 1, "title": "x"}', "utf-8")
    out = tmp_path / ("out.xml" if command == "rss" else "out")
    extra = ["--offline"] if command in ("epub", "export") else []
    result = CliRunner().invoke(app, [command, str(empty), "-o", str(out), *extra])
    assert result.exit_code == 1, result.stderr
    assert f"error: {empty}: no articles found" in result.stderr
    result = CliRunner().invoke(app, [command, str(empty), "-o", str(out), *extra, "--allow-empty"])
    assert result.exit_code == 0, result.stderr
    assert "no articles" not in result.stderr


def test_the_readme_quick_start_exits_0(tmp_path: Path) -> None:
    proc = run_cli("export", "samples", "-o", str(tmp_path / "out"),
                   "--image-root", "samples/uploads", "--offline")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    report = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    assert report["summary"]["failed"] == 0 and report["summary"]["converted"] > 0


# ---------------------------------------------------------------------------------------------
# --shard auto


SHARD_CASES: list[tuple[str, dict[str, str], Shard | str]] = [
    ("2/8", {}, Shard(1, 8)),
    (" 8/8 ", {}, Shard(7, 8)),
    ("0/8", {}, "--shard I must be 1 or more"),
    ("9/8", {}, "--shard 9/8: I/N needs 1 <= I <= N"),
    ("2", {}, "--shard must be I/N (1-based, e.g. 2/8), auto or auto/N, not '2'"),
    ("a/8", {}, "--shard I must be a whole number, not 'a'"),
    ("2/b", {}, "--shard N must be a whole number, not 'b'"),
    # Kubernetes indexed Jobs: JOB_COMPLETION_INDEX is 0-based; the count is given
    ("auto/4", {"JOB_COMPLETION_INDEX": "0"}, Shard(0, 4)),
    ("AUTO/4", {"JOB_COMPLETION_INDEX": "3"}, Shard(3, 4)),
    ("auto/4", {"JOB_COMPLETION_INDEX": "4"}, "task index 4 is outside 0..3"),
    ("auto", {"JOB_COMPLETION_INDEX": "1"}, "use --shard auto/N with N = the Job's spec"),
    ("auto/4", {"JOB_COMPLETION_INDEX": "one"}, "JOB_COMPLETION_INDEX must be a whole number"),
    ("auto/4", {"JOB_COMPLETION_INDEX": "-1"}, "JOB_COMPLETION_INDEX must be 0 or more"),
    # Slurm arrays
    ("auto", {"SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_MIN": "1",
              "SLURM_ARRAY_TASK_COUNT": "8"}, Shard(0, 8)),
    ("auto", {"SLURM_ARRAY_TASK_ID": "8", "SLURM_ARRAY_TASK_MIN": "1",
              "SLURM_ARRAY_TASK_COUNT": "8"}, Shard(7, 8)),
    ("auto", {"SLURM_ARRAY_TASK_ID": "20", "SLURM_ARRAY_TASK_MIN": "0",
              "SLURM_ARRAY_TASK_STEP": "10", "SLURM_ARRAY_TASK_COUNT": "4"}, Shard(2, 4)),
    ("auto", {"SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_MIN": "0",
              "SLURM_ARRAY_TASK_STEP": "10", "SLURM_ARRAY_TASK_COUNT": "4"},
     "is not MIN 0 plus a multiple of STEP 10"),
    ("auto/8", {"SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_MIN": "0",
                "SLURM_ARRAY_TASK_COUNT": "8"}, Shard(3, 8)),
    ("auto/4", {"SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_MIN": "0",
                "SLURM_ARRAY_TASK_COUNT": "8"}, "--shard auto/4: SLURM_ARRAY_TASK_COUNT is 8"),
    ("auto/6", {"SLURM_ARRAY_TASK_ID": "5"}, Shard(5, 6)),  # MIN 0 and the count given
    ("auto", {"SLURM_ARRAY_TASK_ID": "5"}, "SLURM_ARRAY_TASK_COUNT is not set"),
    ("auto", {"SLURM_ARRAY_TASK_ID": "9", "SLURM_ARRAY_TASK_MIN": "0",
              "SLURM_ARRAY_TASK_COUNT": "8"}, "task index 9 is outside 0..7"),
    # neither, or both
    ("auto", {}, "not in a job array (neither JOB_COMPLETION_INDEX"),
    ("auto/4", {"PATH": "/bin"}, "not in a job array"),
    ("auto/4", {"JOB_COMPLETION_INDEX": "1", "SLURM_ARRAY_TASK_ID": "1"}, "both"),
]  # fmt: skip


@pytest.mark.parametrize(("spec", "environ", "expected"), SHARD_CASES)
def test_parse_shard(spec: str, environ: dict[str, str], expected: Shard | str) -> None:
    if isinstance(expected, Shard):
        assert parse_shard(spec, environ) == expected
    else:
        with pytest.raises(UsageError, match=re.escape(expected)):
            parse_shard(spec, environ)


def _clean_environ(**extra: str) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items()
               if not k.startswith(("SLURM_", "JOB_COMPLETION_INDEX"))}  # fmt: skip
    return {**environ, "PYTHONPATH": str(ROOT), **extra}


def _export(args: list[str], environ: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "converter", "export", *args], cwd=ROOT,
                          env=environ, capture_output=True, text=True, timeout=300)  # fmt: skip


def test_shard_auto_in_real_processes_partitions_like_i_of_n(tmp_path: Path) -> None:
    """Two Kubernetes-style tasks and two Slurm-style tasks (1-based array) write the same
    shards as --shard 1/2 and 2/2 would; together they hold every article once."""
    common = ["samples", "--formats", "markdown", "-q"]
    names: list[set[str]] = []
    for index in (0, 1):
        k8s, slurm, plain = (tmp_path / f"{kind}{index}" for kind in ("k", "s", "p"))
        env = _clean_environ(JOB_COMPLETION_INDEX=str(index))
        assert _export([*common, "-o", str(k8s), "--shard", "auto/2"], env).returncode == 0
        env = _clean_environ(SLURM_ARRAY_TASK_ID=str(index + 1), SLURM_ARRAY_TASK_MIN="1",
                             SLURM_ARRAY_TASK_COUNT="2")  # fmt: skip
        assert _export([*common, "-o", str(slurm), "--shard", "auto"], env).returncode == 0
        proc = _export([*common, "-o", str(plain), "--shard", f"{index + 1}/2"], _clean_environ())
        assert proc.returncode == 0, proc.stderr
        files = [sorted(p.name for p in (d / "markdown").iterdir()) for d in (k8s, slurm, plain)]
        assert files[0] == files[1] == files[2] and files[0]
        names.append(set(files[0]))
    assert not names[0] & names[1]
    everything = tmp_path / "all"
    assert _export([*common, "-o", str(everything)], _clean_environ()).returncode == 0
    assert names[0] | names[1] == {p.name for p in (everything / "markdown").iterdir()}


def test_shard_auto_outside_a_job_array_is_a_usage_error(tmp_path: Path) -> None:
    proc = _export(["samples", "-o", str(tmp_path / "o"), "--shard", "auto"], _clean_environ())
    assert proc.returncode == 2
    assert "--shard auto: not in a job array" in proc.stderr
    assert not (tmp_path / "o").exists()
