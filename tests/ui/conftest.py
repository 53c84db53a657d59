"""UI tests: QtWebEngine must be imported (with its flags) before pytest-qt creates the QApplication."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from studio.ui.qt_env import prepare_qt_environment

prepare_qt_environment()


@pytest.fixture(autouse=True, scope="session")
def _delete_web_views_before_exit() -> Iterator[None]:
    """Destroy closed widgets (and their web pages) while the QApplication still runs.

    Otherwise the pages outlive their profiles at interpreter exit and Chromium warns "Release of profile
    requested but WebEnginePage still not deleted", which can end the test process with a crash.
    """
    yield
    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QApplication

    for widget in QApplication.topLevelWidgets():
        widget.deleteLater()  # not close(): a window with edits would ask "save changes?" and wait
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
