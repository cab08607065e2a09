"""The learned ranker: a conditional logit over each quotation's candidates (JSON weights in
``models/attribution``, trained by ``python -m fabula.training.attribution`` on PDNC and our open scenes). Two are
shipped, one per kind of text (:func:`text_kind`): the book ranker for novels, the chapter ranker, with the scenes
weighing more in its fit, for a chapter, a scene or a short story.

It re-scores the candidates of every quotation; the picks of named tags, narrator and role tags and action beats
stand (``PROTECTED_RULES``), the rest (turn-taking, pronouns, descriptions) take the ranker's best candidate. With
``model["pairs"]`` the score is a quadratic form in the features: ``x·c + Σ_{i<j} U_ij x_i x_j``.
"""

from __future__ import annotations

import functools
import json
import logging
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np

from fabula.stages.attribution.decode import Turn, conversations, decode_conversation, log_softmax
from fabula.stages.attribution.features import FEATURES, Fixed, contexts, feature_matrix
from fabula.stages.attribution.state import AttributionState, QuoteState
from fabula.stages.attribution.style import Style

log = logging.getLogger(__name__)

#: Rules whose choice the ranker never overrides (it still gives them a confidence).
PROTECTED_RULES = frozenset(["tag_name", "tag_narrator", "tag_role", "beat", "self_named"])

#: Scores closer than this are a tie, which the candidate listed first wins (so float noise cannot flip a pick).
TIE = 1e-9


#: Texts of fewer words than this are read with the chapter ranker: a scene, a chapter, a short story, the prose
#: users paste. Its weights were fitted with our modern scenes weighing more (``fabula.training.attribution --kind
#: chapter``); longer texts, novels, take the book ranker. Between 2,000 and 20,000 words it was measured on PDNC
#: novels cut into pieces (``fabula eval pdnc --pieces N``, docs/evaluation.md): the two rankers are within 0.8 point
#: of each other below 10,000 words, and no length there tells them apart on both the open and the sealed novels.
CHAPTER_WORDS = 10_000

#: The shipped ranker of each kind of text, in ``models/attribution``.
RANKER_FILES = {"book": "ranker.json", "chapter": "ranker_chapter.json"}


def text_kind(text: str, skip: Iterable[tuple[int, int]] = ()) -> str:
    """``chapter`` for a text of fewer than :data:`CHAPTER_WORDS` words, else ``book``; the words of the spans
    ``skip`` (a download's licence, an EPUB's front matter: the story's non-story blocks) do not count."""
    words, end = len(text.split()), 0
    for a, b in sorted(skip):
        a = max(a, end)
        if b > a:
            words -= len(text[a:b].split())
            end = b
    return "chapter" if words < CHAPTER_WORDS else "book"


def load_model(kind: str = "book") -> dict[str, Any] | None:
    """The shipped ranker for ``kind`` of text (:data:`RANKER_FILES`; the book ranker when the chapter one is
    absent), or None when absent or trained on other features."""
    model = _shipped_model(RANKER_FILES[kind])
    return model if model is not None or kind == "book" else _shipped_model(RANKER_FILES["book"])


@functools.cache
def _shipped_model(name: str) -> dict[str, Any] | None:
    try:
        raw = resources.files("fabula.models").joinpath(f"attribution/{name}").read_text(encoding="utf-8")
    except (FileNotFoundError, ModuleNotFoundError):
        return None
    model: dict[str, Any] = json.loads(raw)
    if tuple(model.get("features", ())) != FEATURES:
        log.warning("attribution ranker features differ from this version; using the rules only")
        return None
    return model


def pairwise(x: np.ndarray) -> np.ndarray:
    """The features and all their pairwise products (row-wise): the ranker's input when ``model["pairs"]`` (for
    fitting; scoring uses the same weights as a quadratic form, see :func:`score_rows`)."""
    iu = np.triu_indices(x.shape[1], 1)
    return np.hstack([x, x[:, iu[0]] * x[:, iu[1]]])


@dataclass(frozen=True, slots=True)
class _Weights:
    """One set of ranker weights ready to score: linear part, pairwise products as an upper-triangular matrix."""

    linear: np.ndarray
    quad: np.ndarray | None
    intercept: float


#: Compiled weights by (id of the model, key), with the model and the weights they were built from (held, so that
#: an id is not reused while its entry lives, and compared, so that a replaced weight list is seen).
_COMPILED: dict[tuple[int, str], tuple[dict[str, Any], Any, _Weights]] = {}


def _weights(model: dict[str, Any], key: str) -> _Weights:
    coef = model.get(key, model["coef"])
    hit = _COMPILED.get((id(model), key))
    if hit is not None and hit[0] is model and hit[1] is coef:
        return hit[2]
    w = np.asarray(coef, dtype=float)
    n = len(FEATURES)
    quad = None
    if model.get("pairs"):
        iu = np.triu_indices(n, 1)
        quad = np.zeros((n, n))
        quad[iu] = w[n:]
    out = _Weights(w[:n], quad, float(model.get("intercept", 0.0)))
    if len(_COMPILED) >= 64:
        _COMPILED.clear()
    _COMPILED[(id(model), key)] = (model, coef, out)
    return out


def score_rows(
    model: dict[str, Any], rows: Sequence[Sequence[float]] | np.ndarray, key: str = "coef"
) -> np.ndarray:
    """The ranker's score (logit) of each candidate row, with the weights ``model[key]`` (``coef`` for the first
    round, ``coef2`` for later ones)."""
    return _score(np.asarray(rows, dtype=float).reshape(len(rows), len(FEATURES)), _weights(model, key))


def _score(x: np.ndarray, w: _Weights) -> np.ndarray:
    """:func:`score_rows` of the rows along ``x``'s last axis: of one quotation's candidates, (candidates,
    features), or of several quotations' as many candidates each, (quotations, candidates, features)."""
    out: np.ndarray = x @ w.linear + w.intercept
    if w.quad is not None:
        out += ((x @ w.quad) * x).sum(axis=-1)
    return out


def score_quotations(
    model: dict[str, Any], x: np.ndarray, counts: Sequence[int], key: str = "coef"
) -> list[list[float]]:
    """:func:`score_rows` of each quotation's rows, the same values: ``x`` holds ``counts[k]`` rows for quotation
    ``k``, one quotation after the other. The quotations with as many candidates are stacked and scored together:
    numpy's stacked products make, per quotation, the same BLAS call on the same (candidates, features) matrix as
    :func:`score_rows` does (one matrix of several quotations' rows could be summed in another order)."""
    w = _weights(model, key)
    starts = np.cumsum(counts, dtype=np.int64) - np.asarray(counts, dtype=np.int64)
    by_len: dict[int, list[int]] = {}
    for k, m in enumerate(counts):
        by_len.setdefault(m, []).append(k)
    out: list[list[float]] = [[] for _ in counts]
    for m, ks in by_len.items():
        if not m:
            continue
        at = (starts[ks][:, None] + np.arange(m)).reshape(-1)
        for k, s in zip(ks, _score(x[at].reshape(len(ks), m, len(FEATURES)), w).tolist(), strict=True):
            out[k] = s
    return out


def best(scores: Sequence[float]) -> int:
    """The index of the best score; of scores within ``TIE`` of it, the first."""
    top = max(scores)
    return next(k for k, s in enumerate(scores) if s >= top - TIE)


#: The score of a candidate the quotation's own tag rules out by gender (below any learned score).
RULED_OUT = -1e6


def _gender_masked(
    st: AttributionState, x: QuoteState, cands: Sequence[str], scores: list[float]
) -> list[float]:
    """``scores`` with the candidates of the other gender ruled out when the quotation's tag names the speaker's
    gender (``she exclaimed``, ``said the son``), so long as a candidate of the tag's gender or of unknown gender
    remains: a pick the tag contradicts is wrong whatever the neighbouring turns suggest."""
    tag = x.tag
    if tag is None or tag.gender is None or tag.kind not in ("pronoun", "nominal"):
        return scores
    out = [
        RULED_OUT if st.gender.get(c) not in (None, tag.gender) else s
        for c, s in zip(cands, scores, strict=True)
    ]
    return out if max(out) > RULED_OUT else scores


def rank_round(
    st: AttributionState,
    model: dict[str, Any],
    key: str,
    rules: Sequence[str],
    kept: Fixed | None = None,
    restyle: bool = True,
) -> tuple[dict[int, tuple[str, float]], dict[int, Turn]]:
    """One ranking round with the weights ``model[key]``: every quotation's best candidate becomes its speaker
    (a quotation whose rule in ``rules`` is protected keeps the rules' pick). Returns the picks with their
    probabilities, and the turns for the conversation decode. With ``model["self_style"]``, the idiolects are then
    rebuilt from every quotation as attributed so far, for the next round. ``kept``: the contexts' parts that
    no speaker changes, shared by the rounds over one state (see ``features.contexts``). ``restyle=False``: the
    idiolects are not rebuilt (no round follows to read them)."""
    picks: dict[int, tuple[str, float]] = {}
    turns: dict[int, Turn] = {}
    todo = [(q, cands) for q, cands in contexts(st, kept) if cands]
    counts = [len(cands) for _, cands in todo]
    scored = score_quotations(model, feature_matrix(todo), counts, key)
    for (q, cands), scores in zip(todo, scored, strict=True):
        i = q.i
        x = st.qs[i]
        scores = _gender_masked(st, x, cands, scores)
        k = best(scores)
        fixed = None
        if rules[i] in PROTECTED_RULES and x.speaker in cands:
            # rules first: a named tag or an action beat stands; the ranker decides the turn-taking guesses
            k = fixed = cands.index(x.speaker)
        logp = log_softmax(scores)
        picks[i] = (cands[k], math.exp(logp[k]))
        turns[i] = Turn(x.para, x.last_para, cands, logp, fixed)
    for i, (c, _) in picks.items():
        st.qs[i].speaker = c
    if restyle and model.get("self_style"):
        st.style_cache = Style(st, [x.speaker for x in st.qs])
    return picks, turns


def rerank(st: AttributionState, model: dict[str, Any]) -> None:
    """Re-score each quotation's candidates with the learned ranker; the best one becomes the speaker.

    The ranker runs ``model["rounds"]`` times (default 2): after the first round, the neighbouring turns'
    speakers seen by the features are the ranker's own picks rather than the rules' guesses."""
    rules = [x.rule for x in st.qs]
    picks: dict[int, tuple[str, float]] = {}
    last: dict[int, Turn] = {}
    kept: Fixed = {}  # only the speakers change from one round to the next
    rounds = max(1, int(model.get("rounds", 2)))
    for r in range(rounds):
        picks, last = rank_round(st, model, "coef2" if r else "coef", rules, kept, restyle=r + 1 < rounds)
    weights = model.get("decode")
    if weights:
        for conv in conversations(st, sorted(last)):
            if len(conv) < 2:
                continue
            turns = [last[i] for i in conv]
            for i, t, k in zip(conv, turns, decode_conversation(turns, weights), strict=True):
                if k >= 0:
                    picks[i] = (t.cands[k], math.exp(t.logp[k]))
                    st.qs[i].speaker = t.cands[k]
    a, c0 = model.get("calibration", [1.0, 0.0])
    for i, (_, p) in picks.items():
        x = st.qs[i]
        if x.rule in ("none", "fallback"):
            x.rule = "turn_taking"
        prob = min(max(p, 1e-4), 1 - 1e-4)
        x.learned_confidence = 1.0 / (1.0 + math.exp(-(a * math.log(prob / (1 - prob)) + c0)))
