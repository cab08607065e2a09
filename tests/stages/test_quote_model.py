"""The learned dialogue check (fabula.stages.quote_model): the shipped model, and an invented scene where a phrase
quoted in narration is no line of dialogue while the tagged lines around it are."""

from __future__ import annotations

import numpy as np

from fabula.api import analyze
from fabula.stages import quote_model, quotes
from fabula.stages.quote_model import FEATURES, load_model
from fabula.story import NOT_DIALOGUE

SCENE = """The Marlowe household had its own ideas about the proper way to spend a Sunday. Among the aunts it was \
held that a walk before luncheon was "the only decent thing to do," and nobody had ever questioned it.

Edwin came down late, with his collar undone.

"You will miss the bells again," said his mother. "Go and dress properly, Edwin."

"I am going, Mother," he answered. "Don't wait for me."

She shook her head and turned back to the window, where the rain was beginning.
"""


def _types(config: dict | None = None) -> dict[str, str]:
    story = analyze(SCENE, input_format="text", upto="quotes", config=config)
    return {story.text[q.start : q.end][:20]: q.type for q in story.quotes}


def test_model_loads_and_gives_probabilities() -> None:
    model = load_model()
    assert model.features == FEATURES
    assert len(model.trees.roots) > 0
    width = len(FEATURES) + len(model.before_vocab) + len(model.after_vocab)
    assert int(model.trees.feature.max()) < width
    assert 0.0 < model.threshold < 1.0
    story = analyze(SCENE, input_format="text", upto="quotes")
    x = model.matrix(story.text, quotes.story_paras(story), story.quotes)
    assert x.shape == (len(story.quotes), width) and np.isfinite(x).all()
    p = model.predict_proba(x)
    assert p.shape == (len(story.quotes),) and ((p >= 0.0) & (p <= 1.0)).all()
    assert model.predict_proba(np.zeros((0, width))).shape == (0,)


def test_a_phrase_quoted_in_narration_is_no_dialogue() -> None:
    got = _types()
    assert got["the only decent thin"] in NOT_DIALOGUE
    assert got["You will miss the be"] not in NOT_DIALOGUE
    assert all(t not in NOT_DIALOGUE for words, t in got.items() if words.startswith(("You will", "I am going")))


def test_the_check_can_be_turned_off() -> None:
    got = _types({"quotes": {"dialogue_model": False}})
    assert got["the only decent thin"] not in NOT_DIALOGUE  # the rules alone leave it as dialogue


def test_tagged_lines_are_never_typed() -> None:
    model = load_model()
    story = analyze(SCENE, input_format="text", upto="quotes", config={"quotes": {"dialogue_model": False}})
    x = model.matrix(story.text, quotes.story_paras(story), story.quotes)
    tagged = quote_model.tagged(x)
    by_words = {story.text[q.start : q.end][:8]: bool(t) for q, t in zip(story.quotes, tagged, strict=True)}
    assert by_words["You will"] and by_words["I am goi"] and not by_words["the only"]


def test_speech_after_a_verb_in_narration_stays_dialogue() -> None:
    """`after a while she said, "Slower!"` is speech inside narration: never typed; "it would have been easy to
    say:" is no tag."""
    text = (
        "The cart rattled down the lane and Nell held on to the rail. She was not strong, and after a while she "
        'said, "Slower!" Still, we went at a fitful pace.\n\n'
        'Nell looked at the hedges. It would have been easy to say: "Stop here." Nell held on.\n'
    )
    story = analyze(text, input_format="text", upto="quotes", config={"quotes": {"dialogue_model": False}})
    x = load_model().matrix(story.text, quotes.story_paras(story), story.quotes)
    tagged = {story.text[q.start : q.end]: bool(t) for q, t in zip(story.quotes, quote_model.tagged(x), strict=True)}
    assert tagged == {"Slower!": True, "Stop here.": False}
