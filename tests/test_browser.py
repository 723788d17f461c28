"""Label Studio's own front end in a real browser: the whole round trip of two annotators.

newsdesk's push makes the tasks from a workspace whose articles are the sentences below (they
hold what breaks offset arithmetic), with keyword pre-annotations. Two annotators sign up
through the invite link and log in through the form, each in a browser of their own, and both
label every sentence through "Label All Tasks": each checks that the keyword pre-annotations,
and nothing else, are drawn over the sentence (the second must not see the first one's labels),
chooses the stance with its hotkey, picks a label with its hotkey and drags the mouse over the
words, links an argument to its trigger (click, Alt+R, click), and submits. The stored results
are read back through the API: their offsets, converted by newsdesk/annotation/offsets.py, must
point at exactly the words that were selected. Then newsdesk pulls and publishes, and the dataset
`datasets.load_dataset` reads must hold exactly those words, both annotators, the relation as
an argument linked to its trigger, and the stance they agreed on.

A failure saves a screenshot of the page in the test's tmp folder and prints its path.
`python -m tests.screenshot_task_view FILE.png` saves the task view for docs/screenshots/.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from newsdesk.annotation.client import LabelStudioClient
from newsdesk.annotation.labelconfig import EVENT, ROLE, STANCE
from newsdesk.annotation.offsets import from_labelstudio, labelstudio_text, span_text_matches
from newsdesk.annotation.prelabel import KeywordTagger
from newsdesk.annotation.pull import pseudonym, pull_campaign
from newsdesk.annotation.push import push_campaign
from newsdesk.foundations import ids
from newsdesk.foundations.config import Campaign
from newsdesk.foundations.labelschema import load_label_schema
from newsdesk.foundations.workspace import Workspace
from schemas import tables
from tests.browser import (
    NO_CHROMIUM,
    NO_PLAYWRIGHT,
    VIEWPORT,
    Annotator,
    chromium_executable,
    launched_browser,
    screenshot_on_failure,
)
from tests.conftest import invited_annotator, settings_for

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
SALT = "salt"
PASSWORD = "Annotate-2026!"


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
    """One sentence (one task), the stance to choose, the spans to mark and, optionally, the
    relation to draw: (argument, trigger), two of the marks' `first` words."""

    name: str
    sentence: str
    stance: str
    marks: tuple[Mark, ...]
    link: tuple[str, str] | None = None

    def mark(self, first: str) -> Mark:
        return next(m for m in self.marks if m.first == first)


CASES = (
    Case(
        "emoji",  # a ZWJ family sequence (5 code points) and a skin-tone thumbs-up (2)
        "Mum 👩‍👩‍👧 and dad 👍🏽 said the envoy scolded Pyongyang.",
        "against",
        (Mark("scolded", EVENT, "warning_threat"), Mark("Pyongyang", ROLE, "target")),
        link=("Pyongyang", "scolded"),
    ),
    Case(
        "cjk",  # 𠮷 is outside the Basic Multilingual Plane, 東京 and 北京 are inside it
        "北京 and 𠮷野家 said 東京 officials scolded Seoul.",
        "neutral",
        (Mark("東京", ROLE, "place"), Mark("scolded", EVENT, "warning_threat")),
        link=("東京", "scolded"),
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
BY_SENTENCE = {case.sentence: case for case in CASES}


def _write_articles(workspace: Workspace) -> None:
    """One article per case whose body is the case's sentence, and that one sentence: the
    bodies and sentences tables as clean and segment write them."""
    bodies, sentences = [], []
    for day, case in enumerate(CASES, start=1):
        article = ids.article_id(case.sentence)
        bodies.append(
            {
                "article_id": article,
                "body": case.sentence,
                "title": f"Browser check: {case.name}",
                "byline": None,
                "published_at": f"2026-01-{day:02d}",
                "language": None,
                "source": "example.org",
                "url": f"https://example.org/{case.name}",
                "error": None,
            }
        )
        end = len(case.sentence)
        sentences.append(
            {
                "sentence_id": ids.sentence_ids(article, [case.sentence])[0],
                "article_id": article,
                "index": 0,
                "paragraph": 0,
                "start": 0,
                "end": end,
                "text": case.sentence,
            }
        )
    workspace.write_shard("bodies", "browser", pa.Table.from_pylist(bodies, tables.BODIES))
    workspace.write_shard("sentences", "browser", pa.Table.from_pylist(sentences, tables.SENTENCES))


@dataclass(frozen=True)
class Pushed:
    workspace: Workspace
    campaign: Campaign
    project_id: int
    task_ids: dict[str, int]  # sentence -> task id


@pytest.fixture()
def pushed(tmp_path: Path, ls_client: LabelStudioClient) -> Iterator[Pushed]:
    """The cases' articles pushed by newsdesk's own push: one task each, pre-annotated."""
    workspace = Workspace(str(tmp_path / "ws"))
    _write_articles(workspace)
    campaign = Campaign(name=f"browser-{tmp_path.name}", target="North Korea")
    assert campaign.annotators_per_task == 2  # the default this test relies on
    report = push_campaign(workspace, ls_client, campaign, SCHEMA)
    assert (report.imported, report.predictions) == (len(CASES), len(CASES)), report.summary()
    listed = ls_client.sdk.tasks.list(project=report.project_id, page_size=100, fields="all")
    task_ids = {task.data["sentence"]: int(task.id) for task in listed}
    assert set(task_ids) == set(BY_SENTENCE)
    yield Pushed(workspace, campaign, report.project_id, task_ids)
    ls_client.call("delete the project", ls_client.sdk.projects.delete, report.project_id)


@dataclass(frozen=True)
class Person:
    """An annotator who joined through the invite link, logged in in their own browser."""

    name: str
    email: str
    user_id: int
    browser: Annotator


@pytest.fixture()
def annotators(
    tmp_path: Path, labelstudio: dict[str, object], ls_client: LabelStudioClient
) -> Iterator[list[Person]]:
    """Two annotators, each in a browser context of their own (own cookies, own session)."""
    url = str(labelstudio["url"])
    with launched_browser() as browser:
        people = []
        for name in ("first", "second"):
            email = f"{name}-{tmp_path.name}@example.org"
            joined = invited_annotator(ls_client, email, PASSWORD)
            user_id = int(joined.get("who am I", "/api/current-user/whoami").json()["id"])
            context = browser.new_context(viewport=VIEWPORT)
            page = context.new_page()
            page.set_default_timeout(20_000)
            person = Person(name, email, user_id, Annotator(page, url))
            with screenshot_on_failure(page, tmp_path, f"log-in-{name}"):
                person.browser.log_in(email, PASSWORD)
            people.append(person)
        yield people


def _stored(client: LabelStudioClient, task_id: int, count: int) -> list[dict[str, Any]]:
    """The task's annotations as Label Studio stored them, waiting briefly for the submits."""
    deadline = time.monotonic() + 20
    while True:
        found = client.request(
            "read annotations", "GET", f"/api/tasks/{task_id}/annotations/"
        ).json()
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.25)


def _dom_text(text: str) -> str:
    """Text as the page's DOM holds it: the front end draws line breaks as <br> elements."""
    return text.replace("\r", "").replace("\n", "")


def _python_span(sentence: str, value: dict[str, Any]) -> tuple[int, int]:
    return from_labelstudio(sentence, value["start"]), from_labelstudio(sentence, value["end"])


def _text_of(case: Case, mark: Mark) -> str:
    start, end = mark.span(case.sentence)
    return case.sentence[start:end]


def _keyword_regions(case: Case) -> list[str]:
    return [_dom_text(case.sentence[s:e]) for _, s, e in TAGGER.spans(case.sentence)]


def _expected_spans(case: Case) -> list[tuple[str, str, int, int]]:
    """(control, label, start, end) of what an annotation holds: the marks and the keyword
    pre-annotations Label Studio copies into it."""
    marked = [(m.control, m.label, *m.span(case.sentence)) for m in case.marks]
    predicted = [(EVENT, label, s, e) for label, s, e in TAGGER.spans(case.sentence)]
    return sorted(marked + predicted)


def _label(annotator: Annotator, case: Case) -> None:
    """Label the task shown as an annotator does: stance by hotkey, each span, the relation."""
    annotator.press(HOTKEYS[STANCE, case.stance])
    assert annotator.chosen_stances() == 1, case.name
    for mark in case.marks:  # in Label Studio the label is picked first, then the text
        annotator.press(HOTKEYS[mark.control, mark.label])
        annotator.drag_select(mark.first, mark.last)
        annotator.wait_for_region(_dom_text(_text_of(case, mark)))
    if case.link:
        argument, trigger = (_dom_text(_text_of(case, case.mark(word))) for word in case.link)
        annotator.link(argument, trigger)
        assert annotator.relations_drawn() == 1, case.name


def _label_stream(person: Person, project_id: int, tmp_path: Path) -> list[Case]:
    """Everything the "Label All Tasks" stream offers, labeled; the cases in stream order.

    Each task must show the keyword pre-annotations and nothing else: no span, relation or
    stance of another annotator (blind overlap)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    annotator = person.browser
    by_shown = {_dom_text(case.sentence): case for case in CASES}
    labeled: list[Case] = []

    def until_next_task(step: Any) -> None:  # a stream that ends early breaks the overlap
        try:
            step()
        except PlaywrightTimeout:
            done = [c.name for c in labeled]
            raise AssertionError(
                f"the stream offered {person.name} only {done}, not every sentence"
            ) from None

    with screenshot_on_failure(annotator.page, tmp_path, f"labeling-{person.name}"):
        until_next_task(lambda: annotator.open_stream(project_id))
        for n in range(len(CASES)):
            case = by_shown[annotator.sentence()]
            assert case not in labeled, f"the stream gave {person.name} {case.name} twice"
            # pre-annotations drawn over exactly the keywords, after emoji and CR LF too, and
            # nothing of another annotator's: no span, relation or stance
            annotator.expect_regions(_keyword_regions(case))
            assert annotator.chosen_stances() == 0, f"{person.name} sees a stance on {case.name}"
            assert annotator.relations_drawn() == 0, f"{person.name} sees a relation"
            _label(annotator, case)
            labeled.append(case)
            until_next_task(lambda n=n: annotator.submit(last=n == len(CASES) - 1))
    return labeled


def _check_stored(
    client: LabelStudioClient, task_id: int, case: Case, people: list[Person]
) -> None:
    """What Label Studio stored for each annotator, converted to Python offsets, is exactly
    what was selected, with the relation between the two regions that were clicked."""
    stored = _stored(client, task_id, len(people))
    authors = sorted(annotation["completed_by"] for annotation in stored)
    assert authors == sorted(p.user_id for p in people), case.name
    for annotation in stored:
        result = annotation["result"]
        stance = [r["value"]["choices"] for r in result if r.get("from_name") == STANCE]
        assert stance == [[case.stance]], case.name
        spans = [r for r in result if r["type"] == "labels"]
        found = sorted(
            (r["from_name"], r["value"]["labels"][0], *_python_span(case.sentence, r["value"]))
            for r in spans
        )
        assert found == _expected_spans(case), case.name
        # the front end writes line breaks in `text` as backslash-n; predictions keep ours
        for r in spans:
            start, end = _python_span(case.sentence, r["value"])
            covered = case.sentence[start:end]
            sent = labelstudio_text(covered) if r["origin"] == "manual" else covered
            assert r["value"]["text"] == sent, (case.name, r)
            assert span_text_matches(case.sentence, start, end, r["value"]["text"])
        by_id = {r["id"]: _python_span(case.sentence, r["value"]) for r in spans}
        relations = [
            (by_id.get(r["from_id"]), by_id.get(r["to_id"]))
            for r in result
            if r["type"] == "relation"
        ]
        wanted = [tuple(case.mark(word).span(case.sentence) for word in case.link or ())]
        assert relations == (wanted if case.link else []), case.name


def _names(dataset: Any, column: str) -> list[str]:
    feature = dataset.features[column]
    return feature.names if column == "stance" else feature.feature["label"].names


def _check_spans(case: Case, row: dict[str, Any], events: list[str], roles: list[str]) -> None:
    """A published row's events and arguments are exactly the marks and keyword spans, each
    `text[start:end]` is what was selected, and the relation links the argument to its
    trigger by index into `events`."""
    text = case.sentence
    got = sorted(
        [(EVENT, events[e["label"]], e["start"], e["end"]) for e in row["events"]]
        + [(ROLE, roles[a["label"]], a["start"], a["end"]) for a in row["arguments"]]
    )
    assert got == _expected_spans(case), case.name
    for span in row["events"] + row["arguments"]:
        assert text[span["start"] : span["end"]] == span["text"], (case.name, span)
    marked = {_text_of(case, m) for m in case.marks}
    assert marked <= {s["text"] for s in row["events"] + row["arguments"]}, case.name
    links = {
        a["text"]: row["events"][a["event"]]["text"] if a["event"] >= 0 else None
        for a in row["arguments"]
    }
    argument, trigger = case.link or (None, None)
    for mark in case.marks:
        if mark.control == ROLE:
            linked = _text_of(case, case.mark(trigger)) if mark.first == argument else None
            assert links[_text_of(case, mark)] == linked, (case.name, links)


def _pull_publish_load(
    pushed: Pushed, ls_client: LabelStudioClient, tmp_path: Path
) -> tuple[Any, Any]:
    import datasets

    from newsdesk.app.jobs import run_publish
    from newsdesk.publishing.versions import dataset_root

    report = pull_campaign(pushed.workspace, ls_client, pushed.campaign, SCHEMA, SALT)
    total = 2 * len(CASES)
    assert (report.new, report.annotations) == (total, total), report.summary()
    assert (report.rejected, report.repaired, report.invalid) == (0, 0, 0), report.summary()
    settings = settings_for(pushed.workspace, tmp_path, [pushed.campaign])
    message = run_publish(settings)
    assert message.startswith("published 1.0.0"), message
    # nothing changed in Label Studio since: a second pull and publish do nothing
    again = pull_campaign(pushed.workspace, ls_client, pushed.campaign, SCHEMA, SALT)
    assert (again.new, again.updated, again.removed, again.rejected) == (0, 0, 0, 0)
    assert again.annotations == total, again.summary()
    assert run_publish(settings).startswith("nothing changed"), "a second publish"
    folder = dataset_root(settings) / "1.0.0"
    return tuple(datasets.load_dataset(str(folder), name) for name in ("sentences", "annotations"))


def test_two_annotators_label_in_the_browser_and_the_dataset_holds_what_they_selected(
    pushed: Pushed,
    annotators: list[Person],
    ls_client: LabelStudioClient,
    tmp_path: Path,
) -> None:
    # both label every sentence through the stream, one after the other; the second sees
    # only the keyword pre-annotations
    streams = [_label_stream(person, pushed.project_id, tmp_path) for person in annotators]
    first, second = ([c.name for c in stream] for stream in streams)
    assert sorted(first) == sorted(c.name for c in CASES)
    assert sorted(second) == sorted(first), "overlap: the second annotator gets every sentence"
    for case in CASES:
        _check_stored(ls_client, pushed.task_ids[case.sentence], case, annotators)

    sentences, annotations = _pull_publish_load(pushed, ls_client, tmp_path)
    some = next(iter(sentences.values()))
    stances, events, roles = (_names(some, c) for c in ("stance", "events", "arguments"))
    rows = [row for split in sentences.values() for row in split]
    assert sorted(row["text"] for row in rows) == sorted(BY_SENTENCE)
    names = sorted(pseudonym(p.email, SALT) for p in annotators)
    for row in rows:
        case = BY_SENTENCE[row["text"]]
        assert row["annotator_count"] == 2, case.name
        assert (row["title"], row["source"]) == (f"Browser check: {case.name}", "example.org")
        # both chose the same stance: the aggregate is that stance, with full agreement
        assert stances[row["stance"]] == case.stance, case.name
        assert row["stance_agreement"] == 1.0, case.name
        assert sorted(x["annotator"] for x in row["annotator_labels"]) == names, case.name
        _check_spans(case, row, events, roles)
    by_id = {row["sentence_id"]: BY_SENTENCE[row["text"]] for row in rows}
    long = [row for split in annotations.values() for row in split]
    per_sentence: dict[str, list[str]] = {}
    for row in long:
        case = by_id[row["sentence_id"]]
        per_sentence.setdefault(case.name, []).append(row["annotator"])
        assert stances[row["stance"]] == case.stance, case.name
        assert not row["was_cancelled"] and not row["ground_truth"], case.name
        _check_spans(case, row, events, roles)
    # the annotations config: two annotators for every sentence
    assert {k: sorted(v) for k, v in per_sentence.items()} == {c.name: names for c in CASES}
