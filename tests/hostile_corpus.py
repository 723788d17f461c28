"""A corpus of hostile inputs, built in a folder, with the outcome each record must have.

Used by tests/test_ingest_hostile.py (row-by-row reconciliation) and bench/bench_ingest.py
(peak memory). Sizes assume `RECORD_LIMIT` as the per-record limit and `INPUT_LIMIT` as the
decompressed limit per input.
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import os
import stat
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

RECORD_LIMIT = 2**20
INPUT_LIMIT = 4 * 2**20


@dataclass(frozen=True)
class Expect:
    """One input record's outcome; `path` is relative to the corpus folder (`a.zip!m.txt`
    for an archive member) and `reason` a part of the one-line reason."""

    path: str
    record: int
    outcome: str  # kept, duplicate, quarantined, skipped; or, with record -2, "kept until"
    # (records kept, then one quarantined) or "read until" (kept, duplicate or skipped, then
    # one quarantined): how far a cut or over-long input is read depends on buffering
    reason: str = ""
    count: int = 1


def _article(n: int, extra: str = "") -> str:
    return (
        f"Article {n} of the hostile corpus{extra}.\n\n"
        f"The minister said on Tuesday that talks number {n} would resume next week, "
        "after the delegations met in the capital and agreed on an agenda."
    )


def _html(n: int) -> str:
    return f"<html><head><title>Page {n}</title></head><body><p>{_article(n)}</p></body></html>"


def _warc(records: list[tuple[str, str, str, bytes, str]], gzip_records: bool) -> bytes:
    """(type, url, content type, payload, status) records as a WARC file's bytes."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    writer = WARCWriter(out, gzip=gzip_records)
    for kind, url, ctype, payload, status in records:
        if kind == "warcinfo":
            record = writer.create_warcinfo_record("crawl.warc", {"software": "tests"})
        elif kind == "request":
            headers = StatusAndHeaders("GET / HTTP/1.1", [("Host", "x")], is_http_request=True)
            record = writer.create_warc_record(url, "request", http_headers=headers)
        else:
            headers = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
            record = writer.create_warc_record(
                url, "response", payload=io.BytesIO(payload), http_headers=headers
            )
        writer.write_record(record)
    return out.getvalue()


def _write(root: Path, name: str, data: bytes | str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def _jsonl(rows: list[object]) -> str:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


def build(root: Path) -> list[Expect]:
    """Write the corpus under `root/in` (plus a file outside it); return every outcome."""
    corpus = root / "in"
    corpus.mkdir(parents=True)
    expect: list[Expect] = []
    n = iter(range(1000, 100_000))

    def add(path: str, record: int, outcome: str, reason: str = "", count: int = 1) -> None:
        expect.append(Expect(path, record, outcome, reason, count))

    # --- nesting, surrogates, types, dates, separators -------------------------------------
    _write(corpus, "deep-array.json", "[" * 100_000 + "]" * 100_000)
    add("deep-array.json", -1, "quarantined", "nested too deeply")
    deep = '{"text": ' + '{"a": ' * 60_000 + "1" + "}" * 60_000 + "}"
    _write(corpus, "deep.jsonl", _jsonl([{"text": _article(next(n))}]) + deep + "\n")
    add("deep.jsonl", 0, "kept")
    add("deep.jsonl", 1, "quarantined", "line 2: JSON nested too deeply")
    _write(corpus, "surrogate.jsonl", '{"text": "A lone \\ud800 surrogate in article 1."}\n')
    add("surrogate.jsonl", 0, "kept")
    _write(corpus, "surrogate.json", '{"text": "Another lone \\udfff surrogate, article 2."}')
    add("surrogate.json", 0, "kept")
    typed = [
        {"text": 12345},
        {"text": ["a", "list"]},
        {"html": {"an": "object"}},
        {"text": True},
        {"title": "no body at all"},
        ["not", "an", "object"],
        {"text": _article(next(n)), "title": 5, "url": ["x"]},
        {"text": _article(next(n)), "published_at": "2024-01-01T00:00:00Z foo: bar"},
        {"text": _article(next(n)), "published_at": "2024-03-05T10:00:00+02:00"},
        {"text": _article(next(n)), "date": "Tue, 05 Mar 2024 10:00:00 GMT"},
        {"text": _article(next(n)), "published": "2024-03-05"},
        {"text": _article(next(n)), "published_at": 1709632800},
        {"text": _article(next(n)), "published_at": "9999-01-01"},
        {"text": _article(next(n)), "id": "feed-42"},
        {"text": _article(next(n)), "id": 43},
    ]
    _write(corpus, "types.jsonl", _jsonl(typed))
    for index, reason in enumerate(
        ["'text' is a int", "'text' is a list", "'html' is a dict", "'text' is a bool",
         "no html or text", "not an object"]
    ):  # fmt: skip
        add("types.jsonl", index, "quarantined", reason)
    for index in range(6, len(typed)):
        add("types.jsonl", index, "kept")
    separators = {"text": f"{_article(next(n))} One\u2028two\u2029three\u0085four."}
    _write(corpus, "separators.jsonl", _jsonl([separators]) + "{not json\n" + "1" * 5000 + "\n")
    add("separators.jsonl", 0, "kept")
    add("separators.jsonl", 1, "quarantined", "line 2: malformed JSON")
    add("separators.jsonl", 2, "quarantined", "line 3: malformed JSON")

    # --- CSV: one oversized field quarantines only its row ---------------------------------
    big_ok = "word " * 40_000  # 200 KB: over csv's default 128 KiB field limit, under ours
    too_big = "x" * (RECORD_LIMIT + 10)
    rows = [
        ("r1", _article(next(n))),
        ("r2", big_ok + str(next(n))),
        ("r3", too_big),
        ("r4", _article(next(n))),
        ("r5", "   "),
    ]
    csv_text = "id,text\n" + "".join(f'{i},"{t}"\n' for i, t in rows)
    _write(corpus, "rows.csv", csv_text)
    add("rows.csv", 0, "kept")
    add("rows.csv", 1, "kept")
    add("rows.csv", 2, "quarantined", "row ending on line 6")
    add("rows.csv", 3, "kept")
    add("rows.csv", 4, "quarantined", "no html or text")

    # --- Parquet: typed columns ------------------------------------------------------------
    import datetime as dt

    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table(
        {
            "id": [7, 8, 9],
            "text": [_article(next(n)), None, _article(next(n))],
            "published_at": [dt.datetime(2024, 5, 1, 6, 30, tzinfo=dt.UTC)] * 3,
        }
    )
    pq.write_table(table, corpus / "rows.parquet")
    add("rows.parquet", 0, "kept")
    add("rows.parquet", 1, "quarantined", "no html or text")
    add("rows.parquet", 2, "kept")
    _write(corpus, "broken.parquet", b"PAR1 this is not really parquet PAR1")
    add("broken.parquet", -1, "quarantined", "unreadable")

    # --- encodings --------------------------------------------------------------------------
    _write(
        corpus, "utf16.txt", codecs.BOM_UTF16_LE + _article(next(n), " ünïcödé").encode("utf-16-le")
    )
    add("utf16.txt", 0, "kept")
    _write(corpus, "utf16be.html", codecs.BOM_UTF16_BE + _html(next(n)).encode("utf-16-be"))
    add("utf16be.html", 0, "kept")
    _write(
        corpus, "utf32.txt", codecs.BOM_UTF32_LE + _article(next(n), " 日本").encode("utf-32-le")
    )
    add("utf32.txt", 0, "kept")
    utf16_jsonl = _jsonl([{"text": _article(next(n), " ä")}, {"text": _article(next(n))}])
    _write(corpus, "utf16.jsonl", codecs.BOM_UTF16_LE + utf16_jsonl.encode("utf-16-le"))
    add("utf16.jsonl", 0, "kept")
    add("utf16.jsonl", 1, "kept")
    sentence = "Москва заявила, что переговоры продолжатся на следующей неделе. "
    bad = b"".join(  # six bytes that are not UTF-8, between whole characters
        [(sentence * 10).encode(), b"\xff\xfe", (sentence * 10).encode(), b"\xc3",
         (sentence * 10).encode(), b"\x80\x80\x80", _article(next(n)).encode()]
    )  # fmt: skip
    _write(corpus, "fewbad.txt", bad)
    add("fewbad.txt", 0, "kept")
    cp1252 = _jsonl([{"text": _article(next(n), " – café, naïve, “quoted”")}]).encode("cp1252")
    _write(corpus, "cp1252.jsonl", cp1252)
    add("cp1252.jsonl", 0, "kept")
    _write(corpus, "binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20)
    add("binary.txt", -1, "quarantined", "binary")
    _write(corpus, "empty.jsonl", b"")
    add("empty.jsonl", -1, "quarantined", "empty file")
    _write(corpus, "blank.jsonl", "\n \n\n")
    add("blank.jsonl", -1, "quarantined", "only whitespace")
    _write(corpus, "notes.docx", "hello")
    add("notes.docx", -1, "quarantined", "unsupported file type .docx")
    name = "bad[/bold] \x1b[31mname\n.txt"
    _write(corpus, name, b"")
    add(name, -1, "quarantined", "empty file")

    # --- size: bombs and big multi-record files ---------------------------------------------
    _write(corpus, "zeros.txt.gz", gzip.compress(b"a" * (40 * 2**20), 9))
    add("zeros.txt.gz", -1, "quarantined", "too large")
    long_line = b'{"text": "' + b"a" * (3 * RECORD_LIMIT) + b'"}\n'
    _write(
        corpus,
        "oneline.jsonl.gz",
        gzip.compress(long_line + _jsonl([{"text": _article(next(n))}]).encode()),
    )
    add("oneline.jsonl.gz", 0, "quarantined", "line 1: record over")
    add("oneline.jsonl.gz", 1, "kept")
    _write(corpus, "lines.jsonl.gz", gzip.compress(b"a" * (40 * 2**20), 9))
    add("lines.jsonl.gz", -1, "quarantined", "decompressed size over")
    many = _jsonl([{"text": _article(i, " " + "padding " * 120)} for i in range(9000, 13_000)])
    assert len(many) > INPUT_LIMIT
    _write(corpus, "past-limit.jsonl.gz", gzip.compress(many.encode()))
    # records before the limit are kept (how many depends on read-ahead), then one line
    add("past-limit.jsonl.gz", -2, "kept until", "decompressed size over")
    big_array = [
        {"text": _article(i, " " + "filler " * 100), "id": f"a{i}"} for i in range(2000, 3500)
    ]
    big_array[7] = "not an object"  # type: ignore[call-overload]
    text = json.dumps(big_array)
    assert RECORD_LIMIT < len(text) < INPUT_LIMIT
    _write(corpus, "big-array.json", text)
    for index in range(len(big_array)):
        if index == 7:
            add("big-array.json", index, "quarantined", "element 7: record is not an object")
        else:
            add("big-array.json", index, "kept")
    _write(corpus, "big.html", "<html><body>" + "<p>x</p>" * (RECORD_LIMIT // 8) + "</body></html>")
    add("big.html", -1, "quarantined", "too large")

    # --- WARC -------------------------------------------------------------------------------
    pages = [("response", f"https://w.example/{i}", "text/html; charset=utf-8",
              _html(next(n)).encode(), "200 OK") for i in range(3)]  # fmt: skip
    mixed = [
        ("warcinfo", "", "", b"", ""),
        ("request", "https://w.example/0", "", b"", ""),
        pages[0],
        ("response", "https://w.example/plain", "text/plain", b"plain text", "200 OK"),
        ("response", "https://w.example/json", "application/json", b"{}", "200 OK"),
        ("response", "https://w.example/gone", "text/html", b"<html>gone</html>", "404 Not Found"),
        pages[1],
    ]
    _write(corpus, "crawl.warc.gz", _warc(mixed, gzip_records=True))
    add("crawl.warc.gz", -1, "skipped", "WARC request record", 1)
    add("crawl.warc.gz", -1, "skipped", "WARC warcinfo record", 1)
    add("crawl.warc.gz", 2, "kept")
    add("crawl.warc.gz", 3, "skipped", "text/plain, not HTML")
    add("crawl.warc.gz", 4, "skipped", "application/json, not HTML")
    add("crawl.warc.gz", 5, "skipped", "HTTP status 404")
    add("crawl.warc.gz", 6, "kept")
    plain = [("response", f"https://p.example/{i}", "text/html", _html(next(n)).encode(), "200 OK")
             for i in range(2)]  # fmt: skip
    _write(corpus, "whole-gzip.warc.gz", gzip.compress(_warc(plain, gzip_records=False)))
    add("whole-gzip.warc.gz", 0, "kept")
    add("whole-gzip.warc.gz", 1, "kept")
    truncated = [("response", f"https://t.example/{i}", "text/html",
                  (_html(next(n)) + " " * 3000).encode(), "200 OK") for i in range(3)]  # fmt: skip
    whole = _warc(truncated, gzip_records=True)
    _write(corpus, "truncated.warc.gz", whole[: len(whole) - 200])
    add("truncated.warc.gz", 0, "kept")
    add("truncated.warc.gz", 1, "kept")
    add("truncated.warc.gz", 2, "quarantined", "truncated")
    _write(corpus, "garbage.warc", b"this is not a WARC file at all\n" * 10)
    add("garbage.warc", -1, "quarantined", "not a WARC file")

    # --- archives ---------------------------------------------------------------------------
    tar_path = corpus / "batch.tar.gz"
    with tarfile.open(tar_path, "w:gz") as archive:

        def member(
            name: str, data: bytes = b"", kind: bytes = tarfile.REGTYPE, link: str = ""
        ) -> None:
            info = tarfile.TarInfo(name)
            info.type, info.linkname, info.size = kind, link, len(data)
            archive.addfile(info, io.BytesIO(data) if data else None)

        member("./docs", kind=tarfile.DIRTYPE)
        member("./docs/a.html", _html(next(n)).encode())
        member("./docs/link.html", kind=tarfile.SYMTYPE, link="/etc/passwd")
        member("./docs/hard.html", kind=tarfile.LNKTYPE, link="./docs/a.html")
        member("./docs/pipe", kind=tarfile.FIFOTYPE)
        member("./docs/tty", kind=tarfile.CHRTYPE)
        member("./.hidden.txt", _article(next(n)).encode())
        member("./inner.zip", b"PK\x05\x06" + b"\x00" * 18)
        member("./feed.jsonl.gz", gzip.compress(_jsonl([{"text": _article(next(n))}]).encode()))
    for name, outcome, reason in [
        ("./docs/a.html", "kept", ""),
        ("./docs/link.html", "skipped", "symlink inside the archive"),
        ("./docs/hard.html", "skipped", "hard link to ./docs/a.html"),
        ("./docs/pipe", "skipped", "special file"),
        ("./docs/tty", "skipped", "special file"),
        ("./.hidden.txt", "skipped", "hidden file"),
        ("./inner.zip", "quarantined", "unsupported file type .zip"),
        ("./feed.jsonl.gz", "kept", ""),
    ]:
        add(f"batch.tar.gz!{name}", 0 if outcome == "kept" else -1, outcome, reason)
    data = tar_path.read_bytes()
    _write(corpus, "cut.tar.gz", data[: len(data) // 2])
    add("cut.tar.gz", -2, "read until", "truncated")
    zip_path = corpus / "batch.zip"
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("b.txt", _article(next(n)))
        archive.writestr("bomb.txt", b"a" * (3 * RECORD_LIMIT))
        archive.writestr("__MACOSX/._b.txt", b"resource fork")
        archive.writestr(".DS_Store", b"\x00\x00")
        link = zipfile.ZipInfo("link.txt")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
        for i in range(5):
            archive.writestr(f"many/{i}.txt", _article(next(n), " " + "big " * 20_000))
    add("batch.zip!b.txt", 0, "kept")
    add("batch.zip!bomb.txt", -1, "quarantined", "too large")
    add("batch.zip!__MACOSX/._b.txt", -1, "skipped", "hidden file")
    add("batch.zip!.DS_Store", -1, "skipped", "hidden file")
    add("batch.zip!link.txt", -1, "skipped", "symlink inside the archive")
    for i in range(5):
        add(f"batch.zip!many/{i}.txt", 0, "kept")
    data = zip_path.read_bytes()
    _write(corpus, "cut.zip", data[: len(data) // 2])
    add("cut.zip", -1, "quarantined", "not a readable zip")

    # --- files in the folder that are not articles ------------------------------------------
    dup = _article(next(n))
    _write(corpus, "dup-a.txt", dup)
    add("dup-a.txt", 0, "kept")
    _write(corpus, "sub/dup-b.txt", dup.replace("\n", "\r\n"))
    add("sub/dup-b.txt", 0, "duplicate")
    _write(corpus, ".hidden.txt", _article(next(n)))
    add(".hidden.txt", -1, "skipped", "hidden file")
    _write(corpus, ".git/config.txt", _article(next(n)))
    add(".git", -1, "skipped", "hidden folder")
    outside = _write(root, "outside/secret.txt", _article(next(n)))
    (corpus / "escape.txt").symlink_to(outside)
    add("escape.txt", -1, "skipped", "outside the input folder")
    (corpus / "dangling.txt").symlink_to(corpus / "missing.txt")
    add("dangling.txt", -1, "skipped", "dangling symlink")
    (corpus / "inside.txt").symlink_to(corpus / "dup-a.txt")
    add("inside.txt", 0, "duplicate")
    (corpus / "folder-link").symlink_to(corpus / "sub", target_is_directory=True)
    add("folder-link", -1, "skipped", "symlink to a folder")
    os.mkfifo(corpus / "pipe.jsonl")
    add("pipe.jsonl", -1, "skipped", "FIFO")
    return expect
