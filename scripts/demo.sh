#!/usr/bin/env bash
# One command: environment, local Label Studio and Prefect servers, the pipeline on the bundled
# samples, a first published dataset version. Safe to run again: nothing is done twice.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
newsdesk=.venv/bin/newsdesk
$newsdesk labelstudio start
$newsdesk prefect start
$newsdesk run samples
$newsdesk publish
echo
$newsdesk status
