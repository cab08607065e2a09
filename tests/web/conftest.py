"""Fixtures for the web app tests: one TestClient (with its process pool) for the session, and a factory for
clients with other limits."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from fastapi.testclient import TestClient

from fabula.web import Settings, create_app


@pytest.fixture(scope="session")
def client() -> Iterator[TestClient]:
    """The app with default limits and two workers."""
    with TestClient(create_app(Settings(workers=2)), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def make_client() -> Iterator[Callable[..., TestClient]]:
    """``make_client(**settings)``: a started client with those settings (one worker, no model preload)."""
    with ExitStack() as stack:

        def make(**kw: Any) -> TestClient:
            kw.setdefault("workers", 1)
            kw.setdefault("preload", False)
            app = create_app(Settings(**kw))
            return stack.enter_context(TestClient(app, raise_server_exceptions=False))

        yield make
