"""Corpus mode: thousands of documents into one DuckDB database, resumable, in parallel, locally or on Dask.

``run_corpus(inputs, db)`` analyses every document (skipping those already done with the same content, fabula
version and configuration), writes each one transactionally, and returns a summary; ``Store`` opens the database
for queries, statistics and Parquet export. Tables and example SQL: ``docs/corpus.md``.
"""

from __future__ import annotations

from fabula.corpus.runner import Progress, Summary, count_inputs, iter_inputs, run_corpus
from fabula.corpus.schema import SCHEMA_VERSION
from fabula.corpus.store import Store, StoreError
from fabula.corpus.work import Config

__all__ = [
    "SCHEMA_VERSION",
    "Config",
    "Progress",
    "Store",
    "StoreError",
    "Summary",
    "count_inputs",
    "iter_inputs",
    "run_corpus",
]
