"""fabula: an engine that understands fiction."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from fabula.story import Story


def analyze(source: str | bytes | os.PathLike[str] | Story, **options: Any) -> Story:
    """Analyse a story, taken by type: a ``str`` is the text itself (never a file name), a ``pathlib.Path`` (any
    ``os.PathLike``) is a file, ``bytes`` are a file's raw content. See ``fabula.api.analyze`` for the options."""
    from fabula.api import analyze as _analyze

    return _analyze(source, **options)


__all__ = ["__version__", "analyze"]
