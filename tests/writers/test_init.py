"""``fabula.writers.render``: one entry point per format, content keyed by file suffix."""

from __future__ import annotations

import json

import pytest

from fabula.errors import UsageError
from fabula.writers import FORMATS, render

from .conftest import build_full


def test_formats_and_suffixes() -> None:
    story = build_full()
    assert FORMATS == ("json", "tsv", "html")
    assert list(render(story, "json")) == [".json"]
    assert list(render(story, "tsv")) == [".tokens", ".quotes", ".entities", ".characters.tsv"]
    assert list(render(story, "html")) == [".html"]
    everything = render(story, "all")
    assert set(everything) == {".json", ".tokens", ".quotes", ".entities", ".characters.tsv", ".html"}
    assert json.loads(everything[".json"])["schema"] == "fabula.story/1"


def test_unknown_format() -> None:
    with pytest.raises(UsageError):
        render(build_full(), "xml")
