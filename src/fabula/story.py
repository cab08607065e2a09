"""The Story document: decoded source text plus typed layers of spans.

Every span is a pair of offsets (Unicode code points) into ``Story.text``; nothing copies text.
Stages read layers and add layers; readers and writers live at the edges.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Person = Literal["first", "second", "third", "unknown"]
Tense = Literal["past", "present", "unknown"]
QuoteType = Literal[
    "explicit", "anaphoric", "implicit", "none", "group", "mention", "written", "verse", "unsaid", "reported"
]
#: Quotation types that are not an utterance (a quoted word or title, a letter or sign, a poem quoted in
#: narration): the quotes stage sets them, and they never get a speaker.
NOT_SPEECH: frozenset[str] = frozenset({"mention", "written", "verse"})
#: Quotations nobody utters aloud in the scene: :data:`NOT_SPEECH` and ``unsaid`` words (imagined, held back or
#: wordless: "she was going to answer", "her eyes said"), which keep the speaker whose words they are.
NOT_UTTERED: frozenset[str] = NOT_SPEECH | {"unsaid"}
#: Quotations that are no line of dialogue: :data:`NOT_UTTERED` and ``reported`` speech (words a character said,
#: given in indirect form: "He must be going; he had letters to write."), which keeps its speaker.
NOT_DIALOGUE: frozenset[str] = NOT_UTTERED | {"reported"}
#: Types a quotation keeps through attribution, which still finds whose words they are.
SPEAKER_KEPT: frozenset[str] = frozenset({"unsaid", "reported"})


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
class Emotion:
    """Emotion of one quotation: the 28 GoEmotions label probabilities, the labels over their thresholds
    (``predicted``), the ``top`` label, the Ekman groups (sum to 1) and EmoBank valence/arousal/dominance (1–5)."""

    labels: dict[str, float]
    predicted: list[str]
    top: str
    ekman: dict[str, float]
    vad: tuple[float, float, float]

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Emotion:
        """From an emotion model's prediction (or its JSON form)."""
        v = d["vad"]
        return cls(dict(d["labels"]), list(d["predicted"]), d["top"], dict(d["ekman"]), (v[0], v[1], v[2]))


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
    emotion: Emotion | None = None
    act: str | None = None

    @property
    def start(self) -> int:
        return self.spans[0][0]

    @property
    def end(self) -> int:
        return self.spans[-1][1]

    @property
    def said(self) -> bool:
        """Whether someone says (or sings) it: not a mention, a written text or verse nobody is said to sing
        (:data:`NOT_SPEECH`), which carry no speaker, emotion or act and are no line of dialogue. ``unsaid`` words
        are a character's (their emotion and act are read) though never uttered aloud, and so is ``reported`` speech."""
        return self.type not in NOT_SPEECH or self.speaker is not None


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
    # The person model's probability that the name is a person in this story (None: no decision was made, e.g.
    # a character known by a description, or the model switched off).
    person: float | None = None


@dataclass(slots=True)
class EmotionSpan:
    """Emotion of one narrative sentence: Ekman distribution, EmoBank VAD (1–5) and the top GoEmotions label."""

    start: int
    end: int
    ekman: dict[str, float]
    vad: tuple[float, float, float]
    top: str


@dataclass(slots=True)
class ArcShape:
    """The best of Reagan et al.'s six shapes for a curve (``shape`` None for a flat one), its Pearson
    correlation ``score`` and the correlation with each shape."""

    shape: str | None
    score: float
    scores: dict[str, float]


@dataclass(slots=True)
class ArcPeak:
    """An extreme of a smoothed curve: its ``value``, its place ``at`` in (0, 1) on the curve, and the nearest
    point (``offset``/``end`` of its quotation or sentence, ``quote`` id or None, ``x`` = offset / text length)."""

    value: float
    at: float
    offset: int
    end: int
    quote: int | None
    x: float


@dataclass(slots=True)
class ArcTurn(ArcPeak):
    """Where the arc turns most: an interior ``peak`` or ``trough``, or the ``steepest`` point of a monotone arc."""

    kind: str


@dataclass(slots=True)
class ArcPeaks:
    """The highest and lowest points of an arc's ``dct_level`` curve."""

    max: ArcPeak
    min: ArcPeak


@dataclass(slots=True)
class Arc:
    """Valence (and Ekman) over narrative time for a run of points (quotations and narrative sentences).

    ``n == 0`` leaves everything else None; the per-point series (``x``, ``offsets``, ``valence``, ``rolling``)
    and the ``ekman`` curves are None where not computed (chapters, scenes); ``dct``/``dct_level``/``peaks``
    need two points, ``shape``/``turning_point`` three. Layout in docs/dynamics.md.
    """

    n: int
    start: int | None = None
    end: int | None = None
    mean: dict[str, float] | None = None
    low_pass_size: int | None = None
    x: list[float] | None = None
    offsets: list[int] | None = None
    valence: list[float] | None = None
    rolling: list[float] | None = None
    dct: list[float] | None = None
    dct_level: list[float] | None = None
    ekman: dict[str, list[float]] | None = None
    peaks: ArcPeaks | None = None
    shape: ArcShape | None = None
    turning_point: ArcTurn | None = None


@dataclass(slots=True)
class ArcParams:
    """The smoothing parameters of the story arc."""

    low_pass_size: int
    x_reverse_len: int
    rolling_window: int


@dataclass(slots=True)
class StoryArc(Arc):
    """The arc of the whole story, with its smoothing parameters."""

    params: ArcParams | None = None


@dataclass(slots=True)
class SceneArc(Arc):
    """The arc of one scene: its ``index`` in ``Story.scenes`` and its ``span``."""

    index: int = 0
    span: tuple[int, int] = (0, 0)


@dataclass(slots=True)
class ChapterArc(SceneArc):
    """The arc of one chapter (``index`` in ``Story.chapters``), with its title."""

    title: str | None = None


@dataclass(slots=True)
class CharacterArc(Arc):
    """The arc of one character: ``speech`` points are their utterances, ``narration`` points focalised sentences."""

    speech: int = 0
    narration: int = 0


@dataclass(slots=True)
class Arcs:
    """The arcs stage's layer: the story's arc, one per chapter and scene, one per character (by id)."""

    story: StoryArc
    chapters: list[ChapterArc] = field(default_factory=list)
    scenes: list[SceneArc] = field(default_factory=list)
    characters: dict[str, CharacterArc] = field(default_factory=dict)


@dataclass(slots=True)
class Directed:
    """A count each way within a pair: by ``a`` (the pair's first speaker) to ``b``, and back."""

    a_to_b: int
    b_to_a: int


@dataclass(slots=True)
class ConflictWindow:
    """Mean conflict (0–1) of a window of ``quotes`` quotations of a pair, from ``start`` to ``end``."""

    start: int
    end: int
    value: float
    quotes: int


@dataclass(slots=True)
class RelationshipTurn:
    """The quotation where a pair's conflict or valence (``kind``) changes most: the means ``before`` and
    ``after`` it and their difference."""

    offset: int
    quote: int
    by: str
    kind: str
    before: float
    after: float
    change: float


@dataclass(slots=True)
class Exit:
    """A leaving action ("storms out") by ``character`` narrated at ``offset`` after a pair's exchange."""

    character: str
    action: str
    offset: int


@dataclass(slots=True)
class RelationshipNarrative:
    """The dynamics of a pair told in two or three sentences (``text``), with the facts the text is built from:
    who ``drives`` the exchange, each one's leading ``moves`` (dialogue acts, most frequent first) and what their
    requests ``ask_for``, the quotation where it turns (``turn``), how each one ``shifts`` after it (``presses``,
    ``yields``, ``steady``), whether the ``feeling`` ``darkens``, ``warms`` or stays ``steady``, how it ends
    (``ending``: an exit action such as "storms out", or ``last word``; ``ended_by``), and who ``retold_by``
    retells their exchange in a section they narrate (``unsaid``: that section's narration words, the
    thoughts around the lines, against ``spoken``: their own quoted words there). Layout in docs/dynamics.md."""

    text: str
    driver: str | None
    moves: dict[str, list[str]]
    ask_for: dict[str, str | None]
    turn: int | None
    shifts: dict[str, str]
    feeling: str
    ending: str | None
    ended_by: str | None
    retold_by: str | None = None
    unsaid: int = 0
    spoken: int = 0


@dataclass(slots=True)
class Relationship:
    """Dynamics of one pair of characters who talk to each other (``a`` spoke first). Layout in docs/dynamics.md."""

    a: str
    b: str
    names: dict[str, str]
    turns: Directed
    quotes: Directed
    words: Directed
    acts: dict[str, dict[str, int]]  # character id -> act -> count
    interruptions: dict[str, int]
    exchanges: int
    ends: dict[str, int]
    vad: dict[str, tuple[float, float, float] | None]
    dominance: float  # [-1, 1], > 0 when a dominates b
    dominance_components: dict[str, float | None]
    conflict: list[ConflictWindow]
    turning_point: RelationshipTurn | None
    exits: list[Exit]
    exit: Exit | None
    span: tuple[int, int]
    summary: str
    narrative: RelationshipNarrative | None = None


@dataclass(slots=True)
class CraftNote:
    """A note for the writer (craft stage): ``kind`` (``dialogue_balance``, ``tag_verbs``, ``tag_adverbs``,
    ``untagged_run``, ``pov_switch``, ``tense_drift``, ``echo``, ``misspelling``), ``level`` (``info`` for a
    plain measurement, ``suggestion`` for something worth a look), the note phrased as a suggestion
    (``message``), the ``places`` it is about (spans of ``Story.text``), the words found there (``examples``)
    and a measured ``value`` where there is one (a chapter's dialogue share, a run's length)."""

    kind: str
    level: str
    message: str
    places: list[tuple[int, int]] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    value: float | None = None


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
    # Characters only mentioned (no quotation, not addressed, no narrator; attribution stage): not in the cast,
    # the quotes or the relationships, but their mentions keep pointing at their id.
    mentioned: list[Character] = field(default_factory=list)
    # Analysis layers (emotion, dynamics).
    arcs: Arcs | None = None
    relationships: list[Relationship] = field(default_factory=list)
    # Notes for the writer (craft stage), in text order of their first place.
    craft_notes: list[CraftNote] = field(default_factory=list)
    # Which stages have run, in order.
    done: list[str] = field(default_factory=list)
    # Emotion of narrative sentences (outside quotations and non-story blocks; emotion stage).
    sentence_emotions: list[EmotionSpan] = field(default_factory=list)

    def span_text(self, start: int, end: int) -> str:
        return self.text[start:end]

    def character(self, cid: str | None) -> Character | None:
        if cid is None:
            return None
        for c in (*self.characters, *self.mentioned):
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
        starts = [s for s, _ in blocks]
        reach = list(itertools.accumulate((e for _, e in blocks), max))  # the furthest end of the blocks so far
        out = []
        for p in self.paragraphs:
            k = bisect.bisect_left(starts, p.end)  # the blocks that start before the paragraph ends
            if not (k and reach[k - 1] > p.start):
                out.append(p)
        return out
