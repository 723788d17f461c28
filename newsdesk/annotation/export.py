"""Reading a project's tasks with their annotations, page by page, leaving nothing behind.

The Data Manager's task list takes a filter in the query itself, so an incremental read needs
no saved view (which annotators would see as a tab) and no export snapshot (which a killed
pull would leave on the server). Tasks come back whether or not they still have annotations,
so a task whose annotations were deleted is seen too.
"""

from __future__ import annotations

import json
from email.utils import parsedate_to_datetime
from typing import Any

from newsdesk.annotation.client import LabelStudioClient

PAGE_SIZE = 500


def server_time(client: LabelStudioClient) -> str:
    """The server's clock, rounded down to the second: the watermark of the next pull.

    Taken before the tasks are read, so an update made while they are read is newer than it."""
    response = client.get("read the server time", "/api/current-user/whoami")
    moment = parsedate_to_datetime(response.headers["date"])
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000000Z")


def _query(since: str | None) -> str:
    """Tasks updated after `since` (an annotation added, changed, skipped or deleted updates
    its task); without it, every task. Not only those Label Studio counts as annotated: an
    annotation it stored while answering 500 is missing from its task's counters."""
    updated = {
        "filter": "filter:tasks:updated_at",
        "operator": "greater",
        "type": "Datetime",
        "value": since,
    }
    items = [] if since is None else [updated]
    filters = {"conjunction": "and", "items": items}
    return json.dumps({"filters": filters, "ordering": ["tasks:id"]})


def exported_tasks(
    client: LabelStudioClient, project_id: int, since: str | None
) -> tuple[list[dict[str, Any]], str]:
    """(tasks updated after `since`, or all, with their annotations; the new watermark)."""
    watermark = server_time(client)
    query = _query(since)
    tasks: list[dict[str, Any]] = []
    page = 1
    while True:
        answer = client.get(
            "read tasks",
            "/api/tasks/",
            project=project_id,
            fields="all",
            page=page,
            page_size=PAGE_SIZE,
            query=query,
        ).json()
        tasks.extend(answer.get("tasks", []))
        if len(tasks) >= int(answer.get("total", 0)) or not answer.get("tasks"):
            break
        page += 1
    return tasks, watermark
