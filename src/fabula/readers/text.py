"""Plain text: decode bytes in any common encoding, normalise line ends, drop NULs and control characters.

A Project Gutenberg download gets its header, credits and licence marked non-story (see ``readers.gutenberg``)."""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from fabula.errors import UnsupportedFormat
from fabula.readers import gutenberg
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


_BINARY_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")


def looks_binary(data: bytes) -> bool:
    """True for known binary signatures, or many NULs / control bytes outside a UTF-16 pattern."""
    if any(data.startswith(m) for m in _BINARY_MAGIC):
        return True
    head = data[:4096]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    nul = head.count(0)
    if nul:
        # UTF-16 without BOM: NULs sit on every other byte.
        even, odd = head[0::2].count(0), head[1::2].count(0)
        if max(even, odd) > 0.3 * (len(head) / 2) and min(even, odd) < 0.05 * (len(head) / 2):
            return False
        if nul > 0.1 * len(head):
            return True
    controls = len(_BINARY_BYTES.findall(head))
    return controls > max(8, 0.1 * len(head))


# Guesses worth trusting (charset-normalizer also proposes mac_* or UTF-16 for plain Latin text).
_TRUSTED = re.compile(
    r"(cp125\d|iso8859_\d+|latin_1|koi8_[ru]|cp8\d\d|tis_620|big5\w*|gb\w*|euc_\w+|shift_jis\w*|cp9\d\d|iso2022\w*|hz)"
)
_CP1252_FALLBACK = "fabula-cp1252"


def _cp1252_fallback(exc: UnicodeError) -> tuple[str, int]:
    """Decode-error handler: undecodable bytes in mostly-UTF-8 text are read as cp1252 (else latin-1)."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start : exc.end]
    return "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in bad), exc.end


codecs.register_error(_CP1252_FALLBACK, _cp1252_fallback)


_UTF8_SEQ = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _utf8_share(data: bytes) -> tuple[int, int]:
    """(valid multi-byte UTF-8 sequences, high bytes outside them) in ``data``."""
    seqs = _UTF8_SEQ.findall(data)
    high = sum(1 for b in data if b >= 0x80)
    return len(seqs), high - sum(len(q) for q in seqs)


def decode(data: bytes) -> tuple[str, str]:
    """Return ``(text, encoding)``.

    BOMs decide first (UTF-8, UTF-16 LE/BE); then strict UTF-8; then mostly-UTF-8 text with stray cp1252 bytes
    (a common copy-paste mix; reported as ``utf-8``, the stray bytes read as cp1252); then UTF-16 without BOM;
    then charset-normalizer for other legacy encodings, with cp1252 as the fallback for Latin text and for
    inputs too short to guess from.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors=_CP1252_FALLBACK), "utf-8-sig"
    if data.startswith(b"\xff\xfe") and not data.startswith(b"\xff\xfe\x00\x00"):
        return data[2:].decode("utf-16-le", errors="replace"), "utf-16-le"
    if data.startswith(b"\xfe\xff"):
        return data[2:].decode("utf-16-be", errors="replace"), "utf-16-be"
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
    valid, invalid = _utf8_share(data[:200_000])
    if valid and valid >= invalid:
        return data.decode("utf-8", errors=_CP1252_FALLBACK), "utf-8"
    if invalid < 64:  # too little to guess from: Western text is by far the most common
        return _latin(data)
    best = from_bytes(data[:200_000]).best()
    enc = best.encoding if best is not None else "cp1252"
    if not _TRUSTED.fullmatch(enc) or enc in {"latin_1", "iso8859_1", "iso8859_15", "cp1250", "cp1252"}:
        return _latin(data)
    try:
        return data.decode(enc), enc
    except (UnicodeDecodeError, LookupError):
        return _latin(data)


def _latin(data: bytes) -> tuple[str, str]:
    """cp1252 (curly quotes and dashes in 0x80-0x9f); latin-1 when cp1252 leaves a byte undefined."""
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
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
    story = Story(text=clean, source=source, meta=meta)
    gutenberg.mark(story)
    return story
