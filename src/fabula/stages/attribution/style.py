"""Speaker idiolects: each speaker's words, from the quotations the rules pin on them."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

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
        prof: dict[str, Counter[str]] = {}
        for k, x in enumerate(att.qs):
            c = self.words[k]
            if owners is not None:
                own = owners[k]
            else:
                own = x.speaker if x.rule in ("tag_name", "tag_narrator") and x.speaker else None
            self.owner.append(own)
            if own:
                prof.setdefault(own, Counter()).update(c)
        self.bg = bg
        self.bg_total = sum(bg.values()) + self.SMOOTH * (len(bg) + 1)
        self.prof = {k: v for k, v in prof.items() if sum(v.values()) >= self.MIN_WORDS}
        self.totals = {k: sum(v.values()) for k, v in self.prof.items()}
        self.sizes = [sum(c.values()) for c in self.words]
        self._pb: dict[str, float] = {}  # background probability per word, computed once
        self._logs: dict[str, dict[str, float]] = {}  # per speaker, each word's log-ratio (not left out), once

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
            for w, k in words.items():
                pb = self._background(w)
                pw = (p[w] - k + self.MU * pb) / (total + self.MU)
                acc += k * math.log(pw / pb)
            return acc / n
        logs = self._logs.setdefault(cid, {})
        for w, k in words.items():
            t = logs.get(w)
            if t is None:
                pb = self._background(w)
                t = logs[w] = math.log((p[w] + self.MU * pb) / (total + self.MU) / pb)
            acc += k * t
        return acc / n


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
