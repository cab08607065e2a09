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
        self.words: list[Counter[str]] = []
        self.owner: list[str | None] = []
        bg: Counter[str] = Counter()
        prof: dict[str, Counter[str]] = {}
        for k, x in enumerate(att.qs):
            c = Counter(w.lower() for a, b in x.quote.spans for w in WORDS.findall(att.text, a, b))
            self.words.append(c)
            bg.update(c)
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
        for w, k in words.items():
            pb = self._background(w)
            pw = (p[w] - (k if own else 0) + self.MU * pb) / (total + self.MU)
            acc += k * math.log(pw / pb)
        return acc / n
