"""Each stage as one call from settings to a printed summary: what flows and the CLI run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from newsdesk.foundations.config import Settings
from newsdesk.foundations.labelschema import load_label_schema
from newsdesk.foundations.lock import workspace_lock
from newsdesk.foundations.runner import ShardRunner, run_serial
from newsdesk.foundations.workspace import Workspace

# Stage modules are imported inside each job: a command pays only for the stage it runs.

# `newsdesk run`, with or without Prefect, runs these stages in this order, then push
PIPELINE = ("ingest", "clean", "dedup", "segment")


def run_ingest(
    settings: Settings, inputs: list[str], runner: ShardRunner = run_serial, reread: bool = False
) -> str:
    from newsdesk.stages.ingest import ingest

    report = ingest(
        Workspace(settings.workspace_uri),
        inputs,
        shard_size=settings.shard_size,
        max_bytes=int(settings.max_file_mb * 2**20),
        max_input_bytes=int(settings.max_decompressed_mb * 2**20),
        max_chars=settings.max_body_chars,
        runner=runner,
        reread=reread,
    )
    return "\n".join(report.lines())


def run_clean(settings: Settings, runner: ShardRunner = run_serial) -> str:
    from newsdesk.stages.clean import clean

    workspace = Workspace(settings.workspace_uri)
    return clean(workspace, runner=runner, max_body_chars=settings.max_body_chars).summary()


def run_dedup(settings: Settings, runner: ShardRunner = run_serial) -> str:
    from newsdesk.stages.dedup import dedup

    workspace = Workspace(settings.workspace_uri)
    return dedup(workspace, settings.dedup, runner=runner).summary()


def run_segment(settings: Settings, runner: ShardRunner = run_serial) -> str:
    from newsdesk.stages.segment import segment

    workspace = Workspace(settings.workspace_uri)
    return segment(
        workspace, runner=runner, max_sentence_chars=settings.max_sentence_chars
    ).summary()


def run_push(settings: Settings) -> str:
    from newsdesk.annotation.connection import connect
    from newsdesk.annotation.push import push_campaign

    if not settings.campaigns:
        return "no campaigns configured in newsdesk.toml: nothing to push"
    with workspace_lock(settings, "push"):
        client = connect(settings)
        schema = load_label_schema(settings.schema_path)
        workspace = Workspace(settings.workspace_uri)
        options = {
            "predictions": settings.labelstudio.predictions,
            "max_sentences_per_article": settings.max_sentences_per_article,
        }
        return "\n".join(
            push_campaign(workspace, client, campaign, schema, **options).summary()
            for campaign in settings.campaigns
        )


def run_pull(settings: Settings, full: bool = False) -> str:
    from newsdesk.annotation.connection import connect
    from newsdesk.annotation.pull import pull_campaign
    from newsdesk.foundations.local_secrets import pseudonym_salt

    with workspace_lock(settings, "pull"):
        client = connect(settings)
        schema = load_label_schema(settings.schema_path)
        workspace = Workspace(settings.workspace_uri)
        salt = pseudonym_salt(settings.state_path) if settings.labelstudio.pseudonymize else None
        return "\n".join(
            pull_campaign(
                workspace, client, campaign, schema, salt, full=full, review=review
            ).summary()
            for campaign in settings.campaigns
            for review in (False, True)
            if not review or workspace.has_shard("review_tasks", campaign.name)
        )


def run_adjudicate(settings: Settings, campaign_name: str) -> str:
    """Push the sentences the campaign's annotators disagree on to its review project."""
    from newsdesk.annotation.adjudicate import adjudicate_campaign
    from newsdesk.annotation.connection import connect
    from newsdesk.foundations.config import ConfigError

    campaign = next((c for c in settings.campaigns if c.name == campaign_name), None)
    if campaign is None:
        names = ", ".join(c.name for c in settings.campaigns) or "none configured"
        raise ConfigError(f"no campaign named {campaign_name!r} (campaigns: {names})")
    with workspace_lock(settings, "adjudicate"):
        client = connect(settings)
        schema = load_label_schema(settings.schema_path)
        workspace = Workspace(settings.workspace_uri)
        return adjudicate_campaign(workspace, client, campaign, schema).summary()


def run_publish(
    settings: Settings, bump: str = "auto", provenance: dict[str, str] | None = None
) -> str:
    from newsdesk.publishing.publish import publish

    schema = load_label_schema(settings.schema_path)
    workspace = Workspace(settings.workspace_uri)
    with workspace_lock(settings, "publish"):
        result = publish(workspace, settings, schema, bump=bump, provenance=provenance)
    message = result.message if result.path is None else f"{result.message}: {result.path}"
    return "\n".join([*(f"warning: {w}" for w in result.warnings), message])


def run_agreement(settings: Settings, out: str = "reports") -> str:
    """Agreement per campaign, printed and written as Markdown with a PNG plot."""
    from newsdesk.annotation.agreement import agreement, markdown, plot
    from schemas import tables

    schema = load_label_schema(settings.schema_path)
    everything = Workspace(settings.workspace_uri).read("annotations", tables.ANNOTATIONS)
    rows = [row for row in everything.to_pylist() if not row["ground_truth"]]  # reviewers' own
    folder = settings.path(out)
    folder.mkdir(parents=True, exist_ok=True)
    printed = []
    for campaign in sorted({row["campaign"] for row in rows}):
        mine = [row for row in rows if row["campaign"] == campaign]
        report = agreement(mine, schema.stance.values, schema.events.values)
        text = markdown(report, campaign)
        (folder / f"agreement-{campaign}.md").write_text(text, encoding="utf-8")
        plot(report, str(folder / f"agreement-{campaign}.png"), campaign)
        printed.append(text)
    if not printed:
        return "no annotations pulled yet: run `newsdesk pull` first"
    return "\n".join(printed) + f"\nreports written to {folder}"


@dataclass(frozen=True)
class Job:
    """A job as the CLI runs it without Prefect: its function, and whether it takes a
    ShardRunner as its last argument (one task per shard)."""

    run: Callable[..., str]
    sharded: bool = False


# every job by its command name; flows/stages.py has one flow per name
JOBS: dict[str, Job] = {
    "ingest": Job(run_ingest, sharded=True),
    "clean": Job(run_clean, sharded=True),
    "dedup": Job(run_dedup, sharded=True),
    "segment": Job(run_segment, sharded=True),
    "push": Job(run_push),
    "pull": Job(run_pull),
    "adjudicate": Job(run_adjudicate),
    "publish": Job(run_publish),
}
