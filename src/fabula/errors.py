"""Every error fabula raises. Edges (CLI, web app) turn these into exit codes or HTTP statuses."""

from __future__ import annotations


class FabulaError(Exception):
    """Base class for all fabula errors."""

    exit_code = 1


class InputError(FabulaError):
    """The input cannot be read or is not a supported story (exit code 3)."""

    exit_code = 3

    def __init__(self, reason: str, path: str | None = None) -> None:
        self.reason = reason
        self.path = path
        super().__init__(f"{path}: {reason}" if path else reason)


class UnsupportedFormat(InputError):
    """The format is unknown or the file is not text."""


class InputTooLarge(InputError):
    """The input (or an archive's decompressed content) exceeds the size cap."""


class UsageError(FabulaError):
    """Options that do not make sense together (exit code 2)."""

    exit_code = 2


class OutputError(FabulaError):
    """An output cannot be written (read-only or full disk, no permission, a parent that is a file, a target that
    is not a regular file): the user's environment, not a bug (exit code 4)."""

    exit_code = 4

    def __init__(self, reason: str, path: str | None = None) -> None:
        self.reason = reason
        self.path = path
        super().__init__(f"cannot write {path}: {reason}" if path else f"cannot write: {reason}")


class PipelineError(FabulaError):
    """A stage was run without the layers it requires."""


class ModelError(FabulaError):
    """A shipped model is missing or cannot be loaded."""


class MissingDependency(ModelError):
    """An optional extra (the encoder mode's torch and MiniLM) is not installed: an environment problem whose
    message names the command that installs it (exit code 2)."""

    exit_code = 2


class DataError(FabulaError):
    """Evaluation or training data is missing or malformed (exit code 3)."""

    exit_code = 3
