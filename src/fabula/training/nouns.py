"""Train the person-noun table: ``python -m fabula.training.nouns [--litbank DIR] [--folds K]``.

Is "the courier", "the instant", "the bitter" a person? The table answers from LitBank's entity layer
(``entities/brat``), where every mention of a person, common noun phrases included, is annotated ``PER``: for each
lower-case word, how often it is the head of a ``PER`` mention against how often it occurs in lower case at all.
A word written often and never a person's head ("instant", "breath", "bitter") is no person; one mostly a person's
head ("sergeant", "landlord") is. Words LitBank has too rarely are not in the table, and the caller falls back on
the lexicon and suffixes (:func:`fabula.stages.characters.nouns.personish`).

Evaluated leaving documents out: description candidates (a lower-case word right after a determiner, or after a
determiner and one word) in the held-out texts, each labelled by whether it heads a gold ``PER`` mention; the table
built from the other folds against the suffix rule alone. Writes ``models/persons/person_nouns.json`` and its card.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from fabula.lexicon import PERSON_NOUN_MIN_COUNT, PERSON_NOUN_THRESHOLD, person_noun, person_noun_rule
from fabula.training import DATA

MODEL_DIR = Path(__file__).resolve().parents[1] / "models" / "persons"

_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
#: Words after which a noun phrase's head has been passed ("the man *with* the beard").
_HEAD_STOP = frozenset("of with in who that which whom whose from at on to for by , 's".split())
_DETS = frozenset("the a an his her their my your our this that".split())


@dataclass(slots=True)
class Text:
    """One LitBank text: its words (offsets) and the start offsets of the heads of its PER and other mentions."""

    name: str
    words: list[tuple[str, int]]
    per_heads: set[int]


def _head(text: str, a: int, b: int) -> int | None:
    """The offset of a mention's head word: its last word before a preposition or relative, if lower case."""
    last = None
    for m in _WORD.finditer(text, a, b):
        if m.group().lower() in _HEAD_STOP:
            break
        last = m
    return last.start() if last is not None and last.group()[0].islower() else None


def load(root: Path) -> list[Text]:
    """LitBank's texts with the heads of their PER mentions."""
    out = []
    for ann in sorted((root / "entities" / "brat").glob("*.ann")):
        text = ann.with_suffix(".txt").read_text(encoding="utf-8")
        heads = set()
        for ln in ann.read_text(encoding="utf-8").splitlines():
            parts = ln.split("\t")
            if len(parts) < 2 or not parts[0].startswith("T"):
                continue
            kind, *span = parts[1].split()
            if kind != "PER" or len(span) != 2:
                continue
            h = _head(text, int(span[0]), int(span[1]))
            if h is not None:
                heads.add(h)
        words = [(m.group(), m.start()) for m in _WORD.finditer(text)]
        out.append(Text(ann.stem.replace("_brat", ""), words, heads))
    return out


def table(texts: Iterable[Text], min_count: int = PERSON_NOUN_MIN_COUNT) -> dict[str, float]:
    """``word -> share of its lower-case uses that head a PER mention``, for words used at least ``min_count``
    times in lower case."""
    uses: Counter[str] = Counter()
    per: Counter[str] = Counter()
    for t in texts:
        for w, pos in t.words:
            if w[0].islower():
                uses[w] += 1
                per[w] += pos in t.per_heads
    return {w: round(per[w] / n, 3) for w, n in sorted(uses.items()) if n >= min_count}


def candidates(t: Text) -> Iterable[tuple[str, bool]]:
    """Description heads to score: a lower-case word one or two words after a determiner, with its gold label."""
    ws = t.words
    for k, (w, pos) in enumerate(ws):
        if not w[0].islower() or w in _DETS or w in _HEAD_STOP:
            continue
        if (k >= 1 and ws[k - 1][0].lower() in _DETS) or (k >= 2 and ws[k - 2][0].lower() in _DETS):
            yield w, pos in t.per_heads


def _prf(pairs: Sequence[tuple[bool, bool]]) -> tuple[float, float, float]:
    tp = sum(p and g for p, g in pairs)
    fp = sum(p and not g for p, g in pairs)
    fn = sum(g and not p for p, g in pairs)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def cross_validate(texts: Sequence[Text], folds: int) -> dict[str, tuple[float, float, float]]:
    """Held-out P/R/F1 of "this description's head is a person": the suffix rule, and the table with the rule
    for words it lacks. Folds are contiguous runs of texts (sorted by name)."""
    rule: list[tuple[bool, bool]] = []
    learned: list[tuple[bool, bool]] = []
    veto: list[tuple[bool, bool]] = []
    for f in range(folds):
        test = [t for i, t in enumerate(texts) if i % folds == f]
        tab = table(t for i, t in enumerate(texts) if i % folds != f)
        for t in test:
            for w, gold in candidates(t):
                by_rule = person_noun_rule(w)
                rule.append((by_rule, gold))
                p = tab.get(w)
                learned.append((by_rule if p is None else p >= PERSON_NOUN_THRESHOLD, gold))
                veto.append((person_noun(w, tab), gold))
    return {"suffix rule": _prf(rule), "table + rule": _prf(learned), "rule, table vetoes (shipped)": _prf(veto)}


_CARD = """# fabula person nouns

**What**: a table `word -> share of its lower-case uses in LitBank that head a person (PER) mention`
(`person_nouns.json`, {size} words, {kb} KB; words used fewer than {min_count} times in lower case are left out).
`fabula.stages.characters.nouns.personish` uses it as a veto: a description's head noun ("said *the
courier*", "the *instant*") names a person when the person-noun lexicon or its ending (-er, -or, -ist, -man, -ess,
…, not -ion, -ment, -ness, …) says so, unless the table gives it a share under {threshold} (lexicon nouns are never
vetoed). It decides whether a speech tag's description becomes a speaker of its own. The table does not add
persons: the heads it would add ("the baronet", "the cook") were, in the novels, mostly a named character's
epithet, better left to turn-taking than made a role of their own.

**Data**: LitBank's entity layer (100 excerpts of about 2,000 words, CC BY 4.0), where every person mention, common
noun phrases included, is annotated. A mention's head is its last word before a preposition or relative pronoun
("the man with the beard" -> man); only lower-case heads count.

**Leave-documents-out evaluation** ({folds} folds): every lower-case word one or two words after a determiner in
the held-out texts, labelled by whether it heads a gold PER mention ({n} candidates).

| decision | P | R | F1 |
|---|---|---|---|
{rows}

**Limits**: English, 19th- and early 20th-century fiction; a word is scored by its lower-case uses, so a word
that is mostly an adjective ("old", "bitter") scores low even where it is used as a noun ("the old" is rare in
tags anyway). Written by `python -m fabula.training.nouns`.
"""


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--litbank", type=Path, default=DATA / "litbank")
    ap.add_argument("--folds", type=int, default=5)
    args = ap.parse_args(argv)
    texts = load(args.litbank)
    cv = cross_validate(texts, args.folds)
    rows = "\n".join(f"| {k} | {p:.3f} | {r:.3f} | {f:.3f} |" for k, (p, r, f) in cv.items())
    print(rows)
    tab = table(texts)
    path = MODEL_DIR / "person_nouns.json"
    path.write_text(json.dumps(tab, separators=(",", ":")) + "\n", encoding="utf-8")
    n = sum(1 for t in texts for _ in candidates(t))
    card = _CARD.format(
        size=len(tab), kb=round(path.stat().st_size / 1024), threshold=PERSON_NOUN_THRESHOLD,
        min_count=PERSON_NOUN_MIN_COUNT, folds=args.folds, n=n, rows=rows,
    )
    (MODEL_DIR / "NOUNS_CARD.md").write_text(card, encoding="utf-8")


if __name__ == "__main__":
    main()
