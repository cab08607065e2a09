"""What a quotation is when it is not dialogue (used by the quotes stage).

``mention``: a quoted word, phrase or title inside narration (scare quotes, "onding on snaw", a book's name, a
house called "Cissie"). ``written``: a letter (its place and date, salutation, body, valediction and signature),
a note, telegram, sign or inscription, or a text read out ("'Leonora,'" he read). ``verse``: a poem or song set
out as verse (indented block lines or short capitalised lines) that nobody is said to sing. A song a character
sings ("he sang", "it went like this:") stays an utterance. ``unsaid``: words nobody utters in the scene: speech
that is only imagined, held back or counterfactual ("she was going to answer", "he would have exclaimed", "it was on
the tip of his tongue to ask", "without saying") or wordless ("her eyes said", "a look which meant", "as if to
say"). Typed quotations keep their spans; ``mention``, ``written`` and ``verse`` get no speaker, while ``unsaid``
words stay in the conversation (whose words they would be is attributed like any turn) but are no line of dialogue.
``reported``: speech given in indirect form though set in quotation marks, words a character said but not as they
said them (Mr. Ash rose.--"He must be going; he had letters to write."): a quotation inside a narration paragraph
with no first or second person and no present tense, backshifted ("was", "had", "would") and about a third
person. Like ``unsaid`` words it keeps its speaker but is no line of dialogue.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from fabula.lexicon import SALUTATION, SPEECH_VERB_RE, VALEDICTION
from fabula.story import QuoteType, Span

_SING = re.compile(
    r"\b(?:sang|sing|sings|singing|sung|hummed|humming|chanted|chanting|chant|carol+ed|carolling|trolled|trolling"
    r"|crooned|crooning|warbled|warbling|chorused|intoned|went[ \t\n]+like[ \t\n]+this|struck[ \t\n]+up|roared[ \t\n]+out"
    r"|bawled|song|chorus|refrain|ditty|ballad|tune|hymn|lullaby)\b",
    re.I,
)
# A written text announced right before it ("painted this inscription:", "she had written:", "ran thus:").
_WRITTEN_BEFORE = re.compile(
    r"\b(?:wrote|written|writes|scrawled|scribbled|inscribed|engraved|printed|painted|pencilled|penciled|typed"
    r"|labell?ed|endorsed|inscriptions?|telegram|postscript|post-script"
    r"|(?:bore|contained|containing)[ \t\n]+(?:the|these)[ \t\n]+words)\b[^.!?;\"“”]{0,40}[:,]?[—–-]*[ \t\n]*$",
    re.I,
)
# A thing with writing on it that "says" it: "a sign that says", "a board on two posts that said", "the note read",
# "the first letter began", "a paper ticket that said".
_THING_SAYS = re.compile(
    r"\b(?:signs?|board|notice|placard|poster|banner|label|plaque|card|note|letter|telegram|message|text|screen"
    r"|display|headline|caption|inscription|motto|legend|sticker|t-shirt|tattoo|post-it|ticket|tag|badge|menu"
    r"|receipt|whiteboard|chalkboard|blackboard|envelope|packet|wrapper)\b(?:[ \t\n]+[\w'’-]+){0,6}?"
    r"[ \t\n]+(?:says|said|read|reads|reading|saying|began|begins|ran|runs)[ \t\n]*[:,]?[ \t\n]*$",
    re.I,
)
# A letter announced in the narration paragraph before it ("It was to this effect:", "the following reply:").
_LETTER_CUE = re.compile(
    r"\b(?:letters?|notes?|wrote|written|telegram|card|document|postscript|enclosure|epistle"
    r"|following[ \t\n]+(?:reply|answer|letter|note|lines|message|telegram|words|epistle)"
    r"|(?:bore|contained|containing)[ \t\n]+the[ \t\n]+words|ran[ \t\n]+thus)\b[^.!?\"“”]{0,80}[:.]?[—–-]*$",
    re.I,
)
# A text presented right before it, in so many words ("read as follows:", "was in these words.", "to this effect.",
# "this sentence:", "Elizabeth read on;", "which ran,") -- a text only where the narration before speaks of one
# (_TEXT_NAMED): "he thus went on:" may open speech as well as a letter.
_TEXT_CUE = re.compile(
    r"\b(?:(?:read(?:[ \t\n]+(?:it|them|on|out|aloud|thus))*(?:[ \t\n]+(?:to[ \t\n]+\w+))?"
    r"|(?:in|were|was)[ \t\n]+(?:these|the[ \t\n]+following)[ \t\n]+words|(?:were|was)[ \t\n]+these"
    r"|to[ \t\n]+(?:this|that|the[ \t\n]+following)[ \t\n]+(?:effect|purpose)|(?:as|ran)[ \t\n]+follows"
    r"|(?:this|the[ \t\n]+following)[ \t\n]+(?:sentence|passage|lines?)|ran[ \t\n]+thus"
    r"|thus[ \t\n]+(?:went[ \t\n]+on|continued|began|ran))[ \t\n]*[.:;]?|which[ \t\n]+ran[ \t\n]*,)[ \t\n—–-]*$",
    re.I,
)
_TEXT_NAMED = re.compile(
    r"\b(?:letters?|notes?|wrote|write|writes|written|writing|postscript|paper|card|telegram|sheet|page|book|document"
    r"|envelope|read|reads|reading|sentence|passage|lines)\b",
    re.I,
)


_WHILE = re.compile(r"\b(?:as|while|when)[ \t\n]+(?:\w+[ \t\n]+){0,3}$", re.I)


def _text_cue(narration: str) -> bool:
    """Narration that ends presenting a text it speaks of (see :data:`_TEXT_CUE`)."""
    tail = narration[-300:]
    m = _TEXT_CUE.search(tail)
    if m is None or _WHILE.search(tail, 0, m.start()):
        return False  # "with comments as he read," / "while her daughter read,": speech goes on meanwhile
    return _TEXT_NAMED.search(tail, 0, m.start()) is not None


# A text read or written, said in the tag between two sub-spans ("the document ran", "she wrote to Helen"); a
# writing verb with an object is an action between two spoken sentences ("She wrote it down.").
_WRITTEN_TAG = re.compile(
    r"\b(?:(?:letter|note|document|telegram|card|message|paper|notice|inscription|postscript|placard|label|sign)"
    r"[ \t\n]+(?:ran|runs|read|reads|went|continued)|(?:he|she|they|I|we|[A-Z][a-z]+)[ \t\n]+"
    r"(?:wrote|writes)(?=[ \t\n]*(?:[,.:;—–]|(?:to|back|again|on)\b))|(?:wrote|writes)[ \t\n]+(?:to|back|again))\b"
)
_SAY = (
    r"(?:say|said|saying|exclaim(?:ed|ing)?|answer(?:ed|ing)?|repl(?:y|ied|ying)|retort(?:ed|ing)?|ask(?:ed|ing)?"
    r"|cry|cried|crying|add(?:ed|ing)?|shout(?:ed|ing)?|murmur(?:ed|ing)?|remark(?:ed|ing)?|quot(?:e|ed|ing)|tell"
    r"|utter(?:ed|ing)?|whisper(?:ed|ing)?|protest(?:ed|ing)?)"
)
# Speech that is imagined, held back or counterfactual, or said without words, ending the narration before a
# quotation: "would have exclaimed,", "was going to answer,", "nearly said", "instead of saying,", "did not say,",
# "longed to ask:", "on the tip of his tongue to reply:", "felt like answering:", "her eyes said:", "which meant,".
_UNSAID_BEFORE = re.compile(
    r"(?:\b(?:would|could|might|should|must)(?:[ \t\n]+not)?[ \t\n]+have[ \t\n]+(?:\w+ly[ \t\n]+)?" + _SAY
    + r"|\b(?:was|were)[ \t\n]+(?:not[ \t\n]+)?(?:going|about|tempted|(?:almost[ \t\n]+)?ready)[ \t\n]+to[ \t\n]+"
    r"(?:\w+[ \t\n]+)?" + _SAY
    + r"|\b(?:nearly|almost)[ \t\n]+(?:\w+ly[ \t\n]+)?" + _SAY
    + r"|\b(?:instead[ \t\n]+of|without)[ \t\n]+" + _SAY
    + r"|\b(?:did|does|do|had|could|would)[ \t\n]*n(?:o|['’])t[ \t\n]+(?!help|resist|forbear|refrain|but)(?:\w+[ \t\n]+)?"
    + _SAY
    + r"|\b(?:wanted|wished|longed|yearned|impulse|useless|tongue|lips)[ \t\n]+to[ \t\n]+(?:\w+[ \t\n]+)?" + _SAY
    + r"|\bfelt[ \t\n]+like[ \t\n]+\w+ing(?:[ \t\n]+\w+)?"
    r"|\b(?:seemed|seems|meant|appeared)[ \t\n]+to[ \t\n]+say|\bas[ \t\n]+(?:much[ \t\n]+as|if)[ \t\n]+to[ \t\n]+say"
    r"|\b(?:which|that)[ \t\n]+(?:meant|signified|implied)|\b(?:meant|signified|implied|indicating)"
    r"|\b(?:eyes|look|looks|glance|attitude|smile|expression|silence|gesture)[ \t\n]+(?:(?!and\b)\w+[ \t\n]+)?"
    r"(?:said|says|expressed|answered|replied|asked)"
    r"|\btook[ \t\n]+(?:it[ \t\n]+)?to[ \t\n]+mean"
    r")\b(?P<rest>[^.!?\"“”]{0,25})[,:;]?[ \t\n—–-]*$",
    re.I,
)
# The same said after the quotation: "…," he felt like answering / "…," it seemed to say / "…" her eyes implored.
_UNSAID_AFTER = re.compile(
    r"[ \t\n,]*(?:(?:he|she|I|it|they|we)[ \t\n]+)?(?:felt[ \t\n]+like[ \t\n]+\w+ing|seemed[ \t\n]+to[ \t\n]+say"
    r"|(?:his|her|their|my)[ \t\n]+(?:\w+[ \t\n]+)?(?:eyes|look|attitude|smile|glance)[ \t\n]+(?:said|expressed|implored))\b",
    re.I,
)


# Reported speech (see the module docstring): a first or second person, a present tense or a contraction are
# marks of direct speech ('s only after a pronoun: "Crown's" is a possessive); a backshifted verb and a third
# person are marks of speech reported.
_DIRECT_PERSON = re.compile(
    r"\b(?:I|me|my|mine|myself|we|us|our|ours|ourselves|you|your|yours|yourself|yourselves|thee|thou|thy|ye)\b"
)
_PRESENT = re.compile(
    r"\b(?:is|are|am|has|does|will|shall|can|may|isn|aren|don|doesn|won|shan|ain"
    r"|(?:it|he|she|that|there|what|who|here|let)['’ ]s|(?:he|she|it)[ \t\n]+(?!(?:was|has|is|does|always|thus|perhaps|sometimes|afterwards|besides)\b)[a-z]+[^s\W]s)\b"
    r"|\w['’ ](?:re|ll|ve|m|t)\b",
    re.I,
)
_BACKSHIFT = re.compile(r"\b(?:was|were|had|would|could|should|might)\b")
_THIRD_PERSON = re.compile(
    r"\b(?:he|she|they|him|her|his|hers|them|their|himself|herself|themselves)\b", re.I
)
_NESTED = re.compile(r"(?<!\w)'[^'\n]*'(?!\w)|‘[^’]*’")


def _reported(text: str, it: Item, before: str) -> bool:
    """Speech reported in indirect form inside marks (see the module docstring): narration before it in its
    paragraph, four words or more, no first or second person and no present tense, backshifted and in the third
    person. Quotations nested inside it are left out of the count."""
    if not before.strip():
        return False
    words = _NESTED.sub(" ", " ".join(text[a:b] for a, b in it.spans))
    return (
        len(words.split()) >= 4
        and _DIRECT_PERSON.search(words) is None
        and _PRESENT.search(words) is None
        and _BACKSHIFT.search(words) is not None
        and _THIRD_PERSON.search(words) is not None
    )


_INNER_OPEN = re.compile(r"['‘](?!(?:tis|twas|twere|em|ere|neath|cause|bout)\b)\S", re.I)


def _quoted_within(text: str, it: Item) -> bool:
    """Every sub-span is wholly a quotation inside the quotation ("'Leonora,'" he read, "'sat pensive and
    alone.'"): someone reads out, recites or repeats a text word for word; a leading elision ('Tis) is no mark."""
    for a, b in it.spans:
        content = text[a:b].strip()
        if len(content) < 3 or not _INNER_OPEN.match(content) or content[-1] not in "'’":
            return False
    return True


def _unsaid(before: str, after: str) -> bool:
    """Whether the narration around a quotation says its words are never uttered (see the module docstring): a cue
    that is the last speech verb before the quotation, or one right after it."""
    m = _UNSAID_BEFORE.search(before[-160:])
    if m is not None and not SPEECH_VERB_RE.search(m.group("rest")):
        return True
    return _UNSAID_AFTER.match(after) is not None


#: How many paragraphs a letter set in the narration may run from its salutation to its valediction.
LETTER_PARAS = 12


def letter_runs(paras: Sequence[str]) -> list[tuple[int, int]]:
    """The letters set in the narration as paragraphs of their own, as (first, last) paragraph indices: from a
    salutation on a line of its own ("My dearest Kit,") to a short valediction ("Your loving sister,") within
    :data:`LETTER_PARAS` paragraphs, and a signature of a few words on the paragraph after it ("Hannah Mullet")."""
    out: list[tuple[int, int]] = []
    k = 0
    while k < len(paras):
        head = paras[k].strip()
        if SALUTATION.match(head) and len(head.split()) <= 6 and head.endswith((",", ":", "!")):
            stop = min(k + 1 + LETTER_PARAS, len(paras))
            close = next((j for j in range(k + 1, stop) if _closing(paras[j].strip())), None)
            if close is not None:
                after = paras[close + 1].strip() if close + 1 < len(paras) else ""
                signed = "\n" not in paras[close].strip() and _NAME_SIGNATURE.fullmatch(after.rstrip(".,"))
                out.append((k, close + 1 if signed else close))
                k = out[-1][1] + 1
                continue
        k += 1
    return out


def _closing(content: str) -> bool:
    """A letter's close: a valediction of eight words at most ("Believe me,", "Your loving cousin,")."""
    return VALEDICTION.match(content) is not None and len(_WORDS.findall(content)) <= 8


_SIGNATURE = re.compile(r"[A-Z][A-Z. '’-]{0,40}[A-Z.]|[A-Z]\.?")
#: A signature right after a valediction may be a plain name ("Tom.", "L. M. Honeychurch.").
_NAME_SIGNATURE = re.compile(r"(?:[A-Z][a-z'’-]+|[A-Z]\.)(?:[ ]+(?:[A-Z][a-z'’-]+|[A-Z]\.)){0,2}")
_WORDS = re.compile(r"\S+")


@dataclass(slots=True)
class Item:
    """One grouped quotation as the classifier sees it: its sub-spans with their marks and paragraphs."""

    spans: list[tuple[int, int]]  # content spans
    open_at: int  # the first opening mark
    close_end: int  # after the last closing mark
    first_para: int
    last_para: int


def _indent(text: str, pos: int) -> int:
    line = text.rfind("\n", 0, pos) + 1
    n = 0
    while line + n < pos and text[line + n] in " \t\u00a0":
        n += 1
    return n


def _quote_only(text: str, paras: Sequence[Span], it: Item) -> bool:
    """The quotation is all there is in its paragraph(s) (no tag, no narration)."""
    p0, p1 = paras[it.first_para], paras[it.last_para]
    if len(it.spans) != 1 or it.open_at - p0.start > 8 or p1.end - it.close_end > 8:
        return False  # (bounded slices: a paragraph may be megabytes long)
    before = text[p0.start : it.open_at]
    after = text[it.close_end : p1.end]
    return not before.strip() and not after.strip(" \t\n.,;:—–-")


def _tail(text: str, paras: Sequence[Span], i: int) -> str:
    """The last 300 characters of paragraph ``i`` ("" for none)."""
    if i < 0:
        return ""
    return text[max(paras[i].start, paras[i].end - 300) : paras[i].end]


def _content(text: str, it: Item) -> str:
    return text[it.spans[0][0] : it.spans[-1][1]].strip().strip("\"“”‘’' \t\n")


def _is_verse(text: str, open_at: int, content_end: int, indented: bool, wrapped: bool) -> bool:
    """Lines set out as verse: the quotation opens its line, and its lines are short and capitalised (an
    indented block may be one line)."""
    line_start = text.rfind("\n", 0, open_at) + 1
    if text[line_start:open_at].strip():
        return False
    line_end = text.find("\n", content_end)
    chunk = text[line_start : len(text) if line_end < 0 else line_end]
    if not indented and (not wrapped or "\n\n" in chunk):
        return False  # short lines are verse only in hard-wrapped prose, inside one paragraph
    lines = [ln.strip() for ln in chunk.split("\n") if ln.strip()]
    if not lines:
        return False
    longest = max(len(ln) for ln in lines)
    if len(lines) == 1:
        return indented and longest <= 60
    capital = sum(1 for ln in lines if ln.lstrip("\"“‘'(_").lstrip()[:1].isupper())
    short = max(len(ln) for ln in lines[:-1])
    # verse set out with indented lines inside an unindented paragraph (alternate lines of a ballad stanza)
    stanza = any(ln[:2] in ("  ", "\t", " \t") for ln in chunk.split("\n")[1:] if ln.strip()) and chunk[:1] not in " \t"
    return longest <= 64 and capital >= 0.75 * len(lines) and (indented or short <= 48 or stanza)


def classify(text: str, paras: Sequence[Span], items: Sequence[Item]) -> list[QuoteType | None]:
    """The type of each quotation that is not dialogue (``mention`` is decided by the caller), else None."""
    out: list[QuoteType | None] = [None] * len(items)
    only = [_quote_only(text, paras, it) for it in items]
    _letters(text, paras, items, only, out)
    indents = [_indent(text, p.start) for p in paras]
    block = sum(1 for i in indents if i >= 2) < 0.2 * max(len(paras), 1)  # indented paragraphs are block quotes
    lengths = sorted(len(ln) for p in paras if "\n" in (chunk := text[p.start : p.end]) for ln in chunk.split("\n"))
    wrapped = len(lengths) >= 20 and lengths[len(lengths) // 2] >= 55  # hard-wrapped prose
    for k, it in enumerate(items):
        if out[k] is not None:
            continue
        p0 = paras[it.first_para]
        before = text[max(p0.start, it.open_at - 200) : it.open_at]
        prev_para = _tail(text, paras, it.first_para - 1)
        sung = bool(_SING.search(before[-120:]) or (only[k] and _SING.search(prev_para[-160:]))) or bool(
            _SING.search(text[it.close_end : min(paras[it.last_para].end, it.close_end + 40)])
        )
        indented = block and indents[it.first_para] >= 2
        gaps = _gaps(text, it)
        if _quoted_within(text, it):
            out[k] = "written"  # "'The scene is laid in Florence,'" he read: a text read out or recited
        elif _unsaid(before, text[it.close_end : min(paras[it.last_para].end, it.close_end + 60)]):
            out[k] = "unsaid"
        elif (
            _WRITTEN_BEFORE.search(before[-80:])
            or _THING_SAYS.search(before[-80:])
            or _text_cue(before if before.strip() else prev_para)
            or (len(it.spans) > 1 and _WRITTEN_TAG.search(gaps) and not SPEECH_VERB_RE.search(gaps))
        ):
            out[k] = "written"
        elif (indented or "\n" in text[it.spans[0][0] : it.spans[-1][1]]) and _is_verse(
            text, it.open_at, it.spans[-1][1], indented, wrapped
        ):
            out[k] = None if sung else "verse"
        elif indented and only[k] and not sung:
            out[k] = "written"  # a block quotation in prose: a letter, a document
        elif _reported(text, it, before):
            out[k] = "reported"
    return out


def _letters(
    text: str, paras: Sequence[Span], items: Sequence[Item], only: list[bool], out: list[QuoteType | None]
) -> None:
    """Letters set out as quoted paragraphs: place and date lines, a salutation, the body, a valediction and a
    signature, each paragraph a quotation of its own. A letter opens with a salutation or right after narration
    announcing it ("the following reply:"); a bare short salutation ("Dearest Meg,") counts only when the letter
    is signed off."""
    k = 0
    while k < len(items):
        if not only[k]:
            k += 1
            continue
        run = [k]  # consecutive paragraphs that are each one quotation
        while (
            run[-1] + 1 < len(items)
            and only[run[-1] + 1]
            and items[run[-1] + 1].first_para == items[run[-1]].last_para + 1
        ):
            run.append(run[-1] + 1)
        _letters_in_run(text, paras, items, run, out)
        k = run[-1] + 1


def _letters_in_run(
    text: str, paras: Sequence[Span], items: Sequence[Item], run: list[int], out: list[QuoteType | None]
) -> None:
    first = items[run[0]]
    prev_para = _tail(text, paras, first.first_para - 1)
    cued = (
        prev_para.rstrip().endswith((":", ":--", ":—", ":-")) and _LETTER_CUE.search(prev_para[-120:]) is not None
    ) or _text_cue(prev_para)
    i = 0
    while i < len(run):
        k = run[i]
        content = _content(text, items[k])
        words = len(_WORDS.findall(content))
        dated = i > 0 and _dateline(text, paras, items[run[i - 1]], items[k])
        salute = SALUTATION.match(content) is not None
        strong = (i == 0 and cued) or (salute and (content[:4].isupper() or dated))
        weak = salute and words <= 6 and content.endswith((",", ":"))
        if not (strong or weak):
            closing = _closing(content)
            if closing and i + 1 < len(run):
                # "Believe me," / "Your loving cousin," / "Charlotte.": a letter's close, after its last
                # paragraph (one paragraph of body: a run of quoted paragraphs before may be dialogue)
                end, _ = _sign_off(text, items, run, i - 1 if i else i)
                for j in run[max(i - 1, 0) : end + 1]:
                    out[j] = "written"
                i = end + 1
                continue
            i += 1
            continue
        start = i
        while start > 0 and _dateline(text, paras, items[run[start - 1]], items[run[start]]):
            start -= 1
        end, signed = _sign_off(text, items, run, i)
        if strong or signed:
            for j in run[start : end + 1]:
                out[j] = "written"
            i = end + 1
        else:
            i += 1


def _sign_off(text: str, items: Sequence[Item], run: list[int], i: int) -> tuple[int, bool]:
    """Where the letter opening at ``run[i]`` ends (its last signature line) and whether it is signed off;
    unsigned, it runs to the end of the run."""
    for j in range(i + 1, len(run)):
        content = _content(text, items[run[j]])
        words = len(_WORDS.findall(content))
        closing = _closing(content)
        signature = words <= 5 and _SIGNATURE.fullmatch(content.rstrip(".,")) is not None
        if closing or signature:
            end = j
            while end + 1 < len(run):
                nxt = _content(text, items[run[end + 1]])
                if len(_WORDS.findall(nxt)) <= 5 and (
                    _SIGNATURE.fullmatch(nxt.rstrip(".,"))
                    or VALEDICTION.match(nxt)
                    or (VALEDICTION.match(_content(text, items[run[end]])) and _NAME_SIGNATURE.fullmatch(nxt.rstrip(".,")))
                ):
                    end += 1
                else:
                    break
            return end, True
    return len(run) - 1, False


def _dateline(text: str, paras: Sequence[Span], prev: Item, it: Item) -> bool:
    """``prev`` is a place or date line on its own right before ``it`` ("Howards End," / "Sunday.")."""
    content = _content(text, prev)
    words = _WORDS.findall(content)
    return (
        prev.last_para == it.first_para - 1
        and _quote_only(text, paras, prev)
        and 0 < len(words) <= 5
        and all(w[:1].isupper() or w[:1].isdigit() or w.lower() in ("of", "the", "on", "upon") for w in words)
    )


def _gaps(text: str, it: Item) -> str:
    return " ".join(text[a[1] : b[0]] for a, b in zip(it.spans, it.spans[1:], strict=False))
