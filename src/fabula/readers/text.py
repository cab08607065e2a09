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
    b"PK\x05\x06",
    b"\x7fELF",
    b"\x1f\x8b",  # gzip
    b"\xfd7zXZ\x00",  # xz
    b"\x28\xb5\x2f\xfd",  # zstd
    b"\x04\x22\x4d\x18",  # lz4
    b"BZh91AY&SY",  # bzip2
    b"SQLite format 3\x00",
    b"OggS",
    b"fLaC",
    b"\x1a\x45\xdf\xa3",  # Matroska / WebM
    b"\x00\x00\x01\x00",  # ICO
    b"\x00\x00\x00\x0cjP  ",  # JPEG 2000
    b"II*\x00",  # TIFF
    b"MM\x00*",
    b"8BPS",  # Photoshop
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",  # OLE (old .doc, .xls)
    b"\xca\xfe\xba\xbe",
    b"\xcf\xfa\xed\xfe",
    b"\xfe\xed\xfa\xcf",
    b"\x00asm",
    b"Rar!",
    b"7z\xbc\xaf",
    b"MThd",
    b"wOFF",
    b"wOF2",
    b"\x00\x01\x00\x00\x00",  # TrueType
)
# Short signatures that a text could begin with ("BMW", "MZ Hollow", "ID3 tags"): binary only with a NUL soon after.
_SHORT_MAGIC = (b"MZ", b"BM", b"RIFF", b"ID3", b"FORM")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Characters that do not occur in text (C0 controls other than tab, line ends, vertical tab, form feed, escape;
# DEL; the replacement character) and, for a legacy 8-bit decoding, C1 controls (bytes cp1252 leaves undefined).
_BAD_UTF8 = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f\ufffd]")
_BAD_LEGACY = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f-\x9f\ufffd]")
_WINDOW = 256 * 1024
BINARY_REASON = "not a text file (binary content)"


def has_binary_signature(data: bytes) -> bool:
    """True when ``data`` starts with the signature of a known binary format (image, archive, database, ...)."""
    if data.startswith(_BINARY_MAGIC):
        return True
    if data[4:8] == b"ftyp" or data[257:262] == b"ustar":  # MP4/MOV/HEIC, tar
        return True
    return data.startswith(_SHORT_MAGIC) and b"\x00" in data[:64]


def _sample(text: str) -> str:
    """The whole text, or three windows (start, middle, end) of a long one."""
    if len(text) <= 3 * _WINDOW:
        return text
    mid = len(text) // 2
    return text[:_WINDOW] + text[mid : mid + _WINDOW] + text[-_WINDOW:]


def implausible(text: str, legacy: bool = False) -> bool:
    """True when decoded ``text`` holds more control characters than a text with a few stray bytes would:
    binary data read as text. ``legacy``: decoded with an 8-bit code page (C1 controls count too)."""
    sample = _sample(text)
    bad = len((_BAD_LEGACY if legacy else _BAD_UTF8).findall(sample))
    return bad > 2 + len(sample) / 200


def looks_binary(data: bytes) -> bool:
    """True when ``data`` is not text in any encoding fabula reads (see :func:`decode`)."""
    try:
        decode(data)
    except UnsupportedFormat:
        return True
    return False


# spaces and line breaks, ASCII or ideographic, and CJK punctuation; not ``\s``, which also takes the control
# characters U+001C-U+001F (a property test found b"000\x08\x00\x1f\xc2\x80" read as UTF-16 through one)
_UTF16_SEPARATORS = re.compile(r"[ \t\n\r\u00a0\u2028\u2029\u3000-\u3002\uff0c\uff0e\uff01\uff1f]")


def _utf16(data: bytes) -> str | None:
    """``utf-16-le``/``utf-16-be`` when ``data`` (no BOM) reads as text in it, else None.

    The head must decode strictly (no lone surrogates), hold no control characters beyond a few, have line
    breaks or spaces (ASCII or ideographic) at least every 200 characters, and next to no unassigned code points:
    random bytes and 8-bit text fail one of these."""
    import unicodedata

    head = data[: 64 * 1024]
    head = head[: len(head) - len(head) % 2]
    if len(head) < 8:
        return None
    best: tuple[int, str] | None = None
    for codec in ("utf-16-le", "utf-16-be"):
        try:
            text = head.decode(codec)
        except UnicodeDecodeError:
            try:  # the head may end inside a surrogate pair
                text = head[:-2].decode(codec)
            except UnicodeDecodeError:
                continue
        if not text or implausible(text):
            continue
        seps = len(_UTF16_SEPARATORS.findall(text))
        if seps < max(1, len(text) / 200):
            continue
        unassigned = sum(1 for c in text if unicodedata.category(c) in {"Cn", "Co"})
        if unassigned > len(text) / 100:
            continue
        if best is None or seps > best[0]:
            best = (seps, codec)
    return best[1] if best else None


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
    """Return ``(text, encoding)``, or raise :class:`UnsupportedFormat` for binary content.

    BOMs decide first (UTF-8, UTF-16 LE/BE); a known binary signature (image, archive, compressed file,
    database) is refused; then strict UTF-8; then UTF-16 without BOM (Latin or CJK; bytes that are strict UTF-8
    but implausible as such are UTF-16 only when a quarter of them are NUL, else binary); then mostly-UTF-8 text
    with stray cp1252 bytes (a common copy-paste mix; reported as ``utf-8``, the stray bytes read as cp1252); then
    charset-normalizer for other legacy encodings, with cp1252 as the fallback for Latin text and for inputs too
    short to guess from. Whatever the decoding, a result with more control characters than a few stray bytes
    explain is binary content (:func:`implausible`).
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return _checked(data[3:].decode("utf-8", errors=_CP1252_FALLBACK), "utf-8-sig")
    if data.startswith(b"\xff\xfe") and not data.startswith(b"\xff\xfe\x00\x00"):
        return _checked(data[2:].decode("utf-16-le", errors="replace"), "utf-16-le")
    if data.startswith(b"\xfe\xff"):
        return _checked(data[2:].decode("utf-16-be", errors="replace"), "utf-16-be")
    if has_binary_signature(data):
        raise UnsupportedFormat(BINARY_REASON)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if not implausible(text):
            return text, "utf-8"
        # UTF-16 that is also valid UTF-8 is Latin text: every other byte NUL. Fewer NULs: binary
        if data.count(b"\x00") < len(data) / 4:
            raise UnsupportedFormat(BINARY_REASON)
    utf16 = _utf16(data)
    if utf16 is not None:
        return _checked(data[: len(data) - len(data) % 2].decode(utf16, errors="replace"), utf16)
    valid, invalid = _utf8_share(data[:200_000])
    if valid and valid >= invalid:
        return _checked(data.decode("utf-8", errors=_CP1252_FALLBACK), "utf-8", legacy=True)
    if invalid < 64:  # too little to guess from: Western text is by far the most common
        return _checked(*_latin(data), legacy=True)
    best = from_bytes(data[:200_000]).best()
    enc = best.encoding if best is not None else "cp1252"
    if not _TRUSTED.fullmatch(enc) or enc in {"latin_1", "iso8859_1", "iso8859_15", "cp1250", "cp1252"}:
        return _checked(*_latin(data), legacy=True)
    try:
        return _checked(data.decode(enc), enc, legacy=True)
    except (UnicodeDecodeError, LookupError):
        return _checked(*_latin(data), legacy=True)


def _checked(text: str, encoding: str, legacy: bool = False) -> tuple[str, str]:
    if implausible(text, legacy):
        raise UnsupportedFormat(BINARY_REASON)
    return text, encoding


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
