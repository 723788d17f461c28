#!/usr/bin/env bash
# Every test: lint, unit tests, and the round trip against a real Label Studio and Prefect
# (the tests start both themselves, on free ports, with throwaway data).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
.venv/bin/newsdesk labelstudio install
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/pytest "$@"
