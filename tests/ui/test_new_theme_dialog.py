"""NewThemeDialog: starters listed, default folder follows the name, validation, values create a theme."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from studio.core.paths import user_data_dir
from studio.core.starters import create_theme, list_starters
from studio.ui.new_theme_dialog import NewThemeDialog, slugify

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


def make_dialog(qtbot: QtBot) -> NewThemeDialog:
    dialog = NewThemeDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def retype(qtbot: QtBot, edit: object, text: str) -> None:
    edit.selectAll()  # type: ignore[attr-defined]
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    qtbot.keyClicks(edit, text)


def test_slugify() -> None:
    assert slugify("  Aurora Night! 2 ") == "aurora-night-2"
    assert slugify("Été") == "t"
    assert slugify("!!!") == "theme"


def test_lists_bundled_starters_with_light_selected(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot)
    starters = list_starters()
    assert dialog.starter_list.count() == len(starters) >= 1
    assert dialog.selected_starter() is not None
    assert dialog.selected_starter().name == "light"
    light = next(s for s in starters if s.name == "light")
    assert dialog.starter_list.currentItem().text() == light.title
    assert dialog.starter_list.currentItem().toolTip() == light.description


def test_default_folder_follows_name_until_edited(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = make_dialog(qtbot)
    retype(qtbot, dialog.name_edit, "Aurora Night")
    assert Path(dialog.dest_edit.text()) == user_data_dir() / "themes" / "aurora-night"
    retype(qtbot, dialog.dest_edit, str(tmp_path / "elsewhere"))
    retype(qtbot, dialog.name_edit, "Other")
    assert dialog.dest_edit.text() == str(tmp_path / "elsewhere")


def test_invalid_inputs_disable_create(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = make_dialog(qtbot)
    retype(qtbot, dialog.dest_edit, str(tmp_path / "new"))
    assert dialog.ok_button.isEnabled()

    retype(qtbot, dialog.name_edit, "")
    assert not dialog.ok_button.isEnabled()
    assert "Enter a name" in dialog.problem_label.text()
    retype(qtbot, dialog.name_edit, "x" * 81)
    assert "80 characters" in dialog.problem_label.text()
    retype(qtbot, dialog.name_edit, "Fine")

    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "keep.txt").write_text("mine")
    retype(qtbot, dialog.dest_edit, str(busy))
    assert not dialog.ok_button.isEnabled()
    assert "not empty" in dialog.problem_label.text()
    qtbot.keyClick(dialog.dest_edit, Qt.Key.Key_Return)
    assert dialog.result() != QDialog.DialogCode.Accepted

    retype(qtbot, dialog.dest_edit, str(busy / "keep.txt"))
    assert "is a file" in dialog.problem_label.text()

    empty = tmp_path / "empty"
    empty.mkdir()
    retype(qtbot, dialog.dest_edit, str(empty))
    assert dialog.ok_button.isEnabled()
    assert dialog.problem_label.text() == ""


def test_accepted_values_create_the_theme(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = make_dialog(qtbot)
    names = [s.name for s in list_starters()]
    other = next((n for n in names if n != "light"), "light")
    dialog.select_starter(other)
    retype(qtbot, dialog.name_edit, "Aurora")
    retype(qtbot, dialog.dest_edit, str(tmp_path / "aurora"))
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted

    starter, name, dest = dialog.result_values()
    assert (starter, name, dest) == (other, "Aurora", tmp_path / "aurora")
    theme = create_theme(dest, starter, name)
    assert theme.manifest.name == "Aurora"
    assert (dest / "theme.css").is_file()
