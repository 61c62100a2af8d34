"""``python -m contracts`` and the ``contracts`` console script (``contracts.__main__:run``)."""

from __future__ import annotations

import gc
import sys
from typing import NoReturn


def run() -> NoReturn:
    """Run the CLI as a process: :func:`contracts.cli.main`, then exit with its code.

    Start-up (importing the CLI) runs with the cyclic collector off, and what it built is then
    frozen (:func:`gc.freeze`): modules, classes and functions are never garbage, yet every later
    collection would scan them again. What the run built is frozen before exiting too, so the
    interpreter's last collection does not scan it only for the process to end. Together ~7% of a
    lint's instructions. In-process callers use :func:`contracts.cli.main`, which leaves the
    collector alone.
    """
    gc.disable()
    try:
        from contracts.cli import main
    finally:
        gc.freeze()
        gc.enable()
    code = main()
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    run()
