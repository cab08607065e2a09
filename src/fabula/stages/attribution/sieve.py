"""The rule passes: evidence gathered around each quotation, then a sieve over it in order of reliability.

1. explicit tags next to the quotation and introductions whose subject stands further off, pronouns and
   descriptions resolved (:mod:`.resolve`);
2. continuation: a second quotation in the same paragraph as an attributed one;
3. action beats: the subject of a narration sentence in the same paragraph (``He sighs. "…"``);
4. conversation turn-taking: the person addressed by the previous quotation answers, else the speaker two turns
   back, vocatives never being the speaker; then a backfill from the turn after, and the addressees.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Collection, Sequence
from dataclasses import replace

from fabula.lexicon import MALE_VOCATIVES, TITLES, name_prior
from fabula.stages.attribution.evidence import Ref, sentence_subjects, sentences, tag_after, tag_before
from fabula.stages.attribution.resolve import (
    beat_speaker,
    local_pronoun,
    narrators_kin,
    resolve_nominal,
    resolve_pronoun,
    resolve_ref,
    role_character,
    subject_character,
)
from fabula.stages.attribution.state import AttributionState, QuoteState
from fabula.stages.characters import doubted, is_vocative
from fabula.stages.characters.nouns import common_words, known_person_noun
from fabula.story import NOT_SPEECH, Mention, Quote

_LISTENER = re.compile(r"\b(?:to|at|towards|toward)\s+$", re.IGNORECASE)
_GENDERED_VOCATIVE = re.compile(
    r"(?:^|[,;!?.—]\s*|\b(?:my|dear|my dear|oh|o|good|young)\s+)"
    r"(sir|madam|madame|ma'am|mam|miss|mademoiselle|lady|mistress|sir|gentlemen|lad|boy|girl|sonny|son|"
    r"monsieur|signor|signora|señor|señora|squire)(?=\s*[,.!?;—]|\s*$)",
    re.IGNORECASE,
)


_KIN_VOCATIVE = re.compile(
    r"(?:^|[,;!?.—]\s*|\bmy\s+(?:dear\s+|dearest\s+)?)(papa|mamma|mama|father|mother)(?=\s*[,.!?;—]|\s*$)",
    re.IGNORECASE,
)
#: "my lady", "your lordship", "milady": said to the one Lady or Lord of the story.
_PEER_VOCATIVE = re.compile(r"\b(?:my|your|mi|m['’])\s*(lady|lord)(?:ship)?\b", re.IGNORECASE)
#: Words before one's own name: "My name is Priya Raman", "call me Ishmael", "I took the name of Provis" (not "my
#: name was", a name one had: a married woman's maiden name is her brother's).
_NAME_LEAD = re.compile(
    r"(?i)(?:\bmy\s+(?:real\s+|true\s+|proper\s+|christian\s+|first\s+|own\s+)?name(?:'s|’s|\s+is)"
    r"|\bI\s+(?:took|go\s+by|went\s+by)\s+the\s+name\s+of|\bI(?:'m|’m|\s+am)\s+called|\bcall\s+me)\s+$"
)
#: "I'm Walt, by the way": one's name after "I am" (not after "if": "if I'm Mabel").
_I_AM = re.compile(r"(?i)(?<!\bif )\bI(?:'m|’m|\s+am)\s+$")
#: A quotation opening inside a quotation: a name after it is someone else's words ("she said: 'my name's …'").
_NESTED_OPEN = re.compile(r"(?:^|[\s:(])['‘“\"]\w")
#: A speaker giving their name: "I'm Juno.", "My name is Oskar", "Call me Ish".
_INTRODUCES = re.compile(r"(?:\bI(?:'m|’m| am)|\b[Mm]y name(?:'s|’s| is)|\b[Cc]all me)\s+([A-Z][\w'’-]*)(?![\w'’-])")
#: Speech reported inside a quotation right before a name: "I said, Walter, if you put that shed there" calls
#: Walter in the story told, not the one listening now ("I say, Mr. Pip!" is an interjection: no past tense).
_REPORTED_BEFORE = re.compile(r"(?i)\b(?:(?:I|he|she|we|they)\s+(?:said|told\s+\w+)|says\s+I|said\s+I)\s*,\s*$")
#: A possessive after a name, its apostrophe lost or not: "Miss Schlegel's aunt", "Miss Schlegel s aunt".
_POSSESSIVE_AFTER = re.compile(r"['’]s\b| s\b")
#: A question for someone's name: "What's your name?", "Name for the cup?", "What do they call you?"
_NAME_QUESTION = re.compile(
    r"(?i)\b(?:what(?:'s|’s| is)|tell me|give me|and|take|have|get|ask)\s+(?:your|yer)\s+(?:\w+\s+)?name\b"
    r"|\byour (?:\w+ )?name\s*\?|\bwho are you\b|^\W*(?:and\s+)?name\b[^.!?]*\?|\bwhat are you called\b"
    r"|\bwhat (?:do|does|did) (?:\w+ )?call (?:you|yer|ye)\b"
)
#: How far back (characters) a parent's last mention may lie for a "Papa" to be them.
_PARENT_REACH = 6000
#: How many quotations back a parent's own name tag may lie.
_PARENT_TURNS = 12


def _parent(st: AttributionState, gender: str, i: int, pos: int) -> str | None:
    """The parent a child calls "Papa" or "Mamma": a character known only as "Mr." or "Mrs." + surname, of that
    gender, with a child in the cast (someone else named by a first name and that surname: "Mr. Bennet" and
    "Jane Bennet"): the one who spoke last in the scene (a name tag among the quotations before quotation
    ``i``), else the one named last before ``pos`` (within reach)."""
    if st.parents is None:
        children = {
            w[-1]
            for c in st.story.characters
            for w in (n.split() for n in (c.name, *c.aliases))
            if len(w) >= 2 and w[0].rstrip(".").lower() not in TITLES
        }
        st.parents = {"m": set(), "f": set()}
        for c in st.story.characters:
            names = [n.split() for n in (c.name, *c.aliases)]
            titled = [w for w in names if len(w) == 2 and w[0] in ("Mr.", "Mrs.")]
            if not titled or any(len(w) > 2 or (len(w) == 2 and w not in titled) for w in names):
                continue
            g = "m" if titled[0][0] == "Mr." else "f"
            if st.gender.get(c.id) in (None, g) and titled[0][1] in children:
                st.parents[g].add(c.id)
    want = st.parents[gender]
    if not want:
        return None
    for y in reversed(st.qs[max(0, i - _PARENT_TURNS) : i]):
        if y.tag is None or y.tag.kind != "name" or y.tag.cid is None or pos - y.quote.end > _PARENT_REACH:
            continue
        if y.tag.cid in want:
            return y.tag.cid
    for m in reversed(st.ix.mentions_in(max(0, pos - _PARENT_REACH), pos)):
        if m.character in want:
            return m.character
    return None


def collect(st: AttributionState) -> None:
    """Place every quotation (paragraphs, section, epigraph) and gather the evidence around it: its tag, the
    beats before, between and after, the narration subjects of the paragraphs around, listeners and the names
    said inside it (vocatives or not)."""
    story, ix = st.story, st.ix
    epi = [(n.start, n.end) for n in story.nonstory if n.kind in ("epigraph", "author_note")]
    for q in sorted(story.quotes, key=lambda q: q.start):
        if q.type in NOT_SPEECH:
            continue  # a quoted word, a letter or sign, verse: nobody says it (the quotes stage typed it)
        i = len(st.qs)
        pi, pj = ix.para_of(q.start), ix.para_of(q.end - 1)
        sec = ix.section_of(q.start)
        x = QuoteState(q, i, pi, pj, sec, sec >= 0 and st.first[sec])
        x.epigraph = any(a <= q.start < b for a, b in epi)
        st.qs.append(x)
    # the characters the narration names (a name said alone can call only one of them)
    narrated = {m.character for m in story.mentions if m.character is not None and not ix.in_quote(m.start)}
    for i, x in enumerate(st.qs):
        if not x.epigraph:
            _gather(st, i, x, narrated)


def _gather(st: AttributionState, i: int, x: QuoteState, narrated: Collection[str]) -> None:
    """The evidence around quotation ``i`` (see :func:`collect`); ``narrated``: the characters named in narration."""
    ix, text, q = st.ix, st.text, x.quote
    o0, o1 = q.outer or (q.start, q.end)
    # the narration of the quotation's paragraph(s), up to the quotations before and after in them
    prev_end = ix.paras[x.para][0]
    if i > 0 and st.qs[i - 1].last_para == x.para:
        prev_end = (st.qs[i - 1].quote.outer or (0, st.qs[i - 1].quote.end))[1]
    next_start = ix.paras[x.last_para][1]
    if i + 1 < len(st.qs) and st.qs[i + 1].para == x.last_para:
        nq = st.qs[i + 1].quote
        next_start = (nq.outer or (nq.start, 0))[0]
    tag = x.tag = _find_tag(st, i, x, prev_end, next_start)
    # a crowd's line: a plural subject in the tag that continues the quotation's sentence ("…!" cried several
    # voices); a plural subject further off is narration about a group, not its speech
    x.group = (
        tag is not None
        and tag.kind == "plural"
        and (
            (o1 <= tag.pos < min(next_start, o1 + 30) and "\n" not in text[o1 : tag.pos] and _continues(st, q, o1))
            or q.spans[0][1] <= tag.pos < q.spans[-1][0]  # "— Till Easter! the men roared. — Till Easter!"
        )
    ) or _said_together(st, q, o1, next_start, tag)
    x.next_subject = _next_subject(st, x)
    x.addr_gender = _addressed_gender(st, q)
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
        x.beats_before = sentence_subjects(ix, prev_end, o0)
    if o1 < next_start:
        x.beats_after = sentence_subjects(ix, o1, next_start)
    # listeners named in the quotation's own narration ("said he to Catherine", "turning to Eleanor")
    regions = [(prev_end, o0), (o1, next_start)] + [
        (_after_mark(st, e1), _before_mark(st, s2)) for (_, e1), (s2, _) in itertools.pairwise(q.spans)
    ]
    for ra, rb in regions:
        for m in ix.mentions_in(ra, rb):
            if m.character and _LISTENER.search(text, max(ra, m.start - 12), m.start):
                x.listeners.append(m.character)
    # 3. names inside the quotation
    asked, told = _asked_name(st, i)
    for a, b in q.spans:
        for m in ix.mentions_in(a, b):
            if m.character is None:
                continue
            answer = a == q.start and (asked or told not in (None, text[m.start : m.end]))
            own = _own_name(st, m, a, answer) if x.self_named is None else None
            reported = _REPORTED_BEFORE.search(text, max(a, m.start - 30), m.start) is not None
            sure = not doubted(st.ix.chars.get(m.character))
            if own is not None:
                x.self_named, x.self_how = m.character, own
                x.inner_names.append(m.character)
            elif (
                is_vocative(text, m.start, m.end, a, b)
                and not reported
                and not _alone(text, m.start, m.end, a, b, sure, None if _asks_before(st, i) else _callable(text, m, narrated))
            ):
                x.vocatives.append(m.character)
            else:
                x.inner_names.append(m.character)
    # "Papa," / "my dear mamma!": the parent of the family in the scene
    for a, b in q.spans:
        for k in _KIN_VOCATIVE.finditer(text[a:b]):  # (a slice: "^" is the quotation's start)
            parent = _parent(st, "m" if k.group(1).lower() in ("papa", "father") else "f", i, o0)
            if parent is not None and parent not in x.vocatives:
                x.vocatives.append(parent)
    for a, b in q.spans:
        for k in _PEER_VOCATIVE.finditer(text, a, b):
            peer = _peer(st, k.group(1).lower())
            if peer is not None and peer not in x.vocatives:
                x.vocatives.append(peer)


def _peer(st: AttributionState, title: str) -> str | None:
    """The one character whose name opens with ``title`` ("Lady Ashcombe" for "lady"), if there is one."""
    held = [c.id for c in st.ix.chars.values() if len(w := c.name.split()) > 1 and w[0].lower() == title]
    return held[0] if len(held) == 1 else None


def _described_before(st: AttributionState, i: int, gender: str | None) -> str | None:
    """Whom a pronoun tag stands for when its quotation opens the paragraph after one of narration whose sentence
    subject is a title or a trade ("The captain was lying on the floor.\n\n"I'm fine," he said"), and that
    paragraph names no one of the pronoun's gender: the title's holder, or a role of its own."""
    x = st.qs[i]
    ix = st.ix
    if gender is None or x.para == 0 or (i and st.qs[i - 1].last_para >= x.para - 1):
        return None
    if st.text[ix.paras[x.para][0] : x.quote.start].strip(" \t\n\"“‘'"):
        return None
    pp0, pp1 = ix.paras[x.para - 1]
    if any(m.character and st.gender.get(m.character) == gender for m in ix.mentions_in(pp0, pp1)):
        return None
    last = sentences(st.text[pp0:pp1])[-1:]
    at = st.text.rfind(last[0], pp0, pp1) if last else -1
    subjects = sentence_subjects(ix, at, pp1, described=True) if at >= 0 else []
    # the last sentence's subject only ("The maid disappeared, and the old lady turned …" is not the maid)
    ref = subjects[-1] if subjects else None
    if ref is None or ref.kind != "nominal" or ref.gender not in (None, gender) or not ref.phrase:
        return None
    words = ref.phrase.split()
    cut = next((k for k, w in enumerate(words) if w in _AUXILIARIES), len(words))  # "the captain was lying"
    head = words[cut - 1]
    if not 2 <= cut <= 4 or words[0] != "the" or not (head in TITLES or known_person_noun(head)):
        return None  # "the captain", "the old sailor" (not "the brow of the little man")
    rest = _LETTERS.findall(st.text, ref.pos + len(" ".join(words[:cut])), pp1)
    if any(known_person_noun(w.lower()) for w in rest):
        return None  # "The maid disappeared, and the old lady turned": someone else is in the sentence
    cid = role_character(st, replace(ref, phrase=" ".join(words[:cut])))
    if cid is None or st.gender.get(cid) not in (None, gender) or cid in x.vocatives:
        return None
    for c in st.new_chars:
        if c.id == cid and c.gender is None:
            c.gender = st.gender[cid] = gender  # "he said" tells the captain's gender
    return cid


_LETTERS = re.compile(r"[A-Za-z]+")
#: Verbs that end the noun phrase before them ("the captain *was* lying").
_AUXILIARIES = frozenset("was were is are had has did does would could should might must".split())


def _index_role(st: AttributionState, cid: str, phrase: str, pos: int) -> None:
    """Every narration use of a role's description in the section of its tag at ``pos`` is a mention of the role:
    a pronoun after "I stopped at the captain's door. He was lying …" can stand for it."""
    sec = st.ix.section_of(pos)
    if (cid, sec) in st.roles_indexed:
        return
    st.roles_indexed.add((cid, sec))
    a, b = (st.story.sections[sec].start, st.story.sections[sec].end) if sec >= 0 else (0, len(st.text))
    for m in re.compile(rf"\b{re.escape(phrase)}\b", re.IGNORECASE).finditer(st.text, a, b):
        if not st.ix.in_quote(m.start()) and st.ix.section_of(m.start()) == sec:
            st.ix.add_mention(Mention(m.start(), m.end(), cid, "nominal"))


def _turn_before(st: AttributionState, i: int) -> QuoteState | None:
    """The quotation before ``i`` when it is in ``i``'s paragraph or the one before (the turn ``i`` answers)."""
    if i == 0:
        return None
    y = st.qs[i - 1]
    return y if st.qs[i].para - y.last_para <= 1 else None


def _asked_name(st: AttributionState, i: int) -> tuple[bool, str | None]:
    """Whether the quotation before ``i``, in the paragraph before it or its own, asks for a name, and the name it
    gives its speaker ("I'm Juno.": a name that opens the reply is the replier's own, "Kai," I said; unless it is
    that name again, "Juno, nice to meet you")."""
    y = _turn_before(st, i)
    if y is None:
        return False, None
    said = [st.text[a:b] for a, b in y.quote.spans]
    told = next((m.group(1) for t in said if (m := _INTRODUCES.search(t))), None)
    return any(_NAME_QUESTION.search(t) for t in said), told


def _callable(text: str, m: Mention, narrated: Collection[str]) -> bool:
    """Whether a name said alone can call someone: the narration names that character, or it is a first name."""
    return m.character in narrated or name_prior(text[m.start : m.end]) is not None


def _asks_before(st: AttributionState, i: int) -> bool:
    """Whether the quotation before ``i`` (in its paragraph or the one before) ends in a question."""
    y = _turn_before(st, i)
    if y is None:
        return False
    a, b = y.quote.spans[-1]
    return st.text[a:b].rstrip().endswith("?")


#: Capitalised words and initials that may open a name before the word found as its mention ("Randolph C. ").
_NAME_START = re.compile(r"(?:[A-Z]\.\s*|[A-Z][\w'’-]+\s+){1,3}")


def _own_name(st: AttributionState, m: Mention, a: int, answer: bool) -> str | None:
    """How the name ``m`` (inside a quotation sub-span opening at ``a``) is the speaker's own: ``answer`` when it
    opens the answer to a question for a name ("Elspeth. Elspeth Crane."), ``named`` after "my name is", "call
    me", …, ``i_am`` after "I'm"; None when it is not, or is a possessive ("I am Miss Schlegel's aunt") or in a
    quotation quoted ("she said: 'my name's …'")."""
    text = st.text
    if _POSSESSIVE_AFTER.match(text, m.end):
        return None
    if answer and (m.start == a or _NAME_START.fullmatch(text, a, m.start)):
        return "answer"  # "Elspeth Crane." / "Randolph C. Miller," (the name found is its last word)
    before = text[max(a, m.start - 40) : m.start]
    if _NESTED_OPEN.search(text, a, m.start):
        return None
    if _NAME_LEAD.search(before):
        return "named"
    return "i_am" if _I_AM.search(before) else None


def _alone(
    text: str, start: int, end: int, a: int, b: int, sure: bool = True, call: bool | None = None
) -> bool:
    """A name that makes a sentence on its own with a full stop: an answer ("Ruth." to "Does she have a name?")
    or an imperative ("Relax.", "Exactly. Enough.") as often as an address; unless it is one word that is no
    common English word, of a character the person model does not doubt (``sure``), and the quotation goes on to
    speak to someone ("Junie. Junie. Look at me.", "Priya. That's the whole thing you've wanted"; not a
    self-introduction, "Winifred Pask. You learn to read a delay …"), or the name opens the quotation as a call.
    ``call`` is None when the turn before asked something (then the name may be an answer), else whether the
    narration names that character or the word is a known first name: a name alone is a call either way ("Dall."
    … "Commander."), a name opening a longer quotation only then ("Theo. Dendrites.", not "Relax. They left an hour
    ago")."""
    if text[end : end + 1] != "." or not (start == a or text[a:start].rstrip().endswith((".", "!", "?"))):
        return False
    word = text[start:end]
    one = sure and word.isalpha() and word.lower() not in common_words()
    if one and start == a and call is not None and (call or not text[end + 1 : b].strip()):
        return False
    return not (one and _SPOKEN_TO.search(text, end, b))


#: Words of a quotation that speak to someone: second person, or an order to look or listen at the hearer.
_SPOKEN_TO = re.compile(r"\b(?:you|your|yours|yourself|look at me|listen)\b", re.IGNORECASE)


def _find_tag(st: AttributionState, i: int, x: QuoteState, prev_end: int, next_start: int) -> Ref | None:
    """The speech tag of quotation ``i``: between its sub-spans, then after or before it in its paragraph (the
    narration between ``prev_end`` and ``next_start``), then in the paragraph before. Also fills the beats
    between the sub-spans and the subject of a narration paragraph just before."""
    ix, text, q = st.ix, st.text, x.quote
    o0, o1 = q.outer or (q.start, q.end)
    p0, p1 = ix.paras[x.para][0], ix.paras[x.last_para][1]
    # 1. tags: between sub-spans, after, before
    tag = None
    for (_, e1), (s2, _) in zip(q.spans, q.spans[1:], strict=False):
        gap_a, gap_b = _after_mark(st, e1), _before_mark(st, s2)
        tag = tag or tag_after(ix, gap_a, gap_b, loose=True) or tag_before(ix, gap_a, gap_b)
        x.beats_between.extend(sentence_subjects(ix, gap_a, gap_b))
    # a tag continuing the quotation's sentence ("…," said she) beats an introducing clause ending in
    # ":" or ","; a new sentence after the quotation ("…!" Freddy snorted) comes after both.
    cont = o1 < next_start and _continues(st, q, o1)
    between = text[o1:next_start]
    # '…?" he said, "Thank you,"': that tag introduces the next quotation, not this one; '"…," he replied, but … .
    # He added: "…"' keeps its own, as '"…," said Mrs. Allen; and she added, "…"' does: the later is the next
    own = None  # this quotation's tag after it, when the test below reads it
    o1_tag_blocked = cont and next_start < p1 and between.rstrip()[-1:] in (",", ":") and len(sentences(between)) < 2
    if o1_tag_blocked and (own := tag_after(ix, o1, next_start, loose=True)) is not None:
        o1_tag_blocked = (later := tag_before(ix, o1, next_start)) is None or later.pos == own.pos
    cont = cont and not o1_tag_blocked
    intro = prev_end < o0 and text[prev_end:o0].rstrip(" \n\t\"“‘'")[-1:] in (":", ",")
    if tag is None and cont:
        tag = own if own is not None else tag_after(ix, o1, next_start, loose=True)
    if tag is None and intro:
        tag = tag_before(ix, prev_end, o0, loose=True)
    if tag is None and o1 < next_start and not cont and not o1_tag_blocked:
        tag = tag_after(ix, o1, next_start)
    if tag is None and prev_end < o0 and not intro:
        tag = tag_before(ix, prev_end, o0)
    first_in_para = not text[p0:o0].strip() and (i == 0 or st.qs[i - 1].last_para < x.para)
    if tag is None and first_in_para and x.para > 0:
        # "…he thus explained.\n\n“About a month ago…”": a narration paragraph introducing the speech
        pp0, pp1 = ix.paras[x.para - 1]
        if i == 0 or st.qs[i - 1].last_para < x.para - 1:
            tag = tag_before(ix, pp0, pp1, loose=True)
            subj = sentence_subjects(ix, pp0, pp1)
            x.prev_subject = subj[-1] if subj else None
        else:
            # '"…" … Mrs. Elton, speaking louder, said,\n\n"…"': the narration after the last quotation
            # of the paragraph before ends in an introduction
            y = st.qs[i - 1].quote
            tail0 = (y.outer or (y.start, y.end))[1]
            if text[tail0:pp1].rstrip()[-1:] in (":", ","):
                tag = tag_before(ix, tail0, pp1, loose=True)
    return tag


def _addressed_gender(st: AttributionState, q: Quote) -> str | None:
    """The gender of whoever a quotation addresses as ``sir``, ``madam``, ``my dear boy``…"""
    for a, b in q.spans:
        m = _GENDERED_VOCATIVE.search(st.text, a, b)
        if m:
            return "m" if m.group(1).lower() in MALE_VOCATIVES else "f"
    return None

def _continues(st: AttributionState, q: Quote, o1: int) -> bool:
    """Whether narration right after the quotation continues its sentence (``"…," she said``)."""
    last = st.text[q.spans[-1][0] : q.spans[-1][1]].rstrip()
    after = st.text[o1 : o1 + 3].lstrip(" \n")
    return last.endswith((",", "—", "-", "–")) or (after[:1].islower())


#: Words that make a reporting clause a chorus: '"Bronze," said Mr. Sollis and Danny together', "as one"; "at once"
#: only where no one person is the subject ("returned the mate, and was gone at once" is "immediately").
_TOGETHER = re.compile(r"\b(?:together|as one|in unison|in chorus|with one voice)\b", re.IGNORECASE)
_AT_ONCE = re.compile(r"\bat once\b", re.IGNORECASE)
# within the sentence, where a new clause begins ("…, and was gone at once", "…, smiting his hands together",
# "…, as they walked up the stairs together", '"…," and they finished their lunch together')
_CLAUSE_END = re.compile(
    r";|\n[ \t]*\n|^\s*(?:and|but|then)\b"
    r"|,\s*(?:and|after|while|when|before|with|until|though|because|as(?!\s+one\b)|[a-z]+ing)\b"
)


def _said_together(st: AttributionState, q: Quote, o1: int, next_start: int, tag: Ref | None) -> bool:
    """The quotation's sentence runs on into a reporting clause that says several spoke at once ('"No, Tam," said
    four people at once', '"Two thousand!" the room gasped, as one')."""
    if o1 >= next_start or not _continues(st, q, o1):
        return False
    clause = sentences(st.text[o1:next_start])[0][:60]  # the reporting clause, not what the sentence goes on to
    end = _CLAUSE_END.search(clause)
    clause = clause[: end.start() if end else len(clause)]
    one = tag is not None and (tag.kind == "name" or tag.gender in ("m", "f")) and " and " not in clause
    together = not one and _TOGETHER.search(clause) is not None  # not "growled Mr. Heathcliff in unison"
    return together or ((tag is None or tag.kind == "plural") and _AT_ONCE.search(clause) is not None)


def _after_mark(st: AttributionState, pos: int) -> int:
    while pos < len(st.text) and st.text[pos] in "\"”’'»":
        pos += 1
    return pos

def _before_mark(st: AttributionState, pos: int) -> int:
    while pos > 0 and st.text[pos - 1] in "\"“‘'«「":
        pos -= 1
    return pos


def _next_subject(st: AttributionState, x: QuoteState) -> Ref | None:
    """``"…"\n\nCatherine turned away her head``: who the paragraph after the quotation opens on (the listener
    reacting, or the speaker going on), when that paragraph opens with narration."""
    ix = st.ix
    if x.last_para + 1 >= len(ix.paras):
        return None
    a, b = ix.paras[x.last_para + 1]
    lead = st.text[a:b].lstrip()
    if not lead or ix.in_quote(b - len(lead)):
        return None
    subj = sentence_subjects(ix, a, min(b, a + 300))
    return subj[0] if subj else None


def attribute(st: AttributionState) -> None:
    """Local evidence first (tags, beats, continuation), then conversation turn-taking around those anchors."""
    pending: dict[int, str | None] = {}  # quote index -> required gender for quotes left to turn-taking
    for i, x in enumerate(st.qs):
        if x.nobody:
            continue
        ref = x.tag if x.tag is not None and x.tag.kind != "plural" else None
        own = x.self_named
        fits = ref is None or (ref.kind in ("pronoun", "nominal") and st.gender.get(own or "") in (None, ref.gender))
        if own is not None and fits:  # also '"I am Mary Lennox," the little girl said'
            _set(x, own, "self_named")  # "Elspeth," she said at last. "Elspeth Crane."
            if ref is not None and ref.kind == "pronoun":  # the narration's "he", the same person (join_self_names)
                x.alias_of = resolve_pronoun(st, i, ref, exclude=[own])
            continue
        if ref is not None:
            if ref.kind in ("name", "narrator"):
                cid, rule = resolve_ref(st, i, ref)
                if cid is not None:
                    _set(x, cid, rule)
                    continue
            elif ref.kind == "pronoun":
                cid = local_pronoun(st, i, ref)
                if cid is not None:
                    _set(x, cid, "tag_pronoun")
                elif (cid := _described_before(st, i, ref.gender)) is not None:
                    _set(x, cid, "tag_role")
                else:
                    pending[i] = ref.gender
                continue
            elif ref.kind == "nominal":
                words = (ref.phrase or "").split()
                cid = role_character(st, ref)
                rule = "tag_role"
                if cid is not None and cid not in st.ix.chars and ref.phrase:
                    # the role's description is a mention of it: "she" after "asked the woman in the fur hat"
                    st.ix.add_mention(Mention(ref.pos, ref.pos + len(ref.phrase), cid, "nominal"))
                    _index_role(st, cid, ref.phrase, ref.pos)
                if cid is None and words != ["the", "other"]:
                    cid = resolve_nominal(st, i, ref)
                    rule = "tag_role" if narrators_kin(st.text, ref) else "tag_nominal"  # "cried my mother" stands
                if cid is not None:
                    _set(x, cid, rule)
                else:
                    pending[i] = ref.gender
                continue
        cid = beat_speaker(st, i, local=True)
        if cid is not None:
            _set(x, cid, "beat")
    # continuation: quotations of one paragraph share a speaker unless a vocative forbids it
    for i, x in enumerate(st.qs):
        prev = st.qs[i - 1] if i > 0 else None
        if prev is None or prev.nobody or x.nobody or prev.last_para != x.para:
            continue
        if x.speaker is None and prev.speaker and prev.speaker not in x.vocatives and i not in pending:
            _set(x, prev.speaker, "continuation")
    for i in range(len(st.qs) - 2, -1, -1):
        x, nxt = st.qs[i], st.qs[i + 1]
        if (
            x.speaker is None
            and not x.nobody
            and i not in pending
            and nxt.para == x.last_para
            and nxt.speaker
            and nxt.speaker not in x.vocatives
            and not nxt.nobody
        ):
            _set(x, nxt.speaker, "continuation")
    anchors = {i for i, x in enumerate(st.qs) if x.speaker is not None}
    convs: dict[tuple[int, int], _Conversation] = {}
    for i, x in enumerate(st.qs):
        if x.nobody or x.speaker is not None:
            continue
        gender = pending.get(i)
        typed = i in pending and x.tag is not None
        found = by_turns(st, i, anchors, gender, convs)
        if found is not None:
            cid, rule = found
            if typed:
                rule = "tag_pronoun" if x.tag and x.tag.kind == "pronoun" else "tag_nominal"
            _set(x, cid, rule)
            continue
        if typed and x.tag is not None:
            cid, rule = resolve_ref(st, i, x.tag)
            if cid is not None:
                _set(x, cid, rule)
                continue
        cid = beat_speaker(st, i, local=False)
        if cid is not None:
            _set(x, cid, "beat")
            continue
        cid = _fallback(st, i)
        if cid is not None:
            _set(x, cid, "fallback")


#: A conversation's turn numbers (:func:`turns_of`) and its anchors' speakers by turn (the first anchor of a turn).
_Conversation = tuple[list[int], dict[int, str]]


def _conversation(st: AttributionState, lo: int, hi: int, anchors: set[int]) -> _Conversation:
    turn_of = turns_of(st.qs, lo, hi)
    by_turn: dict[int, str] = {}
    for j in range(lo, hi):
        if j in anchors and st.qs[j].speaker:
            by_turn.setdefault(turn_of[j - lo], st.qs[j].speaker or "")
    return turn_of, by_turn


def by_turns(
    st: AttributionState,
    i: int,
    anchors: set[int],
    gender: str | None,
    convs: dict[tuple[int, int], _Conversation] | None = None,
) -> tuple[str, str] | None:
    """Turn-taking: the person addressed by the previous turn, else alternation counted from the nearest
    attributed turns before and after (even distance: the same speaker; odd: their partner). Returns the speaker
    and the rule that found them (``vocative_reply``, ``turn_taking`` or ``beat``). ``convs``: each
    conversation's :func:`_conversation`, kept from one quotation to the next while neither ``anchors`` nor their
    speakers change."""
    x = st.qs[i]
    lo, hi = st.conversation(i)
    conv = convs.get((lo, hi)) if convs is not None else None
    if conv is None:
        conv = _conversation(st, lo, hi, anchors)
        if convs is not None:
            convs[(lo, hi)] = conv
    turn_of = conv[0]
    me = turn_of[i - lo]
    narr = st.narrator_of(x)

    def ok(c: str | None) -> bool:
        return (
            c is not None
            and c not in x.vocatives
            and c not in x.listeners
            and (gender is None or (st.gender.get(c) == gender and c != narr))
        )

    prev = st.qs[i - 1] if i > lo else None
    cands: list[tuple[int, str, str]] = []  # (distance, speaker, rule)
    if prev is not None and prev.speaker:
        for v in prev.vocatives:
            if v != prev.speaker:
                cands.append((1, v, "vocative_reply"))
    speakers_by_turn = dict(conv[1])
    for j in range(i - 1, lo - 1, -1):
        y = st.qs[j]
        if y.speaker and j not in anchors:
            speakers_by_turn.setdefault(turn_of[j - lo], y.speaker)
    partners = turn_partners(speakers_by_turn)
    alone: dict[str, str | None] = {}  # a speaker with no other in the conversation: their partner from elsewhere
    for at, spk in speakers_by_turn.items():
        d = abs(at - me)
        if d == 0:
            continue
        if d % 2 == 0:
            cands.append((d, spk, "turn_taking"))
            continue
        partner = partners[at]
        if partner is None:
            if spk not in alone:
                alone[spk] = _partner_elsewhere(st, spk, lo, hi)
            partner = alone[spk]
        if partner:
            cands.append((d, partner, "turn_taking"))
    if x.prev_subject is not None:
        c0 = subject_character(st, i, x.prev_subject)
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
            if strict == 2 and want is not None and st.gender.get(c) not in (None, want):
                continue
            return c, rule
    if gender is None:
        parts = [c for c in st.participants(i) if ok(c)]
        if prev is not None and prev.speaker in parts and len(parts) >= 2:
            parts.remove(prev.speaker)
        if parts and prev is not None and i > lo:
            return parts[0], "turn_taking"
        if narr and prev is not None and i > lo and prev.speaker != narr and ok(narr):
            return narr, "turn_taking"
    return None


def turns_of(qs: Sequence[QuoteState], lo: int, hi: int) -> list[int]:
    """The turn number of each quotation in ``qs[lo:hi]``: turns are paragraphs (a quotation that starts in the
    paragraph where the one before ends takes its turn)."""
    out: list[int] = []
    t, last_para = -1, -10
    for j in range(lo, hi):
        if qs[j].para != last_para:
            t += 1
        out.append(t)
        last_para = qs[j].last_para
    return out


def turn_partners(speakers_by_turn: dict[int, str]) -> dict[int, str | None]:
    """For each turn, who its speaker is talking with: the speaker of the nearest turn with another speaker (of
    two at the same distance, the one entered first in ``speakers_by_turn``), or None when there is none."""
    entered = {t: k for k, t in enumerate(speakers_by_turn)}
    ts = sorted(speakers_by_turn)
    spk = [speakers_by_turn[t] for t in ts]
    n = len(ts)
    left = [-1] * n  # the nearest turn before with another speaker
    for k in range(1, n):
        left[k] = k - 1 if spk[k - 1] != spk[k] else left[k - 1]
    right = [-1] * n
    for k in range(n - 2, -1, -1):
        right[k] = k + 1 if spk[k + 1] != spk[k] else right[k + 1]
    out: dict[int, str | None] = {}
    for k, t in enumerate(ts):
        near = [j for j in (left[k], right[k]) if j >= 0]
        best = min(near, key=lambda j: (abs(ts[j] - t), entered[ts[j]]), default=-1)
        out[t] = spk[best] if best >= 0 else None
    return out


def _partner_elsewhere(st: AttributionState, spk: str, lo: int, hi: int) -> str | None:
    """Who ``spk``, the only attributed speaker of the conversation ``[lo, hi)``, is talking with: the person
    they address by name, or the last other speaker before the conversation."""
    for j in range(lo, hi):
        y = st.qs[j]
        if y.speaker == spk:
            for v in y.vocatives:
                if v != spk:
                    return v
    for c in st.participants(lo):
        if c != spk:
            return c
    return None


def backfill(st: AttributionState) -> None:
    """Quotations still without a speaker inside a conversation: the person the next turn answers."""
    for i in range(len(st.qs) - 1, -1, -1):
        x = st.qs[i]
        if x.nobody or x.speaker is not None:
            continue
        nxt = st.qs[i + 1] if i + 1 < len(st.qs) else None
        if nxt is None or nxt.section != x.section or nxt.para - x.last_para > 2 or nxt.speaker is None:
            continue
        after = _neighbour(st, i + 1, +1)
        cands = [
            c for c in (after, *nxt.quote.addressees) if c and c != nxt.speaker and c not in x.vocatives
        ]
        if not cands:
            cands = [c for c in _others(st, i) if c != nxt.speaker and c not in x.vocatives]
        if cands:
            _set(x, cands[0], "turn_taking")

def _others(st: AttributionState, i: int) -> list[str]:
    x = st.qs[i]
    out: list[str] = []
    for y in st.qs[i + 1 : i + 8]:
        if y.section != x.section:
            break
        if y.speaker and y.speaker not in out:
            out.append(y.speaker)
    return out

def _fallback(st: AttributionState, i: int) -> str | None:
    """The nearest narration mention before the quotation that is not the previous speaker or addressed."""
    x = st.qs[i]
    ix = st.ix
    prev = st.qs[i - 1].speaker if i > 0 else None
    start = ix.paras[max(0, x.para - 3)][0]
    excluded = set(x.vocatives) | {prev}
    for m in reversed(ix.mentions_in(start, x.quote.start)):
        if m.character not in excluded and not ix.in_quote(m.start):
            return m.character
    narr = st.narrator_of(x)
    if narr and narr not in excluded:
        return narr
    if x.para > 0:
        for m in ix.mentions_in(x.quote.end, ix.paras[min(len(ix.paras) - 1, x.last_para + 1)][1]):
            if m.character not in excluded and not ix.in_quote(m.start):
                return m.character
    return None

def _set(x: QuoteState, cid: str, rule: str) -> None:
    x.speaker = cid
    x.rule = rule


def addressees(st: AttributionState) -> None:
    for i, x in enumerate(st.qs):
        if x.nobody or x.speaker is None:
            continue
        out = [v for v in dict.fromkeys([*x.vocatives, *x.listeners]) if v != x.speaker]
        if not out:
            nxt = _neighbour(st, i, +1)
            prv = _neighbour(st, i, -1)
            for c in (prv, nxt):
                if c and c != x.speaker and c not in out:
                    out.append(c)
                    break
        x.quote.addressees = out

#: How far (in quotations) :func:`_neighbour` looks for another speaker: a run of thousands of quotations by
#: one speaker (no one else near) would otherwise be walked once per quotation.
NEIGHBOUR_REACH = 100


def _neighbour(st: AttributionState, i: int, step: int) -> str | None:
    x = st.qs[i]
    j = i + step
    while 0 <= j < len(st.qs) and abs(j - i) <= NEIGHBOUR_REACH:
        y = st.qs[j]
        if y.section != x.section or abs(y.para - x.para) > 3 + abs(j - i):
            return None
        if y.speaker and y.speaker != x.speaker:
            return y.speaker
        j += step
    return None
