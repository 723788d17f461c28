"""The flows on a Dask cluster of worker processes: the shard tasks must run on the workers,
for `newsdesk run` and for the stage commands alike, and give the same tables."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsdesk.app.cli import app
from newsdesk.foundations.workspace import Workspace
from schemas import tables
from tests.conftest import SAMPLES


@pytest.fixture(scope="module")
def cluster():
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",
        ) as local,
        Client(local) as client,
    ):
        yield local, client


def _executed(client) -> int:
    """Tasks the workers have run so far, all workers together."""
    return sum(client.run(lambda dask_worker: dask_worker.state.executed_count).values())


def _check_tables(workspace: Workspace) -> None:
    sizes = [workspace.read_shard("bodies", s).num_rows for s in workspace.shards("bodies")]
    assert workspace.shards("sentences") == workspace.shards("bodies")
    assert max(sizes) <= 3 and len(sizes) >= 3  # 8 articles, shards of at most 3
    bodies = {
        b["article_id"]: b["body"] for b in workspace.read("bodies", tables.BODIES).to_pylist()
    }
    for row in workspace.read("sentences", tables.SENTENCES).to_pylist():
        assert bodies[row["article_id"]][row["start"] : row["end"]] == row["text"]


@pytest.mark.parametrize("how", ["run", "stage commands"])
def test_shard_tasks_run_on_the_dask_workers(
    how: str, tmp_path: Path, cluster, prefect_harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    local, client = cluster
    monkeypatch.setenv("NEWSDESK_DASK_ADDRESS", local.scheduler_address)
    monkeypatch.setenv("NEWSDESK_SHARD_SIZE", "3")
    monkeypatch.setenv("NEWSDESK_WORKSPACE", str(tmp_path / "ws"))
    monkeypatch.setenv("NEWSDESK_CONFIG", str(tmp_path / "none.toml"))
    before = _executed(client)
    commands = (
        [["run", "--no-push", str(SAMPLES)]]
        if how == "run"
        else [["ingest", str(SAMPLES)], ["clean"], ["segment"]]
    )
    outputs = []
    for command in commands:
        result = CliRunner().invoke(app, command)
        assert result.exit_code == 0, result.output
        outputs.append(result.output)
    assert "11 records: 8 kept" in outputs[0]
    # ingest (units of about 3 articles), line counts, clean and segment (a task per shard)
    assert _executed(client) - before >= 10
    _check_tables(Workspace(str(tmp_path / "ws")))
