#!/usr/bin/env python3
"""Build the hand-annotated fabula evaluation scenes (PDNC format).

Usage:  python benchmarks/scenes/build.py [NAME ...]

(with names: build and check only those scenes)

For every source file ``benchmarks/scenes/src/<Name>.txt`` this script
(re)writes the folder ``benchmarks/scenes/<Name>/`` with

* ``novel_text.txt``       the scene, UTF-8, ``\\n`` line ends;
* ``character_info.csv``   ``Character ID,Main Name,Aliases,Gender,Category``;
* ``quotation_info.csv``   the PDNC quotation table (csv.QUOTE_ALL).

and then runs a checker over every generated folder (reading the files
back from disk) and prints a summary plus every intentional,
non-annotated quotation so a human can review them.

Source format
=============

A source file is a header, a line containing only ``---``, and a body.

Header lines (``key: value``; lines starting with ``;`` are comments)::

    marks: straight | curly | single | dash | dash-tight
        the dialogue marks of the scene: "..." / “...” / ‘...’, or
        em-dash-led dialogue (see "Dash dialogue" below): ``dash`` opens
        each spoken line with "— ", ``dash-tight`` with "—" and no space
    person: first-present | first-past | third-present | third-past
    apostrophe: straight | curly
        ``curly`` turns every ' of the body into ’ (typeset text)
    exercises: free text, one line (what the scene tests)
    char: KEY | Main Name | Alias 1; Alias 2; ... | F/M/X | major/minor
        one per character, in the order of character_info.csv.  KEY is the
        short id used by the quotation markers below.  The Main Name is
        always added to the aliases.  Write ``_narr`` as an alias for a
        first-person narrator.

Body: paragraphs separated by a blank line.  Lines inside a paragraph
are joined with a single space, so a paragraph may be wrapped.  The
output text is the paragraphs joined by a blank line, ending in ``\\n``.
Lines in the body starting with ``;;`` are comments and are dropped.

Inline markers (the builder emits the scene's own quote marks around
TEXT and records the character offsets of TEXT, marks excluded):

``{{SPK>ADDR1,ADDR2|TYPE|REF|TEXT}}``
    a spoken quotation.  SPK is a character KEY, ``_group`` (a crowd,
    several voices) or ``_unknowable``.  ADDRs are KEYs or ``_group``,
    comma separated, possibly empty (``SPK>``).  TYPE is ``E``
    (Explicit: a tag naming the speaker by name, title or description),
    ``A`` (Anaphoric: a pronoun tag, "she said", "I said") or ``I``
    (Implicit: no tag -- turn-taking, or an action beat).  REF is the
    referring expression in the tag that picks out the speaker ("Jace",
    "the driver", "she", "I"); empty for Implicit.
``{{+|TEXT}}``
    a further sub-span of the previous quotation (a quotation
    interrupted by its tag: ``"Well," said she, "I never did."``).
``{{#KIND|TEXT}}``
    a NON-dialogue quotation, not annotated (PDNC convention: only
    things a character says aloud are quotations).  KIND is a free word:
    sign, word, text, letter, thought, title...  The checker prints
    these so a human can confirm they are intentional.

Every dialogue mark in the output must come from a marker: the checker
fails if the text contains a mark that is neither an annotated
quotation nor a declared ``#`` quotation.  (For ``single`` scenes only
opening ‘ marks are checked, since ’ doubles as the apostrophe.)

Dash dialogue
=============

In ``dash`` and ``dash-tight`` scenes a spoken line is a paragraph that
opens with an em dash, and there is no closing mark: the speech runs to
the comma before its tag, or to the end of the paragraph::

    {{A>B|A|he|Wait,}} he said. {{+|Not yet.}}

becomes ``— Wait, he said. — Not yet.``: the builder writes the opening
dash (and, for ``dash``, one space) before every TEXT, including a
continuation, and nothing after it.  A span holds the speech with its own
final punctuation, the comma before a tag included (as in ``"Yes," she
said``), and must be followed by a space or the end of the paragraph; the
first span of a quotation must open its paragraph.  Every em dash in such a
scene must be a dialogue dash, so write interrupted speech with an
ellipsis.  Non-dialogue ``#`` quotations in these scenes are written in
curly double quotes “...”, which are checked like dialogue marks.
"""

from __future__ import annotations

import ast
import csv
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE / "src"

MARKS = {"straight": ('"', '"'), "curly": ("\u201c", "\u201d"), "single": ("\u2018", "\u2019"),
         "dash": ("\u2014 ", ""), "dash-tight": ("\u2014", "")}
DASH = {"dash", "dash-tight"}
SPECIAL = {"_group", "_unknowable"}
TYPES = {"E": "Explicit", "A": "Anaphoric", "I": "Implicit"}
QHEADER = [
    "quoteID", "quoteText", "subQuotationList", "quoteByteSpans", "speaker",
    "addressees", "quoteType", "referringExpression", "mentionTextsList",
    "mentionSpansList", "mentionEntitiesList",
]
MARKER = re.compile(r"\{\{(.*?)\}\}", re.S)
WORDS = (450, 900)
QUOTES = (12, 35)


def nonspeech_marks(marks: str) -> tuple[str, str]:
    """The marks of the ``#`` (non-dialogue) quotations of a scene."""
    return ("\u201c", "\u201d") if marks in DASH else MARKS[marks]


class SourceError(Exception):
    pass


def set_literal(items: list[str]) -> str:
    """A deterministic Python set literal."""
    return "{" + ", ".join(repr(x) for x in items) + "}"


def parse_source(path: Path) -> dict:
    raw = path.read_text(encoding="utf-8")
    if "\n---\n" not in raw:
        raise SourceError(f"{path.name}: no '---' separator")
    head, body = raw.split("\n---\n", 1)
    meta: dict = {"chars": []}
    for line in head.splitlines():
        line = line.strip()
        if not line or line.startswith(";"):
            continue
        key, _, val = line.partition(":")
        key, val = key.strip(), val.strip()
        if key == "char":
            parts = [p.strip() for p in val.split("|")]
            if len(parts) != 5:
                raise SourceError(f"{path.name}: bad char line {line!r}")
            ckey, main, aliases, gender, cat = parts
            names = [main] + [a.strip() for a in aliases.split(";") if a.strip()]
            seen: list[str] = []
            for n in names:
                if n not in seen:
                    seen.append(n)
            if gender not in {"F", "M", "X"} or cat not in {"major", "minor"}:
                raise SourceError(f"{path.name}: bad gender/category in {line!r}")
            meta["chars"].append({"key": ckey, "main": main, "aliases": seen, "gender": gender, "cat": cat})
        else:
            meta[key] = val
    if meta.get("marks") not in MARKS:
        raise SourceError(f"{path.name}: marks must be one of {sorted(MARKS)}")
    if meta.get("apostrophe", "straight") not in {"straight", "curly"}:
        raise SourceError(f"{path.name}: apostrophe must be straight or curly")
    if meta.get("apostrophe") == "curly":
        body = body.replace("'", "\u2019")
    lines = [ln for ln in body.split("\n") if not ln.startswith(";;")]
    paras, cur = [], []
    for ln in lines:
        if ln.strip():
            cur.append(ln.strip())
        elif cur:
            paras.append(" ".join(cur))
            cur = []
    if cur:
        paras.append(" ".join(cur))
    meta["paras"] = paras
    return meta


def build_scene(meta: dict, name: str) -> dict:
    op, cl = MARKS[meta["marks"]]
    keys = {c["key"]: c["main"] for c in meta["chars"]}

    def resolve(k: str) -> str:
        k = k.strip()
        if k in SPECIAL:
            return k
        if k not in keys:
            raise SourceError(f"{name}: unknown character key {k!r}")
        return keys[k]

    out: list[str] = []
    pos = 0
    quotes: list[dict] = []
    intentional: list[dict] = []
    last_para_of_quote = None

    def emit(s: str) -> None:
        nonlocal pos
        out.append(s)
        pos += len(s)

    for pi, para in enumerate(meta["paras"]):
        if pi:
            emit("\n\n")
        i = 0
        for m in MARKER.finditer(para):
            emit(para[i:m.start()])
            i = m.end()
            body = m.group(1)
            if body.startswith("+|"):
                txt = body[2:]
                if not quotes:
                    raise SourceError(f"{name}: continuation before any quotation")
                if last_para_of_quote != pi:
                    raise SourceError(f"{name}: continuation {txt[:30]!r} not in the same paragraph")
                emit(op)
                quotes[-1]["spans"].append([pos, pos + len(txt)])
                quotes[-1]["subs"].append(txt)
                emit(txt)
                emit(cl)
            elif body.startswith("#"):
                kind, _, txt = body[1:].partition("|")
                nop, ncl = nonspeech_marks(meta["marks"])
                emit(nop)
                intentional.append({"kind": kind, "span": [pos, pos + len(txt)], "text": txt})
                emit(txt)
                emit(ncl)
            else:
                parts = body.split("|", 3)
                if len(parts) != 4 or ">" not in parts[0]:
                    raise SourceError(f"{name}: bad marker {{{{{body}}}}}")
                who, typ, ref, txt = parts
                spk, _, addrs = who.partition(">")
                if typ not in TYPES:
                    raise SourceError(f"{name}: bad type {typ!r} in {body!r}")
                if typ == "I" and ref:
                    raise SourceError(f"{name}: Implicit quotation with a referring expression: {body!r}")
                if typ != "I" and not ref:
                    raise SourceError(f"{name}: tagged quotation without a referring expression: {body!r}")
                emit(op)
                quotes.append({
                    "speaker": resolve(spk),
                    "addressees": [resolve(a) for a in addrs.split(",") if a.strip()],
                    "type": TYPES[typ],
                    "ref": ref,
                    "spans": [[pos, pos + len(txt)]],
                    "subs": [txt],
                })
                last_para_of_quote = pi
                emit(txt)
                emit(cl)
        emit(para[i:])
    emit("\n")
    return {"text": "".join(out), "quotes": quotes, "intentional": intentional}


def write_scene(name: str, meta: dict, built: dict) -> None:
    d = HERE / name
    d.mkdir(exist_ok=True)
    (d / "novel_text.txt").write_text(built["text"], encoding="utf-8", newline="\n")
    with open(d / "character_info.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["Character ID", "Main Name", "Aliases", "Gender", "Category"])
        for i, c in enumerate(meta["chars"]):
            w.writerow([i, c["main"], set_literal(c["aliases"]), c["gender"], c["cat"]])
    with open(d / "quotation_info.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, quoting=csv.QUOTE_ALL, lineterminator="\n")
        w.writerow(QHEADER)
        for i, q in enumerate(built["quotes"]):
            w.writerow([
                f"Q{i}", " ".join(q["subs"]), repr(q["subs"]), str(q["spans"]), q["speaker"],
                repr(q["addressees"]), q["type"], q["ref"], "[]", "[]", "[]",
            ])


# --------------------------------------------------------------------------- checker

def mark_positions(text: str, marks: str) -> set[int]:
    op, cl = MARKS[marks]
    if marks == "single":
        return {i for i, ch in enumerate(text) if ch == op}
    if marks in DASH:
        return {i for i, ch in enumerate(text) if ch in "\u2014\u201c\u201d"}
    return {i for i, ch in enumerate(text) if ch in (op, cl)}


def check_scene(name: str, meta: dict, built: dict) -> list[str]:
    """Re-read the generated folder from disk and verify it; return errors."""
    errs: list[str] = []
    d = HERE / name
    text = (d / "novel_text.txt").read_text(encoding="utf-8")
    if "\r" in text:
        errs.append("carriage return in text")
    if "{{" in text or "}}" in text:
        errs.append("leftover marker braces in text")
    op, cl = MARKS[meta["marks"]]
    others = {"straight": "\u201c\u201d", "curly": '"', "single": '"', "dash": '"\u2018',
              "dash-tight": '"\u2018'}[meta["marks"]]
    dash = meta["marks"] in DASH
    for ch in others:
        if ch in text:
            errs.append(f"foreign quote mark {ch!r} in a {meta['marks']} scene")

    with open(d / "character_info.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    if rows[0] != ["Character ID", "Main Name", "Aliases", "Gender", "Category"]:
        errs.append("bad character_info header")
    mains = set()
    for r in rows[1:]:
        mains.add(r[1])
        aliases = ast.literal_eval(r[2])
        if not isinstance(aliases, set) or r[1] not in aliases:
            errs.append(f"aliases of {r[1]} not a set containing the main name")
    if meta.get("person", "").startswith("first") and not any(
        "_narr" in ast.literal_eval(r[2]) for r in rows[1:]
    ):
        errs.append("first-person scene without a _narr character")

    with open(d / "quotation_info.csv", encoding="utf-8", newline="") as f:
        header = f.readline().rstrip("\n")
        qrows = list(csv.DictReader(f, fieldnames=QHEADER))
    if header != ",".join(f'"{h}"' for h in QHEADER):
        errs.append("bad quotation_info header")
    boundaries: set[int] = set()
    prev_end = -1
    for i, r in enumerate(qrows):
        if r["quoteID"] != f"Q{i}":
            errs.append(f"quote id {r['quoteID']} out of order")
        subs = ast.literal_eval(r["subQuotationList"])
        spans = ast.literal_eval(r["quoteByteSpans"])
        if len(subs) != len(spans) or r["quoteText"] != " ".join(subs):
            errs.append(f"{r['quoteID']}: sub-quotations and spans disagree")
        for j, (sub, (a, b)) in enumerate(zip(subs, spans, strict=False)):
            if text[a:b] != sub:
                errs.append(f"{r['quoteID']}: span [{a},{b}] is {text[a:b]!r}, expected {sub!r}")
            if dash:
                o = a - len(op)
                if o < 0 or text[o:a] != op or (b < len(text) and text[b] not in " \n"):
                    errs.append(f"{r['quoteID']}: span [{a},{b}] not led by a dialogue dash"
                                " and followed by a space or a line end")
                if j == 0 and o > 0 and text[o - 1] != "\n":
                    errs.append(f"{r['quoteID']}: dash quotation does not open its paragraph")
                if not sub or sub[0].isspace() or sub[-1].isspace():
                    errs.append(f"{r['quoteID']}: dash span {sub!r} has outer whitespace")
            elif a < 1 or text[a - 1] != op or b >= len(text) or text[b] != cl:
                errs.append(f"{r['quoteID']}: span [{a},{b}] not enclosed by dialogue marks")
            if a <= prev_end:
                errs.append(f"{r['quoteID']}: spans not in text order")
            prev_end = b
            if "\n" in sub:
                errs.append(f"{r['quoteID']}: quotation crosses a line break")
            boundaries.add(a - len(op))
            if meta["marks"] != "single" and not dash:
                boundaries.add(b)
        if r["speaker"] not in mains | SPECIAL:
            errs.append(f"{r['quoteID']}: unknown speaker {r['speaker']!r}")
        for a in ast.literal_eval(r["addressees"]):
            if a not in mains | SPECIAL:
                errs.append(f"{r['quoteID']}: unknown addressee {a!r}")
        if r["speaker"] in ast.literal_eval(r["addressees"]):
            errs.append(f"{r['quoteID']}: speaker addresses themselves")
        if r["quoteType"] not in TYPES.values():
            errs.append(f"{r['quoteID']}: bad quoteType")
        for col in ("mentionTextsList", "mentionSpansList", "mentionEntitiesList"):
            if r[col] != "[]":
                errs.append(f"{r['quoteID']}: {col} not empty")
    for q in built["intentional"]:
        a, b = q["span"]
        if text[a:b] != q["text"]:
            errs.append(f"intentional quotation {q['text']!r} misplaced")
        boundaries.add(a - 1)
        if meta["marks"] != "single":
            boundaries.add(b)
        if dash and (text[a - 1] != "\u201c" or text[b] != "\u201d"):
            errs.append(f"intentional quotation {q['text']!r} not in “ ” marks")
    stray = sorted(mark_positions(text, meta["marks"]) - boundaries)
    for p in stray:
        errs.append(f"unannotated, undeclared dialogue mark at {p}: {text[max(0, p - 30):p + 30]!r}")
    if meta["marks"] == "single":
        for q in built["intentional"]:
            if text[q["span"][1]] != cl:
                errs.append(f"intentional quotation {q['text']!r} not closed by ’")

    words = len(text.split())
    if not WORDS[0] <= words <= WORDS[1]:
        errs.append(f"{words} words, outside {WORDS}")
    if not QUOTES[0] <= len(qrows) <= QUOTES[1]:
        errs.append(f"{len(qrows)} quotations, outside {QUOTES}")
    speakers = {r["speaker"] for r in qrows}
    unused = [c["main"] for c in meta["chars"] if c["main"] not in speakers]
    built["_unused"] = unused
    return errs


def main(names: list[str] | None = None) -> int:
    sources = sorted(SRC.glob("*.txt"))
    if names:
        sources = [s for s in sources if s.stem in names]
    if not sources:
        print("no sources in", SRC)
        return 1
    failures = 0
    total_q = 0
    rows = []
    for src in sources:
        name = src.stem
        try:
            meta = parse_source(src)
            built = build_scene(meta, name)
        except SourceError as e:
            print("SOURCE ERROR", e)
            failures += 1
            continue
        write_scene(name, meta, built)
        errs = check_scene(name, meta, built)
        text = built["text"]
        qs = built["quotes"]
        total_q += len(qs)
        types = Counter(q["type"][0] for q in qs)
        spk = Counter(q["speaker"] for q in qs)
        rows.append((name, len(text.split()), len(qs), meta.get("person", "?"), meta["marks"],
                     f"E{types['E']} A{types['A']} I{types['I']}", len(spk)))
        print(f"== {name}: {'OK' if not errs else 'FAIL'}")
        for e in errs:
            print("   ERROR", e)
        failures += bool(errs)
        for q in built["intentional"]:
            print(f"   non-dialogue ({q['kind']}): {q['text']!r}")
        if built.get("_unused"):
            print(f"   listed but never speaking: {', '.join(built['_unused'])}")
    print()
    print(f"{'scene':22} {'words':>5} {'quotes':>6}  {'person':13} {'marks':10} {'types':12} speakers")
    for r in rows:
        print(f"{r[0]:22} {r[1]:5} {r[2]:6}  {r[3]:13} {r[4]:10} {r[5]:12} {r[6]}")
    print(f"{len(rows)} scenes, {total_q} quotations, {failures} failing")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
