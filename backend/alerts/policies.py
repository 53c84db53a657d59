"""The seed's alert policies, in one place, with their App Platform and Prometheus forms.

App Platform keeps a service's alert policies in the app spec (``services[].alerts``: ``rule``, ``operator``,
``value``, ``window``, ``disabled``), not in the monitoring API: ``/v2/monitoring/alerts`` only knows Droplet,
load balancer, database and autoscale-pool types, none of which names an App Platform app. The rules App
Platform offers a service include CPU_UTILIZATION, MEM_UTILIZATION, RESTART_COUNT and REQUEST_DURATION_P95_MS;
there is no 5xx-rate rule, so that policy exists only as a Prometheus rule (``packaging/backend/alerts.yml``).

``packaging/backend/app.yaml`` carries the same alerts (a deployment replaces the app's spec with that file)
and ``alerts.yml`` the same thresholds; tests keep all three equal to this catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Operator = Literal["GREATER_THAN", "LESS_THAN"]
Window = Literal["FIVE_MINUTES", "TEN_MINUTES", "THIRTY_MINUTES", "ONE_HOUR"]

# App Platform's window names and the Prometheus durations they stand for.
WINDOW_DURATIONS: dict[str, str] = {
    "FIVE_MINUTES": "5m",
    "TEN_MINUTES": "10m",
    "THIRTY_MINUTES": "30m",
    "ONE_HOUR": "1h",
}


@dataclass(frozen=True)
class Policy:
    """One alert policy.

    Attributes:
        key: a short stable name (``cpu``, ``memory``...), also the Prometheus rule's ``policy`` label.
        title: what it watches, for people.
        rule: the App Platform rule, or None when App Platform has no rule for it.
        operator: fire above (``GREATER_THAN``) or below the value.
        value: the threshold, in the rule's unit (percent, restarts, milliseconds, percent of requests).
        window: how long the condition is evaluated over.
        unit: the unit of ``value``, for messages.
        prometheus_alert: the alert's name in ``packaging/backend/alerts.yml``.
    """

    key: str
    title: str
    rule: str | None
    operator: Operator
    value: float
    window: Window
    unit: str
    prometheus_alert: str

    def app_alert_spec(self) -> dict[str, object]:
        """The ``app_alert_spec`` object App Platform takes in ``services[].alerts``."""
        if self.rule is None:
            raise ValueError(f"{self.key}: App Platform has no rule for this policy")
        return {
            "rule": self.rule,
            "operator": self.operator,
            "value": self.value,
            "window": self.window,
            "disabled": False,
        }

    def describe(self) -> str:
        sign = ">" if self.operator == "GREATER_THAN" else "<"
        return f"{self.title} {sign} {self.value:g} {self.unit} over {WINDOW_DURATIONS[self.window]}"


POLICIES: tuple[Policy, ...] = (
    Policy(
        key="cpu",
        title="CPU utilisation",
        rule="CPU_UTILIZATION",
        operator="GREATER_THAN",
        value=80.0,
        window="FIVE_MINUTES",
        unit="%",
        prometheus_alert="ThemeSystemApiHighCpu",
    ),
    Policy(
        key="memory",
        title="Memory utilisation",
        rule="MEM_UTILIZATION",
        operator="GREATER_THAN",
        value=85.0,
        window="FIVE_MINUTES",
        unit="%",
        prometheus_alert="ThemeSystemApiHighMemory",
    ),
    Policy(
        key="restarts",
        title="Restart count",
        rule="RESTART_COUNT",
        operator="GREATER_THAN",
        value=3.0,
        window="THIRTY_MINUTES",
        unit="restarts",
        prometheus_alert="ThemeSystemApiRestarting",
    ),
    Policy(
        key="http_5xx",
        title="5xx response rate",
        rule=None,
        operator="GREATER_THAN",
        value=5.0,
        window="FIVE_MINUTES",
        unit="% of requests",
        prometheus_alert="ThemeSystemApiHigh5xxRate",
    ),
    Policy(
        key="latency_p95",
        title="p95 request duration",
        rule="REQUEST_DURATION_P95_MS",
        operator="GREATER_THAN",
        value=500.0,
        window="FIVE_MINUTES",
        unit="ms",
        prometheus_alert="ThemeSystemApiSlowP95",
    ),
)


def app_platform_policies() -> tuple[Policy, ...]:
    """The policies App Platform can hold (all but those without an App Platform rule)."""
    return tuple(p for p in POLICIES if p.rule is not None)
