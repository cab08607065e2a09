"""The person detector (fabula.stages.characters.persons): features on an invented scene, and the shipped model's ordering."""

from __future__ import annotations

import numpy as np
import pytest

from fabula.api import analyze
from fabula.stages.characters.persons import (
    FEATURES,
    PersonModel,
    Trees,
    form_features,
    load_model,
    name_forms,
    person_probabilities,
)
from fabula.story import Story

SCENE = """The rain had not stopped for three days when Tobias Fennick reached the Crooked Lantern.

"You are late," said the landlady. "Sit by the fire, Tobias."

Tobias shook the water from his coat. He looked round the low room of the Crooked Lantern and smiled. "Is my
brother here?"

"Not since Tuesday." She set a cup before him. Tobias drank it slowly, and he watched the door.

Later that night he walked out of the Crooked Lantern and into the lane. In the Crooked Lantern the fire burned low.
Tobias's boots rang on the stones as he went. "Goodnight, Tobias," the landlady called after him.

At the Crooked Lantern nobody spoke of him again. From the Crooked Lantern the road ran north.
"""


def _occurrences(story: Story, form: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    i = story.text.find(form)
    while i >= 0:
        out.append((i, i + len(form)))
        i = story.text.find(form, i + 1)
    return out


@pytest.fixture(scope="module")
def scene() -> tuple[Story, dict[str, list[tuple[int, int]]]]:
    story = analyze(Story(text=SCENE), upto="quotes")
    forms = {f: _occurrences(story, f) for f in ("Tobias", "Crooked Lantern")}
    return story, forms


def test_model_loads() -> None:
    model = load_model()
    assert model.features == FEATURES
    assert len(model.trees.roots) > 0 and int(model.trees.feature.max()) < len(FEATURES)
    assert 0.0 < model.threshold < 1.0


def test_features_finite(scene: tuple[Story, dict[str, list[tuple[int, int]]]]) -> None:
    story, forms = scene
    x = form_features(story, forms)
    assert x.shape == (2, len(FEATURES))
    assert np.isfinite(x).all()
    person, place = x
    col = FEATURES.index
    assert person[col("action")] > 0 and person[col("vocative")] > 0 and person[col("possessive")] > 0
    assert place[col("place_cues")] > person[col("place_cues")]
    assert place[col("the")] > 0.5


def test_a_possessive_before_a_capitalised_word_is_a_place_cue_of_its_own() -> None:
    """A cove named after someone ("Kitt's Hole") sets ``poss_cap``; a man's boots ("Tobias's boots") do not."""
    text = "The lugger lay in Kitt's Hole. Tobias's boots were wet, and Tobias's coat.\n"
    story = analyze(Story(text=text), upto="quotes")
    x = form_features(story, {f: _occurrences(story, f) for f in ("Kitt", "Tobias")})
    col = FEATURES.index("poss_cap")
    assert x[0][col] == 1.0 and x[1][col] == 0.0
    assert x[0][FEATURES.index("possessive")] == x[1][FEATURES.index("possessive")] == 1.0


def test_person_above_place(scene: tuple[Story, dict[str, list[tuple[int, int]]]]) -> None:
    story, forms = scene
    probs = person_probabilities(story, forms)
    assert probs["Tobias"] > probs["Crooked Lantern"]
    assert probs["Tobias"] >= load_model().threshold


def test_name_forms_from_characters_stage() -> None:
    story = analyze(Story(text=SCENE), upto="characters")
    forms = name_forms(story)
    assert "Tobias" in forms
    assert all(story.text[a:b] == f for f, spans in forms.items() for a, b in spans)


def test_roundtrip_and_single_vector() -> None:
    model = load_model()
    again = PersonModel.from_json(model.to_json())
    x = np.zeros(len(FEATURES))
    assert again.predict_proba(x).shape == (1,)
    assert abs(float(again.predict_proba(x)[0]) - float(model.predict_proba(x)[0])) < 1e-4
    with pytest.raises(ValueError):
        PersonModel.from_json({**model.to_json(), "features": ["x"]})


def test_trees_walk_each_row_to_its_leaves() -> None:
    # two stumps on feature 0 and feature 1: x0 <= 0.5 adds -1 else +1; x1 <= 2 adds 0.25 else 0.75
    trees = Trees(
        feature=np.array([0, 0, 0, 1, 0, 0]),
        threshold=np.array([0.5, 0.0, 0.0, 2.0, 0.0, 0.0]),
        left=np.array([1, -1, -1, 4, -1, -1]),
        right=np.array([2, -1, -1, 5, -1, -1]),
        value=np.array([0.0, -1.0, 1.0, 0.0, 0.25, 0.75]),
        roots=np.array([0, 3]),
    )
    x = np.array([[0.0, 1.0], [1.0, 3.0], [0.5, 2.0]])
    assert trees.log_odds(x).tolist() == [-0.75, 1.75, -0.75]
    assert Trees.from_json(trees.to_json()).log_odds(x).tolist() == [-0.75, 1.75, -0.75]


def test_shipped_model_is_boosted_trees() -> None:
    model = load_model()
    assert model.trees is not None and len(model.trees.roots) >= 10
    probs = model.predict_proba(np.zeros((3, len(FEATURES))))
    assert probs.shape == (3,) and np.all((probs > 0) & (probs < 1))
