"""Names written another way: a clipped first name ("Col" for Colette) and a name spelled in dialect ("Mithter
Jaggerth" for Mr. Jaggers), joined to the character they stand for after the identity clustering
(:func:`fabula.stages.characters.identity.cluster`)."""

from __future__ import annotations

import re
from bisect import bisect_left
from typing import TYPE_CHECKING

from fabula.lexicon import TITLES, edit_distance, name_prior
from fabula.spans import SpanIndex
from fabula.stages.characters.first_names import is_first_name

if TYPE_CHECKING:
    from fabula.stages.characters.identity import Entity


def merge_clipped_first_names(entities: list[Entity]) -> None:
    """"Col" and "Colette", "Wen" and "Wendell", "Becks" and "Beckett": a bare one-word name that, less a final
    "s", begins the longer first name (a known one of either gender or both, "Kel" and "Kelly"; or an untitled full
    name's first: not "Heintze", a surname) of
    exactly one other character of a compatible gender, by two letters or more, is that character's clipped name.
    A name only ever used to address someone may also end the longer one ("Lana" for Alana)."""
    known = [(f.words[0], o) for o in entities for f in o.forms if f.title is None]
    firsts = [(w.lower(), o) for w, o in known if is_first_name(w) or o.writes_first(w)]
    for e in entities:
        words = {f.words for f in e.forms}
        if len(words) != 1 or len(w := next(iter(words))) != 1 or any(f.title for f in e.forms):
            continue
        stem = w[0].lower()
        stem = stem[:-1] if stem.endswith("s") and len(stem) > 3 else stem
        # a name only ever said to someone may clip the front instead ("Hey, Lana." to Alana)
        said = all(h.vocative for f in e.forms for h in f.hits)
        homes = {
            id(o): o
            for first, o in firsts
            if o is not e
            and (
                (first.startswith(stem) and len(first) >= len(stem) + 2)
                or (said and first.endswith(w[0].lower()) and len(first) >= len(w[0]) + 1)
            )
            and len(first) > len(w[0])
            and (e.gender is None or o.gender in (None, e.gender))
            and {name_prior(w[0]), name_prior(first)} != {"m", "f"}  # "Victor" is not "Victoria"
        }
        if len(stem) >= 3 and len(homes) == 1:
            home = next(iter(homes.values()))
            home.forms.extend(e.forms)
            e.forms = []


#: Words of address that stand for a title's holder ("Your Majesty", "His Highness", "her Ladyship"), and the titles
#: they go with.
HONORIFICS = {
    "majesty": frozenset("king queen emperor empress".split()),
    "highness": frozenset("prince princess".split()),
    "lordship": frozenset(["lord"]),
    "ladyship": frozenset(["lady"]),
    "grace": frozenset("duke duchess archbishop".split()),
}
#: Honorifics that are also first names ("Grace"): one only where every use follows "Your", "His" or "Her".
_NAME_HONORIFICS = frozenset(["grace"])
_POSSESSIVE_BEFORE = re.compile(r"(?i)\b(?:your|his|her)\s+$")


def merge_honorifics(entities: list[Entity], text: str) -> None:
    """"Your Majesty" said to King Aldric is the King: a character known only by an honorific joins the one
    character who holds a title it goes with (:data:`HONORIFICS`), when the story has exactly one such holder. A
    first name that is also an honorific ("Your Grace" to the Duchess; a girl called Grace) is one only where every
    use of it follows "Your", "His" or "Her"."""
    for e in entities:
        words = {f.words for f in e.forms if f.title is None}
        if len(words) != 1 or len(w := next(iter(words))) != 1 or any(f.title for f in e.forms):
            continue
        titles = HONORIFICS.get(w[0].lower())
        if titles is None:
            continue
        if w[0].lower() in _NAME_HONORIFICS and not all(
            _POSSESSIVE_BEFORE.search(text, max(0, h.start - 8), h.start) for f in e.forms for h in f.hits
        ):
            continue
        holders = [
            o
            for o in entities
            if o is not e
            and o.forms
            and any(f.title in titles or (f.title is None and f.words[0].lower() in titles) for f in o.forms)
        ]
        if len(holders) == 1:
            holders[0].forms.extend(e.forms)
            holders[0].variants.extend(e.forms)
            e.forms = []


def merge_dialect_names(entities: list[Entity], qi: SpanIndex[int]) -> None:
    """"Mithter Jaggerth", only ever said inside quotations, is Mr. Jaggers in a lisp: a two-word name whose first
    word is no first name but a spelled-out title within two edits ("mister"), and whose last word is, within two
    edits, the surname of exactly one titled character."""
    long_titles = [t for t in TITLES if len(t) >= 5]
    for e in entities:
        full = [f for f in e.forms if len(f.words) == 2 and f.title is None]
        if not e.named_full or e.titles or not full:
            continue
        w0, w1 = (w.lower() for w in full[0].words)
        if name_prior(w0) is not None or len(w1) < 5 or not any(edit_distance(w0, t) <= 2 for t in long_titles):
            continue
        if any(qi.containing(h.start) < 0 for f in e.forms for h in f.hits):
            continue
        targets = [
            o
            for o in entities
            if o is not e
            and o.titles
            and any(
                len(x) >= 5 and edit_distance(w1, x) <= 2 for x in {f.words[-1].lower() for f in o.forms if f.title}
            )
        ]
        if len(targets) == 1:
            targets[0].forms.extend(e.forms)
            targets[0].variants.extend(e.forms)
            e.forms = []


#: "our ship's cook, Barbecue, as the men called him", "Elizabeth, or Beth, as everyone called her".
_CALLED_BY = re.compile(
    r"\b([A-Z][\w'’]+),?[ \t\n]+as[ \t\n]+(?:the[ \t\n]+\w+|they|everyone|everybody|we|people|folks|all)[ \t\n]+"
    r"(?:called|named|nicknamed)[ \t\n]+(him|her)\b"
)
#: How far back (characters) the name a nickname belongs to may stand in the narration.
_CALLED_REACH = 200


def merge_nicknames_given(entities: list[Entity], text: str) -> None:
    """A one-word name the narration gives as what people call someone ("… Long John Silver, and so the mention
    of his name leads me on to speak of our ship's cook, Barbecue, as the men called him") is a form of the
    nearest character named before it in that sentence, of the pronoun's gender."""
    at = {h.start: e for e in entities for f in e.forms for h in f.hits}
    starts = sorted(at)
    for m in _CALLED_BY.finditer(text):
        nick = at.get(m.start(1))
        if nick is None or len({f.words for f in nick.forms}) != 1:
            continue
        g = "m" if m.group(2) == "him" else "f"
        lo = max(0, m.start() - _CALLED_REACH)
        lo = max([lo, *(i + len(p) for p in (".", "!", "?", "\n\n") if (i := text.rfind(p, lo, m.start())) >= 0)])
        before = starts[bisect_left(starts, lo) : bisect_left(starts, m.start(1))]
        homes = (at[s] for s in reversed(before))
        home = next((e for e in homes if e is not nick and e.forms and e.gender in (None, g)), None)
        if home is not None and nick.gender in (None, g):
            home.forms.extend(nick.forms)
            nick.forms = []
