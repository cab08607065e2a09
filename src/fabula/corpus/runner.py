"""A corpus run: find the inputs, skip what is done, send the rest to an engine, write results as they arrive.

Inputs are files, directories (walked recursively, story files only) and glob patterns, read lazily: the corpus is
never listed into memory. Each document's key is its content hash plus fabula's version and the configuration,
so a re-run skips documents already analysed with the same key, re-analyses changed ones, and (with
``retry_failed``) retries failures. Bad documents become failed rows with a one-line reason; the run goes on.
"""

from __future__ import annotations

import glob
import hashlib
import heapq
import itertools
import logging
import os
import stat
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fabula import __version__
from fabula.corpus.engines import Engine, make_engine
from fabula.corpus.rows import from_ipc
from fabula.corpus.store import Store, Written
from fabula.corpus.work import Config, Result, Task, failure
from fabula.errors import InputError, InputTooLarge, UsageError
from fabula.readers import MAX_INPUT_BYTES

log = logging.getLogger(__name__)

#: File suffixes picked up when walking a directory (an explicitly named file is read whatever its suffix).
STORY_SUFFIXES = frozenset({".txt", ".text", ".md", ".markdown", ".html", ".htm", ".xhtml", ".epub"})
_GLOB_CHARS = frozenset("*?[")
#: Results written together in one transaction (each document is still all-or-nothing).
BATCH_DOCS = 32
BATCH_SECONDS = 1.0
#: Failures kept in the summary (all of them are in the database).
MAX_SUMMARY_FAILURES = 1000
#: Paths looked at ahead, to send the largest of them first (only the paths are held).
LOOKAHEAD = 256


def _walk(root: str) -> Iterator[str]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith(".") and Path(name).suffix.lower() in STORY_SUFFIXES:
                yield os.path.join(dirpath, name)


def iter_inputs(inputs: Iterable[str]) -> Iterator[str]:
    """Absolute paths of the documents named by ``inputs`` (files, directories, globs), each once, lazily.

    A path that does not exist (and is no glob) is still yielded: the run records it as a failed document."""
    seen: set[str] = set()
    for spec in inputs:
        if os.path.isdir(spec):
            found: Iterable[str] = _walk(spec)
        elif os.path.lexists(spec) or not _GLOB_CHARS & set(spec):
            found = [spec]
        else:
            found = (p for p in glob.iglob(spec, recursive=True) if not os.path.isdir(p))
        for p in found:
            full = os.path.abspath(p)
            if full not in seen:
                seen.add(full)
                yield full


def largest_first(paths: Iterable[str], lookahead: int = LOOKAHEAD) -> Iterator[str]:
    """``paths`` reordered so that, of the next ``lookahead``, the largest file comes first (one that cannot be
    stat'ed counts as empty): a long document then starts early instead of running alone at the end while the
    other workers idle. A corpus of at most ``lookahead`` documents comes out sorted, largest first."""
    heap: list[tuple[int, int, str]] = []
    for i, path in enumerate(paths):
        try:
            size = os.stat(path).st_size
        except OSError:
            size = 0
        heapq.heappush(heap, (-size, i, path))
        if len(heap) > lookahead:
            yield heapq.heappop(heap)[2]
    while heap:
        yield heapq.heappop(heap)[2]


def count_inputs(inputs: Iterable[str]) -> int:
    """How many documents ``inputs`` name (a cheap first pass, for a progress bar)."""
    return sum(1 for _ in iter_inputs(inputs))


def doc_id(path: str) -> int:
    """A stable 63-bit id for a document path."""
    return int(hashlib.sha256(path.encode("utf-8", "surrogatepass")).hexdigest()[:15], 16)


def doc_key(sha256: str, config: Config) -> str:
    """The analysis key: content hash, fabula version and configuration."""
    h = hashlib.sha256(f"{sha256}\0{__version__}\0{config.canonical()}".encode())
    return h.hexdigest()[:32]


def read_document(path: str) -> bytes:
    """The bytes of ``path``; :class:`InputError` with a one-line reason when it cannot be read."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise InputError("no such file", path) from None
    except OSError as exc:
        raise InputError(f"cannot read ({exc.strerror})", path) from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError("is a directory, not a file", path)
    if not stat.S_ISREG(st.st_mode):
        raise InputError("not a regular file (a pipe, socket or device)", path)
    if st.st_size > MAX_INPUT_BYTES:
        raise InputTooLarge(f"file is {st.st_size / 2**20:.0f} MB; the limit is {MAX_INPUT_BYTES // 2**20} MB", path)
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_INPUT_BYTES + 1)
    except FileNotFoundError:
        raise InputError("no such file (it was removed while being read)", path) from None
    except OSError as exc:
        raise InputError(f"cannot read ({exc.strerror})", path) from None
    if len(data) > MAX_INPUT_BYTES:
        raise InputTooLarge(f"file grew past the {MAX_INPUT_BYTES // 2**20} MB limit while being read", path)
    return data


@dataclass(slots=True)
class Progress:
    """What the progress callback sees after each document."""

    path: str
    status: str  # ok, failed, skipped
    done: int  # documents handled (analysed, failed or skipped)
    words: int  # words analysed in this run
    elapsed: float
    error: str | None = None


@dataclass(slots=True)
class Summary:
    """How a run went."""

    database: str
    engine: str
    workers: int
    seen: int = 0
    analysed: int = 0
    failed: int = 0
    skipped: int = 0
    skipped_failed: int = 0  # failed before, not retried
    words: int = 0
    seconds: float = 0.0
    startup_s: float = 0.0  # starting the engine's workers (included in ``seconds``)
    notes: list[str] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)
    peak_rss_mb: dict[str, float] = field(default_factory=dict)  # worker -> peak RSS

    @property
    def words_per_second(self) -> float:
        """Words analysed per second of the run, the workers' start-up left out."""
        busy = self.seconds - self.startup_s
        return self.words / busy if busy > 0 else 0.0


@dataclass(slots=True)
class _Planned:
    """A document read in the parent: a task for the engine, or a result already known (skip or failure)."""

    task: Task | None = None
    result: Result | None = None
    skip: str | None = None  # ok | failed
    meta: dict[str, Any] = field(default_factory=dict)


class _Run:
    def __init__(
        self,
        store: Store,
        config: Config,
        retry_failed: bool,
        summary: Summary,
        on_progress: Callable[[Progress], None] | None,
    ) -> None:
        self.store = store
        self.config = config
        self.retry_failed = retry_failed
        self.summary = summary
        self.on_progress = on_progress
        self.index = store.index()
        self.meta: dict[int, dict[str, Any]] = {}
        self.batch: list[Written] = []
        self.batch_since = 0.0
        self.start = time.perf_counter()

    def plan(self, path: str) -> _Planned:
        did = doc_id(path)
        p = Path(path)
        meta: dict[str, Any] = {
            "doc_id": did, "path": path, "folder": p.parent.name, "name": p.name, "fabula_version": __version__,
            "config": self.config.canonical(),
        }
        t0 = time.perf_counter()
        try:
            data = read_document(path)
        except InputError as exc:
            meta.update(key=None, read_s=time.perf_counter() - t0)
            return _Planned(result=failure(did, path, exc), meta=meta)
        sha = hashlib.sha256(data).hexdigest()
        key = doc_key(sha, self.config)
        meta.update(sha256=sha, key=key, bytes=len(data), read_s=time.perf_counter() - t0)
        before = self.index.get(did)
        if before is not None and before[0] == key and (before[1] == "ok" or not self.retry_failed):
            return _Planned(skip=before[1], meta=meta)
        return _Planned(task=Task(did, path, data, self.config), meta=meta)

    def handle(self, result: Result) -> None:
        meta = self.meta.pop(result.doc_id)
        s = self.summary
        row = {**meta, **result.fields, "analyse_s": result.analyse_s, "worker": result.worker,
               "worker_peak_rss_mb": result.peak_rss_mb}
        if result.ok:
            row["status"] = "ok"
            s.analysed += 1
            s.words += int(result.fields.get("words") or 0)
        else:
            row.update(status="failed", error=result.error, error_type=result.error_type,
                       traceback=result.traceback)
            s.failed += 1
            if len(s.failures) < MAX_SUMMARY_FAILURES:
                s.failures.append((result.path, result.error or "failed"))
        if result.worker and result.peak_rss_mb is not None:
            s.peak_rss_mb[result.worker] = max(s.peak_rss_mb.get(result.worker, 0.0), result.peak_rss_mb)
        if not self.batch:
            self.batch_since = time.perf_counter()
        self.batch.append(Written(row, from_ipc(result.tables), replace=result.doc_id in self.index))
        self.index[result.doc_id] = (row.get("key") or "", row["status"])
        if len(self.batch) >= BATCH_DOCS or time.perf_counter() - self.batch_since >= BATCH_SECONDS:
            self.flush()
        self.progress(result.path, row["status"], result.error)

    def flush(self) -> None:
        self.store.write(self.batch)
        self.batch = []

    def progress(self, path: str, status: str, error: str | None = None) -> None:
        s = self.summary
        s.seconds = time.perf_counter() - self.start
        if self.on_progress is not None:
            done = s.analysed + s.failed + s.skipped + s.skipped_failed
            self.on_progress(Progress(path, status, done, s.words, s.seconds, error))

    def planned(self, item: _Planned) -> Task | None:
        """Account for one planned document; the task to submit, if any."""
        self.summary.seen += 1
        did = item.meta["doc_id"]
        if item.skip is not None:
            if item.skip == "ok":
                self.summary.skipped += 1
            else:
                self.summary.skipped_failed += 1
            self.progress(item.meta["path"], "skipped")
            return None
        self.meta[did] = item.meta
        if item.result is not None:
            self.handle(item.result)
            return None
        return item.task


def run_corpus(
    inputs: Iterable[str],
    db: str | os.PathLike[str],
    *,
    engine: str | Engine = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    config: Config | None = None,
    retry_failed: bool = False,
    on_progress: Callable[[Progress], None] | None = None,
) -> Summary:
    """Analyse every document named by ``inputs`` into the DuckDB database ``db``; return a :class:`Summary`.

    ``engine`` is ``"local"`` (a process pool of ``workers``, default one per core, bounded by memory),
    ``"dask"`` (a ``LocalCluster``, or the scheduler at ``scheduler``) or an engine object. Documents already
    analysed with the same key are skipped; failed ones are retried only with ``retry_failed``. Documents go out
    largest first within a window of :data:`LOOKAHEAD` paths. Only this process writes to the database."""
    config = config or Config()
    if isinstance(engine, str) and engine not in ("local", "dask"):
        raise UsageError(f"unknown --engine {engine!r} (choose local or dask)")
    from fabula.api import pipeline

    pipeline(config.upto, config.skip, config.stages)  # a bad configuration fails before anything starts
    paths = iter_inputs(inputs)
    first = next(paths, None)
    if first is None:
        raise UsageError("no input documents (nothing matched the paths and patterns given)")
    store = Store.open(db)
    name = engine if isinstance(engine, str) else type(engine).__name__
    summary = Summary(str(db), name, 0 if isinstance(engine, str) else engine.workers)

    def start() -> Engine:
        """The engine, started only when a document needs analysing (a finished corpus re-runs at once)."""
        if not isinstance(engine, str):
            return engine
        t0 = time.perf_counter()
        eng, note = make_engine(engine, workers, scheduler, config)
        summary.workers = eng.workers
        summary.startup_s = time.perf_counter() - t0
        if note:
            summary.notes.append(note)
        return eng

    try:
        _drive(
            _Run(store, config, retry_failed, summary, on_progress), start,
            largest_first(itertools.chain([first], paths)),
        )
    finally:
        store.close()
    return summary


def _drive(run: _Run, start: Callable[[], Engine], paths: Iterable[str]) -> None:
    eng: Engine | None = None
    try:
        for path in paths:
            task = run.planned(run.plan(path))
            if task is None:
                continue
            if eng is None:
                eng = start()
            while not eng.can_submit():
                run.handle(eng.next_done())
            eng.submit(task)
        while eng is not None and eng.in_flight():
            run.handle(eng.next_done())
    except KeyboardInterrupt:
        run.flush()  # keep what is finished; the rest is redone next time
        raise
    finally:
        if eng is not None:
            eng.close()
    run.flush()
    run.summary.seconds = time.perf_counter() - run.start
