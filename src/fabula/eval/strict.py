"""Strict identity scoring: each predicted character stands for exactly one gold character, or for none.

A predicted character maps to the gold character that its main name identifies, else the one most of its aliases
identify (ties: alias order). A name identifies a gold character when, normalised as the evaluation normalises
names, it is that character's main name and no other's, or else an alias (or main name) of that character alone.
A predicted character that merges two people therefore maps to one of them and is wrong for the other's lines.
fabula's narrator with no identifying name maps to an unnamed gold first-person narrator (LitBank's "I").

Gold speaker and addressee labels resolve to gold characters the way ``GoldNovel.names_of`` does (main name or
alias, case-insensitively); a label that names no listed character becomes an identity of its own.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from fabula.corpora.align import norm_name
from fabula.corpora.novels import GoldNovel
from fabula.story import Character

#: Predicted names that identify nobody (pronoun aliases, the unnamed narrator).
UNNAMED = frozenset({"", "i", "he", "she", "the narrator", "narrator"})
#: The gold speaker of a line said by several voices at once (our scenes' annotation): no character is it, and a
#: quotation fabula types ``group`` with no speaker is right for it (:func:`fabula.eval.attribution.score_novel`).
GROUP = "_group"
#: Gold names that identify nobody (PDNC's narrator marker).
GOLD_UNNAMED = frozenset({"", "_narr", "narr"})


@dataclass(slots=True)
class GoldCast:
    """The gold identities of one novel and the strict map from predicted characters onto them."""

    keys: list[str] = field(default_factory=list)
    named: set[str] = field(default_factory=set)  # keys of listed gold characters (not bare labels)
    main: dict[str, set[str]] = field(default_factory=dict)  # normalised main name -> keys
    any_name: dict[str, set[str]] = field(default_factory=dict)  # normalised main name or alias -> keys
    labels: dict[str, str] = field(default_factory=dict)  # lower-cased label -> key
    first_person: str | None = None  # the key of an unnamed gold narrator ("I", "Narrator"), if any

    @classmethod
    def of(cls, nov: GoldNovel) -> GoldCast:
        cast = cls()
        for c in nov.characters:
            key = f"#{c.id}"
            cast._add(key, c.name, c.aliases)
            cast.named.add(key)
        for q in nov.quotes:
            for label in (q.speaker, *q.addressees):
                if label and cast.resolve(label) is None:
                    cast._add(f"?{label.strip().lower()}", label, ())
        i_keys = cast.main.get("i", set()) | cast.main.get("narrator", set())  # LitBank's "I", our scenes' "Narrator"
        cast.first_person = next(iter(i_keys)) if len(i_keys) == 1 else None
        return cast

    def _add(self, key: str, name: str, aliases: Iterable[str]) -> None:
        self.keys.append(key)
        for label in (name, *aliases):
            self.labels.setdefault(label.strip().lower(), key)
        self.main.setdefault(norm_name(name), set()).add(key)
        for n in {norm_name(x) for x in (name, *aliases)} - GOLD_UNNAMED:
            self.any_name.setdefault(n, set()).add(key)

    def resolve(self, label: str | None) -> str | None:
        """The gold identity a gold speaker/addressee label stands for (None for no label)."""
        if not label:
            return None
        return self.labels.get(label.strip().lower())

    def identify(self, name: str) -> str | None:
        """The one gold character a predicted name identifies, or None (unknown or ambiguous)."""
        n = norm_name(name)
        if n in UNNAMED:
            return None
        for table in (self.main, self.any_name):
            keys = table.get(n, set())
            if len(keys) == 1:
                return next(iter(keys))
            if keys:
                return None
        return None

    def map(self, char: Character | None) -> str | None:
        """The gold identity of a predicted character: the one its main name identifies, else the one most of its
        aliases identify (ties: the first such alias in order; fabula lists aliases alphabetically, so a vote
        keeps "Fitzwilliam" from outvoting "Darcy" and "Mr. Darcy" in "Mr. Fitzwilliam Darcy")."""
        if char is None:
            return None
        key = self.identify(char.name)
        if key is not None:
            return key
        votes = Counter(k for k in map(self.identify, char.aliases) if k is not None)
        if votes:
            return votes.most_common(1)[0][0]
        return self.first_person if char.narrator else None

    def hits(self, char: Character) -> set[str]:
        """Every gold character some name of ``char`` identifies (two or more: a merge)."""
        found = {self.identify(n) for n in (char.name, *char.aliases)}
        return {k for k in found if k is not None}


class StrictJudge:
    """Judges predicted speakers and addressees against gold labels by strict identity."""

    def __init__(self, nov: GoldNovel, characters: Sequence[Character]) -> None:
        self.cast = GoldCast.of(nov)
        self.chars = {c.id: c for c in characters}
        self.mapped = {c.id: self.cast.map(c) for c in characters}

    def speaker(self, gold: str | None, pred: str | None) -> bool:
        """Is the predicted speaker id ``pred`` the gold speaker ``gold``?"""
        want = self.cast.resolve(gold)
        if pred is None or want is None:
            return False
        if self.mapped.get(pred) == want:
            return True
        char = self.chars.get(pred)
        # LitBank's unnamed first-person narrator ("I") is fabula's narrator.
        return bool(char is not None and char.narrator and gold and norm_name(gold) == "i")

    def addressees(self, gold: Iterable[str], pred: Iterable[str]) -> bool:
        """Does some predicted addressee id stand for one of the gold addressees?"""
        want = {self.cast.resolve(g) for g in gold} - {None}
        return bool(want & {self.mapped.get(p) for p in pred})
