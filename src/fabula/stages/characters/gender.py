"""A character's gender from its name forms: gendered titles first; otherwise a learned decision over the pronouns
the narration uses around the character's name mentions and the first-name prior (used by :mod:`.identity` while
forms are clustered).

:class:`GenderModel` is a logistic regression with no intercept (so it leans to neither gender on no evidence), over
one feature per kind of pronoun evidence (:data:`EVIDENCE`: log(1 + male votes) - log(1 + female votes)) and the
prior (+1 a male first name, -1 a female one, 0 none). Trained by ``python -m fabula.training.gender`` on PDNC and
LitBank characters without a gendered title; the weights ship as JSON in ``fabula/models/gender/`` with a model card.
It answers only when its probability reaches the shipped threshold either way; otherwise the gender stays unknown.
"""

from __future__ import annotations

import functools
import json
import math
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from fabula.lexicon import KIN_NAMES, RANKS, title_gender
from fabula.spans import SpanIndex
from fabula.stages.characters.first_names import first_name_gender
from fabula.stages.characters.forms import Form
from fabula.story import Story

#: The kinds of pronoun evidence, each counted per gender over a character's narration mentions.
EVIDENCE: tuple[str, ...] = (
    "subj_same_nom",  # the name opens its sentence and the first pronoun after it, in that sentence, is he/she/…self
    "subj_same_obl",  # ... is him/his/her/hers ("Oren brushed soot off his jumper")
    "subj_next",  # the name opens its sentence; the first pronoun after it is in a later sentence of the paragraph
    "obj_same",  # the name stands inside its sentence, after no other name or pronoun: the first pronoun after it
    "obj_next",  # ... in a later sentence of the paragraph
    "shadowed",  # the name stands after another name or a pronoun in its sentence ("Helen thought of Paul. She …",
    # "She wrote to Paul; she wept"): the first pronoun after it is often that one's
    "next_para",  # the name is its paragraph's last and the next paragraph opens with He / She (often the other)
    "past_name",  # the first pronoun after the name comes after another name (often that one's)
    "before",  # a pronoun in the 40 characters before the name, with no name between ("she turned to X")
)
#: The model's inputs, in order.
FEATURES: tuple[str, ...] = (*EVIDENCE, "prior")
#: Narration mentions read per character: time stays bounded by the text.
MAX_MENTIONS = 120

_PRON = re.compile(r"\b(he|him|his|himself|she|her|hers|herself)\b", re.IGNORECASE)
_MALE = frozenset({"he", "him", "his", "himself"})
_SUBJECT = frozenset({"he", "she", "himself", "herself"})
_PARA_OPENS = re.compile(r"\s*(He|She)\b")
# what may stand between a sentence's start and a name that is its subject: marks, and one opening conjunction
_SUBJECT_LEAD = re.compile(r"[\s\"'“‘«—–-]*(?:(?:and|but|then|so|yet|when|as|while|now)\s+)?", re.IGNORECASE)


@dataclass(slots=True)
class GenderContext:
    """Per-story lookups for the pronoun evidence: quotations, sentences, paragraphs and every name hit's start."""

    text: str
    quotes: SpanIndex[int]
    sentences: SpanIndex[int]
    paragraphs: SpanIndex[int]
    names: list[int]
    model: GenderModel | None = None  # None: the shipped one

    @classmethod
    def of(
        cls, story: Story, quotes: SpanIndex[int], names: Iterable[int], model: GenderModel | None = None
    ) -> GenderContext:
        """The context of ``story``: ``quotes`` as :func:`~fabula.stages.characters.names.quote_index` gives
        them, ``names`` the starts of every name hit, ``model`` the gender model (None: the shipped one)."""
        return cls(
            text=story.text,
            quotes=quotes,
            sentences=SpanIndex.of((s.start, s.end) for s in story.sentences),
            paragraphs=SpanIndex.of((p.start, p.end) for p in story.paragraphs),
            names=sorted(names),
            model=model,
        )

    def _in_quote(self, pos: int) -> bool:
        return self.quotes.containing(pos) >= 0


def evidence(ctx: GenderContext, spans: Iterable[tuple[int, int]]) -> Counter[tuple[str, str]]:
    """Votes ``(kind, "m"|"f")`` from the pronouns around the narration mentions ``spans`` (at most
    :data:`MAX_MENTIONS`; mentions inside quotations give none)."""
    text, names = ctx.text, ctx.names
    votes: Counter[tuple[str, str]] = Counter()
    read = 0
    for a, b in spans:
        if read >= MAX_MENTIONS:
            break
        if ctx._in_quote(a):
            continue
        si, pi = ctx.sentences.containing(a), ctx.paragraphs.containing(a)
        if si < 0 or pi < 0:
            continue
        read += 1
        k = bisect_right(names, a)
        next_name = names[k] if k < len(names) else len(text)
        p_end = ctx.paragraphs.ends[pi]
        first = next((m for m in _PRON.finditer(text, b, min(p_end, b + 300)) if not ctx._in_quote(m.start())), None)
        if first is not None:
            word = first.group(1).lower()
            same = first.start() < ctx.sentences.ends[si]
            if first.start() > next_name:
                kind = "past_name"
            elif _SUBJECT_LEAD.fullmatch(text, ctx.sentences.starts[si], a):
                kind = ("subj_same_nom" if word in _SUBJECT else "subj_same_obl") if same else "subj_next"
            elif bisect_left(names, ctx.sentences.starts[si]) < bisect_left(names, a) or _PRON.search(
                text, ctx.sentences.starts[si], a
            ):
                kind = "shadowed"
            else:
                kind = "obj_same" if same else "obj_next"
            votes[kind, "m" if word in _MALE else "f"] += 1
        if pi + 1 < len(ctx.paragraphs.starts) and next_name >= p_end:
            start = ctx.paragraphs.starts[pi + 1]
            opens = _PARA_OPENS.match(text, start, start + 12)
            if opens:
                votes["next_para", "m" if opens.group(1) == "He" else "f"] += 1
        lo = max(0, a - 40)
        before = list(_PRON.finditer(text, lo, a))
        if before and bisect_left(names, lo) == bisect_left(names, a):
            votes["before", "m" if before[-1].group(1).lower() in _MALE else "f"] += 1
    return votes


def gender_features(votes: Counter[tuple[str, str]], prior: str | None) -> list[float]:
    """The model's inputs (:data:`FEATURES`) from the votes and the first-name prior."""
    x = [math.log1p(votes[kind, "m"]) - math.log1p(votes[kind, "f"]) for kind in EVIDENCE]
    return [*x, {"m": 1.0, "f": -1.0}.get(prior or "", 0.0)]


@dataclass(frozen=True, slots=True)
class GenderModel:
    """Weights over :data:`FEATURES` (no intercept) and the probability either way at which it answers."""

    coef: tuple[float, ...]
    threshold: float

    def prob_male(self, x: Sequence[float]) -> float:
        z = sum(w * v for w, v in zip(self.coef, x, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def decide(self, x: Sequence[float]) -> str | None:
        """"m", "f", or None when the probability is short of the threshold either way."""
        p = self.prob_male(x)
        return "m" if p >= self.threshold else "f" if p <= 1.0 - self.threshold else None

    def to_json(self) -> dict[str, Any]:
        return {"features": list(FEATURES), "coef": list(self.coef), "threshold": self.threshold}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> GenderModel:
        if list(raw.get("features", [])) != list(FEATURES):
            raise ValueError("gender model: features differ from fabula.stages.characters.gender.FEATURES")
        return cls(tuple(float(w) for w in raw["coef"]), float(raw["threshold"]))


@functools.cache
def load_model() -> GenderModel | None:
    """The shipped model (``fabula/models/gender/gender_model.json``), or None without one (then only titles and
    the first-name prior give a gender)."""
    path = resources.files("fabula.models").joinpath("gender/gender_model.json")
    if not path.is_file():
        return None
    return GenderModel.from_json(json.loads(path.read_text(encoding="utf-8")))


def title_votes(fs: Sequence[Form]) -> Counter[str]:
    """Gender votes of the forms' gendered titles, one per mention ("Mr. Hall", "the General")."""
    votes: Counter[str] = Counter()
    for f in fs:
        g = title_gender(f.title)
        if g is None and f.title is None and len(f.words) == 1 and len(f.words[0]) > 1:
            g = title_gender(f.words[0].lower())  # "the General", "the Baroness" (not "M", a name, as "M." is)
        if g:
            votes[g] += len(f.hits)
    return votes


def gender_of(ctx: GenderContext, fs: Sequence[Form]) -> str | None:
    """A character's gender from its forms: gendered titles by mentions, else the learned decision (the context's
    model, by default the shipped one) over the narration's pronouns and the first-name prior, else unknown."""
    tvotes = title_votes(fs)
    if tvotes:
        # a military rank before a woman's first name and a surname is hers ("Captain Serah Vale")
        ranked = all(f.title in RANKS for f in fs if f.title is not None)
        if ranked and any(len(f.words) >= 2 and first_name_gender(f.words[0]) == "f" for f in fs):
            return "f"
        return tvotes.most_common(1)[0][0]
    first = next((f.words[0] for f in fs if f.words), None)
    # a family word the story writes as a name ("Mum") has that word's gender
    prior = (first_name_gender(first) or KIN_NAMES.get(first.lower())) if first else None
    model = ctx.model or load_model()
    if model is None:
        return prior
    spans = sorted((h.start, h.end) for f in fs for h in f.hits if not h.in_quote)
    return model.decide(gender_features(evidence(ctx, spans), prior))
