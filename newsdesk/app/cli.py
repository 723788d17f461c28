"""The `newsdesk` command line: stages, the whole run, local servers and one-file tools."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console

from newsdesk.foundations.config import Settings, load_settings
from newsdesk.foundations.runner import ShardRunner, process_runner, run_serial

app = typer.Typer(
    help="Raw news articles to labeled, versioned datasets.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
labelstudio_app = typer.Typer(help="A local Label Studio server: start, stop, status.")
prefect_app = typer.Typer(help="A local Prefect server with its UI: start, stop, status.")
annotators_app = typer.Typer(help="People who label: invite them to the local Label Studio.")
app.add_typer(labelstudio_app, name="labelstudio")
app.add_typer(annotators_app, name="annotators")
app.add_typer(prefect_app, name="prefect")

console = Console(stderr=True, soft_wrap=True)
# stdout carries names and reasons from inputs: never markup, emoji codes or highlighting
out = Console(soft_wrap=True, markup=False, emoji=False, highlight=False)

ConfigOption = Annotated[
    Path | None, typer.Option("--config", "-c", help="newsdesk.toml to read (default: ./)")
]
WorkspaceOption = Annotated[
    str | None, typer.Option("--workspace", "-w", help="Workspace folder or URL")
]
NoPrefectOption = Annotated[
    bool, typer.Option("--no-prefect", help="Run the stage as plain Python, without Prefect")
]


def _settings(config: Path | None, workspace: str | None = None) -> Settings:
    from newsdesk.foundations.config import ConfigError

    try:
        return load_settings(config, workspace=workspace)
    except ConfigError as error:
        _fail(str(error))


def _fail(message: str) -> NoReturn:
    from rich.text import Text

    from newsdesk.foundations.terminal import printable

    # a Text is never read as markup: the message may hold a file name
    console.print(Text.assemble(("error:", "red"), " ", printable(message)), emoji=False)
    raise typer.Exit(1)


def _guarded(action: Callable[[], Any]) -> Any:
    """Expected failures end with their one-line message, never a traceback."""
    from newsdesk.foundations.errors import UserError

    try:
        return action()
    except UserError as error:
        _fail(str(error))


def _flow(settings: Settings, module: str, name: str) -> Any:
    """`name` from the flows' `module`, bound to a reachable Prefect server (or the embedded one).

    Prefect reads its settings when first imported, so the flow is imported only here.
    """
    import importlib

    from newsdesk.app.orchestration import configure_prefect

    console.print(f"[dim]{configure_prefect(settings)}[/dim]", highlight=False)
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    # the stages enter the task runner themselves (flows/_runner.py): a flow copy made with
    # `with_options` could not be shipped to Dask
    return getattr(importlib.import_module(module), name)


def _outcome(state: Any) -> Any:
    """A flow run's result; a failed run ends the command with its message, in one line."""
    if state.is_failed():
        *done, reason = (state.message or "the flow run failed").splitlines()
        for line in done:
            out.print(line, highlight=False)
        _fail(reason)
    return state.result()


def _run(settings: Settings, no_prefect: bool, job: str, *args: Any, **options: Any) -> str:
    """Run one job as a Prefect flow (default) or as plain Python (shard work in
    `prefect.workers` processes)."""
    from newsdesk.app import jobs
    from newsdesk.foundations.progress import with_progress

    if no_prefect:
        plain = process_runner(settings.prefect.workers)
        runner: ShardRunner = with_progress(
            plain if settings.prefect.pool == "processes" else run_serial, console
        )
        chosen = jobs.JOBS[job]
        call_args = (*args, runner) if chosen.sharded else args
        return _guarded(lambda: chosen.run(settings, *call_args, **options))
    flow = _flow(settings, "flows.stages", "FLOWS")[job]
    return _outcome(flow(settings, *args, **options, return_state=True))


@app.command()
def ingest(
    paths: Annotated[list[str], typer.Argument(help="Files, folders or globs")],
    config: ConfigOption = None,
    workspace: WorkspaceOption = None,
    no_prefect: NoPrefectOption = False,
    reread: Annotated[
        bool, typer.Option("--reread", help="Read again files already ingested, unchanged")
    ] = False,
) -> None:
    """Read raw articles (txt, html, json, jsonl, csv, parquet, warc; zip, tar) into tables."""
    summary = _run(_settings(config, workspace), no_prefect, "ingest", paths, reread=reread)
    out.print(summary, highlight=False, markup=False)  # file names are never markup


def _stage_command(job: str, summary: str) -> None:
    """Register a stage command that takes only the common options."""

    def command(
        config: ConfigOption = None,
        workspace: WorkspaceOption = None,
        no_prefect: NoPrefectOption = False,
    ) -> None:
        out.print(_run(_settings(config, workspace), no_prefect, job), highlight=False)

    app.command(name=job, help=summary)(command)


for _job, _summary in (
    ("clean", "Strip boilerplate from new articles; removed lines are kept with their rule."),
    (
        "dedup",
        "Find near-duplicate articles among the cleaned bodies (MinHash LSH), new ones only.",
    ),
    ("segment", "Split new bodies into sentences with offsets."),
    ("push", "Create Label Studio tasks for every campaign; sentences already pushed are skipped."),
):
    _stage_command(_job, _summary)


@app.command()
def pull(
    config: ConfigOption = None,
    workspace: WorkspaceOption = None,
    no_prefect: NoPrefectOption = False,
    full: Annotated[bool, typer.Option("--full", help="Export every task again")] = False,
) -> None:
    """Export annotations changed since the last pull and validate them against the schema."""
    out.print(_run(_settings(config, workspace), no_prefect, "pull", full), highlight=False)


@app.command()
def adjudicate(
    campaign: Annotated[str, typer.Argument(help="The campaign whose disagreements to review")],
    config: ConfigOption = None,
    workspace: WorkspaceOption = None,
    no_prefect: NoPrefectOption = False,
) -> None:
    """Push sentences whose annotators disagree to the campaign's review project; `pull`
    brings the reviewer's decisions back as ground truth."""
    settings = _settings(config, workspace)
    out.print(_run(settings, no_prefect, "adjudicate", campaign), highlight=False)


def _provenance(settings: Settings) -> dict[str, str]:
    """The code and configuration a version was made with, for its manifest."""
    import hashlib

    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).parent,
    ).stdout.strip()
    safe = settings.model_dump(mode="json", exclude={"root": True})
    config_hash = hashlib.sha256(json.dumps(safe, sort_keys=True).encode()).hexdigest()[:16]
    return {"git_commit": commit or "unknown", "config_hash": config_hash}


@app.command()
def publish(
    bump: Annotated[str, typer.Option(help="auto, major, minor or patch")] = "auto",
    push_to_hub: Annotated[
        str | None,
        typer.Option("--push-to-hub", help="Then upload the version to this Hub dataset repo"),
    ] = None,
    config: ConfigOption = None,
    workspace: WorkspaceOption = None,
    no_prefect: NoPrefectOption = False,
) -> None:
    """Publish a new dataset version under outputs/<dataset>/<version>/ if anything changed."""
    if bump not in ("auto", "major", "minor", "patch"):
        _fail(f"--bump must be auto, major, minor or patch, not {bump!r}")
    settings = _settings(config, workspace)
    out.print(_run(settings, no_prefect, "publish", bump, _provenance(settings)), highlight=False)
    if push_to_hub:
        from newsdesk.publishing.hub import push_version
        from newsdesk.publishing.versions import dataset_root, resolve_version

        root = dataset_root(settings)
        pushed = _guarded(lambda: push_version(resolve_version(root, None), push_to_hub))
        out.print(pushed.summary(), highlight=False)


VersionArgument = Annotated[str | None, typer.Argument(help="A version, or latest (default)")]


@app.command()
def versions(config: ConfigOption = None) -> None:
    """List the published versions, oldest first; * marks latest."""
    from newsdesk.publishing.versions import (
        dataset_root,
        latest_version,
        list_versions,
        read_manifest,
    )

    root = dataset_root(_settings(config))
    found = list_versions(root)
    if not found:
        _fail(f"no version published under {root}: run `newsdesk publish`")
    latest = latest_version(root)
    out.print(
        f"{'':2}{'version':<10} {'created':<26} {'bump':<6} {'parent':<10} {'rows':>9}  changes"
    )
    for name in found:
        manifest = read_manifest(root / name)
        rows = sum(manifest.get("rows", {}).get("sentences", {}).values())
        changes = ", ".join(f"{v} {k}" for k, v in (manifest.get("changes") or {}).items() if v)
        out.print(
            f"{'*' if name == latest else ' '} {name:<10} {manifest.get('created_at', ''):<26} "
            f"{manifest.get('bump', ''):<6} {manifest.get('parent') or '-':<10} {rows:>9}  "
            f"{changes or ('first version' if not manifest.get('parent') else 'none')}",
            highlight=False,
        )


@app.command()
def diff(
    old: Annotated[str, typer.Argument(help="The earlier version")],
    new: Annotated[str, typer.Argument(help="The later version (or latest)")] = "latest",
    limit: Annotated[int, typer.Option(help="Rows to show per kind of change")] = 10,
    config: ConfigOption = None,
) -> None:
    """What changed between two versions, row by row: added, removed, relabeled, text
    changed, moved split."""
    import pyarrow.compute as pc

    from newsdesk.publishing.versions import (
        CHANGE_KINDS,
        change_counts,
        dataset_root,
        diff_versions,
        resolve_version,
    )

    root = dataset_root(_settings(config))
    before, after = _guarded(lambda: (resolve_version(root, old), resolve_version(root, new)))
    changes = diff_versions(before, after)
    counts = change_counts(changes)
    out.print(
        f"{before.name} → {after.name}: "
        + ", ".join(f"{counts[kind]} {kind.replace('_', ' ')}" for kind in CHANGE_KINDS),
        highlight=False,
    )
    for kind in CHANGE_KINDS:
        rows = changes.filter(pc.equal(changes["change"], kind)).slice(0, limit).to_pylist()
        for row in rows:
            detail = ""
            if row["before"] is not None or row["after"] is not None:
                detail = f"  {row['before'] or '-'!r} → {row['after'] or '-'!r}"
            out.print(f"  {kind:<12} {row['key']}{detail}", highlight=False, markup=False)
        if counts[kind] > limit:
            out.print(f"  {kind:<12} … {counts[kind] - limit} more", highlight=False)


@app.command()
def verify(
    version: VersionArgument = None,
    every: Annotated[bool, typer.Option("--all", help="Check every version")] = False,
    config: ConfigOption = None,
) -> None:
    """Check every file of a version against its manifest (sha256, bytes, rows)."""
    from newsdesk.publishing.versions import (
        dataset_root,
        list_versions,
        resolve_version,
        verify_version,
    )

    root = dataset_root(_settings(config))
    folders = (
        [root / name for name in list_versions(root)]
        if every
        else [_guarded(lambda: resolve_version(root, version))]
    )
    if not folders:
        _fail(f"no version published under {root}")
    bad = 0
    for folder in folders:
        problems = verify_version(folder)
        for problem in problems:
            console.print(f"bad: {folder.name}: {problem}", highlight=False, markup=False)
        if not problems:
            files = len(json.loads((folder / "manifest.json").read_text())["files"])
            out.print(f"ok: {folder.name} ({files} files match manifest.json)", highlight=False)
        bad += len(problems)
    if bad:
        raise typer.Exit(1)


@app.command()
def run(
    paths: Annotated[list[str], typer.Argument(help="Files, folders or globs")],
    config: ConfigOption = None,
    workspace: WorkspaceOption = None,
    no_prefect: NoPrefectOption = False,
    no_push: Annotated[bool, typer.Option("--no-push", help="Stop after segment")] = False,
) -> None:
    """Ingest, clean, dedup, segment and push, one stage after the other."""
    from newsdesk.app.jobs import PIPELINE

    settings = _settings(config, workspace)
    if no_prefect:
        for job in PIPELINE:
            args = (paths,) if job == "ingest" else ()
            out.print(_run(settings, True, job, *args), highlight=False, markup=False)
        if not no_push:
            out.print(_run(settings, True, "push"), highlight=False)
        return
    flow = _flow(settings, "flows.pipeline", "pipeline_flow")
    for summary in _outcome(flow(settings, paths, push=not no_push, return_state=True)):
        out.print(summary, highlight=False, markup=False)


@app.command()
def agreement(
    config: ConfigOption = None,
    workspace: WorkspaceOption = None,
    reports: Annotated[str, typer.Option("--out", help="Folder for the reports")] = "reports",
) -> None:
    """Krippendorff's alpha for stance and pairwise span F1 for events, with a report."""
    from newsdesk.app.jobs import run_agreement

    text = run_agreement(_settings(config, workspace), reports)
    out.print(text, highlight=False, markup=False)


@app.command()
def status(config: ConfigOption = None, workspace: WorkspaceOption = None) -> None:
    """Rows per table, quarantined inputs, and tasks and annotations in Label Studio."""
    from newsdesk.app.status import workspace_status

    settings = _settings(config, workspace)
    out.print(workspace_status(settings))  # every name and reason in it is printable()


def _tool(code: Callable[[], int]) -> None:
    """Run one of the one-file tools (newsdesk.app.tools) and end with its exit code."""
    raise typer.Exit(_guarded(code))


@app.command()
def strip(
    file: Annotated[Path | None, typer.Argument(help="An HTML or text file")] = None,
    explain: Annotated[bool, typer.Option("--explain", help="Every line with its rule")] = False,
    jsonl: Annotated[bool, typer.Option("--jsonl", help="Records on stdin, one corpus")] = False,
) -> None:
    """Print the cleaned body of one file (or, with --jsonl, id, title and text per record)."""
    from newsdesk.app import tools

    _tool(lambda: tools.strip(file, explain, jsonl))


@app.command()
def split(
    file: Annotated[Path | None, typer.Argument(help="A text file")] = None,
    jsonl: Annotated[bool, typer.Option("--jsonl", help="Records on stdin")] = False,
    language: Annotated[str, typer.Option(help="Language code; non-English is neutral")] = "en",
) -> None:
    """Print one sentence per line (or, with --jsonl, offsets for records on stdin)."""
    from newsdesk.app import tools

    _tool(lambda: tools.split(file, jsonl, language))


@labelstudio_app.command("start")
def labelstudio_start(config: ConfigOption = None) -> None:
    """Install (first time) and start Label Studio on 127.0.0.1; reuse one already running."""
    from newsdesk.annotation.connection import local_server
    from newsdesk.annotation.server import masked

    settings = _settings(config)
    server = local_server(settings)
    if not server.running():
        console.print("Starting Label Studio (the first start installs it: a few minutes)…")
    state, started = _guarded(
        lambda: server.start(settings.labelstudio.port, settings.labelstudio.username)
    )
    verb = "started" if started else "already running"
    out.print(
        f"Label Studio {verb}: {state['url']}\n"
        f"  login: {state['username']} / password in {server.state_file}\n"
        f"  API token {masked(str(state['token']))} (kept in {server.state_file}, owner-only)",
        highlight=False,
    )


@labelstudio_app.command("install")
def labelstudio_install(config: ConfigOption = None) -> None:
    """Install Label Studio into its own virtual environment (start does this too)."""
    from newsdesk.annotation.connection import local_server

    server = local_server(_settings(config))
    installed = _guarded(server.install)
    out.print(f"Label Studio {'installed' if installed else 'already installed'} in {server.venv}")


@labelstudio_app.command("stop")
def labelstudio_stop(config: ConfigOption = None) -> None:
    """Stop the local Label Studio."""
    from newsdesk.annotation.connection import local_server

    stopped = local_server(_settings(config)).stop()
    out.print("Label Studio stopped" if stopped else "Label Studio was not running")


@labelstudio_app.command("status")
def labelstudio_status(config: ConfigOption = None) -> None:
    """Is the local Label Studio up, and where."""
    from newsdesk.annotation.connection import local_server

    state = local_server(_settings(config)).running()
    out.print(f"Label Studio running at {state['url']}" if state else "Label Studio not running")
    if not state:
        raise typer.Exit(3)


@annotators_app.command("invite")
def annotators_invite(
    config: ConfigOption = None,
    reset: Annotated[bool, typer.Option("--reset", help="Retire the old link first")] = False,
) -> None:
    """Print the sign-up link for new annotators (sign-up without it is closed)."""
    from newsdesk.annotation.connection import connect
    from newsdesk.annotation.server import invite_link

    settings = _settings(config)
    link = _guarded(lambda: invite_link(connect(settings), reset=reset))
    out.print(
        f"Send this link to each new annotator; it lets them create their account:\n  {link}\n"
        "Anyone with the link can sign up: `newsdesk annotators invite --reset` makes a new "
        "one and retires the old.",
        highlight=False,
        markup=False,
    )


@prefect_app.command("start")
def prefect_start(config: ConfigOption = None) -> None:
    """Start a Prefect server on 127.0.0.1 so runs show in its UI; reuse one already running."""
    from newsdesk.app.orchestration import LocalPrefect

    settings = _settings(config)
    server = LocalPrefect(settings.state_path / "prefect")
    state, started = _guarded(lambda: server.start(settings.prefect.port))
    verb = "started" if started else "already running"
    ui = str(state["api_url"]).removesuffix("/api")
    out.print(f"Prefect server {verb}: UI {ui}", highlight=False)


@prefect_app.command("stop")
def prefect_stop(config: ConfigOption = None) -> None:
    """Stop the local Prefect server."""
    from newsdesk.app.orchestration import LocalPrefect

    stopped = LocalPrefect(_settings(config).state_path / "prefect").stop()
    out.print("Prefect server stopped" if stopped else "Prefect server was not running")


@prefect_app.command("status")
def prefect_status(config: ConfigOption = None) -> None:
    """Is the local Prefect server up, and where."""
    from newsdesk.app.orchestration import LocalPrefect

    state = LocalPrefect(_settings(config).state_path / "prefect").running()
    out.print(f"Prefect server running at {state['api_url']}" if state else "Prefect not running")
    if not state:
        raise typer.Exit(3)


if __name__ == "__main__":
    app()
