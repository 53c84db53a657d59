"""The App Platform client's waits and errors, in process against the fake on 127.0.0.1 (sleeps recorded)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from backend.alerts.do_client import AppPlatformClient, DOApiError, token_from_env
from tests.backend.alerts.conftest import TOKEN
from tests.backend.alerts.fake_do import FakeAppPlatform, Fault
from tests.backend.helpers import free_port

RATE_LIMITED = {"id": "too_many_requests", "message": "API rate limit exceeded."}


def _client(url: str, slept: list[float], **kwargs: Any) -> AppPlatformClient:
    return AppPlatformClient(TOKEN, base_url=url, sleep=slept.append, **kwargs)


def test_retry_after_then_ratelimit_reset_then_backoff(
    fake_app_platform: tuple[FakeAppPlatform, str], bare_spec: dict[str, Any]
) -> None:
    fake, url = fake_app_platform
    app_id = fake.add_app(bare_spec)
    reset_at = time.time() + 7
    fake.faults.extend(
        [
            Fault(429, {"retry-after": "3"}, RATE_LIMITED),
            Fault(429, {"ratelimit-reset": f"{reset_at:.0f}"}, RATE_LIMITED),
            Fault(500, {}, {"id": "server_error", "message": "oops"}),
        ]
    )
    slept: list[float] = []
    with _client(url, slept) as client:
        assert client.get_app_spec(app_id)["name"] == "themesystem-api"
    assert slept[0] == 3.0
    assert 5.0 <= slept[1] <= 7.5
    assert slept[2] == 4.0  # the third attempt's exponential backoff (2**2)
    assert [r.status for r in fake.requests] == [429, 429, 500, 200]


def test_the_wait_budget_bounds_rate_limiting(
    fake_app_platform: tuple[FakeAppPlatform, str], bare_spec: dict[str, Any]
) -> None:
    fake, url = fake_app_platform
    app_id = fake.add_app(bare_spec)
    fake.faults.extend([Fault(429, {"retry-after": "20"}, RATE_LIMITED)] * 3)
    slept: list[float] = []
    with _client(url, slept, max_retry_wait_s=30) as client, pytest.raises(DOApiError) as caught:
        client.list_alerts(app_id)
    assert slept == [20.0]
    assert caught.value.status == 429
    assert caught.value.error_id == "too_many_requests"
    assert "kept answering 429 Too Many Requests; gave up after 2 attempt(s) and 20 s" in str(caught.value)
    assert "Try again in a minute." in str(caught.value)


def test_a_slow_or_absent_server_is_a_clear_error(
    fake_app_platform: tuple[FakeAppPlatform, str], bare_spec: dict[str, Any]
) -> None:
    fake, url = fake_app_platform
    app_id = fake.add_app(bare_spec)
    fake.faults.append(Fault(200, {}, {}, delay=2.0))
    with _client(url, [], timeout=0.5) as client, pytest.raises(DOApiError, match="did not answer in time"):
        client.get_app_spec(app_id)
    closed = f"http://127.0.0.1:{free_port()}"
    with _client(closed, []) as client, pytest.raises(DOApiError) as caught:
        client.get_app_spec(app_id)
    assert f"cannot reach the DigitalOcean API at {closed}" in str(caught.value)
    assert caught.value.status is None


def test_forbidden_names_the_scopes_and_the_token_is_not_in_repr(
    fake_app_platform: tuple[FakeAppPlatform, str], bare_spec: dict[str, Any]
) -> None:
    fake, url = fake_app_platform
    app_id = fake.add_app(bare_spec)
    fake.faults.append(Fault(403, {}, {"id": "forbidden", "message": f"token {TOKEN} lacks scope"}))
    with _client(url, []) as client:
        assert TOKEN not in repr(client)
        with pytest.raises(DOApiError) as caught:
            client.update_app_spec(app_id, bare_spec)
    text = str(caught.value)
    assert "may not do this (403): it needs the app:read and app:update scopes" in text
    assert TOKEN not in text
    assert "token *** lacks scope" in text


def test_token_from_env_prefers_doctls_name() -> None:
    assert token_from_env({"DIGITALOCEAN_ACCESS_TOKEN": "a", "DIGITALOCEAN_TOKEN": "b"}) == "a"
    assert token_from_env({"DIGITALOCEAN_ACCESS_TOKEN": " ", "DIGITALOCEAN_TOKEN": "b"}) == "b"
    assert token_from_env({}) is None
