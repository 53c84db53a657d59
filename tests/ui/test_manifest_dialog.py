"""ManifestDialog: fields round-trip, live validation keeps OK disabled with a message, id regeneration."""

from __future__ import annotations

import uuid

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from studio.core.manifest import Manifest
from studio.ui.manifest_dialog import ManifestDialog, split_tags

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")

VALID = Manifest(
    id="0b9e3c1e-5d0f-4c4e-9a57-3c1f0e6a2b7d",
    name="Aurora",
    description="Cool blues.",
    author="Ada",
    author_url="https://example.com/ada",
    tags=["blue", "dark-mode"],
    version="1.2.0",
    license="MIT",
    allowed_origins=["https://app.example.com", "http://localhost:5173"],
    extra={"homepage": "https://aurora.example"},
)


def make_dialog(qtbot: QtBot, manifest: Manifest = VALID) -> ManifestDialog:
    dialog = ManifestDialog(manifest)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def retype(qtbot: QtBot, widget: object, text: str) -> None:
    widget.selectAll()  # type: ignore[attr-defined]
    qtbot.keyClick(widget, Qt.Key.Key_Delete)
    qtbot.keyClicks(widget, text)


def test_split_tags() -> None:
    assert split_tags(" blue, ,dark-mode ,") == ["blue", "dark-mode"]


def test_unchanged_manifest_round_trips_and_ok_enabled(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot)
    assert dialog.ok_button.isEnabled()
    assert dialog.id_edit.isReadOnly()
    assert dialog.tags_edit.text() == "blue, dark-mode"
    assert dialog.origins_edit.toPlainText() == "https://app.example.com\nhttp://localhost:5173"
    assert dialog.manifest() == VALID
    assert not any(label.isVisible() for label in dialog.error_labels.values())


def test_user_edits_are_returned_on_ok(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot)
    retype(qtbot, dialog.name_edit, "Aurora Night")
    retype(qtbot, dialog.tags_edit, "blue, night")
    dialog.origins_edit.setFocus()
    dialog.origins_edit.moveCursor(dialog.origins_edit.textCursor().MoveOperation.End)
    qtbot.keyClick(dialog.origins_edit, Qt.Key.Key_Return)
    qtbot.keyClicks(dialog.origins_edit, "https://docs.example.com")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    result = dialog.manifest()
    assert result.name == "Aurora Night"
    assert result.tags == ["blue", "night"]
    assert result.allowed_origins[-1] == "https://docs.example.com"
    assert result.extra == {"homepage": "https://aurora.example"}  # unknown keys survive
    assert result.id == VALID.id


@pytest.mark.parametrize(
    ("field", "text", "fragment"),
    [
        ("version", "1.2", "not a semantic version"),
        ("tags", "blue, Dark Mode", "Tag 'Dark Mode' is not allowed"),
        ("author_url", "example.com", "not a web address"),
        ("name", "", "must not be empty"),
    ],
)
def test_invalid_field_disables_ok_and_shows_message(
    qtbot: QtBot, field: str, text: str, fragment: str
) -> None:
    dialog = make_dialog(qtbot)
    edit = {"version": dialog.version_edit, "tags": dialog.tags_edit,
            "author_url": dialog.author_url_edit, "name": dialog.name_edit}[field]
    retype(qtbot, edit, text)
    label = dialog.error_labels[field]
    assert label.isVisible()
    assert fragment in label.text()
    assert not dialog.ok_button.isEnabled()
    # Enter must not bypass the disabled button.
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert dialog.result() != QDialog.DialogCode.Accepted


def test_invalid_origin_message(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot)
    dialog.origins_edit.setPlainText("https://app.example.com/path")
    assert "must not contain a path" in dialog.error_labels["allowed_origins"].text()
    assert not dialog.ok_button.isEnabled()


def test_invalid_uuid_is_fixed_by_regenerate(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot, Manifest(id="not-a-uuid", name="Broken"))
    assert not dialog.ok_button.isEnabled()
    assert "is not a UUID" in dialog.error_labels["id"].text()
    qtbot.mouseClick(dialog.regenerate_button, Qt.MouseButton.LeftButton)
    new_id = dialog.id_edit.text()
    assert str(uuid.UUID(new_id)) == new_id
    assert dialog.ok_button.isEnabled()
    assert not dialog.error_labels["id"].isVisible()
    assert dialog.id_note.isVisible()  # warns that a new id is a new theme
    assert dialog.manifest().id == new_id
