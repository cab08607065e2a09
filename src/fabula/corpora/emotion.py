"""GoEmotions and EmoBank: readers, Ekman targets, and the standard dev-set scores of an emotion model
(GoEmotions: per-label F1, macro-F1 on 28 labels and on Ekman groups; EmoBank: Pearson r for valence, arousal,
dominance, overall, per genre and with neighbouring sentences as context).

Thresholds come from the model file (tuned out-of-fold on GoEmotions train): nothing here is tuned on dev.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from fabula.corpora.metrics import f1_per_column, pearson
from fabula.errors import DataError, ModelError
from fabula.stages.emotion import EKMAN, MODEL_FILE, EmotionModel, ekman_member_matrix
from fabula.stages.emotion_encoder import ENCODER_FILE, EncoderEmotionModel, require_encoder

# ---------------------------------------------------------------------------------------------------- data


@dataclass(slots=True)
class GoEmotions:
    texts: list[str]
    labels: list[list[int]]  # label ids per text
    names: list[str]  # the 28 label names

    def matrix(self) -> np.ndarray:
        y = np.zeros((len(self.texts), len(self.names)), dtype=np.int8)
        for i, ls in enumerate(self.labels):
            y[i, ls] = 1
        return y

    def ekman_matrix(self) -> np.ndarray:
        return ekman_targets(self.matrix(), self.names)


@dataclass(slots=True)
class EmoBank:
    ids: list[str]
    texts: list[str]
    vad: np.ndarray  # (n, 3)
    genres: list[str]


def read_goemotions(data_dir: Path, split: str) -> GoEmotions:
    """``train`` or ``dev`` from a GoEmotions folder (``text<TAB>ids<TAB>comment id``)."""
    path = data_dir / f"{split}.tsv"
    names_path = data_dir / "labels.txt"
    if not path.is_file() or not names_path.is_file():
        raise DataError(f"GoEmotions {split} data not found under {data_dir}")
    names = [x.strip() for x in names_path.read_text(encoding="utf-8").splitlines() if x.strip()]
    texts: list[str] = []
    labels: list[list[int]] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        parts = line.split("\t")
        if len(parts) < 2:
            raise DataError(f"{path}:{n}: expected text<TAB>labels")
        try:
            ids = [int(x) for x in parts[1].split(",") if x]
        except ValueError as exc:
            raise DataError(f"{path}:{n}: bad label ids {parts[1]!r}") from exc
        texts.append(parts[0])
        labels.append(ids)
    return GoEmotions(texts, labels, names)


def read_emobank(data_dir: Path, split: str) -> EmoBank:
    """Rows of ``emobank.csv`` in one split, with the genre from ``meta.tsv`` (``""`` where unknown)."""
    path = data_dir / "emobank.csv"
    if not path.is_file():
        raise DataError(f"EmoBank not found under {data_dir}")
    genres: dict[str, str] = {}
    meta = data_dir / "meta.tsv"
    if meta.is_file():
        for line in meta.read_text(encoding="utf-8").splitlines()[1:]:
            parts = line.split("\t")
            if len(parts) >= 3:
                genres[parts[0]] = parts[2].strip()
    ids: list[str] = []
    texts: list[str] = []
    vad: list[list[float]] = []
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row.get("split") != split:
                continue
            try:
                vad.append([float(row["V"]), float(row["A"]), float(row["D"])])
            except (KeyError, ValueError) as exc:
                raise DataError(f"{path}: bad row {row.get('id')}") from exc
            ids.append(row["id"])
            texts.append(row["text"])
    if not ids:
        raise DataError(f"{path}: no rows in split {split!r}")
    return EmoBank(ids, texts, np.asarray(vad, dtype=np.float64), [genres.get(i, "") for i in ids])


def emobank_contexts(bank: EmoBank) -> list[str]:
    """For each sentence, its neighbours (previous and next sentence of the same document, same split).

    Ids are ``document_start_end``; SemEval headlines stand alone (empty context).
    """
    by_doc: dict[str, list[tuple[int, int]]] = {}
    for i, sid in enumerate(bank.ids):
        parts = sid.rsplit("_", 2)
        if len(parts) != 3 or not parts[1].isdigit() or bank.genres[i] == "SemEval":
            continue
        by_doc.setdefault(parts[0], []).append((int(parts[1]), i))
    out = [""] * len(bank.ids)
    for items in by_doc.values():
        items.sort()
        for k, (_, i) in enumerate(items):
            near = [items[j][1] for j in (k - 1, k + 1) if 0 <= j < len(items)]
            out[i] = " ".join(bank.texts[j] for j in near)
    return out


def ekman_targets(y: np.ndarray, names: Sequence[str]) -> np.ndarray:
    """Multi-hot Ekman groups from multi-hot GoEmotions labels."""
    m = ekman_matrix(names)
    return (y.astype(np.int32) @ m > 0).astype(np.int8)


def ekman_matrix(names: Sequence[str]) -> np.ndarray:
    """(28, 7) 0/1 matrix: label → Ekman group."""
    return ekman_member_matrix(names, EKMAN).astype(np.int32)


# -------------------------------------------------------------------------------------------- dev scores

ROUND = 4
CONTEXT_SWEEP = (0.0, 0.1, 0.2, 0.3, 0.5)


def _model(model_path: Path | None, encoder: bool = False) -> tuple[EmotionModel | EncoderEmotionModel, float]:
    """The model (n-gram, or the encoder mode) and its load time in seconds (from the file, bypassing the process
    cache; for the encoder mode this includes loading MiniLM and the n-gram model)."""
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
