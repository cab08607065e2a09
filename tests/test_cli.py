"""The CLI: exit codes, one-line errors, atomic outputs."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

STORY = '"Can we talk?" Ali asked.\n"No," Rehema said. "Not now."\n'


def fabula(
    *args: str, stdin: bytes | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "fabula.cli", *args], input=stdin, capture_output=True, cwd=cwd, timeout=300
    )


def _one_line_error(res: subprocess.CompletedProcess[bytes], code: int, needle: str) -> None:
    err = res.stderr.decode()
    assert res.returncode == code, err
    assert "Traceback" not in err
    assert needle in err
    assert len(err.strip().splitlines()) == 1


def test_version() -> None:
    res = fabula("--version")
    assert res.returncode == 0 and res.stdout.decode().startswith("fabula ")


def test_json_to_stdout(tmp_path: Path) -> None:
    p = tmp_path / "s.txt"
    p.write_text(STORY, encoding="utf-8")
    res = fabula("analyze", str(p), "--format", "json", "--output", "-", "--upto", "quotes")
    assert res.returncode == 0, res.stderr.decode()
    doc = json.loads(res.stdout)
    assert doc["schema"] == "fabula.story/1"
    assert next(q["text"] for q in doc["quotes"]) == "Can we talk?"


def test_stdin(tmp_path: Path) -> None:
    res = fabula("analyze", "-", "-o", "-", "--upto", "quotes", stdin=STORY.encode())
    assert res.returncode == 0 and json.loads(res.stdout)["quotes"]


def test_several_inputs_to_directory(tmp_path: Path) -> None:
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text(STORY, encoding="utf-8")
    out = tmp_path / "out"
    res = fabula(
        "analyze", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"), "-o", str(out), "-q", "--upto", "quotes"
    )
    assert res.returncode == 0, res.stderr.decode()
    assert sorted(p.name for p in out.iterdir()) == ["a.json", "b.json"]


@pytest.mark.parametrize(
    "setup,needle",
    [
        (lambda d: d / "missing.txt", "no such file"),
        (lambda d: d, "directory"),
        (lambda d: _write(d / "empty.txt", b""), "empty"),
        (lambda d: _write(d / "image.txt", b"\x89PNG\r\n\x1a\n" + bytes(200)), "not a text file"),
        (lambda d: _write(d / "big.txt", b"a" * (100 * 2**20)), "limit"),
        (lambda d: _bomb(d / "bomb.epub"), "EPUB"),
    ],
)
def test_bad_input_one_line_and_exit_3(tmp_path: Path, setup, needle: str) -> None:  # type: ignore[no-untyped-def]
    src = setup(tmp_path)
    out = tmp_path / "result.json"
    res = fabula("analyze", str(src), "-o", str(out))
    _one_line_error(res, 3, needle)
    assert not out.exists()
    assert not list(tmp_path.glob(".result.json.*"))


def test_usage_error_exit_2(tmp_path: Path) -> None:
    res = fabula("analyze", "x.txt", "--format", "pdf")
    assert res.returncode == 2


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _bomb(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        with zf.open("OEBPS/huge.xhtml", "w", force_zip64=True) as fh:
            chunk = b"\0" * 2**20
            for _ in range(300):
                fh.write(chunk)
    return path
