"""Submit for Review: lint the saved stylesheet, show its digest, and submit it as a draft revision.

What is submitted is ``theme.css`` as saved on disk, byte for byte: that is what a reviewer approves and
what a later publish of the approved draft must match. The dialog lints and digests it in the background
(lint errors block, as for a release), shows the sha256 and size, and submits it to the chosen profile's
backend and bucket in the background; the result is "Submitted revision N (in review)".
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from studio.adapters.backend_client import DraftRecord
from studio.core.drafts import DraftError, DraftSubmission, prepare_submission
from studio.core.profiles import Profile
from studio.core.theme import Theme
from studio.ui.accessibility import set_name, show_message
from studio.ui.review_panel import ERROR_STYLE, OK_STYLE, Connect, describe_error, run_for, status_label

MAX_LISTED_DIAGNOSTICS = 50


class SubmitReviewDialog(QDialog):
    """Pick a profile, see the lint result and the revision's digest, submit.

    Signals:
        prepared(): the lint/digest finished (``submission`` or ``problem`` is set).
        submitted(object): the backend holds the revision in review (the DraftRecord).
        failed(str): the submission failed; the message is also shown in the dialog.
    """

    prepared = Signal()
    submitted = Signal(object)
    failed = Signal(str)

    def __init__(
        self,
        theme: Theme,
        profiles: Sequence[Profile],
        connect: Connect,
        *,
        unsaved: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.theme = theme
        self._connect = connect
        self.submission: DraftSubmission | None = None
        self.problem = ""
        self.result_record: DraftRecord | None = None
        self._busy = False
        self.setWindowTitle(f"Submit for Review — {theme.manifest.name}")

        self.profile_box = QComboBox(self)
        for profile in profiles:
            self.profile_box.addItem(profile.label, profile)
        self.lint_label = QLabel("Linting theme.css…")
        self.lint_label.setWordWrap(True)
        self.diagnostics = QListWidget(self)
        self.diagnostics.setObjectName("lintErrors")
        set_name(self.diagnostics, "Lint errors")
        self.diagnostics.hide()
        self.digest_label = QLabel("…")
        self.digest_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.digest_label.setWordWrap(True)
        self.size_label = QLabel("…")
        self.unsaved_label = QLabel(
            "The editor has unsaved changes: they are not part of this submission. Save first to submit them."
        )
        self.unsaved_label.setWordWrap(True)
        self.unsaved_label.setStyleSheet("color: #9a6700;")
        self.unsaved_label.setVisible(unsaved)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        form = QFormLayout()
        form.addRow("Theme:", QLabel(f"{theme.manifest.name} ({theme.manifest.id})"))
        form.addRow("&Profile:", self.profile_box)
        form.addRow("Lint:", self.lint_label)
        form.addRow("sha256:", self.digest_label)
        form.addRow("Size:", self.size_label)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.submit_button = QPushButton("Submit for Review")
        self.submit_button.setDefault(True)
        self.buttons.addButton(self.submit_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.rejected.connect(self.reject)
        self.submit_button.clicked.connect(self.submit)
        self.profile_box.currentIndexChanged.connect(lambda _i: self._update_buttons())

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.diagnostics, 1)
        layout.addWidget(self.unsaved_label)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.resize(620, 320)
        if not profiles:
            self._show("No publishing profile yet: add one in Publishing Profiles.", error=True)
        self._update_buttons()
        self.prepare()

    def profile(self) -> Profile | None:
        data = self.profile_box.currentData()
        return data if isinstance(data, Profile) else None

    # ----------------------------------------------------------------- lint and digest
    def prepare(self) -> None:
        """Lint and digest the saved ``theme.css`` (in the background)."""
        theme = self.theme
        self.submission, self.problem = None, ""
        self._update_buttons()
        run_for(self, lambda: prepare_submission(theme), self._prepared, self._not_prepared)

    def _prepared(self, submission: DraftSubmission) -> None:
        self.submission = submission
        warnings = len(submission.warnings)
        self.lint_label.setText(
            f"✓ No lint errors ({warnings} warning{'s' if warnings != 1 else ''})."
        )
        self.lint_label.setStyleSheet(OK_STYLE)
        self.digest_label.setText(submission.sha256)
        self.size_label.setText(f"{submission.size:,} bytes")
        self._update_buttons()
        self.prepared.emit()

    def _not_prepared(self, exc: Exception) -> None:
        self.problem = str(exc)
        show_message(self.lint_label, f"✗ {exc}", error=True, style=ERROR_STYLE)
        self.digest_label.setText("—")
        self.size_label.setText("—")
        diagnostics = getattr(exc, "diagnostics", ()) if isinstance(exc, DraftError) else ()
        self.diagnostics.clear()
        for d in diagnostics[:MAX_LISTED_DIAGNOSTICS]:
            self.diagnostics.addItem(f"line {d.line}:{d.column}  {d.rule}: {d.message}")
        self.diagnostics.setVisible(bool(diagnostics))
        self._update_buttons()
        self.prepared.emit()

    # ----------------------------------------------------------------- submit
    def submit(self) -> None:
        """Register, upload and submit the prepared revision to the chosen profile (in the background)."""
        submission, profile = self.submission, self.profile()
        if submission is None or profile is None or self._busy:
            return
        theme, connect = self.theme, self._connect
        self._busy = True
        self._update_buttons()
        self._show(f"Submitting to {profile.label}…")

        def work() -> DraftRecord:
            with connect(profile) as services:
                return services.review.submit(theme, submission)

        run_for(self, work, self._submitted, self._failed)

    def _submitted(self, record: DraftRecord) -> None:
        self._busy = False
        self.result_record = record
        self._show(f"Submitted revision {record.revision} ({status_label(record.status)}).")
        self.status.setStyleSheet(OK_STYLE)
        self._update_buttons()  # Submit stays off: the same bytes again would only add a revision
        self.submitted.emit(record)

    def _failed(self, exc: Exception) -> None:
        self._busy = False
        message = f"Submitting failed. {describe_error(exc)}"
        self._show(message, error=True)
        self._update_buttons()
        self.failed.emit(message)

    def _update_buttons(self) -> None:
        ready = self.submission is not None and self.profile() is not None and not self._busy
        self.submit_button.setEnabled(ready and self.result_record is None)
        self.profile_box.setEnabled(not self._busy)

    def _show(self, text: str, *, error: bool = False) -> None:
        show_message(self.status, text, error=error, style=ERROR_STYLE if error else "")
