"""Drive real widgets with the keyboard only, and audit what a screen reader gets (shared by UI tests)."""

from __future__ import annotations

import itertools

from PySide6.QtCore import QPoint, QRect, Qt
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


def reading_order_breaks(window: QWidget, order: list[QWidget]) -> list[str]:
    """Steps of a Tab cycle that go back up the window, other than into a new column on the right.

    The cycle is read from its top-left control, so its one wrap-around (bottom → top) is not a step.
    """
    def place(widget: QWidget) -> QRect:
        return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())

    first = min(range(len(order)), key=lambda i: (place(order[i]).top(), place(order[i]).left()))
    order = order[first:] + order[:first]
    breaks = []
    for before, after in itertools.pairwise(order):
        a, b = place(before), place(after)
        if b.top() < a.top() - 4 and b.left() <= a.right():
            breaks.append(f"{type(before).__name__} {before.accessibleName()!r} → "
                          f"{type(after).__name__} {after.accessibleName()!r}")
    return breaks


def audit(
    qtbot: QtBot, root: QWidget, start: QWidget | None = None, *, reading_order: bool = True
) -> list[QWidget]:
    """Check ``root`` (shown) like a keyboard and screen-reader user; returns the Tab order.

    Every focusable control has a name that is words; Tab reaches every one of them and comes back to the
    start, in reading order (``reading_order``: for one-column forms and dialogs; a window of panes checks
    its own order); Shift+Tab walks the same cycle backwards.
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
    breaks = reading_order_breaks(root, forward) if reading_order else []
    assert breaks == [], f"Tab goes against the reading order: {breaks}"
    backward = tab_cycle(qtbot, first, backwards=True)
    assert backward == [first, *reversed(forward[1:])], "Shift+Tab does not walk the Tab order backwards"
    return forward
