"""Save the task view as an annotator sees it, on the bundled samples, for docs/screenshots/.

    .venv/bin/python -m tests.screenshot_task_view docs/screenshots/task-view-before.png

A throwaway Label Studio (the tests' install) gets the first campaign of newsdesk.toml pushed
from samples/ by newsdesk's own code; a new annotator signs up, logs in, opens "Label All
Tasks" and the first task with a pre-annotation is captured once its regions are drawn.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from contextlib import suppress
from pathlib import Path

from newsdesk.annotation.client import LabelStudioClient
from newsdesk.annotation.push import push_campaign
from newsdesk.annotation.server import LocalLabelStudio, invite_link
from newsdesk.foundations.config import load_settings
from newsdesk.foundations.labelschema import load_label_schema
from newsdesk.foundations.services import free_port
from newsdesk.foundations.workspace import Workspace
from newsdesk.stages.clean import clean
from newsdesk.stages.ingest import ingest
from newsdesk.stages.segment import segment
from tests.browser import VIEWPORT, Annotator, launched_browser
from tests.conftest import ROOT, SAMPLES, sign_up


def main(out: Path) -> None:
    home = Path(tempfile.mkdtemp(prefix="newsdesk-screenshot-"))
    server = LocalLabelStudio(home / "ls", shared_venv=ROOT / ".newsdesk" / "labelstudio" / "venv")
    try:
        state, _ = server.start(free_port(18600), "admin@newsdesk.test")
        url = str(state["url"])
        client = LabelStudioClient(url, str(state["token"]))
        workspace = Workspace(str(home / "ws"))
        ingest(workspace, [SAMPLES])
        clean(workspace)
        segment(workspace)
        campaign = load_settings(ROOT / "newsdesk.toml").campaigns[0]
        report = push_campaign(workspace, client, campaign, load_label_schema())
        email, password = "annotator@example.org", "Annotate-2026!"
        sign_up(invite_link(client), email, password).raise_for_status()
        with launched_browser() as browser:
            page = browser.new_page(viewport=VIEWPORT)
            annotator = Annotator(page, url)
            annotator.log_in(email, password)
            annotator.open_stream(report.project_id)
            for _ in range(report.imported):  # skip to the first pre-annotated task
                page.wait_for_timeout(1000)  # predictions are drawn just after the text
                if annotator.highlighted():
                    break
                annotator.skip()
            toast = page.get_by_text("Task skipped successfully")
            with suppress(Exception):  # a notice that fades out by itself
                toast.wait_for(state="hidden", timeout=15_000)
            # no tooltip left over from the Skip button
            page.mouse.move(VIEWPORT["width"] / 2, VIEWPORT["height"] / 2)
            page.evaluate("() => document.activeElement && document.activeElement.blur()")
            page.wait_for_timeout(1000)
            out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(out))
        print(f"saved {out}")
    finally:
        server.stop()
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
