"""The studio's main window: editor, live preview, problems and tokens around one open theme.

The window owns no theme logic: it reads and writes through ``studio.core`` (Theme, History) and runs analysis
through :class:`AnalysisService` on a worker thread. Widgets observe the editor text and the analysis results.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QImage, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from studio.core.atomic import StorageError
from studio.core.css.fixes import apply_once, fix_css
from studio.core.css.lint import LintOptions
from studio.core.css.structure import StructureTracker
from studio.core.css.tokens import TokenDefinition, rewrite_token_value
from studio.core.diagnostics import Diagnostic, Severity
from studio.core.recent import RecentThemes
from studio.core.starters import create_theme
from studio.core.theme import Theme, ThemeError
from studio.ui.accessibility import announce, link_label, set_name
from studio.ui.analysis import Analysis, AnalysisService
from studio.ui.background import run_in_background
from studio.ui.browse.window import install_browse_actions
from studio.ui.editor_pane import EditorPane
from studio.ui.embed_actions import install_embed_actions
from studio.ui.focus import EscapeToEditor, Pane, PaneNavigator, chain_tab_order, install_focus_indicators
from studio.ui.manifest_dialog import ManifestDialog
from studio.ui.new_theme_dialog import NewThemeDialog
from studio.ui.preview import PreviewView, Scheme, folder_url
from studio.ui.problems_panel import ProblemsPanel
from studio.ui.recovery_dialog import RecoveryDialog
from studio.ui.review_actions import install_review_actions
from studio.ui.token_actions import install_token_actions
from studio.ui.token_panel import TokenPanel
from studio.ui.version_viewer import VersionViewer
from studio.ui.versions_dialog import VersionsDialog

if TYPE_CHECKING:
    from studio.adapters.sandbox import Sandbox
    from studio.adapters.server_lock import ServerRecord

log = logging.getLogger(__name__)

AUTOSAVE_DELAY_MS = 700  # "within a second of the last edit", with room for the write itself
ANALYSIS_FALLBACK_MS = 150  # start analysis anyway if the preview has not confirmed by then
# An unclosed block or comment would swallow the rest of the sheet: the preview keeps its last good render.
STALE_NOTICE = "⚠ Stale: showing the last good render; close the open block or comment to update"
# Any other syntax error is applied: browsers skip the broken declaration or rule, as consumers' will.
SYNTAX_NOTICE = "⚠ Syntax error: the preview shows the sheet as browsers read it, skipping the broken part"
SCHEMES: tuple[tuple[str, Scheme | None], ...] = (("Auto", None), ("Light", "light"), ("Dark", "dark"))
VIEWPORTS: tuple[tuple[str, int | None], ...] = (
    ("Full width", None),
    ("Desktop · 1280", 1280),
    ("Tablet · 768", 768),
    ("Mobile · 375", 375),
)


class StudioWindow(QMainWindow):
    """Main window.

    Signals:
        themeOpened(Path): a theme folder was opened.
        themeClosed(): File → Close Theme left no theme open (the start page shows).
        backendChanged(): the backend status changed (the local sandbox started or failed).
        analysed(object): the newest Analysis was shown (diagnostics, tokens).
    """

    themeOpened = Signal(Path)  # noqa: N815 (Qt signal names are camelCase)
    themeClosed = Signal()  # noqa: N815
    backendChanged = Signal()  # noqa: N815
    analysed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.theme: Theme | None = None
        self._saved_text = ""
        self._newline = "\n"
        self._flush_pending = False
        self._last_analysis: Analysis | None = None
        self._structure = StructureTracker()
        self._viewers: list[VersionViewer] = []
        self._announced_line: int | None = None
        self.recent = RecentThemes()
        self.sandbox: Sandbox | None = None  # the local SeaweedFS, once app.py has started it
        self.local_servers: list[ServerRecord] = []  # what app.py runs locally (status bar, Help → About)
        self._server_notes: list[str] = []
        self._closing_unattended = False

        self.editor_pane = EditorPane(self)
        self.editor = self.editor_pane.editor
        self.preview = PreviewView(self)
        self.problems = ProblemsPanel(self)
        self.tokens = TokenPanel(self)
        self.analysis = AnalysisService(self)

        self._autosave_timer = QTimer(self, singleShot=True, interval=AUTOSAVE_DELAY_MS)
        self._autosave_timer.timeout.connect(self._autosave)
        self._analysis_due: str | None = None
        self._analysis_timer = QTimer(self, singleShot=True, interval=ANALYSIS_FALLBACK_MS)
        self._analysis_timer.timeout.connect(self._submit_analysis)

        self._build_layout()
        self._build_navigation()
        self._build_actions()
        install_review_actions(self)
        install_embed_actions(self)
        install_token_actions(self)
        install_browse_actions(self)
        self._wire()
        install_focus_indicators()
        self.editor.setFocus()  # the window opens with the focus in the editor, not the first Tab stop
        self.resize(1440, 900)
        self._restore_geometry()
        self._update_title()

    # ----------------------------------------------------------------- layout
    def _build_layout(self) -> None:
        preview_box = QWidget(self)
        box = QVBoxLayout(preview_box)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        bar = QToolBar("Preview", preview_box)
        bar.setObjectName("previewToolbar")
        self.scheme_box = QComboBox(bar)
        for label, scheme in SCHEMES:
            self.scheme_box.addItem(label, scheme)
        self.scheme_box.setToolTip(
            "Colour scheme of the preview: Auto shows the theme as a page without data-theme would; "
            "Light/Dark set data-theme and make prefers-color-scheme match"
        )
        self.viewport_box = QComboBox(bar)
        for label, width in VIEWPORTS:
            self.viewport_box.addItem(label, width)
        self.viewport_box.setToolTip("Preview width")
        # Its own line under the toolbar: in the toolbar it went into the overflow menu at common widths.
        self.stale_label = QLabel("", preview_box)
        self.stale_label.setObjectName("staleLabel")
        self.stale_label.setWordWrap(True)
        self.stale_label.setVisible(False)
        self.stale_label.setStyleSheet("background: #fff4ce; color: #3d2e00; padding: 4px 8px;")  # 11.6:1
        bar.addWidget(link_label(QLabel(" S&cheme: ", bar), self.scheme_box, "Colour scheme of the preview"))
        bar.addWidget(self.scheme_box)
        bar.addWidget(link_label(QLabel("  View&port: ", bar), self.viewport_box, "Width of the preview"))
        bar.addWidget(self.viewport_box)
        box.addWidget(bar)
        box.addWidget(self.stale_label)
        box.addWidget(self.preview, 1)

        self.preview_bar = bar
        set_name(self.preview, "Preview", "The gallery page styled by the theme")
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.editor_pane)
        self.splitter.addWidget(preview_box)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        # The editor area shares the centre with the start page (Browse) shown while no theme is open.
        self.central_stack = QStackedWidget(self)
        self.central_stack.setObjectName("centralStack")
        self.central_stack.addWidget(self.splitter)
        self.setCentralWidget(self.central_stack)

        self.problems_dock = QDockWidget("Problems", self)
        self.problems_dock.setObjectName("problemsDock")
        self.problems_dock.setWidget(self.problems)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.problems_dock)
        self.tokens_dock = QDockWidget("Tokens", self)
        self.tokens_dock.setObjectName("tokensDock")
        self.tokens_dock.setWidget(self.tokens)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.tokens_dock)
        self.resizeDocks([self.tokens_dock], [390], Qt.Orientation.Horizontal)
        self.resizeDocks([self.problems_dock], [150], Qt.Orientation.Vertical)

        self.position_label = QLabel("Ln 1, Col 1")
        self.counts_label = QLabel("")
        self.save_label = QLabel("")
        self.backend_label = QLabel("")
        self.servers_label = QLabel("")
        sb = self.statusBar()
        sb.addPermanentWidget(self.backend_label)
        sb.addPermanentWidget(self.servers_label)
        sb.addPermanentWidget(self.counts_label)
        sb.addPermanentWidget(self.position_label)
        sb.addPermanentWidget(self.save_label)

    def _build_navigation(self) -> None:
        """F6 panes, Esc back to the editor, and a Tab order that follows the layout (left to right)."""

        def dock_widget(name: str) -> QWidget | None:
            dock = self.findChild(QDockWidget, name)
            return dock if dock is not None and not dock.isHidden() else None

        def reviewer_entry() -> QWidget | None:
            dock = self.findChild(QDockWidget, "reviewDock")
            panel = dock.widget() if dock is not None else None
            return panel.findChild(QWidget, "draftsTree") if panel is not None else None

        self.panes = PaneNavigator(self, [
            Pane("Editor", lambda: self.editor_pane, lambda: self.editor),
            Pane("Tokens", lambda: dock_widget("tokensDock"), lambda: self.tokens.tree),
            Pane("Preview", lambda: self.preview_bar, lambda: self.scheme_box),
            Pane("Problems", lambda: dock_widget("problemsDock"), lambda: self.problems.table),
            Pane("Reviewer", lambda: dock_widget("reviewDock"), reviewer_entry),
        ])
        self.escape_to_editor = EscapeToEditor(self.editor, [self, self.problems_dock, self.tokens_dock])
        chain_tab_order([
            *self.tokens.controls(), self.editor,
            *self.editor.go_to_bar().controls(), *self.editor.find_bar().controls(),
            self.scheme_box, self.viewport_box, *self.problems.controls(),
        ])

    def focus_pane(self, name: str) -> bool:
        """Focus the main control of a pane ("Editor", "Tokens", "Preview", "Problems", "Reviewer"), showing
        the pane first if it is closed (F6 instead resumes where the focus was in the pane)."""
        docks = {"Tokens": self.tokens_dock, "Problems": self.problems_dock}
        if name in docks:
            docks[name].show()
            docks[name].raise_()
        if name == "Reviewer" and self.findChild(QDockWidget, "reviewDock") is None:
            actions = self.findChild(QObject, "reviewActions")
            reviewer = getattr(actions, "reviewer_action", None)
            if isinstance(reviewer, QAction):
                reviewer.setChecked(True)
        dock = self.findChild(QDockWidget, "reviewDock")
        if name == "Reviewer" and dock is not None:
            dock.show()
        return self.panes.enter(self.panes.pane(name), resume=False)

    def focus_preview_page(self) -> None:
        """Put the focus into the preview page itself (Tab then walks its controls, and leaves at the end)."""
        self.preview.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _action(
        self,
        text: str,
        slot: Callable[[], object],
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        return action

    def _build_actions(self) -> None:
        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        file_menu.addAction(
            self._action("&New Theme from Starter…", self.new_theme, QKeySequence.StandardKey.New)
        )
        file_menu.addAction(
            self._action("&Open Theme Folder…", self.open_theme_dialog, QKeySequence.StandardKey.Open)
        )
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        file_menu.addAction(self._action("&Close Theme", self.close_theme, QKeySequence.StandardKey.Close))
        file_menu.addSeparator()
        self.save_action = self._action("&Save", self.save, QKeySequence.StandardKey.Save)
        file_menu.addAction(self.save_action)
        file_menu.addAction(self._action("Theme Se&ttings…", self.edit_manifest, "Ctrl+,"))
        file_menu.addAction(self._action("Publishing &Profiles…", self.show_profiles))
        file_menu.addSeparator()
        file_menu.addAction(self._action("&Quit", self.close, QKeySequence.StandardKey.Quit))

        edit = menu.addMenu("&Edit")
        edit.addAction(self._action("&Undo", self.editor.undo, QKeySequence.StandardKey.Undo))
        edit.addAction(self._action("&Redo", self.editor.redo, QKeySequence.StandardKey.Redo))
        edit.addSeparator()
        edit.addAction(self._action("&Find…", self.editor.show_find, "Ctrl+F"))
        edit.addAction(self._action("R&eplace…", lambda: self.editor.show_find(replace=True), "Ctrl+H"))
        edit.addAction(self._action("&Go to Line…", self.editor.show_go_to_line, "Ctrl+G"))
        edit.addAction(self._action("Toggle &Comment", self.editor.toggle_comment, "Ctrl+/"))

        theme = menu.addMenu("&Theme")
        theme.addAction(self._action("Create &Version…", self.create_version, "Ctrl+Shift+V"))
        theme.addAction(self._action("Versions && &History…", self.show_versions, "Ctrl+Shift+H"))
        theme.addAction(self._action("&Publish…", self.show_publish, "Ctrl+Shift+P"))
        theme.addAction(self._action("&Analytics…", self.show_analytics, "Ctrl+Shift+A"))

        view = menu.addMenu("&View")
        self.problems_dock.toggleViewAction().setText("&Problems Panel")
        self.tokens_dock.toggleViewAction().setText("&Tokens Panel")
        view.addAction(self.problems_dock.toggleViewAction())
        view.addAction(self.tokens_dock.toggleViewAction())
        view.addSeparator()
        view.addAction(self._action("Next Pa&ne", lambda: self.panes.cycle(1), "F6"))
        view.addAction(self._action("Previous Pan&e", lambda: self.panes.cycle(-1), "Shift+F6"))
        for number, (text, pane) in enumerate(
            (("Go to E&ditor", "Editor"), ("Go to T&okens", "Tokens"), ("Go to Pre&view Controls", "Preview"),
             ("Go to Pro&blems", "Problems"), ("Go to Reviewer Dr&afts", "Reviewer")),
            start=1,
        ):
            view.addAction(self._action(text, functools.partial(self.focus_pane, pane), f"Alt+{number}"))
        view.addAction(self._action("Go to Preview Pa&ge", self.focus_preview_page, "Alt+6"))
        view.addSeparator()
        view.addAction(self._action("&Cycle Preview Scheme", self._cycle_scheme, "Ctrl+Shift+D"))

        help_menu = menu.addMenu("&Help")
        help_menu.addAction(self._action("&About ThemeSystem Studio", self.show_about))
        # F10 opens the menu bar, as in GTK and KDE applications (Alt alone does it on some platforms only).
        self.addAction(self._action("Menu Bar", self._open_menu_bar, "F10"))

    def _open_menu_bar(self) -> None:
        bar = self.menuBar()
        first = next((a for a in bar.actions() if a.isVisible() and a.menu() is not None), None)
        if first is not None:
            bar.setFocus(Qt.FocusReason.ShortcutFocusReason)
            bar.setActiveAction(first)

    def _wire(self) -> None:
        self.editor.textChanged.connect(self._on_text_changed)
        self.editor.cursorPositionChangedLineCol.connect(
            lambda line, col: self.position_label.setText(f"Ln {line}, Col {col}")
        )
        self.editor.caretDiagnosticsChanged.connect(self._on_caret_diagnostics)
        self.analysis.analysed.connect(self._on_analysed)
        self.preview.applied.connect(self._submit_analysis)
        self.problems.activated.connect(self.editor.go_to)
        self.problems.fix_requested.connect(self.apply_fix)
        self.problems.fix_all_requested.connect(self.apply_all_fixes)
        self.editor.fix_requested.connect(self.apply_fix)
        self.tokens.valueEdited.connect(self._on_token_edited)
        self.scheme_box.currentIndexChanged.connect(self._on_scheme_changed)
        self.viewport_box.currentIndexChanged.connect(
            lambda _i: self.preview.set_viewport(self.viewport_box.currentData())
        )

    # ----------------------------------------------------------------- theme lifecycle
    def open_theme(self, folder: Path) -> bool:
        """Open a theme folder, offering back unsaved edits from a crash; False if it cannot be opened."""
        if not self._confirm_discard():
            return False
        try:
            theme = Theme.open(folder)
            file_text = theme.read_css()
        except (ThemeError, OSError, UnicodeDecodeError) as exc:
            QMessageBox.warning(self, "Cannot open theme", str(exc))
            return False
        # The editor works in "\n"; a CRLF file is saved back as CRLF, so opening never rewrites every line.
        self._newline = "\r\n" if "\r\n" in file_text else "\n"
        text = self._editor_form(file_text)
        self.theme = theme
        self._saved_text = text
        self.analysis.set_options(LintOptions(tuple(theme.manifest.allowed_origins), asset_root=theme.root))
        self.preview.set_base_url(folder_url(theme.root))
        self._load_text(text)
        self.recent.add(theme.root)
        pending = theme.history.pending_autosave_info()
        if pending is not None and self._editor_form(pending.css) != text:
            dialog = RecoveryDialog(
                theme.manifest.name,
                text,
                self._editor_form(pending.css),
                parent=self,
                autosaved_at=_modified_at(theme.history.autosave_path),
                based_on_current=pending.based_on_current,
            )
            if dialog.exec() == RecoveryDialog.RESTORE:
                self.editor.replace_all_text(self._editor_form(pending.css))
            else:
                theme.history.discard_autosave()
        self._update_title()
        self.themeOpened.emit(theme.root)
        return True

    def close_theme(self) -> bool:
        """Close the open theme (asking about unsaved edits); the start page (Browse) takes its place."""
        if self.theme is None or not self._confirm_discard():
            return False
        self._autosave_timer.stop()
        self.theme = None
        self._saved_text = ""
        self.editor.setPlainText("")
        self.editor.document().setModified(False)
        self.save_label.clear()
        self._update_title()
        self.themeClosed.emit()
        return True

    def _load_text(self, text: str) -> None:
        self.editor.setPlainText(text)
        self.editor.document().setModified(False)
        self._flush()

    def new_theme(self) -> None:
        dialog = NewThemeDialog(self)
        if not dialog.exec():
            return
        starter, name, dest = dialog.result_values()
        try:
            theme = create_theme(dest, starter, name)
        except (ThemeError, OSError) as exc:
            QMessageBox.warning(self, "Cannot create theme", str(exc))
            return
        self.open_theme(theme.root)

    def open_theme_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open Theme Folder")
        if folder:
            self.open_theme(Path(folder))

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        paths = self.recent.list()
        for path in paths:
            self.recent_menu.addAction(str(path), functools.partial(self.open_theme, path))
        if not paths:
            self.recent_menu.addAction("No recent themes").setEnabled(False)

    def is_modified(self) -> bool:
        return self.theme is not None and self.editor.toPlainText() != self._saved_text

    def save(self) -> bool:
        """Write theme.css atomically and record a draft revision; on failure nothing is lost."""
        if self.theme is None:
            return False
        text = self.editor.toPlainText()
        try:
            revision = self.theme.save(self._file_form(text))
        except (StorageError, OSError) as exc:
            QMessageBox.critical(self, "Could not save", f"{exc}\n\nYour edits are still in the editor.")
            return False
        self._saved_text = text
        self.editor.document().setModified(False)
        self.save_label.setText(f"Saved · draft r{revision.number}")
        self._update_title()
        return True

    def _autosave(self) -> None:
        if self.theme is None or not self.is_modified():
            return
        history, text = self.theme.history, self._file_form(self.editor.toPlainText())

        def done(_: object) -> None:
            self.save_label.setText("Unsaved · autosaved")

        def failed(exc: Exception) -> None:
            self.save_label.setText("Autosave failed")
            self.statusBar().showMessage(f"Autosave failed: {exc}", 10000)
            announce(self.save_label, f"Autosave failed: {exc}", assertive=True)

        run_in_background(lambda: history.autosave(text), done, failed, owner=self)

    def _confirm_discard(self) -> bool:
        if not self.is_modified():
            return True
        answer = QMessageBox.question(
            self,
            "Unsaved changes",
            f"Save the changes to “{self.theme.manifest.name if self.theme else ''}” first?",
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        if answer == QMessageBox.StandardButton.Discard and self.theme is not None:
            self.theme.history.discard_autosave()
            return True
        return False

    def close_unattended(self) -> None:
        """Close as File → Quit does, without asking (a signal: logout, shutdown, ``kill``): unsaved edits go
        to the autosave journal now, and the next launch offers them back."""
        if self.theme is not None and self.is_modified():
            try:
                self.theme.history.autosave(self._file_form(self.editor.toPlainText()))
            except (StorageError, OSError) as exc:
                log.warning("autosave at exit failed: %s", exc)
        self._closing_unattended = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._closing_unattended and not self._confirm_discard():
            event.ignore()
            return
        self._autosave_timer.stop()
        QSettings().setValue("window/geometry", self.saveGeometry())
        QSettings().setValue("window/state", self.saveState())
        self.analysis.shutdown()
        for viewer in self._viewers:
            viewer.close()
        event.accept()

    def _restore_geometry(self) -> None:
        settings = QSettings()
        geometry = settings.value("window/geometry")
        state = settings.value("window/state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state)

    # ----------------------------------------------------------------- editing → preview / analysis
    def _on_text_changed(self) -> None:
        if self.theme is not None:
            self._autosave_timer.start()
            self._update_title()
        if not self._flush_pending:
            # Coalesce a burst of edits (paste, replace-all) into one preview update on the next loop turn.
            self._flush_pending = True
            QTimer.singleShot(0, self._flush)

    def _flush(self) -> None:
        self._flush_pending = False
        text = self.editor.toPlainText()
        self._analysis_due = text
        if self._structure.is_complete(text):
            self.preview.apply_css(text)
            self._set_stale(False)
            # Analysis waits for the page to confirm the new style: on two cores, a linter thread running
            # alongside Chromium's restyle would double the keystroke-to-preview latency. The timer is a
            # fallback for a page that never confirms (still loading, renderer gone).
            self._analysis_timer.start()
        else:
            self._set_stale(True)
            self._submit_analysis()

    def _submit_analysis(self, *_: object) -> None:
        self._analysis_timer.stop()
        if self._analysis_due is not None:
            text, self._analysis_due = self._analysis_due, None
            self.analysis.submit(text)

    def _set_stale(self, stale: bool) -> None:
        was_stale = self.preview.is_stale()
        self.preview.set_stale(stale)
        self._set_preview_notice(STALE_NOTICE if stale else "")
        if stale != was_stale:
            announce(self.stale_label, "Preview stale: close the open block or comment to update it." if stale
                     else "Preview up to date.")

    def _set_preview_notice(self, text: str) -> None:
        self.stale_label.setText(text)
        self.stale_label.setVisible(bool(text))

    def _on_caret_diagnostics(self, text: str) -> None:
        """Say the problems of a line when the caret arrives on it (not again while typing on it)."""
        self.statusBar().showMessage(text, 10000) if text else self.statusBar().clearMessage()
        line = self.editor.line_column()[0] if text else None
        if text and line != self._announced_line and self.editor.hasFocus():
            announce(self.editor, text)
        self._announced_line = line

    def _on_analysed(self, analysis: Analysis) -> None:
        self._last_analysis = analysis
        diagnostics = list(analysis.diagnostics)
        self.problems.set_diagnostics(diagnostics)
        in_text = [d for d in diagnostics if not d.in_folder]  # folder problems have no place in the text
        self.editor.set_diagnostics(
            [(d.line, d.column, d.severity.value) for d in in_text],
            [f"{d.message} ({d.rule})" for d in in_text],
        )
        self.editor.set_fixes(in_text)
        self.tokens.set_index(analysis.text, analysis.tokens)
        errors = sum(d.severity is Severity.ERROR for d in diagnostics)
        warnings = sum(d.severity is Severity.WARNING for d in diagnostics)
        self.counts_label.setText(f"{errors} error(s), {warnings} warning(s)")
        if analysis.text == self.editor.toPlainText() and not self.preview.is_stale():
            # This text was applied: browsers drop a broken declaration or rule and keep the rest, so the
            # preview shows what consumers will see. "Stale" is kept for a render the preview did not take.
            self._set_preview_notice(SYNTAX_NOTICE if analysis.lint.has_syntax_errors else "")
        self.analysed.emit(analysis)

    def apply_fix(self, diagnostic: Diagnostic) -> bool:
        """Apply one finding's safe fix to the editor as one undo step; False when the text changed since the
        analysis that found it (the next analysis offers a fresh fix)."""
        text = self.editor.toPlainText()
        if self.editor.isReadOnly() or self._last_analysis is None or self._last_analysis.text != text:
            self.statusBar().showMessage("The text changed since this problem was found; try again.", 5000)
            return False
        new_text, fixed = apply_once(text, [diagnostic])
        if not fixed or diagnostic.fix is None:
            return False
        self.editor.replace_all_text(new_text)
        self.statusBar().showMessage(f"Fixed: {diagnostic.fix.description}", 5000)
        return True

    def apply_all_fixes(self) -> int:
        """Apply every safe fix as one undo step; returns how many findings were fixed."""
        if self.editor.isReadOnly():
            return 0
        result = fix_css(self.editor.toPlainText())
        if result.fixed:
            self.editor.replace_all_text(result.text)
            self.statusBar().showMessage(f"Applied {len(result.fixed)} safe fix(es).", 5000)
        return len(result.fixed)

    def _on_token_edited(self, definition: TokenDefinition, new_value: str) -> None:
        text = self.editor.toPlainText()
        if text[definition.value_start : definition.value_end] != definition.value:
            self.statusBar().showMessage("The text changed under this token; try again.", 5000)
            return
        self.editor.replace_all_text(rewrite_token_value(text, definition, new_value))

    def _on_scheme_changed(self, _index: int) -> None:
        scheme: Scheme | None = self.scheme_box.currentData()
        self.preview.set_scheme(scheme)
        self.tokens.set_scheme(scheme)

    def _cycle_scheme(self) -> None:
        self.scheme_box.setCurrentIndex((self.scheme_box.currentIndex() + 1) % self.scheme_box.count())

    # ----------------------------------------------------------------- theme metadata and versions
    def edit_manifest(self) -> None:
        if self.theme is None:
            return
        dialog = ManifestDialog(self.theme.manifest, self)
        if not dialog.exec():
            return
        try:
            self.theme.save_manifest(dialog.manifest())
        except (StorageError, OSError) as exc:
            QMessageBox.critical(self, "Could not save theme settings", str(exc))
            return
        self.analysis.set_options(
            LintOptions(tuple(self.theme.manifest.allowed_origins), asset_root=self.theme.root)
        )
        self.analysis.submit(self.editor.toPlainText())
        self._update_title()

    def create_version(self) -> None:
        self.show_versions(create=True)

    def show_versions(self, create: bool = False) -> None:
        if self.theme is None:
            return
        dialog = VersionsDialog(
            self.theme, current_css=self._file_form(self.editor.toPlainText()), parent=self
        )
        dialog.openReadOnly.connect(self._open_read_only)
        dialog.restored.connect(self.versions_restored)
        dialog.versionCreated.connect(lambda _record: self._update_title())
        if create:
            QTimer.singleShot(0, dialog.create_version)
        dialog.exec()

    def show_profiles(self) -> None:
        """File → Publishing Profiles…: endpoints, buckets, CDN and backend; secrets go to the OS keyring."""
        from studio.ui.profiles_dialog import ProfilesDialog  # boto3/keyring load only when asked for

        ProfilesDialog(parent=self).exec()

    def show_publish(self) -> None:
        """Theme → Publish…: the publish dialog for the open theme (saved first: the file is what ships)."""
        if self.theme is None or (self.is_modified() and not self.save()):
            return
        from studio.ui.publish_dialog import open_publish_dialog

        open_publish_dialog(self.theme, self, sandbox=self.sandbox)

    def show_analytics(self) -> None:
        """Theme → Analytics…: the open theme's views, downloads and installs, from a profile's backend."""
        if self.theme is None:
            return
        from studio.ui.analytics_dialog import open_analytics_dialog  # QtCharts/httpx load when asked for

        self.analytics_dialog = open_analytics_dialog(self.theme, self, sandbox=self.sandbox)

    def _open_read_only(self, title: str, css: str) -> None:
        viewer = VersionViewer(title, self._editor_form(css), self.theme.root if self.theme else None)
        self._viewers.append(viewer)
        viewer.destroyed.connect(lambda *_: self._viewers.remove(viewer) if viewer in self._viewers else None)
        viewer.show()

    def versions_restored(self, _revision: object, css: str) -> None:
        self.editor.replace_all_text(self._editor_form(css))
        self.statusBar().showMessage("Restored into a new draft; save to keep it as the current text.", 8000)

    # ----------------------------------------------------------------- misc
    def set_backend_status(self, text: str, detail: str = "") -> None:
        """Show which backend the studio talks to (the bundled one is labelled local everywhere)."""
        self.backend_label.setText(text)
        self.backend_label.setToolTip(detail)
        self.backendChanged.emit()

    def set_local_servers(self, servers: list[ServerRecord], notes: list[str] | None = None) -> None:
        """Which local servers run (PID, address, log): in the status bar and Help → About."""
        from studio.ui.about_dialog import servers_detail, servers_summary

        self.local_servers = list(servers)
        self._server_notes = list(notes or [])
        self.servers_label.setText(servers_summary(servers))
        self.servers_label.setToolTip("\n".join([servers_detail(servers), *self._server_notes]).strip())

    def show_about(self) -> None:
        from studio.ui.about_dialog import AboutDialog

        AboutDialog(self.local_servers, self._server_notes, self).exec()

    def _editor_form(self, file_text: str) -> str:
        return file_text.replace("\r\n", "\n")

    def _file_form(self, text: str) -> str:
        return text.replace("\n", self._newline) if self._newline != "\n" else text

    def _update_title(self) -> None:
        if self.theme is None:
            self.setWindowTitle("ThemeSystem Studio")
            return
        mark = " •" if self.is_modified() else ""
        m = self.theme.manifest
        self.setWindowTitle(f"{m.name} {m.version}{mark} — ThemeSystem Studio")
        if mark and not self.save_label.text().startswith("Unsaved"):
            self.save_label.setText("Unsaved")


def _modified_at(path: Path) -> datetime | None:
    try:
        return datetime.fromtimestamp(path.stat().st_mtime)
    except OSError:
        return None


def default_theme_folder() -> Path:
    """The folder a first launch opens: the most recent theme, else a new theme from the light starter."""
    from studio.core.paths import user_data_dir

    recent = RecentThemes().list()
    if recent:
        return recent[0]
    folder = user_data_dir() / "themes" / "my-theme"
    if not (folder / "theme.toml").is_file():
        create_theme(folder, "light", "My Theme")
    return folder


def exit_after_first_paint(window: StudioWindow) -> None:
    """Benchmark hook: quit once the first preview is painted (env ``THEMESTUDIO_EXIT_AFTER_PAINT``)."""
    if not os.environ.get("THEMESTUDIO_EXIT_AFTER_PAINT"):
        return

    def applied(_generation: int) -> None:
        window.preview.applied.disconnect(applied)
        check()

    def check() -> None:
        # Pixels, not the JS callback: the stylesheet is applied before the compositor has drawn it.
        if gallery_painted(window.preview.grab().toImage()):
            print("first-preview-painted", flush=True)
            QApplication.quit()
        else:
            QTimer.singleShot(4, check)

    window.preview.applied.connect(applied)


def gallery_painted(image: QImage) -> bool:
    """True once the preview shows a page with content: a blank or single-colour surface has few colours."""
    if image.isNull():
        return False
    step_x, step_y = max(1, image.width() // 24), max(1, image.height() // 24)
    colours = {
        image.pixel(x, y) for x in range(0, image.width(), step_x) for y in range(0, image.height(), step_y)
    }
    return len(colours) >= 8
