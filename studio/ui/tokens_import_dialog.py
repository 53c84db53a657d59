"""Theme → Import Tokens…: choose token files, map modifiers onto the theme's schemes, preview, apply.

Reading and planning run off the GUI thread (a 10 MB file takes a moment); the preview lists added, changed
and removed declarations per scheme, like a diff, with every issue below. Apply hands the planned text to the
window, which puts it into the editor as one undo step.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studio.core.tokens.apply import BASE, ImportPlan, Mode, plan_import, resolve_targets, scheme_layout
from studio.core.tokens.meta import TokenMeta
from studio.core.tokens.sources import TokenSource, open_token_files
from studio.ui.background import run_in_background

_KIND_COLOURS = {"added": "#1b7a45", "changed": "#8a5a00", "removed": "#c5302a"}


class TokensImportDialog(QDialog):
    """Import preview.

    Signals:
        applied(object): the user accepted this :class:`ImportPlan`.
    """

    applied = Signal(object)

    def __init__(self, css: str, meta: TokenMeta, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import Design Tokens")
        self.resize(900, 640)
        self.css = css
        self.meta = meta
        self.source: TokenSource | None = None
        self.plan: ImportPlan | None = None
        self.paths: list[Path] = []
        self._generation = 0
        from studio.core.css.tokens import index_tokens

        self.layout_info = scheme_layout(css, index_tokens(css).definitions)

        self.files_edit = QLineEdit(self)
        self.files_edit.setReadOnly(True)
        self.files_edit.setPlaceholderText("DTCG .json, a .resolver.json, or a Tokens Studio export")
        browse = QPushButton("Files…", self)
        browse.clicked.connect(self.browse_files)
        folder = QPushButton("Folder…", self)
        folder.setToolTip("A Tokens Studio folder with $themes.json and $metadata.json")
        folder.clicked.connect(self.browse_folder)
        files_row = QHBoxLayout()
        files_row.addWidget(self.files_edit, 1)
        files_row.addWidget(browse)
        files_row.addWidget(folder)
        self.prefix_edit = QLineEdit(meta.prefix, self)
        self.prefix_edit.setPlaceholderText("none: color.brand → --color-brand")
        self.prefix_edit.editingFinished.connect(self.replan)
        self.prune_box = QCheckBox(
            "Remove properties an earlier import wrote that the tokens no longer have", self
        )
        self.prune_box.toggled.connect(self.replan)
        self.modes_box = QWidget(self)
        self.modes_form = QFormLayout(self.modes_box)
        self.modes_form.setContentsMargins(0, 0, 0, 0)
        self.mode_combos: dict[tuple[str, str], QComboBox] = {}

        form = QFormLayout()
        form.addRow("Token files", files_row)
        form.addRow("Prefix", self.prefix_edit)
        form.addRow("Modifiers", self.modes_box)
        form.addRow("", self.prune_box)

        self.summary = QLabel("Choose token files to see what would change.", self)
        self.summary.setObjectName("importSummary")
        self.summary.setWordWrap(True)
        self.changes = QTreeWidget(self)
        self.changes.setHeaderLabels(["Custom property", "Change", "Before", "After"])
        self.changes.setRootIsDecorated(True)
        self.changes.setColumnWidth(0, 260)
        self.changes.setColumnWidth(1, 80)
        self.changes.setColumnWidth(2, 230)
        self.issues = QListWidget(self)
        self.issues.setObjectName("importIssues")
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(self.changes)
        split.addWidget(self.issues)
        split.setSizes([440, 140])

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, parent=self)
        self.apply_button = self.buttons.addButton("Apply", QDialogButtonBox.ButtonRole.AcceptRole)
        self.apply_button.setEnabled(False)
        self.buttons.accepted.connect(self.apply)
        self.buttons.rejected.connect(self.reject)

        box = QVBoxLayout(self)
        box.addLayout(form)
        box.addWidget(self.summary)
        box.addWidget(split, 1)
        box.addWidget(self.buttons)

    # --- choosing files ---

    def browse_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self, "Token Files", "", "Design tokens (*.json);;All files (*)"
        )
        if files:
            self.load([Path(f) for f in files])

    def browse_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Tokens Studio Folder")
        if folder:
            self.load([Path(folder)])

    def load(self, paths: list[Path]) -> None:
        """Open token files (off the GUI thread), then plan with the modifiers mapped automatically."""
        self.paths = paths
        self.files_edit.setText(", ".join(str(p) for p in paths))
        self._busy("Reading tokens…")
        self._generation += 1
        generation = self._generation
        run_in_background(
            lambda: open_token_files(paths),
            lambda source: self._loaded(generation, source),
            lambda exc: self._failed(generation, exc),
            owner=self,
        )

    def _loaded(self, generation: int, source: TokenSource) -> None:
        if generation != self._generation:
            return
        self.source = source
        self._build_mode_rows(source)
        self.replan()

    def _build_mode_rows(self, source: TokenSource) -> None:
        while self.modes_form.rowCount():
            self.modes_form.removeRow(0)
        self.mode_combos.clear()
        if not source.modifiers:
            self.modes_form.addRow(QLabel(f"{source.kind}: no modifiers", self.modes_box))
            return
        auto_targets, _ = resolve_targets(source, self.layout_info, [])
        targets = [BASE, *sorted((set(self.layout_info.alternates) | set(auto_targets)) - {BASE})]
        for modifier in source.modifiers:
            row = QHBoxLayout()
            for target in targets:
                combo = QComboBox(self.modes_box)
                combo.addItems(modifier.contexts)
                chosen = (
                    auto_targets.get(target, {}).get(modifier.name)
                    or modifier.default
                    or modifier.contexts[0]
                )
                combo.setCurrentText(chosen)
                combo.currentIndexChanged.connect(self.replan)
                combo.setToolTip(f"{modifier.name} for the {self.layout_info.label(target)} scheme")
                self.mode_combos[(modifier.name, target)] = combo
                row.addWidget(QLabel(self.layout_info.label(target), self.modes_box))
                row.addWidget(combo, 1)
            holder = QWidget(self.modes_box)
            holder.setLayout(row)
            self.modes_form.addRow(modifier.name, holder)

    def modes(self) -> list[Mode]:
        return [Mode(name, combo.currentText(), target) for (name, target), combo in self.mode_combos.items()]

    # --- planning ---

    def replan(self) -> None:
        source = self.source
        if source is None:
            return
        self._busy("Comparing with the theme…")
        self._generation += 1
        generation = self._generation
        css, meta, modes = self.css, self.meta, self.modes()
        prefix, prune = self.prefix_edit.text().strip(), self.prune_box.isChecked()
        run_in_background(
            lambda: plan_import(css, source, modes, prefix, meta, prune=prune),
            lambda plan: self._planned(generation, plan),
            lambda exc: self._failed(generation, exc),
            owner=self,
        )

    def _planned(self, generation: int, plan: ImportPlan) -> None:
        if generation != self._generation:
            return
        self.plan = plan
        self.show_plan(plan)

    def show_plan(self, plan: ImportPlan) -> None:
        self.changes.clear()
        self.issues.clear()
        by_scheme: dict[str, QTreeWidgetItem] = {}
        for change in plan.changes:
            parent = by_scheme.get(change.scheme)
            if parent is None:
                parent = QTreeWidgetItem(self.changes, [change.scheme])
                parent.setFirstColumnSpanned(True)
                parent.setExpanded(True)
                by_scheme[change.scheme] = parent
            item = QTreeWidgetItem(parent, [change.name, change.kind, change.old or "", change.new or ""])
            item.setForeground(1, QBrush(QColor(_KIND_COLOURS[change.kind])))
            for column in (2, 3):
                item.setToolTip(column, item.text(column))
        for scheme, counts in plan.summary().items():
            by_scheme[scheme].setText(
                0,
                f"{scheme} — {counts['added']} added, {counts['changed']} changed, "
                f"{counts['removed']} removed",
            )
        for issue in plan.issues:
            entry = QListWidgetItem(f"{issue.severity}: {issue.where}: {issue.message}", self.issues)
            entry.setForeground(QBrush(QColor("#c5302a" if issue.severity == "error" else "#8a5a00")))
        errors = len(plan.errors)
        if errors:
            self.summary.setText(
                f"{errors} error(s) in the token files: fix them to import. Nothing changes yet."
            )
        elif not plan.changes:
            self.summary.setText(f"{plan.token_count} token(s): the theme already has these values.")
        else:
            self.summary.setText(
                f"{plan.token_count} token(s) from {self.source.label if self.source else ''}: "
                f"{len(plan.changes)} declaration change(s). "
                "Apply puts them into the editor as one undo step."
            )
        self.apply_button.setEnabled(
            not errors and bool(plan.changes or plan.meta.tokens != self.meta.tokens)
        )

    def _failed(self, generation: int, exc: Exception) -> None:
        if generation != self._generation:
            return
        self.plan = None
        self.changes.clear()
        self.issues.clear()
        self.summary.setText(f"Cannot read the tokens: {exc}")
        self.apply_button.setEnabled(False)

    def _busy(self, text: str) -> None:
        self.summary.setText(text)
        self.apply_button.setEnabled(False)

    def apply(self) -> None:
        if self.plan is not None and not self.plan.errors:
            self.applied.emit(self.plan)
            self.accept()
