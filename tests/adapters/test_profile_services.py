"""Profile services from a profile and the real keyring (gnome-keyring), the real backend and SeaweedFS."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from keyring.backends import fail

from studio.adapters.object_store import AccessDeniedError
from studio.adapters.profile_services import ProfileServicesError, connect_profile
from studio.adapters.secrets import SecretName, SecretStore
from studio.core.profiles import Profile
from tests.adapters.keyring_service import SecretServiceSession
from tests.adapters.test_backend_client import LiveBackend, running_backend
from tests.backend.seaweed import SeaweedS3


@pytest.fixture(scope="module")
def live(seaweed: SeaweedS3) -> Iterator[LiveBackend]:
    with running_backend(seaweed) as backend:
        yield backend


def profile(seaweed: SeaweedS3, live: LiveBackend, name: str, **fields: object) -> Profile:
    values: dict[str, object] = {
        "endpoint": seaweed.endpoint,
        "region": seaweed.region,
        "bucket": seaweed.bucket,
        "cdn_base_url": live.public_base_url,
        "backend_url": live.url,
        "credential_mode": "backend-grants",
        **fields,
    }
    return Profile(name=name, **values).validated()  # type: ignore[arg-type]


def test_grant_mode_uses_the_backend_token_from_the_keyring(
    secret_service: SecretServiceSession, seaweed: SeaweedS3, live: LiveBackend
) -> None:
    secrets = SecretStore()
    secrets.set("ps-grants", SecretName.BACKEND_TOKEN, live.reviewer.token)
    try:
        with connect_profile(profile(seaweed, live, "ps-grants"), secrets) as services:
            assert not services.store.has_credentials
            assert services.mode_label == "through backend grants"
            assert isinstance(services.review.awaiting(), list)  # the reviewer token was accepted
    finally:
        secrets.delete_all("ps-grants")


def test_key_mode_uses_the_spaces_secret_and_a_wrong_one_is_refused_by_the_store(
    secret_service: SecretServiceSession, seaweed: SeaweedS3, live: LiveBackend
) -> None:
    secrets = SecretStore()
    secrets.set("ps-key", SecretName.BACKEND_TOKEN, live.author.token)
    secrets.set("ps-key", SecretName.SPACES_SECRET, seaweed.secret_key)
    keyed = profile(seaweed, live, "ps-key", credential_mode="spaces-key", access_key_id=seaweed.access_key)
    try:
        with connect_profile(keyed, secrets) as services:
            assert services.store.has_credentials
            assert services.store.head("themes-drafts/none/none/1/theme.css") is None  # signed HEAD works
            assert seaweed.secret_key not in repr(services)
        secrets.set("ps-key", SecretName.SPACES_SECRET, "wrong-" + seaweed.secret_key)
        with connect_profile(keyed, secrets) as services, pytest.raises(AccessDeniedError) as refused:
            services.store.head("themes-drafts/none/none/1/theme.css")
        assert seaweed.secret_key not in str(refused.value)
    finally:
        secrets.delete_all("ps-key")


def test_missing_pieces_are_explained(
    secret_service: SecretServiceSession, seaweed: SeaweedS3, live: LiveBackend
) -> None:
    secrets = SecretStore()
    with pytest.raises(ProfileServicesError, match="no backend URL"):
        connect_profile(profile(seaweed, live, "ps-nourl", backend_url=None, credential_mode="spaces-key"))
    with pytest.raises(ProfileServicesError, match="No backend token for profile ps-none"):
        connect_profile(profile(seaweed, live, "ps-none"), secrets)
    secrets.set("ps-nosecret", SecretName.BACKEND_TOKEN, live.author.token)
    try:
        keyed = profile(
            seaweed, live, "ps-nosecret", credential_mode="spaces-key", access_key_id=seaweed.access_key
        )
        with pytest.raises(ProfileServicesError, match="no Spaces key secret in the keyring"):
            connect_profile(keyed, secrets)
        with pytest.raises(ProfileServicesError, match="no access key id"):
            connect_profile(profile(seaweed, live, "ps-nosecret", credential_mode="spaces-key"), secrets)
    finally:
        secrets.delete_all("ps-nosecret")


def test_no_usable_keyring_says_how_to_get_one(seaweed: SeaweedS3, live: LiveBackend) -> None:
    with pytest.raises(ProfileServicesError, match="No OS keyring is available") as info:
        connect_profile(profile(seaweed, live, "ps-fail"), SecretStore(fail.Keyring()))
    assert "gnome-keyring" in str(info.value)
