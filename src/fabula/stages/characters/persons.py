"""Is this name a person in this story? A learned decision from how the text uses the name.

Given a Story that has been through the ``segment`` and ``quotes`` stages and candidate name forms (surface strings
with the offsets of their occurrences), :func:`form_features` computes one feature vector per form, aggregated over
its occurrences (how often a title precedes it, a speech or human-action verb stands next to it, it is possessive,
addressed inside a quotation, follows a preposition of place or "the", is followed by "he"/"she" or by "it", how
often its words appear in lower case in the text, …). :class:`PersonModel` is a standardised logistic regression
over those features, trained on LitBank and PDNC by ``python -m fabula.training.persons``; the weights ship as JSON
in ``fabula/models/persons/`` with a model card.

The decision is learned: the only word lists here are generic grammar (prepositions of place, pronouns, a few
verbs whose subject is a person); speech verbs, titles and first names come from :mod:`fabula.lexicon`.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np

from fabula.lexicon import SPEECH_VERBS, TITLES, name_prior
from fabula.spans import SpanIndex
from fabula.stages.characters.first_names import wide_name_gender
from fabula.stages.characters.forms import common_words
from fabula.story import Story

#: Feature names, in the order of the columns :func:`form_features` returns.
FEATURES: tuple[str, ...] = (
    "title",  # the form carries a title or one precedes it ("Mr. Hall", "Captain Smollett")
    "speech",  # a speech verb right before or after it ("said Emma", "Emma replied")
    "action",  # a verb whose subject is usually a person follows it ("Emma smiled")
    "verb_ed",  # any lower-case -ed word follows it ("Emma walked")
    "possessive",  # followed by 's
    "poss_cap",  # followed by 's and a capitalised word ("Kitt's Hole", "Paul's Wharf": a place named after someone)
    "vocative",  # addressed inside a quotation ("…, Emma." / "Emma, …")
    "in_quote",  # inside a quotation
    "initial",  # sentence-initial (its capital says nothing)
    "place_prep",  # after in/at/from/into/near/… (a place)
    "to",  # after "to" (a place, or "said to Emma")
    "the",  # after "the"
    "pron_person",  # he/she/him/her/his later in the same sentence
    "pron_it",  # it/its/there later in the same sentence
    "lower_ratio",  # log(1 + lower-case uses of its last word / capitalised uses)
    "common",  # its last word is a frequent English word
    "name_prior",  # one of its words is a known first name
    "wide_name",  # one of its words is a first name of the wide prior only (faker's lists; see first_names)
    "nonstory",  # share of its uses that lie in headings and other non-story blocks
    "person_cues",  # log(1 + occurrences with a person cue: speech, action, -ed verb, possessive, vocative, title)
    "place_cues",  # log(1 + occurrences after a place preposition, "to" or "the")
    "log_count",  # log(1 + occurrences)
    "rate",  # log(1 + occurrences per 1,000 words of the text, a text counting as at least 2,000 words)
    "rank",  # share of the story's candidate forms that occur at most as often as this one
    "n_words",  # words in the form (title included)
    "all_caps",  # written in capitals
    "demonym",  # last word ends like a people or language (-ian, -ese, -ish, -ans)
    "place_suffix",  # last word ends like a place name (-shire, -ton, -bury, -land, Street, Hall, …)
)

#: Prepositions that put a name in the place slot ("in London", "at Netherfield").
PLACE_PREPS = frozenset(
    "in at from into near within inside outside across through towards toward upon onto".split()
)

#: Past-tense verbs whose subject is nearly always a person (beside the speech verbs).
ACTION_VERBS = frozenset(
    """looked smiled laughed nodded turned walked sat stood rose took gave felt knew saw heard thought wanted
    seemed hesitated shook stared glanced frowned shrugged sighed wept kissed married loved hated wrote read
    waited hurried ran entered left came went opened closed listened watched tried began put held""".split()
)

# \b(?:he|she|him|her|his|himself|herself)\b and \b(?:it|its|itself|there)\b (ignoring case), the same matches
# found faster: the first letter first (a pattern that opens with a character set skips to it), then the \b
# before it as a look-behind, then the rest of the word by that letter
_PERSON_PRON = re.compile(r"[hs](?<!\w[hs])(?:(?<=h)(?:e|im|er|is|imself|erself)|(?<=s)he)\b", re.IGNORECASE)
_IT_PRON = re.compile(r"[it](?<!\w[it])(?:(?<=i)(?:t|ts|tself)|(?<=t)here)\b", re.IGNORECASE)
_WORD_BEFORE = re.compile(r"([A-Za-z]+)\.?[\s,]*$")
_WORD_AFTER = re.compile(r"^[\s,]*([A-Za-z]+)")
# words not preceded by a word character: ``X(?<!Y X)`` is ``(?<!Y)X``, scanned faster (the first character first)
_LOWER_WORD = re.compile(r"[a-z](?<![\w'’][a-z])[a-z'’-]*")
_ASCII_LOWER_WORD = re.compile(r"[a-z](?<![A-Za-z0-9_'][a-z])[a-z'-]*")  # the same for ASCII text, faster
_CAP_WORD = re.compile(r"[A-Z](?<![\w'’][A-Z])[\w'’-]*")
_OPENERS = "\"“‘'«「(["
_ENDERS = ".!?…:;"
_DEMONYM = ("ian", "ians", "ese", "ish", "ans")
#: Endings of English place and building names (a morphological cue, not a list of places).
PLACE_SUFFIXES = tuple(
    """shire land ton ford bury borough ham ville burg ia pool mouth field wood port street square hall house
    park lane road court abbey castle inn church bridge hill cross""".split()
)


@dataclass(slots=True)
class _Context:
    """Per-story lookups shared by every form."""

    text: str
    quotes: SpanIndex[int]
    sentences: SpanIndex[int]
    lower: Counter[str]
    caps: Counter[str]
    nonstory_text: str


def _context(story: Story) -> _Context:
    text = story.text
    return _Context(
        text=text,
        quotes=SpanIndex.of((q.outer or (q.start, q.end)) for q in story.quotes if q.type != "mention"),
        sentences=SpanIndex.of((s.start, s.end) for s in story.sentences),
        lower=Counter((_ASCII_LOWER_WORD if text.isascii() else _LOWER_WORD).findall(text)),
        caps=Counter(_CAP_WORD.findall(text)),
        nonstory_text="\n".join(text[n.start : n.end] for n in story.nonstory),
    )


_CAP_AFTER_POSS = re.compile(r" ?['’]s[ \t]+[A-Z][a-z]")


def _prev_char(text: str, pos: int) -> str:
    i = pos - 1
    while i >= 0 and text[i].isspace():
        i -= 1
    return text[i] if i >= 0 else ""


def _occurrence(ctx: _Context, start: int, end: int) -> dict[str, float]:
    """Context flags of one occurrence ``text[start:end]``."""
    text = ctx.text
    before = text[max(0, start - 30) : start]
    after = text[end : end + 40]
    mb = _WORD_BEFORE.search(before)
    prev = mb.group(1).lower() if mb else ""
    ma = _WORD_AFTER.match(after)
    nxt = ma.group(1) if ma else ""
    pc = _prev_char(text, start)
    q = ctx.quotes.containing(start)
    in_quote = q >= 0
    after_s = after.lstrip()
    possessive = after.startswith(("'s", "’s", " 's", " ’s"))
    poss_cap = possessive and _CAP_AFTER_POSS.match(after) is not None
    vocative = False
    if in_quote:
        qa, qb = ctx.quotes.starts[q], ctx.quotes.ends[q]
        left = pc in ",;!?.—–-" or pc in _OPENERS or text[qa:start].strip(" \"“‘'«—–-") == ""
        right = end >= qb - 1 or (after_s[:1] in (",", ".", "!", "?", ";", "—", "–", "…"))
        vocative = left and right and not possessive
    s = ctx.sentences.containing(start)
    s_end = ctx.sentences.ends[s] if s >= 0 else min(len(text), end + 150)
    rest = text[end:s_end]
    if in_quote:
        rest = rest[: max(0, ctx.quotes.ends[q] - end)]
    nxt_l = nxt.lower() if nxt[:1].islower() else ""
    return {
        "title": float(prev in TITLES),
        "speech": float(prev in SPEECH_VERBS or nxt_l in SPEECH_VERBS),
        "action": float(nxt_l in ACTION_VERBS),
        "verb_ed": float(nxt_l.endswith("ed") and len(nxt_l) > 3),
        "possessive": float(possessive),
        "poss_cap": float(poss_cap),
        "vocative": float(vocative),
        "in_quote": float(in_quote),
        "initial": float(pc == "" or pc in _ENDERS or pc in _OPENERS),
        "place_prep": float(prev in PLACE_PREPS),
        "to": float(prev == "to"),
        "the": float(prev == "the"),
        "pron_person": float(bool(_PERSON_PRON.search(rest))),
        "pron_it": float(bool(_IT_PRON.search(rest))),
    }


_RATES = FEATURES[: FEATURES.index("pron_it") + 1]
_PERSON_CUES = ("title", "speech", "action", "verb_ed", "possessive", "vocative")
_PLACE_CUES = ("place_prep", "to", "the")


def _form_row(ctx: _Context, form: str, spans: Sequence[tuple[int, int]]) -> list[float]:
    """One feature vector for ``form`` over its occurrences."""
    words = form.replace("’s", "").split()
    first = words[0].lower().rstrip(".") if words else ""
    has_title = first in TITLES and len(words) > 1
    name_words = words[1:] if has_title else words
    last = name_words[-1] if name_words else form
    rates = dict.fromkeys(_RATES, 0.0)
    person_cues = place_cues = 0
    for a, b in spans:
        occ = _occurrence(ctx, a, b)
        for k, v in occ.items():
            rates[k] += v
        person_cues += any(occ[k] for k in _PERSON_CUES) or has_title
        place_cues += any(occ[k] for k in _PLACE_CUES)
    n = max(1, len(spans))
    out = {k: v / n for k, v in rates.items()}
    if has_title:
        out["title"] = 1.0
    caps = ctx.caps.get(last, 0)
    lower = ctx.lower.get(last.lower(), 0)
    out["lower_ratio"] = math.log1p(lower / max(1, caps))
    out["common"] = float(last.lower() in common_words())
    out["name_prior"] = float(any(name_prior(w) is not None for w in name_words))
    wide = any(wide_name_gender(w) is not None for w in name_words)
    out["wide_name"] = float(wide and not out["name_prior"])
    in_ns = ctx.nonstory_text.count(form) if ctx.nonstory_text else 0
    out["nonstory"] = in_ns / (in_ns + len(spans)) if in_ns + len(spans) else 0.0
    out["person_cues"] = math.log1p(person_cues)
    out["place_cues"] = math.log1p(place_cues)
    out["log_count"] = math.log1p(len(spans))
    out["rate"] = out["rank"] = 0.0  # set over all forms in form_features
    out["n_words"] = float(len(words))
    letters = [c for c in form if c.isalpha()]
    out["all_caps"] = float(len(letters) > 1 and all(c.isupper() for c in letters))
    out["demonym"] = float(last.lower().endswith(_DEMONYM))
    out["place_suffix"] = float(last.lower().endswith(PLACE_SUFFIXES))
    return [out[k] for k in FEATURES]


#: A text shorter than this counts as this long for the ``rate`` feature: in a short scene every repeated name is
#: frequent, so frequency would say "person" for a town named five times in eighty words.
MIN_WORDS_FOR_RATE = 2000

Forms = Mapping[str, Sequence[tuple[int, int]]] | Sequence[tuple[str, Sequence[tuple[int, int]]]]


def form_features(story: Story, forms: Forms) -> np.ndarray:
    """Feature matrix (one row per form, in the given order; columns :data:`FEATURES`). ``forms`` maps each
    surface form to its occurrences, or lists ``(form, occurrences)`` pairs (a surface may then repeat)."""
    ctx = _context(story)
    items = list(forms.items()) if isinstance(forms, Mapping) else list(forms)
    rows = np.asarray([_form_row(ctx, form, spans) for form, spans in items], dtype=np.float64)
    rows = rows.reshape(len(items), len(FEATURES))
    if len(items):
        counts = np.asarray([len(s) for _, s in items], dtype=np.float64)
        words = max(MIN_WORDS_FOR_RATE, len(story.tokens) or len(story.text.split()))
        rows[:, FEATURES.index("rate")] = np.log1p(1000.0 * counts / words)
        rows[:, FEATURES.index("rank")] = np.searchsorted(np.sort(counts), counts, side="right") / len(counts)
    return rows


def name_forms(story: Story) -> dict[str, list[tuple[int, int]]]:
    """The characters stage's name mentions grouped by surface form (whitespace normalised)."""
    out: dict[str, list[tuple[int, int]]] = {}
    for m in story.mentions:
        if m.kind != "name":
            continue
        form = " ".join(story.text[m.start : m.end].split())
        out.setdefault(form, []).append((m.start, m.end))
    return out


@dataclass(frozen=True, slots=True)
class Trees:
    """A boosted ensemble of small regression trees, all nodes in flat arrays: node ``k`` splits on feature
    ``feature[k]`` (go ``left[k]`` when the value is at most ``threshold[k]``, else ``right[k]``) or, when
    ``left[k] < 0``, is a leaf adding ``value[k]`` to the log-odds. ``roots`` holds each tree's first node."""

    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray
    roots: np.ndarray

    def log_odds(self, x: np.ndarray) -> np.ndarray:
        """The summed leaf values for each row of ``x``."""
        x = x.astype(np.float32).astype(np.float64)  # trees were grown on float32 features
        rows = np.arange(len(x))[:, None]
        nodes = np.broadcast_to(self.roots, (len(x), len(self.roots))).copy()
        while True:
            inner = self.left[nodes] >= 0
            if not inner.any():
                break
            go_left = x[rows, self.feature[nodes]] <= self.threshold[nodes]
            step = np.where(go_left, self.left[nodes], self.right[nodes])
            nodes = np.where(inner, step, nodes)
        return np.asarray(self.value[nodes].sum(axis=1))

    def to_json(self) -> dict[str, Any]:
        return {
            "feature": self.feature.tolist(),
            "threshold": self.threshold.tolist(),
            "left": self.left.tolist(),
            "right": self.right.tolist(),
            "value": [round(float(v), 8) for v in self.value],
            "roots": self.roots.tolist(),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Trees:
        ints = {k: np.asarray(data[k], dtype=np.int64) for k in ("feature", "left", "right", "roots")}
        return cls(
            feature=ints["feature"],
            threshold=np.asarray(data["threshold"], dtype=np.float64),
            left=ints["left"],
            right=ints["right"],
            value=np.asarray(data["value"], dtype=np.float64),
            roots=ints["roots"],
        )


@dataclass(frozen=True, slots=True)
class PersonModel:
    """``P(person) = σ(intercept + f(x))`` where ``f`` is a boosted tree ensemble over the features."""

    features: tuple[str, ...]
    intercept: float
    trees: Trees
    threshold: float = 0.5

    def predict_proba(self, features: np.ndarray) -> np.ndarray:
        """Probabilities that each row (or the single vector given) is a person."""
        x = np.atleast_2d(np.asarray(features, dtype=np.float64))
        z = self.trees.log_odds(x) + self.intercept
        return np.asarray(1.0 / (1.0 + np.exp(-np.clip(z, -40.0, 40.0))))

    def to_json(self) -> dict[str, Any]:
        return {
            "features": list(self.features),
            "intercept": round(self.intercept, 8),
            "threshold": round(self.threshold, 4),
            "trees": self.trees.to_json(),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PersonModel:
        names = tuple(str(f) for f in data["features"])
        if names != FEATURES:
            raise ValueError(f"person model features {names} do not match this fabula's {FEATURES}")
        return cls(
            features=names,
            intercept=float(data["intercept"]),
            trees=Trees.from_json(data["trees"]),
            threshold=float(data.get("threshold", 0.5)),
        )


@functools.cache
def load_model() -> PersonModel:
    """The shipped model (``fabula/models/persons/person_model.json``)."""
    raw = resources.files("fabula.models").joinpath("persons/person_model.json").read_text(encoding="utf-8")
    return PersonModel.from_json(json.loads(raw))


def person_probabilities(
    story: Story, forms: Mapping[str, Sequence[tuple[int, int]]], model: PersonModel | None = None
) -> dict[str, float]:
    """``form -> P(person)`` for each candidate form (the shipped model unless ``model`` is given)."""
    if not forms:
        return {}
    m = model or load_model()
    probs = m.predict_proba(form_features(story, forms))
    return {f: float(p) for f, p in zip(forms, probs, strict=True)}
