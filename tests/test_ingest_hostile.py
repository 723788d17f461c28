"""Ingest on a hostile corpus built here: no input stops the run, every record is accounted
for row by row, memory stays bounded, re-ingesting writes nothing twice."""

from __future__ import annotations

import gzip
import json
import os
import time
import tracemalloc
from collections import Counter
from pathlib import Path

import pytest

import newsdesk.stages.ingest as ingest_module
from newsdesk.foundations.decoding import decode_counted
from newsdesk.foundations.workspace import Workspace
from newsdesk.readers.files import Limits, RawRecord, read_file
from newsdesk.stages.ingest import IngestReport, ingest
from schemas import tables
from tests.hostile_corpus import INPUT_LIMIT, RECORD_LIMIT, Expect, build

Outcome = tuple[str, int, str, str, int]  # path, record, outcome, reason, count


def _run(tmp_path: Path, workspace: Workspace) -> IngestReport:
    return ingest(
        workspace,
        [tmp_path / "in"],
        shard_size=50,
        max_bytes=RECORD_LIMIT,
        max_input_bytes=INPUT_LIMIT,
    )


def _outcomes(root: Path, workspace: Workspace, report: IngestReport) -> list[Outcome]:
    """Every record's bucket, from the tables (kept, duplicate) and the report."""
    prefix = f"{root}/"

    def rel(name: str) -> str:
        return name.removeprefix(prefix)

    articles = workspace.read("articles", tables.ARTICLES, ["source_file", "record"])
    found: list[Outcome] = [
        (rel(row["source_file"]), row["record"], "kept", "", 1) for row in articles.to_pylist()
    ]
    found += [
        (rel(row["source_file"]), row["record"], "duplicate", row["duplicate_of"], 1)
        for row in workspace.read("duplicates", tables.DUPLICATES).to_pylist()
    ]
    found += [
        (rel(q.source_file), q.record, "quarantined", q.reason, 1) for q in report.quarantined
    ]
    found += [(rel(s.source_file), s.record, "skipped", s.reason, s.count) for s in report.skipped]
    return found


def _match(expected: list[Expect], found: list[Outcome]) -> list[str]:
    """What does not line up, one line each (empty: every record is where it should be)."""
    left = list(found)
    problems = []
    for want in [e for e in expected if e.record == -2]:
        mine = [f for f in left if f[0].split("!")[0] == want.path]
        mine.sort(key=lambda f: (f[2] == "quarantined", f[1]))
        *before, last = mine or [("", 0, "", "", 0)]
        allowed = {"kept"} if want.outcome == "kept until" else {"kept", "duplicate", "skipped"}
        if last[2] != "quarantined" or want.reason not in last[3]:
            problems.append(f"{want}: ends with {last}")
        if want.outcome == "kept until" and [f[1] for f in before] != list(range(len(before))):
            problems.append(f"{want}: records kept are not 0..{len(before) - 1}")
        problems += [f"{want}: {f}" for f in before if f[2] not in allowed]
        left = [f for f in left if f not in mine]
    for want in [e for e in expected if e.record != -2]:
        hits = [
            f
            for f in left
            if f[:3] == (want.path, want.record, want.outcome)
            and want.reason in f[3]
            and f[4] == want.count
        ]
        if len(hits) != 1:
            near = [f for f in found if f[0] == want.path][:5]
            problems.append(f"{want}: {len(hits)} matches; rows for this path: {near}")
            continue
        left.remove(hits[0])
    problems += [f"unexpected {f}" for f in left]
    return problems


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("hostile")
    expected = build(root / "corpus")
    workspace = Workspace(str(root / "ws"))
    report = _run(root / "corpus", workspace)
    return root / "corpus", expected, workspace, report


def test_every_record_is_kept_duplicate_quarantined_or_skipped(hostile) -> None:
    root, expected, workspace, report = hostile
    found = _outcomes(root / "in", workspace, report)
    assert _match(expected, found) == []
    buckets = Counter(f[2] for f in found for _ in range(f[4]))
    assert report.kept == buckets["kept"] == workspace.count_rows("articles")
    assert report.duplicates == buckets["duplicate"]
    assert len(report.quarantined) == buckets["quarantined"]
    assert report.skipped_records == buckets["skipped"]
    assert report.records == report.kept + report.duplicates + len(report.quarantined) + (
        report.skipped_records
    )
    assert report.read == report.records  # counted as read, apart from the buckets
    (run,) = workspace.read("ingest_runs", tables.INGEST_RUNS).to_pylist()
    assert run["records"] == report.records and run["kept"] == report.kept
    assert run["quarantined"] == len(report.quarantined)


def test_every_reason_is_one_printable_line_naming_the_file(hostile) -> None:
    root, _, _, report = hostile
    for entry in [*report.quarantined, *report.skipped]:
        line = str(entry)
        assert line.startswith(str(root / "in")), line
        assert line.isprintable(), line
        assert entry.reason and "\n" not in entry.reason and "Traceback" not in entry.reason
    bad_name = next(q for q in report.quarantined if "[/bold]" in q.source_file)
    assert "\\n" in str(bad_name) and "\\x1b" in str(bad_name)


def test_text_is_decoded_and_fields_are_typed(hostile) -> None:
    root, _, workspace, _ = hostile
    rows = {
        (r["source_file"].removeprefix(f"{root}/in/"), r["record"]): r
        for r in workspace.read("articles", tables.ARTICLES).to_pylist()
    }
    assert "ünïcödé" in rows["utf16.txt", 0]["content"]
    assert rows["utf16.txt", 0]["encoding"] == "utf-16"
    assert "日本" in rows["utf32.txt", 0]["content"]
    assert rows["utf16be.html", 0]["format"] == "html"
    assert "ä" in rows["utf16.jsonl", 0]["content"]
    fewbad = rows["fewbad.txt", 0]
    assert fewbad["encoding"] == "utf-8" and fewbad["replaced"] == 6
    assert "Москва заявила" in fewbad["content"] and fewbad["content"].count("\ufffd") == 6
    assert "café, naïve, “quoted”" in rows["cp1252.jsonl", 0]["content"]
    assert rows["cp1252.jsonl", 0]["encoding"] not in ("utf-8", None)
    assert rows["surrogate.jsonl", 0]["content"] == "A lone \ufffd surrogate in article 1."
    assert rows["surrogate.jsonl", 0]["replaced"] == 1
    assert "\u2028two\u2029three\u0085four" in rows["separators.jsonl", 0]["content"]
    assert rows["types.jsonl", 6]["title"] is None and rows["types.jsonl", 6]["url"] is None
    assert "title dropped: a int" in rows["types.jsonl", 6]["warnings"]
    assert rows["types.jsonl", 7]["published_at"] is None
    assert "not a date" in rows["types.jsonl", 7]["warnings"]
    dates = [rows["types.jsonl", i]["published_at"] for i in range(8, 12)]
    assert dates == [
        "2024-03-05T08:00:00Z",
        "2024-03-05T10:00:00Z",
        "2024-03-05",
        "2024-03-05T10:00:00Z",
    ]
    assert rows["types.jsonl", 12]["published_at"] is None  # year 9999
    assert rows["types.jsonl", 13]["record_id"] == "feed-42"
    assert rows["types.jsonl", 14]["record_id"] == "43"
    assert rows["rows.csv", 0]["record_id"] == "r1"
    assert rows["rows.parquet", 2]["record_id"] == "9"
    assert rows["rows.parquet", 2]["published_at"] == "2024-05-01T06:30:00Z"
    assert rows["big-array.json", 0]["record_id"] == "a2000"
    assert rows["crawl.warc.gz", 2]["record_id"].startswith("<urn:uuid:")
    assert rows["crawl.warc.gz", 2]["url"] == "https://w.example/0"
    assert rows["batch.zip!b.txt", 0]["record_id"] == "b.txt"
    assert rows["batch.tar.gz!./feed.jsonl.gz", 0]["record_id"] == "./feed.jsonl.gz"


def test_reingest_writes_no_row_twice_and_counts_still_add_up(hostile, tmp_path: Path) -> None:
    root, _, workspace, first = hostile
    sizes = {
        t: workspace.count_rows(t) for t in ("articles", "duplicates", "quarantine", "skipped")
    }
    (root / "in" / "new.txt").write_text("A new article arrived after the first run.", "utf-8")
    (root / "in" / "new-empty.txt").write_bytes(b"")
    try:
        second = _run(root, workspace)
    finally:
        (root / "in" / "new.txt").unlink()
        (root / "in" / "new-empty.txt").unlink()
    assert second.kept == 1 and second.unchanged == first.kept
    assert second.records == first.records + 2
    assert workspace.count_rows("articles") == sizes["articles"] + 1
    assert workspace.count_rows("quarantine") == sizes["quarantine"] + 1
    assert workspace.count_rows("duplicates") == sizes["duplicates"]
    assert workspace.count_rows("skipped") == sizes["skipped"]
    quarantine = workspace.read("quarantine", tables.QUARANTINE).to_pylist()
    keys = [(q["source_file"], q["record"]) for q in quarantine]
    assert len(keys) == len(set(keys))


def test_duplicates_across_batches_running_together_keep_one_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = "The same wire story, filed twice by two scrapers in one night."
    for name in ("a.txt", "b.txt", "c.txt"):
        (tmp_path / "in").mkdir(exist_ok=True)
        (tmp_path / "in" / name).write_text(body, "utf-8")
    workspace = Workspace(str(tmp_path / "ws"))
    report = ingest(workspace, [tmp_path / "in"], shard_size=1)
    assert (report.kept, report.duplicates) == (1, 2)
    (kept,) = workspace.read("articles", tables.ARTICLES).to_pylist()
    assert kept["source_file"].endswith("a.txt")
    dups = workspace.read("duplicates", tables.DUPLICATES).to_pylist()
    assert {d["duplicate_of"] for d in dups} == {f"{tmp_path}/in/a.txt#0"}


def test_a_crash_loses_at_most_the_shard_in_flight(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = [json.dumps({"text": f"Article {i}: talks resumed on day {i}."}) for i in range(250)]
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "feed.jsonl").write_text("\n".join(lines), "utf-8")
    real = ingest_module.read_file

    def crashing(path: Path, limits: Limits):
        for count, item in enumerate(real(path, limits)):
            if count == 230:
                raise KeyboardInterrupt  # the process dies: nothing catches this
            yield item

    monkeypatch.setattr(ingest_module, "read_file", crashing)
    workspace = Workspace(str(tmp_path / "ws"))
    with pytest.raises(KeyboardInterrupt):
        ingest(workspace, [tmp_path / "in"], shard_size=100)
    assert workspace.count_rows("articles") == 200  # two full shards were written
    monkeypatch.setattr(ingest_module, "read_file", real)
    report = ingest(workspace, [tmp_path / "in"], shard_size=100)
    assert (report.kept, report.unchanged) == (50, 200)
    assert workspace.count_rows("articles") == 250


def test_a_gzip_bomb_is_stopped_at_the_limit_without_inflating_it(tmp_path: Path) -> None:
    path = tmp_path / "bomb.txt.gz"
    with gzip.open(path, "wb", compresslevel=9) as stream:
        for _ in range(256):
            stream.write(b"a" * 2**20)  # 256 MiB inflated, ~250 KiB on disk
    tracemalloc.start()
    started = time.process_time()
    (item,) = list(read_file(path, Limits(record_bytes=2**20)))
    seconds = time.process_time() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert item.record == -1 and "too large" in item.reason
    assert peak < 16 * 2**20, peak
    assert seconds < 2, seconds


def test_a_26_mb_jsonl_of_20000_articles_is_read_record_by_record(tmp_path: Path) -> None:
    """The size limit is per record: a dump larger than it is read whole, and memory follows
    one record, not the file."""
    body = "The council met on Monday and agreed on the budget for the coming year. " * 18
    path = tmp_path / "dump.jsonl"
    with path.open("w", encoding="utf-8") as stream:
        for i in range(20_000):
            stream.write(json.dumps({"id": f"d{i}", "text": f"Story {i}. {body}"}) + "\n")
    assert path.stat().st_size > 25 * 2**20
    tracemalloc.start()
    items = 0
    for item in read_file(path, Limits(record_bytes=20 * 2**20)):
        assert isinstance(item, RawRecord), item
        items += 1
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert items == 20_000
    assert peak < 8 * 2**20, peak


@pytest.mark.skipif(
    not os.environ.get("NEWSDESK_SLOW_TESTS"), reason="slow: set NEWSDESK_SLOW_TESTS=1"
)
def test_a_jsonl_over_1_gb_ingests(tmp_path: Path) -> None:
    """More than 1 GiB of ordinary articles in one JSONL (about 85 s on 2 shared cores)."""
    import resource

    path = tmp_path / "export.jsonl"
    paragraph = "The council met on Monday and agreed on the budget for the coming year. " * 60
    count = 0
    with path.open("w", encoding="utf-8") as stream:
        while stream.tell() < 2**30 + 2**20:
            stream.write(json.dumps({"id": count, "text": f"Story {count}. {paragraph}"}) + "\n")
            count += 1
    workspace = Workspace(str(tmp_path / "ws"))
    report = ingest(workspace, [path])
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert report.kept == count == workspace.count_rows("articles")
    assert report.quarantined == []
    assert peak_mib < 1024, peak_mib  # measured: about 350 MiB for the whole test process


@pytest.mark.parametrize(
    ("data", "text", "utf8", "replaced"),
    [
        ("Café au lait, déjà vu.".encode() + b" \xff", "Café au lait, déjà vu. \ufffd", True, 1),
        ("Café \xff".encode()[:-2] + b"\xff", "Café \ufffd", True, 1),  # as many good as bad
        ("Genève, échange, café.".encode("latin-1"), "Genève, échange, café.", False, 0),
    ],
)
def test_utf8_with_a_few_bad_bytes_stays_utf8_and_a_legacy_page_is_guessed(
    data: bytes, text: str, utf8: bool, replaced: int
) -> None:
    decoded, encoding, count = decode_counted(data)
    assert (decoded, encoding == "utf-8", count) == (text, utf8, replaced)
