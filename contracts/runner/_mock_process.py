"""The embedded mock in a process of its own, so it and the run each have a core (no shared GIL).

``python -m contracts.runner._mock_process SPEC PORT`` serves ``create_app(spec)`` on
``127.0.0.1:PORT`` with the Basic pair read from ``CONTRACTS_RUN_MOCK_PAIR`` (``user:password``,
never an argument: arguments are visible to every user of the machine). The runner starts it,
waits for the port and stops it by its pid when the run ends.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str]) -> int:
    import uvicorn

    from contracts.mock import create_app
    from contracts.spec import load_spec

    spec_path, port = argv[0], int(argv[1])
    user, _, password = os.environ.pop("CONTRACTS_RUN_MOCK_PAIR", "").partition(":")
    app = create_app(load_spec(spec_path), credentials=(user, password) if user and password else None)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="error", lifespan="off", access_log=False)
    return 0


if __name__ == "__main__":  # pragma: no cover - run as a process by contracts.runner.target
    sys.exit(main(sys.argv[1:]))
