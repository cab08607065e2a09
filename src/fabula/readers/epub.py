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
from fabula.readers import MAX_MARKUP_TAGS, ao3
from fabula.readers.html import TextBuilder, decode_html, extract, parse
from fabula.readers.text import normalise
from fabula.story import NonStory, SourceInfo, Story

log = logging.getLogger(__name__)

MAX_TOTAL_BYTES = 200 * 2**20
MAX_SPINE_BYTES = 64 * 2**20  # the spine's (X)HTML documents together, uncompressed
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
    tags = 0
    missing = [p for p in dict.fromkeys(spine_paths) if not arc.has(p)]
    size = sum(arc.infos[p].file_size for p in dict.fromkeys(spine_paths) if arc.has(p))
    if size > MAX_SPINE_BYTES:  # declared sizes, before anything is decompressed (reads are capped too)
        raise InputTooLarge(
            f"EPUB text documents are {size / 2**20:.0f} MB uncompressed; the limit is {MAX_SPINE_BYTES // 2**20} MB"
        )
    for path in dict.fromkeys(spine_paths):
        if not arc.has(path):
            continue
        html, enc = decode_html(arc.read(path))
        encodings.append(enc)
        tags += html.count("<")
        if tags > MAX_MARKUP_TAGS:
            raise InputTooLarge(f"EPUB text documents hold over {MAX_MARKUP_TAGS} tags; the limit is {MAX_MARKUP_TAGS}")
        docs.append((path, normalise(html)))
    if missing:  # one warning, however many are missing
        log.warning(
            "EPUB spine names %d missing document%s (%s)",
            len(missing), "" if len(missing) == 1 else "s", ", ".join(missing[:3]) + (", ..." if len(missing) > 3 else ""),
        )  # fmt: skip
    if not docs:
        raise InputError("not a valid EPUB archive (no spine document is present)")
    source.encoding = max(set(encodings), key=encodings.count)

    publisher = str(meta.get("publisher", ""))
    # one parsed document at a time (a tree costs many times its HTML in memory)
    if "Archive of Our Own" in publisher or any(parse(html).css_first("dl.tags, #preface") for _, html in docs):
        return _read_ao3(docs, source, meta)
    return _read_generic(docs, source, meta, toc, _guide(arc, root, opf_dir, items))


def _read_ao3(docs: list[tuple[str, str]], source: SourceInfo, meta: dict[str, Any]) -> Story:
    bodies = []
    for _, html in docs:
        body = parse(html).body
        bodies.append(f"<div>{body.html if body is not None else ''}</div>")
    combined = parse("<html><body>" + "".join(bodies) + "</body></html>")
    root = combined.body
    assert root is not None
    text, nonstory, b, ao3_meta = ao3.extract(root)
    merged = {**meta, **{k: v for k, v in ao3_meta.items() if v not in (None, [], "")}}
    merged["platform"] = "ao3"
    return Story(text=text, source=source, meta=merged, nonstory=nonstory, italics=b.italics)


# epub:type / guide / landmark values of documents that are not the narrative.
_FRONT_TYPES = frozenset(
    "cover titlepage title-page halftitlepage copyright-page copyright dedication toc contents loi lot"
    " acknowledgements acknowledgments foreword preface frontmatter imprint imprimatur other-credits"
    " contributors epigraph seriespage".split()
)
_BACK_TYPES = frozenset(
    "colophon index glossary bibliography backmatter endnotes rearnotes footnotes appendix afterword"
    " credits ads advertisement teaser".split()
)
_MATTER_TITLE = re.compile(
    r"(?:(?:table[ \t]+of[ \t]+)?contents|copyright(?:[ \t]+page)?|dedication|acknowledge?ments|title[ \t]+page"
    r"|cover|extracts?|(?:end[ \t]*)?notes|about[ \t]+the[ \t]+(?:author|publisher)|also[ \t]+by\b.*"
    r"|other[ \t]+(?:books|titles|works)\b.*|praise[ \t]+for\b.*|colophon|index|glossary|bibliography|imprint"
    r"|(?:more[ \t]+)?from[ \t]+the[ \t]+(?:author|publisher)\b.*|newsletter\b.*|copyright[ \t]*©?.*)\.?",
    re.I,
)


def _matter(tree: Any, guide_type: str, title: str) -> str | None:
    """``front`` or ``back`` for a spine document that is front or back matter (by its ``epub:type``, the OPF
    guide or nav landmarks, or its title: "Contents", "Copyright", "Dedication", "Extracts", "Notes", "Also
    by …"), else None."""
    types: set[str] = set(guide_type.lower().split())
    for node in (tree.body, tree.css_first("body > section"), tree.css_first("body > div")):
        if node is not None:
            types |= set((node.attributes.get("epub:type") or "").lower().split())
    if types & _BACK_TYPES:
        return "back"
    if types & _FRONT_TYPES:
        return "front"
    if title and _MATTER_TITLE.fullmatch(_WS.sub(" ", title).strip()):
        return "front"
    return None


def _guide(arc: _Archive, root: ET.Element, opf_dir: str, items: dict[str, _Item]) -> dict[str, str]:
    """Document path -> its OPF ``<guide>`` reference types and EPUB 3 nav ``landmarks`` types."""
    out: dict[str, str] = {}
    for el in root.iter():
        if _local(el.tag) == "reference" and el.get("href") and el.get("type"):
            path = _resolve(opf_dir, el.get("href", ""))
            out[path] = f"{out.get(path, '')} {el.get('type', '')}".strip()
    nav = next((i for i in items.values() if "nav" in i.properties.split()), None)
    if nav is None or not arc.has(nav.path):
        return out
    try:
        html, _ = decode_html(arc.read(nav.path))
    except InputTooLarge:
        raise
    except InputError:
        return out
    ndir = posixpath.dirname(nav.path)
    for navnode in parse(html).css("nav"):
        if "landmarks" not in (navnode.attributes.get("epub:type") or ""):
            continue
        for a in navnode.css("a[href]"):
            path = _resolve(ndir, a.attributes.get("href") or "")
            out[path] = f"{out.get(path, '')} {a.attributes.get('epub:type') or ''}".strip()
    return out


def _read_generic(
    docs: list[tuple[str, str]],
    source: SourceInfo,
    meta: dict[str, Any],
    toc: dict[str, str],
    guide: dict[str, str] | None = None,
) -> Story:
    guide = guide or {}
    b = TextBuilder()
    nonstory: list[NonStory] = []
    chapters: list[dict[str, Any]] = []
    seen_real = False
    for path, html in docs:
        tree = parse(html)
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
        label = toc.get(path) or (heads[0][3] if heads else "")
        matter = _matter(tree, guide.get(path, ""), label)
        if matter is not None:
            nonstory.append(NonStory(start, end, "back_matter" if seen_real else "front_matter"))
            continue
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
