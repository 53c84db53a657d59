"""The studio as a user starts it: a real process with its bundled backend and sandbox, and a clean exit."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import REPO


def processes_mentioning(text: str) -> list[str]:
    """Processes whose command line or environment mentions ``text`` (the bundled servers inherit it)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            environ = (proc / "environ").read_bytes().decode(errors="replace")
        except OSError:  # gone meanwhile, or not ours to read
            continue
        if text in cmdline or text in environ:
            found.append(f"{proc.name} {cmdline[:200]}")
    return found


def test_quitting_right_after_the_first_paint_leaves_no_server_behind(tmp_path: Path) -> None:
    """The bundled backend and sandbox start after the first preview; quitting mid-start must stop them."""
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "THEMESTUDIO_EXIT_AFTER_PAINT": "1",
        "THEMESTUDIO_CONFIG_DIR": str(tmp_path / "config"),
        "THEMESTUDIO_DATA_DIR": str(tmp_path / "data"),
    }
    env.pop("THEMESYSTEM_API_URL", None)
    env.pop("THEMESTUDIO_LOCAL_BACKEND", None)
    proc = subprocess.run(
        [sys.executable, "-m", "studio"], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "first-preview-painted" in proc.stdout
    assert (tmp_path / "data" / "themes" / "my-theme" / "theme.css").is_file()  # opened on a starter theme
    deadline = time.monotonic() + 10
    while processes_mentioning(str(tmp_path)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert processes_mentioning(str(tmp_path)) == []
