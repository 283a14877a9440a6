"""One error tree for the whole project.

Every error a user can cause derives from :class:`SanctraceError` and carries a message that is
safe to show (no stack trace, no personal data beyond what the user gave us). The CLI maps any of
them to exit code 1 with one line on stderr; the API maps them to 4xx through ``http_status``.

    SanctraceError
    ├── InputError            bad file, record or argument (names the file and the record)
    │   └── ListSourceError   a sanctions-list file that cannot be read or understood
    ├── NotFound              an id, address, case or snapshot that does not exist
    ├── Conflict              an action not allowed in the current state (four-eyes, closed case)
    ├── PermissionDenied      the user's role may not do this
    ├── IntegrityError        stored data failed verification (audit chain, merkle root)
    └── EngineError           the storage/compute engine failed or is misconfigured
"""

from __future__ import annotations


class SanctraceError(Exception):
    """Root of every user-facing error."""

    http_status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InputError(SanctraceError):
    """Bad input: the message names the file and the record (line, byte offset or id)."""

    http_status = 422

    @classmethod
    def at(cls, source: str, where: str | int | None, problem: str) -> InputError:
        """Build the standard "<file>: <record>: <problem>" message."""
        location = f"{source}: {where}: " if where is not None else f"{source}: "
        return cls(location + problem)


class ListSourceError(InputError):
    """A sanctions-list file that cannot be detected, parsed or verified."""


class NotFound(SanctraceError):
    http_status = 404


class Conflict(SanctraceError):
    http_status = 409


class PermissionDenied(SanctraceError):
    http_status = 403


class IntegrityError(SanctraceError):
    http_status = 409


class EngineError(SanctraceError):
    http_status = 500
