"""The corpus database's tables: one definition gives the DuckDB DDL and the Arrow schema the workers fill.

Bump :data:`SCHEMA_VERSION` whenever a column changes; a database written with another version is refused (start
a new one, or export the old one to Parquet first). The tables and example queries are documented in
``docs/corpus.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: Version of the table layout below, stored in ``schema_info``.
SCHEMA_VERSION = 1


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    sql: str  # DuckDB type
    doc: str = ""


def _c(name: str, sql: str, doc: str = "") -> Column:
    return Column(name, sql, doc)


DOCUMENTS = (
    _c("doc_id", "BIGINT", "stable id derived from the path (joins every other table)"),
    _c("path", "VARCHAR", "absolute path of the input file"),
    _c("folder", "VARCHAR", "name of the folder holding the file (a work, for chapter-per-file corpora)"),
    _c("name", "VARCHAR", "file name"),
    _c("key", "VARCHAR", "analysis key: content hash + fabula version + configuration"),
    _c("sha256", "VARCHAR", "SHA-256 of the file's bytes"),
    _c("bytes", "BIGINT", "file size"),
    _c("format", "VARCHAR", "reader format (text, wattpad, markdown, html, ao3, epub)"),
    _c("encoding", "VARCHAR", "detected text encoding"),
    _c("title", "VARCHAR", "meta title, when the reader found one"),
    _c("author", "VARCHAR", "meta author, when the reader found one"),
    _c("meta", "JSON", "everything the reader found (tags, chapters, stats, ...)"),
    _c("words", "INTEGER", "whitespace-separated words of the decoded text"),
    _c("chars", "INTEGER", "code points of the decoded text"),
    _c("paragraphs", "INTEGER"),
    _c("sentences", "INTEGER"),
    _c("chapters", "INTEGER"),
    _c("scenes", "INTEGER"),
    _c("quotes", "INTEGER"),
    _c("characters", "INTEGER", "cast size (characters only mentioned are not counted)"),
    _c("relationships", "INTEGER"),
    _c("stages", "VARCHAR[]", "stages that ran"),
    _c("status", "VARCHAR", "ok or failed"),
    _c("error", "VARCHAR", "one-line reason when failed"),
    _c("error_type", "VARCHAR", "error class (InputError, UnsupportedFormat, InputTooLarge, ...)"),
    _c("traceback", "VARCHAR", "traceback of an internal error (a bug to report), else NULL"),
    _c("fabula_version", "VARCHAR"),
    _c("config", "JSON", "pipeline configuration (upto, skip, stage options)"),
    _c("read_s", "DOUBLE", "seconds reading and hashing the file (parent)"),
    _c("analyse_s", "DOUBLE", "seconds analysing it and building its rows (worker)"),
    _c("worker", "VARCHAR", "host:pid of the worker process"),
    _c("worker_peak_rss_mb", "DOUBLE", "the worker process's peak RSS after this document"),
    _c("analysed_at", "TIMESTAMP", "when the row was written (UTC)"),
)

CHARACTERS = (
    _c("doc_id", "BIGINT"),
    _c("id", "VARCHAR", "character id within the document (c0, narrator0, u1, ...)"),
    _c("name", "VARCHAR"),
    _c("aliases", "VARCHAR[]"),
    _c("gender", "VARCHAR"),
    _c("narrator", "BOOLEAN", "a first-person narrator (id narrator0 and name 'the narrator' while unnamed)"),
    _c("mentions", "INTEGER"),
    _c("quotes", "INTEGER"),
    _c("only_mentioned", "BOOLEAN", "mentioned but never speaking, addressed or narrating (not in the cast)"),
)

QUOTES = (
    _c("doc_id", "BIGINT"),
    _c("id", "INTEGER", "quotation id within the document"),
    _c("start_char", "INTEGER", "code-point offset of the first sub-span in the decoded text"),
    _c("end_char", "INTEGER"),
    _c("chapter", "INTEGER", "index of the chapter holding it (NULL when the document has no chapters)"),
    _c("text", "VARCHAR"),
    _c("words", "INTEGER"),
    _c("speaker", "VARCHAR", "character id"),
    _c("speaker_name", "VARCHAR"),
    _c("addressees", "VARCHAR[]", "character ids"),
    _c("addressee_names", "VARCHAR[]"),
    _c("type", "VARCHAR", "explicit, anaphoric, implicit or none"),
    _c("confidence", "DOUBLE"),
    _c("emotion", "VARCHAR", "top GoEmotions label"),
    _c("emotions", "VARCHAR[]", "labels over their thresholds"),
    _c("valence", "DOUBLE", "EmoBank valence, 1-5"),
    _c("arousal", "DOUBLE", "EmoBank arousal, 1-5"),
    _c("dominance", "DOUBLE", "EmoBank dominance, 1-5"),
    _c("ekman", "JSON", "Ekman groups (sum to 1)"),
    _c("labels", "JSON", "the 28 GoEmotions probabilities"),
    _c("act", "VARCHAR", "dialogue act"),
)

RELATIONSHIPS = (
    _c("doc_id", "BIGINT"),
    _c("a", "VARCHAR", "character id of the pair's first speaker"),
    _c("b", "VARCHAR"),
    _c("a_name", "VARCHAR"),
    _c("b_name", "VARCHAR"),
    _c("turns_ab", "INTEGER"),
    _c("turns_ba", "INTEGER"),
    _c("quotes_ab", "INTEGER"),
    _c("quotes_ba", "INTEGER"),
    _c("words_ab", "INTEGER"),
    _c("words_ba", "INTEGER"),
    _c("exchanges", "INTEGER"),
    _c("dominance", "DOUBLE", "[-1, 1], > 0 when a dominates b"),
    _c("dominance_components", "JSON"),
    _c("acts", "JSON", "character id -> act -> count"),
    _c("interruptions", "JSON"),
    _c("ends", "JSON"),
    _c("vad", "JSON", "character id -> [valence, arousal, dominance] of their lines to the other"),
    _c("conflict", "JSON", "conflict windows: start, end, value (0-1), quotes"),
    _c("turning_point", "JSON"),
    _c("exit", "JSON"),
    _c("start_char", "INTEGER"),
    _c("end_char", "INTEGER"),
    _c("summary", "VARCHAR"),
)

SECTIONS = (
    _c("doc_id", "BIGINT"),
    _c("idx", "INTEGER", "index within the document"),
    _c("start_char", "INTEGER"),
    _c("end_char", "INTEGER"),
    _c("person", "VARCHAR", "first, second, third or unknown"),
    _c("tense", "VARCHAR", "past, present or unknown"),
    _c("narrator", "VARCHAR", "character id of a first-person section's narrator"),
    _c("narrator_name", "VARCHAR"),
)

ARCS = (
    _c("doc_id", "BIGINT"),
    _c("kind", "VARCHAR", "story, chapter, scene or character"),
    _c("idx", "INTEGER", "chapter or scene index (NULL for story and character arcs)"),
    _c("character", "VARCHAR", "character id (character arcs)"),
    _c("character_name", "VARCHAR"),
    _c("title", "VARCHAR", "chapter title"),
    _c("start_char", "INTEGER"),
    _c("end_char", "INTEGER"),
    _c("n", "INTEGER", "points (quotations and narrative sentences) on the arc"),
    _c("valence", "DOUBLE", "mean valence of the points (-1..1)"),
    _c("mean", "JSON", "mean valence and Ekman groups"),
    _c("shape", "VARCHAR", "best of Reagan et al.'s six shapes"),
    _c("shape_score", "DOUBLE"),
    _c("turning_kind", "VARCHAR", "peak, trough or steepest"),
    _c("turning_at", "DOUBLE", "place of the turning point on the arc, 0-1"),
    _c("turning_offset", "INTEGER"),
    _c("speech", "INTEGER", "character arcs: points from their utterances"),
    _c("narration", "INTEGER", "character arcs: points from focalised sentences"),
    _c("dct_level", "DOUBLE[]", "the smoothed curve (100 points)"),
)

#: Tables filled from an analysed document, in write order (``documents`` is written separately).
CHILD_TABLES: dict[str, tuple[Column, ...]] = {
    "characters": CHARACTERS,
    "quotes": QUOTES,
    "relationships": RELATIONSHIPS,
    "sections": SECTIONS,
    "arcs": ARCS,
}
TABLES: dict[str, tuple[Column, ...]] = {"documents": DOCUMENTS, **CHILD_TABLES}


def ddl() -> list[str]:
    """CREATE statements for every table (idempotent)."""
    out = ["CREATE TABLE IF NOT EXISTS schema_info (key VARCHAR PRIMARY KEY, value VARCHAR)"]
    for table, cols in TABLES.items():
        body = ", ".join(f'"{c.name}" {c.sql}' for c in cols)
        if table == "documents":
            body += ", PRIMARY KEY (doc_id)"
        out.append(f"CREATE TABLE IF NOT EXISTS {table} ({body})")
    return out


def arrow_schema(table: str) -> Any:
    """The Arrow schema of ``table`` (JSON columns travel as strings, DuckDB casts them on insert)."""
    import pyarrow as pa

    types = {
        "BIGINT": pa.int64(),
        "INTEGER": pa.int32(),
        "DOUBLE": pa.float64(),
        "BOOLEAN": pa.bool_(),
        "VARCHAR": pa.string(),
        "JSON": pa.string(),
        "TIMESTAMP": pa.timestamp("us"),
        "VARCHAR[]": pa.list_(pa.string()),
        "DOUBLE[]": pa.list_(pa.float64()),
    }
    return pa.schema([(c.name, types[c.sql]) for c in TABLES[table]])


def column_names(table: str) -> list[str]:
    return [c.name for c in TABLES[table]]
