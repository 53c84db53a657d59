"""Start the studio: QApplication, main window, first theme."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from studio import __version__
from studio.core.paths import resources_dir


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
    return app.exec()
