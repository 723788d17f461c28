"""Label Studio's own front end in a real browser: what an annotator sees and what it sends.

An annotator signs up, logs in through the form, opens "Label All Tasks", checks that the
keyword pre-annotations are drawn over the keywords, chooses the stance with its hotkey, picks
a label with its hotkey and drags the mouse over a word, and submits. The stored results are
then read back through the API: their offsets, converted by annotation/offsets.py, must point
at exactly the words that were selected. The sentences hold what breaks offset arithmetic.

A failure saves a screenshot of the page in the test's tmp folder and prints its path.
`python -m tests.screenshot_task_view FILE.png` saves the task view for docs/screenshots/.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from annotation.client import LabelStudioClient
from annotation.labelconfig import EVENT, ROLE, STANCE
from annotation.offsets import from_labelstudio, labelstudio_text, span_text_matches
from annotation.prelabel import KeywordTagger
from annotation.projects import ensure_project, show_predictions
from annotation.server import invite_link
from newsdesk.config import Campaign
from newsdesk.labelschema import load_label_schema
from tests.browser import (
    NO_CHROMIUM,
    NO_PLAYWRIGHT,
    VIEWPORT,
    Annotator,
    chromium_executable,
    launched_browser,
    screenshot_on_failure,
)
from tests.conftest import sign_up

# skipped before Label Studio starts when there is no browser to drive
pytestmark = [
    pytest.mark.labelstudio,
    pytest.mark.skipif(chromium_executable() is None, reason=NO_CHROMIUM),
]
pytest.importorskip("playwright", reason=NO_PLAYWRIGHT)
SCHEMA = load_label_schema()
TAGGER = KeywordTagger.from_schema(SCHEMA)
HOTKEYS = {
    (control, label.value): label.hotkey
    for control, labels in (
        (STANCE, SCHEMA.stance.labels),
        (EVENT, SCHEMA.events.types),
        (ROLE, SCHEMA.roles.labels),
    )
    for label in labels
}


@dataclass(frozen=True)
class Mark:
    """A span to mark: drag from the first word to the last, labelled by control and label."""

    first: str
    control: str
    label: str
    last: str | None = None

    def span(self, sentence: str) -> tuple[int, int]:
        """Python offsets of what the selection covers (the first occurrences)."""
        start = sentence.index(self.first)
        last = self.last or self.first
        return start, sentence.index(last, start) + len(last)


@dataclass(frozen=True)
class Case:
    """One sentence (one task), the stance to choose and the spans to mark."""

    name: str
    sentence: str
    stance: str
    marks: tuple[Mark, ...]


CASES = (
    Case(
        "emoji",  # a ZWJ family sequence (5 code points) and a skin-tone thumbs-up (2)
        "Mum 👩‍👩‍👧 and dad 👍🏽 said the envoy scolded Pyongyang.",
        "against",
        (Mark("scolded", EVENT, "warning_threat"), Mark("Pyongyang", ROLE, "target")),
    ),
    Case(
        "cjk",  # 𠮷 is outside the Basic Multilingual Plane, 東京 and 北京 are inside it
        "北京 and 𠮷野家 said 東京 officials scolded Seoul.",
        "neutral",
        (Mark("東京", ROLE, "place"), Mark("scolded", EVENT, "warning_threat")),
    ),
    Case(
        "combining",  # e + U+0301 COMBINING ACUTE ACCENT: two code points, one character
        "The re\u0301sume\u0301 said Jose\u0301 scolded nobody.",
        "unrelated",
        (Mark("Jose\u0301", ROLE, "agent"), Mark("scolded", EVENT, "warning_threat")),
    ),
    Case(
        "rtl",  # Arabic and Hebrew runs inside a left-to-right sentence
        "السلام عليكم said שלום scolded Seoul.",
        "favor",
        (Mark("שלום", ROLE, "agent"), Mark("scolded", EVENT, "warning_threat")),
    ),
    Case(
        "crlf",  # a Windows line break inside the sentence, and a span across it
        "Officials met on Monday.\r\nThey said Seoul scolded them.",
        "neutral",
        (Mark("Monday", EVENT, "other", last="They"), Mark("scolded", EVENT, "warning_threat")),
    ),
)


def _task_data(case: Case) -> dict[str, str]:
    return {
        "sentence": case.sentence,
        "title": f"Browser check: {case.name}",
        "meta": "example.org · 2026-01-05",
        "context_before": "Talks were expected to resume this week.",
        "context_after": "No date for a new meeting was given.",
        "stance_question": "Stance of this sentence toward North Korea",
        "article": case.sentence,
    }


@pytest.fixture()
def project(tmp_path: Path, ls_client: LabelStudioClient) -> Iterator[tuple[int, dict[str, int]]]:
    """A campaign project made by newsdesk's own code, one task per case, pre-annotated."""
    campaign = Campaign(name=f"browser-{tmp_path.name}", target="North Korea")
    project_id = ensure_project(ls_client, campaign, SCHEMA)
    tasks = []
    for case in CASES:
        result = TAGGER.result(case.sentence)
        assert result, f"{case.name}: the sentence needs a keyword to pre-annotate"
        prediction = {"model_version": TAGGER.model_version, "score": 0.5, "result": result}
        tasks.append({"data": _task_data(case), "predictions": [prediction]})
    ls_client.call("import tasks", ls_client.sdk.projects.import_tasks, project_id, request=tasks)
    show_predictions(ls_client, project_id, TAGGER.model_version)
    listed = ls_client.sdk.tasks.list(project=project_id, page_size=100, fields="all")
    ids = {task.data["sentence"]: int(task.id) for task in listed}
    yield project_id, ids
    ls_client.call("delete the project", ls_client.sdk.projects.delete, project_id)


@pytest.fixture()
def annotator(
    tmp_path: Path, labelstudio: dict[str, object], ls_client: LabelStudioClient
) -> Iterator[Annotator]:
    url = str(labelstudio["url"])
    email, password = f"{tmp_path.name}@example.org", "Annotate-2026!"
    sign_up(invite_link(ls_client), email, password).raise_for_status()
    with launched_browser() as browser:
        page = browser.new_page(viewport=VIEWPORT)
        page.set_default_timeout(20_000)
        person = Annotator(page, url)
        with screenshot_on_failure(page, tmp_path, "log-in"):
            person.log_in(email, password)
        yield person


def _stored(client: LabelStudioClient, task_id: int) -> list[dict[str, Any]]:
    """The task's annotations as Label Studio stored them, waiting briefly for the submit."""
    deadline = time.monotonic() + 20
    while True:
        found = client.request(
            "read annotations", "GET", f"/api/tasks/{task_id}/annotations/"
        ).json()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.25)


def _dom_text(text: str) -> str:
    """Text as the page's DOM holds it: the front end draws line breaks as <br> elements."""
    return text.replace("\r", "").replace("\n", "")


def _python_span(sentence: str, value: dict[str, Any]) -> tuple[int, int]:
    return from_labelstudio(sentence, value["start"]), from_labelstudio(sentence, value["end"])


def _label(annotator: Annotator, case: Case) -> None:
    """Label the task shown as an annotator does: stance by hotkey, then each span."""
    annotator.press(HOTKEYS[STANCE, case.stance])
    for mark in case.marks:  # in Label Studio the label is picked first, then the text
        annotator.press(HOTKEYS[mark.control, mark.label])
        annotator.drag_select(mark.first, mark.last)
        start, end = mark.span(case.sentence)
        annotator.wait_for_region(_dom_text(case.sentence[start:end]))


def _check_stored(client: LabelStudioClient, task_id: int, case: Case) -> None:
    """What Label Studio stored, converted to Python offsets, is exactly what was selected."""
    stored = _stored(client, task_id)
    assert len(stored) == 1, case.name
    result = stored[0]["result"]
    stance = [r["value"]["choices"] for r in result if r["from_name"] == STANCE]
    assert stance == [[case.stance]], case.name
    spans = [r for r in result if r["type"] == "labels"]
    found = sorted(
        (r["from_name"], r["value"]["labels"][0], *_python_span(case.sentence, r["value"]))
        for r in spans
    )
    marked = [(m.control, m.label, *m.span(case.sentence)) for m in case.marks]
    predicted = [(EVENT, label, s, e) for label, s, e in TAGGER.spans(case.sentence)]
    assert found == sorted(marked + predicted), case.name
    # the front end writes line breaks in `text` as backslash-n; predictions keep ours
    for r in spans:
        start, end = _python_span(case.sentence, r["value"])
        covered = case.sentence[start:end]
        sent = labelstudio_text(covered) if r["origin"] == "manual" else covered
        assert r["value"]["text"] == sent, (case.name, r)
        assert span_text_matches(case.sentence, start, end, r["value"]["text"])


def test_annotator_labels_with_keyboard_and_mouse_and_offsets_point_at_the_selection(
    project: tuple[int, dict[str, int]],
    annotator: Annotator,
    ls_client: LabelStudioClient,
    tmp_path: Path,
) -> None:
    project_id, task_ids = project
    # the DOM draws line breaks as <br>: the sentence without them names the task shown
    by_shown = {_dom_text(case.sentence): case for case in CASES}
    labeled: list[Case] = []
    with screenshot_on_failure(annotator.page, tmp_path, "labeling"):
        annotator.open_stream(project_id)
        for n in range(len(CASES)):
            case = by_shown[annotator.sentence()]
            # pre-annotations drawn over exactly the keywords, after emoji and CR LF too
            annotator.expect_regions(
                [_dom_text(case.sentence[s:e]) for _, s, e in TAGGER.spans(case.sentence)]
            )
            _label(annotator, case)
            annotator.submit(last=n == len(CASES) - 1)
            labeled.append(case)
    assert sorted(c.name for c in labeled) == sorted(c.name for c in CASES)
    for case in labeled:
        _check_stored(ls_client, task_ids[case.sentence], case)
