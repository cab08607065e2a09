"""Readers turn a file, bytes or a string into a Story holding the decoded source text and its metadata.

Each format lives in its own module with ``read(data: bytes, source: SourceInfo) -> Story``; ``load`` picks one
by ``input_format`` or by sniffing the name and content.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from fabula.errors import InputError, InputTooLarge, UnsupportedFormat
from fabula.story import SourceInfo, Story

FORMATS = ("text", "wattpad", "markdown", "html", "ao3", "epub")
MAX_INPUT_BYTES = 64 * 1024 * 1024

_EXT = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".epub": "epub",
}


def sniff(data: bytes, name: str | None) -> str:
    """Guess the format from the file name and the first bytes."""
    ext = Path(name).suffix.lower() if name else ""
    head = data[:4096].removeprefix(b"\xef\xbb\xbf").lstrip().lower()
    if data.startswith(b"PK\x03\x04") and (ext == ".epub" or b"application/epub+zip" in data[:200]):
        return "epub"
    if ext == ".epub":
        return "epub"
    if ext in {".html", ".htm", ".xhtml"} or head.startswith((b"<!doctype html", b"<html", b"<?xml")):
        return "ao3" if b"archiveofourown.org" in data[:20000].lower() else "html"
    fmt = _EXT.get(ext, "text")
    if fmt == "text":
        from fabula.readers import wattpad

        if wattpad.detect(data):
            return "wattpad"
    return fmt


def _read_bytes(path: Path) -> bytes:
    if not path.exists():
        raise InputError("no such file", str(path))
    if path.is_dir():
        raise InputError("is a directory, not a file", str(path))
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"cannot read ({exc.strerror})", str(path)) from exc
    if size > MAX_INPUT_BYTES:
        raise InputTooLarge(
            f"file is {size / 2**20:.0f} MB; the limit is {MAX_INPUT_BYTES // 2**20} MB", str(path)
        )
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read ({exc.strerror})", str(path)) from exc


def load(
    source: str | bytes | os.PathLike[str], *, input_format: str | None = None, name: str | None = None
) -> Story:
    """Read ``source`` into a Story, taken by its type: a ``str`` is the story text itself (never a file name),
    an ``os.PathLike`` (e.g. :class:`pathlib.Path`) is a file to read, ``bytes`` are a file's raw content."""
    path: str | None = None
    if isinstance(source, os.PathLike):
        p = Path(source)
        data = _read_bytes(p)
        path = str(p)
        name = name or p.name
    elif isinstance(source, bytes):
        data = source
    elif isinstance(source, str):
        data = source.encode("utf-8")
    else:
        raise InputError(f"cannot read a {type(source).__name__}")
    if len(data) > MAX_INPUT_BYTES:
        raise InputTooLarge(
            f"input is {len(data) / 2**20:.0f} MB; the limit is {MAX_INPUT_BYTES // 2**20} MB", path
        )
    if not data.strip():
        raise InputError("empty input: there is no text to analyse", path)
    fmt = input_format or sniff(data, name)
    if fmt not in FORMATS:
        raise UnsupportedFormat(f"unknown input format {fmt!r} (choose from {', '.join(FORMATS)})", path)
    info = SourceInfo(path=path, format=fmt, sha256=hashlib.sha256(data).hexdigest())
    try:
        story = _reader(fmt)(data, info)
    except InputError as exc:
        if exc.path is None and path is not None:
            raise type(exc)(exc.reason, path) from exc
        raise
    if not story.text.strip():
        raise InputError("no story text found in the input", path)
    return story


def _reader(fmt: str):  # type: ignore[no-untyped-def]
    if fmt == "text":
        from fabula.readers.text import read
    elif fmt == "wattpad":
        from fabula.readers.wattpad import read
    elif fmt == "markdown":
        from fabula.readers.markdown import read
    elif fmt == "html":
        from fabula.readers.html import read
    elif fmt == "ao3":
        from fabula.readers.ao3 import read
    else:
        from fabula.readers.epub import read
    return read
