"""Menu actions for drafts, reviews and releases, added to an existing :class:`StudioWindow`.

``install_review_actions(window)`` adds "Theme → Submit for Review…", "Theme → Releases…" and
"View → Reviewer Mode" (a dock with the drafts awaiting review). The menus are found by their titles, so the
main window only has to call this once after building its own actions. Profiles are read from the profiles
file when an action runs; their secrets come from the keyring off the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMenu, QMessageBox

from studio.core.profiles import Profile, ProfileError, ProfileStore

# The dialogs pull in boto3/httpx: they load when an action first runs, not with the main window.
if TYPE_CHECKING:
    from studio.adapters.profile_services import ProfileServices
    from studio.ui.main_window import StudioWindow
    from studio.ui.releases_dialog import ReleasesDialog
    from studio.ui.review_panel import Connect, ReviewPanel
    from studio.ui.submit_review_dialog import SubmitReviewDialog

OBJECT_NAME = "reviewActions"


def find_menu(window: StudioWindow, title: str) -> QMenu:
    """The menu bar's menu titled ``title`` (mnemonic ``&`` ignored).

    Raises:
        LookupError: the window has no such menu.
    """
    for action in window.menuBar().actions():
        menu = action.menu()
        if isinstance(menu, QMenu) and action.text().replace("&", "") == title:
            return menu
    raise LookupError(f"the main window has no {title!r} menu")


class ReviewActions(QObject):
    """Holds the actions, the reviewer dock and the open dialogs of one window (so none is collected)."""

    def __init__(
        self,
        window: StudioWindow,
        *,
        profiles: Callable[[], list[Profile]] | None = None,
        connect: Connect | None = None,
    ) -> None:
        super().__init__(window)
        self.setObjectName(OBJECT_NAME)
        self.window = window
        self._profiles = profiles
        self._connect: Connect = connect or _connect_profile
        self.submit_dialog: SubmitReviewDialog | None = None
        self.releases_dialog: ReleasesDialog | None = None
        self.review_dock: QDockWidget | None = None
        self.error_box: QMessageBox | None = None

        self.submit_action = QAction("S&ubmit for Review…", window)
        self.submit_action.triggered.connect(self.submit_for_review)
        self.releases_action = QAction("&Releases…", window)
        self.releases_action.setShortcut(QKeySequence("Ctrl+Shift+R"))
        self.releases_action.triggered.connect(self.show_releases)
        self.reviewer_action = QAction("&Reviewer Mode", window)
        self.reviewer_action.setCheckable(True)
        self.reviewer_action.toggled.connect(self.set_reviewer_mode)

        theme_menu = find_menu(window, "Theme")
        theme_menu.addSeparator()
        theme_menu.addAction(self.submit_action)
        theme_menu.addAction(self.releases_action)
        view_menu = find_menu(window, "View")
        view_menu.addSeparator()
        view_menu.addAction(self.reviewer_action)

    def _load_profiles(self) -> list[Profile] | None:
        try:
            return self._local_profiles() + (self._profiles or _stored_profiles)()
        except ProfileError as exc:
            self._error("Publishing profiles", str(exc))
            return None

    def _local_profiles(self) -> list[Profile]:
        """The running sandbox as author and as reviewer, once the bundled backend serves it."""
        sandbox = self.window.sandbox
        if sandbox is None or not sandbox.running or not sandbox.backend_url:
            return []
        return [sandbox.profile(), sandbox.reviewer_profile()]

    def _theme_needed(self, what: str) -> bool:
        if self.window.theme is None:
            self._error(what, "Open a theme folder first.")
            return False
        return True

    def submit_for_review(self) -> None:
        """Open the Submit for Review dialog for the open theme."""
        if not self._theme_needed("Submit for Review"):
            return
        profiles = self._load_profiles()
        if profiles is None or self.window.theme is None:
            return
        from studio.ui.submit_review_dialog import SubmitReviewDialog

        dialog = SubmitReviewDialog(
            self.window.theme, profiles, self._connect, unsaved=self.window.is_modified(), parent=self.window
        )
        dialog.finished.connect(dialog.deleteLater)
        self.submit_dialog = dialog
        dialog.open()

    def show_releases(self) -> None:
        """Open the Releases dialog for the open theme."""
        if not self._theme_needed("Releases"):
            return
        profiles = self._load_profiles()
        if profiles is None or self.window.theme is None:
            return
        from studio.ui.releases_dialog import ReleasesDialog

        dialog = ReleasesDialog(self.window.theme, profiles, self._connect, parent=self.window)
        dialog.restoreRequested.connect(lambda css: self.window.versions_restored(None, css))
        dialog.finished.connect(dialog.deleteLater)
        self.releases_dialog = dialog
        dialog.open()

    def set_reviewer_mode(self, on: bool) -> None:
        """Show (creating it on first use) or hide the dock of drafts awaiting review."""
        if on and self.review_dock is None:
            profiles = self._load_profiles()
            if profiles is None:
                self.reviewer_action.setChecked(False)
                return
            from studio.ui.review_panel import ReviewPanel

            panel = ReviewPanel(profiles, self._connect, theme_root_for=self._theme_root)
            dock = QDockWidget("Reviewer Mode — drafts awaiting review", self.window)
            dock.setObjectName("reviewDock")
            escape = getattr(self.window, "escape_to_editor", None)
            if escape is not None:
                escape.watch(dock)  # Esc inside the dock returns to the editor, as in the other docks
            dock.setWidget(panel)
            dock.visibilityChanged.connect(self._dock_visibility)
            self.window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
            self.review_dock = dock
            panel.refresh()
        if self.review_dock is not None:
            self.review_dock.setVisible(on)

    @property
    def review_panel(self) -> ReviewPanel | None:
        from studio.ui.review_panel import ReviewPanel

        widget = self.review_dock.widget() if self.review_dock is not None else None
        return widget if isinstance(widget, ReviewPanel) else None

    def _dock_visibility(self, visible: bool) -> None:
        # The dock's own close button hides it: keep the menu check in step (without re-toggling).
        if not visible and self.review_dock is not None and self.review_dock.isHidden():
            self.reviewer_action.blockSignals(True)
            self.reviewer_action.setChecked(False)
            self.reviewer_action.blockSignals(False)

    def _theme_root(self, theme_id: str) -> Path | None:
        theme = self.window.theme
        return theme.root if theme is not None and theme.manifest.id == theme_id else None

    def _error(self, title: str, message: str) -> None:
        ok = QMessageBox.StandardButton.Ok
        box = QMessageBox(QMessageBox.Icon.Warning, title, message, ok, self.window)
        box.finished.connect(box.deleteLater)
        self.error_box = box
        box.open()


def _connect_profile(profile: Profile) -> ProfileServices:
    from studio.adapters.profile_services import connect_profile

    return connect_profile(profile)


def _stored_profiles() -> list[Profile]:
    return list(ProfileStore().load().values())


def install_review_actions(window: StudioWindow) -> None:
    """Add the review and release actions to ``window``'s Theme and View menus (once per window)."""
    if window.findChild(QObject, OBJECT_NAME) is not None:
        return
    ReviewActions(window)
