"""Hand-built Stories for the writer tests: every layer filled, and a bare one with text only."""

from __future__ import annotations

import re

import pytest

from fabula.story import (
    Arcs,
    ArcShape,
    ArcTurn,
    Chapter,
    Character,
    CharacterArc,
    ConflictWindow,
    Directed,
    Emotion,
    Mention,
    NonStory,
    Quote,
    Relationship,
    RelationshipTurn,
    Section,
    SourceInfo,
    Span,
    Story,
    StoryArc,
)

TEXT = (
    "Chapter 1: The <Door>\n"
    "\n"
    "Alana looked at him. \u201cI want to leave,\u201d she said. \u201cPlease, Ares.\u201d\n"
    "\n"
    "\u201cNo.\u201d Ares folded his arms. _She can't mean it._\n"
    "\n"
    "\u201cI'm sorry,\u201d she whispered, \u201cbut I do.\u201d \U0001f494\n"
    "\n"
    "* * *\n"
    "\n"
    "A/N: vote & comment <3\n"
)


def find(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    """Offsets of the ``nth`` occurrence of ``needle``."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    return start, start + len(needle)


def build_full() -> Story:
    """A Story with every layer set by hand, offsets computed from TEXT."""
    t = TEXT
    paras = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", t)]
    story = Story(
        text=t,
        source=SourceInfo(path="fixtures/door.txt", format="wattpad", encoding="utf-8", sha256="ab" * 32),
        meta={
            "title": "The Door", "author": "someone", "reads": 15600, "votes": 385, "comments": 42,
            "tags": {"Rating": ["Mature"], "Relationships": ["Alana/Ares"]},
        },
    )
    story.paragraphs = [Span(s, e) for s, e in paras]
    story.sentences = [Span(s, e) for s, e in paras]
    story.tokens = [(m.start(), m.end()) for m in re.finditer(r"\w+(?:'\w+)*|[^\w\s]", t)]
    story.chapters = [Chapter(0, len(t), "The <Door>", Span(*find(t, "Chapter 1: The <Door>")))]
    scene_break = find(t, "* * *")
    story.scenes = [Span(0, scene_break[0]), Span(scene_break[1], len(t))]
    story.sections = [Section(0, len(t), "third", "past", None)]
    story.nonstory = [
        NonStory(*find(t, "Chapter 1: The <Door>"), "chapter_heading"),
        NonStory(*scene_break, "scene_break"),
        NonStory(*find(t, "A/N: vote & comment <3"), "author_note"),
    ]
    story.italics = [Span(*find(t, "_She can't mean it._"))]
    story.thoughts = [Span(*find(t, "She can't mean it."))]
    story.characters = [
        Character("alana", "Alana", ["Lana"], "female", False, 2, 2),
        Character("ares", "Ares", [], "male", False, 2, 1),
    ]
    story.mentions = [
        Mention(*find(t, "Alana"), "alana", "name"),
        Mention(*find(t, "she", 0), "alana", "pronoun"),
        Mention(*find(t, "Ares", 0), "ares", "name"),
        Mention(*find(t, "Ares", 1), "ares", "name"),
        Mention(*find(t, "his"), "ares", "pronoun"),
        Mention(*find(t, "she", 1), "alana", "pronoun"),
    ]
    emo = Emotion(labels={"desire": 0.6, "sadness": 0.3, "neutral": 0.1}, predicted=["desire"], top="desire",
                  ekman={"joy": 0.2, "sadness": 0.5}, vad=(2.4, 3.1, 2.8))
    story.quotes = [
        Quote(0, [find(t, "I want to leave,"), find(t, "Please, Ares.")], "alana", ["ares"], "explicit", 0.93,
              (find(t, "I want to leave,")[0] - 1, find(t, "Please, Ares.")[1] + 1), emo, "request"),
        Quote(1, [find(t, "No.")], "ares", ["alana"], "implicit", 0.71, None, None, "refusal"),
        Quote(2, [find(t, "I'm sorry,"), find(t, "but I do.")], "alana", ["ares"], "anaphoric", 0.8, None,
              Emotion({"remorse": 0.9}, ["remorse"], "remorse", {"sadness": 0.9}, (1.9, 2.5, 2.2)), "apology"),
    ]
    no = find(t, "No.")
    story.arcs = Arcs(
        StoryArc(3, dct_level=[0.1, -0.2, -0.5, -0.1, 0.3], dct=[0.2, -0.3, -1.0, 0.0, 1.0], x=[0.1, 0.5, 0.8],
                 rolling=[0.0, -0.1, -0.2], shape=ArcShape("fall-rise", 0.9, {"fall-rise": 0.9}),
                 turning_point=ArcTurn(-0.5, 0.5, no[0], no[1], 1, 0.3, "trough")),
        characters={"alana": CharacterArc(2, dct_level=[0.0, -0.4, -0.6]), "ares": CharacterArc(1, dct_level=[0.2, 0.1])},
    )
    story.relationships = [Relationship(
        a="alana", b="ares", names={"alana": "Alana", "ares": "Ares"},
        turns=Directed(2, 1), quotes=Directed(2, 1), words=Directed(9, 1),
        acts={"alana": {"request": 1, "apology": 1}, "ares": {"refusal": 1}},
        interruptions={"alana": 0, "ares": 0}, exchanges=1, ends={"alana": 1, "ares": 0},
        vad={"alana": (2.15, 2.8, 2.5), "ares": None},
        dominance=-0.25, dominance_components={"words": 0.8, "ends": None},
        conflict=[ConflictWindow(0, 10, 0.4, 2), ConflictWindow(10, 20, 0.1, 1)],
        turning_point=RelationshipTurn(no[0], 1, "ares", "conflict", 0.1, 0.6, 0.5),
        exits=[], exit=None, span=(find(t, "I want to leave,")[0], find(t, "but I do.")[1]),
        summary="Alana asks to leave once; Ares refuses once.",
    )]
    story.done = ["segment", "quotes", "characters", "attribution", "emotion", "acts", "arcs", "dynamics"]
    return story


def build_bare(text: str = "Just some words, no dialogue at all.\n") -> Story:
    """A Story with text only: no layer set."""
    return Story(text=text)


@pytest.fixture
def full() -> Story:
    return build_full()


@pytest.fixture
def bare() -> Story:
    return build_bare()
