"""Craft notes for the writer: measurements and suggestions, each tied to its places in the text.

One job: read the finished structure (paragraphs, sentences, chapters, scenes, sections and their narrators,
quotations, thoughts) and set ``story.craft_notes``. No I/O. The notes:

- ``dialogue_balance``: each chapter's share of dialogue words (``info``; a ``suggestion`` when a chapter is
  almost all dialogue or almost all narration);
- ``tag_verbs``: dialogue tags with verbs other than said/asked and their plain kin ("he spits", "I snap");
- ``tag_adverbs``: tags leaning on an adverb ("says quietly");
- ``untagged_run``: a run of bare lines (paragraphs that are only quotation) long enough to lose the reader;
- ``pov_switch``: the person or the narrator changes with no scene break or chapter start;
- ``tense_drift``: narration slipping out of its section's tense;
- ``echo``: the same phrase again in narration within a few lines;
- ``misspelling``: common web-fiction misspellings ("alot", "atleast", "infront", "ofcourse", "dont").
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterator, Mapping, Sequence

import numpy as np

from fabula.lexicon import SPEECH_VERBS
from fabula.pipeline import Stage
from fabula.story import CraftNote, Section, Span, Story

# ------------------------------------------------------------------------------------------------- settings

DIALOGUE_HIGH = 0.75  # a chapter above this share of dialogue words gets a suggestion
DIALOGUE_LOW = 0.05  # ... below this, when it has at least MIN_CHAPTER_WORDS words
MIN_CHAPTER_WORDS = 300
RUN_MIN = 6  # bare lines in a row before a reader may lose track of who speaks
ECHO_N = 3  # words in an echoed phrase
ECHO_WINDOW = 450  # code points: "within a few lines"
MAX_ECHOES = 40
TAG_WINDOW = 80  # code points of narration after a quotation searched for its tag

PLAIN_TAGS = frozenset(
    """say said says saying ask asked asks asking tell told tells reply replied replies answer answered answers
    whisper whispered whispers murmur murmured murmurs shout shouted shouts call called calls add added adds
    continue continued continues repeat repeated repeats cry cried cries explain explained explains""".split()
)
SAID_BOOKISMS = frozenset(  # not ways of speaking at all: a reader hears the writer reaching
    """spit spits spat snap snaps snapped hiss hisses hissed growl growls growled bark barks barked snarl snarls
    snarled sneer sneers sneered chuckle chuckles chuckled laugh laughs laughed smile smiles smiled grin grins
    grinned sigh sighs sighed breathe breathes breathed scoff scoffs scoffed snort snorts snorted huff huffs
    huffed purr purrs purred giggle giggles giggled nod nods nodded""".split()
)
NOT_ADVERBS = frozenset(
    """only early family reply apply fly ugly holy lonely lovely friendly likely silly belly ally jelly rely
    supply bully curly daily elderly july italy emily lily sally holly molly kelly billy reilly willy
    ely costly deadly wily homely""".split()
)
SUBJECTS = frozenset("i he she we they you it".split())
TAG_SUBJECTS = SUBJECTS - {"it"}
MISSPELLINGS = {
    "alot": "a lot", "atleast": "at least", "infront": "in front", "ofcourse": "of course", "aswell": "as well",
    "eachother": "each other", "incase": "in case", "alittle": "a little", "abit": "a bit", "noone": "no one",
    "everytime": "every time", "untill": "until", "definately": "definitely", "seperate": "separate",
    "wierd": "weird", "recieve": "receive", "tommorow": "tomorrow", "thier": "their", "alright": "all right",
}
APOSTROPHES = {
    "dont": "don't", "didnt": "didn't", "doesnt": "doesn't", "isnt": "isn't", "wasnt": "wasn't",
    "couldnt": "couldn't", "wouldnt": "wouldn't", "shouldnt": "shouldn't", "havent": "haven't",
    "hasnt": "hasn't", "youre": "you're", "theyre": "they're", "cant": "can't", "Ive": "I've", "Im": "I'm",
}
_ANY_CASE = "|".join(w for w in (*MISSPELLINGS, *APOSTROPHES) if w.islower())
MISSPELLING_RE = re.compile(rf"\b(?:(?i:{_ANY_CASE})|Ive|Im)\b")
_RUN_RE = re.compile(r"\w+")
_ASCII_RUN_RE = re.compile(r"[A-Za-z0-9_]+")  # _RUN_RE for ASCII text: the same matches, found faster
_MIS_LONGEST = max(map(len, (*MISSPELLINGS, *APOSTROPHES)))
WORD_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_WORD_SPLIT = re.compile(f"({WORD_RE.pattern})")  # split: the text between the words, and the words
#: :data:`WORD_RE` and ``_WORD_SPLIT`` for ASCII text (``[^\W\d_]`` is ``[A-Za-z]`` there, and there is no ``’``):
#: the same matches, found faster (the re module tests a range faster than a category)
_ASCII_WORD_RE = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)*")
_ASCII_WORD_SPLIT = re.compile(f"({_ASCII_WORD_RE.pattern})")
PAST = frozenset(
    """was were had did didn't wasn't weren't hadn't said went came saw knew thought felt took made got gave
    told found left stood sat ran held kept began brought became heard meant spoke wrote fell drove threw
    caught taught sought bought fought grew knew rose woke wore won lay led lost paid sent slept swam swung
    understood""".split()
)
PRESENT = frozenset("am is are has have do does don't doesn't isn't aren't can can't won't will".split())
AMBIGUOUS = frozenset(
    """could couldn't would wouldn't should shouldn't might must may shall just still never always also only
    then now even finally suddenly slowly quickly almost already simply barely really both all too soon
    alone once again ever not but and or so as if when""".split()
)
NOT_ED = frozenset("need needed feed seed bleed speed proceed succeed exceed shed bed red wed breed".split())
FUNCTION_WORDS = frozenset(
    """the a an and but or of to in on at by for with from into onto up out over as is was were be been am are
    it its i me my he him his she her we us our they them their you your this that these those there here
    then than so not no do did does had has have would could should will can just what who which when where
    how all any some one like if""".split()
)


def _word_re(s: str) -> re.Pattern[str]:
    """:data:`WORD_RE`, or its ASCII twin for an ASCII ``s`` (the same matches)."""
    return _ASCII_WORD_RE if s.isascii() else WORD_RE


def _words(s: str) -> int:
    return len(_word_re(s).findall(s))


def _label(story: Story, pos: int) -> str:
    """ "Chapter 3" for the chapter holding ``pos`` ("the story" when there is one chapter or none)."""
    if len(story.chapters) <= 1:
        return "the story"
    i = bisect.bisect_right([c.start for c in story.chapters], pos) - 1
    return f"chapter {max(i, 0) + 1}"


class _Text:
    """The story text with quotations, thoughts and non-story blocks found fast."""

    def __init__(self, story: Story) -> None:
        self.story = story
        outer = [q.outer if q.outer is not None else (q.start, q.end) for q in story.quotes]
        self.quotes = sorted(outer)
        self.q_starts = [s for s, _ in self.quotes]
        self.spoken = sorted(s for q in story.quotes if q.said for s in q.spans)  # lines of dialogue only
        self.said_starts = sorted((q.outer or (q.start, q.end))[0] for q in story.quotes if q.said)
        hidden = sorted([*self.quotes, *((t.start, t.end) for t in story.thoughts),
                         *((n.start, n.end) for n in story.nonstory)])
        merged: list[list[int]] = []
        for a, b in hidden:
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        self.hidden = [(a, b) for a, b in merged]  # disjoint, sorted
        self.hidden_ends = [b for _, b in self.hidden]
        # the whole text's narration, built on first use, when the spans are well-formed (see narration)
        self._full: str | None = None
        self._sliceable = all(0 <= a <= b <= len(story.text) for a, b in self.hidden)

    def narration(self, s: int, e: int) -> str:
        """``text[s:e]`` with quotations, thoughts and non-story blocks blanked out (offsets kept): a slice of
        the whole text's narration, built once (the same string)."""
        n = len(self.story.text)
        if self._sliceable and 0 <= s <= e <= n:
            if self._full is None:
                self._full = self._narration(0, n)
            return self._full[s:e]
        return self._narration(s, e)

    def _narration(self, s: int, e: int) -> str:
        """:meth:`narration`, built piece by piece."""
        text = self.story.text
        parts: list[str] = []
        pos = s
        for hs, he in self.hidden[bisect.bisect_right(self.hidden_ends, s):]:
            if hs >= e:
                break
            a, b = max(hs, s), min(he, e)
            parts += (text[pos:a], " " * (b - a))
            pos = b
        parts.append(text[pos:e])
        return "".join(parts)

    def next_quote(self, pos: int) -> int:
        k = bisect.bisect_left(self.q_starts, pos)
        return self.q_starts[k] if k < len(self.q_starts) else len(self.story.text)


# ------------------------------------------------------------------------------------------------ the notes


def dialogue_balance(story: Story, tx: _Text) -> list[CraftNote]:
    """Each chapter's share of dialogue words: an ``info`` note, a ``suggestion`` at the extremes."""
    chapters = [(c.start, c.end) for c in story.chapters] or [(0, len(story.text))]
    blocks = sorted((n.start, n.end) for n in story.nonstory)
    out = []
    for i, (s, e) in enumerate(chapters):
        total = _words(story.text[s:e]) - sum(_words(story.text[max(a, s):min(b, e)]) for a, b in blocks
                                              if a < e and s < b)
        first, last = bisect.bisect_left(tx.spoken, (s,)), bisect.bisect_left(tx.spoken, (e,))
        spoken = sum(_words(story.text[a:b]) for a, b in tx.spoken[first:last])
        if total <= 0:
            continue
        share = min(1.0, spoken / total)
        name = f"Chapter {i + 1}" if len(chapters) > 1 else "The story"
        pct = round(share * 100)
        if share > DIALOGUE_HIGH:
            level, msg = "suggestion", (f"{name} is {pct}% dialogue: a few beats of action or setting between "
                                        "the lines would let readers see the scene.")
        elif share < DIALOGUE_LOW and total >= MIN_CHAPTER_WORDS:
            level, msg = "suggestion", (f"{name} is almost all narration ({pct}% dialogue): a line or two of "
                                        "speech could let the characters show themselves.")
        else:
            level, msg = "info", f"{name} is {pct}% dialogue and {100 - pct}% narration."
        out.append(CraftNote("dialogue_balance", level, msg, [(s, e)], [], share))
    return out


def _tags(story: Story, tx: _Text) -> Iterator[tuple[int, int, str, str | None, int, int]]:
    """Dialogue tags after each quoted sub-span: ``(verb start, verb end, verb, adverb or None, its start, end)``."""
    text = story.text
    starts = [s for s, _ in tx.spoken]
    for _, se in tx.spoken:
        k = bisect.bisect_right(starts, se)
        stop = min(se + TAG_WINDOW, starts[k] if k < len(starts) else len(text))
        nl = text.find("\n", se, stop)
        region = text[se:nl if nl >= 0 else stop]
        end = re.search(r"[.!?;](?=\s|$)", region[2:])  # the span's own closing punctuation is not an end
        region = region[: end.start() + 2 if end else len(region)]
        words = list(WORD_RE.finditer(region))[:6]
        low = [w.group().lower() for w in words]
        for k, w in enumerate(low[:4]):
            if w not in SPEECH_VERBS:
                continue
            before = range(max(0, k - 3), k)
            if not (TAG_SUBJECTS & set(low[max(0, k - 3):k + 3]) or any(words[j].group()[:1].isupper()
                                                                          for j in before)):
                continue
            adv = next(((words[j].group(), words[j].start(), words[j].end()) for j in (k - 1, k + 1, k + 2)
                        if 0 <= j < len(words) and low[j].endswith("ly") and low[j] not in NOT_ADVERBS
                        and len(low[j]) > 4), None)
            vs, ve = se + words[k].start(), se + words[k].end()
            if adv is None:
                yield vs, ve, w, None, 0, 0
            else:
                yield vs, ve, w, adv[0], se + adv[1], se + adv[2]
            break


def tag_notes(story: Story, tx: _Text) -> list[CraftNote]:
    tags = list(_tags(story, tx))
    out = []
    loud = [(s, e, v) for s, e, v, *_ in tags if v not in PLAIN_TAGS]
    if loud:
        counts: dict[str, int] = {}
        for _, _, v in loud:
            counts[v] = counts.get(v, 0) + 1
        shown = ", ".join(f"“{v}”" + (f" ×{n}" if n > 1 else "") for v, n in
                          sorted(counts.items(), key=lambda x: -x[1])[:8])
        strong = any(v in SAID_BOOKISMS for v in counts)
        level = "suggestion" if strong or len(loud) * 5 >= len(tags) or len(loud) >= 3 else "info"
        msg = (f"{len(loud)} of {len(tags)} dialogue tags use a verb other than said or asked ({shown}). "
               "Said and asked are nearly invisible; consider letting the line carry the tone, or an action beat.")
        out.append(CraftNote("tag_verbs", level, msg, [(s, e) for s, e, _ in loud], list(counts), None))
    adverbs = [(min(s, a_s), max(e, a_e), f"{a} {v}" if a_s < s else f"{v} {a}") for s, e, v, a, a_s, a_e in tags if a is not None]
    if adverbs:
        examples = [x for _, _, x in adverbs]
        shown = ", ".join(f"“{x}”" for x in dict.fromkeys(examples[:6]))
        msg = (f"{len(adverbs)} dialogue tag{'s lean' if len(adverbs) > 1 else ' leans'} on an adverb ({shown}). "
               "Often the line itself can show how it is said; keep the adverb where it changes the meaning.")
        out.append(CraftNote("tag_adverbs", "suggestion", msg, [(s, e) for s, e, _ in adverbs],
                             list(dict.fromkeys(examples)), None))
    return out


def untagged_runs(story: Story, tx: _Text) -> list[CraftNote]:
    """Runs of at least :data:`RUN_MIN` consecutive paragraphs that are nothing but quotation."""
    out: list[CraftNote] = []
    run: list[tuple[int, int]] = []

    def flush() -> None:
        if len(run) >= RUN_MIN:
            first, last = story.text[run[0][0]:run[0][1]], story.text[run[-1][0]:run[-1][1]]
            msg = (f"{len(run)} lines in a row carry no tag or action beat (from “{_short(first)}” to "
                   f"“{_short(last)}”). Readers may lose track of who speaks; a tag or a beat around line "
                   f"{RUN_MIN - 2} would help.")
            out.append(CraftNote("untagged_run", "suggestion", msg, [(run[0][0], run[-1][1])], [], float(len(run))))
        run.clear()

    for p in story.story_paragraphs():
        inside = tx.narration(p.start, p.end)
        # a letter or a poem set apart is not a line of dialogue: it breaks a run
        bare = not WORD_RE.search(inside) and bisect.bisect_left(tx.said_starts, p.start) < bisect.bisect_left(
            tx.said_starts, p.end)
        if bare:
            run.append((p.start, p.end))
        else:
            flush()
    flush()
    return out


def _short(s: str, n: int = 40) -> str:
    flat = " ".join(s.strip("“”\"' \n").split())
    if len(flat) <= n:
        return flat
    cut = flat[:n]
    return (cut[: cut.rfind(" ")] if " " in cut else cut) + "…"


def _pov(s: Section, names: Mapping[str, str]) -> str:
    who = f", narrated by {names.get(s.narrator, s.narrator)}" if s.narrator else ""
    return f"{s.person} person{who}"


def pov_switches(story: Story) -> list[CraftNote]:
    names = {c.id: c.name for c in (*story.characters, *story.mentioned)}
    starts = sorted({s.start for s in story.scenes} | {c.start for c in story.chapters})
    breaks = sorted((n.start, n.end) for n in story.nonstory if n.kind in ("scene_break", "chapter_heading"))
    secs = sorted(story.sections, key=lambda s: s.start)
    out = []
    for prev, cur in itertools.pairwise(secs):
        changed = prev.person != cur.person or (prev.narrator != cur.narrator and prev.person == "first")
        if not changed or "unknown" in (prev.person, cur.person):
            continue
        lo, hi = prev.end - 2, cur.start + 2
        k = bisect.bisect_left(starts, lo)
        if (k < len(starts) and starts[k] <= hi) or any(a <= hi and lo <= b for a, b in breaks):
            continue
        msg = (f"The point of view changes here ({_pov(prev, names)} → {_pov(cur, names)}) with no scene break "
               "or heading. A break (* * *) or a name at the top tells readers whose head they are in.")
        end = story.text.find("\n", cur.start)
        out.append(CraftNote("pov_switch", "suggestion", msg, [(cur.start, end if end > 0 else cur.end)], [], None))
    return out


def _lower_words(s: str) -> list[str]:
    """The :data:`WORD_RE` words of ``s``, lower-cased (ASCII text is lower-cased at once: the same words)."""
    if s.isascii():
        return _ASCII_WORD_RE.findall(s.lower())
    return [w.lower() for w in WORD_RE.findall(s)]


#: The :data:`SUBJECTS` whose verb tells a sentence's tense ("it" and "you" do not)
_TENSE_SUBJECTS = SUBJECTS - {"it", "you"}


def _sentence_tense(narr: str) -> str | None:
    past = present = 0
    words = _lower_words(narr)
    for i in [i for i, w in enumerate(words[:-1]) if w in _TENSE_SUBJECTS]:
        w = words[i]
        if i and words[i - 1] in ("if", "though", "wish"):
            continue
        v = words[i + 1]
        if v in AMBIGUOUS or v.endswith("ly"):
            v = words[i + 2] if i + 2 < len(words) else ""
            if v in AMBIGUOUS:
                continue
        if v in PAST or (v.endswith("ed") and len(v) > 3 and v not in NOT_ED):
            past += 1
        elif v in PRESENT or (w in ("he", "she") and v.endswith("s") and len(v) > 2 and v not in PAST
                              and not v.endswith("ss")) or (w in ("i", "we", "they") and v.isalpha()
                                                           and v not in FUNCTION_WORDS):
            present += 1
    if past and not present:
        return "past"
    if present and not past:
        return "present"
    return None


def tense_drift(story: Story, tx: _Text) -> list[CraftNote]:
    out = []
    sentences = sorted(story.sentences, key=lambda s: s.start)
    starts = [s.start for s in sentences]
    for sec in story.sections:
        if sec.tense not in ("past", "present"):
            continue
        other = "past" if sec.tense == "present" else "present"
        places: list[tuple[int, int]] = []
        examples: list[str] = []
        for s in sentences[bisect.bisect_left(starts, sec.start):bisect.bisect_left(starts, sec.end)]:
            if _sentence_tense(tx.narration(s.start, s.end)) == other:
                places.append((s.start, s.end))
                examples.append(_short(story.text[s.start:s.end], 50))
        if places:
            where = _label(story, places[0][0])
            where = f" ({where})" if where != "the story" else ""
            msg = (f"In this {sec.tense}-tense stretch{where}, {len(places)} narration sentence"
                   f"{'s slip' if len(places) > 1 else ' slips'} into the {other} (“{examples[0]}”). If "
                   "it is not a flashback or a deliberate shift, keeping one tense keeps readers anchored.")
            out.append(CraftNote("tense_drift", "suggestion", msg, places, examples[:10], float(len(places))))
    return out


def echoes(story: Story, tx: _Text) -> list[CraftNote]:
    """The same :data:`ECHO_N`-word phrase twice in narration within :data:`ECHO_WINDOW` code points."""
    out: list[CraftNote] = []
    paras = story.story_paragraphs()
    pieces, runs = _echo_runs(tx, paras)
    ends: dict[int, list[int]] = {}  # each paragraph's pieces' end offsets, worked out for those walked
    last: dict[int, tuple[int, int]] = {}
    seen: set[int] = set()
    busy_until = -1
    full = -1  # the paragraph in which MAX_ECHOES was reached: the rest of its runs are not walked
    for k, i, key in runs:
        if k == full:
            continue
        at = ends.get(k)
        if at is None:
            at = ends[k] = list(itertools.accumulate(map(len, pieces[k])))
        s, e = paras[k].start + at[2 * i], paras[k].start + at[2 * (i + ECHO_N) - 1]
        prev = last.get(key)
        last[key] = (s, e)
        if prev is None or s - prev[1] > ECHO_WINDOW or key in seen:
            continue
        seen.add(key)
        if out and s < busy_until:  # the echo goes on ("stared at the empty harbour"): grow it
            (a0, _), (b0, _) = out[-1].places
            out[-1].places = [(a0, prev[1]), (b0, e)]
            busy_until = e
            continue
        busy_until = e
        out.append(CraftNote("echo", "suggestion", "", [prev, (s, e)], [], None))
        if len(out) >= MAX_ECHOES:
            full = k
    for n in out:
        phrase = story.text[n.places[1][0]:n.places[1][1]]
        n.examples = [phrase.lower()]
        n.message = (f"“{phrase}” comes back within a few lines. If the echo is not deliberate, "
                     "a different phrasing keeps the prose fresh.")
    return out


def _echo_runs(tx: _Text, paras: Sequence[Span]) -> tuple[list[list[str]], list[tuple[int, int, int]]]:
    """Each paragraph's narration cut into gaps and words (``[gap, word, gap, word, …, gap]``; lower-cased when
    ASCII, as only their lengths are read), and the :data:`ECHO_N`-word runs of its words that can echo, in order:
    (paragraph, first word, phrase). A run can echo when no gap between its words breaks it (a blanked quotation,
    a sentence end), a content word is in it and another such run has its phrase (the same words, lower-cased; a
    phrase is numbered); the other runs never echo, nor does a later run echo them."""
    pieces: list[list[str]] = []
    low: list[str] = []
    brk: list[bool] = []  # per word: the gap after it breaks a phrase (as does a paragraph's end)
    first = [0]  # each paragraph's first word
    for p in paras:
        narr = tx.narration(p.start, p.end)
        ascii = narr.isascii()  # then its words and gaps lower-cased are the pieces of it lower-cased
        ps = _ASCII_WORD_SPLIT.split(narr.lower()) if ascii else _WORD_SPLIT.split(narr)
        pieces.append(ps)
        words = ps[1::2]
        low.extend(words if ascii else [w.lower() for w in words])
        brk.extend(map(bool, map(str.strip, ps[2:-1:2], itertools.repeat(" ,"))))
        if words:
            brk.append(True)
        first.append(len(low))
    ids = {w: k for k, w in enumerate(dict.fromkeys(low))}
    content = np.fromiter((not (w in FUNCTION_WORDS or len(w) < 4) for w in ids), dtype=bool, count=len(ids))
    wid = np.fromiter(map(ids.__getitem__, low), dtype=np.int64, count=len(low))
    n = len(low) - ECHO_N + 1
    if n <= 0:
        return pieces, []
    stop, word = np.asarray(brk, dtype=bool), content[wid]
    ok = np.ones(n, dtype=bool)
    has = np.zeros(n, dtype=bool)
    for d in range(ECHO_N):
        if d < ECHO_N - 1:
            ok &= ~stop[d : d + n]
        has |= word[d : d + n]
    at = np.flatnonzero(ok & has)
    if len(ids) ** ECHO_N < 1 << 62:  # each phrase as one number, its words' numbers in base len(ids)
        key = np.zeros(len(at), dtype=np.int64)
        for d in range(ECHO_N):
            key = key * len(ids) + wid[at + d]
    else:
        grams = zip(*(wid[at + d].tolist() for d in range(ECHO_N)), strict=True)
        numbers: dict[tuple[int, ...], int] = {}
        key = np.fromiter((numbers.setdefault(g, len(numbers)) for g in grams), dtype=np.int64, count=len(at))
    _, phrase, counts = np.unique(key, return_inverse=True, return_counts=True)
    phrase = phrase.reshape(-1)
    twice = counts[phrase] >= 2
    at, phrase = at[twice], phrase[twice]
    para = np.searchsorted(np.asarray(first), at, side="right") - 1
    runs = list(zip(para.tolist(), (at - np.asarray(first)[para]).tolist(), phrase.tolist(), strict=True))
    return pieces, runs


def misspellings(story: Story) -> list[CraftNote]:
    # A match is a whole word (a run of \w between two boundaries): the distinct words are tried first, and the
    # text is walked word by word only when one of them is a misspelling (most texts have none).
    runs = (_ASCII_RUN_RE if story.text.isascii() else _RUN_RE).findall(story.text)
    hits = {w for w in set(runs) if len(w) <= _MIS_LONGEST and MISSPELLING_RE.fullmatch(w)}
    found: dict[str, list[tuple[int, int]]] = {}
    for m in _RUN_RE.finditer(story.text) if hits else ():
        if m.group() in hits and story.in_nonstory(m.start()) is None:
            found.setdefault(m.group(), []).append((m.start(), m.end()))
    by_word: dict[str, list[tuple[int, int]]] = {}
    for w, places in found.items():
        key = w if w in ("Ive", "Im") else w.lower()
        by_word.setdefault(key, []).extend(places)
    out = []
    for w, places in by_word.items():
        right = MISSPELLINGS.get(w) or APOSTROPHES.get(w)
        if right is None:
            continue  # matched only by Unicode case folding ("ſeperate", with a long s): not the web misspelling
        n = len(places)
        msg = f"“{w}” is usually written “{right}” ({n} place{'s' if n > 1 else ''})."
        out.append(CraftNote("misspelling", "suggestion", msg, sorted(places), [w], float(n)))
    return out


# ------------------------------------------------------------------------------------------------- stage


def notes(story: Story) -> list[CraftNote]:
    """Every craft note of ``story``, ordered by their first place."""
    tx = _Text(story)
    found: list[CraftNote] = [
        *dialogue_balance(story, tx), *tag_notes(story, tx), *untagged_runs(story, tx), *pov_switches(story),
        *tense_drift(story, tx), *echoes(story, tx), *misspellings(story),
    ]
    found.sort(key=lambda n: (n.places[0][0] if n.places else 0, n.kind))
    return found


def run(story: Story) -> None:
    """Set ``story.craft_notes``."""
    story.craft_notes = notes(story)


STAGE = Stage(
    "craft",
    run,
    reads=("text", "nonstory", "paragraphs", "sentences", "chapters", "scenes", "sections", "sections.narrator",
           "quotes", "thoughts", "characters", "mentioned"),
    writes=("craft_notes",),
)
