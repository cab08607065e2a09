"""File output at the edge: atomic writes (temp file + rename), so no reader ever sees half a file.

Only regular files are written: a target that exists as anything else (a device such as ``/dev/null``, a FIFO, a
directory) is refused, a symbolic link is written through (the link stays a link), and a file that exists keeps
its permission bits. Every failure is an :class:`~fabula.errors.OutputError` with a one-line reason.
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
        raise OutputError(f"it is {kind}; fabula writes only regular files", str(path))
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
    temporary file behind)."""
    staged: list[tuple[str, Path, Path]] = []
    try:
        for path, content in files.items():
            data = content.encode("utf-8") if isinstance(content, str) else content
            tmp, real = _stage(Path(path), data)
            staged.append((tmp, real, Path(path)))
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
