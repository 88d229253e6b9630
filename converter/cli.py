"""The command line: a thin typer layer over converter.api.

Exit codes: 0 all good; 1 some inputs failed (the rest were written); 2 usage error
(bad flags, unknown config keys, unknown time zone). Heavy modules are imported inside the
commands so that ``--help`` and ``--version`` start fast.
"""

from __future__ import annotations

import sys
import tomllib
from dataclasses import fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from .options import Options
    from .output import Report

__all__ = ["app", "main"]

app = typer.Typer(
    name="converter",
    help="Turn Whitebeard (Daily Maverick) article JSON into clean HTML and Markdown.",
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

# converter.toml: [site] title, url, base_url, language, timezone; [images] host_map = {old = new}
_CONFIG_KEYS = {
    ("site", "title"): "site_title",
    ("site", "url"): "site_url",
    ("site", "base_url"): "base_url",
    ("site", "language"): "language",
    ("site", "timezone"): "timezone",
    ("images", "host_map"): "host_map",
}


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"converter: {message}", err=True)
    return typer.Exit(code)


def _load_config(path: Path | None) -> dict[str, Any]:
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
            name = _CONFIG_KEYS.get((table, key))
            if name is None:
                raise _fail(f"{path}: unknown setting {table}.{key}")
            if name == "host_map":
                if not isinstance(value, dict) or not all(
                    isinstance(v, str) for v in value.values()
                ):
                    raise _fail(f"{path}: images.host_map must map URL prefixes to URL prefixes")
                value = tuple(value.items())
            elif not isinstance(value, str):
                raise _fail(f"{path}: {table}.{key} must be a string")
            settings[name] = value
    return settings


def _options(config: Path | None, **flags: Any) -> Options:
    from .options import Options

    settings = _load_config(config)
    known = {f.name for f in fields(Options)}
    settings.update({k: v for k, v in flags.items() if v is not None and k in known})
    options = replace(Options(), **settings)
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

    show_progress = not quiet and sys.stderr.isatty()
    bar_context: Any = None
    progress = None
    if show_progress:
        bar_context = typer.progressbar(length=0, label=f"{fmt}", file=sys.stderr)
        bar = bar_context.__enter__()

        def progress(done: int) -> None:
            bar.update(1)

    try:
        report = convert(fmt, inputs, output, options, progress=progress, verbose=verbose)
    except ConverterError as exc:
        raise _fail(str(exc), exc.exit_code) from None
    finally:
        if bar_context is not None:
            bar_context.__exit__(None, None, None)
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


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"converter {version('converter')}")
        except PackageNotFoundError:
            typer.echo("converter (not installed)")
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
    app()
