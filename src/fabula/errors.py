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


class PipelineError(FabulaError):
    """A stage was run without the layers it requires."""


class ModelError(FabulaError):
    """A shipped model is missing or cannot be loaded."""


class DataError(FabulaError):
    """Evaluation or training data is missing or malformed (exit code 3)."""

    exit_code = 3
