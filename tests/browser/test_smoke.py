"""The browser fixture itself: a local file renders and script runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def test_chromium_renders_a_local_page(page: Any, tmp_path: Path) -> None:
    doc = tmp_path / "p.html"
    doc.write_text("<!DOCTYPE html><title>t</title><p id=x>hi</p><script>document.title='ran'</script>")
    page.goto(doc.as_uri())
    assert page.text_content("#x") == "hi"
    assert page.title() == "ran"
    assert page.errors == []
