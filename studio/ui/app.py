"""Start the studio: QApplication, main window, first theme."""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from studio import __version__
from studio.core.paths import resources_dir, user_data_dir
from studio.ui.background import run_in_background

if TYPE_CHECKING:
    from studio.ui.main_window import StudioWindow


def create_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication with the studio's identity (used for QSettings) and icon."""
    QCoreApplication.setOrganizationName("ThemeSystem")
    QCoreApplication.setApplicationName("ThemeSystem Studio")
    QCoreApplication.setApplicationVersion(__version__)
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    assert isinstance(app, QApplication)
    icon = resources_dir() / "icons" / "themestudio.svg"
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    return app


def run_studio(folder: Path | None = None) -> int:
    """Open the studio on ``folder`` (or the most recent / a new starter theme) and run the event loop."""
    from studio.ui.main_window import StudioWindow, default_theme_folder, exit_after_first_paint

    app = create_application()
    window = StudioWindow()
    exit_after_first_paint(window)
    window.show()
    try:
        target = folder or default_theme_folder()
    except OSError as exc:
        QMessageBox.warning(window, "Cannot create a theme", str(exc))
        target = None
    if target is not None:
        window.open_theme(target)
    if wants_local_backend():
        # After the first preview: the editor comes first, the backend is not needed for the first edits.
        start_local_backend(app, window)
    return app.exec()


def wants_local_backend() -> bool:
    """The bundled backend runs unless a backend URL is configured or it is switched off."""
    switched_off = os.environ.get("THEMESTUDIO_LOCAL_BACKEND", "1") == "0"
    return not os.environ.get("THEMESYSTEM_API_URL") and not switched_off


def start_local_backend(app: QApplication, window: StudioWindow) -> None:
    """Start the local sandbox and the bundled backend off the GUI thread after the first preview.

    The sandbox (a local SeaweedFS) comes first so the backend gets its ``SPACES_*``; when it cannot start,
    the backend still starts (without storage grants) and the Publish dialog simply has no local profile.
    Both stop at quit.
    """
    from studio.adapters.local_backend import LocalBackend
    from studio.adapters.sandbox import Sandbox, SandboxError, keyring_saver
    from studio.adapters.secrets import KeyringUnavailable, SecretName, SecretStore
    from studio.core.profiles import LOCAL_PROFILE, LOCAL_REVIEWER_PROFILE

    backend = LocalBackend(user_data_dir() / "backend")
    sandbox = Sandbox(save_secret=keyring_saver())
    quitting, settled = threading.Event(), threading.Event()
    settled.set()  # nothing in flight until the start job runs

    def stop_all() -> None:
        # A start still in flight stops at its next step; wait for it so no server outlives the studio.
        quitting.set()
        settled.wait(timeout=30)
        backend.stop()
        sandbox.stop()

    app.aboutToQuit.connect(stop_all)
    window.set_backend_status("Backend: starting (local)…")

    def start_both() -> str:
        try:
            return start_sandbox_then_backend()
        finally:
            settled.set()

    def start_sandbox_then_backend() -> str:
        try:
            sandbox.start()
        except SandboxError as exc:
            window_note.append(str(exc))  # reported with the backend status; the studio works without it
        else:
            backend.storage_env = sandbox.backend_env()
        url = backend.start(cancel=quitting)
        if sandbox.running and backend.token and backend.reviewer_token:
            # The local profiles register releases and drafts with the bundled backend as this user, and
            # review them as its reviewer twin (nobody may review their own drafts).
            try:
                store = SecretStore()
                store.set(LOCAL_PROFILE, SecretName.BACKEND_TOKEN, backend.token)
                store.set(LOCAL_REVIEWER_PROFILE, SecretName.BACKEND_TOKEN, backend.reviewer_token)
                store.set(LOCAL_REVIEWER_PROFILE, SecretName.SPACES_SECRET, sandbox.credentials().secret_key)
            except KeyringUnavailable as exc:
                window_note.append(f"Local releases are not registered: {exc}")
            else:
                sandbox.record_backend(url)
        return url

    window_note: list[str] = []

    def started(url: str) -> None:
        services = backend.services
        detail = f"Postgres {services.postgres_kind}, Redis {services.redis_kind}" if services else ""
        if sandbox.running:
            window.sandbox = sandbox  # the Publish dialog offers it as the "local" profile
        storage = f"Storage: local sandbox · {sandbox.endpoint}" if sandbox.running else "No local sandbox"
        detail = "; ".join([d for d in (detail, storage, *window_note) if d])
        window.set_backend_status(f"Backend: local · {url}", detail)

    def failed(exc: Exception) -> None:
        if sandbox.running:
            window.sandbox = sandbox
        window.set_backend_status("Backend: unavailable (local)", str(exc))

    def launch(*_: object) -> None:
        window.preview.applied.disconnect(launch)
        if quitting.is_set():  # the studio quit before its first preview was even confirmed
            return
        settled.clear()
        run_in_background(start_both, started, failed)

    window.preview.applied.connect(launch)
