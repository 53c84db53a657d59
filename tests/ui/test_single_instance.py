"""One studio per user: a second launch hands its folder to the first over a local socket and exits 0."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QDir
from PySide6.QtNetwork import QLocalSocket
from pytestqt.qtbot import QtBot

from studio.core.starters import create_theme
from studio.ui.single_instance import SingleInstance, instance_name

REPO = Path(__file__).resolve().parents[2]


def launch_env(config: Path, data: Path) -> dict[str, str]:
    return {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "THEMESTUDIO_CONFIG_DIR": str(config),
        "THEMESTUDIO_DATA_DIR": str(data),
        "THEMESTUDIO_LOCAL_BACKEND": "0",
    }


def test_a_second_launch_hands_its_folder_over_and_exits_0(qtbot: QtBot, tmp_path: Path) -> None:
    config = tmp_path / "config"
    first = SingleInstance(config)
    assert first.claim()
    try:
        assert not SingleInstance(config).claim()  # same user, same config folder: taken
        assert instance_name(tmp_path / "elsewhere") != first.name  # another test's studio is another name
        folder = create_theme(tmp_path / "aurora", "light", "Aurora").root
        env = launch_env(config, tmp_path / "data")
        with qtbot.waitSignal(first.openRequested, timeout=30000) as got:
            second = subprocess.Popen(
                [sys.executable, "-m", "studio", str(folder)],
                cwd=REPO,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        out, err = second.communicate(timeout=30)
        assert second.returncode == 0, err[-2000:]
        assert got.args == [folder]
        assert f"already running (PID {os.getpid()})" in out

        # Bad input: a clear message, exit 2, and nothing reaches the running studio.
        missing = subprocess.run(
            [sys.executable, "-m", "studio", str(tmp_path / "nope")],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert missing.returncode == 2
        assert "nope: not a theme folder" in missing.stderr
        assert "Traceback" not in missing.stderr
    finally:
        first.release()


def test_a_crashed_studios_socket_does_not_block_the_next_one(qtbot: QtBot, tmp_path: Path) -> None:
    config = tmp_path / "config"
    name = instance_name(config)
    leftover = Path(QDir.tempPath()) / name
    dead = socket.socket(socket.AF_UNIX)
    dead.bind(str(leftover))  # bound, never listening, never removed: what a SIGKILLed studio leaves
    dead.close()
    instance = SingleInstance(config)
    try:
        assert instance.claim()
        probe = QLocalSocket()
        probe.connectToServer(name)
        assert probe.waitForConnected(2000)
        probe.abort()
    finally:
        instance.release()
    assert not leftover.exists()
