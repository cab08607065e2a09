"""Emotion: GoEmotions labels (28), Ekman groups (7) and EmoBank valence/arousal/dominance, per quotation and per
narrative sentence.

The shipped model (``fabula/models/emotion/emotion.npz``, trained by :mod:`fabula.training.emotion`) is a linear
model over TF-IDF features (word 1–2-grams and character 2–5-grams inside words); inference is pure numpy:

* ``labels``: one-vs-rest logistic probabilities for the 28 GoEmotions labels (independent, do not sum to 1);
  ``predicted`` lists the labels at or above their tuned per-label thresholds (at least the top one).
* ``ekman``: a separate one-vs-rest head trained on Ekman-mapped labels, averaged with the group scores implied by
  the 28 label probabilities (noisy-or of each group's members; the mix weight ``ekman_mix`` is in the model file),
  normalised to sum to 1.
* ``vad``: ridge regression on the same features plus the 35 label/Ekman logits and their probabilities,
  EmoBank's 1–5 scale.

A *context* (for a quotation, the narration around it) is mixed in logit space:
``z = (1 - w) · z(text) + w · z(context)`` with ``w = context_weight`` (default from the model file).
"""

from __future__ import annotations

import json
import logging
import math
import re
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from itertools import accumulate, pairwise, repeat
from typing import Any

import numpy as np

from fabula.errors import ModelError, UsageError
from fabula.pipeline import Stage
from fabula.story import Emotion, EmotionSpan, Quote, Story

log = logging.getLogger(__name__)

EKMAN = ("anger", "disgust", "fear", "joy", "sadness", "surprise", "neutral")
#: The GoEmotions paper's mapping of the 27 emotions (+ neutral) onto Ekman's groups.
EKMAN_MAP: dict[str, tuple[str, ...]] = {
    "anger": ("anger", "annoyance", "disapproval"),
    "disgust": ("disgust",),
    "fear": ("fear", "nervousness"),
    "joy": (
        "joy", "amusement", "approval", "excitement", "gratitude", "love", "optimism", "relief", "pride",
        "admiration", "desire", "caring",
    ),
    "sadness": ("sadness", "disappointment", "embarrassment", "grief", "remorse"),
    "surprise": ("surprise", "realization", "confusion", "curiosity"),
    "neutral": ("neutral",),
}
MODEL_FILE = "emotion.npz"
ROUND = 4

# ----------------------------------------------------------------------------------------------- features

_NORM = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "—": " - ", "–": " - "})
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)*|[^\sa-z0-9]")
CHAR_MIN, CHAR_MAX = 2, 5


def normalize(text: str) -> str:
    """Lower-case and fold curly quotes and dashes (the same for training and inference)."""
    return text.lower().translate(_NORM)


_NEGATORS = frozenset(("not", "no", "never", "nothing", "nobody", "none", "nor", "neither", "cannot", "without"))
_SCOPE_END = frozenset(".,!?;:")
NEG_MARK = "~"


def negated(toks: Sequence[str]) -> list[str]:
    """``~word`` for each word in a negation scope: after a negator ("not", "never", "don't" …) up to the next
    punctuation mark ("I don't love you" → ``~love``, ``~you``)."""
    out: list[str] = []
    scope = False
    for t in toks:
        if t in _SCOPE_END:
            scope = False
        elif t in _NEGATORS or t.endswith("n't"):
            scope = True
        elif scope and t[0].isalnum():
            out.append(NEG_MARK + t)
    return out


def word_features(norm: str, negation: bool = False) -> list[str]:
    """Word unigrams and bigrams (punctuation marks and emoji are tokens of their own); with ``negation``, also
    the negated words (:func:`negated`)."""
    toks = _WORD.findall(norm)
    out = toks + list(map(" ".join, pairwise(toks)))
    if negation and not (_NEGATORS.isdisjoint(toks) and "n't" not in norm):  # no negator: no negated word
        out.extend(negated(toks))
    return out


def char_features(norm: str) -> list[str]:
    """Character 2–5-grams inside whitespace-separated words padded with a space (sklearn's ``char_wb``)."""
    out: list[str] = []
    for w in norm.split():
        w = " " + w + " "
        n = len(w)
        for k in range(CHAR_MIN, min(CHAR_MAX, n) + 1):
            out.extend([w[i : i + k] for i in range(n - k + 1)])
    return out


#: Words longer than this have their character n-grams generated lazily (bounded memory on hostile input).
LONG_TOKEN = 1000
#: How many distinct words a :class:`Vectorizer` keeps the char n-gram columns of (bounded memory).
CHAR_CACHE_MAX = 200_000


def _char_grams(word: str) -> Iterator[str]:
    """:func:`char_features` of one word, lazily: a megabyte-long token costs no list of millions of strings."""
    w = " " + word + " "
    n = len(w)
    for k in range(CHAR_MIN, min(CHAR_MAX, n) + 1):
        for i in range(n - k + 1):
            yield w[i : i + k]


@dataclass(slots=True)
class Vectorizer:
    """Sublinear TF-IDF over two fixed vocabularies (words, chars), each block L2-normalised.

    :meth:`transform` returns a flat sparse form: ``rows``, ``cols`` and ``vals`` (row-sorted).
    """

    word_vocab: dict[str, int]
    char_vocab: dict[str, int]
    idf: np.ndarray  # (n_word + n_char,)
    negation: bool = False  # add negation-scope features (``~word``)
    # word -> its index in _char_cols: the in-vocabulary columns of its character n-grams (words repeat, n-gram
    # extraction is slow)
    _char_cache: dict[str, int] = field(default_factory=dict)
    _char_cols: list[np.ndarray] = field(default_factory=list)
    _char_lock: threading.Lock = field(default_factory=threading.Lock)  # (threads share the shipped model)
    _bigrams: dict[tuple[str, str], int] | None = None  # see _bigram_vocab

    @property
    def size(self) -> int:
        return len(self.word_vocab) + len(self.char_vocab)

    def transform(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Flat sparse TF-IDF rows in (row, column) order: per text its word features, then its char features.
        Each block's norm sums its features in order of first occurrence in the text, as a ``Counter`` would (the
        order fixes the floating-point sum); the CSR product downstream reads each row in column order."""
        word_ids: list[int] = []  # every text's word features' columns, -1 out of the vocabulary
        word_feats: list[int] = []  # how many features each text has
        tok_ids: list[int | None] = []  # every text's words, as indices into the char cache
        tok_lens: list[int] = []
        wv_get, cache_get, off = self.word_vocab.get, self._char_cache.get, len(self.word_vocab)
        bi_get = self._bigram_vocab().get
        extra: dict[str, int] = {}  # words past the cache's bound, for this call: -1 - their index in extra_cols
        extra_cols: list[np.ndarray] = []
        for text in texts:
            norm = normalize(text)
            # word_features(norm, self.negation), looked up: the words, their bigrams, the negated words
            words = _WORD.findall(norm)
            word_ids.extend(map(wv_get, words, repeat(-1)))
            word_ids.extend(map(bi_get, pairwise(words), repeat(-1)))
            n_feats = 2 * len(words) - 1 if words else 0
            if self.negation and not (_NEGATORS.isdisjoint(words) and "n't" not in norm):
                neg = negated(words)
                word_ids.extend(map(wv_get, neg, repeat(-1)))
                n_feats += len(neg)
            word_feats.append(n_feats)
            toks = norm.split()
            ids = list(map(cache_get, toks))
            if None in ids:
                for k, j in enumerate(ids):
                    if j is None:
                        ids[k] = self._char_index(toks[k], extra, extra_cols, off)
            tok_ids.extend(ids)
            tok_lens.append(len(toks))
        n = len(texts)
        w_all = np.asarray(word_ids, dtype=np.int64)
        keep = w_all >= 0
        word_lens = np.bincount(np.repeat(np.arange(n), word_feats)[keep], minlength=n)
        r_w, c_w, v_w = self._block(w_all[keep], word_lens)
        char_cols, char_lens = self._char_block(tok_ids, tok_lens, extra_cols)
        r_c, c_c, v_c = self._block(char_cols, char_lens)
        # merge the blocks row by row (each row's word columns come before its char columns)
        per_w, per_c = np.bincount(r_w, minlength=n), np.bincount(r_c, minlength=n)
        start = np.cumsum(per_w + per_c) - per_w - per_c  # where each row begins
        at_w = start[r_w] + np.arange(len(r_w)) - (np.cumsum(per_w) - per_w)[r_w]
        at_c = start[r_c] + per_w[r_c] + np.arange(len(r_c)) - (np.cumsum(per_c) - per_c)[r_c]
        rows, cols = np.empty(len(r_w) + len(r_c), dtype=np.int64), np.empty(len(r_w) + len(r_c), dtype=np.int64)
        vals = np.empty(len(r_w) + len(r_c), dtype=np.float64)
        for arr, a, b in ((rows, r_w, r_c), (cols, c_w, c_c), (vals, v_w, v_c)):
            arr[at_w] = a
            arr[at_c] = b
        return rows, cols, vals

    def _bigram_vocab(self) -> dict[tuple[str, str], int]:
        """The word vocabulary's bigrams by their two words: ``word_vocab[" ".join(pair)]`` is
        ``_bigram_vocab()[pair]`` for two words (no word holds a space), without joining them."""
        if self._bigrams is None:
            self._bigrams = {(a, b): j for w, j in self.word_vocab.items() if " " in w for a, b in [w.split(" ", 1)]}
        return self._bigrams

    def _char_index(self, word: str, extra: dict[str, int], extra_cols: list[np.ndarray], off: int) -> int:
        """The index of ``word``'s char n-gram columns (shifted by ``off``) in the cache, added to it; once the
        cache is full, ``-1 - k`` for this call's ``extra_cols[k]``."""
        hit = extra.get(word)
        if hit is not None:
            return hit
        cv = self.char_vocab
        # a megabyte-long token is read lazily; ordinary words take the faster list path
        grams = _char_grams(word) if len(word) > LONG_TOKEN else char_features(word)
        arr = np.array([j + off for g in grams if (j := cv.get(g)) is not None], dtype=np.int64)
        with self._char_lock:
            hit = self._char_cache.get(word)
            if hit is not None:
                return hit
            if len(self._char_cache) < CHAR_CACHE_MAX:
                self._char_cols.append(arr)
                k = self._char_cache[word] = len(self._char_cols) - 1
                return k
        k = extra[word] = -1 - len(extra_cols)
        extra_cols.append(arr)
        return k

    def _char_block(
        self, tok_ids: list[int | None], tok_lens: list[int], extra_cols: list[np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray]:
        """The char n-gram columns of every word of every text, in order (``tok_ids``: the words as indices, see
        :meth:`_char_index`; ``tok_lens``: how many words each text has), and how many columns each text has."""
        ids = np.asarray(tok_ids, dtype=np.int64)
        used, inverse = np.unique(ids, return_inverse=True)
        cols = self._char_cols
        parts = [cols[j] if j >= 0 else extra_cols[-1 - j] for j in used.tolist()]
        lens = np.fromiter(map(len, parts), dtype=np.int64, count=len(parts))
        flat = np.concatenate([np.zeros(0, np.int64), *parts])
        per_tok = lens[inverse]
        ends = np.cumsum(per_tok)
        total = int(ends[-1]) if len(ends) else 0
        # each word's columns: its slice of ``flat``, the words one after the other
        at = np.repeat((np.cumsum(lens) - lens)[inverse] - (ends - per_tok), per_tok) + np.arange(total)
        bounds = np.cumsum([0, *tok_lens])
        upto = np.concatenate([np.zeros(1, np.int64), ends])
        out: np.ndarray = flat[at]
        return out, upto[bounds[1:]] - upto[bounds[:-1]]

    def _block(self, cols: np.ndarray, lens: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """One block's distinct columns per row (``cols`` holds ``lens[r]`` entries for row ``r``, rows in order),
        in (row, column) order, with their TF-IDF values L2-normalised per row (the squares summed in order of
        first occurrence)."""
        bits = int(cols.max()).bit_length() if len(cols) else 0  # a row's columns below 2**bits
        rows = np.repeat(np.arange(len(lens), dtype=np.int64) << bits, lens)
        rows |= cols  # (row << bits | column), made in place
        keys, counts, order = _distinct(rows, len(lens) << bits)
        r, c = keys >> bits, keys & ((1 << bits) - 1)
        vals = _sublinear_tf(counts) * self.idf[c]
        # r[order] is r: the rows' entries come one row after the other in either order
        norms = np.sqrt(np.bincount(r, weights=(vals * vals)[order], minlength=len(lens)))
        at = norms[r]
        out: np.ndarray = vals / np.where(at > 0, at, 1.0)
        return r, c, out


def _distinct(keys: np.ndarray, bound: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct values of ``keys`` (non-negative, below ``bound``), sorted, how often each occurs, and the
    order of their first occurrences: ``np.unique(keys, return_index=True, return_counts=True)``'s values and
    counts, and the argsort of its indices. Sorted as ``key << s | position`` (a plain sort, faster than unique's
    stable argsort) when that fits in 63 bits."""
    n = len(keys)
    shift = max(n - 1, 0).bit_length()  # positions below 2**shift
    if not n or bound > (1 << 62) >> shift:
        values, first, counts = np.unique(keys, return_index=True, return_counts=True)
        return values, counts, np.argsort(first)
    s = keys << shift
    s |= np.arange(n, dtype=np.int64)
    s.sort()
    k = s >> shift
    new = np.empty(n, dtype=bool)
    new[0] = True
    np.not_equal(k[1:], k[:-1], out=new[1:])
    starts = np.flatnonzero(new)
    counts = np.diff(np.append(starts, n))
    first = s[starts] & ((1 << shift) - 1)
    # the distinct values by their first position: each written at its position, read in position order
    is_first = np.zeros(n, dtype=bool)
    is_first[first] = True
    which = np.empty(n, dtype=np.int64)
    which[first] = np.arange(len(starts), dtype=np.int64)
    return k[starts], counts, which[is_first]


@lru_cache(maxsize=1)
def _tf_table(size: int) -> np.ndarray:
    return np.array([0.0] + [1.0 + math.log1p(c - 1) for c in range(1, size)], dtype=np.float64)


def _sublinear_tf(counts: np.ndarray) -> np.ndarray:
    """``1 + log(count)`` (computed as ``math.log1p(count - 1)``, looked up for the usual small counts)."""
    if not len(counts):
        return np.zeros(0, dtype=np.float64)
    top = int(counts.max()) + 1
    table = _tf_table(max(256, 1 << (top - 1).bit_length()))
    return table[counts]


def rounded(a: np.ndarray, digits: int) -> list[list[float]]:
    """``[[round(v, digits) for v in row] for row in a.tolist()]`` for a 2-D float array, the same values: each
    scaled value rounded to the nearest integer and scaled back (the division is exact to the nearest double, as
    ``round``'s result is), and by ``round`` itself where the scaled value is within 1e-6 of a tie, where an
    array's rounding error could decide, or too large (or not finite) to scale exactly."""
    scale = 10.0**digits
    y = a * scale
    out: list[list[float]] = (np.round(y) / scale).tolist()
    with np.errstate(invalid="ignore"):
        doubt = ~(np.abs(y - np.floor(y) - 0.5) > 1e-6) | ~(np.abs(y) < 1e9)
    if doubt.any():
        src = a.tolist()
        for r, c in zip(*np.nonzero(doubt), strict=True):
            out[r][c] = round(src[r][c], digits)
    return out


def sparse_dot(rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, w: np.ndarray, n: int) -> np.ndarray:
    """``X @ w`` for the flat sparse ``X`` (``n`` rows) and dense float32 ``w`` (features × k), as a scipy CSR
    product in float32, returned as float64."""
    from scipy.sparse import csr_matrix

    x = csr_matrix((vals.astype(np.float32), (rows, cols)), shape=(n, w.shape[0]))
    return np.asarray(x @ w, dtype=np.float64)


# ------------------------------------------------------------------------------------------------- model


def decode_strings(arr: np.ndarray) -> list[str]:
    """Decode a ``\\n``-joined UTF-8 byte array (how vocabularies and names are stored: no pickle)."""
    return bytes(arr.astype(np.uint8)).decode("utf-8").split("\n") if arr.size else []


def encode_strings(items: Iterable[str]) -> np.ndarray:
    """``\\n``-join and UTF-8-encode ``items`` as a uint8 array: the inverse of :func:`decode_strings`."""
    return np.frombuffer("\n".join(items).encode("utf-8"), dtype=np.uint8).copy()


def sigmoid(z: np.ndarray) -> np.ndarray:
    """The logistic function, its input clipped to ±40."""
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40.0, 40.0)))


def ekman_member_matrix(labels: Sequence[str], groups: Sequence[str]) -> np.ndarray:
    """(labels, groups) 0/1 matrix from :data:`EKMAN_MAP` (a label outside the map belongs to no group)."""
    m = np.zeros((len(labels), len(groups)), dtype=np.float64)
    for g, members in EKMAN_MAP.items():
        if g in groups:
            for lab in members:
                if lab in labels:
                    m[labels.index(lab), groups.index(g)] = 1.0
    return m


def ekman_from_labels(p: np.ndarray, members: np.ndarray) -> np.ndarray:
    """Group scores from independent label probabilities: noisy-or, ``1 - Π(1 - p)`` over each group's members."""
    return 1.0 - np.exp(np.log1p(-np.clip(p, 0.0, 1.0 - 1e-9)) @ members)


@dataclass(slots=True)
class Scores:
    """Raw model outputs for a batch: label and Ekman probabilities (independent) and VAD."""

    labels: np.ndarray  # (n, 28)
    ekman: np.ndarray  # (n, 7), group scores in [0, 1] (head and label noisy-or mixed; not normalised)
    vad: np.ndarray  # (n, 3)


class Scorer:
    """The interface both emotion models share (:class:`EmotionModel` and the encoder mode's
    :class:`~fabula.stages.emotion_encoder.EncoderEmotionModel`): :meth:`raw` logits, :meth:`scores` (label and
    Ekman probabilities and VAD as arrays) and :meth:`predict` (JSON-able results per text).

    Subclasses set ``labels``, ``ekman_names``, ``thresholds``, ``ekman_mix`` and ``ekman_members`` and implement
    :meth:`raw`; ``predict_batch`` is how many texts :meth:`predict` scores at once."""

    labels: tuple[str, ...]
    ekman_names: tuple[str, ...]
    thresholds: np.ndarray
    ekman_mix: float
    ekman_members: np.ndarray
    predict_batch = 1024

    def raw(
        self, texts: Sequence[str], contexts: Sequence[str | None] | None = None, context_weight: float | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError

    def scores(
        self, texts: Sequence[str], contexts: Sequence[str | None] | None = None, context_weight: float | None = None
    ) -> Scores:
        """Probabilities and VAD for a batch; ``contexts`` (same length, ``None``/empty for none) mixed in."""
        cls_z, vad = self.raw(texts, contexts, context_weight)
        nl = len(self.labels)
        cls_p = sigmoid(cls_z)
        labels = cls_p[:, :nl]
        ekman = cls_p[:, nl:]
        if self.ekman_mix < 1.0:
            ekman = self.ekman_mix * ekman + (1.0 - self.ekman_mix) * ekman_from_labels(labels, self.ekman_members)
        return Scores(labels, ekman, vad)

    def predict(
        self, texts: Sequence[str], contexts: Sequence[str | None] | None = None, *, labels: bool = True
    ) -> list[dict[str, Any]]:
        """One JSON-able result per text: ``labels`` (28), ``predicted``, ``top``, ``ekman`` (7, sums to 1), ``vad``
        (with ``labels=False``, only ``top``, ``ekman`` and ``vad``: what a narrative sentence keeps)."""
        out: list[dict[str, Any]] = []
        batch = self.predict_batch
        for i in range(0, len(texts), batch):
            sc = self.scores(texts[i : i + batch], None if contexts is None else contexts[i : i + batch])
            ek = sc.ekman / np.maximum(sc.ekman.sum(axis=1, keepdims=True), 1e-12)
            tops = np.argmax(sc.labels, axis=1).tolist()
            eks, vads = rounded(ek, ROUND), rounded(sc.vad, 3)
            if not labels:
                out.extend(
                    {
                        "top": self.labels[tops[r]],
                        "ekman": dict(zip(self.ekman_names, eks[r], strict=True)),
                        "vad": vads[r],
                    }
                    for r in range(len(eks))
                )
                continue
            order = np.argsort(-sc.labels, axis=1)
            above = sc.labels >= self.thresholds
            labs = rounded(sc.labels, ROUND)
            for r in range(len(labs)):
                top = self.labels[tops[r]]
                chosen = [self.labels[j] for j in order[r].tolist() if above[r, j]]
                out.append(
                    {
                        "labels": dict(zip(self.labels, labs[r], strict=True)),
                        "predicted": chosen or [top],
                        "top": top,
                        "ekman": dict(zip(self.ekman_names, eks[r], strict=True)),
                        "vad": vads[r],
                    }
                )
        return out


class EmotionModel(Scorer):
    """The shipped linear emotion model. Use :meth:`load`; :meth:`predict` gives JSON-able results."""

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        self._last_context: tuple[str, np.ndarray] | None = None  # see _context_logits
        try:
            self.labels: tuple[str, ...] = tuple(decode_strings(arrays["labels"]))
            self.ekman_names: tuple[str, ...] = tuple(decode_strings(arrays["ekman"]))
            wv = decode_strings(arrays["word_vocab"])
            cv = decode_strings(arrays["char_vocab"])
            meta = json.loads(bytes(arrays["meta"].astype(np.uint8)).decode("utf-8"))
            self.vectorizer = Vectorizer(
                {w: i for i, w in enumerate(wv)},
                {c: i for i, c in enumerate(cv)},
                arrays["idf"].astype(np.float64),
                negation=bool(meta.get("negation", False)),
            )
            self.weights = arrays["W"].astype(np.float32)  # (features, 28 + 7 + 3)
            self.bias = arrays["b"].astype(np.float64)
            self.stack = arrays["stack"].astype(np.float64)  # (35, 3): label logits → VAD
            # (35, 3): label probabilities → VAD (absent in older files)
            self.stack_probs = (
                arrays["stack_probs"].astype(np.float64) if "stack_probs" in arrays else np.zeros_like(self.stack)
            )
            self.thresholds = arrays["thresholds"].astype(np.float64)
            self.ekman_thresholds = arrays["ekman_thresholds"].astype(np.float64)
            self.meta: dict[str, Any] = meta
        except (KeyError, ValueError) as exc:
            raise ModelError(f"emotion model file is incomplete: {exc}") from exc
        nl, ne = len(self.labels), len(self.ekman_names)
        if (
            self.weights.shape != (self.vectorizer.size, nl + ne + 3)
            or self.stack.shape != (nl + ne, 3)
            or self.stack_probs.shape != (nl + ne, 3)
        ):
            raise ModelError("emotion model arrays have inconsistent shapes")
        self.context_weight: float = float(self.meta.get("context_weight", 0.0))
        #: weight of the Ekman head in the Ekman score (the rest: noisy-or of the 28 label probabilities)
        self.ekman_mix: float = float(self.meta.get("ekman_mix", 1.0))
        self.ekman_members = ekman_member_matrix(self.labels, self.ekman_names)

    @classmethod
    def load(cls) -> EmotionModel:
        """The shipped model, loaded once per process (from package data)."""
        return _load_shipped()

    @classmethod
    def from_file(cls, path: Any) -> EmotionModel:
        try:
            with np.load(path, allow_pickle=False) as z:
                arrays = {k: z[k] for k in z.files}
        except (OSError, ValueError) as exc:
            raise ModelError(f"cannot read emotion model {path}: {exc}") from exc
        return cls(arrays)

    # -- raw scores

    def _context_logits(self, contexts: Sequence[str]) -> np.ndarray:
        """:meth:`logits` of ``contexts``, each distinct context scored once. Quotations of one paragraph share
        their context, so a long paragraph is scored once, not once per quotation; the last context is kept for
        the next batch. Each row depends only on its own text, so the result is exactly :meth:`logits`'s."""
        uniq: dict[str, int] = {}
        rows = [uniq.setdefault(c, len(uniq)) for c in contexts]
        keys = list(uniq)
        memo = self._last_context
        if memo is not None and keys[0] == memo[0]:
            z = np.vstack([memo[1][None, :], self.logits(keys[1:])]) if len(keys) > 1 else memo[1][None, :]
        else:
            z = self.logits(keys)
        self._last_context = (keys[-1], z[-1].copy())
        return z[rows]

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        """Linear scores without bias, (n, 38): 28 label logits, 7 Ekman logits, 3 VAD parts."""
        rows, cols, vals = self.vectorizer.transform(texts)
        return sparse_dot(rows, cols, vals, self.weights, len(texts))

    def raw(
        self, texts: Sequence[str], contexts: Sequence[str | None] | None = None, context_weight: float | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Label and Ekman logits with bias, (n, 35), and VAD (n, 3, clipped to 1–5); contexts as in :meth:`scores`."""
        z = self.logits(texts)
        if contexts is not None:
            if len(contexts) != len(texts):
                raise ValueError("contexts must be as long as texts")
            w = self.context_weight if context_weight is None else context_weight
            idx = [i for i, c in enumerate(contexts) if c and c.strip()]
            if idx and w > 0:
                z[idx] = (1.0 - w) * z[idx] + w * self._context_logits([contexts[i] or "" for i in idx])
        z = z + self.bias
        nl, ne = len(self.labels), len(self.ekman_names)
        cls_z = z[:, : nl + ne]
        vad = z[:, nl + ne :] + cls_z @ self.stack + sigmoid(cls_z) @ self.stack_probs
        return cls_z, np.clip(vad, 1.0, 5.0)

@lru_cache(maxsize=1)
def _load_shipped() -> EmotionModel:
    ref = resources.files("fabula.models.emotion").joinpath(MODEL_FILE)
    if not ref.is_file():
        raise ModelError(f"the emotion model {MODEL_FILE} is not installed (train it: python -m fabula.training.emotion)")
    with resources.as_file(ref) as path:
        return EmotionModel.from_file(path)


# ------------------------------------------------------------------------------------------------- stage


def _overlaps(a: int, b: int, spans: Sequence[tuple[int, int]], ends: Sequence[int]) -> bool:
    """Whether ``[a, b)`` overlaps one of ``spans`` (sorted, non-nested; ``ends`` their end offsets)."""
    i = bisect_right(ends, a)
    return i < len(spans) and spans[i][0] < b


def quote_text(story: Story, q: Quote) -> str:
    """The words of a quotation: its sub-spans joined by a space (the tags between them left out)."""
    return " ".join(story.text[a:b].strip() for a, b in q.spans)


def _outer(q: Quote) -> tuple[int, int]:
    return q.outer if q.outer is not None else (q.start, q.end)


_MARKS = re.compile(r"[\"“”„«»‹›]|(?<!\w)['‘’]|['‘’](?!\w)")


def quote_context(
    story: Story,
    q: Quote,
    spans: Sequence[tuple[int, int]],
    span_ends: Sequence[int] | None = None,
    para_starts: Sequence[int] | None = None,
) -> str:
    """The narration of the quotation's paragraph with the words of every quotation (``spans``: all quote
    sub-spans) and the quote marks removed: tags and gestures ("she whispered, tears pouring down her face")."""
    if span_ends is None:
        span_ends = list(accumulate((e for _, e in spans), max))
    if para_starts is None:
        para_starts = [p.start for p in story.paragraphs]
    a, b = _outer(q)
    pi = bisect_right(para_starts, a) - 1
    para = story.paragraphs[pi] if pi >= 0 and a < story.paragraphs[pi].end else None
    lo, hi = (para.start, max(para.end, b)) if para is not None else (max(0, a - 200), min(len(story.text), b + 200))
    parts: list[str] = []
    pos = lo
    for s, e in spans[bisect_left(span_ends, lo + 1) :]:
        if s >= hi:
            break
        if e <= lo:
            continue
        if s > pos:
            parts.append(story.text[pos:s])
        pos = max(pos, e)
    if pos < hi:
        parts.append(story.text[pos:hi])
    return " ".join(_MARKS.sub(" ", " ".join(parts)).split())


def _contexts(
    story: Story,
    quotes: Sequence[Quote],
    spans: Sequence[tuple[int, int]],
    span_ends: Sequence[int],
    para_starts: Sequence[int],
) -> list[str]:
    """:func:`quote_context` of each of ``quotes``, built once per paragraph: the quotations of one paragraph get
    the same string (a long paragraph is not rebuilt, nor rescored, per quotation)."""
    built: dict[tuple[int, int], str] = {}
    out = []
    for q in quotes:
        a, b = _outer(q)
        pi = bisect_right(para_starts, a) - 1
        inside = pi >= 0 and a < story.paragraphs[pi].end  # as in quote_context: (lo, hi) decide the context
        key = (pi, max(story.paragraphs[pi].end, b)) if inside else (-1 - a, b)
        ctx = built.get(key)
        if ctx is None:
            ctx = built[key] = quote_context(story, q, spans, span_ends, para_starts)
        out.append(ctx)
    return out


def _disjoint(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sort and merge overlapping spans so that end offsets are increasing."""
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def narrative_sentences(story: Story) -> list[tuple[int, int]]:
    """Sentences outside utterances (outer spans, marks included) and outside non-story blocks. A quotation nobody
    says (:attr:`Quote.said` false: a quoted word, a letter, verse, speech only reported) gets no emotion of its
    own, so its sentences are scored as the text the reader reads: a chapter of letters still has an arc."""
    outers = _disjoint(_outer(q) for q in story.quotes if q.said)
    blocks = _disjoint((n.start, n.end) for n in story.nonstory)
    outer_ends, block_ends = [e for _, e in outers], [e for _, e in blocks]
    out = []
    for s in story.sentences:
        if _overlaps(s.start, s.end, outers, outer_ends) or _overlaps(s.start, s.end, blocks, block_ends):
            continue
        if story.text[s.start : s.end].strip():
            out.append((s.start, s.end))
    return out


#: Emotion modes: the n-gram model (default, fast) and the optional MiniLM encoder mode (needs torch).
MODES = ("ngram", "encoder")


def check_mode(mode: str = "ngram") -> str:
    """``mode`` if it is one of :data:`MODES`, else :class:`UsageError`; for ``"encoder"`` its dependencies are
    checked too (:class:`ModelError` with the install hint when torch is missing). The stage's ``check`` hook."""
    if mode not in MODES:
        raise UsageError(f"unknown emotion mode {mode!r} (choose from {', '.join(MODES)})")
    if mode == "encoder":
        from fabula.stages.emotion_encoder import require_encoder

        require_encoder()
    return mode


def load_model(mode: str = "ngram") -> Any:
    """The shipped model of ``mode`` (loaded once per process): :class:`EmotionModel` or, for ``"encoder"``,
    :class:`~fabula.stages.emotion_encoder.EncoderEmotionModel` (raises :class:`ModelError` with the install hint
    when torch is missing; torch is imported only here, when asked for)."""
    if check_mode(mode) == "ngram":
        return EmotionModel.load()
    from fabula.stages.emotion_encoder import EncoderEmotionModel

    return EncoderEmotionModel.load()


def run(story: Story, *, mode: str = "ngram") -> None:
    """Set ``quote.emotion`` for each quotation someone says (:attr:`Quote.said`: a mention, a written text or
    verse gets none) and ``story.sentence_emotions`` for narrative sentences, with the model of ``mode``
    (:data:`MODES`; the stage option ``{"emotion": {"mode": "encoder"}}``)."""
    model = load_model(mode)
    said = [q for q in story.quotes if q.said]
    for q in story.quotes:
        q.emotion = None
    if said:
        spans = sorted(sp for q in story.quotes for sp in q.spans)
        span_ends = list(accumulate((e for _, e in spans), max))
        para_starts = [p.start for p in story.paragraphs]
        texts = [quote_text(story, q) for q in said]
        contexts = _contexts(story, said, spans, span_ends, para_starts)
        for q, res in zip(said, model.predict(texts, contexts), strict=True):
            q.emotion = Emotion.from_dict(res)
    sents = narrative_sentences(story)
    results = model.predict([story.text[a:b] for a, b in sents], labels=False) if sents else []
    story.sentence_emotions = [
        EmotionSpan(a, b, ekman=r["ekman"], vad=(r["vad"][0], r["vad"][1], r["vad"][2]), top=r["top"])
        for (a, b), r in zip(sents, results, strict=True)
    ]
    log.debug("emotion (%s): %d quotations, %d narrative sentences", mode, len(said), len(sents))


STAGE = Stage(
    "emotion",
    run,
    reads=("text", "nonstory", "paragraphs", "sentences", "quotes"),
    writes=("quotes.emotion", "sentence_emotions"),
    check=check_mode,
)
