"""Attribution evaluation: strict and lenient scoring on a toy novel, the sealed split, and a floor on two open
PDNC novels (skipped without data)."""

from __future__ import annotations

from pathlib import Path

from fabula.corpora.novels import GoldCharacter, GoldNovel, GoldQuote, load_pdnc, pieces
from fabula.eval import attribution as ev
from tests.conftest import DATA, need
from tests.test_cli import fabula

TOY = 'Anna looked at Tom.\n\n"You are late," she said.\n\n"The train was slow," said Tom.\n'


def _toy() -> GoldNovel:
    a = TOY.index("You are late")
    b = TOY.index("The train")
    quotes = [
        GoldQuote("Q0", [(a, a + len("You are late,"))], "Anna", ["Tom"], "anaphoric"),
        GoldQuote("Q1", [(b, b + len("The train was slow,"))], "Tom", ["Anna"], "explicit"),
    ]
    chars = [GoldCharacter("0", "Anna", {"Anna", "Miss Anna"}), GoldCharacter("1", "Tom", {"Tom"})]
    return GoldNovel("toy", TOY, quotes, chars)


def test_score_toy_end_to_end_and_gold_quotes() -> None:
    for gold in (False, True):
        nov = _toy()
        res = ev.score_novel(nov, ev.analyse_novel(nov, gold_quotes=gold))
        assert res["speaker"] == {"n": 2, "correct": 2, "accuracy": 1.0}
        assert res["addressee"]["accuracy"] == 1.0
        assert res["by_type"]["explicit"]["accuracy"] == 1.0
    report = ev.summarise([res], "toy", "gold-quotes")
    assert report["overall"]["speaker"]["accuracy"] == 1.0
    text = ev.format_report(report)
    assert "OVERALL" in text and "toy" in text


def test_a_group_line_is_right_when_fabula_names_no_one_and_types_it_group() -> None:
    nov = _toy()
    story = ev.analyse_novel(nov, gold_quotes=True)
    nov.quotes[1].speaker = "_group"  # "The train was slow," said several voices
    assert ev.score_novel(nov, story)["speaker"]["correct"] == 1  # fabula gave it to Tom: wrong
    story.quotes[1].speaker, story.quotes[1].type = None, "group"
    assert ev.score_novel(nov, story)["speaker"]["correct"] == 2
    story.quotes[1].type = "implicit"  # no speaker, but not said to be a group: still wrong
    assert ev.score_novel(nov, story)["speaker"]["correct"] == 1


def test_name_matching_is_lenient_on_punctuation_and_articles() -> None:
    assert ev.norm_name("Mr. Darcy") == ev.norm_name("mr darcy")
    assert ev.norm_name("A Girl") == ev.norm_name("the girl") == "girl"
    assert ev.norm_name("Anne") == "anne" and ev.norm_name("Theodore") == "theodore"


def test_strict_scoring_is_wrong_for_a_merged_character_lenient_is_not() -> None:
    nov = _toy()
    story = ev.analyse_novel(nov, gold_quotes=True)
    anna = next(c for c in story.characters if c.name == "Anna")
    tom = next(c for c in story.characters if c.name == "Tom")
    for q in story.quotes:
        q.speaker, q.addressees = anna.id, [tom.id]
    anna.aliases = [*anna.aliases, "Tom"]  # one predicted character for two people
    assert ev.score_novel(nov, story)["speaker"]["correct"] == 1
    assert ev.score_novel(nov, story, strict=False)["speaker"]["correct"] == 2


def test_sealed_novels_only_as_an_aggregate() -> None:
    res = ev.score_novel(_toy(), ev.analyse_novel(_toy(), gold_quotes=True))
    report = ev.split_sealed([res, {**res, "novel": "Persuasion"}], "pdnc", "gold-quotes, strict")
    assert [r["novel"] for r in report["novels"]] == ["toy"]
    assert report["sealed"]["speaker"]["n"] == 2 and report["overall"]["speaker"]["n"] == 4
    assert all(nv != "Persuasion" for nv, *_ in report["confusions"])
    text = ev.format_report(report)
    assert "SEALED (1 novels)" in text and "Persuasion" not in text


def test_pdnc_floor() -> None:
    root = need(DATA / "pdnc-dev")  # open (not sealed) novels only: sealed figures are read as one aggregate
    novels = list(load_pdnc(root, ["PrideAndPrejudice", "TheGambler"]))
    res = ev.summarise([ev.score_novel(n, ev.analyse_novel(n)) for n in novels], "pdnc", "end-to-end")
    by = {r["novel"]: r for r in res["novels"]}
    assert by["PrideAndPrejudice"]["speaker"]["accuracy"] >= 0.65
    assert by["TheGambler"]["speaker"]["accuracy"] >= 0.65
    assert by["TheGambler"]["narrator"]["accuracy"] >= 0.85


def _two_scenes() -> GoldNovel:
    """Two scenes of the toy (Anna and Tom), one after the other."""
    text = TOY + "\n" + TOY
    quotes = []
    for k, base in enumerate((0, len(TOY) + 1)):
        a, b = base + TOY.index("You are late"), base + TOY.index("The train")
        quotes += [
            GoldQuote(f"Q{2 * k}", [(a, a + len("You are late,"))], "Anna", ["Tom"], "anaphoric"),
            GoldQuote(f"Q{2 * k + 1}", [(b, b + len("The train was slow,"))], "Tom", ["Anna"], "explicit"),
        ]
    return GoldNovel("two", text, quotes, _toy().characters)


def test_pieces_cut_at_paragraph_breaks_outside_quotations_and_keep_every_quotation() -> None:
    nov = _two_scenes()
    parts = pieces(nov, 10)
    assert [p.name for p in parts] == ["two#0", "two#1"]
    assert "".join(p.text for p in parts) == nov.text
    assert sum(len(p.quotes) for p in parts) == len(nov.quotes)
    for p in parts:
        for q in p.quotes:
            (a, b) = q.spans[0]
            assert p.text[a:b] in ("You are late,", "The train was slow,")
    assert len(pieces(nov, 10_000)) == 1  # shorter than one piece: the whole text


def test_a_novel_read_in_pieces_sums_the_pieces_scores() -> None:
    nov = _two_scenes()
    parts = pieces(nov, 10)
    rows = [ev.score_novel(p, ev.analyse_novel(p)) for p in parts]
    row = ev.merge_rows("two", rows)
    assert row["novel"] == "two" and row["pieces"] == 2
    assert row["speaker"]["n"] == 4 and row["speaker"]["correct"] == sum(r["speaker"]["correct"] for r in rows)
    assert row["by_type"]["explicit"]["n"] == 2


def test_cli_pieces_cannot_go_with_folds(tmp_path: Path) -> None:
    res = fabula("eval", "pdnc", str(tmp_path), "--pieces", "2000", "--folds", "5")
    assert res.returncode == 2 and "--pieces with --folds" in res.stderr.decode()
