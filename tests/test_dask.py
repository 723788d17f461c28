"""The same flows on a Dask cluster: shard work is shipped to other processes and back."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows._runner import task_runner
from flows.pipeline import pipeline_flow
from newsdesk.config import load_settings
from newsdesk.workspace import Workspace
from schemas import tables
from tests.conftest import ROOT, SAMPLES


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",
    ) as local:
        yield local


def test_pipeline_runs_on_a_dask_cluster(tmp_path: Path, cluster, prefect_harness) -> None:
    settings = load_settings(
        ROOT / "newsdesk.toml",
        workspace=str(tmp_path / "ws"),
        shard_size=3,
        prefect__dask_address=cluster.scheduler_address,
    )
    runner = task_runner(settings)
    assert type(runner).__name__ == "DaskTaskRunner"
    summaries = pipeline_flow.with_options(task_runner=runner)(settings, [str(SAMPLES)], push=False)
    assert summaries[0].startswith("11 records: 8 kept")
    workspace = Workspace(settings.workspace_uri)
    assert len(workspace.shards("sentences")) == 3
    bodies = {
        b["article_id"]: b["body"] for b in workspace.read("bodies", tables.BODIES).to_pylist()
    }
    for row in workspace.read("sentences", tables.SENTENCES).to_pylist():
        assert bodies[row["article_id"]][row["start"] : row["end"]] == row["text"]
