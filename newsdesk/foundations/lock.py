"""One writer per workspace: push, pull and publish take the workspace lock.

Two pushes at once would each create the campaign's project; two pulls would each rewrite the
annotations. The lock is an `flock` on a file beside the workspace (under `state_dir` for a
remote workspace), so the system releases it when its holder dies: a killed run leaves no lock.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from newsdesk.foundations.config import Settings
from newsdesk.foundations.errors import UserError


class WorkspaceBusy(UserError):
    """Another newsdesk process holds the workspace lock."""


def lock_path(settings: Settings) -> Path:
    uri = settings.workspace_uri
    if "://" not in uri:
        return Path(uri) / ".newsdesk.lock"
    digest = hashlib.sha256(uri.encode()).hexdigest()[:16]
    return settings.state_path / "locks" / f"{digest}.lock"


@contextmanager
def workspace_lock(settings: Settings, action: str) -> Iterator[None]:
    """Hold the workspace for `action`, or refuse at once naming who holds it."""
    path = lock_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(descriptor)
            raise WorkspaceBusy(
                f"workspace {settings.workspace_uri} is busy: {holder} is running on it. Wait "
                "for it to finish and run this again (a lock of a killed process is released "
                "by itself)."
            ) from None
        os.ftruncate(descriptor, 0)
        note = {"pid": os.getpid(), "action": action, "since": time.strftime("%H:%M:%S")}
        os.pwrite(descriptor, json.dumps(note).encode(), 0)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


def _holder(descriptor: int) -> str:
    try:
        note = json.loads(os.pread(descriptor, 4096, 0) or b"{}")
        return f"newsdesk {note['action']} (pid {note['pid']}, since {note['since']})"
    except (ValueError, KeyError, OSError):
        return "another newsdesk command"
