"""JSON writer: schema validity, the span invariant, and the from_dict round trip."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import jsonschema
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fabula.errors import InputError, UnsupportedFormat
from fabula.story import (
    Arcs,
    Character,
    Directed,
    NonStory,
    Quote,
    Relationship,
    Section,
    Span,
    Story,
    StoryArc,
)
from fabula.writers.json import SCHEMA_ID, dumps, from_dict, load_schema, loads, to_dict

from .conftest import build_full

VALIDATOR = jsonschema.Draft202012Validator(load_schema())


def check_spans(d: dict[str, Any]) -> None:
    """The invariant: every span lies in the text and every string the JSON gives for a span is exact."""
    text = d["text"]
    n = d["text_length"]
    assert len(text) == n

    def ok(s: int, e: int) -> None:
        assert 0 <= s <= e <= n

    for q in d["quotes"]:
        assert q["start"] == q["spans"][0][0] and q["end"] == q["spans"][-1][1]
        assert q["text"] == text[q["start"] : q["end"]]
        for s, e in q["spans"]:
            ok(s, e)
    for ns in d["nonstory"]:
        ok(ns["start"], ns["end"])
        assert ns["text"] == text[ns["start"] : ns["end"]]
    for key in ("paragraphs", "sentences", "scenes", "thoughts", "italics"):
        for s, e in d[key]:
            ok(s, e)
    for key in ("sections", "chapters", "mentions"):
        for x in d[key]:
            ok(x["start"], x["end"])


def test_schema_is_valid_draft_2020_12() -> None:
    schema = load_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["properties"]["schema"]["const"] == SCHEMA_ID


def test_full_story_validates_and_spans_are_exact(full: Story) -> None:
    d = to_dict(full)
    VALIDATOR.validate(d)
    check_spans(d)
    assert d["schema"] == "fabula.story/1"
    assert d["stages"] == full.done
    assert "tokens" not in d
    q0 = d["quotes"][0]
    assert q0["text"] == "I want to leave,\u201d she said. \u201cPlease, Ares."
    assert [full.text[s:e] for s, e in q0["spans"]] == ["I want to leave,", "Please, Ares."]
    assert q0["emotion"]["vad"] == [2.4, 3.1, 2.8] and q0["act"] == "request"
    assert d["nonstory"][-1]["text"] == "A/N: vote & comment <3"
    assert d["characters"][0] == {"id": "alana", "name": "Alana", "aliases": ["Lana"], "gender": "female",
                                  "narrator": False, "mentions": 2, "quotes": 2, "person": None}
    assert d["chapters"][0]["title"] == "The <Door>"


def test_bare_story_validates(bare: Story) -> None:
    d = to_dict(bare)
    VALIDATOR.validate(d)
    assert d["quotes"] == [] and d["arcs"] == {} and d["relationships"] == []
    assert d["source"] == {"path": None, "format": "text", "encoding": None, "sha256": None}


def test_round_trip_through_json_string(full: Story) -> None:
    s = dumps(full, tokens=True)
    back = loads(s)
    assert back == full
    assert to_dict(back, tokens=True) == json.loads(s)


def test_tokens_only_on_request(full: Story) -> None:
    d = to_dict(full, tokens=True)
    VALIDATOR.validate(d)
    assert d["tokens"] == [list(t) for t in full.tokens]
    assert from_dict(to_dict(full)).tokens == []


def test_without_text_needs_the_text_back(full: Story) -> None:
    d = to_dict(full, text=False, tokens=True)
    VALIDATOR.validate(d)
    assert "text" not in d
    with pytest.raises(InputError):
        from_dict(d)
    with pytest.raises(InputError):
        from_dict(d, text=full.text + "x")
    assert from_dict(d, text=full.text) == full


def test_wrong_schema_is_refused(full: Story) -> None:
    d = to_dict(full)
    d["schema"] = "fabula.story/999"
    with pytest.raises(UnsupportedFormat):
        from_dict(d)


def _relationship(dominance: float, exchanges: int) -> Relationship:
    return Relationship("x", "y", {}, Directed(1, 0), Directed(1, 0), Directed(3, 0), {}, {}, exchanges, {}, {},
                        dominance, {"words": 1.0}, [], None, [], None, (0, 3), "X speaks once; y does not answer.")


def test_layers_become_json_native_and_analysis_floats_are_rounded() -> None:
    story = Story(text="abc")
    story.meta = {"when": __import__("datetime").date(2024, 5, 1), "tags": {"b", "a"}, "pair": ("x", 1)}
    numpy_floats: Any = {"valence": np.float32(0.5)}
    story.arcs = Arcs(StoryArc(5, dct=list(np.linspace(-1.0, 1.0, 5)), dct_level=[1 / 3, 2 / 3], mean=numpy_floats))
    story.relationships = [_relationship(np.float64(0.123456), np.int64(3))]  # type: ignore[arg-type]
    zero, three = np.int64(0), np.int64(3)
    story.quotes = [Quote(zero, [(zero, three)], confidence=float("nan"))]  # type: ignore[arg-type,list-item]
    d = json.loads(dumps(story))
    VALIDATOR.validate(d)
    assert d["meta"] == {"when": "2024-05-01", "tags": ["a", "b"], "pair": ["x", 1]}
    assert d["arcs"]["story"]["dct"] == [-1.0, -0.5, 0.0, 0.5, 1.0]
    assert d["arcs"]["story"]["dct_level"] == [0.3333, 0.6667] and d["arcs"]["story"]["mean"] == {"valence": 0.5}
    assert "x" not in d["arcs"]["story"] and d["arcs"]["chapters"] == []
    assert d["relationships"][0]["exchanges"] == 3 and d["relationships"][0]["dominance"] == 0.1235
    assert from_dict(d).arcs == Arcs(StoryArc(5, dct=[-1.0, -0.5, 0.0, 0.5, 1.0], dct_level=[0.3333, 0.6667],
                                             mean={"valence": 0.5}))
    assert d["quotes"][0]["confidence"] is None and d["quotes"][0]["spans"] == [[0, 3]]
    assert from_dict(d).quotes[0].confidence == 0.0


@dataclasses.dataclass(slots=True)
class _EmotionSpan:
    start: int
    end: int
    ekman: dict[str, float]
    vad: tuple[float, float, float]
    top: str | None


@dataclasses.dataclass(slots=True)
class _StoryWithSentenceEmotions(Story):
    sentence_emotions: list[_EmotionSpan] = dataclasses.field(default_factory=list)  # type: ignore[assignment]


def test_sentence_emotions_written_when_present() -> None:
    base = build_full()
    story = _StoryWithSentenceEmotions(**{f.name: getattr(base, f.name) for f in dataclasses.fields(Story)})
    story.sentence_emotions = [_EmotionSpan(0, 5, {"joy": 0.7}, (3.5, 2.0, 3.0), "joy")]
    d = to_dict(story)
    VALIDATOR.validate(d)
    assert d["sentence_emotions"] == [{"start": 0, "end": 5, "ekman": {"joy": 0.7}, "vad": [3.5, 2.0, 3.0],
                                       "top": "joy"}]
    assert to_dict(base).get("sentence_emotions", []) == []


def test_schema_rejects_a_broken_document(full: Story) -> None:
    d = to_dict(full)
    d["quotes"][0]["spans"] = [[1, 2, 3]]
    assert not VALIDATOR.is_valid(d)
    d = to_dict(full)
    d["quotes"][0]["surprise"] = True
    assert not VALIDATOR.is_valid(d)
    d = to_dict(full)
    d["sections"][0]["person"] = "fourth"
    assert not VALIDATOR.is_valid(d)
    paths: list[tuple[str | int, ...]] = [("arcs", "story"), ("arcs", "story", "turning_point"),
                                          ("arcs", "characters", "alana"), ("relationships", 0)]
    for path in paths:
        d = to_dict(full)
        node: Any = d
        for key in path:
            node = node[key]
        node["surprise"] = True
        assert not VALIDATOR.is_valid(d), path


# ------------------------------------------------------------------------------------------- properties


@st.composite
def random_story(draw: st.DrawFn) -> Story:
    text = draw(st.text(min_size=1, max_size=200))
    n = len(text)
    cut = st.integers(0, n)

    def span() -> tuple[int, int]:
        a, b = draw(cut), draw(cut)
        return min(a, b), max(a, b)

    story = Story(text=text)
    ids = ["c0", "c1", "c2"]
    story.characters = [Character(i, draw(st.text(max_size=10))) for i in ids]
    for qi in range(draw(st.integers(0, 5))):
        points = sorted(draw(st.lists(cut, min_size=2, max_size=6)))
        if len(points) % 2:
            points = points[:-1]
        spans = [(points[i], points[i + 1]) for i in range(0, len(points), 2)]
        story.quotes.append(Quote(qi, spans, draw(st.sampled_from([None, *ids])),
                                  draw(st.lists(st.sampled_from(ids), max_size=2)),
                                  draw(st.sampled_from(["explicit", "anaphoric", "implicit", "none", "mention", "written", "verse"])),
                                  draw(st.floats(0, 1))))
    story.nonstory = [NonStory(*span(), draw(st.sampled_from(["author_note", "epigraph"]))) for _ in range(2)]
    story.paragraphs = [Span(*span()) for _ in range(draw(st.integers(0, 3)))]
    story.sections = [Section(*span(), "first", "present", draw(st.sampled_from([None, *ids])))]
    story.meta = draw(st.dictionaries(st.text(max_size=5), st.one_of(st.integers(), st.text(), st.none())))
    return story


@settings(max_examples=60, deadline=None)
@given(random_story())
def test_any_story_validates_and_round_trips(story: Story) -> None:
    d = json.loads(dumps(story))
    VALIDATOR.validate(d)
    check_spans(d)
    assert from_dict(d) == story
