"""Message and script lines: ``Jess: are you awake``, ``**Jess:** omw``, ``JESS: Are you awake?``.

Web fiction writes a phone chat as one line per message, the sender's name and a colon before it; scripts write
each speech so. Such a line is a quotation with no marks whose label names its speaker (the quotes stage finds the
lines, the attribution stage reads the label as the tag). A label counts when at least two labels open two such
lines or more each in the text, so that a one-off ``Note:`` or ``Warning:`` is no speaker; a line whose label is
written once counts next to such lines ("Mom: dinner" in a chat). A label that is a frequent English word counts
only as a known first name ("Will") or as ``Me`` (the narrator's own phone).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from fabula.lexicon import LATIN_UPPER
from fabula.story import Quote, Span

#: A label at a line's start: one to three capitalised words (or a user name in bold: ``**pidgeonhole:**``), maybe
#: bold (``**Jess:**``, ``**Jess**:``) or bracketed, maybe after the time it was sent (``[11:42 PM] Jess:``), maybe
#: a script's direction in brackets after it (``MARCUS (whispering):``), then a colon and the message.
_LABEL = (
    r"[ \t]*(?:[\[(]?\d{1,2}:\d{2}(?:[ \t]?[AaPp]\.?[Mm]\.?)?[\])]?[ \t]*)?"  # a time first: "[11:42 PM] Jess: hi"
    rf"(?:\*\*|__|\[)?(?P<name>[{LATIN_UPPER}][\w'’.-]*(?:[ \t][{LATIN_UPPER}][\w'’.-]*){{0,2}}?"
    r"|(?<=\*\*|__)[a-z0-9_][\w.-]{1,30}(?=(?:\*\*|__)[ \t]*:|:(?:\*\*|__)))(?:\*\*|__|\])?"
    r"(?:[ \t]*\([^()\n]{1,40}\))?[ \t]*:(?:\*\*|__)?"
)
LINE = re.compile(r"(?m)^" + _LABEL + r"[ \t]*(?P<msg>\S[^\n]*)$")
#: A label alone (what stands on a message's line before it).
LABEL = re.compile(_LABEL + r"[ \t]*")
#: The label a piece of narration ends on (what stands between a message and the one before it).
LABEL_END = re.compile(r"(?:^|\n)" + _LABEL + r"[ \t]*$")
#: The label of the narrator's own messages.
NARRATOR_LABELS = frozenset({"me"})


@dataclass(frozen=True, slots=True)
class ChatLine:
    """One message: the label's name (``name_start``, ``name_end``) and the message (``start``, ``end``)."""

    name_start: int
    name_end: int
    start: int
    end: int


def label_ok(name: str, common: Callable[[str], bool], first_name: Callable[[str], bool]) -> bool:
    """Whether ``name`` may label messages: ``Me``, or words whose first is no ``common`` English word or is a
    ``first_name``."""
    words = name.split()
    first = words[0].lower().rstrip(".")
    if len(name) < 2 or first in NARRATOR_LABELS:
        return len(words) == 1 and first in NARRATOR_LABELS
    return not common(first) or first_name(words[0].title())


def chat_lines(text: str, paras: Sequence[Span], ok: Callable[[str], bool]) -> list[ChatLine]:
    """The message lines of ``paras`` whose labels are ``ok`` (see the module's docstring), in order."""
    found: list[tuple[str, int, ChatLine]] = []  # (label, line number, line)
    n = 0
    for p in paras:
        for m in LINE.finditer(text, p.start, p.end):
            name = m.group("name")
            if not ok(name):
                continue
            end = m.end("msg")
            while end > m.start("msg") and text[end - 1] in " \t*_":
                end -= 1  # "**Jess:** omw**": markup closing the line
            line = ChatLine(m.start("name"), m.end("name"), m.start("msg"), end)
            n += text.count("\n", found[-1][2].end, m.start()) if found else 0
            found.append((name.lower(), n, line))
    counts = Counter(label for label, _, _ in found)
    kept = {label for label, k in counts.items() if k >= 2}
    if len(kept) < 2:
        return []
    rows = {k for label, k, _ in found if label in kept}
    return [line for label, k, line in found if label in kept or k - 1 in rows or k + 1 in rows]


def label_starts(text: str, quotes: Sequence[Quote]) -> set[int]:
    """Where the labels before ``quotes`` begin (``Jess`` in ``**Jess:** omw``): the quotations that are messages."""
    out = set()
    for q in quotes:
        line = text.rfind("\n", 0, q.start) + 1
        m = LABEL.fullmatch(text, line, q.start)
        if m is not None:
            out.add(m.start("name"))
    return out
