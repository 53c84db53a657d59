"""End to end through AT-SPI, as Orca hears it: Xvfb, openbox, the AT-SPI bus and xdotool keys (Debian:
``xvfb openbox xdotool at-spi2-core gir1.2-atspi-2.0 python3-gi``). Skipped where those are missing."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from studio.core.starters import create_theme
from tests.conftest import REPO

SYSTEM_PYTHON = "/usr/bin/python3"
BUS_LAUNCHER = Path("/usr/libexec/at-spi-bus-launcher")


def _atspi_available() -> bool:
    tools = all(shutil.which(tool) for tool in ("Xvfb", "openbox", "xdotool", "dbus-run-session"))
    if not tools or not BUS_LAUNCHER.exists() or not Path(SYSTEM_PYTHON).exists():
        return False
    probe = "import gi; gi.require_version('Atspi', '2.0'); from gi.repository import Atspi"
    return subprocess.run([SYSTEM_PYTHON, "-c", probe], capture_output=True).returncode == 0


pytestmark = pytest.mark.skipif(not _atspi_available(), reason="no Xvfb/openbox/xdotool/AT-SPI here")


def test_a_screen_reader_hears_names_focus_moves_and_announcements(tmp_path: Path) -> None:
    theme = create_theme(tmp_path / "aurora", "light", "Aurora")
    env = {k: v for k, v in os.environ.items() if k not in ("DBUS_SESSION_BUS_ADDRESS", "QT_QPA_PLATFORM")}
    command = ["dbus-run-session", "--", SYSTEM_PYTHON, str(REPO / "tests" / "e2e" / "atspi_session.py"),
               "--studio-python", sys.executable, "--theme", str(theme.root), "--home", str(tmp_path)]
    # Its own process group: whatever the session starts (bus daemons, the studio) ends with it.
    proc = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=150)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    lines = [line for line in out.splitlines() if line.startswith("{")]
    assert lines, err[-3000:]
    heard = json.loads(lines[-1])
    after = heard["after"]
    assert heard["start"]["name"] == "CSS editor"
    assert heard["start"]["role"] == "text"
    assert after["F6"]["name"] == "Tokens"  # the panes in order, each at its main control
    assert after["F6 F6"]["spoken"].startswith("Scheme")  # the combo box is labelled by "Scheme:"
    assert after["F6 F6 F6"]["name"] == "Problems"
    assert after["Alt+1"]["name"] == "CSS editor"
    assert after["Ctrl+F"]["name"] == "Find"
    assert after["Ctrl+F Tab"]["name"] == "Match case"
    assert after["Escape"]["name"] == "CSS editor"
    assert heard["unnamed"] == []
    assert "Preview stale: close the open block or comment to update it." in heard["announcements"]
    assert any(text.startswith("Line 1: error") for text in heard["announcements"])
