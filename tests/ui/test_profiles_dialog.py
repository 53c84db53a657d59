"""The Publishing Profiles dialog with a real keyring, SeaweedFS and the fake DigitalOcean API."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from pytestqt.qtbot import QtBot

from studio.adapters.secrets import SecretName, SecretStore
from studio.core.profiles import ProfileStore, make_profile, now_utc
from studio.ui.profiles_dialog import NOT_SET, STORED, ProfilesDialog
from tests.adapters.fake_do_api import FakeDigitalOcean
from tests.adapters.keyring_service import SecretServiceSession
from tests.backend.seaweed import SeaweedS3

WAIT_MS = 20_000


def _dialog(qtbot: QtBot, store: ProfileStore, **kwargs: object) -> ProfilesDialog:
    dialog = ProfilesDialog(store, SecretStore(), **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_save_puts_secrets_in_keyring_and_test_shows_results(
    qtbot: QtBot, tmp_path: Path, seaweed: SeaweedS3, secret_service: SecretServiceSession
) -> None:
    store = ProfileStore(tmp_path / "profiles.toml")
    dialog = _dialog(qtbot, store)
    dialog.name_edit.setText("dev")
    dialog.endpoint_edit.setText(seaweed.endpoint)
    dialog.region_edit.setText(seaweed.region)
    dialog.bucket_edit.setText(seaweed.bucket)
    dialog.access_key_edit.setText(seaweed.readonly_access_key)
    secret_edit = dialog.secret_edits[SecretName.SPACES_SECRET]
    secret_edit.setText(seaweed.readonly_secret_key)
    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS):
        dialog.save_button.click()
    assert SecretStore().get("dev", SecretName.SPACES_SECRET) == seaweed.readonly_secret_key
    assert seaweed.readonly_secret_key not in store.path.read_text()
    qtbot.waitUntil(lambda: secret_edit.placeholderText() == STORED, timeout=WAIT_MS)
    assert secret_edit.text() == ""  # the value is never shown back
    assert dialog.secret_edits[SecretName.DO_TOKEN].placeholderText() == NOT_SET

    with qtbot.waitSignal(dialog.checked, timeout=WAIT_MS) as blocker:
        dialog.test_button.click()
    assert blocker.args == [False]  # read-only key: the write probe is refused
    lines = [dialog.results_list.item(i).text() for i in range(dialog.results_list.count())]
    assert "✓ spaces key read: the key can list bucket themesystem-assets" in lines
    assert f"✗ spaces key write: AccessDenied: the key cannot write to bucket {seaweed.bucket}" in lines
    dialog.grab().save("/tmp/profiles-dialog.png")
    SecretStore().delete_all("dev")


def test_create_spaces_key_with_do_token(
    qtbot: QtBot, tmp_path: Path, secret_service: SecretServiceSession, fake_do: FakeDigitalOcean
) -> None:
    store = ProfileStore(tmp_path / "profiles.toml")
    dialog = _dialog(qtbot, store, do_api_url=fake_do.url)
    dialog.name_edit.setText("prod")
    dialog.endpoint_edit.setText("https://fra1.digitaloceanspaces.com")
    dialog.secret_edits[SecretName.DO_TOKEN].setText(fake_do.token)
    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS):
        dialog.create_key_button.click()
    created = fake_do.created_keys[0]
    assert dialog.access_key_edit.text() == created["access_key"]
    assert dialog.key_created_label.text().startswith(f"{now_utc():%Y-%m-%d} (0 days ago)")
    assert SecretStore().get("prod", SecretName.SPACES_SECRET) == created["secret_key"]
    assert store.get("prod").access_key_id == created["access_key"]
    SecretStore().delete_all("prod")


def test_rotation_banner_and_local_label(
    qtbot: QtBot, tmp_path: Path, secret_service: SecretServiceSession
) -> None:
    store = ProfileStore(tmp_path / "profiles.toml")
    old = make_profile("prod", "https://fra1.digitaloceanspaces.com", access_key_id="DOOLD")
    store.put(old.with_spaces_key("DOOLD", now_utc() - timedelta(days=100)))
    store.put(make_profile("local", "http://127.0.0.1:8333", region="us-east-1"))
    dialog = _dialog(qtbot, store)
    labels = [dialog.profile_list.item(i).text() for i in range(dialog.profile_list.count())]
    assert labels == ["local (local)", "prod"]
    assert dialog.local_banner.isVisible()
    assert not dialog.rotation_banner.isVisible()
    dialog.profile_list.setCurrentRow(1)
    assert dialog.rotation_banner.isVisible()
    assert "100 days old" in dialog.rotation_banner.text()
    assert not dialog.local_banner.isVisible()


def test_invalid_form_shows_the_problem(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = _dialog(qtbot, ProfileStore(tmp_path / "profiles.toml"))
    dialog.name_edit.setText("x")
    dialog.endpoint_edit.setText("not a url")
    dialog.region_edit.setText("r")
    dialog.save_button.click()
    assert "must be an http(s) URL" in dialog.status_label.text()
    assert not (tmp_path / "profiles.toml").exists()
