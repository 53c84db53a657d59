"""What the list area shows instead of rows: loading, nothing matches, no backend, or unreachable with Retry.

An empty list is ambiguous (nothing matches? still loading? backend down?): each of those gets its own words.
"""

from __future__ import annotations

from typing import Literal

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from studio.ui.accessibility import announce, set_name

State = Literal["loading", "empty", "offline", "no-backend"]
_ICONS = {"loading": "⏳", "empty": "🔍", "offline": "⚠", "no-backend": "🔌"}


class StatePage(QWidget):
    """A centred message with an optional Retry button.

    Signals:
        retryRequested(): the user pressed Retry.
    """

    retryRequested = Signal()  # noqa: N815 (Qt signal names are camelCase)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state: State | None = None
        self.icon = QLabel(self)
        self.icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.icon.setStyleSheet("font-size: 30pt;")
        self.icon.setAccessibleName("")
        self.heading = QLabel(self)
        self.heading.setObjectName("browseStateHeading")
        self.heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.heading.setStyleSheet("font-size: 14pt; font-weight: 600;")
        self.heading.setWordWrap(True)
        self.detail = QLabel(self)
        self.detail.setObjectName("browseStateDetail")
        self.detail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.retry_button = QPushButton("&Retry", self)
        set_name(self.retry_button, "Retry", "Ask the backend for the themes again")
        self.retry_button.clicked.connect(self.retryRequested)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.retry_button)
        row.addStretch(1)
        box = QVBoxLayout(self)
        box.addStretch(1)
        box.addWidget(self.icon)
        box.addWidget(self.heading)
        box.addWidget(self.detail)
        box.addLayout(row)
        box.addStretch(2)

    def show_state(self, state: State, heading: str, detail: str = "") -> None:
        """Show ``state`` (Retry for offline only) and announce it (errors assertively)."""
        self.state = state
        self.icon.setText(_ICONS[state])
        self.heading.setText(heading)
        self.detail.setText(detail)
        self.detail.setVisible(bool(detail))
        self.retry_button.setVisible(state == "offline")
        announce(self.heading, f"{heading} {detail}".strip(), assertive=state == "offline")
