"""Help → About: the studio's version, and which local servers it runs (PID, address, log) right now."""

from __future__ import annotations

import html
import os
import platform
import sys
from collections.abc import Sequence

import PySide6
from PySide6.QtCore import Qt, QUrl, qVersion
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from studio import __version__
from studio.adapters.server_lock import ServerRecord
from studio.core.paths import user_config_dir, user_data_dir


def servers_summary(servers: Sequence[ServerRecord]) -> str:
    """One status-bar line: ``Local servers: API pid 4321 · SeaweedFS pid 1234``."""
    if not servers:
        return ""
    return "Local servers: " + " · ".join(f"{s.name} pid {s.pid}" for s in servers)


def servers_detail(servers: Sequence[ServerRecord]) -> str:
    """Plain text, one server a line, with its log (the status bar's tooltip)."""
    return "\n".join(
        f"{s.name} ({s.role}) · PID {s.pid}{' · ' + s.url if s.url else ''} · log: {s.log}" for s in servers
    )


def about_html(servers: Sequence[ServerRecord], notes: Sequence[str] = ()) -> str:
    """The About text: versions, folders, and each local server with its PID, address and log."""
    esc = html.escape
    rows = []
    for s in servers:
        state = "" if s.running else " <i>(no longer running)</i>"
        log = f'<a href="{esc(QUrl.fromLocalFile(s.log).toString())}">{esc(s.log)}</a>' if s.log else "—"
        rows.append(
            f"<tr><td><b>{esc(s.name)}</b><br>{esc(s.role)}</td><td>{s.pid}{state}</td>"
            f"<td>{esc(s.url) or '—'}</td><td>{log}</td></tr>"
        )
    if rows:
        table = (
            "<table cellspacing='0' cellpadding='4'><tr><th align='left'>Server</th><th align='left'>PID</th>"
            "<th align='left'>Address</th><th align='left'>Log</th></tr>" + "".join(rows) + "</table>"
        )
    else:
        table = (
            "<p>No local servers run: a backend is configured, the bundled one is switched off, "
            "or it is still starting.</p>"
        )
    note_html = "".join(f"<p>{esc(n)}</p>" for n in notes)
    return (
        f"<h3>ThemeSystem Studio {esc(__version__)}</h3>"
        f"<p>Qt {esc(qVersion())} · PySide6 {esc(PySide6.__version__)}"
        f" · Python {esc(platform.python_version())} · {esc(sys.platform)}</p>"
        f"<p>This studio: PID {os.getpid()}<br>Data: {esc(str(user_data_dir()))}<br>"
        f"Settings: {esc(str(user_config_dir()))}</p>"
        f"<h4>Local servers</h4>{table}{note_html}"
        "<p><small>They stop when the studio quits, and with it if it crashes.</small></p>"
    )


class AboutDialog(QDialog):
    """The About box (rich text, selectable, log paths open in the file viewer)."""

    def __init__(
        self, servers: Sequence[ServerRecord], notes: Sequence[str] = (), parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("About ThemeSystem Studio")
        self.text = QLabel(about_html(servers, notes), self)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.text.setOpenExternalLinks(True)
        self.text.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.setMinimumWidth(720)
