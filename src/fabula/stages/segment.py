"""Structure: paragraphs, sentences, tokens, chapters, scenes, epigraphs/notes, and POV sections (person, tense)."""

from __future__ import annotations

import itertools
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable

from fabula.lexicon import LATIN_LETTERS, LATIN_UPPER, SPEECH_VERB_RE, TITLE_ABBREVIATIONS, speech_verb
from fabula.pipeline import Stage
from fabula.spans import SpanIndex
from fabula.stages import headings, quote_types
from fabula.story import Chapter, NonStory, Person, Section, Span, Story, Tense

TOKEN_RE = re.compile(r"\w+(?:['’]\w+)*|[^\w\s]", re.UNICODE)
#: :data:`TOKEN_RE` for ASCII text (``\w`` is ``[A-Za-z0-9_]`` there): the same matches, found faster
_ASCII_TOKEN_RE = re.compile(r"[A-Za-z0-9_]+(?:'[A-Za-z0-9_]+)*|[^A-Za-z0-9_\s]")
_BLANK_SPLIT = re.compile(r"\n[ \t\u00a0]*\n")
_SCENE_BREAK_RE = re.compile(
    r"[ \t]*(?:(?:\*[ \t]*){3,}|-{3,}|_{3,}|#{1,3}|~+|(?:•[ \t]*){1,5}|o{3}|=+)[ \t]*"
)
_NOTE_RE = re.compile(
    r"[ \t]*[*_]{0,3}\(?[ \t]*(?:A/N|A\.N\.|(?:AN|NB|N\.B\.)[ \t]*[:\-—]|Author['’]?s?['’]? [Nn]otes?\b|AUTHOR['’]?S NOTE"
    r"|Note from the author\b)"
)
_DECOR = r"[~*=•·♡♥_-]"
#: A one-word name in a POV marker, hyphenated or not ("Jae-won").
_NAME = rf"[{LATIN_UPPER}][{LATIN_LETTERS}]+(?:-[A-Za-z][a-z]+)?"
#: Words a decorated line ("~ Prologue ~") is a heading with, no narrator's name.
HEADING_WORDS = frozenset(
    "prologue epilogue interlude flashback chapter part end fin bonus extra note update preface afterword later "
    "meanwhile earlier now then today tomorrow yesterday morning evening night present past".split()
)
_POV_RE = re.compile(
    rf"[ \t]*{_DECOR}*[ \t]*(?:({_NAME})['’]?[sS]?['’]?\s+(?:POV|pov|P\.O\.V\.)|POV:?\s*({_NAME})"
    rf"|([A-Z]{{2,}})|(?<={_DECOR})[ \t]*({_NAME})(?=[ \t]*{_DECOR}))[ \t]*{_DECOR}*[ \t]*"
)
#: A heading that says who narrates what follows: "Narrative Continued by the Doctor", "Mina Harker's Journal".
NARRATOR_HEADING_RE = re.compile(
    r"[ \t]*(?:\d+\.?\s+|[IVXLC]+\.\s+)?(?:(?:the\s+)?(?:narrative|story|account|narration|statement)\s+"
    r"(?:(?:continued|resumed|told|written|begun|concluded|given)\s+)?by\s+"
    r"(?P<by>(?:the\s+)?[A-Z][\w.'’\-]*(?:\s+[A-Z][\w.'’\-]*){0,3})"
    r"|(?P<own>[A-Z][\w.'’\-]*(?:\s+[A-Z][\w.'’\-]*){0,3})['’]s?\s+(?:narrative|story|account|statement"
    r"|journal|diary))\b[^\n]{0,80}",
    re.IGNORECASE,
)
_SENT_END = re.compile(r"[.!?…]+[\"'”’»」)\]]*(?=\s+[\"'“‘«「(\[]?[A-Z0-9\-—])|[.!?…]+[\"'”’»」)\]]*(?=\s*$)")
#: Abbreviations whose full stop ends no sentence: titles, then the others.
_ABBREV = TITLE_ABBREVIATIONS | frozenset("jr sr hon mt ft vs etc no vol ch p pp fig sen rep".split())

_FIRST = frozenset(["i", "me", "my", "mine", "myself"])
_FIRST_PL = frozenset(["we", "us", "our", "ours", "ourselves"])
_THIRD = frozenset(["he", "him", "his", "himself", "she", "her", "hers", "herself"])
_SECOND = frozenset(["you", "your", "yours", "yourself"])
_MALE = frozenset(["he", "him", "his", "himself"])
_FEMALE = frozenset(["she", "her", "hers", "herself"])
_PAST_AUX = frozenset(["was", "were", "had", "did", "could", "would"])
_PRESENT_AUX = frozenset(["is", "are", "am", "has", "does", "can", "will"])
_QUOTE_CHARS = '"“”«»「」'


def paragraphs(text: str) -> list[Span]:
    """Paragraph spans: blank-line blocks for hard-wrapped prose, otherwise one paragraph per line."""
    lines = text.split("\n")
    nonempty = [ln for ln in lines if ln.strip()]
    if not nonempty:
        return []
    blocks = [b for b in _BLANK_SPLIT.split(text) if b.strip()]
    multi = sum(1 for b in blocks if b.strip().count("\n") > 0)
    lengths = sorted(len(ln) for ln in nonempty)
    median = lengths[len(lengths) // 2]
    wrapped = median <= 90 and multi >= 0.25 * len(blocks) and len(blocks) > 1
    out: list[Span] = []
    if wrapped:
        pos = 0
        for m in _BLANK_SPLIT.finditer(text):
            _add_trimmed(text, pos, m.start(), out)
            pos = m.end()
        _add_trimmed(text, pos, len(text), out)
    else:
        pos = 0
        for ln in lines:
            _add_trimmed(text, pos, pos + len(ln), out)
            pos += len(ln) + 1
    return out


def _add_trimmed(text: str, start: int, end: int, out: list[Span]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        out.append(Span(start, end))


def sentences(text: str, paras: Iterable[Span]) -> list[Span]:
    """Sentence spans inside each paragraph (rule-based; abbreviations such as "Mr." do not end a sentence)."""
    out: list[Span] = []
    for p in paras:
        start = p.start
        chunk = text[p.start : p.end]
        for m in _SENT_END.finditer(chunk):
            end = p.start + m.end()
            if m.group().startswith(".") and is_abbrev(text, p.start + m.start()):
                continue
            _add_trimmed(text, start, end, out)
            start = end
        _add_trimmed(text, start, p.end, out)
    return out


def is_abbrev(text: str, dot: int) -> bool:
    """Whether the full stop at ``dot`` ends an abbreviation ("Mrs.", "St.", an initial) rather than a sentence."""
    i = dot
    while i > 0 and text[i - 1].isalpha():
        i -= 1
    word = text[i:dot].lower()
    return word in _ABBREV or (len(word) == 1 and word.isalpha() and text[i:dot].isupper())


def tokens(text: str) -> list[tuple[int, int]]:
    rx = _ASCII_TOKEN_RE if text.isascii() else TOKEN_RE
    return list(map(re.Match.span, rx.finditer(text)))


def chapters(story: Story, paras: list[Span]) -> tuple[list[Chapter], list[NonStory]]:
    """Chapters from reader metadata when present, else from heading lines (``CHAPTER IV``, ``Chapter 3: …``,
    ``STAVE ONE``, bare numerals; see :mod:`fabula.stages.headings`), with contents and front matter marked."""
    given = story.meta.get("chapters")
    if isinstance(given, list) and given and all(isinstance(c, dict) and "start" in c for c in given):
        return [Chapter(int(c["start"]), int(c["end"]), c.get("title")) for c in given], []
    return headings.find(story, paras)


def _gap_lines(text: str, a: int, b: int) -> int:
    return text.count("\n", a, b)


def scenes(text: str, paras: list[Span], chaps: list[Chapter]) -> tuple[list[Span], list[NonStory]]:
    """Scenes split at break lines (``***``, ``---``, ``#``, ``~``), unusually wide blank gaps and lines that say
    whose POV follows (``Kai's POV``)."""
    breaks: list[NonStory] = []
    cut_after: set[int] = set()  # paragraph indexes after which a scene ends
    gaps = [_gap_lines(text, paras[i].end, paras[i + 1].start) for i in range(len(paras) - 1)]
    normal = Counter(gaps).most_common(1)[0][0] if gaps else 1
    for i, p in enumerate(paras):
        if _SCENE_BREAK_RE.fullmatch(text, p.start, p.end):
            breaks.append(NonStory(p.start, p.end, "scene_break"))
            cut_after.add(i - 1)
            cut_after.add(i)
        elif i < len(gaps) and gaps[i] > normal and gaps[i] >= 3:
            cut_after.add(i)
        if i and (marker := pov_marker(text, p)) is not None and marker[1] != "bare":
            cut_after.add(i - 1)  # "KAI'S POV" after a blank line only: a new narrator, a new scene
    chapter_starts = {c.start for c in chaps}
    out: list[Span] = []
    break_spans = {(b.start, b.end) for b in breaks}
    cur: int | None = None
    last_end = 0
    for i, p in enumerate(paras):
        if (p.start, p.end) in break_spans:
            continue
        if cur is not None and any(cur < s <= p.start for s in chapter_starts):
            out.append(Span(cur, last_end))
            cur = None
        if cur is None:
            cur = p.start
        last_end = p.end
        if i in cut_after:
            out.append(Span(cur, last_end))
            cur = None
    if cur is not None:
        out.append(Span(cur, last_end))
    return out, breaks


# Speech inside one block of text (no blank line): a closed quotation, or an open one running to the block's end.
_SPEECH = re.compile(r'"[^"]*(?:"|$)|“[^”]*(?:”|$)|‘[^’]*(?:’(?!\w)|$)')
_WORDS = re.compile(r"[a-z’']+")


# A line led by a dash: speech in a text that writes dialogue so ("— Out, I said."), its tags beside it.
_DASH_LINE = re.compile(r"(?m)^[ \t]*(?:—|–|--)[^\n]*")
# Words in italics within a line, two or more: a thought ("*I can't do this,* Hana thought"), a title (not one
# stressed word: "If _I_ was hard")
_ITALIC = re.compile(
    r"(?<![*\w])\*(?!\s)[^*\n]{0,200}?\s[^*\n]{0,200}?(?<!\s)\*(?![*\w])"
    r"|(?<![_\w])_(?!\s)[^_\n]{0,200}?\s[^_\n]{0,200}?(?<!\s)_(?![_\w])"
)
# A script's line: a name in capitals, maybe a direction, a colon ("MAYA (turning): Then she can …"); not "ME:".
_SCRIPT_LINE = re.compile(
    rf"(?m)^[ \t]*(?!ME[ \t]*:)[{LATIN_UPPER}][{LATIN_UPPER}'’.-]+(?:[ \t][{LATIN_UPPER}][{LATIN_UPPER}'’.-]+){{0,2}}"
    r"(?:[ \t]*\([^()\n]{1,40}\))?[ \t]*:[ \t]*\S[^\n]*"
)
# "I" beside a word that may be a verb of speech: "I say", "said I".
_I_TAG = re.compile(r"\bI\s+([a-z]+)\b|\b([a-z]+)\s+I\b")


def _narration_words(text: str, start: int, end: int) -> list[str]:
    """Lower-cased words outside double-quoted speech, italics, a script's lines, dash-led lines and letters set
    as paragraphs of their own, with the third-person pronouns and the tags' "I" of the dash-led lines (a cheap
    approximation used only for person/tense)."""
    blocks = _without_letters(_BLANK_SPLIT.split(text[start:end]))
    narration = [
        _ITALIC.sub(" ", _SPEECH.sub(" ", _DASH_LINE.sub(" ", _SCRIPT_LINE.sub(" ", block)))) for block in blocks
    ]
    # the dash-led lines' tags still tell the person: "— Out, she said.", "— Out, I say."
    for line in (line for b in blocks for line in _DASH_LINE.findall(b)):
        narration += [w for w in _WORDS.findall(line.lower()) if w in _THIRD]
        narration += ["i" for m in _I_TAG.finditer(line) if speech_verb(m.group(1) or m.group(2))]
    return _WORDS.findall(" ".join(narration).lower())


def _without_letters(blocks: list[str]) -> list[str]:
    """``blocks`` (paragraphs) without the letters set among them (:func:`.quote_types.letter_runs`): a letter's
    "I" is its writer's, not the narrator's, and a third-person chapter that sets one out stays third person."""
    skip = {k for first, last in quote_types.letter_runs(blocks) for k in range(first, last + 1)}
    return [block for k, block in enumerate(blocks) if k not in skip]


#: In a book told in the first person, a scene stays first person down to this rate of narration words that are
#: first-person pronouns (``we``/``us``/``our`` count half): a chapter the narrator mostly watches, or one made of
#: dialogue, has few. Over the dev novels and the real texts, third-person scenes of third-person novels reach 0.011
#: (hence the strict 0.012 on its own) while the first-person books' quiet chapters keep 0.004 or more.
QUIET_FIRST = 0.004
#: The share of the scenes' text judged first person above which the book is told in the first person (third-person
#: novels with letters and journals: at most 0.07; the first-person books: 0.86 and more).
FIRST_PERSON_BOOK = 0.5
#: The rate of narration words that are "you", "your", "yours", "yourself" from which a scene is told in the second
#: person (with three times as many as first-person pronouns): a reader-insert story ("You walk in; he looks up").
SECOND_RATE = 0.02


def person_tense(
    text: str, start: int, end: int, *, first_person_book: bool = False
) -> tuple[Person, Tense, str | None]:
    """Grammatical person, tense and the dominant third-person gender (``m``/``f``) of a stretch of narration.

    ``first_person_book``: the book around it is told in the first person, so that fewer first-person pronouns
    suffice (``QUIET_FIRST``)."""
    words = _narration_words(text, start, end)
    c = Counter(words)
    first = sum(c[w] for w in _FIRST)
    third = sum(c[w] for w in _THIRD) + c["they"] + c["them"]
    n = max(len(words), 1)
    plural = sum(c[w] for w in _FIRST_PL)
    quiet = first_person_book and first + plural >= 2 and first + 0.5 * plural >= QUIET_FIRST * n
    second = sum(c[w] for w in _SECOND)
    person: Person
    if second >= SECOND_RATE * n and second >= 3 and second >= 3 * first:
        person = "second"  # "You walk into the café and he's already there": the reader is the one it follows
    elif (first >= 0.012 * n and first >= 0.1 * third) or quiet:
        person = "first"
    elif third > 0 or len(words) > 30:
        person = "third"
    else:
        person = "unknown"
    past = sum(c[w] for w in _PAST_AUX) + sum(v for w, v in c.items() if w.endswith("ed") and len(w) > 3)
    present = sum(c[w] for w in _PRESENT_AUX) + _present_verbs(words)
    tense: Tense = "unknown"
    if past + present >= 3:
        tense = "present" if present > 1.1 * past else "past"
    male, female = sum(c[w] for w in _MALE), sum(c[w] for w in _FEMALE)
    other = "m" if male > 1.5 * female and male >= 2 else "f" if female > 1.5 * male and female >= 2 else None
    return person, tense, other


def _present_verbs(words: list[str]) -> int:
    """Count pronoun + ``-s`` verb pairs ("he says", "she looks") and ``I`` + base-form ("I shake" ≈ not -ed)."""
    n = 0
    for a, b in itertools.pairwise(words):
        if (
            a in ("he", "she", "it")
            and len(b) > 2
            and b.endswith("s")
            and not b.endswith("ss")
            and b not in _NOT_VERB_S
        ) or (
            a == "i" and len(b) > 2 and b.isalpha() and not b.endswith("ed") and b not in _NOT_PRESENT_AFTER_I
        ):
            n += 1
    return n


_NOT_VERB_S = frozenset(["was", "has", "is", "does", "his", "its", "this", "us", "always", "perhaps"])
_NOT_PRESENT_AFTER_I = frozenset(
    [
        "was",
        "had",
        "did",
        "could",
        "would",
        "should",
        "might",
        "must",
        "also",
        "never",
        "just",
        "still",
        "only",
        "even",
        "then",
        "felt",
        "thought",
        "knew",
        "saw",
        "said",
        "told",
        "took",
        "made",
        "went",
        "came",
        "got",
        "gave",
        "left",
        "found",
        "heard",
        "began",
        "ran",
        "sat",
        "stood",
        "wanted",
    ]
)


def pov_marker(text: str, span: Span) -> tuple[str, str] | None:
    """The name a POV marker line gives (``Ares' POV``, ``POV: Ares``, ``ARES``, ``~ Ares ~``, ``**Ares's POV**``),
    title-cased, and its kind: ``pov`` (the line says "POV"), ``decorated`` (a name alone between marks) or ``bare``
    (an all-capitals word alone, or a decorated heading word: ``PROLOGUE``, ``~ Prologue ~``, ``- Later -``, which
    may be headings)."""
    return _marker(_POV_RE.fullmatch(text, span.start, span.end))


def chapter_pov(text: str, span: Span) -> tuple[str, str] | None:
    """:func:`pov_marker` for a chapter heading that names its narrator after the number: ``CHAPTER ONE — MAYA``,
    ``Chapter 2: Leo's POV``, ``Chapter 3 ~ Jess ~``."""
    rest = headings.chapter_title(text[span.start : span.end]) if span.end - span.start <= 80 else None
    return _marker(_POV_RE.fullmatch(rest)) if rest else None


def _marker(m: re.Match[str] | None) -> tuple[str, str] | None:
    if not m:
        return None
    name = next(g for g in m.groups() if g)
    if m.group(4) is not None:  # "~ Jess ~": a marker unless it is a heading word ("~ Prologue ~", "- Later -")
        return name, "bare" if name.lower() in HEADING_WORDS else "decorated"
    return name.title(), "bare" if m.group(3) is not None else "pov"


def narrator_headings(text: str, paras: Iterable[Span]) -> list[Span]:
    """Short one-line paragraphs that name the narrator of what follows (``NARRATOR_HEADING_RE``)."""
    return [
        p
        for p in paras
        if p.end - p.start <= 120
        and "\n" not in text[p.start : p.end].strip()
        and NARRATOR_HEADING_RE.fullmatch(text, p.start, p.end)
    ]


def sections(
    text: str, scene_spans: list[Span], paras: list[Span], breaks: Iterable[int] = (), marked: Iterable[int] = ()
) -> list[Section]:
    """POV sections: adjacent scenes merge while person and tense agree and no POV switch shows (``paras``: the
    story paragraphs, in order).

    A switch shows as a POV marker line (``ARES``, ``Ares' POV``), a heading naming the narrator (``breaks``:
    the first scene after each offset starts a section; ``marked``: the ends of chapter headings that name a POV,
    "Chapter 2 — ARES", the first scene after each starts one), or, in first person, as the other party's pronouns
    changing gender (Alana narrates "he", then Ares narrates "she"). In a book most of whose scenes are told in the
    first person, a scene with a few first-person pronouns is too (``QUIET_FIRST``): a chapter of dialogue, or one
    the narrator only watches, is no switch to the third person.
    """
    out: list[Section] = []
    last_other: str | None = None
    pending = sorted(breaks)
    marks = sorted(marked)
    judged = [person_tense(text, sc.start, sc.end) for sc in scene_spans]
    told = sum(sc.end - sc.start for sc, j in zip(scene_spans, judged, strict=True) if j[0] == "first")
    if told > FIRST_PERSON_BOOK * sum(sc.end - sc.start for sc in scene_spans):
        judged = [
            person_tense(text, sc.start, sc.end, first_person_book=True) if j[0] != "first" else j
            for sc, j in zip(scene_spans, judged, strict=True)
        ]
    starts = [p.start for p in paras]  # (in order)
    for sc, (person, tense, other) in zip(scene_spans, judged, strict=True):
        forced = False
        while pending and pending[0] < sc.start + 300:  # the heading ends the last scene or opens this one
            pending.pop(0)
            forced = True
        while marks and marks[0] <= sc.start:
            marks.pop(0)
            forced = True
        k = bisect_left(starts, sc.start)
        first_para = paras[k] if k < len(paras) else None
        marker = pov_marker(text, first_para) if first_para and first_para.end <= sc.end else None
        if out:
            prev = out[-1]
            switched = forced or marker is not None or (
                person == "first" and other is not None and last_other is not None and other != last_other
            )
            if (
                not switched
                and (prev.person == person or "unknown" in (prev.person, person))
                and (prev.tense == tense or "unknown" in (prev.tense, tense))
            ):
                # a stretch too short to tell (a letter, a line of dialogue) joins its neighbour
                prev.end = sc.end
                if prev.person == "unknown":
                    prev.person = person
                if prev.tense == "unknown":
                    prev.tense = tense
                last_other = other or last_other
                continue
        out.append(Section(sc.start, sc.end, person, tense))
        last_other = other
    return out


def _quote_only(text: str, span: Span) -> bool:
    s = text[span.start : span.end].strip()
    return len(s) > 2 and s[0] in "\"“'‘«「" and s[-1] in "\"”'’»」" and s.count("\n") < 6


#: An epigraph's credit line closing a paragraph: a dash, then a short name or source ("— Emily Dickinson",
#: "--Anon.", "— L. P. Hartley, The Go-Between"), no speech.
_CREDIT = re.compile(r"\n[ \t]*(?:—|–|--?)[ \t]*[A-Z][\w.'’-]*(?:[ \t,]+[\w.'’-]+){0,7}[ \t]*$")


def _credit(line: str) -> bool:
    """A credit line names a source, it says nothing ("— Yes, he said" is a dash-led reply)."""
    return SPEECH_VERB_RE.search(line) is None and _PRONOUN.search(line) is None


_PRONOUN = re.compile(r"\b(?:I|he|she|we|you|they)\b")


def epigraphs_and_notes(text: str, paras: list[Span], scene_spans: list[Span]) -> list[NonStory]:
    """Author's notes (``A/N:``, ``NB:``, ``Author's note``) and epigraphs (a lone quotation opening or closing the text)."""
    out: list[NonStory] = []
    for p in paras:
        if _NOTE_RE.match(text, p.start, p.end):
            out.append(NonStory(p.start, p.end, "author_note"))
    # a quotation over its source's name on a line of its own ("— L. P. Hartley"), wherever it stands
    for k, p in enumerate(paras):
        body = text[p.start : p.end]
        credit = _CREDIT.search(body)
        if credit is not None and _credit(credit.group()) and _quote_only(text, Span(p.start, p.start + credit.start())):
            out.append(NonStory(p.start, p.end, "epigraph"))
        elif _quote_only(text, p) and k + 1 < len(paras):
            line = "\n" + text[paras[k + 1].start : paras[k + 1].end]
            if _CREDIT.fullmatch(line) and _credit(line):
                out.append(NonStory(p.start, paras[k + 1].end, "epigraph"))
    if len(scene_spans) >= 2:
        for sc in (scene_spans[0], scene_spans[-1]):
            inner = [p for p in paras if sc.start <= p.start and p.end <= sc.end]
            if len(inner) == 1 and _quote_only(text, inner[0]) and not any(n.start == inner[0].start for n in out):
                out.append(NonStory(inner[0].start, inner[0].end, "epigraph"))
    return out


def run(story: Story) -> None:
    text = story.text
    paras = paragraphs(text)
    story.paragraphs = paras
    chaps, heading_blocks = chapters(story, paras)
    story.chapters = chaps
    scene_spans, breaks = scenes(text, paras, chaps)
    notes = epigraphs_and_notes(text, paras, scene_spans)
    existing = story.nonstory
    story.nonstory = sorted([*existing, *heading_blocks, *breaks, *notes], key=lambda n: (n.start, n.end))
    blocked = SpanIndex.of((n.start, n.end) for n in story.nonstory)
    story_paras = [p for p in paras if not blocked.overlapping(p.start, p.end)]
    # Scenes and sections cover story text only.
    starts, ends = [p.start for p in story_paras], [p.end for p in story_paras]
    story.scenes = [s for s in (_shrink(sc, story_paras, starts, ends) for sc in scene_spans) if s is not None]
    heads = [p.start for p in narrator_headings(text, paras)]
    marked = [c.heading.end for c in chaps if c.heading is not None and chapter_pov(text, c.heading)]
    story.sections = sections(text, story.scenes, story_paras, heads, marked)
    story.sentences = sentences(text, paras)
    story.tokens = tokens(text)


def _shrink(sc: Span, story_paras: list[Span], starts: list[int], ends: list[int]) -> Span | None:
    """``sc`` cut to the story paragraphs inside it (``starts`` and ``ends``: theirs, both increasing, as the
    paragraphs are in order and disjoint: those inside are one run of them), or None when there is none."""
    lo, hi = bisect_left(starts, sc.start), bisect_right(ends, sc.end)
    return Span(story_paras[lo].start, story_paras[hi - 1].end) if lo < hi else None


STAGE = Stage(
    name="segment",
    func=run,
    reads=("text", "meta", "nonstory"),
    writes=("paragraphs", "sentences", "tokens", "chapters", "scenes", "sections", "nonstory"),
)
