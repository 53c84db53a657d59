"""Reviewers see contrast waivers: in Releases (version view) and in Reviewer Mode's Contrast tab.

Real backend, PostgreSQL and SeaweedFS: release 0.1.0 is published with a waiver for a dark-only AA failure,
then a draft is submitted; the reviewer opens it and sees the draft's failing pairs (ratio and APCA Lc) and
the waiver of the release it is compared with.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from studio.adapters.profile_services import ProfileServices
from studio.adapters.publisher import Publisher
from studio.adapters.review import ReviewService
from studio.core.publish_plan import plan_release
from studio.core.review.contrast_gate import gate
from studio.core.starters import create_theme
from studio.core.theme import Theme
from studio.ui.releases_dialog import ReleasesDialog
from tests.adapters.test_backend_client import LiveBackend, keyed_store, keyless_store, running_backend
from tests.backend.seaweed import SeaweedS3
from tests.ui.test_releases_dialog import key_mode
from tests.ui.test_review_panel import live_profile, make_panel, open_draft

SHOTS = Path("/tmp/shots-contrast")
REASON = "Captions are decorative; tracked in #42"


@pytest.fixture(scope="module")
def live(seaweed: SeaweedS3) -> Iterator[LiveBackend]:
    with running_backend(seaweed) as backend:
        yield backend


@pytest.fixture
def waived(tmp_path: Path, seaweed: SeaweedS3, live: LiveBackend) -> Iterator[Theme]:
    """Release 0.1.0 of a theme whose muted text fails AA in dark only, published with a waiver."""
    theme = create_theme(tmp_path / "t", "light", "Dim captions")
    css = theme.read_css().replace("--color-text-muted: #9eaabb;", "--color-text-muted: #3b4350;")
    theme.css_path.write_text(css, encoding="utf-8")
    author = live.client(live.author)
    author.create_theme(theme.manifest.id, theme.manifest.name)
    store = keyed_store(seaweed, live)
    plan = plan_release(theme, "0.1.0")
    waiver = gate(plan.contrast_failures, REASON)
    Publisher(store, register=author.register_release, backend=author).publish(
        plan, changes="first", contrast_waiver=waiver
    )
    yield theme
    store.close()
    author.close()


@pytest.fixture
def built() -> Iterator[list[ProfileServices]]:
    made: list[ProfileServices] = []
    yield made
    for services in made:
        services.close()


def test_releases_view_marks_the_waived_release(
    qtbot: QtBot, seaweed: SeaweedS3, live: LiveBackend, waived: Theme, built: list[ProfileServices]
) -> None:
    SHOTS.mkdir(exist_ok=True)
    dialog = ReleasesDialog(waived, [live_profile(seaweed, live)], key_mode(seaweed, live, built))
    qtbot.addWidget(dialog)
    qtbot.waitSignal(dialog.loaded, timeout=15_000).wait()
    dialog.show()
    qtbot.waitExposed(dialog)
    row = dialog.published_group.child(0)
    assert row is not None
    assert row.text(4) == "published · contrast waiver"
    tip = row.toolTip(4)
    assert tip.startswith(f"Published with a contrast waiver: {REASON}")
    assert "--color-text-muted on --color-bg [dark]" in tip
    assert "Contrast waiver (WCAG 2 AA)" in row.toolTip(0)  # the release notes
    dialog.grab().save(str(SHOTS / "releases-waiver.png"))


def test_reviewer_sees_the_drafts_failures_and_the_release_waiver(
    qtbot: QtBot, seaweed: SeaweedS3, live: LiveBackend, waived: Theme, built: list[ProfileServices]
) -> None:
    waived.css_path.write_text(waived.read_css() + "\n.caption { font-style: italic; }\n", encoding="utf-8")
    author = live.client(live.author)
    store = keyless_store(seaweed, live)
    service = ReviewService(author, store)
    try:
        draft = service.submit(waived)
    finally:
        service.close()
        store.close()
        author.close()
    panel = make_panel(qtbot, seaweed, live, live.reviewer, built)
    window = open_draft(qtbot, panel, draft.id)
    view = window.contrast_view
    assert window.tabs.tabText(3) == "Contrast — 2 below AA"
    assert view.failures == 2
    assert "needs a contrast waiver" in view.summary.text()
    assert view.release_waiver.text().startswith(f"0.1.0: Published with a contrast waiver: {REASON}")
    failing = [
        [view.tree.topLevelItem(i).text(c) for c in range(6)]  # type: ignore[union-attr]
        for i in range(view.tree.topLevelItemCount())
        if "below AA" in view.tree.topLevelItem(i).text(4)  # type: ignore[union-attr]
    ]
    assert [row[:3] for row in failing] == [
        ["--color-text-muted", "--color-bg", "dark"],
        ["--color-text-muted", "--color-surface", "dark"],
    ]
    window.tabs.setCurrentWidget(view)
    window.grab().save(str(SHOTS / "reviewer-contrast-waiver.png"))
