"""Releases: a theme's published releases (from the backend) beside its local versions.

Published releases show version, date, sha256, size and whether they are yanked; local versions come from
``theme.history``. Any two entries can be diffed (text and custom properties), one opened read-only (a
published one is read through its public URL and checked against the registered sha256), a new draft started
from one (the editor takes its text), and a published release yanked after a confirmation, which also takes
it off the ``latest`` alias when it was there. All I/O runs in the background.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studio.adapters.releases import ReleaseRecord, YankOutcome, list_releases, read_release, yank_release
from studio.core.css.tokens import TokenChange, custom_property_diff
from studio.core.history import VersionRecord
from studio.core.profiles import Profile
from studio.core.textdiff import unified_diff
from studio.core.theme import Theme
from studio.ui.accessibility import link_label, set_name, show_message
from studio.ui.qt_helpers import child_items, selected_children
from studio.ui.review_panel import (
    ERROR_STYLE,
    OK_STYLE,
    Connect,
    ServicesCache,
    describe_error,
    forget,
    run_for,
)
from studio.ui.review_panel import parse_time as backend_time
from studio.ui.version_viewer import VersionViewer
from studio.ui.versions_dialog import DiffDialog, format_time

_ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1
YANKED_COLOR = "#868e96"
WAIVER_COLOR = "#b3261e"  # the warning red the publish dialog uses


@dataclass(frozen=True)
class ReleaseEntry:
    """One row: a published release or a local version."""

    kind: Literal["published", "local"]
    version: str
    created: str
    release: ReleaseRecord | None = None
    local: VersionRecord | None = None

    @property
    def label(self) -> str:
        return f"{self.version} ({'published' if self.kind == 'published' else 'local'})"


class ReleasesDialog(QDialog):
    """Published releases and local versions of one theme.

    Signals:
        loaded(): both lists were (re)loaded (a failure is shown in ``status``).
        restoreRequested(str): start a new draft from this CSS (the window puts it into the editor).
        yanked(object): a release was yanked (the YankOutcome).
        failed(str): an operation failed; the message is also shown in the dialog.
    """

    loaded = Signal()
    restoreRequested = Signal(str)  # noqa: N815 (Qt signal names are camelCase)
    yanked = Signal(object)
    failed = Signal(str)

    COLUMNS = ("Version", "Date", "sha256", "Size", "Status")

    def __init__(
        self,
        theme: Theme,
        profiles: Sequence[Profile],
        connect: Connect,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.theme = theme
        self.services = ServicesCache(connect)
        self.releases: list[ReleaseRecord] = []
        self.local_versions: list[VersionRecord] = []
        self.viewers: list[VersionViewer] = []
        self.diff_dialog: DiffDialog | None = None
        self.confirm_box: QMessageBox | None = None
        self._keep_status = False
        self.setWindowTitle(f"Releases — {theme.manifest.name}")

        self.profile_box = QComboBox(self)
        for profile in profiles:
            self.profile_box.addItem(profile.label, profile)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("releasesTree")
        set_name(self.tree, "Releases and local versions")
        self.tree.setColumnCount(len(self.COLUMNS))
        self.tree.setHeaderLabels(list(self.COLUMNS))
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        for column, width in enumerate((170, 130, 120, 90)):
            self.tree.header().resizeSection(column, width)
        self.published_group = self._group("Published releases")
        self.local_group = self._group("Local versions")

        self.refresh_button = QPushButton("Refresh")
        self.open_button = QPushButton("Open Read-Only")
        self.diff_button = QPushButton("Diff Selected")
        self.draft_button = QPushButton("Start New Draft from It")
        self.yank_button = QPushButton("Yank Release…")
        self.open_button.clicked.connect(self.open_read_only)
        self.diff_button.clicked.connect(self.show_diff)
        self.draft_button.clicked.connect(self.start_draft)
        self.yank_button.clicked.connect(self.confirm_yank)
        self.refresh_button.clicked.connect(self.refresh)
        self.draft_button.setToolTip("Put this version's text into the editor as the new working draft")
        self.yank_button.setToolTip(
            "Hide this release from the theme's available versions (pinned URLs keep working); "
            "the latest alias is moved off it"
        )
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        top = QHBoxLayout()
        top.addWidget(link_label(QLabel("&Profile:"), self.profile_box))
        top.addWidget(self.profile_box, 1)
        top.addWidget(self.refresh_button)
        side = QVBoxLayout()
        for button in (self.open_button, self.diff_button, self.draft_button, self.yank_button):
            side.addWidget(button)
        side.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        side.addWidget(close)
        body = QHBoxLayout()
        body.addWidget(self.tree, 1)
        body.addLayout(side)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(body, 1)
        layout.addWidget(self.status)
        self.resize(900, 480)

        self.tree.itemSelectionChanged.connect(self._update_buttons)
        self.tree.itemDoubleClicked.connect(lambda *_: self.open_read_only())
        self.profile_box.currentIndexChanged.connect(lambda _i: self.refresh())
        self.finished.connect(lambda _r: self.services.close())
        self._update_buttons()
        self.refresh()

    def _group(self, title: str) -> QTreeWidgetItem:
        item = QTreeWidgetItem(self.tree, [title])
        item.setFirstColumnSpanned(True)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled)
        font = QFont(self.tree.font())
        font.setBold(True)
        item.setFont(0, font)
        item.setExpanded(True)
        return item

    def profile(self) -> Profile | None:
        data = self.profile_box.currentData()
        return data if isinstance(data, Profile) else None

    # ----------------------------------------------------------------- loading
    def refresh(self, *, keep_status: bool = False) -> None:
        """Reload published releases (backend) and local versions (disk), in the background.

        Args:
            keep_status: keep the current message (the outcome of what just happened) unless loading fails.
        """
        profile, cache, theme = self.profile(), self.services, self.theme
        self._keep_status = keep_status
        if not keep_status:
            self._show("Loading releases…")

        def work() -> tuple[list[ReleaseRecord] | Exception, list[VersionRecord]]:
            local = theme.history.versions()
            if profile is None:
                return [], local
            try:
                return list_releases(cache.get(profile).backend, theme.manifest.id), local
            except Exception as exc:  # shown beside the local list, which still loads
                return exc, local

        run_for(self, work, self._show_lists, lambda exc: self._fail("Could not load the releases", exc))

    def _show_lists(self, result: tuple[list[ReleaseRecord] | Exception, list[VersionRecord]]) -> None:
        published, self.local_versions = result
        for group in (self.published_group, self.local_group):
            group.takeChildren()
        grey = QColor(YANKED_COLOR)
        if isinstance(published, Exception):
            self.releases = []
            self._show(f"Could not list the published releases. {describe_error(published)}", error=True)
        else:
            self.releases = published
            profile = self.profile()
            where = f" on {profile.label}" if profile else ""
            if not self._keep_status:
                self._show(
                    f"{len(published)} published release(s){where}, {len(self.local_versions)} local."
                )
        for release in self.releases:
            status = f"yanked {backend_time(release.yanked_at)}" if release.yanked else "published"
            if release.contrast_waiver is not None:
                status += " · contrast waiver"
            row = [release.version, backend_time(release.created_at), release.sha256[:12],
                   f"{release.size:,} B", status]
            item = QTreeWidgetItem(self.published_group, row)
            item.setData(0, _ENTRY_ROLE, ReleaseEntry("published", release.version, row[1], release=release))
            item.setToolTip(2, release.sha256)
            item.setToolTip(0, release.changes or release.css_url)
            if release.contrast_waiver is not None:
                item.setToolTip(4, release.waiver_text)
                item.setForeground(4, QColor(WAIVER_COLOR))
            if release.yanked:
                for column in range(len(self.COLUMNS)):
                    item.setForeground(column, grey)
        for record in self.local_versions:
            when = format_time(record.created_at)
            summary = record.changes.splitlines()[0] if record.changes else ""
            item = QTreeWidgetItem(self.local_group, [record.version, when, record.sha256[:12], "", summary])
            item.setData(0, _ENTRY_ROLE, ReleaseEntry("local", record.version, when, local=record))
            item.setToolTip(4, record.changes)
        self.published_group.setText(0, f"Published releases ({len(self.releases)})")
        self.local_group.setText(0, f"Local versions ({len(self.local_versions)})")
        self._update_buttons()
        self.loaded.emit()

    # ----------------------------------------------------------------- selection
    def selected_entries(self) -> list[ReleaseEntry]:
        return [c.data(0, _ENTRY_ROLE) for c in selected_children(self.published_group, self.local_group)]

    def select(self, *labels: str) -> None:
        """Select rows by label (``"1.0.0 (published)"``, ``"1.0.0 (local)"``)."""
        self.tree.clearSelection()
        for group in (self.published_group, self.local_group):
            for child in child_items(group):
                entry = child.data(0, _ENTRY_ROLE)
                if isinstance(entry, ReleaseEntry) and entry.label in labels:
                    child.setSelected(True)

    def _update_buttons(self) -> None:
        entries = self.selected_entries()
        one = len(entries) == 1
        self.open_button.setEnabled(one)
        self.draft_button.setEnabled(one)
        self.diff_button.setEnabled(len(entries) == 2)
        self.yank_button.setEnabled(
            one and entries[0].release is not None and not entries[0].release.yanked
        )

    # ----------------------------------------------------------------- reading entries
    def _reader(self, entry: ReleaseEntry) -> Callable[[], str]:
        """A function (for a background thread) that returns the entry's stylesheet."""
        theme, profile, cache = self.theme, self.profile(), self.services
        if entry.release is not None:
            release = entry.release

            def published() -> str:
                if profile is None:
                    raise RuntimeError("No profile is selected.")
                return read_release(cache.get(profile).store, theme.manifest.id, release)

            return published
        return lambda: theme.history.read_version(entry.version)

    def open_read_only(self) -> None:
        """Open the selected entry in a read-only editor with its live preview."""
        entries = self.selected_entries()
        if len(entries) != 1:
            return
        entry, read = entries[0], self._reader(entries[0])
        title = f"{self.theme.manifest.name} {entry.label}"

        def done(css: str) -> None:
            viewer = VersionViewer(title, css.replace("\r\n", "\n"), self.theme.root)
            self.viewers.append(viewer)
            viewer.destroyed.connect(lambda *_: forget(self.viewers, viewer))
            viewer.show()

        run_for(self, read, done, lambda exc: self._fail(f"Could not open {entry.label}", exc))

    def start_draft(self) -> None:
        """Emit ``restoreRequested`` with the selected entry's text."""
        entries = self.selected_entries()
        if len(entries) != 1:
            return
        entry = entries[0]

        def done(css: str) -> None:
            self.restoreRequested.emit(css)
            self._show(f"Started a new draft from {entry.label} in the editor.", ok=True)

        run_for(self, self._reader(entry), done, lambda exc: self._fail(f"Could not read {entry.label}", exc))

    def show_diff(self) -> None:
        """Diff the two selected entries, older → newer (by date, published before local on a tie)."""
        entries = self.selected_entries()
        if len(entries) != 2:
            return
        older, newer = sorted(entries, key=_sort_key)
        read_old, read_new = self._reader(older), self._reader(newer)
        labels = (older.label, newer.label)

        def work() -> tuple[str, list[TokenChange]]:
            old, new = read_old(), read_new()
            return unified_diff(old, new, labels[0], labels[1]), custom_property_diff(old, new)

        def done(result: tuple[str, list[TokenChange]]) -> None:
            dialog = DiffDialog(f"{labels[0]} → {labels[1]}", result[0], result[1], self)
            dialog.finished.connect(dialog.deleteLater)
            self.diff_dialog = dialog
            dialog.open()

        run_for(self, work, done, lambda exc: self._fail("Could not compare", exc))

    # ----------------------------------------------------------------- yank
    def confirm_yank(self) -> None:
        """Ask before yanking the selected published release."""
        entries = self.selected_entries()
        if len(entries) != 1 or entries[0].release is None:
            return
        version = entries[0].version
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            f"Yank {version}?",
            f"Yank release {version} of {self.theme.manifest.name}?\n\n"
            "It disappears from the theme's available versions; its files stay, so pages pinned to "
            f"…/{version}/theme.css keep working. If the latest alias serves {version}, it is moved to the "
            "newest release that is not yanked (or removed when none is left). A yank cannot be undone here.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        yes = box.button(QMessageBox.StandardButton.Yes)
        if yes is not None:
            yes.setText(f"Yank {version}")
        box.accepted.connect(lambda: self.yank(version))
        box.finished.connect(box.deleteLater)
        self.confirm_box = box
        box.open()

    def yank(self, version: str) -> None:
        """Yank ``version`` (backend), then move ``latest`` off it; the outcome is shown."""
        profile, cache, theme_id = self.profile(), self.services, self.theme.manifest.id
        self.confirm_box = None
        if profile is None:
            return
        self.yank_button.setEnabled(False)
        self._show(f"Yanking {version}…")

        def work() -> YankOutcome:
            services = cache.get(profile)
            return yank_release(services.backend, services.store, theme_id, version)

        def done(outcome: YankOutcome) -> None:
            fine = not outcome.was_latest or outcome.latest_moved
            self._show(f"Yanked {version}. {outcome.message}", ok=fine, error=not fine)
            self.yanked.emit(outcome)
            self.refresh(keep_status=True)

        run_for(self, work, done, lambda exc: self._fail(f"Could not yank {version}", exc))

    # ----------------------------------------------------------------- plumbing
    def _fail(self, what: str, exc: Exception) -> None:
        message = f"{what}. {describe_error(exc)}"
        self._show(message, error=True)
        self._update_buttons()
        self.failed.emit(message)

    def _show(self, text: str, *, error: bool = False, ok: bool = False) -> None:
        show_message(self.status, text, error=error, style=ERROR_STYLE if error else OK_STYLE if ok else "")


def _sort_key(entry: ReleaseEntry) -> tuple[str, int]:
    if entry.local is not None:
        return entry.local.created_at.astimezone().isoformat(), 1
    assert entry.release is not None
    try:
        moment = datetime.fromisoformat(entry.release.created_at).astimezone().isoformat()
    except ValueError:
        moment = entry.release.created_at
    return moment, 0
