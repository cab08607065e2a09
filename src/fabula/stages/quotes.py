"""Quotations: every utterance as grouped sub-spans (marks excluded), and inner thought as a separate layer.

Handles straight and curly double quotes, British single quotes (apostrophes told apart), guillemets, corner
brackets (「…」, as translations from Japanese write speech), dash-led
dialogue (also after a beat that opens its paragraph), nested quotes, quotations running over a paragraph break,
unbalanced marks recovered at paragraph ends, and message or script lines with no marks (``Jess: omw``,
:mod:`fabula.stages.chat`), each its own utterance. Sub-spans of one utterance around a tag (“I do,” he says. “I
love you.”) are grouped into one ``Quote``.
"""

from __future__ import annotations

import functools
import itertools
import re
from bisect import bisect_right
from dataclasses import dataclass

from fabula.lexicon import (
    NOT_AFTER_TITLE,
    SAY_BEFORE_RE,
    SPEECH_VERB_RE,
    SPEECH_VERBS,
    STOP,
    TITLE_ABBREVIATIONS,
    speech_verb,
)
from fabula.pipeline import Stage
from fabula.spans import SpanIndex
from fabula.stages import quote_model, quote_types
from fabula.stages.characters.first_names import is_first_name
from fabula.stages.characters.nouns import common_words
from fabula.stages.chat import chat_lines, label_ok
from fabula.story import Quote, Span, Story


# A raw quotation found by the scanner: content span and mark positions.
@dataclass(slots=True)
class _Raw:
    start: int  # first content char
    end: int  # after last content char
    open_at: int  # position of the opening mark (== start when there is none)
    close_end: int  # position after the closing mark (== end when unclosed)
    para: int  # paragraph index where it starts
    closed: bool = True
    continues: bool = False  # continues a quotation from the previous paragraph


_MAX_OPEN_LINES = 6  # a curly quotation left open may close up to this many paragraphs (lines) later
_TAG_GAP_MAX = 160  # longest narration between two sub-spans that can still be one utterance's tag
_LETTER = re.compile(r"\w")
_GAP_SENT = re.compile(r"[.!?…]\s+\S")
# Patterns that start with the character they look behind from, so that the scan skips to it: ``X(?<!Y X)`` is
# ``(?<!Y)X`` (a start of text has nothing behind it either way), found much faster over a whole novel.
#: a ' opening a word: at the start or after a space, a bracket or a dash
_OPENING_SINGLE = re.compile(r"'(?<![^\s(\[—–-]')(?=\w)")
#: ``_…_`` or ``*…*`` (markdown emphasis) not inside a word
_EMPHASIS = re.compile(r"([_*])(?<![\w*_][_*])(?=\S)([^\n_*]{1,400}?)(?<=\S)\1(?![\w*_])")


def _style(text: str) -> str:
    """The dominant quotation style of a text: ``double``, ``single``, ``guillemet``, ``corner`` or ``dash``."""
    dq = text.count('"') + text.count("“") + text.count("”")
    sq = text.count("‘") + len(_OPENING_SINGLE.findall(text))
    gq = text.count("«") + text.count("»")
    cq = text.count("「") + text.count("」")
    dash = len(re.findall(r"(?m)^[ \t]*(?:—|–|--)[ \t]*\S", text))
    if cq > dq and cq > gq and cq > sq:
        return "corner"  # 「…」, as translations from Japanese write speech
    if sq > dq and sq >= gq:
        return "single"
    if gq > dq:
        return "guillemet"
    if dash * 2 > dq + gq:
        return "dash"
    return "double"


def _is_apostrophe(text: str, i: int) -> bool:
    """A ’ or ' between letters (I’m), before a year/elision (’tis, ’90s, rock ’n’ roll), or a plural possessive."""
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    if before.isalnum() and after.isalnum():
        return True
    if _ROCK_N_ROLL.match(text, max(i - 2, 0)):
        return True
    if not before.isalnum() and after.isalnum():
        word = re.match(r"\w+", text[i + 1 : i + 8])
        return word is not None and word.group().lower() in _ELISIONS
    return False


_ROCK_N_ROLL = re.compile(r"['’]n['’](?=\s)")
_ELISIONS = frozenset(
    [
        "tis",
        "twas",
        "twere",
        "em",
        "n",
        "cause",
        "til",
        "till",
        "bout",
        "round",
        "ere",
        "neath",
        "gainst",
        "im",
        "ve",
        "s",
        "d",
        "ll",
        "re",
    ]
) | {f"{d}0s" for d in range(10)}


@functools.cache
def _marks(chars: str) -> re.Pattern[str]:
    """One of ``chars``."""
    return re.compile("[" + re.escape(chars) + "]")


def _closing_shaped(text: str, i: int, p0: int, p1: int) -> bool:
    """A straight mark at ``i`` with a word or punctuation before it and a space or the paragraph's end after it."""
    before = text[i - 1] if i > p0 else " "
    after = text[i + 1] if i + 1 < p1 else " "
    return after.isspace() and not before.isspace()


def _scan_double(text: str, p0: int, p1: int, opens: str, closes: str, straight: str, pi: int) -> list[_Raw]:
    """Find double-style quotations inside one paragraph (nesting of the other style ignored)."""
    out: list[_Raw] = []
    open_at: int | None = None
    # An odd number of straight marks cannot all pair: there a closing-shaped one with nothing open is a stray.
    odd = text.count(straight, p0, p1) % 2 == 1
    for m in _marks(opens + closes + straight).finditer(text, p0, p1):  # the other characters do nothing
        i, ch = m.start(), m.group()
        stray = odd and ch == straight and _closing_shaped(text, i, p0, p1)
        if open_at is None:
            if (ch in closes and ch not in opens and ch != straight) or stray:
                # A closing mark with nothing open: the quotation started in an earlier paragraph or at p0.
                out.append(_Raw(p0, i, p0, i + 1, pi, True, True))
            else:
                open_at = i
        else:
            if ch in opens and ch not in closes and ch != straight:
                # A new opening mark while one is open: recover by closing before it.
                out.append(_Raw(open_at + 1, _rstrip(text, open_at + 1, i), open_at, i, pi, False))
                open_at = i
            else:
                out.append(_Raw(open_at + 1, i, open_at, i + 1, pi))
                open_at = None
    if open_at is not None:
        out.append(_Raw(open_at + 1, _rstrip(text, open_at + 1, p1), open_at, p1, pi, False))
    return out


def _scan_single(text: str, p0: int, p1: int, pi: int) -> list[_Raw]:
    """British single quotes: ‘…’ or '…', with apostrophes (I’m, ’tis, the Joneses’) told apart."""
    out: list[_Raw] = []
    open_at: int | None = None
    depth_double = False
    for m in _marks('“”"‘’\'').finditer(text, p0, p1):  # the other characters do nothing
        i, ch = m.start(), m.group()
        if ch in '“”"':
            depth_double = not depth_double if ch == '"' else ch == "“"
        elif ch in "‘’'" and not depth_double:
            before = text[i - 1] if i > p0 else " "
            after = text[i + 1] if i + 1 < p1 else " "
            if open_at is None:
                if (
                    (ch == "‘" or (ch == "'" and not before.isalnum()))
                    and not _is_apostrophe(text, i)
                    and after != " "
                ):
                    open_at = i
            elif ch in "’'" and not _is_apostrophe(text, i):
                possessive = before in "sS" and after in " \t" and _later_closer(text, i + 1, p1)
                possessive = possessive or (_dropped_g(text, i) and _later_closer(text, i + 1, p1))
                if not possessive and (after in " \t\n,.;:!?—–-)" or i + 1 >= p1):
                    out.append(_Raw(open_at + 1, i, open_at, i + 1, pi))
                    open_at = None
            elif ch == "‘" and open_at is not None:
                pass  # nested or stray opening; keep the outer quotation
    if open_at is not None:
        out.append(_Raw(open_at + 1, _rstrip(text, open_at + 1, p1), open_at, p1, pi, False))
    return out


def _dropped_g(text: str, i: int) -> bool:
    """The mark at ``i`` ends a word that drops its g ("Nothin', officer," "somethin'"): the word with a g is a
    common -ing word and the word itself is not a common word ("thin'", "again'" end quotations)."""
    word = re.search(r"[A-Za-z]+in$", text[max(0, i - 20) : i])
    if word is None:
        return False
    w = word.group().lower()
    common = common_words()
    return w + "g" in common and w not in common


def _later_closer(text: str, i: int, p1: int) -> bool:
    return bool(re.search(r"[^\s\w]['’](?:\s|$)|\w['’](?=[\s,.;:!?—–-]|$)", text[i:p1]))


_DASH_LEAD = re.compile(r"[ \t]*(?:—|–|--)[ \t]*")
#: A dash after a narration sentence that opens the speech ("Danylo shrugged. — Just out."): the beat comes first.
_DASH_AFTER_BEAT = re.compile(r"(?<=[.!?…][ \t])[ \t]*(?:—|–|--)[ \t]*(?=[^\s—–-])")
#: An inner dash (spaced, or tight against the words it reopens: ``says Ilse. —Phone away``), or a sentence break,
#: comma or question inside a dash-led paragraph: where a tag may begin.
_DASH_BREAK = re.compile(r"\s+(?:—|–|--)(?:\s+|(?=[^\s—–-]))|(?<=[,.!?…])\s+(?=[^\s—–-])")
#: A dash that reopens the speech after a tag ("said Ilse. — Phone away"); a text with none follows Joyce's
#: convention, where the speech goes on after the tag with no dash (see ``_scan_dash``).
_DASH_REOPEN = re.compile(r"[,.!?…][ \t]+(?:—|–|--)[ \t]*\w")
#: A capitalised word inside a sentence: a name (or a title).
_MID_CAPITAL = re.compile(r"(?<=[a-z,;] )[A-Z][\w'’-]*")
_DASH_PRONOUNS = frozenset("he she i they we you".split())
_DASH_WORD = re.compile(r"[\w'’-]+")


#: A title's abbreviation right before a break: its full stop is no sentence end.
_TITLE_BEFORE = re.compile(r"\b(?:" + "|".join(sorted(w.capitalize() for w in TITLE_ABBREVIATIONS)) + r")\.\s+$")
#: A sentence's end, not a title's full stop ("said Mr. Deasy").
_SENTENCE_END = re.compile(NOT_AFTER_TITLE + r"[.!?…]")
#: Prepositions that carry a description on ("the man *in* the grey coat", "the woman *with* the twins").
_DESCRIPTION_PREPS = frozenset("in with at from on by behind beside near under".split())
#: Words that open a clause: a speech verb after them belongs to the speech ("the boy who said …").
_DASH_CLAUSE = frozenset("who whom which that and but or if when because".split())


def _dash_tag_starts(text: str, pos: int, end: int, after: str, names: frozenset[str] | None = None) -> bool:
    """Whether the words at ``pos`` begin a tag or narration inside a dash-led paragraph, after the mark ``after``:
    a speech tag (``she said``, ``said Mikhail``, ``the old man asked``) after any break; after a full stop also a
    beat whose subject is a pronoun or a name (``She shrugged.``), not a sentence of the speech going on
    (``There was a fire``, ``The trams were stopped``). ``names``: the words a name may be (else any capitalised
    word not in the stop list)."""
    if after == "." and _TITLE_BEFORE.search(text, max(0, pos - 8), pos):
        return False  # "— Mrs. Devlin?": a title's full stop ends no sentence
    stop = _SENTENCE_END.search(text, pos, min(end, pos + 80))  # the words of this sentence only
    words = [m.group() for m in _DASH_WORD.finditer(text, pos, stop.start() if stop else min(end, pos + 80))][:8]
    if not words:
        return False
    first = words[0]
    if speech_verb(first):
        return len(words) > 1  # "said Mikhail", "asked she"
    head = 1
    if first.lower() in {"the", "a", "an", "his", "her", "their", "my", "old", "young", "little"}:
        # "the old man asked"; "the man in the grey overcoat says" (a description with a phrase of place or
        # dress, the verb right after it, before any other verb: "the boy who said" is no tag)
        head = 3
        n = next((k for k, w in enumerate(words[1:], 1) if speech_verb(w)), 0)
        if n > 4 and words[2].lower() in _DESCRIPTION_PREPS and not _DASH_CLAUSE & {w.lower() for w in words[:n]}:
            head = n - 1
    tagged = any(speech_verb(w) for w in words[1 : head + 2])
    base = re.split(r"['’]", first.lower())[0]  # "There's", "I'm"
    subject = base in _DASH_PRONOUNS or (
        first[0].isupper() and base not in STOP and (names is None or first in names or is_first_name(first))
    )
    if tagged and (subject or head > 1):
        return True
    return after == "." and subject and len(words) > 1 and base not in {"i", "you", "we"}


def _tag_words(text: str, pos: int, end: int) -> bool:
    """Whether a verb of speech is among the first words at ``pos`` ("he cried briskly", "Buck Mulligan said")."""
    return any(speech_verb(m.group()) for m in itertools.islice(_DASH_WORD.finditer(text, pos, min(end, pos + 60)), 4))


def _scan_dash(text: str, p0: int, p1: int, pi: int, resume: frozenset[str] | None = None) -> list[_Raw]:
    """Dash-led dialogue: ``— Yes, he said. — And you?`` Speech alternates with tags split at inner dashes; after a
    tag without one, a dash reopens the speech where a sentence ended (``says Ilse. — Phone away``), after a colon
    (``he said: — Lend us``) or where it is set tight against the words (``says Ilse. —Phone away``), not inside the
    narration (``turned — slowly — away``). A paragraph may open with a beat: the first dash after one of its
    sentences opens the speech. ``resume`` (the words the text capitalises mid-sentence) when the text never reopens
    speech with a dash (Joyce's convention): the sentence after a tag goes on with the speech unless it is a beat
    (``— Thanks, he cried. That will do. He skipped off``), whose subject is a pronoun or one of those names."""
    m = _DASH_LEAD.match(text, p0, p1) or _DASH_AFTER_BEAT.search(text, p0, p1)
    if not m or m.end() >= p1:
        return []
    out: list[_Raw] = []
    pos = m.end()
    speech = True
    dashed_tag = False  # the narration now running was opened by a dash (and a dash closes it)
    tag_open = False  # the narration now running is a tag whose sentence has not ended
    for t in _DASH_BREAK.finditer(text, pos, p1):
        is_dash = "—" in t.group() or "–" in t.group() or "--" in t.group()
        if speech:
            if not is_dash and not _dash_tag_starts(text, t.end(), p1, text[t.start() - 1], resume):
                continue
            out.append(_Raw(pos, _rstrip(text, pos, t.start()), m.start() if not out else pos, t.start(), pi))
            speech, dashed_tag = False, is_dash
            tag_open = resume is not None and not is_dash and _tag_words(text, t.end(), p1)
        elif is_dash and (dashed_tag or not t.group()[-1].isspace() or _ends_sentence_before(text, p0, t.start(), ",:")):
            speech = True
        elif tag_open and not is_dash and text[t.start() - 1] in ".!?…":
            if _TITLE_BEFORE.search(text, max(0, t.start() - 8), t.end()):
                continue  # "said Mr. Deasy"
            tag_open = False
            if _dash_tag_starts(text, t.end(), p1, ".", resume):
                continue  # a beat: "He skipped off the gunrest"
            speech = True
        else:
            continue
        pos = t.end()
    if speech and pos < p1:
        out.append(_Raw(pos, _rstrip(text, pos, p1), m.start() if not out else pos, p1, pi))
    return [r for r in out if r.end > r.start]


def _ends_sentence_before(text: str, a: int, b: int, also: str = "") -> bool:
    """Whether the text of ``[a, b)``, trailing spaces aside, ends a sentence (looking back over the spaces only),
    or ends in one of ``also`` ("says, — just to see your face": a comma closes a tag as well)."""
    end = _rstrip(text, a, b)
    return end > a and text[end - 1] in ".!?…" + also


def _rstrip(text: str, a: int, b: int) -> int:
    while b > a and text[b - 1].isspace():
        b -= 1
    return b


def find_raw(text: str, paras: list[Span], style: str | None = None) -> list[_Raw]:
    """Scan story paragraphs for quotations in the text's dominant style; join quotations across paragraph breaks."""
    style = style or _style(text)
    joyce = style == "dash" and not any(
        _DASH_LEAD.match(text, p.start, p.end) and _DASH_REOPEN.search(text, p.start, p.end) for p in paras
    )
    resume = frozenset(_MID_CAPITAL.findall(text)) if joyce else None
    raws: list[_Raw] = []
    for pi, p in enumerate(paras):
        if style == "double":
            found = _scan_double(text, p.start, p.end, "“", "”", '"', pi)
        elif style == "single":
            found = _scan_single(text, p.start, p.end, pi)
        elif style == "guillemet":
            found = _scan_double(text, p.start, p.end, "«", "»", "\0", pi)
        elif style == "corner":
            found = _scan_double(text, p.start, p.end, "「", "」", "\0", pi)
        else:
            found = _scan_dash(text, p.start, p.end, pi, resume)
        raws.extend(found)
    return _join_across_paragraphs(text, paras, raws, style)


def _join_across_paragraphs(text: str, paras: list[Span], raws: list[_Raw], style: str) -> list[_Raw]:
    """An unclosed quotation followed by a paragraph that opens with a mark continues into it; a paragraph whose
    first mark is a closing one (a quotation over a line break) is merged into the open one."""
    out: list[_Raw] = []
    for r in raws:
        prev = out[-1] if out else None
        if r.continues and prev is not None and not prev.closed and 0 < r.para - prev.para <= _MAX_OPEN_LINES:
            # “…I willed this.\nI chose you. …” — one quotation over a line break.
            prev.end = r.end
            prev.close_end = r.close_end
            prev.closed = True
            prev.para = r.para
            continue
        if r.continues and prev is not None and prev.para == r.para and prev.closed:
            # closing mark, then a stray second closing mark: skip the phantom
            continue
        if r.continues and (prev is None or prev.para != r.para - 1 or prev.closed):
            # A closing mark with no opener and nothing to join: keep the text before it only when it starts the
            # paragraph (a quotation whose opening mark was lost), else drop it.
            if r.start == paras[r.para].start and r.end > r.start and style != "dash":
                r.continues = False
                out.append(r)
            continue
        out.append(r)
    return out


def group(text: str, raws: list[_Raw]) -> list[list[_Raw]]:
    """Group sub-spans into utterances: same paragraph with a short tag between them, or an unclosed quotation
    continued by the next paragraph's opening mark."""
    groups: list[list[_Raw]] = []
    for r in raws:
        if groups:
            last = groups[-1][-1]
            if last.para == r.para:
                gap = text[last.close_end : r.open_at]
                if (
                    len(gap) <= _TAG_GAP_MAX
                    and "\n\n" not in gap
                    and _is_tag_gap(gap, text, last)
                    and (
                        _sentence_goes_on(gap, text, r)
                        or not (SPEECH_VERB_RE.search(gap) and _tag_follows(text, r))
                    )
                    and not _new_speaker_introduced(gap)
                    and not _named_speaker_next(gap)
                ):
                    groups[-1].append(r)
                    continue
            elif not last.closed and r.para == last.para + 1 and r.open_at < r.start:
                groups[-1].append(r)
                continue
        groups.append([r])
    return groups


_TAG_AFTER_END = re.compile(r"[.!?…\n\"“”]|(?<!\w)['‘’]|['‘’](?!\w)")  # an apostrophe in a word ends nothing: D'Arcy
#: The subject of a clause that ends a gap between two sub-spans: ", but the White Rabbit cried out," / "; and
#: Tom said:" (a name, a description or a pronoun right after a clause break, then the verb).
_NEW_SUBJECT = re.compile(
    r"(?:[,;—–.!?]|\b(?:and|but|for|while|when|whereupon))\s+"
    r"(?:(?:the|a|an|his|her|their|my)\s+(?:[\w'’.-]+\s+){0,2}[\w'’.-]+|[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){0,3}|he|she|they|I|we)"
    r"(?:\s*,[^,;:.!?\"“”]{1,40},)?\s+(?:\w+ly\s+)?$"  # "; and she, looking away, answered"
)


#: A capitalised name right before the last speech verb of a gap, and a clause break before it.
_LATE_NAME = re.compile(r"(?<=[a-z,] )([A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){0,2})\s+(?:\w+ly\s+)?$")
_PARTICLE_END = re.compile(r"\s+(?:back|out|up|again)(\s*[,:]?\s*)$")  # "shouts back, "
_CLAUSE_BREAK = re.compile(r"[,;—–]\s*(?:and|but|while|whereupon)\b")


def _new_speaker_introduced(gap: str) -> bool:
    """Whether narration between two sub-spans tags the first and then introduces another speaker ('"…" Alice
    began, but the White Rabbit cried out, "…"'): two speech verbs, the last one ending the gap with a subject of
    its own."""
    verbs = list(SPEECH_VERB_RE.finditer(gap))
    if len(verbs) < 2 or not SAY_BEFORE_RE.search(_PARTICLE_END.sub(r"\1", gap)):
        return False
    head = gap[verbs[-2].end() : verbs[-1].start()]
    if _NEW_SUBJECT.search(head) is not None:
        return True
    # '"…!" Brandt shouts, and from the fish station Beckett shouts back, "…"': a clause of its own whose subject,
    # a name the first tag does not have, comes after a phrase
    m = _LATE_NAME.search(head)
    return (
        m is not None
        and _CLAUSE_BREAK.search(head[: m.start()]) is not None
        and m.group(1) not in gap[: verbs[-2].end()]
    )


#: Any single-word speech verb ("opined", "interposed", "rejoin"), longest first.
_ANY_SPEECH_VERB = re.compile(
    r"\b(?:" + "|".join(sorted((w for w in SPEECH_VERBS if " " not in w), key=len, reverse=True)) + r")\b"
)
#: What may follow the verb that tags the next sub-span: a short phrase (", with a smile", "gently"), then , or :.
_TAG_TAIL = re.compile(r"[^.!?;\"“”‘’]{0,40}?[,:]?[ \t\n]*")
#: Narration that carries the first sub-span's sentence on: '"…"; and Beaufort retorted: "…"'.
_GOES_ON = re.compile(r"\s*[;,]?\s*(?:and|but)\s")
#: A named or described subject (no pronoun) after a clause break, right before the verb: "; and her hostess drily",
#: ". And the Gryphon", "so eagerly that the Gryphon", ", who".
_NAMED_SUBJECT = re.compile(
    r"(?:[,;—–.!?]|\b(?:and|but|for|while|when|whereupon|that|And|But))\s+"
    r"(?:(?:the|a|an|his|her|their|my)\s+(?:[\w'’.-]+\s+){0,2}(?!to\s)[\w'’.-]+"
    r"|(?!(?:He|She|They|I|We|It)\s)[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){0,3})"
    r"\s+(?:\w+ly\s+)?$|,\s+who\s+(?:\w+ly\s+)?$"
)


_NOUN_BEFORE = re.compile(r"\b(?:a|an|the|his|her|their|my|your|our|its|to)\s+$")  # "with a smile", "to say"


def _named_speaker_next(gap: str) -> bool:
    """Whether the gap ends in a tag of its own for the next sub-span whose subject, a name or a description, comes
    after the first sub-span's tag or after narration carrying its sentence on ('"…" Miss Jackson opined; and her
    hostess drily rejoined: "…"', '"…" asked Beaufort; and Madame Olenska said to Archer, with her grave smile:')."""
    verbs = list(_ANY_SPEECH_VERB.finditer(gap))
    tags = [
        k
        for k, v in enumerate(verbs)
        if _TAG_TAIL.fullmatch(gap, v.end()) and not _NOUN_BEFORE.search(gap, 0, v.start())
    ]
    if not tags:
        return False
    last = verbs[tags[-1]]
    earlier = verbs[: tags[-1]]
    if earlier:
        head = gap[earlier[-1].end() : last.start()]
    elif _GOES_ON.match(gap):
        head = gap[: last.start()]
    else:
        return False
    return _NAMED_SUBJECT.search(head) is not None


def _sentence_goes_on(gap: str, text: str, r: _Raw) -> bool:
    """Whether ``r`` finishes the sentence the tag interrupted (“To Jane herself,” she exclaimed, “there could
    be…”): the tag ends in a comma and ``r`` opens in lower case. Narration after ``r`` is then not its tag."""
    return gap.rstrip(" \t\n\"“‘'«").endswith(",") and text[r.start : r.start + 1].islower()


def _tag_follows(text: str, r: _Raw) -> bool:
    """Whether narration right after ``r`` (to the end of its sentence) is a speech tag of its own: with a tag
    before it too, ``r`` is another utterance (“Hello,” said Anna. “Hi,” Ben replied.)."""
    after = text[r.close_end : r.close_end + 60]
    m = _TAG_AFTER_END.search(after)
    return bool(SPEECH_VERB_RE.search(after[: m.start()] if m else after))


def _is_tag_gap(gap: str, text: str, last: _Raw) -> bool:
    """Narration between two sub-spans that is a speech tag (“I do,” he says. “…”) rather than a new turn."""
    g = gap.strip().strip("—–-").strip()
    content_end = text[last.start : last.end].rstrip()
    if not g:
        # "Leave the table." "But I didn't say anything!": two closed turns back to back, each a sentence of its
        # own, are two quotations (the speaker may change); a dash or an open sentence between them is one.
        return gap.strip() != "" or not content_end.endswith((".", "!", "?"))
    if not _LETTER.search(g):
        return True
    if content_end.endswith((",", "—", "–", "-", "…", "...")) or g.endswith((",", ":")):
        return bool(SPEECH_VERB_RE.search(g)) or len(g) < 60
    # “No.” I shake my head. “No—…” : one short beat between two sentences of the same speaker.
    return len(g) < 120 and "\n" not in g and len(_GAP_SENT.findall(g.rstrip(".!?… "))) == 0


_EMBED_BEFORE = re.compile(r"(?:[^\W_]|[(\[])[ \t\n]*$")
# Between two quotations of one speaker in narration: said "Good afternoon," and "Hallo,".
_CHAIN = re.compile(r"[ \t\n]*(?:,|and|or|then|,[ \t\n]*(?:and|or|then))?[ \t\n]*")
# A quoted word named as such: called "society", the word "duty", known as "the Patroon".
_NAMED_BEFORE = re.compile(
    r"\b(?:called|calls|call|named|termed|dubbed|nicknamed|christened|known[ \t\n]+as|the[ \t\n]+words?|the"
    r"[ \t\n]+name|the[ \t\n]+phrase|the[ \t\n]+term|the[ \t\n]+title|labelled|entitled|styled|spelt|spelled)"
    r"[ \t\n]*[,:]?[ \t\n]*$",
    re.I,
)


_MINOR = frozenset("a an the of and in on at to for by with from or but de la le".split())


def _is_title(words: list[str]) -> bool:
    """Title Case with two or more words ("The Hare and Many Friends", "Coach and Horses")."""
    core = [w.strip(".,;:!?'’\"") for w in words]
    core = [w for w in core if w]
    major = [w for w in core if w.lower() not in _MINOR]
    return len(core) >= 2 and bool(major) and all(w[0].isupper() for w in major) and core[0][0].isupper()


def is_embedded_term(text: str, r: _Raw, para_start: int, prev: _Raw | None = None) -> bool:
    """A scare quote, title or label inside narration ("ran" the Sewing Circle, the "Coach and Horses", called
    "society"; a house called "Cissie" was to let): short, continuing a sentence (or a word named at a sentence's
    start, with no comma after it), with no sentence-final mark of its own and no speech verb introducing it."""
    content = text[r.start : r.end]
    words = content.split()
    if len(words) > 8 or not r.closed:
        return False
    if prev is not None and prev.para == r.para and _CHAIN.fullmatch(text, prev.close_end, r.open_at):
        return False  # said "Good afternoon," and "Hallo,"
    before = text[max(para_start, r.open_at - 40) : r.open_at]
    stripped = content.rstrip(" \t\n_*")
    after = text[r.close_end : r.close_end + 3]
    if not _EMBED_BEFORE.search(before):
        # "Duty" always elicited a groan: a bare word opening a sentence, the verb right after it.
        sentence_start = not before.strip() or before.rstrip().rstrip("\"”’'")[-1:] in ".!?;"
        tail = text[r.close_end : r.close_end + 40]
        return (
            sentence_start
            and len(words) <= 3
            and not stripped.endswith((",", ".", "!", "?", ";", ":", "—", "-", "…"))
            and re.match(r" [a-z]", after) is not None
            and re.match(r"\s*(?:he|she|they|we|you|it|i)\b", tail) is None
            and not SPEECH_VERB_RE.search(tail.split(".")[0])
        )
    if _NAMED_BEFORE.search(before) and len(words) <= 3 and not stripped.endswith(("?", "!")):
        return True
    if SAY_BEFORE_RE.search(before):
        return False
    if (
        len(words) > 1
        and stripped.endswith(",")
        and not before.rstrip().endswith("(")
        and _TAG_NEXT.match(text, r.close_end)
    ):
        return False  # '…; and "May I come too," asked Miss Orde': a line with its own tag (not an aside in brackets)
    if _is_title(words):
        return True
    if len(words) > 5:
        return False
    if stripped.endswith(("?", "!")):
        return False
    if stripped.endswith(".") and len(words) <= 3:
        # the size of "the game." / all they could say was "Treachery." (the full stop inside the marks)
        prev_word = before.rstrip().rsplit(None, 1)[-1].lower() if before.strip() else ""
        if content[:1].islower() or prev_word in _FUNCTION_WORDS:
            return True
    return not (stripped.endswith(".") and (not after.strip() or after.lstrip()[:1].isupper()))


#: A speech tag right after a closing mark: a speech verb and its subject (' asked Miss Orde', ' said the lady', ' said
#: he'), or a name or pronoun and the verb (' she said', ' Tom replied'); not ' repeated several times'.
_TAG_NEXT = re.compile(
    r"[ \t\n]+(?:" + SPEECH_VERB_RE.pattern + r"[ \t\n]+(?:[A-Z]|(?:he|she|they|the|a|an|his|her|my)\b)"
    r"|(?:[A-Z][\w'’.-]*|he|she|they|I)[ \t\n]+" + SPEECH_VERB_RE.pattern + ")"
)


_FUNCTION_WORDS = frozenset(
    "a an the of was is were be been being called his her their its my your our more most so too very quite this"
    " that in on for as like into what".split()
)


def thoughts(story: Story, quote_spans: list[tuple[int, int]]) -> list[Span]:
    """Inner thought: italic spans (reader layer, ``_…_`` or ``*…*``) outside quotations."""
    text = story.text
    spans = [(s.start, s.end) for s in story.italics]
    for m in _EMPHASIS.finditer(text):
        spans.append((m.start(2), m.end(2)))
    quoted = SpanIndex((s, e, (s, e)) for s, e in quote_spans)
    nonstory = SpanIndex((n.start, n.end, n) for n in story.nonstory)
    out = []
    for a, b in sorted(set(spans)):
        # an italic inside a quotation is emphasis; one wrapping a quotation is Gutenberg's italics markup
        touches = bool(quoted.overlapping(a - 1, b + 1))
        if not touches and not nonstory.overlapping(a, a + 1):
            out.append(Span(a, b))
    return out


def _chat_raws(text: str, paras: list[Span], raws: list[_Raw]) -> list[_Raw]:
    """Message lines (:mod:`.chat`) that hold no quotation marks' own quotation, each one utterance."""
    found = SpanIndex.of((r.open_at, r.close_end) for r in raws)
    starts = [p.start for p in paras]
    return [
        _Raw(c.start, c.end, c.start, c.end, bisect_right(starts, c.start) - 1)
        for c in chat_lines(text, paras, _chat_label)
        if not found.overlapping(c.start, c.end)
    ]


def _chat_label(name: str) -> bool:
    return label_ok(name, common_words().__contains__, is_first_name)


def story_paras(story: Story) -> list[Span]:
    """The paragraphs quotations are looked for in: those outside non-story blocks (an epigraph is story)."""
    blocked = SpanIndex((n.start, n.end, n) for n in story.nonstory if n.kind != "epigraph")
    return [p for p in story.paragraphs if not blocked.overlapping(p.start, p.end)]


def _item(g: list[_Raw], starts: list[int]) -> quote_types.Item:
    return quote_types.Item(
        [(r.start, r.end) for r in g],
        g[0].open_at,
        g[-1].close_end,
        max(bisect_right(starts, g[0].open_at) - 1, 0),
        max(bisect_right(starts, max(g[-1].close_end - 1, g[-1].open_at)) - 1, 0),
    )


#: Narration between two sub-spans that says a text is read or written ("she wrote.", "the note ran on.").
_TEXT_GAP = re.compile(r"\b(?:read|reads|ran|runs|wrote|writes|went on|continued)\b", re.IGNORECASE)


def _split_read_out(
    text: str, groups: list[list[_Raw]], kinds: list[quote_types.QuoteType | None], mentions: set[int]
) -> list[list[_Raw]]:
    """A text quoted in narration and then speech after a sentence of narration are two quotations, not one
    written text: 'The card said “FRAISIER” in curly gold writing. “It's a strawberry cake.”'. A group typed
    ``written`` splits after its first sub-span when the narration between them is a whole sentence (it ends in a
    stop) that says nothing of reading or writing (a letter's "she wrote." keeps its parts together)."""
    out: list[list[_Raw]] = []
    for g, kind in zip(groups, kinds, strict=True):
        if kind == "written" and len(g) > 1 and id(g[0]) not in mentions:
            gap = text[g[0].close_end : g[1].open_at].strip(" \t\n\"“”‘’'«»")
            if gap.endswith((".", "!", "?")) and _LETTER.search(gap) and not _TEXT_GAP.search(gap):
                out += [g[:1], g[1:]]
                continue
        out.append(g)
    return out


def run(story: Story, *, dialogue_model: bool = True, model: quote_model.DialogueModel | None = None) -> None:
    """Find the quotations (``story.quotes``) and inner thought (``story.thoughts``).

    ``dialogue_model``: the learned check (:mod:`.quote_model`) types the quotations the rules leave as dialogue
    that it takes for none (a letter, a phrase quoted in narration, words never said); ``False`` keeps the rules'
    types only. ``model``: that model (default: the shipped one)."""
    text = story.text
    paras = story_paras(story)
    raws = [r for r in find_raw(text, paras) if r.end > r.start and text[r.start : r.end].strip()]
    chat = _chat_raws(text, paras, raws)
    mentions: set[int] = set()
    prev: _Raw | None = None
    for r in raws:
        if is_embedded_term(text, r, paras[r.para].start, prev):
            mentions.add(id(r))
        else:
            prev = r
    # Mentions stand alone: they never join an utterance as one of its sub-spans.
    speech = [r for r in raws if id(r) not in mentions]
    groups = group(text, speech) + [[r] for r in raws if id(r) in mentions] + [[r] for r in chat]
    groups.sort(key=lambda g: g[0].open_at)
    starts = [p.start for p in paras]
    kinds = quote_types.classify(text, paras, [_item(g, starts) for g in groups])
    split = _split_read_out(text, groups, kinds, mentions)
    if len(split) > len(groups):
        groups = split
        kinds = quote_types.classify(text, paras, [_item(g, starts) for g in groups])
    quotes = []
    for i, (g, kind) in enumerate(zip(groups, kinds, strict=True)):
        spans = [(r.start, r.end) for r in g]
        q = Quote(id=i, spans=spans, outer=(g[0].open_at, g[-1].close_end))
        if id(g[0]) in mentions:
            q.type = "mention"
        elif kind is not None:
            q.type = kind
        quotes.append(q)
    if dialogue_model:
        quote_model.retype(text, paras, quotes, model or quote_model.load_model())
    messages = {(r.start, r.end) for r in chat}
    for q in quotes:
        if q.spans[0] in messages:
            q.type = "none"  # a message is a line of the conversation, whatever its words look like
    story.quotes = _with_letters(text, paras, quotes)
    story.thoughts = thoughts(story, [q.outer or (q.start, q.end) for q in story.quotes])


def _with_letters(text: str, paras: list[Span], quotes: list[Quote]) -> list[Quote]:
    """``quotes`` and the letters set in the narration without marks (:func:`.quote_types.letter_runs`), each a
    ``written`` quotation from its salutation to its signature, where no quotation lies; numbered in text order."""
    taken = SpanIndex.of(q.outer or (q.start, q.end) for q in quotes)
    letters = [
        Quote(id=0, spans=[(a, b)], outer=(a, b), type="written")
        for first, last in quote_types.letter_runs([text[p.start : p.end] for p in paras])
        if not taken.overlapping(a := paras[first].start, b := paras[last].end)
    ]
    if not letters:
        return quotes
    out = sorted([*quotes, *letters], key=lambda q: q.start)
    for i, q in enumerate(out):
        q.id = i
    return out


STAGE = Stage(
    name="quotes", func=run, reads=("text", "nonstory", "italics", "paragraphs"), writes=("quotes", "thoughts")
)
