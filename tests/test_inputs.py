"""Files, directories and stdin → raw records with provenance (converter/inputs.py).

Shapes from source-format.md §1.1 and samples/README.md: one object, a JSON array, JSON Lines,
the API envelope (dict or list), the CMS debug dump; UTF-8 with or without BOM, LF or CRLF.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from converter.cms import parse_article
from converter.errors import InputError
from converter.inputs import Record, read_records
from converter.options import Options

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def read(tmp_path: Path, name: str, data: bytes) -> list[Record | InputError]:
    path = tmp_path / name
    path.write_bytes(data)
    return list(read_records([str(path)]))


def shape(results: list[Record | InputError]) -> list[tuple[str, Any]]:
    """(position, value) for records, ("ERROR " + position, reason) for errors."""
    return [
        (r.position, r.value) if isinstance(r, Record) else (f"ERROR {r.position}", r.reason)
        for r in results
    ]


# ---------------------------------------------------------------------------------------------
# Shapes that hold articles


SHAPES: list[tuple[str, bytes, list[tuple[str, Any]]]] = [
    ("one.json", b'{"id": "1", "title": "A"}', [("record 1", {"id": "1", "title": "A"})]),
    (
        "pretty.json",
        b'{\n  "id": "1",\n  "title": "A"\n}\n',
        [("record 1", {"id": "1", "title": "A"})],
    ),
    (
        "array.json",
        b'[{"id": "1"}, {"id": "2"}, {"id": "3"}]',
        [("item 1", {"id": "1"}), ("item 2", {"id": "2"}), ("item 3", {"id": "3"})],
    ),
    (
        "lines.jsonl",
        b'{"id": "1"}\n{"id": "2"}\n\n{"id": "3"}\n',
        [("line 1", {"id": "1"}), ("line 2", {"id": "2"}), ("line 4", {"id": "3"})],
    ),
    (
        "lines-blank-edges.jsonl",
        b'\n\n{"id": "1"}\n   \n{"id": "2"}\n\n',
        [("line 3", {"id": "1"}), ("line 5", {"id": "2"})],
    ),
    (
        "lines-in.json",
        b'{"id": "1"}\n{"id": "2"}\n{"id": "3"}\n',
        [("line 1", {"id": "1"}), ("line 2", {"id": "2"}), ("line 3", {"id": "3"})],
    ),
    (
        "two-lines-no-final-newline.json",
        b'{"id": "1"}\n{"id": "2"}',
        [("line 1", {"id": "1"}), ("line 2", {"id": "2"})],
    ),
    (
        "envelope.json",
        b'{"error": false, "data": {"id": "5", "title": "E"}}',
        [("data", {"id": "5", "title": "E"})],
    ),
    (
        "envelope-list.json",
        b'{"error": false, "data": [{"id": "6"}, {"id": "7"}], "total": 2,'
        b' "htmlPrepend": "", "htmlAppend": ""}',
        [("data[1]", {"id": "6"}), ("data[2]", {"id": "7"})],
    ),
    (
        "dump.txt",
        b'All Article Properties:\n{\n"id": "2563086",\n"title": "T"\n}\n',
        [("record 1", {"id": "2563086", "title": "T"})],
    ),
    (
        "dump-crlf.txt",
        b'All Article Properties:\r\n{\r\n"id": "2563086"\r\n}\r\n',
        [("record 1", {"id": "2563086"})],
    ),
    (
        "bom.json",
        b'\xef\xbb\xbf{"id": "97518", "title": "Caf\xc3\xa9"}',
        [("record 1", {"id": "97518", "title": "Café"})],
    ),
    (
        "bom-crlf.json",
        b'\xef\xbb\xbf{\r\n"id": "97518",\r\n"contents": "a\\r\\n\\r\\nb"\r\n}\r\n',
        [("record 1", {"id": "97518", "contents": "a\r\n\r\nb"})],
    ),
    (
        "bom-crlf.jsonl",
        b'\xef\xbb\xbf{"id": "1"}\r\n{"id": "2"}\r\n',
        [("line 1", {"id": "1"}), ("line 2", {"id": "2"})],
    ),
    (
        "unicode.json",
        '{"id": "1", "title": "Transnet’s “shortlist” 日本語"}'.encode(),
        [("record 1", {"id": "1", "title": "Transnet’s “shortlist” 日本語"})],
    ),
]


@pytest.mark.parametrize(("name", "data", "expected"), SHAPES, ids=[name for name, _, _ in SHAPES])
def test_shapes(tmp_path: Path, name: str, data: bytes, expected: list[tuple[str, Any]]) -> None:
    results = read(tmp_path, name, data)
    assert shape(results) == expected
    assert all(r.source == str(tmp_path / name) for r in results)


def test_jsonl_one_bad_line_fails_alone(tmp_path: Path) -> None:
    results = read(tmp_path, "mixed.jsonl", b'{"id": "1"}\n{"id": "2"}\n{"id": 3\n{"id": "4"}\n')
    records = [r for r in results if isinstance(r, Record)]
    errors = [r for r in results if isinstance(r, InputError)]
    assert [(r.position, r.value["id"]) for r in records] == [
        ("line 1", "1"),
        ("line 2", "2"),
        ("line 4", "4"),
    ]
    assert len(errors) == 1
    assert errors[0].position.startswith("line 3")
    assert "mixed.jsonl" in str(errors[0])


def test_jsonl_bad_line_position_names_line_and_column(tmp_path: Path) -> None:
    # line 3 is '{"id": 3 x}': the decoder stops at the "x", column 10 of that line.
    results = read(tmp_path, "mixed.jsonl", b'{"id": "1"}\n\n{"id": 3 x}\n')
    errors = [r for r in results if isinstance(r, InputError)]
    assert len(errors) == 1
    assert errors[0].position == "line 3 column 10"


def test_jsonl_undecodable_line_fails_alone(tmp_path: Path) -> None:
    results = read(tmp_path, "bytes.jsonl", b'{"id": "1"}\n{"id": "\xff"}\n{"id": "3"}\n')
    assert shape(results) == [
        ("line 1", {"id": "1"}),
        ("ERROR line 2", "not valid UTF-8"),
        ("line 3", {"id": "3"}),
    ]


def test_jsonl_envelope_per_line(tmp_path: Path) -> None:
    results = read(tmp_path, "env.jsonl", b'{"data": [{"id": "1"}, {"id": "2"}]}\n{"id": "3"}\n')
    assert [(r.position, r.value) for r in results if isinstance(r, Record)] == [
        ("line 1 data[1]", {"id": "1"}),
        ("line 1 data[2]", {"id": "2"}),
        ("line 2", {"id": "3"}),
    ]


def test_envelope_with_an_id_is_an_article(tmp_path: Path) -> None:
    # An article that happens to have a "data" key is not an envelope.
    results = read(tmp_path, "a.json", b'{"id": "1", "data": {"x": 1}}')
    assert shape(results) == [("record 1", {"id": "1", "data": {"x": 1}})]


# ---------------------------------------------------------------------------------------------
# Errors name the file and where


@pytest.mark.parametrize(
    ("name", "data", "position"),
    [
        ("one-line.json", b'{"id": "1", "x": oops}', "line 1 column 18"),
        ("pretty.json", b'{\n  "id": "1",\n  "x": oops\n}\n', "line 3 column 8"),
        ("truncated.json", b'{\n  "id": "1",\n  "title": "x"\n', "line 4 column 1"),
        (
            "dump-one-line.txt",
            b'All Article Properties:\n{"id": "1", "x": oops}',
            "line 2 column 18",
        ),
        (
            "dump-pretty.txt",
            b'All Article Properties:\n{\n"id": "1",\n"x": oops\n}\n',
            "line 4 column 6",
        ),
        ("array.json", b'[{"id": "1"},\n {"id": "2",}]', "line 2 column 13"),
    ],
    ids=["one-line", "pretty-printed", "truncated", "dump-one-line", "dump-pretty", "array"],
)
def test_invalid_json_is_one_error_naming_line_and_column(
    tmp_path: Path, name: str, data: bytes, position: str
) -> None:
    results = read(tmp_path, name, data)
    assert len(results) == 1, shape(results)
    error = results[0]
    assert isinstance(error, InputError)
    assert error.position == position
    assert str(error).startswith(str(tmp_path / name) + ": " + position)
    assert "invalid JSON" in error.reason


@pytest.mark.parametrize(
    ("name", "data", "where"),
    [
        ("latin1.json", b'{"id": "1", "title": "caf\xe9"}', "byte 25"),
        ("utf16.json", b'\xff\xfe{\x00"\x00i\x00d\x00"\x00', "byte 0"),
    ],
    ids=["latin-1", "utf-16-bom"],
)
def test_undecodable_file_is_an_error_not_an_exception(
    tmp_path: Path, name: str, data: bytes, where: str
) -> None:
    bad = tmp_path / name
    bad.write_bytes(data)
    good = tmp_path / "good.json"
    good.write_bytes(b'{"id": "2"}')
    results = list(read_records([str(bad), str(good)]))  # must not raise: later files still read
    assert len(results) == 2
    error, record = results
    assert isinstance(error, InputError)
    assert "not valid UTF-8" in str(error)
    assert where in str(error)
    assert str(bad) in str(error)
    assert isinstance(record, Record) and record.value == {"id": "2"}


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("empty.json", b""),
        ("blank.json", b"  \r\n\n\t"),
        ("bom-only.json", b"\xef\xbb\xbf"),
        ("header-only.txt", b"All Article Properties:\n"),
        ("empty.jsonl", b""),
    ],
    ids=["empty", "whitespace", "bom-only", "dump-header-only", "empty-jsonl"],
)
def test_file_without_an_article(tmp_path: Path, name: str, data: bytes) -> None:
    results = read(tmp_path, name, data)
    assert results, "an input with no article must be reported, not silently skipped"
    assert all(isinstance(r, InputError) for r in results)
    assert str(tmp_path / name) in str(results[0])


def test_missing_path_is_an_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    good = tmp_path / "good.json"
    good.write_bytes(b'{"id": "1"}')
    results = list(read_records([str(missing), str(good)]))
    assert isinstance(results[0], InputError)
    assert results[0].source == str(missing)
    assert "no such file" in results[0].reason
    assert isinstance(results[1], Record)


# ---------------------------------------------------------------------------------------------
# Directories and stdin


def test_directory_is_read_recursively_in_sorted_order(tmp_path: Path) -> None:
    files = {
        "b.json": b'{"id": "b"}',
        "a.txt": b'All Article Properties:\n{"id": "a"}',
        "sub/c.jsonl": b'{"id": "c1"}\n{"id": "c2"}\n',
        "sub/deeper/d.json": b'[{"id": "d"}]',
        "UPPER.JSON": b'{"id": "upper"}',
        "notes.md": b"# not input",
        "data.csv": b"id\n1\n",
        "image.jpg": b"\xff\xd8\xff",
        "sub/readme": b"{}",
    }
    for name, data in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    results = list(read_records([str(tmp_path)]))
    assert all(isinstance(r, Record) for r in results), shape(results)
    assert [(Path(r.source).relative_to(tmp_path).as_posix(), r.value["id"]) for r in results] == [
        ("UPPER.JSON", "upper"),
        ("a.txt", "a"),
        ("b.json", "b"),
        ("sub/c.jsonl", "c1"),
        ("sub/c.jsonl", "c2"),
        ("sub/deeper/d.json", "d"),
    ]


def test_files_and_directories_keep_command_line_order(tmp_path: Path) -> None:
    (tmp_path / "dir").mkdir()
    (tmp_path / "dir" / "x.json").write_bytes(b'{"id": "x"}')
    (tmp_path / "z.json").write_bytes(b'{"id": "z"}')
    results = list(read_records([str(tmp_path / "z.json"), str(tmp_path / "dir")]))
    assert [r.value["id"] for r in results if isinstance(r, Record)] == ["z", "x"]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b'{"id": "9"}', [("record 1", {"id": "9"})]),
        (
            b'\xef\xbb\xbf[{"id": "1"}, {"id": "2"}]',
            [("item 1", {"id": "1"}), ("item 2", {"id": "2"})],
        ),
        (b'{"id": "1"}\n{"id": "2"}\n', [("line 1", {"id": "1"}), ("line 2", {"id": "2"})]),
        (b'All Article Properties:\r\n{"id": "3"}\r\n', [("record 1", {"id": "3"})]),
        (b'{"data": {"id": "4"}}', [("data", {"id": "4"})]),
    ],
    ids=["object", "bom-array", "json-lines", "dump-crlf", "envelope"],
)
def test_stdin(data: bytes, expected: list[tuple[str, Any]]) -> None:
    results = list(read_records(["-"], stdin=io.BytesIO(data)))
    assert shape(results) == expected
    assert all(r.source == "<stdin>" for r in results)


def test_stdin_errors_name_stdin() -> None:
    results = list(read_records(["-"], stdin=io.BytesIO(b'{"id": oops}')))
    assert len(results) == 1
    assert isinstance(results[0], InputError)
    assert str(results[0]).startswith("<stdin>: line 1 column 8")


def test_stdin_undecodable_is_an_error_not_an_exception() -> None:
    results = list(read_records(["-"], stdin=io.BytesIO(b'{"id": "\xff"}')))
    assert len(results) == 1
    assert isinstance(results[0], InputError)
    assert "<stdin>" in str(results[0])
    assert "not valid UTF-8" in str(results[0])


# ---------------------------------------------------------------------------------------------
# The real samples


def test_samples_directory() -> None:
    results = list(read_records([str(SAMPLES)]))
    errors = [r for r in results if isinstance(r, InputError)]
    assert errors == []
    records = [r for r in results if isinstance(r, Record)]
    assert len(records) == 21  # samples/README.md: 21 records in all
    assert [Path(r.source).name for r in records] == sorted(Path(r.source).name for r in records)
    ids = [str(r.value["id"]) for r in records]
    assert ids.count("1560201") == 2  # 10-array.json and 11-lines.jsonl
    positions = {(Path(r.source).name, r.position) for r in records}
    assert {
        ("01-seed.txt", "record 1"),
        ("10-array.json", "item 3"),
        ("11-lines.jsonl", "line 4"),  # a blank line sits between records 2 and 3
        ("12-api-envelope.json", "data"),
        ("12b-api-envelope-list.json", "data[2]"),
    } <= positions
    assert "README.md" not in {Path(r.source).name for r in records}


def test_seed_dump_is_one_record() -> None:
    results = list(read_records([str(SAMPLES / "01-seed.txt")]))
    assert len(results) == 1
    record = results[0]
    assert isinstance(record, Record)
    assert record.value["id"] == "2563086"
    assert record.value["title"] == "How China can keep pace in the global AI race"


def test_sample_with_bad_date_is_valid_json() -> None:
    path = SAMPLES / "14-invalid-bad-date.json"
    results = list(read_records([str(path)]))
    assert len(results) == 1
    record = results[0]
    assert isinstance(record, Record)
    assert record.value["firstPublished"] == "27/01/2025 around 5am"
    with pytest.raises(InputError) as info:  # the error belongs to the article, not the file
        parse_article(record.value, record.source, record.position, Options(strict=True))
    assert info.value.field == "firstPublished"
