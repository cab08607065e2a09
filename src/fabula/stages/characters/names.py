"""Scanning: capitalised-word runs (titles attached) that may name a person, with their context cues.

A run is one or more capitalised words separated by single spaces or line breaks (``Mary-Anne Wills``, ``van der
Luyden``, ``the Duchess of Monmouth``, ``Mrs. Weston``). Each :class:`NameHit` records whether it opens a sentence,
lies inside a quotation, is possessive, is a vocative (``…, Ali.``) or stands next to a speech verb.
"""

from __future__ import annotations

import itertools
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass

from fabula.lexicon import (
    ADDRESS_WORDS,
    APOS_S,
    DEITIES,
    IRREGULAR_PAST,
    KIN_NAMES,
    LATIN_LETTERS,
    LATIN_UPPER,
    NOBLE_TITLES,
    NUMBER_WORDS,
    PARTICLES,
    SPEECH_VERBS,
    STOP,
    STOP_NAMES,
    TITLE_WORDS,
    TITLES,
    VOCATIVE_LEAD_RE,
    name_prior,
    verb_like,
)
from fabula.spans import SpanIndex
from fabula.stages.characters.nouns import common_words, personish
from fabula.stages.segment import is_abbrev
from fabula.story import Story

_PARTICLE = "(?:" + "|".join(sorted(PARTICLES)) + ")"
# the reader of a reader-insert story ("Y/N", "your name"), a capitalised word, or a lower-case particle before one
# (at most one more particle between: "van der Luyden");
# a hyphen joins capitalised parts only ("Mary-Anne"): "Cold-hearted", "To-day", "A-n-n-e" are no names; or two
# short syllables ("Jae-won", "Hyun-woo", "Xiao-ling": a Korean or Chinese given name; see _syllable_name)
_CAP_WORD = re.compile(
    r"(?<!\w)(?<!\w['’])(?:Y/N(?![\w/])|[A-Z][a-z]{1,4}-[a-z]{2,5}(?![\w'’-])"
    rf"|[{LATIN_UPPER}][{LATIN_LETTERS}'’]*+(?:-[{LATIN_UPPER}][{LATIN_LETTERS}'’]*+)*+(?!-[a-z])"
    rf"|{_PARTICLE}(?=(?:[ \n]{_PARTICLE})?[ \n][A-Z]))"
)
_CLOSE_MARKS = "\"”’'»」)]"
#: A nickname in quotation marks inside a full name: 'Robert "Bobby" Nash', 'Eleanor ‘Nell’ Price'.
_NICKNAME_GAP = re.compile(r" [\"“'‘][A-Z][\w'’-]*[\"”'’] ")
_LOWER_WORD = re.compile(r"[a-z](?<![\w'’][a-z])[\w'’]*")  # (?<![\w'’])[a-z]…, the first character first: faster
_ASCII_LOWER_WORD = re.compile(r"[a-z](?<![A-Za-z0-9_'][a-z])[A-Za-z0-9_']*")  # the same for ASCII text, faster


def _syllable_name(word: str) -> bool:
    """Whether a capitalised word is a name candidate. A hyphen before a lower-case part makes one only between two
    syllables of Korean or Chinese romanisation ("Jae-won", "Seo-yeon", "Xiao-ling"), not one syllable twice
    ("Ha-ha"), an English word ("To-day", "Good-bye"), a word spelt out ("Em-ma", "Hul-lo") or an English compound
    ("Post-it", "Show-off", "Two-fifty")."""
    head, _, tail = word.partition("-")
    if not tail.islower():
        return True
    joined = (head + tail).lower()
    return (
        _SYLLABLE.fullmatch(head.lower()) is not None
        and _SYLLABLE.fullmatch(tail) is not None
        and head.lower() != tail
        and head[-1] != tail[0]
        and joined not in common_words()
        and joined not in STOP
    )


#: One syllable of Korean (Revised Romanisation and its common spellings: "Hyun", "Joon") or Chinese (pinyin)
#: romanisation: an onset, a vowel, a final.
_SYLLABLE = re.compile(
    r"(?:kk|tt|pp|ss|jj|ch|zh|sh|[gkndtrlmbpsjhxqzcfwy])?"
    r"(?:yae|wae|yeo|iao|ae|ya|eo|ye|wa|oe|yo|wo|we|wi|yu|eu|ui|oo|ee|ou|ai|ao|ei|ia|ie|iu|ua|uo|a|e|o|u|i)"
    r"(?:ng|[knlmpt])?"
)


def lower_counts(text: str) -> Counter[str]:
    """How often each word occurs written in lower case (the scanner and the form filter both ask)."""
    return Counter((_ASCII_LOWER_WORD if text.isascii() else _LOWER_WORD).findall(text))


@dataclass(slots=True)
class NameHit:
    """One capitalised-word run in the text that may name a person."""

    start: int
    end: int
    title: str | None  # lower-case title word without the period
    words: tuple[str, ...]  # name words after the title
    initial: bool  # sentence-initial
    in_quote: bool
    possessive: bool = False
    vocative: bool = False
    cue: bool = False  # a speech verb next to it
    tagged: bool = False  # it names the speaker in a dialogue tag ('"…," said Myra', 'Myra said, "…"')
    label: bool = False  # it labels a message or a script's speech ("Mia: omw", :mod:`fabula.stages.chat`)


def _prev_nonspace(text: str, pos: int) -> tuple[int, bool]:
    """Index of the previous non-space character before ``pos`` (-1 at text start) and whether a newline lay between."""
    i = pos - 1
    nl = False
    while i >= 0 and text[i] in " \t\r\n\u00a0":
        if text[i] == "\n":
            nl = True
        i -= 1
    return i, nl


def after_abbrev(text: str, pos: int) -> bool:
    """Whether the word at ``pos`` follows an abbreviation's full stop ("St. John"), which :func:`_is_initial`
    takes for a sentence's end."""
    i, _ = _prev_nonspace(text, pos)
    return i >= 0 and text[i] == "." and is_abbrev(text, i)


def _is_initial(text: str, pos: int) -> bool:
    """Whether a word at ``pos`` starts a sentence (or an utterance)."""
    i, nl = _prev_nonspace(text, pos)
    while i >= 0 and text[i] in "“‘«「([":
        return True
    if i < 0:
        return True
    c = text[i]
    if c in ".!?…:;":
        return True
    if c in "\"'”’»":
        j, _ = _prev_nonspace(text, i)
        if j < 0:
            return True
        b = text[j]
        if j == i - 1 and b in ",—–-":
            return False  # "…," Elizabeth said
        if i > 0 and text[i - 1] in " \t\n":
            return True  # an opening straight quote
        return b in ".!?…"
    if c in "—–-":
        # a dash that opens a line or follows a sentence's end opens an utterance ("— Right, says Nadia. — We …")
        j, dash_nl = _prev_nonspace(text, i)
        if nl or dash_nl or j < 0 or text[j] in ".!?…":
            return True
    # a paragraph that ended without punctuation
    return bool(nl and text[max(0, i - 1) : i + 1].strip() and text.count("\n", i, pos) >= 2)


def is_vocative(text: str, start: int, end: int, qstart: int, qend: int) -> bool:
    """``…, Ali.`` / ``Rehema, …`` / ``Oh, Ali!`` / ``my dear Hastings,`` / ``Well, old Pet,`` inside a quotation
    (``qstart``, ``qend``: the quoted words, marks excluded), not inside a quotation quoted there ("It says, 'Dear
    Miss Ruiz, …'": the letter's address, not the reader's)."""
    after = text[end : min(qend, end + 3)].lstrip(" ")
    after_ok = not after or after[0] in ",.!?;…—–-:)]" or end >= qend
    if not after_ok or _quoted_within(text, qstart, start) or _DEFERENCE_AFTER.match(text, end, qend):
        return False
    before = text[max(qstart, start - 24) : start]
    b = before.rstrip().rstrip("([")  # "(Y/N)! Are you awake?", "[Y/N], come here"
    if start <= qstart or not b.strip():
        return True
    if b.endswith((",", "—", "–", "-", ";", "!", "?", ".", "…")):
        return True
    if _DET_ADJ_BEFORE.search(b):
        return False  # "it's sure to be a good Embassy."
    return bool(VOCATIVE_LEAD_RE.search(b))


#: Per outer mark, a nested quotation's opening (after a space, a dash or the quotation's start, before a capital:
#: "'Dear Miss Ruiz", not "tell 'em") and its closing mark (before a space, punctuation or the end).
_SINGLE_NESTED = (re.compile(r"(?:^|(?<=[\s—–(]))['‘](?=[A-Z])"), re.compile(r"['’](?=[\s,.!?;:—–]|$)"))
_DOUBLE_NESTED = (re.compile(r"(?:^|(?<=[\s—–(]))[\"“](?=[A-Z])"), re.compile(r"[\"”](?=[\s,.!?;:—–]|$)"))
_NESTED = {**dict.fromkeys("\"“", _SINGLE_NESTED), **dict.fromkeys("'‘", _DOUBLE_NESTED)}


def _quoted_within(text: str, qstart: int, pos: int) -> bool:
    """Whether ``pos`` lies in a quotation nested in the one whose words start at ``qstart`` (an opening of the
    other kind of mark before ``pos`` that nothing closes before it)."""
    marks = _NESTED.get(text[qstart - 1 : qstart]) if qstart > 0 else None
    if marks is None:
        return False
    seg = text[qstart:pos]
    opened = [m.end() for m in marks[0].finditer(seg)]
    return bool(opened) and marks[1].search(seg, opened[-1]) is None


#: A name answered with a form of address and nothing more ("Pip, sir.", "Polly, my lady."): the name is the
#: answer (a name given, someone blamed), the address the listener, so the name calls nobody. Not a question:
#: "Mr. Silver, sir?" asks the man it names.
_DEFERENCE_AFTER = re.compile(
    r",[ \t]*(?:my[ \t]+)?(?:sir|ma'am|madam|m'm|mum|miss|lady|lord"
    r"|your[ \t]+(?:honou?r|grace|majesty|ladyship|lordship))[ \t]*[.!]",
    re.IGNORECASE,
)

#: An article or a third-person possessive before "good/poor/dear/old": a noun phrase, not an address.
_DET_ADJ_BEFORE = re.compile(r"(?i)\b(?:a|an|the|his|her|their|its|this|that)\s+(?:good|poor|dear|old)\s*$")


def scan_names(story: Story, lower: Counter[str]) -> list[NameHit]:
    """All capitalised-word runs (titles attached) outside non-story blocks, with their context flags; ``lower``
    is :func:`lower_counts` of the story text."""
    text = story.text
    qi = quoted_words(story)
    blocked = SpanIndex.of((n.start, n.end) for n in story.nonstory)
    hits: list[NameHit] = []
    runs: list[list[re.Match[str]]] = []
    nicknames: list[list[re.Match[str]]] = []
    words = [m for m in _CAP_WORD.finditer(text) if _syllable_name(m.group())]
    n = len(words)
    para_starts = [p.start for p in story.paragraphs]  # a name never runs across a paragraph break
    i = 0
    while i < n:
        m = words[i]
        s = m.start()
        if blocked.containing(s) >= 0:
            i += 1
            continue
        run = [m]
        j = i + 1
        while j < n:
            prev = run[-1]
            if words[j].start() - prev.end() > 4:
                break  # no joining gap is longer than " of " (every branch below breaks)
            gap = text[prev.end() : words[j].start()]
            pw = prev.group().lower().rstrip(".")
            if APOS_S.search(prev.group()):
                break
            if "\n" in gap and bisect_right(para_starts, prev.start()) != bisect_right(para_starts, words[j].start()):
                break
            if gap in (" ", "\n", " \n", "\n "):
                run.append(words[j])
                j += 1
            elif j + 1 < n and _NICKNAME_GAP.fullmatch(text, prev.end(), words[j + 1].start()):
                # 'Robert "Bobby" Nash': the full name around the nickname, and the nickname on its own
                nicknames.append([words[j]])
                run.append(words[j + 1])
                j += 2
            elif len(run) == 1 and pw in NOBLE_TITLES and gap == " of " and words[j].group()[:1].isupper():
                run.append(words[j])  # "the Duchess of Monmouth"
                j += 1
            elif (
                (pw in TITLES or pw in TITLE_WORDS)
                and gap in (". ", ".\n", ". \n")
                and (len(run) > 1 or is_abbrev(text, prev.end()))  # "Capt. Hook", not "…, Captain. Running cold"
                and not any(r.group().lower().rstrip(".") in TITLES for r in run[:-1])
            ):
                # the title opens the name; capitalised words before it are no part of it ("As Mrs. Weston")
                run = [*run[-1:], words[j]]
                j += 1
            else:
                break
        i = j
        runs.append(run)
        runs.extend(nicknames)
        nicknames.clear()
    initials = [_is_initial(text, r[0].start()) for r in runs]
    # the words written with a capital mid-sentence ("at 6:14 Coach Varley", "says Sunny"): where one of them
    # opens a sentence it is part of the name, not a sentence opener
    named = {APOS_S.sub("", m.group()) for r, ini in zip(runs, initials, strict=True) for m in (r[1:] if ini else r)}
    for run, initial in zip(runs, initials, strict=True):
        _emit_run(text, run, initial, qi, hits, lower, named)
    return hits


#: How often a word must occur in lower case for a capitalised sentence-initial use of it not to open a name.
COMMON_IN_LOWER = 3


def _participle(word: str) -> bool:
    """A sentence-opening participle ("Resisting Stapleton's offer", "Turning Holmes said")."""
    return len(word) > 6 and word.endswith("ing") and word[1:].islower()


def _emit_run(
    text: str,
    run: list[re.Match[str]],
    initial: bool,
    qi: SpanIndex[int],
    hits: list[NameHit],
    lower: Counter[str],
    named: Collection[str] = (),
) -> None:
    toks = [m.group() for m in run]
    start, end = run[0].start(), run[-1].end()
    if len(run) > 1 and text[run[0].end() : run[1].start()] == " of ":
        toks = [toks[0], " ".join(["of", *toks[1:]])]  # one name word: "Duchess" + "of Monmouth"
    possessive = False
    last = toks[-1]
    if APOS_S.search(last):
        toks[-1] = last[:-2]
        end -= 2
        possessive = True
    toks[-1] = toks[-1].rstrip("'’-")
    if toks[-1] in PARTICLES or toks[0] in PARTICLES:
        return
    if len(toks) > 1 and toks[-1].lower() in NUMBER_WORDS:
        return  # "Lock Three", "Platform Nine": a numbered thing
    # Drop leading non-name words ("Poor Miss Taylor", "Then Ali", "When Elizabeth", "You're Ysolde Marr").
    lead = 0
    while (
        lead < len(toks) - 1
        # a contraction before two name words or more ("You're Ysolde Marr", not "Don't Mum me")
        and (toks[lead].lower() in STOP or (_CONTRACTION.match(toks[lead]) is not None and len(toks) - lead > 2))
        and toks[lead].lower() not in TITLES
        and toks[lead].lower() not in STOP_NAMES
    ):
        lead += 1
    # A sentence-initial run that opens with a word the text mostly writes in lower case ("For Jo", "Long ago
    # Pip"), a frequent English word (in a short text: "Does Nana", "Tell Ruth") or a participle ("Resisting
    # Stapleton") starts at the next word, unless that word is a first name or the text also capitalises the
    # frequent word mid-sentence ("Sunny Brekke" beside "says Sunny", "Coach Varley" beside "at 6:14 Coach").
    common = common_words()
    while (
        initial
        and lead < len(toks) - 1
        and (
            lower[toks[lead].lower()] >= COMMON_IN_LOWER
            or (toks[lead].lower() in common and APOS_S.sub("", toks[lead]) not in named)
            or _participle(toks[lead])
        )
        and toks[lead].lower() not in TITLES
        and name_prior(toks[lead]) is None
    ):
        lead += 1
    if lead:
        start = run[lead].start()
        toks = toks[lead:]
        initial = False
    title: str | None = None
    tl = toks[0].lower().rstrip(".")
    if tl not in TITLES and tl in TITLE_WORDS and text.startswith(".", start + len(toks[0])):
        tl = TITLE_WORDS[tl]  # "Capt. Anna Reyes" is Captain Anna Reyes
    if tl in TITLES and len(toks) > 1:
        title = tl
        toks = toks[1:]
    if len(toks) > 4 or (title is None and len(toks) == 1 and tl in ADDRESS_WORDS):
        return
    if any(_contracted(t, lower) for t in toks):
        return  # contractions: Don't, I'm, We'd
    qidx = qi.containing(start)
    in_quote = qidx >= 0
    if in_quote and initial and title is None and len(toks) == 1 and _PRONOUN_NEXT.match(text, end):
        return  # "Hope you brought your wallet", "Will you stop?", "Guess I'll go": a verb opening the sentence
    vocative = False
    if in_quote:
        qs, qe = qi.starts[qidx], qi.ends[qidx]
        vocative = is_vocative(text, start, end, qs + 1, qe - 1 if text[qe - 1 : qe] in _CLOSE_MARKS else qe)
    hits.append(NameHit(start, end, title, tuple(toks), initial, in_quote, possessive, vocative))


#: A personal pronoun right after a word, no comma between: that word is no one's name ("Hope you", "Bet I").
_PRONOUN_NEXT = re.compile(r" (?:you|I|we|he|she|they|it|ya|ye)\b")
#: A contraction ("You're", "Don't", "We'll"), never a name word ("O'Brien", "D'Arcy" are no contractions).
_CONTRACTION = re.compile(r"[A-Za-z]+(?:n['’]t|['’](?:re|m|ll|ve|d))$")
#: A name word with an apostrophe inside: "O'Brien", "D'Arcy", "T'Challa"; or two parts of two letters or more,
#: the second in lower case ("Ka'ren", "Sha'ira"), unlike "Don't", "C'mon", "Ne'er", "Ma'am".
_APOSTROPHE_NAME = re.compile(r"[A-Z]['’][A-Z]\w*|[A-Z][a-z]+['’][a-z]{2,}")
#: Capitalised words with an apostrophe inside that are English, not names.
_APOSTROPHE_WORDS = frozenset("ma'am ne'er ha'penny bo'sun o'clock".split())
#: Endings a dialect spelling clips after an apostrophe ("whatsume'er", "e'en", "th'em").
_CLIPPED_ENDINGS = frozenset("er en em st us ee ye im ud ad ow".split())


def _contracted(word: str, lower: Counter[str]) -> bool:
    """Whether a capitalised word with an apostrophe inside is a contraction or an English word, no name word: not
    :data:`_APOSTROPHE_NAME`, a :data:`_CONTRACTION`, or a word the text also writes in lower case."""
    if "'" not in word[1:] and "’" not in word[1:]:
        return False
    key = word.lower().replace("’", "'")
    head, _, tail = key.partition("'")
    return (
        _APOSTROPHE_NAME.fullmatch(word) is None
        or _CONTRACTION.match(word) is not None
        or key in _APOSTROPHE_WORDS
        or lower[word.lower()] > 0
        # dialect: an English word before the apostrophe ("Know'st", "Ware'us"), or a clipped ending ("Whatsume'er")
        or (len(head) > 1 and head in common_words())
        or tail in _CLIPPED_ENDINGS
    )


_TAG_AFTER = re.compile(r"\s*(?:,\s*)?(\w+)")
_TAG_BEFORE = re.compile(r"(\w+)\s*$")
_TAG_BEFORE_THE = re.compile(r"(\w+)\s+the\s+$")  # '"…," said the Grandmother'
_WORD_NEXT = re.compile(r"[ \t]+([a-z][\w-]*)")

# "Ilse, her maid, …", "Ilse, a thin girl of twelve, …": an apposition whose words include a person noun (not
# "Hereupon, a choleric gentleman, who …", where the noun phrase is the subject)
_APPOSITION = re.compile(r",[ \t]*\n?[ \t]*(?:his|her|their|my|our|your|the|a|an)((?:[ \t]*\n?[ \t]*[a-z][\w'’-]*){1,4}?)[ \t]*[,;—](?![ \t\n]*(?:who|whom|whose|which|that)\b)")
#: "a girl named Ilse", "a boy called Tam"
_NAMING = frozenset({"named", "called"})


def mark_cues(text: str, hits: list[NameHit]) -> None:
    """``said X`` / ``X said`` / ``X smiled`` (a verb right after a name), ``a girl named X`` and ``X, her maid,``
    mark a hit as a person cue."""
    for h in hits:
        if h.in_quote:
            continue
        m = _TAG_AFTER.match(text, h.end, h.end + 30)
        nxt = m.group(1).lower() if m else ""
        b = _TAG_BEFORE.search(text, max(0, h.start - 20), h.start)
        prv = b.group(1).lower() if b else ""
        verb = _TAG_BEFORE_THE.search(text, max(0, h.start - 24), h.start) if prv == "the" else b
        if prv == "the" and (w := _WORD_NEXT.match(text, h.end)) and personish(w.group(1)):
            verb = None  # "said the Radical member": the name modifies the speaker, it is not them
        if (
            verb is not None
            and verb.group(1).lower() in SPEECH_VERBS
            and _QUOTE_BEFORE.search(text, max(0, verb.start(1) - 4), verb.start(1))
        ):
            h.tagged = True  # '"…," said Myra', '"…," said the Grandmother'
        elif nxt in SPEECH_VERBS and m is not None and (
            _QUOTE_BEFORE.search(text, max(0, h.start - 4), h.start) or _QUOTE_AFTER.match(text, m.end(1))
        ):
            h.tagged = True  # '"…," Myra said' / 'Myra said, "…"'
        if (
            nxt in SPEECH_VERBS
            or prv in SPEECH_VERBS
            or prv in _NAMING
            or _apposed_person(text, h.end)
            or h.possessive
            or (
                m
                and m.start(1) == h.end + 1
                # "Nico drove": an irregular past after a one-word name ("Hereupon Startop took" keeps no opener)
                and (verb_like(nxt) or (nxt in IRREGULAR_PAST and len(h.words) == 1))
            )
        ):
            h.cue = True


#: A closing quotation mark (and the comma or space after it) right before a tag word; an opening one after it.
_QUOTE_BEFORE = re.compile(r"[\"”’'»][,;]?\s*$")
_QUOTE_AFTER = re.compile(r"\s*[,:]?\s*[\"“‘'«「]")


def _apposed_person(text: str, end: int) -> bool:
    """Whether an apposition naming a kind of person follows the name ending at ``end``."""
    m = _APPOSITION.match(text, end, end + 60)
    return m is not None and any(personish(w) for w in m.group(1).split())


def kin_names(story: Story, hits: list[NameHit]) -> set[str]:
    """Family words a first-person narration writes as names ("said Mum", "except Mum", "Mum laughed": the
    narrator's mother, :data:`fabula.lexicon.KIN_NAMES`), or any narration gives as a speaker in a dialogue tag
    ('"You're late," Mom said.'). A third-person narration's "Mamma" and "Papa" that no tag gives a line are whoever
    the scene's children call so, no one person."""
    first = SpanIndex.of((s.start, s.end) for s in story.sections if s.person == "first")
    return {
        h.words[0]
        for h in hits
        if len(h.words) == 1
        and h.title is None
        and h.words[0].lower() in KIN_NAMES
        and not h.in_quote
        and (not h.initial or h.cue)
        and (first.containing(h.start) >= 0 or h.tagged)
    }


def quoted_words(story: Story) -> SpanIndex[int]:
    """Each sub-span of the story's quotations: a tag or a beat between two of them ('"Anywhere." April shrugged.
    "Anywhere but here."') is narration, where a name is tagged, acts or is addressed."""
    return SpanIndex.of(span for q in story.quotes if q.type != "mention" for span in q.spans)


def quote_index(story: Story) -> SpanIndex[int]:
    """The story's quotations (outer spans, marks included), for "is this position inside speech" checks."""
    return SpanIndex.of((q.outer or (q.start, q.end)) for q in story.quotes if q.type != "mention")


#: A word written wholly in capitals ("TOM", "MR.", "TWIST'S"); runs of them are read by :func:`caps_mentions`.
_CAPS_WORD = re.compile(r"(?<![\w'’])[A-Z][A-Z'’-]*\.?(?![\w'’])")
#: Non-story blocks whose capitals may name a character: headings ("I MEET SIR HENRY CURTIS").
HEADING_KINDS = frozenset({"chapter_heading", "heading", "part_heading"})


def caps_key(words: list[str]) -> tuple[str, ...]:
    """Lower-cased name words without a final "." or 's: "MR. TWIST'S" and "Mr. Twist" share one key."""
    return tuple(APOS_S.sub("", w).rstrip(".").lower() for w in words)


def caps_mentions(
    story: Story, forms: dict[tuple[str, ...], str], taken: SpanIndex[int], lower: Counter[str]
) -> list[tuple[int, int, str]]:
    """Names written in capitals ("“TOM!”", "CHAPTER I: I MEET SIR HENRY CURTIS", "MR. VILLARS TO LADY HOWARD")
    that spell a form of a known character: ``(start, end, character id)`` for each, longest form first.

    ``forms`` maps lower-cased form words (title included, "." and 's dropped) to one character id; a one-word
    form counts only when it is no frequent English word and the text does not write it in lower case ("WILL",
    "HOPE"). Story text and headings are read; other non-story blocks and ``taken`` spans are not."""
    text = story.text
    blocked = SpanIndex.of((n.start, n.end) for n in story.nonstory if n.kind not in HEADING_KINDS)
    common = common_words()
    words = [m for m in _CAPS_WORD.finditer(text) if taken.containing(m.start()) < 0]
    out: list[tuple[int, int, str]] = []
    i = 0
    while i < len(words):
        if blocked.containing(words[i].start()) >= 0:
            i += 1
            continue
        found = None
        for j in range(min(len(words), i + 4), i, -1):
            run = words[i:j]
            if any(text[a.end() : b.start()] not in (" ", "\n") for a, b in itertools.pairwise(run)):
                continue
            key = caps_key([m.group() for m in run])
            cid = forms.get(key)
            if cid is not None and (len(key) > 1 or (key[0] not in common and lower[key[0]] < COMMON_IN_LOWER)):
                found = (j, cid)
                break
        if found is None:
            i += 1
            continue
        j, cid = found
        last = words[j - 1]
        end = last.end() - (2 if APOS_S.search(last.group()) else 0)
        out.append((words[i].start(), end - (1 if text[end - 1] == "." else 0), cid))
        i = j
    return out


_DEITY = re.compile(r"(?<![\w'’-])(?:" + "|".join(sorted(DEITIES)) + r")(?![\w-])")


def deity_mentions(story: Story, taken: SpanIndex[int]) -> dict[str, list[tuple[int, int]]]:
    """The names of :data:`fabula.lexicon.DEITIES` in the story text (non-story blocks and ``taken`` spans left
    out; "God-fearing" is no mention), by name."""
    blocked = SpanIndex.of((n.start, n.end) for n in story.nonstory)
    out: dict[str, list[tuple[int, int]]] = {}
    for m in _DEITY.finditer(story.text):
        if blocked.containing(m.start()) < 0 and taken.containing(m.start()) < 0:
            out.setdefault(m.group(), []).append(m.span())
    return out
