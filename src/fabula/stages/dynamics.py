"""Relationship dynamics per pair of characters who talk to each other.

A quote by ``a`` is *directed* at ``b`` when ``b`` is among its addressees or, when the quote has no
addressees, when ``b`` is the nearest other speaker in the same conversation (previous turn, else next turn).
A pair exists only where at least one quote is directed between the two. The pair's quotes (both ways, text
order) are cut into *exchanges* wherever more than ``EXCHANGE_GAP`` paragraphs separate two of them or a
scene/chapter boundary lies between them. Everything is linear in the number of quotes.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from fabula.pipeline import Stage
from fabula.spans import SpanIndex
from fabula.stages.dynamics_narrative import narrate
from fabula.story import (
    ConflictWindow,
    Directed,
    Exit,
    Mention,
    Quote,
    Relationship,
    RelationshipTurn,
    Story,
)

EXCHANGE_GAP = 3  # paragraphs
VAD_DIGITS = 4  # mean VAD is compared between the two at this precision

CONFLICT_ACTS = frozenset({"refusal", "accusation", "command", "threat"})
SUBMISSIVE_ACTS = frozenset({"plea", "request", "apology"})
SUMMARY_ACTS = ("request", "plea", "refusal", "command", "accusation", "threat", "apology", "declaration",
                "agreement", "thanks", "question")
VERBS: dict[str, tuple[str, str]] = {  # act -> (verb, noun for "asks N questions"-style fallback)
    "request": ("asks", "request"),
    "plea": ("pleads", "plea"),
    "refusal": ("refuses", "refusal"),
    "command": ("orders", "command"),
    "accusation": ("accuses", "accusation"),
    "threat": ("threatens", "threat"),
    "apology": ("apologises", "apology"),
    "declaration": ("declares", "declaration"),
    "agreement": ("agrees", "agreement"),
    "thanks": ("thanks", "thanks"),
    "question": ("asks", "question"),
}
# Dominance components and their weights (a weighted mean over those with evidence).
DOMINANCE_WEIGHTS = {"commands": 1.0, "refusals": 1.0, "interruptions": 1.0, "threats": 0.5,
                     "accusations": 0.5, "words": 0.5, "ends": 0.5, "submission": 1.0, "vad_dominance": 1.0}
# Content words that say what is asked for ("asks to leave").
ASK_WORDS = ("leave", "go", "stay", "talk", "stop", "listen", "come", "help", "forgive", "explain", "wait",
             "understand", "marry", "divorce", "change", "trust", "believe", "hold", "kiss", "love")
WORD_RE = re.compile(r"\w+(?:['’]\w+)*")
DASH_END_RE = re.compile(r"(?:—|–|--|-)\s*$")
ASK_RE = re.compile(r"\b(" + "|".join(ASK_WORDS) + r")\b", re.IGNORECASE)
LOVE_RE = re.compile(r"\b(love|loved|feelings)\b", re.IGNORECASE)
EXIT_RE = re.compile(
    r"\b(?P<verb>storms?|stormed|walks?|walked|stalks?|stalked|rushe[sd]|rush|runs|ran|marche[sd]|stomps?|stomped)"
    r"\s+(?P<dir>out|off|away)\b"
    r"|\b(?P<turn>turns|turned|turning)\s+away\b"
    r"|\b(?P<slam>slams|slammed)\s+the\s+door\b"
    r"|\b(?P<leave>leaves|left)\b(?=\s*(?:[.!,;]|the\s+(?:room|house|flat|apartment|kitchen|building)|without))",
    re.IGNORECASE,
)
PRESENT = {"stormed": "storms", "storm": "storms", "walked": "walks", "walk": "walks", "stalked": "stalks",
           "stalk": "stalks", "rushed": "rushes", "rush": "rushes", "ran": "runs", "marched": "marches",
           "stomped": "stomps", "stomp": "stomps", "turned": "turns", "turning": "turns", "slammed": "slams",
           "left": "leaves"}
THIRD_PRONOUNS = {"he": ("m", "male", "man", "he"), "she": ("f", "female", "woman", "she")}


@dataclass(slots=True)
class _Q:
    """A quote reduced to what dynamics needs."""

    quote: Quote
    speaker: str
    para: int
    region: int  # scene/chapter index; a boundary ends an exchange
    words: int
    text: str
    targets: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------------------- helpers


def _quote_text(story: Story, q: Quote) -> str:
    return " ".join(story.text[s:e] for s, e in q.spans)


def _para_index(story: Story) -> Any:
    """A function offset -> paragraph number (from ``story.paragraphs``, else from line breaks)."""
    if story.paragraphs:
        starts = [p.start for p in story.paragraphs]
        return lambda pos: bisect.bisect_right(starts, pos)
    breaks = [m.start() for m in re.finditer(r"\n", story.text)]
    return lambda pos: bisect.bisect_left(breaks, pos)


def _region_index(story: Story) -> Any:
    bounds = sorted({s.start for s in story.scenes} | {c.start for c in story.chapters})
    return lambda pos: bisect.bisect_right(bounds, pos)


def _vad(q: Quote) -> list[float] | None:
    emo = q.emotion
    if not emo:
        return None
    vad = emo.vad
    try:
        out = [float(vad[0]), float(vad[1]), float(vad[2])]
    except (TypeError, IndexError, ValueError):
        return None
    return None if any(math.isnan(x) for x in out) else out


def _ekman(q: Quote, group: str) -> float:
    ek = q.emotion.ekman if q.emotion is not None else {}
    try:
        return float(ek.get(group, 0.0) or 0.0)
    except (TypeError, ValueError):
        return 0.0


def quote_conflict(q: Quote) -> float:
    """Conflict of one quote in [0, 1]: 0.5 conflict act + 0.3 (anger + disgust) + 0.2 negative valence."""
    act = 1.0 if q.act in CONFLICT_ACTS else 0.0
    anger = min(1.0, _ekman(q, "anger") + _ekman(q, "disgust"))
    vad = _vad(q)
    neg = max(0.0, min(1.0, (3.0 - vad[0]) / 2.0)) if vad else 0.0
    return 0.5 * act + 0.3 * anger + 0.2 * neg


def _ratio(x: float, y: float) -> float | None:
    return None if x + y <= 0 else (x - y) / (x + y)


def _rounded(vad: tuple[float, float, float] | None) -> tuple[float, ...] | None:
    """A mean VAD at ``VAD_DIGITS`` places, as the dominance gap has always compared it."""
    return None if vad is None else tuple(round(x, VAD_DIGITS) for x in vad)


def _vad_gap(va: Sequence[float] | None, vb: Sequence[float] | None) -> float | None:
    """Mean VAD dominance of a minus b (1–5 scale), a gap of 0.5 or more saturating at ±1."""
    if va is None or vb is None:
        return None
    return max(-1.0, min(1.0, (va[2] - vb[2]) / 0.5))


def _times(n: int) -> str:
    return {1: "once", 2: "twice"}.get(n, f"{n} times")


def _name(story: Story, cid: str) -> str:
    c = story.character(cid)
    return c.name if c is not None and c.name else cid


# --------------------------------------------------------------------------------------------------- building


def _reduce(story: Story) -> list[_Q]:
    para = _para_index(story)
    region = _region_index(story)
    out = []
    for q in sorted(story.quotes, key=lambda q: q.start):
        if q.speaker is None:
            continue
        text = _quote_text(story, q)
        out.append(_Q(q, q.speaker, para(q.start), region(q.start), len(WORD_RE.findall(text)), text))
    return out


def _assign_targets(qs: list[_Q]) -> None:
    """Fill ``targets``: addressees when given, else the nearest other speaker of the same conversation."""
    n = len(qs)

    def linked(i: int, j: int) -> bool:
        a, b = (i, j) if i < j else (j, i)
        return qs[a].region == qs[b].region and qs[b].para - qs[a].para <= EXCHANGE_GAP

    # prev_other[i]: index of the nearest earlier quote by another speaker reachable without a gap.
    prev_other: list[int | None] = [None] * n
    for i in range(1, n):
        if not linked(i - 1, i):
            continue
        prev_other[i] = i - 1 if qs[i - 1].speaker != qs[i].speaker else prev_other[i - 1]
    next_other: list[int | None] = [None] * n
    for i in range(n - 2, -1, -1):
        if not linked(i, i + 1):
            continue
        next_other[i] = i + 1 if qs[i + 1].speaker != qs[i].speaker else next_other[i + 1]
    for i, x in enumerate(qs):
        given = [a for a in dict.fromkeys(x.quote.addressees) if a and a != x.speaker]
        if given:
            x.targets = given
            continue
        j = prev_other[i] if prev_other[i] is not None else next_other[i]
        if j is not None:
            x.targets = [qs[j].speaker]


def _exchanges(seq: list[_Q]) -> list[list[_Q]]:
    out: list[list[_Q]] = []
    for x in seq:
        if out and (x.region == out[-1][-1].region and x.para - out[-1][-1].para <= EXCHANGE_GAP):
            out[-1].append(x)
        else:
            out.append([x])
    return out


def _windows(exchanges: list[list[_Q]], n_total: int) -> list[list[_Q]]:
    size = max(3, math.ceil(n_total / 20))
    out: list[list[_Q]] = []
    for ex in exchanges:
        for i in range(0, len(ex), size):
            out.append(ex[i : i + size])
    # Fold a short tail into the window before it, within the same exchange.
    merged: list[list[_Q]] = []
    for w in out:
        if merged and len(w) < size / 2 and merged[-1][-1].para >= w[0].para - EXCHANGE_GAP \
                and merged[-1][-1].region == w[0].region:
            merged[-1] = merged[-1] + w
        else:
            merged.append(w)
    return merged


def _change_point(seq: list[_Q]) -> RelationshipTurn | None:
    """Where conflict or valence between the pair changes most (largest before/after difference of means)."""
    n = len(seq)
    if n < 4:
        return None
    k = max(2, n // 5)
    conflict = [quote_conflict(x.quote) for x in seq]
    vads = [_vad(x.quote) for x in seq]
    valence = [((v[0] - 3.0) / 2.0) if v else 0.0 for v in vads]
    best: tuple[float, int, str, float, float] | None = None
    # Valence spans [-1, 1], conflict [0, 1]: halve valence differences so the two compete on one scale.
    for name, series, weight in (("conflict", conflict, 1.0), ("valence", valence, 0.5)):
        csum = [0.0]
        for v in series:
            csum.append(csum[-1] + v)
        for i in range(2, n - 1):
            kb, ka = min(k, i), min(k, n - i)
            before = (csum[i] - csum[i - kb]) / kb
            after = (csum[i + ka] - csum[i]) / ka
            d = abs(after - before) * weight
            if best is None or d > best[0] + 1e-12:
                best = (d, i, name, before, after)
    if best is None or best[0] < 1e-9:
        return None
    d, i, name, before, after = best
    q = seq[i].quote
    return RelationshipTurn(int(q.start), q.id, seq[i].speaker, name, before, after, after - before)


_NEGATED = re.compile(r"\b(?:not|never|no|don['’]?t|doesn['’]?t|didn['’]?t|won['’]?t|can['’]?t|cannot)\b", re.I)


def _ask_object(texts: Sequence[str]) -> str | None:
    """The content word most requests share ("leave" in "I want to leave."), if any."""
    if not texts:
        return None
    c: Counter[str] = Counter()
    for t in texts:
        # "I don't want to go" does not ask to go: drop clauses with a negation before the content word
        kept = " ".join(cl for cl in re.split(r"[.!?;]", t) if not _NEGATED.search(cl))
        c.update(list(dict.fromkeys(w.lower() for w in ASK_RE.findall(kept))))  # once per text, in text order
    if not c:
        return None
    word, n = c.most_common(1)[0]
    if (n >= 2 and n * 2 >= len(texts)) or len(texts) == 1:
        return word
    return None


# Shared by all pairs, so that per-pair look-ups stay logarithmic: the quotations, and the attributed
# mentions keyed by where they end (the actor of an action is the mention ending last before it).
_Indexes = tuple[SpanIndex[Quote], SpanIndex[Mention]]


def _indexes(story: Story) -> _Indexes:
    quotes = SpanIndex((q.start, q.end, q) for q in story.quotes)
    return quotes, SpanIndex((m.end, m.end, m) for m in story.mentions if m.character is not None)


def _exit_action(story: Story, last: _Q, pair: tuple[str, str], ix: _Indexes) -> tuple[str, str, int] | None:
    """A leaving action narrated right after the pair's last quote ("he just storms out"): (who, verb)."""
    text = story.text
    start = last.quote.outer[1] if last.quote.outer else last.quote.end
    quote_starts = ix[0].starts
    k = bisect.bisect_left(quote_starts, start)
    limit = quote_starts[k] if k < len(quote_starts) else len(text)
    # Up to the end of the paragraph holding the last quote, plus two more, stopping at the next quote.
    pos, seen = start, 0
    while seen < 3:
        nl = text.find("\n", pos)
        if nl < 0:
            pos = len(text)
            break
        pos = nl + 1
        while pos < len(text) and text[pos] == "\n":
            pos += 1
        seen += 1
    end = min(pos, limit)
    m = EXIT_RE.search(text, start, end)
    if m is None:
        return None
    if m.group("verb"):
        v = m.group("verb").lower()
        verb = f"{PRESENT.get(v, v if v.endswith('s') else v + 's')} {m.group('dir').lower()}"
    elif m.group("turn"):
        verb = "turns away"
    elif m.group("slam"):
        verb = "slams the door"
    else:
        verb = "leaves"
    line_start = max(start, text.rfind("\n", start, m.start()) + 1)
    who = _actor(story, pair, line_start, m.start(), ix[1])
    return (who, verb, m.start()) if who else None


def _actor(story: Story, pair: tuple[str, str], line_start: int, at: int, by_end: SpanIndex[Mention]) -> str | None:
    """Who does the action at ``at``: the nearest mention on its line, else a name, else a pronoun."""
    i = by_end.before(at)
    while i >= 0 and by_end.items[i].end > line_start:
        ment = by_end.items[i]
        if ment.character in pair:
            return str(ment.character)
        if ment.start < line_start:
            break
        i -= 1
    words = WORD_RE.findall(story.text[line_start:at])
    for w in reversed(words):
        lw = w.lower()
        for cid in pair:
            c = story.character(cid)
            names = {cid.lower()} | ({c.name.lower(), *(a.lower() for a in c.aliases)} if c else set())
            if lw in names or any(lw == n.split()[0] for n in names if n):
                return cid
        if lw in THIRD_PRONOUNS:
            fits = []
            for cid in pair:
                c = story.character(cid)
                if c is None or c.narrator:
                    continue
                if c.gender is None or c.gender.lower() in THIRD_PRONOUNS[lw]:
                    fits.append(cid)
            gendered = [cid for cid in fits if (g := getattr(story.character(cid), "gender", None))
                        and g.lower() in THIRD_PRONOUNS[lw]]
            if len(gendered) == 1:
                return gendered[0]
            if len(fits) == 1:
                return fits[0]
            return None
        if lw in {"i", "we"}:
            narr = [cid for cid in pair if (c := story.character(cid)) is not None and c.narrator]
            return narr[0] if len(narr) == 1 else None
    return None


def _clauses(story: Story, cid: str, acts: dict[str, int], texts: dict[str, list[str]]) -> list[str]:
    out = []
    for act in SUMMARY_ACTS:
        n = acts.get(act, 0)
        if not n:
            continue
        verb = VERBS[act][0]
        if act == "question":
            out.append(f"asks {n} question{'s' if n > 1 else ''}")
            continue
        if act in ("request", "plea"):
            obj = _ask_object(texts.get(act, []))
            if obj:
                verb = f"{verb} to {obj}"
        if act == "declaration":
            love = sum(1 for t in texts.get(act, []) if LOVE_RE.search(t))
            if love:
                out.append(f"declares love {_times(love)}")
                if n > love:
                    out.append(f"makes {n - love} other declaration{'s' if n - love > 1 else ''}")
                continue
        out.append(f"{verb} {_times(n)}")
    return out


def _summary(
    story: Story,
    a: str,
    b: str,
    acts: dict[str, dict[str, int]],
    texts: dict[str, dict[str, list[str]]],
    turns: dict[str, int],
    exits: list[tuple[str, str, int]],
) -> str:
    parts = []
    for cid in (a, b):
        cl = _clauses(story, cid, acts[cid], texts[cid])
        # Keep the summary short: the four most salient acts.
        cl = cl[:4]
        own = Counter(verb for who, verb, _ in exits if who == cid)
        for verb, n in own.most_common(2):
            cl.append(verb if n == 1 else f"{verb} {_times(n)}")
        if not cl:
            n = turns[cid]
            cl = [f"speaks {_times(n)}" if n else "does not answer"]
        body = cl[0] if len(cl) == 1 else ", ".join(cl[:-1]) + " and " + cl[-1]
        parts.append(f"{_name(story, cid)} {body}")
    text = "; ".join(parts) + "."
    return text[:1].upper() + text[1:]


# --------------------------------------------------------------------------------------------------- stage


def pair_dynamics(story: Story, a: str, b: str, seq: list[_Q], ix: _Indexes | None = None) -> Relationship:
    """The relationship of the pair (``a`` spoke first) from their directed quotes in text order."""
    pair = (a, b)
    exchanges = _exchanges(seq)
    turns = {a: 0, b: 0}
    words = {a: 0, b: 0}
    acts: dict[str, dict[str, int]] = {a: defaultdict(int), b: defaultdict(int)}
    texts: dict[str, dict[str, list[str]]] = {a: defaultdict(list), b: defaultdict(list)}
    interruptions = {a: 0, b: 0}
    ends = {a: 0, b: 0}
    vsum = {a: [0.0, 0.0, 0.0], b: [0.0, 0.0, 0.0]}
    vn = {a: 0, b: 0}
    for ex in exchanges:
        prev: _Q | None = None
        for x in ex:
            s = x.speaker
            if prev is None or prev.speaker != s:
                turns[s] += 1
            if prev is not None and prev.speaker != s and DASH_END_RE.search(prev.text):
                interruptions[s] += 1
            words[s] += x.words
            if x.quote.act:
                acts[s][x.quote.act] += 1
                texts[s][x.quote.act].append(x.text)
            v = _vad(x.quote)
            if v:
                vn[s] += 1
                for k in range(3):
                    vsum[s][k] += v[k]
            prev = x
        if len({x.speaker for x in ex}) == 2:
            ends[ex[-1].speaker] += 1
    vad = {c: ((vsum[c][0] / vn[c], vsum[c][1] / vn[c], vsum[c][2] / vn[c]) if vn[c] else None) for c in pair}

    def cnt(c: str, *names: str) -> int:
        return sum(acts[c].get(n, 0) for n in names)

    comps: dict[str, float | None] = {
        "commands": _ratio(cnt(a, "command"), cnt(b, "command")),
        "refusals": _ratio(cnt(a, "refusal"), cnt(b, "refusal")),
        "interruptions": _ratio(interruptions[a], interruptions[b]),
        "threats": _ratio(cnt(a, "threat"), cnt(b, "threat")),
        "accusations": _ratio(cnt(a, "accusation"), cnt(b, "accusation")),
        "words": _ratio(words[a], words[b]),
        "ends": _ratio(ends[a], ends[b]),
        "submission": _ratio(cnt(b, *SUBMISSIVE_ACTS), cnt(a, *SUBMISSIVE_ACTS)),
        "vad_dominance": _vad_gap(_rounded(vad[a]), _rounded(vad[b])),
    }
    num = sum(DOMINANCE_WEIGHTS[k] * v for k, v in comps.items() if v is not None)
    den = sum(DOMINANCE_WEIGHTS[k] for k, v in comps.items() if v is not None)
    conflict = [
        ConflictWindow(int(w[0].quote.start), int(w[-1].quote.end),
                       sum(quote_conflict(x.quote) for x in w) / len(w), len(w))
        for w in _windows(exchanges, len(seq))
    ]
    ix = ix if ix is not None else _indexes(story)
    exits = [e for ex in exchanges if (e := _exit_action(story, ex[-1], pair, ix)) is not None]
    plain_acts = {c: dict(sorted(acts[c].items())) for c in pair}
    rel = Relationship(
        a=a,
        b=b,
        names={a: _name(story, a), b: _name(story, b)},
        turns=Directed(turns[a], turns[b]),
        quotes=Directed(sum(1 for x in seq if x.speaker == a), sum(1 for x in seq if x.speaker == b)),
        words=Directed(words[a], words[b]),
        acts=plain_acts,
        interruptions={a: interruptions[a], b: interruptions[b]},
        exchanges=len(exchanges),
        ends={a: ends[a], b: ends[b]},
        vad=vad,
        dominance=num / den if den else 0.0,
        dominance_components=comps,
        conflict=conflict,
        turning_point=_change_point(seq),
        exits=[Exit(*e) for e in exits],
        exit=Exit(*exits[-1]) if exits else None,
        span=(int(seq[0].quote.start), int(seq[-1].quote.end)),
        summary=_summary(story, a, b, plain_acts, texts, turns, exits),
    )
    asks = {c: _ask_object([*texts[c].get("request", []), *texts[c].get("plea", [])]) for c in pair}
    rel.narrative = narrate(story, rel, [[x.quote for x in ex] for ex in exchanges], texts, asks)
    return rel


def run(story: Story) -> None:
    """Set ``story.relationships``: one per interacting pair, ordered by first interaction, each with its
    dynamics told in words (``narrative``, :mod:`fabula.stages.dynamics_narrative`)."""
    qs = _reduce(story)
    _assign_targets(qs)
    seqs: dict[frozenset[str], list[_Q]] = {}
    first: dict[frozenset[str], str] = {}
    for x in qs:
        for t in x.targets:
            key = frozenset((x.speaker, t))
            if len(key) != 2:
                continue
            seq = seqs.setdefault(key, [])
            first.setdefault(key, x.speaker)
            if not seq or seq[-1] is not x:
                seq.append(x)
    ix = _indexes(story)
    rels = []
    for key, seq in seqs.items():
        a = first[key]
        (b,) = key - {a}
        rels.append(pair_dynamics(story, a, b, seq, ix))
    story.relationships = rels


STAGE = Stage(
    "dynamics",
    run,
    reads=(
        "text", "paragraphs", "chapters", "scenes", "quotes", "quotes.speaker", "quotes.addressees", "quotes.act",
        "quotes.emotion", "characters", "characters.narrator", "mentions", "mentioned", "sections", "nonstory",
    ),
    writes=("relationships",),
)
