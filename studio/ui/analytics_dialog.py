"""Theme → Analytics…: the open theme's usage, read from the backend of a chosen profile.

The profile list is the running local sandbox first, then the saved profiles; the backend token comes from
the keyring on a pool thread (a locked keyring may prompt). One client per profile, closed with the dialog.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from studio.adapters.backend_client import BackendClient
from studio.core.analytics import AnalyticsQuery, AnalyticsReport
from studio.core.profiles import Profile, ProfileError, ProfileStore
from studio.core.theme import Theme
from studio.ui.accessibility import link_label
from studio.ui.analytics_view import AnalyticsView

if TYPE_CHECKING:
    from studio.adapters.sandbox import Sandbox

ClientFor = Callable[[Profile], BackendClient]


class _Clients:
    """One backend client per profile name, built on first use (off the GUI thread) and closed together."""

    def __init__(self, client_for: ClientFor) -> None:
        self._client_for = client_for
        self._lock = threading.Lock()
        self._clients: dict[str, tuple[Profile, BackendClient]] = {}

    def get(self, profile: Profile) -> BackendClient:
        with self._lock:
            known = self._clients.get(profile.name)
            if known is None or known[0] != profile:
                if known is not None:
                    known[1].close()
                known = (profile, self._client_for(profile))
                self._clients[profile.name] = known
            return known[1]

    def close(self) -> None:
        with self._lock:
            for _, client in self._clients.values():
                client.close()
            self._clients.clear()


class AnalyticsDialog(QDialog):
    """The Analytics view of one theme with a profile chooser (which backend to ask)."""

    def __init__(
        self,
        theme_id: str,
        theme_name: str,
        profiles: Sequence[Profile],
        client_for: ClientFor | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Analytics — {theme_name}")
        self.clients = _Clients(client_for or _keyring_client)
        self.profile_box = QComboBox(self)
        for profile in profiles:
            self.profile_box.addItem(profile.label, profile)
        self.view = AnalyticsView(theme_id, theme_name=theme_name, parent=self)
        top = QHBoxLayout()
        top.addWidget(link_label(QLabel("&Profile:"), self.profile_box))
        top.addWidget(self.profile_box, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)
        self.resize(920, 600)
        self.profile_box.currentIndexChanged.connect(lambda _i: self._use_profile())
        self.finished.connect(lambda _r: self.clients.close())
        self._use_profile()

    def profile(self) -> Profile | None:
        data = self.profile_box.currentData()
        return data if isinstance(data, Profile) else None

    def _use_profile(self) -> None:
        profile, clients = self.profile(), self.clients
        if profile is None:
            self.view.set_fetch(None)
            return

        def fetch(query: AnalyticsQuery) -> AnalyticsReport:
            return clients.get(profile).theme_analytics(query)

        self.view.set_fetch(fetch)


def _keyring_client(profile: Profile) -> BackendClient:
    from studio.adapters.analytics import analytics_client

    return analytics_client(profile)


def analytics_profiles(sandbox: Sandbox | None) -> list[Profile]:
    """The running sandbox's profile (when its bundled backend serves), then the saved profiles.

    Raises:
        ProfileError: the profiles file cannot be read.
    """
    local = [sandbox.profile()] if sandbox is not None and sandbox.running and sandbox.backend_url else []
    taken = {p.name for p in local}
    saved = ProfileStore().load()
    return local + [p for name, p in sorted(saved.items()) if name not in taken and p.backend_url]


def open_analytics_dialog(theme: Theme, parent: QWidget, *, sandbox: Sandbox | None = None) -> QDialog:
    """Open (non-modal) the Analytics dialog of ``theme``; an unreadable profiles file is said, not hidden."""
    try:
        profiles = analytics_profiles(sandbox)
    except ProfileError as exc:
        box = QMessageBox(
            QMessageBox.Icon.Warning, "Analytics", str(exc), QMessageBox.StandardButton.Ok, parent
        )
        box.finished.connect(box.deleteLater)
        box.open()
        return box
    dialog = AnalyticsDialog(theme.manifest.id, theme.manifest.name, profiles, parent=parent)
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    return dialog
