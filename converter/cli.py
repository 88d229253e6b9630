"""The command line: a thin typer layer over converter.api, generated from the adapter registry.

Every format's command, its flags and its help text come from its ``Adapter`` record
(converter/adapters/__init__.py); ``export`` takes the flags the registry marks for it.
Exit codes: 0 all good; 1 some inputs failed (the rest were written); 2 usage error
(bad flags, unknown config keys or values, unknown time zone). Heavy modules are imported
inside the commands so that ``--help`` and ``--version`` start fast.
"""

from __future__ import annotations

import contextlib
import inspect
import signal
import sys
import typing
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from .adapters import ADAPTERS, SITE, Adapter, Flag, Kind
from .progress import Bar

if TYPE_CHECKING:
    from .export import ExportResult
    from .options import Options
    from .output import Report

R = TypeVar("R")

__all__ = ["app", "main"]

app = typer.Typer(
    name="converter",
    help="Turn Whitebeard (Daily Maverick) article JSON into HTML, Markdown, feeds and e-books.",
    no_args_is_help=True,
    # --install-completion / --show-completion (bash, zsh, fish, PowerShell): the scripts call
    # back into `converter`, which completes commands, flags and the choices of a flag.
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"]},  # inherited by every command
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

INPUTS = typer.Argument(
    help="Files, directories (every *.json, *.jsonl and JSON or CMS dump *.txt below, sorted;"
    " hidden ones skipped) or - for stdin.",
    show_default=False,
    metavar="INPUT",
)
# Flags every command has (besides the registry's): "" fields are switches of the command.
COMMON = (
    *SITE,
    Flag("config", "", Path, "Site settings file (default: ./converter.toml when present)."),
    Flag("strict", "strict", bool, "Warnings (degraded embeds, dropped galleries) fail."),
    Flag("sanitiser", "sanitiser", str, "own (default): the allow-list; nh3: nh3 after it too."),
    Flag("fsync-each", "fsync_each", bool, "fsync each file (default: each folder, at the end)."),
    Flag("allow-empty", "allow_empty", bool, "Inputs without any article are not an error."),
    Flag("quiet", "", bool, "Only errors on stderr.", short="-q"),
    Flag("verbose", "", bool, "Also the written files; tracebacks of internal errors.", "-v"),
)
# The per-article commands' worker processes (engine/pool.py, as export's); serial by default.
JOBS = Flag("jobs", "", int, "Worker processes that render. [default: 1]", short="-j")
EXPORT = (
    Flag("formats", "", str, "Comma-separated subset of " + ",".join(
        a.name for a in ADAPTERS.values() if a.folder and a.command) + "."),
    Flag("jobs", "", int, "Worker processes. [default: CPU count]", short="-j"),
    Flag("shard", "", str, "I/N: convert only shard I (1-based) of N, partitioned by id; "
         "auto or auto/N: I and N from a Kubernetes indexed Job or a Slurm array "
         "(docs/job-arrays.md)."),
    Flag("merge", "", bool, "INPUTs are shard output directories: build feeds+report."),
    Flag("incremental", "", bool, "Skip articles whose outputs are from the same lastUpdate."),
    Flag("prune", "", bool, "Remove the files of articles no longer in the input (manifest)."),
    Flag("per-article-epub", "", bool, "Also one book per article."),
    Flag("book-limit", "", int, "epub/book.epub holds the newest N published articles; 0 = "
         "all (memory then grows with the archive). [default: 500]"),
    Flag("feed-url", "feed.feed_url", str, "The main feed's own URL."),
    Flag("limit", "feed.limit", int, "Items per feed; 0 = all. [default: 50]"),
    Flag("image-root", "fetch.image_root", Path, "Local uploads mirror for e-book images."),
    Flag("offline", "fetch.offline", bool, "No image downloads: mirror and cache only."),
    Flag("allow-private-hosts", "fetch.allow_private_hosts", bool, "Allow private hosts."),
    Flag("no-images", "epub.images", bool, "Books without pictures.", negative=True),
    *(flag for adapter in ADAPTERS.values() if adapter.export_flags for flag in adapter.flags),
)  # fmt: skip
_TYPES: dict[type, Any] = {tuple: list[str], datetime: str}
# What a value looks like in the help, by the flag's type (the option field's, when it has one).
_METAVARS: dict[Any, str] = {str: "TEXT", int: "N", float: "NUMBER", Path: "PATH",
                             tuple: "HOST", datetime: "DATETIME"}  # fmt: skip
_SWITCH_METAVARS = {"split-by": "[category]", "shard": "I/N|auto|auto/N", "formats": "LIST",
                    "config": "FILE", "css": "FILE", "cover": "FILE"}  # fmt: skip


def _metavar(flag: Flag) -> tuple[str, list[str]]:
    """The flag's value in the help (``[summary|full|exclude]`` for a choice, URL, TAG, ...)
    and its choices for shell completion, from the option field's declared type."""
    from .options import Text, field_type

    if not flag.field:
        return _SWITCH_METAVARS.get(flag.name, _METAVARS.get(flag.type, "TEXT")), []
    kind = field_type(flag.field)
    if typing.get_origin(kind) is typing.Literal:
        choices = [str(c) for c in typing.get_args(kind)]
        return "[" + "|".join(choices) + "]", choices
    for candidate in (kind, *typing.get_args(kind)):
        for mark in getattr(candidate, "__metadata__", ()):
            if isinstance(mark, Text):
                names = {Text.LANGUAGE: "TAG", Text.TIME_ZONE: "ZONE"}
                return names.get(mark, "URL"), []
    if flag.text:
        return "FILE", []
    return _SWITCH_METAVARS.get(flag.name, _METAVARS.get(flag.type, "TEXT")), []


def _parameter(flag: Flag) -> inspect.Parameter:
    names = [f"--{flag.name}", *([flag.short] if flag.short else [])]
    if flag.type is bool:
        option = typer.Option(*names, help=flag.help)
        annotation: Any = Annotated[bool, option]
        default: Any = False
    else:
        kind = _TYPES.get(flag.type, flag.type)
        metavar, choices = _metavar(flag)
        # The choices are shown and completed, not enforced here: options.check refuses a
        # wrong value with the same message for flags, config file and API.
        complete = (lambda: choices) if choices else None
        option = typer.Option(*names, help=flag.help, metavar=metavar, autocompletion=complete)
        annotation = Annotated[kind | None, option]
        default = None
    name = flag.name.replace("-", "_")
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default,
                             annotation=annotation)  # fmt: skip


def _command(
    run: Callable[[dict[str, Any]], None], flags: Sequence[Flag], output: Any, doc: str
) -> Callable[..., None]:
    """A typer command: INPUTS, -o and ``flags``; ``run`` gets {parameter name: value}."""

    def command(**values: Any) -> None:
        run(values)

    inputs = inspect.Parameter("inputs", inspect.Parameter.KEYWORD_ONLY,
                               annotation=Annotated[list[str], INPUTS])  # fmt: skip
    out = inspect.Parameter("output", inspect.Parameter.KEYWORD_ONLY, default=output[0],
                            annotation=Annotated[type(output[0]), output[1]])  # fmt: skip
    seen: set[str] = set()
    params = [inputs, out]
    for flag in flags:
        if flag.name not in seen:
            seen.add(flag.name)
            params.append(_parameter(flag))
    command.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    command.__doc__ = doc
    return command


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"converter: {message}", err=True)
    return typer.Exit(code)


def _options(flags: Sequence[Flag], values: dict[str, Any]) -> Options:
    """The options record: defaults, then the config file, then the flags that were given."""
    from .errors import UsageError
    from .settings import build

    given: dict[str, Any] = {}
    names: dict[str, str] = {}
    for flag in flags:
        value = values.get(flag.name.replace("-", "_"))
        if not flag.field or value is None or (flag.type is bool and not value):
            continue
        if flag.type is bool and flag.negative:
            value = False
        elif flag.type is tuple:
            value = tuple(value)
        elif flag.text:
            try:
                value = Path(value).read_text("utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise _fail(f"--{flag.name}: cannot read {value}: {exc}") from None
        elif flag.type is datetime:
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                raise _fail(f"--{flag.name}: not an ISO 8601 date and time: {value!r}") from None
        given[flag.field] = value
        names[flag.field] = f"--{flag.name}"
    try:
        return build(values.get("config"), given, names)
    except UsageError as exc:
        raise _fail(str(exc)) from None


def _finish(report: Report, values: dict[str, Any], what: str) -> None:
    from .output import collapse

    quiet, verbose = values.get("quiet"), values.get("verbose")
    for line in report.failed:
        typer.echo(f"error: {line}", err=True)
    if not quiet:
        for line in collapse(report.warnings):
            typer.echo(f"warning: {line}", err=True)
        if verbose:
            for article_id, rule in report.skipped:
                typer.echo(f"skipped: article {article_id}: {rule}", err=True)
            for path in report.written:
                typer.echo(f"wrote {path}", err=True)
        typer.echo(f"{what}: {report.summary()}", err=True)
    if not report.ok:
        raise typer.Exit(1)


class _Terminated(BaseException):
    """SIGTERM, raised like KeyboardInterrupt is for SIGINT (BaseException: nothing swallows it)."""


@dataclass
class _Tally:
    """What a run has finished, for its progress bar and for the line an interrupt prints.
    ``rest``: what else the run makes at the end (and so has not made when interrupted)."""

    what: str
    rest: str = ""
    counted: bool = True  # False: the run reports no per-article progress (export --merge)
    reading: bool = False  # the count is of articles read; the output is made after the last
    done: int = 0
    total: int | None = None
    bar: Bar | None = None

    def step(self, done: int) -> None:
        self.done = done
        if self.bar is not None:
            self.bar.update(done)

    def expect(self, total: int | None) -> None:
        self.total = total
        if self.bar is not None:
            self.bar.begin(total)

    def stopped(self, how: str) -> str:
        """The one line of an interrupted run: what was finished and what was not."""
        if not self.counted:
            return f"{self.what}: {how} before its output was complete; no partial files"
        if self.reading:
            of = f" of {self.total}" if self.total is not None else ""
            return (f"{self.what}: {how} after reading {self.done}{of} articles, before its"
                    " output was complete; no partial files")  # fmt: skip
        if self.total is None:
            finished = f"{self.done} articles done, the rest not"
        else:
            finished = f"{self.done} of {self.total} articles done, {self.total - self.done} not"
        rest = f"; {self.rest} not written" if self.rest else ""
        return f"{self.what}: {how}: {finished}{rest}; no partial files"


@contextlib.contextmanager
def _interruptible(tally: _Tally) -> Iterator[None]:
    """SIGINT → exit 130, SIGTERM → exit 143, each with one line. By the time the exception
    gets here the worker processes are stopped (workers.Workers) and temporary files removed
    (output.write_atomic, the export's report part), so nothing is partial."""
    previous = signal.getsignal(signal.SIGTERM)

    def on_term(signum: int, frame: object) -> None:
        raise _Terminated()

    signal.signal(signal.SIGTERM, on_term)
    code = 0
    try:
        yield
    except KeyboardInterrupt:
        code, how = 130, "interrupted (SIGINT)"
    except _Terminated:
        code, how = 143, "terminated (SIGTERM)"
    finally:
        if tally.bar is not None:
            tally.bar.close()
        signal.signal(signal.SIGTERM, previous)
    if code:
        # A second Ctrl-C while the line is printed would end in a traceback instead.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        typer.echo(tally.stopped(how), err=True)
        raise typer.Exit(code)


def _progress(tally: _Tally, show: bool) -> None:
    """A bar on stderr for ``tally`` when ``show`` and stderr is a terminal (never on a pipe
    or a log file)."""
    if show and sys.stderr.isatty():
        tally.bar = Bar(tally.what, sys.stderr, tally.total)


def _guarded(tally: _Tally, work: Callable[[_Tally], R], progress: bool) -> R:
    """``work(tally)`` with a progress bar (on a terminal), signals as exit statuses with one
    line, and converter errors as messages."""
    from .errors import ConverterError

    _progress(tally, progress)
    try:
        with _interruptible(tally):
            return work(tally)
    except ConverterError as exc:
        raise _fail(str(exc), exc.exit_code) from None


def _articles(adapter: Adapter, values: dict[str, Any], options: Options) -> None:
    """A per-article format: one file per article into -o DIR; ``-o -``: the one article's
    document on stdout (a usage error when the inputs hold more or fewer than one)."""
    from .api import convert

    output, inputs = values["output"], values["inputs"]
    target = None if output == "-" else Path(output)
    verbose, jobs = bool(values["verbose"]), 1 if values["jobs"] is None else values["jobs"]
    if jobs < 1:
        raise _fail("--jobs must be 1 or more")

    def work(tally: _Tally) -> Report:
        return convert(adapter.name, inputs, target, options, progress=tally.step,
                       total=tally.expect, verbose=verbose, stdout=sys.stdout.buffer,
                       jobs=jobs)  # fmt: skip

    tally = _Tally(adapter.name, counted=target is not None)
    report = _guarded(tally, work, not values["quiet"] and target is not None)
    _finish(report, values, f"{adapter.name} → {output}")


def _collection(adapter: Adapter, values: dict[str, Any], options: Options) -> None:
    """A collection format: one document into -o FILE (or - for stdout); per section or per
    article (``--split-by category``, ``--per-article``) or several files: into -o DIR."""
    from . import api
    from .progress import count_records

    output, inputs, verbose = values["output"], values["inputs"], bool(values["verbose"])
    split_by = values.get("split_by")
    if split_by is not None and split_by != "category":
        raise _fail(f"--split-by {split_by!r}: only 'category' is supported")
    several = bool(split_by) or options.epub.per_article or adapter.kind is Kind.FILES
    if several and output == "-":
        raise _fail(f"{adapter.name}: this output is several files: -o DIRECTORY")
    target = Path(output)

    file = None if several or output == "-" else target

    def work(tally: _Tally) -> Report:
        if tally.bar is not None:  # a second, parse-only pass: only for a bar's total
            tally.expect(count_records(inputs, allow_empty=options.allow_empty))
        return api.collection(adapter.name, inputs, options, target if several else None,
                              split_by=split_by, verbose=verbose, progress=tally.step,
                              file=file)  # fmt: skip

    # The bar counts the articles read; the feeds or books are made after the last.
    tally = _Tally(adapter.name, reading=True)
    report = _guarded(tally, work, not values["quiet"])
    if output == "-" and report.document is not None:
        sys.stdout.buffer.write(report.document)
        sys.stdout.buffer.flush()
    _finish(report, values, f"{adapter.name} → {output}")


def _register(adapter: Adapter) -> None:
    flags = (*adapter.flags, *COMMON, *((JOBS,) if adapter.per_article else ()))
    if adapter.kind is Kind.ARTICLE:
        output = (
            f"out/{adapter.folder}",
            typer.Option(
                "--output",
                "-o",
                help="Output directory, or - for stdout (one article only).",
                metavar="DIR|-",
            ),
        )
    elif adapter.kind is Kind.FILES:
        output = (
            f"out/{adapter.folder}",
            typer.Option("--output", "-o", help="Output directory.", metavar="DIR"),
        )
    else:
        default = f"out/{adapter.file}" if adapter.images else "-"
        output = (
            default,
            typer.Option(
                "--output",
                "-o",
                help="The file, - for stdout, or a directory (one file per section or article).",
                metavar="FILE|-|DIR",
            ),
        )
    run = _articles if adapter.kind is Kind.ARTICLE else _collection

    def go(values: dict[str, Any]) -> None:
        run(adapter, values, _options(flags, values))

    about = f"{adapter.about}\n\n    " if adapter.about else ""
    # "\b": click prints the paragraph as written (an example is copied, never re-wrapped).
    doc = f"Write {adapter.title}.\n\n    {about}\b\n    Example: converter {adapter.example}\n    "
    app.command(name=adapter.name)(_command(go, flags, output, doc))


for _adapter in ADAPTERS.values():
    if _adapter.command:
        _register(_adapter)


def _shard(spec: str | None) -> tuple[int, int] | None:
    """(0-based index, count) of ``--shard`` (I/N, or auto from the job array's environment)."""
    import os

    from .errors import UsageError
    from .options import parse_shard

    if spec is None:
        return None
    try:
        shard = parse_shard(spec, os.environ)
    except UsageError as exc:
        raise _fail(str(exc)) from None
    return (shard.index, shard.count)


def _shard_filter(shard: tuple[int, int] | None) -> Callable[[str], bool] | None:
    """Whether an article key is in this shard (as export.export decides), for a bar's total."""
    if shard is None:
        return None
    from .export import shard_of

    index, count = shard
    return lambda key: shard_of(key, count) == index


def _export(values: dict[str, Any]) -> None:
    import os

    from .export import BOOK_LIMIT, FORMATS
    from .export import export as run_export
    from .export import merge as run_merge
    from .progress import count_records

    chosen = [f.strip() for f in (values["formats"] or ",".join(FORMATS)).split(",") if f.strip()]
    bad = [f for f in chosen if f not in FORMATS]
    if bad:
        raise _fail(f"--formats: unknown {', '.join(bad)} (known: {', '.join(FORMATS)})")
    shard, jobs = _shard(values["shard"]), values["jobs"]
    book_limit = BOOK_LIMIT if values["book_limit"] is None else values["book_limit"]
    if jobs is not None and jobs < 1:
        raise _fail("--jobs must be 1 or more")
    if book_limit < 0:
        raise _fail("--book-limit must be 0 (all) or more")
    if values["output"] == "-":  # never a folder named "-"
        raise _fail("export: the output is a folder: -o DIRECTORY (- is for one-file outputs)")
    options = _options((*EXPORT, *COMMON), values)
    output = Path(values["output"])

    def work(tally: _Tally) -> ExportResult:
        if values["merge"]:
            return run_merge([Path(p) for p in values["inputs"]], output, options, chosen)
        if tally.bar is not None:  # a second, parse-only pass: only for a bar's total
            keep = _shard_filter(shard)
            tally.expect(count_records(values["inputs"], keep, allow_empty=options.allow_empty))
        return run_export(values["inputs"], output, options, formats=chosen,
                          jobs=jobs or os.cpu_count() or 1, shard=shard,
                          incremental=values["incremental"],
                          per_article_epub=values["per_article_epub"], book_limit=book_limit,
                          progress=tally.step, verbose=values["verbose"],
                          prune=values["prune"])  # fmt: skip

    rest = "feeds, books, sitemaps, report.json and manifest.json"
    tally = _Tally("export", rest, counted=not values["merge"])
    result = _guarded(tally, work, not values["quiet"] and not values["merge"])
    for line in (*result.failed, *result.errors):
        typer.echo(f"error: {line}", err=True)
    if not values["quiet"]:
        from .output import collapse

        for line in collapse(result.warnings):
            typer.echo(f"warning: {line}", err=True)
        report = output / "report.json"
        typer.echo(f"export → {output}: {result.summary()} (report: {report})", err=True)
    if not result.ok:
        raise typer.Exit(1)


app.command(name="export")(
    _command(
        _export,
        (*EXPORT, *COMMON),
        ("out", typer.Option("--output", "-o", help="Output directory.", metavar="DIR")),
        """Every format in one pass: html/, markdown/, feeds/, epub/, ninjs/, sitemaps/ and
    report.json in -o DIR.

    \b
    Example: converter export samples -o out --image-root samples/uploads --offline
    On a Kubernetes indexed Job (or a Slurm array), one shard per task, then the merge:
      converter export archive/ -o out/shard-$JOB_COMPLETION_INDEX --shard auto/4
      converter export --merge out/shard-0 out/shard-1 out/shard-2 out/shard-3 -o out/all
    """,
    )
)


def _version(value: bool) -> None:
    if value:
        from . import _native
        from ._version import __version__

        typer.echo(f"converter {__version__} ({_native.status()})")  # compiled, or why not
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
        # One program name whether started as `converter` or `python -m converter`: the help's
        # usage lines and the completion scripts (which call `converter`) agree.
        app(prog_name="converter")
    except OSError as exc:  # a safety net: file-system trouble is a message, never a traceback
        where = f" {exc.filename}" if exc.filename else ""
        typer.echo(f"converter: cannot read or write{where}: {exc.strerror or exc}", err=True)
        sys.exit(1)
