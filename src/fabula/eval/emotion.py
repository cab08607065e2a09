"""Emotion model evaluation (``fabula eval emotion``): GoEmotions dev and EmoBank dev, scored by
:func:`fabula.corpora.emotion.evaluate_goemotions` and :func:`fabula.corpora.emotion.evaluate_emobank` (training
records the same scores in its model files)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fabula.corpora.emotion import evaluate_emobank, evaluate_goemotions


def evaluate(root: Path, encoder: bool = False) -> dict[str, Any]:
    """The report on the data folder ``root`` (holding ``goemotions/`` and ``emobank/``); ``encoder``: score the
    MiniLM encoder mode instead of the n-gram model."""
    return {
        "goemotions": evaluate_goemotions(root / "goemotions", encoder=encoder),
        "emobank": evaluate_emobank(root / "emobank", encoder=encoder),
    }
