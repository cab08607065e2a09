"""What runs inside the analysis processes: a pipeline run under a time limit, rendered to strings.

Each worker process is started by :class:`fabula.web.jobs.Runner` with :func:`init` (the progress queue, the
models preloaded). :func:`analyze` and :func:`emotions` never raise: they return ``(result, None)`` or
``(None, Problem)``, so nothing but plain values crosses back to the server process, and a traceback stays in the
server log. The time limit is a ``SIGALRM`` timer in the worker's main thread (where the executor runs tasks).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType
from typing import Any

from fabula.web.errors import AnalysisTimeout, Problem, classify
from fabula.web.upload import StoryInput

log = logging.getLogger(__name__)

_progress: Any = None


@dataclass(frozen=True)
class AnalyzeRequest:
    """One analysis: the input, which layers (``upto``/``skip`` as in :func:`fabula.api.pipeline`), the
    outputs wanted (``json``, ``html``, ``tsv``) and the time limit."""

    input: StoryInput
    upto: str | None = None
    skip: tuple[str, ...] = ()
    input_format: str | None = None
    outputs: tuple[str, ...] = ("json",)
    timeout_s: float = 300.0
    job_id: str | None = None


#: Analysed once by each worker at start-up, so every lazily loaded model is in memory before a request.
WARM_UP = "\u201cIs the tea ready, Nell?\u201d Tom asked.\n\n\u201cNearly,\u201d Nell said. \u201cSit down.\u201d\n"
#: Workers run at a lower CPU priority than the server process, so the server answers at once under load.
NICENESS = 5


def init(progress: Any, preload: bool) -> None:
    """Worker start-up: keep the progress queue, lower the priority, load every model once."""
    global _progress
    _progress = progress
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server process handles Ctrl-C and shuts the pool down
    with contextlib.suppress(OSError, AttributeError):
        os.nice(NICENESS)
    if preload:
        try:
            from fabula import api
            from fabula.stages.emotion import EmotionModel
            from fabula.writers.html import render

            render(api.analyze(WARM_UP))
            EmotionModel.load()
        except Exception:  # a broken model shows up as an error on the first request instead
            log.warning("preloading the models failed", exc_info=True)


def ping() -> bool:
    """A no-op task: submitting one per worker starts (and warms) the pool."""
    return True


def _report(job_id: str | None, stage: str, step: int, steps: int) -> None:
    if job_id is not None and _progress is not None:
        with contextlib.suppress(Exception):  # progress is best effort
            _progress.put_nowait((job_id, stage, step, steps, time.time()))


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`AnalysisTimeout` in this (main) thread after ``seconds``."""

    def fire(signum: int, frame: FrameType | None) -> None:
        raise AnalysisTimeout(f"longer than {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.001))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _import_pipeline() -> None:
    """Import what an analysis needs before its timer starts, so the alarm never lands inside an import."""
    import fabula.api
    import fabula.readers
    import fabula.writers.html
    import fabula.writers.json
    import fabula.writers.tsv  # noqa: F401


def _run(req: AnalyzeRequest) -> dict[str, Any]:
    from fabula import api, pipeline
    from fabula.readers import load

    plan = api.pipeline(req.upto, req.skip)
    _report(req.job_id, "reading", 0, len(plan) + 2)
    story = load(req.input.source(), input_format=req.input_format, name=req.input.name)
    pipeline.validate(plan, story.done)
    pipeline.check(plan)
    for i, st in enumerate(plan, start=1):
        _report(req.job_id, st.name, i, len(plan) + 2)
        st(story)
    _report(req.job_id, "writing", len(plan) + 1, len(plan) + 2)
    out: dict[str, Any] = {
        "summary": {
            "characters": len(story.characters),
            "quotes": len(story.quotes),
            "chars": len(story.text),
            "title": _title(story.meta),
        }
    }
    if "json" in req.outputs:
        from fabula.writers.json import dumps

        out["json"] = dumps(story)
    if "html" in req.outputs:
        from fabula.web.security import report_csp
        from fabula.writers.html import render

        html = render(story)
        out["html"] = html
        out["csp"] = report_csp(html)
    if "tsv" in req.outputs:
        from fabula.writers.tsv import tables

        out["tsv"] = tables(story)
    return out


def _title(meta: dict[str, Any]) -> str | None:
    title = meta.get("title") if isinstance(meta, dict) else None
    return str(title)[:200] if title else None


def analyze(req: AnalyzeRequest) -> tuple[dict[str, Any] | None, Problem | None]:
    """Run one analysis: ``(outputs, None)`` or ``(None, problem)``."""
    try:
        _import_pipeline()
        with time_limit(req.timeout_s):
            return _run(req), None
    except (Exception, AnalysisTimeout) as exc:
        problem = classify(exc, req.timeout_s)
        if problem.status >= 500 and problem.status != 504:
            log.error("analysis failed", exc_info=True)
        return None, problem


def emotions(utterances: Sequence[str], timeout_s: float) -> tuple[list[dict[str, Any]] | None, Problem | None]:
    """Label utterances as ``fabula emotions`` does: labels, predicted, top, ekman, vad and the dialogue act."""
    try:
        from fabula.stages.acts import classify as classify_act
        from fabula.stages.emotion import EmotionModel

        with time_limit(timeout_s):
            model = EmotionModel.load()
            rows: list[dict[str, Any]] = []
            previous: str | None = None
            for text, result in zip(utterances, model.predict(list(utterances)), strict=True):
                row = dict(result)
                row["text"] = text
                row["act"] = classify_act(text, previous).act
                previous = text
                rows.append(row)
            return rows, None
    except (Exception, AnalysisTimeout) as exc:
        problem = classify(exc, timeout_s)
        if problem.status >= 500 and problem.status != 504:
            log.error("emotion labelling failed", exc_info=True)
        return None, problem
