"""A self-contained HTML report: metadata, sections, cast, valence arc, relationship cards, annotated text.

No scripts and no network: CSS and SVG plots are inline. All story text goes through escaping (the template
autoescapes; the annotated text and the SVGs are built here with ``markupsafe.escape``). Every layer is
optional: a Story with only text still renders.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from fabula import __version__
from fabula.story import Arc, Emotion, Quote, Relationship, Story
from fabula.writers.json import rounded

PALETTE = (
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2", "#bcbd22",
    "#393b79", "#637939", "#843c39", "#7b4173", "#3182bd", "#e6550d", "#31a354",
)
UNKNOWN = "#8a8a8a"
STORY_COLOUR = "#222222"
STAT_KEYS = (
    "reads", "votes", "comments", "words", "chapters", "kudos", "hits", "bookmarks", "published", "updated",
)
_HEAD_KEYS = {"title", "author", "authors", "summary"}
_MAX_CHARACTER_ARCS = 6


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("fabula", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = _num
    return env


def _num(value: Any) -> str:
    """Numbers with thousands separators; floats to 2 decimals; anything else as text."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}" if math.isfinite(value) else "–"
    return "" if value is None else str(value)


def _hex_rgba(colour: str, alpha: float) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


# ------------------------------------------------------------------------------------------------- header


def _find(meta: Mapping[str, Any], key: str) -> Any:
    """``meta[key]``, else the first ``meta[x][key]`` one level down (e.g. ``meta["wattpad"]["reads"]``)."""
    if key in meta:
        return meta[key]
    for v in meta.values():
        if isinstance(v, Mapping) and key in v:
            return v[key]
    return None


def _meta_value(v: Any) -> dict[str, Any]:
    if isinstance(v, Mapping):
        return {"kind": "dict", "items": [(str(k), _meta_value(x)) for k, x in v.items()]}
    if isinstance(v, (list, tuple, set, frozenset)):
        if all(not isinstance(x, (Mapping, list, tuple)) for x in v):
            return {"kind": "list", "items": [_num(x) for x in v]}
        return {"kind": "list", "items": [str(x) for x in v]}
    return {"kind": "text", "value": _num(v)}


def _header(story: Story) -> dict[str, Any]:
    meta = story.meta
    title = _find(meta, "title")
    author = _find(meta, "author") or _find(meta, "authors")
    if isinstance(author, (list, tuple)):
        author = ", ".join(map(str, author))
    if not title and story.source.path:
        title = story.source.path.rsplit("/", 1)[-1]
    stats = []
    for k in STAT_KEYS:
        v = _find(meta, k)
        if v is not None and not isinstance(v, (Mapping, list)):
            stats.append((k, _num(v)))
    summary = _find(meta, "summary")
    shown = _HEAD_KEYS | {k for k, _ in stats}
    return {
        "title": str(title) if title else "Untitled story",
        "author": str(author) if author else None,
        "summary": summary if isinstance(summary, str) else None,
        "stats": stats,
        "meta": [(str(k), _meta_value(v)) for k, v in meta.items() if k not in shown],
        "source": story.source,
        "stages": list(story.done),
        "length": len(story.text),
        "words": len(story.text.split()),
    }


# --------------------------------------------------------------------------------------------------- cast


def _colours(story: Story) -> dict[str, str]:
    """One colour per character id, most quoted first (so the main cast get the most distinct colours)."""
    counts: dict[str, int] = {}
    for q in story.quotes:
        if q.speaker:
            counts[q.speaker] = counts.get(q.speaker, 0) + 1
    first = {c.id: i for i, c in enumerate(story.characters)}
    for cid in counts:
        first.setdefault(cid, len(first))
    order = sorted(first, key=lambda cid: (-counts.get(cid, 0), first[cid]))
    return {cid: PALETTE[i % len(PALETTE)] for i, cid in enumerate(order)}


def _names(story: Story) -> dict[str, str]:
    return {c.id: c.name for c in story.characters}


def _cast(story: Story, colours: Mapping[str, str]) -> list[dict[str, Any]]:
    spoken: dict[str, int] = {}
    for q in story.quotes:
        if q.speaker:
            spoken[q.speaker] = spoken.get(q.speaker, 0) + 1
    rows: list[dict[str, Any]] = []
    for c in story.characters:
        rows.append({
            "id": c.id, "name": c.name, "aliases": [a for a in c.aliases if a != c.name], "gender": c.gender,
            "narrator": c.narrator, "mentions": c.mentions, "quotes": max(c.quotes, spoken.get(c.id, 0)),
            "colour": colours.get(c.id, UNKNOWN),
        })
    rows.sort(key=lambda r: (-int(r["quotes"]), -int(r["mentions"]), str(r["name"])))
    return rows


# --------------------------------------------------------------------------------------------------- arcs


def _numbers(v: Sequence[float] | None) -> list[float] | None:
    """At least two finite numbers, at the precision the JSON holds; else None."""
    if v is not None and len(v) >= 2 and all(math.isfinite(x) for x in v):
        return [float(x) for x in rounded(list(v))]
    return None


def arc_series(arc: Arc | None) -> list[float] | None:
    """The smoothed curve of an arc (``dct_level``, else ``dct``), or None when it has fewer than two points."""
    if arc is None:
        return None
    return _numbers(arc.dct_level) or _numbers(arc.dct)


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


def arc_lines(story: Story, colours: Mapping[str, str]) -> list[tuple[str, str, list[float], float]]:
    """``(label, colour, values, stroke width)`` for the story's curve and the main characters' curves."""
    names = _names(story)
    lines: list[tuple[str, str, list[float], float]] = []
    if story.arcs is None:
        return lines
    main = arc_series(story.arcs.story)
    if main is not None:
        lines.append(("story", STORY_COLOUR, main, 2.5))
    chars = story.arcs.characters
    if chars:
        ranked = [cid for cid in colours if cid in chars] + [cid for cid in chars if cid not in colours]
        n_chars = 0
        for cid in ranked:
            s = arc_series(chars[cid])
            if s is not None and n_chars < _MAX_CHARACTER_ARCS:
                lines.append((names.get(str(cid), str(cid)), colours.get(str(cid), UNKNOWN), s, 1.4))
                n_chars += 1
    return lines


def arc_svg(story: Story, colours: Mapping[str, str] | None = None) -> Markup | None:
    """An inline SVG of the story's valence arc (and the main characters' arcs); None when there is none."""
    lines = arc_lines(story, colours or {})
    if not lines:
        return None
    story_arc = story.arcs.story if story.arcs is not None else None
    xs = raw = None
    if story_arc is not None:  # the per-point rolling mean, drawn faintly behind the curves
        xs, raw = _numbers(story_arc.x), _numbers(story_arc.rolling)
        if xs is None or raw is None or len(xs) != len(raw):
            xs = raw = None
    width, height, left, top, right, bottom = 760, 240, 46, 14, 14, 30
    box = (float(left), float(top), float(width - left - right), float(height - top - bottom))
    allv = [v for _, _, vals, _ in lines for v in vals] + (raw or [])
    lo, hi = min(allv), max(allv)
    pad = (hi - lo) * 0.08 or 0.1
    lo, hi = lo - pad, hi + pad
    out = [
        f'<svg class="arc" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'xmlns="http://www.w3.org/2000/svg"><title>Valence arc</title>',
        f'<rect x="{left}" y="{top}" width="{box[2]:.0f}" height="{box[3]:.0f}" '
        'fill="#fafafa" stroke="#ddd"/>',
    ]
    if lo < 0 < hi:
        y0 = top + (1 - (0 - lo) / (hi - lo)) * box[3]
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y0:.1f}" y2="{y0:.1f}" stroke="#bbb" '
                   'stroke-dasharray="4 3"/>')
        out.append(f'<text x="{left - 4}" y="{y0 + 4:.1f}" text-anchor="end" class="tick">0</text>')
    out.append(f'<text x="{left - 4}" y="{top + 10}" text-anchor="end" class="tick">{hi:.2f}</text>')
    out.append(f'<text x="{left - 4}" y="{top + box[3]:.0f}" text-anchor="end" class="tick">{lo:.2f}</text>')
    out.append(f'<text x="{left}" y="{height - 8}" class="tick">start</text>')
    out.append(f'<text x="{width - right}" y="{height - 8}" text-anchor="end" class="tick">end</text>')
    if raw is not None:
        pts = _polyline(raw, xs, box, lo, hi)
        out.append('<polyline fill="none" stroke="#999" stroke-width="1" opacity="0.5" '
                   f'points="{pts}"><title>rolling mean</title></polyline>')
    for label, colour, vals, w in reversed(lines):
        out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="{w}" stroke-linejoin="round" '
                   f'points="{_polyline(vals, None, box, lo, hi)}"><title>{escape(label)}</title></polyline>')
    tp = story_arc.turning_point if story_arc is not None else None
    if tp is not None:
        x = left + rounded(tp.at) * box[2]
        kind = escape(tp.kind)
        out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{top + box[3]:.0f}" stroke="#c0392b" '
                   f'stroke-dasharray="2 2"><title>turning point ({kind})</title></line>')
    out.append("</svg>")
    return Markup("".join(out))


def _arc_info(story: Story) -> dict[str, Any] | None:
    arc = story.arcs.story if story.arcs is not None else None
    if arc is None:
        return None
    tp = arc.turning_point
    return {
        "shape": arc.shape.shape if arc.shape is not None else None,
        "points": arc.n,
        "turning_kind": tp.kind if tp is not None else None,
        "turning_text": _snippet(story, tp.offset, tp.end) if tp is not None else None,
        "turning_quote": tp.quote if tp is not None else None,
    }


def _snippet(story: Story, s: int, e: int | None, limit: int = 160) -> str:
    """The text from ``s`` to ``e`` (at most ``limit`` code points), whitespace collapsed."""
    if e is None or e <= s:
        e = s + limit
    text = " ".join(story.text[s : min(e, s + limit)].split())
    return text + ("…" if e - s > limit else "")


# ------------------------------------------------------------------------------------------ relationships


def _sparkline(values: Sequence[float], colour: str = "#c0392b") -> Markup:
    w, h, n = 220, 36, len(values)
    bw = w / max(n, 1)
    bars = []
    for i, v in enumerate(values):
        v = min(max(v, 0.0), 1.0)
        bh = max(1.0, v * (h - 2))
        bars.append(f'<rect x="{i * bw:.1f}" y="{h - bh:.1f}" width="{max(bw - 1, 1):.1f}" height="{bh:.1f}" '
                    f'fill="{colour}" opacity="{0.35 + 0.65 * v:.2f}"><title>{v:.2f}</title></rect>')
    return Markup(f'<svg class="spark" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
                  f'xmlns="http://www.w3.org/2000/svg">{"".join(bars)}</svg>')


def _relationship(story: Story, r: Relationship, colours: Mapping[str, str]) -> dict[str, Any]:
    """One relationship card's values (floats at the precision the JSON holds)."""
    names = _names(story)
    a, b = r.a, r.b
    na = str(r.names.get(a) or names.get(a, a))
    nb = str(r.names.get(b) or names.get(b, b))
    rows = [(key, _num(d.a_to_b), _num(d.b_to_a)) for key, d in (("turns", r.turns), ("quotes", r.quotes),
                                                                 ("words", r.words))]
    rows += [(key, _num(d.get(a)), _num(d.get(b))) for key, d in (("interruptions", r.interruptions),
                                                                  ("ends", r.ends))]
    da, db = r.acts.get(a, {}), r.acts.get(b, {})
    acts = [(act, _num(da.get(act, 0)), _num(db.get(act, 0))) for act in sorted(set(da) | set(db))]
    dom = rounded(r.dominance)
    share = (min(max(dom, -1.0), 1.0) + 1.0) / 2.0 if math.isfinite(dom) else None
    conflict_vals = [v for c in r.conflict if math.isfinite(v := rounded(c.value))]
    tp = r.turning_point
    turning = None
    if tp is not None:
        turning = {
            "kind": tp.kind, "by": names.get(tp.by, tp.by), "before": rounded(tp.before),
            "after": rounded(tp.after), "text": _snippet(story, tp.offset, None, 120),
        }
    ex = r.exit
    exit_text = f"{names.get(ex.character, ex.character)} {ex.action}" if ex is not None and ex.character else None
    return {
        "a": na, "b": nb, "colour_a": colours.get(a, UNKNOWN), "colour_b": colours.get(b, UNKNOWN),
        "summary": r.summary,
        "rows": rows, "acts": acts,
        "dominance": dom if share is not None else None,
        "share_a": round(share * 100, 1) if share is not None else None,
        "conflict": _sparkline(conflict_vals) if conflict_vals else None,
        "turning": turning, "exit": exit_text,
        "exchanges": r.exchanges,
    }


# ------------------------------------------------------------------------------------------------- text


def _top_emotion(emotion: Emotion | None) -> str | None:
    return None if emotion is None else emotion.top


def quote_title(q: Quote, names: Mapping[str, str]) -> str:
    """Hover text: ``speaker → addressees · act · top emotion · type confidence``."""
    speaker = names.get(q.speaker, q.speaker) if q.speaker else "?"
    to = ", ".join(names.get(a, a) for a in q.addressees) or "?"
    parts = [f"{speaker} → {to}"]
    if q.act:
        parts.append(q.act)
    emo = _top_emotion(q.emotion)
    if emo:
        parts.append(emo)
    if q.type != "none":
        parts.append(f"{q.type} {q.confidence:.2f}")
    return " · ".join(parts)


def text_html(story: Story, colours: Mapping[str, str] | None = None) -> Markup:
    """The story text, escaped: quotation sub-spans coloured per speaker, thoughts in italics, non-story
    blocks greyed. Overlaps are handled by a sweep over all span boundaries (the innermost quote wins)."""
    colours = colours or {}
    names = _names(story)
    text, n = story.text, len(story.text)
    starts: dict[int, list[tuple[str, int]]] = {}
    ends: dict[int, list[tuple[str, int]]] = {}
    bounds = {0, n}

    def add(s: int, e: int, cat: str, i: int) -> None:
        s, e = max(0, s), min(n, e)
        if s < e:
            starts.setdefault(s, []).append((cat, i))
            ends.setdefault(e, []).append((cat, i))
            bounds.update((s, e))

    for qi, q in enumerate(story.quotes):
        for s, e in q.spans:
            add(s, e, "q", qi)
    for i, ns in enumerate(story.nonstory):
        add(ns.start, ns.end, "ns", i)
    for i, th in enumerate(story.thoughts):
        add(th.start, th.end, "th", i)
    titles = [escape(quote_title(q, names)) for q in story.quotes]
    styles = []
    for q in story.quotes:
        c = colours.get(q.speaker, UNKNOWN) if q.speaker else UNKNOWN
        styles.append(f"background:{_hex_rgba(c, 0.16)};border-bottom:2px solid {c}")
    active: dict[str, dict[int, int]] = {"q": {}, "ns": {}, "th": {}}
    ordered = sorted(bounds)
    out: list[str] = []
    for k, pos in enumerate(ordered[:-1]):
        for cat, i in ends.get(pos, ()):
            active[cat].pop(i, None)
        for cat, i in starts.get(pos, ()):
            active[cat][i] = pos
        seg = str(escape(text[pos : ordered[k + 1]]))
        if active["q"]:
            qi = max(active["q"], key=lambda i: (active["q"][i], i))
            qid = story.quotes[qi].id
            seg = f'<span class="q" data-q="{qid}" style="{styles[qi]}" title="{titles[qi]}">{seg}</span>'
        if active["th"]:
            seg = f'<em class="th">{seg}</em>'
        if active["ns"]:
            ni = min(active["ns"])
            seg = f'<span class="ns" title="{escape(story.nonstory[ni].kind)}">{seg}</span>'
        out.append(seg)
    return Markup("".join(out))


# ------------------------------------------------------------------------------------------------ render


def context(story: Story) -> dict[str, Any]:
    """Everything the template shows, as plain values (useful to test without parsing HTML)."""
    colours = _colours(story)
    names = _names(story)
    rels = [_relationship(story, r, colours) for r in story.relationships]
    return {
        "version": __version__,
        "header": _header(story),
        "sections": [
            {"start": s.start, "end": s.end, "person": s.person, "tense": s.tense,
             "narrator": names.get(s.narrator, s.narrator) if s.narrator else None,
             "colour": colours.get(s.narrator, UNKNOWN) if s.narrator else None}
            for s in story.sections
        ],
        "chapters": [{"title": c.title, "start": c.start} for c in story.chapters],
        "cast": _cast(story, colours),
        "mentioned": [c.name for c in story.mentioned],
        "unknown_colour": UNKNOWN,
        "counts": {
            "paragraphs": len(story.paragraphs), "sentences": len(story.sentences),
            "quotes": len(story.quotes), "attributed": sum(1 for q in story.quotes if q.speaker),
            "scenes": len(story.scenes),
            "chapters": len(story.chapters), "nonstory": len(story.nonstory),
        },
        "arc_svg": arc_svg(story, colours),
        "arc_legend": [(label, colour) for label, colour, _, _ in arc_lines(story, colours)],
        "arc": _arc_info(story),
        "relationships": rels,
        "text": text_html(story, colours),
    }


def render(story: Story) -> str:
    """The report as one HTML document (UTF-8, no external resources)."""
    return _env().get_template("report.html.j2").render(**context(story))
