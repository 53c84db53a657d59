"""The New Theme dialog: choose a starter, a name and an empty destination folder."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from studio.core.manifest import MAX_NAME_LENGTH
from studio.core.paths import user_data_dir
from studio.core.starters import Starter, list_starters
from studio.ui.accessibility import show_problem
from studio.ui.qt_helpers import buddy_label

_STARTER_ROLE = Qt.ItemDataRole.UserRole + 1
_DESCRIPTION_ROLE = Qt.ItemDataRole.UserRole + 2
_PADDING = 8


class StarterDelegate(QStyledItemDelegate):
    """Draws a starter as its title in bold over its description, wrapped, in selection-aware colours."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        title_color = option.palette.color(role)
        body_color = QColor(title_color)
        if not selected:
            body_color.setAlphaF(0.7)
        title_rect, body_rect = self._rects(option, index)
        painter.save()
        bold = QFont(option.font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(title_color)
        painter.drawText(title_rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop),
                         str(index.data(Qt.ItemDataRole.DisplayRole) or ""))
        painter.setFont(option.font)
        painter.setPen(body_color)
        painter.drawText(body_rect, int(Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap),
                         str(index.data(_DESCRIPTION_ROLE) or ""))
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        title_rect, body_rect = self._rects(option, index)
        return QSize(option.rect.width(), body_rect.bottom() - title_rect.top() + 2 * _PADDING)

    def _rects(self, option: QStyleOptionViewItem,
               index: QModelIndex | QPersistentModelIndex) -> tuple[QRect, QRect]:
        width = option.rect.width() if option.rect.width() > 0 else 400
        if option.widget is not None:
            width = option.widget.width() - 24
        metrics = QFontMetrics(option.font)
        top = option.rect.top() + _PADDING
        left = option.rect.left() + _PADDING + 2
        inner = max(50, width - 2 * _PADDING)
        title = QRect(left, top, inner, metrics.height())
        body = metrics.boundingRect(QRect(left, title.bottom() + 3, inner, 10_000),
                                    int(Qt.TextFlag.TextWordWrap), str(index.data(_DESCRIPTION_ROLE) or ""))
        return title, QRect(left, title.bottom() + 3, inner, body.height())


def slugify(name: str) -> str:
    """A folder name for a theme name: lowercase ASCII letters, digits and hyphens (``"my-theme"``)."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.strip().lower()).strip("-")
    return slug or "theme"


def default_destination(name: str) -> Path:
    """Where a theme called ``name`` goes unless the user picks another folder."""
    return user_data_dir() / "themes" / slugify(name)


def destination_problem(dest_text: str) -> str:
    """Why a theme cannot be created in this folder, or ``""`` (it may not exist yet, or be empty)."""
    if not dest_text.strip():
        return "Choose a destination folder."
    dest = Path(dest_text.strip()).expanduser()
    if dest.exists() and not dest.is_dir():
        return f"{dest} is a file; choose a folder."
    if dest.is_dir() and any(dest.iterdir()):
        return f"{dest} is not empty; choose an empty or new folder."
    return ""


def name_problem(name: str) -> str:
    """Why ``name`` cannot name a theme, or ``""``."""
    if not name.strip():
        return "Enter a name for the theme."
    if len(name.strip()) > MAX_NAME_LENGTH:
        return f"Keep the name to {MAX_NAME_LENGTH} characters at most."
    return ""


class NewThemeDialog(QDialog):
    """Collects what :func:`studio.core.starters.create_theme` needs; :meth:`result_values` returns it."""

    def __init__(self, parent: QWidget | None = None, *, starters: list[Starter] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New Theme")
        self._dest_edited = False

        self.starter_list = QListWidget()
        self.starter_list.setObjectName("starterList")
        self.starter_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.starter_list.setItemDelegate(StarterDelegate(self.starter_list))
        self.starter_list.setWordWrap(True)
        self.starter_list.setAlternatingRowColors(False)
        self.starter_list.setMinimumHeight(170)
        for starter in list_starters() if starters is None else starters:
            self._add_starter(starter)
        if self.starter_list.count():
            self.starter_list.setCurrentRow(self._default_row())

        self.name_edit = QLineEdit("My Theme")
        self.name_edit.setMaxLength(MAX_NAME_LENGTH + 20)  # long enough to type past, so the message shows
        self.dest_edit = QLineEdit(str(default_destination(self.name_edit.text())))
        self.browse_button = QPushButton("Browse…")
        self.browse_button.clicked.connect(self.browse)
        dest_row = QHBoxLayout()
        dest_row.setContentsMargins(0, 0, 0, 0)
        dest_row.addWidget(self.dest_edit, 1)
        dest_row.addWidget(self.browse_button)

        self.problem_label = QLabel()
        self.problem_label.setObjectName("newThemeProblem")
        self.problem_label.setWordWrap(True)
        self.problem_label.setStyleSheet("color: #c92a2a;")

        form = QFormLayout()
        form.addRow(buddy_label("&Name:", self.name_edit), self.name_edit)
        form.addRow(buddy_label("&Folder:", self.dest_edit), dest_row)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Create")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(buddy_label("&Start from:", self.starter_list))
        layout.addWidget(self.starter_list, 1)
        layout.addLayout(form)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.buttons)
        self.resize(560, 440)

        self.name_edit.textChanged.connect(self._on_name_changed)
        self.dest_edit.textEdited.connect(self._on_dest_edited)
        self.dest_edit.textChanged.connect(self._validate)
        self.starter_list.currentRowChanged.connect(self._validate)
        self._validate()

    def _add_starter(self, starter: Starter) -> None:
        item = QListWidgetItem(starter.title, self.starter_list)
        item.setData(_STARTER_ROLE, starter)
        item.setData(_DESCRIPTION_ROLE, starter.description)
        item.setToolTip(starter.description)

    def _default_row(self) -> int:
        for row in range(self.starter_list.count()):
            if self.starter_list.item(row).data(_STARTER_ROLE).name == "light":
                return row
        return 0

    def selected_starter(self) -> Starter | None:
        item = self.starter_list.currentItem()
        starter: Starter | None = None if item is None else item.data(_STARTER_ROLE)
        return starter

    def select_starter(self, name: str) -> None:
        for row in range(self.starter_list.count()):
            if self.starter_list.item(row).data(_STARTER_ROLE).name == name:
                self.starter_list.setCurrentRow(row)
                return
        raise ValueError(f"no starter named {name!r}")

    def result_values(self) -> tuple[str, str, Path]:
        """``(starter name, theme name, destination folder)`` for ``create_theme(dest, starter, name)``."""
        starter = self.selected_starter()
        if starter is None:
            raise ValueError("no starter is selected")
        return starter.name, self.name_edit.text().strip(), Path(self.dest_edit.text().strip()).expanduser()

    def browse(self) -> None:
        """Pick a parent folder; the theme goes into a new subfolder named after it."""
        parent = QFileDialog.getExistingDirectory(self, "Choose Where to Create the Theme",
                                                  str(Path(self.dest_edit.text()).parent))
        if parent:
            self._dest_edited = True
            self.dest_edit.setText(str(Path(parent) / slugify(self.name_edit.text())))

    def problem(self) -> str:
        """Why the dialog cannot be accepted yet, or ``""``."""
        if self.selected_starter() is None:
            return "Choose a starter theme."
        return name_problem(self.name_edit.text()) or destination_problem(self.dest_edit.text())

    def _on_name_changed(self, name: str) -> None:
        if not self._dest_edited:
            self.dest_edit.setText(str(default_destination(name)))
        self._validate()

    def _on_dest_edited(self, _text: str) -> None:
        self._dest_edited = True  # stop following the name once the user chose a folder

    def _validate(self) -> None:
        problem = self.problem()
        show_problem(self.problem_label, problem, self.name_edit, self.dest_edit)
        self.ok_button.setEnabled(not problem)

    def accept(self) -> None:
        self._validate()
        if not self.problem():
            super().accept()
