"""The HTML report in real headless Chromium: on each sample chapter and on the longest dev novel the cast and
coloured quotations are there, hovering or focusing a quotation shows its speaker, the charts render, nothing
errs, nothing is fetched, a 390-pixel phone has no sideways scroll; and hostile text runs nothing.

The longest novel's report size is printed (run with ``-s``) and recorded as a test property (``--junitxml``);
how fast a report paints is a benchmark's business, not a test's."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from fabula import api
from fabula.writers.html import render

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
SEEDS = sorted((DATA / "seeds").glob("*.txt")) if (DATA / "seeds").exists() else []


def _longest_novel() -> Path | None:
    novels = list((DATA / "pdnc-dev").glob("*/novel_text.txt")) if (DATA / "pdnc-dev").exists() else []
    return max(novels, key=lambda p: p.stat().st_size) if novels else None


@cache
def _report(path: Path) -> str:
    return render(api.analyze(path))


def _open(page: Any, tmp_path: Path, doc: str, name: str = "report.html") -> str:
    out = tmp_path / name
    out.write_text(doc, encoding="utf-8")
    page.goto(out.as_uri(), wait_until="load")
    return out.as_uri()


def _check_report(page: Any, uri: str) -> None:
    assert page.locator("#cast tbody tr").count() >= 1
    quotes = page.locator(".text .q[data-who]")
    assert quotes.count() >= 1
    border = quotes.first.evaluate("e => getComputedStyle(e).borderBottomColor")
    assert border not in ("rgba(0, 0, 0, 0)", "")
    # Hover shows the speaker.
    first = quotes.first
    who = first.get_attribute("data-who")
    first.scroll_into_view_if_needed()
    first.hover()
    tip = page.locator("#tip")
    tip.wait_for(state="visible", timeout=3000)
    assert who and tip.inner_text().startswith(who.rstrip("?"))
    # Keyboard focus shows it too.
    page.mouse.move(0, 0)
    other = quotes.nth(min(1, quotes.count() - 1))
    other.focus()
    tip.wait_for(state="visible", timeout=3000)
    assert tip.inner_text().startswith((other.get_attribute("data-who") or "").rstrip("?"))
    # Charts render with a size.
    boxes = page.locator("svg.chart").evaluate_all(
        "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.width, r.height]; })")
    assert boxes and all(w > 0 and h > 0 for w, h in boxes)
    assert page.errors == []
    assert page.requests == [uri]


def _phone(page: Any) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(50)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"horizontal overflow: {width}px"
    assert page.evaluate("() => document.body.scrollWidth") <= 390


@pytest.mark.parametrize("seed", SEEDS, ids=[p.stem for p in SEEDS])
def test_seed_report_in_the_browser(page: Any, tmp_path: Path, seed: Path) -> None:
    uri = _open(page, tmp_path, _report(seed))
    _check_report(page, uri)
    _phone(page)
    assert page.errors == []


def test_no_seeds_is_a_clean_skip() -> None:
    if not SEEDS:
        pytest.skip("../shared/data/seeds not available")


def test_longest_novel_report(page: Any, tmp_path: Path, record_property: Callable[[str, Any], None]) -> None:
    novel = _longest_novel()
    if novel is None:
        pytest.skip("../shared/data/pdnc-dev not available")
    doc = _report(novel)
    size = len(doc.encode("utf-8"))
    uri = _open(page, tmp_path, doc)
    record_property("novel", novel.parent.name)
    record_property("report_bytes", size)
    print(f"\n{novel.parent.name}: report {size / 1e6:.2f} MB")
    _check_report(page, uri)
    _phone(page)


HOSTILE = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>']


def test_hostile_text_title_and_tags_run_nothing(page: Any, tmp_path: Path) -> None:
    text = (f"{HOSTILE[0]}\n\nAnna looked at Tom. \u201c{HOSTILE[1]}\u201d Anna said.\n\n"
            f"\u201cNo {HOSTILE[0]},\u201d Tom said.\n")
    story = api.analyze(text)
    story.meta.update({"title": HOSTILE[0] + HOSTILE[1], "author": HOSTILE[1], "platform": "ao3",
                       "rating": HOSTILE[0], "warnings": [HOSTILE[1]], "additional_tags": HOSTILE,
                       "fandoms": [HOSTILE[0]], "summary": HOSTILE[1]})
    dialogs: list[str] = []

    def on_dialog(d: Any) -> None:
        dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", on_dialog)
    uri = _open(page, tmp_path, render(story))
    page.wait_for_timeout(200)
    assert dialogs == []
    assert page.errors == [] and page.requests == [uri]
    assert page.locator("img").count() == 0
    assert page.locator("script").count() == 1
    assert page.locator("h1").inner_text() == HOSTILE[0] + HOSTILE[1]
    assert HOSTILE[0] in page.title()
    chips = page.locator("header .chip").all_inner_texts()
    assert any(HOSTILE[1] in c for c in chips) and any(HOSTILE[0] in c for c in chips)
    assert HOSTILE[0] in page.locator(".text").inner_text()
    quote = page.locator(".text .q[data-who]").first
    quote.hover()
    page.locator("#tip").wait_for(state="visible", timeout=3000)
    assert dialogs == []
