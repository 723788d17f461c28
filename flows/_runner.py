"""The Prefect side of a `ShardRunner`: one task run per shard, on the flow's task runner."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from prefect import task
from prefect.cache_policies import NONE
from prefect.task_runners import ThreadPoolTaskRunner
from rich.console import Console

from newsdesk.config import Settings
from newsdesk.progress import with_progress


def _submit_all(name: str, work: Callable[[Any], Any], units: Sequence[Any]) -> Iterator[Any]:
    """Submit every shard, then yield results in order as they finish."""
    shard_task = task(work, name=name, cache_policy=NONE, retries=1)
    futures = [shard_task.submit(unit) for unit in units]
    for future in futures:
        yield future.result()


# one task run per shard, with a progress bar on the terminal
prefect_runner = with_progress(_submit_all, Console(stderr=True))


def task_runner(settings: Settings) -> Any:
    """A capped thread pool here, or a Dask cluster when an address is configured."""
    if settings.prefect.dask_address:
        from prefect_dask import DaskTaskRunner

        return DaskTaskRunner(address=settings.prefect.dask_address)
    return ThreadPoolTaskRunner(max_workers=settings.prefect.workers)
