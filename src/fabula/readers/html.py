"""Generic HTML: visible text with block elements as paragraphs, ``<em>``/``<i>`` as italics.

Extraction rules (shared by the AO3 and EPUB readers through :class:`TextBuilder`):

* block elements (``p``, ``div``, ``h1``–``h6``, ``li``, ``blockquote``, …) become paragraphs separated by
  a blank line (``"\\n\\n"``); ``<br>`` becomes ``"\\n"``; runs of white space collapse to one space
  (kept as written inside ``<pre>``);
* ``<hr>`` between paragraphs becomes a ``* * *`` scene-break paragraph (the segment stage recognises it);
* ``script``, ``style``, ``head``, ``template``, ``noscript``, ``svg`` and comments are skipped;
* ``em``, ``i``, ``cite``, ``dfn``, ``var`` and ``font-style: italic`` spans give ``Story.italics`` offsets.

Meta: ``title`` (``<title>`` or the first ``<h1>``); ``headings`` get nonstory kind ``"heading"``; when one
heading level repeats (e.g. several ``<h2>``), ``chapters`` (title/start/end offsets) are set from it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser, LexborNode

from fabula.errors import InputTooLarge
from fabula.readers import MAX_MARKUP_TAGS, MAX_TEXT_CHARS, check_text_size
from fabula.readers.text import decode, normalise
from fabula.story import NonStory, SourceInfo, Span, Story

BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "center", "dd", "details", "dialog", "div", "dl",
        "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
        "header", "hgroup", "html", "legend", "li", "main", "nav", "ol", "p", "pre", "section", "summary",
        "table", "tbody", "thead", "tfoot", "tr", "ul", "caption",
    }
)  # fmt: skip
SKIP_TAGS = frozenset(
    {"script", "style", "head", "template", "noscript", "svg", "math", "iframe", "object", "title", "select"}
)
ITALIC_TAGS = frozenset({"em", "i", "cite", "dfn", "var"})
HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_WS = re.compile(r"[ \t\n\r\f\v]+")
_ITALIC_STYLE = re.compile(r"font-style\s*:\s*(italic|oblique)", re.I)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""")
SCENE_BREAK = "* * *"


@dataclass(slots=True)
class _Frame:
    node: LexborNode
    exit: bool = False


@dataclass
class TextBuilder:
    """Accumulates extracted text; offsets handed out are final (nothing already written is ever edited)."""

    parts: list[str] = field(default_factory=list)
    pos: int = 0
    italics: list[Span] = field(default_factory=list)
    headings: list[tuple[int, int, int, str]] = field(default_factory=list)  # level, start, end, text
    _break: int = 0  # pending break: 0 none, 1 line, 2 paragraph
    _space: bool = False
    _open: list[int | None] = field(default_factory=list)  # open italic starts (None until text arrives)
    limit: int = MAX_TEXT_CHARS  # InputTooLarge beyond this many characters of text

    # -- low level -------------------------------------------------------------------------------------
    def _write(self, s: str) -> None:
        if self.pos:
            if self._break:
                self.parts.append("\n" * self._break)
                self.pos += self._break
            elif self._space:
                self.parts.append(" ")
                self.pos += 1
        self._break = 0
        self._space = False
        for i, start in enumerate(self._open):
            if start is None:
                self._open[i] = self.pos
        self.parts.append(s)
        self.pos += len(s)
        if self.pos > self.limit:
            check_text_size(self.pos)

    def text(self, raw: str, pre: bool = False) -> None:
        """Add a run of character data, collapsing white space unless ``pre``."""
        if pre:
            for i, line in enumerate(raw.replace("\r\n", "\n").split("\n")):
                if i:
                    self.line_break()
                if line:
                    self._write(line)
            return
        words = _WS.split(raw)
        if words and words[0] == "":
            self._space = True
            words = words[1:]
        for i, w in enumerate(words):
            if w == "":  # trailing white space
                self._space = True
                continue
            if i:
                self._space = True
            self._write(w)

    def line_break(self) -> None:
        self._break = max(self._break, 1)
        self._space = False

    def paragraph_break(self) -> None:
        self._break = 2
        self._space = False

    def start_region(self) -> int:
        """Begin a new paragraph now and return the offset where its first character will land."""
        self.paragraph_break()
        return self.pos + (2 if self.pos else 0)

    def value(self) -> str:
        return "".join(self.parts)

    # -- tree walking ----------------------------------------------------------------------------------
    def walk(self, root: LexborNode) -> None:
        """Append the visible text of ``root`` (and its descendants)."""
        stack: list[_Frame] = [_Frame(root)]
        pre_depth = 0
        heading_open: list[tuple[int, int, int]] = []  # level, start, parts index
        while stack:
            frame = stack.pop()
            node = frame.node
            tag = node.tag or ""
            if frame.exit:
                if tag == "pre":
                    pre_depth -= 1
                if self._is_italic(node):
                    start = self._open.pop()
                    if start is not None and self.pos > start:
                        self.italics.append(Span(start, self.pos))
                if tag in HEADING_TAGS and heading_open:
                    level, start, idx = heading_open.pop()
                    if self.pos > start:
                        self.headings.append((level, start, self.pos, "".join(self.parts[idx:]).lstrip("\n")))
                if tag in BLOCK_TAGS:
                    self.paragraph_break()
                continue
            if node.is_text_node:
                raw = node.text_content or ""
                if raw:
                    self.text(raw, pre=pre_depth > 0)
                continue
            if node.is_comment_node or tag in SKIP_TAGS or tag.startswith("-"):
                continue
            if tag == "br":
                self.line_break()
                continue
            if tag == "hr":
                if self.pos:
                    self.paragraph_break()
                    self._write(SCENE_BREAK)
                    self.paragraph_break()
                continue
            if tag in {"td", "th"}:
                self._space = True
            if tag in BLOCK_TAGS:
                self.paragraph_break()
            if tag == "pre":
                pre_depth += 1
            if self._is_italic(node):
                self._open.append(None)
            if tag in HEADING_TAGS:
                heading_open.append((int(tag[1]), self.start_region(), len(self.parts)))
            stack.append(_Frame(node, exit=True))
            children = list(node.iter(include_text=True))
            stack.extend(_Frame(c) for c in reversed(children))

    @staticmethod
    def _is_italic(node: LexborNode) -> bool:
        tag = node.tag or ""
        if tag in ITALIC_TAGS:
            return True
        if tag in {"span", "font"}:
            style = node.attributes.get("style") or ""
            return bool(_ITALIC_STYLE.search(style))
        return False


def decode_html(data: bytes) -> tuple[str, str]:
    """Decode HTML/XHTML bytes: BOM, then ``<?xml encoding>`` / ``<meta charset>``, then text.decode."""
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return decode(data)
    head = data[:4096]
    m = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
    if m:
        enc = m.group(1).decode("ascii", "replace").lower()
        try:
            return data.decode(enc), enc
        except (LookupError, UnicodeDecodeError):
            pass
    return decode(data)


def parse(html: str) -> LexborHTMLParser:
    """Parse HTML; too much markup is :class:`InputTooLarge`, nesting deeper than :data:`MAX_DEPTH` is flattened
    first (:func:`flatten_deep`: the parser's time grows with the square of the depth)."""
    tags = html.count("<")
    if tags > MAX_MARKUP_TAGS:
        raise InputTooLarge(f"the HTML has {tags} tags; the limit is {MAX_MARKUP_TAGS}")
    return LexborHTMLParser(flatten_deep(html) if tags > MAX_DEPTH else html)


#: Elements nested deeper than this are flattened (their tags dropped, their text kept).
MAX_DEPTH = 512
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)(?:\s[^<>]*)?(/?)>")
# Elements that never enclose others (void) or that the parser closes by itself (a new ``<p>`` ends the last):
# they do not count towards the depth.
_FLAT_TAGS = frozenset(
    {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track",
        "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "rb", "rt", "rp", "colgroup",
        "thead", "tbody", "tfoot", "caption",
    }
)  # fmt: skip


def flatten_deep(html: str, max_depth: int = MAX_DEPTH) -> str:
    """``html`` with the tags of elements nested deeper than ``max_depth`` removed (their text stays). The depth
    is counted from the tags as written (void and self-closing elements, and those closed implicitly, do not
    count); documents nested no deeper are returned unchanged."""
    depth = peak = 0
    for m in _TAG.finditer(html):
        if m.group(3) or m.group(2).lower() in _FLAT_TAGS:
            continue
        if m.group(1):
            depth = max(0, depth - 1)
        else:
            depth += 1
            peak = max(peak, depth)
    if peak <= max_depth:
        return html
    out: list[str] = []
    kept: list[bool] = []  # per open counted element: whether its tags are kept
    pos = 0
    for m in _TAG.finditer(html):
        if m.group(3) or m.group(2).lower() in _FLAT_TAGS:
            continue
        if m.group(1):
            keep = kept.pop() if kept else True
        else:
            keep = len(kept) < max_depth
            kept.append(keep)
        if not keep:
            out.append(html[pos : m.start()])
            pos = m.end()
    out.append(html[pos:])
    return "".join(out)


def title_of(tree: LexborHTMLParser) -> str | None:
    """The ``<title>`` text, else the first ``<h1>``."""
    for sel in ("title", "h1"):
        node = tree.css_first(sel)
        if node is not None:
            t = _WS.sub(" ", node.text()).strip()
            if t:
                return t
    return None


def chapters_from_headings(
    headings: Iterable[tuple[int, int, int, str]], text_len: int, text: str, body_start: int = 0
) -> tuple[list[dict[str, object]], str | None]:
    """Chapters at the shallowest heading level that occurs at least twice; returns (chapters, title).

    A single heading shallower than the chapter level (``# Title`` above ``## Chapter``) is returned as the
    title. When no level repeats, every heading at the shallowest level starts a chapter.
    """
    heads = sorted(headings, key=lambda h: h[1])
    if not heads:
        return [], None
    levels = sorted({h[0] for h in heads})
    repeated = [lv for lv in levels if sum(1 for h in heads if h[0] == lv) >= 2]
    level = repeated[0] if repeated else levels[0]
    above = [h for h in heads if h[0] < level]
    title = above[0][3].strip() if len(above) == 1 else None
    chosen = [h for h in heads if h[0] == level]
    out: list[dict[str, object]] = []
    first = chosen[0][1]
    lead_from = above[0][2] if title is not None and above[0][1] < first else body_start
    if text[lead_from:first].strip():
        out.append({"title": None, "start": body_start, "end": first})
    for i, (_, s, e, t) in enumerate(chosen):
        end = chosen[i + 1][1] if i + 1 < len(chosen) else text_len
        out.append({"title": t.strip() or None, "start": s, "end": end, "heading": [s, e]})
    return out, title


def extract(tree: LexborHTMLParser) -> TextBuilder:
    """Walk the document body (or the whole tree when there is no body)."""
    b = TextBuilder()
    root = tree.body or tree.root
    if root is not None:
        b.walk(root)
    return b


def read(data: bytes, source: SourceInfo) -> Story:
    """Read a generic HTML document."""
    html, encoding = decode_html(data)
    source.encoding = encoding
    tree = parse(normalise(html))
    b = extract(tree)
    text = b.value()
    meta: dict[str, object] = {}
    title = title_of(tree)
    if title:
        meta["title"] = title
    lang = tree.css_first("html")
    if lang is not None and lang.attributes.get("lang"):
        meta["language"] = lang.attributes.get("lang")
    nonstory = [NonStory(s, e, "heading") for _, s, e, _ in b.headings]
    chapters, _ = chapters_from_headings(b.headings, len(text), text)
    if len(chapters) >= 2:
        meta["chapters"] = chapters
    return Story(
        text=text,
        source=source,
        meta=meta,
        nonstory=sorted(nonstory, key=lambda n: n.start),
        italics=b.italics,
    )
