"""The cast scored against gold character lists (PDNC, LitBank), and LitBank proper-name person detection.

A cast entry is right when it maps to one gold character by the strict mapping of :mod:`fabula.eval.strict`.
Per novel: cast precision, recall of gold characters and of *speaking* gold characters (one gold quotation or
more), precision among the entries given a quotation, cast size against the gold list, splits (gold characters
that two or more cast entries map to) and merges (cast entries whose names identify two or more gold characters).
Sealed PDNC novels (:mod:`fabula.corpora.sealed`) are reported only as one aggregate.

LitBank person detection compares fabula's name mentions with the gold PER entities that are proper names
(see :func:`load_litbank_people` and ``docs/evaluation.md`` for the matching rule).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fabula.corpora.novels import GoldCharacter, GoldNovel, chain_name, detokenise, load_litbank, load_pdnc
from fabula.corpora.sealed import is_sealed
from fabula.errors import DataError
from fabula.eval.attribution import analyse_novel
from fabula.eval.strict import GoldCast
from fabula.story import Story

log = logging.getLogger(__name__)

#: Counts summed over novels (rates are derived from them).
CAST_COUNTS = (
    "gold", "speaking", "cast", "right", "found", "speaking_found", "quoted", "quoted_right", "splits", "merges",
    "quoted_wrong_described", "quoted_wrong_named",
)
#: Stage options per text name (see :func:`fabula.eval.attribution.analyse_novel`).
Configs = Mapping[str, Mapping[str, Mapping[str, Any]]]
PERSON_COUNTS = ("gold_names", "pred_names", "exact", "gold_hit", "pred_hit")


def score_cast(nov: GoldNovel, story: Story) -> dict[str, Any]:
    """Cast counts for one analysed novel, with the names behind its splits and merges."""
    cast = GoldCast.of(nov)
    gold = set(cast.named) or set(cast.keys)
    speaking = {cast.resolve(q.speaker) for q in nov.quotes} - {None}
    mapped = {c.id: cast.map(c) for c in story.characters}
    quoted = {q.speaker for q in story.quotes if q.speaker in mapped}
    found = set(mapped.values()) & gold
    per_gold = Counter(k for k in mapped.values() if k is not None)
    split_keys = sorted(k for k, n in per_gold.items() if n >= 2)
    merged = [c for c in story.characters if len(cast.hits(c)) >= 2]
    gold_name = {f"#{c.id}": c.name for c in nov.characters}
    # the entries given a quotation that are no gold character: known by a description ("the clergyman", "her
    # sister": written lower-case) or by a name (one the gold list lacks, a place, a second person under one name)
    wrong = [c for c in story.characters if c.id in quoted and mapped[c.id] is None]
    described = [c for c in wrong if not c.narrator and c.name[:1].islower()]
    return {
        "novel": nov.name,
        "gold": len(gold),
        "speaking": len(speaking),
        "cast": len(story.characters),
        "right": sum(k is not None for k in mapped.values()),
        "found": len(found),
        "speaking_found": len(set(mapped.values()) & speaking),
        "quoted": len(quoted),
        "quoted_right": sum(mapped[c] is not None for c in quoted),
        "splits": len(split_keys),
        "merges": len(merged),
        "quoted_wrong_described": len(described),
        "quoted_wrong_named": len(wrong) - len(described),
        "split_names": [gold_name.get(k, k.lstrip("?#")) for k in split_keys],
        "merge_names": [c.name for c in merged],
        "quoted_wrong_names": [c.name for c in wrong],
    }


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def cast_rates(c: dict[str, Any]) -> dict[str, float | None]:
    """The figures a cast row reports, from its counts."""
    return {
        "precision": _ratio(c["right"], c["cast"]),
        "recall": _ratio(c["found"], c["gold"]),
        "speaking_recall": _ratio(c["speaking_found"], c["speaking"]),
        "quoted_precision": _ratio(c["quoted_right"], c["quoted"]),
        "size_ratio": _ratio(c["cast"], c["gold"]),
    }


def person_rates(c: dict[str, Any]) -> dict[str, float | None]:
    """Mention-level precision, recall and F1 (overlap matching), and exact-span recall."""
    p, r = _ratio(c["pred_hit"], c["pred_names"]), _ratio(c["gold_hit"], c["gold_names"])
    f1 = round(2 * p * r / (p + r), 4) if p and r else None
    return {"precision": p, "recall": r, "f1": f1, "exact_recall": _ratio(c["exact"], c["gold_names"])}


def aggregate(rows: Iterable[dict[str, Any]], keys: Iterable[str] = CAST_COUNTS) -> dict[str, Any]:
    """Counts summed over ``rows`` (novels) and the number of novels."""
    rows = list(rows)
    out: dict[str, Any] = {k: sum(r.get(k, 0) for r in rows) for k in keys}
    out["novels"] = len(rows)
    return out


def _split_summary(rows: list[dict[str, Any]], sealed: set[str]) -> dict[str, Any]:
    """Aggregates for the open novels, the sealed ones and all; per-novel rows for open novels only."""
    open_rows = [r for r in rows if r["novel"] not in sealed]
    sealed_rows = [r for r in rows if r["novel"] in sealed]
    blocks = {"open": aggregate(open_rows), "sealed": aggregate(sealed_rows), "all": aggregate(rows)}
    for b in blocks.values():
        b.update(cast_rates(b))
    for r in open_rows:
        r.update(cast_rates(r))
    return {"novels": open_rows, **blocks}


def _analyse(nov: GoldNovel, config: Mapping[str, Mapping[str, Any]] | None = None) -> Story:
    story = analyse_novel(nov, config=config)
    if story.text != nov.text:
        raise DataError(f"{nov.name}: fabula's text differs from the gold text; offsets would not line up")
    return story


def evaluate_pdnc(
    root: Path | str, novels: list[str] | None = None, configs: Configs | None = None
) -> dict[str, Any]:
    """Cast precision and recall per PDNC novel: with the shipped models (in sample on the open novels), or
    with ``configs``, stage options per novel (``fabula eval characters pdnc --folds K``: models never trained
    on it)."""
    rows = []
    for nov in load_pdnc(root, novels):
        rows.append(score_cast(nov, _analyse(nov, (configs or {}).get(nov.name))))
    sealed = {r["novel"] for r in rows if is_sealed(r["novel"])}
    for r in rows:
        if r["novel"] in sealed:  # never keep a sealed novel's names around
            r["split_names"], r["merge_names"], r["quoted_wrong_names"] = [], [], []
    return {"corpus": "pdnc", **_split_summary(rows, sealed), "sealed_novels": sorted(sealed)}


# ---------------------------------------------------------------------------------------------- LitBank


@dataclass(slots=True)
class LitbankPeople:
    """One LitBank text: gold characters (named PER chains and speakers), quotations, proper-name PER spans."""

    novel: GoldNovel
    names: list[tuple[int, int]]


def _read_rows(path: Path) -> list[list[str]]:
    if not path.exists():
        return []
    return [ln.split("\t") for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]


def _brat_per(path: Path) -> dict[str, str]:
    """PER entities of a brat ``.ann`` file: id -> surface text."""
    out = {}
    for r in _read_rows(path):
        if len(r) >= 3 and r[0].startswith("T") and r[1].split(" ")[0] == "PER":
            out[r[0]] = r[2]
    return out


def _outermost(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Drop spans that lie inside another span (a nested name counts once, as its outermost form)."""
    out: list[tuple[int, int]] = []
    for a, b in sorted(set(spans), key=lambda s: (s[0], -s[1])):
        if out and a >= out[-1][0] and b <= out[-1][1]:
            continue
        out.append((a, b))
    return out


def load_litbank_people(root: Path | str) -> Iterator[LitbankPeople]:
    """LitBank texts with gold people, read from the coreference layer and the entity layer.

    A gold proper-name person is a PER entity of ``entities/brat`` that the coreference layer (same entity id and
    text) marks ``PROP``; nested ones count once, as the outermost span. Gold characters are the coreference
    chains with a proper-name PER mention, plus every chain that speaks; their names are the chain's PROP and
    NOM mention texts and the chain label.
    """
    root = Path(root)
    cdir = root / "coref" / "tsv"
    if not cdir.is_dir():
        raise DataError(f"{cdir}: LitBank coreference folder not found")
    quoted = {n.name: n for n in load_litbank(root)}
    for ann in sorted(cdir.glob("*.ann")):
        name = ann.stem.replace("_brat", "")
        sentences = [ln.split(" ") if ln else [] for ln in ann.with_suffix(".txt").read_text("utf-8").split("\n")]
        text, offs = detokenise(sentences)
        per = _brat_per(root / "entities" / "brat" / ann.name)
        rows = _read_rows(ann)
        chain_of = {r[1]: r[2] for r in rows if r[0] == "COREF" and len(r) >= 3}
        spans: list[tuple[int, int]] = []
        names: dict[str, Counter[str]] = {}
        proper: set[str] = set()
        for r in rows:
            if r[0] != "MENTION" or len(r) < 9 or r[7] != "PER":
                continue
            s0, t0, s1, t1 = (int(v) for v in r[2:6])
            chain = chain_of.get(r[1])
            if r[8] == "PROP" and per.get(r[1]) == r[6]:
                spans.append((offs[s0][t0][0], offs[s1][t1][1]))
            if chain and r[8] in ("PROP", "NOM"):
                names.setdefault(chain, Counter())[r[6].replace(" 's", "'s")] += 1
                if r[8] == "PROP":
                    proper.add(chain)
        gold = quoted.get(name)
        quotes = gold.quotes if gold is not None and gold.text == text else []
        people = proper | _speaker_chains(root, ann.name)
        chars = [
            GoldCharacter(ch, chain_name(ch), set(names.get(ch, {})) | {chain_name(ch)}) for ch in sorted(people)
        ]
        yield LitbankPeople(GoldNovel(name, text, quotes, chars), _outermost(spans))


def _speaker_chains(root: Path, ann_name: str) -> set[str]:
    """Coreference chains credited with a quotation in LitBank's quotation layer."""
    return {r[2] for r in _read_rows(root / "quotations" / "tsv" / ann_name) if r[0] == "ATTRIB" and len(r) >= 3}


def score_names(gold: list[tuple[int, int]], pred: list[tuple[int, int]]) -> dict[str, int]:
    """Mention-level matching: exact spans, and a one-to-one overlap match (each gold span takes the first
    unmatched predicted span overlapping it, in text order)."""
    pred = sorted(set(pred))
    exact = len(set(gold) & set(pred))
    used: set[int] = set()
    hit, j = 0, 0
    for a, b in sorted(gold):
        while j < len(pred) and pred[j][1] <= a:
            j += 1
        k = next((k for k in range(j, len(pred)) if pred[k][0] >= b or (k not in used and pred[k][1] > a)), None)
        if k is not None and pred[k][0] < b:
            used.add(k)
            hit += 1
    return {"gold_names": len(gold), "pred_names": len(pred), "exact": exact, "gold_hit": hit, "pred_hit": hit}


def evaluate_litbank(root: Path | str, configs: Configs | None = None) -> dict[str, Any]:
    """Cast figures and proper-name person detection per LitBank text (shipped models, or stage options per text
    from ``configs``: with ``--folds K``, a person model never trained on the text)."""
    rows = []
    for doc in load_litbank_people(root):
        story = _analyse(doc.novel, (configs or {}).get(doc.novel.name))
        row = score_cast(doc.novel, story)
        pred = [(m.start, m.end) for m in story.mentions if m.kind == "name"]
        row.update(score_names(doc.names, pred))
        row.update({f"names_{k}": v for k, v in person_rates(row).items()})
        rows.append(row)
        log.info("%s: cast %d, gold %d", doc.novel.name, row["cast"], row["gold"])
    out = {"corpus": "litbank", **_split_summary(rows, set())}
    out["names"] = aggregate(rows, PERSON_COUNTS)
    out["names"].update(person_rates(out["names"]))
    return out


def over_seeds(runs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The first of ``runs`` (LitBank reports from person models refitted with seeds 0, 1, …) with the
    proper-name person figures of every seed (``seeds``) and their mean, lowest and highest (``seeds_summary``):
    the trees' row subsampling moves held-out F1 by about ±0.005, so one seed is no figure to compare changes by."""
    keys = ("precision", "recall", "f1")
    per = [{"seed": k, **{m: r["names"][m] for m in keys}} for k, r in enumerate(runs)]
    summary = {
        m: {
            "mean": round(sum(p[m] for p in per) / len(per), 4),
            "min": min(p[m] for p in per),
            "max": max(p[m] for p in per),
        }
        for m in keys
    }
    return {**runs[0], "seeds": per, "seeds_summary": summary}


# ---------------------------------------------------------------------------------------------- report


def _f(v: float | None) -> str:
    return "     -" if v is None else f"{v:6.3f}"


def format_report(result: dict[str, Any], examples: int = 3) -> str:
    """Per-novel cast rows (open novels), the open / sealed / all aggregates, LitBank person detection."""
    head = (
        f"{'novel':30} {'gold':>5} {'cast':>5} {'size×':>6} {'prec':>6} {'recall':>6} {'spkrec':>6} "
        f"{'qprec':>6} {'splits':>6} {'merges':>6}"
    )

    def row(name: str, r: dict[str, Any]) -> str:
        return (
            f"{name[:30]:30} {r['gold']:5d} {r['cast']:5d} {_f(r['size_ratio'])} {_f(r['precision'])} "
            f"{_f(r['recall'])} {_f(r['speaking_recall'])} {_f(r['quoted_precision'])} "
            f"{r['splits']:6d} {r['merges']:6d}"
        )

    lines = [f"{result['corpus']} cast (strict identity)", head]
    lines += [row(r["novel"], r) for r in result["novels"]]
    if result["sealed"]["novels"]:
        lines.append(row(f"OPEN ({result['open']['novels']} novels)", result["open"]))
        lines.append(row(f"SEALED ({result['sealed']['novels']} novels)", result["sealed"]))
    lines.append(row(f"ALL ({result['all']['novels']} novels)", result["all"]))
    for r in result["novels"]:
        wrong = r.get("quoted_wrong_names", [])
        if examples and (r["split_names"] or r["merge_names"] or wrong):
            lines.append(
                f"  {r['novel']}: split {', '.join(r['split_names'][:examples]) or '-'}; "
                f"merged {', '.join(r['merge_names'][:examples]) or '-'}; "
                f"quoted, no gold character {', '.join(wrong[:examples]) or '-'}"
            )
    for part in ("open", "sealed", "all"):
        b = result[part]
        if b["novels"] and b["quoted"] > b["quoted_right"]:
            lines.append(
                f"{part}: {b['quoted'] - b['quoted_right']} entries given a quotation are no gold character: "
                f"{b['quoted_wrong_described']} known by a description, {b['quoted_wrong_named']} by a name"
            )
    if "names" in result:
        n = result["names"]
        lines.append(
            f"proper-name persons ({n['gold_names']} gold, {n['pred_names']} predicted mentions): "
            f"precision {_f(n['precision']).strip()}, recall {_f(n['recall']).strip()}, F1 {_f(n['f1']).strip()}, "
            f"exact-span recall {_f(n['exact_recall']).strip()}"
        )
    if "seeds_summary" in result:
        sm = result["seeds_summary"]
        lines.append(
            f"over {len(result['seeds'])} seeds of the person model: "
            + ", ".join(
                f"{m} mean {sm[m]['mean']:.3f} ({sm[m]['min']:.3f}–{sm[m]['max']:.3f})" for m in ("precision", "recall", "f1")
            )
            + " (the rows above: seed 0)"
        )
    return "\n".join(lines)
