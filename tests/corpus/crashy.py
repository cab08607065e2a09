"""A worker function that kills its own process on a marked document (to test a crashing worker)."""

from __future__ import annotations

import os

from fabula.corpus.work import Result, Task, analyse

CRASH_MARK = "FABULA-TEST-CRASH-HERE"


def crash_on_mark(task: Task) -> Result:
    if CRASH_MARK.encode() in task.data:
        os._exit(70)  # as a segfault or the OOM killer would: no exception, the process is gone
    return analyse(task)
