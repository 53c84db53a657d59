"""RecoveryDialog: the message, Restore/Discard results, saved-vs-autosaved diff, Escape keeps edits."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from studio.ui.recovery_dialog import RecoveryDialog

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")

SAVED = ":root {\n  --brand: #0055ff;\n  --radius: 4px;\n}\n"
AUTOSAVED = ":root {\n  --brand: #ff5500;\n  --radius: 4px;\n}\n"


def make_dialog(qtbot: QtBot, **kwargs: object) -> RecoveryDialog:
    dialog = RecoveryDialog("Aurora", SAVED, AUTOSAVED, **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_message_names_theme_and_time(qtbot: QtBot) -> None:
    moment = datetime(2026, 3, 4, 9, 30, tzinfo=UTC)
    dialog = make_dialog(qtbot, autosaved_at=moment)
    text = dialog.message.text()
    assert "ThemeStudio closed without saving edits to “Aurora”" in text
    assert f"autosaved {moment.astimezone().strftime('%Y-%m-%d %H:%M')}" in text
    assert "Restore them?" in text


def test_restore_button_returns_restore(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot)
    with qtbot.waitSignal(dialog.finished) as blocker:
        qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [RecoveryDialog.RESTORE]


def test_discard_button_returns_discard(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot)
    with qtbot.waitSignal(dialog.finished) as blocker:
        qtbot.mouseClick(dialog.discard_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [RecoveryDialog.DISCARD]
    assert RecoveryDialog.DISCARD != RecoveryDialog.RESTORE


def test_escape_keeps_the_edits(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot)
    with qtbot.waitSignal(dialog.finished) as blocker:
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert blocker.args == [RecoveryDialog.RESTORE]


def test_show_diff_shows_saved_vs_autosaved(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot)
    assert not dialog.diff_view.isVisible()
    qtbot.mouseClick(dialog.diff_button, Qt.MouseButton.LeftButton)
    assert dialog.diff_view.isVisible()
    diff = dialog.diff_view.toPlainText()
    assert "--- theme.css (saved)" in diff
    assert "+++ autosaved edits" in diff
    assert "-  --brand: #0055ff;" in diff
    assert "+  --brand: #ff5500;" in diff
    assert "-  --radius" not in diff  # unchanged lines are context only
    assert dialog.diff_button.text() == "Hide Diff"
    qtbot.mouseClick(dialog.diff_button, Qt.MouseButton.LeftButton)
    assert not dialog.diff_view.isVisible()
    assert dialog.isVisible()  # showing the diff does not close the dialog


def test_warns_when_file_changed_since(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot, based_on_current=False)
    assert "changed on disk" in dialog.detail.text()
