"""The package's layers: every import, lazy ones included, points down or sideways, never up.

From the bottom: foundations (and the `schemas` data), the engines (each independent of the
others), the stages, Label Studio (`annotation`), publishing, and the application with its
Prefect flows on top. The check reads the source, so an import inside a function counts too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ENGINES = ("newsdesk.readers", "newsdesk.boilerplate", "newsdesk.sentences", "newsdesk.dedup")
LAYERS: list[tuple[str, ...]] = [
    ("newsdesk.foundations", "schemas"),
    ENGINES,
    ("newsdesk.stages",),
    ("newsdesk.annotation",),
    ("newsdesk.publishing",),
    ("newsdesk.app", "flows"),
]


def layer_of(module: str) -> tuple[int, str] | None:
    """(rank, the package it belongs to) of one of ours; None for outside code."""
    for rank, packages in enumerate(LAYERS):
        for package in packages:
            if module == package or module.startswith(package + "."):
                return rank, package
    return None


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import in a file, absolute or relative, at any depth."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package.pop()
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
            # `from newsdesk import stages` imports the package newsdesk.stages
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def sources() -> list[Path]:
    return sorted(
        path
        for top in ("newsdesk", "flows", "schemas")
        for path in (ROOT / top).rglob("*.py")
        if "__pycache__" not in path.parts and path != ROOT / "newsdesk" / "__init__.py"
    )


def violations() -> list[str]:
    found = []
    for path in sources():
        own = layer_of(module_name(path))
        assert own is not None, f"{path.relative_to(ROOT)} is in no layer: add it to LAYERS"
        for line, target in imported(path):
            other = layer_of(target)
            if other is None or other[1] == own[1]:
                continue
            upward = other[0] > own[0]
            across_engines = other[0] == own[0] == 1
            if upward or across_engines:
                found.append(f"{path.relative_to(ROOT)}:{line} imports {target}")
    return found


def test_every_import_points_down_the_layers() -> None:
    assert violations() == []


def test_flows_use_the_application_only_through_jobs() -> None:
    """The CLI starts flows by name; flows call the stage jobs and nothing else of the app."""
    for path in (ROOT / "flows").rglob("*.py"):
        for line, target in imported(path):
            if target.startswith("newsdesk.app"):
                assert target.startswith("newsdesk.app.jobs"), (
                    f"{path.name}:{line} imports {target}"
                )


@pytest.mark.parametrize(
    ("module", "target", "why"),
    [
        ("newsdesk/foundations/config.py", "newsdesk.publishing.build", "upward"),
        ("newsdesk/sentences/splitter.py", "newsdesk.boilerplate", "across engines"),
        ("newsdesk/stages/clean.py", "newsdesk.annotation.push", "upward"),
    ],
)
def test_the_check_sees_a_wrong_import(
    module: str, target: str, why: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check is not vacuous: one bad import, even inside a function, is reported."""
    path = ROOT / module
    original = imported

    def with_one_more(candidate: Path) -> list[tuple[int, str]]:
        extra = [(1, target)] if candidate == path else []
        return original(candidate) + extra

    monkeypatch.setattr(f"{__name__}.imported", with_one_more)
    assert violations() == [f"{module}:1 imports {target}"], why


def test_an_import_inside_a_function_counts() -> None:
    """jobs.py imports each stage inside the function that runs it."""
    targets = [target for _, target in imported(ROOT / "newsdesk" / "app" / "jobs.py")]
    assert "newsdesk.stages.ingest.ingest" in targets


# Raised and caught inside newsdesk, never shown to a user as a failure of the command.
INTERNAL_ERRORS = {
    "newsdesk.foundations.decoding.BadInput",  # becomes a quarantine reason
    "newsdesk.annotation.validate.InvalidAnnotation",  # an invalid_annotations row, or a
    # PublishCheckFailed
}


def test_every_error_a_user_meets_is_a_user_error() -> None:
    """The CLI and the flows catch `UserError` alone, so every other error class is internal."""
    import importlib

    from newsdesk.foundations.errors import UserError

    defined = {}
    for path in sources():
        name = module_name(path)
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ClassDef):
                cls = getattr(importlib.import_module(name), node.name)
                if isinstance(cls, type) and issubclass(cls, BaseException):
                    defined[f"{name}.{node.name}"] = cls
    outside = [n for n, cls in defined.items() if not issubclass(cls, UserError)]
    assert sorted(outside) == sorted(INTERNAL_ERRORS)
