"""Emotion arcs: valence and Ekman groups over narrative time, for the story, chapters, scenes and characters.

A *point* is one scored unit (a quotation or a narrative sentence) in text order. Its valence is EmoBank's 1–5
valence mapped to [-1, 1]. Each arc is smoothed two ways:

* ``dct``: Syuzhet's ``get_dct_transform`` (DCT-II of the series, keep the first ``low_pass_size``
  coefficients, zero-pad to ``x_reverse_len``, inverse DCT, rescale to [-1, 1]); points are equally spaced in
  index time as in Syuzhet. ``dct_level`` is the same curve on the valence scale (not rescaled).
* ``rolling``: a centred rolling mean over ~10% of the points (Syuzhet's ``simple_plot`` window).

The shape is the best of Reagan et al.'s six by Pearson correlation with cosine templates (which are DCT basis
functions 1–3, so the classification reads the low-order coefficients). Peaks and the turning point are mapped
back to the nearest point, i.e. to a quotation or sentence span.
"""

from __future__ import annotations

import bisect
import math
import operator
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from typing import Any, TypeVar

import numpy as np

from fabula.pipeline import Stage
from fabula.story import (
    Arc,
    ArcParams,
    ArcPeak,
    ArcPeaks,
    Arcs,
    ArcShape,
    ArcTurn,
    ChapterArc,
    CharacterArc,
    Quote,
    SceneArc,
    Story,
    StoryArc,
)

EKMAN = ("anger", "disgust", "fear", "joy", "sadness", "surprise", "neutral")
LOW_PASS_SIZE = 5
X_REVERSE_LEN = 100
MIN_SHAPE_POINTS = 3
SHAPE_DIGITS = 4  # shape correlations are compared at this precision (ties go to the first in SHAPES)

ArcT = TypeVar("ArcT", bound=Arc)

# Reagan et al.'s six shapes as cosine templates on t in (0, 1): ± DCT basis 1, 2, 3.
SHAPES: tuple[tuple[str, int, int], ...] = (
    ("rise", 1, -1),
    ("fall", 1, 1),
    ("fall-rise", 2, 1),
    ("rise-fall", 2, -1),
    ("rise-fall-rise", 3, -1),
    ("fall-rise-fall", 3, 1),
)


@dataclass(slots=True)
class Point:
    """One scored unit in text order."""

    start: int
    end: int
    valence: float  # [-1, 1]
    ekman: dict[str, float]
    quote: int | None = None  # quote id, None for a narrative sentence
    speaker: str | None = None


# --------------------------------------------------------------------------------------------------- maths


def _dct2_coeffs(x: np.ndarray, k: int) -> np.ndarray:
    """First ``k`` unnormalised DCT-II coefficients ``y_j = 2 Σ x_n cos(π j (2n+1) / 2N)`` (scipy's)."""
    n = len(x)
    j = np.arange(k)[:, None]
    idx = np.arange(n)[None, :]
    basis = np.cos(np.pi * j * (2 * idx + 1) / (2 * n))
    return 2.0 * (basis @ x)


def _idct2(coeffs: np.ndarray, m: int) -> np.ndarray:
    """Inverse of the unnormalised DCT-II on ``m`` points, from (zero-padded) leading coefficients."""
    k = len(coeffs)
    idx = np.arange(m)[:, None]
    j = np.arange(1, k)[None, :]
    basis = np.cos(np.pi * j * (2 * idx + 1) / (2 * m))
    return (coeffs[0] + 2.0 * (basis @ coeffs[1:])) / (2 * m)


def rescale(x: np.ndarray) -> np.ndarray:
    """Syuzhet's ``rescale``: ``2 (x - min) / (max - min) - 1``; a flat curve maps to zeros."""
    lo, hi = float(np.min(x)), float(np.max(x))
    if hi - lo < 1e-12:
        return np.zeros_like(x)
    return 2.0 * (x - lo) / (hi - lo) - 1.0


def dct_transform(
    values: Sequence[float] | np.ndarray,
    low_pass_size: int = LOW_PASS_SIZE,
    x_reverse_len: int = X_REVERSE_LEN,
    scale_range: bool = True,
) -> np.ndarray:
    """Syuzhet's ``get_dct_transform``.

    Unlike Syuzhet, a series shorter than ``low_pass_size`` keeps all its coefficients instead of failing.
    With ``scale_range=False`` the output is Syuzhet's unscaled curve (its amplitude shrinks by
    ``N / x_reverse_len``).
    """
    x = np.asarray(values, dtype=float)
    if x.size == 0:
        return np.zeros(0)
    k = max(1, min(low_pass_size, x.size, x_reverse_len))
    out = _idct2(_dct2_coeffs(x, k), x_reverse_len)
    return rescale(out) if scale_range else out


def dct_level(values: Sequence[float] | np.ndarray, low_pass_size: int = LOW_PASS_SIZE,
              x_reverse_len: int = X_REVERSE_LEN) -> np.ndarray:
    """The DCT low-pass curve on the scale of the input (Syuzhet's curve times ``x_reverse_len / N``)."""
    x = np.asarray(values, dtype=float)
    if x.size == 0:
        return np.zeros(0)
    return dct_transform(x, low_pass_size, x_reverse_len, scale_range=False) * (x_reverse_len / x.size)


def rolling_mean(values: Sequence[float] | np.ndarray, window: int | None = None) -> np.ndarray:
    """Centred rolling mean, same length as the input; windows shrink at the ends. Default window 10% of N."""
    x = np.asarray(values, dtype=float)
    n = x.size
    if n == 0:
        return x
    w = window if window is not None else max(1, round(n * 0.1))
    w = max(1, min(w, n))
    half_lo = (w - 1) // 2
    half_hi = w - 1 - half_lo
    csum = np.concatenate(([0.0], np.cumsum(x)))
    i = np.arange(n)
    lo = np.clip(i - half_lo, 0, n)
    hi = np.clip(i + half_hi + 1, 0, n)
    return (csum[hi] - csum[lo]) / (hi - lo)


def template(name: str, m: int = X_REVERSE_LEN) -> np.ndarray:
    """The cosine template of one of the six shapes on the DCT grid ``t = (i + 0.5) / m``."""
    for shape, k, sign in SHAPES:
        if shape == name:
            t = (np.arange(m) + 0.5) / m
            return sign * np.cos(np.pi * k * t)
    raise ValueError(f"unknown shape {name!r}")


def classify_shape(curve: Sequence[float] | np.ndarray) -> ArcShape:
    """Best of Reagan et al.'s six shapes by Pearson correlation (compared at ``SHAPE_DIGITS`` places)."""
    y = np.asarray(curve, dtype=float)
    if y.size < 3 or float(np.std(y)) < 1e-12:
        return ArcShape(None, 0.0, {s: 0.0 for s, _, _ in SHAPES})
    yc = y - y.mean()
    scores: dict[str, float] = {}
    for shape, _, _ in SHAPES:
        tc = template(shape, y.size)
        tc = tc - tc.mean()
        r = float(yc @ tc / (np.linalg.norm(yc) * np.linalg.norm(tc)))
        scores[shape] = max(-1.0, min(1.0, r))  # rounding error can take |r| a hair over 1
    best = max(scores, key=lambda s: round(scores[s], SHAPE_DIGITS))
    return ArcShape(best, scores[best], scores)


# --------------------------------------------------------------------------------------------------- points


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _valence(vad: Any) -> float | None:
    try:
        v = float(vad[0])
    except (TypeError, IndexError, ValueError, KeyError):
        return None
    if math.isnan(v):
        return None
    return max(-1.0, min(1.0, (v - 3.0) / 2.0))


def _ekman(raw: Any) -> dict[str, float]:
    out: dict[str, float] = {}
    if isinstance(raw, dict):
        for g in EKMAN:
            try:
                out[g] = float(raw.get(g, 0.0) or 0.0)
            except (TypeError, ValueError):
                out[g] = 0.0
    else:
        out = {g: 0.0 for g in EKMAN}
    return out


def quote_point(q: Quote) -> Point | None:
    """A point for a quotation with an emotion layer, else None."""
    emo = q.emotion
    if not emo:
        return None
    v = _valence(emo.vad)
    if v is None:
        return None
    return Point(q.start, q.end, v, _ekman(emo.ekman), quote=q.id, speaker=q.speaker)


def collect_points(story: Story) -> list[Point]:
    """Quotes and narrative sentences with emotion, in text order (sentences mostly in a quote dropped)."""
    qpoints = [p for p in (quote_point(q) for q in story.quotes) if p is not None]
    qspans = sorted((s, e) for q in story.quotes if q.said for s, e in q.spans)
    qstarts = [s for s, _ in qspans]
    spoints: list[Point] = []
    for se in getattr(story, "sentence_emotions", None) or []:
        start, end = _get(se, "start"), _get(se, "end")
        if start is None or end is None or end <= start:
            continue
        v = _valence(_get(se, "vad"))
        if v is None:
            continue
        # Drop a sentence whose span is mostly quotation (the quote already stands for it).
        covered = 0
        i = max(0, bisect.bisect_right(qstarts, start) - 1)
        while i < len(qspans) and qspans[i][0] < end:
            s, e = qspans[i]
            covered += max(0, min(e, end) - max(s, start))
            i += 1
        if covered * 2 > end - start:
            continue
        spoints.append(Point(int(start), int(end), v, _ekman(_get(se, "ekman"))))
    pts = qpoints + spoints
    pts.sort(key=lambda p: (p.start, p.end))
    return pts


# --------------------------------------------------------------------------------------------------- arcs


def _floats(xs: Iterable[float]) -> list[float]:
    if isinstance(xs, np.ndarray) and xs.ndim == 1 and xs.dtype == np.float64:
        out: list[float] = xs.tolist()  # the same floats, at once
        return out
    return [float(x) for x in xs]


def _grid_to_point(i: int, n: int, m: int) -> int:
    """Index of the point nearest to DCT grid position ``i`` of ``m`` (both grids centred on their cells)."""
    return int(min(n - 1, max(0, round((i + 0.5) * n / m - 0.5))))


def _mark(level: np.ndarray, i: int, points: Sequence[Point], text_len: int, x_reverse_len: int) -> dict[str, Any]:
    """Value and place of grid position ``i`` of the curve, and the span of the point nearest to it."""
    p = points[_grid_to_point(i, len(points), x_reverse_len)]
    return {
        "value": float(level[i]),
        "at": (i + 0.5) / x_reverse_len,
        "offset": int(p.start),
        "end": int(p.end),
        "quote": p.quote,
        "x": p.start / text_len if text_len else 0.0,
    }


def turning_point(curve: np.ndarray) -> tuple[int, str] | None:
    """Index on the smoothed curve where the arc turns most, and how.

    Interior extrema (sign changes of the derivative) are candidates, scored by the larger rise/fall on either
    side to the neighbouring extremum or end; a monotone curve turns where it changes fastest ("steepest").
    """
    m = curve.size
    if m < 3:
        return None
    d = np.diff(curve)
    eps = 1e-9 * (float(np.max(np.abs(curve))) + 1.0)
    sgn = np.sign(np.where(np.abs(d) < eps, 0.0, d))
    # Carry the last nonzero sign forward so flat stretches do not create spurious turns.
    last = 0.0
    for i in range(sgn.size):
        if sgn[i] == 0:
            sgn[i] = last
        else:
            last = sgn[i]
    ext = [i + 1 for i in range(sgn.size - 1) if sgn[i] != 0 and sgn[i + 1] != 0 and sgn[i] != sgn[i + 1]]
    if ext:
        marks = [0, *ext, m - 1]
        best, best_i = -1.0, ext[0]
        for j in range(1, len(marks) - 1):
            i = marks[j]
            size = max(abs(curve[i] - curve[marks[j - 1]]), abs(curve[marks[j + 1]] - curve[i]))
            if size > best:
                best, best_i = size, i
        kind = "peak" if sgn[best_i - 1] > 0 else "trough"
        return best_i, kind
    i = int(np.argmax(np.abs(d)))
    return i, "steepest"


def _ekman_columns(points: Sequence[Point]) -> dict[str, np.ndarray]:
    """Each Ekman group's score at every point (0 where a point has none), as ``np.array([p.ekman.get(g, 0.0) for p
    in points], dtype=float)``: the points' scores read group by group at once when each point has every group."""
    try:
        rows = np.array(list(map(operator.itemgetter(*EKMAN), (p.ekman for p in points))), dtype=float)
    except KeyError:
        return {g: np.array([p.ekman.get(g, 0.0) for p in points], dtype=float) for g in EKMAN}
    cols = rows.reshape(len(points), len(EKMAN)).T.copy()
    return {g: cols[k] for k, g in enumerate(EKMAN)}


def compute_arc(
    points: Sequence[Point],
    text_len: int,
    *,
    include_points: bool = True,
    include_ekman_curves: bool = True,
    low_pass_size: int = LOW_PASS_SIZE,
    x_reverse_len: int = X_REVERSE_LEN,
) -> Arc:
    """One arc over ``points`` in text order. Short series fill only what is meaningful."""
    n = len(points)
    if n == 0:
        return Arc(0)
    vals = np.array([p.valence for p in points], dtype=float)
    ek = _ekman_columns(points)
    arc = Arc(
        n,
        start=int(points[0].start),
        end=int(max(p.end for p in points)),
        mean={"valence": float(vals.mean()), **{g: float(ek[g].mean()) for g in EKMAN}},
        low_pass_size=min(low_pass_size, n),
    )
    if include_points:
        arc.x = [p.start / text_len if text_len else 0.0 for p in points]
        arc.offsets = [int(p.start) for p in points]
        arc.valence = _floats(vals)
        arc.rolling = _floats(rolling_mean(vals))
    if n < 2:
        return arc
    level = dct_level(vals, low_pass_size, x_reverse_len)
    arc.dct = _floats(rescale(level))
    arc.dct_level = _floats(level)
    if include_ekman_curves:
        arc.ekman = {g: _floats(dct_level(ek[g], low_pass_size, x_reverse_len)) for g in EKMAN}
    arc.peaks = ArcPeaks(
        max=ArcPeak(**_mark(level, int(np.argmax(level)), points, text_len, x_reverse_len)),
        min=ArcPeak(**_mark(level, int(np.argmin(level)), points, text_len, x_reverse_len)),
    )
    if n < MIN_SHAPE_POINTS:
        return arc
    arc.shape = classify_shape(level)
    tp = turning_point(level)
    if tp is not None:
        arc.turning_point = ArcTurn(**_mark(level, tp[0], points, text_len, x_reverse_len), kind=tp[1])
    return arc


def _as(cls: type[ArcT], arc: Arc, **extra: Any) -> ArcT:
    """``arc`` as the subclass ``cls`` with its extra fields."""
    return cls(**{f.name: getattr(arc, f.name) for f in fields(arc)}, **extra)


def _within(points: Sequence[Point], starts: Sequence[int], start: int, end: int) -> list[Point]:
    lo = bisect.bisect_left(starts, start)
    hi = bisect.bisect_left(starts, end)
    return list(points[lo:hi])


def character_points(story: Story, points: Sequence[Point]) -> dict[str, list[Point]]:
    """Per character: their own utterances, plus narrative sentences focalised on them.

    Focalised = in a first-person section narrated by them, or mentioning them (``story.mentions``).
    """
    out: dict[str, list[Point]] = {c.id: [] for c in story.characters}
    narr = [p for p in points if p.quote is None]
    narr_starts = [p.start for p in narr]
    chosen: dict[str, set[int]] = {cid: set() for cid in out}
    for p in points:
        if p.quote is not None and p.speaker is not None:
            out.setdefault(p.speaker, []).append(p)
    narrated = [(sec.start, sec.end, sec.narrator) for sec in story.sections if sec.person == "first" and sec.narrator]
    for start, end, who in narrated + letters(story):
        lo = bisect.bisect_left(narr_starts, start)
        hi = bisect.bisect_left(narr_starts, end)
        chosen.setdefault(who, set()).update(range(lo, hi))
    for m in story.mentions:
        if m.character not in out:  # unattributed, or a character only mentioned (``story.mentioned``)
            continue
        i = bisect.bisect_right(narr_starts, m.start) - 1
        if i >= 0 and narr[i].start <= m.start < narr[i].end:
            chosen.setdefault(m.character, set()).add(i)
    for cid, idxs in chosen.items():
        out.setdefault(cid, []).extend(narr[i] for i in idxs)
    for cid in out:
        out[cid].sort(key=lambda p: (p.start, p.end))
    return out


def letters(story: Story) -> list[tuple[int, int, str]]:
    """Letters with a known writer, as ``(start, end, character)``: a run of consecutive ``written`` quotations
    (nothing but blank lines between them) closed by a valediction ending in a comma ("Your loving friend,") and a
    short signature naming one character ("Nell."). Like a first-person narrator's section, the letter's
    sentences are focalised on its writer and join their arc; the letter stays a written text, not an utterance
    (its ``speaker`` stays None)."""
    mentions = sorted((m.start, m.end, m.character) for m in story.mentions if m.character)
    starts = [m[0] for m in mentions]
    out: list[tuple[int, int, str]] = []
    run_: list[Quote] = []
    for q in sorted(story.quotes, key=lambda q: q.start):
        if q.type != "written":
            continue
        if run_:
            prev = run_[-1]
            if story.text[(prev.outer or (prev.start, prev.end))[1] : (q.outer or (q.start, q.end))[0]].strip():
                run_ = []
        run_.append(q)
        a, b = q.spans[-1]
        if len(run_) < 2 or len(story.text[a:b].split()) > 5 or not story.text[run_[-2].start : run_[-2].end].rstrip().endswith(","):
            continue
        i, writers = bisect.bisect_left(starts, a), set()
        while i < len(mentions) and mentions[i][0] < b:
            if mentions[i][1] <= b:
                writers.add(mentions[i][2])
            i += 1
        if len(writers) == 1:
            out.append((run_[0].start, b, writers.pop()))
            run_ = []
    return out


def run(story: Story) -> None:
    """Set ``story.arcs``: the story's arc, one per chapter and scene, one per character with points."""
    n_text = len(story.text)
    points = collect_points(story)
    starts = [p.start for p in points]
    params = ArcParams(LOW_PASS_SIZE, X_REVERSE_LEN, max(1, round(len(points) * 0.1)) if points else 0)
    arcs = Arcs(_as(StoryArc, compute_arc(points, n_text), params=params))
    for i, ch in enumerate(story.chapters):
        a = compute_arc(_within(points, starts, ch.start, ch.end), n_text, include_points=False,
                        include_ekman_curves=False)
        arcs.chapters.append(_as(ChapterArc, a, index=i, span=(ch.start, ch.end), title=ch.title))
    for i, sc in enumerate(story.scenes):
        a = compute_arc(_within(points, starts, sc.start, sc.end), n_text, include_points=False,
                        include_ekman_curves=False)
        arcs.scenes.append(_as(SceneArc, a, index=i, span=(sc.start, sc.end)))
    for cid, pts in character_points(story, points).items():
        if pts:
            speech = sum(1 for p in pts if p.quote is not None)
            arcs.characters[cid] = _as(CharacterArc, compute_arc(pts, n_text), speech=speech,
                                       narration=len(pts) - speech)
    story.arcs = arcs


STAGE = Stage(
    "arcs",
    run,
    reads=(
        "text", "chapters", "scenes", "sections", "sections.narrator", "quotes", "quotes.speaker", "quotes.emotion",
        "sentence_emotions", "characters", "mentions",
    ),
    writes=("arcs",),
)
