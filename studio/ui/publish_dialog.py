"""Theme → Publish…: choose a profile and a version, review the plan, publish with progress, copy the URLs.

Pages: *Setup* (profile, bump or exact version, release notes) → *Review* (the plan: keys, sizes, headers, the
custom-property diff and the stylesheet diff against the last release; lint errors block) → *Publishing*
(bytes and files, current key, Cancel) → *Summary* (CDN URLs with Copy buttons, or the error and what to do).

The store, the backend client and the publisher of a profile come from
:func:`studio.adapters.publish_services.publisher_for`, as in ``themestudio publish``: key or grant mode,
registration with the backend and the CDN purge follow the profile and its keyring secrets.

Every network call (keyring, listing, upload) runs off the GUI thread through ``run_in_background``; the
publisher's progress reaches the GUI through a queued Qt signal. The preview PNG needs QtWebEngine, which
lives on the GUI thread: the worker asks the GUI thread to render it and waits (the render pumps events, so
the dialog stays live). Cancel sets a ``threading.Event``: no new request starts, what is uploaded stays, and
"Publish again" completes the same release.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QCloseEvent, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from studio.adapters.backend_client import BackendError, VerificationFailedError
from studio.adapters.do_api import DOApiError
from studio.adapters.object_store import AccessDeniedError, ObjectStoreError, S3Credentials
from studio.adapters.publish_services import PublishSession, PublishSetupError, publisher_for
from studio.adapters.publisher import (
    PublishCancelledError,
    PublishError,
    PublishProgress,
    PublishResult,
    VersionConflictError,
)
from studio.adapters.sandbox import Sandbox
from studio.core.profiles import Profile, ProfileError, ProfileStore
from studio.core.publish_plan import PlanError, PublishPlan, plan_release
from studio.core.review.contrast_gate import MAX_REASON_LENGTH, ContrastFailure, gate
from studio.core.semver import Version
from studio.core.theme import Theme
from studio.ui.accessibility import announce, link_label, set_name
from studio.ui.background import run_in_background

BUMPS = ("patch", "minor", "major")
_ACCESS_CODES = ("AccessDenied", "SignatureDoesNotMatch", "InvalidAccessKeyId", "NoCredentials")

#: Receives each progress event in the worker thread (tests slow the upload down with it).
ProgressHook = Callable[[PublishProgress], None]


@dataclass(frozen=True)
class PublishTarget:
    """A profile and, when its key pair is not in the keyring, how to get it (called off the GUI thread).

    Attributes:
        profile: where to publish.
        credentials: returns the key pair (memory for the sandbox); None or a None answer: the profile's
            secrets come from the keyring through ``publisher_for`` (key or grant mode).
    """

    profile: Profile
    credentials: Callable[[], S3Credentials | None] | None = field(default=None, compare=False)

    @property
    def label(self) -> str:
        return self.profile.label


def profile_target(profile: Profile) -> PublishTarget:
    """A saved profile: its secrets (Spaces key, backend and DigitalOcean tokens) are in the OS keyring."""
    return PublishTarget(profile)


def sandbox_target(sandbox: Sandbox) -> PublishTarget:
    """The running local sandbox as the ``local`` profile (its key pair is in memory)."""
    return PublishTarget(sandbox.profile(), sandbox.credentials)


def load_targets(extra: list[PublishTarget] | None = None) -> tuple[list[PublishTarget], str]:
    """``extra`` (the running sandbox) first, then the saved profiles; and why profiles are missing, if so."""
    targets = list(extra or [])
    taken = {t.profile.name for t in targets}
    try:
        saved = ProfileStore().load()
    except ProfileError as exc:
        return targets, str(exc)
    targets += [profile_target(p) for name, p in sorted(saved.items()) if name not in taken]
    return targets, ""


@dataclass(frozen=True)
class _Review:
    plan: PublishPlan
    session: PublishSession
    previous_css: str | None = None  # the last release's stylesheet, for Visual Changes


class _Relay(QObject):
    """Carries progress and preview-render requests from the worker to the GUI thread (queued)."""

    progressed = Signal(object)
    renderRequested = Signal(object)  # noqa: N815 (Qt signal names are camelCase)


def describe_error(exc: BaseException, profile: Profile | None) -> tuple[str, str]:
    """A title and an explanation with what to do, for an exception from review or publish."""
    name = profile.label if profile is not None else "this profile"
    text = str(exc)
    if isinstance(exc, PublishSetupError):
        return "Cannot publish", text
    if isinstance(exc, VersionConflictError):
        return "Version already published", (
            f"{text}\n\nNothing was written. Go Back and choose another version (a bump, or an exact "
            "version that was never published)."
        )
    if isinstance(exc, PublishCancelledError):
        return "Publish cancelled", (
            "Objects already uploaded stay where they are; nothing is half-written and latest was not "
            "moved. Click “Publish again” to complete this same release."
        )
    if isinstance(exc, AccessDeniedError) or any(code in text for code in _ACCESS_CODES):
        return "Access denied", (
            f"{text}\n\nThe storage refused the key of {name}. Check the access key and its secret "
            f"(`themestudio profiles test {profile.name if profile else 'NAME'}` says what works), and that "
            "the key may write to this bucket (a read-only key cannot publish)."
        )
    if "Unreachable" in text or "unreachable" in text:
        return "Storage unreachable", (
            f"{text}\n\nCheck the network connection and the endpoint of {name} (for the local sandbox: "
            "that the studio started it). Then publish again: it resumes where it stopped."
        )
    if isinstance(exc, PlanError):
        return "Cannot publish", text
    if isinstance(exc, BackendError) and exc.code == "contrast_failed":
        return "Contrast refused by the service", (
            f"{text}\n\nThe service checks contrast itself. Go Back, fix the colours or enter a waiver "
            "reason, then publish again (the uploaded files stay)."
        )
    if isinstance(exc, VerificationFailedError):
        return "Release refused by the service", (
            f"{text}\n\nThe service checks every release itself before it exists. Go Back, fix the theme "
            "(the Problems panel shows the same lint rules), then publish this version again."
        )
    if isinstance(exc, BackendError):
        return "Backend refused", (
            f"{text}\n\nCheck the backend URL and token of {name} (Publishing Profiles). Objects already "
            "uploaded stay; publishing again completes the same release and registers it."
        )
    if isinstance(exc, PublishError | ObjectStoreError | DOApiError):
        return "Publish failed", f"{text}\n\nPublishing again is safe: it completes the same release."
    return "Publish failed", f"{type(exc).__name__}: {text}"


def _human(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


class PublishDialog(QDialog):
    """Publish a release of ``theme`` to one of ``targets``.

    Signals:
        progressed(object): a :class:`PublishProgress` from the running publish (on the GUI thread).
        reviewed(object): the :class:`PublishPlan` shown on the Review page.
        finished_publish(object): the :class:`PublishResult`, or the exception that stopped the publish.
    """

    progressed = Signal(object)
    reviewed = Signal(object)
    finished_publish = Signal(object)

    def __init__(
        self,
        theme: Theme,
        targets: list[PublishTarget],
        parent: QWidget | None = None,
        *,
        render_preview: bool = True,
        note: str = "",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Publish {theme.manifest.name}")
        self.setMinimumSize(820, 560)
        self.theme = theme
        self.targets = targets
        self.progress_hook: ProgressHook | None = None
        self.publish_result: PublishResult | None = None
        self.error: BaseException | None = None
        self._review: _Review | None = None
        self._sessions: dict[str, PublishSession] = {}
        self._cancel = threading.Event()
        self._busy = False
        self._close_when_idle = False
        self._relay = _Relay(self)
        self._relay.progressed.connect(self._on_progress)
        self._relay.renderRequested.connect(self._render_on_gui_thread)

        self.pages = QStackedWidget(self)
        self.pages.addWidget(self._build_setup(note, render_preview))
        self.pages.addWidget(self._build_review())
        self.pages.addWidget(self._build_progress())
        self.pages.addWidget(self._build_summary())
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)

    # ------------------------------------------------------------------ pages
    def _build_setup(self, note: str, render_preview: bool) -> QWidget:
        page = QWidget(self)
        form = QFormLayout()
        self.profile_box = QComboBox(page)
        for target in self.targets:
            self.profile_box.addItem(target.label)
            if target.profile.is_local:
                index = self.profile_box.count() - 1
                self.profile_box.setItemData(
                    index,
                    "Local sandbox on this machine (SeaweedFS); nothing leaves it.",
                    Qt.ItemDataRole.ToolTipRole,
                )
        form.addRow("&Profile:", self.profile_box)

        version_row = QHBoxLayout()
        self.bump_group = QButtonGroup(page)
        self.bump_buttons: dict[str, QRadioButton] = {}
        for bump in BUMPS:
            button = QRadioButton(bump.capitalize(), page)
            self.bump_group.addButton(button)
            self.bump_buttons[bump] = button
            version_row.addWidget(button)
        self.exact_radio = QRadioButton("Exact:", page)
        self.bump_group.addButton(self.exact_radio)
        self.version_edit = QLineEdit(page)
        self.version_edit.setPlaceholderText(self.theme.manifest.version)
        self.version_edit.setMaximumWidth(140)
        set_name(self.version_edit, "Exact version")
        self.version_edit.textEdited.connect(lambda _t: self.exact_radio.setChecked(True))
        version_row.addWidget(self.exact_radio)
        version_row.addWidget(self.version_edit)
        version_row.addStretch(1)
        self.bump_buttons["patch"].setChecked(True)
        form.addRow(link_label(QLabel("&Version:", page), self.bump_buttons["patch"]), version_row)
        hint = QLabel(
            "Bumps count from the last published release "
            f"(a first release uses {self.theme.manifest.version}).",
            page,
        )
        hint.setWordWrap(True)
        hint.setStyleSheet("color: palette(mid);")
        form.addRow("", hint)

        self.changes_edit = QPlainTextEdit(page)
        self.changes_edit.setPlaceholderText("What changed in this release (shown to users of the theme)")
        self.changes_edit.setMaximumHeight(120)
        self.changes_edit.setTabChangesFocus(True)  # prose, not code: Tab moves on to the next field
        form.addRow("&Changes:", self.changes_edit)
        self.preview_check = QCheckBox("Render and publish the preview image", page)
        self.preview_check.setChecked(render_preview)
        form.addRow("", self.preview_check)

        self.setup_message = QLabel(note, page)
        self.setup_message.setWordWrap(True)
        self.setup_message.setStyleSheet("color: #b3261e;")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        close = QPushButton("Close", page)
        close.clicked.connect(self.reject)
        self.review_button = QPushButton("Review…", page)
        self.review_button.setDefault(True)
        self.review_button.clicked.connect(self.start_review)
        self.review_button.setEnabled(bool(self.targets))
        if not self.targets:
            self.setup_message.setText(
                (note + "\n" if note else "")
                + "No publishing profile: add one with `themestudio profiles add`, "
                "or start the studio with its local sandbox."
            )
        buttons.addWidget(close)
        buttons.addWidget(self.review_button)
        layout = QVBoxLayout(page)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(self.setup_message)
        layout.addLayout(buttons)
        return page

    def _build_review(self) -> QWidget:
        page = QWidget(self)
        self.review_title = QLabel(page)
        self.review_title.setWordWrap(True)
        font = self.review_title.font()
        font.setBold(True)
        self.review_title.setFont(font)
        self.plan_view = QPlainTextEdit(page)
        self.plan_view.setReadOnly(True)
        self.plan_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.plan_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        set_name(self.plan_view, "Release plan")
        self.lint_list = QListWidget(page)
        set_name(self.lint_list, "Lint errors that block publishing")
        self.lint_list.setVisible(False)
        self.lint_list.setWordWrap(True)  # a problem's message says what to do: show all of it
        self.lint_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.contrast_box = self._build_contrast_box(page)
        back = QPushButton("Back", page)
        back.clicked.connect(self._back_to_setup)
        self.publish_button = QPushButton("Publish", page)
        self.publish_button.clicked.connect(self.start_publish)
        self.visual_button = QPushButton("Visual Changes…", page)
        self.visual_button.clicked.connect(self.show_visual_changes)
        buttons = QHBoxLayout()
        buttons.addWidget(self.visual_button)
        buttons.addStretch(1)
        buttons.addWidget(back)
        buttons.addWidget(self.publish_button)
        layout = QVBoxLayout(page)
        layout.addWidget(self.review_title)
        layout.addWidget(self.lint_list, 1)
        layout.addWidget(self.contrast_box)
        layout.addWidget(self.plan_view, 3)
        layout.addLayout(buttons)
        return page

    def _build_contrast_box(self, page: QWidget) -> QWidget:
        """The contrast gate: pairs below WCAG 2 AA, and the waiver reason that lets the release through."""
        box = QWidget(page)
        self.contrast_label = QLabel(box)
        self.contrast_label.setWordWrap(True)
        self.contrast_label.setStyleSheet("color: #b3261e; font-weight: bold;")
        self.contrast_list = QListWidget(box)
        set_name(self.contrast_list, "Token pairs below WCAG 2 AA contrast")
        self.contrast_list.setMaximumHeight(110)
        self.waiver_edit = QLineEdit(box)
        self.waiver_edit.setPlaceholderText(
            "Reason for publishing anyway (goes into the release notes and the release's record)"
        )
        self.waiver_edit.setMaxLength(MAX_REASON_LENGTH)
        self.waiver_edit.textChanged.connect(lambda _t: self._on_waiver_edited())
        form = QFormLayout()
        form.addRow(link_label(QLabel("Contrast &waiver:", box), self.waiver_edit), self.waiver_edit)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.contrast_label)
        layout.addWidget(self.contrast_list)
        layout.addLayout(form)
        box.setVisible(False)
        return box

    def _show_contrast(self, failures: tuple[ContrastFailure, ...]) -> None:
        self.contrast_list.clear()
        self.waiver_edit.clear()
        self.contrast_box.setVisible(bool(failures))
        if not failures:
            return
        self._on_waiver_edited()
        for failure in failures:
            self.contrast_list.addItem(
                f"{failure.foreground} on {failure.background}  [{failure.scheme_label}]  "
                f"{failure.ratio:.2f}:1  ·  APCA Lc {failure.apca:.0f}"
            )

    def _on_waiver_edited(self) -> None:
        review = self._review
        if review is not None and review.plan.contrast_failures:
            count = len(review.plan.contrast_failures)
            self.contrast_label.setText(
                f"{count} text/background token pair(s) fail WCAG 2 AA (4.5:1 for normal text): "
                + (
                    "publishing is blocked. Fix the colours, or give a reason to publish anyway."
                    if self.contrast_blocked
                    else "they will be published with this waiver, recorded in the release notes and with "
                    "the release."
                )
                + " APCA Lc is shown as advice."
            )
        self._update_publish_button()

    @property
    def contrast_blocked(self) -> bool:
        """The reviewed plan fails AA and no waiver reason is entered yet."""
        review = self._review
        return (
            review is not None
            and bool(review.plan.contrast_failures)
            and not self.waiver_edit.text().strip()
        )

    def _build_progress(self) -> QWidget:
        page = QWidget(self)
        self.step_label = QLabel("Starting…", page)
        self.progress_bar = QProgressBar(page)
        self.progress_bar.setRange(0, 1000)
        self.counts_label = QLabel("", page)
        self.key_label = QLabel("", page)
        self.key_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.key_label.setStyleSheet("color: palette(mid);")
        self.cancel_button = QPushButton("Cancel", page)
        self.cancel_button.clicked.connect(self.cancel)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        layout.addWidget(self.step_label)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.counts_label)
        layout.addWidget(self.key_label)
        layout.addStretch(2)
        layout.addLayout(buttons)
        return page

    def _build_summary(self) -> QWidget:
        page = QWidget(self)
        self.summary_title = QLabel(page)
        font = self.summary_title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.summary_title.setFont(font)
        self.summary_text = QLabel(page)
        self.summary_text.setWordWrap(True)
        self.summary_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.url_rows: dict[str, tuple[QLineEdit, QPushButton]] = {}
        urls = QFormLayout()
        for name, label in (("css", "Versioned:"), ("latest", "Latest:"), ("preview", "Preview:")):
            row = QHBoxLayout()
            edit = QLineEdit(page)
            edit.setReadOnly(True)
            copy = QPushButton("Copy", page)
            set_name(copy, f"Copy {label.rstrip(':').lower()} URL")
            copy.clicked.connect(lambda _c=False, e=edit: self.copy_url(e.text()))
            row.addWidget(edit, 1)
            row.addWidget(copy)
            urls.addRow(label, row)
            self.url_rows[name] = (edit, copy)
        self.url_box = QWidget(page)
        self.url_box.setLayout(urls)
        self.again_button = QPushButton("Publish again", page)
        self.again_button.clicked.connect(self.start_publish)
        self.summary_back = QPushButton("Back", page)
        self.summary_back.clicked.connect(self._back_to_setup)
        done = QPushButton("Close", page)
        done.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.summary_back)
        buttons.addWidget(self.again_button)
        buttons.addWidget(done)
        layout = QVBoxLayout(page)
        layout.addWidget(self.summary_title)
        layout.addWidget(self.summary_text)
        layout.addWidget(self.url_box)
        layout.addStretch(1)
        layout.addLayout(buttons)
        return page

    # ------------------------------------------------------------------ state
    @property
    def target(self) -> PublishTarget | None:
        index = self.profile_box.currentIndex()
        return self.targets[index] if 0 <= index < len(self.targets) else None

    def requested_version(self) -> tuple[str, str]:
        """("bump", kind) or ("exact", version) as chosen on the Setup page."""
        if self.exact_radio.isChecked():
            return "exact", self.version_edit.text().strip() or self.theme.manifest.version
        for bump, button in self.bump_buttons.items():
            if button.isChecked():
                return "bump", bump
        return "bump", "patch"

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.review_button.setEnabled(not busy and bool(self.targets))
        self._update_publish_button()
        if not busy and self._close_when_idle:
            self._close_when_idle = False
            self.reject()

    def _update_publish_button(self) -> None:
        ready = self._review is not None and not self.contrast_blocked
        self.publish_button.setEnabled(ready and not self._busy)

    def _back_to_setup(self) -> None:
        self.pages.setCurrentIndex(0)

    # ------------------------------------------------------------------ review
    def _session_for(self, target: PublishTarget) -> PublishSession:
        """The warm publish session of ``target`` (created once, in the worker thread).

        Raises:
            PublishSetupError: a secret is missing or no keyring is usable (the text names the fix).
        """
        cached = self._sessions.get(target.profile.name)
        if cached is not None:
            return cached
        credentials = target.credentials() if target.credentials is not None else None
        session = publisher_for(
            target.profile, credentials=credentials, render_preview=self._render_from_worker
        )
        self._sessions[target.profile.name] = session
        return session

    def start_review(self) -> None:
        """Plan the release off the GUI thread and show it on the Review page."""
        target = self.target
        if target is None or self._busy:
            return
        mode, value = self.requested_version()
        theme = self.theme
        self._review = None
        self.setup_message.setText("Reading the last release…")
        self._set_busy(True)

        def work() -> _Review:
            session = self._session_for(target)
            publisher = session.publisher
            theme_id = theme.manifest.id
            last = publisher.previous_release(theme_id, "999999.0.0")
            if mode == "exact":
                version = value
            elif last is None:
                version = theme.manifest.version
            else:
                version = str(Version.parse(last).bump(value))  # type: ignore[arg-type]
            previous = last
            if previous is not None:
                try:
                    if Version.parse(previous) >= Version.parse(version):
                        previous = publisher.previous_release(theme_id, version)
                except ValueError:
                    previous = None
            previous_css = publisher.read_public_css(theme_id, previous) if previous else None
            plan = plan_release(theme, version, previous_css=previous_css, previous_version=previous)
            return _Review(plan, session, previous_css)

        run_in_background(work, self._show_review, self._review_failed, owner=self)

    def _show_review(self, review: _Review) -> None:
        self._review = review
        self.setup_message.setText("")
        plan = review.plan
        target = self.target
        where = target.label if target else ""
        self.review_title.setText(
            f"Release {plan.version} → {where}: {len(plan.objects)} objects, {_human(plan.total_bytes)}"
            + ("" if plan.previous_version is None else f" · compared with {plan.previous_version}")
        )
        session = review.session
        steps = [f"Upload {session.mode_label}"]
        steps.append(
            "the backend verifies, registers and moves latest"
            if session.registers
            else "move latest; no backend registration"
        )
        if session.purges_cdn:
            steps.append("purge the CDN for latest")
        lines = ["; ".join(steps) + ".", *(f"Note: {note}" for note in session.notes), "", plan.describe()]
        if plan.warnings:
            lines.append(f"\n{len(plan.warnings)} lint warning(s) (they do not block):")
            lines += [f"  {d.line}:{d.column} {d.rule}: {d.message}" for d in plan.warnings]
        self.plan_view.setPlainText("\n".join(lines))
        self.lint_list.clear()
        self.lint_list.setVisible(False)
        self._show_contrast(plan.contrast_failures)
        self.pages.setCurrentIndex(1)
        self._set_busy(False)
        self.reviewed.emit(plan)
        if plan.contrast_failures:
            announce(self.contrast_label, self.contrast_label.text(), assertive=True)

    def show_visual_changes(self) -> None:
        """This release against the last one, rendered (both in this theme's folder, for its assets)."""
        from studio.ui.visual_changes import open_visual_changes

        review = self._review
        if review is None or review.previous_css is None:
            self.review_title.setText(self.review_title.text().split(" · Visual")[0]
                                      + " · Visual changes need a previous release.")
            return
        old_css, plan = review.previous_css, review.plan
        self.visual_dialog = open_visual_changes(
            self, (str(plan.previous_version), plan.version), lambda: (old_css, plan.css), self.theme.root)

    def _review_failed(self, exc: Exception) -> None:
        self._set_busy(False)
        if isinstance(exc, PlanError) and exc.diagnostics:
            self.review_title.setText(
                f"{len(exc.diagnostics)} problem(s) block publishing. Fix them, then review again."
            )
            self.lint_list.clear()
            for d in exc.diagnostics:
                self.lint_list.addItem(f"{d.location}  {d.rule}  {d.message}")
            self.lint_list.setVisible(True)
            self.contrast_box.setVisible(False)
            self.plan_view.setPlainText("")
            self.publish_button.setEnabled(False)
            self.pages.setCurrentIndex(1)
            announce(self.review_title, self.review_title.text(), assertive=True)
            return
        title, text = describe_error(exc, self.target.profile if self.target else None)
        self.setup_message.setText(f"{title}: {text}")
        announce(self.setup_message, self.setup_message.text(), assertive=True)
        self.pages.setCurrentIndex(0)

    # ------------------------------------------------------------------ publish
    def start_publish(self) -> None:
        """Run the reviewed plan in the background with progress; re-running resumes the same release."""
        review = self._review
        if review is None or self._busy or self.contrast_blocked:
            return
        waiver = gate(review.plan.contrast_failures, self.waiver_edit.text())
        self._cancel = threading.Event()
        cancel = self._cancel
        changes = self.changes_edit.toPlainText().strip()
        render = self.preview_check.isChecked()
        self.publish_result = None
        self.error = None
        self.step_label.setText(f"Publishing {review.plan.version}…")
        self.progress_bar.setValue(0)
        self.counts_label.setText("")
        self.key_label.setText("")
        self.cancel_button.setEnabled(True)
        self.cancel_button.setText("Cancel")
        self.pages.setCurrentIndex(2)
        self._set_busy(True)
        relay = self._relay
        hook = self.progress_hook

        def report(progress: PublishProgress) -> None:
            if hook is not None:
                hook(progress)
            relay.progressed.emit(progress)

        def work() -> PublishResult:
            publisher = review.session.publisher
            publisher.render_preview = self._render_from_worker if render else None
            review.session.ensure_theme(self.theme)  # registration and grants need the theme on the backend
            return publisher.publish(
                review.plan,
                changes=changes,
                theme_root=self.theme.root,
                progress=report,
                cancel=cancel,
                contrast_waiver=waiver,
            )

        run_in_background(work, self._published, self._publish_failed, owner=self)

    def cancel(self) -> None:
        """Ask the running publish to stop (no new request starts; running ones finish)."""
        if self._busy:
            self._cancel.set()
            self.cancel_button.setEnabled(False)
            self.cancel_button.setText("Cancelling…")
            self.step_label.setText("Cancelling: waiting for the requests in flight…")

    @Slot(object)
    def _on_progress(self, progress: PublishProgress) -> None:
        labels = {
            "check": "Checking what is already published…",
            "render": "Rendering the preview image…",
            "upload": "Uploading…",
            "verify": "Verifying every object (HEAD + sha256, public GET)…",
            "latest": "Moving latest…",
            "purge": "Purging the CDN cache…",
            "register": "The backend is verifying and registering the release…",
            "done": "Done.",
        }
        if not self._cancel.is_set():
            self.step_label.setText(labels.get(progress.step, progress.step))
        if progress.step == "upload":
            fraction = progress.bytes_done / progress.bytes_total if progress.bytes_total else 1.0
            self.progress_bar.setValue(int(fraction * 900))
            self.counts_label.setText(
                f"{_human(progress.bytes_done)} of {_human(progress.bytes_total)} · "
                f"{progress.files_done} of {progress.files_total} files"
            )
        elif progress.step == "verify":
            fraction = progress.files_done / progress.files_total if progress.files_total else 1.0
            self.progress_bar.setValue(900 + int(fraction * 80))
            self.counts_label.setText(f"verified {progress.files_done} of {progress.files_total} objects")
        elif progress.step in ("latest", "purge", "register"):
            self.progress_bar.setValue(max(self.progress_bar.value(), 985))
        elif progress.step == "done":
            self.progress_bar.setValue(1000)
        if progress.key:
            self.key_label.setText(progress.key)
        self.progressed.emit(progress)

    def _published(self, result: PublishResult) -> None:
        self.publish_result = result
        self.progress_bar.setValue(1000)
        self._set_busy(False)
        self._show_summary(result, None)
        self.finished_publish.emit(result)

    def _publish_failed(self, exc: Exception) -> None:
        self.error = exc
        self._set_busy(False)
        self._show_summary(None, exc)
        self.finished_publish.emit(exc)

    def _show_summary(self, result: PublishResult | None, exc: BaseException | None) -> None:
        target = self.target
        if result is not None:
            where = target.label if target else ""
            if result.no_op:
                state = "It was already complete: nothing was uploaded."
            else:
                state = (
                    f"{len(result.uploaded)} objects uploaded ({_human(result.uploaded_bytes)}), "
                    f"{len(result.copied)} unchanged assets copied, {len(result.skipped)} already there."
                )
            if result.latest_moved:
                latest = "latest now points at this release."
            elif result.latest_message:
                latest = f"latest was not moved: {result.latest_message}"
            else:
                latest = "latest stays on a newer release."
            extra = []
            if result.purged:
                extra.append("CDN purged for latest.")
            if result.registered:
                extra.append("Registered with the backend.")
            if self._review is not None and self._review.plan.contrast_failures:
                extra.append("The contrast waiver is in the release notes.")
            mode = " through backend grants" if result.mode == "grant" else ""
            self.summary_title.setText(f"Published {result.version} to {where}{mode}")
            self.summary_text.setText(" ".join([state, f"Every object was verified; {latest}", *extra]))
            latest_url = "" if result.latest_message else result.latest_url  # not moved: nothing to copy
            self._set_urls(result.css_url, latest_url, result.preview_url)
            self.url_box.setVisible(True)
            self.again_button.setVisible(False)
            self.summary_back.setVisible(False)
        else:
            assert exc is not None
            title, text = describe_error(exc, target.profile if target else None)
            self.summary_title.setText(title)
            self.summary_text.setText(text)
            self.url_box.setVisible(False)
            # The same bytes again would be refused again: only Back (fix the theme, then publish) helps.
            conflict = isinstance(exc, VersionConflictError | VerificationFailedError)
            self.again_button.setVisible(not conflict)
            self.summary_back.setVisible(True)
        self.pages.setCurrentIndex(3)
        announce(self.summary_title, f"{self.summary_title.text()}. {self.summary_text.text()}",
                 assertive=exc is not None)

    def _set_urls(self, css: str, latest: str, preview: str) -> None:
        for name, url in (("css", css), ("latest", latest), ("preview", preview)):
            edit, copy = self.url_rows[name]
            edit.setText(url)
            edit.setCursorPosition(0)
            copy.setEnabled(bool(url))

    def copy_url(self, url: str) -> None:
        """Put ``url`` on the clipboard."""
        QGuiApplication.clipboard().setText(url)

    # ------------------------------------------------------------------ preview on the GUI thread
    def _render_from_worker(self, css: str, out: Path, root: Path) -> None:
        """Publisher hook (worker thread): have the GUI thread render the PNG, wait for it."""
        done: Future[None] = Future()
        self._relay.renderRequested.emit((css, out, root, done))
        done.result(timeout=120)

    @Slot(object)
    def _render_on_gui_thread(self, request: tuple[str, Path, Path, Future[None]]) -> None:
        css, out, root, done = request
        try:
            from studio.ui.preview_render import render_preview_png

            render_preview_png(css, out, width=1280, height=900, base_dir=root)
        except Exception as exc:  # handed to the worker, which reports it as the render step's failure
            done.set_exception(exc)
        else:
            done.set_result(None)

    # ------------------------------------------------------------------ closing
    def reject(self) -> None:
        """Closing while a publish runs cancels it first; the dialog closes when the worker has stopped."""
        if self._busy:
            self._close_when_idle = True
            self.cancel()
            return
        self._release_sessions()
        super().reject()

    def accept(self) -> None:
        if self._busy:
            return
        self._release_sessions()
        super().accept()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._busy:
            event.ignore()
            self.reject()
            return
        super().closeEvent(event)

    def _release_sessions(self) -> None:
        sessions, self._sessions = self._sessions, {}
        self._review = None
        for session in sessions.values():
            session.close()


def open_publish_dialog(theme: Theme, parent: QWidget | None, *, sandbox: Sandbox | None = None) -> int:
    """Show the Publish dialog for ``theme`` with the running sandbox (if any) and the saved profiles."""
    extra = [sandbox_target(sandbox)] if sandbox is not None and sandbox.running else []
    targets, note = load_targets(extra)
    dialog = PublishDialog(theme, targets, parent, note=note)
    return dialog.exec()
