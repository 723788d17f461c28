"""The Prefect side of a `ShardRunner`: one task run per shard, on the configured task runner.

The task runner (a pool of worker processes, or of threads, or a Dask cluster) is entered
here, by each stage, and never attached to a flow with `with_options`: a flow copy is not
importable by name, so Dask would have to pickle it, task runner and client included, which
cannot be done. The shard task is defined once at module level, and a stage's work travels to
it as an argument.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass
from functools import partial
from typing import Any

from prefect import task
from prefect.cache_policies import NONE
from prefect.futures import PrefectFuture
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner
from rich.console import Console

from newsdesk.foundations.config import Settings
from newsdesk.foundations.progress import with_progress
from newsdesk.foundations.runner import DaskPool, ShardRunner, WorkerPool


@task(name="shard", task_run_name="{stage}", cache_policy=NONE, retries=1)
def shard_task(stage: str, work: Callable[[Any], Any], unit: Any) -> Any:
    """One shard of a stage (`stage` names the task run)."""
    del stage
    return work(unit)


@dataclass(frozen=True)
class _Runner:
    """Where shard tasks go: Prefect's task runner, and the worker processes that do the work
    when Prefect's tasks run in threads of this process."""

    prefect: TaskRunner
    pool: WorkerPool | DaskPool | None = None

    def submit(
        self, name: str, work: Callable[[Any], Any], unit: Any, alone: bool
    ) -> PrefectFuture[Any]:
        """A shard task; the only shard of its stage (`alone`) runs in this process."""
        if self.pool is not None and not alone:
            work = partial(self.pool.run, work)
        return self.prefect.submit(shard_task, {"stage": name, "work": work, "unit": unit})


@contextmanager
def task_runner(settings: Settings, units: int | None = None) -> Iterator[_Runner]:
    """Prefect's tasks in threads of this process, each handing its unit to the workers of a
    Dask cluster when an address is configured, else to a pool of `workers` processes
    (Prefect's own process pool and Dask task runners cost about 0.17 s a task here, for
    settings and a client they rebuild in the worker each time), or threads alone
    (`prefect.pool = "threads"`). Work of a single shard (`units` = 1) runs in a thread of
    this process: sending it away would cost more than the shard."""
    if settings.prefect.dask_address:
        address = settings.prefect.dask_address
        with DaskPool(address) as dask, ThreadPoolTaskRunner(max_workers=dask.threads) as threads:
            yield _Runner(threads, dask)
        return
    workers = settings.prefect.workers if units is None else min(units, settings.prefect.workers)
    with ThreadPoolTaskRunner(max_workers=max(1, workers)) as threads:
        if settings.prefect.pool == "threads" or workers <= 1:
            yield _Runner(threads)
            return
        with WorkerPool(workers) as pool:
            yield _Runner(threads, pool)


# the task runner every stage of a whole run shares, while `shared_task_runner` is entered
_shared: ContextVar[_Runner | None] = ContextVar("newsdesk_task_runner", default=None)


@contextmanager
def shared_task_runner(settings: Settings) -> Iterator[None]:
    """One task runner for all the stages of a run: its worker processes start once."""
    with task_runner(settings) as runner:
        token = _shared.set(runner)
        try:
            yield
        finally:
            _shared.reset(token)


def shard_runner(settings: Settings) -> ShardRunner:
    """Every shard a task run on the configured task runner (the run's shared one, if any),
    with a progress bar."""

    def submit_all(name: str, work: Callable[[Any], Any], units: Sequence[Any]) -> Iterator[Any]:
        if not units:
            return
        shared = _shared.get()
        with nullcontext(shared) if shared else task_runner(settings, len(units)) as runner:
            alone = len(units) == 1
            futures = [runner.submit(name, work, unit, alone) for unit in units]
            for future in futures:  # in order, as they finish
                yield future.result()

    return with_progress(submit_all, Console(stderr=True))
