"""fabula: an engine that understands fiction."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from fabula.story import Story


def analyze(source: Any, **options: Any) -> Story:
    """Analyse a story given as a path, its text, or raw bytes. See ``fabula.api.analyze``."""
    from fabula.api import analyze as _analyze

    return _analyze(source, **options)


__all__ = ["__version__", "analyze"]
