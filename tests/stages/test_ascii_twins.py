"""The ASCII twins of the whole-text patterns (faster on ASCII text) match exactly what the patterns match."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fabula.stages import craft, segment
from fabula.stages.characters import names, persons

TWINS = [
    (segment.TOKEN_RE, segment._ASCII_TOKEN_RE),
    (names._LOWER_WORD, names._ASCII_LOWER_WORD),
    (persons._LOWER_WORD, persons._ASCII_LOWER_WORD),
    (craft.WORD_RE, craft._ASCII_WORD_RE),
    (craft._WORD_SPLIT, craft._ASCII_WORD_SPLIT),
    (craft._RUN_RE, craft._ASCII_RUN_RE),
]
SAMPLE = (
    "Mr. O'Brien's dog-cart, don't you see?--'Tis 1_000 o'clock;\tDAN'L's x2 _under_ score.\n\n"
    "\"Well,\" said she, 'it isn't--' \x0b\x1c\x1fend' 'quote A-n-n-e van der Luyden ma'am."
)


def _same(pattern: re.Pattern[str], twin: re.Pattern[str], text: str) -> None:
    assert [m.span() for m in twin.finditer(text)] == [m.span() for m in pattern.finditer(text)]
    assert twin.split(text) == pattern.split(text)


@pytest.mark.parametrize(("pattern", "twin"), TWINS)
def test_twin_matches_the_pattern_on_a_sample(pattern: re.Pattern[str], twin: re.Pattern[str]) -> None:
    _same(pattern, twin, SAMPLE)
    _same(pattern, twin, SAMPLE.lower())
    _same(pattern, twin, "".join(map(chr, range(128))) * 2)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=60))
def test_twins_match_the_patterns_on_any_ascii_text(text: str) -> None:
    for pattern, twin in TWINS:
        _same(pattern, twin, text)
