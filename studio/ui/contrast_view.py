"""The contrast of a stylesheet's text/background token pairs, per scheme, for a reviewer.

Each pair shows its WCAG 2 ratio (AA, 4.5:1, is the publishing gate) and its APCA Lc (advice); pairs below AA
are marked. A banner says whether publishing will need a contrast waiver, and shows the waiver the last
release was published with, if any.
"""

from __future__ import annotations

from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from studio.core.css.contrast import contrast_pairs, schemes_to_check
from studio.core.css.tokens import index_tokens
from studio.ui.accessibility import set_name

FAIL_COLOR = "#b3261e"


class ContrastView(QWidget):
    """Every token pair of ``css`` in each scheme it defines; ``release_waiver``: the last release's."""

    COLUMNS = ("Text", "Background", "Scheme", "WCAG 2", "Level", "APCA Lc (advice)")

    def __init__(self, css: str, release_waiver: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        index = index_tokens(css)
        self.tree = QTreeWidget(self)
        set_name(self.tree, "Contrast of text and background token pairs")
        self.tree.setColumnCount(len(self.COLUMNS))
        self.tree.setHeaderLabels(list(self.COLUMNS))
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.failures = 0
        for scheme in schemes_to_check(index):
            for check in contrast_pairs(index, scheme):
                item = QTreeWidgetItem(
                    self.tree,
                    [
                        check.foreground,
                        check.background,
                        scheme or "default",
                        f"{check.ratio:.2f}:1",
                        check.badge if check.passes_aa else f"{check.badge} — below AA",
                        f"{check.apca:.0f}",
                    ],
                )
                if not check.passes_aa:
                    self.failures += 1
                    for column in range(len(self.COLUMNS)):
                        item.setForeground(column, QBrush(QColor(FAIL_COLOR)))
        for column, width in enumerate((170, 160, 70, 70, 120)):
            self.tree.header().resizeSection(column, width)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        if self.failures:
            self.summary.setText(
                f"{self.failures} pair(s) below WCAG 2 AA: publishing this stylesheet needs a contrast "
                "waiver (a reason the author records; it goes into the release notes)."
            )
            self.summary.setStyleSheet(f"color: {FAIL_COLOR}; font-weight: bold;")
        else:
            self.summary.setText("Every text/background token pair meets WCAG 2 AA in every scheme.")
        self.release_waiver = QLabel(release_waiver, self)
        self.release_waiver.setWordWrap(True)
        self.release_waiver.setVisible(bool(release_waiver))
        self.release_waiver.setStyleSheet(f"color: {FAIL_COLOR};")
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.release_waiver)
        layout.addWidget(self.tree, 1)
