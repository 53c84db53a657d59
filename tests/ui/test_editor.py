"""CodeEditor: navigation, comments, brackets, indentation, undo, gutter, swatches, diagnostics, bars."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from studio.ui.editor import CodeEditor
from studio.ui.editor_pane import EditorPane

CSS = """\
:root {
  --brand: #ff0000;
  --accent: oklch(62.8% 0.2577 29.23);
}
/* a { } */
.btn {
  content: "}";
  color: var(--brand);
}
"""


@pytest.fixture
def editor(qtbot: QtBot) -> Iterator[CodeEditor]:
    pane = EditorPane()  # held here while the test runs: the editor's parent
    widget = pane.editor
    qtbot.addWidget(pane)
    pane.resize(640, 400)
    widget.setPlainText(CSS)
    pane.show()
    qtbot.waitExposed(pane)
    yield widget
    pane.close()


def _put_cursor(editor: CodeEditor, line: int, column: int) -> None:
    editor.go_to(line, column)
    assert editor.line_column() == (line, column)


def _line(editor: CodeEditor, line: int) -> str:
    return editor.document().findBlockByNumber(line - 1).text()


def test_go_to_moves_cursor_and_reports_position(editor: CodeEditor, qtbot: QtBot) -> None:
    with qtbot.waitSignal(editor.cursorPositionChangedLineCol) as blocker:
        editor.go_to(3, 5)
    assert blocker.args == [3, 5]
    assert editor.textCursor().block().text().startswith("  --accent")
    assert editor.textCursor().positionInBlock() == 4
    editor.go_to(999, 999)  # clamped to the end of the text
    assert editor.line_column() == (editor.blockCount(), 1)


def test_go_to_line_bar(editor: CodeEditor, qtbot: QtBot) -> None:
    qtbot.keyClick(editor, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    bar = editor.go_to_bar()
    assert bar.isVisible()
    bar.line_edit.setText("7:3")
    qtbot.keyClick(bar.line_edit, Qt.Key.Key_Return)
    assert not bar.isVisible()
    assert editor.line_column() == (7, 3)
    editor.show_go_to_line()
    bar.line_edit.setText("nope")
    assert bar.accept() is False
    assert bar.isVisible()
    qtbot.keyClick(bar.line_edit, Qt.Key.Key_Escape)
    assert not bar.isVisible()


def test_toggle_comment_line_round_trip(editor: CodeEditor, qtbot: QtBot) -> None:
    _put_cursor(editor, 8, 4)
    qtbot.keyClick(editor, Qt.Key.Key_Slash, Qt.KeyboardModifier.ControlModifier)
    assert _line(editor, 8) == "  /* color: var(--brand); */"
    editor.toggle_comment()
    assert _line(editor, 8) == "  color: var(--brand);"
    assert editor.toPlainText() == CSS


def test_toggle_comment_selection_and_lines(editor: CodeEditor) -> None:
    # A selection inside one line: exactly the selection.
    block = editor.document().findBlockByNumber(1)
    cursor = editor.textCursor()
    cursor.setPosition(block.position() + 11)
    cursor.setPosition(block.position() + 18, QTextCursor.MoveMode.KeepAnchor)
    editor.setTextCursor(cursor)
    editor.toggle_comment()
    assert _line(editor, 2) == "  --brand: /* #ff0000 */;"
    editor.toggle_comment()
    assert _line(editor, 2) == "  --brand: #ff0000;"
    # A selection over several lines: the whole lines.
    cursor.setPosition(editor.document().findBlockByNumber(1).position() + 5)
    cursor.setPosition(editor.document().findBlockByNumber(2).position() + 3, QTextCursor.MoveMode.KeepAnchor)
    editor.setTextCursor(cursor)
    editor.toggle_comment()
    assert _line(editor, 2) == "  /* --brand: #ff0000;"
    assert _line(editor, 3) == "  --accent: oklch(62.8% 0.2577 29.23); */"
    editor.toggle_comment()
    assert editor.toPlainText() == CSS
    # Uncommenting an existing comment line.
    _put_cursor(editor, 5, 1)
    editor.toggle_comment()
    assert _line(editor, 5) == "a { }"


def test_bracket_match_skips_comments_and_strings(editor: CodeEditor) -> None:
    doc = editor.document()
    open_pos = doc.findBlockByNumber(5).position() + 5  # ".btn {"
    close_pos = doc.findBlockByNumber(8).position()  # the "}" on line 9, not the ones in the string/comment
    _put_cursor(editor, 6, 6)
    assert editor.matching_bracket_positions() == (open_pos, close_pos)
    _put_cursor(editor, 9, 2)  # just after the closing brace
    assert editor.matching_bracket_positions() == (close_pos, open_pos)
    _put_cursor(editor, 8, 21)  # before the ")" of var(--brand)
    line8 = doc.findBlockByNumber(7)
    assert editor.matching_bracket_positions() == (line8.position() + 20, line8.position() + 12)
    _put_cursor(editor, 7, 13)  # the "}" inside the string matches nothing
    assert editor.matching_bracket_positions() is None


def test_tab_and_enter_indentation(editor: CodeEditor, qtbot: QtBot) -> None:
    editor.setPlainText("a {")
    editor.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.keyClicks(editor, "color: red;")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.keyClick(editor, Qt.Key.Key_BraceRight)
    assert editor.toPlainText() == "a {\n  color: red;\n}"
    editor.setPlainText("b {}")
    editor.go_to(1, 4)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert editor.toPlainText() == "b {\n  \n}"
    assert editor.line_column() == (2, 3)
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    assert _line(editor, 2) == "    "
    # Tab/Shift+Tab on a multi-line selection indent/dedent every line.
    editor.selectAll()
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    assert editor.toPlainText() == "  b {\n      \n  }"
    editor.selectAll()
    qtbot.keyClick(editor, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert editor.toPlainText() == "b {\n    \n}"


def test_replace_all_text_is_one_undo_step_and_keeps_cursor(editor: CodeEditor) -> None:
    editor.go_to(8, 3)
    before = editor.textCursor().position()
    new = CSS.replace("#ff0000", "#00ff00").replace(".btn", ".button")
    editor.replace_all_text(new)
    assert editor.toPlainText() == new
    assert editor.line_column() == (8, 3)  # the edits were before the cursor; it stays on its text
    assert editor.textCursor().position() == before + 3  # ".btn" -> ".button"
    assert editor.document().isUndoAvailable()
    editor.undo()
    assert editor.toPlainText() == CSS
    editor.redo()
    assert editor.toPlainText() == new


def test_gutter_grows_with_line_count(editor: CodeEditor) -> None:
    editor.setPlainText("a{}\n" * 50)
    narrow = editor.line_number_area_width()
    assert editor.viewportMargins().left() == narrow
    editor.setPlainText("a{}\n" * 20_000)
    wide = editor.line_number_area_width()
    assert wide > narrow
    assert editor.viewportMargins().left() == wide


def test_swatches_for_visible_colour_values(editor: CodeEditor, qtbot: QtBot) -> None:
    red = editor.swatches_for_line(2)
    assert [(start, length) for start, length, _ in red] == [(11, 7)]
    assert red[0][2] == QColor(255, 0, 0)
    oklch = editor.swatches_for_line(3)
    assert len(oklch) == 1
    assert oklch[0][2].red() > 200
    assert oklch[0][2].green() < 60
    assert editor.swatches_for_line(6) == []  # ".btn {": no colour
    assert editor.swatches_for_line(8) == []  # var(--brand) has no fixed colour
    # And it is painted: pure red pixels appear on line 2, right of the text.
    image = editor.viewport().grab().toImage()
    rect = editor.cursorRect(QTextCursor(editor.document().findBlockByNumber(1)))
    y = rect.center().y()
    text_end = editor.fontMetrics().horizontalAdvance(_line(editor, 2))
    reds = [x for x in range(text_end, image.width()) if image.pixelColor(x, y) == QColor(255, 0, 0)]
    assert reds


def test_diagnostics_underline_token_and_mark_gutter(editor: CodeEditor) -> None:
    editor.set_diagnostics([(8, 3, "warning"), (8, 10, "error"), (2, 12, "error")])
    assert editor.diagnostic_lines() == {8: "error", 2: "error"}
    squiggles = [s for s in editor.extraSelections()
                 if s.format.underlineStyle() == QTextCharFormat.UnderlineStyle.WaveUnderline]
    assert sorted(s.cursor.selectedText() for s in squiggles) == ["#ff0000", "color", "var"]
    # Marks follow edits: a line inserted above moves them down.
    cursor = QTextCursor(editor.document())
    cursor.insertText("\n")
    assert editor.diagnostic_lines() == {9: "error", 3: "error"}
    editor.set_diagnostics([])
    assert editor.diagnostic_lines() == {}


def test_read_only_banner(editor: CodeEditor, qtbot: QtBot) -> None:
    editor.set_read_only_banner("Version 1.2.0 — read-only")
    assert editor.isReadOnly()
    assert editor.read_only_banner() == "Version 1.2.0 — read-only"
    assert editor.viewportMargins().top() > 0
    editor.go_to(1, 1)
    qtbot.keyClicks(editor, "xyz")
    qtbot.keyClick(editor, Qt.Key.Key_Slash, Qt.KeyboardModifier.ControlModifier)
    assert editor.toPlainText() == CSS
    editor.set_read_only_banner(None)
    assert not editor.isReadOnly()
    assert editor.read_only_banner() is None
    assert editor.viewportMargins().top() == 0


def test_find_shortcuts_open_bar_and_f3_steps(editor: CodeEditor, qtbot: QtBot) -> None:
    editor.go_to(1, 1)
    qtbot.keyClick(editor, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    bar = editor.find_bar()
    assert bar.isVisible()
    assert not bar.is_replace_visible()
    assert bar.geometry().top() > editor.geometry().bottom()  # below the text, not over it
    qtbot.keyClicks(bar.find_edit, "brand")
    assert bar.match_count() == (1, 2)
    assert bar.count_label.text() == "1 of 2"
    editor.setFocus()
    qtbot.keyClick(editor, Qt.Key.Key_F3)
    assert editor.line_column()[0] == 8
    qtbot.keyClick(editor, Qt.Key.Key_F3, Qt.KeyboardModifier.ShiftModifier)
    assert editor.line_column()[0] == 2
    qtbot.keyClick(bar.find_edit, Qt.Key.Key_Escape)
    assert not bar.isVisible()
    assert editor.hasFocus()
    qtbot.keyClick(editor, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)
    assert bar.isVisible()
    assert bar.is_replace_visible()
    QApplication.processEvents()
