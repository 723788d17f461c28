#!/usr/bin/env bash
# Create the project environment from uv.lock. Needs only python3 (3.11) and the package index.
set -euo pipefail
cd "$(dirname "$0")/.."
tools=.newsdesk/tools
if [ ! -x "$tools/bin/uv" ]; then
  echo "newsdesk: installing uv into $tools"
  python3 -m venv "$tools"
  "$tools/bin/python" -m pip install --quiet --disable-pip-version-check "uv==0.13.8"
fi
# Bytecode is compiled here, once: where PYTHONDONTWRITEBYTECODE is set (containers, CI) every
# process would otherwise compile its imports from source again (about 1.5 s a command, and
# as much for each worker process a stage starts).
"$tools/bin/uv" sync --frozen --quiet --compile-bytecode
.venv/bin/python -m compileall -q newsdesk flows schemas > /dev/null
