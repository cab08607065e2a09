"""Counting and summarising for the evaluation reports: right/total buckets and their accuracies.

Measures on arrays (Pearson r, per-column F1) are in :mod:`fabula.corpora.metrics`, shared with training."""

from __future__ import annotations

from typing import Any


def bucket() -> dict[str, int]:
    """An empty tally: ``n`` items scored, ``correct`` of them right."""
    return {"n": 0, "correct": 0}


def rate(d: dict[str, int] | None) -> dict[str, Any] | None:
    """The tally with its ``accuracy`` (None for an empty tally; None stays None)."""
    if d is None:
        return None
    return {**d, "accuracy": round(d["correct"] / d["n"], 4) if d["n"] else None}


def with_rates(res: dict[str, Any], keys: tuple[str, ...] = ("speaker", "addressee", "narrator")) -> dict[str, Any]:
    """``res`` with an accuracy on each tally in ``keys`` and in ``res["by_type"]`` (changed in place)."""
    for k in keys:
        res[k] = rate(res[k])
    res["by_type"] = {t: rate(v) for t, v in res["by_type"].items()}
    return res
