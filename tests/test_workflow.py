"""The shipped GitHub workflow parses and runs the gates it promises."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

WORKFLOW = Path(__file__).resolve().parent.parent / ".github" / "workflows" / "contracts.yml"
MAKEFILE = WORKFLOW.parent.parent.parent / "Makefile"


def flow() -> dict[Any, Any]:
    data: dict[Any, Any] = yaml.safe_load(WORKFLOW.read_text())
    return data


def runs(job: dict[str, Any]) -> str:
    return "\n".join(step.get("run", "") for step in job["steps"])


def test_triggers_are_pull_requests_and_a_nightly_schedule() -> None:
    on = flow()[True]  # YAML 1.1 reads the key `on` as a boolean
    assert "pull_request" in on
    assert on["schedule"][0]["cron"]


def test_pull_request_job_has_every_gate() -> None:
    job = flow()["jobs"]["pull-request"]
    script = runs(job)
    for gate in ("make lint-spec", "make check-generated", "contracts diff", "make test"):
        assert gate in script
    lint = next(s for s in job["steps"] if s.get("run") == "make lint-spec")
    assert lint["env"] == {"CONTRACTS_LINT_FORMAT": "github", "CONTRACTS_LINT_SARIF": "lint.sarif"}
    upload = next(
        s for s in job["steps"] if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif")
    )
    assert upload["with"]["sarif_file"] == "lint.sarif"
    assert job["permissions"]["security-events"] == "write"
    diff = next(s for s in job["steps"] if "contracts diff" in s.get("run", ""))
    assert diff["env"]["BASE"] == "origin/${{ github.base_ref }}"
    checkout = job["steps"][0]
    assert checkout["uses"].startswith("actions/checkout@") and checkout["with"]["fetch-depth"] == 0


def test_nightly_runs_against_staging_with_secrets_and_keeps_the_report() -> None:
    job = flow()["jobs"]["nightly-staging"]
    assert job["env"]["CONTRACTS_BASIC_USER"] == "${{ secrets.CONTRACTS_BASIC_USER }}"
    assert job["env"]["CONTRACTS_BASIC_PASSWORD"] == "${{ secrets.CONTRACTS_BASIC_PASSWORD }}"
    assert job["env"]["STAGING_URL"] == "${{ vars.STAGING_URL }}"
    assert 'make contract BASE_URL="$STAGING_URL"' in runs(job)
    upload = next(s for s in job["steps"] if str(s.get("uses", "")).startswith("actions/upload-artifact"))
    assert upload["if"] == "always()" and upload["with"]["path"] == "reports/"


def test_never_writes_to_staging_and_never_inlines_a_secret() -> None:
    text = WORKFLOW.read_text()
    assert "ALLOW_WRITES" not in text and "allow-writes" not in text
    assert all(
        line.strip().startswith(("CONTRACTS_BASIC", "#")) for line in text.splitlines() if "secrets." in line
    )


def test_make_targets_it_calls_exist() -> None:
    targets = set(re.findall(r"^([a-z-]+):", MAKEFILE.read_text(), re.MULTILINE))
    called = set(
        re.findall(
            r"make ([a-z-]+)", runs(flow()["jobs"]["pull-request"]) + runs(flow()["jobs"]["nightly-staging"])
        )
    )
    assert called <= targets


REPO = MAKEFILE.parent


def _staging_step() -> str:
    job = flow()["jobs"]["nightly-staging"]
    return str(next(s["run"] for s in job["steps"] if "make contract" in s.get("run", "")))


@pytest.mark.parametrize("value", ["", "   "])
def test_nightly_fails_loudly_when_staging_url_is_empty(value: str) -> None:
    """The step's own script, run by bash with STAGING_URL empty: an error annotation and exit 2,
    before anything could fall back to the embedded mock."""
    env = {**os.environ, "STAGING_URL": value, "PATH": os.environ.get("PATH", "")}
    done = subprocess.run(
        ["bash", "-e", "-c", _staging_step()], cwd=REPO, env=env, capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 2
    assert "::error::" in done.stdout and "STAGING_URL" in done.stdout


def test_make_contract_distinguishes_unset_from_empty_base_url() -> None:
    unset = subprocess.run(
        ["make", "-n", "contract"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=30,
        env=_without_base_url(),
    )
    assert "--allow-writes" in unset.stdout and "--base-url" not in unset.stdout
    empty = subprocess.run(
        ["make", "-n", "contract", "BASE_URL="], cwd=REPO, capture_output=True, text=True, timeout=30
    )
    assert '--base-url ""' in empty.stdout and "--allow-writes" not in empty.stdout


@pytest.mark.slow
def test_make_contract_with_an_empty_base_url_is_exit_two(tmp_path: Path) -> None:
    done = subprocess.run(
        ["make", "--no-print-directory", "contract", "BASE_URL=", f"REPORT={tmp_path / 'reports'}"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "--base-url '': must not be empty" in done.stderr
    assert "Error 2" in done.stderr
    assert not (tmp_path / "reports").exists(), "refused before anything was created"


def _without_base_url() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "BASE_URL"}
