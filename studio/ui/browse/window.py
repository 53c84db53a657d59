"""View → Browse Themes, and the studio's start page when no theme is open.

The backends offered are the running local sandbox (once its bundled backend answers) and every saved profile
with a backend URL; ``THEMESYSTEM_API_URL`` adds that backend too. They are read each time Browse opens and
whenever the main window's backend changes (the sandbox starts after the first preview).
"""

from __future__ import annotations

import functools
import os
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMainWindow, QWidget

from studio.core.profiles import Profile, ProfileError, ProfileStore
from studio.ui.browse.target import BrowseTarget

# The view pulls in the catalogue client (httpx) and a web view: it loads when Browse first shows.
if TYPE_CHECKING:
    from studio.adapters.sandbox import Sandbox
    from studio.ui.browse.browse_view import BrowseView
    from studio.ui.browse.source import CatalogSource
    from studio.ui.main_window import StudioWindow

OBJECT_NAME = "browseActions"


def _connect_profile(profile: Profile, label: str) -> CatalogSource:
    from studio.adapters.browse_catalog import BrowseCatalog

    return BrowseCatalog.for_profile(profile, label)


def _connect_url(url: str) -> CatalogSource:
    from studio.adapters.browse_catalog import BrowseCatalog

    return BrowseCatalog.for_url(url, os.environ.get("THEMESTUDIO_BACKEND_TOKEN") or None)


def browse_targets(sandbox: Sandbox | None) -> list[BrowseTarget]:
    """The local sandbox first (when its backend runs), then saved profiles with a backend URL."""
    targets: list[BrowseTarget] = []
    if sandbox is not None and sandbox.running and sandbox.backend_url:
        profile = sandbox.profile()
        label = f"{profile.label} · {profile.backend_url}"
        targets.append(BrowseTarget(label, functools.partial(_connect_profile, profile, label)))
    env_url = os.environ.get("THEMESYSTEM_API_URL", "").strip()
    if env_url:
        targets.append(BrowseTarget(env_url, functools.partial(_connect_url, env_url)))
    try:
        saved = ProfileStore().load()
    except ProfileError:
        saved = {}
    taken = {t.label.split(" · ")[0] for t in targets}
    for _name, profile in sorted(saved.items()):
        if profile.backend_url and profile.label not in taken:
            label = f"{profile.label} · {profile.backend_url}"
            targets.append(BrowseTarget(label, functools.partial(_connect_profile, profile, label)))
    return targets


def bring_to_front(window: QWidget) -> None:
    """Raise and activate ``window`` (the offscreen platform cannot raise, and says so as a warning)."""
    if QGuiApplication.platformName() != "offscreen":
        window.raise_()
    window.activateWindow()


class BrowseWindow(QMainWindow):
    """The Browse view in its own window."""

    def __init__(self, view: BrowseView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = view
        view.setParent(self)
        self.setCentralWidget(view)
        self.setWindowTitle("Browse Themes — ThemeSystem Studio")
        self.setObjectName("browseWindow")
        self.resize(1360, 860)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.view.close_sources()
        event.accept()


class BrowseActions(QObject):
    """View → Browse Themes and the start page of one main window."""

    def __init__(self, window: StudioWindow) -> None:
        super().__init__(window)
        self.setObjectName(OBJECT_NAME)
        self.window = window
        self.browse_window: BrowseWindow | None = None
        self.start_page: BrowseView | None = None
        self.action = QAction("Bro&wse Themes…", window)
        self.action.setShortcut(QKeySequence("Ctrl+Shift+B"))
        self.action.triggered.connect(self.show_browse)
        from studio.ui.review_actions import find_menu

        view_menu = find_menu(window, "View")
        existing = view_menu.actions()
        if existing:  # first in the menu: it is a window of its own, not a pane of this one
            view_menu.insertAction(existing[0], self.action)
            view_menu.insertSeparator(existing[0])
        else:
            view_menu.addAction(self.action)
        # The editor area and the start page share the centre: the page shows while no theme is open.
        self.stack = window.central_stack
        self._hidden_docks: list[QDockWidget] = []
        window.themeOpened.connect(lambda _root: self._show_editor())
        window.themeClosed.connect(self._show_start_page)
        window.backendChanged.connect(self.refresh_targets)
        # After the launch has had its chance to open a theme: only then is "no theme" the real state.
        QTimer.singleShot(0, self, self._show_start_page_if_no_theme)

    def targets(self) -> list[BrowseTarget]:
        return browse_targets(self.window.sandbox)

    def show_browse(self) -> BrowseWindow:
        """Open (or bring forward) the Browse window."""
        if self.browse_window is None:
            from studio.ui.browse.browse_view import BrowseView

            view = BrowseView(self.targets())
            view.startedFrom.connect(self._open_started)
            self.browse_window = BrowseWindow(view)
        else:
            self.browse_window.view.set_targets(self.targets())
        self.browse_window.show()
        bring_to_front(self.browse_window)
        return self.browse_window

    def refresh_targets(self) -> None:
        targets = self.targets()
        for view in (self.start_page, self.browse_window.view if self.browse_window else None):
            if view is not None:
                view.set_targets(targets)

    def _show_start_page_if_no_theme(self) -> None:
        if self.window.theme is None:
            self._show_start_page()

    def _show_start_page(self) -> None:
        if self.start_page is None:
            from studio.ui.browse.browse_view import BrowseView

            self.start_page = BrowseView(self.targets(), self.stack)
            self.start_page.setObjectName("startPage")
            self.start_page.set_banner(
                "No theme is open. Start from one of these themes, or open or create one from the File menu "
                "(Ctrl+O, Ctrl+N)."
            )
            self.start_page.startedFrom.connect(self._open_started)
            self.stack.addWidget(self.start_page)
        # The editor's panes (tokens, problems, reviewer) say nothing without a theme: out of the way.
        if self.stack.currentWidget() is not self.start_page:
            self._hidden_docks = [d for d in self.window.findChildren(QDockWidget) if d.isVisible()]
            for dock in self._hidden_docks:
                dock.hide()
        self.stack.setCurrentWidget(self.start_page)
        self.start_page.search_field.setFocus()

    def _show_editor(self) -> None:
        if self.stack.currentIndex() != 0:
            for dock in self._hidden_docks:
                dock.show()
            self._hidden_docks = []
        self.stack.setCurrentIndex(0)

    def _open_started(self, folder: object) -> None:
        from pathlib import Path

        if isinstance(folder, Path) and self.window.open_theme(folder):
            bring_to_front(self.window)


def install_browse_actions(window: StudioWindow) -> BrowseActions:
    """Add View → Browse Themes and the start page to ``window`` (once)."""
    found = window.findChild(BrowseActions, OBJECT_NAME)
    return found if found is not None else BrowseActions(window)
