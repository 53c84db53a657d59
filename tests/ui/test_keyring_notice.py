"""A studio with no OS keyring says once what works without one and what does not."""

from __future__ import annotations

import keyring.backends.fail
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from studio.adapters.secrets import SecretStore
from studio.ui.keyring_notice import SETTING, explain_missing_keyring, keyring_problem


def test_a_missing_keyring_is_reported_not_raised() -> None:
    problem = keyring_problem(SecretStore(backend=keyring.backends.fail.Keyring()))
    assert problem is not None
    assert "gnome-keyring" in problem


def test_the_notice_shows_once_and_says_what_works(qtbot: QtBot) -> None:
    QSettings().remove(SETTING)
    parent = QWidget()
    qtbot.addWidget(parent)
    missing = keyring_problem(SecretStore(backend=keyring.backends.fail.Keyring()))

    def notices() -> list[QMessageBox]:
        return [box for box in parent.findChildren(QMessageBox) if box.objectName() == "keyringNotice"]

    explain_missing_keyring(parent, probe=lambda: missing)
    qtbot.waitUntil(lambda: len(notices()) == 1, timeout=5000)
    box = notices()[0]
    assert box.isVisible()
    assert box.windowModality() == Qt.WindowModality.NonModal  # it never blocks the studio
    detail = box.informativeText()
    for what in ("local sandbox", "saved publishing profiles", "gnome-keyring"):
        assert what in detail
    box.hide()

    explain_missing_keyring(parent, probe=lambda: missing)  # a later start: already explained
    qtbot.wait(200)
    assert len(notices()) == 1
    QSettings().remove(SETTING)


def test_no_notice_when_the_keyring_answers(qtbot: QtBot) -> None:
    QSettings().remove(SETTING)
    parent = QWidget()
    qtbot.addWidget(parent)
    explain_missing_keyring(parent, probe=lambda: None)
    qtbot.wait(200)
    assert parent.findChildren(QMessageBox) == []
    assert not QSettings().value(SETTING, False, type=bool)
