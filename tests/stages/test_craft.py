"""Craft notes on short scenes written for them: each rule finds what it should, where it is, and nothing in
clean prose."""

from __future__ import annotations

from fabula import api
from fabula.stages import craft
from fabula.story import CraftNote, Story


def _notes(text: str) -> list[CraftNote]:
    story = api.analyze(text, upto="attribution")
    craft.run(story)
    return story.craft_notes


def _kind(notes: list[CraftNote], kind: str) -> list[CraftNote]:
    return [n for n in notes if n.kind == kind]


def _texts(text: str, note: CraftNote) -> list[str]:
    return [text[s:e] for s, e in note.places]


def test_said_bookisms_and_adverbs_in_tags() -> None:
    text = ('"Get out," Tom spits.\n\n"Make me," Anna snaps.\n\n"Fine," Tom says quietly.\n\n'
            '"Good," Anna said.\n\n"Go," Tom hissed angrily.\n')
    notes = _notes(text)
    (verbs,) = _kind(notes, "tag_verbs")
    assert verbs.level == "suggestion"
    assert {"spits", "snaps", "hissed"} <= set(_texts(text, verbs))
    assert "said" not in _texts(text, verbs) and "says" not in _texts(text, verbs)
    (adverbs,) = _kind(notes, "tag_adverbs")
    assert "says quietly" in adverbs.examples and "hissed angrily" in adverbs.examples
    assert all("ly" in text[s:e] for s, e in adverbs.places)


def test_plain_tags_give_no_suggestion() -> None:
    text = '"Come in," Anna said.\n\n"Thank you," Tom said.\n\n"Tea?" she asked.\n'
    notes = _notes(text)
    assert not _kind(notes, "tag_verbs") and not _kind(notes, "tag_adverbs")


def test_a_long_run_of_bare_lines() -> None:
    lines = ["Where were you?", "Out.", "Out where?", "Just out.", "With him?", "Does it matter?", "Yes.",
             "Then yes."]
    text = 'Anna looked up from the table when Tom came in.\n\n' + "\n\n".join(f'"{x}"' for x in lines) + \
        "\n\nTom sat down.\n"
    (run,) = _kind(_notes(text), "untagged_run")
    assert run.value == len(lines)
    (s, e), = run.places
    assert text[s:e].startswith('"Where were you?"') and text[s:e].endswith('"Then yes."')
    short = 'Anna looked up.\n\n"Hi."\n\n"Hi."\n\nTom sat down.\n'
    assert not _kind(_notes(short), "untagged_run")


def test_web_fiction_misspellings() -> None:
    text = "I thought alot about it. Atleast she stood infront of me. Ofcourse I dont know. I've no idea.\n"
    notes = _kind(_notes(text), "misspelling")
    found = {n.examples[0].lower() for n in notes}
    assert found == {"alot", "atleast", "infront", "ofcourse", "dont"}
    for n in notes:
        assert all(text[s:e].lower() == n.examples[0].lower() for s, e in n.places)
    assert any("a lot" in n.message for n in notes)


def test_an_echoed_phrase_within_a_few_lines() -> None:
    text = ("She stared at the empty harbour for a long time. The boats were gone.\n\n"
            "Later she stared at the empty harbour again, waiting.\n")
    (echo,) = _kind(_notes(text), "echo")
    first, second = _texts(text, echo)
    assert first.lower() == second.lower()
    assert echo.places[0][0] < echo.places[1][0]
    far = text.replace("The boats were gone.", "The boats were gone. " + "Nothing moved. " * 60)
    assert not _kind(_notes(far), "echo")


def test_tense_drift_in_present_narration() -> None:
    text = ("I walk into the kitchen. She looks up at me. I sit down at the table. I pour the coffee. "
            "He walked to the window. I wait for her to speak.\n")
    story = api.analyze(text, upto="attribution")
    assert story.sections and story.sections[0].tense == "present"
    craft.run(story)
    (drift,) = _kind(story.craft_notes, "tense_drift")
    assert [text[s:e] for s, e in drift.places] == ["He walked to the window."]


def test_pov_switch_without_a_break() -> None:
    story = Story(text="I walk in. I see her.\nShe walked out. She saw him.\n")
    from fabula.story import Section, Span

    story.paragraphs = [Span(0, 21), Span(22, 50)]
    story.sections = [Section(0, 21, "first", "present"), Section(22, 50, "third", "past")]
    story.scenes = [Span(0, 50)]
    craft.run(story)
    (pov,) = _kind(story.craft_notes, "pov_switch")
    assert pov.places[0][0] == 22 and "first person" in pov.message and "third person" in pov.message
    story.scenes = [Span(0, 21), Span(22, 50)]
    craft.run(story)
    assert not _kind(story.craft_notes, "pov_switch")


def test_dialogue_balance_per_chapter() -> None:
    text = ("Chapter 1\n\n" + "The wind moved over the moor and nobody spoke. " * 10 + "\n\n"
            "Chapter 2\n\n" + '"Yes," she said. "No," he said. "Why not?" she asked. "Because," he said.\n')
    notes = _kind(_notes(text), "dialogue_balance")
    assert len(notes) == 2
    assert notes[0].value == 0.0 and notes[1].value is not None and notes[1].value > 0.3
    assert all(n.message for n in notes)


def test_a_long_s_is_no_misspelling_and_no_crash() -> None:
    from fabula.api import analyze

    story = analyze("She wrote ſeperate letters to them all, and alot of them came back.", input_format="text")
    words = [w for n in story.craft_notes if n.kind == "misspelling" for w in n.examples]
    assert words == ["alot"]
