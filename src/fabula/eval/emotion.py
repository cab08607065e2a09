"""Emotion model evaluation: GoEmotions dev (per-label F1, macro-F1 on 28 labels and on Ekman groups) and EmoBank
dev (Pearson r for valence, arousal, dominance; overall, per genre, and with neighbouring sentences as context).

Thresholds come from the model file (tuned out-of-fold on GoEmotions train): nothing here is tuned on dev.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from fabula.errors import ModelError
from fabula.stages.emotion import EKMAN, EmotionModel
from fabula.stages.emotion_encoder import EncoderEmotionModel, require_encoder
from fabula.training.emotion import (
    emobank_contexts,
    f1_per_column,
    pearson,
    read_emobank,
    read_goemotions,
)

ROUND = 4
CONTEXT_SWEEP = (0.0, 0.1, 0.2, 0.3, 0.5)


def _model(model_path: Path | None, encoder: bool = False) -> tuple[EmotionModel | EncoderEmotionModel, float]:
    """The model (n-gram, or the encoder mode) and its load time in seconds (from the file, bypassing the process
    cache; for the encoder mode this includes loading MiniLM and the n-gram model)."""
    from importlib import resources

    from fabula.stages.emotion import MODEL_FILE
    from fabula.stages.emotion_encoder import ENCODER_FILE

    t0 = time.perf_counter()
    model: EmotionModel | EncoderEmotionModel
    name = ENCODER_FILE if encoder else MODEL_FILE
    load = EncoderEmotionModel.from_file if encoder else EmotionModel.from_file
    if model_path is None:
        if encoder:
            require_encoder()
        ref = resources.files("fabula.models.emotion").joinpath(name)
        if not ref.is_file():
            raise ModelError(f"the emotion model {name} is not installed")
        with resources.as_file(ref) as p:
            model = load(p)
    else:
        model = load(model_path)
    return model, time.perf_counter() - t0


def utterances_per_second(model: EmotionModel | EncoderEmotionModel, texts: list[str], repeat: int = 1) -> float:
    """Throughput of ``predict`` (full JSON-able results) on ``texts`` (the encoder's text cache emptied first)."""
    t0 = time.perf_counter()
    for _ in range(repeat):
        if isinstance(model, EncoderEmotionModel):
            model.clear_cache()
        model.predict(texts)
    dt = time.perf_counter() - t0
    return len(texts) * repeat / dt if dt > 0 else float("inf")


def evaluate_goemotions(data_dir: Path, model_path: Path | None = None, encoder: bool = False) -> dict[str, Any]:
    """Scores on GoEmotions ``dev.tsv``: per-label F1, macro/micro-F1 (28), Ekman macro-F1, speed, load time
    (``encoder``: the encoder mode, :class:`~fabula.stages.emotion_encoder.EncoderEmotionModel`)."""
    model, load_s = _model(model_path, encoder)
    dev = read_goemotions(Path(data_dir), "dev")
    y = dev.matrix()
    ye = dev.ekman_matrix()
    t0 = time.perf_counter()
    sc = model.scores(dev.texts)
    pred = sc.labels >= model.thresholds
    f1 = f1_per_column(y, pred)
    tp = float((y.astype(bool) & pred).sum())
    micro = 2 * tp / float(y.sum() + pred.sum())
    # With a top-1 fallback (what ``predict`` returns): an empty prediction becomes the arg-max label.
    pred_fb = pred.copy()
    empty = ~pred.any(axis=1)
    pred_fb[np.flatnonzero(empty), sc.labels[empty].argmax(axis=1)] = True
    ek_pred = sc.ekman >= model.ekman_thresholds
    ek_f1 = f1_per_column(ye, ek_pred)
    # Ekman groups from the 28-label predictions (the paper's alternative).
    from fabula.training.emotion import ekman_matrix

    ek_from28 = (pred.astype(np.int32) @ ekman_matrix(dev.names)) > 0
    ek_top1 = np.zeros_like(ek_pred)
    ek_top1[np.arange(len(ek_top1)), sc.ekman.argmax(axis=1)] = True
    score_s = time.perf_counter() - t0
    speed = utterances_per_second(model, dev.texts[: 1000 if encoder else 2000])
    return {
        "n": len(dev.texts),
        "macro_f1": round(float(f1.mean()), ROUND),
        "micro_f1": round(micro, ROUND),
        "macro_f1_top1_fallback": round(float(f1_per_column(y, pred_fb).mean()), ROUND),
        "per_label_f1": {n: round(float(v), ROUND) for n, v in zip(dev.names, f1, strict=True)},
        "ekman_macro_f1": round(float(ek_f1.mean()), ROUND),
        "ekman_macro_f1_from_28": round(float(f1_per_column(ye, ek_from28).mean()), ROUND),
        "ekman_top1_macro_f1": round(float(f1_per_column(ye, ek_top1).mean()), ROUND),
        "ekman_per_group_f1": {g: round(float(v), ROUND) for g, v in zip(EKMAN, ek_f1, strict=True)},
        "mode": "encoder" if encoder else "ngram",
        "ekman_mix": model.ekman_mix,
        "scores_per_second": round(len(dev.texts) / score_s) if score_s > 0 else None,
        "utterances_per_second": round(speed),
        "load_seconds": round(load_s, 3),
    }


def evaluate_emobank(data_dir: Path, model_path: Path | None = None, encoder: bool = False) -> dict[str, Any]:
    """Pearson r on EmoBank dev for V, A, D: overall, per genre, and mixing in neighbouring sentences."""
    model, load_s = _model(model_path, encoder)
    dev = read_emobank(Path(data_dir), "dev")
    sc = model.scores(dev.texts)
    gold = dev.vad

    def rs(pred: np.ndarray, mask: np.ndarray | None = None) -> list[float]:
        if mask is not None:
            pred, g = pred[mask], gold[mask]
        else:
            g = gold
        return [round(pearson(pred[:, k], g[:, k]), ROUND) for k in range(3)]

    genres = np.array(dev.genres)
    per_genre = {g: rs(sc.vad, genres == g) for g in sorted(set(dev.genres)) if (genres == g).sum() >= 20}
    contexts = emobank_contexts(dev)
    has_ctx = np.array([bool(c) for c in contexts])
    sweep: dict[str, Any] = {}
    for w in CONTEXT_SWEEP:
        v = model.scores(dev.texts, contexts, context_weight=w).vad
        sweep[str(w)] = {"all": rs(v), "fiction": rs(v, genres == "fiction")}
    with_ctx = model.scores(dev.texts, contexts).vad
    mae = np.abs(sc.vad - gold).mean(axis=0)
    return {
        "n": len(dev.texts),
        "pearson": {"V": rs(sc.vad)[0], "A": rs(sc.vad)[1], "D": rs(sc.vad)[2]},
        "pearson_with_context": dict(zip("VAD", rs(with_ctx), strict=True)),
        "mae": [round(float(x), ROUND) for x in mae],
        "per_genre": per_genre,
        "context_weight_sweep": sweep,
        "context_available": int(has_ctx.sum()),
        "model_context_weight": model.context_weight,
        "load_seconds": round(load_s, 3),
    }
