#!/usr/bin/env bash
# Every test: lint, unit tests, and the round trip against a real Label Studio and Prefect
# (the tests start both themselves, on free ports, with throwaway data), and Label Studio's
# front end in a real headless Chromium (Debian's package; Playwright's download is not used).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
.venv/bin/newsdesk labelstudio install
if [ ! -x /usr/bin/chromium ]; then
  if command -v apt-get > /dev/null && [ "$(id -u)" = 0 ]; then
    echo "newsdesk: installing chromium and emoji and CJK fonts from Debian for the browser tests"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      chromium fonts-noto-color-emoji fonts-wqy-zenhei > /dev/null
  else
    echo "newsdesk: no /usr/bin/chromium (apt-get install chromium as root): browser tests skip"
  fi
fi
.venv/bin/ruff check .
.venv/bin/ruff format --check .
# the 1 GB JSONL ingest runs too (about 1.5 min); NEWSDESK_SLOW_TESTS= skips it
export NEWSDESK_SLOW_TESTS="${NEWSDESK_SLOW_TESTS-1}"
.venv/bin/pytest "$@"
