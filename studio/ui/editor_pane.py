"""The code editor with its find/replace and go-to-line bars laid out below it, as siblings.

A text edit that keeps Tab for indentation never hands Tab to its children, so bars inside the editor could
not be tabbed through (and a screen reader saw them as part of the text). Here they are the editor's
siblings: Tab walks their fields and buttons in reading order, Esc closes them and returns to the editor.
"""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from studio.ui.editor import CodeEditor
from studio.ui.focus import chain_tab_order


class EditorPane(QWidget):
    """``editor`` above its go-to-line and find/replace bars.

    The pane has no focus proxy on purpose: Qt counts a widget with a proxy as a Tab stop of its own, so the
    editor would come twice in the window's Tab cycle.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("editorPane")
        self.editor = CodeEditor(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.editor.go_to_bar())
        layout.addWidget(self.editor.find_bar())
        bars = (self.editor.go_to_bar(), self.editor.find_bar())
        chain_tab_order([self.editor, *bars[0].controls(), *bars[1].controls()])
