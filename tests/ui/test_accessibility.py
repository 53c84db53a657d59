"""Every dialog by keyboard and screen reader: named controls, linked labels, Tab cycles without traps."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QWidget
from pytestqt.qtbot import QtBot

from studio.core.manifest import Manifest
from studio.core.profiles import ProfileStore
from studio.core.starters import create_theme
from studio.core.theme import Theme
from studio.ui.accessibility import (
    ANNOUNCED,
    accessible_name,
    announce,
    link_label,
    mnemonic_of,
    strip_mnemonic,
    unnamed_controls,
)
from studio.ui.analytics_dialog import AnalyticsDialog
from studio.ui.manifest_dialog import ManifestDialog
from studio.ui.new_theme_dialog import NewThemeDialog
from studio.ui.publish_dialog import PublishDialog
from studio.ui.recovery_dialog import RecoveryDialog
from studio.ui.releases_dialog import ReleasesDialog
from studio.ui.review_panel import ReviewPanel
from studio.ui.submit_review_dialog import SubmitReviewDialog
from studio.ui.version_viewer import VersionViewer
from studio.ui.versions_dialog import CreateVersionDialog, DiffDialog, VersionsDialog
from tests.ui.keyboard import audit, focused

Factory = Callable[[Theme, Path], QWidget]


def _no_services(_profile: object) -> object:
    raise AssertionError("the audit must not connect anywhere")


DIALOGS: dict[str, Factory] = {
    "theme settings": lambda theme, _tmp: ManifestDialog(theme.manifest),
    "new theme": lambda _theme, tmp: NewThemeDialog(),
    "create version": lambda _theme, _tmp: CreateVersionDialog("1.0.0", None),
    "versions": lambda theme, _tmp: VersionsDialog(theme, current_css=theme.read_css()),
    "diff": lambda _theme, _tmp: DiffDialog("Diff", "-a\n+b\n", ()),
    "publish": lambda theme, _tmp: PublishDialog(theme, [], render_preview=False),
    "recovery": lambda _theme, _tmp: RecoveryDialog("Aurora", "a {}\n", "b {}\n"),
    "submit for review": lambda theme, _tmp: SubmitReviewDialog(theme, [], _no_services),  # type: ignore[arg-type]
    "releases": lambda theme, _tmp: ReleasesDialog(theme, [], _no_services),  # type: ignore[arg-type]
    "reviewer panel": lambda _theme, _tmp: ReviewPanel([], _no_services),  # type: ignore[arg-type]
    "version viewer": lambda theme, _tmp: VersionViewer("Version 1.0.0", theme.read_css(), theme.root),
    "analytics": lambda theme, _tmp: AnalyticsDialog(theme.manifest.id, theme.manifest.name, []),
}


@pytest.fixture(scope="module")
def theme(tmp_path_factory: pytest.TempPathFactory) -> Theme:
    return create_theme(tmp_path_factory.mktemp("a11y") / "aurora", "light", "Aurora")


@pytest.mark.parametrize("name", sorted(DIALOGS))
def test_dialog_is_usable_by_keyboard_and_screen_reader(
    qtbot: QtBot, theme: Theme, tmp_path: Path, name: str
) -> None:
    dialog = DIALOGS[name](theme, tmp_path)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=3000)
    assert audit(qtbot, dialog)
    labels = [label for label in dialog.findChildren(QLabel)
              if label.isVisible() and mnemonic_of(label.text())]
    letters = [mnemonic_of(label.text()) for label in labels]
    assert len(letters) == len(set(letters)), f"Alt+letters repeat in {name}: {letters}"
    for label in labels:  # a label with an Alt+letter must say which field it names
        assert label.buddy() is not None, f"{label.text()!r} has no buddy"
    dialog.close()


def test_profiles_dialog(qtbot: QtBot, tmp_path: Path) -> None:
    from studio.ui.profiles_dialog import ProfilesDialog

    dialog = ProfilesDialog(ProfileStore(tmp_path / "profiles.toml"))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=3000)
    audit(qtbot, dialog)


def test_publish_changes_field_passes_tab_on(qtbot: QtBot, theme: Theme) -> None:
    dialog = PublishDialog(theme, [], render_preview=False)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.changes_edit.setFocus()
    qtbot.keyClick(dialog.changes_edit, Qt.Key.Key_Tab)
    assert dialog.changes_edit.toPlainText() == ""
    assert focused() is not dialog.changes_edit


def test_combo_boxes_are_named_by_their_label_not_their_value(qtbot: QtBot) -> None:
    box = QWidget()
    qtbot.addWidget(box)
    combo = QComboBox(box)
    combo.addItems(["Light", "Dark"])
    assert accessible_name(combo) == ""  # Qt on Linux would speak only "Light"
    QLabel("S&cheme:", box).setBuddy(combo)
    assert accessible_name(combo) == "Scheme"  # the labelled-by relation AT-SPI reports
    link_label(QLabel("&Width:", box), combo)
    assert combo.accessibleName() == "Width"
    assert unnamed_controls([box]) == [] or not box.isVisible()


def test_mnemonic_helpers() -> None:
    assert strip_mnemonic("Versions && &History…") == "Versions & History…"
    assert strip_mnemonic("&Profile:") == "Profile"
    assert mnemonic_of("Versions && &History") == "h"
    assert mnemonic_of("No mnemonic && here") is None


def test_announcements_are_recorded(qtbot: QtBot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    announce(label, "Published 1.0.1")
    announce(label, "Cannot publish: no profile", assertive=True)
    assert list(ANNOUNCED)[-2:] == [("Published 1.0.1", False), ("Cannot publish: no profile", True)]


def test_manifest_dialog_keeps_its_linked_labels(theme: Theme, qtbot: QtBot) -> None:
    dialog = ManifestDialog(Manifest.new("Aurora"))
    qtbot.addWidget(dialog)
    assert accessible_name(dialog.name_edit) == "Name"
