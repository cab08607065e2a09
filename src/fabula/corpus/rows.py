"""Database rows of one analysed story, built from the JSON writer's dict (``fabula.writers.json.to_dict``): the
corpus tables hold what ``fabula analyze --format json`` writes, flattened, never a second derivation."""

from __future__ import annotations

import bisect
import json
from collections.abc import Mapping
from typing import Any

from fabula.corpus.schema import CHILD_TABLES, arrow_schema, column_names
from fabula.story import Story


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True, allow_nan=False)


def _words(text: str) -> int:
    return len(text.split())


def _names(d: Mapping[str, Any]) -> dict[str, str]:
    return {c["id"]: c["name"] for c in (*d["characters"], *d["mentioned"])}


def document_fields(story: Story, d: Mapping[str, Any]) -> dict[str, Any]:
    """The ``documents`` columns that come from the analysis (the runner adds path, key, status, timings)."""
    meta = d["meta"]
    title, author = meta.get("title"), meta.get("author")
    return {
        "format": d["source"]["format"],
        "encoding": d["source"]["encoding"],
        "title": title if isinstance(title, str) else None,
        "author": author if isinstance(author, str) else None,
        "meta": _json(meta),
        "words": _words(story.text),
        "chars": d["text_length"],
        "paragraphs": len(d["paragraphs"]),
        "sentences": len(d["sentences"]),
        "chapters": len(d["chapters"]),
        "scenes": len(d["scenes"]),
        "quotes": len(d["quotes"]),
        "characters": len(d["characters"]),
        "relationships": len(d["relationships"]),
        "stages": list(d["stages"]),
    }


def _characters(doc_id: int, d: Mapping[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for only, group in ((False, d["characters"]), (True, d["mentioned"])):
        for c in group:
            rows.append({"doc_id": doc_id, **{k: c[k] for k in ("id", "name", "aliases", "gender", "narrator",
                                                                "mentions", "quotes")}, "only_mentioned": only})
    return rows


def _quotes(doc_id: int, d: Mapping[str, Any], names: dict[str, str]) -> list[dict[str, Any]]:
    starts = [c["start"] for c in d["chapters"]]
    rows = []
    for q in d["quotes"]:
        e = q["emotion"] or {}
        vad = e.get("vad") or (None, None, None)
        chapter = bisect.bisect_right(starts, q["start"]) - 1 if starts else None
        rows.append({
            "doc_id": doc_id,
            "id": q["id"],
            "start_char": q["start"],
            "end_char": q["end"],
            "chapter": max(chapter, 0) if chapter is not None else None,
            "text": q["text"],
            "words": _words(q["text"]),
            "speaker": q["speaker"],
            "speaker_name": names.get(q["speaker"]) if q["speaker"] else None,
            "addressees": list(q["addressees"]),
            "addressee_names": [names.get(a, a) for a in q["addressees"]],
            "type": q["type"],
            "confidence": q["confidence"],
            "emotion": e.get("top"),
            "emotions": e.get("predicted"),
            "valence": vad[0],
            "arousal": vad[1],
            "dominance": vad[2],
            "ekman": _json(e.get("ekman")),
            "labels": _json(e.get("labels")),
            "act": q["act"],
        })
    return rows


def _relationships(doc_id: int, d: Mapping[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for r in d["relationships"]:
        a, b = r["a"], r["b"]
        rows.append({
            "doc_id": doc_id,
            "a": a,
            "b": b,
            "a_name": r["names"].get(a),
            "b_name": r["names"].get(b),
            "turns_ab": r["turns"]["a_to_b"],
            "turns_ba": r["turns"]["b_to_a"],
            "quotes_ab": r["quotes"]["a_to_b"],
            "quotes_ba": r["quotes"]["b_to_a"],
            "words_ab": r["words"]["a_to_b"],
            "words_ba": r["words"]["b_to_a"],
            "exchanges": r["exchanges"],
            "dominance": r["dominance"],
            "dominance_components": _json(r["dominance_components"]),
            "acts": _json(r["acts"]),
            "interruptions": _json(r["interruptions"]),
            "ends": _json(r["ends"]),
            "vad": _json(r["vad"]),
            "conflict": _json(r["conflict"]),
            "turning_point": _json(r["turning_point"]),
            "exit": _json(r["exit"]),
            "start_char": r["span"][0],
            "end_char": r["span"][1],
            "summary": r["summary"],
        })
    return rows


def _sections(doc_id: int, d: Mapping[str, Any], names: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {
            "doc_id": doc_id,
            "idx": i,
            "start_char": s["start"],
            "end_char": s["end"],
            "person": s["person"],
            "tense": s["tense"],
            "narrator": s["narrator"],
            "narrator_name": names.get(s["narrator"]) if s["narrator"] else None,
        }
        for i, s in enumerate(d["sections"])
    ]


def _arc(doc_id: int, kind: str, a: Mapping[str, Any], **extra: Any) -> dict[str, Any]:
    shape = a.get("shape") or {}
    turn = a.get("turning_point") or {}
    span = a.get("span")
    mean = a.get("mean")
    return {
        "doc_id": doc_id,
        "kind": kind,
        "idx": extra.get("idx"),
        "character": extra.get("character"),
        "character_name": extra.get("character_name"),
        "title": a.get("title"),
        "start_char": span[0] if span else a.get("start"),
        "end_char": span[1] if span else a.get("end"),
        "n": a["n"],
        "valence": mean.get("valence") if mean else None,
        "mean": _json(mean),
        "shape": shape.get("shape"),
        "shape_score": shape.get("score"),
        "turning_kind": turn.get("kind"),
        "turning_at": turn.get("at"),
        "turning_offset": turn.get("offset"),
        "speech": a.get("speech"),
        "narration": a.get("narration"),
        "dct_level": a.get("dct_level"),
    }


def _arcs(doc_id: int, d: Mapping[str, Any], names: dict[str, str]) -> list[dict[str, Any]]:
    arcs = d["arcs"]
    if not arcs:
        return []
    rows = [_arc(doc_id, "story", arcs["story"])]
    rows += [_arc(doc_id, "chapter", a, idx=a.get("index", i)) for i, a in enumerate(arcs["chapters"])]
    rows += [_arc(doc_id, "scene", a, idx=a.get("index", i)) for i, a in enumerate(arcs["scenes"])]
    rows += [
        _arc(doc_id, "character", a, character=cid, character_name=names.get(cid))
        for cid, a in arcs["characters"].items()
    ]
    return rows


def child_rows(doc_id: int, d: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Rows of every child table for one story's JSON dict."""
    names = _names(d)
    return {
        "characters": _characters(doc_id, d),
        "quotes": _quotes(doc_id, d, names),
        "relationships": _relationships(doc_id, d),
        "sections": _sections(doc_id, d, names),
        "arcs": _arcs(doc_id, d, names),
    }


def to_arrow(table: str, rows: list[dict[str, Any]]) -> Any:
    """``rows`` as an Arrow table with ``table``'s schema (columns in DDL order)."""
    import pyarrow as pa

    cols = column_names(table)
    return pa.Table.from_pydict({c: [r.get(c) for r in rows] for c in cols}, schema=arrow_schema(table))


def to_ipc(tables: Mapping[str, Any]) -> dict[str, bytes]:
    """The non-empty Arrow ``tables`` as Arrow IPC streams: what a worker sends back (pickling an Arrow table costs
    ~10× more, on both sides)."""
    import pyarrow as pa

    out = {}
    for name, table in tables.items():
        if table.num_rows:
            sink = pa.BufferOutputStream()
            with pa.ipc.new_stream(sink, table.schema) as writer:
                writer.write_table(table)
            out[name] = sink.getvalue().to_pybytes()
    return out


def from_ipc(streams: Mapping[str, bytes]) -> dict[str, Any]:
    """Arrow tables back from :func:`to_ipc`'s streams."""
    import pyarrow as pa

    return {name: pa.ipc.open_stream(data).read_all() for name, data in streams.items()}


def story_tables(doc_id: int, story: Story) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(document fields, {table: Arrow table})`` for an analysed story."""
    from fabula.writers.json import to_dict

    d = to_dict(story, text=False)
    rows = child_rows(doc_id, d)
    return document_fields(story, d), {t: to_arrow(t, rows[t]) for t in CHILD_TABLES}
