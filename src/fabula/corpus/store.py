"""The corpus database: one DuckDB file, written only by the parent process.

Every document is written in one transaction together with all its rows (several documents may share one
transaction, never part of one), so after ``kill -9`` at any moment the database holds each document whole or not
at all; the next run redoes what is missing. A document's old rows are deleted in the same transaction that
writes its new ones, so a re-analysed document is never doubled.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fabula import __version__
from fabula.corpus.schema import CHILD_TABLES, SCHEMA_VERSION, TABLES, ddl
from fabula.errors import FabulaError, InputError, UsageError

log = logging.getLogger(__name__)


class StoreError(FabulaError):
    """The database cannot be opened or has another schema version (exit code 3)."""

    exit_code = 3


@dataclass(slots=True)
class Written:
    """A document ready to be written: its ``documents`` row and its child tables (Arrow)."""

    doc: dict[str, Any]
    tables: dict[str, Any]
    replace: bool  # rows of an earlier analysis may exist


def _connect(path: str | os.PathLike[str], read_only: bool) -> Any:
    import duckdb

    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        msg = str(exc).splitlines()[0]
        if "lock" in msg.lower():
            msg = "the database is in use by another process (a corpus run still going?)"
        raise StoreError(f"{path}: cannot open the database ({msg})") from None
    except duckdb.Error as exc:
        raise StoreError(f"{path}: not a DuckDB database ({str(exc).splitlines()[0]})") from None


class Store:
    """A corpus database. ``Store.open(path)`` creates it (and its tables) when missing."""

    def __init__(self, con: Any, path: str, read_only: bool) -> None:
        self.con = con
        self.path = path
        self.read_only = read_only

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, read_only: bool = False) -> Store:
        p = Path(path)
        if read_only and not p.exists():
            raise InputError("no such database", str(path))
        if not read_only:
            p.parent.mkdir(parents=True, exist_ok=True)
        store = cls(_connect(p, read_only), str(path), read_only)
        if not read_only:
            # The writer appends a few documents at a time: DuckDB's worker threads would only take CPU from
            # the analysis workers (a third of the parent's write cost).
            store.con.execute("SET threads = 1")
        try:
            store._prepare()
        except BaseException:
            store.close()
            raise
        return store

    def _prepare(self) -> None:
        tables = {r[0] for r in self.sql("SELECT table_name FROM information_schema.tables")}
        if "schema_info" in tables:
            found = self.info().get("schema_version")
            if found != str(SCHEMA_VERSION):
                raise StoreError(
                    f"{self.path}: corpus schema version {found}, this fabula writes version {SCHEMA_VERSION}; "
                    "use a new --db (or export the old one with `fabula corpus export`)"
                )
        elif tables and not self.read_only:
            raise StoreError(f"{self.path}: a DuckDB database without a fabula corpus in it; use a new --db")
        if self.read_only:
            if "schema_info" not in tables:
                raise StoreError(f"{self.path}: not a fabula corpus database")
            return
        with self.transaction():
            for stmt in ddl():
                self.sql(stmt)
            self.sql(
                "INSERT INTO schema_info VALUES ('schema_version', ?), ('created_with', ?) ON CONFLICT DO NOTHING",
                [str(SCHEMA_VERSION), __version__],
            )

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def sql(self, query: str, params: Sequence[Any] | None = None) -> list[tuple[Any, ...]]:
        """Run one statement and fetch every row."""
        cur = self.con.execute(query, params) if params is not None else self.con.execute(query)
        return list(cur.fetchall())

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.sql("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            self.sql("ROLLBACK")
            raise
        self.sql("COMMIT")

    def info(self) -> dict[str, str]:
        return {k: v for k, v in self.sql("SELECT key, value FROM schema_info")}

    def index(self) -> dict[int, tuple[str, str]]:
        """``doc_id -> (key, status)`` of every document written so far."""
        return {d: (k, s) for d, k, s in self.sql("SELECT doc_id, key, status FROM documents")}

    def write(self, batch: Sequence[Written]) -> None:
        """Write ``batch`` in one transaction: each document's old rows out, its new rows in."""
        if not batch:
            return
        import pyarrow as pa

        from fabula.corpus.rows import to_arrow

        now = datetime.now(UTC).replace(tzinfo=None)
        docs = to_arrow("documents", [{**w.doc, "analysed_at": now} for w in batch])
        with self.transaction():
            stale = [w.doc["doc_id"] for w in batch if w.replace]
            if stale:
                marks = ", ".join("?" for _ in stale)
                for table in (*CHILD_TABLES, "documents"):
                    self.sql(f"DELETE FROM {table} WHERE doc_id IN ({marks})", stale)
            self._insert("documents", docs)
            for table in CHILD_TABLES:
                parts = [w.tables[table] for w in batch if table in w.tables and w.tables[table].num_rows]
                if parts:
                    self._insert(table, pa.concat_tables(parts) if len(parts) > 1 else parts[0])

    def _insert(self, table: str, arrow: Any) -> None:
        """Append an Arrow table (columns in ``table``'s order) to ``table``."""
        self.con.register("_fabula_rows", arrow)
        try:
            self.sql(f"INSERT INTO {table} SELECT * FROM _fabula_rows")
        finally:
            self.con.unregister("_fabula_rows")

    # -- reading --------------------------------------------------------------------------------------------

    def query(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        """``(column names, rows)`` of any SQL statement."""
        import duckdb

        try:
            cur = self.con.execute(sql)
            names = [d[0] for d in cur.description] if cur.description else []
            rows = list(cur.fetchall())
        except duckdb.Error as exc:
            raise UsageError(f"query failed: {str(exc).splitlines()[0]}") from None
        return names, rows

    def export_parquet(self, folder: str | os.PathLike[str]) -> list[Path]:
        """One Parquet file per table in ``folder`` (written atomically: temp name, then rename)."""
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for table in ("schema_info", *TABLES):
            target = out / f"{table}.parquet"
            tmp = out / f".{table}.parquet.tmp"
            quoted = str(tmp).replace("'", "''")
            self.sql(f"COPY (SELECT * FROM {table}) TO '{quoted}' (FORMAT parquet)")
            os.replace(tmp, target)
            written.append(target)
        return written

    def stats(self) -> dict[str, Any]:
        """Counts and sizes for ``fabula corpus stats``."""
        one = lambda q: self.sql(q)[0]  # noqa: E731
        docs, ok, failed, words = one(
            "SELECT count(*), count(*) FILTER (status = 'ok'), count(*) FILTER (status = 'failed'), "
            "coalesce(sum(words), 0) FROM documents"
        )
        counts = {t: one(f"SELECT count(*) FROM {t}")[0] for t in CHILD_TABLES}
        reasons = self.sql(
            "SELECT error_type, error, count(*) AS n FROM documents WHERE status = 'failed' "
            "GROUP BY ALL ORDER BY n DESC, error LIMIT 10"
        )
        formats = self.sql(
            "SELECT coalesce(format, 'unknown'), count(*) FROM documents GROUP BY ALL ORDER BY 2 DESC, 1"
        )
        size = os.path.getsize(self.path) if os.path.exists(self.path) else 0
        wal = self.path + ".wal"
        size += os.path.getsize(wal) if os.path.exists(wal) else 0
        info = self.info()
        return {
            "database": self.path,
            "schema_version": info.get("schema_version"),
            "created_with": info.get("created_with"),
            "fabula_versions": [r[0] for r in self.sql("SELECT DISTINCT fabula_version FROM documents ORDER BY 1")],
            "documents": docs,
            "ok": ok,
            "failed": failed,
            "words": int(words),
            "rows": counts,
            "formats": {str(f): n for f, n in formats},
            "failures": [{"error_type": t, "error": e, "documents": n} for t, e, n in reasons],
            "bytes": size,
            "bytes_per_100k_words": round(size * 100_000 / words) if words else None,
        }


def dumps_stats(stats: dict[str, Any]) -> str:
    return json.dumps(stats, indent=2, default=str)
