"""Secrets made for this installation, kept owner-only under `state_dir`, never in git.

The pseudonym salt turns annotator e-mails into pseudonyms; a public salt would let anyone
who knows an e-mail find its pseudonym, so each installation makes a random one. A team that
pulls from several machines shares one through NEWSDESK_PSEUDONYM_SALT.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from newsdesk.foundations.services import read_state, write_state

SALT_VARIABLE = "NEWSDESK_PSEUDONYM_SALT"


def secrets_file(state_path: Path) -> Path:
    return state_path / "secrets.json"


def pseudonym_salt(state_path: Path) -> str:
    """The installation's salt, made on first use."""
    if salt := os.environ.get(SALT_VARIABLE):
        return salt
    path = secrets_file(state_path)
    stored = read_state(path) or {}
    if not stored.get("pseudonym_salt"):
        stored["pseudonym_salt"] = secrets.token_hex(16)
        write_state(path, stored)
    return str(stored["pseudonym_salt"])
