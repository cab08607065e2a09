"""Who narrates the raw Project Gutenberg downloads in ../shared/data/real (skipped when absent)."""

from __future__ import annotations

import functools

import pytest
from tests.conftest import DATA, need

import fabula
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


def test_narrator_headings_are_found() -> None:
    text = (
        "I.\n\nI walked to the shore. \"Is it far?\" I asked.\n\n\"Not far,\" said Tom.\n\n"
        "II.\n\nNarrative Continued by Tom Reed\n\nI had watched him go. \"Wait,\" I called.\n\n"
        "\"What?\" said the boy.\n"
    )
    heads = narrator_headings(text, paragraphs(text))
    assert [text[h.start : h.end] for h in heads] == ["Narrative Continued by Tom Reed"]
