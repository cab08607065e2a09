"""Predictions snapshot: run fabula over every annotated and sample text in ../shared/data and write one JSON
file per document, or compare two snapshots. A restructuring that claims to be behaviour-identical must leave
the snapshot unchanged (not a test: it needs ../shared/data and takes a few minutes).

python scripts/snapshot.py write OUT [--data ../shared/data] [--jobs 2] [--only NAME]
python scripts/snapshot.py diff OLD NEW

Documents: the 19 PDNC dev novels (end to end, and with gold quotations up to attribution), the LitBank and
QuoteLi3 texts, the seeds and the raw downloads in ``real/``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from multiprocessing import Pool
from pathlib import Path
from typing import Any

Job = tuple[str, str, str]  # (document name, kind, path or corpus key)

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared/data"


def _jobs(data: Path) -> Iterator[Job]:
    for p in sorted((data / "pdnc-dev").glob("*/novel_text.txt")):
        yield f"pdnc-{p.parent.name}", "file", str(p)
        yield f"pdnc-gold-{p.parent.name}", "pdnc-gold", str(p.parent)
    for sub in ("seeds", "real"):
        for p in sorted((data / sub).glob("*.txt")):
            yield f"{sub}-{p.stem}", "file", str(p)
    yield "litbank", "litbank", str(data / "litbank")
    yield "quoteli3", "quoteli3", str(data / "quoteli3")


def _dump(story: Any) -> dict[str, Any]:
    from fabula.writers.json import to_dict

    d = to_dict(story, text=False)
    d.pop("fabula", None)
    d.pop("generated", None)
    return d


def _texts(kind: str, where: str) -> list[tuple[str, str]]:
    from fabula.corpora.novels import load_litbank, load_quoteli3

    loader: Callable[[str], Any] = load_litbank if kind == "litbank" else load_quoteli3
    return [(n.name, n.text) for n in loader(where)]


def _run(job: Job) -> tuple[str, dict[str, Any]]:
    from fabula.api import analyze

    name, kind, where = job
    if kind == "file":
        return name, _dump(analyze(Path(where)))
    if kind == "pdnc-gold":
        from fabula.corpora.novels import load_pdnc
        from fabula.eval.attribution import analyse_novel

        nov = next(iter(load_pdnc(Path(where).parent, [Path(where).name])))
        return name, _dump(analyse_novel(nov, gold_quotes=True))
    out = {}
    for doc, text in _texts(kind, where):
        out[doc] = _dump(analyze(text.encode("utf-8"), input_format="text"))
    return name, out


def write(out: Path, data: Path, jobs: int, only: str | None) -> None:
    out.mkdir(parents=True, exist_ok=True)
    todo = [j for j in _jobs(data) if only is None or only in j[0]]
    with Pool(jobs) as pool:
        for name, d in pool.imap_unordered(_run, todo):
            (out / f"{name}.json").write_text(json.dumps(d, sort_keys=True, indent=0), encoding="utf-8")
            print(name, flush=True)


def _first_difference(a: Any, b: Any, path: str = "") -> str | None:
    if type(a) is not type(b):
        return f"{path}: {a!r:.80} != {b!r:.80}"
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return f"{path}/{k}: only in {'new' if k not in a else 'old'}"
            d = _first_difference(a[k], b[k], f"{path}/{k}")
            if d:
                return d
        return None
    if isinstance(a, list):
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            d = _first_difference(x, y, f"{path}[{i}]")
            if d:
                return d
        return None if len(a) == len(b) else f"{path}: length {len(a)} != {len(b)}"
    return None if a == b else f"{path}: {a!r:.80} != {b!r:.80}"


def diff(old: Path, new: Path) -> int:
    names = sorted({p.name for p in old.glob("*.json")} | {p.name for p in new.glob("*.json")})
    changed = 0
    for n in names:
        if not (old / n).exists() or not (new / n).exists():
            print(f"{n}: only in {'new' if not (old / n).exists() else 'old'}")
            changed += 1
            continue
        d = _first_difference(json.loads((old / n).read_text()), json.loads((new / n).read_text()))
        if d:
            print(f"{n}: {d}")
            changed += 1
    print(f"{len(names) - changed} identical, {changed} different")
    return 1 if changed else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("write")
    w.add_argument("out", type=Path)
    w.add_argument("--data", type=Path, default=DEFAULT_DATA)
    w.add_argument("--jobs", type=int, default=2)
    w.add_argument("--only")
    d = sub.add_parser("diff")
    d.add_argument("old", type=Path)
    d.add_argument("new", type=Path)
    args = ap.parse_args()
    if args.cmd == "write":
        write(args.out, args.data, args.jobs, args.only)
        return 0
    return diff(args.old, args.new)


if __name__ == "__main__":
    sys.exit(main())
