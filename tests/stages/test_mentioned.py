"""Characters only mentioned (no quotation, nobody's addressee, no narrator, never acting in the narration) go to
``Story.mentioned``, out of the cast, the relationships and the character arcs; their mentions keep their id and the
JSON keeps them."""

from __future__ import annotations

import jsonschema

from fabula import analyze
from fabula.writers.html import render
from fabula.writers.json import from_dict, load_schema, to_dict

# Written for this test: Ruth speaks, Oskar is addressed, Queen Victoria is only talked about.
SCENE = """Ruth set the kettle on the stove and looked across at her brother.

"You have been reading about Queen Victoria again, Oskar," Ruth said. "Victoria this, Victoria that. She has \
been dead for a hundred years."

Oskar only shrugged and turned another page.
"""


def test_only_mentioned_character_leaves_the_cast() -> None:
    story = analyze(SCENE)
    cast = {c.name: c for c in story.characters}
    assert set(cast) == {"Ruth", "Oskar"}
    assert [c.name for c in story.mentioned] == ["Victoria"]
    vic = story.mentioned[0]
    assert vic.quotes == 0 and not vic.narrator
    assert story.character(vic.id) is vic
    assert any(m.character == vic.id for m in story.mentions)
    assert [(story.character(r.a).name, story.character(r.b).name) for r in story.relationships] == [  # type: ignore[union-attr]
        ("Ruth", "Oskar")
    ]
    assert all(vic.id not in (q.speaker, *q.addressees) for q in story.quotes)
    assert story.arcs is not None and vic.id not in story.arcs.characters


def test_mentioned_survives_json_and_shows_in_html() -> None:
    story = analyze(SCENE)
    d = to_dict(story)
    jsonschema.validate(d, load_schema())
    assert [c["name"] for c in d["mentioned"]] == ["Victoria"]
    back = from_dict(d)
    assert back.mentioned == story.mentioned
    assert back.characters == story.characters
    assert "Also mentioned: Victoria" in render(story)


def test_a_doubted_name_only_addressed_leaves_the_cast_and_the_addressees() -> None:
    """A name the person model doubts (a place answered to a question: "Where to? Dunmore.") that nobody but a
    quotation's address makes a participant leaves the cast and the quotations' addressees; a bare "Mister" is
    no name at all."""
    from fabula.stages.attribution import split_mentioned
    from fabula.story import Character, Quote, Story

    story = Story(text="x" * 40)
    story.characters = [
        Character("c0", "Ruth", quotes=1, person=0.9),
        Character("c1", "Dunmore", person=0.4),
        Character("c2", "Oskar", person=0.8),
    ]
    story.quotes = [Quote(id=0, spans=[(0, 10)], speaker="c0", addressees=["c1", "c2"])]
    split_mentioned(story)
    assert [c.name for c in story.characters] == ["Ruth", "Oskar"]
    assert story.quotes[0].addressees == ["c2"]
    mister = analyze('"Mister, sir, Mister--a humble surgeon," said Dr. Hale to Ruth.\n')
    assert "Mister" not in {c.name for c in (*mister.characters, *mister.mentioned)}


def test_a_character_who_acts_but_never_speaks_stays_in_the_cast() -> None:
    """The narration makes Wendell the subject of its verbs twice: he is in the story, though he says nothing;
    Napoleon, only talked about, is not."""
    text = (
        'Ruth set the kettle on the stove. "Napoleon lost at Waterloo," she told the cat.\n\n'
        "Wendell came in from the yard. Wendell looked at the kettle, and then at her, and sat down.\n\n"
        '"It will boil soon," Ruth said.\n'
    )
    story = analyze(text)
    assert "Wendell" in {c.name for c in story.characters}
    assert "Wendell" not in {c.name for c in story.mentioned}
    assert "Napoleon" not in {c.name for c in story.characters}


def test_a_god_is_mentioned_never_cast() -> None:
    """"God knows", "O God, help us", "by Jove": the gods are listed under ``mentioned`` with their mentions, and
    stay out of the cast, the speakers and the addressees; "God-fearing" names no one."""
    text = (
        '"Thank God you came," said Mara. "God knows I tried. O God, help us."\n\n'
        "Mara wept. God knows she had tried. God-fearing Tom nodded.\n\n"
        '"By Jove, we will," said Tom.\n'
    )
    story = analyze(text)
    gods = {c.name: c for c in story.mentioned}
    assert set(gods) == {"God", "Jove"} and gods["God"].mentions == 4
    assert {c.name for c in story.characters} == {"Mara", "Tom"}
    cast = {c.id for c in story.characters}
    assert all(q.speaker in cast and set(q.addressees) <= cast for q in story.quotes)
    said = [text[m.start : m.end] for m in story.mentions if m.character == gods["God"].id]
    assert said == ["God"] * 4
    jsonschema.validate(to_dict(story), load_schema())
