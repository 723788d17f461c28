"""Local servers newsdesk starts for a user who has none: process, state file, health."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from newsdesk.foundations.errors import UserError


class ServiceError(UserError):
    """A local server could not be started; the message says why and what to do."""


def read_state(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def private_folder(path: Path) -> Path:
    """A folder only its owner can enter: what it holds may be secret."""
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def write_state(path: Path, state: dict[str, Any]) -> None:
    """Owner-only permissions from the first byte: the file may hold a token."""
    private_folder(path.parent)
    temporary = path.with_suffix(".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
        json.dump(state, stream, indent=2)
    os.replace(temporary, path)


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def free_port(preferred: int, host: str = "127.0.0.1") -> int:
    """The preferred port if free, else the next free one (chosen here, not by the server)."""
    for port in range(preferred, preferred + 100):
        if port_is_free(port, host):
            return port
    raise ServiceError(f"no free port in {preferred}-{preferred + 99} on {host}")


def is_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def http_ok(url: str, timeout: float = 3.0) -> bool:
    try:
        return httpx.get(url, timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False


def launch(command: Sequence[str], env: dict[str, str], log: Path) -> int:
    """Start a server detached from this process (it outlives the command), logging to a file."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as output:
        process = subprocess.Popen(
            list(command),
            env={**os.environ, **env},
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    return process.pid


def wait_until(check: Callable[[], bool], timeout: float, pid: int, what: str, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        if not is_alive(pid):
            raise ServiceError(f"{what} exited while starting; see its log: {log}")
        time.sleep(1)
    raise ServiceError(f"{what} was not healthy after {timeout:.0f} s; see its log: {log}")


def terminate(pid: int | None, timeout: float = 20) -> bool:
    """Stop a server's whole process group; True when something was running."""
    if not is_alive(pid):
        return False
    assert pid is not None
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and is_alive(pid):
        time.sleep(0.3)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
    if is_alive(pid):
        os.killpg(pid, signal.SIGKILL)
    return True


@dataclass(frozen=True)
class LocalService:
    """A server newsdesk started: its folder holds `server.json` (state) and `server.log`."""

    home: Path

    @property
    def state_file(self) -> Path:
        return self.home / "server.json"

    @property
    def log(self) -> Path:
        return self.home / "server.log"

    def state(self) -> dict[str, Any] | None:
        return read_state(self.state_file)

    def health_url(self, state: dict[str, Any]) -> str:
        raise NotImplementedError

    def running(self) -> dict[str, Any] | None:
        """The state of a server that is up and answering, else None."""
        state = self.state()
        if state and is_alive(int(state.get("pid") or 0)) and http_ok(self.health_url(state)):
            return state
        return None

    def stop(self) -> bool:
        """Stop the server; True when one was running."""
        return terminate(int((self.state() or {}).get("pid") or 0))
