"""ProblemsPanel: counts, severity filter, sorting, jump-to signal, and speed for large lists."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from studio.core.diagnostics import Diagnostic, Severity
from studio.ui.problems_panel import (
    LOCATION_COLUMN,
    MESSAGE_COLUMN,
    RULE_COLUMN,
    SEVERITY_COLUMN,
    ProblemsPanel,
    count_summary,
)

# The offscreen platform plugin warns on every top-level show(); not our code.
pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")

DIAGNOSTICS = [
    Diagnostic(12, 5, Severity.WARNING, "unknown-property", "Unknown property 'colr'."),
    Diagnostic(3, 1, Severity.ERROR, "syntax", "Expected '}' before end of file."),
    Diagnostic(40, 9, Severity.WARNING, "duplicate-property", "'margin' is set twice in this rule."),
    Diagnostic(7, 2, Severity.ERROR, "safety/remote-import", "Remote @import is not allowed."),
    Diagnostic(20, 14, Severity.WARNING, "unknown-property", "Unknown property 'bakground'."),
]


def make_panel(qtbot: QtBot) -> ProblemsPanel:
    panel = ProblemsPanel()
    qtbot.addWidget(panel)
    panel.resize(700, 300)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def cell(panel: ProblemsPanel, row: int, column: int) -> str:
    return str(panel.model.index(row, column).data())


def test_count_summary_wording() -> None:
    assert count_summary(0, 0) == "No problems"
    assert count_summary(1, 1) == "1 error, 1 warning"
    assert count_summary(2, 5) == "2 errors, 5 warnings"


def test_rows_sorted_by_location_with_counts_and_icons(qtbot: QtBot) -> None:
    panel = make_panel(qtbot)
    panel.set_diagnostics(DIAGNOSTICS)

    assert panel.summary.text() == "2 errors, 3 warnings"
    assert panel.model.rowCount() == 5
    assert [cell(panel, r, LOCATION_COLUMN) for r in range(5)] == ["3:1", "7:2", "12:5", "20:14", "40:9"]
    assert cell(panel, 0, RULE_COLUMN) == "syntax"
    assert cell(panel, 0, MESSAGE_COLUMN) == "Expected '}' before end of file."
    error_icon = panel.model.index(0, SEVERITY_COLUMN).data(Qt.ItemDataRole.DecorationRole)
    warning_icon = panel.model.index(2, SEVERITY_COLUMN).data(Qt.ItemDataRole.DecorationRole)
    assert not error_icon.isNull()
    assert not warning_icon.isNull()
    assert error_icon.cacheKey() != warning_icon.cacheKey()


def test_severity_filter_buttons(qtbot: QtBot) -> None:
    panel = make_panel(qtbot)
    panel.set_diagnostics(DIAGNOSTICS)

    qtbot.mouseClick(panel.show_warnings, Qt.MouseButton.LeftButton)
    assert panel.model.rowCount() == 2
    assert {panel.model.diagnostic(r).severity for r in range(2)} == {Severity.ERROR}
    assert panel.summary.text() == "2 errors, 3 warnings"  # counts always cover everything

    qtbot.mouseClick(panel.show_errors, Qt.MouseButton.LeftButton)
    assert panel.model.rowCount() == 0

    panel.set_severity_filter(errors=False, warnings=True)
    assert panel.model.rowCount() == 3
    # A new analysis result keeps the user's filter.
    panel.set_diagnostics([*DIAGNOSTICS, Diagnostic(1, 1, Severity.WARNING, "x", "y")])
    assert panel.model.rowCount() == 4


def test_click_and_enter_emit_line_and_column(qtbot: QtBot) -> None:
    panel = make_panel(qtbot)
    panel.set_diagnostics(DIAGNOSTICS)
    table = panel.table

    rect = table.visualRect(panel.model.index(1, MESSAGE_COLUMN))
    with qtbot.waitSignal(panel.activated, timeout=1000) as blocker:
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args == [7, 2]

    table.setFocus()
    table.setCurrentIndex(panel.model.index(4, LOCATION_COLUMN))
    with qtbot.waitSignal(panel.activated, timeout=1000) as blocker:
        qtbot.keyClick(table, Qt.Key.Key_Return)
    assert blocker.args == [40, 9]


def test_header_click_sorts_by_rule(qtbot: QtBot) -> None:
    panel = make_panel(qtbot)
    panel.set_diagnostics(DIAGNOSTICS)
    panel.table.sortByColumn(RULE_COLUMN, Qt.SortOrder.AscendingOrder)
    rules = [cell(panel, r, RULE_COLUMN) for r in range(5)]
    assert rules == sorted(rules)
    panel.table.sortByColumn(SEVERITY_COLUMN, Qt.SortOrder.AscendingOrder)
    assert [panel.model.diagnostic(r).is_error for r in range(5)] == [True, True, False, False, False]


def test_twenty_thousand_rows_are_fast(qtbot: QtBot) -> None:
    panel = make_panel(qtbot)
    many = [
        Diagnostic(i, 1, Severity.ERROR if i % 7 == 0 else Severity.WARNING, "unknown-property", f"m{i}")
        for i in range(20_000, 0, -1)
    ]
    start = time.perf_counter()
    panel.set_diagnostics(many)
    panel.table.viewport().repaint()
    elapsed = time.perf_counter() - start
    assert panel.model.rowCount() == 20_000
    assert cell(panel, 0, LOCATION_COLUMN) == "1:1"
    assert elapsed < 0.5, f"set_diagnostics took {elapsed:.3f}s"
