"""The Publish dialog against a real SeaweedFS: review, publish with progress, cancel and resume, errors."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from studio.adapters.backend_client import VerificationFailedError
from studio.adapters.object_store import ObjectStore, S3Credentials, S3Location
from studio.adapters.publisher import PublishCancelledError, Publisher, PublishProgress, PublishResult
from studio.adapters.secrets import SecretName, SecretStore
from studio.core.profiles import Profile, make_profile
from studio.core.publish_plan import plan_release
from studio.core.starters import create_theme
from studio.core.theme import Theme
from studio.ui.accessibility import ANNOUNCED
from studio.ui.publish_dialog import PublishDialog, PublishTarget, profile_target
from tests.adapters.keyring_service import SecretServiceSession
from tests.adapters.test_backend_client import LiveBackend, running_backend
from tests.backend.seaweed import SeaweedS3

SHOTS = Path("/tmp")


def _profile(server: SeaweedS3, name: str = "local", *, readonly: bool = False) -> Profile:
    key = server.readonly_access_key if readonly else server.access_key
    return Profile(
        name=name,
        endpoint=server.endpoint,
        region=server.region,
        bucket=server.bucket,
        cdn_base_url=f"{server.endpoint}/{server.bucket}",
        access_key_id=key,
    )


def _target(server: SeaweedS3, name: str = "local", *, readonly: bool = False) -> PublishTarget:
    if readonly:
        creds = S3Credentials(server.readonly_access_key, server.readonly_secret_key)
    else:
        creds = S3Credentials(server.access_key, server.secret_key)
    return PublishTarget(_profile(server, name, readonly=readonly), lambda: creds)


@pytest.fixture
def store(seaweed: SeaweedS3) -> Iterator[ObjectStore]:
    s = ObjectStore(
        S3Location(seaweed.endpoint, seaweed.region, seaweed.bucket),
        S3Credentials(seaweed.access_key, seaweed.secret_key),
        workers=4,
    )
    yield s
    s.close()


@pytest.fixture
def theme(tmp_path: Path) -> Theme:
    return create_theme(tmp_path / "t", "light", "Aurora")


def _dialog(
    qtbot: QtBot, theme: Theme, targets: list[PublishTarget], *, render_preview: bool = True
) -> PublishDialog:
    dialog = PublishDialog(theme, targets, render_preview=render_preview)
    qtbot.addWidget(dialog)
    dialog.resize(900, 600)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _shot(dialog: PublishDialog, name: str) -> None:
    dialog.grab().save(str(SHOTS / f"publish-{name}.png"))


def _review(qtbot: QtBot, dialog: PublishDialog) -> None:
    with qtbot.waitSignal(dialog.reviewed, timeout=20_000):
        qtbot.mouseClick(dialog.review_button, Qt.MouseButton.LeftButton)
    assert dialog.pages.currentIndex() == 1


def _publish(qtbot: QtBot, dialog: PublishDialog, button: QPushButton | None = None) -> object:
    with qtbot.waitSignal(dialog.finished_publish, timeout=60_000) as blocker:
        qtbot.mouseClick(button or dialog.publish_button, Qt.MouseButton.LeftButton)
    return blocker.args[0]


def test_publish_a_starter_theme_then_a_patch_with_its_diff(
    qtbot: QtBot, seaweed: SeaweedS3, store: ObjectStore, theme: Theme
) -> None:
    dialog = _dialog(qtbot, theme, [_target(seaweed)])
    assert dialog.profile_box.currentText() == "local (local)"
    dialog.changes_edit.setPlainText("First release")
    _shot(dialog, "setup")
    _review(qtbot, dialog)
    text = dialog.plan_view.toPlainText()
    css_key = f"themes-published/{theme.manifest.id}/0.1.0/theme.css"
    assert css_key in text
    assert "text/css; charset=utf-8" in text
    assert "public, max-age=31536000, immutable" in text
    _shot(dialog, "review")

    steps: list[PublishProgress] = []
    dialog.progressed.connect(steps.append)
    outcome = _publish(qtbot, dialog)
    assert isinstance(outcome, PublishResult), outcome
    assert dialog.progress_bar.value() == dialog.progress_bar.maximum()
    uploads = [p for p in steps if p.step == "upload"]
    assert uploads[-1].bytes_done == uploads[-1].bytes_total > 0
    assert uploads[-1].files_done == uploads[-1].files_total
    assert steps[-1].step == "done"
    assert dialog.pages.currentIndex() == 3
    _shot(dialog, "done")

    head = store.head(css_key)
    assert head is not None
    assert head.cache_control == "public, max-age=31536000, immutable"
    css_url, _copy = dialog.url_rows["css"]
    latest_url, latest_copy = dialog.url_rows["latest"]
    assert css_url.text() == f"{seaweed.endpoint}/{seaweed.bucket}/{css_key}"
    assert httpx.get(latest_url.text()).content == theme.css_path.read_bytes()
    preview_url, _ = dialog.url_rows["preview"]
    preview = httpx.get(preview_url.text())
    assert preview.status_code == 200
    assert preview.content.startswith(b"\x89PNG")
    qtbot.mouseClick(latest_copy, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == latest_url.text()

    # A token change, then Back → Review with a patch bump: the diff against 0.1.0 is shown. The border
    # colour is in no text/background pair (a dark --color-bg would fail the contrast gate).
    css = theme.css_path.read_text()
    first_token = css.index("--color-border")
    name_end = css.index(":", first_token)
    value_end = css.index(";", name_end)
    theme.css_path.write_text(css[: name_end + 1] + " #123456" + css[value_end:])
    dialog.pages.setCurrentIndex(0)
    dialog.preview_check.setChecked(False)
    _review(qtbot, dialog)
    text = dialog.plan_view.toPlainText()
    assert "Release 0.1.1" in text
    assert "Changes against 0.1.0: 1 custom properties" in text
    assert "#123456" in text
    _shot(dialog, "review-diff")
    outcome = _publish(qtbot, dialog)
    assert isinstance(outcome, PublishResult)
    assert outcome.version == "0.1.1"
    assert outcome.latest_moved


def test_lint_errors_block_with_the_list(qtbot: QtBot, seaweed: SeaweedS3, theme: Theme) -> None:
    theme.css_path.write_text(
        '@import url("https://evil.example/x.css");\n:root { --a: red; }\n'
        'a { background: url("javascript:alert(1)"); }\n'
    )
    dialog = _dialog(qtbot, theme, [_target(seaweed)])
    qtbot.mouseClick(dialog.review_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.lint_list.isVisible(), timeout=20_000)
    rows = [dialog.lint_list.item(i).text() for i in range(dialog.lint_list.count())]
    assert len(rows) >= 2
    assert any("line 1:" in row for row in rows)
    assert not dialog.publish_button.isEnabled()
    assert "block publishing" in dialog.review_title.text()
    _shot(dialog, "lint")


def test_a_symlinked_assets_folder_blocks_with_the_folder_problem(
    qtbot: QtBot, seaweed: SeaweedS3, theme: Theme, tmp_path: Path
) -> None:
    private = tmp_path / "private"
    private.mkdir()
    (private / "id_ed25519").write_text("PRIVATE KEY")
    for child in theme.assets_dir.iterdir():
        child.unlink()
    theme.assets_dir.rmdir()
    theme.assets_dir.symlink_to(private, target_is_directory=True)
    dialog = _dialog(qtbot, theme, [_target(seaweed)])
    qtbot.mouseClick(dialog.review_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.lint_list.isVisible(), timeout=20_000)
    rows = [dialog.lint_list.item(i).text() for i in range(dialog.lint_list.count())]
    assert rows == [
        f"theme folder  theme-files/symlink  assets is a symbolic link to {private} (outside the theme "
        "folder); a theme's assets folder and its files must be real files inside the theme folder: replace "
        "the link with a copy of the file, or remove it."
    ]
    assert not dialog.publish_button.isEnabled()
    assert "1 problem(s) block publishing" in dialog.review_title.text()
    _shot(dialog, "folder-problem")


def test_cancel_mid_upload_then_publish_again_completes(
    qtbot: QtBot, seaweed: SeaweedS3, store: ObjectStore, theme: Theme
) -> None:
    assets = theme.root / "assets"
    assets.mkdir(exist_ok=True)
    for n in range(24):
        (assets / f"img{n:02}.png").write_bytes(bytes([n]) * 64_000)
    total = len(plan_release(theme, "0.1.0").objects)
    dialog = _dialog(qtbot, theme, [_target(seaweed)], render_preview=False)

    def slow(progress: PublishProgress) -> None:  # worker thread: leaves the GUI time to click Cancel
        if progress.step == "upload" and progress.files_done:
            time.sleep(0.05)

    dialog.progress_hook = slow
    _review(qtbot, dialog)

    def click_cancel_once(progress: PublishProgress) -> None:
        if progress.step == "upload" and progress.files_done >= 3 and dialog.cancel_button.isEnabled():
            qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
            _shot(dialog, "cancelling")

    dialog.progressed.connect(click_cancel_once)
    outcome = _publish(qtbot, dialog)
    dialog.progressed.disconnect(click_cancel_once)
    assert isinstance(outcome, PublishCancelledError), outcome
    assert dialog.summary_title.text() == "Publish cancelled"
    assert dialog.again_button.isVisible()
    prefix = f"themes-published/{theme.manifest.id}/0.1.0/"
    listed, _ = store.list_objects(prefix)
    assert 0 < len(listed) < total  # stopped part-way; theme.css (uploaded last) is not there
    assert store.head(prefix + "theme.css") is None
    assert store.head(f"themes-published/{theme.manifest.id}/latest/theme.css") is None
    _shot(dialog, "cancelled")

    dialog.progress_hook = None
    outcome = _publish(qtbot, dialog, dialog.again_button)
    assert isinstance(outcome, PublishResult), outcome
    assert len(outcome.skipped) == len(listed)
    listed, _ = store.list_objects(prefix)
    assert len(listed) == total
    assert outcome.latest_moved


def test_version_conflict_says_choose_another_version(
    qtbot: QtBot, seaweed: SeaweedS3, store: ObjectStore, theme: Theme
) -> None:
    Publisher(store).publish(plan_release(theme, "1.0.0"))
    theme.css_path.write_text(theme.css_path.read_text() + "\n.changed { color: red; }\n")
    dialog = _dialog(qtbot, theme, [_target(seaweed)], render_preview=False)
    dialog.exact_radio.setChecked(True)
    dialog.version_edit.setText("1.0.0")
    _review(qtbot, dialog)
    outcome = _publish(qtbot, dialog)
    assert type(outcome).__name__ == "VersionConflictError"
    assert dialog.summary_title.text() == "Version already published"
    assert "choose another version" in dialog.summary_text.text()
    assert not dialog.again_button.isVisible()
    assert dialog.summary_back.isVisible()
    _shot(dialog, "conflict")


def test_read_only_key_is_access_denied_with_what_to_do(
    qtbot: QtBot, seaweed: SeaweedS3, theme: Theme
) -> None:
    dialog = _dialog(qtbot, theme, [_target(seaweed, "ci-readonly", readonly=True)], render_preview=False)
    _review(qtbot, dialog)  # listing is allowed to a read-only key
    outcome = _publish(qtbot, dialog)
    assert not isinstance(outcome, PublishResult)
    assert dialog.summary_title.text() == "Access denied"
    assert ANNOUNCED[-1] == (f"Access denied. {dialog.summary_text.text()}", True)  # spoken at once
    assert "themestudio profiles test ci-readonly" in dialog.summary_text.text()
    assert seaweed.readonly_secret_key not in dialog.summary_text.text()
    _shot(dialog, "denied")


def test_unreachable_endpoint_is_reported_on_the_setup_page(qtbot: QtBot, theme: Theme) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    profile = Profile(name="gone", endpoint=f"http://127.0.0.1:{port}", region="us-east-1", access_key_id="k")
    target = PublishTarget(profile, lambda: S3Credentials("k", "s"))
    dialog = _dialog(qtbot, theme, [target], render_preview=False)
    qtbot.mouseClick(dialog.review_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "unreachable" in dialog.setup_message.text().lower(), timeout=30_000)
    assert dialog.pages.currentIndex() == 0
    assert dialog.review_button.isEnabled()
    _shot(dialog, "unreachable")


def test_targets_put_the_sandbox_first_then_saved_profiles(
    seaweed: SeaweedS3, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from studio.core.profiles import ProfileStore
    from studio.ui.publish_dialog import load_targets

    monkeypatch.setenv("THEMESTUDIO_CONFIG_DIR", str(tmp_path / "config"))
    ProfileStore().put(_profile(seaweed, "prod"))
    ProfileStore().put(_profile(seaweed, "local"))  # a saved "local" never hides the running sandbox
    sandbox = _target(seaweed, "local")
    targets, note = load_targets([sandbox])
    assert note == ""
    assert [t.label for t in targets] == ["local (local)", "prod"]
    assert targets[0] is sandbox


# ---------------------------------------------------------------------- saved profiles: keyring, backend
@pytest.fixture(scope="module")
def live(seaweed: SeaweedS3) -> Iterator[LiveBackend]:
    with running_backend(seaweed) as backend:
        yield backend


def _saved_target(
    seaweed: SeaweedS3, live: LiveBackend, mode: str, secret_service: SecretServiceSession
) -> PublishTarget:
    """A profile whose secrets are all in the (test) keyring, as File → Publishing Profiles saves them."""
    name = f"d-{secrets.token_hex(4)}"
    keyed = mode == "spaces-key"
    profile = make_profile(
        name,
        seaweed.endpoint,
        region=seaweed.region,
        bucket=seaweed.bucket,
        cdn_base_url=live.public_base_url,
        backend_url=live.url,
        credential_mode=mode,
        access_key_id=seaweed.access_key if keyed else None,
    )
    if keyed:
        SecretStore().set(name, SecretName.SPACES_SECRET, seaweed.secret_key)
    SecretStore().set(name, SecretName.BACKEND_TOKEN, live.author.token)
    return profile_target(profile)


def _versions(live: LiveBackend, theme_id: str) -> list[str]:
    client = live.client(live.author)
    try:
        found = client.get_theme(theme_id)
    finally:
        client.close()
    return [str(v) for v in (found or {}).get("available_versions", [])]


def test_saved_profile_publishes_and_registers_with_the_backend(
    qtbot: QtBot, seaweed: SeaweedS3, live: LiveBackend, secret_service: SecretServiceSession, theme: Theme
) -> None:
    dialog = _dialog(qtbot, theme, [_saved_target(seaweed, live, "spaces-key", secret_service)])
    dialog.changes_edit.setPlainText("First release")
    _review(qtbot, dialog)
    assert (
        "Upload with the Spaces key; the backend verifies, registers and moves latest."
        in dialog.plan_view.toPlainText()
    )
    outcome = _publish(qtbot, dialog)
    assert isinstance(outcome, PublishResult), outcome
    assert outcome.registered
    assert outcome.latest_moved
    assert "Registered with the backend." in dialog.summary_text.text()
    assert "latest now points at this release" in dialog.summary_text.text()
    assert _versions(live, theme.manifest.id) == ["0.1.0"]
    _shot(dialog, "registered")


def test_backend_grants_profile_publishes_with_no_key_on_the_desktop(
    qtbot: QtBot, seaweed: SeaweedS3, live: LiveBackend, secret_service: SecretServiceSession, theme: Theme
) -> None:
    dialog = _dialog(
        qtbot, theme, [_saved_target(seaweed, live, "backend-grants", secret_service)], render_preview=False
    )
    _review(qtbot, dialog)
    assert "Upload through backend grants" in dialog.plan_view.toPlainText()
    outcome = _publish(qtbot, dialog)
    assert isinstance(outcome, PublishResult), outcome
    assert outcome.mode == "grant"
    assert outcome.registered
    assert "through backend grants" in dialog.summary_title.text()
    assert ANNOUNCED[-1] == (f"{dialog.summary_title.text()}. {dialog.summary_text.text()}", False)  # spoken
    assert outcome.latest_moved  # the backend, which holds the bucket key, moved the alias
    latest_url, latest_copy = dialog.url_rows["latest"]
    assert latest_url.text().endswith(f"/themes-published/{theme.manifest.id}/latest/theme.css")
    assert latest_copy.isEnabled()
    assert httpx.get(latest_url.text()).content == theme.css_path.read_bytes()
    assert "Registered with the backend." in dialog.summary_text.text()
    assert httpx.get(outcome.css_url).content == theme.css_path.read_bytes()
    assert _versions(live, theme.manifest.id) == ["0.1.0"]
    _shot(dialog, "granted")


def test_release_refused_by_the_service_shows_its_findings(
    qtbot: QtBot, seaweed: SeaweedS3, live: LiveBackend, secret_service: SecretServiceSession, theme: Theme
) -> None:
    """The author trusts a font origin in theme.toml (a local warning); the service trusts no remote load."""
    manifest = theme.root / "theme.toml"
    manifest.write_text(
        manifest.read_text().replace("allowed_origins = []", 'allowed_origins = ["https://fonts.example"]')
    )
    theme = Theme.open(theme.root)
    theme.css_path.write_text("@import url(https://fonts.example/a.css);\n" + theme.read_css())
    dialog = _dialog(
        qtbot, theme, [_saved_target(seaweed, live, "backend-grants", secret_service)], render_preview=False
    )
    _review(qtbot, dialog)
    outcome = _publish(qtbot, dialog)
    assert isinstance(outcome, VerificationFailedError), outcome
    assert dialog.summary_title.text() == "Release refused by the service"
    text = dialog.summary_text.text()
    assert "theme.css line 1: safety/remote-import" in text
    assert "nothing was registered" in text
    assert "Go Back, fix the theme" in text
    assert not dialog.again_button.isVisible()  # the same bytes would be refused again
    assert _versions(live, theme.manifest.id) == []
    _shot(dialog, "refused")


def test_missing_keyring_secret_says_how_to_add_it(
    qtbot: QtBot, seaweed: SeaweedS3, live: LiveBackend, secret_service: SecretServiceSession, theme: Theme
) -> None:
    target = _saved_target(seaweed, live, "spaces-key", secret_service)
    SecretStore().delete(target.profile.name, SecretName.SPACES_SECRET)
    dialog = _dialog(qtbot, theme, [target], render_preview=False)
    qtbot.mouseClick(dialog.review_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Cannot publish" in dialog.setup_message.text(), timeout=20_000)
    assert f"themestudio profiles add {target.profile.name}" in dialog.setup_message.text()
    assert dialog.pages.currentIndex() == 0


@pytest.mark.qt_log_ignore("QRhiGles2", "Failed to create RHI", "GPUInfo not initialized")
def test_visual_changes_of_this_release_against_the_last(
    qtbot: QtBot, seaweed: SeaweedS3, theme: Theme
) -> None:
    dialog = _dialog(qtbot, theme, [_target(seaweed)], render_preview=False)
    _review(qtbot, dialog)
    assert isinstance(_publish(qtbot, dialog), PublishResult)
    css = theme.css_path.read_text()
    # One unit of blue: invisible to the eye, still AA (the contrast gate would stop a paler primary).
    theme.css_path.write_text(css.replace("--color-primary: #2f5bd3;", "--color-primary: #2f5bd4;", 1))
    dialog.pages.setCurrentIndex(0)
    _review(qtbot, dialog)
    dialog.visual_button.click()
    visual = dialog.visual_dialog
    assert visual.windowTitle() == "Visual changes — 0.1.0 → 0.1.1"
    with qtbot.waitSignal(visual.view.finished, timeout=180_000) as done:
        pass
    changed = [c.key for c in done.args[0].report.combinations if c.has_changes]
    assert changed == ["light@375", "light@768", "light@1280"]
    visual.view.show_key("light@768")
    visual.view.set_mode("diff")
    visual.grab().save("/tmp/shots-visual-diff/publish-visual-changes-diff.png")
    visual.reject()
