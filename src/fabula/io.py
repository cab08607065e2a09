"""File output at the edge: atomic writes (temp file + rename), so no reader ever sees half a file.

Regular files are replaced atomically and keep their permission bits; a symbolic link is written through (the
link stays a link). An existing character device or FIFO (``-o /dev/null``, ``-o some.fifo``) is written into
directly, never replaced nor chmod-ed; any other existing target that is not a regular file (a directory, a block
device, a socket) is refused. Every failure is an :class:`~fabula.errors.OutputError` with a one-line reason.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Mapping
from pathlib import Path

from fabula.errors import OutputError


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def is_stream(path: Path | str) -> bool:
    """Whether ``path`` (through symbolic links) is an existing character device or FIFO: written into, never
    replaced."""
    try:
        return _streamish(os.stat(path).st_mode)
    except OSError:
        return False


def _streamish(mode: int) -> bool:
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)


def write_stream(path: Path | str, content: str | bytes) -> None:
    """Write ``content`` into the character device or FIFO at ``path`` (opened without creating or truncating
    it; a FIFO waits for its reader)."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NOCTTY)
    except OSError as exc:
        raise OutputError(_reason(exc), str(path)) from exc
    try:
        if not _streamish(os.fstat(fd).st_mode):  # replaced since it was looked at: not ours to write into
            raise OutputError("it is no longer a device or FIFO", str(path))
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    except OSError as exc:
        raise OutputError(_reason(exc), str(path)) from exc
    finally:
        os.close(fd)


def _target(path: Path) -> tuple[Path, int | None]:
    """The file to replace (a symlink's target) and its permission bits (None when it does not exist yet)."""
    real = Path(os.path.realpath(path))
    try:
        st = os.stat(real)
    except FileNotFoundError:
        return real, None
    except OSError as exc:
        raise OutputError(_reason(exc), str(path)) from exc
    if not stat.S_ISREG(st.st_mode):
        kind = "a directory" if stat.S_ISDIR(st.st_mode) else "not a regular file"
        raise OutputError(f"it is {kind}; fabula writes only regular files, devices and FIFOs", str(path))
    return real, stat.S_IMODE(st.st_mode)


def _stage(path: Path, data: bytes) -> tuple[str, Path]:
    """Write ``data`` to a temporary file beside ``path``'s target; return (temporary name, target)."""
    real, mode = _target(path)
    try:
        real.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".tmp", dir=real.parent)
    except OSError as exc:
        raise OutputError(_reason(exc), str(path)) from exc
    try:
        if mode is None:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise OutputError(_reason(exc), str(path)) from exc
        raise
    return tmp, real


def atomic_write(path: Path | str, content: str | bytes) -> None:
    """Write ``content`` to ``path`` via a temporary file in the same folder and an atomic rename."""
    atomic_write_all({Path(path): content})


def atomic_write_all(files: Mapping[Path, str | bytes]) -> None:
    """Write several files all or nothing: every content goes to a temporary file first, and only when all are
    written are they renamed into place (a failure or a signal before that leaves the old files untouched and no
    temporary file behind). A device or FIFO among them is written into once the files are staged."""
    staged: list[tuple[str, Path, Path]] = []
    try:
        streams = {Path(p): c for p, c in files.items() if is_stream(p)}
        for path, content in files.items():
            if Path(path) in streams:
                continue
            data = content.encode("utf-8") if isinstance(content, str) else content
            tmp, real = _stage(Path(path), data)
            staged.append((tmp, real, Path(path)))
        for path, content in streams.items():
            write_stream(path, content)
        while staged:
            tmp, real, path = staged[0]
            try:
                os.replace(tmp, real)
            except OSError as exc:
                raise OutputError(_reason(exc), str(path)) from exc
            staged.pop(0)
    finally:
        for tmp, _, _ in staged:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
