"""The CLI's edges: where outputs go (-o), the help text, unwritable targets, signals and exit codes, warnings."""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest

import fabula
from fabula.errors import InputError, OutputError
from fabula.io import atomic_write, atomic_write_all

STORY = '"Can we talk?" Ali asked.\n\n"No," Rehema said. "Not now."\n'
CMD = [sys.executable, "-m", "fabula.cli"]


def fabula_cli(*args: str, cwd: Path | None = None, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    res = subprocess.run([*CMD, *args], input=stdin, capture_output=True, cwd=cwd, timeout=300)
    return subprocess.CompletedProcess(res.args, res.returncode, res.stdout.decode(), res.stderr.decode())


def one_line(res: subprocess.CompletedProcess[str], code: int, needle: str) -> None:
    assert res.returncode == code, res.stderr
    assert "Traceback" not in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1, res.stderr
    assert needle in res.stderr, res.stderr


@pytest.fixture
def stories(tmp_path: Path) -> list[Path]:
    out = []
    for name in ("a.txt", "b.txt"):
        p = tmp_path / name
        p.write_text(STORY, encoding="utf-8")
        out.append(p)
    return out


# ------------------------------------------------------------------------------------- item 7: -o semantics


@pytest.mark.parametrize("extra", [["b"], ["-f", "all"], ["-f", "tsv"]])
def test_output_with_an_extension_is_one_file(tmp_path: Path, stories: list[Path], extra: list[str]) -> None:
    paths = [str(stories[0])] + ([str(stories[1])] if extra == ["b"] else [])
    flags = [] if extra == ["b"] else extra
    res = fabula_cli("analyze", *paths, "-o", str(tmp_path / "x.json"), "--upto", "quotes", *flags)
    one_line(res, 2, "x.json")
    assert not (tmp_path / "x.json").exists()


def test_output_file_and_progress_lines_name_the_outputs(tmp_path: Path, stories: list[Path]) -> None:
    res = fabula_cli("analyze", str(stories[0]), "-o", str(tmp_path / "x.json"), "--upto", "quotes")
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "x.json").is_file()
    assert f"-> {tmp_path / 'x.json'}" in res.stderr
    out = tmp_path / "out"
    res = fabula_cli("analyze", *map(str, stories), "-o", str(out), "--upto", "quotes")
    assert res.returncode == 0, res.stderr
    assert f"-> {out / 'a.json'}" in res.stderr and f"-> {out / 'b.json'}" in res.stderr


def test_inputs_with_the_same_stem_do_not_overwrite_each_other(tmp_path: Path) -> None:
    for sub in ("p", "q"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "chapter.txt").write_text(STORY, encoding="utf-8")
    (tmp_path / "story.txt").write_text(STORY, encoding="utf-8")
    (tmp_path / "story.md").write_text(STORY, encoding="utf-8")
    out = tmp_path / "out"
    res = fabula_cli(
        "analyze", "p/chapter.txt", "q/chapter.txt", "story.txt", "story.md", "-o", "out/", "-q", "--upto", "quotes",
        cwd=tmp_path,
    )
    assert res.returncode == 0, res.stderr
    assert sorted(p.name for p in out.iterdir()) == ["chapter-2.json", "chapter.json", "story-2.json", "story.json"]


# ------------------------------------------------------------------------------------------ item 8: help


def test_help_states_defaults_and_stages_without_type_noise() -> None:
    res = fabula_cli("analyze", "--help")
    assert res.returncode == 0
    text = " ".join(res.stdout.split())
    for stage in ("segment", "quotes", "attribution", "dynamics"):
        assert stage in text
    assert "[encoder]" in text
    assert "<bool>  No progress" not in text and "<str>" not in text
    assert text.count("Default") >= 5


def test_encoder_without_its_extra_is_exit_2_with_the_install_command(stories: list[Path]) -> None:
    pytest.importorskip("fabula")
    try:
        import torch  # noqa: F401

        pytest.skip("torch is installed")
    except ImportError:
        pass
    res = fabula_cli("analyze", str(stories[0]), "--encoder", "-o", "-")
    one_line(res, 2, "pip install -e '.[encoder]'")


# ------------------------------------------------------------------------------------ item 14: outputs


def test_parent_that_is_a_file_is_exit_4(tmp_path: Path, stories: list[Path]) -> None:
    (tmp_path / "file").write_text("x")
    res = fabula_cli("analyze", str(stories[0]), "-o", str(tmp_path / "file" / "x.json"), "--upto", "quotes")
    one_line(res, 4, "cannot write")


def test_unwritable_proc_is_exit_4(stories: list[Path]) -> None:
    if not Path("/proc/self").exists():
        pytest.skip("no /proc")
    res = fabula_cli("analyze", str(stories[0]), "-o", "/proc/fabula-test/x.json", "--upto", "quotes")
    one_line(res, 4, "cannot write")


def test_dev_null_discards_the_output(stories: list[Path]) -> None:
    if not Path("/dev/null").exists():
        pytest.skip("no /dev/null")
    before = os.stat("/dev/null")
    res = fabula_cli("analyze", str(stories[0]), str(stories[1]), "-o", "/dev/null", "-f", "all", "--upto", "quotes")
    assert res.returncode == 0, res.stderr
    assert "-> /dev/null" in res.stderr
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_mode == before.st_mode and after.st_rdev == before.st_rdev


def _read_fifo(fifo: Path, into: list[bytes]) -> threading.Thread:
    def read() -> None:
        with open(fifo, "rb") as fh:
            into.append(fh.read())

    t = threading.Thread(target=read, daemon=True)
    t.start()
    return t


def test_fifo_is_written_into_never_replaced(tmp_path: Path, stories: list[Path]) -> None:
    fifo = tmp_path / "out.json"
    os.mkfifo(fifo, 0o640)
    got: list[bytes] = []
    reader = _read_fifo(fifo, got)
    res = fabula_cli("analyze", str(stories[0]), "-o", str(fifo), "--upto", "quotes")
    reader.join(timeout=60)
    assert res.returncode == 0, res.stderr
    doc = json.loads(got[0])  # the whole JSON came through the FIFO
    assert doc["schema"] == "fabula.story/1" and doc["quotes"]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode) and stat.S_IMODE(os.stat(fifo).st_mode) == 0o640
    assert not list(tmp_path.glob(".*.tmp"))


def test_fifo_beside_regular_files_in_one_write(tmp_path: Path) -> None:
    fifo, regular = tmp_path / "a.fifo", tmp_path / "a.json"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = _read_fifo(fifo, got)
    atomic_write_all({fifo: "into the fifo", regular: "a file"})
    reader.join(timeout=10)
    assert got == [b"into the fifo"] and regular.read_text() == "a file"
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_other_special_files_are_never_replaced(tmp_path: Path, stories: list[Path]) -> None:
    sock_path = tmp_path / "out.json"
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(sock_path))
        res = fabula_cli("analyze", str(stories[0]), "-o", str(sock_path), "--upto", "quotes")
        one_line(res, 4, "not a regular file")
        assert stat.S_ISSOCK(os.stat(sock_path).st_mode)
    finally:
        sock.close()
    assert not list(tmp_path.glob(".*.tmp"))


def test_symlink_stays_a_link_and_mode_is_kept(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text("old")
    os.chmod(real, 0o600)
    link = tmp_path / "link.json"
    link.symlink_to(real)
    atomic_write(link, "new")
    assert link.is_symlink() and real.read_text() == "new"
    assert stat.S_IMODE(os.stat(real).st_mode) == 0o600


def test_outputs_of_one_input_are_all_or_nothing(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text("old")
    (tmp_path / "dir.tokens").mkdir()  # cannot be replaced by a file
    with pytest.raises(OutputError):
        atomic_write_all({tmp_path / "a.json": "new", tmp_path / "dir.tokens": "new"})
    assert (tmp_path / "a.json").read_text() == "old"
    assert not list(tmp_path.glob(".*.tmp"))


# ------------------------------------------------------------------------------- item 15: signals, exits


def _big_inputs(tmp_path: Path, n: int) -> list[str]:
    text = STORY * 4000
    out = []
    for i in range(n):
        p = tmp_path / f"s{i}.txt"
        p.write_text(text, encoding="utf-8")
        out.append(str(p))
    return out


@pytest.mark.parametrize(("sig", "code", "word"), [(signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "terminated")])
def test_signal_in_a_batch_stops_at_once(tmp_path: Path, sig: int, code: int, word: str) -> None:
    paths = _big_inputs(tmp_path, 6)
    out = tmp_path / "out"
    # a shell that starts the test run in the background ignores SIGINT in it, and every child inherits that: the
    # command under test gets SIGINT's default back, as a terminal would give it
    proc = subprocess.Popen(
        [*CMD, "analyze", *paths, "-o", str(out), "-q"],
        stderr=subprocess.PIPE,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    # signal mid-batch, soon after the first input's results are written: five inputs are left, so neither a
    # fast machine nor a loaded one (this test starved of CPU) finishes the batch first
    deadline = time.monotonic() + 120
    while not list(out.glob("*.json")) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.3)
    written = len(list(out.glob("*.json")))
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == code, err.decode()
    assert err.decode().strip().splitlines() == [f"fabula: error: {word}"]
    assert not list(tmp_path.rglob("*.tmp"))
    assert len(list(out.glob("*.json"))) <= written + 1 < len(paths)  # no input started after the signal


def test_unknown_stage_is_usage(stories: list[Path]) -> None:
    one_line(fabula_cli("analyze", str(stories[0]), "--upto", "nope"), 2, "nope")
    one_line(fabula_cli("analyze", str(stories[0]), "--input-format", "pdf"), 2, "pdf")


def test_closed_stdout_pipe(stories: list[Path]) -> None:
    proc = subprocess.Popen(
        [*CMD, "analyze", str(stories[0]), "-f", "json", "-o", "-", "--upto", "quotes"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    proc.stdout.close()
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 141, err.decode()
    assert err.decode().strip() == ""


def test_warnings_are_one_line_naming_the_file_and_respect_quiet(tmp_path: Path) -> None:
    path = tmp_path / "book.epub"
    body = "<html><body>" + "<p>" + "She walked along the river. " * 20 + "</p></body></html>"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/epub+zip")
        zf.writestr(
            "content.opf",
            '<package xmlns="http://www.idpf.org/2007/opf"><metadata/><manifest>'
            '<item id="a" href="a.xhtml" media-type="application/xhtml+xml"/>'
            '<item id="b" href="gone.xhtml" media-type="application/xhtml+xml"/>'
            '<item id="c" href="gone2.xhtml" media-type="application/xhtml+xml"/></manifest>'
            '<spine><itemref idref="a"/><itemref idref="b"/><itemref idref="c"/></spine></package>',
        )
        zf.writestr("a.xhtml", body)
    res = fabula_cli("analyze", str(path), "-o", str(tmp_path / "o.json"), "--upto", "segment")
    assert res.returncode == 0, res.stderr
    warnings = [ln for ln in res.stderr.splitlines() if ln.startswith("fabula: warning:")]
    assert len(warnings) == 1 and str(path) in warnings[0] and "gone.xhtml" in warnings[0]
    res = fabula_cli("analyze", str(path), "-o", str(tmp_path / "o.json"), "--upto", "segment", "-q")
    assert res.returncode == 0 and res.stderr.strip() == ""


# ----------------------------------------------------------------------------------------- item 16: API


def test_a_mention_never_crosses_a_paragraph_break() -> None:
    story = fabula.analyze('"Hi," said Bob \nAnna.', upto="characters")
    assert all("\n" not in story.text[m.start : m.end] for m in story.mentions)
    wrapped = fabula.analyze("It was Emma\nWoodhouse who came.\n\nThen she left.", upto="characters")  # a wrap
    assert [wrapped.text[m.start : m.end] for m in wrapped.mentions] == ["Emma\nWoodhouse"]


def test_lone_surrogate_is_an_input_error() -> None:
    with pytest.raises(InputError, match="surrogate"):
        fabula.analyze('"Hi \ud800," said Anna.')


# --------------------------------------------------------------------- item 13: emotions reads like analyze


def test_emotions_refuses_binary_and_detects_the_encoding(tmp_path: Path) -> None:
    import random

    binary = tmp_path / "noise.txt"
    binary.write_bytes(random.Random(1).randbytes(8192))
    one_line(fabula_cli("emotions", str(binary)), 3, "binary")
    res = fabula_cli("emotions", "-", stdin="I’m so happy!\nGo away.\n".encode("utf-16-le"))
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert len(lines) == 2 and "I’m so happy!" in lines[0]
