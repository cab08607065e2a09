"""Markdown: text kept as written; italics, headings/chapters and front matter."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from fabula.readers import load, sniff
from fabula.readers.markdown import front_matter, italics, read
from fabula.story import SourceInfo, Story

DOC = """---
title: "The Gull"
author: Ann Reed
tags: [sea, grief]
characters:
  - Mara
  - Jonah
---

# The Gull

## One

She said *hello* and _went_ away; snake_case_name stays. **Bold** is not italic, ***both*** is.
`code *not* italic` and \\*escaped*.

---

## Two

* list item
* another *word*

```
*fenced*
```
"""


def _read(text: str) -> Story:
    return read(text.encode(), SourceInfo(format="markdown"))


def _italic_texts(story: Story) -> list[str]:
    return [story.text[s.start : s.end] for s in story.italics]


def test_text_is_kept_as_written() -> None:
    assert _read(DOC).text == DOC


def test_italics() -> None:
    assert _italic_texts(_read(DOC)) == ["hello", "went", "both", "word"]


def test_front_matter() -> None:
    story = _read(DOC)
    fm = story.meta["front_matter"]
    assert fm == {
        "title": "The Gull",
        "author": "Ann Reed",
        "tags": ["sea", "grief"],
        "characters": ["Mara", "Jonah"],
    }
    assert story.meta["title"] == "The Gull" and story.meta["author"] == "Ann Reed"
    first = story.nonstory[0]
    assert first.kind == "front_matter" and first.start == 0
    assert DOC[first.start : first.end].endswith("---")


def test_headings_and_chapters() -> None:
    story = _read(DOC)
    heads = [DOC[n.start : n.end] for n in story.nonstory if n.kind == "heading"]
    assert heads == ["# The Gull", "## One", "## Two"]
    chapters = story.meta["chapters"]
    assert [c["title"] for c in chapters] == ["One", "Two"]
    assert DOC[chapters[0]["start"] :].startswith("## One")
    assert chapters[-1]["end"] == len(DOC)


def test_lone_rule_is_a_scene_break_not_front_matter() -> None:
    text = "She left.\n\n---\n\nHe stayed.\n\n---\n"
    story = _read(text)
    assert "front_matter" not in story.meta
    assert story.nonstory == []


def test_unclosed_or_keyless_front_matter_is_text() -> None:
    assert front_matter("---\ntitle: x\n\nNo closing line.\n") is None
    assert front_matter("---\nJust a paragraph.\n---\nMore.\n") is None
    assert front_matter("---\ntitle: x\n---\nBody") == (len("---\ntitle: x\n---"), {"title": "x"})


def test_italics_do_not_cross_paragraphs() -> None:
    assert italics("An *open\n\nclose* here") == []
    assert [s for s in italics("_a_ b *c d*")] != []


def test_sniff_and_load(tmp_path) -> None:  # type: ignore[no-untyped-def]
    p = tmp_path / "story.md"
    p.write_text(DOC, encoding="utf-8")
    assert sniff(DOC.encode(), "story.md") == "markdown"
    story = load(p)
    assert story.source.format == "markdown"
    assert story.meta["title"] == "The Gull"


@given(st.text(alphabet="ab *_\n`#\\-", max_size=60))
def test_italic_spans_are_inside_the_text(s: str) -> None:
    story = _read(s) if s.strip() else None
    if story is None:
        return
    for sp in story.italics:
        assert 0 <= sp.start < sp.end <= len(story.text)
        assert story.text[sp.start - 1] in "*_"
        assert story.text[sp.end] in "*_"
