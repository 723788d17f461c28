"""Ingest: every record kept, duplicate or quarantined, with counts that add up."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from newsdesk.foundations.decoding import decode
from newsdesk.foundations.workspace import Workspace
from newsdesk.readers.files import Limits, read_file
from newsdesk.stages.ingest import ingest
from schemas import tables
from tests.conftest import SAMPLES


def _write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def test_samples_counts_add_up_and_rerun_is_a_no_op(tmp_path: Path) -> None:
    workspace = Workspace(str(tmp_path / "ws"))
    first = ingest(workspace, [SAMPLES])
    reasons = {Path(q.source_file).name: q.reason for q in first.quarantined}
    assert reasons["empty.txt"] == "empty file"
    assert "malformed JSON" in reasons["northern-dispatch.jsonl"]
    assert first.duplicates == 1
    assert first.kept == workspace.count_rows("articles") == 8
    assert first.records == first.kept + first.duplicates + len(first.quarantined) == 11

    second = ingest(workspace, [SAMPLES])
    assert second.kept == 0 and second.unchanged == 8
    assert second.records == first.records
    assert workspace.count_rows("articles") == 8


def test_latin1_file_is_decoded_not_lost(tmp_path: Path) -> None:
    workspace = Workspace(str(tmp_path / "ws"))
    ingest(workspace, [SAMPLES / "text" / "geneve-dialogue-latin1.txt"])
    (row,) = workspace.read("articles", tables.ARTICLES).to_pylist()
    assert "Genève" in row["content"] and "échange" in row["content"]
    assert row["encoding"] != "utf-8"
    assert row["language"] == "fr"


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("blank.txt", "  \n\t\n", "only whitespace"),
        ("image.html", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20, "binary"),
        ("notes.docx", "hello", "unsupported file type .docx"),
        ("list.json", "[1, 2", "malformed JSON"),
    ],
)
def test_bad_files_are_quarantined_with_a_reason(
    tmp_path: Path, name: str, data: bytes | str, reason: str
) -> None:
    path = _write(tmp_path / name, data)
    (item,) = list(read_file(path, 2**20))
    assert item.record == -1 and reason in item.reason
    assert str(path) in str(item)


def test_huge_file_is_quarantined_without_reading_it(tmp_path: Path) -> None:
    path = _write(tmp_path / "big.txt", "word " * 300_000)
    (item,) = list(read_file(path, 2**20))
    assert "too large" in item.reason and "max_file_mb" in item.reason


def test_a_file_over_the_input_limit_names_the_setting_to_raise(tmp_path: Path) -> None:
    row = json.dumps({"id": "a", "text": "One sentence of news."})
    path = _write(tmp_path / "many.jsonl", "\n".join([row] * 100))
    (item,) = list(read_file(path, Limits(record_bytes=2**20, input_bytes=1000)))
    assert item.record == -1 and "too large" in item.reason
    assert "max_decompressed_mb" in item.reason


def test_jsonl_records_keep_metadata_and_bad_lines_are_named(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": 1, "html": "<html><body><p>Hi there.</p></body></html>",
                    "url": "https://www.example.com/a", "headline": "A"}),
        "{not json",
        json.dumps({"id": 3, "title": "no body"}),
        json.dumps(["not", "an", "object"]),
    ]  # fmt: skip
    path = _write(tmp_path / "feed.jsonl.gz", gzip.compress("\n".join(lines).encode()))
    path = path.rename(tmp_path / "feed.jsonl")
    items = list(read_file(path, 2**20))
    assert items[0].format == "html" and items[0].title == "A"
    assert items[0].url == "https://www.example.com/a"
    assert "line 2" in items[1].reason
    assert "no html or text" in items[2].reason
    assert "not an object" in items[3].reason


def test_duplicate_content_across_files_is_recorded(tmp_path: Path) -> None:
    body = "A headline\n\nThe same article body, sent twice by the scraper.\n"
    _write(tmp_path / "in" / "a.txt", body)
    _write(tmp_path / "in" / "b.txt", body.replace("\n", "\r\n"))
    workspace = Workspace(str(tmp_path / "ws"))
    report = ingest(workspace, [tmp_path / "in" / "*.txt"])
    assert (report.kept, report.duplicates) == (1, 1)
    (duplicate,) = workspace.read("duplicates", tables.DUPLICATES).to_pylist()
    assert duplicate["source_file"].endswith("b.txt")
    assert duplicate["duplicate_of"].endswith("a.txt#0")


def test_missing_input_is_reported(tmp_path: Path) -> None:
    report = ingest(Workspace(str(tmp_path / "ws")), [tmp_path / "nope"])
    assert [q.reason for q in report.quarantined] == ["no such file or folder"]


def test_decode_prefers_utf8_and_strips_bom() -> None:
    assert decode("\ufeffПривет".encode()) == ("Привет", "utf-8")


def _html(title: str) -> str:
    return (
        f"<html><head><title>{title}</title></head><body><p>{title} said hello.</p></body></html>"
    )


def test_archives_csv_parquet_gzip_and_warc_are_read(tmp_path: Path) -> None:
    import io
    import tarfile
    import zipfile

    import pyarrow as pa
    import pyarrow.parquet as pq
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with zipfile.ZipFile(tmp_path / "batch.zip", "w") as archive:
        archive.writestr("a.html", _html("Zipped"))
        archive.writestr("notes/b.txt", "A zipped text article.\n\nIt has two paragraphs.")
        archive.writestr("c.exe", "MZ")
    with tarfile.open(tmp_path / "batch.tar.gz", "w:gz") as archive:
        data = _html("Tarred").encode()
        info = tarfile.TarInfo("d.html")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    (tmp_path / "rows.csv").write_text(
        'title,text,url\nFrom CSV,"A CSV article, quoted.",https://csv.example/1\n', "utf-8"
    )
    pq.write_table(
        pa.Table.from_pylist([{"headline": "From Parquet", "content": "A parquet article."}]),
        tmp_path / "rows.parquet",
    )
    (tmp_path / "feed.jsonl.gz").write_bytes(
        gzip.compress(json.dumps({"text": "A gzipped JSONL article."}).encode())
    )
    with (tmp_path / "crawl.warc.gz").open("wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        record = writer.create_warc_record(
            "https://warc.example/story", "response",
            payload=io.BytesIO(_html("From WARC").encode()), http_headers=headers,
        )  # fmt: skip
        writer.write_record(record)
    report_items = [item for path in sorted(tmp_path.iterdir()) for item in read_file(path, 2**20)]
    kept = {
        Path(i.source_file).name.split("!")[-1]: i for i in report_items if hasattr(i, "content")
    }
    assert kept["a.html"].source_file.endswith("batch.zip!a.html")
    assert kept["a.html"].format == "html" and kept["b.txt"].format == "text"
    assert kept["d.html"].source_file.endswith("batch.tar.gz!d.html")
    assert kept["rows.csv"].title == "From CSV" and kept["rows.csv"].url == "https://csv.example/1"
    assert kept["rows.parquet"].title == "From Parquet"
    assert kept["feed.jsonl.gz"].content == "A gzipped JSONL article."
    assert kept["crawl.warc.gz"].url == "https://warc.example/story"
    (bad,) = [i for i in report_items if not hasattr(i, "content")]
    assert bad.source_file.endswith("batch.zip!c.exe") and "unsupported" in bad.reason


def test_archive_member_too_large_is_quarantined_by_its_declared_size(tmp_path: Path) -> None:
    import zipfile

    with zipfile.ZipFile(tmp_path / "bomb.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("big.txt", "a" * 3_000_000)
    (item,) = list(read_file(tmp_path / "bomb.zip", 2**20))
    assert item.source_file.endswith("bomb.zip!big.txt") and "too large" in item.reason


def test_a_glob_does_not_follow_a_symlink_out_of_its_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsdesk.readers.files import discover

    monkeypatch.chdir(tmp_path)  # the target is inside the working folder, outside the glob's
    (tmp_path / "private.txt").write_text("Not for the dataset.", encoding="utf-8")
    inbox = tmp_path / "inbox" / "today"
    inbox.mkdir(parents=True)
    (inbox / "story.txt").write_text("A story.", encoding="utf-8")
    (inbox / "leak.txt").symlink_to(tmp_path / "private.txt")
    (inbox / "alias.txt").symlink_to(inbox / "story.txt")
    files, missing, skipped = discover(["inbox/today/*.txt"])
    assert sorted(path.name for path in files) == ["alias.txt", "story.txt"]
    assert not missing
    assert [(Path(s.source_file).name, s.reason) for s in skipped] == [
        ("leak.txt", "symlink to a file outside the input folder")
    ]


def test_bad_bytes_and_lone_surrogates_of_a_jsonl_line_are_counted(tmp_path: Path) -> None:
    """`replaced` counts what one record lost: its undecodable bytes plus the lone
    surrogates of its JSON, per line, never another line's."""
    lines = [
        b'{"text": "D\xc3\xa9j\xc3\xa0 vu \xff at the caf\xc3\xa9 \xfe."}',  # 2 bad bytes
        b'{"text": "Half a pair \\ud800 and a bad byte \xff in caf\xc3\xa9."}',  # 1 + 1
        b'{"text": "A clean line, caf\xc3\xa9 cr\xc3\xa8me br\xc3\xbbl\xc3\xa9e."}',
    ]
    path = _write(tmp_path / "feed.jsonl", b"\n".join(lines) + b"\n")
    items = list(read_file(path, Limits()))
    assert [item.encoding for item in items] == ["utf-8"] * 3
    assert [item.replaced for item in items] == [2, 2, 0]
    assert items[1].content == "Half a pair \ufffd and a bad byte \ufffd in café."


def test_a_glob_of_the_working_folder_keeps_its_own_symlinks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pattern whose first part has the wildcard ("*.txt") searches the working folder."""
    from newsdesk.readers.files import discover

    monkeypatch.chdir(tmp_path)
    (tmp_path / "story.txt").write_text("A story.", encoding="utf-8")
    (tmp_path / "alias.txt").symlink_to(tmp_path / "story.txt")
    files, missing, skipped = discover(["*.txt"])
    assert sorted(path.name for path in files) == ["alias.txt", "story.txt"]
    assert not missing and not skipped


def test_a_reason_names_the_record_from_the_first_one_on() -> None:
    from newsdesk.readers.files import Quarantined, Skipped

    for kind in (Quarantined, Skipped):
        assert str(kind("feed.jsonl", 0, "malformed JSON")) == "feed.jsonl#0: malformed JSON"
        assert str(kind("feed.jsonl", 7, "malformed JSON")) == "feed.jsonl#7: malformed JSON"
        assert str(kind("feed.jsonl", -1, "empty file")) == "feed.jsonl: empty file"


def _utf16_feed_with_a_lone_surrogate(tmp_path: Path) -> Path:
    good = "".join(json.dumps({"text": f"Story {n}."}) + "\n" for n in range(2))
    bad = '{"text": "A lone '.encode("utf-16-le") + b"\x00\xd8" + ' half."}\n'.encode("utf-16-le")
    return _write(tmp_path / "feed.jsonl", b"\xff\xfe" + good.encode("utf-16-le") + bad * 2)


def test_a_bad_sequence_in_a_utf16_jsonl_is_replaced_and_reading_goes_on(tmp_path: Path) -> None:
    items = list(read_file(_utf16_feed_with_a_lone_surrogate(tmp_path), Limits()))
    assert [item.content for item in items] == [
        "Story 0.",
        "Story 1.",
        "A lone \ufffd half.",
        "A lone \ufffd half.",
    ]
    assert {item.encoding for item in items} == {"utf-16-le"}


def test_bad_sequences_far_into_a_utf16_jsonl_count_on_their_own_records(tmp_path: Path) -> None:
    def line(n: int) -> bytes:
        return (json.dumps({"text": f"Story number {n}."}) + "\n").encode("utf-16-le")

    bad = '{"text": "A lone '.encode("utf-16-le") + b"\x00\xd8" + ' half."}\n'.encode("utf-16-le")
    lines = [line(n) for n in range(40_000)]
    for at in (2500, 16_999, 17_000, 39_999):
        lines[at] = bad
    data = b"\xff\xfe" + b"".join(lines)
    assert len(data) > 2 * 2**20  # more than two of the re-encoder's read chunks
    items = list(read_file(_write(tmp_path / "feed.jsonl", data), Limits()))
    assert len(items) == 40_000
    replaced = {i: item.replaced for i, item in enumerate(items) if item.replaced}
    assert replaced == {2500: 2, 16_999: 2, 17_000: 2, 39_999: 2}


def test_a_bad_sequence_in_a_utf16_jsonl_is_counted(tmp_path: Path) -> None:
    items = list(read_file(_utf16_feed_with_a_lone_surrogate(tmp_path), Limits()))
    assert [item.replaced for item in items] == [0, 0, 2, 2]
