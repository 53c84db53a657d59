"""The Problems panel: every diagnostic of the current stylesheet, filterable, one click to jump there."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QFont, QIcon
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QStyle,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from studio.core.diagnostics import Diagnostic, Severity

_Index = QModelIndex | QPersistentModelIndex

COLUMNS = ("", "Line:Col", "Rule", "Message")
SEVERITY_COLUMN, LOCATION_COLUMN, RULE_COLUMN, MESSAGE_COLUMN = range(4)


def count_summary(errors: int, warnings: int) -> str:
    """``"2 errors, 5 warnings"``, with singulars, or ``"No problems"``."""
    if errors == 0 and warnings == 0:
        return "No problems"
    error_word = "error" if errors == 1 else "errors"
    warning_word = "warning" if warnings == 1 else "warnings"
    return f"{errors} {error_word}, {warnings} {warning_word}"


class DiagnosticsModel(QAbstractTableModel):
    """A read-only table over a list of diagnostics, filtered by severity.

    Filtering and sorting rebuild one Python list and reset the model: with a uniform row height the view
    then only asks for the visible rows, so tens of thousands of diagnostics stay instant.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._all: list[Diagnostic] = []
        self._rows: list[Diagnostic] = []
        self._shown: set[Severity] = {Severity.ERROR, Severity.WARNING}
        self._sort_column = LOCATION_COLUMN
        self._sort_order = Qt.SortOrder.AscendingOrder
        style = parent.style() if parent is not None else None
        self._icons: dict[Severity, QIcon] = {}
        if style is not None:
            self._icons = {
                Severity.ERROR: style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical),
                Severity.WARNING: style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning),
            }

    # -- data --------------------------------------------------------------------------------------------
    def set_diagnostics(self, diagnostics: Sequence[Diagnostic]) -> None:
        """Replace every row (the analysis always produces a complete list)."""
        self._all = list(diagnostics)
        self._rebuild()

    def set_shown(self, severities: set[Severity]) -> None:
        """Show only diagnostics of these severities."""
        if severities != self._shown:
            self._shown = set(severities)
            self._rebuild()

    def diagnostic(self, row: int) -> Diagnostic:
        return self._rows[row]

    def all_diagnostics(self) -> list[Diagnostic]:
        return list(self._all)

    def _rebuild(self) -> None:
        self.beginResetModel()
        rows = [d for d in self._all if d.severity in self._shown]
        rows.sort(key=self._sort_key(), reverse=self._sort_order == Qt.SortOrder.DescendingOrder)
        self._rows = rows
        self.endResetModel()

    def _sort_key(self) -> Any:
        location = self._location_key
        if self._sort_column == SEVERITY_COLUMN:
            return lambda d: (0 if d.is_error else 1, location(d))
        if self._sort_column == RULE_COLUMN:
            return lambda d: (d.rule, location(d))
        if self._sort_column == MESSAGE_COLUMN:
            return lambda d: (d.message.casefold(), location(d))
        return location

    @staticmethod
    def _location_key(d: Diagnostic) -> tuple[int, int]:
        return (d.line, d.column)

    # -- Qt model API ------------------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        d = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == LOCATION_COLUMN:
                return "folder" if d.in_folder else f"{d.line}:{d.column}"
            if column == RULE_COLUMN:
                return d.rule
            if column == MESSAGE_COLUMN:
                return d.message
            return None
        if role == Qt.ItemDataRole.DecorationRole and column == SEVERITY_COLUMN:
            return self._icons.get(d.severity)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == SEVERITY_COLUMN:
                return d.severity.value.capitalize()
            if column == MESSAGE_COLUMN:
                return d.message
        if role == Qt.ItemDataRole.AccessibleTextRole and column == SEVERITY_COLUMN:
            return d.severity.value
        if role == Qt.ItemDataRole.TextAlignmentRole and column == LOCATION_COLUMN:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return ("Severity", "Line and column", "Rule id", "Message")[section]
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sort_column = column
        self._sort_order = order
        self._rebuild()


class ProblemsPanel(QWidget):
    """Lists diagnostics with a count header and severity filters.

    Signals:
        activated(int, int): the user clicked a row or pressed Enter on it; carries the 1-based line and
            column so the main window can move the editor there.
    """

    activated = Signal(int, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("problemsPanel")
        self.model = DiagnosticsModel(self)

        self.summary = QLabel(count_summary(0, 0))
        self.summary.setObjectName("problemsSummary")
        font = QFont(self.summary.font())
        font.setBold(True)
        self.summary.setFont(font)

        style = self.style()
        self.show_errors = self._filter_button(
            "Errors", style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical), "Show errors")
        self.show_warnings = self._filter_button(
            "Warnings", style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning), "Show warnings")

        header = QHBoxLayout()
        header.setContentsMargins(6, 4, 6, 2)
        header.addWidget(self.summary)
        header.addStretch(1)
        header.addWidget(self.show_errors)
        header.addWidget(self.show_warnings)

        self.table = QTableView(self)
        self.table.setObjectName("problemsTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(LOCATION_COLUMN, Qt.SortOrder.AscendingOrder)
        vheader = self.table.verticalHeader()
        vheader.hide()
        # A fixed row height lets the view skip measuring rows: essential for thousands of diagnostics.
        vheader.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vheader.setDefaultSectionSize(self.fontMetrics().height() + 8)
        hheader = self.table.horizontalHeader()
        hheader.setHighlightSections(False)
        hheader.setSectionResizeMode(SEVERITY_COLUMN, QHeaderView.ResizeMode.Fixed)
        hheader.resizeSection(SEVERITY_COLUMN, 28)
        hheader.resizeSection(LOCATION_COLUMN, self.fontMetrics().horizontalAdvance("Line:Col  ") + 24)
        hheader.resizeSection(RULE_COLUMN, self.fontMetrics().horizontalAdvance("safety/remote-import") + 24)
        hheader.setSectionResizeMode(MESSAGE_COLUMN, QHeaderView.ResizeMode.Stretch)
        self.table.clicked.connect(self._emit_activated)
        self.table.activated.connect(self._emit_activated)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(header)
        layout.addWidget(self.table)

    def _filter_button(self, text: str, icon: QIcon, tip: str) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setIcon(icon)
        button.setToolTip(tip)
        button.setCheckable(True)
        button.setChecked(True)
        button.setAutoRaise(True)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        button.toggled.connect(self._apply_filter)
        return button

    def set_diagnostics(self, diagnostics: Sequence[Diagnostic]) -> None:
        """Show a new complete list of diagnostics (replaces the previous one)."""
        self.model.set_diagnostics(diagnostics)
        errors = sum(1 for d in diagnostics if d.is_error)
        self.summary.setText(count_summary(errors, len(diagnostics) - errors))

    def set_severity_filter(self, *, errors: bool, warnings: bool) -> None:
        """Choose which severities are listed (the header counts always cover all)."""
        self.show_errors.setChecked(errors)
        self.show_warnings.setChecked(warnings)

    def _apply_filter(self) -> None:
        shown: set[Severity] = set()
        if self.show_errors.isChecked():
            shown.add(Severity.ERROR)
        if self.show_warnings.isChecked():
            shown.add(Severity.WARNING)
        self.model.set_shown(shown)

    def _emit_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            d = self.model.diagnostic(index.row())
            if not d.in_folder:  # a finding about the folder's files has no place in the text to go to
                self.activated.emit(d.line, d.column)
