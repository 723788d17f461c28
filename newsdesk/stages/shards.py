"""Stage plumbing, written once: which shards a stage must (re)make, and its shard work run
one task per shard with the counts of every task summed.

A stage then reads as what it does: `stale` shards of its input, `map_sum` of its shard work
over them, the sums into its report.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from newsdesk.foundations.runner import ShardRunner
from newsdesk.foundations.workspace import Workspace

Counts = int | tuple[int, ...]


def stale(
    workspace: Workspace, source: str, target: str, fingerprint: Callable[[str], str | None]
) -> list[str]:
    """The shards of `source` whose `target` shard is missing or was made from other inputs,
    rules or settings than `fingerprint(shard)` names (None: any existing shard will do)."""
    todo = []
    for shard in workspace.shards(source):
        expected = fingerprint(shard)
        done = (
            workspace.has_shard(target, shard)
            if expected is None
            else workspace.is_current(target, shard, expected)
        )
        if not done:
            todo.append(shard)
    return todo


def map_sum(
    runner: ShardRunner,
    name: str,
    work: Callable[[str], Counts],
    shards: Sequence[str],
    width: int = 1,
) -> tuple[int, ...]:
    """Run `work` on every shard (one task each, as `runner` places them) and sum the `width`
    counts each returns (a tuple, or one int), position by position."""
    totals = [0] * width
    for counts in runner(name, work, shards):
        row = counts if isinstance(counts, tuple) else (counts,)
        totals = [total + count for total, count in zip(totals, row, strict=True)]
    return tuple(totals)
