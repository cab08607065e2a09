"""Readers turn a file, bytes or a string into a Story holding the decoded source text and its metadata.

Each format lives in its own module with ``read(data: bytes, source: SourceInfo) -> Story``; ``load`` picks one
by ``input_format`` or by sniffing the name and content.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import BinaryIO

from fabula.errors import InputError, InputTooLarge, UnsupportedFormat
from fabula.story import SourceInfo, Story

FORMATS = ("text", "wattpad", "markdown", "html", "ao3", "epub")
#: The largest input read (a file, bytes, a stream); bigger ones are refused before they are read whole.
MAX_INPUT_BYTES = 64 * 1024 * 1024
#: The most story text (code points, after extraction from HTML/EPUB) analysed: about a million words, what the
#: pipeline analyses in under 1 GB of memory. Longer texts are refused (:class:`InputTooLarge`).
MAX_TEXT_CHARS = 6_000_000
#: The most quotation marks (straight and curly double quotes, opening single curly quotes) in a story: about
#: 80,000 quotations (a long novel has a few thousand); each costs memory in every stage after ``quotes``.
MAX_QUOTE_MARKS = 160_000
#: The most tags (``<`` characters) in the HTML of one input, for the same reason (the parsed tree's memory).
MAX_MARKUP_TAGS = 1_500_000
_CHUNK = 1 << 20

#: File extensions and the reader that takes them.
EXTENSIONS = {
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
        low = data[:200_000].lower()
        ao3 = b"archiveofourown.org" in low or b"archive of our own" in low or b'id="workskin"' in low
        return "ao3" if ao3 else "html"
    fmt = EXTENSIONS.get(ext, "text")
    if fmt == "text":
        from fabula.readers import wattpad

        if wattpad.detect(data):
            return "wattpad"
    return fmt


def _too_large(what: str, size: int, path: str | None) -> InputTooLarge:
    return InputTooLarge(f"{what} is {size / 2**20:.0f} MB; the limit is {MAX_INPUT_BYTES // 2**20} MB", path)


def read_stream(fh: BinaryIO, path: str | None = None) -> bytes:
    """Read a binary stream (stdin, a pipe, a device) in bounded chunks; :class:`InputTooLarge` as soon as it
    exceeds :data:`MAX_INPUT_BYTES`, so an endless stream (``/dev/zero``) costs no more than the cap."""
    buf = bytearray()
    try:
        while True:
            chunk = fh.read(_CHUNK)
            if not chunk:
                break
            buf += chunk
            if len(buf) > MAX_INPUT_BYTES:
                raise InputTooLarge(f"input is over the limit of {MAX_INPUT_BYTES // 2**20} MB", path)
    except OSError as exc:
        raise InputError(f"cannot read ({exc.strerror or exc})", path) from exc
    return bytes(buf)


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
        raise _too_large("file", size, str(path))
    try:  # read with the cap even for a regular file (a device or a FIFO reports size 0; a file may grow)
        with path.open("rb") as fh:
            return read_stream(fh, str(path))
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
        if len(source) > MAX_INPUT_BYTES:
            raise _too_large("input", len(source), None)
        try:
            data = source.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise InputError(
                f"the text is not valid Unicode (a lone surrogate {source[exc.start]!a} at offset {exc.start})"
            ) from None
    else:
        raise InputError(f"cannot read a {type(source).__name__}")
    if len(data) > MAX_INPUT_BYTES:
        raise _too_large("input", len(data), path)
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
    check_text_size(len(story.text), path)
    check_quote_marks(story.text, path)
    return story


def check_quote_marks(text: str, path: str | None = None) -> None:
    """:class:`InputTooLarge` when ``text`` holds more than :data:`MAX_QUOTE_MARKS` quotation marks."""
    marks = sum(text.count(m) for m in '"“”„«»‘')
    if marks > MAX_QUOTE_MARKS:
        raise InputTooLarge(
            f"the text has {marks} quotation marks; the limit is {MAX_QUOTE_MARKS} (about "
            f"{MAX_QUOTE_MARKS // 2} quotations, what fabula analyses in bounded memory); split it into parts",
            path,
        )


def check_text_size(chars: int, path: str | None = None) -> None:
    """:class:`InputTooLarge` when a story text of ``chars`` code points is over :data:`MAX_TEXT_CHARS`."""
    if chars > MAX_TEXT_CHARS:
        raise InputTooLarge(
            f"the story text is over {MAX_TEXT_CHARS / 1e6:.0f} million characters (about a million words), "
            "the most fabula analyses in bounded memory; split it into parts",
            path,
        )


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


def read_file(path: Path) -> bytes:
    """A file's bytes, read with the :data:`MAX_INPUT_BYTES` cap (:class:`InputError` when it cannot be read)."""
    return _read_bytes(path)


def plain_text(data: bytes, path: str | None = None) -> str:
    """Raw bytes as plain text, with the same checks as :func:`load`: binary refused, the encoding detected,
    line ends normalised and control characters removed, the size capped (:data:`MAX_TEXT_CHARS`)."""
    from fabula.readers.text import decode, normalise

    if len(data) > MAX_INPUT_BYTES:
        raise _too_large("input", len(data), path)
    try:
        text = normalise(decode(data)[0])
    except InputError as exc:
        raise type(exc)(exc.reason, path) from None
    check_text_size(len(text), path)
    return text
