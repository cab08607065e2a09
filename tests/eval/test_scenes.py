"""Our own annotated scenes (benchmarks/scenes): the gold is sound, and fabula keeps a floor on the open half."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from fabula.corpora.novels import load_pdnc
from fabula.corpora.sealed import is_sealed
from fabula.eval.attribution import evaluate_pdnc

SCENES = Path(__file__).resolve().parents[2] / "benchmarks" / "scenes"


def test_gold_spans_and_names_are_sound() -> None:
    novels = list(load_pdnc(SCENES))
    assert len(novels) == 144
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
    assert len(result["sealed_novels"]) == 72
    # strict speaker accuracy, end to end: 0.579 on the open sixteen when this floor was set, 0.624 on the open
    # twenty-four when the third batch came, 0.601 on the open thirty-two when the fourth came, 0.594 on the open
    # forty when the fifth came, 0.588 on the open forty-eight when the sixth came, 0.593 on the open fifty-six when
    # the seventh came, 0.598 on the open sixty-four when the eighth came (see the README); from 2026-12-06 the
    # ranker trains on the open scenes of batches 1-8, so this half is partly in sample for it
    assert result["open"]["speaker"]["accuracy"] >= 0.58
    # each batch's halves as aggregates, adding up to the totals
    assert [b["batch"] for b in result["batches"]] == [1, 2, 3, 4, 5, 6, 7, 8, 9]
    for half in ("open", "sealed"):
        assert sum(b[half]["speaker"]["n"] for b in result["batches"]) == result[half]["speaker"]["n"]


def test_the_trace_script_reads_open_scenes_and_refuses_sealed_ones() -> None:
    script = SCENES.parents[1] / "scripts" / "trace_attribution.py"
    run = [sys.executable, str(script), str(SCENES)]
    sealed = subprocess.run([*run, "NightCab"], capture_output=True, text=True, timeout=120)
    assert sealed.returncode == 2 and not sealed.stdout
    opened = subprocess.run([*run, "BakeryQueue", "--errors"], capture_output=True, text=True, timeout=120)
    assert opened.returncode == 0, opened.stderr
    lines = opened.stdout.splitlines()
    right, total = (int(v) for v in lines[-1].split()[0].split("/"))
    assert total >= 20 and len(lines) - 1 == total - right  # --errors: one line per wrong quotation
