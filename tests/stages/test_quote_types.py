"""Quotations that are not dialogue (issue 19): mentions, letters and signs, verse; and the speech that is."""

from __future__ import annotations

from fabula.api import analyze
from fabula.story import Quote, Story

WRAP = (
    "The harbour was quiet that evening and the lamps burned low along the wall,\n"
    "while the boats knocked softly together in the dark water below the steps.\n\n"
)


def _typed(text: str, upto: str = "quotes") -> list[tuple[str, str]]:
    story = analyze(text, input_format="text", upto=upto)
    return [(story.text[q.start : q.end], q.type) for q in story.quotes]


def _story(text: str) -> Story:
    return analyze(text, input_format="text", upto="attribution")


def _by_text(text: str) -> dict[str, Quote]:
    """Each quotation of ``text`` (analysed up to attribution) by its words."""
    story = _story(text)
    return {story.text[q.start : q.end]: q for q in story.quotes}


def test_scare_quotes_and_titles_are_mentions() -> None:
    text = (
        'She "ran" the Sewing Circle and read "The Hare and Many Friends" daily. It was what people called '
        '"society." "Duty" always made him sigh.\n\n"Come in," she said.'
    )
    got = dict(_typed(text))
    assert got["ran"] == got["The Hare and Many Friends"] == got["society."] == got["Duty"] == "mention"
    assert got["Come in,"] != "mention"


def test_a_sign_and_an_inscription_are_written() -> None:
    text = 'Over the door someone had painted this inscription: "Mistrust all new clothes." Anna laughed.'
    assert ("Mistrust all new clothes.", "written") in _typed(text)


def test_what_a_sign_or_a_letter_says_is_written() -> None:
    text = (
        'There was a board on two posts that said "MARSH HALT" in white letters.\n\n'
        'By the door hangs a laminated sign that says "NOTICES ONLY", and nobody reads it.\n\n'
        'The first letter began "My dear E., I have burned your last", and went on.\n\n'
        'Pinned to the lapel was a paper ticket that said "PENNOCK - 2nd FITTING - THURS" in pencil.\n\n'
        '"It is a very small station," said Miss Pennock.\n'
    )
    assert [t for _, t in _typed(text)] == ["written", "written", "written", "written", "none"]


def test_speech_after_a_sign_read_in_narration_is_a_quotation_of_its_own() -> None:
    text = (
        'Ivo pointed at the board. The board said "PLUM TART - 3.20" in chalk. "What is a plum tart?"\n\n'
        '"A pie without a lid," said his aunt.\n'
    )
    assert _typed(text)[:2] == [("PLUM TART - 3.20", "written"), ("What is a plum tart?", "none")]


def test_writing_something_down_between_two_spoken_sentences_is_a_beat() -> None:
    text = (
        '"Tell me your street, Mrs. Abara," said Sergeant Okafor.\n\n'
        '"Mill Lane. Number nine." She spelled it slowly.\n\n'
        '"Mill Lane." Okafor wrote it down. "Stay by the phone, madam. We will call you back."\n\n'
        '"Thank you," she wrote. "I will wait for your letter."\n'
    )
    story = _story(text)
    said, letter = (q for q in story.quotes if len(q.spans) == 2)
    assert story.text[said.start : said.end].startswith("Mill Lane.")
    assert said.type not in ("written", "verse", "mention")
    assert letter.type == "written"  # "she wrote." is a letter's tag


def test_a_letter_set_out_as_quoted_paragraphs_is_written() -> None:
    text = (
        WRAP + "Next morning she received the following reply by hand:\n\n"
        '"Harbour House,"\n\n"Tuesday."\n\n"Dear Miss Hollis,"\n\n'
        '"You should not have written to me in such a way. I called to say that the boat has gone."\n\n'
        '"Yours truly,"\n\n"T. MARSH."\n\n'
        '"Well?" said Anna, coming in.\n\n"Nothing," said Wren.'
    )
    typed = _by_text(text)
    for part in ("Harbour House,", "Tuesday.", "Dear Miss Hollis,", "Yours truly,", "T. MARSH."):
        assert typed[part].type == "written" and typed[part].speaker is None
    assert typed["Well?"].type not in ("written", "verse", "mention")


def test_verse_quoted_in_narration_is_verse_and_unattributed() -> None:
    text = (
        WRAP * 10 + "Then Anna folded her hands and began:\n\n"
        '    "The lamp is lit upon the hill,\n'
        '    The gulls are gone, the sea is still."\n\n'
        + WRAP * 2
    )
    story = _story(text)
    verse = [q for q in story.quotes if q.type == "verse"]
    assert len(verse) == 1 and verse[0].speaker is None


def test_a_song_a_character_sings_is_their_utterance() -> None:
    text = (
        WRAP * 10 + 'Tobias leaned on the rail, and he sang the old song he always sang:\n\n'
        '    "Bring the lamp and light the way,\n'
        '    Home again by break of day!"\n\n'
        + WRAP * 2
    )
    kinds = [t for _, t in _typed(text)]
    assert kinds and "verse" not in kinds


def test_gutenberg_italics_wrapping_a_quotation() -> None:
    story = analyze('_"Now I am," said a voice._ He turned round.', input_format="text", upto="quotes")
    assert [story.text[a:b] for q in story.quotes for a, b in q.spans] == ["Now I am,"]
    assert story.thoughts == []


def test_short_quoted_speech_inside_narration() -> None:
    text = 'He said "Good afternoon," and "Hallo," to everyone he met on the quay.'
    story = analyze(text, input_format="text", upto="quotes")
    spoken = [story.text[a:b] for q in story.quotes if q.type != "mention" for a, b in q.spans]
    assert spoken == ["Good afternoon,", "Hallo,"]


def test_words_held_back_imagined_or_wordless_are_unsaid() -> None:
    text = (
        '"Will you stay for supper?" asked Tom.\n\n'
        'She was going to answer, "Gladly," when the clock struck and she remembered the ferry.\n\n'
        'Her eyes said: "Ask me another day."\n\n'
        'Tom would have exclaimed, "Then stay the night!" but he held his tongue.\n\n'
        'In the end she could not help saying, "I must go."\n\n'
        '"Go, then," said Tom.'
    )
    typed = _by_text(text)
    for part in ("Gladly,", "Ask me another day.", "Then stay the night!"):
        assert typed[part].type == "unsaid"
    assert typed["I must go."].type != "unsaid" and typed["Go, then,"].type != "unsaid"
    # unsaid words stay in the conversation: whose they would be is still attributed
    assert typed["Gladly,"].speaker is not None


def test_a_text_read_out_word_for_word_is_written() -> None:
    text = (
        '"Listen to this," said Wren, opening the almanac.\n\n'
        "\"'High water at nine, and a strong wind from the west,'\" he read. \"'Small boats keep to harbour.'\"\n\n"
        '"Then we stay in," said Anna. "\'Tis no weather for the skiff."'
    )
    story = analyze(text, input_format="text", upto="quotes")
    kinds = {story.text[q.spans[0][0] : q.spans[0][1]]: q.type for q in story.quotes}
    assert kinds["'High water at nine, and a strong wind from the west,'"] == "written"
    assert kinds["Then we stay in,"] != "written"  # a leading elision ('Tis) is no inner quotation mark
    assert kinds["Listen to this,"] != "written"


def test_a_stanza_with_indented_lines_recited_is_verse() -> None:
    text = (
        WRAP * 12 + "Anna stood on the step and began:\n\n"
        '"Old man of the harbour," the little grey fisher boy cried,\n'
        '    "Why do you sit by the wall all the day?"\n'
        '"I count all the boats that go out with the turn of the tide,\n'
        '    And the ones that come home I send on their way."\n\n'
        + WRAP * 2
    )
    kinds = [q.type for q in analyze(text, input_format="text", upto="quotes").quotes]
    assert kinds and all(k == "verse" for k in kinds)


def test_a_valediction_of_several_words_closes_the_letter() -> None:
    text = (
        WRAP + "She opened the letter from her cousin.\n\n"
        '"Dearest Anna,"\n\n"The boat has gone and I shall not come on Friday after all."\n\n'
        '"Believe me,"\n\n"Your anxious and loving cousin,"\n\n"Margaret."\n\n'
        '"Well?" said Tom.'
    )
    got = dict(_typed(text))
    assert got["Your anxious and loving cousin,"] == got["Margaret."] == "written"
    assert got["Well?"] != "written"


def test_speech_reported_in_indirect_form_is_reported() -> None:
    text = (
        '"You will stay to dine, Mr. Ash?" said Mrs. Penrose.\n\n'
        'Mr. Ash rose from the sofa.--"He must be going. He had letters to write, and his sister would be '
        'waiting supper for him."\n\n'
        'Mrs. Penrose turned to the window. "She was sorry for it; the evening had been so pleasant."\n\n'
        '"He was always the first to leave," said Lucy when the door had closed. "I never knew a man so fond of '
        'his own fireside."'
    )
    typed = _by_text(text)
    for part in ("He must be going.", "She was sorry for it;"):
        quote = next(q for words, q in typed.items() if words.startswith(part))
        assert quote.type == "reported"
        assert quote.speaker is not None  # reported speech keeps the speaker whose words they are
    assert typed["You will stay to dine, Mr. Ash?"].type != "reported"
    assert all(q.type != "reported" for words, q in typed.items() if words.startswith("He was always"))


def test_a_text_presented_in_so_many_words_is_written() -> None:
    text = (
        "Aunt Mabel's letter came on Monday, and Anna read the first page aloud. The second was in these "
        'words: "The roof has fallen in again, and I will not mend it until the spring."\n\n'
        "A postscript was added to this effect.\n\n"
        '"Tell your brother I have sold the grey mare."\n\n'
        'Tom took up the letter; and while he read, "Who is Mr. Pratt?" asked Anna.'
    )
    kinds = {words[:12]: q.type for words, q in _by_text(text).items()}
    assert kinds["The roof has"] == kinds["Tell your br"] == "written"
    assert kinds["Who is Mr. P"] != "written"  # speech while someone reads is still speech


def test_the_last_paragraph_of_a_letter_before_its_close_is_written() -> None:
    text = (
        WRAP + "She broke the seal at the window and stood there reading it.\n\n"
        '"The boat sails on Thursday, and I shall be on it whatever the weather may do."\n\n'
        '"Yours ever,"\n\n'
        '"Kate."\n\n'
        '"Well?" said Tom from the door.'
    )
    kinds = {words[:12]: q.type for words, q in _by_text(text).items()}
    assert kinds["The boat sai"] == kinds["Yours ever,"] == "written"
    assert kinds["Well?"] != "written"
