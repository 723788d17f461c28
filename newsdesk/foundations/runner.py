"""How a stage runs its shard work: in a plain loop, or as Prefect tasks.

A stage is written once as plain functions; the runner decides whether each shard is a
Prefect task (one task per shard, never per article) or a plain call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from typing import Any, Protocol, Self, TypeVar

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


# Work shipped to this worker process, kept unpickled for the units that follow it.
_shipped: dict[bytes, Callable[[Any], Any]] = {}


def _call_shipped(payload: bytes, unit: Any) -> Any:
    work = _shipped.get(payload)
    if work is None:
        import cloudpickle

        _shipped.clear()  # one stage's work at a time
        work = _shipped[payload] = cloudpickle.loads(payload)
    return work(unit)


class _Shipping:
    """What both pools share: the work, pickled with cloudpickle once per stage (a stage
    sends the same closure with every unit), and closing as a context manager."""

    _pickled: tuple[Callable[[Any], Any], bytes] | None = None

    def _payload(self, work: Callable[[Any], Any]) -> bytes:
        if self._pickled is None or self._pickled[0] is not work:
            import cloudpickle

            self._pickled = (work, cloudpickle.dumps(work))
        return self._pickled[1]

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class WorkerPool(_Shipping):
    """`workers` processes that run any shard work sent to them, one unit at a time.

    The processes are started fresh (`spawn`): they inherit no descriptor of this one, so the
    workspace lock is never held by a worker after its run is killed, and no thread state is
    copied. The work (a closure, pickled with cloudpickle once here) travels with each unit
    and is unpickled once per process; a unit travels alone. One pool can serve every stage
    of a run, so its processes start once."""

    def __init__(self, workers: int) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self._executor = ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("spawn")
        )

    def submit(self, work: Callable[[Unit], Result], unit: Unit) -> Future[Result]:
        return self._executor.submit(_call_shipped, self._payload(work), unit)

    def run(self, work: Callable[[Unit], Result], unit: Unit) -> Result:
        """One unit's work in a worker process, waited for (from a thread of this one)."""
        return self.submit(work, unit).result()

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)


class DaskPool(_Shipping):
    """The workers of a Dask cluster, used like a `WorkerPool`: the work (pickled once here)
    and one unit go to a worker as one Dask task, which the worker runs as plain Python; only
    the unit and its result travel through the scheduler."""

    def __init__(self, address: str) -> None:
        from distributed import Client

        self._client = Client(address, set_as_default=False)

    @property
    def threads(self) -> int:
        """Units the cluster runs at once."""
        return max(1, sum(self._client.nthreads().values()))

    def run(self, work: Callable[[Unit], Result], unit: Unit) -> Result:
        """One unit's work on a Dask worker, waited for (from a thread of this process)."""
        payload = self._payload(work)
        return self._client.submit(_call_shipped, payload, unit, pure=False).result()

    def close(self) -> None:
        self._client.close()


def process_runner(workers: int) -> ShardRunner:
    """Run shard work in a `WorkerPool` of `workers` processes, one task per shard, results in
    order. A pool of one worker, or a single shard, runs in this process."""

    def run(name: str, work: Callable[[Unit], Result], units: Sequence[Unit]) -> Iterator[Result]:
        if workers <= 1 or len(units) <= 1:
            yield from run_serial(name, work, units)
            return
        with WorkerPool(min(workers, len(units))) as pool:
            futures = [pool.submit(work, unit) for unit in units]
            for future in futures:
                yield future.result()

    return run
