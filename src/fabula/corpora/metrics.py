"""Plain measures on arrays, used for model selection in training and for the figures evaluation reports."""

from __future__ import annotations

import numpy as np


def f1_per_column(y: np.ndarray, pred: np.ndarray) -> np.ndarray:
    """F1 of each column of multi-hot ``y`` against boolean ``pred`` (0 where a column has no gold and no pred)."""
    y = y.astype(bool)
    tp = (y & pred).sum(0).astype(float)
    denom = y.sum(0) + pred.sum(0)
    return np.where(denom > 0, 2 * tp / np.maximum(denom, 1), 0.0)


def pearson(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation of two vectors (0 when either is constant)."""
    a = a - a.mean()
    b = b - b.mean()
    d = float(np.sqrt((a * a).sum() * (b * b).sum()))
    return float((a * b).sum() / d) if d > 0 else 0.0
