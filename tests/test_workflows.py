"""The GitHub workflows validate against GitHub's workflow schema, and the deploy waits for the tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))


def test_workflows_match_githubs_schema() -> None:
    assert WORKFLOWS
    checker = Path(sys.executable).with_name("check-jsonschema")
    result = subprocess.run(
        [str(checker), "--builtin-schema", "vendor.github-workflows", *map(str, WORKFLOWS)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ci_runs_the_readme_test_command_and_deploy_needs_it() -> None:
    ci = yaml.safe_load((REPO / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8"))
    triggers = ci[True]  # YAML 1.1 reads the bare key `on` as a boolean
    assert {"push", "pull_request"} <= set(triggers)
    assert any(step.get("run") == ".ci/run" for step in ci["jobs"]["test"]["steps"])
    assert ci["jobs"]["deploy"]["needs"] == "test"
