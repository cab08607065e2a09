"""Wattpad page copies: text kept unchanged, debris marked nonstory, stats and title in meta."""

from __future__ import annotations

import pytest

from fabula.readers import load, sniff
from fabula.readers.wattpad import detect, parse_count, read
from fabula.story import SourceInfo, Story
from tests.conftest import SEEDS, need

PAGE = """Chapter 7: The Letter
2.7K 50 3


Mara folded the letter twice before she read it again.

"You kept it," Jonah said from the doorway.

Oops! This image does not follow our content guidelines. To continue publishing, please remove it or upload a different image.

"You kept it," Jonah said from the doorway.

She did not answer.

Paid Stories Badge Paid Story
There are 12 more free parts
The Lighthouse Keeper's Daughter Where stories live. Discover now
"""


def _kinds(story: Story) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for n in story.nonstory:
        out.setdefault(n.kind, []).append(story.text[n.start : n.end])
    return out


@pytest.mark.parametrize(
    ("s", "n"), [("15.6K", 15600), ("385", 385), ("1.2M", 1_200_000), ("2k", 2000), ("0.5K", 500)]
)
def test_parse_count(s: str, n: int) -> None:
    assert parse_count(s) == n


def test_read_marks_all_debris() -> None:
    story = read(PAGE.encode(), SourceInfo(format="wattpad"))
    assert story.text == PAGE  # unchanged
    assert story.meta["platform"] == "wattpad"
    assert (story.meta["reads"], story.meta["votes"], story.meta["comments"]) == (2700, 50, 3)
    assert story.meta["chapter_title"] == "Chapter 7: The Letter"
    assert story.meta["title"] == "The Lighthouse Keeper's Daughter"
    kinds = _kinds(story)
    assert kinds["title"] == ["Chapter 7: The Letter"]
    assert kinds["wattpad_stats"] == ["2.7K 50 3"]
    assert kinds["wattpad_footer"] == ["The Lighthouse Keeper's Daughter Where stories live. Discover now"]
    assert kinds["wattpad_image_notice"][0].startswith("Oops! This image")
    assert kinds["wattpad_duplicate"] == ['"You kept it," Jonah said from the doorway.']
    assert kinds["wattpad_paid"] == ["Paid Stories Badge Paid Story"]
    assert kinds["wattpad_more_parts"] == ["There are 12 more free parts"]
    # The first occurrence of the duplicated line is story.
    first = PAGE.index('"You kept it,"')
    assert story.in_nonstory(first) is None
    assert story.source.encoding == "utf-8"


def test_footer_glued_to_title_without_space() -> None:
    story = read(
        b"Some story text.\n\nHis One Powerful Mate (Rewriting)Where stories live. Discover now", SourceInfo()
    )
    assert story.meta["title"] == "His One Powerful Mate (Rewriting)"
    assert _kinds(story)["wattpad_footer"] == [
        "His One Powerful Mate (Rewriting)Where stories live. Discover now"
    ]


def test_several_parts_pasted_together() -> None:
    text = "1.1K 20 4\n\nPart one text.\n\nALANAWhere stories live. Discover now\nPart Two\n95.3K 771 512\n\nMore text.\n"
    story = read(text.encode(), SourceInfo())
    assert story.meta["reads"] == 1100
    assert [p["reads"] for p in story.meta["parts"]] == [1100, 95300]
    assert story.meta["parts"][1]["chapter_title"] == "Part Two"


def test_stats_pattern_deep_in_the_body_is_story() -> None:
    text = "1.1K 20 4\n\nA\n\nB\n\nC\n\n1 2 3\n"
    story = read(text.encode(), SourceInfo())
    assert _kinds(story)["wattpad_stats"] == ["1.1K 20 4"]


def test_detect() -> None:
    assert detect(b"15.6K 385 42\n\nText")
    assert detect(b"Title\n  2.7K 50 3  \nText")
    assert detect(b"Text\nALANAWhere stories live. Discover now")
    assert detect("Text\nALANAWhere stories live. Discover now".encode("utf-16"))
    assert not detect(b"Just a story.\nWith lines.\n")
    assert not detect(b"One.\nTwo.\nThree.\nFour.\n1 2 3\n")


def test_sniff_and_load_pick_wattpad() -> None:
    assert sniff(PAGE.encode(), "page.txt") == "wattpad"
    assert sniff(PAGE.encode(), None) == "wattpad"
    assert sniff(PAGE.encode(), "page.md") == "markdown"
    story = load(PAGE)
    assert story.source.format == "wattpad"


def test_real_seed() -> None:
    path = need(SEEDS / "002_5905779a0c223e00.txt")
    story = load(path)
    assert story.source.format == "wattpad"
    assert story.meta["reads"] == 15600
    assert story.meta["votes"] == 385
    assert story.meta["comments"] == 42
    assert story.meta["title"] == "ALANA"
    kinds = _kinds(story)
    assert kinds["wattpad_stats"] == ["15.6K 385 42"]
    assert kinds["wattpad_footer"] == ["ALANAWhere stories live. Discover now"]
    assert story.text == path.read_text(encoding="utf-8").replace("\r\n", "\n")
