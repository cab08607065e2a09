"""Rows come from the JSON writer's document, flattened: same values, nothing re-derived."""

from __future__ import annotations

import json
from pathlib import Path

import fabula
from fabula.corpus.rows import child_rows, story_tables
from fabula.corpus.schema import CHILD_TABLES, arrow_schema, ddl
from fabula.writers.json import to_dict

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "the_lighthouse_keeper.txt"


def test_rows_match_the_json_document() -> None:
    story = fabula.analyze(EXAMPLE)
    d = to_dict(story, text=False)
    rows = child_rows(7, d)
    assert [r["id"] for r in rows["quotes"]] == [q["id"] for q in d["quotes"]]
    names = {c["id"]: c["name"] for c in d["characters"] + d["mentioned"]}
    for r, q in zip(rows["quotes"], d["quotes"], strict=True):
        assert (r["start_char"], r["end_char"], r["text"], r["speaker"]) == (q["start"], q["end"], q["text"],
                                                                              q["speaker"])
        assert r["speaker_name"] == (names[q["speaker"]] if q["speaker"] else None)
        assert r["emotion"] == q["emotion"]["top"] and json.loads(r["labels"]) == q["emotion"]["labels"]
        assert r["valence"] == q["emotion"]["vad"][0]
    assert [(r["a"], r["b"], r["dominance"]) for r in rows["relationships"]] == [
        (r["a"], r["b"], r["dominance"]) for r in d["relationships"]
    ]
    assert len(rows["characters"]) == len(d["characters"]) + len(d["mentioned"])
    assert len(rows["sections"]) == len(d["sections"])
    kinds = [r["kind"] for r in rows["arcs"]]
    assert kinds.count("story") == 1 and kinds.count("chapter") == len(d["arcs"]["chapters"])
    assert all(r["doc_id"] == 7 for t in rows.values() for r in t)


def test_arrow_tables_follow_the_schema() -> None:
    story = fabula.analyze(EXAMPLE)
    fields, tables = story_tables(1, story)
    assert fields["quotes"] == len(story.quotes) and fields["words"] == len(story.text.split())
    for name in CHILD_TABLES:
        assert tables[name].schema == arrow_schema(name)
    assert len(ddl()) == 1 + 1 + len(CHILD_TABLES)


def test_story_without_later_stages_has_no_analysis_rows() -> None:
    story = fabula.analyze(EXAMPLE, upto="quotes")
    _, tables = story_tables(1, story)
    assert tables["quotes"].num_rows == len(story.quotes)
    assert tables["arcs"].num_rows == 0 and tables["relationships"].num_rows == 0
    assert tables["quotes"].column("speaker").null_count == len(story.quotes)
