"""One Prefect flow per stage, each a thin wrapper over the stage's job."""

from __future__ import annotations

from prefect import flow

from flows._runner import prefect_runner
from newsdesk import jobs
from newsdesk.config import Settings


@flow(name="ingest")
def ingest_flow(settings: Settings, inputs: list[str]) -> str:
    return jobs.run_ingest(settings, inputs, prefect_runner)


@flow(name="clean")
def clean_flow(settings: Settings) -> str:
    return jobs.run_clean(settings, prefect_runner)


@flow(name="segment")
def segment_flow(settings: Settings) -> str:
    return jobs.run_segment(settings, prefect_runner)


@flow(name="push")
def push_flow(settings: Settings) -> str:
    return jobs.run_push(settings)


@flow(name="pull")
def pull_flow(settings: Settings, full: bool = False) -> str:
    return jobs.run_pull(settings, full)


@flow(name="publish")
def publish_flow(
    settings: Settings, bump: str = "auto", provenance: dict[str, str] | None = None
) -> str:
    return jobs.run_publish(settings, bump, provenance)
