"""The dispatcher: load() picks the reader by name and content; every reader's output is well formed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fabula.errors import InputError, UnsupportedFormat
from fabula.readers import load, sniff
from fabula.story import Story
from tests.readers.epubkit import build_epub

FIXTURES = Path(__file__).parent / "fixtures"
WATTPAD = "2.7K 50 3\n\nShe waited.\n\nTitleWhere stories live. Discover now\n"
MD = "---\ntitle: T\n---\n\n# One\n\nShe *waited*.\n\n# Two\n\nHe came.\n"
HTML = "<html><body><h2>One</h2><p>She <em>waited</em>.</p><h2>Two</h2><p>He came.</p></body></html>"


def _check(story: Story) -> None:
    json.dumps(story.meta)
    n = len(story.text)
    assert story.nonstory == sorted(story.nonstory, key=lambda x: (x.start, x.end))
    for x in story.nonstory:
        assert 0 <= x.start < x.end <= n
    for sp in story.italics:
        assert 0 <= sp.start < sp.end <= n
    for c in story.meta.get("chapters", []):
        assert 0 <= c["start"] < c["end"] <= n


@pytest.mark.parametrize(
    ("name", "content", "fmt"),
    [
        ("story.txt", b"Plain story text.\n", "text"),
        ("page.txt", WATTPAD.encode(), "wattpad"),
        ("story.md", MD.encode(), "markdown"),
        ("story.markdown", MD.encode(), "markdown"),
        ("page.html", HTML.encode(), "html"),
        ("page.htm", HTML.encode(), "html"),
        ("work.html", (FIXTURES / "ao3_two_chapters.html").read_bytes(), "ao3"),
    ],
)
def test_load_picks_the_reader(tmp_path: Path, name: str, content: bytes, fmt: str) -> None:
    p = tmp_path / name
    p.write_bytes(content)
    story = load(p)
    assert story.source.format == fmt
    assert story.source.encoding
    _check(story)


def test_load_epub_by_name_and_by_bytes(tmp_path: Path) -> None:
    long = "<p>Long enough text for a real chapter, well past the front-matter size limit.</p>" * 4
    p = build_epub(tmp_path / "b.epub", [("a.xhtml", f"<h1>One</h1>{long}", None)])
    for src in (p, p.read_bytes()):
        story = load(src)
        assert story.source.format == "epub"
        _check(story)


def test_explicit_format_wins(tmp_path: Path) -> None:
    p = tmp_path / "page.txt"
    p.write_text(HTML, encoding="utf-8")
    assert load(p).source.format == "html"  # markup at the start beats the .txt name
    assert load(p).text == "One\n\nShe waited.\n\nTwo\n\nHe came."
    assert load(p, input_format="text").text == HTML


def test_sniff_content_without_name() -> None:
    assert sniff(b"<!DOCTYPE html><html><body>x</body></html>", None) == "html"
    assert sniff(b"<?xml version='1.0'?><html/>", None) == "html"
    assert sniff(b"Just text", None) == "text"


def test_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="empty input"):
        load(b"   \n")
    with pytest.raises(InputError, match="no such file"):
        load(tmp_path / "missing.txt")
    with pytest.raises(UnsupportedFormat):
        load(b"x", input_format="pdf")
    bad = tmp_path / "fake.epub"
    bad.write_bytes(b"this is not a zip file at all")
    with pytest.raises(InputError, match="not a valid EPUB archive") as exc:
        load(bad)
    assert exc.value.path == str(bad)
