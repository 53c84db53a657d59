"""Browse in the studio: View → Browse Themes, the start page while no theme is open, and Start from this
theme opening the new theme in the editor. Keyboard and screen-reader audit of the view."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel
from pytestqt.qtbot import QtBot

from studio.ui.accessibility import mnemonic_of, unnamed_controls
from studio.ui.browse.browse_view import BrowseView
from studio.ui.browse.window import OBJECT_NAME, BrowseActions
from studio.ui.main_window import StudioWindow
from tests.ui.browse.conftest import BrowseBackend
from tests.ui.browse.test_browse_view import TIMEOUT, items, search, shot
from tests.ui.keyboard import audit


@pytest.fixture
def window(
    qtbot: QtBot, browse_backend: BrowseBackend, monkeypatch: pytest.MonkeyPatch
) -> Iterator[StudioWindow]:
    monkeypatch.setenv("THEMESYSTEM_API_URL", browse_backend.live.url)
    monkeypatch.setenv("THEMESTUDIO_BACKEND_TOKEN", browse_backend.live.author.token)
    win = StudioWindow()
    win.resize(1400, 900)
    win.show()
    yield win
    win.editor.document().setModified(False)
    win._saved_text = win.editor.toPlainText()  # skip the "save changes?" question on close
    actions = win.findChild(BrowseActions, OBJECT_NAME)
    for view in (actions.start_page, actions.browse_window.view if actions.browse_window else None):
        if view is not None:
            view.close_sources()
    if actions.browse_window is not None:
        actions.browse_window.close()
    win.close()
    win.deleteLater()


def browse_actions(win: StudioWindow) -> BrowseActions:
    found = win.findChild(BrowseActions, OBJECT_NAME)
    assert found is not None
    return found


def test_start_page_shows_while_no_theme_is_open_and_start_from_opens_the_new_theme(
    qtbot: QtBot, window: StudioWindow, browse_backend: BrowseBackend, tmp_path: Path
) -> None:
    actions = browse_actions(window)
    qtbot.waitUntil(lambda: actions.start_page is not None, timeout=TIMEOUT)
    page = actions.start_page
    assert page is not None
    assert actions.stack.currentWidget() is page
    assert page.backend_box.currentText() == browse_backend.live.url
    qtbot.waitUntil(lambda: page.model.rowCount() > 0, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: bool(page.shown_timings), timeout=TIMEOUT)
    shot(window, "start-page")

    page.detail._choose_folder = lambda _parent, _item: tmp_path
    search(qtbot, page, "Nocturne")
    page.open_row(0)
    qtbot.waitUntil(lambda: page.detail.shown_version == "2.0.0", timeout=TIMEOUT)
    page.detail.start_button.click()
    qtbot.waitUntil(lambda: window.theme is not None, timeout=TIMEOUT)
    assert window.theme is not None
    assert window.theme.root == tmp_path / 'nocturne-dark'
    assert window.theme.manifest.name == "Nocturne Dark"
    assert actions.stack.currentIndex() == 0  # the editor area
    nocturne = next(p for p in browse_backend.published if p.name == "Nocturne Dark")
    assert window.editor.toPlainText() == nocturne.releases["2.0.0"].decode()

    assert window.close_theme()
    assert window.theme is None
    assert actions.stack.currentWidget() is page


def test_view_menu_opens_the_browse_window(qtbot: QtBot, window: StudioWindow) -> None:
    actions = browse_actions(window)
    assert actions.action.shortcut().toString() == "Ctrl+Shift+B"
    view_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    assert actions.action in view_menu.actions()
    actions.action.trigger()
    browse = actions.browse_window
    assert browse is not None
    assert browse.isVisible()
    qtbot.waitUntil(lambda: browse.view.model.rowCount() > 0, timeout=TIMEOUT)
    assert browse.windowTitle() == "Browse Themes — ThemeSystem Studio"


def test_browse_is_usable_by_keyboard_and_screen_reader(
    qtbot: QtBot, browse_backend: BrowseBackend
) -> None:
    view = BrowseView([browse_backend.target()])
    qtbot.addWidget(view)
    view.resize(1400, 900)
    view.show()
    qtbot.waitExposed(view)
    view.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is view, timeout=3000)
    qtbot.waitUntil(lambda: view.model.rowCount() > 0, timeout=TIMEOUT)
    search(qtbot, view, "Harbour")
    view.open_row(0)
    qtbot.waitUntil(lambda: view.detail.shown_version is not None, timeout=TIMEOUT)
    assert unnamed_controls([view]) == []
    shown = [w for w in view.findChildren(QLabel) + view.findChildren(QAbstractButton) if w.isVisible()]
    texts = [w.text() for w in shown]
    texts += [view.detail.tabs.tabText(i) for i in range(view.detail.tabs.count())]
    letters = [mnemonic_of(t) for t in texts if mnemonic_of(t)]
    assert len(letters) == len(set(letters)), f"Alt+letters repeat: {sorted(letters)}"
    order = audit(qtbot, view, view.backend_box, reading_order=False)
    names = [w.accessibleName() for w in order]
    assert names[:6] == ["Backend", "Search", "Tag", "Sort", "Only my favourites", "Themes"]
    detail = {"Version", "Scheme", "Add to favourites", "Start from this theme", "Copy embed snippet"}
    assert detail <= set(names)
    # The list speaks each theme in words: name, author, version, counts, tags.
    text = view.model.index(0).data(Qt.ItemDataRole.AccessibleTextRole)
    assert text.startswith(f"Harbour Light by {items(view)[0].author}, version 1.1.0;")
    view.close_sources()


def test_targets_are_the_env_backend_then_profiles_with_a_backend(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from studio.core.profiles import ProfileStore, make_profile
    from studio.ui.browse.window import browse_targets

    monkeypatch.setenv("THEMESTUDIO_CONFIG_DIR", str(tmp_path / "config"))  # only this test's profiles
    store = ProfileStore()
    store.put(make_profile("prod", "https://fra1.digitaloceanspaces.com", bucket="themesystem-assets",
                           cdn_base_url="https://cdn.example.test", backend_url="https://api.example.test"))
    store.put(make_profile("nobackend", "https://fra1.digitaloceanspaces.com", bucket="themesystem-assets",
                           cdn_base_url="https://cdn.example.test"))
    monkeypatch.setenv("THEMESYSTEM_API_URL", "http://127.0.0.1:9")
    try:
        labels = [t.label for t in browse_targets(None)]
    finally:
        store.save([])
    assert labels == ["http://127.0.0.1:9", "prod · https://api.example.test"]
