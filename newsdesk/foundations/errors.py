"""The failures a user can meet and fix: they end a command with one line, not a traceback."""

from __future__ import annotations


class UserError(RuntimeError):
    """A failure the user can fix; its message says what to do."""


def expected_errors() -> tuple[type[Exception], ...]:
    """Imported lazily: the Label Studio client pulls in the SDK, which is slow to import."""
    from newsdesk.annotation.client import LabelStudioRefused, LabelStudioUnavailable
    from newsdesk.annotation.projects import SchemaChangeRefused
    from newsdesk.foundations.services import ServiceError
    from newsdesk.publishing.build import PublishCheckFailed
    from newsdesk.publishing.hub import HubRefused

    return (
        UserError,
        LabelStudioUnavailable,
        LabelStudioRefused,
        SchemaChangeRefused,
        ServiceError,
        PublishCheckFailed,
        HubRefused,
    )
