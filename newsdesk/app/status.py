"""`newsdesk status`: what the workspace holds and what Label Studio has."""

from __future__ import annotations

from newsdesk.foundations.config import Settings
from newsdesk.foundations.terminal import printable
from newsdesk.foundations.workspace import Workspace
from schemas import tables

STATUS_DEADLINE_S = 8.0  # status answers fast, even when Label Studio hangs
TABLES = (
    "articles", "duplicates", "quarantine", "skipped", "ingest_runs", "bodies", "removed",
    "clusters", "sentences", "tasks", "annotations", "invalid_annotations", "orphaned_annotations",
)  # fmt: skip
RECENT_RUNS = 5  # ingest runs listed even when they add up
BUCKETS = ("kept", "duplicates", "unchanged", "quarantined", "skipped")


def workspace_status(settings: Settings) -> str:
    """Every line is printable(): names and reasons from inputs cannot drive the terminal."""
    workspace = Workspace(settings.workspace_uri)
    lines = [f"workspace {settings.workspace_uri}"]
    lines += [f"  {name:<20} {workspace.count_rows(name):>9} rows" for name in TABLES]
    lines += ingest_run_lines(workspace)
    quarantine = workspace.read("quarantine", tables.QUARANTINE).to_pylist()
    unique = {(q["source_file"], q["record"]): q["reason"] for q in quarantine}
    if unique:
        lines.append("quarantined inputs:")
        lines += [
            f"  {name}{'' if record < 0 else f'#{record}'}: {reason}"
            for (name, record), reason in sorted(unique.items())
        ]
    bodies = workspace.read("bodies", tables.BODIES, ["article_id", "error"]).to_pylist()
    empty = [b for b in bodies if b["error"]]
    if empty:
        lines.append(f"articles without a body after cleaning: {len(empty)}")
        lines += [f"  {b['article_id']}: {b['error']}" for b in empty[:20]]
    lines += stale_lines(workspace, settings)
    lines += near_duplicate_lines(workspace, settings)
    lines += orphan_lines(workspace)
    invalid = workspace.read("invalid_annotations", tables.INVALID_ANNOTATIONS).to_pylist()
    if invalid:
        lines.append(f"invalid annotations, kept out of the dataset: {len(invalid)}")
        lines += [f"  {row['link']}: {row['reason']}" for row in invalid[:20]]
    lines += _labelstudio_lines(settings, workspace)
    lines += _where_to_look(settings)
    return "\n".join(printable(line) for line in lines)


def stale_lines(workspace: Workspace, settings: Settings) -> list[str]:
    """Shards made by older rules or other settings, and the command that rebuilds them."""
    from newsdesk.stages import clean, segment

    bodies = clean.stale_shards(workspace, settings.max_body_chars)
    sentences = segment.stale_shards(workspace, settings.max_sentence_chars)
    if not bodies and not sentences:
        return []
    total = len(workspace.shards("articles"))
    return [
        f"stale shards (not made yet, or made by older rules or settings): bodies "
        f"{len(bodies)} of {total}, sentences {len(sentences)} of {total}; `newsdesk run` (or "
        "`newsdesk clean` then `newsdesk segment`) rebuilds them shard by shard and carries "
        "tasks and annotations over"
    ]


def near_duplicate_lines(workspace: Workspace, settings: Settings) -> list[str]:
    """Clusters of near-duplicate articles, shards dedup has not hashed with these settings,
    and how many matching articles each campaign leaves out as near-duplicates."""
    from newsdesk.annotation.push import choose_articles
    from newsdesk.stages.dedup import dedup_fingerprint, load_clusters

    lines = []
    stale = [
        shard
        for shard in workspace.shards("bodies")
        if not workspace.is_current(
            "minhash",
            shard,
            dedup_fingerprint(workspace.fingerprint("bodies", shard), settings.dedup),
        )
    ]
    if stale:
        lines.append(
            f"near-duplicates: {len(stale)} bodies shards not hashed yet (or by other "
            "settings): `newsdesk dedup` (or `newsdesk run`) does it"
        )
    clusters = load_clusters(workspace).to_pylist()
    if not clusters:
        return lines
    count = len({row["cluster_id"] for row in clusters})
    lines.append(
        f"near-duplicates: {count} clusters hold {len(clusters)} articles, "
        f"{len(clusters) - count} copies beyond one per cluster"
    )
    for campaign in settings.campaigns:
        if campaign.near_duplicates == "keep":
            lines.append(f"  {campaign.name}: near_duplicates = keep, every copy is pushed")
            continue
        chosen, skipped = choose_articles(workspace, campaign)
        lines.append(
            f"  {campaign.name}: {len(chosen)} articles chosen, {skipped} skipped as "
            "near-duplicates of a chosen one"
        )
    return lines


def orphan_lines(workspace: Workspace) -> list[str]:
    """Annotations and tasks that could not follow their sentence to newer rules."""
    notes = workspace.read("orphaned_annotations", tables.ORPHANED_ANNOTATIONS).to_pylist()
    tasks = workspace.read("orphaned_tasks", tables.ORPHANED_TASKS).to_pylist()
    if not notes and not tasks:
        return []
    waiting = sum(not t["retired"] for t in tasks)
    lines = [
        f"orphaned by a rule change: {len(notes)} annotations (kept in orphaned_annotations, "
        f"out of the dataset), {len(tasks)} tasks ({waiting} not yet retired in Label Studio: "
        "`newsdesk push` does it)"
    ]
    lines += [f"  task {n['task_id']} ({n['campaign']}): {n['reason']}" for n in notes[:20]]
    return lines


def ingest_run_lines(workspace: Workspace) -> list[str]:
    """Each ingest run's records against its buckets; a run that does not add up is named.

    The latest runs are listed, and every run that does not add up; the articles table is
    checked against what the runs kept (a run that did not finish leaves articles no run
    counted).
    """
    runs = sorted(
        workspace.read("ingest_runs", tables.INGEST_RUNS).to_pylist(), key=lambda r: r["run"]
    )
    if not runs:
        return []
    wrong = {run["run"] for run in runs if sum(run[b] for b in BUCKETS) != run["records"]}
    verdict = "all add up" if not wrong else f"{len(wrong)} do not add up"
    recent = {run["run"] for run in runs[-RECENT_RUNS:]}
    lines = [
        f"ingest runs: {len(runs)}, {verdict} "
        "(records = kept + duplicates + already ingested + quarantined + skipped)"
    ]
    shown = [run for run in runs if run["run"] in wrong | recent]
    if len(shown) < len(runs):
        lines.append(f"  … {len(runs) - len(shown)} earlier runs that add up")
    for run in shown:
        total = sum(run[b] for b in BUCKETS)
        sign = "=" if total == run["records"] else "≠"
        inputs = str(run["inputs"] or "").split("\n")
        more = f" (+{len(inputs) - 1} more)" if len(inputs) > 1 else ""
        line = (
            f"  {run['started_at']} {run['records']} {sign} "
            + " + ".join(str(run[b]) for b in BUCKETS)
            + f"  from {inputs[0]}{more}"
        )
        if sign != "=":
            line += f"  does not add up: {run['records']} read, {total} accounted for"
        lines.append(line)
    kept = sum(run["kept"] for run in runs)
    articles = workspace.count_rows("articles")
    if kept != articles:
        lines.append(
            f"  the articles table holds {articles} rows, the runs kept {kept}: a run that "
            "did not finish, or articles written before runs were recorded"
        )
    return lines


def _where_to_look(settings: Settings) -> list[str]:
    """Where a person opens what the run made: the servers' UIs and the latest version."""
    from newsdesk.annotation.connection import local_server
    from newsdesk.app.orchestration import LocalPrefect
    from newsdesk.publishing.versions import dataset_root, latest_version

    lines = []
    server = local_server(settings)
    if state := server.running():
        lines.append(
            f"Open Label Studio: {state['url']}  (admin login {state['username']}; its "
            f"password is kept in {server.state_file}, owner-only). Annotators join through "
            "the link `newsdesk annotators invite` prints."
        )
    if state := LocalPrefect(settings.state_path / "prefect").running():
        lines.append(f"Open the Prefect UI: {str(state['api_url']).removesuffix('/api')}")
    root = dataset_root(settings)
    if version := latest_version(root):
        latest = root / "latest"
        lines.append(f"Latest dataset version: {version} ({latest} links to {root / version})")
        lines.append(f'  from datasets import load_dataset; ds = load_dataset("{latest}")')
    return lines


def _labelstudio_lines(settings: Settings, workspace: Workspace) -> list[str]:
    from newsdesk.annotation.client import LabelStudioRefused, LabelStudioUnavailable
    from newsdesk.annotation.connection import connect
    from newsdesk.annotation.projects import find_project
    from newsdesk.annotation.push import recorded_projects

    try:
        client = connect(settings, deadline=STATUS_DEADLINE_S)
        lines = [f"Label Studio {client.url}"]
        for campaign in settings.campaigns:
            project_id = find_project(client, campaign, recorded_projects(workspace, campaign.name))
            if project_id is None:
                lines.append(f"  {campaign.name}: no project yet (run `newsdesk push`)")
                continue
            project = client.call("read the project", client.sdk.projects.get, project_id)
            lines.append(
                f"  {campaign.name}: project {project_id}, {project.task_number} tasks, "
                f"{project.num_tasks_with_annotations} annotated, "
                f"{project.total_annotations_number} annotations"
            )
        return lines
    except (LabelStudioUnavailable, LabelStudioRefused) as error:
        return [f"Label Studio: {error}"]
