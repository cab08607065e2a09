"""Mentions, written texts and verse nobody sings carry no emotion and no act, and downstream counts them as no
line of dialogue; a song a character sings stays their utterance (issue 19)."""

from __future__ import annotations

from fabula.api import analyze
from fabula.stages.arcs import quote_point
from fabula.story import NOT_SPEECH, Story
from fabula.writers.html import dialogue_words

WRAP = (
    "The harbour was quiet that evening and the lamps burned low along the wall,\n"
    "while the boats knocked softly together in the dark water below the steps.\n\n"
)
SCENE = (
    WRAP * 4
    + 'Wren had never liked the word "society", nor the boat they called "Gull".\n\n'
    + "Next morning she received the following reply by hand:\n\n"
    '"Harbour House,"\n\n"Tuesday."\n\n"Dear Miss Hollis,"\n\n'
    '"You should not have written to me in such a way. I hate lies and I will not forgive them."\n\n'
    '"Yours truly,"\n\n"T. MARSH."\n\n'
    + WRAP * 2
    + "Then Wren folded her hands and began:\n\n"
    '    "The lamp is lit upon the hill,\n'
    '    The gulls are gone, the sea is still."\n\n'
    + WRAP * 2
    + "Tobias leaned on the rail, and he sang the old song he always sang:\n\n"
    '    "Bring the lamp and light the way,\n'
    '    Home again by break of day!"\n\n'
    + '"Please stop that dreadful noise," said Wren. "I beg you!"\n\n"Never," said Tobias, laughing.\n'
)


def _story() -> Story:
    return analyze(SCENE, input_format="text")


def test_mentions_letters_and_verse_carry_no_emotion_nor_act() -> None:
    story = _story()
    typed = {q.type for q in story.quotes if q.type in NOT_SPEECH}
    assert typed == {"mention", "written", "verse"}  # the scene has each kind
    for q in story.quotes:
        if q.type in NOT_SPEECH:
            assert q.speaker is None and q.emotion is None and q.act is None, story.text[q.start : q.end]
            assert quote_point(q) is None  # no point on the emotional arc
            assert not q.said


def test_speech_and_a_sung_song_keep_emotion_and_act() -> None:
    story = _story()
    said = {story.text[q.start : q.end]: q for q in story.quotes if q.said}
    song = next(q for t, q in said.items() if t.startswith("Bring the lamp"))
    assert song.speaker is not None and song.emotion is not None and song.act is not None
    plea = next(q for t, q in said.items() if t.startswith("Please stop"))
    assert plea.emotion is not None and plea.act == "plea"
    assert all(q.emotion is not None and q.act is not None for q in said.values())


def test_reports_count_only_lines_of_dialogue() -> None:
    story = _story()
    spoken, _ = dialogue_words(story)
    said_words = sum(len(story.text[a:b].split()) for q in story.quotes if q.said for a, b in q.spans)
    all_words = sum(len(story.text[a:b].split()) for q in story.quotes for a, b in q.spans)
    assert spoken == said_words < all_words
    # the letter's six quoted paragraphs are no run of untagged dialogue lines
    assert not [n for n in story.craft_notes if n.kind == "untagged_run"]
