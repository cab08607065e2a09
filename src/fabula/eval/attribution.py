"""Speaker and addressee attribution scored against PDNC, LitBank and QuoteLi3.

The unit is one gold sub-quotation span. End to end (default), fabula finds its own quotations and characters: a
gold span is matched to the predicted quotation overlapping it most, and a predicted speaker counts as right when
any of its names (name + aliases) matches the gold speaker's name or aliases. With ``gold_quotes=True`` the gold
spans replace ``story.quotes`` before the characters and attribution stages run.
"""

from __future__ import annotations

import bisect
import logging
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from fabula.api import analyze, stage
from fabula.eval.corpora import GoldNovel, load_litbank, load_pdnc, load_quoteli3
from fabula.story import Character, Quote, Story

log = logging.getLogger(__name__)

_MARKS = "\"“”‘’'«»`"
TYPES = ("explicit", "anaphoric", "implicit")


def norm_name(s: str) -> str:
    """Names compared case-, punctuation- and article-insensitively (``Mr. Darcy`` = ``mr darcy``, ``a girl`` =
    ``the girl``)."""
    out = re.sub(r"\s+", " ", re.sub(r"[.\u2019'’,_]", "", s.lower())).strip()
    return re.sub(r"^(?:the|an|a) ", "", out)


def char_names(c: Character | None) -> set[str]:
    if c is None:
        return set()
    return {norm_name(n) for n in (c.name, *c.aliases) if n} - {"i", "he", "she", "the narrator", ""}


def _gold_names(nov: GoldNovel, who: str | None) -> set[str]:
    return {norm_name(n) for n in nov.names_of(who)} - {"", "_narr", "narr"}


def story_with_gold_quotes(nov: GoldNovel) -> Story:
    """Segment the novel's text, then put the gold quotation spans in place of detected quotations."""
    story = analyze(nov.text.encode("utf-8"), input_format="text", upto="segment")
    text = story.text
    quotes = []
    for i, g in enumerate(sorted(nov.quotes, key=lambda q: q.spans[0][0])):
        spans = sorted((int(a), int(b)) for a, b in g.spans)
        a, b = spans[0][0], spans[-1][1]
        o0 = a - 1 if a > 0 and text[a - 1] in _MARKS else a
        o1 = b + 1 if b < len(text) and text[b] in _MARKS else b
        quotes.append(Quote(id=i, spans=spans, outer=(o0, o1)))
    story.quotes = quotes
    story.done.append("quotes")
    return story


def analyse_novel(nov: GoldNovel, gold_quotes: bool = False) -> Story:
    if gold_quotes:
        story = story_with_gold_quotes(nov)
        for name in ("characters", "attribution"):
            stage(name)(story)
        return story
    return analyze(nov.text.encode("utf-8"), input_format="text", upto="attribution")


def _bucket() -> dict[str, int]:
    return {"n": 0, "correct": 0}


def score_novel(nov: GoldNovel, story: Story, seconds: float = 0.0) -> dict[str, Any]:
    """Score one analysed novel against its gold quotations."""
    chars = {c.id: c for c in story.characters}
    best_overlap = overlap_finder(story.quotes)
    narr_gold = {c.name for c in nov.characters if "_narr" in c.aliases}
    res: dict[str, Any] = {
        "novel": nov.name,
        "speaker": _bucket(),
        "by_type": {t: _bucket() for t in TYPES},
        "addressee": _bucket(),
        "narrator": _bucket(),
        "matched": 0,
    }
    confusions: Counter[tuple[str, str]] = Counter()
    for g in nov.quotes:
        gnames = _gold_names(nov, g.speaker)
        addr_done = False
        for a, b in g.spans:
            q = best_overlap(a, b)
            pred = chars.get(q.speaker) if q is not None and q.speaker else None
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
                gold_addr: set[str] = set()
                for ad in g.addressees:
                    gold_addr |= _gold_names(nov, ad)
                pred_addr: set[str] = set()
                for cid in q.addressees if q is not None else []:
                    pred_addr |= char_names(chars.get(cid))
                res["addressee"]["n"] += 1
                res["addressee"]["correct"] += bool(gold_addr & pred_addr)
    res["confusions"] = [[gname, pname, n] for (gname, pname), n in confusions.most_common(8)]
    res["words"] = len(nov.text.split())
    res["seconds"] = round(seconds, 3)
    if not res["narrator"]["n"]:
        res["narrator"] = None
    return _with_rates(res)


def overlap_finder(quotes: Sequence[Quote]) -> Callable[[int, int], Quote | None]:
    """A lookup from a gold sub-span ``(a, b)`` to the quotation whose sub-span overlaps it most (None if none
    does): how end-to-end mode matches gold quotations to fabula's own."""
    spans = sorted((a, b, q) for q in quotes for a, b in q.spans)
    starts = [s[0] for s in spans]

    def best(a: int, b: int) -> Quote | None:
        i = bisect.bisect_left(starts, b) - 1
        out, out_ov = None, 0
        while i >= 0 and spans[i][1] > a - 2000:
            s, e, q = spans[i]
            ov = min(e, b) - max(s, a)
            if ov > out_ov:
                out, out_ov = q, ov
            i -= 1
        return out

    return best


def _rate(d: dict[str, int] | None) -> dict[str, Any] | None:
    if d is None:
        return None
    return {**d, "accuracy": round(d["correct"] / d["n"], 4) if d["n"] else None}


def _with_rates(res: dict[str, Any]) -> dict[str, Any]:
    for k in ("speaker", "addressee", "narrator"):
        res[k] = _rate(res[k])
    res["by_type"] = {t: _rate(v) for t, v in res["by_type"].items()}
    return res


def summarise(results: list[dict[str, Any]], corpus: str, mode: str) -> dict[str, Any]:
    tot: dict[str, Any] = {
        "speaker": _bucket(),
        "by_type": {t: _bucket() for t in TYPES},
        "addressee": _bucket(),
        "narrator": _bucket(),
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
    overall = _with_rates(tot)
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


def _evaluate(
    novels: Iterable[GoldNovel],
    corpus: str,
    gold_quotes: bool,
    models: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    from fabula.stages import attribution as att_mod

    results = []
    for nov in novels:
        saved = att_mod.MODEL_OVERRIDE
        if models is not None:
            att_mod.MODEL_OVERRIDE = models.get(nov.name)
        try:
            t0 = time.perf_counter()
            story = analyse_novel(nov, gold_quotes)
            dt = time.perf_counter() - t0
        finally:
            att_mod.MODEL_OVERRIDE = saved
        results.append(score_novel(nov, story, dt))
        log.info("%s: %s", nov.name, results[-1]["speaker"])
    return summarise(results, corpus, "gold-quotes" if gold_quotes else "end-to-end")


def evaluate_pdnc(
    root: Path | str, novels: Sequence[str] | None = None, gold_quotes: bool = False, folds: int | None = None
) -> dict[str, Any]:
    """Speaker/addressee accuracy per PDNC novel.

    With ``folds=K``, the learned ranker is retrained K times leaving novels out (novel j in fold j mod K, over
    the whole PDNC folder), and each novel is analysed with the ranker that never saw it. Without ``folds``, the
    shipped ranker is used, which was trained on PDNC dev: figures on those novels are then in-sample.
    """
    models = None
    if folds:
        from fabula.training.attribution import fold_models

        models = fold_models(root, folds)
    out = _evaluate(load_pdnc(root, novels), "pdnc", gold_quotes, models)
    out["folds"] = folds
    return out


def evaluate_litbank(root: Path | str, gold_quotes: bool = False) -> dict[str, Any]:
    return _evaluate(load_litbank(root), "litbank", gold_quotes)


def evaluate_quoteli3(root: Path | str, gold_quotes: bool = False) -> dict[str, Any]:
    return _evaluate(load_quoteli3(root), "quoteli3", gold_quotes)


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
    lines.append(row("OVERALL", result["overall"]))
    wps = result["overall"].get("words_per_second")
    if wps:
        lines.append(f"speed: {wps} words/s (whole pipeline, this machine)")
    if result.get("confusions"):
        lines.append("worst confusions (novel: gold -> predicted × n):")
        for nv, g, p, n in result["confusions"]:
            lines.append(f"  {nv}: {g} -> {p} × {n}")
    return "\n".join(lines)
