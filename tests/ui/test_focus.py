"""The studio window by keyboard only: panes (F6, Alt+digit), Tab order, no traps, Esc, focus ring, names."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QColor, QPalette
from PySide6.QtWidgets import QAbstractItemView, QApplication, QColorDialog, QMenu, QWidget
from pytestqt.qtbot import QtBot

from studio.core.starters import create_theme
from studio.ui.accessibility import ANNOUNCED, accessible_name, mnemonic_of
from studio.ui.focus import MIN_CONTRAST, RING_WIDTH, FocusRing, contrast, ring_color
from studio.ui.main_window import StudioWindow
from studio.ui.token_panel import BADGE_COLUMN, SWATCH_COLUMN, VALUE_COLUMN
from tests.ui.keyboard import audit, focused

SHOTS = Path("/tmp/focus-rings")
BROKEN_LINE = "  colr: red;\n"


@pytest.fixture(scope="module")
def window(qapp: QApplication, tmp_path_factory: pytest.TempPathFactory) -> Iterator[StudioWindow]:
    theme = create_theme(tmp_path_factory.mktemp("focus") / "aurora", "light", "Aurora")
    win = StudioWindow()
    win.resize(1400, 900)
    win.show()
    assert win.open_theme(theme.root)
    win.activateWindow()
    yield win
    win._saved_text = win.editor.toPlainText()  # skip the "save changes?" question on close
    win.close()
    win.deleteLater()


@pytest.fixture
def win(window: StudioWindow, qtbot: QtBot) -> StudioWindow:
    """The window with the editor focused, every pane shown and no bar open."""
    window.problems_dock.show()
    window.tokens_dock.show()
    window.editor.find_bar().hide()
    window.editor.go_to_bar().hide()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    window.editor.setFocus()
    qtbot.waitUntil(lambda: focused() is window.editor, timeout=2000)
    return window


def _wait_for_problem(qtbot: QtBot, win: StudioWindow) -> int:
    """Put an unknown property in the first rule (once); returns its 1-based line."""
    text = win.editor.toPlainText()
    if BROKEN_LINE not in text:
        line = text[: text.index(":root {")].count("\n") + 2
        win.editor.go_to(line, 1)
        win.editor.insertPlainText(BROKEN_LINE)
        text = win.editor.toPlainText()
    qtbot.waitUntil(lambda: win.problems.model.rowCount() > 0, timeout=10_000)
    return text[: text.index(BROKEN_LINE)].count("\n") + 1


def test_every_control_is_named_and_tab_cycles_the_window(qtbot: QtBot, win: StudioWindow) -> None:
    _wait_for_problem(qtbot, win)  # the Problems table has rows: it must not keep Tab among them
    order = audit(qtbot, win, start=win.tokens.filter_edit, reading_order=False)
    preview = [win.scheme_box, win.viewport_box]
    problems = [w for w in win.problems.controls() if w.isEnabled()]  # Quick Fix waits for a selection
    expected = [*win.tokens.controls(), win.editor, *preview, *problems]
    assert order == expected  # left to right, top to bottom: the panes as they sit on screen
    assert "editor" in accessible_name(win.editor)
    assert accessible_name(win.tokens.tree) == "Tokens"
    assert accessible_name(win.problems.table) == "Problems"
    assert accessible_name(win.scheme_box) == "Scheme"
    assert not win.problems.table.tabKeyNavigation()


def test_tab_indents_in_the_editor_and_ctrl_tab_leaves(qtbot: QtBot, win: StudioWindow) -> None:
    win.editor.go_to(1, 1)
    before = win.editor.toPlainText()
    for _ in range(3):
        qtbot.keyClick(win.editor, Qt.Key.Key_Tab)
    assert focused() is win.editor
    assert win.editor.toPlainText() == "      " + before
    win.editor.replace_all_text(before)
    qtbot.keyClick(win.editor, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert focused() is win.scheme_box
    win.editor.setFocus()
    qtbot.keyClick(win.editor, Qt.Key.Key_Backtab,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert focused() is win.tokens.contrast
    assert win.editor.toPlainText() == before


def test_f6_cycles_the_panes_and_returns_where_it_was(qtbot: QtBot, win: StudioWindow) -> None:
    for widget in (win.tokens.tree, win.scheme_box, win.problems.table, win.editor):
        widget.setFocus()  # where the focus was last in each pane
    visited = []
    for _ in range(4):
        qtbot.keyClick(focused(), Qt.Key.Key_F6)
        visited.append(focused())
    assert visited == [win.tokens.tree, win.scheme_box, win.problems.table, win.editor]
    qtbot.keyClick(win.editor, Qt.Key.Key_F6, Qt.KeyboardModifier.ShiftModifier)
    assert focused() is win.problems.table
    win.tokens.filter_edit.setFocus()
    win.editor.setFocus()
    qtbot.keyClick(win.editor, Qt.Key.Key_F6)
    assert focused() is win.tokens.filter_edit  # back where the focus was in that pane
    win.tokens_dock.hide()
    win.editor.setFocus()
    qtbot.keyClick(win.editor, Qt.Key.Key_F6)
    assert focused() is win.scheme_box  # a closed pane is skipped


def test_view_menu_lists_a_shortcut_for_each_pane(qtbot: QtBot, win: StudioWindow) -> None:
    view = next(a.menu() for a in win.menuBar().actions() if a.text() == "&View")
    assert isinstance(view, QMenu)
    jumps = {a.text(): a.shortcut().toString() for a in view.actions() if a.text().startswith("Go to")}
    assert len(jumps) == 6
    assert all(jumps.values()), jumps
    win.problems_dock.hide()
    qtbot.keyClick(win.editor, Qt.Key.Key_4, Qt.KeyboardModifier.AltModifier)
    assert win.problems_dock.isVisible()  # jumping to a closed pane opens it
    assert focused() is win.problems.table
    qtbot.keyClick(focused(), Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
    assert focused() is win.tokens.tree
    qtbot.keyClick(focused(), Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)
    assert focused() is win.editor


@pytest.mark.parametrize("where", ["tree", "filter", "problems", "scheme"])
def test_escape_in_a_pane_returns_to_the_editor(qtbot: QtBot, win: StudioWindow, where: str) -> None:
    widget: QWidget = {"tree": win.tokens.tree, "filter": win.tokens.filter_edit,
                       "problems": win.problems.table, "scheme": win.scheme_box}[where]
    widget.setFocus()
    qtbot.waitUntil(lambda: focused() is widget, timeout=2000)
    qtbot.keyClick(widget, Qt.Key.Key_Escape)
    assert focused() is win.editor


def test_find_bar_is_tabbable_and_escape_returns(qtbot: QtBot, win: StudioWindow) -> None:
    qtbot.keyClick(win.editor, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)
    bar = win.editor.find_bar()
    assert focused() is bar.find_edit
    seen = [focused()]
    for _ in range(len(bar.controls()) - 1):
        qtbot.keyClick(focused(), Qt.Key.Key_Tab)
        seen.append(focused())
    assert seen == bar.controls()  # the find row, then the replace row, in reading order
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is win.scheme_box  # and on out of the bar: no trap
    win.editor.setFocus()
    qtbot.keyClick(win.editor, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert focused() is bar.find_edit  # Ctrl+Tab from the editor reaches the open bar first
    qtbot.keyClick(bar.find_edit, Qt.Key.Key_Escape)
    assert not bar.isVisible()
    assert focused() is win.editor
    symbols = (bar.regex_check, bar.prev_button, bar.next_button, bar.close_button)
    names = [accessible_name(w) for w in symbols]
    assert names == ["Regular expression", "Previous match", "Next match", "Close find bar"]


def test_problems_by_keyboard_and_caret_diagnostics(qtbot: QtBot, win: StudioWindow) -> None:
    line = _wait_for_problem(qtbot, win)
    qtbot.keyClick(win.editor, Qt.Key.Key_4, Qt.KeyboardModifier.AltModifier)
    table = win.problems.table
    assert focused() is table
    model = win.problems.model
    row = next(r for r in range(model.rowCount()) if "colr" in model.diagnostic(r).message)
    table.setCurrentIndex(model.index(row, 0))
    qtbot.keyClick(table, Qt.Key.Key_Return)
    assert focused() is win.editor
    assert win.editor.line_column()[0] == line
    description = win.editor.accessibleDescription()
    assert description.startswith(f"Line {line}: warning at column 3: Unknown property 'colr'")
    assert win.statusBar().currentMessage() == description
    assert any(text.startswith(f"Line {line}: ") and "colr" in text for text, _assertive in ANNOUNCED)


def test_tokens_by_keyboard(qtbot: QtBot, win: StudioWindow) -> None:
    panel = win.tokens
    item = panel.definition_item("--color-primary")
    assert item is not None
    qtbot.keyClick(win.editor, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
    assert focused() is panel.tree
    panel.tree.setCurrentItem(item)
    swatch = item.data(SWATCH_COLUMN, Qt.ItemDataRole.AccessibleTextRole)
    assert swatch.endswith(", #2f5bd3")  # the colour in words, then its hex
    assert "blue" in swatch
    qtbot.keyClick(panel.tree, Qt.Key.Key_F2)
    assert panel.tree.state() == QAbstractItemView.State.EditingState
    editor = focused()
    assert editor is not None
    assert editor.parentWidget() is panel.tree.viewport()
    value_x = panel.tree.header().sectionViewportPosition(VALUE_COLUMN)
    assert abs(editor.geometry().x() - value_x) <= 4  # the Value cell is being edited
    qtbot.keyClicks(editor, "#aa0000")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "--color-primary: #aa0000;" in win.editor.toPlainText(), timeout=3000)
    qtbot.waitUntil(lambda: panel.swatch_color(panel.definition_item("--color-primary")) == QColor("#aa0000"),
                    timeout=5000)
    item = panel.definition_item("--color-primary")
    assert item is not None
    panel.tree.setCurrentItem(item)
    panel.tree.setFocus()
    qtbot.keyClick(panel.tree, Qt.Key.Key_Space)
    dialog = panel.color_dialog
    assert isinstance(dialog, QColorDialog)
    dialog.reject()
    assert dialog.currentColor() == QColor("#aa0000")
    qtbot.waitUntil(lambda: panel.contrast.topLevelItemCount() > 0, timeout=5000)
    badge = panel.contrast.topLevelItem(0).data(BADGE_COLUMN, Qt.ItemDataRole.AccessibleTextRole)
    assert "WCAG" in badge
    assert ":1" in badge
    win.editor.undo()


# A popup menu asks the window system to raise it and grab the keyboard: offscreen cannot, and says so.
@pytest.mark.qt_log_ignore("This plugin does not support (raise|grabbing the keyboard)")
def test_menus_have_unique_mnemonics_and_f10_opens_them(qtbot: QtBot, win: StudioWindow) -> None:
    bar = win.menuBar()
    titles = [mnemonic_of(a.text()) for a in bar.actions()]
    assert None not in titles
    assert len(set(titles)) == len(titles)
    for top in bar.actions():
        menu = top.menu()
        assert isinstance(menu, QMenu)
        texts = [a.text() for a in menu.actions() if not a.isSeparator()]
        letters = [mnemonic_of(text) for text in texts]
        assert None not in letters, f"{top.text()}: an item without Alt+letter in {texts}"
        assert len(set(letters)) == len(letters), f"{top.text()}: repeated Alt+letters in {texts}"
    qtbot.keyClick(win.editor, Qt.Key.Key_F10)
    qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), QMenu), timeout=2000)
    popup = QApplication.activePopupWidget()
    assert popup is bar.actions()[0].menu()
    popup.close()


def test_focus_ring_is_visible_and_contrasted(qtbot: QtBot, win: StudioWindow) -> None:
    SHOTS.mkdir(exist_ok=True)
    ring = win.findChild(FocusRing, "focusRing")
    assert isinstance(ring, FocusRing)
    color = ring_color(win.palette())
    for role in (QPalette.ColorRole.Window, QPalette.ColorRole.Base):
        assert contrast(color, win.palette().color(role)) >= MIN_CONTRAST
    for name, key in (("editor", Qt.Key.Key_1), ("tokens", Qt.Key.Key_2), ("preview", Qt.Key.Key_3),
                      ("problems", Qt.Key.Key_4)):
        qtbot.keyClick(focused(), key, Qt.KeyboardModifier.AltModifier)
        target = focused()
        assert target is not None
        qtbot.waitUntil(lambda t=target: ring.target() is t and ring.isVisible(), timeout=2000)
        shot = win.grab().toImage()
        shot.save(str(SHOTS / f"{name}.png"))
        top_left = target.mapTo(win, target.visibleRegion().boundingRect().topLeft())
        for dx, dy in ((RING_WIDTH, 0), (0, RING_WIDTH * 3), (ring.width() // 2, 0)):
            pixel = shot.pixelColor(top_left.x() + dx, top_left.y() + dy)
            assert pixel == color, f"{name}: ring pixel at +{dx},+{dy} is {pixel.name()}, not {color.name()}"


def test_announcements_for_stale_preview(qtbot: QtBot, win: StudioWindow) -> None:
    ANNOUNCED.clear()
    win.editor.go_to(1, 1)
    win.editor.insertPlainText("a { color: red;\n")  # an open block: the preview keeps the last good render
    stale = ("Preview stale: close the open block or comment to update it.", False)
    qtbot.waitUntil(lambda: stale in ANNOUNCED, timeout=3000)
    win.editor.undo()
    qtbot.waitUntil(lambda: ("Preview up to date.", False) in ANNOUNCED, timeout=3000)


def test_view_actions_exist(win: StudioWindow) -> None:
    shortcuts = {a.shortcut().toString() for a in win.findChildren(QAction)}
    assert {"F6", "Shift+F6", "F10"} <= shortcuts
