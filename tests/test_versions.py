"""Versions on disk as a user meets them: list, diff, verify, from Python and the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsdesk.app.cli import app
from newsdesk.foundations.config import Settings
from newsdesk.foundations.workspace import Workspace
from newsdesk.publishing.versions import (
    change_counts,
    diff_versions,
    list_versions,
    resolve_version,
    verify_version,
)
from schemas import tables
from tests.test_publish import _annotate, _publish, _root, _tasks, make_setup

runner = CliRunner()


@pytest.fixture()
def setup(tmp_path: Path) -> tuple[Workspace, Settings]:
    return make_setup(tmp_path)


@pytest.fixture()
def two_versions(setup, monkeypatch: pytest.MonkeyPatch) -> tuple[Workspace, Settings, Path]:
    workspace, settings = setup
    _publish(workspace, settings)
    _annotate(workspace, "against")
    more = workspace.read("sentences", tables.SENTENCES).slice(10, 2).to_pylist()
    _tasks(workspace, more, "second")
    _publish(workspace, settings)
    root = _root(settings)
    monkeypatch.setenv("NEWSDESK_CONFIG", str(Path(workspace.uri).parent / "none.toml"))
    monkeypatch.setenv("NEWSDESK_OUTPUTS", settings.publish.outputs)
    return workspace, settings, root


def test_versions_sort_by_number_not_text(tmp_path: Path) -> None:
    for name in ("1.10.0", "1.9.0", "2.0.0", ".staging-1-1.11.0-x", "notes"):
        (tmp_path / name).mkdir()
    assert list_versions(tmp_path) == ["1.9.0", "1.10.0", "2.0.0"]
    assert list_versions(tmp_path / "absent") == []


def test_diff_between_versions(two_versions) -> None:
    _, _, root = two_versions
    changes = diff_versions(root / "1.0.0", root / "1.1.0")
    assert change_counts(changes) == {
        "added": 2, "removed": 0, "text_changed": 0, "relabeled": 1, "moved_split": 0,
    }  # fmt: skip
    backwards = change_counts(diff_versions(root / "1.1.0", root / "1.0.0"))
    assert backwards["removed"] == 2 and backwards["added"] == 0
    assert change_counts(diff_versions(root / "1.1.0", root / "1.1.0")) == dict.fromkeys(
        backwards, 0
    )


def test_cli_versions_and_diff(two_versions) -> None:
    listed = runner.invoke(app, ["versions"])
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert lines[1].split()[0] == "1.0.0" and lines[1].endswith("10 added")
    assert lines[2].startswith("* 1.1.0") and "2 added, 1 relabeled" in lines[2]
    shown = runner.invoke(app, ["diff", "1.0.0", "1.1.0"])
    assert shown.exit_code == 0, shown.output
    assert "1.0.0 → 1.1.0: 2 added, 0 removed, 0 text changed, 1 relabeled" in shown.output
    assert shown.output.count("  added ") == 2
    missing = runner.invoke(app, ["diff", "0.9.0"])
    assert missing.exit_code == 1 and "0.9.0 not found" in missing.output


def test_verify_names_every_bad_file(two_versions) -> None:
    _, _, root = two_versions
    folder = resolve_version(root, None)
    assert folder.name == "1.1.0" and verify_version(folder) == []
    ok = runner.invoke(app, ["verify"])
    assert ok.exit_code == 0 and "ok: 1.1.0" in ok.output
    train = sorted((folder / "data" / "sentences").glob("train-*.parquet"))[0]
    train.chmod(0o644)
    with train.open("r+b") as stream:
        stream.seek(100)
        stream.write(b"\x00\x01\x02")
    card = folder / "README.md"
    card.chmod(0o644)
    card.write_text(card.read_text() + "\nedited by hand\n")
    (folder / "data" / "articles" / "extra.parquet").write_bytes(b"x")
    (folder / "CHANGELOG.md").chmod(0o644)
    (folder / "CHANGELOG.md").unlink()
    problems = verify_version(folder)
    assert len(problems) == 4
    relative = train.relative_to(folder).as_posix()
    assert any(p.startswith(f"{relative}: sha256") for p in problems)
    assert any(p.startswith("README.md: ") and "bytes" in p for p in problems)
    assert "CHANGELOG.md: missing" in problems
    assert "data/articles/extra.parquet: not in the manifest" in problems
    bad = runner.invoke(app, ["verify", "1.1.0"])
    assert bad.exit_code == 1
    assert len([line for line in bad.output.splitlines() if line.startswith("bad: 1.1.0: ")]) == 4
    every = runner.invoke(app, ["verify", "--all"])
    assert every.exit_code == 1 and "ok: 1.0.0" in every.output


def test_verify_without_versions_says_so(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("NEWSDESK_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("NEWSDESK_OUTPUTS", str(tmp_path / "out"))
    result = runner.invoke(app, ["verify"])
    assert result.exit_code == 1 and "no version published" in result.output
