"""A workspace on shared storage: an S3 bucket (a local moto server standing in for S3, or
MinIO, or AWS) read and written by the command and by its worker processes alike, and any
other protocol through fsspec."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.fs as pafs
import pytest
from typer.testing import CliRunner

from newsdesk.app.cli import app
from newsdesk.foundations.services import free_port, http_ok
from newsdesk.foundations.workspace import Workspace
from schemas import tables
from tests.conftest import SAMPLES

CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "test",
    "AWS_SECRET_ACCESS_KEY": "test",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@pytest.fixture(scope="module")
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """host:port of a moto S3 server on 127.0.0.1 holding the bucket `team`."""
    port = free_port(5300)
    log = (tmp_path_factory.mktemp("moto") / "moto.log").open("w")
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("moto_server")), "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while not http_ok(f"http://127.0.0.1:{port}/moto-api/"):
            assert server.poll() is None and time.monotonic() < deadline, "moto did not start"
            time.sleep(0.2)
        endpoint = f"127.0.0.1:{port}"
        bucket_maker = pafs.S3FileSystem(
            access_key="test",
            secret_key="test",
            region="us-east-1",
            endpoint_override=endpoint,
            scheme="http",
            allow_bucket_creation=True,
        )
        bucket_maker.create_dir("team")
        yield endpoint
    finally:
        server.terminate()
        server.wait(30)
        log.close()


def test_the_pipeline_runs_on_an_s3_workspace_with_worker_processes(
    s3_endpoint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in CREDENTIALS.items():
        monkeypatch.setenv(key, value)
    uri = f"s3://team/newsdesk?endpoint_override={s3_endpoint}&scheme=http"
    monkeypatch.chdir(tmp_path)  # nothing of the workspace may land in a local folder
    monkeypatch.setenv("NEWSDESK_WORKSPACE", uri)
    monkeypatch.setenv("NEWSDESK_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("NEWSDESK_SHARD_SIZE", "3")
    monkeypatch.setenv("NEWSDESK_WORKERS", "2")  # the workers read and write S3 themselves
    result = CliRunner().invoke(app, ["run", "--no-push", "--no-prefect", str(SAMPLES)])
    assert result.exit_code == 0, result.output
    assert "11 records: 8 kept" in result.output
    workspace = Workspace(uri)
    assert len(workspace.shards("bodies")) >= 3
    bodies = {
        b["article_id"]: b["body"] for b in workspace.read("bodies", tables.BODIES).to_pylist()
    }
    sentences = workspace.read("sentences", tables.SENTENCES).to_pylist()
    assert {row["article_id"] for row in sentences} == set(bodies)
    for row in sentences:
        assert bodies[row["article_id"]][row["start"] : row["end"]] == row["text"]
    assert not list(tmp_path.rglob("*.parquet"))
    again = CliRunner().invoke(app, ["run", "--no-push", "--no-prefect", str(SAMPLES)])
    assert "0 kept" in again.output and "0 articles cleaned" in again.output, again.output


def test_other_protocols_go_through_fsspec() -> None:
    workspace = Workspace("memory://newsdesk-test/ws")
    workspace.write_shard("line_stats", "a", tables.LINE_STATS.empty_table(), "made-by")
    rows = pa.Table.from_pylist([{"source": "s", "line_hash": 7, "documents": 2}])
    workspace.write_shard("line_stats", "b", rows.cast(tables.LINE_STATS))
    assert workspace.shards("line_stats") == ["a", "b"]
    assert workspace.fingerprint("line_stats", "a") == "made-by"
    assert workspace.read("line_stats", tables.LINE_STATS).num_rows == 1


def test_a_workspace_url_nothing_can_open_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSDESK_WORKSPACE", "nosuchstore://bucket/ws")
    result = CliRunner().invoke(app, ["clean", "--no-prefect"])
    assert result.exit_code == 1
    assert "workspace nosuchstore://bucket/ws: no filesystem for it" in result.output
    assert "Traceback" not in result.output
