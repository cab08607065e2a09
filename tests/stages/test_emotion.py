from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fabula.errors import ModelError, PipelineError
from fabula.stages import emotion
from fabula.stages.emotion import (
    EKMAN,
    EKMAN_MAP,
    STAGE,
    EmotionModel,
    Vectorizer,
    char_features,
    ekman_from_labels,
    ekman_member_matrix,
    narrative_sentences,
    negated,
    quote_context,
    quote_text,
    sparse_dot,
    word_features,
)
from fabula.story import EmotionSpan, NonStory, Quote, Span, Story


@pytest.fixture(scope="module")
def model() -> EmotionModel:
    return EmotionModel.load()


def _one(model: EmotionModel, text: str, context: str | None = None) -> dict:
    return model.predict([text], None if context is None else [context])[0]


def _ekman_top(res: dict, skip_neutral: bool = False) -> str:
    ek = {k: v for k, v in res["ekman"].items() if not (skip_neutral and k == "neutral")}
    return max(ek, key=lambda k: ek[k])


# ------------------------------------------------------------------------------------------------ features


def test_features_words_bigrams_and_punctuation() -> None:
    feats = word_features("i can't believe it!")
    assert {"i", "can't", "believe", "it", "!", "it !", "can't believe"} <= set(feats)


def test_char_features_inside_padded_words() -> None:
    assert char_features("ab") == [" a", "ab", "b ", " ab", "ab ", " ab "]
    assert char_features("") == []


def test_vectorizer_blocks_are_unit_norm() -> None:
    vec = Vectorizer({"good": 0, "bad": 1}, {" g": 0, "oo": 1}, np.array([1.0, 2.0, 1.0, 3.0]))
    rows, cols, vals = vec.transform(["good good", "", "bad"])
    assert list(rows) == [0, 0, 0, 2]
    word = vals[(rows == 0) & (cols < 2)]
    chars = vals[(rows == 0) & (cols >= 2)]
    assert math.isclose(float(np.linalg.norm(word)), 1.0)
    assert math.isclose(float(np.linalg.norm(chars)), 1.0)


def test_distinct_is_numpy_unique() -> None:
    rng = np.random.default_rng(1)
    for n, hi in ((0, 3), (1, 3), (40, 2), (5000, 10**6)):
        keys = rng.integers(0, hi, n).astype(np.int64)
        values, first, counts = np.unique(keys, return_index=True, return_counts=True)
        want = (values, counts, np.argsort(first))
        for bound in (hi, 1 << 62):  # the sort of key << s | position, and np.unique when that would overflow
            got = emotion._distinct(keys, bound)
            assert all(a.dtype == b.dtype and np.array_equal(a, b) for a, b in zip(want, got, strict=True))


def test_vectorizer_same_with_a_full_char_cache(model: EmotionModel, monkeypatch: pytest.MonkeyPatch) -> None:
    texts = ["I don't know, Mr. Denham.", "", "  ", "Well — well!", "x" * 1500 + " not never", "know, know"]
    v = model.vectorizer
    want = Vectorizer(v.word_vocab, v.char_vocab, v.idf, negation=v.negation).transform(texts)
    monkeypatch.setattr(emotion, "CHAR_CACHE_MAX", 3)
    small = Vectorizer(v.word_vocab, v.char_vocab, v.idf, negation=v.negation)
    for _ in range(2):
        got = small.transform(texts)
        assert all(np.array_equal(a, b) for a, b in zip(want, got, strict=True))
    assert len(small._char_cache) == 3


def test_sparse_dot_matches_dense() -> None:
    rng = np.random.default_rng(0)
    dense = (rng.random((7, 11)) < 0.3) * rng.random((7, 11))
    dense[3] = 0.0  # an empty row
    w = rng.random((11, 4)).astype(np.float32)
    rows, cols = np.nonzero(dense)
    got = sparse_dot(rows, cols, dense[rows, cols], w, 7)
    assert np.allclose(got, dense @ w, atol=1e-5)


def test_ekman_map_covers_all_labels_once(model: EmotionModel) -> None:
    members = [lab for group in EKMAN_MAP.values() for lab in group]
    assert sorted(members) == sorted(model.labels)
    assert len(model.labels) == 28 and model.ekman_names == EKMAN


# ------------------------------------------------------------------------------------------------- model


def test_load_is_cached_and_small(model: EmotionModel) -> None:
    assert EmotionModel.load() is model
    from importlib import resources

    size = resources.files("fabula.models.emotion").joinpath(emotion.MODEL_FILE).stat().st_size  # type: ignore[attr-defined]
    assert size < 10 * 2**20


def test_result_shape_and_json(model: EmotionModel) -> None:
    res = _one(model, "Where were you last night?")
    assert set(res) == {"labels", "predicted", "top", "ekman", "vad"}
    assert len(res["labels"]) == 28 and len(res["ekman"]) == 7
    assert math.isclose(sum(res["ekman"].values()), 1.0, abs_tol=1e-3)
    assert res["predicted"] and all(p in res["labels"] for p in res["predicted"])
    assert len(res["vad"]) == 3 and all(1.0 <= x <= 5.0 for x in res["vad"])
    json.dumps(res, allow_nan=False)


def test_predict_without_labels_is_the_rest_of_the_result(model: EmotionModel) -> None:
    texts = ["Where were you last night?", "I hate you!", "", "Thank you so much, dear.", "He walked home."]
    brief = model.predict(texts, labels=False)
    assert brief == [{k: r[k] for k in ("top", "ekman", "vad")} for r in model.predict(texts)]


def test_apology_is_remorse_and_sadness(model: EmotionModel) -> None:
    res = _one(model, "I'm so sorry, I failed you.")
    assert res["labels"]["remorse"] >= 0.5
    assert "remorse" in res["predicted"]
    assert _ekman_top(res) == "sadness"


def test_swearing_challenge_is_anger(model: EmotionModel) -> None:
    res = _one(model, "Fucking prove it")
    assert _ekman_top(res, skip_neutral=True) == "anger"


def test_thanks_is_gratitude(model: EmotionModel) -> None:
    res = _one(model, "Thank you so much!")
    assert res["top"] == "gratitude" and res["labels"]["gratitude"] >= 0.8
    assert _ekman_top(res) == "joy"


def test_fear_and_surprise(model: EmotionModel) -> None:
    assert _ekman_top(_one(model, "I'm so scared, please don't leave me alone here."), skip_neutral=True) == "fear"
    assert _ekman_top(_one(model, "Wait, what? Why would he do that?"), skip_neutral=True) == "surprise"


def test_valence_love_above_hate(model: EmotionModel) -> None:
    love, hate = model.predict(["I love you", "I hate you"])
    assert love["vad"][0] > hate["vad"][0] + 0.3


def test_context_mixes_in(model: EmotionModel) -> None:
    plain = _one(model, "Okay.")
    sad = _one(model, "Okay.", "Tears were pouring down her face; she sobbed and could not stop crying.")
    assert sad["ekman"]["sadness"] > plain["ekman"]["sadness"]
    assert sad["vad"][0] < plain["vad"][0]
    # An empty context changes nothing.
    assert _one(model, "Okay.", "") == plain


def test_context_length_mismatch(model: EmotionModel) -> None:
    with pytest.raises(ValueError):
        model.predict(["a", "b"], ["x"])


def test_empty_inputs(model: EmotionModel) -> None:
    assert model.predict([]) == []
    res = _one(model, "")
    assert len(res["labels"]) == 28 and res["predicted"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(max_size=80), min_size=1, max_size=5))
def test_any_text_gives_valid_results(texts: list[str]) -> None:
    model = EmotionModel.load()
    results = model.predict(texts, texts[::-1])
    assert len(results) == len(texts)
    for r in results:
        assert all(0.0 <= p <= 1.0 for p in r["labels"].values())
        assert math.isclose(sum(r["ekman"].values()), 1.0, abs_tol=1e-3)
        assert all(1.0 <= x <= 5.0 for x in r["vad"])


def test_negation_scope_ends_at_punctuation() -> None:
    toks = word_features("i don't love you, really. not happy", negation=True)
    neg = [t for t in toks if t.startswith("~")]
    assert neg == ["~love", "~you", "~happy"]
    assert negated(["never", "again", "!", "fine"]) == ["~again"]
    assert not any(t.startswith("~") for t in word_features("i don't love you"))  # off by default


def test_ekman_from_labels_is_noisy_or() -> None:
    labels = ("anger", "annoyance", "joy", "neutral")
    m = ekman_member_matrix(labels, EKMAN)
    assert m.shape == (4, 7) and m[:, EKMAN.index("anger")].tolist() == [1, 1, 0, 0]
    p = np.array([[0.5, 0.5, 0.0, 1.0]])
    g = ekman_from_labels(p, m)[0]
    assert math.isclose(g[EKMAN.index("anger")], 0.75, abs_tol=1e-9)
    assert g[EKMAN.index("fear")] == 0.0 and g[EKMAN.index("neutral")] > 0.999


def test_negation_lowers_valence(model: EmotionModel) -> None:
    love, not_love = model.predict(["I love you.", "I don't love you anymore."])
    assert not_love["vad"][0] < love["vad"][0]


def test_bad_model_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "m.npz"
    np.savez_compressed(path, labels=np.zeros(3, dtype=np.uint8))
    with pytest.raises(ModelError):
        EmotionModel.from_file(path)
    with pytest.raises(ModelError):
        EmotionModel.from_file(tmp_path / "missing.npz")


# ------------------------------------------------------------------------------------------------- stage

STORY = (
    "NB: thanks for reading!\n\n"
    "The letter lay open on the table. Anna read it twice.\n\n"
    "\u201cI\u2019m so sorry,\u201d she whispered, tears pouring down her face. \u201cI failed you.\u201d\n\n"
    "\u201cThank you so much!\u201d Ben laughed.\n\n"
    "The house was quiet after that."
)


def _story() -> Story:
    text = STORY
    story = Story(text=text)
    story.nonstory = [NonStory(0, text.index("\n"), "note")]
    story.paragraphs = []
    pos = 0
    for block in text.split("\n\n"):
        start = text.index(block, pos)
        story.paragraphs.append(Span(start, start + len(block)))
        pos = start + len(block)
    sents = ["NB: thanks for reading!", "The letter lay open on the table.", "Anna read it twice.",
             "\u201cI\u2019m so sorry,\u201d she whispered, tears pouring down her face.",
             "\u201cI failed you.\u201d", "\u201cThank you so much!\u201d", "Ben laughed.", "The house was quiet after that."]
    story.sentences = [Span(text.index(s), text.index(s) + len(s)) for s in sents]

    def q(qid: int, *parts: str) -> Quote:
        spans = [(text.index(p), text.index(p) + len(p)) for p in parts]
        return Quote(qid, spans, outer=(spans[0][0] - 1, spans[-1][1] + 1))

    story.quotes = [q(0, "I\u2019m so sorry,", "I failed you."), q(1, "Thank you so much!")]
    story.done = ["segment", "quotes"]
    return story


def test_quote_text_and_context() -> None:
    story = _story()
    q0 = story.quotes[0]
    assert quote_text(story, q0) == "I\u2019m so sorry, I failed you."
    ctx = quote_context(story, q0, sorted(sp for q in story.quotes for sp in q.spans))
    assert ctx == "she whispered, tears pouring down her face."


def test_narrative_sentences_skip_quotes_and_nonstory() -> None:
    story = _story()
    got = [story.text[a:b] for a, b in narrative_sentences(story)]
    assert got == ["The letter lay open on the table.", "Anna read it twice.", "Ben laughed.",
                   "The house was quiet after that."]


def test_stage_sets_quote_emotion_and_sentence_layer() -> None:
    story = _story()
    STAGE(story)
    assert story.done[-1] == "emotion"
    sorry, thanks = story.quotes
    assert sorry.emotion is not None and thanks.emotion is not None
    assert sorry.emotion.ekman["sadness"] > thanks.emotion.ekman["sadness"]
    assert thanks.emotion.top == "gratitude"
    assert [type(e) for e in story.sentence_emotions] == [EmotionSpan] * 4
    first = story.sentence_emotions[0]
    assert story.text[first.start : first.end] == "The letter lay open on the table."
    assert len(first.vad) == 3 and first.top in EmotionModel.load().labels
    assert math.isclose(sum(first.ekman.values()), 1.0, abs_tol=1e-3)


def test_stage_needs_quotes() -> None:
    with pytest.raises(PipelineError):
        STAGE(Story(text="Hello."))


def test_stage_on_story_without_quotes_or_sentences() -> None:
    story = Story(text="", done=["segment", "quotes"])
    STAGE(story)
    assert story.sentence_emotions == []


def test_rounded_is_round_value_for_value() -> None:
    """emotion.rounded gives exactly Python's round for each value: random ones at several scales, the ties and
    near-ties of the rounding grid, signed zeros, infinities and NaN (compared by repr)."""
    import math

    import numpy as np

    from fabula.stages.emotion import rounded

    rng = np.random.default_rng(0)
    arrays = [rng.random((3000, 7)) * s - s / 3 for s in (1e-6, 1e-3, 1.0, 5.0, 1e3, 1e12)]
    grid = [k / 2000 for k in range(-2000, 2001)] + [k / 20000 for k in range(0, 20001, 7)]
    special = [0.0, -0.0, math.inf, -math.inf, math.nan, 1e300, 5e-324, 0.0005, 0.0015, 2.675, 1.0005]
    arrays.append(np.array(grid + special).reshape(-1, 1))
    for a in arrays:
        for d in (3, 4):
            want = [[repr(round(v, d)) for v in row] for row in a.tolist()]
            assert [[repr(v) for v in row] for row in rounded(a, d)] == want
