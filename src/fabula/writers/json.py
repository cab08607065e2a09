"""JSON output, schema ``fabula.story/1``: a Story as plain dicts and lists, and back.

Every span is ``[start, end)`` in code points of the decoded source text (``Story.text``, also written under
``"text"`` unless ``text=False``). Where the JSON carries a string for a span (``quotes[].text``,
``nonstory[].text``) it is exactly ``text[start:end]``. The layout is documented in ``docs/schema.md`` and
checked by the JSON Schema shipped as ``fabula/schema/story.schema.json``.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import functools
import json
import math
import types
import typing
from collections.abc import Mapping
from importlib import resources
from typing import Any

from fabula import __version__
from fabula.errors import InputError, UnsupportedFormat
from fabula.story import (
    Arc,
    Arcs,
    Chapter,
    Character,
    CraftNote,
    Emotion,
    EmotionSpan,
    Mention,
    NonStory,
    Quote,
    Relationship,
    Section,
    SourceInfo,
    Span,
    Story,
)

SCHEMA_ID = "fabula.story/1"
SCHEMA_FILE = "story.schema.json"
ANALYSIS_DIGITS = 4  # the floats of the arcs and relationships layers are written to this many places
# Arc curves left out of the JSON where the arcs stage did not compute them (``dct_level`` too when n == 0).
_ARC_UNSET = ("low_pass_size", "x", "offsets", "valence", "rolling", "ekman")


def load_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) that every ``to_dict`` output satisfies."""
    ref = resources.files("fabula").joinpath("schema").joinpath(SCHEMA_FILE)
    data: dict[str, Any] = json.loads(ref.read_text(encoding="utf-8"))
    return data


def jsonable(value: Any) -> Any:
    """Turn free-form layer values (meta) and dataclasses (arcs, relationships, emotions) into JSON-native values.

    Tuples and sets become lists, numpy scalars and arrays become numbers and lists, dates become ISO
    strings, dataclasses become dicts, NaN and infinities become ``null``; the rest becomes ``str(value)``.
    """
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (set, frozenset)):
        items = [jsonable(v) for v in value]
        try:
            return sorted(items)
        except TypeError:
            return items
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    tolist = getattr(value, "tolist", None)  # numpy arrays and scalars
    if callable(tolist):
        return jsonable(tolist())
    return str(value)


def rounded(value: Any, digits: int = ANALYSIS_DIGITS) -> Any:
    """JSON-native ``value`` with every float rounded to ``digits`` places (how analysis layers are written)."""
    if isinstance(value, float):
        return round(value, digits)
    if isinstance(value, dict):
        return {k: rounded(v, digits) for k, v in value.items()}
    if isinstance(value, list):
        return [rounded(v, digits) for v in value]
    return value


def arc_dict(arc: Arc) -> dict[str, Any]:
    """One arc as written under ``arcs``: floats rounded, curves the stage did not compute left out."""
    d: dict[str, Any] = rounded(jsonable(arc))
    for key in _ARC_UNSET:
        if d[key] is None:
            del d[key]
    if arc.n == 0:
        del d["dct_level"]
    return d


def arcs_dict(arcs: Arcs | None) -> dict[str, Any]:
    """The ``arcs`` layer as written (``{}`` when the arcs stage did not run)."""
    if arcs is None:
        return {}
    return {
        "story": arc_dict(arcs.story),
        "chapters": [arc_dict(a) for a in arcs.chapters],
        "scenes": [arc_dict(a) for a in arcs.scenes],
        "characters": {cid: arc_dict(a) for cid, a in arcs.characters.items()},
    }


def relationship_dict(r: Relationship) -> dict[str, Any]:
    """One relationship as written under ``relationships[]``, floats rounded."""
    d: dict[str, Any] = rounded(jsonable(r))
    return d


def craft_note_dict(n: CraftNote) -> dict[str, Any]:
    """One craft note as written under ``craft_notes[]``, ``value`` rounded."""
    d: dict[str, Any] = rounded(jsonable(n))
    return d


def _pairs(spans: list[Span] | list[tuple[int, int]]) -> list[list[int]]:
    out: list[list[int]] = []
    for s in spans:
        if isinstance(s, Span):
            out.append([int(s.start), int(s.end)])
        else:
            out.append([int(s[0]), int(s[1])])
    return out


def _emotion_span(e: EmotionSpan) -> dict[str, Any]:
    return {
        "start": int(e.start),
        "end": int(e.end),
        "ekman": jsonable(e.ekman),
        "vad": jsonable(list(e.vad)),
        "top": e.top,
    }


def quote_dict(story: Story, q: Quote) -> dict[str, Any]:
    """One quotation as written under ``quotes[]``."""
    return {
        "id": int(q.id),
        "start": int(q.start),
        "end": int(q.end),
        "text": story.text[q.start : q.end],
        "spans": _pairs(q.spans),
        "outer": [int(q.outer[0]), int(q.outer[1])] if q.outer is not None else None,
        "speaker": q.speaker,
        "addressees": list(q.addressees),
        "type": q.type,
        "confidence": jsonable(float(q.confidence)),
        "emotion": jsonable(q.emotion) if q.emotion is not None else None,
        "act": q.act,
    }


def character_dict(c: Character) -> dict[str, Any]:
    """One character as written under ``characters[]`` (and ``mentioned[]``)."""
    return {
        "id": c.id,
        "name": c.name,
        "aliases": list(c.aliases),
        "gender": c.gender,
        "narrator": bool(c.narrator),
        "mentions": int(c.mentions),
        "quotes": int(c.quotes),
        "person": c.person,  # unrounded: the JSON reads back to the same Story
    }


def _character(c: Mapping[str, Any]) -> Character:
    return Character(
        id=c["id"],
        name=c["name"],
        aliases=list(c.get("aliases") or []),
        gender=c.get("gender"),
        narrator=bool(c.get("narrator", False)),
        mentions=int(c.get("mentions", 0)),
        quotes=int(c.get("quotes", 0)),
        person=None if c.get("person") is None else float(c["person"]),
    )


def to_dict(story: Story, *, tokens: bool = False, text: bool = True) -> dict[str, Any]:
    """The Story as a JSON-ready dict following ``fabula.story/1``.

    ``tokens=True`` adds the token layer (large); ``text=False`` leaves out the source text (the spans then
    refer to the text a reader gets by decoding the source the same way).
    """
    t = story.text
    src = story.source
    d: dict[str, Any] = {
        "schema": SCHEMA_ID,
        "fabula_version": __version__,
        "source": {"path": src.path, "format": src.format, "encoding": src.encoding, "sha256": src.sha256},
        "meta": jsonable(story.meta),
        "text_length": len(t),
        "stages": list(story.done),
    }
    if text:
        d["text"] = t
    d["sections"] = [
        {
            "start": int(s.start),
            "end": int(s.end),
            "person": s.person,
            "tense": s.tense,
            "narrator": s.narrator,
        }
        for s in story.sections
    ]
    d["characters"] = [character_dict(c) for c in story.characters]
    d["mentioned"] = [character_dict(c) for c in story.mentioned]
    d["quotes"] = [quote_dict(story, q) for q in story.quotes]
    d["paragraphs"] = _pairs(story.paragraphs)
    d["sentences"] = _pairs(story.sentences)
    d["scenes"] = _pairs(story.scenes)
    d["chapters"] = [
        {
            "start": int(c.start),
            "end": int(c.end),
            "title": c.title,
            "heading": [int(c.heading.start), int(c.heading.end)] if c.heading is not None else None,
        }
        for c in story.chapters
    ]
    d["nonstory"] = [
        {"start": int(n.start), "end": int(n.end), "kind": n.kind, "text": t[n.start : n.end]}
        for n in story.nonstory
    ]
    d["thoughts"] = _pairs(story.thoughts)
    d["italics"] = _pairs(story.italics)
    d["mentions"] = [
        {"start": int(m.start), "end": int(m.end), "character": m.character, "kind": m.kind}
        for m in story.mentions
    ]
    d["arcs"] = arcs_dict(story.arcs)
    d["relationships"] = [relationship_dict(r) for r in story.relationships]
    d["craft_notes"] = [craft_note_dict(n) for n in story.craft_notes]
    d["sentence_emotions"] = [_emotion_span(e) for e in story.sentence_emotions]
    if tokens:
        d["tokens"] = _pairs(story.tokens)
    return d


def dumps(story: Story, indent: int | None = 2, *, tokens: bool = False, text: bool = True) -> str:
    """The Story as a JSON string (UTF-8 safe, no NaN, keys in schema order)."""
    d = to_dict(story, tokens=tokens, text=text)
    return json.dumps(d, ensure_ascii=False, indent=indent, allow_nan=False)


def _span_list(items: Any) -> list[Span]:
    return [Span(int(a), int(b)) for a, b in items or []]


def _sentence_emotions(items: list[dict[str, Any]]) -> list[EmotionSpan]:
    return [
        EmotionSpan(int(e["start"]), int(e["end"]), dict(e["ekman"]), tuple(e["vad"]), str(e["top"]))
        for e in items
    ]


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def typed(tp: Any, value: Any) -> Any:
    """Parsed JSON ``value`` as type ``tp``: dataclasses from objects (fields not written keep their defaults)
    and tuples from arrays, through ``X | None``, ``list[X]`` and ``dict[str, X]``."""
    if value is None:
        return None
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is types.UnionType or origin is typing.Union:
        return typed(next(a for a in args if a is not type(None)), value)
    if origin is list:
        return [typed(args[0], v) for v in value]
    if origin is dict:
        return {k: typed(args[1], v) for k, v in value.items()}
    if origin is tuple:
        return tuple(typed(a, v) for a, v in zip(args, value, strict=True))
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        hints = _hints(tp)
        return tp(**{f.name: typed(hints[f.name], value[f.name]) for f in dataclasses.fields(tp) if f.name in value})
    return value


def from_dict(d: Mapping[str, Any], *, text: str | None = None) -> Story:
    """Rebuild a Story from ``to_dict`` output (or parsed JSON). ``text`` is needed when the JSON has none."""
    if d.get("schema") != SCHEMA_ID:
        raise UnsupportedFormat(f"not a {SCHEMA_ID} document (schema is {d.get('schema')!r})")
    body = d.get("text", text) if text is None else text
    if body is None:
        raise InputError("the JSON carries no source text; pass text=")
    if "text_length" in d and len(body) != d["text_length"]:
        raise InputError(f"text has {len(body)} code points but the JSON says {d['text_length']}")
    src = d.get("source") or {}
    story = Story(
        text=body,
        source=SourceInfo(
            path=src.get("path"),
            format=src.get("format", "text"),
            encoding=src.get("encoding"),
            sha256=src.get("sha256"),
        ),
        meta=dict(d.get("meta") or {}),
        nonstory=[NonStory(n["start"], n["end"], n["kind"]) for n in d.get("nonstory", [])],
        italics=_span_list(d.get("italics")),
        paragraphs=_span_list(d.get("paragraphs")),
        sentences=_span_list(d.get("sentences")),
        tokens=[(int(a), int(b)) for a, b in d.get("tokens", [])],
        chapters=[
            Chapter(
                c["start"],
                c["end"],
                c.get("title"),
                Span(*c["heading"]) if c.get("heading") is not None else None,
            )
            for c in d.get("chapters", [])
        ],
        scenes=_span_list(d.get("scenes")),
        sections=[
            Section(
                s["start"], s["end"], s.get("person", "unknown"), s.get("tense", "unknown"), s.get("narrator")
            )
            for s in d.get("sections", [])
        ],
        quotes=[
            Quote(
                id=q["id"],
                spans=[(int(a), int(b)) for a, b in q["spans"]],
                speaker=q.get("speaker"),
                addressees=list(q.get("addressees") or []),
                type=q.get("type", "none"),
                confidence=float(q.get("confidence") or 0.0),
                outer=(q["outer"][0], q["outer"][1]) if q.get("outer") is not None else None,
                emotion=Emotion.from_dict(q["emotion"]) if q.get("emotion") is not None else None,
                act=q.get("act"),
            )
            for q in d.get("quotes", [])
        ],
        thoughts=_span_list(d.get("thoughts")),
        characters=[_character(c) for c in d.get("characters", [])],
        mentioned=[_character(c) for c in d.get("mentioned", [])],
        mentions=[
            Mention(m["start"], m["end"], m.get("character"), m.get("kind", "name"))
            for m in d.get("mentions", [])
        ],
        arcs=typed(Arcs, d["arcs"]) if d.get("arcs") else None,
        relationships=[typed(Relationship, r) for r in d.get("relationships", [])],
        craft_notes=[typed(CraftNote, n) for n in d.get("craft_notes", [])],
        done=list(d.get("stages", [])),
    )
    story.sentence_emotions = _sentence_emotions(d.get("sentence_emotions", []))
    return story


def loads(s: str, *, text: str | None = None) -> Story:
    """Parse a ``fabula.story/1`` JSON string into a Story."""
    return from_dict(json.loads(s), text=text)
