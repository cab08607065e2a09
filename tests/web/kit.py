"""Test material for the web app: short scenes written for these tests and EPUBs built in memory."""

from __future__ import annotations

import io
import zipfile

SCENE = (
    "The kettle had boiled twice before Odile came down the stairs.\n\n"
    "\u201cYou\u2019re late,\u201d Bram said, not looking up from the ledger.\n\n"
    "\u201cI\u2019m always late,\u201d Odile said. \u201cYou used to find it charming.\u201d\n\n"
    "Bram closed the ledger. \u201cI used to find a great many things charming, Odile.\u201d\n\n"
    "She poured the tea and pushed a cup across the table to him. \u201cDrink it before it goes cold.\u201d\n\n"
    "\u201cThank you,\u201d he said quietly.\n"
)

PAYLOAD_SCRIPT = "<script>alert(1)</script>"
PAYLOAD_IMG = '"><img src=x onerror=alert(1)>'
HOSTILE = (
    "Wren found the note pinned to the door.\n\n"
    f"\u201cRead it out,\u201d Jory said. \u201cWhat does it say?\u201d\n\n"
    f"\u201cIt says {PAYLOAD_SCRIPT},\u201d Wren said. \u201cAnd under it: {PAYLOAD_IMG}.\u201d\n\n"
    "Jory laughed. \u201cSomebody thinks they are clever.\u201d\n"
)

CONTAINER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
    '<rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles>'
    "</container>"
)
OPF = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<package xmlns="http://www.idpf.org/2007/opf" version="2.0" unique-identifier="id">'
    '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{title}</dc:title>'
    '<dc:identifier id="id">urn:uuid:web-test</dc:identifier><dc:language>en</dc:language></metadata>'
    '<manifest><item id="c1" href="{href}" media-type="application/xhtml+xml"/></manifest>'
    '<spine><itemref idref="c1"/></spine></package>'
)
XHTML = (
    '<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><head><title>c</title>'
    "</head><body><h1>Chapter One</h1>{body}</body></html>"
)


def paragraphs_html(text: str) -> str:
    from html import escape

    return "".join(f"<p>{escape(p)}</p>" for p in text.split("\n\n") if p.strip())


def epub(
    text: str = SCENE,
    *,
    title: str = "The Ledger",
    href: str = "chapter1.xhtml",
    entry: str | None = None,
    extra: dict[str, bytes] | None = None,
) -> bytes:
    """A small EPUB 2 holding ``text`` as one chapter. ``entry`` overrides the chapter's zip entry name (for
    path traversal tests); ``extra`` adds entries (deflated)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")
        zf.writestr("META-INF/container.xml", CONTAINER)
        zf.writestr("OEBPS/content.opf", OPF.format(title=title, href=href))
        zf.writestr(entry or f"OEBPS/{href}", XHTML.format(body=paragraphs_html(text)), zipfile.ZIP_DEFLATED)
        for name, data in (extra or {}).items():
            zf.writestr(name, data, zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def zip_bomb(mb: int = 64) -> bytes:
    """An EPUB whose one extra entry inflates ``mb`` MB of zeros from a few tens of KB."""
    return epub(extra={"OEBPS/images/huge.xhtml": b"\0" * (mb * 2**20)})
