"""Build small EPUB files for the reader tests (zipfile only)."""

from __future__ import annotations

import zipfile
from pathlib import Path

NOT_LINEAR = ' linear="no"'
CONTAINER = """<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles>
</container>"""

OPF = """<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="2.0" unique-identifier="id">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:opf="http://www.idpf.org/2007/opf">
    <dc:title>{title}</dc:title>
    <dc:creator opf:role="aut">Mara Quill</dc:creator>
    <dc:subject>Sea</dc:subject>
    <dc:subject>Grief</dc:subject>
    <dc:language>en</dc:language>
    <dc:publisher>{publisher}</dc:publisher>
    <dc:description>&lt;p&gt;A keeper and a &lt;em&gt;gull&lt;/em&gt;.&lt;/p&gt;</dc:description>
    <dc:identifier id="id">urn:uuid:0000-test</dc:identifier>
    <meta name="calibre:series" content="Harbour Lights"/>
  </metadata>
  <manifest>
    <item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>
{items}
  </manifest>
  <spine toc="ncx">
{itemrefs}
  </spine>
</package>"""

NCX = """<?xml version="1.0" encoding="UTF-8"?>
<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1">
  <navMap>
{points}
  </navMap>
</ncx>"""

XHTML = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml"><head><title>x</title></head>
<body>{body}</body></html>"""


def build_epub(
    path: Path,
    docs: list[tuple[str, str, str | None]],
    *,
    title: str = "The Gull",
    publisher: str = "Small Press",
    extra: dict[str, bytes] | None = None,
    linear_no: tuple[str, ...] = (),
) -> Path:
    """``docs``: (file name under OEBPS/text/, body html, toc label or None)."""
    items = "\n".join(
        f'    <item id="d{i}" href="text/{name}" media-type="application/xhtml+xml"/>'
        for i, (name, _, _) in enumerate(docs)
    )
    itemrefs = "\n".join(
        f'    <itemref idref="d{i}"{NOT_LINEAR if name in linear_no else ""}/>'
        for i, (name, _, _) in enumerate(docs)
    )
    points = "\n".join(
        f'    <navPoint id="n{i}"><navLabel><text>{label}</text></navLabel><content src="text/{name}"/></navPoint>'
        for i, (name, _, label) in enumerate(docs)
        if label
    )
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")
        zf.writestr("META-INF/container.xml", CONTAINER)
        zf.writestr(
            "OEBPS/content.opf", OPF.format(title=title, publisher=publisher, items=items, itemrefs=itemrefs)
        )
        zf.writestr("OEBPS/toc.ncx", NCX.format(points=points))
        for name, body, _ in docs:
            zf.writestr(f"OEBPS/text/{name}", XHTML.format(body=body), compress_type=zipfile.ZIP_DEFLATED)
        for name, data in (extra or {}).items():
            zf.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
    return path
