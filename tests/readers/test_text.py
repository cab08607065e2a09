"""Plain-text reader: encodings, line ends, control characters, binary refusal."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from fabula.errors import UnsupportedFormat
from fabula.readers import load
from fabula.readers.text import decode, looks_binary, normalise, read
from fabula.story import SourceInfo

STORY = "“Hello,” she said — it’s café time. Naïve señor.\n‘Quiet,’ he whispered…\n" * 3


def _read(data: bytes) -> tuple[str, str | None]:
    info = SourceInfo()
    story = read(data, info)
    return story.text, info.encoding


def test_utf8_without_bom() -> None:
    assert _read(STORY.encode("utf-8")) == (STORY, "utf-8")


def test_utf8_with_bom_drops_the_bom() -> None:
    text, enc = _read(b"\xef\xbb\xbf" + STORY.encode("utf-8"))
    assert text == STORY and enc == "utf-8-sig"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom(codec: str) -> None:
    text, enc = _read(("\ufeff" + STORY).encode(codec))
    assert text == STORY and enc == codec


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom(codec: str) -> None:
    text, enc = _read(STORY.encode(codec))
    assert text == STORY and enc == codec


def test_cp1252_curly_quotes_and_dashes() -> None:
    text, enc = _read(STORY.encode("cp1252"))
    assert text == STORY and enc == "cp1252"


def test_short_cp1252_is_not_mistaken_for_another_encoding() -> None:
    assert _read("\x93Hi,\x94 she said.".encode("latin-1")) == ("“Hi,” she said.", "cp1252")


@pytest.mark.parametrize("s", ["café", "Ça va? Où est la clé?", "Le café était fermé. Naïve garçon.\n" * 30])
def test_latin1(s: str) -> None:
    text, enc = _read(s.encode("latin-1"))
    assert text == s
    assert enc in {"cp1252", "latin-1"}


def test_latin1_with_bytes_cp1252_leaves_undefined() -> None:
    data = "caf\xe9 \x81".encode("latin-1")
    assert _read(data) == ("caf\xe9 \x81", "latin-1")


def test_mostly_utf8_with_stray_cp1252_bytes() -> None:
    data = "“Hi,” it’s fine.".encode() + b" And \x93this\x94 too."
    assert _read(data) == ("“Hi,” it’s fine. And “this” too.", "utf-8")


def test_cyrillic_cp1251() -> None:
    s = "Привет, как дела? Это длинный текст на русском языке. " * 20
    text, enc = _read(s.encode("cp1251"))
    assert text == s and enc == "cp1251"


@pytest.mark.parametrize(("data", "ending"), [(b"one\r\ntwo\r\n", "crlf"), (b"one\rtwo\r", "cr")])
def test_line_endings(data: bytes, ending: str) -> None:
    story = read(data, SourceInfo())
    assert story.text == "one\ntwo\n"
    assert story.meta["line_endings"] == ending


def test_nul_and_control_bytes_are_removed() -> None:
    story = read(b"He\x00llo\x07 there.\tTab\x1b kept\x0c.\n", SourceInfo())
    assert story.text == "Hello there.\tTab kept.\n"
    assert story.meta["removed_control_characters"] == 4


@pytest.mark.parametrize(
    "data", [b"\x89PNG\r\n\x1a\n" + bytes(100), b"%PDF-1.7\n", b"\x7fELF" + bytes(50), bytes(range(256)) * 4]
)
def test_binary_is_refused(data: bytes) -> None:
    with pytest.raises(UnsupportedFormat):
        read(data, SourceInfo())


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("short", ["Hello world", "日本語です。"])
def test_a_short_utf16_text_without_bom_is_still_text(short: str, codec: str) -> None:
    assert decode(short.encode(codec)) == (short, codec)


def test_utf16_is_not_binary() -> None:
    assert not looks_binary(STORY.encode("utf-16-le"))


def test_load_a_path_sets_source(tmp_path) -> None:  # type: ignore[no-untyped-def]
    p = tmp_path / "story.txt"
    p.write_bytes(STORY.encode("cp1252"))
    story = load(p)
    assert story.text == STORY
    assert story.source.format == "text"
    assert story.source.encoding == "cp1252"
    assert story.source.path == str(p)
    assert story.source.sha256 and len(story.source.sha256) == 64


@given(st.text())
@example("000\x08\x00\x1f\x80")  # once read as UTF-16 through U+001F, which the regex class \s takes for a space
@example("\x000\x1f\x7f\x80\x80")  # once read as UTF-16 with an ideographic space; one NUL in 8 bytes
@example("0000\x80\x80\x80\x80\x80\x80\x80\U00010000\U00010000" "0\xa0\x00\x1f\x08")  # one NUL: no UTF-16
def test_utf8_roundtrip(s: str) -> None:
    data = s.encode("utf-8")
    if looks_binary(data):
        return
    assert decode(data)[0] == s


@given(st.text())
def test_normalise_leaves_no_cr_or_controls(s: str) -> None:
    out = normalise(s)
    assert "\r" not in out
    assert not any(ord(c) < 32 and c not in "\n\t" for c in out)
    assert not any(ord(c) == 127 for c in out)


def test_valid_utf8_controls_are_binary_not_utf16() -> None:
    # strict UTF-8 full of controls once read as UTF-16 ('\u2008Ἀ슀슀'); without a NUL it is binary
    data = " \x08\x1f\x08\x80\x80".encode()
    assert looks_binary(data)
    with pytest.raises(UnsupportedFormat):
        decode(data)
