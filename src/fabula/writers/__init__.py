"""Writers turn an analysed Story into output files: JSON (``fabula.story/1``), BookNLP-style TSV, an HTML
report.

``render(story, fmt)`` returns ``{suffix: content}`` without touching the disk, so callers write each file
atomically (``fabula.io.atomic_write``) and never leave half an output behind.
"""

from __future__ import annotations

from fabula.errors import UsageError
from fabula.story import Story

FORMATS = ("json", "tsv", "html")


def render(story: Story, fmt: str) -> dict[str, str]:
    """Render ``story`` as ``fmt`` (one of ``FORMATS``, ``"all"``, or ``"summary"`` for the terminal summary):
    a map of file suffix to content."""
    if fmt == "json":
        from fabula.writers.json import dumps

        return {".json": dumps(story)}
    if fmt == "tsv":
        from fabula.writers.tsv import tables

        return tables(story)
    if fmt == "html":
        from fabula.writers.html import render as render_html

        return {".html": render_html(story)}
    if fmt == "summary":  # the terminal summary (not a file format: not in FORMATS or "all")
        import shutil

        from fabula.writers.summary import render as render_summary

        return {".txt": render_summary(story, width=min(100, shutil.get_terminal_size((100, 24)).columns))}
    if fmt == "all":
        out: dict[str, str] = {}
        for f in FORMATS:
            out.update(render(story, f))
        return out
    raise UsageError(f"unknown output format {fmt!r} (choose from {', '.join(FORMATS)}, all)")


__all__ = ["FORMATS", "render"]
