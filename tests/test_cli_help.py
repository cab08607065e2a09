"""Every command's help reads plainly: no Python types such as <bool> or <list[str]>."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import typer

from fabula.cli import app, plain_help


def _walk(cmd: Any, path: list[str]) -> Iterator[list[str]]:
    yield path
    for name, sub in getattr(cmd, "commands", {}).items():
        yield from _walk(sub, [*path, name])


def _help(root: Any, path: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    root.main([*path, "--help"], prog_name="fabula", standalone_mode=False)
    return capsys.readouterr().out


def test_help_shows_no_python_types(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    root = plain_help(typer.main.get_command(app))
    paths = list(_walk(root, []))
    assert ["eval", "characters"] in paths and ["corpus", "run"] in paths
    for path in paths:
        out = _help(root, path, capsys)
        assert "Usage" in out, path
        for noise in ("<bool>", "<list[", "<str>", "<int>", "<path>"):
            assert noise not in out, (path, noise)
    monkeypatch.setenv("COLUMNS", "200")
    assert "fabula[encoder]" in _help(root, ["corpus", "run"], capsys)
