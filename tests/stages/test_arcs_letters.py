"""A chapter of letters still has an arc, and each letter joins its writer's arc (issue 19)."""

from __future__ import annotations

from fabula.api import analyze

WRAP = (
    "The harbour was quiet that evening and the lamps burned low along the wall,\n"
    "while the boats knocked softly together in the dark water below the steps.\n\n"
)
TEXT = (
    "CHAPTER I\n\n" + WRAP + '"Good morning, Tom," said Nell Hollis. "The boats are out early."\n\n'
    '"They are," said Tom Marsh. "I am glad of it."\n\n' + WRAP + "CHAPTER II\n\n"
    "Beacon Row, Tuesday.\n\n"
    '"Dear Tom,"\n\n'
    '"I am so unhappy that I can hardly hold the pen. The boat is lost and my brother is gone with it, '
    'and I am afraid, terribly afraid, that he will never come home. Everything is grief and fear here."\n\n'
    '"Your wretched friend,"\n\n"Nell."\n\n'
    '"Dear Nell,"\n\n'
    '"What wonderful news came this morning! Your brother is safe and well, and we are all so happy. '
    'I laughed with joy when I heard it."\n\n"Your loving friend,"\n\n"Tom."\n'
)


def test_a_chapter_of_letters_has_an_arc_and_the_writers_get_theirs() -> None:
    story = analyze(TEXT, input_format="text")
    letters = [q for q in story.quotes if q.type == "written"]
    assert letters and all(q.speaker is None and not q.said and q.emotion is None for q in letters)
    assert story.arcs is not None
    assert story.arcs.chapters[-1].n >= 2  # the letters' sentences are scored as the text the reader reads
    names = {c.id: c.name for c in story.characters}
    nell = next(cid for cid, n in names.items() if n.startswith("Nell"))
    tom = next(cid for cid, n in names.items() if n.startswith("Tom"))
    by_id = story.arcs.characters
    assert by_id[nell].narration >= 2 and by_id[tom].narration >= 2  # each writer's letter joins their arc
    # Nell's grief is in her arc, Tom's joy in his: the letters went to the right writers.
    nell_pts = [o for o in (by_id[nell].offsets or []) if "unhappy" in story.text[o : o + 30]]
    tom_pts = [o for o in (by_id[tom].offsets or []) if "wonderful" in story.text[o : o + 30]]
    assert nell_pts and tom_pts
