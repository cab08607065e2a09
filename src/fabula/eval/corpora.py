"""Loaders for annotated corpora in ../shared/data: each yields ``GoldNovel`` records (text + gold quotes)."""

from __future__ import annotations

import ast
import csv
from collections.abc import Iterator, Sequence
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


def _pdnc_persons(root: Path) -> dict[str, str]:
    index = root / "novel_index.csv"
    out: dict[str, str] = {}
    if index.exists():
        with open(index, encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                person = "first" if row.get("Narrative Person", "").startswith("1") else "third"
                out[row.get("Folder Name", "")] = person
    return out
