"""The ranker's candidates and features.

For each quotation: the candidate speakers (mentioned nearby, recent speakers, addressed, the narrator) and, for
each, one value per feature of :data:`FEATURE_TABLE`, an ordered table of named functions ``(candidate,
quotation context) -> float``. :data:`FEATURES`, the names in order, is derived from the table: the shipped
ranker (``models/attribution/ranker.json``) lists the same names in the same order, or it is not used.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

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


#: The ranker's features, in the order of the shipped model's weights.
FEATURE_TABLE: tuple[tuple[str, Feature], ...] = (
    *((f"rule_{r}", _rule(r)) for r in RULES if r != "none"),  # the rules' pick, by rule
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
    rows = _rows if FEATURES == _ROW_FEATURES else table_rows
    return [(q.i, cands, rows(q, cands)) for q, cands in contexts(st, fixed)]


def contexts(st: AttributionState, fixed: Fixed | None = None) -> list[tuple[QuoteContext, list[str]]]:
    """Each quotation's context and candidate speakers (epigraphs aside). ``fixed``, when given, keeps each
    context's :data:`FIXED_FIELDS` from one call to the next over the same state, as long as only the quotations'
    speakers (and the idiolects) change between them, as in the ranker's rounds: the values are the same."""
    stats = StoryStats.of(st)
    speakers: dict[tuple[int, int], Counter[str]] = {}  # per conversation, computed once (not per quotation)
    todo: list[tuple[QuoteContext, list[str]]] = []
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
        cands = _candidates(st, q)
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


#: The features :func:`_rows` computes, in its order: :data:`FEATURES` as written when it was (a table that
#: differs, e.g. a feature added, is computed by :func:`table_rows` until ``_rows`` follows it).
_RULE_NAMES = tuple(r for r in RULES if r != "none")
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


def _rows(q: QuoteContext, cands: Sequence[str]) -> list[list[float]]:
    """The same values as :func:`table_rows` (tests/stages/test_attribution.py compares them), computed with the
    quotation's part once and the candidate's inline: the ranker scores every candidate of every quotation in
    each of its rounds, and one call per feature dominated its time."""
    x, tag, narr, gender = q.x, q.x.tag, q.narr, q.gender
    kind = tag.kind if tag is not None else None
    pron = kind == "pronoun"
    tgender = tag.gender if tag is not None else None
    name_pick = tag.cid if tag is not None and kind == "name" else None
    narr_pick = narr if kind == "narrator" else None
    local_pick = q.local if pron else None
    nominal_pick = q.nominal if kind == "nominal" else None
    rule_vals = [1.0 if x.rule == r else 0.0 for r in _RULE_NAMES]
    rule_none = [0.0] * len(_RULE_NAMES)
    prev, nxt = q.prev, q.nxt
    prev_voc = prev.vocatives if prev is not None else ()
    prev_lis = prev.listeners if prev is not None else ()
    prev_sp = prev.speaker if prev is not None else None
    next_voc = nxt.vocatives if nxt is not None else ()
    same_para_sp = prev.speaker if prev is not None and prev.last_para == x.para else None
    n_m2, n_m1, n_p1, n_p2 = (q.neigh.get(d) for d in (-2, -1, 1, 2))
    before, after, prevp, conv, recency = q.before, q.after, q.prevp, q.conv, q.recency
    counts, total = q.stats.counts, q.stats.total
    no_tag = 1.0 if tag is None else 0.0
    want, told, told_next = q.want, q.told, q.told_next
    even, odd, even_weak, odd_weak = q.even, q.odd, q.even_weak, q.odd_weak
    spoke_before, spoke_after, pron_rank = q.spoke_before, q.spoke_after, q.pron_rank
    style, style_top = q.style, q.style_top
    seen: Counter[str] | None = None
    rest = 0
    if tag is not None and kind == "nominal" and tag.phrase:
        seen = q.stats.by_phrase.get(tag.phrase, Counter())
        rest = sum(seen.values()) - (x.speaker is not None)
    gap, asks, prev_asks = q.gap, q.asks, q.prev_asks
    out: list[list[float]] = []
    for c in cands:
        g = gender.get(c)
        pm = 1.0 if pron and g is not None and g == tgender and c != narr else 0.0
        p1 = 1.0 if n_m1 == c else 0.0
        p2 = 1.0 if n_m2 == c else 0.0
        pv = 1.0 if c in prev_voc and prev_sp != c else 0.0
        ae = 1.0 / even[c] if c in even else 0.0
        if seen is not None:
            others = seen.get(c, 0) - (c == x.speaker)
            nom = others / rest if rest > 0 else 0.0
        else:
            nom = 0.0
        out.append(
            [
                *(rule_vals if c == x.speaker else rule_none),
                1.0 if c == name_pick else 0.0,
                1.0 if c == narr_pick else 0.0,
                pm,
                1.0 if pron and not pm and ((g is not None and g != tgender) or c == narr) else 0.0,
                1.0 if c == local_pick else 0.0,
                1.0 if c == nominal_pick else 0.0,
                1.0 if c in q.strong else 0.0,
                1.0 if c in q.weak else 0.0,
                1.0 if c in x.vocatives else 0.0,
                1.0 if c in x.listeners else 0.0,
                1.0 if c in x.inner_names else 0.0,
                pv,
                1.0 if c in next_voc else 0.0,
                p1,
                p2,
                1.0 if n_p1 == c else 0.0,
                1.0 if n_p2 == c else 0.0,
                1.0 if same_para_sp == c else 0.0,
                min(before.get(c, 0), 3) / 3,
                min(after.get(c, 0), 3) / 3,
                min(prevp.get(c, 0), 3) / 3,
                min(conv.get(c, 0), 5) / 5,
                1.0 / (1 + recency[c]) if c in recency else 0.0,
                1.0 if c == narr else 0.0,
                counts.get(c, 0) / total,
                1.0 if c in q.parts else 0.0,
                no_tag,
                1.0 if c == q.prev_subj else 0.0,
                1.0 if want is not None and g is not None and g == want else 0.0,
                1.0 if want is not None and g not in (None, want) else 0.0,
                ae,
                1.0 / odd[c] if c in odd else 0.0,
                1.0 / (1 + pron_rank[c]) if c in pron_rank else 0.0,
                pm * p1,
                pm * p2,
                no_tag * p1,
                no_tag * p2,
                no_tag * pv,
                no_tag * ae,
                style.get(c, 0.0),
                1.0 if style_top and c in style and style[c] == 0.0 else 0.0,
                1.0 if c in style else 0.0,
                nom,
                1.0 if q.focus == c else 0.0,
                1.0 / spoke_before[c] if c in spoke_before else 0.0,
                1.0 / spoke_after[c] if c in spoke_after else 0.0,
                1.0 if q.beat_focus == c else 0.0,
                1.0 if c in prev_lis and prev_sp != c else 0.0,
                1.0 / even_weak[c] if c in even_weak else 0.0,
                1.0 / odd_weak[c] if c in odd_weak else 0.0,
                1.0 if g is not None and g == told else 0.0,
                1.0 if g is not None and g == told_next else 0.0,
                1.0 if c == q.next_subj else 0.0,
                gap * p1,
                gap * p2,
                gap,
                asks,
                prev_asks,
            ]
        )
    return out


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


def _candidates(st: AttributionState, q: QuoteContext) -> list[str]:
    """The candidates: the rules' pick, people mentioned nearby (:func:`_mention_counts`), the conversation's
    speakers and those they address, the narrator, people mentioned since the conversation began."""
    qs, i, x = st.qs, q.i, q.x
    lo, hi = st.conversation(i)
    cands: dict[str | None, None] = dict.fromkeys([x.speaker, *q.before, *q.after, *q.prevp])
    for j in range(max(lo, i - 8), min(hi, i + 9)):
        cands.update(dict.fromkeys([qs[j].speaker, *qs[j].vocatives]))
    cands.update(dict.fromkeys([q.narr, *q.conv]))
    return [c for c in cands if c]


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
        if sp is not None:
            best = bests[k]
            best[sp] = min(best.get(sp, 99), d)


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
