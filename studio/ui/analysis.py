"""Diagnostics and the token index computed on a worker thread, newest text first.

The GUI thread only posts text; the worker always analyses the newest text it has been given and drops the
ones that were overtaken while it was busy, so a burst of keystrokes costs one analysis, not one per key.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot

from studio.core.css.incremental import IncrementalLinter
from studio.core.css.lint import LintOptions, LintResult
from studio.core.css.tokens import TokenIndex, index_tokens
from studio.core.diagnostics import Diagnostic
from studio.core.theme_files import scan_theme_files


@dataclass(frozen=True)
class Analysis:
    """Everything the panels need about one version of the text."""

    generation: int
    text: str
    lint: LintResult
    tokens: TokenIndex
    #: Problems of the theme folder's files (links, special files, unsafe asset names): errors that block
    #: publishing, at line 0 (see studio.core.theme_files). Empty when no theme folder is set.
    folder: tuple[Diagnostic, ...] = ()

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        """The folder's problems first, then the stylesheet's."""
        return self.folder + self.lint.diagnostics


class _Worker(QObject):
    done = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._latest: tuple[int, str] | None = None
        self._options = LintOptions()
        self._linter = IncrementalLinter(self._options)
        self._last_tokens: tuple[str, TokenIndex] | None = None

    def post(self, generation: int, text: str) -> None:
        with self._lock:
            self._latest = (generation, text)

    def set_options(self, options: LintOptions) -> None:
        with self._lock:
            if options != self._options:
                self._options = options
                self._linter = IncrementalLinter(options)

    @Slot()
    def work(self) -> None:
        with self._lock:
            job, self._latest = self._latest, None
            linter = self._linter
            root = self._options.asset_root
        if job is None:  # already handled by an earlier wake-up
            return
        generation, text = job
        lint = linter.lint(text)
        if self._last_tokens is not None and self._last_tokens[0] == text:
            tokens = self._last_tokens[1]
        else:
            tokens = index_tokens(text)
            self._last_tokens = (text, tokens)
        # A few stat calls: cheap enough per analysis, and a link made meanwhile shows up at the next edit.
        folder = scan_theme_files(root).diagnostics() if root is not None else ()
        self.done.emit(Analysis(generation, text, lint, tokens, folder))


class AnalysisService(QObject):
    """Posts editor text to a worker thread and emits the analysis of the newest text.

    Signals:
        analysed(Analysis): a newer analysis is ready (never older than one already emitted).
    """

    analysed = Signal(object)
    _wake = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._generation = 0
        self._emitted = -1
        self._thread = QThread(self)
        self._thread.setObjectName("analysis")
        self._worker = _Worker()
        self._worker.moveToThread(self._thread)
        self._wake.connect(self._worker.work)
        self._worker.done.connect(self._deliver)
        self._thread.start()
        app = QCoreApplication.instance()
        if app is not None:  # however the app ends, the thread must stop before Qt tears down
            app.aboutToQuit.connect(self.shutdown)

    def set_options(self, options: LintOptions) -> None:
        self._worker.set_options(options)

    def submit(self, text: str) -> int:
        """Queue ``text`` for analysis; returns its generation number."""
        self._generation += 1
        self._worker.post(self._generation, text)
        self._wake.emit()
        return self._generation

    @property
    def generation(self) -> int:
        return self._generation

    def _deliver(self, analysis: Analysis) -> None:
        if analysis.generation > self._emitted:
            self._emitted = analysis.generation
            self.analysed.emit(analysis)

    def shutdown(self) -> None:
        self._thread.quit()
        self._thread.wait(5000)
