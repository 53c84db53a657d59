"""Drive real widgets with the keyboard only, and audit what a screen reader gets (shared by UI tests)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPlainTextEdit, QRadioButton, QWidget
from pytestqt.qtbot import QtBot

from studio.ui.accessibility import focusable_controls, unlabelled_symbol_buttons, unnamed_controls


def focused() -> QWidget | None:
    return QApplication.focusWidget()


def press_tab(qtbot: QtBot, *, backwards: bool = False) -> None:
    """Tab (or Shift+Tab) as a user presses it; in a text field that keeps Tab, Ctrl+Tab is the way out."""
    widget = focused()
    assert widget is not None, "nothing has the keyboard focus"
    modifiers = Qt.KeyboardModifier.ShiftModifier if backwards else Qt.KeyboardModifier.NoModifier
    if isinstance(widget, QPlainTextEdit) and not widget.tabChangesFocus() and not widget.isReadOnly():
        modifiers |= Qt.KeyboardModifier.ControlModifier
    qtbot.keyClick(widget, Qt.Key.Key_Backtab if backwards else Qt.Key.Key_Tab, modifiers)


def tab_cycle(qtbot: QtBot, start: QWidget, *, backwards: bool = False, limit: int = 120) -> list[QWidget]:
    """Every control Tab visits from ``start`` until it comes back to it.

    Fails when the focus stops moving (a trap) or never comes back within ``limit`` presses.
    """
    start.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: focused() is start, timeout=2000)
    visited = [start]
    for _ in range(limit):
        before = focused()
        press_tab(qtbot, backwards=backwards)
        now = focused()
        assert now is not None, "Tab moved the focus out of the window"
        if now is start:  # back at the start (at once when it is the window's only control)
            return visited
        assert now is not before, f"Tab is trapped in {type(before).__name__}"
        assert now not in visited, f"Tab visits {type(now).__name__} twice before returning to the start"
        visited.append(now)
    raise AssertionError(f"Tab did not come back to the start within {limit} presses")


def audit(qtbot: QtBot, root: QWidget, start: QWidget | None = None) -> list[QWidget]:
    """Check ``root`` (shown) like a keyboard and screen-reader user; returns the Tab order.

    Every focusable control has a name that is words; Tab reaches every one of them and comes back to the
    start; Shift+Tab walks the same cycle backwards.
    """
    unnamed = unnamed_controls([root])
    assert unnamed == [], f"controls without an accessible name: {unnamed}"
    symbols = unlabelled_symbol_buttons([root])
    assert symbols == [], f"buttons named by symbols: {symbols}"
    controls = list(focusable_controls(root))
    first = start or controls[0]
    forward = tab_cycle(qtbot, first)
    # Tab enters a group of radio buttons at the checked one; arrow keys move within the group.
    must_reach = [w for w in controls if not (isinstance(w, QRadioButton) and not w.isChecked())]
    missing = [f"{type(w).__name__} {w.accessibleName()!r}" for w in must_reach if w not in forward]
    assert missing == [], f"Tab never reaches these controls: {missing}"
    backward = tab_cycle(qtbot, first, backwards=True)
    assert backward == [first, *reversed(forward[1:])], "Shift+Tab does not walk the Tab order backwards"
    return forward
