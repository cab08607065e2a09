"""Ranker training data: fabula's own quotations are labelled by the gold quotation they overlap."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from fabula.corpora.novels import GoldCharacter, GoldNovel, GoldQuote
from fabula.story import Quote
from fabula.training import attribution as tr

TEXT = '"Come in," said Anna. "Sit down."\n\n"Thank you," Tom said.\n'


def _novel() -> GoldNovel:
    a, b, c = TEXT.index("Come in"), TEXT.index("Sit down"), TEXT.index("Thank you")
    quotes = [
        GoldQuote("Q0", [(a, a + 8), (b, b + 9)], "Anna", ["Tom"], "explicit"),
        GoldQuote("Q1", [(c, c + 11)], "Tom", ["Anna"], "explicit"),
    ]
    chars = [GoldCharacter("0", "Anna", {"Anna"}), GoldCharacter("1", "Tom", {"Tom"})]
    return GoldNovel("toy", TEXT, quotes, chars)


def test_own_quotes_take_the_gold_quote_they_overlap_most() -> None:
    nov = _novel()
    a, b, c = TEXT.index("Come in"), TEXT.index("Sit down"), TEXT.index("Thank you")
    # one quotation of ours covers both sub-spans of Q0; another covers Q1; a third overlaps nothing
    ours = [Quote(0, [(a, a + 8), (b, b + 9)]), Quote(1, [(c, c + 11)]), Quote(2, [(0, 0)])]
    gold = tr._gold_by_overlap(nov, ours)
    assert {s: (g.id, w) for s, (g, w) in gold.items()} == {a: ("Q0", 2.0), c: ("Q1", 1.0)}


def test_training_data_views_share_a_fold() -> None:
    nov = _novel()
    gold_view, own_view = tr.novel_data(nov), tr.novel_data(nov, own_quotes=True)
    assert not gold_view.own_quotes and own_view.own_quotes
    assert sum(g[3] for g in gold_view.groups) == 3.0
    assert sum(g[3] for g in own_view.groups) == 3.0
    assert all(labels.any() for _, labels, _, _ in own_view.groups)
    assert tr._folds([gold_view, own_view], 5) == {"toy": 0}
    assert tr._key(own_view) != tr._key(gold_view)


def test_a_boosted_novel_weighs_like_copies_of_itself() -> None:
    once, twice = tr.novel_data(_novel()), tr.novel_data(_novel())
    twice.boost = 2.0
    doubled = tr.fit([once, once])
    boosted = tr.fit([twice])
    assert np.allclose(doubled["coef"], boosted["coef"], atol=1e-3)
    assert not np.allclose(tr.fit([once])["coef"], boosted["coef"], atol=1e-3)


def test_the_open_scenes_are_extra_training_data_unless_they_are_the_root() -> None:
    assert tr.default_extra("../shared/data/pdnc-dev") == ([tr.SCENES] if tr.SCENES.is_dir() else [])
    assert tr.default_extra(tr.SCENES) == []


def test_cross_validation_reports_the_extra_texts_apart() -> None:
    data = []
    for name, corpus in (("a", "pdnc"), ("b", "pdnc"), ("c", "extra"), ("d", "extra")):
        nov = _novel()
        nov.name = name
        nd = tr.novel_data(nov)
        nd.corpus = corpus
        data.append(nd)
    cv = tr.cross_validate(data, 2)
    assert {"decoded", "rules", "extra_decoded", "extra_rules"} <= set(cv["overall"])
    assert not any(k.startswith("own_") for k in cv["overall"])  # no view of fabula's own quotations here


def test_fold_models_train_on_the_extra_texts_and_hand_out_rankers_by_novel(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def toy(name: str, corpus: str) -> tr.NovelData:
        nov = _novel()
        nov.name = name
        nd = tr.novel_data(nov)
        nd.corpus = corpus
        return nd

    def fake_data(root: object, extra: Sequence[object] = (), boost: float = 1.0) -> list[tr.NovelData]:
        return [toy(n, "pdnc") for n in ("a", "b", "c")] + [
            toy(f"scene{i}", "extra") for i in range(len(extra) * 2)
        ]

    monkeypatch.setattr(tr, "training_data", fake_data)
    monkeypatch.setattr(tr, "default_extra", lambda root=None: [tr.SCENES])
    models = tr.fold_models("pdnc", 3)
    assert set(models) == {"a", "b", "c"}  # the scenes train every fold and get no ranker of their own
    assert len({id(m) for m in models.values()}) == 3
