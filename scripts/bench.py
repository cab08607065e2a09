"""Speed and memory benchmark on the longest PDNC dev novel (not a test: prints figures).

python scripts/bench.py [--data ../shared/data/pdnc-dev] [--upto quotes] [--repeat 3]
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

from fabula.api import analyze, pipeline


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "--data", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared/data/pdnc-dev"
    )
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    novels = sorted(args.data.glob("*/novel_text.txt"), key=lambda p: p.stat().st_size)
    if not novels:
        raise SystemExit(f"no PDNC novels under {args.data}")
    path = novels[-1]
    data = path.read_bytes()
    words = len(data.split())
    print(f"novel: {path.parent.name}  {words} words  {len(data) / 2**20:.2f} MB")
    for upto in ("quotes", None):
        stages = pipeline(upto)
        analyze(data[:20000], input_format="text", stages=pipeline(upto))  # warm up (loads models)
        best = float("inf")
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            analyze(data, input_format="text", stages=stages)
            best = min(best, time.perf_counter() - t0)
        label = (
            "ingest+segment+quotes" if upto else "full pipeline (" + ", ".join(s.name for s in stages) + ")"
        )
        print(f"{label}: {best:.3f} s  {words / best:,.0f} words/s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak:.0f} MB")


if __name__ == "__main__":
    main()
