"""What a worker does with one document: read it from the bytes the parent sent, run the pipeline, build the
rows. Runs in a pool process or on a Dask worker; never touches the database and never raises for a bad document
(the failure comes back as a :class:`Result` with a one-line reason)."""

from __future__ import annotations

import json
import os
import socket
import sys
import threading
import time
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fabula.errors import FabulaError, InputError

#: Longest error text stored (one line).
MAX_ERROR = 500


@dataclass(slots=True)
class Config:
    """What the pipeline runs: ``upto``, ``skip`` and per-stage options (as for :func:`fabula.api.analyze`)."""

    upto: str | None = None
    skip: Sequence[str] = ()
    stages: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def canonical(self) -> str:
        """A stable JSON text of the configuration (part of every document's key)."""
        return json.dumps(
            {"upto": self.upto, "skip": sorted(self.skip), "config": self.stages}, sort_keys=True, default=repr
        )


@dataclass(slots=True)
class Task:
    """One document sent to a worker: its bytes travel with it (a remote worker needs no shared disk)."""

    doc_id: int
    path: str
    data: bytes
    config: Config
    attempt: int = 0


@dataclass(slots=True)
class Result:
    """What comes back: the analysis fields and the non-empty child tables (Arrow IPC streams), or a failure."""

    doc_id: int
    path: str
    ok: bool
    fields: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, bytes] = field(default_factory=dict)
    error: str | None = None
    error_type: str | None = None
    traceback: str | None = None
    analyse_s: float = 0.0
    worker: str | None = None
    peak_rss_mb: float | None = None


def one_line(text: str) -> str:
    """``text`` on one line, at most :data:`MAX_ERROR` characters."""
    line = " ".join(text.split())
    return line if len(line) <= MAX_ERROR else line[: MAX_ERROR - 1] + "…"


def failure(doc_id: int, path: str, exc: BaseException, *, internal: bool | None = None) -> Result:
    """A failed :class:`Result` for ``exc``: a fabula error keeps its reason; anything else is an internal error
    with its traceback kept for a bug report."""
    if internal is None:
        internal = not isinstance(exc, FabulaError)
    if isinstance(exc, InputError):
        reason = exc.reason
    elif internal:
        reason = f"internal error ({type(exc).__name__}: {exc})"
    else:
        reason = str(exc) or type(exc).__name__
    tb = "".join(traceback.format_exception(exc)) if internal else None
    return Result(doc_id, path, False, error=one_line(reason), error_type=type(exc).__name__, traceback=tb)


_PLANS: dict[str, Any] = {}


def _plan(config: Config) -> Any:
    key = config.canonical()
    if key not in _PLANS:
        from fabula.api import pipeline

        _PLANS[key] = pipeline(config.upto, config.skip, config.stages)
    return _PLANS[key]


def peak_rss_mb() -> float | None:
    """This process's peak resident set size in MB (None where the platform does not say)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


def analyse(task: Task) -> Result:
    """Analyse one document; any failure becomes a failed :class:`Result` (never an exception)."""
    from fabula.api import analyze
    from fabula.corpus.rows import story_tables, to_ipc
    from fabula.readers import load

    t0 = time.perf_counter()
    try:
        story = load(task.data, name=Path(task.path).name)
        story.source.path = task.path
        story = analyze(story, stages=_plan(task.config))
        fields, tables = story_tables(task.doc_id, story)
        result = Result(task.doc_id, task.path, True, fields=fields, tables=to_ipc(tables))
    except MemoryError as exc:
        result = failure(task.doc_id, task.path, exc, internal=False)
        result.error = "out of memory while analysing this document"
    except Exception as exc:
        result = failure(task.doc_id, task.path, exc)
    result.analyse_s = time.perf_counter() - t0
    result.worker = f"{socket.gethostname()}:{os.getpid()}"
    result.peak_rss_mb = peak_rss_mb()
    return result


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:  # the parent died (kill -9): do not linger as an orphan
            os._exit(1)


_WARM_TEXT = b'''"Is the lamp lit?" Ada asked.

"It is," said Bram. "Go to sleep."
'''


def warm(config: Config | None = None) -> str:
    """Build the pipeline and load its models by analysing a three-line story, so the first document's time is
    its own; return this worker's fabula version. Never raises (a broken configuration is reported per
    document)."""
    from fabula import __version__

    analyse(Task(0, "warm-up.txt", _WARM_TEXT, config or Config()))
    return __version__


def init_worker(config: Config | None = None) -> None:
    """Pool-process initialiser: exit when the parent dies, and warm the pipeline up before the first document."""
    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True, name="fabula-parent-watch").start()
    warm(config)
