"""The Label Studio client: the SDK behind retries and one-line errors that say what to do."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import httpx
from label_studio_sdk.client import LabelStudio
from label_studio_sdk.core.api_error import ApiError

T = TypeVar("T")

RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0)


class LabelStudioUnavailable(RuntimeError):
    """The server did not answer after retries; the message tells the user what to do."""


class LabelStudioRefused(RuntimeError):
    """The server answered with an error that retrying will not fix."""


def _retryable(error: Exception) -> bool:
    if isinstance(error, httpx.TransportError):
        return True
    return isinstance(error, ApiError) and (error.status_code or 0) >= 500


class LabelStudioClient:
    """One server: the SDK for the API, plus plain HTTP for what the SDK does not cover."""

    def __init__(self, url: str, token: str, *, retries: int = 5, timeout: float = 60) -> None:
        self.url = url.rstrip("/")
        self.delays = RETRY_DELAYS[:retries]
        self.sdk = LabelStudio(base_url=self.url, api_key=token, timeout=timeout)
        self.http = httpx.Client(
            base_url=self.url, headers={"Authorization": f"Token {token}"}, timeout=timeout
        )

    def call(self, action: str, function: Callable[..., T], *args: object, **kwargs: object) -> T:
        """Run one API call; retry connection errors, timeouts and 5xx answers with backoff."""
        for attempt, delay in enumerate((*self.delays, None)):
            try:
                return function(*args, **kwargs)
            except (httpx.HTTPError, ApiError) as error:
                if not _retryable(error):
                    raise LabelStudioRefused(
                        f"Label Studio refused to {action}: {_brief(error)}"
                    ) from None
                if delay is None:
                    raise LabelStudioUnavailable(
                        f"Label Studio at {self.url} did not answer ({_brief(error)}) after "
                        f"{attempt + 1} tries while trying to {action}. Start it with "
                        "`newsdesk labelstudio start`, or point NEWSDESK_LABELSTUDIO_URL and "
                        "NEWSDESK_LABELSTUDIO_TOKEN at a running server."
                    ) from None
                time.sleep(delay)
        raise AssertionError("unreachable")

    def request(self, action: str, method: str, path: str, **kwargs: object) -> httpx.Response:
        """Plain HTTP with the same retries; raises on error answers."""

        def send() -> httpx.Response:
            response = self.http.request(method, path, **kwargs)  # type: ignore[arg-type]
            if response.status_code >= 500:
                raise ApiError(status_code=response.status_code, body=response.text[:200])
            if response.status_code >= 400:
                raise LabelStudioRefused(
                    f"Label Studio refused to {action}: HTTP {response.status_code} "
                    f"{response.text[:300]}"
                )
            return response

        return self.call(action, send)

    def validate_config(self, label_config: str) -> None:
        """Ask the server itself whether the generated config is valid, before any project."""
        self.request(
            "validate the labeling config",
            "POST",
            "/api/projects/validate/",
            json={"label_config": label_config},
        )

    def task_link(self, project_id: int, task_id: int) -> str:
        return f"{self.url}/projects/{project_id}/data?task={task_id}"


def _brief(error: Exception) -> str:
    if isinstance(error, ApiError):
        body = str(error.body)[:300]
        return f"HTTP {error.status_code}: {body}"
    return f"{type(error).__name__}: {error}".splitlines()[0][:300]
