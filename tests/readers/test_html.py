"""Generic HTML: paragraphs, line breaks, skipped elements, italics offsets, title, chapters."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from fabula.readers import load, sniff
from fabula.readers.html import read
from fabula.story import SourceInfo, Story

DOC = b"""<!DOCTYPE html>
<html lang="en"><head><title>The Gull &amp; the Keeper</title>
<style>p { color: red; }</style><script>var x = "<p>not text</p>";</script></head>
<body>
  <h1>The Gull</h1>
  <h2>One</h2>
  <p>\xe2\x80\x9cHello,\xe2\x80\x9d she said.   <em>Too   late.</em></p>
  <p>Line one<br>line two<br/>line <i>three</i></p>
  <!-- a comment -->
  <div>A <span style="font-style: italic">slanted</span> word &mdash; and <b>bold</b>.</div>
  <hr>
  <h2>Two</h2>
  <ul><li>first</li><li>second</li></ul>
  <pre>keep   this
  spacing</pre>
</body></html>"""


def _read(data: bytes) -> Story:
    return read(data, SourceInfo(format="html"))


def test_paragraphs_breaks_and_skips() -> None:
    story = _read(DOC)
    assert story.text == (
        "The Gull\n\nOne\n\n“Hello,” she said. Too late.\n\nLine one\nline two\nline three\n\n"
        "A slanted word — and bold.\n\n* * *\n\nTwo\n\nfirst\n\nsecond\n\nkeep   this\n  spacing"
    )
    assert "not text" not in story.text and "color" not in story.text
    assert story.source.encoding == "utf-8"


def test_italics_offsets() -> None:
    story = _read(DOC)
    assert [story.text[s.start : s.end] for s in story.italics] == ["Too late.", "three", "slanted"]


def test_title_language_headings_chapters() -> None:
    story = _read(DOC)
    assert story.meta["title"] == "The Gull & the Keeper"
    assert story.meta["language"] == "en"
    assert [(n.kind, story.text[n.start : n.end]) for n in story.nonstory] == [
        ("heading", "The Gull"),
        ("heading", "One"),
        ("heading", "Two"),
    ]
    chapters = story.meta["chapters"]
    assert [c["title"] for c in chapters] == ["One", "Two"]
    assert story.text[chapters[0]["start"] :].startswith("One")
    assert chapters[0]["end"] == chapters[1]["start"]
    assert chapters[1]["end"] == len(story.text)


def test_meta_charset_cp1252() -> None:
    data = b'<html><head><meta charset="windows-1252"></head><body><p>\x93Hi,\x94 caf\xe9.</p></body></html>'
    story = _read(data)
    assert story.text == "“Hi,” café."
    assert story.source.encoding == "windows-1252"


def test_no_chapters_for_a_single_heading() -> None:
    story = _read(b"<h1>Title</h1><p>Only text.</p>")
    assert "chapters" not in story.meta
    assert story.meta["title"] == "Title"


def test_sniff_and_load() -> None:
    assert sniff(DOC, "x.html") == "html"
    assert sniff(DOC, None) == "html"
    assert sniff(b"\xef\xbb\xbf<!DOCTYPE html><p>x</p>", None) == "html"
    assert load(DOC).source.format == "html"


_words = st.text(alphabet="abc <>&", min_size=0, max_size=8)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["p", "em", "i", "br", "div", "b", "text"]), _words), max_size=20))
def test_offsets_always_valid(parts: list[tuple[str, str]]) -> None:
    html = "".join(
        "<br>" if tag == "br" else (w if tag == "text" else f"<{tag}>{w}</{tag}>") for tag, w in parts
    )
    story = _read(html.encode())
    for span in story.italics:
        assert 0 <= span.start < span.end <= len(story.text)
        chunk = story.text[span.start : span.end]
        assert chunk == chunk.strip()
    assert "\n\n\n" not in story.text
    assert story.text == story.text.strip()
