"""AO3 (Archive of Our Own) HTML downloads, and the same markup inside AO3 EPUBs.

Choice: the tag block (``dl.tags``) and the "Posted originally on the Archive of Our Own" message go to meta
only; everything else stays in ``Story.text`` in document order and the non-story parts are marked nonstory:
title and byline (``preface``), work and chapter summaries (``summary``), notes (``notes``), chapter and work
end notes (``end_notes``), chapter headings (``chapter_heading``). Chapter bodies (``div.userstuff``) are story.

Meta: ``title``, ``author``, ``url``, ``rating``, ``warnings``, ``category``, ``fandoms``, ``relationships``,
``relationship_pairs`` ({a, b, kind romantic|platonic}), ``characters``, ``additional_tags``, ``language``,
``collections``, ``series`` ([{part, title}]), ``stats`` ({published, updated|completed, words, chapters}),
``summary``, ``notes`` and ``chapters`` ([{title, start, end, heading}], offsets into the text; a chapter runs
from its heading to the end of its last block, end notes included).
"""

from __future__ import annotations

import re
from typing import Any

from selectolax.lexbor import LexborNode

from fabula.readers.html import SKIP_TAGS, TextBuilder, decode_html, parse
from fabula.readers.html import read as read_html
from fabula.readers.text import normalise
from fabula.story import NonStory, SourceInfo, Story

_WS = re.compile(r"\s+")
_LABELS: dict[str, str] = {
    "rating": "rating",
    "ratings": "rating",
    "archive warning": "warnings",
    "archive warnings": "warnings",
    "category": "category",
    "categories": "category",
    "fandom": "fandoms",
    "fandoms": "fandoms",
    "relationship": "relationships",
    "relationships": "relationships",
    "character": "characters",
    "characters": "characters",
    "additional tags": "additional_tags",
    "additional tag": "additional_tags",
    "freeform": "additional_tags",
    "language": "language",
    "series": "series",
    "collections": "collections",
    "collection": "collections",
    "stats": "stats",
}
_SINGLE = {"rating", "language"}
_NOTE_LABEL = re.compile(
    r"(chapter\s+)?(summary|notes|end notes)\s*:?\s*$|\(see the end of the (chapter|work) for (more )?notes\.?\)",
    re.I,
)
_STATS_ITEM = re.compile(r"([A-Z][A-Za-z ]*?):\s*(.*?)(?=\s+[A-Z][A-Za-z ]*?:\s|$)")
_SERIES_ITEM = re.compile(r"Part\s+(\d+)\s+of\s+(.+?)(?=\s*(?:,\s*)?Part\s+\d+\s+of\s|$)")


def _clean(s: str) -> str:
    return _WS.sub(" ", s).strip()


def _classes(node: LexborNode) -> set[str]:
    return set((node.attributes.get("class") or "").split())


def _has_descendant(node: LexborNode, selector: str) -> bool:
    """True when an element strictly below ``node`` matches (lexbor's css() also matches the node itself)."""
    return any(n.mem_id != node.mem_id for n in node.css(selector))


def relationship_pairs(relationships: list[str]) -> list[dict[str, str]]:
    """``A/B`` -> romantic pairs, ``A & B`` -> platonic pairs (every pair for three or more names)."""
    out: list[dict[str, str]] = []
    for rel in relationships:
        if "/" in rel:
            names, kind = rel.split("/"), "romantic"
        elif "&" in rel:
            names, kind = rel.split("&"), "platonic"
        else:
            continue
        names = [_clean(n) for n in names if _clean(n)]
        for i in range(len(names)):
            for j in range(i + 1, len(names)):
                out.append({"a": names[i], "b": names[j], "kind": kind})
    return out


def parse_stats(s: str) -> dict[str, Any]:
    """``Published: 2020-01-01 Updated: 2020-02-01 Words: 4,321 Chapters: 2/2`` -> a dict."""
    out: dict[str, Any] = {}
    for m in _STATS_ITEM.finditer(_clean(s)):
        key = m.group(1).strip().lower().replace(" ", "_")
        val = m.group(2).strip()
        if key in {"words", "kudos", "hits", "bookmarks", "comments"}:
            digits = val.replace(",", "").replace(" ", "")
            out[key] = int(digits) if digits.isdigit() else val
        else:
            out[key] = val
    return out


def parse_tags(dl: LexborNode) -> dict[str, Any]:
    """The ``dl.tags`` dt/dd pairs of the preface as meta."""
    meta: dict[str, Any] = {}
    label: str | None = None
    for node in dl.iter():
        if node.tag == "dt":
            label = _clean(node.text()).rstrip(":").strip().lower()
            continue
        if node.tag != "dd" or label is None:
            continue
        key = _LABELS.get(label, label.replace(" ", "_"))
        text = _clean(node.text())
        if key == "stats":
            meta["stats"] = parse_stats(text)
        elif key == "series":
            meta["series"] = [
                {"part": int(m.group(1)), "title": m.group(2).strip()} for m in _SERIES_ITEM.finditer(text)
            ] or [{"part": None, "title": text}]
        elif key in _SINGLE:
            meta[key] = text
        else:
            links = [_clean(a.text()) for a in node.css("a")]
            meta[key] = [t for t in links if t] or [t.strip() for t in text.split(",") if t.strip()]
        label = None
    if "relationships" in meta:
        meta["relationship_pairs"] = relationship_pairs(meta["relationships"])
    return meta


class _Walker:
    """Walks an AO3 body, routing each block to story text or a marked non-story region."""

    def __init__(self) -> None:
        self.b = TextBuilder()
        self.meta: dict[str, Any] = {}
        self.nonstory: list[NonStory] = []
        self.chapters: list[dict[str, Any]] = []
        self.label = "notes"  # kind for the next blockquote
        self.context = "preface"  # preface | chapter | afterword
        self.in_chapters = False  # inside div#chapters

    def region(self, node: LexborNode, kind: str | None) -> tuple[int, int]:
        start = self.b.start_region()
        self.b.walk(node)
        self.b.paragraph_break()
        end = self.b.pos
        if kind is not None and end > start:
            self.nonstory.append(NonStory(start, end, kind))
        return start, end

    def close_chapter(self) -> None:
        if self.chapters and self.chapters[-1]["end"] is None:
            self.chapters[-1]["end"] = self.b.pos

    def open_chapter(self, title: str | None, start: int, heading: tuple[int, int] | None) -> None:
        self.close_chapter()
        ch: dict[str, Any] = {"title": title, "start": start, "end": None}
        if heading:
            ch["heading"] = list(heading)
        self.chapters.append(ch)
        self.context = "chapter"

    def walk(self, node: LexborNode) -> None:
        for child in node.iter(include_text=True):
            self.visit(child)

    def visit(self, node: LexborNode) -> None:
        tag = node.tag or ""
        if node.is_text_node:
            if (node.text_content or "").strip():
                self.plain(node)
            return
        if node.is_comment_node or tag in SKIP_TAGS or tag.startswith("-"):
            return
        cls = _classes(node)
        nid = node.attributes.get("id") or ""
        if tag == "dl" and "tags" in cls:
            self.meta.update(parse_tags(node))
            return
        if "message" in cls:
            link = next(
                (
                    a.attributes.get("href")
                    for a in node.css("a")
                    if "/works/" in (a.attributes.get("href") or "")
                ),
                None,
            )
            if link and "url" not in self.meta:
                self.meta["url"] = link
            return
        if nid == "afterword":
            self.close_chapter()
            self.context = "afterword"
            self.walk(node)
            return
        if nid.startswith("endnotes"):
            self.label = "end_notes"
        if tag == "h1" and self.context == "preface":
            self.meta.setdefault("title", _clean(node.text()))
            self.region(node, "preface")
            return
        if "byline" in cls:
            self.meta.setdefault("author", _clean(node.text()).removeprefix("by ").strip())
            self.region(node, "preface")
            return
        if tag == "h2":
            if self.context == "afterword":
                return  # the "Afterword" heading
            self.close_chapter()
            title = _clean(node.text())
            start, end = self.region(node, "chapter_heading")
            self.open_chapter(title or None, start, (start, end) if end > start else None)
            return
        if tag == "p" and _NOTE_LABEL.fullmatch(_clean(node.text())):
            label = _clean(node.text()).lower()
            if "(see the end" in label:
                kind = "notes"
            elif "end notes" in label:
                kind = "end_notes"
            elif "summary" in label:
                kind = "summary"
            else:
                kind = "end_notes" if self.context == "afterword" or self.label == "end_notes" else "notes"
            self.label = kind
            self.region(node, kind)
            return
        if tag == "blockquote" and ("userstuff" in cls or self.context != "chapter"):
            start, end = self.region(node, self.label)
            if self.context == "preface" and self.label in {"summary", "notes"}:
                self.meta.setdefault(self.label, self.b.value()[start:end].strip())
            self.label = "notes"
            return
        if nid == "chapters":
            self.in_chapters = True
            self.walk(node)
            self.in_chapters = False
            return
        if tag == "div" and "userstuff" in cls and not _has_descendant(node, "h2, div.userstuff, div.meta"):
            if self.context != "chapter":
                if self.context == "afterword":
                    self.region(node, "end_notes")
                    return
                self.open_chapter(None, self.b.start_region(), None)
            self.region(node, None)
            return
        if self.context == "afterword" and tag in {"h3", "ul", "ol", "p"}:
            return  # "Works inspired by this one", comment prompt
        if tag in {"div", "section", "body", "html", "main", "article"}:
            self.walk(node)
            return
        self.plain(node)

    def plain(self, node: LexborNode) -> None:
        """A block outside the recognised structure: story inside a chapter, preface before it."""
        if self.in_chapters and self.context == "preface":
            self.open_chapter(None, self.b.start_region(), None)
        if self.context == "chapter":
            self.region(node, None)
        elif self.context == "preface":
            self.region(node, "preface")


def extract(root: LexborNode) -> tuple[str, list[NonStory], TextBuilder, dict[str, Any]]:
    """Walk an AO3 document body; return (text, nonstory, builder, meta incl. chapters)."""
    w = _Walker()
    w.walk(root)
    w.close_chapter()
    text = w.b.value()
    meta = dict(w.meta)
    meta["chapters"] = [c for c in w.chapters if c["end"] is not None and c["end"] > c["start"]]
    for c in meta["chapters"]:
        c["end"] = min(c["end"], len(text))
    return text, merge_nonstory(text, w.nonstory), w.b, meta


def merge_nonstory(text: str, blocks: list[NonStory]) -> list[NonStory]:
    """Sort, and join neighbours of the same kind separated only by white space (a label and its quote)."""
    out: list[NonStory] = []
    for n in sorted((n for n in blocks if n.end > n.start), key=lambda n: (n.start, n.end)):
        if out and out[-1].kind == n.kind and not text[out[-1].end : n.start].strip():
            out[-1] = NonStory(out[-1].start, max(out[-1].end, n.end), n.kind)
        else:
            out.append(n)
    return out


def read(data: bytes, source: SourceInfo) -> Story:
    """Read an AO3 HTML download; falls back to the generic HTML reader when the markup is not AO3's."""
    html, encoding = decode_html(data)
    html = normalise(html)
    tree = parse(html)
    if tree.css_first("#chapters, h2.heading, dl.tags") is None:
        story = read_html(data, source)
        story.meta["platform"] = "ao3"
        return story
    source.encoding = encoding
    if tree.css_first("#workskin") is not None:
        text, nonstory, b, meta = extract_site_page(tree)
    else:
        root = tree.body or tree.root
        assert root is not None
        text, nonstory, b, meta = extract(root)
    meta["platform"] = "ao3"
    return Story(text=text, source=source, meta=meta, nonstory=nonstory, italics=b.italics)


def is_site_page(tree: Any) -> bool:
    """A work page saved from the browser: the site around a ``#workskin`` work."""
    return tree.css_first("#workskin") is not None and tree.css_first("dl.work.meta, #main") is not None


def extract_site_page(tree: Any) -> tuple[str, list[NonStory], TextBuilder, dict[str, Any]]:
    """A work page saved from the browser, reduced to the work: the tag block (``dl.work.meta``) to meta, then
    ``#workskin`` only: title and byline (``preface``), summary, notes, each chapter's heading, summary and notes,
    its text, its end notes, and the work's end notes. Navigation, kudos, comments and the footer are dropped."""
    meta: dict[str, Any] = {}
    tags = tree.css_first("dl.work.meta") or tree.css_first("dl.tags")
    if tags is not None:
        meta.update(parse_tags(tags))
    for junk in tree.css("#workskin h3.landmark, #workskin .landmark, #workskin ul.actions, #workskin script"):
        junk.decompose()
    work = tree.css_first("#workskin")
    b = TextBuilder()
    nonstory: list[NonStory] = []
    chapters: list[dict[str, Any]] = []

    def region(node: LexborNode | None, kind: str | None) -> tuple[int, int]:
        if node is None:
            return b.pos, b.pos
        start = b.start_region()
        b.walk(node)
        b.paragraph_break()
        if kind is not None and b.pos > start:
            nonstory.append(NonStory(start, b.pos, kind))
        return start, b.pos

    preface = work.css_first("div.preface")
    title = preface.css_first("h2.title") if preface is not None else None
    if title is not None:
        meta["title"] = _clean(title.text())
        region(title, "preface")
    byline = preface.css_first(".byline") if preface is not None else None
    if byline is not None:
        meta["author"] = _clean(byline.text()).removeprefix("by ").strip()
        region(byline, "preface")
    for kind in ("summary", "notes"):
        node = preface.css_first(f"div.{kind} blockquote") if preface is not None else None
        if node is not None:
            meta[kind] = _clean(node.text())
            region(node, kind)
    bodies = work.css("#chapters div.userstuff") or work.css("div.userstuff")
    for chapter in work.css("#chapters > div.chapter") or [None]:
        scope = chapter if chapter is not None else work
        head = scope.css_first("div.chapter.preface h3.title, h3.title") if chapter is not None else None
        start = b.start_region()
        heading = region(head, "chapter_heading") if head is not None else None
        for kind in ("summary", "notes"):
            node = scope.css_first(f"div.preface div.{kind} blockquote") if chapter is not None else None
            region(node, kind)
        body = scope.css_first("div.userstuff") if chapter is not None else (bodies[0] if bodies else None)
        region(body, None)
        if chapter is not None:
            region(scope.css_first("div.end.notes blockquote"), "end_notes")
        chapters.append(
            {
                "title": _clean(head.text()) if head is not None else None,
                "start": start,
                "end": b.pos,
                **({"heading": list(heading)} if heading and heading[1] > heading[0] else {}),
            }
        )
    region(work.css_first("#work_endnotes blockquote"), "end_notes")
    text = b.value()
    meta["chapters"] = [c for c in chapters if c["end"] > c["start"]]
    for c in meta["chapters"]:
        c["end"] = min(c["end"], len(text))
    return text, merge_nonstory(text, nonstory), b, meta
