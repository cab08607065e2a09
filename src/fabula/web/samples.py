"""The bundled sample stories (copies of ``examples/``), served by name from a fixed list: no request names a
path. ``tests/web`` checks the copies still match ``examples/``."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

#: File name -> title shown on the start page.
SAMPLES: dict[str, str] = {
    "the_lighthouse_keeper.txt": "The Lighthouse Keeper (plain text)",
    "the_orchard.md": "The Orchard (Markdown)",
    "wattpad_chapter.txt": "A Wattpad chapter (pasted from the site)",
}


@lru_cache(maxsize=len(SAMPLES))
def sample(name: str) -> bytes | None:
    """The bytes of the sample called ``name``, or None when no sample has that name."""
    if name not in SAMPLES:
        return None
    return resources.files("fabula.web").joinpath("samples", name).read_bytes()
