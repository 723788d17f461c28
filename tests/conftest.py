"""Shared fixtures: one real Label Studio and one Prefect test harness per test session."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from newsdesk.annotation.client import LabelStudioClient
from newsdesk.annotation.server import LocalLabelStudio
from newsdesk.foundations.services import free_port

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
SHARED = ROOT.parent / "shared"

os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def labelstudio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    """A real Label Studio on a free port with a temporary data dir, for the whole session."""
    home = tmp_path_factory.mktemp("state") / "labelstudio"  # as under a state_dir
    server = LocalLabelStudio(home, shared_venv=ROOT / ".newsdesk" / "labelstudio" / "venv")
    try:
        state, _ = server.start(free_port(18200), "admin@newsdesk.test")
    except BaseException:
        server.stop()  # a server that never became healthy is not left running
        raise
    yield {**state, "state_dir": str(home.parent)}
    server.stop()
    shutil.rmtree(home, ignore_errors=True)


@pytest.fixture()
def ls_client(labelstudio: dict[str, object]) -> LabelStudioClient:
    return LabelStudioClient(str(labelstudio["url"]), str(labelstudio["token"]))


def sign_up(link: str, email: str, password: str) -> httpx.Response:
    """Post the sign-up form the way a browser does, at `link` (the invite link, or not)."""
    url, _, query = link.partition("/user/signup/")
    with httpx.Client(base_url=url, follow_redirects=True, timeout=30) as browser:
        page = browser.get(f"/user/signup/{query}")
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert csrf, "sign-up form without CSRF token"
        answer = browser.post(
            f"/user/signup/{query}",
            data={"csrfmiddlewaretoken": csrf.group(1), "email": email, "password": password},
            headers={"Referer": f"{url}/user/signup/"},
        )
        if answer.status_code >= 400:
            return answer
        return browser.get("/api/current-user/token")


def invited_annotator(client: LabelStudioClient, email: str, password: str) -> LabelStudioClient:
    """An annotator who joined through the invite link, as `newsdesk annotators invite` gives."""
    from newsdesk.annotation.server import invite_link

    response = sign_up(invite_link(client), email, password)
    response.raise_for_status()
    return LabelStudioClient(client.url, response.json()["token"])


@pytest.fixture(scope="session", autouse=True)
def prefect_logs_to_the_real_stderr() -> None:
    """Prefect binds its console log handler to the stderr of the moment it sets up logging;
    set up first inside a CliRunner call, that stream is closed by the next test, and a later
    Prefect log line prints a logging error into another test's output."""
    from prefect.logging.configuration import setup_logging

    setup_logging()


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """Prefect's test harness (a temporary server), started once: it takes ~20 s."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield


@pytest.fixture(scope="session")
def segmented(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled samples ingested, cleaned and segmented once; tests take a copy."""
    from newsdesk.foundations.workspace import Workspace
    from newsdesk.stages.clean import clean
    from newsdesk.stages.ingest import ingest
    from newsdesk.stages.segment import segment

    folder = tmp_path_factory.mktemp("segmented")
    workspace = Workspace(str(folder))
    ingest(workspace, [SAMPLES])
    clean(workspace)
    segment(workspace)
    return folder


@pytest.fixture()
def workspace(segmented: Path, tmp_path: Path):
    from newsdesk.foundations.workspace import Workspace

    shutil.copytree(segmented, tmp_path / "ws")
    return Workspace(str(tmp_path / "ws"))


def load_published(folder: Path, config: str = "sentences") -> dict:
    """One config of a published version as `datasets` loads it offline, checked against the
    manifest: every split with rows loads with those rows; a split without rows has its
    file (schema only) and is not declared, since `datasets` cannot build an empty split."""
    import datasets
    import pyarrow.parquet as pq

    manifest = json.loads((Path(folder) / "manifest.json").read_text(encoding="utf-8"))
    loaded = dict(datasets.load_dataset(str(folder), config))
    for split, rows in manifest["rows"][config].items():
        if rows:
            assert loaded[split].num_rows == rows
        else:
            assert split not in loaded
            (empty,) = (Path(folder) / "data" / config).glob(f"{split}-*.parquet")
            assert pq.read_metadata(empty).num_rows == 0
    return loaded


def settings_for(workspace, tmp_path: Path, campaigns: list, **overrides: object):
    """Settings of one test: its workspace, state and outputs in its own folders, no
    newsdesk.toml, these campaigns."""
    from newsdesk.foundations.config import load_settings

    settings = load_settings(
        Path("/nonexistent/newsdesk.toml"),
        workspace=workspace.uri,
        state_dir=str(tmp_path / "state"),
        publish__outputs=str(tmp_path / "outputs"),
        **overrides,
    )
    return settings.model_copy(update={"campaigns": campaigns})


def merge_first_two(split):
    """A splitting rule that no longer ends an article's first sentence: wraps a splitter."""

    def merged(text: str, language: str | None = None) -> list:
        spans = split(text, language)
        if len(spans) < 2:
            return spans
        first, second, *rest = spans
        return [type(first)(first.start, second.end, first.paragraph), *rest]

    return merged
