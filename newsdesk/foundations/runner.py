"""How a stage runs its shard work: in a plain loop, or as Prefect tasks.

A stage is written once as plain functions; the runner decides whether each shard is a
Prefect task (one task per shard, never per article) or a plain call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol, TypeVar

Unit = TypeVar("Unit")
Result = TypeVar("Result")


class ShardRunner(Protocol):
    def __call__(
        self, name: str, work: Callable[[Unit], Result], units: Sequence[Unit]
    ) -> Iterator[Result]: ...


def run_serial(
    name: str, work: Callable[[Unit], Result], units: Sequence[Unit]
) -> Iterator[Result]:
    """Run shard work in this process, one shard after the other, in order."""
    del name
    return (work(unit) for unit in units)


# The work of the run in progress, installed once in each worker process (not per task).
_installed: list[Callable[[Any], Any]] = []


def _install(payload: bytes) -> None:
    import cloudpickle

    _installed[:] = [cloudpickle.loads(payload)]


def _call_installed(unit: Any) -> Any:
    return _installed[0](unit)


def process_runner(workers: int) -> ShardRunner:
    """Run shard work in `workers` processes, one task per shard, results in order.

    The processes are started fresh (`spawn`): they inherit no descriptor of this one, so the
    workspace lock is never held by a worker after its run is killed, and no thread state is
    copied. The work (a closure, pickled with cloudpickle) travels once to each process; each
    task ships only its unit. A pool of one worker runs in this process."""

    def run(name: str, work: Callable[[Unit], Result], units: Sequence[Unit]) -> Iterator[Result]:
        if workers <= 1 or len(units) <= 1:
            yield from run_serial(name, work, units)
            return
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        import cloudpickle

        pool = ProcessPoolExecutor(
            max_workers=min(workers, len(units)),
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_install,
            initargs=(cloudpickle.dumps(work),),
        )
        try:
            futures = [pool.submit(_call_installed, unit) for unit in units]
            for future in futures:
                yield future.result()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    return run
