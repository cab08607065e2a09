"""Small stories of our own, generated from a seed, for the corpus tests (text, Markdown, HTML and EPUB files).

Every sentence here was written for these tests; nothing is copied from a published text.
"""

from __future__ import annotations

import html
import random
import zipfile
from pathlib import Path

from tests.readers.epubkit import build_epub

NAMES = ["Ada", "Bram", "Celia", "Doran", "Elsa", "Finn", "Greta", "Hugo", "Iris", "Jonas", "Kira", "Lev"]
PLACES = ["the mill", "the harbour", "the orchard", "the lighthouse", "the bakery", "the station"]
NARRATION = [
    "The wind came down from the hills and rattled the shutters.",
    "{a} looked at the grey water for a long time.",
    "Rain had left the road soft and dark.",
    "{a} set two cups on the table and did not sit down.",
    "Somewhere below, a dog was barking at nothing.",
    "{b} folded the letter twice and put it away.",
    "The lamp in the window flickered and steadied.",
    "Nobody had swept the steps of {p} since spring.",
]
LINES = [
    ("Where were you last night?", "asked"),
    ("I told you not to wait for me.", "said"),
    ("You never listen to anyone.", "snapped"),
    ("Thank you for coming all this way.", "said"),
    ("Get out of my house.", "shouted"),
    ("I am sorry. I should have written.", "said"),
    ("Will the boat sail tomorrow?", "asked"),
    ("Bring me the key from {p}.", "said"),
    ("That is the happiest news I have heard all year!", "cried"),
    ("I am afraid of what we will find.", "whispered"),
]
CHAPTER_WORDS = ["One", "Two", "Three", "Four"]
#: Narration of the first-person stories (the narrator is never named).
FIRST_PERSON = [
    "I walked down to {p} before the others were awake.",
    "I had not slept, and my hands would not keep still.",
    "{a} was waiting for me by the gate.",
    "I remember the smell of wet rope and tar.",
    "My coat was still damp from the day before.",
]


def _chapter(rng: random.Random, cast: list[str], first_person: bool = False) -> list[str]:
    paras: list[str] = []
    for _ in range(rng.randint(3, 5)):
        a, b = rng.sample(cast, 2)
        p = rng.choice(PLACES)
        pool = FIRST_PERSON if first_person else NARRATION
        paras.append(" ".join(rng.choice(pool).format(a=a, b=b, p=p) for _ in range(2)))
        if first_person:
            b = "I"
        for _ in range(rng.randint(2, 4)):
            line, verb = rng.choice(LINES)
            line = line.format(p=p)
            if b == "I" or rng.random() < 0.5:
                tagged = line[:-1] + "," if line.endswith(".") else line
                paras.append(f'"{tagged}" {a} {verb}.')
            else:
                rest = line if line.startswith("I ") else line[0].lower() + line[1:]
                paras.append(f'"{b}," {a} {verb}, "{rest}"')
            a, b = b, a
    return paras


def story(seed: int, first_person: bool = False) -> list[tuple[str, list[str]]]:
    """``[(chapter title, paragraphs)]`` of one generated story (told by an unnamed "I" if ``first_person``)."""
    rng = random.Random(seed)
    cast = rng.sample(NAMES, rng.randint(2, 4))
    return [(f"Chapter {CHAPTER_WORDS[i]}", _chapter(rng, cast, first_person)) for i in range(rng.randint(1, 3))]


def as_text(chapters: list[tuple[str, list[str]]]) -> str:
    return "\n\n".join(f"{title}\n\n" + "\n\n".join(paras) for title, paras in chapters) + "\n"


def as_markdown(chapters: list[tuple[str, list[str]]]) -> str:
    return "\n\n".join(f"## {title}\n\n" + "\n\n".join(paras) for title, paras in chapters) + "\n"


def as_html(chapters: list[tuple[str, list[str]]], title: str) -> str:
    body = "".join(
        f"<h2>{html.escape(t)}</h2>" + "".join(f"<p>{html.escape(p)}</p>" for p in paras) for t, paras in chapters
    )
    return f"<!DOCTYPE html><html><head><title>{html.escape(title)}</title></head><body>{body}</body></html>"


def write_corpus(root: Path, n: int, *, seed: int = 0) -> list[Path]:
    """``n`` stories under ``root`` (in two sub-folders), mostly text with Markdown, HTML and EPUB mixed in."""
    paths = []
    for i in range(n):
        chapters = story(seed * 10_000 + i, first_person=i % 7 == 5)
        folder = root / ("shelf-a" if i % 2 else "shelf-b")
        folder.mkdir(parents=True, exist_ok=True)
        kind = i % 10
        if kind == 3:
            path = folder / f"story{i:03d}.md"
            path.write_text(as_markdown(chapters), encoding="utf-8")
        elif kind == 6:
            path = folder / f"story{i:03d}.html"
            path.write_text(as_html(chapters, f"Story {i}"), encoding="utf-8")
        elif kind == 9:
            path = folder / f"story{i:03d}.epub"
            docs: list[tuple[str, str, str | None]] = [
                (f"c{j}.xhtml", f"<h2>{html.escape(t)}</h2>" + "".join(f"<p>{html.escape(p)}</p>" for p in ps), t)
                for j, (t, ps) in enumerate(chapters)
            ]
            build_epub(path, docs, title=f"Story {i}")
        else:
            path = folder / f"story{i:03d}.txt"
            path.write_text(as_text(chapters), encoding="utf-8")
        paths.append(path)
    return paths


def zip_bomb_epub(path: Path) -> Path:
    """An EPUB whose one chapter inflates a thousandfold (8 MB of zeros compressed to kilobytes)."""
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")
        zf.writestr("OEBPS/text/c0.xhtml", b"\0" * (8 << 20), compress_type=zipfile.ZIP_DEFLATED)
    return path
