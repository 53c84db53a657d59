"""Submit for Review against the real backend and SeaweedFS: lint gate, digest, background submit."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from studio.adapters.profile_services import ProfileServices
from studio.core.starters import create_theme
from studio.core.theme import Theme
from studio.ui.submit_review_dialog import SubmitReviewDialog
from tests.adapters.test_backend_client import LiveBackend, running_backend
from tests.backend.seaweed import SeaweedS3
from tests.ui.test_review_panel import live_profile, services_for


@pytest.fixture(scope="module")
def live(seaweed: SeaweedS3) -> Iterator[LiveBackend]:
    with running_backend(seaweed) as backend:
        yield backend


@pytest.fixture
def built() -> Iterator[list[ProfileServices]]:
    made: list[ProfileServices] = []
    yield made
    for services in made:
        services.close()


@pytest.fixture
def theme(tmp_path: Path) -> Theme:
    return create_theme(tmp_path / "t", "light", "Submitted Aurora")


def make_dialog(
    qtbot: QtBot, theme: Theme, seaweed: SeaweedS3, live: LiveBackend, built: list[ProfileServices],
    *, unsaved: bool = False,
) -> SubmitReviewDialog:
    connect = services_for(seaweed, live, live.author, built)
    dialog = SubmitReviewDialog(theme, [live_profile(seaweed, live)], connect, unsaved=unsaved)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.submission is not None or bool(dialog.problem), timeout=15_000)
    dialog.show()
    return dialog


def test_submit_shows_digest_and_submits_in_the_background(
    qtbot: QtBot, theme: Theme, seaweed: SeaweedS3, live: LiveBackend, built: list[ProfileServices]
) -> None:
    data = theme.css_path.read_bytes()
    dialog = make_dialog(qtbot, theme, seaweed, live, built, unsaved=True)
    assert dialog.lint_label.text().startswith("✓ No lint errors")
    assert dialog.digest_label.text() == hashlib.sha256(data).hexdigest()
    assert dialog.size_label.text() == f"{len(data):,} bytes"
    assert dialog.unsaved_label.isVisibleTo(dialog)
    assert dialog.submit_button.isEnabled()

    with qtbot.waitSignal(dialog.submitted, timeout=20_000) as done:
        dialog.submit_button.click()
        assert not dialog.submit_button.isEnabled()  # busy while the request runs
    record = done.args[0]
    assert dialog.status.text() == f"Submitted revision {record.revision} (in review)."
    assert record.revision == 1
    assert not dialog.submit_button.isEnabled()  # the same bytes again would only add a revision
    dialog.grab().save("/tmp/review-submit.png")

    reviewer = live.client(live.reviewer)
    try:
        stored = reviewer.get_draft(record.id)
    finally:
        reviewer.close()
    assert stored.status == "in_review"
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.theme_id == theme.manifest.id


def test_lint_errors_block_the_submission(
    qtbot: QtBot, theme: Theme, seaweed: SeaweedS3, live: LiveBackend, built: list[ProfileServices]
) -> None:
    theme.css_path.write_text(
        '@import url("https://evil.example/x.css");\n' + theme.css_path.read_text()
    )
    dialog = make_dialog(qtbot, theme, seaweed, live, built)
    assert dialog.submission is None
    assert dialog.lint_label.text().startswith("✗")
    assert "lint error" in dialog.lint_label.text()
    assert dialog.diagnostics.isVisibleTo(dialog)
    assert dialog.diagnostics.count() >= 1
    first = dialog.diagnostics.item(0)
    assert first is not None
    assert first.text().startswith("line 1:")
    assert not dialog.submit_button.isEnabled()
    assert not built  # nothing was connected, nothing registered
    dialog.grab().save("/tmp/review-submit-lint.png")


def test_a_refused_submission_says_why(
    qtbot: QtBot, theme: Theme, seaweed: SeaweedS3, live: LiveBackend, built: list[ProfileServices]
) -> None:
    connect = services_for(seaweed, live, live.reviewer, built)  # a reviewer cannot create themes
    dialog = SubmitReviewDialog(theme, [live_profile(seaweed, live)], connect)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.submission is not None, timeout=15_000)
    with qtbot.waitSignal(dialog.failed, timeout=20_000) as failed:
        dialog.submit_button.click()
    assert failed.args[0].startswith("Submitting failed. The backend refused")
    assert dialog.status.text() == failed.args[0]
    assert dialog.submit_button.isEnabled()  # fix the profile and try again
