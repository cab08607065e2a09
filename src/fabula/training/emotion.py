"""Train the shipped emotion model: TF-IDF → one-vs-rest logistic regression (28 labels, 7 Ekman groups), ridge
regression for EmoBank valence/arousal/dominance (stacked on the label logits).

``python -m fabula.training.emotion --data ../shared/data --out src/fabula/models/emotion``

Per-label thresholds are tuned on out-of-fold predictions over GoEmotions *train* (k folds), never on dev.
The output is a compressed npz of float16 weights and ``\\n``-joined vocabularies (no pickle), read by
:class:`fabula.stages.emotion.EmotionModel`.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from fabula.corpora.emotion import (
    ekman_matrix,
    evaluate_emobank,
    evaluate_goemotions,
    read_emobank,
    read_goemotions,
)
from fabula.corpora.metrics import f1_per_column, pearson
from fabula.stages.emotion import (
    EKMAN,
    MODEL_FILE,
    Vectorizer,
    char_features,
    ekman_from_labels,
    encode_strings,
    normalize,
    sigmoid,
    word_features,
)

log = logging.getLogger(__name__)

THRESHOLD_GRID = np.round(np.arange(0.02, 0.951, 0.01), 2)
EKMAN_MIX_GRID = (1.0, 0.7, 0.5, 0.3, 0.0)
ALPHA_GRID = (1.0, 2.0, 3.0, 5.0, 8.0)


# ------------------------------------------------------------------------------------------------ metrics


def tune_thresholds(p: np.ndarray, y: np.ndarray, grid: np.ndarray = THRESHOLD_GRID) -> np.ndarray:
    """Per-column threshold on ``grid`` maximising F1 (ties: the middle of the best run, for stability)."""
    out = np.zeros(p.shape[1])
    for j in range(p.shape[1]):
        f = np.array([f1_per_column(y[:, j : j + 1], p[:, j : j + 1] >= t)[0] for t in grid])
        best = np.flatnonzero(f >= f.max() - 1e-9)
        out[j] = grid[best[len(best) // 2]]
    return out


# --------------------------------------------------------------------------------------------- training


def build_vectorizer(
    texts: Sequence[str], max_words: int, max_chars: int, min_df: int = 2, negation: bool = False
) -> Vectorizer:
    """Fixed vocabularies of the most frequent (by document frequency) word and char features; smoothed idf."""
    wdf: Counter[str] = Counter()
    cdf: Counter[str] = Counter()
    for t in texts:
        norm = normalize(t)
        wdf.update(set(word_features(norm, negation)))
        cdf.update(set(char_features(norm)))
    n = len(texts)
    vocabs: list[dict[str, int]] = []
    idfs: list[np.ndarray] = []
    for df, cap in ((wdf, max_words), (cdf, max_chars)):
        items = sorted(((f, c) for f, c in df.items() if c >= min_df and "\n" not in f), key=lambda x: (-x[1], x[0]))
        items = items[:cap]
        vocabs.append({f: i for i, (f, _) in enumerate(items)})
        idfs.append(np.log((1 + n) / (1 + np.array([c for _, c in items], dtype=np.float64))) + 1.0)
    return Vectorizer(vocabs[0], vocabs[1], np.concatenate(idfs), negation=negation)


def to_csr(vec: Vectorizer, texts: Sequence[str]) -> Any:
    import scipy.sparse as sp

    rows, cols, vals = vec.transform(texts)
    x = sp.csr_matrix((vals, (rows, cols)), shape=(len(texts), vec.size), dtype=np.float64)
    x.sum_duplicates()
    x.sort_indices()
    return x


def nb_scale(x: Any, y: np.ndarray, beta: float) -> np.ndarray:
    """Per-feature scale ``1 - β + β·|r|`` from the naive-Bayes log-count ratio ``r`` of binary target ``y``
    (Wang & Manning 2012, NBSVM), as an importance prior for the logistic regression."""
    xb = x.copy()
    xb.data[:] = 1.0
    pos = y.astype(bool)
    p = np.asarray(xb[pos].sum(axis=0)).ravel() + 1.0
    q = np.asarray(xb[~pos].sum(axis=0)).ravel() + 1.0
    r = np.log((p / p.sum()) / (q / q.sum()))
    out: np.ndarray = (1.0 - beta) + beta * np.abs(r)
    return out


def fit_ovr(x: Any, y: np.ndarray, c: float, jobs: int, nb: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """One binary logistic regression per column (liblinear, threads), on NB-scaled features when ``nb > 0``.

    Returns weights on the *unscaled* features (features, k) and biases (k): scaling is folded into the weights.
    """
    from joblib import Parallel, delayed
    from sklearn.linear_model import LogisticRegression

    def one(j: int) -> tuple[np.ndarray, float]:
        m = LogisticRegression(C=c, solver="liblinear", max_iter=200, random_state=0)
        if nb > 0:
            scale = nb_scale(x, y[:, j], nb)
            m.fit(x.multiply(scale).tocsr(), y[:, j])
            return m.coef_[0] * scale, float(m.intercept_[0])
        m.fit(x, y[:, j])
        return m.coef_[0], float(m.intercept_[0])

    fits = Parallel(n_jobs=jobs, prefer="threads")(delayed(one)(j) for j in range(y.shape[1]))
    return np.column_stack([f[0] for f in fits]), np.array([f[1] for f in fits])


def _oof_probs(x: Any, y: np.ndarray, c: float, folds: int, jobs: int, seed: int, nb: float) -> np.ndarray:
    """Out-of-fold probabilities over the training set."""
    rng = np.random.default_rng(seed)
    fold = rng.permutation(len(y)) % folds
    p = np.zeros(y.shape, dtype=np.float64)
    for k in range(folds):
        tr, te = np.flatnonzero(fold != k), np.flatnonzero(fold == k)
        w, b = fit_ovr(x[tr], y[tr], c, jobs, nb)
        p[te] = sigmoid(x[te] @ w + b)
        log.info("fold %d/%d done", k + 1, folds)
    return p


def train(
    data_dir: Path,
    out_dir: Path,
    *,
    max_words: int = 20_000,
    max_chars: int = 30_000,
    c: float = 1.0,
    c_ekman: float = 1.0,
    nb: float = 0.5,
    alpha: float = 0.0,
    stack_scale: float = 0.1,
    prob_scale: float = 1.0,
    negation: bool = True,
    fiction_weight: float = 1.0,
    context_weight: float = 0.1,
    folds: int = 3,
    jobs: int = 2,
    seed: int = 0,
) -> dict[str, Any]:
    """Train on GoEmotions train + EmoBank train, write ``out_dir/emotion.npz``, return dev scores."""
    from sklearn.linear_model import Ridge

    t0 = time.perf_counter()
    go = read_goemotions(data_dir / "goemotions", "train")
    bank = read_emobank(data_dir / "emobank", "train")
    vec = build_vectorizer(go.texts + bank.texts, max_words, max_chars, negation=negation)
    x_go = to_csr(vec, go.texts)
    x_eb = to_csr(vec, bank.texts)
    log.info("features: %d words + %d chars (%.1fs)", len(vec.word_vocab), len(vec.char_vocab), time.perf_counter() - t0)

    y = go.matrix()
    ye = go.ekman_matrix()
    if folds > 1:
        oof_lab = _oof_probs(x_go, y, c, folds, jobs, seed, nb)
        oof_ek = _oof_probs(x_go, ye, c_ekman, folds, jobs, seed, nb)
        thresholds = tune_thresholds(oof_lab, y)
        ekman_mix, ek_thresholds, mix_f1 = choose_ekman_mix(oof_lab, oof_ek, ye, ekman_member_matrix(go.names))
        log.info("ekman mix (out-of-fold macro-F1): %s", mix_f1)
    else:
        thresholds, ek_thresholds, ekman_mix, mix_f1 = np.full(28, 0.3), np.full(7, 0.3), 1.0, {}
    w_lab, b_lab = fit_ovr(x_go, y, c, jobs, nb)
    w_ek, b_ek = fit_ovr(x_go, ye, c_ekman, jobs, nb)
    log.info("classifiers done (%.1fs)", time.perf_counter() - t0)

    # Round the classifier weights now so the VAD head is stacked on exactly what inference computes.
    w_cls = np.hstack([w_lab, w_ek]).astype(np.float16).astype(np.float64)
    b_cls = np.concatenate([b_lab, b_ek])
    z_eb = x_eb @ w_cls + b_cls
    sample_weight = np.where(np.array(bank.genres) == "fiction", fiction_weight, 1.0)
    x_vad = vad_design(x_eb, z_eb, stack_scale, prob_scale)
    alpha_cv: dict[str, list[float]] = {}
    if alpha <= 0:  # choose α by k-fold cross-validation on EmoBank train (valence r)
        alpha, alpha_cv = choose_alpha(x_vad, bank.vad, sample_weight, seed)
        log.info("ridge alpha %.1f (cv r V/A/D: %s)", alpha, alpha_cv)
    ridge = Ridge(alpha=alpha)
    ridge.fit(x_vad, bank.vad, sample_weight=sample_weight)
    coef = ridge.coef_.T  # (features + 35 + 35, 3)
    nc = w_cls.shape[1]
    w_vad = coef[: vec.size]
    stack = coef[vec.size : vec.size + nc] * stack_scale
    stack_probs = coef[vec.size + nc :] * prob_scale
    log.info("VAD ridge done (%.1fs)", time.perf_counter() - t0)

    weights = np.hstack([w_cls, w_vad]).astype(np.float16)
    bias = np.concatenate([b_cls, ridge.intercept_])
    meta: dict[str, Any] = {
        "version": 1,
        "trained": time.strftime("%Y-%m-%d"),
        "params": {
            "max_words": max_words, "max_chars": max_chars, "c": c, "c_ekman": c_ekman, "nb": nb, "alpha": alpha,
            "stack_scale": stack_scale, "prob_scale": prob_scale, "fiction_weight": fiction_weight,
            "folds": folds, "seed": seed, "context_weight": context_weight, "negation": negation,
        },
        "context_weight": context_weight,
        "negation": negation,
        "ekman_mix": ekman_mix,
        "selection": {"ekman_mix_oof_macro_f1": mix_f1, "alpha_cv_pearson": alpha_cv},
    }
    arrays = {
        "labels": encode_strings(go.names),
        "ekman": encode_strings(EKMAN),
        "word_vocab": encode_strings(vec.word_vocab),
        "char_vocab": encode_strings(vec.char_vocab),
        "idf": vec.idf.astype(np.float32),
        "W": weights,
        "b": bias.astype(np.float32),
        "stack": stack.astype(np.float32),
        "stack_probs": stack_probs.astype(np.float32),
        "thresholds": thresholds.astype(np.float32),
        "ekman_thresholds": ek_thresholds.astype(np.float32),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / MODEL_FILE
    arrays["meta"] = encode_strings([json.dumps(meta)])
    np.savez_compressed(path, **arrays)
    scores: dict[str, Any] = {"train_seconds": round(time.perf_counter() - t0, 1)}
    scores.update(save_with_dev_scores(path, arrays, meta, data_dir))
    return scores


def save_with_dev_scores(
    path: Path, arrays: dict[str, Any], meta: dict[str, Any], data_dir: Path, encoder: bool = False
) -> dict[str, Any]:
    """Score the model saved at ``path`` on GoEmotions and EmoBank dev, record the scores in its ``meta`` and save
    it again; returns ``goemotions``, ``emobank`` and the final ``size_bytes``."""
    out: dict[str, Any] = {
        "goemotions": evaluate_goemotions(data_dir / "goemotions", model_path=path, encoder=encoder),
        "emobank": evaluate_emobank(data_dir / "emobank", model_path=path, encoder=encoder),
    }
    meta["dev"] = {
        "macro_f1_28": out["goemotions"]["macro_f1"],
        "macro_f1_ekman": out["goemotions"]["ekman_macro_f1"],
        "pearson_vad": out["emobank"]["pearson"],
    }
    arrays["meta"] = encode_strings([json.dumps(meta)])
    np.savez_compressed(path, **arrays)
    out["size_bytes"] = path.stat().st_size
    return out


def ekman_member_matrix(names: Sequence[str]) -> np.ndarray:
    """Float (28, 7) membership matrix, as inference builds it."""
    return ekman_matrix(names).astype(np.float64)


def choose_ekman_mix(
    oof_lab: np.ndarray, oof_ek: np.ndarray, ye: np.ndarray, members: np.ndarray
) -> tuple[float, np.ndarray, dict[str, float]]:
    """The mix of Ekman head and label noisy-or, and its thresholds, maximising out-of-fold macro-F1 (train only)."""
    from_labels = ekman_from_labels(oof_lab, members)
    best: tuple[float, float, np.ndarray] = (-1.0, 1.0, np.full(ye.shape[1], 0.3))
    scores: dict[str, float] = {}
    for mix in EKMAN_MIX_GRID:
        p = mix * oof_ek + (1.0 - mix) * from_labels
        t = tune_thresholds(p, ye)
        f = float(f1_per_column(ye, p >= t).mean())
        scores[str(mix)] = round(f, 4)
        if f > best[0] + 1e-9:
            best = (f, mix, t)
    return best[1], best[2], scores


def vad_design(x: Any, z: np.ndarray, stack_scale: float, prob_scale: float) -> Any:
    """Ridge design matrix: TF-IDF features, scaled classifier logits and scaled classifier probabilities."""
    import scipy.sparse as sp

    return sp.hstack([x, sp.csr_matrix(z * stack_scale), sp.csr_matrix(sigmoid(z) * prob_scale)]).tocsr()


def choose_alpha(
    x: Any, vad: np.ndarray, sample_weight: np.ndarray, seed: int, folds: int = 5
) -> tuple[float, dict[str, list[float]]]:
    """Ridge α on :data:`ALPHA_GRID` maximising k-fold CV Pearson r of valence on EmoBank train."""
    from sklearn.linear_model import Ridge

    fold = np.random.default_rng(seed).permutation(len(vad)) % folds
    out: dict[str, list[float]] = {}
    best = (-2.0, ALPHA_GRID[0])
    for a in ALPHA_GRID:
        pred = np.zeros_like(vad)
        for k in range(folds):
            tr, te = fold != k, fold == k
            pred[te] = Ridge(alpha=a).fit(x[tr], vad[tr], sample_weight=sample_weight[tr]).predict(x[te])
        r = [round(pearson(pred[:, j], vad[:, j]), 4) for j in range(3)]
        out[str(a)] = r
        if r[0] > best[0]:
            best = (r[0], a)
    return best[1], out


def main(argv: Sequence[str] | None = None) -> None:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/data"), help="folder with goemotions/ and emobank/")
    ap.add_argument("--out", type=Path, default=Path("src/fabula/models/emotion"))
    ap.add_argument("--max-words", type=int, default=20_000)
    ap.add_argument("--max-chars", type=int, default=30_000)
    ap.add_argument("--c", type=float, default=1.0)
    ap.add_argument("--c-ekman", type=float, default=1.0)
    ap.add_argument("--nb", type=float, default=0.5, help="naive-Bayes feature scaling strength (0: off)")
    ap.add_argument("--alpha", type=float, default=0.0, help="ridge α for VAD (0: choose by CV on EmoBank train)")
    ap.add_argument("--prob-scale", type=float, default=1.0, help="scale of the stacked label probabilities (0: off)")
    ap.add_argument("--fiction-weight", type=float, default=1.0)
    ap.add_argument("--context-weight", type=float, default=0.1)
    ap.add_argument("--no-negation", action="store_true", help="leave out the negation-scope features")
    ap.add_argument("--folds", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    scores = train(
        args.data, args.out, max_words=args.max_words, max_chars=args.max_chars, c=args.c, c_ekman=args.c_ekman,
        nb=args.nb, alpha=args.alpha, prob_scale=args.prob_scale, negation=not args.no_negation,
        fiction_weight=args.fiction_weight, context_weight=args.context_weight,
        folds=args.folds, jobs=args.jobs,
    )
    print(json.dumps(scores, indent=2))


if __name__ == "__main__":
    main()
