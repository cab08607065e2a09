"""The web app's limits, with the defaults ``fabula serve`` uses."""

from __future__ import annotations

import os
from dataclasses import dataclass, field


def default_workers() -> int:
    """Analysis processes: the CPUs available, at most 4 (each holds a copy of the models)."""
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        n = os.cpu_count() or 1
    return max(1, min(4, n))


@dataclass(frozen=True)
class Settings:
    """Limits of one app. Sizes in MB (2**20 bytes), times in seconds."""

    #: Analysis processes in the pool.
    workers: int = field(default_factory=default_workers)
    #: Largest upload (a file or pasted text); larger requests get 413.
    max_upload_mb: float = 20.0
    #: Longest analysis of one text, once a worker has started it; longer gets 504.
    timeout_s: float = 300.0
    #: Analyses queued or running at once; more get 503 (memory stays bounded under load).
    max_queue: int = 64
    #: Finished results (reports, JSON, TSV) kept for the pages, oldest dropped first.
    max_results_mb: float = 256.0
    #: A finished result is dropped after this long.
    result_ttl_s: float = 3600.0
    #: Most utterances in one ``POST /api/emotions``.
    max_utterances: int = 10_000
    #: Load the models in each worker at start-up, so the first request is not slow.
    preload: bool = True
    #: How long a form post waits for a short analysis before showing the progress page instead.
    inline_wait_s: float = 2.0
    #: Grace beyond ``timeout_s`` for queueing before a request waiting on the pool gives up (504).
    queue_wait_s: float = 600.0

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 2**20)

    @property
    def max_results_bytes(self) -> int:
        return int(self.max_results_mb * 2**20)
