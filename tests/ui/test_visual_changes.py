"""The *Visual changes* view: renders, lists, side by side / overlay / diff, the slider."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from studio.core.paths import resources_dir
from studio.core.visual.sides import CompareSide
from studio.ui.visual_changes import VisualChangesDialog, VisualChangesView

pytestmark = pytest.mark.qt_log_ignore("QRhiGles2", "Failed to create RHI", "GPUInfo not initialized")

LIGHT = resources_dir() / "themes" / "light"
STARTER = (LIGHT / "theme.css").read_text(encoding="utf-8")
SHOTS = Path(os.environ.get("THEMESTUDIO_SHOTS", "/tmp/shots-visual-diff"))


def changed_starter() -> str:
    return STARTER.replace("--color-primary: #2f5bd3;", "--color-primary: #c0392b;", 1)


def test_view_compares_and_shows_all_three_modes(qtbot: QtBot) -> None:
    view = VisualChangesView()
    qtbot.addWidget(view)
    view.resize(1320, 800)
    view.show()
    with qtbot.waitSignal(view.finished, timeout=180_000) as blocker:
        view.compare(CompareSide("starter", STARTER, LIGHT),
                     CompareSide("red primary", changed_starter(), LIGHT))
    comparison = blocker.args[0]
    assert comparison is view.comparison
    assert not view.running
    changed = [c for c in comparison.report.combinations if c.has_changes]
    assert {c.scheme for c in changed} == {"light"}, "dark sets its own primary"
    # Three changed combinations listed, the three unchanged ones collapsed into one line.
    texts = [view.combinations.item(i).text() for i in range(view.combinations.count())]
    assert len(texts) == 4
    assert texts[-1].startswith("Unchanged: dark 375, dark 768, dark 1280")
    assert view.before_label.pixmap().width() == 375  # the first changed one: light at 375 px

    view.show_key("light@1280")
    view.set_mode("side")
    view.after_area.verticalScrollBar().setValue(200)
    assert view.before_area.verticalScrollBar().value() == 200, "side by side scrolls together"
    SHOTS.mkdir(parents=True, exist_ok=True)
    view.grab().save(str(SHOTS / "visual-changes-side-by-side.png"))

    view.set_mode("overlay")
    assert view.slider.isVisible()
    view.slider.setValue(0)
    assert view.overlay.value == 0
    view.slider.setValue(50)
    assert view.overlay.value == 50
    view.overlay_area.verticalScrollBar().setValue(500)
    view.grab().save(str(SHOTS / "visual-changes-overlay-50.png"))
    view.overlay_kind.setCurrentIndex(1)
    assert view.overlay.wipe
    view.grab().save(str(SHOTS / "visual-changes-overlay-wipe.png"))

    view.set_mode("diff")
    view.fit_width.setChecked(False)
    assert view.diff_label.pixmap().height() == comparison.result("light@1280").changed.shape[0]
    view.fit_width.setChecked(True)
    assert view.diff_label.pixmap().width() < 1280, "fitted to the view's width"
    view.diff_area.verticalScrollBar().setValue(500)
    view.grab().save(str(SHOTS / "visual-changes-diff.png"))
    view.release()


def test_cancel_reports_cancelled(qtbot: QtBot) -> None:
    view = VisualChangesView()
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.failed, timeout=60_000) as blocker:
        view.compare(CompareSide("a", STARTER), CompareSide("b", changed_starter()))
        qtbot.waitUntil(lambda: view.progress.value() >= 0 and view.running)
        view.cancel()
    assert blocker.args == ["cancelled"]
    assert not view.running
    assert "Cancelled" in view.status.text()
    view.release()


def test_dialog_opens_with_the_view(qtbot: QtBot) -> None:
    dialog = VisualChangesDialog("1.0.0 → 1.1.0")
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.windowTitle() == "Visual changes — 1.0.0 → 1.1.0"
    assert dialog.view.isVisible()
    dialog.reject()
