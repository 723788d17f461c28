"""The published dataset as an ML engineer meets it: the same splits in every version, a
`split` column, `latest`, the `tokens` and `articles` views, a card whose every number and
rule follows the data and the settings, and a baseline recipe that runs."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
from pathlib import Path

import datasets
import pyarrow.parquet as pq
import pytest
import yaml
from datasets.info import DatasetInfosDict
from huggingface_hub import DatasetCard
from typer.testing import CliRunner

from newsdesk.app.cli import app
from newsdesk.foundations.labelschema import load_label_schema
from newsdesk.publishing.features import all_features, bio_names
from newsdesk.publishing.publish import publish
from newsdesk.publishing.tokens import bio_tags, tokenize
from schemas import tables
from tests.conftest import ROOT, load_published
from tests.test_publish import _note, _publish, _root, _tasks, _write_notes, make_setup

STANCES = ["favor", "against", "neutral"]


@pytest.fixture()
def setup(tmp_path: Path):
    return make_setup(tmp_path)


@pytest.fixture()
def labeled(tmp_path: Path):
    """Every sentence of the samples has a task, and two annotators who agree on its stance
    (favor, against, neutral in turn); published under `tmp_path/outputs` with the default
    dataset name, so `outputs/newsdesk-news/latest` is the path the recipe uses."""
    workspace, settings = make_setup(tmp_path)
    settings.publish.outputs = str(tmp_path / "outputs")
    sentences = workspace.read("sentences", tables.SENTENCES).to_pylist()
    _tasks(workspace, sentences, "all")
    notes = [
        _note(sentence, 2 * i + n, who, STANCES[i % 3], [], [])
        for i, sentence in enumerate(sentences)
        for n, who in enumerate(["a", "b"])
    ]
    _write_notes(workspace, notes)
    result = _publish(workspace, settings)
    return workspace, settings, result.path


def test_every_split_is_present_declared_and_warned_about_even_when_empty(setup) -> None:
    workspace, settings = setup  # 10 sentences of 2 articles: some splits get nothing
    sentence = workspace.read("sentences", tables.SENTENCES).to_pylist()[0]
    _write_notes(workspace, [_note(sentence, 1, "a", "favor", [], [])])
    result = _publish(workspace, settings)
    manifest = json.loads((result.path / "manifest.json").read_text())
    splits = list(settings.publish.splits)
    front = DatasetCard.load(result.path / "README.md").data.to_dict()
    for config in ("sentences", "tokens", "articles", "annotations"):
        assert list(manifest["rows"][config]) == splits
        (declared,) = [c for c in front["configs"] if c["config_name"] == config]
        having_rows = [s for s in splits if manifest["rows"][config][s]]
        assert [f["split"] for f in declared["data_files"]] == having_rows
        for split in splits:
            (path,) = (result.path / "data" / config).glob(f"{split}-*.parquet")
            table = pq.read_table(path)
            assert table.num_rows == manifest["rows"][config][split]
            assert set(table["split"].to_pylist()) <= {split}
    empty = [s for s, n in manifest["rows"]["sentences"].items() if n == 0]
    unlabeled = [s for s in splits if s != sentence_split(result.path, sentence)]
    assert empty and set(empty) <= set(unlabeled)
    loaded = load_published(result.path)  # empty splits stream as empty, with the features
    assert set(loaded) == set(splits) - set(empty)
    plain = datasets.load_dataset(str(result.path))  # what a user types first works
    assert set(plain) == set(splits) - set(empty)
    assert [w.split("'")[1] for w in result.warnings] == unlabeled
    assert manifest["warnings"] == list(result.warnings)
    card = (result.path / "README.md").read_text()
    for split in unlabeled:
        assert f"split '{split}' has no labeled rows" in card
    assert "cannot build a split of zero examples" in card


def sentence_split(folder: Path, sentence: dict) -> str:
    for split, table in load_published(folder).items():
        if sentence["sentence_id"] in table["sentence_id"]:
            return split
    raise AssertionError("sentence not published")


def test_publish_prints_the_warning(setup, monkeypatch) -> None:
    workspace, settings = setup
    monkeypatch.setenv("NEWSDESK_CONFIG", str(Path(workspace.uri).parent / "none.toml"))
    monkeypatch.setenv("NEWSDESK_OUTPUTS", settings.publish.outputs)
    monkeypatch.setenv("NEWSDESK_WORKSPACE", workspace.uri)
    result = CliRunner().invoke(app, ["publish", "--no-prefect"])
    assert result.exit_code == 0, result.output
    assert re.search(r"warning: split 'train' has no labeled rows", result.output)
    listed = CliRunner().invoke(app, ["versions"])
    assert listed.output.splitlines()[1].startswith("* 1.0.0")


def test_split_is_a_column_of_every_config_so_reading_all_files_keeps_them_apart(labeled):
    _, _, folder = labeled
    for config in ("sentences", "tokens", "articles", "annotations"):
        every = pq.read_table(folder / "data" / config)  # all files of the config at once
        for split, table in load_published(folder, config).items():
            assert set(table["split"]) == {split}
        counts = json.loads((folder / "manifest.json").read_text())["rows"][config]
        for split, rows in counts.items():
            assert every["split"].to_pylist().count(split) == rows


def test_tokenizer_keeps_offsets_and_handles_scripts() -> None:
    cases = {
        "The U.S. said talks aren't over: 3.5% of 10,000 — Rolls-Royce!": [
            "The", "U", ".", "S", ".", "said", "talks", "aren't", "over", ":", "3.5", "%",
            "of", "10,000", "—", "Rolls-Royce", "!",
        ],
        "हिंदी समाचार": ["हिंदी", "समाचार"],  # vowel signs are combining marks
        "北京会谈。": ["北", "京", "会", "谈", "。"],
        "cafe\u0301 👍🏽": ["cafe\u0301", "👍", "🏽"],
    }  # fmt: skip
    for text, expected in cases.items():
        spans = tokenize(text)
        assert [text[a:b] for a, b in spans] == expected
    tokens = tokenize("Ministers warned of new sanctions today")
    # 'warned' (type 1) and 'new sanctions' (type 4): B/I per type; the rest O
    assert bio_tags(tokens, [(10, 16, 1), (20, 33, 4)]) == [0, 3, 0, 9, 10, 0]
    # a span edge inside a token tags the token; where spans overlap, the leftmost keeps
    # its tokens and the other begins (B) at its first token not taken
    assert bio_tags(tokens, [(12, 22, 0), (10, 16, 2)]) == [0, 5, 1, 2, 0, 0]


def test_tokens_config_has_bio_tags_from_the_schema_aligned_to_the_spans(setup) -> None:
    workspace, settings = setup
    sentence = workspace.read("sentences", tables.SENTENCES).to_pylist()[1]
    text = sentence["text"]  # "BRUSSELS — European Union foreign ministers agreed …"
    agreed = text.index("agreed")
    spans = [{"id": "t", "label": "agreement", "start": agreed, "end": agreed + 6,
              "text": "agreed"},
             {"id": "u", "label": "statement", "start": 0, "end": 19,
              "text": text[:19]}]  # fmt: skip
    _write_notes(
        workspace,
        [_note(sentence, n, who, "neutral", spans, []) for n, who in enumerate(["a", "b"])],
    )
    folder = _publish(workspace, settings).path
    schema = load_label_schema()
    tokens = load_published(folder, "tokens")
    rows = [row for split in tokens.values() for row in split]
    assert [row["sentence_id"] for row in rows] == [sentence["sentence_id"]]  # labeled only
    (row,) = rows
    names = next(iter(tokens.values())).features["event_tags"].feature.names
    assert names == bio_names(schema) and names[0] == "O" and len(names) == 19
    for token, start, end in zip(row["tokens"], row["token_start"], row["token_end"], strict=True):
        assert text[start:end] == token
    tagged = {t: names[tag] for t, tag in zip(row["tokens"], row["event_tags"], strict=True)}
    assert tagged["BRUSSELS"] == "B-statement" and tagged["European"] == "I-statement"
    assert tagged["agreed"] == "B-agreement" and tagged["foreign"] == "O"
    card = (folder / "README.md").read_text()
    assert "`newsdesk-regex-1`" in card and "B-agreement" in card


def test_articles_carry_their_sentences_with_labels_in_order(labeled) -> None:
    _, _, folder = labeled
    sentences = {
        (r["campaign"], r["sentence_id"]): r
        for split in load_published(folder).values()
        for r in split
    }
    articles = [r for split in load_published(folder, "articles").values() for r in split]
    assert sum(len(a["sentences"]) for a in articles) == len(sentences)
    for article in articles:
        inner = article["sentences"]
        assert [s["index"] for s in inner] == sorted(s["index"] for s in inner)
        for s in inner:
            row = sentences[(s["campaign"], s["sentence_id"])]
            assert row["article_id"] == article["article_id"]
            assert article["body"][s["start"] : s["end"]] == s["text"] == row["text"]
            assert (s["stance"], s["events"], s["annotator_count"]) == (
                row["stance"],
                row["events"],
                row["annotator_count"],
            )


def test_card_yaml_features_read_back_as_the_published_features(labeled) -> None:
    _, _, folder = labeled
    card = DatasetCard.load(folder / "README.md")
    infos = DatasetInfosDict.from_dataset_card_data(card.data)
    for config, features in all_features(load_label_schema()).items():
        assert infos[config].features == features
        assert datasets.load_dataset(str(folder), config, split="train").features == features
    assert "_to_yaml_dict" not in (ROOT / "newsdesk" / "publishing" / "card.py").read_text()


def test_card_text_follows_the_data_and_the_settings(setup) -> None:
    workspace, settings = setup
    _tasks(workspace, workspace.read("sentences", tables.SENTENCES).to_pylist(), "all")
    sentence = workspace.read("sentences", tables.SENTENCES).to_pylist()[3]
    _write_notes(workspace, [_note(sentence, n, w, "against", [], []) for n, w in enumerate("abc")])
    custom = settings.model_copy(deep=True)
    custom.labelstudio.span_agreement = 0.75
    custom.publish.splits = {"train": 0.6, "dev": 0.3, "test": 0.1}
    custom.publish.license = "cc-by-sa-4.0"
    folder = publish(workspace, custom, load_label_schema()).path
    card = (folder / "README.md").read_text()
    assert "at least half" not in card
    assert "at least 75% of the annotators (`labelstudio.span_agreement = 0.75`)" in card
    assert "the ratios train 60%, dev 30%, test 10%" in card
    manifest = json.loads((folder / "manifest.json").read_text())
    rows = manifest["rows"]["sentences"]
    for split, ratio in custom.publish.splits.items():
        assert (
            f"| {split} | {ratio:g} | {rows[split]} | {rows[split] / sum(rows.values()):.1%} |"
            in (card)
        )
    split = sentence_split(folder, sentence)
    # the per-split stance distribution: the one labeled row, in its split's column
    header = next(line for line in card.splitlines() if line.startswith("| stance | train"))
    against = next(line for line in card.splitlines() if line.startswith("| against | "))
    names, counts = header.strip("|").split("|")[1:], against.strip("|").split("|")[1:]
    cells = dict(zip(names, counts, strict=True))
    assert {k.strip(): int(v) for k, v in cells.items()} == {
        s: int(s == split) for s in custom.publish.splits
    }
    assert "under `cc-by-sa-4.0`" in card and "belongs to its publishers" in card
    front = DatasetCard.load(folder / "README.md").data.to_dict()
    assert front["license"] == "other" and "cc-by-sa-4.0" in front["license_name"]
    # the example instance is a row of this version
    example = json.loads(re.search(r"```json\n(.*?)\n```", card, re.S).group(1))
    assert example["sentence_id"] == sentence["sentence_id"] and example["annotator_count"] == 3
    # every field of every config is in the field table
    for config, features in all_features(load_label_schema()).items():
        assert f"`{config}`:" in card
        for name in features:
            assert f"| `{name}` |" in card
    for heading in ("## Licensing", "## Personal information", "## Citation", "## Uses"):
        assert heading in card
    assert "3 annotations (0 skipped by their annotator) by 3 annotators" in card


def _recipe_block(markdown: str) -> str:
    section = markdown.split("## Baseline: stance with scikit-learn", 1)[1]
    return re.search(r"```python\n(.*?)\n```", section, re.S).group(1)


def test_the_stance_recipe_of_the_card_and_readme_runs(labeled, tmp_path: Path) -> None:
    _, settings, folder = labeled
    card_code = _recipe_block((folder / "README.md").read_text())
    readme_code = _recipe_block((ROOT / "README.md").read_text())
    assert card_code == readme_code
    assert (_root(settings) / "latest").resolve() == folder.resolve()
    printed = io.StringIO()
    here = Path.cwd()
    os.chdir(tmp_path)  # where `outputs/newsdesk-news/latest` is
    try:
        with contextlib.redirect_stdout(printed):
            exec(compile(card_code, "recipe", "exec"), {"__name__": "__main__"})
    finally:
        os.chdir(here)
    report = printed.getvalue()
    for stance in load_label_schema().stance.values:
        assert re.search(rf"^\s*{stance}\s+\d\.\d\d\s+\d\.\d\d\s+\d\.\d\d\s+\d+$", report, re.M)
    assert "accuracy" in report


def test_status_and_versions_point_at_latest(labeled, monkeypatch) -> None:
    _, settings, folder = labeled
    monkeypatch.setenv("NEWSDESK_OUTPUTS", settings.publish.outputs)
    monkeypatch.setenv("NEWSDESK_CONFIG", str(folder.parents[2] / "none.toml"))
    listed = CliRunner().invoke(app, ["versions"])
    assert listed.exit_code == 0 and "* 1.0.0" in listed.output
    from newsdesk.app.status import _where_to_look

    lines = _where_to_look(settings)
    assert any(str(_root(settings) / "latest") in line for line in lines)
    yaml.safe_load((folder / "README.md").read_text().split("---")[1])


def test_the_ascii_fast_path_cuts_as_the_full_tokenizer() -> None:
    import random
    import string

    from newsdesk.publishing import tokens

    rng = random.Random(7)
    alphabet = string.ascii_letters + string.digits + " '-.,;:!?_()\t\n’"[:-1]
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        fast = [m.span() for m in tokens._ASCII.finditer(text)]
        assert fast == [m.span() for m in tokens._pattern().finditer(text)], text
