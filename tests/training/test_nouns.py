"""The person-noun table's counting (fabula.training.nouns) on an invented text."""

from __future__ import annotations

import re

from fabula.training.nouns import Text, _head, candidates, table

TEXT = "the sergeant came in . the sergeant sat . an instant later the instant passed . the sergeant 's dog barked ."


def _text() -> Text:
    words = [(m.group(), m.start()) for m in re.finditer(r"[A-Za-z][A-Za-z'-]*", TEXT)]
    heads = {m.start() for m in re.finditer("sergeant", TEXT)}
    return Text("invented", words, heads)


def test_head_is_the_last_word_before_a_preposition() -> None:
    s = "the man with the beard"
    assert _head(s, 0, len(s)) == s.index("man")
    assert _head("Mr. Hall", 0, 8) is None  # proper names are not description heads


def test_table_shares_and_candidates() -> None:
    t = _text()
    tab = table([t], min_count=2)
    assert tab["sergeant"] == 1.0 and tab["instant"] == 0.0
    assert "dog" not in tab  # used once: too rare to score
    labels = dict(candidates(t))
    assert labels["sergeant"] is True and labels["instant"] is False
