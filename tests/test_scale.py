"""Scale: ingest streams shard by shard, a rerun does not reopen unchanged files, and the
default runner really uses other processes."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsdesk.app.cli import app
from newsdesk.foundations.runner import process_runner
from newsdesk.foundations.workspace import Workspace
from newsdesk.stages import ingest as ingest_module
from newsdesk.stages.ingest import InputFile, ingest
from schemas import tables


def _story(n: int) -> str:
    return f"Story {n}: the harbour council met on day {n} and agreed on the budget."


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the files ingest opens (the serial runner: in this process)."""
    names: list[str] = []
    real = ingest_module.read_file

    def spy(path: Path, limits: object):  # type: ignore[no-untyped-def]
        names.append(Path(path).name)
        return real(path, limits)  # type: ignore[arg-type]

    monkeypatch.setattr(ingest_module, "read_file", spy)
    return names


def test_one_big_jsonl_is_streamed_in_shards_of_shard_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = tmp_path / "big.jsonl"
    big.write_text("".join(json.dumps({"text": _story(n)}) + "\n" for n in range(95)), "utf-8")
    held: list[int] = []
    real_add = ingest_module._ArticleSink.add

    def add(self, row, input_file):  # type: ignore[no-untyped-def]
        real_add(self, row, input_file)
        held.append(len(self.rows))

    monkeypatch.setattr(ingest_module._ArticleSink, "add", add)
    workspace = Workspace(str(tmp_path / "ws"))
    report = ingest(workspace, [big], shard_size=10)
    assert report.kept == 95
    assert max(held) < 10  # never more than a shard's rows held: written as it goes
    sizes = [workspace.read_shard("articles", s).num_rows for s in workspace.shards("articles")]
    assert sorted(sizes) == [5] + [10] * 9


def test_units_of_files_follow_shard_size(tmp_path: Path) -> None:
    files = [InputFile(str(tmp_path / f"{n}.html"), 3000, 0) for n in range(10)]
    files.insert(4, InputFile(str(tmp_path / "feed.jsonl"), 10 * 2**20, 0))  # ~2,500 records
    units = ingest_module._units(files, shard_size=3)
    assert [len(unit) for unit in units] == [3, 1, 1, 3, 3]
    assert units[2] == [files[4]]  # the big file streams alone


def test_a_rerun_does_not_reopen_unchanged_files_and_reread_does(
    tmp_path: Path, opened: list[str]
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(4):
        (folder / f"{n}.txt").write_text(_story(n), "utf-8")
    (folder / "copy.txt").write_text(_story(0), "utf-8")  # a duplicate
    (folder / "empty.txt").write_text("", "utf-8")  # quarantined
    workspace = Workspace(str(tmp_path / "ws"))
    first = ingest(workspace, [folder])
    assert (first.kept, first.duplicates, first.quarantined_records) == (4, 1, 1)
    assert len(opened) == 6

    opened.clear()
    second = ingest(workspace, [folder])
    assert opened == []  # recognised by path, size and mtime
    assert (second.kept, second.unchanged, second.duplicates) == (0, 4, 1)
    assert second.quarantined_records == 1 and second.records == first.records

    (folder / "4.txt").write_text(_story(4), "utf-8")  # a new file
    changed = folder / "1.txt"
    changed.write_text(_story(11), "utf-8")  # same size, new content and mtime
    os.utime(changed, ns=(time.time_ns(), time.time_ns() + 10**9))
    third = ingest(workspace, [folder])
    assert sorted(opened) == ["1.txt", "4.txt"]
    assert third.kept == 2

    opened.clear()
    fourth = ingest(workspace, [folder], reread=True)
    assert len(opened) == 7
    assert (fourth.kept, fourth.unchanged, fourth.duplicates) == (0, 5, 1)
    assert workspace.count_rows("articles") == 6


def test_reread_flag_of_the_command(
    tmp_path: Path, opened: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSDESK_WORKERS", "1")  # one worker: in this process, for the spy
    monkeypatch.setenv("NEWSDESK_CONFIG", str(tmp_path / "none.toml"))
    (tmp_path / "a.txt").write_text(_story(1), "utf-8")
    base = ["ingest", "--no-prefect", "-w", str(tmp_path / "ws"), str(tmp_path / "a.txt")]
    for extra, reads in (([], 1), ([], 1), (["--reread"], 2)):
        result = CliRunner().invoke(app, [*base, *extra])
        assert result.exit_code == 0, result.output
        assert len(opened) == reads


def test_a_killed_ingest_rereads_only_what_it_had_not_recorded(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(6):
        (folder / f"{n}.txt").write_text(_story(n), "utf-8")
    workspace = Workspace(str(tmp_path / "ws"))
    calls = 0

    def dies_after_one(name, work, units):  # type: ignore[no-untyped-def]
        nonlocal calls
        for unit in units:
            calls += 1
            if calls > 1:
                raise KeyboardInterrupt
            yield work(unit)

    with pytest.raises(KeyboardInterrupt):
        ingest(workspace, [folder], shard_size=3, runner=dies_after_one)
    assert workspace.count_rows(ingest_module.FILES) == 3
    report = ingest(workspace, [folder], shard_size=3)
    assert (report.kept, report.unchanged) == (3, 3)
    assert workspace.count_rows("articles") == 6
    rows = workspace.read("articles", tables.ARTICLES, ["article_id"])
    assert len(set(rows["article_id"].to_pylist())) == 6


def _pid(unit: int) -> int:
    time.sleep(0.2)
    return os.getpid()


def test_process_runner_runs_shards_in_other_processes() -> None:
    pids = list(process_runner(2)("test", _pid, list(range(4))))
    assert len(pids) == 4
    assert os.getpid() not in pids
    assert len(set(pids)) <= 2  # a busy machine may let one worker take every shard
    here = [lambda unit: unit * 2]  # a closure goes too (cloudpickle)
    assert list(process_runner(2)("test", lambda unit: here[0](unit), [1, 2, 3])) == [2, 4, 6]
