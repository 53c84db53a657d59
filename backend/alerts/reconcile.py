"""Compare an app's alert policies with the catalogue, and make them equal.

A plan reads the app's spec and its alerts, and says for each policy whether it would be created, updated or
left unchanged. Applying a plan sends one ``PUT /v2/apps/{id}`` with the whole spec and the alerts merged in,
only when something differs, then sets destinations (emails) on alerts whose destinations differ. Alerts with
rules outside the catalogue, and everything else in the spec, are left as they are.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from backend.alerts.do_client import AppPlatformClient, DOApiError
from backend.alerts.policies import POLICIES, Policy

Action = Literal["create", "update", "unchanged", "unsupported"]
COMPARED_FIELDS = ("operator", "value", "window", "disabled")


@dataclass(frozen=True)
class PolicyChange:
    """What a plan does with one policy; ``current`` is the alert spec found (None when absent)."""

    policy: Policy
    action: Action
    current: dict[str, Any] | None = None


@dataclass(frozen=True)
class DestinationChange:
    """An alert whose emails differ from the wanted ones (``alert_id`` None: the alert does not exist yet)."""

    policy: Policy
    alert_id: str | None
    current: tuple[str, ...]
    wanted: tuple[str, ...]


@dataclass
class AlertPlan:
    """The result of :func:`make_plan`: what :func:`apply_plan` would send."""

    app_id: str
    component: str
    changes: list[PolicyChange]
    new_spec: dict[str, Any] | None  # None: the spec already holds every policy as it should
    destinations: list[DestinationChange] = field(default_factory=list)

    def count(self, action: Action) -> int:
        return sum(1 for change in self.changes if change.action == action)

    @property
    def writes_needed(self) -> bool:
        return self.new_spec is not None or bool(self.destinations)


def _same(current: dict[str, Any], wanted: dict[str, Any]) -> bool:
    """Equal in the fields that matter; App Platform omits false and zero defaults when it answers."""
    for name in COMPARED_FIELDS:
        have, want = current.get(name), wanted[name]
        if name == "disabled":
            if bool(have) != bool(want):
                return False
        elif name == "value":
            try:
                if not math.isclose(float(have if have is not None else 0.0), float(want), abs_tol=1e-9):
                    return False
            except (TypeError, ValueError):
                return False
        elif have != want:
            return False
    return True


def _component(spec: dict[str, Any], name: str) -> dict[str, Any]:
    services = spec.get("services") or []
    for service in services:
        if isinstance(service, dict) and service.get("name") == name:
            return service
    names = ", ".join(str(s.get("name")) for s in services if isinstance(s, dict)) or "none"
    raise DOApiError(f"the app has no service named {name!r} (its services: {names}); pass --component")


def plan_spec(
    spec: dict[str, Any], component: str, policies: Sequence[Policy] = POLICIES
) -> tuple[list[PolicyChange], dict[str, Any] | None]:
    """The change for each policy, and the spec to send (None when nothing changes). Pure: no request."""
    new_spec = copy.deepcopy(spec)
    alerts: list[dict[str, Any]] = list(_component(new_spec, component).get("alerts") or [])
    changes: list[PolicyChange] = []
    for policy in policies:
        if policy.rule is None:
            changes.append(PolicyChange(policy, "unsupported"))
            continue
        wanted = policy.app_alert_spec()
        index = next(
            (i for i, a in enumerate(alerts) if isinstance(a, dict) and a.get("rule") == policy.rule), None
        )
        if index is None:
            alerts.append(wanted)
            changes.append(PolicyChange(policy, "create"))
        elif _same(alerts[index], wanted):
            changes.append(PolicyChange(policy, "unchanged", alerts[index]))
        else:
            changes.append(PolicyChange(policy, "update", alerts[index]))
            alerts[index] = {**alerts[index], **wanted}
    if all(change.action in ("unchanged", "unsupported") for change in changes):
        return changes, None
    _component(new_spec, component)["alerts"] = alerts
    return changes, new_spec


def plan_destinations(
    alerts: list[dict[str, Any]], component: str, emails: Sequence[str], policies: Sequence[Policy] = POLICIES
) -> list[DestinationChange]:
    """The alerts of ``component`` whose emails are not ``emails`` (as a set)."""
    wanted = tuple(sorted(set(emails)))
    result: list[DestinationChange] = []
    for policy in policies:
        if policy.rule is None:
            continue
        found = next(
            (
                a
                for a in alerts
                if a.get("component_name") == component and (a.get("spec") or {}).get("rule") == policy.rule
            ),
            None,
        )
        if found is None:
            result.append(DestinationChange(policy, None, (), wanted))
            continue
        current = tuple(sorted({str(e) for e in found.get("emails") or []}))
        if current != wanted:
            result.append(DestinationChange(policy, str(found.get("id") or ""), current, wanted))
    return result


def make_plan(
    client: AppPlatformClient, app_id: str, component: str, emails: Sequence[str] | None = None
) -> AlertPlan:
    """Read the app and say what :func:`apply_plan` would change; sends only GET requests."""
    spec = client.get_app_spec(app_id)
    changes, new_spec = plan_spec(spec, component)
    destinations = (
        plan_destinations(client.list_alerts(app_id), component, emails) if emails is not None else []
    )
    return AlertPlan(app_id, component, changes, new_spec, destinations)


def apply_plan(client: AppPlatformClient, plan: AlertPlan, emails: Sequence[str] | None = None) -> list[str]:
    """Send what the plan says; returns warnings (alerts App Platform does not list yet).

    ``plan.destinations`` becomes the destination changes actually sent: alerts the spec update created get
    their ids only now, so the list is read again.
    """
    if plan.new_spec is not None:
        client.update_app_spec(plan.app_id, plan.new_spec)
    if emails is None:
        return []
    warnings: list[str] = []
    if plan.new_spec is None:
        pending = plan.destinations  # the alerts were listed by make_plan and nothing has changed since
    else:
        pending = plan_destinations(client.list_alerts(plan.app_id), plan.component, emails)
    plan.destinations = [change for change in pending if change.alert_id is not None]
    for change in pending:
        if change.alert_id is None:
            warnings.append(
                f"{change.policy.title}: App Platform does not list this alert yet (it appears once the "
                "deployment the spec update started is live); run `alerts apply` again to set its emails"
            )
            continue
        client.set_destinations(plan.app_id, change.alert_id, list(change.wanted), [])
    return warnings


def render_plan(plan: AlertPlan, *, applied: bool = False) -> str:
    """The plan as lines for the operator."""
    verbs: dict[Action, str] = (
        {
            "create": "created",
            "update": "updated",
            "unchanged": "unchanged",
            "unsupported": "not on App Platform",
        }
        if applied
        else {
            "create": "create",
            "update": "update",
            "unchanged": "unchanged",
            "unsupported": "not on App Platform",
        }
    )
    lines = [f"app {plan.app_id}, service {plan.component!r}:"]
    for change in plan.changes:
        line = f"  {verbs[change.action]:<20} {change.policy.describe()}"
        if change.policy.rule is not None:
            line += f" [{change.policy.rule}]"
        if change.action == "update" and change.current is not None:
            old = ", ".join(f"{k}={change.current.get(k)}" for k in COMPARED_FIELDS if k in change.current)
            line += f" (was {old})"
        if change.action == "unsupported":
            line += f": App Platform has no rule for it; Prometheus alert {change.policy.prometheus_alert}"
        lines.append(line)
    for dest in plan.destinations:
        verb = "emails set" if applied else "set emails"
        target = ", ".join(dest.wanted) or "(none)"
        was = ", ".join(dest.current) or "(none)"
        suffix = "" if dest.alert_id else " once the alert exists"
        lines.append(f"  {verb:<20} {dest.policy.title}: {target} (was {was}){suffix}")
    created, updated, unchanged = plan.count("create"), plan.count("update"), plan.count("unchanged")
    if applied:
        summary = f"applied: {created} created, {updated} updated, {unchanged} unchanged"
    else:
        summary = f"plan: {created} to create, {updated} to update, {unchanged} unchanged"
    if plan.destinations:
        summary += f", {len(plan.destinations)} destination change(s)"
    if not plan.writes_needed:
        summary += "; nothing to change"
    lines.append(summary)
    return "\n".join(lines)
