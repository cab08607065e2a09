"""Writers turn an analysed Story into output files: JSON (``fabula.story/1``), BookNLP-style TSV, an HTML report.

``render(story, fmt)`` returns ``{suffix: content}`` without touching the disk, so callers write each file
atomically (``write_atomic``) and never leave half an output behind.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from fabula.errors import UsageError
from fabula.story import Story

FORMATS = ("json", "tsv", "html")


def render(story: Story, fmt: str) -> dict[str, str]:
    """Render ``story`` as ``fmt`` (one of ``FORMATS``, or ``"all"``): a map of file suffix to file content."""
    if fmt == "json":
        from fabula.writers.json import dumps

        return {".json": dumps(story)}
    if fmt == "tsv":
        from fabula.writers.tsv import tables

        return tables(story)
    if fmt == "html":
        from fabula.writers.html import render as render_html

        return {".html": render_html(story)}
    if fmt == "all":
        out: dict[str, str] = {}
        for f in FORMATS:
            out.update(render(story, f))
        return out
    raise UsageError(f"unknown output format {fmt!r} (choose from {', '.join(FORMATS)}, all)")


def write_atomic(path: Path, content: str) -> None:
    """Write UTF-8 ``content`` to ``path`` via a temporary file in the same folder and a rename."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(content)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


__all__ = ["FORMATS", "render", "write_atomic"]
