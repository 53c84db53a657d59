"""One catalogue, three places: app.yaml's alerts, the Prometheus rules, and the metrics those rules read.

`promtool` (Debian's `prometheus` package, installed by `scripts/setup --test`) checks the rules and runs
their unit tests in packaging/backend/alerts.test.yml.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from backend.alerts.policies import POLICIES, WINDOW_DURATIONS, app_platform_policies
from backend.metrics import Metrics, memory_limit_bytes
from tests.backend.alerts.conftest import REPO, app_yaml
from tests.backend.alerts.fake_do import validate

RULES = REPO / "packaging" / "backend" / "alerts.yml"
RULE_TESTS = REPO / "packaging" / "backend" / "alerts.test.yml"
EXAMPLE_CONFIG = REPO / "packaging" / "backend" / "prometheus.example.yml"
PROMQL_FUNCTIONS = {"rate", "avg_over_time", "changes", "sum", "by", "on", "histogram_quantile", "job", "le"}


def _rules() -> dict[str, dict[str, Any]]:
    groups = yaml.safe_load(RULES.read_text(encoding="utf-8"))["groups"]
    return {rule["alert"]: rule for group in groups for rule in group["rules"]}


def _promtool() -> str:
    found = shutil.which("promtool")
    if found is None:
        pytest.fail("promtool is not installed: run scripts/setup --test (Debian package `prometheus`)")
    return found


def test_app_yaml_carries_exactly_the_catalogues_app_platform_alerts() -> None:
    spec = app_yaml()
    api = next(s for s in spec["services"] if s["name"] == "api")
    wanted = [p.app_alert_spec() for p in app_platform_policies()]
    # app.yaml leaves `disabled` out (false by default), as App Platform itself answers.
    assert [{"disabled": False, **a} for a in api["alerts"]] == wanted
    assert validate("app_spec", spec) == []
    for alert in api["alerts"]:
        assert validate("app_alert_spec", alert) == []


def test_every_policy_is_a_prometheus_rule_with_the_same_threshold_and_window() -> None:
    rules = _rules()
    assert set(rules) == {p.prometheus_alert for p in POLICIES}
    for policy in POLICIES:
        rule = rules[policy.prometheus_alert]
        expr = " ".join(rule["expr"].split())
        assert rule["labels"]["policy"] == policy.key
        assert expr.endswith(f"> {policy.value:g}"), (policy.key, expr)
        assert f"[{WINDOW_DURATIONS[policy.window]}]" in expr, (policy.key, expr)
        assert 'job="themesystem-api"' in expr


def test_the_metrics_the_rules_read_are_exposed_by_the_api() -> None:
    metrics = Metrics()
    metrics.requests.labels("GET", "/v1/themes", "500").inc()
    metrics.latency.labels("GET", "/v1/themes").observe(0.2)
    exposed = {
        sample.name
        for family in text_string_to_metric_families(metrics.render().decode())
        for sample in family.samples
    }
    used = set()
    for rule in _rules().values():
        used |= set(re.findall(r"\b([a-z_]+)\{", rule["expr"])) - PROMQL_FUNCTIONS
    assert used == {
        "process_cpu_seconds_total",
        "process_resident_memory_bytes",
        "themesystem_memory_limit_bytes",
        "process_start_time_seconds",
        "themesystem_http_requests_total",
        "themesystem_http_request_duration_seconds_bucket",
    }
    assert used <= exposed, used - exposed
    lint = subprocess.run(
        [_promtool(), "check", "metrics"],
        input=metrics.render(),
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_memory_limit_comes_from_the_cgroup_else_the_machine(tmp_path: Path) -> None:
    limited = tmp_path / "memory.max"
    limited.write_text("536870912\n", encoding="ascii")
    unlimited = tmp_path / "memory.max.none"
    unlimited.write_text("max\n", encoding="ascii")
    assert memory_limit_bytes((limited,)) == 536870912
    machine = memory_limit_bytes((unlimited, tmp_path / "absent"))
    assert machine > 256 * 1024 * 1024
    assert memory_limit_bytes((unlimited, limited)) == 536870912


def test_promtool_checks_the_rules_and_runs_their_unit_tests() -> None:
    promtool = _promtool()
    check = subprocess.run(
        [promtool, "check", "rules", str(RULES)], capture_output=True, text=True, timeout=60, check=False
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "SUCCESS: 5 rules found" in check.stdout
    tested = subprocess.run(
        [promtool, "test", "rules", RULE_TESTS.name],
        cwd=RULE_TESTS.parent,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "SUCCESS" in tested.stdout


def test_the_example_prometheus_configuration_loads_the_rules() -> None:
    checked = subprocess.run(
        [_promtool(), "check", "config", EXAMPLE_CONFIG.name],
        cwd=EXAMPLE_CONFIG.parent,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS: 5 rules found" in checked.stdout
    config = yaml.safe_load(EXAMPLE_CONFIG.read_text(encoding="utf-8"))
    assert [job["job_name"] for job in config["scrape_configs"]] == ["themesystem-api"]
