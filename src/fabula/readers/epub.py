"""EPUB: zipfile + ``META-INF/container.xml`` + the OPF spine; each XHTML document through the HTML extraction.

Safety first, before anything is decompressed: the archive must open as a zip; no entry name may be absolute or
climb out with ``..``; the declared total size is capped (``MAX_TOTAL_BYTES``) and so is the compression ratio of
big entries (``MAX_RATIO``); every read is streamed with a hard byte cap in case a header lies. DRM (an
``encryption.xml`` that encrypts more than fonts, ``rights.xml``, ``sinf.xml``, encrypted zip entries) is
refused. XML with entity declarations is refused (no entity expansion).

Text: spine documents in order, separated by blank lines. Each spine document with text is a chapter in meta
``chapters`` ([{title, start, end, heading}]); its title comes from the NCX / nav table of contents, else from
its first heading (marked nonstory ``chapter_heading``; other headings ``heading``). Short documents before the
first real one (cover, title page) are nonstory ``front_matter``. OPF metadata goes to meta (``title``,
``author``, ``authors``, ``subjects``, ``language``, ``description``, ``publisher``, ``date``, ``series``).
AO3 EPUBs (publisher "Archive of Our Own", or AO3 preface markup) go through the AO3 walker instead, so tags,
relationship pairs, notes and chapters come out as for an AO3 HTML download.
"""

from __future__ import annotations

import io
import logging
import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
import zlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from fabula.errors import InputError, InputTooLarge
from fabula.readers import ao3
from fabula.readers.html import TextBuilder, decode_html, extract, parse
from fabula.readers.text import normalise
from fabula.story import NonStory, SourceInfo, Story

log = logging.getLogger(__name__)

MAX_TOTAL_BYTES = 200 * 2**20
MAX_ENTRIES = 10_000
MAX_RATIO = 100
RATIO_MIN_BYTES = 2**20  # the ratio check applies to entries larger than this
FRONT_MATTER_CHARS = 200
_FONT_OBFUSCATION = {"http://www.idpf.org/2008/embedding", "http://ns.adobe.com/pdf/enc#RC"}
_HTML_TYPES = {"application/xhtml+xml", "text/html", "application/x-dtbook+xml"}
_WS = re.compile(r"\s+")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _xml(data: bytes, what: str) -> ET.Element:
    if b"<!ENTITY" in data:
        raise InputError(f"EPUB {what} declares XML entities; refusing to expand them")
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        raise InputError(f"not a valid EPUB archive ({what} is not well-formed XML: {exc})") from exc


class _Archive:
    """A checked zip archive with capped, streamed reads."""

    def __init__(self, data: bytes) -> None:
        try:
            self.zf = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zf.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
            raise InputError(f"not a valid EPUB archive ({exc})") from exc
        if len(infos) > MAX_ENTRIES:
            raise InputTooLarge(f"EPUB has {len(infos)} entries; the limit is {MAX_ENTRIES}")
        total = 0
        for info in infos:
            name = info.filename
            parts = name.replace("\\", "/").split("/")
            if (
                name.startswith(("/", "\\"))
                or re.match(r"[A-Za-z]:", name)
                or ".." in parts
                or "\x00" in name
            ):
                raise InputError(f"EPUB contains an unsafe path {name!r}; refusing to read it")
            total += info.file_size
            if info.file_size > RATIO_MIN_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise InputTooLarge(
                    f"EPUB entry {name!r} expands {info.file_size // max(info.compress_size, 1)}x "
                    f"(limit {MAX_RATIO}x): looks like a zip bomb"
                )
        if total > MAX_TOTAL_BYTES:
            raise InputTooLarge(
                f"EPUB content is {total / 2**20:.0f} MB uncompressed; the limit is {MAX_TOTAL_BYTES // 2**20} MB"
            )
        self.infos = {i.filename: i for i in infos}
        self.budget = MAX_TOTAL_BYTES

    def has(self, name: str) -> bool:
        return name in self.infos

    def read(self, name: str) -> bytes:
        """Stream one entry with a hard cap (the declared size, and what is left of the total budget)."""
        info = self.infos.get(name)
        if info is None:
            raise InputError(f"not a valid EPUB archive (missing {name!r})")
        if info.flag_bits & 0x1:
            raise InputError("EPUB is DRM-protected (encrypted zip entries); fabula cannot read it")
        cap = min(info.file_size, self.budget)
        out = bytearray()
        try:
            with self.zf.open(info) as fh:
                while True:
                    chunk = fh.read(min(65536, cap - len(out) + 1))
                    if not chunk:
                        break
                    out += chunk
                    if len(out) > cap:
                        raise InputTooLarge(
                            f"EPUB entry {name!r} expands beyond its declared size or the cap"
                        )
        except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, EOFError, OSError) as exc:
            raise InputError(f"not a valid EPUB archive (cannot read {name!r}: {exc})") from exc
        self.budget -= len(out)
        return bytes(out)


def _check_drm(arc: _Archive) -> None:
    for name in ("META-INF/rights.xml", "META-INF/sinf.xml"):
        if arc.has(name):
            raise InputError(f"EPUB is DRM-protected ({name} present); fabula cannot read it")
    if not arc.has("META-INF/encryption.xml"):
        return
    root = _xml(arc.read("META-INF/encryption.xml"), "META-INF/encryption.xml")
    for enc in root.iter():
        if _local(enc.tag) != "EncryptedData":
            continue
        algo = next((e.get("Algorithm", "") for e in enc.iter() if _local(e.tag) == "EncryptionMethod"), "")
        uri = next((e.get("URI", "") for e in enc.iter() if _local(e.tag) == "CipherReference"), "")
        is_font = uri.lower().endswith((".ttf", ".otf", ".woff", ".woff2"))
        if algo not in _FONT_OBFUSCATION or not is_font:
            raise InputError(
                f"EPUB is DRM-protected ({uri or 'content'} is encrypted); fabula cannot read it"
            )


@dataclass(slots=True)
class _Item:
    path: str
    media_type: str
    properties: str


def _opf_path(arc: _Archive) -> str:
    if arc.has("META-INF/container.xml"):
        root = _xml(arc.read("META-INF/container.xml"), "META-INF/container.xml")
        for el in root.iter():
            if _local(el.tag) == "rootfile" and el.get("full-path"):
                path = el.get("full-path", "")
                if arc.has(path):
                    return path
    opfs = sorted(n for n in arc.infos if n.lower().endswith(".opf"))
    if not opfs:
        raise InputError("not a valid EPUB archive (no container.xml and no OPF package document)")
    return opfs[0]


def _resolve(base_dir: str, href: str) -> str:
    href = unquote(href.split("#", 1)[0])
    return posixpath.normpath(posixpath.join(base_dir, href)) if href else ""


def _opf_meta(root: ET.Element) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    md = next((e for e in root if _local(e.tag) == "metadata"), None)
    if md is None:
        return meta
    creators: list[str] = []
    subjects: list[str] = []
    for el in md.iter():
        name = _local(el.tag)
        val = _WS.sub(" ", "".join(el.itertext())).strip()
        if name == "meta":
            key = el.get("name") or el.get("property") or ""
            content = el.get("content") or val
            if key in {"calibre:series", "belongs-to-collection"} and content:
                meta["series"] = content
            elif key == "calibre:series_index" and content:
                meta["series_index"] = content
            continue
        if not val:
            continue
        if name == "title":
            meta.setdefault("title", val)
        elif name == "creator":
            creators.append(val)
        elif name == "subject":
            subjects.append(val)
        elif name in {"language", "publisher", "date"}:
            meta.setdefault(name, val)
        elif name == "description":
            desc = extract(parse(val)).value() if "<" in val else _WS.sub(" ", val)
            meta.setdefault("description", desc.strip())
    if creators:
        meta["author"] = creators[0]
        meta["authors"] = creators
    if subjects:
        meta["subjects"] = subjects
    return meta


def _toc_titles(arc: _Archive, opf_dir: str, root: ET.Element, items: dict[str, _Item]) -> dict[str, str]:
    """Document path -> first table-of-contents label pointing into it (NCX, else EPUB 3 nav)."""
    titles: dict[str, str] = {}
    spine = next((e for e in root if _local(e.tag) == "spine"), None)
    ncx_id = spine.get("toc") if spine is not None else None
    ncx = items.get(ncx_id or "") or next(
        (i for i in items.values() if i.media_type == "application/x-dtbncx+xml"), None
    )
    try:
        if ncx is not None and arc.has(ncx.path):
            nroot = _xml(arc.read(ncx.path), ncx.path)
            ndir = posixpath.dirname(ncx.path)
            for point in nroot.iter():
                if _local(point.tag) != "navPoint":
                    continue
                label = next((e for e in point.iter() if _local(e.tag) == "text"), None)
                content = next((e for e in point.iter() if _local(e.tag) == "content"), None)
                if label is not None and content is not None and content.get("src"):
                    titles.setdefault(
                        _resolve(ndir, content.get("src", "")), _WS.sub(" ", label.text or "").strip()
                    )
        nav = next((i for i in items.values() if "nav" in i.properties.split()), None)
        if not titles and nav is not None and arc.has(nav.path):
            html, _ = decode_html(arc.read(nav.path))
            ndir = posixpath.dirname(nav.path)
            for a in parse(html).css("nav a[href]"):
                titles.setdefault(
                    _resolve(ndir, a.attributes.get("href") or ""), _WS.sub(" ", a.text()).strip()
                )
    except InputTooLarge:
        raise
    except InputError as exc:  # a broken table of contents is not fatal
        log.warning("ignoring EPUB table of contents: %s", exc)
    return {k: v for k, v in titles.items() if v}


def read(data: bytes, source: SourceInfo) -> Story:
    """Read an EPUB file."""
    arc = _Archive(data)
    _check_drm(arc)
    opf_path = _opf_path(arc)
    opf_dir = posixpath.dirname(opf_path)
    root = _xml(arc.read(opf_path), opf_path)
    meta = _opf_meta(root)
    items: dict[str, _Item] = {}
    for el in root.iter():
        if _local(el.tag) == "item" and el.get("id") and el.get("href"):
            items[el.get("id", "")] = _Item(
                _resolve(opf_dir, el.get("href", "")), el.get("media-type", ""), el.get("properties", "")
            )
    spine_paths: list[str] = []
    for el in root.iter():
        if _local(el.tag) == "itemref" and el.get("linear", "yes") != "no":
            item = items.get(el.get("idref", ""))
            if item is None or "nav" in item.properties.split():
                continue
            if item.media_type in _HTML_TYPES or item.path.lower().endswith((".xhtml", ".html", ".htm")):
                spine_paths.append(item.path)
    if not spine_paths:
        raise InputError("not a valid EPUB archive (the spine lists no readable documents)")
    toc = _toc_titles(arc, opf_dir, root, items)

    docs: list[tuple[str, str]] = []
    encodings: list[str] = []
    for path in dict.fromkeys(spine_paths):
        if not arc.has(path):
            log.warning("EPUB spine names a missing document %s", path)
            continue
        html, enc = decode_html(arc.read(path))
        encodings.append(enc)
        docs.append((path, normalise(html)))
    if not docs:
        raise InputError("not a valid EPUB archive (no spine document is present)")
    source.encoding = max(set(encodings), key=encodings.count)

    publisher = str(meta.get("publisher", ""))
    trees = [(path, parse(html)) for path, html in docs]
    if "Archive of Our Own" in publisher or any(t.css_first("dl.tags, #preface") for _, t in trees):
        return _read_ao3(trees, source, meta)
    return _read_generic(trees, source, meta, toc)


def _read_ao3(trees: list[tuple[str, Any]], source: SourceInfo, meta: dict[str, Any]) -> Story:
    bodies = []
    for _, tree in trees:
        body = tree.body
        bodies.append(f"<div>{body.html if body is not None else ''}</div>")
    combined = parse("<html><body>" + "".join(bodies) + "</body></html>")
    root = combined.body
    assert root is not None
    text, nonstory, b, ao3_meta = ao3.extract(root)
    merged = {**meta, **{k: v for k, v in ao3_meta.items() if v not in (None, [], "")}}
    merged["platform"] = "ao3"
    return Story(text=text, source=source, meta=merged, nonstory=nonstory, italics=b.italics)


def _read_generic(
    trees: list[tuple[str, Any]], source: SourceInfo, meta: dict[str, Any], toc: dict[str, str]
) -> Story:
    b = TextBuilder()
    nonstory: list[NonStory] = []
    chapters: list[dict[str, Any]] = []
    seen_real = False
    for path, tree in trees:
        root = tree.body or tree.root
        if root is None:
            continue
        start = b.start_region()
        first_heading = len(b.headings)
        b.walk(root)
        b.paragraph_break()
        end = b.pos
        if end <= start:
            continue
        heads = b.headings[first_heading:]
        if not seen_real and end - start < FRONT_MATTER_CHARS:
            nonstory.append(NonStory(start, end, "front_matter"))
            continue
        seen_real = True
        heading: list[int] | None = None
        title = toc.get(path)
        opens_with_heading = bool(heads) and heads[0][1] == start  # nothing precedes the heading
        for i, (_, hs, he, htext) in enumerate(heads):
            if i == 0 and opens_with_heading:
                heading = [hs, he]
                nonstory.append(NonStory(hs, he, "chapter_heading"))
                title = title or _WS.sub(" ", htext).strip()
            else:
                nonstory.append(NonStory(hs, he, "heading"))
        chapters.append({"title": title or None, "start": start, "end": end, "heading": heading})
    text = b.value()
    meta = dict(meta)
    meta["chapters"] = chapters
    nonstory.sort(key=lambda n: (n.start, n.end))
    return Story(text=text, source=source, meta=meta, nonstory=nonstory, italics=b.italics)
