"""Profile secrets in the OS keyring (through ``keyring``), and a clear error when there is none.

Each profile has its own keyring service, ``themesystem-studio/<profile>``, holding up to three entries:
``spaces-secret`` (the Spaces access key secret), ``do-token`` (DigitalOcean API token, for creating keys and
purging the CDN) and ``backend-token`` (the ThemeSystem API token). Secrets are never written anywhere else,
never logged and never put into an exception message; when no keyring is usable we refuse rather than fall
back to a plain-text file.
"""

from __future__ import annotations

import gc
import logging
import warnings
from collections.abc import Callable
from enum import StrEnum
from typing import TypeVar

import keyring
import keyring.errors
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null

log = logging.getLogger(__name__)
T = TypeVar("T")

SERVICE_PREFIX = "themesystem-studio/"

NO_KEYRING_HELP = (
    "No OS keyring is available (no Secret Service on D-Bus). Install and unlock one, e.g. "
    "`sudo apt-get install gnome-keyring` and log in to a desktop session, or run "
    "`gnome-keyring-daemon --unlock` (it reads the keyring password on stdin) inside a D-Bus session "
    "(`dbus-run-session -- bash`). On macOS and Windows the system keychain is used automatically. "
    "ThemeSystem Studio never stores secrets in plain text."
)


class SecretName(StrEnum):
    """The keyring usernames under a profile's service."""

    SPACES_SECRET = "spaces-secret"
    DO_TOKEN = "do-token"
    BACKEND_TOKEN = "backend-token"


class KeyringUnavailable(RuntimeError):  # noqa: N818 - the name the rest of the studio catches
    """No usable keyring: none installed, not reachable on D-Bus, or locked. ``str()`` says how to get one."""

    def __init__(self, detail: str = "") -> None:
        message = NO_KEYRING_HELP if not detail else f"{NO_KEYRING_HELP} (Detail: {detail})"
        super().__init__(message)


def service_name(profile: str) -> str:
    """The keyring service that holds ``profile``'s secrets."""
    return SERVICE_PREFIX + profile


def _unusable(backend: KeyringBackend) -> str | None:
    """Why ``backend`` cannot hold secrets, or None when it can."""
    if isinstance(backend, fail.Keyring):
        return "keyring found no backend (it chose keyring.backends.fail)"
    if isinstance(backend, null.Keyring):
        return "the keyring backend is keyring.backends.null, which stores nothing"
    if isinstance(backend, chainer.ChainerBackend) and not backend.backends:
        return "keyring found no backend to chain"
    return None


def _describe(exc: BaseException) -> str:
    """The failure's type and text; keyring and D-Bus errors never carry the secret value."""
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _call(fn: Callable[[], T]) -> T:
    """Run one backend call; any failure (D-Bus down, no Secret Service, locked) becomes KeyringUnavailable.

    keyring's Secret Service backend leaves its D-Bus connection open when it cannot find the collection;
    the failed call's frames are dropped here and collected quietly so the socket closes now, not as a
    ResourceWarning at some later garbage collection. ``PasswordDeleteError`` ("not there") passes through.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            return fn()
        except keyring.errors.PasswordDeleteError:
            raise
        except Exception as exc:  # never retry elsewhere: a plain-text fallback is not an option
            detail = _describe(exc)
        gc.collect()
    raise KeyringUnavailable(detail)


class SecretStore:
    """Reads and writes profile secrets in one keyring backend (the system's, unless one is given).

    Every method raises ``KeyringUnavailable`` when the backend cannot be used; the store holds no secret
    values itself, so its repr is safe to log.
    """

    def __init__(self, backend: KeyringBackend | None = None) -> None:
        self._backend = backend

    def __repr__(self) -> str:
        return f"SecretStore(backend={self.backend_name()!r})"

    def backend(self) -> KeyringBackend:
        """The keyring backend in use.

        Raises:
            KeyringUnavailable: the chosen backend cannot store secrets.
        """
        backend = self._backend if self._backend is not None else keyring.get_keyring()
        reason = _unusable(backend)
        if reason:
            raise KeyringUnavailable(reason)
        return backend

    def backend_name(self) -> str:
        """A short description of the backend (e.g. ``SecretService Keyring``) without touching it."""
        backend = self._backend if self._backend is not None else keyring.get_keyring()
        return f"{type(backend).__module__}.{type(backend).__qualname__}"

    def check(self) -> str:
        """Prove the keyring answers (a read of a name that need not exist); returns the backend name.

        Raises:
            KeyringUnavailable: no backend, the Secret Service is unreachable or locked.
        """
        self.get("__probe__", SecretName.BACKEND_TOKEN)
        return self.backend_name()

    def get(self, profile: str, name: SecretName) -> str | None:
        """The secret, or None when it is not stored."""
        backend = self.backend()
        value = _call(lambda: backend.get_password(service_name(profile), name.value))
        log.debug("keyring read %s for profile %s: %s", name.value, profile, "found" if value else "absent")
        return value

    def has(self, profile: str, name: SecretName) -> bool:
        """Whether the secret is stored (without returning it)."""
        return self.get(profile, name) is not None

    def present(self, profile: str) -> dict[SecretName, bool]:
        """Which of the profile's secrets are stored."""
        return {name: self.has(profile, name) for name in SecretName}

    def set(self, profile: str, name: SecretName, value: str) -> None:
        """Store (or replace) a secret.

        Raises:
            ValueError: the value is empty.
            KeyringUnavailable: the keyring cannot store it.
        """
        if not value:
            raise ValueError(f"refusing to store an empty {name.value} for profile {profile!r}")
        backend = self.backend()
        _call(lambda: backend.set_password(service_name(profile), name.value, value))
        log.debug("keyring stored %s for profile %s", name.value, profile)

    def delete(self, profile: str, name: SecretName) -> bool:
        """Remove a secret; returns whether it was there."""
        backend = self.backend()
        try:
            _call(lambda: backend.delete_password(service_name(profile), name.value))
        except keyring.errors.PasswordDeleteError:
            return False
        log.debug("keyring deleted %s for profile %s", name.value, profile)
        return True

    def delete_all(self, profile: str) -> list[SecretName]:
        """Remove every secret of ``profile``; returns the ones that were there."""
        return [name for name in SecretName if self.delete(profile, name)]
