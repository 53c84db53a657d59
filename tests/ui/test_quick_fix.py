"""Quick fixes in the studio: from the Problems panel and the editor gutter, each one undo step; and fixes
meant to change nothing leave the rendered preview pixel-identical."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QApplication, QMenu
from pytestqt.qtbot import QtBot

from studio.core.css.fixes import fix_css
from studio.core.diagnostics import Diagnostic
from studio.core.paths import resources_dir
from studio.core.starters import create_theme
from studio.ui.main_window import StudioWindow
from studio.ui.preview_render import render_preview_png

MISTAKES = "\n.qf { color: red; width: calc(100%-10px); color: red; font-family: Helvetica; }\n"


@pytest.fixture
def window(qtbot: QtBot, tmp_path: Path) -> Iterator[StudioWindow]:
    theme = create_theme(tmp_path / "aurora", "light", "Aurora")
    win = StudioWindow()
    win.resize(1400, 900)
    win.show()
    assert win.open_theme(theme.root)
    qtbot.waitUntil(win.preview.is_loaded, timeout=15000)
    yield win
    win.editor.document().setModified(False)
    win._saved_text = win.editor.toPlainText()
    win.close()
    win.deleteLater()


def type_mistakes(qtbot: QtBot, win: StudioWindow) -> str:
    """Append the mistakes as one edit; returns the text once the analysis has caught up with it."""
    before = win.editor.toPlainText()
    cursor = win.editor.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    win.editor.setTextCursor(cursor)
    win.editor.insertPlainText(MISTAKES)
    text = before + MISTAKES
    qtbot.waitUntil(lambda: win._last_analysis is not None and win._last_analysis.text == text, timeout=5000)
    return text


def fixable(win: StudioWindow) -> list[Diagnostic]:
    return [d for d in win.problems.model.all_diagnostics() if d.fix is not None]


def test_problems_panel_quick_fix_is_one_undo_step(qtbot: QtBot, window: StudioWindow) -> None:
    text = type_mistakes(qtbot, window)
    panel = window.problems
    assert {d.rule for d in fixable(window)} == {
        "calc-operator-spacing",
        "duplicate-declaration",
        "font-family-no-generic",
    }
    assert panel.fix_all_button.isEnabled()
    assert panel.fix_all_button.text() == "Fix All (3)"
    row = next(
        r for r in range(panel.model.rowCount()) if panel.model.diagnostic(r).rule == "calc-operator-spacing"
    )
    panel.table.selectRow(row)
    assert panel.fix_button.isEnabled()
    qtbot.mouseClick(panel.fix_button, Qt.MouseButton.LeftButton)
    fixed = window.editor.toPlainText()
    assert "calc(100% - 10px)" in fixed
    assert fixed.replace("calc(100% - 10px)", "calc(100%-10px)") == text  # nothing else changed
    qtbot.waitUntil(lambda: not any(d.rule == "calc-operator-spacing" for d in fixable(window)), timeout=5000)
    window.editor.undo()
    assert window.editor.toPlainText() == text  # one undo step restores the exact text


def test_fix_all_applies_every_safe_fix_as_one_step(qtbot: QtBot, window: StudioWindow) -> None:
    text = type_mistakes(qtbot, window)
    qtbot.mouseClick(window.problems.fix_all_button, Qt.MouseButton.LeftButton)
    assert window.editor.toPlainText().endswith(
        ".qf { width: calc(100% - 10px); color: red; font-family: Helvetica, sans-serif; }\n"
    )
    qtbot.waitUntil(lambda: not fixable(window), timeout=5000)
    assert not window.problems.fix_all_button.isEnabled()
    window.editor.undo()
    assert window.editor.toPlainText() == text


@pytest.mark.qt_log_ignore("does not support raise", "does not support grabbing the keyboard")
def test_gutter_bulb_menu_applies_the_chosen_fix(qtbot: QtBot, window: StudioWindow) -> None:
    text = type_mistakes(qtbot, window)
    line = text.count("\n", 0, text.index(".qf")) + 1
    editor = window.editor
    assert [d.rule for d in editor.fixes_on_line(line)] == [
        "calc-operator-spacing",
        "duplicate-declaration",
        "font-family-no-generic",
    ]
    assert editor.fixes_on_line(line - 1) == []
    editor.go_to(line, 1)
    qtbot.keyClick(editor, Qt.Key.Key_Period, Qt.KeyboardModifier.ControlModifier)  # Ctrl+. pops the menu
    menu = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QMenu) and w.isVisible())
    assert [a.text() for a in menu.actions()] == [
        "Put spaces around '-'",
        "Remove the first color declaration",
        "Append the generic family sans-serif",
    ]
    assert "_gutter" in dir(editor)
    assert "Quick fix" in editor._gutter_tooltip(
        editor.blockBoundingGeometry(editor.document().findBlockByNumber(line - 1))
        .translated(editor.contentOffset())
        .top()
        + 1
    )
    shot = os.environ.get("THEMESTUDIO_QUICKFIX_SCREENSHOT")
    if shot:  # for looking at the UI: the window with the menu where it pops up
        QApplication.processEvents()  # let pending layout requests run before the grab
        image = window.grab().toImage()
        painter = QPainter(image)
        painter.drawImage(window.mapFromGlobal(menu.pos()), menu.grab().toImage())
        painter.end()
        image.save(shot)
    menu.actions()[2].trigger()
    menu.close()
    assert editor.toPlainText() == text.replace(
        "font-family: Helvetica;", "font-family: Helvetica, sans-serif;"
    )
    editor.undo()
    assert editor.toPlainText() == text


def test_a_stale_fix_is_refused(qtbot: QtBot, window: StudioWindow) -> None:
    type_mistakes(qtbot, window)
    [stale] = [d for d in fixable(window) if d.rule == "calc-operator-spacing"]
    cursor = window.editor.textCursor()
    cursor.setPosition(0)
    window.editor.setTextCursor(cursor)
    window.editor.insertPlainText("/* moved */\n")
    before = window.editor.toPlainText()
    assert not window.apply_fix(stale)  # its positions belong to the previous text
    assert window.editor.toPlainText() == before


def test_fixes_meant_to_change_nothing_render_the_same(qapp: QApplication, tmp_path: Path) -> None:
    folder = resources_dir() / "themes" / "light"
    css = (folder / "theme.css").read_text(encoding="utf-8") + (
        "\n.btn { padding: .5rem 1rem; padding: .5rem 1rem;; }\n"
        "@keyframes pulse { from { opacity: 0 !important; } to { opacity: 1; } }\n"
        ".card { animation: pulse 1s; border-radius: 4px; border-radius: 4px; }\n"
    )
    result = fix_css(css)
    assert {d.rule for d in result.fixed} == {
        "duplicate-declaration",
        "extra-semicolon",
        "keyframes-important",
    }
    before, after = tmp_path / "before.png", tmp_path / "after.png"
    render_preview_png(css, before, base_dir=folder, height=1600)
    render_preview_png(result.text, after, base_dir=folder, height=1600)
    assert QImage(str(before)) == QImage(str(after))
