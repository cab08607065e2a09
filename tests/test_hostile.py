"""Hostile inputs through the CLI: binary files, bombs, endless streams, pathological shapes.

Every file is built here at run time (nothing is stored). Each case runs ``fabula analyze`` in a subprocess and
checks the exit code, a one-line stderr, that no output (nor a temporary file) is left behind on failure, the wall
time (under a minute) and the peak memory of the CLI process (under 1 GB, measured by a small wrapper process
with ``getrusage(RUSAGE_CHILDREN)``). The CLI also runs under a 3 GB address-space limit, so a regression fails
the test instead of exhausting a shared machine.
"""

from __future__ import annotations

import gzip
import json
import lzma
import random
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

PEAK_LIMIT_MB = 1024
TIME_LIMIT_S = 60

# Runs the CLI as a child under an address-space limit, then prints the child's peak RSS (MB) on fd 3's file.
_WRAPPER = """
import os, resource, subprocess, sys
def limit():
    resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, 3 * 2**30))
rc = subprocess.call([sys.executable, "-m", "fabula.cli", *sys.argv[2:]], preexec_fn=limit)
with open(sys.argv[1], "w") as fh:
    fh.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024))
sys.exit(rc)
"""


@dataclass
class Run:
    code: int
    stdout: bytes
    stderr: str
    seconds: float
    peak_mb: int


def fabula(tmp: Path, *args: str, stdin: bytes | None = None) -> Run:
    peak_file = tmp / "peak.txt"
    t0 = time.monotonic()
    res = subprocess.run(
        [sys.executable, "-c", _WRAPPER, str(peak_file), *args],
        input=stdin,
        capture_output=True,
        timeout=TIME_LIMIT_S * 3,
        cwd=tmp,
    )
    seconds = time.monotonic() - t0
    return Run(res.returncode, res.stdout, res.stderr.decode(errors="replace"), seconds, int(peak_file.read_text()))


def _bounded(run: Run) -> None:
    assert run.seconds < TIME_LIMIT_S, f"{run.seconds:.0f} s"
    assert run.peak_mb < PEAK_LIMIT_MB, f"peak {run.peak_mb} MB"
    assert "Traceback" not in run.stderr


def refused(tmp: Path, src: Path | str, needle: str, stdin: bytes | None = None) -> Run:
    """Analyse ``src`` into ``tmp/out/result.json``: exit 3, one line naming the reason, nothing written."""
    out = tmp / "out" / "result.json"
    run = fabula(tmp, "analyze", str(src), "-o", str(out), stdin=stdin)
    _bounded(run)
    assert run.code == 3, run.stderr
    assert len(run.stderr.strip().splitlines()) == 1, run.stderr
    assert needle in run.stderr, run.stderr
    assert not out.exists()
    assert not list(tmp.rglob("*.tmp"))
    return run


def analysed(tmp: Path, src: Path, *extra: str) -> dict[str, Any]:
    out = tmp / "out.json"
    run = fabula(tmp, "analyze", str(src), "-o", str(out), "-q", *extra)
    _bounded(run)
    assert run.code == 0, run.stderr
    doc: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return doc


def _file(tmp: Path, name: str, data: bytes) -> Path:
    p = tmp / name
    p.write_bytes(data)
    return p


STORY = ('"Can we talk?" Ali asked.\n\n"No," Rehema said. "Not now."\n\n' * 40).encode()


# ------------------------------------------------------------------------------------------- binary content


@pytest.mark.parametrize(
    "name,make",
    [
        ("random.txt", lambda: random.Random(1).randbytes(1 << 20)),
        ("random-small.md", lambda: random.Random(2).randbytes(4096)),
        ("story.txt.gz.txt", lambda: gzip.compress(STORY)),
        ("story.xz.txt", lambda: lzma.compress(STORY)),
        ("story.zst.txt", lambda: b"\x28\xb5\x2f\xfd" + random.Random(3).randbytes(3000)),
        ("image.txt", lambda: b"\x89PNG\r\n\x1a\n" + random.Random(4).randbytes(5000)),
        ("photo.html", lambda: b"\xff\xd8\xff\xe0" + random.Random(5).randbytes(5000)),
        ("db.txt", lambda: b"SQLite format 3\x00" + bytes(2000) + random.Random(6).randbytes(2000)),
        ("nul.txt", lambda: b"hello\x00" * 2000),
    ],
)
def test_binary_is_refused_whatever_the_extension(tmp_path: Path, name: str, make) -> None:  # type: ignore[no-untyped-def]
    refused(tmp_path, _file(tmp_path, name, make()), "binary")


def test_random_bytes_are_never_text() -> None:
    from fabula.readers.text import looks_binary

    rng = random.Random(7)
    assert sum(looks_binary(rng.randbytes(4096)) for _ in range(300)) == 300


def test_text_with_a_few_stray_bytes_is_analysed(tmp_path: Path) -> None:
    data = STORY[:500] + b"\x81\x9d\xff\x00" + STORY[500:]
    doc = analysed(tmp_path, _file(tmp_path, "stray.txt", data), "--upto", "quotes")
    assert len(doc["quotes"]) >= 40


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom(tmp_path: Path, codec: str) -> None:
    text = "“Hello,” said Anna. “Are you there?”\n\n" * 50
    doc = analysed(tmp_path, _file(tmp_path, "u16.txt", text.encode(codec)), "--upto", "quotes")
    assert doc["source"]["encoding"] == codec
    assert len(doc["quotes"]) == 50  # one split quotation per paragraph


def test_utf16_cjk_without_bom(tmp_path: Path) -> None:
    text = "「你好」他说。我们走吧。\n\n" * 100
    doc = analysed(tmp_path, _file(tmp_path, "cjk.txt", text.encode("utf-16-le")), "--upto", "segment")
    assert doc["source"]["encoding"] == "utf-16-le"


# --------------------------------------------------------------------------------------------- size caps


def test_stdin_stream_beyond_the_cap(tmp_path: Path) -> None:
    refused(tmp_path, "-", "limit", stdin=b"word " * (14 * 2**20))  # 70 MB


def test_too_many_quotations(tmp_path: Path) -> None:
    from fabula.readers import MAX_QUOTE_MARKS

    data = b'"Hi," said Bob.\n\n' * (MAX_QUOTE_MARKS // 2 + 10)
    refused(tmp_path, _file(tmp_path, "talk.txt", data), "quotation marks")


def test_endless_device_is_read_with_the_cap(tmp_path: Path) -> None:
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    refused(tmp_path, "/dev/zero", "limit")


def test_text_over_the_character_cap(tmp_path: Path) -> None:
    from fabula.readers import MAX_TEXT_CHARS

    words = [f"w{i}" for i in range(500)]
    rng = random.Random(8)
    para = " ".join(rng.choice(words) for _ in range(200)) + ".\n\n"
    data = (para * (MAX_TEXT_CHARS // len(para) + 2)).encode()
    refused(tmp_path, _file(tmp_path, "long.txt", data), "million characters")


def _epub(path: Path, chapters: list[tuple[str, bytes]]) -> Path:
    manifest = "".join(f'<item id="c{i}" href="{n}" media-type="application/xhtml+xml"/>' for i, (n, _) in enumerate(chapters))
    spine = "".join(f'<itemref idref="c{i}"/>' for i in range(len(chapters)))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        zf.writestr(
            "META-INF/container.xml",
            '<?xml version="1.0"?><container xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
            '<rootfiles><rootfile full-path="content.opf" media-type="application/oebps-package+xml"/>'
            "</rootfiles></container>",
        )
        zf.writestr(
            "content.opf",
            '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0">'
            f"<metadata/><manifest>{manifest}</manifest><spine>{spine}</spine></package>",
        )
        for name, body in chapters:
            zf.writestr(name, body)
    return path


def _chapter(n_chars: int, seed: int) -> bytes:
    rng = random.Random(seed)
    words = [f"{w}{k}" for w in ("walked", "house", "garden", "letter", "river") for k in range(40)]
    paras = []
    size = 0
    while size < n_chars:
        p = "<p>" + " ".join(rng.choice(words) for _ in range(120)) + ".</p>"
        paras.append(p)
        size += len(p)
    return ("<html><body>" + "".join(paras) + "</body></html>").encode()


def test_epub_expanding_to_too_much_text(tmp_path: Path) -> None:
    """Each chapter is under the ratio limit; together they expand past the extracted-text cap."""
    chapter = _chapter(1 << 20, 9)
    src = _epub(tmp_path / "big.epub", [(f"c{i}.xhtml", chapter) for i in range(8)])
    refused(tmp_path, src, "million characters")


def test_epub_with_too_many_chapters(tmp_path: Path) -> None:
    chapter = _chapter(1 << 20, 10)
    src = _epub(tmp_path / "many.epub", [(f"c{i}.xhtml", chapter) for i in range(70)])
    refused(tmp_path, src, "EPUB")


def test_epub_zip_bomb(tmp_path: Path) -> None:
    path = tmp_path / "bomb.epub"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        with zf.open("OEBPS/huge.xhtml", "w", force_zip64=True) as fh:
            for _ in range(300):
                fh.write(b"\0" * 2**20)
    refused(tmp_path, path, "zip bomb")


def test_epub_with_parent_paths(tmp_path: Path) -> None:
    src = _epub(tmp_path / "evil.epub", [("../../evil.xhtml", b"<html><body><p>Hi.</p></body></html>")])
    refused(tmp_path, src, "unsafe path")


# ----------------------------------------------------------------------------------- shapes: time and memory


def test_deeply_nested_html(tmp_path: Path) -> None:
    n = 100_000
    data = b"<html><body>" + b"<div>" * n + b'<p>"Hello," said Anna.</p>' + b"</div>" * n + b"</body></html>"
    doc = analysed(tmp_path, _file(tmp_path, "deep.html", data), "--upto", "quotes")
    assert "Hello" in doc["text"]


def test_huge_single_line(tmp_path: Path) -> None:
    # reading, segmenting and quotations on a 1 MB line (the attribution of one enormous paragraph is linear but
    # slow: see test_one_long_paragraph for the whole pipeline on one paragraph)
    data = (b'He said "yes" and she said "no" to Emma. ' * 30_000)[:1_000_000]
    doc = analysed(tmp_path, _file(tmp_path, "line.txt", data), "--upto", "quotes")
    assert len(doc["paragraphs"]) == 1


def test_many_short_paragraphs(tmp_path: Path) -> None:
    data = b"".join(b'"Hi," said Bob %d.\n\n' % (i % 50) for i in range(5_000))
    doc = analysed(tmp_path, _file(tmp_path, "paras.txt", data))
    assert len(doc["quotes"]) == 5_000


def test_one_long_paragraph(tmp_path: Path) -> None:
    data = (b'"Yes," said Emma. "No," said the doctor and Mr. Knightley. ' * 1700)[:50_000]
    doc = analysed(tmp_path, _file(tmp_path, "para.txt", data))
    assert len(doc["paragraphs"]) == 1


def test_one_paragraph_of_5000_quotations(tmp_path: Path) -> None:
    """5,000 short quotations and sentences in one paragraph (no newline): attribution's walks back over the
    names are indexed by gender and position, and the conversation decode does not copy paths, so the time is
    linear (about as long as the same text in 5,000 paragraphs)."""
    names = ["Emma", "Mr. Knightley", "Harriet", "the doctor", "Anna", "Bob"]
    forms = ['"Yes, {i}," said {n}.', 'She nodded. "No," she said.', '{n} looked up. "Why?" he asked.',
             '"Go," {n} replied, and he smiled.']
    text = " ".join(forms[i % 4].format(i=i, n=names[i % 6]) for i in range(5_000))
    doc = analysed(tmp_path, _file(tmp_path, "talk.txt", text.encode()))
    assert len(doc["paragraphs"]) == 1
    assert len(doc["quotes"]) > 4_000
    assert sum(1 for q in doc["quotes"] if q["speaker"]) > 4_000


def test_one_huge_token(tmp_path: Path) -> None:
    doc = analysed(tmp_path, _file(tmp_path, "token.txt", b"a" * 2_000_000 + b' said Emma. "Go," she said.'))
    assert doc["quotes"]
