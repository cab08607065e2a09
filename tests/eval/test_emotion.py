from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from fabula.corpora.emotion import (
    EmoBank,
    ekman_targets,
    emobank_contexts,
    evaluate_emobank,
    evaluate_goemotions,
    read_emobank,
    read_goemotions,
)
from fabula.corpora.metrics import f1_per_column, pearson
from fabula.errors import DataError
from fabula.training.emotion import tune_thresholds
from tests.conftest import DATA, need

NAMES = [
    "admiration", "amusement", "anger", "annoyance", "approval", "caring", "confusion", "curiosity", "desire",
    "disappointment", "disapproval", "disgust", "embarrassment", "excitement", "fear", "gratitude", "grief", "joy",
    "love", "nervousness", "optimism", "pride", "realization", "relief", "remorse", "sadness", "surprise", "neutral",
]


def test_f1_per_column() -> None:
    y = np.array([[1, 0], [1, 0], [0, 0], [0, 1]])
    pred = np.array([[True, False], [False, False], [True, False], [False, False]])
    f1 = f1_per_column(y, pred)
    assert math.isclose(f1[0], 0.5) and f1[1] == 0.0


def test_tune_thresholds_separable() -> None:
    p = np.array([[0.9], [0.8], [0.3], [0.1]])
    y = np.array([[1], [1], [0], [0]])
    t = tune_thresholds(p, y)
    assert 0.3 < t[0] <= 0.8


def test_pearson() -> None:
    a = np.array([1.0, 2.0, 3.0, 4.0])
    assert math.isclose(pearson(a, 2 * a + 1), 1.0)
    assert math.isclose(pearson(a, -a), -1.0)
    assert pearson(a, np.ones(4)) == 0.0


def test_ekman_targets() -> None:
    y = np.zeros((2, 28), dtype=np.int8)
    y[0, NAMES.index("annoyance")] = 1
    y[0, NAMES.index("curiosity")] = 1
    y[1, NAMES.index("neutral")] = 1
    e = ekman_targets(y, NAMES)
    assert e.tolist() == [[1, 0, 0, 0, 0, 1, 0], [0, 0, 0, 0, 0, 0, 1]]


def test_emobank_contexts_are_neighbours() -> None:
    bank = EmoBank(
        ids=["doc_10_20", "doc_0_9", "doc_21_30", "other_0_5", "SemEval_1"],
        texts=["B", "A", "C", "X", "H"],
        vad=np.full((5, 3), 3.0),
        genres=["fiction", "fiction", "fiction", "blog", "SemEval"],
    )
    assert emobank_contexts(bank) == ["A C", "B", "B", "", ""]


def test_readers(tmp_path: Path) -> None:
    go = tmp_path / "go"
    go.mkdir()
    (go / "labels.txt").write_text("\n".join(NAMES) + "\n")
    (go / "dev.tsv").write_text("Thanks a lot!\t15\tx1\nWhat?\t6,26\tx2\n")
    data = read_goemotions(go, "dev")
    assert data.texts == ["Thanks a lot!", "What?"] and data.labels == [[15], [6, 26]]
    assert data.matrix().sum() == 3
    with pytest.raises(DataError):
        read_goemotions(go, "train")
    eb = tmp_path / "eb"
    eb.mkdir()
    (eb / "emobank.csv").write_text('id,split,V,A,D,text\na_0_5,dev,3.5,3.0,2.9,"Hi, you."\nb_0_2,train,1,2,3,x\n')
    (eb / "meta.tsv").write_text("id\tdocument\tcategory\tsubcategory\na_0_5\ta\tfiction\t \n")
    bank = read_emobank(eb, "dev")
    assert bank.texts == ["Hi, you."] and bank.genres == ["fiction"] and bank.vad.tolist() == [[3.5, 3.0, 2.9]]
    with pytest.raises(DataError):
        read_emobank(eb, "test")
    with pytest.raises(DataError):
        read_emobank(tmp_path / "none", "dev")


# --------------------------------------------------------------------------- dev-set floors (skip without data)


def test_goemotions_dev_floor() -> None:
    report = evaluate_goemotions(need(DATA / "goemotions"))
    assert report["n"] > 5000
    assert report["macro_f1"] >= 0.49
    assert report["ekman_macro_f1"] >= 0.59
    assert len(report["per_label_f1"]) == 28
    # speed is reported, not asserted here (a shared machine is no stopwatch): scripts/bench_emotion.py checks it
    assert report["load_seconds"] > 0 and report["utterances_per_second"] > 0


def test_emobank_dev_floor() -> None:
    report = evaluate_emobank(need(DATA / "emobank"))
    assert report["n"] == 1000
    assert report["pearson"]["V"] >= 0.59
    assert report["pearson"]["A"] >= 0.40
    assert report["pearson"]["D"] >= 0.22
    assert report["per_genre"]["fiction"][0] >= 0.55
