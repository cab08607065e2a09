"""Who says what to whom: speakers, addressees, quote types, confidences and named first-person narrators.

A sieve over each quotation, in order of reliability:

1. explicit tags next to the quotation (``"…," said Elizabeth``, ``Elizabeth said``, ``said she``, ``I whisper``),
   pronouns resolved to the right character (gender, the sentence subject nearest before, the conversation);
2. continuation: a second quotation in the same paragraph as an attributed one;
3. action beats: the subject of a narration sentence in the same paragraph (``He sighs. "…"``);
4. conversation turn-taking: the person addressed by the previous quotation answers, else the speaker two turns
   back (two- and multi-party), vocatives (``"…, Ikram."``) never being the speaker.

First-person narrators are then named from vocatives addressed to them by the other characters, self
introductions (``my name is …``), and, for a section with no such evidence, the other POV sections (the same lines
spoken by a named character there, or the interlocutor of the previous narrator). Confidences are per-rule
accuracies measured on PDNC (see ``models/attribution/MODEL_CARD.md``).
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass, field

from fabula.pipeline import Stage
from fabula.stages.characters import SPEECH_VERBS, _is_vocative, title_gender
from fabula.story import Character, Mention, Quote, QuoteType, Story

# Rule → (quote type, confidence). Confidences are rule accuracies measured on PDNC dev with gold quotes.
RULES: dict[str, tuple[QuoteType, float]] = {
    "tag_name": ("explicit", 0.95),
    "tag_narrator": ("anaphoric", 0.93),
    "tag_pronoun": ("anaphoric", 0.85),
    "tag_nominal": ("anaphoric", 0.75),
    "continuation": ("implicit", 0.85),
    "beat": ("implicit", 0.75),
    "vocative_reply": ("implicit", 0.7),
    "turn_taking": ("implicit", 0.6),
    "fallback": ("implicit", 0.35),
    "none": ("none", 0.0),
}

_WORD = re.compile(r"[A-Za-z][\w'’\-]*\.?|[.!?;:]")
_SUBJ_PRON = {"he": "m", "she": "f", "i": "narr", "they": "pl", "we": "pl"}
_POSS_PRON = {"his": "m", "her": "f", "my": "narr"}
_DETS = frozenset("the a an his her my their our your this that its one".split())
_SKIP_BETWEEN = frozenset(
    "had has have was then again now at last finally softly quietly only just still also once more".split()
)
_PERSON_NOUNS_M = frozenset(
    "man gentleman boy lad father son brother husband uncle king prince lord sir fellow master grandfather "
    "nephew duke count baron waiter landlord footman butler".split()
)
_PERSON_NOUNS_F = frozenset(
    "woman lady girl mother daughter sister wife aunt queen princess maid grandmother niece duchess "
    "countess baroness nurse governess landlady housekeeper".split()
)
_SENT_SPLIT = re.compile(r"(?<=[.!?…])[\"'”’]?\s+(?=[\"“‘']?[A-Z])")
_SELF_INTRO = re.compile(r"\b(?:[Mm]y name is|[Ii]'m called|[Cc]all me|I am|I'm|I’m)\s+((?:[A-Z][\w'’\-]+\s?){1,3})")
_FIRST_WORDS = re.compile(r"\b(?:I|me|my|mine|myself|My|Me|Myself)\b")
_THIRD_WORDS = re.compile(r"\b(?:he|him|his|she|her|hers|himself|herself)\b", re.IGNORECASE)
_WORDS = re.compile(r"\w+")


@dataclass(slots=True)
class _Ref:
    """A reference found in narration: a character id, a pronoun gender, the narrator, or a nominal phrase."""

    kind: str  # "name" | "pronoun" | "narrator" | "nominal" | "plural"
    pos: int
    cid: str | None = None
    gender: str | None = None
    phrase: str | None = None


@dataclass(slots=True)
class _Q:
    quote: Quote
    index: int
    para: int
    last_para: int
    section: int
    first_person: bool
    tag: _Ref | None = None
    beats_between: list[_Ref] = field(default_factory=list)
    beats_before: list[_Ref] = field(default_factory=list)
    beats_after: list[_Ref] = field(default_factory=list)
    vocatives: list[str] = field(default_factory=list)  # character ids addressed by name
    inner_names: list[str] = field(default_factory=list)  # characters named inside (not vocative)
    speaker: str | None = None
    rule: str = "none"
    epigraph: bool = False


class _Index:
    """Per-story lookups: paragraphs, quotations, name mentions, characters, sections."""

    def __init__(self, story: Story) -> None:
        self.story = story
        self.text = story.text
        self.paras = [(p.start, p.end) for p in story.paragraphs] or [(0, len(story.text))]
        self.pstarts = [a for a, _ in self.paras]
        outers = [(q.outer or (q.start, q.end)) for q in story.quotes]
        order = sorted(range(len(outers)), key=lambda i: outers[i])
        self.q_outer = [outers[i] for i in order]
        self.q_starts = [a for a, _ in self.q_outer]
        self.mentions = [m for m in story.mentions if m.kind == "name" and m.character]
        self.m_starts = [m.start for m in self.mentions]
        self.m_at = {m.start: m for m in self.mentions}
        self.chars = {c.id: c for c in story.characters}
        self.sections = story.sections

    def para_of(self, pos: int) -> int:
        return max(0, bisect.bisect_right(self.pstarts, pos) - 1)

    def in_quote(self, pos: int) -> bool:
        i = bisect.bisect_right(self.q_starts, pos) - 1
        return i >= 0 and pos < self.q_outer[i][1]

    def mentions_in(self, a: int, b: int) -> list[Mention]:
        i = bisect.bisect_left(self.m_starts, a)
        j = bisect.bisect_left(self.m_starts, b)
        return self.mentions[i:j]

    def section_of(self, pos: int) -> int:
        for k, s in enumerate(self.sections):
            if s.start <= pos < s.end:
                return k
        return -1


# ---------------------------------------------------------------------------------------------- local evidence


def _words(text: str, a: int, b: int) -> list[tuple[str, int, int]]:
    return [(m.group(), a + m.start(), a + m.end()) for m in _WORD.finditer(text[a:b])]


def _is_speech(w: str) -> bool:
    return w.lower().rstrip(".") in SPEECH_VERBS


def _subject(ix: _Index, toks: list[tuple[str, int, int]], k: int) -> tuple[_Ref | None, int]:
    """Parse a subject starting at token ``k``: a name mention, a pronoun, or a short noun phrase."""
    if k >= len(toks):
        return None, k
    w, a, _ = toks[k]
    m = ix.m_at.get(a)
    if m is not None:
        j = k + 1
        while j < len(toks) and toks[j][1] < m.end:
            j += 1
        return _Ref("name", a, cid=m.character), j
    wl = w.lower()
    if wl in _SUBJ_PRON:
        g = _SUBJ_PRON[wl]
        if g == "narr":
            return _Ref("narrator", a), k + 1
        if g == "pl":
            return _Ref("plural", a), k + 1
        return _Ref("pronoun", a, gender=g), k + 1
    if wl in _DETS and k + 1 < len(toks):
        j = k + 1
        words = [wl]
        while j < len(toks) and j <= k + 3 and toks[j][0][0].isalpha() and not _is_speech(toks[j][0]):
            words.append(toks[j][0].lower().rstrip("."))
            j += 1
        if len(words) >= 2:
            head = words[-1]
            g = "m" if head in _PERSON_NOUNS_M else "f" if head in _PERSON_NOUNS_F else None
            return _Ref("nominal", a, gender=g, phrase=" ".join(words)), j
    return None, k


def _tag_after(ix: _Index, a: int, b: int) -> _Ref | None:
    """``said Elizabeth`` / ``Elizabeth said`` / ``she asked`` / ``I whisper`` right after a quotation."""
    toks = _words(ix.text, a, min(b, a + 120))
    if not toks or toks[0][0] in ".!?;:":
        return None
    toks = toks[:10]
    # VERB SUBJ: said Elizabeth / cried her mother / said he
    if _is_speech(toks[0][0]):
        k = 1
        if k < len(toks) and toks[k][0].lower() in ("on", "out", "up"):
            k += 1
        if k < len(toks) and toks[k][0].lower().endswith("ly"):
            k += 1
        ref, _ = _subject(ix, toks, k)
        if ref is not None:
            return ref
    ref, k = _subject(ix, toks, 0)
    if ref is None:
        return None
    for _ in range(3):
        if k < len(toks) and (toks[k][0].lower() in _SKIP_BETWEEN or toks[k][0].lower().endswith("ly")):
            k += 1
    if k < len(toks) and _is_speech(toks[k][0]):
        return ref
    return None


def _tag_before(ix: _Index, a: int, b: int) -> _Ref | None:
    """``Elizabeth said:`` / ``he added sharply,`` in the last clause before a quotation."""
    chunk = ix.text[a:b]
    stripped = chunk.rstrip(" \n\t\"“‘'")
    if not stripped:
        return None
    sents = _SENT_SPLIT.split(stripped)
    last = sents[-1]
    off = a + len(stripped) - len(last)
    toks = _words(ix.text, off, off + len(last))
    if not toks:
        return None
    ends_intro = stripped[-1:] in ":,—–-"
    for k in range(len(toks)):
        if not _is_speech(toks[k][0]):
            continue
        # subject within three tokens before the verb
        for j in range(max(0, k - 4), k):
            ref, end = _subject(ix, toks, j)
            if ref is not None and end <= k and end >= k - 3:
                if ends_intro or k >= len(toks) - 4:
                    return ref
        break
    return None


def _sentence_subjects(ix: _Index, a: int, b: int) -> list[_Ref]:
    """Subjects of narration sentences in ``[a, b)``: a leading name, pronoun or possessive (``His eyes…``)."""
    out: list[_Ref] = []
    text = ix.text
    chunk = text[a:b]
    pos = 0
    for sent in _SENT_SPLIT.split(chunk):
        off = a + chunk.find(sent, pos)
        pos = off - a + len(sent)
        toks = _words(text, off, off + len(sent))
        toks = [t for t in toks if t[0] not in ".!?;:"]
        if not toks:
            continue
        k = 0
        while k < len(toks) - 1 and toks[k][0].lower().rstrip(",") in ("then", "and", "but", "so", "now", "still"):
            k += 1
        w = toks[k][0].lower()
        ref, _ = _subject(ix, toks, k)
        if ref is not None and ref.kind != "nominal":
            out.append(ref)
            continue
        if w in _POSS_PRON:
            g = _POSS_PRON[w]
            out.append(_Ref("narrator", toks[k][1]) if g == "narr" else _Ref("pronoun", toks[k][1], gender=g))
            continue
        # first name mention of the sentence within its first few words
        for t in toks[k + 1 : k + 4]:
            m = ix.m_at.get(t[1])
            if m is not None:
                out.append(_Ref("name", t[1], cid=m.character))
                break
    return out


# ---------------------------------------------------------------------------------------------- the stage


def _first_person_sections(ix: _Index) -> list[bool]:
    """Which sections are told in the first person, judged on narration outside quotations."""
    text = ix.text
    flags: list[bool] = []
    spans = sorted(ix.q_outer)
    for s in ix.sections:
        i = bisect.bisect_left([a for a, _ in spans], s.start)
        pos = s.start
        parts = []
        while i < len(spans) and spans[i][0] < s.end:
            parts.append(text[pos : spans[i][0]])
            pos = max(pos, spans[i][1])
            i += 1
        parts.append(text[pos : s.end])
        narr = " ".join(parts)
        first = len(_FIRST_WORDS.findall(narr))
        third = len(_THIRD_WORDS.findall(narr))
        words = max(1, len(_WORDS.findall(narr)))
        flags.append(s.person == "first" and first >= 0.01 * words and first >= 0.2 * third)
    # Sections too short to judge follow their neighbours.
    return flags


class _Attributor:
    def __init__(self, story: Story) -> None:
        self.story = story
        self.ix = _Index(story)
        self.text = story.text
        self.first = _first_person_sections(self.ix)
        self.narr_ids = [f"narrator{k}" if f else None for k, f in enumerate(self.first)]
        self.unnamed: dict[tuple[int, str], str] = {}
        self.new_chars: list[Character] = []
        self.extra_mentions: list[Mention] = []
        self.gender = {c.id: c.gender for c in story.characters}
        self.qs: list[_Q] = []

    # ------------------------------------------------------------------ evidence

    def collect(self) -> None:
        story, ix, text = self.story, self.ix, self.text
        epi = [(n.start, n.end) for n in story.nonstory if n.kind in ("epigraph", "author_note")]
        quotes = sorted(story.quotes, key=lambda q: q.start)
        for i, q in enumerate(quotes):
            o0, o1 = q.outer or (q.start, q.end)
            pi, pj = ix.para_of(q.start), ix.para_of(q.end - 1)
            sec = ix.section_of(q.start)
            fp = sec >= 0 and self.first[sec]
            x = _Q(q, i, pi, pj, sec, fp)
            x.epigraph = any(a <= q.start < b for a, b in epi)
            self.qs.append(x)
        for i, x in enumerate(self.qs):
            if x.epigraph:
                continue
            q = x.quote
            o0, o1 = q.outer or (q.start, q.end)
            p0 = ix.paras[x.para][0]
            p1 = ix.paras[x.last_para][1]
            prev_end = p0
            if i > 0 and self.qs[i - 1].last_para == x.para:
                prev_end = (self.qs[i - 1].quote.outer or (0, self.qs[i - 1].quote.end))[1]
            next_start = p1
            if i + 1 < len(self.qs) and self.qs[i + 1].para == x.last_para:
                nq = self.qs[i + 1].quote
                next_start = (nq.outer or (nq.start, 0))[0]
            # 1. tags: between sub-spans, after, before
            tag = None
            for (_, e1), (s2, _) in zip(q.spans, q.spans[1:], strict=False):
                gap_a, gap_b = self._after_mark(e1), self._before_mark(s2)
                tag = tag or _tag_after(ix, gap_a, gap_b) or _tag_before(ix, gap_a, gap_b)
                x.beats_between.extend(_sentence_subjects(ix, gap_a, gap_b))
            if tag is None and o1 < next_start:
                tag = _tag_after(ix, o1, next_start)
            if tag is None and prev_end < o0:
                tag = _tag_before(ix, prev_end, o0)
            x.tag = tag
            # 2. beats in the same paragraph
            if prev_end < o0:
                x.beats_before = _sentence_subjects(ix, prev_end, o0)
            if o1 < next_start:
                x.beats_after = _sentence_subjects(ix, o1, next_start)
            # 3. names inside the quotation
            for a, b in q.spans:
                for m in ix.mentions_in(a, b):
                    if m.character is None:
                        continue
                    if _is_vocative(text, m.start, m.end, a, b):
                        x.vocatives.append(m.character)
                    else:
                        x.inner_names.append(m.character)

    def _after_mark(self, pos: int) -> int:
        while pos < len(self.text) and self.text[pos] in "\"”’'»":
            pos += 1
        return pos

    def _before_mark(self, pos: int) -> int:
        while pos > 0 and self.text[pos - 1] in "\"“‘'«":
            pos -= 1
        return pos

    # ------------------------------------------------------------------ resolution

    def _unnamed(self, x: _Q, gender: str | None, phrase: str | None) -> str:
        key_scope = x.section
        label = phrase or ("he" if gender == "m" else "she" if gender == "f" else "someone")
        key = (key_scope, label)
        cid = self.unnamed.get(key)
        if cid is None:
            cid = f"u{len(self.unnamed)}"
            self.unnamed[key] = cid
            self.new_chars.append(Character(id=cid, name=label, aliases=[label], gender=gender))
            self.gender[cid] = gender
        return cid

    def _gender_ok(self, cid: str, gender: str | None) -> bool:
        g = self.gender.get(cid)
        return gender is None or g is None or g == gender

    def _participants(self, i: int, window: int = 8) -> list[str]:
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

    def _resolve_pronoun(self, i: int, ref: _Ref) -> str | None:
        """The character a narration ``he``/``she`` at ``ref.pos`` refers to."""
        x = self.qs[i]
        ix = self.ix
        narr = self.narr_ids[x.section] if x.section >= 0 else None
        excluded = set(x.vocatives)
        if narr:
            excluded.add(narr)
        g = ref.gender
        # same paragraph, narration mentions before the pronoun: sentence subjects first, then nearest
        p0 = ix.paras[x.para][0]
        cands: list[str] = []
        strict: list[str] = []
        for m in reversed(ix.mentions_in(p0, ref.pos)):
            if ix.in_quote(m.start) or m.character is None or m.character in excluded:
                continue
            if self.gender.get(m.character) == g:
                strict.append(m.character)
            elif self._gender_ok(m.character, g):
                cands.append(m.character)
        if strict:
            return strict[0]
        # conversation participants
        parts = [c for c in self._participants(i) if c not in excluded]
        gparts = [c for c in parts if self.gender.get(c) == g]
        prev = self.qs[i - 1].speaker if i > 0 else None
        if len(gparts) == 1:
            return gparts[0]
        if len(gparts) > 1:
            # alternation: not the previous speaker when this is a new paragraph
            if prev in gparts and self.qs[i - 1].last_para < x.para:
                gparts.remove(prev)
            return gparts[0]
        if cands:
            return cands[0]
        # earlier paragraphs (up to 6), narration mentions, most recent first
        start = ix.paras[max(0, x.para - 6)][0]
        for m in reversed(ix.mentions_in(start, p0)):
            if m.character in excluded or m.character is None:
                continue
            if self.gender.get(m.character) == g and not ix.in_quote(m.start):
                return m.character
        # anywhere recent, including names inside quotations, and other sections' narrators
        start = max(0, ref.pos - 20000)
        for m in reversed(ix.mentions_in(start, p0)):
            if m.character in excluded or m.character is None:
                continue
            if self.gender.get(m.character) == g:
                return m.character
        return None

    def _resolve_ref(self, i: int, ref: _Ref) -> tuple[str | None, str]:
        x = self.qs[i]
        if ref.kind == "name":
            return ref.cid, "tag_name"
        if ref.kind == "narrator":
            narr = self.narr_ids[x.section] if x.section >= 0 else None
            if narr:
                return narr, "tag_narrator"
            return None, "none"
        if ref.kind == "pronoun":
            cid = self._resolve_pronoun(i, ref)
            if cid is None:
                cid = self._unnamed(x, ref.gender, None)
            return cid, "tag_pronoun"
        if ref.kind == "nominal" and ref.phrase:
            head = ref.phrase.split(" ", 1)[1] if " " in ref.phrase else ref.phrase
            for c in self.story.characters:
                if head == c.name.lower() or head in (a.lower() for a in c.aliases):
                    return c.id, "tag_nominal"
            if ref.phrase.split()[0] in ("his", "her", "their", "my"):
                # "her mother": a relative of someone; an unnamed character of its own
                return self._unnamed(x, ref.gender, ref.phrase), "tag_nominal"
            return self._unnamed(x, ref.gender, ref.phrase), "tag_nominal"
        return None, "none"

    def _beat(self, i: int) -> str | None:
        x = self.qs[i]
        for refs in (x.beats_between, list(reversed(x.beats_before)), x.beats_after[:1]):
            for ref in refs:
                if ref.kind == "plural":
                    continue
                cid, _ = self._resolve_ref(i, ref)
                if cid and cid not in x.vocatives:
                    return cid
        return None

    def attribute(self) -> None:
        for i, x in enumerate(self.qs):
            if x.epigraph:
                continue
            prev = self.qs[i - 1] if i > 0 else None
            same_conv = prev is not None and x.para - prev.last_para <= 2 and prev.section == x.section
            if x.tag is not None and x.tag.kind != "plural":
                cid, rule = self._resolve_ref(i, x.tag)
                if cid is not None:
                    self._set(x, cid, rule)
                    continue
            if prev is not None and prev.last_para == x.para and prev.speaker and not prev.epigraph:
                if prev.speaker not in x.vocatives:
                    self._set(x, prev.speaker, "continuation")
                    continue
            cid = self._beat(i)
            if cid is not None:
                self._set(x, cid, "beat")
                continue
            if same_conv and prev is not None:
                # the person addressed by the previous turn answers
                voc = [v for v in prev.vocatives if v != prev.speaker and v not in x.vocatives]
                if voc:
                    self._set(x, voc[0], "vocative_reply")
                    continue
                parts = [c for c in self._participants(i) if c not in x.vocatives]
                if prev.speaker in parts and len(parts) >= 2:
                    parts.remove(prev.speaker)
                    # two turns back, if it is not the previous speaker
                    two = self.qs[i - 2].speaker if i >= 2 else None
                    pick = two if two in parts else parts[0]
                    self._set(x, pick, "turn_taking")
                    continue
                narr = self.narr_ids[x.section] if x.section >= 0 else None
                if narr and prev.speaker != narr and narr not in x.vocatives:
                    self._set(x, narr, "turn_taking")
                    continue
            cid = self._fallback(i)
            if cid is not None:
                self._set(x, cid, "fallback")

    def backfill(self) -> None:
        """Quotations still without a speaker inside a conversation: the person the next turn answers."""
        for i in range(len(self.qs) - 1, -1, -1):
            x = self.qs[i]
            if x.epigraph or x.speaker is not None:
                continue
            nxt = self.qs[i + 1] if i + 1 < len(self.qs) else None
            if nxt is None or nxt.section != x.section or nxt.para - x.last_para > 2 or nxt.speaker is None:
                continue
            after = self._neighbour(i + 1, +1)
            cands = [c for c in (after, *nxt.quote.addressees) if c and c != nxt.speaker and c not in x.vocatives]
            if not cands:
                cands = [c for c in self._others(i) if c != nxt.speaker and c not in x.vocatives]
            if cands:
                self._set(x, cands[0], "turn_taking")

    def _others(self, i: int) -> list[str]:
        x = self.qs[i]
        out: list[str] = []
        for y in self.qs[i + 1 : i + 8]:
            if y.section != x.section:
                break
            if y.speaker and y.speaker not in out:
                out.append(y.speaker)
        return out

    def _fallback(self, i: int) -> str | None:
        """The nearest narration mention before the quotation that is not the previous speaker or addressed."""
        x = self.qs[i]
        ix = self.ix
        prev = self.qs[i - 1].speaker if i > 0 else None
        start = ix.paras[max(0, x.para - 3)][0]
        excluded = set(x.vocatives) | {prev}
        for m in reversed(ix.mentions_in(start, x.quote.start)):
            if m.character not in excluded and not ix.in_quote(m.start):
                return m.character
        narr = self.narr_ids[x.section] if x.section >= 0 else None
        if narr and narr not in excluded:
            return narr
        if x.para > 0:
            for m in ix.mentions_in(x.quote.end, ix.paras[min(len(ix.paras) - 1, x.last_para + 1)][1]):
                if m.character not in excluded and not ix.in_quote(m.start):
                    return m.character
        return None

    def _set(self, x: _Q, cid: str, rule: str) -> None:
        x.speaker = cid
        x.rule = rule

    # ------------------------------------------------------------------ addressees

    def addressees(self) -> None:
        for i, x in enumerate(self.qs):
            if x.epigraph or x.speaker is None:
                continue
            out = [v for v in dict.fromkeys(x.vocatives) if v != x.speaker]
            if not out:
                nxt = self._neighbour(i, +1)
                prv = self._neighbour(i, -1)
                for c in (prv, nxt):
                    if c and c != x.speaker and c not in out:
                        out.append(c)
                        break
            x.quote.addressees = out

    def _neighbour(self, i: int, step: int) -> str | None:
        x = self.qs[i]
        j = i + step
        while 0 <= j < len(self.qs):
            y = self.qs[j]
            if y.section != x.section or abs(y.para - x.para) > 3 + abs(j - i):
                return None
            if y.speaker and y.speaker != x.speaker:
                return y.speaker
            j += step
        return None

    # ------------------------------------------------------------------ narrators

    def name_narrators(self) -> dict[str, str]:
        """Map each section's narrator placeholder to a named character (or an unnamed narrator)."""
        ix, text = self.ix, self.text
        mapping: dict[str, str] = {}
        by_section: dict[int, list[_Q]] = {}
        for x in self.qs:
            by_section.setdefault(x.section, []).append(x)
        prev_named: str | None = None
        prev_sec_qs: list[_Q] = []
        for k, sec in enumerate(ix.sections):
            placeholder = self.narr_ids[k]
            if placeholder is None:
                continue
            qs = by_section.get(k, [])
            narration_names: Counter[str] = Counter()
            for m in ix.mentions_in(sec.start, sec.end):
                if m.character and not ix.in_quote(m.start):
                    narration_names[m.character] += 1
            votes: Counter[str] = Counter()
            for x in qs:
                if x.speaker is None or x.speaker == placeholder:
                    continue
                for v in x.vocatives:
                    if v != x.speaker:
                        votes[v] += 1
            for m in _SELF_INTRO.finditer(text, sec.start, sec.end):
                for mm in ix.mentions_in(m.start(1), m.end(1)):
                    if mm.character and (ix.in_quote(m.start()) or True):
                        votes[mm.character] += 2
            best = None
            for cid, v in votes.most_common():
                if narration_names[cid] <= max(1, v // 3):
                    best = cid
                    break
            if best is None:
                best = self._from_other_sections(k, qs, prev_named, prev_sec_qs)
            if best is None:
                best = prev_named
            if best is not None:
                mapping[placeholder] = best
                prev_named = best
            prev_sec_qs = qs
        return mapping

    def _from_other_sections(
        self, k: int, qs: list[_Q], prev_named: str | None, prev_qs: list[_Q]
    ) -> str | None:
        """Same lines spoken by a named character in another section; or the previous narrator's interlocutor when
        this section's he/she speakers resolve to that narrator."""
        placeholder = self.narr_ids[k]
        mine = {self._norm(x.quote): x for x in qs if x.speaker == placeholder}
        votes: Counter[str] = Counter()
        for y in self.qs:
            if y.section == k or y.speaker is None or y.speaker.startswith("narrator"):
                continue
            if self._norm(y.quote) in mine:
                votes[y.speaker] += 1
        if votes:
            return votes.most_common(1)[0][0]
        if prev_named is not None and any(x.speaker == prev_named for x in qs):
            others = Counter(y.speaker for y in prev_qs if y.speaker and y.speaker != prev_named)
            named = [c for c, _ in others.most_common() if not c.startswith(("narrator", "u"))]
            if named:
                return named[0]
        return None

    def _norm(self, q: Quote) -> str:
        return " ".join(w.lower() for a, b in q.spans for w in _WORDS.findall(self.text[a:b]))[:200]

    # ------------------------------------------------------------------ output

    def finish(self) -> None:
        story = self.story
        mapping = self.name_narrators()
        # Narrators left unnamed become characters of their own (one per run of sections).
        for k, ph in enumerate(self.narr_ids):
            if ph is None or ph in mapping:
                continue
            cid = f"narrator{k}"
            mapping[ph] = cid
            self.new_chars.append(Character(id=cid, name="the narrator", aliases=["I"], narrator=True))
        story.characters.extend(self.new_chars)
        chars = {c.id: c for c in story.characters}
        for k, ph in enumerate(self.narr_ids):
            if ph is not None:
                story.sections[k].narrator = mapping[ph]
                chars[mapping[ph]].narrator = True
        for x in self.qs:
            if x.speaker in mapping:
                x.speaker = mapping[x.speaker]
            # A speaker never addresses themselves: with the narrator named, fix "…, Ikram." said by Ikram.
            if x.speaker is not None and x.speaker in x.vocatives:
                alt = [c for c in self._participants(x.index) if c != x.speaker and c not in x.vocatives]
                if alt:
                    x.speaker, x.rule = alt[0], "turn_taking"
        self.addressees()
        counts: Counter[str] = Counter()
        for x in self.qs:
            q = x.quote
            q.addressees = [mapping.get(a, a) for a in q.addressees if mapping.get(a, a) != x.speaker]
            if x.epigraph or x.speaker is None:
                q.speaker, q.type, q.confidence = None, "none", 0.9 if x.epigraph else 0.0
                continue
            q.speaker = x.speaker
            qtype, conf = RULES[x.rule]
            q.type, q.confidence = qtype, conf
            counts[x.speaker] += 1
            if x.tag is not None and x.rule.startswith("tag"):
                kind = {"name": "name", "pronoun": "pronoun", "narrator": "narrator"}.get(x.tag.kind, "nominal")
                if kind != "name":
                    end = x.tag.pos + len(_WORD.match(self.text, x.tag.pos).group() if _WORD.match(self.text, x.tag.pos) else "")
                    self.extra_mentions.append(Mention(x.tag.pos, end, x.speaker, kind))  # type: ignore[arg-type]
        for c in story.characters:
            c.quotes = counts.get(c.id, 0)
            if c.narrator and c.gender is None:
                c.gender = self._narrator_gender(c.id)
        story.mentions = sorted([*story.mentions, *self.extra_mentions], key=lambda m: (m.start, m.end))

    def _narrator_gender(self, cid: str) -> str | None:
        """A narrator's gender from how others address them (girl, boy, sir, madam) and self-descriptions."""
        votes: Counter[str] = Counter()
        for x in self.qs:
            if x.speaker == cid or x.speaker is None:
                continue
            for a, b in x.quote.spans:
                s = self.text[a:b].lower()
                votes["f"] += len(re.findall(r"\b(?:girl|madam|ma'am|miss|lady|sister|darling girl)\b[,.!?]", s))
                votes["m"] += len(re.findall(r"\b(?:boy|sir|man|lad|son|mister|brother)\b[,.!?]", s))
        if votes["f"] > votes["m"]:
            return "f"
        if votes["m"] > votes["f"]:
            return "m"
        return None


def run(story: Story) -> None:
    att = _Attributor(story)
    att.collect()
    att.attribute()
    if any(att.narr_ids):
        # Second pass with the narrators named, so that vocatives addressed to them exclude them as speakers.
        mapping = att.name_narrators()
        att.narr_ids = [mapping.get(n, n) if n else None for n in att.narr_ids]
        for x in att.qs:
            x.speaker, x.rule = None, "none"
        att.attribute()
    att.backfill()
    att.finish()


STAGE = Stage(
    name="attribution",
    func=run,
    requires=("characters",),
    provides=("speakers", "addressees", "narrators"),
)

__all__ = ["RULES", "STAGE", "run", "title_gender"]
