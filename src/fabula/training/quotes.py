"""Train the dialogue check: ``python -m fabula.training.quotes [--pdnc DIR] [--folds K] [--no-write]``.

Candidates are the quotations fabula's quotes stage finds and its rules leave as dialogue (run with the learned
check off), each described by :func:`fabula.stages.quote_model.features`. A quotation is dialogue (label 1) when
one of its sub-spans overlaps a gold quotation sub-span (the matching of :func:`fabula.eval.quotes.score_spans`,
:func:`fabula.spans.overlapping_count`); each counts as many times as it has sub-spans, as precision does. Only
the fourteen open PDNC dev novels are used: the sealed five (:mod:`fabula.corpora.sealed`) are never read here.

The boosted trees are cross-validated leaving novels out (novel j of the open ones in fold j mod K, each fold's
word vocabularies built from its training novels); the threshold is chosen on the pooled held-out probabilities
(the highest sub-span precision keeping recall at or above :data:`MIN_RECALL`); then the model is fitted on all
fourteen and written to ``models/quotes/dialogue_model.json``, its figures to ``MODEL_CARD.md`` next to it.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.ensemble import GradientBoostingClassifier

from fabula.api import analyze
from fabula.corpora.novels import GoldNovel, load_pdnc
from fabula.corpora.sealed import is_sealed
from fabula.spans import overlapping_count, trim_span
from fabula.stages.quote_model import FEATURES, DialogueModel, context_words, features, tagged
from fabula.stages.quotes import story_paras
from fabula.story import NOT_DIALOGUE, Quote, Span
from fabula.training import training_args
from fabula.training.attribution import novel_folds
from fabula.training.persons import export_trees

log = logging.getLogger(__name__)

MODEL_DIR = Path(__file__).resolve().parents[1] / "models" / "quotes"

#: The boosted trees: how many, how deep, the learning rate, the fewest quotations in a leaf, the share of rows
#: each tree sees.
TREES, DEPTH, RATE, MIN_LEAF, SUBSAMPLE = 300, 4, 0.03, 30, 0.8
#: Words before and after a quotation that get a column of their own: the most frequent ones in the training
#: data, at most this many, each seen at least :data:`MIN_WORD` times.
VOCAB, MIN_WORD = 60, 20
#: The threshold keeps pooled held-out recall at or above this: the target, 0.99, with a margin for unseen text.
MIN_RECALL = 0.991
#: The thresholds tried.
GRID = tuple(round(0.05 + 0.025 * i, 3) for i in range(27))
_OFF = {"quotes": {"dialogue_model": False}}


@dataclass(slots=True)
class NovelData:
    """One novel's text, quotation paragraphs, quotations (rules only) and gold sub-spans."""

    name: str
    text: str
    paras: list[Span]
    quotes: list[Quote]
    gold: list[tuple[int, int]]

    def candidates(self) -> list[int]:
        """The quotations the rules leave as dialogue."""
        return [k for k, q in enumerate(self.quotes) if q.type not in NOT_DIALOGUE]

    def labels(self) -> tuple[np.ndarray, np.ndarray]:
        """For each candidate: 1 when a sub-span overlaps a gold sub-span; and how many sub-spans it has."""
        gold = sorted(trim_span(self.text, a, b) for a, b in self.gold)
        ys, ws = [], []
        for k in self.candidates():
            spans = sorted(trim_span(self.text, a, b) for a, b in self.quotes[k].spans)
            hit, _ = overlapping_count(spans, gold)
            ys.append(int(hit > 0))
            ws.append(len(spans))
        return np.asarray(ys, dtype=np.int64), np.asarray(ws, dtype=np.float64)

    def matrix(self, before: Sequence[str], after: Sequence[str]) -> np.ndarray:
        return features(self.text, self.paras, self.quotes, before, after)[self.candidates()]


def novel_data(nov: GoldNovel) -> NovelData:
    story = analyze(nov.text.encode("utf-8"), input_format="text", upto="quotes", config=_OFF)
    gold = [s for q in nov.quotes for s in q.spans]
    return NovelData(nov.name, story.text, story_paras(story), story.quotes, gold)


def training_data(root: Path | str) -> list[NovelData]:
    """The open PDNC novels (the sealed ones are skipped before they are read)."""
    names = [n for n in sorted(p.name for p in Path(root).iterdir() if p.is_dir()) if not is_sealed(n)]
    return [novel_data(nov) for nov in load_pdnc(root, names)]


def vocabularies(novels: Sequence[NovelData]) -> tuple[list[str], list[str]]:
    """The most frequent words right before and right after the candidates."""
    before: Counter[str] = Counter()
    after: Counter[str] = Counter()
    for nd in novels:
        words = context_words(nd.text, nd.paras, nd.quotes)
        for k in nd.candidates():
            b, a = words[k]
            if b:
                before[b] += 1
            if a:
                after[a] += 1
    return (
        [w for w, c in before.most_common(VOCAB) if c >= MIN_WORD],
        [w for w, c in after.most_common(VOCAB) if c >= MIN_WORD],
    )


def fit(novels: Sequence[NovelData], threshold: float = 0.5) -> DialogueModel:
    """Gradient-boosted regression trees on the log-loss (scikit-learn, fixed seed) over the candidates no speech
    verb tags, exported as flat arrays so that inference needs numpy only."""
    before, after = vocabularies(novels)
    x = np.vstack([nd.matrix(before, after) for nd in novels])
    y, w = (np.concatenate(v) for v in zip(*(nd.labels() for nd in novels), strict=True))
    rows = ~tagged(x)  # the lines a speech verb tags are never typed: the model learns from the others
    x, y, w = x[rows], y[rows], w[rows]
    gb = GradientBoostingClassifier(
        n_estimators=TREES, max_depth=DEPTH, learning_rate=RATE, min_samples_leaf=MIN_LEAF,
        subsample=SUBSAMPLE, random_state=0,
    )
    gb.fit(x, y, sample_weight=w)
    trees = export_trees(gb, RATE)
    base = float(np.mean(gb.decision_function(x) - trees.log_odds(x)))  # the prior log-odds
    return DialogueModel(FEATURES, tuple(before), tuple(after), base, trees, threshold)


def cross_validate(novels: Sequence[NovelData], folds: int) -> list[np.ndarray]:
    """Held-out ``P(dialogue)`` of each novel's candidates, from a model fitted without the novel's fold (1 for
    the lines a speech verb tags, which the model never types)."""
    fold_of = novel_folds([nd.name for nd in novels], folds)
    out: list[np.ndarray] = [np.zeros(0)] * len(novels)
    for f in range(folds):
        train = [nd for nd in novels if fold_of[nd.name] != f]
        test = [i for i, nd in enumerate(novels) if fold_of[nd.name] == f]
        if not test:
            continue
        model = fit(train)
        for i in test:
            x = novels[i].matrix(model.before_vocab, model.after_vocab)
            out[i] = np.where(tagged(x), 1.0, model.predict_proba(x))  # tagged lines are never typed
    return out


def fold_models(root: Path | str, folds: int, threshold: float) -> dict[str, DialogueModel]:
    """A dialogue check per open PDNC novel (for ``fabula eval quotes pdnc --folds K``), fitted without the
    novel's fold (open novel j in fold j mod K, as the ranker's folds) with the given ``threshold``. Sealed novels
    get none: they are analysed with the shipped model, which never saw them either."""
    novels = training_data(root)
    fold_of = novel_folds([nd.name for nd in novels], folds)
    out: dict[str, DialogueModel] = {}
    for f in range(folds):
        held = [nd.name for nd in novels if fold_of[nd.name] == f]
        if held:
            model = fit([nd for nd in novels if fold_of[nd.name] != f], threshold)
            out.update(dict.fromkeys(held, model))
    return out


@dataclass(slots=True)
class Counts:
    gold: int = 0
    found: int = 0  # gold sub-spans overlapped by a predicted line of dialogue
    predicted: int = 0
    right: int = 0  # predicted sub-spans overlapping gold

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else 1.0

    @property
    def precision(self) -> float:
        return self.right / self.predicted if self.predicted else 1.0


def score(novels: Sequence[NovelData], probs: Sequence[np.ndarray], threshold: float) -> Counts:
    """Sub-span recall and precision of the novels' dialogue, the candidates below ``threshold`` typed out."""
    c = Counts()
    for nd, p in zip(novels, probs, strict=True):
        cand = nd.candidates()
        keep = {k for k, pk in zip(cand, p, strict=True) if pk >= threshold}
        gold = sorted(trim_span(nd.text, a, b) for a, b in nd.gold)
        pred = sorted(trim_span(nd.text, a, b) for k in keep for a, b in nd.quotes[k].spans)
        c.gold += len(gold)
        c.found += overlapping_count(gold, pred)[0]
        c.predicted += len(pred)
        c.right += overlapping_count(pred, gold)[0]
    return c


def choose_threshold(novels: Sequence[NovelData], probs: Sequence[np.ndarray]) -> tuple[float, list[str]]:
    """The threshold with the best held-out precision whose recall stays at or above :data:`MIN_RECALL`; the
    rows of the sweep."""
    base = score(novels, probs, 0.0)
    rows = [f"| off | {base.precision:.4f} | {base.recall:.4f} | {base.predicted} | {base.found} |"]
    best, best_p = 0.0, base.precision
    for t in GRID:
        c = score(novels, probs, t)
        rows.append(f"| {t:.3f} | {c.precision:.4f} | {c.recall:.4f} | {c.predicted} | {c.found} |")
        if c.recall >= MIN_RECALL and c.precision > best_p:
            best, best_p = t, c.precision
    return best, rows


def write_card(model: DialogueModel, rows: list[str], folds: int, n_novels: int, seconds: float) -> None:
    card = MODEL_DIR / "MODEL_CARD.md"
    head = card.read_text(encoding="utf-8").split("<!-- figures -->")[0] if card.exists() else ""
    sweep = "\n".join(["| threshold | precision | recall | predicted | gold found |", "|---|---|---|---|---|", *rows])
    card.write_text(
        head
        + "<!-- figures -->\n\n"
        + f"Leave-novels-out on the {n_novels} open PDNC dev novels ({folds} folds), sub-spans pooled:\n\n"
        + sweep
        + f"\n\nShipped threshold: {model.threshold}; {len(model.trees.roots)} trees, "
        + f"{len(model.before_vocab)} + {len(model.after_vocab)} context words; trained in {seconds:.0f} s.\n",
        encoding="utf-8",
    )


def main(argv: Sequence[str] | None = None) -> None:
    args = training_args(__doc__, argv, litbank=False)
    t0 = time.time()
    novels = training_data(args.pdnc)
    log.info("quotations of %d novels in %.0f s", len(novels), time.time() - t0)
    probs = cross_validate(novels, args.folds)
    threshold, rows = choose_threshold(novels, probs)
    print("\n".join(rows))
    print(f"threshold {threshold}")
    if args.no_write:
        return
    model = fit(novels, threshold)
    MODEL_DIR.mkdir(parents=True, exist_ok=True)
    (MODEL_DIR / "dialogue_model.json").write_text(json.dumps(model.to_json()) + "\n", encoding="utf-8")
    write_card(model, rows, args.folds, len(novels), time.time() - t0)


if __name__ == "__main__":
    main()
