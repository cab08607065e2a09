"""Markdown: the text is kept exactly as written (offsets point into the markdown source).

* ``*…*`` / ``_…_`` (and the italic half of ``***…***``) give ``Story.italics`` spans over the content, without
  the delimiters; ``**bold**`` alone is not italics; ``_`` inside words (``snake_case``) is not a delimiter;
  backslash escapes, code spans and fenced code blocks are skipped; spans never cross a blank line.
* ATX headings (``# Title`` … ``###### x``) are nonstory ``heading``; when a level repeats, headings at the
  shallowest repeated level give meta ``chapters`` (a lone shallower heading becomes meta ``title``).
* Front matter (``---`` at offset 0, ``key: value`` lines, closed by ``---`` or ``...``) goes to meta
  ``front_matter`` (title/author/tags are also copied to the top level) and is nonstory ``front_matter``.
  A ``---`` anywhere else, or one that is never closed, is left alone (a scene break).
"""

from __future__ import annotations

import itertools
import re
from typing import Any

from fabula.readers.html import chapters_from_headings
from fabula.readers.text import decode, normalise
from fabula.story import NonStory, SourceInfo, Span, Story

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$", re.M)
_FENCE = re.compile(r"^[ \t]{0,3}(```|~~~).*?(?:^[ \t]{0,3}\1[ \t]*$|\Z)", re.M | re.S)
_CODE_SPAN = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)", re.S)
_DELIM = re.compile(r"\*+|_+")
_BLANK = re.compile(r"\n[ \t]*\n")
_FM_OPEN = re.compile(r"---[ \t]*\n")
_FM_CLOSE = re.compile(r"^(---|\.\.\.)[ \t]*$", re.M)
_FM_KEY = re.compile(r"^([A-Za-z_][\w -]*?)[ \t]*:[ \t]*(.*)$")
_PROMOTE = ("title", "author", "authors", "tags", "fandom", "fandoms", "rating", "language", "summary")


def _scalar(v: str) -> Any:
    v = v.strip()
    if len(v) >= 2 and v[0] == v[-1] and v[0] in "\"'":
        return v[1:-1]
    if v.startswith("[") and v.endswith("]"):
        return [_scalar(x) for x in v[1:-1].split(",") if x.strip()]
    if re.fullmatch(r"-?\d+", v):
        return int(v)
    if v.lower() in {"true", "false"}:
        return v.lower() == "true"
    return v


def parse_front_matter(body: str) -> dict[str, Any] | None:
    """A small YAML subset: ``key: value``, inline ``[a, b]`` lists and ``- item`` lists. None if no keys."""
    out: dict[str, Any] = {}
    key: str | None = None
    for line in body.split("\n"):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        item = re.match(r"^\s*-\s+(.*)$", line)
        if item and key is not None:
            cur = out.get(key)
            if not isinstance(cur, list):
                cur = [] if cur in (None, "") else [cur]
            cur.append(_scalar(item.group(1)))
            out[key] = cur
            continue
        m = _FM_KEY.match(line)
        if m:
            key = m.group(1).strip()
            out[key] = _scalar(m.group(2)) if m.group(2).strip() else None
        elif key is not None and line.startswith((" ", "\t")) and isinstance(out.get(key), str):
            out[key] = f"{out[key]} {line.strip()}"
        else:
            return None
    return out or None


def front_matter(text: str) -> tuple[int, dict[str, Any]] | None:
    """``(end offset, data)`` of front matter at offset 0, or None."""
    m = _FM_OPEN.match(text)
    if not m:
        return None
    close = _FM_CLOSE.search(text, m.end())
    if not close:
        return None
    data = parse_front_matter(text[m.end() : close.start()])
    if data is None:
        return None
    return close.end(), data


def _skipped(text: str, start: int) -> list[tuple[int, int]]:
    spans = [m.span() for m in _FENCE.finditer(text, start)]
    for m in _CODE_SPAN.finditer(text, start):
        if not any(s <= m.start() < e for s, e in spans):
            spans.append(m.span())
    return sorted(spans)


def italics(text: str, start: int = 0, skip: list[tuple[int, int]] | None = None) -> list[Span]:
    """Italic content spans from ``*``/``_`` delimiter runs, paragraph by paragraph."""
    skip = skip if skip is not None else _skipped(text, start)
    out: list[Span] = []
    bounds = [start, *(m.start() for m in _BLANK.finditer(text, start)), len(text)]
    si = 0
    for a, b in itertools.pairwise(bounds):
        stack: list[tuple[str, int]] = []  # (char, run end)
        for m in _DELIM.finditer(text, a, b):
            s, e = m.span()
            while si < len(skip) and skip[si][1] <= s:
                si += 1
            if si < len(skip) and skip[si][0] <= s < skip[si][1]:
                continue
            if s > 0 and text[s - 1] == "\\":
                s += 1
                if s >= e:
                    continue
            run = text[s:e]
            ch = run[0]
            if len(run) % 2 == 0:
                continue  # bold only
            before = text[s - 1] if s > 0 else " "
            after = text[e] if e < len(text) else " "
            can_open = not after.isspace()
            can_close = not before.isspace()
            if ch == "_":
                can_open = can_open and not before.isalnum()
                can_close = can_close and not after.isalnum()
            if can_close:
                idx = next((i for i in range(len(stack) - 1, -1, -1) if stack[i][0] == ch), None)
                if idx is not None:
                    open_end = stack[idx][1]
                    del stack[idx:]
                    if s > open_end:
                        out.append(Span(open_end, s))
                    continue
            if can_open:
                stack.append((ch, e))
    return sorted(out, key=lambda sp: sp.start)


def read(data: bytes, source: SourceInfo) -> Story:
    """Read a Markdown story."""
    raw, encoding = decode(data)
    source.encoding = encoding
    text = normalise(raw)
    meta: dict[str, Any] = {}
    nonstory: list[NonStory] = []
    body_start = 0
    fm = front_matter(text)
    if fm is not None:
        body_start, data_ = fm
        nonstory.append(NonStory(0, body_start, "front_matter"))
        meta["front_matter"] = data_
        for k in _PROMOTE:
            if k in data_ and data_[k] not in (None, ""):
                meta.setdefault(k, data_[k])
    skip = _skipped(text, body_start)
    heads: list[tuple[int, int, int, str]] = []
    for m in _HEADING.finditer(text, body_start):
        if any(s <= m.start() < e for s, e in skip):
            continue
        heads.append((len(m.group(1)), m.start(), m.end(), m.group(2).strip()))
        nonstory.append(NonStory(m.start(), m.end(), "heading"))
    chapters, title = chapters_from_headings(heads, len(text), text, body_start)
    if chapters:
        meta["chapters"] = chapters
    if title:
        meta.setdefault("title", title)
    return Story(
        text=text,
        source=source,
        meta=meta,
        nonstory=sorted(nonstory, key=lambda n: (n.start, n.end)),
        italics=italics(text, body_start, skip),
    )
