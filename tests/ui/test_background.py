"""Background operations report on the GUI thread, and never to a window that has closed meanwhile."""

from __future__ import annotations

import threading

from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from studio.ui.background import run_in_background


def test_success_and_failure_arrive_on_the_gui_thread(qtbot: QtBot) -> None:
    got: list[tuple[str, object, bool]] = []
    gui = QThread.currentThread()

    def fail() -> None:
        raise ValueError("disk full")

    run_in_background(lambda: 42, lambda r: got.append(("ok", r, QThread.currentThread() is gui)))
    run_in_background(fail, None, lambda e: got.append(("err", str(e), QThread.currentThread() is gui)))
    qtbot.waitUntil(lambda: len(got) == 2, timeout=5000)
    assert sorted(got) == [("err", "disk full", True), ("ok", 42, True)]


def test_outcome_is_dropped_when_the_owner_was_deleted(qtbot: QtBot) -> None:
    owner = QWidget()
    release = threading.Event()
    calls: list[str] = []
    finished = threading.Event()

    def work() -> int:
        release.wait(5)
        finished.set()
        return 1

    run_in_background(work, lambda _r: calls.append("ok"), lambda _e: calls.append("err"), owner=owner)
    owner.deleteLater()
    qtbot.waitUntil(lambda: not _alive(owner), timeout=5000)
    release.set()
    qtbot.waitUntil(finished.is_set, timeout=5000)
    for _ in range(20):
        QApplication.processEvents()
    assert calls == []


def _alive(widget: QWidget) -> bool:
    import shiboken6

    QApplication.sendPostedEvents()
    return bool(shiboken6.isValid(widget))
