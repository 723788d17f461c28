"""The Label Studio client: one retry layer with a deadline, and writes that are safe to repeat.

A read that meets a timeout, a cut connection or a 5xx answer is simply asked again. A write
cannot be: the server may have done it before the answer was lost (Label Studio even stores
some requests it answers with 500). So after an uncertain outcome a write first asks the server
what it did (`settle`), and writes again only what is still missing. The SDK's own retries are
off, so there is exactly one retry layer, bounded by a total deadline per call.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import httpx
from label_studio_sdk.client import LabelStudio
from label_studio_sdk.core.api_error import ApiError
from pydantic import SecretStr

from newsdesk.foundations.errors import UserError

T = TypeVar("T")

BACKOFF = (0.5, 1.0, 2.0, 4.0, 8.0)
DEADLINE_S = 45.0  # total time one call may take, retries included
REQUEST_TIMEOUT_S = 20.0  # one HTTP request


class LabelStudioUnavailable(UserError):
    """The server did not answer in time; the message tells the user what to do."""


class LabelStudioRefused(UserError):
    """The server answered with an error that retrying will not fix."""


def uncertain(error: Exception) -> bool:
    """May the server have done (part of) the request, or may it answer if asked again?"""
    if isinstance(error, httpx.TransportError):
        return True
    return isinstance(error, ApiError) and (error.status_code or 0) >= 500


class LabelStudioClient:
    """One server: the SDK for the API, plus plain HTTP for what the SDK does not cover."""

    def __init__(
        self,
        url: str,
        token: SecretStr | str,
        *,
        deadline: float = DEADLINE_S,
        timeout: float = REQUEST_TIMEOUT_S,
    ) -> None:
        secret = token.get_secret_value() if isinstance(token, SecretStr) else token
        self.url = url.rstrip("/")
        self.deadline = deadline
        self.sdk = LabelStudio(base_url=self.url, api_key=secret, timeout=timeout, max_retries=0)
        self.http = httpx.Client(
            base_url=self.url, headers={"Authorization": f"Token {secret}"}, timeout=timeout
        )

    def _attempts(self, action: str) -> Callable[[Exception], None]:
        """A function to call after each failed attempt: it waits, or ends the call."""
        started = time.monotonic()
        tries = iter(range(1, 1000))

        def after_failure(error: Exception) -> None:
            attempt = next(tries)
            if not uncertain(error):
                raise LabelStudioRefused(
                    f"Label Studio refused to {action}: {_brief(error)}"
                ) from None
            delay = BACKOFF[min(attempt - 1, len(BACKOFF) - 1)]
            if time.monotonic() - started + delay > self.deadline:
                raise LabelStudioUnavailable(
                    f"Label Studio at {self.url} did not answer ({_brief(error)}) within "
                    f"{self.deadline:.0f} s ({attempt} tries) while trying to {action}. Check "
                    "that it runs (`newsdesk labelstudio start`, or point "
                    "NEWSDESK_LABELSTUDIO_URL and NEWSDESK_LABELSTUDIO_TOKEN at a running "
                    "server), then run the command again: nothing is done twice."
                ) from None
            time.sleep(delay)

        return after_failure

    def call(self, action: str, function: Callable[..., T], *args: object, **kwargs: object) -> T:
        """A read (or a write that is idempotent by nature): asked again until the deadline."""
        after_failure = self._attempts(action)
        while True:
            try:
                return function(*args, **kwargs)
            except (httpx.HTTPError, ApiError) as error:
                after_failure(error)

    def write(
        self,
        action: str,
        function: Callable[[], T],
        settle: Callable[[], T | None],
    ) -> T:
        """A write that must happen once: after an uncertain outcome, `settle` asks the server
        what it did (its result, or None when the write did not happen) before writing again.
        """
        after_failure = self._attempts(action)
        while True:
            try:
                return function()
            except (httpx.HTTPError, ApiError) as error:
                after_failure(error)
            done = self.call(f"check whether Label Studio did {action}", settle)
            if done is not None:
                return done

    def request(self, action: str, method: str, path: str, **kwargs: object) -> httpx.Response:
        """One plain HTTP request, raising like the SDK does (for use inside call or write)."""
        response = self.http.request(method, path, **kwargs)  # type: ignore[arg-type]
        if response.status_code >= 500:
            raise ApiError(status_code=response.status_code, body=response.text[:200])
        if response.status_code >= 400:
            raise LabelStudioRefused(
                f"Label Studio refused to {action}: HTTP {response.status_code} "
                f"{response.text[:300]}"
            )
        return response

    def get(self, action: str, path: str, **params: object) -> httpx.Response:
        """A GET, retried until the deadline."""
        return self.call(action, self.request, action, "GET", path, params=params)

    def validate_config(self, label_config: str) -> None:
        """Ask the server itself whether the generated config is valid, before any project."""
        self.call(
            "validate the labeling config",
            self.request,
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
