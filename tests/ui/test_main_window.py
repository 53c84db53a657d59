"""The studio window end to end: real editor, real worker-thread analysis, real QtWebEngine preview."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QImage, QTextCursor
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from studio.core.diagnostics import Diagnostic, Severity
from studio.core.starters import create_theme
from studio.core.theme import Theme
from studio.ui.main_window import StudioWindow, gallery_painted
from studio.ui.recovery_dialog import RecoveryDialog

PRIMARY_BG = "getComputedStyle(document.getElementById('probe-primary')).backgroundColor"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def theme(tmp_path: Path) -> Theme:
    return create_theme(tmp_path / "aurora", "light", "Aurora")


@pytest.fixture
def window(qtbot: QtBot, theme: Theme) -> Iterator[StudioWindow]:
    win = StudioWindow()  # closed below, not by qtbot: its teardown would meet the "save changes?" question
    win.resize(1400, 900)
    win.show()
    assert win.open_theme(theme.root)
    qtbot.waitUntil(win.preview.is_loaded, timeout=15000)
    qtbot.waitUntil(lambda: win.preview.applied_generation > 0, timeout=10000)
    yield win
    win.editor.document().setModified(False)
    win._saved_text = win.editor.toPlainText()  # skip the "save changes?" question on close
    win.close()
    win.deleteLater()


def js(qtbot: QtBot, win: StudioWindow, expr: str) -> object:
    box: list[object] = []
    win.preview.evaluate(expr, box.append)
    qtbot.waitUntil(lambda: bool(box), timeout=5000)
    return box[0]


def wait_for_rule(qtbot: QtBot, win: StudioWindow, rule: str) -> Diagnostic:
    """The first diagnostic of ``rule`` once the worker-thread analysis has shown it."""

    def found() -> list[Diagnostic]:
        return [d for d in win.problems.model.all_diagnostics() if d.rule == rule]

    qtbot.waitUntil(lambda: bool(found()), timeout=5000)
    return found()[0]


def set_token(win: StudioWindow, name: str, value: str) -> None:
    """Type a new value over a token's value in the editor, as a user would (one undoable edit)."""
    text = win.editor.toPlainText()
    start = text.index(f"{name}:") + len(name) + 1
    while text[start] == " ":
        start += 1
    end = text.index(";", start)
    cursor = win.editor.textCursor()
    cursor.setPosition(start)
    cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
    win.editor.setTextCursor(cursor)
    win.editor.insertPlainText(value)


def test_typing_updates_diagnostics_and_preview(qtbot: QtBot, window: StudioWindow) -> None:
    assert js(qtbot, window, PRIMARY_BG) == "rgb(47, 91, 211)"  # the Light starter's --color-primary

    set_token(window, "--color-primary", "#ff0000")
    qtbot.waitUntil(lambda: js(qtbot, window, PRIMARY_BG) == "rgb(255, 0, 0)", timeout=5000)

    # The pixels of the rendered button changed too, not just the computed style.
    js(qtbot, window, "document.getElementById('probe-primary').scrollIntoView({block: 'center'})")

    def button_is_red() -> bool:
        rect = js(
            qtbot, window, "JSON.stringify(document.getElementById('probe-primary').getBoundingClientRect())"
        )
        assert isinstance(rect, str)
        import json

        r = json.loads(rect)
        image = window.preview.grab().toImage()
        ratio = window.preview.devicePixelRatioF()
        pixel = QColor(image.pixel(int((r["left"] + 4) * ratio), int((r["top"] + r["height"] / 2) * ratio)))
        return (pixel.red(), pixel.green(), pixel.blue()) == (255, 0, 0)

    qtbot.waitUntil(button_is_red, timeout=5000)

    # An undefined variable appears in the problems as a warning, with its line.
    cursor = window.editor.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.End)
    window.editor.setTextCursor(cursor)
    window.editor.insertPlainText("\n.probe { color: var(--nope); }\n")
    line = window.editor.toPlainText().count("\n")  # the rule sits on the last line but one
    found = wait_for_rule(qtbot, window, "undefined-variable")
    assert found.severity is Severity.WARNING
    assert found.line == line


def test_syntax_error_keeps_last_good_render_marked_stale(qtbot: QtBot, window: StudioWindow) -> None:
    set_token(window, "--color-primary", "#00ff00")
    qtbot.waitUntil(lambda: js(qtbot, window, PRIMARY_BG) == "rgb(0, 255, 0)", timeout=5000)
    good = window.preview.applied_generation

    # An unclosed block in the middle would swallow the rest of the sheet: the preview must not take it.
    text = window.editor.toPlainText()
    cursor = window.editor.textCursor()
    cursor.setPosition(text.index('[data-theme="dark"]'))
    window.editor.setTextCursor(cursor)
    window.editor.insertPlainText(".broken { color: red;\n")
    qtbot.waitUntil(window.preview.is_stale, timeout=5000)
    assert "Stale: showing the last good render" in window.stale_label.text()
    assert window.preview.applied_generation == good
    assert js(qtbot, window, PRIMARY_BG) == "rgb(0, 255, 0)"
    assert js(qtbot, window, "!document.getElementById('stale-banner').hidden") is True

    window.editor.undo()
    qtbot.waitUntil(lambda: not window.preview.is_stale(), timeout=5000)


@pytest.mark.parametrize(
    ("mistake", "expected_blue_on"),
    [
        (".probe-x { color red; }\n", "#probe-primary"),  # missing colon: only that declaration is dropped
        ("}\n", "#probe-primary"),  # unmatched }: swallows the next rule's prelude, the rest applies
        ('.probe-x { content: "broken\n; }\n', "#probe-primary"),  # broken string: its declaration goes
    ],
)
def test_recoverable_syntax_errors_are_applied_not_stale(
    qtbot: QtBot, window: StudioWindow, mistake: str, expected_blue_on: str
) -> None:
    """Browsers recover from these per declaration or rule, so the preview takes them and says so."""
    cursor = window.editor.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.End)
    window.editor.setTextCursor(cursor)
    window.editor.insertPlainText(f"\n{mistake}\n.z {{}}\n{expected_blue_on} {{ outline-color: #0000ff }}\n")
    wait_for_rule(qtbot, window, "syntax")
    qtbot.waitUntil(lambda: "Syntax error" in window.stale_label.text(), timeout=5000)
    assert not window.preview.is_stale()
    assert js(qtbot, window, "!document.getElementById('stale-banner').hidden") is False
    probe = f"getComputedStyle(document.querySelector('{expected_blue_on}')).outlineColor"
    qtbot.waitUntil(lambda: js(qtbot, window, probe) == "rgb(0, 0, 255)", timeout=5000)


def test_gallery_painted_tells_a_blank_surface_from_the_gallery(qtbot: QtBot, window: StudioWindow) -> None:
    blank = QImage(800, 600, QImage.Format.Format_RGB32)
    blank.fill(QColor("white"))
    assert not gallery_painted(blank)
    assert not gallery_painted(QImage())
    qtbot.waitUntil(lambda: gallery_painted(window.preview.grab().toImage()), timeout=5000)


def test_clicking_a_problem_jumps_to_it(qtbot: QtBot, window: StudioWindow) -> None:
    cursor = window.editor.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.End)
    window.editor.setTextCursor(cursor)
    window.editor.insertPlainText("\n.x {\n  colr: red;\n}\n")
    found = wait_for_rule(qtbot, window, "unknown-property")
    window.editor.go_to(1, 1)
    model, table = window.problems.model, window.problems.table
    row = next(r for r in range(model.rowCount()) if model.diagnostic(r) == found)
    index = model.index(row, 3)
    table.scrollTo(index)
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualRect(index).center())
    assert window.editor.line_column() == (found.line, found.column)


def test_folder_problems_show_in_problems_and_do_not_jump(
    qtbot: QtBot, window: StudioWindow, theme: Theme
) -> None:
    (theme.assets_dir / "logo final.png").write_bytes(b"x")
    (theme.assets_dir / "key.pem").symlink_to("/etc/hostname")
    window.editor.insertPlainText("/* edited */\n")  # any edit re-checks the folder
    found = wait_for_rule(qtbot, window, "theme-files/symlink")
    assert found.severity is Severity.ERROR
    assert wait_for_rule(qtbot, window, "theme-files/asset-name").line == 0
    model, table = window.problems.model, window.problems.table
    row = next(r for r in range(model.rowCount()) if model.diagnostic(r) == found)
    assert model.index(row, 1).data() == "folder"
    assert "2 error(s)" in window.counts_label.text()
    window.problems_dock.resize(1400, 220)
    window.grab().save("/tmp/main-window-folder-problems.png")
    window.editor.go_to(3, 1)
    index = model.index(row, 3)
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualRect(index).center())
    assert window.editor.line_column() == (3, 1)  # no place in the text to go to


def test_a_5000_deep_theme_toml_is_a_clear_message_not_a_crash(qtbot: QtBot, tmp_path: Path) -> None:
    theme = create_theme(tmp_path / "deep", "light", "Deep")
    theme.manifest_path.write_text('id = "x"\nname = "n"\nx = ' + "[" * 5000 + "]" * 5000 + "\n")
    win = StudioWindow()
    win.resize(900, 600)
    win.show()
    seen: list[str] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer)
            return
        seen.append(box.text())
        box.grab().save("/tmp/main-window-deep-toml.png")
        box.button(QMessageBox.StandardButton.Ok).click()

    QTimer.singleShot(0, answer)
    try:
        assert win.open_theme(theme.root) is False
    finally:
        win.close()
        win.deleteLater()
    assert len(seen) == 1
    assert "unreadable theme.toml" in seen[0]
    assert "more than 64 levels deep (line 3)" in seen[0]


def test_token_edit_rewrites_only_that_declaration(qtbot: QtBot, window: StudioWindow) -> None:
    before = window.editor.toPlainText()
    qtbot.waitUntil(lambda: window.tokens.definition_item("--color-link") is not None, timeout=5000)
    item = window.tokens.definition_item("--color-link", ":root")
    assert item is not None
    definition = window.tokens.definition_of(item)
    window.tokens.valueEdited.emit(definition, "rebeccapurple")
    after = window.editor.toPlainText()
    assert after == before[: definition.value_start] + "rebeccapurple" + before[definition.value_end :]
    window.editor.undo()  # one undo step restores the text exactly
    assert window.editor.toPlainText() == before


def test_save_writes_theme_and_draft(qtbot: QtBot, window: StudioWindow, theme: Theme) -> None:
    set_token(window, "--radius", "4px")
    assert window.is_modified()
    assert window.save()
    assert not window.is_modified()
    assert "--radius: 4px;" in theme.css_path.read_text(encoding="utf-8")
    assert theme.history.drafts()[0].sha256
    assert theme.history.pending_autosave() is None


def test_autosave_then_crash_then_restore(qtbot: QtBot, theme: Theme) -> None:
    """A studio process autosaves an edit and is killed; the next start offers the edit back."""
    script = textwrap.dedent(
        f"""
        import os, signal, sys
        from pathlib import Path
        from studio.ui.qt_env import prepare_qt_environment
        prepare_qt_environment()
        from PySide6.QtCore import Qt, QTimer
        from studio.ui.app import create_application
        from studio.ui.main_window import StudioWindow, gallery_painted
        app = create_application([])
        win = StudioWindow()
        win.show()
        win.open_theme(Path({str(theme.root)!r}))
        journal = Path({str(theme.root)!r}) / ".studio" / "autosave.json"
        def type_then_wait():
            win.editor.moveCursor(win.editor.textCursor().MoveOperation.End)
            win.editor.insertPlainText("\\n/* unsaved idea */\\n")
            def check():
                if journal.exists():
                    os.kill(os.getpid(), signal.SIGKILL)  # a crash: no save, no clean exit
                QTimer.singleShot(50, check)
            check()
        QTimer.singleShot(200, type_then_wait)
        QTimer.singleShot(20000, lambda: sys.exit(3))
        app.exec()
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, timeout=60)
    assert proc.returncode == -9, proc.stderr.decode()[-2000:]
    saved = theme.read_css()
    assert "unsaved idea" not in saved  # the crash saved nothing into theme.css

    win = StudioWindow()
    qtbot.addWidget(win)

    def answer_restore() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, RecoveryDialog):
            dialog.done(RecoveryDialog.RESTORE)
        else:
            QTimer.singleShot(20, answer_restore)

    QTimer.singleShot(20, answer_restore)
    assert win.open_theme(theme.root)
    assert "/* unsaved idea */" in win.editor.toPlainText()
    assert win.is_modified()
    assert win.save()
    assert "/* unsaved idea */" in theme.read_css()
    assert theme.history.pending_autosave() is None
    win.close()


def test_restore_from_history_puts_version_text_in_editor(
    qtbot: QtBot, window: StudioWindow, theme: Theme
) -> None:
    original = window.editor.toPlainText()
    theme.create_version(original, bump="minor", changes="First cut")
    set_token(window, "--radius", "0px")
    assert window.save()
    revision = theme.history.restore_version(theme.history.versions()[0].version)
    window.versions_restored(revision, theme.history.read_draft(revision.number))
    assert window.editor.toPlainText() == original
    assert window.is_modified()


def test_scheme_and_viewport_controls_drive_the_preview(qtbot: QtBot, window: StudioWindow) -> None:
    body_bg = "getComputedStyle(document.body).backgroundColor"
    assert window.scheme_box.currentText() == "Auto"
    assert js(qtbot, window, "document.documentElement.getAttribute('data-theme')") is None
    window.scheme_box.setCurrentText("Dark")
    qtbot.waitUntil(lambda: js(qtbot, window, body_bg) == "rgb(15, 20, 27)", timeout=5000)  # dark --color-bg
    assert window.tokens.scheme() == "dark"
    window.scheme_box.setCurrentText("Light")
    qtbot.waitUntil(lambda: js(qtbot, window, body_bg) == "rgb(255, 255, 255)", timeout=5000)

    window.viewport_box.setCurrentIndex(window.viewport_box.findData(375))
    qtbot.waitUntil(
        lambda: js(qtbot, window, "document.querySelector('main').getBoundingClientRect().width") <= 375,
        timeout=5000,
    )


def test_crlf_theme_stays_crlf_and_opens_unmodified(qtbot: QtBot, tmp_path: Path) -> None:
    theme = create_theme(tmp_path / "crlf", "light", "Crlf")
    theme.css_path.write_bytes(theme.css_path.read_bytes().replace(b"\n", b"\r\n"))
    win = StudioWindow()
    qtbot.addWidget(win)
    assert win.open_theme(theme.root)
    assert not win.is_modified()
    set_token(win, "--radius", "3px")
    assert win.save()
    data = theme.css_path.read_bytes()
    assert b"--radius: 3px;\r\n" in data
    assert data.count(b"\n") == data.count(b"\r\n")
    win.close()
