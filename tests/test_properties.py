"""Invariants over arbitrary input: nothing crashes, every span round-trips, layers stay inside the text."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fabula.api import analyze
from fabula.errors import InputError
from fabula.readers.text import normalise
from fabula.story import Story

QUOTEY = st.text(alphabet=st.sampled_from(list("ab \n\"“”‘’'«»—-_*.!?,IheSaid\t")), max_size=400)


def _check(story: Story) -> None:
    n = len(story.text)
    for layer in (story.paragraphs, story.sentences, story.scenes, story.thoughts, story.italics):
        for s in layer:
            assert 0 <= s.start <= s.end <= n
    for a, b in story.tokens:
        assert 0 <= a < b <= n
    for sec in story.sections:
        assert 0 <= sec.start <= sec.end <= n
    for ns in story.nonstory:
        assert 0 <= ns.start <= ns.end <= n
    for q in story.quotes:
        assert q.spans and all(0 <= a < b <= n for a, b in q.spans)
        assert all(q.spans[i][1] <= q.spans[i + 1][0] for i in range(len(q.spans) - 1))
        assert story.text[q.start : q.end].startswith(story.text[q.spans[0][0] : q.spans[0][1]])


def _analyze(text: str) -> Story | None:
    try:
        return analyze(text.encode("utf-8"), input_format="text", upto="quotes")
    except InputError as exc:
        # a leading byte-order mark is no text (the decoder drops it): "\ufeff" alone is an empty story
        assert not normalise(text).removeprefix("\ufeff").strip() or "binary" in str(exc)
        return None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=600))
def test_any_unicode_string(text: str) -> None:
    story = _analyze(text)
    if story is not None:
        _check(story)


@settings(max_examples=200, deadline=None)
@given(QUOTEY)
def test_quote_heavy_strings(text: str) -> None:
    story = _analyze(text)
    if story is not None:
        _check(story)


def test_only_quotes() -> None:
    story = analyze('"' * 1001 + "“" * 500 + "’" * 77, input_format="text", upto="quotes")
    _check(story)


def test_one_megabyte_single_line() -> None:
    text = ('He said "yes" and she said "no" ' * 40_000)[:1_000_000]
    story = analyze(text, input_format="text", upto="quotes")
    _check(story)
    assert len(story.paragraphs) == 1


def test_text_is_decoded_source_not_altered() -> None:
    text = "Line one.\n“Quoted,” she said.\n"
    story = analyze(text.encode("utf-8"), input_format="text", upto="quotes")
    assert story.text == text
