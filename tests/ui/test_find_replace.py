"""FindReplaceBar on a real editor: options, counts, replace, replace all as one undo step."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPlainTextEdit
from pytestqt.qtbot import QtBot

from studio.ui.editor import CodeEditor
from studio.ui.editor_pane import EditorPane
from studio.ui.find_replace import FindReplaceBar, Utf16Index, replace_text_in_one_step
from studio.ui.goto_line import parse_line_column

CSS = """\
.Red { color: red; }
.dark-red { color: darkred; background: RED; }
.x { border-color: #f00; }
"""


@pytest.fixture
def editor(qtbot: QtBot) -> Iterator[CodeEditor]:
    pane = EditorPane()  # held here while the test runs: the editor's parent
    widget = pane.editor
    qtbot.addWidget(pane)
    widget.setPlainText(CSS)
    pane.show()
    qtbot.waitExposed(pane)
    widget.show_find(replace=True)
    yield widget
    pane.close()


def _search(bar: FindReplaceBar, text: str, *, case: bool = False, word: bool = False,
            regex: bool = False) -> None:
    bar.case_check.setChecked(case)
    bar.word_check.setChecked(word)
    bar.regex_check.setChecked(regex)
    bar.find_edit.setText(text)


def test_options_change_the_matches(editor: CodeEditor) -> None:
    bar = editor.find_bar()
    _search(bar, "red")
    assert bar.match_count()[1] == 5  # Red, red, dark-red, darkred, RED
    _search(bar, "red", case=True)
    assert bar.match_count()[1] == 3
    _search(bar, "red", word=True)
    assert bar.match_count()[1] == 3  # "dark-red" and "darkred" are other words
    _search(bar, r"#[0-9a-f]{3}\b", regex=True)
    assert bar.match_count()[1] == 1
    _search(bar, "#[0-9a-f]{3}")  # not a regex: taken literally
    assert bar.match_count()[1] == 0
    _search(bar, "(unclosed", regex=True)
    assert bar.pattern() is None


def test_next_previous_wrap_and_count_label(editor: CodeEditor, qtbot: QtBot) -> None:
    bar = editor.find_bar()
    editor.go_to(1, 1)
    _search(bar, "color")
    assert bar.find_next()
    assert editor.textCursor().selectedText() == "color"
    assert bar.count_label.text() == "1 of 3"
    bar.find_next()
    bar.find_next()
    assert bar.count_label.text() == "3 of 3"
    bar.find_next()  # wraps to the first
    assert bar.count_label.text() == "1 of 3"
    bar.find_previous()  # wraps to the last
    assert bar.count_label.text() == "3 of 3"
    assert editor.line_column() == (3, 18)  # the cursor is at the end of the "color" in "border-color"
    qtbot.keyClick(bar.find_edit, Qt.Key.Key_Return)
    assert bar.count_label.text() == "1 of 3"
    assert editor.toPlainText() == CSS  # Return went to the bar, not into the editor
    _search(bar, "zzz")
    bar.find_next()
    assert bar.count_label.text() == "no matches"


def test_replace_current_with_regex_groups(editor: CodeEditor) -> None:
    bar = editor.find_bar()
    editor.go_to(1, 1)
    _search(bar, r"color: (\w+)", regex=True)
    bar.replace_edit.setText(r"color: \1 /* was \1 */")
    bar.find_next()
    assert bar.replace_current()
    assert editor.document().findBlockByNumber(0).text() == ".Red { color: red /* was red */; }"
    assert editor.textCursor().selectedText() == "color: darkred"  # moved on to the next match


def test_replace_all_is_one_undo_step(editor: CodeEditor) -> None:
    bar = editor.find_bar()
    _search(bar, "red", word=True)
    bar.replace_edit.setText("blue")
    assert bar.replace_all() == 3
    expected = CSS.replace(".Red", ".blue").replace(": red", ": blue").replace("RED", "blue")
    assert editor.toPlainText() == expected
    editor.undo()
    assert editor.toPlainText() == CSS
    assert not editor.document().isUndoAvailable()


def test_replace_is_disabled_read_only(editor: CodeEditor) -> None:
    editor.set_read_only_banner("old version")
    editor.show_find(replace=True)
    bar = editor.find_bar()
    _search(bar, "red")
    bar.replace_edit.setText("x")
    assert not bar.replace_all_button.isEnabled()
    assert bar.replace_all() == 0
    assert editor.toPlainText() == CSS


def test_utf16_positions_with_emoji(qtbot: QtBot) -> None:
    edit = QPlainTextEdit()
    qtbot.addWidget(edit)
    edit.setPlainText('a { content: "😀"; color: red; }')
    bar = FindReplaceBar(edit)
    qtbot.addWidget(bar)
    bar.find_edit.setText("red")
    assert bar.find_next()
    assert edit.textCursor().selectedText() == "red"
    index = Utf16Index("x😀y")
    assert [index.to_qt(i) for i in range(4)] == [0, 1, 3, 4]
    assert [index.to_py(p) for p in (0, 1, 3, 4)] == [0, 1, 2, 3]


def test_replace_text_in_one_step_changes_only_the_difference(qtbot: QtBot) -> None:
    edit = QPlainTextEdit()
    qtbot.addWidget(edit)
    old = "a { color: red; }\n" * 3000
    edit.setPlainText(old)
    cursor = edit.textCursor()
    cursor.setPosition(len(old) - 5)
    edit.setTextCursor(cursor)
    new = old.replace("red", "blue", 1)
    replace_text_in_one_step(edit, new)
    assert edit.toPlainText() == new
    assert edit.textCursor().position() == len(old) - 5 + 1  # shifted by the one longer word before it
    edit.undo()
    assert edit.toPlainText() == old


@pytest.mark.parametrize(
    ("text", "expected"),
    [("12", (12, 1)), ("12:5", (12, 5)), (" 3 , 4 ", (3, 4)), ("0", (1, 1)), ("x", None), ("", None),
     ("1:2:3", None)],
)
def test_parse_line_column(text: str, expected: tuple[int, int] | None) -> None:
    assert parse_line_column(text) == expected


def test_count_follows_edits_once_typing_pauses(editor: CodeEditor, qtbot: QtBot) -> None:
    bar = editor.find_bar()
    _search(bar, "color")
    bar.find_next()
    assert bar.match_count()[1] == 3
    editor.go_to(1, 1)
    qtbot.keyClicks(editor, "color ")
    qtbot.waitUntil(lambda: bar.count_label.text() == "4 matches", timeout=2000)
