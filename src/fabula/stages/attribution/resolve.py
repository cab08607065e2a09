"""Who a reference stands for: pronouns and descriptions in tags and beats resolved to characters (or to new,
unnamed ones: "the old woman", a role such as "the mariner"), and the subjects of the narration around a quotation.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator

from fabula.lexicon import (
    DESCRIPTION_PREPS,
    FAMILY_TITLES,
    GENERIC_PERSON_NOUNS,
    KIN,
    NOBLE_TITLES,
    NP_STOP,
    ORDINALS,
    PERSON_NOUNS_F,
    PERSON_NOUNS_M,
    RANKS,
    TITLE_WORDS,
    TITLES,
)
from fabula.stages.attribution.evidence import WORD_AFTER, Ref
from fabula.stages.attribution.state import AttributionState, QuoteState
from fabula.stages.characters.nouns import known_person_noun, personish, unlisted_noun
from fabula.story import Character

#: How a character known only by a pronoun is shown ("he" speaks: "the unnamed man").
UNNAMED = {"he": "the unnamed man", "she": "the unnamed woman", "someone": "someone unnamed"}
#: An indefinite or definite description: "a tall girl", "the old man".
_DESCRIPTION = re.compile(r"\b(?:[Aa]n?|[Tt]he)\s+(?=((?:[a-z]+\s+){0,3}[A-Za-z][a-z]+)\b)")
#: Text before a name that puts it in subject position: a sentence start, or a clause start after a conjunction.
_SUBJECT_BEFORE = re.compile(
    r"(?:^|[.!?;:][\"”’']?\s+|\n\s*[\"“]?|\b(?:and|but|then|when|while|as|so|till|until|before|after|"
    r"because|though|although|where|now)\s+)$",
    re.IGNORECASE,
)


def unnamed_character(st: AttributionState, x: QuoteState, gender: str | None, phrase: str | None) -> str:
    """The character known only by ``phrase`` (or by a pronoun of ``gender``) in the quotation's section; "my
    mother" is one character in every section the same narrator tells."""
    key_scope: int | str = x.section
    if phrase is not None and phrase.startswith("my "):
        key_scope = st.narrator_of(x) or x.section
    if phrase is None and gender in ("m", "f"):
        phrase = described(st, x, gender)
    label = phrase or ("he" if gender == "m" else "she" if gender == "f" else "someone")
    key = (key_scope, label)
    cid = st.unnamed.get(key)
    if cid is None:
        cid = f"u{len(st.unnamed)}"
        st.unnamed[key] = cid
        name = UNNAMED.get(label, label)
        st.new_chars.append(Character(id=cid, name=name, aliases=[label], gender=gender))
        st.gender[cid] = gender
    return cid

_TITLED_NOUNS = NOBLE_TITLES | RANKS


def described(st: AttributionState, x: QuoteState, gender: str) -> str | None:
    """How the narration last described a person of ``gender`` in the quotation's paragraph or the three
    before it ("a lean hunchbacked old woman" → ``the old woman``): the name of a speaker known only as "she"."""
    nouns = (PERSON_NOUNS_M if gender == "m" else PERSON_NOUNS_F) - KIN
    titled = _TITLED_NOUNS & nouns
    a = st.ix.paras[max(0, x.para - 3)][0]
    b = (x.quote.outer or (x.quote.start, x.quote.end))[0]
    best = None
    for m in _DESCRIPTION.finditer(st.text, a, b):
        words = m.group(1).split()
        # a title written as a name ("The Queen received them") is a description too
        n = next((k for k, w in enumerate(words) if w in nouns or (w.istitle() and w.lower() in titled)), -1)
        if n >= 0 and all(w not in NP_STOP for w in words[:n]) and not st.ix.in_quote(m.start()):
            best = words[max(0, n - 1) : n + 1]  # the noun and the word before it: "the old woman"
    return " ".join(["the", *best]) if best else None

def role_character(st: AttributionState, ref: Ref) -> str | None:
    """``the mariner``, ``the Mouse``, ``the croupier``, ``the man with the black beard``: a role that is a
    character of its own (one per story), unless the phrase is a generic person noun (``the young man``) or a
    relative (``her sister``). A title (``the Duchess``, ``the general``) is the character holding it."""
    words = (ref.phrase or "").split()
    pp = next(
        (
            k
            for k in range(2, len(words) - 1)
            if words[k] in DESCRIPTION_PREPS and words[k + 1] == "the"
        ),
        0,
    )
    modified = pp > 0
    if not words or words[0] not in ("the", "this", "that", *(("a", "an") if modified else ())):
        return None
    head = words[pp - 1] if modified else words[-1]
    capital = head[:1].upper() + head[1:]
    written = st.ix.text[ref.pos : ref.pos + len(ref.phrase or "") + 1]
    # a generic noun written as a name ("the Voice", "the Stranger") is a role of its own
    named = re.search(rf"\b{re.escape(capital)}\b", written) is not None
    # "the second man" is not "the first man": an ordinal makes a generic noun someone of their own
    counted = len(words) == 3 and words[1] in ORDINALS and words[2] not in ORDINALS
    # and "the tall one" is not "the small one": a word of description picks someone out of a group the narration
    # brought in ("two women, a tall one and a small one"; "said the artful one", met nowhere before, is an epithet)
    counted = counted or (
        _described_one(words)
        and re.compile(rf"\b(?:a|an|the) {re.escape(words[1])} one\b").search(st.text, 0, ref.pos) is not None
    )
    # "said the eldest" right after "the king's three sons": one of a counted group, someone of their own
    counted = counted or (
        len(words) == 2
        and words[1] in _RANKED
        and _COUNTED_GROUP.search(st.text, max(0, ref.pos - 600), ref.pos) is not None
    )
    if not modified and head in GENERIC_PERSON_NOUNS and not named and not counted:
        return None
    label = " ".join(words[1:])
    # a title of rank with a place first: "the duchess" is the Duchess of Monmouth (named last), not a bare
    # "Duchess" addressed to both duchesses of the story
    # "said the squire in the same breath": a title held in the story names its holder whatever follows, unless
    # "of" makes it another one ("the captain of the other ship")
    titled = titled_character(st, head, ref.pos) if not modified or words[pp] != "of" else None
    if titled is not None and modified:
        return titled
    if titled is not None and " of " in st.ix.chars[titled].name:
        return titled
    for c in st.story.characters:
        names = {c.name.lower(), *(a.lower() for a in c.aliases)}
        if label in names or f"the {label}" in names or (not modified and head in names):
            return c.id
    if titled is not None:
        return titled
    if (
        not modified
        and not counted
        and not _speaker_head(st.ix.text, ref)
        and not addressed_title(st, head)
        and capital not in st.ix.text[ref.pos : ref.pos + 60]
    ):
        return None
    det = words[0] if modified else "the"
    name = " ".join([det, *words[1:-1], capital if named and not modified else words[-1]])
    if named and not modified:
        # as written: "the White Rabbit", not "the white Rabbit"
        seen = st.ix.text[ref.pos : ref.pos + len(ref.phrase or "") + 8].split()[: len(words)]
        if [w.lower().strip(".,;:!?") for w in seen] == words:
            name = " ".join(["the", *(w.strip(".,;:!?") for w in seen[1:])])
    key = (-1, name.lower())
    cid = st.unnamed.get(key)
    if cid is None:
        cid = f"u{len(st.unnamed)}"
        st.unnamed[key] = cid
        g = ref.gender
        st.new_chars.append(Character(id=cid, name=name, aliases=[name], gender=g))
        st.gender[cid] = g
    return cid

#: Punctuation (or the end of the text) right after a description: its last word is its head noun.
_PHRASE_END = re.compile(r"\s*(?:[,.;:!?—–…)]|$)")


#: Words that pick one of a counted group ("the eldest", "the second"; "the elder" is mostly one of two known).
_RANKED = frozenset("eldest youngest oldest first second third".split())
#: A counted group of people: "his three sons", "two sisters".
_COUNTED_GROUP = re.compile(
    r"\b(?:two|three|four|five|six|seven)\s+(?:\w+\s+)?(?:sons|daughters|brothers|sisters|children|girls|boys|princes"
    r"|princesses|men|women)\b",
    re.IGNORECASE,
)
#: Words before "one" that describe no one ("the other one", "the same one", "the right one").
_NO_DESCRIPTION = frozenset("other same last latter former next only right wrong very".split())


def _described_one(words: list[str]) -> bool:
    """"the tall one", "the younger one": someone picked out of a group by a word of description."""
    return len(words) == 3 and words[0] == "the" and words[2] == "one" and words[1] not in _NO_DESCRIPTION


def _speaker_head(text: str, ref: Ref) -> bool:
    """Whether a tag's description names someone by its last word: a person noun (:func:`personish`), or a word
    no person noun list knows (:func:`unlisted_noun`: "said the bailiff") when the description ends there, not
    cut short before its noun ("shivered the tranquil air")."""
    words = (ref.phrase or "").split()
    if not words:
        return False
    end = ref.pos + len(ref.phrase or "")
    return personish(words[-1]) or (
        unlisted_noun(words[-1])
        and (_PHRASE_END.match(text, end) is not None or _speech_next(text, end, words[-1]))
    )


def addressed_title(st: AttributionState, head: str) -> bool:
    """Whether ``head`` is a title the story's people say to someone alone ("Sorry, Coach.", "Yes, Judge."): then
    "the coach said" names a person, although the word also names a vehicle ("the coach drew up")."""
    if head not in TITLES or len(head) < 2:
        return False
    found = st.addressed_titles.get(head)
    if found is None:
        capital = head[:1].upper() + head[1:]
        pattern = re.compile(rf"(?:[,.!?]\s+|[\"“‘'])({re.escape(capital)})[,.!?]")
        found = st.addressed_titles[head] = any(st.ix.in_quote(m.start(1)) for m in pattern.finditer(st.text))
    return found


#: Verbs that only report speech, in the forms a tag uses ("began", "went on", "returned" also move things).
_REPORTING = frozenset(
    "said says asked asks replied replies answered answers called calls added adds cried cries shouted shouts "
    "whispered whispers murmured murmurs muttered mutters exclaimed exclaims declared declares snapped snaps "
    "insisted insists demanded demands".split()
)


def _speech_next(text: str, end: int, head: str) -> bool:
    """Whether a reporting verb follows a singular description ('"…," the barkeep says'): its last word is its
    head noun (not "The heavy hinges began to move")."""
    m = WORD_AFTER.match(text, end)
    return m is not None and m.group(1) in _REPORTING and not (head.endswith("s") and not head.endswith("ss"))


def titled_character(st: AttributionState, head: str, pos: int) -> str | None:
    """``the duchess`` → the character whose name carries that title (the one mentioned last when several)."""
    # the title as written or abbreviated: "the doctor" is Dr. Nwosu, "the captain" Capt. Hook
    titles = ({head} | {k for k, v in TITLE_WORDS.items() if v == head}) & TITLES
    if not titles:
        return None
    holders = {
        c.id
        for c in st.story.characters
        if titles & {w.lower().rstrip(".") for n in (c.name, *c.aliases) for w in n.split()[:-1] or [""]}
    }
    if len(holders) <= 1:
        return next(iter(holders), None)
    for m in reversed(st.ix.mentions_in(0, pos)):
        if m.character in holders:
            return m.character
    return None



#: How far back (code points) a pronoun's antecedent is looked for (its paragraph, or up to six before): further
#: than any PDNC novel needs (checked: no attribution changes), so it only bounds the work in pathological,
#: enormous paragraphs, which would otherwise be walked whole for each quotation.
PRONOUN_REACH = 40_000


def resolve_pronoun(
    st: AttributionState, i: int, ref: Ref, recent_only: bool = False, exclude: Iterable[str] = ()
) -> str | None:
    """The character a narration ``he``/``she`` at ``ref.pos`` refers to (none of ``exclude``)."""
    x = st.qs[i]
    ix = st.ix
    narr = st.narrator_of(x)
    excluded = set(x.vocatives) | set(exclude)
    if narr:
        excluded.add(narr)
    g = ref.gender
    # same paragraph, narration mentions before the pronoun: sentence subjects first, then nearest
    p0 = ix.paras[x.para][0]
    cands: list[str] = []
    # the nearest first: stop at the first of the right gender (an enormous paragraph is not walked whole), and
    # look no further back than PRONOUN_REACH
    for m in reversed(ix.mentions_in(max(p0, ref.pos - PRONOUN_REACH), ref.pos)):
        if ix.in_quote(m.start) or m.character is None or m.character in excluded:
            continue
        if st.gender.get(m.character) == g:
            return m.character
        if not cands and st.gender_ok(m.character, g):
            cands.append(m.character)
    # conversation participants
    parts = [c for c in st.participants(i) if c not in excluded]
    gparts = [c for c in parts if st.gender.get(c) == g]
    prev = st.qs[i - 1].speaker if i > 0 else None
    if len(gparts) == 1:
        return gparts[0]
    if len(gparts) > 1:
        # alternation: not the previous speaker when this is a new paragraph
        if prev in gparts and st.qs[i - 1].last_para < x.para:
            gparts.remove(prev)
        return gparts[0]
    if cands:
        return cands[0]
    if recent_only:
        return None
    # earlier paragraphs (up to 6), narration mentions, most recent first
    start = ix.paras[max(0, x.para - 6)][0]
    for m in reversed(ix.mentions_in(start, p0)):
        if m.character in excluded or m.character is None or not st.salient(m.character):
            continue
        if st.gender.get(m.character) == g and not ix.in_quote(m.start):
            return m.character
    # anywhere recent, including names inside quotations, and other sections' narrators
    start = max(0, ref.pos - 20000)
    for m in reversed(ix.mentions_in(start, p0)):
        if m.character in excluded or m.character is None or not st.salient(m.character):
            continue
        if st.gender.get(m.character) == g:
            return m.character
    return None



def resolve_ref(st: AttributionState, i: int, ref: Ref) -> tuple[str | None, str]:
    x = st.qs[i]
    if ref.kind == "name":
        return ref.cid, "tag_name"
    if ref.kind == "narrator":
        narr = st.narrator_of(x)
        if narr:
            return narr, "tag_narrator"
        return None, "none"
    if ref.kind == "pronoun":
        cid = resolve_pronoun(st, i, ref) or kin_antecedent(st, i, ref)
        if cid is None:
            cid = unnamed_character(st, x, ref.gender, None)
        return cid, "tag_pronoun"
    if ref.kind == "nominal" and ref.phrase:
        cid = resolve_nominal(st, i, ref)
        if cid is not None:
            return cid, "tag_nominal"
        head = ref.phrase.split(" ", 1)[1] if " " in ref.phrase else ref.phrase
        for c in st.story.characters:
            if head == c.name.lower() or head in (a.lower() for a in c.aliases):
                return c.id, "tag_nominal"
        core = ref.phrase.split()
        core = core[: next((k for k, w in enumerate(core) if k and w in DESCRIPTION_PREPS), len(core))]
        if (
            not _speaker_head(st.ix.text, ref)
            and core[-1] not in GENERIC_PERSON_NOUNS
            and not known_person_noun(core[-1])  # "said the thief": a person's head by the learned table
            and not addressed_title(st, core[-1])
        ):
            return None, "none"  # "said the instant", "cried a gay": no person to make a speaker of
        # "her mother", "the courier": a character of its own, known by the description
        return unnamed_character(st, x, ref.gender, ref.phrase), "tag_nominal"
    return None, "none"

#: A relative named by a possessive in the narration: "my mother", "his wife".
_KIN_PHRASE = re.compile(r"\b(my|his|her|our) (" + "|".join(sorted(KIN)) + r")\b", re.IGNORECASE)


def kin_antecedent(st: AttributionState, i: int, ref: Ref) -> str | None:
    """Who a ``he``/``she`` with no named antecedent stands for when the narration of the quotation's paragraph or
    the one before last spoke of a relative of that gender ("my mother made them a speech. … she said"): the
    character the relative is ("Mrs. Hawkins"), else one known by that phrase, as a tag "said my mother" makes."""
    x = st.qs[i]
    if ref.gender not in ("m", "f"):
        return None
    nouns = PERSON_NOUNS_F if ref.gender == "f" else PERSON_NOUNS_M
    found = None
    for m in _KIN_PHRASE.finditer(st.text, st.ix.paras[max(0, x.para - 1)][0], ref.pos):
        if m.group(2).lower() in nouns and not st.ix.in_quote(m.start()):
            found = m
    if found is None:
        return None
    phrase = found.group().lower()
    kin = Ref("nominal", found.start(), gender=ref.gender, phrase=phrase)
    return resolve_nominal(st, i, kin) or unnamed_character(st, x, ref.gender, phrase)


def _family_titled(st: AttributionState, cls: str) -> list[tuple[str, str]]:
    """The characters whose name opens with the family title ``cls`` ("mrs", "mr"), as (id, surname), the
    shortest name first ("Mrs. Dashwood" before "Mrs. John Dashwood")."""
    return [
        (d.id, parts[-1])
        for d in sorted(st.story.characters, key=lambda d: len(d.name))
        if (parts := d.name.lower().replace(".", "").split()) and parts[0] == cls
    ]


#: The narrator's relatives whom a first-person story seldom names: "said my father" is someone of their own.
_PARENTS = frozenset(["mother", "father"])
#: "my" in lower case, as a tag's subject after the verb or the quotation's comma ("cried my sister").
_MY = re.compile(r"my\s")


def narrators_kin(text: str, ref: Ref) -> bool:
    """Whether a tag's description is a first-person narrator's relative ("cried my sister", '"…," my father
    said'), not a sentence of its own after the quotation ('"Much company?" My father told him no.')."""
    words = (ref.phrase or "").split()
    return len(words) == 2 and words[1] in KIN and _MY.match(text, ref.pos) is not None


def _kin_set_beside(st: AttributionState, ref: Ref) -> str | None:
    """The character the narration names beside the narrator's relative before the tag at ``ref``: "My sister,
    Mrs. Joe Gargery, was …", "my sister Rose" (the last such before it, of the relative's gender)."""
    phrase = ref.phrase or ""
    key = f"beside {phrase}"
    kin = st.kin_named.get(key)
    if kin is None:
        kin = st.kin_named[key] = [
            (m.start(), d.character)
            for m in re.finditer(rf"\b{phrase}(,[ \t\n]*|[ \t\n]+)(?=[A-Z])", st.text, re.IGNORECASE)
            if not st.ix.in_quote(m.start())
            and (d := st.ix.m_at.get(m.end())) is not None
            and d.character is not None
            and st.gender.get(d.character) in (None, ref.gender)  # the relative's gender, by its noun
            and (m.group(1)[0] != "," or st.text[d.end : d.end + 1] in (",", ".", ";", ":"))
        ]
    k = bisect_left(kin, (ref.pos, ""))
    return kin[k - 1][1] if k else None


def resolve_nominal(st: AttributionState, i: int, ref: Ref) -> str | None:
    """``the other``, ``the former``/``the latter``, ``her mother`` (Mrs. + the daughter's surname), and person
    nouns (``the old lady``) resolved like pronouns when a fitting character was mentioned just before."""
    x = st.qs[i]
    words = (ref.phrase or "").split()
    det, head = words[0], words[-1]
    prev = st.qs[i - 1].speaker if i > 0 else None
    if words == ["the", "other"]:
        parts = [c for c in st.participants(i) if c != prev and c not in x.vocatives]
        return parts[0] if parts else None
    if words in (["the", "former"], ["the", "latter"]):
        seen: list[str] = []
        start = st.ix.paras[max(0, x.para - 2)][0]
        for m in reversed(st.ix.mentions_in(start, ref.pos)):
            if m.character and m.character not in seen:
                seen.append(m.character)
            if len(seen) == 2:
                break
        if len(seen) == 2:
            return seen[1] if words[1] == "former" else seen[0]
        return None
    if det in ("his", "her", "my", "our") and head in ("aunt", "uncle", "cousin") and len(words) == 2:
        # "said her aunt": the one the story calls Aunt (Aunt Juley), or of several the one named last; else the
        # one it names right after these words ("My aunt Lavinia believed …"), the last one before the tag
        phrase = " ".join(words)
        kin = st.kin_named.get(phrase)
        if kin is None:
            after = (st.ix.m_at.get(m.end()) for m in re.finditer(rf"\b{phrase}\s", st.text, re.IGNORECASE))
            kin = st.kin_named[phrase] = [(m.start, m.character) for m in after if m is not None and m.character]
        k = bisect_left(kin, (ref.pos, ""))
        return titled_character(st, head, ref.pos) or (kin[k - 1][1] if k else None)
    if narrators_kin(st.text, ref) and (found := _kin_set_beside(st, ref)) is not None:
        return found
    if det in ("his", "her", "my") and head in FAMILY_TITLES:
        # '"My dear Mr. Bennet," replied his wife': the one the quotation addresses is the likeliest "his";
        # "my mother" is the narrator's
        g = "m" if det == "his" else "f"
        if det == "my":
            owners = [st.narrator_of(x)]
        else:
            # then the one who spoke just before ("I always sleep badly," said Nell. / "…," said her mother.)
            prev = st.qs[i - 1].speaker if i > 0 else None
            owners = [v for v in x.vocatives if st.gender.get(v) == g]
            owners += [prev] if prev and st.gender.get(prev) == g else []
            owners += [resolve_pronoun(st, i, Ref("pronoun", ref.pos, gender=g))]
        titled = _family_titled(st, FAMILY_TITLES[head][1])
        for owner in owners:
            c = st.ix.chars.get(owner or "")
            if c is None:
                continue
            for surname in _surnames(c, married=head in ("husband", "wife")):
                found = next((d for d, last in titled if d != c.id and last == surname), None)
                if found is not None:
                    return found
        # "cried my mother" where the story never names her: the narrator's parent, not a woman of the scene
        return unnamed_character(st, x, g, ref.phrase) if head in _PARENTS and narrators_kin(st.text, ref) else None
    if words in (["the", "mother"], ["the", "father"]):
        # "replied the mother": a parent is one the story calls Mrs. or Mr. (not the five-year-old named just
        # before), the one the narration named last
        parents = {d for d, _ in _family_titled(st, FAMILY_TITLES[head][1])}
        for m in reversed(st.ix.mentions_in(st.ix.paras[max(0, x.para - 6)][0], ref.pos)):
            if m.character in parents and not st.ix.in_quote(m.start):
                return m.character
    if ref.gender is not None and det == "the":
        # "replied the old woman" is nobody the story knows by another description ("the nursemaid")
        others = [c.id for c in st.new_chars if ref.phrase not in c.aliases]
        return resolve_pronoun(st, i, Ref("pronoun", ref.pos, gender=ref.gender), recent_only=True, exclude=others)
    return None

def beat_speaker(st: AttributionState, i: int, local: bool = False) -> str | None:
    """The subject of a narration sentence in the quotation's paragraph: inside the quotation's tag gap, the
    sentence just before it, the sentence just after it; subjects before possessives (``His hands fall``)."""
    x = st.qs[i]
    order = [*x.beats_between, *reversed(x.beats_before), *x.beats_after[:1]]
    for weak in (False, True):
        for ref in order:
            if ref.kind == "plural" or ref.weak != weak:
                continue
            if local and ref.kind == "pronoun":
                cid = local_pronoun(st, i, ref)
            elif ref.kind == "nominal":
                # "The duchess pushed back her hood." (the beats hold titled descriptions only, see
                # evidence._titled_subject): the title's holder or a role of its own, never a guess by gender
                cid = role_character(st, ref) if not weak else None
            else:
                cid, _ = resolve_ref(st, i, ref)
            if cid and cid not in x.vocatives and cid not in x.listeners:
                return cid
    return None



def local_pronoun(st: AttributionState, i: int, ref: Ref) -> str | None:
    """A pronoun resolved inside its own paragraph: the nearest preceding narration name of that gender that
    is not the object of a preposition (``turned to Catherine``) nor a listener of the quotation."""
    x = st.qs[i]
    narr = st.narrator_of(x)
    lo = max(st.ix.paras[x.para][0], ref.pos - PRONOUN_REACH)
    for kind in ("free", "prep") if ref.weak else ("free",):
        for c in narration_back(st, ref.gender, kind, lo, ref.pos):
            if c not in x.vocatives and c != narr and c not in x.listeners:
                return c  # a name after a preposition only when none other (and the pronoun is weak)
    return None


def narration_back(st: AttributionState, gender: str | None, kind: str, lo: int, hi: int) -> Iterator[str]:
    """The characters of ``gender`` named in narration (outside quotations) in ``[lo, hi)``, nearest first:
    ``all`` of those names, those in ``subject`` position (starting a sentence or a clause), those not after a
    preposition (``free``) or those after one (``prep``). An index per gender and kind, built once: a walk back
    skips every other name (one enormous paragraph is not walked name by name for each quotation)."""
    starts, chars = _narration(st, gender, kind)
    for k in range(bisect_left(starts, hi) - 1, bisect_left(starts, lo) - 1, -1):
        yield chars[k]


def _narration(st: AttributionState, gender: str | None, kind: str) -> tuple[list[int], list[str]]:
    key = (gender, kind)
    hit = st.by_gender.get(key)
    if hit is None:
        starts, chars = st.ix.narration_mentions()
        keep = [
            (s, c)
            for s, c in zip(starts, chars, strict=True)
            if st.gender.get(c) == gender
            and (
                kind == "all"
                or (kind == "subject" and _subject(st, s))
                or (kind == "free" and not st.after_preposition(s))
                or (kind == "prep" and st.after_preposition(s))
            )
        ]
        hit = st.by_gender[key] = ([s for s, _ in keep], [c for _, c in keep])
    return hit


def _subject(st: AttributionState, pos: int) -> bool:
    """Whether the name at ``pos`` starts a sentence or a clause."""
    hit = st.at_pos.get(("subject", pos))
    if hit is None:
        hit = st.at_pos[("subject", pos)] = bool(_SUBJECT_BEFORE.search(st.text, max(0, pos - 30), pos))
    return hit


def subject_character(st: AttributionState, i: int, ref: Ref) -> str | None:
    """The character a narration subject next to quotation ``i`` stands for: a name, the narrator, or a pronoun
    resolved to the nearest fitting name (descriptions and plurals stand for no one here)."""
    if ref.kind == "name":
        return ref.cid
    if ref.kind == "narrator":
        x = st.qs[i]
        return st.narrator_of(x)
    if ref.kind == "pronoun":
        return local_pronoun_in(st, i, ref)
    return None

def local_pronoun_in(st: AttributionState, i: int, ref: Ref) -> str | None:
    """A pronoun subject of the previous (or next) narration paragraph: the nearest fitting name before it."""
    x = st.qs[i]
    pa = st.ix.paras[max(0, x.para - 2)][0]
    narr = st.narrator_of(x)
    return next((c for c in narration_back(st, ref.gender, "free", max(pa, ref.pos - PRONOUN_REACH), ref.pos)
                 if c != narr), None)


def focus_character(st: AttributionState, i: int, ref: Ref) -> str | None:
    """The character a ``he``/``she`` (or ``the young man``) tag continues: the last narration name of that
    gender in subject position (starting a sentence or a clause) within six paragraphs; objects are skipped."""
    x = st.qs[i]
    start = st.ix.paras[max(0, x.para - 6)][0]
    narr = st.narrator_of(x)
    lo = max(start, ref.pos - PRONOUN_REACH)
    return next((c for c in narration_back(st, ref.gender, "subject", lo, ref.pos)
                 if c != narr and c not in x.vocatives), None)


def _surnames(c: Character, married: bool) -> list[str]:
    """The surnames ``c`` goes by, for finding their relatives: the display name's last word first, then those of
    their other names of two words or more ("Meg" is also "Meg March"); for a spouse, a "Mrs." name first ("Mrs.
    Brooke")."""
    out: list[str] = []
    if married:
        others = sorted(c.aliases, key=lambda a: (not a.lower().startswith("mrs"), len(a)))
    else:
        others = [a for a in c.aliases if not a.lower().startswith("mrs")]
    for n in [c.name, *others]:
        words = n.replace(".", "").split()
        if (len(words) >= 2 or n == c.name) and words and words[-1].lower() not in out:
            out.append(words[-1].lower())
    return out
