"""The dynamics of a pair told in two or three sentences, from the numbers the dynamics stage computed.

Who drives the exchange (the one who makes more of the moves: requests, pleas, accusations, orders, threats,
questions, declarations), what each one wants (their leading dialogue acts, and what their requests ask for),
how each one shifts after the turning point (more or less pressure: refusals, orders, threats, accusations,
pleas) and how the feeling moves (valence before and after it), how it ends (an exit, or the last word), and
whether one of the two retells the exchange in a section they narrate (the same lines again, with their
narration between them). No I/O; called by :mod:`fabula.stages.dynamics` for every pair.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence

from fabula.story import Quote, Relationship, RelationshipNarrative, Story

# How much a move counts towards driving the exchange.
DRIVE_WEIGHTS = {"request": 1.0, "plea": 1.0, "accusation": 1.0, "command": 1.0, "threat": 1.0,
                 "question": 0.5, "declaration": 0.5, "apology": 0.25}
DRIVE_RATIO = 1.25  # the driver makes at least this many times the other's moves
PRESSURE = frozenset({"refusal", "command", "threat", "accusation", "plea"})
SHIFT_MIN = 0.2  # change in the share of pressure acts that counts as pressing / yielding
FEELING_MIN = 0.04  # change in mean valence ([-1, 1]) that counts as darkening / warming
MOVE_ORDER = ("request", "plea", "accusation", "declaration", "refusal", "command", "threat", "apology",
              "question", "agreement", "thanks")
NOUNS = {"request": "requests", "plea": "pleas", "accusation": "accusations", "declaration": "declarations",
         "refusal": "refusals", "command": "orders", "threat": "threats", "apology": "apologies",
         "question": "questions", "agreement": "agreement", "thanks": "thanks"}
LOVE_RE = re.compile(r"\b(love|loved|feelings)\b", re.IGNORECASE)
WORD_RE = re.compile(r"\w+(?:['’]\w+)*")
PRONOUNS = {"m": ("he", "him", "his"), "male": ("he", "him", "his"), "f": ("she", "her", "her"),
            "female": ("she", "her", "her")}


def _times(n: int) -> str:
    if n >= 4:
        return f"again and again ({n} times)"
    return {1: "once", 2: "twice", 3: "three times"}.get(n, f"{n} times")


def _words(s: str) -> int:
    return len(WORD_RE.findall(s))


def snippet(text: str, limit: int = 70) -> str:
    """``text`` with whitespace collapsed, cut at a word boundary to at most ``limit`` characters (``…`` added)."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit]
    space = cut.rfind(" ")
    if space > limit // 3:
        cut = cut[:space]
    return cut.rstrip(" ,;:—–-") + "…"


class _People:
    """Names and pronouns of the pair."""

    def __init__(self, story: Story, rel: Relationship) -> None:
        self.names = {c: rel.names.get(c) or c for c in (rel.a, rel.b)}
        self.pron: dict[str, tuple[str, str, str] | None] = {}
        for c in (rel.a, rel.b):
            ch = story.character(c)
            g = (ch.gender or "").lower() if ch is not None else ""
            self.pron[c] = PRONOUNS.get(g)

    def name(self, c: str) -> str:
        return self.names[c]

    def subj(self, c: str) -> str:
        p = self.pron[c]
        return p[0] if p else self.names[c]

    def obj(self, c: str) -> str:
        p = self.pron[c]
        return p[1] if p else self.names[c]

    def poss(self, c: str) -> str:
        p = self.pron[c]
        return p[2] if p else possessive(self.names[c])


def possessive(name: str) -> str:
    return name + ("’" if name.endswith("s") else "’s")


def _join(parts: Sequence[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _moves(acts: Mapping[str, int]) -> list[str]:
    """Leading acts (no plain statements), most frequent first, ties in :data:`MOVE_ORDER`."""
    ranked = [a for a in MOVE_ORDER if acts.get(a, 0) > 0]
    ranked.sort(key=lambda a: (-acts[a], MOVE_ORDER.index(a)))
    return ranked[:3]


def _drive(acts: Mapping[str, int]) -> float:
    return sum(DRIVE_WEIGHTS.get(a, 0.0) * n for a, n in acts.items())


def _verb(act: str, n: int, other: str, obj: str | None, love: int, people: _People) -> str:
    """One move as a verb phrase: "asks to leave again and again (6 times)", "accuses him twice"."""
    them = people.obj(other)
    if act == "request":
        return f"asks to {obj} {_times(n)}" if obj else f"asks things of {them} {_times(n)}"
    if act == "plea":
        return f"pleads with {them} to {obj} {_times(n)}" if obj else f"pleads with {them} {_times(n)}"
    if act == "declaration" and love:
        return f"declares love {_times(love)}"
    phrases = {"accusation": f"accuses {them}", "declaration": "makes declarations", "refusal": "refuses",
               "command": f"gives {them} orders", "threat": f"threatens {them}", "apology": "apologises",
               "question": "asks questions", "agreement": "gives in", "thanks": f"thanks {them}"}
    return f"{phrases[act]} {_times(n)}"


SINGULAR = {"requests": "a request", "pleas": "a plea", "accusations": "an accusation", "refusals": "a refusal",
            "declarations": "a declaration", "orders": "an order", "threats": "a threat", "apologies": "an apology",
            "questions": "a question", "agreement": "agreement", "thanks": "thanks"}


def _noun(act: str, n: int, love: int) -> str:
    if act == "declaration" and love:
        return "a declaration of love" if love == 1 else f"declarations of love ({love})"
    return SINGULAR[NOUNS[act]] if n == 1 else f"{NOUNS[act]} ({n})"


def _loves(texts: Mapping[str, Sequence[str]]) -> int:
    return sum(1 for t in texts.get("declaration", ()) if LOVE_RE.search(t))


def _opening(rel: Relationship, people: _People, driver: str | None, moves: Mapping[str, list[str]],
             ask_for: Mapping[str, str | None], texts: Mapping[str, Mapping[str, Sequence[str]]]) -> str:
    a, b = rel.a, rel.b
    first = driver or (a if rel.turns.a_to_b >= rel.turns.b_to_a else b)
    other = b if first == a else a
    acts_f, acts_o = rel.acts.get(first, {}), rel.acts.get(other, {})
    love_f, love_o = _loves(texts.get(first, {})), _loves(texts.get(other, {}))
    verbs = [_verb(x, acts_f[x], other, ask_for.get(first), love_f, people) for x in moves[first][:2]]
    lead = (f"{people.name(first)} drives the exchange" if driver else
            f"{people.name(a)} and {people.name(b)} are evenly matched")
    head = f"{lead}: {people.subj(first)} {_join(verbs)}" if verbs else f"{lead}: {people.subj(first)} talks"
    if moves[other]:
        answer = _join([_noun(x, acts_o[x], love_o) for x in moves[other]])
        return f"{head}; {people.name(other)} answers with {answer}."
    words = rel.words.a_to_b if other == a else rel.words.b_to_a
    return f"{head}; {people.name(other)} says little ({words} words)."


def _shift(before: Sequence[Quote], after: Sequence[Quote]) -> str:
    def share(qs: Sequence[Quote]) -> float:
        return sum(1 for q in qs if q.act in PRESSURE) / len(qs) if qs else 0.0

    if not before or not after:
        return "steady"
    d = share(after) - share(before)
    return "presses" if d >= SHIFT_MIN else "yields" if d <= -SHIFT_MIN else "steady"


def _valence(qs: Sequence[Quote]) -> float | None:
    vs = [(q.emotion.vad[0] - 3.0) / 2.0 for q in qs if q.emotion is not None]
    return sum(vs) / len(vs) if vs else None


def _turn(story: Story, rel: Relationship, seq: Sequence[Quote], people: _People
          ) -> tuple[int | None, dict[str, str], str, str]:
    """The turning quotation, each one's shift after it, the feeling, and the sentence telling them."""
    tp = rel.turning_point
    k = next((i for i, q in enumerate(seq) if tp is not None and q.id == tp.quote), None)
    half = len(seq) // 2
    cut = k if k is not None else half
    before, after = seq[:cut], seq[cut:]
    shifts = {c: _shift([q for q in before if q.speaker == c], [q for q in after if q.speaker == c])
              for c in (rel.a, rel.b)}
    vb, va = _valence(before), _valence(after)
    feeling = "steady"
    if vb is not None and va is not None and abs(va - vb) >= FEELING_MIN:
        feeling = "darkens" if va < vb else "warms"
    if k is None or tp is None:
        return None, shifts, feeling, ""
    q = seq[k]
    said = snippet(story.text[q.spans[0][0]:q.spans[0][1]], 60).rstrip(".,;:")
    clauses = []
    for c in sorted((rel.a, rel.b), key=lambda c: c != tp.by):
        later = Counter(x.act for x in after if x.speaker == c and x.act in PRESSURE)
        if shifts[c] == "presses":
            how = "grows desperate" if later and {"refusal", "plea"} & set(later) else "hardens"
            kinds = [NOUNS[x] for x, _ in later.most_common(2)]
            clauses.append(f"{people.name(c)} {how}" + (f" ({_join(kinds)})" if kinds else ""))
        elif shifts[c] == "yields":
            clauses.append(f"{people.name(c)} softens")
    mood = {"darkens": "the mood darkens", "warms": "the mood warms", "steady": ""}[feeling]
    if mood:
        clauses.append(mood)
    tail = f": from there {_join(clauses)}" if clauses else ""
    return q.id, shifts, feeling, f"It turns at {possessive(people.name(tp.by))} “{said}”{tail}."


def _norm(s: str) -> str:
    return " ".join(WORD_RE.findall(s.lower()))


def _retelling(story: Story, rel: Relationship, exchanges: Sequence[Sequence[Quote]]
               ) -> tuple[str, int, int, str | None] | None:
    """``(narrator, narration words, their spoken words, first thought)`` when one of the pair narrates a
    section in which an exchange of theirs repeats an earlier one's lines (the same scene told again)."""
    sections, nonstory = story.sections, story.nonstory
    seen: set[str] = set()
    for i, ex in enumerate(exchanges):
        texts = [_norm(" ".join(story.text[s:e] for s, e in q.spans)) for q in ex]
        again = sum(1 for t in texts if t and t in seen)
        seen.update(t for t in texts if t)
        if i == 0 or again < 2 or again * 2 < len(ex):
            continue
        sec = next((s for s in sections if s.start <= ex[0].start < s.end), None)
        if sec is None or sec.narrator not in (rel.a, rel.b):
            continue
        inside = [q for q in story.quotes if sec.start <= q.start < sec.end]
        spoken = sum(_words(story.text[s:e]) for q in inside if q.speaker == sec.narrator for s, e in q.spans)
        quoted = sum(_words(story.text[s:e]) for q in inside for s, e in q.spans)
        blocked = [(n.start, n.end) for n in nonstory if n.start < sec.end and sec.start < n.end]
        narration = _words(story.text[sec.start:sec.end]) - quoted
        narration -= sum(_words(story.text[max(s, sec.start):min(e, sec.end)]) for s, e in blocked)
        return sec.narrator, max(0, narration), spoken, _first_thought(story, ex[0].start, sec.end, inside)
    return None


def _first_thought(story: Story, start: int, end: int, quotes: Sequence[Quote]) -> str | None:
    """The first paragraph after ``start`` (before ``end``) that holds no quotation and is story."""
    for p in story.paragraphs:
        if p.start <= start or p.start >= end:
            continue
        if any(q.start < p.end and p.start < q.end for q in quotes) or story.in_nonstory(p.start):
            continue
        body = story.text[p.start:p.end]
        if _words(body) >= 2:
            return snippet(body, 64)
    return None


def _ending(story: Story, rel: Relationship, seq: Sequence[Quote], people: _People,
            retold: tuple[str, int, int, str | None] | None) -> tuple[str | None, str | None, str]:
    by: str | None
    if rel.exit is not None:
        ending, by = rel.exit.action, rel.exit.character
        text = f"It ends when {people.name(by)} {ending}"
    elif seq:
        ending, by = "last word", seq[-1].speaker
        act = seq[-1].act
        text = f"{people.name(by or rel.a)} has the last word" if by else "It trails off"
        if act and act != "statement":
            text += f", with {'an' if act[0] in 'aeiou' else 'a'} {act}"
    else:
        return None, None, ""
    if retold is not None:
        who, unsaid, spoken, thought = retold
        text += (f"; the scene is then told again in {possessive(people.name(who))} own section, where "
                 f"{unsaid} words of narration around {people.poss(who)} {spoken} spoken ones show what "
                 f"{people.subj(who)} could not say")
        if thought:
            text += f": “{thought}”"
    return ending, by, text + "."


def narrate(story: Story, rel: Relationship, exchanges: Sequence[Sequence[Quote]],
            texts: Mapping[str, Mapping[str, Sequence[str]]], ask_for: Mapping[str, str | None]
            ) -> RelationshipNarrative:
    """Tell the pair's dynamics. ``exchanges`` are the pair's quotations cut into exchanges (text order),
    ``texts`` each one's quotation texts by act, ``ask_for`` what each one's requests and pleas ask for."""
    people = _People(story, rel)
    a, b = rel.a, rel.b
    moves = {c: _moves(rel.acts.get(c, {})) for c in (a, b)}
    da, db = _drive(rel.acts.get(a, {})), _drive(rel.acts.get(b, {}))
    driver = a if da >= DRIVE_RATIO * db and da > 0 else b if db >= DRIVE_RATIO * da and db > 0 else None
    seq = [q for ex in exchanges for q in ex]
    retold = _retelling(story, rel, exchanges)
    turn, shifts, feeling, turn_text = _turn(story, rel, seq, people)
    ending, ended_by, end_text = _ending(story, rel, seq, people, retold)
    sentences = [_opening(rel, people, driver, moves, ask_for, texts), turn_text, end_text]
    text = " ".join(s[:1].upper() + s[1:] for s in sentences if s)
    return RelationshipNarrative(
        text=text, driver=driver, moves=moves, ask_for=dict(ask_for), turn=turn,
        shifts=shifts, feeling=feeling, ending=ending, ended_by=ended_by,
        retold_by=retold[0] if retold else None, unsaid=retold[1] if retold else 0,
        spoken=retold[2] if retold else 0,
    )
