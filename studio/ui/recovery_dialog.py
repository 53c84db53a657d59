"""Offers back the unsaved edits a previous session left in the autosave journal."""

from __future__ import annotations

import html
from datetime import datetime

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from studio.core.textdiff import unified_diff
from studio.ui.versions_dialog import DiffTextView, format_time


class RecoveryDialog(QDialog):
    """Asks whether to restore autosaved edits: Restore, Discard, or Show diff first.

    ``exec()`` returns :attr:`RESTORE` or :attr:`DISCARD`. Closing the window or pressing Escape counts as
    Restore: the choice that cannot lose work (the edits land in the editor unsaved; nothing is written).
    """

    RESTORE = 1
    DISCARD = 2

    def __init__(
        self,
        theme_name: str,
        saved_text: str,
        autosaved_text: str,
        parent: QWidget | None = None,
        *,
        autosaved_at: datetime | None = None,
        based_on_current: bool = True,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Restore Unsaved Edits?")
        self._saved_text = saved_text
        self._autosaved_text = autosaved_text

        icon = QLabel()
        icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxQuestion).pixmap(48, 48))
        icon.setFixedWidth(60)
        when = f" (autosaved {format_time(autosaved_at)})" if autosaved_at is not None else ""
        self.message = QLabel(
            f"<b>ThemeStudio closed without saving edits to “{html.escape(theme_name)}”{when}.</b>"
            "<br>Restore them?"
        )
        self.message.setWordWrap(True)
        self.detail = QLabel(
            "Restoring puts the edits into the editor unsaved; theme.css is not touched until you save."
            if based_on_current
            else "theme.css has changed on disk since these edits were made: restoring shows the edits in "
            "the editor, and saving them would replace that change. Use Show Diff to compare first."
        )
        self.detail.setWordWrap(True)
        if not based_on_current:
            self.detail.setStyleSheet("color: #9a6700;")

        text_column = QVBoxLayout()
        text_column.addWidget(self.message)
        text_column.addWidget(self.detail)
        top = QHBoxLayout()
        top.addWidget(icon)
        top.addLayout(text_column, 1)

        self.diff_view = DiffTextView(parent=self)
        self.diff_view.setVisible(False)
        self.diff_view.setMinimumHeight(260)

        self.buttons = QDialogButtonBox()
        self.restore_button = self.buttons.addButton("Restore", QDialogButtonBox.ButtonRole.AcceptRole)
        self.discard_button = self.buttons.addButton("Discard", QDialogButtonBox.ButtonRole.DestructiveRole)
        self.diff_button = QPushButton("Show Diff")
        self.diff_button.setCheckable(True)
        self.buttons.addButton(self.diff_button, QDialogButtonBox.ButtonRole.HelpRole)
        self.restore_button.setDefault(True)
        self.restore_button.clicked.connect(lambda: self.done(self.RESTORE))
        self.discard_button.clicked.connect(lambda: self.done(self.DISCARD))
        self.diff_button.toggled.connect(self.show_diff)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.diff_view, 1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)

    def show_diff(self, shown: bool = True) -> None:
        """Show or hide the unified diff of the saved file against the autosaved edits."""
        if shown and self.diff_view.property("filled") is not True:
            self.diff_view.set_diff(
                unified_diff(self._saved_text, self._autosaved_text, "theme.css (saved)", "autosaved edits")
            )
            self.diff_view.setProperty("filled", True)
        self.diff_view.setVisible(shown)
        self.diff_button.setText("Hide Diff" if shown else "Show Diff")
        if shown:
            self.resize(max(self.width(), 760), max(self.height(), 480))
        else:
            self.adjustSize()

    def reject(self) -> None:
        # Escape / window close: keep the edits (see the class docstring).
        self.done(self.RESTORE)
