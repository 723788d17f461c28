"""A local Label Studio for users who have none: its own venv, 127.0.0.1, no phoning home.

Label Studio pins packages that conflict with Prefect, so it lives in a separate virtual
environment installed from a lock file shipped beside this module. The admin user and API
token are created on first start and kept in an owner-only state file, never printed whole.
"""

from __future__ import annotations

import re
import secrets
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from newsdesk.annotation.client import LabelStudioClient
from newsdesk.foundations.services import (
    LocalService,
    ServiceError,
    free_port,
    launch,
    wait_until,
    write_state,
)

REQUIREMENTS = Path(__file__).with_name("labelstudio-requirements.txt")
QUIET_ENV = {
    "LATEST_VERSION_CHECK": "false",
    "COLLECT_ANALYTICS": "false",
    "SENTRY_DSN": "",
    "FRONTEND_SENTRY_DSN": "",
    "DJANGO_DEBUG": "false",
    # sign-up only through the invite link: anyone who can sign up can delete a project
    "DISABLE_SIGNUP_WITHOUT_LINK": "true",
}
START_TIMEOUT_S = 300


@dataclass(frozen=True)
class LocalLabelStudio(LocalService):
    """A local Label Studio: its folder holds the venv, the data, the log and the state."""

    shared_venv: Path | None = None  # tests reuse one install across throwaway servers

    @property
    def venv(self) -> Path:
        return self.shared_venv or self.home / "venv"

    @property
    def executable(self) -> Path:
        return self.venv / "bin" / "label-studio"

    def health_url(self, state: dict[str, Any]) -> str:
        return f"{state['url']}/health"

    def install(self) -> bool:
        """Create the venv from the lock file if needed; True when it installed something."""
        if self.executable.exists():
            return False
        uv = _uv()
        self.home.mkdir(parents=True, exist_ok=True)
        commands = [
            [uv, "venv", "--quiet", "--python", sys.executable, str(self.venv)],
            [uv, "pip", "install", "--quiet", "--compile-bytecode",
             "--python", str(self.venv / "bin" / "python"), "-r", str(REQUIREMENTS)],
        ]  # fmt: skip
        for command in commands:
            result = subprocess.run(command, capture_output=True, text=True, check=False)
            if result.returncode != 0:
                reason = (result.stderr or result.stdout).strip().splitlines()[-1:]
                raise ServiceError(f"installing Label Studio failed: {' '.join(reason)}")
        return True

    def start(self, port: int, username: str) -> tuple[dict[str, object], bool]:
        """(state, started_now): reuse a healthy server, else install and start one."""
        if state := self.running():
            return state, False
        self.install()
        previous = self.state() or {}
        chosen = free_port(int(previous.get("port") or port))
        state = {
            "url": f"http://127.0.0.1:{chosen}",
            "port": chosen,
            "username": previous.get("username") or username,
            "password": previous.get("password") or secrets.token_urlsafe(12),
            "token": previous.get("token") or secrets.token_hex(20),
            "data_dir": str(self.home / "data"),
        }
        command = [
            str(self.executable), "start", "--no-browser", "--internal-host", "127.0.0.1",
            "--port", str(chosen), "--data-dir", state["data_dir"], "--enable-legacy-api-token",
        ]  # fmt: skip
        # credentials through the environment, not argv: argv is visible to every local user
        secrets_env = {
            "LABEL_STUDIO_USERNAME": str(state["username"]),
            "LABEL_STUDIO_PASSWORD": str(state["password"]),
            "LABEL_STUDIO_USER_TOKEN": str(state["token"]),
        }
        logged = self.log.stat().st_size if self.log.exists() else 0
        pid = launch(command, {**QUIET_ENV, **secrets_env}, self.log)
        state["pid"] = pid
        write_state(self.state_file, state)

        def healthy() -> bool:
            # Label Studio moves to the next port by itself when another process took ours
            # meanwhile: follow it, or the health check would ask a stranger forever
            if (moved := moved_to(self.log, logged)) and moved != state["port"]:
                state.update(port=moved, url=f"http://127.0.0.1:{moved}")
                write_state(self.state_file, state)
            return _token_works(str(state["url"]), str(state["token"]))

        wait_until(healthy, START_TIMEOUT_S, pid, "Label Studio", self.log)
        return state, True


def invite_link(client: LabelStudioClient, *, reset: bool = False) -> str:
    """The organization's sign-up link; `reset` retires the old one first."""
    if reset:
        client.call(
            "make a new invite link",
            client.request,
            "make a new invite link",
            "POST",
            "/api/invite/reset-token",
        )
    answer = client.get("read the invite link", "/api/invite").json()
    return f"{client.url}{answer['invite_url']}"


def moved_to(log: Path, offset: int) -> int | None:
    """The port Label Studio says it moved to, in what it logged after `offset`."""
    try:
        with log.open("rb") as stream:
            stream.seek(offset)
            text = stream.read().decode("utf-8", "replace")
    except OSError:
        return None
    found = re.findall(r"Trying to start at (\d+)", text)
    return int(found[-1]) if found else None


def _token_works(url: str, token: str) -> bool:
    try:
        response = httpx.get(
            f"{url}/api/current-user/whoami",
            headers={"Authorization": f"Token {token}"},
            timeout=5,
        )
    except httpx.HTTPError:
        return False
    return response.status_code == 200


def _uv() -> str:
    try:
        from uv import find_uv_bin
    except ImportError as error:
        raise ServiceError("the `uv` package is missing: reinstall newsdesk") from error
    return find_uv_bin()


def masked(token: str) -> str:
    """Enough of a token to recognise it, never enough to use it."""
    return f"{token[:4]}…{token[-2:]}" if len(token) > 8 else "…"
