"""Start the studio: one instance, QApplication, main window, first theme, local servers; quit on signals."""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from studio import __version__
from studio.core.paths import resources_dir
from studio.ui.background import run_in_background

if TYPE_CHECKING:
    from studio.ui.main_window import StudioWindow
    from studio.ui.single_instance import SingleInstance

log = logging.getLogger(__name__)
#: Objects that must live as long as the process (the reaper's pipe closes when its Popen is collected).
_KEEP_ALIVE: list[Any] = []


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
    """Open the studio on ``folder`` (or the most recent / a new starter theme) and run the event loop.

    When a studio already runs for this user, ``folder`` is handed to it instead (it opens it and comes to
    the front) and this returns 0 at once.
    """
    from studio.adapters.app_log import start_file_log
    from studio.ui.keyring_notice import explain_missing_keyring
    from studio.ui.main_window import StudioWindow, default_theme_folder, exit_after_first_paint
    from studio.ui.quit_signals import SignalQuitter
    from studio.ui.single_instance import SingleInstance

    app = create_application()
    instance = SingleInstance(parent=app)
    if not instance.claim():
        return hand_over(instance, folder)
    start_file_log()
    quitter = SignalQuitter(parent=app)  # before the window: a signal during start-up quits once it is up
    window = StudioWindow()
    quitter.received.connect(lambda signum: quit_on_signal(app, window, signum))
    instance.openRequested.connect(lambda path: bring_forward(window, path))
    exit_after_first_paint(window)
    window.show()
    explain_missing_keyring(window)
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


def hand_over(instance: SingleInstance, folder: Path | None) -> int:
    """A studio runs already: give it ``folder`` (or just bring it to the front); 0 when it took it."""
    from studio.ui.single_instance import HandoverError

    if folder is not None and not folder.is_dir():
        print(f"themestudio: {folder}: not a theme folder", file=sys.stderr)
        return 2
    try:
        instance.hand_over(folder)
    except HandoverError as exc:
        print(f"themestudio: {exc}", file=sys.stderr)
        return 1
    what = f"{folder} opens" if folder is not None else "it comes to the front"
    print(f"themestudio: ThemeSystem Studio is already running (PID {instance.running_pid()}): {what} there.")
    return 0


def bring_forward(window: StudioWindow, folder: Path | None) -> None:
    """A second launch asked for ``folder`` (or for the window): open it and come to the front."""
    if folder is not None:
        window.open_theme(folder)
    window.setWindowState(window.windowState() & ~Qt.WindowState.WindowMinimized)
    window.show()
    window.raise_()
    window.activateWindow()


def quit_on_signal(app: QApplication, window: StudioWindow, signum: int) -> None:
    """SIGTERM/SIGINT/SIGHUP: quit as File → Quit does (edits autosaved, no question asked); ``aboutToQuit``
    then stops the local servers."""
    log.info("quitting on %s", signal.Signals(signum).name)
    window.close_unattended()
    app.quit()


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
    from studio.adapters.local_platform import LocalPlatform
    from studio.adapters.reaper import start_reaper

    platform = LocalPlatform()
    sandbox = platform.sandbox
    # If the studio dies (SIGKILL, a crash) the reaper stops what the lock files still list.
    _KEEP_ALIVE.append(start_reaper(platform.lock_paths))
    quitting, settled = threading.Event(), threading.Event()
    settled.set()  # nothing in flight until the start job runs

    def stop_all() -> None:
        # A start still in flight stops at its next step; wait for it so no server outlives the studio.
        quitting.set()
        settled.wait(timeout=30)
        platform.stop()

    app.aboutToQuit.connect(stop_all)
    window.set_backend_status("Backend: starting (local)…")

    def start_both() -> str:
        try:
            return platform.start(cancel=quitting)
        finally:
            settled.set()

    def show_servers() -> None:
        window.set_local_servers(platform.servers(), platform.recovered())

    def started(url: str) -> None:
        show_servers()
        if sandbox.running:
            window.sandbox = sandbox  # the Publish dialog offers it as the "local" profile
        detail = platform.describe()
        log.info("local backend at %s (%s)", url, detail)
        window.set_backend_status(f"Backend: local · {url}", detail)

    def failed(exc: Exception) -> None:
        log.warning("the local backend did not start: %s", exc)
        show_servers()
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
