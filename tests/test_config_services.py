"""Configuration layering, local-server plumbing and the Prefect fallback note."""

from __future__ import annotations

import os
import re
import socket
import stat
from pathlib import Path

import pytest

from newsdesk.app.orchestration import configure_prefect
from newsdesk.foundations.config import ConfigError, load_settings
from newsdesk.foundations.local_secrets import SALT_VARIABLE, pseudonym_salt
from newsdesk.foundations.services import free_port, port_is_free, read_state, write_state


def test_file_then_environment_then_flags(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "newsdesk.toml"
    config.write_text(
        'workspace = "from-file"\nshard_size = 7\n[labelstudio]\nurl = "http://file:1"\n'
        '[[campaigns]]\nname = "c"\ntarget = "T"\nkeywords = ["x"]\n',
        encoding="utf-8",
    )
    settings = load_settings(config)
    assert (settings.workspace, settings.shard_size, settings.labelstudio.url) == (
        "from-file", 7, "http://file:1"
    )  # fmt: skip
    assert settings.workspace_uri == str(tmp_path / "from-file")
    assert settings.campaigns[0].keywords == ["x"]
    monkeypatch.setenv("NEWSDESK_WORKSPACE", "s3://bucket/ws")
    monkeypatch.setenv("NEWSDESK_SHARD_SIZE", "9")
    monkeypatch.setenv("NEWSDESK_LABELSTUDIO_TOKEN", "secret")
    settings = load_settings(config)
    assert (settings.workspace_uri, settings.shard_size) == ("s3://bucket/ws", 9)
    assert "secret" not in settings.model_dump_json()  # flows get Settings: no secret in it
    assert load_settings(config, workspace="flag").workspace == "flag"


@pytest.mark.parametrize(
    ("toml", "reason"),
    [
        ('[labelstudio]\ntoken = "x"\n', "token must not be in newsdesk.toml"),
        ('[labelstudio]\npseudonym_salt = "x"\n', "pseudonym_salt must not be"),
        ('[[campaigns]]\nname = "russia/ukraine"\ntarget = "R"\n', "campaigns.0.name"),
        ('[[campaigns]]\nname = "[bold]x"\ntarget = "R"\n', "campaign name"),
        ('[publish]\ndataset = "../../x"\n', "dataset name '../../x' must be"),
        ('[[campaigns]]\nname = "a"\ntarget = "A"\n[[campaigns]]\nname = "a"\ntarget = "B"\n',
         "a given twice"),
    ],
)  # fmt: skip
def test_bad_configuration_is_refused_in_one_line(tmp_path: Path, toml: str, reason: str) -> None:
    config = tmp_path / "newsdesk.toml"
    config.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(reason)) as error:
        load_settings(config)
    assert "\n" not in str(error.value) and str(config) in str(error.value)


def test_pseudonym_salt_is_random_per_installation_and_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SALT_VARIABLE, raising=False)
    first, second = pseudonym_salt(tmp_path / "a"), pseudonym_salt(tmp_path / "b")
    assert first != second and len(first) >= 32
    assert pseudonym_salt(tmp_path / "a") == first
    assert stat.S_IMODE((tmp_path / "a" / "secrets.json").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "a").stat().st_mode) == 0o700
    monkeypatch.setenv(SALT_VARIABLE, "shared by the team")
    assert pseudonym_salt(tmp_path / "a") == "shared by the team"


def test_state_file_is_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "state" / "server.json"
    write_state(path, {"token": "t"})
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert read_state(path) == {"token": "t"}
    assert read_state(tmp_path / "missing.json") is None


def test_busy_port_is_skipped_not_silently_shared() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert not port_is_free(port)
        assert free_port(port) > port


def test_unreachable_prefect_server_falls_back_with_a_note(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PREFECT_API_URL", f"http://127.0.0.1:{free_port(19400)}/api")
    note = configure_prefect(load_settings(Path("/nonexistent/newsdesk.toml")))
    assert "not reachable" in note and "slower" in note
    assert "PREFECT_API_URL" not in os.environ


def test_label_studio_moving_to_another_port_is_followed(tmp_path: Path) -> None:
    from newsdesk.annotation.server import moved_to

    log = tmp_path / "server.log"
    log.write_text("old run\n* Trying to start at 9001\n", encoding="utf-8")
    offset = log.stat().st_size
    assert moved_to(log, offset) is None  # what an earlier start logged does not count
    with log.open("a", encoding="utf-8") as stream:
        stream.write("*** WARNING! ***\n* Port 18200 is in use.\n* Trying to start at 18201\n")
    assert moved_to(log, offset) == 18201
    assert moved_to(tmp_path / "missing.log", 0) is None
