"""The status bar and Help → About say which local servers run, their PIDs, addresses and logs."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from pytestqt.qtbot import QtBot

from studio.adapters.server_lock import ServerRecord
from studio.ui.about_dialog import AboutDialog
from studio.ui.main_window import StudioWindow


def test_status_bar_and_about_list_the_local_servers(qtbot: QtBot, tmp_path: Path) -> None:
    with subprocess.Popen(["sleep", "60"]) as weed:
        sandbox = ServerRecord.of(
            "SeaweedFS",
            weed.pid,
            role="local sandbox",
            ports=(8333,),
            log=str(tmp_path / "sandbox" / "weed.log"),
            url="http://127.0.0.1:8333",
        )
        api = ServerRecord.of(
            "API", os.getpid(), role="bundled backend", log=str(tmp_path / "backend" / "backend.log")
        )
        note = "Stopped the local sandbox (PID 4242) left by a studio that ended (PID 4241)"
        win = StudioWindow()
        qtbot.addWidget(win)
        win.set_local_servers([api, sandbox], [note])
        assert win.servers_label.text() == f"Local servers: API pid {os.getpid()} · SeaweedFS pid {weed.pid}"
        tip = win.servers_label.toolTip()
        line = f"SeaweedFS (local sandbox) · PID {weed.pid} · http://127.0.0.1:8333 · log: {sandbox.log}"
        assert line in tip
        assert note in tip

        about = AboutDialog(win.local_servers, [note], win)
        qtbot.addWidget(about)
        text = about.text.text()
        for expected in (str(weed.pid), sandbox.log, api.log, "http://127.0.0.1:8333", note, "local sandbox"):
            assert expected in text
        assert "no longer running" not in text
        weed.kill()
        weed.wait()
    # Opened later, the dialog says which recorded server has gone.
    assert "no longer running" in AboutDialog([sandbox], parent=win).text.text()
    assert "No local servers run" in AboutDialog([], parent=win).text.text()


def test_about_says_which_build_and_the_licences_of_what_is_bundled(qtbot: QtBot) -> None:
    about = AboutDialog([])
    qtbot.addWidget(about)
    assert "run from source" in about.text.text()
    assert "studio.log" in about.text.text()
    licences = about.licences.toPlainText()
    assert "GNU Lesser General Public License" in licences
    for component in ("PySide6", "tinycss2", "SeaweedFS", "PostgreSQL", "Chromium"):
        assert component in licences
    from studio.adapters.licences import python_packages

    pyside = next(c for c in python_packages() if c.name == "PySide6")
    assert "LGPL" in pyside.licence
    assert pyside.version in licences


def test_an_installed_build_says_when_it_was_built(tmp_path: Path) -> None:
    from studio.core.build_info import build_info

    info = tmp_path / "_build_info.json"
    info.write_text('{"build_date": "2026-11-29"}')
    assert build_info(info).describe().endswith("built 2026-11-29")
    assert not build_info(tmp_path / "missing.json").bundled
