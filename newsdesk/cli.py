"""The `newsdesk` command line: stages, the whole run, local servers and one-file tools."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from newsdesk.config import Settings, load_settings
from newsdesk.runner import ShardRunner, run_serial

app = typer.Typer(
    help="Raw news articles to labeled, versioned datasets.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
labelstudio_app = typer.Typer(help="A local Label Studio server: start, stop, status.")
prefect_app = typer.Typer(help="A local Prefect server with its UI: start, stop, status.")
app.add_typer(labelstudio_app, name="labelstudio")
app.add_typer(prefect_app, name="prefect")

console = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True)

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
    return load_settings(config, workspace=workspace)


def _fail(message: str) -> None:
    console.print(f"[red]error:[/red] {message}", highlight=False)
    raise typer.Exit(1)


def _guarded(action: Callable[[], Any]) -> Any:
    """Expected failures end with their one-line message, never a traceback."""
    from annotation.client import LabelStudioRefused, LabelStudioUnavailable
    from newsdesk.publish import PublishCheckFailed
    from newsdesk.services import ServiceError

    try:
        return action()
    except (LabelStudioUnavailable, LabelStudioRefused, ServiceError, PublishCheckFailed) as error:
        _fail(str(error))


def _run(settings: Settings, no_prefect: bool, job: str, *args: Any) -> str:
    """Run one job as a Prefect flow (default) or as plain Python."""
    from newsdesk import jobs
    from newsdesk.progress import with_progress

    sharded = job in ("ingest", "clean", "segment")
    if no_prefect:
        runner: ShardRunner = with_progress(run_serial, console)
        call_args = (*args, runner) if sharded else args
        return _guarded(lambda: getattr(jobs, f"run_{job}")(settings, *call_args))
    from newsdesk.orchestration import configure_prefect

    console.print(f"[dim]{configure_prefect(settings)}[/dim]", highlight=False)
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    from flows import stages
    from flows._runner import task_runner

    flow = getattr(stages, f"{job}_flow").with_options(task_runner=task_runner(settings))
    return _guarded(lambda: flow(settings, *args))


@app.command()
def ingest(
    paths: Annotated[list[str], typer.Argument(help="Files, folders or globs")],
    config: ConfigOption = None,
    workspace: WorkspaceOption = None,
    no_prefect: NoPrefectOption = False,
) -> None:
    """Read raw articles (.txt .html .json .jsonl .csv .parquet .warc) into the workspace."""
    out.print(_run(_settings(config, workspace), no_prefect, "ingest", paths), highlight=False)


@app.command()
def clean(
    config: ConfigOption = None,
    workspace: WorkspaceOption = None,
    no_prefect: NoPrefectOption = False,
) -> None:
    """Strip boilerplate from new articles; removed lines are kept with their rule."""
    out.print(_run(_settings(config, workspace), no_prefect, "clean"), highlight=False)


@app.command()
def segment(
    config: ConfigOption = None,
    workspace: WorkspaceOption = None,
    no_prefect: NoPrefectOption = False,
) -> None:
    """Split new bodies into sentences with offsets."""
    out.print(_run(_settings(config, workspace), no_prefect, "segment"), highlight=False)


@app.command()
def push(
    config: ConfigOption = None,
    workspace: WorkspaceOption = None,
    no_prefect: NoPrefectOption = False,
) -> None:
    """Create Label Studio tasks for every campaign; sentences already pushed are skipped."""
    out.print(_run(_settings(config, workspace), no_prefect, "push"), highlight=False)


@app.command()
def pull(
    config: ConfigOption = None,
    workspace: WorkspaceOption = None,
    no_prefect: NoPrefectOption = False,
) -> None:
    """Export annotations from Label Studio and validate them against the label schema."""
    out.print(_run(_settings(config, workspace), no_prefect, "pull"), highlight=False)


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
    safe = settings.model_dump(mode="json", exclude={"root": True, "labelstudio": {"token"}})
    config_hash = hashlib.sha256(json.dumps(safe, sort_keys=True).encode()).hexdigest()[:16]
    return {"git_commit": commit or "unknown", "config_hash": config_hash}


@app.command()
def publish(
    bump: Annotated[str, typer.Option(help="auto, major, minor or patch")] = "auto",
    config: ConfigOption = None,
    workspace: WorkspaceOption = None,
    no_prefect: NoPrefectOption = False,
) -> None:
    """Publish a new dataset version under outputs/<dataset>/<version>/ if anything changed."""
    if bump not in ("auto", "major", "minor", "patch"):
        _fail(f"--bump must be auto, major, minor or patch, not {bump!r}")
    settings = _settings(config, workspace)
    out.print(_run(settings, no_prefect, "publish", bump, _provenance(settings)), highlight=False)


@app.command()
def run(
    paths: Annotated[list[str], typer.Argument(help="Files, folders or globs")],
    config: ConfigOption = None,
    workspace: WorkspaceOption = None,
    no_prefect: NoPrefectOption = False,
    no_push: Annotated[bool, typer.Option("--no-push", help="Stop after segment")] = False,
) -> None:
    """Ingest, clean, segment and push, one stage after the other."""
    settings = _settings(config, workspace)
    if no_prefect:
        for job, args in (("ingest", (paths,)), ("clean", ()), ("segment", ())):
            out.print(_run(settings, True, job, *args), highlight=False)
        if not no_push:
            out.print(_run(settings, True, "push"), highlight=False)
        return
    from newsdesk.orchestration import configure_prefect

    console.print(f"[dim]{configure_prefect(settings)}[/dim]", highlight=False)
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    from flows._runner import task_runner
    from flows.pipeline import pipeline_flow

    flow = pipeline_flow.with_options(task_runner=task_runner(settings))
    for summary in _guarded(lambda: flow(settings, paths, push=not no_push)):
        out.print(summary, highlight=False)


@app.command()
def status(config: ConfigOption = None, workspace: WorkspaceOption = None) -> None:
    """Rows per table, quarantined inputs, and tasks and annotations in Label Studio."""
    from newsdesk.status import workspace_status

    settings = _settings(config, workspace)
    out.print(workspace_status(settings), highlight=False)


@app.command()
def strip(
    file: Annotated[Path | None, typer.Argument(help="An HTML or text file")] = None,
    explain: Annotated[bool, typer.Option("--explain", help="Every line with its rule")] = False,
    jsonl: Annotated[bool, typer.Option("--jsonl", help="Records on stdin, one corpus")] = False,
) -> None:
    """Print the cleaned body of one file (or, with --jsonl, of records on stdin)."""
    from newsdesk import boilerplate
    from newsdesk.readers import BadInput, decode

    if jsonl:
        records = (json.loads(line) for line in sys.stdin if line.strip())
        for result in boilerplate.strip_records(records):
            sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        return
    if file is None:
        _fail("give a FILE, or --jsonl with records on stdin")
    assert file is not None
    try:
        text, _ = decode(file.read_bytes())
    except (OSError, BadInput) as error:
        _fail(f"{file}: {error}")
    is_html = file.suffix.lower() in (".html", ".htm") or "<html" in text[:2000].lower()
    result = boilerplate.extract_html(text) if is_html else boilerplate.extract_text(text)
    if explain:
        out.print(boilerplate.explain(result), highlight=False, markup=False)
    elif result.error:
        _fail(f"{file}: {result.error}")
    else:
        out.print(result.body, highlight=False, markup=False)


@app.command()
def split(
    file: Annotated[Path | None, typer.Argument(help="A text file")] = None,
    jsonl: Annotated[bool, typer.Option("--jsonl", help="Records on stdin")] = False,
    language: Annotated[str, typer.Option(help="Language code; non-English is neutral")] = "en",
) -> None:
    """Print one sentence per line (or, with --jsonl, offsets for records on stdin)."""
    from newsdesk.readers import BadInput, decode
    from newsdesk.sentences import split_sentences

    if jsonl:
        for line in sys.stdin:
            if line.strip():
                record = json.loads(line)
                spans = split_sentences(record["text"], record.get("language", language))
                result = {"id": record.get("id"), "sentences": [[s.start, s.end] for s in spans]}
                sys.stdout.write(json.dumps(result) + "\n")
        return
    if file is None:
        _fail("give a FILE, or --jsonl with records on stdin")
    assert file is not None
    try:
        text, _ = decode(file.read_bytes())
    except (OSError, BadInput) as error:
        _fail(f"{file}: {error}")
    for span in split_sentences(text, language):
        sys.stdout.write(text[span.start : span.end].replace("\n", " ") + "\n")


@labelstudio_app.command("start")
def labelstudio_start(config: ConfigOption = None) -> None:
    """Install (first time) and start Label Studio on 127.0.0.1; reuse one already running."""
    from annotation.connection import local_server
    from annotation.server import masked

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
    from annotation.connection import local_server

    server = local_server(_settings(config))
    installed = _guarded(server.install)
    out.print(f"Label Studio {'installed' if installed else 'already installed'} in {server.venv}")


@labelstudio_app.command("stop")
def labelstudio_stop(config: ConfigOption = None) -> None:
    """Stop the local Label Studio."""
    from annotation.connection import local_server

    stopped = local_server(_settings(config)).stop()
    out.print("Label Studio stopped" if stopped else "Label Studio was not running")


@labelstudio_app.command("status")
def labelstudio_status(config: ConfigOption = None) -> None:
    """Is the local Label Studio up, and where."""
    from annotation.connection import local_server

    state = local_server(_settings(config)).running()
    out.print(f"Label Studio running at {state['url']}" if state else "Label Studio not running")
    if not state:
        raise typer.Exit(3)


@prefect_app.command("start")
def prefect_start(config: ConfigOption = None) -> None:
    """Start a Prefect server on 127.0.0.1 so runs show in its UI; reuse one already running."""
    from newsdesk.orchestration import LocalPrefect

    settings = _settings(config)
    server = LocalPrefect(settings.state_path / "prefect")
    state, started = _guarded(lambda: server.start(settings.prefect.port))
    verb = "started" if started else "already running"
    ui = str(state["api_url"]).removesuffix("/api")
    out.print(f"Prefect server {verb}: UI {ui}", highlight=False)


@prefect_app.command("stop")
def prefect_stop(config: ConfigOption = None) -> None:
    """Stop the local Prefect server."""
    from newsdesk.orchestration import LocalPrefect

    stopped = LocalPrefect(_settings(config).state_path / "prefect").stop()
    out.print("Prefect server stopped" if stopped else "Prefect server was not running")


@prefect_app.command("status")
def prefect_status(config: ConfigOption = None) -> None:
    """Is the local Prefect server up, and where."""
    from newsdesk.orchestration import LocalPrefect

    state = LocalPrefect(_settings(config).state_path / "prefect").running()
    out.print(f"Prefect server running at {state['api_url']}" if state else "Prefect not running")
    if not state:
        raise typer.Exit(3)


if __name__ == "__main__":
    app()
