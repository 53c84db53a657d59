"""Publishing Profiles dialog: edit profiles, keep their secrets in the keyring, create and test keys.

Secret fields are password edits that are never filled with the stored value: they show "stored in
keyring" as a placeholder, and whatever is typed goes to the keyring on Save. Keyring, DigitalOcean and
storage calls run through ``run_in_background``; their results come back on the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from studio.adapters.do_api import DigitalOceanClient, SpacesKey
from studio.adapters.profile_check import CheckResult, all_passed, check_profile
from studio.adapters.secrets import SecretName, SecretStore
from studio.core.profiles import (
    CREDENTIAL_MODES,
    DEFAULT_BUCKET,
    Profile,
    ProfileError,
    ProfileStore,
    make_profile,
    now_utc,
)
from studio.ui.accessibility import link_label, show_message
from studio.ui.background import run_in_background

ERROR_STYLE = "color: #c92a2a;"
BANNER_STYLE = "background: #fff3bf; color: #5c3c00; padding: 6px; border-radius: 4px;"
LOCAL_STYLE = "background: #e7f5ff; color: #1864ab; padding: 6px; border-radius: 4px;"
STORED = "stored in keyring"
NOT_SET = "not set"
_SECRET_LABELS = {
    SecretName.SPACES_SECRET: "Spaces secret key",
    SecretName.DO_TOKEN: "DigitalOcean token",
    SecretName.BACKEND_TOKEN: "Backend token",
}


class ProfilesDialog(QDialog):
    """Lists the profiles on the left, edits the selected one on the right.

    Signals:
        saved(str): a profile was written (its name), with its secrets stored.
        checked(bool): a Test run finished (whether every check passed).
    """

    saved = Signal(str)
    checked = Signal(bool)

    def __init__(
        self,
        store: ProfileStore | None = None,
        secrets: SecretStore | None = None,
        *,
        do_api_url: str | None = None,
        now: Callable[[], datetime] = now_utc,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Publishing Profiles")
        self.setObjectName("profilesDialog")
        self.store = store or ProfileStore()
        self.secrets = secrets or SecretStore()
        self.do_api_url = do_api_url
        self._now = now
        self._created_at: datetime | None = None
        self.check_results: list[CheckResult] = []

        self.profile_list = QListWidget()
        self.profile_list.setAccessibleName("Profiles")
        self.profile_list.currentItemChanged.connect(lambda *_: self._show_selected())
        self.new_button = QPushButton("New")
        self.new_button.clicked.connect(self._new_profile)
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self._remove_selected)
        left = QVBoxLayout()
        left.addWidget(self.profile_list)
        row = QHBoxLayout()
        row.addWidget(self.new_button)
        row.addWidget(self.remove_button)
        left.addLayout(row)
        left_widget = QWidget()
        left_widget.setLayout(left)

        self.local_banner = QLabel(
            "Local sandbox: publishes to the SeaweedFS on this machine, not to Spaces."
        )
        self.local_banner.setStyleSheet(LOCAL_STYLE)
        self.rotation_banner = QLabel()
        self.rotation_banner.setWordWrap(True)
        self.rotation_banner.setStyleSheet(BANNER_STYLE)
        self.name_edit = QLineEdit()
        self.endpoint_edit = QLineEdit()
        self.endpoint_edit.setPlaceholderText("https://fra1.digitaloceanspaces.com")
        self.region_edit = QLineEdit()
        self.region_edit.setPlaceholderText("derived from a Spaces endpoint")
        self.bucket_edit = QLineEdit(DEFAULT_BUCKET)
        self.cdn_edit = QLineEdit()
        self.cdn_edit.setPlaceholderText("https://<bucket>.<region>.cdn.digitaloceanspaces.com")
        self.cdn_id_edit = QLineEdit()
        self.cdn_id_edit.setPlaceholderText("optional: CDN endpoint id to purge")
        self.backend_edit = QLineEdit()
        self.backend_edit.setPlaceholderText("optional: https://api.example.com")
        self.mode_combo = QComboBox()
        self.mode_combo.addItems(list(CREDENTIAL_MODES))
        self.access_key_edit = QLineEdit()
        self.secret_edits: dict[SecretName, QLineEdit] = {}
        for name in SecretName:
            edit = QLineEdit()
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            edit.setPlaceholderText(NOT_SET)
            edit.setObjectName(f"secret-{name.value}")
            self.secret_edits[name] = edit
        self.key_created_label = QLabel("—")
        self.create_key_button = QPushButton("Create Spaces key…")
        self.create_key_button.setToolTip(
            "Create a Spaces key with readwrite on this bucket only, using the DigitalOcean token"
        )
        self.create_key_button.clicked.connect(self._create_key)
        key_row = QHBoxLayout()
        key_row.addWidget(self.access_key_edit, 1)
        key_row.addWidget(self.create_key_button)

        form = QFormLayout()
        form.addRow("Name", self.name_edit)
        form.addRow("Endpoint", self.endpoint_edit)
        form.addRow("Region", self.region_edit)
        form.addRow("Bucket", self.bucket_edit)
        form.addRow("CDN base URL", self.cdn_edit)
        form.addRow("CDN endpoint id", self.cdn_id_edit)
        form.addRow("Backend URL", self.backend_edit)
        form.addRow("Credentials", self.mode_combo)
        form.addRow(link_label(QLabel("Access key id"), self.access_key_edit), key_row)
        form.addRow("Key created", self.key_created_label)
        for name, edit in self.secret_edits.items():
            form.addRow(_SECRET_LABELS[name], edit)

        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.results_list = QListWidget()
        self.results_list.setObjectName("checkResults")
        self.results_list.setAccessibleName("Check results")
        self.results_list.setWordWrap(True)
        self.test_button = QPushButton("Test")
        self.test_button.clicked.connect(self._test)
        self.save_button = QPushButton("Save")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self._save)
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.test_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.close_button)

        right = QVBoxLayout()
        right.addWidget(self.local_banner)
        right.addWidget(self.rotation_banner)
        right.addLayout(form)
        right.addWidget(link_label(QLabel("Checks"), self.results_list))
        right.addWidget(self.results_list, 1)
        right.addWidget(self.status_label)
        right.addLayout(buttons)
        right_widget = QWidget()
        right_widget.setLayout(right)

        splitter = QSplitter()
        splitter.addWidget(left_widget)
        splitter.addWidget(right_widget)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([180, 520])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self.resize(760, 640)
        self.reload()

    # -- list ------------------------------------------------------------------------------------------------

    def reload(self, select: str | None = None) -> None:
        """Re-read ``profiles.toml`` and select ``select`` (or the first profile)."""
        try:
            profiles = self.store.load()
        except ProfileError as exc:
            self._error(str(exc))
            profiles = {}
        self.profile_list.blockSignals(True)
        self.profile_list.clear()
        for profile in sorted(profiles.values(), key=lambda p: p.name):
            item = QListWidgetItem(profile.label)
            item.setData(256, profile.name)
            self.profile_list.addItem(item)
        self.profile_list.blockSignals(False)
        names = [self.profile_list.item(i).data(256) for i in range(self.profile_list.count())]
        if names:
            self.profile_list.setCurrentRow(names.index(select) if select in names else 0)
        else:
            self._fill(None)

    def selected_name(self) -> str | None:
        """The name of the profile being edited (None for a new one)."""
        item = self.profile_list.currentItem()
        return None if item is None else str(item.data(256))

    def _show_selected(self) -> None:
        name = self.selected_name()
        try:
            profile = self.store.load().get(name) if name else None
        except ProfileError as exc:
            self._error(str(exc))
            return
        self._fill(profile)

    def _fill(self, profile: Profile | None) -> None:
        self.results_list.clear()
        self.status_label.clear()
        self.name_edit.setText(profile.name if profile else "")
        self.name_edit.setReadOnly(profile is not None)  # renaming would orphan the keyring entries
        self.endpoint_edit.setText(profile.endpoint if profile else "")
        self.region_edit.setText(profile.region if profile else "")
        self.bucket_edit.setText(profile.bucket if profile else DEFAULT_BUCKET)
        self.cdn_edit.setText(profile.cdn_base_url if profile else "")
        self.cdn_id_edit.setText(profile.cdn_endpoint_id or "" if profile else "")
        self.backend_edit.setText(profile.backend_url or "" if profile else "")
        self.mode_combo.setCurrentText(profile.credential_mode if profile else "spaces-key")
        self.access_key_edit.setText(profile.access_key_id or "" if profile else "")
        self._created_at = profile.spaces_key_created_at if profile else None
        for edit in self.secret_edits.values():
            edit.clear()
            edit.setPlaceholderText(NOT_SET)
        self.local_banner.setVisible(bool(profile and profile.is_local))
        self._update_key_age(profile)
        if profile is not None:
            self._load_secret_presence(profile.name)

    def _update_key_age(self, profile: Profile | None) -> None:
        now = self._now()
        if self._created_at is None:
            self.key_created_label.setText("unknown (a pasted key)" if self.access_key_edit.text() else "—")
        else:
            days = max(0, (now - self._created_at).days)
            self.key_created_label.setText(f"{self._created_at:%Y-%m-%d} ({days} days ago)")
        if profile is not None and profile.needs_rotation(now):
            self.rotation_banner.setText(
                f"The Spaces key {profile.access_key_id} is {profile.key_age_days(now)} days old. "
                "Create a new one (Create Spaces key…) and delete the old key in the DigitalOcean panel."
            )
            self.rotation_banner.show()
        else:
            self.rotation_banner.hide()

    def _load_secret_presence(self, name: str) -> None:
        def done(present: dict[SecretName, bool]) -> None:
            if self.selected_name() != name:
                return  # the user moved on
            for secret, ok in present.items():
                self.secret_edits[secret].setPlaceholderText(STORED if ok else NOT_SET)

        run_in_background(lambda: self.secrets.present(name), done, self._failed, owner=self)

    # -- actions ---------------------------------------------------------------------------------------------

    def _new_profile(self) -> None:
        self.profile_list.setCurrentRow(-1)
        self._fill(None)
        self.name_edit.setFocus()

    def _remove_selected(self) -> None:
        name = self.selected_name()
        if not name:
            return
        try:
            self.store.remove(name)
        except ProfileError as exc:
            self._error(str(exc))
            return
        run_in_background(
            lambda: self.secrets.delete_all(name),
            lambda _: self._info(f"removed profile {name} and its keyring entries"),
            self._failed,
            owner=self,
        )
        self.reload()

    def form_profile(self) -> Profile:
        """The profile as the form describes it.

        Raises:
            ProfileError: a field is invalid (the message names it).
        """
        return make_profile(
            self.name_edit.text().strip(),
            self.endpoint_edit.text().strip(),
            region=self.region_edit.text().strip() or None,
            bucket=self.bucket_edit.text().strip(),
            cdn_base_url=self.cdn_edit.text().strip(),
            cdn_endpoint_id=self.cdn_id_edit.text().strip() or None,
            backend_url=self.backend_edit.text().strip() or None,
            credential_mode=self.mode_combo.currentText(),
            access_key_id=self.access_key_edit.text().strip() or None,
            spaces_key_created_at=self._created_at,
        )

    def _save(self) -> None:
        try:
            profile = self.form_profile()
        except ProfileError as exc:
            self._error(str(exc))
            return
        typed = {name: edit.text() for name, edit in self.secret_edits.items() if edit.text()}

        def work() -> Profile:
            self.secrets.backend()  # no keyring: nothing is written, not even the profile
            for name, value in typed.items():
                self.secrets.set(profile.name, name, value)
            self.store.put(profile)
            return profile

        def done(saved: Profile) -> None:
            self.save_button.setEnabled(True)
            self.reload(select=saved.name)
            self._info(f"saved {saved.label}; secrets stored in the keyring: {len(typed)}")
            self.saved.emit(saved.name)

        self.save_button.setEnabled(False)
        run_in_background(work, done, self._failed, owner=self)

    def _create_key(self) -> None:
        try:
            profile = self.form_profile()
        except ProfileError as exc:
            self._error(str(exc))
            return
        typed_token = self.secret_edits[SecretName.DO_TOKEN].text()
        api_url = self.do_api_url

        def work() -> SpacesKey:
            token = typed_token or self.secrets.get(profile.name, SecretName.DO_TOKEN)
            if not token:
                raise ProfileError("enter a DigitalOcean token first (it needs the spaces_key:create scope)")
            with DigitalOceanClient(token, base_url=api_url) as client:
                key = client.create_spaces_key(f"themestudio-{profile.name}", profile.bucket, "readwrite")
            self.secrets.set(profile.name, SecretName.SPACES_SECRET, key.secret_key)
            if typed_token:
                self.secrets.set(profile.name, SecretName.DO_TOKEN, typed_token)
            updated = replace(profile, credential_mode="spaces-key").with_spaces_key(
                key.access_key, key.created_at
            )
            self.store.put(updated)
            return key

        def done(key: SpacesKey) -> None:
            self.create_key_button.setEnabled(True)
            self.reload(select=profile.name)
            self._info(
                f"created Spaces key {key.access_key} (readwrite on {profile.bucket}); secret in keyring"
            )
            self.saved.emit(profile.name)

        self.create_key_button.setEnabled(False)
        run_in_background(work, done, self._failed, owner=self)

    def _test(self) -> None:
        try:
            profile = self.form_profile()
        except ProfileError as exc:
            self._error(str(exc))
            return
        self.results_list.clear()
        self.results_list.addItem("… checking")
        self.test_button.setEnabled(False)
        api_url = self.do_api_url

        def done(results: list[CheckResult]) -> None:
            self.test_button.setEnabled(True)
            self.check_results = results
            self.results_list.clear()
            for result in results:
                item = QListWidgetItem(result.line())
                item.setForeground(QColor("#2b8a3e" if result.ok else "#c92a2a"))
                self.results_list.addItem(item)
            ok = all_passed(results)
            if ok:
                self._info("all credentials work")
            else:
                self._error("some checks failed: see the ✗ lines")
            self.checked.emit(ok)

        run_in_background(
            lambda: check_profile(profile, self.secrets, do_api_url=api_url), done, self._failed, owner=self
        )

    # -- status ----------------------------------------------------------------------------------------------

    def _failed(self, exc: Exception) -> None:
        for button in (self.save_button, self.test_button, self.create_key_button):
            button.setEnabled(True)
        self._error(str(exc))

    def _error(self, message: str) -> None:
        show_message(self.status_label, message, error=True, style=ERROR_STYLE)

    def _info(self, message: str) -> None:
        show_message(self.status_label, message)
