from __future__ import annotations

import json
import math
from types import SimpleNamespace
from typing import Any, cast

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fabula.stages.arcs import (
    STAGE,
    Point,
    classify_shape,
    compute_arc,
    dct_level,
    dct_transform,
    rescale,
    rolling_mean,
    run,
    turning_point,
)
from fabula.story import Chapter, Character, Emotion, Mention, Quote, Section, Span, Story
from fabula.writers.json import arc_dict, arcs_dict


class _Story(Story):
    """A Story that accepts ``sentence_emotions`` even before the model declares that layer."""


def _emo(v: float, anger: float = 0.0, joy: float = 0.0) -> Emotion:
    ek = {"anger": anger, "disgust": 0.0, "fear": 0.0, "joy": joy, "sadness": 0.0, "surprise": 0.0}
    ek["neutral"] = max(0.0, 1.0 - anger - joy)
    return Emotion(labels={}, predicted=[], top="neutral", ekman=ek, vad=(v, 3.0, 3.0))


# --------------------------------------------------------------------------------------------------- DCT


def test_dct_hand_computed() -> None:
    # x = [1, 2, 3]; keep 2 coefficients, invert on 4 points.
    # y0 = 2 (1 + 2 + 3) = 12; y1 = 2 (cos(π/6) + 2 cos(π/2) + 3 cos(5π/6)) = -2√3.
    # x_m = (y0 + 2 y1 cos(π (2m+1) / 8)) / 8 = 1.5 - (√3 / 2) cos(π (2m+1) / 8).
    expected = [1.5 - math.sqrt(3) / 2 * math.cos(math.pi * (2 * m + 1) / 8) for m in range(4)]
    got = dct_transform([1.0, 2.0, 3.0], low_pass_size=2, x_reverse_len=4, scale_range=False)
    assert got == pytest.approx(expected, abs=1e-12)
    assert got[0] == pytest.approx(0.69985, abs=1e-4)
    # On the input's scale: times M / N = 4 / 3.
    assert dct_level([1.0, 2.0, 3.0], 2, 4) == pytest.approx([e * 4 / 3 for e in expected], abs=1e-12)
    # Rescaled to [-1, 1] (Syuzhet's rescale).
    scaled = dct_transform([1.0, 2.0, 3.0], low_pass_size=2, x_reverse_len=4)
    assert scaled[0] == pytest.approx(-1.0) and scaled[-1] == pytest.approx(1.0)


def test_dct_matches_scipy() -> None:
    fft = pytest.importorskip("scipy.fft")
    x = np.random.default_rng(0).normal(size=57)
    coeffs = np.zeros(100)
    coeffs[:5] = fft.dct(x, type=2)[:5]
    ref = fft.idct(coeffs, type=2)
    assert dct_transform(x, scale_range=False) == pytest.approx(ref, abs=1e-10)


def test_dct_constant_and_short_series() -> None:
    assert dct_level([0.3, 0.3, 0.3, 0.3]) == pytest.approx([0.3] * 100)
    assert list(rescale(np.array([2.0, 2.0]))) == [0.0, 0.0]
    assert dct_transform([]).size == 0
    # Fewer points than low_pass_size: all coefficients are kept, no error (Syuzhet would stop).
    assert dct_transform([0.1, 0.5]).size == 100


def test_rolling_mean() -> None:
    assert list(rolling_mean([1, 2, 3, 4, 5], 3)) == pytest.approx([1.5, 2, 3, 4, 4.5])
    assert list(rolling_mean([1, 2, 3, 4], 2)) == pytest.approx([1.5, 2.5, 3.5, 4])
    assert rolling_mean([2.0]).tolist() == [2.0]


# --------------------------------------------------------------------------------------------------- shapes


@pytest.mark.parametrize(
    "f,shape",
    [
        (lambda t: t, "rise"),
        (lambda t: -(t**2), "fall"),
        (lambda t: (t - 0.45) ** 2, "fall-rise"),
        (lambda t: np.sin(np.pi * t), "rise-fall"),
        (lambda t: -np.cos(3 * np.pi * t), "rise-fall-rise"),
        (lambda t: np.cos(3 * np.pi * t) + 0.1 * t, "fall-rise-fall"),
    ],
)
def test_shape_classification(f: Any, shape: str) -> None:
    t = np.linspace(0, 1, 80)
    noise = np.random.default_rng(1).normal(scale=0.05, size=t.size)
    res = classify_shape(dct_level(f(t) + noise))
    assert res.shape == shape
    assert res.score > 0.5
    assert set(res.scores) == {
        "rise",
        "fall",
        "fall-rise",
        "rise-fall",
        "rise-fall-rise",
        "fall-rise-fall",
    }


def test_flat_curve_has_no_shape() -> None:
    assert classify_shape(np.ones(100)).shape is None


def test_turning_point_of_man_in_a_hole_is_the_bottom() -> None:
    t = np.linspace(0, 1, 100)
    tp = turning_point(dct_level((t - 0.3) ** 2))
    assert tp is not None
    i, kind = tp
    assert kind == "trough" and 22 <= i <= 38
    i, kind = turning_point(dct_level(t)) or (0, "")
    assert kind == "steepest"


# --------------------------------------------------------------------------------------------------- arcs


def _points(vals: list[float]) -> list[Point]:
    ek = {
        "anger": 0.0,
        "disgust": 0.0,
        "fear": 0.0,
        "joy": 0.0,
        "sadness": 0.0,
        "surprise": 0.0,
        "neutral": 1.0,
    }
    return [Point(10 * i, 10 * i + 5, v, dict(ek), quote=i) for i, v in enumerate(vals)]


@pytest.mark.parametrize("n", [0, 1, 2, 3])
def test_short_arcs_do_not_crash(n: int) -> None:
    arc = compute_arc(_points([0.1 * i for i in range(n)]), 100)
    json.dumps(arc_dict(arc))
    assert arc.n == n
    if n < 2:
        assert arc.dct is None and arc.shape is None
    if n == 2:
        assert arc.dct is not None and len(arc.dct) == 100 and arc.shape is None
    if n == 3:
        assert arc.shape is not None and arc.shape.shape == "rise"


def test_peaks_map_back_to_points() -> None:
    vals = [0.0, 0.2, 0.5, 0.8, 0.9, 0.6, 0.1, -0.5, -0.8, -0.6]
    arc = compute_arc(_points(vals), 200)
    assert arc.peaks is not None and arc.shape is not None and arc.turning_point is not None
    assert arc.peaks.max.quote in (3, 4, 5)
    assert arc.peaks.min.quote in (7, 8, 9)
    assert arc.peaks.max.offset == 10 * arc.peaks.max.quote
    assert arc.shape.shape in ("rise-fall", "fall")
    assert arc.turning_point.kind == "peak"


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-1, 1), min_size=0, max_size=60))
def test_arc_invariants(vals: list[float]) -> None:
    arc = compute_arc(_points(vals), 1000)
    json.loads(json.dumps(arc_dict(arc)))
    if len(vals) >= 2:
        assert arc.dct is not None and arc.rolling is not None
        assert len(arc.dct) == 100
        assert all(-1.0 <= v <= 1.0 for v in arc.dct)
        assert len(arc.rolling) == len(vals)
    if len(vals) >= 3 and arc.shape is not None and arc.shape.shape is not None:
        assert -1.0 <= arc.shape.score <= 1.0


def _story() -> _Story:
    """Two chapters; chapter 1 narrated by Ana in the first person; Ben speaks in both."""
    ch1 = 'I walked into the bright kitchen. "Good morning, Ben!" I said. Ben smiled at me. The sun was warm.'
    ch1 += "\n\n"
    ch2 = 'Ben sat alone in the dark. "Nobody comes back," he said. Rain fell on Ana\'s grave. It was cold.'
    ch2 += "\n"
    text = ch1 + ch2
    story = _Story(text=text)
    story.chapters = [Chapter(0, len(ch1)), Chapter(len(ch1), len(text))]
    story.scenes = [Span(0, len(ch1)), Span(len(ch1), len(text))]
    story.sections = [
        Section(0, len(ch1), "first", "past", "ana"),
        Section(len(ch1), len(text), "third", "past"),
    ]
    story.characters = [Character("ana", "Ana", narrator=True), Character("ben", "Ben")]
    q1s = text.index("Good morning")
    q2s = text.index("Nobody")
    story.quotes = [
        Quote(0, [(q1s, q1s + len("Good morning, Ben!"))], speaker="ana", emotion=_emo(4.2, joy=0.8)),
        Quote(1, [(q2s, q2s + len("Nobody comes back,"))], speaker="ben", emotion=_emo(1.8, anger=0.3)),
    ]
    sents = [
        ("I walked into the bright kitchen.", 3.6),
        ("Ben smiled at me.", 4.0),
        ("The sun was warm.", 3.9),
        ("Ben sat alone in the dark.", 2.0),
        ("Rain fell on Ana's grave.", 1.6),
        ("It was cold.", 2.2),
    ]
    cast(Any, story).sentence_emotions = [
        SimpleNamespace(
            start=(s := text.index(t)),
            end=s + len(t),
            ekman=_emo(v).ekman,
            vad=[v, 3.0, 3.0],
            top="neutral",
        )
        for t, v in sents
    ]
    story.mentions = [
        Mention(text.index("Ben smiled"), text.index("Ben smiled") + 3, "ben"),
        Mention(text.index("Ben sat"), text.index("Ben sat") + 3, "ben"),
        Mention(text.index("Ana's"), text.index("Ana's") + 3, "ana"),
    ]
    story.done = ["segment", "quotes", "characters", "attribution", "emotion"]
    return story


def test_stage_builds_all_arcs() -> None:
    story = _story()
    STAGE(story)
    arcs = story.arcs
    assert arcs is not None
    json.loads(json.dumps(arcs_dict(arcs)))
    assert arcs.story.n == 8
    assert arcs.story.offsets is not None and arcs.story.shape is not None and arcs.story.mean is not None
    assert arcs.story.offsets == sorted(arcs.story.offsets)
    assert arcs.story.shape.shape in ("fall", "rise-fall")
    assert arcs.story.mean["valence"] == pytest.approx(
        np.mean([(v - 3) / 2 for v in (4.2, 1.8, 3.6, 4.0, 3.9, 2.0, 1.6, 2.2)]), abs=1e-4
    )
    assert [c.n for c in arcs.chapters] == [4, 4]
    means = [c.mean["valence"] for c in arcs.chapters if c.mean is not None]
    assert means[0] > 0 > means[1]
    assert len(arcs.scenes) == 2
    ana, ben = arcs.characters["ana"], arcs.characters["ben"]
    # Ana: her quote + the three sentences of her first-person chapter + the grave sentence that mentions her.
    assert (ana.speech, ana.narration) == (1, 4)
    # Ben: his quote + the two sentences that name him.
    assert (ben.speech, ben.narration) == (1, 2)
    assert ana.ekman is not None and arcs.story.peaks is not None
    assert set(ana.ekman) == {"anger", "disgust", "fear", "joy", "sadness", "surprise", "neutral"}
    peak = arcs.story.peaks.max
    assert story.text[peak.offset : peak.end] in (
        "Good morning, Ben!",
        "Ben smiled at me.",
        "The sun was warm.",
        "I walked into the bright kitchen.",
    )


def test_sentences_inside_quotes_are_dropped() -> None:
    story = _story()
    q = story.quotes[0]
    cast(Any, story).sentence_emotions.append(
        SimpleNamespace(
            start=q.start, end=q.end, ekman=_emo(3.0).ekman, vad=[3.0, 3.0, 3.0], top="neutral"
        )
    )
    run(story)
    assert story.arcs is not None and story.arcs.story.n == 8


def test_no_emotion_no_crash() -> None:
    story = Story(text="Nothing happens here.")
    story.done = ["segment", "quotes", "characters", "attribution", "emotion"]
    STAGE(story)
    assert story.arcs is not None and story.arcs.story.n == 0
    assert story.arcs.characters == {}
    json.dumps(arcs_dict(story.arcs))


def test_quotes_only_without_sentence_layer() -> None:
    story = Story(text='"Yes," she said. "No," he said.')
    story.quotes = [
        Quote(0, [(1, 5)], speaker="a", emotion=_emo(4.0)),
        Quote(1, [(18, 21)], speaker="b", emotion=_emo(2.0)),
    ]
    run(story)
    assert story.arcs is not None and story.arcs.story.n == 2
    assert set(story.arcs.characters) == {"a", "b"}
    assert story.arcs.characters["a"].dct is None
