"""What one fuzz input exercises, and what counts as a finding. No atheris here.

Shared by the atheris target (``fuzz/fuzz_article.py``) and the regression test
(``tests/test_fuzz_regressions.py``), so a saved crash input is replayed through exactly the
code that found it.

``check(data)`` runs the input bytes through:

(a) the reading path: ``converter.inputs._whole`` (a whole .json/.txt file) and
    ``converter.inputs._lines`` (a .jsonl file, iterated like a binary file handle); every
    Record goes through ``converter.cms.parse_article``; every Article is rendered with
    ``converter.render`` as html and markdown, and its body is checked (below);
(b) the body path: the bytes, decoded as UTF-8 with errors="replace", are a WordPress body:
    ``converter.content.normalise`` → checked → ``converter.adapters.markdown.body.to_markdown``,
    and an article carrying that body is rendered as html and markdown.

Allowed outcomes: success, or ``converter.errors.InputError``. Everything else propagates and is
a finding: any other exception (RecursionError included) or an ``AssertionError`` from an
invariant:

* the normalised body holds only the vocabulary (``converter.content.vocabulary``): no tag
  outside ALLOWED_TAGS, no attribute outside the tag's allow-list, so no <script> and no on*;
* every URL attribute has no scheme, or an allowed one (after removing tab/CR/LF, as browsers do);
* the oracle (``tests/oracle.py``, loaded from its file): the body is a fixed point of nh3 with
  the project's allow-list, and an HTML5 re-parse (html5lib) and re-serialisation give it back
  unchanged (no parser differential, no mutation XSS). nh3 is not on the per-article path;
  this is where the fuzzer checks the pipeline's own sanitiser against it;
* normalising is idempotent: ``normalise(out).html == out``. With ``strict=False``
  (``FUZZ_IDEMPOTENCY=converge`` in the fuzz target) ``normalise`` is applied to its own
  output until a fixed point: an IdempotencyError says whether it oscillates (a cycle) or does
  not converge within CONVERGE_PASSES passes, and carries the passes;
* the rendered HTML page has no on* attribute and no <script> but JSON-LD.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib.util
import io
import re
from pathlib import Path
from types import ModuleType

from lxml import etree

from converter import render
from converter.adapters.markdown.body import to_markdown
from converter.cms import parse_article
from converter.content import Context, normalise
from converter.content import vocabulary as V
from converter.errors import InputError
from converter.inputs import _lines, _whole
from converter.options import Options

__all__ = ["BASE", "OPTIONS", "IdempotencyError", "body_path", "check", "check_body", "read_path"]

BASE = "https://example.org/a/"
OPTIONS = Options()
SOURCE = "fuzz"
CONVERGE_PASSES = 64  # strict=False: passes of normalise allowed to reach a fixed point
_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.\-]*):")
_URL_STRIP = re.compile(r"[\t\n\r]")
CHECK_PARSER = etree.HTMLParser(no_network=True, recover=True)


def _load_oracle() -> ModuleType:
    """tests/oracle.py, from its file: the fuzz target runs without the tests package."""
    path = Path(__file__).resolve().parents[1] / "tests" / "oracle.py"
    spec = importlib.util.spec_from_file_location("converter_oracle", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ORACLE = _load_oracle()
# An article to carry a fuzzed body into the renderers (parse_article's own result).
_TEMPLATE = parse_article({"id": "1", "title": "Fuzz", "url": BASE}, SOURCE, "record 1", OPTIONS)


def check_body(html: str, base: str, strict: bool = True) -> None:
    """Invariants of a canonical body (see the module docstring)."""
    if not html:
        return
    doc = etree.fromstring("<html><body>" + html + "</body></html>", CHECK_PARSER)
    body = doc.find("body")
    assert body is not None, f"normalised body does not parse: {html[:200]!r}"
    for el in body.iterdescendants():
        if not isinstance(el.tag, str):  # comments / PIs
            raise AssertionError(f"comment or PI in the normalised body: {html[:300]!r}")
        tag = el.tag.lower()
        assert tag in V.ALLOWED_TAGS, f"tag <{tag}> outside the vocabulary in {html[:300]!r}"
        allowed = V.EMBED_ATTRIBUTES if tag == "figure" else V.ALLOWED_ATTRIBUTES.get(tag, ())
        for name, value in el.attrib.items():
            name = name.lower()
            assert not name.startswith("on"), f"event handler {name}= on <{tag}> in {html[:300]!r}"
            assert name in allowed, f"attribute {name}= on <{tag}> not allowed in {html[:300]!r}"
            if name in V.URL_ATTRIBUTES:
                m = _SCHEME.match(_URL_STRIP.sub("", value))
                assert m is None or m.group(1).lower() in V.URL_SCHEMES, (
                    f"{name}={value!r} on <{tag}>: scheme not allowed, in {html[:300]!r}"
                )
    ORACLE.check(html)  # an OracleError (an AssertionError) is a finding
    again = normalise(html, Context(base=base)).html
    if again == html:
        return
    if strict:
        raise IdempotencyError("not idempotent", [html, again])
    passes = [html, again]
    while len(passes) < CONVERGE_PASSES:
        passes.append(normalise(passes[-1], Context(base=base)).html)
        if passes[-1] == passes[-2]:
            return
        if passes[-1] in passes[:-2]:
            raise IdempotencyError("oscillates", passes)
    raise IdempotencyError(f"does not converge in {CONVERGE_PASSES} passes", passes)


class IdempotencyError(AssertionError):
    """normalise(out) != out; ``passes`` = [out, normalise(out), ...] (the last two differ)."""

    def __init__(self, kind: str, passes: list[str]) -> None:
        self.kind = kind
        self.passes = passes
        super().__init__(f"normalise {kind}: {_diff(passes[-2], passes[-1])}")


def _diff(a: str, b: str, width: int = 80) -> str:
    """Where two long strings first differ, with a little context (findings stay readable)."""
    pairs = enumerate(zip(a, b, strict=False))
    i = next((k for k, (x, y) in pairs if x != y), min(len(a), len(b)))
    lo, hi = max(0, i - width), i + width
    return f"first difference at {i}:\n before: {a[lo:hi]!r}\n  after: {b[lo:hi]!r}"


def _check_page(page: bytes) -> None:
    doc = etree.fromstring(page, CHECK_PARSER)
    if doc is None:
        raise AssertionError("rendered HTML page does not parse")
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        for name in el.attrib:
            assert not name.lower().startswith("on"), f"event handler {name}= in the HTML page"
        if el.tag.lower() == "script":
            assert el.get("type") == "application/ld+json", "a <script> in the HTML page"


def _render(article: object) -> None:
    _check_page(render("html", [article], OPTIONS))  # type: ignore[list-item]
    render("markdown", [article], OPTIONS)  # type: ignore[list-item]


def read_path(data: bytes, strict: bool = True) -> None:
    """(a) the bytes as an input file (.json/.txt whole, and .jsonl line by line)."""
    for items in (_whole(data, SOURCE), _lines(io.BytesIO(data), SOURCE)):
        for item in items:
            if isinstance(item, InputError):
                continue
            try:
                article = parse_article(item.value, item.source, item.position, OPTIONS)
            except InputError:
                continue
            check_body(article.body, article.url, strict)
            _render(article)


def body_path(data: bytes, strict: bool = True) -> None:
    """(b) the bytes as a WordPress body."""
    text = data.decode("utf-8", errors="replace")
    body = normalise(text, Context(base=BASE))
    check_body(body.html, BASE, strict)
    to_markdown(body.html)
    _render(dataclasses.replace(_TEMPLATE, body=body.html, warnings=body.warnings))


def check(data: bytes, strict: bool = True) -> None:
    """One fuzz input: raises only on a finding (InputError is an allowed outcome)."""
    with contextlib.suppress(InputError):  # the readers yield these; raising one is fine too
        read_path(data, strict)
    with contextlib.suppress(InputError):
        body_path(data, strict)
