"""The command line as a user meets it: help, one-file tools, and clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from newsdesk.app.cli import app
from newsdesk.foundations.services import free_port
from tests.conftest import SAMPLES

runner = CliRunner()
SEED = SAMPLES / "text" / "000_38fbb254094bdd70.txt"


def test_help_lists_every_command() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    listed = {row.strip("│ ").split()[0] for row in result.output.splitlines() if row.strip("│ ")}
    expected = {"ingest", "clean", "dedup", "segment", "push", "pull", "adjudicate", "agreement",
                "publish", "versions", "diff", "verify", "run", "status", "labelstudio",
                "annotators", "prefect", "strip", "split"}  # fmt: skip
    assert expected <= listed, expected - listed  # each as a command row, not a word in text


def test_every_job_has_its_flow_and_its_command() -> None:
    from flows.stages import FLOWS
    from newsdesk.app.jobs import JOBS, PIPELINE

    assert set(FLOWS) == set(JOBS)
    assert set(PIPELINE) <= {name for name, job in JOBS.items() if job.sharded}
    commands = set(typer.main.get_command(app).commands)  # type: ignore[attr-defined]
    assert set(JOBS) <= commands, set(JOBS) - commands


def test_strip_prints_the_body_and_explains_each_line() -> None:
    body = runner.invoke(app, ["strip", str(SEED)])
    assert body.exit_code == 0
    assert body.output.startswith("Russia Warns U.S. Against North Korea Sanctions")
    assert "newsletter" not in body.output.lower()
    explained = runner.invoke(app, ["strip", "--explain", str(SEED)])
    lines = explained.output.splitlines()
    assert any("Read more" in line and "DROP" in line for line in lines)
    assert any("Punishing North Korea" in line and "KEEP" in line for line in lines)


def test_strip_jsonl_contract() -> None:
    records = [
        {"id": "a", "html": (SAMPLES / "html" / "harbor-talks.html").read_text()},
        {"id": "b", "text": SEED.read_text(), "source": "mt"},
    ]
    stdin = "\n".join(json.dumps(r) for r in records) + "\n"
    result = runner.invoke(app, ["strip", "--jsonl"], input=stdin)
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [r["id"] for r in rows] == ["a", "b"]
    assert "Negotiators from Russia and Norway" in rows[0]["text"]
    assert "cookie" not in rows[0]["text"].lower()


def test_split_prints_sentences_and_jsonl_offsets(tmp_path: Path) -> None:
    text = 'He said "no." Then he left. Mr. Smith stayed in the U.S. for a week.'
    path = tmp_path / "t.txt"
    path.write_text(text, encoding="utf-8")
    plain = runner.invoke(app, ["split", str(path)])
    assert plain.output.splitlines() == [
        'He said "no."',
        "Then he left.",
        "Mr. Smith stayed in the U.S. for a week.",
    ]
    result = runner.invoke(app, ["split", "--jsonl"], input=json.dumps({"id": 7, "text": text}))
    row = json.loads(result.output)
    assert row["id"] == 7
    assert [text[s:e] for s, e in row["sentences"]] == plain.output.splitlines()


def test_missing_file_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    result = runner.invoke(app, ["strip", str(tmp_path / "nope.html")])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)  # not a crash
    (line,) = result.output.strip().splitlines()
    assert line.startswith("error:") and "nope.html" in line


@pytest.mark.parametrize("command", ["push", "pull"])
def test_label_studio_down_gives_one_line_that_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    monkeypatch.setenv("NEWSDESK_LABELSTUDIO_URL", f"http://127.0.0.1:{free_port(18900)}")
    monkeypatch.setenv("NEWSDESK_LABELSTUDIO_TOKEN", "not-a-real-token")
    monkeypatch.setenv("NEWSDESK_LABELSTUDIO_DEADLINE", "2")
    monkeypatch.setenv("NEWSDESK_WORKSPACE", str(tmp_path / "ws"))
    runner.invoke(app, ["ingest", "--no-prefect", str(SEED)])
    result = runner.invoke(app, [command, "--no-prefect"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    message = result.output.strip()
    assert "did not answer" in message and "within 2 s" in message
    assert "newsdesk labelstudio start" in message


def test_run_through_prefect_with_label_studio_down_ends_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, prefect_harness
) -> None:
    monkeypatch.setenv("NEWSDESK_LABELSTUDIO_URL", f"http://127.0.0.1:{free_port(18950)}")
    monkeypatch.setenv("NEWSDESK_LABELSTUDIO_TOKEN", "not-a-real-token")
    monkeypatch.setenv("NEWSDESK_LABELSTUDIO_DEADLINE", "1")
    result = runner.invoke(app, ["run", "-w", str(tmp_path / "ws"), str(SAMPLES)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert (
        lines[-1].startswith("error: Label Studio at") and "newsdesk labelstudio start" in lines[-1]
    )
    assert any(line.startswith("11 records: 8 kept") for line in lines)  # what was done is shown


@pytest.mark.parametrize(
    ("argv", "stdin"),
    [
        (["split", "--jsonl"], '{"id": 1, "text": "One here. Two there."}\n'),
        (["strip", "--jsonl"], '{"id": "t", "text": "A line of an article that is kept."}\n'),
        (["strip", "nope.html"], ""),
    ],
)
def test_strip_and_split_start_without_the_application(argv: list[str], stdin: str) -> None:
    """The fast path gives what the full CLI gives, without importing the application."""
    import subprocess
    import sys

    probe = (
        "import sys, runpy\n"
        f"sys.argv = ['newsdesk', *{argv!r}]\n"
        "try:\n    runpy.run_module('newsdesk.app.entry', run_name='__main__')\n"
        "except SystemExit as end:\n    code = end.code\n"
        "apps = ('typer', 'rich', 'pydantic', 'pyarrow', 'prefect')\n"
        "heavy = [m for m in apps if m in sys.modules]\n"
        "sys.stderr.write(f'heavy={heavy} code={code}\\n')\n"
    )
    fast = subprocess.run(
        [sys.executable, "-c", probe], input=stdin, capture_output=True, text=True, check=False
    )
    assert "heavy=[]" in fast.stderr, fast.stderr
    full = runner.invoke(app, argv, input=stdin)
    code = int(fast.stderr.rsplit("code=", 1)[1])
    assert (fast.stdout, code) == (full.stdout, full.exit_code)
