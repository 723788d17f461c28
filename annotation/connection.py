"""Which Label Studio to talk to: the configured URL and token, else the local server's."""

from __future__ import annotations

from annotation.client import LabelStudioClient, LabelStudioUnavailable
from annotation.server import LocalLabelStudio
from newsdesk.config import Settings


def local_server(settings: Settings) -> LocalLabelStudio:
    return LocalLabelStudio(settings.state_path / "labelstudio")


def connect(settings: Settings) -> LabelStudioClient:
    """A configured token wins; without one, the local server newsdesk started."""
    config = settings.labelstudio
    if config.token:
        return LabelStudioClient(config.url, config.token, retries=config.retries)
    state = local_server(settings).state()
    if not state:
        raise LabelStudioUnavailable(
            "No Label Studio token configured and no local server started. Run "
            "`newsdesk labelstudio start`, or set NEWSDESK_LABELSTUDIO_URL and "
            "NEWSDESK_LABELSTUDIO_TOKEN."
        )
    return LabelStudioClient(str(state["url"]), str(state["token"]), retries=config.retries)
