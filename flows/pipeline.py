"""The whole chain, ingest through push, as one flow with a sub-flow per stage."""

from __future__ import annotations

from prefect import flow
from prefect.states import Failed, State

from flows.stages import clean_flow, ingest_flow, push_flow, segment_flow
from newsdesk.config import Settings


@flow(name="pipeline")
def pipeline_flow(settings: Settings, inputs: list[str], push: bool = True) -> list[str] | State:
    """Each stage's summary; the first stage that fails ends the chain with its state."""
    stages = [(ingest_flow, (settings, inputs)), (clean_flow, (settings,))]
    stages.append((segment_flow, (settings,)))
    if push:
        stages.append((push_flow, (settings,)))
    summaries = []
    for stage, args in stages:  # each stage sends its shard tasks where the settings say
        state = stage(*args, return_state=True)
        if state.is_failed():  # what was done so far, then why it stopped, a line each
            return Failed(message="\n".join([*summaries, state.message or "failed"]))
        summaries.append(state.result())
    return summaries
