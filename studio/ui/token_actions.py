"""Theme → Import Tokens… / Export Tokens…, added to an existing :class:`StudioWindow`.

Import applies the planned stylesheet to the editor as one undo step (the preview and token panel follow the
editor) and writes the token metadata beside ``theme.css``; export reads the editor's current text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox

from studio.core.atomic import StorageError
from studio.core.tokens.apply import ImportPlan
from studio.core.tokens.meta import load_meta, save_meta
from studio.ui.review_actions import find_menu

if TYPE_CHECKING:
    from studio.ui.main_window import StudioWindow
    from studio.ui.tokens_export_dialog import TokensExportDialog
    from studio.ui.tokens_import_dialog import TokensImportDialog

OBJECT_NAME = "tokenActions"


class TokenActions(QObject):
    """The two actions and the dialog they have open (kept so tests and the window can reach them)."""

    def __init__(self, window: StudioWindow) -> None:
        super().__init__(window)
        self.setObjectName(OBJECT_NAME)
        self.window = window
        self.import_dialog: TokensImportDialog | None = None
        self.export_dialog: TokensExportDialog | None = None
        self.import_action = QAction("Import &Tokens…", window)
        self.import_action.triggered.connect(self.show_import)
        self.export_action = QAction("E&xport Tokens…", window)
        self.export_action.triggered.connect(self.show_export)
        menu = find_menu(window, "Theme")
        menu.addSeparator()
        menu.addAction(self.import_action)
        menu.addAction(self.export_action)

    def open_import(self) -> TokensImportDialog | None:
        """Create (not run) the import dialog for the open theme."""
        from studio.ui.tokens_import_dialog import TokensImportDialog

        theme = self.window.theme
        if theme is None:
            return None
        dialog = TokensImportDialog(self.window.editor.toPlainText(), load_meta(theme.root), self.window)
        dialog.applied.connect(self.apply_plan)
        self.import_dialog = dialog
        return dialog

    def show_import(self) -> None:
        dialog = self.open_import()
        if dialog is not None:
            dialog.exec()

    def apply_plan(self, plan: ImportPlan) -> None:
        window = self.window
        if window.theme is None:
            return
        if window.editor.toPlainText() != plan.text:
            QMessageBox.warning(
                window, "Tokens not imported", "The stylesheet changed meanwhile; import again."
            )
            return
        try:
            save_meta(window.theme.root, plan.meta)
        except (OSError, StorageError) as exc:
            QMessageBox.critical(window, "Could not save token metadata", str(exc))
            return
        if plan.new_text != plan.text:
            window.editor.replace_all_text(plan.new_text)
        window.statusBar().showMessage(
            f"Imported {plan.token_count} token(s): {len(plan.changes)} change(s)", 8000
        )

    def open_export(self) -> TokensExportDialog | None:
        from studio.ui.tokens_export_dialog import TokensExportDialog

        theme = self.window.theme
        if theme is None:
            return None
        self.export_dialog = TokensExportDialog(
            self.window.editor.toPlainText(), load_meta(theme.root), self.window
        )
        return self.export_dialog

    def show_export(self) -> None:
        dialog = self.open_export()
        if dialog is not None and dialog.exec():
            self.window.statusBar().showMessage(f"Exported {', '.join(str(p) for p in dialog.written)}", 8000)


def install_token_actions(window: StudioWindow) -> TokenActions:
    return TokenActions(window)
