"""Project Gutenberg plain-text downloads: mark the header and the licence as non-story, read the header fields.

The text is never changed. Everything from the start of the file through the ``*** START OF THE/THIS PROJECT
GUTENBERG EBOOK … ***`` line (or, in older files, through ``*END*THE SMALL PRINT! …``) is one ``gutenberg-header``
block; the producers' lines right after it ("Produced by …", "E-text prepared by …") are ``gutenberg-credits``;
everything from the ``End of the Project Gutenberg EBook of …`` / ``*** END OF … ***`` line to the end of the file is
``gutenberg-licence``; bracketed "[Project Gutenberg Editor's Note: …]" and "[Transcriber's note: …]" paragraphs
in between are ``gutenberg-note``, and the book's own title page right after the header (the title, "by" the
author, "[1867 Edition]") is ``title_page``. A file with only the "The Project Gutenberg EBook of …" preamble and no markers gets the
preamble and the field paragraphs after it marked, nothing more.

The header's ``Title:``, ``Author:``, ``Language:`` and ``Release Date:`` lines become ``meta`` values ``title``,
``author``, ``language`` and ``release_date`` (plain strings; values already set are kept), the ``[EBook #N]``
number ``gutenberg_id``, and ``meta["platform"]`` is ``"gutenberg"``.
"""

from __future__ import annotations

import re

from fabula.story import NonStory, Story

_F = re.IGNORECASE | re.MULTILINE
_GUT = r"project[ \t]+gutenberg"
_EBOOK = r"e-?(?:book|text)s?"
# "*** START OF THE PROJECT GUTENBERG EBOOK TITLE ***", "***START OF THIS PROJECT GUTENBERG EBOOK", …
START_RE = re.compile(
    rf"^[ \t]*\*+[ \t]*start[ \t]+of[ \t]+(?:the[ \t]+|this[ \t]+)?{_GUT}[ \t]+{_EBOOK}\b[^\n]*$", _F
)
END_RE = re.compile(
    rf"^[ \t]*\*+[ \t]*end[ \t]+of[ \t]+(?:the[ \t]+|this[ \t]+)?{_GUT}[ \t]+{_EBOOK}\b[^\n]*$", _F
)
# Older files: the small print at the top ends with "*END*THE SMALL PRINT! FOR PUBLIC DOMAIN ETEXTS*Ver.04.29.93*END*".
SMALL_PRINT_END_RE = re.compile(r"^[ \t]*\*[ \t]*end[ \t]*\*[ \t]*the[ \t]+small[ \t]+print\b[^\n]*$", _F)
# "End of the Project Gutenberg EBook of …", "End of Project Gutenberg's …" (the line before the END marker).
END_OF_RE = re.compile(rf"^[ \t]*\**[ \t]*end[ \t]+of[ \t]+(?:the[ \t]+)?{_GUT}\b[^\n]*$", _F)
# "*** START: FULL LICENSE ***" (a last resort when a file has lost its END marker).
FULL_LICENCE_RE = re.compile(r"^[ \t]*\*+[ \t]*start[ \t]*:[ \t]*full[ \t]+licen[cs]e\b[^\n]*$", _F)
# The preamble's first line: "The Project Gutenberg EBook of …", "Project Gutenberg's …", "**The Project Gutenberg Etext…".
PREAMBLE_RE = re.compile(rf"[\W_]*(?:the[ \t]+)?{_GUT}\b", re.IGNORECASE)

_FIELD_NAMES = (
    r"title|sub-?title|author|authors|editor|translator|illustrator|contributor|release[ \t]+date|posting[ \t]+date"
    r"|first[ \t]+posted|last[ \t]+updated|most[ \t]+recently[ \t]+updated|language|original[ \t]+publication"
    r"|character[ \t]+set[ \t]+encoding|produced[ \t]+by|credits|e-?(?:book|text)[ \t]*(?:no\.?|number|#)"
)
FIELD_RE = re.compile(rf"^[ \t]*({_FIELD_NAMES})[ \t]*:[ \t]*([^\n]*)$", _F)
_WANTED = {"title": "title", "author": "author", "authors": "author", "language": "language"}
_EBOOK_NO = re.compile(r"\[\s*e-?(?:book|text)\s*#\s*(\d+)\s*\]", re.IGNORECASE)

# Producers' lines right after the START marker.
CREDIT_RE = re.compile(
    r"[ \t]*(?:"
    r"(?:(?:this[ \t]+)?(?:e-?text|e-?book|etext|html[ \t]+version|file|text)[ \t]+(?:was[ \t]+)?)?"
    r"(?:produced|prepared|transcribed|digiti[sz]ed|scanned|proof-?read|proofed|converted|updated|edited)\b"
    r"[^\n]{0,200}?\bby\b"
    r"|(?:html|e-?text|e-?book)[ \t]+(?:version[ \t]+)?by\b"
    r"|credits[ \t]*:"
    r")",
    re.IGNORECASE,
)
# "[Project Gutenberg Editor's Note: …]", "[Transcriber's note: …]": a bracketed paragraph in the book.
NOTE_RE = re.compile(
    r"^[ \t]*\[[ \t]*(?:project[ \t]+gutenberg\b|transcriber[\'’]?s?\b|note[ \t]+by[ \t]+the[ \t]+transcriber\b)"
    r"[^\]\[]{0,3000}\][ \t]*$",
    _F,
)
_BLANK = re.compile(r"\n[ \t]*\n")
_CREDIT_MAX_LINES = 8
_SMALL_PRINT_MAX = 200_000  # the old small print sits in the first few thousand characters


def _line_end(text: str, pos: int) -> int:
    n = text.find("\n", pos)
    return len(text) if n < 0 else n


def _paragraphs(text: str, start: int, limit: int) -> list[tuple[int, int]]:
    """Blank-line separated paragraphs (trimmed of surrounding blank lines) from ``start`` up to ``limit``."""
    out: list[tuple[int, int]] = []
    pos = start
    while pos < limit:
        while pos < limit and text[pos] in " \t\n":
            pos += 1
        if pos >= limit:
            break
        m = _BLANK.search(text, pos, limit)
        end = m.start() if m else limit
        out.append((pos, end))
        pos = end
    return out


def _header_like(text: str, a: int, b: int) -> bool:
    """A preamble paragraph: its first line names the project or the eBook, or it is a header field."""
    first = text[a : _line_end(text, a)] if _line_end(text, a) <= b else text[a:b]
    low = text[a:b].lower()
    return bool(
        FIELD_RE.match(text, a, b)
        or "gutenberg" in low
        or re.search(r"\be-?(?:book|text)s?\b", first, re.IGNORECASE)
        or re.match(r"[ \t]*\[[^\n]*(?:updated|e-?book|e-?text)[^\n]*\][ \t]*$", first, re.IGNORECASE)
    )


def _preamble_end(text: str, limit: int) -> int | None:
    """End of the header of a file that opens with the preamble but has no START marker, else None."""
    paras = _paragraphs(text, 0, min(limit, len(text)))
    if not paras or not PREAMBLE_RE.match(text, paras[0][0], paras[0][1]):
        return None
    end = paras[0][1]
    for a, b in paras[1:40]:
        if not _header_like(text, a, b):
            break
        end = b
    return end


def _credits(text: str, pos: int, limit: int) -> tuple[int, int] | None:
    """The producers' paragraphs right after ``pos`` (the START line's end), or None."""
    start: int | None = None
    end = pos
    for a, b in _paragraphs(text, pos, limit):
        if not CREDIT_RE.match(text, a, b):
            break
        if (
            text.count("\n", a, b) >= _CREDIT_MAX_LINES
        ):  # not a credits paragraph: no blank line before the story
            b = _line_end(text, a)
            start = a if start is None else start
            end = b
            break
        start = a if start is None else start
        end = b
    return None if start is None else (start, end)


def _norm(s: str) -> str:
    return " ".join(re.sub(r"[^\w\s.'’-]", " ", s).casefold().split())


def _is_title_start(n: str, title: str | None) -> bool:
    """``n`` is the title's first words (the title field may carry a subtitle from a continuation line)."""
    t = _norm(title) if title else ""
    return len(n) >= 8 and t.startswith(n) and (len(t) == len(n) or t[len(n)] == " ")


def _title_page(
    text: str, pos: int, limit: int, title: str | None, author: str | None
) -> tuple[int, int] | None:
    """The book's own title page right after ``pos``: one-line paragraphs that are the title, "by", the author,
    "by" the author, or a short bracketed line ("[1867 Edition]"), or a "[Project Gutenberg …]" note."""
    wanted = {_norm(t) for t in (title, author, f"by {author}" if author else None, "by") if t}
    if title and ":" in title:
        wanted.add(_norm(title.split(":")[0]))
    start: int | None = None
    end = pos
    for a, b in _paragraphs(text, pos, limit)[:12]:
        para = text[a:b].strip()
        one_line = "\n" not in para and len(para) <= 100
        n = _norm(para)
        if not (
            (
                one_line
                and (n in wanted or _is_title_start(n, title) or re.fullmatch(r"\[[^\[\]]{1,60}\]", para))
            )
            or NOTE_RE.fullmatch(text, a, b)
        ):
            break
        start = a if start is None else start
        end = b
    return None if start is None else (start, end)


def _licence_start(text: str, lo: int) -> int | None:
    """Start of the closing licence after offset ``lo``: the "End of the Project Gutenberg …" line right before the
    END marker, the END marker, or (lacking one) such an "End of" line or "START: FULL LICENSE" in the second half."""
    end_m = END_RE.search(text, lo)
    if end_m:
        start = end_m.start()
        # Walk back over blank lines and at most two "End of the Project Gutenberg …" lines.
        for _ in range(2):
            last = list(END_OF_RE.finditer(text, max(lo, start - 2000), start))
            if not last or text[last[-1].end() : start].strip():
                break
            start = last[-1].start()
        return start
    half = max(lo, len(text) // 2)
    for rx in (END_OF_RE, FULL_LICENCE_RE):
        m = rx.search(text, half)
        if m:
            return m.start()
    return None


def _fields(text: str, a: int, b: int) -> dict[str, str]:
    """Header fields in ``text[a:b]`` (continuation lines of a title or author are joined)."""
    out: dict[str, str] = {}
    for m in FIELD_RE.finditer(text, a, b):
        name = re.sub(r"[ \t]+", " ", m.group(1).lower())
        value = m.group(2).strip()
        if name in ("title", "author", "authors"):
            pos = m.end() + 1
            while pos < b:
                nl = _line_end(text, pos)
                line = text[pos : min(nl, b)]
                if not line.strip() or not line[:1].isspace() or FIELD_RE.match(line):
                    break
                value += (" " if name == "title" else "; ") + line.strip()
                pos = nl + 1
        eb = _EBOOK_NO.search(value)
        if eb:
            out.setdefault("gutenberg_id", eb.group(1))
            value = _EBOOK_NO.sub("", value).strip()
        key = "release_date" if name == "release date" else _WANTED.get(name, "")
        if key and value and key not in out:
            out[key] = value
    return out


def detect(text: str) -> bool:
    """True for a text with a Gutenberg START or END marker, or opening with the Gutenberg preamble."""
    return bool(START_RE.search(text) or END_RE.search(text) or _preamble_end(text, 20000) is not None)


def mark(story: Story) -> bool:
    """Mark a Gutenberg header, credits and licence in ``story`` as non-story and copy the header fields to
    ``story.meta``. Returns False (and changes nothing) for a text that is not a Gutenberg download."""
    text = story.text
    start_m = START_RE.search(text)
    end_first = END_RE.search(text)
    if start_m and end_first and end_first.start() < start_m.start():
        start_m = None  # an END before any START: not a header marker we can trust
    header_end: int | None = None
    if start_m:
        header_end = start_m.end()
    limit = end_first.start() if end_first else len(text)
    end_of = END_OF_RE.search(text, 0, limit)
    if end_of:
        limit = end_of.start()
    # Older files: the small print at the top, ended by "*END*THE SMALL PRINT!" before the book.
    sp = SMALL_PRINT_END_RE.search(text, 0, min(limit, _SMALL_PRINT_MAX))
    if sp and (header_end is None or sp.end() > header_end):
        header_end = sp.end()
    preamble_only = False
    if header_end is None:
        header_end = _preamble_end(text, limit)
        preamble_only = header_end is not None
    lic = _licence_start(text, header_end or 0) if (header_end is not None or end_first) else None
    if header_end is None and lic is None:
        return False
    blocks: list[NonStory] = []
    if header_end is not None:
        blocks.append(NonStory(0, header_end, "gutenberg-header"))
        if not preamble_only:
            cr = _credits(text, header_end, lic if lic is not None else len(text))
            if cr:
                blocks.append(NonStory(cr[0], cr[1], "gutenberg-credits"))
        for k, v in _fields(text, 0, header_end).items():
            story.meta.setdefault(k, v)
    if header_end is not None:
        after = max(b.end for b in blocks)
        meta = story.meta
        title, author = meta.get("title"), meta.get("author")
        tp = _title_page(
            text,
            after,
            lic if lic is not None else len(text),
            title if isinstance(title, str) else None,
            author if isinstance(author, str) else None,
        )
        if tp:
            blocks.append(NonStory(tp[0], tp[1], "title_page"))
    if lic is not None:
        blocks.append(NonStory(lic, len(text), "gutenberg-licence"))
    body_from = max((b.end for b in blocks if b.kind != "gutenberg-licence"), default=0)
    for m in NOTE_RE.finditer(text, body_from, lic if lic is not None else len(text)):
        if any(b.start <= m.start() < b.end for b in blocks):
            continue
        blocks.append(NonStory(m.start(), m.end(), "gutenberg-note"))
    story.meta.setdefault("platform", "gutenberg")
    story.nonstory = sorted([*story.nonstory, *blocks], key=lambda n: (n.start, n.end))
    return True
