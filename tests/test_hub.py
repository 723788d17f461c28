"""Pushing to the Hub, against a fake of exactly the four `HfApi` calls that
`newsdesk.publishing.hub` uses."""

from __future__ import annotations

import hashlib
import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from typer.testing import CliRunner

import newsdesk.publishing.hub as hub
from newsdesk.app.cli import app
from newsdesk.foundations.config import Settings
from newsdesk.foundations.workspace import Workspace
from newsdesk.publishing.hub import HubRefused, push_version
from schemas import tables
from tests.conftest import ROOT
from tests.test_publish import _publish, _root, _tasks, make_setup


@pytest.fixture()
def setup(tmp_path: Path) -> tuple[Workspace, Settings]:
    return make_setup(tmp_path)


@dataclass
class FakeHub:
    """A dataset repo as the Hub keeps it: commits of files, and tags that point at commits."""

    repos: dict[str, dict[str, bytes]] = field(default_factory=dict)
    tags: dict[str, dict[str, str]] = field(default_factory=dict)
    commits: list[tuple[str, str, dict[str, bytes]]] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    fail_upload: Exception | None = None

    def create_repo(self, repo_id: str, *, repo_type: str, exist_ok: bool, **_: Any) -> str:
        assert repo_type == "dataset" and exist_ok
        self.calls.append("create_repo")
        self.repos.setdefault(repo_id, {})
        self.tags.setdefault(repo_id, {})
        return f"https://hub.test/datasets/{repo_id}"

    def list_repo_refs(self, repo_id: str, *, repo_type: str, **_: Any) -> SimpleNamespace:
        self.calls.append("list_repo_refs")
        tags = [
            SimpleNamespace(name=name, ref=f"refs/tags/{name}", target_commit=commit)
            for name, commit in self.tags[repo_id].items()
        ]
        return SimpleNamespace(branches=[], converts=[], tags=tags)

    def upload_folder(
        self,
        *,
        repo_id: str,
        folder_path: str,
        repo_type: str,
        commit_message: str,
        delete_patterns: list[str],
        **_: Any,
    ) -> SimpleNamespace:
        self.calls.append("upload_folder")
        if self.fail_upload:
            raise self.fail_upload
        root = Path(folder_path)
        files = dict(self.repos[repo_id])
        new = {
            p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()
        }
        for name in list(files):
            if name not in new and any(
                Path(name).match(p) or name.startswith(p.rstrip("*")) for p in delete_patterns
            ):
                del files[name]
        files.update(new)
        oid = hashlib.sha1(f"{len(self.commits)}{commit_message}".encode()).hexdigest()
        self.repos[repo_id] = files
        self.commits.append((oid, commit_message, files))
        return SimpleNamespace(oid=oid, commit_url=f"https://hub.test/commit/{oid}")

    def create_tag(self, repo_id: str, *, tag: str, revision: str, repo_type: str, **_: Any):
        self.calls.append("create_tag")
        if tag in self.tags[repo_id]:
            raise RuntimeError("409 Conflict: tag already exists")
        self.tags[repo_id][tag] = revision


def test_push_uploads_the_version_and_tags_its_commit(setup) -> None:
    workspace, settings = setup
    folder = _publish(workspace, settings).path
    fake = FakeHub()
    pushed = push_version(folder, "org/news", api=fake)
    assert pushed.version == "1.0.0"
    assert fake.calls == ["create_repo", "list_repo_refs", "upload_folder", "create_tag"]
    ((oid, message, files),) = fake.commits
    assert fake.tags["org/news"] == {"1.0.0": oid} and "1.0.0" in message
    local = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert set(files) == local and "manifest.json" in files and "README.md" in files
    assert "pushed 1.0.0 to org/news" in pushed.summary()


def test_next_version_replaces_the_data_files_and_gets_its_own_tag(setup) -> None:
    workspace, settings = setup
    fake = FakeHub()
    first = _publish(workspace, settings, shard_bytes=500).path
    push_version(first, "org/news", api=fake)
    many = {f for f in fake.repos["org/news"] if f.startswith("data/sentences/train-")}
    assert len(many) > 1
    more = workspace.read("sentences", tables.SENTENCES).slice(10, 2).to_pylist()
    _tasks(workspace, more, "second")
    second = _publish(workspace, settings).path
    push_version(second, "org/news", api=fake)
    files = fake.repos["org/news"]
    assert [f for f in files if f.startswith("data/sentences/train-")] == [
        "data/sentences/train-00000-of-00001.parquet"
    ]
    assert set(fake.tags["org/news"]) == {"1.0.0", "1.1.0"}
    assert fake.tags["org/news"]["1.0.0"] == fake.commits[0][0]


def test_an_existing_tag_is_never_moved(setup) -> None:
    workspace, settings = setup
    folder = _publish(workspace, settings).path
    fake = FakeHub()
    push_version(folder, "org/news", api=fake)
    fake.calls.clear()
    with pytest.raises(HubRefused, match=r"already has tag 1\.0\.0.*never moved"):
        push_version(folder, "org/news", api=fake)
    assert "upload_folder" not in fake.calls and "create_tag" not in fake.calls
    assert len(fake.commits) == 1


def test_a_folder_that_fails_verification_is_not_pushed(setup) -> None:
    workspace, settings = setup
    folder = _publish(workspace, settings).path
    card = folder / "README.md"
    card.chmod(0o644)
    card.write_text("tampered")
    fake = FakeHub()
    with pytest.raises(HubRefused, match=r"README\.md"):
        push_version(folder, "org/news", api=fake)
    assert fake.calls == []


def test_hub_errors_end_in_one_line(setup) -> None:
    workspace, settings = setup
    folder = _publish(workspace, settings).path
    fake = FakeHub(fail_upload=ConnectionError("Name or service not known\nmore detail"))
    with pytest.raises(HubRefused) as error:
        push_version(folder, "org/news", api=fake)
    message = str(error.value)
    assert "\n" not in message and "ConnectionError" in message and "HF_TOKEN" in message
    assert fake.tags["org/news"] == {}


def test_cli_publish_push_to_hub(setup, monkeypatch: pytest.MonkeyPatch) -> None:
    workspace, settings = setup
    fake = FakeHub()
    monkeypatch.setattr(hub, "default_api", lambda: fake)
    monkeypatch.setenv("NEWSDESK_CONFIG", str(Path(workspace.uri).parent / "none.toml"))
    monkeypatch.setenv("NEWSDESK_OUTPUTS", settings.publish.outputs)
    monkeypatch.setenv("NEWSDESK_WORKSPACE", workspace.uri)
    runner = CliRunner()
    args = ["publish", "--no-prefect", "--push-to-hub", "org/news"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "published 1.0.0" in result.output and "pushed 1.0.0 to org/news" in result.output
    again = runner.invoke(app, args)  # nothing new, and 1.0.0 is on the Hub already
    assert again.exit_code == 1
    assert "nothing changed" in again.output and "never moved" in again.output
    assert "Traceback" not in again.output
    assert list(fake.tags["org/news"]) == ["1.0.0"] and len(fake.commits) == 1
    manifest = json.loads(_root(settings).joinpath("1.0.0", "manifest.json").read_text())
    checkout = subprocess.run(
        ["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=False, cwd=ROOT
    ).stdout.strip()  # a tarball of the project has no commit: then it says so
    assert manifest["git_commit"] == (checkout or "unknown")
    assert len(manifest["config_hash"]) == 16
