"""Where documents are analysed: a local process pool, or a ``dask.distributed`` cluster.

An engine takes :class:`~fabula.corpus.work.Task` s one at a time (``submit``) and hands back each
:class:`~fabula.corpus.work.Result` as soon as it completes (``next_done``), in completion order; the runner keeps
a bounded number in flight, so a corpus is never listed or loaded into memory at once. Engines never write to the
database: results come back to the parent, which alone writes.
"""

from __future__ import annotations

import collections
import logging
import os
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol

from fabula.corpus.work import Config, Result, Task, analyse, failure, init_worker, warm
from fabula.errors import UsageError

log = logging.getLogger(__name__)

#: Memory one local worker is budgeted (a novel-length document peaks well under this; see the benchmark).
WORKER_MEMORY = 1 << 30
#: Memory left to the parent and the system.
RESERVED_MEMORY = 512 << 20
#: Dask settings for a :class:`~distributed.LocalCluster` (not for a cluster of your own): no statistical profiler
#: (it samples the running document every 10 ms, for a dashboard not started), slower housekeeping timers, no work
#: stealing (each worker holds at most two documents), and glibc's own malloc trimming (Dask's 64 KiB threshold
#: costs page faults in every document). Together they take ~90% of an idle cluster's CPU away.
LOCAL_CLUSTER_CONFIG: dict[str, Any] = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.worker.memory.monitor-interval": "500ms",
    "distributed.scheduler.work-stealing": False,
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
}


class Engine(Protocol):
    workers: int

    def submit(self, task: Task) -> None: ...

    def can_submit(self) -> bool: ...

    def in_flight(self) -> int: ...

    def next_done(self) -> Result: ...

    def close(self) -> None: ...


def usable_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return max(1, os.cpu_count() or 1)


def available_memory() -> int | None:
    try:
        import psutil
    except ImportError:  # pragma: no cover - psutil comes with dask[distributed]
        return None
    return int(psutil.virtual_memory().available)


def local_workers(requested: int | None = None) -> tuple[int, str | None]:
    """How many local workers to run: ``requested`` (or one per usable core), at most as many as the available
    memory holds at :data:`WORKER_MEMORY` each, at least one. Returns ``(workers, note)``, the note saying why
    fewer than requested run."""
    if requested is not None and requested < 1:
        raise UsageError("--workers must be at least 1")
    want = requested if requested is not None else usable_cores()
    mem = available_memory()
    if mem is None:
        return want, None
    fits = max(1, (mem - RESERVED_MEMORY) // WORKER_MEMORY)
    if want > fits:
        return fits, (
            f"running {fits} worker(s), not {want}: {mem / 2**30:.1f} GB available at "
            f"{WORKER_MEMORY / 2**30:.1f} GB per worker"
        )
    return want, None


class LocalEngine:
    """A pool of ``workers`` processes (spawned, so no database handle or thread crosses a fork).

    A worker process that dies (killed by the OOM killer, a crash in native code) breaks the pool: the pool is
    rebuilt and the documents that were in flight are retried one at a time, so only the document that kills its
    worker again is recorded as failed."""

    def __init__(
        self,
        workers: int,
        config: Config | None = None,
        window: int | None = None,
        func: Callable[[Task], Result] = analyse,
    ) -> None:
        self.workers = workers
        self._func = func
        self.window = window or 2 * workers
        self._config = config
        self._pool = self._new_pool()
        self._futures: dict[Future[Result], Task] = {}
        self._done: collections.deque[Result] = collections.deque()
        self._suspects: collections.deque[Task] = collections.deque()

    def _new_pool(self) -> ProcessPoolExecutor:
        """A pool whose workers are all started and warmed up (so run times measure documents, not start-up)."""
        import multiprocessing

        pool = ProcessPoolExecutor(
            self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=init_worker,
            initargs=(self._config,),
        )
        wait([pool.submit(os.getpid) for _ in range(self.workers)])
        return pool

    def can_submit(self) -> bool:
        return not self._suspects and len(self._futures) < self.window

    def in_flight(self) -> int:
        return len(self._futures) + len(self._suspects) + len(self._done)

    def submit(self, task: Task) -> None:
        try:
            self._futures[self._pool.submit(self._func, task)] = task
        except BrokenProcessPool:
            # a worker died since the last collection: recover the tasks in flight, then run this one alone
            self._recover([])
            self._suspects.append(task)

    def _collect(self) -> None:
        done, _ = wait(list(self._futures), return_when=FIRST_COMPLETED)
        broken: list[Task] = []
        for fut in done:
            task = self._futures.pop(fut)
            try:
                self._done.append(fut.result())
            except BrokenProcessPool:
                broken.append(task)
            except Exception as exc:  # e.g. a result that cannot be pickled: a bug
                self._done.append(failure(task.doc_id, task.path, exc))
        if broken:
            self._recover(broken)

    def _recover(self, broken: list[Task]) -> None:
        """The pool broke: every task in flight failed with it. Retry them alone; fail a lone repeat."""
        for fut, task in list(self._futures.items()):
            try:
                self._done.append(fut.result())
            except Exception:
                broken.append(task)
        self._futures.clear()
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = self._new_pool()
        alone = len(broken) == 1
        for task in sorted(broken, key=lambda t: t.doc_id):
            if alone or task.attempt >= 1:
                exc = RuntimeError("the worker process died while analysing this document (out of memory?)")
                res = failure(task.doc_id, task.path, exc, internal=False)
                res.error_type = "WorkerDied"
                self._done.append(res)
            else:
                task.attempt += 1
                self._suspects.append(task)

    def next_done(self) -> Result:
        while not self._done:
            if not self._futures and self._suspects:
                self.submit(self._suspects.popleft())
                continue
            if not self._futures:
                raise RuntimeError("next_done() with nothing in flight")
            self._collect()
        return self._done.popleft()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class DaskEngine:
    """Documents submitted to a ``dask.distributed`` cluster: ``address`` is a scheduler's (``tcp://host:8786``),
    or None for a :class:`~distributed.LocalCluster` of ``workers`` single-threaded worker processes.

    Results stream back with :class:`distributed.as_completed` as each finishes. Every worker needs fabula
    installed (the same version: the key of each document names it); documents travel as bytes, so the workers
    need no access to the parent's files."""

    def __init__(
        self,
        address: str | None = None,
        workers: int | None = None,
        *,
        processes: bool = True,
        window: int | None = None,
        config: Config | None = None,
        timeout: str = "30s",
    ) -> None:
        try:
            from distributed import Client, LocalCluster, as_completed
        except ImportError as exc:  # pragma: no cover - dask[distributed] is a dependency
            raise UsageError("--engine dask needs dask[distributed] (pip install 'dask[distributed]')") from exc
        self._cluster: Any = None
        if address:
            try:
                self._client = Client(address, timeout=timeout)
            except OSError as exc:
                raise UsageError(f"cannot reach the Dask scheduler at {address} ({exc})") from None
        else:
            import dask

            n = workers or local_workers()[0]
            with dask.config.set(LOCAL_CLUSTER_CONFIG):
                self._cluster = LocalCluster(
                    n_workers=n,
                    threads_per_worker=1,
                    processes=processes,
                    dashboard_address=None,
                    memory_limit=WORKER_MEMORY * 2 if processes else None,
                )
                self._client = Client(self._cluster)
        self._check_workers(config)
        threads = sum(self._client.nthreads().values()) or 1
        self.workers = threads
        self.window = window or 2 * threads
        self._ac: Any = as_completed([], with_results=False)
        self._tasks: dict[str, Task] = {}
        self._count = 0

    def _check_workers(self, config: Config | None) -> None:
        """Warm every worker up; refuse workers that cannot run fabula or run another version of it."""
        from fabula import __version__

        try:
            versions = self._client.run(warm, config)
        except Exception as exc:
            self.close()
            raise UsageError(f"the Dask workers cannot run fabula ({type(exc).__name__}: {exc})") from None
        other = {addr: v for addr, v in versions.items() if v != __version__}
        if other:
            self.close()
            raise UsageError(f"Dask workers run another fabula version than {__version__}: {other}")

    def can_submit(self) -> bool:
        return len(self._tasks) < self.window

    def in_flight(self) -> int:
        return len(self._tasks)

    def submit(self, task: Task) -> None:
        self._count += 1
        key = f"fabula-doc-{task.doc_id}-{self._count}"
        fut = self._client.submit(analyse, task, pure=False, key=key)
        self._tasks[key] = task
        self._ac.add(fut)

    def next_done(self) -> Result:
        if not self._tasks:
            raise RuntimeError("next_done() with nothing in flight")
        fut = next(self._ac)
        task = self._tasks.pop(str(fut.key))
        try:
            result: Result = fut.result()
        except Exception as exc:  # KilledWorker (the document killed its worker), a lost connection, ...
            internal = type(exc).__name__ not in {"KilledWorker"}
            result = failure(task.doc_id, task.path, exc, internal=internal)
            if not internal:
                result.error = "the worker process died while analysing this document (out of memory?)"
                result.error_type = "WorkerDied"
        finally:
            fut.release()
        return result

    def close(self) -> None:
        try:
            self._client.close()
        finally:
            if self._cluster is not None:
                self._cluster.close()


def make_engine(
    engine: str, workers: int | None, scheduler: str | None, config: Config | None = None
) -> tuple[Engine, str | None]:
    """The engine named ``engine`` (local or dask) and a note on its size, when it is smaller than asked."""
    if engine == "local":
        if scheduler:
            raise UsageError("--scheduler is for --engine dask")
        n, note = local_workers(workers)
        return LocalEngine(n, config), note
    if engine == "dask":
        note = None
        if scheduler is None:
            n, note = local_workers(workers)
            workers = n
        return DaskEngine(scheduler, workers, config=config), note
    raise UsageError(f"unknown --engine {engine!r} (choose local or dask)")
