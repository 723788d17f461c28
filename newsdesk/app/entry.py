"""The `newsdesk` command: strip and split start at once, everything else gets the full CLI."""

from __future__ import annotations

import sys


def main() -> None:
    from newsdesk.app.tools import fast_run

    code = fast_run(sys.argv[1:])
    if code is not None:
        sys.exit(code)
    from newsdesk.app.cli import app

    app()


if __name__ == "__main__":
    main()
