"""`themesystem-api alerts plan|apply` as a subprocess against the fake App Platform API on 127.0.0.1."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
import time
from typing import Any

import pytest

from tests.backend.alerts.conftest import REPO, TOKEN
from tests.backend.alerts.fake_do import FakeAppPlatform, Fault

# The documented app_alert_spec objects the command must send for the `api` service, written out here rather
# than taken from the catalogue so that a change to the catalogue shows up as a failing test.
EXPECTED_ALERTS = [
    {
        "rule": "CPU_UTILIZATION",
        "operator": "GREATER_THAN",
        "value": 80.0,
        "window": "FIVE_MINUTES",
        "disabled": False,
    },
    {
        "rule": "MEM_UTILIZATION",
        "operator": "GREATER_THAN",
        "value": 85.0,
        "window": "FIVE_MINUTES",
        "disabled": False,
    },
    {
        "rule": "RESTART_COUNT",
        "operator": "GREATER_THAN",
        "value": 3.0,
        "window": "THIRTY_MINUTES",
        "disabled": False,
    },
    {
        "rule": "REQUEST_DURATION_P95_MS",
        "operator": "GREATER_THAN",
        "value": 500.0,
        "window": "FIVE_MINUTES",
        "disabled": False,
    },
]


def _run(url: str, *args: str, token: str | None = TOKEN, **env: str) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DIGITALOCEAN_ACCESS_TOKEN", "DIGITALOCEAN_TOKEN", "DATABASE_URL")
    }
    base["DIGITALOCEAN_API_URL"] = url
    if token is not None:
        base["DIGITALOCEAN_ACCESS_TOKEN"] = token
    return subprocess.run(
        [sys.executable, "-m", "backend", "alerts", *args],
        capture_output=True,
        text=True,
        env={**base, **env},
        cwd=REPO,
        timeout=120,
        check=False,
    )


def _with_alerts(spec: dict[str, Any], alerts: list[dict[str, Any]]) -> dict[str, Any]:
    spec = copy.deepcopy(spec)
    next(s for s in spec["services"] if s["name"] == "api")["alerts"] = alerts
    return spec


def test_plan_sends_nothing_and_apply_sends_the_documented_body_once(
    fake_app_platform: tuple[FakeAppPlatform, str], bare_spec: dict[str, Any]
) -> None:
    fake, url = fake_app_platform
    app_id = fake.add_app(bare_spec)

    plan = _run(url, "plan", "--app-id", app_id)
    assert plan.returncode == 0, plan.stderr
    assert fake.writes() == []
    for line in (
        "create               CPU utilisation > 80 % over 5m [CPU_UTILIZATION]",
        "create               Memory utilisation > 85 % over 5m [MEM_UTILIZATION]",
        "create               Restart count > 3 restarts over 30m [RESTART_COUNT]",
        "create               p95 request duration > 500 ms over 5m [REQUEST_DURATION_P95_MS]",
        "not on App Platform  5xx response rate > 5 % of requests over 5m",
        "plan: 4 to create, 0 to update, 0 unchanged",
    ):
        assert line in plan.stdout, plan.stdout
    assert TOKEN not in plan.stdout + plan.stderr

    applied = _run(url, "apply", "--app-id", app_id)
    assert applied.returncode == 0, applied.stderr
    assert "applied: 4 created, 0 updated, 0 unchanged" in applied.stdout
    writes = fake.writes()
    assert [(w.method, w.path) for w in writes] == [("PUT", f"/v2/apps/{app_id}")]
    # Exactly the app's spec with the alerts added to the api service, nothing else touched.
    assert writes[0].body == {"spec": _with_alerts(bare_spec, EXPECTED_ALERTS)}
    assert fake.service_alerts(app_id, "api") == EXPECTED_ALERTS

    # The fake answers like App Platform (no `disabled: false`); the second run still sees nothing to do.
    again = _run(url, "apply", "--app-id", app_id)
    assert again.returncode == 0, again.stderr
    assert "applied: 0 created, 0 updated, 4 unchanged" in again.stdout
    assert "nothing to change" in again.stdout
    assert len(fake.writes()) == 1
    assert [r.method for r in fake.requests[-1:]] == ["GET"]


def test_a_changed_threshold_is_updated_and_foreign_alerts_are_kept(
    fake_app_platform: tuple[FakeAppPlatform, str], bare_spec: dict[str, Any]
) -> None:
    fake, url = fake_app_platform
    memory_was = {"rule": "MEM_UTILIZATION", "operator": "GREATER_THAN", "value": 95.0, "window": "ONE_HOUR"}
    theirs = {
        "rule": "REQUESTS_PER_SECOND",
        "operator": "GREATER_THAN",
        "value": 200.0,
        "window": "FIVE_MINUTES",
    }
    current = [*EXPECTED_ALERTS[:1], memory_was, theirs, *EXPECTED_ALERTS[2:]]
    app_id = fake.add_app(_with_alerts(bare_spec, current))

    plan = _run(url, "plan", "--app-id", app_id)
    assert plan.returncode == 0, plan.stderr
    assert "update               Memory utilisation > 85 % over 5m [MEM_UTILIZATION]" in plan.stdout
    assert "value=95" in plan.stdout
    assert "window=ONE_HOUR" in plan.stdout
    assert "plan: 0 to create, 1 to update, 3 unchanged" in plan.stdout

    applied = _run(url, "apply", "--app-id", app_id)
    assert applied.returncode == 0, applied.stderr
    (write,) = fake.writes()
    sent = next(s for s in write.body["spec"]["services"] if s["name"] == "api")["alerts"]
    # The unchanged alerts go back as App Platform answered them (without `disabled: false`).
    as_read = [{k: v for k, v in a.items() if k != "disabled"} for a in EXPECTED_ALERTS]
    assert sent == [as_read[0], EXPECTED_ALERTS[1], theirs, *as_read[2:]]
    assert _run(url, "apply", "--app-id", app_id).returncode == 0
    assert len(fake.writes()) == 1


def test_emails_are_set_once_on_every_policy(
    fake_app_platform: tuple[FakeAppPlatform, str], bare_spec: dict[str, Any]
) -> None:
    fake, url = fake_app_platform
    app_id = fake.add_app(bare_spec)
    args = ("--app-id", app_id, "--email", "ops@example.test", "--email", "oncall@example.test")
    applied = _run(url, "apply", *args)
    assert applied.returncode == 0, applied.stderr
    posts = [w for w in fake.writes() if w.method == "POST"]
    assert len(posts) == 4
    for post in posts:
        assert post.path.startswith(f"/v2/apps/{app_id}/alerts/")
        assert post.path.endswith("/destinations")
        assert post.body == {"emails": ["oncall@example.test", "ops@example.test"], "slack_webhooks": []}
    assert {tuple(a["emails"]) for a in fake.alerts[app_id].values()} == {
        ("oncall@example.test", "ops@example.test")
    }
    writes, requests = len(fake.writes()), len(fake.requests)
    again = _run(url, "apply", *args)
    assert again.returncode == 0, again.stderr
    assert len(fake.writes()) == writes
    # Read the spec, list the alerts: two GETs and nothing else.
    assert [(r.method, r.path) for r in fake.requests[requests:]] == [
        ("GET", f"/v2/apps/{app_id}"),
        ("GET", f"/v2/apps/{app_id}/alerts"),
    ]
    assert "nothing to change" in again.stdout


def test_emails_of_alerts_not_listed_yet_are_set_by_the_next_apply(
    fake_app_platform: tuple[FakeAppPlatform, str], bare_spec: dict[str, Any]
) -> None:
    fake, url = fake_app_platform
    app_id = fake.add_app(bare_spec)
    fake.defer_new_alerts = True
    first = _run(url, "apply", "--app-id", app_id, "--email", "ops@example.test")
    assert first.returncode == 0, first.stderr
    assert first.stderr.count("does not list this alert yet") == 4
    assert "run `alerts apply` again to set its emails" in first.stderr
    assert [w.method for w in fake.writes()] == ["PUT"]
    fake.deploy(app_id)
    second = _run(url, "apply", "--app-id", app_id, "--email", "ops@example.test")
    assert second.returncode == 0, second.stderr
    assert "applied: 0 created, 0 updated, 4 unchanged, 4 destination change(s)" in second.stdout
    assert [w.method for w in fake.writes()] == ["PUT", "POST", "POST", "POST", "POST"]


def test_a_refused_token_is_a_clear_error_and_never_printed(
    fake_app_platform: tuple[FakeAppPlatform, str], bare_spec: dict[str, Any]
) -> None:
    fake, url = fake_app_platform
    app_id = fake.add_app(bare_spec)
    wrong = "dop_v1_" + "0f" * 32
    r = _run(url, "apply", "--app-id", app_id, token=wrong)
    assert r.returncode == 1
    assert "the DigitalOcean token was refused (401): it is wrong, expired or revoked" in r.stderr
    assert "Unable to authenticate you." in r.stderr
    assert wrong not in r.stdout + r.stderr
    assert "Traceback" not in r.stderr
    assert fake.writes() == []


def test_no_token_and_unknown_app_or_service(
    fake_app_platform: tuple[FakeAppPlatform, str], bare_spec: dict[str, Any]
) -> None:
    fake, url = fake_app_platform
    app_id = fake.add_app(bare_spec)
    missing = _run(url, "plan", "--app-id", app_id, token=None)
    assert missing.returncode == 2
    assert "no DigitalOcean token: set DIGITALOCEAN_ACCESS_TOKEN" in missing.stderr
    unknown = _run(url, "plan", "--app-id", "6c2b1c8e-0000-4000-8000-000000000000")
    assert unknown.returncode == 1
    assert "no app with this id in the token's account (404); check --app-id" in unknown.stderr
    component = _run(url, "plan", "--app-id", app_id, "--component", "web")
    assert component.returncode == 1
    assert "the app has no service named 'web' (its services: api); pass --component" in component.stderr


def test_rate_limit_is_waited_out_as_retry_after_says(
    fake_app_platform: tuple[FakeAppPlatform, str], bare_spec: dict[str, Any]
) -> None:
    fake, url = fake_app_platform
    app_id = fake.add_app(bare_spec)
    fake.faults.append(
        Fault(429, {"retry-after": "2"}, {"id": "too_many_requests", "message": "API rate limit exceeded."})
    )
    fake.faults.append(Fault(503, {}, {"id": "service_unavailable", "message": "try later"}))
    started = time.monotonic()
    r = _run(url, "apply", "--app-id", app_id)
    elapsed = time.monotonic() - started
    assert r.returncode == 0, r.stderr
    assert elapsed >= 2.0  # Retry-After: 2 was honoured (then 1 s of backoff for the 503)
    assert [x.status for x in fake.requests[:3]] == [429, 503, 200]
    assert [(w.method, w.status) for w in fake.writes()] == [("PUT", 200)]
    assert fake.service_alerts(app_id, "api") == EXPECTED_ALERTS


def test_persistent_server_errors_give_up_with_a_clear_message(
    fake_app_platform: tuple[FakeAppPlatform, str], bare_spec: dict[str, Any]
) -> None:
    fake, url = fake_app_platform
    app_id = fake.add_app(bare_spec)
    for _ in range(5):
        fake.faults.append(
            Fault(502, {"retry-after": "0"}, {"id": "bad_gateway", "message": "upstream down"})
        )
    r = _run(url, "plan", "--app-id", app_id)
    assert r.returncode == 1
    assert f"reading app {app_id}: DigitalOcean kept failing with 502; gave up after 5 attempt(s)" in r.stderr
    assert "try again later" in r.stderr
    assert len(fake.requests) == 5


def test_the_token_can_come_from_a_studio_profile_in_the_keyring(
    fake_app_platform: tuple[FakeAppPlatform, str],
    bare_spec: dict[str, Any],
    secret_service: Any,
) -> None:
    from studio.adapters.secrets import SecretName, SecretStore

    fake, url = fake_app_platform
    app_id = fake.add_app(bare_spec)
    SecretStore().set("alerts-ops", SecretName.DO_TOKEN, TOKEN)
    env = secret_service.env()
    r = subprocess.run(
        [sys.executable, "-m", "backend", "alerts", "plan", "--app-id", app_id, "--profile", "alerts-ops"],
        capture_output=True,
        text=True,
        env={
            **{k: v for k, v in env.items() if not k.startswith("DIGITALOCEAN_")},
            "DIGITALOCEAN_API_URL": url,
        },
        cwd=REPO,
        timeout=120,
        check=False,
    )
    assert r.returncode == 0, r.stderr
    assert "plan: 4 to create" in r.stdout
    assert TOKEN not in r.stdout + r.stderr
    nobody = subprocess.run(
        [sys.executable, "-m", "backend", "alerts", "plan", "--app-id", app_id, "--profile", "nobody"],
        capture_output=True,
        text=True,
        env={
            **{k: v for k, v in env.items() if not k.startswith("DIGITALOCEAN_")},
            "DIGITALOCEAN_API_URL": url,
        },
        cwd=REPO,
        timeout=120,
        check=False,
    )
    assert nobody.returncode == 2
    assert "profile 'nobody' has no DigitalOcean token in the keyring" in nobody.stderr


@pytest.mark.parametrize("body", [{"spec": {"name": "x"}}, {"spec": {"name": "ok-app"}, "extra": 1}])
def test_the_fake_refuses_bodies_that_break_the_published_shape(
    fake_app_platform: tuple[FakeAppPlatform, str], bare_spec: dict[str, Any], body: dict[str, Any]
) -> None:
    """The schema check in the fake can fail: a too-short name and an undocumented field are refused."""
    import httpx

    fake, url = fake_app_platform
    app_id = fake.add_app(bare_spec)
    r = httpx.put(f"{url}/v2/apps/{app_id}", json=body, headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 400
    assert r.json()["id"] == "bad_request"
    assert fake.schema_errors
    fake.schema_errors.clear()  # expected here; the fixture checks that no other request broke the schema
