"""The CSS code editor: line numbers with diagnostic markers, highlighting, colour swatches, find/replace.

Built on QPlainTextEdit (fast for 300 KB stylesheets) following Qt's classic CodeEditor example: the gutter
is a child widget in the left viewport margin and the read-only banner sits in the top margin, so neither
covers text. The find/go-to bars belong to the editor but are laid out below it by :class:`EditorPane`, as
its siblings: inside a text edit that keeps Tab for indentation, Tab could not move between their fields.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from PySide6.QtCore import QEvent, QKeyCombination, QPoint, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFontDatabase,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
    QTextBlock,
    QTextCharFormat,
    QTextCursor,
    QTextFormat,
)
from PySide6.QtWidgets import QLabel, QMenu, QPlainTextEdit, QTextEdit, QToolTip, QWidget

from studio.core.diagnostics import Diagnostic
from studio.ui.color_swatches import SwatchCache
from studio.ui.find_replace import FindReplaceBar, replace_text_in_one_step
from studio.ui.fix_icon import fix_icon, paint_bulb
from studio.ui.goto_line import GoToLineBar
from studio.ui.highlighter import COMMENT, STRING, TOKEN_KIND, URL, CssHighlighter

INDENT: Final = "  "
_BRACKETS: Final = {"{": "}", "(": ")", "[": "]", "}": "{", ")": "(", "]": "["}
_OPENING: Final = frozenset("{([")
_BRACKET_RE: Final = re.compile(r"[{}()\[\]]")
_TOKEN_AT: Final = re.compile(r"[-\w#.%!@]+|\S")
_BRACKET_SCAN_LIMIT: Final = 50_000  # characters; beyond this a match is not worth the keystroke latency
_SKIP_KINDS: Final = frozenset({COMMENT, STRING, URL})
_SEVERITY_RANK: Final = {"error": 2, "warning": 1, "hint": 0}

_CTRL = Qt.KeyboardModifier.ControlModifier
_SHIFT = Qt.KeyboardModifier.ShiftModifier
_NONE = Qt.KeyboardModifier.NoModifier
_KEY_TOGGLE_COMMENT: Final = QKeyCombination(_CTRL, Qt.Key.Key_Slash)
_KEY_FIND: Final = QKeyCombination(_CTRL, Qt.Key.Key_F)
_KEY_REPLACE: Final = QKeyCombination(_CTRL, Qt.Key.Key_H)
_KEY_GO_TO: Final = QKeyCombination(_CTRL, Qt.Key.Key_G)
_KEY_NEXT: Final = QKeyCombination(_NONE, Qt.Key.Key_F3)
_KEY_PREVIOUS: Final = QKeyCombination(_SHIFT, Qt.Key.Key_F3)
_KEY_QUICK_FIX: Final = QKeyCombination(_CTRL, Qt.Key.Key_Period)
_EDITOR_KEYS: Final = frozenset({
    _KEY_TOGGLE_COMMENT, _KEY_FIND, _KEY_REPLACE, _KEY_GO_TO, _KEY_NEXT, _KEY_PREVIOUS, _KEY_QUICK_FIX,
})
ACCESSIBLE_NAME: Final = "CSS editor"


class _EditorColors:
    """Editor chrome colours for light and dark backgrounds."""

    def __init__(self, dark: bool) -> None:
        self.current_line = QColor("#2a2d32" if dark else "#f2f6fb")
        self.gutter_bg = QColor("#1b1d21" if dark else "#f5f6f8")
        self.gutter_fg = QColor("#6b717c" if dark else "#9aa1ab")
        self.gutter_current_fg = QColor("#d0d4da" if dark else "#30363d")
        self.gutter_border = QColor("#30343a" if dark else "#e1e4e8")
        self.bracket_bg = QColor("#3b4a5c" if dark else "#cfe3f7")
        self.error = QColor("#f14c4c" if dark else "#d32f2f")
        self.warning = QColor("#e2b93d" if dark else "#e08600")
        self.swatch_border = QColor(255, 255, 255, 110) if dark else QColor(0, 0, 0, 90)


class _LineNumberArea(QWidget):
    """The gutter; painting is done by the editor, which knows the block geometry."""

    def __init__(self, editor: CodeEditor) -> None:
        super().__init__(editor)
        self._editor = editor

    def sizeHint(self) -> QSize:
        return QSize(self._editor.line_number_area_width(), 0)

    def paintEvent(self, event: QPaintEvent) -> None:
        self._editor._paint_gutter(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._editor._gutter_clicked(event.position().y()):
            event.accept()
            return
        super().mousePressEvent(event)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            tip = self._editor._gutter_tooltip(event.pos().y())
            if tip:
                QToolTip.showText(event.globalPos(), tip, self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)


class CodeEditor(QPlainTextEdit):
    """A CSS editor widget.

    Keys: Tab/Shift+Tab indent/dedent by two spaces, Enter keeps the indentation (one more after ``{``),
    Ctrl+/ toggles a comment, Ctrl+F find, Ctrl+H replace, Ctrl+G go to line, F3 / Shift+F3 next/previous,
    Ctrl+Tab / Ctrl+Shift+Tab move the focus out of the editor (Tab itself indents).

    Ctrl+. (or a click on the light bulb in the gutter) offers the safe fixes of the cursor's line.

    Signals:
        cursorPositionChangedLineCol(int, int): the cursor moved; 1-based line and column.
        fix_requested(object): the user chose a quick fix; carries the
            :class:`~studio.core.diagnostics.Diagnostic` whose fix to apply.
        caretDiagnosticsChanged(str): the problems on the caret's line, in words ("" when none); also the
            editor's accessible description, so a screen reader reads them with the editor.
    """

    cursorPositionChangedLineCol = Signal(int, int)  # noqa: N815  (Qt signal naming, part of the API)
    fix_requested = Signal(object)
    caretDiagnosticsChanged = Signal(str)  # noqa: N815

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setTabStopDistance(self.fontMetrics().horizontalAdvance(" ") * len(INDENT))
        self._dark = self.palette().color(QPalette.ColorRole.Base).lightness() < 128
        self._colors = _EditorColors(self._dark)
        self._highlighter = CssHighlighter(self.document(), dark=self._dark)
        self._swatches = SwatchCache()
        self._diagnostics: list[tuple[QTextCursor, str, str]] = []
        self._fixes: list[tuple[QTextCursor, Diagnostic]] = []
        self._caret_diagnostics = ""
        self.setAccessibleName(ACCESSIBLE_NAME)
        self._diagnostic_selections: list[QTextEdit.ExtraSelection] = []
        self._bracket_positions: tuple[int, int] | None = None

        self._gutter = _LineNumberArea(self)
        self._banner = QLabel(self)
        self._banner.setObjectName("ReadOnlyBanner")
        self._banner.setWordWrap(False)
        self._banner.setContentsMargins(8, 3, 8, 3)
        self._banner.setStyleSheet("#ReadOnlyBanner { background: #fff3cd; color: #664d03; "
                                   "border-bottom: 1px solid #e6d38f; }")
        self._banner.hide()
        self._find_bar = FindReplaceBar(self, self)
        self._find_bar.hide()
        self._go_to_bar = GoToLineBar(self.go_to, self)
        self._go_to_bar.hide()
        self._go_to_bar.closed.connect(self.setFocus)

        self.blockCountChanged.connect(self._on_block_count_changed)
        self.updateRequest.connect(self._on_update_request)
        self.cursorPositionChanged.connect(self._on_cursor_moved)
        self._update_margins()
        self._on_cursor_moved()

    # ---- public API ----------------------------------------------------------------------------------

    def highlighter(self) -> CssHighlighter:
        """The syntax highlighter attached to this editor's document."""
        return self._highlighter

    def find_bar(self) -> FindReplaceBar:
        """The find/replace bar (Ctrl+F / Ctrl+H), laid out below the editor by ``EditorPane``."""
        return self._find_bar

    def go_to_bar(self) -> GoToLineBar:
        """The go-to-line bar (Ctrl+G), laid out below the editor by ``EditorPane``."""
        return self._go_to_bar

    def set_dark(self, dark: bool) -> None:
        """Use colours for a dark (True) or light editor background."""
        self._dark = dark
        self._colors = _EditorColors(dark)
        self._highlighter.set_dark(dark)
        self._swatches.clear()
        self._refresh_extra_selections()
        self._gutter.update()
        self.viewport().update()

    def set_read_only_banner(self, text: str | None) -> None:
        """Show ``text`` in a banner above the text and make the editor read-only; None makes it editable."""
        self.setReadOnly(text is not None)
        if text is None:
            self._banner.hide()
            self.setAccessibleName(ACCESSIBLE_NAME)
        else:
            self._banner.setText(text)
            self._banner.show()
            self.setAccessibleName(f"{ACCESSIBLE_NAME}, read-only: {text}")
        self._update_margins()

    def read_only_banner(self) -> str | None:
        """The banner text while read-only, else None."""
        return None if self._banner.isHidden() else self._banner.text()

    def go_to(self, line: int, column: int = 1) -> None:
        """Move the cursor to 1-based ``line``/``column`` (clamped to the text), centre it and focus."""
        block = self.document().findBlockByNumber(min(max(line, 1), self.document().blockCount()) - 1)
        column = min(max(column, 1), block.length())
        cursor = QTextCursor(block)
        cursor.setPosition(block.position() + column - 1)
        self.setFocus()  # first: what the caret lands on is announced only to a focused editor
        self.setTextCursor(cursor)
        self.centerCursor()

    def line_column(self) -> tuple[int, int]:
        """The cursor's 1-based (line, column)."""
        cursor = self.textCursor()
        return cursor.blockNumber() + 1, cursor.positionInBlock() + 1

    def replace_all_text(self, text: str) -> None:
        """Replace the whole text as one undo step, keeping the cursor and scroll position.

        Unlike ``setPlainText`` this keeps the undo history (the replacement is undoable) and re-highlights
        only the lines that changed.
        """
        replace_text_in_one_step(self, text)

    def toggle_comment(self) -> None:
        """Wrap the selection (or the current lines) in ``/* */``, or unwrap it if it already is a comment."""
        if self.isReadOnly():
            return
        cursor = self.textCursor()
        had_selection = cursor.hasSelection()
        doc = self.document()
        start_block, end_block = self._selected_blocks()
        if had_selection and start_block == end_block:
            start, end = cursor.selectionStart(), cursor.selectionEnd()
        else:
            first, last = start_block.text(), end_block.text()
            start = start_block.position() + len(first) - len(first.lstrip())
            end = end_block.position() + len(last.rstrip())
            if end <= start:
                return  # only blank lines
        edit = QTextCursor(doc)
        edit.setPosition(start)
        edit.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        text = edit.selectedText().replace("\u2029", "\n")
        stripped = text.strip()
        if len(stripped) >= 4 and stripped.startswith("/*") and stripped.endswith("*/"):
            lead = len(text) - len(text.lstrip())
            inner = stripped[2:-2]
            inner = inner.removeprefix(" ").removesuffix(" ") if inner.strip() else inner
            new_text = text[:lead] + inner + text[lead + len(stripped):]
        else:
            new_text = f"/* {text} */"
        edit.beginEditBlock()
        edit.insertText(new_text)
        edit.endEditBlock()
        end_pos = edit.position()
        if had_selection:  # keep the (now commented) text selected, so toggling again undoes it
            reselect = QTextCursor(doc)
            reselect.setPosition(start)
            reselect.setPosition(end_pos, QTextCursor.MoveMode.KeepAnchor)
            self.setTextCursor(reselect)

    def set_diagnostics(self, marks: Sequence[tuple[int, int, str]], messages: Sequence[str] = ()) -> None:
        """Mark problems: (1-based line, 1-based column, "error" | "warning"), with ``messages`` in order.

        Each gets a wavy underline from the column to the end of the token there and a dot in the gutter;
        the marks follow later edits until the next call. The messages of the caret's line become the
        editor's accessible description (see ``caretDiagnosticsChanged``).
        """
        texts = list(messages) + [""] * (len(marks) - len(messages))
        doc = self.document()
        self._diagnostics = []
        selections: list[QTextEdit.ExtraSelection] = []
        # Paint warnings first so an error on the same token wins.
        ranked = sorted(zip(marks, texts, strict=True), key=lambda m: _SEVERITY_RANK.get(m[0][2], 0))
        for (line, column, severity), message in ranked:
            if not 1 <= line <= doc.blockCount():
                continue
            block = doc.findBlockByNumber(line - 1)
            text = block.text()
            col = min(max(column, 1), max(len(text), 1)) - 1
            token = _TOKEN_AT.match(text, col)
            if token is None:  # whitespace or end of line: underline the character before, if any
                token_start, token_end = (col - 1, col) if col > 0 else (col, min(col + 1, len(text)))
            else:
                token_start, token_end = token.span()
            cursor = QTextCursor(block)
            cursor.setPosition(block.position() + token_start)
            cursor.setPosition(block.position() + token_end, QTextCursor.MoveMode.KeepAnchor)
            self._diagnostics.append((cursor, severity, message))
            if token_end > token_start:
                sel = QTextEdit.ExtraSelection()
                sel.cursor = cursor
                fmt = QTextCharFormat()
                fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
                fmt.setUnderlineColor({"error": self._colors.error, "warning": self._colors.warning}.get(
                    severity, self._colors.gutter_fg))
                sel.format = fmt
                selections.append(sel)
        self._diagnostic_selections = selections
        self._refresh_extra_selections()
        self._gutter.update()
        self._update_caret_diagnostics()

    def caret_diagnostics(self) -> str:
        """The problems on the caret's line in words, e.g. "Line 3: error at column 5: Unknown property"."""
        return self._caret_diagnostics

    def _update_caret_diagnostics(self) -> None:
        line = self.textCursor().blockNumber()
        found = sorted(
            ((cursor.selectionStart() - cursor.block().position() + 1, severity, message)
             for cursor, severity, message in self._diagnostics if cursor.block().blockNumber() == line),
            key=lambda d: (-_SEVERITY_RANK.get(d[1], 0), d[0]),
        )
        parts = [f"{severity} at column {column}" + (f": {message}" if message else "")
                 for column, severity, message in found]
        text = f"Line {line + 1}: " + "; ".join(parts) if parts else ""
        if text != self._caret_diagnostics:
            self._caret_diagnostics = text
            self.setAccessibleDescription(text)
            self.caretDiagnosticsChanged.emit(text)

    def set_fixes(self, diagnostics: list[Diagnostic]) -> None:
        """Offer the fixes of these diagnostics (those without a fix are ignored) from the gutter and Ctrl+.;
        each follows later edits until the next call, like the marks of :meth:`set_diagnostics`."""
        doc = self.document()
        self._fixes = []
        for d in diagnostics:
            if d.fix is None or not 1 <= d.line <= doc.blockCount():
                continue
            cursor = QTextCursor(doc.findBlockByNumber(d.line - 1))
            self._fixes.append((cursor, d))
        self._gutter.update()

    def fixes_on_line(self, line: int) -> list[Diagnostic]:
        """The diagnostics with a fix on a 1-based line, in column order."""
        found = [d for cursor, d in self._fixes if cursor.block().blockNumber() + 1 == line]
        return sorted(found, key=lambda d: d.column)

    def fix_menu(self, line: int) -> QMenu | None:
        """The quick-fix menu for a line (one action per fix), or None when the line has none."""
        fixes = self.fixes_on_line(line)
        if not fixes:
            return None
        menu = QMenu(self)
        menu.setObjectName("quickFixMenu")
        menu.setToolTipsVisible(True)
        for d in fixes:
            assert d.fix is not None
            action = menu.addAction(fix_icon(), d.fix.description)
            action.setToolTip(f"[{d.rule}] {d.message}")
            action.triggered.connect(lambda _checked=False, d=d: self.fix_requested.emit(d))
        return menu

    def show_fix_menu(self, line: int | None = None) -> bool:
        """Pop up the quick-fix menu for ``line`` (the cursor's by default) beside it; False when none."""
        line = self.textCursor().blockNumber() + 1 if line is None else line
        menu = self.fix_menu(line)
        if menu is None:
            return False
        block = self.document().findBlockByNumber(line - 1)
        below = self.blockBoundingGeometry(block).translated(self.contentOffset()).bottom()
        # Below the line, so the line itself stays visible.
        menu.popup(self._gutter.mapToGlobal(QPoint(self._gutter.width(), round(below))))
        return True

    def _line_at_gutter_y(self, y: float) -> int | None:
        for block, geometry in self._visible_blocks(self._gutter.rect()):
            if geometry.top() <= y < geometry.bottom():
                return block.blockNumber() + 1
        return None

    def _gutter_clicked(self, y: float) -> bool:
        line = self._line_at_gutter_y(y)
        return line is not None and self.show_fix_menu(line)

    def _gutter_tooltip(self, y: float) -> str:
        line = self._line_at_gutter_y(y)
        fixes = self.fixes_on_line(line) if line is not None else []
        if not fixes:
            return ""
        return "Quick fix (click or Ctrl+.): " + "; ".join(d.fix.description for d in fixes if d.fix)

    def diagnostic_lines(self) -> dict[int, str]:
        """Current 1-based line -> worst severity of the marks set by :meth:`set_diagnostics`."""
        lines: dict[int, str] = {}
        for cursor, severity, _message in self._diagnostics:
            line = cursor.block().blockNumber() + 1
            if _SEVERITY_RANK.get(severity, 0) > _SEVERITY_RANK.get(lines.get(line, ""), -1):
                lines[line] = severity
        return lines

    def matching_bracket_positions(self) -> tuple[int, int] | None:
        """The (bracket, match) document positions highlighted for the cursor, or None."""
        return self._bracket_positions

    def show_find(self, replace: bool = False) -> None:
        """Open the find bar (with the replace row when ``replace``)."""
        self._go_to_bar.hide()
        self._find_bar.open_bar(replace=replace)

    def show_go_to_line(self) -> None:
        """Open the go-to-line bar."""
        self._find_bar.hide()
        self._go_to_bar.open_bar(self.textCursor().blockNumber() + 1, self.blockCount())

    def find_next(self) -> bool:
        """Select the next match of the find bar's pattern (F3)."""
        return self._find_bar.find_next()

    def find_previous(self) -> bool:
        """Select the previous match of the find bar's pattern (Shift+F3)."""
        return self._find_bar.find_previous()

    # ---- keys ----------------------------------------------------------------------------------------

    def event(self, event: QEvent) -> bool:
        # Claim our shortcuts while focused, so window-level actions with the same keys do not steal them.
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent) \
                and event.keyCombination() in _EDITOR_KEYS:
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        combo = event.keyCombination()
        key = event.key()
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if key in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab) and mods & _CTRL:
            # Tab indents, so Ctrl+Tab is the way out (as in Qt's own text edits' documentation and IDEs).
            QWidget.focusNextPrevChild(self, key == Qt.Key.Key_Tab and not mods & _SHIFT)
        elif combo == _KEY_TOGGLE_COMMENT:
            self.toggle_comment()
        elif combo == _KEY_FIND:
            self.show_find(replace=False)
        elif combo == _KEY_REPLACE:
            self.show_find(replace=not self.isReadOnly())
        elif combo == _KEY_GO_TO:
            self.show_go_to_line()
        elif combo == _KEY_NEXT:
            self.find_next()
        elif combo == _KEY_PREVIOUS:
            self.find_previous()
        elif combo == _KEY_QUICK_FIX:
            if not self.isReadOnly():
                self.show_fix_menu()
        elif key == Qt.Key.Key_Escape and (self._find_bar.isVisible() or self._go_to_bar.isVisible()):
            self._find_bar.hide()
            self._go_to_bar.hide()
        elif self.isReadOnly():
            super().keyPressEvent(event)
        elif key == Qt.Key.Key_Tab and mods == _NONE:
            self._indent()
        elif key == Qt.Key.Key_Backtab:
            self._dedent()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and mods in (_NONE, _SHIFT):
            self._new_line()
        elif event.text() == "}":
            self._close_brace()
        else:
            super().keyPressEvent(event)

    def _selected_blocks(self) -> tuple[QTextBlock, QTextBlock]:
        cursor = self.textCursor()
        doc = self.document()
        first = doc.findBlock(cursor.selectionStart())
        last = doc.findBlock(cursor.selectionEnd())
        if last != first and cursor.selectionEnd() == last.position():
            last = last.previous()  # a selection ending at a line start does not include that line
        return first, last

    def _indent(self) -> None:
        cursor = self.textCursor()
        first, last = self._selected_blocks()
        if not cursor.hasSelection() or first == last:
            cursor.insertText(INDENT)
            return
        edit = QTextCursor(self.document())
        edit.beginEditBlock()
        block = first
        while block.isValid():
            edit.setPosition(block.position())
            edit.insertText(INDENT)
            if block == last:
                break
            block = block.next()
        edit.endEditBlock()

    def _dedent(self) -> None:
        first, last = self._selected_blocks()
        edit = QTextCursor(self.document())
        edit.beginEditBlock()
        block = first
        while block.isValid():
            text = block.text()
            remove = len(text) - len(text.lstrip(" ")) if not text[:len(INDENT)].strip() else 0
            remove = min(remove, len(INDENT))
            if remove:
                edit.setPosition(block.position())
                edit.setPosition(block.position() + remove, QTextCursor.MoveMode.KeepAnchor)
                edit.removeSelectedText()
            if block == last:
                break
            block = block.next()
        edit.endEditBlock()

    def _new_line(self) -> None:
        cursor = self.textCursor()
        text = cursor.block().text()
        col = cursor.positionInBlock()
        indent = text[:len(text) - len(text.lstrip())]
        indent = indent[:col]
        before, after = text[:col].rstrip(), text[col:].lstrip()
        cursor.beginEditBlock()
        cursor.removeSelectedText()
        if before.endswith("{"):
            if after.startswith("}"):
                # "{|}" -> the brace pair opens up around an indented empty line.
                cursor.insertText("\n" + indent + INDENT)
                keep = cursor.position()
                cursor.insertText("\n" + indent)
                cursor.setPosition(keep)
            else:
                cursor.insertText("\n" + indent + INDENT)
        else:
            cursor.insertText("\n" + indent)
        cursor.endEditBlock()
        self.setTextCursor(cursor)
        self.ensureCursorVisible()

    def _close_brace(self) -> None:
        cursor = self.textCursor()
        before = cursor.block().text()[:cursor.positionInBlock()]
        if not cursor.hasSelection() and before and not before.strip() and len(before) >= len(INDENT):
            # Typing "}" on a blank indented line outdents it to the opening rule's level.
            cursor.beginEditBlock()
            cursor.movePosition(QTextCursor.MoveOperation.Left, QTextCursor.MoveMode.KeepAnchor, len(INDENT))
            cursor.insertText("}")
            cursor.endEditBlock()
            self.setTextCursor(cursor)
        else:
            cursor.insertText("}")
            self.setTextCursor(cursor)

    # ---- cursor, brackets, extra selections ----------------------------------------------------------

    def _on_cursor_moved(self) -> None:
        line, column = self.line_column()
        self._bracket_positions = self._find_bracket_pair()
        self._refresh_extra_selections()
        if self._diagnostics or self._caret_diagnostics:
            self._update_caret_diagnostics()
        self.cursorPositionChangedLineCol.emit(line, column)

    def _refresh_extra_selections(self) -> None:
        selections: list[QTextEdit.ExtraSelection] = []
        current = QTextEdit.ExtraSelection()
        current.format.setBackground(self._colors.current_line)
        current.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
        current.cursor = self.textCursor()
        current.cursor.clearSelection()
        selections.append(current)
        selections.extend(self._diagnostic_selections)
        if self._bracket_positions is not None:
            for pos in self._bracket_positions:
                sel = QTextEdit.ExtraSelection()
                sel.format.setBackground(self._colors.bracket_bg)
                cursor = QTextCursor(self.document())
                cursor.setPosition(pos)
                cursor.setPosition(pos + 1, QTextCursor.MoveMode.KeepAnchor)
                sel.cursor = cursor
                selections.append(sel)
        self.setExtraSelections(selections)

    @staticmethod
    def _skipped_ranges(block: QTextBlock) -> list[tuple[int, int]]:
        """Spans of comments, strings and urls in a block: brackets there do not count."""
        return [(r.start, r.start + r.length) for r in block.layout().formats()
                if r.format.property(TOKEN_KIND) in _SKIP_KINDS]

    @staticmethod
    def _in_ranges(i: int, ranges: list[tuple[int, int]]) -> bool:
        return any(s <= i < e for s, e in ranges)

    def _find_bracket_pair(self) -> tuple[int, int] | None:
        cursor = self.textCursor()
        if cursor.hasSelection():
            return None
        block = cursor.block()
        text = block.text()
        col = cursor.positionInBlock()
        # The bracket after the cursor wins, then the one before it.
        for i in (col, col - 1):
            if 0 <= i < len(text) and text[i] in _BRACKETS:
                skipped = self._skipped_ranges(block)
                if self._in_ranges(i, skipped):
                    continue
                match = self._scan_for_match(block, i, skipped)
                if match is not None:
                    return block.position() + i, match
        return None

    def _scan_for_match(self, block: QTextBlock, index: int, skipped: list[tuple[int, int]]) -> int | None:
        text = block.text()
        bracket = text[index]
        partner = _BRACKETS[bracket]
        forward = bracket in _OPENING
        depth = 0
        scanned = 0
        first = True
        while block.isValid() and scanned < _BRACKET_SCAN_LIMIT:
            if not first:
                text = block.text()
                skipped = self._skipped_ranges(block)
            hits = [m.start() for m in _BRACKET_RE.finditer(text)]
            if first:
                hits = [h for h in hits if (h > index if forward else h < index)]
            if not forward:
                hits.reverse()
            for h in hits:
                c = text[h]
                if c != bracket and c != partner:
                    continue
                if skipped and self._in_ranges(h, skipped):
                    continue
                if c == bracket:
                    depth += 1
                elif depth == 0:
                    return block.position() + h
                else:
                    depth -= 1
            scanned += len(text) + 1
            first = False
            block = block.next() if forward else block.previous()
        return None

    # ---- geometry ------------------------------------------------------------------------------------

    def line_number_area_width(self) -> int:
        """Gutter width: room for the largest line number plus the diagnostic marker."""
        digits = max(3, len(str(max(1, self.blockCount()))))
        return 14 + self.fontMetrics().horizontalAdvance("9") * digits + 8

    def _update_margins(self) -> None:
        top = self._banner.sizeHint().height() if not self._banner.isHidden() else 0
        self.setViewportMargins(self.line_number_area_width(), top, 0, 0)
        self._layout_children()

    def _layout_children(self) -> None:
        cr = self.contentsRect()
        vp = self.viewport().geometry()
        self._gutter.setGeometry(QRect(cr.left(), vp.top(), self.line_number_area_width(), vp.height()))
        if not self._banner.isHidden():
            self._banner.setGeometry(QRect(cr.left(), cr.top(), cr.width(), vp.top() - cr.top()))

    def _on_block_count_changed(self, _count: int) -> None:
        self._update_margins()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._layout_children()

    def _on_update_request(self, rect: QRect, dy: int) -> None:
        if dy:
            self._gutter.scroll(0, dy)
        else:
            self._gutter.update(0, rect.y(), self._gutter.width(), rect.height())

    # ---- painting ------------------------------------------------------------------------------------

    def _visible_blocks(self, event_rect: QRect) -> list[tuple[QTextBlock, QRectF]]:
        blocks: list[tuple[QTextBlock, QRectF]] = []
        block = self.firstVisibleBlock()
        offset = self.contentOffset()
        while block.isValid():
            geometry = self.blockBoundingGeometry(block).translated(offset)
            if geometry.top() > event_rect.bottom():
                break
            if block.isVisible() and geometry.bottom() >= event_rect.top():
                blocks.append((block, geometry))
            block = block.next()
        return blocks

    def _paint_gutter(self, event: QPaintEvent) -> None:
        painter = QPainter(self._gutter)
        colors = self._colors
        painter.fillRect(event.rect(), colors.gutter_bg)
        width = self._gutter.width()
        painter.setPen(colors.gutter_border)
        painter.drawLine(width - 1, event.rect().top(), width - 1, event.rect().bottom())
        current = self.textCursor().blockNumber()
        marks = self.diagnostic_lines() if self._diagnostics else {}
        fixable = {cursor.block().blockNumber() + 1 for cursor, _ in self._fixes}
        font = self.font()
        bold = self.font()
        bold.setBold(True)
        line_height = self.fontMetrics().height()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for block, geometry in self._visible_blocks(event.rect()):
            number = block.blockNumber()
            top = round(geometry.top())
            is_current = number == current
            painter.setFont(bold if is_current else font)
            painter.setPen(colors.gutter_current_fg if is_current else colors.gutter_fg)
            painter.drawText(QRect(0, top, width - 8, line_height),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, str(number + 1))
            severity = marks.get(number + 1)
            if number + 1 in fixable:
                d = max(10, line_height - 4)
                paint_bulb(painter, QRectF(2, top + (line_height - d) / 2, d, d))
            elif severity is not None:
                d = max(6, line_height // 2 - 1)
                color = {"error": colors.error, "warning": colors.warning}.get(severity, colors.gutter_fg)
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(color)
                painter.drawEllipse(QRectF(4, top + (line_height - d) / 2, d, d))
                painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.end()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        self._paint_swatches(event.rect())

    def swatches_for_line(self, line: int) -> list[tuple[int, int, QColor]]:
        """Colour values on 1-based ``line`` as (0-based column, length, colour) — what the swatches show."""
        block = self.document().findBlockByNumber(line - 1)
        return self._swatches.spans(block) if block.isValid() else []

    def _paint_swatches(self, rect: QRect) -> None:
        """Draw a small filled square for each colour value, after the end of its line's text.

        Drawn after the text (not between characters) so swatches never cover code; the order matches the
        order of the values in the line.
        """
        painter: QPainter | None = None
        size = max(8, round(self.fontMetrics().ascent() * 0.8))
        gap = 4
        for block, geometry in self._visible_blocks(rect):
            spans = self._swatches.spans(block)
            if not spans:
                continue
            layout = block.layout()
            line = layout.lineAt(0)
            if not line.isValid():
                continue
            if painter is None:
                painter = QPainter(self.viewport())
                painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            x = geometry.left() + line.x() + line.naturalTextWidth() + 2 * gap
            y = geometry.top() + line.y() + (line.height() - size) / 2
            for _start, _length, color in spans:
                box = QRectF(x + 0.5, y + 0.5, size, size)
                if color.alpha() < 255:
                    half = size / 2
                    painter.fillRect(box, QColor("#ffffff"))
                    painter.fillRect(QRectF(box.x(), box.y(), half, half), QColor("#c8c8c8"))
                    painter.fillRect(QRectF(box.x() + half, box.y() + half, half, half), QColor("#c8c8c8"))
                painter.setPen(self._colors.swatch_border)
                painter.setBrush(color)
                painter.drawRoundedRect(box, 2, 2)
                x += size + gap
        if painter is not None:
            painter.end()
