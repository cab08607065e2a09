"""Trace the attribution of one open annotated text, quotation by quotation (a debugging aid, not a test).

python scripts/trace_attribution.py DIR NAME [--errors]

DIR is a folder in the PDNC format (``../shared/data/pdnc-dev``, ``benchmarks/scenes``), NAME one text in it. For
each of fabula's quotations: the first words, the rule pass's pick and rule, the final speaker (ranker, then
narrators and roles named) with the ranker's confidence, the gold speaker of the gold quotation it overlaps most,
and the candidates the ranker chose among.
Picks are judged strictly (``fabula.eval.strict``). Sealed texts (``fabula.corpora.sealed``) are refused: their
errors are never read.
"""

from __future__ import annotations

import argparse
import sys

from fabula.api import analyze
from fabula.corpora.align import overlap_finder
from fabula.corpora.novels import load_pdnc
from fabula.corpora.sealed import is_sealed
from fabula.eval.strict import StrictJudge
from fabula.stages.attribution import finish, load_model, rerank, rule_pass
from fabula.stages.attribution.features import contexts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", help="a folder in the PDNC format")
    ap.add_argument("name", help="one text of it (an open one)")
    ap.add_argument("--errors", action="store_true", help="print the wrong picks only")
    args = ap.parse_args(argv)
    if is_sealed(args.name):
        print(f"{args.name} is sealed: its errors are not read", file=sys.stderr)
        return 2
    novels = list(load_pdnc(args.folder, [args.name]))
    if not novels:
        print(f"{args.name}: not found in {args.folder}", file=sys.stderr)
        return 2
    nov = novels[0]
    story = analyze(nov.text.encode("utf-8"), input_format="text", upto="characters")
    st = rule_pass(story)
    rules = [(x.speaker, x.rule) for x in st.qs]
    cands = {q.i: c for q, c in contexts(st) if c}
    model = load_model()
    if model is not None:
        rerank(st, model)
    finish(st)  # narrators and roles named, as fabula's output has them
    names = {c.id: c.name for c in [*story.characters, *story.mentioned, *st.new_chars]}
    judge = StrictJudge(nov, story.characters)
    best = overlap_finder([x.quote for x in st.qs])
    gold: dict[int, str | None] = {}
    for gq in nov.quotes:
        q = best(*gq.spans[0])
        if q is not None:
            gold.setdefault(q.id, gq.speaker)
    right = total = 0
    for x, (rule_pick, rule) in zip(st.qs, rules, strict=True):
        g = gold.get(x.quote.id)
        if not g:
            continue
        ok = judge.speaker(g, x.quote.speaker)
        right += ok
        total += 1
        if args.errors and ok:
            continue
        words = st.text[x.quote.start : x.quote.end][:48].replace("\n", " ")
        conf = f"{x.learned_confidence:.2f}" if x.learned_confidence is not None else "rule"
        print(
            f"{'ok ' if ok else 'XX '}{words!r:52} {rule}:{names.get(rule_pick or '', rule_pick)} -> "
            f"{names.get(x.quote.speaker or '', x.quote.speaker)} [{conf}] gold={g} "
            f"cands={[names.get(c, c) for c in cands.get(x.index, [])]}"
        )
    print(f"{right}/{total} quotations right (strict; fabula eval pdnc counts gold sub-spans instead)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
