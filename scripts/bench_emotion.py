"""Emotion model speed: load time and utterances per second on one core (not a test: prints figures, and
exits 1 when the speed falls below its floor: ``--min-rate`` utterances/s, ``--max-load`` seconds to load).

python scripts/bench_emotion.py [--data ../shared/data/goemotions] [--n 5000] [--repeat 3] [--min-rate 1000]
                                [--max-load 2.0]

Uses GoEmotions dev comments when available, else a small built-in set of fiction-like lines repeated.
"""

from __future__ import annotations

import argparse
import os

# One core: keep BLAS to a single thread (set before numpy loads).
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import time  # noqa: E402
from pathlib import Path  # noqa: E402

SAMPLE = [
    "I'm so sorry, I failed you.",
    "Get out of my house!",
    "Thank you so much, really.",
    "Where were you last night?",
    "She stared at the letter until the words blurred and tears ran down her face.",
    "I love you. I always have.",
    "The rain kept falling on the empty street.",
    "Oh my god, you're back!",
]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "--data", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared/data/goemotions"
    )
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--min-rate", type=float, default=1000.0, help="floor in utterances/s (0: no check)")
    ap.add_argument("--max-load", type=float, default=2.0, help="ceiling on the model load in seconds (0: none)")
    args = ap.parse_args()

    t0 = time.perf_counter()
    import numpy  # noqa: F401

    from fabula.stages.emotion import EmotionModel

    t_import = time.perf_counter() - t0
    t1 = time.perf_counter()
    model = EmotionModel.load()
    t_load = time.perf_counter() - t1

    dev = args.data / "dev.tsv"
    if dev.is_file():
        texts = [line.split("\t")[0] for line in dev.read_text(encoding="utf-8").splitlines()][: args.n]
        source = f"GoEmotions dev ({len(texts)} comments)"
    else:
        texts = (SAMPLE * (args.n // len(SAMPLE) + 1))[: args.n]
        source = f"built-in sample ({len(texts)} lines)"
    chars = sum(len(t) for t in texts) / len(texts)
    best = float("inf")
    for _ in range(args.repeat):
        t2 = time.perf_counter()
        model.predict(texts)
        best = min(best, time.perf_counter() - t2)
    print(f"import: {t_import:.3f} s   load: {t_load:.3f} s")
    print(f"{source}, mean {chars:.0f} chars")
    rate = len(texts) / best
    print(f"predict: {rate:,.0f} utterances/s (best of {args.repeat}, one thread)")
    slow = []
    if args.min_rate and rate < args.min_rate:
        slow.append(f"{rate:,.0f} utterances/s is under the floor of {args.min_rate:,.0f}")
    if args.max_load and t_load > args.max_load:
        slow.append(f"loading took {t_load:.2f} s, over {args.max_load:.2f} s")
    if slow:
        raise SystemExit("too slow: " + "; ".join(slow))


if __name__ == "__main__":
    main()
