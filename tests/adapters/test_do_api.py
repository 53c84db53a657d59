"""The DigitalOcean API client over real HTTP, against a local server that implements the documented calls."""

from __future__ import annotations

import logging
import socket
import time
from datetime import UTC, datetime, timedelta

import pytest

from studio.adapters.do_api import (
    BASE_URL_ENV,
    DigitalOceanClient,
    DOApiError,
    create_spaces_key,
    purge_cdn,
)
from tests.adapters.fake_do_api import FakeDigitalOcean

ENDPOINT = "19f06b6a-3ace-4315-b086-499a0e521b76"


def free_tcp_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_create_spaces_key_sends_the_documented_request(fake_do: FakeDigitalOcean) -> None:
    key = create_spaces_key(fake_do.token, "studio-fra1", "themesystem-assets", base_url=fake_do.url)
    assert fake_do.created_keys[0]["grants"] == [{"bucket": "themesystem-assets", "permission": "readwrite"}]
    assert fake_do.created_keys[0]["name"] == "studio-fra1"
    assert key.access_key == fake_do.created_keys[0]["access_key"]
    assert key.secret_key == fake_do.created_keys[0]["secret_key"]
    assert key.grants == (("themesystem-assets", "readwrite"),)
    assert abs(key.created_at - datetime.now(UTC)) < timedelta(minutes=1)
    assert key.secret_key not in repr(key)


def test_base_url_from_the_environment(fake_do: FakeDigitalOcean, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(BASE_URL_ENV, fake_do.url)
    with DigitalOceanClient(fake_do.token) as client:
        assert client.account().email == "author@example.com"


def test_wrong_token_is_a_clear_error_without_the_token(
    fake_do: FakeDigitalOcean, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "dop_v1_" + "ab" * 32
    with pytest.raises(DOApiError) as info:
        create_spaces_key(wrong, "k", "themesystem-assets", base_url=fake_do.url)
    assert info.value.status == 401
    assert "token was refused" in str(info.value)
    assert wrong not in str(info.value) + repr(info.value) + caplog.text
    assert not fake_do.created_keys
    with DigitalOceanClient(wrong, base_url=fake_do.url) as client:
        assert wrong not in repr(client)


def test_invalid_permission_is_refused_before_any_request(fake_do: FakeDigitalOcean) -> None:
    with pytest.raises(ValueError, match="permission"):
        create_spaces_key(fake_do.token, "k", "b", permission="write", base_url=fake_do.url)
    assert not fake_do.requests


def test_unreachable_api_names_the_url() -> None:
    url = f"http://127.0.0.1:{free_tcp_port()}"
    with pytest.raises(DOApiError, match=r"cannot reach the DigitalOcean API at http://127\.0\.0\.1") as info:
        create_spaces_key("dop_v1_tok", "k", "b", base_url=url)
    assert info.value.status is None
    assert "dop_v1_tok" not in str(info.value)


def test_purge_batches_at_fifty_and_dedupes(fake_do: FakeDigitalOcean) -> None:
    fake_do.purge_limit = 1000  # no rate limit here: only the batching
    files = [f"/themes-published/t/latest/assets/{i}.woff2" for i in range(120)]
    progress: list[tuple[int, int]] = []
    with DigitalOceanClient(fake_do.token, base_url=fake_do.url) as client:
        sent = client.purge_cdn(ENDPOINT, [*files, files[0]], on_batch=lambda a, b: progress.append((a, b)))
    assert sent == 3
    assert [len(batch) for _, batch in fake_do.purges] == [50, 50, 20]
    purged = [p for _, batch in fake_do.purges for p in batch]
    assert purged == [f.lstrip("/") for f in files]
    assert progress == [(50, 120), (100, 120), (120, 120)]


def test_purge_waits_out_429_with_retry_after(fake_do: FakeDigitalOcean) -> None:
    """50 files per window, like DigitalOcean's 50 per 20 s: the second batch is refused, waited out, sent."""
    files = [f"themes-published/t/latest/{i}.css" for i in range(70)]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        time.sleep(seconds)

    started = time.monotonic()
    with DigitalOceanClient(fake_do.token, base_url=fake_do.url, sleep=sleep) as client:
        assert client.purge_cdn(ENDPOINT, files) == 2
    assert fake_do.rejected_429 >= 1
    assert waits
    assert all(0 < w <= 1.0 for w in waits)  # the server's Retry-After (1 s), not a guess
    assert sum(len(b) for _, b in fake_do.purges) == 70
    assert time.monotonic() - started < 5


def test_purge_uses_ratelimit_reset_without_retry_after(fake_do: FakeDigitalOcean) -> None:
    fake_do.send_retry_after = False
    files = [f"p/{i}" for i in range(60)]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        time.sleep(seconds)

    with DigitalOceanClient(fake_do.token, base_url=fake_do.url, sleep=sleep) as client:
        client.purge_cdn(ENDPOINT, files)
    assert waits
    assert all(0 <= w <= 2.0 for w in waits)
    assert sum(len(b) for _, b in fake_do.purges) == 60


def test_purge_gives_up_after_the_wait_budget(fake_do: FakeDigitalOcean) -> None:
    fake_do.purge_window_s = 30.0
    with pytest.raises(DOApiError, match="429 Too Many Requests; gave up") as info:
        purge_cdn(
            fake_do.token, ENDPOINT, [f"p/{i}" for i in range(80)], base_url=fake_do.url, max_retry_wait_s=3
        )
    assert info.value.status == 429
    assert len(fake_do.purges) == 1  # the first batch went through; the caller can retry the rest


def test_purge_unknown_endpoint_is_404_with_the_id(fake_do: FakeDigitalOcean) -> None:
    with pytest.raises(DOApiError, match="CDN endpoint 'nope' does not exist") as info:
        purge_cdn(fake_do.token, "nope", ["a.css"], base_url=fake_do.url)
    assert info.value.status == 404


def test_purge_wrong_token(fake_do: FakeDigitalOcean) -> None:
    with pytest.raises(DOApiError, match="401") as info:
        purge_cdn("dop_v1_wrong", ENDPOINT, ["a.css"], base_url=fake_do.url)
    assert "dop_v1_wrong" not in str(info.value)
    assert not fake_do.purges


def test_purge_nothing_sends_nothing(fake_do: FakeDigitalOcean) -> None:
    assert purge_cdn(fake_do.token, ENDPOINT, [], base_url=fake_do.url) == 0
    assert not fake_do.requests
