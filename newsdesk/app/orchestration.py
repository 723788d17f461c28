"""Prefect around the stages: which server to talk to, a local one to start, the task runner.

Nothing here is needed by the stages themselves; they only see a `ShardRunner`.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsdesk.foundations.config import Settings
from newsdesk.foundations.services import (
    LocalService,
    free_port,
    http_ok,
    launch,
    private_folder,
    wait_until,
    write_state,
)

QUIET_ENV = {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
}
START_TIMEOUT_S = 180


@dataclass(frozen=True)
class LocalPrefect(LocalService):
    """A `prefect server start` on 127.0.0.1 whose database lives under `home`."""

    def health_url(self, state: dict[str, Any]) -> str:
        return f"{state['api_url']}/health"

    def start(self, port: int) -> tuple[dict[str, object], bool]:
        if state := self.running():
            return state, False
        chosen = free_port(port)
        private_folder(self.home)  # prefect.db holds every flow run's parameters and logs
        executable = Path(sys.executable).with_name("prefect")
        env = {**QUIET_ENV, "PREFECT_HOME": str(self.home), "PREFECT_UI_ENABLED": "true"}
        command = [str(executable), "server", "start", "--host", "127.0.0.1", "--port", str(chosen)]
        pid = launch(command, env, self.log)
        state = {"pid": pid, "port": chosen, "api_url": f"http://127.0.0.1:{chosen}/api"}
        write_state(self.state_file, state)
        wait_until(
            lambda: http_ok(f"{state['api_url']}/health"), START_TIMEOUT_S, pid, "Prefect", self.log
        )
        return state, True


def configure_prefect(settings: Settings) -> str:
    """Point Prefect at a reachable server, or at its embedded one; say which.

    Must run before Prefect is imported: Prefect reads its settings at import time.
    """
    os.environ.update({k: v for k, v in QUIET_ENV.items() if k not in os.environ})
    configured = os.environ.get("PREFECT_API_URL")
    if configured:
        if http_ok(f"{configured.rstrip('/')}/health"):
            return f"Prefect server {configured}"
        os.environ.pop("PREFECT_API_URL")
        note = f"Prefect server {configured} is not reachable"
    else:
        local = LocalPrefect(settings.state_path / "prefect").running()
        if local:
            os.environ["PREFECT_API_URL"] = str(local["api_url"])
            return f"Prefect server {local['api_url']}"
        note = "no Prefect server is running"
    if "PREFECT_HOME" not in os.environ:  # the embedded server's database, owner-only
        os.environ["PREFECT_HOME"] = str(private_folder(settings.state_path / "prefect-embedded"))
    return (
        f"{note}: using a temporary embedded server (slower to start, runs not kept). "
        "`newsdesk prefect start` keeps one running with its UI."
    )
