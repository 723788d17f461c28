"""The ingest-facing commands: names with markup or control characters print as they are,
and the `--jsonl` tools report a bad line with its number and go on."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from newsdesk.cli import app

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
