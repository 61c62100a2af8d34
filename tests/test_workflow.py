"""The shipped GitHub workflow parses and runs the gates it promises."""

from pathlib import Path

import yaml

WORKFLOW = Path(__file__).resolve().parent.parent / ".github" / "workflows" / "contracts.yml"


def test_workflow_has_the_gates() -> None:
    flow = yaml.safe_load(WORKFLOW.read_text())
    pr = " ".join(step.get("run", "") for step in flow["jobs"]["pull-request"]["steps"])
    for gate in ("contracts lint", "make check-generated", "contracts diff", "make test"):
        assert gate in pr
    nightly = flow["jobs"]["nightly-staging"]
    assert "secrets.CONTRACTS_BASIC_PASSWORD" in nightly["env"]["CONTRACTS_BASIC_PASSWORD"]
    assert any("make contract BASE_URL" in step.get("run", "") for step in nightly["steps"])
    assert "ALLOW_WRITES" not in WORKFLOW.read_text()
