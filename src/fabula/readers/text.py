"""Plain text: decode bytes in any common encoding, normalise line ends, drop NULs and control characters."""

from __future__ import annotations

import re

from charset_normalizer import from_bytes

from fabula.errors import UnsupportedFormat
from fabula.story import SourceInfo, Story

_BINARY_MAGIC = (
    b"\x89PNG",
    b"GIF8",
    b"\xff\xd8\xff",
    b"%PDF",
    b"PK\x03\x04",
    b"\x7fELF",
    b"MZ",
    b"\x1f\x8b",
    b"BM",
    b"RIFF",
    b"OggS",
    b"ID3",
    b"\x00\x00\x01\x00",
    b"Rar!",
    b"7z\xbc\xaf",
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def looks_binary(data: bytes) -> bool:
    """True for known binary signatures, or many NULs outside a UTF-16 pattern."""
    if any(data.startswith(m) for m in _BINARY_MAGIC):
        return True
    head = data[:4096]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    nul = head.count(0)
    if nul == 0:
        return False
    # UTF-16 without BOM: NULs sit on every other byte.
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if max(even, odd) > 0.3 * (len(head) / 2) and min(even, odd) < 0.05 * (len(head) / 2):
        return False
    return nul > 0.1 * len(head)


def decode(data: bytes) -> tuple[str, str]:
    """Return ``(text, encoding)``. BOMs decide first; then strict UTF-8; then charset-normalizer."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), "utf-16"
    if looks_binary(data):
        raise UnsupportedFormat("not a text file (binary content)")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    head = data[:4096]
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if odd > 0.3 * len(head) / 2 and even == 0:
        return data.decode("utf-16-le", errors="replace"), "utf-16-le"
    if even > 0.3 * len(head) / 2 and odd == 0:
        return data.decode("utf-16-be", errors="replace"), "utf-16-be"
    best = from_bytes(data[:200_000]).best()
    enc = best.encoding if best is not None else "cp1252"
    # Latin text with bytes 0x80-0x9f is cp1252 (curly quotes, dashes); pure latin-1 decodes the same otherwise.
    if enc in {"latin_1", "iso8859_1", "iso8859_15", "cp1250", "cp1252"} or best is None:
        try:
            return data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            return data.decode("latin-1"), "latin-1"
    try:
        return data.decode(enc), enc
    except (UnicodeDecodeError, LookupError):
        return data.decode("latin-1"), "latin-1"


def normalise(text: str) -> str:
    """CRLF/CR to LF; NULs and other C0 controls (not tab/newline) removed."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _CONTROL.search(text):
        text = _CONTROL.sub("", text)
    return text


def read(data: bytes, source: SourceInfo) -> Story:
    """Read a plain-text story."""
    text, encoding = decode(data)
    source.encoding = encoding
    meta: dict[str, object] = {}
    if b"\r" in data:
        meta["line_endings"] = "crlf" if b"\r\n" in data else "cr"
    clean = normalise(text)
    if len(clean) != len(text.replace("\r\n", "\n").replace("\r", "\n")):
        meta["removed_control_characters"] = len(text.replace("\r\n", "\n").replace("\r", "\n")) - len(clean)
    return Story(text=clean, source=source, meta=meta)
