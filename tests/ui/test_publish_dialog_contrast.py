"""The Publish dialog's contrast gate against a real backend, PostgreSQL and SeaweedFS.

A theme failing AA only in its dark scheme: the Review page lists the pair (ratio and APCA Lc) and Publish
stays disabled until a waiver reason is entered; the published release carries the waiver in its notes and
in the backend's record.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from studio.adapters.publisher import PublishResult
from studio.adapters.secrets import SecretName, SecretStore
from studio.core.profiles import make_profile
from studio.core.starters import create_theme
from studio.core.theme import Theme
from studio.ui.publish_dialog import PublishDialog, PublishTarget, profile_target
from tests.adapters.keyring_service import SecretServiceSession
from tests.adapters.test_backend_client import LiveBackend, running_backend
from tests.backend.seaweed import SeaweedS3

SHOTS = Path("/tmp/shots-contrast")


@pytest.fixture(scope="module")
def live(seaweed: SeaweedS3) -> Iterator[LiveBackend]:
    with running_backend(seaweed) as backend:
        yield backend


def _grants_target(
    seaweed: SeaweedS3, live: LiveBackend, secret_service: SecretServiceSession
) -> PublishTarget:
    name = f"c-{secrets.token_hex(4)}"
    profile = make_profile(
        name,
        seaweed.endpoint,
        region=seaweed.region,
        bucket=seaweed.bucket,
        cdn_base_url=live.public_base_url,
        backend_url=live.url,
        credential_mode="backend-grants",
    )
    SecretStore().set(name, SecretName.BACKEND_TOKEN, live.author.token)
    return profile_target(profile)


def _dark_only_failure(root: Path) -> Theme:
    theme = create_theme(root, "light", "Dim captions")
    css = theme.read_css().replace("--color-text-muted: #9eaabb;", "--color-text-muted: #3b4350;")
    theme.css_path.write_text(css, encoding="utf-8")
    return theme


def test_blocked_pair_then_waiver_publishes_and_is_recorded(
    qtbot: QtBot,
    seaweed: SeaweedS3,
    live: LiveBackend,
    secret_service: SecretServiceSession,
    tmp_path: Path,
) -> None:
    SHOTS.mkdir(exist_ok=True)
    theme = _dark_only_failure(tmp_path / "t")
    dialog = PublishDialog(theme, [_grants_target(seaweed, live, secret_service)], render_preview=False)
    qtbot.addWidget(dialog)
    dialog.resize(900, 640)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.changes_edit.setPlainText("Dimmer captions.")
    with qtbot.waitSignal(dialog.reviewed, timeout=20_000):
        qtbot.mouseClick(dialog.review_button, Qt.MouseButton.LeftButton)

    assert dialog.contrast_box.isVisible()
    rows = [dialog.contrast_list.item(i).text() for i in range(dialog.contrast_list.count())]
    assert len(rows) == 2
    assert rows[0].startswith("--color-text-muted on --color-bg  [dark]  ")
    assert "APCA Lc" in rows[0]
    assert "publishing is blocked" in dialog.contrast_label.text()
    assert not dialog.publish_button.isEnabled()
    qtbot.mouseClick(dialog.publish_button, Qt.MouseButton.LeftButton)  # disabled: nothing happens
    assert dialog.pages.currentIndex() == 1
    dialog.grab().save(str(SHOTS / "publish-contrast-blocked.png"))

    reason = "Captions are decorative; tracked in #42"
    qtbot.keyClicks(dialog.waiver_edit, reason)
    assert dialog.publish_button.isEnabled()
    dialog.grab().save(str(SHOTS / "publish-contrast-waiver.png"))
    with qtbot.waitSignal(dialog.finished_publish, timeout=60_000) as blocker:
        qtbot.mouseClick(dialog.publish_button, Qt.MouseButton.LeftButton)
    outcome = blocker.args[0]
    assert isinstance(outcome, PublishResult), outcome
    assert outcome.registered
    assert "contrast waiver" in dialog.summary_text.text()

    with psycopg.connect(live.dsn) as conn:
        row = conn.execute(
            "SELECT changes, contrast_waiver FROM theme_versions WHERE theme_id = %s", (theme.manifest.id,)
        ).fetchone()
    assert row is not None
    changes, waiver = row
    assert changes.startswith(f"Dimmer captions.\n\nContrast waiver (WCAG 2 AA): {reason}")
    assert waiver["reason"] == reason
    assert [f["scheme"] for f in waiver["failures"]] == ["dark", "dark"]
