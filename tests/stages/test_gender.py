"""The learned gender decision (fabula.stages.characters.gender): the shipped weights, the evidence it reads, and
what it does with modern names the lexicon does not know."""

from __future__ import annotations

from collections import Counter

import pytest

from fabula.api import analyze
from fabula.spans import SpanIndex
from fabula.stages.characters.gender import (
    EVIDENCE,
    FEATURES,
    MAX_MENTIONS,
    GenderContext,
    GenderModel,
    evidence,
    gender_features,
    load_model,
)


def _genders(text: str) -> dict[str, str | None]:
    story = analyze(text, input_format="text", upto="characters")
    return {c.name: c.gender for c in story.characters}


def test_the_shipped_model_loads_and_leans_to_neither_gender_on_no_evidence() -> None:
    model = load_model()
    assert model is not None and len(model.coef) == len(FEATURES) and 0.5 < model.threshold < 1.0
    assert model.decide([0.0] * len(FEATURES)) is None
    assert GenderModel.from_json(model.to_json()) == model
    with pytest.raises(ValueError):
        GenderModel.from_json({**model.to_json(), "features": ["prior"]})


def test_features_are_signed_log_vote_differences_and_the_prior() -> None:
    x = gender_features(Counter({(EVIDENCE[0], "m"): 3, (EVIDENCE[1], "f"): 1}), "f")
    assert x[0] > 0 and x[1] < 0 and x[2:-1] == [0.0] * (len(EVIDENCE) - 2) and x[-1] == -1.0


def test_invented_names_are_gendered_by_the_narrations_pronouns() -> None:
    text = (
        "Oren came down the stairs with his jumper inside out. He yawned.\n\n"
        '"Morning," said Oren.\n\n'
        "Tash was already at the table, and she did not look up. Tash pushed her plate away.\n\n"
        '"You missed the bus," Tash said. She sounded pleased about it.\n\n'
        "Oren shrugged his shoulders and sat down.\n"
    )
    g = _genders(text)
    assert g["Oren"] == "m" and g["Tash"] == "f"


def test_pronouns_about_the_subject_of_the_sentence_do_not_outweigh_a_known_first_name() -> None:
    text = "Helen thought of Paul Wilcox. She wrote to Paul again; she sealed it and she wept.\n\n"
    assert _genders(text * 4)["Paul Wilcox"] == "m"


def test_a_name_without_pronouns_or_prior_stays_unknown() -> None:
    assert _genders('"Come in," said Zorvath. "Sit."\n\n"Thank you," said Zorvath.\n').get("Zorvath") is None


def test_only_a_bounded_number_of_mentions_is_read() -> None:
    story = analyze("Ketil walked. He sat.\n\n" * (MAX_MENTIONS + 50), input_format="text", upto="characters")
    ctx = GenderContext.of(story, SpanIndex.of([]), [m.start for m in story.mentions])
    spans = [(m.start, m.end) for m in story.mentions]
    assert len(spans) > MAX_MENTIONS
    assert sum(evidence(ctx, spans).values()) <= 2 * MAX_MENTIONS
