"""Corpus-mode benchmark: words/s and peak RSS per worker with 1 and 2 workers, local pool and Dask, and the
database size per 100k words (``make corpus-bench``; not a test).

The corpus is built at run time in a temporary folder from ``../shared/data``: the PDNC novels cut at their chapter
headings (novels without headings cut into ~4000-word parts at paragraph breaks) and the texts in ``real/``, cut
the same way; ``--chapters N`` of them are taken round-robin across the books. Nothing is copied into the repository.

    python scripts/corpus_bench.py [--data ../shared/data] [--chapters 240] [--runs local1,local2,dask1,dask2]
                                   [--json out.json]

Each run writes a fresh database. words/s leaves out the workers' start-up (reported beside it); the load average
before and after each run is printed because other processes on the machine slow the runs down. Mind Linux's
autogroup scheduling (``/proc/sys/kernel/sched_autogroup_enabled``): every terminal session gets an equal share of
the CPUs however many processes it runs, so while other sessions are busy a second worker gets no more CPU and the
speed-up cannot show; the CPU seconds columns (this process, which alone writes the database and hosts a Dask
LocalCluster's scheduler and nannies, and its worker processes) still show the work done. Measure speed-ups on an
otherwise idle machine.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from fabula.api import pipeline
from fabula.corpus import Store, run_corpus

HEADING = re.compile(r"^[ \t]*(?:CHAPTER|Chapter)\b[^\n]{0,60}$", re.MULTILINE)
PART_WORDS = 4000


def _parts(text: str) -> list[str]:
    """``text`` cut at its chapter headings, or into ~PART_WORDS-word parts at paragraph breaks."""
    starts = [m.start() for m in HEADING.finditer(text)]
    if len(starts) >= 3:
        bounds = [*starts, len(text)]
        return [text[a:b] for a, b in itertools.pairwise(bounds) if len(text[a:b].split()) > 200]
    out, cur, n = [], [], 0
    for para in re.split(r"\n\s*\n", text):
        cur.append(para)
        n += len(para.split())
        if n >= PART_WORDS:
            out.append("\n\n".join(cur))
            cur, n = [], 0
    if cur:
        out.append("\n\n".join(cur))
    return out


def build_corpus(data: Path, out: Path, chapters: int) -> tuple[int, int, int]:
    """Write ``chapters`` chapter files under ``out`` (one folder per book); ``(files, books, words)``."""
    books: dict[str, list[str]] = {}
    for novel in sorted((data / "pdnc-dev").glob("*/novel_text.txt")):
        books[novel.parent.name] = _parts(novel.read_text(encoding="utf-8", errors="replace"))
    for real in sorted((data / "real").glob("*.txt")):
        books[real.stem] = _parts(real.read_text(encoding="utf-8", errors="replace"))
    if not books:
        sys.exit(f"no PDNC novels or real texts under {data}")
    picked: list[tuple[str, int, str]] = []
    depth = 0
    while len(picked) < chapters and any(depth < len(p) for p in books.values()):
        for name, parts in books.items():
            if depth < len(parts) and len(picked) < chapters:
                picked.append((name, depth, parts[depth]))
        depth += 1
    words = 0
    for name, i, body in picked:
        folder = out / name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{i:03d}.txt").write_text(body, encoding="utf-8")
        words += len(body.split())
    return len(picked), len({n for n, _, _ in picked}), words


def _load() -> str:
    try:
        return "/".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:  # pragma: no cover
        return "?"


def _cpu_s() -> tuple[float, float]:
    """CPU seconds of this process (with a Dask LocalCluster's scheduler and nannies, which run in it) and of its
    finished children (the pool's or the cluster's worker processes)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


def bench_run(corpus: Path, db: Path, engine: str, workers: int) -> dict[str, Any]:
    load_before = _load()
    parent0, kids0 = _cpu_s()
    t0 = time.perf_counter()
    s = run_corpus([str(corpus)], db, engine=engine, workers=workers)
    wall = time.perf_counter() - t0
    parent1, kids1 = _cpu_s()
    parent, kids = parent1 - parent0, kids1 - kids0
    cpu = parent + kids
    with Store.open(db, read_only=True) as store:
        st = store.stats()
    return {
        "engine": engine,
        "workers": s.workers,
        "documents": s.analysed,
        "failed": s.failed,
        "words": s.words,
        "wall_s": round(wall, 1),
        "startup_s": round(s.startup_s, 1),
        "words_per_s": round(s.words_per_second),
        "words_per_s_with_startup": round(s.words / wall),
        "cpu_s": round(cpu, 1),
        "parent_cpu_s": round(parent, 1),
        "workers_cpu_s": round(kids, 1),
        "parent_cpu_us_per_word": round(parent / s.words * 1e6, 1) if s.words else None,
        "workers_cpu_us_per_word": round(kids / s.words * 1e6, 1) if s.words else None,
        "words_per_cpu_s": round(s.words / cpu) if cpu else None,
        "peak_rss_mb_per_worker": sorted(round(v) for v in s.peak_rss_mb.values()),
        "db_bytes": st["bytes"],
        "db_mb_per_100k_words": round(st["bytes"] * 100_000 / s.words / 2**20, 2) if s.words else None,
        "load_before": load_before,
        "load_after": _load(),
    }


def _empty_db_bytes(tmp: Path) -> int:
    db = tmp / "empty.duckdb"
    Store.open(db).close()
    return db.stat().st_size


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared" / "data")
    ap.add_argument("--chapters", type=int, default=240)
    ap.add_argument("--runs", default="local1,local2,dask1,dask2", help="engine+workers, comma-separated")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="fabula-corpus-bench-") as tmp_name:
        tmp = Path(tmp_name)
        corpus = tmp / "corpus"
        files, books, words = build_corpus(args.data, corpus, args.chapters)
        print(f"corpus: {files} chapter files from {books} books, {words:,} words; {os.cpu_count()} CPUs", flush=True)
        pipeline()  # the parent's imports, so the first run's CPU figures do not carry them
        results = []
        for spec in args.runs.split(","):
            m = re.fullmatch(r"(local|dask)(\d+)", spec.strip())
            if not m:
                sys.exit(f"bad run {spec!r} (e.g. local2, dask1)")
            r = bench_run(corpus, tmp / f"{spec}.duckdb", m.group(1), int(m.group(2)))
            results.append(r)
            print(json.dumps(r), flush=True)
        empty = _empty_db_bytes(tmp)
    base = next((r for r in results if r["engine"] == "local" and r["workers"] == 1), None)
    print()
    print("| run | workers | docs | words | wall s | start-up s | words/s | × local 1 | CPU s (all processes) "
          "| parent CPU s | workers CPU s | CPU µs/word parent + workers | peak RSS/worker MB | DB MB/100k words "
          "| load before/after |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        speed = f"{r['words_per_s'] / base['words_per_s']:.2f}" if base and base["words_per_s"] else "-"
        print(
            f"| {r['engine']} | {r['workers']} | {r['documents']} | {r['words']:,} | {r['wall_s']} | {r['startup_s']} "
            f"| {r['words_per_s']:,} | {speed} | {r['cpu_s']} | {r['parent_cpu_s']} | {r['workers_cpu_s']} "
            f"| {r['parent_cpu_us_per_word']} + {r['workers_cpu_us_per_word']} "
            f"| {', '.join(map(str, r['peak_rss_mb_per_worker']))} "
            f"| {r['db_mb_per_100k_words']} | {r['load_before'].split('/')[0]} / {r['load_after'].split('/')[0]} |"
        )
    parent_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    last = results[-1]
    marginal = (last["db_bytes"] - empty) * 100_000 / last["words"] / 2**20 if last["words"] else 0
    print(f"\nempty database {empty / 2**20:.2f} MB; marginal size {marginal:.2f} MB per 100k words; "
          f"parent peak RSS {parent_mb:.0f} MB")
    if args.json:
        args.json.write_text(json.dumps({"runs": results, "empty_db_bytes": empty, "parent_peak_rss_mb": parent_mb},
                                        indent=2))


if __name__ == "__main__":
    main()
