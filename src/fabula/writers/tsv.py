"""BookNLP-compatible tab-separated tables: tokens, quotes, entities, characters.

Files are joined on token ids as in BookNLP. Differences from BookNLP (documented in ``docs/schema.md``):
``byte_onset``/``byte_offset`` are code-point offsets into ``Story.text`` (BookNLP's are too, despite the
name); columns fabula does not compute (lemma, POS, dependencies, events) hold ``_``; character ids are
fabula's string ids (``_`` where unknown); token ids are ``-1`` where a span covers no token; extra columns
with our character offsets follow BookNLP's. Cells never contain tabs or line breaks (they become spaces).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from fabula.io import atomic_write
from fabula.spans import SpanIndex
from fabula.story import Mention, Quote, Story

TOKEN_COLUMNS = (
    "paragraph_ID", "sentence_ID", "token_ID_within_sentence", "token_ID_within_document", "word", "lemma",
    "byte_onset", "byte_offset", "POS_tag", "fine_POS_tag", "dependency_relation", "syntactic_head_ID",
    "event",
)
QUOTE_COLUMNS = (
    "quote_start", "quote_end", "mention_start", "mention_end", "mention_phrase", "char_id", "quote",
    "quote_id", "start_char", "end_char", "addressees", "type", "confidence",
)
ENTITY_COLUMNS = ("COREF", "start_token", "end_token", "prop", "cat", "text", "start_char", "end_char")
CHARACTER_COLUMNS = ("id", "name", "aliases", "gender", "mentions", "quotes", "narrator", "person")
SUFFIXES = (".tokens", ".quotes", ".entities", ".characters.tsv")

NA = "_"
_PROP = {"name": "PROP", "pronoun": "PRON", "nominal": "NOM", "narrator": "PRON"}
_MENTION_WINDOW = 250  # code points around a quote searched for its speaker's mention


def cell(value: object) -> str:
    """A TSV cell: ``_`` for None/empty, whitespace controls turned into spaces."""
    if value is None:
        return NA
    s = str(value)
    if not s:
        return NA
    if "\t" in s or "\n" in s or "\r" in s:
        s = s.replace("\r\n", " ").replace("\t", " ").replace("\n", " ").replace("\r", " ")
    return s


def _table(columns: Sequence[str], rows: list[list[object]]) -> str:
    lines = ["\t".join(columns)]
    lines.extend("\t".join(cell(v) for v in row) for row in rows)
    return "\n".join(lines) + "\n"


class _Layers(NamedTuple):
    """Tokens, sentences and paragraphs, each indexed once; an item is the span's number in its layer."""

    tokens: SpanIndex[int]
    sentences: SpanIndex[int]
    paragraphs: SpanIndex[int]


def _layers(story: Story) -> _Layers:
    return _Layers(
        SpanIndex.of(story.tokens),
        SpanIndex.of((s.start, s.end) for s in story.sentences),
        SpanIndex.of((p.start, p.end) for p in story.paragraphs),
    )


def token_range(tokens: SpanIndex[int], start: int, end: int) -> tuple[int, int]:
    """First and last (inclusive) token overlapping ``[start, end)``; ``(-1, -1)`` if none."""
    first = bisect_right(tokens.ends, start)  # tokens do not overlap, so their ends are sorted too
    last = bisect_left(tokens.starts, end) - 1
    return (first, last) if first <= last else (-1, -1)


def paragraph_bounds(paras: SpanIndex[int], start: int, end: int) -> tuple[int, int]:
    """From the start of the paragraph holding ``start`` to the end of the one holding ``end - 1``
    (the whole text when there are no paragraphs)."""
    if not len(paras):
        return 0, 2**62
    i, j = paras.containing(start), paras.containing(max(start, end - 1))
    return (paras.starts[i] if i >= 0 else start), (paras.ends[j] if j >= 0 else end)


def tokens_table(story: Story, index: _Layers | None = None) -> str:
    """``<stem>.tokens``: one row per token, BookNLP's 13 columns (built as strings, for speed)."""
    ix = index or _layers(story)
    text = story.text
    lines = ["\t".join(TOKEN_COLUMNS)]
    rest = "\t".join([NA] * 5)
    prev_sent, within = -2, 0
    for i, (s, e, _) in enumerate(ix.tokens):
        sent = ix.sentences.containing(s)
        within = within + 1 if sent == prev_sent else 0
        prev_sent = sent
        word = text[s:e]
        if not word or "\t" in word or "\n" in word or "\r" in word:
            word = cell(word)
        ws = within if sent >= 0 else -1
        lines.append(f"{ix.paragraphs.containing(s)}\t{sent}\t{ws}\t{i}\t{word}\t{NA}\t{s}\t{e}\t{rest}")
    return "\n".join(lines) + "\n"


def _speaker_mention(
    q: Quote, by_char: dict[str, list[Mention]], quote_spans: list[tuple[int, int]], bounds: tuple[int, int]
) -> Mention | None:
    """The speaker's mention nearest the quote (inside its tags first), outside any quotation, within
    ``bounds`` (the quote's paragraphs) and ``_MENTION_WINDOW`` code points."""
    if q.speaker is None or q.speaker not in by_char:
        return None
    ms = by_char[q.speaker]
    starts = [m.start for m in ms]
    lo = bisect_left(starts, max(q.start - _MENTION_WINDOW, bounds[0]))
    hi = bisect_right(starts, min(q.end + _MENTION_WINDOW, bounds[1]))
    best: tuple[int, int] | None = None
    best_m: Mention | None = None
    for m in ms[lo:hi]:
        i = bisect_right(quote_spans, (m.start, 2**62)) - 1
        if i >= 0 and quote_spans[i][0] <= m.start < quote_spans[i][1]:
            continue  # a mention inside a quotation names someone, it does not tag the speaker
        if m.end > bounds[1]:
            continue
        if q.start <= m.start < q.end:
            dist = 0  # in the tag between two sub-spans
        elif m.end <= q.start:
            dist = q.start - m.end
        else:
            dist = m.start - q.end
        key = (dist, 0 if m.start >= q.end else 1)  # ties: a tag after the quote wins
        if best is None or key < best:
            best, best_m = key, m
    return best_m


def quotes_table(story: Story, index: _Layers | None = None) -> str:
    """``<stem>.quotes``: one row per quoted sub-span (BookNLP's unit), grouped by ``quote_id``."""
    ix = index or _layers(story)
    by_char: dict[str, list[Mention]] = {}
    for m in sorted(story.mentions, key=lambda m: m.start):
        if m.character is not None:
            by_char.setdefault(m.character, []).append(m)
    quote_spans = sorted((s, e) for q in story.quotes for s, e in q.spans)
    rows: list[list[object]] = []
    for q in story.quotes:
        sm = _speaker_mention(q, by_char, quote_spans, paragraph_bounds(ix.paragraphs, q.start, q.end))
        ms, me = token_range(ix.tokens, sm.start, sm.end) if sm is not None else (-1, -1)
        phrase = story.text[sm.start : sm.end] if sm is not None else None
        for s, e in q.spans:
            ts, te = token_range(ix.tokens, s, e)
            rows.append([
                ts, te, ms, me, phrase, q.speaker, story.text[s:e],
                q.id, s, e, ";".join(q.addressees), q.type, f"{q.confidence:.3f}",
            ])
    return _table(QUOTE_COLUMNS, rows)


def entities_table(story: Story, index: _Layers | None = None) -> str:
    """``<stem>.entities``: one row per character mention (``cat`` is always PER)."""
    ix = index or _layers(story)
    rows: list[list[object]] = []
    for m in sorted(story.mentions, key=lambda m: (m.start, m.end)):
        ts, te = token_range(ix.tokens, m.start, m.end)
        phrase = story.text[m.start : m.end]
        rows.append([m.character, ts, te, _PROP.get(m.kind, NA), "PER", phrase, m.start, m.end])
    return _table(ENTITY_COLUMNS, rows)


def characters_table(story: Story) -> str:
    """``<stem>.characters.tsv``: the cast; aliases joined with ``;``; ``person`` the person model's probability
    to three places (``_`` when no decision was made)."""
    rows: list[list[object]] = [
        [
            c.id, c.name, ";".join(c.aliases), c.gender, c.mentions, c.quotes, str(c.narrator).lower(),
            NA if c.person is None else f"{c.person:.3f}",
        ]
        for c in story.characters
    ]
    return _table(CHARACTER_COLUMNS, rows)


def tables(story: Story) -> dict[str, str]:
    """All four tables keyed by file suffix: ``.tokens``, ``.quotes``, ``.entities``, ``.characters.tsv``."""
    ix = _layers(story)
    return {
        ".tokens": tokens_table(story, ix),
        ".quotes": quotes_table(story, ix),
        ".entities": entities_table(story, ix),
        ".characters.tsv": characters_table(story),
    }


def write_tables(story: Story, out_dir: Path, stem: str) -> list[Path]:
    """Write ``<stem>.tokens`` etc. into ``out_dir``, each atomically; returns the paths written."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for suffix, content in tables(story).items():
        path = out_dir / f"{stem}{suffix}"
        atomic_write(path, content)
        paths.append(path)
    return paths
