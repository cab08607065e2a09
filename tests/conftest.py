"""Shared test helpers: where ../shared/data lives, and a skip when it is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
SEEDS = DATA / "seeds"


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} not available")
    return path


@pytest.fixture
def seeds() -> Path:
    return need(SEEDS)
