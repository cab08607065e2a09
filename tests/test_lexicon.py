"""The shared English word lists: the two speech-verb lists stay as documented, the regexes match their words."""

from __future__ import annotations

from fabula.lexicon import (
    QUOTE_TAG_VERBS,
    SAY_BEFORE_RE,
    SPEECH_VERB_RE,
    SPEECH_VERBS,
    TITLES,
    canon_first,
    first_readings,
    title_class,
    title_gender,
)


def test_quote_tag_verbs_are_speech_verbs_but_two() -> None:
    """The quotes stage's list is the characters stage's, but for two forms (see the lexicon's docstring)."""
    assert len(set(QUOTE_TAG_VERBS)) == len(QUOTE_TAG_VERBS)
    assert set(QUOTE_TAG_VERBS) - SPEECH_VERBS == {"calls", "cried out"}
    assert {"said", "went on", "whispered", "smiled", "nodded"} <= SPEECH_VERBS


def test_speech_verb_regexes_match_whole_words() -> None:
    for verb in QUOTE_TAG_VERBS:
        assert SPEECH_VERB_RE.fullmatch(verb), verb
        assert SAY_BEFORE_RE.search(f"and then she {verb}, "), verb
    assert not SPEECH_VERB_RE.search("unsaid resaid")
    assert SAY_BEFORE_RE.search("he was saying:\n")
    assert not SAY_BEFORE_RE.search("said the word")


def test_title_helpers() -> None:
    assert title_gender("mrs") == "f" and title_gender("sir") == "m" and title_gender("dr") is None
    assert title_class("mme") == "mrs" and title_class("mlle") == "miss" and title_class("herr") == "mr"
    assert {"mr", "lady", "inspector"} <= TITLES
    assert canon_first("Lizzy") == "elizabeth" and canon_first("Ali") == "ali"


def test_first_readings_put_the_nickname_table_first() -> None:
    assert first_readings("Ned") == ("edward", "edmund", "edwin")
    assert first_readings("Emma") == ("emma",)


def test_a_doubled_nickname_reads_as_its_half() -> None:
    assert canon_first("Jojo") == canon_first("Jo") == "josephine"
    assert canon_first("Mimi") == "mimi"  # no table entry for its half: the word itself
