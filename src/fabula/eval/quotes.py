"""Quotation detection scored against gold sub-quotation spans (PDNC, QuoteLi3 extraction set, LitBank)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fabula.api import analyze
from fabula.corpora.novels import GoldNovel
from fabula.corpora.sealed import is_sealed
from fabula.spans import overlapping_count as _overlapping
from fabula.spans import trim_span as _trim
from fabula.story import NOT_DIALOGUE, Story


@dataclass(slots=True)
class QuoteScore:
    name: str
    gold: int = 0
    predicted: int = 0
    exact: int = 0  # gold spans found with exactly the same offsets (whitespace-trimmed)
    overlap: int = 0  # gold spans overlapped by some predicted span
    pred_overlap: int = 0  # predicted spans overlapping some gold span
    misses: list[tuple[int, int]] = field(default_factory=list)
    inventions: list[tuple[int, int]] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.overlap / self.gold if self.gold else 1.0

    @property
    def exact_recall(self) -> float:
        return self.exact / self.gold if self.gold else 1.0

    @property
    def precision(self) -> float:
        return self.pred_overlap / self.predicted if self.predicted else 1.0


def score_spans(
    name: str, text: str, gold: Iterable[tuple[int, int]], pred: Iterable[tuple[int, int]]
) -> QuoteScore:
    """Match gold and predicted spans: exact (after trimming whitespace) and by any overlap (sweep, O(n log n))."""
    g = sorted(_trim(text, a, b) for a, b in gold)
    p = sorted(_trim(text, a, b) for a, b in pred)
    sc = QuoteScore(name, gold=len(g), predicted=len(p))
    pset = set(p)
    sc.exact = sum(1 for s in g if s in pset)
    sc.overlap, sc.misses = _overlapping(g, p)
    sc.pred_overlap, sc.inventions = _overlapping(p, g)
    return sc


def predicted_spans(story: Story) -> list[tuple[int, int]]:
    """The sub-spans of the lines of dialogue: quotations nobody utters aloud (a mention, a letter, verse, unsaid
    words) and speech only reported left out."""
    return [s for q in story.quotes if q.type not in NOT_DIALOGUE for s in q.spans]


def evaluate(
    novels: Iterable[GoldNovel], configs: Mapping[str, Mapping[str, Mapping[str, Any]]] | None = None
) -> list[QuoteScore]:
    """Run ingest + segment + quotes on each novel's text and score the sub-spans (``configs``: stage options
    per novel name, e.g. a dialogue check fitted without it)."""
    out = []
    for nov in novels:
        config = (configs or {}).get(nov.name)
        story = analyze(nov.text.encode("utf-8"), input_format="text", upto="quotes", config=config)
        gold = [s for q in nov.quotes for s in q.spans]
        out.append(score_spans(nov.name, story.text, gold, predicted_spans(story)))
    return out


def _row(s: QuoteScore) -> str:
    return f"{s.name[:32]:32} {s.gold:6d} {s.predicted:6d} {s.recall:7.4f} {s.exact_recall:7.4f} {s.precision:7.4f}"


def _total(name: str, scores: list[QuoteScore]) -> QuoteScore:
    tot = QuoteScore(name)
    for s in scores:
        tot.gold += s.gold
        tot.predicted += s.predicted
        tot.exact += s.exact
        tot.overlap += s.overlap
        tot.pred_overlap += s.pred_overlap
    return tot


def format_report(scores: list[QuoteScore], text_of: dict[str, str] | None = None, examples: int = 0) -> str:
    """One row per novel and a total; PDNC's sealed novels only as one aggregate row, never with examples."""
    lines = [f"{'novel':32} {'gold':>6} {'pred':>6} {'recall':>7} {'exact':>7} {'prec':>7}"]
    sealed = [s for s in scores if is_sealed(s.name)]
    lines.extend(_row(s) for s in scores if not is_sealed(s.name))
    if sealed:
        lines.append(_row(_total(f"SEALED ({len(sealed)} novels)", sealed)))
    lines.append(_row(_total("TOTAL", scores)))
    scores = [s for s in scores if not is_sealed(s.name)]
    if examples and text_of:
        for s in scores:
            t = text_of[s.name]
            for a, b in s.misses[:examples]:
                lines.append(f"  miss  {s.name} {a}: {t[max(0, a - 40) : b + 20]!r}")
            for a, b in s.inventions[:examples]:
                lines.append(f"  extra {s.name} {a}: {t[max(0, a - 40) : b + 20]!r}")
    return "\n".join(lines)
