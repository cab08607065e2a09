"""Gold alignment: how fabula's characters and quotations are matched to a ``GoldNovel``'s (names compared
loosely; a gold sub-span goes to the quotation overlapping it most), and a story built on the gold quotations."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence

from fabula.api import analyze
from fabula.corpora.novels import GoldNovel
from fabula.story import Character, Quote, Story

_MARKS = "\"“”‘’'«»`"


def norm_name(s: str) -> str:
    """Names compared case-, punctuation- and article-insensitively (``Mr. Darcy`` = ``mr darcy``, ``a girl`` =
    ``the girl``)."""
    out = re.sub(r"\s+", " ", re.sub(r"[.\u2019'’,_]", "", s.lower())).strip()
    return re.sub(r"^(?:the|an|a) ", "", out)


def char_names(c: Character | None) -> set[str]:
    """A predicted character's normalised names (name and aliases), pronouns and "the narrator" left out."""
    if c is None:
        return set()
    return {norm_name(n) for n in (c.name, *c.aliases) if n} - {"i", "he", "she", "the narrator", ""}


def gold_names(nov: GoldNovel, who: str | None) -> set[str]:
    """The normalised names of the gold character ``who`` (narrator markers left out)."""
    return {norm_name(n) for n in nov.names_of(who)} - {"", "_narr", "narr"}


def overlap_finder(quotes: Sequence[Quote]) -> Callable[[int, int], Quote | None]:
    """A lookup from a gold sub-span ``(a, b)`` to the quotation whose sub-span overlaps it most (None if none
    does): how end-to-end mode matches gold quotations to fabula's own."""
    spans = sorted((a, b, q) for q in quotes for a, b in q.spans)
    starts = [s[0] for s in spans]

    def best(a: int, b: int) -> Quote | None:
        i = bisect.bisect_left(starts, b) - 1
        out, out_ov = None, 0
        while i >= 0 and spans[i][1] > a - 2000:
            s, e, q = spans[i]
            ov = min(e, b) - max(s, a)
            if ov > out_ov:
                out, out_ov = q, ov
            i -= 1
        return out

    return best


def story_with_gold_quotes(nov: GoldNovel) -> Story:
    """Segment the novel's text, then put the gold quotation spans in place of detected quotations."""
    story = analyze(nov.text.encode("utf-8"), input_format="text", upto="segment")
    text = story.text
    quotes = []
    for i, g in enumerate(sorted(nov.quotes, key=lambda q: q.spans[0][0])):
        spans = sorted((int(a), int(b)) for a, b in g.spans)
        a, b = spans[0][0], spans[-1][1]
        o0 = a - 1 if a > 0 and text[a - 1] in _MARKS else a
        o1 = b + 1 if b < len(text) and text[b] in _MARKS else b
        quotes.append(Quote(id=i, spans=spans, outer=(o0, o1)))
    story.quotes = quotes
    story.done.append("quotes")
    return story
