"""The failures a user can meet and fix: they end a command with one line, not a traceback."""

from __future__ import annotations


class UserError(RuntimeError):
    """A failure the user can fix; its message says what to do."""


def expected_errors() -> tuple[type[Exception], ...]:
    """Imported lazily: the Label Studio client pulls in the SDK, which is slow to import."""
    from annotation.client import LabelStudioRefused, LabelStudioUnavailable
    from annotation.projects import SchemaChangeRefused
    from newsdesk.hub import HubRefused
    from newsdesk.publish import PublishCheckFailed
    from newsdesk.services import ServiceError

    return (
        UserError,
        LabelStudioUnavailable,
        LabelStudioRefused,
        SchemaChangeRefused,
        ServiceError,
        PublishCheckFailed,
        HubRefused,
    )
