"""Speaker and addressee attribution scored against PDNC, LitBank and QuoteLi3.

The unit is one gold sub-quotation span. End to end (default), fabula finds its own quotations and characters: a
gold span is matched to the predicted quotation overlapping it most. Scoring is strict by default: each predicted
character maps to one gold character (:mod:`fabula.eval.strict`) and a speaker is right when that is the gold
speaker. ``strict=False`` (``--lenient``) counts it right when any of its names (name + aliases) matches the gold
speaker's name or aliases. With ``gold_quotes=True`` the gold spans replace ``story.quotes`` before the characters
and attribution stages run. PDNC's sealed novels (:mod:`fabula.corpora.sealed`) are reported as one aggregate only.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from fabula.api import analyze, stage
from fabula.corpora.align import char_names, gold_names, norm_name, overlap_finder, story_with_gold_quotes
from fabula.corpora.novels import GoldNovel, load_litbank, load_pdnc, load_quoteli3, pieces
from fabula.corpora.sealed import SCENE_BATCHES, is_sealed
from fabula.eval.metrics import bucket, with_rates
from fabula.eval.strict import GROUP, StrictJudge
from fabula.story import Story

log = logging.getLogger(__name__)

TYPES = ("explicit", "anaphoric", "implicit")


def analyse_novel(
    nov: GoldNovel, gold_quotes: bool = False, config: Mapping[str, Mapping[str, Any]] | None = None
) -> Story:
    """Run fabula up to attribution on ``nov`` (on its gold quotation spans with ``gold_quotes``), with per-stage
    options ``config`` (``{"attribution": {"model": ranker}, "characters": {"person_model": model}}``; None: the
    shipped models)."""
    if gold_quotes:
        story = story_with_gold_quotes(nov)
        stage("characters").with_options(**(config or {}).get("characters", {}))(story)
        stage("attribution").with_options(**(config or {}).get("attribution", {}))(story)
        return story
    cfg = {k: dict(v) for k, v in config.items()} if config else None
    return analyze(nov.text.encode("utf-8"), input_format="text", upto="attribution", config=cfg)


def score_novel(nov: GoldNovel, story: Story, seconds: float = 0.0, strict: bool = True) -> dict[str, Any]:
    """Score one analysed novel against its gold quotations (strictly, or leniently by names)."""
    chars = {c.id: c for c in story.characters}
    judge = StrictJudge(nov, story.characters) if strict else None
    best_overlap = overlap_finder(story.quotes)
    narr_gold = {c.name for c in nov.characters if "_narr" in c.aliases}
    res: dict[str, Any] = {
        "novel": nov.name,
        "speaker": bucket(),
        "by_type": {t: bucket() for t in TYPES},
        "addressee": bucket(),
        "narrator": bucket(),
        "matched": 0,
    }
    confusions: Counter[tuple[str, str]] = Counter()
    for g in nov.quotes:
        gnames = gold_names(nov, g.speaker)
        addr_done = False
        for a, b in g.spans:
            q = best_overlap(a, b)
            pred = chars.get(q.speaker) if q is not None and q.speaker else None
            if judge is not None:
                ok = judge.speaker(g.speaker, pred.id if pred is not None else None)
                # several voices at once, and fabula says so: a group line with no one speaker
                ok = ok or (g.speaker == GROUP and q is not None and q.speaker is None and q.type == "group")
            else:
                ok = bool(gnames & char_names(pred))
                if not ok and pred is not None and pred.narrator and g.speaker and norm_name(g.speaker) == "i":
                    ok = True  # LitBank's unnamed first-person narrator ("I") is fabula's narrator
            res["speaker"]["n"] += 1
            res["speaker"]["correct"] += ok
            if q is not None:
                res["matched"] += 1
            if g.type in res["by_type"]:
                res["by_type"][g.type]["n"] += 1
                res["by_type"][g.type]["correct"] += ok
            if g.speaker in narr_gold or (g.speaker and "_narr" in nov.names_of(g.speaker)):
                res["narrator"]["n"] += 1
                res["narrator"]["correct"] += ok
            if not ok:
                confusions[
                    (g.speaker or "-", pred.name if pred else ("(no quote)" if q is None else "(none)"))
                ] += 1
            if not addr_done and g.addressees:
                addr_done = True
                pred_ids = q.addressees if q is not None else []
                res["addressee"]["n"] += 1
                if judge is not None:
                    res["addressee"]["correct"] += judge.addressees(g.addressees, pred_ids)
                    continue
                gold_addr: set[str] = set()
                for ad in g.addressees:
                    gold_addr |= gold_names(nov, ad)
                pred_addr: set[str] = set()
                for cid in pred_ids:
                    pred_addr |= char_names(chars.get(cid))
                res["addressee"]["correct"] += bool(gold_addr & pred_addr)
    res["confusions"] = [[gname, pname, n] for (gname, pname), n in confusions.most_common(8)]
    res["words"] = len(nov.text.split())
    res["seconds"] = round(seconds, 3)
    if not res["narrator"]["n"]:
        res["narrator"] = None
    return with_rates(res)


def summarise(results: list[dict[str, Any]], corpus: str, mode: str) -> dict[str, Any]:
    tot: dict[str, Any] = {
        "speaker": bucket(),
        "by_type": {t: bucket() for t in TYPES},
        "addressee": bucket(),
        "narrator": bucket(),
    }
    conf: Counter[tuple[str, str, str]] = Counter()
    words = 0
    secs = 0.0
    matched = 0
    for r in results:
        for k in ("speaker", "addressee", "narrator"):
            if r[k]:
                tot[k]["n"] += r[k]["n"]
                tot[k]["correct"] += r[k]["correct"]
        for t in TYPES:
            tot["by_type"][t]["n"] += r["by_type"][t]["n"]
            tot["by_type"][t]["correct"] += r["by_type"][t]["correct"]
        for g, p, n in r["confusions"]:
            conf[(r["novel"], g, p)] += n
        words += r["words"]
        secs += r["seconds"]
        matched += r["matched"]
    overall = with_rates(tot)
    if not overall["narrator"]["n"]:
        overall["narrator"] = None
    overall["matched"] = matched
    overall["words"] = words
    overall["words_per_second"] = round(words / secs) if secs else None
    return {
        "corpus": corpus,
        "mode": mode,
        "novels": results,
        "overall": overall,
        "confusions": [[nv, g, p, n] for (nv, g, p), n in conf.most_common(15)],
    }


def merge_rows(name: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """One row for a novel read in pieces: the pieces' rows (:func:`score_novel`) summed."""
    overall = summarise(rows, "", "")["overall"]
    conf: Counter[tuple[str, str]] = Counter()
    for r in rows:
        for g, p, n in r["confusions"]:
            conf[(g, p)] += n
    row = {k: overall[k] for k in ("speaker", "by_type", "addressee", "narrator", "matched", "words")}
    row.update(novel=name, pieces=len(rows), seconds=round(sum(r["seconds"] for r in rows), 3))
    row["confusions"] = [[g, p, n] for (g, p), n in conf.most_common(8)]
    return row


def _evaluate(
    novels: Iterable[GoldNovel],
    corpus: str,
    gold_quotes: bool,
    configs: Mapping[str, Mapping[str, Mapping[str, Any]]] | None = None,
    strict: bool = True,
    piece_words: int | None = None,
) -> dict[str, Any]:
    results = []
    for nov in novels:
        rows = []
        for part in pieces(nov, piece_words) if piece_words else [nov]:
            t0 = time.perf_counter()
            story = analyse_novel(part, gold_quotes, None if configs is None else configs.get(nov.name))
            rows.append(score_novel(part, story, time.perf_counter() - t0, strict))
        results.append(merge_rows(nov.name, rows) if piece_words else rows[0])
        if not (corpus == "pdnc" and is_sealed(nov.name)):
            log.info("%s: %s", nov.name, results[-1]["speaker"])
    mode = ("gold-quotes" if gold_quotes else "end-to-end") + (", strict" if strict else ", lenient")
    if piece_words:
        mode += f", pieces of {piece_words:,} words"
    if corpus != "pdnc":
        return summarise(results, corpus, mode)
    return split_sealed(results, corpus, mode)


def split_sealed(results: list[dict[str, Any]], corpus: str, mode: str) -> dict[str, Any]:
    """The report with sealed novels folded into one aggregate: per-novel rows and confusions for the open
    novels only; ``overall`` over all novels, ``open`` and ``sealed`` over each part."""
    sealed = [r for r in results if is_sealed(r["novel"])]
    out = summarise([r for r in results if not is_sealed(r["novel"])], corpus, mode)
    out["open"] = out["overall"]
    out["sealed"] = summarise(sealed, corpus, mode)["overall"] if sealed else None
    out["overall"] = summarise(results, corpus, mode)["overall"]
    out["sealed_novels"] = sorted(r["novel"] for r in sealed)
    batches: list[dict[str, Any]] = []
    for k, batch in enumerate(SCENE_BATCHES, 1):
        part = [r for r in results if r["novel"] in batch]
        if part:
            entry: dict[str, Any] = {"batch": k}
            for half in ("open", "sealed"):
                rows = [r for r in part if is_sealed(r["novel"]) == (half == "sealed")]
                entry[half] = summarise(rows, corpus, mode)["overall"] if rows else None
            batches.append(entry)
    if batches:
        out["batches"] = batches  # our scenes, batch by batch: each half as one aggregate
    return out


def evaluate_pdnc(
    root: Path | str,
    novels: Sequence[str] | None = None,
    gold_quotes: bool = False,
    configs: Mapping[str, Mapping[str, Mapping[str, Any]]] | None = None,
    folds: int | None = None,
    strict: bool = True,
    piece_words: int | None = None,
) -> dict[str, Any]:
    """Speaker/addressee accuracy per PDNC novel; with ``piece_words``, each novel read as pieces of about that
    many words (:func:`fabula.corpora.novels.pieces`: chapters read alone), their scores summed per novel.

    ``configs`` maps a novel to the stage options it is analysed with (``fabula eval pdnc --folds K`` passes
    :func:`fabula.training.folds.fold_configs`: a ranker and a person model never trained on the novel; ``folds``
    is reported with the figures). Without ``configs``, the shipped models are used, which were trained on the
    open PDNC dev novels: figures on those are then in-sample. Sealed novels appear only in the ``sealed``
    aggregate, and no shipped model was trained on them.
    """
    out = _evaluate(load_pdnc(root, novels), "pdnc", gold_quotes, configs, strict, piece_words)
    out["folds"] = folds
    out["piece_words"] = piece_words
    return out


def evaluate_litbank(root: Path | str, gold_quotes: bool = False, strict: bool = True) -> dict[str, Any]:
    return _evaluate(load_litbank(root), "litbank", gold_quotes, strict=strict)


def evaluate_quoteli3(root: Path | str, gold_quotes: bool = False, strict: bool = True) -> dict[str, Any]:
    return _evaluate(load_quoteli3(root), "quoteli3", gold_quotes, strict=strict)


def _fmt(d: dict[str, Any] | None) -> str:
    if not d or not d.get("n"):
        return "     -"
    return f"{d['accuracy']:6.3f}"


def format_report(result: dict[str, Any]) -> str:
    """A readable table: per novel speaker accuracy overall and by type, addressees, narrator, matched spans."""
    head = (
        f"{'novel':30} {'spans':>6} {'speaker':>7} {'explic':>6} {'anaph':>6} {'implic':>6} "
        f"{'addr':>6} {'narr':>6} {'match':>6}"
    )
    lines = [f"{result['corpus']} ({result['mode']})", head]

    def row(name: str, r: dict[str, Any]) -> str:
        n = r["speaker"]["n"]
        bt = r["by_type"]
        match = r["matched"] / n if n else 0.0
        return (
            f"{name[:30]:30} {n:6d} {_fmt(r['speaker']):>7} {_fmt(bt['explicit'])} {_fmt(bt['anaphoric'])} "
            f"{_fmt(bt['implicit'])} {_fmt(r['addressee'])} {_fmt(r['narrator'])} {match:6.3f}"
        )

    for r in result["novels"]:
        lines.append(row(r["novel"], r))
    for b in result.get("batches", ()):
        for half in ("open", "sealed"):
            if b[half]:
                lines.append(row(f"BATCH {b['batch']} {half.upper()}", b[half]))
    if result.get("sealed"):
        lines.append(row(f"OPEN ({len(result['novels'])} novels)", result["open"]))
        lines.append(row(f"SEALED ({len(result['sealed_novels'])} novels)", result["sealed"]))
    lines.append(row("OVERALL", result["overall"]))
    wps = result["overall"].get("words_per_second")
    if wps:
        lines.append(f"speed: {wps} words/s (whole pipeline, this machine)")
    if result.get("confusions"):
        lines.append("worst confusions (novel: gold -> predicted × n):")
        for nv, g, p, n in result["confusions"]:
            lines.append(f"  {nv}: {g} -> {p} × {n}")
    return "\n".join(lines)
