"""The attribution of one story as it is worked out: per-quotation evidence and picks, and the shared state the
rule passes, the ranker and the naming of narrators read and update."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from fabula.stages.attribution.evidence import Ref, StoryIndex
from fabula.stages.attribution.style import Style, Vocabulary
from fabula.stages.characters import doubted
from fabula.story import Character, Mention, Quote, QuoteType

# Rule → (quote type, confidence). Confidences are rule accuracies measured on PDNC dev with gold quotes.
RULES: dict[str, tuple[QuoteType, float]] = {
    "tag_name": ("explicit", 0.98),
    "tag_narrator": ("anaphoric", 0.99),
    "tag_pronoun": ("anaphoric", 0.72),
    "tag_nominal": ("anaphoric", 0.45),
    "tag_role": ("explicit", 0.6),
    "continuation": ("implicit", 0.45),
    "beat": ("implicit", 0.72),
    "vocative_reply": ("implicit", 0.67),
    "self_named": ("implicit", 0.8),
    "turn_taking": ("implicit", 0.58),
    "fallback": ("implicit", 0.4),
    "none": ("none", 0.0),
}

_PREP_BEFORE = re.compile(
    r"\b(?:to|at|with|from|of|for|by|on|upon|towards|toward|into|about|than|like|whom|and)\s+(?:the\s+)?$",
    re.IGNORECASE,
)


@dataclass(slots=True)
class QuoteState:
    """One quotation: where it stands, the evidence around it, and the speaker picked so far (with its rule)."""

    quote: Quote
    index: int
    para: int
    last_para: int
    section: int
    first_person: bool
    tag: Ref | None = None
    beats_between: list[Ref] = field(default_factory=list)
    beats_before: list[Ref] = field(default_factory=list)
    beats_after: list[Ref] = field(default_factory=list)
    vocatives: list[str] = field(default_factory=list)  # character ids addressed by name
    inner_names: list[str] = field(default_factory=list)  # characters named inside (not vocative)
    listeners: list[str] = field(default_factory=list)  # "said he to Catherine", "turned to his sister"
    self_named: str | None = None  # the one who gives their own name inside: "My name is Priya Raman."
    self_how: str | None = None  # how: "answer" (to a question for a name), "named" ("my name is"), "i_am"
    alias_of: str | None = None  # whom the tag's pronoun stands for when the line is self-named
    prev_subject: Ref | None = None  # subject of the narration paragraph just before
    next_subject: Ref | None = None  # subject of the first sentence of the paragraph after, when narration
    addr_gender: str | None = None  # "sir" / "madam" said in the quotation
    speaker: str | None = None
    rule: str = "none"
    epigraph: bool = False
    group: bool = False  # a crowd speaks ("cried several voices", "they all exclaimed"): nobody in particular
    learned_confidence: float | None = None

    @property
    def nobody(self) -> bool:
        """No one character says it: an epigraph, or a group."""
        return self.epigraph or self.group


class AttributionState:
    """The story's index, its quotations (``qs``, in text order), the characters added on the way (unnamed
    speakers, roles, narrators) and which sections are told in the first person (``narr_ids``: a narrator
    placeholder per first-person section, later the named narrator)."""

    def __init__(self, ix: StoryIndex, first: list[bool]) -> None:
        """The state of ``ix.story`` before any pass; ``first`` tells which sections are told in the first person."""
        story = ix.story
        self.story = story
        self.ix = ix
        self.text = story.text
        self.first = first
        self.narr_ids: list[str | None] = [f"narrator{k}" if f else None for k, f in enumerate(self.first)]
        self.unnamed: dict[tuple[int | str, str], str] = {}
        self.new_chars: list[Character] = []
        self.extra_mentions: list[Mention] = []
        self.gender: dict[str, str | None] = {c.id: c.gender for c in story.characters}
        self.qs: list[QuoteState] = []
        self.narr_named: dict[str, str] | None = None
        self.style_cache: Style | None = None
        #: each quotation's words, counted, and all of them together (see style._quote_words)
        self.quote_words: tuple[list[Counter[str]], Counter[str]] | None = None
        #: the same words numbered, as arrays (see style.Vocabulary)
        self.quote_vocab: Vocabulary | None = None
        self._convs: tuple[list[int], list[int]] | None = None
        #: text tests at a position, remembered (asked again for the same mentions by every quotation near them)
        self.at_pos: dict[tuple[str, int], bool] = {}
        #: narration names by gender and kind, as (starts, character ids): see ``resolve.narration_back``
        self.by_gender: dict[tuple[str | None, str], tuple[list[int], list[str]]] = {}
        #: the characters a child may call "Papa" / "Mamma", by gender (see ``sieve._parent``)
        self.parents: dict[str, set[str]] | None = None
        #: the roles whose description is indexed as a mention throughout a section, by (role, section)
        self.roles_indexed: set[tuple[str, int]] = set()
        #: the names the text writes right after a kin phrase ("my aunt Lavinia"), by phrase: (start, character id)
        self.kin_named: dict[str, list[tuple[int, str]]] = {}
        #: titles the story's people say alone to someone ("Yes, Coach."), by title (resolve.addressed_title)
        self.addressed_titles: dict[str, bool] = {}

    def style(self) -> Style:
        """Speaker idiolects learnt from this story's quotations with a named or narrator tag."""
        if self.style_cache is None:
            self.style_cache = Style(self)
        return self.style_cache

    def narrator_of(self, x: QuoteState) -> str | None:
        """The narrator (placeholder or named) of the quotation's section, if told in the first person."""
        return self.narr_ids[x.section] if x.section >= 0 else None

    def gender_ok(self, cid: str, gender: str | None) -> bool:
        g = self.gender.get(cid)
        return gender is None or g is None or g == gender

    def salient(self, cid: str) -> bool:
        """Names mentioned once or twice (a painter, an opera) are not antecedents from afar, nor are names written
        after "the" that the person model doubts ("the Arno", a river a first name's gender made a man)."""
        c = self.ix.chars.get(cid)
        if c is not None and c.name.startswith("the ") and doubted(c):
            return False
        return c is None or c.mentions >= min(3, max(1, len(self.ix.mentions) // 50))

    def after_preposition(self, pos: int) -> bool:
        """Whether the name at ``pos`` follows a preposition ("turned *to* Catherine")."""
        hit = self.at_pos.get(("prep", pos))
        if hit is None:
            hit = self.at_pos[("prep", pos)] = _PREP_BEFORE.search(self.text, max(0, pos - 16), pos) is not None
        return hit

    def participants(self, i: int, window: int = 8) -> list[str]:
        """Recent speakers of the current conversation, most recent first."""
        out: list[str] = []
        x = self.qs[i]
        for j in range(i - 1, max(-1, i - window - 1), -1):
            y = self.qs[j]
            if x.para - y.last_para > 6 or y.section != x.section:
                break
            if y.speaker and y.speaker not in out:
                out.append(y.speaker)
        return out

    def conversation(self, i: int) -> tuple[int, int]:
        """Indices ``[lo, hi)`` of the conversation around quotation ``i`` (paragraphs at most one apart; an
        epigraph ends one; a chapter heading does not: serialised novels break chapters inside a scene)."""
        if self._convs is None or len(self._convs[0]) != len(self.qs):
            self._convs = self._conversations()
        return self._convs[0][i], self._convs[1][i]

    def _conversations(self) -> tuple[list[int], list[int]]:
        """Every quotation's conversation bounds, in one pass each way."""
        qs = self.qs
        n = len(qs)

        def joined(a: QuoteState, b: QuoteState) -> bool:
            return a.section == b.section and b.para - a.last_para <= 2

        los = list(range(n))
        for k in range(1, n):
            if joined(qs[k - 1], qs[k]) and not qs[k - 1].epigraph:
                los[k] = los[k - 1]
        his = [k + 1 for k in range(n)]
        for k in range(n - 2, -1, -1):
            if joined(qs[k], qs[k + 1]) and not qs[k + 1].epigraph:
                his[k] = his[k + 1]
        return los, his
