"""AO3 HTML downloads: tag meta, relationship pairs, chapters, nonstory regions, italics."""

from __future__ import annotations

from pathlib import Path

import pytest

from fabula.readers import load, sniff
from fabula.readers.ao3 import parse_stats, read, relationship_pairs
from fabula.story import SourceInfo, Story

FIXTURE = Path(__file__).parent / "fixtures" / "ao3_two_chapters.html"


@pytest.fixture(scope="module")
def story() -> Story:
    return load(FIXTURE)


def test_sniffed_as_ao3() -> None:
    data = FIXTURE.read_bytes()
    assert sniff(data, FIXTURE.name) == "ao3"
    assert sniff(data, None) == "ao3"


def test_tag_meta(story: Story) -> None:
    m = story.meta
    assert m["platform"] == "ao3"
    assert m["title"] == "The Lamplighter's Daughter"
    assert m["author"] == "quillandember"
    assert m["url"] == "http://archiveofourown.org/works/99999991"
    assert m["rating"] == "Teen And Up Audiences"
    assert m["warnings"] == ["No Archive Warnings Apply"]
    assert m["category"] == ["F/M", "Gen"]
    assert m["fandoms"] == ["Original Work"]
    assert m["relationships"] == ["Wren Hollis/Tobias Marsh", "Wren Hollis & Old Meg"]
    assert m["characters"] == ["Wren Hollis", "Tobias Marsh", "Old Meg"]
    assert m["additional_tags"] == ["Slow Burn", "Found Family"]
    assert m["language"] == "English"
    assert m["series"] == [{"part": 2, "title": "Harbour Lights"}]
    assert m["stats"] == {
        "published": "2023-03-04",
        "completed": "2023-04-01",
        "words": 1234,
        "chapters": "2/2",
    }
    assert m["summary"] == "Wren keeps the harbour lamps burning. Tobias keeps forgetting his coat."
    assert m["notes"] == "Written for a prompt about light. Thanks to my beta!"
    assert m["relationship_pairs"] == [
        {"a": "Wren Hollis", "b": "Tobias Marsh", "kind": "romantic"},
        {"a": "Wren Hollis", "b": "Old Meg", "kind": "platonic"},
    ]


def test_tags_are_not_in_the_text(story: Story) -> None:
    assert "Teen And Up" not in story.text
    assert "Posted originally" not in story.text
    assert "Works inspired" not in story.text and "drop by the Archive" not in story.text


def test_chapters(story: Story) -> None:
    chapters = story.meta["chapters"]
    assert [c["title"] for c in chapters] == ["Chapter 1: Oil and Wick", "Chapter 2: The Long Night"]
    one = story.text[chapters[0]["start"] : chapters[0]["end"]]
    two = story.text[chapters[1]["start"] : chapters[1]["end"]]
    assert one.startswith("Chapter 1: Oil and Wick") and "Wren lit." in one and "Meg watched" not in one
    assert one.endswith("Next chapter: Meg!")
    assert two.startswith("Chapter 2") and two.endswith("By morning the harbour was quiet.")
    h0, h1 = chapters[0]["heading"]
    assert story.text[h0:h1] == "Chapter 1: Oil and Wick"


def test_nonstory_regions(story: Story) -> None:
    got = [(n.kind, story.text[n.start : n.end]) for n in story.nonstory]
    kinds = [k for k, _ in got]
    assert kinds == [
        "preface", "summary", "notes", "chapter_heading", "notes", "end_notes",
        "chapter_heading", "summary", "end_notes",
    ]  # fmt: skip
    assert got[1] == (
        "summary",
        "Summary\n\nWren keeps the harbour lamps burning. Tobias keeps forgetting his coat.",
    )
    assert got[5] == ("end_notes", "Chapter End Notes\n\nNext chapter: Meg!")
    assert got[-1] == ("end_notes", "End Notes\n\nThank you for reading!")


def test_story_text_is_not_nonstory(story: Story) -> None:
    for phrase in ("“You’ll catch your death,”", "Old Meg watched", "By morning"):
        pos = story.text.index(phrase)
        assert story.in_nonstory(pos) is None, phrase


def test_italics_and_curly_quotes(story: Story) -> None:
    assert [story.text[s.start : s.end] for s in story.italics] == [
        "light",
        "Again.",
        "And he still has no coat",
    ]
    assert "“Storm’s coming,”" in story.text
    assert story.source.encoding == "utf-8"


def test_scene_break_from_hr(story: Story) -> None:
    assert "\n\n* * *\n\n" in story.text


def test_single_chapter_work_without_headings() -> None:
    html = b"""<html><body><div id="preface"><dl class="tags"><dt>Rating:</dt><dd>General Audiences</dd></dl>
    <h1>Tiny</h1></div><div id="chapters" class="userstuff"><p>Only one \xe2\x80\x9cchapter\xe2\x80\x9d.</p>
    <p>Second para.</p></div></body></html>"""
    story = read(html, SourceInfo(format="ao3"))
    assert story.meta["rating"] == "General Audiences"
    (ch,) = story.meta["chapters"]
    assert story.text[ch["start"] : ch["end"]] == "Only one “chapter”.\n\nSecond para."
    assert ch["title"] is None


def test_non_ao3_markup_falls_back_to_html() -> None:
    story = read(b"<html><body><p>Plain <em>page</em>.</p></body></html>", SourceInfo(format="ao3"))
    assert story.text == "Plain page."
    assert story.meta["platform"] == "ao3"


def test_relationship_pairs() -> None:
    assert relationship_pairs(["A/B/C", "D & E", "Solo"]) == [
        {"a": "A", "b": "B", "kind": "romantic"},
        {"a": "A", "b": "C", "kind": "romantic"},
        {"a": "B", "b": "C", "kind": "romantic"},
        {"a": "D", "b": "E", "kind": "platonic"},
    ]


def test_parse_stats() -> None:
    assert parse_stats("Published: 2020-01-01 Updated: 2020-02-01 Words: 12,345 Chapters: 3/?") == {
        "published": "2020-01-01",
        "updated": "2020-02-01",
        "words": 12345,
        "chapters": "3/?",
    }
