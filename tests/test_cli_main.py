"""The CLI boundary: help and version exit 0, bad flags exit 2 with one line, never a traceback."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest

from contracts.cli import main

ROOT = Path(__file__).resolve().parent.parent


def test_help_and_version_exit_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    assert "validate" in capsys.readouterr().out
    assert main(["--version"]) == 0
    assert "0.1.0" in capsys.readouterr().out


def test_unknown_flag_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--frobnicate"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: No such option '--frobnicate'")
    assert "Traceback" not in err


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["valdate"]) == 2
    err = capsys.readouterr().err
    assert "Did you mean 'validate'?" in err
    assert "Traceback" not in err


def _run_in_child(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT, check=False
    )


def test_run_exits_with_mains_code_collector_on_after_freezing_what_it_built() -> None:
    code = (
        "import gc, sys; sys.argv = ['contracts', '--frobnicate']; from contracts.__main__ import run\n"
        "try:\n    run()\nexcept SystemExit as exc:\n    print(exc.code, gc.get_freeze_count() > 0, gc.isenabled())"
    )
    assert _run_in_child(code).stdout.split() == ["2", "True", "True"]


def test_python_m_contracts_carries_the_exit_code() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "contracts", "lint", "no-such-spec.json"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("error: no-such-spec.json: no such spec file")


def test_lint_leaves_logging_alone_unless_asked() -> None:
    probe = "import sys; from contracts.cli import main; main({args}); print('logging' in sys.modules)"
    quiet = _run_in_child(probe.format(args="['lint', 'spec/v3.json']"))
    verbose = _run_in_child(probe.format(args="['-vv', 'lint', 'spec/v3.json']"))
    assert quiet.stdout.splitlines()[-1] == "False"
    assert verbose.stdout.splitlines()[-1] == "True"
    assert "Traceback" not in verbose.stderr


def test_a_clean_lint_builds_no_line_index_and_compiles_no_masking_pattern() -> None:
    probe = (
        "import sys; from contracts.cli import main; main(['lint', 'spec/v3.json']); "
        "from contracts.report import redact; "
        "print('contracts.lint.locate' in sys.modules, redact._pattern.cache_info().currsize)"
    )
    assert _run_in_child(probe).stdout.splitlines()[-1] == "False 0"


def test_log_handlers_of_an_invocation_go_with_it() -> None:
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    assert main(["-v", "lint", "--format", "json", str(ROOT / "spec" / "v3.json")]) in (0, 1)
    assert root.handlers == before and root.level == level
