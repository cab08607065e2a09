from __future__ import annotations

from fabula.api import analyze
from fabula.stages import segment
from fabula.story import Span


def _story(text: str):  # type: ignore[no-untyped-def]
    return analyze(text, input_format="text", upto="segment")


def test_line_paragraphs_and_spans_roundtrip() -> None:
    text = "One line.\nTwo line.\nThree."
    paras = segment.paragraphs(text)
    assert [text[p.start : p.end] for p in paras] == ["One line.", "Two line.", "Three."]


def test_wrapped_paragraphs() -> None:
    text = "A long line that wraps\nonto the next one.\n\nAnother paragraph\nthat wraps too.\n\nShort."
    paras = segment.paragraphs(text)
    assert next(text[p.start : p.end] for p in paras) == "A long line that wraps\nonto the next one."
    assert len(paras) == 3


def test_sentences_keep_abbreviations() -> None:
    text = "Mr. Darcy bowed. Mrs. Bennet smiled! Did she? Yes."
    sents = segment.sentences(text, [Span(0, len(text))])
    assert [text[s.start : s.end] for s in sents] == [
        "Mr. Darcy bowed.",
        "Mrs. Bennet smiled!",
        "Did she?",
        "Yes.",
    ]


def test_chapters_from_headings() -> None:
    text = "CHAPTER I\n\nIt began.\n\nCHAPTER II\n\nIt went on.\n\nChapter 3: The End\n\nIt ended."
    story = _story(text)
    assert [c.title for c in story.chapters] == ["CHAPTER I", "CHAPTER II", "Chapter 3: The End"]
    assert all(n.kind == "chapter_heading" for n in story.nonstory)


_WRAPPED = (
    "It was a long way down, and the girl who fell was not at all\nfrightened, only curious about the shelves.\n\n"
    "Then she landed on a heap of dry leaves and\nwent on down the passage after the white hare.\n\n"
)


def test_a_title_on_the_line_under_a_heading_joins_it() -> None:
    """A wrapped text (blank lines between paragraphs) that writes a chapter's title on the heading's next line,
    with no blank line between, has chapters: the title joins the heading, a title of its own goes on."""
    text = (
        "CHAPTER I.\nDown the Well\n\n" + _WRAPPED + "CHAPTER II.\nTHE HALL OF DOORS\n\n" + _WRAPPED
        + "Chapter III: The Hare, the Dormouse and\nThe Tea\n\n" + _WRAPPED
    )
    story = _story(text)
    assert [c.title for c in story.chapters] == [
        "CHAPTER I: Down the Well",
        "CHAPTER II: THE HALL OF DOORS",
        "Chapter III: The Hare, the Dormouse and The Tea",
    ]
    heads = [text[n.start : n.end] for n in story.nonstory if n.kind == "chapter_heading"]
    assert heads == ["CHAPTER I.\nDown the Well", "CHAPTER II.\nTHE HALL OF DOORS", "Chapter III: The Hare, the Dormouse and\nThe Tea"]


def test_a_short_reply_under_a_heading_is_no_title() -> None:
    text = 'CHAPTER I\n\nShe asked him to the mill.\n\nCHAPTER II\n\n"No."\n\n"Then I go alone," she said.\n'
    story = _story(text)
    assert [c.title for c in story.chapters] == ["CHAPTER I", "CHAPTER II"]
    assert [story.text[n.start : n.end] for n in story.nonstory] == ["CHAPTER I", "CHAPTER II"]


def test_a_heading_line_over_prose_is_no_chapter() -> None:
    """"Chapter One" opening a wrapped paragraph of prose is no heading; nor is a list of chapter lines."""
    text = (
        "Chapter One\nwas the hardest part to write, she said to the\nyoung man beside her.\n\n" + _WRAPPED
        + "CHAPTER I\nCHAPTER II\nCHAPTER III\n\n" + _WRAPPED
    )
    story = _story(text)
    assert [c.title for c in story.chapters] == [None]


def test_scene_breaks_and_epigraph() -> None:
    text = 'She left.\nHe stayed.\n* * *\nMorning came.\n---\n"Love is patient."'
    story = _story(text)
    kinds = [n.kind for n in story.nonstory]
    assert kinds.count("scene_break") == 2 and "epigraph" in kinds
    assert len(story.scenes) == 2


def test_author_note() -> None:
    story = _story("He left.\nShe cried.\nA/N: thanks for reading!\nAN OLD MAN came by.")
    notes = [story.text[n.start : n.end] for n in story.nonstory if n.kind == "author_note"]
    assert notes == ["A/N: thanks for reading!"]


def test_an_author_note_in_bold_or_italics_is_a_note() -> None:
    """"**A/N: …**", "_Author's note: …_", "*(A/N …)*": the markup around a note keeps it a note."""
    story = _story("Chapter 1\n\n**A/N: hi guys**\n\n_Author's note: short one._\n\n*(A/N sorry)*\n\nShe walked in.\n")
    notes = [story.text[n.start : n.end] for n in story.nonstory if n.kind == "author_note"]
    assert notes == ["**A/N: hi guys**", "_Author's note: short one._", "*(A/N sorry)*"]


def test_person_and_tense() -> None:
    first_present = "I shake my head. I look at him and he says nothing. I turn away. I walk to the door."
    third_past = "She looked at him. He said nothing. She turned away and walked to the door. He had gone."
    assert segment.person_tense(first_present, 0, len(first_present))[:2] == ("first", "present")
    assert segment.person_tense(third_past, 0, len(third_past))[:2] == ("third", "past")


def test_second_person_narration() -> None:
    """A reader-insert story ("You walk in; he looks up") is told in the second person; a first-person narrator
    who once tells the reader "you know how it is" is not."""
    second = "You walk into the café and he is already there. You sit down. He slides your cup across. You smile."
    first = "I walked in and he was there. You know how it is. I sat down and I smiled at him and I waited."
    assert segment.person_tense(second, 0, len(second))[0] == "second"
    assert segment.person_tense(first, 0, len(first))[0] == "first"


def test_dash_led_lines_are_speech_for_the_person() -> None:
    """The "I" of dash-led dialogue is the speakers', not the narration's: a third-person scene written so stays
    third person; a narrator's own tags ("I say") still count."""
    third = (
        "— Where were you last night? asked Marek.\n\n— Out, said Jana.\n\n— I was with Pavel, if you must know. "
        "I'm tired.\n\n— I'm not starting anything, he said. I'm only saying.\n\n— I know. She took off her boots.\n"
    )
    first = (
        "— Where were you? asks Marek.\n\n— Out, I say. — With Pavel.\n\n— Again? I'm only asking.\n\n"
        "— Again, I tell him. — And I'll go again.\n\n— Then go.\n"
    )
    assert segment.person_tense(third, 0, len(third))[0] == "third"
    assert segment.person_tense(first, 0, len(first))[0] == "first"


def test_a_scripts_lines_are_speech_for_the_person() -> None:
    """"MAYA: I know. I didn't answer." is Maya's line: a screenplay is no first-person narration."""
    script = (
        "INT. KITCHEN - NIGHT\n\nMAYA (30s) stands at the sink. Her brother JON leans in the doorway.\n\n"
        "JON: You're still up.\n\nMAYA: Couldn't sleep. I know I should.\n\nJON: Mum called again.\n\n"
        "MAYA: I know. I didn't answer.\n\nJON: She just wants to talk to you.\n\n"
        "MAYA (turning): Then I'll call her. I promise.\n"
    )
    assert segment.person_tense(script, 0, len(script))[0] == "third"


def test_thoughts_in_italics_are_no_narration() -> None:
    """"*I can't do this,* Hana thought" is Hana's thought: the scene is told in the third person (a stressed
    "_I_" in a first-person book still counts)."""
    text = (
        "*I can't do this,* Hana thought, staring at the stage.\n\n\"You're on in five,\" said the stage manager.\n\n"
        "\"I know.\"\n\n*Breathe. I can breathe. I just have to breathe.* She wiped her hands on her dress.\n\n"
        "Her mother squeezed her shoulder. \"You'll be wonderful.\"\n"
    )
    assert segment.person_tense(text, 0, len(text))[0] == "third"
    first = "If _I_ was hard, he was harder. I said nothing. I went out. I walked to the casino and I sat down."
    assert segment.person_tense(first, 0, len(first))[0] == "first"


def test_a_letter_set_in_the_narration_is_no_first_person_narration() -> None:
    """A chapter that opens on a letter ("My dearest Kit, … I write this by a very bad candle … Your loving sister,
    Nell") and goes on in the third person is told in the third person: the letter's "I" is its writer's. Without its
    valediction the same salutation opens no letter, and the "I" counts."""
    letter = (
        "My dearest Kit,\n\nI write this by a very bad candle, so forgive the blots. We reached the port on Tuesday "
        "and I am told the crossing is put off till the wind turns. I miss you and I think of you daily.\n\n"
        "Your loving sister,\nNell\n\n"
    )
    rest = (
        "Kit folded the letter and put it in his pocket. His aunt was watching him across the table.\n\n"
        '"From Eleanor?"\n\n"Yes, Aunt."\n\nShe buttered her toast with great violence, and he passed her the '
        "marmalade before she could ask for it. She did not thank him; she never did.\n"
    )
    story = analyze(letter + rest, input_format="text", upto="segment")
    assert [s.person for s in story.sections] == ["third"]
    unsigned = letter.replace("Your loving sister,\nNell\n\n", "")
    assert segment.person_tense(unsigned + rest, 0, len(unsigned + rest))[0] == "first"


def test_pov_switch_after_gap_makes_two_sections() -> None:
    a = "I look at him. He turns away. He says he is tired. I watch him go. He sighs and he leaves."
    b = "I watch her cry. She says she is done. I tell her no. She leaves and she slams the door."
    story = _story(f"{a}\n\n{a}\n\n\n{b}\n\n{b}")
    assert [s.person for s in story.sections] == ["first", "first"]


_TOLD = (
    "I walked down to the harbour that morning, for I had promised my uncle I would see the boat off. I found "
    "him on the quay, and I told him what I had heard at the inn. He listened, and I thought he looked grave.\n\n"
)
#: a chapter the narrator mostly watches: others talk, "we" act, one "I"
_WATCHED = (
    "The men came over the hill in a body. They stopped when they saw us, and the tallest of them stepped out "
    "and looked at the boat. He turned to the others and they talked among themselves for a long while. Then "
    "he waved, and they went down to the water. We followed them at a distance. The old sailor led the way, "
    "and he did not look back once. They pushed off, and we watched them row out past the point until the "
    "fog took them. The tide was running hard. He had told them it would. They would be at sea by night, and "
    "we stood on the beach until the last of them was gone. I think none of us spoke.\n\n"
)


def test_a_watched_chapter_of_a_first_person_book_stays_first_person() -> None:
    assert segment.person_tense(_WATCHED, 0, len(_WATCHED))[0] == "third"
    assert segment.person_tense(_WATCHED, 0, len(_WATCHED), first_person_book=True)[0] == "first"
    text = f"{_TOLD * 3}* * *\n\n{_WATCHED}* * *\n\n{_TOLD * 3}"
    story = _story(text)
    assert [s.person for s in story.sections] == ["first"]


def test_a_third_person_book_keeps_its_watched_chapter_third_person() -> None:
    third = _TOLD.replace("I walked", "Tom walked").replace(" I ", " he ").replace("my uncle", "his uncle")
    story = _story(f"{third * 3}* * *\n\n{_WATCHED}* * *\n\n{third * 3}")
    assert {s.person for s in story.sections} == {"third"}


def test_a_quotation_over_its_source_is_an_epigraph_wherever_it_stands() -> None:
    """"Hope is the thing with feathers." over "— Emily Dickinson" after a chapter heading is an epigraph (no one's
    line, no character); a line of dialogue after a dash-led reply is not."""
    text = (
        "CHAPTER ONE\n\nRain fell. Mira watched it.\n\n\"Nobody's coming,\" she said.\n\n"
        'CHAPTER TWO\n\n"Hope is the thing with feathers."\n— Emily Dickinson\n\nThe letter came on Thursday.\n'
    )
    story = _story(text)
    epigraphs = [story.text[n.start : n.end] for n in story.nonstory if n.kind == "epigraph"]
    assert epigraphs == ['"Hope is the thing with feathers."\n— Emily Dickinson']
    reply = _story('The door opened.\n\n"Are you coming?"\n\n— Yes, he said.\n\nThey went out.\n')
    assert not [n for n in reply.nonstory if n.kind == "epigraph"]
