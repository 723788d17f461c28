"""Clean and segment as plain functions on the bundled samples: offsets and counts hold."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsdesk.foundations.ids import sentence_ids
from newsdesk.foundations.workspace import Workspace
from newsdesk.stages.clean import clean
from newsdesk.stages.ingest import ingest
from newsdesk.stages.segment import segment
from schemas import tables
from tests.conftest import SAMPLES


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    workspace = Workspace(str(tmp_path_factory.mktemp("ws")))
    ingest(workspace, [SAMPLES], shard_size=3)
    clean(workspace)
    segment(workspace)
    return workspace


def test_every_article_has_one_body_and_shards_line_up(workspace: Workspace) -> None:
    assert workspace.shards("articles") == workspace.shards("bodies")
    assert workspace.shards("bodies") == workspace.shards("sentences")
    sizes = [workspace.read_shard("articles", s).num_rows for s in workspace.shards("articles")]
    assert max(sizes) <= 3 and len(sizes) >= 3  # 8 articles in shards of at most 3
    assert workspace.count_rows("bodies") == workspace.count_rows("articles") == 8


def test_seed_article_keeps_headline_and_five_paragraphs(workspace: Workspace) -> None:
    articles = workspace.read("articles", tables.ARTICLES).to_pylist()
    seed = next(a for a in articles if a["source_file"].endswith("000_38fbb254094bdd70.txt"))
    bodies = {b["article_id"]: b for b in workspace.read("bodies", tables.BODIES).to_pylist()}
    paragraphs = bodies[seed["article_id"]]["body"].split("\n\n")
    assert paragraphs[0] == "Russia Warns U.S. Against North Korea Sanctions"
    assert len(paragraphs) == 6
    assert paragraphs[1].startswith("Punishing North Korea")
    assert paragraphs[-1].startswith("The latest round of U.S. sanctions")
    removed = [
        r["text"]
        for r in workspace.read("removed", tables.REMOVED).to_pylist()
        if r["article_id"] == seed["article_id"]
    ]
    assert "Support The Moscow Times!" in removed and "Read more" in removed
    assert all(r for r in removed)


def test_sentence_offsets_point_into_the_body(workspace: Workspace) -> None:
    bodies = {
        b["article_id"]: b["body"] for b in workspace.read("bodies", tables.BODIES).to_pylist()
    }
    sentences = workspace.read("sentences", tables.SENTENCES).to_pylist()
    assert len(sentences) > 40
    for sentence in sentences:
        assert (
            bodies[sentence["article_id"]][sentence["start"] : sentence["end"]] == sentence["text"]
        )
    by_article: dict[str, list[dict]] = {}
    for sentence in sorted(sentences, key=lambda s: (s["article_id"], s["index"])):
        by_article.setdefault(sentence["article_id"], []).append(sentence)
    for article, rows in by_article.items():  # ids from text, not offsets
        assert [r["sentence_id"] for r in rows] == sentence_ids(article, [r["text"] for r in rows])
    emoji = [s for s in sentences if "📺" in s["text"]]
    assert emoji and emoji[0]["text"].endswith("the next morning.")


def test_rerun_writes_nothing_new(workspace: Workspace) -> None:
    before = {table: workspace.shards(table) for table in ("bodies", "sentences", "removed")}
    assert clean(workspace).articles == 0
    assert segment(workspace).sentences == 0
    assert before == {table: workspace.shards(table) for table in before}


def test_new_input_only_costs_its_own_shard(workspace: Workspace, tmp_path: Path) -> None:
    extra = tmp_path / "late.txt"
    extra.write_text(
        "Late Headline About Talks\n\nOfficials met again on Sunday to discuss the border. "
        "They agreed to meet next week.\n",
        encoding="utf-8",
    )
    assert ingest(workspace, [extra]).kept == 1
    report = clean(workspace)
    assert (report.shards, report.articles) == (1, 1)
    assert segment(workspace).articles == 1


def test_an_unusable_page_is_kept_with_its_reason(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from newsdesk.app.cli import app

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "gallery.html").write_text(
        "<html><body><script>var slides = 3;</script><img src='a.jpg'><img src='b.jpg'>"
        "</body></html>"
    )
    workspace = Workspace(str(tmp_path / "ws"))
    ingest(workspace, [tmp_path / "in"])
    report = clean(workspace)
    assert (report.articles, report.empty) == (1, 1)
    (body,) = workspace.read("bodies", tables.BODIES).to_pylist()
    assert body["body"] == "" and body["error"]
    assert segment(workspace).sentences == 0
    result = CliRunner().invoke(app, ["status", "-w", str(tmp_path / "ws")])
    assert "articles without a body after cleaning: 1" in result.output


def test_status_lists_invalid_annotations_with_their_links(tmp_path: Path) -> None:
    import pyarrow as pa
    from typer.testing import CliRunner

    from newsdesk.app.cli import app

    workspace = Workspace(str(tmp_path / "ws"))
    row = {
        "campaign": "c",
        "task_id": 7,
        "annotation_id": 9,
        "link": "http://ls.example/projects/1/data?task=7",
        "reason": "unknown stance ['x']",
    }
    workspace.write_shard(
        "invalid_annotations", "c", pa.Table.from_pylist([row], tables.INVALID_ANNOTATIONS)
    )
    result = CliRunner().invoke(app, ["status", "-w", str(tmp_path / "ws")])
    assert "invalid annotations, kept out of the dataset: 1" in result.output
    assert "http://ls.example/projects/1/data?task=7: unknown stance ['x']" in result.output


PROSE = (
    "The council said on Monday that the new bridge over the river would open in the spring, "
    "and that the old one is to be closed for repairs for most of the year."
)


def _page(lang: str, paragraphs: list[str]) -> str:
    """A page whose head is mostly markup (scripts and styles), as real pages are."""
    head = "".join(
        f'<script src="/static/app{n}.js" data-track="page_view"></script>'
        f'<link rel="stylesheet" href="/css/main{n}.css">'
        for n in range(60)
    )
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    article = f"<article><h1>Bridge</h1>{body}</article>"
    return f"<!doctype html><html{lang}><head>{head}</head><body>{article}</body></html>"


def test_an_html_pages_language_comes_from_its_body_then_its_lang(tmp_path: Path) -> None:
    import json

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "english.html").write_text(_page("", [PROSE] * 4), encoding="utf-8")
    korean = (
        "시의회는 월요일 강 위의 새 다리가 봄에 개통될 것이라고 밝혔습니다. "
        "옛 다리는 수리를 위해 닫힙니다."
    )
    (folder / "korean.html").write_text(_page(' lang="ko"', [korean] * 4), encoding="utf-8")
    record = {"html": _page("", [PROSE + " Declared."] * 4), "language": "fr"}
    (folder / "declared.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    workspace = Workspace(str(tmp_path / "ws"))
    ingest(workspace, [folder])
    clean(workspace)
    articles = {a["article_id"]: a for a in workspace.read("articles", tables.ARTICLES).to_pylist()}
    found = {
        Path(articles[b["article_id"]]["source_file"]).name: b["language"]
        for b in workspace.read("bodies", tables.BODIES).to_pylist()
    }
    assert found == {"english.html": "en", "korean.html": "ko", "declared.jsonl": "fr"}


def test_a_language_guessed_from_markup_by_an_older_ingest_is_guessed_again() -> None:
    from newsdesk.foundations.language import body_language, guess_language

    page = _page("", [PROSE] * 4)
    old_guess = guess_language(page)  # what ingest stored before the guess moved to clean
    assert old_guess != "en"
    assert body_language("html", old_guess, page, "\n\n".join([PROSE] * 4)) == "en"
    assert body_language("text", "de", "Der Rat", "Der Rat") == "de"  # text keeps its own
