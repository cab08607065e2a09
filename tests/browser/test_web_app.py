"""``fabula serve`` in real headless Chromium: paste, upload, hostile text, and no request off the page's origin.

The app runs with uvicorn in a thread on a free loopback port (``fabula.web.serve.background``), with
``inline_wait_s=0`` so every analysis goes through the progress page and its polling script.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import SEEDS
from tests.web.kit import HOSTILE, PAYLOAD_IMG, PAYLOAD_SCRIPT, SCENE, epub

REPORT_TIMEOUT_MS = 120_000


@pytest.fixture(scope="module")
def live() -> Iterator[str]:
    from fabula.web import Settings
    from fabula.web.serve import background

    with background(Settings(workers=2, inline_wait_s=0.0)) as url:
        yield url


def _same_origin(page: Any, base: str) -> None:
    foreign = [u for u in page.requests if not (u.startswith(base + "/") or u == base)]
    assert foreign == [], foreign


def _analyze(page: Any) -> None:
    page.click("#analyze")
    page.wait_for_url("**/jobs/*/report", timeout=REPORT_TIMEOUT_MS)


def test_paste_seed_001_see_cast_and_coloured_quotes(page: Any, live: str) -> None:
    seed = sorted(SEEDS.glob("001_*.txt")) if SEEDS.is_dir() else []
    if not seed:
        pytest.skip(f"seed 001 not available under {SEEDS}")
    page.goto(live + "/")
    page.fill("#text", seed[0].read_text(encoding="utf-8"))
    _analyze(page)
    ikram = page.locator("tr", has_text="Ikram").filter(has_text="narrator")
    assert ikram.count() >= 1 and ikram.first.is_visible()
    quotes = page.locator(".q[data-q], span.q")
    assert quotes.count() >= 10
    colours = page.eval_on_selector_all(
        "span.q", "els => els.map(e => [getComputedStyle(e).backgroundColor, getComputedStyle(e).borderBottomColor])"
    )
    backgrounds = {bg for bg, _ in colours}
    assert "rgba(0, 0, 0, 0)" not in backgrounds and "transparent" not in backgrounds
    assert len({border for _, border in colours}) >= 2  # one colour per speaker
    assert page.locator("nav.fabula-web a", has_text="Download JSON").is_visible()
    assert page.errors == []  # no CSP violation, no script error
    _same_origin(page, live)


def test_upload_an_epub(page: Any, live: str, tmp_path: Any) -> None:
    book = tmp_path / "ledger.epub"
    book.write_bytes(epub(SCENE, title="The Ledger"))
    page.goto(live + "/")
    page.set_input_files("#file", str(book))
    _analyze(page)
    assert page.locator("tr", has_text="Odile").count() >= 1
    assert page.locator("tr", has_text="Bram").count() >= 1
    with page.expect_download() as dl:
        page.click("nav.fabula-web >> text=Download JSON")
    assert dl.value.suggested_filename == "ledger.json"
    assert page.errors == []
    _same_origin(page, live)


def test_script_payloads_show_as_text_and_run_nothing(page: Any, live: str) -> None:
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(live + "/")
    page.fill("#text", HOSTILE)
    _analyze(page)
    body = page.inner_text("body")
    assert PAYLOAD_SCRIPT in body
    assert "<img src=x onerror=alert(1)>" in body or PAYLOAD_IMG in body
    assert page.locator("img[src='x']").count() == 0
    page.wait_for_timeout(300)
    assert dialogs == []
    _same_origin(page, live)


def test_unsupported_upload_shows_the_reason(page: Any, live: str, tmp_path: Any) -> None:
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF-1.7")
    page.goto(live + "/")
    page.set_input_files("#file", str(scan))
    page.click("#analyze")
    page.wait_for_selector("#error")
    assert "unsupported file type" in page.inner_text("#error")
    _same_origin(page, live)
