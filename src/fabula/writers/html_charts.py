"""Inline SVG charts of the HTML report: the valence arc, a pair's conflict over time, who talks to whom.

Every chart is built here as escaped markup (labels through ``markupsafe.escape``; colours come from the
palette, never from the story). Axes are labelled in words, not numbers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup, escape

from fabula.story import Arc, Relationship, Story
from fabula.writers.json import rounded
from fabula.writers.names import display_names

UNKNOWN = "#767676"
STORY_COLOUR = "#222222"
MAX_CHARACTER_ARCS = 6
MAX_GRAPH_NODES = 12
CLEAR_SHAPE = 0.5  # a shape correlating less than this with the curve is not named
EVEN = 0.15  # |dominance| below this is an even balance

SHAPES = {
    "rise": "rises steadily: things get brighter from beginning to end",
    "fall": "falls steadily: things get darker from beginning to end",
    "fall-rise": "falls into a low and climbs back out (the “man in a hole” shape)",
    "rise-fall": "rises to a high and then falls (the “Icarus” shape)",
    "rise-fall-rise": "rises, falls and rises again (the “Cinderella” shape)",
    "fall-rise-fall": "falls, recovers and falls again (the “Oedipus” shape)",
}
TURN_KINDS = {"peak": "its brightest point", "trough": "its darkest point", "steepest": "where it changes fastest"}


def numbers(v: Sequence[float] | None) -> list[float] | None:
    """At least two finite numbers, at the precision the JSON holds; else None."""
    if v is not None and len(v) >= 2 and all(math.isfinite(x) for x in v):
        return [float(x) for x in rounded(list(v))]
    return None


def arc_series(arc: Arc | None) -> list[float] | None:
    """The smoothed curve of an arc (``dct_level``, else ``dct``), or None when it has fewer than two points."""
    if arc is None:
        return None
    return numbers(arc.dct_level) or numbers(arc.dct)


def _polyline(values: Sequence[float], xs: Sequence[float] | None, box: tuple[float, float, float, float],
              lo: float, hi: float) -> str:
    x0, y0, w, h = box
    n = len(values)
    pts = []
    for i, v in enumerate(values):
        fx = xs[i] if xs is not None else (i / (n - 1) if n > 1 else 0.5)
        fy = (v - lo) / (hi - lo) if hi > lo else 0.5
        pts.append(f"{x0 + fx * w:.1f},{y0 + (1 - fy) * h:.1f}")
    return " ".join(pts)


def arc_lines(
    story: Story, colours: Mapping[str, str], names: Mapping[str, str] | None = None
) -> list[tuple[str, str, list[float], float]]:
    """``(label, colour, values, stroke width)`` for the story's curve and the main characters' curves
    (``names``: :func:`display_names`, when the caller has them)."""
    names = names if names is not None else display_names(story)
    lines: list[tuple[str, str, list[float], float]] = []
    if story.arcs is None:
        return lines
    main = arc_series(story.arcs.story)
    if main is not None:
        lines.append(("the story", STORY_COLOUR, main, 2.5))
    chars = story.arcs.characters
    ranked = [cid for cid in colours if cid in chars] + [cid for cid in chars if cid not in colours]
    for cid in ranked:
        s = arc_series(chars[cid])
        if s is not None and len(lines) <= MAX_CHARACTER_ARCS and cid in names:
            lines.append((names[cid], colours.get(cid, UNKNOWN), s, 1.5))
    return lines


def arc_svg(
    story: Story, colours: Mapping[str, str] | None = None, names: Mapping[str, str] | None = None
) -> Markup | None:
    """The valence arc (story and main characters) with its axes in words; None when there is none."""
    lines = arc_lines(story, colours or {}, names)
    if not lines:
        return None
    width, height, left, top, right, bottom = 760, 250, 104, 12, 12, 34
    box = (float(left), float(top), float(width - left - right), float(height - top - bottom))
    allv = [v for _, _, vals, _ in lines for v in vals]
    lo, hi = min(allv), max(allv)
    pad = (hi - lo) * 0.1 or 0.1
    lo, hi = lo - pad, hi + pad
    out = [
        f'<svg class="chart arc" viewBox="0 0 {width} {height}" role="img" aria-labelledby="arc-title" '
        f'xmlns="http://www.w3.org/2000/svg"><title id="arc-title">How the feeling of the story moves from '
        'beginning to end (higher is more positive)</title>',
        f'<rect x="{left}" y="{top}" width="{box[2]:.0f}" height="{box[3]:.0f}" fill="#fbfbf9" stroke="#ccc"/>',
        f'<text x="{left - 8}" y="{top + 14}" text-anchor="end" class="tick">more positive</text>',
        f'<text x="{left - 8}" y="{top + box[3] - 4:.0f}" text-anchor="end" class="tick">more negative</text>',
        f'<text x="{left}" y="{height - 10}" class="tick">beginning</text>',
        f'<text x="{width - right}" y="{height - 10}" text-anchor="end" class="tick">end</text>',
    ]
    n = len(story.text) or 1
    if 1 < len(story.chapters) <= 60:
        for c in story.chapters[1:]:
            x = left + c.start / n * box[2]
            out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{top + box[3]:.0f}" stroke="#e6e6e6"/>')
    if lo < 0 < hi:
        y0 = top + (1 - (0 - lo) / (hi - lo)) * box[3]
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y0:.1f}" y2="{y0:.1f}" stroke="#aaa" '
                   'stroke-dasharray="4 3"/>')
        out.append(f'<text x="{left - 8}" y="{y0 + 4:.1f}" text-anchor="end" class="tick">neutral</text>')
    for label, colour, vals, w in reversed(lines):
        dash = "" if label == "the story" else ' stroke-dasharray="6 2"' if len(lines) > 3 else ""
        out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="{w}" stroke-linejoin="round"{dash} '
                   f'points="{_polyline(vals, None, box, lo, hi)}"><title>{escape(label)}</title></polyline>')
    tp = story.arcs.story.turning_point if story.arcs is not None else None
    if tp is not None:
        x = left + rounded(tp.at) * box[2]
        out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{top + box[3]:.0f}" stroke="#b03a2e" '
                   'stroke-width="1.5" stroke-dasharray="3 3"><title>turning point</title></line>')
        out.append(f'<text x="{min(x + 4, width - right - 90):.1f}" y="{top + box[3] - 6:.0f}" class="tick turn">'
                   'turning point</text>')
    out.append("</svg>")
    return Markup("".join(out))


def arc_words(story: Story) -> dict[str, Any] | None:
    """The story arc's shape and turning point in words."""
    arc = story.arcs.story if story.arcs is not None else None
    if arc is None or arc.n == 0:
        return None
    shape = arc.shape.shape if arc.shape is not None else None
    tp = arc.turning_point
    if arc.shape is not None and shape is not None and arc.shape.score < CLEAR_SHAPE:
        described: str | None = "has no single clear shape: it swings up and down"
    else:
        described = SHAPES.get(shape or "", "stays fairly level") if arc.shape is not None else None
    return {
        "shape": described,
        "turn_kind": TURN_KINDS.get(tp.kind, tp.kind) if tp is not None else None,
        "turn_offset": tp.offset if tp is not None else None,
        "turn_end": tp.end if tp is not None else None,
        "turn_quote": tp.quote if tp is not None else None,
        "turn_where": round(tp.x * 100) if tp is not None else None,
    }


def conflict_svg(values: Sequence[float], colour: str = "#b03a2e") -> Markup:
    """Bars of a pair's conflict per window of lines, from calm (short) to heated (tall), with the axis in words."""
    w, h, left, n = 270, 48, 54, len(values)
    bw = (w - left) / max(n, 1)
    bars = [f'<text x="{left - 4}" y="10" text-anchor="end" class="tick">heated</text>',
            f'<text x="{left - 4}" y="{h}" text-anchor="end" class="tick">calm</text>',
            f'<line x1="{left}" x2="{w}" y1="{h - 0.5}" y2="{h - 0.5}" stroke="#bbb"/>']
    for i, v in enumerate(values):
        v = min(max(v, 0.0), 1.0)
        bh = max(1.5, v * (h - 4))
        bars.append(f'<rect x="{left + i * bw:.1f}" y="{h - bh:.1f}" width="{max(bw - 1, 1):.1f}" '
                    f'height="{bh:.1f}" fill="{colour}" opacity="{0.4 + 0.6 * v:.2f}"/>')
    return Markup(f'<svg class="chart spark" viewBox="0 -4 {w} {h + 6}" role="img" '
                  'aria-label="Conflict over the exchange, first line to last" '
                  f'xmlns="http://www.w3.org/2000/svg">{"".join(bars)}</svg>')


def dominant(r: Relationship) -> str | None:
    """The id of the one with the upper hand, or None when evenly balanced."""
    d = rounded(r.dominance)
    if not math.isfinite(d) or abs(d) < EVEN:
        return None
    return r.a if d > 0 else r.b


def graph_svg(
    story: Story, rels: Sequence[Relationship], colours: Mapping[str, str], names: Mapping[str, str] | None = None
) -> Markup | None:
    """Who talks to whom: the main speakers on a circle; an edge per pair, width by turns exchanged, coloured
    by who has the upper hand (grey when even)."""
    turns: dict[str, int] = {}
    for r in rels:
        t = r.turns.a_to_b + r.turns.b_to_a
        for c in (r.a, r.b):
            turns[c] = turns.get(c, 0) + t
    nodes = sorted(turns, key=lambda c: -turns[c])[:MAX_GRAPH_NODES]
    if len(nodes) < 2:
        return None
    names = names if names is not None else display_names(story)
    size, cx, cy, high = 520, 260, 250, 510
    if len(nodes) == 2:  # side by side
        cy, high = 40, 80
        pos = {nodes[0]: (150.0, 40.0), nodes[1]: (370.0, 40.0)}
    else:
        pos = {c: (cx + 175 * math.cos(2 * math.pi * i / len(nodes) - math.pi / 2),
                   cy + 175 * math.sin(2 * math.pi * i / len(nodes) - math.pi / 2)) for i, c in enumerate(nodes)}
    top = max((r.turns.a_to_b + r.turns.b_to_a for r in rels), default=1) or 1
    out = [f'<svg class="chart graph" viewBox="0 0 {size} {high}" role="img" aria-labelledby="graph-title" '
           'xmlns="http://www.w3.org/2000/svg"><title id="graph-title">Who talks to whom: line width is the '
           'number of turns, line colour is who has the upper hand</title>']
    for r in sorted(rels, key=lambda r: r.turns.a_to_b + r.turns.b_to_a):
        if r.a not in pos or r.b not in pos:
            continue
        t = r.turns.a_to_b + r.turns.b_to_a
        lead = dominant(r)
        colour = colours.get(lead, UNKNOWN) if lead else "#9a9a9a"
        (x1, y1), (x2, y2) = pos[r.a], pos[r.b]
        who = f"{names.get(lead, lead)} has the upper hand" if lead else "evenly balanced"
        label = f"{names.get(r.a, r.a)} and {names.get(r.b, r.b)}: {t} turns, {who}"
        out.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{colour}" '
                   f'stroke-width="{1.5 + 12 * t / top:.1f}" stroke-linecap="round" opacity="0.75">'
                   f'<title>{escape(label)}</title></line>')
    for c in nodes:
        x, y = pos[c]
        colour = colours.get(c, UNKNOWN)
        anchor = "middle" if abs(x - cx) < 30 or len(nodes) == 2 else "start" if x > cx else "end"
        dx = 0 if anchor == "middle" else 16 if anchor == "start" else -16
        dy = 32 if len(nodes) == 2 else -18 if y < cy - 30 and anchor == "middle" else 28 if anchor == "middle" else 5
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="11" fill="{colour}" stroke="#fff" stroke-width="2"/>')
        out.append(f'<text x="{x + dx:.1f}" y="{y + dy:.1f}" text-anchor="{anchor}" class="node">'
                   f'{escape(names.get(c, c))}</text>')
    out.append("</svg>")
    return Markup("".join(out))
