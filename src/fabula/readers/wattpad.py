"""Text copied from Wattpad chapter pages: the text is kept unchanged, the site's debris is marked nonstory.

Recognised debris (nonstory kinds): the stats line ``15.6K 385 42`` (``wattpad_stats``; meta ``reads``,
``votes``, ``comments``), the chapter title line just before it (``title``; meta ``chapter_title``), the footer
``ALANAWhere stories live. Discover now`` (``wattpad_footer``; meta ``title``), image notices
(``wattpad_image_notice``) and the paragraph that Wattpad sometimes repeats around them
(``wattpad_duplicate``), ``Paid Story`` badges (``wattpad_paid``), ``There are N more free parts``
(``wattpad_more_parts``) and navigation lines (``wattpad_nav``). Several pasted chapters are handled: a stats
line is looked for at the start of the text and after each footer.
"""

from __future__ import annotations

import re

from fabula.readers.text import decode, normalise
from fabula.story import NonStory, SourceInfo, Story

FOOTER = "Where stories live. Discover now"
_NUM = r"(\d+(?:\.\d+)?[KkMm]?)"
STATS_RE = re.compile(rf"[ \t]*{_NUM}[ \t]+{_NUM}[ \t]+{_NUM}[ \t]*$")
_FOOTER_RE = re.compile(r"(.*?)\s*Where stories live\.\s*Discover now\.?\s*$")
_LINE_KINDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^\s*Oops! This image does not follow our content guidelines\..*$"), "wattpad_image_notice"),
    (re.compile(r"^\s*(Paid Stories Badge\s*)?Paid Story\s*$"), "wattpad_paid"),
    (re.compile(r"^\s*There (are|is) \d[\d,]* more free parts?\.?\s*$"), "wattpad_more_parts"),
    (
        re.compile(
            r"^\s*(Continue reading next part|You've reached the end of published parts\.?|"
            r"You'll also like|Keep reading|Start reading)\s*$"
        ),
        "wattpad_nav",
    ),
)
_DETECT_FOOTER = re.compile(rb"Where stories live\.\s*Discover now")
_DETECT_PAID = re.compile(rb"^\s*Paid Stories Badge", re.M)
_HEAD_LINES = 3  # non-empty lines at the start of a part in which a stats line may sit


def parse_count(s: str) -> int:
    """``15.6K`` -> 15600, ``1.2M`` -> 1200000, ``385`` -> 385."""
    s = s.strip()
    mult = 1
    if s[-1:] in "Kk":
        mult, s = 1000, s[:-1]
    elif s[-1:] in "Mm":
        mult, s = 1_000_000, s[:-1]
    return round(float(s) * mult)


def _ascii_view(data: bytes) -> bytes:
    """Bytes in which ASCII patterns can be searched whatever the encoding (UTF-16 is re-encoded)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace").encode("utf-8", errors="replace")
    return data


def detect(data: bytes) -> bool:
    """True when the bytes look like a copied Wattpad page (footer, paid badge, or a leading stats line)."""
    view = _ascii_view(data)
    if _DETECT_FOOTER.search(view) or _DETECT_PAID.search(view[:20000]):
        return True
    lines = [ln for ln in view[:2000].replace(b"\r", b"\n").split(b"\n") if ln.strip()]
    for ln in lines[:_HEAD_LINES]:
        try:
            s = ln.decode("utf-8").lstrip("\ufeff")
        except UnicodeDecodeError:
            continue
        if STATS_RE.match(s):
            return True
    return False


def _lines(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each line, newline excluded."""
    out = []
    pos = 0
    for line in text.split("\n"):
        out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def read(data: bytes, source: SourceInfo) -> Story:
    """Read a Wattpad page copy."""
    raw, encoding = decode(data)
    source.encoding = encoding
    text = normalise(raw)
    lines = _lines(text)
    nonstory: list[NonStory] = []
    meta: dict[str, object] = {"platform": "wattpad"}
    parts: list[dict[str, object]] = []
    titles: list[str] = []

    # Where parts begin: the start of the text and after each footer line.
    part_starts = [0]
    for i, (s, e) in enumerate(lines):
        m = _FOOTER_RE.fullmatch(text, s, e)
        if m:
            nonstory.append(NonStory(s, e, "wattpad_footer"))
            title = m.group(1).strip()
            if title:
                titles.append(title)
            part_starts.append(i + 1)

    for first in part_starts:
        seen: list[int] = []
        for i in range(first, len(lines)):
            s, e = lines[i]
            if text[s:e].strip():
                seen.append(i)
            if len(seen) >= _HEAD_LINES:
                break
        for j, i in enumerate(seen):
            s, e = lines[i]
            m = STATS_RE.fullmatch(text, s, e)
            if not m:
                continue
            part: dict[str, object] = {
                "reads": parse_count(m.group(1)),
                "votes": parse_count(m.group(2)),
                "comments": parse_count(m.group(3)),
            }
            nonstory.append(NonStory(s, e, "wattpad_stats"))
            if j == 1:  # exactly one non-empty line before the stats: the chapter title
                ts, te = lines[seen[0]]
                if te - ts <= 150:
                    nonstory.append(NonStory(ts, te, "title"))
                    part["chapter_title"] = text[ts:te].strip()
            parts.append(part)
            break

    prev: str | None = None  # the last non-empty story line
    pending_dup: str | None = None  # a line that, repeated right after an image notice, is a duplicate
    for s, e in lines:
        line = text[s:e].strip()
        if not line:
            continue
        kind = next((k for rx, k in _LINE_KINDS if rx.match(line)), None)
        if kind is not None:
            nonstory.append(NonStory(s, e, kind))
            if kind == "wattpad_image_notice":
                pending_dup = prev
            continue
        if pending_dup is not None and line == pending_dup and len(line) > 20:
            nonstory.append(NonStory(s, e, "wattpad_duplicate"))
        pending_dup = None
        prev = line

    if parts:
        meta.update(parts[0])
        if len(parts) > 1:
            meta["parts"] = parts
    if titles:
        meta["title"] = titles[0]
    nonstory.sort(key=lambda n: (n.start, n.end))
    return Story(text=text, source=source, meta=meta, nonstory=nonstory)
