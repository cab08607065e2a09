"""``fabula corpus run|query|export|stats`` through the CLI."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq
from typer.testing import CliRunner

from fabula.cli import app
from tests.corpus.conftest import N_DOCS
from tests.corpus.storygen import as_text, story

runner = CliRunner()


def test_run_reports_failures_and_exits_0(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.txt").write_text(as_text(story(7)), encoding="utf-8")
    (corpus / "b.txt").write_bytes(b"")
    db = tmp_path / "c.duckdb"
    result = runner.invoke(app, ["corpus", "run", str(corpus), "--db", str(db), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "2 documents: 1 analysed, 1 failed" in result.output
    assert f"{corpus / 'b.txt'}: empty input" in result.output
    again = runner.invoke(app, ["corpus", "run", str(corpus), "--db", str(db), "--workers", "1", "-q"])
    assert again.exit_code == 0 and again.output == ""


def test_run_usage_errors(tmp_path: Path) -> None:
    result = runner.invoke(app, ["corpus", "run", str(tmp_path / "*.none"), "--db", str(tmp_path / "x.duckdb")])
    assert result.exit_code == 2
    assert "no input documents" in result.output
    result = runner.invoke(app, ["corpus", "run", str(tmp_path), "--engine", "spark"])
    assert result.exit_code == 2


def test_query_formats(baseline_db: Path) -> None:
    sql = "SELECT status, count(*) AS n FROM documents GROUP BY status"
    out = runner.invoke(app, ["corpus", "query", "--db", str(baseline_db), sql, "--format", "json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout) == [{"status": "ok", "n": N_DOCS}]
    out = runner.invoke(app, ["corpus", "query", "--db", str(baseline_db), sql, "-f", "csv"])
    assert list(csv.reader(io.StringIO(out.stdout))) == [["status", "n"], ["ok", str(N_DOCS)]]
    out = runner.invoke(app, ["corpus", "query", "--db", str(baseline_db), sql])
    assert out.exit_code == 0 and "ok" in out.stdout and str(N_DOCS) in out.stdout
    bad = runner.invoke(app, ["corpus", "query", "--db", str(baseline_db), "SELECT nope FROM documents"])
    assert bad.exit_code == 2 and "query failed" in bad.output
    missing = runner.invoke(app, ["corpus", "query", "--db", "/nonexistent/x.duckdb", "SELECT 1"])
    assert missing.exit_code == 3


def test_docs_example_queries_run(baseline_db: Path) -> None:
    """Every SQL block in docs/corpus.md runs on a real corpus database."""
    doc = (Path(__file__).resolve().parents[2] / "docs" / "corpus.md").read_text(encoding="utf-8")
    blocks = [b.split("```", 1)[0] for b in doc.split("```sql\n")[1:]]
    assert len(blocks) >= 4
    for sql in blocks:
        out = runner.invoke(app, ["corpus", "query", "--db", str(baseline_db), sql, "-f", "json"])
        assert out.exit_code == 0, (sql, out.output)
        json.loads(out.stdout)
    out = runner.invoke(app, ["corpus", "query", "--db", str(baseline_db), blocks[0], "-f", "json"])
    assert json.loads(out.stdout), "who speaks most: no rows"


def test_export_and_stats(baseline_db: Path, tmp_path: Path) -> None:
    out_dir = tmp_path / "parquet"
    result = runner.invoke(app, ["corpus", "export", "--db", str(baseline_db), "--parquet", str(out_dir)])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out_dir.iterdir())
    assert names == sorted(f"{t}.parquet" for t in
                           ("schema_info", "documents", "characters", "quotes", "relationships", "sections", "arcs"))
    assert pq.read_table(out_dir / "documents.parquet").num_rows == N_DOCS
    stats = runner.invoke(app, ["corpus", "stats", "--db", str(baseline_db), "--json"])
    s = json.loads(stats.stdout)
    assert (s["documents"], s["ok"], s["failed"]) == (N_DOCS, N_DOCS, 0)
    assert s["rows"]["quotes"] > 0 and s["bytes_per_100k_words"] > 0
    text = runner.invoke(app, ["corpus", "stats", "--db", str(baseline_db)])
    assert text.exit_code == 0 and "documents" in text.stdout


def test_other_schema_version_is_refused(baseline_db: Path, tmp_path: Path) -> None:
    import duckdb

    db = tmp_path / "old.duckdb"
    shutil.copy(baseline_db, db)
    con = duckdb.connect(str(db))
    con.execute("UPDATE schema_info SET value = '0' WHERE key = 'schema_version'").fetchall()
    con.close()
    result = runner.invoke(app, ["corpus", "stats", "--db", str(db)])
    assert result.exit_code == 3 and "schema version 0" in result.output
    (tmp_path / "story.txt").write_text(as_text(story(8)), encoding="utf-8")
    plain = tmp_path / "plain.duckdb"
    con = duckdb.connect(str(plain))
    con.execute("CREATE TABLE t (x INTEGER)").fetchall()
    con.close()
    result = runner.invoke(app, ["corpus", "run", str(tmp_path), "--db", str(plain)])
    assert result.exit_code == 3 and "without a fabula corpus" in result.output
