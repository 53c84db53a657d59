"""Find and replace bar for the code editor, plus the one-undo-step text replacement it and the editor share.

Matching runs Python's ``re`` over the document's plain text (fast enough for a 300 KB stylesheet) and maps
string indices to QTextCursor positions, which count UTF-16 code units, so text with emoji stays correct.
"""

from __future__ import annotations

import bisect
import re
from typing import Final

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QKeyEvent, QTextCursor
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from studio.ui.accessibility import announce

_ASTRAL: Final = re.compile("[\U00010000-\U0010ffff]")
_MAX_MATCHES: Final = 100_000
# CSS identifiers contain hyphens, so "whole word" counts "-" as part of a word: "red" misses "dark-red".
_WORD_BEFORE: Final = r"(?<![\w-])"
_WORD_AFTER: Final = r"(?![\w-])"


class Utf16Index:
    """Converts between Python string indices and Qt text positions (UTF-16 code units) for one text."""

    def __init__(self, text: str) -> None:
        self._astral = [m.start() for m in _ASTRAL.finditer(text)] if not text.isascii() else []

    def to_qt(self, index: int) -> int:
        """Qt position of the Python string index ``index``."""
        return index + bisect.bisect_left(self._astral, index) if self._astral else index

    def to_py(self, position: int) -> int:
        """Python string index of the Qt position ``position``."""
        if not self._astral:
            return position
        lo, hi = 0, position
        while lo < hi:  # smallest index whose Qt position is >= position
            mid = (lo + hi) // 2
            if self.to_qt(mid) < position:
                lo = mid + 1
            else:
                hi = mid
        return lo


def tool_button(text: str, tip: str, name: str | None = None) -> QToolButton:
    """A text tool button with a tooltip (the bars' buttons); ``name`` is what a screen reader says when
    the text is a symbol ("✕" is read as nothing useful). Buttons take Tab focus, unlike Qt's default."""
    button = QToolButton()
    button.setText(text)
    button.setToolTip(tip)
    button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    button.setAccessibleName(name or text)
    return button


def _check_box(text: str, tip: str, name: str) -> QCheckBox:
    box = QCheckBox(text)
    box.setToolTip(tip)
    box.setAccessibleName(name)
    return box


def replace_text_in_one_step(edit: QPlainTextEdit, new_text: str) -> None:
    """Make ``edit`` hold ``new_text`` as one undo step, keeping the cursor and scroll position.

    Only the span between the common prefix and the common suffix is replaced, so the cursor keeps its place
    when it lies outside the change and the highlighter re-highlights only the changed lines.
    """
    old_text = edit.toPlainText()
    if old_text == new_text:
        return
    limit = min(len(old_text), len(new_text))
    prefix = 0
    # Compare in large slices first, then character by character: fast for big documents.
    step = 4096
    while prefix + step <= limit and old_text[prefix:prefix + step] == new_text[prefix:prefix + step]:
        prefix += step
    while prefix < limit and old_text[prefix] == new_text[prefix]:
        prefix += 1
    suffix = 0
    max_suffix = limit - prefix
    while suffix + step <= max_suffix and old_text[len(old_text) - suffix - step:len(old_text) - suffix] == \
            new_text[len(new_text) - suffix - step:len(new_text) - suffix]:
        suffix += step
    while suffix < max_suffix and old_text[-suffix - 1] == new_text[-suffix - 1]:
        suffix += 1

    index = Utf16Index(old_text)
    start, end = index.to_qt(prefix), index.to_qt(len(old_text) - suffix)
    cursor_pos = edit.textCursor().position()
    anchor_pos = edit.textCursor().anchor()
    hscroll, vscroll = edit.horizontalScrollBar().value(), edit.verticalScrollBar().value()

    cursor = QTextCursor(edit.document())
    cursor.beginEditBlock()
    cursor.setPosition(start)
    cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
    cursor.insertText(new_text[prefix:len(new_text) - suffix])
    cursor.endEditBlock()

    # Positions after the change move by the change in length; positions inside it are clamped to its end.
    delta = len(new_text[prefix:len(new_text) - suffix].encode("utf-16-le")) // 2 - (end - start)

    def moved(pos: int) -> int:
        if pos <= start:
            return pos
        if pos >= end:
            return pos + delta
        return min(pos, end + delta)

    restored = edit.textCursor()
    restored.setPosition(moved(anchor_pos))
    restored.setPosition(moved(cursor_pos), QTextCursor.MoveMode.KeepAnchor)
    edit.setTextCursor(restored)
    edit.horizontalScrollBar().setValue(hscroll)
    edit.verticalScrollBar().setValue(vscroll)


class FindReplaceBar(QWidget):
    """Find/replace bar: plain text or regex, case-sensitive, whole word, "3 of 12" count, replace all.

    Signals:
        closed: the bar was hidden by the user (Esc or the close button).
    """

    closed = Signal()

    def __init__(self, edit: QPlainTextEdit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._edit = edit
        self._cache_key: tuple[int, str, bool, bool, bool] | None = None
        self._matches: list[tuple[int, int]] = []
        self._starts: list[int] = []
        self._index = Utf16Index("")
        self.setObjectName("FindReplaceBar")
        self.setAutoFillBackground(True)

        self.find_edit = QLineEdit(placeholderText="Find", clearButtonEnabled=True)
        self.find_edit.setAccessibleName("Find")
        self.replace_edit = QLineEdit(placeholderText="Replace", clearButtonEnabled=True)
        self.replace_edit.setAccessibleName("Replace with")
        self.case_check = _check_box("Aa", "Match case", "Match case")
        self.word_check = _check_box("Word", "Whole word (a hyphen counts as part of a word)", "Whole word")
        self.regex_check = _check_box(".*", "Regular expression (Python syntax; \\1 in the replacement)",
                                      "Regular expression")
        self.count_label = QLabel("")
        self.count_label.setMinimumWidth(90)
        self.prev_button = tool_button("↑", "Previous match (Shift+F3)", "Previous match")
        self.next_button = tool_button("↓", "Next match (F3)", "Next match")
        self.replace_button = tool_button("Replace", "Replace this match and find the next (Enter)")
        self.replace_all_button = tool_button("Replace all", "Replace every match (one undo step)")
        self.close_button = tool_button("✕", "Close (Esc)", "Close find bar")
        self.close_button.setAutoRaise(True)
        self.setAccessibleName("Find and replace")

        find_row = QHBoxLayout()
        for w in (self.find_edit, self.case_check, self.word_check, self.regex_check, self.count_label,
                  self.prev_button, self.next_button, self.close_button):
            find_row.addWidget(w)
        find_row.setStretch(0, 1)
        self._replace_row = QWidget()
        replace_row = QHBoxLayout(self._replace_row)
        replace_row.setContentsMargins(0, 0, 0, 0)
        for w in (self.replace_edit, self.replace_button, self.replace_all_button):
            replace_row.addWidget(w)
        replace_row.setStretch(0, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(3)
        layout.addLayout(find_row)
        layout.addWidget(self._replace_row)

        self.find_edit.textEdited.connect(self._search_from_selection_start)
        self.find_edit.returnPressed.connect(self._on_find_return)
        self.replace_edit.returnPressed.connect(self.replace_current)
        for box in (self.case_check, self.word_check, self.regex_check):
            box.toggled.connect(self._search_from_selection_start)
        self.next_button.clicked.connect(self.find_next)
        self.prev_button.clicked.connect(self.find_previous)
        self.replace_button.clicked.connect(self.replace_current)
        self.replace_all_button.clicked.connect(self.replace_all)
        self.close_button.clicked.connect(self.close_bar)
        # Recounting scans the whole text: do it once typing pauses, not inside every keystroke.
        self._recount_timer = QTimer(self)
        self._recount_timer.setSingleShot(True)
        self._recount_timer.setInterval(150)
        self._recount_timer.timeout.connect(self._on_document_changed)
        edit.document().contentsChanged.connect(self._recount_timer.start)

    def controls(self) -> list[QWidget]:
        """The bar's controls in reading order (the Tab order the editor pane sets)."""
        return [self.find_edit, self.case_check, self.word_check, self.regex_check, self.prev_button,
                self.next_button, self.close_button, self.replace_edit, self.replace_button,
                self.replace_all_button]

    # ---- opening and closing -------------------------------------------------------------------------

    def open_bar(self, replace: bool = False) -> None:
        """Show the bar (with the replace row when ``replace``), seeded with the selected text if any."""
        selected = self._edit.textCursor().selectedText()
        if selected and "\u2029" not in selected:
            self.find_edit.setText(re.escape(selected) if self.regex_check.isChecked() else selected)
        self._replace_row.setVisible(replace)
        read_only = self._edit.isReadOnly()
        for w in (self.replace_edit, self.replace_button, self.replace_all_button):
            w.setEnabled(not read_only)
        self.show()
        self.find_edit.setFocus()
        self.find_edit.selectAll()
        self._update_count()

    def _on_find_return(self) -> None:
        # QLineEdit emits returnPressed for Shift+Return too; Shift goes backwards.
        if QGuiApplication.keyboardModifiers() & Qt.KeyboardModifier.ShiftModifier:
            self.find_previous()
        else:
            self.find_next()

    def is_replace_visible(self) -> bool:
        """Whether the replace row is shown."""
        return not self._replace_row.isHidden()

    def close_bar(self) -> None:
        """Hide the bar and give the focus back to the editor."""
        self.hide()
        self._edit.setFocus()
        self.closed.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, mods = event.key(), event.modifiers()
        if key == Qt.Key.Key_Escape:
            self.close_bar()
        elif key == Qt.Key.Key_F3:
            if mods & Qt.KeyboardModifier.ShiftModifier:
                self.find_previous()
            else:
                self.find_next()
        # Swallow every key that reaches the bar (e.g. the Return QLineEdit passes on after returnPressed),
        # so it does not propagate to the editor, its parent, and type there.
        event.accept()

    # ---- matching ------------------------------------------------------------------------------------

    def pattern(self) -> re.Pattern[str] | None:
        """The compiled search pattern, or None when the find field is empty or the regex is invalid."""
        text = self.find_edit.text()
        if not text:
            return None
        source = text if self.regex_check.isChecked() else re.escape(text)
        if self.word_check.isChecked():
            source = f"{_WORD_BEFORE}(?:{source}){_WORD_AFTER}"
        try:
            flags = re.MULTILINE if self.case_check.isChecked() else re.MULTILINE | re.IGNORECASE
            return re.compile(source, flags)
        except re.error:
            return None

    def _refresh_matches(self) -> list[tuple[int, int]]:
        key = (self._edit.document().revision(), self.find_edit.text(), self.case_check.isChecked(),
               self.word_check.isChecked(), self.regex_check.isChecked())
        if key == self._cache_key:
            return self._matches
        self._cache_key = key
        pattern = self.pattern()
        text = self._edit.toPlainText()
        self._index = Utf16Index(text)
        matches: list[tuple[int, int]] = []
        if pattern is not None:
            for m in pattern.finditer(text):
                if m.end() > m.start():  # empty matches ("a*") select nothing: skip them
                    matches.append(m.span())
                    if len(matches) >= _MAX_MATCHES:
                        break
        self._matches = matches
        self._starts = [s for s, _ in matches]
        return matches

    def match_count(self) -> tuple[int, int]:
        """(1-based index of the match that is selected, or 0; number of matches)."""
        matches = self._refresh_matches()
        return self._current_match_index(matches) + 1, len(matches)

    def _selection_span(self) -> tuple[int, int]:
        cursor = self._edit.textCursor()
        return self._index.to_py(cursor.selectionStart()), self._index.to_py(cursor.selectionEnd())

    def _current_match_index(self, matches: list[tuple[int, int]]) -> int:
        start, end = self._selection_span()
        i = bisect.bisect_left(self._starts, start)
        if i < len(matches) and matches[i] == (start, end):
            return i
        return -1

    def _select(self, span: tuple[int, int]) -> None:
        cursor = self._edit.textCursor()
        cursor.setPosition(self._index.to_qt(span[0]))
        cursor.setPosition(self._index.to_qt(span[1]), QTextCursor.MoveMode.KeepAnchor)
        self._edit.setTextCursor(cursor)
        self._edit.ensureCursorVisible()

    def find_next(self) -> bool:
        """Select the next match after the selection, wrapping around. Returns whether there is a match."""
        matches = self._refresh_matches()
        if not matches:
            self._update_count()
            return False
        _, end = self._selection_span()
        i = bisect.bisect_left(self._starts, end)
        if self._current_match_index(matches) < 0:
            # Nothing matched is selected: the match *at* the cursor counts as next.
            i = bisect.bisect_left(self._starts, self._selection_span()[0])
        self._select(matches[i % len(matches)])
        self._update_count()
        return True

    def find_previous(self) -> bool:
        """Select the match before the selection, wrapping around. Returns whether there is a match."""
        matches = self._refresh_matches()
        if not matches:
            self._update_count()
            return False
        start, _ = self._selection_span()
        i = bisect.bisect_left(self._starts, start) - 1
        self._select(matches[i % len(matches)])
        self._update_count()
        return True

    def _search_from_selection_start(self) -> None:
        """Incremental search while typing: select the first match at or after the selection's start."""
        matches = self._refresh_matches()
        if matches:
            start, _ = self._selection_span()
            i = bisect.bisect_left(self._starts, start)
            self._select(matches[i % len(matches)])
        self._update_count()

    # ---- replacing -----------------------------------------------------------------------------------

    def _replacement_for(self, m: re.Match[str]) -> str:
        repl = self.replace_edit.text()
        return m.expand(repl) if self.regex_check.isChecked() else repl

    def replace_current(self) -> bool:
        """Replace the selected match (if the selection is one) and select the next; True if one was."""
        if self._edit.isReadOnly():
            return False
        matches = self._refresh_matches()
        i = self._current_match_index(matches)
        if i < 0:
            self.find_next()
            return False
        pattern = self.pattern()
        assert pattern is not None  # there are matches
        text = self._edit.toPlainText()
        start, end = matches[i]
        m = pattern.match(text, start)
        if m is None or m.end() != end:  # lookbehind-dependent patterns: fall back to a search
            m = pattern.search(text, start)
        try:
            replacement = self._replacement_for(m) if m is not None else self.replace_edit.text()
        except (re.error, IndexError):
            self.count_label.setText("bad replacement")
            return False
        cursor = self._edit.textCursor()
        cursor.insertText(replacement)
        self._edit.setTextCursor(cursor)
        self.find_next()
        return True

    def replace_all(self) -> int:
        """Replace every match as one undo step. Returns the number of replacements."""
        if self._edit.isReadOnly():
            return 0
        pattern = self.pattern()
        if pattern is None:
            return 0
        text = self._edit.toPlainText()
        count = 0

        def substitute(m: re.Match[str]) -> str:
            nonlocal count
            if m.end() == m.start():
                return ""
            count += 1
            return self._replacement_for(m)

        try:
            new_text = pattern.sub(substitute, text)
        except (re.error, IndexError):
            self.count_label.setText("bad replacement")
            return 0
        replace_text_in_one_step(self._edit, new_text)
        self._update_count()
        return count

    # ---- status --------------------------------------------------------------------------------------

    def _on_document_changed(self) -> None:
        if self.isVisible():
            self._update_count()

    def _update_count(self) -> None:
        before = self.count_label.text()
        self._show_count()
        focused = QApplication.focusWidget()
        if self.count_label.text() != before and focused is not None and self.isAncestorOf(focused):
            announce(self.count_label, self.count_label.text())

    def _show_count(self) -> None:
        if not self.find_edit.text():
            self.count_label.setText("")
            self.find_edit.setStyleSheet("")
            return
        if self.pattern() is None:
            self.count_label.setText("invalid pattern")
            self.find_edit.setStyleSheet("QLineEdit { background: #f8d7da; color: #58151c; }")
            return
        current, total = self.match_count()
        self.find_edit.setStyleSheet("" if total else "QLineEdit { background: #fff3cd; color: #664d03; }")
        if total == 0:
            self.count_label.setText("no matches")
        elif current:
            self.count_label.setText(f"{current} of {total}")
        else:
            self.count_label.setText(f"{total} matches")
