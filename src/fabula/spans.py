"""One span index for every stage: sorted ``[start, end)`` ranges with payloads, looked up by binary search.

``containing(pos)`` finds the span holding a position (spans assumed not to nest, as paragraphs, sentences,
tokens and quotations do not), ``within(a, b)`` the spans that start in a range, ``overlapping(a, b)`` the spans
that share at least one code point with it.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from operator import sub
from typing import Generic, TypeVar

T = TypeVar("T")


class SpanIndex(Generic[T]):
    """Spans ``(start, end, item)`` sorted by ``(start, end)``; ties keep the order they were given in."""

    __slots__ = ("_max_len", "ends", "items", "starts")

    def __init__(self, spans: Iterable[tuple[int, int, T]]) -> None:
        rows = sorted(spans, key=lambda s: (s[0], s[1]))
        self._set([s for s, _, _ in rows], [e for _, e, _ in rows], [x for _, _, x in rows])

    def _set(self, starts: list[int], ends: list[int], items: list[T]) -> None:
        self.starts = starts
        self.ends = ends
        self.items = items
        self._max_len = max(map(sub, ends, starts), default=0)

    @classmethod
    def of(cls, ranges: Iterable[tuple[int, int]]) -> SpanIndex[int]:
        """An index of bare ranges whose items are their positions in the sorted order (sorted once: the
        ranges sorted by ``(start, end)`` are in the index's order already)."""
        rows = sorted((a, b) for a, b in ranges)
        out: SpanIndex[int] = SpanIndex.__new__(SpanIndex)
        out._set([a for a, _ in rows], [b for _, b in rows], list(range(len(rows))))
        return out

    def insert(self, start: int, end: int, item: T) -> None:
        """Add one span in its place (after the spans that start where it starts)."""
        k = bisect_right(self.starts, start)
        self.starts.insert(k, start)
        self.ends.insert(k, end)
        self.items.insert(k, item)
        self._max_len = max(self._max_len, end - start)

    def __len__(self) -> int:
        return len(self.starts)

    def __iter__(self) -> Iterator[tuple[int, int, T]]:
        return zip(self.starts, self.ends, self.items, strict=True)

    def containing(self, pos: int) -> int:
        """Index of the last span starting at or before ``pos`` if it also ends after it, else -1."""
        i = bisect_right(self.starts, pos) - 1
        return i if i >= 0 and pos < self.ends[i] else -1

    def at(self, pos: int) -> T | None:
        """The item of the span containing ``pos`` (see :meth:`containing`), or None."""
        i = self.containing(pos)
        return self.items[i] if i >= 0 else None

    def before(self, pos: int) -> int:
        """Index of the last span starting at or before ``pos`` (-1 if none), whether or not it holds ``pos``."""
        return bisect_right(self.starts, pos) - 1

    def within(self, a: int, b: int) -> list[T]:
        """Items of the spans that start in ``[a, b)``, in order."""
        return self.items[bisect_left(self.starts, a) : bisect_left(self.starts, b)]

    def overlapping(self, a: int, b: int) -> list[T]:
        """Items of the spans that share a code point with ``[a, b)``, in order."""
        lo = bisect_left(self.starts, a - self._max_len)
        hi = bisect_left(self.starts, b)
        return [self.items[i] for i in range(lo, hi) if self.ends[i] > a and self.starts[i] < b]


def trim_span(text: str, a: int, b: int) -> tuple[int, int]:
    """``[a, b)`` without the white space at its ends."""
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def overlapping_count(xs: list[tuple[int, int]], ys: list[tuple[int, int]]) -> tuple[int, list[tuple[int, int]]]:
    """How many spans of ``xs`` overlap a span of ``ys`` (both sorted), and the ones that do not."""
    hit, missing, j = 0, [], 0
    for a, b in xs:
        while j < len(ys) and ys[j][1] <= a:
            j += 1
        k, found = j, False
        while k < len(ys) and ys[k][0] < b:
            if ys[k][1] > a:
                found = True
                break
            k += 1
        if found:
            hit += 1
        else:
            missing.append((a, b))
    return hit, missing
