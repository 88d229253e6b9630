"""The command line: a thin typer layer over converter.api.

Exit codes: 0 all good; 1 some inputs failed (the rest were written); 2 usage error
(bad flags, unknown config keys, unknown time zone). Heavy modules are imported inside the
commands so that ``--help`` and ``--version`` start fast.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from .options import Options
    from .output import Report

__all__ = ["app", "main"]

app = typer.Typer(
    name="converter",
    help="Turn Whitebeard (Daily Maverick) article JSON into HTML, Markdown, feeds and e-books.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

Inputs = Annotated[
    list[str],
    typer.Argument(
        help="Files, directories (every *.json, *.jsonl, *.txt below, sorted) or - for stdin.",
        show_default=False,
    ),
]
Output = Annotated[Path, typer.Option("--output", "-o", help="Output directory.")]
Config = Annotated[
    Path | None,
    typer.Option(help="Site settings file (default: ./converter.toml when present)."),
]
BaseUrl = Annotated[
    str | None,
    typer.Option(help="Replace the scheme and host of article URLs (staging → production)."),
]
Timezone = Annotated[str | None, typer.Option(help="IANA zone of the CMS's naive timestamps.")]
Language = Annotated[str | None, typer.Option(help="Language tag for lang attributes.")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Only errors on stderr.")]
Verbose = Annotated[
    bool,
    typer.Option("--verbose", "-v", help="Also the written files; tracebacks of internal errors."),
]
Strict = Annotated[
    bool, typer.Option(help="Warnings (degraded embeds, dropped galleries) become failures.")
]

# converter.toml: [table] key → (option path, type). Flags override the file.
_CONFIG_KEYS: dict[tuple[str, str], tuple[str, type]] = {
    ("site", "title"): ("site_title", str),
    ("site", "url"): ("site_url", str),
    ("site", "base_url"): ("base_url", str),
    ("site", "language"): ("language", str),
    ("site", "timezone"): ("timezone", str),
    ("images", "host_map"): ("host_map", dict),
    ("feed", "title"): ("feed.title", str),
    ("feed", "description"): ("feed.description", str),
    ("feed", "feed_url"): ("feed.feed_url", str),
    ("feed", "hub"): ("feed.hub", str),
    ("feed", "xsl"): ("feed.xsl", str),
    ("feed", "image"): ("feed.image", str),
    ("feed", "icon"): ("feed.icon", str),
    ("feed", "ttl"): ("feed.ttl", int),
    ("feed", "limit"): ("feed.limit", int),
    ("feed", "paywall"): ("feed.paywall", str),
    ("epub", "title"): ("epub.title", str),
    ("epub", "author"): ("epub.author", str),
    ("epub", "publisher"): ("epub.publisher", str),
    ("epub", "image_width"): ("epub.image_width", int),
    ("epub", "group_by"): ("epub.group_by", str),
    ("fetch", "image_root"): ("fetch.image_root", Path),
    ("fetch", "cache_dir"): ("fetch.cache_dir", Path),
    ("fetch", "image_hosts"): ("fetch.image_hosts", list),
}


class _Terminated(BaseException):
    """SIGTERM, raised like KeyboardInterrupt is for SIGINT (BaseException: nothing swallows it)."""


@contextlib.contextmanager
def _interruptible(what: str, done: list[int]) -> Iterator[None]:
    """SIGINT → exit 130, SIGTERM → exit 143, each with a one-line summary. Temporary files
    are removed on the way out by the writers (output.write_atomic), so nothing is partial."""
    previous = signal.getsignal(signal.SIGTERM)

    def on_term(signum: int, frame: object) -> None:
        raise _Terminated()

    signal.signal(signal.SIGTERM, on_term)
    try:
        yield
    except KeyboardInterrupt:
        typer.echo(
            f"\n{what}: interrupted (SIGINT) after {done[0]} articles; no partial files", err=True
        )
        raise typer.Exit(130) from None
    except _Terminated:
        typer.echo(
            f"{what}: terminated (SIGTERM) after {done[0]} articles; no partial files", err=True
        )
        raise typer.Exit(143) from None
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def _progress(label: str, show: bool) -> Iterator[tuple[Callable[[int], None], list[int]]]:
    """A progress callback (a bar on stderr when ``show``) and the count it has seen."""
    done = [0]
    bar_context: Any = typer.progressbar(length=0, label=label, file=sys.stderr) if show else None
    bar = bar_context.__enter__() if bar_context is not None else None

    def progress(count: int) -> None:
        done[0] = count
        if bar is not None:
            bar.update(1)

    try:
        yield progress, done
    finally:
        if bar_context is not None:
            bar_context.__exit__(None, None, None)


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"converter: {message}", err=True)
    return typer.Exit(code)


def _load_config(path: Path | None) -> dict[str, Any]:
    """Settings from the config file as {option path: value}."""
    explicit = path is not None
    path = path or Path("converter.toml")
    if not path.exists():
        if explicit:
            raise _fail(f"config file {path} does not exist")
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise _fail(f"{path}: cannot read config: {exc}") from None
    settings: dict[str, Any] = {}
    for table, values in data.items():
        if not isinstance(values, dict):
            raise _fail(f"{path}: [{table}] must be a table")
        for key, value in values.items():
            spec = _CONFIG_KEYS.get((table, key))
            if spec is None:
                raise _fail(f"{path}: unknown setting {table}.{key}")
            name, kind = spec
            if kind is dict:
                if not isinstance(value, dict) or not all(
                    isinstance(v, str) for v in value.values()
                ):
                    raise _fail(f"{path}: {table}.{key} must map URL prefixes to URL prefixes")
                value = tuple(value.items())
            elif kind is list:
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise _fail(f"{path}: {table}.{key} must be a list of strings")
                value = tuple(value)
            elif kind is Path:
                if not isinstance(value, str):
                    raise _fail(f"{path}: {table}.{key} must be a path string")
                value = (path.parent / value).resolve()
            elif not isinstance(value, kind) or isinstance(value, bool):
                raise _fail(f"{path}: {table}.{key} must be {kind.__name__}")
            settings[name] = value
    return settings


def _options(config: Path | None, **flags: Any) -> Options:
    """The options record: defaults, then the config file, then the flags that were given.

    Nested settings use dotted names ("feed.limit"); flags use "feed__limit".
    """
    from .options import Options

    settings = _load_config(config)
    settings.update({k.replace("__", "."): v for k, v in flags.items() if v is not None})
    top = {k: v for k, v in settings.items() if "." not in k}
    options = replace(Options(), **top)
    for group in ("feed", "epub", "fetch"):
        nested = {k.split(".", 1)[1]: v for k, v in settings.items() if k.startswith(group + ".")}
        if nested:
            options = replace(options, **{group: replace(getattr(options, group), **nested)})
    from .cms import _zone  # validate the zone once, up front: a usage error, not 100 failures
    from .errors import UsageError

    try:
        _zone(options.timezone)
    except UsageError as exc:
        raise _fail(str(exc)) from None
    return options


def _finish(report: Report, quiet: bool, verbose: bool, what: str) -> None:
    for line in report.failed:
        typer.echo(f"error: {line}", err=True)
    if not quiet:
        for line in report.warnings:
            typer.echo(f"warning: {line}", err=True)
        if verbose:
            for path in report.written:
                typer.echo(f"wrote {path}", err=True)
        typer.echo(f"{what}: {report.summary()}", err=True)
    if not report.ok:
        raise typer.Exit(1)


def _per_article(
    fmt: str, inputs: list[str], output: Path, options: Options, quiet: bool, verbose: bool
) -> None:
    from .api import convert
    from .errors import ConverterError

    try:
        with (
            _progress(fmt, not quiet and sys.stderr.isatty()) as (progress, done),
            _interruptible(fmt, done),
        ):
            report = convert(fmt, inputs, output, options, progress=progress, verbose=verbose)
    except ConverterError as exc:
        raise _fail(str(exc), exc.exit_code) from None
    _finish(report, quiet, verbose, f"{fmt} → {output}")


@app.command()
def html(
    inputs: Inputs,
    output: Output = Path("out/html"),
    fragment: Annotated[
        bool, typer.Option(help="Write only the clean body, for partner CMS ingestion.")
    ] = False,
    base_url: BaseUrl = None,
    timezone: Timezone = None,
    language: Language = None,
    config: Config = None,
    strict: Strict = False,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Write one standalone HTML5 page (or --fragment) per article.

    Example: converter html samples -o out/html --base-url https://www.dailymaverick.co.za
    """
    options = _options(
        config,
        base_url=base_url,
        timezone=timezone,
        language=language,
        fragment=fragment,
        strict=strict,
    )
    _per_article("html", inputs, output, options, quiet, verbose)


@app.command()
def markdown(
    inputs: Inputs,
    output: Output = Path("out/markdown"),
    base_url: BaseUrl = None,
    timezone: Timezone = None,
    language: Language = None,
    config: Config = None,
    strict: Strict = False,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Write one Markdown file (YAML front matter + CommonMark/GFM) per article.

    Example: converter markdown samples -o out/markdown
    """
    options = _options(
        config, base_url=base_url, timezone=timezone, language=language, strict=strict
    )
    _per_article("markdown", inputs, output, options, quiet, verbose)


FEED_EXAMPLES = {
    "rss": "converter rss samples -o out/feed.xml --feed-url https://example.org/feed.xml",
    "atom": "converter atom samples -o out/feed.atom --limit 20",
    "json-feed": "converter json-feed samples -o - --pretty",
}


def _feed_command(fmt: str) -> None:
    def command(
        inputs: Inputs,
        output: Annotated[
            str,
            typer.Option(
                "--output", "-o", help="Feed file, - for stdout, or a directory with --split-by."
            ),
        ] = "-",
        title: Annotated[str | None, typer.Option(help="Channel title.")] = None,
        description: Annotated[str | None, typer.Option(help="Channel description.")] = None,
        feed_url: Annotated[str | None, typer.Option(help="The feed's own URL (rel=self).")] = None,
        hub: Annotated[str | None, typer.Option(help="WebSub hub URL.")] = None,
        xsl: Annotated[str | None, typer.Option(help="XSL stylesheet URL (RSS/Atom).")] = None,
        image: Annotated[str | None, typer.Option(help="Channel image / logo / icon URL.")] = None,
        limit: Annotated[
            int | None, typer.Option(help="Newest N items; 0 = all. [default: 50]")
        ] = None,
        paywall: Annotated[
            str | None,
            typer.Option(help="Paywalled articles: summary | full | exclude. [default: summary]"),
        ] = None,
        include_noindex: Annotated[
            bool, typer.Option(help="Keep articles flagged excludedFromGoogleSearchEngine.")
        ] = False,
        category: Annotated[str | None, typer.Option(help="Only this section (slug).")] = None,
        keyword: Annotated[str | None, typer.Option(help="Only this keyword (slug).")] = None,
        author: Annotated[str | None, typer.Option(help="Only this author (name).")] = None,
        split_by: Annotated[
            str | None, typer.Option(help="'category': one feed per section into the -o directory.")
        ] = None,
        pretty: Annotated[bool, typer.Option(help="Indent the output.")] = False,
        base_url: BaseUrl = None,
        timezone: Timezone = None,
        language: Language = None,
        config: Config = None,
        strict: Strict = False,
        quiet: Quiet = False,
        verbose: Verbose = False,
    ) -> None:
        from .api import feeds
        from .errors import ConverterError
        from .output import write_atomic

        if paywall is not None and paywall not in ("summary", "full", "exclude"):
            raise _fail(f"--paywall must be summary, full or exclude, not {paywall!r}")
        if limit is not None and limit < 0:
            raise _fail("--limit must be 0 (all) or more")
        options = _options(
            config,
            base_url=base_url,
            timezone=timezone,
            language=language,
            strict=strict,
            feed__title=title,
            feed__description=description,
            feed__feed_url=feed_url,
            feed__hub=hub,
            feed__xsl=xsl,
            feed__image=image,
            feed__limit=limit,
            feed__paywall=paywall,
            feed__include_noindex=include_noindex or None,
            feed__category=category,
            feed__keyword=keyword,
            feed__author=author,
            feed__pretty=pretty or None,
        )
        extension = {"rss": ".xml", "atom": ".atom", "json-feed": ".json"}[fmt]
        try:
            if split_by and output == "-":
                raise _fail("--split-by needs -o DIRECTORY")
            with _interruptible(fmt, [0]):
                outputs, report = feeds(fmt, inputs, options, split_by=split_by, verbose=verbose)
            if split_by:
                for stem, data in outputs.items():
                    report.written.append(write_atomic(Path(output), stem + extension, data))
            elif "" in outputs and output == "-":  # absent: it failed as a whole (reported)
                sys.stdout.buffer.write(outputs[""])
                sys.stdout.buffer.flush()
            elif "" in outputs:
                target = Path(output)
                report.written.append(write_atomic(target.parent, target.name, outputs[""]))
        except ConverterError as exc:
            raise _fail(str(exc), exc.exit_code) from None
        if quiet is False and verbose:
            for article_id, rule in report.skipped:
                typer.echo(f"skipped: article {article_id}: {rule}", err=True)
        _finish(report, quiet, verbose, f"{fmt} → {output}")

    kind = {"rss": "RSS 2.0", "atom": "Atom 1.0", "json-feed": "JSON Feed 1.1"}[fmt]
    command.__doc__ = f"""Write one {kind} feed of the newest published articles.

    Drafts, future-dated, noindex and (with --paywall exclude) paywalled articles are left out;
    paywalled articles otherwise get title, link and summary only.

    Example: {FEED_EXAMPLES[fmt]}
    """
    app.command(name=fmt)(command)


for _fmt in ("rss", "atom", "json-feed"):
    _feed_command(_fmt)


@app.command()
def epub(
    inputs: Inputs,
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="The book file, or a directory with --per-article."),
    ] = Path("out/book.epub"),
    title: Annotated[str | None, typer.Option(help="Book title.")] = None,
    author: Annotated[str | None, typer.Option(help="Book author (default: the site).")] = None,
    cover: Annotated[Path | None, typer.Option(help="Cover image (default: generated).")] = None,
    group_by: Annotated[
        str | None,
        typer.Option(help="Contents grouped by section | date | none. [default: section]"),
    ] = None,
    image_width: Annotated[
        int | None, typer.Option(help="Image width asked of the CDN. [default: 800]")
    ] = None,
    no_images: Annotated[
        bool, typer.Option("--no-images", help="Captions instead of pictures.")
    ] = False,
    per_article: Annotated[
        bool, typer.Option(help="One book per article into the -o directory.")
    ] = False,
    image_root: Annotated[
        Path | None, typer.Option(help="Local uploads mirror: …/wp-content/uploads/<p> → DIR/<p>.")
    ] = None,
    cache_dir: Annotated[
        Path | None, typer.Option(help="Image cache (default: user cache dir).")
    ] = None,
    allow_private_hosts: Annotated[
        bool, typer.Option(help="Allow images from private/loopback hosts (intranets, tests).")
    ] = False,
    image_hosts: Annotated[
        list[str] | None, typer.Option("--image-host", help="Only fetch images from these hosts.")
    ] = None,
    offline: Annotated[
        bool, typer.Option(help="No downloads: the mirror and the cache only.")
    ] = False,
    base_url: BaseUrl = None,
    timezone: Timezone = None,
    language: Language = None,
    config: Config = None,
    strict: Strict = False,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Write an EPUB 3 book of all published articles (or one per article), images inside.

    Example: converter epub samples -o out/samples.epub --image-root samples/uploads
    """
    from .api import books
    from .errors import ConverterError
    from .output import write_atomic

    if group_by is not None and group_by not in ("section", "date", "none"):
        raise _fail(f"--group-by must be section, date or none, not {group_by!r}")
    options = _options(
        config,
        base_url=base_url,
        timezone=timezone,
        language=language,
        strict=strict,
        epub__title=title,
        epub__author=author,
        epub__cover=cover,
        epub__group_by=group_by,
        epub__image_width=image_width,
        epub__images=False if no_images else None,
        epub__per_article=per_article or None,
        fetch__image_root=image_root,
        fetch__cache_dir=cache_dir,
        fetch__allow_private_hosts=allow_private_hosts or None,
        fetch__image_hosts=tuple(image_hosts) if image_hosts else None,
        fetch__offline=offline or None,
    )

    def write_book(stem: str, data: bytes) -> Path:  # --per-article: each book as it is made
        return write_atomic(output, stem + ".epub", data)

    try:
        with _interruptible("epub", [0]):
            outputs, report = books(
                inputs, options, verbose=verbose, write=write_book if per_article else None
            )
        for data in outputs.values():  # the one book
            report.written.append(write_atomic(output.parent, output.name, data))
    except ConverterError as exc:
        raise _fail(str(exc), exc.exit_code) from None
    _finish(report, quiet, verbose, f"epub → {output}")


@app.command()
def export(
    inputs: Inputs,
    output: Annotated[Path, typer.Option("--output", "-o", help="Output directory.")] = Path("out"),
    formats: Annotated[
        str, typer.Option(help="Comma-separated subset of html,markdown,rss,atom,json-feed,epub.")
    ] = "html,markdown,rss,atom,json-feed,epub",
    jobs: Annotated[
        int | None, typer.Option("--jobs", "-j", help="Worker processes. [default: CPU count]")
    ] = None,
    shard: Annotated[
        str | None,
        typer.Option(help="I/N: convert only shard I (1-based) of N, partitioned by id."),
    ] = None,
    merge: Annotated[
        bool,
        typer.Option("--merge", help="INPUTs are shard output directories: build feeds+report."),
    ] = False,
    incremental: Annotated[
        bool, typer.Option(help="Skip articles whose outputs are from the same lastUpdate.")
    ] = False,
    per_article_epub: Annotated[bool, typer.Option(help="Also one book per article.")] = False,
    book_limit: Annotated[
        int,
        typer.Option(
            help="epub/book.epub holds the newest N published articles; 0 = all (memory then "
            "grows with the archive)."
        ),
    ] = 500,  # export.BOOK_LIMIT (not imported here: the CLI starts without it)
    feed_url: Annotated[str | None, typer.Option(help="The main feed's own URL.")] = None,
    limit: Annotated[
        int | None, typer.Option(help="Items per feed; 0 = all. [default: 50]")
    ] = None,
    image_root: Annotated[
        Path | None, typer.Option(help="Local uploads mirror for e-book images.")
    ] = None,
    offline: Annotated[
        bool, typer.Option(help="No image downloads: mirror and cache only.")
    ] = False,
    allow_private_hosts: Annotated[
        bool, typer.Option(help="Allow images from private/loopback hosts.")
    ] = False,
    no_images: Annotated[bool, typer.Option("--no-images", help="Books without pictures.")] = False,
    base_url: BaseUrl = None,
    timezone: Timezone = None,
    language: Language = None,
    config: Config = None,
    strict: Strict = False,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Every format in one pass: html/, markdown/, feeds/, epub/ and report.json in -o DIR.

    Example: converter export samples -o out --image-root samples/uploads --offline
    """
    import os

    from .errors import ConverterError
    from .export import FORMATS
    from .export import export as run_export
    from .export import merge as run_merge

    chosen = [f.strip() for f in formats.split(",") if f.strip()]
    bad = [f for f in chosen if f not in FORMATS]
    if bad:
        raise _fail(f"--formats: unknown {', '.join(bad)} (known: {', '.join(FORMATS)})")
    shard_spec: tuple[int, int] | None = None
    if shard is not None:
        try:
            index, count = (int(x) for x in shard.split("/"))
        except ValueError:
            raise _fail("--shard must be I/N, e.g. 2/8") from None
        if not 1 <= index <= count:
            raise _fail("--shard I/N needs 1 <= I <= N")
        shard_spec = (index - 1, count)
    if jobs is not None and jobs < 1:
        raise _fail("--jobs must be 1 or more")
    if book_limit < 0:
        raise _fail("--book-limit must be 0 (all) or more")
    options = _options(
        config,
        base_url=base_url,
        timezone=timezone,
        language=language,
        strict=strict,
        feed__feed_url=feed_url,
        feed__limit=limit,
        epub__images=False if no_images else None,
        fetch__image_root=image_root,
        fetch__offline=offline or None,
        fetch__allow_private_hosts=allow_private_hosts or None,
    )
    try:
        with (
            _progress("export", not quiet and sys.stderr.isatty() and not merge) as (
                progress,
                done,
            ),
            _interruptible("export", done),
        ):
            if merge:
                result = run_merge([Path(p) for p in inputs], output, options, chosen)
            else:
                result = run_export(
                    inputs,
                    output,
                    options,
                    formats=chosen,
                    jobs=jobs or os.cpu_count() or 1,
                    shard=shard_spec,
                    incremental=incremental,
                    per_article_epub=per_article_epub,
                    book_limit=book_limit,
                    progress=progress,
                    verbose=verbose,
                )
    except ConverterError as exc:
        raise _fail(str(exc), exc.exit_code) from None
    for line in (*result.failures, *result.errors):
        typer.echo(f"error: {line}", err=True)
    if not quiet:
        for line in result.warnings:
            typer.echo(f"warning: {line}", err=True)
        typer.echo(
            f"export → {output}: {result.summary()} (report: {output / 'report.json'})", err=True
        )
    if not result.ok:
        raise typer.Exit(1)


def _version(value: bool) -> None:
    if value:
        from ._version import __version__

        typer.echo(f"converter {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Turn Whitebeard (Daily Maverick) article JSON into clean HTML and Markdown.

    Exit codes: 0 all good, 1 some inputs failed (the rest were written), 2 usage error.
    """


def main() -> None:
    try:
        app()
    except OSError as exc:  # a safety net: file-system trouble is a message, never a traceback
        where = f" {exc.filename}" if exc.filename else ""
        typer.echo(f"converter: cannot read or write{where}: {exc.strerror or exc}", err=True)
        sys.exit(1)
