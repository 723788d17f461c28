"""`newsdesk strip` and `newsdesk split`: one file or a stream of JSONL records, fast.

These run in pipelines (`cat dump.jsonl | newsdesk split --jsonl`), so they start without the
rest of the application: no Typer, Rich, pydantic, Arrow or Prefect, only the engine they use.
`entry.main` sends them here before anything else is imported; the Typer commands of the same
names call the same functions, so there is one implementation of each.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from newsdesk.foundations.errors import UserError

FAST_COMMANDS = ("strip", "split")


class ToolError(UserError):
    """A one-line reason a tool cannot do its work (a missing or unreadable file)."""


def _error(message: str) -> None:
    from newsdesk.foundations.terminal import printable

    sys.stderr.write(f"error: {printable(message)}\n")


def one_file(file: Path | None) -> str:
    """The decoded text of the one file a tool was given."""
    from newsdesk.foundations.decoding import BadInput, decode

    if file is None:
        raise ToolError("give a FILE, or --jsonl with records on stdin")
    try:
        return decode(file.read_bytes())[0]
    except (OSError, BadInput) as error:
        raise ToolError(f"{file}: {error}") from None


def stdin_records(fields: tuple[str, ...], bad: list[int]) -> Iterator[dict[str, Any]]:
    """JSON objects from stdin, one a line; a line that is not one, or has none of `fields`
    as a string, is reported on stderr with its number and skipped (counted in `bad`)."""
    for number, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except (ValueError, RecursionError) as error:
            problem = f"malformed JSON: {str(error)[:120]}"
        else:
            present = [f for f in fields if isinstance(record, dict) and f in record]
            if present and all(isinstance(record[f], str) for f in present):
                record.setdefault("id", None)
                yield record
                continue
            problem = f"needs a {' or '.join(repr(f) for f in fields)} field holding a string"
        bad[0] += 1
        _error(f"line {number}: {problem}")


def strip(file: Path | None, explain: bool = False, jsonl: bool = False) -> int:
    """The cleaned body of one file, every line with its rule (`explain`), or per record of
    stdin `{"id","title","text"}`; returns the exit code."""
    from newsdesk import boilerplate
    from newsdesk.foundations.decoding import looks_like_html

    if jsonl:
        bad = [0]
        for stripped in boilerplate.strip_records(stdin_records(("html", "text"), bad)):
            sys.stdout.write(json.dumps(stripped, ensure_ascii=False) + "\n")
        return 1 if bad[0] else 0
    text = one_file(file)
    is_html = str(file).lower().endswith((".html", ".htm")) or looks_like_html(text)
    result = boilerplate.extract_html(text) if is_html else boilerplate.extract_text(text)
    if explain:
        sys.stdout.write(boilerplate.explain(result) + "\n")
    elif result.error:
        raise ToolError(f"{file}: {result.error}")
    else:
        sys.stdout.write(result.body + "\n")
    return 0


def split(file: Path | None, jsonl: bool = False, language: str = "en") -> int:
    """One sentence per line of one file, or per record of stdin `{"id","sentences"}` with
    Python string offsets; returns the exit code."""
    from newsdesk.sentences.splitter import split_sentences

    if jsonl:
        bad = [0]
        for record in stdin_records(("text",), bad):
            spans = split_sentences(record["text"], str(record.get("language") or language))
            result = {"id": record.get("id"), "sentences": [[s.start, s.end] for s in spans]}
            sys.stdout.write(json.dumps(result) + "\n")
        return 1 if bad[0] else 0
    text = one_file(file)
    for span in split_sentences(text, language):
        sys.stdout.write(text[span.start : span.end].replace("\n", " ") + "\n")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsdesk", add_help=False)
    commands = parser.add_subparsers(dest="command", required=True)
    for name in FAST_COMMANDS:
        command = commands.add_parser(name, add_help=False)
        command.add_argument("file", nargs="?", type=Path)
        command.add_argument("--jsonl", action="store_true")
        if name == "strip":
            command.add_argument("--explain", action="store_true")
        else:
            command.add_argument("--language", default="en")
    return parser


def fast_run(argv: list[str]) -> int | None:
    """The exit code of a strip or split command line; None for anything else (help, other
    commands, options this parser does not know), which the full CLI then handles."""
    if not argv or argv[0] not in FAST_COMMANDS or {"-h", "--help"} & set(argv):
        return None
    try:
        options, unknown = _parser().parse_known_args(argv)
    except SystemExit:
        return None
    if unknown:
        return None
    arguments = vars(options)
    command = arguments.pop("command")
    try:
        return (strip if command == "strip" else split)(**arguments)
    except ToolError as error:
        _error(str(error))
        return 1
