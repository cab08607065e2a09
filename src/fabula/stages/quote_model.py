"""Is this quotation a line of dialogue? A learned check on the quotations the rules leave as dialogue.

The rules of :mod:`fabula.stages.quote_types` type letters, verse, unsaid and reported words, and
:func:`fabula.stages.quotes.is_embedded_term` scare quotes; what they leave over still holds quotations nobody
says: a letter read after it was mentioned a page before, a phrase quoted in narration (it was thought "very
English"), words only thought of saying. :func:`features` describes each quotation by cheap, generic cues (its
length, case and final mark, where it stands in its sentence and paragraph, a speech verb next to it, the word
before and after it, persons and tenses inside it, letter cues, whether the paragraphs around are dialogue);
:class:`DialogueModel`, a boosted tree ensemble trained on the open PDNC novels by
``python -m fabula.training.quotes``, gives ``P(dialogue)``. A quotation the rules left as dialogue is typed
(:func:`retype`) when that probability is below the model's threshold and no speech verb tags it: ``written`` after
a letter cue, ``mention`` when a few words in the middle of a narration sentence, else ``unsaid`` (which keeps its
speaker). The weights ship as JSON in ``fabula/models/quotes/`` with a model card.
"""

from __future__ import annotations

import functools
import json
import math
import re
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np

from fabula.lexicon import SAY_BEFORE_RE, SPEECH_VERB_RE
from fabula.stages.characters.persons import Trees
from fabula.stages.quote_types import (
    _BACKSHIFT,
    _DIRECT_PERSON,
    _LETTER_CUE,
    _PRESENT,
    _SING,
    _TEXT_NAMED,
    _THIRD_PERSON,
)
from fabula.story import NOT_DIALOGUE, Quote, QuoteType, Span

#: The numeric features, in the order of the first columns :func:`features` returns; then one column per word of
#: the model's ``before`` vocabulary (the word right before the opening mark) and of its ``after`` one.
FEATURES: tuple[str, ...] = (
    "log_words",  # log(1 + words inside)
    "log_chars",  # log(1 + characters inside)
    "spans",  # sub-spans (tagged utterances have two or more)
    "lower_start",  # opens in lower case
    "end_stop",  # its last sub-span ends with . ! ? or …
    "end_comma",  # ... with , ; : or a dash
    "end_bare",  # ... with a letter or digit (no mark)
    "question",  # ? inside
    "exclaim",  # ! inside
    "first_second",  # I, me, you, we, thou... inside
    "present",  # a present tense or contraction inside
    "backshift",  # was, had, would... inside
    "third",  # he, she, they... inside
    "title_case",  # two words or more, each major word capitalised
    "caps_share",  # share of its words that open with a capital
    "opens_para",  # nothing but space before it in its paragraph
    "closes_para",  # nothing but marks after it in its paragraph
    "before_colon",  # the narration right before ends with :
    "before_comma",  # ... with ,
    "before_word",  # ... with a letter (it continues a sentence)
    "before_stop",  # ... with . ! ?
    "before_dash",  # ... with a dash
    "after_lower",  # narration right after opens with a lower-case word
    "after_upper",  # ... with a capitalised word
    "after_comma",  # ... with , ; :
    "after_stop",  # ... with . ! ?
    "say_before",  # a speech verb ends the narration before it ("she said:")
    "verb_before",  # a speech verb in the sentence before it
    "verb_after",  # a speech verb in the narration after it, to the end of its sentence
    "verb_gap",  # a speech verb between its sub-spans
    "letter_cue",  # a letter announced before it (in its paragraph or ending the one before)
    "text_named",  # a letter, note, paper, book... named in the narration before it
    "modal_before",  # would/could/might/should in the 60 characters before it
    "multi_para",  # runs over a paragraph break
    "unclosed",  # no closing mark
    "newline",  # a line break inside
    "prev_dialogue",  # the paragraph before holds a line of dialogue
    "next_dialogue",  # the paragraph after holds a line of dialogue
    "prev_only",  # the paragraph before is one quotation and nothing else
    "next_only",  # the paragraph after is one quotation and nothing else
    "write_near",  # wrote, written, read, scrawled, printed... in the sentence around it
    "hypothetical",  # the speech verb before it is modal, perfect, habitual or "as if" ("had said", "would say")
    "sung",  # a song named or sung next to it
    "prev_colon",  # the paragraph before ends with a colon
    "letter_run",  # a text named in narration a few paragraphs before, nothing but quotations since
)

_WORD = re.compile(r"[A-Za-z]+(?:['’][a-z]+)?")
_LAST_WORD = re.compile(r"([A-Za-z]+)\W*$")
_FIRST_WORD = re.compile(r"\W*?([A-Za-z]+)")
_MODAL = re.compile(r"\b(?:would|could|might|should|must)\b")
_MARKS = "\"“”‘’'«»"
_MINOR = frozenset("a an the of and in on at to for by with from or but de la le".split())
# The patterns below are matched against lower-cased text (faster than ignoring case).
_WRITE = re.compile(
    r"\b(?:wrote|write|writes|written|writing|scrawled|scribbled|read|reads|reading|printed|quoted|quoting"
    r"|inscribed|copied|ran|runs|letter|note|paper|page|book)\b"
)
_SAYING = re.compile(r"\b(?:say|says|said|saying|ask|asked|answer|answered|reply|replied|exclaim\w*|cry|cried)\b")
_HYPOTHETICAL = re.compile(
    r"\b(?:had|would|will|shall|might|could|should|must|to|if|though|once|never|often|always|used)"
    r"(?:[ \t\n]+\w+){0,2}[ \t\n]*$"
)
_LETTER_CUE_LOWER = re.compile(_LETTER_CUE.pattern)
_TEXT_NAMED_LOWER = re.compile(_TEXT_NAMED.pattern)
_SING_LOWER = re.compile(_SING.pattern)
_SENT_END = re.compile(r"[.!?][\"”’']?\s+(?=[A-Z\"“‘'])")


def _title_case(words: list[str]) -> bool:
    core = [w.strip(".,;:!?'’\"") for w in words]
    core = [w for w in core if w]
    major = [w for w in core if w.lower() not in _MINOR]
    return len(core) >= 2 and bool(major) and all(w[0].isupper() for w in major) and core[0][0].isupper()


def _mark_class(ch: str, classes: Sequence[str]) -> list[float]:
    return [1.0 if ch and ch in c else 0.0 for c in classes]


_PUNCT_BEFORE = (":", ",", "", ".!?", "—–-")
_PUNCT_AFTER = (",;:", ".!?")


@dataclass(slots=True)
class _Where:
    """A quotation's place: its paragraphs, and for each paragraph the quotations in it."""

    first: int
    last: int


def _places(paras: Sequence[Span], quotes: Sequence[Quote]) -> list[_Where]:
    starts = [p.start for p in paras]
    out = []
    for q in quotes:
        a, b = q.outer or (q.start, q.end)
        out.append(_Where(max(bisect_right(starts, a) - 1, 0), max(bisect_right(starts, max(b - 1, a)) - 1, 0)))
    return out


def _last_word(s: str) -> str:
    m = _LAST_WORD.search(s[-40:])
    return m.group(1).lower() if m else ""


def _first_word(s: str) -> str:
    m = _FIRST_WORD.match(s[:40])
    return m.group(1).lower() if m else ""


def context_words(text: str, paras: Sequence[Span], quotes: Sequence[Quote]) -> list[tuple[str, str]]:
    """The word right before each quotation's opening mark and right after its closing mark, in its paragraph
    (lower case; "" at the paragraph's edge)."""
    out = []
    for q, w in zip(quotes, _places(paras, quotes), strict=True):
        a, b = q.outer or (q.start, q.end)
        p0, p1 = paras[w.first], paras[w.last]
        out.append((_last_word(text[max(p0.start, a - 40) : a]), _first_word(text[b : min(p1.end, b + 40)])))
    return out


def features(
    text: str,
    paras: Sequence[Span],
    quotes: Sequence[Quote],
    before_vocab: Sequence[str] = (),
    after_vocab: Sequence[str] = (),
) -> np.ndarray:
    """One row per quotation: :data:`FEATURES`, then the one-hot word before (``before_vocab``) and after
    (``after_vocab``). A quotation is dialogue (for its neighbours' features) unless its type is one of
    :data:`fabula.story.NOT_DIALOGUE`."""
    n_num = len(FEATURES)
    x = np.zeros((len(quotes), n_num + len(before_vocab) + len(after_vocab)), dtype=np.float64)
    if not quotes:
        return x
    where = _places(paras, quotes)
    dialogue_paras = sorted({w.first for q, w in zip(quotes, where, strict=True) if q.type not in NOT_DIALOGUE})
    only = {w.first for q, w in zip(quotes, where, strict=True) if _alone(text, paras[w.first], paras[w.last], q)}
    runs = _letter_runs(text, paras, only)
    bidx = {w: n_num + i for i, w in enumerate(before_vocab)}
    aidx = {w: n_num + len(before_vocab) + i for i, w in enumerate(after_vocab)}
    for k, (q, w) in enumerate(zip(quotes, where, strict=True)):
        row = x[k]
        row[:n_num] = _row(text, paras, q, w, dialogue_paras, only, runs)
        a, b = q.outer or (q.start, q.end)
        p0, p1 = paras[w.first], paras[w.last]
        bw = _last_word(text[max(p0.start, a - 40) : a])
        aw = _first_word(text[b : min(p1.end, b + 40)])
        if bw in bidx:
            row[bidx[bw]] = 1.0
        if aw in aidx:
            row[aidx[aw]] = 1.0
    return x


def _letter_runs(text: str, paras: Sequence[Span], only: set[int], reach: int = 6) -> set[int]:
    """Paragraphs that are each one quotation, in a run of such paragraphs opened (at most ``reach`` back) right
    after a narration paragraph naming a text (a letter, a note, a page read)."""
    out: set[int] = set()
    for i in sorted(only):
        if i - 1 in only:
            continue  # each run once, from its first paragraph
        before = paras[i - 1] if i else None
        if before is None or not _TEXT_NAMED.search(text[max(before.start, before.end - 300) : before.end]):
            continue
        j = i
        while j in only and j - i < reach:
            out.add(j)
            j += 1
    return out


def _alone(text: str, p0: Span, p1: Span, q: Quote) -> bool:
    a, b = q.outer or (q.start, q.end)
    return not text[p0.start : a].strip() and not text[b : p1.end].strip(" \t\n.,;:—–-")


def _row(
    text: str,
    paras: Sequence[Span],
    q: Quote,
    w: _Where,
    dialogue_paras: list[int],
    only: set[int],
    runs: set[int],
) -> list[float]:
    a, b = q.outer or (q.start, q.end)
    p0, p1 = paras[w.first], paras[w.last]
    content = " ".join(text[s:e] for s, e in q.spans)
    body = content.strip().strip(_MARKS + " \t\n")
    words = _WORD.findall(body)
    last = text[q.spans[-1][0] : q.spans[-1][1]].rstrip().rstrip(_MARKS + "_*)")
    end = last[-1:]
    before = text[max(p0.start, a - 300) : a]
    after = text[b : min(p1.end, b + 300)]
    bs, as_ = before.rstrip(), after.lstrip()
    bch = bs[-1:] if bs else ""
    ach = as_[:1]
    prev = paras[w.first - 1] if w.first else None
    prev_tail = text[max(prev.start, prev.end - 200) : prev.end] if prev is not None else ""
    cue_zone = before if before.strip() else prev_tail
    sent_start = 0
    for m in _SENT_END.finditer(before):
        sent_start = m.end()
    sent_before = before[sent_start:]
    m_end = re.search(r"[.!?\"“”]", after[:80])
    sent_after = after[: m_end.start()] if m_end else after[:80]
    gaps = " ".join(text[x[1] : y[0]] for x, y in zip(q.spans, q.spans[1:], strict=False))
    i = bisect_right(dialogue_paras, w.first - 1) - 1  # the last dialogue paragraph before this one
    j = bisect_right(dialogue_paras, w.last)
    prev_d = i >= 0 and dialogue_paras[i] == w.first - 1
    next_d = j < len(dialogue_paras) and dialogue_paras[j] == w.last + 1
    caps = sum(1 for t in words if t[0].isupper())
    lead = sent_before[-120:].lower()
    near = lead + " " + sent_after.lower()
    says = list(_SAYING.finditer(lead))
    say = says[-1] if says else None
    hypothetical = say is not None and _HYPOTHETICAL.search(lead, 0, say.start()) is not None
    before_colon, before_comma = _mark_class(bch if not bch.isalpha() else "", _PUNCT_BEFORE[:2])
    before_stop, before_dash = _mark_class(bch, _PUNCT_BEFORE[3:])
    after_comma, after_stop = _mark_class(ach, _PUNCT_AFTER)
    row = {
        "log_words": math.log1p(len(words)),
        "log_chars": math.log1p(len(body)),
        "spans": float(len(q.spans)),
        "lower_start": float(body[:1].islower()),
        "end_stop": float(end in ".!?…"),
        "end_comma": float(end in ",;:—–-"),
        "end_bare": float(end.isalnum()),
        "question": float("?" in content),
        "exclaim": float("!" in content),
        "first_second": float(_DIRECT_PERSON.search(content) is not None),
        "present": float(_PRESENT.search(content) is not None),
        "backshift": float(_BACKSHIFT.search(content) is not None),
        "third": float(_THIRD_PERSON.search(content) is not None),
        "title_case": float(_title_case(body.split())),
        "caps_share": caps / max(len(words), 1),
        "opens_para": float(not bs.strip()),
        "closes_para": float(not after.strip(" \t\n.,;:—–-")),
        "before_colon": before_colon,
        "before_comma": before_comma,
        "before_word": float(bch.isalnum()),
        "before_stop": before_stop,
        "before_dash": before_dash,
        "after_lower": float(ach.islower()),
        "after_upper": float(ach.isupper()),
        "after_comma": after_comma,
        "after_stop": after_stop,
        "say_before": float(SAY_BEFORE_RE.search(before[-60:]) is not None),
        "verb_before": float(SPEECH_VERB_RE.search(sent_before[-120:]) is not None),
        "verb_after": float(SPEECH_VERB_RE.search(sent_after) is not None),
        "verb_gap": float(SPEECH_VERB_RE.search(gaps) is not None),
        "letter_cue": float(_LETTER_CUE_LOWER.search(cue_zone[-120:].lower()) is not None),
        "text_named": float(_TEXT_NAMED_LOWER.search(cue_zone[-200:].lower()) is not None),
        "modal_before": float(_MODAL.search(before[-60:].lower()) is not None),
        "multi_para": float(w.last > w.first),
        "unclosed": float(b == q.end or text[b - 1 : b] not in _MARKS),
        "newline": float("\n" in content.strip()),
        "prev_dialogue": float(prev_d),
        "next_dialogue": float(next_d),
        "prev_only": float(w.first - 1 in only),
        "next_only": float(w.last + 1 in only),
        "write_near": float(_WRITE.search(near) is not None),
        "hypothetical": float(hypothetical),
        "sung": float(_SING_LOWER.search(near) is not None),
        "prev_colon": float(prev_tail.rstrip().endswith((":", ":--", ":—"))),
        "letter_run": float(w.first in runs),
    }
    return [row[k] for k in FEATURES]


@dataclass(frozen=True, slots=True)
class DialogueModel:
    """``P(dialogue) = σ(intercept + f(x))``, ``f`` a boosted tree ensemble over :func:`features` with the
    model's word vocabularies; a quotation below ``threshold`` is no line of dialogue."""

    features: tuple[str, ...]
    before_vocab: tuple[str, ...]
    after_vocab: tuple[str, ...]
    intercept: float
    trees: Trees
    threshold: float = 0.5

    def matrix(self, text: str, paras: Sequence[Span], quotes: Sequence[Quote]) -> np.ndarray:
        return features(text, paras, quotes, self.before_vocab, self.after_vocab)

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """``P(dialogue)`` for each row of ``x`` (or the single vector given)."""
        x = np.atleast_2d(np.asarray(x, dtype=np.float64))
        if not len(x):
            return np.zeros(0)
        z = self.trees.log_odds(x) + self.intercept
        return np.asarray(1.0 / (1.0 + np.exp(-np.clip(z, -40.0, 40.0))))

    def to_json(self) -> dict[str, Any]:
        return {
            "features": list(self.features),
            "before_vocab": list(self.before_vocab),
            "after_vocab": list(self.after_vocab),
            "intercept": round(self.intercept, 8),
            "threshold": round(self.threshold, 4),
            "trees": self.trees.to_json(),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DialogueModel:
        names = tuple(str(f) for f in data["features"])
        if names != FEATURES:
            raise ValueError(f"dialogue model features {names} do not match this fabula's {FEATURES}")
        return cls(
            features=names,
            before_vocab=tuple(data["before_vocab"]),
            after_vocab=tuple(data["after_vocab"]),
            intercept=float(data["intercept"]),
            trees=Trees.from_json(data["trees"]),
            threshold=float(data.get("threshold", 0.5)),
        )


@functools.cache
def load_model() -> DialogueModel:
    """The shipped model (``fabula/models/quotes/dialogue_model.json``)."""
    raw = resources.files("fabula.models").joinpath("quotes/dialogue_model.json").read_text(encoding="utf-8")
    return DialogueModel.from_json(json.loads(raw))


def _new_type(x: np.ndarray) -> QuoteType:
    """The type of a quotation the model takes for no dialogue: ``written`` after a letter cue, ``mention`` for
    three words at most in the middle of a sentence of narration with no speech verb before them, else ``unsaid``
    (which keeps the speaker whose words they would be: a true line typed so keeps its attribution)."""
    f = dict(zip(FEATURES, x, strict=False))
    if f["letter_cue"] or f["letter_run"] or (f["text_named"] and f["opens_para"]):
        return "written"
    inside = f["before_word"] and f["after_lower"] and f["spans"] == 1  # mid-sentence in narration
    if inside and f["log_words"] <= _FEW_WORDS and not f["say_before"] and not f["verb_before"]:
        return "mention"
    return "unsaid"


_FEW_WORDS = math.log1p(3)


_TAG_COLUMNS = [FEATURES.index(f) for f in ("verb_after", "verb_gap")]


_SAID = FEATURES.index("say_before")
_NOT_SAID = [FEATURES.index(f) for f in ("hypothetical", "modal_before")]


def tagged(x: np.ndarray) -> np.ndarray:
    """Rows of quotations a speech verb tags: in the narration right after (to the end of its sentence), between
    the sub-spans, or ending the narration right before (`after a little time said, "Slower!"`) unless that verb
    is modal, perfect or habitual ("It would have been easy to say:"). The model never types these (the tags after
    and between cost no precision leave-novels-out)."""
    m = np.atleast_2d(x)
    said = (m[:, _SAID] > 0) & ~(m[:, _NOT_SAID] > 0).any(axis=1)
    return np.asarray((m[:, _TAG_COLUMNS] > 0).any(axis=1) | said)


def _back_to_back(text: str, quotes: Sequence[Quote]) -> set[int]:
    """Quotations with another right before or after them, nothing but spaces between the marks
    (“A file?” “Yes, sir.” “And you know what”): lines of an exchange, not words quoted in narration."""
    out: set[int] = set()
    for k in range(1, len(quotes)):
        a, b = quotes[k - 1].outer, quotes[k].outer
        if a and b and a[1] <= b[0] and b[0] - a[1] <= 3 and not text[a[1] : b[0]].strip() and "\n\n" not in text[a[1] : b[0]]:
            out.update((k - 1, k))
    return out


def retype(text: str, paras: Sequence[Span], quotes: Sequence[Quote], model: DialogueModel) -> int:
    """Type the quotations the rules left as dialogue that ``model`` gives a probability below its threshold,
    unless a speech verb tags them (:func:`tagged`) or they stand back to back with another; how many were typed."""
    if not quotes:
        return 0
    x = model.matrix(text, paras, quotes)
    p = model.predict_proba(x)
    keep = tagged(x)
    exchange = _back_to_back(text, quotes)
    n = 0
    for k, q in enumerate(quotes):
        if q.type not in NOT_DIALOGUE and p[k] < model.threshold and not keep[k] and k not in exchange:
            q.type = _new_type(x[k])
            n += 1
    return n
