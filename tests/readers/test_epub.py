"""EPUB: spine order, chapters, OPF meta, AO3 EPUBs, and refusal of bombs, traversal, DRM and broken zips."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from fabula.errors import InputError, InputTooLarge
from fabula.readers import epub, load, sniff
from fabula.story import Story
from tests.readers.epubkit import CONTAINER, build_epub

FIXTURES = Path(__file__).parent / "fixtures"
LONG = "<p>The lamps along the quay were always the last thing she lit, every night, rain or fog.</p>" * 3
DOCS: list[tuple[str, str, str | None]] = [
    ("cover.xhtml", "<p>The Gull</p>", None),
    ("c1.xhtml", f"<h1>Chapter One</h1><p>“Hello,” she said. <em>Too late.</em></p>{LONG}", "One: Arrival"),
    ("c2.xhtml", f"<h2>Two</h2><p>He left.</p>{LONG}<h3>Later</h3><p>The end.</p>", None),
]


def _kinds(story: Story) -> list[tuple[str, str]]:
    return [(n.kind, story.text[n.start : n.end]) for n in story.nonstory]


@pytest.fixture
def good(tmp_path: Path) -> Path:
    return build_epub(tmp_path / "gull.epub", DOCS)


def test_good_epub(good: Path) -> None:
    story = load(good)
    assert story.source.format == "epub"
    assert story.source.encoding == "utf-8"
    m = story.meta
    assert m["title"] == "The Gull"
    assert m["author"] == "Mara Quill" and m["authors"] == ["Mara Quill"]
    assert m["subjects"] == ["Sea", "Grief"]
    assert m["language"] == "en"
    assert m["description"] == "A keeper and a gull."
    assert m["series"] == "Harbour Lights"
    assert story.text.startswith("The Gull\n\nChapter One\n\n“Hello,” she said. Too late.")
    assert [story.text[s.start : s.end] for s in story.italics] == ["Too late."]
    chapters = m["chapters"]
    assert [c["title"] for c in chapters] == ["One: Arrival", "Two"]  # TOC label first, then first heading
    assert story.text[chapters[0]["start"] : chapters[0]["end"]].startswith("Chapter One")
    assert story.text[chapters[1]["start"] : chapters[1]["end"]].endswith("The end.")
    assert _kinds(story) == [
        ("front_matter", "The Gull"),
        ("chapter_heading", "Chapter One"),
        ("chapter_heading", "Two"),
        ("heading", "Later"),
    ]


def test_spine_order_not_zip_order(tmp_path: Path) -> None:
    p = build_epub(
        tmp_path / "o.epub", [("b.xhtml", f"<p>First.</p>{LONG}", None), ("a.xhtml", "<p>Second.</p>", None)]
    )
    story = load(p)
    assert story.text.index("First.") < story.text.index("Second.")


def test_non_linear_documents_are_skipped(tmp_path: Path) -> None:
    p = build_epub(
        tmp_path / "n.epub", [("a.xhtml", f"<p>Main.</p>{LONG}", None), ("x.xhtml", "<p>Aside.</p>", None)],
        linear_no=("x.xhtml",),
    )  # fmt: skip
    assert "Aside." not in load(p).text


def test_sniff_by_content_and_name(good: Path) -> None:
    data = good.read_bytes()
    assert sniff(data, None) == "epub"
    assert sniff(data, "book.epub") == "epub"
    assert load(data).source.format == "epub"


def test_ao3_epub_reuses_the_ao3_parser(tmp_path: Path) -> None:
    html = (FIXTURES / "ao3_two_chapters.html").read_text(encoding="utf-8")
    preface = html[html.index('<div id="preface">') : html.index('<div id="chapters"')]
    chapters = html[html.index('<div id="chapters"') : html.index('<div id="afterword">')]
    afterword = html[html.index('<div id="afterword">') : html.index("</body>")]
    p = build_epub(
        tmp_path / "ao3.epub",
        [
            ("preface.xhtml", preface, "Preface"),
            ("ch.xhtml", chapters, "Chapter 1"),
            ("after.xhtml", afterword, None),
        ],
        title="The Lamplighter's Daughter",
        publisher="Archive of Our Own",
    )
    story = load(p)
    m = story.meta
    assert m["platform"] == "ao3"
    assert m["rating"] == "Teen And Up Audiences"
    assert m["relationship_pairs"][0] == {"a": "Wren Hollis", "b": "Tobias Marsh", "kind": "romantic"}
    assert m["subjects"] == ["Sea", "Grief"]  # OPF meta kept alongside
    assert [c["title"] for c in m["chapters"]] == ["Chapter 1: Oil and Wick", "Chapter 2: The Long Night"]
    assert "Teen And Up" not in story.text
    assert story.in_nonstory(story.text.index("Old Meg watched")) is None


def test_zip_bomb_is_refused_before_decompressing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = tmp_path / "bomb.epub"
    chunk = bytes(1 << 20)
    with zipfile.ZipFile(p, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        zf.writestr("META-INF/container.xml", CONTAINER)
        with zf.open("OEBPS/zeros.xhtml", "w", force_zip64=True) as fh:
            for _ in range(300):
                fh.write(chunk)
    assert p.stat().st_size < 2 * 2**20
    opened: list[str] = []
    real_open = zipfile.ZipFile.open

    def spy(self: zipfile.ZipFile, name: str | zipfile.ZipInfo, *args: object, **kwargs: object) -> object:
        opened.append(name.filename if isinstance(name, zipfile.ZipInfo) else name)
        return real_open(self, name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    with pytest.raises(InputTooLarge, match="zip bomb"):
        load(p)
    assert "OEBPS/zeros.xhtml" not in opened  # refused from the headers: the entry is never decompressed


def test_high_ratio_entry_is_refused(tmp_path: Path) -> None:
    p = build_epub(tmp_path / "ratio.epub", DOCS, extra={"OEBPS/pad.xhtml": bytes(20 * 2**20)})
    with pytest.raises(InputTooLarge, match="zip bomb"):
        load(p)


def test_total_size_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = build_epub(tmp_path / "big.epub", DOCS)
    monkeypatch.setattr(epub, "MAX_TOTAL_BYTES", 1000)
    with pytest.raises(InputTooLarge):
        load(p)


@pytest.mark.parametrize("name", ["../evil.xhtml", "OEBPS/../../evil.xhtml", "/etc/passwd", "C:/win.ini"])
def test_path_traversal_is_refused(tmp_path: Path, name: str) -> None:
    p = build_epub(tmp_path / "trav.epub", DOCS, extra={name: b"x"})
    with pytest.raises(InputError, match="unsafe path"):
        load(p)


ENCRYPTION = """<?xml version="1.0"?>
<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" xmlns:enc="http://www.w3.org/2001/04/xmlenc#">
  <enc:EncryptedData>
    <enc:EncryptionMethod Algorithm="{algo}"/>
    <enc:CipherData><enc:CipherReference URI="{uri}"/></enc:CipherData>
  </enc:EncryptedData>
</encryption>"""


def test_drm_encrypted_content_is_refused(tmp_path: Path) -> None:
    enc = ENCRYPTION.format(algo="http://www.w3.org/2001/04/xmlenc#aes128-cbc", uri="OEBPS/text/c1.xhtml")
    p = build_epub(tmp_path / "drm.epub", DOCS, extra={"META-INF/encryption.xml": enc.encode()})
    with pytest.raises(InputError, match="DRM-protected"):
        load(p)


def test_drm_rights_file_is_refused(tmp_path: Path) -> None:
    p = build_epub(tmp_path / "adept.epub", DOCS, extra={"META-INF/rights.xml": b"<rights/>"})
    with pytest.raises(InputError, match="DRM-protected"):
        load(p)


def test_font_obfuscation_alone_is_fine(tmp_path: Path) -> None:
    enc = ENCRYPTION.format(algo="http://www.idpf.org/2008/embedding", uri="OEBPS/fonts/a.otf")
    p = build_epub(tmp_path / "font.epub", DOCS, extra={"META-INF/encryption.xml": enc.encode()})
    assert "Too late." in load(p).text


def test_broken_zip_is_refused(tmp_path: Path, good: Path) -> None:
    p = tmp_path / "broken.epub"
    p.write_bytes(good.read_bytes()[:300])
    with pytest.raises(InputError, match="not a valid EPUB archive"):
        load(p)


def test_zip_without_opf_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "empty.epub"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("mimetype", "application/epub+zip")
        zf.writestr("readme.txt", "hello")
    with pytest.raises(InputError, match="not a valid EPUB archive"):
        load(p)


def test_xml_entities_are_refused(tmp_path: Path) -> None:
    p = build_epub(tmp_path / "ent.epub", DOCS)
    bad = tmp_path / "ent2.epub"
    with zipfile.ZipFile(p) as src, zipfile.ZipFile(bad, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "META-INF/container.xml":
                data = b'<?xml version="1.0"?><!DOCTYPE c [<!ENTITY a "aaaa">]>' + data.split(b"?>", 1)[1]
            dst.writestr(info, data)
    with pytest.raises(InputError, match="entities"):
        load(bad)


def test_epub3_nav_titles_and_nav_document_skipped(tmp_path: Path) -> None:
    nav = (
        '<nav epub:type="toc" xmlns:epub="http://www.idpf.org/2007/ops"><ol>'
        '<li><a href="c1.xhtml">Arrival</a></li><li><a href="c2.xhtml#top">Departure</a></li></ol></nav>'
    )
    p = tmp_path / "e3.epub"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("mimetype", "application/epub+zip")
        zf.writestr("META-INF/container.xml", CONTAINER)
        zf.writestr(
            "OEBPS/content.opf",
            """<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0">
            <metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>E3</dc:title></metadata>
            <manifest><item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>
            <item id="c1" href="c1.xhtml" media-type="application/xhtml+xml"/>
            <item id="c2" href="c2.xhtml" media-type="application/xhtml+xml"/></manifest>
            <spine><itemref idref="nav"/><itemref idref="c1"/><itemref idref="c2"/></spine></package>""",
        )
        zf.writestr("OEBPS/nav.xhtml", f"<html><body>{nav}</body></html>")
        zf.writestr("OEBPS/c1.xhtml", f"<html><body><p>Came.</p>{LONG}</body></html>")
        zf.writestr("OEBPS/c2.xhtml", "<html><body><p>Went.</p></body></html>")
    story = load(p)
    assert "Arrival" not in story.text
    assert [c["title"] for c in story.meta["chapters"]] == ["Arrival", "Departure"]


def test_lying_size_header_is_refused(tmp_path: Path, good: Path) -> None:
    data = bytearray(good.read_bytes())
    # Shrink the declared uncompressed size of c1.xhtml in the central directory to 10 bytes.
    name = b"OEBPS/text/c1.xhtml"
    cd = data.rindex(b"PK\x01\x02", 0, data.rindex(name))
    data[cd + 24 : cd + 28] = (10).to_bytes(4, "little")
    p = tmp_path / "liar.epub"
    p.write_bytes(bytes(data))
    with pytest.raises(InputError):
        load(p)
