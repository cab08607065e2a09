"""Our own annotated scenes (benchmarks/scenes): the gold is sound, and fabula keeps a floor on the open half."""

from __future__ import annotations

from pathlib import Path

from fabula.corpora.novels import load_pdnc
from fabula.corpora.sealed import is_sealed
from fabula.eval.attribution import evaluate_pdnc

SCENES = Path(__file__).resolve().parents[2] / "benchmarks" / "scenes"


def test_gold_spans_and_names_are_sound() -> None:
    novels = list(load_pdnc(SCENES))
    assert len(novels) == 48
    for nov in novels:
        names = {c.name for c in nov.characters} | {"_group", "_unknowable"}
        assert nov.quotes, nov.name
        for q in nov.quotes:
            assert q.speaker in names, (nov.name, q.id)
            assert set(q.addressees) <= names, (nov.name, q.id)
            for a, b in q.spans:
                assert 0 <= a < b <= len(nov.text) and nov.text[a:b].strip(), (nov.name, q.id)


def test_open_scenes_floor_and_sealed_aggregate_only() -> None:
    result = evaluate_pdnc(SCENES)
    rows = {r["novel"] for r in result["novels"]}
    assert rows and not any(is_sealed(n) for n in rows)  # sealed scenes never get a row of their own
    assert len(result["sealed_novels"]) == 24
    # strict speaker accuracy, end to end: 0.579 on the open sixteen when this floor was set, 0.624 on the open
    # twenty-four when the third batch came (see the README)
    assert result["open"]["speaker"]["accuracy"] >= 0.58
