"""A progress bar over shards for any `ShardRunner`."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from newsdesk.foundations.runner import ShardRunner


def with_progress(runner: ShardRunner, console: Console) -> ShardRunner:
    """Wrap a runner so each stage shows `name  ━━━━  done/total shards`."""

    def run(name: str, work: Callable[[Any], Any], units: Sequence[Any]) -> Iterator[Any]:
        if not console.is_terminal:  # a log or a pipe gets the summary, not bar frames
            yield from runner(name, work, units)
            return
        if not units:
            return
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("shards"),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=console, transient=True) as progress:
            bar = progress.add_task(name, total=len(units))
            for result in runner(name, work, units):
                progress.advance(bar)
                yield result

    return run
