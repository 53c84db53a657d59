"""Releases against the real backend and SeaweedFS: list beside local versions, diff, open, draft, yank."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from studio.adapters.profile_services import ProfileServices
from studio.adapters.publisher import Publisher
from studio.adapters.releases import YankOutcome
from studio.core.profiles import Profile
from studio.core.publish_plan import latest_css_key, plan_release
from studio.core.starters import create_theme
from studio.core.theme import Theme
from studio.ui.qt_helpers import child_items
from studio.ui.releases_dialog import ReleasesDialog
from tests.adapters.test_backend_client import LiveBackend, keyed_store, running_backend
from tests.backend.seaweed import SeaweedS3
from tests.ui.test_review_panel import live_profile

ACCENT = "\n:root{--release-accent:#0a7d55}\n"


@pytest.fixture(scope="module")
def live(seaweed: SeaweedS3) -> Iterator[LiveBackend]:
    with running_backend(seaweed) as backend:
        yield backend


@pytest.fixture
def released(tmp_path: Path, seaweed: SeaweedS3, live: LiveBackend) -> Iterator[tuple[Theme, bytes, bytes]]:
    """A theme with releases 1.0.0 and 1.1.0 published with the bucket key (latest = 1.1.0)."""
    theme = create_theme(tmp_path / "t", "light", "Released Aurora")
    author = live.client(live.author)
    author.create_theme(theme.manifest.id, theme.manifest.name)
    store = keyed_store(seaweed, live)
    publisher = Publisher(store, register=author.register_release, backend=author)
    first = theme.css_path.read_bytes()
    publisher.publish(plan_release(theme, "1.0.0"), changes="first")
    theme.css_path.write_text(theme.css_path.read_text() + ACCENT)
    second = theme.css_path.read_bytes()
    result = publisher.publish(plan_release(theme, "1.1.0"), changes="accent")
    assert result.latest_moved
    yield theme, first, second
    store.close()
    author.close()


def key_mode(
    seaweed: SeaweedS3, live: LiveBackend, made: list[ProfileServices]
) -> Callable[[Profile], ProfileServices]:
    """The author with the bucket key on this machine (the mode that can move ``latest``)."""

    def connect(profile: Profile) -> ProfileServices:
        services = ProfileServices.of(profile, live.client(live.author), keyed_store(seaweed, live))
        made.append(services)
        return services

    return connect


@pytest.fixture
def dialog(
    qtbot: QtBot, seaweed: SeaweedS3, live: LiveBackend, released: tuple[Theme, bytes, bytes]
) -> Iterator[ReleasesDialog]:
    theme = released[0]
    theme.create_version(theme.css_path.read_text(), version="1.2.0", changes="local only")
    made: list[ProfileServices] = []
    dlg = ReleasesDialog(theme, [live_profile(seaweed, live)], key_mode(seaweed, live, made))
    qtbot.addWidget(dlg)
    qtbot.waitSignal(dlg.loaded, timeout=15_000).wait()  # queued: cannot have fired before this line
    dlg.show()
    yield dlg
    for services in made:
        services.close()


def labels(group: object) -> list[str]:
    return [child.text(0) for child in child_items(group)]  # type: ignore[arg-type]


def test_lists_diffs_opens_and_starts_a_draft(
    qtbot: QtBot, dialog: ReleasesDialog, released: tuple[Theme, bytes, bytes]
) -> None:
    _theme, _first, second = released
    assert labels(dialog.published_group) == ["1.1.0", "1.0.0"]
    assert labels(dialog.local_group) == ["1.2.0"]
    top = dialog.published_group.child(0)
    assert top is not None
    assert top.text(3) == f"{len(second):,} B"
    assert top.text(4) == "published"
    assert len(top.toolTip(2)) == 64  # the full sha256

    dialog.select("1.0.0 (published)", "1.1.0 (published)")
    assert dialog.diff_button.isEnabled()
    assert not dialog.yank_button.isEnabled()
    dialog.diff_button.click()
    qtbot.waitUntil(lambda: dialog.diff_dialog is not None, timeout=15_000)
    diff = dialog.diff_dialog
    assert diff is not None
    assert diff.windowTitle() == "1.0.0 (published) → 1.1.0 (published)"
    assert "+:root{--release-accent:#0a7d55}" in diff.text_view.toPlainText()
    assert diff.tabs.tabText(1) == "Custom properties (1)"
    diff.grab().save("/tmp/review-releases-diff.png")
    diff.close()

    dialog.select("1.1.0 (published)")
    dialog.open_button.click()
    qtbot.waitUntil(lambda: bool(dialog.viewers), timeout=15_000)
    viewer = dialog.viewers[0]
    qtbot.addWidget(viewer)
    assert viewer.editor.toPlainText() == second.decode()  # read through the public URL, sha256 checked
    assert viewer.editor.isReadOnly()

    with qtbot.waitSignal(dialog.restoreRequested, timeout=15_000) as restored:
        dialog.draft_button.click()
    assert restored.args[0] == second.decode()


def test_yank_the_latest_release_moves_latest_back(
    qtbot: QtBot, dialog: ReleasesDialog, released: tuple[Theme, bytes, bytes], seaweed: SeaweedS3,
    live: LiveBackend,
) -> None:
    theme, first, _second = released
    dialog.select("1.1.0 (published)")
    assert dialog.yank_button.isEnabled()
    dialog.yank_button.click()
    box = dialog.confirm_box
    assert box is not None
    assert "latest alias" in box.text()
    box.grab().save("/tmp/review-releases-confirm.png")
    with qtbot.waitSignal(dialog.yanked, timeout=20_000) as yanked:
        yes = box.button(box.StandardButton.Yes)
        assert yes is not None
        yes.click()
    outcome = yanked.args[0]
    assert isinstance(outcome, YankOutcome)
    assert outcome.was_latest
    assert outcome.latest_version == "1.0.0"
    assert "moved the latest alias to 1.0.0" in dialog.status.text()

    store = keyed_store(seaweed, live)
    author = live.client(live.author)
    try:
        status, body, _headers = store.get_public(latest_css_key(theme.manifest.id))
        assert (status, body) == (200, first)  # consumers of latest get the release that is not yanked
        assert author.available_versions(theme.manifest.id) == ["1.0.0"]
    finally:
        store.close()
        author.close()
    def top_is_yanked() -> bool:
        top = dialog.published_group.child(0)
        return top is not None and top.text(4).startswith("yanked")

    qtbot.waitUntil(top_is_yanked, timeout=15_000)
    assert "moved the latest alias to 1.0.0" in dialog.status.text()  # the outcome stays after the reload
    dialog.select("1.1.0 (published)")
    assert not dialog.yank_button.isEnabled()  # already yanked
    dialog.grab().save("/tmp/review-releases.png")
