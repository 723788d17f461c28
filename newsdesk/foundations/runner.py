"""How a stage runs its shard work: in a plain loop, or as Prefect tasks.

A stage is written once as plain functions; the runner decides whether each shard is a
Prefect task (one task per shard, never per article) or a plain call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Protocol, TypeVar

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
