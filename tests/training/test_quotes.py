"""The dialogue check's training (fabula.training.quotes) on a tiny invented set."""

from __future__ import annotations

import json

import numpy as np
import pytest

from fabula.api import analyze
from fabula.stages.quote_model import DialogueModel
from fabula.stages.quotes import story_paras
from fabula.training import quotes as tq

_LINES = ("Come in out of the rain", "Where have you been all day", "Sit down by the stove", "I cannot stay long")
_PHRASES = (
    "the only decent thing to do",
    "a proper way to spend the day",
    "what any sensible family would do",
    "the best thing for the young people",
)


def _novel(k: int) -> tq.NovelData:
    paras = []
    for i in range(12):
        line, phrase = _LINES[(i + k) % 4], _PHRASES[(i * 3 + k) % 4]
        paras.append(f'"{line}." The woman number {i} held the door open.')  # untagged: the model learns these
        paras.append(f'Among the aunts it was held that a walk was "{phrase}," and nobody questioned it.')
    story = analyze("\n\n".join(paras) + "\n", input_format="text", upto="quotes", config=tq._OFF)
    gold = [s for q in story.quotes if story.text[q.start : q.end].rstrip(".") in _LINES for s in q.spans]
    return tq.NovelData(f"novel{k}", story.text, story_paras(story), story.quotes, gold)


@pytest.fixture()
def small(monkeypatch: pytest.MonkeyPatch) -> list[tq.NovelData]:
    monkeypatch.setattr(tq, "TREES", 20)
    monkeypatch.setattr(tq, "MIN_LEAF", 1)
    monkeypatch.setattr(tq, "MIN_WORD", 2)
    return [_novel(k) for k in range(3)]


def test_labels_follow_the_gold_spans(small: list[tq.NovelData]) -> None:
    y, w = small[0].labels()
    assert len(y) == len(small[0].candidates()) == 24
    assert y.sum() == 12 and (w == 1).all()


def test_fit_separates_and_round_trips(small: list[tq.NovelData]) -> None:
    model = tq.fit(small, threshold=0.5)
    nd = small[0]
    p = model.predict_proba(nd.matrix(model.before_vocab, model.after_vocab))
    y, _ = nd.labels()
    assert p[y == 1].min() > p[y == 0].max()
    again = DialogueModel.from_json(json.loads(json.dumps(model.to_json())))
    assert np.allclose(again.predict_proba(nd.matrix(again.before_vocab, again.after_vocab)), p, atol=1e-6)


def test_cross_validation_and_threshold(small: list[tq.NovelData]) -> None:
    probs = tq.cross_validate(small, 3)
    assert [len(p) for p in probs] == [len(nd.candidates()) for nd in small]
    threshold, rows = tq.choose_threshold(small, probs)
    assert rows[0].startswith("| off |") and 0.0 <= threshold < 1.0
    assert tq.score(small, probs, threshold).recall >= tq.MIN_RECALL
