"""Who narrates the raw Project Gutenberg downloads in ../shared/data/real (skipped when absent)."""

from __future__ import annotations

import functools

import pytest
from tests.conftest import DATA, need

import fabula
from fabula.lexicon import DEITIES
from fabula.stages.segment import narrator_headings, paragraphs
from fabula.story import Story

REAL = DATA / "real"


@functools.cache
def _story(name: str) -> Story:
    return fabula.analyze(need(REAL / name))


def _narrators(story: Story) -> set[str]:
    names = {c.id: c.name for c in story.characters}
    return {names[s.narrator] for s in story.sections if s.narrator}


def _narrator_at(story: Story, phrase: str) -> str | None:
    pos = story.text.index(phrase)
    names = {c.id: c.name for c in story.characters}
    # a heading line is not story text (no section holds it): the narrator of what follows it
    sec = next(s for s in story.sections if pos < s.end)
    return names.get(sec.narrator) if sec.narrator else None


def test_treasure_island_jim_narrates_and_the_doctor_takes_over() -> None:
    story = _story("treasure_island.txt")
    assert _narrators(story) == {"Jim Hawkins", "Dr. Livesey"}
    doctor = story.text.index("Narrative Continued by the Doctor: How the Ship")
    assert _narrator_at(story, story.text[doctor : doctor + 60]) == "Dr. Livesey"
    assert _narrator_at(story, "Narrative Continued by the Doctor: End of the First") == "Dr. Livesey"
    assert _narrator_at(story, "Narrative Resumed by Jim Hawkins") == "Jim Hawkins"
    # the late chapters: one the narrator mostly watches (chapter 33), one where he never speaks (chapter 34)
    assert _narrator_at(story, "never was such an overturn in this world") == "Jim Hawkins"
    assert _narrator_at(story, "next morning we fell early to work") == "Jim Hawkins"
    assert all(s.narrator for s in story.sections)


def test_watson_narrates_every_chapter_of_the_hound() -> None:
    """Chapter 2 is mostly a manuscript read aloud and chapter 4 mostly Holmes talking: Watson still narrates."""
    story = _story("hound_of_the_baskervilles.txt")
    assert all(s.person == "first" for s in story.sections)
    assert _narrator_at(story, "I have in my pocket a manuscript") == "Watson"
    assert _narrator_at(story, "Our breakfast table was cleared early") == "Watson"


@pytest.mark.parametrize(
    ("name", "narrator"),
    [("great_expectations.txt", "Pip"), ("hound_of_the_baskervilles.txt", "Watson")],
)
def test_one_narrator_named(name: str, narrator: str) -> None:
    found = _narrators(_story(name))
    assert len(found) == 1
    assert narrator in next(iter(found)).split()


def test_little_women_has_no_narrator() -> None:
    """Its letters and Jo's journal are first person, but nobody narrates the novel."""
    story = _story("little_women.txt")
    assert _narrators(story) == set()
    assert not any(c.narrator for c in story.characters)


def test_no_character_from_the_licence() -> None:
    for name in ("treasure_island.txt", "great_expectations.txt", "hound_of_the_baskervilles.txt"):
        story = _story(name)
        cast = {c.name for c in story.characters}
        assert not cast & {"Project", "Project Gutenberg", "Gutenberg", "Foundation", "Michael Hart"}


@pytest.mark.parametrize(
    "name", ["treasure_island.txt", "little_women.txt", "great_expectations.txt", "hound_of_the_baskervilles.txt"]
)
def test_the_licence_is_no_story(name: str) -> None:
    story = _story(name)
    end = story.text.index("*** END OF TH")
    licence = next(n for n in story.nonstory if n.start <= end < n.end)
    assert licence.end == len(story.text)
    assert all(s.end <= licence.start for s in story.sections)
    assert all(q.end <= licence.start for q in story.quotes)


@pytest.mark.parametrize(
    ("name", "not_people"),
    [
        ("great_expectations.txt", {"Halloa", "Hereupon", "Hereupon Startop"}),  # "Halloa, Pip!"
        ("treasure_island.txt", {"the squire in the same breath", "Admiral Benbow", "England", "King George", "Long Tom"}),
        ("hound_of_the_baskervilles.txt", {"Project", "Project Gutenberg"}),
        ("little_women.txt", {"For Jo", "For Amy", "Prut"}),
    ],
)
def test_no_interjection_or_description_in_the_cast(name: str, not_people: set[str]) -> None:
    story = _story(name)
    written = {c.name for c in story.characters} | {a for c in story.characters for a in c.aliases}
    assert not written & not_people


@pytest.mark.parametrize("name", ["great_expectations.txt", "treasure_island.txt", "little_women.txt"])
def test_mentioned_lists_names_not_descriptions(name: str) -> None:
    """Only named people are "mentioned"; a description that ended with no line ("my sister") is no one."""
    story = _story(name)
    # every entry is a name the person model judged (a description attribution made has no such judgement), or a
    # god's name (listed as a god's, not judged)
    judged = [c for c in story.mentioned if c.name not in DEITIES]
    assert judged and all(c.person is not None for c in judged), [c.name for c in story.mentioned]


def test_the_marches_are_people_in_little_women() -> None:
    """"Mrs. March" (the girls' mother) and "Aunt March" are characters, though "March" is also a month."""
    names = {c.name for c in _story("little_women.txt").characters}
    assert {"Mrs. March", "Aunt March"} <= names


def test_silver_is_called_by_his_surname() -> None:
    """The cast shows "John Silver" (the narration says "Silver" two hundred times), not "Long John"."""
    names = {c.name for c in _story("treasure_island.txt").characters}
    assert "John Silver" in names and "Long John" not in names
    # "our ship's cook, Barbecue, as the men called him" is Silver too, not a second cook
    silver = next(c for c in _story("treasure_island.txt").characters if c.name == "John Silver")
    assert "Barbecue" in silver.aliases and "Barbecue" not in names


def test_the_professor_is_bhaer() -> None:
    """"the Professor", "Professor Bhaer", "Mr. Bhaer" and "Friedrich Bhaer" are one man in Little Women."""
    story = _story("little_women.txt")
    ids = {c.id for c in story.characters if {"Professor Bhaer", "Mr. Bhaer", "Friedrich Bhaer"} & {c.name, *c.aliases}}
    assert len(ids) == 1 and not any(c.name == "the Professor" for c in story.characters)


def test_one_john_brooke_in_little_women() -> None:
    """"John", "Mr. Brooke" and "John Brooke" are one man (Meg: "Mr. Brooke. I call him 'John' now")."""
    story = _story("little_women.txt")
    ids = {c.id for c in story.characters if {"John", "Mr. Brooke", "John Brooke"} & {c.name, *c.aliases}}
    assert len(ids) == 1


def test_the_squire_speaks_in_the_same_breath() -> None:
    story = _story("treasure_island.txt")
    names = {c.id: c.name for c in story.characters}
    pos = story.text.index("“And now, Livesey,” said the squire in the same breath")
    q = next(q for q in story.quotes if q.start <= pos + 2 < q.end)
    assert names.get(q.speaker or "") == "Mr. Trelawney"


def test_narrator_headings_are_found() -> None:
    text = (
        "I.\n\nI walked to the shore. \"Is it far?\" I asked.\n\n\"Not far,\" said Tom.\n\n"
        "II.\n\nNarrative Continued by Tom Reed\n\nI had watched him go. \"Wait,\" I called.\n\n"
        "\"What?\" said the boy.\n"
    )
    heads = narrator_headings(text, paragraphs(text))
    assert [text[h.start : h.end] for h in heads] == ["Narrative Continued by Tom Reed"]
