"""SIGTERM/SIGINT/SIGHUP reach the Qt event loop as a signal, and the window then closes without asking."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from studio.core.starters import create_theme
from studio.ui.main_window import StudioWindow
from studio.ui.quit_signals import QUIT_SIGNALS, SignalQuitter


def test_each_quit_signal_arrives_in_the_event_loop_and_handlers_are_given_back(qtbot: QtBot) -> None:
    before = {s: signal.getsignal(s) for s in QUIT_SIGNALS}
    quitter = SignalQuitter()
    try:
        for sig in QUIT_SIGNALS:
            with qtbot.waitSignal(quitter.received, timeout=5000) as got:
                os.kill(os.getpid(), sig)  # handled: the test process lives on
            assert got.args == [int(sig)]
    finally:
        quitter.uninstall()
    assert {s: signal.getsignal(s) for s in QUIT_SIGNALS} == before


def test_an_unattended_close_autosaves_the_edit_and_asks_nothing(qtbot: QtBot, tmp_path: Path) -> None:
    theme = create_theme(tmp_path / "aurora", "light", "Aurora")
    win = StudioWindow()
    qtbot.addWidget(win)
    win.show()
    assert win.open_theme(theme.root)
    win.editor.moveCursor(win.editor.textCursor().MoveOperation.End)
    win.editor.insertPlainText("\n/* typed just before the logout */\n")
    asked: list[str] = []

    def refuse_questions() -> None:  # a question would block a logout: fail the test instead of hanging
        dialog = QApplication.activeModalWidget()
        if dialog is not None:
            asked.append(dialog.windowTitle())
            dialog.reject()

    watcher = QTimer(interval=20)
    watcher.timeout.connect(refuse_questions)
    watcher.start()
    try:
        win.close_unattended()
    finally:
        watcher.stop()
        win._saved_text = win.editor.toPlainText()  # a failed close must not ask again at teardown
    assert asked == []
    assert not win.isVisible()
    pending = theme.history.pending_autosave()
    assert pending is not None
    assert "/* typed just before the logout */" in pending
    assert "/* typed just before the logout */" not in theme.read_css()  # offered back, not saved over
