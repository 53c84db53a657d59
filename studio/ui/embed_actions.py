"""*Theme → Embed…*: the Embed dialog for the theme open in the editor.

Profiles are those of the Releases dialog: the running sandbox's first, then the saved ones. The Browse window
opens the same dialog for any theme through :func:`studio.ui.embed_dialog.open_embed_dialog`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox

from studio.core.profiles import Profile, ProfileError, ProfileStore
from studio.ui.review_actions import find_menu

if TYPE_CHECKING:
    from studio.ui.embed_dialog import EmbedDialog
    from studio.ui.main_window import StudioWindow

OBJECT_NAME = "embedActions"


class EmbedActions(QObject):
    """Holds the action and the open dialog of one window (so neither is collected)."""

    def __init__(self, window: StudioWindow) -> None:
        super().__init__(window)
        self.setObjectName(OBJECT_NAME)
        self.window = window
        self.dialog: EmbedDialog | None = None
        self.error_box: QMessageBox | None = None
        self.embed_action = QAction("&Embed…", window)
        self.embed_action.triggered.connect(self.show_embed)
        find_menu(window, "Theme").addAction(self.embed_action)

    def show_embed(self) -> None:
        """Open the Embed dialog for the open theme; its theme.toml version is pinned once it is released."""
        theme = self.window.theme
        if theme is None:
            self._error("Open a theme folder first.")
            return
        try:
            profiles = self._sandbox_profiles() + list(ProfileStore().load().values())
        except ProfileError as exc:
            self._error(str(exc))
            return
        from studio.ui.embed_dialog import open_embed_dialog

        self.dialog = open_embed_dialog(
            theme.manifest.id,
            profiles,
            version=theme.manifest.version,
            theme_name=theme.manifest.name,
            parent=self.window,
        )


    def _sandbox_profiles(self) -> list[Profile]:
        """The running sandbox (its bundled backend lists the releases), as the Releases dialog offers it."""
        sandbox = self.window.sandbox
        if sandbox is None or not sandbox.running or not sandbox.backend_url:
            return []
        return [sandbox.profile()]

    def _error(self, message: str) -> None:
        ok = QMessageBox.StandardButton.Ok
        box = QMessageBox(QMessageBox.Icon.Warning, "Embed", message, ok, self.window)
        box.finished.connect(box.deleteLater)
        self.error_box = box
        box.open()


def install_embed_actions(window: StudioWindow) -> None:
    """Add *Theme → Embed…* to ``window``'s Theme menu (once per window)."""
    if window.findChild(QObject, OBJECT_NAME) is None:
        EmbedActions(window)
