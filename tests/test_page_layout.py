"""The standalone pages in a real browser: nothing overflows a phone or a desktop screen.

Every sample page (written by ``converter html`` to a temporary folder) is loaded in headless
Chromium (tests/browser.py) 390 and 1280 CSS px wide, light and dark. The page may be wider
than the screen nowhere: the document does not scroll sideways, and every element lies within
the viewport unless it is inside a box that scrolls on its own (a ``<pre>``, the wrapper of a
wide table). The pages ask for no stylesheet, font or script: only their images and framed
embeds, which the browser here is given from the sample uploads mirror or refused.

Skipped only where no Chromium is installed (CI installs the Debian ``chromium`` package).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from converter import Options, render
from converter.content import normalise

from .browser import Browser, chromium
from .conftest import SAMPLES, run_cli, sample_articles

WIDTHS = (390, 1280)
EXECUTABLE = chromium()
pytestmark = pytest.mark.skipif(
    EXECUTABLE is None,
    reason="Chromium is not installed (apt-get install chromium); the layout tests need it",
)

# Run in the page by the test (the pages themselves carry no script). An element is out of
# bounds when its box passes either edge of the viewport, unless an ancestor scrolls
# sideways on its own (overflow-x auto or scroll): there the reader scrolls that box alone.
MEASURE = """
(() => {
  const width = document.documentElement.clientWidth;
  const scrolls = (el) => {
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      const overflow = getComputedStyle(up).overflowX;
      if (overflow === "auto" || overflow === "scroll") return true;
    }
    return false;
  };
  const name = (el) => el.tagName.toLowerCase() + (el.className ? "." + el.className : "");
  const outside = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if ((box.width === 0 && box.height === 0) || scrolls(el)) continue;
    if (box.right > width + 0.5 || box.left < -0.5) {
      const path = [];
      for (let up = el; up && up !== document.body; up = up.parentElement) path.unshift(name(up));
      outside.push(`${path.join(" > ")}: ${Math.round(box.left)}..${Math.round(box.right)}`);
    }
  }
  const scrollers = [...document.querySelectorAll("pre, .table-scroll")].map((el) => ({
    tag: name(el),
    overflowX: getComputedStyle(el).overflowX,
    right: el.getBoundingClientRect().right,
  }));
  return {
    innerWidth: window.innerWidth,
    clientWidth: width,
    scrollWidth: document.documentElement.scrollWidth,
    rootOverflow: [document.documentElement, document.body].map((e) => getComputedStyle(e).overflowX),
    outside,
    scrollers,
  };
})()
"""


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    out = tmp_path_factory.mktemp("pages")
    proc = run_cli("html", str(SAMPLES), "-o", str(out), "--quiet")
    assert proc.returncode == 0, proc.stderr
    found = sorted(out.glob("*.html"))
    assert len(found) == 20
    return found


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert EXECUTABLE is not None
    with Browser(EXECUTABLE, image_root=SAMPLES / "uploads") as running:
        yield running


def measure(browser: Browser, page: Path, width: int, dark: bool = False) -> dict[str, Any]:
    browser.open(page, width, dark=dark)
    result: dict[str, Any] = browser.evaluate(MEASURE)
    return result


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
@pytest.mark.parametrize("width", WIDTHS)
def test_no_page_overflows_the_screen(
    browser: Browser, pages: list[Path], width: int, dark: bool
) -> None:
    problems: dict[str, Any] = {}
    for page in pages:
        m = measure(browser, page, width, dark=dark)
        assert m["innerWidth"] == m["clientWidth"] == width, m  # the viewport asked for
        assert m["rootOverflow"] == ["visible", "visible"]  # nothing hidden by clipping the page
        if m["scrollWidth"] > width or m["outside"]:
            problems[page.name] = {"scrollWidth": m["scrollWidth"], "outside": m["outside"][:8]}
    assert problems == {}


def test_wide_blocks_scroll_inside_their_own_box(browser: Browser, pages: list[Path]) -> None:
    """The table and <pre> pages at 390 px: their boxes scroll, and stay within the screen."""
    seen = set()
    for page in pages:
        m = measure(browser, page, 390)
        for box in m["scrollers"]:
            seen.add(box["tag"].split(".")[0])
            assert box["overflowX"] == "auto", (page.name, box)
            assert box["right"] <= 390.5, (page.name, box)
    assert seen == {"pre", "div"}  # both kinds are in the samples


def test_dark_mode_changes_the_colours(browser: Browser, pages: list[Path]) -> None:
    (seed,) = [p for p in pages if p.name.startswith("how-china")]
    colours = (
        "[getComputedStyle(document.body).color, getComputedStyle(document.body).backgroundColor]"
    )
    browser.open(seed, 390)
    light = browser.evaluate(colours)
    browser.open(seed, 390, dark=True)
    dark = browser.evaluate(colours)
    assert light != dark
    assert measure(browser, seed, 390, dark=True)["outside"] == []


def test_pages_ask_for_no_stylesheet_font_or_script(browser: Browser, pages: list[Path]) -> None:
    browser.requests.clear()
    for page in pages:
        browser.open(page, 1280)
    kinds = {r.resource_type for r in browser.requests}
    assert "Document" in kinds and "Image" in kinds
    assert not kinds & {"Stylesheet", "Font", "Script", "XHR", "Fetch", "WebSocket"}, kinds


WIDE = normalise(
    "<table><caption>Results</caption><thead><tr>"
    + "".join(f"<th>Constituency{n}</th>" for n in range(12))
    + "</tr></thead><tbody><tr>"
    + "".join(f"<td>Administrator{n}</td>" for n in range(12))
    + "</tr></tbody></table>"
    + "<pre><code>"
    + "x = 1;  " * 40
    + "</code></pre>"
    + '<p><img src="https://www.dailymaverick.co.za/wp-content/uploads/2025/03/ED_549652-scaled.jpg" width="2560" height="1707" alt="wide"></p>'
    + "<p>"
    + "Supercalifragilistic" * 8
    + " https://example.com/"
    + "a/" * 60
    + "</p>"
).html


@pytest.mark.parametrize("width", [320, 390])
def test_the_widest_content_scrolls_in_its_box_and_the_check_sees_it_otherwise(
    browser: Browser, tmp_path: Path, width: int
) -> None:
    """A 12-column table, a 320-character code line, a 2560 px image and unbroken words fit
    a phone with the default stylesheet; with a bare one, the same page overflows, and the
    measurement says so (it is not a check that cannot fail)."""
    (seed,) = [a for a in sample_articles() if a.id == "2563086"]
    article = replace(seed, body=WIDE)
    styled, bare = tmp_path / "styled.html", tmp_path / "bare.html"
    styled.write_bytes(render("html", [article], Options()))
    bare.write_bytes(render("html", [article], Options(css="body { margin: 0 }")))
    m = measure(browser, styled, width)
    assert (m["scrollWidth"], m["outside"]) == (width, [])
    assert {box["tag"] for box in m["scrollers"]} == {"pre", "div.table-scroll"}
    image = browser.evaluate(
        "document.querySelector('img[alt=wide]').getBoundingClientRect().width"
    )
    assert 0 < image <= width  # scaled to the column, not its width attribute
    m = measure(browser, bare, width)
    assert m["scrollWidth"] > width
    outside = " ".join(m["outside"])
    assert "table" in outside and "pre > code" in outside and "img" in outside
