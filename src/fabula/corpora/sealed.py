"""The sealed validation split of PDNC dev: five novels whose errors nobody reads.

The rule, fixed before any result was looked at: sort the novel folder names by the SHA-256 hex digest of the
name (UTF-8) and take the first five. Evaluations report these novels only as one aggregate, beside the other
fourteen; no per-novel rows, confusions or examples are ever printed for them. See ``docs/evaluation.md``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

#: How many novels the rule seals.
SEALED_COUNT = 5

#: ``sealed_novels`` applied to the 19 PDNC dev folders (pinned by a test, so the split cannot drift).
SEALED_PDNC_DEV: tuple[str, ...] = (
    "TheMysteriousAffairAtStyles",
    "AnneOfGreenGables",
    "TheSportOfTheGods",
    "TheInvisibleMan",
    "Persuasion",
)


def sealed_novels(names: Iterable[str], count: int = SEALED_COUNT) -> list[str]:
    """The sealed novels among ``names``: the first ``count`` by ``sha256(name.encode()).hexdigest()``."""
    return sorted(set(names), key=lambda n: hashlib.sha256(n.encode("utf-8")).hexdigest())[:count]


def is_sealed(name: str) -> bool:
    """Whether ``name`` is one of the sealed PDNC dev novels."""
    return name in SEALED_PDNC_DEV
