"""The Story document: decoded source text plus typed layers of spans.

Every span is a pair of offsets (Unicode code points) into ``Story.text``; nothing copies text.
Stages read layers and add layers; readers and writers live at the edges.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Person = Literal["first", "second", "third", "unknown"]
Tense = Literal["past", "present", "unknown"]
QuoteType = Literal["explicit", "anaphoric", "implicit", "none"]


@dataclass(slots=True, frozen=True)
class Span:
    """A half-open ``[start, end)`` range of code points in the story text."""

    start: int
    end: int

    def slice(self, text: str) -> str:
        return text[self.start : self.end]


@dataclass(slots=True)
class Chapter:
    start: int
    end: int
    title: str | None = None
    heading: Span | None = None


@dataclass(slots=True)
class Section:
    """A stretch told from one point of view: person, tense and (for first person) a narrator id."""

    start: int
    end: int
    person: Person = "unknown"
    tense: Tense = "unknown"
    narrator: str | None = None


@dataclass(slots=True)
class NonStory:
    """Text that is not part of the story: author's notes, epigraphs, site debris, headings."""

    start: int
    end: int
    kind: str


@dataclass(slots=True)
class Quote:
    """One utterance: one or more sub-spans (quote marks excluded) grouped around tags."""

    id: int
    spans: list[tuple[int, int]]
    speaker: str | None = None
    addressees: list[str] = field(default_factory=list)
    type: QuoteType = "none"
    confidence: float = 0.0
    # Marks in the source: the offsets of the opening mark of the first span and after the closing mark of the
    # last span (equal to the span ends where there is no mark, e.g. dash dialogue or an unclosed quote).
    outer: tuple[int, int] | None = None
    emotion: dict[str, Any] | None = None
    act: str | None = None

    @property
    def start(self) -> int:
        return self.spans[0][0]

    @property
    def end(self) -> int:
        return self.spans[-1][1]


@dataclass(slots=True)
class Mention:
    start: int
    end: int
    character: str | None
    kind: Literal["name", "pronoun", "nominal", "narrator"] = "name"


@dataclass(slots=True)
class Character:
    id: str
    name: str
    aliases: list[str] = field(default_factory=list)
    gender: str | None = None
    narrator: bool = False
    mentions: int = 0
    quotes: int = 0


@dataclass(slots=True)
class EmotionSpan:
    """Emotion of one narrative sentence: Ekman distribution, EmoBank VAD (1–5) and the top GoEmotions label."""

    start: int
    end: int
    ekman: dict[str, float]
    vad: tuple[float, float, float]
    top: str


@dataclass(slots=True)
class SourceInfo:
    path: str | None = None
    format: str = "text"
    encoding: str | None = None
    sha256: str | None = None


@dataclass(slots=True)
class Story:
    """The one document that flows through every stage."""

    text: str
    source: SourceInfo = field(default_factory=SourceInfo)
    meta: dict[str, Any] = field(default_factory=dict)
    # Layers set by readers.
    nonstory: list[NonStory] = field(default_factory=list)
    italics: list[Span] = field(default_factory=list)
    # Structural layers (segment stage).
    paragraphs: list[Span] = field(default_factory=list)
    sentences: list[Span] = field(default_factory=list)
    tokens: list[tuple[int, int]] = field(default_factory=list)
    chapters: list[Chapter] = field(default_factory=list)
    scenes: list[Span] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    # Dialogue layers.
    quotes: list[Quote] = field(default_factory=list)
    thoughts: list[Span] = field(default_factory=list)
    # Entity layers.
    characters: list[Character] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    # Analysis layers (emotion, dynamics).
    arcs: dict[str, Any] = field(default_factory=dict)
    relationships: list[dict[str, Any]] = field(default_factory=list)
    # Which stages have run, in order.
    done: list[str] = field(default_factory=list)
    # Emotion of narrative sentences (outside quotations and non-story blocks; emotion stage).
    sentence_emotions: list[EmotionSpan] = field(default_factory=list)

    def span_text(self, start: int, end: int) -> str:
        return self.text[start:end]

    def character(self, cid: str | None) -> Character | None:
        if cid is None:
            return None
        for c in self.characters:
            if c.id == cid:
                return c
        return None

    def in_nonstory(self, pos: int) -> NonStory | None:
        for ns in self.nonstory:
            if ns.start <= pos < ns.end:
                return ns
        return None

    def story_paragraphs(self) -> list[Span]:
        """Paragraphs that do not overlap a non-story block."""
        if not self.nonstory:
            return list(self.paragraphs)
        blocks = sorted((n.start, n.end) for n in self.nonstory)
        out = []
        for p in self.paragraphs:
            if not any(s < p.end and p.start < e for s, e in blocks):
                out.append(p)
        return out
