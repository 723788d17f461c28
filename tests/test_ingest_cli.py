"""The ingest-facing commands: names with markup or control characters print as they are,
and the `--jsonl` tools report a bad line with its number and go on."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from newsdesk.app.cli import app

runner = CliRunner()


def test_ingest_prints_file_names_with_markup_and_escapes_verbatim(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "x[").mkdir()  # the path holds "[/bold]", which rich would take for markup
    (folder / "x[" / "bold] \x1b[31m.txt").write_bytes(b"")
    (folder / "ok.txt").write_text("A short article about the harbour talks.", "utf-8")
    result = runner.invoke(
        app, ["ingest", "--no-prefect", "--workspace", str(tmp_path / "ws"), str(folder)]
    )
    assert result.exit_code == 0, result.output
    assert "1 kept" in result.output and "1 quarantined" in result.output
    assert "x[/bold] \\x1b[31m.txt: empty file" in result.output
    assert "\x1b" not in result.output


def test_split_and_strip_jsonl_report_bad_lines_and_go_on() -> None:
    lines = [
        json.dumps({"id": 1, "text": "One sentence. Another one."}),
        "{not json",
        json.dumps({"id": 3}),
        json.dumps({"id": 4, "text": 12345}),
        json.dumps({"id": 5, "text": "Last one here."}),
    ]
    stdin = "\n".join(lines) + "\n"
    split = runner.invoke(app, ["split", "--jsonl"], input=stdin)
    assert split.exit_code == 1
    ids = [json.loads(line)["id"] for line in split.stdout.splitlines() if line.startswith("{")]
    assert ids == [1, 5]
    for number in (2, 3, 4):
        assert f"error: line {number}:" in split.output
    assert "Traceback" not in split.output
    strip = runner.invoke(app, ["strip", "--jsonl"], input=stdin)
    assert strip.exit_code == 1
    ids = [json.loads(line)["id"] for line in strip.stdout.splitlines() if line.startswith("{")]
    assert ids == [1, 5]


def test_printable_shows_control_characters_as_escapes() -> None:
    from newsdesk.foundations.terminal import printable

    assert printable("plain [/bold] :thumbs_up: name.txt") == "plain [/bold] :thumbs_up: name.txt"
    assert printable("a\nb\x1b[31mc\td\x7f") == "a\\nb\\x1b[31mc\\td\\x7f"
    assert printable("rtl\u202eoverride\u2028line\udc80") == "rtl\\u202eoverride\\u2028line\\udc80"


def test_ingest_then_status_show_hostile_names_escaped(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    (folder / "x[").mkdir(parents=True)
    (folder / "x[" / "bold] \x1b[31m\nred.txt").write_bytes(b"")  # markup, ESC, newline
    (folder / ":thumbs_up:.txt").write_bytes(b"")  # an emoji code rich would replace
    (folder / "ok.txt").write_text("A short article about the harbour talks.", "utf-8")
    ws = str(tmp_path / "ws")
    ingested = runner.invoke(app, ["ingest", "--no-prefect", "--workspace", ws, str(folder)])
    status = runner.invoke(app, ["status", "--workspace", ws])
    for result in (ingested, status):
        assert result.exit_code == 0, result.output
        assert "x[/bold] \\x1b[31m\\nred.txt: empty file" in result.output
        assert ":thumbs_up:.txt: empty file" in result.output
        assert "\x1b" not in result.output
    assert "ingest runs: 1, all add up" in status.output
    assert "3 = 1 + 0 + 0 + 2 + 0" in status.output


def test_status_names_an_ingest_run_that_does_not_add_up(tmp_path: Path) -> None:
    import pyarrow as pa

    from newsdesk.foundations.workspace import Workspace
    from schemas import tables

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "ok.txt").write_text("A short article about the harbour talks.", "utf-8")
    ws = str(tmp_path / "ws")
    assert runner.invoke(app, ["ingest", "--no-prefect", "-w", ws, str(folder)]).exit_code == 0
    good = runner.invoke(app, ["status", "-w", ws])
    assert "all add up" in good.output and "does not add up" not in good.output
    row = {
        "run": "20990101T000000Z-feedbeef", "started_at": "2099-01-01T00:00:00Z",
        "finished_at": "2099-01-01T00:00:01Z", "inputs": "lost\x1b[2J.jsonl\nother.txt",
        "records": 10, "kept": 3, "duplicates": 1, "unchanged": 0, "quarantined": 2,
        "skipped": 1,
    }  # fmt: skip
    Workspace(ws).write_shard(
        "ingest_runs", "ingest_runs-broken", pa.Table.from_pylist([row], tables.INGEST_RUNS)
    )
    bad = runner.invoke(app, ["status", "-w", ws])
    assert bad.exit_code == 0, bad.output
    assert "ingest runs: 2, 1 do not add up" in bad.output
    assert (
        "10 ≠ 3 + 1 + 0 + 2 + 1  from lost\\x1b[2J.jsonl (+1 more)  does not add up: "
        "10 read, 7 accounted for"
    ) in bad.output
    assert "the articles table holds 1 rows, the runs kept 4" in bad.output
    assert "\x1b" not in bad.output


def test_an_error_naming_a_hostile_file_is_one_escaped_line(tmp_path: Path) -> None:
    result = runner.invoke(app, ["strip", str(tmp_path / "gone[/bold]\x1b[2J\n.html")])
    assert result.exit_code == 1
    assert "Traceback" not in result.output and "\x1b" not in result.output
    (line,) = result.output.splitlines()
    assert line.startswith("error: ") and "gone[/bold]\\x1b[2J\\n.html" in line
