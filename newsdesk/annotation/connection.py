"""Which Label Studio to talk to: the configured URL and token, else the local server's.

The token is read here, where it is used, and never enters `Settings`: flows take `Settings` as
a parameter, and Prefect stores and shows every parameter.
"""

from __future__ import annotations

import os

from pydantic import SecretStr

from newsdesk.annotation.client import LabelStudioClient, LabelStudioUnavailable
from newsdesk.annotation.server import LocalLabelStudio
from newsdesk.foundations.config import Settings

TOKEN_VARIABLE = "NEWSDESK_LABELSTUDIO_TOKEN"


def local_server(settings: Settings) -> LocalLabelStudio:
    return LocalLabelStudio(settings.state_path / "labelstudio")


def connect(settings: Settings, *, deadline: float | None = None) -> LabelStudioClient:
    """A token in the environment wins; without one, the local server newsdesk started."""
    config = settings.labelstudio
    limits = {"deadline": deadline or config.deadline_s, "timeout": config.timeout_s}
    if token := os.environ.get(TOKEN_VARIABLE):
        return LabelStudioClient(config.url, SecretStr(token), **limits)
    state = local_server(settings).state()
    if not state:
        raise LabelStudioUnavailable(
            "No Label Studio token configured and no local server started. Run "
            f"`newsdesk labelstudio start`, or set NEWSDESK_LABELSTUDIO_URL and {TOKEN_VARIABLE}."
        )
    return LabelStudioClient(str(state["url"]), SecretStr(str(state["token"])), **limits)
