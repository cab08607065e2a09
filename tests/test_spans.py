"""SpanIndex agrees with a linear scan on any set of spans."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from fabula.spans import SpanIndex

_spans = st.lists(st.tuples(st.integers(0, 200), st.integers(0, 30)).map(lambda t: (t[0], t[0] + t[1])), max_size=30)


def _disjoint(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if a < b and (not out or a >= out[-1][1]):
            out.append((a, b))
    return out


@given(_spans, st.integers(-5, 240), st.integers(0, 40))
def test_within_and_overlapping_match_a_scan(spans: list[tuple[int, int]], a: int, width: int) -> None:
    b = a + width
    ix = SpanIndex((s, e, (s, e)) for s, e in spans)
    assert ix.within(a, b) == sorted((s, e) for s, e in spans if a <= s < b)
    assert ix.overlapping(a, b) == sorted((s, e) for s, e in spans if s < b and e > a)


@given(_spans, st.integers(-5, 240))
def test_containing_finds_the_span_holding_a_position(spans: list[tuple[int, int]], pos: int) -> None:
    rows = _disjoint(spans)
    ix = SpanIndex.of(rows)
    hit = [i for i, (s, e) in enumerate(rows) if s <= pos < e]
    assert ix.containing(pos) == (hit[0] if hit else -1)
    assert ix.at(pos) == (hit[0] if hit else None)
    assert len(ix) == len(rows)


def test_ties_keep_the_given_order() -> None:
    ix = SpanIndex([(3, 5, "b"), (0, 2, "a"), (3, 5, "c")])
    assert list(ix) == [(0, 2, "a"), (3, 5, "b"), (3, 5, "c")]
    assert ix.before(4) == 2 and ix.before(-1) == -1


def test_insert_keeps_the_order_and_the_overlap_reach() -> None:
    idx = SpanIndex([(0, 2, "a"), (10, 12, "c")])
    idx.insert(5, 9, "b")
    idx.insert(10, 11, "d")  # after the span that starts where it starts
    assert idx.within(0, 20) == ["a", "b", "c", "d"]
    assert idx.overlapping(8, 9) == ["b"]  # a 4-long span is still reached
