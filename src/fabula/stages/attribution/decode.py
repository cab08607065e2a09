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


#: A node of a decode path: (candidate index at its turn, parent, depth = turn + 1, jump pointer).
_Node = tuple[int, "_Node | None", int, "_Node | None"]


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
    # the previous quotation in another paragraph (j1), and the one before that in yet another paragraph (j2):
    # walking back over a quotation in this paragraph or later jumps to its own j1 (one paragraph of thousands of
    # quotations is not walked back whole for each)
    j1s: list[int] = []
    for t, x in enumerate(turns):
        j1 = t - 1
        while j1 >= 0 and turns[j1].last_para >= x.para:
            j1 = j1s[j1] if turns[j1].para >= x.para else j1 - 1
        j1s.append(j1)
    j2s = [j1s[j1] if j1 >= 0 else -1 for j1 in j1s]
    # each state's path is a chain of nodes (candidate index, parent, depth, jump) with jump pointers: the pick
    # at any earlier turn is found in logarithmic time, and no path is copied per turn
    root: _Node = (-1, None, 0, None)
    states: list[tuple[float, _Node]] = [(0.0, root)]
    for t, x in enumerate(turns):
        if not x.cands:
            states = [(s, _child(node, -1)) for s, node in states]
            continue
        if x.fixed is not None:
            options = [x.fixed]
        else:
            options = sorted(range(len(x.cands)), key=lambda k: -x.logp[k])[:top]
        j1, j2 = j1s[t], j2s[t]
        same = t - 1 if t > 0 and turns[t - 1].last_para >= x.para else -1
        nxt: list[tuple[float, _Node]] = []
        for s, node in states:
            s1 = _pick(turns, node, j1)
            s2 = _pick(turns, node, j2)
            s0 = _pick(turns, node, same)
            for k in options:
                c = x.cands[k]
                sc = s + x.logp[k]
                if s1 is not None and c != s1:
                    sc += w_alt
                if s2 is not None and c == s2 and c != s1:
                    sc += w_abab
                if s0 is not None and c == s0:
                    sc += w_same
                nxt.append((sc, _child(node, k)))
        nxt.sort(key=lambda z: -z[0])
        states = nxt[:beam]
    if not n or not states:
        return []
    best: list[int] = []
    at: _Node | None = states[0][1]
    while at is not None and at[2] > 0:
        best.append(at[0])
        at = at[1]
    best.reverse()
    return [max(k, 0) if turns[t].cands else -1 for t, k in enumerate(best)]


def _child(parent: _Node, k: int) -> _Node:
    """The node after ``parent`` picking ``k``, with its jump pointer (Myers' skew-binary level ancestors)."""
    jump = parent[3]
    far = jump[3] if jump is not None else None
    if jump is not None and far is not None and parent[2] - jump[2] == jump[2] - far[2]:
        return (k, parent, parent[2] + 1, far)
    return (k, parent, parent[2] + 1, parent)


def _pick(turns: Sequence[Turn], node: _Node, t: int) -> str | None:
    """The candidate the path ending at ``node`` picked at turn ``t`` (None for no turn or no pick)."""
    if t < 0:
        return None
    depth = t + 1
    cur: _Node | None = node
    while cur is not None and cur[2] > depth:
        jump = cur[3]
        cur = jump if jump is not None and jump[2] >= depth else cur[1]
    k = cur[0] if cur is not None else -1
    return turns[t].cands[k] if k >= 0 else None


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
