"""The Prefect side of a `ShardRunner`: one task run per shard, on the configured task runner.

The task runner (a pool of worker processes, or of threads, or a Dask cluster) is entered
here, by each stage, and never attached to a flow with `with_options`: a flow copy is not
importable by name, so Dask would have to pickle it, task runner and client included, which
cannot be done. The shard task is defined once at module level, and a stage's work travels to
it as an argument.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from prefect import task
from prefect.cache_policies import NONE
from prefect.task_runners import ProcessPoolTaskRunner, TaskRunner, ThreadPoolTaskRunner
from rich.console import Console

from newsdesk.foundations.config import Settings
from newsdesk.foundations.progress import with_progress
from newsdesk.foundations.runner import ShardRunner


@task(name="shard", task_run_name="{stage}", cache_policy=NONE, retries=1)
def shard_task(stage: str, work: Callable[[Any], Any], unit: Any) -> Any:
    """One shard of a stage (`stage` names the task run)."""
    del stage
    return work(unit)


def task_runner(settings: Settings) -> TaskRunner:
    """A pool of `workers` processes here (or threads, `prefect.pool = "threads"`), or a Dask
    cluster when an address is configured."""
    if settings.prefect.dask_address:
        from prefect_dask import DaskTaskRunner

        return DaskTaskRunner(address=settings.prefect.dask_address)
    if settings.prefect.pool == "threads" or settings.prefect.workers <= 1:
        return ThreadPoolTaskRunner(max_workers=settings.prefect.workers)
    return ProcessPoolTaskRunner(max_workers=settings.prefect.workers)


def shard_runner(settings: Settings) -> ShardRunner:
    """Every shard a task run on the configured task runner, with a progress bar."""

    def submit_all(name: str, work: Callable[[Any], Any], units: Sequence[Any]) -> Iterator[Any]:
        if not units:
            return
        with task_runner(settings) as runner:
            futures = [
                runner.submit(shard_task, {"stage": name, "work": work, "unit": unit})
                for unit in units
            ]
            for future in futures:  # in order, as they finish
                yield future.result()

    return with_progress(submit_all, Console(stderr=True))
