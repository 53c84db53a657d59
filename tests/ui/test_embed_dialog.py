"""Theme → Embed…: the dialog against the real API and SeaweedFS (releases and SRI read off the GUI thread),
copy buttons, choosing the pinned version, the Save Loader button, and clear states when the API is away."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from studio.adapters.backend_client import GrantedFile
from studio.adapters.publisher import Registration
from studio.core.embed import EmbedSnippets
from studio.core.paths import resources_dir
from studio.core.profiles import Profile
from studio.core.starters import create_theme
from studio.ui.embed_actions import EmbedActions, install_embed_actions
from studio.ui.embed_dialog import EmbedDialog, open_embed_dialog
from studio.ui.main_window import StudioWindow
from studio.ui.review_actions import find_menu
from tests.adapters.test_backend_client import LiveBackend, keyless_store, running_backend
from tests.backend.helpers import free_port, sha
from tests.backend.seaweed import SeaweedS3

SHOTS = Path("/tmp/shots-loader")
V1 = b":root { --brand: #0a6; }\n"
V2 = b":root { --brand: #06a; }\n"


def sri(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


@pytest.fixture(scope="module")
def published(seaweed: SeaweedS3) -> Iterator[tuple[Profile, str]]:
    with running_backend(seaweed) as live:
        theme_id = str(uuid.uuid4())
        for version, css in (("1.0.0", V1), ("1.1.0", V2)):
            _publish(live, seaweed, theme_id, version, css)
        profile = Profile(
            name="embed-ui",
            endpoint=seaweed.endpoint,
            region=seaweed.region,
            bucket=seaweed.bucket,
            cdn_base_url=live.public_base_url,
            backend_url=live.url,
        )
        yield profile, theme_id


def _publish(live: LiveBackend, seaweed: SeaweedS3, theme_id: str, version: str, css: bytes) -> None:
    with contextlib.closing(live.client(live.author)) as author:
        if version == "1.0.0":
            author.create_theme(theme_id, "Embedded")
        file = GrantedFile("theme.css", "text/css; charset=utf-8", len(css), sha(css))
        grants = author.release_grants(theme_id, version, [file])
        with contextlib.closing(keyless_store(seaweed, live)) as store:
            key = f"themes-published/{theme_id}/{version}/theme.css"
            store.put(key, css, {}, sha256=sha(css), grant=grants[key])
        assert author.register_release(Registration(theme_id, version, "", sha(css), len(css))).created


def shown(qtbot: QtBot, dialog: EmbedDialog) -> EmbedSnippets:
    with qtbot.waitSignal(dialog.loaded, timeout=15_000) as blocker:
        pass
    found = blocker.args[0] if blocker.args else dialog.snippets
    assert isinstance(found, EmbedSnippets)
    return found


def test_dialog_shows_copies_and_repins(
    qtbot: QtBot, published: tuple[Profile, str], tmp_path: Path
) -> None:
    profile, theme_id = published
    dialog = EmbedDialog(theme_id, [profile], theme_name="Embedded")
    qtbot.addWidget(dialog)
    found = shown(qtbot, dialog)
    dialog.show()
    assert found.pinned is not None
    assert (found.pinned.version, found.pinned.sri) == ("1.1.0", sri(V2))  # the newest release
    pinned = dialog.boxes["pinned_link"]
    assert pinned.title() == "Stylesheet link, pinned to 1.1.0"
    assert f'integrity="{sri(V2)}"' in pinned.code.toPlainText()
    assert [dialog.version_box.itemText(i) for i in range(dialog.version_box.count())] == [
        "Newest release", "1.1.0", "1.0.0",
    ]  # fmt: skip
    assert "Pin a version in production" in dialog.note.text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    dialog.grab().save(str(SHOTS / "embed-dialog.png"))
    dialog.tabs.setCurrentIndex(1)
    dialog.grab().save(str(SHOTS / "embed-dialog-latest.png"))

    dialog.boxes["pinned_loader"].copy_button.click()
    assert QGuiApplication.clipboard().text() == dialog.boxes["pinned_loader"].code.toPlainText()
    assert f'integrity: "{sri(V2)}"' in QGuiApplication.clipboard().text()
    dialog.boxes["latest_link"].copy_button.click()
    assert QGuiApplication.clipboard().text().endswith(f"/themes-published/{theme_id}/latest/theme.css\">")

    with qtbot.waitSignal(dialog.loaded, timeout=5_000):
        dialog.version_box.setCurrentIndex(dialog.version_box.findData("1.0.0"))
    assert f'integrity="{sri(V1)}"' in dialog.boxes["pinned_link"].code.toPlainText()
    assert "/1.0.0/theme.css" in dialog.boxes["pinned_link"].code.toPlainText()

    target = tmp_path / "theme-loader.js"
    dialog.write_loader(str(target))
    assert target.read_bytes() == (resources_dir() / "loader" / "theme-loader.js").read_bytes()
    assert "Saved the loader" in dialog.status.text()


def test_a_given_version_is_preselected(qtbot: QtBot, published: tuple[Profile, str]) -> None:
    profile, theme_id = published
    dialog = open_embed_dialog(theme_id, [profile], version="1.0.0")  # what Browse calls
    qtbot.addWidget(dialog)
    found = shown(qtbot, dialog)
    assert found.pinned is not None
    assert found.pinned.version == "1.0.0"
    assert dialog.version_box.currentData() == "1.0.0"


def test_offline_backend_and_no_backend_give_clear_states(
    qtbot: QtBot, published: tuple[Profile, str]
) -> None:
    profile, theme_id = published
    offline = Profile(
        name="offline", endpoint=profile.endpoint, region=profile.region,
        cdn_base_url=profile.cdn_base_url, backend_url=f"http://127.0.0.1:{free_port()}",
    )  # fmt: skip
    dialog = EmbedDialog(theme_id, [offline])
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.failed, timeout=15_000) as blocker:
        pass
    assert "did not answer" in str(blocker.args[0])
    assert "did not answer" in dialog.status.text()
    assert not dialog.boxes["latest_link"].copy_button.isEnabled()

    cdn_only = Profile(name="cdn", endpoint=profile.endpoint, region="us-east-1", cdn_base_url="https://cdn.test")
    dialog = EmbedDialog(theme_id, [cdn_only])
    qtbot.addWidget(dialog)
    found = shown(qtbot, dialog)
    assert found.pinned is None
    assert dialog.boxes["latest_link"].copy_button.isEnabled()
    assert not dialog.boxes["pinned_link"].copy_button.isEnabled()
    assert "has no backend URL" in dialog.boxes["pinned_link"].code.toPlainText()
    dialog.show()
    assert dialog.tabs.currentIndex() == 1  # nothing to pin: the Latest tab is shown
    dialog.grab().save(str(SHOTS / "embed-dialog-no-backend.png"))


def test_theme_menu_opens_embed_for_the_open_theme(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = StudioWindow()
    qtbot.addWidget(window)
    install_embed_actions(window)  # already installed by the window: adds nothing
    titles = [a.text().replace("&", "") for a in find_menu(window, "Theme").actions()]
    assert titles.count("Embed…") == 1
    actions = window.findChild(EmbedActions)
    assert isinstance(actions, EmbedActions)
    actions.embed_action.trigger()
    assert actions.error_box is not None
    assert actions.error_box.text() == "Open a theme folder first."
    actions.error_box.close()

    theme = create_theme(tmp_path / "aurora", "light", "Aurora")
    assert window.open_theme(theme.root)
    monkeypatch.setenv("THEMESTUDIO_CONFIG_DIR", str(tmp_path / "no-profiles"))
    actions.embed_action.trigger()
    dialog = actions.dialog
    assert dialog is not None
    assert dialog.theme_id == theme.manifest.id
    assert dialog.windowTitle() == "Embed — Aurora"
    assert "No publishing profile" in dialog.status.text()
    dialog.close()
