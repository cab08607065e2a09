"""Who says what to whom: speakers, addressees, quote types, confidences and named first-person narrators.

A sieve over each quotation, in order of reliability:

1. explicit tags next to the quotation (``"…," said Elizabeth``, ``Elizabeth said``, ``said she``, ``I whisper``),
   and introductions whose subject stands further off (``Her partner drew near, and said,``, ``he stopped her by
   saying,``, ``Anne, who …, exclaimed,``, ``heard him say``, ``thus spoke Mary:``, ``"…," was Mrs. Allen's
   reply``); pronouns resolved to the right character (gender, the sentence subject nearest before, the
   conversation); a speaker known only as "she" is named by the narration's description ("the old woman");
2. continuation: a second quotation in the same paragraph as an attributed one;
3. action beats: the subject of a narration sentence in the same paragraph (``He sighs. "…"``);
4. conversation turn-taking: the person addressed by the previous quotation answers, else the speaker two turns
   back (two- and multi-party), vocatives (``"…, Ikram."``) never being the speaker.

First-person narrators are then named from vocatives addressed to them by the other characters, self
introductions (``my name is …``), and, for a section with no such evidence, the other POV sections (the same lines
spoken by a named character there, or the interlocutor of the previous narrator).

On top of the rules, a small learned ranker (a conditional logit, JSON weights in ``models/attribution``, trained
by ``python -m fabula.training.attribution`` on PDNC) re-scores the candidates of every quotation whose speaker
came from turn-taking or a pronoun; named tags and action beats stand. ``quote.confidence`` is the ranker's
calibrated probability, or, without the ranker, the rule's accuracy measured on PDNC (``RULES``).
"""

from __future__ import annotations

import bisect
import functools
import itertools
import json
import logging
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import numpy as np

from fabula.pipeline import Stage
from fabula.stages.characters import _APOS_S, SPEECH_VERBS, TITLES, _is_vocative, title_gender
from fabula.stages.segment import is_abbrev
from fabula.story import Character, Mention, Quote, QuoteType, Story

log = logging.getLogger(__name__)

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
    "turn_taking": ("implicit", 0.58),
    "fallback": ("implicit", 0.4),
    "none": ("none", 0.0),
}

_WORD = re.compile(r"[A-Za-z][\w'’\-]*\.?|[.!?;:,—]")
_NP_STOP = frozenset(
    """as when while and with in to at on of for from by who which that whom whose but or then so if after before
    because though although into upon,""".split()
) | {",", ".", ";", ":", "!", "?", "—"}
_PREP_BEFORE = re.compile(
    r"\b(?:to|at|with|from|of|for|by|on|upon|towards|toward|into|about|than|like|whom|and)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_LISTENER = re.compile(r"\b(?:to|at|towards|toward)\s+$", re.IGNORECASE)
_ANY_PERSON = frozenset("i me my myself he him his himself she her hers herself".split())
_FAMILY = {"mother": ("f", "mrs"), "father": ("m", "mr"), "wife": ("f", "mrs"), "husband": ("m", "mr")}
_SUBJ_PRON = {"he": "m", "she": "f", "i": "narr", "they": "pl", "we": "pl"}
_POSS_PRON = {"his": "m", "her": "f", "my": "narr"}
_DETS = frozenset("the a an his her my their our your this that its one".split())
_SKIP_BETWEEN = frozenset(
    "had has have was then again now at last finally softly quietly only just still also once more thus aloud "
    "presently".split()
)
_PERSON_NOUNS_M = frozenset(
    "man gentleman boy lad father son brother husband uncle king prince lord sir fellow master grandfather "
    "nephew duke count baron waiter landlord footman butler policeman mariner barman cabman coachman driver "
    "porter sailor soldier clerk constable postman shopman gardener groom bridegroom priest vicar curate rector "
    "monk abbot emperor general colonel captain major officer inspector detective doctor steward boatman "
    "fisherman farmer shepherd innkeeper landlord gentleman chap".split()
)
_PERSON_NOUNS_F = frozenset(
    "woman lady girl mother daughter sister wife aunt queen princess maid grandmother niece duchess "
    "countess baroness nurse governess landlady housekeeper maid parlourmaid housemaid widow actress "
    "waitress nun abbess empress bride hostess mistress".split()
)
_MALE_VOCATIVES = frozenset(
    "sir sirs gentlemen mister lad boy sonny son monsieur signor señor squire".split()
)
_GENDERED_VOCATIVE = re.compile(
    r"(?:^|[,;!?.—]\s*|\b(?:my|dear|my dear|oh|o|good|young)\s+)"
    r"(sir|madam|madame|ma'am|mam|miss|mademoiselle|lady|mistress|sir|gentlemen|lad|boy|girl|sonny|son|"
    r"monsieur|signor|signora|señor|señora|squire)(?=\s*[,.!?;—]|\s*$)",
    re.IGNORECASE,
)
#: Relatives: "the mother" is someone's mother, no description of a stranger.
_KIN = frozenset("mother father wife husband son daughter brother sister uncle aunt nephew niece grandfather "
                 "grandmother bride bridegroom widow".split())
#: An indefinite or definite description: "a tall girl", "the old man".
_DESCRIPTION = re.compile(r"\b(?:[Aa]n?|[Tt]he)\s+(?=((?:[a-z]+\s+){0,3}[a-z]+)\b)")
_GENERIC_NOUNS = frozenset(
    """man woman gentleman lady boy girl lad fellow child youth person stranger voice other former latter one
    visitor figure speaker companion friend creature first second last elder younger eldest youngest pair two
    others rest party guest host hostess newcomer chap father mother son daughter brother sister husband wife
    uncle aunt nephew niece grandfather grandmother cousin master mistress""".split()
)
# a sentence break candidate; not after an abbreviation ("Mrs. Archer murmured:"), see ``_sentences``
_SENT_BREAK = re.compile(r"(?<=[.!?…])[\"'”’]?\s+(?=[\"“‘']?[A-Z])")
_SELF_INTRO = re.compile(
    r"\b(?:[Mm]y name is|[Ii]'m called|[Cc]all me|I am|I'm|I’m)\s+((?:[A-Z][\w'’\-]+\s?){1,3})"
)
_FIRST_WORDS = re.compile(r"\b(?:I|me|my|mine|myself|My|Me|Myself)\b")
_THIRD_WORDS = re.compile(r"\b(?:he|him|his|she|her|hers|himself|herself)\b", re.IGNORECASE)
_WORDS = re.compile(r"\w+")


# How a character known only by a pronoun is shown ("he" speaks: "the unnamed man").
_UNNAMED = {"he": "the unnamed man", "she": "the unnamed woman", "someone": "someone unnamed"}


@dataclass(slots=True)
class _Ref:
    """A reference found in narration: a character id, a pronoun gender, the narrator, or a nominal phrase."""

    kind: str  # "name" | "pronoun" | "narrator" | "nominal" | "plural"
    pos: int
    cid: str | None = None
    gender: str | None = None
    phrase: str | None = None
    weak: bool = False  # a possessive ("His hands fall") or an object ("The words choke me")


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
    listeners: list[str] = field(default_factory=list)  # "said he to Catherine", "turned to his sister"
    prev_subject: _Ref | None = None  # subject of the narration paragraph just before
    next_subject: _Ref | None = None  # subject of the first sentence of the paragraph after, when narration
    addr_gender: str | None = None  # "sir" / "madam" said in the quotation
    speaker: str | None = None
    rule: str = "none"
    epigraph: bool = False
    learned_confidence: float | None = None


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
    out = []
    for m in _WORD.finditer(text, a, b):
        w = m.group()
        out.append((w[:-1] if len(w) > 1 and w.endswith(".") else w, m.start(), m.end()))
    return out


_NON_PERSON = re.compile(r"(?:ion|ment|ness|ity|ship|ance|ence|ing|ure|ism)$")
_PERSON_SUFFIX = re.compile(r"(?:er|or|ist|man|men|ess|ian|ant|ent|ee|ard|ier|eer|ite|ic)$")


def _personish(head: str) -> bool:
    """Whether a description's head noun can name a person (``croupier``, ``mariner``, ``chairman``), not a thing
    or an abstraction (``cross-examination``, ``circumstance``)."""
    if head in _PERSON_NOUNS_M or head in _PERSON_NOUNS_F or head in TITLES:
        return True
    return not _NON_PERSON.search(head) and bool(_PERSON_SUFFIX.search(head))


def _sentences(text: str) -> list[str]:
    """``text`` cut into sentences (the break's marks and spaces dropped), never after an abbreviation, with the
    same rule as the segment stage."""
    out: list[str] = []
    start = 0
    for m in _SENT_BREAK.finditer(text):
        if text[m.start() - 1] == "." and is_abbrev(text, m.start() - 1):
            continue
        out.append(text[start : m.start()])
        start = m.end()
    out.append(text[start:])
    return out


def _pronoun_ref(g: str, pos: int, weak: bool = False) -> _Ref:
    """The reference a pronoun of gender ``g`` ("m", "f", or "narr" for I/me/my) makes at ``pos``."""
    return _Ref("narrator", pos, weak=weak) if g == "narr" else _Ref("pronoun", pos, gender=g, weak=weak)


def _after_possessor(toks: list[tuple[str, int, int]], end: int) -> int | None:
    """Where the words after a possessor ending before token ``end`` start ("Mrs. Allen's reply", or "Mrs. Allen s
    reply" with the apostrophe lost in the source), or None when it is no possessor."""
    if _APOS_S.search(toks[end - 1][0]):
        return end
    if end < len(toks) and toks[end][0] == "s":
        return end + 1
    return None


def _noun_gender(head: str) -> str | None:
    return "m" if head in _PERSON_NOUNS_M else "f" if head in _PERSON_NOUNS_F else None


def _is_speech(w: str) -> bool:
    return w.lower().rstrip(".") in SPEECH_VERBS


def _is_speech_ing(w: str) -> bool:
    """A speech verb's -ing form (``saying``, ``adding``, ``continuing``, ``beginning``)."""
    w = w.lower()
    if len(w) < 6 or not w.endswith("ing"):
        return False
    s = w[:-3]
    return s in SPEECH_VERBS or s + "e" in SPEECH_VERBS or (s[-1] == s[-2] and s[:-1] in SPEECH_VERBS)


#: Verbs of hearing: in "Archer heard Reggie say", the one heard speaks.
_PERCEIVE = frozenset("heard hear hears overheard overhear".split())
_OBJ_PRON = {"him": "m", "her": "f", "me": "narr"}
#: Tokens after which a new clause (and so a new subject) may start.
_CLAUSE_START = frozenset([",", ";", "—", "and", "but", "then", "so", "when", "while", "as", "till", "until"])


def _heard(ix: _Index, toks: list[tuple[str, int, int]], j: int, k: int) -> _Ref | None:
    """The speaker in ``heard <j…> <speech verb at k>``: the object of the verb of hearing (a name, a
    description, or him/her/me)."""
    if j < 1 or toks[j - 1][0].lower() not in _PERCEIVE:
        return None
    w, a, _ = toks[j]
    g = _OBJ_PRON.get(w.lower())
    if g is not None:
        return _pronoun_ref(g, a) if j + 1 == k else None
    ref, end = _subject(ix, toks, j)
    return ref if ref is not None and end == k else None


def _clause_subject(ix: _Index, toks: list[tuple[str, int, int]], k: int) -> _Ref | None:
    """The subject of the clause that ends in the speech verb at ``k`` (``Her partner now drew near, and said,``;
    ``he prevented her by saying,``): the nearest name, pronoun or person description before it that starts a
    clause, at most 20 words back."""
    for j in range(k - 1, max(-1, k - 21), -1):
        if j and toks[j - 1][0].lower() not in _CLAUSE_START:
            continue
        if toks[j][0].lower() == "who" and j >= 2 and toks[j - 1][0] == ",":
            # "Mary, who, on having occasion to …, exclaimed,"
            for s in range(max(0, j - 6), j - 1):
                ref, end = _subject(ix, toks, s)
                if ref is not None and end == j - 1 and ref.kind == "name":
                    return ref
            continue
        ref, end = _subject(ix, toks, j)
        if ref is None or ref.kind == "plural":
            continue
        if end < len(toks) and _after_possessor(toks, end) is not None:
            continue  # a possessor: "Laurentina's skeleton"
        if ref.kind == "nominal":
            # before its verb, the description may have swallowed it: "her sister kissed" is "her sister"
            words = (ref.phrase or "").split()
            n = next(
                (n for n in range(len(words), 1, -1) if _personish(words[n - 1]) or words[n - 1] in _GENERIC_NOUNS),
                0,
            )
            if not n:
                continue
            return _Ref("nominal", ref.pos, gender=_noun_gender(words[n - 1]), phrase=" ".join(words[:n]))
        return ref
    return None


def _a_person(ref: _Ref) -> bool:
    """Whether a parsed subject can be a speaker: any name or pronoun, a description only with a person noun."""
    return ref.kind != "nominal" or _personish((ref.phrase or "").split()[-1])


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
    if wl in ("the", "a") and k + 1 < len(toks) and toks[k + 1][1] in ix.m_at:
        # "said the General": a role name the characters stage knows
        return _subject(ix, toks, k + 1)
    if wl in _DETS and k + 1 < len(toks):
        j = k + 1
        words = [wl]
        while (
            j < len(toks)
            and j <= k + 3
            and toks[j][0][0].isalpha()
            and toks[j][0].lower() not in _NP_STOP
            and toks[j][0].lower() not in _DETS
            and toks[j][0].lower() not in ("s", "'s", "’s")
            and not toks[j][0].lower().endswith("ly")
            and not _is_speech(toks[j][0])
        ):
            words.append(toks[j][0].lower().rstrip("."))
            j += 1
        if len(words) >= 2:
            head = words[-1]
            ng = _noun_gender(head)
            # "the man with the black beard", "a lady in the group", "the elder of the two gentlemen": a definite
            # modifier makes the description a character of its own
            if (
                j + 2 < len(toks)
                and toks[j][0].lower() in ("with", "in", "of")
                and toks[j + 1][0].lower() == "the"
                and toks[j + 2][1] - toks[j][2] < 8
            ):
                ext = [toks[j][0].lower(), "the"]
                m2 = j + 2
                while m2 < len(toks) and m2 <= j + 4 and toks[m2][0][0].isalpha():
                    w2 = toks[m2][0].lower().rstrip(".")
                    if (
                        w2 in _NP_STOP
                        or w2 in _DETS
                        or w2 in _SKIP_BETWEEN
                        or _is_speech(w2)
                        or w2.endswith("ly")
                    ):
                        break
                    ext.append(w2)
                    m2 += 1
                if len(ext) > 2:
                    return _Ref("nominal", a, gender=ng, phrase=" ".join([*words, *ext])), m2
            return _Ref("nominal", a, gender=ng, phrase=" ".join(words)), j
    return None, k


def _tag_after(ix: _Index, a: int, b: int) -> _Ref | None:
    """``said Elizabeth`` / ``Elizabeth said`` / ``she asked`` / ``I whisper`` right after a quotation."""
    toks = _words(ix.text, a, min(b, a + 120))
    while toks and toks[0][0] in ",—":
        toks = toks[1:]
    if not toks or toks[0][0] in ".!?;:":
        return None
    toks = toks[:10]
    if toks[0][0].lower() in ("was", "were"):
        return _possessed_speech(ix, toks)
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
    if k + 2 < len(toks) and toks[k][0].lower() in _PERCEIVE:
        # '"…," Archer heard Reggie Chivers say'
        for v in range(k + 2, min(k + 5, len(toks))):
            if _is_speech(toks[v][0]) or _is_speech_ing(toks[v][0]):
                return _heard(ix, toks, k + 1, v)
    for _ in range(3):
        if k < len(toks) and (toks[k][0].lower() in _SKIP_BETWEEN or toks[k][0].lower().endswith("ly")):
            k += 1
    if k < len(toks) and _is_speech(toks[k][0]):
        return ref
    return None


#: Nouns of speech: '"…," was Mrs. Allen's reply'.
_SPEECH_NOUNS = frozenset(
    """reply answer rejoinder response remark exclamation observation retort comment language speech words cry
    salutation greeting question inquiry enquiry explanation advice""".split()
)


def _possessed_speech(ix: _Index, toks: list[tuple[str, int, int]]) -> _Ref | None:
    """The speaker in ``was Mrs. Allen's reply`` / ``was his short, full answer`` (``toks`` start at "was")."""
    k = 2 if len(toks) > 2 and toks[1][0].lower() == "the" else 1
    if k >= len(toks):
        return None
    w, a, _ = toks[k]
    g = _POSS_PRON.get(w.lower())
    ref: _Ref | None
    if g is not None:
        ref, k = _pronoun_ref(g, a), k + 1
    else:
        ref, end = _subject(ix, toks, k)
        after = _after_possessor(toks, end) if ref is not None and ref.kind == "name" else None
        if after is None:
            return None
        k = after
    for j in range(k, min(k + 4, len(toks))):
        if toks[j][0].lower() in _SPEECH_NOUNS:
            return ref
        if not toks[j][0][0].isalpha() and toks[j][0] != ",":
            return None
    return None


def _tag_before(ix: _Index, a: int, b: int) -> _Ref | None:
    """``Elizabeth said:`` / ``he added sharply,`` in the last clause before a quotation."""
    chunk = ix.text[a:b]
    stripped = chunk.rstrip(" \n\t\"“‘'")
    if not stripped:
        return None
    sents = _sentences(stripped)
    last = sents[-1]
    off = a + len(stripped) - len(last)
    toks = _words(ix.text, off, off + len(last))
    if not toks:
        return None
    ends_intro = stripped[-1:] in ":,—–-"
    # the speech verb nearest the quotation first: '…," said Mrs. Hale; and Mrs. Hill murmured: "…"'
    for k in reversed(range(len(toks))):
        ing = ends_intro and k >= len(toks) - 2 and _is_speech_ing(toks[k][0])
        if not ing and not _is_speech(toks[k][0]):
            continue
        if k and toks[k - 1][0].lower() in _DETS:
            continue  # a noun: "evoked the answer:"
        for j in range(max(0, k - 4), k):
            heard = _heard(ix, toks, j, k)
            if heard is not None:
                return heard
        # subject right before the verb, only adverbs or auxiliaries between
        for j in range(max(0, k - 4), k):
            ref, end = _subject(ix, toks, j)
            if (
                ref is not None
                and end <= k
                and all(t[0].lower() in _SKIP_BETWEEN or t[0].lower().endswith("ly") for t in toks[end:k])
                and (ends_intro or k >= len(toks) - 4)
            ):
                return ref
        # inverted: "thus spoke Mary:"
        if ends_intro and k + 1 < len(toks) - 1:
            ref, end = _subject(ix, toks, k + 1)
            if ref is not None and end == len(toks) - 1 and _a_person(ref):
                return ref
        # the verb closes the introduction, at most a manner or a listener after it ("and said,", "by saying,",
        # "said in a curious, strained voice"): the subject of its clause
        if _closes_intro(ix, toks, k, stripped[-1]):
            ref = _clause_subject(ix, toks, k)
            if ref is not None:
                return ref
    return None


def _closes_intro(ix: _Index, toks: list[tuple[str, int, int]], k: int, last_char: str) -> bool:
    """Whether the speech verb at ``k`` introduces the quotation that follows ``toks`` (whose text ends in
    ``last_char``): nothing after it but a few words of manner or a listener (no other person as a subject), up to
    a final ``:`` / ``,`` or no mark at all ("She said nothing." is no introduction)."""
    if not (last_char in ":,—–-" or last_char.isalpha()):
        return False
    tail = toks[k + 1 :]
    if tail and tail[-1][0] in ":,—":
        tail = tail[:-1]
    if len(tail) > 8:
        return False
    for n, (w, a, _) in enumerate(tail):
        listener = n > 0 and tail[n - 1][0].lower() in ("to", "at")
        if not listener and (w.lower() in _SUBJ_PRON or a in ix.m_at):
            return False
    return True


def _sentence_subjects(ix: _Index, a: int, b: int) -> list[_Ref]:
    """Subjects of narration sentences in ``[a, b)``: a leading name, pronoun or possessive (``His eyes…``)."""
    out: list[_Ref] = []
    text = ix.text
    chunk = text[a:b]
    pos = 0
    for sent in _sentences(chunk):
        off = a + chunk.find(sent, pos)
        pos = off - a + len(sent)
        toks = _words(text, off, off + len(sent))
        toks = [t for t in toks if t[0] not in ".!?;:,—"]
        if not toks:
            continue
        k = 0
        while k < len(toks) - 1 and toks[k][0].lower().rstrip(",") in (
            "then",
            "and",
            "but",
            "so",
            "now",
            "still",
        ):
            k += 1
        w = toks[k][0].lower()
        ref, _ = _subject(ix, toks, k)
        if ref is not None and ref.kind != "nominal":
            out.append(ref)
            continue
        if w in _POSS_PRON:
            g = _POSS_PRON[w]
            out.append(_pronoun_ref(g, toks[k][1], weak=True))
            continue
        # first name mention of the sentence within its first few words
        for t in toks[k + 1 : k + 4]:
            m = ix.m_at.get(t[1])
            if m is not None:
                out.append(_Ref("name", t[1], cid=m.character))
                break
        else:
            # "The words choke me." — the narrator as the only person in the sentence
            people = [
                t for t in toks if t[0].lower().rstrip(".") in _ANY_PERSON or ix.m_at.get(t[1]) is not None
            ]
            if people and all(t[0].lower().rstrip(".") in ("me", "my", "myself", "i") for t in people):
                out.append(_Ref("narrator", people[0][1], weak=True))
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


class _Style:
    """Each speaker's words, from the quotations the rules pin on them (a named or ``I`` tag); a quotation is
    scored against a speaker by the mean log-ratio of its words under their profile versus all dialogue. A
    quotation that built a profile is left out of it when scored (so the ranker learns honest weights)."""

    SMOOTH = 0.5
    MU = 500.0
    MIN_WORDS = 40

    def __init__(self, att: _Attributor, owners: Sequence[str | None] | None = None) -> None:
        """Profiles from the tagged quotations, or from ``owners`` (one speaker or None per quotation) when given."""
        self.words: list[Counter[str]] = []
        self.owner: list[str | None] = []
        bg: Counter[str] = Counter()
        prof: dict[str, Counter[str]] = {}
        for k, x in enumerate(att.qs):
            c = Counter(w.lower() for a, b in x.quote.spans for w in _WORDS.findall(att.text, a, b))
            self.words.append(c)
            bg.update(c)
            if owners is not None:
                own = owners[k]
            else:
                own = x.speaker if x.rule in ("tag_name", "tag_narrator") and x.speaker else None
            self.owner.append(own)
            if own:
                prof.setdefault(own, Counter()).update(c)
        self.bg = bg
        self.bg_total = sum(bg.values()) + self.SMOOTH * (len(bg) + 1)
        self.prof = {k: v for k, v in prof.items() if sum(v.values()) >= self.MIN_WORDS}
        self.totals = {k: sum(v.values()) for k, v in self.prof.items()}

    def score(self, i: int, cid: str) -> float | None:
        """Mean log-ratio of quotation ``i``'s words under ``cid``'s profile versus all dialogue, or None."""
        p = self.prof.get(cid)
        if p is None:
            return None
        words = self.words[i]
        own = self.owner[i] == cid
        total = self.totals[cid] - (sum(words.values()) if own else 0)
        if total < self.MIN_WORDS:
            return None
        n = sum(words.values())
        if not n:
            return None
        acc = 0.0
        for w, k in words.items():
            pb = (self.bg[w] + self.SMOOTH) / self.bg_total
            pw = (p[w] - (k if own else 0) + self.MU * pb) / (total + self.MU)
            acc += k * math.log(pw / pb)
        return acc / n


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
        self.narr_named: dict[str, str] | None = None
        self._turn_rule = "turn_taking"
        self._style: _Style | None = None

    def style(self) -> _Style:
        """Speaker idiolects learnt from this story's quotations with a named or narrator tag."""
        if self._style is None:
            self._style = _Style(self)
        return self._style

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
            # a tag continuing the quotation's sentence ("…," said she) beats an introducing clause ending in
            # ":" or ","; a new sentence after the quotation ("…!" Freddy snorted) comes after both.
            cont = o1 < next_start and self._continues(q, o1)
            if cont and next_start < p1 and text[o1:next_start].rstrip()[-1:] in (",", ":"):
                # '…?" he said, "Thank you,"': that tag introduces the next quotation, not this one
                cont = False
                o1_tag_blocked = True
            else:
                o1_tag_blocked = False
            intro = prev_end < o0 and self.text[prev_end:o0].rstrip(" \n\t\"“‘'")[-1:] in (":", ",")
            if tag is None and cont:
                tag = _tag_after(ix, o1, next_start)
            if tag is None and intro:
                tag = _tag_before(ix, prev_end, o0)
            if tag is None and o1 < next_start and not cont and not o1_tag_blocked:
                tag = _tag_after(ix, o1, next_start)
            if tag is None and prev_end < o0 and not intro:
                tag = _tag_before(ix, prev_end, o0)
            first_in_para = not text[p0:o0].strip() and (i == 0 or self.qs[i - 1].last_para < x.para)
            if tag is None and first_in_para and x.para > 0:
                # "…he thus explained.\n\n“About a month ago…”": a narration paragraph introducing the speech
                pp0, pp1 = ix.paras[x.para - 1]
                if i == 0 or self.qs[i - 1].last_para < x.para - 1:
                    tag = _tag_before(ix, pp0, pp1)
                    subj = _sentence_subjects(ix, pp0, pp1)
                    x.prev_subject = subj[-1] if subj else None
                else:
                    # '"…" … Mrs. Elton, speaking louder, said,\n\n"…"': the narration after the last quotation
                    # of the paragraph before ends in an introduction
                    y = self.qs[i - 1].quote
                    tail0 = (y.outer or (y.start, y.end))[1]
                    if text[tail0:pp1].rstrip()[-1:] in (":", ","):
                        tag = _tag_before(ix, tail0, pp1)
            x.tag = tag
            x.next_subject = self._next_subject(x)
            x.addr_gender = self._addressed_gender(q)
            if tag is not None and tag.kind == "pronoun":
                # "she announced as she slipped into the chair Marilla placed for her": a name in the tag's own
                # clause after the pronoun is someone else
                end = tag.pos
                while end < len(text) and end < tag.pos + 150 and text[end] not in '.!?"“”':
                    end += 1
                x.listeners.extend(
                    m.character
                    for m in ix.mentions_in(tag.pos, end)
                    if m.character and m.character not in x.listeners
                )
            # 2. beats in the same paragraph
            if prev_end < o0:
                x.beats_before = _sentence_subjects(ix, prev_end, o0)
            if o1 < next_start:
                x.beats_after = _sentence_subjects(ix, o1, next_start)
            # listeners named in the quotation's own narration ("said he to Catherine", "turning to Eleanor")
            regions = [(prev_end, o0), (o1, next_start)] + [
                (self._after_mark(e1), self._before_mark(s2))
                for (_, e1), (s2, _) in itertools.pairwise(q.spans)
            ]
            for ra, rb in regions:
                for m in ix.mentions_in(ra, rb):
                    if m.character and _LISTENER.search(text, max(ra, m.start - 12), m.start):
                        x.listeners.append(m.character)
            # 3. names inside the quotation
            for a, b in q.spans:
                for m in ix.mentions_in(a, b):
                    if m.character is None:
                        continue
                    if _is_vocative(text, m.start, m.end, a, b):
                        x.vocatives.append(m.character)
                    else:
                        x.inner_names.append(m.character)

    def _addressed_gender(self, q: Quote) -> str | None:
        """The gender of whoever a quotation addresses as ``sir``, ``madam``, ``my dear boy``…"""
        for a, b in q.spans:
            m = _GENDERED_VOCATIVE.search(self.text, a, b)
            if m:
                return "m" if m.group(1).lower() in _MALE_VOCATIVES else "f"
        return None

    def _continues(self, q: Quote, o1: int) -> bool:
        """Whether narration right after the quotation continues its sentence (``"…," she said``)."""
        last = self.text[q.spans[-1][0] : q.spans[-1][1]].rstrip()
        after = self.text[o1 : o1 + 3].lstrip(" \n")
        return last.endswith((",", "—", "-", "–")) or (after[:1].islower())

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
        if phrase is None and gender in ("m", "f"):
            phrase = self._described(x, gender)
        label = phrase or ("he" if gender == "m" else "she" if gender == "f" else "someone")
        key = (key_scope, label)
        cid = self.unnamed.get(key)
        if cid is None:
            cid = f"u{len(self.unnamed)}"
            self.unnamed[key] = cid
            name = _UNNAMED.get(label, label)
            self.new_chars.append(Character(id=cid, name=name, aliases=[label], gender=gender))
            self.gender[cid] = gender
        return cid

    def _described(self, x: _Q, gender: str) -> str | None:
        """How the narration last described a person of ``gender`` in the quotation's paragraph or the three
        before it ("a lean hunchbacked old woman" → ``the old woman``): the name of a speaker known only as "she"."""
        nouns = (_PERSON_NOUNS_M if gender == "m" else _PERSON_NOUNS_F) - _KIN
        a = self.ix.paras[max(0, x.para - 3)][0]
        b = (x.quote.outer or (x.quote.start, x.quote.end))[0]
        best = None
        for m in _DESCRIPTION.finditer(self.text, a, b):
            words = m.group(1).split()
            n = next((k for k, w in enumerate(words) if w in nouns), -1)
            if n >= 0 and all(w not in _NP_STOP for w in words[:n]) and not self.ix.in_quote(m.start()):
                best = words[max(0, n - 1) : n + 1]  # the noun and the word before it: "the old woman"
        return " ".join(["the", *best]) if best else None

    def _role(self, ref: _Ref) -> str | None:
        """``the mariner``, ``the Mouse``, ``the croupier``, ``the man with the black beard``: a role that is a
        character of its own (one per story), unless the phrase is a generic person noun (``the young man``) or a
        relative (``her sister``). A title (``the Duchess``, ``the general``) is the character holding it."""
        words = (ref.phrase or "").split()
        pp = next(
            (
                k
                for k in range(2, len(words) - 1)
                if words[k] in ("with", "in", "of") and words[k + 1] == "the"
            ),
            0,
        )
        modified = pp > 0
        if not words or words[0] not in ("the", "this", "that", *(("a", "an") if modified else ())):
            return None
        head = words[pp - 1] if modified else words[-1]
        capital = head[:1].upper() + head[1:]
        written = self.ix.text[ref.pos : ref.pos + len(ref.phrase or "") + 1]
        # a generic noun written as a name ("the Voice", "the Stranger") is a role of its own
        named = re.search(rf"\b{re.escape(capital)}\b", written) is not None
        if not modified and head in _GENERIC_NOUNS and not named:
            return None
        label = " ".join(words[1:])
        # a title of rank with a place first: "the duchess" is the Duchess of Monmouth (named last), not a bare
        # "Duchess" addressed to both duchesses of the story
        titled = self._titled(head, ref.pos) if not modified else None
        if titled is not None and " of " in self.ix.chars[titled].name:
            return titled
        for c in self.story.characters:
            names = {c.name.lower(), *(a.lower() for a in c.aliases)}
            if label in names or f"the {label}" in names or (not modified and head in names):
                return c.id
        if titled is not None:
            return titled
        if not modified and not _personish(head) and capital not in self.ix.text[ref.pos : ref.pos + 60]:
            return None
        det = words[0] if modified else "the"
        name = " ".join([det, *words[1:-1], capital if named and not modified else words[-1]])
        key = (-1, name.lower())
        cid = self.unnamed.get(key)
        if cid is None:
            cid = f"u{len(self.unnamed)}"
            self.unnamed[key] = cid
            g = ref.gender
            self.new_chars.append(Character(id=cid, name=name, aliases=[name], gender=g))
            self.gender[cid] = g
        return cid

    def _titled(self, head: str, pos: int) -> str | None:
        """``the duchess`` → the character whose name carries that title (the one mentioned last when several)."""
        title = {"doctor": "dr"}.get(head, head)
        if title not in TITLES:
            return None
        holders = {
            c.id
            for c in self.story.characters
            if title in (w.lower().rstrip(".") for n in (c.name, *c.aliases) for w in n.split()[:-1] or [""])
        }
        if len(holders) <= 1:
            return next(iter(holders), None)
        for m in reversed(self.ix.mentions_in(0, pos)):
            if m.character in holders:
                return m.character
        return None

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

    def _resolve_pronoun(self, i: int, ref: _Ref, recent_only: bool = False) -> str | None:
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
        if recent_only:
            return None
        # earlier paragraphs (up to 6), narration mentions, most recent first
        start = ix.paras[max(0, x.para - 6)][0]
        for m in reversed(ix.mentions_in(start, p0)):
            if m.character in excluded or m.character is None or not self._salient(m.character):
                continue
            if self.gender.get(m.character) == g and not ix.in_quote(m.start):
                return m.character
        # anywhere recent, including names inside quotations, and other sections' narrators
        start = max(0, ref.pos - 20000)
        for m in reversed(ix.mentions_in(start, p0)):
            if m.character in excluded or m.character is None or not self._salient(m.character):
                continue
            if self.gender.get(m.character) == g:
                return m.character
        return None

    def _salient(self, cid: str) -> bool:
        """Names mentioned once or twice (a painter, an opera) are not antecedents from afar."""
        c = self.ix.chars.get(cid)
        return c is None or c.mentions >= min(3, max(1, len(self.ix.mentions) // 50))

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
            cid = self._resolve_nominal(i, ref)
            if cid is not None:
                return cid, "tag_nominal"
            head = ref.phrase.split(" ", 1)[1] if " " in ref.phrase else ref.phrase
            for c in self.story.characters:
                if head == c.name.lower() or head in (a.lower() for a in c.aliases):
                    return c.id, "tag_nominal"
            if ref.phrase.split()[0] in ("his", "her", "their", "my"):
                # "her mother": a relative of someone; an unnamed character of its own
                return self._unnamed(x, ref.gender, ref.phrase), "tag_nominal"
            return self._unnamed(x, ref.gender, ref.phrase), "tag_nominal"
        return None, "none"

    def _resolve_nominal(self, i: int, ref: _Ref) -> str | None:
        """``the other``, ``the former``/``the latter``, ``her mother`` (Mrs. + the daughter's surname), and person
        nouns (``the old lady``) resolved like pronouns when a fitting character was mentioned just before."""
        x = self.qs[i]
        words = (ref.phrase or "").split()
        det, head = words[0], words[-1]
        prev = self.qs[i - 1].speaker if i > 0 else None
        if words == ["the", "other"]:
            parts = [c for c in self._participants(i) if c != prev and c not in x.vocatives]
            return parts[0] if parts else None
        if words in (["the", "former"], ["the", "latter"]):
            seen: list[str] = []
            start = self.ix.paras[max(0, x.para - 2)][0]
            for m in reversed(self.ix.mentions_in(start, ref.pos)):
                if m.character and m.character not in seen:
                    seen.append(m.character)
                if len(seen) == 2:
                    break
            if len(seen) == 2:
                return seen[1] if words[1] == "former" else seen[0]
            return None
        if det in ("his", "her") and head in _FAMILY:
            owner = self._resolve_pronoun(i, _Ref("pronoun", ref.pos, gender="m" if det == "his" else "f"))
            c = self.ix.chars.get(owner or "")
            if c is not None:
                surname = c.name.split()[-1].lower()
                cls = _FAMILY[head][1]
                for d in self.story.characters:
                    parts = d.name.lower().replace(".", "").split()
                    if d.id != c.id and parts and parts[0] == cls and parts[-1] == surname:
                        return d.id
            return None
        if ref.gender is not None and det == "the":
            cid = self._resolve_pronoun(i, _Ref("pronoun", ref.pos, gender=ref.gender), recent_only=True)
            return cid
        return None

    def _beat(self, i: int, local: bool = False) -> str | None:
        """The subject of a narration sentence in the quotation's paragraph: inside the quotation's tag gap, the
        sentence just before it, the sentence just after it; subjects before possessives (``His hands fall``)."""
        x = self.qs[i]
        order = [*x.beats_between, *reversed(x.beats_before), *x.beats_after[:1]]
        for weak in (False, True):
            for ref in order:
                if ref.kind == "plural" or ref.weak != weak:
                    continue
                if local and ref.kind == "pronoun":
                    cid = self._local_pronoun(i, ref)
                elif local and ref.kind == "nominal":
                    continue
                else:
                    cid, _ = self._resolve_ref(i, ref)
                if cid and cid not in x.vocatives and cid not in x.listeners:
                    return cid
        return None

    def attribute(self) -> None:
        """Local evidence first (tags, beats, continuation), then conversation turn-taking around those anchors."""
        pending: dict[int, str | None] = {}  # quote index -> required gender for quotes left to turn-taking
        for i, x in enumerate(self.qs):
            if x.epigraph:
                continue
            ref = x.tag if x.tag is not None and x.tag.kind != "plural" else None
            if ref is not None:
                if ref.kind in ("name", "narrator"):
                    cid, rule = self._resolve_ref(i, ref)
                    if cid is not None:
                        self._set(x, cid, rule)
                        continue
                elif ref.kind == "pronoun":
                    cid = self._local_pronoun(i, ref)
                    if cid is not None:
                        self._set(x, cid, "tag_pronoun")
                    else:
                        pending[i] = ref.gender
                    continue
                elif ref.kind == "nominal":
                    words = (ref.phrase or "").split()
                    cid = self._role(ref)
                    rule = "tag_role"
                    if cid is None and words != ["the", "other"]:
                        cid, rule = self._resolve_nominal(i, ref), "tag_nominal"
                    if cid is not None:
                        self._set(x, cid, rule)
                    else:
                        pending[i] = ref.gender
                    continue
            cid = self._beat(i, local=True)
            if cid is not None:
                self._set(x, cid, "beat")
        # continuation: quotations of one paragraph share a speaker unless a vocative forbids it
        for i, x in enumerate(self.qs):
            prev = self.qs[i - 1] if i > 0 else None
            if prev is None or prev.epigraph or x.epigraph or prev.last_para != x.para:
                continue
            if x.speaker is None and prev.speaker and prev.speaker not in x.vocatives and i not in pending:
                self._set(x, prev.speaker, "continuation")
        for i in range(len(self.qs) - 2, -1, -1):
            x, nxt = self.qs[i], self.qs[i + 1]
            if (
                x.speaker is None
                and not x.epigraph
                and i not in pending
                and nxt.para == x.last_para
                and nxt.speaker
                and nxt.speaker not in x.vocatives
                and not nxt.epigraph
            ):
                self._set(x, nxt.speaker, "continuation")
        anchors = {i for i, x in enumerate(self.qs) if x.speaker is not None}
        for i, x in enumerate(self.qs):
            if x.epigraph or x.speaker is not None:
                continue
            gender = pending.get(i)
            typed = i in pending and x.tag is not None
            cid = self._by_turns(i, anchors, gender, typed)
            if cid is not None:
                rule = (
                    "tag_pronoun"
                    if typed and x.tag and x.tag.kind == "pronoun"
                    else ("tag_nominal" if typed else self._turn_rule)
                )
                self._set(x, cid, rule)
                continue
            if typed and x.tag is not None:
                cid, rule = self._resolve_ref(i, x.tag)
                if cid is not None:
                    self._set(x, cid, rule)
                    continue
            cid = self._beat(i, local=False)
            if cid is not None:
                self._set(x, cid, "beat")
                continue
            cid = self._fallback(i)
            if cid is not None:
                self._set(x, cid, "fallback")

    def _local_pronoun(self, i: int, ref: _Ref) -> str | None:
        """A pronoun resolved inside its own paragraph: the nearest preceding narration name of that gender that
        is not the object of a preposition (``turned to Catherine``) nor a listener of the quotation."""
        x = self.qs[i]
        ix = self.ix
        narr = self.narr_ids[x.section] if x.section >= 0 else None
        p0 = ix.paras[x.para][0]
        fallback = None
        for m in reversed(ix.mentions_in(p0, ref.pos)):
            c = m.character
            if ix.in_quote(m.start) or c is None or c in x.vocatives or c == narr or c in x.listeners:
                continue
            if self.gender.get(c) != ref.gender:
                continue
            if self._after_preposition(m.start):
                fallback = fallback or c
                continue
            return c
        return None if fallback is None else (fallback if ref.weak else None)

    def _next_subject(self, x: _Q) -> _Ref | None:
        """``"…"\n\nCatherine turned away her head``: who the paragraph after the quotation opens on (the listener
        reacting, or the speaker going on), when that paragraph opens with narration."""
        ix = self.ix
        if x.last_para + 1 >= len(ix.paras):
            return None
        a, b = ix.paras[x.last_para + 1]
        lead = self.text[a:b].lstrip()
        if not lead or ix.in_quote(b - len(lead)):
            return None
        subj = _sentence_subjects(ix, a, min(b, a + 300))
        return subj[0] if subj else None

    def _subject_char(self, i: int, ref: _Ref) -> str | None:
        """The character a narration subject next to quotation ``i`` stands for: a name, the narrator, or a pronoun
        resolved to the nearest fitting name (descriptions and plurals stand for no one here)."""
        if ref.kind == "name":
            return ref.cid
        if ref.kind == "narrator":
            x = self.qs[i]
            return self.narr_ids[x.section] if x.section >= 0 else None
        if ref.kind == "pronoun":
            return self._local_pronoun_in(i, ref)
        return None

    def _local_pronoun_in(self, i: int, ref: _Ref) -> str | None:
        """A pronoun subject of the previous (or next) narration paragraph: the nearest fitting name before it."""
        x = self.qs[i]
        ix = self.ix
        pa = ix.paras[max(0, x.para - 2)][0]
        narr = self.narr_ids[x.section] if x.section >= 0 else None
        for m in reversed(ix.mentions_in(pa, ref.pos)):
            c = m.character
            if (
                c
                and not ix.in_quote(m.start)
                and c != narr
                and self.gender.get(c) == ref.gender
                and not self._after_preposition(m.start)
            ):
                return c
        return None

    def _focus(self, i: int, ref: _Ref) -> str | None:
        """The character a ``he``/``she`` (or ``the young man``) tag continues: the last narration name of that
        gender in subject position (starting a sentence or a clause) within six paragraphs; objects are skipped."""
        x = self.qs[i]
        ix = self.ix
        start = ix.paras[max(0, x.para - 6)][0]
        narr = self.narr_ids[x.section] if x.section >= 0 else None
        for m in reversed(ix.mentions_in(start, ref.pos)):
            c = m.character
            if c is None or c == narr or c in x.vocatives or ix.in_quote(m.start):
                continue
            if self.gender.get(c) != ref.gender:
                continue
            if _SUBJECT_BEFORE.search(self.text, max(0, m.start - 30), m.start):
                return c
        return None

    def _after_preposition(self, pos: int) -> bool:
        b = _PREP_BEFORE.search(self.text, max(0, pos - 16), pos)
        return b is not None

    def _conversation(self, i: int) -> tuple[int, int]:
        """Indices ``[lo, hi)`` of the conversation around quotation ``i`` (paragraphs at most one apart)."""
        lo = i
        while lo > 0:
            a, b = self.qs[lo - 1], self.qs[lo]
            if a.section != b.section or b.para - a.last_para > 2 or a.epigraph:
                break
            lo -= 1
        hi = i + 1
        while hi < len(self.qs):
            a, b = self.qs[hi - 1], self.qs[hi]
            if a.section != b.section or b.para - a.last_para > 2 or b.epigraph:
                break
            hi += 1
        return lo, hi

    def _by_turns(self, i: int, anchors: set[int], gender: str | None, typed: bool) -> str | None:
        """Turn-taking: the person addressed by the previous turn, else alternation counted from the nearest
        attributed turns before and after (even distance: the same speaker; odd: their partner)."""
        x = self.qs[i]
        lo, hi = self._conversation(i)
        # turns = paragraphs
        turn_of: dict[int, int] = {}
        t = -1
        last_para = -10
        for j in range(lo, hi):
            if self.qs[j].para != last_para:
                t += 1
            turn_of[j] = t
            last_para = self.qs[j].last_para
        me = turn_of[i]
        narr = self.narr_ids[x.section] if x.section >= 0 else None

        def ok(c: str | None) -> bool:
            return (
                c is not None
                and c not in x.vocatives
                and c not in x.listeners
                and (gender is None or (self.gender.get(c) == gender and c != narr))
            )

        prev = self.qs[i - 1] if i > lo else None
        cands: list[tuple[int, str, str]] = []  # (distance, speaker, rule)
        if prev is not None and prev.speaker:
            for v in prev.vocatives:
                if v != prev.speaker:
                    cands.append((1, v, "vocative_reply"))
        speakers_by_turn: dict[int, str] = {}
        for j in range(lo, hi):
            if j in anchors and self.qs[j].speaker:
                speakers_by_turn.setdefault(turn_of[j], self.qs[j].speaker or "")
        for j in range(i - 1, lo - 1, -1):
            y = self.qs[j]
            if y.speaker and j not in anchors:
                speakers_by_turn.setdefault(turn_of[j], y.speaker)
        for at, spk in speakers_by_turn.items():
            d = abs(at - me)
            if d == 0:
                continue
            if d % 2 == 0:
                cands.append((d, spk, "turn_taking"))
            else:
                partner = self._partner(spk, at, speakers_by_turn, lo, hi)
                if partner:
                    cands.append((d, partner, "turn_taking"))
        if x.prev_subject is not None:
            c0 = self._subject_char(i, x.prev_subject)
            if c0:
                cands.append((2, c0, "beat"))
        cands.sort(key=lambda c: (c[0], c[2] != "vocative_reply"))
        # the gender the previous turn addressed ("sir") answers; people seldom name themselves
        want = prev.addr_gender if prev is not None and prev.last_para < x.para and prev.speaker else None
        for strict in (2, 1, 0):
            for _, c, rule in cands:
                if not ok(c):
                    continue
                if strict >= 1 and c in x.inner_names:
                    continue
                if strict == 2 and want is not None and self.gender.get(c) not in (None, want):
                    continue
                self._turn_rule = rule
                return c
        if gender is None:
            parts = [c for c in self._participants(i) if ok(c)]
            if prev is not None and prev.speaker in parts and len(parts) >= 2:
                parts.remove(prev.speaker)
            if parts and prev is not None and i > lo:
                self._turn_rule = "turn_taking"
                return parts[0]
            if narr and prev is not None and i > lo and prev.speaker != narr and ok(narr):
                self._turn_rule = "turn_taking"
                return narr
        return None

    def _partner(self, spk: str, at: int, speakers_by_turn: dict[int, str], lo: int, hi: int) -> str | None:
        """Who ``spk`` is talking with: the nearest other attributed speaker of the conversation, the person they
        address by name, or the last other speaker before the conversation."""
        others = sorted(
            ((abs(t - at), s) for t, s in speakers_by_turn.items() if s != spk), key=lambda z: z[0]
        )
        if others:
            return others[0][1]
        for j in range(lo, hi):
            y = self.qs[j]
            if y.speaker == spk:
                for v in y.vocatives:
                    if v != spk:
                        return v
        for c in self._participants(lo):
            if c != spk:
                return c
        return None

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
            cands = [
                c for c in (after, *nxt.quote.addressees) if c and c != nxt.speaker and c not in x.vocatives
            ]
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
            out = [v for v in dict.fromkeys([*x.vocatives, *x.listeners]) if v != x.speaker]
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

    def refine_first_person(self) -> None:
        """A first-person section with dialogue but no ``I said``/``said I`` tag or ``I``-beat is a letter or an
        embedded text inside a third-person story, not a narrated section."""
        tags: Counter[int] = Counter()
        quotes: Counter[int] = Counter()
        for x in self.qs:
            quotes[x.section] += 1
            refs = [x.tag, *x.beats_between, *x.beats_before[-1:], *x.beats_after[:1]]
            if any(r is not None and r.kind == "narrator" for r in refs):
                tags[x.section] += 1
        for k, ph in enumerate(self.narr_ids):
            if ph is not None and quotes[k] >= 3 and tags[k] == 0:
                self.narr_ids[k] = None
                self.first[k] = False
        for x in self.qs:
            x.first_person = x.section >= 0 and self.first[x.section]

    def name_narrators(self) -> dict[str, str]:
        """Map each section's narrator placeholder to a named character.

        Evidence is pooled over all first-person sections (one narrator unless a section shows otherwise): names
        said to the narrator by the other characters (vocatives next to the narrator's turns), self introductions,
        never the names the narration itself uses in the third person. A section where the pooled narrator is
        spoken of in the third person, or whose lines another section gives to a named character, gets its own.
        """
        ix, text = self.ix, self.text
        fp = [k for k, ph in enumerate(self.narr_ids) if ph is not None]
        if not fp:
            return {}
        placeholders = {self.narr_ids[k] for k in fp}
        votes: dict[int, dict[str, float]] = {k: {} for k in fp}
        narr_mentions: dict[int, Counter[str]] = {k: Counter() for k in fp}
        third_tags: dict[int, Counter[str]] = {k: Counter() for k in fp}
        for k in fp:
            sec = ix.sections[k]
            for m in ix.mentions_in(sec.start, sec.end):
                if m.character and not ix.in_quote(m.start):
                    narr_mentions[k][m.character] += 1
            for sm in _SELF_INTRO.finditer(text, sec.start, sec.end):
                for mm in ix.mentions_in(sm.start(1), sm.end(1)):
                    if mm.character:
                        votes[k][mm.character] = votes[k].get(mm.character, 0.0) + 2.0
        for i, x in enumerate(self.qs):
            if x.section not in votes or x.speaker is None:
                continue
            if x.rule == "tag_name" and x.speaker not in placeholders:
                third_tags[x.section][x.speaker] += 1
            if x.speaker in placeholders:
                continue
            near = any(
                0 <= j < len(self.qs)
                and self.qs[j].speaker in placeholders
                and abs(self.qs[j].para - x.para) <= 2
                for j in (i - 1, i + 1)
            )
            for v in x.vocatives:
                if v != x.speaker:
                    votes[x.section][v] = votes[x.section].get(v, 0.0) + (1.0 if near else 0.25)
        pooled: dict[str, float] = {}
        pooled_narr: Counter[str] = Counter()
        for k in fp:
            for cid, score in votes[k].items():
                pooled[cid] = pooled.get(cid, 0.0) + score
            pooled_narr.update(narr_mentions[k])

        def best_of(v: dict[str, float], nm: Counter[str]) -> str | None:
            for cid, score in sorted(v.items(), key=lambda kv: -kv[1]):
                if score >= 1 and nm[cid] <= max(1.0, score):
                    return cid
            return None

        glob = best_of(pooled, pooled_narr)
        log.debug("narrator votes %s", sorted(pooled.items(), key=lambda kv: -kv[1])[:5])
        mapping: dict[str, str] = {}
        self.narr_named = mapping
        by_section: dict[int, list[_Q]] = {}
        for x in self.qs:
            by_section.setdefault(x.section, []).append(x)
        prev_qs: list[_Q] = []
        for k in fp:
            ph = self.narr_ids[k]
            assert ph is not None
            qs = by_section.get(k, [])
            own = best_of(votes[k], narr_mentions[k])
            pick = self._same_lines(k, qs)
            if (
                pick is None
                and glob is not None
                and (narr_mentions[k][glob] >= 3 or third_tags[k][glob] >= 2)
            ):
                # the pooled narrator is spoken of in the third person here: someone else narrates
                pick = (
                    own if own is not None and own != glob else self._interlocutor(glob, prev_qs or self.qs)
                )
            if pick is None:
                pick = glob if glob is not None else own
            if pick is not None:
                mapping[ph] = pick
            prev_qs = qs
        return mapping

    def _same_lines(self, k: int, qs: list[_Q]) -> str | None:
        """The named character who speaks this section's narrator lines in another section (the same scene told
        from the other side)."""
        placeholder = self.narr_ids[k]
        mine = {self._norm(x.quote) for x in qs if x.speaker == placeholder}
        mine = {m for m in mine if m.count(" ") >= 5}
        votes: Counter[str] = Counter()
        for y in self.qs:
            if y.section == k or y.speaker is None or y.speaker.startswith(("narrator", "u")):
                continue
            if self._norm(y.quote) in mine:
                votes[y.speaker] += 1
        return votes.most_common(1)[0][0] if votes else None

    def _interlocutor(self, who: str, qs: list[_Q]) -> str | None:
        others = Counter(y.speaker for y in qs if y.speaker and y.speaker != who)
        named = [c for c, _ in others.most_common() if not c.startswith(("narrator", "u"))]
        return named[0] if named else None

    def _norm(self, q: Quote) -> str:
        return " ".join(w.lower() for a, b in q.spans for w in _WORDS.findall(self.text[a:b]))[:200]

    # ------------------------------------------------------------------ output

    def name_roles(self) -> dict[str, str]:
        """Map role characters (``the painter``) to the named character the others call them to their face:
        vocatives in the quotations next to the role's turns, by other speakers, at least 4 and 60% of them, for a
        named character of a compatible gender who never speaks in those same exchanges."""
        roles = {c.id for c in self.new_chars if c.id.startswith("u") and not c.narrator}
        if not roles:
            return {}
        votes: dict[str, Counter[str]] = {r: Counter() for r in roles}
        beside: dict[str, set[str]] = {r: set() for r in roles}
        for i, x in enumerate(self.qs):
            if x.speaker not in roles:
                continue
            for j in (i - 1, i + 1):
                if not 0 <= j < len(self.qs):
                    continue
                y = self.qs[j]
                if y.speaker is None or y.speaker == x.speaker or abs(y.para - x.para) > 2:
                    continue
                beside[x.speaker].add(y.speaker)
                for v in y.vocatives:
                    votes[x.speaker][v] += 1
        out = self._appositives(roles)
        for r, vs in votes.items():
            if not vs or r in out:
                continue
            cid, n = vs.most_common(1)[0]
            g, gr = self.gender.get(cid), self.gender.get(r)
            log.debug("role %s: vocatives %s", r, vs.most_common(3))
            if (
                n >= 4
                and n >= 0.6 * sum(vs.values())
                and not cid.startswith(("u", "narrator"))
                and cid not in beside[r]
                and (g is None or gr is None or g == gr)
            ):
                out[r] = cid
        return out

    def _appositives(self, roles: set[str]) -> dict[str, str]:
        """Roles named by an apposition: ``Mr. Wells, the lawyer,`` or ``the chairman, Mr.
        Buttons``, for a named character of a compatible gender. The name given most often wins."""
        ix = self.ix
        low = ix.text.lower()
        out: dict[str, str] = {}
        for c in self.new_chars:
            lab = c.name.lower()
            if c.id not in roles or not lab.startswith("the "):
                continue
            votes: Counter[str] = Counter()
            for m in re.finditer(rf"\b{re.escape(lab)}\b", low):
                for n in ix.mentions_in(m.start() - 40, m.end() + 40):
                    beside = re.fullmatch(r",\s+", low[n.end : m.start()]) or re.fullmatch(r",\s+", low[m.end() : n.start])
                    d = n.character
                    if beside and d and not d.startswith(("u", "narrator")) and self._gender_ok(d, self.gender.get(c.id)):
                        votes[d] += 1
            if votes:
                out[c.id] = votes.most_common(1)[0][0]
        return out

    def finish(self) -> None:
        story = self.story
        roles = self.name_roles()
        if roles:
            chars = {c.id: c for c in story.characters}
            for x in self.qs:
                if x.speaker in roles:
                    x.speaker = roles[x.speaker]
            for c in self.new_chars:
                if c.id in roles:
                    named = chars[roles[c.id]]
                    named.aliases = [*named.aliases, *(a for a in c.aliases if a not in named.aliases)]
            self.new_chars = [c for c in self.new_chars if c.id not in roles]
        mapping = dict(self.narr_named) if self.narr_named is not None else self.name_narrators()
        for n in self.narr_ids:
            if n is not None and not n.startswith("narrator"):
                mapping[n] = n
        # Narrators left unnamed become characters of their own (one per run of sections).
        shared: str | None = None
        for ph in self.narr_ids:
            if ph is None or ph in mapping:
                continue
            if shared is None:
                shared = ph
                self.new_chars.append(Character(id=ph, name="the narrator", aliases=["I"], narrator=True))
            mapping[ph] = shared
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
            if x.learned_confidence is not None:
                conf = round(x.learned_confidence, 3)
            q.type, q.confidence = qtype, conf
            counts[x.speaker] += 1
            if x.tag is not None and x.rule.startswith("tag"):
                kind = {"name": "name", "pronoun": "pronoun", "narrator": "narrator"}.get(
                    x.tag.kind, "nominal"
                )
                wm = _WORD.match(self.text, x.tag.pos)
                if kind != "name" and wm is not None:
                    end = x.tag.pos + len(wm.group().rstrip("."))
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
                votes["f"] += len(
                    re.findall(r"\b(?:girl|madam|ma'am|miss|lady|sister|darling girl)\b[,.!?]", s)
                )
                votes["m"] += len(re.findall(r"\b(?:boy|sir|man|lad|son|mister|brother)\b[,.!?]", s))
        if votes["f"] > votes["m"]:
            return "f"
        if votes["m"] > votes["f"]:
            return "m"
        return None


FEATURES: tuple[str, ...] = (
    *(f"rule_{r}" for r in RULES if r != "none"),
    "tag_name",
    "tag_narrator",
    "tag_pron_match",
    "tag_pron_mismatch",
    "tag_pron_local",
    "tag_nominal",
    "beat_strong",
    "beat_weak",
    "vocative_in",
    "listener",
    "inner_name",
    "prev_vocative",
    "next_vocative",
    "prev1",
    "prev2",
    "next1",
    "next2",
    "same_para_prev",
    "ment_before",
    "ment_after",
    "ment_prev_paras",
    "ment_conv",
    "recency",
    "narrator",
    "freq",
    "participant",
    "no_tag",
    "prev_para_subject",
    "addr_gender_match",
    "addr_gender_mismatch",
    "anchor_even",
    "anchor_odd",
    "pron_recency",
    "pron_x_prev1",
    "pron_x_prev2",
    "notag_x_prev1",
    "notag_x_prev2",
    "notag_x_prev_vocative",
    "notag_x_anchor_even",
    "style",
    "style_best",
    "style_known",
    "nom_prior",
    "pron_focus",
    "spoke_before",
    "spoke_after",
    "beat_focus",
    "prev_listener",
    "anchor_even_weak",
    "anchor_odd_weak",
    "addr_self",
    "addr_next",
    "next_para_subject",
    "gap_x_prev1",
    "gap_x_prev2",
    "gap",
    "question",
    "prev_question",
)

#: Text before a name that puts it in subject position: a sentence start, or a clause start after a conjunction.
_SUBJECT_BEFORE = re.compile(
    r"(?:^|[.!?;:][\"”’']?\s+|\n\s*[\"“]?|\b(?:and|but|then|when|while|as|so|till|until|before|after|"
    r"because|though|although|where|now)\s+)$",
    re.IGNORECASE,
)


def _asks(text: str, q: Quote) -> bool:
    """Whether a quotation ends in a question mark (closing marks aside)."""
    return text[q.start : q.end].rstrip(" \"”’'")[-1:] == "?"


def _nearest_turns(qs: Sequence[_Q], i: int, js: Iterable[int]) -> dict[str, int]:
    """Each speaker's distance from quotation ``i`` at their first turn among ``js`` (walked in order)."""
    out: dict[str, int] = {}
    for j in js:
        sp = qs[j].speaker
        if sp and sp not in out:
            out[sp] = abs(j - i)
    return out


def _candidates_and_features(att: _Attributor) -> list[tuple[int, list[str], list[list[float]]]]:
    """For each quotation: candidate speakers (mentioned nearby, recent speakers, addressed, the narrator) and one
    feature vector per candidate, built from the rule pass (neighbours' speakers are the rules' predictions)."""
    ix = att.ix
    qs = att.qs
    counts: Counter[str] = Counter(x.speaker for x in qs if x.speaker)
    total = max(1, sum(counts.values()))
    out: list[tuple[int, list[str], list[list[float]]]] = []
    fi = {f: k for k, f in enumerate(FEATURES)}
    # who each description ("the old man", "the young lady") stands for elsewhere in the story
    by_phrase: dict[str, Counter[str]] = defaultdict(Counter)
    for x in qs:
        if x.tag is not None and x.tag.kind == "nominal" and x.tag.phrase and x.speaker:
            by_phrase[x.tag.phrase][x.speaker] += 1
    style = att.style()
    for i, x in enumerate(qs):
        if x.epigraph:
            continue
        lo, hi = att._conversation(i)
        narr = att.narr_ids[x.section] if x.section >= 0 else None
        p_lo = ix.paras[max(0, x.para - 4)][0]
        p0 = ix.paras[x.para][0]
        p1 = ix.paras[x.last_para][1]
        o0, o1 = x.quote.outer or (x.quote.start, x.quote.end)
        before: Counter[str] = Counter()
        after: Counter[str] = Counter()
        prevp: Counter[str] = Counter()
        recency: list[str] = []
        for m in reversed(ix.mentions_in(p_lo, p1)):
            if m.character is None or ix.in_quote(m.start):
                continue
            if m.start >= o1:
                after[m.character] += 1
            elif m.start >= p0:
                before[m.character] += 1
            else:
                prevp[m.character] += 1
            if m.start < o0 and m.character not in recency:
                recency.append(m.character)
        # everyone named in the narration since the conversation began (up to 30 quotations back)
        conv: Counter[str] = Counter()
        c_lo = ix.paras[max(0, qs[max(lo, i - 30)].para - 3)][0]
        if c_lo < p_lo:
            for m in ix.mentions_in(c_lo, p_lo):
                if m.character is not None and not ix.in_quote(m.start):
                    conv[m.character] += 1
        cands: list[str] = []

        def add(c: str | None, cands: list[str] = cands) -> None:
            if c and c not in cands:
                cands.append(c)

        add(x.speaker)
        for c in (*before, *after, *prevp):
            add(c)
        for j in range(max(lo, i - 8), min(hi, i + 9)):
            add(qs[j].speaker)
            for v in qs[j].vocatives:
                add(v)
        add(narr)
        for c in conv:
            add(c)
        tag = x.tag
        local = att._local_pronoun(i, tag) if tag is not None and tag.kind == "pronoun" else None
        focus = (
            att._focus(i, tag)
            if tag is not None and (tag.kind == "pronoun" or (tag.kind == "nominal" and tag.gender))
            else None
        )
        nominal = None
        if tag is not None and tag.kind == "nominal":
            nominal = att._resolve_nominal(i, tag)
        strong: set[str] = set()
        weak: set[str] = set()
        beat_focus = None  # "He looked round the room. “…”": a beat's pronoun with no name before it in the paragraph
        for ref in [*x.beats_between, *x.beats_before[-1:], *x.beats_after[:1]]:
            if ref.kind == "name" and ref.cid:
                (weak if ref.weak else strong).add(ref.cid)
            elif ref.kind == "narrator" and narr:
                (weak if ref.weak else strong).add(narr)
            elif ref.kind == "pronoun":
                r = att._local_pronoun(i, ref)
                if r:
                    (weak if ref.weak else strong).add(r)
                elif beat_focus is None:
                    beat_focus = att._focus(i, ref)
        prev = qs[i - 1] if i > lo else None
        nxt = qs[i + 1] if i + 1 < hi else None
        neigh = {d: qs[i + d].speaker for d in (-2, -1, 1, 2) if lo <= i + d < hi}
        # how many quotations ago (or ahead) each character last spoke in this conversation (up to 10)
        spoke_before = _nearest_turns(qs, i, range(i - 1, max(lo, i - 10) - 1, -1))
        spoke_after = _nearest_turns(qs, i, range(i + 1, min(hi, i + 11)))
        parts = {qs[j].speaker for j in range(lo, hi) if j != i and qs[j].speaker}
        want = prev.addr_gender if prev is not None and prev.last_para < x.para else None
        told = x.addr_gender
        told_next = nxt.addr_gender if nxt is not None and nxt.para > x.last_para else None
        prev_subj = att._subject_char(i, x.prev_subject) if x.prev_subject is not None else None
        if prev_subj:
            cands.append(prev_subj)
        # narration paragraphs between the quotation before and this one (0, 1, 2 or more → 0, 0.5, 1)
        gap = min(2, max(0, x.para - prev.last_para - 1)) / 2 if prev is not None else 0.0
        # quotation-level context, constant over the candidates: it weighs through its products with the rest
        asks = float(_asks(att.text, x.quote))
        prev_asks = float(_asks(att.text, prev.quote)) if prev is not None else 0.0
        ns = x.next_subject
        next_subj = att._subject_char(i, ns) if ns is not None and not ns.weak else None
        # reliable anchors (named tags) in the conversation: turn distances (turns = paragraphs)
        a_lo, a_hi = max(lo, i - 12), min(hi, i + 13)
        turn_of: dict[int, int] = {}
        t, last_para = -1, -10
        for j in range(a_lo, a_hi):
            if qs[j].para != last_para:
                t += 1
            turn_of[j] = t
            last_para = qs[j].last_para
        even: dict[str, int] = {}
        odd: dict[str, int] = {}
        even_weak: dict[str, int] = {}  # the same from weaker anchors: pronoun, description and role tags, beats
        odd_weak: dict[str, int] = {}
        for j in range(a_lo, a_hi):
            y = qs[j]
            if j == i or y.speaker is None:
                continue
            d = abs(turn_of[j] - turn_of[i])
            if d == 0:
                continue
            if y.rule in ("tag_name", "tag_narrator"):
                best = even if d % 2 == 0 else odd
            elif y.rule in ("tag_pronoun", "tag_nominal", "tag_role", "beat"):
                best = even_weak if d % 2 == 0 else odd_weak
            else:
                continue
            best[y.speaker] = min(best.get(y.speaker, 99), d)
        pron_rank: dict[str, int] = {}
        if tag is not None and tag.kind == "pronoun":
            pstart = ix.paras[max(0, x.para - 6)][0]
            for m in reversed(ix.mentions_in(pstart, tag.pos)):
                mc = m.character
                if (
                    mc is None
                    or mc in pron_rank
                    or mc in x.vocatives
                    or ix.in_quote(m.start)
                    or att.gender.get(mc) != tag.gender
                ):
                    continue
                pron_rank[mc] = len(pron_rank)
        rows = []
        for c in cands:
            vec = [0.0] * len(FEATURES)
            if c == x.speaker and x.rule != "none":
                vec[fi[f"rule_{x.rule}"]] = 1.0
            g = att.gender.get(c)
            if tag is not None:
                if tag.kind == "name" and tag.cid == c:
                    vec[fi["tag_name"]] = 1.0
                elif tag.kind == "narrator" and c == narr:
                    vec[fi["tag_narrator"]] = 1.0
                elif tag.kind == "pronoun":
                    if g is not None and g == tag.gender and c != narr:
                        vec[fi["tag_pron_match"]] = 1.0
                    elif (g is not None and g != tag.gender) or c == narr:
                        vec[fi["tag_pron_mismatch"]] = 1.0
                    if local == c:
                        vec[fi["tag_pron_local"]] = 1.0
                elif tag.kind == "nominal" and nominal == c:
                    vec[fi["tag_nominal"]] = 1.0
            else:
                vec[fi["no_tag"]] = 1.0
            vec[fi["beat_strong"]] = float(c in strong)
            vec[fi["beat_weak"]] = float(c in weak)
            vec[fi["vocative_in"]] = float(c in x.vocatives)
            vec[fi["inner_name"]] = float(c in x.inner_names)
            vec[fi["listener"]] = float(c in x.listeners)
            vec[fi["prev_vocative"]] = float(prev is not None and c in prev.vocatives and prev.speaker != c)
            vec[fi["next_vocative"]] = float(nxt is not None and c in nxt.vocatives)
            vec[fi["prev1"]] = float(neigh.get(-1) == c)
            vec[fi["prev2"]] = float(neigh.get(-2) == c)
            vec[fi["next1"]] = float(neigh.get(1) == c)
            vec[fi["next2"]] = float(neigh.get(2) == c)
            vec[fi["same_para_prev"]] = float(
                prev is not None and prev.last_para == x.para and prev.speaker == c
            )
            vec[fi["ment_before"]] = min(before[c], 3) / 3
            vec[fi["ment_after"]] = min(after[c], 3) / 3
            vec[fi["ment_prev_paras"]] = min(prevp[c], 3) / 3
            vec[fi["ment_conv"]] = min(conv[c], 5) / 5
            vec[fi["recency"]] = 1.0 / (1 + recency.index(c)) if c in recency else 0.0
            vec[fi["narrator"]] = float(c == narr)
            vec[fi["freq"]] = counts[c] / total
            vec[fi["participant"]] = float(c in parts)
            vec[fi["prev_para_subject"]] = float(c == prev_subj)
            if want is not None and g is not None:
                vec[fi["addr_gender_match" if g == want else "addr_gender_mismatch"]] = 1.0
            vec[fi["next_para_subject"]] = float(c == next_subj)
            vec[fi["gap"]] = gap
            vec[fi["question"]] = asks
            vec[fi["prev_question"]] = prev_asks
            vec[fi["gap_x_prev1"]] = gap * vec[fi["prev1"]]
            vec[fi["gap_x_prev2"]] = gap * vec[fi["prev2"]]
            vec[fi["addr_self"]] = float(g is not None and g == told)
            vec[fi["addr_next"]] = float(g is not None and g == told_next)
            vec[fi["anchor_even"]] = 1.0 / even[c] if c in even else 0.0
            vec[fi["anchor_odd"]] = 1.0 / odd[c] if c in odd else 0.0
            vec[fi["anchor_even_weak"]] = 1.0 / even_weak[c] if c in even_weak else 0.0
            vec[fi["anchor_odd_weak"]] = 1.0 / odd_weak[c] if c in odd_weak else 0.0
            vec[fi["prev_listener"]] = float(prev is not None and c in prev.listeners and prev.speaker != c)
            vec[fi["pron_recency"]] = 1.0 / (1 + pron_rank[c]) if c in pron_rank else 0.0
            vec[fi["pron_focus"]] = float(focus == c)
            vec[fi["beat_focus"]] = float(beat_focus == c)
            vec[fi["spoke_before"]] = 1.0 / spoke_before[c] if c in spoke_before else 0.0
            vec[fi["spoke_after"]] = 1.0 / spoke_after[c] if c in spoke_after else 0.0
            if tag is not None and tag.kind == "nominal" and tag.phrase:
                seen = by_phrase[tag.phrase]
                others = seen[c] - (c == x.speaker)  # leave this quotation out
                rest = sum(seen.values()) - (x.speaker is not None)
                vec[fi["nom_prior"]] = others / rest if rest > 0 else 0.0
            st = style.score(i, c)
            if st is not None:
                vec[fi["style_known"]] = 1.0
                vec[fi["style"]] = max(-2.0, min(2.0, st))
            pm = vec[fi["tag_pron_match"]]
            nt = vec[fi["no_tag"]]
            vec[fi["pron_x_prev1"]] = pm * vec[fi["prev1"]]
            vec[fi["pron_x_prev2"]] = pm * vec[fi["prev2"]]
            vec[fi["notag_x_prev1"]] = nt * vec[fi["prev1"]]
            vec[fi["notag_x_prev2"]] = nt * vec[fi["prev2"]]
            vec[fi["notag_x_prev_vocative"]] = nt * vec[fi["prev_vocative"]]
            vec[fi["notag_x_anchor_even"]] = nt * vec[fi["anchor_even"]]
            rows.append(vec)
        known = [row[fi["style"]] for row in rows if row[fi["style_known"]]]
        if len(known) >= 2:
            top = max(known)
            for row in rows:
                if row[fi["style_known"]]:
                    row[fi["style"]] -= top
                    row[fi["style_best"]] = float(row[fi["style"]] == 0.0)
        out.append((i, cands, rows))
    return out


#: Rules whose choice the ranker never overrides (it still gives them a confidence).
PROTECTED_RULES = frozenset(["tag_name", "tag_narrator", "tag_role", "beat"])

#: A ranker to use instead of the shipped one (leave-novels-out evaluation sets this per fold).
MODEL_OVERRIDE: dict[str, Any] | None = None


def load_model() -> dict[str, Any] | None:
    """The ranker in use: ``MODEL_OVERRIDE`` when set, else the shipped one, else None (rules only)."""
    if MODEL_OVERRIDE is not None:
        return MODEL_OVERRIDE
    return _shipped_model()


@functools.cache
def _shipped_model() -> dict[str, Any] | None:
    """The shipped ranker (linear weights as JSON), or None when absent."""
    try:
        raw = resources.files("fabula.models").joinpath("attribution/ranker.json").read_text(encoding="utf-8")
    except (FileNotFoundError, ModuleNotFoundError):
        return None
    model: dict[str, Any] = json.loads(raw)
    if tuple(model.get("features", ())) != FEATURES:
        log.warning("attribution ranker features differ from this version; using the rules only")
        return None
    return model


def pairwise(x: np.ndarray) -> np.ndarray:
    """The features and all their pairwise products (row-wise): the ranker's input when ``model["pairs"]``."""
    iu = np.triu_indices(x.shape[1], 1)
    return np.hstack([x, x[:, iu[0]] * x[:, iu[1]]])


def score_rows(
    model: dict[str, Any], rows: Sequence[Sequence[float]] | np.ndarray, key: str = "coef"
) -> np.ndarray:
    """The ranker's score (logit) of each candidate row, with the weights ``model[key]`` (``coef`` for the first
    round, ``coef2`` for later ones)."""
    x = np.asarray(rows, dtype=float).reshape(len(rows), len(FEATURES))
    if model.get("pairs"):
        x = pairwise(x)
    return x @ np.asarray(model.get(key, model["coef"]), dtype=float) + float(model.get("intercept", 0.0))


def rank_round(
    att: _Attributor, model: dict[str, Any], key: str, rules: Sequence[str]
) -> tuple[dict[int, tuple[str, float]], dict[int, _Turn]]:
    """One ranking round with the weights ``model[key]``: every quotation's best candidate becomes its speaker
    (a quotation whose rule in ``rules`` is protected keeps the rules' pick). Returns the picks with their
    probabilities, and the turns for the conversation decode. With ``model["self_style"]``, the idiolects are then
    rebuilt from every quotation as attributed so far, for the next round."""
    picks: dict[int, tuple[str, float]] = {}
    turns: dict[int, _Turn] = {}
    for i, cands, rows in _candidates_and_features(att):
        if not cands:
            continue
        x = att.qs[i]
        scores = [float(v) for v in score_rows(model, rows, key)]
        k = max(range(len(cands)), key=lambda j: scores[j])
        fixed = None
        if rules[i] in PROTECTED_RULES and x.speaker in cands:
            # rules first: a named tag or an action beat stands; the ranker decides the turn-taking guesses
            k = fixed = cands.index(x.speaker)
        logp = _log_softmax(scores)
        picks[i] = (cands[k], math.exp(logp[k]))
        turns[i] = _Turn(x.para, x.last_para, cands, logp, fixed)
    for i, (c, _) in picks.items():
        att.qs[i].speaker = c
    if model.get("self_style"):
        att._style = _Style(att, [x.speaker for x in att.qs])
    return picks, turns


def rerank(att: _Attributor, model: dict[str, Any]) -> None:
    """Re-score each quotation's candidates with the learned ranker; the best one becomes the speaker.

    The ranker runs ``model["rounds"]`` times (default 2): after the first round, the neighbouring turns'
    speakers seen by the features are the ranker's own picks rather than the rules' guesses."""
    rules = [x.rule for x in att.qs]
    picks: dict[int, tuple[str, float]] = {}
    last: dict[int, _Turn] = {}
    for r in range(max(1, int(model.get("rounds", 2)))):
        picks, last = rank_round(att, model, "coef2" if r else "coef", rules)
    weights = model.get("decode")
    if weights:
        for conv in _conversations(att, sorted(last)):
            if len(conv) < 2:
                continue
            turns = [last[i] for i in conv]
            for i, t, k in zip(conv, turns, decode_conversation(turns, weights), strict=True):
                if k >= 0:
                    picks[i] = (t.cands[k], math.exp(t.logp[k]))
                    att.qs[i].speaker = t.cands[k]
    a, c0 = model.get("calibration", [1.0, 0.0])
    for i, (_, p) in picks.items():
        x = att.qs[i]
        if x.rule in ("none", "fallback"):
            x.rule = "turn_taking"
        prob = min(max(p, 1e-4), 1 - 1e-4)
        x.learned_confidence = 1.0 / (1.0 + math.exp(-(a * math.log(prob / (1 - prob)) + c0)))


# ------------------------------------------------------------------------------------- conversation decode

#: Names of the transition weights of the conversation decode (``model["decode"]``), in order.
DECODE_WEIGHTS = ("alternate", "abab", "same_para")


@dataclass(slots=True)
class _Turn:
    """One quotation for the conversation decode: its paragraphs, candidates, their log-probabilities, and the
    index of a candidate it is fixed to (a named or narrator tag), if any."""

    para: int
    last_para: int
    cands: list[str]
    logp: list[float]
    fixed: int | None = None


def decode_conversation(
    turns: Sequence[_Turn], weights: Sequence[float], beam: int = 6, top: int = 4
) -> list[int]:
    """Joint speaker choice over one conversation: beam search maximising the sum of the ranker's
    log-probabilities plus transition rewards: ``alternate`` when a turn (a new paragraph) changes speaker from
    the turn before, ``abab`` when it goes back to the speaker two turns before (A-B-A), ``same_para`` when a
    quotation keeps the speaker of the quotation before it in the same paragraph. Fixed turns only allow their
    candidate, so they anchor the chain. Returns one candidate index per turn."""
    w_alt, w_abab, w_same = (float(w) for w in weights)
    n = len(turns)
    # the previous quotation in another paragraph (j1), and the one before that in yet another paragraph (j2)
    j1s: list[int] = []
    j2s: list[int] = []
    for t, x in enumerate(turns):
        j1 = t - 1
        while j1 >= 0 and turns[j1].last_para >= x.para:
            j1 -= 1
        j2 = j1 - 1
        while j2 >= 0 and j1 >= 0 and turns[j2].last_para >= turns[j1].para:
            j2 -= 1
        j1s.append(j1)
        j2s.append(j2 if j1 >= 0 else -1)
    states: list[tuple[float, list[int]]] = [(0.0, [])]
    for t, x in enumerate(turns):
        if not x.cands:
            states = [(s, [*p, -1]) for s, p in states]
            continue
        if x.fixed is not None:
            options = [x.fixed]
        else:
            options = sorted(range(len(x.cands)), key=lambda k: -x.logp[k])[:top]
        j1, j2 = j1s[t], j2s[t]
        same = t - 1 if t > 0 and turns[t - 1].last_para >= x.para else -1
        nxt: list[tuple[float, list[int]]] = []
        for s, path in states:
            s1 = turns[j1].cands[path[j1]] if j1 >= 0 and path[j1] >= 0 else None
            s2 = turns[j2].cands[path[j2]] if j2 >= 0 and path[j2] >= 0 else None
            s0 = turns[same].cands[path[same]] if same >= 0 and path[same] >= 0 else None
            for k in options:
                c = x.cands[k]
                sc = s + x.logp[k]
                if s1 is not None and c != s1:
                    sc += w_alt
                if s2 is not None and c == s2 and c != s1:
                    sc += w_abab
                if s0 is not None and c == s0:
                    sc += w_same
                nxt.append((sc, [*path, k]))
        nxt.sort(key=lambda z: -z[0])
        states = nxt[:beam]
    best = states[0][1] if states else []
    return [max(k, 0) if turns[t].cands else -1 for t, k in enumerate(best)] if n else []


def _log_softmax(scores: Sequence[float]) -> list[float]:
    mx = max(scores)
    z = mx + math.log(sum(math.exp(s - mx) for s in scores))
    return [s - z for s in scores]


def _conversations(att: _Attributor, idx: Sequence[int]) -> list[list[int]]:
    """The quotation indices ``idx`` (sorted) grouped by conversation."""
    out: list[list[int]] = []
    seen_lo = -1
    for i in idx:
        lo, _ = att._conversation(i)
        if out and lo == seen_lo:
            out[-1].append(i)
        else:
            out.append([i])
            seen_lo = lo
    return out


def run(story: Story, use_model: bool = True) -> None:
    att = rule_pass(story)
    model = load_model() if use_model else None
    if model is not None:
        rerank(att, model)
    att.finish()


def rule_pass(story: Story) -> _Attributor:
    """The rule passes only (for training the ranker): returns the attributor with its per-quote state."""
    att = _Attributor(story)
    att.collect()
    att.refine_first_person()
    att.attribute()
    if any(att.narr_ids):
        # Second pass with the narrators named, so that vocatives addressed to them exclude them as speakers.
        mapping = att.name_narrators()
        att.narr_ids = [mapping.get(n, n) if n else None for n in att.narr_ids]
        for x in att.qs:
            x.speaker, x.rule = None, "none"
        att.attribute()
    att.backfill()
    return att


STAGE = Stage(
    name="attribution",
    func=run,
    requires=("characters",),
    provides=("speakers", "addressees", "narrators"),
)

__all__ = ["RULES", "STAGE", "run", "title_gender"]
