"""``fabula serve``: a local web app (paste or upload a chapter, read the report, download the data) and the JSON
HTTP API other tools call. ``create_app(settings)`` builds a FastAPI app; nothing is registered at import, and
importing this package does not import FastAPI (the CLI imports ``fabula.web.serve`` on every start).

Layout: ``settings`` (limits), ``errors`` (fabula's typed errors -> HTTP statuses, only here), ``upload`` (bodies
read with a cap, multipart parsed in memory), ``worker`` (what runs in the process pool), ``jobs`` (the pool, the
bounded queue, progress and finished results), ``security`` (CSP and other headers), ``routes_api`` and
``routes_pages`` (the endpoints), ``app`` (the factory), ``serve`` (the CLI command and a background server).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fabula.web.app import create_app
    from fabula.web.settings import Settings

__all__ = ["Settings", "create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from fabula.web.app import create_app

        return create_app
    if name == "Settings":
        from fabula.web.settings import Settings

        return Settings
    raise AttributeError(name)
