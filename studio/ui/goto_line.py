"""Inline "go to line[:column]" bar for the code editor."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QWidget

from studio.ui.accessibility import link_label
from studio.ui.find_replace import tool_button

_LINE_COLUMN: Final = re.compile(r"\s*(\d+)\s*(?:[:,.]\s*(\d+)\s*)?")


def parse_line_column(text: str) -> tuple[int, int] | None:
    """Parse ``"12"`` or ``"12:5"`` into a 1-based (line, column); None when it is not that shape."""
    m = _LINE_COLUMN.fullmatch(text)
    if m is None:
        return None
    line = int(m.group(1))
    column = int(m.group(2)) if m.group(2) else 1
    return max(line, 1), max(column, 1)


class GoToLineBar(QWidget):
    """A one-field bar: type ``line`` or ``line:column``, Enter jumps there, Esc closes.

    Signals:
        closed: the bar was hidden (after a jump, Esc, or the close button).
    """

    closed = Signal()

    def __init__(self, go_to: Callable[[int, int], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._go_to = go_to
        self.setObjectName("GoToLineBar")
        self.setAutoFillBackground(True)
        self.line_edit = QLineEdit(placeholderText="line[:column]")
        self.hint_label = QLabel("")
        self.close_button = close_button = tool_button("✕", "Close (Esc)", "Close go to line bar")
        close_button.setAutoRaise(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addWidget(link_label(QLabel("Go to &line:"), self.line_edit))
        layout.addWidget(self.line_edit, 1)
        layout.addWidget(self.hint_label)
        layout.addWidget(close_button)
        self.line_edit.returnPressed.connect(self.accept)
        close_button.clicked.connect(self.close_bar)

    def controls(self) -> list[QWidget]:
        """The bar's controls in reading order."""
        return [self.line_edit, self.close_button]

    def open_bar(self, current_line: int, line_count: int) -> None:
        """Show the bar with the current line filled in and selected."""
        self.hint_label.setText(f"1–{line_count}")
        self.line_edit.setText(str(current_line))
        self.line_edit.setStyleSheet("")
        self.show()
        self.line_edit.setFocus()
        self.line_edit.selectAll()

    def accept(self) -> bool:
        """Jump to the typed position and close; returns False (and stays open) when the text is not valid."""
        target = parse_line_column(self.line_edit.text())
        if target is None:
            self.line_edit.setStyleSheet("QLineEdit { background: #f8d7da; color: #58151c; }")
            return False
        self.hide()
        self.closed.emit()
        self._go_to(*target)
        return True

    def close_bar(self) -> None:
        """Hide without jumping."""
        self.hide()
        self.closed.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.close_bar()
        # Swallow every other key that reaches the bar (e.g. the Return QLineEdit passes on), so it does not
        # propagate to the editor, its parent, and type there.
        event.accept()
