"""Help → About: the studio's version, and which local servers it runs (PID, address, log) right now."""

from __future__ import annotations

import html
import os
import platform
import sys
from collections.abc import Sequence

import PySide6
from PySide6.QtCore import Qt, QUrl, qVersion
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QScrollArea,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from studio import __version__
from studio.adapters.app_log import log_file
from studio.adapters.licences import LGPL_NOTICE, NATIVE_COMPONENTS, python_packages
from studio.adapters.server_lock import ServerRecord
from studio.core.build_info import build_info
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
        f"<p>{esc(build_info().describe())} · licensed under the MIT licence (see the Licences tab)</p>"
        f"<p>Qt {esc(qVersion())} · PySide6 {esc(PySide6.__version__)}"
        f" · Python {esc(platform.python_version())} · {esc(sys.platform)}</p>"
        f"<p>This studio: PID {os.getpid()}<br>Data: {esc(str(user_data_dir()))}<br>"
        f"Settings: {esc(str(user_config_dir()))}<br>Studio log: {esc(str(log_file()))}</p>"
        f"<h4>Local servers</h4>{table}{note_html}"
        "<p><small>They stop when the studio quits, and with it if it crashes.</small></p>"
    )


def licences_html() -> str:
    """What is bundled and under which licence: the native programs, then every Python package."""
    esc = html.escape
    rows = "".join(
        f"<tr><td>{esc(c.name)}</td><td>{esc(c.version)}</td><td>{esc(c.licence)}</td></tr>"
        for c in (*NATIVE_COMPONENTS, *python_packages())
    )
    return (
        "<p>ThemeSystem Studio is MIT-licensed. It ships with the components below, each under its own "
        f"licence.</p><p>{esc(LGPL_NOTICE)}</p>"
        "<table cellspacing='0' cellpadding='3'><tr><th align='left'>Component</th>"
        f"<th align='left'>Version</th><th align='left'>Licence</th></tr>{rows}</table>"
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
        self.text.setAlignment(Qt.AlignmentFlag.AlignTop)
        about = QScrollArea(self)
        about.setWidget(self.text)
        about.setWidgetResizable(True)
        self.licences = QTextBrowser(self)
        self.licences.setHtml(licences_html())
        self.licences.setAccessibleName("Licences of the bundled components")
        self.tabs = QTabWidget(self)
        self.tabs.addTab(about, "&About")
        self.tabs.addTab(self.licences, "&Licences")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)
        self.resize(760, 560)
        self.setMinimumWidth(720)
