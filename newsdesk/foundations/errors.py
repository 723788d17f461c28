"""The failures a user can meet and fix: they end a command with one line, not a traceback.

Every such failure subclasses `UserError`, whichever layer raises it (config, the workspace
lock, local servers, Label Studio, publish, the Hub, the fast tools), so the CLI and the flows
catch this one class and nothing needs gathering from the layers above.
"""

from __future__ import annotations


class UserError(RuntimeError):
    """A failure the user can fix; its message says what to do."""
