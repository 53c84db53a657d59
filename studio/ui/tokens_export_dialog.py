"""Theme → Export Tokens…: pick a format and a destination; see what is exported, what is skipped and why."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QListWidget,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from studio.core.atomic import StorageError, atomic_write_text
from studio.core.tokens.export import ThemeTokens, dumps, export_documents, single_file, theme_tokens
from studio.core.tokens.meta import TokenMeta

FORMATS = (
    ("DTCG 2025.10 resolver (schemes as contexts)", "dtcg-resolver"),
    ("DTCG 2025.10 tokens (one scheme)", "dtcg"),
    ("Tokens Studio (legacy JSON, one file per set)", "tokens-studio"),
)


class TokensExportDialog(QDialog):
    """Export the editor's current stylesheet as design tokens."""

    def __init__(self, css: str, meta: TokenMeta, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export Design Tokens")
        self.resize(720, 520)
        self.themed: ThemeTokens = theme_tokens(css, meta)
        self.written: list[Path] = []
        self.format_box = QComboBox(self)
        for label, key in FORMATS:
            self.format_box.addItem(label, key)
        self.scheme_box = QComboBox(self)
        self.scheme_box.addItem(f"base ({self.themed.base_scheme})", None)
        for scheme in self.themed.schemes:
            if scheme != "base":
                self.scheme_box.addItem(scheme, scheme)
        self.format_box.currentIndexChanged.connect(self._update)
        counts = ", ".join(f"{len(t)} in {s}" for s, t in self.themed.schemes.items())
        self.summary = QLabel(f"Tokens: {counts}. Skipped: {len(self.themed.skipped)}.", self)
        self.summary.setObjectName("exportSummary")
        self.skipped = QListWidget(self)
        for item in self.themed.skipped:
            self.skipped.addItem(f"[{item.scheme}] {item.name}: {item.reason}")
        form = QFormLayout()
        form.addRow("Format", self.format_box)
        form.addRow("Scheme", self.scheme_box)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, parent=self)
        self.export_button = buttons.addButton("Export…", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.choose_and_export)
        buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addLayout(form)
        box.addWidget(self.summary)
        box.addWidget(QLabel("Custom properties no token type can express:", self))
        box.addWidget(self.skipped, 1)
        box.addWidget(buttons)
        self._update()

    def fmt(self) -> str:
        return str(self.format_box.currentData())

    def _update(self) -> None:
        self.scheme_box.setEnabled(self.fmt() == "dtcg")

    def choose_and_export(self) -> None:
        if self.fmt() == "tokens-studio":
            target = QFileDialog.getExistingDirectory(self, "Export Tokens Studio Sets To")
        else:
            suggested = "tokens.resolver.json" if self.fmt() == "dtcg-resolver" else "tokens.json"
            target, _ = QFileDialog.getSaveFileName(self, "Export Tokens", suggested, "JSON (*.json)")
        if target:
            self.export_to(Path(target))

    def export_to(self, target: Path) -> None:
        """Write the export: a folder gets one file per set, a file the single-document form."""
        files = export_documents(self.themed, self.fmt(), self.scheme_box.currentData())
        try:
            if target.is_dir():
                self.written = [target / name for name in files]
                for name, data in files.items():
                    atomic_write_text(target / name, dumps(data))
            else:
                atomic_write_text(target, dumps(single_file(files)))
                self.written = [target]
        except (OSError, StorageError) as exc:
            QMessageBox.critical(self, "Could not export", str(exc))
            return
        self.accept()
