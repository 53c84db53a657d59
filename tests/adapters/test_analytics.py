"""Reading analytics through a profile: the token from a real Secret Service, failures sorted into states."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from studio.adapters.analytics import AnalyticsSetupError, FailureKind, analytics_client, classify_failure
from studio.adapters.backend_client import BackendClient, BackendError
from studio.adapters.secrets import SecretName, SecretStore
from studio.core.analytics import AnalyticsQuery
from studio.core.profiles import Profile
from tests.adapters.keyring_service import SecretServiceSession
from tests.backend.analytics_seed import (
    AnalyticsBackend,
    analytics_backend,
    create_released_theme,
    db_counts,
    last_days,
    seed_events,
)
from tests.backend.helpers import free_port


@pytest.fixture(scope="module")
def live() -> Iterator[AnalyticsBackend]:
    with analytics_backend() as backend:
        yield backend


def _profile(name: str, backend_url: str | None) -> Profile:
    return Profile(
        name=name, endpoint="http://127.0.0.1:1", region="us-east-1", backend_url=backend_url
    ).validated()


def test_the_profile_token_comes_from_the_keyring(
    secret_service: SecretServiceSession, live: AnalyticsBackend
) -> None:
    theme = create_released_theme(live.dsn, live.author, "Keyring Read")
    seed_events(live.dsn, theme, days=10, seed=8)
    profile = _profile("analytics-author", live.url)
    store = SecretStore()
    store.set(profile.name, SecretName.BACKEND_TOKEN, live.author.token)
    try:
        client = analytics_client(profile, store)
        try:
            report = client.theme_analytics(AnalyticsQuery(theme, days=7, version="1.0.0"))
        finally:
            client.close()
        first, last = last_days(7)
        want = db_counts(live.dsn, theme, first, last, "1.0.0")
        assert [(d.day, (d.views, d.downloads, d.installs)) for d in report.days] == list(want.items())
        assert report.version == "1.0.0"
        # The CI variable wins over the keyring.
        wrong = analytics_client(profile, store, {"THEMESTUDIO_BACKEND_TOKEN": live.other_author.token})
        try:
            with pytest.raises(BackendError) as refused:
                wrong.theme_analytics(AnalyticsQuery(theme, days=7))
        finally:
            wrong.close()
        assert classify_failure(refused.value).kind is FailureKind.NOT_AUTHORISED
    finally:
        store.delete(profile.name, SecretName.BACKEND_TOKEN)
    with pytest.raises(AnalyticsSetupError, match="No backend token"):
        analytics_client(profile, store)
    with pytest.raises(AnalyticsSetupError, match="no backend URL"):
        analytics_client(_profile("no-backend", None), store)


def test_failures_are_sorted_into_states(live: AnalyticsBackend) -> None:
    theme = create_released_theme(live.dsn, live.author, "States")
    offline = BackendClient(f"http://127.0.0.1:{free_port()}", live.author.token)
    author = BackendClient(live.url, live.author.token)
    stranger = BackendClient(live.url, "not-a-token")
    try:
        cases = {
            FailureKind.OFFLINE: lambda: offline.theme_analytics(AnalyticsQuery(theme)),
            FailureKind.NOT_AUTHORISED: lambda: stranger.theme_analytics(AnalyticsQuery(theme)),
            FailureKind.UNKNOWN_THEME: lambda: author.theme_analytics(
                AnalyticsQuery("00000000-0000-4000-8000-000000000000")
            ),
            FailureKind.ERROR: lambda: author.theme_analytics(AnalyticsQuery(theme, version="7.7.7")),
        }
        for kind, call in cases.items():
            with pytest.raises(BackendError) as caught:
                call()
            failure = classify_failure(caught.value)
            assert failure.kind is kind, (kind, caught.value)
            assert failure.title
            assert live.author.token not in failure.detail
    finally:
        for client in (offline, author, stranger):
            client.close()
