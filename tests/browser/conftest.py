"""Headless Chromium for browser tests: Debian's ``/usr/bin/chromium`` driven by Playwright, never a downloaded browser.

The tests skip when Chromium or Playwright is absent, except under CI (``CI`` set), where ``.ci/run`` installs
both and a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"browser tests need {reason} (CI installs it in .ci/run)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the whole session."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright (pip install playwright)")
    if not shutil.which(CHROMIUM):
        _unavailable(f"{CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page; records console errors in ``page.errors`` and every request URL in ``page.requests``."""
    context = browser.new_context()
    pg = context.new_page()
    pg.errors = []
    pg.requests = []
    pg.on("console", lambda msg: pg.errors.append(msg.text) if msg.type == "error" else None)
    pg.on("pageerror", lambda exc: pg.errors.append(str(exc)))
    pg.on("request", lambda req: pg.requests.append(req.url))
    yield pg
    context.close()
