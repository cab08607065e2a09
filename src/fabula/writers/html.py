"""The HTML report a writer reads: one self-contained file, no network at all.

``render(story) -> str`` is the stable public entry (the CLI writes it; the web app serves it). The page holds
inline CSS, inline SVG charts and one small inline script (the hover/focus/tap card), allowed by a
Content-Security-Policy ``<meta>`` through the script's SHA-256 hash, computed here at render time. Every
string from the story (text, title, tags, names) is HTML-escaped: the template autoescapes, and the reader view
and the charts are built with ``markupsafe.escape``. Every layer is optional: a Story with only text renders.
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import math
import re
from collections import Counter
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from fabula import __version__
from fabula.story import CraftNote, Relationship, Story
from fabula.writers.html_charts import (
    UNKNOWN,
    arc_lines,
    arc_series,
    arc_svg,
    arc_words,
    conflict_svg,
    dominant,
    graph_svg,
)
from fabula.writers.html_text import quote_title, text_html
from fabula.writers.json import rounded
from fabula.writers.names import display_names

__all__ = ["arc_series", "arc_svg", "context", "csp", "quote_title", "render", "script", "text_html"]

# Dark enough to read as a border and a swatch on white (contrast >= 3:1), distinct from one another.
PALETTE = (
    "#1f63a8", "#c0392b", "#2e7d32", "#7b3fa0", "#c76b00", "#00838f", "#8d5524", "#ad1457", "#5d6d00",
    "#3949ab", "#6d4c41", "#00695c", "#9e2a6b", "#455a64", "#b8860b", "#4e342e",
)
WORDS_PER_MINUTE = 238
MAX_CARDS = 12
MAX_CAST = 24
MAX_PLACES = 12
STAT_LABELS = (("reads", "reads"), ("votes", "votes"), ("kudos", "kudos"), ("hits", "hits"),
               ("bookmarks", "bookmarks"), ("comments", "comments"))
DATE_LABELS = (("published", "published"), ("updated", "updated"), ("completed", "completed"))
TAG_ROWS = (("fandoms", "Fandom"), ("relationships", "Relationships"), ("characters", "Characters"),
            ("additional_tags", "Tags"), ("category", "Category"), ("tags", "Tags"), ("subjects", "Subjects"))
CRAFT_HEADINGS = {
    "misspelling": "Spelling", "pov_switch": "Point of view", "untagged_run": "Who is speaking?",
    "tense_drift": "Tense", "tag_verbs": "Dialogue tags", "tag_adverbs": "Adverbs in tags", "echo": "Echoes",
    "dialogue_balance": "Dialogue and narration",
}
WORD_RE = re.compile(r"\w+(?:['’]\w+)*")


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


@lru_cache(maxsize=1)
def script() -> str:
    """The report's one inline script (the quotation card)."""
    return resources.files("fabula").joinpath("templates").joinpath("report.js").read_text(encoding="utf-8")


def csp(script_text: str) -> str:
    """The Content-Security-Policy: nothing from anywhere; the inline script by its hash, inline styles,
    ``data:`` images."""
    digest = base64.b64encode(hashlib.sha256(script_text.encode("utf-8")).digest()).decode("ascii")
    return (f"default-src 'none'; script-src 'sha256-{digest}'; style-src 'unsafe-inline'; img-src data:; "
            "base-uri 'none'; form-action 'none'")


def _num(value: Any) -> str:
    """Numbers with thousands separators; floats to 2 decimals; anything else as text."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}" if math.isfinite(value) else "–"
    return "" if value is None else str(value)


def _words(s: str) -> int:
    return len(WORD_RE.findall(s))


def snippet(text: str, limit: int = 80) -> str:
    """``text`` with whitespace collapsed, cut at a word boundary (``…`` added when cut)."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit]
    if " " in cut[limit // 3:]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:—–-") + "…"


# ------------------------------------------------------------------------------------------------- header


def _find(meta: Mapping[str, Any], key: str) -> Any:
    """``meta[key]``, else the first ``meta[x][key]`` one level down (e.g. ``meta["stats"]["kudos"]``)."""
    if key in meta:
        return meta[key]
    for v in meta.values():
        if isinstance(v, Mapping) and key in v:
            return v[key]
    return None


def _text_of(v: Any) -> str | None:
    if isinstance(v, str) and v.strip():
        return v.strip()
    if isinstance(v, (list, tuple)) and v and all(isinstance(x, str) for x in v):
        return ", ".join(v)
    return None


def title(story: Story) -> str:
    """The story's title: from the metadata, else its first heading, else the file name."""
    found = _text_of(_find(story.meta, "title"))
    if found:
        return found
    for c in story.chapters:
        if c.heading is not None:
            return " ".join(story.text[c.heading.start:c.heading.end].split())
        if c.title:
            return c.title
    heads = [n for n in story.nonstory if n.kind == "chapter_heading"]
    if heads:
        return " ".join(story.text[heads[0].start:heads[0].end].split())
    if story.source.path:
        return story.source.path.replace("\\", "/").rsplit("/", 1)[-1]
    return "Untitled story"


def _chips(v: Any) -> list[str]:
    if isinstance(v, str):
        return [v] if v.strip() else []
    if isinstance(v, (list, tuple)):
        return [str(x) for x in v if isinstance(x, (str, int, float)) and str(x).strip()]
    return []


def dialogue_words(story: Story) -> tuple[int, int]:
    """``(words in lines of dialogue, words of story)`` (non-story blocks left out; a quoted word, a letter or
    verse nobody says is no dialogue)."""
    spoken = sum(_words(story.text[s:e]) for q in story.quotes if q.said for s, e in q.spans)
    total = _words(story.text) - sum(_words(story.text[n.start:n.end]) for n in story.nonstory)
    return spoken, max(total, spoken)


def _reading_time(words: int) -> str:
    minutes = max(1, round(words / WORDS_PER_MINUTE))
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def _header(story: Story) -> dict[str, Any]:
    meta = story.meta
    author = _text_of(_find(meta, "author")) or _text_of(_find(meta, "authors"))
    stats = [(_num(v), label) for key, label in STAT_LABELS
             if isinstance(v := _find(meta, key), (int, float)) and not isinstance(v, bool)]
    dates = [(label, str(v)) for key, label in DATE_LABELS if isinstance(v := _find(meta, key), str)]
    spoken, total = dialogue_words(story)
    rating = _chips(_find(meta, "rating"))
    warnings = _chips(_find(meta, "warnings"))
    tags = [(label, chips) for key, label in TAG_ROWS if (chips := _chips(meta.get(key)))]
    summary = _find(meta, "summary")
    platform = meta.get("platform")
    return {
        "title": title(story),
        "author": author,
        "summary": summary if isinstance(summary, str) and summary.strip() else None,
        "platform": {"ao3": "Archive of Our Own", "wattpad": "Wattpad", "gutenberg": "Project Gutenberg"}.get(
            str(platform), str(platform)) if isinstance(platform, str) else None,
        "stats": stats, "dates": dates, "rating": rating, "warnings": warnings, "tags": tags,
        "language": _text_of(meta.get("language")),
        "words": total, "reading_time": _reading_time(total),
        "dialogue_share": round(100 * spoken / total) if total else 0,
        "file": story.source.path.replace("\\", "/").rsplit("/", 1)[-1] if story.source.path else None,
        "format": story.source.format,
    }


# --------------------------------------------------------------------------------------------- structure


def _colours(story: Story) -> dict[str, str]:
    """One colour per character id, most quoted first (so the main cast get the most distinct colours)."""
    counts = Counter(q.speaker for q in story.quotes if q.speaker)
    first = {c.id: i for i, c in enumerate(story.characters)}
    for cid in counts:
        first.setdefault(cid, len(first))
    order = sorted(first, key=lambda cid: (-counts.get(cid, 0), first[cid]))
    return {cid: PALETTE[i % len(PALETTE)] for i, cid in enumerate(order)}


def _chapter_label(story: Story, i: int) -> str:
    c = story.chapters[i]
    return f"Chapter {i + 1}" + (f" · {c.title}" if c.title else "")


def _chapters(story: Story) -> list[dict[str, Any]]:
    if len(story.chapters) < 2:
        return []
    return [{"n": i + 1, "label": _chapter_label(story, i), "words": _words(story.text[c.start:c.end])}
            for i, c in enumerate(story.chapters)]


def _pov(story: Story, colours: Mapping[str, str], names: Mapping[str, str]) -> list[dict[str, Any]]:
    """Each section in words: "Chapter 3 · first person, present · narrated by Alana"."""
    starts = [c.start for c in story.chapters]
    out = []
    for k, s in enumerate(story.sections):
        if len(story.chapters) > 1:
            where = f"Chapter {max(0, bisect.bisect_right(starts, s.start) - 1) + 1}"
        else:
            where = f"Part {k + 1}" if len(story.sections) > 1 else "The whole story"
        how = ", ".join(x for x in (f"{s.person} person" if s.person != "unknown" else "",
                                     s.tense if s.tense != "unknown" else "") if x) or "point of view unclear"
        parts = [where, how]
        if s.narrator:
            parts.append(f"narrated by {names.get(s.narrator, s.narrator)}")
        out.append({"label": " · ".join(parts), "anchor": s.start,
                    "colour": colours.get(s.narrator, UNKNOWN) if s.narrator else None})
    return out


def _cast(story: Story, colours: Mapping[str, str], names: Mapping[str, str]) -> list[dict[str, Any]]:
    words: Counter[str] = Counter()
    lines: Counter[str] = Counter()
    feelings: dict[str, Counter[str]] = {}
    partners: dict[str, Counter[str]] = {}
    for q in story.quotes:
        if not q.speaker:
            continue
        lines[q.speaker] += 1
        words[q.speaker] += sum(_words(story.text[s:e]) for s, e in q.spans)
        if q.emotion is not None and q.emotion.top != "neutral":
            feelings.setdefault(q.speaker, Counter())[q.emotion.top] += 1
        for a in q.addressees:
            partners.setdefault(q.speaker, Counter())[a] += 1
    for r in story.relationships:  # pairs found by turn-taking where quotes name no addressee
        for x, y, t in ((r.a, r.b, r.turns.a_to_b), (r.b, r.a, r.turns.b_to_a)):
            if not partners.get(x):
                partners.setdefault(x, Counter())[y] += t
    rows: list[dict[str, Any]] = []
    for c in story.characters:
        talk = [(names.get(p, p), n) for p, n in partners.get(c.id, Counter()).most_common(2) if p in names]
        rows.append({
            "id": c.id, "name": names[c.id], "aliases": [a for a in c.aliases if a != c.name][:4],
            "narrator": c.narrator, "lines": lines[c.id], "words": words[c.id],
            "feelings": [f for f, _ in feelings.get(c.id, Counter()).most_common(3)],
            "talks_to": [n for n, _ in talk], "colour": colours.get(c.id, UNKNOWN),
        })
    rows.sort(key=lambda r: (-words[r["id"]], -lines[r["id"]], str(r["name"])))
    return rows


# ------------------------------------------------------------------------------------------ relationships


def _balance(r: Relationship, na: str, nb: str) -> str:
    d = rounded(r.dominance)
    lead = dominant(r)
    if lead is None:
        return "Evenly balanced"
    who = na if lead == r.a else nb
    return f"{who} has {'the upper hand' if abs(d) >= 0.4 else 'a slight upper hand'}"


def _relationship(
    story: Story, r: Relationship, colours: Mapping[str, str], names: Mapping[str, str]
) -> dict[str, Any]:
    a, b = r.a, r.b
    na, nb = str(names.get(a) or r.names.get(a) or a), str(names.get(b) or r.names.get(b) or b)
    rows = [("turns", r.turns.a_to_b, r.turns.b_to_a), ("lines", r.quotes.a_to_b, r.quotes.b_to_a),
            ("words", r.words.a_to_b, r.words.b_to_a)]
    da, db = r.acts.get(a, {}), r.acts.get(b, {})
    acts = sorted((set(da) | set(db)) - {"statement"}, key=lambda x: (-(da.get(x, 0) + db.get(x, 0)), x))
    nouns = {"question": "questions", "request": "requests", "plea": "pleas", "command": "orders",
             "refusal": "refusals", "apology": "apologies", "accusation": "accusations",
             "declaration": "declarations", "threat": "threats", "agreement": "agreements", "thanks": "thanks"}
    rows += [(nouns.get(x, x), da.get(x, 0), db.get(x, 0)) for x in acts[:6]]
    if any(r.ends.values()):
        rows.append(("exchanges ended", r.ends.get(a, 0), r.ends.get(b, 0)))
    dom = rounded(r.dominance)
    share = (min(max(dom, -1.0), 1.0) + 1.0) / 2.0 if math.isfinite(dom) else 0.5
    conflict = [v for c in r.conflict if math.isfinite(v := rounded(c.value))]
    narrative = r.narrative.text if r.narrative is not None else r.summary
    tp = r.turning_point
    return {
        "a": na, "b": nb, "colour_a": colours.get(a, UNKNOWN), "colour_b": colours.get(b, UNKNOWN),
        "text": narrative, "rows": [(k, _num(x), _num(y)) for k, x, y in rows],
        "share_a": round(share * 100, 1), "balance": _balance(r, na, nb),
        "conflict": conflict_svg(conflict) if len(conflict) >= 2 else None,
        "turn_quote": tp.quote if tp is not None else None,
        "turns": r.turns.a_to_b + r.turns.b_to_a, "exchanges": r.exchanges, "first": r.span[0],
    }


# ------------------------------------------------------------------------------------------------- craft


def _place_label(story: Story, s: int, e: int, kind: str) -> str:
    if kind == "dialogue_balance":
        return "read it"
    return f"“{snippet(story.text[s:e], 36)}”"


def _craft(story: Story) -> tuple[list[dict[str, Any]], list[dict[str, Any]], set[int]]:
    """Suggestions grouped by kind, the per-chapter dialogue shares, and every offset the notes link to."""
    groups: dict[str, list[dict[str, Any]]] = {}
    balance = []
    anchors: set[int] = set()
    starts = [c.start for c in story.chapters]
    for n in story.craft_notes:
        if n.kind == "dialogue_balance" and n.value is not None and n.places:
            s = n.places[0][0]
            i = bisect.bisect_right(starts, s) - 1
            balance.append({"label": _chapter_label(story, i) if len(story.chapters) > 1 and i >= 0 else "Story",
                            "pct": round(100 * n.value), "anchor": s, "flag": n.level == "suggestion"})
            anchors.add(s)
        if n.level != "suggestion":
            continue
        groups.setdefault(n.kind, []).append(_note(story, n, anchors))
    order = list(CRAFT_HEADINGS)
    out = [{"kind": k, "heading": CRAFT_HEADINGS.get(k, k.replace("_", " ").capitalize()), "notes": v}
           for k, v in sorted(groups.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99)]
    return out, balance, anchors


def _note(story: Story, n: CraftNote, anchors: set[int]) -> dict[str, Any]:
    places = []
    for s, e in n.places[:MAX_PLACES]:
        anchors.add(s)
        places.append({"anchor": s, "label": _place_label(story, s, e, n.kind)})
    return {"message": n.message, "places": places, "more": max(0, len(n.places) - MAX_PLACES)}


# ------------------------------------------------------------------------------------------------ render


def _speaker_css(colours: Mapping[str, str]) -> tuple[dict[str, str], Markup]:
    """A CSS class per speaker and the rules that colour them (colours come from :data:`PALETTE` only)."""
    classes: dict[str, str] = {}
    rules = []
    for i, (cid, colour) in enumerate(colours.items()):
        classes[cid] = f"s{i}"
        r, g, b = (int(colour[k:k + 2], 16) for k in (1, 3, 5))
        rules.append(f".s{i}{{--c:{colour};--bg:rgba({r},{g},{b},0.13)}}")
    return classes, Markup("\n".join(rules))


def context(story: Story) -> dict[str, Any]:
    """Everything the template shows, as plain values (useful to test without parsing HTML)."""
    colours = _colours(story)
    names = display_names(story)  # once: telling shared names apart walks every quotation and mention
    classes, speaker_css = _speaker_css(colours)
    rels = sorted(story.relationships, key=lambda r: (-(r.turns.a_to_b + r.turns.b_to_a), r.span[0]))
    cards = [_relationship(story, r, colours, names) for r in rels]
    craft, balance, anchors = _craft(story)
    arc = arc_words(story)
    if arc is not None and arc["turn_offset"] is not None and arc["turn_quote"] is None:
        anchors.add(int(arc["turn_offset"]))
    if arc is not None and arc["turn_offset"] is not None:
        end = arc["turn_end"] if arc["turn_end"] and arc["turn_end"] > arc["turn_offset"] else None
        arc["turn_text"] = snippet(story.text[arc["turn_offset"]:end or arc["turn_offset"] + 200], 120)
    sections = _pov(story, colours, names)
    anchors.update(s["anchor"] for s in sections)
    cast = _cast(story, colours, names)
    return {
        "version": __version__,
        "header": _header(story),
        "chapters": _chapters(story),
        "sections": sections,
        "cast": cast[:MAX_CAST],
        "cast_more": cast[MAX_CAST:],
        "mentioned": [c.name for c in story.mentioned],
        "unknown_colour": UNKNOWN,
        "quotes": sum(1 for q in story.quotes if q.said),
        "attributed": sum(1 for q in story.quotes if q.speaker),
        "arc_svg": arc_svg(story, colours, names),
        "arc_legend": [(label, colour) for label, colour, _, _ in arc_lines(story, colours, names)],
        "arc": arc,
        "relationships": cards[:MAX_CARDS],
        "relationships_more": cards[MAX_CARDS:],
        "graph": graph_svg(story, rels, colours, names),
        "craft": craft,
        "balance": balance if len(balance) > 1 else [],
        "balance_one": balance[0] if len(balance) == 1 else None,
        "speaker_css": speaker_css,
        "text": text_html(story, colours, classes, anchors, names),
    }


def render(story: Story) -> str:
    """The report as one HTML document (UTF-8, no external resources, nothing fetched)."""
    js = script()
    return _env().get_template("report.html.j2").render(**context(story), script=Markup(js), csp=csp(js))

