"""What headway fails with: one family, each kind with the exit code the command line gives it.
The message always says what went wrong and what to do."""

from __future__ import annotations

from pathlib import Path


class HeadwayError(Exception):
    """A failure the user can act on (never a bug): the CLI prints it and exits `exit_code`."""

    exit_code = 2


class ConfigError(HeadwayError):
    """`mkdocs.yml` is missing or unusable; the message says which and why."""


class AuthoringError(HeadwayError):
    """The new record cannot be written; the message says why and what to do."""


class RecordExists(AuthoringError):
    """A new record's file is there already: it is not overwritten."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"{path} already exists; not overwritten")
        self.path = path


class RenderError(HeadwayError):
    """A template could not be rendered (a user's override, usually); says which and where."""


class DigestError(HeadwayError, ValueError):
    """A `--since` that is neither a date nor a number of days or weeks."""
