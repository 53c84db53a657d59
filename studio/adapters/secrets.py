"""Profile secrets in the OS keyring (through ``keyring``), and a clear error when there is none.

Each profile has its own keyring service, ``themesystem-studio/<profile>``, holding up to three entries:
``spaces-secret`` (the Spaces access key secret), ``do-token`` (DigitalOcean API token, for creating keys and
purging the CDN) and ``backend-token`` (the ThemeSystem API token). Secrets are never written anywhere else,
never logged and never put into an exception message; when no keyring is usable we refuse rather than fall
back to a plain-text file. Only the OS secret stores are accepted (:data:`REAL_STORES`): a plain-text or
"encrypted file" backend selected by configuration is refused the same way.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import warnings
from collections.abc import Callable
from enum import StrEnum
from typing import TypeVar

import keyring
import keyring.errors
import keyring.util.platform_
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null

log = logging.getLogger(__name__)
T = TypeVar("T")

SERVICE_PREFIX = "themesystem-studio/"

NO_KEYRING_HELP = (
    "No OS keyring is available (no Secret Service on D-Bus, or keyring is set to a backend that is not an "
    "OS secret store). Install and unlock one, e.g. "
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


#: The OS secret stores (encrypted at rest, unlocked with the user's session), by exact class. Anything else
#: keyring can be told to use (``PYTHON_KEYRING_BACKEND``, ``keyringrc.cfg``, or picked by itself when a
#: package such as keyrings.alt is installed) may be a plain-text or merely obfuscated file: refused.
REAL_STORES = frozenset({
    "keyring.backends.SecretService.Keyring",  # GNOME Keyring, KeePassXC... over D-Bus
    "keyring.backends.libsecret.Keyring",  # the same Secret Service through libsecret
    "keyring.backends.kwallet.DBusKeyring",  # KWallet 5/6
    "keyring.backends.kwallet.DBusKeyringKWallet4",
    "keyring.backends.macOS.Keyring",  # macOS Keychain
    "keyring.backends.Windows.WinVaultKeyring",  # Windows Credential Locker
})


def _class_name(backend: object) -> str:
    return f"{type(backend).__module__}.{type(backend).__qualname__}"


def _chosen_by() -> str:
    """Where keyring's choice of backend came from, so the message can say what to change."""
    if os.environ.get("PYTHON_KEYRING_BACKEND"):
        return "the environment variable PYTHON_KEYRING_BACKEND selects it: unset it"
    with contextlib.suppress(Exception):  # keyring's config location helpers differ between versions
        config = keyring.util.platform_.config_root() / "keyringrc.cfg"
        if config.is_file() and "default-keyring" in config.read_text(encoding="utf-8", errors="replace"):
            return f"{config} selects it (default-keyring): remove that line"
    return "keyring picked it by itself: uninstall the package that provides it (e.g. keyrings.alt)"


def _real_store(backend: KeyringBackend) -> KeyringBackend:
    """The OS secret store to use for ``backend``: itself, or the first real store a chainer holds.

    Raises:
        KeyringUnavailable: there is none; the detail says which backend was chosen and how to change that.
    """
    if isinstance(backend, fail.Keyring):
        raise KeyringUnavailable("keyring found no backend (it chose keyring.backends.fail)")
    if isinstance(backend, null.Keyring):
        raise KeyringUnavailable(
            f"the keyring backend is keyring.backends.null, which stores nothing; {_chosen_by()}"
        )
    if isinstance(backend, chainer.ChainerBackend):
        # A chainer falls through to its next backend when one fails: a plain-text one must never be next.
        real = [b for b in backend.backends if _class_name(b) in REAL_STORES]
        if real:
            first: KeyringBackend = real[0]
            return first
        chained = ", ".join(_class_name(b) for b in backend.backends) or "nothing"
        raise KeyringUnavailable(f"keyring chains {chained}, none of them an OS secret store")
    name = _class_name(backend)
    if name not in REAL_STORES:
        raise KeyringUnavailable(
            f"keyring is set to use {name}, which is not an OS secret store (it may keep secrets in a "
            f"plain or merely obfuscated file); {_chosen_by()}"
        )
    return backend


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
        return _real_store(self._configured())

    def _configured(self) -> KeyringBackend:
        if self._backend is not None:
            return self._backend
        try:
            return keyring.get_keyring()
        except Exception as exc:  # e.g. PYTHON_KEYRING_BACKEND names a class that does not exist
            raise KeyringUnavailable(f"keyring could not load its backend: {_describe(exc)}") from None

    def backend_name(self) -> str:
        """The backend's class (e.g. ``keyring.backends.SecretService.Keyring``) without touching it."""
        try:
            return _class_name(self.backend())
        except KeyringUnavailable:
            with contextlib.suppress(KeyringUnavailable):
                return _class_name(self._configured())
            return "none"

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
