"""Corpus-mode fixtures: a generated 50-document corpus and its database from an uninterrupted local run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fabula.corpus import Store, run_corpus
from fabula.corpus.schema import TABLES
from tests.corpus.storygen import write_corpus

N_DOCS = 50
#: Columns that differ between runs of the same corpus (timings, worker, write time).
VOLATILE = {"read_s", "analyse_s", "worker", "worker_peak_rss_mb", "analysed_at"}


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpus")
    write_corpus(root, N_DOCS)
    return root


@pytest.fixture(scope="session")
def baseline_db(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corpus analysed in one uninterrupted run with the local engine (2 workers)."""
    db = tmp_path_factory.mktemp("baseline") / "corpus.duckdb"
    summary = run_corpus([str(corpus_dir)], db, engine="local", workers=2)
    assert summary.analysed == N_DOCS and summary.failed == 0
    return db


def snapshot(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows without the volatile columns, sorted: two runs that did the same work compare equal."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with Store.open(db, read_only=True) as store:
        for table, cols in TABLES.items():
            keep = ", ".join(f'"{c.name}"' for c in cols if c.name not in VOLATILE)
            _, rows = store.query(f"SELECT {keep} FROM {table}")
            out[table] = sorted(rows, key=repr)
    return out
