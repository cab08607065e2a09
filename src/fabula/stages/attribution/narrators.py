"""First-person narrators: which sections are told in the first person, and who tells them (named from what the
other characters call them, self introductions, or the other point-of-view sections); role characters ("the
painter") named from what the others call them to their face.
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Collection

from fabula.lexicon import (
    CANON_TITLE,
    CLIPPED_TITLES,
    GENERIC_PERSON_NOUNS,
    NOT_AFTER_TITLE,
    SPEECH_VERBS,
    TITLES,
    verb_like,
)
from fabula.stages import headings
from fabula.stages.attribution.evidence import WORD_AFTER, StoryIndex
from fabula.stages.attribution.state import AttributionState, QuoteState
from fabula.stages.attribution.style import WORDS
from fabula.stages.characters.nouns import common_words
from fabula.stages.chat import label_starts
from fabula.stages.segment import (
    HEADING_WORDS,
    NARRATOR_HEADING_RE,
    chapter_pov,
    narrator_headings,
    pov_marker,
)
from fabula.story import Character, Quote, Span

log = logging.getLogger(__name__)

_SELF_INTRO = re.compile(
    r"\b(?:[Mm]y name (?:is|was)|[Ii]'m called|I was (?:called|named|christened)|[Cc]all(?:s|ed)? me|"
    r"I call(?:ed)? myself|I am|I'm|I’m)\s+((?:[A-Z][\w'’\-]+\s?){1,3})"
)
#: "…, Jeff Margrave, and I, Vandyck Jennings.": a name set beside "I" in the narration is the narrator's.
_APPOSED_I = re.compile(r"(?<![\w'’])I,\s+((?:[A-Z][\w'’\-]+\s?){1,3}?)(?=[,.;]|\s(?:and|who|was|had)\b)")
_POSSESSIVE = re.compile(r"['’]s\b")
#: First-person narration shorter than this (characters, about 5,000 words) is a short story or a chapter: there a
#: name that the narration never uses and that the others say to someone is the narrator's.
SHORT_STORY = 30_000
EMBEDDED_SHARE = 0.25  # below this share of the text, first-person sections are embedded documents
NARRATED_BOOK = 0.5  # from this share of the text told in first-person sections where the narrator speaks
# "you're" / "are you" / "aren't you" right before a capitalised word (a name, perhaps titled; "You're... Kit?")
_TO_FACE = re.compile(r"\b(?:[Yy]ou(?:'re|’re| are)|[Aa]re you|[Aa]ren['’]t you)(?:\s|\.\.\.|…|—|--)+(?=[A-Z])")
_FIRST_WORDS = re.compile(r"\b(?:I|me|my|mine|myself|My|Me|Myself)\b")
_THIRD_WORDS = re.compile(r"\b(?:he|him|his|she|her|hers|himself|herself)\b", re.IGNORECASE)


def first_person_sections(ix: StoryIndex) -> list[bool]:
    """Which sections are told in the first person, judged on narration outside quotations (or in the second:
    "you" is then the narrator)."""
    text = ix.text
    flags: list[bool] = []
    quotes = ix.quotes
    for s in ix.sections:
        if s.person == "second":
            flags.append(True)  # the reader of a reader-insert story: "you" in its narration (StoryIndex.second)
            continue
        if s.person != "first":
            flags.append(False)
            continue
        pos = s.start
        parts = []
        for i in quotes.within(s.start, s.end):
            parts.append(text[pos : quotes.starts[i]])
            pos = max(pos, quotes.ends[i])
        parts.append(text[pos : s.end])
        narr = " ".join(parts)
        first = len(_FIRST_WORDS.findall(narr))
        third = len(_THIRD_WORDS.findall(narr))
        words = max(1, len(WORDS.findall(narr)))
        flags.append(first >= 0.01 * words and first >= 0.2 * third)
    # Letters and journals inside a third-person novel are first person too, but nobody narrates the book:
    # over the dev novels, the real texts and the seeds the first-person share is either <= 0.07 or >= 0.86.
    told = sum(s.end - s.start for s, f in zip(ix.sections, flags, strict=True) if f)
    if told < EMBEDDED_SHARE * sum(s.end - s.start for s in ix.sections):
        return [False] * len(flags)
    return flags


def refine_first_person(st: AttributionState) -> None:
    """A first-person section with dialogue but no ``I said``/``said I`` tag or ``I``-beat is a letter or an
    embedded text inside a third-person story, not a narrated section: unless the first-person sections, or those
    whose narrator does speak, cover most of the story (``NARRATED_BOOK``), where it is a chapter in which the
    narrator only watches or speaks in untagged turns."""
    tags: Counter[int] = Counter()
    quotes: Counter[int] = Counter()
    for x in st.qs:
        quotes[x.section] += 1
        refs = [x.tag, *x.beats_between, *x.beats_before[-1:], *x.beats_after[:1]]
        if any(r is not None and r.kind == "narrator" for r in refs):
            tags[x.section] += 1
    secs = st.ix.sections
    whole = sum(s.end - s.start for s in secs)
    speaking = sum(s.end - s.start for k, s in enumerate(secs) if st.narr_ids[k] is not None and tags[k])
    told = sum(s.end - s.start for k, s in enumerate(secs) if st.narr_ids[k] is not None)
    # A story told mostly in the first person (a chapter whose narrator's lines are all untagged) has a narrator.
    if speaking >= NARRATED_BOOK * whole or told >= NARRATED_BOOK * whole:
        return
    for k, ph in enumerate(st.narr_ids):
        if ph is not None and quotes[k] >= 3 and tags[k] == 0:
            st.narr_ids[k] = None
            st.first[k] = False
    for x in st.qs:
        x.first_person = x.section >= 0 and st.first[x.section]

def name_narrators(st: AttributionState) -> dict[str, str]:
    """Map each section's narrator placeholder to a named character.

    Evidence is pooled over all first-person sections (one narrator unless a section shows otherwise): names
    said to the narrator by the other characters (vocatives next to the narrator's turns; in a short text, any
    vocative of a name the narration never uses), self introductions ("my name is", "calls me Lolly", "I called
    myself Pip", "and I, Vandyck Jennings" in the narration; the name inside one is no third-person use of it),
    never the names the narration itself uses in the third person or shows acting. A section where the pooled
    narrator is spoken of in the third person, or whose lines another section gives to a named character, gets
    its own.
    """
    ix, text = st.ix, st.text
    fp = [k for k, ph in enumerate(st.narr_ids) if ph is not None]
    if not fp:
        return {}
    placeholders = {ph for ph in st.narr_ids if ph is not None}
    starts = [x.quote.start for x in st.qs]
    votes: dict[int, dict[str, float]] = {k: {} for k in fp}
    narr_mentions: dict[int, Counter[str]] = {k: Counter() for k in fp}
    third_tags: dict[int, Counter[str]] = {k: Counter() for k in fp}
    near_turns: dict[int, Counter[str]] = {k: Counter() for k in fp}  # vocatives next to the narrator's turns
    acting: Counter[str] = Counter()  # "Pim laughed": the narration's third-person subjects
    # a message's label ("Mia: omw") is no narration: the narrator's own messages carry her name
    labels = label_starts(text, [x.quote for x in st.qs])
    for k in fp:
        sec = ix.sections[k]
        _narrated(st, sec.start, sec.end, labels, votes[k], narr_mentions[k], acting)
        apposed = (m for m in _APPOSED_I.finditer(text, sec.start, sec.end) if not ix.in_quote(m.start()))
        for sm in (*_SELF_INTRO.finditer(text, sec.start, sec.end), *apposed):
            if _said_by_another(st, starts, sm.start(), placeholders):
                continue  # "I'm Dev," said by someone else: no introduction of the narrator
            for mm in ix.mentions_in(sm.start(1), sm.end(1)):
                if mm.character:
                    votes[k][mm.character] = votes[k].get(mm.character, 0.0) + 2.0
                    if narr_mentions[k][mm.character] and not ix.in_quote(sm.start()):
                        narr_mentions[k][mm.character] -= 1  # "I called myself Pip": no third-person use of the name
    short = sum(ix.sections[k].end - ix.sections[k].start for k in fp) < SHORT_STORY
    for i, x in enumerate(st.qs):
        if x.section not in votes:
            continue
        if x.rule != "tag_narrator":  # "You're Ysolde Marr, aren't you?": said to the narrator's face
            for v in _named_to_face(st, x):
                if v != x.speaker:
                    votes[x.section][v] = votes[x.section].get(v, 0.0) + 1.0
        if x.speaker is None:
            continue
        if x.rule == "tag_name" and x.speaker not in placeholders and (x.tag is None or x.tag.pos not in labels):
            third_tags[x.section][x.speaker] += 1
        if x.speaker in placeholders:
            if x.self_how == "answer" and x.self_named is not None:
                # '"I'm Juno." — "Kai," I said': the narrator answers an introduction with their own name
                votes[x.section][x.self_named] = votes[x.section].get(x.self_named, 0.0) + 2.0
            continue
        near = any(
            0 <= j < len(st.qs)
            and st.qs[j].speaker in placeholders
            and abs(st.qs[j].para - x.para) <= 2
            for j in (i - 1, i + 1)
        )
        for v in x.vocatives:
            if v != x.speaker:
                # in a short story a name the narration never uses is said to someone the narration calls "I"
                unseen = short and not any(narr_mentions[k][v] for k in fp)
                votes[x.section][v] = votes[x.section].get(v, 0.0) + (1.0 if near or unseen else 0.25)
                near_turns[x.section][v] += near
    pooled: dict[str, float] = {}
    pooled_narr: Counter[str] = Counter()
    pooled_third: Counter[str] = Counter()
    pooled_near: Counter[str] = Counter()
    for k in fp:
        for cid, score in votes[k].items():
            pooled[cid] = pooled.get(cid, 0.0) + score
        pooled_narr.update(narr_mentions[k])
        pooled_third.update(third_tags[k])
        pooled_near.update(near_turns[k])

    def best_of(v: dict[str, float], nm: Counter[str], third: Counter[str], near: Counter[str]) -> str | None:
        # not one the narration "I" tags in the third person ("says Rosa Quint"), nor one it shows acting; on a
        # tie, the name said more often next to the narrator's own turns
        for cid, score in sorted(v.items(), key=lambda kv: (-kv[1], -near[kv[0]])):
            if score >= 1 and nm[cid] <= max(1.0, score) and not acting[cid] and not third[cid]:
                return cid
        return None

    glob = best_of(pooled, pooled_narr, pooled_third, pooled_near)
    log.debug("narrator votes %s", sorted(pooled.items(), key=lambda kv: -kv[1])[:5])
    mapping: dict[str, str] = {}
    st.narr_named = mapping
    by_section: dict[int, list[QuoteState]] = {}
    for x in st.qs:
        by_section.setdefault(x.section, []).append(x)
    prev_qs: list[QuoteState] = []
    heads = _pov_narrators(st, fp, narr_mentions) | _heading_narrators(st, fp)
    for k in fp:
        ph = st.narr_ids[k]
        assert ph is not None
        qs = by_section.get(k, [])
        own = best_of(votes[k], narr_mentions[k], third_tags[k], near_turns[k])
        pick = heads.get(k) or _same_lines(st, k, qs)
        if (
            pick is None
            and glob is not None
            and own != glob
            and (narr_mentions[k][glob] >= 3 or third_tags[k][glob] >= 2)
        ):
            # the pooled narrator is spoken of in the third person here: someone else narrates
            pick = (
                own if own is not None and own != glob else _interlocutor(glob, prev_qs or st.qs)
            )
        if pick is None:
            pick = glob if glob is not None else own
        if pick is not None:
            mapping[ph] = pick
        prev_qs = qs
    return mapping

def _narrated(
    st: AttributionState,
    start: int,
    end: int,
    labels: Collection[int],
    votes: dict[str, float],
    mentions: Counter[str],
    acting: Counter[str],
) -> None:
    """Count the narration's mentions of each character between ``start`` and ``end`` (message labels aside) and
    the ones that act; a name signing two diary entries or more ("Love,\nMaisie") is a vote for the narrator
    instead (one letter signed inside a story is someone else's)."""
    ix, text = st.ix, st.text
    found = [
        m for m in ix.mentions_in(start, end) if m.character and not ix.in_quote(m.start) and m.start not in labels
    ]
    signs = [_signed(text, m.start, m.end) for m in found]
    signed = Counter(m.character for m, sign in zip(found, signs, strict=True) if sign)
    for m, sign in zip(found, signs, strict=True):
        cid = m.character
        assert cid is not None
        if sign and signed[cid] >= 2:
            votes[cid] = votes.get(cid, 0.0) + 2.0
            continue
        mentions[cid] += 1
        acting[cid] += _acts(text, m.end)


#: A closing line before a signature: "Love,", "Yours ever,", "xoxo,", "Best wishes,".
_VALEDICTION = re.compile(
    r"[ \t]*(?:(?:with|all my|lots of)[ \t]+)?(?:love|yours|sincerely|faithfully|affectionately|cheers|best|regards|"
    r"xoxo|xx+|hugs|ever|always)\b[^\n]{0,30},[ \t]*\n",
    re.IGNORECASE,
)


def _signed(text: str, start: int, end: int) -> bool:
    """Whether the name at ``start``–``end`` signs off a letter or a diary entry: alone on its line, right under a
    valediction ("Love,\nMaisie")."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    if text[line_start:start].strip() or text[end:line_end].strip(" \t.!-—xX"):
        return False
    prev_start = text.rfind("\n", 0, max(0, line_start - 1)) + 1
    return _VALEDICTION.fullmatch(text, prev_start, line_start) is not None


def _acts(text: str, end: int) -> bool:
    """Whether the name ending at ``end`` is the subject of a verb of the narration, past or present ("Pim
    laughed", "Pim said", "Pim shuts his eyes"): the narrator would be "I"."""
    m = WORD_AFTER.match(text, end, end + 24)
    return m is not None and (m.group(1) in SPEECH_VERBS or verb_like(m.group(1)))


def _said_by_another(st: AttributionState, starts: list[int], pos: int, narrators: Collection[str]) -> bool:
    """Whether ``pos`` lies in a quotation (``starts``: theirs, in order) whose speaker, as the rules have it, is
    known and no narrator."""
    k = bisect_right(starts, pos) - 1
    if k < 0:
        return False
    x = st.qs[k]
    return x.quote.start <= pos < x.quote.end and x.speaker is not None and x.speaker not in narrators


def _named_to_face(st: AttributionState, x: QuoteState) -> list[str]:
    """Characters a quotation names as the one it speaks to ("You're Ysolde Marr, aren't you?", "Are you
    Mr. Quaile?"): the name right after "you're", "you are", "are you" or "aren't you"."""
    out: list[str] = []
    for a, b in x.quote.spans:
        for m in _TO_FACE.finditer(st.text, a, b):
            out.extend(mm.character for mm in st.ix.mentions_in(m.end(), m.end() + 1) if mm.character)
    return out


def _heading_narrators(st: AttributionState, fp: list[int]) -> dict[int, str]:
    """Sections that open under a heading naming their narrator ("Narrative Continued by the Doctor"), mapped to
    the character that name or title denotes."""
    ix, text = st.ix, st.text
    heads = narrator_headings(text, (Span(a, b) for a, b in ix.paras))
    out: dict[int, str] = {}
    for k in fp:
        sec = ix.sections[k]
        near = [h for h in heads if sec.start - 400 <= h.start < min(sec.end, sec.start + 400)]
        if not near:
            continue
        m = NARRATOR_HEADING_RE.fullmatch(text, near[-1].start, near[-1].end)
        name = m.group("by") or m.group("own") if m else None
        cid = _denoted(st, name) if name else None
        if cid is not None:
            out[k] = cid
    return out


def _pov_narrators(st: AttributionState, fp: list[int], narrated: dict[int, Counter[str]]) -> dict[int, str]:
    """First-person sections that open under a POV marker ("Marco's POV", "POV: Marco", or a name alone in capitals,
    "MARCO", that names a character), mapped to that character; one the story never names otherwise (only the
    marker says "Marco") becomes a character of its own. A chapter heading's name ("CHAPTER II. TRADDLES") is no
    narrator's where the chapter's narration speaks of that character twice (``narrated``: each section's
    narration mentions by character, message labels left out, as :func:`name_narrators` counts them)."""
    ix, text = st.ix, st.text
    starts = [a for a, _ in ix.paras]
    markers: dict[int, list[tuple[str, str, str | None]]] = {}  # by section: name, kind, the character it denotes
    for k in fp:
        sec = ix.sections[k]
        for j in range(bisect_right(starts, sec.start - 400), bisect_right(starts, sec.start + 400)):
            a, b = ix.paras[j]
            if a >= sec.end:
                continue
            span = Span(a, b)
            heading = False
            marker = pov_marker(text, span) if b - a <= 60 else None
            if marker is None:
                marker, heading = chapter_pov(text, span), True
            if marker is None:
                continue
            denoted = _denoted(st, marker[0])
            if heading and denoted is not None and narrated[k][denoted] >= 2:
                continue
            markers.setdefault(k, []).append((*marker, denoted))
    # where one marker names a character ("MAYA"), the others name narrators too, if never otherwise ("LEO")
    vouched = any(denoted for ms in markers.values() for _, _, denoted in ms)
    made: dict[str, str] = {}
    out: dict[int, str] = {}
    for k, ms in markers.items():
        for name, kind, denoted in ms:
            cid = denoted or made.get(name)
            if cid is None and (kind == "pov" or (vouched and _person_like(name))):
                cid = made[name] = f"pov{len(made)}"
                st.new_chars.append(Character(id=cid, name=name, aliases=[name]))
                st.gender[cid] = None
            if cid is not None:
                out[k] = cid
    return out


def _person_like(name: str) -> bool:
    """A marker's word that may be a name: no heading word ("Prologue", "Later"), numeral ("II") or frequent English
    word ("School")."""
    low = name.lower()
    return low not in HEADING_WORDS and low not in common_words() and headings.classify(name.upper()) is None


def _denoted(st: AttributionState, phrase: str) -> str | None:
    """The character a heading's name denotes: one whose name or alias it is, else (``the Doctor``) the most
    mentioned character holding that title."""
    words = phrase.split()
    if words[0].lower() == "the":
        words = words[1:]
    key = " ".join(words).lower()
    exact = st.ix.characters_named(key)
    if not exact and len(words) == 1 and key in TITLES:
        canon = CANON_TITLE.get(key, key.title()).lower().rstrip(".")
        exact = [c for c in st.ix.chars.values() if c.name.split()[0].lower().rstrip(".") in {key, canon}]
    if not exact:
        return None
    return max(exact, key=lambda c: c.mentions).id


def _same_lines(st: AttributionState, k: int, qs: list[QuoteState]) -> str | None:
    """The named character who speaks this section's narrator lines in another section (the same scene told
    from the other side)."""
    placeholder = st.narr_ids[k]
    mine = {_norm(st, x.quote) for x in qs if x.speaker == placeholder}
    mine = {m for m in mine if m.count(" ") >= 5}
    votes: Counter[str] = Counter()
    for y in st.qs:
        if y.section == k or y.speaker is None or y.speaker.startswith(("narrator", "u")):
            continue
        if _norm(st, y.quote) in mine:
            votes[y.speaker] += 1
    top = votes.most_common(2)
    # one shared line is a song, a catch-phrase or a misattribution; the same scene retold shares several
    if not top or top[0][1] < 2 or (len(top) > 1 and top[1][1] == top[0][1]):
        return None
    return top[0][0]

def _interlocutor(who: str, qs: list[QuoteState]) -> str | None:
    others = Counter(y.speaker for y in qs if y.speaker and y.speaker != who)
    named = [c for c, _ in others.most_common() if not c.startswith(("narrator", "u"))]
    return named[0] if named else None

def _norm(st: AttributionState, q: Quote) -> str:
    return " ".join(w.lower() for a, b in q.spans for w in WORDS.findall(st.text[a:b]))[:200]


def name_roles(st: AttributionState) -> dict[str, str]:
    """Map role characters (``the painter``) to the named character the others call them to their face:
    vocatives in the quotations next to the role's turns, by other speakers, at least 4 and 60% of them, for a
    named character of a compatible gender who answers the role's turns at most once (one stray line given to
    them is as likely a misattribution as a conversation between two people)."""
    roles = {c.id for c in st.new_chars if c.id.startswith("u") and not c.narrator}
    if not roles:
        return {}
    votes: dict[str, Counter[str]] = {r: Counter() for r in roles}
    beside: dict[str, dict[str, set[int]]] = {r: {} for r in roles}  # who answers the role, in which quotations
    for i, x in enumerate(st.qs):
        if x.speaker not in roles:
            continue
        for j in (i - 1, i + 1):
            if not 0 <= j < len(st.qs):
                continue
            y = st.qs[j]
            if y.speaker is None or y.speaker == x.speaker or abs(y.para - x.para) > 2:
                continue
            beside[x.speaker].setdefault(y.speaker, set()).add(j)
            for v in y.vocatives:
                votes[x.speaker][v] += 1
    answered = {r: {d for d, js in b.items() if len(js) >= 2} for r, b in beside.items()}
    out = _introduced(st, roles, answered)
    out |= _appositives(st, roles - set(out), answered)
    for r, vs in votes.items():
        if not vs or r in out:
            continue
        cid, n = vs.most_common(1)[0]
        g, gr = st.gender.get(cid), st.gender.get(r)
        log.debug("role %s: vocatives %s", r, vs.most_common(3))
        if (
            n >= 4
            and n >= 0.6 * sum(vs.values())
            and not cid.startswith(("u", "narrator"))
            and cid not in answered[r]
            and (g is None or gr is None or g == gr)
        ):
            out[r] = cid
    return out | _title_callers(st, roles - set(out))


def _introduced(st: AttributionState, roles: set[str], answered: dict[str, set[str]]) -> dict[str, str]:
    """Roles that say who they are ('"I'm Ms. Ortiz," said a woman with a clipboard'): the named character their
    own quotation introduces, of a compatible gender, who answers the role's turns at most once."""
    votes: dict[str, Counter[str]] = {}
    for x in st.qs:
        r = x.speaker
        if r not in roles:
            continue
        for a, b in x.quote.spans:
            for sm in _SELF_INTRO.finditer(st.text, a, b):
                if _POSSESSIVE.search(sm.group(1)):
                    continue  # "I'm Tom's sister"
                for m in st.ix.mentions_in(sm.start(1), sm.start(1) + 1):
                    d = m.character
                    if d and not d.startswith(("u", "narrator")) and d not in answered[r] and st.gender_ok(
                        d, st.gender.get(r)
                    ):
                        votes.setdefault(r, Counter())[d] += 1
    return {r: vs.most_common(1)[0][0] for r, vs in votes.items()}


def _title_callers(st: AttributionState, roles: set[str]) -> dict[str, str]:
    """A titled role ("the captain") and the one character known only as that title said alone ("Skipper",
    "Captain", "Doc" for "the doctor"; see ``CLIPPED_TITLES``) are one person: "Aye aye, Skipper." to the captain."""
    called: dict[str, list[str]] = {}
    for c in st.story.characters:
        forms = {c.name.lower(), *(a.lower() for a in c.aliases)}
        titles = {CLIPPED_TITLES.get(f, f) for f in forms}
        if len(titles) == 1 and (t := next(iter(titles))) in TITLES and " " not in t:
            called.setdefault(t, []).append(c.id)
    out: dict[str, str] = {}
    for c in st.new_chars:
        words = c.name.lower().split()
        if c.id in roles and len(words) == 2 and words[0] == "the" and len(called.get(words[1], ())) == 1:
            out[c.id] = called[words[1]][0]
    return out


def _appositives(st: AttributionState, roles: set[str], answered: dict[str, set[str]]) -> dict[str, str]:
    """Roles named by an apposition: ``Mr. Wells, the lawyer,`` or ``the chairman, Mr.
    Buttons``, for a named character of a compatible gender. The name given most often wins."""
    ix = st.ix
    low = ix.text.lower()
    out: dict[str, str] = {}
    at_the: dict[str, list[int]] | None = None  # each "the <word>" of the text, by its word (one pass)
    for c in st.new_chars:
        lab = c.name.lower()
        if c.id not in roles or not lab.startswith("the "):
            continue
        if at_the is None:
            at_the = {}
            for t in _THE.finditer(low):
                at_the.setdefault(t.group(1), []).append(t.start())
        whole = re.compile(rf"{re.escape(lab)}\b")
        votes: Counter[str] = Counter()
        end = 0
        head = _THE.match(lab)
        for p in at_the.get(head.group(1) if head else "", ()):
            m = whole.match(low, p) if p >= end else None
            if m is None:
                continue
            end = m.end()  # (matches do not overlap, as with finditer)
            for n in ix.mentions_in(m.start() - 40, m.end() + 40):
                # an apposition, not a list ("the captain, Mr. Arrow, Hunter, Joyce")
                beside = re.fullmatch(r",\s+", low[n.end : m.start()]) or (
                    re.fullmatch(r",\s+", low[m.end() : n.start]) and not _LIST_NEXT.match(ix.text, n.end)
                )
                d = n.character
                if (
                    beside
                    and d
                    and not d.startswith(("u", "narrator"))
                    and st.gender_ok(d, st.gender.get(c.id))
                ):
                    votes[d] += 1
        if votes:
            out[c.id] = votes.most_common(1)[0][0]
    rest = {c.id: c.name.lower() for c in st.new_chars if c.id in roles and c.id not in out}
    return out | _head_appositives(st, rest, answered)


_THE = re.compile(r"\bthe (?=(\w*))")
# The definite noun phrase before a head noun: "the celebrated ", "our ", "his old ".
_NP_BEFORE = re.compile(r"\b(?:the|our|your|his|her|their)(?:\s+[\w'’-]+){0,3}\s+$")
# A list, not an apposition: "the Dodo, the Lory, and the Eaglet".
_LIST_NEXT = re.compile(r",?\s+(?:and|or|nor)\b|,\s+(?:the\s+)?[A-Z]")
# ... unless one name after the comma ends the sentence: "to his left, the old general, Marrik."
_LAST_APPOSED = re.compile(
    r",\s+[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*){0,2}"
    + NOT_AFTER_TITLE  # not "the skipper, Mr. Pike"
    + r"[.;!?]"
)
# What joins a name to the noun phrase after it: "Hubbard himself, the", "Mr. Cole was the" (not "Dinah's our
# cat": a possessive after a copula says whose, not who).
_NAME_THEN_NP = re.compile(r"(?:\s+(?:himself|herself))?,\s+|\s+(?:is|was)\s+(?=the\b)")


def _head_appositives(
    st: AttributionState, labels: dict[str, str], answered: dict[str, set[str]]
) -> dict[str, str]:
    """Roles named through their head noun: ``the genial frame-maker`` is the one the text calls ``Mr. Hubbard
    himself, the celebrated frame-maker`` or of whom it says ``Mr. Cole was the chairman``. Only a specific head (not
    "man", "lady", "friend"), a definite noun phrase that is no item of a list, a named character of a compatible
    gender who answers the role's turns at most once (:func:`name_roles`), and two thirds of the votes or more."""
    ix = st.ix
    heads: dict[str, list[str]] = {}
    for cid, lab in labels.items():
        words = lab.split()
        if (
            len(words) >= 2
            and words[0] == "the"
            and words[-1] not in GENERIC_PERSON_NOUNS
            and words[-1].replace("-", "").isalpha()
        ):
            heads.setdefault(words[-1], []).append(cid)
    if not heads:
        return {}
    low = ix.text.lower()
    votes: dict[str, Counter[str]] = {h: Counter() for h in heads}
    for m in re.finditer(r"\b(?:" + "|".join(map(re.escape, heads)) + r")\b", low):
        np = _NP_BEFORE.search(low, max(0, m.start() - 60), m.start())
        if np is None or (_LIST_NEXT.match(ix.text, m.end()) and not _LAST_APPOSED.match(ix.text, m.end())):
            continue
        named = {
            n.character
            for n in ix.mentions_in(np.start() - 40, np.start())
            if _NAME_THEN_NP.fullmatch(low, n.end, np.start())
        }
        named |= {
            n.character
            for n in ix.mentions_in(m.end(), m.end() + 4)
            if re.fullmatch(r",\s+", low[m.end() : n.start])
        }
        for d in named:
            if d and not d.startswith(("u", "narrator")):
                votes[m.group()][d] += 1
    out: dict[str, str] = {}
    for h, cids in heads.items():
        if not votes[h]:
            continue
        d, n = votes[h].most_common(1)[0]
        if 3 * n < 2 * sum(votes[h].values()):
            continue
        for cid in cids:
            if st.gender_ok(d, st.gender.get(cid)) and d not in answered.get(cid, ()):
                out[cid] = d
    return out


def narrator_gender(st: AttributionState, cid: str) -> str | None:
    """A narrator's gender from how others address them (girl, boy, sir, madam) and self-descriptions."""
    votes: Counter[str] = Counter()
    for x in st.qs:
        if x.speaker == cid or x.speaker is None:
            continue
        for a, b in x.quote.spans:
            s = st.text[a:b].lower()
            votes["f"] += len(
                re.findall(r"\b(?:girl|madam|ma'am|miss|lady|sister|darling girl)\b[,.!?]", s)
            )
            votes["m"] += len(re.findall(r"\b(?:boy|sir|man|lad|son|mister|brother)\b[,.!?]", s))
    if votes["f"] > votes["m"]:
        return "f"
    if votes["m"] > votes["f"]:
        return "m"
    return None
