"""Strict identity scoring and the sealed split, on invented gold lists (no corpus needed)."""

from __future__ import annotations

from pathlib import Path

from fabula.corpora.novels import GoldCharacter, GoldNovel, GoldQuote
from fabula.corpora.sealed import (
    SCENE_BATCHES,
    SEALED_PDNC_DEV,
    SEALED_SCENES,
    is_sealed,
    sealed_novels,
    sealed_scenes,
)
from fabula.eval.strict import GoldCast, StrictJudge
from fabula.story import Character

PDNC_DEV = (
    "ARoomWithAView AlicesAdventuresInWonderland AnneOfGreenGables DaisyMiller Emma HowardsEnd NightAndDay "
    "NorthangerAbbey Persuasion PrideAndPrejudice SenseAndSensibility TheAgeOfInnocence TheAwakening TheGambler "
    "TheInvisibleMan TheManWhoWasThursday TheMysteriousAffairAtStyles ThePictureOfDorianGray TheSportOfTheGods"
).split()


def _novel() -> GoldNovel:
    chars = [
        GoldCharacter("0", "John Reed", {"John", "Mr. Reed", "John Reed"}),
        GoldCharacter("1", "John Rivers", {"John", "St. John", "Mr. Rivers"}),
        GoldCharacter("2", "Jane", {"Jane", "Miss Eyre"}),
    ]
    quotes = [
        GoldQuote("Q0", [(0, 5)], "Mr. Reed", ["Jane"]),
        GoldQuote("Q1", [(10, 15)], "St. John", ["Miss Eyre"]),
        GoldQuote("Q2", [(20, 25)], "Bessie", []),
    ]
    return GoldNovel("toy", "x" * 30, quotes, chars)


def test_sealed_rule_is_pinned() -> None:
    assert tuple(sealed_novels(PDNC_DEV)) == SEALED_PDNC_DEV
    assert sealed_novels(reversed(PDNC_DEV)) == list(SEALED_PDNC_DEV)
    assert is_sealed("Persuasion") and not is_sealed("Emma")


def test_sealed_scenes_rule_is_pinned() -> None:
    scenes = Path(__file__).resolve().parents[2] / "benchmarks" / "scenes"
    names = {p.name for p in scenes.iterdir() if (p / "quotation_info.csv").exists()}
    assert names == {n for batch in SCENE_BATCHES for n in batch}
    assert tuple(n for batch in SCENE_BATCHES for n in sealed_scenes(batch)) == SEALED_SCENES
    assert is_sealed("NightCab") and is_sealed("VicarageTea") and not is_sealed("BridgeWatch")


def test_main_name_first_then_aliases_in_order() -> None:
    cast = GoldCast.of(_novel())
    assert cast.map(Character("c1", "Mr. Reed", ["St. John"])) == "#0"
    assert cast.map(Character("c2", "John", ["St. John", "Mr. Reed"])) == "#1"  # "John" is ambiguous
    assert cast.map(Character("c4", "Bessie", [])) == "?bessie"  # a speaker label with no list entry
    assert cast.map(Character("c5", "the narrator", ["I"], narrator=True)) is None
    assert cast.hits(Character("c6", "Mr. Reed", ["Mr. Rivers"])) == {"#0", "#1"}


def test_strict_judge_is_wrong_for_the_minority_of_a_merge() -> None:
    nov = _novel()
    merged = Character("m", "Mr. Reed", ["Mr. Rivers"])
    jane = Character("j", "Miss Eyre", ["Jane"])
    judge = StrictJudge(nov, [merged, jane])
    assert judge.speaker("Mr. Reed", "m")
    assert not judge.speaker("St. John", "m")  # merged into Reed: wrong for Rivers
    assert not judge.speaker("Mr. Reed", None)
    assert judge.addressees(["Jane"], ["j"]) and not judge.addressees(["Jane"], ["m"])


def test_unnamed_first_person_narrator() -> None:
    nov = GoldNovel("lb", "x" * 10, [GoldQuote("Q0", [(0, 3)], "I")], [GoldCharacter("I-0", "I", {"I", "Pip"})])
    narrator = Character("n", "the narrator", ["I"], narrator=True)
    judge = StrictJudge(nov, [narrator])
    assert judge.speaker("I", "n")
    assert GoldCast.of(nov).map(narrator) == "#I-0"


def test_the_quotes_report_shows_sealed_novels_only_in_aggregate() -> None:
    from fabula.eval.quotes import QuoteScore, format_report

    open_, sealed = QuoteScore("DaisyMiller", gold=10, predicted=10), QuoteScore("Persuasion", gold=5, predicted=6)
    report = format_report([open_, sealed], text_of={"DaisyMiller": "x", "Persuasion": "y"}, examples=3)
    assert "DaisyMiller" in report and "Persuasion" not in report
    assert "SEALED (1 novels)" in report and "TOTAL" in report


def test_the_quotes_evaluation_reads_each_novel_with_its_own_options() -> None:
    """``evaluate(novels, configs)``: a novel's stage options (``--folds``: a dialogue check fitted without it)
    reach its analysis; the scene's scare-quoted phrase counts as dialogue only with the check switched off."""
    from fabula.corpora.novels import GoldNovel, GoldQuote
    from fabula.eval.quotes import evaluate

    text = (
        'Among the aunts it was held that a walk before luncheon was "the only decent thing to do," and nobody '
        "had ever questioned it.\n\n"
        '"You will miss the bells," said his mother.\n'
    )
    a = text.index("You will")
    gold = [GoldQuote("Q0", [(a, a + len("You will miss the bells,"))], "mother")]
    nov = GoldNovel("toy", text, gold)
    (on,) = evaluate([nov])
    (off,) = evaluate([nov], {"toy": {"quotes": {"dialogue_model": False}}})
    assert (on.predicted, off.predicted) == (1, 2)


def test_folds_apply_to_pdnc_quotes_only() -> None:
    import subprocess
    import sys

    res = subprocess.run(
        [sys.executable, "-m", "fabula.cli", "eval", "quotes", "litbank", ".", "--folds", "5"],
        capture_output=True, timeout=120,
    )
    err = res.stderr.decode()
    assert res.returncode == 2 and "pdnc only" in err and "Traceback" not in err


def test_an_unnamed_gold_narrator_is_fabulas_unnamed_narrator() -> None:
    chars = [GoldCharacter("0", "Narrator", {"Narrator", "_narr"}), GoldCharacter("1", "Pim", {"Pim"})]
    nov = GoldNovel("toy", "x" * 30, [GoldQuote("Q0", [(0, 5)], "Narrator", ["Pim"])], chars)
    judge = StrictJudge(nov, [Character("n", "the narrator", ["I"], narrator=True), Character("c0", "Pim", [])])
    assert judge.speaker("Narrator", "n") and not judge.speaker("Narrator", "c0")
    assert judge.addressees(["Narrator"], ["n"])

