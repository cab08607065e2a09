"""Dialogue acts scored against hand-labelled utterances from the seeds and PDNC dev.

The labels live in ``tests/data/acts_labels.tsv`` as references only (no corpus text in the repo):
``source`` (``seed:<file>`` or ``pdnc:<Novel>``), ``key`` (seeds: the offset of the quotation's first content
character; PDNC: the quoteID), ``act`` and an optional ``note`` (``plea`` marks a plea among requests).
:func:`load_labelled` resolves them against ``../shared/data``; each utterance also gets the *previous*
utterance, chosen the way the stage chooses it (same or previous paragraph, another speaker where known).

Split: an item is held out (``test``) when ``crc32("source|key") % 3 == 0``; the rules were tuned on ``dev``
only. Labelling guide (one act per utterance, the dominant function; see ``fabula.stages.acts``).
"""

from __future__ import annotations

import ast
import bisect
import csv
import re
import zlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fabula.errors import DataError
from fabula.stages.acts import ACTS, classify

#: Where the labels live in a source checkout.
LABELS = Path(__file__).resolve().parents[3] / "tests" / "data" / "acts_labels.tsv"

_SEED_QUOTE = re.compile(r'"([^"]+)"|\u201c([^\u201d]+)\u201d')
_BLANK = re.compile(r"\n[ \t]*\n")

csv.field_size_limit(10**9)


@dataclass(slots=True)
class Utterance:
    """One labelled utterance with its context."""

    source: str
    key: str
    text: str
    previous: str | None
    act: str
    plea: bool = False
    split: str = "dev"
    note: str = ""


def split_of(source: str, key: str) -> str:
    """``test`` for about a third of the items (a stable hash), ``dev`` for the rest."""
    return "test" if zlib.crc32(f"{source}|{key}".encode()) % 3 == 0 else "dev"


def _norm(text: str) -> str:
    return " ".join(text.split())


def seed_utterances(path: Path) -> dict[int, tuple[str, str | None]]:
    """Quotations of a seed file by the offset of their first content character: (text, previous).

    Lines are paragraphs; quotations on one line are taken as one speaker's, so *previous* is the last
    quotation of the nearest earlier non-blank line, and only when that line directly precedes.
    """
    text = path.read_text(encoding="utf-8")
    line_starts = [0] + [m.end() for m in re.finditer(r"\n", text)]
    out: dict[int, tuple[str, str | None]] = {}
    last_by_line: dict[int, str] = {}

    items: list[tuple[int, int, str]] = []
    for m in _SEED_QUOTE.finditer(text):
        g = 1 if m.group(1) is not None else 2
        s = m.start(g)
        while s < m.end(g) and text[s].isspace():
            s += 1
        line = bisect.bisect_right(line_starts, m.start()) - 1
        items.append((s, line, _norm(m.group(g))))
        last_by_line[line] = _norm(m.group(g))
    lines = text.split("\n")
    for s, line, utt in items:
        prev_line = line - 1
        while prev_line >= 0 and not lines[prev_line].strip():
            prev_line -= 1
        out[s] = (utt, last_by_line.get(prev_line))
    return out


@dataclass(slots=True)
class _PdncQuote:
    id: str
    text: str
    start: int
    end: int
    speaker: str


def pdnc_utterances(novel_dir: Path) -> dict[str, tuple[str, str | None, str]]:
    """Quotations of one PDNC novel by quoteID: (text, previous, speaker).

    Paragraphs are blank-line separated; *previous* is the preceding quotation when it lies in the same or
    the previous paragraph and has another speaker.
    """
    text = (novel_dir / "novel_text.txt").read_text(encoding="utf-8", errors="replace")
    breaks = [m.start() for m in _BLANK.finditer(text)]

    quotes: list[_PdncQuote] = []
    with open(novel_dir / "quotation_info.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            spans = ast.literal_eval(row["quoteByteSpans"])
            quotes.append(
                _PdncQuote(row["quoteID"], _norm(row["quoteText"]), spans[0][0], spans[-1][1], row["speaker"])
            )
    quotes.sort(key=lambda q: q.start)
    out: dict[str, tuple[str, str | None, str]] = {}
    for i, q in enumerate(quotes):
        prev: str | None = None
        if i:
            p = quotes[i - 1]
            para_q = bisect.bisect_right(breaks, q.start)
            para_p = bisect.bisect_right(breaks, p.end)
            if para_q - para_p <= 1 and p.speaker != q.speaker:
                prev = p.text
        out[q.id] = (q.text, prev, q.speaker)
    return out


def read_labels(path: Path | None = None) -> list[dict[str, str]]:
    """The raw label rows (source, key, act, note)."""
    path = path or LABELS
    if not path.is_file():
        raise DataError(f"{path}: acts labels not found")
    with open(path, encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh, delimiter="\t")]
    for r in rows:
        if r["act"] not in ACTS:
            raise DataError(f"{path}: unknown act {r['act']!r} for {r['source']} {r['key']}")
    return rows


def load_labelled(data_dir: Path | str, labels: Path | None = None) -> list[Utterance]:
    """Resolve the label references against ``data_dir`` (holding ``seeds/`` and ``pdnc-dev/``)."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise DataError(f"{data_dir}: data folder not found")
    seeds: dict[str, dict[int, tuple[str, str | None]]] = {}
    pdnc: dict[str, dict[str, tuple[str, str | None, str]]] = {}
    out: list[Utterance] = []
    for r in read_labels(labels):
        kind, _, name = r["source"].partition(":")
        note = r.get("note") or ""
        if kind == "seed":
            if name not in seeds:
                seeds[name] = seed_utterances(data_dir / "seeds" / name)
            item = seeds[name].get(int(r["key"]))
            if item is None:
                raise DataError(f"seed {name}: no quotation at offset {r['key']}")
            text, prev = item
        elif kind == "pdnc":
            if name not in pdnc:
                pdnc[name] = pdnc_utterances(data_dir / "pdnc-dev" / name)
            pitem = pdnc[name].get(r["key"])
            if pitem is None:
                raise DataError(f"pdnc {name}: no quotation {r['key']}")
            text, prev = pitem[0], pitem[1]
        else:
            raise DataError(f"unknown source {r['source']!r}")
        out.append(
            Utterance(
                r["source"], r["key"], text, prev, r["act"], "plea" in note.split(), split_of(r["source"], r["key"]), note
            )
        )
    return out


def score(items: Iterable[Utterance]) -> dict[str, Any]:
    """Accuracy, per-act precision/recall/F1, macro-F1, the confusion matrix and plea P/R for ``items``."""
    items = list(items)
    gold_pred = [(u.act, classify(u.text, u.previous)) for u in items]
    confusion: dict[str, dict[str, int]] = {a: dict.fromkeys(ACTS, 0) for a in ACTS}
    for g, res in gold_pred:
        confusion[g][res.act] += 1
    per_act: dict[str, dict[str, float]] = {}
    for a in ACTS:
        tp = confusion[a][a]
        support = sum(confusion[a].values())
        predicted = sum(confusion[g][a] for g in ACTS)
        prec = tp / predicted if predicted else 0.0
        rec = tp / support if support else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        per_act[a] = {"precision": round(prec, 4), "recall": round(rec, 4), "f1": round(f1, 4), "support": support}
    n = len(gold_pred)
    correct = sum(confusion[a][a] for a in ACTS)
    present = [a for a in ACTS if per_act[a]["support"]]
    plea_gold = [u.plea for u in items]
    plea_pred = [r.plea for _, r in gold_pred]
    ptp = sum(1 for g, p in zip(plea_gold, plea_pred, strict=True) if g and p)
    return {
        "n": n,
        "accuracy": round(correct / n, 4) if n else 0.0,
        "macro_f1": round(sum(per_act[a]["f1"] for a in present) / len(present), 4) if present else 0.0,
        "per_act": per_act,
        "confusion": confusion,
        "plea": {
            "gold": sum(plea_gold),
            "predicted": sum(plea_pred),
            "precision": round(ptp / sum(plea_pred), 4) if sum(plea_pred) else 0.0,
            "recall": round(ptp / sum(plea_gold), 4) if sum(plea_gold) else 0.0,
        },
    }


def evaluate(data_dir: Path | str, labels: Path | None = None) -> dict[str, Any]:
    """Score the rules on the labelled utterances: ``all``, ``dev`` (tuned on) and ``test`` (held out)."""
    items = load_labelled(data_dir, labels)
    counts = Counter(u.act for u in items)
    majority = counts.most_common(1)[0][1] / len(items) if items else 0.0
    no_context = sum(classify(u.text).act == u.act for u in items) / len(items) if items else 0.0
    return {
        "labels": str(labels or LABELS),
        "counts": dict(sorted(counts.items())),
        "baselines": {"majority_statement": round(majority, 4), "rules_without_context": round(no_context, 4)},
        "all": score(items),
        "dev": score(u for u in items if u.split == "dev"),
        "test": score(u for u in items if u.split == "test"),
    }


def _format_split(name: str, s: dict[str, Any]) -> list[str]:
    lines = [f"== {name}: n={s['n']} accuracy={s['accuracy']:.4f} macro-F1={s['macro_f1']:.4f}"]
    lines.append(f"{'act':12} {'prec':>6} {'rec':>6} {'f1':>6} {'n':>4}")
    for a, m in s["per_act"].items():
        lines.append(f"{a:12} {m['precision']:6.3f} {m['recall']:6.3f} {m['f1']:6.3f} {m['support']:4d}")
    pl = s["plea"]
    lines.append(f"plea (within request): gold={pl['gold']} predicted={pl['predicted']} "
                 f"precision={pl['precision']:.3f} recall={pl['recall']:.3f}")
    short = {a: a[:5] for a in ACTS}
    lines.append("confusion (rows gold, columns predicted):")
    lines.append(" " * 12 + " ".join(f"{short[a]:>5}" for a in ACTS))
    for g in ACTS:
        row = s["confusion"][g]
        lines.append(f"{g:12}" + " ".join(f"{row[p]:5d}" for p in ACTS))
    return lines


def format_report(report: dict[str, Any]) -> str:
    """The report as text: per split, the per-act table and the confusion matrix."""
    base = report["baselines"]
    lines = [
        f"labels: {report['labels']}",
        "counts: " + ", ".join(f"{a}={n}" for a, n in report["counts"].items()),
        f"baselines (all): always statement {base['majority_statement']:.4f}, "
        f"rules without the previous utterance {base['rules_without_context']:.4f}",
    ]
    for name in ("test", "dev", "all"):
        lines.append("")
        lines.extend(_format_split(name, report[name]))
    return "\n".join(lines)
