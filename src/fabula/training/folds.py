"""Leave-texts-out stage configurations for ``fabula eval … --folds K``: every learned part retrained without the
text it is scored on.

For each PDNC novel the attribution ranker (:func:`fabula.training.attribution.fold_models`), the person model
(:func:`fabula.training.persons.fold_models`) and the gender decision (:func:`fabula.training.gender.fold_models`)
are fitted without the novels of its fold (novel j of the open ones in fold j mod K; the ranker keeps the open
scenes it ships with in every fold's training); each LitBank text gets a
person model and a gender decision fitted without its fold of LitBank. The configurations
are passed to the evaluation, which never imports training. Sealed novels are in no training set and keep the
shipped models. (The ranker's training features are computed with the shipped person model: a second-order
overlap that the figures accept.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fabula.corpora.novels import load_pdnc
from fabula.corpora.sealed import is_sealed
from fabula.training import DATA, attribution, gender, persons

#: Per text name: the stage options it is analysed with (``{"attribution": {...}, "characters": {...}}``).
FoldConfigs = dict[str, dict[str, dict[str, Any]]]


def fold_configs(
    pdnc: Path | str, litbank: Path | str | None, folds: int, *, ranker: bool = True, seed: int = 0
) -> FoldConfigs:
    """Stage options per PDNC novel (ranker when ``ranker``, person model and gender decision) and per LitBank text
    (person model, gender decision), each fitted without the text's fold; ``seed`` fixes the person model's row
    subsampling."""
    names = [nov.name for nov in load_pdnc(pdnc) if not is_sealed(nov.name)]
    fold_of = attribution.novel_folds(names, folds)
    lit = Path(litbank) if litbank is not None else DATA / "litbank"
    out: FoldConfigs = {}
    for name, model in persons.fold_models(lit, pdnc, fold_of, folds, seed).items():
        out.setdefault(name, {})["characters"] = {"person_model": model}
    for name, gmodel in gender.fold_models(lit, pdnc, fold_of, folds).items():
        out.setdefault(name, {}).setdefault("characters", {})["gender_model"] = gmodel
    if ranker:
        for name, rmodel in attribution.fold_models(pdnc, folds).items():
            out.setdefault(name, {})["attribution"] = {"model": rmodel}
    return out
