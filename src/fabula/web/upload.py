"""Request bodies, read with a size cap and parsed in memory: nothing an upload carries touches the disk.

``read_body`` refuses a body over the cap (413) from its Content-Length before reading, and while streaming in
case the header lies. ``parse_multipart`` splits a ``multipart/form-data`` body into in-memory parts with
python-multipart's streaming parser (Starlette's own form parser would spool large files to a temporary file).
``story_input`` turns a text or a file part into the bytes and name an analysis reads, refusing file types that
are not stories (415).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath, PureWindowsPath

from python_multipart.multipart import MultipartParseError, MultipartParser, parse_options_header
from starlette.requests import Request

from fabula.readers import EXTENSIONS
from fabula.web.errors import Problem, too_large, unreadable, unsupported

#: File types the app accepts (by extension), as the readers name them.
UPLOAD_TYPES = EXTENSIONS
#: Room for form fields and multipart framing beyond the file itself.
FRAMING_BYTES = 64 * 1024
MAX_PARTS = 16


@dataclass
class Part:
    """One form field or file of a multipart body."""

    name: str
    filename: str | None = None
    content_type: str | None = None
    data: bytearray = field(default_factory=bytearray)

    def text(self) -> str:
        return bytes(self.data).decode("utf-8", errors="replace")


@dataclass(frozen=True)
class StoryInput:
    """What an analysis reads: a file's raw bytes and its name, or pasted text (``is_text``: UTF-8 bytes)."""

    data: bytes
    name: str | None = None
    is_text: bool = False

    def source(self) -> str | bytes:
        """What :func:`fabula.readers.load` takes: ``str`` for pasted text, ``bytes`` for a file."""
        return self.data.decode("utf-8") if self.is_text else self.data


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body, or :class:`Problem` 413 as soon as it is known to exceed ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.strip().isdigit() and int(declared) > limit:
        raise too_large(int(declared), limit, "request")
    buf = bytearray()
    async for chunk in request.stream():
        buf += chunk
        if len(buf) > limit:
            raise too_large(None, limit, "request")
    return bytes(buf)


def parse_multipart(body: bytes, content_type: str, max_parts: int = MAX_PARTS) -> dict[str, Part]:
    """The parts of a ``multipart/form-data`` body by field name (the first of each name), in memory."""
    _, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if not boundary:
        raise Problem(400, "bad_request", "multipart body without a boundary")
    parts: list[Part] = []
    headers: dict[bytes, bytes] = {}
    name_buf, value_buf = bytearray(), bytearray()
    current: list[Part] = []

    def on_part_begin() -> None:
        headers.clear()
        if len(parts) >= max_parts:
            raise Problem(400, "bad_request", f"more than {max_parts} form fields")

    def on_header_field(data: bytes, start: int, end: int) -> None:
        name_buf.extend(data[start:end])

    def on_header_value(data: bytes, start: int, end: int) -> None:
        value_buf.extend(data[start:end])

    def on_header_end() -> None:
        headers[bytes(name_buf).lower()] = bytes(value_buf)
        name_buf.clear()
        value_buf.clear()

    def on_headers_finished() -> None:
        _, opts = parse_options_header(headers.get(b"content-disposition", b""))
        filename = opts.get(b"filename")
        current[:] = [
            Part(
                name=opts.get(b"name", b"").decode("utf-8", errors="replace"),
                filename=filename.decode("utf-8", errors="replace") if filename is not None else None,
                content_type=headers.get(b"content-type", b"").decode("latin-1") or None,
            )
        ]

    def on_part_data(data: bytes, start: int, end: int) -> None:
        current[0].data.extend(data[start:end])

    def on_part_end() -> None:
        parts.append(current[0])

    callbacks = {
        "on_part_begin": on_part_begin,
        "on_header_field": on_header_field,
        "on_header_value": on_header_value,
        "on_header_end": on_header_end,
        "on_headers_finished": on_headers_finished,
        "on_part_data": on_part_data,
        "on_part_end": on_part_end,
    }
    try:
        parser = MultipartParser(boundary, callbacks)  # type: ignore[arg-type]
        parser.write(body)
        parser.finalize()
    except MultipartParseError as exc:
        raise Problem(400, "bad_request", f"malformed multipart body ({exc})") from None
    out: dict[str, Part] = {}
    for p in parts:
        out.setdefault(p.name, p)
    return out


def safe_name(filename: str) -> str:
    """The last path component of an uploaded file name (never used as a path: only for its extension and
    for the download names)."""
    return PureWindowsPath(PurePosixPath(filename).name).name.strip()[:200]


def file_input(filename: str, data: bytes, limit: int) -> StoryInput:
    """An uploaded file: its type must be a story type (415), its size within ``limit`` (413)."""
    name = safe_name(filename)
    ext = PurePosixPath(name.lower()).suffix
    if ext not in UPLOAD_TYPES:
        kinds = ", ".join(sorted(set(UPLOAD_TYPES)))
        raise unsupported(f"{name or 'the file'}: unsupported file type {ext or '(none)'}; upload one of {kinds}")
    if len(data) > limit:
        raise too_large(len(data), limit, "file")
    if not data.strip():
        raise unreadable(f"{name}: the file is empty")
    return StoryInput(data, name)


def text_input(text: str, limit: int) -> StoryInput:
    """Pasted text: within ``limit`` bytes of UTF-8 (413), not blank (422)."""
    data = text.encode("utf-8", errors="replace")
    if len(data) > limit:
        raise too_large(len(data), limit, "text")
    if not text.strip():
        raise unreadable("there is no text to analyse: paste a story or choose a file")
    return StoryInput(data, None, is_text=True)


def form_input(parts: dict[str, Part], limit: int) -> StoryInput:
    """A file part named ``file`` (when one was chosen), else a text part named ``text``."""
    f = parts.get("file")
    if f is not None and f.filename:
        return file_input(f.filename, bytes(f.data), limit)
    t = parts.get("text")
    return text_input(t.text() if t is not None else "", limit)
