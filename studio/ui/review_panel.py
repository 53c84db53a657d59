"""Reviewer mode: drafts awaiting review, each opened read-only with its live preview and its diff.

The panel lists the drafts in review for one profile (theme, author, revision, submitted at). Opening one
fetches its exact bytes through a presigned GET (checked against the registered sha256) and shows them in a
:class:`ReviewWindow`: the read-only editor and the preview as the sheet will ship, its diff against the last
release (text and custom properties), and Approve / Request changes (a comment is required to send a draft
back). Every request runs through :func:`run_in_background`; errors are shown in words that say what to do.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studio.adapters.backend_client import BackendError, DraftRecord
from studio.adapters.compare_sources import draft_against_release
from studio.adapters.object_store import ObjectStoreError
from studio.adapters.profile_services import ProfileServices, ProfileServicesError
from studio.adapters.releases import list_releases
from studio.adapters.review import FetchedDraft
from studio.core.drafts import DraftError, DraftReview
from studio.core.profiles import Profile
from studio.ui.accessibility import link_label, set_name, show_message
from studio.ui.background import run_in_background
from studio.ui.contrast_view import ContrastView
from studio.ui.editor_pane import EditorPane
from studio.ui.focus import chain_tab_order
from studio.ui.preview import PreviewView, folder_url
from studio.ui.versions_dialog import DiffTextView, TokenChangesTable, format_time
from studio.ui.visual_changes import add_visual_changes_tab

T = TypeVar("T")
#: Builds the services of a profile (keyring reads: called off the GUI thread).
Connect = Callable[[Profile], ProfileServices]
ERROR_STYLE = "color: #c92a2a;"
OK_STYLE = "color: #2b8a3e;"
STATUS_LABELS = {
    "draft": "draft (not submitted)",
    "in_review": "in review",
    "approved": "approved",
    "changes_requested": "changes requested",
}


def run_for(
    owner: QObject,
    work: Callable[[], T],
    done: Callable[[T], None],
    failed: Callable[[Exception], None],
) -> None:
    """Run ``work`` in the background and report to ``owner`` only while it still exists."""
    run_in_background(work, done, failed, owner=owner)


def forget(items: list[Any], item: object) -> None:
    """Drop ``item`` from ``items`` if it is there (a window that closed)."""
    if item in items:
        items.remove(item)


def describe_error(exc: Exception) -> str:
    """A failure in the user's words: who refused, and what to do about it."""
    if isinstance(exc, BackendError):
        if exc.status == 403:
            return f"The backend refused: your token may not do this (a reviewer token is needed). {exc}"
        if exc.status == 401:
            return f"The backend did not accept the token of this profile. {exc}"
        if exc.code == "illegal_transition" or exc.status == 409:
            return f"Not possible in the draft's current state (someone may have decided already). {exc}"
        return f"The backend refused: {exc}"
    if isinstance(exc, ObjectStoreError):
        return f"The storage refused: {exc}"
    if isinstance(exc, DraftError | ProfileServicesError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status.replace("_", " "))


def parse_time(text: str | None) -> str:
    """An ISO timestamp from the backend in local time, to the minute ("" when absent)."""
    if not text:
        return ""
    try:
        return format_time(datetime.fromisoformat(text))
    except ValueError:
        return text


class ServicesCache:
    """One :class:`ProfileServices` per profile name, built on first use (in the background) and reused."""

    def __init__(self, connect: Connect) -> None:
        self._connect = connect
        self._lock = threading.Lock()
        self._services: dict[str, ProfileServices] = {}

    def get(self, profile: Profile) -> ProfileServices:
        """The profile's services (builds them: call off the GUI thread)."""
        with self._lock:
            services = self._services.get(profile.name)
            if services is None or services.profile != profile:
                if services is not None:
                    services.close()
                services = self._connect(profile)
                self._services[profile.name] = services
            return services

    def close(self) -> None:
        with self._lock:
            for services in self._services.values():
                services.close()
            self._services.clear()


@dataclass(frozen=True)
class DraftRow:
    """A draft with what the list shows about its theme."""

    draft: DraftRecord
    theme_name: str
    author: str


def _describe_drafts(services: ProfileServices, drafts: Sequence[DraftRecord]) -> list[DraftRow]:
    """Theme names and authors for the list (one backend read per theme)."""
    themes: dict[str, dict[str, Any] | None] = {}
    rows = []
    for draft in drafts:
        if draft.theme_id not in themes:
            try:
                themes[draft.theme_id] = services.backend.get_theme(draft.theme_id)
            except BackendError:
                themes[draft.theme_id] = None
        theme = themes[draft.theme_id] or {}
        name = str(theme.get("name") or draft.theme_id)
        same_author = str(theme.get("author_id", "")) == draft.author_id and theme.get("author")
        author = str(theme["author"]) if same_author else draft.author_id[:8]
        rows.append(DraftRow(draft, name, author))
    return rows


# ------------------------------------------------------------------------------------------- review window
class ReviewWindow(QMainWindow):
    """One draft, read-only: its text, its preview as it will ship, its diff, and the reviewer's decision.

    Signals:
        decided(object): the backend recorded the decision (the updated DraftRecord).
    """

    decided = Signal(object)

    def __init__(
        self,
        services: ProfileServices,
        row: DraftRow,
        fetched: FetchedDraft,
        review: DraftReview,
        theme_root: Path | None = None,
        parent: QWidget | None = None,
        release_waiver: str = "",
    ) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.services = services
        self.draft = fetched.record
        self.review = review
        d = self.draft
        title = f"{row.theme_name} — draft revision {d.revision}"
        self.setWindowTitle(f"Review: {title} (read-only) — ThemeSystem Studio")

        self.editor_pane = EditorPane(self)
        self.editor = self.editor_pane.editor
        self.editor.setPlainText(review.css)
        self.editor.set_read_only_banner(
            f"{title} by {row.author} — read-only; sha256 {d.sha256[:16]}…, {d.size} bytes, exactly as it "
            "will ship."
        )
        self.preview = PreviewView(self)
        if theme_root is not None:
            self.preview.set_base_url(folder_url(theme_root))
        self.preview.apply_css(review.css)

        against = review.release_version
        self.diff_view = DiffTextView(review.css_diff if against else "", self)
        if against is None:
            self.diff_view.setPlainText("No release yet: the whole stylesheet is new.")
        self.changes_table = TokenChangesTable(review.token_changes, self)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.preview, "Preview")
        self.tabs.addTab(self.diff_view, f"Diff against {against}" if against else "Diff (no release yet)")
        self.tabs.addTab(self.changes_table, f"Custom properties ({len(review.token_changes)})")
        label = f"{against}: {release_waiver}" if against and release_waiver else ""
        self.contrast_view = ContrastView(review.css, label, self)
        failing = f" — {self.contrast_view.failures} below AA" if self.contrast_view.failures else ""
        self.tabs.addTab(self.contrast_view, f"Contrast{failing}")
        self.visual_changes = add_visual_changes_tab(self.tabs, lambda: draft_against_release(
            services, d.theme_id, d.revision, review.css, theme_root))

        self.comment_edit = QPlainTextEdit(self)
        self.comment_edit.setPlaceholderText("Comment for the author (required to request changes)…")
        self.comment_edit.setTabChangesFocus(True)
        self.comment_edit.setMaximumHeight(80)
        set_name(self.comment_edit, "Comment for the author")
        set_name(self.diff_view, "Stylesheet differences")
        self.approve_button = QPushButton("Approve")
        self.changes_button = QPushButton("Request Changes")
        self.status = QLabel(f"Status: {status_label(d.status)}")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.approve_button.clicked.connect(self.approve)
        self.changes_button.clicked.connect(self.request_changes)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.editor_pane)
        splitter.addWidget(self.tabs)
        splitter.setSizes([560, 640])
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.approve_button)
        buttons.addWidget(self.changes_button)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.comment_edit)
        layout.addLayout(buttons)
        self.setCentralWidget(central)
        self.resize(1280, 820)
        self._set_busy(False)

    def comment(self) -> str:
        return self.comment_edit.toPlainText().strip()

    def approve(self) -> None:
        """Approve the draft with the (optional) comment."""
        draft_id, comment, review = self.draft.id, self.comment(), self.services.review
        self._decide(lambda: review.approve(draft_id, comment), "Approving")

    def request_changes(self) -> None:
        """Send the draft back to its author; refused here without a comment."""
        comment = self.comment()
        if not comment:
            self._show("Write a comment: the author needs to know what to change.", error=True)
            self.comment_edit.setFocus()
            return
        draft_id, review = self.draft.id, self.services.review
        self._decide(lambda: review.request_changes(draft_id, comment), "Requesting changes")

    def _decide(self, work: Callable[[], DraftRecord], what: str) -> None:
        self._set_busy(True)
        self._show(f"{what}…")

        def done(record: DraftRecord) -> None:
            self.draft = record
            note = f" Comment: {record.comment}" if record.comment else ""
            self._show(f"Draft revision {record.revision} is now {status_label(record.status)}.{note}")
            self._set_busy(False)
            self.decided.emit(record)

        def failed(exc: Exception) -> None:
            self._show(f"{what} failed. {describe_error(exc)}", error=True)
            self._set_busy(False)

        run_for(self, work, done, failed)

    def _set_busy(self, busy: bool) -> None:
        open_for_decision = self.draft.status == "in_review" and not busy
        self.approve_button.setEnabled(open_for_decision)
        self.changes_button.setEnabled(open_for_decision)
        self.comment_edit.setReadOnly(not open_for_decision)

    def _show(self, text: str, *, error: bool = False) -> None:
        show_message(self.status, text, error=error, style=ERROR_STYLE if error else "")


# -------------------------------------------------------------------------------------------- the panel
class ReviewPanel(QWidget):
    """Drafts awaiting review for one profile; opens each in a :class:`ReviewWindow`.

    Signals:
        loaded(): the list was (re)loaded from the backend (or the load failed: see ``status``).
        opened(object): a review window opened (the ReviewWindow).
    """

    loaded = Signal()
    opened = Signal(object)

    COLUMNS = ("Theme", "Author", "Revision", "Submitted", "Status")

    def __init__(
        self,
        profiles: Sequence[Profile],
        connect: Connect,
        *,
        theme_root_for: Callable[[str], Path | None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """Args:
        profiles: the profiles to choose from (those without a backend URL are listed but refused).
        connect: builds a profile's services (called off the GUI thread).
        theme_root_for: the local folder of a theme id, if open here (its assets then show in the preview).
        parent: the parent widget.
        """
        super().__init__(parent)
        self.services = ServicesCache(connect)
        self.rows: list[DraftRow] = []
        self.windows: list[ReviewWindow] = []
        self._theme_root_for = theme_root_for or (lambda _theme_id: None)

        self.profile_box = QComboBox(self)
        for profile in profiles:
            self.profile_box.addItem(profile.label, profile)
        self.refresh_button = QPushButton("Refresh")
        self.open_button = QPushButton("Open…")
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("draftsTree")
        set_name(self.tree, "Drafts awaiting review", "Enter opens the selected draft")
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setColumnCount(len(self.COLUMNS))
        self.tree.setHeaderLabels(list(self.COLUMNS))
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.header().resizeSection(0, 170)
        self.tree.header().resizeSection(1, 110)
        self.tree.header().resizeSection(2, 70)
        self.tree.header().resizeSection(3, 130)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        top = QHBoxLayout()
        top.addWidget(link_label(QLabel("Pr&ofile:"), self.profile_box))
        top.addWidget(self.profile_box, 1)
        top.addWidget(self.refresh_button)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tree, 1)
        layout.addLayout(bottom)

        chain_tab_order([self.profile_box, self.refresh_button, self.tree, self.open_button])
        self.refresh_button.clicked.connect(self.refresh)
        self.open_button.clicked.connect(self.open_selected)
        self.tree.itemSelectionChanged.connect(self._update_buttons)
        self.tree.itemActivated.connect(lambda *_: self.open_selected())  # double click or Enter
        self.profile_box.currentIndexChanged.connect(lambda _i: self.refresh())
        self.destroyed.connect(self.services.close)
        self._update_buttons()
        if not profiles:
            self._show("No publishing profile yet: add one in Publishing Profiles.", error=True)

    def profile(self) -> Profile | None:
        data = self.profile_box.currentData()
        return data if isinstance(data, Profile) else None

    # ----------------------------------------------------------------- list
    def refresh(self) -> None:
        """Reload the drafts awaiting review from the backend (in the background)."""
        profile = self.profile()
        if profile is None:
            return
        cache = self.services
        self.refresh_button.setEnabled(False)
        self._show(f"Loading drafts awaiting review from {profile.label}…")

        def work() -> list[DraftRow]:
            services = cache.get(profile)
            return _describe_drafts(services, services.review.awaiting())

        def done(rows: list[DraftRow]) -> None:
            self.refresh_button.setEnabled(True)
            self.set_rows(rows)
            count = len(rows)
            self._show(f"{count} draft(s) await review." if count else "No drafts await review.")
            self.loaded.emit()

        def failed(exc: Exception) -> None:
            self.refresh_button.setEnabled(True)
            self._show(f"Could not list drafts. {describe_error(exc)}", error=True)
            self.loaded.emit()

        run_for(self, work, done, failed)

    def set_rows(self, rows: Sequence[DraftRow]) -> None:
        self.rows = list(rows)
        self.tree.clear()
        for row in self.rows:
            d = row.draft
            submitted = parse_time(d.submitted_at)
            item = QTreeWidgetItem(
                [row.theme_name, row.author, str(d.revision), submitted, status_label(d.status)]
            )
            item.setToolTip(0, f"theme {d.theme_id}\ndraft {d.id}\nsha256 {d.sha256}\n{d.size} bytes")
            item.setData(0, Qt.ItemDataRole.UserRole, d.id)
            self.tree.addTopLevelItem(item)
        self._update_buttons()

    def row_of(self, draft_id: str) -> int:
        """The list index of a draft, or -1."""
        return next((i for i, row in enumerate(self.rows) if row.draft.id == draft_id), -1)

    def select(self, draft_id: str) -> None:
        index = self.row_of(draft_id)
        item = self.tree.topLevelItem(index) if index >= 0 else None
        if item is not None:
            self.tree.setCurrentItem(item)

    def selected_row(self) -> DraftRow | None:
        item = self.tree.currentItem()
        if item is None or not item.isSelected():
            return None
        index = self.tree.indexOfTopLevelItem(item)
        return self.rows[index] if 0 <= index < len(self.rows) else None

    def _update_buttons(self) -> None:
        self.open_button.setEnabled(self.selected_row() is not None)

    # ----------------------------------------------------------------- open and decide
    def open_selected(self) -> None:
        """Fetch the selected draft (exact bytes, diff against the last release) and open it read-only."""
        row, profile = self.selected_row(), self.profile()
        if row is None or profile is None:
            return
        cache = self.services
        self.open_button.setEnabled(False)
        self._show(f"Fetching {row.theme_name} revision {row.draft.revision}…")

        def work() -> tuple[ProfileServices, FetchedDraft, DraftReview, str]:
            services = cache.get(profile)
            fetched, review = services.review.open_for_review(row.draft.id)
            waiver = ""
            if review.release_version is not None:  # the release the diff is against: was it waived?
                releases = list_releases(services.backend, fetched.record.theme_id)
                waiver = next((r.waiver_text for r in releases if r.version == review.release_version), "")
            return services, fetched, review, waiver

        def done(result: tuple[ProfileServices, FetchedDraft, DraftReview, str]) -> None:
            services, fetched, review, waiver = result
            self._update_buttons()
            self._show(f"Opened {row.theme_name} revision {fetched.record.revision}.")
            window = ReviewWindow(
                services,
                row,
                fetched,
                review,
                self._theme_root_for(fetched.record.theme_id),
                None,
                release_waiver=waiver,
            )
            window.decided.connect(self._on_decided)
            self.windows.append(window)
            window.destroyed.connect(lambda *_: forget(self.windows, window))
            window.show()
            self.opened.emit(window)

        def failed(exc: Exception) -> None:
            self._update_buttons()
            self._show(f"Could not open the draft. {describe_error(exc)}", error=True)

        run_for(self, work, done, failed)

    def _on_decided(self, record: DraftRecord) -> None:
        """Show the new state in the list (the row stays until the next refresh)."""
        index = self.row_of(record.id)
        if index < 0:
            return
        self.rows[index] = replace(self.rows[index], draft=record)
        item = self.tree.topLevelItem(index)
        if item is not None:
            item.setText(4, status_label(record.status))
        name = self.rows[index].theme_name
        self._show(f"{name} revision {record.revision}: {status_label(record.status)}.")

    def _show(self, text: str, *, error: bool = False) -> None:
        show_message(self.status, text, error=error, style=ERROR_STYLE if error else "")
