"""Shared test helpers: where ../shared/data lives, and a skip when it is absent."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings

# Property tests assert what holds, not how fast: no per-example deadline, which a loaded CI machine can overrun
# (a charset detection taking 250 ms is a flaky failure, not a finding). Speed lives in `make bench`.
settings.register_profile("fabula", deadline=None)
settings.load_profile("fabula")

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
SEEDS = DATA / "seeds"


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} not available")
    return path


@pytest.fixture
def seeds() -> Path:
    return need(SEEDS)
