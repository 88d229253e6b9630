"""Safe file names and atomic writes (converter/output.py).

A slug comes from the CMS and is untrusted (samples/13-hostile.json has ``../../etc/passwd``):
it must never become a path outside the output directory, on any file system.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from converter import Article
from converter.adapters.markdown import front_matter
from converter.errors import OutputError
from converter.output import MAX_NAME_BYTES, Names, _safe_name, safe_name, safe_slug, write_atomic

from .conftest import run_cli

# Written out here, not imported: the test must not share a mistake with the code.
WINDOWS_RESERVED = {"con", "prn", "aux", "nul", "conin$", "conout$", "clock$"}
WINDOWS_RESERVED |= {f"{p}{d}" for p in ("com", "lpt") for d in "0123456789¹²³"}
INVISIBLE = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
INVISIBLE += "\u200b\u200c\u200d\u2060\ufeff"


@pytest.mark.parametrize(
    ("stem", "expected"),
    [
        (
            "how-china-can-keep-pace-in-the-global-ai-race",
            "how-china-can-keep-pace-in-the-global-ai-race",
        ),
        ("../../etc/passwd", "etc-passwd"),
        ("/abs/path", "abs-path"),
        ("a\\b", "a-b"),
        ("C:\\Windows\\system32", "C-Windows-system32"),
        ("..", "article"),
        ("...", "article"),
        (".hidden", "hidden"),
        ("a..b", "a.b"),
        ("a\x00b\x01c\x1fd\x7fe", "a-b-c-d-e"),
        ("tab\there\nnewline", "tab-here-newline"),
        ('a:b*c?d"e<f>g|h', "a-b-c-d-e-f-g-h"),
        ("  spaced   out  ", "spaced-out"),
        ("CON", "article-CON"),
        ("con", "article-con"),
        ("nul.txt", "article-nul.txt"),
        ("Com1.log", "article-Com1.log"),
        ("lpt9", "article-lpt9"),
        ("CON.", "article-CON"),
        ("console", "console"),
        ("con-1", "con-1"),
        ("", "article"),
        ("   ", "article"),
        ("-", "article"),
        ("café-ñandú", "café-ñandú"),
        ("日本語", "日本語"),
        ("cafe\u0301", "café"),  # NFD → NFC
    ],
    ids=[
        "plain-slug",
        "parent-traversal",
        "absolute",
        "backslash",
        "windows-path",
        "dotdot",
        "dots-only",
        "hidden-file",
        "inner-dotdot",
        "control-chars",
        "whitespace-controls",
        "windows-forbidden",
        "spaces",
        "CON",
        "con",
        "nul-with-extension",
        "com1-with-extension",
        "lpt9",
        "CON-trailing-dot",
        "console-is-fine",
        "con-1-is-fine",
        "empty",
        "blank",
        "dash-only",
        "latin-unicode-kept",
        "cjk-kept",
        "nfc",
    ],
)
def test_safe_name(stem: str, expected: str) -> None:
    assert safe_name(stem) == expected


# safe_name gives the usual slug back at once: what all its rules give it (_safe_name).
@given(st.text(alphabet="aZ09-.é_ ", max_size=130) | st.sampled_from(["con", "COM1", "a" * 121]))
def test_safe_name_shortcut_is_the_rules(stem: str) -> None:
    assert safe_name(stem, "fb") == _safe_name(stem, "fb")


# (slug, expected name): Windows device names in all their forms, and invisible characters.
DEVICE_AND_INVISIBLE = [
    ("COM0", "article-COM0"),
    ("com5", "article-com5"),
    ("LPT0", "article-LPT0"),
    ("Lpt7.txt", "article-Lpt7.txt"),
    ("COM¹", "article-COM¹"),
    ("com²", "article-com²"),
    ("COM³.log", "article-COM³.log"),
    ("LPT¹", "article-LPT¹"),
    ("lpt²", "article-lpt²"),
    ("LPT³", "article-LPT³"),
    ("CONIN$", "article-CONIN$"),
    ("conout$", "article-conout$"),
    ("CLOCK$", "article-CLOCK$"),
    ("Clock$.txt", "article-Clock$.txt"),
    ("PRN", "article-PRN"),
    ("aUx", "article-aUx"),
    ("NUL", "article-NUL"),
    ("nul.txt", "article-nul.txt"),
    ("con.tar.gz", "article-con.tar.gz"),
    ("CON .", "article-CON"),
    ("CON. .", "article-CON"),
    ("con ", "article-con"),
    ("c\u200bon", "article-con"),  # a zero-width space does not hide the device name
    ("\ufeffNUL", "article-NUL"),
    ("COM10", "COM10"),
    ("COM⁴", "COM⁴"),  # Windows reserves only the superscripts 1-3
    ("LPT", "LPT"),
    ("conin", "conin"),
    ("clock", "clock"),
    ("icon", "icon"),
    ("photo\u202egpj.exe", "photogpj.exe"),  # right-to-left override: shows as photoexe.jpg
    ("a\u200bb\u200cc\u200dd\u2060e\ufefff", "abcdef"),
    ("\u2066isolate\u2069-\u2067r\u2069-\u2068f\u2069", "isolate-r-f"),
    ("\u200eleft\u200f-\u061cmark", "left-mark"),
    ("\u202aembed\u202c-\u202bembed\u202c-\u202doverride\u202c", "embed-embed-override"),
    ("\u202e\u200b..", "article"),
    (".\u200b./.\u200b./etc", "etc"),  # invisible characters cannot split a ".."
    ("👨\u200d👩\u200d👧", "👨👩👧"),
]


@pytest.mark.parametrize(
    ("stem", "expected"), DEVICE_AND_INVISIBLE, ids=[repr(s) for s, _ in DEVICE_AND_INVISIBLE]
)
def test_safe_name_device_names_and_invisible_characters(stem: str, expected: str) -> None:
    assert safe_name(stem) == expected
    # The slug an article's files and front matter get: the id is the fallback there.
    assert safe_slug(stem, "2599013") == expected.replace("article", "2599013", 1)


def test_safe_name_fallback() -> None:
    assert safe_name("", fallback="2563086") == "2563086"
    assert safe_name("../..", fallback="2563086") == "2563086"


HOSTILE = [
    "../../etc/passwd",
    "/abs/path",
    "a\\b",
    "..",
    ".hidden",
    "\x00\x01",
    "CON",
    "nul.txt",
    "",
    "x" * 500,
    "é" * 300,
    "./.././../",
    "..\\..\\boot.ini",
    "aux.tar.gz",
    "name.",
    "name ",
    "\u202e\u200b..",
    "COM¹",
    "conout$.txt",
    "CLOCK$",
    "CON .",
    "lpt0.tar.gz",
    "\u202eCON",
    "a\u200d\u2066b\ufeff",
]


@pytest.mark.parametrize("stem", HOSTILE, ids=range(len(HOSTILE)))
def test_safe_name_properties(stem: str) -> None:
    name = safe_name(stem)
    assert name
    assert "/" not in name and "\\" not in name
    assert ".." not in name
    assert not name.startswith(".")
    assert not name.endswith((".", " "))
    assert not any(ord(c) < 32 or ord(c) == 127 for c in name)
    assert name.split(".")[0].casefold() not in WINDOWS_RESERVED
    assert not set(name) & set(INVISIBLE)
    assert len(name.encode("utf-8")) <= MAX_NAME_BYTES


@pytest.mark.parametrize(
    ("stem", "expected_bytes"),
    [
        ("x" * 500, 120),
        ("é" * 300, 120),  # 2-byte characters: 60 of them fit exactly
        ("a" + "é" * 300, 119),  # the 60th "é" would straddle byte 120: dropped whole
        ("日" * 100, 120),  # 3-byte characters: 40 fit exactly
        ("ab" + "日" * 100, 119),
        ("😀" * 40, 120),  # 4-byte characters
        ("a" + "😀" * 40, 117),
    ],
    ids=[
        "ascii",
        "two-byte",
        "two-byte-offset",
        "three-byte",
        "three-byte-offset",
        "emoji",
        "emoji-offset",
    ],
)
def test_long_names_are_capped_without_splitting_characters(stem: str, expected_bytes: int) -> None:
    name = safe_name(stem)
    encoded = name.encode("utf-8")
    assert len(encoded) == expected_bytes
    assert MAX_NAME_BYTES == 120
    assert "\ufffd" not in name
    assert stem.startswith(name)


# ---------------------------------------------------------------------------------------------
# Names.claim: deterministic collision resolution


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        ([("slug", "1")], ["slug"]),
        ([("slug", "1"), ("slug", "2")], ["slug", "slug-2"]),
        ([("slug", "1"), ("Slug", "2")], ["slug", "Slug-2"]),
        ([("Café", "1"), ("CAFÉ", "2")], ["Café", "CAFÉ-2"]),
        ([("slug", "1"), ("slug", "2"), ("slug", "2")], ["slug", "slug-2", "slug-2-2"]),
        ([("slug", "1"), ("slug", "2"), ("slug", "3")], ["slug", "slug-2", "slug-3"]),
        ([("", "2563086")], ["2563086"]),
        ([("../../etc/passwd", "2599013")], ["etc-passwd"]),
        ([("a", "1"), ("b", "2"), ("a", "3")], ["a", "b", "a-3"]),
    ],
    ids=[
        "first-keeps-slug",
        "second-gets-id",
        "case-insensitive",
        "case-insensitive-unicode",
        "same-id-twice",
        "three-ids",
        "empty-slug-uses-id",
        "hostile-slug",
        "interleaved",
    ],
)
def test_names_claim(claims: list[tuple[str, str]], expected: list[str]) -> None:
    names = Names()
    assert [names.claim(slug, article_id) for slug, article_id in claims] == expected


def test_names_claim_is_deterministic() -> None:
    claims = [("slug", "1"), ("SLUG", "2"), ("other", "3"), ("slug", "4"), ("slug-2", "5")]
    first = [Names().claim(s, i) for s, i in claims]  # fresh Names each time: no collisions
    runs = []
    for _ in range(3):
        names = Names()
        runs.append([names.claim(s, i) for s, i in claims])
    assert runs[0] == runs[1] == runs[2]
    assert len({n.casefold() for n in runs[0]}) == len(claims)  # all distinct, case-insensitively
    assert first == ["slug", "SLUG", "other", "slug", "slug-2"]


# ---------------------------------------------------------------------------------------------
# The slug a site generator reads (Markdown front matter) is the file's own safe name

FRONT_MATTER_SLUGS = [
    ("how-china-can-keep-pace", "how-china-can-keep-pace"),
    ("../../etc/passwd", "etc-passwd"),
    ("..\\..\\windows\\win.ini", "windows-win.ini"),
    ("/var/www/index", "var-www-index"),
    ("a/../../b", "a-.-.-b"),
    ("..", "2599013"),
    ("CON", "2599013-CON"),
    ("lpt³.md", "2599013-lpt³.md"),
    ("photo\u202egpj.exe", "photogpj.exe"),
    ("page\u200b", "page"),
]


@pytest.mark.parametrize(
    ("slug", "expected"), FRONT_MATTER_SLUGS, ids=[repr(s) for s, _ in FRONT_MATTER_SLUGS]
)
def test_front_matter_slug_is_the_safe_slug(
    by_id: dict[str, Article], slug: str, expected: str
) -> None:
    article = replace(by_id["2599013"], slug=slug)
    fields = dict(front_matter(article))
    assert json.loads(fields["slug"]) == expected == Names().claim(slug, article.id)


def test_no_slug_no_front_matter_slug(by_id: dict[str, Article]) -> None:
    """Without a slug the file is named from the id, and the generator uses the file's name."""
    assert "slug" not in dict(front_matter(replace(by_id["2599013"], slug="")))


HOSTILE_SLUGS = [
    "../../etc/passwd",
    "..\\..\\..\\Windows\\System32\\drivers\\etc\\hosts",
    "/etc/cron.d/x",
    "a/../../b/./c",
    ".\u200b./.\u200b./escape",
    "C:\\evil",
    "CON",
    "nul.txt",
    "COM¹",
    "CLOCK$",
    "\u202eexe.jpg",
    "..",
]


def test_cli_markdown_front_matter_slug_is_the_file_stem(tmp_path: Path) -> None:
    """Hugo, Jekyll and Astro build the page's path from ``slug``: it must be the name the
    file got, with no separator and no "..", whatever the CMS said."""
    records = [
        {"id": str(7000 + n), "title": f"Hostile {n}", "contents": "<p>Body.</p>", "slug": slug}
        for n, slug in enumerate(HOSTILE_SLUGS)
    ]
    source = tmp_path / "hostile.jsonl"
    source.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    out = tmp_path / "site" / "content" / "posts"
    proc = run_cli("markdown", str(source), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    files = sorted(out.iterdir())
    assert len(files) == len(HOSTILE_SLUGS)
    slugs = set()
    for path in files:
        assert path.suffix == ".md"
        meta = yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])
        slug = meta["slug"]
        assert slug == path.stem, (slug, path.name)
        assert "/" not in slug and "\\" not in slug and ".." not in slug
        assert not set(slug) & set(INVISIBLE)
        assert slug.split(".")[0].casefold() not in WINDOWS_RESERVED
        slugs.add(slug)
    assert len(slugs) == len(HOSTILE_SLUGS)
    written = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()}
    assert written == {"hostile.jsonl", *(f"site/content/posts/{p.name}" for p in files)}


# ---------------------------------------------------------------------------------------------
# write_atomic


def leftovers(directory: Path) -> list[str]:
    return [p.name for p in directory.iterdir() if p.name.startswith(".tmp-")]


def test_write_atomic_writes_inside_the_directory(tmp_path: Path) -> None:
    out = tmp_path / "out"
    path = write_atomic(out, "how-china.html", b"<p>hi</p>")
    assert path == (out / "how-china.html").resolve()
    assert path.read_bytes() == b"<p>hi</p>"
    assert path.parent == out.resolve()
    assert leftovers(out) == []


def test_write_atomic_creates_the_directory(tmp_path: Path) -> None:
    out = tmp_path / "a" / "b" / "c"
    write_atomic(out, "x.md", b"x")
    assert (out / "x.md").read_bytes() == b"x"


def test_write_atomic_replaces_an_existing_file(tmp_path: Path) -> None:
    write_atomic(tmp_path, "x.html", b"old")
    write_atomic(tmp_path, "x.html", b"new content")
    assert (tmp_path / "x.html").read_bytes() == b"new content"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.html"]


def test_write_atomic_unicode_name(tmp_path: Path) -> None:
    path = write_atomic(tmp_path, "café-日本語.html", "ü".encode())
    assert path.name == "café-日本語.html"
    assert path.read_text(encoding="utf-8") == "ü"


@pytest.mark.parametrize(
    "name",
    ["../escape.html", "../../etc/passwd", "/etc/passwd", "sub/x.html", "..", ".", ""],
    ids=["parent", "grandparent", "absolute", "subdirectory", "dotdot", "dot", "empty"],
)
def test_write_atomic_refuses_names_outside_the_directory(tmp_path: Path, name: str) -> None:
    out = tmp_path / "out"
    out.mkdir()
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    with pytest.raises(OutputError):
        write_atomic(out, name, b"x")
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


def test_write_atomic_refuses_a_symlink_out(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    outside = tmp_path / "outside.html"
    outside.write_bytes(b"untouched")
    (out / "link.html").symlink_to(outside)
    with pytest.raises(OutputError):
        write_atomic(out, "link.html", b"x")
    assert outside.read_bytes() == b"untouched"


def test_write_atomic_directory_is_a_file(tmp_path: Path) -> None:
    not_a_dir = tmp_path / "file"
    not_a_dir.write_bytes(b"I am a file")
    with pytest.raises(OutputError) as info:
        write_atomic(not_a_dir, "x.html", b"x")
    assert str(not_a_dir) in str(info.value)
    assert not_a_dir.read_bytes() == b"I am a file"


def test_write_atomic_parent_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "file").write_bytes(b"x")
    target_dir = tmp_path / "file" / "sub"
    with pytest.raises(OutputError) as info:
        write_atomic(target_dir, "x.html", b"x")
    assert str(target_dir) in str(info.value)


def test_write_atomic_target_is_a_directory(tmp_path: Path) -> None:
    (tmp_path / "taken").mkdir()
    with pytest.raises(OutputError) as info:
        write_atomic(tmp_path, "taken", b"x")
    assert "taken" in str(info.value)
    assert leftovers(tmp_path) == []  # the temporary file is cleaned up on failure
    assert (tmp_path / "taken").is_dir()


def test_temporary_names_taken_are_skipped_and_forks_draw_their_own(tmp_path: Path) -> None:
    """write_atomic's temporary file: a name already taken (O_EXCL) is skipped for the next; a
    forked process draws other names than its parent (else two writers of one directory would
    try the same names in turn)."""
    import random

    from converter import output

    seeded = random.Random(7)
    first = f".tmp-{random.Random(7).getrandbits(64):016x}.part"
    (tmp_path / first).write_bytes(b"someone else's")
    original = output._NAMES
    output._NAMES = seeded
    try:
        fd, name = output._temporary(tmp_path)
        os.close(fd)
    finally:
        output._NAMES = original
    assert Path(name).name != first and Path(name).name.startswith(".tmp-")
    assert (tmp_path / first).read_bytes() == b"someone else's"

    read, write = os.pipe()
    state = output._NAMES.getstate()
    pid = os.fork()
    if pid == 0:  # the child: its next name, to the parent
        os.write(write, f"{output._NAMES.getrandbits(64)}".encode())
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    child = int(os.read(read, 100))
    os.close(read)
    assert output._NAMES.getstate() == state  # the parent's draws are its own
    assert child != output._NAMES.getrandbits(64)
