"""The local pool and a Dask LocalCluster write identical tables; worker counts are bounded by memory."""

from __future__ import annotations

from pathlib import Path

import pytest

from fabula.corpus import engines, run_corpus
from fabula.errors import UsageError
from tests.corpus.conftest import N_DOCS, snapshot


def test_dask_local_cluster_matches_local_engine(corpus_dir: Path, baseline_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "dask.duckdb"
    summary = run_corpus([str(corpus_dir)], db, engine="dask", workers=2)
    assert (summary.engine, summary.workers) == ("dask", 2)
    assert (summary.analysed, summary.failed) == (N_DOCS, 0)
    assert len(summary.peak_rss_mb) == 2  # both workers did work, in their own processes
    dask_tables, local_tables = snapshot(db), snapshot(baseline_db)
    for table in local_tables:
        assert dask_tables[table] == local_tables[table], table
    assert len(local_tables["quotes"]) > 10 * N_DOCS


def test_workers_bounded_by_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engines, "available_memory", lambda: 3 * engines.WORKER_MEMORY)
    monkeypatch.setattr(engines, "usable_cores", lambda: 8)
    n, note = engines.local_workers()
    assert n == 2 and note is not None and "GB available" in note
    assert engines.local_workers(1) == (1, None)
    monkeypatch.setattr(engines, "available_memory", lambda: 0)
    assert engines.local_workers()[0] == 1
    with pytest.raises(UsageError):
        engines.local_workers(0)


def test_unknown_engine_and_scheduler_misuse(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        engines.make_engine("spark", None, None)
    with pytest.raises(UsageError):
        engines.make_engine("local", 1, "tcp://127.0.0.1:1")


def test_dask_scheduler_address(tmp_path: Path) -> None:
    """``--scheduler ADDRESS``: documents go to an existing cluster (here an in-process one)."""
    from distributed import LocalCluster

    from tests.corpus.storygen import as_text, story

    corpus = tmp_path / "c"
    corpus.mkdir()
    for i in range(3):
        (corpus / f"s{i}.txt").write_text(as_text(story(500 + i)), encoding="utf-8")
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        summary = run_corpus([str(corpus)], tmp_path / "s.duckdb", engine="dask", scheduler=cluster.scheduler_address)
    assert (summary.analysed, summary.failed, summary.workers) == (3, 0, 1)
    with pytest.raises(UsageError, match="cannot reach"):
        engines.DaskEngine("tcp://127.0.0.1:9", timeout="1s")


def test_a_task_submitted_after_a_worker_died_is_not_lost() -> None:
    """A worker dies while the runner is still submitting: the pool is broken before anyone collected the crash.
    Submitting then must recover (the crashed document fails alone) and still analyse the next one."""
    from concurrent.futures import wait

    from fabula.corpus.work import Config, Task
    from tests.corpus.crashy import CRASH_MARK, crash_on_mark
    from tests.corpus.storygen import as_text, story

    eng = engines.LocalEngine(1, func=crash_on_mark)
    try:
        crash = Task(1, "crash.txt", (CRASH_MARK + "\n\n" + as_text(story(7))).encode(), Config())
        eng.submit(crash)
        wait(list(eng._futures))  # the pool is broken now, and nothing has collected it
        eng.submit(Task(2, "fine.txt", as_text(story(8)).encode(), Config()))
        results = {r.doc_id: r for r in (eng.next_done(), eng.next_done())}
    finally:
        eng.close()
    assert results[1].error_type == "WorkerDied"
    assert results[2].error_type is None
