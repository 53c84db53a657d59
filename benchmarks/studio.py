"""``python -m benchmarks studio``: the studio's interactive speed, through the real code paths.

Every figure drives the real thing: keystrokes are Qt key events into the main window's editor, the
preview is the real QtWebEngine view, analysis is the real linter. Baselines (a bare tinycss2 parse, a bare
JS round trip) are measured in the same run so ratios hold on any machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from benchmarks.lint import bench_lint
from benchmarks.stats import median, percentile

if TYPE_CHECKING:
    from PySide6.QtGui import QColor

    from studio.ui.main_window import StudioWindow

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "data" / "corpus"
PROBE = "getComputedStyle(document.getElementById('probe-primary')).backgroundColor"


def _bootstrap() -> str:
    return (CORPUS / "bootstrap.css").read_text(encoding="utf-8")


# ----------------------------------------------------------------------------------------- Qt
def _qt() -> object:
    from studio.ui.qt_env import prepare_qt_environment

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    prepare_qt_environment()
    from studio.ui.app import create_application

    return create_application([])


def _wait(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    from PySide6.QtCore import QCoreApplication, QEventLoop

    end = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > end:
            raise TimeoutError("benchmark step timed out")
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)


def theme_css_of_size(size: int) -> str:
    """The Light starter grown to ``size`` bytes with component rules that use its tokens."""
    from studio.core.paths import resources_dir

    base = (resources_dir() / "themes" / "light" / "theme.css").read_text(encoding="utf-8")
    parts = [base]
    n = 0
    while sum(map(len, parts)) < size:
        parts.append(
            f"\n.component-{n} {{\n  color: var(--color-text);\n  background: var(--color-surface);\n"
            f"  border: 1px solid var(--color-border);\n  border-radius: var(--radius-sm);\n"
            f"  padding: var(--space-2) var(--space-3);\n}}\n"
            f".component-{n}:hover {{ background: var(--color-surface-alt); }}\n"
            f".component-{n} > .title {{ font: 600 1.1rem/1.3 var(--font-sans); }}\n"
        )
        n += 1
    return "".join(parts)


def _open_window(css: str, folder: Path) -> StudioWindow:
    from studio.core.starters import create_theme
    from studio.ui.main_window import StudioWindow

    theme = create_theme(folder, "light", "Bench")
    theme.save(css)
    window = StudioWindow()
    window.resize(1400, 900)
    window.show()
    window.open_theme(theme.root)
    _wait(lambda: window.preview.is_loaded() and window.preview.applied_generation > 0, 20)
    window.preview.evaluate(
        "document.getElementById('probe-primary').scrollIntoView({block: 'center'})", lambda _v: None
    )
    return window


def _select_primary_digit(window: StudioWindow) -> str:
    """Put the editor's selection on the last hex digit of --color-primary; returns the digit."""
    from PySide6.QtGui import QTextCursor

    editor = window.editor
    text = editor.toPlainText()
    start = text.index("--color-primary:")
    hash_at = text.index("#", start)
    cursor = editor.textCursor()
    cursor.setPosition(hash_at + 6)
    cursor.setPosition(hash_at + 7, QTextCursor.MoveMode.KeepAnchor)
    editor.setTextCursor(cursor)
    return str(cursor.selectedText())


ROUND_MARK = "\n/* benchmark round "


def _mark_round(window: StudioWindow, n: int) -> None:
    """Replace the sheet's trailing round comment with round ``n`` and wait until the preview applied it."""
    from PySide6.QtGui import QTextCursor

    editor = window.editor
    text = editor.toPlainText()
    at = text.rfind(ROUND_MARK)
    cursor = editor.textCursor()
    cursor.setPosition(len(text) if at < 0 else at)
    cursor.movePosition(QTextCursor.MoveOperation.End, QTextCursor.MoveMode.KeepAnchor)
    before = window.preview.applied_generation
    cursor.insertText(f"{ROUND_MARK}{n} */\n")
    _wait(lambda: window.preview.applied_generation > before)


class _Confirmation:
    """Records when the preview first reports the computed style we wait for."""

    def __init__(self) -> None:
        self.want = ""
        self.at: float | None = None

    def expect(self, want: str) -> None:
        self.want, self.at = want, None

    def __call__(self, value: object) -> None:
        if value == self.want and self.at is None:
            self.at = time.perf_counter()


def _color_close(pixel: QColor, expected: QColor) -> bool:
    return (
        max(
            abs(pixel.red() - expected.red()),
            abs(pixel.green() - expected.green()),
            abs(pixel.blue() - expected.blue()),
        )
        <= 2
    )


def bench_preview(css: str, repeats: int, *, onscreen: bool) -> dict[str, list[float]]:
    """Keystroke (a real key event replacing one hex digit of --color-primary) → applied / on screen."""
    from PySide6.QtGui import QColor
    from PySide6.QtTest import QTest

    with tempfile.TemporaryDirectory() as tmp:
        window = _open_window(css, Path(tmp) / "bench")
        preview, editor = window.preview, window.editor
        rect_box: list[object] = []
        preview.evaluate(
            "JSON.stringify(document.getElementById('probe-primary').getBoundingClientRect())",
            rect_box.append,
        )
        _wait(lambda: bool(rect_box))
        rect = json.loads(str(rect_box[0]))
        ratio = preview.devicePixelRatioF()
        px, py = int((rect["left"] + 3) * ratio), int((rect["top"] + rect["height"] / 2) * ratio)

        # The window's own apply carries the probe: the computed style is read in the same JS call that sets
        # the text, and its callback is the confirmation (no extra round trip).
        confirmation = _Confirmation()
        preview.set_standing_probe(PROBE, confirmation)
        applied_ms: list[float] = []
        onscreen_ms: list[float] = []
        roundtrip_ms: list[float] = []
        for i in range(repeats + 3):  # the first few warm the JIT and caches
            # Untimed: a new round number in a trailing comment, applied and confirmed first, so the timed
            # keystroke's stylesheet is one the renderer has never seen (Blink caches parsed inline sheets
            # by their text; alternating two texts would time its cache, not the apply).
            _mark_round(window, i)
            digit = "0" if i % 2 else "f"
            _select_primary_digit(window)
            text = editor.toPlainText()
            hash_at = text.index("#", text.index("--color-primary:"))
            expected = QColor(text[hash_at : hash_at + 6] + digit)
            confirmation.expect(f"rgb({expected.red()}, {expected.green()}, {expected.blue()})")

            start = time.perf_counter()
            QTest.keyClicks(editor, digit)
            _wait(lambda: confirmation.at is not None)
            assert confirmation.at is not None
            t_applied = (confirmation.at - start) * 1000
            if onscreen:
                _wait(lambda: _color_close(preview.grab().toImage().pixelColor(px, py), expected))  # noqa: B023
                t_onscreen = (time.perf_counter() - start) * 1000

            # Baseline: one bare JS round trip reading the same computed style.
            got: list[float] = []
            t0 = time.perf_counter()
            preview.evaluate(PROBE, lambda _v: got.append(time.perf_counter()))  # noqa: B023 (waited for below)
            _wait(lambda: bool(got))  # noqa: B023
            if i >= 3:
                applied_ms.append(t_applied)
                roundtrip_ms.append((got[0] - t0) * 1000)
                if onscreen:
                    onscreen_ms.append(t_onscreen)
        preview.set_standing_probe(None)
        window.editor.document().setModified(False)
        window._saved_text = window.editor.toPlainText()  # close without the "save changes?" question
        window.close()
        window.deleteLater()
    return {"applied": applied_ms, "onscreen": onscreen_ms, "roundtrip": roundtrip_ms}


def bench_highlight(repeats: int) -> dict[str, float]:
    """One typed character in a 300 KB sheet → highlighting done (QSyntaxHighlighter is synchronous)."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QTextCursor
    from PySide6.QtTest import QTest

    from studio.ui.editor import CodeEditor

    text = _bootstrap()
    text += (CORPUS / "bulma.css").read_text(encoding="utf-8")[: 300 * 1024 - len(text)]
    editor = CodeEditor()
    editor.resize(1000, 800)
    editor.show()
    start = time.perf_counter()
    editor.setPlainText(text)
    load_ms = (time.perf_counter() - start) * 1000
    at = text.index("color:", len(text) // 2) + len("color:")
    cursor = editor.textCursor()
    cursor.setPosition(at)
    editor.setTextCursor(cursor)
    editor.centerCursor()
    samples: list[float] = []
    for i in range(repeats * 3):
        key = Qt.Key.Key_Backspace if i % 2 else Qt.Key.Key_A
        start = time.perf_counter()
        QTest.keyClick(editor, key)
        samples.append((time.perf_counter() - start) * 1000)
    assert editor.textCursor().position() == at + (0 if (repeats * 3) % 2 == 0 else 1)
    editor.moveCursor(QTextCursor.MoveOperation.Start)
    editor.close()
    editor.deleteLater()
    return {
        "highlight_keystroke_ms_p50_300kb": round(median(samples), 2),
        "highlight_keystroke_ms_p95_300kb": round(percentile(samples, 95), 2),
        "highlight_load_ms_300kb": round(load_ms, 1),
    }


def bench_launch(repeats: int) -> dict[str, float]:
    """Process start → gallery pixels painted (the studio quits itself then), offscreen, first launch."""
    samples: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "QT_QPA_PLATFORM": "offscreen",
            "THEMESTUDIO_EXIT_AFTER_PAINT": "1",
            # Isolated: its own config, data and Qt settings, no keyring (no D-Bus session to reach one),
            # and no sandbox or bundled backend starting beside it.
            "THEMESTUDIO_CONFIG_DIR": str(Path(tmp) / "config"),
            "THEMESTUDIO_DATA_DIR": str(Path(tmp) / "data"),
            "XDG_CONFIG_HOME": str(Path(tmp) / "xdg-config"),
            "XDG_DATA_HOME": str(Path(tmp) / "xdg-data"),
            "DBUS_SESSION_BUS_ADDRESS": "disabled:",
            "THEMESTUDIO_LOCAL_BACKEND": "0",
        }
        for _ in range(repeats):
            start = time.perf_counter()
            proc = subprocess.Popen(
                [sys.executable, "-m", "studio"],
                cwd=REPO,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
            )
            assert proc.stdout is not None
            for line in proc.stdout:
                if line.strip() == "first-preview-painted":
                    samples.append(time.perf_counter() - start)
                    break
            proc.wait(timeout=60)
            if len(samples) < _ + 1:
                raise RuntimeError("the studio exited without painting its preview")
    return {"launch_to_preview_s": round(median(samples), 2)}


def run(quick: bool = False) -> dict[str, float]:
    repeats = 7 if quick else 21
    figures: dict[str, float] = {}
    figures.update(bench_lint(repeats))
    figures.update(bench_launch(2 if quick else 5))
    _qt()
    figures.update(bench_highlight(repeats))
    small = bench_preview(theme_css_of_size(50 * 1024), repeats * 2, onscreen=True)
    figures["preview_apply_ms_p50_50kb"] = round(median(small["applied"]), 1)
    figures["preview_apply_ms_p95_50kb"] = round(percentile(small["applied"], 95), 1)
    figures["preview_onscreen_ms_p50_50kb"] = round(median(small["onscreen"]), 1)
    figures["preview_onscreen_ms_p95_50kb"] = round(percentile(small["onscreen"], 95), 1)
    figures["js_roundtrip_ms_p50_50kb"] = round(median(small["roundtrip"]), 2)
    bootstrap = _bootstrap()
    # Bootstrap has no --color-primary: append the starter's tokens so the same keystroke drives it.
    starter = theme_css_of_size(0)
    big = bench_preview(bootstrap + "\n" + starter, repeats, onscreen=False)
    figures["preview_apply_ms_p50_bootstrap"] = round(median(big["applied"]), 1)
    figures["preview_apply_ms_p95_bootstrap"] = round(percentile(big["applied"], 95), 1)
    _delete_widgets()
    return figures


def _delete_widgets() -> None:
    """Destroy the closed windows (and their web pages) while the QApplication runs: a page that outlives
    its profile at interpreter exit makes Chromium crash the process (as in tests/ui/conftest.py)."""
    import gc

    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QApplication

    for widget in QApplication.topLevelWidgets():
        widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
