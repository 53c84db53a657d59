"""The local platform: the sandbox (a local SeaweedFS) and the bundled backend, started side by side, with the
``local`` and ``local-reviewer`` profiles' secrets put in the keyring.

The studio starts it after its first preview; ``themestudio sandbox start`` starts it without a GUI. Either
way a user with no DigitalOcean account can publish, submit drafts and review with the ``local`` profiles.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from studio.adapters.local_backend import LocalBackend
from studio.adapters.sandbox import Sandbox, SandboxError, keyring_saver
from studio.adapters.secrets import KeyringUnavailable, SecretName, SecretStore
from studio.adapters.server_lock import ServerRecord
from studio.core.paths import user_data_dir
from studio.core.profiles import LOCAL_PROFILE, LOCAL_REVIEWER_PROFILE

log = logging.getLogger(__name__)


class LocalPlatform:
    """SeaweedFS + the bundled API (+ embedded PostgreSQL/Redis when none answer)."""

    def __init__(self, data_dir: Path | None = None) -> None:
        base = data_dir or user_data_dir()
        self.backend = LocalBackend(base / "backend")
        self.sandbox = Sandbox(save_secret=keyring_saver())
        #: What works only partly (no sandbox, no keyring), for the status line; empty when all is well.
        self.notes: list[str] = []

    @property
    def lock_paths(self) -> list[Path]:
        return [self.sandbox.lock_path, self.backend.lock_path]

    def start(self, cancel: threading.Event | None = None) -> str:
        """Start both (side by side: the backend migrates and issues tokens, ~7 s, while SeaweedFS starts,
        ~4 s; the API needs the sandbox only when it starts); returns the backend URL.

        A sandbox that cannot start is a note, not a failure: the backend runs without storage grants.

        Raises:
            LocalBackendError: the backend did not start (the sandbox is stopped again).
        """
        sandbox_done = threading.Event()

        def start_sandbox() -> None:
            try:
                self.sandbox.start(cancel=cancel)
            except SandboxError as exc:
                self.notes.append(str(exc))
            finally:
                sandbox_done.set()

        def storage_env() -> dict[str, str]:
            sandbox_done.wait()
            return self.sandbox.backend_env() if self.sandbox.running else {}

        threading.Thread(target=start_sandbox, name="sandbox-start", daemon=True).start()
        try:
            url = self.backend.start(cancel=cancel, storage_env=storage_env)
        finally:
            sandbox_done.wait()  # whatever happened, neither start is still in flight
        if self.sandbox.running and self.backend.token and self.backend.reviewer_token:
            # The local profiles register releases and drafts with the bundled backend as this user, and
            # review them as its reviewer twin (nobody may review their own drafts).
            try:
                store = SecretStore()
                store.set(LOCAL_PROFILE, SecretName.BACKEND_TOKEN, self.backend.token)
                store.set(LOCAL_REVIEWER_PROFILE, SecretName.BACKEND_TOKEN, self.backend.reviewer_token)
                secret = self.sandbox.credentials().secret_key
                store.set(LOCAL_REVIEWER_PROFILE, SecretName.SPACES_SECRET, secret)
            except KeyringUnavailable as exc:
                self.notes.append(f"Local releases are not registered: {exc}")
            else:
                self.sandbox.record_backend(url)
        return url

    def stop(self) -> None:
        """Stop both, side by side: SeaweedFS takes its whole grace period, the API well under a second."""
        stopping = threading.Thread(target=self.backend.stop, name="backend-stop")
        stopping.start()
        self.sandbox.stop()
        stopping.join()

    def servers(self) -> list[ServerRecord]:
        return self.backend.servers() + self.sandbox.servers()

    def recovered(self) -> list[str]:
        """What the start had to stop first (servers a crashed studio left)."""
        return self.sandbox.recovered + self.backend.recovered

    def describe(self) -> str:
        """One line: which PostgreSQL/Redis, which storage, and the notes."""
        services = self.backend.services
        parts = [f"Postgres {services.postgres_kind}, Redis {services.redis_kind}"] if services else []
        running = self.sandbox.running
        parts.append(f"Storage: local sandbox · {self.sandbox.endpoint}" if running else "No local sandbox")
        return "; ".join([*parts, *self.notes])
