"""The ranker's candidates and features.

For each quotation: the candidate speakers (mentioned nearby, recent speakers, addressed, the narrator) and, for
each, one value per feature of :data:`FEATURE_TABLE`, an ordered table of named functions ``(candidate,
quotation context) -> float``. :data:`FEATURES`, the names in order, is derived from the table: the shipped
rankers (``models/attribution/ranker.json``, ``ranker_chapter.json``) list the same names in the same order, or they
are not used.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import accumulate, repeat
from operator import contains
from typing import Any

import numpy as np

from fabula.stages.attribution.evidence import Ref
from fabula.stages.attribution.resolve import (
    PRONOUN_REACH,
    focus_character,
    local_pronoun,
    narration_back,
    resolve_nominal,
    subject_character,
)
from fabula.stages.attribution.sieve import turns_of
from fabula.stages.attribution.state import RULES, AttributionState, QuoteState
from fabula.stages.attribution.style import Style
from fabula.story import Quote

#: Rules whose picks are the weaker anchors of turn-taking (the strong ones are named and narrator tags).
_WEAK_ANCHORS = ("tag_pronoun", "tag_nominal", "tag_role", "beat")


@dataclass(slots=True)
class StoryStats:
    """Story-wide figures from the rule pass that every quotation's features read."""

    counts: Counter[str]  # quotations per speaker
    total: int
    by_phrase: dict[str, Counter[str]]  # who each description ("the old man") stands for elsewhere
    style: Style

    @classmethod
    def of(cls, st: AttributionState) -> StoryStats:
        counts: Counter[str] = Counter(x.speaker for x in st.qs if x.speaker)
        by_phrase: dict[str, Counter[str]] = defaultdict(Counter)
        for x in st.qs:
            if x.tag is not None and x.tag.kind == "nominal" and x.tag.phrase and x.speaker:
                by_phrase[x.tag.phrase][x.speaker] += 1
        return cls(counts, max(1, sum(counts.values())), by_phrase, st.style())


@dataclass(slots=True)
class QuoteContext:
    """What the features of one quotation's candidates read: the quotation, its tag and what that tag resolves
    to, the narration around it, its neighbours in the conversation and the story-wide figures."""

    i: int
    x: QuoteState
    stats: StoryStats
    gender: dict[str, str | None]
    narr: str | None = None
    local: str | None = None  # a pronoun tag resolved in its paragraph
    focus: str | None = None  # the last subject of the tag's gender
    nominal: str | None = None  # a description tag resolved
    beat_focus: str | None = None  # "He looked round the room. “…”": a beat's pronoun with no name before it
    strong: set[str] = field(default_factory=set)  # subjects of the beats next to the quotation
    weak: set[str] = field(default_factory=set)  # possessors and objects of those beats
    prev: QuoteState | None = None
    nxt: QuoteState | None = None
    neigh: dict[int, str | None] = field(default_factory=dict)  # speakers of the quotations ±1 and ±2 away
    spoke_before: dict[str, int] = field(default_factory=dict)  # quotations since each one last spoke
    spoke_after: dict[str, int] = field(default_factory=dict)
    parts: set[str] = field(default_factory=set)  # the conversation's other speakers
    want: str | None = None  # the gender the previous turn addressed ("sir")
    told: str | None = None  # the gender this quotation addresses
    told_next: str | None = None
    prev_subj: str | None = None  # the subject of the narration paragraph before
    next_subj: str | None = None  # … and of the paragraph after
    gap: float = 0.0  # narration paragraphs since the quotation before (0, 1, 2 or more → 0, 0.5, 1)
    asks: float = 0.0
    prev_asks: float = 0.0
    before: Counter[str] = field(default_factory=Counter)  # narration mentions in the paragraph before it
    after: Counter[str] = field(default_factory=Counter)  # … after it
    prevp: Counter[str] = field(default_factory=Counter)  # … in the four paragraphs before
    conv: Counter[str] = field(default_factory=Counter)  # … since the conversation began
    recency: dict[str, int] = field(default_factory=dict)  # rank of the last narration mention before it
    even: dict[str, int] = field(default_factory=dict)  # turn distance to named anchors, even
    odd: dict[str, int] = field(default_factory=dict)
    even_weak: dict[str, int] = field(default_factory=dict)  # … and to weaker anchors (_WEAK_ANCHORS)
    odd_weak: dict[str, int] = field(default_factory=dict)
    pron_rank: dict[str, int] = field(default_factory=dict)  # rank of the names of a pronoun tag's gender before it
    style: dict[str, float] = field(default_factory=dict)  # idiolect scores, less the best when two or more
    style_top: bool = False  # whether ``style`` was normalised by the best score
    anchor_turns: list[tuple[int, int, int]] | None = None  # the anchors around it by rule (see _anchor_turns)


Feature = Callable[[str, QuoteContext], float]


def _g(c: str, q: QuoteContext) -> str | None:
    return q.gender.get(c)


def _rule(r: str) -> Feature:
    def f(c: str, q: QuoteContext) -> float:
        return float(c == q.x.speaker and q.x.rule == r)

    return f


def _tag_pron_match(c: str, q: QuoteContext) -> float:
    tag = q.x.tag
    g = q.gender.get(c)
    return float(tag is not None and tag.kind == "pronoun" and g is not None and g == tag.gender and c != q.narr)


def _tag_pron_mismatch(c: str, q: QuoteContext) -> float:
    tag = q.x.tag
    if tag is None or tag.kind != "pronoun" or _tag_pron_match(c, q):
        return 0.0
    g = q.gender.get(c)
    return float((g is not None and g != tag.gender) or c == q.narr)


def _tag_is(kind: str, c: str, q: QuoteContext, pick: str | None) -> float:
    return float(q.x.tag is not None and q.x.tag.kind == kind and pick == c)


def _no_tag(c: str, q: QuoteContext) -> float:
    return float(q.x.tag is None)


def _neigh(d: int) -> Feature:
    def f(c: str, q: QuoteContext) -> float:
        return float(q.neigh.get(d) == c)

    return f


_prev1, _prev2 = _neigh(-1), _neigh(-2)


def _prev_vocative(c: str, q: QuoteContext) -> float:
    return float(q.prev is not None and c in q.prev.vocatives and q.prev.speaker != c)


def _inverse(d: dict[str, int], c: str) -> float:
    return 1.0 / d[c] if c in d else 0.0


def _anchor_even(c: str, q: QuoteContext) -> float:
    return _inverse(q.even, c)


def _nom_prior(c: str, q: QuoteContext) -> float:
    """How often the tag's description stands for ``c`` elsewhere in the story (this quotation left out)."""
    tag, x = q.x.tag, q.x
    if tag is None or tag.kind != "nominal" or not tag.phrase:
        return 0.0
    seen = q.stats.by_phrase.get(tag.phrase, Counter())
    others = seen[c] - (c == x.speaker)
    rest = sum(seen.values()) - (x.speaker is not None)
    return others / rest if rest > 0 else 0.0


#: The rules with a feature of their own (the ones the shipped ranker was trained with; "self_named" came later).
_RULE_NAMES = tuple(r for r in RULES if r not in ("none", "self_named"))
#: The ranker's features, in the order of the shipped model's weights.
FEATURE_TABLE: tuple[tuple[str, Feature], ...] = (
    *((f"rule_{r}", _rule(r)) for r in _RULE_NAMES),  # the rules' pick, by rule
    ("tag_name", lambda c, q: float(q.x.tag is not None and q.x.tag.kind == "name" and q.x.tag.cid == c)),
    ("tag_narrator", lambda c, q: _tag_is("narrator", c, q, q.narr)),
    ("tag_pron_match", _tag_pron_match),
    ("tag_pron_mismatch", _tag_pron_mismatch),
    ("tag_pron_local", lambda c, q: _tag_is("pronoun", c, q, q.local)),
    ("tag_nominal", lambda c, q: _tag_is("nominal", c, q, q.nominal)),
    ("beat_strong", lambda c, q: float(c in q.strong)),
    ("beat_weak", lambda c, q: float(c in q.weak)),
    ("vocative_in", lambda c, q: float(c in q.x.vocatives)),
    ("listener", lambda c, q: float(c in q.x.listeners)),
    ("inner_name", lambda c, q: float(c in q.x.inner_names)),
    ("prev_vocative", _prev_vocative),
    ("next_vocative", lambda c, q: float(q.nxt is not None and c in q.nxt.vocatives)),
    ("prev1", _prev1),
    ("prev2", _prev2),
    ("next1", _neigh(1)),
    ("next2", _neigh(2)),
    ("same_para_prev", lambda c, q: float(q.prev is not None and q.prev.last_para == q.x.para and q.prev.speaker == c)),
    ("ment_before", lambda c, q: min(q.before[c], 3) / 3),
    ("ment_after", lambda c, q: min(q.after[c], 3) / 3),
    ("ment_prev_paras", lambda c, q: min(q.prevp[c], 3) / 3),
    ("ment_conv", lambda c, q: min(q.conv[c], 5) / 5),
    ("recency", lambda c, q: 1.0 / (1 + q.recency[c]) if c in q.recency else 0.0),
    ("narrator", lambda c, q: float(c == q.narr)),
    ("freq", lambda c, q: q.stats.counts[c] / q.stats.total),
    ("participant", lambda c, q: float(c in q.parts)),
    ("no_tag", _no_tag),
    ("prev_para_subject", lambda c, q: float(c == q.prev_subj)),
    ("addr_gender_match", lambda c, q: float(q.want is not None and _g(c, q) is not None and _g(c, q) == q.want)),
    ("addr_gender_mismatch", lambda c, q: float(q.want is not None and _g(c, q) not in (None, q.want))),
    ("anchor_even", _anchor_even),
    ("anchor_odd", lambda c, q: _inverse(q.odd, c)),
    ("pron_recency", lambda c, q: 1.0 / (1 + q.pron_rank[c]) if c in q.pron_rank else 0.0),
    ("pron_x_prev1", lambda c, q: _tag_pron_match(c, q) * _prev1(c, q)),
    ("pron_x_prev2", lambda c, q: _tag_pron_match(c, q) * _prev2(c, q)),
    ("notag_x_prev1", lambda c, q: _no_tag(c, q) * _prev1(c, q)),
    ("notag_x_prev2", lambda c, q: _no_tag(c, q) * _prev2(c, q)),
    ("notag_x_prev_vocative", lambda c, q: _no_tag(c, q) * _prev_vocative(c, q)),
    ("notag_x_anchor_even", lambda c, q: _no_tag(c, q) * _anchor_even(c, q)),
    ("style", lambda c, q: q.style.get(c, 0.0)),  # the idiolect's score, less the best candidate's
    ("style_best", lambda c, q: float(q.style_top and c in q.style and q.style[c] == 0.0)),
    ("style_known", lambda c, q: float(c in q.style)),
    ("nom_prior", _nom_prior),
    ("pron_focus", lambda c, q: float(q.focus == c)),
    ("spoke_before", lambda c, q: _inverse(q.spoke_before, c)),
    ("spoke_after", lambda c, q: _inverse(q.spoke_after, c)),
    ("beat_focus", lambda c, q: float(q.beat_focus == c)),
    ("prev_listener", lambda c, q: float(q.prev is not None and c in q.prev.listeners and q.prev.speaker != c)),
    ("anchor_even_weak", lambda c, q: _inverse(q.even_weak, c)),
    ("anchor_odd_weak", lambda c, q: _inverse(q.odd_weak, c)),
    ("addr_self", lambda c, q: float(_g(c, q) is not None and _g(c, q) == q.told)),
    ("addr_next", lambda c, q: float(_g(c, q) is not None and _g(c, q) == q.told_next)),
    ("next_para_subject", lambda c, q: float(c == q.next_subj)),
    ("gap_x_prev1", lambda c, q: q.gap * _prev1(c, q)),
    ("gap_x_prev2", lambda c, q: q.gap * _prev2(c, q)),
    ("gap", lambda c, q: q.gap),  # quotation-level context: it weighs through its products with the rest
    ("question", lambda c, q: q.asks),
    ("prev_question", lambda c, q: q.prev_asks),
)

#: The features' names, in order (the shipped ranker's ``features``).
FEATURES: tuple[str, ...] = tuple(name for name, _ in FEATURE_TABLE)
_FUNCS = tuple(f for _, f in FEATURE_TABLE)


#: The fields of a :class:`QuoteContext` that no quotation's speaker changes: the narration around it, what its
#: tag's pronoun and its beats resolve to, its neighbours' addressed genders, the subjects of the paragraphs
#: around it, whether it asks and which quotations around it are anchors by their rules (not by who says them).
#: Ranking rounds change speakers only, so these are worked out once per story.
FIXED_FIELDS = (
    "before", "after", "prevp", "conv", "recency", "local", "focus", "beat_focus", "strong", "weak", "prev",
    "nxt", "want", "told", "told_next", "prev_subj", "next_subj", "gap", "asks", "prev_asks", "anchor_turns",
)

#: Each quotation's context as the previous round left it, for :data:`FIXED_FIELDS` (by quotation index).
Fixed = dict[int, QuoteContext]


def candidates_and_features(
    st: AttributionState, fixed: Fixed | None = None
) -> list[tuple[int, list[str], list[list[float]]]]:
    """For each quotation: candidate speakers and one feature vector per candidate (in :data:`FEATURES` order),
    built from the rule pass (neighbours' speakers are the rules' predictions). ``fixed``: see :func:`contexts`."""
    todo = contexts(st, fixed)
    rows = feature_matrix(todo).tolist()
    ends = list(accumulate(len(cands) for _, cands in todo))
    return [(q.i, cands, rows[e - len(cands) : e]) for (q, cands), e in zip(todo, ends, strict=True)]


def contexts(st: AttributionState, fixed: Fixed | None = None) -> list[tuple[QuoteContext, list[str]]]:
    """Each quotation's context and candidate speakers (epigraphs aside). ``fixed``, when given, keeps each
    context's :data:`FIXED_FIELDS` from one call to the next over the same state, as long as only the quotations'
    speakers (and the idiolects) change between them, as in the ranker's rounds: the values are the same."""
    stats = StoryStats.of(st)
    speakers: dict[tuple[int, int], Counter[str]] = {}  # per conversation, computed once (not per quotation)
    todo: list[tuple[QuoteContext, list[str]]] = []
    turns = _turn_people(st.qs)
    for i, x in enumerate(st.qs):
        if x.nobody:
            continue
        old = fixed.get(i) if fixed is not None else None
        if old is None:
            q = QuoteContext(i, x, stats, st.gender, narr=st.narrator_of(x))
            _mention_counts(st, q)
            _tag_context(st, q)
            _fixed_neighbours(st, q)
            if fixed is not None:
                fixed[i] = q
        else:
            q = _renew(old, stats, st.narrator_of(x))
        cands = _candidates(st, q, turns)
        _tag_nominal(st, q)
        _neighbours(st, q, speakers)
        if q.prev_subj:
            cands.append(q.prev_subj)  # (even when already a candidate)
        _anchors(st, q)
        _pron_rank(st, q, cands)
        todo.append((q, cands))
    # the idiolect scores of every quotation's candidates, worked out together (nothing above reads them)
    for (q, cands), scores in zip(todo, stats.style.score_all([(q.i, c) for q, c in todo]), strict=True):
        _style(q, cands, scores)
    return todo


def _renew(q: QuoteContext, stats: StoryStats, narr: str | None) -> QuoteContext:
    """``q`` for another round: its :data:`FIXED_FIELDS` kept, every other field as a new context has it (the
    same as a new one built with them, without copying the kept ones over)."""
    q.stats, q.narr, q.nominal, q.neigh, q.parts = stats, narr, None, {}, set()
    q.spoke_before, q.spoke_after, q.pron_rank, q.style, q.style_top = {}, {}, {}, {}, False
    q.even, q.odd, q.even_weak, q.odd_weak = {}, {}, {}, {}
    return q


def table_rows(q: QuoteContext, cands: Sequence[str]) -> list[list[float]]:
    """The candidates' feature vectors by :data:`FEATURE_TABLE`, one function call per value (the definition)."""
    return [[f(c, q) for f in _FUNCS] for c in cands]


#: The features :func:`feature_matrix` computes, by name: :data:`FEATURES` as written when it was (a table that
#: differs, e.g. a feature added, is computed by :func:`table_rows` until ``feature_matrix`` follows it).
_RULE_INDEX = {r: k for k, r in enumerate(_RULE_NAMES)}
_ROW_FEATURES = (
    *(f"rule_{r}" for r in _RULE_NAMES),
    *"""tag_name tag_narrator tag_pron_match tag_pron_mismatch tag_pron_local tag_nominal beat_strong beat_weak
    vocative_in listener inner_name prev_vocative next_vocative prev1 prev2 next1 next2 same_para_prev ment_before
    ment_after ment_prev_paras ment_conv recency narrator freq participant no_tag prev_para_subject
    addr_gender_match addr_gender_mismatch anchor_even anchor_odd pron_recency pron_x_prev1 pron_x_prev2
    notag_x_prev1 notag_x_prev2 notag_x_prev_vocative notag_x_anchor_even style style_best style_known nom_prior
    pron_focus spoke_before spoke_after beat_focus prev_listener anchor_even_weak anchor_odd_weak addr_self
    addr_next next_para_subject gap_x_prev1 gap_x_prev2 gap question prev_question""".split(),
)


class _Flat:
    """Every candidate of a ranking round's quotations, one after the other (quotation by quotation): per-row
    values from per-quotation ones, as arrays."""

    def __init__(self, todo: Sequence[tuple[QuoteContext, Sequence[str]]]) -> None:
        self.todo = todo
        self.codes: dict[str, int] = {}  # every candidate, numbered
        codes = self.codes
        self.flat = [c for _, cands in todo for c in cands]
        self.counts = [len(cands) for _, cands in todo]
        self.ids = np.array([codes.setdefault(c, len(codes)) for c in self.flat], dtype=np.int64)
        self.q = np.repeat(np.arange(len(todo)), self.counts)

    def each(self, values: Iterable[float]) -> np.ndarray:
        """One value per quotation, on each of its rows."""
        out: np.ndarray = np.array(list(values), dtype=float)[self.q]
        return out

    def eq(self, values: Iterable[str | None]) -> np.ndarray:
        """Whether the row's candidate is the quotation's value (None: no candidate is)."""
        get = self.codes.get
        picks = np.array([get(v, -1) if v is not None else -1 for v in values], dtype=np.int64)
        out: np.ndarray = self.ids == picks[self.q]
        return out

    def _per_row(self, values: Iterable[Any]) -> list[Any]:
        """The quotations' values, each repeated on its quotation's rows."""
        out: list[Any] = np.fromiter(values, dtype=object, count=len(self.counts))[self.q].tolist()
        return out

    def member(self, groups: Iterable[Container[str]]) -> np.ndarray:
        """Whether the row's candidate is in the quotation's group."""
        return np.fromiter(map(contains, self._per_row(groups), self.flat), dtype=bool, count=len(self.flat))

    def get(self, maps: Iterable[dict[str, Any]], default: float) -> np.ndarray:
        """The row's candidate's value in the quotation's mapping (a dict), or ``default``."""
        values = map(dict.get, self._per_row(maps), self.flat, repeat(default))
        return np.fromiter(values, dtype=float, count=len(self.flat))

    def inverse(self, maps: Iterable[dict[str, int]], shift: int = 0) -> np.ndarray:
        """``1 / (shift + value)`` of the row's candidate in the quotation's mapping (values at least ``1 -
        shift``), 0 where it has none."""
        v = self.get(maps, -shift) + shift
        out: np.ndarray = np.divide(1.0, v, out=np.zeros_like(v), where=v > 0)
        return out


def feature_matrix(todo: Sequence[tuple[QuoteContext, Sequence[str]]]) -> np.ndarray:
    """The feature vectors (:data:`FEATURES` order) of every candidate of every quotation of ``todo``, one
    quotation's after the other: (candidates, features). The values of :func:`table_rows`, exactly (its
    conditions and products over arrays; tests/stages/test_attribution.py compares them): the ranker scores every
    candidate of every quotation in each of its rounds, and one call per feature dominated its time."""
    if FEATURES != _ROW_FEATURES:
        rows = [r for q, cands in todo for r in table_rows(q, cands)]
        return np.array(rows, dtype=float).reshape(-1, len(FEATURES))
    f = _Flat(todo)
    qs = [q for q, _ in todo]
    cols = dict(_pick_columns(f, qs))
    cols.update(_count_columns(f, qs))
    cols.update(_product_columns(cols))
    out = np.empty((len(f.ids), len(FEATURES)))
    for k, name in enumerate(FEATURES):
        out[:, k] = cols[name]
    return out


def _pick_columns(f: _Flat, qs: Sequence[QuoteContext]) -> Iterator[tuple[str, np.ndarray]]:
    """The features that compare the candidate with someone (the quotation's speaker, a tag's pick, a neighbour)
    or test their gender or their membership of a group (:func:`feature_matrix`)."""
    tags = [q.x.tag for q in qs]
    kinds = [t.kind if t is not None else None for t in tags]
    speaker = f.eq(q.x.speaker for q in qs)
    rule = f.each(_RULE_INDEX.get(q.x.rule, -1) for q in qs)
    for k, r in enumerate(_RULE_NAMES):
        yield f"rule_{r}", speaker & (rule == k)
    yield "tag_name", f.eq(t.cid if t is not None and t.kind == "name" else None for t in tags)
    yield "tag_narrator", f.eq(q.narr if k == "narrator" else None for q, k in zip(qs, kinds, strict=True))
    genders: dict[str | None, int] = {None: -1}
    gender = qs[0].gender if qs else {}
    g = np.array([genders.setdefault(gender.get(c), len(genders)) for c in f.codes], dtype=np.int64)[f.ids]
    known = g >= 0

    def same(values: Iterable[str | None]) -> np.ndarray:  # the candidate's gender is known and the value
        out: np.ndarray = known & (g == f.each(genders.setdefault(v, len(genders)) for v in values))
        return out

    pron = f.each(k == "pronoun" for k in kinds) > 0
    narr = f.eq(q.narr for q in qs)
    tgender = f.each(genders.setdefault(t.gender if t is not None else None, len(genders)) for t in tags)
    pm = pron & known & (g == tgender) & ~narr
    yield "tag_pron_match", pm
    yield "tag_pron_mismatch", pron & ~pm & ((known & (g != tgender)) | narr)
    yield "tag_pron_local", f.eq(q.local if k == "pronoun" else None for q, k in zip(qs, kinds, strict=True))
    yield "tag_nominal", f.eq(q.nominal if k == "nominal" else None for q, k in zip(qs, kinds, strict=True))
    yield "beat_strong", f.member(q.strong for q in qs)
    yield "beat_weak", f.member(q.weak for q in qs)
    yield "vocative_in", f.member(q.x.vocatives for q in qs)
    yield "listener", f.member(q.x.listeners for q in qs)
    yield "inner_name", f.member(q.x.inner_names for q in qs)
    prev_sp = f.eq(q.prev.speaker if q.prev is not None else None for q in qs)
    yield "prev_vocative", f.member(q.prev.vocatives if q.prev is not None else () for q in qs) & ~prev_sp
    yield "next_vocative", f.member(q.nxt.vocatives if q.nxt is not None else () for q in qs)
    for name, d in (("prev1", -1), ("prev2", -2), ("next1", 1), ("next2", 2)):
        yield name, f.eq(q.neigh.get(d) for q in qs)
    yield "same_para_prev", f.eq(
        q.prev.speaker if q.prev is not None and q.prev.last_para == q.x.para else None for q in qs
    )
    yield "narrator", narr
    yield "participant", f.member(q.parts for q in qs)
    yield "prev_para_subject", f.eq(q.prev_subj for q in qs)
    want = [q.want for q in qs]
    has_want = f.each(w is not None for w in want) > 0
    want_same = same(want)
    yield "addr_gender_match", has_want & want_same
    yield "addr_gender_mismatch", has_want & known & ~want_same
    yield "pron_focus", f.eq(q.focus for q in qs)
    yield "beat_focus", f.eq(q.beat_focus for q in qs)
    yield "prev_listener", f.member(q.prev.listeners if q.prev is not None else () for q in qs) & ~prev_sp
    yield "addr_self", same(q.told for q in qs)
    yield "addr_next", same(q.told_next for q in qs)
    yield "next_para_subject", f.eq(q.next_subj for q in qs)
    yield "no_tag", f.each(t is None for t in tags)
    yield "style_known", f.member(q.style for q in qs)
    yield "gap", f.each(q.gap for q in qs)
    yield "question", f.each(q.asks for q in qs)
    yield "prev_question", f.each(q.prev_asks for q in qs)


def _count_columns(f: _Flat, qs: Sequence[QuoteContext]) -> Iterator[tuple[str, np.ndarray]]:
    """The features that read a number per candidate: mention counts, ranks, distances, frequency, idiolect."""
    mentions = (("ment_before", "before", 3), ("ment_after", "after", 3), ("ment_prev_paras", "prevp", 3))
    for name, attr, top in (*mentions, ("ment_conv", "conv", 5)):
        yield name, np.minimum(f.get((getattr(q, attr) for q in qs), 0), top) / top
    yield "recency", f.inverse((q.recency for q in qs), 1)
    counts = qs[0].stats.counts if qs else Counter()
    total = qs[0].stats.total if qs else 1
    yield "freq", np.array([counts.get(c, 0) for c in f.codes], dtype=np.float64)[f.ids] / total
    for name in ("even", "odd", "even_weak", "odd_weak", "spoke_before", "spoke_after"):
        yield name, f.inverse(getattr(q, name) for q in qs)
    yield "pron_recency", f.inverse((q.pron_rank for q in qs), 1)
    style = f.get((q.style for q in qs), 0.0)
    yield "style", style
    yield "style_best", (f.each(q.style_top for q in qs) > 0) & f.member(q.style for q in qs) & (style == 0.0)
    yield "nom_prior", _nom_prior_column(f, qs)


def _nom_prior_column(f: _Flat, qs: Sequence[QuoteContext]) -> np.ndarray:
    """:func:`_nom_prior` of every row."""
    seen: list[dict[str, int]] = []
    rest: list[int] = []
    for q in qs:
        tag, x = q.x.tag, q.x
        s = None
        if tag is not None and tag.kind == "nominal" and tag.phrase:
            s = q.stats.by_phrase.get(tag.phrase, Counter())
        seen.append(s if s is not None else {})
        rest.append(sum(s.values()) - (x.speaker is not None) if s is not None else 0)
    others = f.get(seen, 0) - f.eq(q.x.speaker for q in qs)
    r = f.each(rest)
    out: np.ndarray = np.divide(others, r, out=np.zeros_like(r), where=r > 0)
    return out


def _product_columns(cols: Mapping[str, np.ndarray]) -> Iterator[tuple[str, np.ndarray]]:
    """The products of two features."""
    yield "anchor_even", cols["even"]
    yield "anchor_odd", cols["odd"]
    yield "anchor_even_weak", cols["even_weak"]
    yield "anchor_odd_weak", cols["odd_weak"]
    for a, b in (("pron", "tag_pron_match"), ("notag", "no_tag"), ("gap", "gap")):
        for d in ("prev1", "prev2"):
            yield f"{a}_x_{d}", cols[b] * cols[d]
    yield "notag_x_prev_vocative", cols["no_tag"] * cols["prev_vocative"]
    yield "notag_x_anchor_even", cols["no_tag"] * cols["even"]


#: How far (code points) from a quotation :func:`_mention_counts` counts mentions; further than any PDNC
#: quotation's paragraphs reach (17.5k), so it only bounds the work in pathological, enormous paragraphs.
MENTION_REACH = 25_000


def _mention_counts(st: AttributionState, q: QuoteContext) -> None:
    """Count the narration mentions around the quotation into ``q``: in its paragraph before and after it, in the
    four paragraphs before, since the conversation began, and the recency of each name before it."""
    ix, qs, i, x = st.ix, st.qs, q.i, q.x
    lo, _ = st.conversation(i)
    p_lo = ix.paras[max(0, x.para - 4)][0]
    p0 = ix.paras[x.para][0]
    p1 = ix.paras[x.last_para][1]
    o0, o1 = x.quote.outer or (x.quote.start, x.quote.end)
    # narration mentions within MENTION_REACH of the quotation, counted by slices (one huge paragraph is not
    # walked mention by mention for each of its quotations); nearest first, as the counters' order matters
    starts, chars = ix.narration_mentions()
    a = bisect_left(starts, max(p_lo, o0 - MENTION_REACH))
    z = bisect_left(starts, min(p1, o1 + MENTION_REACH))
    k_o1 = max(a, bisect_left(starts, o1, a, z))
    k_p0 = min(k_o1, max(a, bisect_left(starts, p0, a, z)))
    q.after.update(reversed(chars[k_o1:z]))
    q.before.update(reversed(chars[k_p0:k_o1]))
    q.prevp.update(reversed(chars[a:k_p0]))
    for c in dict.fromkeys(reversed(chars[a : max(a, bisect_left(starts, o0, a, z))])):
        if c not in q.recency:
            q.recency[c] = len(q.recency)
    # everyone named in the narration since the conversation began (up to 30 quotations back)
    c_lo = ix.paras[max(0, qs[max(lo, i - 30)].para - 3)][0]
    if c_lo < p_lo:
        q.conv.update(chars[bisect_left(starts, c_lo) : bisect_left(starts, p_lo)])


def _candidates(st: AttributionState, q: QuoteContext, turns: tuple[list[str | None], list[int]]) -> list[str]:
    """The candidates: the rules' pick, people mentioned nearby (:func:`_mention_counts`), the conversation's
    speakers and those they address, the narrator, people mentioned since the conversation began. ``turns``:
    every quotation's speaker and vocatives, one quotation after the other, and where each one's begin
    (:func:`_turn_people`)."""
    i, x = q.i, q.x
    lo, hi = st.conversation(i)
    seq, at = turns
    near = seq[at[max(lo, i - 8)] : at[min(hi, i + 9)]]
    cands = dict.fromkeys([x.speaker, *q.before, *q.after, *q.prevp, *near, q.narr, *q.conv])
    return [c for c in cands if c]


def _turn_people(qs: Sequence[QuoteState]) -> tuple[list[str | None], list[int]]:
    """Each quotation's speaker and vocatives, one quotation after the other, and where each one's begin (one
    more offset: the end)."""
    seq: list[str | None] = []
    at = [0]
    for y in qs:
        seq.append(y.speaker)
        seq.extend(y.vocatives)
        at.append(len(seq))
    return seq, at


def _tag_nominal(st: AttributionState, q: QuoteContext) -> None:
    """What a description tag resolves to (it reads the speakers around the quotation)."""
    tag = q.x.tag
    if tag is not None and tag.kind == "nominal":
        q.nominal = resolve_nominal(st, q.i, tag)


def _tag_context(st: AttributionState, q: QuoteContext) -> None:
    """What the tag (a pronoun) and the beats next to the quotation resolve to; a description: :func:`_tag_nominal`."""
    i, x, tag = q.i, q.x, q.x.tag
    if tag is not None and tag.kind == "pronoun":
        q.local = local_pronoun(st, i, tag)
    if tag is not None and (tag.kind == "pronoun" or (tag.kind == "nominal" and tag.gender)):
        q.focus = focus_character(st, i, tag)
    refs: list[Ref] = [*x.beats_between, *x.beats_before[-1:], *x.beats_after[:1]]
    for ref in refs:
        if ref.kind == "name" and ref.cid:
            (q.weak if ref.weak else q.strong).add(ref.cid)
        elif ref.kind == "narrator" and q.narr:
            (q.weak if ref.weak else q.strong).add(q.narr)
        elif ref.kind == "pronoun":
            r = local_pronoun(st, i, ref)
            if r:
                (q.weak if ref.weak else q.strong).add(r)
            elif q.beat_focus is None:
                q.beat_focus = focus_character(st, i, ref)


def _neighbours(
    st: AttributionState, q: QuoteContext, speakers: dict[tuple[int, int], Counter[str]] | None = None
) -> None:
    """Who spoke around this quotation in its conversation (:func:`_fixed_neighbours` first: ``q.prev``).
    ``speakers``: a cache of each conversation's speaker counts (keyed by its bounds)."""
    qs, i, x = st.qs, q.i, q.x
    lo, hi = st.conversation(i)
    q.neigh = {d: qs[i + d].speaker for d in (-2, -1, 1, 2) if lo <= i + d < hi}
    # how many quotations ago (or ahead) each character last spoke in this conversation (up to 10)
    q.spoke_before = _nearest_turns(qs, i, range(i - 1, max(lo, i - 10) - 1, -1))
    q.spoke_after = _nearest_turns(qs, i, range(i + 1, min(hi, i + 11)))
    # the conversation's other speakers (a speaker of quotation i counts when it also speaks elsewhere in it)
    counts = speakers.get((lo, hi)) if speakers is not None else None
    if counts is None:
        counts = Counter(sp for j in range(lo, hi) if (sp := qs[j].speaker))
        if speakers is not None:
            speakers[(lo, hi)] = counts
    q.parts = {sp for sp, n in counts.items() if sp != x.speaker or n > 1}


def _fixed_neighbours(st: AttributionState, q: QuoteContext) -> None:
    """The quotations around this one in its conversation, who they address, the narration between them and
    the subjects of the paragraphs around it (none of which reads a speaker)."""
    qs, i, x = st.qs, q.i, q.x
    lo, hi = st.conversation(i)
    prev = q.prev = qs[i - 1] if i > lo else None
    nxt = q.nxt = qs[i + 1] if i + 1 < hi else None
    q.want = prev.addr_gender if prev is not None and prev.last_para < x.para else None
    q.told = x.addr_gender
    q.told_next = nxt.addr_gender if nxt is not None and nxt.para > x.last_para else None
    q.prev_subj = subject_character(st, i, x.prev_subject) if x.prev_subject is not None else None
    q.gap = min(2, max(0, x.para - prev.last_para - 1)) / 2 if prev is not None else 0.0
    q.asks = float(_asks(st.text, x.quote))
    q.prev_asks = float(_asks(st.text, prev.quote)) if prev is not None else 0.0
    ns = x.next_subject
    q.next_subj = subject_character(st, i, ns) if ns is not None and not ns.weak else None


def _anchors(st: AttributionState, q: QuoteContext) -> None:
    """Turn distances (turns = paragraphs) to the reliable anchors within 12 quotations: named tags, and the
    weaker pronoun, description and role tags and beats (where they stand: :func:`_anchor_turns`)."""
    if q.anchor_turns is None:
        q.anchor_turns = _anchor_turns(st, q.i)
    qs = st.qs
    bests = (q.even, q.odd, q.even_weak, q.odd_weak)
    for j, d, k in q.anchor_turns:
        sp = qs[j].speaker
        if sp is not None:  # each speaker's least distance (99 at most)
            best = bests[k]
            had = best.get(sp)
            if had is None:
                best[sp] = d if d < 99 else 99
            elif d < had:
                best[sp] = d


def _anchor_turns(st: AttributionState, i: int) -> list[tuple[int, int, int]]:
    """The anchors around quotation ``i`` by their rules, whoever speaks them: (quotation, turn distance, which
    of even, odd, even weak and odd weak it counts for), in order."""
    qs = st.qs
    lo, hi = st.conversation(i)
    a_lo, a_hi = max(lo, i - 12), min(hi, i + 13)
    turn_of = turns_of(qs, a_lo, a_hi)
    out: list[tuple[int, int, int]] = []
    for j in range(a_lo, a_hi):
        d = abs(turn_of[j - a_lo] - turn_of[i - a_lo])
        if j == i or d == 0:
            continue
        rule = qs[j].rule
        if rule in ("tag_name", "tag_narrator"):
            out.append((j, d, d % 2))
        elif rule in _WEAK_ANCHORS:
            out.append((j, d, 2 + d % 2))
    return out


def _pron_rank(st: AttributionState, q: QuoteContext, cands: Sequence[str]) -> None:
    """For a pronoun tag: the narration names of its gender within six paragraphs before it, nearest first (the
    walk stops once every candidate that can rank is ranked: no other rank is read)."""
    tag, x, ix = q.x.tag, q.x, st.ix
    if tag is None or tag.kind != "pronoun":
        return
    need = {c for c in cands if st.gender.get(c) == tag.gender and c not in x.vocatives}
    if not need:
        return
    lo = max(ix.paras[max(0, x.para - 6)][0], tag.pos - PRONOUN_REACH)
    for mc in narration_back(st, tag.gender, "all", lo, tag.pos):
        if mc in q.pron_rank or mc in x.vocatives:
            continue
        q.pron_rank[mc] = len(q.pron_rank)
        need.discard(mc)
        if not need:
            break


def _style(q: QuoteContext, cands: Sequence[str], scores: Sequence[float | None]) -> None:
    """Each candidate's idiolect score (``scores``, clipped to ±2); with two or more known, less the best one."""
    known: list[float] = []
    for c, s in zip(cands, scores, strict=True):
        if s is not None:
            q.style[c] = max(-2.0, min(2.0, s))
            known.append(q.style[c])
    if len(known) >= 2:
        top = max(known)
        q.style = {c: s - top for c, s in q.style.items()}
        q.style_top = True


def _asks(text: str, q: Quote) -> bool:
    """Whether a quotation ends in a question mark (closing marks aside)."""
    return text[q.start : q.end].rstrip(" \"”’'")[-1:] == "?"


def _nearest_turns(qs: Sequence[QuoteState], i: int, js: Iterable[int]) -> dict[str, int]:
    """Each speaker's distance from quotation ``i`` at their first turn among ``js`` (walked in order)."""
    out: dict[str, int] = {}
    for j in js:
        sp = qs[j].speaker
        if sp and sp not in out:
            out[sp] = abs(j - i)
    return out
