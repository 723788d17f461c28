"""One Prefect flow per stage, each a thin wrapper over the stage's job.

A failure the user can fix (a server that is down, a refused schema change) ends the run as
a Failed state carrying its one-line message, so neither Prefect's log nor the command shows a
traceback for it; anything else stays an exception, with its traceback, because it is a bug.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from prefect import flow
from prefect.states import Failed, State

from flows._runner import shard_runner
from newsdesk.app import jobs
from newsdesk.foundations.config import Settings
from newsdesk.foundations.errors import UserError


def expected(job: Callable[..., Any], *args: Any) -> Any:
    """The job's result, or a Failed state with the message of an expected failure."""
    try:
        return job(*args)
    except UserError as error:
        return Failed(message=str(error))


@flow(name="ingest")
def ingest_flow(settings: Settings, inputs: list[str], reread: bool = False) -> str | State:
    return expected(jobs.run_ingest, settings, inputs, shard_runner(settings), reread)


@flow(name="clean")
def clean_flow(settings: Settings) -> str | State:
    return expected(jobs.run_clean, settings, shard_runner(settings))


@flow(name="dedup")
def dedup_flow(settings: Settings) -> str | State:
    return expected(jobs.run_dedup, settings, shard_runner(settings))


@flow(name="segment")
def segment_flow(settings: Settings) -> str | State:
    return expected(jobs.run_segment, settings, shard_runner(settings))


@flow(name="push")
def push_flow(settings: Settings) -> str | State:
    return expected(jobs.run_push, settings)


@flow(name="pull")
def pull_flow(settings: Settings, full: bool = False) -> str | State:
    return expected(jobs.run_pull, settings, full)


@flow(name="adjudicate")
def adjudicate_flow(settings: Settings, campaign: str) -> str | State:
    return expected(jobs.run_adjudicate, settings, campaign)


@flow(name="publish")
def publish_flow(
    settings: Settings, bump: str = "auto", provenance: dict[str, str] | None = None
) -> str | State:
    return expected(jobs.run_publish, settings, bump, provenance)


# one flow per job of `newsdesk.app.jobs.JOBS`, named as the job is
FLOWS = {
    flow.name: flow
    for flow in (
        ingest_flow,
        clean_flow,
        dedup_flow,
        segment_flow,
        push_flow,
        pull_flow,
        adjudicate_flow,
        publish_flow,
    )
}
