"""Inputs as people have them (issue 19): heading forms, tables of contents, EPUB front matter, AO3 downloads and
saved AO3 pages, and the four raw Project Gutenberg downloads in ``../shared/data/real`` (skipped when absent)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from fabula.api import analyze
from fabula.readers import load, sniff
from fabula.story import Story

REAL = Path(__file__).resolve().parents[3] / "shared" / "data" / "real"
PROSE = "The lamps were lit along the quay and the water moved slowly under the boats, as it always did."


def _segment(text: str) -> Story:
    return analyze(text, input_format="text", upto="segment")


def _titles(story: Story) -> list[str | None]:
    return [c.title for c in story.chapters]


@pytest.mark.parametrize(
    ("heads", "titles"),
    [
        (["CHAPTER I", "CHAPTER II"], ["CHAPTER I", "CHAPTER II"]),
        (["Chapter 1: The Quay", "Chapter 2: The Boat"], ["Chapter 1: The Quay", "Chapter 2: The Boat"]),
        (["BOOK THE FIRST", "BOOK THE SECOND"], ["BOOK THE FIRST", "BOOK THE SECOND"]),
        (["STAVE ONE", "STAVE TWO"], ["STAVE ONE", "STAVE TWO"]),
        (["CHAPTER TWENTY", "CHAPTER TWENTY-ONE"], ["CHAPTER TWENTY", "CHAPTER TWENTY-ONE"]),
        (["Chapter the First", "Chapter the Second"], ["Chapter the First", "Chapter the Second"]),
        (["I.", "II.", "III."], ["I.", "II.", "III."]),
        (["1", "2", "3"], ["1", "2", "3"]),
    ],
)
def test_heading_forms(heads: list[str], titles: list[str]) -> None:
    text = "\n\n".join(f"{h}\n\n{PROSE}" for h in heads)
    assert _titles(_segment(text)) == titles


def test_title_line_under_a_heading_joins_it() -> None:
    text = f"CHAPTER ONE\n\nTHE QUAY AT NIGHT\n\n{PROSE}\n\nCHAPTER TWO\n\nThe Boat Comes In\n\n{PROSE}"
    story = _segment(text)
    assert _titles(story) == ["CHAPTER ONE: THE QUAY AT NIGHT", "CHAPTER TWO: The Boat Comes In"]
    heading = story.chapters[0].heading
    assert heading is not None and story.text[heading.start : heading.end].endswith("THE QUAY AT NIGHT")


def test_collection_of_stories_with_numbered_parts() -> None:
    stories = []
    for n, title in (("I", "THE LAMP"), ("II", "THE GULL"), ("III", "THE TIDE")):
        stories.append(f"ADVENTURE {n}. {title}\n\nI.\n\n{PROSE}\n\nII.\n\n{PROSE}\n\nIII.\n\n{PROSE}")
    story = _segment("\n\n".join(stories))
    assert _titles(story) == ["ADVENTURE I. THE LAMP", "ADVENTURE II. THE GULL", "ADVENTURE III. THE TIDE"]
    assert sum(1 for n in story.nonstory if n.kind == "heading") == 9


def test_table_of_contents_is_not_chapters() -> None:
    contents = "CONTENTS\n\nCHAPTER I. The Quay\n\nCHAPTER II. The Boat\n\nCHAPTER III. The Tide"
    body = "\n\n".join(f"CHAPTER {n}. {t}\n\n{PROSE}" for n, t in (("I", "The Quay"), ("II", "The Boat"), ("III", "The Tide")))
    story = _segment(f"{contents}\n\n{body}")
    assert _titles(story) == ["CHAPTER I. The Quay", "CHAPTER II. The Boat", "CHAPTER III. The Tide"]
    assert story.chapters[0].start == story.text.index("CHAPTER I. The Quay", len(contents))
    kinds = {n.kind for n in story.nonstory if n.end <= len(contents)}
    assert kinds == {"contents"}


def test_parts_group_chapters_and_are_not_chapters() -> None:
    text = f"PART ONE\n\n1\n\n{PROSE}\n\n2\n\n{PROSE}\n\nPART TWO\n\n3\n\n{PROSE}"
    story = _segment(text)
    assert _titles(story) == ["1", "2", "3"]
    assert [story.text[n.start : n.end] for n in story.nonstory if n.kind == "part_heading"] == ["PART ONE", "PART TWO"]
    assert story.chapters[1].end == story.text.index("PART TWO")


def test_sentence_is_not_a_heading() -> None:
    story = _segment(f"Chapter One was the dullest.\n\n{PROSE}\n\nPart of me stayed.\n\n{PROSE}")
    assert _titles(story) == [None]


# ------------------------------------------------------------------------------------------------ EPUB
def _epub(path: Path, docs: list[tuple[str, str, str]], guide: str = "") -> Path:
    """``docs``: (file name, body attributes, body html)."""
    items = "\n".join(f'<item id="d{i}" href="{n}" media-type="application/xhtml+xml"/>' for i, (n, _, _) in enumerate(docs))
    refs = "\n".join(f'<itemref idref="d{i}"/>' for i in range(len(docs)))
    opf = f"""<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>The Keeper</dc:title>
  <dc:identifier id="id">x</dc:identifier><dc:language>en</dc:language></metadata>
  <manifest>{items}</manifest><spine>{refs}</spine><guide>{guide}</guide>
</package>"""
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/epub+zip")
        zf.writestr(
            "META-INF/container.xml",
            '<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
            '<rootfiles><rootfile full-path="OPS/content.opf" media-type="application/oebps-package+xml"/>'
            "</rootfiles></container>",
        )
        zf.writestr("OPS/content.opf", opf)
        for name, attrs, body in docs:
            zf.writestr(
                f"OPS/{name}",
                '<?xml version="1.0" encoding="UTF-8"?><html xmlns="http://www.w3.org/1999/xhtml" '
                f'xmlns:epub="http://www.idpf.org/2007/ops"><head><title>x</title></head><body {attrs}>{body}</body></html>',
            )
    return path


def test_epub_front_and_back_matter(tmp_path: Path) -> None:
    long_copyright = "<p>Copyright 2024 Mara Quill. All rights reserved. " + "No part of this book may be copied. " * 10 + "</p>"
    story_html = "".join(f"<p>{PROSE} Wren said nothing.</p>" for _ in range(3))
    docs = [
        ("title.xhtml", 'epub:type="titlepage"', "<h1>The Keeper</h1><p>Mara Quill</p>"),
        ("copy.xhtml", 'epub:type="copyright-page"', long_copyright),
        ("ded.xhtml", "", "<h2>Dedication</h2><p>For everyone who ever kept a light burning through a long and lonely winter night on the coast.</p>" * 3),
        ("toc.xhtml", "", "<h2>Contents</h2><p>Chapter One</p><p>Chapter Two</p>" * 5),
        ("extracts.xhtml", "", "<h2>Extracts</h2>" + "<p>“The sea is wide,” says an old book, and another says more.</p>" * 5),
        ("c1.xhtml", "", f"<h2>Chapter One</h2>{story_html}"),
        ("c2.xhtml", "", f"<h2>Chapter Two</h2>{story_html}"),
        ("ads.xhtml", "", "<h2>Also by Mara Quill</h2>" + "<p>The Gull, a novel of the sea and its keepers, now in paperback.</p>" * 5),
    ]
    story = load(_epub(tmp_path / "keeper.epub", docs, '<reference type="toc" href="toc.xhtml"/>'))
    titles = [c["title"] for c in story.meta["chapters"]]
    assert titles == ["Chapter One", "Chapter Two"]
    matter = [story.text[n.start : n.end] for n in story.nonstory if n.kind in ("front_matter", "back_matter")]
    joined = " ".join(matter)
    for word in ("Copyright", "Dedication", "Contents", "Extracts", "Also by"):
        assert word in joined
    assert [n.kind for n in story.nonstory if "Also by" in story.text[n.start : n.end]] == ["back_matter"]
    full = analyze(tmp_path / "keeper.epub", upto="quotes")
    assert all("sea is wide" not in full.text[q.start : q.end] for q in full.quotes)


# ------------------------------------------------------------------------------------------------- AO3
AO3_DOWNLOAD = """<!DOCTYPE html><html><head><meta charset="UTF-8"><title>The Keeper - quillandember - Original Work
[Archive of Our Own]</title></head><body>
<div id="preface">
<p class="message"><b>Archive of Our Own</b> <a href="https://archiveofourown.org/works/1">work</a></p>
<div class="meta"><dl class="tags"><dt>Rating:</dt><dd><a href="#">General Audiences</a></dd>
<dt>Fandom:</dt><dd><a href="#">Original Work</a></dd><dt>Characters:</dt><dd><a href="#">Wren</a>, <a href="#">Tobias</a></dd>
<dt>Stats:</dt><dd>Published: 2024-01-01 Words: 120 Chapters: 1/1</dd></dl>
<h1>The Keeper</h1><div class="byline">by <a rel="author" href="#">quillandember</a></div>
<p>Summary</p><blockquote class="userstuff"><p>I keep the light. My notes are my own.</p></blockquote>
<p>Notes</p><blockquote class="userstuff"><p>I wrote this for a prompt. I hope you like it.</p></blockquote></div></div>
<div id="chapters" class="userstuff"><div class="userstuff"><p>Wren climbed the tower. "Is it lit?" Tobias asked.</p>
<p>"It is," she said. She looked at the sea for a long time.</p></div></div>
<div id="afterword"><div id="endnotes"><p>End Notes</p><blockquote class="userstuff"><p>I thank my beta. I love you all.</p></blockquote></div></div>
</body></html>"""


def test_ao3_download_title_and_notes_are_not_story() -> None:
    data = AO3_DOWNLOAD.encode()
    assert sniff(data, "keeper.html") == "ao3"
    story = analyze(data, upto="segment", input_format="ao3")
    assert story.meta["title"] == "The Keeper"
    assert story.meta["characters"] == ["Wren", "Tobias"]
    assert all(isinstance(v, str) for v in story.meta["characters"])
    kinds = {story.text[n.start : n.end].split(".")[0]: n.kind for n in story.nonstory}
    assert "summary" in kinds.values() and "notes" in kinds.values() and "end_notes" in kinds.values()
    for s in story.sections:
        section = story.text[s.start : s.end]
        assert "I keep the light" not in section and "I thank my beta" not in section
    assert {s.person for s in story.sections} == {"third"}


AO3_PAGE = """<!DOCTYPE html><html><head><title>The Keeper - quillandember - Original Work [Archive of Our Own]</title>
</head><body><div id="outer"><ul id="skiplinks"><li><a href="#main">Main Content</a></li></ul>
<header id="header"><h1 class="heading"><a href="/">Archive of Our Own beta</a></h1>
<ul class="primary navigation"><li><a href="/menu/fandoms">Fandoms</a></li><li>Browse</li><li>Search</li></ul></header>
<div id="main" class="works-show region"><div class="wrapper"><dl class="work meta group">
<dt class="rating tags">Rating:</dt><dd class="rating tags"><ul class="commas"><li><a class="tag">General Audiences</a></li></ul></dd>
<dt class="fandom tags">Fandom:</dt><dd class="fandom tags"><ul class="commas"><li><a class="tag">Original Work</a></li></ul></dd>
<dt class="character tags">Characters:</dt><dd class="character tags"><ul class="commas"><li><a class="tag">Wren</a></li><li><a class="tag">Tobias</a></li></ul></dd>
</dl></div>
<div id="workskin"><div class="preface group"><h2 class="title heading">The Keeper</h2>
<h3 class="byline heading"><a rel="author">quillandember</a></h3>
<div class="summary module"><h3 class="heading">Summary:</h3><blockquote class="userstuff"><p>I keep the light.</p></blockquote></div>
<div class="notes module"><h3 class="heading">Notes:</h3><blockquote class="userstuff"><p>I wrote this for a prompt.</p></blockquote></div></div>
<div id="chapters" role="article"><div class="chapter" id="chapter-1"><div class="chapter preface group"><h3 class="title"><a>Chapter 1</a>: The Tower</h3></div>
<div class="userstuff module" role="article"><h3 class="landmark heading" id="work">Chapter Text</h3>
<p>Wren climbed the tower. "Is it lit?" Tobias asked.</p><p>"It is," she said.</p></div>
<div class="chapter preface group"><div id="chapter_1_endnotes" class="end notes module"><h3 class="heading">Notes:</h3><blockquote class="userstuff"><p>Thanks for reading!</p></blockquote></div></div></div></div></div>
<div id="feedback" class="feedback"><ul class="actions"><li><button>Kudos ♥</button></li></ul>
<div id="kudos"><p class="kudos">reader1 and reader2 left kudos on this work!</p></div>
<div id="comments_placeholder"><h3>Comments</h3><p>Great story, loved it!</p></div></div></div>
<div id="footer"><p>Archive of Our Own footer: About, Terms of Service, DMCA</p></div></div></body></html>"""


def test_saved_ao3_page_is_reduced_to_the_work() -> None:
    data = AO3_PAGE.encode()
    assert sniff(data, "The Keeper.html") == "ao3"
    story = load(data, name="The Keeper.html")
    assert story.meta["platform"] == "ao3"
    assert story.meta["title"] == "The Keeper" and story.meta["author"] == "quillandember"
    assert story.meta["characters"] == ["Wren", "Tobias"]
    for debris in ("Fandoms", "Kudos", "left kudos", "Great story", "footer", "Chapter Text", "Main Content"):
        assert debris not in story.text
    assert [c["title"] for c in story.meta["chapters"]] == ["Chapter 1: The Tower"]
    kinds = {n.kind for n in story.nonstory}
    assert {"summary", "notes", "end_notes", "chapter_heading"} <= kinds
    full = analyze(data, input_format="ao3", upto="quotes")
    assert [full.text[q.start : q.end] for q in full.quotes] == ["Is it lit?", "It is,"]


# ----------------------------------------------------------------------------------------- Gutenberg
REAL_CHAPTERS = {
    "great_expectations.txt": 59,
    "hound_of_the_baskervilles.txt": 15,
    "little_women.txt": 47,
    "treasure_island.txt": 34,
}


@pytest.mark.skipif(not REAL.is_dir(), reason="../shared/data/real is not present")
@pytest.mark.parametrize("name", sorted(REAL_CHAPTERS))
def test_real_gutenberg_chapters_and_licence(name: str) -> None:
    story = analyze(REAL / name, upto="quotes")
    licence = next(n for n in story.nonstory if n.kind == "gutenberg-licence")
    header = next(n for n in story.nonstory if n.kind == "gutenberg-header")
    assert len(story.chapters) == REAL_CHAPTERS[name]
    assert all(c.title for c in story.chapters)
    assert all(c.end <= licence.start and c.start >= header.end for c in story.chapters)
    assert all(q.end <= licence.start and q.start >= header.end for q in story.quotes)
    assert "Gutenberg" not in " ".join(c.title or "" for c in story.chapters)


@pytest.mark.skipif(not REAL.is_dir(), reason="../shared/data/real is not present")
def test_real_gutenberg_no_character_from_the_licence() -> None:
    story = analyze(REAL / "treasure_island.txt", upto="characters")
    names = " ".join(c.name for c in story.characters)
    for word in ("Gutenberg", "Foundation", "Hart", "Newby", "Literary Archive"):
        assert word not in names
    licence = next(n for n in story.nonstory if n.kind == "gutenberg-licence")
    assert all(m.start < licence.start for m in story.mentions)
