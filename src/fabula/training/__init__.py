"""Training commands for the shipped models (``python -m fabula.training.<model>``); the pipeline never imports
them."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence
from pathlib import Path

#: ``../shared/data`` beside the repository: the corpora the commands read by default.
DATA = Path(__file__).resolve().parents[4] / "shared" / "data"


def training_args(doc: str | None, argv: Sequence[str] | None, *, litbank: bool = True) -> argparse.Namespace:
    """The options every training command shares (``--litbank``, ``--pdnc``, ``--folds``, ``--no-write``), parsed
    from ``argv``, with logging set up; ``doc``'s first line is the description."""
    ap = argparse.ArgumentParser(description=(doc or "").splitlines()[0])
    if litbank:
        ap.add_argument("--litbank", type=Path, default=DATA / "litbank")
    ap.add_argument("--pdnc", type=Path, default=DATA / "pdnc-dev")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--no-write", action="store_true", help="cross-validate only")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    return args
