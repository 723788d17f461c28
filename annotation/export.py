"""Export snapshots: the API Label Studio offers for reading large projects."""

from __future__ import annotations

import json
import time
from datetime import UTC
from typing import Any

from annotation.client import LabelStudioClient, LabelStudioRefused

EXPORT_TIMEOUT_S = 600


def export_tasks(
    client: LabelStudioClient, project_id: int, since: str | None
) -> tuple[list[dict[str, Any]], str]:
    """(tasks with annotations, new watermark) through an export snapshot.

    With `since`, a temporary Data Manager view limits the snapshot to tasks updated after
    it, so a pull costs what changed, not the whole project. The watermark is the server's
    own clock (the snapshot's creation time), so client clock skew cannot lose updates.
    """
    exports = client.sdk.projects.exports
    view_id = None
    options: dict[str, Any] = {"only_with_annotations": True}
    if since:
        view = client.request(
            "create a filtered view",
            "POST",
            "/api/dm/views/",
            json={"project": project_id, "data": {"filters": _updated_after(since)}},
        )
        view_id = int(view.json()["id"])
        options["view"] = view_id
    try:
        snapshot = client.call(
            "create an export snapshot",
            exports.create,
            project_id,
            title="newsdesk pull",
            task_filter_options=options,
        )
        deadline = time.monotonic() + EXPORT_TIMEOUT_S
        while snapshot.status != "completed":
            if snapshot.status == "failed" or time.monotonic() > deadline:
                raise LabelStudioRefused(
                    f"export snapshot {snapshot.id} ended as {snapshot.status}"
                )
            time.sleep(0.3)
            snapshot = client.call("poll the export", exports.get, project_id, snapshot.id)
        payload = client.call(
            "download the export",
            lambda: b"".join(exports.download(project_id, snapshot.id, export_type="JSON")),
        )
        client.call("delete the export snapshot", exports.delete, project_id, snapshot.id)
    finally:
        if view_id is not None:
            client.request("delete the filtered view", "DELETE", f"/api/dm/views/{view_id}/")
    watermark = snapshot.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return json.loads(payload), watermark


def _updated_after(since: str) -> dict[str, Any]:
    """Tasks updated after `since` (an annotation added, changed or skipped updates its task)."""
    return {
        "conjunction": "and",
        "items": [
            {
                "filter": "filter:tasks:updated_at",
                "operator": "greater",
                "type": "Datetime",
                "value": since,
            }
        ],
    }
