"""BookNLP-compatible TSV tables: headers, column counts, token ids and offsets, the writer."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from fabula.story import Mention, Quote, Span, Story
from fabula.writers.tsv import (
    CHARACTER_COLUMNS,
    ENTITY_COLUMNS,
    QUOTE_COLUMNS,
    SUFFIXES,
    TOKEN_COLUMNS,
    tables,
    write_tables,
)

from .conftest import build_full, find

BOOKNLP_TOKENS = (
    "paragraph_ID\tsentence_ID\ttoken_ID_within_sentence\ttoken_ID_within_document\tword\tlemma\t"
    "byte_onset\tbyte_offset\tPOS_tag\tfine_POS_tag\tdependency_relation\tsyntactic_head_ID\tevent"
)
BOOKNLP_QUOTES = "quote_start\tquote_end\tmention_start\tmention_end\tmention_phrase\tchar_id\tquote"
BOOKNLP_ENTITIES = "COREF\tstart_token\tend_token\tprop\tcat\ttext"


def rows(content: str) -> list[list[str]]:
    assert content.endswith("\n")
    return [line.split("\t") for line in content[:-1].split("\n")]


def test_headers_match_booknlp() -> None:
    t = tables(build_full())
    assert list(t) == list(SUFFIXES)
    assert t[".tokens"].split("\n")[0] == BOOKNLP_TOKENS
    assert t[".quotes"].split("\n")[0].startswith(BOOKNLP_QUOTES + "\t")
    assert t[".entities"].split("\n")[0].startswith(BOOKNLP_ENTITIES + "\t")
    assert rows(t[".characters.tsv"])[0] == list(CHARACTER_COLUMNS)


def test_every_row_has_the_header_width() -> None:
    t = tables(build_full())
    for suffix, columns in zip(SUFFIXES, (TOKEN_COLUMNS, QUOTE_COLUMNS, ENTITY_COLUMNS, CHARACTER_COLUMNS),
                               strict=True):
        table = rows(t[suffix])
        assert len(table) > 1
        assert all(len(r) == len(columns) for r in table), suffix


def test_tokens_carry_offsets_and_ids() -> None:
    story = build_full()
    table = rows(tables(story)[".tokens"])[1:]
    assert len(table) == len(story.tokens)
    prev_sent = None
    for i, r in enumerate(table):
        para, sent, within, doc_id, word, _lemma, s, e = r[:8]
        assert int(doc_id) == i
        assert story.text[int(s) : int(e)] == word
        assert int(para) == int(sent)  # the fixture has one sentence per paragraph
        if sent != prev_sent:
            assert within == "0"
        prev_sent = sent
        assert r[8:] == ["_"] * 5


def test_quotes_use_token_ids_and_find_the_tag() -> None:
    story = build_full()
    toks = story.tokens
    table = [dict(zip(QUOTE_COLUMNS, r, strict=True)) for r in rows(tables(story)[".quotes"])[1:]]
    assert len(table) == sum(len(q.spans) for q in story.quotes)  # one row per sub-span, as BookNLP
    first = table[0]
    assert first["quote"] == "I want to leave,"
    qs, qe = toks[int(first["quote_start"])][0], toks[int(first["quote_end"])][1]
    assert story.text[qs:qe] == "I want to leave,"
    assert (first["quote_id"], first["start_char"]) == ("0", str(find(story.text, "I want")[0]))
    # The tag between the two sub-spans ("she said") beats the name earlier in the paragraph.
    assert first["mention_phrase"] == "she" and first["char_id"] == "alana"
    assert toks[int(first["mention_start"])][0] == find(story.text, "she")[0]
    no = next(r for r in table if r["quote"] == "No.")
    # "Ares" inside Alana's quotation is not the tag; "Ares folded his arms" is.
    assert no["mention_phrase"] == "Ares"
    assert toks[int(no["mention_start"])][0] == find(story.text, "Ares", 1)[0]
    assert no["addressees"] == "alana" and no["type"] == "implicit" and no["confidence"] == "0.710"


def test_entities_from_mentions() -> None:
    story = build_full()
    table = rows(tables(story)[".entities"])[1:]
    assert [r[0] for r in table] == [m.character for m in sorted(story.mentions, key=lambda m: m.start)]
    assert {r[3] for r in table} == {"PROP", "PRON"}
    assert all(r[4] == "PER" for r in table)
    for r in table:
        assert story.text[int(r[6]) : int(r[7])] == r[5]


def test_cells_never_break_the_table() -> None:
    text = 'He said, "one\ttwo\nthree" and\tleft.'
    story = Story(text=text, quotes=[Quote(0, [(10, 23)], None)], mentions=[Mention(0, 2, None, "pronoun")])
    t = tables(story)
    q = rows(t[".quotes"])
    assert len(q) == 2 and len(q[1]) == len(QUOTE_COLUMNS)
    assert q[1][6] == "one two three"
    assert q[1][:6] == ["-1", "-1", "-1", "-1", "_", "_"]  # no tokens, no speaker
    assert rows(t[".entities"])[1][0] == "_"


def test_bare_story_gives_headers_only(bare: Story) -> None:
    for content in tables(bare).values():
        assert content.count("\n") == 1


def test_write_tables(tmp_path: Path) -> None:
    paths = write_tables(build_full(), tmp_path / "out", "door")
    assert sorted(p.name for p in paths) == sorted(f"door{s}" for s in SUFFIXES)
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == sorted(p.name for p in paths)  # no temp files left
    assert (tmp_path / "out" / "door.tokens").read_text(encoding="utf-8").startswith("paragraph_ID\t")


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=120), st.data())
def test_column_counts_on_any_text(text: str, data: st.DataObject) -> None:
    n = len(text)
    cut = st.integers(0, n)
    story = Story(text=text)
    pos = 0
    while pos < n:  # tokens: random runs of non-space characters
        end = min(n, pos + data.draw(st.integers(1, 5)))
        story.tokens.append((pos, end))
        pos = end + data.draw(st.integers(0, 2))
    a, b = sorted((data.draw(cut), data.draw(cut)))
    story.sentences = [Span(a, b)]
    story.paragraphs = [Span(0, n)]
    story.quotes = [Quote(0, [(a, b)], "c1", ["c2"])]
    story.mentions = [Mention(b, n, "c1")]
    for suffix, columns in zip(SUFFIXES, (TOKEN_COLUMNS, QUOTE_COLUMNS, ENTITY_COLUMNS, CHARACTER_COLUMNS),
                               strict=True):
        assert all(len(r) == len(columns) for r in rows(tables(story)[suffix])), suffix
