"""Reviewer mode against the real backend and SeaweedFS: list, open read-only with preview and diff, decide.

``live_profile``, ``services_for`` and ``preview_js`` are shared with the submit and releases dialog tests.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from studio.adapters.profile_services import ProfileServices
from studio.adapters.review import ReviewService
from studio.core.profiles import Profile
from studio.core.starters import create_theme
from studio.core.theme import Theme
from studio.ui.accessibility import unnamed_controls
from studio.ui.preview import PreviewView
from studio.ui.review_panel import ReviewPanel, ReviewWindow
from tests.adapters.test_backend_client import LiveBackend, keyless_store, running_backend
from tests.backend.helpers import Actor, make_actor
from tests.backend.seaweed import SeaweedS3

PROBE_RULE = "\nbody { outline: 3px solid rgb(255, 0, 102); }\n"


@pytest.fixture(scope="module")
def live(seaweed: SeaweedS3) -> Iterator[LiveBackend]:
    with running_backend(seaweed) as backend:
        yield backend


def live_profile(seaweed: SeaweedS3, live: LiveBackend, name: str = "review-test") -> Profile:
    """A backend-grants profile on the test bucket and backend (no bucket key on the desktop)."""
    return Profile(
        name=name,
        endpoint=seaweed.endpoint,
        region=seaweed.region,
        bucket=seaweed.bucket,
        cdn_base_url=live.public_base_url,
        backend_url=live.url,
        credential_mode="backend-grants",
    ).validated()


def services_for(
    seaweed: SeaweedS3, live: LiveBackend, actor: Actor, made: list[ProfileServices]
) -> Callable[[Profile], ProfileServices]:
    """A ``connect`` that logs in as ``actor`` (the token the keyring would hold); remembers what it built."""

    def connect(profile: Profile) -> ProfileServices:
        services = ProfileServices.of(profile, live.client(actor), keyless_store(seaweed, live))
        made.append(services)
        return services

    return connect


def preview_js(qtbot: QtBot, preview: PreviewView, js: str) -> Any:
    """Evaluate ``js`` in the preview page and wait for its value."""
    box: list[Any] = []
    preview.evaluate(js, box.append)
    qtbot.waitUntil(lambda: bool(box), timeout=10_000)
    return box[0]


@pytest.fixture
def built() -> Iterator[list[ProfileServices]]:
    made: list[ProfileServices] = []
    yield made
    for services in made:
        services.close()


@pytest.fixture
def submitted(
    tmp_path: Path, seaweed: SeaweedS3, live: LiveBackend
) -> Iterator[tuple[Theme, str, bytes]]:
    """A theme whose stylesheet (with a visible probe rule) an author submitted for review."""
    theme = create_theme(tmp_path / "t", "light", "Reviewed Aurora")
    theme.css_path.write_text(theme.css_path.read_text() + PROBE_RULE)
    author_client = live.client(live.author)
    store = keyless_store(seaweed, live)
    service = ReviewService(author_client, store)
    draft = service.submit(theme)
    yield theme, draft.id, theme.css_path.read_bytes()
    service.close()
    store.close()
    author_client.close()


def make_panel(
    qtbot: QtBot, seaweed: SeaweedS3, live: LiveBackend, actor: Actor, built: list[ProfileServices]
) -> ReviewPanel:
    panel = ReviewPanel([live_profile(seaweed, live)], services_for(seaweed, live, actor, built))
    qtbot.addWidget(panel)
    panel.resize(720, 300)
    panel.show()
    with qtbot.waitSignal(panel.loaded, timeout=15_000):
        panel.refresh()
    return panel


def open_draft(qtbot: QtBot, panel: ReviewPanel, draft_id: str, *, by_keyboard: bool = False) -> ReviewWindow:
    panel.select(draft_id)
    assert panel.open_button.isEnabled()
    with qtbot.waitSignal(panel.opened, timeout=15_000) as opened:
        if by_keyboard:  # Enter on the selected row, as a keyboard-only reviewer does
            panel.tree.setFocus()
            qtbot.keyClick(panel.tree, Qt.Key.Key_Return)
        else:
            panel.open_button.click()
    window = opened.args[0]
    assert isinstance(window, ReviewWindow)
    qtbot.addWidget(window)
    return window


def test_reviewer_lists_opens_exact_bytes_with_preview_and_approves(
    qtbot: QtBot,
    seaweed: SeaweedS3,
    live: LiveBackend,
    built: list[ProfileServices],
    submitted: tuple[Theme, str, bytes],
) -> None:
    _theme, draft_id, css = submitted
    panel = make_panel(qtbot, seaweed, live, live.reviewer, built)
    index = panel.row_of(draft_id)
    assert index >= 0, panel.status.text()
    item = panel.tree.topLevelItem(index)
    assert item is not None
    assert item.text(0) == "Reviewed Aurora"
    assert item.text(2) == "1"
    assert item.text(4) == "in review"
    assert item.text(3)  # submitted at, local time

    window = open_draft(qtbot, panel, draft_id, by_keyboard=True)
    window.show()
    assert unnamed_controls([window, panel]) == []  # what a screen reader gets: every control is named
    # The read-only editor holds exactly the submitted bytes (checked against the sha256 on the way).
    assert window.editor.toPlainText().encode() == css
    assert window.editor.isReadOnly()
    assert hashlib.sha256(css).hexdigest()[:16] in (window.editor.read_only_banner() or "")
    # The live preview renders that stylesheet.
    qtbot.waitUntil(lambda: window.preview.applied_generation >= 1, timeout=15_000)
    assert preview_js(qtbot, window.preview, "document.getElementById('theme-css').textContent") == (
        css.decode()
    )
    outline = preview_js(qtbot, window.preview, "getComputedStyle(document.body).outlineColor")
    assert outline == "rgb(255, 0, 102)"
    assert window.tabs.tabText(1) == "Diff (no release yet)"
    window.tabs.setCurrentIndex(0)
    qtbot.wait(800)  # let the compositor paint the restyled page before the screenshot
    window.grab().save("/tmp/review-window.png")

    with qtbot.waitSignal(window.decided, timeout=15_000):
        window.approve_button.click()
    assert window.draft.status == "approved"
    assert not window.approve_button.isEnabled()
    assert item.text(4) == "approved"  # the list follows
    backend = live.client(live.reviewer)
    try:
        assert backend.get_draft(draft_id).status == "approved"
    finally:
        backend.close()
    panel.grab().save("/tmp/review-panel.png")
    with qtbot.waitSignal(panel.loaded, timeout=15_000):
        panel.refresh()
    assert panel.row_of(draft_id) == -1  # no longer awaiting review


def test_request_changes_needs_a_comment_and_shows_the_diff_against_the_release(
    qtbot: QtBot,
    seaweed: SeaweedS3,
    live: LiveBackend,
    built: list[ProfileServices],
    submitted: tuple[Theme, str, bytes],
) -> None:
    theme, first_id, _css = submitted
    reviewer = live.client(live.reviewer)
    author = live.client(live.author)
    store = keyless_store(seaweed, live)
    service = ReviewService(author, store)
    try:
        reviewer.approve(first_id)
        from studio.adapters.publisher import Publisher
        from studio.core.publish_plan import plan_release

        publisher = Publisher(store, register=author.register_release, backend=author)
        publisher.publish(plan_release(theme, "1.0.0"))
        theme.css_path.write_text(theme.css_path.read_text() + "\n:root{--review-accent:#ff0066}\n")
        second = service.submit(theme)
    finally:
        service.close()
        store.close()
        author.close()

    panel = make_panel(qtbot, seaweed, live, live.reviewer, built)
    window = open_draft(qtbot, panel, second.id)
    assert window.tabs.tabText(1) == "Diff against 1.0.0"
    assert "+:root{--review-accent:#ff0066}" in window.diff_view.toPlainText()
    assert window.tabs.tabText(2) == "Custom properties (1)"
    first_row = window.changes_table.topLevelItem(0)
    assert first_row is not None
    row = (first_row.text(0), first_row.text(1), first_row.text(4))
    assert row == ("added", "--review-accent", "#ff0066")

    # No comment: refused here, nothing sent.
    window.changes_button.click()
    assert "Write a comment" in window.status.text()
    assert reviewer.get_draft(second.id).status == "in_review"

    window.comment_edit.setPlainText("Too pink for the accent.")
    window.tabs.setCurrentIndex(1)
    with qtbot.waitSignal(window.decided, timeout=15_000):
        window.changes_button.click()
    assert window.draft.status == "changes_requested"
    assert reviewer.get_draft(second.id).comment == "Too pink for the accent."
    item = panel.tree.topLevelItem(panel.row_of(second.id))
    assert item is not None
    assert item.text(4) == "changes requested"
    window.grab().save("/tmp/review-request-changes.png")
    reviewer.close()


def test_errors_are_shown_clearly(
    qtbot: QtBot,
    seaweed: SeaweedS3,
    live: LiveBackend,
    built: list[ProfileServices],
    submitted: tuple[Theme, str, bytes],
    tmp_path: Path,
) -> None:
    _theme, draft_id, _css = submitted
    # An author is not a reviewer: the list is refused with a message that says so.
    panel = make_panel(qtbot, seaweed, live, live.author, built)
    assert "reviewer token is needed" in panel.status.text()
    assert panel.tree.topLevelItemCount() == 0

    # A second reviewer decided first: the illegal transition (409) is explained, the buttons stay usable.
    reviewer_panel = make_panel(qtbot, seaweed, live, make_actor(live.dsn, "reviewer"), built)
    window = open_draft(qtbot, reviewer_panel, draft_id)
    other = live.client(live.reviewer)
    try:
        other.request_changes(draft_id, "someone was faster")
    finally:
        other.close()
    window.approve_button.click()
    qtbot.waitUntil(lambda: "failed" in window.status.text(), timeout=15_000)
    assert "current state" in window.status.text()
    assert "illegal_transition" in window.status.text()
    assert window.draft.status == "in_review"  # unchanged locally; the list still says what we knew

    # Storage refused: the draft object is gone, the presigned GET answers an error.
    author = live.client(live.author)
    store = keyless_store(seaweed, live)
    service = ReviewService(author, store)
    theme = create_theme(tmp_path / "gone", "light", "Gone")
    try:
        gone = service.submit(theme)
    finally:
        service.close()
        store.close()
        author.close()
    from tests.adapters.test_backend_client import keyed_store

    admin = keyed_store(seaweed, live)
    admin.delete(gone.object_key)
    admin.close()
    with qtbot.waitSignal(reviewer_panel.loaded, timeout=15_000):
        reviewer_panel.refresh()
    reviewer_panel.select(gone.id)
    reviewer_panel.open_button.click()
    qtbot.waitUntil(lambda: "Could not open" in reviewer_panel.status.text(), timeout=15_000)
    assert "storage answered HTTP 404" in reviewer_panel.status.text()
    assert "X-Amz-Signature" not in reviewer_panel.status.text()
    reviewer_panel.grab().save("/tmp/review-error.png")


def test_visual_changes_tab_renders_the_draft_against_the_last_release(
    qtbot: QtBot,
    seaweed: SeaweedS3,
    live: LiveBackend,
    built: list[ProfileServices],
    submitted: tuple[Theme, str, bytes],
) -> None:
    theme, first_id, _css = submitted
    reviewer, author = live.client(live.reviewer), live.client(live.author)
    store = keyless_store(seaweed, live)
    service = ReviewService(author, store)
    try:
        reviewer.approve(first_id)
        from studio.adapters.publisher import Publisher
        from studio.core.publish_plan import plan_release

        publisher = Publisher(store, register=author.register_release, backend=author)
        publisher.publish(plan_release(theme, "1.0.0"))
        css = theme.css_path.read_text()
        theme.css_path.write_text(css.replace("--color-primary: #2f5bd3;", "--color-primary: #2f5bd4;", 1))
        second = service.submit(theme)
    finally:
        service.close()
        store.close()
        author.close()
        reviewer.close()

    panel = make_panel(qtbot, seaweed, live, live.reviewer, built)
    window = open_draft(qtbot, panel, second.id)
    window.resize(1400, 860)
    window.show()
    view = window.visual_changes
    assert view.comparison is None, "nothing is rendered before the tab is shown"
    with qtbot.waitSignal(view.finished, timeout=180_000) as done:
        window.tabs.setCurrentWidget(view)
    report = done.args[0].report
    assert (report.old_label, report.new_label) == ("release 1.0.0", f"draft r{second.revision}")
    # One unit of blue in the light primary: every light combination changed, no dark one.
    assert [c.key for c in report.combinations if c.has_changes] == ["light@375", "light@768", "light@1280"]
    view.set_mode("diff")
    window.grab().save("/tmp/shots-visual-diff/reviewer-visual-changes-diff.png")
