from __future__ import annotations

from fabula.api import analyze
from fabula.stages.chat import LINE, label_ok
from fabula.story import Story


def _run(text: str) -> Story:
    return analyze(text, input_format="text", upto="attribution")


def _lines(story: Story) -> list[tuple[str | None, str]]:
    names = {c.id: c.name for c in story.characters}
    return [(names.get(q.speaker or ""), story.text[q.start : q.end]) for q in story.quotes]


def test_messages_are_quotations_their_labels_name_the_senders() -> None:
    text = (
        "Wren texted at 2am.\n\n"
        "**Wren:** are you awake\n**Wren:** pls\n**Mia:** I am now. what happened\n\n"
        "I sat up in bed, squinting at the screen.\n\n"
        "**Wren:** he showed up. at my door\n**Mia:** who\n"
    )
    story = _run(text)
    assert _lines(story) == [
        ("Wren", "are you awake"),
        ("Wren", "pls"),
        ("Mia", "I am now. what happened"),
        ("Wren", "he showed up. at my door"),
        ("Mia", "who"),
    ]
    assert {q.type for q in story.quotes} == {"explicit"}
    # the pronoun inside a message is no evidence of the sender's gender
    assert next(c for c in story.characters if c.name == "Wren").gender != "m"


def test_me_is_the_narrator_and_a_label_written_once_counts_beside_messages() -> None:
    text = (
        "My phone buzzed twice before I found it under the pillow.\n\n"
        "Ruth: where are you\nRuth: the bus leaves in ten\nMe: omw\nMe: save me a seat\n"
        "Mom: did you take your lunch\n\nI ignored her.\n"
    )
    story = _run(text)
    narrator = next(c.id for c in story.characters if c.narrator)
    speakers = [q.speaker for q in story.quotes]
    assert speakers[2:4] == [narrator, narrator] and len(speakers) == 5


def test_a_script_in_capitals_names_its_speakers() -> None:
    text = (
        "The office was empty except for Oren.\n\n"
        "OREN: You're late.\nPRIYA: The trains were off.\nOREN: They're always off.\nPRIYA: Then I'm always late.\n"
    )
    assert [s for s, _ in _lines(_run(text))] == ["Oren", "PRIYA", "Oren", "PRIYA"]


def test_a_script_line_with_a_direction_in_brackets_names_its_speaker() -> None:
    text = (
        "INT. KITCHEN - NIGHT\n\nMARCUS (whispering): Get down. Someone's outside.\n\nLENA: I don't hear anything."
        "\n\nMARCUS: That's because you're talking.\n\nLENA (rolling her eyes): Fine.\n"
    )
    assert _lines(_run(text)) == [
        ("MARCUS", "Get down. Someone's outside."),
        ("LENA", "I don't hear anything."),
        ("MARCUS", "That's because you're talking."),
        ("LENA", "Fine."),
    ]


def test_notes_and_headers_are_no_messages() -> None:
    """A label used once ("Note:"), or labels that are English words ("Rating:", "Words:"), make no chat."""
    text = (
        "Note: this chapter is short.\n\nRating: Teen\nWords: 1,200\nRating: again\nWords: more\n\n"
        "The office was empty. Oren sat alone.\n"
    )
    story = analyze(text, input_format="text", upto="quotes")
    assert story.quotes == []


def test_label_forms() -> None:
    for line, name, msg in [
        ("**Jess:** omw", "Jess", "omw"),
        ("**Jess**: omw", "Jess", "omw"),
        ("[Uncle Rafi]: towels", "Uncle Rafi", "towels"),
        ("JESS: Are you awake?", "JESS", "Are you awake?"),
        ("MARCUS (whispering): Get down.", "MARCUS", "Get down."),
        ("[11:42 PM] Jess: are you up", "Jess", "are you up"),
        ("(9:05) Mia: omw", "Mia", "omw"),
        ("**pidgeonhole:** guys", "pidgeonhole", "guys"),
        ("Élodie: omw", "Élodie", "omw"),
        ("__x_lana_x__: same", "x_lana_x", "same"),
    ]:
        m = LINE.match(line)
        assert m is not None and (m.group("name"), m.group("msg")) == (name, msg)
    assert LINE.match("He said to Jess: go") is None  # narration, not a label
    assert LINE.match("pidgeonhole: guys") is None  # a lower-case word is a user name only in bold

    def common(w: str) -> bool:
        return w in {"note", "me", "will"}

    def first(w: str) -> bool:
        return w == "Will"

    assert label_ok("Me", common, first) and label_ok("Will", common, first) and label_ok("Jess", common, first)
    assert not label_ok("Note", common, first) and not label_ok("Me Too", common, first)


def test_user_names_in_bold_label_a_group_chat() -> None:
    """A chat fic's user names ("**pidgeonhole:** guys") are its speakers, although written in lower case."""
    text = (
        "**pidgeonhole:** guys\n**pidgeonhole:** GUYS\n**sharpshooter:** what\n**sharpshooter:** it's 3am\n"
        "**spacedad:** Go to sleep, both of you.\n**spacedad:** Now.\n\nShe put her phone down.\n"
    )
    assert [who for who, _ in _lines(_run(text))] == ["pidgeonhole"] * 2 + ["sharpshooter"] * 2 + ["spacedad"] * 2
