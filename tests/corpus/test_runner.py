"""Corpus runs: resume after kill -9 with nothing lost or doubled, skip and redo by key, bad inputs per document."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from fabula.corpus import Config, Store, run_corpus
from fabula.corpus.engines import LocalEngine
from fabula.corpus.runner import BATCH_DOCS, Progress, doc_id, iter_inputs, largest_first
from fabula.errors import UsageError
from tests.corpus.conftest import N_DOCS, snapshot
from tests.corpus.crashy import CRASH_MARK, crash_on_mark
from tests.corpus.storygen import as_text, story, zip_bomb_epub


def _count(db: Path, sql: str = "SELECT count(*) FROM documents") -> int:
    with Store.open(db, read_only=True) as store:
        value: int = store.query(sql)[1][0][0]
    return value


def test_kill_9_mid_run_then_resume_loses_and_doubles_nothing(
    corpus_dir: Path, baseline_db: Path, tmp_path: Path
) -> None:
    db = tmp_path / "killed.duckdb"
    cmd = [sys.executable, "-m", "fabula.cli", "corpus", "run", str(corpus_dir), "--db", str(db), "--workers", "1"]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    assert proc.stderr is not None
    # kill right after the first batch is written (BATCH_DOCS documents, or fewer when a second went by): on a fast
    # machine thirty documents can take under BATCH_SECONDS, so a fixed count of 30 could see nothing written yet
    want = BATCH_DOCS + 1
    assert want < N_DOCS
    seen = 0
    deadline = time.monotonic() + 90
    while seen < want and time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        seen += line.startswith("[")
    assert seen == want, f"the run did not get far enough ({seen} documents)"
    workers = psutil.Process(proc.pid).children(recursive=True)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    assert proc.returncode == -signal.SIGKILL
    _, alive = psutil.wait_procs(workers, timeout=15)
    assert not alive, "pool workers outlived their killed parent"

    done = _count(db)
    assert 0 < done < N_DOCS, f"the kill was not mid-way ({done} of {N_DOCS} documents written)"

    summary = run_corpus([str(corpus_dir)], db, workers=2)
    assert summary.skipped == done
    assert summary.analysed == N_DOCS - done
    assert summary.failed == 0
    assert _count(db, "SELECT count(DISTINCT doc_id) FROM documents") == N_DOCS
    assert snapshot(db) == snapshot(baseline_db)

    again = run_corpus([str(corpus_dir)], db, workers=1)
    assert (again.analysed, again.skipped) == (0, N_DOCS)
    assert snapshot(db) == snapshot(baseline_db)


def test_changed_document_is_redone_and_others_skipped(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    for i in range(3):
        (corpus / f"s{i}.txt").write_text(as_text(story(100 + i)), encoding="utf-8")
    db = tmp_path / "c.duckdb"
    first = run_corpus([str(corpus)], db, workers=1)
    assert first.analysed == 3
    (corpus / "s1.txt").write_text(as_text(story(999)), encoding="utf-8")
    second = run_corpus([str(corpus)], db, workers=1)
    assert (second.analysed, second.skipped) == (1, 2)
    with Store.open(db, read_only=True) as store:
        _, rows = store.query("SELECT doc_id, count(*) FROM quotes GROUP BY doc_id")
        assert len(rows) == 3
        _, docs = store.query("SELECT count(*), count(DISTINCT doc_id) FROM documents")
        assert docs == [(3, 3)]
    # Another configuration is another key: everything is analysed again, still once per document.
    third = run_corpus([str(corpus)], db, workers=1, config=Config(upto="quotes"))
    assert third.analysed == 3
    with Store.open(db, read_only=True) as store:
        _, rows = store.query("SELECT count(*), count(DISTINCT doc_id), max(len(stages)) FROM documents")
        assert rows == [(3, 3, 2)]
        assert store.query("SELECT count(*) FROM relationships")[1] == [(0,)]


def test_bad_inputs_are_recorded_per_document(tmp_path: Path) -> None:
    corpus = tmp_path / "bad"
    corpus.mkdir()
    good = [corpus / f"good{i}.txt" for i in range(4)]
    for i, p in enumerate(good):
        p.write_text(as_text(story(200 + i)), encoding="utf-8")
    (corpus / "binary.txt").write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 8)
    (corpus / "empty.txt").write_bytes(b"")
    zip_bomb_epub(corpus / "bomb.epub")
    fifo = corpus / "pipe.txt"
    os.mkfifo(fifo)  # not a regular file: reading it would block forever
    missing = corpus / "never-there.txt"
    vanishing = corpus / "vanishing.txt"
    vanishing.write_text("The end.\n", encoding="utf-8")  # the smallest file that exists: read after the others

    def vanish(p: Progress) -> None:
        if p.done == 1 and vanishing.exists():
            vanishing.unlink()  # removed after it was listed, before it was read

    inputs = [str(good[0]), str(good[1]), str(corpus / "binary.txt"), str(corpus / "empty.txt"),
              str(corpus / "bomb.epub"), str(fifo), str(missing), str(good[2]), str(good[3]), str(vanishing)]
    db = tmp_path / "bad.duckdb"
    summary = run_corpus(inputs, db, workers=1, on_progress=vanish)
    assert (summary.seen, summary.analysed, summary.failed) == (10, 4, 6)
    reasons = dict(summary.failures)
    assert set(reasons) == {str(corpus / n) for n in
                            ("binary.txt", "empty.txt", "bomb.epub", "pipe.txt", "never-there.txt", "vanishing.txt")}
    assert "binary" in reasons[str(corpus / "binary.txt")]
    assert "empty" in reasons[str(corpus / "empty.txt")]
    assert "zip bomb" in reasons[str(corpus / "bomb.epub")]
    assert "not a regular file" in reasons[str(fifo)]
    assert "no such file" in reasons[str(missing)]
    assert "no such file" in reasons[str(vanishing)]
    with Store.open(db, read_only=True) as store:
        _, rows = store.query("SELECT path, status, error, error_type FROM documents WHERE status = 'failed'")
    assert len(rows) == 6
    assert all(error and "\n" not in error for _, _, error, _ in rows)
    assert {t for *_, t in rows} >= {"UnsupportedFormat", "InputError", "InputTooLarge"}

    # Failures are not retried unless asked; with --retry-failed they are (and fail again, once each).
    # (the pipe and the missing file are read again each run: they have no content hash to compare)
    again = run_corpus(inputs[:-2], db, workers=1)
    assert (again.analysed, again.skipped, again.skipped_failed, again.failed) == (0, 3, 3, 2)
    retried = run_corpus(inputs[:-2], db, workers=1, retry_failed=True)
    assert (retried.analysed, retried.skipped, retried.skipped_failed, retried.failed) == (0, 3, 0, 5)
    assert _count(db) == 10
    assert _count(db, "SELECT count(*) FROM documents WHERE status = 'failed'") == 6


def test_worker_crash_fails_only_that_document(tmp_path: Path) -> None:
    corpus = tmp_path / "crash"
    corpus.mkdir()
    for i in range(4):
        (corpus / f"s{i}.txt").write_text(as_text(story(400 + i)), encoding="utf-8")
    (corpus / "s1.txt").write_text(CRASH_MARK + "\n\n" + as_text(story(401)), encoding="utf-8")
    db = tmp_path / "crash.duckdb"
    summary = run_corpus([str(corpus)], db, engine=LocalEngine(1, func=crash_on_mark))
    assert summary.analysed == 3
    assert [p for p, _ in summary.failures] == [str(corpus / "s1.txt")]
    assert "worker process died" in summary.failures[0][1]


def test_inputs_files_dirs_globs(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / ".hidden").mkdir()
    for name in ("a/x.txt", "a/y.md", "a/z.png", "a/.hidden/h.txt", "b.html", "c.epub"):
        (tmp_path / name).write_text("x")
    found = list(iter_inputs([str(tmp_path / "a"), str(tmp_path / "*.html"), str(tmp_path / "a" / "x.txt")]))
    assert found == [str(tmp_path / "a" / "x.txt"), str(tmp_path / "a" / "y.md"), str(tmp_path / "b.html")]
    assert doc_id(found[0]) == doc_id(found[0]) and doc_id(found[0]) != doc_id(found[1])
    with pytest.raises(UsageError):
        run_corpus([str(tmp_path / "*.nothing")], tmp_path / "x.duckdb")
    assert not (tmp_path / "x.duckdb").exists()


def test_largest_first_within_the_lookahead(tmp_path: Path) -> None:
    sizes = {"a": 1, "b": 5, "c": 3, "d": 9, "e": 2}
    for name, n in sizes.items():
        (tmp_path / name).write_text("x" * n)
    paths = [str(tmp_path / n) for n in sizes] + [str(tmp_path / "missing")]
    assert [Path(p).name for p in largest_first(paths)] == ["d", "b", "c", "e", "a", "missing"]
    assert [Path(p).name for p in largest_first(paths, lookahead=2)] == ["b", "d", "c", "e", "a", "missing"]
    assert sorted(largest_first(paths, lookahead=0)) == sorted(paths)


def test_copy_of_corpus_keeps_its_own_rows(corpus_dir: Path, baseline_db: Path, tmp_path: Path) -> None:
    """Rows are keyed by path: a copy of one document elsewhere is a second document, not a duplicate."""
    copy = tmp_path / "copy.txt"
    shutil.copy(next(corpus_dir.rglob("*.txt")), copy)
    db = tmp_path / "copy.duckdb"
    shutil.copy(baseline_db, db)
    summary = run_corpus([str(corpus_dir), str(copy)], db, workers=1)
    assert (summary.analysed, summary.skipped) == (1, N_DOCS)
    assert _count(db) == N_DOCS + 1
