"""One set of size limits in newsdesk.toml: ingest and clean refuse the same articles with
the same reason, segment splits a run of text longer than a sentence may be."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsdesk.app.jobs import run_clean, run_ingest, run_segment
from newsdesk.boilerplate import extract_html, extract_text
from newsdesk.foundations.config import ConfigError, load_settings
from newsdesk.foundations.workspace import Workspace
from newsdesk.sentences.splitter import SentenceSpan, _joined, cap_spans, split_sentences
from newsdesk.stages.ingest import ingest
from newsdesk.stages.segment import segment
from schemas import tables
from tests.test_sentences import TEXTS, check_invariants

ARTICLE = "The harbour talks resumed on Monday. Both sides said they were hopeful."


def test_limits_are_read_from_newsdesk_toml(tmp_path: Path) -> None:
    defaults = load_settings(tmp_path / "absent.toml")
    assert (defaults.max_body_chars, defaults.max_sentence_chars) == (10_000_000, 2000)
    assert defaults.max_sentences_per_article == 500
    toml = tmp_path / "newsdesk.toml"
    toml.write_text(
        "max_body_chars = 5000\nmax_sentence_chars = 300\nmax_sentences_per_article = 40\n"
    )
    mine = load_settings(toml)
    assert (mine.max_body_chars, mine.max_sentence_chars, mine.max_sentences_per_article) == (
        5000,
        300,
        40,
    )
    toml.write_text("max_sentence_chars = 0\n")
    with pytest.raises(ConfigError, match="max_sentence_chars"):
        load_settings(toml)


def test_a_15_mb_page_is_quarantined_at_ingest_with_the_reason_clean_gives(
    tmp_path: Path,
) -> None:
    """With the default limits: the file is under max_file_mb, its text over max_body_chars."""
    page = "<html><body>" + f"<p>{ARTICLE}</p>" * 200_000 + "</body></html>"
    assert 10_000_000 < len(page) < 20 * 2**20
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "huge.html").write_text(page, encoding="utf-8")
    (tmp_path / "in" / "ok.txt").write_text(ARTICLE, encoding="utf-8")
    report = ingest(Workspace(str(tmp_path / "ws")), [tmp_path / "in"])
    assert report.kept == 1
    (item,) = report.quarantined
    reason = extract_html(page).error
    assert reason == f"article too long: {len(page):,} characters > max_body_chars 10,000,000"
    assert item.source_file.endswith("huge.html") and item.reason == reason


def test_ingest_and_clean_apply_one_max_body_chars(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    long_text = " ".join([ARTICLE] * 20)
    page = f"<html><body><p>{long_text}</p></body></html>"
    (folder / "long.txt").write_text(long_text, encoding="utf-8")
    (folder / "long.html").write_text(page, "utf-8")
    (folder / "short.txt").write_text(ARTICLE, encoding="utf-8")
    (folder / "records.jsonl").write_text(
        f'{{"id": "a", "text": "{long_text}"}}\n{{"id": "b", "text": "Short. Record."}}\n',
        encoding="utf-8",
    )
    toml = tmp_path / "newsdesk.toml"
    toml.write_text('workspace = "ws"\nmax_body_chars = 1000\n')
    settings_ = load_settings(toml)
    run_ingest(settings_, [str(folder)])
    workspace = Workspace(settings_.workspace_uri)
    quarantine = {
        (Path(q["source_file"]).name, q["record"]): q["reason"]
        for q in workspace.read("quarantine", tables.QUARANTINE).to_pylist()
    }
    reason = "article too long: {:,} characters > max_body_chars 1,000"
    assert quarantine == {
        ("long.txt", -1): reason.format(len(long_text)),
        ("long.html", -1): reason.format(len(page)),
        ("records.jsonl", 0): "line 1: " + reason.format(len(long_text)),
    }
    assert workspace.count_rows("articles") == 2
    # an article ingested under a larger limit meets the same reason in clean
    ingest(workspace, [folder / "long.txt"], max_chars=2000)
    run_clean(settings_)
    errors = {b["body"]: b["error"] for b in workspace.read("bodies", tables.BODIES).to_pylist()}
    assert errors[""] == reason.format(len(long_text))
    assert sum(1 for error in errors.values() if error is None) == 2
    assert extract_text(long_text, max_chars=1000).error == reason.format(len(long_text))


def test_segment_splits_a_run_longer_than_max_sentence_chars(tmp_path: Path) -> None:
    import pyarrow as pa

    words = " ".join(f"word{i}" for i in range(400))  # a line without a sentence boundary
    body = f"{ARTICLE}\n\n{words}\n\n{'x' * 1000}"
    toml = tmp_path / "newsdesk.toml"
    toml.write_text('workspace = "ws"\nmax_sentence_chars = 300\n')
    settings_ = load_settings(toml)
    workspace = Workspace(settings_.workspace_uri)
    row = {"article_id": "a1", "body": body, "language": "en", "error": None}
    workspace.write_shard("bodies", "articles-1", pa.Table.from_pylist([row], tables.BODIES))
    summary = run_segment(settings_)
    rows = sorted(
        workspace.read("sentences", tables.SENTENCES).to_pylist(), key=lambda r: r["index"]
    )
    assert all(body[r["start"] : r["end"]] == r["text"] for r in rows)
    texts = [r["text"] for r in rows]
    assert texts[:2] == [
        "The harbour talks resumed on Monday.",
        "Both sides said they were hopeful.",
    ]
    pieces = [r for r in rows if r["paragraph"] == 1]
    assert " ".join(r["text"] for r in pieces) == words  # cut at spaces, nothing lost
    assert all(290 < len(r["text"]) <= 300 for r in pieces[:-1])  # the space nearest the limit
    assert [r["text"] for r in rows if r["paragraph"] == 2] == ["x" * 300] * 3 + ["x" * 100]
    assert "2 runs of text longer than max_sentence_chars (300) split" in summary
    assert segment(workspace, max_sentence_chars=300).shards == 0  # done once
    assert segment(workspace).shards == 1  # another limit makes the shard stale


def test_cap_spans_cuts_at_the_last_space_else_the_limit() -> None:
    text = "aaaa bbbb cccc"
    assert cap_spans(text, split_sentences(text), 9) == (
        [SentenceSpan(0, 9, 0), SentenceSpan(10, 14, 0)],
        1,
    )
    assert cap_spans(text, split_sentences(text), 14) == (split_sentences(text), 0)
    assert cap_spans("abcdefghij", [SentenceSpan(0, 10, 0)], 4)[0] == [
        SentenceSpan(0, 4, 0),
        SentenceSpan(4, 8, 0),
        SentenceSpan(8, 10, 0),
    ]


@pytest.mark.parametrize(
    "unit",
    [
        "e\u0301",  # a base and a combining accent
        "\U0001f44d\U0001f3fd",  # a skin tone
        "\U0001f468\u200d\U0001f469\u200d\U0001f467",  # a ZWJ family
        "\U0001f1e9\U0001f1ea",  # a flag
        "\u2764\ufe0f",  # a variation selector
        "\ud83d\ude00",  # a surrogate pair, as surrogatepass strings hold it
        "\u0915\u094d\u0937",  # a Devanagari conjunct (virama)
        "\u0915\u093e",  # a Devanagari vowel sign (a spacing mark)
        "1\ufe0f\u20e3",  # a keycap (an enclosing mark)
        "\U0001f1fa\U0001f1e6",  # flags at the ends of the regional letters: UA, NZ
        "\U0001f1f3\U0001f1ff",
        "\U0001f44d\U0001f3fb",  # the lightest and the darkest skin tone
        "\U0001f44d\U0001f3ff",
        "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f",  # England
        "\ud83d\udc00",  # surrogate pairs with the first and the last low surrogate
        "\ud83c\udfff",
    ],
)
def test_a_cut_never_splits_a_combined_character(unit: str) -> None:
    text = unit * 50
    for limit in range(len(unit), len(unit) + 10):
        spans, split = cap_spans(text, [SentenceSpan(0, len(text), 0)], limit)
        assert split == 1 and "".join(text[s.start : s.end] for s in spans) == text
        assert all(s.end - s.start <= limit for s in spans)
        assert all(s.start % len(unit) == 0 for s in spans), (limit, spans)


@pytest.mark.parametrize("prefix", ["x", "#go", "Vote" * 5])
def test_a_run_of_flags_after_a_word_is_cut_between_flags(prefix: str) -> None:
    # flags pair up from the first regional letter of the run, not from the text's start
    flags = "\U0001f1fa\U0001f1e6\U0001f1e9\U0001f1ea\U0001f1eb\U0001f1f7" * 20  # UA DE FR
    text = prefix + flags
    for limit in range(len(prefix) + 1, len(prefix) + 12):
        spans, _ = cap_spans(text, [SentenceSpan(0, len(text), 0)], limit)
        assert "".join(text[s.start : s.end] for s in spans) == text
        assert all(s.end - s.start <= limit for s in spans)
        cuts = [s.start - len(prefix) for s in spans[1:]]
        assert all(cut >= 0 and cut % 2 == 0 for cut in cuts), (limit, cuts)
        if limit == len(prefix) + 1:  # no room for a flag: the word alone comes first
            assert text[spans[0].start : spans[0].end] == prefix


def test_only_runs_over_the_limit_count_as_split() -> None:
    # the count is what segment's summary reports
    text = "Talks resumed. Both sides hoped."  # 14 and 17 characters
    assert cap_spans(text, split_sentences(text), 17) == (split_sentences(text), 0)
    text = "Talks resumed on Monday. " + "x" * 30 + ". Both sides hoped."  # 24, 31, 17
    spans, split = cap_spans(text, split_sentences(text), 24)
    assert split == 1
    assert [text[s.start : s.end] for s in spans] == [
        "Talks resumed on Monday.",
        "x" * 24,
        "x" * 6 + ".",
        "Both sides hoped.",
    ]


def test_one_character_longer_than_the_limit_is_kept_whole() -> None:
    text = "a" + "\u0301" * 20 + "b"
    spans, _ = cap_spans(text, [SentenceSpan(0, len(text), 0)], 5)
    assert [text[s.start : s.end] for s in spans] == [text[:21], "b"]


@settings(max_examples=300, deadline=None)
@given(TEXTS, st.integers(min_value=1, max_value=40))
def test_capped_spans_keep_the_invariants(text: str, limit: int) -> None:
    spans, _ = cap_spans(text, split_sentences(text), limit)
    check_invariants(text, spans)
    for span in spans:
        assert span.start == 0 or not _joined(text, span.start) or text[span.start - 1].isspace()
        if span.end - span.start > limit:  # only one visible character may pass the limit
            assert all(_joined(text, i) for i in range(span.start + 1, span.end))
