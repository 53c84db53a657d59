"""Once per user: when no OS keyring answers, say what works without one and what does not."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from studio.ui.accessibility import announce
from studio.ui.background import run_in_background

if TYPE_CHECKING:
    from studio.adapters.secrets import SecretStore

SETTING = "notices/no_keyring_explained"
TITLE = "No keyring: secrets are kept in memory only"
TEXT = (
    "No OS keyring answers, so ThemeSystem Studio cannot keep secrets from one session to the next "
    "(it never writes them to disk in plain text)."
)
DETAIL = (
    "Works: editing, the live preview, drafts and versions, and the local sandbox: its key and tokens live "
    "in memory while the studio runs, so you can publish to the local profile from the Publish dialog.\n\n"
    "Does not work: saved publishing profiles (Spaces keys, DigitalOcean and backend tokens), and "
    "`themestudio publish --profile local` from a terminal.\n\n"
)


def keyring_problem(store: SecretStore | None = None) -> str | None:
    """None when the keyring answers, else what is wrong and how to get one (no exception escapes)."""
    from studio.adapters.secrets import KeyringUnavailable, SecretStore

    try:
        (store or SecretStore()).check()
    except KeyringUnavailable as exc:
        return str(exc)
    return None


def explain_missing_keyring(
    parent: QWidget, probe: Callable[[], str | None] = keyring_problem
) -> None:
    """Probe the keyring off the GUI thread; the first time it is missing, explain it (non-modal)."""
    settings = QSettings()
    if settings.value(SETTING, False, type=bool):
        return

    def answered(problem: str | None) -> None:
        if problem is None:
            return
        settings.setValue(SETTING, True)
        box = QMessageBox(QMessageBox.Icon.Information, TITLE, TEXT, QMessageBox.StandardButton.Ok, parent)
        box.setObjectName("keyringNotice")
        box.setInformativeText(DETAIL + problem)
        box.setWindowModality(Qt.WindowModality.NonModal)  # the studio stays usable while it is shown
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)  # typing goes on in the editor
        box.show()
        announce(box, f"{TITLE}. {TEXT}")

    run_in_background(probe, answered, owner=parent)
