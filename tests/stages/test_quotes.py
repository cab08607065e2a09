from __future__ import annotations

from pathlib import Path

import pytest

from fabula.api import analyze
from fabula.story import NOT_SPEECH, Character, Story


def _quotes(text: str) -> list[list[str]]:
    story = analyze(text, input_format="text", upto="quotes")
    return [[story.text[a:b] for a, b in q.spans] for q in story.quotes if q.type not in NOT_SPEECH]


def test_straight_quotes_grouped_around_tag() -> None:
    assert _quotes('"I do," he says. "I love you."') == [["I do,", "I love you."]]


def test_curly_quotes_and_beats() -> None:
    text = "“No.” I shake my head. “No—why?”\n“Are you okay?” he asks."
    assert _quotes(text) == [["No.", "No—why?"], ["Are you okay?"]]


def test_two_sentence_gap_is_not_one_utterance() -> None:
    text = '"Say it." I ask. He freezes, staring at me. "You can\'t."'
    assert _quotes(text) == [["Say it."], ["You can't."]]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("‘I’m here,’ she said. ‘’Tis late.’", [["I’m here,", "’Tis late."]]),
        ("‘We saw the Joneses’ dog,’ he said.", [["We saw the Joneses’ dog,"]]),
        ("‘Play some rock ’n’ roll,’ said Ann.", [["Play some rock ’n’ roll,"]]),
        ("'It's mine,' said Tom. 'All of it.'", [["It's mine,", "All of it."]]),
        # a word that drops its g is no closing mark; a common word ending in "in" is
        ("'Nothin', officer,' said Ned. 'Just a bit of fun.'", [["Nothin', officer,", "Just a bit of fun."]]),
        ("'Come in,' said Ned. 'Sit down.'", [["Come in,", "Sit down."]]),
    ],
)
def test_british_single_quotes_tell_apostrophes(text: str, expected: list[list[str]]) -> None:
    assert _quotes(text) == expected


def test_nested_quotes_stay_inside() -> None:
    assert _quotes("\"She said 'go' and left,\" he said.") == [["She said 'go' and left,"]]


def test_guillemets() -> None:
    assert _quotes("« Bonjour », dit-il. « Ça va ? »") == [[" Bonjour ", " Ça va ? "]] or _quotes(
        "« Bonjour », dit-il. « Ça va ? »"
    ) == [["Bonjour", "Ça va ?"]]


def test_corner_brackets() -> None:
    """「…」, as translations from Japanese write speech, with the speaker's tag outside."""
    text = "「You're late,」 said Yuki.\n\n「Sorry. The train—」\n\nYuki looked up. 「Paperwork.」"
    assert _quotes(text) == [["You're late,"], ["Sorry. The train—"], ["Paperwork."]]
    story = analyze(text, input_format="text", upto="attribution")
    names = {c.id: c.name for c in story.characters}
    assert names.get(story.quotes[0].speaker or "") == "Yuki"


def test_dash_dialogue() -> None:
    text = "— Yes, he said.\n— And you? — she asked. — Will you come?\n— No."
    assert _quotes(text) == [["Yes,"], ["And you?", "Will you come?"], ["No."]]


def test_dash_speech_runs_on_over_sentences_until_a_tag_or_a_beat() -> None:
    text = (
        "— The trams were stopped. There was a fire on Sadovaya.\n"
        "— Tell him I'm not here, said Mikhail.\n"
        "— Whatever you like. She turned back to the window.\n"
        "— Excuse me, miss. There's a gentleman downstairs, the old man said."
    )
    assert _quotes(text) == [
        ["The trams were stopped. There was a fire on Sadovaya."],
        ["Tell him I'm not here,"],
        ["Whatever you like."],
        ["Excuse me, miss. There's a gentleman downstairs,"],
    ]


def test_dash_tags_with_long_descriptions_and_titles() -> None:
    """A description carried on by a phrase ("the man in the grey overcoat says") is a tag, and a dash after its
    comma reopens the speech; a title's full stop ("Mrs. Devlin") ends no sentence; a speech verb inside a clause
    ("the boy who said it") is no tag."""
    text = (
        "— One day I'll order something else, the man in the grey overcoat says, — just to see your face.\n"
        "— Mrs. Devlin? Eamon Clery, from the agency.\n"
        "— Ask the boy who said it was lying.\n"
    )
    assert _quotes(text) == [
        ["One day I'll order something else,", "just to see your face."],
        ["Mrs. Devlin? Eamon Clery, from the agency."],
        ["Ask the boy who said it was lying."],
    ]


def test_dash_speech_goes_on_after_a_tag_where_no_dash_ever_reopens_it() -> None:
    """Joyce's convention: the speech runs on after its tag with no dash ("he cried. That will do."), up to a beat
    whose subject is a pronoun or a name the text writes mid-sentence; a colon and a dash open speech in narration;
    a sentence after the tag is the tag's no longer ("A ponderous Saxon. He thinks" holds no tag)."""
    text = (
        "— Thanks, he cried briskly. That will do nicely. He skipped off the step and looked at Stephen.\n\n"
        "— God, isn't he dreadful? he said frankly. A ponderous Saxon. He thinks you're not a gentleman.\n\n"
        "— Scutter! he cried. He came over to the step and said: — Lend us your noserag.\n\n"
        "— Yes, said Mr. Deasy. Stephen nodded.\n"
    )
    assert [span for q in _quotes(text) for span in q] == [
        "Thanks,", "That will do nicely.", "God, isn't he dreadful?", "A ponderous Saxon.", "Scutter!",
        "Lend us your noserag.", "Yes,",
    ]
    # where a dash reopens the speech anywhere, a sentence after a tag is narration, as before
    reopened = text + "— No, she said. — Go on.\n"
    assert _quotes(reopened)[0] == ["Thanks,"]


def test_lines_back_to_back_in_one_paragraph_are_separate_quotations() -> None:
    text = 'Their father lowered the paper. "Tom. Leave the table." "But I didn\'t say anything!" "Now."\n'
    assert _quotes(text) == [["Tom. Leave the table."], ["But I didn't say anything!"], ["Now."]]
    # an unfinished sentence or a dash between the marks keeps one quotation
    assert len(_quotes('"If you think," "that I will go," he said.\n')) == 1


def test_quote_over_paragraph_break_with_reopening_mark() -> None:
    text = '"It was long ago.\n\n"And nobody remembers it now," she said.\n\nHe nodded.'
    got = _quotes(text)
    assert got == [["It was long ago.", "And nobody remembers it now,"]]


def test_quote_over_line_break_without_reopening() -> None:
    text = "“I willed this.\nI chose you.”\nHe throws his head back."
    assert _quotes(text) == [["I willed this.\nI chose you."]]


def test_unbalanced_recovered_at_paragraph_end() -> None:
    text = '"Wait for me, he said.\nShe did not wait.'
    assert _quotes(text) == [["Wait for me, he said."]]


def test_scare_quotes_and_titles_are_not_speech() -> None:
    text = 'She "ran" the Sewing Circle and read "The Hare and Many Friends" daily.\n"Come in," she said.'
    assert _quotes(text) == [["Come in,"]]


def test_italic_thoughts_are_a_separate_layer() -> None:
    story = analyze('_She will never forgive me_, he thought. "Hello."', input_format="text", upto="quotes")
    assert [story.text[t.start : t.end] for t in story.thoughts] == ["She will never forgive me"]
    assert len(story.quotes) == 1


def _seed(seeds, name: str) -> Story:  # type: ignore[no-untyped-def]
    return analyze(seeds / name, upto="quotes")


def test_seed_000_every_quotation(seeds) -> None:  # type: ignore[no-untyped-def]
    story = _seed(seeds, "000_3483fc9e41e0cb90.txt")
    spans = [s for q in story.quotes for s in q.spans]
    assert story.text.count('"') == 2 * len(spans)
    assert story.text[story.quotes[-1].start : story.quotes[-1].end].startswith("Sometimes, to truly love")


def test_seed_001_every_quotation(seeds) -> None:  # type: ignore[no-untyped-def]
    story = _seed(seeds, "001_9046866dc1860598.txt")
    spans = [s for q in story.quotes for s in q.spans]
    # every opening mark opens exactly one span; the quotation over the line break is one span
    assert story.text.count("“") == len(spans)
    assert any("I willed this.\nI chose you." in story.text[a:b] for a, b in spans)


def test_seed_002_every_quotation_and_no_debris(seeds) -> None:  # type: ignore[no-untyped-def]
    story = _seed(seeds, "002_5905779a0c223e00.txt")
    spans = [s for q in story.quotes for s in q.spans]
    assert story.text.count('"') == 2 * len(spans)
    assert not any("Where stories live" in story.text[a:b] for a, b in spans)


def test_two_speakers_tagged_in_one_paragraph_are_two_quotations() -> None:
    import fabula

    story = fabula.analyze('"Hello," said Anna. "Hi," Ben replied.')
    names = [(story.text[q.start : q.end], (story.character(q.speaker) or Character("", "")).name) for q in story.quotes]
    assert names == [("Hello,", "Anna"), ("Hi,", "Ben")]
    one = fabula.analyze('"I know," she said, "but I cannot stay." Anna turned away.')
    assert len(one.quotes) == 1 and len(one.quotes[0].spans) == 2


def test_a_line_tagged_right_after_its_close_inside_narration_is_speech() -> None:
    """A short line ending in a comma inside narration is no scare quote when a tag follows it ('and "May I come,"
    asked Miss Orde'); an aside in brackets and a single word named in passing still are."""
    text = (
        '"Ay, ay, uncle," said he; and "May I come too, Captain," asked Miss Orde, rising, "or is it forbidden?"\n\n'
        'He let the glass fall, and "Leave it, Tom," said the lady, "let be."\n\n'
        '"You may not know the sea--" ("I don\'t," said Ann)--"nor the tide--"\n\n'
        'I could not say what he would be "at," I replied, and we went in.\n'
    )
    assert _quotes(text) == [
        ["Ay, ay, uncle,"],
        ["May I come too, Captain,", "or is it forbidden?"],
        ["Leave it, Tom,", "let be."],
        ["You may not know the sea--", "nor the tide--"],
    ]


def test_a_second_speaker_introduced_in_the_gap_starts_a_new_quotation() -> None:
    import fabula

    story = fabula.analyze(
        'Anna and the old gardener stood by the gate.\n\n"Open it!" Anna began, but the old gardener cried out, '
        '"Not before noon!" and turned the key the other way.'
    )
    spans = [[story.text[a:b] for a, b in q.spans] for q in story.quotes]
    assert spans == [["Open it!"], ["Not before noon!"]]
    role = fabula.analyze('"Silence!" cried the White Rabbit.\n\n"Silence!" the White Rabbit cried again.')
    assert [c.name for c in role.characters] == ["the White Rabbit"]  # a role's name as written
    same = fabula.analyze('"Well," said Anna, and then added, "perhaps not."')
    assert len(same.quotes) == 1 and len(same.quotes[0].spans) == 2


def test_scan_patterns_match_their_lookbehind_first_forms(seeds: Path) -> None:
    """The whole-text patterns written first-character-first (for speed) find exactly what the lookbehind-first
    forms they replace find, at the start of a text and after every kind of character."""
    import re

    from fabula.stages import quotes
    from fabula.stages.characters import names, persons

    pairs = [
        (quotes._OPENING_SINGLE, r"(?:^|(?<=[\s(\[—–-]))'(?=\w)"),
        (quotes._EMPHASIS, r"(?<![\w*_])([_*])(?=\S)([^\n_*]{1,400}?)(?<=\S)\1(?![\w*_])"),
        (persons._LOWER_WORD, r"(?<![\w'’])[a-z][a-z'’-]*"),
        (persons._CAP_WORD, r"(?<![\w'’])[A-Z][\w'’-]*"),
        (names._LOWER_WORD, r"(?<![\w'’])[a-z][\w'’]*"),
    ]
    marks = " \n'’\"(—–-_*aZ9.é"
    texts = [a + b + c + "word_ *em* _it_ 'tis" for a in marks for b in marks for c in marks]
    texts += [p.read_text(encoding="utf-8") for p in sorted(seeds.glob("*.txt"))]
    for new, old in pairs:
        ref = re.compile(old)
        for t in texts:
            assert [(m.span(), m.groups()) for m in new.finditer(t)] == [
                (m.span(), m.groups()) for m in ref.finditer(t)
            ], (old, t[:40])


def test_a_sentence_split_by_its_tag_is_one_quotation_whatever_follows() -> None:
    """“Of the house itself,” she said, “nothing could be said against it.” When she thought of the garden…: the
    narration after the second part is not its own tag (it starts a new sentence), the sentence goes on in lower
    case after the comma, so both parts are one utterance."""
    text = (
        '"Of the house itself," she said, "nothing could be said against it." When she thought of the garden, '
        "though, her heart sank.\n"
    )
    assert _quotes(text) == [["Of the house itself,", "nothing could be said against it."]]
    # a capitalised second part after a full stop is still a second speaker's line
    assert _quotes('"Hello," said Anna. "Hi," Ben replied.') == [["Hello,"], ["Hi,"]]
    # an apostrophe inside the second speaker's name ends no tag
    assert _quotes('"Hello," said Tom. "Hi," D\'Arcy replied.') == [["Hello,"], ["Hi,"]]


def test_a_second_speaker_after_a_full_stop_in_the_gap_starts_a_new_quotation() -> None:
    """'"…?" exclaimed a cousin. Uncle Karl replied, "…"': the tag of the first, a new sentence, then another
    speaker's tag: two utterances."""
    text = '"Are we slow, Uncle Karl?" exclaimed a cousin. Uncle Karl replied, "Slow enough."\n'
    assert _quotes(text) == [["Are we slow, Uncle Karl?"], ["Slow enough."]]


def test_a_second_pronoun_speaker_after_a_parenthesis_starts_a_new_quotation() -> None:
    """'"…," he said; and she, looking away, answered: "…"': the second clause's subject, set off by a phrase
    between commas, is someone else: two utterances (the same speaker going on stays one)."""
    text = '"Forget the letter," he said; and she, looking away, answered: "I can\'t."\n'
    assert _quotes(text) == [["Forget the letter,"], ["I can't."]]
    assert _quotes('"Forget it," he said, "and come in."\n') == [["Forget it,", "and come in."]]


def test_a_second_speaker_named_after_a_phrase_in_the_gap_starts_a_new_quotation() -> None:
    """'"…" Brandt shouts, and from the fish station Beckett shouts back, "…"': the second clause has a subject
    of its own, after a phrase: two utterances. The same speaker going on is one ("…," Anna said, and then she
    cried, "…")."""
    text = '"Halibut!" Brandt shouts, and from the fish station Beckett shouts back, "Walking, Chef!"\n'
    assert _quotes(text) == [["Halibut!"], ["Walking, Chef!"]]
    assert _quotes('"Stop," Anna said, and then she cried, "Stop!"\n') == [["Stop,", "Stop!"]]


def test_a_named_second_speaker_after_a_clause_break_starts_a_new_quotation() -> None:
    """'"…" Miss Okafor observed; and her hostess drily rejoined: "…"': the second sub-span has a tag of its own
    whose subject, a name or a description, follows a clause break (even with no verb the quotes stage lists, or a
    phrase after the verb): two utterances. A pronoun subject ("; but she added") stays one."""
    two = [
        '"The roads are bad," Miss Okafor opined; and her hostess drily rejoined: "They always were."\n',
        '"Why?" Tomas asked, so sharply that the clerk said, in a hurt tone, "Because."\n',
        '"Is it far?" asked Dov, and Lena answered, with a smile: "Not very."\n',
    ]
    for text in two:
        assert len(_quotes(text)) == 2, text
    assert _quotes('"Thank you," said Ada very politely; but she added, to herself, "Never again."\n') == [
        ["Thank you,", "Never again."]
    ]


def test_a_capitalised_word_before_a_person_noun_is_no_speaker_name() -> None:
    """'"…," said the Radical member': "Radical" describes the speaker, who is "the radical member", not a
    character called Radical."""
    story = analyze(
        'The Radical sat at the end of the table.\n\n"When the railway came," said the Radical member, and he went'
        " on for some time.\n\n\"Don't mind him,\" whispered Lady Agatha.\n"
    )
    names = {c.id: c.name for c in story.characters}
    assert names[story.quotes[0].speaker or ""] == "the radical member"
    assert "Radical" not in names.values()


def test_a_stray_closing_straight_mark_does_not_turn_the_paragraph_inside_out() -> None:
    """A letter's signature with one mark too many (``"Yours," BLACKWOOD."``) leaves an odd number of straight marks;
    the closing-shaped one with nothing open is a stray, so the old woman's lines after it are still quotations."""
    text = (
        'He handed me a note: "Dear Sir. -- Come at nine.\n\n'
        '"Yours," BLACKWOOD." I read it twice and went down. The old woman caught my sleeve and whispered: '
        '"Must you go tonight?" I said that I must, and she let go of me. "Then take this," she said.\n'
    )
    found = _quotes(text)
    assert ["Must you go tonight?"] in found
    assert any(q[0] == "Then take this," for q in found)
    # an even number of marks keeps plain pairing, nested titles and loose spacing included
    assert _quotes('"Well, I tried to say "Twinkle, twinkle," but it came out wrong," she said.\n') == [
        ["Well, I tried to say ", " but it came out wrong,"]
    ]


def test_a_letter_set_out_without_marks_is_one_written_quotation() -> None:
    """"My dearest Kit, … Your loving sister, / Nell" set out as paragraphs of its own is a letter: one ``written``
    quotation from the salutation to the signature, so that its names and its "I" are nobody's narration."""
    letter = (
        "My dearest Kit,\n\nI write this by a very bad candle, so forgive the blots.\n\n"
        "Mother sends her love.\n\nYour loving sister,\n\nNell\n\n"
    )
    rest = 'Kit folded the letter away. "From Eleanor?" asked his aunt.\n'
    story = analyze(letter + rest, input_format="text", upto="quotes")
    first = story.quotes[0]
    assert first.type == "written" and story.text[first.start : first.end] == letter.strip()
    assert [q.id for q in story.quotes] == list(range(len(story.quotes)))
    assert _quotes(letter + rest) == [["From Eleanor?"]]
    # a salutation with no valediction after it opens no letter
    assert all(q.type != "written" for q in analyze("Dear Tom,\n\nI said nothing to anyone.\n", upto="quotes").quotes)
