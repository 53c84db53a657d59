"""The clients one profile needs (backend, bucket, review), built with the profile's secrets from the keyring.

The studio's dialogs (submit for review, reviewer mode, releases) all need the same three things for a
profile: a :class:`BackendClient` with the backend token, an :class:`ObjectStore` on the profile's bucket and
a :class:`ReviewService` over both. How the bucket is reached follows the profile's credential mode:

- ``spaces-key``: the profile's access key id with its secret from the keyring; a missing secret is an error
  that says how to fix it (never a silent switch to another mode);
- ``backend-grants``: no bucket key on this machine; uploads and draft downloads go through presigned grants.

Building the services reads the keyring and opens no connection; call it off the GUI thread anyway, a locked
keyring may prompt.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType

import httpx

from studio.adapters.backend_client import BackendClient
from studio.adapters.object_store import ObjectStore, S3Credentials, S3Location
from studio.adapters.review import ReviewService
from studio.adapters.secrets import KeyringUnavailable, SecretName, SecretStore
from studio.core.profiles import Profile

#: Drafts are one file and releases a few: a small pool is plenty for these dialogs.
WORKERS = 4


class ProfileServicesError(Exception):
    """The profile cannot serve drafts and releases; ``str()`` says what is missing and how to fix it."""


@dataclass
class ProfileServices:
    """The backend client, the object store and the review service of one profile; close them together."""

    profile: Profile
    backend: BackendClient
    store: ObjectStore
    review: ReviewService

    @classmethod
    def of(cls, profile: Profile, backend: BackendClient, store: ObjectStore) -> ProfileServices:
        """Wrap already built clients (their ownership passes to the result)."""
        return cls(profile, backend, store, ReviewService(backend, store))

    @property
    def mode_label(self) -> str:
        """How this profile reaches the bucket, for the user."""
        return "with the Spaces key" if self.store.has_credentials else "through backend grants"

    def close(self) -> None:
        self.review.close()
        self.store.close()
        self.backend.close()

    def __enter__(self) -> ProfileServices:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def location_of(profile: Profile) -> S3Location:
    """Where the profile's bucket is, and where its public objects are read."""
    return S3Location(profile.endpoint, profile.region, profile.bucket, profile.public_base_url())


def connect_profile(
    profile: Profile,
    secrets: SecretStore | None = None,
    *,
    transport: httpx.BaseTransport | None = None,
) -> ProfileServices:
    """Build the services of ``profile`` with its secrets from the keyring.

    Args:
        profile: a validated profile with a backend URL.
        secrets: the keyring store (default: the system keyring).
        transport: an httpx transport for the backend client (an in-process app, a proxy).

    Raises:
        ProfileServicesError: no backend URL, a secret is missing, or no keyring is usable (with its help).
    """
    if not profile.backend_url:
        raise ProfileServicesError(
            f"Profile {profile.label} has no backend URL; drafts, reviews and releases need the backend. "
            "Add one in Publishing Profiles."
        )
    secrets = secrets or SecretStore()
    try:
        token = secrets.get(profile.name, SecretName.BACKEND_TOKEN)
        spaces_secret = (
            secrets.get(profile.name, SecretName.SPACES_SECRET)
            if profile.credential_mode == "spaces-key"
            else None
        )
    except KeyringUnavailable as exc:
        raise ProfileServicesError(str(exc)) from None
    if not token:
        raise ProfileServicesError(
            f"No backend token for profile {profile.label} in the keyring. Store one in Publishing Profiles "
            "(or with `themestudio profiles add`)."
        )
    credentials = None
    if profile.credential_mode == "spaces-key":
        if not profile.access_key_id or not spaces_secret:
            missing = "access key id" if not profile.access_key_id else "Spaces key secret in the keyring"
            raise ProfileServicesError(
                f"Profile {profile.label} uses a Spaces key but has no {missing}. Paste or create the key in "
                "Publishing Profiles, or switch the profile to backend grants."
            )
        credentials = S3Credentials(profile.access_key_id, spaces_secret)
    backend = BackendClient(profile.backend_url, token, transport=transport)
    store = ObjectStore(location_of(profile), credentials, workers=WORKERS)
    return ProfileServices.of(profile, backend, store)
