"""Cast scoring and proper-name person detection on invented scenes; LitBank reading when the data is there."""

from __future__ import annotations

from pathlib import Path

from fabula.corpora.novels import GoldCharacter, GoldNovel, GoldQuote
from fabula.eval import characters as ev
from fabula.story import Character, Quote, Story
from tests.conftest import DATA, need
from tests.test_cli import fabula

SCENE = 'Anna met Tom at the Crown Inn.\n\n"You are late," said Anna.\n\n"Sorry," said Tom.\n'


def _gold() -> GoldNovel:
    a, b = SCENE.index("You are"), SCENE.index("Sorry")
    quotes = [GoldQuote("Q0", [(a, a + 13)], "Anna", ["Tom"]), GoldQuote("Q1", [(b, b + 6)], "Tom", ["Anna"])]
    chars = [
        GoldCharacter("0", "Anna Lee", {"Anna", "Miss Lee"}),
        GoldCharacter("1", "Tom Lee", {"Tom", "Mr. Lee"}),
        GoldCharacter("2", "Mrs. Lee", {"Mrs. Lee"}),
    ]
    return GoldNovel("scene", SCENE, quotes, chars)


def _story(chars: list[Character], speakers: list[str | None]) -> Story:
    quotes = [Quote(i, [(0, 1)], speaker=s) for i, s in enumerate(speakers)]
    return Story(text=SCENE, characters=chars, quotes=quotes)


def test_cast_counts_precision_recall_splits_merges() -> None:
    chars = [
        Character("a", "Anna", ["Miss Lee"]),
        Character("a2", "Miss Lee", []),  # a split of Anna
        Character("t", "Tom", ["Mrs. Lee"]),  # merges Tom and Mrs. Lee
        Character("inn", "Crown Inn", []),  # not a person
        Character("w", "the waiter", []),  # known by a description
    ]
    row = ev.score_cast(_gold(), _story(chars, ["a", "inn", "w"]))
    assert (row["gold"], row["speaking"], row["cast"], row["right"], row["found"]) == (3, 2, 5, 3, 2)
    assert (row["speaking_found"], row["quoted"], row["quoted_right"]) == (2, 3, 1)
    assert row["split_names"] == ["Anna Lee"] and row["merge_names"] == ["Tom"]
    assert (row["quoted_wrong_described"], row["quoted_wrong_named"]) == (1, 1)
    assert row["quoted_wrong_names"] == ["Crown Inn", "the waiter"]
    rates = ev.cast_rates(row)
    assert rates["precision"] == 0.6 and rates["recall"] == round(2 / 3, 4) and rates["quoted_precision"] == 0.3333
    summary = ev._split_summary([row, {**row, "novel": "Persuasion"}], {"Persuasion"})
    assert [r["novel"] for r in summary["novels"]] == ["scene"]  # sealed novels: aggregate only
    assert summary["sealed"]["cast"] == 5 and summary["all"]["novels"] == 2
    text = ev.format_report({"corpus": "toy", **summary})
    assert "SEALED (1 novels)" in text and "Persuasion" not in text
    assert "quoted, no gold character Crown Inn, the waiter" in text
    assert "sealed: 2 entries given a quotation are no gold character: 1 known by a description, 1 by a name" in text


def test_name_mentions_match_one_to_one_by_overlap() -> None:
    gold = [(0, 4), (9, 12), (20, 30)]
    pred = [(0, 4), (9, 11), (10, 12), (40, 44)]
    got = ev.score_names(gold, pred)
    assert got == {"gold_names": 3, "pred_names": 4, "exact": 1, "gold_hit": 2, "pred_hit": 2}
    rates = ev.person_rates(got)
    assert rates["precision"] == 0.5 and rates["recall"] == round(2 / 3, 4)
    assert ev._outermost([(0, 10), (0, 3), (5, 10), (12, 14)]) == [(0, 10), (12, 14)]


def test_litbank_gold_people_line_up_with_the_text() -> None:
    root = need(DATA / "litbank")
    doc = next(d for d in ev.load_litbank_people(root) if d.novel.name == "105_persuasion")
    names = {doc.novel.text[a:b] for a, b in doc.names}
    assert {"Anne", "Mary", "Sir Walter"} <= names
    assert any(c.name == "Sir Walter Elliot" and "Sir Walter" in c.aliases for c in doc.novel.characters)


def test_cli_characters_command_and_lenient_flag(tmp_path: Path) -> None:
    res = fabula("eval", "characters", "quoteli3", str(tmp_path))
    assert res.returncode == 2 and "supports pdnc and litbank" in res.stderr.decode()
    assert "--lenient" in fabula("eval", "pdnc", "--help").stdout.decode()


def test_over_seeds_reports_each_seed_and_the_spread() -> None:
    def run(p: float, r: float, f: float) -> dict[str, object]:
        names = {"gold_names": 10, "pred_names": 10, "exact": 8, "precision": p, "recall": r, "f1": f}
        summary = ev._split_summary([], set())
        return {"corpus": "litbank", **summary, "names": {**names, "exact_recall": 0.8}}

    out = ev.over_seeds([run(0.9, 0.8, 0.85), run(0.8, 0.9, 0.87), run(0.85, 0.85, 0.86)])
    assert out["names"]["f1"] == 0.85  # the rows are seed 0's
    assert [s["seed"] for s in out["seeds"]] == [0, 1, 2] and out["seeds"][1]["f1"] == 0.87
    assert out["seeds_summary"]["f1"] == {"mean": 0.86, "min": 0.85, "max": 0.87}
    assert out["seeds_summary"]["precision"]["mean"] == 0.85
    text = ev.format_report(out)
    assert "over 3 seeds of the person model:" in text and "f1 mean 0.860 (0.850–0.870)" in text


def test_cli_seeds_need_litbank_folds(tmp_path: Path) -> None:
    res = fabula("eval", "characters", "pdnc", str(tmp_path), "--seeds", "3")
    assert res.returncode == 2 and "--seeds applies to litbank with --folds" in res.stderr.decode()
    res = fabula("eval", "characters", "litbank", str(tmp_path), "--seeds", "3")
    assert res.returncode == 2 and "--seeds applies to litbank with --folds" in res.stderr.decode()
