"""VersionsDialog on a real theme folder: list, create version, open read-only, diff tabs, restore, errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from studio.core.history import DraftRevision, VersionRecord
from studio.core.manifest import Manifest
from studio.core.theme import Theme
from studio.ui.versions_dialog import (
    ADDED_BACKGROUND,
    REMOVED_BACKGROUND,
    CreateVersionDialog,
    VersionsDialog,
)

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")

V1_CSS = ":root {\n  --brand: #0055ff;\n  --radius: 4px;\n}\nbody { color: var(--brand); }\n"
V2_CSS = ":root {\n  --brand: #0055ff;\n  --radius: 6px;\n  --gap: 1rem;\n}\nbody { color: var(--brand); }\n"
EDITOR_CSS = ":root {\n  --brand: #ff5500;\n  --gap: 1rem;\n}\nbody { color: var(--brand); }\n"


@pytest.fixture
def theme(tmp_path: Path) -> Theme:
    """A theme with versions 1.0.0 and 1.1.0 and three drafts (two saves + nothing else)."""
    root = tmp_path / "aurora"
    root.mkdir()
    manifest = Manifest(id="0b9e3c1e-5d0f-4c4e-9a57-3c1f0e6a2b7d", name="Aurora", version="1.0.0")
    (root / "theme.toml").write_text(manifest.to_toml(), encoding="utf-8")
    (root / "theme.css").write_text(V1_CSS, encoding="utf-8")
    theme = Theme.open(root)
    theme.create_version(V1_CSS, version="1.0.0", changes="First release")
    theme.create_version(V2_CSS, bump="minor", changes="Rounder corners\nand a gap token")
    return theme


def make_dialog(qtbot: QtBot, theme: Theme, current: str = EDITOR_CSS) -> VersionsDialog:
    dialog = VersionsDialog(theme, current_css=current)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.loaded, timeout=5000):
        dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def labels(dialog: VersionsDialog) -> tuple[list[str], list[str]]:
    versions = [dialog.versions_group.child(i).text(0) for i in range(dialog.versions_group.childCount())]
    drafts = [dialog.drafts_group.child(i).text(0) for i in range(dialog.drafts_group.childCount())]
    return versions, drafts


def test_lists_versions_newest_first_and_drafts(qtbot: QtBot, theme: Theme) -> None:
    dialog = make_dialog(qtbot, theme)
    versions, drafts = labels(dialog)
    assert versions == ["1.1.0", "1.0.0"]
    assert drafts == [f"Draft r{d.number}" for d in sorted(theme.history.drafts(), key=lambda d: -d.number)]
    assert drafts
    newest = dialog.versions_group.child(0)
    assert newest.text(2) == "Rounder corners"  # first line; the full notes are in the tooltip
    assert newest.toolTip(2) == "Rounder corners\nand a gap token"
    assert newest.text(1)[:4].isdigit()
    # Nothing selected: only Create is possible.
    assert dialog.create_button.isEnabled()
    assert not dialog.open_button.isEnabled()
    assert not dialog.diff_button.isEnabled()


def test_create_version_dialog_previews_bumps_and_requires_notes(qtbot: QtBot) -> None:
    sub = CreateVersionDialog("1.4.2", "1.4.2")
    qtbot.addWidget(sub)
    assert sub.radios["patch"].text() == "Patch → 1.4.3"
    assert sub.radios["minor"].text() == "Minor → 1.5.0"
    assert sub.radios["major"].text() == "Major → 2.0.0"
    assert not sub.ok_button.isEnabled()
    assert "change notes are required" in sub.problem_label.text()
    sub.changes_edit.setPlainText("Fix")
    assert sub.ok_button.isEnabled()
    sub.explicit_radio.setChecked(True)
    assert sub.version_edit.isEnabled()
    sub.version_edit.setText("1.4.0")
    assert "greater than 1.4.2" in sub.problem_label.text()
    sub.version_edit.setText("1.5")
    assert "not a semantic version" in sub.problem_label.text()
    sub.version_edit.setText("2.0.0-rc.1")
    assert sub.ok_button.isEnabled()
    assert sub.choice() == (None, "2.0.0-rc.1", "Fix")


def test_create_version_writes_record_on_disk(qtbot: QtBot, theme: Theme) -> None:
    dialog = make_dialog(qtbot, theme)
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    sub = dialog.create_dialog
    assert sub is not None
    qtbot.waitExposed(sub)
    assert sub.radios["major"].text() == "Major → 2.0.0"
    major = sub.radios["major"]
    qtbot.mouseClick(major, Qt.MouseButton.LeftButton, pos=QPoint(8, major.height() // 2))
    assert major.isChecked()
    qtbot.keyClicks(sub.changes_edit, "New palette")
    with qtbot.waitSignal(dialog.versionCreated, timeout=5000) as created, \
            qtbot.waitSignal(dialog.loaded, timeout=5000):
        qtbot.mouseClick(sub.ok_button, Qt.MouseButton.LeftButton)
    record = created.args[0]
    assert isinstance(record, VersionRecord)
    assert record.version == "2.0.0"
    assert record.changes == "New palette"
    snapshot = theme.root / ".studio" / "versions" / "2.0.0" / "theme.css"
    assert snapshot.read_text(encoding="utf-8") == EDITOR_CSS
    assert theme.manifest.version == "2.0.0"
    assert 'version = "2.0.0"' in (theme.root / "theme.toml").read_text(encoding="utf-8")
    assert labels(dialog)[0] == ["2.0.0", "1.1.0", "1.0.0"]


def test_open_read_only_emits_title_and_css(qtbot: QtBot, theme: Theme) -> None:
    dialog = make_dialog(qtbot, theme)
    dialog.select("1.0.0")
    assert dialog.open_button.isEnabled()
    with qtbot.waitSignal(dialog.openReadOnly, timeout=5000) as blocker:
        qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    title, css = blocker.args
    assert "Aurora" in title
    assert "1.0.0" in title
    assert "read-only" in title
    assert css == V1_CSS


def line_background(view: object, prefix: str) -> QColor:
    """The background the diff highlighter gave the first line starting with ``prefix``."""
    block = view.document().begin()  # type: ignore[attr-defined]
    while block.isValid():
        if block.text().startswith(prefix) and not block.text().startswith(prefix * 3):
            formats = block.layout().formats()
            assert formats, f"line {block.text()!r} is not highlighted"
            return formats[0].format.background().color()
        block = block.next()
    raise AssertionError(f"no line starts with {prefix!r}")


def test_diff_version_against_editor_has_text_and_token_tabs(qtbot: QtBot, theme: Theme) -> None:
    dialog = make_dialog(qtbot, theme)
    dialog.select("1.1.0")
    assert dialog.diff_button.text() == "Diff with Editor"
    qtbot.mouseClick(dialog.diff_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.diff_dialog is not None, timeout=5000)
    diff_dialog = dialog.diff_dialog
    assert diff_dialog is not None
    assert diff_dialog.tabs.tabText(0) == "Text"
    text = diff_dialog.text_view.toPlainText()
    assert text.startswith("--- 1.1.0\n+++ Editor\n")
    assert "-  --brand: #0055ff;" in text
    assert "+  --brand: #ff5500;" in text
    assert diff_dialog.text_view.font().fixedPitch() or diff_dialog.text_view.font().styleHint() != 0
    assert line_background(diff_dialog.text_view, "+") == QColor(ADDED_BACKGROUND)
    assert line_background(diff_dialog.text_view, "-") == QColor(REMOVED_BACKGROUND)

    assert diff_dialog.tabs.tabText(1).startswith("Custom properties")
    table = diff_dialog.changes_table
    rows = {table.topLevelItem(i).text(1): table.topLevelItem(i) for i in range(table.topLevelItemCount())}
    assert rows["--brand"].text(0) == "changed"
    assert (rows["--brand"].text(3), rows["--brand"].text(4)) == ("#0055ff", "#ff5500")
    assert rows["--radius"].text(0) == "removed"
    assert "--gap" not in rows  # same in both


def test_diff_two_versions_older_to_newer(qtbot: QtBot, theme: Theme) -> None:
    dialog = make_dialog(qtbot, theme)
    dialog.select("1.1.0", "1.0.0")
    assert dialog.diff_button.text() == "Diff Selected"
    assert not dialog.open_button.isEnabled()
    qtbot.mouseClick(dialog.diff_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.diff_dialog is not None, timeout=5000)
    assert dialog.diff_dialog is not None
    assert dialog.diff_dialog.text_view.toPlainText().startswith("--- 1.0.0\n+++ 1.1.0\n")
    table = dialog.diff_dialog.changes_table
    items = [table.topLevelItem(i) for i in range(table.topLevelItemCount())]
    kinds = {item.text(1): item.text(0) for item in items}
    assert kinds == {"--radius": "changed", "--gap": "added"}


def test_restore_version_into_new_draft(qtbot: QtBot, theme: Theme) -> None:
    dialog = make_dialog(qtbot, theme)
    before = {d.number for d in theme.history.drafts()}
    dialog.select("1.0.0")
    with qtbot.waitSignal(dialog.restored, timeout=5000) as blocker, \
            qtbot.waitSignal(dialog.loaded, timeout=5000):
        qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    revision, css = blocker.args
    assert isinstance(revision, DraftRevision)
    assert css == V1_CSS
    assert revision.number not in before
    assert theme.history.read_draft(revision.number) == V1_CSS
    assert f"Draft r{revision.number}" == labels(dialog)[1][0]


def test_missing_version_shows_error_message(qtbot: QtBot, theme: Theme) -> None:
    dialog = make_dialog(qtbot, theme)
    shutil.rmtree(theme.root / ".studio" / "versions" / "1.0.0")
    dialog.select("1.0.0")
    qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error_box is not None and dialog.error_box.isVisible(), timeout=5000)
    assert dialog.error_box is not None
    assert "There is no version 1.0.0" in dialog.error_box.text()
    dialog.error_box.button(QMessageBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: not dialog.error_box.isVisible())


def test_existing_version_error_from_core_is_shown(qtbot: QtBot, theme: Theme) -> None:
    dialog = make_dialog(qtbot, theme)
    dialog.create_version()
    sub = dialog.create_dialog
    assert sub is not None
    sub.changes_edit.setPlainText("Again")
    # Another window created 1.1.1 meanwhile: the dialog's preview is stale and the core refuses.
    theme.history.create_version(V2_CSS, theme.manifest, version="1.1.1", changes="elsewhere")
    sub.accept()
    qtbot.waitUntil(lambda: dialog.error_box is not None, timeout=5000)
    assert dialog.error_box is not None
    assert "1.1.1 already exists" in dialog.error_box.text()


@pytest.mark.qt_log_ignore("QRhiGles2", "Failed to create RHI", "GPUInfo not initialized")
def test_visual_changes_of_two_versions_and_of_one_against_the_editor(qtbot: QtBot, theme: Theme) -> None:
    dialog = make_dialog(qtbot, theme)
    dialog.select("1.1.0", "1.0.0")
    assert dialog.visual_button.isEnabled()
    qtbot.mouseClick(dialog.visual_button, Qt.MouseButton.LeftButton)
    visual = dialog.visual_dialog
    assert visual is not None
    assert visual.windowTitle() == "Visual changes — 1.0.0 → 1.1.0"
    with qtbot.waitSignal(visual.view.finished, timeout=180_000) as done:
        pass
    # 1.1.0 only changes --radius and adds --gap, which nothing in the gallery uses: nothing to see.
    assert not done.args[0].report.has_changes
    assert "no visible change" in visual.view.status.text()
    assert visual.view.combinations.count() == 1  # all six collapsed into one line
    visual.grab().save("/tmp/shots-visual-diff/versions-visual-changes-unchanged.png")
    visual.reject()

    dialog.select("1.0.0")
    qtbot.mouseClick(dialog.visual_button, Qt.MouseButton.LeftButton)
    visual = dialog.visual_dialog
    assert visual is not None
    with qtbot.waitSignal(visual.view.finished, timeout=180_000) as done:
        pass
    combinations = done.args[0].report.combinations
    assert all(c.has_changes for c in combinations), "the editor's --brand colours the text"
    visual.view.set_mode("overlay")
    visual.view.slider.setValue(50)
    visual.grab().save("/tmp/shots-visual-diff/versions-visual-changes-overlay.png")
    visual.reject()
