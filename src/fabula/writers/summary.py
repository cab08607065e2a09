"""A readable summary of an analysed Story for the terminal: the cast, the narrator, the dialogue share, the
top feelings, the main relationships in a sentence each, and the craft notes most worth a look.

``render(story, width=..., color=...) -> str`` only reads a finished Story (``fabula analyze story.txt`` with no
``--output`` prints it). Built with rich; without colour it is plain text.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Mapping

from rich.console import Console
from rich.table import Table
from rich.text import Text

from fabula.story import CraftNote, Story
from fabula.writers.html import dialogue_words, title
from fabula.writers.names import display_names

MAX_CAST = 8
MAX_RELATIONSHIPS = 3
MAX_NOTES = 5
SENTENCE_RE = re.compile(r"(?<=[.!?…”])\s+(?=[A-Z])")
NOTE_ORDER = ("misspelling", "pov_switch", "untagged_run", "tense_drift", "tag_verbs", "tag_adverbs",
              "dialogue_balance", "echo")


def _first_sentence(text: str) -> str:
    return SENTENCE_RE.split(text.strip(), maxsplit=1)[0]


def _cast_table(story: Story, names: Mapping[str, str]) -> Table:
    words: Counter[str] = Counter()
    lines: Counter[str] = Counter()
    feelings: dict[str, Counter[str]] = {}
    for q in story.quotes:
        if q.speaker:
            lines[q.speaker] += 1
            words[q.speaker] += sum(len(story.text[s:e].split()) for s, e in q.spans)
            if q.emotion is not None and q.emotion.top != "neutral":
                feelings.setdefault(q.speaker, Counter())[q.emotion.top] += 1
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    table.add_column("Character")
    table.add_column("Words spoken", justify="right")
    table.add_column("Lines", justify="right")
    table.add_column("Top feelings")
    cast = sorted(story.characters, key=lambda c: (-words[c.id], -lines[c.id], c.name))
    for c in cast[:MAX_CAST]:
        name = names[c.id] + (" (narrator)" if c.narrator else "")
        top = ", ".join(f for f, _ in feelings.get(c.id, Counter()).most_common(3)) or "–"
        table.add_row(name, f"{words[c.id]:,}", f"{lines[c.id]:,}", top)
    if len(cast) > MAX_CAST:
        table.add_row(Text(f"… and {len(cast) - MAX_CAST} more", style="dim"), "", "", "")
    return table


def render(story: Story, width: int = 100, color: bool = False) -> str:
    """The summary as text (``color=True``: with ANSI styles)."""
    buf = io.StringIO()
    con = Console(file=buf, width=width, color_system="standard" if color else None, force_terminal=color,
                  highlight=False, soft_wrap=False)
    spoken, total = dialogue_words(story)
    con.print(Text(title(story), style="bold"))
    author = story.meta.get("author")
    facts = [f"{total:,} words", f"{round(100 * spoken / total) if total else 0}% dialogue",
             f"{sum(1 for q in story.quotes if q.said):,} lines of dialogue"]
    if len(story.chapters) > 1:
        facts.insert(1, f"{len(story.chapters)} chapters")
    con.print((f"by {author} · " if isinstance(author, str) and author else "") + " · ".join(facts))
    names = display_names(story)
    narrators = list(dict.fromkeys(names.get(s.narrator, s.narrator) for s in story.sections if s.narrator))
    persons = Counter(s.person for s in story.sections if s.person != "unknown")
    if narrators:
        con.print(f"Narrated by {', '.join(narrators)} (first person)")
    elif persons:
        con.print(f"Told in the {persons.most_common(1)[0][0]} person")
    con.print()
    if story.characters:
        con.print(Text("Cast", style="bold underline"))
        con.print(_cast_table(story, names))
        con.print()
    feelings = Counter(q.emotion.top for q in story.quotes if q.emotion is not None and q.emotion.top != "neutral")
    if feelings:
        con.print(Text("Top feelings in the dialogue: ", style="bold"),
                  ", ".join(f"{f} ({n})" for f, n in feelings.most_common(5)))
        con.print()
    rels = sorted(story.relationships, key=lambda r: -(r.turns.a_to_b + r.turns.b_to_a))[:MAX_RELATIONSHIPS]
    if rels:
        con.print(Text("Main relationships", style="bold underline"))
        for r in rels:
            pair = f"{names.get(r.a) or r.names.get(r.a, r.a)} & {names.get(r.b) or r.names.get(r.b, r.b)}"
            sentence = _first_sentence(r.narrative.text) if r.narrative is not None else r.summary
            con.print(Text("• ") + Text(pair, style="bold") + Text(f" ({r.turns.a_to_b + r.turns.b_to_a} turns): ")
                      + Text(sentence))
        con.print()
    notes = [n for n in story.craft_notes if n.level == "suggestion" and n.kind != "misspelling"]
    spelling = [n for n in story.craft_notes if n.kind == "misspelling"]
    if spelling:
        words = ", ".join(f"“{n.examples[0]}”" for n in spelling if n.examples)
        notes.insert(0, CraftNote("misspelling", "suggestion", f"Check the spelling of {words}.",
                                  [p for n in spelling for p in n.places]))
    notes.sort(key=lambda n: (NOTE_ORDER.index(n.kind) if n.kind in NOTE_ORDER else len(NOTE_ORDER),
                              -len(n.places)))
    if notes:
        con.print(Text("Craft notes", style="bold underline"))
        for n in notes[:MAX_NOTES]:
            con.print(Text("• ") + Text(n.message))
        if len(notes) > MAX_NOTES:
            con.print(Text(f"  … {len(notes) - MAX_NOTES} more in the HTML report (--format html)", style="dim"))
    return buf.getvalue()
