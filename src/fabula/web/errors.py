"""The web edge's error mapping: fabula's typed errors (``fabula.errors``) become HTTP statuses here and only here.

Every error response is one JSON object ``{"status": 422, "error": "unreadable", "detail": "one line"}`` (the
pages show the same line in HTML). Nothing in a response ever carries a stack trace: unexpected exceptions are
logged on the server and answered with a fixed line.
"""

from __future__ import annotations

import re

from fabula.errors import (
    DataError,
    FabulaError,
    InputError,
    InputTooLarge,
    ModelError,
    PipelineError,
    UnsupportedFormat,
    UsageError,
)

INTERNAL = "internal error; the server log has the details. Please report it with the input that caused it."
_WS = re.compile(r"\s+")


def one_line(text: str, limit: int = 300) -> str:
    """``text`` on one line (whitespace collapsed), at most ``limit`` characters."""
    line = _WS.sub(" ", text).strip()
    return line if len(line) <= limit else line[: limit - 1] + "…"


class Problem(Exception):
    """An HTTP error with a short code and a one-line reason; picklable, so workers can return it."""

    def __init__(self, status: int, error: str, detail: str) -> None:
        super().__init__(status, error, detail)
        self.status = status
        self.error = error
        self.detail = detail

    def __str__(self) -> str:
        return f"{self.status} {self.error}: {self.detail}"

    def body(self) -> dict[str, object]:
        return {"status": self.status, "error": self.error, "detail": one_line(self.detail)}


class AnalysisTimeout(BaseException):
    """The analysis ran past the time limit (raised inside a worker by its alarm).

    A ``BaseException``, like ``KeyboardInterrupt``: a best-effort ``except Exception`` that the alarm happens to
    land in (the progress report) must not swallow it and let the analysis run on without a limit."""


def too_large(size: int | None, limit: int, what: str = "upload") -> Problem:
    got = f"{what} is {size / 2**20:.1f} MB" if size is not None else f"{what} is too large"
    return Problem(413, "too_large", f"{got}; the limit is {limit / 2**20:g} MB")


def unsupported(detail: str) -> Problem:
    return Problem(415, "unsupported_type", detail)


def unreadable(detail: str) -> Problem:
    return Problem(422, "unreadable", detail)


def timeout(seconds: float) -> Problem:
    return Problem(504, "timeout", f"the analysis took longer than the limit of {seconds:g} s")


def busy() -> Problem:
    return Problem(503, "busy", "the server is analysing too many texts at once; try again in a moment")


def _timed_out(exc: BaseException) -> bool:
    """Whether the time limit fired anywhere in ``exc``'s chain: an alarm that lands inside an import or a class
    body comes back wrapped (``RuntimeError: Error calling __set_name__``)."""
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        if isinstance(cur, AnalysisTimeout):
            return True
        seen.add(id(cur))
        cur = cur.__cause__ or cur.__context__
    return False


def classify(exc: BaseException, timeout_s: float = 0.0) -> Problem:
    """The HTTP status for an exception raised by an analysis."""
    if isinstance(exc, Problem):
        return exc
    if _timed_out(exc):
        return timeout(timeout_s)
    if isinstance(exc, InputTooLarge):
        return Problem(413, "too_large", exc.reason)
    if isinstance(exc, UnsupportedFormat):
        return unsupported(exc.reason)
    if isinstance(exc, InputError):
        return unreadable(exc.reason)
    if isinstance(exc, UsageError):
        return Problem(400, "bad_request", str(exc))
    if isinstance(exc, (ModelError, DataError)):
        return Problem(503, "unavailable", str(exc))
    if isinstance(exc, (PipelineError, FabulaError)):
        return Problem(500, "internal", str(exc))
    return Problem(500, "internal", INTERNAL)
