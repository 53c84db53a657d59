"""Versions & History: list versions and draft revisions, create a version, diff, open read-only, restore.

Every disk read or write runs through :func:`studio.ui.background.run_in_background`; failures
(``HistoryError``, ``StorageError``, ...) are shown to the user in a message box with their own message.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, TypeVar

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QTabWidget,
    QTextEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studio.core.css.tokens import TokenChange, custom_property_diff
from studio.core.history import DraftRevision, VersionRecord
from studio.core.semver import Version
from studio.core.textdiff import unified_diff
from studio.core.theme import Theme
from studio.ui.accessibility import show_problem
from studio.ui.background import run_in_background
from studio.ui.qt_helpers import buddy_label, child_items, selected_children

T = TypeVar("T")
BumpPart = Literal["patch", "minor", "major"]

_ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1

# Line colours of a unified diff (light backgrounds; text keeps the palette's colour).
ADDED_BACKGROUND = "#e6ffec"
REMOVED_BACKGROUND = "#ffebe9"
HUNK_FOREGROUND = "#0550ae"
KIND_COLORS = {"added": "#1a7f37", "removed": "#cf222e", "changed": "#9a6700"}


def format_time(moment: datetime) -> str:
    """A timestamp in the user's local time, to the minute."""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


@dataclass(frozen=True)
class HistoryEntry:
    """One row of the history list: a released version or a draft revision."""

    kind: Literal["version", "draft"]
    label: str
    created_at: datetime
    version: VersionRecord | None = None
    draft: DraftRevision | None = None

    @classmethod
    def of_version(cls, record: VersionRecord) -> HistoryEntry:
        return cls("version", record.version, record.created_at, version=record)

    @classmethod
    def of_draft(cls, draft: DraftRevision) -> HistoryEntry:
        return cls("draft", f"Draft r{draft.number}", draft.created_at, draft=draft)

    def read(self, theme: Theme) -> str:
        """This entry's CSS (disk I/O: call it off the GUI thread)."""
        if self.version is not None:
            return theme.history.read_version(self.version.version)
        assert self.draft is not None
        return theme.history.read_draft(self.draft.number)


# --------------------------------------------------------------------------------------------- diff views
class DiffHighlighter(QSyntaxHighlighter):
    """Colours unified-diff lines: additions green, removals red, hunk headers blue, file headers bold."""

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self.added = QTextCharFormat()
        self.added.setBackground(QColor(ADDED_BACKGROUND))
        self.added.setForeground(QColor("#116329"))
        self.removed = QTextCharFormat()
        self.removed.setBackground(QColor(REMOVED_BACKGROUND))
        self.removed.setForeground(QColor("#82071e"))
        self.hunk = QTextCharFormat()
        self.hunk.setForeground(QColor(HUNK_FOREGROUND))
        self.header = QTextCharFormat()
        self.header.setFontWeight(QFont.Weight.Bold)

    def highlightBlock(self, text: str) -> None:
        if text.startswith(("+++", "---")):
            self.setFormat(0, len(text), self.header)
        elif text.startswith("@@"):
            self.setFormat(0, len(text), self.hunk)
        elif text.startswith("+"):
            self.setFormat(0, len(text), self.added)
        elif text.startswith("-"):
            self.setFormat(0, len(text), self.removed)


class DiffTextView(QPlainTextEdit):
    """A read-only, monospace unified diff with +/- colouring."""

    def __init__(self, diff: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setAccessibleName("Text differences")
        self.highlighter = DiffHighlighter(self.document())
        self.set_diff(diff)

    def set_diff(self, diff: str) -> None:
        self.setPlainText(diff if diff else "No differences: the two texts are identical.")
        self._paint_full_lines()

    def _paint_full_lines(self) -> None:
        """Extend added/removed backgrounds across the whole line, as diff viewers do."""
        selections = []
        colours = {"+": QColor(ADDED_BACKGROUND), "-": QColor(REMOVED_BACKGROUND)}
        block = self.document().begin()
        while block.isValid():
            text = block.text()
            colour = colours.get(text[:1])
            if colour is not None and not text.startswith(("+++", "---")):
                selection = QTextEdit.ExtraSelection()
                selection.format.setBackground(colour)
                selection.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
                selection.cursor = QTextCursor(block)
                selections.append(selection)
            block = block.next()
        self.setExtraSelections(selections)


class TokenChangesTable(QTreeWidget):
    """Custom-property changes between two stylesheets, one row per added, removed or changed token."""

    HEADERS = ("Change", "Token", "Scope", "Before", "After")

    def __init__(self, changes: Sequence[TokenChange] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRootIsDecorated(False)
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(True)
        self.setColumnCount(len(self.HEADERS))
        self.setHeaderLabels(list(self.HEADERS))
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.resizeSection(1, 190)
        header.resizeSection(2, 120)
        header.resizeSection(3, 150)
        self.set_changes(changes)

    def set_changes(self, changes: Sequence[TokenChange]) -> None:
        self.clear()
        bold = QFont(self.font())
        bold.setBold(True)
        for change in changes:
            row = [change.kind, change.name, change.scope, change.old or "", change.new or ""]
            item = QTreeWidgetItem(row)
            item.setForeground(0, QColor(KIND_COLORS.get(change.kind, "#57606a")))
            item.setFont(0, bold)
            for column in range(1, 5):
                item.setToolTip(column, item.text(column))
            self.addTopLevelItem(item)
        if not changes:
            placeholder = QTreeWidgetItem(["", "No custom property changed."])
            placeholder.setFlags(Qt.ItemFlag.NoItemFlags)
            self.addTopLevelItem(placeholder)


class DiffDialog(QDialog):
    """Shows how one stylesheet differs from another, as text and as custom-property changes."""

    def __init__(self, title: str, diff: str, changes: Sequence[TokenChange],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.tabs = QTabWidget(self)
        self.text_view = DiffTextView(diff, self)
        self.changes_table = TokenChangesTable(changes, self)
        self.tabs.addTab(self.text_view, "Text")
        self.tabs.addTab(self.changes_table, f"Custom properties ({len(changes)})")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)
        self.resize(820, 560)


# ---------------------------------------------------------------------------------- create version
class CreateVersionDialog(QDialog):
    """Asks for the new version (a bump of ``base`` or an explicit one) and the change notes (required)."""

    def __init__(self, base: str, latest: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Create Version")
        self._base = base
        self._latest = latest
        intro = QLabel(
            f"Latest version: <b>{latest}</b>" if latest else f"No version yet; the theme says <b>{base}</b>."
        )
        self.radios: dict[str, QRadioButton] = {}
        self.group = QButtonGroup(self)
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        for row, part in enumerate(("patch", "minor", "major")):
            radio = QRadioButton(f"{part.capitalize()} → {self.bumped(part)}")
            radio.setObjectName(f"bump_{part}")
            self.radios[part] = radio
            self.group.addButton(radio)
            grid.addWidget(radio, row, 0, 1, 2)
        self.explicit_radio = QRadioButton("Explicit:")
        self.group.addButton(self.explicit_radio)
        self.version_edit = QLineEdit()
        self.version_edit.setPlaceholderText("e.g. 2.0.0-beta.1")
        self.version_edit.setEnabled(False)
        grid.addWidget(self.explicit_radio, 3, 0)
        grid.addWidget(self.version_edit, 3, 1)
        self.radios["patch"].setChecked(True)

        self.changes_edit = QPlainTextEdit()
        self.changes_edit.setPlaceholderText("What changed in this version (required)…")
        self.changes_edit.setTabChangesFocus(True)
        self.problem_label = QLabel()
        self.problem_label.setStyleSheet("color: #c92a2a;")
        self.problem_label.setWordWrap(True)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Create")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(grid)
        layout.addWidget(buddy_label("&Changes:", self.changes_edit))
        layout.addWidget(self.changes_edit, 1)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.buttons)
        self.resize(440, 360)

        self.group.buttonToggled.connect(self._validate)
        self.version_edit.textChanged.connect(self._validate)
        self.changes_edit.textChanged.connect(self._validate)
        self._validate()

    def bumped(self, part: BumpPart | str) -> str:
        """What a bump of ``part`` gives, or ``"?"`` when the base is not a semantic version."""
        try:
            return str(Version.parse(self._base).bump(part))  # type: ignore[arg-type]
        except ValueError:
            return "?"

    def choice(self) -> tuple[BumpPart | None, str | None, str]:
        """``(bump, version, changes)`` exactly one of bump/version set, as ``Theme.create_version`` wants."""
        changes = self.changes_edit.toPlainText().strip()
        if self.explicit_radio.isChecked():
            return None, self.version_edit.text().strip(), changes
        for part, radio in self.radios.items():
            if radio.isChecked():
                return part, None, changes  # type: ignore[return-value]
        return "patch", None, changes

    def target_version(self) -> str:
        bump, version, _ = self.choice()
        return version if version is not None else self.bumped(bump or "patch")

    def problem(self) -> str:
        """Why the choice cannot be created yet, or ``""``."""
        _bump, version, changes = self.choice()
        if version is not None:
            try:
                new = Version.parse(version)
            except ValueError as exc:
                return str(exc)
            if self._latest is not None and new <= Version.parse(self._latest):
                return f"Choose a version greater than {self._latest}."
        elif self.target_version() == "?":
            return f"The current version {self._base!r} is not a semantic version; enter one explicitly."
        if not changes:
            return "Describe what changed; the change notes are required."
        return ""

    def _validate(self) -> None:
        self.version_edit.setEnabled(self.explicit_radio.isChecked())
        problem = self.problem()
        show_problem(self.problem_label, problem, self.changes_edit, self.version_edit)
        self.ok_button.setEnabled(not problem)

    def accept(self) -> None:
        if not self.problem():
            super().accept()


# --------------------------------------------------------------------------------------- main dialog
class VersionsDialog(QDialog):
    """History of one theme.

    Signals:
        openReadOnly(str, str): show this CSS read-only in a window with this title.
        restored(object, str): a version or draft was restored as a new draft revision (DraftRevision, css);
            the receiver puts the CSS into the editor.
        versionCreated(object): a version was created (VersionRecord); ``theme.toml`` already has it.
        loaded(): the history list was (re)loaded from disk.
    """

    openReadOnly = Signal(str, str)  # noqa: N815 (Qt signal names are camelCase)
    restored = Signal(object, str)
    versionCreated = Signal(object)  # noqa: N815
    loaded = Signal()

    def __init__(self, theme: Theme, current_css: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.theme = theme
        self.current_css = current_css
        self.versions: list[VersionRecord] = []
        self.drafts: list[DraftRevision] = []
        self.create_dialog: CreateVersionDialog | None = None
        self.diff_dialog: DiffDialog | None = None
        self.visual_dialog: QDialog | None = None
        self.error_box: QMessageBox | None = None
        self.setWindowTitle(f"Versions & History — {theme.manifest.name}")

        self.tree = QTreeWidget(self)
        self.tree.setObjectName("historyTree")
        self.tree.setAccessibleName("Versions and draft revisions")
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels(["Version", "Date", "Changes"])
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.header().resizeSection(0, 150)
        self.tree.header().resizeSection(1, 130)
        self.tree.itemSelectionChanged.connect(self._update_buttons)
        self.tree.itemDoubleClicked.connect(lambda *_: self.open_read_only())
        self.versions_group = self._group("Versions")
        self.drafts_group = self._group("Draft revisions")

        self.create_button = QPushButton("Create Version…")
        self.open_button = QPushButton("Open Read-Only")
        self.diff_button = QPushButton("Diff")
        self.restore_button = QPushButton("Restore into New Draft")
        self.visual_button = QPushButton("Visual Changes…")
        self.visual_button.clicked.connect(self.show_visual_changes)
        self.create_button.clicked.connect(self.create_version)
        self.open_button.clicked.connect(self.open_read_only)
        self.diff_button.clicked.connect(self.show_diff)
        self.restore_button.clicked.connect(self.restore_selected)
        self.open_button.setToolTip("Open the selected version or draft in a read-only window")
        self.restore_button.setToolTip("Make the selected version or draft the newest draft and load it")
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #5c6370;")

        side = QVBoxLayout()
        for button in (self.create_button, self.open_button, self.diff_button, self.visual_button,
                       self.restore_button):
            side.addWidget(button)
        side.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        side.addWidget(close)

        body = QHBoxLayout()
        body.addWidget(self.tree, 1)
        body.addLayout(side)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addWidget(self.hint)
        self.resize(780, 440)
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

    # ----------------------------------------------------------------- loading
    def refresh(self) -> None:
        """Reload versions and drafts from disk (in the background); emits ``loaded`` when shown."""
        history = self.theme.history
        self._run(lambda: (history.versions(), history.drafts()), self._show_history,
                  "Could not read the history")

    def _show_history(self, result: tuple[list[VersionRecord], list[DraftRevision]]) -> None:
        self.versions, drafts = result
        self.drafts = sorted(drafts, key=lambda d: d.number, reverse=True)
        for group in (self.versions_group, self.drafts_group):
            group.takeChildren()
        for record in self.versions:
            summary = record.changes.splitlines()[0] if record.changes else ""
            when = format_time(record.created_at)
            item = QTreeWidgetItem(self.versions_group, [record.version, when, summary])
            item.setToolTip(2, record.changes)
            item.setData(0, _ENTRY_ROLE, HistoryEntry.of_version(record))
        for draft in self.drafts:
            row = [f"Draft r{draft.number}", format_time(draft.created_at), f"sha256 {draft.sha256[:12]}"]
            item = QTreeWidgetItem(self.drafts_group, row)
            item.setData(0, _ENTRY_ROLE, HistoryEntry.of_draft(draft))
        self.versions_group.setText(0, f"Versions ({len(self.versions)})")
        self.drafts_group.setText(0, f"Draft revisions ({len(self.drafts)})")
        self._update_buttons()
        self.loaded.emit()

    # ----------------------------------------------------------------- selection
    def selected_entries(self) -> list[HistoryEntry]:
        """Selected rows, in list order (newest version first, then newest draft first)."""
        return [c.data(0, _ENTRY_ROLE) for c in selected_children(self.versions_group, self.drafts_group)]

    def select(self, *labels: str) -> None:
        """Select the rows with these labels (``"1.2.0"``, ``"Draft r3"``); for tests and callers."""
        self.tree.clearSelection()
        for group in (self.versions_group, self.drafts_group):
            for child in child_items(group):
                if child.text(0) in labels:
                    child.setSelected(True)

    def _update_buttons(self) -> None:
        count = len(self.selected_entries())
        self.open_button.setEnabled(count == 1)
        self.restore_button.setEnabled(count == 1)
        self.diff_button.setEnabled(count in (1, 2))
        self.visual_button.setEnabled(count in (1, 2))
        if count == 2:
            self.diff_button.setText("Diff Selected")
            self.hint.setText("Diff compares the older selection with the newer one.")
        else:
            self.diff_button.setText("Diff with Editor")
            self.hint.setText(
                "Select one entry to open, restore or compare it with the editor text; "
                "select two (Ctrl+click) to compare them."
            )

    # ----------------------------------------------------------------- actions
    def create_version(self) -> None:
        """Ask for the new version and its notes, then create it from the current editor text."""
        latest = self.versions[0].version if self.versions else None
        dialog = CreateVersionDialog(latest or self.theme.manifest.version, latest, self)
        dialog.accepted.connect(lambda: self._create(dialog))
        dialog.finished.connect(dialog.deleteLater)
        self.create_dialog = dialog
        dialog.open()

    def _create(self, dialog: CreateVersionDialog) -> None:
        # Create exactly the version the user saw; if another window took it meanwhile the core refuses
        # (a bump would silently pick the next free number instead).
        _bump, _version, changes = dialog.choice()
        version = dialog.target_version()
        theme, css = self.theme, self.current_css
        self.create_dialog = None

        def done(record: VersionRecord) -> None:
            self.versionCreated.emit(record)
            self.refresh()

        self._run(lambda: theme.create_version(css, version=version, changes=changes),
                  done, "Could not create the version")

    def open_read_only(self) -> None:
        """Emit ``openReadOnly`` with the selected entry's CSS."""
        entries = self.selected_entries()
        if len(entries) != 1:
            return
        entry, theme = entries[0], self.theme
        title = f"{theme.manifest.name} {entry.label} (read-only)"
        self._run(lambda: entry.read(theme), lambda css: self.openReadOnly.emit(title, css),
                  f"Could not open {entry.label}")

    def restore_selected(self) -> None:
        """Make the selected entry the newest draft revision and emit ``restored``."""
        entries = self.selected_entries()
        if len(entries) != 1:
            return
        entry, history = entries[0], self.theme.history

        def work() -> tuple[DraftRevision, str]:
            if entry.version is not None:
                revision = history.restore_version(entry.version.version)
                return revision, history.read_draft(revision.number)
            assert entry.draft is not None
            css = history.read_draft(entry.draft.number)
            return history.save_draft(css), css

        def done(result: tuple[DraftRevision, str]) -> None:
            self.restored.emit(*result)
            self.refresh()

        self._run(work, done, f"Could not restore {entry.label}")

    def show_diff(self) -> None:
        """Diff two selected entries (older → newer), or one against the editor text."""
        entries = self.selected_entries()
        if len(entries) not in (1, 2):
            return
        theme = self.theme
        if len(entries) == 2:
            newer, older = sorted(entries, key=lambda e: e.created_at, reverse=True)
            labels = (older.label, newer.label)

            def texts() -> tuple[str, str]:
                return older.read(theme), newer.read(theme)
        else:
            entry, current = entries[0], self.current_css
            labels = (entry.label, "Editor")

            def texts() -> tuple[str, str]:
                return entry.read(theme), current

        def work() -> tuple[str, list[TokenChange]]:
            old, new = texts()
            return unified_diff(old, new, labels[0], labels[1]), custom_property_diff(old, new)

        def done(result: tuple[str, list[TokenChange]]) -> None:
            dialog = DiffDialog(f"{labels[0]} → {labels[1]}", result[0], result[1], self)
            dialog.finished.connect(dialog.deleteLater)
            self.diff_dialog = dialog
            dialog.open()

        self._run(work, done, "Could not compare")

    def show_visual_changes(self) -> None:
        """Render and compare two selected entries (older → newer), or one against the editor text."""
        from studio.ui.visual_changes import open_visual_changes

        entries = self.selected_entries()
        if len(entries) not in (1, 2):
            return
        theme, current = self.theme, self.current_css
        if len(entries) == 2:
            newer, older = sorted(entries, key=lambda e: e.created_at, reverse=True)
            labels = (older.label, newer.label)
        else:
            older, newer, labels = entries[0], None, (entries[0].label, "Editor")

        def load() -> tuple[str, str]:
            return older.read(theme), newer.read(theme) if newer is not None else current

        self.visual_dialog = open_visual_changes(self, labels, load, theme.root)

    # ----------------------------------------------------------------- plumbing
    def _run(self, work: Callable[[], T], done: Callable[[T], None], failure_title: str) -> None:
        def ok(result: T) -> None:
            if shiboken6.isValid(self):
                done(result)

        def failed(exc: Exception) -> None:
            if shiboken6.isValid(self):
                self.show_error(failure_title, str(exc))

        run_in_background(work, ok, failed, owner=self)

    def show_error(self, title: str, message: str) -> None:
        """Tell the user what went wrong, in their words (never swallowed); non-blocking."""
        box = QMessageBox(QMessageBox.Icon.Critical, title, message, QMessageBox.StandardButton.Ok, self)
        box.finished.connect(box.deleteLater)
        self.error_box = box
        box.open()
