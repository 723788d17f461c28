"""The Label Studio client's retries, against a real local HTTP server that fails on purpose."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from newsdesk.annotation import client as client_module
from newsdesk.annotation.client import LabelStudioClient, LabelStudioRefused, LabelStudioUnavailable


class _Flaky(BaseHTTPRequestHandler):
    """Answers 503 to the first `failures` requests, then 200 (or 400 for /bad)."""

    failures = 0
    seen = 0

    def do_POST(self) -> None:
        type(self).seen += 1
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path.startswith("/bad"):
            status, body = 400, {"label_config": ["broken"]}
        elif type(self).seen <= type(self).failures:
            status, body = 503, {"detail": "busy"}
        else:
            status, body = 200, {"ok": True}
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def flaky(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[_Flaky]]:
    monkeypatch.setattr(client_module, "BACKOFF", (0.01,))
    _Flaky.failures, _Flaky.seen = 0, 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Flaky)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Flaky.url = f"http://127.0.0.1:{server.server_address[1]}"  # type: ignore[attr-defined]
    yield _Flaky
    server.shutdown()


def _post(client: LabelStudioClient, path: str = "/api/x") -> dict:
    return client.call("do it", _send, client, path)


def _send(client: LabelStudioClient, path: str = "/api/x") -> dict:
    """One request, no retries: what `write` wraps."""
    return client.request("do it", "POST", path, json={}).json()


def test_5xx_answers_are_retried_until_the_server_recovers(flaky) -> None:
    flaky.failures = 3
    assert _post(LabelStudioClient(flaky.url, "t")) == {"ok": True}
    assert flaky.seen == 4


def test_a_server_that_stays_in_error_ends_in_one_line_at_the_deadline(flaky) -> None:
    flaky.failures = 10**6
    client = LabelStudioClient(flaky.url, "t", deadline=0.3)
    with pytest.raises(LabelStudioUnavailable) as error:
        _post(client)
    message = str(error.value)
    assert "within 0 s" in message and "newsdesk labelstudio start" in message
    assert "\n" not in message and 3 <= flaky.seen <= 40


def test_a_4xx_answer_is_not_retried(flaky) -> None:
    with pytest.raises(LabelStudioRefused, match="broken"):
        _post(LabelStudioClient(flaky.url, "t"), "/bad")
    assert flaky.seen == 1


def test_a_write_with_an_uncertain_outcome_asks_the_server_before_writing_again(flaky) -> None:
    """The 503 here stands for an answer lost after the server did the write."""
    flaky.failures = 1
    client = LabelStudioClient(flaky.url, "t")
    asked: list[int] = []

    def settle() -> str | None:
        asked.append(flaky.seen)
        return "done by the first request"

    assert client.write("import", lambda: _send(client), settle) == "done by the first request"
    assert flaky.seen == 1 and asked == [1]


def test_a_write_the_server_did_not_do_is_sent_again(flaky) -> None:
    flaky.failures = 2
    client = LabelStudioClient(flaky.url, "t")
    assert client.write("import", lambda: _send(client), lambda: None) == {"ok": True}
    assert flaky.seen == 3
