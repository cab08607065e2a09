from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fabula.errors import PipelineError
from fabula.stages.acts import ACTS, STAGE, ActResult, classify, run
from fabula.story import Quote, Span, Story

PINNED = [
    ("I'm sorry", None, "apology"),
    ("No.", "I want to leave.", "refusal"),
    ("Please go, Ikram", None, "request"),
    ("Just go.", None, "command"),
    ("Fucking prove it", None, "command"),
    ("I love you.", None, "declaration"),
    ("You accused me of something I never did.", None, "accusation"),
    ("You're hurting me.", None, "accusation"),
    ("Thank you", None, "thanks"),
    ("Are you okay?", None, "question"),
    ("Yes.", "Are you okay?", "agreement"),
    ("If you leave, I'll make you regret it.", None, "threat"),
]


@pytest.mark.parametrize(("text", "previous", "act"), PINNED)
def test_pinned(text: str, previous: str | None, act: str) -> None:
    result = classify(text, previous)
    assert result.act == act, result.cues
    assert any(c.startswith(act + ":") for c in result.cues)


@pytest.mark.parametrize(
    ("text", "previous", "act"),
    [
        ("No.", "Are you okay?", "statement"),  # an answer, not a refusal
        ("No, my dear.", "Can I have the carriage?", "refusal"),
        ("I can't.", "Go. You already started.", "refusal"),
        ("I do.", "You don't love me.", "declaration"),
        ("Fine.", "Please go.", "agreement"),
        ("Can we talk?", None, "request"),
        ("Will you come in?", None, "request"),
        ("I beg your pardon?", None, "question"),
        ("I beg your pardon, I did not see you there.", None, "apology"),
        ("How dare you say that!", None, "accusation"),
        ("Give your evidence, or I'll have you executed.", None, "threat"),
        ("Off with their heads!", None, "command"),
        ("Don't.", None, "command"),
        ("Say it and I'll stay.", None, "request"),
        ("I am so much obliged to you.", None, "thanks"),
        ("I'm quite well, thank you.", "How are you?", "statement"),
        ("Marry me, Cynthia.", None, "declaration"),
        ("I hate you!", None, "declaration"),
        ("It was a fine day.", None, "statement"),
        ("I'm sorry for him, poor fellow.", None, "statement"),  # sympathy, not apology
        ("It is not your fault.", None, "statement"),
        ("Excuse me, but is your master at home?", None, "question"),
        ("Don t marry unless you re in love!", None, "command"),  # PDNC drops apostrophes
    ],
)
def test_rules(text: str, previous: str | None, act: str) -> None:
    assert classify(text, previous).act == act, classify(text, previous).cues


def test_plea_is_a_request() -> None:
    r = classify("Please, don't leave me.")
    assert (r.act, r.plea, r.label) == ("request", True, "plea")
    r = classify("I implore you. Do not elect this man.")
    assert r.plea and r.act == "request"
    r = classify("Please pass the salt.")
    assert (r.act, r.plea, r.label) == ("request", False, "request")


def test_result_shape() -> None:
    r = classify("Are you okay?")
    assert isinstance(r, ActResult)
    assert r.scores["question"] > r.scores["statement"]
    assert r.cues == ["question:question_mark"]
    assert classify("").act == "statement"
    assert classify("...").act == "statement"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200), st.one_of(st.none(), st.text(max_size=80)))
def test_any_text_gets_one_known_act(text: str, previous: str | None) -> None:
    r = classify(text, previous)
    assert r.act in ACTS
    assert not r.plea or r.act == "request"
    assert r.scores[r.act] == max(r.scores.values())


def _story(paras: list[str]) -> tuple[Story, list[tuple[int, int]]]:
    """A story of one quotation per paragraph; returns the story and the quote spans."""
    text, spans, paragraphs = "", [], []
    for p in paras:
        start = len(text)
        text += f'"{p}" she said.'
        spans.append((start + 1, start + 1 + len(p)))
        paragraphs.append(Span(start, len(text)))
        text += "\n\n"
    story = Story(text=text, paragraphs=paragraphs)
    story.done.extend(["segment", "quotes", "characters", "attribution"])
    return story, spans


def test_stage_sets_act_with_context() -> None:
    story, spans = _story(["I want to leave.", "No.", "You don't love me.", "I do.", "Please, don't go."])
    story.quotes = [Quote(i, [s]) for i, s in enumerate(spans)]
    STAGE(story)
    assert [q.act for q in story.quotes] == ["request", "refusal", "accusation", "declaration", "plea"]
    assert story.done[-1] == "acts"


def test_stage_context_needs_another_speaker_and_nearby_paragraph() -> None:
    story, spans = _story(["You don't love me.", "I do."])
    story.quotes = [Quote(0, [spans[0]], speaker="a"), Quote(1, [spans[1]], speaker="a")]
    run(story)
    assert story.quotes[1].act == "agreement"  # same speaker: no context, "I do." alone
    story, spans = _story(["You don't love me.", "Nothing.", "I do."])
    story.quotes = [Quote(0, [spans[0]], speaker="a"), Quote(2, [spans[2]], speaker="b")]
    run(story)
    assert story.quotes[1].act == "agreement"  # two paragraphs away: no context


def test_stage_joins_sub_spans() -> None:
    text = '"Please," she said, "don\'t go."'
    story = Story(text=text, paragraphs=[Span(0, len(text))])
    story.quotes = [Quote(0, [(1, 8), (21, 30)])]
    run(story)
    assert story.quotes[0].act == "plea"


def test_stage_requires_quotes_and_speakers() -> None:
    with pytest.raises(PipelineError):
        STAGE(Story(text="x"))
    with pytest.raises(PipelineError, match=r"quotes\.speaker"):
        STAGE(Story(text="x", done=["segment", "quotes"]))
