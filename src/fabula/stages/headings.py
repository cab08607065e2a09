"""Chapter headings in plain text, the way printed books write them (used by the segment stage).

Forms: ``CHAPTER I``, ``Chapter 1: Title``, ``CHAPTER TWENTY-ONE``, ``Chapter the First``, ``BOOK THE FIRST``,
``STAVE ONE``, ``ADVENTURE I. A TITLE``, ``Prologue``/``Epilogue``, and bare numerals (``IV``, ``IV.``, ``12``,
``IV. AN ALL-CAPS TITLE``) when several of them follow each other. A short title line right under a heading
(``CHAPTER ONE`` / ``PLAYING PILGRIMS``) joins it, in the paragraph after it or on the heading's next line
(``CHAPTER II.`` / ``The Pool of Tears`` with no blank line between).

Levels: ``BOOK``/``PART``/``VOLUME`` headings group chapters; ``CHAPTER``-like keywords are chapters; bare
numerals are chapters unless keyword chapters exist, in which case they number the parts inside one (a story
collection: ``ADVENTURE I. …`` with ``I.``, ``II.`` inside). Only headings followed by prose make chapters: a
heading with nothing but other headings or a list after it is a table-of-contents entry. A ``CONTENTS`` block,
a ``PREFACE``/``DEDICATION`` and anything else without prose before the first chapter are front matter.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from fabula.story import Chapter, NonStory, Span, Story

_UNITS = "one|two|three|four|five|six|seven|eight|nine"
_TEENS = "ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen"
_TENS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
_ORD_UNITS = "first|second|third|fourth|fifth|sixth|seventh|eighth|ninth"
_ORD_TEENS = (
    "tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth"
)
_ORD_TENS = "twentieth|thirtieth|fortieth|fiftieth|sixtieth|seventieth|eightieth|ninetieth"
_CARDINAL = rf"(?:(?:{_TENS})(?:[- ](?:{_UNITS}))?|{_TEENS}|{_UNITS}|hundred)"
_ORDINAL = rf"(?:(?:{_TENS})[- ](?:{_ORD_UNITS})|{_ORD_TENS}|{_ORD_TEENS}|{_ORD_UNITS}|last|final)"
_NUMBER = rf"(?:[IVXLCDM]+|[ivxlcdm]+|\d{{1,4}}|(?i:{_CARDINAL}|(?:the[ \t]+)?{_ORDINAL}))"
_PART_WORDS = "book|part|volume"
_CHAPTER_WORDS = "chapter|stave|adventure|story|tale|canto|letter|section|episode|fit|fytte"
# A keyword heading: the keyword (Capitalised or UPPER), a number, then an optional title on the same line.
_KEYWORD_RE = re.compile(
    rf"[ \t]*(?P<kw>(?i:{_PART_WORDS}|{_CHAPTER_WORDS}))[ \t]+(?P<num>{_NUMBER})\b"
    rf"(?P<rest>[ \t]*(?:[.:—–-]+|\s)[^\n]{{0,90}}|[ \t]*[.:]?)[ \t]*"
)
_BOOKEND_RE = re.compile(r"[ \t]*(?:Prologue|PROLOGUE|Epilogue|EPILOGUE)\b[^\n]{0,60}")
_BARE_RE = re.compile(r"[ \t]*(?:(?P<roman>[IVXLC]{1,7})|(?P<digits>\d{1,3}))\.?[ \t]*")
# "IV. THE RED-HEADED LEAGUE": a roman numeral with an all-capitals title.
_BARE_TITLED_RE = re.compile(r"[ \t]*(?P<roman>[IVXLC]{1,7})\.[ \t]+[A-Z][A-Z0-9 \t'’,;:!?&\"“”.-]{2,80}")
_CONTENTS_RE = re.compile(r"[ \t]*(?:(?:table[ \t]+of[ \t]+)?contents|index[ \t]+of[ \t]+chapters)\.?[ \t]*", re.I)
_FRONT_RE = re.compile(
    r"[ \t]*(?:preface|foreword|dedication|acknowledge?ments|introduction|introductory[ \t]+note"
    r"|(?:list[ \t]+of[ \t]+)?illustrations|author['’]s[ \t]+(?:note|preface))\.?[ \t]*",
    re.I,
)
_MINOR = frozenset("a an the of and in on at to for by with from or but nor de la le du".split())
_PROSE_WORD = re.compile(r"[a-z][a-z'’-]*")
# a line that opens with a double quotation mark and is not one quoted name (no stop before its closing mark)
_SPEECH_LINE = re.compile(r"[\"“«„](?![^\"”»]*[^\"”».,;:!?—–-][\"”»]$).*", re.S)

PART, CHAPTER, BARE = 0, 1, 2


@dataclass(slots=True)
class _Head:
    para: int  # index into the story paragraphs
    span: Span
    level: int
    number: int | None = None  # the value of a bare numeral
    title: Span | None = None  # a title on the heading paragraph's next line(s)


def _roman(s: str) -> int | None:
    vals = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
    total, prev = 0, 0
    for ch in reversed(s):
        v = vals.get(ch)
        if v is None:
            return None
        total = total - v if v < prev else total + v
        prev = max(prev, v)
    return total


def _keyword_ok(kw: str) -> bool:
    return kw.isupper() or (kw[0].isupper() and kw[1:].islower())


def classify(line: str) -> tuple[int, int | None] | None:
    """The level (``PART``, ``CHAPTER``, ``BARE``) and, for a bare numeral, its value; None for no heading."""
    m = _KEYWORD_RE.fullmatch(line)
    if m and _keyword_ok(m.group("kw")):
        rest = m.group("rest").strip(" \t.:—–-")
        num = m.group("num")
        # "Chapter One was dull." / "Part of me": a title after a word number must not read as a sentence.
        if rest and not (num[0].isdigit() or num.isupper()) and not _title_like(rest):
            return None
        return (PART if m.group("kw").lower() in _PART_WORDS.split("|") else CHAPTER), None
    if _BOOKEND_RE.fullmatch(line):
        return CHAPTER, None
    m = _BARE_RE.fullmatch(line) or _BARE_TITLED_RE.fullmatch(line)
    if m:
        roman = m.group("roman")
        value = _roman(roman) if roman else int(m.group("digits"))
        return BARE, value
    return None


def chapter_title(line: str) -> str | None:
    """What a chapter heading line says after its number ("CHAPTER ONE — MAYA" → ``MAYA``), or None."""
    m = _KEYWORD_RE.fullmatch(line)
    if not m or not _keyword_ok(m.group("kw")) or m.group("kw").lower() in _PART_WORDS.split("|"):
        return None
    return m.group("rest").strip(" \t.:—–-") or None


def _title_like(s: str) -> bool:
    """An all-capitals line, or Title Case with no sentence inside ("The Old Sea-dog at the Admiral Benbow"); in
    double quotation marks only as a whole with no stop inside ('“Pieces of Eight”', not a reply: '"No."')."""
    s = s.strip()
    letters = [c for c in s if c.isalpha()]
    if len(letters) < 2 or len(s) > 100 or "\n" in s or _SPEECH_LINE.fullmatch(s):
        return False
    if all(c.isupper() for c in letters):
        return True
    words = [w.strip(".,;:!?'’\"“”()[]—–-") for w in s.split()]
    words = [w for w in words if w]
    if not words or len(words) > 14 or not words[0][:1].isupper():
        return False
    major = [w for w in words if w.lower() not in _MINOR]
    return all(w[:1].isupper() or not w[:1].isalpha() for w in major)


def is_prose(text: str, span: Span) -> bool:
    """A paragraph of running text: lower-case words, and either a sentence end or enough words (a list of
    titles, a heading, a contents line is not)."""
    chunk = text[span.start : span.end].strip()
    words = chunk.split()
    lower = len(_PROSE_WORD.findall(chunk))
    if not words or lower == 0 or ("\n" not in chunk and _title_like(chunk)):
        return False
    if len(words) >= 8:
        return lower >= 0.5 * len(words)
    return chunk.endswith((".", "!", "?", '"', "”", "’", "'", "…"))


def _numeric_run(heads: list[_Head]) -> bool:
    """Bare numerals that count chapters: several, mostly each one more than the one before (or a new 1)."""
    values = [h.number for h in heads if h.number is not None]
    if len(values) < 2:
        return False
    steps = sum(1 for a, b in itertools.pairwise(values) if b == a + 1 or b == 1)
    return steps >= 0.6 * (len(values) - 1)


def _with_title(head: str, title: str, inline: bool) -> str:
    """A heading and its title: ``CHAPTER II`` + ``The Pool of Tears`` → ``CHAPTER II: The Pool of Tears``. A title on
    the heading's own next line(s) (``inline``) under a heading that has a title of its own goes on with its words
    (``Chapter XVIII: Lying to Mr. Beebe, … and The`` + ``Servants``)."""
    m = _KEYWORD_RE.fullmatch(head)
    if inline and m and m.group("rest").strip(" \t.:—–-"):
        return f"{head} {title}"
    return f"{head.rstrip(' .:—–-')}: {title}"


def _split_heading(text: str, p: Span) -> tuple[Span, Span | None] | None:
    """A paragraph as a heading line and the title lines under it: two or three lines, the others title-like
    (``CHAPTER II.`` / ``The Pool of Tears``). One line: itself and no title; anything else: None (no heading)."""
    lines = text[p.start : p.end].split("\n")
    if len(lines) == 1:
        return p, None
    rest = lines[1:]
    if len(lines) > 3 or not all(_title_like(line) and len(line) <= 100 and classify(line) is None for line in rest):
        return None
    head_end = p.start + len(lines[0].rstrip())
    return Span(p.start, head_end), Span(p.start + len(lines[0]) + 1, p.end)


def _subtitle(text: str, paras: list[Span], i: int, heads_at: set[int]) -> Span | None:
    """The title line right after heading paragraph ``i`` (not itself a heading, followed by more text)."""
    j = i + 1
    if j >= len(paras) - 1 or j in heads_at:
        return None
    p = paras[j]
    line = text[p.start : p.end]
    if "\n" in line.strip() or is_prose(text, p) or not _title_like(line):
        return None
    if line.rstrip().endswith(("?", "!")) and not line.isupper():
        return None
    return p


def find(story: Story, paras: list[Span]) -> tuple[list[Chapter], list[NonStory]]:
    """Chapters and the heading/front-matter blocks of a plain text (see the module docstring)."""
    text = story.text
    reader = sorted((n.start, n.end) for n in story.nonstory)
    story_paras = [p for p in paras if not any(s < p.end and p.start < e for s, e in reader)]
    heads: list[_Head] = []
    for i, p in enumerate(story_paras):
        split = _split_heading(text, p)
        if split is None:
            continue
        head, under = split
        c = classify(text[head.start : head.end]) if head.end - head.start <= 100 else None
        if c is not None:
            heads.append(_Head(i, head, c[0], c[1], under))
    bare = [h for h in heads if h.level == BARE]
    if not _numeric_run(bare):
        heads = [h for h in heads if h.level != BARE]
    levels = {h.level for h in heads}
    chapter_level = CHAPTER if CHAPTER in levels else BARE if BARE in levels else PART
    blocks: list[NonStory] = []
    kept: list[_Head] = []
    head_paras = {h.para for h in heads}
    for k, h in enumerate(heads):
        whole = h.title or h.span
        if h.level > chapter_level:
            blocks.append(NonStory(h.span.start, whole.end, "heading"))
            continue
        if h.level < chapter_level:
            blocks.append(NonStory(h.span.start, whole.end, "part_heading"))
            continue
        stop = next((g.para for g in heads[k + 1 :] if g.level <= chapter_level), len(story_paras))
        if any(is_prose(text, story_paras[j]) for j in range(h.para + 1, stop)):
            kept.append(h)
        else:
            blocks.append(NonStory(h.span.start, whole.end, "contents"))
    body_start = story_paras[0].start if story_paras else 0
    body_end = story_paras[-1].end if story_paras else len(text)
    if not reader:
        body_start, body_end = 0, len(text)
    first = kept[0].span.start if kept else body_end
    if kept:
        blocks.extend(_front_matter(text, story_paras, first, blocks))
    blocked = sorted((b.start, b.end) for b in blocks)
    if not kept:
        return [Chapter(body_start, body_end, None)], blocks
    out: list[Chapter] = []
    front = [p for p in story_paras if p.end <= first and not any(s <= p.start < e for s, e in blocked)]
    if front:
        out.append(Chapter(front[0].start if reader else 0, first, None))
    ends = sorted(
        {h.span.start for h in heads if h.level <= chapter_level and h in kept}
        | {h.span.start for h in heads if h.level < chapter_level}
    )
    for h in kept:
        end = next((e for e in ends if e > h.span.start), body_end)
        sub = h.title or _subtitle(text, story_paras, h.para, head_paras)
        head_text = text[h.span.start : h.span.end].strip()
        span = h.span
        if sub is not None and sub.end <= end:
            words = " ".join(text[sub.start : sub.end].split())
            title = _with_title(head_text, words, inline=h.title is not None)
            span = Span(h.span.start, sub.end)
        else:
            title = head_text
        out.append(Chapter(h.span.start, end, title, span))
        blocks.append(NonStory(span.start, span.end, "chapter_heading"))
    return out, sorted(blocks, key=lambda n: (n.start, n.end))


def _front_matter(text: str, story_paras: list[Span], first: int, blocks: list[NonStory]) -> list[NonStory]:
    """Before the first chapter: a contents block, a preface or dedication, and (when either is there, or
    nothing there is prose) everything else, as ``front_matter``; the contents label and list as ``contents``."""
    before = [p for p in story_paras if p.end <= first]
    if not before:
        return []
    label = next((p for p in before if _CONTENTS_RE.fullmatch(text, p.start, p.end)), None)
    front = any(_FRONT_RE.fullmatch(text, p.start, p.end) for p in before)
    if label is None and not front and any(is_prose(text, p) for p in before):
        return []
    taken = [(b.start, b.end) for b in blocks]
    out: list[NonStory] = []
    for p in before:
        if any(s <= p.start < e for s, e in taken):
            continue
        kind = "contents" if label is not None and p.start >= label.start and not is_prose(text, p) else (
            "front_matter"
        )
        if out and out[-1].kind == kind and not any(out[-1].end <= s < p.start for s, _ in taken):
            out[-1] = NonStory(out[-1].start, p.end, kind)
        else:
            out.append(NonStory(p.start, p.end, kind))
    return out
