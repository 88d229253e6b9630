"""Worst-case bodies: time at N and 2N, and the doubling ratio (issue 11, item 7).

    python bench/worst_case.py                    # every shape, normalise and the full path
    python bench/worst_case.py --only caption,li-empty --repeat 3
    python bench/worst_case.py --scale 0.25       # a quick look at a quarter of the sizes

Each shape is an article body (``contents``) built from a size n; N is the size the issue
names (or one of the same order). Two timings per size, each the best of ``--repeat`` runs of
``time.process_time`` (CPU time of this process: another process's load changes it little):

* ``normalise``: ``converter.content.normalise`` alone;
* ``full``: the whole path of one article, as ``converter html``, ``markdown`` and ``rss``
  run it: ``cms.parse_article`` (which normalises) and ``converter.render`` of the html page,
  the markdown file and an RSS feed of that one article.

The ratio is time(2N) / time(N): about 2 for linear work, 4 for quadratic. A body the
converter refuses (markup nested deeper than the parser's 2,048 levels) is timed all the same
and marked "refused". tests/test_worst_case.py holds the same shapes to a generous guard.
One core: run it with nothing else busy, or pin it (taskset -c 0).
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from converter import InputError, Options, render  # noqa: E402
from converter.cms import parse_article  # noqa: E402
from converter.content import normalise  # noqa: E402


@dataclass(frozen=True)
class Shape:
    name: str
    body: Callable[[int], str]
    n: int  # the full size; the ratio compares n and 2n
    refused: bool = False  # nested deeper than the parser's 2,048 levels: reported, quickly


def _attributes(n: int, name: Callable[[int], str]) -> str:
    return "<p " + " ".join(f"{name(i)}=1" for i in range(n)) + ">x</p>"


_IMG = '<img src="https://example.org/wp-content/uploads/a.jpg">'
_LINK = '<a href="https://example.org/">'
SHAPES = [
    # The five of the issue.
    Shape("paragraphs", lambda n: "a\n\n" * n, 100_000),
    Shape("caption", lambda n: "[caption]" * n, 40_000),
    Shape("comment-caption", lambda n: "<!--x-->[caption]" * n, 40_000),
    Shape("attributes", lambda n: _attributes(n, lambda i: f"a{i}"), 80_000),
    Shape("attributes-same", lambda n: _attributes(n, lambda i: "a"), 80_000),
    Shape("attributes-data", lambda n: _attributes(n, lambda i: f"data-a{i}"), 80_000),
    Shape("li-empty", lambda n: "<ul>" + "<li></li>" * n + "</ul>", 100_000),
    Shape("li-space", lambda n: "<ul>" + "<li> </li>" * n + "</ul>", 100_000),
    Shape("li-br", lambda n: "<ul>" + "<li><br></li>" * n + "</ul>", 100_000),
    Shape("li-nbsp", lambda n: "<ul>" + "<li>&nbsp;</li>" * n + "</ul>", 100_000),
    # Others that looked quadratic in the code.
    Shape("br", lambda n: "a<br>" * n, 100_000),
    Shape("br-only", lambda n: "<p>" + "<br>" * n + "</p>", 100_000),
    Shape("newlines", lambda n: "a\n" * n, 100_000),
    Shape("inline-adjacent", lambda n: "<b>x</b><i>y</i> " * n, 50_000),
    Shape("inline-nested", lambda n: "<b><i><u><s>x</s></u></i></b>" * n, 50_000),
    Shape("inline-empty", lambda n: "<p>" + "<em></em>" * n + "x</p>", 100_000),
    Shape("inline-empty-words", lambda n: "<p>" + "<em></em>word " * n + "</p>", 50_000),
    Shape("inline-space-words", lambda n: "<p>" + "<em> </em>word " * n + "</p>", 50_000),
    Shape("links-without-href", lambda n: "<p>" + "<a>x</a>y " * n + "</p>", 50_000),
    Shape("links-unsafe", lambda n: "<p>" + '<a href="javascript:x">x</a>y ' * n + "</p>", 50_000),
    Shape("spans-words", lambda n: "<p>" + "<span>x</span>y " * n + "</p>", 50_000),
    Shape("removed-tags", lambda n: "<p>" + "<input>y " * n + "</p>", 50_000),
    Shape("images-without-src", lambda n: "<p>" + '<img alt="z">y ' * n + "</p>", 50_000),
    Shape("link-of-images-without-src", lambda n: _LINK + "<input><img>y " * n + "</a>", 50_000),
    Shape("unclosed-span", lambda n: "<p>" + "<span>x" * n, 100_000, refused=True),
    Shape("unclosed-b", lambda n: "<b>x" * n, 100_000, refused=True),
    Shape("unclosed-p", lambda n: "<p>x" * n, 100_000),
    Shape("unclosed-li", lambda n: "<ul>" + "<li>x" * n, 100_000),
    Shape("embed", lambda n: "[embed]https://www.youtube.com/watch?v=abc[/embed]\n\n" * n, 10_000),
    Shape("embed-open", lambda n: "[embed]" * n, 40_000),
    Shape("caption-unterminated", lambda n: "[caption " * n, 40_000),
    Shape("caption-image", lambda n: f'[caption width="1"]{_IMG} c[/caption]' * n, 10_000),
    Shape("bare-urls", lambda n: "https://example.org/a\n\n" * n, 50_000),
    Shape("bare-youtube", lambda n: "https://youtu.be/abcdefghijk\n\n" * n, 20_000),
    Shape("nbsp", lambda n: "a" + "&nbsp;" * n + "b", 200_000),
    Shape("nbsp-words", lambda n: "a&nbsp;" * n, 200_000),
    Shape("p-empty", lambda n: "<p></p>" * n, 100_000),
    Shape("p-nbsp", lambda n: "<p>&nbsp;</p>" * n, 100_000),
    Shape("one-paragraph-1mb", lambda n: "word " * n, 200_000),
    Shape("links", lambda n: '<a href="https://example.org/">x</a> ' * n, 50_000),
    Shape("images", lambda n: _IMG * n, 20_000),
    Shape("gallery", lambda n: f"<p>{_IMG} caption</p>" * n, 20_000),
    Shape("image-breaks", lambda n: f"<p>{_IMG}" + "<br>" * n + "x</p>", 100_000),
    Shape("paragraph-blank-lines", lambda n: "<p>" + "a\n\n" * n + "</p>", 100_000),
    Shape("paragraphs-split", lambda n: "<p>a\n\nb</p>" * n, 50_000),
    Shape("dl-dd", lambda n: "<dl>" + "<dd>x</dd>" * n + "</dl>", 50_000),
    Shape("dl-dt", lambda n: "<dl>" + "<dt>x</dt>" * n + "</dl>", 50_000),
    Shape("html5-parsed", lambda n: "<svg></svg>" + "<p>a</p>b" * n, 50_000),
    Shape("table-rows", lambda n: "<table>" + "<tr><td>x</td></tr>" * n + "</table>", 50_000),
    Shape("table-cells", lambda n: "<table><tr>" + "<td>x</td>" * n + "</tr></table>", 50_000),
    Shape("blocks-in-link", lambda n: _LINK + "<p>x</p>" * n, 50_000),
    Shape("divs", lambda n: "<div>x</div>" * n, 100_000),
    Shape("comments", lambda n: "<!--x-->a" * n, 100_000),
    Shape("pre-lines", lambda n: "<pre>" + "x\n" * n + "</pre>", 100_000),
    Shape("angle-brackets", lambda n: "a < b > " * n, 100_000),
]
BY_NAME = {shape.name: shape for shape in SHAPES}


def record(body: str) -> dict[str, str]:
    return {
        "id": "9400001",
        "title": "Worst case",
        "status": "publish",
        "firstPublished": "2025-01-01 10:00:00",
        "url": "https://www.dailymaverick.co.za/article/2025-01-01-worst-case/",
        "contents": body,
    }


def full_path(body: str, options: Options) -> bool:
    """parse_article + html, markdown and rss of the one article; False if it was refused."""
    try:
        article = parse_article(record(body), "worst-case", "", options)
    except (InputError, RecursionError):
        return False
    for fmt in ("html", "markdown", "rss"):
        render(fmt, [article], options)
    return True


def normalise_only(body: str) -> bool:
    """content.normalise alone; False if it was refused."""
    try:
        normalise(body)
    except RecursionError:
        return False
    return True


def best_time(run: Callable[[], object], repeat: int) -> tuple[float, object]:
    """The best ``time.process_time`` of ``repeat`` runs, and what the last run returned."""
    best, result = float("inf"), None
    for _ in range(repeat):
        gc.collect()
        start = time.process_time()
        result = run()
        best = min(best, time.process_time() - start)
    return best, result


def measure(shape: Shape, scale: float, repeat: int, what: tuple[str, ...]) -> dict[str, object]:
    """Times at n and 2n of each of ``what`` ("normalise", "full")."""
    n = max(1, round(shape.n * scale))
    options = Options()
    out: dict[str, object] = {"shape": shape.name, "n": n}
    for size in (n, 2 * n):
        body = shape.body(size)
        out[f"kb@{size}"] = round(len(body) / 1024)
        if "normalise" in what:
            seconds, ok = best_time(lambda b=body: normalise_only(b), repeat)  # type: ignore[misc]
            out[f"normalise@{size}"] = seconds
            out["refused"] = not ok
        if "full" in what:
            seconds, ok = best_time(lambda b=body: full_path(b, options), repeat)  # type: ignore[misc]
            out[f"full@{size}"] = seconds
            out["refused"] = not ok
    for part in what:
        low, high = out[f"{part}@{n}"], out[f"{part}@{2 * n}"]
        out[f"{part} ratio"] = high / low if low else float("nan")  # type: ignore[operator]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="", help="comma-separated shape names")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every N")
    parser.add_argument("--repeat", type=int, default=2, help="runs per timing (best kept)")
    parser.add_argument("--normalise-only", action="store_true", help="skip the full path")
    parser.add_argument("--json", type=Path, help="also write the results as JSON")
    args = parser.parse_args()
    names = [name for name in args.only.split(",") if name] or list(BY_NAME)
    what = ("normalise",) if args.normalise_only else ("normalise", "full")
    print(f"best of {args.repeat}, time.process_time, scale {args.scale:g}\n")
    header = "| shape | N | KB at N |"
    for part in what:
        header += f" {part} N (s) | {part} 2N (s) | ratio |"
    print(header + " note |")
    print("|---|---:|---:|" + "---:|---:|---:|" * len(what) + "---|")
    results = []
    for name in names:
        r = measure(BY_NAME[name], args.scale, args.repeat, what)
        results.append(r)
        n = r["n"]
        line = f"| {name} | {n:,} | {r[f'kb@{n}']:,} |"
        for part in what:
            low, high, ratio = r[f"{part}@{n}"], r[f"{part}@{2 * n}"], r[f"{part} ratio"]
            line += f" {low:.3f} | {high:.3f} | {ratio:.2f} |"
        print(line + (" refused (too deep)" if r.get("refused") else "") + " |", flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
