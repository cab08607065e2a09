"""Project Gutenberg plain-text downloads: header, credits and licence marked non-story (text unchanged), header
fields in meta. The fixtures are invented stories in a Gutenberg-style wrapper of our own wording."""

from __future__ import annotations

from pathlib import Path

import pytest

from fabula.readers import load
from fabula.readers.gutenberg import detect, mark
from fabula.readers.text import decode, normalise
from fabula.story import Story
from tests.conftest import DATA, need

HEADER = """The Project Gutenberg EBook of The Lantern Ferry, by Wilhelmina Parr

This little file is offered to everyone at no charge; see the terms
at the bottom of this file before you pass it on.


Title: The Lantern Ferry
       A Tale of the Lower River

Author: Wilhelmina Parr

Release Date: March 3, 2011 [EBook #98765]
Last Updated: June 1, 2019

Language: English

Character set encoding: UTF-8

*** START OF THIS PROJECT GUTENBERG EBOOK THE LANTERN FERRY ***




Produced by Ezra Quill and the Volunteer
Proofing Circle


E-text prepared by Nell Varga



"""

BODY = """THE LANTERN FERRY

by Wilhelmina Parr



CHAPTER I

"Hold the rope," said Tobias Wren, and the ferry swung out into the dark.

Marigold held it. The river was high and the lantern hissed in the rain.

"We will make the far bank by midnight," she said.
"""

LICENCE = """



End of the Project Gutenberg EBook of The Lantern Ferry, by Wilhelmina Parr

*** END OF THIS PROJECT GUTENBERG EBOOK THE LANTERN FERRY ***

***** Keep this file under the name 98765.txt *****

Copying notice (our own invented wording): Project Gutenberg volunteers ask
that you keep this notice with every copy. Questions go to Gregor Halloway,
Secretary of the Lantern Archive Foundation.
"""

BOOK = HEADER + BODY + LICENCE


def _story(data: bytes) -> Story:
    return load(data, name="book.txt")


def _decoded(data: bytes) -> str:
    return normalise(decode(data)[0])


def _blocks(story: Story) -> dict[str, tuple[int, int]]:
    return {
        n.kind: (n.start, n.end) for n in story.nonstory if n.kind.startswith(("gutenberg", "title_page"))
    }


VARIANTS = {
    "lf": BOOK.encode("utf-8"),
    "bom": b"\xef\xbb\xbf" + BOOK.encode("utf-8"),
    "crlf": BOOK.replace("\n", "\r\n").encode("utf-8"),
    "bom-crlf": b"\xef\xbb\xbf" + BOOK.replace("\n", "\r\n").encode("utf-8"),
    "cp1252": BOOK.encode("cp1252"),
}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_header_and_licence_blocks_cover_exactly_the_wrapper(variant: str) -> None:
    data = VARIANTS[variant]
    story = _story(data)
    assert story.text == _decoded(data) == BOOK
    blocks = _blocks(story)
    start_line = "*** START OF THIS PROJECT GUTENBERG EBOOK THE LANTERN FERRY ***"
    assert blocks["gutenberg-header"] == (0, BOOK.index(start_line) + len(start_line))
    lic = BOOK.index("End of the Project Gutenberg EBook")
    assert blocks["gutenberg-licence"] == (lic, len(BOOK))
    cs, ce = blocks["gutenberg-credits"]
    assert (
        story.text[cs:ce]
        == "Produced by Ezra Quill and the Volunteer\nProofing Circle\n\n\nE-text prepared by Nell Varga"
    )
    ts, te = blocks["title_page"]
    assert story.text[ts:te] == "THE LANTERN FERRY\n\nby Wilhelmina Parr"
    # The story itself is outside every block.
    for needle in ('"Hold the rope,"', "CHAPTER I", "Marigold held it", "far bank by midnight"):
        ns = story.in_nonstory(story.text.index(needle))
        assert ns is None or ns.kind == "chapter_heading"


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_header_fields_become_plain_meta_values(variant: str) -> None:
    meta = _story(VARIANTS[variant]).meta
    assert meta["title"] == "The Lantern Ferry A Tale of the Lower River"
    assert meta["author"] == "Wilhelmina Parr"
    assert meta["language"] == "English"
    assert meta["release_date"] == "March 3, 2011"
    assert meta["gutenberg_id"] == "98765"
    assert meta["platform"] == "gutenberg"
    assert all(isinstance(v, str) for k, v in meta.items() if k != "removed_control_characters")


def test_meta_already_set_is_kept() -> None:
    story = Story(text=BOOK, meta={"title": "Given Title", "platform": "elsewhere"})
    assert mark(story)
    assert story.meta["title"] == "Given Title"
    assert story.meta["platform"] == "elsewhere"
    assert story.meta["author"] == "Wilhelmina Parr"


def test_existing_blocks_are_kept_and_sorted() -> None:
    from fabula.story import NonStory

    story = Story(text=BOOK, nonstory=[NonStory(5, 9, "other")])
    mark(story)
    kinds = [n.kind for n in story.nonstory]
    assert "other" in kinds and "gutenberg-header" in kinds
    assert [(n.start, n.end) for n in story.nonstory] == sorted((n.start, n.end) for n in story.nonstory)


MODERN = """\ufeffThe Project Gutenberg eBook of Pebble Street

This ebook is for anyone, anywhere, to read and share; the terms are at the end.

Title: Pebble Street

Author: Osgood Flint

Release date: January 9, 2024 [eBook #70001]
                Most recently updated: February 2, 2024

Language: English

Credits: Marta Ruhl and the Night Owls reading group


*** START OF THE PROJECT GUTENBERG EBOOK PEBBLE STREET ***
Pebble Street was quiet until Dunstan came home.

"You're late," said his aunt.
*** END OF THE PROJECT GUTENBERG EBOOK PEBBLE STREET ***

Our made-up closing notice: share freely, keep this paragraph.
"""


def test_modern_form_with_lowercase_release_date_and_no_blank_lines() -> None:
    story = load(MODERN.replace("\n", "\r\n").encode("utf-8"), name="x.txt")
    text = MODERN.removeprefix("\ufeff")
    assert story.text == text
    blocks = _blocks(story)
    assert blocks["gutenberg-header"][1] == text.index("\nPebble Street was")
    assert blocks["gutenberg-licence"] == (text.index("*** END OF THE"), len(text))
    assert "gutenberg-credits" not in blocks
    assert story.meta["release_date"] == "January 9, 2024"
    assert story.meta["gutenberg_id"] == "70001"
    assert story.meta["title"] == "Pebble Street" and story.meta["author"] == "Osgood Flint"


@pytest.mark.parametrize(
    "line",
    [
        "*** START OF THE PROJECT GUTENBERG EBOOK X ***",
        "***START OF THE PROJECT GUTENBERG EBOOK X***",
        "*** start of this project gutenberg ebook x ***",
        "*** START  OF  THE  PROJECT  GUTENBERG  E-TEXT X ***",
        "*** START OF THE PROJECT GUTENBERG EBOOK, X ***",
    ],
)
def test_start_marker_spellings(line: str) -> None:
    text = f"Some preface words.\n\n{line}\n\nThe story starts here, said Ann.\n"
    story = Story(text=text)
    assert mark(story)
    assert story.nonstory[0].kind == "gutenberg-header"
    assert text[story.nonstory[0].end :] == "\n\nThe story starts here, said Ann.\n"


OLD = """The Project Gutenberg Etext of Wren Hollow, by Ada Mirth

Please take a look at the important information in this header.
We encourage you to keep this file on your own disk.

**Welcome To The World of Free Plain Vanilla Electronic Texts**

Title: Wren Hollow

Author: Ada Mirth

Edition: 10

*** START: THE SMALL PRINT! (invented words for a test) ***
Nothing here is a real licence; it only stands where one would.
*END*THE SMALL PRINT! FOR PUBLIC DOMAIN ETEXTS*Ver.00.00.00*END*





WREN HOLLOW

The wrens came back in April, and Ada counted them.

End of the Project Gutenberg Etext of Wren Hollow, by Ada Mirth
"""


def test_old_small_print_form() -> None:
    story = Story(text=OLD)
    assert mark(story)
    blocks = _blocks(story)
    sp = "*END*THE SMALL PRINT! FOR PUBLIC DOMAIN ETEXTS*Ver.00.00.00*END*"
    assert blocks["gutenberg-header"] == (0, OLD.index(sp) + len(sp))
    assert blocks["gutenberg-licence"] == (OLD.index("End of the Project Gutenberg Etext"), len(OLD))
    assert story.meta["title"] == "Wren Hollow" and story.meta["author"] == "Ada Mirth"


PREAMBLE_ONLY = """The Project Gutenberg EBook of Salt and Tallow, by Ivo Brand

This eBook is free for anyone to read.

Title: Salt and Tallow

Author: Ivo Brand

Language: English



Salt came first, then tallow, said Ivo Brand's grandmother.

She was right about most things.
"""


def test_preamble_without_markers_marks_only_the_preamble() -> None:
    story = Story(text=PREAMBLE_ONLY)
    assert mark(story)
    (header,) = [n for n in story.nonstory if n.kind == "gutenberg-header"]
    assert (header.start, header.end) == (
        0,
        PREAMBLE_ONLY.index("Language: English") + len("Language: English"),
    )
    assert story.meta["author"] == "Ivo Brand"
    assert "gutenberg-licence" not in _blocks(story)


@pytest.mark.parametrize(
    "text",
    [
        'It was a quiet night. "Hello," said Anna.\n\nShe went home.\n',
        "Title: My Story\nAuthor: Me\n\nOnce upon a time there was a fox.\n",
        "He read about Project Gutenberg in the paper.\n\n*** The end of the story ***\n",
        "Chapter 1\n\nThe start of the project was slow.\n\nEND OF PART ONE\n",
    ],
)
def test_text_without_markers_is_untouched(text: str) -> None:
    story = Story(text=text, meta={"x": "y"})
    assert not detect(text)
    assert not mark(story)
    assert story.nonstory == [] and story.meta == {"x": "y"}
    loaded = load(text.encode("utf-8"), name="s.txt")
    assert loaded.text == text
    assert loaded.nonstory == [] and "platform" not in loaded.meta


def test_credits_without_blank_line_before_the_story_stay_one_line() -> None:
    body = "\n".join(f"Line {i} of the story, said Pell." for i in range(12))
    text = "*** START OF THE PROJECT GUTENBERG EBOOK Q ***\n\nProduced by Rhea Tamm\n" + body + "\n"
    story = Story(text=text)
    mark(story)
    cs, ce = _blocks(story)["gutenberg-credits"]
    assert text[cs:ce] == "Produced by Rhea Tamm"


def test_transcriber_note_in_the_body() -> None:
    text = BOOK.replace(
        "Marigold held it.", "[Transcriber's note: a few misprints were\ncorrected.]\n\nMarigold held it."
    )
    story = Story(text=text)
    mark(story)
    (note,) = [n for n in story.nonstory if n.kind == "gutenberg-note"]
    assert text[note.start : note.end] == "[Transcriber's note: a few misprints were\ncorrected.]"


def test_analyze_keeps_wrapper_names_out_of_characters_and_quotes() -> None:
    from fabula import analyze

    story = analyze(BOOK)
    names = " ".join(c.name for c in story.characters)
    for w in ("Project", "Gutenberg", "Quill", "Varga", "Halloway", "Parr", "Foundation"):
        assert w not in names
    for q in story.quotes:
        assert story.in_nonstory(q.start) is None
    for m in story.mentions:
        ns = story.in_nonstory(m.start)
        assert ns is None or not ns.kind.startswith("gutenberg")


REAL = DATA / "real"


@pytest.mark.parametrize(
    "name,title,author",
    [
        ("great_expectations.txt", "Great Expectations", "Charles Dickens"),
        ("hound_of_the_baskervilles.txt", "The Hound of the Baskervilles", "A. Conan Doyle"),
        ("little_women.txt", "Little Women", "Louisa May Alcott"),
        ("treasure_island.txt", "Treasure Island", "Robert Louis Stevenson"),
    ],
)
def test_real_downloads(name: str, title: str, author: str) -> None:
    path = need(REAL / name)
    story = load(Path(path))
    data = path.read_bytes()
    assert story.text == _decoded(data)
    blocks = _blocks(story)
    hs, he = blocks["gutenberg-header"]
    assert hs == 0 and story.text[:he].rstrip().endswith("***") and "*** START OF" in story.text[:he]
    ls, le = blocks["gutenberg-licence"]
    assert le == len(story.text) and story.text[ls:].startswith("End of")
    assert "*** END OF" in story.text[ls:]
    assert "Project Gutenberg" not in story.text[he:ls].replace("[Project Gutenberg Editor's Note", "")
    assert story.meta["title"] == title and story.meta["author"] == author
    assert story.meta["language"] == "English" and story.meta["platform"] == "gutenberg"
