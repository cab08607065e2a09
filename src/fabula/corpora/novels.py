"""Readers of the gold quotation corpora in ../shared/data (PDNC, LitBank, QuoteLi3): each yields ``GoldNovel``
records (text, gold quotations, gold characters)."""

from __future__ import annotations

import ast
import csv
import html
import itertools
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from fabula.errors import DataError


@dataclass(slots=True)
class GoldCharacter:
    id: str
    name: str
    aliases: set[str] = field(default_factory=set)
    gender: str | None = None


@dataclass(slots=True)
class GoldQuote:
    id: str
    spans: list[tuple[int, int]]
    speaker: str | None
    addressees: list[str] = field(default_factory=list)
    type: str = "unknown"


@dataclass(slots=True)
class GoldNovel:
    name: str
    text: str
    quotes: list[GoldQuote]
    characters: list[GoldCharacter] = field(default_factory=list)
    person: str = "third"

    def names_of(self, speaker: str | None) -> set[str]:
        """All surface names (lower-cased) of the gold character whose main name or alias is ``speaker``."""
        if speaker is None:
            return set()
        key = speaker.strip().lower()
        for c in self.characters:
            names = {c.name.lower(), *(a.lower() for a in c.aliases)}
            if key in names:
                return names
        return {key}


csv.field_size_limit(10**9)


def pdnc_novels(root: Path) -> list[str]:
    if not root.is_dir():
        raise DataError(f"{root}: PDNC folder not found")
    return sorted(p.name for p in root.iterdir() if (p / "quotation_info.csv").exists())


def load_pdnc(root: Path | str, novels: Sequence[str] | None = None) -> Iterator[GoldNovel]:
    """Read PDNC novels (``novel_text.txt``, ``quotation_info.csv``, ``character_info.csv``) from ``root``."""
    root = Path(root)
    names = pdnc_novels(root)
    persons = _pdnc_persons(root)
    for name in names:
        if novels and name not in novels:
            continue
        d = root / name
        text = (d / "novel_text.txt").read_text(encoding="utf-8", errors="replace")
        chars = []
        with open(d / "character_info.csv", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                try:
                    aliases = set(ast.literal_eval(row["Aliases"]))
                except (ValueError, SyntaxError):
                    aliases = set()
                chars.append(GoldCharacter(row["Character ID"], row["Main Name"], aliases, row.get("Gender")))
        quotes = []
        with open(d / "quotation_info.csv", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                spans = [tuple(s) for s in ast.literal_eval(row["quoteByteSpans"])]
                try:
                    addressees = list(ast.literal_eval(row["addressees"]))
                except (ValueError, SyntaxError):
                    addressees = []
                quotes.append(
                    GoldQuote(
                        row["quoteID"],
                        [(int(a), int(b)) for a, b in spans],
                        row["speaker"] or None,
                        addressees,
                        (row["quoteType"] or "unknown").lower(),
                    )
                )
        quotes.sort(key=lambda q: q.spans[0][0])
        yield GoldNovel(name, text, quotes, chars, persons.get(name, "third"))


#: A paragraph break: a blank line.
_PARA_BREAK = re.compile(r"\n\s*\n")


def pieces(nov: GoldNovel, words: int) -> list[GoldNovel]:
    """``nov`` cut into pieces of about ``words`` words, each a text of its own (a chapter read alone, as users
    bring them): a cut at the first paragraph break outside every gold quotation once the piece has ``words``
    words, a last piece of under half that many joined to the one before. Offsets are shifted into each piece
    (``name#k``, from 0); a quotation lies whole in one piece; the gold cast is the novel's."""
    text = nov.text
    inside = sorted((q.spans[0][0], q.spans[-1][1]) for q in nov.quotes)
    cuts, count, last, k = [0], 0, 0, 0
    for m in _PARA_BREAK.finditer(text):
        count += len(text[last : m.start()].split())
        last = m.start()
        while k < len(inside) and inside[k][1] <= m.end():
            k += 1
        if count >= words and not any(a < m.end() < b for a, b in inside[max(0, k - 1) : k + 1]):
            cuts.append(m.end())
            count = 0
    if len(cuts) > 1 and len(text[cuts[-1] :].split()) < words // 2:
        cuts.pop()
    cuts.append(len(text))
    out = []
    for n, (a, b) in enumerate(itertools.pairwise(cuts)):
        quotes = [
            GoldQuote(q.id, [(x - a, y - a) for x, y in q.spans], q.speaker, q.addressees, q.type)
            for q in nov.quotes
            if a <= q.spans[0][0] and q.spans[-1][1] <= b
        ]
        out.append(GoldNovel(f"{nov.name}#{n}", text[a:b], quotes, nov.characters, nov.person))
    return out


def _pdnc_persons(root: Path) -> dict[str, str]:
    index = root / "novel_index.csv"
    out: dict[str, str] = {}
    if index.exists():
        with open(index, encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                person = "first" if row.get("Narrative Person", "").startswith("1") else "third"
                out[row.get("Folder Name", "")] = person
    return out


# ---------------------------------------------------------------------------------------------- LitBank

_NO_SPACE_BEFORE = frozenset(
    [",", ".", "!", "?", ";", ":", ")", "]", "n't", "'s", "'ll", "'re", "'ve", "'d", "'m", "...", "”", "’"]
)
_OPENERS = frozenset(["“", "‘", "(", "["])
_CLOSERS = frozenset(["”", "’"])


#: Straight quotation marks: whether one opens or closes depends on the marks before it.
_STRAIGHT = ('"', "'")


def detokenise(sentences: list[list[str]]) -> tuple[str, list[list[tuple[int, int]]]]:
    """Rebuild readable text from LitBank's tokenised sentences, keeping each token's character offsets.

    Paragraph breaks (a blank line) are guessed: a sentence opening with a quotation mark or a dash starts one.
    """
    parts: list[str] = []
    pos = 0
    offsets: list[list[tuple[int, int]]] = []
    open_straight = False
    for si, toks in enumerate(sentences):
        offs: list[tuple[int, int]] = []
        if toks and toks[0] in _STRAIGHT:
            open_straight = False  # a straight quote opening a sentence opens (resyncs after a stray mark)
        if si > 0:
            starts_para = (
                bool(toks) and (toks[0] in _OPENERS or toks[0] in (*_STRAIGHT, "—", "--")) and not open_straight
            )
            sep = "\n\n" if starts_para else " "
            parts.append(sep)
            pos += len(sep)
        prev: str | None = None
        for ti, t in enumerate(toks):
            t = {"``": "“", "''": "”", "`": "‘"}.get(t, t)
            straight = t in _STRAIGHT
            if straight and ti > 0 and ti == len(toks) - 1:
                open_straight = True  # and one ending a sentence closes
            is_open = t in _OPENERS or (straight and not open_straight)
            is_close = t in _CLOSERS or (straight and open_straight)
            if straight:
                open_straight = not open_straight
            contraction = (len(t) > 1 and t[0] in "'’" and t[1:].isalpha()) or t.lower() in ("n't", "n’t")
            space = prev is not None and not (
                t in _NO_SPACE_BEFORE or is_close or contraction or prev in _OPENERS or prev == "OPEN"
            )
            if space:
                parts.append(" ")
                pos += 1
            offs.append((pos, pos + len(t)))
            parts.append(t)
            pos += len(t)
            prev = "OPEN" if is_open else t
        offsets.append(offs)
    return "".join(parts), offsets


def load_litbank(root: Path | str) -> Iterator[GoldNovel]:
    """LitBank quotation layer (``quotations/tsv/*.ann`` + ``.txt``), speakers named through the coreference layer."""
    root = Path(root)
    qdir = root / "quotations" / "tsv"
    if not qdir.is_dir():
        raise DataError(f"{qdir}: LitBank quotations folder not found")
    for ann in sorted(qdir.glob("*.ann")):
        txt = ann.with_suffix(".txt")
        if not txt.exists():
            continue
        sentences = [ln.split(" ") if ln else [] for ln in txt.read_text(encoding="utf-8").split("\n")]
        text, offs = detokenise(sentences)
        quotes: list[GoldQuote] = []
        attrib: dict[str, str] = {}
        rows = [ln.split("\t") for ln in ann.read_text(encoding="utf-8").splitlines() if ln.strip()]
        for r in rows:
            if r[0] == "ATTRIB" and len(r) >= 3:
                attrib[r[1]] = r[2]
        for r in rows:
            if r[0] != "QUOTE" or len(r) < 6:
                continue
            try:
                s_sent, s_tok, e_sent, e_tok = (int(v) for v in r[2:6])
                a = offs[s_sent][s_tok][0]
                b = offs[e_sent][e_tok][1]
            except (ValueError, IndexError):
                continue
            while a < b and (text[a] in "\"“”‘’'`«» —-" or text[a].isspace()):
                a += 1
            while b > a and (text[b - 1] in "\"“”‘’'`«» " or text[b - 1].isspace()):
                b -= 1
            if b > a:
                spk = attrib.get(r[1])
                quotes.append(GoldQuote(r[1], [(a, b)], chain_name(spk) if spk else None))
        chars = _litbank_characters(root / "coref" / "tsv" / ann.name, attrib.values())
        if not quotes:
            continue
        quotes.sort(key=lambda q: q.spans[0][0])
        yield GoldNovel(ann.stem.replace("_brat", ""), text, quotes, chars)


def chain_name(chain: str) -> str:
    return chain.rsplit("-", 1)[0].replace("_", " ")


def _litbank_characters(coref: Path, chains: Iterable[str]) -> list[GoldCharacter]:
    wanted = set(chains)
    names: dict[str, set[str]] = {c: set() for c in wanted}
    if coref.exists():
        mention_text: dict[str, tuple[str, str]] = {}
        for ln in coref.read_text(encoding="utf-8").splitlines():
            r = ln.split("\t")
            if r[0] == "MENTION" and len(r) >= 9:
                mention_text[r[1]] = (r[6], r[8])
            elif r[0] == "COREF" and len(r) >= 3 and r[2] in wanted and r[1] in mention_text:
                t, kind = mention_text[r[1]]
                if kind in ("PROP", "NOM"):
                    names[r[2]].add(t.replace(" 's", "'s"))
    return [GoldCharacter(c, chain_name(c), al | {chain_name(c)}) for c, al in names.items()]


# ---------------------------------------------------------------------------------------------- QuoteLi3

_QL3_FILES = ("pp_full.xml", "emma_full.xml", "steppe_full.xml")
_CHAR_EL = re.compile(r"<character\b([^>]*)/?>")
_ATTR = re.compile(r'(\w+)="([^"]*)"')


def load_quoteli3(root: Path | str) -> Iterator[GoldNovel]:
    """QuoteLi3's fully annotated parts (Pride and Prejudice, Emma, The Steppe): speakers named by character id.

    Quotations whose speaker is ``NOTANUTTERANCE`` or ``UNSURE`` are left out.
    """
    root = Path(root)
    if not root.is_dir():
        raise DataError(f"{root}: QuoteLi3 folder not found")
    for fname in _QL3_FILES:
        path = root / fname
        if not path.exists():
            continue
        raw = path.read_text(encoding="utf-8", errors="replace")
        raw = re.sub(r"<\?xml[^>]*\?>", "", raw)
        chars: list[GoldCharacter] = []
        for m in _CHAR_EL.finditer(raw):
            at = dict(_ATTR.findall(m.group(1)))
            name = at.get("name", "").replace("_", " ")
            aliases = {a.strip() for a in at.get("aliases", "").split(";") if a.strip()}
            gender = {"male": "M", "female": "F"}.get(at.get("gender", ""))
            chars.append(GoldCharacter(at.get("id", name), name, aliases | {name}, gender))
        body = re.sub(r"<characters>.*?</characters>", "", raw, flags=re.S)
        text, quotes = parse_tagged(body)
        kept = []
        for q in quotes:
            if q.speaker in (None, "", "NOTANUTTERANCE", "UNSURE"):
                continue
            q.speaker = q.speaker.replace("_", " ")
            kept.append(q)
        yield GoldNovel(path.stem, text, kept, chars)


# ---------------------------------------------------------------------------------------- tagged text

_TAG_MARKS = "\"“”‘’'«» \n\t"
_TAG = re.compile(r"<(/?)(\w+)([^>]*)>")
_SPEAKER = re.compile(r'speaker="([^"]*)"')


def parse_tagged(raw: str) -> tuple[str, list[GoldQuote]]:
    """Strip tags (the files are not always well-formed XML) and record outermost ``<quote>`` spans."""
    parts: list[str] = []
    pos, last, depth = 0, 0, 0
    open_at, speaker = 0, None
    quotes: list[GoldQuote] = []
    for m in _TAG.finditer(raw):
        chunk = html.unescape(raw[last : m.start()])
        parts.append(chunk)
        pos += len(chunk)
        last = m.end()
        if m.group(2) != "quote":
            continue
        if not m.group(1):
            if depth == 0:
                open_at = pos
                sp = _SPEAKER.search(m.group(3))
                speaker = sp.group(1) if sp else None
            depth += 1
        elif depth > 0:
            depth -= 1
            if depth == 0:
                text = "".join(parts)
                a, b = open_at, pos
                while a < b and text[a] in _TAG_MARKS:
                    a += 1
                while b > a and text[b - 1] in _TAG_MARKS:
                    b -= 1
                if b > a:
                    quotes.append(GoldQuote(f"Q{len(quotes)}", [(a, b)], speaker))
    parts.append(html.unescape(raw[last:]))
    return "".join(parts), quotes


def load_quote_extraction(zip_path: Path | str) -> Iterator[GoldNovel]:
    """Muzny et al.'s quote-extraction set (``quote_extraction_annotated.zip``): text with ``<quote>`` elements.

    Gold spans are the quotation contents with the marks stripped, as fabula reports them.
    """
    zip_path = Path(zip_path)
    if not zip_path.is_file():
        raise DataError(f"{zip_path}: quote-extraction archive not found")
    with zipfile.ZipFile(zip_path) as zf:
        for name in sorted(zf.namelist()):
            if not name.endswith(".xml") or "__MACOSX" in name:
                continue
            raw = zf.read(name).decode("utf-8-sig", errors="replace")
            text, quotes = parse_tagged(re.sub(r"<\?xml[^>]*\?>", "", raw))
            yield GoldNovel(Path(name).stem, text, quotes)
