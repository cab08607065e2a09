"""Local evidence in the narration around a quotation: words, sentences, subjects, speech tags and beats.

Everything here reads the text through a :class:`StoryIndex` (paragraphs, quotations and name mentions of one
story, each a :class:`fabula.spans.SpanIndex`) and returns :class:`Ref` values: a reference to a character by name,
pronoun, the narrator, a description ("the old man") or a plural.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fabula.lexicon import (
    APOS_S,
    CLAUSE_STARTERS,
    DESCRIPTION_PREPS,
    DETERMINERS,
    GENERIC_PERSON_NOUNS,
    GROUP_SUBJECTS,
    KIN,
    NON_PERSON_ENDING,
    NP_STOP,
    NUMBER_WORDS,
    OBJECT_PRONOUNS,
    PERCEPTION_VERBS,
    PERSON_NOUNS_F,
    PERSON_NOUNS_M,
    PERSON_PRONOUNS,
    PLURAL_PERSON_NOUNS,
    POSSESSIVE_PRONOUNS,
    PREPOSITIONS,
    SPEECH_NOUNS,
    SPEECH_VERBS,
    SUBJECT_PRONOUNS,
    TAG_FILLERS,
    TITLES,
    verb_like,
)
from fabula.spans import SpanIndex
from fabula.stages.characters.nouns import known_person_noun, personish
from fabula.stages.characters.persons import ACTION_VERBS
from fabula.stages.chat import LABEL_END, NARRATOR_LABELS
from fabula.stages.segment import is_abbrev
from fabula.story import Character, Mention, Section, Story

#: A word (a trailing full stop kept, for abbreviations) or a punctuation mark.
WORD = re.compile(r"[A-Za-z][\w'’\-]*\.?|[.!?;:,—]")
#: The lower-case word right after a position (a name's verb, if the name is a subject; a description's reporting
#: verb): read by :func:`fabula.stages.attribution.actors`, the narrators' ``_acts`` and ``resolve._speech_next``.
WORD_AFTER = re.compile(r"[ \t]+([a-z]+)\b")
# a sentence break candidate; not after an abbreviation ("Mrs. Archer murmured:"), see ``sentences``
_SENT_BREAK = re.compile(r"(?<=[.!?…])[\"'”’]?\s+(?=[\"“‘']?[A-Z])")

#: A token: the word (without an abbreviation's full stop), its start and end.
Token = tuple[str, int, int]


@dataclass(slots=True)
class Ref:
    """A reference found in narration: a character id, a pronoun gender, the narrator, or a nominal phrase."""

    kind: str  # "name" | "pronoun" | "narrator" | "nominal" | "plural"
    pos: int
    cid: str | None = None
    gender: str | None = None
    phrase: str | None = None
    weak: bool = False  # a possessive ("His hands fall") or an object ("The words choke me")


class StoryIndex:
    """Per-story lookups: paragraphs, quotations, name mentions, characters, sections."""

    def __init__(self, story: Story) -> None:
        self.story = story
        self.text = story.text
        para_spans = SpanIndex.of([(p.start, p.end) for p in story.paragraphs] or [(0, len(story.text))])
        self.paras: list[tuple[int, int]] = list(zip(para_spans.starts, para_spans.ends, strict=True))
        self._paras = para_spans
        #: the quotations' outer spans (with their quotation marks)
        self.quotes = SpanIndex.of((q.outer or (q.start, q.end)) for q in story.quotes if q.type != "mention")
        self.mentions: list[Mention] = [m for m in story.mentions if m.kind == "name" and m.character]
        self._mentions = SpanIndex((m.start, m.end, m) for m in self.mentions)
        self.m_at = {m.start: m for m in self.mentions}
        self.chars: dict[str, Character] = {c.id: c for c in story.characters}
        self.sections: list[Section] = story.sections
        self._sections = SpanIndex((s.start, s.end, k) for k, s in enumerate(story.sections))
        #: sections told in the second person, where "you" in narration is the narrator ("'Traffic,' you lie.")
        self._second = SpanIndex.of((s.start, s.end) for s in story.sections if s.person == "second")
        self._in_quote: dict[int, bool] = {}
        self._narration: tuple[list[int], list[str]] | None = None

    def para_of(self, pos: int) -> int:
        """The paragraph holding ``pos`` (the one before a gap between paragraphs, the first before them all)."""
        return max(0, self._paras.before(pos))

    def in_quote(self, pos: int) -> bool:
        hit = self._in_quote.get(pos)  # asked again and again for the same mentions: remembered
        if hit is None:
            hit = self._in_quote[pos] = self.quotes.containing(pos) >= 0
        return hit

    def narration_mentions(self) -> tuple[list[int], list[str]]:
        """Starts and characters of the name mentions outside quotations, in order (computed once, at first use:
        role mentions the sieve adds later are not in it; keeping it up to date cost PDNC lines, see
        ``docs/experiments.md``, stop 36)."""
        if self._narration is None:
            ms = [m for m in self._mentions.items if m.character is not None and not self.in_quote(m.start)]
            self._narration = ([m.start for m in ms], [m.character for m in ms if m.character is not None])
        return self._narration

    def add_mention(self, m: Mention) -> None:
        """Index one more mention (a role's description in a speech tag), in order."""
        if m.start in self.m_at:
            return
        self._mentions.insert(m.start, m.end, m)
        self.mentions.append(m)
        self.m_at[m.start] = m

    def mentions_in(self, a: int, b: int) -> list[Mention]:
        """Name mentions starting in ``[a, b)``, in order."""
        return self._mentions.within(a, b)

    def characters_named(self, key: str) -> list[Character]:
        """The characters whose name or an alias is ``key`` (lower case), in cast order."""
        return [c for c in self.chars.values() if key in {n.lower() for n in (c.name, *c.aliases)}]

    def narrator_word(self, word: str, pos: int) -> bool:
        """Whether ``word`` (lower case) at ``pos`` names the narrator: I/me/my, or you/your in a section told in
        the second person."""
        if word in ("i", "me", "my", "myself"):
            return True
        return word in ("you", "your", "yourself") and self._second.containing(pos) >= 0

    def section_of(self, pos: int) -> int:
        k = self._sections.at(pos)
        return -1 if k is None else k


#: :data:`WORD` with a word's letters (its full stop left out) as group 1
_WORD_TOKEN = re.compile(r"([A-Za-z][\w'’\-]*)\.?|[.!?;:,—]")
#: :data:`_WORD_TOKEN`'s words only
_WORD_ONLY = re.compile(r"([A-Za-z][\w'’\-]*)\.?")


def words(text: str, a: int, b: int) -> list[Token]:
    """The :data:`WORD` matches in ``text[a:b]``: (the word without its full stop, start, end)."""
    return [(m[1] or m[0], m.start(), m.end()) for m in _WORD_TOKEN.finditer(text, a, b)]


def sentences(text: str) -> list[str]:
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


def _pronoun_ref(g: str, pos: int, weak: bool = False) -> Ref:
    """The reference a pronoun of gender ``g`` ("m", "f", or "narr" for I/me/my) makes at ``pos``."""
    return Ref("narrator", pos, weak=weak) if g == "narr" else Ref("pronoun", pos, gender=g, weak=weak)


def _after_possessor(toks: list[Token], end: int) -> int | None:
    """Where the words after a possessor ending before token ``end`` start ("Mrs. Allen's reply", or "Mrs. Allen s
    reply" with the apostrophe lost in the source), or None when it is no possessor."""
    if APOS_S.search(toks[end - 1][0]):
        return end
    if end < len(toks) and toks[end][0] == "s":
        return end + 1
    return None


def _modifies(text: str, toks: list[Token], k: int, end: int) -> bool:
    """Whether the name at token ``k``, ending at ``end``, modifies a person noun right after it ("the Radical
    member")."""
    j = next((i for i in range(k + 1, min(k + 6, len(toks))) if toks[i][1] >= end), None)
    return j is not None and text[end : toks[j][1]].isspace() and toks[j][0].islower() and personish(toks[j][0])


def _noun_gender(head: str) -> str | None:
    """The gender a person noun gives, by the lexicon or a gendered last part ("midwife", "barmaid", "potboy")."""
    if head in PERSON_NOUNS_M:
        return "m"
    if head in PERSON_NOUNS_F or head.endswith(_FEMALE_PARTS):
        return "f"
    return "m" if head.endswith(_MALE_PARTS) else None


_FEMALE_PARTS = ("wife", "maid", "girl", "woman", "women")
_MALE_PARTS = ("boy",)


def plural_person(head: str) -> bool:
    """A plural person noun or a crowd: "men", "the girls", "the ladies", "the crowd"."""
    if head in PLURAL_PERSON_NOUNS:
        return True
    if not _plural_shape(head):
        return False
    singular = {head[:-1], head[:-2] if head.endswith("es") else "", head[:-3] + "y" if head.endswith("ies") else ""}
    return any(w in PERSON_NOUNS_M or w in PERSON_NOUNS_F or w in GENERIC_PERSON_NOUNS for w in singular if w)


def _plural_shape(word: str) -> bool:
    """Whether a word of four letters or more reads as a plural ("girls", "Schlegels"; not "glass", "Marquis")."""
    return len(word) >= 4 and word.endswith("s") and not word.endswith(("ss", "us", "is"))


def _is_speech(w: str) -> bool:
    return w.lower().rstrip(".") in SPEECH_VERBS


def _is_speech_ing(w: str) -> bool:
    """A speech verb's -ing form (``saying``, ``adding``, ``continuing``, ``beginning``)."""
    w = w.lower()
    if len(w) < 6 or not w.endswith("ing"):
        return False
    s = w[:-3]
    return (
        s in SPEECH_VERBS
        or s + "e" in SPEECH_VERBS
        or s + "ed" in SPEECH_VERBS  # "calling": "called"
        or (s[-1] == s[-2] and s[:-1] in SPEECH_VERBS)
    )






def _heard(ix: StoryIndex, toks: list[Token], j: int, k: int) -> Ref | None:
    """The speaker in ``heard <j…> <speech verb at k>``: the object of the verb of hearing (a name, a
    description, or him/her/me)."""
    if j < 1 or toks[j - 1][0].lower() not in PERCEPTION_VERBS:
        return None
    w, a, _ = toks[j]
    g = OBJECT_PRONOUNS.get(w.lower())
    if g is not None:
        return _pronoun_ref(g, a) if j + 1 == k else None
    ref, end = _subject(ix, toks, j)
    return ref if ref is not None and end == k else None


def clause_subject(ix: StoryIndex, toks: list[Token], k: int) -> Ref | None:
    """The subject of the clause that ends in the speech verb at ``k`` (``Her partner now drew near, and said,``;
    ``he prevented her by saying,``): the nearest name, pronoun or person description before it that starts a
    clause, at most 20 words back. After "and" (``Miss Bartlett stopped her wails and said``) or a comma before an
    -ing verb (``John Thorpe came running upstairs, calling out``), the subject of the clause it joins: the nearest name or pronoun followed by a lower-case word (its verb), not after a preposition."""
    joined = k >= 2 and (toks[k - 1][0].lower() == "and" or (toks[k - 1][0] == "," and _is_speech_ing(toks[k][0])))
    if joined:  # "… and said", "came running upstairs, calling out"
        for j in range(k - 2, max(-1, k - 12), -1):
            ref, end = _subject(ix, toks, j)
            if (
                ref is not None
                and ref.kind in ("name", "pronoun", "narrator")
                and end < k - 1
                and toks[end][0][:1].islower()
                and (j == 0 or toks[j - 1][0].lower() not in PREPOSITIONS)
            ):
                return ref
    for j in range(k - 1, max(-1, k - 21), -1):
        if j and toks[j - 1][0].lower() not in CLAUSE_STARTERS:
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
                (n for n in range(len(words), 1, -1) if personish(words[n - 1]) or words[n - 1] in GENERIC_PERSON_NOUNS),
                0,
            )
            if not n:
                continue
            return Ref("nominal", ref.pos, gender=_noun_gender(words[n - 1]), phrase=" ".join(words[:n]))
        return ref
    return None


def _a_person(ref: Ref) -> bool:
    """Whether a parsed subject can be a speaker: any name or pronoun, a description only with a person noun."""
    return ref.kind != "nominal" or personish((ref.phrase or "").split()[-1])


def _sentence_gap(text: str, a: Token, b: Token, lines: bool = True) -> bool:
    """Whether a sentence or clause ends between two tokens ("the younger man. He …" is no "man he"); a line break
    ends it too unless ``lines`` is False (hard-wrapped prose), when only a blank line does."""
    gap = text[a[2] : b[1]]
    return text[a[2] - 1] in ".!?" or any(c in ".!?;:—" for c in gap) or ("\n" if lines else "\n\n") in gap


def _subject(ix: StoryIndex, toks: list[Token], k: int) -> tuple[Ref | None, int]:
    """Parse a subject starting at token ``k``: a name mention, a pronoun, or a short noun phrase."""
    if k >= len(toks):
        return None, k
    w, a, _ = toks[k]
    m = ix.m_at.get(a)
    if m is not None:
        j = k + 1
        while j < len(toks) and toks[j][1] < m.end:
            j += 1
        return Ref("name", a, cid=m.character), j
    wl = w.lower()
    if wl == "you" and ix.narrator_word(wl, a):
        return Ref("narrator", a), k + 1  # "'Traffic,' you lie." in a story told in the second person
    if wl in SUBJECT_PRONOUNS:
        g = SUBJECT_PRONOUNS[wl]
        if g == "narr":
            return Ref("narrator", a), k + 1
        if g == "pl":
            return Ref("plural", a), k + 1
        return Ref("pronoun", a, gender=g), k + 1
    numbered = wl in NUMBER_WORDS and wl != "one" and k + 1 < len(toks) and _plural_word(toks[k + 1][0])
    if wl in GROUP_SUBJECTS or numbered:
        # "cried several voices", "all the others exclaimed", "said four people": a group, with up to three words
        # of its own, and "of them" ("all three of them shouted")
        j = _group_end(toks, k + 1, k + 3)
        if j + 1 < len(toks) and toks[j][0].lower() == "of" and toks[j + 1][0].lower() in ("them", "us", "you"):
            j += 2
        return Ref("plural", a), j
    if wl == "the" and k + 2 < len(toks) and toks[k + 1][0].lower() in ("whole", "entire"):
        return Ref("plural", a), _group_end(toks, k + 2, k + 4)  # "wailed the whole back row": all of a crowd
    named = ix.m_at.get(toks[k + 1][1]) if wl in ("the", "a") and k + 1 < len(toks) else None
    if named is not None and not _modifies(ix.text, toks, k + 1, named.end):
        # "said the General": a role name the characters stage knows (not "said the Radical member")
        return _subject(ix, toks, k + 1)
    if wl in DETERMINERS and k + 1 < len(toks) and toks[k + 1][0].lower() in SUBJECT_PRONOUNS:
        # "so great a fall that I said": a conjunction, then the subject
        return _subject(ix, toks, k + 1)
    if wl in DETERMINERS and k + 1 < len(toks):
        j = k + 1
        words = [wl]
        while (
            j < len(toks)
            and j <= k + 3
            and toks[j][0][0].isalpha()
            and not _sentence_gap(ix.text, toks[j - 1], toks[j])
            and toks[j][0].lower() not in SUBJECT_PRONOUNS
            and toks[j][0].lower() not in NP_STOP
            # ("the tall one": "one" after a word of description is its head, not a determiner)
            and (toks[j][0].lower() not in DETERMINERS or (toks[j][0].lower() == "one" and j > k + 1))
            and toks[j][0].lower() not in ("s", "'s", "’s")
            and not toks[j][0].lower().endswith("ly")
            and not _is_speech(toks[j][0])
            and not _cuts_in(toks, j)  # "his uncle broke in"
            and not _aux_speech(toks, j)  # "his mother had replied"
            # "the lady grieved", "the herald looked", "a nurse came out": a person noun's verb ends the phrase
            and not (
                (toks[j][0].endswith("ed") or toks[j][0] in ACTION_VERBS)
                and (_noun_gender(words[-1]) is not None or known_person_noun(words[-1]))
            )
        ):
            words.append(toks[j][0].lower().rstrip("."))
            j += 1
        if len(words) >= 2:
            head = words[-1]
            family = words[0] == "the" and len(words) == 2 and toks[j - 1][0][:1].isupper() and _plural_shape(head)
            if plural_person(head) or family:
                return Ref("plural", a), j  # "said the girls", "the Schlegels had said": a group
            ng = _noun_gender(head)
            # "the man with the black beard", "a lady in the group", "the elder of the two gentlemen": a definite
            # modifier makes the description a character of its own
            if (
                j + 2 < len(toks)
                and toks[j][0].lower() in DESCRIPTION_PREPS
                and toks[j + 1][0].lower() == "the"
                and toks[j + 2][1] - toks[j][2] < 8
            ):
                ext = [toks[j][0].lower(), "the"]
                m2 = j + 2
                while m2 < len(toks) and m2 <= j + 4 and toks[m2][0][0].isalpha():
                    w2 = toks[m2][0].lower().rstrip(".")
                    if (
                        _sentence_gap(ix.text, toks[m2 - 1], toks[m2], lines=False)  # "…grey coat. He …"
                        or w2 in SUBJECT_PRONOUNS
                        or w2 in NP_STOP
                        or w2 in DETERMINERS
                        or w2 in TAG_FILLERS
                        or _is_speech(w2)
                        or w2.endswith("ly")
                    ):
                        break
                    ext.append(w2)
                    m2 += 1
                # ("the young girl with the same placidity": a manner, not a second description)
                if len(ext) > 2 and not NON_PERSON_ENDING.search(ext[-1]):
                    return Ref("nominal", a, gender=ng, phrase=" ".join([*words, *ext])), m2
            return Ref("nominal", a, gender=ng, phrase=" ".join(words)), j
    return None, k


#: Speech verbs that take "in" when they interrupt: "put in", "broke in", "cut in", "chimed in".
_CUT_IN = frozenset("put puts broke breaks cut cuts chimed chimes struck strikes".split())


def tag_after(ix: StoryIndex, a: int, b: int, loose: bool = False) -> Ref | None:
    """``said Elizabeth`` / ``Elizabeth said`` / ``she asked`` / ``I whisper`` right after a quotation.
    ``loose``: the quotation's sentence runs on into this narration (``"…," he echoed``), so the clause is its
    reporting clause whatever the verb: a subject then any past-tense verb (or the verb first) is the tag."""
    toks = words(ix.text, a, min(b, a + 120))
    while toks and toks[0][0] in ",—":
        toks = toks[1:]
    if not toks or toks[0][0] in ".!?;:":
        return None
    toks = toks[:10]
    if toks[0][0].lower() in ("was", "were"):
        return _possessed_speech(ix, toks)
    if len(toks) > 1 and _adverb(toks[0][0]) and _is_speech(toks[1][0]):
        toks = toks[1:]  # "meekly answered Jo"
    # VERB SUBJ: said Elizabeth / cried her mother / said he / put in the sergeant
    cut_in = toks[0][0].lower() in _CUT_IN and len(toks) > 1 and toks[1][0].lower() == "in"
    if _is_speech(toks[0][0]) or cut_in:
        k = 1
        if k < len(toks) and (
            toks[k][0].lower() in ("on", "out", "up") or cut_in  # "put in the sergeant"
        ):
            k += 1
        if k < len(toks) and _adverb(toks[k][0]):
            k += 1
        ref, _ = _subject(ix, toks, k)
        if ref is not None:
            return ref
    if loose and _past_verb(toks, 0) and toks[0][0].islower():
        # "instructed her husband", "grieved the old lady"
        ref, _ = _subject(ix, toks, 1)
        if ref is not None and ref.kind in ("name", "pronoun", "nominal"):
            return ref
    ref, k = _subject(ix, toks, 0)
    if ref is None:
        return None
    if k + 2 < len(toks) and toks[k][0].lower() in PERCEPTION_VERBS:
        # '"…," Archer heard Reggie Chivers say'
        for v in range(k + 2, min(k + 5, len(toks))):
            if _is_speech(toks[v][0]) or _is_speech_ing(toks[v][0]):
                return _heard(ix, toks, k + 1, v)
    k = _past_fillers(toks, k, plural=ref.kind == "plural")
    if k < len(toks) and (_is_speech(toks[k][0]) or _cuts_in(toks, k)):
        return ref
    person = ref.kind in ("name", "pronoun", "narrator") or (ref.kind == "nominal" and ref.gender is not None)
    if loose and person and _past_verb(toks, k):
        return ref
    return None


def _cuts_in(toks: list[Token], k: int) -> bool:
    """``put in`` / ``broke in`` at token ``k``, closing its clause ('"…," his aunt put in.', "broke in,
    smiling"), not "put in a word"."""
    if k + 1 >= len(toks) or toks[k][0].lower() not in _CUT_IN or toks[k + 1][0].lower() != "in":
        return False
    return k + 2 >= len(toks) or not toks[k + 2][0][0].isalpha() or _adverb(toks[k + 2][0])


#: Auxiliaries between a tag's subject and its verb: "his mother had replied", "the carter would say".
_AUXILIARIES = frozenset("had has have would could should will shall might must can did does used to".split())


def _past_fillers(toks: list[Token], k: int, plural: bool = False) -> int:
    """The token after at most three tag fillers, auxiliaries or manner adverbs from token ``k`` ("had", "would
    only", "once more", "softly"; after a plural subject also "all", "both": "they all shouted")."""
    for _ in range(3):
        word = toks[k][0] if k < len(toks) else ""
        w = word.lower()
        if w in TAG_FILLERS or w in _AUXILIARIES or _adverb(word) or (plural and w in ("all", "both")):
            k += 1
    return k


def _aux_speech(toks: list[Token], k: int) -> bool:
    """Fillers or auxiliaries from token ``k`` (:func:`_past_fillers`, at least one), then a speech verb ("had
    replied", "would say", "could only add", "then asked", "once more said"): the verb of a tag whose subject ends
    before token ``k``."""
    j = _past_fillers(toks, k)
    return k < j < len(toks) and (_is_speech(toks[j][0]) or _cuts_in(toks, j))


def _adverb(word: str) -> bool:
    """A manner adverb in a tag ("said softly"); a capitalised word ending so is a name ("said Polly", "Emily")."""
    return word[:1].islower() and word.endswith("ly")


def _group_end(toks: list[Token], j: int, last: int) -> int:
    """The token after a group's own words, from ``j`` to ``last`` at most: up to a stop word, a speech verb or a
    tag filler."""
    while j < len(toks) and j <= last and toks[j][0][0].isalpha() and toks[j][0].lower() not in NP_STOP:
        if _is_speech(toks[j][0]) or toks[j][0].lower() in TAG_FILLERS:
            break
        j += 1
    return j


def _plural_word(w: str) -> bool:
    """A plural noun after a number ("three voices", "four people")."""
    wl = w.lower()
    return wl in PLURAL_PERSON_NOUNS or (len(wl) > 3 and wl.endswith("s") and not wl.endswith("ss"))


def _past_verb(toks: list[Token], k: int) -> bool:
    """A past-tense verb of any kind at token ``k`` (``echoed``, ``was shouting``): the verb of a reporting
    clause whose sentence the quotation began."""
    if k >= len(toks):
        return False
    w = toks[k][0]
    ending = "ing" if k and toks[k - 1][0] in ("was", "were") else "ed"
    return w.isalpha() and len(w) > 4 and w.endswith(ending)




def _possessed_speech(ix: StoryIndex, toks: list[Token]) -> Ref | None:
    """The speaker in ``was Mrs. Allen's reply`` / ``was his short, full answer`` / ``was all Beth said`` (``toks``
    start at "was")."""
    if len(toks) > 3 and toks[1][0] == "all":
        said, k = _subject(ix, toks, 2)
        return said if said is not None and k < len(toks) and _is_speech(toks[k][0]) else None
    k = 2 if len(toks) > 2 and toks[1][0].lower() == "the" else 1
    if k >= len(toks):
        return None
    w, a, _ = toks[k]
    g = POSSESSIVE_PRONOUNS.get(w.lower())
    ref: Ref | None
    if g is not None:
        ref, k = _pronoun_ref(g, a), k + 1
    else:
        ref, end = _subject(ix, toks, k)
        after = _after_possessor(toks, end) if ref is not None and ref.kind == "name" else None
        if after is None:
            return None
        k = after
    for j in range(k, min(k + 4, len(toks))):
        if toks[j][0].lower() in SPEECH_NOUNS:
            return ref
        if not toks[j][0][0].isalpha() and toks[j][0] != ",":
            return None
    return None


def tag_before(ix: StoryIndex, a: int, b: int, loose: bool = False) -> Ref | None:
    """``Elizabeth said:`` / ``he added sharply,`` in the last clause before a quotation. ``loose``: a clause
    that introduces the quotation with a colon takes any past-tense verb (``May echoed, bewildered:``)."""
    chunk = ix.text[a:b]
    stripped = chunk.rstrip(" \n\t\"“‘'")
    if not stripped:
        return None
    label = LABEL_END.search(chunk)
    if label is not None:
        return _label_ref(ix, a + label.start("name"), label.group("name"))
    sents = sentences(stripped)
    last = sents[-1]
    off = a + len(stripped) - len(last)
    toks = words(ix.text, off, off + len(last))
    if not toks:
        return None
    ends_intro = stripped[-1:] in ":,—–-"
    # the speech verb nearest the quotation first: '…," said Mrs. Hale; and Mrs. Hill murmured: "…"'
    for k in reversed(range(len(toks))):
        # "…, saying:" / "…, calling out," / "…'s saying, with a little confusion,": an -ing speech verb closing
        # the introduction
        ing = ends_intro and _is_speech_ing(toks[k][0]) and _closes_intro(ix, toks, k, stripped[-1])
        speech = ing or _is_speech(toks[k][0])
        # any past-tense verb closing a colon introduction with no object ("Anna echoed, bewildered:", not
        # "evoked the answer:"), its subject right before it
        any_verb = (
            loose
            and not speech
            and stripped[-1] == ":"
            and _past_verb(toks, k)
            and not any(t[0].lower() in DETERMINERS for t in toks[k + 1 :])
        )
        if not speech and not any_verb:
            continue
        if k and toks[k - 1][0].lower() in DETERMINERS:
            continue  # a noun: "evoked the answer:"
        for j in range(max(0, k - 4), k) if speech else ():
            heard = _heard(ix, toks, j, k)
            if heard is not None:
                return heard
        # subject right before the verb, only adverbs or auxiliaries between
        for j in range(max(0, k - 4), k):
            ref, end = _subject(ix, toks, j)
            if ing and ref is not None and end < k and toks[end][0] == "s":
                end += 1  # "by Miss Tilney s saying," (the apostrophe lost): a possessive before the gerund
            if (
                ref is not None
                and end <= k
                and all(t[0].lower() in TAG_FILLERS or t[0].lower().endswith("ly") for t in toks[end:k])
                and (ends_intro or k >= len(toks) - 4)
            ):
                return ref
        if not speech:
            continue
        # inverted: "thus spoke Mary:"
        if ends_intro and k + 1 < len(toks) - 1:
            ref, end = _subject(ix, toks, k + 1)
            if ref is not None and end == len(toks) - 1 and _a_person(ref):
                return ref
        # the verb closes the introduction, at most a manner or a listener after it ("and said,", "by saying,",
        # "said in a curious, strained voice"): the subject of its clause
        if _closes_intro(ix, toks, k, stripped[-1]):
            ref = clause_subject(ix, toks, k)
            if ref is not None:
                return ref
    return None


def _label_ref(ix: StoryIndex, pos: int, name: str) -> Ref | None:
    """The speaker a message or script label names (``Jess:``, ``JESS:``, ``Me:``, :mod:`fabula.stages.chat`)."""
    m = ix.m_at.get(pos)
    if m is not None:
        return Ref("name", pos, cid=m.character)
    if name.lower() in NARRATOR_LABELS:
        return Ref("narrator", pos)
    named = ix.characters_named(name.lower())
    return Ref("name", pos, cid=named[0].id) if len(named) == 1 else None


def _closes_intro(ix: StoryIndex, toks: list[Token], k: int, last_char: str) -> bool:
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
        if not listener and (w.lower() in SUBJECT_PRONOUNS or a in ix.m_at):
            return False
    return True


def _second_clause_subject(ix: StoryIndex, toks: list[Token], k: int) -> Ref | None:
    """The subject of a clause joined by "and"/"but" after a subject that is no person ("The door swings open and
    Mr. Halvorsen leans out"): a name or a pronoun, then a verb in -s or -ed."""
    for j in range(max(k, 1), len(toks) - 1):
        if toks[j - 1][0].lower() not in ("and", "but"):
            continue
        ref, end = _subject(ix, toks, j)
        if ref is None or ref.kind not in ("name", "pronoun", "narrator") or end >= len(toks):
            continue
        verb = toks[end][0].lower()
        if _is_speech(verb) or verb_like(verb):
            return ref
    return None


def _intro_clause_subject(ix: StoryIndex, toks: list[Token], k: int) -> Ref | None:
    """The subject after an opening phrase set off by a comma ("Later, when the kettle had boiled, Mr Okafor
    knocked at the window."): a name right after a comma among the sentence's first words, then a verb (a pronoun
    there is left to the pronoun evidence)."""
    text = ix.text
    for j in range(k + 1, min(len(toks) - 1, k + _INTRO_WORDS)):
        if "," not in text[toks[j - 1][2] : toks[j][1]]:
            continue
        ref, end = _subject(ix, toks, j)
        if ref is None or ref.kind != "name" or end >= len(toks):
            continue
        verb = toks[end][0].lower()
        if _is_speech(verb) or verb_like(verb):
            return ref
    return None


#: How far into a sentence an opening phrase may run before its subject (:func:`_intro_clause_subject`).
_INTRO_WORDS = 14

#: Titles written abbreviated, never nouns of their own ("Mr." cut from "Mr. Wopsle").
_ABBREVIATED = frozenset("mr mrs ms mme mlle dr".split())


def _titled_subject(ref: Ref) -> bool:
    """A description headed by a title or a kinship word used as a noun ("the duchess", "the General", "her
    father"), not "Mr." cut from its name."""
    words = (ref.phrase or "").split()
    return ref.kind == "nominal" and bool(words) and words[-1] in TITLES - _ABBREVIATED


def _role_subject(ref: Ref) -> bool:
    """A description headed by a person noun of a trade or station, not a generic or family one ("The waitress
    hovered with the pot.", "The old smith raised his hand"; not "The young man laughed", "Her mother sighed")."""
    words = (ref.phrase or "").split()
    return (
        ref.kind == "nominal"
        and len(words) in (2, 3)
        and words[0] == "the"
        and words[-1] not in GENERIC_PERSON_NOUNS
        and words[-1] not in KIN
        and known_person_noun(words[-1])
    )


def _named_after_noun(ix: StoryIndex, toks: list[Token], k: int) -> Ref | None:
    """The name right after a person noun that follows the possessive at ``k`` ("My little sister Ivy", "her
    cousin Rhys"): the sentence's subject."""
    for j in range(k + 2, min(k + 4, len(toks))):
        m = ix.m_at.get(toks[j][1])
        if m is not None and m.character:
            return Ref("name", toks[j][1], cid=m.character) if known_person_noun(toks[j - 1][0].lower()) else None
    return None


def sentence_subjects(ix: StoryIndex, a: int, b: int, described: bool = False) -> list[Ref]:
    """Subjects of narration sentences in ``[a, b)``: a leading name, pronoun or possessive (``His eyes…``).
    ``described``: any description too, as parsed ("the captain was lying"), not only a title or a trade."""
    out: list[Ref] = []
    text = ix.text
    chunk = text[a:b]
    pos = 0
    for sent in sentences(chunk):
        off = a + chunk.find(sent, pos)
        pos = off - a + len(sent)
        # words(text, off, off + len(sent)) without its punctuation marks (the same words: a mark is no letter)
        toks = [(m[1], m.start(), m.end()) for m in _WORD_ONLY.finditer(text, off, off + len(sent))]
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
        if ref is not None and (ref.kind != "nominal" or described or _titled_subject(ref) or _role_subject(ref)):
            out.append(ref)  # a title too ("The duchess pushed back her hood."): see resolve.beat_speaker
            continue
        if w in POSSESSIVE_PRONOUNS or (w == "your" and ix.narrator_word(w, toks[k][1])):
            kin = _named_after_noun(ix, toks, k)
            if kin is not None:
                out.append(kin)  # "My little sister Ivy came thundering down": Ivy, not the narrator
                continue
            g = POSSESSIVE_PRONOUNS.get(w, "narr")
            out.append(_pronoun_ref(g, toks[k][1], weak=True))
            continue
        joined = _second_clause_subject(ix, toks, k + 1) or _intro_clause_subject(ix, toks, k)
        if joined is not None:
            out.append(joined)
            continue
        # first name mention of the sentence within its first few words
        for t in toks[k + 1 : k + 4]:
            m = ix.m_at.get(t[1])
            if m is not None:
                out.append(Ref("name", t[1], cid=m.character))
                break
        else:
            # "The words choke me." — the narrator as the only person in the sentence
            people = [
                t
                for t in toks
                if t[0].lower().rstrip(".") in PERSON_PRONOUNS
                or ix.m_at.get(t[1]) is not None
                or ix.narrator_word(t[0].lower(), t[1])
            ]
            if people and all(ix.narrator_word(t[0].lower().rstrip("."), t[1]) for t in people):
                out.append(Ref("narrator", people[0][1], weak=True))
    return out
