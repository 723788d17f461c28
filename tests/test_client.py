"""The Label Studio client's retries, against a real local HTTP server that fails on purpose."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from annotation import client as client_module
from annotation.client import LabelStudioClient, LabelStudioRefused, LabelStudioUnavailable


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
    monkeypatch.setattr(client_module, "RETRY_DELAYS", (0.01,) * 7)
    _Flaky.failures, _Flaky.seen = 0, 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Flaky)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Flaky.url = f"http://127.0.0.1:{server.server_address[1]}"  # type: ignore[attr-defined]
    yield _Flaky
    server.shutdown()


def test_5xx_answers_are_retried_until_the_server_recovers(flaky) -> None:
    flaky.failures = 3
    client = LabelStudioClient(flaky.url, "t", retries=5)
    assert client.request("do it", "POST", "/api/x", json={}).json() == {"ok": True}
    assert flaky.seen == 4


def test_a_server_that_stays_in_error_ends_in_one_line(flaky) -> None:
    flaky.failures = 100
    client = LabelStudioClient(flaky.url, "t", retries=2)
    with pytest.raises(LabelStudioUnavailable) as error:
        client.request("import tasks", "POST", "/api/x", json={})
    assert flaky.seen == 3 and "3 tries" in str(error.value) and "\n" not in str(error.value)


def test_a_4xx_answer_is_not_retried(flaky) -> None:
    client = LabelStudioClient(flaky.url, "t", retries=5)
    with pytest.raises(LabelStudioRefused, match="broken"):
        client.request("validate", "POST", "/bad", json={})
    assert flaky.seen == 1
