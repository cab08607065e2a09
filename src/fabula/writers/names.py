"""How the writers show characters: one name per character, told apart when two share one."""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter

from fabula.story import Story


def display_names(story: Story) -> dict[str, str]:
    """Each character's name as the report shows it (the cast and those only mentioned). Two that share a name
    ("the man" of chapter 1 and "the man" of chapter 39) are told apart by the chapter where each first speaks
    or is named, "the man (ch. 1)", or in a story of one chapter by their order, "the man (2)"."""
    chars = [*story.characters, *story.mentioned]
    names = {c.id: c.name for c in chars}
    shared = Counter(names.values())
    if all(k < 2 for k in shared.values()):
        return names
    first: dict[str, int] = {}
    for cid, pos in [*((q.speaker, q.start) for q in story.quotes), *((m.character, m.start) for m in story.mentions)]:
        if cid is not None and pos < first.get(cid, len(story.text) + 1):
            first[cid] = pos
    starts = [c.start for c in story.chapters]
    order: Counter[str] = Counter()
    for c in sorted(chars, key=lambda c: first.get(c.id, len(story.text))):
        if shared[c.name] < 2:
            continue
        order[c.name] += 1
        where = f"ch. {max(1, bisect_right(starts, first[c.id]))}" if len(starts) > 1 and c.id in first else ""
        label = f"{c.name} ({where or order[c.name]})"
        names[c.id] = label if label not in names.values() else f"{c.name} ({where}, {order[c.name]})"
    return names
