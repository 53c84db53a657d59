"""Planning on spec dictionaries: what counts as the same alert, and what is left alone."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from backend.alerts.do_client import DOApiError
from backend.alerts.policies import POLICIES, app_platform_policies
from backend.alerts.reconcile import plan_destinations, plan_spec


def _spec(alerts: list[dict[str, Any]] | None) -> dict[str, Any]:
    api: dict[str, Any] = {"name": "api", "http_port": 8080}
    if alerts is not None:
        api["alerts"] = alerts
    return {
        "name": "themesystem-api",
        "services": [{"name": "web"}, api],
        "alerts": [{"rule": "DEPLOYMENT_FAILED"}],
    }


def _wanted() -> list[dict[str, Any]]:
    return [p.app_alert_spec() for p in app_platform_policies()]


def test_as_answered_by_app_platform_is_unchanged() -> None:
    answered = [{k: v for k, v in a.items() if k != "disabled"} for a in _wanted()]
    answered[0]["value"] = 80  # an integer where we hold a float
    changes, new_spec = plan_spec(_spec(answered), "api")
    assert new_spec is None
    assert [c.action for c in changes] == ["unchanged", "unchanged", "unchanged", "unsupported", "unchanged"]


def test_a_disabled_policy_is_enabled_again_and_nothing_else_moves() -> None:
    current = _wanted()
    current[2] = {**current[2], "disabled": True}
    spec = _spec(current)
    before = copy.deepcopy(spec)
    changes, new_spec = plan_spec(spec, "api")
    assert spec == before  # the input is not modified
    assert [c.policy.key for c in changes if c.action == "update"] == ["restarts"]
    assert new_spec is not None
    assert new_spec["services"][1]["alerts"] == _wanted()
    assert new_spec["services"][0] == {"name": "web"}
    assert new_spec["alerts"] == [{"rule": "DEPLOYMENT_FAILED"}]


def test_a_service_without_alerts_gets_all_four() -> None:
    changes, new_spec = plan_spec(_spec(None), "api")
    assert [c.action for c in changes].count("create") == 4
    assert new_spec is not None
    assert new_spec["services"][1]["alerts"] == _wanted()


def test_an_unknown_service_names_the_ones_there() -> None:
    with pytest.raises(DOApiError, match=r"no service named 'worker' \(its services: web, api\)"):
        plan_spec(_spec(None), "worker")


def test_destinations_compare_as_sets_and_only_the_components_alerts() -> None:
    listed = [
        {
            "id": f"id-{p.key}",
            "component_name": "api",
            "spec": {"rule": p.rule},
            "emails": ["b@x.test", "a@x.test"],
        }
        for p in app_platform_policies()
    ]
    listed.append({"id": "other", "component_name": "web", "spec": {"rule": "CPU_UTILIZATION"}, "emails": []})
    assert plan_destinations(listed, "api", ["a@x.test", "b@x.test", "a@x.test"]) == []
    changed = plan_destinations(listed, "api", ["a@x.test"])
    assert [c.alert_id for c in changed] == [f"id-{p.key}" for p in POLICIES if p.rule is not None]
    assert all(c.wanted == ("a@x.test",) and c.current == ("a@x.test", "b@x.test") for c in changed)
