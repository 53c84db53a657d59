"""The Theme Settings dialog: edit ``theme.toml`` with live, per-field validation."""

from __future__ import annotations

import dataclasses
import uuid

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from studio.core.manifest import Manifest
from studio.ui.accessibility import show_problem

ERROR_STYLE = "color: #c92a2a;"
HINT_STYLE = "color: #5c6370;"


def split_tags(text: str) -> list[str]:
    """Comma-separated tags as typed, trimmed, empty entries dropped (validation judges the rest)."""
    return [tag.strip() for tag in text.split(",") if tag.strip()]


def split_lines(text: str) -> list[str]:
    """One entry per non-blank line, trimmed."""
    return [line.strip() for line in text.splitlines() if line.strip()]


class ManifestDialog(QDialog):
    """Edits a copy of a manifest; :meth:`manifest` returns the result after ``exec()`` accepted.

    Every change re-runs :meth:`Manifest.validate`: each invalid field shows its message underneath and OK
    stays disabled until all are valid, so an invalid ``theme.toml`` can never be written from here.
    """

    def __init__(self, manifest: Manifest, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Theme Settings")
        self.setObjectName("manifestDialog")
        self._original = manifest
        self.errors: dict[str, str] = {}

        self.id_edit = QLineEdit(manifest.id)
        self.id_edit.setReadOnly(True)
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.id_edit.setFont(mono)
        self.regenerate_button = QPushButton("Regenerate")
        self.regenerate_button.setToolTip(
            "Give the theme a new random id. A new id publishes as a different theme; "
            "apps that load the old id keep the old one."
        )
        self.regenerate_button.clicked.connect(self.regenerate_id)
        self.name_edit = QLineEdit(manifest.name)
        self.description_edit = QPlainTextEdit(manifest.description)
        self.description_edit.setTabChangesFocus(True)
        self.description_edit.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 12)
        self.author_edit = QLineEdit(manifest.author)
        self.author_url_edit = QLineEdit(manifest.author_url)
        self.author_url_edit.setPlaceholderText("https://example.com/you")
        self.tags_edit = QLineEdit(", ".join(manifest.tags))
        self.tags_edit.setPlaceholderText("dark-mode, minimal, blue")
        self.version_edit = QLineEdit(manifest.version)
        self.version_edit.setPlaceholderText("1.0.0")
        self.license_edit = QLineEdit(manifest.license)
        self.license_edit.setPlaceholderText("SPDX identifier, e.g. MIT")
        self.origins_edit = QPlainTextEdit("\n".join(manifest.allowed_origins))
        self.origins_edit.setTabChangesFocus(True)
        self.origins_edit.setPlaceholderText("https://fonts.googleapis.com\nhttps://fonts.gstatic.com")
        self.origins_edit.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 12)

        self.error_labels: dict[str, QLabel] = {}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        id_row = QHBoxLayout()
        id_row.setContentsMargins(0, 0, 0, 0)
        id_row.addWidget(self.id_edit, 1)
        id_row.addWidget(self.regenerate_button)
        id_widget = QWidget()
        id_widget.setLayout(id_row)
        self.id_note = QLabel("A new id publishes as a different theme.")
        self.id_note.setStyleSheet(HINT_STYLE)
        self.id_note.setVisible(False)
        rows: list[tuple[str, str, QWidget, str]] = [
            ("id", "&Id:", id_widget, ""),
            ("name", "&Name:", self.name_edit, ""),
            ("description", "&Description:", self.description_edit, ""),
            ("author", "&Author:", self.author_edit, ""),
            ("author_url", "Author &URL:", self.author_url_edit, ""),
            ("tags", "&Tags:", self.tags_edit, "Comma-separated: lowercase letters, digits and hyphens."),
            ("version", "&Version:", self.version_edit, ""),
            ("license", "&License:", self.license_edit, ""),
            ("allowed_origins", "Allowed &origins:", self.origins_edit,
             "One per line: trusted origins (https://host[:port]) the theme may @import or url() from; "
             "lint reports them as warnings instead of errors."),
        ]
        self._fields: dict[str, QWidget] = {}
        for field, label, widget, hint in rows:
            label_widget = QLabel(label)
            label_widget.setBuddy(self.id_edit if field == "id" else widget)
            self._fields[field] = self.id_edit if field == "id" else widget
            form.addRow(label_widget, self._field_box(field, widget, hint))

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(620)

        for line_edit in (self.name_edit, self.author_edit, self.author_url_edit, self.tags_edit,
                          self.version_edit, self.license_edit, self.id_edit):
            line_edit.textChanged.connect(self._validate)
        self.description_edit.textChanged.connect(self._validate)
        self.origins_edit.textChanged.connect(self._validate)
        self._validate()

    def _field_box(self, field: str, widget: QWidget, hint: str) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        if field == "id":
            column.addWidget(self.id_note)
        if hint:
            hint_label = QLabel(hint)
            hint_label.setWordWrap(True)
            small = QFont(hint_label.font())
            small.setPointSizeF(small.pointSizeF() * 0.9)
            hint_label.setFont(small)
            hint_label.setStyleSheet(HINT_STYLE)
            column.addWidget(hint_label)
        error = QLabel()
        error.setObjectName(f"error_{field}")
        error.setWordWrap(True)
        error.setStyleSheet(ERROR_STYLE)
        error.setVisible(False)
        column.addWidget(error)
        self.error_labels[field] = error
        return box

    def manifest(self) -> Manifest:
        """The manifest as currently entered (keeps unknown ``theme.toml`` keys of the original)."""
        return dataclasses.replace(
            self._original,
            id=self.id_edit.text().strip(),
            name=self.name_edit.text().strip(),
            description=self.description_edit.toPlainText().strip(),
            author=self.author_edit.text().strip(),
            author_url=self.author_url_edit.text().strip(),
            tags=split_tags(self.tags_edit.text()),
            version=self.version_edit.text().strip(),
            license=self.license_edit.text().strip(),
            allowed_origins=split_lines(self.origins_edit.toPlainText()),
            extra=dict(self._original.extra),
        )

    def regenerate_id(self) -> None:
        """Replace the id with a new random UUID."""
        self.id_edit.setText(str(uuid.uuid4()))

    def _validate(self) -> None:
        self.errors = self.manifest().validate()
        for field, label in self.error_labels.items():
            message = self.errors.get(field, "")
            show_problem(label, message, self._fields[field])
            label.setVisible(bool(message))
        self.id_note.setVisible(self.id_edit.text() != self._original.id and "id" not in self.errors)
        self.ok_button.setEnabled(not self.errors)
        self.ok_button.setToolTip("" if not self.errors else "Fix the fields marked in red first.")

    def accept(self) -> None:
        """Close with OK only when every field is valid (Enter in a field must not bypass validation)."""
        self._validate()
        if not self.errors:
            super().accept()
