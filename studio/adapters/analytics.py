"""Reading a theme's analytics from a profile's backend, and saying what went wrong in the user's words.

Only the backend URL and its token are needed (no bucket): :func:`analytics_client` builds the client from the
profile and the keyring. :func:`classify_failure` sorts a failure into the states the Analytics view shows
(offline, not authorised, unknown theme, other), shared with ``themestudio stats``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

from studio.adapters.backend_client import BackendClient, BackendError
from studio.adapters.publish_services import BACKEND_TOKEN_ENV
from studio.adapters.secrets import KeyringUnavailable, SecretName, SecretStore
from studio.core.analytics import AnalyticsError
from studio.core.profiles import Profile


class AnalyticsSetupError(Exception):
    """The profile cannot reach analytics (no backend URL, no token, no keyring); ``str()`` says the fix."""


class FailureKind(Enum):
    OFFLINE = "offline"
    NOT_AUTHORISED = "not_authorised"
    UNKNOWN_THEME = "unknown_theme"
    SETUP = "setup"
    ERROR = "error"


@dataclass(frozen=True)
class Failure:
    """What to show for a failed read: its kind, a headline and what to do."""

    kind: FailureKind
    title: str
    detail: str


def analytics_client(
    profile: Profile, secrets: SecretStore | None = None, environ: Mapping[str, str] | None = None
) -> BackendClient:
    """A backend client for ``profile`` with its token from the keyring (call off the GUI thread).

    ``environ`` (the CLI passes ``os.environ``) may carry the token as ``THEMESTUDIO_BACKEND_TOKEN`` (CI),
    which then wins over the keyring, as for publishing.

    Raises:
        AnalyticsSetupError: no backend URL, no token stored, or no usable keyring.
    """
    if not profile.backend_url:
        raise AnalyticsSetupError(
            f"Profile {profile.label} has no backend URL; analytics come from the backend. "
            "Add one in Publishing Profiles."
        )
    token = (environ or {}).get(BACKEND_TOKEN_ENV, "")
    try:
        token = token or (secrets or SecretStore()).get(profile.name, SecretName.BACKEND_TOKEN) or ""
    except KeyringUnavailable as exc:
        raise AnalyticsSetupError(str(exc)) from None
    if not token:
        raise AnalyticsSetupError(
            f"No backend token for profile {profile.label} in the keyring. Store one in Publishing Profiles "
            f"(or with `themestudio profiles add`); in CI set {BACKEND_TOKEN_ENV}."
        )
    return BackendClient(profile.backend_url, token)


def classify_failure(exc: Exception) -> Failure:
    """The state to show for a failed analytics read."""
    if isinstance(exc, AnalyticsSetupError):
        return Failure(FailureKind.SETUP, "The profile cannot read analytics", str(exc))
    if isinstance(exc, BackendError):
        if exc.status == 0 and exc.code in ("unreachable", "offline"):  # BackendClient, CatalogClient
            return Failure(
                FailureKind.OFFLINE,
                "The backend is offline",
                "It did not answer. Check the profile's backend URL and your connection, or start the local "
                "sandbox, then refresh.",
            )
        if exc.status in (401, 403):
            return Failure(
                FailureKind.NOT_AUTHORISED,
                "Not authorised",
                "Only the theme's author (or an admin) sees its analytics. Use a profile whose backend token "
                "belongs to the author."
                if exc.status == 403
                else "The backend did not accept this profile's token; store a valid one in Publishing "
                "Profiles.",
            )
        if exc.status == 404:
            return Failure(
                FailureKind.UNKNOWN_THEME,
                "This backend does not know the theme",
                "Publish a release with this profile first; analytics start with the first release.",
            )
        return Failure(FailureKind.ERROR, "The backend refused", str(exc))
    if isinstance(exc, AnalyticsError):
        return Failure(FailureKind.ERROR, "Unexpected answer", str(exc))
    return Failure(FailureKind.ERROR, "Could not read analytics", f"{type(exc).__name__}: {exc}")
