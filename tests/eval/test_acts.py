from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from fabula.errors import DataError
from fabula.eval.acts import LABELS, evaluate, format_report, load_labelled, read_labels, split_of
from fabula.stages.acts import ACTS
from tests.conftest import DATA, need

RARE = ("apology", "threat", "refusal", "thanks", "declaration", "accusation")


def test_labels_are_references_only() -> None:
    rows = read_labels()
    assert len(rows) >= 300
    with open(LABELS, encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh, delimiter="\t"))
    assert header == ["source", "key", "act", "note"]
    assert all(r["source"].split(":")[0] in ("seed", "pdnc") for r in rows)
    assert len({(r["source"], r["key"]) for r in rows}) == len(rows)
    counts = Counter(r["act"] for r in rows)
    assert set(counts) == set(ACTS)
    assert all(counts[a] >= 10 for a in RARE)
    assert all(len(r.get("note") or "") <= 60 for r in rows)  # notes, not quoted text


def test_split_is_stable_and_about_a_third() -> None:
    rows = read_labels()
    test = sum(split_of(r["source"], r["key"]) == "test" for r in rows)
    assert 0.25 < test / len(rows) < 0.42
    assert split_of("pdnc:Emma", "Q1") == split_of("pdnc:Emma", "Q1")


def test_missing_folder_raises() -> None:
    with pytest.raises(DataError):
        load_labelled(Path("/nonexistent/shared/data"))


def test_resolves_all_labels() -> None:
    data = need(DATA / "pdnc-dev")
    items = load_labelled(data.parent)
    assert len(items) == len(read_labels())
    seeds = [u for u in items if u.source.startswith("seed:")]
    assert len(seeds) >= 100
    assert all(u.text for u in items)
    by_key = {(u.source, u.key): u for u in items}
    u = by_key[("seed:002_5905779a0c223e00.txt", "834")]
    assert (u.text, u.previous, u.act) == ("No.", "I want to leave.", "refusal")


def test_held_out_floor() -> None:
    data = need(DATA / "pdnc-dev")
    report = evaluate(data.parent)
    test = report["test"]
    assert test["n"] >= 100
    assert test["accuracy"] >= 0.70
    assert test["macro_f1"] >= 0.60
    assert report["dev"]["accuracy"] >= 0.80
    text = format_report(report)
    assert "confusion" in text and "== test" in text
