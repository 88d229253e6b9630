"""nh3 and an HTML5 parser as the oracle of the pipeline's own sanitiser (issue 13, item 1).

nh3 is off the per-article path: ``content.normalise`` enforces the vocabulary's allow-list
itself (``content/sanitiser.py``) in one pass. Here every output body of the corpora is judged
by ``tests/oracle.py``: (a) a fixed point of nh3 with the project's allow-list, (b) unchanged by
an html5lib re-parse and re-serialisation; and (c) normalising it again changes nothing (the
second pass is only this test). The corpora: samples/, the shared real-world corpus (read from
../shared/realworld, never copied here), tests/data (the fuzz findings), the fuzz seed corpus
(fuzz/corpus) and the sanitiser bank's vectors. The property tests (test_properties.py) and the
fuzz target (fuzz/harness.py) apply the same oracle to generated bodies.

The oracle has teeth: bodies with an ``onerror=``, a ``javascript:`` URL or a parser
differential fail it, and so does the pipeline's output once the allow-list is loosened
(monkeypatched) to let them through.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

from converter import Options
from converter.cms import parse_article
from converter.content import Context, normalise, parse, sanitiser, serialise, transforms
from converter.content import vocabulary as V
from converter.errors import InputError
from converter.inputs import Record, read_records

from . import oracle
from .conftest import ROOT, SAMPLES
from .test_sanitiser_bank import VECTORS, article

REALWORLD = Path(os.environ.get("CONVERTER_REALWORLD", ROOT.parent / "shared" / "realworld"))
BASE = "https://example.org/a/"


def _records(paths: list[str]) -> list[tuple[str, object]]:
    return [
        (f"{Path(r.source).name}:{r.position}", r.value)
        for r in read_records(paths)
        if isinstance(r, Record)
    ]


def _bodies(records: list[tuple[str, object]], options: Options) -> dict[str, str]:
    """The output body of every record the CMS parser accepts, by where it came from."""
    out = {}
    for where, value in records:
        try:
            out[where] = parse_article(value, where, "", options).body
        except InputError:
            continue
    return out


def _judge(bodies: dict[str, str], base: str | None = None) -> dict[str, list[str]]:
    """What the oracle, or a second pass, finds wrong, per body (nothing: {})."""
    found = {}
    for where, html in bodies.items():
        problems = oracle.verdict(html)
        if base is not None and normalise(html, Context(base=base)).html != html:
            problems.append("a second pass changed it")
        if problems:
            found[where] = problems
    return found


def _realworld() -> list[tuple[str, object]]:
    files = sorted((REALWORLD / "corpus").glob("*.jsonl"))
    assert files, f"the real-world corpus is missing: {REALWORLD} (set CONVERTER_REALWORLD)"
    return _records([str(f) for f in files])


def _raw_files() -> list[Path]:
    findings = sorted((ROOT / "tests" / "data" / "fuzz").glob("*.bin"))
    seeds = sorted(p for p in (ROOT / "fuzz" / "corpus").iterdir() if p.is_file())
    assert len(findings) >= 20 and len(seeds) >= 25
    return findings + seeds


def test_sample_bodies_pass_the_oracle() -> None:
    bodies = _bodies(_records([str(SAMPLES)]), Options())
    assert len(bodies) >= 15 and sum(map(bool, bodies.values())) >= 15
    assert _judge(bodies, BASE) == {}  # and a second pass changes nothing


def test_realworld_bodies_pass_the_oracle() -> None:
    """And one pass by design: normalising an output body again gives it back (its URLs are
    absolute already: the base does not matter)."""
    bodies = _bodies(_realworld(), Options())
    assert len(bodies) > 300  # the whole corpus was read (326 records today)
    assert _judge(bodies, BASE) == {}


@pytest.mark.parametrize("path", _raw_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fuzz_inputs_as_bodies_pass_the_oracle(path: Path) -> None:
    html = normalise(path.read_bytes().decode("utf-8", "replace"), Context(base=BASE)).html
    assert oracle.verdict(html) == []


def test_fuzz_inputs_as_records_pass_the_oracle() -> None:
    bodies = _bodies(_records([str(p) for p in _raw_files() if p.suffix != ".bin"]), Options())
    assert len(bodies) >= 15
    assert _judge(bodies) == {}


def test_sanitiser_bank_bodies_pass_the_oracle() -> None:
    """Each vector's article body as the bank renders it, and the vector alone as a body."""
    bodies = {v.id: article(v.id).body for v in VECTORS}
    alone = {v.id + " alone": normalise(v.payload, Context(base=BASE)).html for v in VECTORS}
    assert len(bodies) >= 200 and sum("<" in html for html in alone.values()) >= 100
    assert _judge(bodies) == {}
    assert _judge(alone, BASE) == {}


# ---------------------------------------------------------------------------------------------
# Teeth: the oracle fails what it must


BAD_BODIES = [
    ("onerror on an image", '<figure><img src="https://e.org/a.jpg" alt="" onerror="alert(1)"></figure>'),
    ("javascript: link", '<p><a href="javascript:alert(1)">x</a></p>'),
    ("javascript: with a tab", '<p><a href="java\tscript:alert(1)">x</a></p>'),
    ("a script", "<p>x</p><script>alert(1)</script>"),
    ("a tag outside the vocabulary", "<p><span>x</span></p>"),
    ("a block in a paragraph (parser differential)", "<p>a<figure><img src=\"https://e.org/a.jpg\" alt=\"\"></figure>b</p>"),
    ("a link in a link (parser differential)", '<p><a href="https://e.org/1">a<a href="https://e.org/2">b</a></a></p>'),
    ("a stray cell (parser differential)", "<td>x</td>"),
    ("mutation: markup in a noscript", '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>'),
]  # fmt: skip


@pytest.mark.parametrize("html", [b[1] for b in BAD_BODIES], ids=[b[0] for b in BAD_BODIES])
def test_the_oracle_fails_bad_bodies(html: str) -> None:
    assert oracle.verdict(html) != []
    with pytest.raises(oracle.OracleError):
        oracle.check(html)


def test_the_oracle_passes_a_good_body() -> None:
    html = (
        '<p>a <a href="https://e.org/" title="&quot;q&quot;">b</a> &amp; c&nbsp;d</p>\n'
        '<figure><img src="https://e.org/a.jpg" alt="x"><figcaption>c</figcaption></figure>\n'
        "<table><tbody><tr><td>1</td></tr></tbody></table>"
    )
    assert oracle.verdict(html) == []


@pytest.fixture
def loose_allow_list(monkeypatch: pytest.MonkeyPatch) -> None:
    """The vocabulary loosened: ``onerror`` on images and ``javascript:`` URLs let through by
    the transforms and by the sanitiser's gate. The oracle's nh3 keeps the real allow-list
    (built before the patch)."""
    sanitiser.cleaner()
    img = V.ALLOWED_ATTRIBUTES["img"] | {"onerror"}
    monkeypatch.setitem(V.ALLOWED_ATTRIBUTES, "img", img)
    monkeypatch.setitem(sanitiser._ALLOWED, "img", img | {"id"})
    monkeypatch.setattr(V, "URL_SCHEMES", V.URL_SCHEMES | {"javascript"})


HOSTILE = [
    ("onerror", '<p><img src="https://e.org/a.jpg" alt="" onerror="alert(1)"></p>', "onerror="),
    ("javascript:", '<p><a href="javascript:alert(1)">x</a></p>', "javascript:"),
]


@pytest.mark.parametrize(("html", "planted"), [h[1:] for h in HOSTILE], ids=[h[0] for h in HOSTILE])
@pytest.mark.usefixtures("loose_allow_list")
def test_the_oracle_fails_what_a_loosened_allow_list_lets_through(html: str, planted: str) -> None:
    out = normalise(html, Context(base=BASE)).html
    assert planted in out  # planted past the allow-list...
    with pytest.raises(oracle.OracleError, match="not a fixed point of nh3"):
        oracle.check(out)  # ...and the oracle sees it


@pytest.mark.parametrize(("html", "planted"), [h[1:] for h in HOSTILE], ids=[h[0] for h in HOSTILE])
def test_the_gate_removes_what_a_broken_transform_lets_through(
    html: str, planted: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the ``vocabulary`` transform (a pipeline bug), the allow-list gate is still
    there: the body is safe, and the oracle agrees."""
    pipeline = tuple(t for t in transforms.PIPELINE if t is not transforms.vocabulary)
    monkeypatch.setattr("converter.content.PIPELINE", pipeline)
    out = normalise(html, Context(base=BASE)).html
    assert planted not in out
    assert "not a fixed point of nh3" not in " ".join(oracle.verdict(out))


def test_the_gate_alone() -> None:
    body = parse(
        '<p onclick="x"><span>a</span><a href=" JaVa&#9;script:x" title="t">b</a>'
        '<script>s</script><img src="data:x" alt="" width="1"><!-- c --></p>'
    )
    body.append(etree.Comment("c"))
    sanitiser.allow_list(body)
    assert serialise(body) == '<p>a<a title="t">b</a><img alt="" width="1"></p>'


# ---------------------------------------------------------------------------------------------
# --sanitiser nh3: defence in depth, the same bytes


def test_nh3_as_a_final_pass_changes_no_sample_body() -> None:
    records = _records([str(SAMPLES)])
    assert _bodies(records, Options(sanitiser="nh3")) == _bodies(records, Options())


def test_nh3_as_a_final_pass_has_the_last_word(monkeypatch: pytest.MonkeyPatch) -> None:
    sanitiser.cleaner()
    monkeypatch.setattr(V, "URL_SCHEMES", V.URL_SCHEMES | {"javascript"})
    html = '<p><a href="javascript:alert(1)">x</a></p>'
    assert "javascript:" in normalise(html, Context(base=BASE)).html
    assert normalise(html, Context(base=BASE, sanitiser="nh3")).html == "<p><a>x</a></p>"


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "converter", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_cli_sanitiser_nh3_writes_the_same_files(tmp_path: Path) -> None:
    sample = str(SAMPLES / "05-caption-shortcodes.json")
    own = _cli("markdown", sample, "-o", str(tmp_path / "own"), cwd=tmp_path)
    nh3 = _cli("markdown", sample, "-o", str(tmp_path / "nh3"), "--sanitiser", "nh3", cwd=tmp_path)
    assert own.returncode == 0 and nh3.returncode == 0, own.stderr + nh3.stderr
    written = sorted(p.name for p in (tmp_path / "own").iterdir())
    assert written and written == sorted(p.name for p in (tmp_path / "nh3").iterdir())
    for name in written:
        assert (tmp_path / "own" / name).read_bytes() == (tmp_path / "nh3" / name).read_bytes()


def test_cli_refuses_an_unknown_sanitiser(tmp_path: Path) -> None:
    sample = str(SAMPLES / "05-caption-shortcodes.json")
    done = _cli("html", sample, "-o", str(tmp_path / "out"), "--sanitiser", "bleach", cwd=tmp_path)
    assert done.returncode == 2
    assert "sanitiser" in done.stderr and "own, nh3" in done.stderr
    assert not (tmp_path / "out").exists()


def test_the_default_path_does_not_load_nh3() -> None:
    code = (
        "import sys, json; from converter.cms import parse_article; from converter import Options;"
        "parse_article({'id': '1', 'title': 't', 'url': 'https://e.org/', 'contents': '<p>x</p>'},"
        " 's', 'p', Options()); print(json.dumps('nh3' in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(done.stdout) is False
