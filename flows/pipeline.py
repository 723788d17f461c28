"""The whole chain, ingest through push, as one flow with a sub-flow per stage."""

from __future__ import annotations

from prefect import flow

from flows.stages import clean_flow, ingest_flow, push_flow, segment_flow
from newsdesk.config import Settings


@flow(name="pipeline")
def pipeline_flow(settings: Settings, inputs: list[str], push: bool = True) -> list[str]:
    summaries = [ingest_flow(settings, inputs), clean_flow(settings), segment_flow(settings)]
    if push:
        summaries.append(push_flow(settings))
    return summaries
