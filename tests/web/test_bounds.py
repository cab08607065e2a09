"""Memory bounds without a pool: the queue limit and the finished-results store (size, age, count)."""

from __future__ import annotations

import time
from collections import OrderedDict

import pytest

from fabula.web.errors import Problem, classify, one_line
from fabula.web.jobs import Job, Jobs, Runner
from fabula.web.settings import Settings
from fabula.web.upload import parse_multipart, safe_name


def test_runner_refuses_beyond_max_queue() -> None:
    runner = Runner(Settings(workers=1, max_queue=2))
    runner.reserve()
    runner.reserve()
    with pytest.raises(Problem) as exc:
        runner.reserve()
    assert exc.value.status == 503
    runner.release()
    runner.reserve()


def _finished(jid: str, size: int, age: float = 0.0) -> Job:
    job = Job(id=jid, name=jid, state="done", result={"json": "x" * size}, size=size)
    job.finished = time.time() - age
    return job


def test_results_store_drops_oldest_beyond_the_budget_and_expired_ones() -> None:
    settings = Settings(workers=1, max_results_mb=1.0, result_ttl_s=60)
    jobs = Jobs(Runner(settings), settings)
    for i in range(5):
        jobs._jobs[f"j{i}"] = _finished(f"j{i}", 300_000)
    jobs._jobs["old"] = _finished("old", 10, age=120)
    jobs._expire()
    kept = list(jobs._jobs)
    assert "old" not in kept
    assert kept == ["j2", "j3", "j4"] and sum(j.size for j in jobs._jobs.values()) <= 2**20
    running = Job(id="r", name="r")  # unfinished jobs are never dropped
    jobs._jobs = OrderedDict({"r": running, **{f"k{i}": _finished(f"k{i}", 600_000) for i in range(3)}})
    jobs._expire()
    assert "r" in jobs._jobs


def test_error_helpers() -> None:
    assert one_line("a\n  b\tc") == "a b c" and len(one_line("x" * 1000)) == 300
    from fabula.errors import InputError, InputTooLarge, UnsupportedFormat, UsageError

    assert classify(InputTooLarge("big")).status == 413
    assert classify(UnsupportedFormat("bin")).status == 415
    assert classify(InputError("bad")).status == 422
    assert classify(UsageError("opt")).status == 400
    internal = classify(KeyError("/etc/secret"))
    assert internal.status == 500 and "secret" not in internal.detail


def test_a_time_limit_that_fires_inside_an_import_is_still_a_timeout() -> None:
    from fabula.web.errors import AnalysisTimeout

    try:  # what Python raises when the alarm lands in a dataclass's class body during an import
        try:
            raise AnalysisTimeout("longer than 0.001 s")
        except AnalysisTimeout as inner:
            raise RuntimeError("Error calling __set_name__ on 'Field' instance 'options' in 'Stage'") from inner
    except RuntimeError as wrapped:
        assert classify(wrapped, 0.001).status == 504
    assert classify(RuntimeError("no cause")).status == 500


def test_multipart_in_memory_and_file_names() -> None:
    body = (
        b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"../../etc/a.txt\"\r\n"
        b"Content-Type: text/plain\r\n\r\nhello\r\n--XyZ\r\nContent-Disposition: form-data; name=\"upto\"\r\n\r\n"
        b"quotes\r\n--XyZ--\r\n"
    )
    parts = parse_multipart(body, "multipart/form-data; boundary=XyZ")
    assert bytes(parts["file"].data) == b"hello" and parts["upto"].text() == "quotes"
    assert safe_name(parts["file"].filename or "") == "a.txt"
    assert safe_name("C:\\\\Users\\\\me\\\\story.md") == "story.md"
    with pytest.raises(Problem):
        parse_multipart(body, "multipart/form-data")
