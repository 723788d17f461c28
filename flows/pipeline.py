"""The whole chain, ingest through push (`newsdesk.app.jobs.PIPELINE`), a sub-flow per stage."""

from __future__ import annotations

from prefect import flow
from prefect.states import Failed, State

from flows._runner import shared_task_runner
from flows.stages import FLOWS
from newsdesk.app.jobs import PIPELINE
from newsdesk.foundations.config import Settings


@flow(name="pipeline")
def pipeline_flow(settings: Settings, inputs: list[str], push: bool = True) -> list[str] | State:
    """Each stage's summary; the first stage that fails ends the chain with its state."""
    stages = [
        (FLOWS[job], (settings, inputs) if job == "ingest" else (settings,)) for job in PIPELINE
    ]
    if push:
        stages.append((FLOWS["push"], (settings,)))
    summaries = []
    with shared_task_runner(settings):  # each stage sends its shard tasks where settings say
        for stage, args in stages:
            state = stage(*args, return_state=True)
            if state.is_failed():  # what was done so far, then why it stopped, a line each
                return Failed(message="\n".join([*summaries, state.message or "failed"]))
            summaries.append(state.result())
    return summaries
