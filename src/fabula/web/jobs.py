"""The analysis pool, its bounded queue, progress, and the finished results the pages serve.

:class:`Runner` owns a ``ProcessPoolExecutor`` (spawned processes, so no lock or thread is inherited from the
server), counts the analyses queued or running and refuses more than ``max_queue`` (503), and reads the workers'
progress messages from a queue in one thread. A broken pool (a worker killed, e.g. out of memory) is replaced.

:class:`Jobs` keeps the pages' analyses: state, stage, and the finished outputs, dropped after ``result_ttl_s``
or when they exceed ``max_results_mb`` together (oldest first). Job ids are random and unguessable.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import multiprocessing
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any, TypeVar

from fabula.web import worker
from fabula.web.errors import Problem, busy, timeout
from fabula.web.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")
MAX_TASKS_PER_CHILD = 200
MAX_FINISHED_JOBS = 1000


class Runner:
    """The process pool with a bounded number of analyses in flight."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._ctx = multiprocessing.get_context("spawn")
        self._progress: Any = self._ctx.Queue()
        self._pool: ProcessPoolExecutor | None = None
        self._inflight = 0
        self._running = 0
        self._lock = threading.Lock()
        self._listener: threading.Thread | None = None
        self.on_progress: Callable[[str, str, int, int, float], None] | None = None

    # ------------------------------------------------------------------ life cycle

    def start(self) -> None:
        self._pool = self._new_pool()
        self._listener = threading.Thread(target=self._listen, name="fabula-progress", daemon=True)
        self._listener.start()
        for _ in range(self.settings.workers):
            self._pool.submit(worker.ping)  # start every worker now, models loaded, not on the first request

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.settings.workers,
            mp_context=self._ctx,
            initializer=worker.init,
            initargs=(self._progress, self.settings.preload),
            max_tasks_per_child=MAX_TASKS_PER_CHILD,
        )

    def stop(self, grace_s: float = 2.0) -> None:
        """Cancel what is queued, give running analyses ``grace_s`` to finish, then end the workers."""
        pool, self._pool = self._pool, None
        if pool is not None:
            processes = list(getattr(pool, "_processes", {}).values())
            pool.shutdown(wait=False, cancel_futures=True)
            deadline = time.monotonic() + grace_s
            for proc in processes:
                proc.join(max(0.0, deadline - time.monotonic()))
                if proc.is_alive():
                    proc.terminate()
                    proc.join(5)
        with contextlib.suppress(Exception):
            self._progress.put(None)
        if self._listener is not None:
            self._listener.join(timeout=5)
            self._listener = None
        with contextlib.suppress(Exception):
            self._progress.close()
            self._progress.join_thread()

    def _listen(self) -> None:
        while True:
            try:
                msg = self._progress.get()
            except (EOFError, OSError):
                return
            if msg is None:
                return
            if self.on_progress is not None:
                try:
                    self.on_progress(*msg)
                except Exception:
                    log.debug("progress message dropped", exc_info=True)

    # ------------------------------------------------------------------ work

    @property
    def inflight(self) -> int:
        return self._inflight

    def stats(self) -> dict[str, int]:
        return {"workers": self.settings.workers, "in_flight": self._inflight, "max_queue": self.settings.max_queue}

    def reserve(self) -> None:
        """Take a slot in the queue, or :class:`Problem` 503 when it is full."""
        with self._lock:
            if self._inflight >= self.settings.max_queue:
                raise busy()
            self._inflight += 1

    def release(self) -> None:
        with self._lock:
            self._inflight -= 1

    async def call(self, fn: Callable[..., tuple[T | None, Problem | None]], *args: Any) -> T:
        """Run ``fn(*args)`` in the pool (a slot must be reserved); its result, or raise its :class:`Problem`.

        The worker enforces the analysis time limit itself; the wait here also covers the queue, and gives up
        with 504 after ``timeout_s + queue_wait_s``."""
        pool = self._pool
        if pool is None:
            raise Problem(503, "unavailable", "the server is starting or stopping")
        limit = self.settings.timeout_s + self.settings.queue_wait_s
        try:
            fut = pool.submit(fn, *args)
            result, problem = await asyncio.wait_for(asyncio.wrap_future(fut), limit)
        except TimeoutError:
            raise timeout(limit) from None
        except BrokenProcessPool:
            self._replace(pool)
            raise Problem(500, "internal", "an analysis process died (out of memory?); try again") from None
        if problem is not None:
            raise problem
        assert result is not None
        return result

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is broken:
                log.warning("the analysis pool broke; starting a new one")
                self._pool = self._new_pool()
                broken.shutdown(wait=False, cancel_futures=True)


@dataclass
class Job:
    """One analysis started from the pages."""

    id: str
    name: str
    created: float = field(default_factory=time.time)
    state: str = "queued"  # queued, running, done, failed
    stage: str = "queued"
    step: int = 0
    steps: int = 0
    started: float | None = None
    finished: float | None = None
    problem: Problem | None = None
    result: dict[str, Any] | None = None
    size: int = 0
    done: asyncio.Event = field(default_factory=asyncio.Event)

    def status(self) -> dict[str, Any]:
        now = time.time()
        out: dict[str, Any] = {
            "id": self.id,
            "state": self.state,
            "stage": self.stage,
            "step": self.step,
            "steps": self.steps,
            "elapsed_s": round((self.finished or now) - self.created, 2),
        }
        if self.problem is not None:
            out.update(self.problem.body())
        if self.result is not None:
            out["summary"] = self.result.get("summary", {})
        return out


def result_size(result: dict[str, Any]) -> int:
    total = 0
    for v in result.values():
        if isinstance(v, str):
            total += len(v)
        elif isinstance(v, dict):
            total += sum(len(x) for x in v.values() if isinstance(x, str))
    return total


class Jobs:
    """The pages' analyses by id, with bounded memory for their results."""

    def __init__(self, runner: Runner, settings: Settings) -> None:
        self.runner = runner
        self.settings = settings
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._tasks: set[asyncio.Task[None]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        runner.on_progress = self._progress

    def get(self, job_id: str) -> Job | None:
        self._expire()
        return self._jobs.get(job_id)

    def submit(self, req: worker.AnalyzeRequest, name: str) -> Job:
        """Queue ``req`` (or :class:`Problem` 503 when the queue is full) and return its job."""
        self._loop = asyncio.get_running_loop()
        self.runner.reserve()
        job = Job(id=secrets.token_urlsafe(16), name=name)
        req = dataclasses.replace(req, job_id=job.id)
        self._jobs[job.id] = job
        task = asyncio.create_task(self._run(job, req))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        self._expire()
        return job

    async def _run(self, job: Job, req: worker.AnalyzeRequest) -> None:
        try:
            job.result = await self.runner.call(worker.analyze, req)
            job.size = result_size(job.result)
            job.state = "done"
            job.stage = "done"
            job.step = job.steps
        except Problem as p:
            job.problem, job.state = p, "failed"
        except Exception:
            log.error("job %s failed", job.id, exc_info=True)
            job.problem, job.state = Problem(500, "internal", "internal error"), "failed"
        finally:
            self.runner.release()
            job.finished = time.time()
            job.done.set()
            self._expire()

    def _progress(self, job_id: str, stage: str, step: int, steps: int, at: float) -> None:
        """Called from the listener thread; hands the update to the event loop."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._apply, job_id, stage, step, steps, at)

    def _apply(self, job_id: str, stage: str, step: int, steps: int, at: float) -> None:
        job = self._jobs.get(job_id)
        if job is None or job.state in ("done", "failed"):
            return
        job.state, job.stage, job.step, job.steps = "running", stage, step, steps
        if job.started is None:
            job.started = at

    def _expire(self) -> None:
        now = time.time()
        for jid, job in list(self._jobs.items()):
            if job.finished is not None and now - job.finished > self.settings.result_ttl_s:
                del self._jobs[jid]
        finished = [jid for jid, job in self._jobs.items() if job.finished is not None]
        for jid in finished[: max(0, len(finished) - MAX_FINISHED_JOBS)]:
            del self._jobs[jid]
        total = sum(j.size for j in self._jobs.values())
        for jid, job in list(self._jobs.items()):  # oldest first
            if total <= self.settings.max_results_bytes:
                break
            if job.finished is not None:
                total -= job.size
                del self._jobs[jid]

    def stats(self) -> dict[str, int]:
        return {
            "jobs": len(self._jobs),
            "results_bytes": sum(j.size for j in self._jobs.values()),
        }
