"""The conversation decode: a joint choice of speakers over one conversation's quotations, from the ranker's
log-probabilities plus rewards for alternating turns (A-B-A) and for one speaker per paragraph."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fabula.stages.attribution.state import AttributionState

#: Names of the transition weights of the conversation decode (``model["decode"]``), in order.
DECODE_WEIGHTS = ("alternate", "abab", "same_para")


@dataclass(slots=True)
class Turn:
    """One quotation for the conversation decode: its paragraphs, candidates, their log-probabilities, and the
    index of a candidate it is fixed to (a named or narrator tag), if any."""

    para: int
    last_para: int
    cands: list[str]
    logp: list[float]
    fixed: int | None = None


def decode_conversation(
    turns: Sequence[Turn], weights: Sequence[float], beam: int = 6, top: int = 4
) -> list[int]:
    """Joint speaker choice over one conversation: beam search maximising the sum of the ranker's
    log-probabilities plus transition rewards: ``alternate`` when a turn (a new paragraph) changes speaker from
    the turn before, ``abab`` when it goes back to the speaker two turns before (A-B-A), ``same_para`` when a
    quotation keeps the speaker of the quotation before it in the same paragraph. Fixed turns only allow their
    candidate, so they anchor the chain. Returns one candidate index per turn."""
    w_alt, w_abab, w_same = (float(w) for w in weights)
    n = len(turns)
    # the previous quotation in another paragraph (j1), and the one before that in yet another paragraph (j2)
    j1s: list[int] = []
    j2s: list[int] = []
    for t, x in enumerate(turns):
        j1 = t - 1
        while j1 >= 0 and turns[j1].last_para >= x.para:
            j1 -= 1
        j2 = j1 - 1
        while j2 >= 0 and j1 >= 0 and turns[j2].last_para >= turns[j1].para:
            j2 -= 1
        j1s.append(j1)
        j2s.append(j2 if j1 >= 0 else -1)
    states: list[tuple[float, list[int]]] = [(0.0, [])]
    for t, x in enumerate(turns):
        if not x.cands:
            states = [(s, [*p, -1]) for s, p in states]
            continue
        if x.fixed is not None:
            options = [x.fixed]
        else:
            options = sorted(range(len(x.cands)), key=lambda k: -x.logp[k])[:top]
        j1, j2 = j1s[t], j2s[t]
        same = t - 1 if t > 0 and turns[t - 1].last_para >= x.para else -1
        nxt: list[tuple[float, list[int]]] = []
        for s, path in states:
            s1 = turns[j1].cands[path[j1]] if j1 >= 0 and path[j1] >= 0 else None
            s2 = turns[j2].cands[path[j2]] if j2 >= 0 and path[j2] >= 0 else None
            s0 = turns[same].cands[path[same]] if same >= 0 and path[same] >= 0 else None
            for k in options:
                c = x.cands[k]
                sc = s + x.logp[k]
                if s1 is not None and c != s1:
                    sc += w_alt
                if s2 is not None and c == s2 and c != s1:
                    sc += w_abab
                if s0 is not None and c == s0:
                    sc += w_same
                nxt.append((sc, [*path, k]))
        nxt.sort(key=lambda z: -z[0])
        states = nxt[:beam]
    best = states[0][1] if states else []
    return [max(k, 0) if turns[t].cands else -1 for t, k in enumerate(best)] if n else []


def log_softmax(scores: Sequence[float]) -> list[float]:
    """Log-probabilities of a softmax over ``scores``."""
    mx = max(scores)
    z = mx + math.log(sum(math.exp(s - mx) for s in scores))
    return [s - z for s in scores]


def conversations(st: AttributionState, idx: Sequence[int]) -> list[list[int]]:
    """The quotation indices ``idx`` (sorted) grouped by conversation."""
    out: list[list[int]] = []
    seen_lo = -1
    for i in idx:
        lo, _ = st.conversation(i)
        if out and lo == seen_lo:
            out[-1].append(i)
        else:
            out.append([i])
            seen_lo = lo
    return out
