"""A read-only window on an old version: its text and its live preview, side by side."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMainWindow, QSplitter, QWidget

from studio.ui.editor_pane import EditorPane
from studio.ui.preview import PreviewView, folder_url


class VersionViewer(QMainWindow):
    """Shows ``css`` read-only with its preview; nothing here can change the theme."""

    def __init__(self, title: str, css: str, theme_root: Path | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(f"{title} (read-only) — ThemeSystem Studio")
        self.editor_pane = EditorPane(self)
        self.editor = self.editor_pane.editor
        self.editor.setPlainText(css)
        self.editor.set_read_only_banner(f"{title} — read-only. Use “Restore into new draft” to edit it.")
        self.preview = PreviewView(self)
        if theme_root is not None:
            self.preview.set_base_url(folder_url(theme_root))
        self.preview.apply_css(css)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.editor_pane)
        splitter.addWidget(self.preview)
        self.setCentralWidget(splitter)
        self.resize(1200, 800)
