"""The Python API takes its input by type (str = text, Path = file, bytes = content) and its configuration as
``config={stage: {option: value}}``."""

from __future__ import annotations

from pathlib import Path

import pytest

import fabula
from fabula import api
from fabula.errors import InputError, UsageError


def test_a_str_is_the_text_itself() -> None:
    story = fabula.analyze('She said: "Meet me at 10/12."')
    assert story.text == 'She said: "Meet me at 10/12."'
    assert [story.text[q.start : q.end] for q in story.quotes] == ["Meet me at 10/12."]
    assert story.source.path is None


def test_a_str_that_names_a_file_is_not_read() -> None:
    story = fabula.analyze("/etc/passwd", upto="segment")
    assert story.text == "/etc/passwd" and len(story.text) == 11
    assert story.source.path is None


def test_a_path_is_a_file_and_bytes_are_its_content(tmp_path: Path) -> None:
    p = tmp_path / "story.txt"
    p.write_text('"Hello," said Ben.\n', encoding="utf-8")
    from_path = fabula.analyze(p, upto="quotes")
    assert from_path.source.path == str(p) and from_path.text == '"Hello," said Ben.\n'
    assert fabula.analyze(p.read_bytes(), upto="quotes").text == from_path.text
    with pytest.raises(InputError, match="no such file"):
        fabula.analyze(tmp_path / "missing.txt")


def test_config_selects_stage_options() -> None:
    plan = api.pipeline(config={"attribution": {"use_model": False}})
    (att,) = [st for st in plan if st.name == "attribution"]
    assert dict(att.options) == {"use_model": False}
    with pytest.raises(UsageError, match="unknown stage"):
        api.pipeline(config={"speakers": {}})
    with pytest.raises(UsageError, match="no option"):
        api.pipeline(config={"acts": {"model": None}})
