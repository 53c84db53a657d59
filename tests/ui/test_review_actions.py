"""The review actions land in the main window's Theme and View menus, once, and drive the reviewer dock."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from studio.ui import review_actions
from studio.ui.main_window import StudioWindow
from studio.ui.review_actions import OBJECT_NAME, ReviewActions, find_menu, install_review_actions


def titles(window: StudioWindow, menu: str) -> list[str]:
    return [a.text().replace("&", "") for a in find_menu(window, menu).actions() if a.text()]


def test_actions_are_added_once_and_reviewer_mode_toggles_the_dock(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(review_actions, "_stored_profiles", list)  # no profiles, whatever other tests stored
    window = StudioWindow()  # installs the actions itself
    qtbot.addWidget(window)
    install_review_actions(window)  # already installed: adds nothing
    assert titles(window, "Theme").count("Submit for Review…") == 1
    assert titles(window, "Theme").count("Releases…") == 1
    assert titles(window, "View").count("Reviewer Mode") == 1

    actions = window.findChild(ReviewActions, OBJECT_NAME)
    assert isinstance(actions, ReviewActions)
    window.show()
    actions.reviewer_action.setChecked(True)
    panel = actions.review_panel
    assert panel is not None
    assert actions.review_dock is not None
    assert actions.review_dock.isVisible()
    assert "No publishing profile yet" in panel.status.text()
    actions.reviewer_action.setChecked(False)
    assert not actions.review_dock.isVisible()

    # Without an open theme, Submit for Review says what to do instead of failing.
    actions.submit_action.trigger()
    assert actions.error_box is not None
    assert actions.error_box.text() == "Open a theme folder first."
    actions.error_box.close()
