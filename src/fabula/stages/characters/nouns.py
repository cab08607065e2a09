"""The learned person-noun table: whether a common noun can name a person (``maid``, ``croupier``), not a thing."""

from __future__ import annotations

import functools
import json
from importlib import resources

from fabula.lexicon import (
    NON_PERSON_ENDING,
    PERSON_NOUN_THRESHOLD,
    PERSON_NOUNS_F,
    PERSON_NOUNS_M,
    person_noun,
)


@functools.cache
def _person_nouns() -> dict[str, float]:
    """The learned person-noun table (``fabula/models/persons/person_nouns.json``, see its card)."""
    raw = resources.files("fabula.models").joinpath("persons/person_nouns.json").read_text(encoding="utf-8")
    return {str(k): float(v) for k, v in json.loads(raw).items()}


def personish(head: str) -> bool:
    """Whether a description's head noun can name a person (``croupier``, ``mariner``, ``chairman``), not a thing,
    an abstraction or an adjective (``cross-examination``, ``instant``, ``bitter``): the person lexicon and the
    word's ending, vetoed by the table learned from LitBank when the word is seldom a person's head there. The table
    only vetoes: a head it would add ("the baronet", "the cook") is mostly a named character's epithet, which
    turn-taking gives to that character better than a role of its own would."""
    return person_noun(head, _person_nouns())


def known_person_noun(head: str) -> bool:
    """Whether the person lexicon lists ``head`` or the learned table calls it a person's head ("waitress",
    "nurse", "driver"), not only its ending ("vesper")."""
    return head in PERSON_NOUNS_M or head in PERSON_NOUNS_F or _person_nouns().get(head, 0.0) >= PERSON_NOUN_THRESHOLD


def unlisted_noun(head: str) -> bool:
    """Whether ``head`` is a lower-case word the learned table never saw head any mention (an occupation the
    lexicon lacks: "bailiff", "barista", "pilot") whose ending is not an abstraction's: as the subject of a speech
    tag, a speaker ('"…," said the bailiff'). The table's vetoes ("said the instant") stand."""
    return head.isalpha() and head.islower() and head not in _person_nouns() and not NON_PERSON_ENDING.search(head)


@functools.cache
def common_words() -> frozenset[str]:
    """Frequent lower-case English words (from public-domain novels; built by ``fabula.training.attribution``)."""
    try:
        raw = (
            resources.files("fabula.models")
            .joinpath("attribution/common_words.txt")
            .read_text(encoding="utf-8")
        )
    except (FileNotFoundError, ModuleNotFoundError):
        return frozenset()
    return frozenset(raw.split())
