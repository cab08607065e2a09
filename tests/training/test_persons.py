"""Fitting the person model: the seed fixes the trees' row subsampling (``fabula eval characters --seeds``)."""

from __future__ import annotations

import numpy as np

from fabula.stages.characters.persons import FEATURES
from fabula.training.persons import fit


def test_fit_is_fixed_by_its_seed() -> None:
    rng = np.random.default_rng(7)
    x = rng.normal(size=(300, len(FEATURES)))
    y = (x[:, 0] + 0.5 * rng.normal(size=300) > 0).astype(int)
    probe = rng.normal(size=(50, len(FEATURES)))
    p0, again, p1 = (fit(x, y, seed=s).predict_proba(probe) for s in (0, 0, 1))
    assert np.array_equal(p0, again)
    assert not np.allclose(p0, p1)  # another subsample, other trees
    assert np.mean((p0 > 0.5) == (probe[:, 0] > 0)) > 0.8  # and both learnt the signal
    assert np.mean((p1 > 0.5) == (probe[:, 0] > 0)) > 0.8
