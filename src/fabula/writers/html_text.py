"""The reader view of the HTML report: the story text, escaped, with quotations marked by speaker.

Each quotation sub-span is a ``<span class="q sN">`` (``sN`` the speaker's colour class). Its first piece carries
the speaker's name (``data-who``, shown before it by CSS), the hover card's text (``data-tip``), an ``id`` to link
to and ``tabindex`` for the keyboard; its last piece the dominant feeling (``data-feel``, shown after it by CSS).
Low-confidence attributions get the class ``low``. Marks are CSS generated content, so the text nodes of the
view are exactly ``Story.text``; chapter and scene anchors and breaks are empty elements.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from markupsafe import Markup, escape

from fabula.story import Quote, Story
from fabula.writers.names import display_names

LOW_CONFIDENCE = 0.5
ACTS = {"question": "asks", "request": "asks for something", "plea": "pleads", "command": "orders",
        "refusal": "refuses", "apology": "apologises", "accusation": "accuses", "declaration": "declares",
        "threat": "threatens", "agreement": "agrees", "thanks": "thanks", "statement": "states"}
TYPES = {"explicit": "named in a tag", "anaphoric": "tagged by a pronoun or description", "implicit": "untagged",
         "none": "not attributed"}


#: What a quotation with no speaker is, by its type (the hover card says it instead of "unknown speaker").
NO_SPEAKER = {"group": "several voices at once", "mention": "a quoted word or title", "written": "written text",
              "verse": "verse", "unsaid": "words not said aloud", "reported": "speech reported"}


def quote_title(q: Quote, names: Mapping[str, str]) -> str:
    """The hover card: ``speaker → addressees · feeling · act · how sure``."""
    speaker = names.get(q.speaker, q.speaker) if q.speaker else NO_SPEAKER.get(q.type, "unknown speaker")
    to = ", ".join(names.get(a, a) for a in q.addressees)
    parts = [f"{speaker} → {to}" if to else speaker]
    if q.emotion is not None:
        parts.append(f"feeling: {q.emotion.top}")
    if q.act:
        parts.append(f"act: {ACTS.get(q.act, q.act)}")
    if q.speaker and q.type != "none":
        sure = "low confidence" if q.confidence < LOW_CONFIDENCE else "confidence"
        parts.append(f"{sure} {round(q.confidence * 100)}% ({TYPES.get(q.type, q.type)})")
    return " · ".join(parts)


def feeling(q: Quote) -> str | None:
    """The quotation's dominant feeling, or None when neutral or unknown."""
    if q.emotion is None or q.emotion.top in ("neutral", ""):
        return None
    return q.emotion.top


def text_html(story: Story, colours: Mapping[str, str] | None = None, classes: Mapping[str, str] | None = None,
              anchors: Collection[int] = (), names: Mapping[str, str] | None = None) -> Markup:
    """The story text, escaped: quotation sub-spans marked per speaker (``classes``: id -> CSS class; without
    it, inline colours from ``colours``), thoughts in italics, non-story blocks greyed, chapter and scene
    breaks, and an empty ``<span id="at-N">`` at each offset of ``anchors``. Overlaps are handled by a sweep
    over all span boundaries (the innermost quotation wins)."""
    colours = colours or {}
    names = names if names is not None else display_names(story)
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
    marks: dict[int, list[str]] = {}
    for i, c in enumerate(story.chapters):
        marks.setdefault(c.start, []).append(f'<span class="chap" id="ch-{i + 1}"></span>')
    chapter_starts = {c.start for c in story.chapters}
    for i, sc in enumerate(story.scenes):
        if i and sc.start not in chapter_starts:
            marks.setdefault(sc.start, []).append('<span class="scene" role="separator"></span>')
    for a in anchors:
        if 0 <= a <= n:
            marks.setdefault(a, []).append(f'<span id="at-{int(a)}"></span>')
    bounds.update(p for p in marks if p <= n)
    heads = [str(escape(quote_title(q, names))) for q in story.quotes]
    quote_class = []
    for q in story.quotes:
        cls = (classes or {}).get(q.speaker or "", "s-unknown")
        if q.speaker and q.confidence < LOW_CONFIDENCE:
            cls += " low"
        quote_class.append(cls)
    first_piece = {qi: q.spans[0][0] for qi, q in enumerate(story.quotes) if q.spans}
    last_piece = {qi: q.spans[-1][1] for qi, q in enumerate(story.quotes) if q.spans}
    active: dict[str, dict[int, int]] = {"q": {}, "ns": {}, "th": {}}
    ordered = sorted(bounds)
    out: list[str] = []
    for k, pos in enumerate(ordered[:-1]):
        for cat, i in ends.get(pos, ()):
            active[cat].pop(i, None)
        for cat, i in starts.get(pos, ()):
            active[cat][i] = pos
        out.extend(marks.get(pos, ()))
        nxt = ordered[k + 1]
        seg = str(escape(text[pos:nxt]))
        if active["q"]:
            qi = max(active["q"], key=lambda i: (active["q"][i], i))
            q = story.quotes[qi]
            attrs = [f'class="q {quote_class[qi]}"', f'data-q="{q.id}"']
            if not classes:
                colour = colours.get(q.speaker, "#767676") if q.speaker else "#767676"
                attrs.append(f'style="border-bottom:2px solid {colour}"')
            if pos == first_piece.get(qi):
                who = escape(names.get(q.speaker, q.speaker)) if q.speaker else "?"
                attrs += [f'id="q-{q.id}"', 'tabindex="0"', f'data-who="{who}"', f'data-tip="{heads[qi]}"',
                          'aria-describedby="tip"']
            if nxt == last_piece.get(qi) and (feel := feeling(q)) is not None:
                attrs.append(f'data-feel="{escape(feel)}"')
            seg = f'<span {" ".join(attrs)}>{seg}</span>'
        if active["th"]:
            seg = f'<em class="th">{seg}</em>'
        if active["ns"]:
            ns = story.nonstory[min(active["ns"])]
            label = f' data-kind="{escape(ns.kind.replace("_", " "))}"' if pos == ns.start else ""
            seg = f'<span class="ns ns-{escape(ns.kind)}"{label}>{seg}</span>'
        out.append(seg)
    out.extend(marks.get(n, ()))
    return Markup("".join(out))
