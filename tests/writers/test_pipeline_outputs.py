"""Writers on real pipeline output: the seeds through ``fabula.analyze``, and the arcs/dynamics layouts."""

from __future__ import annotations

import html
import json
import random
import re
from pathlib import Path

import jsonschema
import pytest

from fabula.story import Character, Emotion, Mention, Story
from fabula.writers import render
from fabula.writers.json import from_dict, load_schema, to_dict

from .test_html import parse
from .test_json import check_spans

SEEDS = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "seeds"
VALIDATOR = jsonschema.Draft202012Validator(load_schema())


def seeds() -> list[Path]:
    if not SEEDS.is_dir():
        pytest.skip("../shared/data/seeds is not available")
    return sorted(SEEDS.glob("*.txt"))


def analyze(source: object) -> Story:
    api = pytest.importorskip("fabula.api")
    # Up to quotes: the later stages' layers are built by hand below, so these tests do not wait on them.
    story: Story = api.analyze(source, input_format="text", upto="quotes")
    return story


def test_seeds_give_valid_outputs() -> None:
    for path in seeds():
        story = analyze(path)
        d = json.loads(render(story, "json")[".json"])
        VALIDATOR.validate(d)
        check_spans(d)
        assert to_dict(from_dict(d)) == d
        assert len(d["quotes"]) > 0
        out = render(story, "all")
        parse(out[".html"])
        n_sub = sum(len(q.spans) for q in story.quotes)
        assert out[".quotes"].count("\n") == n_sub + 1
        assert out[".tokens"].count("\n") == len(story.tokens) + 1


def test_generated_text_gives_valid_outputs() -> None:
    text = "\n\n".join(f'"Line {i} <b>&" said Ann. \u201cMore?\u201d' for i in range(30))
    story = analyze(text)
    d = to_dict(story)
    VALIDATOR.validate(d)
    check_spans(d)


def test_real_arcs_and_dynamics_layouts_render() -> None:
    """Fill speakers, acts and emotions by hand, run the real arcs and dynamics stages, render everything."""
    arcs = pytest.importorskip("fabula.stages.arcs")
    dynamics = pytest.importorskip("fabula.stages.dynamics")
    text = "\n\n".join(
        f'"{line}" {who} said.'
        for line, who in [("I want to leave.", "Ana"), ("No.", "Ben"), ("Please, Ben.", "Ana"),
                          ("You can't.", "Ben"), ("I'm sorry.", "Ana"), ("Stop it!", "Ben")] * 3
    )
    story = analyze(text)
    if not story.quotes:
        pytest.skip("the quotes stage is not in the pipeline yet")
    story.characters = [Character("ana", "Ana", gender="female"), Character("ben", "Ben", gender="male")]
    story.mentions = [Mention(m.start(), m.end(), m.group().lower()) for m in re.finditer(r"Ana|Ben", text)]
    rng = random.Random(0)
    acts = ["request", "refusal", "plea", "refusal", "apology", "command"]
    for i, q in enumerate(story.quotes):
        q.speaker, q.addressees = ("ana", ["ben"]) if i % 2 == 0 else ("ben", ["ana"])
        q.type, q.confidence, q.act = "explicit", 0.9, acts[i % len(acts)]
        q.emotion = Emotion(labels={"sadness": rng.random(), "anger": rng.random()}, predicted=[], top="sadness",
                            ekman={"sadness": rng.random(), "anger": rng.random(), "joy": rng.random()},
                            vad=(rng.uniform(1.5, 4.5), 3.0, rng.uniform(2.0, 4.0)))
    story.done += [s for s in ("characters", "attribution", "emotion", "acts") if s not in story.done]
    arcs.STAGE(story)
    dynamics.STAGE(story)
    assert story.relationships
    d = json.loads(render(story, "json")[".json"])
    VALIDATOR.validate(d)
    assert to_dict(from_dict(d)) == d
    doc = render(story, "html")[".html"]
    parse(doc)
    assert "<polyline" in doc and 'class="dom"' in doc
    narrative = story.relationships[0].narrative
    assert narrative is not None and narrative.text in html.unescape(doc)
