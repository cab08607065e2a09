"""Speaker idiolects: each speaker's words, from the quotations the rules pin on them."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from itertools import chain
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from fabula.stages.attribution.state import AttributionState

WORDS = re.compile(r"\w+")


class Style:
    """Each speaker's words, from the quotations the rules pin on them (a named or ``I`` tag); a quotation is
    scored against a speaker by the mean log-ratio of its words under their profile versus all dialogue. A
    quotation that built a profile is left out of it when scored (so the ranker learns honest weights)."""

    SMOOTH = 0.5
    MU = 500.0
    MIN_WORDS = 40

    def __init__(self, att: AttributionState, owners: Sequence[str | None] | None = None) -> None:
        """Profiles from the tagged quotations, or from ``owners`` (one speaker or None per quotation) when given."""
        self.words, bg = _quote_words(att)
        self.owner: list[str | None] = []
        said: dict[str, list[Counter[str]]] = {}  # each owner's quotations' words
        for k, x in enumerate(att.qs):
            if owners is not None:
                own = owners[k]
            else:
                own = x.speaker if x.rule in ("tag_name", "tag_narrator") and x.speaker else None
            self.owner.append(own)
            if own:
                said.setdefault(own, []).append(self.words[k])
        # each profile counted in one pass over its quotations' words (the same counts, keys in the same order
        # as updating one Counter quotation by quotation)
        prof = {own: Counter(chain.from_iterable(map(Counter.elements, cs))) for own, cs in said.items()}
        self.bg = bg
        self.bg_total = sum(bg.values()) + self.SMOOTH * (len(bg) + 1)
        self.prof = {k: v for k, v in prof.items() if sum(v.values()) >= self.MIN_WORDS}
        self.totals = {k: sum(v.values()) for k, v in self.prof.items()}
        self.sizes = [sum(c.values()) for c in self.words]
        self._vocab = _vocabulary(att)
        #: background probability per word, computed once per story (every Style of it has the same background)
        self._pb: dict[str, float] = self._vocab.backgrounds
        self._logs: dict[str, dict[str, float]] = {}  # per speaker, each word's log-ratio (not left out), once
        self._table: np.ndarray | None = None  # see _log_table

    def _background(self, w: str) -> float:
        pb = self._pb.get(w)
        if pb is None:
            pb = self._pb[w] = (self.bg[w] + self.SMOOTH) / self.bg_total
        return pb

    def score(self, i: int, cid: str) -> float | None:
        """Mean log-ratio of quotation ``i``'s words under ``cid``'s profile versus all dialogue, or None."""
        p = self.prof.get(cid)
        if p is None:
            return None
        words = self.words[i]
        own = self.owner[i] == cid
        n = self.sizes[i]
        total = self.totals[cid] - (n if own else 0)
        if total < self.MIN_WORDS or not n:
            return None
        acc = 0.0
        if own:
            pbs, mu, log = self._pb, self.MU, math.log
            den = total + mu
            for w, k in words.items():
                pb = pbs.get(w)
                if pb is None:
                    pb = self._background(w)
                acc += k * log((p[w] - k + mu * pb) / den / pb)
            return acc / n
        logs = self._logs.setdefault(cid, {})
        for w, k in words.items():
            t = logs.get(w)
            if t is None:
                pb = self._background(w)
                t = logs[w] = math.log((p[w] + self.MU * pb) / (total + self.MU) / pb)
            acc += k * t
        return acc / n

    def score_all(self, items: Sequence[tuple[int, Sequence[str]]]) -> list[list[float | None]]:
        """:meth:`score` of each quotation ``i`` for each of its candidates, for every ``(i, candidates)`` of
        ``items``: the same values. A quotation scored against a profile it is not part of is scored with the
        others of its length together (each row's terms summed in its words' order by a running sum, as ``score``
        adds them); against its own profile, by ``score``."""
        out: list[list[float | None]] = []
        qi: list[int] = []  # the batch: quotation, profile (row of the log table), and where the score goes
        rows: list[int] = []
        at: list[tuple[int, int]] = []
        index = {c: r for r, c in enumerate(self.prof)}
        for k, (i, cands) in enumerate(items):
            n, own = self.sizes[i], self.owner[i]
            vals: list[float | None] = [None] * len(cands)
            for j, c in enumerate(cands):
                r = index.get(c)
                if r is None or not n:
                    continue
                if c == own:
                    vals[j] = self.score(i, c)
                elif self.totals[c] >= self.MIN_WORDS:
                    qi.append(i)
                    rows.append(r)
                    at.append((k, j))
            out.append(vals)
        if qi:
            for (k, j), v in zip(at, self._batch(np.array(qi), np.array(rows)), strict=True):
                out[k][j] = v
        return out

    def _batch(self, qi: np.ndarray, rows: np.ndarray) -> list[float]:
        """The scores of quotations ``qi`` against the profiles at ``rows`` (none of them their own)."""
        voc = self._vocab
        if self._table is None:
            self._table = self._log_table()
        table = self._table
        lens = voc.lens[qi]
        res = np.empty(len(qi))
        order = np.argsort(lens, kind="stable")
        cuts = np.flatnonzero(np.diff(lens[order])) + 1
        for grp in np.split(order, cuts):
            m = int(lens[grp[0]])
            at = voc.offsets[qi[grp]][:, None] + np.arange(m)
            terms = table[rows[grp][:, None], voc.flat_ids[at]] * voc.flat_counts[at]
            res[grp] = np.cumsum(terms, axis=1)[:, -1] / voc.sizes[qi[grp]]
        out: list[float] = res.tolist()
        return out

    def _log_table(self) -> np.ndarray:
        """Each profile's log-ratio of every dialogue word (its row), as :meth:`score` works it out when the
        quotation is not left out; for a word the speaker never says it depends on the word's background count
        alone."""
        voc = self._vocab
        pbs = [(b + self.SMOOTH) / self.bg_total for b in voc.bg_values]
        table = np.empty((len(self.prof), len(voc.ids)))
        for r, (c, p) in enumerate(self.prof.items()):
            total = self.totals[c]
            table[r] = np.array([math.log((0 + self.MU * pb) / (total + self.MU) / pb) for pb in pbs])[voc.bg_codes]
            for w, k in p.items():
                pb = self._background(w)
                table[r, voc.ids[w]] = math.log((k + self.MU * pb) / (total + self.MU) / pb)
        return table


class Vocabulary:
    """The dialogue's words numbered (in the order first said); every quotation's words' numbers and counts, in
    its words' order, one quotation after the other (``flat_ids``, ``flat_counts``: quotation ``i``'s are at
    ``offsets[i]``, ``lens[i]`` of them; ``sizes[i]`` words in all); the words' background counts as distinct
    values and each word's index among them."""

    def __init__(self, words: Sequence[Counter[str]], bg: Counter[str]) -> None:
        self.source = words
        self.backgrounds: dict[str, float] = {}  # see Style._background
        self.ids: dict[str, int] = {w: k for k, w in enumerate(bg)}
        ids = self.ids
        self.flat_ids = np.array([ids[w] for c in words for w in c], dtype=np.intp)
        self.flat_counts = np.array([k for c in words for k in c.values()], dtype=float)
        self.lens = np.array([len(c) for c in words], dtype=np.intp)
        self.offsets = np.cumsum(self.lens) - self.lens
        self.sizes = np.array([sum(c.values()) for c in words], dtype=np.int64)
        values, codes = np.unique(np.array(list(bg.values()), dtype=np.int64), return_inverse=True)
        self.bg_values: list[int] = values.tolist()
        self.bg_codes: np.ndarray = codes.reshape(-1)


def _vocabulary(att: AttributionState) -> Vocabulary:
    """The story's :class:`Vocabulary` (the same for every Style of it: built once, kept on ``att``)."""
    words, bg = _quote_words(att)
    hit = att.quote_vocab
    if hit is None or hit.source is not words:
        hit = att.quote_vocab = Vocabulary(words, bg)
    return hit


def _quote_words(att: AttributionState) -> tuple[list[Counter[str]], Counter[str]]:
    """Each quotation's words (lower-cased, counted) and all of them together: the same for every Style of the
    story, so counted once (kept on ``att``; shared, never changed)."""
    hit = att.quote_words
    if hit is not None and len(hit[0]) == len(att.qs):
        return hit
    words: list[Counter[str]] = []
    bg: Counter[str] = Counter()
    for x in att.qs:
        c = Counter(w.lower() for a, b in x.quote.spans for w in WORDS.findall(att.text, a, b))
        words.append(c)
        bg.update(c)
    att.quote_words = (words, bg)
    return words, bg
