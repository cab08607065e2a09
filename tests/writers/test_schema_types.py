"""The JSON Schema and the Story dataclasses name the same fields: each dataclass field is a property of the
object the schema describes for it, and each property is a field (or one of the few derived ones named here).
Objects the writer fills from a dataclass alone allow no other properties."""

from __future__ import annotations

import dataclasses
import json
from importlib import resources
from typing import Any

import pytest

from fabula.story import (
    Arc,
    ArcParams,
    ArcPeak,
    ArcPeaks,
    Arcs,
    ArcShape,
    ArcTurn,
    ChapterArc,
    Character,
    CharacterArc,
    ConflictWindow,
    CraftNote,
    Directed,
    Emotion,
    EmotionSpan,
    Exit,
    Quote,
    Relationship,
    RelationshipNarrative,
    RelationshipTurn,
    SceneArc,
    Section,
    StoryArc,
)

SCHEMA: dict[str, Any] = json.loads(
    resources.files("fabula.schema").joinpath("story.schema.json").read_text(encoding="utf-8")
)


def _at(*path: str | int) -> dict[str, Any]:
    node: Any = SCHEMA
    for key in path:
        node = node[key]
    return dict(node)


def _resolve(obj: dict[str, Any]) -> dict[str, Any]:
    """The object itself, or the first object alternative of a ``oneOf`` (the other being null)."""
    if "oneOf" in obj:
        return next(dict(o) for o in obj["oneOf"] if o.get("type") != "null")
    return obj


def _properties(obj: dict[str, Any]) -> set[str]:
    """Properties of a schema object, including those of the object it extends through ``$ref``."""
    props = set(obj.get("properties", {}))
    ref = obj.get("$ref")
    if ref is not None:
        props |= _properties(_at(*ref.removeprefix("#/").split("/")))
    return props


def _closed(obj: dict[str, Any]) -> bool:
    return obj.get("additionalProperties") is False or obj.get("unevaluatedProperties") is False


ARC = ("$defs", "arc", "properties")
REL = ("$defs", "relationship", "properties")
# (dataclass, schema object, properties the writer derives rather than stores, closed)
CASES = [
    (Quote, _at("$defs", "quote"), {"start", "end", "text"}, True),
    (Emotion, _at("$defs", "quote", "properties", "emotion", "oneOf", 0), set(), True),
    (Section, _at("properties", "sections", "items"), set(), True),
    (Character, _at("$defs", "character"), set(), True),
    (EmotionSpan, _at("properties", "sentence_emotions", "items"), set(), True),
    (Arcs, _at("properties", "arcs"), set(), True),
    (Arc, _at("$defs", "arc"), set(), False),  # extended by the four below
    (StoryArc, _at("$defs", "storyArc"), set(), True),
    (ChapterArc, _at("$defs", "chapterArc"), set(), True),
    (SceneArc, _at("$defs", "sceneArc"), set(), True),
    (CharacterArc, _at("$defs", "characterArc"), set(), True),
    (ArcParams, _resolve(_at("$defs", "storyArc", "properties", "params")), set(), True),
    (ArcShape, _at("$defs", "arcShape"), set(), True),
    (ArcPeaks, _resolve(_at(*ARC, "peaks")), set(), True),
    (ArcPeak, _at(*ARC, "peaks", "oneOf", 0, "properties", "max"), set(), True),
    (ArcTurn, _at("$defs", "arcTurn"), set(), True),
    (Relationship, _at("$defs", "relationship"), set(), True),
    (Directed, _at("$defs", "directed"), set(), True),
    (ConflictWindow, _at(*REL, "conflict", "items"), set(), True),
    (RelationshipTurn, _resolve(_at(*REL, "turning_point")), set(), True),
    (Exit, _at("$defs", "exit"), set(), True),
    (RelationshipNarrative, _at("$defs", "relationshipNarrative"), set(), True),
    (CraftNote, _at("$defs", "craftNote"), set(), True),
]


@pytest.mark.parametrize(("cls", "obj", "derived", "closed"), CASES, ids=[c[0].__name__ for c in CASES])
def test_schema_properties_are_the_dataclass_fields(
    cls: type, obj: dict[str, Any], derived: set[str], closed: bool
) -> None:
    fields = {f.name for f in dataclasses.fields(cls)}
    assert _properties(obj) == fields | derived
    assert _closed(obj) == closed


def test_cast_and_mentioned_share_the_character_object() -> None:
    ref = {"$ref": "#/$defs/character"}
    assert _at("properties", "characters", "items") == ref
    assert _at("properties", "mentioned", "items") == ref


def test_quote_type_enum_is_the_literal() -> None:
    from typing import get_args

    from fabula.story import NOT_SPEECH, QuoteType

    enum = _at("$defs", "quote", "properties", "type")["enum"]
    assert enum == list(get_args(QuoteType))
    assert set(enum) > NOT_SPEECH
