"""Embed: copyable snippets that put a published theme on a web page, ``latest`` or pinned with SRI.

Works for any theme id and version (the open theme from *Theme → Embed…*, any theme from Browse): the CDN
base comes from the chosen profile, the list of releases and their integrity hashes from its API, fetched off
the GUI thread. Changing the pinned version rebuilds the snippets locally (no request).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase, QGuiApplication, QTextOption
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from studio.adapters.embed_source import profile_releases, snippets_from_releases
from studio.core.embed import PIN_NOTE, EmbedError, EmbedSnippets, Release, Snippet
from studio.core.paths import resources_dir
from studio.core.profiles import Profile
from studio.ui.accessibility import set_name
from studio.ui.background import run_in_background

#: Fetches a theme's releases for a profile (None: the profile has no API). Replaceable for the Browse window.
FetchReleases = Callable[[Profile, str], "list[Release] | None"]
ERROR_STYLE = "color: #c92a2a;"
_KINDS = ("pinned_link", "pinned_loader", "latest_link", "latest_loader")
_TITLES = {
    "pinned_link": "Stylesheet link, pinned",
    "pinned_loader": "Loader, pinned",
    "latest_link": "Stylesheet link, latest",
    "latest_loader": "Loader, latest",
}


class SnippetBox(QGroupBox):
    """One snippet: its code, read-only and selectable, and a Copy button."""

    def __init__(self, kind: str, parent: QWidget | None = None) -> None:
        super().__init__(_TITLES[kind], parent)
        self.kind = kind
        self.setObjectName(f"snippet_{kind}")
        self.code = QPlainTextEdit(self)
        self.code.setReadOnly(True)
        self.code.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.code.setWordWrapMode(QTextOption.WrapMode.WrapAnywhere)  # long URLs and hashes wrap too
        self.code.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.code.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        lines = 10 if kind.endswith("loader") else 5  # a loader call is 9 lines, a link wraps to 3-4
        self.code.setFixedHeight(self.code.fontMetrics().lineSpacing() * lines + 12)
        set_name(self.code, _TITLES[kind])
        self.copy_button = QPushButton("Copy", self)
        self.copy_button.setObjectName(f"copy_{kind}")
        set_name(self.copy_button, f"Copy {_TITLES[kind].lower()}")
        self.copy_button.clicked.connect(self.copy)
        layout = QHBoxLayout(self)
        layout.addWidget(self.code, 1)
        layout.addWidget(self.copy_button)

    def show_snippet(self, snippet: Snippet | None, missing: str = "") -> None:
        self.setTitle(snippet.title if snippet is not None else _TITLES[self.kind])
        self.code.setPlainText(snippet.code if snippet is not None else missing)
        self.copy_button.setEnabled(snippet is not None)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.code.toPlainText())


class EmbedDialog(QDialog):
    """Embed snippets for one theme.

    Signals:
        loaded(object): the snippets now shown (an :class:`EmbedSnippets`).
        failed(str): the releases could not be read; the message is also shown in the dialog.
    """

    loaded = Signal(object)
    failed = Signal(str)

    def __init__(
        self,
        theme_id: str,
        profiles: Sequence[Profile],
        *,
        version: str | None = None,
        theme_name: str = "",
        fetch: FetchReleases = profile_releases,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.theme_id = theme_id
        self.wanted_version = version
        self.fetch = fetch
        self.releases: list[Release] | None = None
        self.snippets: EmbedSnippets | None = None
        self.setObjectName("embedDialog")
        self.setWindowTitle(f"Embed — {theme_name or theme_id}")
        self.resize(860, 560)

        self.profile_box = QComboBox(self)
        set_name(self.profile_box, "Profile")
        for profile in profiles:
            self.profile_box.addItem(profile.label, profile)
        self.version_box = QComboBox(self)
        set_name(self.version_box, "Version to pin")
        self.status = QLabel("", self)
        self.status.setWordWrap(True)
        self.note = QLabel(PIN_NOTE, self)
        self.note.setWordWrap(True)
        self.note.setObjectName("pinNote")
        self.boxes = {kind: SnippetBox(kind, self) for kind in _KINDS}
        self.tabs = QTabWidget(self)
        set_name(self.tabs, "Pinned or latest")
        for title, kinds in (("&Pinned version (recommended)", _KINDS[:2]), ("&Latest", _KINDS[2:])):
            page = QWidget(self.tabs)
            column = QVBoxLayout(page)
            for kind in kinds:
                column.addWidget(self.boxes[kind])
            column.addStretch(1)
            self.tabs.addTab(page, title)
        self.save_loader_button = QPushButton("Save Loader File…", self)
        self.save_loader_button.setToolTip(
            "theme-loader.js: serve it with your page (the loader snippets load it)"
        )
        self.save_loader_button.clicked.connect(self.save_loader)

        form = QFormLayout()
        form.addRow("&Profile:", self.profile_box)
        form.addRow("&Version to pin:", self.version_box)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.addButton(self.save_loader_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(self.note)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)

        self.profile_box.currentIndexChanged.connect(lambda _index: self.refresh())
        self.version_box.currentIndexChanged.connect(lambda _index: self._rebuild())
        if not profiles:
            self._fail("No publishing profile: add one in File → Publishing Profiles… or start the sandbox.")
        else:
            self.refresh()

    @property
    def profile(self) -> Profile | None:
        data = self.profile_box.currentData()
        return data if isinstance(data, Profile) else None

    def refresh(self) -> None:
        """Read the theme's releases from the chosen profile's API, in the background."""
        profile = self.profile
        if profile is None:
            return
        self.status.setStyleSheet("")
        self.status.setText(f"Reading the releases from {profile.backend_url or profile.public_base_url()}…")
        for box in self.boxes.values():
            box.show_snippet(None, "")
        theme_id = self.theme_id
        run_in_background(
            lambda: self.fetch(profile, theme_id),
            lambda releases: self._releases_read(profile, releases),
            self._read_failed,
            owner=self,
        )

    def _releases_read(self, profile: Profile, releases: list[Release] | None) -> None:
        if profile is not self.profile:
            return  # the user chose another profile meanwhile; its own answer will come
        self.releases = releases
        self.version_box.blockSignals(True)
        self.version_box.clear()
        self.version_box.addItem("Newest release", None)
        for release in releases or []:
            label = release.version + (" (yanked)" if release.yanked else "")
            self.version_box.addItem(label + ("" if release.sri else " (no integrity hash)"), release.version)
        wanted = self.version_box.findData(self.wanted_version) if self.wanted_version else 0
        self.version_box.setCurrentIndex(max(wanted, 0))
        self.version_box.setEnabled(releases is not None)
        self.version_box.blockSignals(False)
        self._rebuild()

    def _read_failed(self, exc: Exception) -> None:
        self._fail(f"Could not read the releases: {exc}")

    def _rebuild(self) -> None:
        profile = self.profile
        if profile is None:
            return
        version = self.version_box.currentData()
        try:
            found = snippets_from_releases(
                profile, self.theme_id, self.releases, version if isinstance(version, str) else None
            )
        except EmbedError as exc:
            self._fail(str(exc))
            return
        self.snippets = found
        missing = f"No pinned version: {found.problem}" if found.problem else ""
        for kind, box in self.boxes.items():
            box.show_snippet(getattr(found, kind), missing)
        if found.pinned is None:
            self.tabs.setCurrentIndex(1)  # nothing to pin: what can be copied is on the Latest tab
        where = f"Served from {found.cdn_base}"
        self.status.setStyleSheet("")
        self.status.setText(where + (f"; views are counted by {found.api_base}." if found.api_base else "."))
        self.loaded.emit(found)

    def _fail(self, message: str) -> None:
        self.snippets = None
        self.status.setStyleSheet(ERROR_STYLE)
        self.status.setText(message)
        for box in self.boxes.values():
            box.show_snippet(None, "")
        self.failed.emit(message)

    def save_loader(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Save Loader File", "theme-loader.js", "JavaScript (*.js)"
        )
        if path:
            self.write_loader(path)

    def write_loader(self, path: str) -> None:
        try:
            shutil.copyfile(resources_dir() / "loader" / "theme-loader.js", path)
        except OSError as exc:
            self._fail(f"Could not write {path}: {exc.strerror or exc}")
            return
        self.status.setStyleSheet("")
        self.status.setText(f"Saved the loader to {path}.")


def open_embed_dialog(
    theme_id: str,
    profiles: Sequence[Profile],
    *,
    version: str | None = None,
    theme_name: str = "",
    parent: QWidget | None = None,
) -> EmbedDialog:
    """Open (non-modal) the Embed dialog for any theme id and version: what the Browse window calls."""
    dialog = EmbedDialog(theme_id, profiles, version=version, theme_name=theme_name, parent=parent)
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    return dialog
